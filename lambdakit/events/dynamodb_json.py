"""DynamoDB JSON: typed attribute values (``{"S": ...}``, ``{"N": ...}``) to and from plain
Python values.

Example:
    >>> from_dynamodb_json(to_dynamodb_json({"n": 1, "tags": ["a"]}))
    {'n': 1, 'tags': ['a']}
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .env import _bad

# ---------------------------------------------------------------- DynamoDB JSON --------------

_NUMBER = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
_TAGS = ("S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS")


def to_dynamodb_json(value: Any) -> dict[str, Any]:
    """Plain Python value -> DynamoDB typed JSON (``{"S": ..}``, ``{"N": "1"}``, ``{"M": ..}``...).

    Sets become ``SS``/``NS``/``BS``; bytes travel base64-encoded.

    >>> to_dynamodb_json({"id": 7, "ok": True, "tags": ["x"]})
    {'M': {'id': {'N': '7'}, 'ok': {'BOOL': True}, 'tags': {'L': [{'S': 'x'}]}}}
    """
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, float, Decimal)):
        return {"N": _number_text(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, (bytes, bytearray)):
        return {"B": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, Mapping):
        if not all(isinstance(k, str) for k in value):
            raise _bad("map keys", list(value), "strings")
        return {"M": {k: to_dynamodb_json(v) for k, v in value.items()}}
    if isinstance(value, (set, frozenset)):
        return _set_json(value)
    if isinstance(value, (list, tuple)):
        return {"L": [to_dynamodb_json(v) for v in value]}
    raise _bad("value", value, "None, bool, int, float, Decimal, str, bytes, dict, list or set")


def from_dynamodb_json(d: Mapping[str, Any]) -> Any:
    """DynamoDB typed JSON -> plain Python value (``N`` becomes int or float).

    To decode a whole image (attribute name -> typed value), wrap it: ``{"M": image}``.

    >>> from_dynamodb_json({"M": {"Id": {"N": "101"}, "Message": {"S": "New item!"}}})
    {'Id': 101, 'Message': 'New item!'}
    """
    if not isinstance(d, Mapping) or len(d) != 1 or next(iter(d)) not in _TAGS:
        raise _bad("typed value", d, f"a dict with exactly one of {', '.join(_TAGS)} "
                   "(wrap an image as {'M': image})")
    ((tag, v),) = d.items()
    try:
        if tag == "S" and isinstance(v, str):
            return v
        if tag == "N":
            return _parse_number(v)
        if tag == "B":
            return base64.b64decode(v, validate=True)
        if tag == "BOOL" and isinstance(v, bool):
            return v
        if tag == "NULL" and v is True:
            return None
        if tag == "M" and isinstance(v, Mapping):
            return {str(k): from_dynamodb_json(x) for k, x in v.items()}
        if tag == "L" and isinstance(v, list):
            return [from_dynamodb_json(x) for x in v]
        if tag == "SS" and isinstance(v, list) and all(isinstance(x, str) for x in v):
            return set(v)
        if tag == "NS" and isinstance(v, list):
            return {_parse_number(x) for x in v}
        if tag == "BS" and isinstance(v, list):
            return {base64.b64decode(x, validate=True) for x in v}
    except (binascii.Error, TypeError):
        pass
    raise _bad(f"typed value {tag}", v, f"a well-formed {tag} value")


def _number_text(value: int | float | Decimal) -> str:
    if isinstance(value, int):
        return str(value)
    if not (Decimal(value) if isinstance(value, float) else value).is_finite():
        raise _bad("number", value, "a finite number (DynamoDB has no NaN or Infinity)")
    return repr(value) if isinstance(value, float) else str(value)


def _parse_number(text: Any) -> int | float:
    if not isinstance(text, str) or not _NUMBER.fullmatch(text):
        raise TypeError(text)
    return int(text) if re.fullmatch(r"-?\d+", text) else float(text)


def _set_json(values: set[Any] | frozenset[Any]) -> dict[str, Any]:
    items = list(values)
    if items and all(isinstance(x, str) for x in items):
        return {"SS": sorted(items)}
    if items and all(isinstance(x, (int, float, Decimal)) and not isinstance(x, bool)
                     for x in items):
        return {"NS": [_number_text(x) for x in sorted(items)]}
    if items and all(isinstance(x, (bytes, bytearray)) for x in items):
        return {"BS": [base64.b64encode(bytes(x)).decode() for x in sorted(items)]}
    raise _bad("set", values, "a non-empty set of only strings, only numbers or only bytes")


def _image(item: Mapping[str, Any]) -> dict[str, Any]:
    return dict(to_dynamodb_json(dict(item))["M"])


def _item_size(image: Mapping[str, Any]) -> int:
    """Item size by DynamoDB's rules: attribute-name bytes plus value sizes."""
    return sum(len(k.encode()) + _value_size(v) for k, v in image.items())


def _value_size(typed: Mapping[str, Any]) -> int:
    ((tag, v),) = typed.items()
    if tag == "S":
        return len(v.encode())
    if tag == "N":  # 1 byte per two significant digits, plus 1
        return (len(Decimal(v).normalize().as_tuple().digits) + 1) // 2 + 1
    if tag == "B":
        return len(base64.b64decode(v))
    if tag in ("BOOL", "NULL"):
        return 1
    if tag in ("SS", "NS", "BS"):
        return sum(_value_size({tag[0]: x}) for x in v)
    if tag == "L":  # 3 bytes overhead, 1 per element
        return 3 + sum(1 + _value_size(x) for x in v)
    return 3 + sum(1 + len(k.encode()) + _value_size(x) for k, x in v.items())  # M
