"""KinesisStream: MD5 shard routing, per-shard sequence numbers, retention, event shape."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from lambdakit import Fixed, InvalidParameterValueException, Platform
from lambdakit.services import ServiceError
from lambdakit.services.kinesis import HASH_KEY_SPACE, KinesisStream, Stream, hash_key

SAMPLE = Path(__file__).parent / "data" / "sam_events" / "events" / "kinesis" / "Kinesis.json"


def _shape(x: object) -> object:
    """Keys and value types, recursively (placeholders in the sample are strings)."""
    if isinstance(x, dict):
        return {k: _shape(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_shape(x[0])] if x else []
    return "number" if isinstance(x, (int, float)) else type(x).__name__


def test_shards_split_the_hash_key_range_evenly_and_contiguously() -> None:
    s = KinesisStream(Platform(), "orders", shard_count=3)
    shards = s.list_shards()["Shards"]
    ranges = [(int(sh["HashKeyRange"]["StartingHashKey"]),
               int(sh["HashKeyRange"]["EndingHashKey"])) for sh in shards]
    assert [sh["ShardId"] for sh in shards] == [f"shardId-{i:012d}" for i in range(3)]
    assert ranges[0][0] == 0 and ranges[-1][1] == HASH_KEY_SPACE - 1
    assert all(a[1] + 1 == b[0] for a, b in zip(ranges, ranges[1:], strict=False))
    assert ranges[1][0] == HASH_KEY_SPACE // 3


def test_partition_key_goes_to_the_shard_whose_range_holds_its_md5() -> None:
    s = KinesisStream(Platform(), "orders", shard_count=4)
    ranges = {sh["ShardId"]: (int(sh["HashKeyRange"]["StartingHashKey"]),
                              int(sh["HashKeyRange"]["EndingHashKey"]))
              for sh in s.list_shards()["Shards"]}
    used = set()
    for i in range(40):
        key = f"user-{i}"
        h = int(hashlib.md5(key.encode()).hexdigest(), 16)
        assert h == hash_key(key)
        shard = s.put_record(Data=b"x", PartitionKey=key)["ShardId"]
        lo, hi = ranges[shard]
        assert lo <= h <= hi and shard == s.shard_for(key)
        used.add(shard)
    assert len(used) == 4  # 40 keys spread over all shards


def test_sequence_numbers_increase_within_a_shard_and_a_key_stays_in_one_shard() -> None:
    s = KinesisStream(Platform(), "orders", shard_count=2)
    out = [s.put_record(Data=str(i), PartitionKey="same") for i in range(5)]
    assert len({r["ShardId"] for r in out}) == 1
    seqs = [int(r["SequenceNumber"]) for r in out]
    assert seqs == sorted(seqs) and len(set(seqs)) == 5
    assert all(len(r["SequenceNumber"]) == 56 for r in out)
    assert [r.sequence_number for r in s.records(out[0]["ShardId"])] == [
        r["SequenceNumber"] for r in out]


def test_put_records_keeps_order_and_reports_each_record() -> None:
    s = KinesisStream(Platform(), "orders", shard_count=2)
    res = s.put_records(StreamName="orders", Records=[
        {"Data": f"d{i}".encode(), "PartitionKey": f"k{i % 3}"} for i in range(9)])
    assert res["FailedRecordCount"] == 0 and len(res["Records"]) == 9
    for i, r in enumerate(res["Records"]):
        assert r["ShardId"] == s.shard_for(f"k{i % 3}")
    data = [base64.b64decode(r.event["kinesis"]["data"]) for r in s.records()]
    assert sorted(data) == sorted(f"d{i}".encode() for i in range(9))


def test_explicit_hash_key_overrides_the_partition_key_hash() -> None:
    s = KinesisStream(Platform(), "orders", shard_count=2)
    r = s.put_record(Data=b"x", PartitionKey="a", ExplicitHashKey=str(HASH_KEY_SPACE - 1))
    assert r["ShardId"] == "shardId-000000000001"
    r = s.put_record(Data=b"x", PartitionKey="a", ExplicitHashKey="0")
    assert r["ShardId"] == "shardId-000000000000"
    with pytest.raises(InvalidParameterValueException) as e:
        s.put_record(Data=b"x", PartitionKey="a", ExplicitHashKey=str(HASH_KEY_SPACE))
    assert e.value.field == "ExplicitHashKey"


def test_record_event_has_the_sample_shape_and_real_values() -> None:
    p = Platform(seed=4)
    p.advance(12.5)
    s = KinesisStream(p, "telemetry")
    r = s.put_record(Data=json.dumps({"t": 21.5}), PartitionKey="sensor-7")
    ev = s.records()[0].event
    sample = json.loads(SAMPLE.read_text())["Records"][0]
    assert _shape(ev) == _shape(sample)
    assert ev["kinesis"]["sequenceNumber"] == r["SequenceNumber"]
    assert ev["eventID"] == f"{r['ShardId']}:{r['SequenceNumber']}"
    assert json.loads(base64.b64decode(ev["kinesis"]["data"])) == {"t": 21.5}
    assert ev["kinesis"]["approximateArrivalTimestamp"] == pytest.approx(
        p.epoch_s + 12.5)
    assert ev["eventSourceARN"] == s.arn == (
        "arn:aws:kinesis:us-east-1:123456789012:stream/telemetry")


def test_retention_trims_old_records() -> None:
    p = Platform()
    s = KinesisStream(p, "short", retention_hours=24)
    s.put_record(Data=b"old", PartitionKey="k")
    p.advance(23 * 3600)
    s.put_record(Data=b"new", PartitionKey="k")
    assert len(s.records()) == 2
    p.advance(2 * 3600)  # the first record is now 25 h old
    assert [base64.b64decode(r.event["kinesis"]["data"]) for r in s.records()] == [b"new"]


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"shard_count": 0}, "shard_count"),
    ({"retention_hours": 23}, "retention_hours"),
    ({"retention_hours": 8761}, "retention_hours"),
])
def test_bad_stream_settings_name_the_field(kwargs: dict, field: str) -> None:
    with pytest.raises(InvalidParameterValueException) as e:
        KinesisStream(Platform(), "s", **kwargs)
    assert e.value.field == field


def test_bad_names_and_records_are_rejected() -> None:
    with pytest.raises(InvalidParameterValueException):
        KinesisStream(Platform(), "bad name!")
    s = KinesisStream(Platform(), "s")
    with pytest.raises(InvalidParameterValueException) as e:
        s.put_record(Data={"a": 1}, PartitionKey="k")  # type: ignore[arg-type]
    assert e.value.field == "Data"
    for key in ("", "k" * 257):
        with pytest.raises(InvalidParameterValueException):
            s.put_record(Data=b"x", PartitionKey=key)
    with pytest.raises(InvalidParameterValueException):
        s.put_record(Data=b"x" * (1024 * 1024), PartitionKey="k")  # 1 MiB + key
    with pytest.raises(InvalidParameterValueException):
        s.put_records(Records=[])
    with pytest.raises(InvalidParameterValueException):
        s.put_records(Records=[{"Data": b"x", "PartitionKey": "k"}] * 501)
    with pytest.raises(InvalidParameterValueException):
        s.put_records(Records=[{"Data": b"x" * 1_000_000, "PartitionKey": "k"}] * 6)
    assert s.records() == []  # nothing half-written


def test_wrong_stream_name_is_resource_not_found() -> None:
    s = KinesisStream(Platform(), "s")
    with pytest.raises(ServiceError) as e:
        s.put_record(StreamName="other", Data=b"x", PartitionKey="k")
    assert e.value.code == "ResourceNotFoundException"


def test_injected_fault_fails_the_next_call_only() -> None:
    s = KinesisStream(Platform(), "s")
    s.inject_failure("PutRecord", count=1)
    with pytest.raises(ServiceError) as e:
        s.put_record(Data=b"x", PartitionKey="k")
    assert e.value.code == "ServiceUnavailable" and s.records() == []
    s.put_record(Data=b"x", PartitionKey="k")
    assert len(s.records()) == 1


def test_a_call_from_a_handler_takes_simulated_time() -> None:
    p = Platform(seed=1)
    s = KinesisStream(p, "s", latency_s=0.05)
    p.create_function("w", lambda e, c: s.put_record(Data=b"x", PartitionKey="k") and None,
                      duration=Fixed(10))
    p.invoke("w", {})
    assert p.records("w").column("duration_ms")[0] == pytest.approx(60.0)


def test_same_seed_same_sequence_numbers_and_alias() -> None:
    def seqs(seed: int) -> list[str]:
        s = Stream(Platform(seed=seed), "s", shard_count=2)
        return [s.put_record(Data=b"x", PartitionKey=f"k{i}")["SequenceNumber"]
                for i in range(4)]

    assert seqs(7) == seqs(7) and seqs(7) != seqs(8)
