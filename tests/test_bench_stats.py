"""Tests for bench.stats: Student-t 95% CIs and the CI-overlap test."""

from __future__ import annotations

import builtins
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench import stats


def test_mean_ci95_matches_hand_computation() -> None:
    # n=3: mean 2, s=1, half = t(0.975, 2) * 1 / sqrt(3) = 4.302653 / 1.732051
    mean, half = stats.mean_ci95([1.0, 2.0, 3.0])
    assert mean == 2.0
    assert half == pytest.approx(4.302653 / math.sqrt(3), rel=1e-6)


def test_mean_ci95_constant_values_have_zero_width() -> None:
    assert stats.mean_ci95([0.25] * 5) == (0.25, 0.0)


@pytest.mark.parametrize("values", [[], [1.0]])
def test_mean_ci95_needs_two_values(values: list[float]) -> None:
    with pytest.raises(ValueError, match=f"at least 2 values, got {len(values)}"):
        stats.mean_ci95(values)


def test_fallback_table_matches_scipy() -> None:
    from scipy.stats import t

    for dof in range(1, 200):
        assert stats._t975_fallback(dof) == pytest.approx(float(t.ppf(0.975, dof)), abs=1e-4)


def test_without_scipy_uses_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_scipy(name: str, *args: object, **kwargs: object) -> object:
        if name.startswith("scipy"):
            raise ImportError("no scipy here")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_scipy)
    _, half = stats.mean_ci95([1.0, 2.0, 3.0, 4.0, 5.0])
    assert half == pytest.approx(2.776445 * math.sqrt(2.5 / 5), rel=1e-9)


def test_agree_overlap_and_separation() -> None:
    assert stats.agree([1.0, 1.1, 0.9], [1.05, 1.15, 0.95])
    assert not stats.agree([1.0, 1.01, 0.99], [2.0, 2.01, 1.99])


def test_agree_touching_intervals_count_as_overlap() -> None:
    # each CI is mean ± t(0.975,1) * 1/sqrt(2) * |diff|; pick means exactly 2 half-widths apart
    half = stats.mean_ci95([0.0, 2.0])[1]
    b = [2 * half, 2 * half + 2.0]
    assert stats.agree([0.0, 2.0], b)
    assert not stats.agree([0.0, 2.0], [x + 1e-9 for x in b])


@given(
    st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=30),
    st.floats(-1e3, 1e3),
)
def test_ci_is_shift_invariant_and_agree_is_symmetric(values: list[float], shift: float) -> None:
    mean, half = stats.mean_ci95(values)
    mean2, half2 = stats.mean_ci95([v + shift for v in values])
    assert mean2 == pytest.approx(mean + shift, abs=1e-6)
    assert half2 == pytest.approx(half, rel=1e-6, abs=1e-6)
    assert half >= 0.0
    other = [v + shift for v in values]
    assert stats.agree(values, other) == stats.agree(other, values)
    assert stats.agree(values, values)
