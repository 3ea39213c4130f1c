"""Errors raised by the simulators."""

from __future__ import annotations

from restock.core.errors import RestockError


class SimulationError(RestockError):
    """Base class for simulator errors."""


class ScenarioError(SimulationError):
    """A scenario file is malformed; the message names the file and the offending entry."""


class HorizonError(SimulationError):
    """The world was asked to step outside the horizon it was created for."""
