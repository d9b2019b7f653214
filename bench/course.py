"""Course benchmark: execute every student chapter with papermill, as a learner's Run All would.

Prints the wall time of each notebook (kernel start included) and the total; the target is
≤ 90 s for the whole course on a 2-core machine.

Usage: python bench/course.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import papermill

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 90.0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="run with quick=True (CI's setting)")
    args = ap.parse_args()
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    notebooks = sorted((ROOT / "course").glob("*.ipynb"))
    total = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for nb in notebooks:
            t0 = time.perf_counter()
            papermill.execute_notebook(
                str(nb), str(Path(tmp) / nb.name), parameters={"quick": args.quick},
                kernel_name="python3", progress_bar=False, store_widget_state=False,
                cwd=str(nb.parent))
            dt = time.perf_counter() - t0
            total += dt
            print(f"{nb.name:34s} {dt:6.1f} s", flush=True)
    print(f"whole course: {total:.1f} s for {len(notebooks)} notebooks (target ≤ {TARGET_S:g} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
