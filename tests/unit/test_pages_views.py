"""What the pages show, computed without a browser or a database: queue order and
urgency, why a draft waits, the chart's forecast band, the route map, the van load,
pack-aware edits, rules in words, passwords, times."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from restock.api.errors import Invalid
from restock.api.pages.views.kpi_charts import panels, weekly_rows
from restock.api.pages.views.level_chart import ForecastLine, LevelPoint, band, level_chart
from restock.api.pages.views.order_edit import EditableLine, quantities_from_packs
from restock.api.pages.views.queue import QueueLine, QueueOrder, ranked_queue, why_waiting
from restock.api.pages.views.route_map import Place, route_map, world_xy
from restock.api.pages.views.rule_form import rule_sentence, rule_values
from restock.api.pages.views.story import line_story
from restock.api.pages.views.van_load import Delivery, van_load
from restock.api.users import hash_password, verify_password
from restock.core.timefmt import age, local
from restock.replenish.orders.auto_approve import Rule
from restock.replenish.visits.morning import days_to_plan

NOW = datetime(2026, 11, 19, 22, 0, tzinfo=UTC)


def order(
    order_id: int,
    *,
    runs_out: datetime | None,
    value: float = 1000,
    seen: datetime | None = NOW,
    deliver: timedelta = timedelta(hours=48),
) -> QueueOrder:
    line = QueueLine(
        stock_point_id=order_id,
        product=f"P{order_id}",
        unit="pcs",
        quantity=12,
        pack_size=12,
        stockout_p10=runs_out,
        stockout_p50=None,
        p_stockout=0.5,
        last_reading_at=seen,
    )
    return QueueOrder(
        id=order_id,
        customer_id=f"c{order_id}",
        customer_name=f"C{order_id}",
        segment="A",
        rep_id="r",
        rep_name="R",
        time_zone="Asia/Tokyo",
        deliver_at=NOW + deliver,
        value=value,
        waiting_reasons=(),
        lines=(line,),
    )


def test_the_queue_puts_the_soonest_stockout_first_and_says_how_old_the_data_is() -> None:
    items = ranked_queue(
        [
            order(1, runs_out=None, value=9000),
            order(2, runs_out=NOW + timedelta(days=5)),
            order(3, runs_out=NOW + timedelta(hours=9), seen=NOW - timedelta(hours=7)),
            order(4, runs_out=NOW + timedelta(hours=30), deliver=timedelta(hours=40)),
        ],
        NOW,
    )
    assert [i.order.id for i in items] == [3, 4, 2, 1]
    assert [i.urgency for i in items] == ["now", "now", "later", "later"]
    assert items[0].urgency_text == "may run out in 9 h, before the delivery"
    assert items[0].data_age_text == "7 h old" and items[0].stale
    assert not items[1].stale and items[3].urgency_text == "no stockout in sight"


def test_why_a_draft_waits_names_products_not_stock_points() -> None:
    reasons = [
        "rule 1 'default': order value 28,800 above 20,000",
        "rule 1 'default', stock point 5: sensor offline",
        "rule 1 'default', stock point 5: sensor offline",
        "no auto-approve rule applies",
    ]
    assert why_waiting(reasons, {5: "Rice 5 kg"}) == (
        "Order value 28,800 above 20,000 — rule “default”",
        "Rice 5 kg: sensor offline — rule “default”",
        "no auto-approve rule applies",
    )


def test_the_forecast_band_runs_from_the_level_to_each_stockout() -> None:
    f = ForecastLine(
        as_of=NOW,
        level=40.0,
        stockout_p10=NOW + timedelta(hours=10),
        stockout_p50=NOW + timedelta(hours=20),
        stockout_p90=NOW + timedelta(hours=40),
        horizon_end=NOW + timedelta(days=7),
    )
    points = band(f)
    at = {p["x"]: p for p in points}
    p50 = int((NOW + timedelta(hours=20)).timestamp() * 1000)
    assert at[p50]["median"] == 0 and at[p50]["low"] == 0 and at[p50]["high"] == 20
    assert points[0]["median"] == points[0]["low"] == points[0]["high"] == 40
    assert points[-1]["x"] == int((NOW + timedelta(hours=40)).timestamp() * 1000)
    assert all(p["low"] <= p["median"] <= p["high"] for p in points)
    chart = level_chart(
        [LevelPoint(time=NOW - timedelta(hours=1), level=41.0)],
        f,
        now=NOW,
        capacity=60,
        deliver_at=NOW + timedelta(hours=30),
        next_visit=None,
        unit="pcs",
        zone="Asia/Tokyo",
    )
    assert [m["kind"] for m in chart["markers"]] == ["now", "delivery"]
    # beyond the horizon: the line keeps its slope and the chart stops at the horizon
    late = band(
        ForecastLine(
            as_of=NOW,
            level=10.0,
            stockout_p10=None,
            stockout_p50=None,
            stockout_p90=None,
            horizon_end=NOW + timedelta(hours=100),
        )
    )
    assert late[-1]["x"] == int((NOW + timedelta(hours=100)).timestamp() * 1000)
    assert late[-1]["median"] == 5.0


def test_the_route_map_fits_every_stop_and_draws_them_in_order() -> None:
    places = [
        Place(lat=35.681, lon=139.767, label="D", title="depot", kind="depot"),
        Place(lat=35.671, lon=139.765, label="1", title="Ginza"),
        Place(lat=35.713, lon=139.777, label="2", title="Ueno"),
    ]
    m = route_map(places, width=440, height=360)
    assert m is not None
    assert all(0 < p.x < 440 and 0 < p.y < 360 for p in m.points)
    north = min(m.points, key=lambda p: p.y)
    assert north.title == "Ueno"  # north is up
    assert m.path.startswith(f"M{m.points[0].x},{m.points[0].y}") and m.path.count("L") == 3
    assert m.tiles == () and m.scale_label.endswith(("km", "m"))
    tiled = route_map(places, tile_url="https://tiles.test/{z}/{x}/{y}.png")
    assert (
        tiled is not None and tiled.tiles and tiled.tiles[0].url.startswith("https://tiles.test/")
    )
    x0, y0 = world_xy(0.0, 0.0, 1)
    assert (x0, y0) == (256.0, 256.0)
    assert route_map([]) is None


def test_the_van_load_adds_up_products_in_packs() -> None:
    load = van_load(
        [
            Delivery(
                order_id=1, customer="Ginza", product="Milk", unit="pcs", pack_size=12, quantity=36
            ),
            Delivery(
                order_id=2, customer="Ueno", product="Milk", unit="pcs", pack_size=12, quantity=12
            ),
            Delivery(
                order_id=2, customer="Ueno", product="Gloves", unit="box", pack_size=10, quantity=20
            ),
        ]
    )
    assert [(x.product, x.quantity, x.packs) for x in load] == [("Milk", 48, 4), ("Gloves", 20, 2)]
    assert load[0].for_whom == ("Ginza: 36", "Ueno: 12")


def test_edits_are_in_whole_packs_within_the_shelf_and_above_the_minimum() -> None:
    line = EditableLine(
        stock_point_id=3, product="Milk", quantity=36, pack_size=12, moq=24, capacity=60
    )
    lines = {3: line}
    assert quantities_from_packs({3: "2"}, lines) == {3: 24.0}
    assert quantities_from_packs({3: "3"}, lines) == {}  # unchanged
    assert quantities_from_packs({3: "0"}, lines) == {3: 0.0}
    for bad, says in (
        ("1.5", "whole number"),
        ("-1", "whole number"),
        ("x", "whole number"),
        ("6", "do not fit"),
        ("1", "below the minimum"),
    ):
        with pytest.raises(Invalid, match=says):
            quantities_from_packs({3: bad}, lines)
    with pytest.raises(Invalid, match="no line"):
        quantities_from_packs({9: "1"}, lines)


def test_a_rule_from_its_form_and_in_a_sentence() -> None:
    form = {
        "name": "small B",
        "segment": "B",
        "max_value": "30,000",
        "min_battery": "0.2",
        "max_silence_hours": "6",
        "enabled": "1",
    }
    values = rule_values(lambda k: form.get(k, ""), checked=lambda k: k in form)
    assert values["max_value"] == 30000 and values["segment"] == "B"
    assert values["max_deviation"] is None and not values["require_healthy_sensor"]
    sentence = rule_sentence(Rule(id=1, **values))
    assert sentence == "Approves drafts of segment B customers: worth at most 30,000."
    with pytest.raises(Invalid, match="largest order value"):
        rule_values(lambda k: {**form, "max_value": "lots"}.get(k, ""), checked=lambda k: False)


def test_a_lines_reasoning_in_words() -> None:
    story = line_story(
        {
            "reason": "due",
            "as_of": NOW.isoformat(),
            "level": 9.0,
            "rate_per_hour": 0.6,
            "capacity": 60,
            "stockout_p50": (NOW + timedelta(hours=15)).isoformat(),
            "p_stockout": 0.83,
            "risk_allowed": 0.01,
            "next_possible_delivery": (NOW + timedelta(hours=24)).isoformat(),
            "pack_size": 12,
            "moq": 12,
            "rounding": "50 rounded up to 5 pack(s) of 12",
        },
        unit="pcs",
        zone="Asia/Tokyo",
    )
    assert (
        story[0] == "9 of 60 pcs on the shelf at Fri 20 Nov 07:00 JST, using about 14.4 pcs a day."
    )
    assert story[1] == "Expected to run out around Fri 20 Nov 22:00 JST."
    assert story[2].startswith("83% chance of running out before the next possible delivery")
    assert story[-1] == "Packs of 12, minimum order 12: 50 rounded up to 5 pack(s) of 12."


def test_kpi_panels_and_weeks() -> None:
    rows = [
        {"group": "rep-1", "visits": 4, "orders": 2, "fill_rate": 0.9},
        {"group": "rep-2", "visits": 0, "orders": 0, "fill_rate": None},
    ]
    first = panels(rows, prefix="rep", kind="bar", names={"rep-1": "Aoki"})[0]
    assert first.chart() == {
        "kind": "bar",
        "percent": False,
        "labels": ["Aoki", "rep-2"],
        "series": [{"label": "visits", "data": [4, 0]}, {"label": "orders", "data": [2, 0]}],
    }
    weeks = weekly_rows([(NOW.date(), []), (NOW.date(), rows[:1])])
    assert weeks[0]["visits"] == 0 and weeks[1]["visits"] == 4


def test_passwords_are_salted_scrypt_hashes() -> None:
    stored = hash_password("correct horse")
    assert stored.startswith("scrypt$") and "correct horse" not in stored
    assert hash_password("correct horse") != stored
    assert verify_password("correct horse", stored)
    assert not verify_password("wrong horse", stored) and not verify_password("x", "garbage")


def test_routes_are_planned_for_today_and_after_hours_for_tomorrow() -> None:
    morning = datetime(2026, 11, 19, 22, 0, tzinfo=UTC)  # 07:00 Fri in Tokyo
    evening = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)  # 19:00 Fri
    days = days_to_plan(morning, "Asia/Tokyo", time(18))
    assert [d.isoformat() for d in days] == ["2026-11-20"]
    days = days_to_plan(evening, "Asia/Tokyo", time(18))
    assert [d.isoformat() for d in days] == ["2026-11-20", "2026-11-21"]


def test_times_are_local_with_their_zone() -> None:
    assert local(NOW, "Asia/Tokyo") == "Fri 20 Nov 07:00 JST"
    assert local(NOW, "Europe/London") == "Thu 19 Nov 22:00 GMT"
    assert age(timedelta(minutes=190)) == "3 h 10 min" and age(timedelta(days=2)) == "2 d"
