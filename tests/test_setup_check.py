"""check_environment(): rows, verdict, deterministic text, fixes; check_widgets(): round trip."""

from __future__ import annotations

import pytest
from IPython.core.interactiveshell import InteractiveShell

from widgets.setup_check import (
    MINIMUMS,
    EnvironmentReport,
    Requirement,
    _version_key,
    check_environment,
    check_widgets,
)

ALL_GOOD = {"lambdakit": "0.1.0", "ipywidgets": "8.1.9", "plotly": "7.1.0", "anywidget": "0.11.0"}


def _lookup(found: dict[str, str | None]):  # noqa: ANN202
    return lambda name: found.get(name)


def test_this_venv_passes() -> None:
    report = check_environment(show=False)
    assert report.ok, repr(report)
    assert [r.name for r in report.requirements] == list(MINIMUMS)


def test_text_form_is_deterministic_and_names_no_installed_version() -> None:
    a = check_environment(show=False, lookup=_lookup(ALL_GOOD))
    newer = {k: "99.1.2" for k in ALL_GOOD}
    b = check_environment(show=False, lookup=_lookup(newer))
    assert repr(a) == repr(b) == (
        "Environment check: all 5 requirements met\n"
        "✓ python >= 3.10\n✓ lambdakit >= 0.1.0\n✓ ipywidgets >= 8.1\n"
        "✓ plotly >= 6.0\n✓ anywidget >= 0.9"
    )


def test_missing_and_old_packages_get_a_fix() -> None:
    found: dict[str, str | None] = {**ALL_GOOD, "plotly": "5.24.1", "anywidget": None}
    report = check_environment(show=False, lookup=_lookup(found))
    assert not report.ok
    assert [p.name for p in report.problems] == ["plotly", "anywidget"]
    text = repr(report)
    assert text.startswith("Environment check: 2 of 5 requirements NOT met")
    assert "✗ plotly >= 6.0" in text and "✗ anywidget >= 0.9" in text
    plotly, anywidget = report.problems
    assert "5.24.1 is older than needed" in plotly.fix
    assert "not installed" in anywidget.fix and "FigureWidget" in anywidget.fix
    for fix in (plotly.fix, anywidget.fix):
        assert "make lab" in fix and "pip install -e '.[course]'" in fix


def test_old_python_is_reported_with_what_to_do() -> None:
    report = check_environment(show=False, minimums={"python": "99.0"})
    (row,) = report.problems
    assert row.name == "python" and "make lab PYTHON=python3.11" in row.fix


def test_lambdakit_not_importable_points_at_the_kernel() -> None:
    report = check_environment(show=False, lookup=_lookup({**ALL_GOOD, "lambdakit": None}))
    (row,) = report.problems
    assert "does not see the course's package" in row.fix


def test_html_table_marks_rows_and_wraps_versions_for_the_sanitizer() -> None:
    found: dict[str, str | None] = {**ALL_GOOD, "ipywidgets": None}
    page = check_environment(show=False, lookup=_lookup(found))._repr_html_()
    assert page.count("<tr>") == 1 + len(MINIMUMS)  # header + one row each
    assert page.count("<span style='color:#b35900'>✗</span>") == 1
    assert page.count("<span style='color:#1a7f37'>✓</span>") == len(MINIMUMS) - 1
    assert '<code class="lk-found">7.1.0</code>' in page
    assert '<code class="lk-found">missing</code>' in page
    assert "Not ready yet" in page


@pytest.mark.parametrize(
    ("found", "minimum", "ok"),
    [("0.11.0", "0.9", True), ("5.24.1", "6.0", False), ("6.0", "6.0", True),
     ("8.1.0rc1", "8.1", True), ("3.10.0", "3.10", True), ("3.9.18", "3.10", False)],
)
def test_version_comparison(found: str, minimum: str, ok: bool) -> None:
    assert Requirement("x", minimum, found).ok is ok


def test_version_key_ignores_trailing_zeros() -> None:
    assert _version_key("6.0.0") == _version_key("6") == (6,)


def test_show_outside_jupyter_prints_the_text(capsys: pytest.CaptureFixture[str]) -> None:
    report = check_environment(lookup=_lookup(ALL_GOOD))
    assert isinstance(report, EnvironmentReport)
    assert capsys.readouterr().out.startswith("Environment check: all 5 requirements met")


def test_in_ipython_the_report_shows_once_per_cell(capsys: pytest.CaptureFixture[str]) -> None:
    shell = InteractiveShell.instance()
    cell = "from widgets import check_environment\nr = check_environment()\nr"
    shell.run_cell(cell, store_history=True)
    assert capsys.readouterr().out.count("Environment check:") == 1
    shell.run_cell("r", store_history=True)  # a later cell may show it again
    assert capsys.readouterr().out.count("Environment check:") == 1


def test_check_widgets_button_round_trip() -> None:
    box = check_widgets()
    intro, button, answer = box.children
    assert "Not pressed" in answer.value
    button.click()
    assert "press #1" in answer.value
    button.click()
    assert "press #2" in answer.value and "widgets work both ways" in answer.value
