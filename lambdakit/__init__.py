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

import importlib
from typing import Any

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

# Sub-packages load on first use (``lambdakit.services``, ``from lambdakit import iam``), so
# ``import lambdakit`` stays light; bench/import_time.py measures it.
_LAZY = ("clients", "esm", "events", "fleet", "iam", "pricing", "services", "tiers")


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'lambdakit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])

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
