"""Confidence intervals for benchmark figures: Student-t 95% CIs and an overlap test.

Used to decide whether two simulators agree on a figure measured over several seeds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["agree", "mean_ci95"]

# Two-sided 95% Student-t quantiles t(0.975, dof) for dof = 1..29 (samples n = 2..30),
# from scipy.stats.t.ppf; used only when scipy is not installed.
_T975 = (
    12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004,
    2.262157, 2.228139, 2.200985, 2.178813, 2.160369, 2.144787, 2.131450, 2.119905,
    2.109816, 2.100922, 2.093024, 2.085963, 2.079614, 2.073873, 2.068658, 2.063899,
    2.059539, 2.055529, 2.051831, 2.048407, 2.045230,
)
_Z975 = 1.959963984540054


def _t975_fallback(dof: int) -> float:
    """t(0.975, dof) without scipy: the table up to 29 dof, Cornish-Fisher beyond (err < 1e-4)."""
    if dof <= len(_T975):
        return _T975[dof - 1]
    z = _Z975
    return z + (z**3 + z) / (4 * dof) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * dof**2)


def _t975(dof: int) -> float:
    """t(0.975, dof), from scipy when it is installed."""
    try:
        from scipy.stats import t as student_t
    except ImportError:
        return _t975_fallback(dof)
    return float(student_t.ppf(0.975, dof))


def mean_ci95(values: Sequence[float]) -> tuple[float, float]:
    """Return (mean, half-width) of the two-sided 95% Student-t CI (n-1 dof) of the mean.

    Needs at least two values (a single run has no spread).

    >>> mean, half = mean_ci95([1.0, 2.0, 3.0])
    >>> round(mean, 3), round(half, 3)
    (2.0, 2.484)
    """
    n = len(values)
    if n < 2:
        raise ValueError(f"mean_ci95 needs at least 2 values, got {n}")
    mean = math.fsum(values) / n
    variance = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    return mean, _t975(n - 1) * math.sqrt(variance / n)


def agree(a: Sequence[float], b: Sequence[float]) -> bool:
    """True when the 95% CIs of the means of `a` and `b` overlap (touching counts).

    >>> agree([1.0, 1.1, 0.9], [1.05, 1.15, 0.95])
    True
    >>> agree([1.0, 1.01, 0.99], [2.0, 2.01, 1.99])
    False
    """
    mean_a, half_a = mean_ci95(a)
    mean_b, half_b = mean_ci95(b)
    return abs(mean_a - mean_b) <= half_a + half_b
