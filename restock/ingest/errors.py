"""Why ingest refused a message. Every refusal is kept in `rejected_messages`."""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    BAD_TOPIC = "bad_topic"
    OVERSIZE = "oversize_payload"
    MALFORMED_JSON = "malformed_json"
    WRONG_TYPE = "wrong_type"
    MISSING_FIELD = "missing_field"
    BAD_TIMESTAMP = "bad_timestamp"
    NOT_FINITE = "not_finite"
    NEGATIVE_VALUE = "negative_value"
    ABSURD_VALUE = "absurd_value"
    FUTURE_TIMESTAMP = "future_timestamp"
    BEFORE_INSTALLED = "before_installed"
    UNKNOWN_SENSOR = "unknown_sensor"
    DISABLED_SENSOR = "disabled_sensor"
    BAD_STATUS = "bad_status"
    WRITE_FAILED = "write_failed"
