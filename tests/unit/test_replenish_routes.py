"""Daily route planning with PyVRP: required stops, prizes, time windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from restock.replenish.visits.routing import Haversine, RepDay, Stop, haversine_km, plan_route

D0 = datetime(2026, 9, 7, 0, tzinfo=UTC)  # 09:00 in Tokyo
DAY = RepDay(rep_id="r1", depot=(35.681, 139.767), start=D0, end=D0 + timedelta(hours=9))


def stop(
    i: int, *, required: bool, prize_km: float = 0.0, window: tuple[int, int] = (0, 9)
) -> Stop:
    return Stop(
        customer_id=f"c{i}",
        lat=35.68 + 0.01 * i,
        lon=139.76 - 0.01 * (i % 3),
        required=required,
        prize_km=prize_km,
        window=(D0 + timedelta(hours=window[0]), D0 + timedelta(hours=window[1])),
    )


def test_haversine_tokyo_to_osaka_is_about_400_km() -> None:
    assert 390 < haversine_km((35.681, 139.767), (34.702, 135.496)) < 410
    km, minutes = Haversine(speed_kmh=30, detour=1.0).between((35.0, 139.0), (35.1, 139.0))
    assert minutes == km * 2


def test_required_stops_are_visited_inside_their_time_windows() -> None:
    stops = [stop(0, required=True), stop(1, required=True, window=(5, 6)), stop(2, required=True)]
    plan = plan_route(DAY, stops, max_runtime_s=0.2)
    assert sorted(s.customer_id for s in plan.stops) == ["c0", "c1", "c2"]
    c1 = next(s for s in plan.stops if s.customer_id == "c1")
    assert D0 + timedelta(hours=5) <= c1.arrive_at <= D0 + timedelta(hours=6)
    assert plan.distance_km > 0 and plan.skipped_required == ()


def test_optional_stop_needs_a_prize_worth_the_detour() -> None:
    far = Stop(
        customer_id="far",
        lat=36.2,
        lon=140.1,
        required=False,
        prize_km=1.0,
        window=(D0, D0 + timedelta(hours=9)),
    )
    near = stop(1, required=False, prize_km=20.0)
    plan = plan_route(DAY, [stop(0, required=True), far, near], max_runtime_s=0.2)
    assert {s.customer_id for s in plan.stops} == {"c0", "c1"}
    assert plan.skipped_optional == ("far",)


def test_a_required_stop_that_cannot_fit_is_reported() -> None:
    closed_soon = stop(5, required=True, window=(0, 0))
    plan = plan_route(DAY, [stop(0, required=True), closed_soon], max_runtime_s=0.2)
    assert "c5" in plan.skipped_required
