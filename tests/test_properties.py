"""Property tests: for random workloads, limits and failures, the platform's invariants hold."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambdakit import Burst, Exponential, Platform, Poisson

FLAKY_MODULE = """
def handler(event, context):
    if event["i"] % event["every"] == 0:
        raise RuntimeError("injected failure")
    if event["i"] % event["slow_every"] == 0:
        import time
        time.sleep(5)          # virtual: longer than the 3 s timeout
    return event["i"]
"""

scenario = st.fixed_dictionaries({
    "seed": st.integers(0, 10_000),
    "rate": st.floats(0.5, 40.0),
    "burst": st.integers(0, 120),
    "reserved": st.one_of(st.none(), st.integers(0, 30)),
    "account": st.integers(131, 400),
    "every": st.integers(2, 9),
    "slow_every": st.integers(5, 13),
    "mode": st.sampled_from(["sync", "async"]),
    "mean_ms": st.floats(5.0, 3000.0),
})


def _run(s: dict) -> Platform:
    p = Platform(seed=s["seed"], account_concurrency=s["account"])
    dlq: list[dict] = []
    p.create_function("f", "app.handler", source=FLAKY_MODULE, timeout_s=3,
                      duration=Exponential(s["mean_ms"]), reserved_concurrency=s["reserved"],
                      maximum_event_age_s=3600, dead_letter=dlq)
    workload = Poisson(s["rate"]) + Burst(s["burst"], at_s=5.0)
    p.run(workload, function="f", duration_s=30, invocation_type=s["mode"],
          event=lambda i: {"i": i, "every": s["every"], "slow_every": s["slow_every"]},
          progress=False)
    p.advance(4 * 3600)  # drain retries and the asynchronous queue
    return p


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario)
def test_invariants(s: dict) -> None:
    p = _run(s)
    rec = p.records()
    arr = {k: rec.column(k) for k in ("event", "env", "start_s", "end_s", "outcome", "attempt")}
    n_events = p.event_count()

    # every event is accounted for exactly once: a terminal outcome, nothing pending or lost
    outcomes = p.event_outcomes()
    assert sum(outcomes.values()) == n_events
    assert outcomes["pending"] == outcomes["running"] == outcomes["retrying"] == 0
    assert set(np.unique(arr["event"])) == set(range(n_events))
    assert set(outcomes) <= {"ok", "error", "timeout", "throttled", "dead-lettered", "expired"}
    assert outcomes["dead-lettered"] == len(p.dead_letters)

    # no environment ever serves two requests at once
    by_env: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for env, a, b in zip(arr["env"], arr["start_s"], arr["end_s"], strict=True):
        if env >= 0:
            by_env[int(env)].append((a, b))
    for spans in by_env.values():
        spans.sort()
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            assert start >= end - 1e-9

    # concurrency never exceeds the applicable limit
    limit = s["reserved"] if s["reserved"] is not None else s["account"]
    assert p.metrics("f").max_concurrency <= limit
    if s["reserved"] == 0:
        assert (arr["outcome"] == "ok").sum() == 0


@settings(max_examples=10, deadline=None)
@given(scenario)
def test_same_seed_gives_identical_records(s: dict) -> None:
    a = _run(s).records().to_dataframe()
    b = _run(s).records().to_dataframe()
    assert a.equals(b)
