"""Tests for bench.simfaas_baseline: SimFaaS runs reproducibly, silently, with sane figures."""

from __future__ import annotations

import numpy as np
import pytest

from bench.simfaas_baseline import run_simfaas

_SHORT = 2e4  # simulated seconds: ~18,000 requests, well under a second of wall time


@pytest.fixture(scope="module")
def short_run() -> dict[str, float]:
    return run_simfaas(7, sim_time_s=_SHORT)


def test_returns_all_figures(short_run: dict[str, float]) -> None:
    expected = {"cold_start_prob", "avg_total", "avg_busy", "avg_idle", "requests", "wall_s",
                "req_per_s"}
    assert expected <= short_run.keys()
    assert short_run["req_per_s"] == pytest.approx(short_run["requests"] / short_run["wall_s"])


def test_figures_are_consistent(short_run: dict[str, float]) -> None:
    # every instance is busy or idle
    assert short_run["avg_total"] == pytest.approx(short_run["avg_busy"] + short_run["avg_idle"])
    assert short_run["cold_start_prob"] == short_run["cold_starts"] / short_run["requests"]
    assert 0.0 < short_run["cold_start_prob"] < 0.05
    # Poisson count at 0.9/s over 2e4 s: mean 18,000, sd ~134
    assert abs(short_run["requests"] - 18_000) < 800
    # averages are over [0, first event at or after sim_time_s]
    assert _SHORT <= short_run["sim_end_s"] < _SHORT + 60


def test_busy_average_follows_littles_law() -> None:
    r = run_simfaas(3, sim_time_s=5e4)
    # L = lambda * W, W ~ warm mean (cold starts are rare): 0.9 * 1.991 = 1.79
    assert r["avg_busy"] == pytest.approx(0.9 * 1.991, rel=0.06)


def test_same_seed_same_figures(short_run: dict[str, float]) -> None:
    again = run_simfaas(7, sim_time_s=_SHORT)
    for key in ("cold_start_prob", "avg_total", "avg_busy", "avg_idle", "requests"):
        assert again[key] == short_run[key]


def test_other_seed_other_figures(short_run: dict[str, float]) -> None:
    other = run_simfaas(8, sim_time_s=_SHORT)
    assert other["requests"] != short_run["requests"]
    assert other["avg_total"] != short_run["avg_total"]


def test_global_rng_state_is_restored() -> None:
    np.random.seed(123)
    expected = np.random.random()
    np.random.seed(123)
    run_simfaas(1, sim_time_s=100.0)
    assert np.random.random() == expected


def test_prints_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    run_simfaas(2, sim_time_s=1e3)
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_zero_expiry_makes_every_request_cold() -> None:
    # an instance expires the instant its request ends, so no request ever finds it idle
    r = run_simfaas(4, sim_time_s=2e3, expiration_s=0.0)
    assert r["cold_start_prob"] == 1.0
    assert r["avg_idle"] == 0.0


def test_longer_expiry_means_fewer_cold_starts_and_more_idle() -> None:
    short = run_simfaas(5, sim_time_s=1e4, expiration_s=10.0)
    long = run_simfaas(5, sim_time_s=1e4, expiration_s=600.0)
    assert long["cold_start_prob"] < short["cold_start_prob"]
    assert long["avg_idle"] > short["avg_idle"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"arrival_rate": 0.0}, "arrival_rate"),
        ({"warm_mean": -1.0}, "warm_mean"),
        ({"cold_mean": float("nan")}, "cold_mean"),
        ({"expiration_s": -5.0}, "expiration_s"),
        ({"sim_time_s": 0.0}, "sim_time_s"),
    ],
)
def test_bad_parameters_name_the_field(kwargs: dict[str, float], field: str) -> None:
    with pytest.raises(ValueError, match=field):
        run_simfaas(1, **kwargs)


def test_simfaas_rejects_warm_slower_than_cold() -> None:
    with pytest.raises(ValueError, match="Warm service rate"):
        run_simfaas(1, warm_mean=3.0, cold_mean=2.0, sim_time_s=10.0)
