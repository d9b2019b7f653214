"""Hot-path benchmark: the timings that used to be asserted in unit tests, printed instead.

Each line is the best and the median of a few repetitions against its target (machines here
are noisy: a figure over target on a loaded machine is a reason to re-run, not a failure).

- ``Poisson(1000).arrival_times`` for one hour (3.6 M arrivals)      target ≤ 0.3 s
- the tiers model (chapter 01) serving 100,000 requests              target ≤ 2 s
- ``render_board`` of 5,000 tiles (capped to what the board draws)   target ≤ 0.5 s
- ``EnvironmentBoard`` built over 1,000 environments                 target ≤ 1 s
- a headless ``Playback`` (final state at once)                      target ≤ 2 s
- a ``while True: pass`` handler stopped by the watchdog (0.5 s)     target ≤ 5 s

Usage: python bench/hot_paths.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["LAMBDAKIT_HEADLESS"] = "1"

from lambdakit import Burst, Fixed, Platform, Poisson  # noqa: E402
from lambdakit.models.tiers import ServiceModel  # noqa: E402
from widgets.board import BoardHeader, EnvironmentBoard, Tile, render_board  # noqa: E402
from widgets.playback import Playback  # noqa: E402


def _poisson_hour() -> Callable[[], object]:
    return lambda: Poisson(1000.0).arrival_times(np.random.default_rng(0), 3600.0)


def _tiers() -> Callable[[], object]:
    model = ServiceModel(seed=1).kill("app-2", 30.0).add_servers(2, 60.0)
    return lambda: model.run(Poisson(1000), duration_s=100.0)


def _render_board() -> Callable[[], object]:
    tiles = [Tile(i, "f", "$LATEST", "SHUTDOWN" if i % 2 else "IDLE", 1, False, True)
             for i in range(5000)]
    head = BoardHeader("f", 1000, None, 0, 1.0)
    return lambda: render_board(tiles, head)


def _burst_platform() -> Platform:
    p = Platform(seed=5)
    p.create_function("f", lambda e, c: None, duration=Fixed(200))
    p.run(Burst(1000), function="f", duration_s=1.0, progress=False)
    return p


def _board() -> Callable[[], object]:
    p = _burst_platform()
    return lambda: EnvironmentBoard(p, "f").refresh()


def _playback() -> Callable[[], object]:
    p = _burst_platform()
    return lambda: Playback(p, "f", speed=1.0)


def _watchdog() -> Callable[[], object]:
    p = Platform(seed=5, wall_limit_s=0.5)
    p.create_function("loop", "app.handler", timeout_s=900,
                      source="def handler(event, context):\n    while True:\n        pass\n")
    return lambda: p.invoke("loop")


CASES: list[tuple[str, Callable[[], Callable[[], object]], float]] = [
    ("Poisson 1,000/s for an hour", _poisson_hour, 0.3),
    ("tiers model, 100k requests", _tiers, 2.0),
    ("render_board, 5,000 tiles", _render_board, 0.5),
    ("EnvironmentBoard, 1,000 envs", _board, 1.0),
    ("headless Playback", _playback, 2.0),
    ("watchdog stops while True", _watchdog, 5.0),
]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    for name, setup, target in CASES:
        run = setup()
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            run()
            times.append(time.perf_counter() - t0)
        best, median = min(times), statistics.median(times)
        verdict = "OK" if best <= target else "MISSED"
        print(f"{name:32s} best {best:7.3f} s  median {median:7.3f} s  "
              f"(target ≤ {target} s) {verdict}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
