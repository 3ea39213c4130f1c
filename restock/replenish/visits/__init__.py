"""Visits: a rep at a customer on a day — planned, routed, made. The visit log (check-in,
check-out, outcome, notes, next action) and the visit brief that says why a visit is
worth making."""
