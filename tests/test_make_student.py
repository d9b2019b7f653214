"""tools/make_student.py: placeholders, output stripping, and the checked-in notebooks in sync."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import make_student as ms  # noqa: E402


def _solution_nb() -> nbformat.NotebookNode:
    sol = new_code_cell("answer = 6 * 7", execution_count=4,
                        outputs=[new_output("stream", text="noise\n")])
    sol.metadata["tags"] = ["solution"]
    golden = new_code_cell("# NBVAL_CHECK_OUTPUT\nprint('hi')", execution_count=9, outputs=[
        new_output("stream", text="hi\n"),
        new_output("display_data", data={
            "text/plain": "VBox()",
            "application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2},
        }),
    ])
    plain = new_code_cell("check(answer)", execution_count=5,
                          outputs=[new_output("execute_result", data={"text/plain": "ok"},
                                              execution_count=5)])
    plain.metadata["scrolled"] = True
    nb = new_notebook(cells=[new_markdown_cell("# T"), golden, sol, plain])
    nb.metadata["widgets"] = {"state": "big"}
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    return nb


def test_checked_in_notebooks_are_in_sync_with_the_tool() -> None:
    files = ms.generate(ROOT / "course")
    assert files, "no course/solutions/*.ipynb found"
    stale = [p.relative_to(ROOT).as_posix() for p in ms._stale(files)]
    assert stale == [], f"stale: {stale}; run `python tools/make_student.py`"


def test_every_solution_has_a_student_version_without_the_solution_code() -> None:
    for sol in sorted((ROOT / "course" / "solutions").glob("*.ipynb")):
        teacher = nbformat.read(sol, as_version=4)
        student = nbformat.read(ms.student_path(sol), as_version=4)
        assert [c.id for c in teacher.cells] == [c.id for c in student.cells]
        for t, s in zip(teacher.cells, student.cells, strict=True):
            if "solution" in t.metadata.get("tags", []):
                assert s.source.startswith("# YOUR CODE HERE\n") and t.source not in s.source
            else:
                assert s.source == t.source


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("x = 1", ["x"]),
        ("a, (b, c) = 1, (2, 3)\nb = 4", ["a", "b", "c"]),
        ("n: int = 3\nn += 1", ["n"]),
        ("import re\nm = re.match('a', 'a')\nprint(m)", ["m"]),
    ],
)
def test_placeholder_names_every_assigned_variable(source: str, expected: list[str]) -> None:
    lines = ms.placeholder(source).splitlines()
    assert lines == ["# YOUR CODE HERE", *[f"{n} = ..." for n in expected]]


def test_placeholder_requires_an_assignment() -> None:
    with pytest.raises(ValueError, match="must assign"):
        ms.placeholder("print('no answer here')")


def test_make_student_replaces_solutions_and_strips_outputs() -> None:
    student = ms.make_student(_solution_nb())
    md, golden, sol, plain = student.cells
    assert sol.source == "# YOUR CODE HERE\nanswer = ..."
    assert sol.outputs == [] and sol.execution_count is None and sol.metadata == {}
    assert plain.outputs == [] and plain.execution_count is None and plain.metadata == {}
    # golden outputs stay, numbered as Run All would number them; dead widget views go
    assert golden.execution_count == 1
    assert [o.output_type for o in golden.outputs] == ["stream", "display_data"]
    assert list(golden.outputs[1].data) == ["text/plain"]
    assert set(student.metadata) == {"kernelspec"}
    nbformat.validate(student)


def test_clean_keeps_the_solution_but_drops_its_outputs() -> None:
    cleaned = ms.clean(_solution_nb())
    sol = cleaned.cells[2]
    assert sol.source == "answer = 6 * 7" and sol.metadata == {"tags": ["solution"]}
    assert sol.outputs == []


def test_a_golden_solution_cell_is_refused() -> None:
    nb = _solution_nb()
    nb.cells[2].source = "# NBVAL_CHECK_OUTPUT\nanswer = 42"
    with pytest.raises(ValueError, match="cannot be golden"):
        ms.make_student(nb)


def test_main_check_reports_stale_then_generation_fixes_it(tmp_path: Path) -> None:
    (tmp_path / "solutions").mkdir()
    nbformat.write(_solution_nb(), tmp_path / "solutions" / "07_demo.ipynb")
    assert ms.main(["--course", str(tmp_path), "--check"]) == 1
    assert ms.main(["--course", str(tmp_path)]) == 0
    assert ms.main(["--course", str(tmp_path), "--check"]) == 0
    student = nbformat.read(tmp_path / "07_demo.ipynb", as_version=4)
    assert student.cells[2].source.endswith("answer = ...")
    assert ms.generate(tmp_path)[tmp_path / "07_demo.ipynb"] == (
        tmp_path / "07_demo.ipynb").read_text("utf-8")
