"""`restock demo` end to end: it starts, loads history, forecasts and drafts orders,
serves the API with the tokens it prints, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import psycopg
import pytest

from restock.core.local_broker import free_port

pytestmark = pytest.mark.slow
RESTOCK = Path(sys.executable).with_name("restock")


def _lines(process: subprocess.Popen[str], out: queue.Queue[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        out.put(line)


def test_demo_serves_its_data_to_the_tokens_it_prints(database_url: str) -> None:
    port = free_port()
    env = {**os.environ, "RESTOCK_DATABASE_URL": database_url, "RESTOCK_API_PORT": str(port)}
    env.pop("RESTOCK_MQTT_URL", None)
    process = subprocess.Popen(
        [str(RESTOCK), "demo", "--history-days", "3", "--every", "1", "--speed", "600"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=_lines, args=(process, lines), daemon=True)
    reader.start()
    output: list[str] = []
    try:
        deadline = time.monotonic() + 120
        while not any("runs live" in line for line in output):
            assert time.monotonic() < deadline, "".join(output)
            assert process.poll() is None, "".join(output)
            with contextlib.suppress(queue.Empty):
                output.append(lines.get(timeout=1))
        text = "".join(output)
        tokens = dict(re.findall(r"^  (planner|rep)\b.*?(rst_\S+)$", text, re.MULTILINE))
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=10) as client:
            assert client.get("/health").json()["status"] == "ok"
            planner = {"Authorization": f"Bearer {tokens['planner']}"}
            rep = {"Authorization": f"Bearer {tokens['rep']}"}
            customers = client.get("/v1/customers", headers=planner).json()
            mine = client.get("/v1/customers", headers=rep).json()
            forecasts = client.get("/v1/forecasts/latest", headers=planner).json()
            assert client.get("/v1/customers").status_code == 401
        rep_id = re.findall(r"^  rep \((\S+)\)", text, re.MULTILINE)[0]
        assert mine == [c for c in customers if c["rep_id"] == rep_id] != []
        assert len(forecasts) > 0
        # the pages: users printed with their password, each page's URL, a route per rep
        password = re.findall(r"^users \(password (\S+)\):", text, re.MULTILINE)[0]
        assert f"{base}/ui/orders" in text and f"{base}/ui/day" in text
        with httpx.Client(base_url=base, timeout=10) as browser:
            form = browser.get("/ui/sign-in")
            token = re.findall(r'name="form_token" value="([^"]+)"', form.text)[0]
            browser.post(
                "/ui/sign-in",
                data={"name": "sato", "password": password, "form_token": token, "next": ""},
            )
            day = browser.get("/ui/day")
            assert day.status_code == 200 and "Sato Haruto" in day.text
            assert "No route planned" not in day.text
        with psycopg.connect(database_url) as conn:
            reps = conn.execute("SELECT count(DISTINCT rep_id) FROM routes").fetchone()
        assert reps == (2,)
    finally:
        process.send_signal(signal.SIGINT)
        rc = process.wait(timeout=60)
        reader.join(timeout=10)
        assert process.stdout is not None
        process.stdout.close()
    while not lines.empty():
        output.append(lines.get())
    assert rc == 0, "".join(output)
    assert "stopped" in "".join(output)[-200:]
