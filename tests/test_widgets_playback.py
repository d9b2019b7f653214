"""Playback: state at time t from the records, headless vs live, and the headless rule."""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import numpy as np
import plotly.graph_objects as go
import pytest
from widget_scenario import scenario

from lambdakit import Platform
from widgets import _live
from widgets.board import board_state
from widgets.playback import History, Playback
from widgets.timeline import segment_counts


@pytest.fixture
def headless(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAMBDAKIT_HEADLESS", "1")


@pytest.fixture
def live(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAMBDAKIT_HEADLESS", "0")


def _moments(p: Platform) -> list[float]:
    """Every lifecycle boundary, just before and after it, plus a grid."""
    df = p.records("api").to_dataframe()
    marks = [*df.start_s, *(df.start_s + df.init_ms / 1000), *df.end_s]
    for e in p.environments("api"):
        marks += [e.created_at] + ([e.shutdown_at] if e.shutdown_at is not None else [])
    out = [m + d for m in marks for d in (-1e-6, 0.0, 1e-6)]
    return sorted(t for t in [*out, *np.linspace(0, p.now, 50)] if 0 <= t <= p.now)


def test_alive_at_matches_environment_lifetimes() -> None:
    p = scenario()
    h = History(p, "api")
    envs = p.environments("api")
    for t in _moments(p):
        expected = [e.id for e in envs if e.created_at <= t
                    and (e.shutdown_at is None or t < e.shutdown_at)]
        assert h.alive_at(t) == expected, t
        tiles, _ = h.state_at(t)
        assert [x.env_id for x in tiles if x.state != "SHUTDOWN"] == expected, t


def test_states_through_the_story() -> None:
    p = scenario()
    h = History(p, "api")
    df = p.records("api").to_dataframe()
    first, timeout = df.iloc[0], df[df.outcome == "timeout"].iloc[0]

    def states(t: float) -> dict[int, str]:
        return {x.env_id: x.state for x in h.state_at(t)[0]}

    assert states(first.init_ms / 2000) == {0: "INIT"}  # the cold start
    assert states(first.end_s - 1e-6) == {0: "INVOKE"}
    second = h.state_at(first.end_s + 1e-6)[0]  # sync invokes run back to back: a warm hit
    assert [(x.state, x.invocations, x.last_cold) for x in second] == [("INVOKE", 2, False)]
    assert states(timeout.start_s + 2.0) == {0: "INVOKE"}  # still running into its timeout
    assert states(timeout.end_s + 0.01)[0] == "SHUTDOWN"  # reset after the timeout
    env1 = next(e for e in p.environments("api") if e.id == 1)
    assert states(env1.shutdown_at - 1)[1] == "IDLE"  # frozen between requests
    assert states(env1.shutdown_at)[1] == "SHUTDOWN"  # keep-alive expired (60 s idle)
    assert states(0.0) == {0: "INIT"}


def test_final_state_equals_the_live_board() -> None:
    p = scenario()
    tiles, header = History(p, "api").state_at(p.now)
    now_tiles, now_header = board_state(p, "api")
    key = [(t.env_id, t.state, t.invocations, t.last_cold, t.latest) for t in tiles]
    assert key == [(t.env_id, t.state, t.invocations, t.last_cold, t.latest) for t in now_tiles]
    assert header == now_header


def test_throttles_and_latest_attempt_over_time() -> None:
    p = scenario()
    h = History(p, "api")
    df = p.records("api").to_dataframe()
    t_thr = float(df[df.outcome == "throttled"].start_s.iloc[0])
    assert h.state_at(t_thr - 1e-6)[1].throttles == 0
    assert h.state_at(t_thr)[1].throttles == 1
    tiles = h.state_at(5.0)[0]  # env 1 just cold-started after env 0's reset
    latest = [x for x in tiles if x.latest]
    assert [(x.env_id, x.last_cold) for x in latest] == [(1, True)]


def test_headless_playback_renders_the_final_state_at_once(headless: None) -> None:
    p = scenario()
    pb = Playback(p, "api", speed=1.0)  # how fast: bench/hot_paths.py
    assert pb.headless and pb.headless_reason == "LAMBDAKIT_HEADLESS=1"
    assert pb.play is None and pb.timeline_view is None and pb.time_s == p.now
    assert [(t.env_id, t.state) for t in pb.board.tiles] == [
        (e.id, e.state) for e in p.environments("api")]
    assert "final state" in pb.board.html.value
    assert isinstance(pb.figure, go.Figure) and segment_counts(pb.figure)["timeout"] == 1


def test_live_playback_follows_the_time_slider(live: None) -> None:
    p = scenario()
    pb = Playback(p, "api", speed=10.0, interval_ms=100)
    assert not pb.headless and pb.play is not None and pb.time_slider is not None
    assert pb.play.max == math.ceil(p.now * 1000) and pb.play.step == 1000  # 10 s/s × 100 ms
    assert pb.time_s == 0.0 and [t.state for t in pb.board.tiles] == ["INIT"]
    pb.time_slider.value = 5000  # what the front-end Play timer does
    assert pb.time_s == 5.0
    assert [(t.env_id, t.state) for t in pb.board.tiles] == [(0, "SHUTDOWN"), (1, "IDLE")]
    assert pb.timeline_view is not None
    assert pb.timeline_view.layout.shapes[1].x0 == 5.0  # the cursor moved
    pb.speed_slider.value = 100.0  # type: ignore[union-attr]
    assert pb.play.step == 10_000
    pb.seek(1e9)
    assert pb.time_s == p.now and pb.time_slider.value == round(p.now * 1000)


def test_speed_is_validated(headless: None) -> None:
    with pytest.raises(ValueError, match="speed"):
        Playback(scenario(), "api", speed=0)


# -- the headless rule (widgets/_live.py) ---------------------------------------------------------
def _kernel(allow_stdin: bool | None) -> Any:
    content = {} if allow_stdin is None else {"allow_stdin": allow_stdin}
    parent = {"header": {"msg_type": "execute_request"}, "content": content}
    return SimpleNamespace(get_parent=lambda channel=None: parent)


@pytest.mark.parametrize(("env", "kernel", "frontend", "reason"), [
    ({"LAMBDAKIT_HEADLESS": "1"}, _kernel(True), True, "LAMBDAKIT_HEADLESS=1"),
    ({"LAMBDAKIT_HEADLESS": "off"}, None, False, None),
    ({"PAPERMILL_EXECUTION": "x"}, _kernel(True), False, "PAPERMILL_EXECUTION is set"),
    ({}, None, False, "no IPython kernel"),
    ({}, _kernel(False), False, "executed without stdin (papermill, nbconvert or nbval)"),
    ({}, _kernel(False), True, None),  # a widget front end is connected
    ({}, _kernel(True), False, None),  # JupyterLab sends allow_stdin=True
    ({"CI": "true"}, _kernel(True), False, None),  # CI alone is not headless (browser tests)
])
def test_headless_rule(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], kernel: Any,
                       frontend: bool, reason: str | None) -> None:
    for var in ("LAMBDAKIT_HEADLESS", "PAPERMILL_EXECUTION", "CI"):
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    monkeypatch.setattr(_live, "_kernel", lambda: kernel)
    monkeypatch.setattr(_live, "_widget_frontend_connected", lambda: frontend)
    assert _live.headless_reason() == reason
    assert _live.is_headless() is (reason is not None)


def test_no_kernel_here_means_headless(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LAMBDAKIT_HEADLESS", raising=False)
    monkeypatch.delenv("PAPERMILL_EXECUTION", raising=False)
    assert _live._kernel() is None and _live.is_headless()


def test_headless_display_is_plain_html_and_a_figure(headless: None,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import IPython.display

    shown: list[Any] = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append(obj))
    p = scenario()
    Playback(p, "api")._ipython_display_()
    html, fig = shown
    assert html.data.count('class="lk-env-tile ') == len(p.environments("api"))
    assert isinstance(fig, go.Figure) and not isinstance(fig, go.FigureWidget)


def test_live_playback_of_an_empty_platform(live: None) -> None:
    p = Platform(seed=1)
    p.create_function("f", lambda e, c: None)
    pb = Playback(p, "f")
    assert pb.play is not None and pb.play.max == 0
    assert pb.board.tiles == [] and "No execution environment yet" in pb.board.html.value
