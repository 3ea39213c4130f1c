"""The API's views of replenishment's orders, triggers and routes restate the domain's
dataclasses field for field (plus the `time_zone` their local times are in): a field
added to the domain and not to its view would silently vanish from the responses."""

from __future__ import annotations

import dataclasses

import pytest
from pydantic import BaseModel

from restock.api.schemas import replenish as views
from restock.replenish import model
from restock.replenish.visits.routing import PlannedStop, RoutePlan
from restock.replenish.visits.visit_log import VisitEntry

PAIRS = [
    (views.Order, model.Order),
    (views.OrderLine, model.OrderLine),
    (views.AuditEvent, model.AuditEvent),
    (views.Hold, model.Hold),
    (views.Trigger, model.Trigger),
    (views.VisitEntry, VisitEntry),
    (views.Route, RoutePlan),
    (views.RouteStop, PlannedStop),
]


@pytest.mark.parametrize(("view", "domain"), PAIRS, ids=[v.__name__ for v, _ in PAIRS])
def test_each_view_shows_every_field_of_its_domain_type(
    view: type[BaseModel], domain: type[object]
) -> None:
    shown = set(view.model_fields) - {"time_zone"}
    assert shown == {f.name for f in dataclasses.fields(domain)}  # type: ignore[arg-type]
