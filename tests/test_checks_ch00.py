"""Chapter 00 checks against real lambdakit logs: one specific hint per kind of mistake."""

from __future__ import annotations

import math
import re
from pathlib import Path

import nbformat
import pytest

from lambdakit import Platform
from widgets.checks import ch00

NOTEBOOK = Path(__file__).resolve().parent.parent / "course" / "solutions" / "00_welcome.ipynb"


def _hello(event: dict, context: object) -> dict:
    print(f"Hello, {event['name']}!")
    return {"greeting": f"Hello, {event['name']}!"}


@pytest.fixture(scope="module")
def run() -> tuple:
    p = Platform(seed=42)
    p.create_function("hello", handler=_hello, memory_mb=128, timeout_s=3)
    r = p.invoke("hello", {"name": "Ada"})
    return r, p.logs("hello")


def test_the_right_request_id_passes_from_logview_text_or_lines(run: tuple) -> None:
    r, logs = run
    for form in (logs, str(logs), str(logs).splitlines()):
        result = ch00.find_request_id.check(r.request_id, logs=form, show=False)
        assert result.passed, result.message
    assert ch00.find_request_id.check(f"  {r.request_id}\n", logs=logs, show=False).passed


@pytest.mark.parametrize(
    ("make_answer", "expected"),
    [
        (lambda rid: ..., "Not answered yet"),
        (lambda rid: 42, "put it in quotes"),
        (lambda rid: "", "The answer is empty"),
        (lambda rid: f"RequestId: {rid}", "without the `START RequestId:` label"),
        (lambda rid: "$LATEST", "function *version*"),
        (lambda rid: rid.upper(), "different case"),
        (lambda rid: "0f8e3a7c-1d2b-4c5d-9e6f-7a8b9c0d1e2f", "not one from these logs"),
        (lambda rid: rid[:8], "only part of the id (8 of 36"),
        (lambda rid: "hello", "36 characters"),
    ],
)
def test_each_mistake_gets_its_own_hint(run: tuple, make_answer, expected: str) -> None:  # noqa: ANN001
    r, logs = run
    result = ch00.find_request_id.check(make_answer(r.request_id), logs=logs, show=False)
    assert not result.passed
    assert expected in result.message


def test_logs_without_request_ids_are_a_notebook_bug() -> None:
    with pytest.raises(ValueError, match="no 'RequestId:' line"):
        ch00.find_request_id.check("x", logs="Hello, Ada!", show=False)


@pytest.mark.parametrize("answer", ["b", " B ", "(b)"])
def test_billed_duration_right_answer(answer: str) -> None:
    result = ch00.billed_duration.check(answer, show=False)
    assert result.passed and "rounded up to the next 1 ms" in result.message


@pytest.mark.parametrize(
    ("answer", "expected"),
    [("a", "before December 2020"), ("c", "not time spent on the network"),
     ("d", "GB-seconds are the unit"), (27, "You answered a number"), (True, "a number"),
     ("e", "one letter in quotes"), (..., "Not answered yet")],
)
def test_billed_duration_hints(answer: object, expected: str) -> None:
    result = ch00.billed_duration.check(answer, show=False)
    assert not result.passed and expected in result.message


def test_wrong_choices_get_distinct_hints() -> None:
    messages = {ch00.billed_duration.check(k, show=False).message for k in "acd"}
    assert len(messages) == 3


def test_the_correct_choice_matches_what_lambdakit_reports(run: tuple) -> None:
    _, logs = run
    report = next(line for line in str(logs).splitlines() if line.startswith("REPORT"))
    fields = dict(re.findall(r"([A-Za-z ]+): ([\d.]+) ", report))
    # Billed = ceil(Duration + Init Duration), 1 ms granularity [S18][S19]
    expected = math.ceil(float(fields["Duration"]) + float(fields.get("Init Duration", 0)))
    assert int(fields["Billed Duration"]) == expected


def test_the_notebook_lists_every_choice_verbatim() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for letter, sentence in ch00.BILLED_DURATION_CHOICES.items():
        assert f"- **{letter}** — {sentence}" in text
