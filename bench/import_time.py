"""Import benchmark: what ``import lambdakit`` costs a fresh interpreter, against ``pass``.

Each figure is the wall time of a whole ``python -c ...`` process, repeated; the cost of the
import is the median of ``import lambdakit`` minus the median of an empty interpreter run in
the same loop. It also lists which heavy libraries the import pulled in (it should pull in
none of numba, pandas, tqdm: they load on first use). Target: ≤ 0.3 s on the 2-core machine.

Usage: python bench/import_time.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 0.3
HEAVY = ("numba", "pandas", "tqdm", "llvmlite", "scipy", "matplotlib", "plotly", "ipywidgets")
# as a newcomer's Python runs: bytecode cached after the first import (some machines set
# PYTHONDONTWRITEBYTECODE, which would make every run compile lambdakit from source)
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
_PROBE = ("import sys, lambdakit; print(','.join(m for m in {heavy!r} if m in sys.modules))")


def _wall(code: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True,
                   env=_ENV)
    return time.perf_counter() - t0


def measure(runs: int) -> dict[str, float]:
    """Median wall seconds of an empty interpreter and of ``import lambdakit`` (interleaved)."""
    empty, imported, numpy = [], [], []
    for _ in range(runs):
        empty.append(_wall("pass"))
        imported.append(_wall("import lambdakit"))
        numpy.append(_wall("import numpy"))
    return {"empty": statistics.median(empty), "import": statistics.median(imported),
            "numpy": statistics.median(numpy),
            "import_min": min(imported), "import_max": max(imported)}


def heavy_modules() -> list[str]:
    """The heavy libraries present in ``sys.modules`` right after ``import lambdakit``."""
    out = subprocess.run([sys.executable, "-c", _PROBE.format(heavy=HEAVY)], cwd=ROOT,
                         check=True, capture_output=True, text=True, env=_ENV).stdout.strip()
    return [m for m in out.split(",") if m]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    _wall("import lambdakit")  # warm the bytecode cache, not timed
    m = measure(args.runs)
    cost = m["import"] - m["empty"]
    heavy = heavy_modules()
    print(f"import lambdakit: {m['import']:.3f} s per process (min {m['import_min']:.3f}, "
          f"max {m['import_max']:.3f}); empty interpreter {m['empty']:.3f} s; "
          f"cost of the import {cost:.3f} s (target ≤ {TARGET_S} s) "
          f"{'OK' if cost <= TARGET_S else 'MISSED'}; of which numpy alone "
          f"{m['numpy'] - m['empty']:.3f} s")
    print(f"heavy libraries loaded by the import: {', '.join(heavy) or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
