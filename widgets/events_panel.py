"""Event panel: one button per event source, an editable JSON payload, and a Fire button.

Clicking a source loads a realistic sample event from :mod:`lambdakit.events` (built for the
platform's region, account and virtual clock) into the textarea; **Fire** sends the (edited)
JSON to the function the way that source delivers it on AWS:

* API Gateway waits for the answer: a synchronous ``Invoke`` (200) [S2:API_Invoke.md].
* S3, SNS and EventBridge invoke asynchronously: Lambda answers 202 and queues the event
  [S2:invocation-async.md][S12]. The panel lets virtual time run until that first attempt has
  finished, so its outcome shows at once (retries of a failed attempt come later, 1 and 2 min
  after it [S12], as the platform's clock moves on).
* SQS, Kinesis and DynamoDB Streams are read by an event-source mapping that polls and invokes
  synchronously with a batch [S2:with-sqs.md][S2:with-kinesis.md][S2:with-ddb.md]. Until
  lambdakit models event-source mappings, the panel invokes synchronously and says so.

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
"""

from __future__ import annotations

import html
import json
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

import ipywidgets as widgets

from lambdakit import Platform
from lambdakit import events as lk_events
from lambdakit.errors import LambdaError

__all__ = ["DELIVERY", "Delivery", "EventPanel", "FireResult"]


@dataclass(frozen=True, slots=True)
class Delivery:
    """How an event source hands its events to Lambda: ``sync``, ``async`` or ``poller``."""

    mode: str
    service: str
    note: str


_POLLER_NOTE = ("delivered as a poller would (simplified): on AWS an event-source mapping "
                "polls {what} and invokes the function synchronously with a batch")

#: Panel button -> how AWS delivers that source's events (module docstring has the sources).
DELIVERY: dict[str, Delivery] = {
    "HTTP request": Delivery("sync", "API Gateway (REST)",
                             "synchronous invoke: API Gateway waits for the response"),
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

_STYLE = """<style>
.lk-event-json textarea { font-family: ui-monospace, Menlo, Consolas, monospace;
  font-size: 12px; }
.lk-fire-result { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
.lk-fire-result pre { margin: 2px 0; max-height: 160px; overflow: auto; }
</style>"""


@dataclass(frozen=True, slots=True)
class FireResult:
    """What one press of **Fire** did (``fired`` is False when nothing was sent)."""

    source: str
    mode: str
    fired: bool
    status_code: int | None = None
    request_id: str | None = None
    outcome: str | None = None  # the first attempt's record outcome, when one ran
    payload: Any = None  # the response (sync) or None (async: the caller never sees it)
    function_error: str | None = None
    error: str | None = None  # invalid JSON, throttling or another API error


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
        self.callbacks: list[Callable[[], Any]] = list(on_fire)
        self.last: FireResult | None = None
        self._rng = random.Random(platform.seed)  # ids in the samples: seeded, not repeated
        names = [n for n in _ORDER if n in lk_events.SAMPLE_BUILDERS]
        names += [n for n in lk_events.SAMPLE_BUILDERS if n not in names]
        self.buttons: dict[str, widgets.Button] = {}
        for name in names:
            button = widgets.Button(description=name, tooltip=_delivery(name).service,
                                    layout=widgets.Layout(width="auto"))
            button.on_click(lambda _b, n=name: self.select(n))
            self.buttons[name] = button
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

    # -- actions -------------------------------------------------------------------------
    def select(self, source: str) -> None:
        """Load ``source``'s sample event (built at the platform's current time) for editing."""
        builder = lk_events.SAMPLE_BUILDERS[source]
        engine = self.platform.engine
        env = lk_events.EventEnv(region=engine.region, account_id=engine.account_id,
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
        """Invoke the function with the textarea's JSON, show the result, run the callbacks."""
        d = _delivery(self.source)
        try:
            event = json.loads(self.json.value)
        except json.JSONDecodeError as exc:
            res = FireResult(self.source, d.mode, False, error=(
                f"Invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}. "
                "Nothing was fired: fix the event and press Fire again."))
            self._show(res)
            return res
        try:
            res = self._async(event) if d.mode == "async" else self._sync(event, d.mode)
        except LambdaError as exc:
            res = FireResult(self.source, d.mode, False, status_code=exc.status_code,
                             error=f"{exc.code}: {exc}")
        self._show(res)
        self._run_callbacks()
        return res

    def _sync(self, event: Any, mode: str) -> FireResult:
        p = self.platform
        r = p.invoke(self.function, event)
        outcome = p.engine.records[r.record_index].outcome
        return FireResult(self.source, mode, True, r.status_code, r.request_id, outcome,
                          r.payload, r.function_error)

    def _async(self, event: Any) -> FireResult:
        p = self.platform
        first = len(p.engine.records)
        accepted = p.invoke_async(self.function, event)
        p.advance(0)  # Lambda's internal queue delivers the event now
        store = p.engine.records
        mine = [store[i] for i in range(first, len(store)) if store[i].event == accepted.event]
        outcome = None
        if mine:
            outcome = mine[0].outcome
            if mine[0].end_s > p.now:  # let the attempt finish: its outcome, logs, idle env
                p.advance(mine[0].end_s - p.now)
        return FireResult(self.source, "async", True, accepted.status_code,
                          accepted.request_id, outcome,
                          function_error="Unhandled" if outcome in ("error", "timeout")
                          else None)

    def _run_callbacks(self) -> None:
        failed = []
        for callback in self.callbacks:
            try:
                callback()
            except Exception as exc:  # a broken view must not break the panel
                failed.append(f"{getattr(callback, '__qualname__', callback)}: {exc!r}")
        if failed:
            self.result.value += ("<div style='color:#b35900'>refresh failed: "
                                  + html.escape("; ".join(failed)) + "</div>")

    # -- rendering -----------------------------------------------------------------------
    def _show(self, res: FireResult) -> None:
        self.last = res
        self.result.value = _render(res, _delivery(res.source))


def _delivery(source: str) -> Delivery:
    return DELIVERY.get(source, _UNKNOWN)


def _render(res: FireResult, d: Delivery) -> str:
    if not res.fired:
        code = f"{res.status_code} " if res.status_code else ""
        return (f"<div class='lk-fire-error' style='color:#b00020'>✗ {code}"
                f"{html.escape(res.error or '')}</div>")
    ok = res.function_error is None and res.outcome in (None, "ok")
    color = "#1a7f37" if ok else "#b00020"
    status = {200: "200 OK", 202: "202 Accepted"}.get(res.status_code or 0, str(res.status_code))
    parts = [f"<div><b style='color:{color}'>{status}</b> · request id "
             f"<code class='lk-request-id'>{html.escape(res.request_id or '')}</code>"]
    if res.function_error:
        parts.append(f" · X-Amz-Function-Error: <b>{html.escape(res.function_error)}</b>")
    if res.outcome:
        parts.append(f" · outcome <b class='lk-outcome'>{html.escape(res.outcome)}</b>")
    parts.append(f"</div><div style='color:#555'>{html.escape(d.note)}</div>")
    if res.mode == "async":
        parts.append(_async_note(res))
    else:
        text = json.dumps(res.payload, indent=2, default=str)
        label = "error document" if res.function_error else "response payload"
        parts.append(f"<div>{label}:</div><pre>{html.escape(text)}</pre>")
    return "".join(parts)


def _async_note(res: FireResult) -> str:
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
