"""A JSON response for the hot read endpoints: rows the SQL already shapes like the
documented model, serialized once by orjson.

Returning a Response makes FastAPI skip validating and re-serializing the value through
the route's `response_model`, which stays on the route for the OpenAPI document. orjson
writes what pydantic would: UTC datetimes end in `Z`, NaN and infinities are null.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.responses import Response


class RowsResponse(Response):
    """`RowsResponse(rows)`: dicts, lists, str, numbers, bools, None, datetimes."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_UTC_Z)
