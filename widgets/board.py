"""The environment board: one tile per execution environment, as lambdakit reports them.

A tile shows the environment's state — ``INIT`` (initialising: a cold start), ``INVOKE``
(busy with one request), ``IDLE`` (frozen between requests) or ``SHUTDOWN`` (phases after
facts §1.1 [S1]; one request at a time per environment [S7][S3]) — with its version, the
invocations it served and whether it is provisioned. Its latest attempt reads "❄ cold start"
(the attempt paid Init, the first request of an environment [S2:python-logging.md]) or
"♨ warm"; the tile that served the platform's most recent attempt is outlined. The header
shows the concurrency limit (account, and reserved when set [S2:configuration-concurrency.md])
and how many requests were throttled.

Tiles carry the CSS classes ``lk-env-tile lk-state-<state>`` (state in lower case, e.g.
``lk-state-invoke``) so a browser test can count them. At most ``max_tiles`` are drawn (live
ones first), then "+N more".

Example:
    >>> from lambdakit import Platform
    >>> p = Platform(seed=1)
    >>> _ = p.create_function("hi", lambda e, c: "ok")
    >>> _ = p.invoke("hi", {})
    >>> board = EnvironmentBoard(p, "hi")
    >>> [(t.env_id, t.state, t.invocations, t.last_cold) for t in board.tiles]
    [(0, 'IDLE', 1, True)]
    >>> board.html.value.count('class="lk-env-tile lk-state-idle')
    1
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import ipywidgets as ipw
import numpy as np

if TYPE_CHECKING:
    from lambdakit import EnvironmentView, Platform

__all__ = ["BoardHeader", "EnvironmentBoard", "Tile", "board_state", "render_board"]

MAX_TILES = 200
STATES = ("INIT", "INVOKE", "IDLE", "SHUTDOWN")
_LABELS = {"INIT": "initialising", "INVOKE": "busy", "IDLE": "frozen", "SHUTDOWN": "shut down"}


@dataclass(frozen=True, slots=True)
class Tile:
    """What one tile shows: an execution environment at one moment."""

    env_id: int
    function: str
    version: str
    state: str  # INIT | INVOKE | IDLE | SHUTDOWN
    invocations: int  # attempts it served (started) so far
    provisioned: bool
    last_cold: bool | None  # its latest attempt was a cold start; None before any
    latest: bool = False  # it served the most recent attempt of the board's scope
    detail: str = ""  # tooltip text


@dataclass(frozen=True, slots=True)
class BoardHeader:
    """The board's header line."""

    function: str | None
    account_limit: int
    reserved: int | None
    throttles: int
    time_s: float


def board_state(platform: Platform, function: str | None = None) -> tuple[list[Tile], BoardHeader]:
    """Tiles and header for the platform *now*, from ``p.environments()`` and ``p.records()``.

    >>> from lambdakit import Platform
    >>> p = Platform(seed=2)
    >>> _ = p.create_function("f", lambda e, c: 1)
    >>> tiles, head = board_state(p, "f")
    >>> tiles, head.throttles, head.account_limit
    ([], 0, 1000)
    """
    envs = platform.environments(function)
    table = platform.records(function)
    env_col = table.column("env")
    cold_col = table.column("cold")
    ran = np.flatnonzero(env_col >= 0)
    last_cold: dict[int, bool] = {}
    if len(ran):
        # the last attempt per environment: first occurrence in the reversed order
        rev = ran[::-1]
        ids, first = np.unique(env_col[rev], return_index=True)
        last_cold = dict(zip(ids.tolist(), cold_col[rev[first]].tolist(), strict=True))
    latest_env = int(env_col[ran[-1]]) if len(ran) else -1
    tiles = [
        Tile(e.id, e.function, e.version, e.state, e.invocations, e.provisioned,
             last_cold.get(e.id), e.id == latest_env, _detail(e))
        for e in envs
    ]
    throttles = int(np.count_nonzero(table.column("outcome") == "throttled"))
    return tiles, header_for(platform, function, throttles, platform.now)


def header_for(platform: Platform, function: str | None, throttles: int,
               time_s: float) -> BoardHeader:
    """The header of ``function``'s board (limits from the platform's configuration)."""
    reserved = None
    if function is not None:
        reserved = platform.get_function(function).reserved_concurrency
    return BoardHeader(function, platform.account_concurrency, reserved, throttles, time_s)


def render_board(tiles: Sequence[Tile], header: BoardHeader, *, max_tiles: int = MAX_TILES,
                 note: str = "") -> str:
    """The board as one HTML fragment (header, tiles, "+N more").

    >>> h = BoardHeader("f", 1000, None, 3, 12.5)
    >>> out = render_board([Tile(0, "f", "$LATEST", "INVOKE", 1, False, True, True)], h)
    >>> "lk-state-invoke" in out, "❄ cold start" in out, "3 throttled" in out
    (True, True, True)
    """
    ordered = sorted(tiles, key=_order)
    shown = ordered[:max_tiles]
    counts = {s: 0 for s in STATES}
    for t in tiles:
        counts[t.state] = counts.get(t.state, 0) + 1
    parts = [_STYLE, '<div class="lk-board">', _header_html(header, counts, note),
             '<div class="lk-tiles">']
    parts.extend(_tile_html(t) for t in shown)
    hidden = len(ordered) - len(shown)
    if hidden > 0:
        gone = sum(1 for t in ordered[max_tiles:] if t.state == "SHUTDOWN")
        parts.append(f'<div class="lk-more">+{hidden:,} more ({gone:,} shut down)</div>')
    if not tiles:
        parts.append('<div class="lk-empty">No execution environment yet: '
                     "the first request will cold-start one.</div>")
    parts.append("</div></div>")
    return "".join(parts)


class EnvironmentBoard(ipw.VBox):
    """A live board of a platform's execution environments; call ``.refresh()`` after
    invoking (or pass it as an ``on_fire`` callback)."""

    def __init__(self, platform: Platform, function: str | None = None, *,
                 max_tiles: int = MAX_TILES) -> None:
        self.html = ipw.HTML()
        super().__init__([self.html])
        self.add_class("lk-env-board")
        self._platform = platform
        self._function = function
        self._max_tiles = max_tiles
        self.tiles: list[Tile] = []
        self.header: BoardHeader | None = None
        self.refresh()

    def refresh(self) -> None:
        """Re-render from the platform's current environments and records."""
        tiles, header = board_state(self._platform, self._function)
        self.show(tiles, header)

    def show(self, tiles: Sequence[Tile], header: BoardHeader, note: str = "") -> None:
        """Render the given tiles (e.g. a reconstructed past moment, see ``Playback``)."""
        self.tiles = list(tiles)
        self.header = header
        self.html.value = render_board(self.tiles, header, max_tiles=self._max_tiles, note=note)


# -- rendering helpers -------------------------------------------------------------------------
def _order(t: Tile) -> tuple[int, int]:
    """Live environments first (oldest first), then shut-down ones (newest first)."""
    return (1, -t.env_id) if t.state == "SHUTDOWN" else (0, t.env_id)


def _detail(e: EnvironmentView) -> str:
    text = f"created at {e.created_at:.3f} s"
    if e.shutdown_at is not None:
        text += f"; shut down at {e.shutdown_at:.3f} s ({e.shutdown_reason})"
    return f"{text}; log stream {e.log_stream}" if e.log_stream else text


def _header_html(h: BoardHeader, counts: dict[str, int], note: str) -> str:
    scope = html.escape(h.function) if h.function is not None else "all functions"
    limit = f"account {h.account_limit:,}"
    if h.reserved is not None:
        limit += f" · reserved {h.reserved:,}"
    states = " · ".join(f"{counts.get(s, 0):,} {_LABELS[s]}" for s in STATES)
    extra = f' <span class="lk-note">{html.escape(note)}</span>' if note else ""
    return (f'<div class="lk-board-header"><b>{scope}</b> · t = {h.time_s:,.3f} s · '
            f"concurrency limit: {limit} · "
            f'<span class="lk-throttled">{h.throttles:,} throttled</span>'
            f'<br><span class="lk-counts">{states}</span>{extra}</div>')


def _tile_html(t: Tile) -> str:
    classes = f"lk-env-tile lk-state-{t.state.lower()}"
    if t.latest:
        classes += " lk-latest"
    if t.last_cold is None:
        badge = ""
    elif t.last_cold:
        badge = '<div class="lk-badge lk-cold">❄ cold start</div>'
    else:
        badge = '<div class="lk-badge lk-warm">♨ warm</div>'
    prov = '<div class="lk-prov">⚡ provisioned</div>' if t.provisioned else ""
    plural = "" if t.invocations == 1 else "s"
    return (f'<div class="{classes}" title="{html.escape(t.detail)}">'
            f'<div class="lk-env-id">env {t.env_id} · {html.escape(t.version)}</div>'
            f'<div class="lk-env-state">{t.state} <small>{_LABELS.get(t.state, "")}</small></div>'
            f"<div>{t.invocations:,} invocation{plural}</div>{prov}{badge}</div>")


_STYLE = """<style>
.lk-board{font-family:var(--jp-ui-font-family,sans-serif);font-size:12px}
.lk-board-header{margin:2px 0 6px}
.lk-throttled{color:#b91c1c;font-weight:600}
.lk-tiles{display:flex;flex-wrap:wrap;gap:4px}
.lk-env-tile{width:118px;padding:4px 6px;border:2px solid #94a3b8;border-radius:6px;
 background:#f1f5f9;line-height:1.35}
.lk-env-id{font-weight:600}
.lk-state-init{background:#dbeafe;border-color:#2563eb}
.lk-state-invoke{background:#dcfce7;border-color:#16a34a}
.lk-state-idle{background:#f1f5f9;border-color:#94a3b8}
.lk-state-shutdown{background:#fafafa;border-style:dashed;border-color:#d4d4d4;opacity:.55}
.lk-latest{box-shadow:0 0 0 3px #f59e0b}
.lk-badge{font-weight:600}
.lk-cold{color:#1d4ed8}
.lk-warm{color:#c2410c}
.lk-prov{color:#7c3aed}
.lk-more,.lk-empty{align-self:center;color:#64748b;padding:4px}
</style>"""
