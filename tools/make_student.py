"""Generate the student notebooks ``course/NN_*.ipynb`` from ``course/solutions/NN_*.ipynb``.

The teacher edits only ``course/solutions/``. A code cell tagged ``solution`` keeps its full
answer there; in the student version it becomes ``# YOUR CODE HERE`` plus ``name = ...`` for
each variable the solution assigns (the check cell below it reads that variable). Both versions
are stored without outputs, except cells whose source contains ``# NBVAL_CHECK_OUTPUT`` (nbval's
golden outputs). A golden cell must not depend on a solution cell: students get the teacher's
output for it.

    python tools/make_student.py                   # clean solutions/, write student notebooks
    python tools/make_student.py --check           # exit 1 if anything is stale (CI)
    python tools/make_student.py --refresh-goldens # re-execute solutions, store golden outputs

Example:
    >>> print(placeholder("x = compute()\\ny: int = 2"))
    # YOUR CODE HERE
    x = ...
    y = ...
"""

from __future__ import annotations

import argparse
import ast
import copy
import os
import sys
from pathlib import Path

import nbformat
from nbformat import NotebookNode

__all__ = [
    "GOLDEN_MARK",
    "SOLUTION_TAG",
    "clean",
    "generate",
    "main",
    "make_student",
    "placeholder",
    "refresh_goldens",
    "student_path",
]

SOLUTION_TAG = "solution"
GOLDEN_MARK = "# NBVAL_CHECK_OUTPUT"
COURSE = Path(__file__).resolve().parent.parent / "course"
# A stored widget view would point at a model that no longer exists ("Error displaying widget").
_DROP_MIME = ("application/vnd.jupyter.widget-view+json",)
_KEEP_NB_METADATA = ("kernelspec", "language_info")


def placeholder(source: str) -> str:
    """The student's stand-in for a solution cell: each assigned top-level name set to ``...``.

    >>> placeholder("import re")
    Traceback (most recent call last):
    ...
    ValueError: a solution cell must assign the variable its check reads; this one assigns none
    """
    names: list[str] = []
    for node in ast.parse(source).body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            targets = [node.target]
        for target in targets:
            for name in ast.walk(target):
                if isinstance(name, ast.Name) and name.id not in names:
                    names.append(name.id)
    if not names:
        raise ValueError(
            "a solution cell must assign the variable its check reads; this one assigns none"
        )
    return "\n".join(["# YOUR CODE HERE", *(f"{n} = ..." for n in names)])


def _is_golden(cell: NotebookNode) -> bool:
    return cell.cell_type == "code" and GOLDEN_MARK in cell.source


def _tags(cell: NotebookNode) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _clean_output(output: NotebookNode, count: int | None) -> NotebookNode:
    out = copy.deepcopy(output)
    if "execution_count" in out:
        out.execution_count = count
    for mime in _DROP_MIME:
        out.get("data", {}).pop(mime, None)
    if "metadata" in out:
        out.metadata = {}
    return out


def clean(nb: NotebookNode) -> NotebookNode:
    """A copy of ``nb`` without outputs or run counts (except golden cells'), tags-only metadata.

    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1", execution_count=3)])
    >>> clean(nb).cells[0].execution_count is None
    True
    """
    nb = copy.deepcopy(nb)
    nb.metadata = {k: nb.metadata[k] for k in _KEEP_NB_METADATA if k in nb.metadata}
    if "language_info" in nb.metadata:
        nb.metadata.language_info = {"name": nb.metadata.language_info.get("name", "python")}
    n_code = 0
    for cell in nb.cells:
        tags = _tags(cell)
        cell.metadata = {"tags": tags} if tags else {}
        if cell.cell_type != "code":
            continue
        n_code += 1
        # nbval skips "unrun" cells: a golden cell keeps the count Run All would give it.
        count = n_code if _is_golden(cell) and cell.outputs else None
        cell.execution_count = count
        cell.outputs = [_clean_output(o, count) for o in cell.outputs] if count else []
    return nb


def make_student(solution: NotebookNode) -> NotebookNode:
    """The student version of a teacher notebook: solutions replaced by placeholders.

    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 42")])
    >>> nb.cells[0].metadata["tags"] = ["solution"]
    >>> make_student(nb).cells[0].source
    '# YOUR CODE HERE\\nx = ...'
    """
    nb = clean(solution)
    for cell in nb.cells:
        if cell.cell_type == "code" and SOLUTION_TAG in _tags(cell):
            if _is_golden(cell):
                raise ValueError(f"cell {cell.get('id')}: a solution cell cannot be golden")
            cell.source = placeholder(cell.source)
            cell.outputs = []
            cell.metadata = {}
    return nb


def student_path(solution_path: Path) -> Path:
    """``course/solutions/00_welcome.ipynb`` → ``course/00_welcome.ipynb``.

    >>> student_path(Path("course/solutions/00_welcome.ipynb")).as_posix()
    'course/00_welcome.ipynb'
    """
    return solution_path.parent.parent / solution_path.name


def _text(nb: NotebookNode) -> str:
    nbformat.validate(nb)
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def _read(path: Path) -> NotebookNode:
    return nbformat.read(path, as_version=4)


def generate(course: Path = COURSE) -> dict[Path, str]:
    """Every file the tool owns (clean solutions and student versions) with its exact text."""
    files: dict[Path, str] = {}
    for sol in sorted((course / "solutions").glob("*.ipynb")):
        nb = _read(sol)
        files[sol] = _text(clean(nb))
        files[student_path(sol)] = _text(make_student(nb))
    return files


def refresh_goldens(course: Path = COURSE, kernel_name: str = "python3") -> list[Path]:
    """Execute each solution notebook and store the outputs of its golden cells in place."""
    from nbclient import NotebookClient

    # Kernels import the working tree's lambdakit/widgets, whatever the venv has installed.
    root = str(course.resolve().parent)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (os.environ.get("PYTHONPATH", ""), root) if p
    )
    changed = []
    for sol in sorted((course / "solutions").glob("*.ipynb")):
        nb = _read(sol)
        if not any(_is_golden(c) for c in nb.cells):
            continue
        ran = copy.deepcopy(nb)
        NotebookClient(
            ran, kernel_name=kernel_name, store_widget_state=False,
            resources={"metadata": {"path": str(sol.parent)}},
        ).execute()
        for cell, done in zip(nb.cells, ran.cells, strict=True):
            if _is_golden(cell):
                cell.outputs = done.outputs
        sol.write_text(_text(clean(nb)), encoding="utf-8")
        changed.append(sol)
    return changed


def _stale(files: dict[Path, str]) -> list[Path]:
    return [p for p, text in files.items() if not p.exists() or p.read_text("utf-8") != text]


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--course", type=Path, default=COURSE)
    ap.add_argument("--check", action="store_true", help="only report stale files; exit 1 if any")
    ap.add_argument("--refresh-goldens", action="store_true", help="re-execute golden cells")
    args = ap.parse_args(argv)
    if args.refresh_goldens:
        for path in refresh_goldens(args.course):
            print(f"refreshed golden outputs: {path}")
    files = generate(args.course)
    stale = _stale(files)
    if args.check:
        for path in stale:
            print(f"stale: {path} (run: python tools/make_student.py)", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.write_text(files[path], encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
