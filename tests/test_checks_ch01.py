"""Chapter 01 checks and charts against real lambdakit.models.tiers runs: one hint per kind of
mistake."""

from __future__ import annotations

from pathlib import Path

import nbformat
import numpy as np
import pytest

from lambdakit import Poisson
from lambdakit.models.tiers import ServiceModel
from widgets import tiers_view
from widgets.checks import ch01

NOTEBOOK = (Path(__file__).resolve().parent.parent / "course" / "solutions"
            / "01_service_architecture.ipynb")


# --- exercise 1: capacity --------------------------------------------------------------------


@pytest.mark.parametrize("answer", [1200, 1200.0, 3 * 8 / 0.020, np.float64(1195.0)])
def test_capacity_right_answers_pass(answer: float) -> None:
    result = ch01.app_capacity.check(answer, model=ServiceModel(), show=False)
    assert result.passed and "1,200 req/s" in result.message


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (150, "concurrency"),  # 3 / 0.02: forgot the slots per server
        (400, "*one* app server"),  # 8 / 0.02: forgot the number of servers
        (480, "divide by the time"),  # 3 * 8 * 20
        (1.2, "per *millisecond*"),  # 3 * 8 / 20
        (999, "servers × concurrency ÷ mean service time"),
        ("1200", "number of requests per second"),
        (True, "number of requests per second"),
    ],
)
def test_capacity_mistakes_get_specific_hints(answer: object, expected: str) -> None:
    result = ch01.app_capacity.check(answer, model=ServiceModel(), show=False)
    assert not result.passed and expected in result.message


def test_capacity_follows_the_model_it_is_given() -> None:
    bigger = ServiceModel().add_servers(1, at_s=0.0)  # 4 app servers: 1,600 req/s
    assert ch01.app_capacity.check(1600, model=bigger, show=False).passed
    assert "*one* app server" in ch01.app_capacity.check(400, model=bigger, show=False).message
    assert not ch01.app_capacity.check(1200, show=False).message.startswith("Not answered")


# --- exercise 2: why slower ------------------------------------------------------------------


def test_why_slower_right_answer_and_distinct_hints() -> None:
    assert ch01.why_slower.check(" (B) ", show=False).passed
    hints = {c: ch01.why_slower.check(c, show=False).message for c in "acd"}
    assert len(set(hints.values())) == 3
    assert all(not ch01.why_slower.check(c, show=False).passed for c in "acd")
    assert "one letter" in ch01.why_slower.check("e", show=False).message


def test_the_correct_choice_matches_the_simulation() -> None:
    run = ServiceModel(seed=1).kill("app-2", 30.0).run(Poisson(700), duration_s=80.0)
    app = run.tier_series(10.0).query("tier == 'app'").set_index("time_s")
    assert 0.53 < app.utilisation[10.0] < 0.63 and 0.82 < app.utilisation[50.0] < 0.93
    lat = run.latency_series(10.0).set_index("time_s")
    assert lat.p99_ms[50.0] > lat.p99_ms[10.0] and lat.error_rate[50.0] == 0.0


# --- exercise 3: survive the database failure ------------------------------------------------


def _run(model: ServiceModel, seconds: float = 45.0):  # noqa: ANN202
    return model.run(Poisson(300), duration_s=seconds)


def test_survivor_with_a_standby_passes() -> None:
    model = ServiceModel(seed=1).add_servers(1, at_s=0, tier="db").kill("db-1", at_s=30)
    result = ch01.survive_db_failure.check(_run(model), show=False)
    assert result.passed and "no request fails after 40 s" in result.message


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: ServiceModel(seed=1), "ServiceModel describes"),
        (lambda: _run(ServiceModel(seed=1).add_servers(1, 0, tier="db")), 'kill("db-1"'),
        (lambda: _run(ServiceModel(seed=1).kill("db-1", 30)), "*only* database server"),
        (lambda: _run(ServiceModel(seed=1, health_checks=False).add_servers(1, 0, tier="db")
                      .kill("db-1", 30)), "Health checks are off"),
        (lambda: _run(ServiceModel(seed=1).add_servers(1, 0, tier="db").kill("db-1", 30), 42),
         "run for longer"),
        (lambda: _run(ServiceModel(seed=1).add_servers(1, 0, tier="db", boot_s=60)
                      .kill("db-1", 30)), "no healthy server"),
    ],
)
def test_survivor_mistakes_get_specific_hints(make, expected: str) -> None:  # noqa: ANN001
    result = ch01.survive_db_failure.check(make(), show=False)
    assert not result.passed and expected in result.message


# --- charts render the run's own numbers -----------------------------------------------------


def test_charts_plot_lambdakit_series() -> None:
    model = ServiceModel(seed=1).kill("app-2", 5.0)
    run = model.run(Poisson(300), duration_s=20.0)
    lat = tiers_view.latency_chart(run, resolution_s=2.0)
    assert list(lat.data[2].y) == pytest.approx(list(run.latency_series(2.0).p99_ms))
    assert len(lat.layout.shapes) == 2 * len(run.events)  # a line per event per row
    tiers = tiers_view.tier_chart(run, tiers=["app"])
    assert [t.name for t in tiers.data] == ["app"] * 4
    assert max(tiers.data[2].y) == 3.0 and min(tiers.data[2].y) == 2.0  # servers up
    diagram = tiers_view.architecture(model, at_s=6.0)
    boxes = [a.text for a in diagram.layout.annotations if "<br>" in a.text and "-" in a.text]
    assert len(boxes) == len(model.servers()) and "app-2<br>down" in boxes
    both = tiers_view.compare_chart({"a": run, "b": run}, "error_rate")
    assert [t.name for t in both.data] == ["a", "b"] and max(both.data[0].y) > 0


def test_the_notebook_lists_every_choice_verbatim() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for letter, choice in ch01.WHY_SLOWER_CHOICES.items():
        assert f"**{letter}** — {choice}" in text
