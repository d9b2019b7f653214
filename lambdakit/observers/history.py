"""The environments of a finished (or paused) simulation, at any past time, from the records.

Nothing is simulated again: each environment's creation, readiness and shutdown and each
attempt's start, init end and end are looked up, and :func:`lambdakit.core.lifecycle.state_at`
— the one lifecycle rule — says which state every environment was in.

Example:
    >>> from lambdakit import Fixed, Platform
    >>> p = Platform(seed=1)
    >>> _ = p.create_function("api", lambda e, c: "ok", duration=Fixed(100))
    >>> _ = p.invoke("api"); p.advance(5); _ = p.invoke("api")
    >>> h = EnvironmentHistory(p, "api")
    >>> [(s.env_id, s.state, s.invocations) for s in h.at(0.05)]
    [(0, 'INIT', 1)]
    >>> [(s.env_id, s.state, s.invocations) for s in h.at(3.0)]
    [(0, 'IDLE', 1)]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..core.lifecycle import State, state_at

if TYPE_CHECKING:
    from .query import PlatformQuery
    from .views import EnvironmentView

__all__ = ["EnvironmentHistory", "EnvironmentState"]

_NAMES = np.asarray([s.name for s in State], dtype=object)


@dataclass(frozen=True, slots=True)
class EnvironmentState:
    """One environment at one past moment."""

    env_id: int
    state: str  # INIT | INVOKE | IDLE | SHUTDOWN
    invocations: int  # attempts it had started by then
    last_cold: bool | None  # its latest attempt was a cold start; None before any
    latest: bool  # it served the most recent attempt started by then
    view: EnvironmentView  # the environment as it is now (function, version, provisioned...)


class EnvironmentHistory:
    """Query the environments of ``function`` (or all) at any time up to ``end_s``."""

    def __init__(self, platform: PlatformQuery, function: str | None = None) -> None:
        self.end_s = platform.now
        envs = sorted(platform.environments(function), key=lambda e: e.id)
        self.environments = envs
        self._ids = np.asarray([e.id for e in envs], dtype=np.int64)
        self._created = np.asarray([e.created_at for e in envs], dtype=float)
        self._ready = np.asarray([e.ready_at if e.provisioned else e.created_at
                                  for e in envs], dtype=float)  # pre-initialisation
        self._gone = np.asarray([math.inf if e.shutdown_at is None else e.shutdown_at
                                 for e in envs], dtype=float)
        cols = platform.record_columns()
        sel = cols["env"] >= 0
        if function is not None:
            sel &= cols["function"] == function
        ran = np.flatnonzero(sel)
        start = cols["start_s"][ran]
        order = ran[np.argsort(start, kind="stable")]
        self._row = np.searchsorted(self._ids, cols["env"][order])
        self._start = cols["start_s"][order]
        self._init_end = self._start + cols["init_ms"][order] / 1000.0
        self._end = cols["end_s"][order]
        self._cold = cols["cold"][order]
        throttled = cols["outcome"] == "throttled"
        if function is not None:
            throttled &= cols["function"] == function
        self._throttled = np.sort(cols["start_s"][throttled])

    def alive_at(self, t: float) -> list[int]:
        """Ids of the environments that exist and are not shut down at ``t``."""
        return self._ids[(self._created <= t) & (t < self._gone)].tolist()

    def throttles_by(self, t: float) -> int:
        """Throttled attempts up to ``t``."""
        return int(np.searchsorted(self._throttled, t, side="right"))

    def at(self, t: float) -> list[EnvironmentState]:
        """Every environment created by ``t``, in the state it was in at ``t``."""
        n = len(self._ids)
        k = int(np.searchsorted(self._start, t, side="right"))  # attempts started by t
        rows = self._row[:k]
        served = np.bincount(rows, minlength=n)
        last = np.full(n, -1, dtype=np.int64)
        np.maximum.at(last, rows, np.arange(k))
        has = last >= 0
        li = np.where(has, last, 0)
        busy_until = np.where(has, self._end[li], -math.inf) if k else np.full(n, -math.inf)
        attempt_init = np.where(has, self._init_end[li], -math.inf) if k else busy_until
        init_until = np.maximum(self._ready, attempt_init)
        codes = state_at(t, created_at=self._created, gone_at=self._gone,
                         init_until=init_until, busy_until=busy_until)
        latest_row = int(rows[-1]) if k else -1
        return [EnvironmentState(int(self._ids[i]), str(_NAMES[codes[i]]), int(served[i]),
                                 bool(self._cold[last[i]]) if has[i] else None,
                                 i == latest_row, self.environments[i])
                for i in np.flatnonzero(self._created <= t).tolist()]
