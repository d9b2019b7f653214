"""How an attempt ended, from what its handler call did — one rule for every invoke path.

A timeout (the sandbox stopped the handler, or its duration passed the function's timeout) is
``Sandbox.Timedout`` (facts §1.6 [S1]); ``sys.exit`` is ``Runtime.ExitError``; an exception is
its error document; a result that does not marshal to JSON is ``Runtime.MarshalError``.

Example:
    >>> from lambdakit.core.sandbox import CallOutcome
    >>> call = CallOutcome(); call.error = ZeroDivisionError("division by zero")
    >>> o = attempt_outcome(call, 12.0, 3000.0, 3, lambda: "rid-1")
    >>> o.outcome, o.error_type, o.duration_ms, resets(o)
    ('error', 'ZeroDivisionError', 12.0, False)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from ..function.handlers import EXIT_ERROR, error_document, marshal_response
from ..observers.logformat import timeout_message
from .payloads import _PLAIN
from .sandbox import CallOutcome

__all__ = ["Outcome", "attempt_outcome", "resets"]


class Outcome(NamedTuple):
    outcome: str  # ok | error | timeout
    duration_ms: float  # the timeout itself for a timeout
    error_type: str | None
    error_doc: dict[str, Any] | None
    body: str | bytes | None  # what a non-trivial successful result marshals to


def attempt_outcome(call: CallOutcome, duration_ms: float, timeout_ms: float, timeout_s: int,
                    request_id: Callable[[], str]) -> Outcome:
    """Classify one handler call that ran for ``duration_ms`` (``request_id`` is called only
    when an error document needs it)."""
    if call.timed_out or duration_ms > timeout_ms:
        return Outcome("timeout", timeout_ms, "Sandbox.Timedout", {
            "errorType": "Sandbox.Timedout",
            "errorMessage": f"RequestId: {request_id()} Error: {timeout_message(timeout_s)}"},
            None)
    exc = call.error
    if exc is not None:
        if isinstance(exc, SystemExit):
            return Outcome("error", duration_ms, EXIT_ERROR, {
                "errorType": EXIT_ERROR, "errorMessage": f"RequestId: {request_id()} Error: "
                f"Runtime exited with error: exit status {exc.code}"}, None)
        doc = error_document(exc, request_id())
        return Outcome("error", duration_ms, doc["errorType"], doc, None)
    result = call.result
    if result is not None and type(result) not in _PLAIN:
        body, marshal_error = marshal_response(result)
        if marshal_error is not None:
            return Outcome("error", duration_ms, marshal_error["errorType"], marshal_error, None)
        return Outcome("ok", duration_ms, None, None, body)
    return Outcome("ok", duration_ms, None, None, None)


def resets(o: Outcome) -> bool:
    """Does this outcome reset the environment (a timeout or the runtime exiting, facts §1.1
    [S1])? An ordinary exception leaves it warm."""
    return o.outcome == "timeout" or o.error_type == EXIT_ERROR
