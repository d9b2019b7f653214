"""Log viewer: a function's CloudWatch-style log group, filtered by stream, request and kind.

Lines come from :meth:`lambdakit.Platform.logs` (``START`` / ``END`` / ``REPORT`` and
``INIT_START`` platform lines, the handler's prints and ``logging`` lines, ``[ERROR]`` lines;
facts §1.4 [S2][S20]); the viewer only filters and renders them, oldest first and newest at the
bottom, in monospace. Each line is a ``<div class="lk-log-line lk-kind-<kind>">``.

Example:
    >>> from lambdakit import Platform
    >>> p = Platform(seed=1)
    >>> _ = p.create_function("hi", lambda e, c: print("hello"))
    >>> r = p.invoke("hi", {})
    >>> viewer = LogViewer(p, "hi")
    >>> [line.split(" ")[0] for line in viewer.shown_lines()]
    ['INIT_START', 'START', 'hello', 'END', 'REPORT']
    >>> viewer.kind.value = "stdout"
    >>> viewer.shown_lines()
    ['hello']
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from lambdakit import Platform
from lambdakit.observers.logs import LogEvent, LogView, function_logs

__all__ = ["KIND_OPTIONS", "LogViewer"]

#: (label, kind) pairs of the level/kind filter; "" keeps every line.
KIND_OPTIONS: tuple[tuple[str, str], ...] = (
    ("all lines", ""),
    ("platform (INIT_START/START/END/REPORT)", "platform"),
    ("stdout (print)", "stdout"),
    ("ERROR", "ERROR"),
    ("WARNING", "WARNING"),
    ("INFO", "INFO"),
    ("DEBUG", "DEBUG"),
    ("CRITICAL", "CRITICAL"),
)
_ALL_STREAMS = "all streams"
_COLORS = {"platform": "#6a737d", "ERROR": "#b00020", "CRITICAL": "#b00020",
           "WARNING": "#9a6700"}
_STYLE = """<style>
.lk-logs { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px;
  max-height: 420px; overflow-y: auto; display: flex; flex-direction: column-reverse;
  border: 1px solid #d0d7de; padding: 4px 6px; background: #fafbfc; }
.lk-log-line { white-space: pre-wrap; word-break: break-all; line-height: 1.35; }
.lk-log-time { color: #8c959f; }
</style>"""


class LogViewer(widgets.VBox):
    """A function's log lines with stream, request-id and kind filters; ``.refresh()``.

    Args:
        platform: the :class:`~lambdakit.Platform` whose logs to show.
        function: the function name.
        max_lines: the newest lines rendered (older ones are counted, not drawn).
        max_attempts: the newest attempts whose logs ``refresh`` reads, so a refresh stays
            fast after long runs; a complete request id still finds an older request.
    """

    def __init__(self, platform: Platform, function: str, *, max_lines: int = 1000,
                 max_attempts: int = 500) -> None:
        self.platform = platform
        self.function = function
        self.max_lines = max_lines
        self.max_attempts = max_attempts
        self._older = False
        self._view = LogView("", [])
        self.stream = widgets.Dropdown(options=[_ALL_STREAMS], value=_ALL_STREAMS,
                                       description="stream",
                                       layout=widgets.Layout(width="auto"))
        self.request_id = widgets.Text(description="request id",
                                       placeholder="paste a request id (or its start)",
                                       continuous_update=False)
        self.kind = widgets.Dropdown(options=list(KIND_OPTIONS), value="", description="kind")
        self.header = widgets.HTML()
        self.output = widgets.HTML()
        for control in (self.stream, self.request_id, self.kind):
            control.observe(lambda _change: self._render(), names="value")
        super().__init__([
            widgets.HBox([self.stream, self.request_id, self.kind],
                         layout=widgets.Layout(flex_flow="row wrap")),
            self.header, self.output,
        ])
        self.refresh()

    def refresh(self) -> None:
        """Re-read the log group from the platform and re-render with the current filters."""
        self._view = function_logs(self.platform, self.function,
                                   limit=self.max_attempts)
        ran = self.platform.records(self.function).column("env") >= 0  # attempts that logged
        self._older = int(ran.sum()) > self.max_attempts
        streams = [_ALL_STREAMS, *self._view.streams()]
        if list(self.stream.options) != streams:
            keep = self.stream.value if self.stream.value in streams else _ALL_STREAMS
            with self.stream.hold_trait_notifications():
                self.stream.options = streams
                self.stream.value = keep
        self._render()

    def shown_events(self) -> list[LogEvent]:
        """The events that pass the filters (all of them, before the ``max_lines`` cap)."""
        stream = None if self.stream.value == _ALL_STREAMS else self.stream.value
        view = self._view.filter(stream=stream, kind=self.kind.value or None)
        wanted = self.request_id.value.strip()
        if not wanted:
            return list(view.events)
        exact = view.filter(request_id=wanted).events
        if not exact and self._older and len(wanted) == 36:  # an older request: read it all
            full = self.platform.logs(self.function, request_id=wanted)
            exact = full.filter(stream=stream, kind=self.kind.value or None).events
        return list(exact) if exact else [e for e in view if e.request_id.startswith(wanted)]

    def shown_lines(self) -> list[str]:
        """The messages of :meth:`shown_events`, oldest first."""
        return [e.message for e in self.shown_events()]

    def _render(self) -> None:
        events = self.shown_events()
        total, streams = len(self._view), len(self._view.streams())
        drawn = events[-self.max_lines:] if self.max_lines else []
        hidden = len(events) - len(drawn)
        note = f" · showing the newest {len(drawn):,}" if hidden else ""
        if self._older:
            note += f" · logs of the newest {self.max_attempts:,} attempts"
        self.header.value = (
            f"<span class='lk-log-summary'><code>{html.escape(self._view.group)}</code> · "
            f"{len(events):,} of {total:,} lines · {streams} stream(s){note}</span>")
        body = "".join(_line_html(e) for e in drawn) or (
            "<div class='lk-log-empty' style='color:#8c959f'>no log lines match</div>")
        # column-reverse keeps the scroll anchored at the bottom: the newest line is in view
        self.output.value = f"{_STYLE}<div class='lk-logs'><div>{body}</div></div>"


def _line_html(e: LogEvent) -> str:
    color = _COLORS.get(e.kind)
    style = f" style='color:{color}'" if color else ""
    # Lambda's Python runtime separates traceback lines with \r in one log event [S20]
    text = html.escape(e.message.replace("\r", "\n"))
    return (f"<div class='lk-log-line lk-kind-{e.kind.lower()}'{style} "
            f"title='{html.escape(e.request_id)} · {html.escape(e.stream)}'>"
            f"<span class='lk-log-time'>{e.time_s:10.3f}s</span> {text}</div>")
