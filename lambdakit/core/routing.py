"""How a request finds an execution environment — routing and admission, written once.

The event loop (:mod:`lambdakit.core.engine`) calls these functions on Python lists for every
request; the compiled kernel (:mod:`lambdakit.core.kernel`) compiles the same functions with
numba and calls them on NumPy arrays for a workload's batch. Nothing else decides routing.

The rules, in order (:func:`route`):

1. **Concurrency**: a request is throttled when the function's concurrency (its reserved
   concurrency, or the account's unreserved pool) is in use (facts §2 [S4]).
2. **Provisioned first**: a pre-initialised environment serves it when one is idle.
3. **Warm next**: the idle set gives its environments in routing order — most recently idle
   first (a stack, as SimFaaS does), or newest created first (a max-heap on the id); one whose
   keep-alive ran out is passed over (it was reclaimed at its expiry time).
4. **Cold last**: a new environment, if the scaling rate allows it (at most ``per_window`` new
   environments in any ``window`` seconds, :mod:`lambdakit.core.rules`); else throttled too.

An idle set is two parallel arrays — environment ids and their keep-alive expiry — and a
length. Popping leaves the popped entry just past the new length, so the entries a request
passed over can be read back (:func:`passed_over`).

Example:
    >>> ids, exp = [0] * 4, [0.0] * 4
    >>> n = idle_push(ids, exp, 0, 7, 100.0, False)   # env 7, reclaimed at t=100
    >>> n = idle_push(ids, exp, n, 9, 900.0, False)   # env 9 idle more recently
    >>> ring = [0.0] * 10
    >>> route(50.0, 0, 10, 0, ids, exp, n, False, ring, 0, 0, 10.0, 10)
    (0, 9, 1, 0, 0, 0)
    >>> route(500.0, 0, 10, 0, ids, exp, 1, False, ring, 0, 0, 10.0, 10)  # 7 has expired
    (2, -1, 0, 1, 0, 1)
    >>> passed_over(0, 2, 1)
    (0, 1)
"""

from __future__ import annotations

from typing import Any

from .rules import scaling_prune, scaling_record

__all__ = ["ROUTE_COLD", "ROUTE_LIMIT", "ROUTE_PROVISIONED", "ROUTE_RATE", "ROUTE_WARM",
           "IdleSet", "idle_pop", "idle_push", "passed_over", "route"]

ROUTE_WARM, ROUTE_PROVISIONED, ROUTE_COLD, ROUTE_LIMIT, ROUTE_RATE = range(5)


def idle_push(ids: Any, exp: Any, n: int, e: int, expires: float, newest: bool) -> int:
    """Put environment ``e`` (reclaimed at ``expires``) on the idle set; returns its length."""
    ids[n] = e
    exp[n] = expires
    if newest:  # max-heap on the environment id: newest created first
        i = n
        while i > 0:
            p = (i - 1) >> 1
            if ids[p] >= ids[i]:
                break
            ids[p], ids[i] = ids[i], ids[p]
            exp[p], exp[i] = exp[i], exp[p]
            i = p
    return n + 1


def idle_pop(ids: Any, exp: Any, n: int, newest: bool) -> tuple[int, float, int]:
    """Take the next environment in routing order: (id, expiry, new length). The popped entry
    is left at position ``new length``."""
    n -= 1
    if not newest:  # a stack: most recently idle first
        return ids[n], exp[n], n
    top, top_exp = ids[0], exp[0]
    ids[0], exp[0] = ids[n], exp[n]
    ids[n], exp[n] = top, top_exp
    i = 0
    while True:
        left = 2 * i + 1
        if left >= n:
            break
        c = left
        if left + 1 < n and ids[left + 1] > ids[left]:
            c = left + 1
        if ids[i] >= ids[c]:
            break
        ids[c], ids[i] = ids[i], ids[c]
        exp[c], exp[i] = exp[i], exp[c]
        i = c
    return top, top_exp, n


def route(t: float, busy: int, limit: int, provisioned_idle: int, ids: Any, exp: Any,
          idle_n: int, newest: bool, ring: Any, head: int, ring_n: int, window: float,
          per_window: int) -> tuple[int, int, int, int, int, int]:
    """Where a request at ``t`` goes. Returns ``(decision, env, idle_n, expired, head,
    ring_n)``: a ``ROUTE_*`` decision, the warm environment's id (else -1), the idle set's and
    the scaling window's new state, and how many expired environments it passed over (read
    them with :func:`passed_over`). ``ROUTE_COLD`` has counted the creation in the window;
    ``ROUTE_PROVISIONED`` leaves the caller to take its provisioned environment."""
    if busy >= limit:
        return ROUTE_LIMIT, -1, idle_n, 0, head, ring_n
    if provisioned_idle > 0:
        return ROUTE_PROVISIONED, -1, idle_n, 0, head, ring_n
    expired = 0
    while idle_n > 0:
        e, expires, idle_n = idle_pop(ids, exp, idle_n, newest)
        if expires > t:
            return ROUTE_WARM, e, idle_n, expired, head, ring_n
        expired += 1
    head, ring_n = scaling_prune(ring, head, ring_n, t, window)
    if ring_n >= per_window:
        return ROUTE_RATE, -1, idle_n, expired, head, ring_n
    ring_n = scaling_record(ring, head, ring_n, t)
    return ROUTE_COLD, -1, idle_n, expired, head, ring_n


def passed_over(idle_n: int, decision: int, expired: int) -> tuple[int, int]:
    """The slice ``[lo, hi)`` of the idle arrays holding the expired environments :func:`route`
    passed over (their expiry is when they were reclaimed)."""
    lo = idle_n + 1 if decision == ROUTE_WARM else idle_n
    return lo, lo + expired


class IdleSet:
    """The event loop's idle environments of one function version: the arrays :func:`route`
    works on, growing as needed.

    >>> s = IdleSet(newest=True)
    >>> s.push(3, 60.0); s.push(5, 60.0); s.push(4, 60.0)
    >>> [e for e, _ in s.entries_in_order()]
    [5, 4, 3]
    """

    __slots__ = ("exp", "ids", "n", "newest")

    def __init__(self, newest: bool) -> None:
        self.ids: list[int] = [0] * 8
        self.exp: list[float] = [0.0] * 8
        self.n = 0
        self.newest = newest

    def __len__(self) -> int:
        return self.n

    def push(self, e: int, expires: float) -> None:
        if self.n == len(self.ids):
            self.ids.extend([0] * self.n)
            self.exp.extend([0.0] * self.n)
        self.n = idle_push(self.ids, self.exp, self.n, e, expires, self.newest)

    def entries(self) -> list[tuple[int, float]]:
        """(id, expiry) of every idle environment, in array order (pushing them again in this
        order rebuilds the same set)."""
        return list(zip(self.ids[:self.n], self.exp[:self.n], strict=True))

    def entries_in_order(self) -> list[tuple[int, float]]:
        """(id, expiry) in the order requests would take them (first = next)."""
        if not self.newest:
            return self.entries()[::-1]
        return sorted(self.entries(), reverse=True)

    def replace(self, entries: list[tuple[int, float]]) -> None:
        """Hold exactly ``entries`` (as :meth:`entries` gives them)."""
        self.n = 0
        for e, expires in entries:
            self.push(e, expires)
