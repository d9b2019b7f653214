"""What the engine keeps per function, per version and per execution environment, and the
results its invoke paths return.

Example:
    >>> from lambdakit.function.config import FunctionConfig
    >>> from lambdakit.core.engine import Engine
    >>> e = Engine(seed=1)
    >>> _ = e.add_function(FunctionConfig("f", lambda ev, ctx: None))
    >>> _ = e.invoke_sync("f", {})
    >>> env = e.environments[0]
    >>> env.state.name, env.function, env.version
    ('IDLE', 'f', '$LATEST')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import InvalidParameterValueException
from ..function.config import FunctionConfig
from ..function.context import ContextInfo
from ..function.durations import (
    DurationModel,
    DurationStream,
    Measured,
    cpu_factor,
    default_init_model,
    default_invoke_model,
)
from ..function.quotas import limit
from ..function.versions import LATEST, FunctionVersions
from .lifecycle import State, check_transition, state_at
from .routing import IdleSet

if TYPE_CHECKING:
    from collections.abc import Callable

    import numpy as np

INF = math.inf
DEFAULT_MAX_MEMORY_USED_MB = 40  # lambdakit assumption: a small Python handler's footprint
# 1,000 new environments every 10 s per function (lambdakit.function.quotas, facts §2)
SCALING_WINDOW_S = float(limit("scaling_window_s"))
SCALING_PER_WINDOW = int(limit("scaling_per_window"))
_FREE, _ASYNC, _CALL = 0, 1, 2  # kinds of scheduled work on the engine's event heap


class Environment:
    """One execution environment (a row of the environment board)."""

    __slots__ = ("id", "pool", "state", "created_at", "ready_at", "idle_since", "expires_at",
                 "handler", "module", "provisioned", "info", "environ",
                 "tmpdir", "shutdown_at", "shutdown_reason", "busy_until", "init_lines")

    def __init__(self, env_id: int, pool: _Pool, created_at: float, provisioned: bool) -> None:
        self.id = env_id
        self.pool = pool
        self.state = State.INIT
        self.created_at = created_at
        self.ready_at = created_at
        self.idle_since = created_at
        self.expires_at = INF
        self.handler: Callable[[Any, Any], Any] | None = None
        self.module: Any = None
        self.provisioned = provisioned
        self.info: ContextInfo | None = None
        self.environ: dict[str, str] = {}
        self.tmpdir = ""
        self.shutdown_at = INF
        self.shutdown_reason = ""
        self.busy_until = created_at
        self.init_lines: list[tuple[float, str | None, str]] = []

    def move(self, new: State) -> None:
        check_transition(self.state, new)
        self.state = new

    def state_at(self, now: float) -> State:
        """The lifecycle state as of ``now`` (:func:`lambdakit.core.lifecycle.state_at`)."""
        if self.state == State.SHUTDOWN:
            return State.SHUTDOWN
        return State(int(state_at(now, created_at=self.created_at, gone_at=self.shutdown_at,
                                  init_until=self.ready_at, busy_until=self.busy_until)))

    @property
    def function(self) -> str:
        return self.pool.fn.name

    @property
    def version(self) -> str:
        return self.pool.version


@dataclass(frozen=True, slots=True)
class InvokeResult:
    """What a synchronous ``Invoke`` returns (facts §3.1): status 200 even for a function
    error, which sets ``function_error`` ("Unhandled") and puts the error document in
    ``payload``."""

    status_code: int
    payload: Any
    function_error: str | None
    executed_version: str
    request_id: str
    record_index: int
    log_result: str | None = None


@dataclass(frozen=True, slots=True)
class SourceResult:
    """What a poller gets back from one synchronous invoke of a batch."""

    record_index: int
    request_id: str
    outcome: str  # ok | error | timeout | throttled
    payload: Any  # the handler's response, or the error document
    function_error: bool
    end_s: float

    @property
    def throttled(self) -> bool:
        return self.outcome == "throttled"


@dataclass(frozen=True, slots=True)
class AsyncAccepted:
    """What an asynchronous ``Invoke`` returns: 202 and the request id."""

    status_code: int
    request_id: str
    event: int


class _Fn:
    """A function: its versions, pools, concurrency counters and scaling window."""

    def __init__(self, versions: FunctionVersions) -> None:
        self.versions = versions
        self.name = versions.name
        self.pools: dict[str, _Pool] = {}
        self.busy = 0
        # the scaling window: recent creation times in a ring (lambdakit.core.rules)
        self.creations: list[float] = [0.0] * SCALING_PER_WINDOW
        self.creations_head = 0
        self.creations_n = 0
        self.provisioned: dict[str, int] = {}

    @property
    def reserved(self) -> int | None:
        return self.versions.latest.reserved_concurrency


class _Pool:
    """The environments of one function version, and what its invocations share."""

    def __init__(self, fn: _Fn, version: str, config: FunctionConfig,
                 rng_for: Callable[[str, str], np.random.Generator],
                 newest_created_first: bool = False) -> None:
        self.fn = fn
        self.version = version
        self.config = config
        self.idle = IdleSet(newest_created_first)  # ids in routing order (core.routing)
        self.pc_idle: list[Environment] = []  # provisioned, taken before any other
        init_model = config.init_model or default_init_model(config.runtime, config.architecture)
        invoke_model = config.duration_model or default_invoke_model()
        for name, model in (("init_model", init_model), ("duration_model", invoke_model)):
            if not isinstance(model, DurationModel):
                raise InvalidParameterValueException(
                    name, model,
                    "a lambdakit.function.durations model such as Fixed(120) or LogNormal(...)")
        # one independent stream each, so the order in which they are drawn never matters
        self.init_stream = DurationStream(init_model, rng_for(fn.name, version + "/init"),
                                          config.memory_mb)
        self.invoke_stream = DurationStream(invoke_model, rng_for(fn.name, version),
                                            config.memory_mb)
        self.measured = isinstance(invoke_model, Measured)
        self.cpu_factor = cpu_factor(config.memory_mb)
        self.timeout_ms = config.timeout_s * 1000.0
        self.memory_mb = config.memory_mb
        self.max_memory_mb = min(DEFAULT_MAX_MEMORY_USED_MB, config.memory_mb)
        self.arn = fn.versions.arn(None if version == LATEST else version)
        self.groups: dict[str, int] = {}
