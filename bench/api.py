"""API latency and throughput on a realistic volume, against the framework's own floor.

Loads a scratch database (`restock_bench_api` on the configured server) with reps,
customers, 10,000 stock points with one sensor each, 60 days of hourly readings, one
draft order per customer and open visit triggers; starts `restock serve` in its own
process; then a load generator in a separate process drives, one after another:
  - baseline: GET /health (no database: the HTTP stack's floor on this machine),
  - rep_triggers: GET /v1/triggers as a rep (first page of 100 of their open triggers),
  - order_queue: GET /v1/orders?status=draft as a planner (first page of 100),
  - readings_chart: GET /v1/stock-points/{random}/readings, a 7-day chart,
each paced at --rate requests/s with at most --concurrency in flight, for --seconds.
Latency is measured from each request's scheduled send time, so a server that falls
behind shows it (no coordinated omission). cpu_ms is the server's CPU time (all its
processes, from /proc) per request: unlike latency, it barely moves when something
else loads the machine.

The database is dropped and loaded afresh unless --reuse (it is left in place after a
run, so --reuse can measure again without the ~2 minute load).

Usage: python bench/api.py [--quick] [--stock-points N] [--days N] [--rate R] [--reuse]
The last line printed is a JSON object.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import multiprocessing as mp
import os
import random
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import numpy as np
import psycopg

from restock.api.auth import Role, create_token
from restock.core.db import drop_database, ensure_database, with_database
from restock.core.local_broker import free_port
from restock.core.migrate import migrate
from restock.core.settings import Settings

END = datetime(2026, 11, 20, tzinfo=UTC)
PER_CUSTOMER = 5
CUSTOMERS_PER_REP = 40
TRIGGERS_PER_CUSTOMER = 3

LOAD = """
INSERT INTO reps (id, name, depot_lat, depot_lon)
SELECT 'rep-' || r, 'Rep ' || r, 35.6, 139.7 FROM generate_series(1, %(reps)s) r;
INSERT INTO customers (id, name, segment, rep_id, lat, lon)
SELECT 'cust-' || c, 'Customer ' || c, (ARRAY['A', 'B', 'C'])[1 + c %% 3],
       'rep-' || (1 + (c - 1) %% %(reps)s), 35.5 + (c %% 100) / 500.0, 139.6 + (c %% 37) / 300.0
FROM generate_series(1, %(customers)s) c;
INSERT INTO products (id, name, unit_cost)
SELECT 'prod-' || p, 'Product ' || p, 100 + p FROM generate_series(1, %(per)s) p;
INSERT INTO stock_points (id, customer_id, product_id, capacity)
SELECT s, 'cust-' || (1 + (s - 1) / %(per)s), 'prod-' || (1 + (s - 1) %% %(per)s), 100
FROM generate_series(1, %(points)s) s;
INSERT INTO sensors (id, stock_point_id, kind, unit, status, last_seen)
SELECT 's-' || s, s, 'shelf_count', 'count', 'online', %(end)s
FROM generate_series(1, %(points)s) s;
INSERT INTO readings (time, sensor_id, raw_value, quantity)
SELECT t, 's-' || s, q, q FROM generate_series(1, %(points)s) s,
       generate_series(%(start)s::timestamptz, %(end)s::timestamptz - interval '1 hour',
                       interval '1 hour') t,
       LATERAL (SELECT 100 - ((extract(epoch FROM t) / 3600 + s * 7)::bigint %% 96)::float8
                AS q) level;
INSERT INTO orders (customer_id, status, as_of, deliver_at, value, created_at, updated_at)
SELECT 'cust-' || c, 'draft', %(end)s, %(end)s + (c %% 72) * interval '1 hour', 5000,
       %(end)s, %(end)s
FROM generate_series(1, %(customers)s) c;
INSERT INTO order_lines (order_id, stock_point_id, quantity, suggested_quantity, reason)
SELECT o.id, sp.id, 40, 40, 'due'
FROM orders o JOIN stock_points sp ON sp.customer_id = o.customer_id;
INSERT INTO visit_triggers (cause, rep_id, customer_id, purpose, due_by, priority, created_at)
SELECT 'bench:' || c || ':' || k, 'rep-' || (1 + (c - 1) %% %(reps)s), 'cust-' || c,
       'stockout_risk', %(end)s + (c %% 48 + k) * interval '1 hour', (c + k) %% 100, %(end)s
FROM generate_series(1, %(customers)s) c, generate_series(1, %(triggers)s) k;
VACUUM (ANALYZE);
"""
# VACUUM, not only ANALYZE: freshly loaded tables are settled (visibility map, hint
# bits) as in a database that has been running, instead of by autovacuum while the
# first endpoints are measured (it put the order queue's p99 at 147 ms, 6 ms after).


def load(database_url: str, stock_points: int, days: int) -> float:
    """Fill a fresh database; returns the seconds it took."""
    started = time.perf_counter()
    customers = stock_points // PER_CUSTOMER
    params = {
        "reps": max(1, customers // CUSTOMERS_PER_REP),
        "customers": customers,
        "per": PER_CUSTOMER,
        "points": stock_points,
        "start": END - timedelta(days=days),
        "end": END,
        "triggers": TRIGGERS_PER_CUSTOMER,
    }
    with psycopg.connect(database_url, autocommit=True) as conn:
        for statement in LOAD.split(";\n"):
            if statement.strip():
                conn.execute(statement, params)  # type: ignore[arg-type]
    return time.perf_counter() - started


# -- load generator (runs in its own process) -----------------------------------------


def drive(
    port: int, paths: list[str], token: str | None, rate: float, seconds: float, threads: int
) -> dict[str, float]:
    """Send rate x seconds GETs on a fixed schedule from `threads` keep-alive connections
    (stdlib http.client: far less client CPU than an async client on a 2-core machine)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    total = int(rate * seconds)
    latencies = [0.0] * total
    statuses = [0] * total
    counter = itertools.count()
    start = time.perf_counter() + 0.5

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for path in paths[:2]:  # warm up this connection
            conn.request("GET", path, headers=headers)
            conn.getresponse().read()
        while (i := next(counter)) < total:
            due = start + i / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            conn.request("GET", paths[i % len(paths)], headers=headers)
            response = conn.getresponse()
            response.read()
            latencies[i] = time.perf_counter() - due
            statuses[i] = response.status
        conn.close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - start
    ms = np.array(latencies) * 1000
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p99_ms": round(float(np.percentile(ms, 99)), 1),
        "rps": round(total / elapsed, 1),
        "errors": sum(1 for s in statuses if s != 200),
    }


def generator(args: tuple[int, list[str], str | None, float, float, int], out: mp.Queue) -> None:
    out.put(drive(*args))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of `pid` and its descendants so far (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, pp in parents.items() if pp == parent and p not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(times.get(p, 0.0) for p in tree)


def run_endpoint(
    server: int,
    port: int,
    paths: list[str],
    token: str | None,
    rate: float,
    seconds: float,
    threads: int,
) -> dict[str, float]:
    out: mp.Queue = mp.Queue()
    proc = mp.Process(target=generator, args=((port, paths, token, rate, seconds, threads), out))
    before = cpu_seconds(server)
    proc.start()
    result = out.get(timeout=seconds * 10 + 120)
    proc.join()
    requests = int(rate * seconds) + 2 * threads  # and each connection's warm-up
    result["cpu_ms"] = round((cpu_seconds(server) - before) * 1000 / requests, 2)
    return result


def wait_ready(base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"API at {base} not ready in {timeout}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 stock points, 14 days")
    parser.add_argument("--stock-points", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--rate", type=float, default=500.0, help="requests/s per endpoint")
    parser.add_argument("--seconds", type=float, default=10.0, help="per endpoint")
    parser.add_argument("--concurrency", type=int, default=16, help="connections (threads)")
    parser.add_argument("--workers", type=int, default=2, help="API worker processes")
    parser.add_argument("--reuse", action="store_true", help="keep an already loaded database")
    args = parser.parse_args()
    if args.quick:
        args.stock_points, args.days, args.seconds = 1000, 14, 5.0

    settings = Settings()
    url = with_database(settings.database_url, "restock_bench_api")
    if not args.reuse:
        drop_database(url)
    ensure_database(url)
    migrate(url)
    with psycopg.connect(url, autocommit=True) as conn:
        loaded = conn.execute("SELECT count(*) FROM stock_points").fetchone()
        if not loaded or not loaded[0]:
            print(f"loading {args.stock_points:,} stock points x {args.days} days ...", flush=True)
            seconds = load(url, args.stock_points, args.days)
            rows = conn.execute("SELECT count(*) FROM readings").fetchone()
            print(f"loaded {rows[0] if rows else 0:,} readings in {seconds:.0f} s", flush=True)
        planner = create_token(conn, Role.planner, name="bench").token
        rep = create_token(conn, Role.rep, rep_id="rep-1", name="bench").token
        n_points = int(conn.execute("SELECT count(*) FROM stock_points").fetchone()[0])  # type: ignore[index]

    port = free_port()
    env = {**os.environ, "RESTOCK_DATABASE_URL": url, "RESTOCK_LOG_LEVEL": "WARNING",
           "RESTOCK_API_POOL_MAX": str(max(4, args.concurrency // args.workers))}  # fmt: skip
    restock = str(Path(sys.executable).with_name("restock"))
    server = subprocess.Popen(
        [restock, "serve", "--port", str(port), "--workers", str(args.workers)], env=env
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base)
        rng = random.Random(0)
        start = (END - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
        end = END.strftime("%Y-%m-%dT%H:%M:%SZ")
        charts = [
            f"/v1/stock-points/{rng.randint(1, n_points)}/readings?start={start}&end={end}"
            for _ in range(2000)
        ]
        plan = {
            "baseline_health": (["/health"], None),
            "rep_triggers": (["/v1/triggers"], rep),
            "order_queue": (["/v1/orders?status=draft&limit=100"], planner),
            "readings_chart": (charts, planner),
        }
        results = {}
        for name, (paths, token) in plan.items():
            figures = run_endpoint(
                server.pid, port, paths, token, args.rate, args.seconds, args.concurrency
            )
            results[name] = figures
            print(
                f"{name:<16} p50 {figures['p50_ms']:7.1f} ms  p99 {figures['p99_ms']:7.1f} ms"
                f"  {figures['rps']:7.1f} req/s  errors {figures['errors']}"
                f"  server cpu {figures['cpu_ms']:5.2f} ms/req",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    baseline = results.pop("baseline_health")
    endpoints = {
        k: {m: v[m] for m in ("p50_ms", "p99_ms", "rps", "cpu_ms")} for k, v in results.items()
    }
    print(json.dumps({
        "stock_points": n_points, "days": args.days, "rate": args.rate,
        "concurrency": args.concurrency, "workers": args.workers, "baseline_health": baseline,
        "endpoints": endpoints,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
