"""A small multi-tier web service on a simulated clock: capacity, queueing and fail-over.

Requests flow client → API gateway → front proxy → application servers → cache, and on a
cache miss on to the database. Every tier is a pool of identical servers; a server runs up to
``concurrency`` requests at once and queues the rest (first in, first out). A round-robin
balancer in front of each tier spreads requests over the servers it believes are healthy.

``kill(server, at_s)`` stops a server for good. Requests *in service* on it fail; requests
*queued* on it are retried at once on another server of the tier (the balancer sees the
connection drop). New requests still sent to the dead server fail until health checks take it
out of rotation ``detection_delay_s`` later (never, without health checks). A tier whose last
server dies is a single point of failure. ``add_servers(n, at_s)`` scales a tier out.

Simplifications: servers are non-blocking (a slot is busy only for the server's own work, not
while it waits on the next tier); each hop has a fixed one-way network delay, paid again on
the way back; killed servers never return; the client gives up after ``timeout_s``. All
figures here are illustrative defaults chosen for the course, not AWS figures. Runs are
deterministic for a seed, and runs with one seed share arrivals and service times, so
scenarios compare like for like.

Example:
    >>> from lambdakit import Poisson
    >>> model = ServiceModel(seed=1).kill("app-2", at_s=5.0)
    >>> run = model.run(Poisson(300), duration_s=20.0)
    >>> run.summary()["errors"] > 0, run.p99_ms < 200
    (True, True)
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

from ..function.durations import DurationModel, Exponential, Fixed, LogNormal
from ..function.quotas import check_number
from ..workloads import Workload

__all__ = ["ERROR_KINDS", "ServiceModel", "ServiceRun", "Tier", "default_tiers"]

_OK, _TIMEOUT, _KILLED, _DOWN, _NO_SERVER, _RETRIED = range(6)
_OUTCOMES = np.array(["ok", "timeout", "error", "error", "error"])
#: Why a request failed, indexed like the internal outcome codes (``""``: it did not fail).
ERROR_KINDS: tuple[str, ...] = ("", "", "killed in flight", "server down", "no healthy server")
_INF = math.inf
_SCHEDULE = ["tier", "server", "concurrency", "ready_s", "killed_s", "out_s"]


@dataclass(frozen=True)
class Tier:
    """One tier: ``servers`` × ``concurrency`` slots, a service-time model, a network hop.

    ``network_ms`` is the one-way delay from the previous tier (or the client) to this one.
    A tier with ``on_cache_miss=True`` is visited only by requests that missed the cache.

    >>> Tier("app", servers=3, concurrency=8, service=Exponential(20.0)).slots
    24
    """

    name: str
    servers: int
    concurrency: int
    service: DurationModel
    network_ms: float = 0.5
    on_cache_miss: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name or "-" in self.name:
            raise ValueError(f"Tier.name = {self.name!r} is not allowed: expected a word "
                             "without '-' (servers are named <tier>-1, <tier>-2, …)")
        _whole(f"Tier({self.name!r}).servers", self.servers, 1)
        _whole(f"Tier({self.name!r}).concurrency", self.concurrency, 1)
        _real(f"Tier({self.name!r}).network_ms", self.network_ms, "ms")
        if not isinstance(self.service, DurationModel):
            raise ValueError(f"Tier({self.name!r}).service = {self.service!r} is not allowed: "
                             "expected a duration model such as Exponential(20.0)")

    @property
    def slots(self) -> int:
        """Requests the tier serves at once at its initial size."""
        return self.servers * self.concurrency


def default_tiers() -> tuple[Tier, ...]:
    """The course's example service; its one database server is a single point of failure.

    Illustrative figures (lambdakit's choice, not measurements): 20 ms each way between the
    client and the gateway, 0.5 ms hops inside the data centre, 20 ms mean application work.

    >>> [(t.name, t.servers) for t in default_tiers()]
    [('gateway', 2), ('proxy', 2), ('app', 3), ('cache', 2), ('db', 1)]
    """
    return (
        Tier("gateway", 2, 1000, Fixed(1.0), network_ms=20.0),
        Tier("proxy", 2, 256, LogNormal(0.5, 0.3)),
        Tier("app", 3, 8, Exponential(20.0)),
        Tier("cache", 2, 64, LogNormal(0.5, 0.3)),
        Tier("db", 1, 16, LogNormal(8.0, 0.5), on_cache_miss=True),
    )


class ServiceModel:
    """The multi-tier service plus its schedule of scale-outs and failures; ``run`` simulates it.

    Scheduling methods return the model, so calls chain.

    >>> [s for s in ServiceModel().add_servers(2, at_s=30.0).servers() if s.startswith("app")]
    ['app-1', 'app-2', 'app-3', 'app-4', 'app-5']
    """

    def __init__(
        self, tiers: Sequence[Tier] | None = None, *, seed: int = 0,
        cache_hit_ratio: float = 0.8, health_checks: bool = True,
        detection_delay_s: float = 10.0, timeout_s: float = 10.0,
    ) -> None:
        self.tiers = tuple(default_tiers() if tiers is None else tiers)
        names = [t.name for t in self.tiers]
        if not names or len(set(names)) != len(names):
            raise ValueError(f"ServiceModel.tiers = {names}: expected tiers with distinct names")
        _real("ServiceModel.cache_hit_ratio", cache_hit_ratio, "", upper=1.0)
        _real("ServiceModel.detection_delay_s", detection_delay_s, "s")
        _real("ServiceModel.timeout_s", timeout_s, "s", positive=True)
        self.seed = seed
        self.cache_hit_ratio = float(cache_hit_ratio)
        self.health_checks = bool(health_checks)
        self.detection_delay_s = float(detection_delay_s)
        self.timeout_s = float(timeout_s)
        # per tier: [ready_s, killed_s] of each server, in name order
        self._servers = {t.name: [[0.0, _INF] for _ in range(t.servers)] for t in self.tiers}
        self._events: list[tuple[float, str]] = []

    def add_servers(self, n: int, at_s: float, tier: str = "app", boot_s: float = 0.0
                    ) -> ServiceModel:
        """Scale ``tier`` out by ``n`` servers that serve from ``at_s + boot_s``."""
        if tier not in self._servers:
            raise ValueError(f"add_servers.tier = {tier!r} is unknown: "
                             f"expected one of {list(self._servers)}")
        _whole("add_servers.n", n, 1)
        _real("add_servers.at_s", at_s, "s")
        _real("add_servers.boot_s", boot_s, "s")
        self._servers[tier] += [[float(at_s + boot_s), _INF] for _ in range(n)]
        self._events.append((float(at_s + boot_s), f"+{n} {tier}"))
        return self

    def kill(self, server: str, at_s: float) -> ServiceModel:
        """Stop ``server`` (e.g. ``"app-2"``) at ``at_s``, for good."""
        _real("kill.at_s", at_s, "s")
        tier, _, number = str(server).rpartition("-")
        pool = self._servers.get(tier, [])
        if not number.isdigit() or not 1 <= int(number) <= len(pool):
            raise ValueError(f"kill.server = {server!r} is unknown: "
                             f"expected one of {self.servers()}")
        if pool[int(number) - 1][1] < _INF:
            raise ValueError(f"kill.server = {server!r} is already killed "
                             f"(at {pool[int(number) - 1][1]:g} s)")
        ready = pool[int(number) - 1][0]
        pool[int(number) - 1][1] = float(at_s)
        self._events.append((float(at_s), f"kill {server}"))
        if self.health_checks and at_s > ready:
            self._events.append((self._out(ready, at_s), f"{server} out of rotation"))
        return self

    def servers(self) -> list[str]:
        """Every server's name, tier by tier (``gateway-1`` … ``db-1``)."""
        return self.schedule().server.tolist()

    def schedule(self) -> pd.DataFrame:
        """Every server: tier, name, concurrency, when it is ready, killed and out of rotation
        (``inf``: never).

        >>> ServiceModel().kill("db-1", 30).schedule().iloc[-1, 3:].astype(float).tolist()
        [0.0, 30.0, 40.0]
        """
        import pandas as pd
        rows = [(t.name, f"{t.name}-{i + 1}", t.concurrency, up, down, self._out(up, down))
                for t in self.tiers for i, (up, down) in enumerate(self._servers[t.name])]
        return pd.DataFrame(rows, columns=_SCHEDULE)

    def topology(self, at_s: float = 0.0) -> pd.DataFrame:
        """Each server's ``state`` at ``at_s`` (``up``, ``booting`` or ``down``) and whether
        the balancer sends it traffic (``in_rotation``)."""
        return _topology(self.schedule(), at_s)

    def capacity(self, at_s: float = 0.0) -> pd.DataFrame:
        """Per tier, with the servers up at ``at_s``: slots, mean service time, requests/s it
        can serve, and ``max_entry_rps``, the rate at the front door that fills it (the db
        sees only cache misses).

        >>> float(ServiceModel().capacity().set_index("tier").capacity_rps["app"])
        1200.0
        """
        import pandas as pd
        up = self.topology(at_s).query("state == 'up'").groupby("tier").size()
        rows = []
        for t in self.tiers:
            mean_ms, servers = _mean_ms(t.service), int(up.get(t.name, 0))
            cap = servers * t.concurrency * 1000.0 / mean_ms
            share = 1.0 - self.cache_hit_ratio if t.on_cache_miss else 1.0
            rows.append((t.name, servers, t.concurrency, servers * t.concurrency, mean_ms, cap,
                         cap / share if share else _INF))
        return pd.DataFrame(rows, columns=["tier", "servers", "concurrency", "slots",
                                           "mean_service_ms", "capacity_rps", "max_entry_rps"]
                            ).round(1)

    def run(self, workload: Workload, duration_s: float) -> ServiceRun:
        """Send ``workload``'s requests through the service for ``duration_s`` seconds."""
        if not isinstance(workload, Workload):
            raise ValueError(f"run.workload = {workload!r} is not allowed: "
                             "expected a workload such as Poisson(500)")
        _real("run.duration_s", duration_s, "s", positive=True)
        rng = np.random.default_rng(self.seed)
        arrival = workload.arrival_times(rng, float(duration_s))
        n = arrival.size
        service_s = [t.service.sample(rng, n) / 1000.0 for t in self.tiers]
        cache_hit = rng.random(n) < self.cache_hit_ratio
        server = np.full((n, len(self.tiers)), -1, dtype=np.int32)
        net_s = np.zeros(n)  # one-way network time of the hops taken so far
        end, code = arrival.copy(), np.zeros(n, dtype=np.int8)
        alive = np.ones(n, dtype=bool)
        visits = []
        for k, tier in enumerate(self.tiers):
            req = np.flatnonzero(alive & ~cache_hit if tier.on_cache_miss else alive)
            t_in = end[req] + tier.network_ms / 1000.0
            order = np.argsort(t_in, kind="stable")
            ready, killed = zip(*self._servers[tier.name], strict=True)
            v = _simulate_tier(t_in[order].tolist(), req[order].tolist(),
                               service_s[k].tolist(), tier.concurrency, list(ready),
                               list(killed), [self._out(*x) for x in self._servers[tier.name]])
            v_req, v_srv, v_code = v[0].astype(np.int64), v[1].astype(np.int32), v[5]
            visits.append((v_srv, v[2], v[3], v[4]))
            final = v_code != _RETRIED
            r = v_req[final]
            server[r, k], end[r], code[r] = v_srv[final], v[4][final], v_code[final]
            net_s[r] += tier.network_ms / 1000.0
            alive[r] = v_code[final] == _OK
        end += net_s  # the answer travels back over the same hops
        late = end - arrival > self.timeout_s
        code[late], end[late] = _TIMEOUT, arrival[late] + self.timeout_s
        return ServiceRun(arrival, end, code, cache_hit, server, self, float(duration_s), visits)

    def _out(self, ready: float, killed: float) -> float:
        """When the balancer takes a server out of rotation: ``detection_delay_s`` after it
        dies; at once if it dies before it is ready (it never passes a health check)."""
        if not self.health_checks:
            return _INF
        return ready if killed <= ready else killed + self.detection_delay_s

    def __repr__(self) -> str:
        path = " → ".join(f"{t.name} {len(self._servers[t.name])}×{t.concurrency}"
                          + (" (on cache miss)" if t.on_cache_miss else "") for t in self.tiers)
        checks = (f"health checks on (detection {self.detection_delay_s:g} s)"
                  if self.health_checks else "health checks off")
        return "\n".join([
            f"ServiceModel(seed={self.seed}): {path}",
            f"  cache hit ratio {self.cache_hit_ratio:g} · {checks} · "
            f"client timeout {self.timeout_s:g} s",
            *(f"  at {t:g} s: {label}" for t, label in sorted(self._events))])


def _simulate_tier(
    t_in: list[float], req: list[int], svc: list[float], concurrency: int,
    ready: list[float], killed: list[float], out: list[float],
) -> np.ndarray:
    """FIFO servers of ``concurrency`` slots behind a round-robin balancer; ``t_in`` sorted.

    Time is cut into segments at every ready / kill / out-of-rotation instant, so the rotation
    is fixed inside a segment. A request still queued on a server when it dies is retried at
    that instant (a segment start) on another server. Returns six rows (request, server or -1,
    arrival, start, end, code) with one column per visit.
    """
    slots = [[0.0] * concurrency for _ in ready]  # when each slot is next free (heaps)
    rows: list[float] = []
    visit = rows.extend
    bounds = sorted({x for x in (*ready, *killed, *out) if 0.0 < x < _INF}) + [_INF]
    retries: list[tuple[float, int, int]] = []  # heap of (time, request, server to avoid)
    replace = heapq.heapreplace
    rr, i, n, seg_t = 0, 0, len(t_in), 0.0
    for b in bounds:
        rotation = [s for s in range(len(ready)) if ready[s] <= seg_t < out[s]]
        while True:
            if retries and retries[0][0] <= seg_t:
                t, r, avoid = heapq.heappop(retries)
                choice = [s for s in rotation if s != avoid]
            elif i < n and t_in[i] < b:
                t, r, choice = t_in[i], req[i], rotation
                i += 1
            else:
                break
            if not choice:
                visit((r, -1, t, t, t, _NO_SERVER))
                continue
            s = choice[rr % len(choice)]
            rr += 1
            dead = killed[s]
            if t >= dead:  # the balancer still sends traffic to a dead server
                visit((r, s, t, t, t, _DOWN))
                continue
            heap = slots[s]
            start = t if t > heap[0] else heap[0]
            if start >= dead:  # still queued when the server dies: retry elsewhere
                visit((r, s, t, dead, dead, _RETRIED))
                heapq.heappush(retries, (dead, r, s))
                continue
            finish = start + svc[r]
            replace(heap, finish)
            visit((r, s, t, start, min(finish, dead), _KILLED if finish > dead else _OK))
        seg_t = b
    return np.array(rows, dtype=np.float64).reshape(-1, 6).T


class ServiceRun:
    """What ``ServiceModel.run`` produced: one row per request, plus per-tier busy/queue data.

    Arrays are indexed by request, in arrival order. Latency percentiles cover the requests
    that succeeded; ``error_rate`` counts errors and client timeouts.

    >>> from lambdakit import Constant
    >>> run = ServiceModel(seed=1).run(Constant(100), duration_s=2.0)
    >>> len(run), run.summary()["error_rate"]
    (200, 0.0)
    """

    def __init__(
        self, arrival_s: np.ndarray, end_s: np.ndarray, code: np.ndarray, cache_hit: np.ndarray,
        server: np.ndarray, model: ServiceModel, duration_s: float,
        visits: Sequence[tuple[np.ndarray, ...]],
    ) -> None:
        self.arrival_s, self.end_s, self.cache_hit = arrival_s, end_s, cache_hit
        self.server = server  #: (requests × tiers) server index in its tier, -1: not visited
        self.duration_s = duration_s
        self.tiers: tuple[str, ...] = tuple(t.name for t in model.tiers)
        self.description = repr(model)  #: the model as it was when it ran
        self.schedule = model.schedule()  #: see :meth:`ServiceModel.schedule`
        self.events: tuple[tuple[float, str], ...] = tuple(sorted(model._events))
        self._code, self._visits = code, visits

    def __len__(self) -> int:
        return int(self.arrival_s.size)

    @property
    def latency_ms(self) -> np.ndarray:
        """From leaving the client to getting the answer (or giving up), in ms."""
        return (self.end_s - self.arrival_s) * 1000.0

    @property
    def outcome(self) -> np.ndarray:
        """``"ok"``, ``"error"`` or ``"timeout"`` per request."""
        return _OUTCOMES[self._code]

    @property
    def error(self) -> np.ndarray:
        """Why each request failed, one of :data:`ERROR_KINDS`."""
        return np.array(ERROR_KINDS)[self._code]

    def percentile_ms(self, q: float) -> float:
        """The ``q``-th percentile (0–100) of successful requests' latency; NaN if none."""
        ok = self.latency_ms[self._code == _OK]
        return float(np.percentile(ok, q)) if ok.size else math.nan

    p50_ms = property(lambda self: self.percentile_ms(50), doc="Median latency of ok requests.")
    p95_ms = property(lambda self: self.percentile_ms(95), doc="95th percentile latency (ms).")
    p99_ms = property(lambda self: self.percentile_ms(99), doc="99th percentile latency (ms).")

    @property
    def throughput_rps(self) -> float:
        """Successful requests per second of the run."""
        return float(np.count_nonzero(self._code == _OK)) / self.duration_s

    @property
    def error_rate(self) -> float:
        """Share of requests that failed or timed out (0 with no requests)."""
        return float(np.mean(self._code != _OK)) if len(self) else 0.0

    def summary(self) -> dict[str, float | int]:
        """Requests, ok, errors, timeouts, error rate, throughput and p50/p95/p99 (ms)."""
        counts = np.bincount(self._code, minlength=5)
        return {"requests": len(self), "ok": int(counts[_OK]),
                "errors": int(counts[_KILLED:].sum()), "timeouts": int(counts[_TIMEOUT]),
                "error_rate": round(self.error_rate, 6),
                "throughput_rps": round(self.throughput_rps, 1),
                "p50_ms": round(self.p50_ms, 1), "p95_ms": round(self.p95_ms, 1),
                "p99_ms": round(self.p99_ms, 1)}

    def topology(self, at_s: float) -> pd.DataFrame:
        """Each server's state at ``at_s``, as :meth:`ServiceModel.topology`."""
        return _topology(self.schedule, at_s)

    def to_dataframe(self) -> pd.DataFrame:
        """One row per request: arrival, end, latency, outcome, error, cache hit, path."""
        import pandas as pd
        names = [self.schedule.server[self.schedule.tier == t].tolist() for t in self.tiers]
        path = [" → ".join(names[k][s] for k, s in enumerate(row) if s >= 0)
                for row in self.server.tolist()]
        return pd.DataFrame({
            "arrival_s": self.arrival_s, "end_s": self.end_s, "latency_ms": self.latency_ms,
            "outcome": self.outcome, "error": self.error, "cache_hit": self.cache_hit,
            "path": path})

    def latency_series(self, resolution_s: float = 1.0) -> pd.DataFrame:
        """Per time bin (by arrival): offered and ok requests/s, error rate, p50/p95/p99 ms."""
        import pandas as pd
        edges = _edges(self.duration_s, resolution_s)
        b = np.clip(np.searchsorted(edges, self.arrival_s, side="right") - 1, 0, edges.size - 2)
        frame = pd.DataFrame({"bin": b, "ok": self._code == _OK, "latency_ms": self.latency_ms})
        counts = frame.groupby("bin").size().reindex(range(edges.size - 1), fill_value=0)
        oks = frame.groupby("bin")["ok"].sum().reindex(counts.index, fill_value=0)
        width = pd.Series(np.diff(edges), index=counts.index)
        out = pd.DataFrame({"time_s": edges[:-1], "offered_rps": counts / width,
                            "ok_rps": oks / width,
                            "error_rate": (1 - oks / counts.where(counts > 0)).fillna(0.0)})
        latency = frame[frame.ok].groupby("bin")["latency_ms"]
        for q in (50, 95, 99):
            out[f"p{q}_ms"] = latency.quantile(q / 100).reindex(counts.index)
        return out

    def tier_series(self, resolution_s: float = 1.0) -> pd.DataFrame:
        """Per tier and time bin, time-averaged: servers up, servers in rotation, utilisation
        (busy slots / slots of the servers up; NaN with none up) and queue length."""
        import pandas as pd
        edges = _edges(self.duration_s, resolution_s)

        def avg(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
            return np.diff(_area(starts, edges) - _area(ends, edges)) / np.diff(edges)

        parts = []
        for (srv, arr, start, end), tier in zip(self._visits, self.tiers, strict=True):
            real = srv >= 0
            sched = self.schedule[self.schedule.tier == tier]
            ready = sched.ready_s.to_numpy()
            up = avg(ready, np.maximum(sched.killed_s.to_numpy(), ready))
            slots = up * float(sched.concurrency.iloc[0])
            with np.errstate(invalid="ignore", divide="ignore"):  # clip: float noise only
                util = np.where(up > 1e-6, np.clip(avg(start[real], end[real]) / slots, 0, 1),
                                np.nan)
            parts.append(pd.DataFrame({
                "time_s": edges[:-1], "tier": tier, "servers_up": up.round(6),
                "in_rotation": avg(ready, np.maximum(sched.out_s.to_numpy(), ready)).round(6),
                "utilisation": util, "queue_length": avg(arr[real], start[real]).clip(0).round(6)}))
        return pd.concat(parts, ignore_index=True)

    def __repr__(self) -> str:
        s = self.summary()
        return (f"{s['requests']:,} requests in {self.duration_s:g} s · ok {s['ok']:,} · "
                f"errors {s['errors']:,} · timeouts {s['timeouts']:,} · "
                f"error rate {s['error_rate']:.2%}\n"
                f"latency p50 {s['p50_ms']:.0f} ms · p95 {s['p95_ms']:.0f} ms · "
                f"p99 {s['p99_ms']:.0f} ms · throughput {s['throughput_rps']:,.0f} req/s")


def _topology(schedule: pd.DataFrame, at_s: float) -> pd.DataFrame:
    state = np.where(schedule.killed_s <= at_s, "down",
                     np.where(schedule.ready_s <= at_s, "up", "booting"))
    rotation = (schedule.ready_s <= at_s) & (at_s < schedule.out_s)
    return schedule[["tier", "server"]].assign(state=state, in_rotation=rotation)


def _edges(duration_s: float, resolution_s: float) -> np.ndarray:
    """Bin edges ``0, r, 2r, …, duration_s`` (the last bin may be shorter)."""
    _real("resolution_s", resolution_s, "s", positive=True)
    inner = np.arange(resolution_s, duration_s, resolution_s)
    return np.concatenate([[0.0], inner[inner < duration_s - 1e-9], [duration_s]])


def _area(times: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """∫₀ᵉ #{t ≤ x} dx at each edge e, over the finite ``times`` (the integral of a count)."""
    t = np.sort(times[np.isfinite(times)])
    k = np.searchsorted(t, edges, side="right")
    return k * edges - np.concatenate([[0.0], np.cumsum(t)])[k]


def _mean_ms(model: DurationModel) -> float:
    """Mean of a duration model: exact for Fixed, Exponential and LogNormal, else sampled."""
    if isinstance(model, Fixed):
        return float(model.ms)
    if isinstance(model, Exponential):
        return float(model.mean_ms)
    if isinstance(model, LogNormal):
        return float(model.median_ms * math.exp(model.sigma**2 / 2))
    return float(model.sample(np.random.default_rng(0), 100_000).mean())


def _whole(name: str, value: object, minimum: int) -> None:
    check_number(name, value, minimum, types=(int, np.integer))


def _real(name: str, value: object, unit: str, *, upper: float = _INF, positive: bool = False
          ) -> None:
    check_number(name, value, 0, None if upper == _INF else upper, positive=positive, unit=unit,
                 types=(int, float, np.number))
