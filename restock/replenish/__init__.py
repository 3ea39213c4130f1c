"""Replenishment: forecasts → draft orders (policy), approval and audit, visit triggers
and their dispatch, daily routes per rep.

Pure core: `segments`, `policy`, `rounding`, `consolidate`, `auto_approve`, `reconcile`,
`triggers`, `routes` (planning). Adapters: `queries` (SQL), `orders`, `approval`,
`job`, `dispatch`. Service functions for the API live in `approval` and `triggers_service`.
"""
