"""Orders: drafting from the policy, planner and rule approval, delivery reconciliation."""
