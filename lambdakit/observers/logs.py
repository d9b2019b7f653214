"""CloudWatch-style logs, derived from the attempt records and the handlers' captured output.

One log group per function, one stream per execution environment. Each attempt that ran
writes ``START``, the handler's prints and ``logging`` lines, an ``[ERROR]`` or timeout line
when it failed, ``END`` and ``REPORT`` (facts §1.4 [S2][S20]). Throttled attempts never reach
a handler, so they write nothing — as on AWS.

Example:
    >>> from lambdakit import Platform
    >>> p = Platform(seed=1)
    >>> _ = p.create_function("hi", lambda e, c: print("hello"))
    >>> _ = p.invoke("hi", {})
    >>> [line.split(" ")[0] for line in p.logs("hi").lines()][:4]
    ['INIT_START', 'START', 'hello', 'END']
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import logformat as lf
from .records import Record

if TYPE_CHECKING:
    import pandas as pd

    from .query import PlatformQuery
    from .views import EnvironmentView

RUNTIME_VERSIONS = {"python3.11": "v60", "python3.12": "v70",
                    "python3.13": "v43", "python3.14": "v10"}


@dataclass(frozen=True, slots=True)
class LogEvent:
    """One log line: when, which stream, which request, what kind, the text."""

    time_s: float
    stream: str
    request_id: str
    kind: str  # platform | stdout | DEBUG | INFO | WARNING | ERROR | CRITICAL
    message: str


class LogView:
    """The log events of a function, oldest first; filter by request id, stream or kind."""

    def __init__(self, group: str, events: list[LogEvent]) -> None:
        self.group = group
        self.events = events

    def filter(self, *, request_id: str | None = None, stream: str | None = None,
               kind: str | None = None, contains: str | None = None) -> LogView:
        """A narrower view. ``kind="ERROR"`` keeps error lines (including ``[ERROR]``)."""
        ev = self.events
        if request_id:
            ev = [e for e in ev if e.request_id == request_id]
        if stream:
            ev = [e for e in ev if e.stream == stream]
        if kind:
            ev = [e for e in ev if e.kind == kind]
        if contains:
            ev = [e for e in ev if contains in e.message]
        return LogView(self.group, ev)

    def streams(self) -> list[str]:
        return list(dict.fromkeys(e.stream for e in self.events))

    def lines(self) -> list[str]:
        return [e.message for e in self.events]

    def __iter__(self) -> Iterator[LogEvent]:
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def __repr__(self) -> str:
        head = f"{self.group} — {len(self.events)} lines in {len(self.streams())} stream(s)"
        body = self.lines()
        if len(body) > 40:
            body = body[:20] + [f"... {len(body) - 40} more lines ..."] + body[-20:]
        return "\n".join([head, *body])

    def to_dataframe(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([{"time_s": e.time_s, "stream": e.stream, "request_id": e.request_id,
                              "kind": e.kind, "message": e.message} for e in self.events])


def function_logs(platform: PlatformQuery, name: str, *,
                  limit: int | None = 20_000) -> LogView:
    """Build the log view of function ``name`` (the newest ``limit`` attempts)."""
    platform.get_function(name)  # 404 for an unknown function
    arr = platform.record_columns()
    rows = np.flatnonzero((arr["function"] == name) & (arr["env"] >= 0))
    if limit is not None:
        rows = rows[-limit:]
    envs = {v.id: v for v in platform.environments(name, sweep=False)}
    events: list[LogEvent] = []
    for i in rows:
        events.extend(_attempt_lines(platform, int(i), envs))
    events.sort(key=lambda e: e.time_s)
    return LogView(lf.log_group_name(name), events)


def _attempt_lines(platform: PlatformQuery, i: int,
                   envs: dict[int, EnvironmentView]) -> list[LogEvent]:
    r = platform.record(i)
    env = envs[r.env]
    stream, config = env.log_stream, env.config
    epoch = platform.epoch_s
    rid = r.request_id
    begin = r.start_s + r.init_ms / 1000.0
    end = begin + r.duration_ms / 1000.0
    out: list[LogEvent] = []

    def add(t: float, kind: str, msg: str) -> None:
        out.append(LogEvent(t, stream, rid, kind, msg))

    if r.cold:
        runtime = config.runtime
        add(r.start_s, "platform", lf.init_start_line(
            runtime, RUNTIME_VERSIONS.get(runtime, "v1"), platform.region))
    add(begin, "platform", lf.start_line(rid, r.version))
    for offset, level, text in platform.output_lines(i):
        t = begin + offset
        if level is None:
            add(t, "stdout", text)
        else:
            add(t, level, lf.python_log_line(level, epoch + t, rid, text))
    doc = platform.error_document(i)
    if r.outcome == "timeout":
        add(end, "ERROR", lf.timeout_line(lf.iso_ms(epoch + end), rid, config.timeout_s))
    elif doc is not None:
        add(end, "ERROR", lf.unhandled_error_log(doc))
    add(end, "platform", lf.end_line(rid))
    add(end, "platform", report_for(r))
    return out


def report_status(outcome: str, error_type: str | None) -> str | None:
    """The REPORT line's ``Status`` for an attempt: ``timeout`` for a timeout, ``error`` for a
    runtime crash or failed init (``Runtime.*``), none for an ordinary handler exception or a
    success (facts §1.4 [S1]).

    >>> report_status("error", "ZeroDivisionError"), report_status("error", "Runtime.ExitError")
    (None, 'error')
    """
    if outcome == "timeout":
        return "timeout"
    return "error" if error_type is not None and error_type.startswith("Runtime.") else None


def report_for(r: Record) -> str:
    """The REPORT line of one attempt (its ``Status`` from :func:`report_status`)."""
    status = report_status(r.outcome, r.error_type)
    return lf.report_line(
        r.request_id, duration_ms=round(r.duration_ms, 2), billed_ms=r.billed_ms,
        memory_mb=r.memory_mb, max_memory_mb=r.max_memory_mb,
        init_ms=round(r.init_ms, 2) if r.cold else None,
        status=status, error_type=r.error_type if status == "error" else None)
