"""CloudWatch-style metrics, derived from the attempt records and the environment table.

Example:
    >>> from lambdakit import Platform
    >>> p = Platform(seed=1)
    >>> _ = p.create_function("f", lambda e, c: None)
    >>> _ = p.invoke("f", {}); _ = p.invoke("f", {})
    >>> m = p.metrics("f")
    >>> (m.invocations, m.cold_starts, m.errors, m.throttles)
    (2, 1, 0, 0)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from .query import PlatformQuery


@dataclass(frozen=True)
class Metrics:
    """Totals over a window, plus the series behind the concurrency chart."""

    start_s: float
    end_s: float
    invocations: int  # attempts that ran a handler (AWS's Invocations)
    errors: int  # function errors, timeouts included
    timeouts: int
    throttles: int
    dead_letters: int
    cold_starts: int
    duration_p50_ms: float
    duration_p90_ms: float
    duration_p99_ms: float
    duration_avg_ms: float
    max_concurrency: int
    avg_environments: float  # time-weighted averages over the window
    avg_busy_environments: float
    avg_idle_environments: float
    billed_ms_total: int
    concurrency_times: np.ndarray  # step series: concurrent executions from each time on
    concurrency_values: np.ndarray

    @property
    def cold_start_rate(self) -> float:
        """Cold starts per invocation."""
        return self.cold_starts / self.invocations if self.invocations else 0.0

    def summary(self) -> dict[str, float]:
        """The headline figures as a dict (rounded for display)."""
        return {
            "Invocations": self.invocations, "Errors": self.errors, "Timeouts": self.timeouts,
            "Throttles": self.throttles, "ColdStarts": self.cold_starts,
            "ColdStartRate": round(self.cold_start_rate, 6),
            "Duration p50 (ms)": round(self.duration_p50_ms, 2),
            "Duration p90 (ms)": round(self.duration_p90_ms, 2),
            "Duration p99 (ms)": round(self.duration_p99_ms, 2),
            "ConcurrentExecutions (max)": self.max_concurrency,
            "Environments (avg)": round(self.avg_environments, 4),
            "Busy environments (avg)": round(self.avg_busy_environments, 4),
            "Idle environments (avg)": round(self.avg_idle_environments, 4),
        }

    def __repr__(self) -> str:
        width = max(len(k) for k in self.summary())
        rows = [f"{k:<{width}}  {v}" for k, v in self.summary().items()]
        return f"Metrics {self.start_s:g}–{self.end_s:g} s\n" + "\n".join(rows)

    def per_period(self, period_s: float = 60.0) -> pd.DataFrame:
        """Concurrent executions (max) per period, as CloudWatch plots them."""
        import pandas as pd

        edges = np.arange(self.start_s, max(self.end_s, self.start_s + period_s) + period_s,
                          period_s)
        t, v = self.concurrency_times, self.concurrency_values
        out = []
        for a, b in zip(edges[:-1], edges[1:], strict=False):
            before = np.searchsorted(t, a, side="right") - 1
            inside = v[(t >= a) & (t < b)]
            level = v[before] if before >= 0 else 0
            out.append({"start_s": a, "ConcurrentExecutions": int(max([level, *inside]))})
        return pd.DataFrame(out)


def concurrency_series(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Step series of how many intervals [start, end) are open from each time on.

    Example:
        >>> t, v = concurrency_series(np.array([0.0, 1.0]), np.array([2.0, 3.0]))
        >>> t.tolist(), v.tolist()
        ([0.0, 1.0, 2.0, 3.0], [1, 2, 1, 0])
    """
    times = np.concatenate([starts, ends])
    delta = np.concatenate([np.ones(len(starts), np.int64), -np.ones(len(ends), np.int64)])
    order = np.lexsort((delta, times))  # at a tie, ends (-1) before starts (+1)
    t = times[order]
    v = np.cumsum(delta[order])
    if len(t):
        last = np.r_[t[1:] != t[:-1], True]  # keep the level after all changes at one instant
        t, v = t[last], v[last]
    return t, v


def compute_metrics(platform: PlatformQuery, function: str | None = None, *,
                    start_s: float = 0.0,
                    end_s: float | None = None) -> Metrics:
    """Metrics of one function (or the whole account) over [start_s, end_s]."""
    end = platform.now if end_s is None else end_s
    arr = platform.record_columns()
    sel = (arr["start_s"] >= start_s) & (arr["start_s"] <= end)
    if function is not None:
        platform.get_function(function)
        sel &= arr["function"] == function
    outcome = arr["outcome"][sel]
    ran = (outcome != "throttled") & (outcome != "expired")
    dur = arr["duration_ms"][sel][ran]
    starts = arr["start_s"][sel][ran]
    ends = arr["end_s"][sel][ran]
    t, v = concurrency_series(starts, ends)
    pct = np.percentile(dur, [50, 90, 99]) if len(dur) else np.zeros(3)
    span = max(end - start_s, 1e-12)
    busy = float(np.sum(np.clip(ends, start_s, end) - np.clip(starts, start_s, end)))
    alive = 0.0
    for env in platform.environments(function, sweep=False):
        a = max(env.created_at, start_s)
        b = end if env.shutdown_at is None else min(env.shutdown_at, end)
        if b > a:
            alive += b - a
    dead = sum(1 for d in platform.dead_letters
               if function is None or d["requestContext"]["functionArn"].split(":")[6] == function)
    return Metrics(
        start_s=start_s, end_s=end,
        invocations=int(ran.sum()),
        errors=int(np.isin(outcome, ("error", "timeout")).sum()),
        timeouts=int((outcome == "timeout").sum()),
        throttles=int((outcome == "throttled").sum()),
        dead_letters=dead,
        cold_starts=int(arr["cold"][sel][ran].sum()),
        duration_p50_ms=float(pct[0]), duration_p90_ms=float(pct[1]),
        duration_p99_ms=float(pct[2]),
        duration_avg_ms=float(dur.mean()) if len(dur) else 0.0,
        max_concurrency=int(v.max()) if len(v) else 0,
        avg_environments=alive / span,
        avg_busy_environments=busy / span,
        avg_idle_environments=max(alive - busy, 0.0) / span,
        billed_ms_total=int(arr["billed_ms"][sel].sum()),
        concurrency_times=t, concurrency_values=v,
    )
