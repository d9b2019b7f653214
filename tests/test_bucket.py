"""Bucket (S3): object operations, notifications through the async path, faults, never-lost."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambdakit import Platform, events
from lambdakit.errors import InvalidParameterValueException, ResourceNotFoundException
from lambdakit.services import Bucket, ServiceError


def _shape(x: Any) -> Any:
    """Keys, nesting and value types, not values."""
    if isinstance(x, dict):
        return {k: _shape(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_shape(v) for v in x[:1]]
    return type(x).__name__


def _platform(seen: list[dict[str, Any]] | None = None, fail: bool = False,
              **kw: Any) -> Platform:
    p = Platform(seed=7)

    def handler(event: dict[str, Any], context: Any) -> None:
        if seen is not None:
            seen.append(event)
        if fail:
            raise RuntimeError("boom")

    p.create_function("fn", handler=handler, **kw)
    return p


# ---------------------------------------------------------------- objects -------------------


def test_put_get_head_delete_roundtrip() -> None:
    b = Bucket(Platform(), "photos")
    put = b.put_object(Bucket="photos", Key="a/cat.jpg", Body="meow", ContentType="image/jpeg")
    assert put["ETag"] == '"4a4be40c96ac6314e91d93f38043a634"'  # MD5 of b"meow"
    got = b.get_object(Bucket="photos", Key="a/cat.jpg")
    assert got["Body"].read() == b"meow"
    assert got["ContentLength"] == 4 and got["ContentType"] == "image/jpeg"
    assert got["LastModified"].isoformat() == "2026-01-01T00:00:00+00:00"
    assert b.head_object(Key="a/cat.jpg")["ContentLength"] == 4
    assert b.delete_object(Key="a/cat.jpg")["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ServiceError) as err:
        b.get_object(Key="a/cat.jpg")
    assert err.value.response["Error"] == {"Code": "NoSuchKey",
                                           "Message": "The specified key does not exist."}
    assert err.value.status_code == 404
    with pytest.raises(ServiceError) as err:
        b.head_object(Key="a/cat.jpg")
    assert err.value.code == "404"


def test_body_accepts_bytes_str_and_file_objects_and_reads_in_pieces() -> None:
    b = Bucket(Platform(), "data")
    b.put_object(Key="f", Body=io.BytesIO(b"abcdef"))
    body = b.get_object(Key="f")["Body"]
    assert (body.read(2), body.read(), body.read()) == (b"ab", b"cdef", b"")
    with pytest.raises(InvalidParameterValueException):
        b.put_object(Key="g", Body=12345)


def test_wrong_bucket_name_is_no_such_bucket_and_bad_names_are_rejected() -> None:
    p = Platform()
    b = Bucket(p, "photos")
    with pytest.raises(ServiceError) as err:
        b.get_object(Bucket="other", Key="x")
    assert err.value.code == "NoSuchBucket"
    for bad in ("UPPER", "ab", "-dash", "192.168.1.1", "a..b"):
        with pytest.raises(InvalidParameterValueException) as e:
            Bucket(p, bad)
        assert e.value.field == "Bucket"
    with pytest.raises(InvalidParameterValueException):
        b.put_object(Key="", Body=b"")


def test_list_objects_v2_orders_filters_and_pages() -> None:
    b = Bucket(Platform(), "logs")
    assert "Contents" not in b.list_objects_v2(Bucket="logs")
    for k in ("b/2", "a/1", "b/1", "c", "b/10"):
        b.put_object(Key=k, Body=k)
    out = b.list_objects_v2(Prefix="b/")
    assert [c["Key"] for c in out["Contents"]] == ["b/1", "b/10", "b/2"]
    assert out["KeyCount"] == 3 and out["IsTruncated"] is False
    page1 = b.list_objects_v2(MaxKeys=2)
    assert [c["Key"] for c in page1["Contents"]] == ["a/1", "b/1"] and page1["IsTruncated"]
    page2 = b.list_objects_v2(MaxKeys=2, ContinuationToken=page1["NextContinuationToken"])
    page3 = b.list_objects_v2(MaxKeys=2, ContinuationToken=page2["NextContinuationToken"])
    assert [c["Key"] for c in page2["Contents"] + page3["Contents"]] == ["b/10", "b/2", "c"]
    assert page3["IsTruncated"] is False and "NextContinuationToken" not in page3
    assert b.list_objects_v2(StartAfter="b/2")["Contents"][0]["Key"] == "c"


# ---------------------------------------------------------------- notifications -------------


def test_put_sends_the_exact_s3_event_asynchronously() -> None:
    seen: list[dict[str, Any]] = []
    p = _platform(seen)
    b = Bucket(p, "photos")
    cid = b.add_notification("fn", suffix=".jpg")
    p.advance(90.0)
    b.put_object(Key="2026/red flower.jpg", Body=b"12345")
    assert seen == []  # asynchronous: nothing runs until the clock does
    p.advance(5.0)
    assert len(seen) == 1
    sample = events.s3_object_created("photos", "k")
    assert _shape(seen[0]) == _shape(sample)
    rec = seen[0]["Records"][0]
    assert rec["eventName"] == "ObjectCreated:Put"
    assert rec["eventTime"] == "2026-01-01T00:01:30.000Z"
    obj = rec["s3"]["object"]
    assert obj["key"] == "2026/red+flower.jpg" and obj["size"] == 5
    assert obj["eTag"] == "827ccb0eea8a706c4c34a16891f84e7b"  # MD5 of b"12345"
    assert rec["s3"]["configurationId"] == cid
    assert rec["s3"]["bucket"]["arn"] == "arn:aws:s3:::photos"
    assert list(p.records("fn").column("source")) == ["s3"]
    assert b.sent[0].key == "2026/red flower.jpg" and b.sent[0].function == "fn"


def test_filters_and_event_types_select_what_is_sent() -> None:
    seen: list[dict[str, Any]] = []
    p = _platform(seen)
    b = Bucket(p, "photos")
    b.add_notification("fn", events=("s3:ObjectRemoved:*",), prefix="in/", suffix=".png")
    b.put_object(Key="in/a.png", Body=b"x")  # created: not selected
    b.delete_object(Key="in/a.png")  # removed, matches
    b.delete_object(Key="out/a.png")  # wrong prefix (absent key: S3 still notifies)
    b.delete_object(Key="in/never.png")  # absent key, matches
    p.advance(5.0)
    names = [(e["Records"][0]["eventName"], e["Records"][0]["s3"]["object"]["key"])
             for e in seen]
    assert sorted(names) == [("ObjectRemoved:Delete", "in/a.png"),
                             ("ObjectRemoved:Delete", "in/never.png")]
    assert all("size" not in e["Records"][0]["s3"]["object"] for e in seen)


def test_copy_object_notifies_objectcreated_copy() -> None:
    seen: list[dict[str, Any]] = []
    p = _platform(seen)
    b = Bucket(p, "photos")
    b.put_object(Key="a", Body=b"data")
    b.add_notification("fn", events=["s3:ObjectCreated:Copy"])
    b.copy_object(Key="b", CopySource="photos/a")
    p.advance(5.0)
    assert [e["Records"][0]["eventName"] for e in seen] == ["ObjectCreated:Copy"]
    assert b.get_object(Key="b")["Body"].read() == b"data"


def test_notification_configuration_is_validated() -> None:
    p = _platform()
    b = Bucket(p, "photos")
    with pytest.raises(ResourceNotFoundException):
        b.add_notification("missing")
    with pytest.raises(InvalidParameterValueException) as err:
        b.add_notification("fn", events=("s3:ObjectCreated:Touch",))
    assert err.value.field == "events"
    b.add_notification("fn", prefix="images/", suffix=".jpg")
    with pytest.raises(InvalidParameterValueException) as err:  # overlaps the first
        b.add_notification("fn", prefix="images/cats/", suffix="")
    assert "overlapping" in err.value.message
    b.add_notification("fn", prefix="images/", suffix=".png")  # different suffix: fine
    b.add_notification("fn", events=("s3:ObjectRemoved:*",), prefix="images/")  # other type
    assert len(b.notifications) == 3
    b.remove_notification(b.notifications[0].id)
    assert len(b.notifications) == 2


def test_failing_handler_is_retried_then_goes_to_the_on_failure_destination() -> None:
    failures: list[dict[str, Any]] = []
    p = _platform(fail=True, on_failure=failures)
    b = Bucket(p, "photos")
    b.add_notification("fn")
    b.put_object(Key="x.jpg", Body=b"x")
    p.advance(400.0)
    recs = p.records("fn")
    assert list(recs.column("attempt")) == [0, 1, 2]  # 2 retries [S12]
    starts = recs.column("start_s")
    assert starts[1] - starts[0] == pytest.approx(60.0, abs=1.0)
    assert starts[2] - starts[1] == pytest.approx(120.0, abs=1.0)
    assert len(failures) == 1
    assert failures[0]["requestContext"]["condition"] == "RetriesExhausted"
    assert failures[0]["requestPayload"]["Records"][0]["s3"]["object"]["key"] == "x.jpg"
    assert p.event_outcomes() == {"dead-lettered": 1}


def test_handler_writes_take_the_handlers_time_and_latency() -> None:
    p = Platform(seed=3)
    out = Bucket(p, "out", latency_s=0.25)
    seen: list[dict[str, Any]] = []

    def copy(event: dict[str, Any], context: Any) -> None:
        key = event["Records"][0]["s3"]["object"]["key"]
        out.put_object(Bucket="out", Key=key + ".copy", Body=b"c")

    p.create_function("copy", handler=copy, duration=None)
    p.create_function("sink", handler=lambda e, c: seen.append(e))
    inp = Bucket(p, "inbox")
    inp.add_notification("copy")
    out.add_notification("sink")
    inp.put_object(Key="k", Body=b"v")
    p.advance(10.0)
    rec = p.records("copy")[0]
    assert rec.duration_ms >= 250.0  # the put's latency is charged to the handler
    when = out.get_object(Key="k.copy")["LastModified"]
    assert rec.start_s <= (when.timestamp() - p.epoch_s) <= rec.end_s
    assert len(seen) == 1 and p.records("sink")[0].arrival_s >= rec.start_s + 0.25


def test_injected_fault_fails_the_call_without_side_effects() -> None:
    seen: list[dict[str, Any]] = []
    p = _platform(seen)
    b = Bucket(p, "photos")
    b.add_notification("fn")
    b.inject_failure("PutObject", count=1)
    with pytest.raises(ServiceError) as err:
        b.put_object(Key="a", Body=b"x")
    assert err.value.code == "ServiceUnavailable" and err.value.status_code == 503
    assert b.keys() == [] and b.sent == []
    b.put_object(Key="a", Body=b"x")
    assert b.keys() == ["a"]
    with pytest.raises(InvalidParameterValueException):
        b.inject_failure(count=0)


def test_same_seed_gives_the_same_events() -> None:
    def run() -> list[str]:
        seen: list[dict[str, Any]] = []
        p = _platform(seen)
        b = Bucket(p, "photos")
        b.add_notification("fn")
        for k in "abc":
            b.put_object(Key=k, Body=k)
        p.advance(5.0)
        return [json.dumps(e, sort_keys=True) for e in seen]

    first = run()
    assert first == run() and len(set(first)) == 3


# ---------------------------------------------------------------- never lost ----------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(st.tuples(st.sampled_from(["put", "delete"]), st.integers(0, 5),
                              st.booleans()), min_size=1, max_size=12),
       retries=st.integers(0, 2), with_destination=st.booleans())
def test_every_object_event_ends_processed_errored_or_dead_lettered(
        ops: list[tuple[str, int, bool]], retries: int, with_destination: bool) -> None:
    p = Platform(seed=11)
    failures: list[dict[str, Any]] = []

    def handler(event: dict[str, Any], context: Any) -> None:
        if event["Records"][0]["s3"]["object"]["key"].startswith("bad"):
            raise ValueError("poison object")

    p.create_function("fn", handler=handler, maximum_retry_attempts=retries,
                      on_failure=failures if with_destination else None)
    b = Bucket(p, "photos")
    b.add_notification("fn", events=("s3:ObjectCreated:*", "s3:ObjectRemoved:*"))
    for i, (op, n, bad) in enumerate(ops):
        key = f"{'bad' if bad else 'ok'}-{n}"
        if op == "put":
            b.put_object(Key=key, Body=str(i))
        else:
            b.delete_object(Key=key)
        p.advance(7.0)
    p.advance(600.0)
    outcomes = p.event_outcomes()
    assert set(outcomes) <= {"ok", "error", "dead-lettered"}
    assert sum(outcomes.values()) == len(ops) == len(b.sent)
    finals = [p.event_status(s.event_index) for s in b.sent]
    bad = [s.key.startswith("bad") for s in b.sent]
    assert all((f == "ok") == (not is_bad) for f, is_bad in zip(finals, bad, strict=True))
    assert outcomes["dead-lettered"] == len(failures) == (sum(bad) if with_destination else 0)
    attempts = p.records("fn").column("attempt")
    assert (attempts == 0).sum() == len(ops)
    assert (attempts == retries).sum() >= sum(bad)


def test_notification_needs_permission_when_the_function_has_a_policy() -> None:
    from lambdakit import iam

    p = _platform()
    b = Bucket(p, "photos")
    iam.enforce_invoke_permissions(p)
    with pytest.raises(iam.AccessDeniedException) as err:
        b.add_notification("fn")
    assert "s3.amazonaws.com" in err.value.message
    iam.add_permission(p, "fn", "s3.amazonaws.com", source_arn="arn:aws:s3:::other")
    with pytest.raises(iam.AccessDeniedException):  # a permission for another bucket
        b.add_notification("fn")
    iam.add_permission(p, "fn", "s3.amazonaws.com", source_arn=b.arn, statement_id="photos")
    assert b.add_notification("fn") == "fn-1"
