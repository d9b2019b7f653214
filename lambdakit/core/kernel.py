"""Compiled scheduling kernel for batches of synchronous arrivals into one function version.

The kernel decides, for each arrival in order, which execution environment serves it (or that
it is throttled), whether that is a cold start, and when each environment frees up, expires or
is discarded. It does not write the platform's rules itself: routing and admission (the
concurrency limit, warm before cold in routing order, the scaling rate) are
:func:`lambdakit.core.routing.route` and keep-alive expiry is
:func:`lambdakit.core.rules.keepalive_expiry` — the functions the event loop calls for every
request, compiled here. What is the kernel's own is time: a heap of busy environments, and
resets after a timeout or crash. Handlers are not called here: the engine runs them afterwards in
arrival order and, when a handler's real outcome differs from what was assumed (a virtual
sleep made it longer, it timed out and its environment is reset), patches ``durs``/``reset``
and schedules the rest of the chunk again from a snapshot — later requests depend on earlier
ones, never the other way round.

All state lives in NumPy arrays (see :class:`KernelState`) so a chunk can be snapshotted and
replayed. The functions below are plain Python; when numba is importable (the ``fast`` extra)
:func:`schedule` runs them compiled (nopython, cached on disk), otherwise it runs them as they
are — the same code, so the same results for the same seed. ``LAMBDAKIT_KERNEL=python``
(or :func:`use_backend`) forces the pure-Python path; numba is imported only on first use.

Example:
    >>> import numpy as np
    >>> st = KernelState(env_capacity=8, window_cap=1000)
    >>> t = np.array([0.0, 0.5, 3.0]); d = np.array([1000.0, 1000.0, 1000.0])
    >>> out = Outputs(3)
    >>> schedule(t, d, np.zeros(3, np.bool_), 0, 3, np.full(8, 100.0), st.i, st.f,
    ...          st.busy_t, st.busy_s, st.busy_e, st.idle, st.idle_exp, st.env_f, st.ring,
    ...          out.env, out.cold, out.init, 10, False, 600.0, np.inf, 10.0, 1000)
    3
    >>> out.env.tolist(), out.cold.tolist()
    ([0, 1, 1], [True, True, False])
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np

from .routing import ROUTE_COLD, ROUTE_LIMIT, idle_pop, idle_push, passed_over, route
from .rules import keepalive_expiry, scaling_prune, scaling_record

# integer state slots
BUSY_N, IDLE_N, N_ENV, RING_HEAD, RING_N, SEQ, INIT_POS, STOP_REASON = range(8)
# per-environment float columns
BUSY_UNTIL, EXPIRES, CREATED, SHUT_AT, READY, DISCARD = range(6)
NCOL = 6  # the kernel sees env_f flat: environment e's column c is env[e * NCOL + c]
STOP_DONE, STOP_CAPACITY, STOP_INIT = 0, 1, 2


class KernelState:
    """Everything the kernel mutates; ``copy()`` is a snapshot to replay a chunk from."""

    def __init__(self, env_capacity: int, window_cap: int) -> None:
        self.i = np.zeros(8, np.int64)
        self.f = np.zeros(1, np.float64)
        self.busy_t = np.zeros(env_capacity, np.float64)
        self.busy_s = np.zeros(env_capacity, np.int64)
        self.busy_e = np.zeros(env_capacity, np.int64)
        self.idle = np.zeros(env_capacity, np.int64)  # the idle set (lambdakit.core.routing)
        self.idle_exp = np.zeros(env_capacity, np.float64)
        self.env_f = np.full((env_capacity, NCOL), np.nan)
        self.ring = np.zeros(max(window_cap, 1), np.float64)

    def copy(self) -> KernelState:
        other = KernelState.__new__(KernelState)
        for name, value in vars(self).items():
            setattr(other, name, value.copy())
        return other

    def restore(self, snapshot: KernelState) -> None:
        for name, value in vars(snapshot).items():
            setattr(self, name, value.copy())

    def grow(self, env_capacity: int) -> None:
        """More room for environments (the kernel stopped with STOP_CAPACITY)."""
        old = len(self.busy_t)
        for name in ("busy_t", "busy_s", "busy_e", "idle", "idle_exp"):
            arr = getattr(self, name)
            new = np.zeros(env_capacity, arr.dtype)
            new[:old] = arr
            setattr(self, name, new)
        env_f = np.full((env_capacity, NCOL), np.nan)
        env_f[:old] = self.env_f
        self.env_f = env_f


class Outputs:
    """Per-arrival results: environment id (-1 = throttled), cold start, init duration (ms)."""

    def __init__(self, n: int) -> None:
        self.env = np.full(n, -1, np.int64)
        self.cold = np.zeros(n, np.bool_)
        self.init = np.zeros(n, np.float64)


def _busy_push(bt, bs, be, n, t, s, e):  # type: ignore[no-untyped-def]
    i = n
    bt[i], bs[i], be[i] = t, s, e
    while i > 0:
        p = (i - 1) >> 1
        if bt[p] < bt[i] or (bt[p] == bt[i] and bs[p] < bs[i]):
            break
        bt[p], bt[i] = bt[i], bt[p]
        bs[p], bs[i] = bs[i], bs[p]
        be[p], be[i] = be[i], be[p]
        i = p
    return n + 1


def _busy_pop(bt, bs, be, n):  # type: ignore[no-untyped-def]
    n -= 1
    bt[0], bs[0], be[0] = bt[n], bs[n], be[n]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= n:
            break
        c = left
        r = left + 1
        if r < n and (bt[r] < bt[left] or (bt[r] == bt[left] and bs[r] < bs[left])):
            c = r
        if bt[i] < bt[c] or (bt[i] == bt[c] and bs[i] < bs[c]):
            break
        bt[c], bt[i] = bt[i], bt[c]
        bs[c], bs[i] = bs[i], bs[c]
        be[c], be[i] = be[i], be[c]
        i = c
    return n


def _schedule(times, durs, reset, start, stop, init_draws, si, sf, bt, bs, be, idle, idle_exp,
              env, ring, out_env, out_cold, out_init, limit, newest, ka_idle, life, window,
              per_window):  # type: ignore[no-untyped-def]
    """Assign arrivals ``start..stop-1``; returns the index it stopped at (see si[STOP_REASON])."""
    busy_n, idle_n, n_env = si[BUSY_N], si[IDLE_N], si[N_ENV]
    head, ring_n, seq, init_pos = si[RING_HEAD], si[RING_N], si[SEQ], si[INIT_POS]
    reason = STOP_DONE
    i = start
    while i < stop:
        if n_env >= len(env) // NCOL:  # room for one more environment before routing
            reason = STOP_CAPACITY
            break
        if init_pos >= len(init_draws):  # and one more init duration
            reason = STOP_INIT
            break
        t = times[i]
        while busy_n > 0 and bt[0] <= t:  # environments that finished by t
            ft, e = bt[0], be[0]
            busy_n = _busy_pop(bt, bs, be, busy_n)
            if env[e * NCOL + DISCARD] > 0:  # reset after a timeout or crash
                env[e * NCOL + SHUT_AT] = ft
                continue
            expires = keepalive_expiry(ft, env[e * NCOL + CREATED], ka_idle, life)
            env[e * NCOL + EXPIRES] = expires
            idle_n = idle_push(idle, idle_exp, idle_n, e, expires, newest)
        out_env[i] = -1
        out_cold[i] = False
        out_init[i] = 0.0
        decision, found, idle_n, expired, head, ring_n = route(
            t, busy_n, limit, 0, idle, idle_exp, idle_n, newest, ring, head, ring_n, window,
            per_window)
        lo, hi = passed_over(idle_n, decision, expired)
        for k in range(lo, hi):  # reclaimed when their keep-alive ran out
            env[idle[k] * NCOL + SHUT_AT] = idle_exp[k]
        if decision >= ROUTE_LIMIT:  # throttled: concurrency or scaling rate
            i += 1
            continue
        init_ms = 0.0
        if decision == ROUTE_COLD:
            found = n_env
            n_env += 1
            init_ms = init_draws[init_pos]
            init_pos += 1
            env[found * NCOL + CREATED] = t
            env[found * NCOL + READY] = t + init_ms / 1000.0
            env[found * NCOL + SHUT_AT] = np.nan
            env[found * NCOL + DISCARD] = 0.0
            out_cold[i] = True
            out_init[i] = init_ms
        out_env[i] = found
        end = t + init_ms / 1000.0 + durs[i] / 1000.0  # as the event loop computes it
        env[found * NCOL + BUSY_UNTIL] = end
        if reset[i]:
            env[found * NCOL + DISCARD] = 1.0
        seq += 1
        busy_n = _busy_push(bt, bs, be, busy_n, end, seq, found)
        i += 1
    si[BUSY_N], si[IDLE_N], si[N_ENV] = busy_n, idle_n, n_env
    si[RING_HEAD], si[RING_N], si[SEQ], si[INIT_POS] = head, ring_n, seq, init_pos
    si[STOP_REASON] = reason
    return i


_HELPERS = (_busy_push, _busy_pop, idle_push, idle_pop, route, passed_over, keepalive_expiry,
            scaling_prune, scaling_record)
BACKENDS = ("numba", "python")
_chosen: dict[str, Any] = {}  # "name" and "fn" of the backend in use, set on first call


def _compiled() -> Callable[..., int]:
    """numba's nopython build of :func:`_schedule` (helpers inlined as jitable functions)."""
    from numba import njit
    from numba.extending import register_jitable

    for helper in _HELPERS:
        register_jitable(helper)
    return njit(cache=True)(_schedule)  # type: ignore[no-any-return]


def _schedule_lists(times, durs, reset, start, stop, init_draws, si, sf, bt, bs, be, idle,
                    idle_exp, env, ring, out_env, out_cold, out_init,
                    *rules):  # type: ignore[no-untyped-def]
    """The pure-Python backend: :func:`_schedule` on Python lists (several times faster than
    element access on NumPy arrays), then the results written back into the arrays."""
    state = [si, bt, bs, be, idle, idle_exp, env, ring]
    lists = [a.tolist() for a in state]
    n = stop - start
    o_env, o_cold, o_init = [-1] * n, [False] * n, [0.0] * n
    si_l, bt_l, bs_l, be_l, idle_l, exp_l, env_l, ring_l = lists
    done = _schedule(times[start:stop].tolist(), durs[start:stop].tolist(),
                     reset[start:stop].tolist(), 0, n, init_draws.tolist(), si_l, sf, bt_l,
                     bs_l, be_l, idle_l, exp_l, env_l, ring_l, o_env, o_cold, o_init, *rules)
    for array, values in zip(state, lists, strict=True):
        array[:] = values
    out_env[start:start + done] = o_env[:done]
    out_cold[start:start + done] = o_cold[:done]
    out_init[start:start + done] = o_init[:done]
    return start + done


def use_backend(name: str = "auto") -> str:
    """Choose the kernel: ``"numba"``, ``"python"`` or ``"auto"`` (numba when importable).

    Returns the backend now in use. ``"numba"`` without numba installed raises ImportError.

    >>> use_backend("python")
    'python'
    >>> backend()
    'python'
    >>> _ = use_backend()  # back to numba where it is installed
    """
    if name not in (*BACKENDS, "auto"):
        raise ValueError(f"kernel backend must be one of numba, python, auto; got {name!r}")
    if name == "auto":
        try:
            fn, name = _compiled(), "numba"
        except ImportError:
            fn, name = _schedule_lists, "python"
    else:
        fn = _compiled() if name == "numba" else _schedule_lists
    _chosen.update(name=name, fn=fn)
    return name


def backend() -> str:
    """The backend :func:`schedule` uses (chosen now if nothing has run yet)."""
    if not _chosen:
        use_backend(os.environ.get("LAMBDAKIT_KERNEL", "auto"))
    return str(_chosen["name"])


def schedule(times: np.ndarray, durs: np.ndarray, reset: np.ndarray, start: int, stop: int,
             init_draws: np.ndarray, si: np.ndarray, sf: np.ndarray, bt: np.ndarray,
             bs: np.ndarray, be: np.ndarray, idle: np.ndarray, idle_exp: np.ndarray,
             env_f: np.ndarray, ring: np.ndarray, *rest: Any) -> int:
    """Assign arrivals ``start..stop-1`` with the chosen backend; returns where it stopped.

    Arguments as :func:`_schedule`, except ``env_f``: the (environments × NCOL) table of
    :class:`KernelState`, handed to the kernel flat (a view: its writes land in ``env_f``).
    """
    if not _chosen:
        backend()
    if not env_f.flags.c_contiguous:
        raise ValueError("env_f must be C-contiguous: the kernel writes through a flat view")
    return int(_chosen["fn"](times, durs, reset, start, stop, init_draws, si, sf, bt, bs, be,
                             idle, idle_exp, env_f.reshape(-1), ring, *rest))

