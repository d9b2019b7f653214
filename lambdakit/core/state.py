"""What the simulated engine's two helpers — the asynchronous path and the batch path — use of
it: one interface, so they depend on it rather than on the engine (which calls them).

Example:
    >>> from lambdakit.core.engine import Engine
    >>> isinstance(Engine(), EngineCore)
    True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from ..function.handlers import HandlerInitError
    from ..observers.records import EventTable, RecordStore
    from .environment import Environment, _Fn, _Pool
    from .keepalive import KeepAlivePolicy
    from .sandbox import CallOutcome, Sandbox

__all__ = ["EngineCore"]


@runtime_checkable
class EngineCore(Protocol):
    """The engine's state and steps its asynchronous and batch paths share."""

    now: float
    epoch_s: float
    wall_limit_s: float
    account_limit: int
    unreserved_busy: int
    newest_created_first: bool
    keep_alive: KeepAlivePolicy
    functions: dict[str, _Fn]
    environments: list[Environment]
    records: RecordStore
    events: EventTable
    sandbox: Sandbox
    heap: list[tuple[float, int, int, Any]]
    clock: Callable[[], float]

    def total_reserved(self) -> int: ...
    def resolve(self, fn: _Fn, qualifier: str | None) -> _Pool: ...
    def schedule(self, t: float, kind: int, obj: Any) -> None: ...
    def create_environment(self, pool: _Pool, t: float, provisioned: bool) -> Environment: ...
    def init_environment(self, env: Environment) -> HandlerInitError | None: ...
    def start_attempt(self, pool: _Pool, ev: int, attempt: int, arrival: float, t: float,
                      text: str, source: str, qualifier: str | None,
                      keep_response: bool = False, client_context: Any = None,
                      is_async: bool = False) -> tuple[int, Any]: ...
    def settle_attempt(self, pool: _Pool, env: Environment, row: int, ev: int, *,
                       call: CallOutcome | None = None, duration: float = 0.0,
                       init_error: HandlerInitError | None = None
                       ) -> tuple[str, float, str | None, bool]: ...
    def shutdown(self, env: Environment, t: float, reason: str) -> None: ...
