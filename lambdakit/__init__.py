"""lambdakit — learn AWS Lambda by running it.

A small runtime that simulates Lambda-style functions on a virtual clock: events, execution
environments, cold starts, warm reuse, scaling, throttling, retries, logs, metrics and cost.
Handlers really run; their durations come from named, configurable models.

Example:
    >>> from lambdakit import Platform
    >>> p = Platform(seed=1)
    >>> _ = p.create_function("hello", lambda event, context: {"ok": True})
    >>> p.invoke("hello", {}).payload
    {'ok': True}
"""

from . import clients, esm, events, fleet, iam, pricing, services, tiers
from .config import AsyncConfig, FunctionConfig
from .durations import Empirical, Exponential, Fixed, LogNormal, Measured
from .engine import AsyncAccepted, InvokeResult
from .errors import (
    IllegalStateTransition,
    InvalidParameterValueException,
    LambdaError,
    RequestTooLargeException,
    ResourceConflictException,
    ResourceNotFoundException,
    TooManyRequestsException,
)
from .keepalive import FixedKeepAlive, KeepAlivePolicy, NeverExpire
from .lifecycle import State
from .logs import LogView
from .metrics import Metrics
from .platform import EnvironmentView, Platform
from .records import Record, RecordTable
from .workloads import Burst, Constant, Diurnal, Poisson, Replay, Steps, Workload

__version__ = "0.1.0"

__all__ = [
    "AsyncAccepted", "AsyncConfig", "Burst", "Constant", "Diurnal", "Empirical",
    "EnvironmentView", "Exponential", "Fixed", "FixedKeepAlive", "FunctionConfig",
    "IllegalStateTransition", "InvalidParameterValueException", "InvokeResult",
    "KeepAlivePolicy", "LambdaError", "LogNormal", "LogView", "Measured", "Metrics",
    "NeverExpire", "Platform", "Poisson", "Record", "RecordTable", "Replay",
    "RequestTooLargeException", "ResourceConflictException", "ResourceNotFoundException",
    "State", "Steps", "TooManyRequestsException", "Workload", "clients", "esm", "events",
    "fleet", "iam", "pricing", "services", "tiers",
]
