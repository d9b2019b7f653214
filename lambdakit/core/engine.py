"""The simulated engine: a virtual clock and a discrete-event loop (SimPy-style event heap).

Handlers really run; how long they take comes from the function's duration models. The clock
starts at 0 and moves only while the engine runs. One loop serves everything: workload arrivals
(a sorted array merged with the heap), environments freeing up, asynchronous deliveries and
retries. Deterministic for a seed.

The batch hot path lives in :mod:`lambdakit.core.batch`, the asynchronous path in
:mod:`lambdakit.core.async_path`, the per-environment state in :mod:`lambdakit.core.environment`.

Routing: a request goes to a pre-initialised (provisioned) environment first, then to the
idle environment that became idle most recently (newest-idle-first, as SimFaaS does), else a new
environment is created — if concurrency and the scaling rate allow it.

Example:
    >>> from lambdakit.function.config import FunctionConfig
    >>> e = Engine(seed=1)
    >>> fn = e.add_function(FunctionConfig("f", lambda ev, ctx: ev["x"] * 2))
    >>> e.invoke_sync("f", {"x": 21}).payload
    42
"""

from __future__ import annotations

import heapq
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from ..errors import (
    InvalidParameterValueException,
    ResourceConflictException,
    ResourceNotFoundException,
    TooManyRequestsException,
)
from ..function.config import RUNTIMES, FunctionConfig
from ..function.context import ContextInfo, LambdaContext
from ..function.handlers import HandlerInitError, load_handler
from ..function.quotas import check, limit
from ..function.versions import LATEST, FunctionVersions
from ..observers.logformat import log_group_name, log_stream_name
from ..observers.records import OUTCOME_CODES, EventTable, RecordStore
from .async_path import after_async, deliver_async
from .batch import run_batch
from .environment import (
    _ASYNC,
    _CALL,
    _FREE,
    SCALING_PER_WINDOW,
    SCALING_WINDOW_S,
    AsyncAccepted,
    Environment,
    InvokeResult,
    SourceResult,
    _Fn,
    _Pool,
)
from .ids import environment_guid, request_id
from .keepalive import DEFAULT_KEEP_ALIVE, KeepAlivePolicy
from .lifecycle import State
from .outcomes import attempt_outcome, resets
from .payloads import _day, _decode, _encode, _EventSource, _LazyId
from .routing import ROUTE_COLD, ROUTE_LIMIT, ROUTE_PROVISIONED, ROUTE_WARM, passed_over, route
from .sandbox import CallOutcome, Sandbox

SYNC_PAYLOAD_LIMIT = int(limit("sync_payload_bytes"))  # 6 MB (lambdakit.function.quotas)
ASYNC_PAYLOAD_LIMIT = int(limit("async_payload_bytes"))  # 1 MB since Oct 2025
INIT_LIMIT_S = float(limit("init_s"))  # on-demand init phase: 10 s
_THROTTLED = OUTCOME_CODES["throttled"]


class Engine:
    """The discrete-event core behind :class:`lambdakit.Platform`."""

    def __init__(self, seed: int = 0, *, account_concurrency: int = 1000,
                 keep_alive: KeepAlivePolicy = DEFAULT_KEEP_ALIVE,
                 region: str = "us-east-1", account_id: str = "123456789012",
                 wall_limit_s: float = 10.0, epoch_s: float = 1_767_225_600.0,
                 routing: str = "most-recently-idle", owner: Any = None,
                 batch_path: bool = True) -> None:
        check("account_concurrency", account_concurrency)
        if routing not in ("most-recently-idle", "newest-created"):
            raise InvalidParameterValueException(
                "routing", routing, "'most-recently-idle' or 'newest-created'")
        self.newest_created_first = routing == "newest-created"
        # workload batches may go to the compiled kernel (batch.py); False keeps every arrival
        # on the event loop: the reference path the kernel is tested against
        self.batch_path = batch_path
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
        self.events = EventTable()  # per event: how it stands, async payloads, failures
        self.unreserved_busy = 0
        self.heap: list[tuple[float, int, int, Any]] = []
        self._seq = 0
        self._rng = np.random.default_rng(seed)
        self._route_rng = np.random.default_rng([seed, 7])
        self.sandbox = Sandbox(owner=self if owner is None else owner)
        self._tmp_root = ""
        self._request_ids = partial(request_id, seed)
        self.clock = self.handler_now

    # -- configuration ---------------------------------------------------------------------
    def rng_for(self, function: str, version: str) -> np.random.Generator:
        """An independent, reproducible random stream per function version."""
        key = [self.seed, *map(ord, function), 0, *map(ord, version)]
        return np.random.default_rng(key)

    def add_function(self, config: FunctionConfig) -> _Fn:
        if config.name in self.functions:
            raise ResourceConflictException(f"Function already exist: {config.name}")
        fn = _Fn(FunctionVersions(config, region=self.region, account_id=self.account_id))
        self.check_reserved(config.name, config.reserved_concurrency)
        self.functions[config.name] = fn
        return fn

    def function(self, name: str) -> _Fn:
        fn = self.functions.get(name)
        if fn is None:
            arn = f"arn:aws:lambda:{self.region}:{self.account_id}:function:{name}"
            raise ResourceNotFoundException.for_function(arn)
        return fn

    def check_reserved(self, name: str, reserved: int | None) -> None:
        if reserved is None:
            return
        others = sum(f.reserved or 0 for n, f in self.functions.items() if n != name)
        floor = int(limit("unreserved_minimum"))  # keep 100 unreserved (lambdakit.function.quotas)
        allowed = self.account_limit - floor - others
        if reserved > allowed:
            raise InvalidParameterValueException(
                "reserved_concurrency", reserved,
                f"0–{max(allowed, 0)}: the account's unreserved concurrency "
                f"({self.account_limit} − {others} reserved) must stay at or above {floor}")

    def total_reserved(self) -> int:
        return sum(f.reserved or 0 for f in self.functions.values())

    def pool(self, fn: _Fn, version: str) -> _Pool:
        p = fn.pools.get(version)
        if p is None:
            p = fn.pools[version] = _Pool(fn, version, fn.versions.get(version), self.rng_for,
                                          self.newest_created_first)
        return p

    def reset_pools(self, fn: _Fn) -> None:
        """$LATEST changed: its environments are retired, new ones get the new config."""
        p = fn.pools.pop(LATEST, None)
        if p is not None:
            for e, expires in p.idle.entries():
                if expires <= self.now:  # reclaimed before the update
                    self.shutdown(self.environments[e], expires, "keep-alive expired")
                else:
                    self.shutdown(self.environments[e], self.now, "configuration updated")
            for env in p.pc_idle:
                self.shutdown(env, self.now, "configuration updated")
            p.idle.replace([])
            p.pc_idle.clear()

    # -- entry points ----------------------------------------------------------------------
    def new_event(self) -> int:
        return self.events.new()

    def resolve(self, fn: _Fn, qualifier: str | None) -> _Pool:
        version = fn.versions.resolve(qualifier, float(self._route_rng.random()))
        return self.pool(fn, version)

    def invoke_sync(self, name: str, event: Any, qualifier: str | None = None,
                    client_context: Any = None) -> InvokeResult:
        """Synchronous invoke at the current time; the caller waits, so the clock moves to
        the end of the invocation. Raises TooManyRequestsException when throttled."""
        fn = self.function(name)
        text = _encode(event, SYNC_PAYLOAD_LIMIT)
        with self.sandbox:
            self._advance(self.now)
            pool = self.resolve(fn, qualifier)
            ev = self.new_event()
            idx, response = self.start_attempt(pool, ev, 0, self.now, self.now, text, "sync",
                                               qualifier, keep_response=True,
                                               client_context=client_context)
            r = self.records[idx]
            if r.outcome == "throttled":  # the response is the throttle's reason
                raise TooManyRequestsException(response or "ConcurrentInvocationLimitExceeded")
            self._advance(r.end_s)
        ferr = None if r.outcome == "ok" else "Unhandled"
        return InvokeResult(200, response, ferr, pool.version, r.request_id, idx)

    def invoke_async(self, name: str, event: Any, qualifier: str | None = None,
                     source: str = "async", at: float | None = None) -> AsyncAccepted:
        """Queue an asynchronous invoke (202). It runs when the platform runs. ``at`` defaults
        to the clock as the caller sees it (inside a handler: its virtual time)."""
        fn = self.function(name)
        text = _encode(event, ASYNC_PAYLOAD_LIMIT)
        ev = self.new_event()
        t = self.handler_now() if at is None else at
        self.schedule(t, _ASYNC, (fn, qualifier, ev, 0, t, text, source, 0))
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
        with self.sandbox:
            idx, response = self.start_attempt(pool, ev, 0, self.now, self.now, text, source,
                                               qualifier, keep_response=True)
        r = self.records[idx]
        result = SourceResult(idx, r.request_id, r.outcome, response,
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
        with self.sandbox:
            if arrivals is None or target is None or len(arrivals) == 0:
                self._advance(end)
            else:
                self._run_arrivals(end, arrivals, target, events, invocation_type,
                                   progress, source or invocation_type)
        self.sweep()

    # -- the loop --------------------------------------------------------------------------
    def schedule(self, t: float, kind: int, obj: Any) -> None:
        self._seq += 1
        heapq.heappush(self.heap, (t, self._seq, kind, obj))

    def call_at(self, t: float, callback: Callable[[float], None]) -> None:
        """Run ``callback(t)`` when the clock reaches ``t`` (services, pollers, schedules).

        Example:
            >>> e = Engine(seed=0); seen = []
            >>> e.call_at(5.0, seen.append); e.run_until(10.0); seen
            [5.0]
        """
        if not t >= self.now:
            raise InvalidParameterValueException("t", t, f"a time at or after now ({self.now})")
        self.schedule(t, _CALL, callback)

    def handler_now(self) -> float:
        """The platform clock as the running handler sees it (its virtual sleeps included)."""
        cur = self.sandbox.current
        return self.now + (cur.virtual_s if cur is not None else 0.0)

    def scheduled_times(self) -> list[float]:
        """When each piece of work still on the clock is due."""
        return [item[0] for item in self.heap]

    def spend(self, seconds: float) -> bool:
        """Charge ``seconds`` of virtual time to the running handler (a service call's
        latency); False when no handler is running."""
        return self.sandbox.spend(seconds)

    def in_handler(self) -> bool:
        """Is handler code running now (on this engine's sandbox)?"""
        return self.sandbox.current is not None

    def _dispatch(self, kind: int, obj: Any, t: float) -> None:
        if kind == _FREE:
            self._free(obj, t)
        elif kind == _ASYNC:
            deliver_async(self, obj, t)
        else:
            obj(t)

    def _advance(self, end: float) -> None:
        """Process heap events up to and including ``end``; the clock ends at ``end``."""
        heap = self.heap
        while heap and heap[0][0] <= end:
            t, _, kind, obj = heapq.heappop(heap)
            self.now = t
            self._dispatch(kind, obj, t)
        self.now = max(self.now, end)

    def _batchable(self, pool: _Pool) -> bool:
        """May synchronous workload arrivals into ``pool`` go to the compiled kernel? Only
        when it applies the same rules as this loop: nothing else is on the clock, no
        provisioned environments, durations from models (not measured wall time), and a
        keep-alive policy the kernel knows (a fixed idle / lifetime). tests/test_paths.py
        holds the two paths to the same records."""
        return (self.batch_path and not self.heap and not pool.pc_idle and not pool.measured
                and not pool.fn.provisioned
                and type(self.keep_alive).expires_at is KeepAlivePolicy.expires_at)

    def _run_arrivals(self, end: float, arrivals: np.ndarray, target: tuple[_Fn, str | None],
                      events: _EventSource, invocation_type: str, progress: Any,
                      source: str) -> None:
        fn, qualifier = target
        times = arrivals.tolist()
        heap = self.heap
        heappop = heapq.heappop
        start = self.start_attempt
        new_event = self.new_event
        fixed_pool = None if qualifier is not None and fn.versions.aliases.get(qualifier) \
            else self.resolve(fn, qualifier)
        is_sync = invocation_type == "sync"
        first = 0
        if is_sync and fixed_pool is not None and self._batchable(fixed_pool):
            first = run_batch(self, end, times, fixed_pool, events, source, progress)
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
                deliver_async(self, (fn, qualifier, ev, 0, t, events.text(i), source, 0), t)
            if progress is not None and i % tick == 0:
                progress.update(tick)
        self._advance(end)

    def settle_attempt(self, pool: _Pool, env: Environment, row: int, ev: int, *,
                       call: CallOutcome | None = None, duration: float = 0.0,
                       init_error: HandlerInitError | None = None
                       ) -> tuple[str, float, str | None, bool]:
        """Outcome of an attempt that failed, printed or returned a non-trivial value."""
        rid = _LazyId(self.seed, ev)
        if init_error is not None:
            self.records.error_docs[row] = init_error.document()
            return "error", 0.0, init_error.error_type, True
        assert call is not None
        if call.lines:
            self.records.outputs.setdefault(row, []).extend(call.lines)
        o = attempt_outcome(call, duration, pool.timeout_ms, pool.config.timeout_s, rid)
        if o.error_doc is not None:
            self.records.error_docs[row] = o.error_doc
        return o.outcome, o.duration_ms, o.error_type, resets(o)

    # -- invocations -----------------------------------------------------------------------
    def _acquire(self, pool: _Pool, t: float) -> tuple[Environment | None, str | None]:
        """An environment for a request at ``t``: (env, None) or (None, throttle reason).
        The decision is :func:`lambdakit.core.routing.route`'s, as in the compiled kernel."""
        fn = pool.fn
        if fn.reserved is not None:
            busy, lim = fn.busy, fn.reserved
            why = "ReservedFunctionConcurrentInvocationLimitExceeded"
        else:
            busy, lim = self.unreserved_busy, self.account_limit - self.total_reserved()
            why = "ConcurrentInvocationLimitExceeded"
        idle = pool.idle
        decision, e, idle.n, expired, fn.creations_head, fn.creations_n = route(
            t, busy, lim, len(pool.pc_idle), idle.ids, idle.exp, idle.n, idle.newest,
            fn.creations, fn.creations_head, fn.creations_n, SCALING_WINDOW_S,
            SCALING_PER_WINDOW)
        if expired:
            lo, hi = passed_over(idle.n, decision, expired)
            for k in range(lo, hi):
                self.shutdown(self.environments[idle.ids[k]], idle.exp[k], "keep-alive expired")
        if decision == ROUTE_WARM:
            return self.environments[e], None
        if decision == ROUTE_PROVISIONED:
            return pool.pc_idle.pop(), None
        if decision == ROUTE_COLD:
            return self.create_environment(pool, t, provisioned=False), None
        if decision == ROUTE_LIMIT:
            return None, why
        return None, "ConcurrentInvocationLimitExceeded"  # scaling rate: 429 as well [S4]

    def create_environment(self, pool: _Pool, t: float, provisioned: bool) -> Environment:
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

    def init_environment(self, env: Environment) -> HandlerInitError | None:
        """Function init: load the handler into a fresh module (a real cold start).

        Runs in the sandbox like a handler: the module's prints go to the log (kept in
        ``env.init_lines`` until the first attempt's record exists), it sees the environment's
        variables, and init code that never finishes is stopped at the 10 s init limit
        (facts §1.1 [S1])."""
        cfg = env.pool.config
        os.makedirs(env.tmpdir, exist_ok=True)
        loaded: list[Any] = []
        with self.sandbox:
            call = self.sandbox.call(
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

    def start_attempt(self, pool: _Pool, ev: int, attempt: int, arrival: float, t: float,
                      text: str, source: str, qualifier: str | None, keep_response: bool = False,
                      client_context: Any = None, is_async: bool = False) -> tuple[int, Any]:
        """Start one attempt at ``t``; returns its record index (the outcome may be throttled)
        and, with ``keep_response``, the response (a throttle: its reason)."""
        rec = self.records
        group = pool.groups.get(source)
        if group is None:
            group = pool.groups[source] = rec.group(pool.fn.name, pool.version, pool.memory_mb,
                                                    source, pool.max_memory_mb)
        env, reason = self._acquire(pool, t)
        if env is None:
            pool.invoke_stream.next()  # one draw per arrival, as the batch path draws
            idx = rec.append(ev, attempt, group, -1, False, arrival, t, 0.0, 0.0, "throttled",
                             "TooManyRequestsException")
            if not is_async:
                self.events[ev] = "throttled"
            return idx, reason
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
            init_error = self.init_environment(env)
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
                                self.clock)
            if client_context is not None:
                ctx.with_caller(client_context)
            self.now = begin
            call = self.sandbox.call(
                env.handler, _decode(text), ctx,  # type: ignore[arg-type]
                wall_limit_s=min(pool.config.timeout_s, self.wall_limit_s),
                virtual_limit_s=pool.config.timeout_s, environ=env.environ)
            self.now = t  # the handler saw its own start time; the loop is still at t
            duration = pool.invoke_stream.next() + call.virtual_s * 1000.0
            if pool.measured:
                duration += call.wall_s * 1000.0 * pool.cpu_factor
            out_lines = call.lines or None
            o = attempt_outcome(call, duration, pool.timeout_ms, pool.config.timeout_s, rid)
            outcome, duration, error_type, error_doc = o[:4]
            if outcome == "ok":
                response = call.result
                if keep_response and o.body is not None:
                    response = json.loads(o.body)
        idx = rec.append(ev, attempt, group, env.id, cold, arrival, t, init_ms, duration,
                         outcome, error_type if outcome != "ok" else None)
        if cold and env.init_lines:
            shift = -init_ms / 1000.0  # printed during init, before START
            out_lines = [(shift, lvl, txt) for _, lvl, txt in env.init_lines] + (out_lines or [])
            env.init_lines = []
        if out_lines:
            rec.outputs[idx] = out_lines
        if error_doc is not None:
            rec.error_docs[idx] = error_doc
        # an asynchronous attempt's event is settled when it ends (success, retry or failure)
        self.events[ev] = "running" if is_async else outcome
        end = begin + duration / 1000.0
        env.busy_until = end
        reset = outcome == "timeout" or init_error is not None or error_type == "Runtime.ExitError"
        self.schedule(end, _FREE, (env, reset, idx if is_async else -1))
        return idx, (error_doc if outcome != "ok" else response) if keep_response else None

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
                pool.idle.push(env.id, env.expires_at)
        if idx >= 0:
            after_async(self, idx, t)

    # -- provisioned concurrency and housekeeping -------------------------------------------
    def set_provisioned(self, fn: _Fn, version: str, count: int) -> None:
        pool = self.pool(fn, version)
        have = [e for e in self.environments if e.pool is pool and e.provisioned
                and e.state != State.SHUTDOWN]
        with self.sandbox:
            for _ in range(count - len(have)):
                env = self.create_environment(pool, self.now, provisioned=True)
                env.ready_at = self.now + pool.init_stream.next() / 1000.0
                err = self.init_environment(env)
                if err is not None:
                    raise err
                env.move(State.IDLE)
                env.idle_since = env.ready_at
                pool.pc_idle.append(env)
        for env in have[count:] if count < len(have) else []:
            if env in pool.pc_idle:
                pool.pc_idle.remove(env)
                self.shutdown(env, self.now, "provisioned concurrency reduced")
        fn.provisioned[version] = count

    def sweep(self) -> None:
        """Shut down idle environments whose keep-alive ran out by now."""
        for fn in self.functions.values():
            for pool in fn.pools.values():
                keep = []
                for e, expires in pool.idle.entries():
                    if expires <= self.now:
                        self.shutdown(self.environments[e], expires, "keep-alive expired")
                    else:
                        keep.append((e, expires))
                if len(keep) < len(pool.idle):
                    pool.idle.replace(keep)

    def shutdown(self, env: Environment, t: float, reason: str) -> None:
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


