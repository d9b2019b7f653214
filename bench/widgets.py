"""Kernel-side latency of widget interactions (target: p95 <= 200 ms).

1. Fire an event through the :class:`~widgets.events_panel.EventPanel` with a log viewer,
   an environment board and a timeline attached (each refreshes after the fire), on a platform
   with some history. Measured: the whole click handler (invoke + every refresh), for a
   synchronous source (HTTP request) and an asynchronous one (S3 upload).
2. Re-price the :class:`~widgets.cost.CostCalculator` after a slider change (bill, server,
   break-even, chart).

Only the kernel's share is measured (Python work until the widgets' new state is set); the
browser's round trip adds ~0.15-0.25 s (JUPYTER-NOTES.md). Widgets that are not in the tree
yet (board, timeline) are skipped and named.

Run: ``.venv/bin/python bench/widgets.py [--reps 50] [--history 0 1000]``
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":  # run as a script: bench/ is sys.path[0] and this file would
    _HERE = os.path.dirname(os.path.abspath(__file__))  # shadow the ``widgets`` package
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
    sys.path.insert(0, os.path.dirname(_HERE))

import argparse  # noqa: E402
import importlib  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from lambdakit import Fixed, Platform, Poisson  # noqa: E402
from widgets.cost import CostCalculator  # noqa: E402
from widgets.events_panel import EventPanel  # noqa: E402
from widgets.logs import LogViewer  # noqa: E402

TARGET_MS = 200.0
_OPTIONAL_VIEWS = (("widgets.board", "EnvironmentBoard"), ("widgets.timeline", "Timeline"))


def _handler(event: Any, context: Any) -> dict[str, int]:
    print("handled", context.aws_request_id)
    return {"statusCode": 200}


def _platform(history: int) -> Platform:
    """A function with ``history`` earlier invocations (their records and log lines)."""
    p = Platform(seed=1)
    p.create_function("api", _handler, memory_mb=256, duration=Fixed(40))
    if history:
        p.run(Poisson(history / 60), function="api", duration_s=60, progress=False)
        p.advance(5)
    return p


def _views(p: Platform) -> tuple[list[tuple[str, Callable[[], Any]]], list[str]]:
    """(name, refresh) of every view to attach, and the names of the views not available."""
    views: list[tuple[str, Callable[[], Any]]] = [("LogViewer", LogViewer(p, "api").refresh)]
    missing = []
    for module, name in _OPTIONAL_VIEWS:
        try:
            cls = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            missing.append(f"{module}.{name}")
            continue
        views.append((name, cls(p, "api").refresh))
    return views, missing


def _timed(fn: Callable[[], Any], times: list[float]) -> Callable[[], Any]:
    def wrapper() -> Any:
        t0 = time.perf_counter()
        try:
            return fn()
        finally:
            times.append((time.perf_counter() - t0) * 1000)
    return wrapper


def _stats(ms: list[float]) -> str:
    a = np.asarray(ms)
    p95 = float(np.percentile(a, 95))
    flag = "ok" if p95 <= TARGET_MS else f"OVER {TARGET_MS:g} ms"
    return (f"p50 {np.percentile(a, 50):7.1f} ms  p95 {p95:7.1f} ms  max {a.max():7.1f} ms"
            f"  (n={len(a)}) {flag}")


def bench_fire(history: int, reps: int, source: str) -> list[str]:
    """Latency of pressing Fire with every available view attached and refreshing."""
    p = _platform(history)
    views, missing = _views(p)
    per_view: dict[str, list[float]] = {name: [] for name, _ in views}
    callbacks = [_timed(refresh, per_view[name]) for name, refresh in views]
    panel = EventPanel(p, "api", on_fire=callbacks)
    panel.buttons[source].click()
    total: list[float] = []
    for _ in range(reps):
        p.advance(1.0)  # a second between clicks: warm reuse, as a learner would see it
        t0 = time.perf_counter()
        panel.fire_button.click()
        total.append((time.perf_counter() - t0) * 1000)
        if panel.last is None or not panel.last.fired:
            raise RuntimeError(f"fire failed: {panel.last}")
    out = [f"fire {source!r}, {history} earlier invocations: {_stats(total)}"]
    out += [f"    of which {name}.refresh: {_stats(ms)}" for name, ms in per_view.items()]
    if missing:
        out.append(f"    not benchmarked (not in the tree yet): {', '.join(missing)}")
    return out


def bench_cost(reps: int) -> list[str]:
    """Latency of one slider change on the cost calculator (full re-price and redraw)."""
    calc = CostCalculator()
    values = np.logspace(4, 9, reps)
    ms = []
    for v in values:
        t0 = time.perf_counter()
        calc.requests.value = float(v)
        ms.append((time.perf_counter() - t0) * 1000)
    mem = []
    for i in range(reps):
        t0 = time.perf_counter()
        calc.memory_mb.value = 128 + 64 * (i % 100)
        mem.append((time.perf_counter() - t0) * 1000)
    return [f"cost calculator, requests slider: {_stats(ms)}",
            f"cost calculator, memory slider:   {_stats(mem)}"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--history", type=int, nargs="+", default=[0, 1000])
    args = parser.parse_args(argv)
    print(f"kernel-side widget latency, {args.reps} repetitions each "
          f"(target p95 <= {TARGET_MS:g} ms)")
    for history in args.history:
        for source in ("HTTP request", "S3 upload"):
            print("\n".join(bench_fire(history, args.reps, source)))
    print("\n".join(bench_cost(args.reps)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
