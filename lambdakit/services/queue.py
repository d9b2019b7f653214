"""Amazon SQS on the platform clock: standard and FIFO queues, visibility, redrive, retention.

A :class:`Queue` keeps its messages in memory and answers boto3-shaped calls
(``send_message``, ``receive_message``, ``delete_message``, ...). Time is the platform's virtual
clock (inside a handler: the handler's own clock), so visibility timeouts, delays, the FIFO
deduplication window and retention all play out in simulated time.

Invariants (checked by the tests):

* a message is in exactly one state: *queued* (visible, or not yet: delayed / its visibility
  just ran out) or *in flight* (received, invisible until ``visible_at``), until it is deleted,
  moved to the dead-letter queue or expired by retention — never silently dropped;
* each receive gives a new receipt handle and adds 1 to ``ApproximateReceiveCount``; only the
  latest handle deletes (an older one "succeeds" and deletes nothing, as DeleteMessage says);
* with a redrive policy, a message received ``max_receive_count`` times is moved to the
  dead-letter queue on the next receive attempt instead of being delivered;
* FIFO (name ends in ``.fifo``): messages of one message group come out in send order, and no
  message of a group is handed out while another message of that group is in flight.

Figures that lambda-facts.md does not cover come from the SQS Developer Guide and API
Reference (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/): quotas
(``sqs-quotas.html``), ``SetQueueAttributes``, ``ReceiveMessage``, ``DeleteMessage``,
FIFO deduplication (``using-messagededuplicationid-property.html``), dead-letter queues
(``sqs-dead-letter-queues.html``) and the message-attribute MD5
(``sqs-message-metadata.html``). Simplifications: no spontaneous duplicate deliveries of a
standard queue; long polling inside a handler sees only what this queue already holds.

Example:
    >>> from lambdakit import Platform
    >>> p = Platform(seed=1)
    >>> q = Queue(p, "jobs")
    >>> q.url
    'https://sqs.us-east-1.amazonaws.com/123456789012/jobs'
    >>> sent = q.send_message(MessageBody="hello")
    >>> sent["MD5OfMessageBody"]
    '5d41402abc4b2a76b9719d911017c592'
    >>> got = q.receive_message(MaxNumberOfMessages=10)["Messages"]
    >>> [m["Body"] for m in got], got[0]["MessageId"] == sent["MessageId"]
    (['hello'], True)
    >>> q.delete_message(ReceiptHandle=got[0]["ReceiptHandle"]); len(q)
    0
"""

from __future__ import annotations

import base64
import hashlib
import heapq
import json
import random
import uuid
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import InvalidParameterValueException
from ..function.quotas import check
from .base import Service, ServiceError
from .sqs_messages import (
    _BAD_CHAR,
    _GONE,
    _ID,
    _INFLIGHT,
    _NAME,
    _QUEUED,
    DEDUP_WINDOW_S,
    DEFAULT_RETENTION_S,
    DEFAULT_VISIBILITY_S,
    MAX_MESSAGE_BYTES,
    MessageView,
    StoredMessage,
    _attributes_md5,
    _attributes_size,
    _check_attributes,
    _md5,
    _partition,
    _pick_attributes,
    _token,
    lambda_message_attributes,
)

if TYPE_CHECKING:
    from ..platform import Platform


__all__ = ["MessageView", "Queue", "StoredMessage", "lambda_message_attributes"]

_INT = (int,)  # SQS's integer parameters: an int, not a bool, a float or a numpy integer


class Queue(Service):
    """An SQS queue (standard, or FIFO when ``name`` ends in ``.fifo``) on the platform clock.

    ``dead_letter`` + ``max_receive_count`` form the redrive policy. Other settings mirror the
    queue attributes ``VisibilityTimeout``, ``MessageRetentionPeriod``, ``DelaySeconds``,
    ``ReceiveMessageWaitTimeSeconds``, ``MaximumMessageSize`` and
    ``ContentBasedDeduplication``. ``latency_s`` is each call's simulated latency
    (a lambdakit assumption).

    >>> from lambdakit import Platform
    >>> p = Platform(seed=0)
    >>> dlq = Queue(p, "jobs-dlq")
    >>> q = Queue(p, "jobs", dead_letter=dlq, max_receive_count=1, visibility_timeout_s=5)
    >>> _ = q.send_message(MessageBody="poison")
    >>> len(q.receive_message()["Messages"])   # 1st receive; never deleted
    1
    >>> p.advance(6); q.receive_message().get("Messages"), len(dlq)   # moved on the next try
    (None, 1)
    """

    kind = "sqs"
    rng_key: ClassVar[int] = 5051  # stable integer for this service's RNG

    def __init__(self, platform: Platform, name: str, *,
                 visibility_timeout_s: int = DEFAULT_VISIBILITY_S,
                 message_retention_s: int = DEFAULT_RETENTION_S, delay_s: int = 0,
                 receive_wait_s: int = 0, maximum_message_size: int = MAX_MESSAGE_BYTES,
                 dead_letter: Queue | None = None, max_receive_count: int | None = None,
                 content_based_deduplication: bool = False,
                 latency_s: float | None = None) -> None:
        if not isinstance(name, str) or not _NAME.fullmatch(name.removesuffix(".fifo")) \
                or len(name) > 80:
            raise InvalidParameterValueException(
                "QueueName", name, "1–80 letters, digits, '-' or '_' (FIFO: ending in '.fifo')")
        self.fifo = name.endswith(".fifo")
        for quota, field, value in (
                ("sqs_visibility_timeout_s", "VisibilityTimeout", visibility_timeout_s),
                ("sqs_message_retention_s", "MessageRetentionPeriod", message_retention_s),
                ("sqs_delay_s", "DelaySeconds", delay_s),
                ("sqs_receive_wait_s", "ReceiveMessageWaitTimeSeconds", receive_wait_s),
                ("sqs_maximum_message_size", "MaximumMessageSize", maximum_message_size)):
            check(quota, value, field, types=_INT)
        self.visibility_timeout_s = visibility_timeout_s
        self.message_retention_s = message_retention_s
        self.delay_s = delay_s
        self.receive_wait_s = receive_wait_s
        self.maximum_message_size = maximum_message_size
        if content_based_deduplication and not self.fifo:
            raise InvalidParameterValueException(
                "ContentBasedDeduplication", True, "only for FIFO queues (name ending '.fifo')")
        self.content_based_deduplication = bool(content_based_deduplication)
        self._check_redrive(platform, name, dead_letter, max_receive_count)
        super().__init__(platform, name, latency_s=latency_s)
        self.dead_letter = dead_letter
        self.max_receive_count = max_receive_count
        self.created_s = self.platform.now
        #: ids of messages deleted, in order; ids moved to the dead-letter queue; expired ones
        self.deleted: list[str] = []
        self.redriven: list[str] = []
        self.expired: list[MessageView] = []
        self.deduplicated = 0  # FIFO sends dropped as duplicates within the 5-minute window
        self._groups: dict[str, deque[StoredMessage]] = {}
        self._locked: dict[str, int] = {}  # group key -> messages in flight
        self._ready: list[tuple[int, str]] = []  # heap of (head seq, group key) to serve
        self._timers: list[tuple[float, int, StoredMessage, int]] = []  # visibility changes
        self._by_sent: list[tuple[float, int, StoredMessage]] = []  # retention order
        self._handles: dict[str, StoredMessage] = {}
        self._dedup: dict[str, tuple[float, str, str | None]] = {}
        self._dedup_order: deque[tuple[float, str]] = deque()
        self._n = 0
        self._seq_base = 10**19 + int(self.rng.integers(0, 10**17)) * 1000
        self._ids = random.Random(int(self.rng.integers(0, 2**63)))  # ids and receipt handles
        self._listeners: list[Callable[[float], None]] = []
        self._wakes: set[float] = set()

    # -- identity -------------------------------------------------------------------------
    @property
    def arn(self) -> str:
        """``arn:aws:sqs:<region>:<account>:<name>``."""
        return f"arn:{_partition(self.platform.region)}:sqs:{self.platform.region}:" \
               f"{self.platform.account_id}:{self.name}"

    @property
    def url(self) -> str:
        """The QueueUrl: ``https://sqs.<region>.amazonaws.com/<account>/<name>``."""
        suffix = "amazonaws.com.cn" if self.platform.region.startswith("cn-") else "amazonaws.com"
        return f"https://sqs.{self.platform.region}.{suffix}/{self.platform.account_id}/{self.name}"

    def __len__(self) -> int:
        """Messages stored (visible, delayed or in flight)."""
        self._refresh(self.platform.caller_now())
        return sum(len(dq) for dq in self._groups.values())

    # -- boto3-shaped operations ----------------------------------------------------------
    def send_message(self, QueueUrl: str | None = None, MessageBody: str | None = None,  # noqa: N803
                     DelaySeconds: int | None = None,  # noqa: N803
                     MessageAttributes: Mapping[str, Any] | None = None,  # noqa: N803
                     MessageDeduplicationId: str | None = None,  # noqa: N803
                     MessageGroupId: str | None = None) -> dict[str, str]:  # noqa: N803
        """Send one message; returns ``MessageId``, ``MD5OfMessageBody`` (and for FIFO the
        ``SequenceNumber``; with attributes ``MD5OfMessageAttributes``)."""
        self._call("SendMessage")
        self._check_url(QueueUrl)
        return self._send(MessageBody, DelaySeconds, MessageAttributes, MessageDeduplicationId,
                          MessageGroupId, self.platform.caller_now())

    def send_message_batch(self, QueueUrl: str | None = None,  # noqa: N803
                           Entries: Sequence[Mapping[str, Any]] = ()  # noqa: N803
                           ) -> dict[str, list[dict[str, Any]]]:
        """Send 1–10 entries (each with ``Id``, ``MessageBody``, ...). Entries that fail
        validation are listed under ``Failed``; the others are sent."""
        self._call("SendMessageBatch")
        self._check_url(QueueUrl)
        entries = self._check_entries(Entries)
        total = sum(len(str(e.get("MessageBody", "")).encode()) for e in entries)
        if total > self.maximum_message_size:
            raise ServiceError("AWS.SimpleQueueService.BatchRequestTooLong",
                               f"Batch requests cannot be longer than "
                               f"{self.maximum_message_size} bytes")
        t = self.platform.caller_now()
        ok: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for e in entries:
            try:
                res = self._send(e.get("MessageBody"), e.get("DelaySeconds"),
                                 e.get("MessageAttributes"), e.get("MessageDeduplicationId"),
                                 e.get("MessageGroupId"), t)
            except (InvalidParameterValueException, ServiceError) as exc:
                code = getattr(exc, "code", "InvalidParameterValue")
                failed.append({"Id": e["Id"], "SenderFault": True, "Code": code,
                               "Message": str(exc)})
                continue
            ok.append({"Id": e["Id"], **res})
        return {"Successful": ok, "Failed": failed}

    def receive_message(self, QueueUrl: str | None = None,  # noqa: N803
                        MaxNumberOfMessages: int = 1,  # noqa: N803
                        VisibilityTimeout: int | None = None,  # noqa: N803
                        WaitTimeSeconds: int | None = None,  # noqa: N803
                        AttributeNames: Sequence[str] | None = None,  # noqa: N803
                        MessageSystemAttributeNames: Sequence[str] | None = None,  # noqa: N803
                        MessageAttributeNames: Sequence[str] | None = None,  # noqa: N803
                        ReceiveRequestAttemptId: str | None = None  # noqa: N803
                        ) -> dict[str, Any]:
        """Receive up to ``MaxNumberOfMessages`` (1–10). No ``Messages`` key when nothing is
        available, as boto3. Inside a handler, ``WaitTimeSeconds`` (long polling, 0–20 s)
        waits on the virtual clock for a message this queue will make visible (a delay or a
        visibility timeout running out) and charges the wait to the handler."""
        self._call("ReceiveMessage")
        self._check_url(QueueUrl)
        check("sqs_max_number_of_messages", MaxNumberOfMessages, "MaxNumberOfMessages",
              types=_INT)
        n = MaxNumberOfMessages
        if VisibilityTimeout is not None:
            check("sqs_visibility_timeout_s", VisibilityTimeout, "VisibilityTimeout", types=_INT)
        if WaitTimeSeconds is not None:
            check("sqs_wait_time_s", WaitTimeSeconds, "WaitTimeSeconds", types=_INT)
        vis = self.visibility_timeout_s if VisibilityTimeout is None else VisibilityTimeout
        wait = self.receive_wait_s if WaitTimeSeconds is None else WaitTimeSeconds
        t = self.platform.caller_now()
        got, _ = self.take(n, vis, t)
        horizon = t + wait
        while not got and t < horizon:  # long polling, on the handler's clock
            nxt = min((x[0] for x in self._timers if x[0] > t), default=horizon)
            step = min(nxt, horizon) - t
            if not self.platform.spend(step):
                break  # not inside a handler: the clock cannot move during a call
            t += step
            got, _ = self.take(n, vis, t)
        if not got:
            return {}
        names = set(AttributeNames or ()) | set(MessageSystemAttributeNames or ())
        return {"Messages": [self._boto_message(m, names, MessageAttributeNames)
                             for m in got]}

    def delete_message(self, QueueUrl: str | None = None,  # noqa: N803
                       ReceiptHandle: str | None = None) -> None:  # noqa: N803
        """Delete the message a receipt handle names. A handle from an earlier receive of a
        message received again since "succeeds" but deletes nothing (DeleteMessage API)."""
        self._call("DeleteMessage")
        self._check_url(QueueUrl)
        self.delete_by_handle(ReceiptHandle, self.platform.caller_now())

    def delete_message_batch(self, QueueUrl: str | None = None,  # noqa: N803
                             Entries: Sequence[Mapping[str, Any]] = ()  # noqa: N803
                             ) -> dict[str, list[dict[str, Any]]]:
        """Delete 1–10 messages by ``{"Id", "ReceiptHandle"}`` entries."""
        self._call("DeleteMessageBatch")
        self._check_url(QueueUrl)
        t = self.platform.caller_now()
        ok: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for e in self._check_entries(Entries):
            try:
                self.delete_by_handle(e.get("ReceiptHandle"), t)
                ok.append({"Id": e["Id"]})
            except ServiceError as exc:
                failed.append({"Id": e["Id"], "SenderFault": True, "Code": exc.code,
                               "Message": exc.message})
        return {"Successful": ok, "Failed": failed}

    def change_message_visibility(self, QueueUrl: str | None = None,  # noqa: N803
                                  ReceiptHandle: str | None = None,  # noqa: N803
                                  VisibilityTimeout: int = 0) -> None:  # noqa: N803
        """Make an in-flight message visible again after ``VisibilityTimeout`` seconds from
        now (0 = at once)."""
        self._call("ChangeMessageVisibility")
        self._check_url(QueueUrl)
        check("sqs_visibility_timeout_s", VisibilityTimeout, "VisibilityTimeout", types=_INT)
        vt = VisibilityTimeout
        t = self.platform.caller_now()
        m = self._message_for(ReceiptHandle)
        self._refresh(t)
        if m.state != _INFLIGHT or m.handle != ReceiptHandle:
            raise ServiceError("AWS.SimpleQueueService.MessageNotInflight",
                               "The message referred to is not in flight.")
        m.token += 1
        m.visible_at = t + vt
        self._push_timer(m)

    def get_queue_attributes(self, QueueUrl: str | None = None,  # noqa: N803
                             AttributeNames: Sequence[str] | None = None  # noqa: N803
                             ) -> dict[str, dict[str, str]]:
        """Queue attributes as strings (``ApproximateNumberOfMessages``, ``...NotVisible``,
        ``...Delayed``, ``VisibilityTimeout``, ``QueueArn``, ``RedrivePolicy``, ...).
        ``AttributeNames`` picks some (``["All"]`` or ``None``: all)."""
        self._call("GetQueueAttributes")
        self._check_url(QueueUrl)
        t = self.platform.caller_now()
        self._refresh(t)
        visible = inflight = delayed = 0
        for dq in self._groups.values():
            for m in dq:
                if m.state == _INFLIGHT:
                    inflight += 1
                elif m.visible_at > t:
                    delayed += 1
                else:
                    visible += 1
        attrs = {
            "QueueArn": self.arn,
            "ApproximateNumberOfMessages": str(visible),
            "ApproximateNumberOfMessagesNotVisible": str(inflight),
            "ApproximateNumberOfMessagesDelayed": str(delayed),
            "CreatedTimestamp": str(int(self.platform.epoch_s + self.created_s)),
            "VisibilityTimeout": str(self.visibility_timeout_s),
            "MessageRetentionPeriod": str(self.message_retention_s),
            "DelaySeconds": str(self.delay_s),
            "ReceiveMessageWaitTimeSeconds": str(self.receive_wait_s),
            "MaximumMessageSize": str(self.maximum_message_size),
        }
        if self.dead_letter is not None:
            attrs["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": self.dead_letter.arn,
                                                 "maxReceiveCount": self.max_receive_count})
        if self.fifo:
            attrs["FifoQueue"] = "true"
            attrs["ContentBasedDeduplication"] = str(self.content_based_deduplication).lower()
        names = list(AttributeNames or ["All"])
        if "All" not in names:
            attrs = {k: v for k, v in attrs.items() if k in names}
        return {"Attributes": attrs}

    # -- for learners and tests -----------------------------------------------------------
    def peek(self) -> list[MessageView]:
        """Every stored message, oldest group first, without receiving (no side effects)."""
        self._refresh(self.platform.caller_now())
        return [m.view() for dq in self._groups.values() for m in dq]

    # -- the poller interface (what the SQS event-source mapping calls; no latency) --------
    def on_receivable(self, listener: Callable[[float], None]) -> None:
        """Call ``listener(t)`` whenever messages may have become receivable at ``t``."""
        self._listeners.append(listener)
        for t, *_ in self._timers:
            self._wake_at(t)

    def _unsubscribe(self, listener: Callable[[float], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def has_backlog(self, t: float) -> bool:
        """Whether a receive at ``t`` would probably find a message (a scaling hint)."""
        self._refresh(t)
        ready = self._ready
        while ready:
            seq, key = ready[0]
            if self._serveable(seq, key):
                return True
            heapq.heappop(ready)
        return False

    def take(self, n: int, vis: float, t: float, max_bytes: float | None = None,
              overhead: int = 0) -> tuple[list[StoredMessage], bool]:
        """Receive up to ``n`` messages at ``t`` (groups in order); returns (messages,
        stopped because the next message would take the event past ``max_bytes``, counting
        ``overhead`` bytes per message besides its ``wire`` size)."""
        self._refresh(t)
        out: list[StoredMessage] = []
        later: list[tuple[int, str]] = []
        used, full = 0, False
        ready = self._ready
        while len(out) < n and ready and not full:
            seq, key = heapq.heappop(ready)
            if not self._serveable(seq, key):
                continue
            dq = self._groups[key]
            if dq[0].visible_at > t:
                later.append((seq, key))  # a caller whose clock is behind this queue's
                continue
            i = 0
            while i < len(dq) and len(out) < n:
                m = dq[i]
                if m.state != _QUEUED or m.visible_at > t:
                    break
                if self.max_receive_count is not None \
                        and m.receive_count >= self.max_receive_count:
                    self._redrive(m, t)  # removes dq[i]
                    continue
                if max_bytes is not None and used + m.wire + overhead > max_bytes:
                    full = True
                    break
                used += m.wire + overhead
                self._receive_one(m, vis, t)
                out.append(m)
                i += 1
            self._offer(key, t)
        for item in later:
            heapq.heappush(ready, item)
        return out, full

    def delete_by_handle(self, handle: Any, t: float) -> bool:
        """Delete by receipt handle; True when a message was deleted now."""
        m = self._message_for(handle)
        self._refresh(t)
        if m.state == _GONE or m.handle != handle:
            return False
        self._remove(m, t)
        self.deleted.append(m.id)
        return True

    # -- sending --------------------------------------------------------------------------
    def _send(self, body: Any, delay: Any, attributes: Any, dedup_id: Any, group_id: Any,
              t: float) -> dict[str, str]:
        text = self._check_body(body, attributes)
        attrs = _check_attributes(attributes)
        if self.fifo:
            if delay not in (None, 0):
                raise InvalidParameterValueException(
                    "DelaySeconds", delay, "not per message on a FIFO queue (set the queue's "
                    "delay_s instead)")
            group = _token("MessageGroupId", group_id, required=True)
            dedup = _token("MessageDeduplicationId", dedup_id,
                           required=not self.content_based_deduplication)
            if dedup is None:
                dedup = hashlib.sha256(text.encode()).hexdigest()
            seen = self._seen(dedup, t)
            if seen is not None:
                self.deduplicated += 1
                out = {"MessageId": seen[1], "MD5OfMessageBody": _md5(text)}
                if seen[2] is not None:
                    out["SequenceNumber"] = seen[2]
                return out
            wait = float(self.delay_s)
        else:
            if dedup_id is not None:
                raise InvalidParameterValueException(
                    "MessageDeduplicationId", dedup_id, "only for FIFO queues")
            group = None if group_id is None else _token("MessageGroupId", group_id)
            dedup = None
            if delay is not None:
                check("sqs_delay_s", delay, "DelaySeconds", types=_INT)
            wait = float(self.delay_s if delay is None else delay)
        m = StoredMessage(str(uuid.UUID(int=self._ids.getrandbits(128), version=4)), text, attrs, t,
                 group, dedup)
        m.visible_at = t + wait
        self._enqueue(m)
        if dedup is not None:
            self._dedup[dedup] = (t, m.id, m.sequence_number)
            self._dedup_order.append((t, dedup))
        out = {"MessageId": m.id, "MD5OfMessageBody": m.md5}
        if m.attrs_md5 is not None:
            out["MD5OfMessageAttributes"] = m.attrs_md5
        if m.sequence_number is not None:
            out["SequenceNumber"] = m.sequence_number
        return out

    def _seen(self, dedup: str, t: float) -> tuple[float, str, str | None] | None:
        """A send with this deduplication id within the last 5 minutes, if any."""
        order = self._dedup_order
        while order and t - order[0][0] >= DEDUP_WINDOW_S:
            t0, d = order.popleft()
            if self._dedup.get(d, (None,))[0] == t0:
                del self._dedup[d]
        return self._dedup.get(dedup)

    def _enqueue(self, m: StoredMessage) -> None:
        self._n += 1
        m.seq = self._n
        if self.fifo:
            m.key = m.group  # type: ignore[assignment]  # FIFO messages always have a group
            m.sequence_number = f"{self._seq_base + self._n:020d}"
        self._groups.setdefault(m.key, deque()).append(m)
        heapq.heappush(self._by_sent, (m.sent_at, m.seq, m))
        self._push_timer(m)

    def _accept(self, src: StoredMessage, t: float) -> None:
        """Take a message redriven from a source queue (same id, body and sent time)."""
        m = StoredMessage(src.id, src.body, src.attrs, src.sent_at, src.group, src.dedup_id)
        m.visible_at = t
        self._enqueue(m)

    # -- state changes --------------------------------------------------------------------
    def _push_timer(self, m: StoredMessage) -> None:
        self._n += 1
        heapq.heappush(self._timers, (m.visible_at, self._n, m, m.token))
        self._wake_at(m.visible_at)

    def _refresh(self, t: float) -> None:
        """Apply every visibility change due by ``t`` and expire messages past retention."""
        timers = self._timers
        while timers and timers[0][0] <= t:
            _, _, m, token = heapq.heappop(timers)
            if token != m.token or m.state == _GONE:
                continue
            if m.state == _INFLIGHT:
                m.state = _QUEUED
                self._unlock(m.key)
            self._offer(m.key, t)
        by_sent = self._by_sent
        limit = t - self.message_retention_s
        while by_sent and by_sent[0][0] <= limit:
            m = heapq.heappop(by_sent)[2]
            if m.state != _GONE:
                self._remove(m, t)
                self.expired.append(m.view())

    def _receive_one(self, m: StoredMessage, vis: float, t: float) -> None:
        m.state = _INFLIGHT
        m.receive_count += 1
        if m.first_receive_at is None:
            m.first_receive_at = t
        m.token += 1
        m.visible_at = t + vis
        m.handle = "AQEB" + base64.b64encode(self._ids.randbytes(96)).decode()
        self._handles[m.handle] = m
        self._locked[m.key] = self._locked.get(m.key, 0) + 1
        self._push_timer(m)

    def _remove(self, m: StoredMessage, t: float) -> None:
        dq = self._groups[m.key]
        if dq[0] is m:
            dq.popleft()
        else:
            dq.remove(m)
        if not dq:
            del self._groups[m.key]
        if m.state == _INFLIGHT:
            self._unlock(m.key)
        m.state = _GONE
        m.token += 1
        self._offer(m.key, t)

    def _redrive(self, m: StoredMessage, t: float) -> None:
        assert self.dead_letter is not None
        self._remove(m, t)
        self.redriven.append(m.id)
        self.dead_letter._accept(m, t)

    def _unlock(self, key: str) -> None:
        left = self._locked[key] - 1
        if left:
            self._locked[key] = left
        else:
            del self._locked[key]

    def _offer(self, key: str, t: float) -> None:
        """Queue a group for serving if its head message can be received at ``t``."""
        dq = self._groups.get(key)
        if dq and key not in self._locked and dq[0].state == _QUEUED and dq[0].visible_at <= t:
            heapq.heappush(self._ready, (dq[0].seq, key))

    def _serveable(self, seq: int, key: str) -> bool:
        dq = self._groups.get(key)
        return dq is not None and key not in self._locked and dq[0].seq == seq \
            and dq[0].state == _QUEUED

    def _wake_at(self, t: float) -> None:
        if not self._listeners or t in self._wakes:
            return
        self._wakes.add(t)
        self.platform.call_at(max(t, self.platform.now), lambda now: self._wake(t, now))

    def _wake(self, key: float, now: float) -> None:
        self._wakes.discard(key)
        for listener in list(self._listeners):
            listener(now)

    # -- checks and shapes ----------------------------------------------------------------
    def _check_url(self, url: str | None) -> None:
        if url is not None and url != self.url:
            raise ServiceError("AWS.SimpleQueueService.NonExistentQueue",
                               f"The specified queue does not exist: {url}")

    def _check_redrive(self, platform: Platform, name: str, dlq: Queue | None,
                       count: int | None) -> None:
        if dlq is None and count is None:
            return
        if dlq is None or count is None:
            raise InvalidParameterValueException(
                "RedrivePolicy", {"dead_letter": dlq, "max_receive_count": count},
                "both dead_letter (a Queue) and max_receive_count")
        if not isinstance(dlq, Queue) or dlq.fifo != name.endswith(".fifo") \
                or dlq.name == name or dlq.platform is not platform:
            raise InvalidParameterValueException(
                "deadLetterTargetArn", getattr(dlq, "name", dlq),
                "another Queue of the same type on the same platform (a FIFO queue needs a "
                "FIFO dead-letter queue)")
        check("sqs_max_receive_count", count, "maxReceiveCount", types=_INT)

    def _check_body(self, body: Any, attributes: Any) -> str:
        if not isinstance(body, str) or not body:
            raise InvalidParameterValueException("MessageBody", body, "a non-empty string")
        bad = _BAD_CHAR.search(body)
        if bad:
            raise InvalidParameterValueException(
                "MessageBody", bad.group(), "#x9 #xA #xD #x20–#xD7FF #xE000–#xFFFD "
                "#x10000–#x10FFFF characters only")
        size = len(body.encode()) + _attributes_size(attributes or {})
        if size > self.maximum_message_size:
            raise InvalidParameterValueException(
                "MessageBody", f"{size} bytes",
                f"at most MaximumMessageSize = {self.maximum_message_size} bytes with attributes")
        return body

    def _check_entries(self, entries: Any) -> list[Mapping[str, Any]]:
        if isinstance(entries, Mapping) or not isinstance(entries, Sequence):
            raise InvalidParameterValueException("Entries", entries, "a list of 1–10 entries")
        check("sqs_batch_entries", len(entries), "len(Entries)", types=_INT)
        ids = []
        for e in entries:
            if not isinstance(e, Mapping) or not _ID.fullmatch(str(e.get("Id", ""))):
                raise InvalidParameterValueException(
                    "Entries[].Id", e, "1–80 letters, digits, '-' or '_'")
            ids.append(e["Id"])
        if len(set(ids)) != len(ids):
            raise ServiceError("AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
                               "Two or more batch entries in the request have the same Id.")
        return list(entries)

    def _message_for(self, handle: Any) -> StoredMessage:
        m = self._handles.get(handle) if isinstance(handle, str) else None
        if m is None:
            raise ServiceError("ReceiptHandleIsInvalid",
                               f"The input receipt handle \"{handle}\" is not a valid "
                               "receipt handle.")
        return m

    def system_attributes(self, m: StoredMessage) -> dict[str, str]:
        """The message's system attributes, as SQS and the Lambda event carry them."""
        ms = self.platform.epoch_s * 1000.0
        out = {
            "ApproximateReceiveCount": str(m.receive_count),
            "SentTimestamp": str(int(ms + m.sent_at * 1000.0)),
            "SenderId": self.platform.account_id,
            "ApproximateFirstReceiveTimestamp":
                str(int(ms + (m.first_receive_at or m.sent_at) * 1000.0)),
        }
        if self.fifo:
            out["SequenceNumber"] = m.sequence_number or ""
            out["MessageGroupId"] = m.group or ""
            out["MessageDeduplicationId"] = m.dedup_id or ""
        return out

    def _boto_message(self, m: StoredMessage, names: set[str],
                      attr_names: Sequence[str] | None) -> dict[str, Any]:
        out: dict[str, Any] = {"MessageId": m.id, "ReceiptHandle": m.handle,
                               "MD5OfBody": m.md5, "Body": m.body}
        if names:
            sys_attrs = self.system_attributes(m)
            if "All" not in names:
                sys_attrs = {k: v for k, v in sys_attrs.items() if k in names}
            out["Attributes"] = sys_attrs
        chosen = _pick_attributes(m.attrs, attr_names)
        if chosen:
            out["MD5OfMessageAttributes"] = _attributes_md5(chosen)
            out["MessageAttributes"] = chosen
        return out
