"""The SQS event-source mapping: pollers that feed a queue's messages to a function in batches.

How it behaves (lambda-facts §2.1, §3.3):

* **Pollers.** Concurrency starts at 5 batches, grows by up to 300 per minute while messages
  wait and every poller is busy, up to a cap (1,250; older AWS text says 1,000 — facts
  uncertainty 2, so ``concurrency_cap`` is a parameter) or ``maximum_concurrency`` (2–1,000),
  and falls back towards 5 when the queue runs dry [S8][S9][S11][S42].
* **Batches.** A poller receives up to ``batch_size`` messages; with a batching window it keeps
  collecting until the batch is full, the window (from its first message) ends, or the payload
  would pass 6 MB [S2:with-sqs.md]. Messages are in flight (invisible) from the moment they are
  received, for the queue's visibility timeout.
* **Results.** Success deletes the batch. A function error or timeout deletes nothing: the whole
  batch reappears when its visibility timeout runs out, receive counts grow, and the queue's
  redrive policy moves poison messages to the dead-letter queue [S2:with-sqs.md]. With
  ``report_batch_item_failures`` only the listed ``itemIdentifier`` messages stay.
  A throttled invoke is retried with backoff while the batch is still invisible; then the
  messages return to the queue. Errors and throttles lower the poller count (not errors
  when ``report_batch_item_failures`` is on) — AWS docs, "Handling errors for an SQS event
  source": https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
* **FIFO.** The queue never hands out a message group that has a message in flight, so one
  batch per group runs at a time, in order [S8][S43].

So a learner sees at-least-once delivery: a batch that fails after handling some messages is
handled again in full, and a batch that outlives its visibility timeout is received twice.

Example:
    >>> from lambdakit import Platform
    >>> from lambdakit.services.queue import Queue
    >>> p = Platform(seed=3)
    >>> _ = p.create_function("work", lambda event, ctx: len(event["Records"]))
    >>> q = Queue(p, "jobs")
    >>> esm = SqsEventSourceMapping(p, q, "work", batch_size=5)
    >>> for i in range(12):
    ...     _ = q.send_message(MessageBody=f"job {i}")
    >>> p.advance(5)
    >>> [len(b.message_ids) for b in esm.batches], len(q)
    ([5, 5, 2], 0)
"""

from __future__ import annotations

import json
import math
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from typing import TYPE_CHECKING, Any

from .. import events
from ..errors import InvalidParameterValueException
from ..function import iam
from ..function.naming import parse_function_ref
from ..function.quotas import QUOTAS, check, check_number, limit
from ..services.queue import Queue, StoredMessage, lambda_message_attributes

if TYPE_CHECKING:
    from ..core.engine import SourceResult
    from ..platform import Platform

__all__ = [
    "SQS_CONCURRENCY_CAP",
    "recommended_visibility_timeout_s",
    "SQS_INITIAL_CONCURRENCY",
    "SQS_SCALE_UP_PER_MINUTE",
    "BatchRecord",
    "SqsEventSourceMapping",
]

SQS_INITIAL_CONCURRENCY = 5  # concurrent batches at the start [S2:with-sqs.md][S9]
SQS_SCALE_UP_PER_MINUTE = 300  # since 6 Nov 2023; 60 before [S8][S9]
SQS_CONCURRENCY_CAP = 1250  # newer text / re:Post; older doc text: 1,000 (uncertainty 2) [S8][S9]
# BatchSize (standard and FIFO), MaximumBatchingWindowInSeconds and
# ScalingConfig.MaximumConcurrency ranges: lambdakit.function.quotas (facts §2.1, §3.3).
BATCH_PAYLOAD_LIMIT = int(limit("sync_payload_bytes"))  # one sync invoke: 6 MB [S2:with-sqs.md]
SCALE_STEP_S = 1.0  # lambdakit assumption: the growth rate is applied in 1-second steps
THROTTLE_RETRY_S = (1.0, 30.0)  # lambdakit assumption: first retry delay, cap (doubling)
_SOURCE = "sqs"


@dataclass(frozen=True, slots=True)
class BatchRecord:
    """One batch the mapping handed to the function, and how it ended.

    ``outcome``: ``ok`` (all deleted), ``partial`` (some reported as failures), ``error`` /
    ``timeout`` (function failed: none deleted), ``invalid-response`` (a malformed partial
    batch response: none deleted), ``throttled`` (gave up retrying: none deleted).
    ``deleted_ids`` can miss ids of ``ok`` messages whose receipt handle went stale (their
    visibility ran out and someone received them again): those are handled again.
    """

    record_index: int  # the invocation record (p.records()) of the last attempt
    request_id: str
    received_s: float  # first message received by the poller
    invoked_s: float
    end_s: float
    message_ids: tuple[str, ...]
    group_ids: tuple[str | None, ...]
    receive_counts: tuple[int, ...]
    outcome: str
    failed_ids: tuple[str, ...]
    deleted_ids: tuple[str, ...]
    attempts: int  # 1 + throttled attempts


@dataclass(slots=True)
class _Batch:
    received_s: float
    # (message, receipt handle, receive count)
    items: list[tuple[StoredMessage, str, int]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    size: int = 0
    invoked_s: float = 0.0
    attempts: int = 0
    event: dict[str, Any] | None = None


class SqsEventSourceMapping:
    """Poll ``queue`` and invoke ``function`` (``"name"`` or ``"name:qualifier"``) with
    batches of messages, on the platform clock. Arguments mirror CreateEventSourceMapping:
    ``BatchSize``, ``MaximumBatchingWindowInSeconds``, ``FunctionResponseTypes=
    ["ReportBatchItemFailures"]``, ``ScalingConfig.MaximumConcurrency``, ``Enabled``.

    >>> from lambdakit import Platform
    >>> from lambdakit.services.queue import Queue
    >>> p = Platform(seed=0)
    >>> _ = p.create_function("f", lambda e, c: None)
    >>> SqsEventSourceMapping(p, Queue(p, "q"), "f", batch_size=100)
    Traceback (most recent call last):
    ...
    lambdakit.errors.InvalidParameterValueException: maximum_batching_window_s=0 is not valid: at least 1 second when batch_size is more than 10 (batch_size=100)
    """  # noqa: E501

    def __init__(self, platform: Platform, queue: Queue, function: str, batch_size: int = 10,
                 maximum_batching_window_s: float = 0,
                 report_batch_item_failures: bool = False,
                 maximum_concurrency: int | None = None, enabled: bool = True, *,
                 qualifier: str | None = None, concurrency_cap: int = SQS_CONCURRENCY_CAP,
                 initial_concurrency: int = SQS_INITIAL_CONCURRENCY,
                 scale_up_per_minute: float = SQS_SCALE_UP_PER_MINUTE) -> None:
        self.platform = platform
        if not isinstance(queue, Queue):
            raise InvalidParameterValueException("queue", queue, "a lambdakit Queue")
        ref = parse_function_ref(function, qualifier)
        name = ref.name
        config = platform.get_function(name, ref.qualifier)  # 404 when missing
        self.function = name
        self.qualifier = ref.qualifier
        self.queue = queue
        _check(queue, batch_size, maximum_batching_window_s, maximum_concurrency,
               concurrency_cap, initial_concurrency, scale_up_per_minute)
        # the execution role must allow the poller's sqs:ReceiveMessage, DeleteMessage and
        # GetQueueAttributes on the queue (a function without a role is not checked)
        iam.check_event_source_role(platform, name, "sqs", queue.arn)
        timeout = config.timeout_s
        if queue.visibility_timeout_s < timeout:  # checked by CreateEventSourceMapping
            raise InvalidParameterValueException(
                "VisibilityTimeout", queue.visibility_timeout_s,
                f"at least the function timeout ({timeout} s); AWS advises 6 × the timeout "
                f"[S2:with-sqs.md]")
        self.batch_size = batch_size
        self.maximum_batching_window_s = float(maximum_batching_window_s)
        self.report_batch_item_failures = bool(report_batch_item_failures)
        self.maximum_concurrency = maximum_concurrency
        self.concurrency_cap = concurrency_cap
        self.scale_up_per_minute = float(scale_up_per_minute)
        self._ceiling = min(concurrency_cap, maximum_concurrency or concurrency_cap)
        self._floor = min(initial_concurrency, self._ceiling)
        self._level = float(self._floor)  # pollers allowed now
        self.uuid = str(uuid.UUID(bytes=queue.rng.bytes(16), version=4))
        #: every finished batch, in the order they ended
        self.batches: list[BatchRecord] = []
        #: (time, pollers allowed) at every change: the scaling curve
        self.scaling: list[tuple[float, int]] = [(platform.now, self._floor)]
        self._busy = 0  # batches being collected, invoked or retried
        self._collector: _Batch | None = None
        self._pump_due = False
        self._tick_due = False
        self._setbacks = 0  # throttles and backed-off errors since the last scaling step
        self._hold_until = -math.inf  # after a throttle, pollers pause before taking more
        self._epoch = datetime.fromtimestamp(platform.epoch_s, tz=timezone.utc)
        self._overhead = self._record_overhead()
        self.enabled = False
        queue.on_receivable(self._poke)
        if enabled:
            self.enable()

    # -- control --------------------------------------------------------------------------
    @property
    def state(self) -> str:
        """``Enabled`` or ``Disabled``, as GetEventSourceMapping reports it."""
        return "Enabled" if self.enabled else "Disabled"

    @property
    def concurrency(self) -> int:
        """How many batches the pollers may have in flight now."""
        return int(self._level)

    @property
    def in_flight(self) -> int:
        """Batches being collected, invoked or retried now."""
        return self._busy

    def enable(self) -> None:
        """Start (or resume) polling."""
        self.enabled = True
        self._kick(self.platform.now)

    def disable(self) -> None:
        """Stop polling; batches already in flight finish."""
        self.enabled = False

    def __repr__(self) -> str:
        return (f"SqsEventSourceMapping({self.queue.name!r} -> {self.function!r}, "
                f"batch_size={self.batch_size}, {self.state})")

    # -- the poller loop ------------------------------------------------------------------
    def _poke(self, t: float) -> None:
        self._kick(t)

    def _kick(self, t: float) -> None:
        """Run the poller loop at ``t`` (once, however many things asked for it)."""
        if not self._pump_due:
            self._pump_due = True
            self.platform.call_at(max(t, self.platform.now), self._pump)

    def _pump(self, t: float) -> None:
        self._pump_due = False
        if not self.enabled:
            return
        q, vis = self.queue, self.queue.visibility_timeout_s
        while True:
            if t < self._hold_until:  # backing off after a throttle
                self._kick(self._hold_until)
                return
            c = self._collector
            if c is not None:
                got, full = q.take(self.batch_size - len(c.items), vis, t,
                                    BATCH_PAYLOAD_LIMIT - c.size, self._overhead)
                self._add(c, got)
                if full or len(c.items) >= self.batch_size:
                    self._collector = None
                    self._invoke(c, t)
                    continue
                return  # keep collecting until the window ends or more messages come
            if self._busy >= int(self._level):
                if q.has_backlog(t):
                    self._want_more(t)
                return
            got, full = q.take(self.batch_size, vis, t, BATCH_PAYLOAD_LIMIT, self._overhead)
            if not got:
                self._set_level(max(float(self._floor), float(self._busy)), t)  # idle
                return
            self._busy += 1
            b = _Batch(received_s=t)
            self._add(b, got)
            if self.maximum_batching_window_s == 0 or full or len(got) >= self.batch_size:
                self._invoke(b, t)
            else:
                self._collector = b
                self.platform.call_at(t + self.maximum_batching_window_s,
                                    partial(self._window_end, b))

    def _window_end(self, b: _Batch, t: float) -> None:
        if self._collector is b:
            self._collector = None
            self._invoke(b, t)
            self._kick(t)

    def _add(self, b: _Batch, msgs: list[StoredMessage]) -> None:
        q = self.queue
        for m in msgs:
            assert m.handle is not None
            b.items.append((m, m.handle, m.receive_count))
            b.size += m.wire + self._overhead
            b.records.append({"attributes": q.system_attributes(m),
                              "messageAttributes": lambda_message_attributes(m.attrs)})

    # -- scaling --------------------------------------------------------------------------
    def _want_more(self, t: float) -> None:
        if self._level < self._ceiling and not self._tick_due:
            self._tick_due = True
            self.platform.call_at(t + SCALE_STEP_S, self._tick)

    def _tick(self, t: float) -> None:
        """Add pollers while messages wait (up to ``scale_up_per_minute``)."""
        self._tick_due = False
        setbacks, self._setbacks = self._setbacks, 0
        if self.enabled and self.queue.has_backlog(t):
            if not setbacks:  # no throttle or backed-off error since the last step
                step = self.scale_up_per_minute * SCALE_STEP_S / 60.0
                self._set_level(min(float(self._ceiling), self._level + step), t)
                self._kick(t)
            self._want_more(t)

    def _set_level(self, level: float, t: float) -> None:
        before = int(self._level)
        self._level = level
        if int(level) != before:
            self.scaling.append((t, int(level)))

    def _back_off(self, t: float) -> None:
        self._setbacks += 1
        self._set_level(max(float(self._floor), self._level - 1.0), t)

    # -- invoking -------------------------------------------------------------------------
    def _invoke(self, b: _Batch, t: float) -> None:
        if b.event is None:
            b.invoked_s = t
            b.event = self._event(b, t)
        b.attempts += 1
        self.platform.invoke_for_source(self.function, b.event, _SOURCE, partial(self._done, b),
                                      qualifier=self.qualifier)

    def _event(self, b: _Batch, t: float) -> dict[str, Any]:
        """The SQS event: records shaped by :func:`lambdakit.events.sqs`, carrying each
        message's real id, receipt handle, body, attributes and message attributes."""
        env = events.EventEnv(region=self.platform.region, account_id=self.platform.account_id,
                              epoch=self._epoch, now_s=t, rng=random.Random(0))
        template = events.sqs(["-"], queue=self.queue.name, env=env)["Records"][0]
        template["eventSourceARN"] = self.queue.arn
        records = []
        for (m, handle, _), extra in zip(b.items, b.records, strict=True):
            rec = dict(template)
            rec["messageId"] = m.id
            rec["receiptHandle"] = handle
            rec["body"] = m.body
            rec["attributes"] = extra["attributes"]
            rec["messageAttributes"] = extra["messageAttributes"]
            rec["md5OfBody"] = m.md5
            records.append(rec)
        return {"Records": records}

    def _record_overhead(self) -> int:
        """Bytes one event record adds besides its message's own ``wire`` size: the record
        of an empty message, plus room for the FIFO attributes and large counters."""
        env = events.EventEnv(region=self.platform.region, account_id=self.platform.account_id,
                              epoch=self._epoch, rng=random.Random(0))
        rec = events.sqs(["-"], queue=self.queue.name, env=env)["Records"][0]
        rec["eventSourceARN"] = self.queue.arn
        return len(json.dumps(rec, separators=(",", ":"))) + 256

    def _done(self, b: _Batch, res: SourceResult) -> None:
        t = self.platform.now
        ids = [m.id for m, _, _ in b.items]
        if res.throttled:
            self._back_off(t)
            self._hold_until = t + THROTTLE_RETRY_S[0]
            delay = min(THROTTLE_RETRY_S[1], THROTTLE_RETRY_S[0] * 2.0 ** (b.attempts - 1))
            deadline = min(m.visible_at for m, h, _ in b.items if m.handle == h) \
                if any(m.handle == h for m, h, _ in b.items) else t
            if t + delay < deadline:  # retry while the batch is still invisible
                self.platform.call_at(t + delay, partial(self._retry, b))
                return
            self._finish(b, res, "throttled", ids, t)
            return
        if res.function_error:
            if not self.report_batch_item_failures:
                self._back_off(t)
            self._finish(b, res, res.outcome, ids, t)
            return
        failed: list[str] = []
        outcome = "ok"
        if self.report_batch_item_failures:
            parsed = _failures(res.payload, ids)
            if parsed is None:
                failed, outcome = ids, "invalid-response"
            elif parsed:
                failed, outcome = parsed, "partial"
        self._finish(b, res, outcome, failed, t)

    def _retry(self, b: _Batch, t: float) -> None:
        self._invoke(b, t)

    def _finish(self, b: _Batch, res: SourceResult, outcome: str, failed: list[str],
                t: float) -> None:
        bad = set(failed)
        deleted = tuple(m.id for m, handle, _ in b.items
                        if m.id not in bad and self.queue.delete_by_handle(handle, t))
        self.batches.append(BatchRecord(
            res.record_index, res.request_id, b.received_s, b.invoked_s, t,
            tuple(m.id for m, _, _ in b.items), tuple(m.group for m, _, _ in b.items),
            tuple(c for _, _, c in b.items), outcome, tuple(failed), deleted, b.attempts))
        self._busy -= 1
        self._kick(t)


def _failures(payload: Any, ids: list[str]) -> list[str] | None:
    """The failed message ids of a partial batch response, or None when the response is
    invalid (the whole batch fails). Complete success: ``None``, ``{}`` or an empty / null
    ``batchItemFailures``. Invalid: not an object, an ``itemIdentifier`` that is missing,
    empty, null or not a message id of the batch — AWS docs, "Implementing partial batch
    responses" (services-sqs-errorhandling.html).

    >>> _failures({"batchItemFailures": [{"itemIdentifier": "b"}]}, ["a", "b"])
    ['b']
    >>> _failures({"batchItemFailures": []}, ["a"]), _failures("ok", ["a"])
    ([], None)
    """
    if payload is None:
        return []
    if not isinstance(payload, dict):  # a str return arrives as a JSON string: not an object
        return None
    items = payload.get("batchItemFailures")
    if items is None:
        return []
    if not isinstance(items, list):
        return None
    known = set(ids)
    out: list[str] = []
    for item in items:
        ident = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not isinstance(ident, str) or ident not in known:
            return None
        if ident not in out:
            out.append(ident)
    return out


def _check(queue: Queue, batch_size: Any, window: Any, max_conc: Any, cap: Any, initial: Any,
           per_minute: Any) -> None:
    """Validate the mapping's settings like CreateEventSourceMapping (facts §3.3)."""
    check("sqs_fifo_batch_size" if queue.fifo else "sqs_batch_size", batch_size, "batch_size",
          types=_INT)
    check("esm_batching_window_s", window, "maximum_batching_window_s", types=_INT_OR_FLOAT)
    if batch_size > 10 and window < 1:
        raise InvalidParameterValueException(
            "maximum_batching_window_s", window,
            f"at least 1 second when batch_size is more than 10 (batch_size={batch_size})")
    if max_conc is not None:
        q = QUOTAS["sqs_maximum_concurrency"]
        check_number("maximum_concurrency", max_conc, q.low, q.high, types=_INT,
                     rule=q.rule(also="None (no limit)"))
    for name, value in (("concurrency_cap", cap), ("initial_concurrency", initial)):
        check_number(name, value, 1, types=_INT, unit="batches")
    check_number("scale_up_per_minute", per_minute, 0, positive=True, finite=False,
                 types=_INT_OR_FLOAT, unit="batches per minute")


_INT: tuple[type, ...] = (int,)  # as before: a plain int (not a bool, not numpy's)
_INT_OR_FLOAT: tuple[type, ...] = (int, float)


def recommended_visibility_timeout_s(function_timeout_s: int) -> int:
    """The visibility timeout AWS advises for a queue a mapping reads: 6 × the function's
    timeout [S2:with-sqs.md], within SQS's range (never below its 30 s default, at most 12 h).

    >>> recommended_visibility_timeout_s(3), recommended_visibility_timeout_s(900)
    (30, 5400)
    """
    q = QUOTAS["sqs_visibility_timeout_s"]
    return int(min(q.high or 0, max(q.default or 0, 6 * function_timeout_s)))
