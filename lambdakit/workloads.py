"""Arrival-time generators: *when* requests reach a simulated function.

A workload turns a random generator and a run length into a sorted float64 array of arrival
offsets in seconds, each in ``[0, duration_s)``. Arrivals at or after ``duration_s`` are dropped.
Everything is vectorised (no Python loop per arrival) and deterministic for a seed: the same
``numpy.random.Generator`` state gives the same array.

Workloads add up: ``Poisson(5) + Burst(100, at_s=30)`` merges both streams (superposition).

The rates and shapes here are inputs chosen by the user, not AWS figures, so no Lambda fact
is reproduced in this module; the defaults of :class:`Diurnal` (peak/trough 4, peak at 14:00)
are illustrative, not measured.

Example:
    >>> import numpy as np
    >>> w = Constant(2.0) + Burst(3, at_s=1.0)
    >>> w.arrival_times(np.random.default_rng(0), 2.0).tolist()
    [0.0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.5]
"""

from __future__ import annotations

import abc
import math
import numbers
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from os import PathLike
from typing import TYPE_CHECKING

import numpy as np

from .errors import InvalidParameterValueException
from .function.quotas import check_number

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "MAX_ARRIVALS",
    "Burst",
    "Constant",
    "Diurnal",
    "Poisson",
    "Replay",
    "Steps",
    "Superposition",
    "Workload",
    "rate_series",
]

#: Largest number of arrivals one workload may generate in one call (400 MB of float64),
#: so that a typo in a rate raises an error instead of exhausting a notebook's memory.
MAX_ARRIVALS = 50_000_000
_MAX_BINS = 10_000_000


class Workload(abc.ABC):
    """When requests arrive: a source of sorted arrival offsets (seconds).

    Subclasses implement :meth:`_generate` and :meth:`describe`; :meth:`arrival_times` checks
    the arguments and guarantees the output contract (sorted, float64, in ``[0, duration_s)``).

    Example:
        >>> import numpy as np
        >>> Poisson(0.9).describe()
        'Poisson 0.9 req/s'
        >>> Poisson(0.0).arrival_times(np.random.default_rng(1), 60.0).size
        0
    """

    __slots__ = ()

    def arrival_times(self, rng: np.random.Generator, duration_s: float) -> np.ndarray:
        """Sorted float64 arrival offsets in ``[0, duration_s)``; later arrivals are dropped."""
        if not isinstance(rng, np.random.Generator):
            raise TypeError(
                f"rng must be a numpy.random.Generator (e.g. numpy.random.default_rng(1)), "
                f"got {type(rng).__name__}"
            )
        duration = check_number("arrival_times.duration_s", duration_s, 0, unit="s")
        times = np.asarray(self._generate(rng, duration), dtype=np.float64)
        low, high = np.searchsorted(times, [0.0, duration], side="left")  # times are sorted
        kept = times[low:high]
        return kept if kept.flags.writeable else kept.copy()  # never hand out Replay's array

    @abc.abstractmethod
    def _generate(self, rng: np.random.Generator, duration_s: float) -> np.ndarray:
        """Sorted (non-decreasing) arrivals; any at or after duration_s are dropped by caller."""

    @abc.abstractmethod
    def describe(self) -> str:
        """One line for plot titles and progress bars, e.g. ``'Poisson 0.9 req/s'``."""

    @property
    def natural_duration_s(self) -> float | None:
        """Shortest run that keeps every arrival, for finite workloads; ``None`` otherwise."""
        return None

    def __add__(self, other: Workload) -> Workload:
        if not isinstance(other, Workload):
            return NotImplemented
        return Superposition((*_parts(self), *_parts(other)))

    def __radd__(self, other: object) -> Workload:
        # Lets the built-in sum() start from 0: sum([Poisson(1), Poisson(2)]).
        if isinstance(other, int) and other == 0:
            return self
        return NotImplemented


@dataclass(frozen=True, slots=True)
class Constant(Workload):
    """Evenly spaced arrivals: one every ``1 / rate_per_s`` seconds from ``start_s``.

    Example:
        >>> import numpy as np
        >>> Constant(2.0, start_s=1.0).arrival_times(np.random.default_rng(0), 3.0).tolist()
        [1.0, 1.5, 2.0, 2.5]
    """

    rate_per_s: float
    start_s: float = 0.0

    def __post_init__(self) -> None:
        check_number("Constant.rate_per_s", self.rate_per_s, 0, unit="req/s")
        check_number("Constant.start_s", self.start_s, 0, unit="s")

    def _generate(self, rng: np.random.Generator, duration_s: float) -> np.ndarray:
        span = duration_s - self.start_s
        if self.rate_per_s == 0 or span <= 0:
            return np.empty(0)
        _check_size("Constant", span * self.rate_per_s, duration_s)
        # One extra point covers rounding in ceil(); the caller drops anything >= duration_s.
        count = math.ceil(span * self.rate_per_s) + 1
        with np.errstate(over="ignore"):  # a tiny rate puts the 2nd point at inf: dropped
            return self.start_s + np.arange(count) / self.rate_per_s

    def describe(self) -> str:
        start = f" from {_seconds(self.start_s)}" if self.start_s else ""
        return f"Constant {_fmt(self.rate_per_s)} req/s{start}"


@dataclass(frozen=True, slots=True)
class Poisson(Workload):
    """Independent arrivals at a constant mean rate (exponential gaps).

    Example:
        >>> import numpy as np
        >>> t = Poisson(1000.0).arrival_times(np.random.default_rng(7), 10.0)
        >>> 9_700 < t.size < 10_300
        True
    """

    rate_per_s: float

    def __post_init__(self) -> None:
        check_number("Poisson.rate_per_s", self.rate_per_s, 0, unit="req/s")

    def _generate(self, rng: np.random.Generator, duration_s: float) -> np.ndarray:
        _check_size("Poisson", self.rate_per_s * duration_s, duration_s)
        return _homogeneous(rng, self.rate_per_s, 0.0, duration_s)

    def describe(self) -> str:
        return f"Poisson {_fmt(self.rate_per_s)} req/s"


@dataclass(frozen=True, slots=True)
class Burst(Workload):
    """``count`` arrivals at one instant ``at_s``, or uniformly within ``[at_s, at_s+spread_s)``.

    Example:
        >>> import numpy as np
        >>> Burst(3, at_s=5.0).arrival_times(np.random.default_rng(0), 10.0).tolist()
        [5.0, 5.0, 5.0]
        >>> Burst(3, at_s=5.0, spread_s=2.0).natural_duration_s
        7.0
    """

    count: int
    at_s: float = 0.0
    spread_s: float = 0.0

    def __post_init__(self) -> None:
        check_number("Burst.count", self.count, 0, types=(numbers.Integral,))
        _check_size("Burst", self.count, None)
        check_number("Burst.at_s", self.at_s, 0, unit="s")
        check_number("Burst.spread_s", self.spread_s, 0, unit="s")

    def _generate(self, rng: np.random.Generator, duration_s: float) -> np.ndarray:
        if self.spread_s == 0:
            return np.full(int(self.count), float(self.at_s))
        return _sorted_uniform(rng, int(self.count), self.at_s, self.at_s + self.spread_s)

    def describe(self) -> str:
        spread = f" (spread {_seconds(self.spread_s)})" if self.spread_s else ""
        return f"Burst of {_fmt(self.count)} at {_seconds(self.at_s)}{spread}"

    @property
    def natural_duration_s(self) -> float:
        """``at_s + spread_s``; just past ``at_s`` when ``spread_s`` is 0 (the run is half-open)."""
        if self.spread_s == 0:
            return math.nextafter(float(self.at_s), math.inf)
        return float(self.at_s + self.spread_s)


@dataclass(frozen=True, slots=True)
class Steps(Workload):
    """A rate that changes at given times: ``((start_s, rate_per_s), ...)``, starts increasing.

    No arrivals before the first start; the last rate lasts until the end of the run. With
    ``poisson=False`` each step is evenly spaced, starting exactly at its start time.

    Example:
        >>> import numpy as np
        >>> w = Steps(((0.0, 1.0), (3.0, 2.0)), poisson=False)
        >>> w.arrival_times(np.random.default_rng(0), 5.0).tolist()
        [0.0, 1.0, 2.0, 3.0, 3.5, 4.0, 4.5]
    """

    steps: tuple[tuple[float, float], ...]
    poisson: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps", _validated_steps(self.steps))

    def _generate(self, rng: np.random.Generator, duration_s: float) -> np.ndarray:
        edges, rates = self._segments(duration_s)
        expected = float(np.sum(rates * np.diff(edges)))
        _check_size("Steps", expected, duration_s)
        if self.poisson:
            return _piecewise_poisson(rng, edges, rates)
        return _piecewise_constant(edges, rates)

    def _segments(self, duration_s: float) -> tuple[np.ndarray, np.ndarray]:
        """Edges (len k+1, last = duration_s) and rates (len k) of the steps inside the run."""
        starts = np.array([s for s, _ in self.steps], dtype=np.float64)
        rates = np.array([r for _, r in self.steps], dtype=np.float64)
        inside = starts < duration_s
        return np.append(starts[inside], duration_s), rates[inside]

    def describe(self) -> str:
        kind = "Poisson" if self.poisson else "evenly spaced"
        if len(self.steps) > 4:
            rates = [r for _, r in self.steps]
            return (
                f"Steps ({len(self.steps)} steps, {_fmt(min(rates))}–{_fmt(max(rates))} "
                f"req/s, {kind})"
            )
        parts = ", ".join(f"{_fmt(r)} req/s from {_seconds(s)}" for s, r in self.steps)
        return f"Steps: {parts} ({kind})"


@dataclass(frozen=True, slots=True)
class Diurnal(Workload):
    """Poisson arrivals whose rate follows a daily sine wave (non-homogeneous Poisson).

    ``rate(t) = mean * (1 + a * cos(2π (t - peak_at_s) / period_s))`` with
    ``a = (peak_to_trough - 1) / (peak_to_trough + 1)``, so the peak rate is ``peak_to_trough``
    times the trough rate (``math.inf`` gives a trough of zero). Sampled by thinning.

    Example:
        >>> import numpy as np
        >>> w = Diurnal(10.0, peak_to_trough=3.0)
        >>> w.rate_at(14 * 3600.0), w.rate_at(2 * 3600.0)
        (15.0, 5.0)
        >>> w.rate_at(np.array([0.0, 14 * 3600.0])).round(3).tolist()
        [5.67, 15.0]
    """

    mean_rate_per_s: float
    peak_to_trough: float = 4.0
    period_s: float = 86_400.0
    peak_at_s: float = 14 * 3600.0

    def __post_init__(self) -> None:
        check_number("Diurnal.mean_rate_per_s", self.mean_rate_per_s, 0, unit="req/s")
        check_number("Diurnal.peak_to_trough", self.peak_to_trough, 1.0, finite=False)
        check_number("Diurnal.period_s", self.period_s, 0, positive=True, unit="s")
        check_number("Diurnal.peak_at_s", self.peak_at_s, unit="s")

    @property
    def _amplitude(self) -> float:
        if math.isinf(self.peak_to_trough):
            return 1.0
        return (self.peak_to_trough - 1.0) / (self.peak_to_trough + 1.0)

    def rate_at(self, t_s: float | np.ndarray) -> float | np.ndarray:
        """Instantaneous rate in req/s at offset(s) ``t_s`` (a float or an array)."""
        phase = 2.0 * np.pi * (np.asarray(t_s, dtype=np.float64) - self.peak_at_s) / self.period_s
        rate = self.mean_rate_per_s * (1.0 + self._amplitude * np.cos(phase))
        return float(rate) if np.ndim(rate) == 0 else rate

    def _generate(self, rng: np.random.Generator, duration_s: float) -> np.ndarray:
        peak = self.mean_rate_per_s * (1.0 + self._amplitude)
        _check_size("Diurnal", peak * duration_s, duration_s)
        candidates = _homogeneous(rng, peak, 0.0, duration_s)
        if peak == 0 or candidates.size == 0:
            return candidates
        keep = rng.random(candidates.size) * peak < self.rate_at(candidates)
        return candidates[keep]

    def describe(self) -> str:
        return (
            f"Diurnal mean {_fmt(self.mean_rate_per_s)} req/s, peak/trough "
            f"{_fmt(self.peak_to_trough)}, peak at {_seconds(self.peak_at_s)}, "
            f"period {_seconds(self.period_s)}"
        )


@dataclass(frozen=True, slots=True)
class Replay(Workload):
    """Replays recorded arrival offsets (seconds, >= 0), sorted on build; the rng is unused.

    A replay longer than the run is truncated: arrivals at or after ``duration_s`` are dropped.
    Run for :attr:`natural_duration_s` to keep them all.

    Example:
        >>> import numpy as np
        >>> r = Replay((2.0, 0.0, 0.5))
        >>> r.timestamps
        (0.0, 0.5, 2.0)
        >>> r.arrival_times(np.random.default_rng(0), 1.0).tolist()
        [0.0, 0.5]
    """

    timestamps: tuple[float, ...]
    _array: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        array = _validated_offsets(self.timestamps)
        array.flags.writeable = False
        object.__setattr__(self, "timestamps", tuple(array.tolist()))
        object.__setattr__(self, "_array", array)

    @classmethod
    def from_csv(cls, path: str | PathLike[str], column: str | None = None) -> Replay:
        """Read a column of seconds (numbers) or ISO-8601 timestamps; offsets from the earliest.

        The default column is ``"timestamp"`` if the file has one, else the first column.

        Example:
            >>> import pathlib, tempfile
            >>> p = pathlib.Path(tempfile.mkdtemp()) / "log.csv"
            >>> _ = p.write_text("timestamp\\n2024-01-01T00:00:01Z\\n2024-01-01T00:00:00Z\\n")
            >>> Replay.from_csv(p).timestamps
            (0.0, 1.0)
        """
        import pandas as pd
        try:
            frame = pd.read_csv(path)
        except pd.errors.EmptyDataError as exc:
            raise ValueError(f"Replay.from_csv: {path} is empty: expected a header row") from exc
        return cls(tuple(_offsets_from_column(frame, column).tolist()))

    def _generate(self, rng: np.random.Generator, duration_s: float) -> np.ndarray:
        return self._array

    def describe(self) -> str:
        span = self._array[-1] if self._array.size else 0.0
        return f"Replay of {_fmt(self._array.size)} requests over {_seconds(span)}"

    @property
    def natural_duration_s(self) -> float:
        """Just past the last timestamp (0.0 when empty), so that every arrival is kept."""
        if self._array.size == 0:
            return 0.0
        return math.nextafter(float(self._array[-1]), math.inf)


@dataclass(frozen=True, slots=True)
class Superposition(Workload):
    """Several workloads at once, merged and sorted; built by ``+``.

    Each part draws from the same generator in order, so a seed still fixes the result.

    Example:
        >>> (Poisson(1.0) + Burst(10, at_s=5.0)).describe()
        'Poisson 1 req/s + Burst of 10 at 5 s'
    """

    parts: tuple[Workload, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", tuple(self.parts))
        for part in self.parts:
            if not isinstance(part, Workload):
                raise ValueError(
                    f"Superposition.parts contains {part!r}: expected Workload instances"
                )

    def _generate(self, rng: np.random.Generator, duration_s: float) -> np.ndarray:
        arrays = [part.arrival_times(rng, duration_s) for part in self.parts]
        # Stable sort is a merge of already sorted runs (timsort): linear in practice.
        return np.sort(np.concatenate([np.empty(0), *arrays]), kind="stable")

    def describe(self) -> str:
        return " + ".join(part.describe() for part in self.parts)

    @property
    def natural_duration_s(self) -> float | None:
        """The longest part's natural duration, or ``None`` if any part is open-ended."""
        spans = [part.natural_duration_s for part in self.parts]
        if not spans or any(s is None for s in spans):
            return None
        return max(s for s in spans if s is not None)


def rate_series(
    workload: Workload, rng: np.random.Generator, duration_s: float, bin_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """Arrival rate per time bin, for plotting: ``(bin starts in s, rate in req/s)``.

    The last bin may be shorter than ``bin_s``; its rate is divided by its real width.

    Example:
        >>> import numpy as np
        >>> starts, rate = rate_series(Constant(4.0), np.random.default_rng(0), 2.5, 1.0)
        >>> starts.tolist(), rate.tolist()
        ([0.0, 1.0, 2.0], [4.0, 4.0, 4.0])
    """
    check_number("rate_series.bin_s", bin_s, 0, positive=True, unit="s")
    times = workload.arrival_times(rng, duration_s)
    n_bins = math.ceil(duration_s / bin_s)
    if n_bins > _MAX_BINS:
        raise ValueError(
            f"rate_series.bin_s = {bin_s} gives {n_bins:,} bins over {duration_s} s: "
            f"expected at most {_MAX_BINS:,} bins (use a wider bin)"
        )
    starts = np.arange(n_bins) * float(bin_s)
    index = np.minimum((times // bin_s).astype(np.int64), max(n_bins - 1, 0))
    counts = np.bincount(index, minlength=n_bins)[:n_bins]
    widths = np.minimum(float(bin_s), duration_s - starts)
    return starts, counts / widths


# --- sampling helpers -------------------------------------------------------------------------


def _sorted_uniform(rng: np.random.Generator, n: int, low: float, high: float) -> np.ndarray:
    """n sorted iid Uniform[low, high) draws in O(n): normalised sums of n+1 exponentials."""
    if n == 0:
        return np.empty(0)
    sums = np.cumsum(rng.standard_exponential(n + 1))  # in place below: 3.6M points in ~0.1 s
    points = sums[:n]
    points *= (high - low) / sums[n]
    points += low
    return points


def _homogeneous(rng: np.random.Generator, rate: float, low: float, high: float) -> np.ndarray:
    """Poisson process of constant rate on [low, high): Poisson count, then sorted uniforms."""
    if rate == 0 or high <= low:
        return np.empty(0)
    return _sorted_uniform(rng, int(rng.poisson(rate * (high - low))), low, high)


def _piecewise_poisson(
    rng: np.random.Generator, edges: np.ndarray, rates: np.ndarray
) -> np.ndarray:
    """Non-homogeneous Poisson with piecewise-constant rate, by time rescaling (exact).

    A unit-rate process on [0, Λ(end)) is mapped back through the inverse of the cumulative
    rate Λ, which is linear on each segment.
    """
    if rates.size == 0:
        return np.empty(0)
    cumulative = np.concatenate([[0.0], np.cumsum(rates * np.diff(edges))])
    unit = _homogeneous(rng, 1.0, 0.0, float(cumulative[-1]))
    # side="right" skips zero-rate (flat) segments: cumulative[seg] <= x < cumulative[seg + 1].
    seg = np.searchsorted(cumulative, unit, side="right") - 1
    seg = np.minimum(seg, rates.size - 1)
    with np.errstate(over="ignore"):
        times = edges[seg] + (unit - cumulative[seg]) / rates[seg]
    return np.minimum(times, edges[seg + 1])  # rounding never crosses into the next segment


def _piecewise_constant(edges: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """Evenly spaced arrivals per segment, each segment starting at its edge."""
    spans = np.diff(edges)
    counts = np.where(rates > 0, np.ceil(spans * rates) + 1, 0).astype(np.int64)
    seg = np.repeat(np.arange(rates.size), counts)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    with np.errstate(over="ignore"):  # a tiny rate puts the 2nd point at inf: dropped
        times = edges[seg] + (np.arange(seg.size) - first) / rates[seg]
    return times[times < edges[seg + 1]]


# --- validation helpers -----------------------------------------------------------------------


def _validated_steps(steps: object) -> tuple[tuple[float, float], ...]:
    if not isinstance(steps, Iterable) or isinstance(steps, str):
        raise ValueError(f"Steps.steps = {steps!r} is not allowed: expected ((start_s, rate), ...)")
    pairs = tuple(steps)
    if not pairs:
        raise ValueError("Steps.steps = () is empty: expected at least one (start_s, rate) pair")
    clean: list[tuple[float, float]] = []
    for i, pair in enumerate(pairs):
        if not isinstance(pair, Sequence) or isinstance(pair, str) or len(pair) != 2:
            raise ValueError(
                f"Steps.steps[{i}] = {pair!r} is not allowed: expected a (start_s, rate) pair"
            )
        start = check_number(f"Steps.steps[{i}].start_s", pair[0], 0, unit="s")
        rate = check_number(f"Steps.steps[{i}].rate_per_s", pair[1], 0, unit="req/s")
        if clean and start <= clean[-1][0]:
            raise InvalidParameterValueException(
                f"Steps.steps[{i}].start_s", pair[0],
                f"a finite number above {_fmt(clean[-1][0])} s (the previous start; starts "
                "must increase)",
            )
        clean.append((start, rate))
    return tuple(clean)


def _validated_offsets(timestamps: object) -> np.ndarray:
    if isinstance(timestamps, str) or not isinstance(timestamps, Iterable):
        raise ValueError(
            f"Replay.timestamps = {timestamps!r} is not allowed: expected a sequence of seconds"
        )
    try:
        array = np.array(list(timestamps), dtype=np.float64).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"Replay.timestamps contains a non-number: expected finite seconds >= 0 ({exc})"
        ) from exc
    bad = ~np.isfinite(array) | (array < 0)
    if bad.any():
        i = int(np.argmax(bad))
        raise InvalidParameterValueException(
            f"Replay.timestamps[{i}]", float(array[i]), "a finite number of at least 0 s"
        )
    return np.sort(array)


def _offsets_from_column(frame: pd.DataFrame, column: str | None) -> np.ndarray:
    """Seconds since the earliest value of a CSV column of numbers or ISO-8601 timestamps."""
    import pandas as pd
    if column is None:
        if frame.columns.size == 0:
            raise ValueError("Replay.from_csv: the file has no columns: expected a header row")
        column = "timestamp" if "timestamp" in frame.columns else str(frame.columns[0])
    if column not in frame.columns:
        raise ValueError(
            f"Replay.from_csv column = {column!r} not found: expected one of "
            f"{[str(c) for c in frame.columns]}"
        )
    values = frame[column]
    if values.size == 0:
        return np.empty(0)
    numeric = pd.to_numeric(values, errors="coerce")
    not_number = numeric.isna().to_numpy() | (values.dtype == bool)
    if not not_number.any():
        seconds = numeric.to_numpy(dtype=np.float64)
        return seconds - seconds.min()
    stamps = pd.to_datetime(values, errors="coerce", utc=True, format="ISO8601")
    not_stamp = stamps.isna().to_numpy()
    if not_stamp.any():
        # Blame the first row that breaks the reading most rows agree with.
        bad = not_number if not_number.sum() < not_stamp.sum() else not_stamp
        row = int(np.argmax(bad))
        raise ValueError(
            f"Replay.from_csv column {column!r} data row {row + 1} = {values.iloc[row]!r} "
            "is unreadable: expected seconds (a number) or an ISO-8601 timestamp"
        )
    return (stamps - stamps.min()).dt.total_seconds().to_numpy(dtype=np.float64)


# --- formatting and limits --------------------------------------------------------------------


def _check_size(owner: str, expected: float, duration_s: float | None) -> None:
    if expected > MAX_ARRIVALS:
        over = f" over {_seconds(duration_s)}" if duration_s is not None else ""
        raise ValueError(
            f"{owner} would generate about {expected:,.0f} arrivals{over}: expected at most "
            f"{MAX_ARRIVALS:,} (lower the rate, the count or the duration)"
        )


def _parts(workload: Workload) -> tuple[Workload, ...]:
    return workload.parts if isinstance(workload, Superposition) else (workload,)


def _fmt(x: float) -> str:
    """Compact number: 0.9 → '0.9', 1000 → '1,000', 2.0 → '2'."""
    return "inf" if math.isinf(x) else format(x, ",.6g")


def _seconds(s: float) -> str:
    """Readable duration: 45 → '45 s', 600 → '10 min', 50400 → '14 h'."""
    if s != 0 and s % 3600 == 0:
        return f"{_fmt(s / 3600)} h"
    if s >= 120 and s % 60 == 0:
        return f"{_fmt(s / 60)} min"
    return f"{_fmt(s)} s"
