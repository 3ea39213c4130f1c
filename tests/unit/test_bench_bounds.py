"""The closed-loop benchmark's lower bound on visits: exact on hand-made needs, and
optimal (against brute force) when demand may go unserved."""

from __future__ import annotations

import itertools
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.closed_loop import ShelfNeed, visits_needed


def need(customer: str, units: float, per_delivery: float, segment: str = "B") -> ShelfNeed:
    return ShelfNeed(customer_id=customer, segment=segment, units=units, per_delivery=per_delivery)


def test_each_customer_is_visited_as_often_as_its_busiest_shelf_needs() -> None:
    needs = [need("x", 25, 10), need("x", 5, 10), need("y", 10, 10), need("z", 0, 6)]
    assert visits_needed(needs) == 3 + 1 + 0


def test_a_visit_is_saved_when_the_allowance_covers_what_its_shelves_then_miss() -> None:
    needs = [need("x", 25, 10), need("x", 22, 20)]  # 3 visits; 2 miss 5 + 0 units
    assert visits_needed(needs, lost=4.9) == 3
    assert visits_needed(needs, lost=5) == 2
    assert visits_needed(needs, lost=5 + 10 + 2) == 1  # 1 visit misses 15 + 2


def test_the_a_allowance_bounds_what_a_customers_may_miss() -> None:
    needs = [need("a", 25, 10, "A"), need("c", 28, 10, "C")]  # 3 + 3; savings cost 5, 8
    assert visits_needed(needs, lost=5, lost_a=4) == 6
    assert visits_needed(needs, lost=5, lost_a=5) == 5
    assert visits_needed(needs, lost=13, lost_a=4) == 5  # only c's saving is allowed
    assert visits_needed(needs, lost=13, lost_a=5) == 4


def brute_force(needs: list[ShelfNeed], lost: float, lost_a: float) -> int:
    customers = sorted({n.customer_id for n in needs})
    shelves = {c: [n for n in needs if n.customer_id == c] for c in customers}
    most = {
        c: max(math.ceil(n.units / n.per_delivery - 1e-9) for n in shelves[c]) for c in customers
    }
    best = sum(most.values())
    for ks in itertools.product(*(range(most[c] + 1) for c in customers)):
        missed = {
            c: sum(max(n.units - k * n.per_delivery, 0.0) for n in shelves[c])
            for c, k in zip(customers, ks, strict=True)
        }
        missed_a = sum(m for c, m in missed.items() if shelves[c][0].segment == "A")
        if sum(missed.values()) <= lost + 1e-9 and missed_a <= lost_a + 1e-9:
            best = min(best, sum(ks))
    return best


shelf = st.tuples(st.sampled_from("pqr"), st.integers(0, 40), st.sampled_from([4, 6, 10, 12])).map(
    lambda t: need(t[0], t[1], t[2], "A" if t[0] == "p" else "C")
)


@settings(max_examples=200, deadline=None)
@given(st.lists(shelf, min_size=1, max_size=6), st.integers(0, 60), st.integers(0, 60))
def test_the_allowance_is_spent_where_it_saves_most_visits(
    needs: list[ShelfNeed], lost: int, lost_a: int
) -> None:
    assert visits_needed(needs, lost=lost, lost_a=lost_a) == brute_force(needs, lost, lost_a)
