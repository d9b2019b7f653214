"""The invocation timeline: a Gantt chart with one row per execution environment.

Each attempt that ran draws an *init* segment when it paid a cold start and an *invocation*
segment coloured by outcome (ok, error, timeout); one environment serves one request at a time
(facts §1.2 [S7][S3]), so a row's segments never overlap. Throttled requests, which never reach
an environment, are markers on a separate "throttled" row (expired async events on "expired").
Hovering a segment shows its request id, init / duration / billed ms and its ``REPORT`` line
(``Init Duration`` only on a cold start [S2:python-logging.md]; ``Status`` on failures [S1]).

Scale: up to ``BAR_LIMIT`` segments are drawn as bars; more as WebGL line segments
(``go.Scattergl`` with gaps); beyond ``max_bars`` neighbouring segments of the same row and kind
are merged into blocks (the smallest gaps first) so the figure stays small and responsive with
100,000 invocations. Figures use plotly's default renderer (``plotly_mimetype`` in a kernel).

Example:
    >>> from lambdakit import Platform, Fixed
    >>> p = Platform(seed=1)
    >>> _ = p.create_function("api", lambda e, c: "ok", duration=Fixed(100))
    >>> _ = p.invoke("api", {}); _ = p.invoke("api", {})
    >>> fig = timeline(p, "api")
    >>> segment_counts(fig)
    {'init': 1, 'ok': 2}
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go

from lambdakit.observers.logformat import report_line
from lambdakit.observers.logs import report_status

if TYPE_CHECKING:
    from lambdakit import Platform, RecordTable

__all__ = ["BAR_LIMIT", "COLOURS", "Timeline", "segment_counts", "timeline"]

BAR_LIMIT = 500  # up to this many segments: horizontal bars (hover anywhere on a bar)
KINDS = ("init", "ok", "error", "timeout")
COLOURS = {"init": "#60a5fa", "ok": "#16a34a", "error": "#dc2626", "timeout": "#f59e0b",
           "throttled": "#111827", "expired": "#7c3aed"}
NAMES = {"init": "init (cold start)", "ok": "ok", "error": "error", "timeout": "timeout"}
THROTTLED_ROW, EXPIRED_ROW = -1.0, -2.0


@dataclass
class _Blocks:
    """Segments (or merged blocks) of one kind: rows, extents, how many attempts each holds,
    and the table positions of their first and last attempt (-1: no record, e.g. PC init)."""

    kind: str
    row: np.ndarray
    env: np.ndarray
    x0: np.ndarray
    x1: np.ndarray
    count: np.ndarray
    first: np.ndarray
    last: np.ndarray


def timeline(platform: Platform, function: str | None = None, *,
             max_bars: int = 5000) -> go.Figure:
    """The invocation timeline of ``function`` (or of every function) as a plotly Figure.

    >>> from lambdakit import Platform
    >>> p = Platform(seed=2)
    >>> _ = p.create_function("f", lambda e, c: 1)
    >>> len(timeline(p, "f").data)  # nothing ran yet: an empty chart
    0
    """
    data, layout = _parts(platform, function, max_bars, {})
    return go.Figure(data=data, layout=layout)


def segment_counts(fig: go.Figure) -> dict[str, int]:
    """Segments (or merged blocks) drawn per kind, read back from a timeline figure.

    >>> segment_counts(go.Figure())
    {}
    """
    out: dict[str, int] = {}
    for tr in fig.data:
        meta = tr.meta if isinstance(tr.meta, dict) else {}
        if meta.get("kind") in KINDS:
            out[meta["kind"]] = int(meta["segments"])
    return out


class Timeline(go.FigureWidget):
    """A live timeline (a ``FigureWidget``); call ``.refresh()`` after invoking."""

    def __init__(self, platform: Platform, function: str | None = None, *,
                 max_bars: int = 5000) -> None:
        rids: dict[int, str] = {}
        data, layout = _parts(platform, function, max_bars, rids)
        super().__init__(data=data, layout=layout)
        self._lk_args = (platform, function, max_bars, rids)

    def refresh(self) -> None:
        """Redraw from the platform's current records (zoom is kept: ``uirevision``)."""
        data, layout = _parts(*self._lk_args)
        with self.batch_update():
            self.data = ()
            self.add_traces(data)
            self.layout = layout


def _parts(platform: Platform, function: str | None, max_bars: int,
           rids: dict[int, str]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Trace dicts and the layout dict (validated once, by whoever builds the figure)."""
    if max_bars < 1:
        raise ValueError(f"max_bars={max_bars!r} is not valid: must be at least 1")
    table = platform.records(function)
    cols = _Columns(table, platform.request_id, rids)
    envs = platform.environments(function)
    ids = np.asarray(sorted(e.id for e in envs), dtype=np.int64)
    labels = _row_labels(envs, ids, function)
    segs = _segments(table, envs, ids)
    total = sum(len(b.x0) for b in segs)
    merged = total > max_bars
    if merged:
        segs = _merge(segs, max_bars)
    drawn = sum(len(b.x0) for b in segs)
    data: list[dict[str, Any]] = []
    for b in segs:
        if len(b.x0):
            data.extend(_traces(b, cols, drawn, len(ids)))
    outcome = table.column("outcome")
    extra_rows: list[tuple[float, str]] = []
    for kind, row in (("throttled", THROTTLED_ROW), ("expired", EXPIRED_ROW)):
        pos = np.flatnonzero(outcome == kind)
        if len(pos):
            data.append(_markers(kind, row, pos, cols, max_bars))
            extra_rows.append((row, kind))
    return data, _layout(platform, function, labels, extra_rows, total, drawn, merged)


class _Columns:
    """The record columns hover texts need, fetched once per build; request ids cached."""

    def __init__(self, table: RecordTable, request_id: Callable[[int], str],
                 rids: dict[int, str]) -> None:
        self._table = table
        self._request_id = request_id
        self._rids = rids
        self._cols: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        col = self._cols.get(name)
        if col is None:
            col = self._cols[name] = self._table.column(name)
        return col

    def values(self, name: str, pos: np.ndarray) -> list[Any]:
        return self[name][pos].tolist()  # type: ignore[no-any-return]

    def request_ids(self, pos: np.ndarray) -> list[str]:
        rids, request_id = self._rids, self._request_id
        out = []
        for ev in self.values("event", pos):
            rid = rids.get(ev)
            if rid is None:
                rid = rids[ev] = request_id(ev)
            out.append(rid)
        return out


# -- segments ----------------------------------------------------------------------------------
def _segments(table: RecordTable, envs: list[Any], ids: np.ndarray) -> list[_Blocks]:
    all_env = table.column("env")
    ran = np.flatnonzero(all_env >= 0)
    env = all_env[ran]
    row = np.searchsorted(ids, env).astype(float)
    start = table.column("start_s")[ran]
    init_end = start + table.column("init_ms")[ran] / 1000.0
    end = table.column("end_s")[ran]
    cold = table.column("cold")[ran]
    outcome = table.column("outcome")[ran]
    one = np.ones(len(ran), dtype=np.int64)
    # provisioned environments initialise before any request: an init segment without a record
    pc = [e for e in envs if e.provisioned and e.ready_at > e.created_at]
    pc_env = np.asarray([e.id for e in pc], dtype=np.int64)
    pc_row = np.searchsorted(ids, pc_env).astype(float)
    pc_x0 = np.asarray([e.created_at for e in pc], dtype=float)
    pc_x1 = np.asarray([e.ready_at for e in pc], dtype=float)
    none = np.full(len(pc), -1, dtype=np.int64)
    out = [_Blocks("init", np.r_[row[cold], pc_row], np.r_[env[cold], pc_env],
                   np.r_[start[cold], pc_x0], np.r_[init_end[cold], pc_x1],
                   np.ones(int(cold.sum()) + len(pc), dtype=np.int64),
                   np.r_[ran[cold], none], np.r_[ran[cold], none])]
    for kind in KINDS[1:]:
        sel = outcome == kind
        out.append(_Blocks(kind, row[sel], env[sel], init_end[sel], end[sel], one[sel],
                           ran[sel], ran[sel]))
    return out


def _merge(segs: list[_Blocks], budget: int) -> list[_Blocks]:
    """Merge neighbours of the same kind and row, smallest gaps first, until at most
    ``budget`` blocks remain (never fewer than one block per kind and row)."""
    code = np.concatenate([np.full(len(b.x0), k) for k, b in enumerate(segs)])
    row = np.concatenate([b.row for b in segs])
    env = np.concatenate([b.env for b in segs])
    x0 = np.concatenate([b.x0 for b in segs])
    x1 = np.concatenate([b.x1 for b in segs])
    first = np.concatenate([b.first for b in segs])
    order = np.lexsort((x0, row, code))
    code, row, env, x0, x1, first = (a[order] for a in (code, row, env, x0, x1, first))
    n = len(x0)
    same = (code[1:] == code[:-1]) & (row[1:] == row[:-1])
    gaps = x0[1:] - x1[:-1]
    allowed = budget - (1 + int(np.count_nonzero(~same)))  # splits left inside the groups
    inner = gaps[same]
    if allowed <= 0 or not len(inner):
        split = ~same
    elif allowed >= len(inner):
        split = np.ones(n - 1, dtype=bool)
    else:
        cut = np.partition(inner, len(inner) - allowed - 1)[len(inner) - allowed - 1]
        split = ~same | (gaps > cut)
    starts = np.r_[0, np.flatnonzero(split) + 1]
    stops = np.r_[starts[1:], n]
    out = []
    for k, b in enumerate(segs):
        sel = code[starts] == k
        s, e = starts[sel], stops[sel]
        out.append(_Blocks(b.kind, row[s], env[s], x0[s],
                           np.maximum.reduceat(x1, s) if len(s) else x1[s],
                           e - s, first[s], first[e - 1]))
    return out


# -- traces ------------------------------------------------------------------------------------
def _traces(b: _Blocks, cols: _Columns, drawn: int, rows: int) -> list[dict[str, Any]]:
    text = _texts(b, cols)
    meta = {"kind": b.kind, "segments": len(b.x0), "attempts": int(b.count.sum())}
    colour = COLOURS[b.kind]
    if drawn <= BAR_LIMIT:
        return [{"type": "bar", "x": b.x1 - b.x0, "base": b.x0, "y": b.row, "orientation": "h",
                 "width": 0.7, "marker": {"color": colour, "line": {"width": 0}},
                 "name": NAMES[b.kind], "text": text, "textposition": "none",
                 "hovertemplate": "%{text}<extra></extra>", "meta": meta}]
    n = len(b.x0)
    xs = np.full(3 * n, np.nan)
    ys = np.full(3 * n, np.nan, dtype=np.float32)  # row numbers: exact, half the bytes
    xs[0::3], xs[1::3] = b.x0, b.x1
    ys[0::3] = ys[1::3] = b.row
    width = float(np.clip(320.0 / max(rows, 1), 1.0, 12.0))
    # the lines carry the picture; the hover text sits on the segments' (invisible) midpoints
    lines = {"type": "scattergl", "x": xs, "y": ys, "mode": "lines", "name": NAMES[b.kind],
             "line": {"color": colour, "width": width}, "hoverinfo": "skip", "meta": meta,
             "legendgroup": b.kind}
    points = {"type": "scattergl", "x": (b.x0 + b.x1) / 2, "y": b.row.astype(np.float32),
              "mode": "markers", "text": text,
              "marker": {"size": 6, "color": colour, "opacity": 0.0},
              "hovertemplate": "%{text}<extra></extra>", "showlegend": False,
              "legendgroup": b.kind, "meta": {"kind": f"{b.kind}-hover"}}
    return [lines, points]


def _markers(kind: str, row: float, pos: np.ndarray, cols: _Columns,
             limit: int) -> dict[str, Any]:
    symbol = "x" if kind == "throttled" else "diamond"
    meta = {"kind": kind, "segments": len(pos), "attempts": len(pos)}
    t = cols["start_s"][pos]
    if len(pos) <= limit:
        text = [f"<b>{rid}</b><br>{kind} at {s:.3f} s · {err or ''}<br>attempt {a + 1} · {fn}"
                for rid, s, err, a, fn in zip(
                    cols.request_ids(pos), t.tolist(), cols.values("error_type", pos),
                    cols.values("attempt", pos), cols.values("function", pos), strict=True)]
        x, size = t, 7.0
    else:
        counts, edges = np.histogram(t, bins=min(limit, 1000))
        keep = counts > 0
        x = ((edges[:-1] + edges[1:]) / 2)[keep]
        c = counts[keep]
        text = [f"{n:,} {kind} between {a:.2f} and {z:.2f} s" for n, a, z in zip(
            c.tolist(), edges[:-1][keep].tolist(), edges[1:][keep].tolist(), strict=True)]
        size = 4 + 10 * np.sqrt(c / c.max())
    return {"type": "scattergl", "x": x, "y": np.full(len(x), row), "mode": "markers",
            "name": kind, "marker": {"symbol": symbol, "size": size, "color": COLOURS[kind]},
            "text": np.asarray(text, dtype=object), "hovertemplate": "%{text}<extra></extra>",
            "meta": meta}


def _texts(b: _Blocks, cols: _Columns) -> np.ndarray:
    """Hover text per segment or block (an object array: plotly validates it fast)."""
    out = np.empty(len(b.x0), dtype=object)
    single = (b.count == 1) & (b.first >= 0)
    if single.any():
        out[single] = _record_texts(b.kind, b.first[single], cols)
    pc = (b.count == 1) & (b.first < 0)
    for i in np.flatnonzero(pc).tolist():
        out[i] = (f"<b>provisioned concurrency init</b> · env {int(b.env[i])}<br>"
                  f"{b.x0[i]:.3f}–{b.x1[i]:.3f} s · Init {1000 * (b.x1[i] - b.x0[i]):.2f} ms")
    many = np.flatnonzero(b.count > 1)
    if len(many):
        firsts = cols.request_ids(b.first[many])
        lasts = cols.request_ids(b.last[many])
        out[many] = [
            f"<b>{n:,} {b.kind} attempts</b> merged · env {e}<br>{x0:.3f}–{x1:.3f} s<br>"
            f"first {f}<br>last {z}"
            for n, e, x0, x1, f, z in zip(b.count[many].tolist(), b.env[many].tolist(),
                                          b.x0[many].tolist(), b.x1[many].tolist(), firsts,
                                          lasts, strict=True)]
    return out


def _record_texts(kind: str, pos: np.ndarray, cols: _Columns) -> list[str]:
    """One attempt each: phase, environment, version, attempt, and its REPORT line."""
    out = []
    for rid, outcome, env, fn, ver, att, cold, init, dur, billed, mem, maxmem, err in zip(
            cols.request_ids(pos), *(cols.values(name, pos) for name in _HOVER_COLUMNS),
            strict=True):
        status = report_status(outcome, err)
        report = report_line(rid, duration_ms=round(dur, 2), billed_ms=billed, memory_mb=mem,
                             max_memory_mb=maxmem, init_ms=round(init, 2) if cold else None,
                             status=status, error_type=err if status == "error" else None)
        phase = "cold start (Init)" if kind == "init" else outcome
        fields = report.rstrip("\t").replace("\t", "<br>")  # the REPORT line, a field a line
        out.append(f"<b>{phase}</b> · env {env} · {fn}:{ver} · attempt {att + 1}<br>{fields}")
    return out


_HOVER_COLUMNS = ("outcome", "env", "function", "version", "attempt", "cold", "init_ms",
                  "duration_ms", "billed_ms", "memory_mb", "max_memory_mb", "error_type")


# -- layout ------------------------------------------------------------------------------------
def _row_labels(envs: list[Any], ids: np.ndarray, function: str | None) -> list[str]:
    by_id = {e.id: e for e in envs}
    many = function is None and len({e.function for e in envs}) > 1
    return [f"{by_id[i].function} · env {i}" if many else f"env {i}" for i in ids.tolist()]


def _layout(platform: Platform, function: str | None, labels: list[str],
            extra_rows: list[tuple[float, str]], total: int, drawn: int,
            merged: bool) -> dict[str, Any]:
    rows = len(labels)
    step = max(1, int(np.ceil(rows / 30)))
    vals = [r for r, _ in extra_rows] + list(range(0, rows, step))
    text = [k for _, k in extra_rows] + labels[::step]
    scope = function if function is not None else "all functions"
    title = f"Invocation timeline — {scope}"
    if merged:
        title += (f"<br><sup>{total:,} segments merged into {drawn:,} blocks "
                  "(hover a block for its first and last request)</sup>")
    lowest = min([r for r, _ in extra_rows], default=0.0)
    return {
        "title": {"text": title}, "barmode": "overlay", "uirevision": "lk-timeline",
        "height": int(np.clip(170 + 22 * (rows + len(extra_rows)), 260, 720)),
        "margin": {"l": 90, "r": 20, "t": 70 if merged else 50, "b": 40},
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1,
                   "xanchor": "right"},
        "xaxis": {"title": {"text": "virtual time (s)"},
                  "range": [0, max(platform.now, 1e-3) * 1.01]},
        "yaxis": {"title": {"text": "execution environment"}, "tickmode": "array",
                  "tickvals": vals, "ticktext": text,
                  "range": [max(rows, 1) - 0.5, lowest - 0.5], "zeroline": False},
        "hovermode": "closest",
    }
