"""SQS messages: the stored message and its read-only view, SQS's limits, and the checks,
sizes and MD5 digests of bodies and message attributes.

Example:
    >>> _md5("hello")
    '5d41402abc4b2a76b9719d911017c592'
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import InvalidParameterValueException
from ..function.quotas import QUOTAS, bounds

if TYPE_CHECKING:
    pass

__all__ = ["MessageView", "StoredMessage", "lambda_message_attributes"]

# -- SQS limits: rows of lambdakit.function.quotas.QUOTAS (sqs_*), from the SQS API Reference /
# Developer Guide (not in lambda-facts.md) -----------------------------------------------------
DEFAULT_VISIBILITY_S = int(QUOTAS["sqs_visibility_timeout_s"].default or 0)  # 30 s
DEFAULT_RETENTION_S = int(QUOTAS["sqs_message_retention_s"].default or 0)  # 4 days
DEDUP_WINDOW_S = 300.0  # FIFO deduplication interval: 5 minutes
MAX_ATTRIBUTES = 10
# 1 MiB: SQS raised its message limit from 256 KiB (facts §4 [S15]); configurable per queue.
MIN_MESSAGE_BYTES, MAX_MESSAGE_BYTES = (int(b) for b in bounds("sqs_maximum_message_size"))

_QUEUED, _INFLIGHT, _GONE = 0, 1, 2
_STATE_NAMES = ("queued", "in flight", "gone")
_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}")
_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")
_TOKEN = re.compile(r"[!-~]{1,128}")  # group / deduplication ids: printable ASCII, 1–128
# Allowed body characters: #x9 #xA #xD #x20–#xD7FF #xE000–#xFFFD #x10000–#x10FFFF
_BAD_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ATTR_NAME = re.compile(r"(?!\.)(?!.*\.\.)(?!.*\.$)[A-Za-z0-9_.-]{1,256}")
_SYSTEM_ATTRS = ("ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp", "SentTimestamp",
                 "SenderId", "MessageDeduplicationId", "MessageGroupId", "SequenceNumber")


@dataclass(frozen=True, slots=True)
class MessageView:
    """A read-only snapshot of one message (what ``peek`` and ``expired`` show)."""

    message_id: str
    body: str
    receive_count: int
    sent_s: float
    visible_at_s: float
    state: str  # queued | in flight | gone
    group_id: str | None


class StoredMessage:
    """One stored message (internal, mutable)."""

    __slots__ = ("id", "body", "md5", "attrs", "attrs_md5", "size", "sent_at", "group", "key",
                 "dedup_id", "seq", "sequence_number", "visible_at", "receive_count",
                 "first_receive_at", "handle", "token", "state", "wire")

    def __init__(self, msg_id: str, body: str, attrs: dict[str, dict[str, Any]], sent_at: float,
                 group: str | None, dedup_id: str | None) -> None:
        self.id = msg_id
        self.body = body
        self.md5 = hashlib.md5(body.encode()).hexdigest()
        self.attrs = attrs
        self.attrs_md5 = _attributes_md5(attrs) if attrs else None
        self.size = len(body.encode()) + _attributes_size(attrs)
        # bytes this message adds to a Lambda event's JSON (escaping included; attributes
        # counted twice for base64 and keys): keeps a poller's batch under the 6 MB limit
        self.wire = len(json.dumps(body)) + 2 * _attributes_size(attrs) + 100 * len(attrs) \
            + 2 * (len(group or "") + len(dedup_id or ""))
        self.sent_at = sent_at
        self.group = group
        self.key = msg_id
        self.dedup_id = dedup_id
        self.seq = 0
        self.sequence_number: str | None = None
        self.visible_at = sent_at
        self.receive_count = 0
        self.first_receive_at: float | None = None
        self.handle: str | None = None
        self.token = 0
        self.state = _QUEUED

    def view(self) -> MessageView:
        return MessageView(self.id, self.body, self.receive_count, self.sent_at,
                           self.visible_at, _STATE_NAMES[self.state], self.group)


# -- helpers ------------------------------------------------------------------------------
def _token(field: str, value: Any, required: bool = False) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not _TOKEN.fullmatch(value):
        raise InvalidParameterValueException(
            field, value, "1–128 printable ASCII characters" + (
                " (required on a FIFO queue)" if required else ""))
    return value


def _partition(region: str) -> str:
    return "aws-cn" if region.startswith("cn-") else "aws-us-gov" if "-gov-" in region else "aws"


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def _check_attributes(attributes: Any) -> dict[str, dict[str, Any]]:
    """Validate boto3-shaped ``MessageAttributes``; returns a clean copy."""
    if attributes is None:
        return {}
    if not isinstance(attributes, Mapping) or len(attributes) > MAX_ATTRIBUTES:
        raise InvalidParameterValueException(
            "MessageAttributes", attributes, f"a dict of at most {MAX_ATTRIBUTES} attributes")
    out: dict[str, dict[str, Any]] = {}
    for name, spec in attributes.items():
        if not isinstance(name, str) or not _ATTR_NAME.fullmatch(name) \
                or name.lower().startswith(("aws.", "amazon.")):
            raise InvalidParameterValueException(
                "MessageAttributes.Name", name, "1–256 letters, digits, '_', '-', '.' (no "
                "leading/trailing or double '.', no 'AWS.'/'Amazon.' prefix)")
        dtype = spec.get("DataType") if isinstance(spec, Mapping) else None
        base = dtype.split(".", 1)[0] if isinstance(dtype, str) else None
        if base not in ("String", "Number", "Binary"):
            raise InvalidParameterValueException(
                f"MessageAttributes.{name}.DataType", dtype, "String, Number or Binary "
                "(optionally with a '.custom' suffix)")
        key = "BinaryValue" if base == "Binary" else "StringValue"
        value = spec.get(key)
        ok = isinstance(value, (bytes, bytearray)) if base == "Binary" else isinstance(value, str)
        if not ok or not value:
            raise InvalidParameterValueException(
                f"MessageAttributes.{name}.{key}", value,
                "non-empty bytes" if base == "Binary" else "a non-empty string")
        if base == "Number":
            try:
                float(value)
            except ValueError:
                raise InvalidParameterValueException(
                    f"MessageAttributes.{name}.StringValue", value, "a number") from None
        out[name] = {key: bytes(value) if base == "Binary" else value, "DataType": dtype}
    return out


def _attributes_size(attrs: Mapping[str, Any]) -> int:
    size = 0
    for name, spec in attrs.items():
        size += len(str(name).encode())
        if isinstance(spec, Mapping):
            size += len(str(spec.get("DataType", "")).encode())
            v = spec.get("StringValue", spec.get("BinaryValue", b""))
            size += len(v) if isinstance(v, (bytes, bytearray)) else len(str(v).encode())
    return size


def _attributes_md5(attrs: Mapping[str, Mapping[str, Any]]) -> str:
    """MD5 of message attributes as SQS computes it: for each attribute in name order, the
    length-prefixed name, data type, a transport byte (1 string, 2 binary) and value."""
    h = hashlib.md5()
    for name in sorted(attrs):
        spec = attrs[name]
        dtype = str(spec["DataType"]).encode()
        for part in (name.encode(), dtype):
            h.update(len(part).to_bytes(4, "big") + part)
        if "BinaryValue" in spec:
            value = bytes(spec["BinaryValue"])
            h.update(b"\x02")
        else:
            value = str(spec["StringValue"]).encode()
            h.update(b"\x01")
        h.update(len(value).to_bytes(4, "big") + value)
    return h.hexdigest()


def _pick_attributes(attrs: dict[str, dict[str, Any]],
                     names: Sequence[str] | None) -> dict[str, dict[str, Any]]:
    if not attrs or not names:
        return {}
    if "All" in names or ".*" in names:
        return dict(attrs)
    prefixes = tuple(n[:-2] for n in names if n.endswith(".*"))
    return {k: v for k, v in attrs.items() if k in names or (prefixes and k.startswith(prefixes))}


def lambda_message_attributes(attrs: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Message attributes as the Lambda SQS event spells them (``stringValue``,
    ``binaryValue`` base64, ``stringListValues``, ``binaryListValues``, ``dataType``).

    >>> lambda_message_attributes({"kind": {"DataType": "String", "StringValue": "a"}})
    {'kind': {'stringValue': 'a', 'stringListValues': [], 'binaryListValues': [], 'dataType': 'String'}}
    """  # noqa: E501
    out: dict[str, Any] = {}
    for name, spec in attrs.items():
        rec: dict[str, Any] = {}
        if "BinaryValue" in spec:
            rec["binaryValue"] = base64.b64encode(bytes(spec["BinaryValue"])).decode()
        else:
            rec["stringValue"] = spec["StringValue"]
        rec["stringListValues"] = []
        rec["binaryListValues"] = []
        rec["dataType"] = spec["DataType"]
        out[name] = rec
    return out
