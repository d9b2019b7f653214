"""The event-source mapping for Kinesis streams and DynamoDB streams (facts §2.1, §3.3).

Lambda polls each shard — Kinesis once a second, DynamoDB four times a second — and invokes the
function synchronously with a batch of records in the exact event shape (``Records[]`` as
:func:`lambdakit.events.kinesis` / :func:`~lambdakit.events.dynamodb_stream` build them).

Invariants (what a learner can rely on, and what the tests check):

* **Order.** Each shard is read in order. With ``parallelization_factor`` N, a shard's records
  are spread over N *lanes* by a hash of the partition key; each lane runs one batch at a time,
  in order, so records of one partition key are always handled in order
  (facts §2.1 [S2:with-kinesis.md][S2:with-ddb.md]).
* **Blocking retries.** A failed batch is retried — blocking its lane — until it succeeds, its
  retries run out (``maximum_retry_attempts``) or its oldest record gets too old
  (``maximum_record_age_s``, and never older than the stream's retention) (facts §3.3).
  Throttles do not count as retries; splitting a batch does not either [S2:with-ddb.md].
* **Bisect.** With ``bisect_batch_on_function_error`` a batch that raised is split in two and the
  halves are retried separately, down to single records [S2:with-kinesis.md].
* **Partial batch response.** With ``report_batch_item_failures`` the handler returns
  ``{"batchItemFailures": [{"itemIdentifier": "<sequence number>"}]}``: Lambda checkpoints
  before the lowest listed sequence number and retries from there; an empty or null list is a
  success; an empty, null or unknown identifier fails the whole batch (facts §3.3
  [S2:with-kinesis.md]).
* **Never lost.** Every record ends *processed* (``processed``) or *discarded* (``discarded``);
  each discarded batch produces an invocation record shaped as AWS's example —
  ``requestContext``, ``responseContext``, ``version``, ``timestamp`` and ``KinesisBatchInfo`` /
  ``DDBStreamBatchInfo`` with shard id and start/end sequence numbers [S2:with-kinesis.md]
  [S2:with-ddb.md] — sent to ``on_failure`` and kept in ``failures`` even without a destination
  (AWS would drop it; lambdakit keeps it so nothing disappears unseen).

lambdakit assumptions, not AWS figures: a failed or throttled batch is retried after one polling
interval, doubling up to 60 s; the poll after a finished batch comes on the next polling tick.
Condition ``RecordAgeExceeded`` for age discards is the name LocalStack uses; AWS documents
``RetryAttemptsExhausted`` only.

Example:
    >>> from lambdakit import Platform
    >>> from lambdakit.services.kinesis import KinesisStream
    >>> p = Platform(seed=0)
    >>> seen = []
    >>> _ = p.create_function("f", lambda e, c: seen.extend(
    ...     r["kinesis"]["partitionKey"] for r in e["Records"]))
    >>> s = KinesisStream(p, "clicks")
    >>> m = StreamEventSourceMapping(p, s, "f", batch_size=10)
    >>> for k in "abc": _ = s.put_record(Data=b"x", PartitionKey=k)
    >>> p.advance(2); seen, m.outcomes()["processed"]
    (['a', 'b', 'c'], 3)
"""

from __future__ import annotations

import hashlib
import json
import math
import uuid
from collections import Counter, deque
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from itertools import islice
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.engine import SourceResult
from ..errors import InvalidParameterValueException
from ..function import iam
from ..function.naming import parse_function_ref
from ..function.quotas import QUOTAS, check, check_number, limit
from ..services.base import ServiceError
from ..services.kinesis import Shard, ShardLog, StreamRecord

if TYPE_CHECKING:
    from ..platform import Platform

__all__ = ["BatchAttempt", "StreamEventSourceMapping"]

# The ranges of BatchSize, MaximumBatchingWindowInSeconds, ParallelizationFactor,
# MaximumRetryAttempts and MaximumRecordAgeInSeconds: lambdakit.function.quotas (facts §2.1, §3.3).
BATCH_PAYLOAD_LIMIT = int(limit("sync_payload_bytes"))  # a batch is one sync invoke: 6 MB [S3]
STARTING_POSITIONS = ("TRIM_HORIZON", "LATEST")
MAX_BACKOFF_S = 60.0  # lambdakit assumption: retry delay cap
_BATCH_INFO = {"kinesis": "KinesisBatchInfo", "dynamodb": "DDBStreamBatchInfo"}  # [S2:with-*.md]
_ENVELOPE = 64  # bytes of '{"Records":[...]}' around the records, with margin


@dataclass(frozen=True, slots=True)
class BatchAttempt:
    """One invocation of one batch: where it came from, what it held and how it ended.

    ``outcome`` is the invocation's (ok, error, timeout, throttled) or ``partial`` when the
    handler reported item failures; ``processed`` is how many records it checkpointed.
    """

    shard_id: str
    lane: int
    sequence_numbers: tuple[str, ...]
    record_index: int
    request_id: str
    outcome: str
    processed: int
    invoke_count: int
    start_s: float
    end_s: float


class _Lane:
    """One ordered line of records of a shard (one per parallelization slot)."""

    __slots__ = ("cursor", "index", "pending", "busy", "window_start", "pieces", "retries",
                 "invokes", "last", "not_before", "delay")

    def __init__(self, cursor: _Cursor, index: int) -> None:
        self.cursor = cursor
        self.index = index
        self.pending: deque[StreamRecord] = deque()
        self.busy = False
        self.window_start: float | None = None
        self.pieces: deque[int] = deque()  # sizes of bisected batches still to run
        self.retries = 0  # failed attempts of the records at the front
        self.invokes = 0  # invocations of the records at the front
        self.last: SourceResult | None = None
        self.not_before = 0.0
        self.delay = 0.0

    def reset(self) -> None:
        self.retries = self.invokes = 0
        self.last = None
        self.delay = 0.0


class _Cursor:
    """The mapping's reader of one shard."""

    __slots__ = ("shard", "position", "lanes", "poll_at")

    def __init__(self, shard: Shard, position: int, lanes: int) -> None:
        self.shard = shard
        self.position = position
        self.lanes = [_Lane(self, i) for i in range(lanes)]
        self.poll_at: float | None = None


class StreamEventSourceMapping:
    """Polls a Kinesis stream or a DynamoDB table's stream and invokes ``function`` in batches.

    Args mirror ``CreateEventSourceMapping`` (ranges checked as AWS checks them, facts §3.3):
        source: a :class:`~lambdakit.services.kinesis.KinesisStream` or a
            :class:`~lambdakit.services.table.Table` with a stream.
        batch_size: 1–10,000 (default 100). maximum_batching_window_s: 0–300.
        starting_position: ``TRIM_HORIZON`` (all retained records) or ``LATEST`` (new ones).
        parallelization_factor: 1–10 concurrent batches per shard.
        maximum_retry_attempts: -1 (until the record expires) to 10,000.
        maximum_record_age_s: -1 (until the record expires) or 60–604,800.
        on_failure: where discarded-batch records go — a queue (``send_message``), a topic
            (``publish``), anything with ``send(record)``, or a list.
    """

    def __init__(self, platform: Platform, source: Any, function: str, *,
                 batch_size: int = 100, maximum_batching_window_s: float = 0,
                 starting_position: str = "TRIM_HORIZON", parallelization_factor: int = 1,
                 maximum_retry_attempts: int = -1, maximum_record_age_s: int = -1,
                 bisect_batch_on_function_error: bool = False,
                 report_batch_item_failures: bool = False, on_failure: Any = None,
                 qualifier: str | None = None) -> None:
        log = getattr(source, "stream_log", source)
        if not isinstance(log, ShardLog):
            raise InvalidParameterValueException(
                "source", source, "a KinesisStream, or a Table created with a stream_view_type")
        check("stream_batch_size", batch_size, "batch_size", types=_INT)
        check("esm_batching_window_s", maximum_batching_window_s, "maximum_batching_window_s",
              types=_INT_OR_FLOAT)
        if starting_position not in STARTING_POSITIONS:
            raise InvalidParameterValueException(
                "starting_position", starting_position,
                "TRIM_HORIZON or LATEST (AT_TIMESTAMP is not simulated)")
        check("stream_parallelization_factor", parallelization_factor,
              "parallelization_factor", types=_INT)
        check("stream_maximum_retry_attempts", maximum_retry_attempts, "maximum_retry_attempts",
              types=_INT)
        _check_record_age(maximum_record_age_s)
        if on_failure is not None and not (isinstance(on_failure, list) or any(
                hasattr(on_failure, a) for a in ("send_message", "publish", "send"))):
            raise InvalidParameterValueException(
                "on_failure", on_failure, "an SQS queue, an SNS topic, an object with send() "
                "or a list (an SQS queue or SNS topic on AWS)")
        self.platform = platform
        ref = parse_function_ref(function, qualifier)
        function, qualifier = ref.name, ref.qualifier
        platform.get_function(function, qualifier)  # ResourceNotFoundException if missing
        iam.check_event_source_role(platform, function, log.kind, log.arn)
        self.function = function
        self.qualifier = qualifier
        self.function_arn = platform.function_arn(function, qualifier)
        self.log = log
        self.batch_size = batch_size
        self.maximum_batching_window_s = float(maximum_batching_window_s)
        self.starting_position = starting_position
        self.parallelization_factor = parallelization_factor
        self.maximum_retry_attempts = maximum_retry_attempts
        self.maximum_record_age_s = maximum_record_age_s
        self.bisect_batch_on_function_error = bool(bisect_batch_on_function_error)
        self.report_batch_item_failures = bool(report_batch_item_failures)
        self.on_failure = on_failure
        self.processed: list[str] = []  # sequence numbers, in checkpoint order
        self.discarded: list[str] = []
        self.failures: list[dict[str, Any]] = []  # the records sent to on_failure
        self.undelivered: list[dict[str, Any]] = []  # failures the destination refused
        self.batches: list[BatchAttempt] = []
        self._interval = 1.0 / log.polls_per_s
        limit = math.inf if maximum_record_age_s == -1 else float(maximum_record_age_s)
        self._max_age = min(limit, log.retention_s)  # a record never outlives retention
        self._rng = np.random.default_rng([self.platform.seed, 1201, *map(ord, function), 0,
                                           *map(ord, log.arn)])
        self.uuid = self._new_id()
        self._cursors = [
            _Cursor(sh, sh.first if starting_position == "TRIM_HORIZON" else sh.end,
                    parallelization_factor) for sh in log.shards]
        log.subscribe(self._on_record)
        now = self.platform.now
        for cur in self._cursors:
            if cur.shard.end > cur.position:
                self._schedule(cur, self._tick(now))

    # -- what a learner looks at ------------------------------------------------------------
    def outcomes(self) -> Counter[str]:
        """How many records were processed, discarded, or are still pending."""
        unread = sum(max(c.shard.end - c.position, 0) for c in self._cursors)
        queued = sum(len(lane.pending) for c in self._cursors for lane in c.lanes)
        return Counter(processed=len(self.processed), discarded=len(self.discarded),
                       pending=unread + queued)

    def __repr__(self) -> str:
        return (f"StreamEventSourceMapping({self.log.arn!r} -> {self.function!r}, "
                f"{dict(self.outcomes())})")

    # -- polling ----------------------------------------------------------------------------
    def _tick(self, t: float) -> float:
        """The first polling instant at or after ``t``."""
        k = math.ceil(t / self._interval - 1e-9)
        return max(k * self._interval, t)

    def _schedule(self, cur: _Cursor, t: float) -> None:
        if cur.poll_at is not None and cur.poll_at <= t:
            return  # an earlier poll is due; it re-arms whatever needs a later one
        cur.poll_at = t
        self.platform.call_at(t, partial(self._poll, cur))

    def _on_record(self, shard: Shard, t: float) -> None:
        self._schedule(self._cursors[shard.index], self._tick(t))

    def _poll(self, cur: _Cursor, t: float) -> None:
        if cur.poll_at is not None and cur.poll_at <= t:
            cur.poll_at = None
        n = self.parallelization_factor
        for rec in cur.shard.since(cur.position):
            if rec.arrival_s > t:  # written later in a running handler's virtual time
                self._schedule(cur, self._tick(rec.arrival_s))
                break
            cur.lanes[_lane_of(rec.partition_key, n)].pending.append(rec)
            cur.position += 1
        for lane in cur.lanes:
            if not lane.busy:
                self._try_start(lane, t)

    def _try_start(self, lane: _Lane, t: float) -> None:
        if not lane.pending:
            return
        if t < lane.not_before:
            self._schedule(lane.cursor, lane.not_before)
            return
        self._discard_expired(lane, t)
        if not lane.pending:
            return
        window = self.maximum_batching_window_s
        fresh = not (lane.invokes or lane.pieces or lane.delay)  # retries do not wait again
        if window and fresh and len(lane.pending) < self.batch_size:
            if lane.window_start is None:
                lane.window_start = t
            if t < lane.window_start + window:
                self._schedule(lane.cursor, lane.window_start + window)
                return
        limit = lane.pieces[0] if lane.pieces else self.batch_size
        batch: list[StreamRecord] = []
        size = _ENVELOPE
        for rec in islice(lane.pending, limit):
            if batch and size + rec.size + 1 > BATCH_PAYLOAD_LIMIT:  # 6 MB (facts §3.3)
                break
            batch.append(rec)
            size += rec.size + 1
        lane.window_start = None
        lane.busy = True
        lane.invokes += 1
        event = {"Records": [r.event for r in batch]}
        self.platform.invoke_for_source(
            self.function, event, self.log.kind,
            partial(self._done, lane, batch, lane.invokes, t), qualifier=self.qualifier)

    # -- results ----------------------------------------------------------------------------
    def _done(self, lane: _Lane, batch: list[StreamRecord], invoke_count: int, start: float,
              result: SourceResult) -> None:
        t = self.platform.now
        lane.busy = False
        if result.throttled:  # never reached the function: not a retry [S2:with-ddb.md]
            lane.invokes -= 1
            self._note(lane, batch, result, "throttled", 0, invoke_count, start, t)
            self._backoff(lane, t)
            return
        lane.last = result
        ok = result.outcome == "ok"
        done = self._checkpoint(batch, result.payload) if ok else 0
        label = result.outcome if not ok else "ok" if done == len(batch) else "partial"
        self._note(lane, batch, result, label, done, invoke_count, start, t)
        if done:
            self._take(lane, done, self.processed)
        if done == len(batch):
            lane.reset()
            self._resume(lane, t)
            return
        if done:  # the checkpoint moved: the records after it have been tried once
            lane.retries, lane.invokes = 0, 1
        left = len(batch) - done
        if self.bisect_batch_on_function_error and left > 1 and not ok:
            self._replace_front(lane, left, [(left + 1) // 2, left // 2])
            lane.reset()  # splitting is not a retry [S2:with-ddb.md]
            self._resume(lane, t)
            return
        if self.bisect_batch_on_function_error:  # bisect at the returned sequence number
            self._replace_front(lane, left, [left])
        lane.retries += 1
        if self.maximum_retry_attempts != -1 and lane.retries > self.maximum_retry_attempts:
            self._discard(lane, left, "RetryAttemptsExhausted", t)
            self._resume(lane, t)
            return
        self._backoff(lane, t)

    def _checkpoint(self, batch: list[StreamRecord], response: Any) -> int:
        """How many records of a successful invocation are done (``len(batch)`` = all)."""
        if not self.report_batch_item_failures or not isinstance(response, dict):
            return len(batch)
        failures = response.get("batchItemFailures")
        if failures is None or failures == []:
            return len(batch)
        if not isinstance(failures, list):
            return 0
        where = {r.sequence_number: i for i, r in enumerate(batch)}
        first = len(batch)
        for item in failures:
            ident = item.get("itemIdentifier") if isinstance(item, dict) else None
            if not isinstance(ident, str) or ident not in where:
                return 0  # empty, null, bad key or unknown id: the whole batch failed
            first = min(first, where[ident])
        return first

    def _note(self, lane: _Lane, batch: list[StreamRecord], result: SourceResult, outcome: str,
              done: int, invoke_count: int, start: float, end: float) -> None:
        self.batches.append(BatchAttempt(
            lane.cursor.shard.shard_id, lane.index, tuple(r.sequence_number for r in batch),
            result.record_index, result.request_id, outcome, done, invoke_count, start, end))

    def _resume(self, lane: _Lane, t: float) -> None:
        lane.not_before = self._tick(t)
        if lane.pending:
            self._schedule(lane.cursor, lane.not_before)

    def _backoff(self, lane: _Lane, t: float) -> None:
        lane.delay = self._interval if not lane.delay else min(lane.delay * 2, MAX_BACKOFF_S)
        lane.not_before = t + lane.delay
        self._schedule(lane.cursor, lane.not_before)

    @staticmethod
    def _replace_front(lane: _Lane, left: int, sizes: list[int]) -> None:
        """The next ``left`` records run as batches of ``sizes`` (then as before)."""
        rest = lane.pieces.popleft() - left if lane.pieces else 0
        if rest > 0:
            lane.pieces.appendleft(rest)
        for s in reversed(sizes):
            if s:
                lane.pieces.appendleft(s)

    @staticmethod
    def _take(lane: _Lane, n: int, into: list[str]) -> list[StreamRecord]:
        taken = [lane.pending.popleft() for _ in range(n)]
        into.extend(r.sequence_number for r in taken)
        while n and lane.pieces:
            step = min(n, lane.pieces[0])
            lane.pieces[0] -= step
            n -= step
            if not lane.pieces[0]:
                lane.pieces.popleft()
        return taken

    # -- discarding -------------------------------------------------------------------------
    def _discard_expired(self, lane: _Lane, t: float) -> None:
        n = 0
        for rec in lane.pending:
            if t - rec.arrival_s <= self._max_age:
                break
            n += 1
        while n:
            step = min(n, self.batch_size)
            self._discard(lane, step, "RecordAgeExceeded", t)
            n -= step

    def _discard(self, lane: _Lane, n: int, condition: str, t: float) -> None:
        recs = self._take(lane, n, self.discarded)
        last = lane.last
        record: dict[str, Any] = {
            "requestContext": {
                "requestId": last.request_id if last is not None else self._new_id(),
                "functionArn": self.function_arn,
                "condition": condition,
                "approximateInvokeCount": lane.invokes,
            },
        }
        if last is not None:
            ctx: dict[str, Any] = {"statusCode": 200, "executedVersion":
                                   self.platform.record(last.record_index).version}
            if last.function_error:
                ctx["functionError"] = "Unhandled"
            record["responseContext"] = ctx
        ms = self.log.kind == "kinesis"  # Kinesis arrival times carry ms, DynamoDB's seconds
        record["version"] = "1.0"
        record["timestamp"] = self._iso(t, True)
        record[_BATCH_INFO[self.log.kind]] = {
            "shardId": lane.cursor.shard.shard_id,
            "startSequenceNumber": recs[0].sequence_number,
            "endSequenceNumber": recs[-1].sequence_number,
            "approximateArrivalOfFirstRecord": self._iso(recs[0].arrival_s, ms),
            "approximateArrivalOfLastRecord": self._iso(recs[-1].arrival_s, ms),
            "batchSize": len(recs),
            "streamArn": self.log.arn,
        }
        lane.reset()
        self.failures.append(record)
        try:
            _deliver(self.on_failure, record)
        except ServiceError:  # e.g. an injected fault on the destination queue
            self.undelivered.append(record)

    def _iso(self, t: float, ms: bool) -> str:
        d = datetime.fromtimestamp(self.platform.epoch_s + t, tz=timezone.utc)
        return f"{d:%Y-%m-%dT%H:%M:%S}" + (f".{d.microsecond // 1000:03d}Z" if ms else "Z")

    def _new_id(self) -> str:
        return str(uuid.UUID(bytes=self._rng.bytes(16), version=4))


# -- helpers --------------------------------------------------------------------------------

def _lane_of(key: str, n: int) -> int:
    if n == 1:
        return 0
    return int.from_bytes(hashlib.md5(key.encode()).digest()[:8], "big") % n


_INT: tuple[type, ...] = (int,)  # as before: a plain int (not a bool, not numpy's)
_INT_OR_FLOAT: tuple[type, ...] = (int, float)


def _check_record_age(value: Any) -> None:
    """-1 (no limit) or the quota's range, 60–604,800 s."""
    if isinstance(value, int) and value == -1:
        return
    q = QUOTAS["stream_maximum_record_age_s"]
    check_number("maximum_record_age_s", value, q.low, q.high, types=_INT,
                 rule=q.rule(also="-1 (no limit)"))


def _deliver(dest: Any, record: dict[str, Any]) -> None:
    """Send a failure record the way the destination takes messages."""
    if dest is None:
        return
    if hasattr(dest, "send_message"):
        dest.send_message(MessageBody=json.dumps(record))
    elif hasattr(dest, "publish"):
        dest.publish(Message=json.dumps(record))
    elif hasattr(dest, "send"):
        dest.send(record)
    else:
        dest.append(record)


