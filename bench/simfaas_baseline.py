"""SimFaaS side of the simulator benchmark: run SimFaaS 0.2.2 on the reference scenario.

Scenario: Poisson arrivals, exponential service times (a cold request's whole service time is
drawn from the cold distribution, it is not added to a warm one), an instance expires exactly
`expiration_s` after the end of its last request, and an arrival goes to the idle instance with
the latest *creation* time (SimFaaS's ``schedule_warm_instance``). Figures are SimFaaS's own:

- cold_start_prob: cold requests / all requests (``get_cold_start_prob``), no warm-up skipped;
- avg_total, avg_busy, avg_idle: time-weighted instance counts over [0, end of run], where the
  end is the first event at or after ``sim_time_s``; the run starts empty, nothing is skipped.
  "busy" is SimFaaS's "running": instances serving a request, cold ones included.

Run ``python bench/simfaas_baseline.py`` to print five seeds at the full scenario (~1 min).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["run_simfaas"]

# Idle expiry default: AWS keeps an idle environment about 10 min after its last request
# ([S28] "exactly 10 min" since July 2019; [S27] "AWS 10 min" fixed keep-alive).
_DEFAULT_EXPIRATION_S = 600.0


def _load_simulator() -> Any:
    """Import SimFaaS's ServerlessSimulator (importing simfaas pulls in matplotlib.pyplot)."""
    os.environ.setdefault("MPLBACKEND", "Agg")  # never try a GUI backend in a benchmark
    try:
        from simfaas.ServerlessSimulator import ServerlessSimulator
    except ImportError as exc:  # simfaas, or one of matplotlib/scipy/pandas/tqdm, is missing
        raise ImportError(
            f"the SimFaaS baseline needs `pip install simfaas` (and its deps): {exc}"
        ) from exc
    return ServerlessSimulator


def _check_positive(name: str, value: float, *, allow_zero: bool = False) -> None:
    if not (value >= 0 if allow_zero else value > 0) or not np.isfinite(value):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number {bound}, got {value!r}")


def run_simfaas(
    seed: int,
    *,
    arrival_rate: float = 0.9,
    warm_mean: float = 1.991,
    cold_mean: float = 2.244,
    expiration_s: float = _DEFAULT_EXPIRATION_S,
    sim_time_s: float = 1e6,
) -> dict[str, float]:
    """Run SimFaaS once and return its figures and the wall time of the simulation alone.

    Seeds numpy's legacy global RNG (SimFaaS draws with ``np.random.exponential``) and restores
    its previous state afterwards. SimFaaS prints nothing (no progress bar; stdout and stderr
    are swallowed). SimFaaS itself rejects ``warm_mean > cold_mean`` with a ValueError.

    Keys: cold_start_prob, avg_total, avg_busy, avg_idle, requests, wall_s, req_per_s, plus
    cold_starts and sim_end_s (the time the averages are divided by).

    >>> r = run_simfaas(1, sim_time_s=1e4)
    >>> 0.0 < r["cold_start_prob"] < 1.0 and r["requests"] > 8000
    True
    """
    _check_positive("arrival_rate", arrival_rate)
    _check_positive("warm_mean", warm_mean)
    _check_positive("cold_mean", cold_mean)
    _check_positive("expiration_s", expiration_s, allow_zero=True)
    _check_positive("sim_time_s", sim_time_s)
    simulator_cls = _load_simulator()

    saved_state = np.random.get_state()
    sink = io.StringIO()
    try:
        np.random.seed(seed)
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            sim = simulator_cls(
                arrival_rate=arrival_rate,
                warm_service_rate=1.0 / warm_mean,
                cold_service_rate=1.0 / cold_mean,
                expiration_threshold=expiration_s,
                max_time=sim_time_s,
            )
            start = time.perf_counter()
            sim.generate_trace(debug_print=False, progress=False)
            wall_s = time.perf_counter() - start
    finally:
        np.random.set_state(saved_state)
    return _figures(sim, wall_s)


def _figures(sim: Any, wall_s: float) -> dict[str, float]:
    """Read SimFaaS's own estimators off a finished simulation."""
    requests = int(sim.total_req_count)
    return {
        "cold_start_prob": float(sim.get_cold_start_prob()),
        "avg_total": float(sim.get_average_server_count()),
        "avg_busy": float(sim.get_average_server_running_count()),
        "avg_idle": float(sim.get_average_server_idle_count()),
        "requests": requests,
        "wall_s": wall_s,
        "req_per_s": requests / wall_s if wall_s > 0 else float("inf"),
        "cold_starts": int(sim.total_cold_count),
        "sim_end_s": float(sim.get_trace_end()),
    }


_COLUMNS = ("cold_start_prob", "avg_total", "avg_busy", "avg_idle", "requests", "wall_s",
            "req_per_s")


def _main(argv: list[str] | None = None) -> None:
    """Print each seed's figures, then mean ± 95% CI half-width over the seeds."""
    if not __package__:  # run as a script: make `bench` importable
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench.stats import mean_ci95

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="number of seeds (1..N)")
    parser.add_argument("--sim-time", type=float, default=1e6, help="simulated seconds")
    args = parser.parse_args(argv)

    print(f"SimFaaS baseline, {args.sim_time:g} simulated s per seed")
    print(f"{'seed':>4} " + " ".join(f"{c:>15}" for c in _COLUMNS))
    runs = []
    for seed in range(1, args.seeds + 1):
        r = run_simfaas(seed, sim_time_s=args.sim_time)
        runs.append(r)
        print(f"{seed:>4} " + " ".join(f"{r[c]:>15.6g}" for c in _COLUMNS))
    if len(runs) >= 2:
        cells = []
        for c in _COLUMNS:
            mean, half = mean_ci95([r[c] for r in runs])
            cells.append(f"{mean:.6g}±{half:.2g}".rjust(15))
        print(f"{'mean':>4} " + " ".join(cells))


if __name__ == "__main__":
    _main()
