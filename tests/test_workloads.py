"""Tests for lambdakit.workloads: arrival-time generators."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lambdakit.workloads import (
    MAX_ARRIVALS,
    Burst,
    Constant,
    Diurnal,
    Poisson,
    Replay,
    Steps,
    Superposition,
    Workload,
    rate_series,
)


def rng(seed: int = 42) -> np.random.Generator:
    return np.random.default_rng(seed)


# --- Poisson ----------------------------------------------------------------------------------


def test_poisson_count_and_gaps_match_the_rate() -> None:
    t = Poisson(1000.0).arrival_times(rng(1), 3600.0)
    mean = 1000.0 * 3600.0
    assert abs(t.size - mean) < 5 * math.sqrt(mean)  # 5 sigma; seed fixed, so no flake
    gaps = np.diff(t)
    assert gaps.mean() == pytest.approx(1e-3, rel=0.01)
    assert gaps.std() / gaps.mean() == pytest.approx(1.0, abs=0.01)  # exponential: CV = 1


def test_poisson_counts_per_second_have_poisson_dispersion() -> None:
    t = Poisson(20.0).arrival_times(rng(2), 2000.0)
    counts = np.bincount(t.astype(np.int64), minlength=2000)
    assert counts.mean() == pytest.approx(20.0, rel=0.02)
    assert counts.var() / counts.mean() == pytest.approx(1.0, abs=0.1)


def test_an_hour_at_1000_per_second_is_3_6_million_sorted_arrivals() -> None:
    t = Poisson(1000.0).arrival_times(rng(0), 3600.0)  # how fast: bench/hot_paths.py
    assert len(t) == pytest.approx(3_600_000, rel=0.005)
    assert np.all(np.diff(t) >= 0) and t[0] >= 0 and t[-1] < 3600.0


def test_same_seed_same_array_different_seed_different_array() -> None:
    w = Poisson(50.0) + Diurnal(5.0, period_s=100.0) + Burst(10, spread_s=3.0)
    a, b = w.arrival_times(rng(7), 100.0), w.arrival_times(rng(7), 100.0)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, w.arrival_times(rng(8), 100.0))


def test_zero_rate_and_zero_duration_give_empty_float_arrays() -> None:
    for w in (Poisson(0.0), Constant(0.0), Diurnal(0.0), Steps(((0.0, 0.0),))):
        out = w.arrival_times(rng(), 100.0)
        assert out.shape == (0,) and out.dtype == np.float64
    assert Poisson(5.0).arrival_times(rng(), 0.0).shape == (0,)


# --- Constant ---------------------------------------------------------------------------------


def test_constant_is_evenly_spaced_from_its_start() -> None:
    t = Constant(2.0, start_s=1.0).arrival_times(rng(), 5.0)
    np.testing.assert_allclose(t, np.arange(1.0, 5.0, 0.5))


def test_constant_uses_no_randomness() -> None:
    np.testing.assert_array_equal(
        Constant(3.0).arrival_times(rng(1), 10.0), Constant(3.0).arrival_times(rng(2), 10.0)
    )


def test_constant_keeps_the_last_arrival_just_before_the_end() -> None:
    t = Constant(10.0).arrival_times(rng(), 0.3)  # 0.0, 0.1, 0.2 (0.3 excluded)
    assert t.size == 3


# --- Burst ------------------------------------------------------------------------------------


def test_burst_at_one_instant() -> None:
    t = Burst(500, at_s=12.5).arrival_times(rng(), 60.0)
    assert t.size == 500
    assert np.all(t == 12.5)


def test_burst_with_spread_is_uniform_in_its_window() -> None:
    t = Burst(20_000, at_s=10.0, spread_s=4.0).arrival_times(rng(3), 60.0)
    assert t.size == 20_000
    assert t.min() >= 10.0 and t.max() < 14.0
    quarters = np.histogram(t, bins=[10, 11, 12, 13, 14])[0]
    assert np.all(np.abs(quarters - 5000) < 300)


def test_burst_after_the_run_is_dropped_and_natural_duration_keeps_it() -> None:
    w = Burst(5, at_s=30.0)
    assert w.arrival_times(rng(), 30.0).size == 0
    assert w.natural_duration_s > 30.0
    assert w.arrival_times(rng(), w.natural_duration_s).size == 5
    assert Burst(5, at_s=30.0, spread_s=2.0).natural_duration_s == 32.0


def test_burst_of_zero_is_empty() -> None:
    assert Burst(0).arrival_times(rng(), 10.0).size == 0


# --- Steps ------------------------------------------------------------------------------------


def test_steps_evenly_spaced_change_exactly_at_the_boundaries() -> None:
    t = Steps(((0.0, 1.0), (10.0, 2.0)), poisson=False).arrival_times(rng(), 20.0)
    expected = np.concatenate([np.arange(0.0, 10.0, 1.0), np.arange(10.0, 20.0, 0.5)])
    np.testing.assert_allclose(t, expected)


def test_steps_poisson_counts_per_step_and_nothing_before_the_first_start() -> None:
    w = Steps(((100.0, 50.0), (200.0, 0.0), (300.0, 200.0)))
    t = w.arrival_times(rng(4), 400.0)
    counts = np.histogram(t, bins=[0, 100, 200, 300, 400])[0]
    assert counts[0] == 0 and counts[2] == 0
    assert abs(counts[1] - 5_000) < 5 * math.sqrt(5_000)
    assert abs(counts[3] - 20_000) < 5 * math.sqrt(20_000)
    assert t.min() >= 100.0


def test_steps_starting_after_the_run_contribute_nothing() -> None:
    t = Steps(((0.0, 2.0), (50.0, 1000.0)), poisson=False).arrival_times(rng(), 10.0)
    assert t.size == 20


def test_steps_accepts_lists_and_stores_tuples() -> None:
    w = Steps([[0, 1], [5, 2]])  # type: ignore[arg-type]
    assert w.steps == ((0.0, 1.0), (5.0, 2.0))
    assert hash(w) == hash(Steps(((0.0, 1.0), (5.0, 2.0))))


# --- Diurnal ----------------------------------------------------------------------------------


def test_diurnal_peaks_near_peak_at_and_has_the_right_mean_and_ratio() -> None:
    w = Diurnal(5.0)  # 24 h period, peak at 14:00, peak/trough 4
    starts, rate = rate_series(w, rng(5), 86_400.0, 3600.0)
    assert starts[np.argmax(rate)] / 3600 in (13.0, 14.0)  # the 13:00–14:00 or 14:00–15:00 bin
    assert starts[np.argmin(rate)] / 3600 in (1.0, 2.0)
    assert rate.mean() == pytest.approx(5.0, rel=0.02)
    # Hour bins centred on 14:00 and 02:00 average the sine over +-30 min; ratio stays ~4.
    t = w.arrival_times(rng(6), 86_400.0)
    peak = np.count_nonzero((t >= 13.5 * 3600) & (t < 14.5 * 3600))
    trough = np.count_nonzero((t >= 1.5 * 3600) & (t < 2.5 * 3600))
    assert peak / trough == pytest.approx(4.0, rel=0.1)


def test_diurnal_rate_at_spans_trough_to_peak() -> None:
    w = Diurnal(10.0, peak_to_trough=4.0, period_s=100.0, peak_at_s=25.0)
    assert w.rate_at(25.0) == pytest.approx(16.0)
    assert w.rate_at(75.0) == pytest.approx(4.0)
    assert Diurnal(10.0, peak_to_trough=math.inf).rate_at(2 * 3600.0) == pytest.approx(0.0)


def test_diurnal_ratio_one_is_homogeneous() -> None:
    t = Diurnal(10.0, peak_to_trough=1.0, period_s=1000.0).arrival_times(rng(9), 1000.0)
    halves = np.histogram(t, bins=[0, 500, 1000])[0]
    assert abs(halves[0] - halves[1]) < 5 * math.sqrt(t.size)


# --- Replay -----------------------------------------------------------------------------------


def test_replay_sorts_and_truncates_to_the_run() -> None:
    w = Replay((3.0, 1.0, 2.0, 10.0))
    assert w.timestamps == (1.0, 2.0, 3.0, 10.0)
    np.testing.assert_array_equal(w.arrival_times(rng(), 5.0), [1.0, 2.0, 3.0])
    assert w.arrival_times(rng(), w.natural_duration_s).size == 4


def test_replay_output_is_a_private_copy() -> None:
    w = Replay((1.0, 2.0))
    out = w.arrival_times(rng(), 10.0)
    out[0] = 99.0
    np.testing.assert_array_equal(w.arrival_times(rng(), 10.0), [1.0, 2.0])


def test_replay_from_csv_numeric_seconds(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("id,sent\na,105.5\nb,100\nc,101.25\n")
    w = Replay.from_csv(path, column="sent")
    assert w.timestamps == (0.0, 1.25, 5.5)


def test_replay_from_csv_iso_timestamps_default_column(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text(
        "user,timestamp\n"
        "u1,2024-03-04T17:22:40.500Z\n"
        "u2,2024-03-04T17:22:38Z\n"
        "u3,2024-03-04T18:22:38+01:00\n"  # same instant as u2, other time zone
    )
    assert Replay.from_csv(path).timestamps == (0.0, 0.0, 2.5)


def test_replay_from_csv_defaults_to_the_first_column(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("t,other\n2,x\n4,y\n")
    assert Replay.from_csv(path).timestamps == (0.0, 2.0)


def test_replay_from_csv_errors_name_the_column_and_value(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("timestamp\n1.0\n2.0\nsoon\n")
    with pytest.raises(ValueError, match=r"'timestamp' data row 3 = 'soon'.*ISO-8601"):
        Replay.from_csv(path)
    with pytest.raises(ValueError, match=r"column = 'when' not found.*'timestamp'"):
        Replay.from_csv(path, column="when")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ValueError, match="empty"):
        Replay.from_csv(empty)


# --- superposition and rate_series ------------------------------------------------------------


def test_sum_merges_sorted_and_counts_add_up() -> None:
    a, b = Poisson(10.0), Burst(100, at_s=50.0)
    w = a + b + Constant(1.0)
    assert isinstance(w, Superposition) and len(w.parts) == 3  # flattened
    t = w.arrival_times(rng(11), 100.0)
    assert np.all(np.diff(t) >= 0)
    assert np.count_nonzero(t == 50.0) >= 100
    separate = (
        a.arrival_times(rng(12), 100.0).size + 100 + Constant(1.0).arrival_times(rng(), 100.0).size
    )
    assert w.arrival_times(rng(12), 100.0).size == separate
    assert w.describe() == "Poisson 10 req/s + Burst of 100 at 50 s + Constant 1 req/s"


def test_builtin_sum_and_natural_duration_of_a_sum() -> None:
    w = sum([Burst(1, at_s=5.0), Replay((0.0, 9.0))])
    assert isinstance(w, Workload)
    assert w.natural_duration_s == Replay((9.0,)).natural_duration_s
    assert (w + Poisson(1.0)).natural_duration_s is None
    assert Poisson(1.0).natural_duration_s is None


def test_rate_series_bins_and_partial_last_bin() -> None:
    starts, rate = rate_series(Constant(4.0), rng(), 10.5, 2.0)
    np.testing.assert_allclose(starts, [0, 2, 4, 6, 8, 10])
    np.testing.assert_allclose(rate, [4, 4, 4, 4, 4, 4])
    starts, rate = rate_series(Steps(((0.0, 1.0), (4.0, 3.0)), poisson=False), rng(), 8.0, 4.0)
    np.testing.assert_allclose(rate, [1.0, 3.0])


def test_describe_lines() -> None:
    assert Poisson(0.9).describe() == "Poisson 0.9 req/s"
    assert Constant(1000.0, start_s=600.0).describe() == "Constant 1,000 req/s from 10 min"
    assert Burst(3, at_s=5.0, spread_s=2.0).describe() == "Burst of 3 at 5 s (spread 2 s)"
    assert Diurnal(5.0).describe() == (
        "Diurnal mean 5 req/s, peak/trough 4, peak at 14 h, period 24 h"
    )
    assert "evenly spaced" in Steps(((0.0, 1.0),), poisson=False).describe()
    assert Steps(tuple((float(i), float(i)) for i in range(6))).describe() == (
        "Steps (6 steps, 0–5 req/s, Poisson)"
    )
    assert Replay((0.0, 60.0)).describe() == "Replay of 2 requests over 60 s"
    for w in (Poisson(1.0), Diurnal(1.0), Steps(((0.0, 1.0),)), Replay(())):
        assert "\n" not in w.describe()


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "pattern"),
    [
        (lambda: Poisson(-1.0),
         r"Poisson\.rate_per_s=-1\.0 is not valid: a finite number of at least 0 req/s$"),
        (lambda: Poisson(float("nan")),
         r"Poisson\.rate_per_s=nan is not valid: a finite number of at least 0 req/s$"),
        (lambda: Poisson(math.inf),
         r"Poisson\.rate_per_s=inf is not valid: a finite number of at least 0 req/s$"),
        (lambda: Constant(2.0, start_s=-1.0),
         r"Constant\.start_s=-1\.0 is not valid: a finite number of at least 0 s$"),
        (lambda: Burst(-1), r"Burst\.count=-1 is not valid: an integer of at least 0$"),
        (lambda: Burst(2.5),  # type: ignore[arg-type]
         r"Burst\.count=2\.5 is not valid: an integer of at least 0$"),
        (lambda: Burst(1, spread_s=-2.0),
         r"Burst\.spread_s=-2\.0 is not valid: a finite number of at least 0 s$"),
        (lambda: Steps(()), r"Steps\.steps = \(\) is empty"),
        (lambda: Steps(((0.0, 1.0), (5.0, -3.0))),
         r"Steps\.steps\[1\]\.rate_per_s=-3\.0 is not valid: a finite number of at least 0 "
         r"req/s$"),
        (lambda: Steps(((5.0, 1.0), (5.0, 2.0))),
         r"Steps\.steps\[1\]\.start_s=5\.0 is not valid: a finite number above 5 s "
         r"\(the previous start; starts must increase\)$"),
        (lambda: Steps(((5.0, 1.0), (2.0, 2.0))),
         r"Steps\.steps\[1\]\.start_s=2\.0 is not valid: a finite number above 5 s"),
        (lambda: Steps(((0.0,),)), r"steps\[0\] = \(0\.0,\).*pair"),  # type: ignore[arg-type]
        (lambda: Diurnal(5.0, peak_to_trough=0.5),
         r"Diurnal\.peak_to_trough=0\.5 is not valid: a number of at least 1$"),
        (lambda: Diurnal(float("nan")),
         r"Diurnal\.mean_rate_per_s=nan is not valid: a finite number of at least 0 req/s$"),
        (lambda: Diurnal(5.0, period_s=0.0),
         r"Diurnal\.period_s=0\.0 is not valid: a finite number above 0 s$"),
        (lambda: Diurnal(5.0, peak_at_s=math.inf),
         r"Diurnal\.peak_at_s=inf is not valid: a finite number \(s\)$"),
        (lambda: Replay((1.0, -2.0)),
         r"Replay\.timestamps\[1\]=-2\.0 is not valid: a finite number of at least 0 s$"),
        (lambda: Replay((1.0, math.nan)),
         r"Replay\.timestamps\[\d\]=nan is not valid: a finite number of at least 0 s$"),
    ],
)
def test_bad_parameters_raise_value_error_naming_field_value_and_range(
    make: object, pattern: str
) -> None:
    with pytest.raises(ValueError, match=pattern):
        make()  # type: ignore[operator]


def test_bad_call_arguments() -> None:
    with pytest.raises(ValueError, match=r"^arrival_times\.duration_s=-1\.0 is not valid: "
                       r"a finite number of at least 0 s$"):
        Poisson(1.0).arrival_times(rng(), -1.0)
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        Poisson(1.0).arrival_times(42, 10.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^rate_series\.bin_s=0 is not valid: "
                       r"a finite number above 0 s$"):
        rate_series(Poisson(1.0), rng(), 10.0, 0)
    with pytest.raises(ValueError, match=f"at most {MAX_ARRIVALS:,}"):
        Poisson(1e6).arrival_times(rng(), 86_400.0)
    with pytest.raises(ValueError, match="at most"):
        Burst(MAX_ARRIVALS + 1)


def test_workloads_are_frozen_values() -> None:
    w = Poisson(1.0)
    with pytest.raises(AttributeError):
        w.rate_per_s = 2.0  # type: ignore[misc]
    assert Poisson(1.0) == w and hash(Poisson(1.0)) == hash(w)


# --- property: the output contract holds for any workload -------------------------------------

_rates = st.floats(min_value=0.0, max_value=50.0)
_times = st.floats(min_value=0.0, max_value=120.0)
_leaf = st.one_of(
    st.builds(Poisson, _rates),
    st.builds(Constant, _rates, _times),
    st.builds(Burst, st.integers(0, 200), _times, st.floats(0.0, 30.0)),
    st.builds(
        Diurnal,
        _rates,
        st.floats(1.0, 100.0),
        st.floats(1.0, 200.0),
        st.floats(-100.0, 100.0),
    ),
    st.builds(Replay, st.lists(_times, max_size=30).map(tuple)),
    st.builds(
        lambda starts, rates, poisson: Steps(
            tuple(zip(starts, rates[: len(starts)], strict=True)), poisson
        ),
        st.lists(_times, min_size=1, max_size=6, unique=True).map(sorted),
        st.lists(_rates, min_size=6, max_size=6),
        st.booleans(),
    ),
)
_workloads = st.one_of(_leaf, st.lists(_leaf, min_size=2, max_size=3).map(sum))


@settings(max_examples=150, deadline=None)
@given(w=_workloads, duration=st.floats(0.0, 150.0), seed=st.integers(0, 2**32 - 1))
def test_output_is_sorted_float64_within_the_run(w: Workload, duration: float, seed: int) -> None:
    t = w.arrival_times(np.random.default_rng(seed), duration)
    assert t.dtype == np.float64 and t.ndim == 1
    assert np.all(np.diff(t) >= 0)
    if t.size:
        assert t[0] >= 0.0 and t[-1] < duration
    np.testing.assert_array_equal(t, w.arrival_times(np.random.default_rng(seed), duration))
