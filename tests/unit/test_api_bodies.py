"""Request bodies say what the database accepts and refuse the rest, each refusal
naming its field: strict types, no null where a column is NOT NULL, the columns' CHECKs
and types as bounds, patterns and enums."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from restock.api.schemas.domain import (
    Calibration,
    CustomerCreate,
    CustomerUpdate,
    ProductUpdate,
    RepCreate,
    RepUpdate,
    SensorRegister,
    StockPointUpdate,
)
from restock.api.schemas.replenish import RuleCreate, RuleUpdate


def refused(model: type[BaseModel], body: dict[str, Any]) -> set[tuple[str, str]]:
    """(field, error type) of each refusal; the field is "" for the body as a whole."""
    with pytest.raises(ValidationError) as caught:
        model.model_validate(body)
    return {(".".join(map(str, e["loc"])), e["type"]) for e in caught.value.errors()}


@pytest.mark.parametrize(
    ("model", "body", "field"),
    [
        (CustomerUpdate, {"service_minutes": False}, "service_minutes"),  # false is not 0
        (CustomerUpdate, {"service_minutes": "15"}, "service_minutes"),
        (CustomerUpdate, {"service_minutes": 15.0}, "service_minutes"),
        (CustomerUpdate, {"lat": True}, "lat"),
        (CustomerUpdate, {"lat": "35.6"}, "lat"),
        (CustomerUpdate, {"visit_cadence_days": 1.5}, "visit_cadence_days"),
        (ProductUpdate, {"pack_size": float("nan")}, "pack_size"),
        (ProductUpdate, {"moq": float("inf")}, "moq"),
        (RuleUpdate, {"enabled": 1}, "enabled"),
        (RuleUpdate, {"require_healthy_sensor": "true"}, "require_healthy_sensor"),
        (SensorRegister, {"id": "s", "kind": "line_bin", "unit": "g", "enabled": 0}, "enabled"),
    ],
)
def test_a_value_of_the_wrong_type_is_not_coerced(
    model: type[BaseModel], body: dict[str, Any], field: str
) -> None:
    assert field in {f for f, _ in refused(model, body)}


# every NOT NULL column a body may change (restock/core/migrations/0001_domain.sql, 0030)
NOT_NULL = [
    (CustomerUpdate, ("name", "segment", "lat", "lon", "time_zone", "opening_hours",
                      "service_minutes")),
    (RepUpdate, ("name", "depot_lat", "depot_lon", "work_days", "time_zone")),
    (ProductUpdate, ("name", "unit", "pack_size", "moq", "lead_time_hours", "unit_cost")),
    (StockPointUpdate, ("capacity",)),
    (RuleUpdate, ("name", "require_healthy_sensor", "min_battery", "max_silence_hours",
                  "enabled")),
]  # fmt: skip


@pytest.mark.parametrize(("model", "fields"), NOT_NULL, ids=[m.__name__ for m, _ in NOT_NULL])
def test_a_patch_may_leave_a_not_null_field_out_but_not_null_it(
    model: type[BaseModel], fields: tuple[str, ...]
) -> None:
    assert model.model_validate({}).model_dump(exclude_unset=True) == {}
    for field in fields:
        assert refused(model, {field: None}) == {(field, "not_null")}
        schema = model.model_json_schema()["properties"][field]
        assert "null" not in str(schema) and "default" not in schema, field


def test_nullable_columns_can_be_cleared() -> None:
    cleared = CustomerUpdate.model_validate({"rep_id": None, "visit_cadence_days": None})
    assert cleared.model_dump(exclude_unset=True) == {"rep_id": None, "visit_cadence_days": None}
    assert StockPointUpdate.model_validate({"target_level": None}).target_level is None
    assert RuleUpdate.model_validate({"max_value": None, "segment": None}).max_value is None


@pytest.mark.parametrize(
    ("model", "body", "field"),
    [
        (Calibration, {"scale": 0}, "scale"),  # sensors_scale_check
        (Calibration, {"scale": -0.0}, "scale"),
        (RuleCreate, {"name": "r", "max_value": 1e12}, "max_value"),  # numeric(14, 2)
        (ProductUpdate, {"unit_cost": 1e10}, "unit_cost"),  # numeric(12, 2)
        (CustomerUpdate, {"name": "Clinic\x00"}, "name"),  # text cannot hold NUL
        (CustomerUpdate, {"name": "   "}, "name"),
        (ProductUpdate, {"unit": "box\x00"}, "unit"),
        (SensorRegister, {"id": "s", "kind": "line_bin", "unit": "g\x00"}, "unit"),
        (SensorRegister, {"id": "s 1", "kind": "line_bin", "unit": "g"}, "id"),  # sensors_id_check
        (SensorRegister, {"id": "s", "kind": "scale", "unit": "g"}, "kind"),
        (CustomerUpdate, {"segment": "D"}, "segment"),
        (CustomerUpdate, {"lat": 90.5}, "lat"),
        (CustomerUpdate, {"visit_cadence_days": 0}, "visit_cadence_days"),
        (CustomerUpdate, {"service_minutes": -1}, "service_minutes"),
        (StockPointUpdate, {"service_level": 1}, "service_level"),
        (StockPointUpdate, {"capacity": 0}, "capacity"),
        (ProductUpdate, {"pack_size": 0}, "pack_size"),
        (RepUpdate, {"work_days": [0]}, "work_days.0"),
        (RepUpdate, {"work_days": [1, 1]}, "work_days"),
        (RepUpdate, {"work_days": []}, "work_days"),
        (
            SensorRegister,
            {"id": "s", "kind": "line_bin", "unit": "g", "installed_at": "2026-01-01T00:00:00"},
            "installed_at",
        ),
    ],
)
def test_a_value_the_database_would_refuse_is_refused_first(
    model: type[BaseModel], body: dict[str, Any], field: str
) -> None:
    assert field in {f for f, _ in refused(model, body)}


def test_customers_take_a_time_zone_and_opening_hours() -> None:
    hours = {"1": [["09:00", "12:00"], ["13:00", "18:00"]], "6": [["17:00", "24:00"]], "7": []}
    customer = CustomerCreate.model_validate(
        {"id": "c", "name": "Café", "segment": "B", "lat": 35.0, "lon": 139,
         "time_zone": "Asia/Tokyo", "opening_hours": hours}
    )  # fmt: skip
    assert customer.model_dump(exclude_unset=True)["opening_hours"] == hours
    assert CustomerUpdate.model_validate({"opening_hours": {}}).opening_hours == {}


@pytest.mark.parametrize(
    "hours",
    [
        {"0": [["09:00", "18:00"]]},  # ISO weekdays are 1 to 7
        {"8": []},
        {"mon": [["09:00", "18:00"]]},
        {"1": [["18:00", "09:00"]]},  # start before end
        {"1": [["09:00", "09:00"]]},
        {"1": [["24:00", "24:00"]]},
        {"1": [["09:00", "13:00"], ["12:00", "18:00"]]},  # overlapping
        {"1": [["13:00", "18:00"], ["09:00", "12:00"]]},  # out of order
        {"1": [["9:00", "18:00"]]},
        {"1": [["09:00", "18:60"]]},
        {"1": [["09:00", "25:00"]]},
        {"1": [["09:00"]]},
        {"1": [["09:00", "12:00", "18:00"]]},
        {"1": ["09:00-18:00"]},
        {"1": [[9, 18]]},
        [["09:00", "18:00"]],
    ],
)
def test_opening_hours_of_another_shape_are_refused(hours: object) -> None:
    assert {f.split(".")[0] for f, _ in refused(CustomerUpdate, {"opening_hours": hours})} == {
        "opening_hours"
    }


@pytest.mark.parametrize("zone", ["Tokyo", "asia/tokyo", "UTC+9", "../etc/passwd", "", "Asia/"])
def test_a_time_zone_must_be_an_iana_name(zone: str) -> None:
    assert {f for f, _ in refused(CustomerUpdate, {"time_zone": zone})} == {"time_zone"}
    assert {f for f, _ in refused(RepUpdate, {"time_zone": zone})} == {"time_zone"}


def test_reps_take_working_hours_together_and_in_order() -> None:
    rep = RepCreate.model_validate(
        {"id": "r", "name": "Sato", "depot_lat": 35, "depot_lon": 139, "work_start": "08:30",
         "work_end": "17:00", "work_days": [6, 1, 2], "time_zone": "Asia/Tokyo"}
    )  # fmt: skip
    assert (rep.work_start, rep.work_end, rep.work_days) == (time(8, 30), time(17), [1, 2, 6])
    assert refused(RepUpdate, {"work_start": "08:00"}) == {("", "working_hours")}
    assert refused(RepUpdate, {"work_start": "18:00", "work_end": "09:00"}) == {
        ("", "working_hours")
    }
    for value in ("8:00", "24:00", "08:00:00", "08:00+09:00", 800):
        body = {"work_start": value, "work_end": "18:00"}
        assert ("work_start", "time_of_day") in refused(RepUpdate, body), value
