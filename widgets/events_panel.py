"""Event panel: one button per event source, an editable JSON payload, and a Fire button.

Clicking a source loads a realistic sample event from :mod:`lambdakit.events` (built for the
platform's region, account and virtual clock) into the textarea; **Fire** hands what the JSON
describes to a real lambdakit service wired to the function, the way that source delivers
events on AWS. The panel creates its services lazily, on a source's first Fire, under names of
its own (the sample's names, e.g. queue ``orders``, or ``orders-2`` when that name is taken):

* **HTTP request / HTTP API**: a request through an :class:`~lambdakit.services.HttpApi`
  ``$default`` route, a synchronous invoke; the client gets the HTTP status (200, 502, 429)
  [S2:API_Invoke.md][S2:python-exceptions.md]. HTTP APIs send payload 2.0 events [S24], so the
  REST-shaped "HTTP request" sample reaches the handler in the 2.0 shape (a simplification).
* **S3 upload / SNS message**: an object put into a :class:`~lambdakit.services.Bucket` with a
  notification, a message published to a :class:`~lambdakit.services.Topic`: asynchronous
  invokes, Lambda answers 202 and queues the event [S2:invocation-async.md][S12].
  **Schedule tick** stays one scheduled event, invoked asynchronously.
  The panel lets virtual time run until the first attempt has finished, so its outcome shows
  at once (retries of a failed attempt come 1 and 2 min later [S12], as the clock moves on).
* **SQS message / Kinesis record / DynamoDB change**: the message, record or item goes into a
  :class:`~lambdakit.services.Queue` (with a dead-letter queue after 5 receives
  [S2:with-sqs.md]), a :class:`~lambdakit.services.KinesisStream` or a
  :class:`~lambdakit.services.Table` (``NEW_AND_OLD_IMAGES`` stream); an event-source mapping
  polls it and invokes the function synchronously with a batch [S2:with-sqs.md]
  [S2:with-kinesis.md][S2:with-ddb.md]. The panel advances the clock just until the poller's
  first batch has finished, and says how big that batch was.

Like the console when you add a trigger, the panel grants its services permission to invoke
the function, but only when the function's resource-based policy would refuse them
(:func:`lambdakit.function.iam.can_invoke`). A poller needs the execution role to allow reading the
source; when it does not, the panel shows the error AWS gives.

JSON that lacks a source's shape is still sent: as the message body (SQS, SNS), the record data
(Kinesis), the object body (S3), the item (DynamoDB) or the request body (HTTP).
Invalid JSON is reported in the panel and nothing is fired. After each fire every ``on_fire``
callback runs (e.g. ``board.refresh``, ``timeline.refresh``, ``logs.refresh``).

Example:
    >>> from lambdakit import Platform
    >>> p = Platform(seed=1)
    >>> _ = p.create_function("api", lambda event, context: {"statusCode": 200})
    >>> panel = EventPanel(p, "api")
    >>> panel.select("S3 upload")
    >>> panel.fire().status_code, len(p.records("api"))
    (202, 1)
    >>> panel.select("SQS message")
    >>> r = panel.fire(); r.status_code, r.batch_size, panel.services["SQS message"].name
    (200, 1, 'orders')
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import unquote_plus

import ipywidgets as widgets

from lambdakit import Platform, iam
from lambdakit import events as lk_events
from lambdakit.errors import LambdaError
from lambdakit.esm import (
    SqsEventSourceMapping,
    StreamEventSourceMapping,
    recommended_visibility_timeout_s,
)
from lambdakit.services import Bucket, HttpApi, KinesisStream, Queue, Table, Topic
from lambdakit.services.base import Service, ServiceError

__all__ = ["DELIVERY", "Delivery", "EventPanel", "FireResult"]


@dataclass(frozen=True, slots=True)
class Delivery:
    """How an event source hands its events to Lambda: ``sync``, ``async`` or ``poller``."""

    mode: str
    service: str
    note: str


_POLLER_NOTE = ("an event-source mapping (a poller) reads {what} and invokes the function "
                "synchronously with a batch")

#: Panel button -> how AWS delivers that source's events (module docstring has the sources).
DELIVERY: dict[str, Delivery] = {
    "HTTP request": Delivery("sync", "API Gateway (REST)",
                             "synchronous invoke: API Gateway waits for the response "
                             "(sent through an HTTP API route, payload 2.0)"),
    "HTTP API": Delivery("sync", "API Gateway (HTTP API)",
                         "synchronous invoke: API Gateway waits for the response"),
    "S3 upload": Delivery("async", "Amazon S3",
                          "asynchronous invoke: S3 gets 202 Accepted, the event is queued"),
    "SQS message": Delivery("poller", "Amazon SQS", _POLLER_NOTE.format(what="the queue")),
    "DynamoDB change": Delivery("poller", "DynamoDB Streams",
                                _POLLER_NOTE.format(what="the table's stream")),
    "Kinesis record": Delivery("poller", "Kinesis Data Streams",
                               _POLLER_NOTE.format(what="each shard")),
    "Schedule tick": Delivery("async", "EventBridge Scheduler",
                              "asynchronous invoke: EventBridge gets 202 Accepted, the event "
                              "is queued"),
    "SNS message": Delivery("async", "Amazon SNS",
                            "asynchronous invoke: SNS gets 202 Accepted, the event is queued"),
}
_ORDER = ("HTTP request", "S3 upload", "SQS message", "DynamoDB change", "Kinesis record",
          "Schedule tick", "SNS message", "HTTP API")
_UNKNOWN = Delivery("sync", "", "synchronous invoke (simplified)")

#: the panel's own resources: (kind, base name); the base names are the samples'
_NAMES = {"S3 upload": ("s3", "my-bucket"), "SQS message": ("sqs", "orders"),
          "DynamoDB change": ("dynamodb", "inventory"), "Kinesis record": ("kinesis", "telemetry"),
          "SNS message": ("sns", "alerts"), "HTTP request": ("apigateway", "my-api"),
          "HTTP API": ("apigateway", "my-api")}
_POLL_S = {"SQS message": 0.25, "Kinesis record": 1.0, "DynamoDB change": 0.25}  # [S2:with-*]
_MAX_POLLS = 40  # give up waiting for a poller after this many polling intervals
_MAX_RECEIVES = 5  # source queue maxReceiveCount >= 5 [S2:with-sqs.md]
_STREAM_RETRIES = 2  # the panel's stream mappings give up a failing batch after 2 retries
_MAX_OBJECT_BYTES = 10 * 1024 * 1024  # the panel writes at most this many bytes per object

_STYLE = """<style>
.lk-event-json textarea { font-family: ui-monospace, Menlo, Consolas, monospace;
  font-size: 12px; }
.lk-fire-result { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
.lk-fire-result pre { margin: 2px 0; max-height: 160px; overflow: auto; }
</style>"""


@dataclass(frozen=True, slots=True)
class FireResult:
    """What one press of **Fire** did (``fired`` is False when nothing was sent).

    ``batch_size``: records in the poller's first batch (pollers only); ``detail``: what the
    service did, in words; ``service``: the ARN of the panel's service that delivered it.
    """

    source: str
    mode: str
    fired: bool
    status_code: int | None = None
    request_id: str | None = None
    outcome: str | None = None  # the first attempt's record outcome, when one ran
    payload: Any = None  # the response (sync) or None (async: the caller never sees it)
    function_error: str | None = None
    error: str | None = None  # invalid JSON, throttling or another API error
    batch_size: int | None = None
    detail: str = ""
    service: str | None = None


@dataclass(slots=True)
class _Wired:
    """A source's service, its event-source mapping (pollers) and its dead-letter queue."""

    service: Any
    mapping: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


class EventPanel(widgets.VBox):
    """Buttons for every event source, an editable JSON event, **Fire**, and what happened.

    Args:
        platform: the :class:`~lambdakit.Platform` to invoke.
        function: the function name (may carry a qualifier, ``"api:live"``).
        on_fire: zero-argument callables run after every fire (refresh other views).
    """

    def __init__(self, platform: Platform, function: str, *,
                 on_fire: Iterable[Callable[[], Any]] = ()) -> None:
        self.platform = platform
        self.function = function
        name, _, qualifier = function.partition(":")
        self._name, self._qualifier = name, qualifier or None
        self.callbacks: list[Callable[[], Any]] = list(on_fire)
        self.last: FireResult | None = None
        self._wired: dict[str, _Wired] = {}
        self._rng = random.Random(platform.seed)  # ids in the samples: seeded, not repeated
        names = [n for n in _ORDER if n in lk_events.SAMPLE_BUILDERS]
        names += [n for n in lk_events.SAMPLE_BUILDERS if n not in names]
        self.buttons: dict[str, widgets.Button] = {}
        for label in names:
            button = widgets.Button(description=label, tooltip=_delivery(label).service,
                                    layout=widgets.Layout(width="auto"))
            button.on_click(lambda _b, n=label: self.select(n))
            self.buttons[label] = button
        self.json = widgets.Textarea(layout=widgets.Layout(width="100%", height="260px"))
        self.json.add_class("lk-event-json")
        self.fire_button = widgets.Button(description="Fire", button_style="primary",
                                          icon="bolt", tooltip="invoke the function")
        self.fire_button.on_click(lambda _b: self.fire())
        self.mode_label = widgets.HTML()
        self.result = widgets.HTML()
        self.result.add_class("lk-fire-result")
        self.source = ""
        super().__init__([
            widgets.HTML(_STYLE + f"<b>Events for <code>{html.escape(function)}</code></b>"),
            widgets.HBox(list(self.buttons.values()),
                         layout=widgets.Layout(flex_flow="row wrap")),
            self.mode_label, self.json, self.fire_button, self.result,
        ])
        if names:
            self.select(names[0])

    @property
    def services(self) -> dict[str, Any]:
        """The services the panel has created so far, by source button."""
        return {source: w.service for source, w in self._wired.items()}

    @property
    def mappings(self) -> dict[str, Any]:
        """The event-source mappings the panel has created so far, by source button."""
        return {s: w.mapping for s, w in self._wired.items()
                if isinstance(w.mapping, SqsEventSourceMapping | StreamEventSourceMapping)}

    # -- actions -------------------------------------------------------------------------
    def select(self, source: str) -> None:
        """Load ``source``'s sample event (built at the platform's current time) for editing."""
        builder = lk_events.SAMPLE_BUILDERS[source]
        env = lk_events.EventEnv(region=self.platform.region,
                                 account_id=self.platform.account_id,
                                 now_s=self.platform.now, rng=self._rng)
        event = cast(Callable[..., Any], builder)(env=env)
        self.source = source
        self.json.value = json.dumps(event, indent=2)
        for name, button in self.buttons.items():
            button.button_style = "info" if name == source else ""
        d = _delivery(source)
        self.mode_label.value = (f"<span class='lk-delivery lk-mode-{d.mode}'>"
                                 f"<b>{html.escape(source)}</b> from {html.escape(d.service)}: "
                                 f"{html.escape(d.note)}</span>")

    def fire(self) -> FireResult:
        """Send the textarea's JSON through the source's service, show the result, refresh."""
        d = _delivery(self.source)
        try:
            event = json.loads(self.json.value)
        except json.JSONDecodeError as exc:
            res = FireResult(self.source, d.mode, False, error=(
                f"Invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}. "
                "Nothing was fired: fix the event and press Fire again."))
            self._show(res)
            return res
        route: dict[str, Callable[[Any], FireResult]] = {
            "HTTP request": self._http, "HTTP API": self._http, "S3 upload": self._s3,
            "SNS message": self._sns, "SQS message": self._sqs,
            "Kinesis record": self._kinesis, "DynamoDB change": self._dynamodb}
        try:
            send = route.get(self.source)
            if send is not None:
                res = send(event)
            else:  # Schedule tick (one scheduled event) and sources the panel does not wire
                res = self._async(event) if d.mode == "async" else self._sync(event, d.mode)
        except LambdaError as exc:
            res = FireResult(self.source, d.mode, False, status_code=exc.status_code,
                             error=f"{exc.code}: {exc}")
        except ServiceError as exc:
            res = FireResult(self.source, d.mode, False, status_code=exc.status_code,
                             error=str(exc))
        self._show(res)
        self._run_callbacks()
        return res

    # -- wiring: the panel's own services, created on first use ---------------------------------
    def _fresh_name(self, source: str, suffixes: tuple[str, ...] = ("",)) -> str:
        """The sample's name for ``source``'s service, or ``name-2``, ... when it is taken."""
        kind, base = _NAMES[source]
        name, i = base, 2
        while any(self.platform.service(kind, name + s) is not None for s in suffixes):
            name, i = f"{base}-{i}", i + 1
        return name

    def _allow(self, service: Service, source_arn: str) -> None:
        """Let ``service`` invoke the function if its resource policy would refuse it (the
        console adds this permission when you add a trigger)."""
        p, fn, q = self.platform, self._name, self._qualifier
        if not iam.can_invoke(p, fn, service.principal, source_arn, qualifier=q):
            sid = f"event-panel-{service.kind}-{service.name}"
            iam.add_permission(p, fn, service.principal, source_arn, qualifier=q,
                               statement_id="".join(c if c.isalnum() or c in "-_" else "-"
                                                    for c in sid)[:100])

    def _wire(self, source: str, make: Callable[[], _Wired]) -> _Wired:
        w = self._wired.get(source)
        if w is None:
            w = self._wired[source] = make()
        return w

    def _timeout_s(self) -> int:
        return int(self.platform.get_function(self._name, self._qualifier).timeout_s)

    # -- synchronous: HTTP through an HTTP API route ------------------------------------------
    def _http(self, event: Any) -> FireResult:
        def make() -> _Wired:
            api = HttpApi(self.platform, self._fresh_name("HTTP API"))
            w = _Wired(api)
            self._wired["HTTP request"] = self._wired["HTTP API"] = w
            return w

        w = self._wire(self.source, make)
        api, p = cast(HttpApi, w.service), self.platform
        if w.mapping is None:
            self._allow(api, f"arn:aws:execute-api:{p.region}:{p.account_id}:"
                             f"{api.name}/*")
            api.add_route("$default", self._name, qualifier=self._qualifier)
            w.mapping = "$default"
        method, path, body, headers, query = _http_request(event)
        resp = api.request(method, path, body=body, headers=headers, query=query)
        idx = api.log[-1].record_index
        outcome = p.record(idx).outcome if idx is not None else None
        if resp.status == 429:
            outcome = "throttled"
        try:
            payload: Any = resp.json()
        except (ValueError, TypeError):
            payload = resp.body
        request_id = None if idx is None else p.record(idx).request_id
        ferr = "Unhandled" if outcome in ("error", "timeout") else None
        return FireResult(self.source, "sync", True, resp.status, request_id, outcome, payload,
                          ferr, detail=f"{method} {path} through HTTP API {api.name} "
                          f"(route $default): HTTP {resp.status}", service=api.arn)

    # -- asynchronous: S3, SNS, a scheduled event -----------------------------------------------
    def _s3(self, event: Any) -> FireResult:
        w = self._wire(self.source, lambda: _Wired(Bucket(self.platform,
                                                          self._fresh_name("S3 upload"))))
        bucket = cast(Bucket, w.service)
        if w.mapping is None:
            self._allow(bucket, bucket.arn)
            w.mapping = bucket.add_notification(self._name, qualifier=self._qualifier,
                                                id="event-panel")
        objects = _s3_objects(event)
        first, before = self.platform.record_count(), len(bucket.sent)
        for key, body in objects:
            bucket.put_object(Key=key, Body=body)
        sent = [(s.request_id, s.event_index) for s in bucket.sent[before:]]
        what = ", ".join(key for key, _ in objects)
        return self._settle(sent, first, f"put {what} into bucket {bucket.name}; its "
                            "notification invoked the function asynchronously", bucket.arn)

    def _sns(self, event: Any) -> FireResult:
        w = self._wire(self.source, lambda: _Wired(Topic(self.platform,
                                                         self._fresh_name("SNS message"))))
        topic = cast(Topic, w.service)
        if w.mapping is None:
            self._allow(topic, topic.arn)
            w.mapping = topic.subscribe(self._name, qualifier=self._qualifier)
        first, before = self.platform.record_count(), len(topic.deliveries)
        for message, subject in _sns_messages(event):
            topic.publish(Message=message, Subject=subject)
        sent = [(d.request_id or "", d.event_index) for d in topic.deliveries[before:]
                if d.event_index is not None]
        return self._settle(sent, first, f"published to topic {topic.name}; its subscription "
                            "invoked the function asynchronously", topic.arn)

    def _async(self, event: Any) -> FireResult:
        first = self.platform.record_count()
        accepted = self.platform.invoke_async(self.function, event)
        return self._settle([(accepted.request_id, accepted.event)], first,
                            "one scheduled event, invoked asynchronously", None)

    def _settle(self, sent: list[tuple[str, int]], first: int, detail: str,
                arn: str | None) -> FireResult:
        """Run Lambda's internal queue now and let the first attempt of ``sent[0]`` finish."""
        p = self.platform
        if not sent:
            return FireResult(self.source, "async", True, None, None, None, detail=detail +
                              ": nothing was sent (no subscription or notification matched)",
                              service=arn)
        p.advance(0)  # Lambda's internal queue delivers the event now
        mine = [r for r in p.records(since=first) if r.event == sent[0][1]]
        outcome = None
        if mine:
            outcome = mine[0].outcome
            if mine[0].end_s > p.now:  # let the attempt finish: its outcome, logs, idle env
                p.advance(mine[0].end_s - p.now)
        return FireResult(self.source, "async", True, 202, sent[0][0], outcome,
                          function_error="Unhandled" if outcome in ("error", "timeout")
                          else None, detail=detail, service=arn)

    def _sync(self, event: Any, mode: str) -> FireResult:
        p = self.platform
        r = p.invoke(self.function, event)
        outcome = p.record(r.record_index).outcome
        return FireResult(self.source, mode, True, r.status_code, r.request_id, outcome,
                          r.payload, r.function_error)

    # -- pollers: SQS, Kinesis, DynamoDB Streams ------------------------------------------------
    def _sqs(self, event: Any) -> FireResult:
        p = self.platform

        def make() -> _Wired:
            name = self._fresh_name("SQS message", ("", "-dlq"))
            dlq = Queue(p, f"{name}-dlq")
            vis = recommended_visibility_timeout_s(self._timeout_s())  # 6 × the timeout
            queue = Queue(p, name, visibility_timeout_s=vis, dead_letter=dlq,
                          max_receive_count=_MAX_RECEIVES)
            return _Wired(queue, extra={"dlq": dlq})

        w = self._wire(self.source, make)
        queue = cast(Queue, w.service)
        if w.mapping is None:
            w.mapping = SqsEventSourceMapping(p, queue, self.function)  # checks the role
        first, before = p.record_count(), len(w.mapping.batches)
        bodies = _sqs_bodies(event)
        for body in bodies:
            queue.send_message(MessageBody=body)
        batches = self._poll(w.mapping.batches, before, first)
        size = len(batches[0].message_ids) if batches else None
        what = f"sent {_count(len(bodies), 'message')} to queue {queue.name}"
        failed = (f"; the function failed, so the batch stays in the queue: it comes back after "
                  f"the visibility timeout ({queue.visibility_timeout_s} s), and a message "
                  f"received {_MAX_RECEIVES} times moves to {w.extra['dlq'].name}")
        return self._polled(first, size, what, failed, queue.arn)

    def _kinesis(self, event: Any) -> FireResult:
        p = self.platform
        w = self._wire(self.source, lambda: _Wired(KinesisStream(
            p, self._fresh_name("Kinesis record"))))
        stream = cast(KinesisStream, w.service)
        if w.mapping is None:
            w.mapping = self._stream_mapping(stream)
        first, before = p.record_count(), len(w.mapping.batches)
        records = _kinesis_records(event)
        for data, key in records:
            stream.put_record(Data=data, PartitionKey=key)
        batches = self._poll(w.mapping.batches, before, first)
        size = len(batches[0].sequence_numbers) if batches else None
        return self._polled(first, size, f"put {_count(len(records), 'record')} into stream "
                            f"{stream.name}", _STREAM_FAILED, stream.arn)

    def _dynamodb(self, event: Any) -> FireResult:
        p = self.platform
        w = self._wire(self.source, lambda: _Wired(Table(
            p, self._fresh_name("DynamoDB change"), partition_key="id",
            stream_view_type="NEW_AND_OLD_IMAGES")))
        table = cast(Table, w.service)
        changes = _dynamodb_changes(event)
        log = table.stream_log
        assert log is not None  # created with a stream
        written = sum(s.end for s in log.shards)
        restored = 0
        for _name, keys, _new, old in changes:  # put the item back as OldImage says it was
            if old is not None and table.get_item(Key=keys).get("Item") != old:
                table.put_item(Item=old)
                restored += 1
        if w.mapping is None:  # from LATEST: the first restore above is not delivered
            w.mapping = self._stream_mapping(table)
            written, restored = sum(s.end for s in log.shards), 0
        first, before = p.record_count(), len(w.mapping.batches)
        for name, keys, new, _old in changes:
            if name == "REMOVE":
                table.delete_item(Key=keys)
            else:
                table.put_item(Item=new if new is not None else keys)
        changed = sum(s.end for s in log.shards) - written
        back = f" (after putting {_count(restored, 'item')} back to its OldImage)" \
            if restored else ""
        what = (f"wrote {_count(len(changes), 'change')} to table {table.name}{back}: "
                f"{_count(changed, 'stream record')}")
        if changed == 0:
            return FireResult(self.source, "poller", True, None, None, None, detail=what +
                              " (the item already looked like that, so there was nothing for "
                              "the poller to deliver)", service=table.stream_arn)
        batches = self._poll(w.mapping.batches, before, first)
        size = len(batches[0].sequence_numbers) if batches else None
        return self._polled(first, size, what, _STREAM_FAILED, table.stream_arn)

    def _stream_mapping(self, source: Any) -> StreamEventSourceMapping:
        return StreamEventSourceMapping(
            self.platform, source, self._name, qualifier=self._qualifier,
            starting_position="LATEST", maximum_retry_attempts=_STREAM_RETRIES)

    def _poll(self, batches: list[Any], before: int, first: int) -> list[Any]:
        """Advance the clock until the poller has finished a batch (or give up)."""
        p, step = self.platform, _POLL_S.get(self.source, 1.0)
        p.advance(0)
        for _ in range(_MAX_POLLS):
            if len(batches) > before:
                break
            ends = [r.end_s for r in p.records(self._name, since=first) if r.end_s > p.now]
            p.advance(max(ends) - p.now if ends else step)
        return batches[before:]

    def _polled(self, first: int, size: int | None, what: str, failed: str,
                arn: str | None) -> FireResult:
        mine = list(self.platform.records(self._name, since=first))
        if not mine:
            return FireResult(self.source, "poller", True, None, None, None, detail=what +
                              "; the poller has not invoked the function yet", service=arn)
        r = mine[0]
        ferr = "Unhandled" if r.outcome in ("error", "timeout") else None
        detail = what + (f"; a poller delivered it: batch of {size}" if size else "")
        if r.outcome == "throttled":
            detail += "; the invoke was throttled: the poller retries it with backoff"
        elif ferr:
            detail += failed
        return FireResult(self.source, "poller", True, 429 if r.outcome == "throttled" else 200,
                          r.request_id, r.outcome, None, ferr, batch_size=size, detail=detail,
                          service=arn)

    def _run_callbacks(self) -> None:
        failed = []
        for callback in self.callbacks:
            try:
                callback()
            except Exception as exc:  # a broken view must not break the panel
                failed.append(f"{getattr(callback, '__qualname__', callback)}: {exc!r}")
        if failed:
            self.result.value += ("<div style='color:#b00020'>refresh failed: "
                                  + html.escape("; ".join(failed)) + "</div>")

    # -- rendering -----------------------------------------------------------------------
    def _show(self, res: FireResult) -> None:
        self.last = res
        self.result.value = _render(res, _delivery(res.source))


_STREAM_FAILED = (f"; the function failed, so the batch is retried and blocks its shard "
                  f"until it succeeds or its retries run out ({_STREAM_RETRIES} for the panel's "
                  "mapping)")


# -- reading the edited JSON -------------------------------------------------------------------
def _records(event: Any) -> list[dict[str, Any]]:
    recs = event.get("Records") if isinstance(event, dict) else None
    return [r for r in recs if isinstance(r, dict)] if isinstance(recs, list) else []


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _s3_objects(event: Any) -> list[tuple[str, bytes]]:
    """(key, body) per record; S3 URL-encodes keys in events; a body of the record's size."""
    out = []
    for rec in _records(event):
        obj = (rec.get("s3") or {}).get("object") or {}
        key, size = obj.get("key"), obj.get("size", 0)
        if isinstance(key, str) and key:
            n = size if isinstance(size, int) and size > 0 else 0
            out.append((unquote_plus(key), bytes(min(n, _MAX_OBJECT_BYTES))))
    return out or [("uploads/event.json", json.dumps(event).encode())]


def _sns_messages(event: Any) -> list[tuple[str, Any]]:
    out = []
    for rec in _records(event):
        sns = rec.get("Sns")
        if isinstance(sns, dict) and "Message" in sns:
            out.append((_text(sns["Message"]), sns.get("Subject") or None))
    return out or [(json.dumps(event), None)]


def _sqs_bodies(event: Any) -> list[str]:
    return [_text(r["body"]) for r in _records(event) if "body" in r] or [json.dumps(event)]


def _kinesis_records(event: Any) -> list[tuple[bytes, str]]:
    out = []
    for rec in _records(event):
        k = rec.get("kinesis")
        if isinstance(k, dict) and "data" in k:
            raw = _text(k["data"])
            try:
                data = base64.b64decode(raw, validate=True)
            except (binascii.Error, ValueError):
                data = raw.encode()  # not base64: the text itself
            out.append((data, str(k.get("partitionKey") or "event-panel")))
    return out or [(json.dumps(event).encode(), "event-panel")]


_Change = tuple[str, dict[str, Any], dict[str, Any] | None, dict[str, Any] | None]


def _dynamodb_changes(event: Any) -> list[_Change]:
    """(eventName, Keys, NewImage, OldImage) per record, in DynamoDB's typed JSON."""
    out: list[_Change] = []
    for rec in _records(event):
        ddb = rec.get("dynamodb")
        if isinstance(ddb, dict) and isinstance(ddb.get("Keys"), dict):
            out.append((str(rec.get("eventName", "MODIFY")), ddb["Keys"], ddb.get("NewImage"),
                        ddb.get("OldImage")))
    if not out:  # any other JSON object is the item itself
        item = lk_events.to_dynamodb_json(event if isinstance(event, dict) else {"value": event})
        out.append(("INSERT", {}, item["M"], None))
    return out


def _http_request(event: Any) -> tuple[str, str, Any, Any, Any]:
    """(method, path, body, headers, query) of a REST (1.0) or HTTP API (2.0) event; any
    other JSON is the body of ``POST /``."""
    if not isinstance(event, dict) or not ({"httpMethod", "rawPath"} & event.keys()):
        return "POST", "/", event, None, None
    http = (event.get("requestContext") or {}).get("http") or {}
    method = event.get("httpMethod") or http.get("method") or "GET"
    path = event.get("rawPath") or event.get("path") or "/"
    headers, query = event.get("headers"), event.get("queryStringParameters")
    return (str(method), str(path), event.get("body"),
            headers if isinstance(headers, dict) else None,
            query if isinstance(query, dict) else None)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _delivery(source: str) -> Delivery:
    return DELIVERY.get(source, _UNKNOWN)


_STATUS = {200: "200 OK", 202: "202 Accepted", 404: "404 Not Found",
           429: "429 Too Many Requests", 500: "500 Internal Server Error",
           502: "502 Bad Gateway"}


def _render(res: FireResult, d: Delivery) -> str:
    if not res.fired:
        code = f"{res.status_code} " if res.status_code else ""
        return (f"<div class='lk-fire-error' style='color:#b00020'>✗ {code}"
                f"{html.escape(res.error or '')}</div>")
    ok = (res.function_error is None and res.outcome in (None, "ok")
          and (res.status_code or 0) < 400)
    color = "#1a7f37" if ok else "#b00020"
    status = _STATUS.get(res.status_code or 0, str(res.status_code or "not delivered"))
    parts = [f"<div><b style='color:{color}'>{status}</b>"]
    if res.request_id:
        parts.append(f" · request id <code class='lk-request-id'>"
                     f"{html.escape(res.request_id)}</code>")
    if res.function_error:
        parts.append(f" · X-Amz-Function-Error: <b>{html.escape(res.function_error)}</b>")
    if res.outcome:
        parts.append(f" · outcome <b class='lk-outcome'>{html.escape(res.outcome)}</b>")
    parts.append(f"</div><div style='color:#555'>{html.escape(d.note)}</div>")
    if res.detail:
        parts.append(f"<div class='lk-fire-detail'>{html.escape(res.detail)}.</div>")
    if res.mode == "async":
        parts.append(_async_note(res))
    elif res.mode == "poller":
        parts.append("<div>the poller got the function's answer; the sender only put the "
                     "data into the service.</div>")
    else:
        text = (res.payload if isinstance(res.payload, str)
                else json.dumps(res.payload, indent=2, default=str))
        label = "error document" if res.function_error else "response body"
        parts.append(f"<div>{label}:</div><pre>{html.escape(text)}</pre>")
    return "".join(parts)


def _async_note(res: FireResult) -> str:
    if res.request_id is None:
        return ""
    if res.outcome is None:
        return "<div>queued: it runs when the platform's clock moves on.</div>"
    if res.outcome == "throttled":
        return ("<div>throttled: Lambda keeps the event in its queue and retries it with "
                "backoff [S12].</div>")
    if res.outcome == "expired":
        return ("<div>expired without running (too old, or reserved concurrency 0): Lambda "
                "sends it to the on-failure destination or dead-letter queue, if set [S12]."
                "</div>")
    if res.function_error:
        return ("<div>the first attempt failed; Lambda retries it up to the function's "
                "maximum_retry_attempts (1 and 2 min later) as virtual time passes [S12]. "
                "The caller never sees the response of an asynchronous invoke.</div>")
    return "<div>the caller never sees the response of an asynchronous invoke.</div>"
