"""The base of every in-memory AWS service: registration, simulated latency, fault injection.

A service lives on one :class:`lambdakit.Platform`. It registers itself with
``platform.register_service`` so boto3-shaped clients find it by name
(``platform.service(kind, name)``), charges a simulated latency to the running handler on every
call, and can be told to fail its next calls (fault injection for exercises on retries and
partial failures).

Example:
    >>> from lambdakit import Platform
    >>> p = Platform(seed=0)
    >>> s = Service(p, "demo", kind="demo")
    >>> p.service("demo", "demo") is s, s.arn
    (True, 'arn:aws:demo:us-east-1:123456789012:demo')
    >>> s.inject_failure(count=1)
    >>> s._call("Get")
    Traceback (most recent call last):
    ...
    lambdakit.services.base.ServiceError: ServiceUnavailable: Get failed (injected fault)
    >>> s._call("Get")  # outside a handler: no latency charged
    False
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..errors import InvalidParameterValueException
from ..events import EventEnv
from ..function import iam
from ..function.quotas import check_number

if TYPE_CHECKING:
    from ..platform import Platform

__all__ = ["Service", "ServiceError"]


class ServiceError(Exception):
    """An error a service call returns, shaped like botocore's ``ClientError``.

    ``code`` is the AWS error code (``NoSuchKey``, ``ServiceUnavailable``, ...); ``.response``
    is the dict botocore would give (``response["Error"]["Code"]``).

    >>> e = ServiceError("NoSuchKey", "The specified key does not exist.", status_code=404)
    >>> e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    ('NoSuchKey', 404)
    """

    def __init__(self, code: str, message: str, *, status_code: int = 400,
                 operation: str | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status_code = status_code
        self.operation = operation

    @property
    def response(self) -> dict[str, Any]:
        """The error response dict, as ``botocore.exceptions.ClientError.response``."""
        return {"Error": {"Code": self.code, "Message": self.message},
                "ResponseMetadata": {"HTTPStatusCode": self.status_code}}

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.code, self.message, self.status_code, self.operation))


def _rebuild(code: str, message: str, status_code: int, operation: str | None) -> ServiceError:
    return ServiceError(code, message, status_code=status_code, operation=operation)


#: HTTP status of the error codes fault injection can raise (AWS's codes).
_FAULT_STATUS = {"ServiceUnavailable": 503, "InternalError": 500, "SlowDown": 503,
                 "ThrottlingException": 400, "InternalFailure": 500, "Throttling": 400}


@dataclass(slots=True)
class _Fault:
    operation: str | None
    remaining: int
    error: str


class Service:
    """Common base: ``name``, ``platform``, ``latency_s``, ``arn``, fault injection.

    Subclasses set ``kind`` (the :meth:`Platform.service` key and ARN service name) and
    ``default_latency_s`` (a lambdakit assumption, not an AWS figure), and start every
    public operation with ``self._call("OperationName")``.

    >>> from lambdakit import Platform
    >>> Service(Platform(), "x", kind="sqs").latency_s
    0.005
    """

    kind: str = ""
    #: simulated latency of one call (lambdakit assumption; AWS publishes no figure)
    default_latency_s: ClassVar[float] = 0.005
    #: stable integer mixed into the platform seed for this service's RNG
    rng_key: ClassVar[int] = 1000
    #: the service principal that invokes functions (``s3.amazonaws.com``...), if any
    principal: ClassVar[str] = ""

    def __init__(self, platform: Platform, name: str, *, latency_s: float | None = None,
                 kind: str | None = None) -> None:
        if kind is not None:
            self.kind = kind
        if not self.kind:
            raise ValueError("a Service needs a kind")
        if not isinstance(name, str) or not name:
            raise InvalidParameterValueException("name", name, "a non-empty string")
        lat = self.default_latency_s if latency_s is None else latency_s
        check_number("latency_s", lat, 0, finite=False, unit="s", types=(int, float))
        self.name = name
        self.platform = platform
        self.latency_s = float(lat)
        self._faults: list[_Fault] = []
        platform.register_service(self)  # 409 ResourceConflictException when taken
        self.rng = np.random.default_rng(
            [self.platform.seed, self.rng_key, *map(ord, self.kind), 0, *map(ord, name)])
        self._svc_env: EventEnv | None = None

    @property
    def arn(self) -> str:
        """``arn:aws:<kind>:<region>:<account>:<name>`` (S3 and others override)."""
        p = self.platform
        return f"arn:aws:{self.kind}:{p.region}:{p.account_id}:{self.name}"

    def inject_failure(self, operation: str | None = None, count: int = 1,
                       error: str = "ServiceUnavailable") -> None:
        """Make the next ``count`` calls (of ``operation``, or of any) raise ``ServiceError``."""
        check_number("count", count, 1, types=(int,))
        self._faults.append(_Fault(operation, count, error))

    def _call(self, operation: str) -> bool:
        """Start an operation: raise an injected fault if one matches, else charge latency.

        Returns True when the latency was charged to a running handler.
        """
        for f in self._faults:
            if f.operation is None or f.operation == operation:
                f.remaining -= 1
                if f.remaining <= 0:
                    self._faults.remove(f)
                self.platform.spend(self.latency_s)
                raise ServiceError(f.error, f"{operation} failed (injected fault)",
                                   status_code=_FAULT_STATUS.get(f.error, 500),
                                   operation=operation)
        return self.platform.spend(self.latency_s)

    def _event_env(self, at: float | None = None) -> EventEnv:
        """This service's :class:`EventEnv` (region, account, seeded ids), its clock set to
        ``at`` or to the clock as the caller sees it (inside a handler: its virtual time)."""
        if self._svc_env is None:
            p = self.platform
            self._svc_env = EventEnv(region=p.region, account_id=p.account_id,
                                     epoch=datetime.fromtimestamp(p.epoch_s, tz=timezone.utc),
                                     rng=random.Random(int(self.rng.integers(2**63))))
        self._svc_env.now_s = self.platform.caller_now() if at is None else at
        return self._svc_env

    def _may_invoke(self, function: str, source_arn: str, qualifier: str | None = None) -> bool:
        """May this service invoke ``function``? (the function's resource-based policy,
        :func:`lambdakit.function.iam.can_invoke`; unchecked until the function has one)"""
        return iam.can_invoke(self.platform, function, self.principal, source_arn,
                              qualifier=qualifier)

    def _require_invoke(self, function: str, source_arn: str,
                        qualifier: str | None = None) -> None:
        """Like :meth:`_may_invoke`, raising ``AccessDeniedException`` (403) when denied."""
        iam.require_invoke(self.platform, function, self.principal, source_arn,
                           qualifier=qualifier)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"
