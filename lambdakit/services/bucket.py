"""An in-memory S3 bucket whose object events invoke functions asynchronously.

Objects live in a dict; every call takes the bucket's simulated latency (``latency_s``, a
lambdakit assumption: 0.010 s) and can be made to fail with ``inject_failure``. A notification
(``add_notification``) sends the exact S3 event (``lambdakit.events.s3_object_created`` /
``s3_object_removed``, facts §9 [S24]) to a function through Lambda's asynchronous invoke path,
with its retries, maximum event age, destinations and DLQ (facts §3.2 [S12]): an object event is
never lost.

Rules from the S3 documentation (https://docs.aws.amazon.com/AmazonS3/latest/userguide/
notification-how-to-filtering.html): filters match the object key by prefix and suffix, and two
configurations may not share an event type with overlapping prefixes and suffixes. A delete of
a key that does not exist still answers 204 and is still notified (as S3 does; MinIO changed to
match it in minio/minio#19037). As on S3, ``add_notification`` is refused (AccessDenied)
when the function's resource-based policy (``lambdakit.function.iam.add_permission``) does not let
``s3.amazonaws.com`` invoke it for this bucket.

Example:
    >>> from lambdakit import Platform
    >>> p = Platform(seed=1)
    >>> _ = p.create_function("thumbs", handler=lambda event, context: None)
    >>> b = Bucket(p, "photos")
    >>> b.add_notification("thumbs", suffix=".jpg")
    'thumbs-1'
    >>> b.put_object(Bucket="photos", Key="cat.jpg", Body=b"meow")["ETag"]
    '"4a4be40c96ac6314e91d93f38043a634"'
    >>> b.get_object(Bucket="photos", Key="cat.jpg")["Body"].read()
    b'meow'
    >>> p.advance(1.0); p.event_outcomes()["ok"]
    1
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from .. import events
from ..errors import InvalidParameterValueException
from ..function.quotas import check_choice, check_number
from .base import Service, ServiceError

if TYPE_CHECKING:
    from ..platform import Platform

__all__ = ["NOTIFICATION_EVENTS", "Bucket", "Notification", "ObjectEvent"]

#: Event types a Lambda notification can name (the ``s3:`` form of ``events.S3_CREATED`` and
#: ``events.S3_REMOVED``, plus the two wildcards).
NOTIFICATION_EVENTS = (
    "s3:ObjectCreated:*", *(f"s3:{e}" for e in events.S3_CREATED),
    "s3:ObjectRemoved:*", *(f"s3:{e}" for e in events.S3_REMOVED),
)
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
_BUCKET_NAME = re.compile(r"(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_MAX_KEYS = 1000  # ListObjectsV2 returns at most 1,000 keys per page


@dataclass(frozen=True, slots=True)
class Notification:
    """One notification configuration: which events, which keys, which function."""

    id: str
    function: str
    events: tuple[str, ...]
    prefix: str
    suffix: str
    qualifier: str | None

    def matches(self, event_name: str, key: str) -> bool:
        """Does ``event_name`` (e.g. ``ObjectCreated:Put``) on ``key`` go to this function?"""
        kind = event_name.split(":")[0]
        wanted = f"s3:{event_name}" in self.events or f"s3:{kind}:*" in self.events
        return wanted and key.startswith(self.prefix) and key.endswith(self.suffix)


@dataclass(frozen=True, slots=True)
class ObjectEvent:
    """One object event sent to a function (``event_index``: see ``Platform.event_status``)."""

    time_s: float
    configuration_id: str
    function: str
    event_name: str
    key: str
    request_id: str
    event_index: int


@dataclass(slots=True)
class _Object:
    body: bytes
    etag: str
    modified_s: float
    content_type: str
    metadata: dict[str, str]


class _Body:
    """A ``StreamingBody`` stand-in: ``read()`` the bytes once, or ``read(n)`` in pieces."""

    def __init__(self, data: bytes) -> None:
        self._data, self._pos = data, 0

    def read(self, amt: int | None = None) -> bytes:
        end = len(self._data) if amt is None else min(len(self._data), self._pos + amt)
        out, self._pos = self._data[self._pos:end], end
        return out

    def close(self) -> None:
        self._pos = len(self._data)


class Bucket(Service):
    """An S3 bucket on the platform clock, with boto3-shaped object operations.

    >>> from lambdakit import Platform
    >>> b = Bucket(Platform(), "logs")
    >>> b.arn, b.latency_s
    ('arn:aws:s3:::logs', 0.01)
    """

    kind = "s3"
    default_latency_s = 0.010  # lambdakit assumption: S3 publishes no latency figure
    rng_key = 301
    principal = "s3.amazonaws.com"

    def __init__(self, platform: Platform, name: str, *, latency_s: float | None = None) -> None:
        if not isinstance(name, str) or not _BUCKET_NAME.fullmatch(name) or ".." in name:
            raise InvalidParameterValueException(
                "Bucket", name, "3-63 lowercase letters, digits, '.' and '-', starting and "
                "ending with a letter or digit, not an IP address")
        super().__init__(platform, name, latency_s=latency_s)
        self._objects: dict[str, _Object] = {}
        self.notifications: list[Notification] = []
        self.sent: list[ObjectEvent] = []

    @property
    def arn(self) -> str:
        """S3 bucket ARNs carry no region or account: ``arn:aws:s3:::<name>``."""
        return f"arn:aws:s3:::{self.name}"

    # -- notifications ----------------------------------------------------------------------
    def add_notification(self, function: str, events: Sequence[str] = ("s3:ObjectCreated:*",),
                         prefix: str = "", suffix: str = "", *, qualifier: str | None = None,
                         id: str | None = None) -> str:  # noqa: A002 - AWS's field name
        """Send matching object events to ``function`` (asynchronously); returns the
        configuration id (the event's ``s3.configurationId``)."""
        self.platform.get_function(function)  # ResourceNotFoundException if unknown
        # S3 checks it may invoke the function when the configuration is saved
        self._require_invoke(function, self.arn, qualifier)
        evs = (events,) if isinstance(events, str) else tuple(events)
        bad = [e for e in evs if e not in NOTIFICATION_EVENTS]
        if not evs or bad:
            raise InvalidParameterValueException(
                "events", list(evs), f"one or more of {', '.join(NOTIFICATION_EVENTS)}")
        for field, value in (("prefix", prefix), ("suffix", suffix)):
            if not isinstance(value, str) or len(value.encode()) > 1024:
                raise InvalidParameterValueException(field, value, "a string of 0-1024 bytes")
        cid = id if id is not None else f"{function}-{len(self.notifications) + 1}"
        if not isinstance(cid, str) or not 1 <= len(cid) <= 255:
            raise InvalidParameterValueException("id", cid, "a string of 1-255 characters")
        new = Notification(cid, function, evs, prefix, suffix, qualifier)
        for old in self.notifications:
            if old.id == cid:
                raise InvalidParameterValueException("id", cid, "an id no other configuration "
                                                     "of this bucket uses")
            if _overlap(old, new):
                raise InvalidParameterValueException(
                    "events", list(evs), "", message=(
                        "Configuration is ambiguously defined. Cannot have overlapping suffixes "
                        "in two rules if the prefixes are overlapping for the same event type "
                        f"(overlaps configuration {old.id!r})."))
        self.notifications.append(new)
        return cid

    def remove_notification(self, configuration_id: str) -> None:
        """Stop a notification configuration (events already sent still run)."""
        check_choice("configuration_id", configuration_id,
                     tuple(n.id for n in self.notifications), "the configuration id")
        self.notifications = [n for n in self.notifications if n.id != configuration_id]

    def _notify(self, event_name: str, key: str, obj: _Object | None) -> None:
        for n in self.notifications:
            if not n.matches(event_name, key):
                continue
            env = self._event_env()
            if obj is None:
                ev = events.s3_object_removed(self.name, key, event_name=event_name, env=env)
            else:
                ev = events.s3_object_created(self.name, key, size=len(obj.body),
                                              etag=obj.etag, event_name=event_name, env=env)
            ev["Records"][0]["s3"]["configurationId"] = n.id
            acc = self.platform.invoke_async(n.function, ev, qualifier=n.qualifier,
                                              source="s3")
            self.sent.append(ObjectEvent(env.now_s, n.id, n.function, event_name, key,
                                         acc.request_id, acc.event))

    # -- object operations (boto3 names and shapes) -----------------------------------------
    def put_object(self, Bucket: str | None = None, Key: str = "",  # noqa: N803
                   Body: bytes | str | Any = b"", ContentType: str = "binary/octet-stream",
                   Metadata: dict[str, str] | None = None) -> dict[str, Any]:
        """Store an object (replacing any) and notify ``ObjectCreated:Put``."""
        self._check(Bucket, Key)
        self._call("PutObject")
        data = _bytes(Body)
        etag = hashlib.md5(data).hexdigest()
        obj = _Object(data, etag, self.platform.caller_now(), ContentType, dict(Metadata or {}))
        self._objects[Key] = obj
        self._notify("ObjectCreated:Put", Key, obj)
        return {"ETag": f'"{etag}"', "ResponseMetadata": {"HTTPStatusCode": 200}}

    def copy_object(self, Bucket: str | None = None, Key: str = "",  # noqa: N803
                    CopySource: str | dict[str, str] = "") -> dict[str, Any]:
        """Copy an object of this bucket (``"bucket/key"`` or ``{"Bucket":, "Key":}``) and
        notify ``ObjectCreated:Copy``."""
        self._check(Bucket, Key)
        src = CopySource if isinstance(CopySource, dict) else dict(
            zip(("Bucket", "Key"), str(CopySource).lstrip("/").split("/", 1), strict=False))
        if src.get("Bucket") != self.name:
            raise ServiceError("NoSuchBucket", "The specified bucket does not exist",
                               status_code=404, operation="CopyObject")
        self._call("CopyObject")
        old = self._get(src.get("Key", ""), "CopyObject")
        obj = _Object(old.body, old.etag, self.platform.caller_now(), old.content_type,
                      dict(old.metadata))
        self._objects[Key] = obj
        self._notify("ObjectCreated:Copy", Key, obj)
        return {"CopyObjectResult": {"ETag": f'"{obj.etag}"',
                                     "LastModified": self._time(obj.modified_s)}}

    def get_object(self, Bucket: str | None = None, Key: str = "") -> dict[str, Any]:  # noqa: N803
        """The object: ``Body`` (``.read()``), ``ContentLength``, ``ETag``, ``LastModified``..."""
        self._check(Bucket, Key)
        self._call("GetObject")
        obj = self._get(Key, "GetObject")
        return {"Body": _Body(obj.body), "ContentLength": len(obj.body),
                "ContentType": obj.content_type, "ETag": f'"{obj.etag}"',
                "LastModified": self._time(obj.modified_s), "Metadata": dict(obj.metadata),
                "ResponseMetadata": {"HTTPStatusCode": 200}}

    def head_object(self, Bucket: str | None = None, Key: str = "") -> dict[str, Any]:  # noqa: N803
        """``get_object`` without the body (a missing key is a 404 ``NotFound``, as HEAD has no
        error body)."""
        self._check(Bucket, Key)
        self._call("HeadObject")
        obj = self._objects.get(Key)
        if obj is None:
            raise ServiceError("404", "Not Found", status_code=404, operation="HeadObject")
        return {"ContentLength": len(obj.body), "ContentType": obj.content_type,
                "ETag": f'"{obj.etag}"', "LastModified": self._time(obj.modified_s),
                "Metadata": dict(obj.metadata)}

    def delete_object(self, Bucket: str | None = None, Key: str = "") -> dict[str, Any]:  # noqa: N803
        """Delete an object (204 even if absent) and notify ``ObjectRemoved:Delete``."""
        self._check(Bucket, Key)
        self._call("DeleteObject")
        self._objects.pop(Key, None)
        self._notify("ObjectRemoved:Delete", Key, None)
        return {"ResponseMetadata": {"HTTPStatusCode": 204}}

    def list_objects_v2(self, Bucket: str | None = None, Prefix: str = "",  # noqa: N803
                        MaxKeys: int = _MAX_KEYS, ContinuationToken: str | None = None,
                        StartAfter: str = "") -> dict[str, Any]:
        """Keys in UTF-8 binary order, ``MaxKeys`` (1-1,000) per page; pass
        ``NextContinuationToken`` back as ``ContinuationToken`` for the next page."""
        self._check(Bucket, None)
        check_number("MaxKeys", MaxKeys, 0, types=(int,))
        self._call("ListObjectsV2")
        after = StartAfter
        if ContinuationToken is not None:
            try:
                after = base64.urlsafe_b64decode(ContinuationToken.encode()).decode()
            except (ValueError, UnicodeDecodeError):
                raise ServiceError("InvalidArgument", "The continuation token provided is "
                                   "incorrect", operation="ListObjectsV2") from None
        keys = sorted((k for k in self._objects if k.startswith(Prefix)),
                      key=lambda k: k.encode())
        keys = [k for k in keys if k.encode() > after.encode()]
        page = keys[:min(MaxKeys, _MAX_KEYS)]
        out: dict[str, Any] = {"IsTruncated": len(keys) > len(page), "Name": self.name,
                               "Prefix": Prefix, "MaxKeys": MaxKeys, "KeyCount": len(page)}
        if page:
            out["Contents"] = [{"Key": k, "LastModified": self._time(self._objects[k].modified_s),
                                "ETag": f'"{self._objects[k].etag}"',
                                "Size": len(self._objects[k].body), "StorageClass": "STANDARD"}
                               for k in page]
        if ContinuationToken is not None:
            out["ContinuationToken"] = ContinuationToken
        if out["IsTruncated"]:
            out["NextContinuationToken"] = base64.urlsafe_b64encode(page[-1].encode()).decode()
        return out

    def keys(self) -> list[str]:
        """All keys, sorted (no latency, no faults: for notebooks and tests)."""
        return sorted(self._objects, key=lambda k: k.encode())

    # -- helpers ----------------------------------------------------------------------------
    def _check(self, bucket: str | None, key: str | None) -> None:
        if bucket is not None and bucket != self.name:
            raise ServiceError("NoSuchBucket", "The specified bucket does not exist",
                               status_code=404)
        if key is not None and (not isinstance(key, str) or not 1 <= len(key.encode()) <= 1024):
            raise InvalidParameterValueException("Key", key, "1-1024 bytes of UTF-8")

    def _get(self, key: str, operation: str) -> _Object:
        obj = self._objects.get(key)
        if obj is None:
            raise ServiceError("NoSuchKey", "The specified key does not exist.",
                               status_code=404, operation=operation)
        return obj

    def _time(self, t: float) -> datetime:
        return datetime.fromtimestamp(self.platform.epoch_s, tz=timezone.utc) + timedelta(seconds=t)


def _bytes(body: Any) -> bytes:
    if isinstance(body, str):
        return body.encode()
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    if hasattr(body, "read"):
        return _bytes(body.read())
    raise InvalidParameterValueException("Body", body, "bytes, str or a file-like object")


def _overlap(a: Notification, b: Notification) -> bool:
    """Two configurations clash when an event type is shared and both filters can match one
    key: one prefix starts the other and one suffix ends the other."""
    def types(n: Notification) -> set[str]:
        out = set()
        for e in n.events:
            kind = e.split(":")[1]
            out |= {x for x in NOTIFICATION_EVENTS if x.split(":")[1] == kind} \
                if e.endswith(":*") else {e}
        return {x for x in out if not x.endswith(":*")}
    shared = types(a) & types(b)
    prefixes = a.prefix.startswith(b.prefix) or b.prefix.startswith(a.prefix)
    suffixes = a.suffix.endswith(b.suffix) or b.suffix.endswith(a.suffix)
    return bool(shared) and prefixes and suffixes
