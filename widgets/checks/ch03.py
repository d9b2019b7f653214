"""Chapter 03 checks: a cold start's bill, which request was cold, memory vs CPU, throttles,
and how many queue messages a failing batch sends to the dead-letter queue.

Each check recomputes the right answer with lambdakit from what the notebook passes (the
REPORT line, the logs, the duration model, the workload), then names the specific mistake.

Example:
    >>> line = "REPORT RequestId: x\\tDuration: 3004.92 ms\\tInit Duration: 111.23 ms\\t"
    >>> billed_duration.check(3117, report=line, show=False).passed
    True
    >>> billed_duration.check(3005, report=line, show=False).message[:38]
    'That is Duration alone, rounded up. On'
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from lambdakit import Platform
from lambdakit.esm import SqsEventSourceMapping
from lambdakit.function.durations import DurationModel
from lambdakit.observers.logformat import REPORT_RE, billed_duration_ms
from lambdakit.services import Queue
from lambdakit.workloads import Workload
from widgets.exercises import CheckResult, Exercise, hint, passed

__all__ = [
    "billed_duration", "burst_throttles", "cold_request", "dead_letters", "full_speed_memory",
]

_MIN_MB, _MAX_MB = 128, 10_240  # 128–10,240 MB in 1 MB steps [S3]
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_DURATION = re.compile(r"(?<!Init )(?<!Billed )Duration: (\d+(?:\.\d+)?) ms")
_INIT = re.compile(r"Init Duration: (\d+(?:\.\d+)?) ms")


def _is_number(answer: object) -> bool:
    return isinstance(answer, int | float) and not isinstance(answer, bool) and math.isfinite(
        answer)


def _text(logs: object) -> str:
    """``logs`` as text: a LogView prints as its lines; a list or tuple is joined."""
    lines = logs if isinstance(logs, list | tuple) else [logs]
    return "\n".join(str(line) for line in lines)


# -- exercise 1: the Billed Duration of a cold start ---------------------------------------
def _cold_report_fields(report: object) -> tuple[float, float]:
    """Duration and Init Duration (ms) of the first REPORT line that has an Init Duration."""
    for line in _text(report).splitlines():
        init, duration = _INIT.search(line), _DURATION.search(line)
        if line.lstrip().startswith("REPORT") and init and duration:
            return float(duration.group(1)), float(init.group(1))
    raise ValueError("no cold REPORT line (with 'Init Duration:') in `report`: pass the line")


def _check_billed(answer: Any, report: object) -> CheckResult:
    duration, init = _cold_report_fields(report)
    right = billed_duration_ms(duration, init)  # ceil(Duration + Init), 1 ms [S18][S19]
    total = duration + init
    if not _is_number(answer):
        return hint(f"Give a number of milliseconds, e.g. `billed_ms = 1234` (you gave a "
                    f"{type(answer).__name__}).")
    if answer == right:
        # init billed since 1 Aug 2025 [S19]; 1 ms rounding since Dec 2020 [S18]
        return passed(
            f"{duration:.2f} ms + {init:.2f} ms = {total:.2f} ms, rounded up to {right} ms. "
            "Since 1 August 2025 a cold start's Init Duration is billed too, and since "
            "December 2020 the rounding is to the next 1 ms. Memory × this time is what you "
            "pay for.")
    if abs(answer - total) < 0.006 or abs(answer - round(total, 2)) < 0.006:
        return hint(f"{answer} ms is the exact sum, but Billed Duration is a whole number of "
                    "milliseconds: round it *up* to the next 1 ms.")
    if answer == billed_duration_ms(duration):  # init billed too since 1 Aug 2025 [S19]
        return hint("That is Duration alone, rounded up. On a cold start the Init Duration is "
                    "billed too (since 1 August 2025): add it before you round.")
    if answer == billed_duration_ms(init):
        return hint("That is Init Duration alone, rounded up. Add the handler's Duration: "
                    "both phases are billed.")
    if answer in (math.floor(total), round(total)):
        return hint(f"Close: {total:.2f} ms must be rounded *up* (ceiling), never down: "
                    "Lambda bills every started millisecond.")
    if answer in (math.ceil(total / 100) * 100, math.ceil(duration / 100) * 100):  # [S18]
        return hint("Rounding to 100 ms was the rule before December 2020. Since then Lambda "
                    "rounds up to the next 1 ms.")
    if answer < 100 and abs(answer * 1000 - total) < 1000:
        return hint("That looks like seconds: Billed Duration is given in milliseconds.")
    return hint(f"Billed Duration = Duration + Init Duration, rounded up to the next whole "
                f"millisecond. Read both numbers off the line: Duration {duration:.2f} ms, "
                f"Init Duration {init:.2f} ms.")


billed_duration = Exercise(
    "Exercise 1 · bill a cold start",
    _check_billed,
    expects="a number of milliseconds: billed_ms = 1234",
)


# -- exercise 2: which request was cold ----------------------------------------------------
def _reports(logs: object) -> list[tuple[str, bool]]:
    """(request id, cold) for every REPORT line, in log order."""
    out = []
    for line in _text(logs).splitlines():
        m = REPORT_RE.match(line.strip("\n"))
        if m is not None:
            out.append((m.group("request_id"), m.group("init_ms") is not None))
    if not out:
        raise ValueError("these logs have no REPORT line: pass p.logs(...)")
    return out


def _check_cold(answer: Any, logs: object) -> CheckResult:
    reports = _reports(logs)
    first = reports[0][0]
    later_cold = [rid for rid, cold in reports[1:] if cold]
    if not later_cold:
        raise ValueError("these logs have no cold start after the first request")
    if not isinstance(answer, str):
        return hint(f"A request id is text: put it in quotes, e.g. `cold_request_id = "
                    f"\"{first[:8]}…\"` (you gave a {type(answer).__name__}).")
    text = answer.strip()
    ids = {rid for rid, _ in reports}
    if text in later_cold:
        # idle environments reclaimed after ~10 min (measured) [S28]; Init Duration only on
        # an environment's first request [S2:python-logging.md]; one stream per env [S23]
        return passed(
            "Its REPORT line is the only later one with an Init Duration, and an INIT_START "
            "line and a new log stream come with it: the old environment had been reclaimed "
            "during the idle hour (after about 10 minutes, as measured), so this request "
            "paid for a new one.")
    if text == first:
        return hint("That request was cold too, but it is the function's very first one: "
                    "every function starts cold. Which *later* request has `Init Duration` "
                    "on its REPORT line?")
    if text in ids:
        return hint("Its REPORT line has no `Init Duration`: it found a warm environment. "
                    "Look for the later REPORT line that ends with `Init Duration: … ms`.")
    if not text:
        return hint("The answer is empty: copy the id that follows `RequestId:` on the REPORT "
                    "line with an Init Duration.")
    if "requestid" in text.lower() or text.startswith(("START", "END", "REPORT")):
        return hint("Copy only the id itself, without the `REPORT RequestId:` label "
                    "(36 characters, 8-4-4-4-12 with dashes).")
    if text.lower() in {i.lower() for i in ids}:
        return hint("Same letters, different case: copy the id exactly as the log prints it.")
    if _UUID.fullmatch(text):
        return hint("That looks like a request id, but not one from these logs. Every "
                    "invocation gets a new id: copy it from the latest log output.")
    if any(text in i for i in ids):
        return hint(f"That is only part of the id ({len(text)} of 36 characters): copy all "
                    "of it, dashes included.")
    return hint("A request id has 36 characters, e.g. `0f8e3a7c-1d2b-4c5d-9e6f-7a8b9c0d1e2f`. "
                "Copy it from the REPORT line that shows an Init Duration.")


cold_request = Exercise(
    "Exercise 2 · which request was cold?",
    _check_cold,
    expects='a request id in quotes: cold_request_id = "…"',
)


# -- exercise 3: where more memory stops helping -------------------------------------------
def _duration_at(model: DurationModel, memory_mb: int) -> float:
    """The model's duration (ms) at ``memory_mb``, as lambdakit scales it with CPU share."""
    return float(model.sample(np.random.default_rng(0), 1, memory_mb=memory_mb)[0])


def _smallest_full_speed(model: DurationModel) -> int:
    """The smallest memory size at which the model is as fast as at the maximum (bisection)."""
    full = _duration_at(model, _MAX_MB)
    lo, hi = _MIN_MB, _MAX_MB
    while lo < hi:
        mid = (lo + hi) // 2
        if _duration_at(model, mid) <= full:
            hi = mid
        else:
            lo = mid + 1
    return lo


def _check_full_speed(answer: Any, duration: DurationModel) -> CheckResult:
    if _is_number(answer) and 0 < answer < 16:
        return hint(f"{answer} looks like gigabytes: memory is set in megabytes "
                    f"({_MIN_MB:,}–{_MAX_MB:,} MB).")
    if not _is_number(answer) or answer != int(answer):
        return hint(f"Give a whole number of megabytes, e.g. `full_speed_mb = 1000` (you gave "
                    f"{answer!r}).")
    mb = int(answer)
    right = _smallest_full_speed(duration)
    full = _duration_at(duration, _MAX_MB)
    if not _MIN_MB <= mb <= _MAX_MB:
        return hint(f"Lambda's memory is {_MIN_MB:,}–{_MAX_MB:,} MB in 1 MB steps; {mb:,} MB "
                    "cannot be configured.")
    if mb == right:
        # 1,769 MB = 1 vCPU; up to 6 vCPU at 10,240 MB [S3][S34]
        return passed(
            f"At {right:,} MB the handler gets one full vCPU and runs its {full:.0f} ms; below "
            "it gets a share of one vCPU and slows down in proportion. Above it Lambda adds "
            "more vCPUs (up to 6 at 10,240 MB), which only multi-threaded code can use: a "
            "single-threaded handler gets no faster, but every extra MB is billed.")
    here = _duration_at(duration, mb)
    if mb < right:
        return hint(f"At {mb:,} MB the handler still takes {here:.1f} ms, more than its "
                    f"{full:.0f} ms at full speed: more memory still helps. Try larger sizes.")
    return hint(f"At {mb:,} MB it runs at full speed ({here:.0f} ms), but so does "
                f"{mb - 1:,} MB: you want the *smallest* such size. Try between 1,536 MB "
                f"and {mb:,} MB (memory comes in 1 MB steps).")


full_speed_memory = Exercise(
    "Exercise 3 · where more memory stops helping",
    _check_full_speed,
    expects="a whole number of MB: full_speed_mb = 1000",
)


# -- exercise 4: throttles of a burst under reserved concurrency ---------------------------
def _simulate(workload: Workload, duration: DurationModel, reserved: int,
              seed: int) -> tuple[int, int]:
    """(requests, throttled) when ``workload`` hits a function with ``reserved`` concurrency."""
    lab = Platform(seed=seed)
    lab.create_function("check", lambda event, context: None, duration=duration,
                        reserved_concurrency=reserved)
    span = workload.natural_duration_s
    run = lab.run(workload, function="check", duration_s=span, progress=False)
    return len(run), lab.metrics("check").throttles


def _check_throttles(answer: Any, *, workload: Workload, duration: DurationModel,
                     reserved_concurrency: int, seed: int = 1) -> CheckResult:
    total, right = _simulate(workload, duration, reserved_concurrency, seed)
    r = reserved_concurrency
    if not _is_number(answer) or answer != int(answer):
        return hint(f"Give a whole number of requests, e.g. `throttled = 12` (you gave "
                    f"{answer!r}).")
    n = int(answer)
    if n == right:
        # reserved = max and min [S2:configuration-concurrency.md]; 429 [S2:API_Invoke.md]
        return passed(
            f"{right} of {total} requests were throttled. At most {r} run at once: reserved "
            "concurrency is the function's maximum as well as its guaranteed minimum. Every "
            f"request that arrives while all {r} environments are busy gets HTTP 429 "
            "TooManyRequestsException; a synchronous caller must retry it.")
    if n == total - r and total - r != right:
        return hint(f"That treats all {total} requests as arriving together. Requests finish "
                    "and free their environments: how many free environments does each burst "
                    "find when it arrives?")
    if n == total - right:
        return hint(f"{n} is how many requests *ran*. The question asks how many were turned "
                    "away (throttled).")
    if n == r:
        return hint(f"{r} is the limit: how many may run at once, not how many are refused.")
    if n == 0:
        return hint(f"Reserved concurrency caps the function as well: it never runs more than "
                    f"{r} requests at once, so some of these {total} cannot run.")
    if n >= total:
        return hint(f"Not every request was refused: up to {r} at a time got an environment.")
    return hint(f"Throttled = requests that arrive while all {r} environments are busy. Count "
                "it burst by burst, or simulate it: a fresh `Platform`, `create_function(..., "
                "reserved_concurrency=...)`, `run(...)`, then `.metrics(...).throttles`.")


burst_throttles = Exercise(
    "Exercise 4 · how many throttles?",
    _check_throttles,
    expects="a whole number of requests: throttled = 12",
)


# -- exercise 5: messages a failing batch sends to the dead-letter queue -------------------
def _charge(event: dict[str, Any], context: Any) -> None:
    """Raise for the whole batch when one order's card has expired (no partial response)."""
    for record in event["Records"]:
        if json.loads(record["body"])["card"] == "expired":
            raise ValueError("card expired")


def _dead_lettered(orders: Sequence[dict[str, Any]], batch_size: int,
                   max_receive_count: int, seed: int) -> int:
    """Messages in the DLQ when ``orders`` go through a queue to ``_charge``."""
    lab = Platform(seed=seed)
    lab.create_function("charge", _charge, timeout_s=10)
    dlq = Queue(lab, "orders-dlq")
    # visibility timeout 6 x the function timeout [S2:with-sqs.md]
    queue = Queue(lab, "orders", visibility_timeout_s=60, dead_letter=dlq,
                  max_receive_count=max_receive_count)
    SqsEventSourceMapping(lab, queue, "charge", batch_size=batch_size)
    for order in orders:
        queue.send_message(MessageBody=json.dumps(order))
    lab.advance(60.0 * (max_receive_count + 2))  # every receive, then the move to the DLQ
    return len(dlq)


def _check_dead_letters(answer: Any, *, orders: Sequence[dict[str, Any]], batch_size: int,
                        max_receive_count: int, seed: int = 0) -> CheckResult:
    right = _dead_lettered(orders, batch_size, max_receive_count, seed)
    bad = sum(1 for o in orders if o.get("card") == "expired")
    if not _is_number(answer) or answer != int(answer):
        return hint(f"Give a whole number of messages, e.g. `in_dlq = 2` (you gave {answer!r}).")
    n = int(answer)
    if n == right:
        # failed batch reappears whole after the visibility timeout [S2:with-sqs.md]
        return passed(
            f"{right} messages end in the dead-letter queue. The poller hands out batches of up "
            f"to {batch_size}; a handler that raises fails its whole batch, so SQS deletes none "
            "of it: the good orders in that batch come back with the expired one after the "
            f"visibility timeout, and after {max_receive_count} receives all of them move to "
            "the DLQ. Report only the failed messages (ReportBatchItemFailures) to keep the "
            "good ones out, and make the handler idempotent: they were charged on every try.")
    if n == bad and bad != right:
        verb = "is" if bad == 1 else "are"
        return hint(f"Only {bad} of the orders {verb} bad, but not alone: the handler raised, "
                    "so its whole batch failed and SQS deleted none of it. Which orders shared "
                    f"a batch with it (batches of up to {batch_size}, sent in order)?")
    if n == len(orders) and n != right:
        return hint("Not every batch failed: only the batch with the expired card raised. "
                    "The other batches succeeded and the poller deleted their messages.")
    if n == 0:
        return hint("The expired card never succeeds. After a message has been received "
                    f"max_receive_count ({max_receive_count}) times, SQS moves it to the "
                    "dead-letter queue instead of delivering it again.")
    if n == max_receive_count and n != right:
        return hint(f"{n} is how many times a message is received before it moves, not how "
                    "many messages move. Count the messages of the failing batch.")
    return hint(f"Split the {len(orders)} orders into batches of up to {batch_size}, in the order "
                "they were sent, find the batch that raises, and count its messages. Or "
                "simulate it: a `Queue` with `dead_letter=` and `max_receive_count=`, an "
                "`SqsEventSourceMapping`, `send_message` for each order, `advance(...)`, then "
                "`len(dlq)`.")


dead_letters = Exercise(
    "Exercise 5 · how many messages end in the dead-letter queue?",
    _check_dead_letters,
    expects="a whole number of messages: in_dlq = 2",
)
