"""Play a finished simulation forward: watch environments appear, scale out, freeze and expire.

``History`` shows what the environment board showed at any past moment ``t``: lambdakit's
:class:`~lambdakit.observers.history.EnvironmentHistory` says which state each environment was
in (from the records and the one lifecycle rule); this module only draws the tiles.

``Playback`` shows a board and a small timeline at the playback time. In a live notebook a
``Play`` widget (a front-end timer: the kernel never sleeps or loops) advances the time slider;
``speed`` is virtual seconds per real second. When the notebook runs headless (papermill,
nbval, a script; see :mod:`widgets._live`) it shows the final state at once and never blocks.

Example:
    >>> from lambdakit import Platform, Fixed
    >>> p = Platform(seed=1)
    >>> _ = p.create_function("api", lambda e, c: "ok", duration=Fixed(100))
    >>> _ = p.invoke("api", {}); p.advance(5); _ = p.invoke("api", {})
    >>> h = History(p, "api")
    >>> [(t.env_id, t.state, t.invocations) for t in h.state_at(0.05)[0]]
    [(0, 'INIT', 1)]
    >>> [(t.env_id, t.state, t.invocations) for t in h.state_at(3.0)[0]]
    [(0, 'IDLE', 1)]
    >>> pb = Playback(p, "api")  # headless here (no kernel): the final state, at once
    >>> pb.time_s == p.now, pb.play is None
    (True, True)
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import ipywidgets as ipw

from lambdakit.observers.history import EnvironmentHistory
from widgets._live import headless_reason
from widgets.board import BoardHeader, EnvironmentBoard, Tile, header_for
from widgets.timeline import timeline

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from lambdakit import Platform

__all__ = ["History", "Playback"]

PLAYBACK_MAX_BARS = 2000  # the small timeline beside the board stays light


class History:
    """The board at any past time: tiles built from lambdakit's
    :class:`~lambdakit.observers.history.EnvironmentHistory` (which applies the lifecycle)."""

    def __init__(self, platform: Platform, function: str | None = None) -> None:
        self._platform = platform
        self._function = function
        self._history = EnvironmentHistory(platform, function)
        self.end_s = self._history.end_s

    def alive_at(self, t: float) -> list[int]:
        """Ids of the environments that exist and are not shut down at ``t``."""
        return self._history.alive_at(t)

    def state_at(self, t: float) -> tuple[list[Tile], BoardHeader]:
        """Board tiles and header as they were at virtual time ``t``."""
        tiles = [Tile(s.env_id, s.view.function, s.view.version, s.state, s.invocations,
                      s.view.provisioned, s.last_cold, s.latest,
                      f"created at {s.view.created_at:.3f} s")
                 for s in self._history.at(t)]
        return tiles, header_for(self._platform, self._function,
                                 self._history.throttles_by(t), t)


class Playback(ipw.VBox):
    """Replay a finished simulation: a board and a small timeline at the playback time.

    Args:
        platform: the platform whose (finished) simulation to replay.
        function: one function, or ``None`` for all.
        speed: virtual seconds per real second while playing (0.1–10,000).
        interval_ms: real milliseconds between two frames of the ``Play`` widget.
    """

    def __init__(self, platform: Platform, function: str | None = None, speed: float = 10.0,
                 *, interval_ms: int = 100, max_tiles: int = 200) -> None:
        if not 0.1 <= speed <= 10_000:
            raise ValueError(f"speed={speed!r} is not valid: must be 0.1–10,000 virtual s per s")
        self.history = History(platform, function)
        self.headless_reason = headless_reason()
        self.headless = self.headless_reason is not None
        self.board = EnvironmentBoard(platform, function, max_tiles=max_tiles)
        self.clock = ipw.HTML()
        self.time_s = 0.0
        self._interval_ms = interval_ms
        self._figure: go.Figure | None = None
        self._seeking = False
        self._platform, self._function = platform, function
        self.play: ipw.Play | None = None
        self.time_slider: ipw.IntSlider | None = None
        self.speed_slider: ipw.FloatLogSlider | None = None
        self.timeline_view: go.FigureWidget | None = None
        end_ms = int(math.ceil(self.history.end_s * 1000))
        if self.headless:
            super().__init__([self.clock, self.board])
            self.seek(self.history.end_s)
            return
        import plotly.graph_objects as go

        self.play = ipw.Play(value=0, min=0, max=end_ms, interval=interval_ms,
                             step=self._step(speed), description="Play", show_repeat=False)
        self.time_slider = ipw.IntSlider(value=0, min=0, max=end_ms, readout=False,
                                         description="time", layout=ipw.Layout(width="55%"))
        ipw.jslink((self.play, "value"), (self.time_slider, "value"))
        self.speed_slider = ipw.FloatLogSlider(value=speed, base=10, min=-1, max=4, step=0.1,
                                              description="speed ×", readout_format=".3g")
        self.speed_slider.observe(self._on_speed, names="value")
        self.time_slider.observe(self._on_time, names="value")
        fig = timeline(platform, function, max_bars=PLAYBACK_MAX_BARS)
        fig.update_layout(height=min(fig.layout.height or 300, 320), title=None,
                          margin={"t": 30}, shapes=_cursor(0.0, self.history.end_s))
        self.timeline_view = go.FigureWidget(fig)
        controls = ipw.HBox([self.play, self.time_slider, self.speed_slider])
        super().__init__([controls, self.clock, self.board, self.timeline_view])
        self.add_class("lk-playback")
        self.seek(0.0)

    def seek(self, t: float) -> None:
        """Show the state at virtual time ``t`` (clamped to the simulation's span)."""
        t = min(max(float(t), 0.0), self.history.end_s)
        self.time_s = t
        tiles, header = self.history.state_at(t)
        note = "" if not self.headless else "final state (headless run: no playback)"
        self.board.show(tiles, header, note=note)
        self.clock.value = (f"<b>t = {t:,.3f} s</b> of {self.history.end_s:,.3f} s · "
                            f"{sum(x.state != 'SHUTDOWN' for x in tiles)} environments alive")
        if self.timeline_view is not None:
            with self.timeline_view.batch_update():
                shapes = self.timeline_view.layout.shapes
                shapes[0].x0 = t
                shapes[1].x0 = shapes[1].x1 = t
        if self.time_slider is not None and not self._seeking:
            self._seeking = True
            try:
                self.time_slider.value = int(round(t * 1000))
            finally:
                self._seeking = False

    @property
    def figure(self) -> go.Figure:
        """The timeline shown beside the board (static in a headless run)."""
        if self.timeline_view is not None:
            return self.timeline_view
        if self._figure is None:
            self._figure = timeline(self._platform, self._function, max_bars=PLAYBACK_MAX_BARS)
        return self._figure

    def _ipython_display_(self) -> None:
        """Live: the widget. Headless: plain HTML + a plotly figure, which still render
        when the executed notebook is opened later (widget state is not stored)."""
        from IPython.display import HTML, display

        if not self.headless:
            display(self._repr_mimebundle_(), raw=True)
            return
        display(HTML(self.clock.value + self.board.html.value))
        display(self.figure)

    def _step(self, speed: float) -> int:
        return max(1, int(round(speed * self._interval_ms)))  # virtual ms per frame

    def _on_speed(self, change: dict[str, Any]) -> None:
        if self.play is not None:
            self.play.step = self._step(float(change["new"]))

    def _on_time(self, change: dict[str, Any]) -> None:
        if not self._seeking:
            self._seeking = True
            try:
                self.seek(int(change["new"]) / 1000.0)
            finally:
                self._seeking = False


def _cursor(t: float, end: float) -> list[dict[str, Any]]:
    """Shapes: a veil over the future (x > t) and a cursor line at t."""
    return [
        {"type": "rect", "xref": "x", "yref": "paper", "x0": t, "x1": max(end, 1e-3) * 1.02,
         "y0": 0, "y1": 1, "fillcolor": "white", "opacity": 0.8, "line": {"width": 0},
         "layer": "above"},
        {"type": "line", "xref": "x", "yref": "paper", "x0": t, "x1": t, "y0": 0, "y1": 1,
         "line": {"color": "#f59e0b", "width": 2}},
    ]
