"""Chapter 00 checks: read a request id off the logs; say what Billed Duration means.

Example:
    >>> logs = "START RequestId: 0f8e3a7c-1d2b-4c5d-9e6f-7a8b9c0d1e2f Version: $LATEST"
    >>> find_request_id.check("0f8e3a7c-1d2b-4c5d-9e6f-7a8b9c0d1e2f", logs=logs, show=False).passed
    True
    >>> find_request_id.check("RequestId: 0f8e", logs=logs, show=False).passed
    False
"""

from __future__ import annotations

import re

from widgets.exercises import CheckResult, Exercise, hint, passed

__all__ = ["BILLED_DURATION_CHOICES", "billed_duration", "find_request_id"]

# START RequestId: <uuid> Version: $LATEST   [S2:python-logging.md]
_REQUEST_ID_IN_LOG = re.compile(r"RequestId: (\S+)")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _request_ids(logs: object) -> list[str]:
    """Request ids in order of first appearance; ``logs`` is text, a list of lines or a LogView."""
    # lambdakit's LogView prints as the log text
    lines = logs if isinstance(logs, list | tuple) else [logs]
    text = "\n".join(str(line) for line in lines)
    ids = list(dict.fromkeys(_REQUEST_ID_IN_LOG.findall(text)))
    if not ids:
        raise ValueError("these logs have no 'RequestId:' line: pass the output of p.logs(...)")
    return ids


def _check_request_id(answer: str, logs: object) -> CheckResult:
    ids = _request_ids(logs)
    if not isinstance(answer, str):
        return hint(
            f"A request id is text: put it in quotes, e.g. `request_id = \"{ids[0][:8]}…\"`"
            f" (you gave a {type(answer).__name__})."
        )
    text = answer.strip()
    if text in ids:
        return passed(
            "That is the request id. START, END and REPORT of one invocation all carry it, "
            "and so does `context.aws_request_id` inside the handler: it is how you find one "
            "invocation's lines among thousands."
        )
    if not text:
        return hint("The answer is empty: copy the id that follows `RequestId:` on the START line.")
    if "requestid" in text.lower() or text.startswith(("START", "END", "REPORT")):
        return hint(
            "Copy only the id itself, without the `START RequestId:` label in front of it"
            " (36 characters such as `0f8e3a7c-1d2b-4c5d-9e6f-7a8b9c0d1e2f`)."
        )
    if text in {"$LATEST", "Version: $LATEST"} or (text.isdigit() and len(text) <= 5):
        return hint(
            "That is the function *version* (the last field of the START line). "
            "The request id is the value right after `RequestId:`."
        )
    if text.lower() in {i.lower() for i in ids}:
        return hint("Same letters, different case: copy the id exactly as the log prints it.")
    if _UUID.fullmatch(text):
        return hint(
            "That looks like a request id, but not one from these logs. Every invocation gets "
            "a new id: did you re-run the invoke cell? Copy the id from the latest log output."
        )
    if any(text in i for i in ids):
        return hint(
            f"That is only part of the id ({len(text)} of 36 characters): copy all of it, "
            "dashes included."
        )
    return hint(
        f"A request id has 36 characters, 8-4-4-4-12 hex digits with dashes (yours has "
        f"{len(text)}). Find it on the START line: `START RequestId: <id> Version: $LATEST`."
    )


#: The choices shown in the notebook for exercise 2 (the notebook's markdown lists them verbatim).
BILLED_DURATION_CHOICES: dict[str, str] = {
    "a": "How long the handler ran, rounded up to the next 100 ms.",
    "b": "The time you pay for: Duration rounded up to the next whole millisecond "
    "(on a cold start, the Init Duration is added first).",
    "c": "The time from the request's arrival until the caller got the answer, "
    "waiting included.",
    "d": "Memory Size × Duration, in GB-seconds.",
}
_CORRECT = "b"
_WRONG_CHOICE_HINTS: dict[str, str] = {
    # 100 ms rounding ended on 1 Dec 2020; since then 1 ms [S18]
    "a": "Close, but that is the rule before December 2020. Since then Lambda rounds up to the "
    "next 1 ms: compare Duration and Billed Duration on the REPORT line above.",
    # Billed time is the function's own run (plus init, since 1 Aug 2025) [S19]
    "c": "Billing counts only the time your function's code runs (plus its init on a cold "
    "start), not time spent on the network or waiting before it starts. Compare the two "
    "numbers: Billed Duration is just Duration rounded up.",
    # price is per GB-second: memory x billed time [S16]
    "d": "GB-seconds are the unit of the price (memory × time), but Billed Duration is only "
    "the time part, in milliseconds. The bill multiplies it by Memory Size later.",
}


def _check_billed_duration(answer: str) -> CheckResult:
    if isinstance(answer, int | float):  # bool is an int too
        return hint(
            "You answered a number; this question asks what Billed Duration *means*. "
            'Answer with one letter: "a", "b", "c" or "d".'
        )
    choice = str(answer).strip().strip("()").lower()
    if choice == _CORRECT:
        # 1 ms rounding since 1 Dec 2020 [S18]; Init billed since 1 Aug 2025 [S19]
        return passed(
            "Billed Duration is the time you pay for: Duration rounded up to the next 1 ms "
            "(e.g. 26.73 ms → 27 ms), plus Init Duration on a cold start. Memory Size × "
            "Billed Duration gives the GB-seconds on the bill."
        )
    if choice in _WRONG_CHOICE_HINTS:
        return hint(_WRONG_CHOICE_HINTS[choice])
    return hint(f'Answer with one letter in quotes: "a", "b", "c" or "d" (you gave {answer!r}).')


find_request_id = Exercise(
    "Exercise 1 · find the request id",
    _check_request_id,
    expects='the request id from the START line, in quotes: request_id = "…"',
)
billed_duration = Exercise(
    "Exercise 2 · what Billed Duration means",
    _check_billed_duration,
    expects='one letter in quotes: "a", "b", "c" or "d"',
)
