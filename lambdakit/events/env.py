"""Where and when events happen (:class:`EventEnv`), and the checks and formats every builder
shares."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import string
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from ..errors import InvalidParameterValueException
from ..function.quotas import check_choice

Event = dict[str, Any]
StreamRecord = tuple[str, dict[str, Any], dict[str, Any] | None, dict[str, Any] | None]


@dataclass(slots=True)
class EventEnv:
    """What the platform provides to event builders: where, when, and a source of ids.

    >>> env = EventEnv(now_s=90.5)
    >>> env.now().isoformat()
    '2026-01-01T00:01:30.500000+00:00'
    >>> EventEnv().new_id() == EventEnv().new_id()   # same seed, same ids
    True
    """

    region: str = "us-east-1"
    account_id: str = "123456789012"
    epoch: datetime = datetime(2026, 1, 1, tzinfo=timezone.utc)  # wall time of virtual t=0
    now_s: float = 0.0  # platform clock, seconds since ``epoch``
    rng: random.Random = field(default_factory=lambda: random.Random(0))

    def __post_init__(self) -> None:
        if not _REGION.fullmatch(self.region):
            raise _bad("region", self.region, "an AWS Region code such as 'us-east-1'")
        if not re.fullmatch(r"\d{12}", self.account_id):
            raise _bad("account_id", self.account_id, "12 digits")
        if self.epoch.tzinfo is None:
            raise _bad("epoch", self.epoch, "a timezone-aware datetime")

    def now(self) -> datetime:
        """Wall time (UTC) of the platform clock."""
        return (self.epoch + timedelta(seconds=self.now_s)).astimezone(timezone.utc)

    def new_id(self) -> str:
        """A uuid4-shaped id drawn from ``rng`` (deterministic per seed)."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))


# ---------------------------------------------------------------- validation -----------------

_REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}")
# Resource naming rules, from each service's API reference (CreateBucket, CreateQueue,
# CreateTopic, CreateTable, CreateStream, PutRule, CreateEventBus).
_NAMES: dict[str, tuple[str, str]] = {
    "bucket": (r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", "3-63 lowercase letters, digits, '.', '-'"),
    "queue": (r"(?=.{1,80}$)[A-Za-z0-9_-]+(\.fifo)?", "1-80 letters, digits, '-', '_'"),
    "topic": (r"(?=.{1,256}$)[A-Za-z0-9_-]+(\.fifo)?", "1-256 letters, digits, '-', '_'"),
    "table": (r"[A-Za-z0-9_.-]{3,255}", "3-255 letters, digits, '_', '-', '.'"),
    "stream": (r"[A-Za-z0-9_.-]{1,128}", "1-128 letters, digits, '_', '-', '.'"),
    "rule": (r"[A-Za-z0-9_.-]{1,64}", "1-64 letters, digits, '_', '-', '.'"),
    "bus": (r"[A-Za-z0-9/_.-]{1,256}", "1-256 letters, digits, '/', '_', '-', '.'"),
    "stage": (r"[A-Za-z0-9_-]{1,128}", "1-128 letters, digits, '-', '_'"),
    "shard_id": (r"shardId-\d{12}", "'shardId-' and 12 digits"),
}
# The methods an API Gateway proxy event can carry (ANY is a route, not a request method).
HTTP_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
# S3 event types: https://docs.aws.amazon.com/AmazonS3/latest/userguide/
# notification-how-to-event-types-and-destinations.html
S3_CREATED = ("ObjectCreated:Put", "ObjectCreated:Post", "ObjectCreated:Copy",
              "ObjectCreated:CompleteMultipartUpload")
S3_REMOVED = ("ObjectRemoved:Delete", "ObjectRemoved:DeleteMarkerCreated")
STREAM_VIEW_TYPES = ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")
_STREAM_EVENTS = ("INSERT", "MODIFY", "REMOVE")  # [S24]


def _bad(name: str, value: Any, allowed: str) -> InvalidParameterValueException:
    """The error of a bad builder argument: a 400 (a ``ValueError``) naming field, value and
    what is allowed."""
    return InvalidParameterValueException(name, value, allowed)


def _name(kind: str, value: Any) -> str:
    pattern, allowed = _NAMES[kind]
    if not isinstance(value, str) or not re.fullmatch(pattern, value):
        raise _bad(kind, value, allowed)
    return value


def _method(method: Any) -> str:
    upper = method.upper() if isinstance(method, str) else method
    return str(check_choice("method", upper, HTTP_METHODS))


def _path(path: Any) -> str:
    if not isinstance(path, str) or not path.startswith("/") or "?" in path:
        raise _bad("path", path, "a string starting with '/' and no query string (use query=)")
    return path


def _nonempty(name: str, items: Any) -> list[Any]:
    if isinstance(items, (str, bytes, Mapping)) or not isinstance(items, Sequence) or not items:
        raise _bad(name, items, "a non-empty list")
    return list(items)


# Builders called without ``env`` share this one: ids stay unique within a process and a fresh
# interpreter (a re-run notebook) gets the same sequence again.
_DEFAULT_ENV = EventEnv()


def _env(env: EventEnv | None) -> EventEnv:
    return _DEFAULT_ENV if env is None else env


# ---------------------------------------------------------------- formatting -----------------

_UNIX = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ALNUM_LOWER = string.ascii_lowercase + string.digits
_ALNUM_UPPER = string.ascii_uppercase + string.digits
_USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def _iso_ms(t: datetime) -> str:  # S3 eventTime, SNS Timestamp: 1970-01-01T00:00:00.000Z [S24]
    return f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond // 1000:03d}Z"


def _iso_s(t: datetime) -> str:  # EventBridge time: 1970-01-01T00:00:00Z [S24]
    return f"{t:%Y-%m-%dT%H:%M:%S}Z"


def _epoch_ms(t: datetime) -> int:
    return (t - _UNIX) // timedelta(milliseconds=1)


def _clf(t: datetime) -> str:  # API Gateway requestTime: 09/Apr/2015:12:34:56 +0000 [S24]
    return f"{t.day:02d}/{_MONTHS[t.month - 1]}/{t.year:04d}:{t:%H:%M:%S} +0000"


def _partition(region: str) -> str:
    return "aws-cn" if region.startswith("cn-") else "aws-us-gov" if "-gov-" in region else "aws"


def _dns_suffix(region: str) -> str:
    return "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"


def _arn(env: EventEnv, service: str, resource: str, *, regional: bool = True) -> str:
    where = f"{env.region}:{env.account_id}" if regional else f":{env.account_id}"
    return f"arn:{_partition(env.region)}:{service}:{where}:{resource}"


def _hex(env: EventEnv, n: int) -> str:
    return f"{env.rng.getrandbits(4 * n):0{n}x}"


def _b64(env: EventEnv, nbytes: int) -> str:
    return base64.b64encode(env.rng.randbytes(nbytes)).decode()


def _token(env: EventEnv, n: int, alphabet: str) -> str:
    return "".join(env.rng.choice(alphabet) for _ in range(n))


def _stable(label: str, n: int, alphabet: str) -> str:
    """An id that depends only on ``label`` (the same API, bucket owner... every call)."""
    x = int.from_bytes(hashlib.sha256(label.encode()).digest(), "big")
    out = []
    for _ in range(n):
        x, r = divmod(x, len(alphabet))
        out.append(alphabet[r])
    return "".join(out)


def _client_ip(env: EventEnv) -> str:
    return f"203.0.113.{env.rng.randrange(1, 255)}"  # RFC 5737 documentation range


def _body(body: Any) -> tuple[str | None, bool]:
    """(body text, isBase64Encoded): bytes travel base64-encoded, dicts and lists as JSON."""
    if body is None or isinstance(body, str):
        return body, False
    if isinstance(body, (bytes, bytearray)):
        return base64.b64encode(bytes(body)).decode(), True
    if isinstance(body, (dict, list)):
        return json.dumps(body), False
    raise _bad("body", body, "str, bytes, dict, list or None")


def _json_text(name: str, value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        raise _bad(name, value, "a string or a JSON-serialisable value") from None


def _query_lists(query: Mapping[str, Any] | None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for k, v in (query or {}).items():
        vals = [str(x) for x in v] if isinstance(v, (list, tuple)) else [str(v)]
        if vals:
            out[str(k)] = vals
    return out


def _merge_headers(defaults: dict[str, str], extra: Mapping[str, Any] | None) -> dict[str, str]:
    """Defaults overridden case-insensitively by the caller's headers."""
    extra = {str(k): str(v) for k, v in (extra or {}).items()}
    lowered = {k.lower() for k in extra}
    return {**{k: v for k, v in defaults.items() if k.lower() not in lowered}, **extra}


def _header(headers: Mapping[str, str], name: str) -> str:
    return next(v for k, v in headers.items() if k.lower() == name.lower())


def _trace_id(env: EventEnv, t: datetime) -> str:
    return f"Root=1-{_epoch_ms(t) // 1000:08x}-{_hex(env, 24)}"
