"""Named, configurable models for init (cold start) and invoke durations.

A model draws durations in milliseconds. Draws are vectorised and buffered per function
version so the simulator's hot loop only pops a float. CPU share scales with memory: 1,769 MB
is one vCPU (facts §4 [S3][S34]), so the CPU-bound part of a duration measured or declared at
one full vCPU takes ``1769 / memory_mb`` times longer below that size.

Example:
    >>> import numpy as np
    >>> Fixed(120).sample(np.random.default_rng(0), 3).tolist()
    [120.0, 120.0, 120.0]
    >>> cpu_factor(128) > 13 and cpu_factor(3008) == 1.0
    True
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

ONE_VCPU_MB = 1769  # facts §4: 1,769 MB = 1 vCPU [S3][S34]


def cpu_factor(memory_mb: int) -> float:
    """How much longer CPU-bound work takes at ``memory_mb`` than at one full vCPU."""
    return max(1.0, ONE_VCPU_MB / memory_mb)


class DurationModel(abc.ABC):
    """Draws durations (ms). ``cpu_bound`` is the fraction of the time that scales with CPU."""

    cpu_bound: float = 0.0

    @abc.abstractmethod
    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray: ...

    @abc.abstractmethod
    def describe(self) -> str:
        """One line naming the model and where its figures come from."""

    def sample(self, rng: np.random.Generator, n: int, memory_mb: int = ONE_VCPU_MB) -> np.ndarray:
        """Draw ``n`` durations in ms for a function with ``memory_mb`` of memory."""
        d = np.maximum(self._draw(rng, n).astype(np.float64), 0.0)
        if self.cpu_bound:
            f = self.cpu_bound
            d *= (1.0 - f) + f * cpu_factor(memory_mb)
        return d


@dataclass(frozen=True)
class Fixed(DurationModel):
    """Always ``ms`` milliseconds (scaled by CPU share for the ``cpu_bound`` fraction)."""

    ms: float
    cpu_bound: float = 0.0

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(n, float(self.ms))

    def describe(self) -> str:
        return f"fixed {self.ms:g} ms"


@dataclass(frozen=True)
class Exponential(DurationModel):
    """Exponentially distributed with mean ``mean_ms`` (the M/M/∞ textbook model)."""

    mean_ms: float
    cpu_bound: float = 0.0

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.exponential(self.mean_ms, n)

    def describe(self) -> str:
        return f"exponential, mean {self.mean_ms:g} ms"


@dataclass(frozen=True)
class LogNormal(DurationModel):
    """Log-normal with median ``median_ms`` and shape ``sigma`` (long right tail)."""

    median_ms: float
    sigma: float = 0.25
    cpu_bound: float = 0.0
    source: str = ""

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.lognormal(np.log(self.median_ms), self.sigma, n)

    def describe(self) -> str:
        src = f" ({self.source})" if self.source else ""
        return f"log-normal, median {self.median_ms:g} ms, sigma {self.sigma:g}{src}"


@dataclass(frozen=True)
class Empirical(DurationModel):
    """Resamples a list of observed durations (ms), e.g. from real REPORT lines."""

    values_ms: Sequence[float]
    cpu_bound: float = 0.0

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.choice(np.asarray(self.values_ms, dtype=np.float64), n)

    def describe(self) -> str:
        return f"empirical, {len(self.values_ms)} observations"


@dataclass(frozen=True)
class Measured(DurationModel):
    """The handler's own measured wall-clock run time on this machine, scaled by CPU share.

    Not deterministic: two runs with one seed differ by the machine's noise. ``base_ms`` is
    added to every draw (runtime overhead).
    """

    base_ms: float = 0.0
    cpu_bound: float = 1.0

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(n, float(self.base_ms))

    def describe(self) -> str:
        return "measured wall-clock time of the handler, scaled by CPU share"


# Cold-start (Init Duration) medians per runtime and architecture, hello-world zip functions:
# maxday/lambda-perf 2025-12-21, mean of 10 Init Durations (facts §10 [S31]). Roughly flat
# across 128–1,024 MB, so the model does not scale with memory.
_INIT_MEDIANS_MS: dict[tuple[str, str], float] = {
    ("python3.11", "x86_64"): 88.4,
    ("python3.11", "arm64"): 69.3,
    ("python3.12", "x86_64"): 89.5,
    ("python3.12", "arm64"): 73.9,
    ("python3.13", "x86_64"): 100.6,
    ("python3.13", "arm64"): 86.7,
    ("python3.14", "x86_64"): 142.4,
    ("python3.14", "arm64"): 113.0,
}


def default_init_model(runtime: str, architecture: str = "x86_64") -> LogNormal:
    """Calibrated cold-start model for a runtime (facts §10 [S31]).

    Example:
        >>> default_init_model("python3.12").median_ms
        89.5
    """
    median = _INIT_MEDIANS_MS.get((runtime, architecture))
    if median is None:  # other runtimes: AWS's own range "under 100 ms to over 1 s" [S1]
        median = _INIT_MEDIANS_MS[("python3.12", architecture if architecture else "x86_64")]
    return LogNormal(median, 0.15, source="maxday/lambda-perf 2025-12-21 [S31]")


def default_invoke_model() -> LogNormal:
    """Stand-in invoke duration for a handler that declares none: a hello-world handler.

    AWS's own REPORT examples show 15.74 ms and 26.73 ms (facts §1.4, §1.5 [S2]); a trivial
    Python handler typically reports 1–3 ms. lambdakit assumes a median of 2 ms — a modelling
    assumption: declare your own model (``duration=``) or use :class:`Measured`.
    """
    return LogNormal(2.0, 0.5, source="lambdakit assumption: hello-world handler")


class DurationStream:
    """Buffered draws from one model for one function version (the simulator's hot path).

    Example:
        >>> s = DurationStream(Fixed(5), np.random.default_rng(1), memory_mb=128)
        >>> s.next()
        5.0
    """

    __slots__ = ("_buf", "_i", "_memory", "_model", "_rng", "chunk")

    def __init__(
        self, model: DurationModel, rng: np.random.Generator, memory_mb: int, chunk: int = 4096
    ) -> None:
        self._model = model
        self._rng = rng
        self._memory = memory_mb
        self.chunk = chunk
        self._buf: list[float] = []
        self._i = 0

    def take(self, n: int) -> list[float]:
        """The next ``n`` durations (ms), the same values ``n`` calls of :meth:`next` give."""
        out = self._buf[self._i:self._i + n]
        self._i += len(out)
        while len(out) < n:
            self._buf = self._model.sample(self._rng, self.chunk, self._memory).tolist()
            k = min(n - len(out), self.chunk)
            out.extend(self._buf[:k])
            self._i = k
        return out

    def take_array(self, n: int) -> np.ndarray:
        """The next ``n`` durations (ms) as an array: the same values as :meth:`take`."""
        head = np.asarray(self._buf[self._i:self._i + n], dtype=np.float64)
        self._i += len(head)
        if len(head) == n:
            return head
        rest = n - len(head)
        full, tail = divmod(rest, self.chunk)
        parts = [head]
        for _ in range(full):
            parts.append(self._model.sample(self._rng, self.chunk, self._memory))
            self._buf, self._i = [], 0
        if tail:
            self._buf = self._model.sample(self._rng, self.chunk, self._memory).tolist()
            parts.append(np.asarray(self._buf[:tail], dtype=np.float64))
            self._i = tail
        return np.concatenate(parts)

    def give_back(self, values: list[float]) -> None:
        """Put draws taken but not used back in front (the batch path takes a block ahead),
        so the next draws are the ones one-at-a-time use would have seen.

        >>> s = DurationStream(Exponential(10), np.random.default_rng(2), memory_mb=128)
        >>> block = s.take(5); s.give_back(block[2:])
        >>> s.next() == block[2]
        True
        """
        if values:
            self._buf = list(values) + self._buf[self._i:]
            self._i = 0

    def next(self) -> float:
        """The next duration (ms)."""
        i = self._i
        if i >= len(self._buf):
            self._buf = self._model.sample(self._rng, self.chunk, self._memory).tolist()
            i = 0
        self._i = i + 1
        return self._buf[i]
