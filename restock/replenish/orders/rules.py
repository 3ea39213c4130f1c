"""Auto-approve rules CRUD for planners: plain functions of a connection and the actor.
Raises RuleNotFound, InvalidRule."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

import psycopg

from restock.replenish.errors import InvalidRule, RuleNotFound
from restock.replenish.orders.auto_approve import Rule
from restock.replenish.orders.queries import Conn

_COLUMNS = (
    "id, name, segment, customer_id, product_id, max_value::float8, max_deviation,"
    " max_interval_ratio, require_healthy_sensor, min_battery, max_silence_hours, enabled"
)
EDITABLE = tuple(f.name for f in fields(Rule) if f.name != "id")


def _rule(row: Any) -> Rule:
    return Rule(
        id=int(row[0]),
        name=row[1],
        segment=row[2],
        customer_id=row[3],
        product_id=row[4],
        max_value=row[5],
        max_deviation=row[6],
        max_interval_ratio=row[7],
        require_healthy_sensor=bool(row[8]),
        min_battery=float(row[9]),
        max_silence_hours=float(row[10]),
        enabled=bool(row[11]),
    )


def list_rules(conn: Conn, *, enabled_only: bool = False) -> list[Rule]:
    """Every rule (or only enabled ones), by id."""
    where = " WHERE enabled" if enabled_only else ""
    rows = conn.execute(f"SELECT {_COLUMNS} FROM auto_approve_rules{where} ORDER BY id")
    return [_rule(r) for r in rows.fetchall()]


def get_rule(conn: Conn, rule_id: int) -> Rule:
    """Raises RuleNotFound."""
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM auto_approve_rules WHERE id = %s", (rule_id,)
    ).fetchone()
    if row is None:
        raise RuleNotFound(rule_id)
    return _rule(row)


def _validate(rule: Rule) -> None:
    if not rule.name.strip():
        raise InvalidRule("rule name must not be empty")
    if rule.segment not in (None, "A", "B", "C"):
        raise InvalidRule(f"segment must be A, B or C, got {rule.segment!r}")
    for name in ("max_value", "max_deviation", "max_interval_ratio"):
        value = getattr(rule, name)
        if value is not None and value < 0:
            raise InvalidRule(f"{name} must not be negative, got {value}")
    if not 0 <= rule.min_battery <= 1:
        raise InvalidRule(f"min_battery must be in 0..1, got {rule.min_battery}")


def _write(conn: Conn, sql: str, params: tuple[Any, ...]) -> Any:
    try:
        return conn.execute(sql, params).fetchone()
    except psycopg.errors.ForeignKeyViolation as exc:
        raise InvalidRule(f"unknown customer or product: {exc.diag.message_detail}") from exc
    except psycopg.errors.CheckViolation as exc:
        raise InvalidRule(f"rule rejected: {exc.diag.message_primary}") from exc


def create_rule(conn: Conn, *, actor: str, **values: Any) -> Rule:
    """A new rule from keyword values (see auto_approve.Rule). Raises InvalidRule."""
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise InvalidRule(f"unknown rule field(s): {', '.join(sorted(unknown))}")
    rule = Rule(id=0, **values)
    _validate(rule)
    params = tuple(getattr(rule, name) for name in EDITABLE)
    row = _write(
        conn,
        f"INSERT INTO auto_approve_rules ({', '.join(EDITABLE)}, created_by)"
        f" VALUES ({', '.join(['%s'] * len(EDITABLE))}, %s) RETURNING id",
        (*params, actor),
    )
    return get_rule(conn, int(row[0]))


def update_rule(conn: Conn, rule_id: int, *, actor: str, **changes: Any) -> Rule:
    """Change some fields of a rule. Raises RuleNotFound, InvalidRule."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidRule(f"unknown rule field(s): {', '.join(sorted(unknown))}")
    rule = replace(get_rule(conn, rule_id), **changes)
    _validate(rule)
    sets = ", ".join(f"{name} = %s" for name in EDITABLE)
    _write(
        conn,
        f"UPDATE auto_approve_rules SET {sets} WHERE id = %s RETURNING id",
        (*(getattr(rule, name) for name in EDITABLE), rule_id),
    )
    return get_rule(conn, rule_id)


def delete_rule(conn: Conn, rule_id: int, *, actor: str) -> None:
    """Remove a rule. Raises RuleNotFound."""
    if conn.execute("DELETE FROM auto_approve_rules WHERE id = %s", (rule_id,)).rowcount == 0:
        raise RuleNotFound(rule_id)
