"""Benchmark the environment board, timeline, concurrency chart and playback at scale.

For 1k / 10k / 100k invocations (one function, Poisson arrivals, a fixed 120 ms handler) it
prints: simulation time, ``timeline()`` build time and figure JSON size (what reaches the browser
through the ``plotly_mimetype`` renderer), the segments drawn, the same for
``concurrency_chart()``, and the kernel-side latency of an update after one more invoke —
``EnvironmentBoard.refresh()`` and ``Timeline.refresh()`` — as p50 / p95 over repetitions
(target ≤ 200 ms), plus the cost of one ``Playback`` frame (``seek``).

Run: ``.venv/bin/python bench/timeline.py`` (about half a minute; ``--quick`` for 1k/10k only).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("LAMBDAKIT_HEADLESS", "0")  # build the live Playback (Play + FigureWidget)

from lambdakit import Fixed, Platform, Poisson  # noqa: E402
from widgets.board import EnvironmentBoard  # noqa: E402
from widgets.concurrency import concurrency_chart  # noqa: E402
from widgets.playback import Playback  # noqa: E402
from widgets.timeline import Timeline, segment_counts, timeline  # noqa: E402

RATE_PER_S = 200.0
TARGET_MS = 200.0


def _platform(invocations: int, seed: int = 1) -> tuple[Platform, float]:
    p = Platform(seed=seed)
    p.create_function("api", lambda e, c: {"statusCode": 200}, duration=Fixed(120))
    start = time.perf_counter()
    p.run(Poisson(RATE_PER_S), function="api", duration_s=invocations / RATE_PER_S,
          progress=False)
    return p, time.perf_counter() - start


def _timed(fn: Callable[[], object]) -> tuple[object, float]:
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def _pct(samples: list[float]) -> str:
    a = np.asarray(samples) * 1000
    return f"p50 {np.percentile(a, 50):7.1f} ms  p95 {np.percentile(a, 95):7.1f} ms"


def bench_size(invocations: int, reps: int) -> None:
    p, sim_s = _platform(invocations)
    n = len(p.records("api"))
    print(f"\n== {n:,} invocations ({len(p.environments('api'))} environments), "
          f"simulated in {sim_s:.2f} s")
    fig, build_s = _timed(lambda: timeline(p, "api"))
    js, json_s = _timed(fig.to_json)  # type: ignore[attr-defined]
    drawn = sum(segment_counts(fig).values())  # type: ignore[arg-type]
    print(f"timeline()           build {build_s * 1000:7.1f} ms  to_json {json_s * 1000:6.1f} ms"
          f"  JSON {len(js) / 1e6:5.2f} MB  segments drawn {drawn:,}")  # type: ignore[arg-type]
    fig, build_s = _timed(lambda: concurrency_chart(p, "api"))
    js = fig.to_json()  # type: ignore[attr-defined]
    print(f"concurrency_chart()  build {build_s * 1000:7.1f} ms"
          f"                  JSON {len(js) / 1e6:5.2f} MB")
    board, _ = _timed(lambda: EnvironmentBoard(p, "api"))
    widget, _ = _timed(lambda: Timeline(p, "api"))
    board_t, timeline_t, both_t = [], [], []
    for _ in range(reps):
        p.advance(0.5)
        p.invoke("api", {})
        _, b = _timed(board.refresh)  # type: ignore[attr-defined]
        _, t = _timed(widget.refresh)  # type: ignore[attr-defined]
        board_t.append(b)
        timeline_t.append(t)
        both_t.append(b + t)
    print(f"board.refresh()      {_pct(board_t)}")
    print(f"Timeline.refresh()   {_pct(timeline_t)}")
    worst = np.percentile(np.asarray(both_t) * 1000, 95)
    verdict = "OK" if worst <= TARGET_MS else "OVER TARGET"
    print(f"invoke → both        {_pct(both_t)}   (target ≤ {TARGET_MS:.0f} ms: {verdict})")
    pb, build_s = _timed(lambda: Playback(p, "api"))
    frames = []
    for t in np.linspace(0, p.now, reps):
        _, s = _timed(lambda t=t: pb.seek(float(t)))  # type: ignore[attr-defined, misc]
        frames.append(s)
    print(f"Playback()           build {build_s * 1000:7.1f} ms;  one frame (seek) {_pct(frames)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="1k and 10k only")
    ap.add_argument("--reps", type=int, default=20, help="repetitions per latency figure")
    args = ap.parse_args()
    sizes = (1_000, 10_000) if args.quick else (1_000, 10_000, 100_000)
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; Poisson({RATE_PER_S:g}/s), "
          "Fixed(120 ms) handler; latency = kernel side only (no browser)")
    for size in sizes:
        bench_size(size, args.reps)


if __name__ == "__main__":
    main()
