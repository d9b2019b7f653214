"""Tests for lambdakit.models.tiers: queueing arithmetic, balancing, fail-over, series,
validation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lambdakit import Burst, Constant, Fixed, Poisson
from lambdakit.models.tiers import ERROR_KINDS, ServiceModel, Tier, default_tiers


def one_tier(
    servers: int = 1, concurrency: int = 1, ms: float = 100.0, **kw: object
) -> ServiceModel:
    """A single tier with fixed service time and no network delay: exact arithmetic."""
    tier = Tier("app", servers, concurrency, Fixed(ms), network_ms=0.0)
    return ServiceModel([tier], **kw)  # type: ignore[arg-type]


# --- queueing arithmetic ---------------------------------------------------------------------


def test_single_slot_queues_fifo() -> None:
    run = one_tier().run(Burst(3, at_s=0.0), duration_s=1.0)
    assert run.latency_ms.tolist() == pytest.approx([100.0, 200.0, 300.0])
    assert run.outcome.tolist() == ["ok"] * 3


def test_concurrency_slots_serve_in_parallel() -> None:
    run = one_tier(concurrency=2).run(Burst(4, at_s=0.0), duration_s=1.0)
    assert sorted(run.latency_ms.round(6).tolist()) == [100.0, 100.0, 200.0, 200.0]


def test_round_robin_alternates_servers() -> None:
    run = one_tier(servers=3).run(Constant(10.0), duration_s=1.0)
    assert run.server[:, 0].tolist() == [0, 1, 2, 0, 1, 2, 0, 1, 2, 0]
    assert run.to_dataframe().path.tolist()[:3] == ["app-1", "app-2", "app-3"]


def test_network_delay_is_paid_both_ways() -> None:
    tiers = [Tier("gw", 1, 10, Fixed(1.0), network_ms=20.0),
             Tier("app", 1, 10, Fixed(5.0), network_ms=2.0)]
    run = ServiceModel(tiers).run(Burst(1, at_s=0.0), duration_s=1.0)
    assert run.latency_ms[0] == pytest.approx(2 * 20 + 1 + 2 * 2 + 5)


def test_database_is_visited_only_on_cache_miss() -> None:
    run = ServiceModel(seed=5, cache_hit_ratio=0.8).run(Poisson(500), duration_s=20.0)
    db = list(run.tiers).index("db")
    visited_db = run.server[:, db] >= 0
    assert np.array_equal(visited_db, ~run.cache_hit)
    assert 0.77 < run.cache_hit.mean() < 0.83
    df = run.to_dataframe()
    assert df.path[~df.cache_hit].str.endswith("db-1").all()
    assert not df.path[df.cache_hit].str.contains("db").any()


def test_capacity_table_matches_slots_over_service_time() -> None:
    cap = ServiceModel(cache_hit_ratio=0.8).capacity().set_index("tier")
    assert cap.capacity_rps["app"] == pytest.approx(3 * 8 / 0.020)
    assert cap.max_entry_rps["db"] == pytest.approx(cap.capacity_rps["db"] / 0.2, rel=1e-3)
    later = ServiceModel().add_servers(2, at_s=10.0).kill("db-1", 20.0)
    assert later.capacity(15.0).set_index("tier").capacity_rps["app"] == pytest.approx(2000.0)
    assert later.capacity(25.0).set_index("tier").capacity_rps["db"] == 0.0


def test_overload_builds_a_queue_and_more_servers_drain_it() -> None:
    slow = ServiceModel(seed=2).run(Poisson(1300), duration_s=30.0)  # app capacity 1,200 req/s
    fast = ServiceModel(seed=2).add_servers(2, at_s=0.0).run(Poisson(1300), duration_s=30.0)
    assert slow.p50_ms > 10 * fast.p50_ms
    app = slow.tier_series(5.0).query("tier == 'app'")
    assert app.queue_length.iloc[-1] > app.queue_length.iloc[0] + 100
    assert fast.tier_series(5.0).query("tier == 'app'").utilisation.max() < 0.9


def test_client_timeout_caps_latency() -> None:
    run = one_tier(ms=100.0, timeout_s=1.0).run(Burst(20, at_s=0.0), duration_s=1.0)
    assert run.summary()["timeouts"] == 10  # the 11th would wait 1.1 s
    assert run.latency_ms.max() == pytest.approx(1000.0)
    assert set(run.outcome[run.latency_ms >= 1000.0]) == {"timeout"}


def test_same_seed_same_run_and_scenarios_share_arrivals() -> None:
    a = ServiceModel(seed=9).run(Poisson(400), duration_s=10.0)
    b = ServiceModel(seed=9).run(Poisson(400), duration_s=10.0)
    c = ServiceModel(seed=9).kill("app-1", 5.0).run(Poisson(400), duration_s=10.0)
    d = ServiceModel(seed=10).run(Poisson(400), duration_s=10.0)
    assert np.array_equal(a.end_s, b.end_s) and np.array_equal(a.server, b.server)
    assert np.array_equal(a.arrival_s, c.arrival_s)
    assert not np.array_equal(a.arrival_s[:100], d.arrival_s[:100])


# --- failure and fail-over -------------------------------------------------------------------


def test_kill_fails_in_flight_and_retries_queued_elsewhere() -> None:
    # app-1 gets requests 0 and 2, app-2 gets 1 and 3; app-2 dies at 50 ms while serving 1.
    run = one_tier(servers=2).kill("app-2", at_s=0.05).run(Burst(4, at_s=0.0), duration_s=1.0)
    assert run.error.tolist() == ["", "killed in flight", "", ""]
    assert run.latency_ms.tolist() == pytest.approx([100.0, 50.0, 200.0, 300.0])
    assert run.server[:, 0].tolist() == [0, 1, 0, 0]  # request 3 was retried on app-1


def test_health_checks_stop_errors_after_the_detection_delay() -> None:
    model = one_tier(servers=2, ms=10.0, detection_delay_s=2.0).kill("app-2", at_s=3.0)
    run = model.run(Constant(100.0), duration_s=10.0)
    failed = run.arrival_s[run.outcome == "error"]
    assert failed.min() >= 3.0 and failed.max() < 5.0
    assert set(run.error[run.outcome == "error"]) == {"server down"}
    assert 90 <= failed.size <= 110  # every second request for 2 s
    series = run.tier_series(1.0)
    assert series.servers_up.tolist() == [2.0] * 3 + [1.0] * 7
    assert series.in_rotation.tolist() == [2.0] * 5 + [1.0] * 5


def test_without_health_checks_the_dead_server_keeps_failing() -> None:
    model = one_tier(servers=2, ms=10.0, health_checks=False).kill("app-2", at_s=3.0)
    run = model.run(Constant(100.0), duration_s=10.0)
    assert run.error_rate == pytest.approx(0.5 * 7 / 10, abs=0.01)
    assert run.latency_series(1.0).error_rate.iloc[-1] == pytest.approx(0.5)


def test_single_point_of_failure_stops_the_service() -> None:
    run = ServiceModel(seed=3, detection_delay_s=5.0).kill("proxy-1", 10.0).kill("proxy-2", 10.0)
    res = run.run(Poisson(200), duration_s=30.0)
    after = res.arrival_s > 10.1
    assert (res.outcome[after] == "error").all()
    assert set(res.error[res.arrival_s > 15.1]) == {"no healthy server"}
    assert (res.outcome[res.arrival_s < 9.9] == "ok").all()


def test_killing_the_only_database_fails_cache_misses_only() -> None:
    run = ServiceModel(seed=4).kill("db-1", 10.0).run(Poisson(300), duration_s=30.0)
    late = run.arrival_s > 10.1
    assert (run.outcome[late & run.cache_hit] == "ok").all()
    assert (run.outcome[late & ~run.cache_hit] == "error").all()


def test_a_standby_database_takes_over_after_detection() -> None:
    model = ServiceModel(seed=4).add_servers(1, at_s=0.0, tier="db").kill("db-1", 10.0)
    run = model.run(Poisson(300), duration_s=30.0)
    assert (run.outcome[run.arrival_s > 20.1] == "ok").all()
    assert 0 < run.summary()["errors"] < 0.2 * 300 * 10


def test_added_servers_take_traffic_only_once_booted() -> None:
    model = one_tier(servers=1, ms=10.0).add_servers(1, at_s=2.0, boot_s=3.0)
    run = model.run(Constant(20.0), duration_s=10.0)
    second = run.arrival_s[run.server[:, 0] == 1]
    assert second.min() >= 5.0 and second.size > 0
    assert run.topology(4.0).set_index("server").state.to_dict() == {
        "app-1": "up", "app-2": "booting"}
    assert model.servers() == ["app-1", "app-2"]


def test_a_server_that_dies_while_booting_never_gets_traffic() -> None:
    model = one_tier(servers=1, ms=10.0).add_servers(1, at_s=2.0, boot_s=3.0).kill("app-2", 4.0)
    run = model.run(Constant(20.0), duration_s=10.0)
    assert (run.outcome == "ok").all() and (run.server[:, 0] == 0).all()
    assert not run.topology(6.0).set_index("server").in_rotation["app-2"]


# --- results ---------------------------------------------------------------------------------


def test_utilisation_is_busy_time_over_capacity() -> None:
    run = one_tier().run(Constant(5.0), duration_s=10.0)  # 5 × 100 ms per second
    series = run.tier_series(1.0)
    assert series.utilisation.to_numpy() == pytest.approx(np.full(10, 0.5))
    assert series.queue_length.to_numpy() == pytest.approx(np.zeros(10))


def test_queue_length_counts_waiting_requests() -> None:
    run = one_tier().run(Burst(3, at_s=0.0), duration_s=0.4, )
    # waiting: 2 requests for 0.1 s, then 1 for 0.1 s → average 0.3/0.4 over the run
    assert run.tier_series(0.4).queue_length.iloc[0] == pytest.approx(0.75)


def test_summary_and_series_are_consistent() -> None:
    run = ServiceModel(seed=1).kill("app-2", 20.0).run(Poisson(700), duration_s=60.0)
    s = run.summary()
    assert s["ok"] + s["errors"] + s["timeouts"] == s["requests"] == len(run)
    assert s["p50_ms"] <= s["p95_ms"] <= s["p99_ms"]
    assert s["throughput_rps"] == pytest.approx(s["ok"] / 60.0, abs=0.1)
    lat = run.latency_series(5.0)
    assert list(lat.columns) == ["time_s", "offered_rps", "ok_rps", "error_rate",
                                 "p50_ms", "p95_ms", "p99_ms"]
    assert lat.offered_rps.sum() * 5.0 == pytest.approx(len(run))
    assert lat.error_rate[(lat.time_s >= 20) & (lat.time_s < 30)].min() > 0.25
    assert lat.error_rate[lat.time_s >= 35].max() == 0.0
    assert set(run.tier_series(5.0).tier) == set(run.tiers)
    assert ("kill app-2" in run.description) and (30.0, "app-2 out of rotation") in run.events
    assert set(run.error) <= set(ERROR_KINDS)


def test_hundred_thousand_requests_are_all_accounted_for() -> None:
    # how fast: bench/hot_paths.py
    model = ServiceModel(seed=1).kill("app-2", 30.0).add_servers(2, 60.0)
    run = model.run(Poisson(1000), duration_s=100.0)
    assert len(run) > 99_000
    frame = run.to_dataframe()
    assert len(frame) == len(run) and frame.latency_ms.notna().sum() > 0


@settings(max_examples=40, deadline=None)
@given(
    servers=st.integers(1, 3), concurrency=st.integers(1, 3), rate=st.floats(1, 80),
    kill_at=st.one_of(st.none(), st.floats(0, 5)), delay=st.floats(0, 2),
    checks=st.booleans(), seed=st.integers(0, 1000),
)
def test_invariants_hold_for_any_small_scenario(
    servers: int, concurrency: int, rate: float, kill_at: float | None, delay: float,
    checks: bool, seed: int,
) -> None:
    tiers = [Tier("app", servers, concurrency, Fixed(30.0), network_ms=0.0)]
    model = ServiceModel(tiers, seed=seed, health_checks=checks, detection_delay_s=delay)
    if kill_at is not None:
        model.kill("app-1", kill_at)
    run = model.run(Poisson(rate), duration_s=5.0)
    assert (run.latency_ms >= -1e-9).all()
    assert (run.latency_ms[run.outcome == "ok"] >= 30.0 - 1e-6).all()
    series = run.tier_series(0.5)
    assert (series.utilisation.dropna() <= 1.0 + 1e-9).all()
    assert (series.queue_length >= -1e-9).all()
    if kill_at is None:
        assert (run.outcome == "ok").all()


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Tier("app", 0, 8, Fixed(1.0)),
         r"^Tier\('app'\)\.servers=0 is not valid: an integer of at least 1$"),
        (lambda: Tier("app", 2, 1.5, Fixed(1.0)),
         r"^Tier\('app'\)\.concurrency=1\.5 is not valid: an integer of at least 1$"),
        (lambda: Tier("app", 2, 8, 20.0), r"service = 20\.0 .*duration model"),
        (lambda: Tier("web-app", 1, 1, Fixed(1.0)), r"Tier\.name = 'web-app'"),
        (lambda: Tier("app", 1, 1, Fixed(1.0), network_ms=-1),
         r"^Tier\('app'\)\.network_ms=-1 is not valid: a finite number of at least 0 ms$"),
        (lambda: ServiceModel(cache_hit_ratio=1.5),
         r"^ServiceModel\.cache_hit_ratio=1\.5 is not valid: a finite number from 0 to 1$"),
        (lambda: ServiceModel(timeout_s=0),
         r"^ServiceModel\.timeout_s=0 is not valid: a finite number above 0 s$"),
        (lambda: ServiceModel(list(default_tiers()) * 2), r"distinct names"),
        (lambda: ServiceModel().kill("app-9", 1.0), r"'app-9' is unknown: expected one of"),
        (lambda: ServiceModel().kill("app-1", 1).kill("app-1", 2), r"already killed \(at 1 s\)"),
        (lambda: ServiceModel().kill("app-1", -1.0),
         r"^kill\.at_s=-1\.0 is not valid: a finite number of at least 0 s$"),
        (lambda: ServiceModel().add_servers(0, 1.0),
         r"^add_servers\.n=0 is not valid: an integer of at least 1$"),
        (lambda: ServiceModel().add_servers(1, 1.0, tier="web"), r"tier = 'web' is unknown"),
        (lambda: ServiceModel().run(600, 10.0), r"run\.workload = 600 .*Poisson"),
        (lambda: ServiceModel().run(Poisson(1), float("nan")),
         r"^run\.duration_s=nan is not valid: a finite number above 0 s$"),
        (lambda: ServiceModel().run(Poisson(1), 1.0).tier_series(0),
         r"^resolution_s=0 is not valid: a finite number above 0 s$"),
    ],
)
def test_bad_input_names_field_value_and_range(build: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()  # type: ignore[operator]
