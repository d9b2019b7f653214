"""Engines: what runs a :class:`~lambdakit.Platform`'s functions, behind one small interface.

A platform hands its clock, its invoke paths and its records to an *engine*. ``"simulated"``
(the default) runs handlers in this process on a virtual clock. Another engine registers under
a name — in code with :func:`register_engine`, or from an installed package through the
``lambdakit.engines`` entry-point group, the way papermill finds its engines — and
``Platform(engine="name")`` uses it. Services, event-source mappings, clients, observers and
widgets do not change: they only talk to the platform's public API, and the platform only
uses the members of :class:`PlatformEngine` listed below.

A package adds an engine with, in its ``pyproject.toml``::

    [project.entry-points."lambdakit.engines"]
    local = "mypackage.local:make_engine"   # make_engine(settings) -> PlatformEngine

Example:
    >>> from lambdakit import Platform
    >>> "simulated" in available_engines()
    True
    >>> Platform(engine="simulated").engine_name
    'simulated'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, Protocol

import numpy as np

from ..core.keepalive import DEFAULT_KEEP_ALIVE, KeepAlivePolicy
from ..errors import InvalidParameterValueException
from ..function.config import FunctionConfig
from ..observers.records import EventTable, RecordStore

__all__ = ["DEFAULT_ENGINE", "ENGINE_MEMBERS", "ENTRY_POINT_GROUP", "EngineSettings",
           "PlatformEngine", "available_engines", "check_engine", "load_engine",
           "register_engine"]

ENTRY_POINT_GROUP = "lambdakit.engines"
DEFAULT_ENGINE = "simulated"


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """What a platform tells the engine it creates (the ``Platform(...)`` arguments).

    ``owner`` is the platform itself: the engine marks it active while handler code runs, so
    boto3-shaped clients inside a handler find their platform.
    """

    seed: int = 0
    account_concurrency: int = 1000
    keep_alive: KeepAlivePolicy = DEFAULT_KEEP_ALIVE
    region: str = "us-east-1"
    account_id: str = "123456789012"
    routing: str = "most-recently-idle"
    wall_limit_s: float = 10.0
    owner: Any = None


class PlatformEngine(Protocol):
    """The members a :class:`~lambdakit.Platform` uses — all an engine must provide.

    Clock: ``now`` (seconds since the platform was created), ``epoch_s`` (wall-clock time of
    t=0), ``handler_now()`` (the clock as running handler code sees it), ``call_at(t, cb)``,
    ``spend(s)`` (charge a service call's latency to the running handler), ``in_handler()``,
    ``scheduled_times()``, ``run_until(end, arrivals, target, event, invocation_type,
    progress)``.
    Functions: ``functions`` (name → an object with ``.name`` and ``.versions``, a
    :class:`~lambdakit.function.versions.FunctionVersions`), ``function(name)`` (404 when unknown),
    ``add_function(config)``, ``check_reserved(name, n)``, ``reset_pools(fn)``,
    ``set_provisioned(fn, version, count)``.
    Invoking: ``invoke_sync``, ``invoke_async``, ``invoke_for_source`` (see
    :class:`lambdakit.core.engine.Engine` for the signatures and results).
    Truth: ``records`` (a :class:`~lambdakit.observers.records.RecordStore`: one row per
    attempt, with its output lines and error document), ``events`` (an
    :class:`~lambdakit.observers.records.EventTable`: how each event stands, its failure record),
    ``environments`` and ``sweep()`` (shut down the environments whose keep-alive ran out).
    Account: ``seed``, ``region``, ``account_id``, ``account_limit``. And ``close()``.
    """

    now: float
    epoch_s: float
    seed: int
    region: str
    account_id: str
    account_limit: int
    records: RecordStore
    events: EventTable

    @property
    def functions(self) -> Mapping[str, Any]: ...
    @property
    def environments(self) -> Sequence[Any]: ...

    def handler_now(self) -> float: ...
    def call_at(self, t: float, callback: Callable[[float], None]) -> None: ...
    def spend(self, seconds: float) -> bool: ...
    def in_handler(self) -> bool: ...
    def scheduled_times(self) -> list[float]: ...
    def run_until(self, end: float, arrivals: np.ndarray | None = None,
                  target: Any = None, event: Any = None, invocation_type: str = "sync",
                  progress: Any = None) -> None: ...
    def function(self, name: str) -> Any: ...
    def add_function(self, config: FunctionConfig) -> Any: ...
    def check_reserved(self, name: str, reserved: int | None) -> None: ...
    def reset_pools(self, fn: Any) -> None: ...
    def set_provisioned(self, fn: Any, version: str, count: int) -> None: ...
    def invoke_sync(self, name: str, event: Any, qualifier: str | None = None,
                    client_context: Any = None) -> Any: ...
    def invoke_async(self, name: str, event: Any, qualifier: str | None = None,
                     source: str = "async", at: float | None = None) -> Any: ...
    def invoke_for_source(self, name: str, event: Any, source: str,
                          on_done: Callable[[Any], None],
                          qualifier: str | None = None) -> Any: ...
    def sweep(self) -> None: ...
    def close(self) -> None: ...


EngineFactory = Callable[[EngineSettings], PlatformEngine]
#: every member of the interface, by name (what a refused engine is told it lacks)
ENGINE_MEMBERS = tuple(sorted({*PlatformEngine.__annotations__,
                               *(n for n in vars(PlatformEngine) if not n.startswith("_"))}))


def check_engine(engine: Any, name: str) -> PlatformEngine:
    """``engine`` itself if it has every member of :class:`PlatformEngine`, else a 400 naming
    what it lacks."""
    missing = [m for m in ENGINE_MEMBERS if not hasattr(engine, m)]
    if missing:
        raise InvalidParameterValueException(
            "engine", name, "a factory returning an engine (see lambdakit.engines); "
            f"{type(engine).__name__} is missing {', '.join(missing)}")
    return engine


def _simulated(settings: EngineSettings, *, batch_path: bool = True) -> PlatformEngine:
    from ..core.engine import Engine

    return Engine(settings.seed, account_concurrency=settings.account_concurrency,
                  keep_alive=settings.keep_alive, region=settings.region,
                  account_id=settings.account_id, routing=settings.routing,
                  wall_limit_s=settings.wall_limit_s, owner=settings.owner,
                  batch_path=batch_path)


def _reference(settings: EngineSettings) -> PlatformEngine:
    return _simulated(settings, batch_path=False)


#: ``"simulated-reference"`` is the simulated engine with every arrival on its event loop (no
#: compiled batch path): what the fast path is tested against
_REGISTRY: dict[str, EngineFactory] = {DEFAULT_ENGINE: _simulated,
                                       "simulated-reference": _reference}


def register_engine(name: str, factory: EngineFactory, *, replace: bool = False) -> None:
    """Make ``Platform(engine=name)`` build its engine with ``factory(settings)``.

    >>> from lambdakit.core.engine import Engine
    >>> register_engine("quiet", lambda s: Engine(s.seed, owner=s.owner), replace=True)
    >>> "quiet" in available_engines()
    True
    """
    if not isinstance(name, str) or not name.strip():
        raise InvalidParameterValueException("name", name, "a non-empty engine name")
    if not callable(factory):
        raise InvalidParameterValueException("factory", factory,
                                             "a callable factory(settings) -> engine")
    if name in _REGISTRY and not replace and _REGISTRY[name] is not factory:
        raise InvalidParameterValueException(
            "name", name, "a name not yet registered (pass replace=True to replace it)")
    _REGISTRY[name] = factory


def _entry_points() -> dict[str, Any]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def available_engines() -> list[str]:
    """The names ``Platform(engine=...)`` accepts: registered and installed engines."""
    return sorted(set(_REGISTRY) | set(_entry_points()))


def load_engine(name: str) -> EngineFactory:
    """The factory registered (or installed through the entry-point group) under ``name``."""
    factory = _REGISTRY.get(name)
    if factory is not None:
        return factory
    ep = _entry_points().get(name)
    if ep is None:
        raise InvalidParameterValueException(
            "engine", name, "one of " + ", ".join(repr(n) for n in available_engines()))
    factory = ep.load()
    if not callable(factory):
        raise InvalidParameterValueException(
            "engine", name, f"an entry point naming a factory (got {type(factory).__name__} "
            f"from {ep.value})")
    _REGISTRY[name] = factory
    return factory
