"""Pydantic models at the HTTP boundary: what requests carry and responses return."""
