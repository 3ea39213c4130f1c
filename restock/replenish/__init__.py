"""Replenishment: forecasts → visits, draft orders, visit triggers and routes.

- `model`: the decision layer's types; `lifecycle`: the states and transitions of
  orders, visits and triggers (pure).
- `policy`, `segments`, `rounding`: per stock point risk and quantities (pure).
- `orders/`: drafting (`consolidate`, `drafts`), planner actions (`approval`),
  auto-approve rules, delivery reconciliation; SQL in `orders/queries`.
- `visits/`: planned visits and daily routes (`routing` with PyVRP, `routes` stored);
  SQL in `visits/queries`.
- `triggers/`: detection (pure), the service reps act on, dispatch over MQTT/webhook;
  SQL in `triggers/queries`.
- `job`: the replenishment run that ties them together.
"""
