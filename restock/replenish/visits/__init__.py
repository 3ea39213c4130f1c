"""Visits: a rep at a customer on a day — planned, routed, made."""
