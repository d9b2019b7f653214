"""StreamEventSourceMapping: polling, batching, ordering, retries, bisect, partial batch
responses, record age, on-failure records — and the never-lost / order properties."""

from __future__ import annotations

import base64
import json
import random
import time
from collections import defaultdict
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambdakit import Fixed, InvalidParameterValueException, Platform, ResourceNotFoundException
from lambdakit.esm.streams import StreamEventSourceMapping
from lambdakit.services.kinesis import KinesisStream
from lambdakit.services.queue import Queue
from lambdakit.services.table import Table


def _data(rec: dict[str, Any]) -> str:
    return base64.b64decode(rec["kinesis"]["data"]).decode()


def _seq(rec: dict[str, Any]) -> str:
    return rec["kinesis"]["sequenceNumber"] if "kinesis" in rec else (
        rec["dynamodb"]["SequenceNumber"])


class Recorder:
    """A handler that logs each batch it gets and fails on demand."""

    def __init__(self, fail: Any = None) -> None:
        self.batches: list[list[str]] = []
        self.fail = fail  # callable(batch_data, attempt_no) -> None | "raise" | dict response

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        data = [_data(r) for r in event["Records"]]
        self.batches.append(data)
        verdict = self.fail(event["Records"], len(self.batches)) if self.fail else None
        if verdict == "raise":
            raise RuntimeError("boom")
        return verdict

    @property
    def seen(self) -> list[str]:
        return [d for b in self.batches for d in b]


def _setup(shards: int = 1, fail: Any = None, duration_ms: float = 50, seed: int = 0,
           **mapping: Any) -> tuple[Platform, KinesisStream, Recorder, StreamEventSourceMapping]:
    p = Platform(seed=seed)
    h = Recorder(fail)
    p.create_function("f", h, duration=Fixed(duration_ms), timeout_s=10)
    s = KinesisStream(p, "events", shard_count=shards)
    m = StreamEventSourceMapping(p, s, "f", **mapping)
    return p, s, h, m


def _put(s: KinesisStream, n: int, key: str = "k", prefix: str = "r") -> list[str]:
    return [s.put_record(Data=f"{prefix}{i}", PartitionKey=key)["SequenceNumber"]
            for i in range(n)]


# -- polling and batching ---------------------------------------------------------------------

def test_kinesis_is_polled_once_a_second_and_dynamodb_four_times() -> None:
    p, s, h, m = _setup()
    p.advance(0.3)
    _put(s, 1)
    p.advance(2)
    assert m.batches[0].start_s == pytest.approx(1.0)

    p = Platform()
    p.create_function("g", lambda e, c: None)
    t = Table(p, "tbl", stream_view_type="KEYS_ONLY")
    m2 = StreamEventSourceMapping(p, t, "g")
    p.advance(0.3)
    t.put_item(Item={"id": {"S": "1"}})
    p.advance(1)
    assert m2.batches[0].start_s == pytest.approx(0.5)
    assert p.records("g").column("source")[0] == "dynamodb"


def test_batches_hold_at_most_batch_size_records_in_order() -> None:
    p, s, h, m = _setup(batch_size=100)
    _put(s, 250)
    p.advance(10)
    assert [len(b) for b in h.batches] == [100, 100, 50]
    assert h.seen == [f"r{i}" for i in range(250)]
    assert m.outcomes() == {"processed": 250, "discarded": 0, "pending": 0}


def test_batching_window_waits_for_a_full_batch_or_the_window() -> None:
    p, s, h, m = _setup(batch_size=10, maximum_batching_window_s=5)
    _put(s, 3)
    p.advance(4.5)
    assert h.batches == []
    p.advance(1)
    assert h.batches == [["r0", "r1", "r2"]] and m.batches[0].start_s == pytest.approx(5.0)
    _put(s, 10, prefix="x")  # a full batch does not wait
    p.advance(1.5)
    assert len(h.batches) == 2 and len(h.batches[1]) == 10


def test_starting_position_latest_skips_earlier_records() -> None:
    p = Platform()
    h1, h2 = Recorder(), Recorder()
    p.create_function("a", h1)
    p.create_function("b", h2)
    s = KinesisStream(p, "s")
    _put(s, 3, prefix="old")
    StreamEventSourceMapping(p, s, "a", starting_position="TRIM_HORIZON")
    StreamEventSourceMapping(p, s, "b", starting_position="LATEST")
    _put(s, 2, prefix="new")
    p.advance(5)
    assert h1.seen == ["old0", "old1", "old2", "new0", "new1"]
    assert h2.seen == ["new0", "new1"]


def _overlap(a: Any, b: Any) -> bool:
    return a.start_s < b.end_s and b.start_s < a.end_s


def test_one_batch_per_shard_at_a_time_but_shards_run_concurrently() -> None:
    p, s, h, m = _setup(shards=2, batch_size=5, duration_ms=1500)
    keys = ["a", "b", "c", "d", "e", "f"]
    for i in range(60):
        s.put_record(Data=f"r{i}", PartitionKey=keys[i % 6])
    p.advance(120)
    by_shard = defaultdict(list)
    for b in m.batches:
        by_shard[b.shard_id].append(b)
    assert len(by_shard) == 2
    for batches in by_shard.values():
        assert not any(_overlap(x, y) for i, x in enumerate(batches) for y in batches[i + 1:])
    a, b = by_shard.values()
    assert any(_overlap(x, y) for x in a for y in b)
    assert m.outcomes()["processed"] == 60


def test_parallelization_factor_runs_concurrent_batches_per_shard_in_key_order() -> None:
    p, s, h, m = _setup(batch_size=2, duration_ms=2000, parallelization_factor=4)
    for i in range(40):
        s.put_record(Data=f"{i % 8}:{i}", PartitionKey=f"key{i % 8}")
    p.advance(200)
    assert any(_overlap(x, y) for i, x in enumerate(m.batches) for y in m.batches[i + 1:])
    per_key = defaultdict(list)
    for d in h.seen:
        k, i = d.split(":")
        per_key[k].append(int(i))
    assert all(v == sorted(v) for v in per_key.values()) and len(h.seen) == 40
    assert {b.lane for b in m.batches} <= {0, 1, 2, 3} and len({b.lane for b in m.batches}) > 1


# -- errors -----------------------------------------------------------------------------------

def test_failed_batch_blocks_the_shard_and_is_retried_until_it_succeeds() -> None:
    p, s, h, m = _setup(batch_size=2, fail=lambda recs, n: "raise" if n <= 3 else None)
    _put(s, 4)
    p.advance(60)
    assert h.batches[:4] == [["r0", "r1"]] * 4  # three failures, then success
    assert h.batches[4] == ["r2", "r3"]
    assert m.outcomes()["processed"] == 4 and m.failures == []
    assert [b.outcome for b in m.batches] == ["error"] * 3 + ["ok", "ok"]
    gaps = [b.start_s - a.end_s for a, b in zip(m.batches, m.batches[1:3], strict=False)]
    assert gaps[1] > gaps[0]  # retries back off


def test_retries_run_out_and_the_batch_goes_to_the_on_failure_destination() -> None:
    dlq: list[dict[str, Any]] = []
    p, s, h, m = _setup(batch_size=3, maximum_retry_attempts=2, on_failure=dlq,
                        fail=lambda recs, n: "raise" if _data(recs[0]) == "r0" else None)
    seqs = _put(s, 5)
    p.advance(60)
    assert h.batches[:3] == [["r0", "r1", "r2"]] * 3 and h.batches[3] == ["r3", "r4"]
    (rec,) = dlq
    assert rec["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert rec["requestContext"]["approximateInvokeCount"] == 3
    assert rec["requestContext"]["functionArn"].endswith(":function:f")
    assert rec["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST",
                                      "functionError": "Unhandled"}
    info = rec["KinesisBatchInfo"]
    assert (info["startSequenceNumber"], info["endSequenceNumber"], info["batchSize"]) == (
        seqs[0], seqs[2], 3)
    assert info["shardId"] == "shardId-000000000000" and info["streamArn"] == s.arn
    assert info["approximateArrivalOfFirstRecord"] == "2026-01-01T00:00:00.000Z"
    assert set(rec) == {"requestContext", "responseContext", "version", "timestamp",
                        "KinesisBatchInfo"}
    assert m.discarded == seqs[:3] and m.processed == seqs[3:]


def test_zero_retries_discards_after_the_first_failure_and_timeouts_count() -> None:
    def slow(recs: list, n: int) -> None:
        time.sleep(20)  # virtual: past the 10 s timeout

    p, s, h, m = _setup(maximum_retry_attempts=0, fail=slow)
    _put(s, 2)
    p.advance(60)
    assert len(h.batches) == 1 and m.batches[0].outcome == "timeout"
    assert m.failures[0]["requestContext"]["approximateInvokeCount"] == 1
    assert m.outcomes() == {"processed": 0, "discarded": 2, "pending": 0}


def test_maximum_record_age_discards_old_records() -> None:
    p, s, h, m = _setup(maximum_record_age_s=60, fail=lambda recs, n: "raise")
    _put(s, 1)
    p.advance(59)
    assert m.failures == []
    p.advance(60)
    (rec,) = m.failures
    assert rec["requestContext"]["condition"] == "RecordAgeExceeded"
    assert m.outcomes()["discarded"] == 1
    assert all(b.start_s <= 61 for b in m.batches)  # no invocations after the discard


def test_default_retries_block_a_dynamodb_shard_until_records_expire_after_24_hours() -> None:
    p = Platform(seed=1)
    seen: list[str] = []

    def handler(event: dict[str, Any], context: Any) -> None:
        seen.extend(r["dynamodb"]["Keys"]["id"]["S"] for r in event["Records"])
        if any(r["dynamodb"]["Keys"]["id"]["S"] == "poison" for r in event["Records"]):
            raise ValueError("poison")

    p.create_function("f", handler, duration=Fixed(10))
    t = Table(p, "tbl", stream_view_type="KEYS_ONLY")
    sqs = Queue(p, "dlq")
    m = StreamEventSourceMapping(p, t, "f", batch_size=1, on_failure=sqs)
    t.put_item(Item={"id": {"S": "poison"}})
    p.advance(3600)
    t.put_item(Item={"id": {"S": "fine"}})
    p.advance(22 * 3600)
    assert "fine" not in seen  # the shard is blocked behind the poison record
    p.advance(2 * 3600)
    assert seen[-1] == "fine" and m.outcomes()["processed"] == 1
    body = json.loads(sqs.receive_message()["Messages"][0]["Body"])
    assert body["requestContext"]["condition"] == "RecordAgeExceeded"
    info = body["DDBStreamBatchInfo"]
    assert info["approximateArrivalOfFirstRecord"] == "2026-01-01T00:00:00Z"  # seconds
    assert info["streamArn"] == t.stream_arn and info["shardId"].startswith("shardId-")


def test_bisect_isolates_a_poison_record() -> None:
    dlq: list[dict[str, Any]] = []
    poison = lambda recs, n: "raise" if any(_data(r) == "r5" for r in recs) else None  # noqa: E731
    p, s, h, m = _setup(batch_size=8, bisect_batch_on_function_error=True,
                        maximum_retry_attempts=0, on_failure=dlq, fail=poison)
    seqs = _put(s, 8)
    p.advance(60)
    # 8 fails -> 0-3 ok, 4-7 fails -> 4-5 fails -> 4 ok, 5 discarded -> 6-7 ok
    assert [len(b) for b in h.batches] == [8, 4, 4, 2, 1, 1, 2]
    assert m.discarded == [seqs[5]] and sorted(m.processed) == sorted(
        seqs[:5] + seqs[6:])
    assert dlq[0]["KinesisBatchInfo"]["batchSize"] == 1


def test_partial_batch_response_checkpoints_before_the_lowest_failed_record() -> None:
    def report(recs: list, n: int) -> dict:
        if n == 1:  # report r4 and r2 failed: retry from r2
            return {"batchItemFailures": [{"itemIdentifier": _seq(recs[4])},
                                          {"itemIdentifier": _seq(recs[2])}]}
        return {"batchItemFailures": []}

    p, s, h, m = _setup(batch_size=10, report_batch_item_failures=True, fail=report)
    seqs = _put(s, 6)
    p.advance(30)
    assert h.batches == [[f"r{i}" for i in range(6)], [f"r{i}" for i in range(2, 6)]]
    assert m.processed == seqs and [b.outcome for b in m.batches] == ["partial", "ok"]
    assert m.batches[0].processed == 2


@pytest.mark.parametrize("bad", [
    {"batchItemFailures": [{"itemIdentifier": ""}]},
    {"batchItemFailures": [{"itemIdentifier": None}]},
    {"batchItemFailures": [{"id": "x"}]},
    {"batchItemFailures": [{"itemIdentifier": "999"}]},
    {"batchItemFailures": "r0"},
])
def test_malformed_partial_response_fails_the_whole_batch(bad: dict) -> None:
    p, s, h, m = _setup(report_batch_item_failures=True, maximum_retry_attempts=0,
                        fail=lambda recs, n: bad)
    _put(s, 3)
    p.advance(30)
    assert len(h.batches) == 1 and m.outcomes()["discarded"] == 3
    assert "functionError" not in m.failures[0]["responseContext"]  # not a function error


def test_partial_response_is_ignored_without_report_batch_item_failures() -> None:
    p, s, h, m = _setup(fail=lambda recs, n: {"batchItemFailures": [
        {"itemIdentifier": _seq(recs[0])}]})
    _put(s, 3)
    p.advance(30)
    assert len(h.batches) == 1 and m.outcomes()["processed"] == 3


def test_partial_response_with_bisect_retries_only_the_remaining_records() -> None:
    def report(recs: list, n: int) -> dict | None:
        return {"batchItemFailures": [{"itemIdentifier": _seq(recs[1])}]} if n == 1 else None

    p, s, h, m = _setup(batch_size=4, report_batch_item_failures=True,
                        bisect_batch_on_function_error=True, fail=report)
    _put(s, 6)
    p.advance(30)
    assert h.batches == [["r0", "r1", "r2", "r3"], ["r1", "r2", "r3"], ["r4", "r5"]]


def test_throttles_are_not_retries_and_discards_before_any_invoke_have_no_response() -> None:
    p = Platform()
    p.create_function("f", lambda e, c: None, reserved_concurrency=0)
    s = KinesisStream(p, "s")
    m = StreamEventSourceMapping(p, s, "f", maximum_retry_attempts=0, maximum_record_age_s=60)
    _put(s, 1)
    p.advance(120)
    assert {b.outcome for b in m.batches} == {"throttled"} and len(m.batches) > 1
    (rec,) = m.failures
    assert rec["requestContext"]["condition"] == "RecordAgeExceeded"
    assert rec["requestContext"]["approximateInvokeCount"] == 0
    assert "responseContext" not in rec


class _Sink:
    def __init__(self) -> None:
        self.got: list[dict[str, Any]] = []

    def send(self, record: dict[str, Any]) -> None:
        self.got.append(record)


def test_on_failure_accepts_objects_with_send_and_records_stay_visible_without_one() -> None:
    sink = _Sink()
    for dest in (sink, None):
        p, s, h, m = _setup(maximum_retry_attempts=0, on_failure=dest,
                            fail=lambda recs, n: "raise")
        _put(s, 2)
        p.advance(10)
        assert len(m.failures) == 1 and m.outcomes()["discarded"] == 2
    assert sink.got and sink.got[0]["KinesisBatchInfo"]["batchSize"] == 2


def test_events_have_the_exact_stream_shapes() -> None:
    p = Platform()
    got: list[dict[str, Any]] = []
    p.create_function("f", lambda e, c: got.append(e))
    s = KinesisStream(p, "s")
    StreamEventSourceMapping(p, s, "f")
    s.put_record(Data=b"hello", PartitionKey="pk")
    p.advance(2)
    (rec,) = got[0]["Records"]
    assert rec == s.records()[0].event
    assert set(rec) == {"kinesis", "eventSource", "eventID", "invokeIdentityArn",
                        "eventVersion", "eventName", "eventSourceARN", "awsRegion"}


_ESM = "[S2:API_CreateEventSourceMapping.md]"


@pytest.mark.parametrize(("kwargs", "field", "rule"), [
    ({"batch_size": 0}, "batch_size", f"BatchSize must be between 1 and 10,000 {_ESM}"),
    ({"batch_size": 10_001}, "batch_size", f"BatchSize must be between 1 and 10,000 {_ESM}"),
    ({"batch_size": 10.0}, "batch_size", f"BatchSize must be between 1 and 10,000 {_ESM}"),
    ({"maximum_batching_window_s": 301}, "maximum_batching_window_s",
     f"MaximumBatchingWindowInSeconds must be between 0 and 300 s {_ESM}"),
    ({"maximum_batching_window_s": -1}, "maximum_batching_window_s",
     f"MaximumBatchingWindowInSeconds must be between 0 and 300 s {_ESM}"),
    ({"starting_position": "AT_TIMESTAMP"}, "starting_position",
     "TRIM_HORIZON or LATEST (AT_TIMESTAMP is not simulated)"),
    ({"parallelization_factor": 11}, "parallelization_factor",
     "ParallelizationFactor must be between 1 and 10 [S2:with-kinesis.md][S2:with-ddb.md]"),
    ({"parallelization_factor": 0}, "parallelization_factor",
     "ParallelizationFactor must be between 1 and 10 [S2:with-kinesis.md][S2:with-ddb.md]"),
    ({"maximum_retry_attempts": -2}, "maximum_retry_attempts",
     f"MaximumRetryAttempts must be between -1 and 10,000 {_ESM}"),
    ({"maximum_retry_attempts": 10_001}, "maximum_retry_attempts",
     f"MaximumRetryAttempts must be between -1 and 10,000 {_ESM}"),
    ({"maximum_record_age_s": 59}, "maximum_record_age_s",
     "MaximumRecordAgeInSeconds must be -1 (no limit) or between 60 and 604,800 s (1 s steps) "
     f"{_ESM}"),
    ({"maximum_record_age_s": 604_801}, "maximum_record_age_s",
     "MaximumRecordAgeInSeconds must be -1 (no limit) or between 60 and 604,800 s (1 s steps) "
     f"{_ESM}"),
    ({"maximum_record_age_s": -1.0}, "maximum_record_age_s",
     "MaximumRecordAgeInSeconds must be -1 (no limit) or between 60 and 604,800 s (1 s steps) "
     f"{_ESM}"),
    ({"on_failure": "arn:aws:sqs:dlq"}, "on_failure",
     "an SQS queue, an SNS topic, an object with send() or a list (an SQS queue or SNS topic on "
     "AWS)"),
])
def test_settings_are_validated_like_create_event_source_mapping(kwargs: dict, field: str,
                                                                 rule: str) -> None:
    p = Platform()
    p.create_function("f", lambda e, c: None)
    s = KinesisStream(p, "s")
    with pytest.raises(InvalidParameterValueException) as e:
        StreamEventSourceMapping(p, s, "f", **kwargs)
    value = next(iter(kwargs.values()))
    assert e.value.field == field
    assert str(e.value) == f"{field}={value!r} is not valid: {rule}"


def test_record_age_minus_one_means_no_limit() -> None:
    p = Platform()
    p.create_function("f", lambda e, c: None)
    m = StreamEventSourceMapping(p, KinesisStream(p, "s"), "f", maximum_record_age_s=-1,
                                 maximum_retry_attempts=-1, maximum_batching_window_s=0.5)
    assert (m.maximum_record_age_s, m.maximum_retry_attempts) == (-1, -1)


def test_sources_and_functions_must_exist() -> None:
    p = Platform()
    p.create_function("f", lambda e, c: None)
    with pytest.raises(InvalidParameterValueException) as e:
        StreamEventSourceMapping(p, Table(p, "nostream"), "f")
    assert e.value.field == "source"
    with pytest.raises(ResourceNotFoundException):
        StreamEventSourceMapping(p, KinesisStream(p, "s"), "missing")


def test_table_to_stream_to_function_pipeline() -> None:
    p = Platform(seed=9)
    orders = Table(p, "orders", stream_view_type="NEW_IMAGE")
    totals = Table(p, "totals")

    def writer(event: dict[str, Any], context: Any) -> None:
        orders.put_item(Item={"id": {"S": event["id"]}, "qty": {"N": str(event["qty"])}})

    def counter(event: dict[str, Any], context: Any) -> None:
        for r in event["Records"]:
            qty = r["dynamodb"]["NewImage"]["qty"]
            totals.update_item(Key={"id": {"S": "all"}}, UpdateExpression="ADD qty :q",
                               ExpressionAttributeValues={":q": qty})

    p.create_function("writer", writer)
    p.create_function("counter", counter)
    StreamEventSourceMapping(p, orders, "counter")
    for i in range(5):
        p.invoke_async("writer", {"id": str(i), "qty": i + 1})
    p.advance(10)
    assert totals.items() == [{"id": "all", "qty": 15}]


# -- properties -------------------------------------------------------------------------------

@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n=st.integers(1, 60), keys=st.integers(1, 6),
       shards=st.integers(1, 3), factor=st.integers(1, 3), batch=st.integers(1, 7),
       p_fail=st.sampled_from([0.0, 0.3, 0.6]), bisect=st.booleans(), report=st.booleans(),
       retries=st.sampled_from([-1, 0, 2]), age=st.sampled_from([-1, 120]),
       poison=st.booleans(), source=st.sampled_from(["kinesis", "dynamodb"]))
def test_every_record_is_processed_or_discarded_and_key_order_holds(
        seed: int, n: int, keys: int, shards: int, factor: int, batch: int, p_fail: float,
        bisect: bool, report: bool, retries: int, age: int, poison: bool,
        source: str) -> None:
    rng = random.Random(seed)
    poison = poison and (retries != -1 or age != -1)  # else the shard waits 24 h
    p = Platform(seed=seed)
    views: list[list[tuple[str, str]]] = []  # per invocation: (key, seq)

    def handler(event: dict[str, Any], context: Any) -> Any:
        recs = event["Records"]
        if source == "kinesis":
            view = [(r["kinesis"]["partitionKey"], _seq(r)) for r in recs]
            bad = [i for i, r in enumerate(recs) if poison and _data(r).endswith(":0")]
        else:
            view = [(r["dynamodb"]["Keys"]["id"]["S"], _seq(r)) for r in recs]
            bad = [i for i, r in enumerate(recs)
                   if poison and r["dynamodb"]["NewImage"]["v"]["N"] == "0"]
        views.append(view)
        if bad or rng.random() < p_fail:
            if report and rng.random() < 0.5:
                at = bad[0] if bad else rng.randrange(len(recs))
                return {"batchItemFailures": [{"itemIdentifier": view[at][1]}]}
            raise RuntimeError("injected")
        return {"batchItemFailures": []}

    p.create_function("f", handler, duration=Fixed(rng.choice([5, 300, 1500])))
    dlq: list[dict[str, Any]] = []
    if source == "kinesis":
        src: Any = KinesisStream(p, "s", shard_count=shards)
    else:
        src = Table(p, "tbl", stream_view_type="NEW_IMAGE", stream_shards=shards)
    m = StreamEventSourceMapping(
        p, src, "f", batch_size=batch, parallelization_factor=factor,
        bisect_batch_on_function_error=bisect, report_batch_item_failures=report,
        maximum_retry_attempts=retries, maximum_record_age_s=age, on_failure=dlq)
    key_of: dict[str, str] = {}
    all_seqs: list[str] = []
    for i in range(n):
        k = f"k{rng.randrange(keys)}"
        if source == "kinesis":
            seq = src.put_record(Data=f"{k}:{i}", PartitionKey=k)["SequenceNumber"]
        else:
            src.put_item(Item={"id": {"S": k}, "v": {"N": str(i)}})
            seq = max((r.sequence_number for r in src.stream_records()), key=int)
        key_of[seq] = k
        all_seqs.append(seq)
        if rng.random() < 0.2:
            p.advance(rng.uniform(0, 3))
    p.advance(6 * 3600)

    # never lost: every record is processed or discarded (and reported), exactly once
    assert m.outcomes()["pending"] == 0
    assert sorted(m.processed + m.discarded) == sorted(all_seqs)
    assert sum(f[next(k for k in f if k.endswith("BatchInfo"))]["batchSize"] for f in dlq) == (
        len(m.discarded))
    assert dlq == m.failures
    # order per partition key: within each batch, on first sight, and at checkpoint
    first_seen: dict[str, list[int]] = defaultdict(list)
    seen: set[str] = set()
    for view in views:
        for k in {k for k, _ in view}:
            mine = [int(s) for kk, s in view if kk == k]
            assert mine == sorted(mine)
        for k, s in view:
            if s not in seen:
                seen.add(s)
                first_seen[k].append(int(s))
    assert all(v == sorted(v) for v in first_seen.values())
    done_order: dict[str, list[int]] = defaultdict(list)
    for s in m.processed:
        done_order[key_of[s]].append(int(s))
    assert all(v == sorted(v) for v in done_order.values())
    # a partition key is never in two batches at once
    spans = defaultdict(list)
    for b in m.batches:
        if b.outcome != "throttled":
            for k in {key_of[s] for s in b.sequence_numbers}:
                spans[k].append((b.start_s, b.end_s))
    for iv in spans.values():
        iv.sort()
        assert all(a[1] <= b[0] + 1e-9 for a, b in zip(iv, iv[1:], strict=False))


def test_mapping_needs_read_permission_on_the_stream() -> None:
    from lambdakit.function.iam import (
        AWSLambdaBasicExecutionRole,
        AWSLambdaKinesisExecutionRole,
        Role,
    )

    p = Platform(seed=3)
    KinesisStream(p, "clicks")
    p.create_function("basic", lambda e, c: None,
                      role=Role("basic", policies=[AWSLambdaBasicExecutionRole]))
    p.create_function("reader", lambda e, c: None,
                      role=Role("reader", policies=[AWSLambdaKinesisExecutionRole]))
    with pytest.raises(InvalidParameterValueException, match="GetRecords on Kinesis|on Kinesis"):
        StreamEventSourceMapping(p, p.service("kinesis", "clicks"), "basic")
    StreamEventSourceMapping(p, p.service("kinesis", "clicks"), "reader")
