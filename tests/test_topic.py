"""Topic (SNS): fan-out to functions (async path) and queues (envelope, raw, retries)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambdakit import Platform, events
from lambdakit.errors import InvalidParameterValueException, ResourceNotFoundException
from lambdakit.services import ServiceError, Topic
from lambdakit.services import topic as topic_module
from lambdakit.services.queue import Queue


def _shape(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _shape(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_shape(v) for v in x[:1]]
    return type(x).__name__


def _platform(*names: str, fail: bool = False, **kw: Any) -> tuple[Platform, dict[str, list]]:
    p = Platform(seed=5)
    seen: dict[str, list[Any]] = {}
    for name in names:
        seen[name] = []

        def handler(event: dict[str, Any], context: Any, _n: str = name) -> None:
            seen[_n].append(event)
            if fail:
                raise RuntimeError("down")

        p.create_function(name, handler=handler, **kw)
    return p, seen


def test_fan_out_to_functions_with_one_message_id_and_own_subscription_arns() -> None:
    p, seen = _platform("a", "b")
    t = Topic(p, "orders")
    sub_a, sub_b = t.subscribe("a"), t.subscribe("b")
    assert sub_a.startswith(t.arn + ":") and sub_a != sub_b
    p.advance(30.0)
    mid = t.publish(TopicArn=t.arn, Message="shipped",
                    MessageAttributes={"priority": {"DataType": "Number", "StringValue": "2"},
                                       "raw": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}})
    p.advance(5.0)
    ev_a, ev_b = seen["a"][0], seen["b"][0]
    assert _shape(ev_a) == _shape(events.sns("x", attributes={"priority": 2, "raw": b"\x00"}))
    na, nb = ev_a["Records"][0]["Sns"], ev_b["Records"][0]["Sns"]
    assert na["MessageId"] == nb["MessageId"] == mid["MessageId"]
    assert ev_a["Records"][0]["EventSubscriptionArn"] == sub_a
    assert ev_b["Records"][0]["EventSubscriptionArn"] == sub_b
    assert na["UnsubscribeUrl"].endswith(f"SubscriptionArn={sub_a}")
    assert na["Subject"] is None and na["Message"] == "shipped"
    assert na["Timestamp"] == "2026-01-01T00:00:30.000Z"
    assert na["TopicArn"] == "arn:aws:sns:us-east-1:123456789012:orders"
    assert na["MessageAttributes"] == {"priority": {"Type": "Number", "Value": "2"},
                                       "raw": {"Type": "Binary", "Value": "AAE="}}
    assert set(p.records().column("source")) == {"sns"}
    assert [d.protocol for d in t.deliveries] == ["lambda", "lambda"]


def test_publish_is_validated() -> None:
    p, _ = _platform("a")
    t = Topic(p, "orders")
    cases: list[dict[str, Any]] = [
        {"Message": ""},
        {"Message": "x" * 262_145},
        {"Message": "m", "Subject": "x" * 101},
        {"Message": "m", "Subject": "two\nlines"},
        {"Message": "m", "MessageAttributes": {str(i): {"DataType": "String", "StringValue": "v"}
                                               for i in range(11)}},
        {"Message": "m", "MessageAttributes": {"n": {"DataType": "Number", "StringValue": "x"}}},
        {"Message": "m", "MessageAttributes": {"n": {"DataType": "Blob", "StringValue": "x"}}},
    ]
    for kwargs in cases:
        with pytest.raises(InvalidParameterValueException):
            t.publish(**kwargs)
    with pytest.raises(ServiceError) as err:
        t.publish(TopicArn="arn:aws:sns:us-east-1:123456789012:other", Message="m")
    assert err.value.code == "NotFound"
    with pytest.raises(ResourceNotFoundException):
        t.subscribe("missing")
    with pytest.raises(InvalidParameterValueException):
        Topic(p, "orders.fifo")
    assert t.publish(Message="m", Subject="Order shipped!")["MessageId"]


def test_queue_subscription_gets_the_sns_envelope() -> None:
    p, _ = _platform()
    t = Topic(p, "orders")
    q = Queue(p, "orders-q")
    t.subscribe_queue(q)
    mid = t.publish(Message="hello")["MessageId"]
    msgs = q.receive_message(MaxNumberOfMessages=10)["Messages"]
    assert len(msgs) == 1
    env = json.loads(msgs[0]["Body"])
    assert list(env) == ["Type", "MessageId", "TopicArn", "Message", "Timestamp",
                         "SignatureVersion", "Signature", "SigningCertURL", "UnsubscribeURL"]
    assert env["Type"] == "Notification" and env["MessageId"] == mid
    assert env["Message"] == "hello" and env["TopicArn"] == t.arn
    t.publish(Message="again", Subject="Hi",
              MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}})
    env2 = json.loads(q.receive_message()["Messages"][0]["Body"])
    assert env2["Subject"] == "Hi" and env2["MessageAttributes"] == {
        "k": {"Type": "String", "Value": "v"}}
    subs = t.list_subscriptions_by_topic(TopicArn=t.arn)["Subscriptions"]
    assert subs[0]["Protocol"] == "sqs" and subs[0]["Endpoint"] == q.arn


def test_raw_message_delivery_sends_the_bare_message_and_attributes() -> None:
    p, _ = _platform()
    t = Topic(p, "orders")
    q = Queue(p, "raw-q")
    t.subscribe_queue(q, raw_message_delivery=True)
    t.publish(Message='{"id": 7}',
              MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}})
    msg = q.receive_message(MessageAttributeNames=["All"])["Messages"][0]
    assert msg["Body"] == '{"id": 7}'
    assert msg["MessageAttributes"]["k"]["StringValue"] == "v"


def test_publish_inside_a_handler_reaches_the_queue_after_it_without_charging_it() -> None:
    p = Platform(seed=9)
    q = Queue(p, "out-q", latency_s=5.0)
    t = Topic(p, "events", latency_s=0.0)
    t.subscribe_queue(q)
    p.create_function("pub", handler=lambda e, c: t.publish(Message="from handler"),
                      duration=None)
    p.invoke_async("pub", {})
    p.advance(10.0)
    rec = p.records("pub")[0]
    assert rec.outcome == "ok" and rec.duration_ms < 1000.0  # not charged the queue's 5 s
    assert len(q) == 1 and t.pending_deliveries == 0


def test_queue_faults_are_retried_on_the_sns_schedule() -> None:
    p, _ = _platform()
    t = Topic(p, "orders")
    q = Queue(p, "flaky-q")
    t.subscribe_queue(q)
    q.inject_failure("SendMessage", count=6)
    t.publish(Message="persist")
    assert len(q) == 0 and t.pending_deliveries == 1
    p.advance(10.0)
    assert len(q) == 1 and t.pending_deliveries == 0
    d = t.deliveries[-1]
    # first try + 3 immediate retries + 2 at 1 s + 1st backoff retry at 1 s
    assert d.attempts == 7 and d.time_s == pytest.approx(3.0)
    assert [topic_module.retry_delay_s(n) for n in (1, 4, 6, 10, 15, 16, 10_000)] == [
        0.0, 1.0, 1.0, pytest.approx(3.78, abs=0.01), 20.0, 20.0, 20.0]


def test_exhausted_queue_delivery_is_kept_as_undeliverable(monkeypatch: Any) -> None:
    monkeypatch.setattr(topic_module, "MAX_ATTEMPTS", 3)
    p, _ = _platform()
    t = Topic(p, "orders")
    q = Queue(p, "dead-q")
    t.subscribe_queue(q)
    q.inject_failure("SendMessage", count=10)
    t.publish(Message="lost?")
    p.advance(60.0)
    assert len(q) == 0 and t.pending_deliveries == 0
    assert len(t.undeliverable) == 1
    lost = t.undeliverable[0]
    assert lost["attempts"] == 3 and json.loads(lost["MessageBody"])["Message"] == "lost?"


def test_failing_function_subscriber_uses_the_async_retries_and_dlq() -> None:
    dlq: list[dict[str, Any]] = []
    p, seen = _platform("a", fail=True, maximum_retry_attempts=1, dead_letter=dlq)
    t = Topic(p, "orders")
    t.subscribe("a")
    t.publish(Message="boom")
    p.advance(200.0)
    assert len(seen["a"]) == 2 and p.event_outcomes() == {"dead-lettered": 1}
    assert dlq[0]["body"]["Records"][0]["Sns"]["Message"] == "boom"


def test_unsubscribe_stops_deliveries() -> None:
    p, seen = _platform("a")
    t = Topic(p, "orders")
    sub = t.subscribe("a")
    t.unsubscribe(sub)
    t.publish(Message="nobody")
    p.advance(5.0)
    assert seen["a"] == [] and t.deliveries == []
    with pytest.raises(ServiceError):
        t.unsubscribe(sub)


def test_stub_queue_object_is_enough() -> None:
    class Stub:
        name, arn = "stub", "arn:aws:sqs:us-east-1:123456789012:stub"

        def __init__(self) -> None:
            self.bodies: list[str] = []

        def send_message(self, QueueUrl: str | None = None, MessageBody: str = "",  # noqa: N803
                         **kw: Any) -> dict[str, Any]:
            self.bodies.append(MessageBody)
            return {"MessageId": "x"}

    p, _ = _platform()
    t = Topic(p, "orders")
    stub = Stub()
    t.subscribe_queue(stub)
    t.publish(Message="m")
    assert json.loads(stub.bodies[0])["Message"] == "m"
    with pytest.raises(InvalidParameterValueException):
        t.subscribe_queue(object())  # type: ignore[arg-type]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages=st.lists(st.tuples(st.booleans(), st.integers(0, 4)), min_size=1, max_size=8))
def test_every_message_reaches_every_subscriber_or_a_failure_record(
        messages: list[tuple[bool, int]]) -> None:
    p = Platform(seed=13)
    failures: list[dict[str, Any]] = []

    def handler(event: dict[str, Any], context: Any) -> None:
        if event["Records"][0]["Sns"]["Message"].startswith("bad"):
            raise ValueError("poison")

    p.create_function("fn", handler=handler, maximum_retry_attempts=0, on_failure=failures)
    t = Topic(p, "fanout")
    q = Queue(p, "fanout-q")
    t.subscribe("fn")
    t.subscribe_queue(q)
    for i, (bad, faults) in enumerate(messages):
        if faults:
            q.inject_failure("SendMessage", count=faults)
        t.publish(Message=f"{'bad' if bad else 'ok'}-{i}")
        p.advance(3.0)
    p.advance(120.0)
    assert t.pending_deliveries == 0 and t.undeliverable == []
    assert len(q) == len(messages)
    outcomes = p.event_outcomes()
    assert set(outcomes) <= {"ok", "dead-lettered"}
    assert outcomes["dead-lettered"] == len(failures) == sum(bad for bad, _ in messages)


def test_function_without_permission_gets_nothing_and_the_message_is_kept() -> None:
    from lambdakit import iam

    p, seen = _platform("a")
    t = Topic(p, "orders")
    t.subscribe("a")
    iam.enforce_invoke_permissions(p)
    t.publish(Message="denied")
    p.advance(5.0)
    assert seen["a"] == [] and len(p.records()) == 0
    assert t.undeliverable[0]["error"] == "AccessDenied"
    assert t.undeliverable[0]["event"]["Sns"]["Message"] == "denied"
    iam.add_permission(p, "a", "sns.amazonaws.com", source_arn=t.arn)
    t.publish(Message="allowed")
    p.advance(5.0)
    assert [e["Records"][0]["Sns"]["Message"] for e in seen["a"]] == ["allowed"]
