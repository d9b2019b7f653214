"""widgets.compare_view renders what lambdakit.models.fleet computed, and stays small."""

from __future__ import annotations

import numpy as np
import pytest

from lambdakit import Fixed, Steps, pricing
from lambdakit.models.fleet import Autoscaling, Fleet, compare, cost_curve
from widgets.compare_view import _clip_steps, cost_chart, latency_chart, scaling_chart


@pytest.fixture(scope="module")
def burst():  # noqa: ANN201
    fleet = Fleet(servers=1, concurrency=4, service=Fixed(100),
                  autoscaling=Autoscaling(max_servers=6, interval_s=30, provisioning_delay_s=60))
    return compare(Steps(((0, 5), (60, 80), (120, 5))), 240, fleet=fleet, seed=1)


def test_latency_chart_draws_both_sides_through_their_quantiles(burst) -> None:  # noqa: ANN001
    fig = latency_chart(burst, points=50)
    fleet, lam = fig.data
    assert (fleet.name, lam.name) == ("fleet 1×4", "Lambda")
    assert len(fleet.x) == len(lam.x) == 50
    assert fleet.x[-1] == pytest.approx(burst.fleet_run.latency_ms.max())
    assert np.percentile(burst.fleet_run.latency_ms, 50) == pytest.approx(
        burst.fleet.latency_p50_ms)
    assert fig.layout.xaxis.type == "log"


def test_cost_chart_marks_the_break_even(burst) -> None:  # noqa: ANN001, ARG001
    n = pricing.break_even_requests(avg_duration_ms=100, memory_mb=512,
                                    monthly_fixed_cost=60.74, free_tier=False)
    curve = cost_curve(avg_duration_ms=100, memory_mb=512, monthly_fixed_cost=60.74,
                       max_requests=2 * n, points=11)
    fig = cost_chart(curve, n)
    assert [t.name for t in fig.data] == ["Lambda", "always-on fleet"]
    assert list(fig.data[0].y) == curve["lambda_usd"].tolist()
    assert fig.layout.shapes[0].x0 == pytest.approx(n / 1e6)
    assert "58.8 M requests/month" in fig.layout.annotations[0].text


def test_scaling_chart_series_come_from_the_runs(burst) -> None:  # noqa: ANN001
    fig = scaling_chart(burst)
    by_name = {t.name: t for t in fig.data}
    lam = by_name["Lambda: concurrent executions"]
    assert max(lam.y) == burst.platform.metrics("app").max_concurrency
    cap = by_name["fleet: capacity (slots)"]
    assert max(cap.y) == burst.fleet_run.online_slots.max() == 24
    assert max(by_name["fleet: requests in service"].y) <= 24
    assert max(by_name["fleet: requests queued"].y) == burst.fleet_run.queue_series()[1].max()
    assert len(fig.to_json()) < 400_000


def test_clip_steps_keeps_peaks_when_thinning() -> None:
    t = np.arange(0, 10_000, 1.0)
    v = np.zeros_like(t)
    v[5_001] = 99.0
    x, y = _clip_steps(t, v, 10_000.0, limit=100)
    assert len(x) == 101 and y.max() == 99.0 and x[-1] == 10_000.0
    assert y[-1] == 0.0 and y[50] == 99.0
