"""Plotly views of :mod:`lambdakit.models.fleet` results: latency, cost curve, fleet vs Lambda
in time.

Rendering only: every number comes from a :class:`lambdakit.models.fleet.Comparison` (its fleet
run and its platform's metrics) or from :func:`lambdakit.models.fleet.cost_curve`.

Example:
    >>> from lambdakit import Poisson
    >>> from lambdakit.models.fleet import compare
    >>> fig = latency_chart(compare(Poisson(5), 60))
    >>> [t.name for t in fig.data]
    ['fleet 2×4', 'Lambda']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

if TYPE_CHECKING:
    import pandas as pd

    from lambdakit.models.fleet import Comparison

__all__ = ["cost_chart", "latency_chart", "scaling_chart"]

FLEET_COLOUR, LAMBDA_COLOUR = "#d97706", "#2563eb"
_LEGEND = {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1, "xanchor": "right"}


def latency_chart(result: Comparison, *, points: int = 400) -> go.Figure:
    """Share of requests answered within a latency (empirical CDF, log scale), both sides.

    Each curve is drawn through ``points`` quantiles, so the figure stays small.
    """
    fig = go.Figure()
    q = np.linspace(0.0, 1.0, points)
    for side, lat, colour in (
        (result.fleet, result.fleet_run.latency_ms, FLEET_COLOUR),
        (result.function, _lambda_latency_ms(result), LAMBDA_COLOUR),
    ):
        x = np.quantile(lat, q) if lat.size else np.array([])
        fig.add_trace(go.Scatter(
            x=x, y=q * 100, mode="lines", name=side.name, line={"color": colour, "width": 2.5},
            hovertemplate="%{y:.1f}% within %{x:.1f} ms<extra>" + side.name + "</extra>"))
    fig.update_layout(
        title={"text": f"Latency, queueing included — {result.workload}"}, height=340,
        margin={"l": 60, "r": 20, "t": 50, "b": 40}, legend=_LEGEND,
        xaxis={"title": {"text": "latency (ms, log scale)"}, "type": "log"},
        yaxis={"title": {"text": "% of requests answered"}, "range": [0, 100.5]})
    return fig


def cost_chart(curve: pd.DataFrame, break_even: int | None = None, *,
               fleet_label: str = "always-on fleet") -> go.Figure:
    """Monthly cost against monthly requests: Lambda's line, the fleet's flat line, and the
    break-even point when given (from ``pricing.break_even_requests``)."""
    fig = go.Figure()
    millions = curve["requests"] / 1e6
    fig.add_trace(go.Scatter(x=millions, y=curve["lambda_usd"], mode="lines", name="Lambda",
                             line={"color": LAMBDA_COLOUR, "width": 2.5},
                             hovertemplate="%{x:.1f} M requests: $%{y:,.2f}<extra>Lambda</extra>"))
    fig.add_trace(go.Scatter(x=millions, y=curve["fleet_usd"], mode="lines", name=fleet_label,
                             line={"color": FLEET_COLOUR, "width": 2.5},
                             hovertemplate="$%{y:,.2f} whatever the traffic<extra></extra>"))
    if break_even is not None:
        fig.add_vline(x=break_even / 1e6, line={"dash": "dash", "color": "#6b7280"},
                      annotation_text=f"break-even: {break_even / 1e6:,.1f} M requests/month",
                      annotation_position="top left")
    fig.update_layout(
        title={"text": "Cost per month: pay-per-use vs always-on"}, height=340,
        margin={"l": 60, "r": 20, "t": 50, "b": 40}, legend=_LEGEND,
        xaxis={"title": {"text": "requests per month (millions)"}, "rangemode": "tozero"},
        yaxis={"title": {"text": "USD per month"}, "rangemode": "tozero"})
    return fig


def scaling_chart(result: Comparison) -> go.Figure:
    """Over time: Lambda's concurrent executions (from ``platform.metrics``), and the fleet's
    requests in service, its capacity (servers × concurrency) and its queue (right axis)."""
    run = result.fleet_run
    m = result.platform.metrics(result.function_name)
    end = result.duration_s
    fig = go.Figure()
    series = (
        ("Lambda: concurrent executions", m.concurrency_times, m.concurrency_values,
         LAMBDA_COLOUR, "solid", "y"),
        ("fleet: requests in service", *run.busy_series(), FLEET_COLOUR, "solid", "y"),
        ("fleet: capacity (slots)", run.times, run.online_slots, FLEET_COLOUR, "dash", "y"),
        ("fleet: requests queued", *run.queue_series(), "#dc2626", "dot", "y2"),
    )
    for name, t, v, colour, dash, axis in series:
        x, y = _clip_steps(np.asarray(t, float), np.asarray(v, float), end)
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines", name=name, yaxis=axis,
                                 line={"shape": "hv", "color": colour, "dash": dash},
                                 hovertemplate="%{y:,.0f} at %{x:.1f} s<extra></extra>"))
    fig.update_layout(
        title={"text": f"Who absorbs the traffic — {result.workload}"}, height=420,
        margin={"l": 60, "r": 70, "t": 50, "b": 90},
        legend={"orientation": "h", "y": -0.2, "yanchor": "top", "x": 0, "xanchor": "left"},
        xaxis={"title": {"text": "virtual time (s)"}, "range": [0, end]},
        yaxis={"title": {"text": "requests being served / slots"}, "rangemode": "tozero"},
        yaxis2={"title": {"text": "requests queued (fleet)"}, "overlaying": "y",
                "side": "right", "rangemode": "tozero", "showgrid": False})
    return fig


def _lambda_latency_ms(result: Comparison) -> np.ndarray:
    rec = result.platform.records(result.function_name)
    ran = rec.column("outcome") != "throttled"
    return (rec.column("end_s")[ran] - rec.column("arrival_s")[ran]) * 1000.0


def _clip_steps(t: np.ndarray, v: np.ndarray, end: float, limit: int = 1500
                ) -> tuple[np.ndarray, np.ndarray]:
    """The step series within [0, end]; beyond ``limit`` points, an upper envelope over
    ``limit`` equal buckets (the level entering each bucket and its peak inside it)."""
    keep = t <= end
    t, v = np.append(t[keep], end), np.append(v[keep], v[keep][-1] if keep.any() else 0.0)
    if t.size <= limit:
        return t, v
    edges = np.linspace(0.0, end, limit + 1)[:-1]
    entering = np.searchsorted(t, edges, side="right") - 1
    peak = np.where(entering >= 0, v[np.maximum(entering, 0)], 0.0)
    np.maximum.at(peak, np.clip(np.searchsorted(edges, t, side="right") - 1, 0, limit - 1), v)
    return np.append(edges, end), np.append(peak, v[-1])
