"""Kinesis Data Streams in memory, on the platform clock — and the sharded record log that a
Kinesis stream and a DynamoDB stream share.

A :class:`KinesisStream` has ``shard_count`` shards that split the 128-bit hash-key range
evenly. ``put_record`` hashes the partition key with MD5 to a 128-bit integer and appends the
record to the shard whose range holds it, so records with one partition key always land in one
shard, in order (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecord.html).
Each shard hands out increasing sequence numbers. Records stay readable for the retention period
(24 h by default, 24–8,760 h; https://docs.aws.amazon.com/streams/latest/dev/
kinesis-extended-retention.html); a bad record can block a shard for as long as it is retained
(facts §3.3 [S2:with-kinesis.md]).

Each stored :class:`StreamRecord` carries the exact ``Records[]`` element Lambda sends, built by
:func:`lambdakit.events.kinesis` with the record's real sequence number patched in.

Example:
    >>> from lambdakit import Platform
    >>> p = Platform(seed=1)
    >>> s = KinesisStream(p, "clicks", shard_count=2)
    >>> r = s.put_record(StreamName="clicks", Data=b'{"page": 1}', PartitionKey="user-7")
    >>> r["ShardId"] == s.shard_for("user-7"), len(r["SequenceNumber"])
    (True, 56)
    >>> s.records()[0].event["kinesis"]["partitionKey"]
    'user-7'
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, ClassVar

from .. import events
from ..errors import InvalidParameterValueException
from ..function.quotas import check, check_number
from .base import Service, ServiceError

if TYPE_CHECKING:
    from ..platform import Platform

__all__ = ["KinesisStream", "Shard", "ShardLog", "Stream", "StreamRecord", "hash_key"]

# Kinesis figures not in lambda-facts.md, from the Kinesis API Reference (API_PutRecord.html,
# API_PutRecords.html) and https://docs.aws.amazon.com/streams/latest/dev/
# service-sizes-and-limits.html
HASH_KEY_SPACE = 2**128  # MD5 maps a partition key to a 128-bit integer (API_PutRecord)
MAX_RECORD_BYTES = 1024 * 1024  # data + partition key, 1 MiB per record
MAX_PUT_RECORDS = 500  # records per PutRecords request
MAX_PUT_RECORDS_BYTES = 5 * 1024 * 1024  # 5 MiB per PutRecords request
# RetentionPeriodHours (default 24 h, up to 365 days; kinesis-extended-retention.html) is
# QUOTAS["kinesis_retention_hours"] in lambdakit.function.quotas.
KINESIS_POLLS_PER_S = 1.0  # Lambda polls each shard once a second (facts §2.1 [S2:with-kinesis.md])
MAX_SHARDS = 1000  # lambdakit's own bound on a simulated stream, not an AWS quota
_STREAM_NAME = re.compile(r"[A-Za-z0-9_.-]{1,128}")  # CreateStream StreamName pattern


def hash_key(partition_key: str) -> int:
    """The 128-bit hash key Kinesis derives from a partition key (MD5 of its UTF-8 bytes).

    >>> hash_key("a") == int(hashlib.md5(b"a").hexdigest(), 16)
    True
    """
    return int.from_bytes(hashlib.md5(partition_key.encode("utf-8")).digest(), "big")


@dataclass(frozen=True, slots=True)
class StreamRecord:
    """One record in a shard: its place (sequence number), its ordering key, when it arrived
    (virtual seconds) and the ``Records[]`` element Lambda delivers for it."""

    sequence_number: str
    partition_key: str  # Kinesis partition key; for DynamoDB, the item's key as JSON
    arrival_s: float
    event: dict[str, Any]
    size: int  # bytes of the event element as JSON (for the 6 MB batch cap)


class Shard:
    """An append-only list of records; the front is trimmed when records pass retention.

    Positions are absolute: ``first`` is the oldest record still held, ``end`` one past the
    newest, so a reader's position stays valid while the front is trimmed.

    >>> sh = Shard("shardId-000000000000", 0)
    >>> sh.append(StreamRecord("1", "k", 0.0, {}, 2)); sh.append(StreamRecord("2", "k", 5.0, {}, 2))
    0
    1
    >>> sh.trim(before_s=1.0), sh.first, sh.end, [r.sequence_number for r in sh.since(0)]
    (1, 1, 2, ['2'])
    """

    __slots__ = ("shard_id", "index", "hash_range", "_records", "_offset")

    def __init__(self, shard_id: str, index: int,
                 hash_range: tuple[int, int] = (0, HASH_KEY_SPACE - 1)) -> None:
        self.shard_id = shard_id
        self.index = index
        self.hash_range = hash_range
        self._records: list[StreamRecord] = []
        self._offset = 0

    @property
    def first(self) -> int:
        return self._offset

    @property
    def end(self) -> int:
        return self._offset + len(self._records)

    def append(self, record: StreamRecord) -> int:
        self._records.append(record)
        return self.end - 1

    def since(self, position: int) -> list[StreamRecord]:
        """The records at ``position`` and after (from ``first`` if it was trimmed)."""
        return self._records[max(position - self._offset, 0):]

    def trim(self, before_s: float) -> int:
        """Drop the records that arrived before ``before_s``; returns how many."""
        n = 0
        for rec in self._records:
            if rec.arrival_s >= before_s:
                break
            n += 1
        if n:
            del self._records[:n]
            self._offset += n
        return n

    def __repr__(self) -> str:
        return f"Shard({self.shard_id!r}, records={len(self._records)})"


class ShardLog:
    """The shards of one stream, its retention, and who wants to hear about new records.

    Event-source mappings read it: ``kind`` ("kinesis" or "dynamodb") picks the event shape and
    the failure-record key, ``polls_per_s`` the polling base rate, ``subscribe`` tells a mapping
    when a shard gets a record.

    >>> log = ShardLog("kinesis", "arn:aws:kinesis:us-east-1:123456789012:stream/s",
    ...                [Shard("shardId-000000000000", 0)], retention_s=86_400.0, polls_per_s=1.0)
    >>> seen = []; log.subscribe(lambda shard, t: seen.append((shard.index, t)))
    >>> log.append(0, StreamRecord("1", "k", 3.0, {}, 2)); seen
    [(0, 3.0)]
    """

    def __init__(self, kind: str, arn: str, shards: list[Shard], *, retention_s: float,
                 polls_per_s: float) -> None:
        self.kind = kind
        self.arn = arn
        self.shards = shards
        self.retention_s = retention_s
        self.polls_per_s = polls_per_s
        self._listeners: list[Callable[[Shard, float], None]] = []

    def subscribe(self, callback: Callable[[Shard, float], None]) -> None:
        """Call ``callback(shard, t)`` whenever a record is appended to ``shard`` at time t."""
        self._listeners.append(callback)

    def append(self, shard_index: int, record: StreamRecord) -> None:
        shard = self.shards[shard_index]
        shard.trim(record.arrival_s - self.retention_s)
        shard.append(record)
        for cb in list(self._listeners):
            cb(shard, record.arrival_s)

    def records(self, now_s: float, shard_id: str | None = None) -> list[StreamRecord]:
        """The records still retained at ``now_s`` (of one shard, or all shards in order)."""
        out: list[StreamRecord] = []
        for shard in self.shards:
            if shard_id is None or shard.shard_id == shard_id:
                shard.trim(now_s - self.retention_s)
                out.extend(shard.since(shard.first))
        return out


def _epoch(platform: Platform) -> datetime:
    return datetime.fromtimestamp(platform.epoch_s, tz=timezone.utc)


class KinesisStream(Service):
    """A Kinesis data stream with boto3's ``put_record`` / ``put_records`` / ``list_shards``.

    Args:
        shard_count: shards splitting the hash-key range evenly (1–1,000 in lambdakit).
        retention_hours: 24 (default) to 8,760 hours.
        latency_s: simulated time of one call (default 0.010 s, a lambdakit assumption).

    >>> from lambdakit import Platform
    >>> s = KinesisStream(Platform(), "orders", shard_count=4)
    >>> [sh["HashKeyRange"]["StartingHashKey"] for sh in s.list_shards()["Shards"]][:2]
    ['0', '85070591730234615865843651857942052864']
    """

    kind = "kinesis"
    default_latency_s: ClassVar[float] = 0.010  # lambdakit assumption, not an AWS figure
    rng_key: ClassVar[int] = 1103

    def __init__(self, platform: Platform, name: str, *, shard_count: int = 1,
                 retention_hours: int = 24, latency_s: float | None = None) -> None:
        if not isinstance(name, str) or not _STREAM_NAME.fullmatch(name):
            raise InvalidParameterValueException(
                "StreamName", name, "1-128 letters, digits, '_', '-', '.'")
        check_number("shard_count", shard_count, 1, MAX_SHARDS, types=(int,),
                     rule=f"an integer from 1 to {MAX_SHARDS:,} (lambdakit's bound)")
        check("kinesis_retention_hours", retention_hours, "retention_hours", types=(int,))
        super().__init__(platform, name, latency_s=latency_s)
        width = HASH_KEY_SPACE // shard_count
        shards = [Shard(f"shardId-{i:012d}", i,
                        (i * width, HASH_KEY_SPACE - 1 if i == shard_count - 1
                         else (i + 1) * width - 1))
                  for i in range(shard_count)]
        self.retention_hours = retention_hours
        self.stream_log = ShardLog("kinesis", self.arn, shards,
                                   retention_s=retention_hours * 3600.0,
                                   polls_per_s=KINESIS_POLLS_PER_S)
        self._salt = int(self.rng.integers(10**9, 10**10))
        self._counters = [0] * shard_count
        self._env = events.EventEnv(region=platform.region, account_id=platform.account_id,
                                    epoch=_epoch(platform),
                                    rng=random.Random(int(self.rng.integers(2**62))))

    @property
    def arn(self) -> str:
        p = self.platform
        return f"arn:aws:kinesis:{p.region}:{p.account_id}:stream/{self.name}"

    @property
    def shards(self) -> list[Shard]:
        return self.stream_log.shards

    # -- boto3-shaped API ---------------------------------------------------------------------
    def put_record(self, StreamName: str | None = None, Data: bytes | str = b"",
                   PartitionKey: str = "", ExplicitHashKey: str | None = None,
                   StreamARN: str | None = None,
                   SequenceNumberForOrdering: str | None = None) -> dict[str, Any]:
        """Append one record; returns ``{"ShardId", "SequenceNumber", "EncryptionType"}``."""
        self._check_target(StreamName, StreamARN)
        self._call("PutRecord")
        shard, seq = self._append(Data, PartitionKey, ExplicitHashKey, "")
        return {"ShardId": shard.shard_id, "SequenceNumber": seq, "EncryptionType": "NONE"}

    def put_records(self, Records: Sequence[Mapping[str, Any]] = (),
                    StreamName: str | None = None,
                    StreamARN: str | None = None) -> dict[str, Any]:
        """Append up to 500 records in order; returns ``FailedRecordCount`` and one
        ``{"SequenceNumber", "ShardId"}`` per record (lambdakit never fails single records)."""
        self._check_target(StreamName, StreamARN)
        if isinstance(Records, (str, bytes, Mapping)) or not 1 <= len(Records) <= MAX_PUT_RECORDS:
            raise InvalidParameterValueException(
                "Records", Records, f"a list of 1 to {MAX_PUT_RECORDS} records")
        total = 0
        for i, r in enumerate(Records):
            if not isinstance(r, Mapping) or "Data" not in r or "PartitionKey" not in r:
                raise InvalidParameterValueException(
                    f"Records[{i}]", r, "a dict with Data and PartitionKey")
            total += len(_data_bytes(r["Data"], f"Records[{i}].Data")) + len(
                str(r["PartitionKey"]).encode())
        if total > MAX_PUT_RECORDS_BYTES:
            raise InvalidParameterValueException(
                "Records", f"{total:,} bytes", "at most 5 MiB per PutRecords request")
        self._call("PutRecords")
        out = []
        for i, r in enumerate(Records):
            shard, seq = self._append(r["Data"], r["PartitionKey"], r.get("ExplicitHashKey"),
                                      f"Records[{i}].")
            out.append({"SequenceNumber": seq, "ShardId": shard.shard_id})
        return {"FailedRecordCount": 0, "Records": out, "EncryptionType": "NONE"}

    def list_shards(self, StreamName: str | None = None,
                    StreamARN: str | None = None) -> dict[str, Any]:
        """The shards with their hash-key ranges, as ``ListShards`` returns them."""
        self._check_target(StreamName, StreamARN)
        self._call("ListShards")
        return {"Shards": [{
            "ShardId": sh.shard_id,
            "HashKeyRange": {"StartingHashKey": str(sh.hash_range[0]),
                             "EndingHashKey": str(sh.hash_range[1])},
            "SequenceNumberRange": {"StartingSequenceNumber": self._sequence(sh.index, 0)},
        } for sh in self.shards]}

    # -- for learners and tests -------------------------------------------------------------
    def shard_for(self, partition_key: str) -> str:
        """The shard id a partition key maps to.

        >>> from lambdakit import Platform
        >>> KinesisStream(Platform(), "s").shard_for("anything")
        'shardId-000000000000'
        """
        return self._shard_of(hash_key(partition_key)).shard_id

    def records(self, shard_id: str | None = None) -> list[StreamRecord]:
        """The records still retained now, shard by shard, in order."""
        return self.stream_log.records(self.platform.now, shard_id)

    # -- internals ------------------------------------------------------------------------------
    def _check_target(self, name: str | None, arn: str | None) -> None:
        if (name is not None and name != self.name) or (arn is not None and arn != self.arn):
            raise ServiceError("ResourceNotFoundException",
                               f"Stream {name or arn} under account {self.platform.account_id} "
                               "not found.", status_code=400)

    def _shard_of(self, h: int) -> Shard:
        width = HASH_KEY_SPACE // len(self.shards)
        return self.shards[min(h // width, len(self.shards) - 1)]

    def _sequence(self, shard_index: int, n: int) -> str:
        """56 digits: '49', a per-stream salt, the shard, then a per-shard counter."""
        return str(49 * 10**54 + self._salt * 10**44 + shard_index * 10**40 + n)

    def _append(self, data: Any, key: Any, explicit: Any, where: str) -> tuple[Shard, str]:
        raw = _data_bytes(data, f"{where}Data")
        if not isinstance(key, str) or not 1 <= len(key) <= 256:
            raise InvalidParameterValueException(
                f"{where}PartitionKey", key, "a string of 1-256 characters")
        if len(raw) + len(key.encode()) > MAX_RECORD_BYTES:
            raise InvalidParameterValueException(
                f"{where}Data", f"{len(raw):,} bytes",
                "at most 1 MiB of data plus partition key per record")
        h = hash_key(key)
        if explicit is not None:
            try:
                h = int(explicit)
            except (TypeError, ValueError):
                h = -1
            if not 0 <= h < HASH_KEY_SPACE:
                raise InvalidParameterValueException(
                    f"{where}ExplicitHashKey", explicit, "a decimal integer from 0 to 2^128 - 1")
        shard = self._shard_of(h)
        self._counters[shard.index] += 1
        seq = self._sequence(shard.index, self._counters[shard.index])
        t = self.platform.caller_now()
        self._env.now_s = t
        rec = events.kinesis([(key, raw)], stream=self.name, shard_id=shard.shard_id,
                             env=self._env)["Records"][0]
        rec["kinesis"]["sequenceNumber"] = seq  # the builder's own numbers are not per shard
        rec["eventID"] = f"{shard.shard_id}:{seq}"
        size = len(json.dumps(rec, separators=(",", ":")))
        self.stream_log.append(shard.index, StreamRecord(seq, key, t, rec, size))
        return shard, seq


#: The issue's name for a Kinesis stream.
Stream = KinesisStream


def _data_bytes(data: Any, field: str) -> bytes:
    if isinstance(data, (bytes, bytearray)):
        return bytes(data)
    if isinstance(data, str):
        return data.encode("utf-8")
    raise InvalidParameterValueException(field, data, "bytes or str (a data blob)")
