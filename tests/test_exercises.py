"""The exercise framework: specific hints only, display once, results with passed/message."""

from __future__ import annotations

import pytest
from IPython.core.interactiveshell import InteractiveShell

from widgets.exercises import CheckResult, Exercise, hint, passed


def _positive(answer: int) -> CheckResult:
    if answer <= 0:
        return hint(f"{answer} is not above zero: a positive number is greater than 0.")
    return passed("Yes, that is positive.")


EX = Exercise("positive", _positive, expects="a whole number")


@pytest.mark.parametrize("bare", ["wrong", "Wrong!", "Incorrect.", "try again", "No", "nope", ""])
def test_hint_refuses_bare_verdicts(bare: str) -> None:
    with pytest.raises(ValueError, match="must say what to look at"):
        hint(bare)


def test_hint_refuses_too_short_messages() -> None:
    with pytest.raises(ValueError):
        hint("Look again")


def test_pass_and_hint_results() -> None:
    good = EX.check(3, show=False)
    bad = EX.check(-2, show=False)
    assert (good.passed, good.message) == (True, "Yes, that is positive.")
    assert (bad.passed, bad.message) == (False, "-2 is not above zero: a positive number is "
                                                "greater than 0.")
    assert good.title == bad.title == "positive"
    assert repr(good) == "✓ [positive] Yes, that is positive."
    assert repr(bad).startswith("Hint: [positive] -2 is not above zero")


def test_unanswered_ellipsis_gets_a_hint_naming_the_expected_answer() -> None:
    result = EX.check(..., show=False)
    assert not result.passed
    assert "replace `...` with a whole number" in result.message


def test_a_type_error_in_the_checker_becomes_a_hint() -> None:
    result = EX.check("three", show=False)
    assert not result.passed
    assert "needs a whole number" in result.message and "got a str" in result.message


def test_wrong_context_is_the_notebook_authors_bug_and_raises() -> None:
    with pytest.raises(TypeError):
        EX.check(3, show=False, logs="unexpected")


def test_checker_must_return_a_check_result() -> None:
    ex = Exercise("bad", lambda answer: "fine")
    with pytest.raises(TypeError, match="must return passed"):
        ex.check(1, show=False)


def test_html_boxes() -> None:
    ok = EX.check(1, show=False)._repr_html_()
    bad = hint("Copy `a<b` exactly as the log prints it.")._repr_html_()
    assert "lk-pass" in ok and "#1a7f37" in ok and "✓" in ok
    assert "lk-hint" in bad and "#b35900" in bad and "Hint" in bad
    assert "<code>a&lt;b</code>" in bad


def test_show_outside_jupyter_prints(capsys: pytest.CaptureFixture[str]) -> None:
    EX.check(5)
    assert capsys.readouterr().out == "✓ [positive] Yes, that is positive.\n"


def test_in_ipython_a_check_shows_once_per_cell(capsys: pytest.CaptureFixture[str]) -> None:
    shell = InteractiveShell.instance()
    shell.push({"EX": EX})
    shell.run_cell("res = EX.check(-1)\nres", store_history=True)
    out = capsys.readouterr().out
    assert out.count("Hint: [positive]") == 1
    shell.run_cell("res.passed, res.message[:2]", store_history=True)
    assert "(False, '-1')" in capsys.readouterr().out
