"""An always-on server fleet on lambdakit's virtual clock, and its comparison with Lambda.

A fleet is ``servers`` machines × ``concurrency`` requests each behind one FIFO queue (an
M/G/k queue); service times come from a lambdakit duration model; optional autoscaling adds
servers after a provisioning delay. Every server-hour is billed, busy or not
(``pricing.always_on_cost`` at an hourly price you pass). :func:`compare` sends the *same*
arrivals through a fleet and a :class:`~lambdakit.Platform` function: latency percentiles
(queueing included), cold-start share, utilisation, cost per month. Deterministic for a seed.

Example:
    >>> from lambdakit import Fixed, Poisson
    >>> r = compare(Poisson(2), 600, fleet=Fleet(servers=1, concurrency=4, service=Fixed(100)))
    >>> r.fleet.monthly_cost, r.function.monthly_cost, r.cheaper
    (30.37, 5.68, 'Lambda')
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

from ..function.durations import DurationModel, Fixed
from ..function.quotas import check_number
from ..observers.metrics import concurrency_series
from ..observers.pricing import (
    FREE_TIER_DEFAULT,
    HOURS_PER_MONTH,
    CostEstimate,
    always_on_cost,
    estimate,
    estimate_usage,
)
from ..platform import Platform
from ..workloads import Replay, Workload
from .ec2 import EC2_PRICES

__all__ = ["EXAMPLE_HOURLY_PRICE", "Autoscaling", "Comparison", "Fleet", "FleetRun",
           "FunctionSpec", "Summary", "compare", "cost_curve"]

#: Example price, not a lambdakit fact: EC2 t3.medium (2 vCPU, 4 GiB), Linux, on-demand,
#: us-east-1, from lambdakit's EC2 example price table (lambdakit.models.ec2 cites it). Pass
#: your own ``hourly_price`` for real decisions.
EXAMPLE_HOURLY_PRICE = EC2_PRICES["t3.medium"].usd_per_hour
#: lambdakit assumption (no AWS figure): a new server takes 2 min to launch, boot and start
#: serving. Configurable per fleet through ``Autoscaling.provisioning_delay_s``.
DEFAULT_PROVISIONING_DELAY_S = 120.0
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600.0  # the average month pricing.py uses (730 h)
_DONE, _READY, _TICK = 0, 1, 2
_INT: tuple[type, ...] = (int, np.integer)  # counts (not bools, not 2.0)
_REAL: tuple[type, ...] = (int, float)  # times and prices


@dataclass(frozen=True, slots=True)
class Autoscaling:
    """Target tracking on offered load: every ``interval_s`` the fleet sizes itself so that the
    work that arrived in the last interval plus the work still queued (their service times)
    would keep it ``target_utilisation`` busy for one interval. New servers serve after
    ``provisioning_delay_s`` and are paid for from launch; scale-in drains servers (their
    in-flight requests finish). Both figures are assumptions to vary, not AWS facts."""

    max_servers: int
    min_servers: int = 1
    target_utilisation: float = 0.6
    interval_s: float = 60.0
    provisioning_delay_s: float = DEFAULT_PROVISIONING_DELAY_S

    def __post_init__(self) -> None:
        check_number("Autoscaling.min_servers", self.min_servers, 1, types=_INT)
        check_number("Autoscaling.max_servers", self.max_servers, self.min_servers, types=_INT,
                     rule=f"an integer of at least min_servers ({self.min_servers})")
        check_number("Autoscaling.target_utilisation", self.target_utilisation, 0, 1,
                     positive=True, types=_REAL)
        check_number("Autoscaling.interval_s", self.interval_s, 0, positive=True, unit="s",
                     types=_REAL)
        check_number("Autoscaling.provisioning_delay_s", self.provisioning_delay_s, 0, unit="s",
                     types=_REAL)


@dataclass(frozen=True, slots=True)
class Fleet:
    """``servers`` always-on machines, each serving ``concurrency`` requests at once.

    ``service`` draws each request's service time (ms, at one full vCPU: no memory scaling);
    ``max_queue`` rejects arrivals when that many already wait (``None``: unbounded).

    Example:
        >>> run = Fleet(servers=1, concurrency=1, service=Fixed(1000)).run(
        ...     Replay((0.0, 0.0)), duration_s=10)
        >>> run.latency_ms.tolist(), run.utilisation
        ([1000.0, 2000.0], 0.2)
    """

    servers: int = 2
    concurrency: int = 4
    service: DurationModel = Fixed(100)
    hourly_price: float = EXAMPLE_HOURLY_PRICE
    autoscaling: Autoscaling | None = None
    max_queue: int | None = None

    def __post_init__(self) -> None:
        check_number("Fleet.servers", self.servers, 1, types=_INT)
        check_number("Fleet.concurrency", self.concurrency, 1, types=_INT)
        check_number("Fleet.hourly_price", self.hourly_price, 0, unit="USD per hour",
                     types=_REAL)
        if not isinstance(self.service, DurationModel):
            raise ValueError(f"Fleet.service = {self.service!r} is not allowed: expected a "
                             "lambdakit duration model such as Fixed(100) or LogNormal(100)")
        if self.max_queue is not None:
            check_number("Fleet.max_queue", self.max_queue, 0, types=_INT)
        a = self.autoscaling
        if a is not None:
            check_number("Fleet.servers", self.servers, a.min_servers, a.max_servers,
                         types=_INT, rule=f"with autoscaling, an integer within "
                         f"{a.min_servers}–{a.max_servers} (its min_servers–max_servers)")

    def run(self, workload: Workload, duration_s: float, *, seed: int = 0) -> FleetRun:
        """Serve ``workload``'s arrivals in ``[0, duration_s)``; the queue drains afterwards."""
        duration = _duration(duration_s)
        arrivals = workload.arrival_times(np.random.default_rng([seed, 1]), duration)
        return self.simulate(arrivals, duration, np.random.default_rng([seed, 2]))

    def simulate(self, arrivals: np.ndarray, duration_s: float,
                 rng: np.random.Generator) -> FleetRun:
        """Serve sorted arrival times (s); service times are drawn from ``rng`` in order."""
        times = np.asarray(arrivals, dtype=np.float64)
        if times.size and (np.any(np.diff(times) < 0) or times[0] < 0):
            raise ValueError("arrivals must be sorted seconds >= 0 (use Workload.arrival_times)")
        service_s = self.service.sample(rng, times.size) / 1000.0
        return _simulate(self, times, service_s, _duration(duration_s))


@dataclass(frozen=True, slots=True, eq=False)
class FleetRun:
    """What a fleet did: per-request times (NaN when rejected) and its capacity over time.

    ``times`` / ``online_slots`` / ``billed_slots`` form a step series: slots serving (or
    draining) and slots paid for (launching servers included) from each time on.
    """

    duration_s: float
    concurrency: int
    hourly_price: float
    arrival_s: np.ndarray
    start_s: np.ndarray
    end_s: np.ndarray
    times: np.ndarray
    online_slots: np.ndarray
    billed_slots: np.ndarray

    @property
    def served(self) -> np.ndarray:
        """Boolean mask of requests that were served (not rejected by a full queue)."""
        return ~np.isnan(self.start_s)

    @property
    def rejected(self) -> int:
        return int(np.isnan(self.start_s).sum())

    @property
    def latency_ms(self) -> np.ndarray:
        """Per served request: waiting in the queue plus service, in ms."""
        ok = self.served
        return (self.end_s[ok] - self.arrival_s[ok]) * 1000.0

    def latency_percentile(self, q: float) -> float:
        """The ``q``-th percentile of latency (ms); 0.0 when nothing was served."""
        lat = self.latency_ms
        return float(np.percentile(lat, q)) if lat.size else 0.0

    @property
    def utilisation(self) -> float:
        """Busy share of the online slot-seconds within the window."""
        ok = self.served
        d = self.duration_s
        busy = float(np.sum(np.clip(self.end_s[ok], 0, d) - np.clip(self.start_s[ok], 0, d)))
        online = _integral(self.times, self.online_slots, d)
        return busy / online if online > 0 else 0.0

    @property
    def avg_servers(self) -> float:
        """Servers paid for, averaged over the window (launching and draining ones included)."""
        return _integral(self.times, self.billed_slots, self.duration_s) / (
            self.concurrency * self.duration_s)

    @property
    def monthly_cost(self) -> float:
        """USD per month at the window's average fleet size (``pricing.always_on_cost``)."""
        avg = round(self.avg_servers, 9)
        if avg == int(avg):
            return always_on_cost(instances=int(avg), hourly_price=self.hourly_price)
        return always_on_cost(instances=1, hourly_price=self.hourly_price,
                              hours=avg * HOURS_PER_MONTH)

    def capacity_series(self) -> tuple[np.ndarray, np.ndarray]:
        """Step series of servers online (serving or draining)."""
        return self.times, self.online_slots / self.concurrency

    def busy_series(self) -> tuple[np.ndarray, np.ndarray]:
        """Step series of requests in service."""
        ok = self.served
        return concurrency_series(self.start_s[ok], self.end_s[ok])

    def queue_series(self) -> tuple[np.ndarray, np.ndarray]:
        """Step series of requests waiting in the queue."""
        ok = self.served
        return concurrency_series(self.arrival_s[ok], self.start_s[ok])


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """The Lambda side of :func:`compare`. ``duration=None`` uses the fleet's service model;
    ``init_duration=None`` the runtime's measured cold start [S31]."""

    memory_mb: int = 512
    duration: DurationModel | None = None
    init_duration: DurationModel | None = None
    architecture: str = "x86_64"
    timeout_s: int = 30
    account_concurrency: int = 1000  # AWS default per Region [S3]
    reserved_concurrency: int | None = None
    free_tier: bool = FREE_TIER_DEFAULT


@dataclass(frozen=True, slots=True)
class Summary:
    """One side of a comparison. ``rejected`` = full queue (fleet) or throttled (Lambda)."""

    name: str
    requests: int
    served: int
    rejected: int
    latency_p50_ms: float
    latency_p95_ms: float
    latency_p99_ms: float
    cold_start_share: float
    utilisation: float
    monthly_cost: float


@dataclass(frozen=True, eq=False, repr=False)
class Comparison:
    """The result of :func:`compare`; ``repr`` is a side-by-side table."""

    workload: str
    duration_s: float
    fleet: Summary
    function: Summary
    lambda_bill: CostEstimate  # per month, scaled from the window
    fleet_run: FleetRun
    platform: Platform
    function_name: str = "app"

    @property
    def cheaper(self) -> str:
        """Which side costs less per month: ``"fleet"`` or ``"Lambda"``."""
        return "fleet" if self.fleet.monthly_cost < self.function.monthly_cost else "Lambda"

    def to_dataframe(self) -> pd.DataFrame:
        """One row per side, one column per :class:`Summary` field."""
        import pandas as pd
        rows = [self.fleet, self.function]
        return pd.DataFrame([{f: getattr(r, f) for f in Summary.__slots__} for r in rows])

    def __repr__(self) -> str:
        lines = [f"{self.workload} for {self.duration_s:g} s: {self.fleet.requests:,} requests",
                 f"{'':<22}{self.fleet.name:>18}{self.function.name:>18}"]
        for label, attr, fmt in _ROWS:
            a, b = (fmt.format(getattr(s, attr)) for s in (self.fleet, self.function))
            lines.append(f"{label:<22}{a:>18}{b:>18}")
        return "\n".join(lines)


_ROWS = (("latency p50 (ms)", "latency_p50_ms", "{:,.1f}"),
         ("latency p95 (ms)", "latency_p95_ms", "{:,.1f}"),
         ("latency p99 (ms)", "latency_p99_ms", "{:,.1f}"),
         ("cold starts", "cold_start_share", "{:.2%}"),
         ("rejected or throttled", "rejected", "{:,}"),
         ("utilisation", "utilisation", "{:.1%}"),
         ("cost per month (USD)", "monthly_cost", "{:,.2f}"))


def compare(workload: Workload, duration_s: float, *, fleet: Fleet | None = None,
            function: FunctionSpec | None = None, seed: int = 0) -> Comparison:
    """Run the same arrivals through ``fleet`` and a Lambda ``function``; compare them.

    The Lambda bill scales the window's requests and GB-seconds to a 730-hour month; the
    fleet's cost is its average size over the window for a whole month. The function starts
    with no environments (cold), the fleet with its servers up.
    """
    fleet = Fleet() if fleet is None else fleet
    spec = FunctionSpec() if function is None else function
    duration = _duration(duration_s)
    arrivals = workload.arrival_times(np.random.default_rng([seed, 1]), duration)
    run = fleet.simulate(arrivals, duration, np.random.default_rng([seed, 2]))
    p = Platform(seed=seed, account_concurrency=spec.account_concurrency)
    p.create_function("app", _handler, memory_mb=spec.memory_mb, timeout_s=spec.timeout_s,
                      architecture=spec.architecture,
                      duration=spec.duration or fleet.service, init_duration=spec.init_duration,
                      reserved_concurrency=spec.reserved_concurrency)
    if arrivals.size:
        p.run(Replay(tuple(arrivals.tolist())), function="app", duration_s=duration,
              progress=False)
    else:
        p.advance(duration)
    bill, fn_side = _lambda_side(p, spec, duration, arrivals.size)
    fleet_side = Summary(
        f"fleet {fleet.servers}×{fleet.concurrency}", int(arrivals.size),
        int(run.served.sum()), run.rejected, run.latency_percentile(50),
        run.latency_percentile(95), run.latency_percentile(99), 0.0, run.utilisation,
        run.monthly_cost)
    return Comparison(workload.describe(), duration, fleet_side, fn_side, bill, run, p)


def cost_curve(*, avg_duration_ms: float, memory_mb: int, monthly_fixed_cost: float,
               max_requests: int, points: int = 41, architecture: str = "x86_64",
               free_tier: bool = FREE_TIER_DEFAULT) -> pd.DataFrame:
    """Monthly cost of Lambda and of a fixed-price fleet for request counts 0..max_requests.

    Example:
        >>> c = cost_curve(avg_duration_ms=100, memory_mb=512, monthly_fixed_cost=60.74,
        ...                max_requests=100_000_000, points=3)
        >>> c.values.tolist()
        [[0.0, 0.0, 60.74], [50000000.0, 51.67, 60.74], [100000000.0, 103.33, 60.74]]
    """
    import pandas as pd
    check_number("max_requests", max_requests, 1, types=_INT)
    check_number("points", points, 2, types=_INT)
    grid = np.unique(np.linspace(0, max_requests, points).round().astype(np.int64))
    lam = [estimate(requests=int(n), avg_duration_ms=avg_duration_ms, memory_mb=memory_mb,
                    architecture=architecture, free_tier=free_tier).total for n in grid]
    return pd.DataFrame({"requests": grid, "lambda_usd": lam,
                         "fleet_usd": float(monthly_fixed_cost)})


# --- helpers -------------------------------------------------------------------------------


def _handler(event: Any, context: Any) -> None:
    """The comparison's handler: its time comes from the duration model, not from Python."""
    return None


def _lambda_side(p: Platform, spec: FunctionSpec, duration: float,
                 requests: int) -> tuple[CostEstimate, Summary]:
    rec = p.records("app")
    ran = rec.column("outcome") != "throttled"
    lat = (rec.column("end_s")[ran] - rec.column("arrival_s")[ran]) * 1000.0
    pct = np.percentile(lat, [50, 95, 99]) if lat.size else np.zeros(3)
    m = p.metrics("app")
    scale = SECONDS_PER_MONTH / duration
    gb_s = float(rec.column("billed_ms")[ran].sum()) / 1000.0 * spec.memory_mb / 1024.0
    bill = estimate_usage(requests=round(int(ran.sum()) * scale), gb_seconds=gb_s * scale,
                          architecture=spec.architecture, free_tier=spec.free_tier)
    util = m.avg_busy_environments / m.avg_environments if m.avg_environments else 0.0
    side = Summary("Lambda", requests, int(ran.sum()), int((~ran).sum()), float(pct[0]),
                   float(pct[1]), float(pct[2]), m.cold_start_rate, util, bill.total)
    return bill, side


def _simulate(fleet: Fleet, arrivals: np.ndarray, service_s: np.ndarray,
              duration: float) -> FleetRun:
    """Event loop: sorted arrivals merged with a heap of completions (_DONE), servers ready
    (_READY) and autoscaling ticks (_TICK). At a tie the heap goes first: a slot frees, then
    the arrival takes it. ``retire`` counts busy slots to drop when they finish (scale-in)."""
    n, c, auto = arrivals.size, fleet.concurrency, fleet.autoscaling
    start, end = np.full(n, np.nan), np.full(n, np.nan)
    arr, svc = arrivals.tolist(), service_s.tolist()
    slots = free = fleet.servers * c
    pending = retire = seq = i = 0
    work = mark_work = mark_t = queued = 0.0  # service seconds: arrived, still waiting
    queue: deque[int] = deque()
    heap: list[tuple[float, int, int]] = []
    steps: list[tuple[float, int, int]] = [(0.0, slots, slots)]
    if auto is not None and auto.interval_s < duration:
        heap.append((auto.interval_s, 0, _TICK))

    def push(t: float, kind: int) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(heap, (t, seq, kind))

    def begin(j: int, t: float) -> None:
        start[j], end[j] = t, t + svc[j]
        push(t + svc[j], _DONE)

    def dequeue(t: float) -> None:
        nonlocal queued
        j = queue.popleft()
        queued -= svc[j]
        begin(j, t)

    while i < n or heap:
        if not heap or (i < n and arr[i] < heap[0][0]):
            t = arr[i]
            work += svc[i]
            if free:
                free -= 1
                begin(i, t)
            elif fleet.max_queue is None or len(queue) < fleet.max_queue:
                queue.append(i)
                queued += svc[i]
            i += 1
            continue
        t, _, kind = heapq.heappop(heap)
        if kind == _DONE:
            if retire:
                retire, slots = retire - 1, slots - 1
            elif queue:
                dequeue(t)
                continue
            else:
                free += 1
                continue
        elif kind == _READY:
            pending, slots, free = pending - 1, slots + c, free + c
            while free and queue:
                free -= 1
                dequeue(t)
        else:
            assert auto is not None
            # servers needed for the work arrived since the last tick plus the backlog
            need = (work - mark_work + max(queued, 0.0)) / (
                (t - mark_t) * c * auto.target_utilisation)
            mark_work, mark_t = work, t
            want = min(max(math.ceil(round(need, 9)), auto.min_servers), auto.max_servers)
            committed = (slots - retire) // c
            if t + auto.interval_s < duration:
                push(t + auto.interval_s, _TICK)
            if want > committed + pending:
                for _ in range(want - committed - pending):
                    push(t + auto.provisioning_delay_s, _READY)
                pending = want - committed
            elif want < committed and not pending:
                drop = (committed - want) * c
                idle = min(free, drop)
                free, slots, retire = free - idle, slots - idle, retire + drop - idle
            else:
                continue
        steps.append((t, slots, slots + pending * c))
    times, online, billed = (np.array(col) for col in zip(*steps, strict=True))
    return FleetRun(duration, c, fleet.hourly_price, arrivals, start, end, times,
                    online.astype(np.int64), billed.astype(np.int64))


def _integral(times: np.ndarray, values: np.ndarray, end: float) -> float:
    """Integral over [0, end] of a step series (value from each time on)."""
    t = np.minimum(times, end)
    return float(np.sum(values * np.diff(np.append(t, end))))


def _duration(duration_s: float) -> float:
    return check_number("duration_s", duration_s, 0, positive=True, unit="s", types=_REAL)
