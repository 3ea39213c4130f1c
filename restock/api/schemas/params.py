"""Path and query parameter types, parsed strictly from their text.

FastAPI hands parameters over as strings and pydantic's lax parsing would read `1.0`
as the integer 1, `yes`/`1`/`on` as true, `0.5` or `0` as a date-time or a date (epoch
seconds): here an integer is digits, a boolean is `true` or `false`, and date-times and
dates are ISO 8601 (restock.api.schemas.times: `OffsetDateTime`, `Day`).
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

_DIGITS = re.compile(r"-?[0-9]{1,20}", re.ASCII)


def _integer(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return int(value)
    raise PydanticCustomError("int_text", "must be an integer written in digits")


def _boolean(value: object) -> object:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise PydanticCustomError("bool_text", "must be true or false")


IntParam = Annotated[int, BeforeValidator(_integer)]
BoolParam = Annotated[bool, BeforeValidator(_boolean)]
BigIdPath = Annotated[IntParam, Field(ge=1, le=2**62)]
