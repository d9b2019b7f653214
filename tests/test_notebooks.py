"""Every course notebook runs end to end (papermill), and golden outputs still match (nbval).

d2l's lesson: the companion package drifts away from the notebooks unless CI executes them.
Notebooks run serially (pytest-xdist would split one notebook's cells across workers).
"""

from __future__ import annotations

import configparser
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "course"
SANITIZE = Path(__file__).resolve().parent / "nbval_sanitize.cfg"
STUDENT_NOTEBOOKS = sorted(COURSE.glob("*.ipynb"))
ALL_NOTEBOOKS = STUDENT_NOTEBOOKS + sorted((COURSE / "solutions").glob("*.ipynb"))
GOLDEN_MARK = "# NBVAL_CHECK_OUTPUT"
# Without store_widget_state=False a FigureWidget stores ~5 MB of plotly.js per notebook.
MAX_EXECUTED_BYTES = 2_000_000


@pytest.fixture(autouse=True)
def _kernels_import_the_working_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    """Kernels (papermill's and nbval's) import this tree's lambdakit/widgets, not a stale install.

    Appended, so a PYTHONPATH set by the caller still comes first.
    """
    parts = [p for p in (os.environ.get("PYTHONPATH", ""), str(ROOT)) if p]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(parts))


def _tags(cell: nbformat.NotebookNode) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _has_parameters_cell(nb: nbformat.NotebookNode) -> bool:
    return any("parameters" in _tags(c) for c in nb.cells)


def _errors(nb: nbformat.NotebookNode) -> list[str]:
    return [
        f"{o.get('ename')}: {o.get('evalue')}"
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]


def test_course_has_notebooks() -> None:
    assert (COURSE / "00_welcome.ipynb") in STUDENT_NOTEBOOKS
    assert (COURSE / "solutions" / "00_welcome.ipynb") in ALL_NOTEBOOKS


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.relative_to(COURSE).as_posix())
def test_notebook_executes(path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import papermill as pm

    nb = nbformat.read(path, as_version=4)
    params = {"quick": True} if _has_parameters_cell(nb) else None
    out = tmp_path / path.name
    t0 = time.perf_counter()
    pm.execute_notebook(
        str(path),
        str(out),
        parameters=params,
        kernel_name="python3",  # resolves to this venv's interpreter (JUPYTER-NOTES trap 5)
        store_widget_state=False,
        cwd=str(path.parent),
        progress_bar=False,
    )
    elapsed = time.perf_counter() - t0
    with capsys.disabled():
        print(f"\n[papermill] {path.relative_to(ROOT)}: {elapsed:.1f} s", flush=True)
    executed = nbformat.read(out, as_version=4)
    assert _errors(executed) == []
    if params:
        injected = [c for c in executed.cells if "injected-parameters" in _tags(c)]
        assert injected and "quick = True" in injected[0].source
    assert out.stat().st_size < MAX_EXECUTED_BYTES, "widget state stored? (store_widget_state)"
    assert "widgets" not in executed.metadata
    _assert_checks_match_the_version(path, nb, executed)


def _check_results(nb: nbformat.NotebookNode) -> list[str]:
    """The text form of every exercise check shown (``✓ [...]`` or ``Hint: [...]``)."""
    texts = [
        o.get("data", {}).get("text/plain", "")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
    ]
    return [t for t in texts if t.startswith(("✓ [", "Hint: ["))]


def _assert_checks_match_the_version(
    path: Path, source: nbformat.NotebookNode, executed: nbformat.NotebookNode
) -> None:
    """Teacher versions pass every check; student versions get a hint for each placeholder."""
    results = _check_results(executed)
    if path.parent.name == "solutions":
        n_solutions = sum("solution" in _tags(c) for c in source.cells)
        assert len(results) >= n_solutions, results
        assert all(r.startswith("✓") for r in results), results
    else:
        n_placeholders = sum("# YOUR CODE HERE" in c.source for c in source.cells)
        unanswered = [r for r in results if "Not answered yet" in r]
        assert len(unanswered) == n_placeholders, results


def test_student_notebooks_have_golden_cells() -> None:
    golden = [
        c
        for p in STUDENT_NOTEBOOKS
        for c in nbformat.read(p, as_version=4).cells
        if c.cell_type == "code" and GOLDEN_MARK in c.source
    ]
    assert golden, "nbval-lax would compare nothing"
    assert all(c.outputs for c in golden), "a golden cell without stored output checks nothing"


def _sanitize(text: str) -> str:
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read(SANITIZE)
    for section in cfg.sections():
        text = re.sub(cfg[section]["regex"], cfg[section]["replace"], text)
    return text


def test_sanitize_masks_what_changes_between_runs() -> None:
    line = (
        "REPORT RequestId: 0f8e3a7c-1d2b-4c5d-9e6f-7a8b9c0d1e2f\tDuration: 26.73 ms\t"
        "Billed Duration: 27 ms <object at 0x7f2226932c90> 2020/01/31/[$LATEST]"
        "3893aa007fac4485b47bb75b671a283c 2024-03-04T17:22:38.033Z after 3.00 seconds "
        '<code class="lk-found">8.1.9</code>'
    )
    assert _sanitize(line) == (
        "REPORT RequestId: UUID\tDuration: N ms\tBilled Duration: N ms <object at 0xADDRESS> "
        "2020/01/31/[$LATEST]HEX32 TIMESTAMP after N.NN s "
        '<code class="lk-found">VERSION</code>'
    )
    assert _sanitize("memory 128 MB, timeout 3 s, python >= 3.10") == (
        "memory 128 MB, timeout 3 s, python >= 3.10"
    )


def test_nbval_lax_on_student_notebooks(capsys: pytest.CaptureFixture[str]) -> None:
    cmd = [
        sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-kernel-name", "python3",
        "--nbval-sanitize-with", str(SANITIZE), "-p", "no:cacheprovider", "-p", "no:randomly",
        *[str(p) for p in STUDENT_NOTEBOOKS],
    ]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=280)
    elapsed = time.perf_counter() - t0
    with capsys.disabled():
        print(f"\n[nbval-lax] {len(STUDENT_NOTEBOOKS)} notebook(s): {elapsed:.1f} s", flush=True)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    assert re.search(r"\d+ passed", proc.stdout), proc.stdout[-2000:]


def test_stored_notebooks_have_no_stray_outputs() -> None:
    for path in ALL_NOTEBOOKS:
        raw = json.loads(path.read_text("utf-8"))
        for cell in raw["cells"]:
            if cell["cell_type"] != "code":
                continue
            if GOLDEN_MARK not in "".join(cell["source"]):
                assert cell["outputs"] == [], f"{path.name}: outputs stored in {cell['id']}"
                assert cell["execution_count"] is None, f"{path.name}: run count in {cell['id']}"
