"""The Lambda API's error types, named and numbered as AWS names them (facts §3.1).

Every error carries ``.code`` (the AWS exception name, as in the ``x-amzn-ErrorType`` header),
``.status_code`` (the HTTP status the API returns) and ``.message``. Errors that mirror a Python
notion also subclass it (a bad parameter is a ``ValueError``, a missing function a
``LookupError``), so ordinary ``except ValueError`` code keeps working.

All errors pickle (the local engine moves them between processes).

Example:
    >>> err = InvalidParameterValueException(
    ...     "memory_mb", 100, "MemorySize must be between 128 and 10,240 MB (1 MB steps)")
    >>> err.code, err.status_code, isinstance(err, ValueError)
    ('InvalidParameterValueException', 400, True)
    >>> print(err)
    memory_mb=100 is not valid: MemorySize must be between 128 and 10,240 MB (1 MB steps)
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "THROTTLE_REASONS",
    "IllegalStateTransition",
    "InvalidParameterValueException",
    "LambdaError",
    "RequestTooLargeException",
    "ResourceConflictException",
    "ResourceNotFoundException",
    "TooManyRequestsException",
]

#: ``Reason`` of a 429 from ``Invoke``: account limit or reserved concurrency [S2:API_Invoke.md]
THROTTLE_REASONS = frozenset(
    {"ConcurrentInvocationLimitExceeded", "ReservedFunctionConcurrentInvocationLimitExceeded"}
)

_MAX_SHOWN = 80  # characters of a bad value repeated in a message


def _restore(cls: type[LambdaError], args: tuple[Any, ...], state: dict[str, Any]) -> LambdaError:
    """Rebuild an error without calling its ``__init__`` (whose signature varies)."""
    err = cls.__new__(cls)
    err.args = args
    err.__dict__.update(state)
    return err


class LambdaError(Exception):
    """Base of every lambdakit API error.

    >>> LambdaError("boom").body()
    {'Type': 'Service', 'message': 'boom'}
    """

    code: ClassVar[str] = "ServiceException"  # [S2:API_Invoke.md] 500 ServiceException
    status_code: ClassVar[int] = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def body(self) -> dict[str, str]:
        """The JSON error body: ``Type`` is ``User`` for a 4xx, ``Service`` for a 5xx."""
        return {"Type": "User" if self.status_code < 500 else "Service", "message": self.message}

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (type(self), self.args, dict(self.__dict__)))


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


class InvalidParameterValueException(LambdaError, ValueError):
    """A parameter is outside what AWS accepts (HTTP 400).

    ``field`` is lambdakit's field name, ``value`` the rejected value, ``allowed`` the rule in
    AWS's terms. Pass ``message`` to word an unusual case yourself.

    >>> e = InvalidParameterValueException("timeout_s", 0, "Timeout must be between 1 and 900 s")
    >>> e.field, e.value, e.message
    ('timeout_s', 0, 'timeout_s=0 is not valid: Timeout must be between 1 and 900 s')
    """

    code: ClassVar[str] = "InvalidParameterValueException"
    status_code: ClassVar[int] = 400

    def __init__(self, field: str, value: Any, allowed: str, *, message: str | None = None) -> None:
        super().__init__(message or f"{field}={_show(value)} is not valid: {allowed}")
        self.field = field
        self.value = value
        self.allowed = allowed


class ResourceNotFoundException(LambdaError, LookupError):
    """The function, version or alias does not exist (HTTP 404).

    >>> arn = "arn:aws:lambda:us-east-1:123456789012:function:x"
    >>> ResourceNotFoundException.for_function(arn).message
    'Function not found: arn:aws:lambda:us-east-1:123456789012:function:x'
    """

    code: ClassVar[str] = "ResourceNotFoundException"
    status_code: ClassVar[int] = 404

    def __init__(self, message: str, *, arn: str | None = None) -> None:
        super().__init__(message)
        self.arn = arn

    @classmethod
    def for_function(cls, arn: str) -> ResourceNotFoundException:
        """The error ``Invoke`` and ``GetFunction`` give for an unknown (qualified) ARN."""
        return cls(f"Function not found: {arn}", arn=arn)


class ResourceConflictException(LambdaError):
    """The resource already exists or is in use (HTTP 409), e.g. a duplicate alias.

    >>> ResourceConflictException("Alias already exists: live").status_code
    409
    """

    code: ClassVar[str] = "ResourceConflictException"
    status_code: ClassVar[int] = 409


class TooManyRequestsException(LambdaError):
    """A synchronous invoke was throttled (HTTP 429). [S2:API_Invoke.md]

    ``reason`` says which limit: the account's (``ConcurrentInvocationLimitExceeded``) or the
    function's reserved concurrency (``ReservedFunctionConcurrentInvocationLimitExceeded``).

    >>> TooManyRequestsException("ConcurrentInvocationLimitExceeded").body()
    {'Reason': 'ConcurrentInvocationLimitExceeded', 'Type': 'User', 'message': 'Rate Exceeded.'}
    """

    code: ClassVar[str] = "TooManyRequestsException"
    status_code: ClassVar[int] = 429

    def __init__(self, reason: str, message: str = "Rate Exceeded.") -> None:
        if reason not in THROTTLE_REASONS:
            raise ValueError(f"reason={reason!r} is not one of {sorted(THROTTLE_REASONS)}")
        super().__init__(message)
        self.reason = reason

    def body(self) -> dict[str, str]:
        """The observed 429 body, key order included. [S36] (facts §2)"""
        return {"Reason": self.reason, **super().body()}


class RequestTooLargeException(LambdaError):
    """The request payload is over the invoke limit (HTTP 413). [S2:API_Invoke.md]

    >>> e = RequestTooLargeException("payload too large", size_bytes=7, limit_bytes=6)
    >>> e.status_code, e.size_bytes, e.limit_bytes
    (413, 7, 6)
    """

    code: ClassVar[str] = "RequestTooLargeException"
    status_code: ClassVar[int] = 413

    def __init__(
        self, message: str, *, size_bytes: int | None = None, limit_bytes: int | None = None
    ) -> None:
        super().__init__(message)
        self.size_bytes = size_bytes
        self.limit_bytes = limit_bytes


class IllegalStateTransition(LambdaError):
    """lambdakit's environment lifecycle was asked for a move its table forbids (HTTP 500).

    Not an AWS error: a bug in the platform, surfaced as AWS's 500 ``ServiceException`` code.

    >>> IllegalStateTransition("can't go from IDLE to INIT", from_state="IDLE").from_state
    'IDLE'
    """

    status_code: ClassVar[int] = 500

    def __init__(self, message: str, *, from_state: Any = None, to_state: Any = None) -> None:
        super().__init__(message)
        self.from_state = from_state
        self.to_state = to_state
