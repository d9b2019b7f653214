"""The asynchronous invoke path: the internal queue, throttle backoff, retries with delays,
maximum event age, on-success / on-failure destinations and the dead-letter queue
(facts §3.2 [S12]).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..function.versions import LATEST
from ..observers.records import OUTCOME_CODES
from .environment import _ASYNC, _Fn, _Pool
from .payloads import _iso, _send

if TYPE_CHECKING:
    from .state import EngineCore

ASYNC_RETRY_DELAYS_S = (60.0, 120.0)  # 1 min before the 2nd attempt, 2 min before the 3rd [S12]
THROTTLE_BACKOFF_S = (1.0, 300.0)  # async throttles: 1 s growing to 5 min [S12]
_THROTTLED = OUTCOME_CODES["throttled"]


def deliver_async(eng: EngineCore, item: tuple[Any, ...], t: float) -> None:
    """The internal queue hands an event to the function: too old → failure destination;
    throttled → back to the queue with backoff; otherwise the attempt starts."""
    fn, qualifier, ev, attempt, arrival, text, source, throttles = item
    if attempt == 0 and throttles == 0:
        eng.events.payloads[ev] = text
        eng.events.qualifiers[ev] = qualifier
    pool = eng.resolve(fn, qualifier)
    acfg = fn.versions.async_config(eng.events.qualifiers.get(ev, qualifier), pool.version)
    if t - arrival > acfg.maximum_event_age_s:
        expire(eng, fn, item, t, "EventAgeExceeded", pool)
        return
    if fn.reserved == 0:  # reserved 0: straight to the DLQ/destination, no retries [S41]
        expire(eng, fn, item, t, "ZeroReservedConcurrency", pool)
        return
    idx, _ = eng.start_attempt(pool, ev, attempt, arrival, t, text, source, qualifier,
                               is_async=True)
    if eng.records.raw["outcome"][idx] == _THROTTLED:  # back to the internal queue
        lo, hi = THROTTLE_BACKOFF_S
        delay = min(hi, lo * 2.0 ** throttles)
        eng.schedule(t + delay, _ASYNC, (fn, qualifier, ev, attempt, arrival, text, source,
                                       throttles + 1))

def after_async(eng: EngineCore, idx: int, t: float) -> None:
    """An attempt ended: success destination, a retry after its delay, or failure."""
    r = eng.records[idx]
    fn = eng.functions[r.function]
    ev = r.event
    acfg = fn.versions.async_config(eng.events.qualifiers.get(ev), r.version)
    if r.outcome == "ok":
        eng.events[ev] = "ok"
        _send(acfg.on_success, invocation_record(eng, idx, "Success", t))
        eng.events.payloads.pop(ev, None)
        eng.events.qualifiers.pop(ev, None)
        return
    if r.attempt < acfg.maximum_retry_attempts:
        delay = ASYNC_RETRY_DELAYS_S[min(r.attempt, len(ASYNC_RETRY_DELAYS_S) - 1)]
        eng.events[ev] = "retrying"
        eng.schedule(t + delay, _ASYNC, (fn, None if r.version == LATEST else r.version, ev,
                                       r.attempt + 1, r.arrival_s, eng.events.payloads[ev],
                                       r.source, 0))
        return
    fail(eng, fn, idx, t, "RetriesExhausted")

def fail(eng: EngineCore, fn: _Fn, idx: int, t: float, condition: str) -> None:
    """Retries exhausted or event too old: on-failure destination and/or DLQ (the
    destination of the event's qualifier and version; the DLQ is function-level)."""
    rec = invocation_record(eng, idx, condition, t)
    r = eng.records[idx]
    acfg = fn.versions.async_config(eng.events.qualifiers.pop(r.event, None), r.version)
    dead_letter = fn.versions.dead_letter()
    eng.events.payloads.pop(r.event, None)
    sent = acfg.on_failure is not None or dead_letter is not None
    eng.events[r.event] = "dead-lettered" if sent else r.outcome
    if acfg.on_failure is not None:
        _send(acfg.on_failure, rec)
    if dead_letter is not None:  # the event as-is, with attributes (facts §3.2 [S12])
        _send(dead_letter, {"body": rec["requestPayload"], "attributes": {
            "RequestID": r.request_id, "ErrorCode": "200",
            "ErrorMessage": json.dumps(rec.get("responsePayload", condition))[:1024]}})
    eng.events.failures.append(rec)

def expire(eng: EngineCore, fn: _Fn, item: tuple[Any, ...], t: float, condition: str,
           pool: _Pool) -> None:
    """The event leaves the queue unprocessed (too old, or reserved concurrency 0)."""
    _, _, ev, attempt, arrival, text, source, _ = item
    group = eng.records.group(fn.name, pool.version, pool.memory_mb, source,
                               pool.max_memory_mb)
    idx = eng.records.append(ev, attempt, group, -1, False, arrival, t, 0.0, 0.0,
                              "expired", condition)
    eng.events.payloads[ev] = text
    fail(eng, fn, idx, t, condition)

def invocation_record(eng: EngineCore, idx: int, condition: str, t: float) -> dict[str, Any]:
    """The invocation record sent to destinations (facts §3.2 [S12])."""
    r = eng.records[idx]
    fn = eng.functions[r.function]
    text = eng.events.payloads.get(r.event, "null")
    rec: dict[str, Any] = {
        "version": "1.0",
        "timestamp": _iso(eng.epoch_s + t),
        "requestContext": {
            "requestId": r.request_id,
            "functionArn": fn.versions.arn(r.version),
            "condition": condition,
            "approximateInvokeCount": r.attempt + 1,
        },
        "requestPayload": json.loads(text),
        "responseContext": {"statusCode": 200, "executedVersion": r.version},
    }
    doc = eng.records.error_docs.get(idx)
    if doc is not None:
        rec["responseContext"]["functionError"] = "Unhandled"
        rec["responsePayload"] = doc
    return rec
