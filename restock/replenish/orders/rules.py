"""Auto-approve rules CRUD for planners: plain functions of a connection and the actor
(SQL in orders.queries). Raises RuleNotFound, InvalidRule."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import fields, replace
from typing import Any

import psycopg

from restock.core.db import Conn
from restock.replenish.errors import InvalidRule, RuleNotFound
from restock.replenish.orders import queries
from restock.replenish.orders.auto_approve import Rule
from restock.replenish.segments import DEFAULT_SEGMENTS

EDITABLE = tuple(f.name for f in fields(Rule) if f.name != "id")


def list_rules(conn: Conn, *, enabled_only: bool = False) -> list[Rule]:
    """Every rule (or only enabled ones), by id."""
    return queries.rules(conn, enabled_only=enabled_only)


def get_rule(conn: Conn, rule_id: int) -> Rule:
    """Raises RuleNotFound."""
    found = queries.rule(conn, rule_id)
    if found is None:
        raise RuleNotFound(rule_id)
    return found


def _validate(rule: Rule, segments: Collection[str]) -> None:
    if not rule.name.strip():
        raise InvalidRule("rule name must not be empty")
    if rule.segment is not None and rule.segment not in segments:
        raise InvalidRule(f"segment must be one of {', '.join(sorted(segments))},"
                          f" got {rule.segment!r}")  # fmt: skip
    for name in ("max_value", "max_deviation", "max_interval_ratio"):
        value = getattr(rule, name)
        if value is not None and value < 0:
            raise InvalidRule(f"{name} must not be negative, got {value}")
    if not 0 <= rule.min_battery <= 1:
        raise InvalidRule(f"min_battery must be in 0..1, got {rule.min_battery}")


def _write(conn: Conn, rule: Rule, *, rule_id: int | None, actor: str) -> int:
    values = {name: getattr(rule, name) for name in EDITABLE}
    try:
        if rule_id is None:
            return queries.insert_rule(conn, values, actor=actor)
        queries.update_rule(conn, rule_id, values)
        return rule_id
    except psycopg.errors.ForeignKeyViolation as exc:
        raise InvalidRule(f"unknown customer or product: {exc.diag.message_detail}") from exc
    except psycopg.errors.CheckViolation as exc:
        raise InvalidRule(f"rule rejected: {exc.diag.message_primary}") from exc


def create_rule(
    conn: Conn, *, actor: str, segments: Collection[str] = DEFAULT_SEGMENTS, **values: Any
) -> Rule:
    """A new rule from keyword values (see auto_approve.Rule); its segment, if any,
    one of `segments`. Raises InvalidRule."""
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise InvalidRule(f"unknown rule field(s): {', '.join(sorted(unknown))}")
    rule = Rule(id=0, **values)
    _validate(rule, segments)
    return get_rule(conn, _write(conn, rule, rule_id=None, actor=actor))


def update_rule(
    conn: Conn,
    rule_id: int,
    *,
    actor: str,
    segments: Collection[str] = DEFAULT_SEGMENTS,
    **changes: Any,
) -> Rule:
    """Change some fields of a rule. Raises RuleNotFound, InvalidRule."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidRule(f"unknown rule field(s): {', '.join(sorted(unknown))}")
    rule = replace(get_rule(conn, rule_id), **changes)
    _validate(rule, segments)
    _write(conn, rule, rule_id=rule_id, actor=actor)
    return get_rule(conn, rule_id)


def delete_rule(conn: Conn, rule_id: int, *, actor: str) -> None:
    """Remove a rule. Raises RuleNotFound."""
    if not queries.delete_rule(conn, rule_id):
        raise RuleNotFound(rule_id)
