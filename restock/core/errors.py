"""Errors shared across restock."""

from __future__ import annotations


class RestockError(Exception):
    """Base class for restock's own errors."""


class MigrationError(RestockError):
    """A migration file is malformed or failed to apply."""
