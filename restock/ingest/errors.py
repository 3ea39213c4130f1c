"""Why ingest refused a message, and the one failure it cannot absorb.

Every refusal is kept in `rejected_messages`."""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    BAD_TOPIC = "bad_topic"
    OVERSIZE = "oversize_payload"
    TOO_MANY_ELEMENTS = "too_many_elements"
    TOO_MANY_BAD_ELEMENTS = "too_many_bad_elements"
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
    CONFLICTING_VALUE = "conflicting_value"
    WRITE_FAILED = "write_failed"
    INTERNAL_ERROR = "internal_error"


class CannotKeepError(Exception):
    """The database refused even to keep a message in `rejected_messages`.

    Nothing about one message explains that (the table is gone, its permissions or
    constraints changed), so the message stays unacknowledged and the worker stops:
    a supervisor restarts it and the broker delivers the message again.
    """

    def __init__(self, topic: str, cause: BaseException) -> None:
        super().__init__(f"could not keep a message from {topic} in rejected_messages: {cause}")
        self.topic = topic
