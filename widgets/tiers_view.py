"""Plotly charts of ``lambdakit.models.tiers`` runs: the request path, latency, utilisation, queues.

Rendering only: every number comes from ``ServiceModel.topology``, ``ServiceRun.latency_series``,
``ServiceRun.tier_series`` and ``ServiceRun.events``; nothing here simulates. Functions return
``plotly.graph_objects.Figure`` (shown with plotly's default ``plotly_mimetype`` renderer).

Example:
    >>> from lambdakit import Poisson
    >>> from lambdakit.models.tiers import ServiceModel
    >>> run = ServiceModel(seed=1).kill("app-2", 5.0).run(Poisson(200), duration_s=20.0)
    >>> [t.name for t in latency_chart(run).data][:3]
    ['p50', 'p95', 'p99']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lambdakit.models.tiers import ServiceModel, ServiceRun

__all__ = ["architecture", "compare_chart", "latency_chart", "tier_chart"]

_STATE_COLOURS = {"up": "#2e7d32", "booting": "#9e9e9e", "down": "#c62828"}
_QUANTILE_COLOURS = {"p50": "#1565c0", "p95": "#ef6c00", "p99": "#6a1b9a"}
_TIER_COLOURS = ["#455a64", "#00838f", "#1565c0", "#ef6c00", "#6a1b9a", "#2e7d32", "#ad1457"]
_LAYOUT = {"template": "plotly_white", "margin": {"l": 60, "r": 20, "t": 60, "b": 40}}


def architecture(model: ServiceModel | ServiceRun, at_s: float = 0.0) -> go.Figure:
    """The request path as boxes: client, then one column of servers per tier.

    Green = up, grey = booting, red = down; a red box with a thick border is dead but still
    in the balancer's rotation (health checks have not noticed yet).

    >>> fig = architecture(ServiceModel().kill("db-1", 0.0), at_s=1.0)
    >>> [a.text for a in fig.layout.annotations if a.text.startswith("db-")]
    ['db-1<br>down']
    """
    topo = model.topology(at_s)
    tiers = [t.name for t in model.tiers] if isinstance(model, ServiceModel) else model.tiers
    on_miss = {t.name for t in model.tiers if t.on_cache_miss} if isinstance(
        model, ServiceModel) else set()
    fig = go.Figure()
    columns = ["client", *tiers]
    tallest = max(1, int(topo.groupby("tier").size().max()))
    for x, name in enumerate(columns):
        header = f"<b>{name}</b>" + ("<br>(on cache miss)" if name in on_miss else "")
        fig.add_annotation(x=x, y=tallest - 0.2, text=header, showarrow=False, yanchor="bottom")
        if x:
            fig.add_annotation(x=x - 0.31, y=0, ax=x - 0.69, ay=0, xref="x", yref="y",
                               axref="x", ayref="y", text="", showarrow=True, arrowhead=2)
        rows = topo[topo.tier == name] if x else None
        boxes = [("client", "up", True)] if rows is None else list(
            zip(rows.server, rows.state, rows.in_rotation, strict=True))
        for y, (label, state, rotation) in enumerate(boxes):
            dead_in_rotation = state == "down" and bool(rotation)
            fig.add_shape(type="rect", x0=x - 0.3, x1=x + 0.3, y0=y - 0.35, y1=y + 0.35,
                          fillcolor=_STATE_COLOURS[state], opacity=0.85,
                          line={"color": "black", "width": 4 if dead_in_rotation else 1})
            text = label if rows is None else f"{label}<br>{state}"
            fig.add_annotation(x=x, y=y, text=text, showarrow=False,
                               font={"color": "white", "size": 11})
    fig.add_annotation(x=0, y=-0.45, xanchor="left", showarrow=False, font={"size": 11},
                       text="green: up · grey: booting · red: down · thick border: down but "
                       "still in the balancer's rotation")
    fig.update_xaxes(visible=False, range=[-0.5, len(columns) - 0.5])
    fig.update_yaxes(visible=False, range=[-0.6, tallest + 0.5])
    fig.update_layout(title=f"Request path at {at_s:g} s", height=150 + 70 * tallest, **_LAYOUT)
    return fig


def _mark_events(fig: go.Figure, run: ServiceRun, rows: int) -> None:
    """Dotted vertical lines (labelled on the top row) at the run's kills and scale-outs."""
    for t, label in run.events:
        if t > run.duration_s:
            continue
        for row in range(1, rows + 1):
            fig.add_vline(x=t, line={"dash": "dot", "color": "grey"}, row=row, col=1)
        fig.add_annotation(x=t, y=1.0, yref="paper", text=label, showarrow=False,
                           yanchor="bottom", textangle=-20, font={"size": 10})


def latency_chart(run: ServiceRun, resolution_s: float = 1.0) -> go.Figure:
    """Latency percentiles of successful requests (top) and error rate (bottom) over time."""
    series = run.latency_series(resolution_s)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.65, 0.35],
                        vertical_spacing=0.08)
    for q, colour in _QUANTILE_COLOURS.items():
        fig.add_trace(go.Scatter(x=series.time_s, y=series[f"{q}_ms"], name=q,
                                 line={"color": colour, "shape": "hv"}), row=1, col=1)
    fig.add_trace(go.Bar(x=series.time_s, y=series.error_rate * 100, name="errors %",
                         marker_color="#c62828", offset=0, width=resolution_s), row=2, col=1)
    _mark_events(fig, run, 2)
    fig.update_yaxes(title_text="latency (ms)", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text="errors (%)", range=[0, 100], row=2, col=1)
    fig.update_xaxes(title_text="time (s), by request arrival", row=2, col=1)
    fig.update_layout(height=460, title="Latency and errors over time", **_LAYOUT)
    return fig


def tier_chart(
    run: ServiceRun, resolution_s: float = 1.0, tiers: Sequence[str] | None = None
) -> go.Figure:
    """Per tier: utilisation (%), queue length, and servers up vs in the balancer's rotation."""
    series = run.tier_series(resolution_s)
    names = list(tiers) if tiers is not None else list(run.tiers)
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.06,
                        subplot_titles=["utilisation (%)", "queue length (requests waiting)",
                                        "servers: up (solid) · in rotation (dashed)"])
    for i, name in enumerate(names):
        part, colour = series[series.tier == name], _TIER_COLOURS[i % len(_TIER_COLOURS)]
        line = {"color": colour, "shape": "hv"}
        fig.add_trace(go.Scatter(x=part.time_s, y=part.utilisation * 100, name=name, line=line,
                                 legendgroup=name), row=1, col=1)
        fig.add_trace(go.Scatter(x=part.time_s, y=part.queue_length, name=name, line=line,
                                 legendgroup=name, showlegend=False), row=2, col=1)
        fig.add_trace(go.Scatter(x=part.time_s, y=part.servers_up, name=name, line=line,
                                 legendgroup=name, showlegend=False), row=3, col=1)
        fig.add_trace(go.Scatter(x=part.time_s, y=part.in_rotation, name=name,
                                 line={**line, "dash": "dash"}, legendgroup=name,
                                 showlegend=False), row=3, col=1)
    _mark_events(fig, run, 3)
    fig.update_yaxes(range=[0, 105], row=1, col=1)
    fig.update_yaxes(rangemode="tozero", row=2, col=1)
    fig.update_yaxes(rangemode="tozero", row=3, col=1)
    fig.update_xaxes(title_text="time (s)", row=3, col=1)
    fig.update_layout(height=620, title="Inside the tiers", **_LAYOUT)
    return fig


def compare_chart(
    runs: Mapping[str, ServiceRun], column: str = "p99_ms", resolution_s: float = 1.0
) -> go.Figure:
    """One line per scenario for a ``latency_series`` column (``p99_ms``, ``error_rate``…)."""
    fig = go.Figure()
    for i, (label, run) in enumerate(runs.items()):
        series = run.latency_series(resolution_s)
        y = series[column] * (100 if column == "error_rate" else 1)
        fig.add_trace(go.Scatter(x=series.time_s, y=y, name=label, line={
            "color": _TIER_COLOURS[i % len(_TIER_COLOURS)], "shape": "hv"}))
    unit = "errors (%)" if column == "error_rate" else column.replace("_", " (") + ")"
    fig.update_yaxes(title_text=unit, rangemode="tozero")
    fig.update_xaxes(title_text="time (s), by request arrival")
    fig.update_layout(height=380, title=f"{unit} by scenario", **_LAYOUT)
    return fig
