"""Auto-approve rules: planners and admins list, create, change and delete them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from restock.api.deps import BlockingConn, Staff
from restock.api.errors import AUTH_RESPONSES, NOT_FOUND
from restock.api.routes import V1
from restock.api.schemas.params import BigIdPath
from restock.api.schemas.replenish import RuleCreate, RuleUpdate
from restock.replenish.orders import auto_approve, rules
from restock.replenish.orders.auto_approve import Rule

router = APIRouter(prefix=V1 + "/auto-approve-rules", tags=["auto-approve rules"],
                   responses=AUTH_RESPONSES)  # fmt: skip

RuleId = Annotated[BigIdPath, Path(description="Rule id")]


@router.get("", response_model=list[Rule])
def list_rules(conn: BlockingConn, _: Staff) -> list[auto_approve.Rule]:
    """Every rule, by id."""
    return rules.list_rules(conn)


@router.get("/{rule_id}", response_model=Rule, responses=NOT_FOUND)
def get_rule(conn: BlockingConn, _: Staff, rule_id: RuleId) -> auto_approve.Rule:
    """One rule."""
    return rules.get_rule(conn, rule_id)


@router.post("", response_model=Rule, status_code=201)
def create_rule(conn: BlockingConn, caller: Staff, body: RuleCreate) -> auto_approve.Rule:
    """Create a rule: scope (segment/customer/product) and the checks an order must pass."""
    return rules.create_rule(conn, actor=caller.actor, **body.model_dump(exclude_none=True))


@router.patch("/{rule_id}", response_model=Rule, responses=NOT_FOUND)
def update_rule(
    conn: BlockingConn, caller: Staff, rule_id: RuleId, body: RuleUpdate
) -> auto_approve.Rule:
    """Change some of a rule's fields."""
    return rules.update_rule(
        conn, rule_id, actor=caller.actor, **body.model_dump(exclude_unset=True)
    )


@router.delete("/{rule_id}", status_code=204, responses=NOT_FOUND)
def delete_rule(conn: BlockingConn, caller: Staff, rule_id: RuleId) -> None:
    """Delete a rule."""
    rules.delete_rule(conn, rule_id, actor=caller.actor)
