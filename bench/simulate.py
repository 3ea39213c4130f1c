"""Benchmark: generate and publish hourly history for a fleet of sensors.

Full run: 90 days × 1,000 sensors reporting hourly (≈ 2.2 M readings), published with
gateway batching (JSON arrays of 24 readings) at QoS 1 to a private mosquitto.
`--quick`: 30 days × 200 sensors. A baseline in the same run publishes one reading
per message for a slice, to show what batching buys.

Last line: JSON {"readings", "seconds", "readings_per_s"} for the full generate+publish.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from restock.core.local_broker import LocalBroker
from restock.simulators.publisher import BrokerAddress, MqttPublisher
from restock.simulators.runner import run_accelerated
from restock.simulators.scenario import Scenario
from restock.simulators.scenario_file import parse_scenario
from restock.simulators.world import World

START = datetime(2026, 6, 1, tzinfo=UTC)


def fleet(sensors: int) -> Scenario:
    """`sensors` stock points: a quarter as many customers, four products each."""
    products = [{"id": f"p{i}", "name": f"P{i}", "unit_weight_g": 100.0 + 50 * i} for i in range(4)]
    return parse_scenario(
        {
            "scenario": {"name": "bench"},
            "defaults": {"sensor": {"interval_minutes": 60, "jitter_seconds": 30}},
            "products": products,
            "faults": {"dropout_per_day": 0.01, "duplicate_prob": 0.001, "spike_prob": 0.001},
            "generate": {
                "seed": 1,
                "customers": sensors // 4,
                "products_per_customer": [4, 4],
                "sensor_kinds": {"shelf_weight": 0.5, "shelf_count": 0.3, "line_bin": 0.2},
                "interval_minutes": [60],
                "refill_every_days": 7,
            },
        }
    )


def publish(scenario: Scenario, days: float, port: int, batch: int) -> tuple[int, int, float]:
    """(readings generated, readings published, seconds) for one generate+publish run."""
    started = time.perf_counter()
    world = World(scenario, seed=7, start=START, days=days)
    with MqttPublisher(
        BrokerAddress(host="127.0.0.1", port=port), client_id=f"bench-{batch}"
    ) as pub:
        readings, stats = run_accelerated(world, pub, batch=batch)
    return len(readings), stats.published_readings, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="30 days × 200 sensors")
    args = parser.parse_args()
    sensors, days = (200, 30) if args.quick else (1000, 90)
    scenario = fleet(sensors)
    with tempfile.TemporaryDirectory() as tmp, LocalBroker(workdir=Path(tmp)) as broker:
        n, sent, seconds = publish(fleet(100), 5 if args.quick else 10, broker.port, batch=1)
        print(f"baseline, one reading per message: {n} readings in {seconds:.1f} s "
              f"({sent / seconds:,.0f} readings/s)")  # fmt: skip
        n, sent, seconds = publish(scenario, days, broker.port, batch=24)
    print(f"{sensors} sensors × {days} days, batches of 24: {n} readings generated, "
          f"{sent} published in {seconds:.1f} s")  # fmt: skip
    print(
        json.dumps(
            {
                "readings": sent,
                "seconds": round(seconds, 2),
                "readings_per_s": round(sent / seconds),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
