"""Lambda's log lines, byte for byte (facts §1.4, §1.5): pure string functions, no I/O.

These run once per record for millions of records, so they are plain f-strings with no
validation beyond what is free. Lines are returned without their trailing newline.

Example:
    >>> start_line("8f5f-id", "$LATEST")
    'START RequestId: 8f5f-id Version: $LATEST'
    >>> report_line("8f5f-id", duration_ms=26.73, billed_ms=27, memory_mb=128, max_memory_mb=75)
    'REPORT RequestId: 8f5f-id\\tDuration: 26.73 ms\\tBilled Duration: 27 ms\\tMemory Size: 128 MB\\tMax Memory Used: 75 MB\\t'
"""  # noqa: E501

from __future__ import annotations

import datetime
import hashlib
import math
import re
import time
from functools import lru_cache
from typing import Any

__all__ = [
    "REPORT_RE",
    "billed_duration_ms",
    "end_line",
    "init_report_line",
    "init_start_line",
    "iso_ms",
    "log_group_name",
    "log_stream_name",
    "parse_report_line",
    "python_log_line",
    "report_line",
    "start_line",
    "timeout_line",
    "timeout_message",
    "unhandled_error_log",
]

_NBSP = "\u00a0"
_HEX32 = re.compile(r"[0-9a-f]{32}")


def start_line(request_id: str, version: str) -> str:
    """``START`` line; ``version`` is the executed version (``$LATEST`` or a number) [S2].

    >>> start_line("id", "3")
    'START RequestId: id Version: 3'
    """
    return f"START RequestId: {request_id} Version: {version}"


def end_line(request_id: str) -> str:
    """``END`` line [S2:python-logging.md].

    >>> end_line("id")
    'END RequestId: id'
    """
    return f"END RequestId: {request_id}"


def report_line(
    request_id: str,
    *,
    duration_ms: float,
    billed_ms: int,
    memory_mb: int,
    max_memory_mb: int,
    init_ms: float | None = None,
    status: str | None = None,
    error_type: str | None = None,
) -> str:
    """The raw ``REPORT`` line: tab-separated fields, durations with 2 decimals.

    Layout [S2:python-logging.md][S40]: every field is followed by a tab, so a successful line
    ends with a trailing tab; ``Init Duration`` only on an environment's first request.
    (The AWS doc example shows ``Billed Duration: 27 ms \\t`` with a space — a left-over of the
    pre-2020 format; raw lines since then [S40] have none, and neither do ours.)

    Failures use the new-style suffix [S1] ``Status: timeout`` or ``Status: error`` followed by
    ``Error Type: <type>``. AWS's note renders the separators as spaces; raw CloudWatch lines
    posted publicly (not in the facts sheet) use tabs and no trailing tab after the suffix, so we
    emit ``...\\tStatus: error\\tError Type: T``. AWS docs spell ``Error Type:``; a third-party
    parser fixture spells ``ErrorType:`` (facts uncertainty 6) — we emit the AWS spelling and
    :data:`REPORT_RE` accepts both.

    >>> report_line("id", duration_ms=3000, billed_ms=3403, memory_mb=128, max_memory_mb=73,
    ...             init_ms=402.04, status="timeout")
    'REPORT RequestId: id\\tDuration: 3000.00 ms\\tBilled Duration: 3403 ms\\tMemory Size: 128 MB\\tMax Memory Used: 73 MB\\tInit Duration: 402.04 ms\\tStatus: timeout'
    """  # noqa: E501
    line = (
        f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
        f"Billed Duration: {billed_ms} ms\tMemory Size: {memory_mb} MB\t"
        f"Max Memory Used: {max_memory_mb} MB\t"
    )
    if init_ms is not None:
        line += f"Init Duration: {init_ms:.2f} ms\t"
    if status is None:
        if error_type is not None:
            raise ValueError(f"error_type={error_type!r} needs status='error'")
        return line
    if error_type is None:
        return f"{line}Status: {status}"
    if status != "error":
        raise ValueError(f"error_type is only reported with status='error', not {status!r}")
    return f"{line}Status: error\tError Type: {error_type}"


def billed_duration_ms(duration_ms: float, init_ms: float | None = None) -> int:
    """Billed Duration: ceil(Duration + Init Duration) in whole ms (rule since 1 Aug 2025).

    Init has been billed for on-demand ZIP functions on managed runtimes since 1 Aug 2025
    [S19][S1]; 1 ms granularity since 1 Dec 2020 [S18]. The sum is rounded to 6 decimals
    (nanoseconds) before ``ceil`` so float noise such as ``2.0000000001`` bills 2, not 3.

    >>> billed_duration_ms(26.73), billed_duration_ms(3004.92, 111.23)
    (27, 3117)
    >>> billed_duration_ms(133.61, 80.00), billed_duration_ms(15.74), billed_duration_ms(1.1 + 0.9)
    (214, 16, 2)
    """
    total = duration_ms if init_ms is None else duration_ms + init_ms
    if total < 0:
        raise ValueError(f"duration must be >= 0 ms, got {total!r}")
    return math.ceil(round(total, 6))


def timeout_message(timeout_s: float) -> str:
    """AWS's timeout wording, seconds with 2 decimals [S1].

    >>> timeout_message(3)
    'Task timed out after 3.00 seconds'
    """
    return f"Task timed out after {timeout_s:.2f} seconds"


def timeout_line(timestamp: str, request_id: str, timeout_s: float) -> str:
    """Old-style timeout log line, space-separated [S1] (see :func:`iso_ms` for ``timestamp``).

    >>> timeout_line("2024-03-04T17:22:38.033Z", "id", 3)
    '2024-03-04T17:22:38.033Z id Task timed out after 3.00 seconds'
    """
    return f"{timestamp} {request_id} Task timed out after {timeout_s:.2f} seconds"


@lru_cache(maxsize=256)
def init_start_line(runtime: str, runtime_version: str, region: str) -> str:
    """``INIT_START`` line of a managed runtime (Obs. format [S37]).

    ``runtime`` is the configured identifier (``python3.13``), ``runtime_version`` the part after
    it (``v43``, or newer style ``mainlinev2.v11``). AWS's ARN ends in a 64-hex digest it does not
    explain; lambdakit derives a stable stand-in from sha256 of the version string.

    >>> init_start_line("python3.13", "v43", "eu-west-2")[:79]
    'INIT_START Runtime Version: python:3.13.v43\\tRuntime Version ARN: arn:aws:lambda'
    >>> len(init_start_line("python3.13", "v43", "eu-west-2").rsplit(":", 1)[1])
    64
    """
    m = re.fullmatch(r"([a-z]+)\.?(.+?)(?:\.x)?", runtime)
    name = f"{m.group(1)}:{m.group(2)}" if m else runtime
    version = f"{name}.{runtime_version}"
    digest = hashlib.sha256(version.encode()).hexdigest()
    return (
        f"INIT_START Runtime Version: {version}\t"
        f"Runtime Version ARN: arn:aws:lambda:{region}::runtime:{digest}"
    )


def init_report_line(
    init_ms: float, *, status: str, error_type: str | None = None, phase: str = "init"
) -> str:
    """``INIT_REPORT`` line: failed init, or always with PC/SnapStart [S1].

    Tab-separated like REPORT (AWS's page shows spaces [S1]; raw lines use tabs). ``phase`` is
    ``"invoke"`` when a failed init is retried at the first invocation [S1].

    >>> init_report_line(1236.04, status="timeout")
    'INIT_REPORT Init Duration: 1236.04 ms\\tPhase: init\\tStatus: timeout'
    >>> init_report_line(1236.04, status="error", error_type="Extension.Crash")
    'INIT_REPORT Init Duration: 1236.04 ms\\tPhase: init\\tStatus: error\\tError Type: Extension.Crash'
    """  # noqa: E501
    line = f"INIT_REPORT Init Duration: {init_ms:.2f} ms\tPhase: {phase}\tStatus: {status}"
    return line if error_type is None else f"{line}\tError Type: {error_type}"


def log_group_name(function_name: str) -> str:
    """CloudWatch log group of a function [S23].

    >>> log_group_name("my-function")
    '/aws/lambda/my-function'
    """
    return f"/aws/lambda/{function_name}"


def log_stream_name(day: datetime.date, version: str, env_guid: str) -> str:
    """One stream per execution environment: ``YYYY/MM/DD/[version]<32 hex>`` [S23][S2].

    >>> log_stream_name(datetime.date(2020, 1, 31), "$LATEST", "3893abcd7fac4485b47bb75b671a283c")
    '2020/01/31/[$LATEST]3893abcd7fac4485b47bb75b671a283c'
    """
    if not _HEX32.fullmatch(env_guid):
        raise ValueError(f"env_guid must be 32 lowercase hex digits, got {env_guid!r}")
    return f"{day:%Y/%m/%d}/[{version}]{env_guid}"


@lru_cache(maxsize=4096)
def _utc_second(epoch_s: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch_s))


def iso_ms(epoch_s: float) -> str:
    """UTC timestamp with milliseconds, as the runtime's log formatter prints it [S20].

    Milliseconds are truncated like ``logging``'s ``msecs`` after rounding to the microsecond
    (so ``.534`` stored as ``.53399999`` still prints ``.534``).

    >>> iso_ms(1580508778.534)
    '2020-01-31T22:12:58.534Z'
    """
    ms = round(epoch_s * 1_000_000) // 1000
    sec, milli = divmod(ms, 1000)
    return f"{_utc_second(sec)}.{milli:03d}Z"


def python_log_line(level: str, epoch_s: float, request_id: str, message: str) -> str:
    """A ``logging`` record in the runtime's text format [S20:bootstrap.py].

    ``"[%(levelname)s]\\t%(asctime)s.%(msecs)03dZ\\t%(aws_request_id)s\\t%(message)s\\n"``
    without the final newline. Outside a request ``request_id`` is ``""`` (two tabs).

    >>> python_log_line("INFO", 1580508778.534, "id", "hello")
    '[INFO]\\t2020-01-31T22:12:58.534Z\\tid\\thello'
    """
    return f"[{level}]\t{iso_ms(epoch_s)}\t{request_id}\t{message}"


def _nbsp_indent(line: str) -> str:
    stripped = line.lstrip(" ")
    return _NBSP * (len(line) - len(stripped)) + stripped


def unhandled_error_log(error: dict[str, Any], *, sep: str = "\r") -> str:
    """The text-mode log of an unhandled error document, as ``log_error`` writes it [S20].

    ``[ERROR] <type>: <message>``, ``Traceback (most recent call last):`` (only when the
    document has a ``stackTrace`` key), then each frame line with its leading spaces turned into
    U+00A0. Joined with ``\\r`` (one CloudWatch event on stdout); ``sep="\\n"`` gives the
    telemetry-frame variant.

    >>> unhandled_error_log({"errorMessage": "'action'", "errorType": "KeyError",
    ...     "stackTrace": ['  File "/var/task/app.py", line 3, in handler\\n    x = e["action"]\\n']})
    '[ERROR] KeyError: \\'action\\'\\rTraceback (most recent call last):\\r\\xa0\\xa0File "/var/task/app.py", line 3, in handler\\r\\xa0\\xa0\\xa0\\xa0x = e["action"]'
    """  # noqa: E501
    head = "[ERROR]"
    error_type = error.get("errorType")
    message = error.get("errorMessage")
    if error_type:
        head += " " + error_type
    if message:
        if error_type:
            head += ":"
        head += " " + message
    lines = [head]
    trace = error.get("stackTrace")
    if trace is not None:
        lines.append("Traceback (most recent call last):")
        for element in trace:
            if element == "":
                lines.append("")
            else:
                lines.extend(_nbsp_indent(x) for x in element.splitlines())
    return sep.join(lines)


REPORT_RE: re.Pattern[str] = re.compile(
    r"REPORT RequestId: (?P<request_id>\S+)\s+"
    r"Duration: (?P<duration_ms>\d+(?:\.\d+)?) ms\s+"
    r"Billed Duration: (?P<billed_ms>\d+) ms\s+"
    r"Memory Size: (?P<memory_mb>\d+) MB\s+"
    r"Max Memory Used: (?P<max_memory_mb>\d+) MB\s*"
    r"(?:Init Duration: (?P<init_ms>\d+(?:\.\d+)?) ms\s*)?"
    r"(?:Status: (?P<status>\S+)\s*)?"
    r"(?:Error ?Type: (?P<error_type>\S+)\s*)?$"
)
"""Matches every REPORT line :func:`report_line` emits, and AWS's variants (doc example with a
space before a tab, ``ErrorType:`` spelling, a trailing newline)."""


def parse_report_line(line: str) -> dict[str, Any]:
    """Inverse of :func:`report_line`: keyword arguments that rebuild the line.

    >>> d = parse_report_line("REPORT RequestId: id\\tDuration: 15.74 ms\\tBilled Duration: 16 ms"
    ...     "\\tMemory Size: 128 MB\\tMax Memory Used: 56 MB\\tInit Duration: 130.49 ms\\t")
    >>> d["duration_ms"], d["billed_ms"], d["init_ms"], d["status"]
    (15.74, 16, 130.49, None)
    """
    m = REPORT_RE.match(line)
    if m is None:
        raise ValueError(f"not a REPORT line: {line[:120]!r}")
    init_ms = m.group("init_ms")
    return {
        "request_id": m.group("request_id"),
        "duration_ms": float(m.group("duration_ms")),
        "billed_ms": int(m.group("billed_ms")),
        "memory_mb": int(m.group("memory_mb")),
        "max_memory_mb": int(m.group("max_memory_mb")),
        "init_ms": None if init_ms is None else float(init_ms),
        "status": m.group("status"),
        "error_type": m.group("error_type"),
    }
