"""Read a scenario TOML file into a `Scenario` (format: `scenarios/README.md`).

Validation happens here, once: unknown keys, unknown references and impossible values
raise `ScenarioError` naming the file and the entry.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import fields
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, cast

from restock.simulators.calendar import DEFAULT_HOLIDAY_FACTOR
from restock.simulators.errors import ScenarioError
from restock.simulators.procedural import generate_customers
from restock.simulators.scenario import (
    Customer,
    DemandSpec,
    Faults,
    Product,
    RefillSpec,
    Rep,
    Scenario,
    SensorSpec,
    StockPoint,
)

_DAYS = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7}
_KINDS = ("shop", "restaurant", "clinic", "office", "factory")
_SENSOR_KINDS = ("shelf_weight", "shelf_count", "line_bin")
_PATTERNS = ("smooth", "intermittent", "lumpy")

Table = Mapping[str, Any]


def builtin_scenario(name: str) -> Path:
    """Path of a scenario shipped with restock (`demo`, `food_wholesale`, ...)."""
    path = Path(str(resources.files("restock.simulators").joinpath("scenarios", f"{name}.toml")))
    if not path.exists():
        raise ScenarioError(f"no built-in scenario {name!r}")
    return path


def load_scenario(source: str | Path) -> Scenario:
    """Read a scenario: a path to a TOML file, or the name of a built-in one.

    Raises ScenarioError for a missing file, bad TOML or an invalid entry.
    """
    path = Path(source)
    if not path.exists() and isinstance(source, str) and "/" not in source:
        try:
            path = builtin_scenario(source.removesuffix(".toml"))
        except ScenarioError:
            raise ScenarioError(
                f"scenario file {source} not found, nor a built-in scenario of that name"
            ) from None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ScenarioError(f"scenario file {path} not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from exc
    try:
        return parse_scenario(data)
    except ScenarioError as exc:
        raise ScenarioError(f"{path}: {exc}") from exc


def _check_keys(table: Table, allowed: set[str], where: str) -> None:
    unknown = set(table) - allowed
    if unknown:
        raise ScenarioError(f"{where}: unknown key(s) {sorted(unknown)}; allowed {sorted(allowed)}")


def _kw(
    cls: type, table: Table, where: str, renames: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Keyword arguments for dataclass `cls` from a TOML table (lists become tuples)."""
    names = {f.name for f in fields(cls)}
    renames = renames or {}
    _check_keys(table, names | set(renames), where)
    return {renames.get(k, k): tuple(v) if isinstance(v, list) else v for k, v in table.items()}


def parse_hours(spec: Table, where: str) -> dict[int, tuple[tuple[float, float], ...]]:
    """{"mon": ["09:00-18:00"], ...} → {1: ((9.0, 18.0),), ...}."""
    out: dict[int, tuple[tuple[float, float], ...]] = {}
    for day, spans in spec.items():
        if day not in _DAYS:
            raise ScenarioError(f"{where}: opening_hours day {day!r} is not one of {list(_DAYS)}")
        parsed = []
        for span in spans:
            try:
                a, b = (int(p[:2]) + int(p[3:5]) / 60 for p in str(span).split("-"))
            except ValueError as exc:
                raise ScenarioError(f"{where}: opening span {span!r} is not HH:MM-HH:MM") from exc
            if not 0 <= a < b <= 24:
                raise ScenarioError(f"{where}: opening span {span!r} is empty or out of range")
            parsed.append((a, b))
        out[_DAYS[day]] = tuple(parsed)
    return out


def _customer(t: Table) -> Customer:
    where = f"customer {t.get('id', '?')!r}"
    kw = _kw(Customer, t, where, {"rep": "rep_id", "location": "location"})
    lat, lon = kw.pop("location", (35.68, 139.76))
    kind = kw.get("kind", "shop")
    if kind not in _KINDS:
        raise ScenarioError(f"{where}: kind {kind!r} is not one of {_KINDS}")
    if kw.get("segment") not in ("A", "B", "C"):
        raise ScenarioError(f"{where}: segment must be A, B or C")
    kw["opening_hours"] = parse_hours(t.get("opening_hours", {}), where)
    kw.setdefault("holiday_factor", DEFAULT_HOLIDAY_FACTOR[kind])
    return Customer(lat=float(lat), lon=float(lon), **kw)


def _sensor(t: Table, sp_id: str, capacity: float, product: Product, defaults: Table) -> SensorSpec:
    where = f"sensor of stock point {sp_id!r}"
    merged = {**defaults, **t}
    kind = merged.get("kind", "shelf_count")
    if kind not in _SENSOR_KINDS:
        raise ScenarioError(f"{where}: kind {kind!r} is not one of {_SENSOR_KINDS}")
    renames = {"interval_minutes": "interval_minutes", "jitter_seconds": "jitter_s"}
    kw = _kw(SensorSpec, merged, where, renames)
    kw["interval_s"] = 60.0 * float(kw.pop("interval_minutes", 60))
    kw["kind"] = kind
    kw.setdefault("id", "s-" + sp_id.replace(":", "-"))
    if kind == "shelf_weight":
        if product.unit_weight_g is None:
            raise ScenarioError(
                f"{where}: a shelf_weight sensor needs unit_weight_g on {product.id!r}"
            )
        kw.setdefault("tare", 500.0)
        kw.setdefault("scale", 1.0 / product.unit_weight_g)
        kw.setdefault("noise", 2.0)
    elif kind == "line_bin":
        kw.setdefault("scale", capacity / 100.0)
        kw.setdefault("noise", 0.5)
    else:
        kw.setdefault("noise", 0.01)
    return SensorSpec(**kw)


def _stock_point(t: Table, products: dict[str, Product], defaults: Table) -> StockPoint:
    sp_id = f"{t.get('customer', '?')}:{t.get('product', '?')}"
    where = f"stock point {sp_id!r}"
    allowed = {
        "customer",
        "product",
        "capacity",
        "start_level",
        "sensor",
        "demand",
        "refill",
        "external",
    }
    _check_keys(t, allowed, where)
    if t.get("product") not in products:
        raise ScenarioError(f"{where}: unknown product {t.get('product')!r}")
    capacity = float(t.get("capacity", 0))
    if capacity <= 0:
        raise ScenarioError(f"{where}: capacity must be positive")
    demand = DemandSpec(**_kw(DemandSpec, t.get("demand", {}), f"{where} demand"))
    if demand.pattern not in _PATTERNS or len(demand.weekly) != 7:
        raise ScenarioError(f"{where}: demand pattern must be one of {_PATTERNS}, weekly 7 values")
    external = t.get("external", {})
    _check_keys(external, {"rate_per_month", "fraction"}, f"{where} external")
    return StockPoint(
        customer_id=str(t["customer"]),
        product_id=str(t["product"]),
        capacity=capacity,
        start_level=float(t.get("start_level", 0.8 * capacity)),
        demand=demand,
        sensor=_sensor(t.get("sensor", {}), sp_id, capacity, products[t["product"]], defaults),
        refill=RefillSpec(**_kw(RefillSpec, t.get("refill", {}), f"{where} refill")),
        external_rate_per_month=float(external.get("rate_per_month", 0.0)),
        external_fraction=float(external.get("fraction", 0.3)),
    )


def parse_scenario(data: Table) -> Scenario:
    """Build a Scenario from parsed TOML; raises ScenarioError for invalid content."""
    try:
        return _parse(data)
    except (TypeError, ValueError, KeyError) as exc:  # a missing or mistyped field
        raise ScenarioError(f"invalid scenario: {exc}") from exc


def _parse(data: Table) -> Scenario:
    allowed = {
        "scenario",
        "defaults",
        "faults",
        "reps",
        "products",
        "customers",
        "stock_points",
        "generate",
    }
    _check_keys(data, allowed, "top level")
    head = data.get("scenario", {})
    _check_keys(head, {"name", "description", "start"}, "[scenario]")
    start = head.get("start")
    if isinstance(start, datetime) and start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    reps = tuple(_rep(r) for r in data.get("reps", []))
    products = {
        p["id"]: Product(**_kw(Product, p, f"product {p.get('id')!r}"))
        for p in data.get("products", [])
    }
    customers = [_customer(c) for c in data.get("customers", [])]
    sp_tables = list(data.get("stock_points", []))
    if "generate" in data:
        more_customers, more_points = generate_customers(
            cast(Table, data["generate"]), list(products.values()), [r.id for r in reps]
        )
        customers += [_customer(c) for c in more_customers]
        sp_tables += more_points
    defaults = data.get("defaults", {}).get("sensor", {})
    points = tuple(_stock_point(t, products, defaults) for t in sp_tables)
    _check_references(customers, reps, points)
    return Scenario(
        name=str(head.get("name", "unnamed")),
        description=str(head.get("description", "")),
        start=start if isinstance(start, datetime) else None,
        reps=reps,
        customers=tuple(customers),
        products=tuple(products.values()),
        stock_points=points,
        faults=Faults(**_kw(Faults, data.get("faults", {}), "[faults]")),
    )


def _rep(t: Table) -> Rep:
    kw = _kw(Rep, t, f"rep {t.get('id')!r}", {"depot": "depot"})
    lat, lon = kw.pop("depot", (35.68, 139.76))
    return Rep(depot_lat=float(lat), depot_lon=float(lon), **kw)


def _check_references(
    customers: list[Customer], reps: tuple[Rep, ...], points: tuple[StockPoint, ...]
) -> None:
    rep_ids = {r.id for r in reps}
    customer_ids = [c.id for c in customers]
    if len(set(customer_ids)) != len(customer_ids):
        raise ScenarioError("customer ids repeat")
    for c in customers:
        if c.rep_id is not None and c.rep_id not in rep_ids:
            raise ScenarioError(f"customer {c.id!r}: unknown rep {c.rep_id!r}")
    seen: set[str] = set()
    sensors: set[str] = set()
    for sp in points:
        if sp.customer_id not in customer_ids:
            raise ScenarioError(f"stock point {sp.series_id!r}: unknown customer")
        if sp.series_id in seen or sp.sensor.id in sensors:
            raise ScenarioError(f"stock point {sp.series_id!r} or its sensor id repeats")
        seen.add(sp.series_id)
        sensors.add(sp.sensor.id)
