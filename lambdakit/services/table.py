"""A DynamoDB table in memory, on the platform clock, with its stream.

Requests and responses use DynamoDB's typed JSON, as boto3's low-level client does
(``Item={"id": {"S": "1"}}``); the table keeps plain values inside and converts with
:func:`lambdakit.events.to_dynamodb_json` / :func:`~lambdakit.events.from_dynamodb_json`
(so numbers come back normalised, ``"1.50"`` as ``"1.5"``, as DynamoDB returns them).

Supported: ``put_item``, ``get_item``, ``update_item`` (``SET`` with ``+``/``-``,
``if_not_exists`` and ``list_append``; ``REMOVE``; ``ADD`` for numbers and sets; ``DELETE`` for
sets), ``delete_item``, ``query`` by partition key (plus a sort-key condition) and ``scan``;
``ConditionExpression`` with comparisons, ``BETWEEN``, ``attribute_exists``,
``attribute_not_exists``, ``begins_with``, ``AND``/``OR``/``NOT`` — a failed condition raises
``ConditionalCheckFailedException``. Not simulated: nested paths (``a.b``, ``a[0]``), secondary
indexes, capacity, transactions, item-size limits.

The stream (``stream_view_type`` KEYS_ONLY | NEW_IMAGE | OLD_IMAGE | NEW_AND_OLD_IMAGES) writes
one record per change that alters an item (a write that changes nothing writes no record;
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html), in the exact
shape of :func:`lambdakit.events.dynamodb_stream` [S24] with real, increasing sequence numbers.
All changes to one partition key go to one shard, in order. Records are kept 24 hours (same
page; a bad record can block a shard for up to one day, [S2:with-ddb.md]).

Example:
    >>> from lambdakit import Platform
    >>> p = Platform(seed=2)
    >>> t = Table(p, "orders", stream_view_type="NEW_AND_OLD_IMAGES")
    >>> _ = t.put_item(TableName="orders", Item={"id": {"S": "1"}, "qty": {"N": "2"}})
    >>> t.update_item(Key={"id": {"S": "1"}}, UpdateExpression="ADD qty :n",
    ...               ExpressionAttributeValues={":n": {"N": "3"}}, ReturnValues="ALL_NEW")
    {'Attributes': {'id': {'S': '1'}, 'qty': {'N': '5'}}}
    >>> [r.event["eventName"] for r in t.stream_records()]
    ['INSERT', 'MODIFY']
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn

from .. import events
from ..errors import InvalidParameterValueException
from ..function.quotas import check_choice, check_number
from .base import Service, ServiceError
from .kinesis import Shard, ShardLog, StreamRecord

if TYPE_CHECKING:
    from ..platform import Platform

__all__ = ["Table"]

STREAM_RETENTION_S = 24 * 3600.0  # DynamoDB Streams keep records 24 h (Streams.html)
DYNAMODB_POLLS_PER_S = 4.0  # Lambda polls DynamoDB stream shards 4/s (facts §2.1 [S2:with-ddb.md])
MAX_STREAM_SHARDS = 100  # lambdakit's own bound; AWS sizes shards by table partitions
_TABLE_NAME = re.compile(r"[A-Za-z0-9_.-]{3,255}")  # CreateTable TableName pattern
_KEY_TYPES = {"S": (str,), "N": (int, float, Decimal), "B": (bytes,)}
_RETURN = {"put": ("NONE", "ALL_OLD"), "delete": ("NONE", "ALL_OLD"),
           "update": ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW")}
_MISSING: Any = object()


class Table(Service):
    """A DynamoDB table with boto3's item API and an optional stream.

    Args:
        partition_key: the partition key's name, or ``(name, type)`` with type S, N or B
            (default type S).
        sort_key: the same for an optional sort key.
        stream_view_type: None (no stream) or KEYS_ONLY, NEW_IMAGE, OLD_IMAGE,
            NEW_AND_OLD_IMAGES.
        stream_shards: shards of the stream (1–100; a lambdakit setting — AWS derives them from
            the table's partitions).
        latency_s: simulated time of one call (default 0.005 s, a lambdakit assumption).

    >>> from lambdakit import Platform
    >>> t = Table(Platform(), "users", partition_key=("uid", "N"))
    >>> _ = t.put_item(Item={"uid": {"N": "7"}, "name": {"S": "Ada"}})
    >>> t.get_item(Key={"uid": {"N": "7"}})["Item"]["name"]
    {'S': 'Ada'}
    """

    kind = "dynamodb"
    default_latency_s: ClassVar[float] = 0.005  # lambdakit assumption, not an AWS figure
    rng_key: ClassVar[int] = 1102

    def __init__(self, platform: Platform, name: str, *,
                 partition_key: str | tuple[str, str] = "id",
                 sort_key: str | tuple[str, str] | None = None,
                 stream_view_type: str | None = None, stream_shards: int = 1,
                 latency_s: float | None = None) -> None:
        if not isinstance(name, str) or not _TABLE_NAME.fullmatch(name):
            raise InvalidParameterValueException(
                "TableName", name, "3-255 letters, digits, '_', '-', '.'")
        check_choice("stream_view_type", stream_view_type, (None, *events.STREAM_VIEW_TYPES),
                     "StreamViewType")
        check_number("stream_shards", stream_shards, 1, MAX_STREAM_SHARDS, types=(int,),
                     rule=f"an integer from 1 to {MAX_STREAM_SHARDS} (lambdakit's bound)")
        self.partition_key, self._pk_type = _key_spec("partition_key", partition_key)
        self.sort_key: str | None = None
        self._sk_type: str | None = None
        if sort_key is not None:
            self.sort_key, self._sk_type = _key_spec("sort_key", sort_key)
        super().__init__(platform, name, latency_s=latency_s)
        self.stream_view_type = stream_view_type
        self._items: dict[tuple[Any, ...], dict[str, Any]] = {}
        created = platform.epoch_s + platform.now
        label = datetime.fromtimestamp(created, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")
        self.stream_arn: str | None = None
        self.stream_log: ShardLog | None = None
        if stream_view_type is not None:
            self.stream_arn = f"{self.arn}/stream/{label[:-3]}"
            ms = int(created * 1000)
            shards = [Shard(f"shardId-{ms:020d}-{int(self.rng.integers(16**8)):08x}", i)
                      for i in range(stream_shards)]
            self.stream_log = ShardLog("dynamodb", self.stream_arn, shards,
                                       retention_s=STREAM_RETENTION_S,
                                       polls_per_s=DYNAMODB_POLLS_PER_S)
        self._salt = int(self.rng.integers(10**9, 10**10))
        self._seq = 0
        self._env = events.EventEnv(
            region=self.platform.region, account_id=self.platform.account_id,
            epoch=datetime.fromtimestamp(self.platform.epoch_s, tz=timezone.utc),
            rng=random.Random(int(self.rng.integers(2**62))))

    @property
    def arn(self) -> str:
        p = self.platform
        return f"arn:aws:dynamodb:{p.region}:{p.account_id}:table/{self.name}"

    # -- boto3-shaped API ---------------------------------------------------------------------
    def put_item(self, TableName: str | None = None, Item: Mapping[str, Any] | None = None,
                 ReturnValues: str = "NONE", ConditionExpression: str | None = None,
                 ExpressionAttributeNames: Mapping[str, str] | None = None,
                 ExpressionAttributeValues: Mapping[str, Any] | None = None,
                 ) -> dict[str, Any]:
        """Create or replace an item. ``ReturnValues="ALL_OLD"`` returns the replaced item."""
        self._check_table(TableName)
        check_choice("ReturnValues", ReturnValues, _RETURN["put"])
        item = _plain_image("Item", Item)
        key = self._key_of(item, "Item")
        self._call("PutItem")
        old = self._items.get(key)
        self._check_condition(ConditionExpression, ExpressionAttributeNames,
                              ExpressionAttributeValues, old)
        self._items[key] = item
        self._emit(old, item)
        return _attributes(old) if ReturnValues == "ALL_OLD" and old is not None else {}

    def get_item(self, TableName: str | None = None, Key: Mapping[str, Any] | None = None,
                 ConsistentRead: bool = False) -> dict[str, Any]:
        """``{"Item": ...}`` for an existing item, ``{}`` when there is none (as boto3)."""
        self._check_table(TableName)
        key = self._key_param(Key)
        self._call("GetItem")
        item = self._items.get(key)
        return {} if item is None else {"Item": _typed(item)}

    def update_item(self, TableName: str | None = None, Key: Mapping[str, Any] | None = None,
                    UpdateExpression: str = "",
                    ExpressionAttributeNames: Mapping[str, str] | None = None,
                    ExpressionAttributeValues: Mapping[str, Any] | None = None,
                    ConditionExpression: str | None = None,
                    ReturnValues: str = "NONE") -> dict[str, Any]:
        """Apply ``SET`` / ``REMOVE`` / ``ADD`` / ``DELETE`` actions (creates a missing item)."""
        self._check_table(TableName)
        check_choice("ReturnValues", ReturnValues, _RETURN["update"])
        key = self._key_param(Key)
        names, values = _names(ExpressionAttributeNames), _values(ExpressionAttributeValues)
        actions = _Parser(UpdateExpression, "UpdateExpression", names, values).update()
        self._call("UpdateItem")
        old = self._items.get(key)
        self._check_condition(ConditionExpression, ExpressionAttributeNames,
                              ExpressionAttributeValues, old)
        base = copy.deepcopy(old) if old is not None else dict(self._key_attrs(key))
        new, touched = _apply_update(base, old or {}, actions, self._key_names())
        self._items[key] = new
        self._emit(old, new)
        if ReturnValues == "ALL_NEW":
            return _attributes(new)
        if ReturnValues == "ALL_OLD":
            return _attributes(old) if old is not None else {}
        if ReturnValues.startswith("UPDATED_"):
            src = new if ReturnValues == "UPDATED_NEW" else (old or {})
            part = {k: src[k] for k in touched if k in src}
            return _attributes(part) if part else {}
        return {}

    def delete_item(self, TableName: str | None = None, Key: Mapping[str, Any] | None = None,
                    ReturnValues: str = "NONE", ConditionExpression: str | None = None,
                    ExpressionAttributeNames: Mapping[str, str] | None = None,
                    ExpressionAttributeValues: Mapping[str, Any] | None = None,
                    ) -> dict[str, Any]:
        """Delete an item (deleting a missing item succeeds and writes no stream record)."""
        self._check_table(TableName)
        check_choice("ReturnValues", ReturnValues, _RETURN["delete"])
        key = self._key_param(Key)
        self._call("DeleteItem")
        old = self._items.get(key)
        self._check_condition(ConditionExpression, ExpressionAttributeNames,
                              ExpressionAttributeValues, old)
        if old is None:
            return {}
        del self._items[key]
        self._emit(old, None)
        return _attributes(old) if ReturnValues == "ALL_OLD" else {}

    def query(self, TableName: str | None = None, KeyConditionExpression: str = "",
              ExpressionAttributeNames: Mapping[str, str] | None = None,
              ExpressionAttributeValues: Mapping[str, Any] | None = None,
              ScanIndexForward: bool = True, Limit: int | None = None,
              ) -> dict[str, Any]:
        """The items of one partition key (``"#pk = :v"``, optionally ``AND`` a sort-key
        condition), sorted by sort key."""
        self._check_table(TableName)
        names, values = _names(ExpressionAttributeNames), _values(ExpressionAttributeValues)
        cond = _Parser(KeyConditionExpression, "KeyConditionExpression", names, values).condition()
        if _partition_value(cond, self.partition_key) is _MISSING:
            raise InvalidParameterValueException(
                "KeyConditionExpression", KeyConditionExpression,
                f"an equality condition on the partition key {self.partition_key!r}")
        if Limit is not None:
            check_number("Limit", Limit, 1, types=(int,))
        self._call("Query")
        found = [it for it in self._items.values() if _holds(cond, it)]
        if self.sort_key is not None:
            sk = self.sort_key
            found.sort(key=lambda it: it[sk], reverse=not ScanIndexForward)
        found = found[:Limit] if Limit else found
        return {"Items": [_typed(it) for it in found], "Count": len(found),
                "ScannedCount": len(found)}

    def scan(self, TableName: str | None = None, Limit: int | None = None,
             ) -> dict[str, Any]:
        """Every item (up to ``Limit``), in the order they were first written."""
        self._check_table(TableName)
        if Limit is not None:
            check_number("Limit", Limit, 1, types=(int,))
        self._call("Scan")
        found = list(self._items.values())
        found = found[:Limit] if Limit else found
        return {"Items": [_typed(it) for it in found], "Count": len(found),
                "ScannedCount": len(found)}

    # -- for learners and tests -------------------------------------------------------------
    def items(self) -> list[dict[str, Any]]:
        """The items as plain Python values (a copy).

        >>> from lambdakit import Platform
        >>> t = Table(Platform(), "tbl")
        >>> _ = t.put_item(Item={"id": {"S": "a"}, "n": {"N": "1"}}); t.items()
        [{'id': 'a', 'n': 1}]
        """
        return copy.deepcopy(list(self._items.values()))

    def stream_records(self, shard_id: str | None = None) -> list[StreamRecord]:
        """The stream records still retained (24 h), shard by shard, in order."""
        if self.stream_log is None:
            return []
        return self.stream_log.records(self.platform.now, shard_id)

    # -- internals ------------------------------------------------------------------------------
    def _check_table(self, name: str | None) -> None:
        if name is not None and name != self.name:
            raise ServiceError("ResourceNotFoundException",
                               "Requested resource not found", status_code=400)

    def _key_names(self) -> tuple[str, ...]:
        return (self.partition_key,) if self.sort_key is None else (
            self.partition_key, self.sort_key)

    def _key_of(self, item: Mapping[str, Any], field: str) -> tuple[Any, ...]:
        types = (self._pk_type,) if self.sort_key is None else (self._pk_type, self._sk_type)
        out = []
        for name, typ in zip(self._key_names(), types, strict=True):
            v = item.get(name, _MISSING)
            if v is _MISSING or isinstance(v, bool) or not isinstance(v, _KEY_TYPES[str(typ)]):
                raise InvalidParameterValueException(
                    f"{field}.{name}", None if v is _MISSING else v,
                    f"the key attribute {name!r} of type {typ}")
            out.append(v)
        return tuple(out)

    def _key_param(self, key: Any) -> tuple[Any, ...]:
        plain = _plain_image("Key", key)
        if set(plain) != set(self._key_names()):
            raise InvalidParameterValueException(
                "Key", sorted(plain), f"exactly the key attributes {list(self._key_names())}")
        return self._key_of(plain, "Key")

    def _key_attrs(self, key: tuple[Any, ...]) -> dict[str, Any]:
        return dict(zip(self._key_names(), key, strict=True))

    def _check_condition(self, expr: str | None, names: Any, values: Any,
                         old: dict[str, Any] | None) -> None:
        if expr is None:
            return
        cond = _Parser(expr, "ConditionExpression", _names(names), _values(values)).condition()
        if not _holds(cond, old or {}):
            raise ServiceError("ConditionalCheckFailedException",
                               "The conditional request failed", status_code=400)

    def _emit(self, old: dict[str, Any] | None, new: dict[str, Any] | None) -> None:
        """Write the stream record of one change (none when nothing changed)."""
        log = self.stream_log
        if log is None or old == new:
            return
        name = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
        src = new if new is not None else old
        assert src is not None
        keys = {k: src[k] for k in self._key_names()}
        t = self.platform.caller_now()
        self._env.now_s = t
        rec = events.dynamodb_stream([(name, keys, new, old)], table=self.name,
                                     view_type=str(self.stream_view_type),
                                     env=self._env)["Records"][0]
        self._seq += 1
        seq = str(4 * 10**27 + self._salt * 10**17 + self._seq)  # 28 digits, as the sample
        rec["dynamodb"]["SequenceNumber"] = seq
        rec["eventSourceARN"] = self.stream_arn
        pk = json.dumps(events.to_dynamodb_json(keys[self.partition_key]), sort_keys=True)
        shard = int.from_bytes(hashlib.md5(pk.encode()).digest()[:8], "big") % len(log.shards)
        size = len(json.dumps(rec, separators=(",", ":")))
        log.append(shard, StreamRecord(seq, pk, t, rec, size))


# -- values ---------------------------------------------------------------------------------

def _key_spec(field: str, spec: Any) -> tuple[str, str]:
    name, typ = (spec, "S") if isinstance(spec, str) else (
        tuple(spec) if isinstance(spec, (tuple, list)) and len(spec) == 2 else (None, None))
    if not isinstance(name, str) or not name or typ not in _KEY_TYPES:
        raise InvalidParameterValueException(
            field, spec, "an attribute name, or (name, type) with type S, N or B")
    return name, str(typ)


def _plain_image(field: str, image: Any) -> dict[str, Any]:
    if not isinstance(image, Mapping) or not image:
        raise InvalidParameterValueException(
            field, image, "a non-empty dict of attribute name -> typed value ({'S': ..})")
    try:
        return dict(events.from_dynamodb_json({"M": dict(image)}))
    except ValueError as exc:
        raise InvalidParameterValueException(field, image, f"DynamoDB typed JSON ({exc})") \
            from None


def _typed(item: Mapping[str, Any]) -> dict[str, Any]:
    return dict(events.to_dynamodb_json(dict(item))["M"])


def _attributes(item: Mapping[str, Any]) -> dict[str, Any]:
    return {"Attributes": _typed(item)}


def _names(names: Any) -> dict[str, str]:
    if names is None:
        return {}
    if not isinstance(names, Mapping) or not all(
            isinstance(k, str) and k.startswith("#") and isinstance(v, str)
            for k, v in names.items()):
        raise InvalidParameterValueException(
            "ExpressionAttributeNames", names, "a dict of '#name' -> attribute name")
    return dict(names)


def _values(values: Any) -> dict[str, Any]:
    if values is None:
        return {}
    if not isinstance(values, Mapping) or not all(
            isinstance(k, str) and k.startswith(":") for k in values):
        raise InvalidParameterValueException(
            "ExpressionAttributeValues", values, "a dict of ':value' -> typed value")
    try:
        return {k: events.from_dynamodb_json(v) for k, v in values.items()}
    except ValueError as exc:
        raise InvalidParameterValueException(
            "ExpressionAttributeValues", values, f"DynamoDB typed JSON ({exc})") from None


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)


# -- expressions ----------------------------------------------------------------------------

_TOKEN = re.compile(r"\s*(?:(#[A-Za-z0-9_]+)|(:[A-Za-z0-9_]+)|(<>|<=|>=|[=<>+\-,().\[\]])"
                    r"|([A-Za-z_][A-Za-z0-9_]*))")
_CLAUSES = ("SET", "REMOVE", "ADD", "DELETE")
_KEYWORDS = frozenset({*_CLAUSES, "AND", "OR", "NOT", "BETWEEN"})
_COMPARATORS = ("=", "<>", "<", "<=", ">", ">=")


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # name | value | op | word | end
    text: str


class _Parser:
    """Recursive descent over DynamoDB's expression syntax (top-level attributes only)."""

    def __init__(self, text: Any, field: str, names: dict[str, str],
                 values: dict[str, Any]) -> None:
        if not isinstance(text, str) or not text.strip():
            raise InvalidParameterValueException(field, text, "a non-empty expression")
        self.text, self.field, self.names, self.values = text, field, names, values
        self.toks: list[_Tok] = []
        pos = 0
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None or m.end() == pos:
                if text[pos:].strip() == "":
                    break
                self._fail(f"unexpected character {text[pos:].strip()[0]!r}")
            assert m is not None and m.lastindex is not None
            kind = ("name", "value", "op", "word")[m.lastindex - 1]
            self.toks.append(_Tok(kind, m.group(m.lastindex)))
            pos = m.end()
        self.toks.append(_Tok("end", ""))
        self.i = 0

    def _fail(self, why: str) -> NoReturn:
        raise InvalidParameterValueException(self.field, self.text, f"valid syntax: {why}")

    def _peek(self) -> _Tok:
        return self.toks[self.i]

    def _next(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def _is(self, text: str) -> bool:
        tok = self._peek()
        return tok.text.upper() == text if tok.kind == "word" else tok.text == text

    def _expect(self, text: str) -> None:
        if not self._is(text):
            self._fail(f"expected {text!r} at {self._peek().text or 'the end'!r}")
        self.i += 1

    def _done(self) -> None:
        if self._peek().kind != "end":
            self._fail(f"unexpected {self._peek().text!r}")

    # operands
    def path(self) -> str:
        tok = self._next()
        if tok.kind == "name":
            if tok.text not in self.names:
                self._fail(f"{tok.text} is not in ExpressionAttributeNames")
            name = self.names[tok.text]
        elif tok.kind == "word" and tok.text.upper() not in _KEYWORDS:
            name = tok.text
        else:
            self._fail(f"expected an attribute name at {tok.text or 'the end'!r}")
        if self._peek().text in (".", "["):
            self._fail("nested paths (a.b, a[0]) are not simulated by lambdakit")
        return name

    def operand(self) -> tuple[Any, ...]:
        tok = self._peek()
        if tok.kind == "value":
            self.i += 1
            if tok.text not in self.values:
                self._fail(f"{tok.text} is not in ExpressionAttributeValues")
            return ("val", self.values[tok.text])
        if tok.kind == "word" and self.toks[self.i + 1].text == "(":
            fn = tok.text.lower()
            self.i += 2
            if fn == "if_not_exists":
                p = self.path()
                self._expect(",")
                alt = self.operand()
                self._expect(")")
                return ("if_not_exists", p, alt)
            if fn == "list_append":
                a = self.operand()
                self._expect(",")
                b = self.operand()
                self._expect(")")
                return ("list_append", a, b)
            self._fail(f"unknown function {tok.text}()")
        return ("path", self.path())

    # UpdateExpression
    def update(self) -> list[tuple[Any, ...]]:
        actions: list[tuple[Any, ...]] = []
        seen: set[str] = set()
        while self._peek().kind != "end":
            clause = self._next().text.upper()
            if clause not in _CLAUSES or clause in seen:
                self._fail(f"expected one of SET, REMOVE, ADD, DELETE (each once), not {clause!r}")
            seen.add(clause)
            while True:
                p = self.path()
                if clause == "SET":
                    self._expect("=")
                    a = self.operand()
                    if self._peek().text in ("+", "-"):
                        op = self._next().text
                        a = (op, a, self.operand())
                    actions.append(("SET", p, a))
                elif clause == "REMOVE":
                    actions.append(("REMOVE", p))
                else:
                    v = self.operand()
                    if v[0] != "val":
                        self._fail(f"{clause} needs a :value")
                    actions.append((clause, p, v[1]))
                if not self._is(","):
                    break
                self.i += 1
        return actions

    # ConditionExpression / KeyConditionExpression
    def condition(self) -> tuple[Any, ...]:
        cond = self._or()
        self._done()
        return cond

    def _or(self) -> tuple[Any, ...]:
        parts = [self._and()]
        while self._is("OR"):
            self.i += 1
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else ("or", parts)

    def _and(self) -> tuple[Any, ...]:
        parts = [self._not()]
        while self._is("AND"):
            self.i += 1
            parts.append(self._not())
        return parts[0] if len(parts) == 1 else ("and", parts)

    def _not(self) -> tuple[Any, ...]:
        if self._is("NOT"):
            self.i += 1
            return ("not", self._not())
        if self._is("("):
            self.i += 1
            inner = self._or()
            self._expect(")")
            return inner
        tok = self._peek()
        fn = tok.text.lower()
        if tok.kind == "word" and self.toks[self.i + 1].text == "(" and fn in (
                "attribute_exists", "attribute_not_exists", "begins_with"):
            self.i += 2
            if fn == "begins_with":
                a = self.operand()
                self._expect(",")
                b = self.operand()
                self._expect(")")
                return ("begins_with", a, b)
            p = self.path()
            self._expect(")")
            return (fn, p)
        left = self.operand()
        if self._is("BETWEEN"):
            self.i += 1
            lo = self.operand()
            self._expect("AND")
            return ("between", left, lo, self.operand())
        op = self._next().text
        if op not in _COMPARATORS:
            self._fail(f"expected a comparator ({' '.join(_COMPARATORS)}) or BETWEEN, not {op!r}")
        return ("cmp", op, left, self.operand())


def _eval(node: tuple[Any, ...], item: Mapping[str, Any]) -> Any:
    kind = node[0]
    if kind == "val":
        return node[1]
    if kind == "path":
        return item.get(node[1], _MISSING)
    if kind == "if_not_exists":
        return item[node[1]] if node[1] in item else _eval(node[2], item)
    if kind == "list_append":
        a, b = _eval(node[1], item), _eval(node[2], item)
        if not isinstance(a, list) or not isinstance(b, list):
            raise ServiceError("ValidationException",
                               "An operand in the update expression has an incorrect data type")
        return a + b
    a, b = _eval(node[1], item), _eval(node[2], item)  # "+" or "-"
    if not _is_number(a) or not _is_number(b):
        raise ServiceError("ValidationException",
                           "An operand in the update expression has an incorrect data type")
    return a + b if kind == "+" else a - b


def _apply_update(item: dict[str, Any], old: Mapping[str, Any], actions: list[tuple[Any, ...]],
                  keys: tuple[str, ...]) -> tuple[dict[str, Any], list[str]]:
    """Operands read the item as it was before the update, as DynamoDB evaluates them."""
    touched: list[str] = []
    for act in actions:
        verb, name = act[0], act[1]
        if name in keys:
            raise ServiceError("ValidationException", f"Cannot update attribute {name}. "
                               "This attribute is part of the key")
        touched.append(name)
        if verb == "SET":
            item[name] = copy.deepcopy(_eval(act[2], old))
        elif verb == "REMOVE":
            item.pop(name, None)
        else:
            item[name] = _add_or_delete(verb, item.get(name, _MISSING), act[2])
            if verb == "DELETE" and not item[name]:
                del item[name]  # an emptied set disappears
    return item, touched


def _add_or_delete(verb: str, cur: Any, v: Any) -> Any:
    if verb == "ADD" and _is_number(v) and (cur is _MISSING or _is_number(cur)):
        return v if cur is _MISSING else cur + v
    if isinstance(v, set) and (cur is _MISSING or isinstance(cur, set)):
        cur = set() if cur is _MISSING else cur
        return cur | v if verb == "ADD" else cur - v
    raise ServiceError("ValidationException",
                       f"An operand in the update expression has an incorrect data type ({verb} "
                       "works on numbers and sets)")


def _comparable(a: Any, b: Any) -> bool:
    return (_is_number(a) and _is_number(b)) or (type(a) is type(b) and isinstance(
        a, (str, bytes)))


def _holds(node: tuple[Any, ...], item: Mapping[str, Any]) -> bool:
    kind = node[0]
    if kind == "and":
        return all(_holds(n, item) for n in node[1])
    if kind == "or":
        return any(_holds(n, item) for n in node[1])
    if kind == "not":
        return not _holds(node[1], item)
    if kind == "attribute_exists":
        return node[1] in item
    if kind == "attribute_not_exists":
        return node[1] not in item
    if kind == "begins_with":
        a, b = _eval(node[1], item), _eval(node[2], item)
        return _comparable(a, b) and not _is_number(a) and a.startswith(b)
    if kind == "between":
        v, lo, hi = (_eval(n, item) for n in node[1:])
        return _comparable(v, lo) and _comparable(v, hi) and lo <= v <= hi
    op, a, b = node[1], _eval(node[2], item), _eval(node[3], item)
    if op == "=":
        return a is not _MISSING and a == b
    if op == "<>":
        return a is not _MISSING and a != b
    if not _comparable(a, b):
        return False
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def _partition_value(cond: tuple[Any, ...], pk: str) -> Any:
    parts = cond[1] if cond[0] == "and" else [cond]
    for n in parts:
        if n[0] == "cmp" and n[1] == "=":
            for side, other in ((n[2], n[3]), (n[3], n[2])):
                if side == ("path", pk) and other[0] == "val":
                    return other[1]
    return _MISSING
