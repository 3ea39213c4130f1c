"""What a customer's segment sets: service-level target, visit cadence, whether a
relationship visit is due every cadence, and the weight of its triggers. Segments are
named in Settings (A/B/C by default), never in code."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from restock.core.settings import Settings


@dataclass(frozen=True, slots=True, kw_only=True)
class SegmentPolicy:
    """service_level: target P(no stockout before the next possible delivery);
    cadence_days: the regular visit interval when the customer sets none; keeps_cadence:
    a visit is due every cadence even with nothing to deliver (a relationship visit);
    priority: what the segment adds to its triggers' priority."""

    service_level: float
    cadence_days: int
    keeps_cadence: bool = False
    priority: int = 0

    def __post_init__(self) -> None:
        if not 0.0 < self.service_level < 1.0:
            raise ValueError(f"service level must be in (0, 1), got {self.service_level}")
        if self.cadence_days <= 0:
            raise ValueError(f"cadence must be positive, got {self.cadence_days}")

    @property
    def risk(self) -> float:
        """The stockout probability above which a line is reordered."""
        return 1.0 - self.service_level


def segments_from(settings: Settings) -> Mapping[str, SegmentPolicy]:
    """The segments `settings` name; raises ValueError when the per-segment settings
    name different segments, or a value is out of range."""
    levels, cadences = settings.replenish_service_levels, settings.replenish_cadence_days
    priority, keep = settings.replenish_segment_priority, settings.replenish_cadence_segments
    if set(levels) != set(cadences):
        raise ValueError(
            f"replenish_service_levels has segments {sorted(levels)} but"
            f" replenish_cadence_days has {sorted(cadences)}"
        )
    named = {"replenish_segment_priority": set(priority), "replenish_cadence_segments": set(keep)}
    unknown = set().union(*(v for k, v in named.items() if k in settings.model_fields_set))
    unknown -= set(levels)  # the defaults may name segments a configuration has dropped
    if unknown:
        raise ValueError(
            f"replenish_segment_priority / replenish_cadence_segments name {sorted(unknown)},"
            f" which replenish_service_levels does not"
        )
    return MappingProxyType(
        {
            name: SegmentPolicy(
                service_level=levels[name],
                cadence_days=cadences[name],
                keeps_cadence=name in keep,
                priority=priority.get(name, 0),
            )
            for name in levels
        }
    )


DEFAULT_SEGMENTS: Mapping[str, SegmentPolicy] = segments_from(Settings.model_construct())


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplenishConfig:
    """Tuning of the replenishment policy (`from_settings` reads it from `Settings`).

    review_hours: how often the job runs; an order not placed now is placed at the next
    run at the earliest. consolidate_hours: how far past the review after a delivery
    the customer's next trip is looked for; lines that cannot last until that trip ride
    on the delivery (see consolidate.plan_customer). pull_forward_hours: a line due within
    this long after an already planned visit is delivered on that visit.
    min_order_fraction: a line at risk whose order would fill less than this share of
    its target waits, unless its median stockout is near (see consolidate.worth_a_trip).
    """

    segments: Mapping[str, SegmentPolicy] = field(default_factory=lambda: DEFAULT_SEGMENTS)
    review_hours: float = 24.0
    consolidate_hours: float = 144.0
    pull_forward_hours: float = 120.0
    min_order_fraction: float = 0.35

    @classmethod
    def from_settings(cls, settings: Settings) -> ReplenishConfig:
        """The policy `settings` configure; raises ValueError as segments_from does."""
        return cls(
            segments=segments_from(settings),
            review_hours=settings.replenish_review_hours,
            consolidate_hours=settings.replenish_consolidate_hours,
            pull_forward_hours=settings.replenish_pull_forward_hours,
            min_order_fraction=settings.replenish_min_order_fraction,
        )

    def segment(self, name: str) -> SegmentPolicy:
        """The policy of segment `name`; raises KeyError naming it."""
        try:
            return self.segments[name]
        except KeyError:
            raise KeyError(f"no policy for segment {name!r}") from None

    def service_level(self, segment: str, override: float | None) -> float:
        """A stock point's own service level if set, else its customer's segment's."""
        return override if override is not None else self.segment(segment).service_level

    def cadence_days(self, segment: str, override: int | None) -> int:
        """A customer's own cadence if set, else its segment's."""
        return override if override is not None else self.segment(segment).cadence_days
