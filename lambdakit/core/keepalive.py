"""Keep-alive policies: when an idle (frozen) execution environment is reclaimed.

AWS does not publish this. Measurements since mid-2019 see idle environments reclaimed after
about 10 minutes (Shilkov 2019 [S28], Shahrad et al. ATC'20 [S27], Xebia [S30]), and AWS
recycles environments "every few hours" even when busy (facts §1.2 [S1]; ~2–4 h observed
[S29][S30]). Both figures are configurable.

Example:
    >>> p = FixedKeepAlive(idle_s=600, max_lifetime_s=None)
    >>> p.expires_at(created_at=0.0, idle_since=100.0)
    700.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .rules import keepalive_expiry


@dataclass(frozen=True)
class KeepAlivePolicy:
    """Base policy: an idle environment lives ``idle_s`` seconds, and none outlives
    ``max_lifetime_s`` (it is reclaimed the first time it is idle after that age)."""

    idle_s: float = 600.0
    max_lifetime_s: float | None = 4 * 3600.0

    def __post_init__(self) -> None:
        if not self.idle_s >= 0:
            raise ValueError(f"idle_s={self.idle_s!r} is not valid: must be >= 0 seconds")
        if self.max_lifetime_s is not None and not self.max_lifetime_s > 0:
            raise ValueError(
                f"max_lifetime_s={self.max_lifetime_s!r} is not valid: must be > 0 seconds or None"
            )

    def expires_at(self, created_at: float, idle_since: float) -> float:
        """Virtual time at which an environment idle since ``idle_since`` is reclaimed."""
        life = math.inf if self.max_lifetime_s is None else self.max_lifetime_s
        return keepalive_expiry(idle_since, created_at, self.idle_s, life)

    def describe(self) -> str:
        life = "none" if self.max_lifetime_s is None else f"{self.max_lifetime_s / 3600:g} h"
        return f"reclaim after {self.idle_s / 60:g} min idle; max lifetime {life}"


@dataclass(frozen=True)
class FixedKeepAlive(KeepAlivePolicy):
    """The default: 10 min idle (observed since 2019 [S28][S27][S30]), 4 h max lifetime
    (forced recycling observed at ~2–4 h [S29][S30])."""


@dataclass(frozen=True)
class NeverExpire(KeepAlivePolicy):
    """Environments are never reclaimed (useful to isolate other effects in exercises)."""

    idle_s: float = math.inf
    max_lifetime_s: float | None = None


DEFAULT_KEEP_ALIVE = FixedKeepAlive()
