"""EnvironmentBoard: one tile per environment, states and badges as lambdakit reports them."""

from __future__ import annotations

import re

import pytest
from widget_scenario import scenario, two_functions_with_pc

from lambdakit import Burst, Fixed, Platform
from widgets.board import (
    MAX_TILES,
    BoardHeader,
    EnvironmentBoard,
    Tile,
    board_state,
    render_board,
)

TILE_RE = re.compile(r'<div class="(lk-env-tile [^"]*)"[^>]*>(.*?)</div></div>', re.S)




def _tiles_html(board: EnvironmentBoard) -> list[tuple[str, str]]:
    return TILE_RE.findall(board.html.value)


def test_tiles_match_environments() -> None:
    p = scenario()
    board = EnvironmentBoard(p, "api")
    envs = p.environments("api")
    assert [(t.env_id, t.state, t.invocations, t.version, t.provisioned) for t in board.tiles] == [
        (e.id, e.state, e.invocations, e.version, e.provisioned) for e in envs
    ]
    states = sorted(e.state for e in envs)
    assert states == ["IDLE", "INVOKE", "SHUTDOWN", "SHUTDOWN"]
    html = board.html.value
    assert html.count('class="lk-env-tile ') == len(envs)
    for state in ("invoke", "idle", "shutdown"):
        expected = sum(e.state.lower() == state for e in envs)
        assert len(re.findall(rf'class="lk-env-tile lk-state-{state}\b', html)) == expected


def test_cold_and_warm_badges_and_latest_tile() -> None:
    p = scenario()
    tiles = dict((re.search(r"env (\d+)", body).group(1), (cls, body))  # type: ignore[union-attr]
                 for cls, body in _tiles_html(EnvironmentBoard(p, "api")))
    # env 3 served a cold start, then the most recent attempt: a warm hit
    cls3, body3 = tiles["3"]
    assert "lk-latest" in cls3 and "♨ warm" in body3 and "2 invocations" in body3
    cls2, body2 = tiles["2"]
    assert "lk-latest" not in cls2 and "❄ cold start" in body2
    assert sum("lk-latest" in cls for cls, _ in tiles.values()) == 1


def test_fresh_cold_start_is_the_latest_tile() -> None:
    p = Platform(seed=1)
    p.create_function("f", lambda e, c: None)
    p.invoke("f", {})
    ((cls, body),) = _tiles_html(EnvironmentBoard(p, "f"))
    assert "lk-latest" in cls and "❄ cold start" in body and "1 invocation<" in body


def test_header_shows_limits_and_throttles() -> None:
    p = scenario()
    board = EnvironmentBoard(p, "api")
    assert board.header == BoardHeader("api", 1000, 2, 1, p.now)
    head = board.html.value.split('<div class="lk-tiles">')[0]
    assert "account 1,000" in head and "reserved 2" in head and "1 throttled" in head
    assert "1 busy" in head and "1 frozen" in head and "2 shut down" in head


def test_refresh_follows_the_platform() -> None:
    p = scenario()
    board = EnvironmentBoard(p, "api")
    before = {t.env_id: t.invocations for t in board.tiles}
    p.advance(1)
    r = p.invoke("api", {})
    board.refresh()
    env = p.records("api")[r.record_index].env
    after = {t.env_id: t for t in board.tiles}
    assert after[env].invocations == before[env] + 1
    assert after[env].latest and after[env].last_cold is False
    assert [t.state for t in board.tiles] == [e.state for e in p.environments("api")]


def test_provisioned_flag_and_all_functions_scope() -> None:
    p = two_functions_with_pc()
    tiles, header = board_state(p)
    assert header.function is None and header.reserved is None
    assert sorted((t.function, t.provisioned) for t in tiles) == [
        ("a", False), ("b", True), ("b", True)]
    html = EnvironmentBoard(p).html.value
    assert html.count("⚡ provisioned") == 2 and "all functions" in html


def test_empty_board_says_so() -> None:
    p = Platform(seed=1)
    p.create_function("f", lambda e, c: None)
    board = EnvironmentBoard(p, "f")
    assert board.tiles == [] and "No execution environment yet" in board.html.value


def test_tiles_are_capped_live_ones_first() -> None:
    tiles = [Tile(i, "f", "$LATEST", "SHUTDOWN" if i % 2 else "IDLE", 1, False, True)
             for i in range(5000)]
    head = BoardHeader("f", 1000, None, 0, 1.0)
    html = render_board(tiles, head)  # how fast: bench/hot_paths.py
    assert html.count('class="lk-env-tile ') == MAX_TILES
    assert html.count("lk-env-tile lk-state-idle") == MAX_TILES  # 2,500 live ones come first
    assert "+4,800 more (2,500 shut down)" in html
    assert "2,500 frozen · 2,500 shut down" in html


def test_large_platform_board_caps_its_tiles() -> None:  # how fast: bench/hot_paths.py
    p = Platform(seed=5)
    p.create_function("f", lambda e, c: None, duration=Fixed(200))
    p.run(Burst(1000), function="f", duration_s=1.0, progress=False)
    board = EnvironmentBoard(p, "f")
    board.refresh()
    assert len(board.tiles) == 1000
    assert board.html.value.count('class="lk-env-tile ') == MAX_TILES
    assert "+800 more" in board.html.value


def test_unknown_function_is_an_error() -> None:
    p = Platform(seed=1)
    with pytest.raises(Exception, match="nope"):
        EnvironmentBoard(p, "nope")
