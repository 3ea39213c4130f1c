"""`restock replenish` (the job, optionally dispatching triggers), `restock orders`,
`restock approve` / `restock reject`, `restock rules`, `restock routes` and
`restock visit`."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime
from typing import Any

import httpx

from restock.core.clock import SystemClock
from restock.core.db import connect
from restock.core.settings import Settings
from restock.replenish.errors import ReplenishError
from restock.replenish.job import JobConfig, run_replenish_job
from restock.replenish.orders.approval import (
    approve_order,
    cancel_order,
    list_orders,
    reject_order,
    release,
)
from restock.replenish.orders.rules import create_rule, delete_rule, list_rules
from restock.replenish.segments import ReplenishConfig
from restock.replenish.triggers.dispatch import (
    DispatchError,
    MqttPublisher,
    WebhookConfig,
    dispatch_triggers,
    send_webhooks,
)
from restock.replenish.visits.routes import build_route
from restock.replenish.visits.service import record_visit


def _when(text: str | None) -> datetime:
    """An ISO time (Z allowed; naive means UTC), or now."""
    if text is None:
        return SystemClock().now()
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def register(subparsers: Any) -> None:
    cmd = subparsers.add_parser(
        "replenish", help="draft orders, apply auto-approve rules and raise visit triggers"
    )
    cmd.add_argument("--as-of", help="ISO time the job runs as of (default: now)")
    cmd.add_argument("--dispatch", action="store_true", help="publish new triggers over MQTT")
    cmd.add_argument("--webhook", help="also POST new triggers to this URL")
    cmd.set_defaults(func=run_replenish)

    cmd = subparsers.add_parser("orders", help="list orders")
    cmd.add_argument(
        "--status", choices=("draft", "approved", "sent", "delivered", "rejected", "cancelled")
    )
    cmd.add_argument("--customer")
    cmd.set_defaults(func=run_orders)

    decisions = (
        ("approve", "approve a draft"),
        ("reject", "reject a draft, saying why (--reason)"),
        ("cancel", "cancel an approved or sent order, saying why (--reason)"),
    )
    for name, helptext in decisions:
        cmd = subparsers.add_parser(name, help=helptext)
        cmd.add_argument("order_id", type=int)
        cmd.add_argument("--actor", required=True, help="who does it")
        if name != "approve":
            cmd.add_argument("--reason", required=True, help="why")
        cmd.set_defaults(func=run_decide, action=name)

    cmd = subparsers.add_parser(
        "release", help="let a stock point whose order was rejected be drafted again"
    )
    cmd.add_argument("stock_point_id", type=int)
    cmd.add_argument("--actor", required=True, help="who does it")
    cmd.set_defaults(func=run_release)

    cmd = subparsers.add_parser("rules", help="list, add or remove auto-approve rules")
    cmd.add_argument("op", choices=("list", "add", "remove"))
    cmd.add_argument("--id", type=int, help="rule id (remove)")
    cmd.add_argument("--name")
    cmd.add_argument("--segment", choices=("A", "B", "C"))
    cmd.add_argument("--customer")
    cmd.add_argument("--product")
    cmd.add_argument("--max-value", type=float)
    cmd.add_argument("--max-deviation", type=float, help="e.g. 0.5 = within ±50%% of usual")
    cmd.add_argument("--max-interval-ratio", type=float)
    cmd.add_argument("--actor", default="cli")
    cmd.set_defaults(func=run_rules)

    cmd = subparsers.add_parser("routes", help="plan and store a rep's route for a day")
    cmd.add_argument("--rep", required=True)
    cmd.add_argument("--day", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
    cmd.add_argument("--as-of", help="ISO time (default: now)")
    cmd.add_argument("--seconds", type=float, default=1.0, help="solver time limit")
    cmd.set_defaults(func=run_routes)

    cmd = subparsers.add_parser(
        "visit", help="record a visit a rep made (closes that day's planned visit)"
    )
    cmd.add_argument("--rep", required=True)
    cmd.add_argument("--customer", required=True)
    cmd.add_argument("--at", help="ISO time of the visit (default: now)")
    cmd.set_defaults(func=run_visit)


def run_replenish(args: argparse.Namespace) -> int:
    settings = Settings()
    as_of = _when(args.as_of)
    with connect(settings.database_url, autocommit=True) as conn:
        s = run_replenish_job(conn, as_of=as_of, config=JobConfig.from_settings(settings))
        print(
            f"as of {as_of.isoformat()}: {s.stock_points} stock points, {s.drafted} drafted,"
            f" {s.updated} updated, {s.approved} approved by rule, {s.waiting} waiting,"
            f" {s.triggers} new trigger(s)"
        )
        if args.dispatch:
            try:
                with MqttPublisher(
                    host=settings.mqtt_host,
                    port=settings.mqtt_port,
                    username=settings.mqtt_username,
                    password=settings.mqtt_password,
                ) as pub:
                    sent = dispatch_triggers(conn, pub, at=as_of, prefix=settings.mqtt_topic_prefix)
            except (DispatchError, OSError) as exc:
                print(f"error: dispatch: {exc}", file=sys.stderr)
                return 1
            print(f"published {sent} trigger(s)")
        if args.webhook:
            with httpx.Client() as client:
                ok = send_webhooks(conn, client, WebhookConfig(url=args.webhook), at=as_of)
            print(f"webhook accepted {ok} trigger(s)")
    return 0


def run_orders(args: argparse.Namespace) -> int:
    with connect(Settings().database_url, autocommit=True) as conn:
        for o in list_orders(conn, status=args.status, customer_id=args.customer):
            lines = ", ".join(f"{ln.product_id}×{ln.quantity:g}" for ln in o.lines)
            why = f"  waiting: {'; '.join(o.waiting_reasons)}" if o.status == "draft" else ""
            print(
                f"{o.id}\t{o.status}\t{o.customer_id}\t{o.deliver_at.isoformat()}"
                f"\t{o.value:,.0f}\t{lines}{why}"
            )
    return 0


def run_decide(args: argparse.Namespace) -> int:
    at = SystemClock().now()
    with connect(Settings().database_url, autocommit=True) as conn:
        try:
            if args.action == "approve":
                order = approve_order(conn, args.order_id, actor=args.actor, at=at)
            else:
                close = reject_order if args.action == "reject" else cancel_order
                order = close(conn, args.order_id, actor=args.actor, at=at, reason=args.reason)
        except ReplenishError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    print(f"order {order.id} {order.status}")
    return 0


def run_release(args: argparse.Namespace) -> int:
    with connect(Settings().database_url, autocommit=True) as conn:
        held = release(conn, args.stock_point_id, actor=args.actor, at=SystemClock().now())
    print(f"stock point {args.stock_point_id}: {'released' if held else 'was not held'}")
    return 0


def run_rules(args: argparse.Namespace) -> int:
    with connect(Settings().database_url, autocommit=True) as conn:
        try:
            if args.op == "add":
                rule = create_rule(
                    conn,
                    actor=args.actor,
                    name=args.name or "rule",
                    segment=args.segment,
                    customer_id=args.customer,
                    product_id=args.product,
                    max_value=args.max_value,
                    max_deviation=args.max_deviation,
                    max_interval_ratio=args.max_interval_ratio,
                )
                print(f"added rule {rule.id}")
            elif args.op == "remove":
                if args.id is None:
                    print("error: remove needs --id", file=sys.stderr)
                    return 2
                delete_rule(conn, args.id, actor=args.actor)
                print(f"removed rule {args.id}")
            else:
                for r in list_rules(conn):
                    print(r)
        except ReplenishError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    return 0


def run_routes(args: argparse.Namespace) -> int:
    settings = Settings()
    with connect(settings.database_url, autocommit=True) as conn:
        try:
            plan = build_route(
                conn,
                args.rep,
                args.day,
                as_of=_when(args.as_of),
                max_runtime_s=args.seconds,
                config=ReplenishConfig.from_settings(settings),
            )
        except ReplenishError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    for s in plan.stops:
        need = "required" if s.required else "optional"
        print(
            f"{s.seq:>2} {s.arrive_at:%H:%M}-{s.depart_at:%H:%M} {s.customer_id}"
            f" ({need}: {', '.join(s.purposes)})"
        )
    print(f"{plan.distance_km:.1f} km, {plan.duration_minutes:.0f} min")
    if plan.skipped_required:
        print(f"did not fit: {', '.join(plan.skipped_required)}")
    return 0


def run_visit(args: argparse.Namespace) -> int:
    at = _when(args.at)
    with connect(Settings().database_url, autocommit=True) as conn:
        try:
            visit_id = record_visit(conn, args.rep, args.customer, at=at)
        except ReplenishError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    print(f"visit {visit_id}: {args.rep} at {args.customer}, {at.isoformat()}")
    return 0
