"""The routing rules (lambdakit.core.routing) the event loop and the kernel share."""

from hypothesis import given, settings
from hypothesis import strategies as st

from lambdakit.core.routing import (
    ROUTE_COLD,
    ROUTE_LIMIT,
    ROUTE_PROVISIONED,
    ROUTE_RATE,
    ROUTE_WARM,
    IdleSet,
    idle_pop,
    passed_over,
    route,
)


def _set(newest, entries):
    s = IdleSet(newest)
    for e, expires in entries:
        s.push(e, expires)
    return s


@settings(max_examples=60, deadline=None)
@given(st.booleans(), st.lists(st.integers(0, 500), unique=True, max_size=40))
def test_pops_follow_routing_order(newest, ids):
    s = _set(newest, [(e, 1.0) for e in ids])
    expected = [e for e, _ in s.entries_in_order()]
    got = []
    while s.n:
        e, _, s.n = idle_pop(s.ids, s.exp, s.n, newest)
        got.append(e)
    assert got == expected
    assert got == (sorted(ids, reverse=True) if newest else ids[::-1])


def test_concurrency_limit_comes_before_everything():
    s = _set(False, [(1, 100.0)])
    ring = [0.0] * 3
    assert route(0.0, 5, 5, 1, s.ids, s.exp, s.n, False, ring, 0, 0, 10.0, 3)[0] == ROUTE_LIMIT


def test_provisioned_before_warm_then_warm_before_cold():
    s = _set(False, [(1, 100.0)])
    ring = [0.0] * 3
    assert route(0.0, 0, 5, 1, s.ids, s.exp, s.n, False, ring, 0, 0, 10.0, 3)[0] \
        == ROUTE_PROVISIONED
    decision, env, n, expired, _, ring_n = route(0.0, 0, 5, 0, s.ids, s.exp, s.n, False,
                                                 ring, 0, 0, 10.0, 3)
    assert (decision, env, n, expired, ring_n) == (ROUTE_WARM, 1, 0, 0, 0)


def test_expired_environments_are_passed_over_and_reported():
    s = _set(False, [(1, 10.0), (2, 90.0), (3, 20.0), (4, 30.0)])  # 4 is the most recent
    ring = [0.0] * 3
    decision, env, n, expired, _, _ = route(50.0, 0, 9, 0, s.ids, s.exp, s.n, False, ring, 0,
                                            0, 10.0, 3)
    assert (decision, env, expired) == (ROUTE_WARM, 2, 2)
    lo, hi = passed_over(n, decision, expired)
    assert sorted(zip(s.ids[lo:hi], s.exp[lo:hi], strict=True)) == [(3, 20.0), (4, 30.0)]


def test_scaling_rate_throttles_cold_starts_within_the_window():
    ring = [0.0] * 2
    s = IdleSet(False)
    head, n = 0, 0
    decisions = []
    for t in (0.0, 1.0, 2.0, 10.5):
        d, _, _, _, head, n = route(t, 0, 99, 0, s.ids, s.exp, 0, False, ring, head, n, 10.0, 2)
        decisions.append(d)
    assert decisions == [ROUTE_COLD, ROUTE_COLD, ROUTE_RATE, ROUTE_COLD]
