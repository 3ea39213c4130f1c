"""Errors raised by replenishment; each names the order, rule, trigger or route concerned."""

from __future__ import annotations


class ReplenishError(Exception):
    """Base of every replenishment error."""


class OrderNotFound(ReplenishError):
    def __init__(self, order_id: int) -> None:
        super().__init__(f"order {order_id} does not exist")
        self.order_id = order_id


class OrderLineNotFound(ReplenishError):
    def __init__(self, order_id: int, stock_point_id: int) -> None:
        super().__init__(f"order {order_id} has no line for stock point {stock_point_id}")
        self.order_id = order_id
        self.stock_point_id = stock_point_id


class InvalidTransition(ReplenishError):
    """`action` is not allowed on an order, visit or trigger in `status`."""

    def __init__(self, entity: str, entity_id: int, status: str, action: str) -> None:
        super().__init__(f"{entity} {entity_id} is {status}: cannot {action} it")
        self.entity = entity
        self.entity_id = entity_id
        self.status = status
        self.action = action


class NotAllowedYet(ReplenishError):
    """An action the lifecycle allows, refused by a rule of the domain (the message says
    which): e.g. approving an order with nothing to deliver."""


class InvalidQuantity(ReplenishError):
    def __init__(self, order_id: int, stock_point_id: int, reason: str) -> None:
        super().__init__(f"order {order_id}, stock point {stock_point_id}: {reason}")
        self.order_id = order_id
        self.stock_point_id = stock_point_id


class MissingReason(ReplenishError):
    """A rejection or cancellation without a reason; the message names the order."""


class RuleNotFound(ReplenishError):
    def __init__(self, rule_id: int) -> None:
        super().__init__(f"auto-approve rule {rule_id} does not exist")
        self.rule_id = rule_id


class InvalidRule(ReplenishError):
    """A rule with a bad scope or threshold; the message says which field."""


class TriggerNotFound(ReplenishError):
    def __init__(self, trigger_id: int) -> None:
        super().__init__(f"visit trigger {trigger_id} does not exist")
        self.trigger_id = trigger_id


class VisitNotFound(ReplenishError):
    def __init__(self, visit_id: int) -> None:
        super().__init__(f"visit {visit_id} does not exist")
        self.visit_id = visit_id


class RouteNotFound(ReplenishError):
    def __init__(self, rep_id: str, day: str) -> None:
        super().__init__(f"no route for rep {rep_id!r} on {day}")
        self.rep_id = rep_id
        self.day = day


class RepDayOff(ReplenishError):
    def __init__(self, rep_id: str, why: str) -> None:
        super().__init__(f"rep {rep_id!r} does not work that day: {why}")
        self.rep_id = rep_id


class RepNotFound(ReplenishError):
    def __init__(self, rep_id: str) -> None:
        super().__init__(f"rep {rep_id!r} does not exist")
        self.rep_id = rep_id


class CustomerNotFound(ReplenishError):
    def __init__(self, customer_id: str, rep_id: str) -> None:
        super().__init__(f"{customer_id!r} is not a customer of rep {rep_id!r}")
        self.customer_id = customer_id
        self.rep_id = rep_id
