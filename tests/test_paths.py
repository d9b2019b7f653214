"""Every invoke path obeys the same rules: random mixes of synchronous and asynchronous
invokes, workloads and an SQS mapping give attempt-for-attempt the same records whether
workload batches go to the compiled kernel (``"simulated"``) or every arrival stays on the
event loop (``"simulated-reference"``)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambdakit import Exponential, FixedKeepAlive, Platform, Poisson
from lambdakit.errors import TooManyRequestsException
from lambdakit.esm import SqsEventSourceMapping
from lambdakit.services.queue import Queue

SOURCE = '''
import time

def handler(event, context):
    n = event.get("i", 0) if isinstance(event, dict) else 0
    if n % 7 == 3:
        raise ValueError(f"bad item {n}")
    if n % 11 == 5:
        time.sleep(0.05)  # virtual: lengthens the attempt
    return {"n": n}
'''

op = st.one_of(
    st.tuples(st.just("invoke"), st.integers(0, 20)),
    st.tuples(st.just("invoke_async"), st.integers(0, 20)),
    st.tuples(st.just("run"), st.sampled_from(["sync", "async"]), st.floats(5, 150),
              st.floats(0.5, 15)),
    st.tuples(st.just("send"), st.integers(1, 25)),
    st.tuples(st.just("advance"), st.floats(0, 900)),
)
scenario = st.fixed_dictionaries({
    "seed": st.integers(0, 2**16),
    "account": st.integers(131, 190),
    "reserved": st.one_of(st.none(), st.integers(1, 30)),
    "mean_ms": st.floats(5, 400),
    "idle": st.floats(1, 600),
    "routing": st.sampled_from(["most-recently-idle", "newest-created"]),
    "ops": st.lists(op, min_size=1, max_size=7),
})


def _play(s: dict[str, Any], engine: str) -> tuple[Any, list[Any], Any, list[str]]:
    p = Platform(seed=s["seed"], engine=engine, account_concurrency=s["account"],
                 routing=s["routing"], keep_alive=FixedKeepAlive(idle_s=s["idle"]))
    p.create_function("f", "app.handler", source=SOURCE, timeout_s=30,
                      duration=Exponential(s["mean_ms"]), reserved_concurrency=s["reserved"],
                      maximum_retry_attempts=1)
    p.create_function("worker", "app.handler", source=SOURCE, timeout_s=30,
                      duration=Exponential(s["mean_ms"]))
    queue = Queue(p, "jobs", visibility_timeout_s=180)
    SqsEventSourceMapping(p, queue, "worker", batch_size=5)
    seen: list[Any] = []
    for step in s["ops"]:
        kind = step[0]
        if kind == "invoke":
            try:
                seen.append(p.invoke("f", {"i": step[1]}).payload)
            except TooManyRequestsException as e:
                seen.append(e.code)
        elif kind == "invoke_async":
            seen.append(p.invoke_async("f", {"i": step[1]}).status_code)
        elif kind == "run":
            _, mode, rate, span = step
            p.run(Poisson(rate), function="f", duration_s=span, invocation_type=mode,
                  event=lambda i: {"i": i}, progress=False)
        elif kind == "send":
            for i in range(step[1]):
                queue.send_message(MessageBody=str(i))
        else:
            p.advance(step[1])
    p.run()  # let retries and polls finish
    return p.records().to_dataframe(), seen, p.event_outcomes(), p.logs("f").lines()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario)
def test_the_kernel_path_and_the_event_loop_write_the_same_records(s: dict[str, Any]) -> None:
    fast, seen_fast, outcomes_fast, logs_fast = _play(s, "simulated")
    ref, seen_ref, outcomes_ref, logs_ref = _play(s, "simulated-reference")
    assert len(fast) == len(ref)
    assert fast.equals(ref), fast.compare(ref).head()
    assert seen_fast == seen_ref
    assert outcomes_fast == outcomes_ref
    assert logs_fast == logs_ref


def test_a_plain_workload_takes_the_kernel_path_and_still_matches() -> None:
    """A quiet platform and one synchronous workload: the case workload batches go to the
    kernel in; throttles and failures both happen."""
    s = {"seed": 9, "account": 120, "reserved": 20, "mean_ms": 300.0, "idle": 30.0,
         "routing": "most-recently-idle", "ops": [("run", "sync", 120.0, 10.0)]}
    fast, _, outcomes, _ = _play(s, "simulated")
    ref, _, _, _ = _play(s, "simulated-reference")
    assert outcomes["throttled"] > 0 and outcomes["error"] > 0  # limits and failures both hit
    assert fast.equals(ref)
