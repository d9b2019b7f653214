"""CostCalculator: every figure it shows is the one lambdakit.observers.pricing computes."""

from __future__ import annotations

import re

import pytest

from lambdakit import pricing
from widgets.cost import DEFAULT_SERVER_HOURLY, CostCalculator


@pytest.fixture(scope="module")
def calc() -> CostCalculator:
    return CostCalculator()


def _amounts(html_text: str) -> list[str]:
    return re.findall(r"class='lk-amount'>\$([\d,.]+)<", html_text)


def _set(calc: CostCalculator, *, requests: float = 3e6, duration: int = 120,
         memory: int = 512, arch: str = "x86_64", free: bool = True, instances: int = 1,
         hourly: float = DEFAULT_SERVER_HOURLY) -> None:
    calc.requests.value = requests
    calc.avg_duration_ms.value = duration
    calc.memory_mb.value = memory
    calc.architecture.value = arch
    calc.free_tier.value = free
    calc.instances.value = instances
    calc.hourly_price.value = hourly


@pytest.mark.parametrize("settings", [
    {"requests": 3e6, "duration": 120, "memory": 1536, "free": False},
    {"requests": 5e5, "duration": 50, "memory": 128, "free": True},
    {"requests": 2e9, "duration": 900, "memory": 10240, "arch": "arm64", "free": True},
])
def test_bill_lines_and_total_are_pricing_estimates(calc: CostCalculator,
                                                    settings: dict) -> None:
    _set(calc, **settings)
    expected = pricing.estimate(
        requests=int(round(calc.requests.value)), avg_duration_ms=settings["duration"],
        memory_mb=settings["memory"], architecture=settings.get("arch", "x86_64"),
        free_tier=settings["free"])
    assert calc.bill == expected
    assert _amounts(calc.bill_html.value) == [f"{ln.amount:,.2f}" for ln in expected.lines]
    for line in expected.lines:
        assert f"<td>{line.name}</td>" in calc.bill_html.value
    assert f"class='lk-total'>${expected.total:,.2f}<" in calc.bill_html.value
    assert f"class='lk-lambda-total'>${expected.total:,.2f}<" in calc.compare_html.value


def test_tiered_duration_shows_one_line_per_tier(calc: CostCalculator) -> None:
    _set(calc, requests=1e10, duration=1000, memory=10240, free=False)
    names = [line.name for line in calc.bill.lines]
    assert names[:2] == ["Requests", "Duration"] and len(names) == 4
    assert len(_amounts(calc.bill_html.value)) == 4


def test_break_even_shown_equals_pricing_break_even_requests(calc: CostCalculator) -> None:
    _set(calc, duration=100, memory=512, instances=2, hourly=0.0416)
    server = pricing.always_on_cost(instances=2, hourly_price=0.0416)
    expected = pricing.break_even_requests(avg_duration_ms=100, memory_mb=512,
                                           monthly_fixed_cost=server, free_tier=True)
    assert calc.server_monthly == server == 60.74
    assert calc.break_even == expected
    assert f"class='lk-break-even'>{expected:,}<" in calc.compare_html.value
    assert f"class='lk-server-total'>${server:,.2f}<" in calc.compare_html.value
    marker = calc.chart.data[2]
    assert list(marker.x) == [expected] and list(marker.y) == [server]


def test_switching_architecture_or_free_tier_reprices(calc: CostCalculator) -> None:
    _set(calc, requests=5e7, duration=200, memory=1024, free=False)
    x86 = calc.bill.total
    calc.architecture.value = "arm64"
    assert calc.bill.total < x86
    assert calc.bill == pricing.estimate(requests=50_000_000, avg_duration_ms=200,
                                         memory_mb=1024, architecture="arm64", free_tier=False)
    arm_break_even = calc.break_even
    calc.free_tier.value = True
    assert calc.bill.total < pricing.estimate(requests=50_000_000, avg_duration_ms=200,
                                              memory_mb=1024, architecture="arm64",
                                              free_tier=False).total
    assert calc.break_even is not None and arm_break_even is not None
    assert calc.break_even > arm_break_even  # the free tier pushes break-even up


def test_chart_lines_are_the_estimate_and_the_flat_server_cost(calc: CostCalculator) -> None:
    _set(calc, requests=1e6, duration=80, memory=256)
    lam, server, _be, you = calc.chart.data
    assert len(lam.x) > 20 and list(lam.x) == sorted(lam.x)
    for n, y in list(zip(lam.x, lam.y, strict=True))[::7]:
        assert y == pricing.estimate(requests=int(n), avg_duration_ms=80, memory_mb=256,
                                     free_tier=True).total
    assert max(lam.x) > (calc.break_even or 0)  # the crossing is on the chart
    assert set(server.y) == {calc.server_monthly}
    assert list(you.x) == [1_000_000] and list(you.y) == [calc.bill.total]


def test_no_server_means_break_even_at_zero(calc: CostCalculator) -> None:
    _set(calc, instances=0)
    assert calc.server_monthly == 0.0 and calc.break_even == 0
    assert list(calc.chart.data[2].x) == []
