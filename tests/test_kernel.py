"""The compiled batch path and the general event loop apply the same rules: same records."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambdakit import Burst, Exponential, FixedKeepAlive, Platform, Poisson

SOURCE = """
import time
def handler(event, context):
    i = event["i"]
    if i % event["fail"] == 0:
        raise ValueError("injected")
    if i % event["sleep"] == 0:
        time.sleep(event["nap"])       # virtual; sometimes past the 2 s timeout
    return {"i": i}
"""


def _records(s: dict, general: bool):
    p = Platform(seed=s["seed"], routing=s["routing"], account_concurrency=s["account"],
                 keep_alive=FixedKeepAlive(idle_s=s["idle"], max_lifetime_s=s["life"]))
    p.create_function("f", "app.handler", source=SOURCE, timeout_s=2,
                      duration=Exponential(s["mean_ms"]), reserved_concurrency=s["reserved"])
    if general:  # anything queued on the clock keeps the run off the batch path
        p.engine.call_at(10_000.0, lambda t: None)
    p.run(Poisson(s["rate"]) + Burst(s["burst"], at_s=3.0), function="f", duration_s=60,
          event=lambda i: {"i": i, "fail": s["fail"], "sleep": s["sleep"], "nap": s["nap"]},
          progress=False)
    return p.records().to_dataframe(), [
        (e.id, e.state, e.created_at, e.shutdown_at) for e in p.environments("f")]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({
    "seed": st.integers(0, 1000), "routing": st.sampled_from(["most-recently-idle",
                                                             "newest-created"]),
    "account": st.integers(150, 400), "reserved": st.one_of(st.none(), st.integers(0, 40)),
    "idle": st.floats(0.5, 30.0), "life": st.one_of(st.none(), st.floats(5.0, 100.0)),
    "mean_ms": st.floats(1.0, 3000.0), "rate": st.floats(0.5, 30.0),
    "burst": st.integers(0, 200), "fail": st.integers(3, 40), "sleep": st.integers(3, 40),
    "nap": st.floats(0.0, 3.0)}))
def test_batch_kernel_matches_general_loop(s: dict) -> None:
    batch, envs_batch = _records(s, general=False)
    loop, envs_loop = _records(s, general=True)
    assert batch.equals(loop)
    assert envs_batch == envs_loop
