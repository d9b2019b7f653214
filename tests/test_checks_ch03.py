"""Chapter 03 checks against real lambdakit runs: one specific hint per kind of mistake."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from lambdakit import Burst, Fixed, Platform
from lambdakit.observers.logformat import parse_report_line
from widgets.checks import ch03

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = ROOT / "course" / "solutions" / "03_lambda_framework.ipynb"
STUDENT = ROOT / "course" / "03_lambda_framework.ipynb"

# AWS's example of a billed init: 3004.92 + 111.23 ms -> 3117 ms [S19]
CUT = ("REPORT RequestId: 4d1b4a3c-5e0f-4f7e-9c1a-2b3c4d5e6f70\tDuration: 3004.92 ms\t"
       "Memory Size: 512 MB\tMax Memory Used: 88 MB\tInit Duration: 111.23 ms\t")

ORDERS = """
handled = 0

def handler(event, context):
    global handled
    handled += 1
    return handled
"""


@pytest.fixture(scope="module")
def orders() -> tuple[Platform, list[str]]:
    """Three warm-ish requests, an idle hour, one more: requests 0 and 3 are cold."""
    p = Platform(seed=11)
    p.create_function("orders", "orders.handler", source=ORDERS, duration=Fixed(30))
    ids = [p.invoke("orders", {}).request_id for _ in range(3)]
    p.advance(3600)
    ids.append(p.invoke("orders", {}).request_id)
    return p, ids


# -- exercise 1 ------------------------------------------------------------------------------
def test_billed_duration_of_the_aws_example_passes() -> None:
    result = ch03.billed_duration.check(3117, report=CUT, show=False)
    assert result.passed and "3116.15 ms" in result.message


def test_billed_duration_agrees_with_the_report_lines_lambdakit_writes(
        orders: tuple[Platform, list[str]]) -> None:
    p, _ = orders
    cold = [parse_report_line(line) for line in p.logs("orders").filter(contains="REPORT")
            .lines() if "Init Duration" in line]
    assert len(cold) == 2
    for fields in cold:
        line = next(x for x in p.logs("orders").lines() if fields["request_id"] in x
                    and x.startswith("REPORT"))
        assert ch03.billed_duration.check(fields["billed_ms"], report=line, show=False).passed


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (3005, "Duration alone"),
        (112, "Init Duration alone"),
        (3116.15, "whole number of milliseconds"),
        (3116, "rounded *up*"),
        (3200, "before December 2020"),
        (3100, "before December 2020"),
        (3.117, "looks like seconds"),
        (42, "Read both numbers off the line: Duration 3004.92 ms, Init Duration 111.23 ms"),
        ("3117", "Give a number of milliseconds"),
        (True, "Give a number of milliseconds"),
        (..., "Not answered yet"),
    ],
)
def test_billed_duration_hints(answer: object, expected: str) -> None:
    result = ch03.billed_duration.check(answer, report=CUT, show=False)
    assert not result.passed and expected in result.message


def test_billed_duration_needs_a_cold_report_line() -> None:
    warm = CUT.replace("Init Duration: 111.23 ms\t", "")
    with pytest.raises(ValueError, match="no cold REPORT line"):
        ch03.billed_duration.check(3005, report=warm, show=False)


# -- exercise 2 ------------------------------------------------------------------------------
def test_the_later_cold_request_passes_from_logview_text_or_lines(
        orders: tuple[Platform, list[str]]) -> None:
    p, ids = orders
    logs = p.logs("orders")
    for form in (logs, str(logs), str(logs).splitlines()):
        result = ch03.cold_request.check(ids[3], logs=form, show=False)
        assert result.passed, result.message
    assert ch03.cold_request.check(f" {ids[3]}\n", logs=logs, show=False).passed


@pytest.mark.parametrize(
    ("make_answer", "expected"),
    [
        (lambda ids: ids[0], "very first one"),
        (lambda ids: ids[1], "found a warm environment"),
        (lambda ids: ids[2], "found a warm environment"),
        (lambda ids: f"RequestId: {ids[3]}", "without the `REPORT RequestId:` label"),
        (lambda ids: ids[3].upper(), "different case"),
        (lambda ids: ids[3][:8], "only part of the id (8 of 36"),
        (lambda ids: "0f8e3a7c-1d2b-4c5d-9e6f-7a8b9c0d1e2f", "not one from these logs"),
        (lambda ids: "", "The answer is empty"),
        (lambda ids: "cold", "36 characters"),
        (lambda ids: 3, "put it in quotes"),
    ],
)
def test_cold_request_hints(orders: tuple[Platform, list[str]], make_answer, expected: str,  # noqa: ANN001
                            ) -> None:
    p, ids = orders
    result = ch03.cold_request.check(make_answer(ids), logs=p.logs("orders"), show=False)
    assert not result.passed and expected in result.message


def test_cold_request_needs_a_later_cold_start() -> None:
    p = Platform(seed=2)
    p.create_function("f", lambda e, c: None)
    p.invoke("f", {})
    p.invoke("f", {})
    with pytest.raises(ValueError, match="no cold start after the first request"):
        ch03.cold_request.check("x", logs=p.logs("f"), show=False)
    with pytest.raises(ValueError, match="no REPORT line"):
        ch03.cold_request.check("x", logs="hello", show=False)


# -- exercise 3 ------------------------------------------------------------------------------
CPU = Fixed(400, cpu_bound=1)


def test_full_speed_memory_is_one_vcpu() -> None:
    # 1,769 MB = 1 vCPU [S3][S34]
    for answer in (1769, 1769.0):
        result = ch03.full_speed_memory.check(answer, duration=CPU, show=False)
        assert result.passed and "1,769 MB" in result.message


def test_full_speed_memory_is_recomputed_from_the_model() -> None:
    # a handler that does no CPU work is as fast at 128 MB as anywhere
    assert ch03.full_speed_memory.check(128, duration=Fixed(400), show=False).passed
    assert not ch03.full_speed_memory.check(1769, duration=Fixed(400), show=False).passed


def test_full_speed_agrees_with_the_platform() -> None:
    p = Platform(seed=1)
    p.create_function("crunch", lambda e, c: None, timeout_s=10, duration=CPU)
    durations = {}
    for mb in (1768, 1769, 10_240):
        p.update_function("crunch", memory_mb=mb)
        p.invoke("crunch", {})
        durations[mb] = float(p.records("crunch").column("duration_ms")[-1])
    assert durations[1768] > durations[1769] == durations[10_240] == 400.0


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (1768, "still takes 400.2 ms"),
        (1536, "still takes 460.7 ms"),
        (2048, "but so does 2,047 MB"),
        (10_240, "*smallest* such size"),
        (1.769, "looks like gigabytes"),
        (64, "cannot be configured"),
        (20_000, "cannot be configured"),
        ("1769", "whole number of megabytes"),
        (1769.5, "whole number of megabytes"),
    ],
)
def test_full_speed_memory_hints(answer: object, expected: str) -> None:
    result = ch03.full_speed_memory.check(answer, duration=CPU, show=False)
    assert not result.passed and expected in result.message


# -- exercise 4 ------------------------------------------------------------------------------
TWO_BURSTS = {"workload": Burst(25, at_s=0) + Burst(25, at_s=2), "duration": Fixed(800),
              "reserved_concurrency": 10}


def test_throttles_of_two_bursts() -> None:
    result = ch03.burst_throttles.check(30, show=False, **TWO_BURSTS)
    assert result.passed and "30 of 50" in result.message


def test_throttles_of_one_burst_is_total_minus_reserved() -> None:
    one = {"workload": Burst(30), "duration": Fixed(800), "reserved_concurrency": 10}
    assert ch03.burst_throttles.check(20, show=False, **one).passed
    assert "how many requests *ran*" in ch03.burst_throttles.check(10, show=False, **one).message


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (40, "as arriving together"),
        (20, "how many requests *ran*"),
        (10, "is the limit"),
        (0, "caps the function as well"),
        (50, "Not every request was refused"),
        (7, "burst by burst"),
        ("30", "whole number of requests"),
        (..., "Not answered yet"),
    ],
)
def test_throttle_hints(answer: object, expected: str) -> None:
    result = ch03.burst_throttles.check(answer, show=False, **TWO_BURSTS)
    assert not result.passed and expected in result.message


# -- exercise 5 ------------------------------------------------------------------------------
SEVEN = {"orders": [{"id": i, "card": "expired" if i == 5 else "ok"} for i in range(1, 8)],
         "batch_size": 3, "max_receive_count": 2}


def test_the_whole_failing_batch_ends_in_the_dead_letter_queue() -> None:
    result = ch03.dead_letters.check(3, show=False, **SEVEN)
    assert result.passed and "3 messages end in the dead-letter queue" in result.message


def test_dead_letters_are_recomputed_from_the_batches() -> None:
    # the bad order first, in a batch of its own size 1: only it is dead-lettered
    alone = dict(SEVEN, batch_size=1)
    assert ch03.dead_letters.check(1, show=False, **alone).passed
    # every order in one batch: all seven go
    together = dict(SEVEN, batch_size=10)
    assert ch03.dead_letters.check(7, show=False, **together).passed
    assert not ch03.dead_letters.check(3, show=False, **together).passed
    # two expired cards in different batches: both batches go (3 + 3)
    two = dict(SEVEN, orders=[{"id": i, "card": "expired" if i in (2, 5) else "ok"}
                              for i in range(1, 8)])
    assert ch03.dead_letters.check(6, show=False, **two).passed


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (1, "but not alone"),
        (7, "Not every batch failed"),
        (0, "never succeeds"),
        (2, "how many times a message is received"),
        (4, "Split the 7 orders into batches of up to 3"),
        ("3", "whole number of messages"),
        (2.5, "whole number of messages"),
        (..., "Not answered yet"),
    ],
)
def test_dead_letter_hints(answer: object, expected: str) -> None:
    result = ch03.dead_letters.check(answer, show=False, **SEVEN)
    assert not result.passed and expected in result.message


# -- the notebook and its checks ---------------------------------------------------------------
def test_every_exercise_is_checked_in_the_notebook_and_unanswered_for_students() -> None:
    sol = nbformat.read(SOLUTION, as_version=4)
    checks = re.findall(r"ch03\.(\w+)\.check\(", "\n".join(c.source for c in sol.cells))
    assert checks == ["billed_duration", "cold_request", "full_speed_memory", "burst_throttles",
                      "dead_letters"]
    student = nbformat.read(STUDENT, as_version=4)
    placeholders = [c.source for c in student.cells if "# YOUR CODE HERE" in c.source]
    assert len(placeholders) == 5
    assert all(f"{name} = ..." in "\n".join(placeholders)
               for name in ("billed_ms", "cold_request_id", "full_speed_mb", "throttled", "in_dlq"))


def test_the_notebook_quotes_the_line_the_test_checks() -> None:
    sol = nbformat.read(SOLUTION, as_version=4)
    source = "\n".join(c.source for c in sol.cells)
    assert "Duration: 3004.92 ms" in source and "Init Duration: 111.23 ms" in source
