"""How responses are written: the hot lists' JSON, and the views of replenishment's
orders and routes in the API's time convention (restock.api.schemas.times).

`RowsResponse` serves rows the SQL already shapes like the documented model, serialized
once by orjson: returning a Response makes FastAPI skip validating and re-serializing
the value through the route's `response_model`, which stays on the route for the
OpenAPI document. orjson writes what pydantic would for the rows given: the API's own
connections run in UTC (restock.api.deps.in_utc), so instants come out in UTC ending in `Z`,
and a local business time arrives already in its zone (`in_zone`), written with that
zone's offset. NaN and infinities are null.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import orjson
from fastapi.responses import Response

from restock.api.queries.zones import BlockingConn, customer_time_zone, rep_time_zone
from restock.api.schemas.replenish import Order, Route
from restock.replenish import model
from restock.replenish.visits.routing import RoutePlan


class RowsResponse(Response):
    """`RowsResponse(rows)`: dicts, lists, str, numbers, bools, None, aware datetimes."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_UTC_Z)


def order_response(conn: BlockingConn, order: model.Order) -> Order:
    """The order as the API shows it: its delivery in the customer's time zone."""
    time_zone = customer_time_zone(conn, order.customer_id)
    return Order.model_validate({**dataclasses.asdict(order), "time_zone": time_zone})


def route_response(conn: BlockingConn, plan: RoutePlan) -> Route:
    """The route as the API shows it: its times in the rep's time zone."""
    time_zone = rep_time_zone(conn, plan.rep_id)
    return Route.model_validate({**dataclasses.asdict(plan), "time_zone": time_zone})
