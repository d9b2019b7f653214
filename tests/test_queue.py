"""Behaviour of the in-memory SQS queue: visibility, receive counts, redrive, retention, FIFO."""

from __future__ import annotations

import json
import re

import pytest

from lambdakit import Fixed, Platform
from lambdakit.errors import InvalidParameterValueException, ResourceConflictException
from lambdakit.services import ServiceError
from lambdakit.services.queue import Queue, lambda_message_attributes


def _attrs(q: Queue) -> dict[str, str]:
    return q.get_queue_attributes(AttributeNames=["All"])["Attributes"]


def _counts(q: Queue) -> tuple[int, int, int]:
    a = _attrs(q)
    return (int(a["ApproximateNumberOfMessages"]), int(a["ApproximateNumberOfMessagesNotVisible"]),
            int(a["ApproximateNumberOfMessagesDelayed"]))


def _receive(q: Queue, n: int = 10, **kw: object) -> list[dict]:
    return q.receive_message(MaxNumberOfMessages=n, AttributeNames=["All"], **kw).get(
        "Messages", [])


# -- identity and registration ----------------------------------------------------------------
def test_url_arn_and_registration() -> None:
    p = Platform(seed=1, region="eu-west-1", account_id="111122223333")
    q = Queue(p, "jobs")
    assert q.url == "https://sqs.eu-west-1.amazonaws.com/111122223333/jobs"
    assert q.arn == "arn:aws:sqs:eu-west-1:111122223333:jobs"
    assert p.service("sqs", "jobs") is q
    assert _attrs(q)["QueueArn"] == q.arn
    with pytest.raises(ResourceConflictException):
        Queue(p, "jobs")


def test_wrong_queue_url_is_rejected_and_the_right_one_accepted() -> None:
    q = Queue(Platform(), "jobs")
    q.send_message(QueueUrl=q.url, MessageBody="x")
    with pytest.raises(ServiceError) as err:
        q.send_message(QueueUrl=q.url + "-other", MessageBody="x")
    assert err.value.code == "AWS.SimpleQueueService.NonExistentQueue"


@pytest.mark.parametrize("kwargs, field", [
    ({"name": "bad name"}, "QueueName"),
    ({"name": "x" * 81}, "QueueName"),
    ({"visibility_timeout_s": 43_201}, "VisibilityTimeout"),
    ({"message_retention_s": 59}, "MessageRetentionPeriod"),
    ({"message_retention_s": 1_209_601}, "MessageRetentionPeriod"),
    ({"delay_s": 901}, "DelaySeconds"),
    ({"receive_wait_s": 21}, "ReceiveMessageWaitTimeSeconds"),
    ({"content_based_deduplication": True}, "ContentBasedDeduplication"),
])
def test_queue_settings_are_validated(kwargs: dict, field: str) -> None:
    p = Platform()
    kwargs = {"name": "q", **kwargs}
    with pytest.raises(InvalidParameterValueException) as err:
        Queue(p, **kwargs)
    assert str(err.value).startswith(field)
    assert p.service("sqs", kwargs["name"]) is None  # nothing half-registered


def test_defaults_match_sqs() -> None:
    a = _attrs(Queue(Platform(), "q"))
    assert a["VisibilityTimeout"] == "30"
    assert a["MessageRetentionPeriod"] == "345600"  # 4 days
    assert a["DelaySeconds"] == "0"
    assert "FifoQueue" not in a


# -- send / receive / delete -------------------------------------------------------------------
def test_send_receive_delete_round_trip() -> None:
    p = Platform(seed=1)
    q = Queue(p, "jobs")
    sent = q.send_message(MessageBody="hello")
    assert sent["MD5OfMessageBody"] == "5d41402abc4b2a76b9719d911017c592"
    assert len(sent["MessageId"]) == 36 and sent["MessageId"][14] == "4"
    (msg,) = _receive(q)
    assert msg["MessageId"] == sent["MessageId"] and msg["Body"] == "hello"
    assert msg["ReceiptHandle"].startswith("AQEB")
    assert msg["Attributes"]["ApproximateReceiveCount"] == "1"
    assert msg["Attributes"]["SenderId"] == p.account_id
    assert int(msg["Attributes"]["SentTimestamp"]) == int(p.epoch_s * 1000)
    assert _counts(q) == (0, 1, 0)
    q.delete_message(ReceiptHandle=msg["ReceiptHandle"])
    assert _counts(q) == (0, 0, 0) and len(q) == 0
    assert q.deleted == [sent["MessageId"]]
    assert q.receive_message() == {}  # boto3 leaves out "Messages" when there are none


def test_attributes_only_when_asked() -> None:
    q = Queue(Platform(), "q")
    q.send_message(MessageBody="x")
    (msg,) = q.receive_message(MessageSystemAttributeNames=["ApproximateReceiveCount"])["Messages"]
    assert msg["Attributes"] == {"ApproximateReceiveCount": "1"}
    p2 = Platform()
    q2 = Queue(p2, "q")
    q2.send_message(MessageBody="x")
    assert "Attributes" not in q2.receive_message()["Messages"][0]


def test_max_number_of_messages_caps_a_receive() -> None:
    q = Queue(Platform(), "q")
    for i in range(15):
        q.send_message(MessageBody=str(i))
    assert len(_receive(q, 10)) == 10
    assert len(_receive(q, 10)) == 5
    with pytest.raises(InvalidParameterValueException, match=re.escape(
            "MaxNumberOfMessages=11 is not valid: MaxNumberOfMessages must be between 1 and 10 "
            "[SQS:API_ReceiveMessage]")):
        q.receive_message(MaxNumberOfMessages=11)


def test_standard_queue_serves_oldest_first() -> None:
    q = Queue(Platform(), "q")
    for i in range(5):
        q.send_message(MessageBody=str(i))
    assert [m["Body"] for m in _receive(q)] == ["0", "1", "2", "3", "4"]


@pytest.mark.parametrize("body", ["", None, 42, "bad \x00 char"])
def test_invalid_bodies_are_rejected(body: object) -> None:
    with pytest.raises(InvalidParameterValueException, match="MessageBody"):
        Queue(Platform(), "q").send_message(MessageBody=body)  # type: ignore[arg-type]


def test_message_size_limit() -> None:
    q = Queue(Platform(), "q", maximum_message_size=1024)
    q.send_message(MessageBody="x" * 1024)
    with pytest.raises(InvalidParameterValueException, match="1024 bytes"):
        q.send_message(MessageBody="x" * 1025)


# -- visibility timeout and receipt handles -----------------------------------------------------
def test_visibility_timeout_hides_then_returns_with_a_higher_receive_count() -> None:
    p = Platform()
    q = Queue(p, "q", visibility_timeout_s=30)
    q.send_message(MessageBody="x")
    first = _receive(q)[0]
    p.advance(29.9)
    assert _receive(q) == [] and _counts(q) == (0, 1, 0)
    p.advance(0.2)
    assert _counts(q) == (1, 0, 0)
    second = _receive(q)[0]
    assert second["MessageId"] == first["MessageId"]
    assert second["Attributes"]["ApproximateReceiveCount"] == "2"
    assert second["Attributes"]["ApproximateFirstReceiveTimestamp"] == \
        first["Attributes"]["ApproximateFirstReceiveTimestamp"]
    assert second["ReceiptHandle"] != first["ReceiptHandle"]


def test_receive_visibility_timeout_overrides_the_queue_default() -> None:
    p = Platform()
    q = Queue(p, "q", visibility_timeout_s=30)
    q.send_message(MessageBody="x")
    _receive(q, VisibilityTimeout=5)
    p.advance(5)
    assert len(_receive(q)) == 1


def test_only_the_latest_receipt_handle_deletes() -> None:
    p = Platform()
    q = Queue(p, "q", visibility_timeout_s=10)
    q.send_message(MessageBody="x")
    old = _receive(q)[0]["ReceiptHandle"]
    p.advance(11)
    new = _receive(q)[0]["ReceiptHandle"]
    q.delete_message(ReceiptHandle=old)  # succeeds, deletes nothing (DeleteMessage API)
    assert len(q) == 1
    q.delete_message(ReceiptHandle=new)
    assert len(q) == 0
    q.delete_message(ReceiptHandle=new)  # deleting again is fine
    with pytest.raises(ServiceError) as err:
        q.delete_message(ReceiptHandle="AQEBnot-a-handle")
    assert err.value.code == "ReceiptHandleIsInvalid"


def test_change_message_visibility() -> None:
    p = Platform()
    q = Queue(p, "q", visibility_timeout_s=30)
    q.send_message(MessageBody="x")
    h = _receive(q)[0]["ReceiptHandle"]
    q.change_message_visibility(ReceiptHandle=h, VisibilityTimeout=0)
    msg = _receive(q)[0]
    assert msg["Attributes"]["ApproximateReceiveCount"] == "2"
    q.change_message_visibility(ReceiptHandle=msg["ReceiptHandle"], VisibilityTimeout=100)
    p.advance(99)
    assert _receive(q) == []
    p.advance(2)
    assert len(_receive(q)) == 1
    with pytest.raises(ServiceError) as err:  # an old handle: that receive is over
        q.change_message_visibility(ReceiptHandle=h, VisibilityTimeout=5)
    assert err.value.code == "AWS.SimpleQueueService.MessageNotInflight"
    with pytest.raises(InvalidParameterValueException, match=re.escape(
            "VisibilityTimeout=43201 is not valid: VisibilityTimeout must be between 0 and "
            "43,200 s (1 s steps) [SQS:API_SetQueueAttributes]")):
        q.change_message_visibility(ReceiptHandle=h, VisibilityTimeout=43_201)


def test_delay_seconds_per_message_and_per_queue() -> None:
    p = Platform()
    q = Queue(p, "q", delay_s=10)
    q.send_message(MessageBody="queue default")
    q.send_message(MessageBody="now", DelaySeconds=0)
    q.send_message(MessageBody="later", DelaySeconds=60)
    assert _counts(q) == (1, 0, 2)

    def bodies() -> list[str]:
        got = _receive(q)
        for m in got:
            q.delete_message(ReceiptHandle=m["ReceiptHandle"])
        return [m["Body"] for m in got]

    assert bodies() == ["now"]
    p.advance(10)
    assert bodies() == ["queue default"]
    p.advance(49)
    assert bodies() == []
    p.advance(1)
    assert bodies() == ["later"]
    with pytest.raises(InvalidParameterValueException, match=re.escape(
            "DelaySeconds=901 is not valid: DelaySeconds must be between 0 and 900 s "
            "(1 s steps) [SQS:API_SetQueueAttributes]")):
        q.send_message(MessageBody="x", DelaySeconds=901)


# -- redrive and retention ----------------------------------------------------------------------
def test_redrive_moves_a_message_after_max_receive_count_receives() -> None:
    p = Platform()
    dlq = Queue(p, "dlq")
    q = Queue(p, "q", visibility_timeout_s=5, dead_letter=dlq, max_receive_count=3)
    sent = q.send_message(MessageBody="poison")
    for n in (1, 2, 3):
        (m,) = _receive(q)
        assert m["Attributes"]["ApproximateReceiveCount"] == str(n)
        p.advance(5)
    assert _receive(q) == []  # the 4th attempt finds it past maxReceiveCount: moved
    assert len(q) == 0 and q.redriven == [sent["MessageId"]]
    (moved,) = _receive(dlq)
    assert moved["MessageId"] == sent["MessageId"] and moved["Body"] == "poison"
    assert moved["Attributes"]["SentTimestamp"] == str(int(p.epoch_s * 1000))
    policy = json.loads(_attrs(q)["RedrivePolicy"])
    assert policy == {"deadLetterTargetArn": dlq.arn, "maxReceiveCount": 3}


def test_redrive_policy_is_validated() -> None:
    p = Platform()
    std = Queue(p, "std")
    fifo = Queue(p, "f.fifo")
    with pytest.raises(InvalidParameterValueException, match="deadLetterTargetArn"):
        Queue(p, "src.fifo", dead_letter=std, max_receive_count=3)
    with pytest.raises(InvalidParameterValueException, match="deadLetterTargetArn"):
        Queue(p, "src", dead_letter=fifo, max_receive_count=3)
    with pytest.raises(InvalidParameterValueException, match=re.escape(
            "maxReceiveCount=0 is not valid: RedrivePolicy maxReceiveCount must be between 1 "
            "and 1,000 [SQS:sqs-dead-letter-queues.html]")):
        Queue(p, "src", dead_letter=std, max_receive_count=0)
    with pytest.raises(InvalidParameterValueException, match="RedrivePolicy"):
        Queue(p, "src", dead_letter=std)


def test_retention_expires_old_messages_visibly() -> None:
    p = Platform()
    q = Queue(p, "q", message_retention_s=60)
    q.send_message(MessageBody="old")
    p.advance(30)
    q.send_message(MessageBody="young")
    p.advance(30)
    assert [m["Body"] for m in _receive(q)] == ["young"]
    assert [v.body for v in q.expired] == ["old"]  # gone, but not silently


def test_dead_letter_keeps_the_original_enqueue_time_for_retention() -> None:
    p = Platform()
    dlq = Queue(p, "dlq", message_retention_s=120)
    q = Queue(p, "q", visibility_timeout_s=100, dead_letter=dlq, max_receive_count=1)
    q.send_message(MessageBody="x")
    _receive(q)
    p.advance(100)
    _receive(q)  # moved at t=100
    assert len(dlq) == 1
    p.advance(20)  # 120 s after the original send, not after the move
    assert len(dlq) == 0 and [v.body for v in dlq.expired] == ["x"]


# -- FIFO ----------------------------------------------------------------------------------------
def test_fifo_keeps_group_order_and_locks_a_group_in_flight() -> None:
    p = Platform()
    q = Queue(p, "orders.fifo", visibility_timeout_s=10)
    for i in range(4):
        for g in ("a", "b"):
            q.send_message(MessageBody=f"{g}{i}", MessageGroupId=g,
                           MessageDeduplicationId=f"{g}{i}")
    first = _receive(q, 3)
    assert [m["Body"] for m in first] == ["a0", "a1", "a2"]  # as many of one group as possible
    second = _receive(q, 10)
    assert [m["Body"] for m in second] == ["b0", "b1", "b2", "b3"]  # a is locked
    assert _receive(q) == []
    for m in first[:2] + second:
        q.delete_message(ReceiptHandle=m["ReceiptHandle"])
    assert _receive(q) == []  # a2 still in flight: a3 must wait
    p.advance(10)  # a2's visibility runs out
    assert [m["Body"] for m in _receive(q, 10)] == ["a2", "a3"]
    attrs = second[0]["Attributes"]
    assert attrs["MessageGroupId"] == "b" and attrs["MessageDeduplicationId"] == "b0"
    assert len(attrs["SequenceNumber"]) == 20


def test_fifo_group_stays_locked_while_any_of_its_messages_is_in_flight() -> None:
    p = Platform()
    q = Queue(p, "q.fifo", visibility_timeout_s=30, content_based_deduplication=True)
    for i in range(2):
        q.send_message(MessageBody=f"a{i}", MessageGroupId="a")
    a0, a1 = _receive(q)
    q.change_message_visibility(ReceiptHandle=a0["ReceiptHandle"], VisibilityTimeout=0)
    assert _receive(q) == []  # a0 is visible again, but a1 of its group is still in flight
    q.change_message_visibility(ReceiptHandle=a1["ReceiptHandle"], VisibilityTimeout=0)
    assert [m["Body"] for m in _receive(q)] == ["a0", "a1"]


def test_fifo_sequence_numbers_increase() -> None:
    q = Queue(Platform(), "q.fifo", content_based_deduplication=True)
    seqs = [int(q.send_message(MessageBody=str(i), MessageGroupId="g")["SequenceNumber"])
            for i in range(5)]
    assert seqs == sorted(seqs) and len(set(seqs)) == 5


def test_fifo_deduplication_window_is_five_minutes() -> None:
    p = Platform()
    q = Queue(p, "q.fifo")
    a = q.send_message(MessageBody="x", MessageGroupId="g", MessageDeduplicationId="d1")
    b = q.send_message(MessageBody="x", MessageGroupId="g", MessageDeduplicationId="d1")
    assert a["MessageId"] == b["MessageId"] and len(q) == 1 and q.deduplicated == 1
    p.advance(299)
    q.send_message(MessageBody="x", MessageGroupId="g", MessageDeduplicationId="d1")
    assert len(q) == 1
    p.advance(1)
    c = q.send_message(MessageBody="x", MessageGroupId="g", MessageDeduplicationId="d1")
    assert c["MessageId"] != a["MessageId"] and len(q) == 2


def test_content_based_deduplication_hashes_the_body() -> None:
    q = Queue(Platform(), "q.fifo", content_based_deduplication=True)
    q.send_message(MessageBody="same", MessageGroupId="g")
    q.send_message(MessageBody="same", MessageGroupId="other")
    q.send_message(MessageBody="different", MessageGroupId="g")
    assert len(q) == 2
    assert _attrs(q)["ContentBasedDeduplication"] == "true" and _attrs(q)["FifoQueue"] == "true"


def test_fifo_send_rules() -> None:
    q = Queue(Platform(), "q.fifo")
    with pytest.raises(InvalidParameterValueException, match="MessageGroupId"):
        q.send_message(MessageBody="x", MessageDeduplicationId="d")
    with pytest.raises(InvalidParameterValueException, match="MessageDeduplicationId"):
        q.send_message(MessageBody="x", MessageGroupId="g")
    with pytest.raises(InvalidParameterValueException, match="DelaySeconds"):
        q.send_message(MessageBody="x", MessageGroupId="g", MessageDeduplicationId="d",
                       DelaySeconds=5)
    with pytest.raises(InvalidParameterValueException, match="MessageDeduplicationId"):
        Queue(Platform(), "std").send_message(MessageBody="x", MessageDeduplicationId="d")


# -- batches and attributes ----------------------------------------------------------------------
def test_send_message_batch_reports_each_entry() -> None:
    q = Queue(Platform(), "q")
    res = q.send_message_batch(Entries=[
        {"Id": "a", "MessageBody": "one"},
        {"Id": "b", "MessageBody": ""},
        {"Id": "c", "MessageBody": "three", "DelaySeconds": 2},
    ])
    assert [e["Id"] for e in res["Successful"]] == ["a", "c"]
    assert [(e["Id"], e["SenderFault"]) for e in res["Failed"]] == [("b", True)]
    assert len(q) == 2
    with pytest.raises(InvalidParameterValueException, match=re.escape(
            "len(Entries)=11 is not valid: The number of entries of a batch call must be "
            "between 1 and 10 [SQS:sqs-quotas.html]")):
        q.send_message_batch(Entries=[{"Id": str(i), "MessageBody": "x"} for i in range(11)])
    with pytest.raises(ServiceError) as err:
        q.send_message_batch(Entries=[{"Id": "a", "MessageBody": "x"}] * 2)
    assert err.value.code == "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"


def test_delete_message_batch() -> None:
    q = Queue(Platform(), "q")
    for i in range(3):
        q.send_message(MessageBody=str(i))
    msgs = _receive(q)
    res = q.delete_message_batch(Entries=[
        *({"Id": f"m{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(msgs)),
        {"Id": "bad", "ReceiptHandle": "nope"}])
    assert len(res["Successful"]) == 3 and res["Failed"][0]["Code"] == "ReceiptHandleIsInvalid"
    assert len(q) == 0


def test_message_attributes_round_trip_with_md5() -> None:
    q = Queue(Platform(), "q")
    attrs = {"kind": {"DataType": "String", "StringValue": "order"},
             "n": {"DataType": "Number", "StringValue": "3"},
             "raw": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}}
    sent = q.send_message(MessageBody="x", MessageAttributes=attrs)
    reordered = dict(reversed(list(attrs.items())))
    again = q.send_message(MessageBody="y", MessageAttributes=reordered)
    assert sent["MD5OfMessageAttributes"] == again["MD5OfMessageAttributes"]
    changed = q.send_message(MessageBody="z", MessageAttributes={
        **attrs, "n": {"DataType": "Number", "StringValue": "4"}})
    assert changed["MD5OfMessageAttributes"] != sent["MD5OfMessageAttributes"]
    (msg, *_) = q.receive_message(MaxNumberOfMessages=1,
                                  MessageAttributeNames=["All"])["Messages"]
    assert msg["MessageAttributes"] == attrs
    assert msg["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    (only,) = q.receive_message(MessageAttributeNames=["kind"])["Messages"]
    assert list(only["MessageAttributes"]) == ["kind"]
    assert lambda_message_attributes(attrs)["raw"] == {
        "binaryValue": "AAE=", "stringListValues": [], "binaryListValues": [],
        "dataType": "Binary"}


@pytest.mark.parametrize("attrs, field", [
    ({"AWS.x": {"DataType": "String", "StringValue": "v"}}, "MessageAttributes.Name"),
    ({"a": {"DataType": "Text", "StringValue": "v"}}, "DataType"),
    ({"a": {"DataType": "Number", "StringValue": "x"}}, "StringValue"),
    ({str(i): {"DataType": "String", "StringValue": "v"} for i in range(11)}, "MessageAttributes"),
])
def test_message_attributes_are_validated(attrs: dict, field: str) -> None:
    with pytest.raises(InvalidParameterValueException, match=field):
        Queue(Platform(), "q").send_message(MessageBody="x", MessageAttributes=attrs)


# -- determinism, latency, faults and long polling -------------------------------------------------
def test_ids_and_handles_are_deterministic_per_seed() -> None:
    def run(seed: int) -> list[str]:
        q = Queue(Platform(seed=seed), "q")
        ids = [q.send_message(MessageBody=str(i))["MessageId"] for i in range(3)]
        return ids + [m["ReceiptHandle"] for m in _receive(q)]

    assert run(1) == run(1)
    assert set(run(1)).isdisjoint(run(2))


def test_calls_from_a_handler_take_simulated_time_and_can_fail() -> None:
    p = Platform(seed=1)
    q = Queue(p, "q", latency_s=0.02)

    def handler(event, context):  # noqa: ANN001, ANN202
        for i in range(10):
            q.send_message(MessageBody=str(i))
        return "sent"

    p.create_function("sender", handler, duration=Fixed(100))
    res = p.invoke("sender")
    assert res.payload == "sent" and len(q) == 10
    assert p.records()[res.record_index].duration_ms == pytest.approx(100 + 10 * 20)
    q.inject_failure("SendMessage", count=1)
    bad = p.invoke("sender")
    assert bad.function_error == "Unhandled" and "ServiceUnavailable" in bad.payload["errorMessage"]
    assert len(q) == 10  # the failed call sent nothing


def test_long_polling_inside_a_handler_waits_on_the_virtual_clock() -> None:
    p = Platform(seed=1)
    q = Queue(p, "q", latency_s=0.0)
    q.send_message(MessageBody="soon", DelaySeconds=3)

    def handler(event, context):  # noqa: ANN001, ANN202
        got = q.receive_message(WaitTimeSeconds=event["wait"])
        return [m["Body"] for m in got.get("Messages", [])]

    p.create_function("poll", handler, duration=Fixed(10), timeout_s=30)
    short = p.invoke("poll", {"wait": 1})
    assert short.payload == []
    assert p.records()[short.record_index].duration_ms == pytest.approx(1010)
    long = p.invoke("poll", {"wait": 20})
    assert long.payload == ["soon"]
    rec = p.records()[long.record_index]
    assert rec.start_s + rec.duration_ms / 1000 == pytest.approx(3.0 + 0.01, abs=1e-6)
    assert q.receive_message(WaitTimeSeconds=20) == {}  # outside a handler: returns at once
