"""Concurrent executions over time, throttles per second, and the concurrency limits.

The step line is ``Metrics.concurrency_times / concurrency_values`` (CloudWatch's
``ConcurrentExecutions``, derived by lambdakit from the records); bars are throttled requests per
second (on the right axis); dashed lines are the account's concurrency limit (AWS default 1,000
per Region [S3]) and the function's reserved concurrency when set — both its minimum and its
maximum [S2:configuration-concurrency.md]. Long series are reduced to an upper envelope so the
peak (``Metrics.max_concurrency``) is always drawn.

Example:
    >>> from lambdakit import Platform, Fixed
    >>> p = Platform(seed=1)
    >>> _ = p.create_function("api", lambda e, c: "ok", duration=Fixed(100))
    >>> _ = p.invoke("api", {})
    >>> fig = concurrency_chart(p, "api")
    >>> [t.name for t in fig.data]
    ['concurrent executions', 'throttles / s', 'account limit (1,000)']
    >>> int(max(fig.data[0].y))
    1
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

if TYPE_CHECKING:
    from lambdakit import Platform

__all__ = ["concurrency_chart"]

MAX_POINTS = 20_000  # beyond this, the step line becomes an upper envelope (WebGL)
MAX_THROTTLE_BARS = 2_000


def concurrency_chart(platform: Platform, function: str | None = None, *,
                      max_points: int = MAX_POINTS) -> go.Figure:
    """Concurrent executions (step line), throttles per second (bars) and the limits.

    >>> from lambdakit import Platform
    >>> p = Platform(seed=2, account_concurrency=150)
    >>> _ = p.create_function("f", lambda e, c: 1, reserved_concurrency=5)
    >>> [t.name for t in concurrency_chart(p, "f").data]
    ['concurrent executions', 'throttles / s', 'account limit (150)', 'reserved (5)']
    """
    m = platform.metrics(function)
    end = max(platform.now, float(m.concurrency_times[-1]) if len(m.concurrency_times) else 0.0)
    x, y, reduced = _steps(m.concurrency_times, m.concurrency_values, end, max_points)
    trace = go.Scattergl if len(x) > 2_000 else go.Scatter
    name = "concurrent executions"
    fig = go.Figure()
    fig.add_trace(trace(x=x, y=y, mode="lines", line={"shape": "hv", "color": "#2563eb"},
                        name=name, meta={"kind": "concurrency", "envelope": reduced},
                        hovertemplate="%{y} concurrent at %{x:.3f} s<extra></extra>"))
    bars = _throttle_bars(platform, function, end)
    fig.add_trace(bars)
    account = platform.account_concurrency
    limits = [(f"account limit ({account:,})", account, "#6b7280")]
    reserved = None if function is None else platform.get_function(function).reserved_concurrency
    if reserved is not None:
        limits.append((f"reserved ({reserved:,})", reserved, "#dc2626"))
    for label, level, colour in limits:
        fig.add_trace(go.Scatter(x=[0.0, end], y=[level, level], mode="lines", name=label,
                                 line={"dash": "dash", "color": colour, "width": 1.5},
                                 meta={"kind": "limit"}, hoverinfo="name"))
    scope = function if function is not None else "all functions"
    title = f"Concurrent executions — {scope} (max {m.max_concurrency:,})"
    if reduced:
        title += "<br><sup>long series: upper envelope shown</sup>"
    # a far-away account limit would flatten the line: keep the scale, point at the limit
    top = 1.25 * max(m.max_concurrency, reserved or 0, 1) + 1
    if account > 4 * top:
        fig.update_yaxes(range=[0, top])
        fig.add_annotation(text=f"account limit {account:,} ↑ above this scale", xref="paper",
                           yref="paper", x=0.01, y=0.99, showarrow=False, xanchor="left",
                           yanchor="top", font={"color": "#6b7280"})
    fig.update_layout(
        title={"text": title}, height=360, uirevision="lk-concurrency", bargap=0,
        margin={"l": 60, "r": 60, "t": 70 if reduced else 50, "b": 40},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1, "xanchor": "right"},
        xaxis={"title": {"text": "virtual time (s)"}, "range": [0, max(end, 1e-3)]},
        yaxis={"title": {"text": "concurrent executions"}, "rangemode": "tozero"},
        yaxis2={"title": {"text": "throttles / s"}, "overlaying": "y", "side": "right",
                "rangemode": "tozero", "showgrid": False},
    )
    if bars.meta["total"] == 0:
        fig.update_layout(yaxis2={"range": [0, 1], "dtick": 1})  # no throttles: a plain 0–1
    return fig


def _steps(t: np.ndarray, v: np.ndarray, end: float,
           max_points: int) -> tuple[np.ndarray, np.ndarray, bool]:
    """The step series from 0 to ``end``; an upper envelope when longer than ``max_points``."""
    x = np.r_[0.0, t, end].astype(float)
    y = np.r_[0, v, v[-1] if len(v) else 0].astype(np.int64)
    if len(x) <= max_points:
        return x, y, False
    bins = max(max_points // 2, 1)
    width = max(end, 1e-9) / bins
    idx = np.minimum((x / width).astype(np.int64), bins - 1)
    starts = np.r_[0, np.flatnonzero(np.diff(idx)) + 1]
    return idx[starts] * width, np.maximum.reduceat(y, starts), True


def _throttle_bars(platform: Platform, function: str | None, end: float) -> go.Bar:
    """Throttled requests per second (averaged over wider bins on long runs)."""
    table = platform.records(function)
    t = table.column("start_s")[table.column("outcome") == "throttled"]
    width = max(1.0, float(np.ceil(end / MAX_THROTTLE_BARS)))
    edges = np.arange(0.0, max(end, width) + width, width)
    counts, edges = np.histogram(t, bins=edges)
    label = "per second" if width == 1 else f"per second, averaged over {width:g} s"
    return go.Bar(x=edges[:-1] + width / 2, y=counts / width, width=width, yaxis="y2",
                  name="throttles / s", marker={"color": "#f97316", "opacity": 0.6},
                  meta={"kind": "throttles", "bin_s": width, "total": len(t)},
                  hovertemplate=f"%{{y:g}} throttled {label}<br>at %{{x:.0f}} s<extra></extra>")
