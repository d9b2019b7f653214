"""The engine's hot path: a workload's synchronous arrivals into one function version.

The scheduling kernel (:mod:`lambdakit.core.kernel`, compiled by numba where it is installed)
assigns environments chunk by chunk; this module runs every handler in arrival order,
reschedules a chunk when a handler's real outcome differs from what the kernel assumed, and
writes the attempts as one columnar block. Same rules as the
general event loop — ``tests/test_kernel.py`` requires identical records from both.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from typing import TYPE_CHECKING, Any

import numpy as np

from ..function.context import LambdaContext
from ..observers.records import OUTCOME_CODES
from . import kernel
from .environment import _FREE, SCALING_PER_WINDOW, SCALING_WINDOW_S, Environment, _Pool
from .lifecycle import State
from .payloads import _JSON_ENCODE, _PLAIN, _decode, _EventSource
from .routing import idle_push
from .sandbox import CallOutcome, HandlerTimeout

if TYPE_CHECKING:
    from .state import EngineCore

INF = math.inf
BATCH_CHUNK = 16_384  # arrivals the kernel schedules ahead of the handlers
_THROTTLED = OUTCOME_CODES["throttled"]


def run_batch(eng: EngineCore, end: float, times: list[float], pool: _Pool, events: _EventSource,
               source: str, progress: Any) -> int:
    """The hot path: synchronous arrivals into one function version, nothing else queued.

    The scheduling kernel (:mod:`lambdakit.core.kernel`) assigns environments chunk by chunk with
    the platform's rules; then each handler really runs, in arrival order. When a handler's
    outcome differs from what the kernel assumed (a virtual sleep, a timeout or crash that
    resets its environment, a failed init), the chunk is scheduled again from its snapshot
    with the real figures. The attempts are written to the record store as one columnar
    block. Stops early when anything else becomes due (a service callback a handler
    scheduled) and returns how many arrivals it handled; the general loop takes the rest.
    """
    n = len(times)
    while n and times[n - 1] > end:
        n -= 1
    fn = pool.fn
    rec = eng.records
    base = len(rec)
    first_event = len(eng.events)
    group = pool.groups.get(source)
    if group is None:
        group = pool.groups[source] = rec.group(fn.name, pool.version, pool.memory_mb,
                                                source, pool.max_memory_mb)
    eng.events.extend(n, "ok")
    t_arr = np.asarray(times[:n], dtype=np.float64)
    durs = pool.invoke_stream.take_array(n)
    reset = np.zeros(n, dtype=np.bool_)
    outcome_col = np.zeros(n, dtype=np.int8)
    errors: dict[int, str] = {}
    limit = fn.reserved if fn.reserved is not None else (
        eng.account_limit - eng.total_reserved() - eng.unreserved_busy)
    ka = eng.keep_alive
    life = ka.max_lifetime_s if ka.max_lifetime_s is not None else INF
    # the pool's idle set, handed to the kernel with local numbers; in array order, which
    # rebuilds the same routing order (for newest-created-first, numbered by creation)
    idle_entries = pool.idle.entries()
    if eng.newest_created_first:
        idle_entries.sort()
    local: list[Environment] = [eng.environments[e] for e, _ in idle_entries]
    st = kernel.KernelState(env_capacity=max(64, 2 * len(local)),
                            window_cap=SCALING_PER_WINDOW)
    for k, (env, (_, expires)) in enumerate(zip(local, idle_entries, strict=True)):
        st.env_f[k, kernel.CREATED] = env.created_at
        st.env_f[k, kernel.EXPIRES] = expires
        st.env_f[k, kernel.DISCARD] = 0.0
        st.i[kernel.IDLE_N] = idle_push(st.idle, st.idle_exp, int(st.i[kernel.IDLE_N]), k,
                                        expires, eng.newest_created_first)
    st.i[kernel.N_ENV] = len(local)
    st.ring[:] = fn.creations  # the function's scaling window, as the event loop left it
    st.i[kernel.RING_HEAD], st.i[kernel.RING_N] = fn.creations_head, fn.creations_n
    pool.idle.replace([])
    out = kernel.Outputs(n)
    init_draws = np.asarray(pool.init_stream.take(64), dtype=np.float64)

    def run_kernel(a: int, b: int) -> int:
        nonlocal init_draws, st
        while True:
            stop = kernel.schedule(
                t_arr, durs, reset, a, b, init_draws, st.i, st.f, st.busy_t, st.busy_s,
                st.busy_e, st.idle, st.idle_exp, st.env_f, st.ring, out.env, out.cold,
                out.init, limit, eng.newest_created_first, float(ka.idle_s), float(life),
                SCALING_WINDOW_S, SCALING_PER_WINDOW)
            why = st.i[kernel.STOP_REASON]
            if why == kernel.STOP_CAPACITY:
                st.grow(2 * len(st.busy_t))
            elif why == kernel.STOP_INIT:
                more = np.asarray(pool.init_stream.take(len(init_draws)), dtype=np.float64)
                init_draws = np.concatenate([init_draws, more])
            else:
                return stop
            a = stop

    def reschedule(a: int, b: int, first: bool = False) -> tuple[list, list, list]:
        """(Re)assign arrivals a..b-1 from the chunk's snapshot; their ids, cold flags and
        durations as lists for the handler loop."""
        if not first:
            st.restore(snapshot)
        run_kernel(a, b)
        return out.env[a:b].tolist(), out.cold[a:b].tolist(), durs[a:b].tolist()

    sb = eng.sandbox
    timeout_ms = pool.timeout_ms
    wall = min(pool.config.timeout_s, eng.wall_limit_s)
    vlimit = float(pool.config.timeout_s)
    text = events._text if events._fn is None else None
    empty = text == "{}"
    loads = json.loads
    encode = _JSON_ENCODE
    info_ctx = LambdaContext
    clock = eng.clock  # the handler's view of the clock: engine.now + virtual sleeps
    heap = eng.heap
    call = CallOutcome()
    sb.current = call  # the whole batch writes into one outcome; checked after each call
    sb._virtual_limit = vlimit
    sb._wall_limit = wall
    current_environ: Any = None
    done = n
    chunk = BATCH_CHUNK
    a = 0
    while a < n:
        b = min(a + chunk, n)
        snapshot = st.copy()
        env_l, cold_l, dur_l = reschedule(a, b, first=True)
        times_l = times[a:b]
        ev0 = first_event + a
        j0 = 0  # where the handler loop (re)starts after a reschedule
        while j0 < b - a:
            restart = False
            for j, eid, cold, t, d in zip(range(j0, b - a), env_l[j0:], cold_l[j0:],
                                          times_l[j0:], dur_l[j0:], strict=True):
                if heap and heap[0][0] <= t:  # something else is due: the general loop goes on
                    done = a + j
                    break
                if eid < 0:
                    k = a + j
                    outcome_col[k] = _THROTTLED
                    errors[k] = "TooManyRequestsException"
                    eng.events[first_event + k] = "throttled"
                    continue
                if cold:
                    k = a + j
                    env, begin = _batch_cold(eng, pool, k, t, float(out.init[k]), base + k,
                                             first_event + k, errors, outcome_col, durs, reset)
                    local.append(env)
                    sb.current, sb._virtual_limit, sb._wall_limit = call, vlimit, wall
                    current_environ = None
                    if begin < 0:  # the init failed: its environment is discarded
                        env_l, cold_l, dur_l = reschedule(a, b)
                        j0, restart = j + 1, True
                        break
                else:
                    env = local[eid]
                    begin = t
                eng.now = begin
                ctx = info_ctx(env.info, ev0 + j, begin + vlimit, clock)  # type: ignore[arg-type]
                if env.environ is not current_environ:
                    current_environ = os.environ = env.environ  # type: ignore[assignment]  # noqa: B003
                    tempfile.tempdir = env.tmpdir
                payload = {} if empty else (loads(text) if text is not None
                                            else _decode(events.text(a + j)))
                failed: BaseException | None = None
                # the context is the watchdog's token for this call; cleared without the lock:
                # the watchdog re-checks the token under its lock and injects within its own
                # time slice, and a stop landing before the clear is caught just below
                sb._active = ctx
                try:
                    result = env.handler(payload, ctx)  # type: ignore[misc]
                    sb._active = 0
                except KeyboardInterrupt:
                    sb.current = None
                    os.environ = sb._saved[2]  # type: ignore[assignment]  # noqa: B003
                    raise
                except BaseException as exc:  # noqa: BLE001 - becomes the attempt's record
                    sb._active = 0
                    failed, result = exc, None
                if failed is None and not call.touched and d <= timeout_ms:
                    if result is None or type(result) in _PLAIN:
                        continue  # the common case: nothing more to do
                    try:
                        encode(result)
                        continue
                    except (TypeError, ValueError, RecursionError):
                        pass
                k = a + j
                if call.touched:
                    d += call.virtual_s * 1000.0
                d, gone = _batch_slow(eng, pool, env, k, base + k, ev0 + j, call, result,
                                      failed, d, errors, outcome_col)
                if gone or d != dur_l[j]:  # schedule the rest of the chunk with real figures
                    reset[k] = gone
                    durs[k] = d
                    env_l, cold_l, dur_l = reschedule(a, b)
                    j0, restart = j + 1, True
                    break
            if not restart or done < n:
                break
        if done < n:
            st.restore(snapshot)
            run_kernel(a, done)
            break
        if progress is not None:
            progress.update(b - a)
        a = b
    sb.current = None
    n_taken, n = n, done
    # draws taken ahead but not used go back: later arrivals see what the event loop would
    pool.invoke_stream.give_back(durs[n:n_taken].tolist())
    pool.init_stream.give_back(init_draws[int(st.i[kernel.INIT_POS]):].tolist())
    eng.events.truncate(first_event + n)
    _batch_handover(eng, pool, st, local)
    glob = np.asarray([e.id for e in local] or [0], dtype=np.int64)
    env_ids = out.env[:n]
    env_col = np.where(env_ids >= 0, glob[np.maximum(env_ids, 0)], -1)
    durs[:n][env_ids < 0] = 0.0
    rec.extend({"event": np.arange(first_event, first_event + n), "attempt": np.zeros(n),
                "group": np.full(n, group), "env": env_col,
                "cold": out.cold[:n].astype(np.int8), "arrival_s": t_arr[:n],
                "start_s": t_arr[:n], "init_ms": out.init[:n], "duration_ms": durs[:n],
                "outcome": outcome_col[:n]},
               {k: v for k, v in errors.items() if k < n})
    eng.now = times[n - 1] if n else eng.now
    return n

def _batch_cold(eng: EngineCore, pool: _Pool, k: int, t: float, init_ms: float, row: int, ev: int,
                errors: dict[int, str], outcome_col: np.ndarray, durs: np.ndarray,
                reset: np.ndarray) -> tuple[Environment, float]:
    """A cold start in a batch: create the environment and run its init. Returns it and
    when its handler starts, or -1 when the init failed (the attempt is then an error)."""
    env = eng.create_environment(pool, t, provisioned=False)
    env.ready_at = t + init_ms / 1000.0
    init_error = eng.init_environment(env)
    if env.init_lines:
        eng.records.outputs[row] = [(-init_ms / 1000.0, lvl, txt) for _, lvl, txt in env.init_lines]
        env.init_lines = []
    if init_error is None:
        return env, env.ready_at
    env.move(State.INVOKE)
    eng.settle_attempt(pool, env, row, ev, init_error=init_error)
    outcome_col[k] = OUTCOME_CODES["error"]
    errors[k] = init_error.error_type
    eng.events[ev] = "error"
    durs[k] = 0.0
    reset[k] = True
    return env, -1.0

def _batch_slow(eng: EngineCore, pool: _Pool, env: Environment, k: int, row: int, ev: int,
                call: CallOutcome, result: Any, failed: BaseException | None,
                duration: float, errors: dict[int, str],
                outcome_col: np.ndarray) -> tuple[float, bool]:
    """Finish a batch attempt that failed, printed, slept or returned a non-trivial value.
    Returns its duration and whether its environment is discarded."""
    sb = eng.sandbox
    call.error = None if isinstance(failed, HandlerTimeout) else failed
    call.timed_out = isinstance(failed, HandlerTimeout)
    if sb.partial:
        call.lines.append((call.virtual_s, None, sb.partial))
        sb.partial = ""
    call.result = result
    outcome, d, etype, gone = eng.settle_attempt(pool, env, row, ev, call=call,
                                                duration=duration)
    call.lines = []
    call.result = call.error = None
    call.timed_out = call.touched = False
    call.virtual_s = 0.0
    if outcome != "ok":
        outcome_col[k] = OUTCOME_CODES[outcome]
        errors[k] = etype  # type: ignore[assignment]
        eng.events[ev] = outcome
    return d, gone

def _batch_handover(eng: EngineCore, pool: _Pool, st: kernel.KernelState,
                    local: list[Environment]) -> None:
    """Give the kernel's environments back to the general loop's structures."""
    fn = pool.fn
    busy = {int(st.busy_e[i]) for i in range(int(st.i[kernel.BUSY_N]))}
    idle_order = [int(x) for x in st.idle[:int(st.i[kernel.IDLE_N])]]
    for k, env in enumerate(local):
        row = st.env_f[k]
        ran = not np.isnan(row[kernel.BUSY_UNTIL])  # served requests in this batch
        if ran:
            env.busy_until = max(env.busy_until, float(row[kernel.BUSY_UNTIL]))
            if env.state != State.INVOKE:  # INIT (its cold start) or IDLE (warm hits)
                env.move(State.INVOKE)
        if k in busy:
            fn.busy += 1
            if fn.reserved is None:
                eng.unreserved_busy += 1
            eng.schedule(env.busy_until, _FREE, (env, bool(row[kernel.DISCARD] > 0), -1))
        elif not np.isnan(row[kernel.SHUT_AT]):
            reason = "reset after timeout or crash" if row[kernel.DISCARD] > 0 \
                else "keep-alive expired"
            eng.shutdown(env, float(row[kernel.SHUT_AT]), reason)
        else:
            if env.state == State.INVOKE:
                env.move(State.IDLE)
            env.expires_at = float(row[kernel.EXPIRES])
            env.idle_since = env.busy_until
    for k in idle_order:
        env = local[k]
        if env.state != State.IDLE:
            continue
        pool.idle.push(env.id, env.expires_at)
    fn.creations = st.ring.tolist()  # ... and back, as the kernel leaves it
    fn.creations_head, fn.creations_n = int(st.i[kernel.RING_HEAD]), int(st.i[kernel.RING_N])
