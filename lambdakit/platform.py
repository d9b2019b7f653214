"""``Platform`` — the one object a learner, a teacher or a test talks to.

It owns an account (region, concurrency limit), its functions, a virtual clock and the records
everything else is derived from. The simulated engine is the default: the clock starts at 0 and
moves only when the platform runs; handlers really run.

Its methods are the whole interface services, mappings, clients, observers and widgets use
(none of them touches the engine behind it, :mod:`lambdakit.engines`):

- clock: ``now``, ``epoch_s``, ``advance``, ``caller_now``, ``call_at``, ``spend``,
  ``in_handler``, ``caller``;
- functions: ``create_function``, ``update_function``, ``publish_version``, aliases,
  ``get_function``, ``function_versions``, ``function_arn``, ``functions``;
- services: ``register_service``, ``service``, ``services``;
- invoking: ``invoke``, ``invoke_async``, ``invoke_for_source``, ``run``;
- observing (the records and the event table): ``records``, ``record``, ``record_columns``,
  ``record_count``, ``event_count``, ``event_status``, ``event_outcomes``, ``request_id``,
  ``output_lines``, ``error_document``, ``dead_letters``, ``environments``, ``environment``,
  ``logs``, ``metrics``, ``cost``.

Example:
    >>> from lambdakit import Platform, Poisson, Fixed
    >>> p = Platform(seed=3)
    >>> _ = p.create_function("api", lambda e, c: {"statusCode": 200}, duration=Fixed(50))
    >>> p.invoke("api", {}).payload
    {'statusCode': 200}
    >>> run = p.run(Poisson(20), function="api", duration_s=60, progress=False)
    >>> len(run) > 1000, p.metrics("api").throttles
    (True, 0)
"""

from __future__ import annotations

import base64
import os
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np

from .core.engine import AsyncAccepted, Environment, InvokeResult, SourceResult
from .core.ids import request_id
from .core.keepalive import DEFAULT_KEEP_ALIVE, KeepAlivePolicy
from .engines import DEFAULT_ENGINE, EngineSettings, check_engine, load_engine
from .errors import InvalidParameterValueException, ResourceConflictException
from .function.config import AsyncConfig, FunctionConfig
from .function.durations import DurationModel
from .function.naming import parse_function_ref
from .function.versions import LATEST, FunctionVersions
from .observers.logs import LogView, function_logs, report_for
from .observers.metrics import Metrics, compute_metrics
from .observers.pricing import (
    FREE_TIER_DEFAULT,
    CostEstimate,
    CostLine,
    estimate_usage,
    usage_by_architecture,
)
from .observers.records import Record, RecordTable
from .observers.views import EnvironmentView
from .workloads import Workload

PROGRESS_THRESHOLD = 200_000  # arrivals; longer runs show a progress bar unless turned off


class Platform:
    """A simulated AWS account in one region, on a virtual clock.

    Args:
        seed: everything random (durations, arrivals, alias routing, ids) derives from it.
        account_concurrency: the Region's concurrency quota (AWS default 1,000 [S3]).
        keep_alive: when idle environments are reclaimed (default: 10 min idle, 4 h lifetime).
        routing: ``"most-recently-idle"`` (default) or ``"newest-created"`` (SimFaaS's rule).
        wall_limit_s: the most real time one handler call may take before lambdakit stops it
            and records a timeout (also bounded by the function's own timeout).
        engine: which engine runs the functions: ``"simulated"`` (default) or a name
            registered in :mod:`lambdakit.engines`.
    """

    def __init__(self, seed: int = 0, *, account_concurrency: int = 1000,
                 keep_alive: KeepAlivePolicy = DEFAULT_KEEP_ALIVE, region: str = "us-east-1",
                 account_id: str = "123456789012", routing: str = "most-recently-idle",
                 wall_limit_s: float = 10.0, engine: str = DEFAULT_ENGINE) -> None:
        self.seed = seed
        settings = EngineSettings(seed, account_concurrency, keep_alive, region, account_id,
                                  routing, wall_limit_s, owner=self)
        self._engine = check_engine(load_engine(engine)(settings), engine)
        self.engine_name = engine
        self._services: dict[tuple[str, str], Any] = {}  # (kind, name) -> in-memory service
        self._arrival_rng = np.random.default_rng([seed, 11])

    # -- clock -------------------------------------------------------------------------------
    @property
    def now(self) -> float:
        """Virtual seconds since the platform was created."""
        return self._engine.now

    @property
    def epoch_s(self) -> float:
        """Wall-clock time (Unix seconds) of virtual t=0: 2026-01-01T00:00:00Z."""
        return self._engine.epoch_s

    def caller_now(self) -> float:
        """The clock as the caller sees it: inside a handler, the handler's own virtual time
        (its start plus the time its service calls took); elsewhere :attr:`now`."""
        return self._engine.handler_now()

    def call_at(self, t: float, callback: Callable[[float], None]) -> None:
        """Run ``callback(t)`` when the clock reaches ``t`` (≥ now): how services and mappings
        schedule their own work (a poll, a retry, a schedule's next firing)."""
        self._engine.call_at(t, callback)

    def spend(self, seconds: float) -> bool:
        """Charge ``seconds`` of virtual time to the running handler (a service call's
        latency). False when no handler is running (the caller is outside the platform)."""
        return self._engine.spend(seconds)

    def in_handler(self) -> bool:
        """Is one of this platform's handlers running now?"""
        return self._engine.in_handler()

    def caller(self) -> tuple[str, str] | None:
        """(function, version) of the handler running now, or None outside a handler."""
        if not self._engine.in_handler():
            return None
        name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        if not name or name not in self._engine.functions:
            return None
        return name, os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", LATEST)

    def advance(self, seconds: float) -> None:
        """Let virtual time pass (queued work runs, idle environments may expire)."""
        if not seconds >= 0:
            raise InvalidParameterValueException("seconds", seconds, "0 or more seconds")
        self._engine.run_until(self.now + seconds)

    # -- functions ---------------------------------------------------------------------------
    def create_function(self, name: str, handler: str | Callable[..., Any], memory_mb: int = 128,
                        timeout_s: int = 3, *, runtime: str = "python3.12",
                        architecture: str = "x86_64",
                        environment: dict[str, str] | None = None,
                        ephemeral_storage_mb: int = 512,
                        reserved_concurrency: int | None = None,
                        duration: DurationModel | None = None,
                        init_duration: DurationModel | None = None,
                        code_dir: str | None = None, source: str | None = None,
                        maximum_retry_attempts: int = 2, maximum_event_age_s: int = 21_600,
                        on_success: Any = None, on_failure: Any = None,
                        dead_letter: Any = None, description: str = "",
                        role: Any = None) -> FunctionConfig:
        """Create a function (``$LATEST``). ``handler`` is ``"module.function"`` (found in
        ``code_dir`` or given inline as ``source``) or a callable ``handler(event, context)``.
        ``duration`` / ``init_duration`` are duration models (defaults: a hello-world handler
        and the runtime's measured cold start). Invalid values raise
        :class:`~lambdakit.errors.InvalidParameterValueException` naming field, value and range.
        """
        config = FunctionConfig(
            name=name, handler=handler, runtime=runtime, memory_mb=memory_mb,
            timeout_s=timeout_s, architecture=architecture, environment=environment or {},
            ephemeral_storage_mb=ephemeral_storage_mb, reserved_concurrency=reserved_concurrency,
            description=description, code_dir=code_dir, source=source, role=role,
            duration_model=duration, init_model=init_duration,
            async_config=AsyncConfig(maximum_retry_attempts=maximum_retry_attempts,
                                     maximum_event_age_s=maximum_event_age_s,
                                     on_success=on_success, on_failure=on_failure,
                                     dead_letter=dead_letter))
        self._engine.add_function(config)
        return config

    def update_function(self, name: str, **changes: Any) -> FunctionConfig:
        """Change ``$LATEST`` (memory, timeout, handler, duration models, ...). Its warm
        environments are retired: the next request cold-starts with the new configuration."""
        fn = self._engine.function(name)
        renamed = {"duration": "duration_model", "init_duration": "init_model"}
        changes = {renamed.get(k, k): v for k, v in changes.items()}
        if "reserved_concurrency" in changes:
            self._engine.check_reserved(name, changes["reserved_concurrency"])
        config = fn.versions.update(**changes)
        self._engine.reset_pools(fn)
        return config

    def put_reserved_concurrency(self, name: str, reserved: int | None) -> None:
        """Reserve concurrency for a function (``None`` removes the reservation)."""
        self.update_function(name, reserved_concurrency=reserved)

    def publish_version(self, name: str, description: str = "") -> str:
        """Publish ``$LATEST`` as an immutable numbered version; returns its number."""
        return self._engine.function(name).versions.publish(description)

    def create_alias(self, name: str, alias: str, version: str,
                     weights: dict[str, float] | None = None) -> None:
        """Point ``alias`` at ``version``; ``weights`` sends a share to a second version."""
        self._engine.function(name).versions.create_alias(
            alias, version, additional_version_weights=weights)

    def update_alias(self, name: str, alias: str, version: str | None = None,
                     weights: dict[str, float] | None = None) -> None:
        self._engine.function(name).versions.update_alias(
            alias, version=version, additional_version_weights=weights)

    def put_function_event_invoke_config(self, name: str, qualifier: str | None = None, *,
                                         maximum_retry_attempts: int = 2,
                                         maximum_event_age_s: int = 21_600,
                                         on_success: Any = None,
                                         on_failure: Any = None) -> AsyncConfig:
        """Set how asynchronous events sent to ``$LATEST``, a version or an alias retry and
        where their outcomes go (``PutFunctionEventInvokeConfig``: it replaces the whole
        configuration of that qualifier; facts §3.2 [S12]). The DLQ stays function-level.

        >>> p = Platform()
        >>> _ = p.create_function("f", lambda e, c: 1 / 0); v1 = p.publish_version("f")
        >>> _ = p.put_function_event_invoke_config("f", v1, maximum_retry_attempts=0)
        >>> _ = p.invoke_async("f:1"); _ = p.invoke_async("f"); _ = p.run()
        >>> sorted(r.version for r in p.records("f"))
        ['$LATEST', '$LATEST', '$LATEST', '1']
        """
        name, qualifier = _split(name, qualifier)
        config = AsyncConfig(maximum_retry_attempts=maximum_retry_attempts,
                             maximum_event_age_s=maximum_event_age_s,
                             on_success=on_success, on_failure=on_failure)
        self._engine.function(name).versions.put_event_invoke_config(qualifier, config)
        return config

    def put_provisioned_concurrency(self, name: str, qualifier: str, count: int) -> None:
        """Keep ``count`` pre-initialised environments for a version or alias (not
        ``$LATEST``, facts §2 [S41]). Requests use them first, without a cold start."""
        fn = self._engine.function(name)
        if qualifier in (None, LATEST):
            raise InvalidParameterValueException(
                "qualifier", qualifier, "a published version or an alias, not $LATEST")
        if not isinstance(count, int) or count < 0:
            raise InvalidParameterValueException("count", count, "0 or more environments")
        if qualifier in fn.versions.aliases:
            version = fn.versions.aliases[qualifier].version
        else:
            fn.versions.get(qualifier)  # 404 for an unknown version
            version = qualifier
        self._engine.set_provisioned(fn, version, count)

    def get_function(self, name: str, qualifier: str | None = None) -> FunctionConfig:
        """The configuration of ``$LATEST``, a version or an alias's version (404 when there
        is no such function or qualifier; ``name`` may be any accepted form)."""
        name, qualifier = _split(name, qualifier)
        versions = self._engine.function(name).versions
        if qualifier in versions.aliases:
            qualifier = versions.aliases[qualifier].version
        return versions.get(qualifier or LATEST)

    def function_versions(self, name: str) -> FunctionVersions:
        """The function's versions and aliases (404 for an unknown function)."""
        return self._engine.function(name).versions

    def function_arn(self, name: str, qualifier: str | None = None) -> str:
        """The function's ARN (qualified when ``qualifier`` is given), also for a name that
        does not exist (an error message or an IAM check still needs it)."""
        fn = self._engine.functions.get(name)
        if fn is not None:
            return fn.versions.arn(qualifier)
        return (f"arn:aws:lambda:{self.region}:{self.account_id}:function:{name}"
                + (f":{qualifier}" if qualifier else ""))

    def functions(self) -> list[str]:
        return list(self._engine.functions)

    # -- services ----------------------------------------------------------------------------
    def register_service(self, service: Any) -> None:
        """Add an in-memory service (a bucket, a queue...) under ``(service.kind,
        service.name)``; clients find it there. A second one of that name is a 409."""
        key = (service.kind, service.name)
        if key in self._services:
            raise ResourceConflictException(
                f"{service.kind} resource already exists: {service.name}")
        self._services[key] = service

    def service(self, kind: str, name: str) -> Any | None:
        """The service of that kind and name, or None."""
        return self._services.get((kind, name))

    def services(self, kind: str | None = None) -> list[Any]:
        """Every registered service (of one kind)."""
        return [s for (k, _), s in self._services.items() if kind is None or k == kind]

    # -- invoking ----------------------------------------------------------------------------
    def invoke(self, name: str, event: Any = None, *, qualifier: str | None = None,
               log_type: str | None = None, client_context: Any = None) -> InvokeResult:
        """Synchronous invoke (``RequestResponse``). The clock moves to the end of the call.
        ``name`` may carry a qualifier (``"f:live"``). Raises
        :class:`~lambdakit.errors.TooManyRequestsException` (429) when throttled.
        ``log_type="Tail"`` returns the last 4 KB of the log, base64 (facts §3.1)."""
        name, qualifier = _split(name, qualifier)
        res = self._engine.invoke_sync(name, {} if event is None else event, qualifier,
                                       client_context)
        if log_type == "Tail":
            text = "\n".join(self.logs(name).filter(request_id=res.request_id).lines()) + "\n"
            tail = text.encode()[-4096:]
            return InvokeResult(res.status_code, res.payload, res.function_error,
                                res.executed_version, res.request_id, res.record_index,
                                base64.b64encode(tail).decode())
        return res

    def invoke_async(self, name: str, event: Any = None, *, qualifier: str | None = None,
                     source: str = "async", at: float | None = None) -> AsyncAccepted:
        """Asynchronous invoke (``Event``): 202 at once; the event waits in the function's
        queue and runs when the platform runs (``advance``, ``run`` or the next ``invoke``).
        A service sending its own events names itself as ``source`` (``"s3"``, ``"sns"``...);
        ``at`` is when the event is sent (default: :meth:`caller_now`)."""
        name, qualifier = _split(name, qualifier)
        return self._engine.invoke_async(name, {} if event is None else event, qualifier,
                                         source=source, at=at)

    def invoke_for_source(self, name: str, event: Any, source: str,
                          on_done: Callable[[SourceResult], None], *,
                          qualifier: str | None = None) -> SourceResult:
        """A synchronous invoke made by a poller (an event-source mapping), now. Returns the
        attempt's result at once; ``on_done(result)`` runs when the attempt ends on the clock
        (at once when it was throttled: ``result.throttled``)."""
        name, qualifier = _split(name, qualifier)
        return self._engine.invoke_for_source(name, event, source, on_done, qualifier)

    def run(self, workload: Workload | None = None, *, function: str | None = None,
            duration_s: float | None = None, event: Any = None, invocation_type: str = "sync",
            qualifier: str | None = None, progress: bool | None = None) -> RecordTable:
        """Drive ``workload`` into ``function`` for ``duration_s`` virtual seconds, starting now.

        ``event`` is the payload of every request, or a callable ``event(i)`` building the i-th.
        ``invocation_type`` is ``"sync"`` (throttles are 429s) or ``"async"`` (queued, retried).
        Without a workload, runs queued work for ``duration_s`` (or until none is left).
        Returns the attempts that started during the run. Long runs show a tqdm progress bar;
        ``progress=False`` turns it off.
        """
        eng = self._engine
        first = len(eng.records)
        t0 = self.now
        if invocation_type not in ("sync", "async"):
            raise InvalidParameterValueException(
                "invocation_type", invocation_type, "'sync' or 'async'")
        if workload is None:
            if duration_s is not None:
                eng.run_until(t0 + duration_s)
            else:
                self._drain()
            return self._since(first)
        if function is None:
            raise InvalidParameterValueException("function", None, "the name of a function")
        name, qualifier = _split(function, qualifier)
        fn = eng.function(name)
        span = duration_s if duration_s is not None else workload.natural_duration_s
        if span is None or not span > 0:  # type: ignore[operator]
            raise InvalidParameterValueException(
                "duration_s", duration_s, "a positive number of virtual seconds")
        arrivals = workload.arrival_times(self._arrival_rng, float(span)) + t0
        bar = None
        if progress or (progress is None and len(arrivals) >= PROGRESS_THRESHOLD):
            from tqdm import tqdm

            bar = tqdm(total=len(arrivals), desc=workload.describe(), unit="req")
        try:
            eng.run_until(t0 + span, arrivals, (fn, qualifier), event, invocation_type, bar)
        finally:
            if bar is not None:
                bar.update((bar.total or 0) - bar.n)
                bar.close()
        return self._since(first)

    def _drain(self) -> None:
        """Run until no event is still pending or waiting for a retry (retries schedule new
        work, so this advances in rounds; recurring schedules do not keep it going)."""
        eng = self._engine
        while True:
            eng.run_until(max(eng.scheduled_times(), default=self.now))
            if not eng.events.any_open():
                return

    def _since(self, first: int) -> RecordTable:
        mask = np.zeros(len(self._engine.records), dtype=bool)
        mask[first:] = True
        return RecordTable(self._engine.records, mask)

    # -- observing ---------------------------------------------------------------------------
    def records(self, function: str | None = None, *, since: int = 0) -> RecordTable:
        """One row per invocation attempt (``.to_dataframe()`` for pandas), of one function
        and from record index ``since`` on when given."""
        store = self._engine.records
        if function is None and since == 0:
            return RecordTable(store, None)
        mask = np.ones(len(store), dtype=bool)
        if function is not None:
            self._engine.function(function)
            mask &= store.arrays()["function"] == function
        mask[:since] = False
        return RecordTable(store, mask)

    def record(self, index: int) -> Record:
        """One attempt by its record index (``InvokeResult.record_index``...)."""
        return self._engine.records[index]

    def record_columns(self) -> dict[str, np.ndarray]:
        """Every record as NumPy columns (no copy): what metrics and cost are computed from."""
        return self._engine.records.arrays()

    def record_count(self) -> int:
        return len(self._engine.records)

    def event_count(self) -> int:
        """How many events (requests, async events, batches) the platform has accepted."""
        return len(self._engine.events)

    def request_id(self, event: int) -> str:
        """The request id of an event (every attempt of the event shares it)."""
        return request_id(self.seed, event)

    def event_status(self, event: int) -> str:
        """How one event stands: pending, running, retrying, ok, error, timeout, throttled,
        dead-lettered or expired (``event`` is the number an accepted invoke carries)."""
        return self._engine.events[event]

    def output_lines(self, index: int) -> list[tuple[float, str | None, str]]:
        """What one attempt's handler wrote: (seconds into the attempt, level, text)."""
        return list(self._engine.records.outputs.get(index, ()))

    def error_document(self, index: int) -> dict[str, Any] | None:
        """The error document a failed attempt returned (``errorType``, ``errorMessage``...)."""
        return self._engine.records.error_docs.get(index)

    def environment(self, env_id: int) -> EnvironmentView:
        """One execution environment by id (a record's ``env``)."""
        eng = self._engine
        env = eng.environments[env_id]
        served = int(np.count_nonzero(eng.records.arrays()["env"] == env_id))
        return _view(env, self.now, served)

    def logs(self, name: str, *, request_id: str | None = None) -> LogView:
        """The function's log group: START / END / REPORT lines and the handler's output."""
        view = function_logs(self, name)
        return view.filter(request_id=request_id) if request_id else view

    def metrics(self, name: str | None = None, *, start_s: float = 0.0,
                end_s: float | None = None) -> Metrics:
        """Invocations, errors, throttles, duration percentiles, concurrency, environments."""
        return compute_metrics(self, name, start_s=start_s, end_s=end_s)

    def environments(self, name: str | None = None, *,
                     sweep: bool = True) -> list[EnvironmentView]:
        """A snapshot of every execution environment (the environment board's rows).
        Environments whose keep-alive ran out are shut down first unless ``sweep=False``."""
        eng = self._engine
        if sweep:
            eng.sweep()
        env_col = eng.records.arrays()["env"]
        served = np.bincount(env_col[env_col >= 0], minlength=len(eng.environments))
        return [_view(e, self.now, int(served[e.id])) for e in eng.environments
                if name is None or e.pool.fn.name == name]

    def event_outcomes(self) -> Counter[str]:
        """How every event ended: ok, error, timeout, throttled, dead-lettered, expired, or
        still pending / running / retrying."""
        return self._engine.events.counts()

    @property
    def dead_letters(self) -> list[dict[str, Any]]:
        """Invocation records of asynchronous events that failed for good."""
        return list(self._engine.events.failures)

    def cost(self, name: str | None = None, *, free_tier: bool = FREE_TIER_DEFAULT) -> CostEstimate:
        """Price the records as AWS bills them: requests, on-demand GB-seconds, ephemeral
        storage above 512 MB, and provisioned concurrency (configured GB-seconds from enable
        to now, rounded up to 5 minutes per environment, plus the invocations it served at the
        PC duration rate), per architecture (facts §5 [S16])."""
        usage = usage_by_architecture(self, name)
        bills = [estimate_usage(architecture=arch, free_tier=free_tier, **u)
                 for arch, u in sorted(usage.items())]
        if len(bills) == 1:
            return bills[0]
        return CostEstimate(
            tuple(CostLine(f"{line.name} ({arch})", line.quantity, line.unit, line.unit_price,
                           line.amount)
                  for arch, bill in zip(sorted(usage), bills, strict=True) for line in bill.lines),
            round(sum(b.total for b in bills), 2),
            tuple(n for b in bills for n in b.notes))

    def report_line(self, record_index: int) -> str:
        """The REPORT line of one attempt (as the log shows it)."""
        return report_for(self._engine.records[record_index])

    @property
    def account_concurrency(self) -> int:
        """The Region's concurrency quota of this simulated account."""
        return self._engine.account_limit

    @property
    def region(self) -> str:
        return self._engine.region

    @property
    def account_id(self) -> str:
        return self._engine.account_id

    def close(self) -> None:
        """Remove the environments' temporary directories."""
        self._engine.close()

    def __repr__(self) -> str:
        return (f"<Platform seed={self.seed} t={self.now:g}s functions={self.functions()} "
                f"attempts={len(self._engine.records)}>")


def _view(env: Environment, now: float, invocations: int) -> EnvironmentView:
    """The read-only snapshot of one environment as of ``now``."""
    return EnvironmentView(
        id=env.id, function=env.pool.fn.name, version=env.pool.version,
        state=env.state_at(now).name, created_at=env.created_at, ready_at=env.ready_at,
        shutdown_at=None if env.shutdown_at == float("inf") else env.shutdown_at,
        shutdown_reason=env.shutdown_reason, invocations=invocations,
        provisioned=env.provisioned, log_stream=env.info.log_stream_name if env.info else "",
        busy_until=env.busy_until, config=env.pool.config)


def _split(name: str, qualifier: str | None) -> tuple[str, str | None]:
    """Any accepted ``FunctionName`` form (:mod:`lambdakit.function.naming`) → (name,
    qualifier)."""
    ref = parse_function_ref(name, qualifier)
    return ref.name, ref.qualifier
