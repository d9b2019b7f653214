"""The handler's ``context`` argument, as the Python runtime builds it (facts §6.2 [S20][S21]).

A new context is built for every invocation; what is fixed per execution environment lives in
one shared :class:`ContextInfo` and the request id is formatted only when the handler reads it.

Example:
    >>> info = ContextInfo("f", "$LATEST", "arn:aws:lambda:us-east-1:123456789012:function:f",
    ...                    128, "/aws/lambda/f", "2026/01/01/[$LATEST]ab")
    >>> c = LambdaContext(info, "id-1", deadline_s=3.0, clock=lambda: 1.0)
    >>> c.get_remaining_time_in_millis(), c.memory_limit_in_mb, c.aws_request_id
    (2000, '128', 'id-1')
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any


class CognitoIdentity:
    """Always present; both ids ``None`` unless the caller is a Cognito identity [S20]."""

    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(self) -> None:
        self.cognito_identity_id: str | None = None
        self.cognito_identity_pool_id: str | None = None


class ContextInfo:
    """The per-environment part of the context (from the reserved environment variables)."""

    __slots__ = (
        "function_name",
        "function_version",
        "invoked_function_arn",
        "memory_limit_in_mb",
        "log_group_name",
        "log_stream_name",
        "request_ids",
    )

    def __init__(
        self,
        function_name: str,
        function_version: str,
        invoked_function_arn: str,
        memory_mb: int,
        log_group_name: str,
        log_stream_name: str,
        request_ids: Callable[[int], str] | None = None,
    ) -> None:
        self.request_ids = request_ids  # formats a request number into an id, when given
        self.function_name = function_name
        self.function_version = function_version
        self.invoked_function_arn = invoked_function_arn
        self.memory_limit_in_mb = str(memory_mb)  # a str in the RIC [S20]
        self.log_group_name = log_group_name
        self.log_stream_name = log_stream_name


_NO_IDENTITY = CognitoIdentity()


class LambdaContext:
    """Every attribute and method of ``awslambdaric.lambda_context.LambdaContext``.

    ``get_remaining_time_in_millis()`` counts down on the *platform's* clock: ``clock`` is a
    zero-argument callable giving the virtual time (in the simulated engine it includes the
    handler's virtual sleeps). ``request_id`` may be a string or a zero-argument callable that
    formats it on first use, or an event number that ``info.request_ids`` formats on first use.
    """

    __slots__ = ("_info", "_rid", "_deadline_s", "_clock", "_extra")

    def __init__(
        self,
        info: ContextInfo,
        request_id: str | int | Callable[[], str],
        deadline_s: float,
        clock: Callable[[], float],
    ) -> None:
        self._info = info
        self._rid = request_id
        self._deadline_s = deadline_s
        self._clock = clock

    def with_caller(self, client_context: Any = None, tenant_id: str | None = None
                    ) -> LambdaContext:
        """Attach what a synchronous caller passed (client context, tenant id); returns self."""
        self._extra = (client_context, tenant_id)
        return self

    @property
    def client_context(self) -> Any:
        """The caller's client context (synchronous invocations only), else ``None``."""
        extra = getattr(self, "_extra", None)
        return None if extra is None else extra[0]

    @property
    def tenant_id(self) -> str | None:
        """The tenant id of a tenant-isolated invocation, else ``None``."""
        extra = getattr(self, "_extra", None)
        return None if extra is None else extra[1]

    @property
    def aws_request_id(self) -> str:
        rid = self._rid
        if type(rid) is int:
            fmt = self._info.request_ids
            rid = self._rid = fmt(rid) if fmt is not None else str(rid)
        elif not isinstance(rid, str):
            rid = self._rid = rid()  # type: ignore[operator]
        return rid  # type: ignore[return-value]

    @property
    def identity(self) -> CognitoIdentity:
        """Cognito identity: both ids ``None`` outside Cognito-authenticated mobile calls."""
        return _NO_IDENTITY

    function_name = property(lambda self: self._info.function_name)
    function_version = property(lambda self: self._info.function_version)
    invoked_function_arn = property(lambda self: self._info.invoked_function_arn)
    memory_limit_in_mb = property(lambda self: self._info.memory_limit_in_mb)
    log_group_name = property(lambda self: self._info.log_group_name)
    log_stream_name = property(lambda self: self._info.log_stream_name)

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the function times out, floored at 0 [S20]."""
        return max(int(round((self._deadline_s - self._clock()) * 1000, 6)), 0)

    def log(self, msg: str) -> None:
        """Write ``msg`` to the function's log (as ``context.log`` in the RIC)."""
        sys.stdout.write(msg)

    def __repr__(self) -> str:
        return (
            f"LambdaContext([function_name={self.function_name},"
            f"function_version={self.function_version},"
            f"invoked_function_arn={self.invoked_function_arn},"
            f"aws_request_id={self.aws_request_id}])"
        )
