"""One router per resource. Each carries the full `/v1/...` prefix itself, so the route
a request matched names its whole path template (metrics label requests by it)."""

V1 = "/v1"
