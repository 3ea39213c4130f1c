"""The rules editor: the auto-approve rules, each said in a sentence and editable;
a new rule; a rule removed. Calls replenishment's rules functions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from restock.api.deps import BlockingConn
from restock.api.pages.page_route import PageRoute
from restock.api.pages.render import redirect, render
from restock.api.pages.session import Posted, Staff
from restock.api.pages.views.rule_form import LABELS, rule_sentence, rule_values
from restock.replenish.orders import rules

router = APIRouter(prefix="/ui", include_in_schema=False, route_class=PageRoute)
RuleId = Annotated[int, Path(ge=1, le=2**62)]


@router.get("/rules")
def rules_page(request: Request, conn: BlockingConn, user: Staff) -> Response:
    """Every rule, in words and as a form."""
    found = rules.list_rules(conn)
    return render(
        request, "rules.html", section="rules", rules=found,
        sentences={r.id: rule_sentence(r) for r in found}, labels=LABELS,
    )  # fmt: skip


@router.post("/rules")
def create(request: Request, conn: BlockingConn, user: Staff, form: Posted) -> Response:
    """A new rule."""
    values = rule_values(form.get, checked=lambda name: bool(form.get(name)))
    rule = rules.create_rule(conn, actor=user.actor, **values)
    return redirect(request, "/ui/rules", message=f"Rule {rule.id} “{rule.name}” added")


@router.post("/rules/{rule_id}")
def update(
    request: Request, conn: BlockingConn, user: Staff, form: Posted, rule_id: RuleId
) -> Response:
    """Change a rule."""
    values = rule_values(form.get, checked=lambda name: bool(form.get(name)))
    rule = rules.update_rule(conn, rule_id, actor=user.actor, **values)
    return redirect(request, "/ui/rules", message=f"Rule {rule.id} “{rule.name}” saved")


@router.post("/rules/{rule_id}/delete")
def delete(
    request: Request, conn: BlockingConn, user: Staff, form: Posted, rule_id: RuleId
) -> Response:
    """Remove a rule."""
    rules.delete_rule(conn, rule_id, actor=user.actor)
    return redirect(request, "/ui/rules", message=f"Rule {rule_id} removed")
