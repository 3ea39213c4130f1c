"""Errors raised by restock.forecast; each names the series, file line or model it is about."""

from __future__ import annotations

from restock.core.errors import RestockError


class ForecastError(RestockError):
    """Base class for forecasting errors."""


class BadLevelsError(ForecastError):
    """A levels input (CSV row, series) is malformed.

    `line` is the 1-based line number in the file when the input came from one.
    """

    def __init__(self, message: str, *, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


class UnknownModelError(ForecastError):
    """A model name that is not registered."""

    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        super().__init__(f"unknown forecast model {name!r}; known: {', '.join(known)}")


class ModelFailedError(ForecastError):
    """A model could not produce a forecast for one series (its fallback is tried next)."""
