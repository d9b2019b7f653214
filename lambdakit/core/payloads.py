"""Payloads on their way in and out of handlers: JSON encoding with Lambda's size limits,
a fresh decoded copy per invocation, lazily formatted request ids, destination delivery.

Example:
    >>> _decode(_encode({"a": 1}, 1024)), _decode("{}")
    ({'a': 1}, {})
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Callable
from typing import Any

from ..errors import InvalidParameterValueException, RequestTooLargeException
from .ids import request_id

_PLAIN = (str, int, float, bool)


def _json_check_encoder() -> Callable[[Any], Any]:
    """The C JSON encoder without the two Python frames of ``json.dumps`` (hot path)."""
    try:
        from json.encoder import (  # type: ignore[attr-defined]
            c_make_encoder,
            encode_basestring_ascii,
        )
    except ImportError:  # pragma: no cover - CPython always has it
        c_make_encoder = None
    if c_make_encoder is None:  # pragma: no cover
        return json.JSONEncoder().encode
    default = json.JSONEncoder().default

    def make() -> Any:
        return c_make_encoder({}, default, encode_basestring_ascii, None, ":", ",",
                              False, False, True)

    encoder = make()

    def check(obj: Any) -> Any:
        nonlocal encoder
        try:
            return encoder(obj, 0)
        except BaseException:
            encoder = make()  # its cycle markers may hold stale entries now
            raise

    return check


_JSON_ENCODE = _json_check_encoder()


class _LazyId:
    """The request id, formatted only when someone reads it."""

    __slots__ = ("_seed", "_n", "_s")

    def __init__(self, seed: int, n: int) -> None:
        self._seed, self._n, self._s = seed, n, ""

    def __call__(self) -> str:
        if not self._s:
            self._s = request_id(self._seed, self._n)
        return self._s


class _EventSource:
    """The payloads of a workload: one JSON text, or one per arrival from a callable."""

    def __init__(self, event: Any, limit: int) -> None:
        self._fn = event if callable(event) else None
        self._limit = limit
        self._text = None if self._fn else _encode({} if event is None else event, limit)

    def text(self, i: int) -> str:
        if self._fn is None:
            return self._text  # type: ignore[return-value]
        return _encode(self._fn(i), self._limit)


def _encode(event: Any, limit: int) -> str:
    try:
        text = json.dumps(event, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise InvalidParameterValueException(
            "event", type(event).__name__, f"a JSON-serialisable payload ({exc})") from None
    if len(text.encode()) > limit:
        raise RequestTooLargeException(
            f"Request must be smaller than {limit} bytes for the invoke operation")
    return text


def _decode(text: str) -> Any:
    """A fresh copy of the payload for each invocation, as Lambda deserialises it."""
    return {} if text == "{}" else json.loads(text)


def _send(dest: Any, record: dict[str, Any]) -> None:
    if dest is None:
        return
    if hasattr(dest, "send"):
        dest.send(record)
    else:
        dest.append(record)


def _day(epoch_s: float) -> _dt.date:
    return _dt.datetime.fromtimestamp(epoch_s, tz=_dt.timezone.utc).date()


def _iso(epoch_s: float) -> str:
    d = _dt.datetime.fromtimestamp(epoch_s, tz=_dt.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"
