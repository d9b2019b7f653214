"""Chapter 02 checks: the right answer passes, each kind of mistake gets its own hint."""

from __future__ import annotations

import pytest

from lambdakit import Burst, Fixed, LogNormal, Platform, Poisson, pricing
from widgets.checks import ch02

FLEET_MONTHLY = pricing.always_on_cost(instances=2, hourly_price=0.0416)  # 60.74
ARM = {"avg_duration_ms": 100, "memory_mb": 512, "monthly_fixed_cost": FLEET_MONTHLY,
       "architecture": "arm64", "free_tier": False}
RIGHT = pricing.break_even_requests(**ARM)


def _other(**changes: object) -> int:
    return pricing.break_even_requests(**{**ARM, **changes})  # type: ignore[arg-type]


def test_break_even_right_answer_passes() -> None:
    assert RIGHT == 70_075_000
    result = ch02.break_even.check(RIGHT, show=False, **ARM)
    assert result.passed and "26.7 req/s" in result.message
    assert ch02.break_even.check(float(RIGHT), show=False, **ARM).passed


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (..., "Not answered yet"),
        ("70 million", "you gave a str"),
        (True, "you gave a bool"),
        (_other(architecture="x86_64"), 'That is the break-even for x86_64'),
        (_other(free_tier=True), "You included the free tier"),
        (70.075, "That looks like millions"),
        (RIGHT / (730 * 3600), "That is a rate per second"),
        (RIGHT - 50_000, "Close (50,000 requests off)"),
        (RIGHT // 3, "Too few: at 23,358,333 requests Lambda costs $20.24"),
        (RIGHT * 3, "Too many"),
    ],
)
def test_break_even_mistakes_get_specific_hints(answer: object, expected: str) -> None:
    result = ch02.break_even.check(answer, show=False, **ARM)
    assert not result.passed
    assert expected in result.message, result.message


SIZING = {"workload": Poisson(40), "duration_s": 300, "concurrency": 2,
          "service": LogNormal(100, 0.5), "target_p99_ms": 350, "seed": 1}


def test_fleet_size_smallest_passes_neighbours_get_hints() -> None:
    assert ch02.fleet_size.check(4, show=False, **SIZING).passed
    too_few = ch02.fleet_size.check(3, show=False, **SIZING)
    assert not too_few.passed and "above the 350 ms goal" in too_few.message
    overloaded = ch02.fleet_size.check(2, show=False, **SIZING)
    assert "overloaded" in overloaded.message
    too_many = ch02.fleet_size.check(5, show=False, **SIZING)
    assert not too_many.passed and "4 server(s) already give" in too_many.message
    for bad in (0, 2.5, "4", 10_000):
        assert not ch02.fleet_size.check(bad, show=False, **SIZING).passed


def test_fleet_size_of_one_server_is_possible() -> None:
    light = {**SIZING, "workload": Poisson(1), "service": Fixed(50), "target_p99_ms": 200}
    result = ch02.fleet_size.check(1, show=False, **light)
    assert result.passed and "one fewer" not in result.message


@pytest.fixture(scope="module")
def counter() -> Platform:
    p = Platform(seed=7)
    source = "count = 0\ndef handler(e, c):\n    global count\n    count += 1\n    return count\n"
    p.create_function("counter", "counter.handler", source=source, duration=Fixed(200))
    for _ in range(3):
        p.invoke("counter", {})
    p.run(Burst(5, at_s=0), function="counter", progress=False)
    return p


def test_total_requests(counter: Platform) -> None:
    ctx = {"platform": counter, "function": "counter"}
    assert [e.invocations for e in counter.environments("counter")] == [4, 1, 1, 1, 1]
    ok = ch02.total_requests.check(8, show=False, **ctx)
    assert ok.passed and "[4, 1, 1, 1, 1]" in ok.message
    assert "what one environment counted" in ch02.total_requests.check(4, show=False, **ctx).message
    assert "number of execution environments" in ch02.total_requests.check(
        5, show=False, **ctx).message
    assert "Count every invocation" in ch02.total_requests.check(7, show=False, **ctx).message


def test_fits_lambda_choice() -> None:
    assert ch02.fits_lambda.check("b", show=False).passed
    assert ch02.fits_lambda.check(" (B) ", show=False).passed
    hints = {c: ch02.fits_lambda.check(c, show=False).message for c in "acd"}
    assert len(set(hints.values())) == 3 and all("?" in h or "." in h for h in hints.values())
    assert "one letter" in ch02.fits_lambda.check("e", show=False).message
    assert set(ch02.FIT_CHOICES) == {"a", "b", "c", "d"}
