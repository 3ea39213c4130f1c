"""Visits: what a rep does at a customer — the visit log (check-in, check-out, outcome,
notes, next action) and the visit brief that says why the visit is worth making."""
