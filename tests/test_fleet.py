"""Tests for lambdakit.models.fleet: the always-on fleet simulator and its comparison with
Lambda."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lambdakit import Burst, Constant, Fixed, LogNormal, Poisson, Replay, Steps, pricing
from lambdakit.models.fleet import (
    EXAMPLE_HOURLY_PRICE,
    SECONDS_PER_MONTH,
    Autoscaling,
    Fleet,
    FunctionSpec,
    compare,
    cost_curve,
)


def _run(fleet: Fleet, times: tuple[float, ...], duration_s: float = 10.0):
    return fleet.run(Replay(times), duration_s)


# --- queueing ------------------------------------------------------------------------------


def test_one_slot_serves_first_come_first_served() -> None:
    run = _run(Fleet(servers=1, concurrency=1, service=Fixed(1000)), (0.0, 0.0, 0.5))
    assert run.start_s.tolist() == [0.0, 1.0, 2.0]
    assert run.end_s.tolist() == [1.0, 2.0, 3.0]
    assert run.latency_ms.tolist() == [1000.0, 2000.0, 2500.0]
    queued_t, queued = run.queue_series()
    assert queued.max() == 2  # at 0.5 s two requests wait


def test_concurrency_slots_serve_in_parallel() -> None:
    run = _run(Fleet(servers=2, concurrency=2, service=Fixed(500)), (0.0,) * 5)
    assert run.start_s.tolist() == [0.0, 0.0, 0.0, 0.0, 0.5]
    assert run.busy_series()[1].max() == 4


def test_full_queue_rejects_arrivals() -> None:
    run = _run(Fleet(servers=1, concurrency=1, service=Fixed(1000), max_queue=1), (0.0,) * 4)
    assert run.rejected == 2
    assert run.served.tolist() == [True, True, False, False]
    assert run.latency_ms.tolist() == [1000.0, 2000.0]


def test_md1_mean_latency_matches_queueing_theory() -> None:
    # M/D/1 at rho = 0.5: Wq = rho / (2 mu (1 - rho)) = 0.05 s, so mean latency 150 ms.
    run = Fleet(servers=1, concurrency=1, service=Fixed(100)).run(Poisson(5), 20_000, seed=3)
    assert run.latency_ms.mean() == pytest.approx(150.0, rel=0.04)
    assert run.utilisation == pytest.approx(0.5, abs=0.01)


def test_more_servers_never_raise_p99_on_the_same_traffic() -> None:
    p99 = [Fleet(servers=n, concurrency=2, service=LogNormal(100, 0.5)).run(
        Poisson(60), 300, seed=1).latency_percentile(99) for n in range(3, 8)]
    assert all(a >= b for a, b in zip(p99, p99[1:], strict=False))
    assert p99[0] > 2 * p99[-1]  # 3 servers (6 slots) are overloaded at 60 req/s × 100 ms


def test_same_seed_same_run_other_seed_differs() -> None:
    fleet = Fleet(servers=2, concurrency=2, service=LogNormal(100, 0.5))
    a, b = fleet.run(Poisson(30), 60, seed=5), fleet.run(Poisson(30), 60, seed=5)
    c = fleet.run(Poisson(30), 60, seed=6)
    np.testing.assert_array_equal(a.end_s, b.end_s)
    assert a.arrival_s.size != c.arrival_s.size or not np.array_equal(a.end_s, c.end_s)


@settings(max_examples=40, deadline=None)
@given(
    gaps=st.lists(st.floats(0, 2), min_size=1, max_size=60),
    servers=st.integers(1, 3),
    concurrency=st.integers(1, 3),
    service_ms=st.floats(1, 3000),
)
def test_fifo_never_exceeds_capacity(gaps: list[float], servers: int, concurrency: int,
                                     service_ms: float) -> None:
    times = tuple(np.cumsum(gaps).tolist())
    fleet = Fleet(servers=servers, concurrency=concurrency, service=Fixed(service_ms))
    run = fleet.run(Replay(times), duration_s=times[-1] + 1)
    assert np.all(run.start_s >= run.arrival_s)
    assert np.all(np.diff(run.start_s) >= 0)  # first come, first served
    assert run.busy_series()[1].max() <= servers * concurrency
    assert np.allclose(run.end_s - run.start_s, service_ms / 1000)
    # work-conserving: a request waits only while every slot is busy
    waited = run.start_s > run.arrival_s
    slots = servers * concurrency
    for j in np.flatnonzero(waited):
        in_service = np.sum((run.start_s < run.start_s[j]) & (run.end_s >= run.start_s[j]))
        assert in_service >= slots


# --- cost and utilisation ------------------------------------------------------------------


def test_fixed_fleet_costs_its_servers_for_a_whole_month() -> None:
    run = Fleet(servers=3, concurrency=1, hourly_price=0.1).run(Poisson(1), 60)
    assert run.avg_servers == 3.0
    assert run.monthly_cost == pricing.always_on_cost(instances=3, hourly_price=0.1) == 219.0
    assert Fleet().hourly_price == EXAMPLE_HOURLY_PRICE == 0.0416


def test_autoscaling_adds_servers_after_the_provisioning_delay() -> None:
    burst = Steps(((0.0, 5.0), (100.0, 200.0), (300.0, 5.0)), poisson=False)
    auto = Autoscaling(max_servers=10, min_servers=1, interval_s=60, provisioning_delay_s=90)
    fleet = Fleet(servers=1, concurrency=4, service=Fixed(100), autoscaling=auto)
    run = fleet.run(burst, 600)
    t, servers = run.capacity_series()
    at = lambda s: servers[np.searchsorted(t, s, side="right") - 1]  # noqa: E731
    # tick at 120 s: work arrived (40 s × 5/s + 20 s × 200/s) × 0.1 s = 420 s, plus the backlog
    # (20 s × 160/s) × 0.1 s = 320 s, over 60 s × 4 slots × 0.6 -> ceil(5.14) = 6 servers
    assert (at(209.9), at(210.0)) == (1, 6)  # ready after the 90 s provisioning delay
    # tick at 180 s: 1,200 s arrived + 1,280 s queued -> 17.2 servers, capped at 10
    assert (at(269.9), at(270.0)) == (6, 10)
    assert (at(359.9), servers[-1]) == (10, 1)  # backlog gone by the 360 s tick: scale in
    billed = run.billed_slots[np.searchsorted(run.times, 120.0, side="right") - 1]
    assert billed == 24  # launching servers are paid for from launch
    static = Fleet(servers=1, concurrency=4, service=Fixed(100)).run(burst, 600)
    assert run.latency_percentile(99) < static.latency_percentile(99) / 5
    # paid for: 1 server to 120 s, 6 to 180 s (launching), 10 to 360 s, then 1
    assert run.avg_servers == pytest.approx((120 * 1 + 60 * 6 + 180 * 10 + 240 * 1) / 600)
    assert run.monthly_cost > static.monthly_cost


def test_scale_in_lets_busy_servers_finish() -> None:
    auto = Autoscaling(max_servers=4, min_servers=1, interval_s=10, provisioning_delay_s=0)
    fleet = Fleet(servers=4, concurrency=1, service=Fixed(15_000), autoscaling=auto)
    run = fleet.run(Replay((9.0, 9.0)), 40)
    # 10 s tick: 30 s of work arrived in 10 s -> stays at 4; 20 s tick: none -> 1 server
    assert run.end_s.tolist() == [24.0, 24.0]  # never cut short by the scale-in at 20 s
    t, servers = run.capacity_series()
    at = lambda s: servers[np.searchsorted(t, s, side="right") - 1]  # noqa: E731
    assert (at(19.9), at(20.0), at(23.9), at(24.0)) == (4, 2, 2, 1)  # idle ones go at once
    assert run.avg_servers == pytest.approx((4 * 20 + 2 * 4 + 1 * 16) / 40)


# --- comparison ----------------------------------------------------------------------------


def test_compare_sends_the_same_arrivals_to_both_sides() -> None:
    r = compare(Poisson(10), 120, fleet=Fleet(servers=1, concurrency=4), seed=2)
    arrivals = r.platform.records("app").column("arrival_s")
    np.testing.assert_array_equal(arrivals, r.fleet_run.arrival_s)
    assert r.fleet.requests == r.function.requests == arrivals.size
    assert r.function.cold_start_share > 0 and r.fleet.cold_start_share == 0
    assert r.function.latency_p50_ms == pytest.approx(100.0)  # Fixed(100) by default


def test_lambda_bill_scales_the_window_to_a_month() -> None:
    r = compare(Constant(2.0), 100, fleet=Fleet(service=Fixed(100)),
                function=FunctionSpec(memory_mb=1024))
    rec = r.platform.records("app")
    scale = SECONDS_PER_MONTH / 100
    gb_s = rec.column("billed_ms").sum() / 1000 * 1024 / 1024
    expected = pricing.estimate_usage(requests=round(200 * scale), gb_seconds=gb_s * scale,
                                      free_tier=False)
    assert r.function.monthly_cost == expected.total == r.lambda_bill.total
    assert r.lambda_bill.lines[0].quantity == 5_256_000


def test_break_even_flips_the_cheaper_side() -> None:
    fleet = Fleet(servers=1, concurrency=8, service=Fixed(100))
    low = compare(Poisson(1), 300, fleet=fleet)
    high = compare(Poisson(40), 300, fleet=fleet)
    assert low.cheaper == "Lambda" and high.cheaper == "fleet"
    assert low.fleet.monthly_cost == high.fleet.monthly_cost == 30.37
    assert high.fleet.utilisation > 10 * low.fleet.utilisation


def test_throttles_count_as_rejected_on_the_lambda_side() -> None:
    r = compare(Burst(30, at_s=1.0), 5, function=FunctionSpec(account_concurrency=10))
    assert r.function.rejected == 20 and r.function.served == 10
    assert r.fleet.rejected == 0 and r.fleet.served == 30


def test_comparison_table_and_dataframe() -> None:
    r = compare(Poisson(5), 60, seed=1)
    text = repr(r)
    assert text.splitlines()[0].startswith("Poisson 5 req/s for 60 s:")
    assert "cost per month (USD)" in text and "60.74" in text
    df = r.to_dataframe()
    assert df.shape == (2, 10) and df["name"].tolist() == ["fleet 2×4", "Lambda"]
    assert repr(compare(Poisson(5), 60, seed=1)) == text  # deterministic


def test_compare_without_arrivals() -> None:
    r = compare(Poisson(0), 60)
    assert r.function.requests == 0 and r.function.monthly_cost == 0.0
    assert r.fleet.latency_p99_ms == 0.0 and r.fleet.monthly_cost == 60.74


def test_cost_curve_crosses_at_the_break_even_point() -> None:
    kw = {"avg_duration_ms": 100, "memory_mb": 512}
    n = pricing.break_even_requests(monthly_fixed_cost=60.74, free_tier=False, **kw)
    curve = cost_curve(monthly_fixed_cost=60.74, max_requests=2 * n, points=21, **kw)
    assert curve.shape == (21, 3)
    below, above = curve[curve.requests < n], curve[curve.requests >= n]
    assert (below.lambda_usd < below.fleet_usd).all()
    assert (above.lambda_usd >= above.fleet_usd).all()
    row = curve.iloc[7]
    assert row.lambda_usd == pricing.estimate(requests=int(row.requests), free_tier=False,
                                              **kw).total


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: Fleet(servers=0), "Fleet.servers=0 is not valid: an integer of at least 1"),
        (lambda: Fleet(concurrency=1.5),
         "Fleet.concurrency=1.5 is not valid: an integer of at least 1"),
        (lambda: Fleet(hourly_price=-1),
         "Fleet.hourly_price=-1 is not valid: a finite number of at least 0 USD per hour"),
        (lambda: Fleet(service="fast"), "Fleet.service = 'fast'"),
        (lambda: Fleet(max_queue=-2), "Fleet.max_queue=-2 is not valid: an integer of at least 0"),
        (lambda: Autoscaling(max_servers=0),
         "Autoscaling.max_servers=0 is not valid: an integer of at least min_servers (1)"),
        (lambda: Autoscaling(max_servers=3, min_servers=4),
         "Autoscaling.max_servers=3 is not valid: an integer of at least min_servers (4)"),
        (lambda: Autoscaling(max_servers=3, target_utilisation=1.5),
         "Autoscaling.target_utilisation=1.5 is not valid: a finite number above 0 and at most 1"),
        (lambda: Autoscaling(max_servers=3, interval_s=0),
         "Autoscaling.interval_s=0 is not valid: a finite number above 0 s"),
        (lambda: Fleet(servers=5, autoscaling=Autoscaling(max_servers=3)),
         "Fleet.servers=5 is not valid: with autoscaling, an integer within 1–3"),
        (lambda: compare(Poisson(1), 0), "duration_s=0 is not valid: a finite number above 0 s"),
        (lambda: Fleet().run(Poisson(1), float("nan")),
         "duration_s=nan is not valid: a finite number above 0 s"),
        (lambda: Fleet().simulate(np.array([2.0, 1.0]), 5, np.random.default_rng(0)),
         "sorted"),
        (lambda: cost_curve(avg_duration_ms=1, memory_mb=128, monthly_fixed_cost=1,
                            max_requests=0),
         "max_requests=0 is not valid: an integer of at least 1"),
        (lambda: compare(Poisson(1), 10, function=FunctionSpec(memory_mb=100)),
         "memory_mb=100 is not valid: MemorySize must be between 128 and 10,240 MB"),
    ],
)
def test_bad_input_raises_a_value_error_naming_the_field(make, words: str) -> None:
    with pytest.raises(ValueError, match=None) as info:
        make()
    assert words in str(info.value)
