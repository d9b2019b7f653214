"""The simulated engine: a virtual clock and a discrete-event loop (SimPy-style event heap).

Handlers really run; how long they take comes from the function's duration models. The clock
starts at 0 and moves only while the engine runs. One loop serves everything: workload arrivals
(a sorted array merged with the heap), environments freeing up, asynchronous deliveries and
retries. Deterministic for a seed.

Routing: a request goes to a pre-initialised (provisioned) environment first, then to the
idle environment that became idle most recently (newest-idle-first, as SimFaaS does), else a new
environment is created — if concurrency and the scaling rate allow it.

Example:
    >>> from lambdakit.config import FunctionConfig
    >>> e = Engine(seed=1)
    >>> fn = e.add_function(FunctionConfig("f", lambda ev, ctx: ev["x"] * 2))
    >>> e.invoke_sync("f", {"x": 21}).payload
    42
"""

from __future__ import annotations

import heapq
import json
import math
import os
import shutil
import tempfile
from array import array
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from . import kernel
from .config import RUNTIMES, FunctionConfig
from .context import ContextInfo, LambdaContext
from .durations import (
    DurationModel,
    DurationStream,
    Measured,
    cpu_factor,
    default_init_model,
    default_invoke_model,
)
from .errors import (
    InvalidParameterValueException,
    RequestTooLargeException,
    ResourceConflictException,
    ResourceNotFoundException,
    TooManyRequestsException,
)
from .handlers import HandlerInitError, error_document, load_handler, marshal_response
from .ids import environment_guid, request_id
from .keepalive import DEFAULT_KEEP_ALIVE, KeepAlivePolicy
from .lifecycle import State, check_transition
from .logformat import log_group_name, log_stream_name, timeout_message
from .records import OUTCOME_CODES, RecordStore
from .sandbox import CallOutcome, HandlerTimeout, Sandbox
from .versions import LATEST, FunctionVersions

INF = math.inf
SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024  # 6 MB request (facts §4 [S3])
ASYNC_PAYLOAD_LIMIT = 1024 * 1024  # 1 MB since Oct 2025 (facts §4 [S3][S13])
INIT_LIMIT_S = 10.0  # init phase limit for on-demand functions (facts §1.1 [S1])
SCALING_WINDOW_S = 10.0  # 1,000 new environments every 10 s per function (facts §2 [S4][S5])
SCALING_PER_WINDOW = 1000
BATCH_CHUNK = 16_384  # arrivals the kernel schedules ahead of the handlers
ASYNC_RETRY_DELAYS_S = (60.0, 120.0)  # 1 min before the 2nd attempt, 2 min before the 3rd [S12]
THROTTLE_BACKOFF_S = (1.0, 300.0)  # async throttles: 1 s growing to 5 min [S12]
DEFAULT_MAX_MEMORY_USED_MB = 40  # lambdakit assumption: a small Python handler's footprint

_FREE, _ASYNC, _CALL = 0, 1, 2
_THROTTLED = OUTCOME_CODES["throttled"]


class Environment:
    """One execution environment (a row of the environment board)."""

    __slots__ = ("id", "pool", "state", "created_at", "ready_at", "idle_since", "expires_at",
                 "handler", "module", "provisioned", "info", "environ",
                 "tmpdir", "shutdown_at", "shutdown_reason", "busy_until", "init_lines")

    def __init__(self, env_id: int, pool: _Pool, created_at: float, provisioned: bool) -> None:
        self.id = env_id
        self.pool = pool
        self.state = State.INIT
        self.created_at = created_at
        self.ready_at = created_at
        self.idle_since = created_at
        self.expires_at = INF
        self.handler: Callable[[Any, Any], Any] | None = None
        self.module: Any = None
        self.provisioned = provisioned
        self.info: ContextInfo | None = None
        self.environ: dict[str, str] = {}
        self.tmpdir = ""
        self.shutdown_at = INF
        self.shutdown_reason = ""
        self.busy_until = created_at
        self.init_lines: list[tuple[float, str | None, str]] = []

    def move(self, new: State) -> None:
        check_transition(self.state, new)
        self.state = new

    @property
    def function(self) -> str:
        return self.pool.fn.name

    @property
    def version(self) -> str:
        return self.pool.version


@dataclass(frozen=True, slots=True)
class InvokeResult:
    """What a synchronous ``Invoke`` returns (facts §3.1): status 200 even for a function
    error, which sets ``function_error`` ("Unhandled") and puts the error document in
    ``payload``."""

    status_code: int
    payload: Any
    function_error: str | None
    executed_version: str
    request_id: str
    record_index: int
    log_result: str | None = None


@dataclass(frozen=True, slots=True)
class SourceResult:
    """What a poller gets back from one synchronous invoke of a batch."""

    record_index: int
    request_id: str
    outcome: str  # ok | error | timeout | throttled
    payload: Any  # the handler's response, or the error document
    function_error: bool
    end_s: float

    @property
    def throttled(self) -> bool:
        return self.outcome == "throttled"


@dataclass(frozen=True, slots=True)
class AsyncAccepted:
    """What an asynchronous ``Invoke`` returns: 202 and the request id."""

    status_code: int
    request_id: str
    event: int


class _Fn:
    """A function: its versions, pools, concurrency counters and scaling window."""

    def __init__(self, versions: FunctionVersions) -> None:
        self.versions = versions
        self.name = versions.name
        self.pools: dict[str, _Pool] = {}
        self.busy = 0
        self.creations: deque[float] = deque()
        self.provisioned: dict[str, int] = {}

    @property
    def reserved(self) -> int | None:
        return self.versions.latest.reserved_concurrency


class _Pool:
    """The environments of one function version, and what its invocations share."""

    def __init__(self, fn: _Fn, version: str, config: FunctionConfig, engine: Engine) -> None:
        self.fn = fn
        self.version = version
        self.config = config
        self.idle: deque[Environment] = deque()  # right end = most recently idle
        self.pc_idle: list[Environment] = []
        self.idle_heap: list[tuple[int, Environment]] = []  # newest-created-first routing
        init_model = config.init_model or default_init_model(config.runtime, config.architecture)
        invoke_model = config.duration_model or default_invoke_model()
        for name, model in (("init_model", init_model), ("duration_model", invoke_model)):
            if not isinstance(model, DurationModel):
                raise InvalidParameterValueException(
                    name, model, "a lambdakit.durations model such as Fixed(120) or LogNormal(...)")
        # one independent stream each, so the order in which they are drawn never matters
        self.init_stream = DurationStream(init_model, engine.rng_for(fn.name, version + "/init"),
                                          config.memory_mb)
        self.invoke_stream = DurationStream(invoke_model, engine.rng_for(fn.name, version),
                                            config.memory_mb)
        self.measured = isinstance(invoke_model, Measured)
        self.cpu_factor = cpu_factor(config.memory_mb)
        self.timeout_ms = config.timeout_s * 1000.0
        self.memory_mb = config.memory_mb
        self.max_memory_mb = min(DEFAULT_MAX_MEMORY_USED_MB, config.memory_mb)
        self.arn = fn.versions.arn(None if version == LATEST else version)
        self.groups: dict[str, int] = {}


class Engine:
    """The discrete-event core behind :class:`lambdakit.Platform`."""

    def __init__(self, seed: int = 0, *, account_concurrency: int = 1000,
                 keep_alive: KeepAlivePolicy = DEFAULT_KEEP_ALIVE,
                 region: str = "us-east-1", account_id: str = "123456789012",
                 wall_limit_s: float = 10.0, epoch_s: float = 1_767_225_600.0,
                 routing: str = "most-recently-idle") -> None:
        if account_concurrency < 1:
            raise InvalidParameterValueException(
                "account_concurrency", account_concurrency, "at least 1 (AWS default 1,000)")
        if routing not in ("most-recently-idle", "newest-created"):
            raise InvalidParameterValueException(
                "routing", routing, "'most-recently-idle' or 'newest-created'")
        self.newest_created_first = routing == "newest-created"
        self.seed = seed
        self.now = 0.0
        self.account_limit = account_concurrency
        self.keep_alive = keep_alive
        self.region = region
        self.account_id = account_id
        self.wall_limit_s = wall_limit_s
        self.epoch_s = epoch_s  # wall-clock time of virtual t=0 (2026-01-01T00:00:00Z)
        self.functions: dict[str, _Fn] = {}
        self.records = RecordStore(seed)
        self.environments: list[Environment] = []
        self.outputs: dict[int, list[tuple[float, str | None, str]]] = {}
        self.error_docs: dict[int, dict[str, Any]] = {}
        self.event_final: list[str] = []  # per event: pending | ok | error | timeout | ...
        self.dead_letters: list[dict[str, Any]] = []
        self.payloads: dict[int, str] = {}  # events of the asynchronous path still in flight
        self.unreserved_busy = 0
        self._heap: list[tuple[float, int, int, Any]] = []
        self._seq = 0
        self._rng = np.random.default_rng(seed)
        self._route_rng = np.random.default_rng([seed, 7])
        self._sandbox = Sandbox(owner=self)
        self.services: dict[tuple[str, str], Any] = {}  # (kind, name) -> in-memory service
        self._tmp_root = ""
        self.last_response: Any = None
        self._last_reason: str | None = None
        self._last_end = 0.0
        self._request_ids = partial(request_id, seed)
        self._clock = self.handler_now

    # -- configuration ---------------------------------------------------------------------
    def rng_for(self, function: str, version: str) -> np.random.Generator:
        """An independent, reproducible random stream per function version."""
        key = [self.seed, *map(ord, function), 0, *map(ord, version)]
        return np.random.default_rng(key)

    def add_function(self, config: FunctionConfig) -> _Fn:
        if config.name in self.functions:
            raise ResourceConflictException(f"Function already exist: {config.name}")
        fn = _Fn(FunctionVersions(config, region=self.region, account_id=self.account_id))
        self._check_reserved(config.name, config.reserved_concurrency)
        self.functions[config.name] = fn
        return fn

    def function(self, name: str) -> _Fn:
        fn = self.functions.get(name)
        if fn is None:
            arn = f"arn:aws:lambda:{self.region}:{self.account_id}:function:{name}"
            raise ResourceNotFoundException.for_function(arn)
        return fn

    def _check_reserved(self, name: str, reserved: int | None) -> None:
        if reserved is None:
            return
        others = sum(f.reserved or 0 for n, f in self.functions.items() if n != name)
        allowed = self.account_limit - 100 - others  # keep 100 unreserved (facts §2 [S2])
        if reserved > allowed:
            raise InvalidParameterValueException(
                "reserved_concurrency", reserved,
                f"0–{max(allowed, 0)}: the account's unreserved concurrency "
                f"({self.account_limit} − {others} reserved) must stay at or above 100")

    def total_reserved(self) -> int:
        return sum(f.reserved or 0 for f in self.functions.values())

    def pool(self, fn: _Fn, version: str) -> _Pool:
        p = fn.pools.get(version)
        if p is None:
            p = fn.pools[version] = _Pool(fn, version, fn.versions.get(version), self)
        return p

    def reset_pools(self, fn: _Fn) -> None:
        """$LATEST changed: its environments are retired, new ones get the new config."""
        p = fn.pools.pop(LATEST, None)
        if p is not None:
            for env in list(p.idle) + p.pc_idle:
                self._shutdown(env, self.now, "configuration updated")
            p.idle.clear()
            p.pc_idle.clear()

    # -- entry points ----------------------------------------------------------------------
    def new_event(self) -> int:
        self.event_final.append("pending")
        return len(self.event_final) - 1

    def resolve(self, fn: _Fn, qualifier: str | None) -> _Pool:
        version = fn.versions.resolve(qualifier, float(self._route_rng.random()))
        return self.pool(fn, version)

    def invoke_sync(self, name: str, event: Any, qualifier: str | None = None,
                    client_context: Any = None) -> InvokeResult:
        """Synchronous invoke at the current time; the caller waits, so the clock moves to
        the end of the invocation. Raises TooManyRequestsException when throttled."""
        fn = self.function(name)
        text = _encode(event, SYNC_PAYLOAD_LIMIT)
        with self._sandbox:
            self._advance(self.now)
            pool = self.resolve(fn, qualifier)
            ev = self.new_event()
            idx = self._start(pool, ev, 0, self.now, self.now, text, "sync", qualifier,
                              keep_response=True, client_context=client_context)
            if self.records.raw["outcome"][idx] == _THROTTLED:
                raise TooManyRequestsException(
                    self._last_reason or "ConcurrentInvocationLimitExceeded")
            self._advance(self._last_end)
        outcome = self.event_final[ev]
        payload, ferr = self.last_response, None
        if outcome != "ok":
            ferr = "Unhandled"
        return InvokeResult(200, payload, ferr, pool.version, request_id(self.seed, ev), idx)

    def invoke_async(self, name: str, event: Any, qualifier: str | None = None,
                     source: str = "async", at: float | None = None) -> AsyncAccepted:
        """Queue an asynchronous invoke (202). It runs when the platform runs. ``at`` defaults
        to the clock as the caller sees it (inside a handler: its virtual time)."""
        fn = self.function(name)
        text = _encode(event, ASYNC_PAYLOAD_LIMIT)
        ev = self.new_event()
        t = self.handler_now() if at is None else at
        self._push(t, _ASYNC, (fn, qualifier, ev, 0, t, text, source, 0))
        return AsyncAccepted(202, request_id(self.seed, ev), ev)

    def invoke_for_source(self, name: str, event: Any, source: str,
                          on_done: Callable[[SourceResult], None],
                          qualifier: str | None = None) -> SourceResult:
        """A synchronous invoke made by a poller (an event-source mapping) from a scheduled
        callback, at the current time. Returns at once with the attempt's result; ``on_done``
        is called when the attempt ends on the clock (when the poller gets the response).
        A throttled attempt ends at once (``result.throttled``)."""
        fn = self.function(name)
        text = _encode(event, SYNC_PAYLOAD_LIMIT)
        pool = self.resolve(fn, qualifier)
        ev = self.new_event()
        with self._sandbox:
            idx = self._start(pool, ev, 0, self.now, self.now, text, source, qualifier,
                              keep_response=True)
        r = self.records[idx]
        result = SourceResult(idx, r.request_id, r.outcome, self.last_response,
                              r.outcome != "ok" and r.outcome != "throttled", r.end_s)
        if r.outcome == "throttled":
            on_done(result)
        else:
            self.call_at(r.end_s, lambda _t: on_done(result))
        return result

    def run_until(self, end: float, arrivals: np.ndarray | None = None,
                  target: tuple[_Fn, str | None] | None = None, event: Any = None,
                  invocation_type: str = "sync", progress: Any = None,
                  source: str | None = None) -> None:
        """Advance the clock to ``end``, injecting ``arrivals`` (absolute times) for ``target``."""
        events = _EventSource(event, SYNC_PAYLOAD_LIMIT if invocation_type == "sync"
                              else ASYNC_PAYLOAD_LIMIT)
        with self._sandbox:
            if arrivals is None or target is None or len(arrivals) == 0:
                self._advance(end)
            else:
                self._run_arrivals(end, arrivals, target, events, invocation_type,
                                   progress, source or invocation_type)
        self.sweep()

    # -- the loop --------------------------------------------------------------------------
    def _push(self, t: float, kind: int, obj: Any) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (t, self._seq, kind, obj))

    def call_at(self, t: float, callback: Callable[[float], None]) -> None:
        """Run ``callback(t)`` when the clock reaches ``t`` (services, pollers, schedules).

        Example:
            >>> e = Engine(seed=0); seen = []
            >>> e.call_at(5.0, seen.append); e.run_until(10.0); seen
            [5.0]
        """
        if not t >= self.now:
            raise InvalidParameterValueException("t", t, f"a time at or after now ({self.now})")
        self._push(t, _CALL, callback)

    def handler_now(self) -> float:
        """The platform clock as the running handler sees it (its virtual sleeps included)."""
        cur = self._sandbox.current
        return self.now + (cur.virtual_s if cur is not None else 0.0)

    def _dispatch(self, kind: int, obj: Any, t: float) -> None:
        if kind == _FREE:
            self._free(obj, t)
        elif kind == _ASYNC:
            self._deliver_async(obj, t)
        else:
            obj(t)

    def _advance(self, end: float) -> None:
        """Process heap events up to and including ``end``; the clock ends at ``end``."""
        heap = self._heap
        while heap and heap[0][0] <= end:
            t, _, kind, obj = heapq.heappop(heap)
            self.now = t
            self._dispatch(kind, obj, t)
        self.now = max(self.now, end)

    def _run_arrivals(self, end: float, arrivals: np.ndarray, target: tuple[_Fn, str | None],
                      events: _EventSource, invocation_type: str, progress: Any,
                      source: str) -> None:
        fn, qualifier = target
        times = arrivals.tolist()
        heap = self._heap
        heappop = heapq.heappop
        start = self._start
        new_event = self.new_event
        fixed_pool = None if qualifier is not None and fn.versions.aliases.get(qualifier) \
            else self.resolve(fn, qualifier)
        is_sync = invocation_type == "sync"
        first = 0
        if (is_sync and fixed_pool is not None and not heap and not fixed_pool.pc_idle
                and not fixed_pool.measured and not fn.provisioned
                and type(self.keep_alive).expires_at is KeepAlivePolicy.expires_at):
            first = self._run_batch(end, times, fixed_pool, events, source, progress)
        tick = max(len(times) // 200, 1)
        dispatch = self._dispatch
        for i in range(first, len(times)):
            t = times[i]
            if t > end:
                break
            while heap and heap[0][0] <= t:
                ht, _, kind, obj = heappop(heap)
                self.now = ht
                dispatch(kind, obj, ht)
            self.now = t
            pool = fixed_pool or self.resolve(fn, qualifier)
            ev = new_event()
            if is_sync:
                start(pool, ev, 0, t, t, events.text(i), source, qualifier)
            else:
                self._deliver_async((fn, qualifier, ev, 0, t, events.text(i), source, 0), t)
            if progress is not None and i % tick == 0:
                progress.update(tick)
        self._advance(end)

    def _run_batch(self, end: float, times: list[float], pool: _Pool, events: _EventSource,
                   source: str, progress: Any) -> int:
        """The hot path: synchronous arrivals into one function version, nothing else queued.

        The compiled kernel (:mod:`lambdakit.kernel`) assigns environments chunk by chunk with
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
        rec = self.records
        base = len(rec)
        first_event = len(self.event_final)
        group = pool.groups.get(source)
        if group is None:
            group = pool.groups[source] = rec.group(fn.name, pool.version, pool.memory_mb,
                                                    source, pool.max_memory_mb)
        self.event_final.extend(["ok"] * n)
        t_arr = np.asarray(times[:n], dtype=np.float64)
        durs = pool.invoke_stream.take_array(n)
        reset = np.zeros(n, dtype=np.bool_)
        outcome_col = np.zeros(n, dtype=np.int8)
        errors: dict[int, str] = {}
        limit = fn.reserved if fn.reserved is not None else (
            self.account_limit - self.total_reserved() - self.unreserved_busy)
        ka = self.keep_alive
        life = ka.max_lifetime_s if ka.max_lifetime_s is not None else INF
        # environments the kernel knows, by local number (creation order)
        local: list[Environment] = sorted(pool.idle, key=lambda e: e.id) \
            if self.newest_created_first else list(pool.idle)
        if self.newest_created_first:
            local = sorted([item[1] for item in pool.idle_heap], key=lambda e: e.id)
        st = kernel.KernelState(env_capacity=max(64, 2 * len(local)),
                                window_cap=SCALING_PER_WINDOW)
        for k, env in enumerate(local):
            st.env_f[k, kernel.CREATED] = env.created_at
            st.env_f[k, kernel.EXPIRES] = env.expires_at
            st.env_f[k, kernel.DISCARD] = 0.0
            st.i[kernel.IDLE_N] = kernel._idle_push.py_func(
                st.idle, int(st.i[kernel.IDLE_N]), k, self.newest_created_first)
        st.i[kernel.N_ENV] = len(local)
        for c in fn.creations:
            if c > (t_arr[0] if n else 0.0) - SCALING_WINDOW_S:
                st.ring[st.i[kernel.RING_N]] = c
                st.i[kernel.RING_N] += 1
        pool.idle = deque()
        pool.idle_heap = []
        out = kernel.Outputs(n)
        init_draws = np.asarray(pool.init_stream.take(64), dtype=np.float64)

        def run_kernel(a: int, b: int) -> int:
            nonlocal init_draws, st
            while True:
                stop = kernel.schedule(
                    t_arr, durs, reset, a, b, init_draws, st.i, st.f, st.busy_t, st.busy_s,
                    st.busy_e, st.idle, st.env_f, st.ring, out.env, out.cold, out.init, limit,
                    self.newest_created_first, float(ka.idle_s), float(life), SCALING_WINDOW_S,
                    SCALING_PER_WINDOW)
                why = st.i[kernel.STOP_REASON]
                if why == kernel.STOP_CAPACITY:
                    st.grow(2 * len(st.busy_t))
                elif why == kernel.STOP_INIT:
                    more = np.asarray(pool.init_stream.take(len(init_draws)), dtype=np.float64)
                    init_draws = np.concatenate([init_draws, more])
                else:
                    return stop
                a = stop

        sb = self._sandbox
        lock = sb._lock
        timeout_ms = pool.timeout_ms
        wall = min(pool.config.timeout_s, self.wall_limit_s)
        vlimit = float(pool.config.timeout_s)
        text = events._text if events._fn is None else None
        empty = text == "{}"
        loads = json.loads
        encode = _JSON_ENCODE
        info_ctx = LambdaContext
        clock = self._clock  # the handler's view of the clock: engine.now + virtual sleeps
        heap = self._heap
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
            run_kernel(a, b)
            env_l, cold_l, dur_l = out.env[a:b].tolist(), out.cold[a:b].tolist(), \
                durs[a:b].tolist()
            times_l = times[a:b]
            ev0 = first_event + a
            for j in range(b - a):
                eid = env_l[j]
                if eid < 0:
                    k = a + j
                    outcome_col[k] = _THROTTLED
                    errors[k] = "TooManyRequestsException"
                    self.event_final[first_event + k] = "throttled"
                    continue
                replay = False
                if cold_l[j]:
                    k = a + j
                    env, begin = self._batch_cold(pool, k, times_l[j], float(out.init[k]),
                                                  base + k, first_event + k, errors,
                                                  outcome_col, durs, reset)
                    local.append(env)
                    sb.current, sb._virtual_limit, sb._wall_limit = call, vlimit, wall
                    current_environ = None
                    replay = begin < 0  # the init failed: its environment is discarded
                else:
                    env = local[eid]
                    begin = times_l[j]
                if not replay:
                    ev = ev0 + j
                    self.now = begin
                    ctx = info_ctx(env.info, ev, begin + vlimit, clock)  # type: ignore[arg-type]
                    if env.environ is not current_environ:
                        current_environ = os.environ = env.environ  # type: ignore[assignment]  # noqa: B003
                        tempfile.tempdir = env.tmpdir
                    payload = {} if empty else (loads(text) if text is not None
                                                else _decode(events.text(a + j)))
                    failed: BaseException | None = None
                    sb._active = ~ev  # a token for the watchdog, distinct from call()'s
                    try:
                        result = env.handler(payload, ctx)  # type: ignore[misc]
                        with lock:
                            sb._active = 0
                    except KeyboardInterrupt:
                        sb.current = None
                        os.environ = sb._saved[2]  # type: ignore[assignment]  # noqa: B003
                        raise
                    except BaseException as exc:  # noqa: BLE001 - becomes the attempt's record
                        with lock:
                            sb._active = 0
                        failed, result = exc, None
                    d = dur_l[j]
                    touched = call.touched
                    if touched:
                        d += call.virtual_s * 1000.0
                    slow = failed is not None or touched or d > timeout_ms
                    if not slow and result is not None and type(result) not in _PLAIN:
                        try:
                            encode(result)
                        except (TypeError, ValueError, RecursionError):
                            slow = True
                    if slow:
                        k = a + j
                        d, gone = self._batch_slow(pool, env, k, base + k, ev, call, result,
                                                   failed, d, errors, outcome_col)
                        if gone:
                            reset[k] = replay = True
                    if d != dur_l[j]:
                        durs[a + j] = d
                        replay = True
                if replay:  # schedule the rest of the chunk again with the real figures
                    st.restore(snapshot)
                    run_kernel(a, b)
                    env_l, cold_l, dur_l = out.env[a:b].tolist(), out.cold[a:b].tolist(), \
                        durs[a:b].tolist()
                if heap and a + j + 1 < n and heap[0][0] <= times[a + j + 1]:
                    done = a + j + 1  # something else is due: the general loop takes over
                    break
            if done < n:
                st.restore(snapshot)
                run_kernel(a, done)
                break
            if progress is not None:
                progress.update(b - a)
            a = b
        sb.current = None
        n = done
        del self.event_final[first_event + n:]
        self._batch_handover(pool, st, local)
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
        self.now = times[n - 1] if n else self.now
        return n

    def _batch_cold(self, pool: _Pool, k: int, t: float, init_ms: float, row: int, ev: int,
                    errors: dict[int, str], outcome_col: np.ndarray, durs: np.ndarray,
                    reset: np.ndarray) -> tuple[Environment, float]:
        """A cold start in a batch: create the environment and run its init. Returns it and
        when its handler starts, or -1 when the init failed (the attempt is then an error)."""
        env = self._create(pool, t, provisioned=False)
        env.ready_at = t + init_ms / 1000.0
        init_error = self._init(env)
        if env.init_lines:
            self.outputs[row] = [(-init_ms / 1000.0, lvl, txt) for _, lvl, txt in env.init_lines]
            env.init_lines = []
        if init_error is None:
            return env, env.ready_at
        env.move(State.INVOKE)
        self._finish_slow(pool, env, row, ev, init_error=init_error)
        outcome_col[k] = OUTCOME_CODES["error"]
        errors[k] = init_error.error_type
        self.event_final[ev] = "error"
        durs[k] = 0.0
        reset[k] = True
        return env, -1.0

    def _batch_slow(self, pool: _Pool, env: Environment, k: int, row: int, ev: int,
                    call: CallOutcome, result: Any, failed: BaseException | None,
                    duration: float, errors: dict[int, str],
                    outcome_col: np.ndarray) -> tuple[float, bool]:
        """Finish a batch attempt that failed, printed, slept or returned a non-trivial value.
        Returns its duration and whether its environment is discarded."""
        sb = self._sandbox
        call.error = None if isinstance(failed, HandlerTimeout) else failed
        call.timed_out = isinstance(failed, HandlerTimeout)
        if sb.partial:
            call.lines.append((call.virtual_s, None, sb.partial))
            sb.partial = ""
        call.result = result
        outcome, d, etype, gone = self._finish_slow(pool, env, row, ev, call=call,
                                                    duration=duration)
        call.lines = []
        call.result = call.error = None
        call.timed_out = call.touched = False
        call.virtual_s = 0.0
        if outcome != "ok":
            outcome_col[k] = OUTCOME_CODES[outcome]
            errors[k] = etype  # type: ignore[assignment]
            self.event_final[ev] = outcome
        return d, gone

    def _batch_handover(self, pool: _Pool, st: kernel.KernelState,
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
                    self.unreserved_busy += 1
                self._push(env.busy_until, _FREE, (env, bool(row[kernel.DISCARD] > 0), -1))
            elif not np.isnan(row[kernel.SHUT_AT]):
                reason = "reset after timeout or crash" if row[kernel.DISCARD] > 0 \
                    else "keep-alive expired"
                self._shutdown(env, float(row[kernel.SHUT_AT]), reason)
            else:
                if env.state == State.INVOKE:
                    env.move(State.IDLE)
                env.expires_at = float(row[kernel.EXPIRES])
                env.idle_since = env.busy_until
        for k in idle_order:
            env = local[k]
            if env.state != State.IDLE:
                continue
            if self.newest_created_first:
                heapq.heappush(pool.idle_heap, (-env.id, env))
            else:
                pool.idle.append(env)
        ring_n, head = int(st.i[kernel.RING_N]), int(st.i[kernel.RING_HEAD])
        cap = len(st.ring)
        fn.creations = deque(float(st.ring[(head + i) % cap]) for i in range(ring_n))

    def _finish_slow(self, pool: _Pool, env: Environment, row: int, ev: int, *,
                     call: CallOutcome | None = None, duration: float = 0.0,
                     init_error: HandlerInitError | None = None
                     ) -> tuple[str, float, str | None, bool]:
        """Outcome of an attempt that failed, printed or returned a non-trivial value."""
        rid = _LazyId(self.seed, ev)
        if init_error is not None:
            self.error_docs[row] = init_error.document()
            return "error", 0.0, init_error.error_type, True
        assert call is not None
        if call.lines:
            self.outputs.setdefault(row, []).extend(call.lines)
        if call.timed_out or duration > pool.timeout_ms:
            self.error_docs[row] = {"errorType": "Sandbox.Timedout", "errorMessage":
                                    f"RequestId: {rid()} Error: "
                                    f"{timeout_message(pool.config.timeout_s)}"}
            return "timeout", pool.timeout_ms, "Sandbox.Timedout", True
        exc = call.error
        if exc is not None:
            if isinstance(exc, SystemExit):
                self.error_docs[row] = {"errorType": "Runtime.ExitError", "errorMessage":
                                        f"RequestId: {rid()} Error: Runtime exited with error: "
                                        f"exit status {exc.code}"}
                return "error", duration, "Runtime.ExitError", True
            doc = error_document(exc, rid())
            self.error_docs[row] = doc
            return "error", duration, doc["errorType"], False
        if call.result is not None and type(call.result) not in _PLAIN:
            _, marshal_error = marshal_response(call.result)
            if marshal_error is not None:
                self.error_docs[row] = marshal_error
                return "error", duration, marshal_error["errorType"], False
        return "ok", duration, None, False

    # -- invocations -----------------------------------------------------------------------
    def _limit_reason(self, fn: _Fn) -> str | None:
        reserved = fn.reserved
        if reserved is not None:
            if fn.busy >= reserved:
                return "ReservedFunctionConcurrentInvocationLimitExceeded"
        elif self.unreserved_busy >= self.account_limit - self.total_reserved():
            return "ConcurrentInvocationLimitExceeded"
        return None

    def _acquire(self, pool: _Pool, t: float) -> tuple[Environment | None, str | None]:
        """An environment for a request at ``t``: (env, None) or (None, throttle reason)."""
        fn = pool.fn
        reason = self._limit_reason(fn)
        if reason:
            return None, reason
        if pool.pc_idle:
            return pool.pc_idle.pop(), None
        idle = pool.idle
        if self.newest_created_first:
            heap = pool.idle_heap
            while heap:
                env = heapq.heappop(heap)[1]
                if env.expires_at > t:
                    return env, None
                self._shutdown(env, env.expires_at, "keep-alive expired")
        while idle:
            env = idle.pop()
            if env.expires_at > t:
                return env, None
            self._shutdown(env, env.expires_at, "keep-alive expired")
        while idle and idle[0].expires_at <= t:  # the oldest idle ones have expired too
            old = idle.popleft()
            self._shutdown(old, old.expires_at, "keep-alive expired")
        creations = fn.creations
        while creations and creations[0] <= t - SCALING_WINDOW_S:
            creations.popleft()
        if len(creations) >= SCALING_PER_WINDOW:
            return None, "ConcurrentInvocationLimitExceeded"  # scaling rate: 429 as well [S4]
        creations.append(t)
        return self._create(pool, t, provisioned=False), None

    def _create(self, pool: _Pool, t: float, provisioned: bool) -> Environment:
        env = Environment(len(self.environments), pool, t, provisioned)
        self.environments.append(env)
        fn = pool.fn
        day = _day(self.epoch_s + t)
        stream = log_stream_name(day, pool.version, environment_guid(self.seed, env.id))
        env.info = ContextInfo(fn.name, pool.version, pool.arn, pool.memory_mb,
                               log_group_name(fn.name), stream, self._request_ids)
        env.environ = self._environ(pool, env, provisioned)
        return env

    def _environ(self, pool: _Pool, env: Environment, provisioned: bool) -> dict[str, str]:
        cfg = pool.config
        if not self._tmp_root:
            self._tmp_root = tempfile.mkdtemp(prefix="lambdakit-")
        tmp = os.path.join(self._tmp_root, f"env-{env.id}")
        env.tmpdir = tmp
        base = dict(os.environ) if isinstance(os.environ, os._Environ) else {}
        base.update(cfg.environment)
        assert env.info is not None
        base.update({  # reserved variables (facts §6.3 [S2][S20])
            "_HANDLER": cfg.handler if isinstance(cfg.handler, str) else "lambda_function."
            + getattr(cfg.handler, "__name__", "handler"),
            "AWS_REGION": self.region, "AWS_DEFAULT_REGION": self.region,
            "AWS_EXECUTION_ENV": RUNTIMES.get(cfg.runtime, f"AWS_Lambda_{cfg.runtime}"),
            "AWS_LAMBDA_FUNCTION_NAME": pool.fn.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(cfg.memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": pool.version,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "provisioned-concurrency" if provisioned
            else "on-demand",
            "AWS_LAMBDA_LOG_GROUP_NAME": env.info.log_group_name,
            "AWS_LAMBDA_LOG_STREAM_NAME": env.info.log_stream_name,
            "AWS_ACCESS_KEY_ID": "ASIALAMBDAKITEXAMPLE", "AWS_ACCESS_KEY": "ASIALAMBDAKITEXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "lambdakit-simulated-secret",
            "AWS_SESSION_TOKEN": "lambdakit-simulated-token",
            "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001", "LAMBDA_TASK_ROOT": "/var/task",
            "LAMBDA_RUNTIME_DIR": "/var/runtime", "LANG": "en_US.UTF-8", "TZ": "UTC",
            "TMPDIR": tmp,
        })
        return base

    def _init(self, env: Environment) -> HandlerInitError | None:
        """Function init: load the handler into a fresh module (a real cold start).

        Runs in the sandbox like a handler: the module's prints go to the log (kept in
        ``env.init_lines`` until the first attempt's record exists), it sees the environment's
        variables, and init code that never finishes is stopped at the 10 s init limit
        (facts §1.1 [S1])."""
        cfg = env.pool.config
        os.makedirs(env.tmpdir, exist_ok=True)
        loaded: list[Any] = []
        with self._sandbox:
            call = self._sandbox.call(
                lambda _e, _c: loaded.append(load_handler(cfg.handler, code_dir=cfg.code_dir,
                                                          source=cfg.source)),
                None, None, wall_limit_s=min(INIT_LIMIT_S, self.wall_limit_s),
                virtual_limit_s=INIT_LIMIT_S, environ=env.environ)
        env.init_lines = call.lines
        if call.timed_out:
            return HandlerInitError("Sandbox.Timedout",
                                    f"Init phase timed out after {INIT_LIMIT_S:.2f} seconds")
        if isinstance(call.error, HandlerInitError):
            return call.error
        if call.error is not None:  # e.g. SystemExit during init
            return HandlerInitError("Runtime.ExitError", f"Runtime exited: {call.error!r}")
        env.handler = loaded[0].function
        env.module = loaded[0].module
        return None

    def _start(self, pool: _Pool, ev: int, attempt: int, arrival: float, t: float, text: str,
               source: str, qualifier: str | None, keep_response: bool = False,
               client_context: Any = None, is_async: bool = False) -> int:
        """Start one attempt at ``t``; returns its record index (outcome may be throttled)."""
        rec = self.records
        group = pool.groups.get(source)
        if group is None:
            group = pool.groups[source] = rec.group(pool.fn.name, pool.version, pool.memory_mb,
                                                    source, pool.max_memory_mb)
        env, reason = self._acquire(pool, t)
        if env is None:
            self._last_reason = reason
            pool.invoke_stream.next()  # one draw per arrival, as the batch path draws
            idx = rec.append(ev, attempt, group, -1, False, arrival, t, 0.0, 0.0, "throttled",
                             "TooManyRequestsException")
            if not is_async:
                self.event_final[ev] = "throttled"
            return idx
        fn = pool.fn
        fn.busy += 1
        if fn.reserved is None:
            self.unreserved_busy += 1
        cold = env.state == State.INIT
        init_ms = 0.0
        init_error: HandlerInitError | None = None
        if cold:
            init_ms = pool.init_stream.next()
            env.ready_at = t + init_ms / 1000.0
            init_error = self._init(env)
        env.move(State.INVOKE)
        begin = t + init_ms / 1000.0
        out_lines: list[tuple[float, str | None, str]] | None = None
        error_doc: dict[str, Any] | None = None
        error_type: str | None = None
        response: Any = None
        if init_error is not None:
            outcome, duration = "error", 0.0
            error_doc = init_error.document()
            error_type = init_error.error_type
        else:
            rid = _LazyId(self.seed, ev)
            ctx = LambdaContext(env.info, ev, begin + pool.timeout_ms / 1000.0,  # type: ignore[arg-type]
                                self._clock, client_context=client_context)
            self.now = begin
            call = self._sandbox.call(
                env.handler, _decode(text), ctx,  # type: ignore[arg-type]
                wall_limit_s=min(pool.config.timeout_s, self.wall_limit_s),
                virtual_limit_s=pool.config.timeout_s, environ=env.environ)
            self.now = t  # the handler saw its own start time; the loop is still at t
            duration = pool.invoke_stream.next() + call.virtual_s * 1000.0
            if pool.measured:
                duration += call.wall_s * 1000.0 * pool.cpu_factor
            out_lines = call.lines or None
            if call.timed_out or duration > pool.timeout_ms:
                outcome, duration = "timeout", pool.timeout_ms
                error_type = "Sandbox.Timedout"
                error_doc = {"errorType": "Sandbox.Timedout", "errorMessage":
                             f"RequestId: {rid()} Error: "
                             f"{timeout_message(pool.config.timeout_s)}"}  # facts §1.6 [S1]
            elif call.error is not None:
                exc = call.error
                if isinstance(exc, SystemExit):
                    outcome, error_type = "error", "Runtime.ExitError"
                    error_doc = {"errorType": "Runtime.ExitError", "errorMessage":
                                 f"RequestId: {rid()} Error: Runtime exited with error: "
                                 f"exit status {exc.code}"}
                else:
                    outcome = "error"
                    error_doc = error_document(exc, rid())
                    error_type = error_doc["errorType"]
            else:
                outcome = "ok"
                response = call.result
                if response is not None and type(response) not in _PLAIN:
                    body, marshal_error = marshal_response(response)
                    if marshal_error is not None:
                        outcome, error_doc = "error", marshal_error
                        error_type = marshal_error["errorType"]
                    elif keep_response:
                        response = json.loads(body) if body is not None else None
        idx = rec.append(ev, attempt, group, env.id, cold, arrival, t, init_ms, duration,
                         outcome, error_type if outcome != "ok" else None)
        if cold and env.init_lines:
            shift = -init_ms / 1000.0  # printed during init, before START
            out_lines = [(shift, lvl, txt) for _, lvl, txt in env.init_lines] + (out_lines or [])
            env.init_lines = []
        if out_lines:
            self.outputs[idx] = out_lines
        if error_doc is not None:
            self.error_docs[idx] = error_doc
        if keep_response:
            self.last_response = error_doc if outcome != "ok" else response
        self.event_final[ev] = outcome
        end = begin + duration / 1000.0
        self._last_end = end
        env.busy_until = end
        reset = outcome == "timeout" or init_error is not None or error_type == "Runtime.ExitError"
        self._push(end, _FREE, (env, reset, idx if is_async else -1))
        return idx

    def _free(self, item: tuple[Environment, bool, int], t: float) -> None:
        env, reset, idx = item
        pool = env.pool
        fn = pool.fn
        fn.busy -= 1
        if fn.reserved is None:
            self.unreserved_busy -= 1
        if reset:
            env.move(State.SHUTDOWN)
            env.shutdown_at = t
            env.shutdown_reason = "reset after timeout or crash"
        elif pool.fn.pools.get(pool.version) is not pool:
            env.move(State.SHUTDOWN)
            env.shutdown_at = t
            env.shutdown_reason = "configuration updated"
        else:
            env.move(State.IDLE)
            env.idle_since = t
            if env.provisioned:
                pool.pc_idle.append(env)
            else:
                env.expires_at = self.keep_alive.expires_at(env.created_at, t)
                if self.newest_created_first:
                    heapq.heappush(pool.idle_heap, (-env.id, env))
                else:
                    pool.idle.append(env)
        if idx >= 0:
            self._after_async(idx, t)

    # -- asynchronous path -----------------------------------------------------------------
    def _deliver_async(self, item: tuple[Any, ...], t: float) -> None:
        fn, qualifier, ev, attempt, arrival, text, source, throttles = item
        acfg = fn.versions.latest.async_config
        if t - arrival > acfg.maximum_event_age_s:
            self._expire(fn, item, t, "EventAgeExceeded")
            return
        if attempt == 0 and throttles == 0:
            self.payloads[ev] = text
        pool = self.resolve(fn, qualifier)
        if fn.reserved == 0:  # reserved 0: straight to the DLQ/destination, no retries [S41]
            self._expire(fn, item, t, "ZeroReservedConcurrency")
            return
        idx = self._start(pool, ev, attempt, arrival, t, text, source, qualifier, is_async=True)
        if self.records.raw["outcome"][idx] == _THROTTLED:  # back to the internal queue
            lo, hi = THROTTLE_BACKOFF_S
            delay = min(hi, lo * 2.0 ** throttles)
            self._push(t + delay, _ASYNC, (fn, qualifier, ev, attempt, arrival, text, source,
                                           throttles + 1))

    def _after_async(self, idx: int, t: float) -> None:
        r = self.records[idx]
        fn = self.functions[r.function]
        acfg = fn.versions.latest.async_config
        ev = r.event
        if r.outcome == "ok":
            _send(acfg.on_success, self._invocation_record(idx, "Success", t))
            self.payloads.pop(ev, None)
            return
        if r.attempt < acfg.maximum_retry_attempts:
            delay = ASYNC_RETRY_DELAYS_S[min(r.attempt, len(ASYNC_RETRY_DELAYS_S) - 1)]
            self.event_final[ev] = "retrying"
            self._push(t + delay, _ASYNC, (fn, None if r.version == LATEST else r.version, ev,
                                           r.attempt + 1, r.arrival_s, self.payloads[ev],
                                           r.source, 0))
            return
        self._fail(fn, idx, t, "RetriesExhausted")

    def _fail(self, fn: _Fn, idx: int, t: float, condition: str) -> None:
        """Retries exhausted or event too old: on-failure destination and/or DLQ."""
        acfg = fn.versions.latest.async_config
        rec = self._invocation_record(idx, condition, t)
        r = self.records[idx]
        self.payloads.pop(r.event, None)
        sent = acfg.on_failure is not None or acfg.dead_letter is not None
        self.event_final[r.event] = "dead-lettered" if sent else r.outcome
        if acfg.on_failure is not None:
            _send(acfg.on_failure, rec)
        if acfg.dead_letter is not None:  # the event as-is, with attributes (facts §3.2 [S12])
            _send(acfg.dead_letter, {"body": rec["requestPayload"], "attributes": {
                "RequestID": r.request_id, "ErrorCode": "200",
                "ErrorMessage": json.dumps(rec.get("responsePayload", condition))[:1024]}})
        self.dead_letters.append(rec)

    def _expire(self, fn: _Fn, item: tuple[Any, ...], t: float, condition: str) -> None:
        _, qualifier, ev, attempt, arrival, text, source, _ = item
        pool = self.resolve(fn, qualifier)
        group = self.records.group(fn.name, pool.version, pool.memory_mb, source,
                                   pool.max_memory_mb)
        idx = self.records.append(ev, attempt, group, -1, False, arrival, t, 0.0, 0.0,
                                  "expired", condition)
        self.payloads[ev] = text
        self._fail(fn, idx, t, condition)

    def _invocation_record(self, idx: int, condition: str, t: float) -> dict[str, Any]:
        """The invocation record sent to destinations (facts §3.2 [S12])."""
        r = self.records[idx]
        fn = self.functions[r.function]
        text = self.payloads.get(r.event, "null")
        rec: dict[str, Any] = {
            "version": "1.0",
            "timestamp": _iso(self.epoch_s + t),
            "requestContext": {
                "requestId": r.request_id,
                "functionArn": fn.versions.arn(r.version),
                "condition": condition,
                "approximateInvokeCount": r.attempt + 1,
            },
            "requestPayload": json.loads(text),
            "responseContext": {"statusCode": 200, "executedVersion": r.version},
        }
        doc = self.error_docs.get(idx)
        if doc is not None:
            rec["responseContext"]["functionError"] = "Unhandled"
            rec["responsePayload"] = doc
        return rec

    # -- provisioned concurrency and housekeeping -------------------------------------------
    def set_provisioned(self, fn: _Fn, version: str, count: int) -> None:
        pool = self.pool(fn, version)
        have = [e for e in self.environments if e.pool is pool and e.provisioned
                and e.state != State.SHUTDOWN]
        with self._sandbox:
            for _ in range(count - len(have)):
                env = self._create(pool, self.now, provisioned=True)
                env.ready_at = self.now + pool.init_stream.next() / 1000.0
                err = self._init(env)
                if err is not None:
                    raise err
                env.move(State.IDLE)
                env.idle_since = env.ready_at
                pool.pc_idle.append(env)
        for env in have[count:] if count < len(have) else []:
            if env in pool.pc_idle:
                pool.pc_idle.remove(env)
                self._shutdown(env, self.now, "provisioned concurrency reduced")
        fn.provisioned[version] = count

    def sweep(self) -> None:
        """Shut down idle environments whose keep-alive ran out by now."""
        for fn in self.functions.values():
            for pool in fn.pools.values():
                keep: deque[Environment] = deque()
                for env in pool.idle:
                    if env.expires_at <= self.now:
                        self._shutdown(env, env.expires_at, "keep-alive expired")
                    else:
                        keep.append(env)
                pool.idle = keep
                live = []
                for item in pool.idle_heap:
                    if item[1].expires_at <= self.now:
                        self._shutdown(item[1], item[1].expires_at, "keep-alive expired")
                    else:
                        live.append(item)
                heapq.heapify(live)
                pool.idle_heap = live

    def _shutdown(self, env: Environment, t: float, reason: str) -> None:
        env.move(State.SHUTDOWN)
        env.shutdown_at = t
        env.shutdown_reason = reason
        env.handler = env.module = None
        if env.tmpdir:
            shutil.rmtree(env.tmpdir, ignore_errors=True)

    def close(self) -> None:
        if self._tmp_root:
            shutil.rmtree(self._tmp_root, ignore_errors=True)
            self._tmp_root = ""


# -- small helpers ------------------------------------------------------------------------
_PLAIN = (str, int, float, bool)


def _json_check_encoder() -> Callable[[Any], Any]:
    """The C JSON encoder without the two Python frames of ``json.dumps`` (hot path)."""
    try:
        from json.encoder import (  # type: ignore[attr-defined]
            c_make_encoder,
            encode_basestring_ascii,
        )
    except ImportError:  # pragma: no cover - CPython always has it
        c_make_encoder = None
    if c_make_encoder is None:  # pragma: no cover
        return json.JSONEncoder().encode
    default = json.JSONEncoder().default

    def make() -> Any:
        return c_make_encoder({}, default, encode_basestring_ascii, None, ":", ",",
                              False, False, True)

    encoder = make()

    def check(obj: Any) -> Any:
        nonlocal encoder
        try:
            return encoder(obj, 0)
        except BaseException:
            encoder = make()  # its cycle markers may hold stale entries now
            raise

    return check


_JSON_ENCODE = _json_check_encoder()


def array_i(n: int) -> array:
    """A zeroed int32 array of length ``n``."""
    return array("i", bytes(4 * n))


class _LazyId:
    """The request id, formatted only when someone reads it."""

    __slots__ = ("_seed", "_n", "_s")

    def __init__(self, seed: int, n: int) -> None:
        self._seed, self._n, self._s = seed, n, ""

    def __call__(self) -> str:
        if not self._s:
            self._s = request_id(self._seed, self._n)
        return self._s


class _EventSource:
    """The payloads of a workload: one JSON text, or one per arrival from a callable."""

    def __init__(self, event: Any, limit: int) -> None:
        self._fn = event if callable(event) else None
        self._limit = limit
        self._text = None if self._fn else _encode({} if event is None else event, limit)

    def text(self, i: int) -> str:
        if self._fn is None:
            return self._text  # type: ignore[return-value]
        return _encode(self._fn(i), self._limit)


def _encode(event: Any, limit: int) -> str:
    try:
        text = json.dumps(event, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise InvalidParameterValueException(
            "event", type(event).__name__, f"a JSON-serialisable payload ({exc})") from None
    if len(text.encode()) > limit:
        raise RequestTooLargeException(
            f"Request must be smaller than {limit} bytes for the invoke operation")
    return text


def _decode(text: str) -> Any:
    """A fresh copy of the payload for each invocation, as Lambda deserialises it."""
    return {} if text == "{}" else json.loads(text)


def _send(dest: Any, record: dict[str, Any]) -> None:
    if dest is None:
        return
    if hasattr(dest, "send"):
        dest.send(record)
    else:
        dest.append(record)


def _day(epoch_s: float):  # type: ignore[no-untyped-def]
    import datetime as _dt

    return _dt.datetime.fromtimestamp(epoch_s, tz=_dt.timezone.utc).date()


def _iso(epoch_s: float) -> str:
    import datetime as _dt

    d = _dt.datetime.fromtimestamp(epoch_s, tz=_dt.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"


def iter_envs(engine: Engine, function: str | None = None) -> Iterable[Environment]:
    """The environments of one function (or all)."""
    return (e for e in engine.environments if function is None or e.pool.fn.name == function)
