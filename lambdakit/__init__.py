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

from .core.engine import AsyncAccepted, InvokeResult
from .core.keepalive import FixedKeepAlive, KeepAlivePolicy, NeverExpire
from .core.lifecycle import State
from .errors import (
    IllegalStateTransition,
    InvalidParameterValueException,
    LambdaError,
    RequestTooLargeException,
    ResourceConflictException,
    ResourceNotFoundException,
    TooManyRequestsException,
)
from .function.config import AsyncConfig, FunctionConfig
from .function.durations import Empirical, Exponential, Fixed, LogNormal, Measured
from .observers.logs import LogView
from .observers.metrics import Metrics
from .observers.records import Record, RecordTable
from .observers.views import EnvironmentView
from .platform import Platform
from .workloads import Burst, Constant, Diurnal, Poisson, Replay, Steps, Workload

__version__ = "0.1.0"

# Sub-packages load on first use (``lambdakit.services``, ``from lambdakit import iam``), so
# ``import lambdakit`` stays light; bench/import_time.py measures it.
# The modules the course names by their short names live in sub-packages: ``lambdakit.pricing``
# is :mod:`lambdakit.observers.pricing`, ``lambdakit.iam`` is :mod:`lambdakit.function.iam`...
_LAZY = {"clients": ".clients", "esm": ".esm", "events": ".events", "services": ".services",
         "engines": ".engines", "fleet": ".models.fleet", "tiers": ".models.tiers",
         "iam": ".function.iam", "pricing": ".observers.pricing", "quotas": ".function.quotas"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(_LAZY[name], __name__)
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
    "State", "Steps", "TooManyRequestsException", "Workload", "clients", "engines", "esm",
    "events", "fleet", "iam", "pricing", "quotas", "services", "tiers",
]
