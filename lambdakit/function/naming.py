"""One way to name a function, as ``Invoke`` and the other Lambda APIs accept it.

``FunctionName`` may be a name (``f``), a name with a qualifier (``f:live``), a partial ARN
(``123456789012:function:f[:live]``) or a full ARN
(``arn:aws:lambda:us-east-1:123456789012:function:f[:live]``) [S2:API_Invoke.md]. A qualifier
in the name and a ``Qualifier`` argument must agree.

Example:
    >>> parse_function_ref("arn:aws:lambda:us-east-1:123456789012:function:f:live")
    FunctionRef(name='f', qualifier='live', account_id='123456789012', region='us-east-1')
    >>> parse_function_ref("123456789012:function:f").name
    'f'
    >>> parse_function_ref("f:1", "2")
    Traceback (most recent call last):
    ...
    lambdakit.errors.InvalidParameterValueException: FunctionName='f:1' is not valid: \
its qualifier '1' does not match Qualifier '2'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import InvalidParameterValueException

__all__ = ["FunctionRef", "parse_function_ref"]

_NAME = r"[a-zA-Z0-9_-]{1,64}"  # function names: 1–64 characters [S2:API_Invoke.md]
_QUALIFIER = r"(?:\$LATEST|[a-zA-Z0-9_-]{1,128})"
_FORMS = (
    re.compile(rf"(?P<name>{_NAME})(?::(?P<q>{_QUALIFIER}))?"),
    re.compile(rf"(?P<account>\d{{12}}):function:(?P<name>{_NAME})(?::(?P<q>{_QUALIFIER}))?"),
    re.compile(rf"arn:aws[a-zA-Z-]*:lambda:(?P<region>[a-z]{{2}}(?:-[a-z]+)+-\d):"
               rf"(?P<account>\d{{12}}):function:(?P<name>{_NAME})(?::(?P<q>{_QUALIFIER}))?"),
)
_ALLOWED = ("a name (f), name:qualifier (f:live), a partial ARN "
            "(123456789012:function:f) or a function ARN")


@dataclass(frozen=True, slots=True)
class FunctionRef:
    """A parsed function name: the name, its qualifier and what an ARN said of the account."""

    name: str
    qualifier: str | None = None
    account_id: str | None = None
    region: str | None = None


def parse_function_ref(function_name: str, qualifier: str | None = None) -> FunctionRef:
    """Parse any accepted ``FunctionName`` form; ``qualifier`` is the separate argument."""
    if not isinstance(function_name, str):
        raise InvalidParameterValueException("FunctionName", function_name, _ALLOWED)
    for form in _FORMS:
        m = form.fullmatch(function_name)
        if m is None:
            continue
        parts = m.groupdict()
        derived = parts.get("q")
        if derived and qualifier and derived != qualifier:
            raise InvalidParameterValueException(
                "FunctionName", function_name,
                f"its qualifier {derived!r} does not match Qualifier {qualifier!r}")
        return FunctionRef(m["name"], derived or qualifier or None, parts.get("account"),
                           parts.get("region"))
    raise InvalidParameterValueException("FunctionName", function_name, _ALLOWED)
