"""The platform's rules that both the event loop and the compiled kernel apply — written once.

Plain functions on plain values (numbers, and a ring buffer as a sequence plus its head and
length), so the kernel can compile them with numba and the event loop can call them as they
are: keep-alive expiry, and the per-function scaling-rate budget (at most ``per_window`` new
environments in any ``window`` seconds, facts §2 [S4][S5]).

Example:
    >>> keepalive_expiry(freed_at=100.0, created_at=0.0, idle_s=600.0, life_s=14_400.0)
    700.0
    >>> ring = [0.0] * 2
    >>> n = scaling_record(ring, 0, 0, 1.0); n = scaling_record(ring, 0, n, 2.0)
    >>> scaling_prune(ring, 0, n, 5.0, 10.0), scaling_prune(ring, 0, n, 11.5, 10.0)
    ((0, 2), (1, 1))
"""

from __future__ import annotations

from typing import Any

__all__ = ["keepalive_expiry", "scaling_prune", "scaling_record"]


def keepalive_expiry(freed_at: float, created_at: float, idle_s: float,
                     life_s: float) -> float:
    """When an environment that went idle at ``freed_at`` is reclaimed: ``idle_s`` later, but
    not after its maximum lifetime (``created_at + life_s``; one already older than that is
    reclaimed the moment it goes idle)."""
    expires = freed_at + idle_s
    limit = created_at + life_s
    if expires <= limit:
        return expires
    return limit if limit > freed_at else freed_at


def scaling_prune(ring: Any, head: int, n: int, t: float, window: float) -> tuple[int, int]:
    """Forget the creations that left the scaling window by ``t``; returns (head, n). The
    budget is spent when ``n`` reaches the window's allowance."""
    cap = len(ring)
    while n > 0 and ring[head] <= t - window:
        head = (head + 1) % cap
        n -= 1
    return head, n


def scaling_record(ring: Any, head: int, n: int, t: float) -> int:
    """Count a creation at ``t`` in the window; returns the new length."""
    ring[(head + n) % len(ring)] = t
    return n + 1
