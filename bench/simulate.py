"""Simulator benchmark: lambdakit against SimFaaS on the same scenario, in one process.

Scenario (the issue's): Poisson arrivals at 0.9 req/s, exponential service times with means
1.991 s warm and 2.244 s cold, idle expiry after 600 s, 10^6 simulated seconds (~900,000
requests), newest-created-idle-instance-first routing as SimFaaS does.

lambdakit models a cold request as init + invoke, SimFaaS as one longer service time; to give
both the same mean cold service time, lambdakit's init is exponential with mean
2.244 − 1.991 = 0.253 s and its invoke exponential with mean 1.991 s.

Second scenario: a trivial real handler at 1,000 req/s for one virtual hour (3.6 M invocations),
run in a child process so its wall time and peak memory are its own.

The ≥ 10× goal applies with numba installed (the kernel compiled); the same scenario is then
run once more with the pure-Python kernel (``kernel.use_backend("python")``, identical records)
and its figure printed beside it.

Usage: python bench/simulate.py [--seeds 5] [--sim-time 1e6] [--skip-hour] [--skip-python]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.simfaas_baseline import run_simfaas  # noqa: E402
from bench.stats import agree, mean_ci95  # noqa: E402
from lambdakit import Exponential, FixedKeepAlive, Platform, Poisson  # noqa: E402
from lambdakit.core import kernel  # noqa: E402

RATE, WARM_S, COLD_S, EXPIRY_S = 0.9, 1.991, 2.244, 600.0


def run_lambdakit(seed: int, sim_time_s: float) -> dict[str, float]:
    """The SimFaaS scenario on lambdakit; figures defined as SimFaaS defines them."""
    p = Platform(seed=seed, routing="newest-created", account_concurrency=1_000_000,
                 keep_alive=FixedKeepAlive(idle_s=EXPIRY_S, max_lifetime_s=None))
    p.create_function("f", lambda event, context: None, timeout_s=900,
                      duration=Exponential(WARM_S * 1000),
                      init_duration=Exponential((COLD_S - WARM_S) * 1000))
    t0 = time.perf_counter()
    p.run(Poisson(RATE), function="f", duration_s=sim_time_s, progress=False)
    wall = time.perf_counter() - t0
    m = p.metrics("f")
    p.close()
    return {"cold_start_prob": m.cold_start_rate, "avg_total": m.avg_environments,
            "avg_busy": m.avg_busy_environments, "avg_idle": m.avg_idle_environments,
            "requests": m.invocations, "wall_s": wall, "req_per_s": m.invocations / wall}


def hour_at_1000_rps() -> dict[str, float]:
    """3.6 M invocations of a trivial real handler; wall time (the kernel warmed up first)
    and peak RSS of this process."""
    calls = 0

    def handler(event: dict, context: object) -> dict:
        nonlocal calls
        calls += 1
        return {"ok": True}

    warm = Platform(seed=0)
    warm.create_function("warm", lambda event, context: None)
    warm.run(Poisson(10), function="warm", duration_s=10, progress=False)
    p = Platform(seed=1)
    p.create_function("hot", handler, memory_mb=128)
    t0 = time.perf_counter()
    run = p.run(Poisson(1000), function="hot", duration_s=3600, progress=False)
    wall = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    m = p.metrics("hot")
    p.close()
    return {"invocations": len(run), "handler_calls": calls, "wall_s": wall,
            "peak_rss_mb": peak_mb, "throttles": m.throttles, "cold_starts": m.cold_starts}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--sim-time", type=float, default=1e6)
    ap.add_argument("--skip-hour", action="store_true")
    ap.add_argument("--skip-python", action="store_true", help="no pure-Python kernel run")
    ap.add_argument("--hour-child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.hour_child:
        print(json.dumps(hour_at_1000_rps()))
        return 0

    keys = ("cold_start_prob", "avg_total", "avg_busy", "avg_idle")
    # warm-ups, not timed: SimFaaS's imports, lambdakit's compiled kernel (loaded from numba's
    # cache, or compiled on a first run)
    run_simfaas(0, sim_time_s=1e3)
    run_lambdakit(0, 1e3)
    print(f"lambdakit's scheduling kernel: {kernel.backend()}", flush=True)
    results: dict[str, list[dict[str, float]]] = {"simfaas": [], "lambdakit": []}
    for seed in range(1, args.seeds + 1):
        results["simfaas"].append(run_simfaas(seed, sim_time_s=args.sim_time))
        results["lambdakit"].append(run_lambdakit(seed, args.sim_time))
        for name in results:
            r = results[name][-1]
            print(f"seed {seed} {name:9s} " + " ".join(f"{k}={r[k]:.5f}" for k in keys)
                  + f" requests={r['requests']:.0f} req/s={r['req_per_s']:,.0f}")
    ok = True
    for k in keys:
        a = [r[k] for r in results["simfaas"]]
        b = [r[k] for r in results["lambdakit"]]
        (ma, ha), (mb, hb) = mean_ci95(a), mean_ci95(b)
        same = agree(a, b)
        ok &= same
        print(f"{k:16s} simfaas {ma:.5f} ± {ha:.5f}   lambdakit {mb:.5f} ± {hb:.5f}   "
              f"95% CIs overlap: {same}")
    if not args.skip_hour:
        out = subprocess.run([sys.executable, __file__, "--hour-child"], capture_output=True,
                             text=True, check=True)
        hour = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"1,000 req/s for one virtual hour: {hour['invocations']:,} invocations "
              f"({hour['handler_calls']:,} handler calls) in {hour['wall_s']:.2f} s "
              f"(target ≤ 10 s), peak RSS {hour['peak_rss_mb']:.0f} MB (target ≤ 1,536 MB)")
    rate_sf = sum(r["req_per_s"] for r in results["simfaas"]) / args.seeds
    rate_lk = sum(r["req_per_s"] for r in results["lambdakit"]) / args.seeds
    print(f"agreement within 95% CI: {ok}")
    print(f"simulated requests per wall second: simfaas {rate_sf:,.0f}, lambdakit {rate_lk:,.0f} "
          f"({kernel.backend()} kernel), ratio {rate_lk / rate_sf:.1f}x (target ≥ 10x with numba)")
    if not args.skip_python and kernel.backend() != "python":
        kernel.use_backend("python")
        py = run_lambdakit(1, args.sim_time)
        same = py["requests"] == results["lambdakit"][0]["requests"] and \
            py["cold_start_prob"] == results["lambdakit"][0]["cold_start_prob"]
        print(f"pure-Python kernel, seed 1: lambdakit {py['req_per_s']:,.0f} req/s, ratio "
              f"{py['req_per_s'] / rate_sf:.1f}x SimFaaS; same figures as numba's seed 1: {same}")
        kernel.use_backend("auto")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
