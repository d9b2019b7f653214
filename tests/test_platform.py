"""Behaviour of the simulated platform: the issue's required scenarios and the Lambda rules."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

from lambdakit import (
    Burst,
    Fixed,
    NeverExpire,
    Platform,
    Poisson,
    TooManyRequestsException,
)
from lambdakit.errors import InvalidParameterValueException, ResourceNotFoundException
from lambdakit.observers.logformat import REPORT_RE, parse_report_line

COUNTER_MODULE = """
count = 0

def handler(event, context):
    global count
    count += 1
    return count
"""


def test_global_counter_survives_warm_invocations_and_resets_after_cold_start() -> None:
    p = Platform(seed=1)
    p.create_function("counter", "app.handler", source=COUNTER_MODULE)
    assert [p.invoke("counter").payload for _ in range(3)] == [1, 2, 3]
    p.advance(11 * 60)  # longer than the 10-minute keep-alive: the environment is reclaimed
    again = p.invoke("counter")
    assert again.payload == 1
    assert p.records()[again.record_index].cold
    assert [e.state for e in p.environments("counter")] == ["SHUTDOWN", "IDLE"]


def test_2000_sync_burst_with_reserved_100_gives_100_concurrent_1900_throttles() -> None:
    p = Platform(seed=2)
    p.create_function("api", lambda e, c: "ok", reserved_concurrency=100, duration=Fixed(1000))
    run = p.run(Burst(2000), function="api", duration_s=5, progress=False)
    outcomes = run.column("outcome")
    assert (outcomes == "throttled").sum() == 1900
    assert (outcomes == "ok").sum() == 100
    m = p.metrics("api")
    assert m.max_concurrency == 100
    assert m.throttles == 1900
    assert len(p.environments("api")) == 100


def test_burst_of_5000_async_scales_at_most_1000_environments_per_10s_and_all_complete() -> None:
    p = Platform(seed=3, account_concurrency=10_000)
    p.create_function("worker", lambda e, c: None, duration=Fixed(30_000), timeout_s=60)
    p.run(Burst(5000), function="worker", duration_s=1, invocation_type="async", progress=False)
    p.advance(3600)
    created = np.sort([e.created_at for e in p.environments("worker")])
    assert len(created) > 1000  # it did scale past the first window
    for t in created:  # no 10-second window holds more than 1,000 new environments
        in_window = np.searchsorted(created, t + 10.0, side="left") - np.searchsorted(created, t)
        assert in_window <= 1000
    outcomes = p.event_outcomes()
    assert outcomes == {"ok": 5000}
    ran = p.records("worker").column("outcome")
    assert (ran == "ok").sum() == 5000
    assert (ran == "throttled").sum() > 0  # the rest waited in the queue and were retried


def test_timeout_produces_the_message_and_a_fresh_cold_start_next_time() -> None:
    p = Platform(seed=4)
    p.create_function("slow", lambda e, c: time.sleep(e["s"]), timeout_s=2)
    first = p.invoke("slow", {"s": 0.1})
    assert first.function_error is None
    late = p.invoke("slow", {"s": 5})  # virtual sleep: no real waiting
    assert late.function_error == "Unhandled"
    assert late.payload["errorType"] == "Sandbox.Timedout"
    assert late.payload["errorMessage"].endswith("Task timed out after 2.00 seconds")
    rec = p.records()[late.record_index]
    assert (rec.outcome, rec.duration_ms) == ("timeout", 2000.0)
    log = str(p.logs("slow").filter(request_id=late.request_id))
    assert f"{late.request_id} Task timed out after 2.00 seconds" in log
    assert "Status: timeout" in log
    after = p.invoke("slow", {"s": 0.1})
    assert p.records()[after.record_index].cold
    assert p.records()[after.record_index].env != rec.env


@pytest.mark.timeout(60)  # a watchdog that failed to stop the loop would hang here
def test_infinite_loop_is_stopped_and_recorded_as_timeout() -> None:
    p = Platform(seed=5, wall_limit_s=0.5)
    p.create_function("loop", "app.handler", timeout_s=900,
                      source="def handler(event, context):\n    while True:\n        pass\n")
    res = p.invoke("loop")
    assert res.payload["errorType"] == "Sandbox.Timedout"
    assert p.records()[res.record_index].duration_ms == 900_000.0
    assert p.invoke("loop").function_error == "Unhandled"  # and the platform still works


def test_report_lines_match_lambda_format() -> None:
    p = Platform(seed=6)
    p.create_function("f", lambda e, c: None, memory_mb=256, duration=Fixed(15.74),
                      init_duration=Fixed(130.49))
    p.invoke("f")
    p.invoke("f")
    reports = [line for line in p.logs("f").lines() if line.startswith("REPORT")]
    assert len(reports) == 2
    for line in reports:
        assert REPORT_RE.match(line)
        assert line.endswith("\t")
    cold, warm = (parse_report_line(x) for x in reports)
    assert cold["init_ms"] == 130.49 and cold["billed_ms"] == 147  # init billed since Aug 2025
    assert warm["init_ms"] is None and warm["billed_ms"] == 16
    assert cold["memory_mb"] == 256
    assert reports[1].split("\t")[1:3] == ["Duration: 15.74 ms", "Billed Duration: 16 ms"]


def test_unhandled_exception_returns_aws_error_document_and_logs_it() -> None:
    p = Platform(seed=7)
    p.create_function("bad", "app.handler",
                      source="def handler(event, context):\n    return event['action']\n")
    res = p.invoke("bad", {})
    assert res.status_code == 200 and res.function_error == "Unhandled"
    assert list(res.payload) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert res.payload["errorType"] == "KeyError"
    assert res.payload["errorMessage"] == "'action'"
    assert any("return event['action']" in frame for frame in res.payload["stackTrace"])
    errors = p.logs("bad").filter(kind="ERROR").lines()
    assert errors[0].startswith("[ERROR] KeyError: 'action'")


def test_context_has_runtime_attributes_and_platform_clock() -> None:
    seen = {}

    def handler(event, context):
        seen.update(
            name=context.function_name, version=context.function_version,
            arn=context.invoked_function_arn, memory=context.memory_limit_in_mb,
            group=context.log_group_name, stream=context.log_stream_name,
            rid=context.aws_request_id, before=context.get_remaining_time_in_millis(),
            env=dict(os.environ), identity=context.identity.cognito_identity_id)
        time.sleep(1.5)
        seen["after"] = context.get_remaining_time_in_millis()

    p = Platform(seed=8)
    p.create_function("ctx", handler, memory_mb=512, timeout_s=10, environment={"STAGE": "dev"})
    res = p.invoke("ctx")
    assert seen["name"] == "ctx" and seen["version"] == "$LATEST"
    assert seen["arn"] == "arn:aws:lambda:us-east-1:123456789012:function:ctx"
    assert seen["memory"] == "512" and seen["group"] == "/aws/lambda/ctx"
    assert seen["rid"] == res.request_id
    assert seen["stream"].startswith("2026/01/01/[$LATEST]") and len(seen["stream"]) == 52
    assert seen["before"] == 10_000 and seen["after"] == 8_500
    assert seen["identity"] is None
    env = seen["env"]
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "ctx" and env["STAGE"] == "dev"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "512"
    assert env["AWS_LAMBDA_LOG_STREAM_NAME"] == seen["stream"]
    assert env["AWS_LAMBDA_INITIALIZATION_TYPE"] == "on-demand"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12"
    assert "AWS_LAMBDA_FUNCTION_NAME" not in os.environ  # only while the handler runs
    assert p.records()[res.record_index].duration_ms >= 1500


def test_tmp_directory_is_per_environment_and_survives_warm_invocations() -> None:
    src = """
import os, tempfile
def handler(event, context):
    path = os.path.join(tempfile.gettempdir(), "state.txt")
    seen = os.path.exists(path)
    open(path, "a").write("x")
    return {"seen": seen, "tmp": os.environ["TMPDIR"]}
"""
    p = Platform(seed=9)
    p.create_function("tmp", "app.handler", source=src)
    a, b = p.invoke("tmp").payload, p.invoke("tmp").payload
    assert (a["seen"], b["seen"]) == (False, True) and a["tmp"] == b["tmp"]
    p.advance(3600)
    c = p.invoke("tmp").payload
    assert c["seen"] is False and c["tmp"] != a["tmp"]


def test_versions_and_weighted_alias_show_in_records_logs_and_context() -> None:
    p = Platform(seed=10)
    p.create_function("v", lambda e, c: c.function_version)
    assert p.publish_version("v") == "1"
    p.update_function("v", memory_mb=256)
    assert p.publish_version("v") == "2"
    p.create_alias("v", "live", "1", weights={"2": 0.3})
    run = p.run(Poisson(5), function="v:live", duration_s=200, progress=False)
    versions = run.column("version")
    share = (versions == "2").mean()
    assert 0.2 < share < 0.4 and set(versions) == {"1", "2"}
    assert p.invoke("v", qualifier="1").payload == "1"
    streams = p.logs("v").streams()
    assert any("[1]" in s for s in streams) and any("[2]" in s for s in streams)
    starts = [x for x in p.logs("v").lines() if x.startswith("START")]
    assert any(x.endswith("Version: 2") for x in starts)


def test_provisioned_concurrency_has_no_cold_start() -> None:
    p = Platform(seed=11)
    p.create_function("pc", lambda e, c: os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"],
                      duration=Fixed(100))
    p.publish_version("pc")
    p.create_alias("pc", "live", "1")
    p.put_provisioned_concurrency("pc", "live", 3)
    run = p.run(Burst(3), function="pc:live", duration_s=1, progress=False)
    assert not run.column("cold").any()
    assert p.invoke("pc", qualifier="live").payload == "provisioned-concurrency"
    spill = p.run(Burst(5), function="pc:live", duration_s=1, progress=False)
    assert spill.column("cold").sum() == 2  # beyond the provisioned 3: on-demand cold starts
    with pytest.raises(InvalidParameterValueException, match="not \\$LATEST"):
        p.put_provisioned_concurrency("pc", "$LATEST", 1)


def test_async_failure_is_retried_twice_with_backoff_then_dead_lettered() -> None:
    dlq: list[dict] = []
    failures: list[dict] = []
    p = Platform(seed=12)
    p.create_function("job", "app.handler", dead_letter=dlq, on_failure=failures,
                      source="def handler(event, context):\n    raise RuntimeError('boom')\n")
    accepted = p.invoke_async("job", {"id": 7})
    assert accepted.status_code == 202
    p.advance(600)
    attempts = p.records("job")
    assert [r.attempt for r in attempts] == [0, 1, 2]
    starts = [r.start_s for r in attempts]
    assert starts[1] - attempts[0].end_s == pytest.approx(60.0)
    assert starts[2] - attempts[1].end_s == pytest.approx(120.0)
    assert {r.request_id for r in attempts} == {accepted.request_id}
    assert failures[0]["requestContext"]["condition"] == "RetriesExhausted"
    assert failures[0]["requestContext"]["approximateInvokeCount"] == 3
    assert failures[0]["requestPayload"] == {"id": 7}
    assert failures[0]["responsePayload"]["errorMessage"] == "boom"
    assert dlq[0]["body"] == {"id": 7} and dlq[0]["attributes"]["RequestID"] == accepted.request_id
    assert p.event_outcomes() == {"dead-lettered": 1}


def test_published_version_keeps_its_own_async_config() -> None:
    """A version published with no retries is not retried after $LATEST's config changes,
    and a qualifier's own configuration (version or alias) decides its retries and
    destinations; the DLQ stays function-level (facts §3.2 [S12])."""
    dlq: list[dict] = []
    v1_failed: list[dict] = []
    live_failed: list[dict] = []
    p = Platform(seed=25)
    p.create_function("job", lambda e, c: 1 / 0, maximum_retry_attempts=0, dead_letter=dlq)
    v1 = p.publish_version("job")
    p.put_function_event_invoke_config("job", maximum_retry_attempts=2)  # $LATEST only
    assert p.publish_version("job") == v1  # event invoke config is not frozen in a version
    p.invoke_async("job", {"n": 1}, qualifier=v1)
    p.invoke_async("job", {"n": 2})
    p.run()
    by_event: dict[int, list[str]] = {}
    for r in p.records("job"):
        by_event.setdefault(r.event, []).append(r.version)
    assert sorted(by_event.values()) == [["$LATEST"] * 3, ["1"]]
    p.put_function_event_invoke_config("job:1", maximum_retry_attempts=1, on_failure=v1_failed)
    p.create_alias("job", "live", v1)
    p.put_function_event_invoke_config("job", "live", maximum_retry_attempts=0,
                                       on_failure=live_failed)
    first = len(p.records("job"))
    p.invoke_async("job:live", {"n": 3})
    p.invoke_async("job:1", {"n": 4})
    p.run()
    new = list(p.records("job"))[first:]
    attempts = {r.request_id: 0 for r in new}
    for r in new:
        attempts[r.request_id] += 1
    assert sorted(attempts.values()) == [1, 2]  # live: no retry; version 1: one retry
    assert [f["requestPayload"] for f in live_failed] == [{"n": 3}]
    assert [f["requestPayload"] for f in v1_failed] == [{"n": 4}]
    assert [d["body"]["n"] for d in dlq] == [1, 2, 3, 4]  # the function's DLQ, for all
    with pytest.raises(ResourceNotFoundException):
        p.put_function_event_invoke_config("job", "7")


def test_async_event_too_old_goes_to_failure_destination() -> None:
    failures: list[dict] = []
    p = Platform(seed=13)
    p.create_function("old", "app.handler", maximum_event_age_s=60, on_failure=failures,
                      source="def handler(event, context):\n    raise ValueError('x')\n")
    p.invoke_async("old", {})
    p.advance(600)
    assert [r.outcome for r in p.records("old")] == ["error", "expired"]
    assert failures[0]["requestContext"]["condition"] == "EventAgeExceeded"


def test_sync_throttle_raises_429_with_reason() -> None:
    p = Platform(seed=14)
    p.create_function("one", lambda e, c: None, reserved_concurrency=0)
    with pytest.raises(TooManyRequestsException) as err:
        p.invoke("one")
    assert err.value.status_code == 429
    assert err.value.body()["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert p.metrics("one").throttles == 1


def test_bad_configuration_names_field_value_and_range() -> None:
    p = Platform(seed=15)
    with pytest.raises(InvalidParameterValueException, match="memory_mb=100.*128.*10,240"):
        p.create_function("m", lambda e, c: None, memory_mb=100)
    with pytest.raises(InvalidParameterValueException, match="timeout_s=901"):
        p.create_function("t", lambda e, c: None, timeout_s=901)
    with pytest.raises(InvalidParameterValueException, match="reserved_concurrency=950"):
        p.create_function("r", lambda e, c: None, reserved_concurrency=950)
    with pytest.raises(ResourceNotFoundException):
        p.invoke("missing")


def test_keep_alive_policy_is_pluggable() -> None:
    p = Platform(seed=16, keep_alive=NeverExpire())
    p.create_function("f", lambda e, c: None)
    p.invoke("f")
    p.advance(10 * 3600)
    p.invoke("f")
    assert p.metrics("f").cold_starts == 1


def test_memory_scales_cpu_bound_duration() -> None:
    p = Platform(seed=17)
    p.create_function("small", lambda e, c: None, memory_mb=128, duration=Fixed(100, cpu_bound=1))
    p.create_function("big", lambda e, c: None, memory_mb=1769, duration=Fixed(100, cpu_bound=1))
    small_i, big_i = p.invoke("small").record_index, p.invoke("big").record_index
    small, big = p.records()[small_i].duration_ms, p.records()[big_i].duration_ms
    assert big == 100 and small == pytest.approx(100 * 1769 / 128)


def test_records_export_to_dataframe_and_cost() -> None:
    p = Platform(seed=18)
    p.create_function("f", lambda e, c: None, memory_mb=1024, duration=Fixed(100),
                      init_duration=Fixed(200))
    p.run(Poisson(10), function="f", duration_s=100, progress=False)
    df = p.records().to_dataframe()
    assert len(df) == p.metrics("f").invocations
    assert set(df.columns) >= {"request_id", "cold", "billed_ms", "outcome", "env", "version"}
    cost = p.cost("f")
    billed_gb_s = df["billed_ms"].sum() / 1000 * 1.0
    compute = next(line for line in cost.lines if "ompute" in line.name or "uration" in line.name)
    assert compute.quantity == pytest.approx(billed_gb_s)
    requests = next(line for line in cost.lines if line.name == "Requests")
    assert requests.quantity == len(df)


def test_init_code_prints_to_the_log_and_sees_the_environment() -> None:
    src = """
import os
print("init for", os.environ["AWS_LAMBDA_FUNCTION_NAME"])
def handler(event, context):
    return "ok"
"""
    p = Platform(seed=19)
    p.create_function("boot", "app.handler", source=src)
    p.invoke("boot")
    p.invoke("boot")
    lines = p.logs("boot").lines()
    assert lines[0].startswith("INIT_START")
    assert lines[1] == "init for boot"
    assert lines[2].startswith("START")
    assert lines.count("init for boot") == 1  # init runs once per environment


def test_call_at_runs_callbacks_in_order_with_workload_traffic() -> None:
    p = Platform(seed=20)
    seen: list[tuple[str, float]] = []

    def handler(event, context):
        if event["i"] == 3:  # a handler schedules work for later, as a service would
            p.call_at(p.caller_now() + 1.0, lambda t: seen.append(("cb", t)))
        seen.append(("req", p.caller_now()))

    p.create_function("f", handler, duration=Fixed(10), init_duration=Fixed(0))
    p.run(Poisson(5), function="f", duration_s=10, event=lambda i: {"i": i}, progress=False)
    times = [t for _, t in seen]
    assert times == sorted(times)  # the callback ran in clock order between requests
    assert [k for k, _ in seen].count("cb") == 1
    assert p.metrics("f").invocations == len(seen) - 1


def test_invoke_for_source_reports_at_the_attempts_end() -> None:
    p = Platform(seed=21)
    p.create_function("poll", lambda e, c: {"batchItemFailures": []}, duration=Fixed(250))
    got = []
    p.call_at(2.0, lambda t: p.invoke_for_source(
        "poll", {"Records": []}, "sqs", lambda r: got.append((p.now, r.outcome, r.payload))))
    p.advance(5)
    (when, outcome, payload), = got
    assert outcome == "ok" and payload == {"batchItemFailures": []}
    rec = p.records()[0]
    assert rec.source == "sqs" and when == pytest.approx(rec.end_s)


def test_cost_includes_ephemeral_storage_and_provisioned_concurrency() -> None:
    p = Platform(seed=22)
    p.create_function("big", lambda e, c: None, memory_mb=1024, ephemeral_storage_mb=2560,
                      duration=Fixed(1000), init_duration=Fixed(0))
    p.publish_version("big")
    p.create_alias("big", "live", "1")
    p.put_provisioned_concurrency("big", "live", 2)
    p.run(Burst(2), function="big:live", duration_s=1, progress=False)  # both on PC
    p.invoke("big")  # $LATEST: on demand
    p.advance(3600 - p.now)
    lines = {line.name: line for line in p.cost("big").lines}
    ephemeral = next(v for k, v in lines.items() if "phemeral" in k)
    assert ephemeral.quantity == pytest.approx(3 * 1.0 * 2.0)  # 3 s × 2 GB above 512 MB
    pc = [v for k, v in lines.items() if "rovisioned" in k or "PC" in k]
    quantities = sorted(v.quantity for v in pc)
    assert quantities == pytest.approx([2.0, 2 * 3600.0])  # PC duration 2 GB-s; 2 envs × 1 h
    on_demand = [v for k, v in lines.items() if v.quantity == pytest.approx(1.0)]
    assert on_demand  # the $LATEST call: 1 s × 1 GB on demand


def test_client_context_reaches_the_handler_of_a_synchronous_invoke() -> None:
    p = Platform(seed=23)
    p.create_function("cc", lambda e, c: [c.client_context, c.tenant_id])
    assert p.invoke("cc", {}, client_context={"custom": {"k": 1}}).payload == [
        {"custom": {"k": 1}}, None]
    assert p.invoke("cc", {}).payload == [None, None]


def test_run_without_duration_drains_retries_to_their_end() -> None:
    dlq: list[dict] = []
    p = Platform(seed=24)
    p.create_function("boom", "app.handler", dead_letter=dlq,
                      source="def handler(event, context):\n    raise RuntimeError('x')\n")
    p.invoke_async("boom", {})
    p.run()
    assert [r.attempt for r in p.records("boom")] == [0, 1, 2]
    assert p.event_outcomes() == {"dead-lettered": 1} and len(dlq) == 1


def test_invoke_accepts_every_function_name_form_aws_accepts() -> None:
    p = Platform(seed=26)
    p.create_function("f", lambda e, c: c.invoked_function_arn)
    v1 = p.publish_version("f")
    arn = "arn:aws:lambda:us-east-1:123456789012:function:f"
    for ref, qualifier, version in [("f", None, "$LATEST"), ("f:1", None, v1),
                                    ("123456789012:function:f", None, "$LATEST"),
                                    ("123456789012:function:f:1", None, v1),
                                    (arn, None, "$LATEST"), (f"{arn}:1", None, v1),
                                    ("f", "1", v1), ("f:1", "1", v1)]:
        assert p.invoke(ref, qualifier=qualifier).executed_version == version, ref
    with pytest.raises(InvalidParameterValueException, match="does not match Qualifier"):
        p.invoke("f:1", qualifier="$LATEST")
    with pytest.raises(InvalidParameterValueException, match="partial ARN"):
        p.invoke("not a name")
