"""Chapter 01 checks: a tier's capacity, why latency rises after fail-over, surviving a db failure.

Every expected value is read from lambdakit (``ServiceModel.capacity``, ``ServiceRun``), so a
change of the model's defaults cannot make a check disagree with the notebook.

Example:
    >>> app_capacity.check(1200, show=False).passed
    True
    >>> app_capacity.check(150, show=False).message.startswith("150 req/s is what 3 servers")
    True
"""

from __future__ import annotations

import math

import numpy as np

from lambdakit.models.tiers import ServiceModel, ServiceRun
from widgets.exercises import CheckResult, Exercise, hint, passed

__all__ = ["WHY_SLOWER_CHOICES", "app_capacity", "survive_db_failure", "why_slower"]


def _near(answer: float, target: float, rel: float = 0.02) -> bool:
    return math.isclose(answer, target, rel_tol=rel)


def _check_capacity(answer: float, model: ServiceModel | None = None) -> CheckResult:
    model = model if model is not None else ServiceModel()
    if isinstance(answer, bool) or not isinstance(answer, int | float | np.number):
        return hint(f"Answer with a number of requests per second, e.g. `app_capacity_rps = "
                    f"1000` (you gave a {type(answer).__name__}).")
    app = model.capacity().set_index("tier").to_dict("index")["app"]
    servers, conc, mean_ms = int(app["servers"]), int(app["concurrency"]), app["mean_service_ms"]
    target = servers * conc * 1000.0 / mean_ms
    value = float(answer)
    if _near(value, target):
        return passed(
            f"{target:,.0f} req/s: {servers} servers × {conc} slots = {servers * conc} requests "
            f"in service at once, each slot finishing one every {mean_ms:g} ms on average. Send "
            "more than that and the queue grows without bound; near it, requests already wait."
        )
    wrong = {
        servers * 1000.0 / mean_ms: f"{value:,.0f} req/s is what {servers} servers doing one "
        f"request at a time would manage. Each app server runs {conc} requests at once "
        "(its *concurrency*): multiply by that too.",
        conc * 1000.0 / mean_ms: f"{value:,.0f} req/s is the capacity of *one* app server "
        f"({conc} slots). The balancer spreads requests over all {servers} of them.",
        servers * conc * mean_ms: f"Units: you multiplied by the service time. A slot that "
        f"needs {mean_ms:g} ms per request finishes 1000 / {mean_ms:g} requests per second, "
        "so divide by the time (in seconds), don't multiply.",
        servers * conc / mean_ms: f"Nearly: {value:g} is requests per *millisecond*. Convert "
        f"{mean_ms:g} ms to seconds ({mean_ms / 1000:g} s) before dividing.",
    }
    for value_if_wrong, message in wrong.items():
        if _near(value, value_if_wrong):
            return hint(message)
    return hint(
        f"{value:,.0f} req/s is not it. Capacity = servers × concurrency ÷ mean service time in "
        "seconds; `model.capacity()` shows all three in the app row (servers, concurrency, "
        "mean_service_ms)."
    )


#: Exercise 2's choices (the notebook's markdown lists them verbatim).
WHY_SLOWER_CHOICES: dict[str, str] = {
    "a": "The dead server still receives some requests, and they fail slowly.",
    "b": "The two remaining servers now carry all the traffic: each is busier (about 58% → "
    "88% utilisation), so a request more often waits in a queue for a free slot.",
    "c": "The health checks themselves use up much of the servers' capacity.",
    "d": "The requests that were queued on app-2 and retried elsewhere are still being served.",
}
_WHY_SLOWER_HINTS: dict[str, str] = {
    "a": "After the detection delay the balancer sends app-2 nothing at all: the error bars "
    "stop at 40 s. And the errors it caused were fast (a refused connection), not slow. Look "
    "at what happens to the *other* servers after 40 s.",
    "c": "A health check is one tiny request every few seconds, and this model does not even "
    "count it. Compare the utilisation line of the app tier before 30 s and after 40 s.",
    "d": "Only the few requests queued on app-2 at the kill instant were retried, and each "
    "took about 20 ms. Latency stays high for the whole rest of the run: look at utilisation.",
}


def _check_why_slower(answer: str) -> CheckResult:
    choice = str(answer).strip().strip("()").lower()
    if choice == "b":
        return passed(
            "Same traffic, fewer servers: 700 req/s on 24 slots is 58% of the app tier's "
            "capacity, on 16 slots it is 88%. Queueing grows steeply as utilisation nears "
            "100%, which is why tiers keep headroom (N+1: survive losing one server)."
        )
    if choice in _WHY_SLOWER_HINTS:
        return hint(_WHY_SLOWER_HINTS[choice])
    return hint(f'Answer with one letter in quotes: "a", "b", "c" or "d" (you gave {answer!r}).')


def _check_survivor(answer: ServiceRun) -> CheckResult:
    if not isinstance(answer, ServiceRun):
        return hint("Assign the *result* of `.run(...)` to `survivor`: a ServiceModel describes "
                    f"the service, `.run(Poisson(700), ...)` runs it (you gave a "
                    f"{type(answer).__name__}).")
    db = answer.schedule[answer.schedule.tier == "db"].set_index("server")
    killed_at = float(db.killed_s.get("db-1", math.inf))
    if math.isinf(killed_at):
        return hint("db-1 never fails in this run, so it proves nothing: add "
                    '`.kill("db-1", at_s=30)` to the model before `.run(...)`.')
    if len(db) == 1:
        return hint("db-1 is still the *only* database server, so every cache miss fails after "
                    'the kill. Give the tier a standby: `.add_servers(1, at_s=0, tier="db")`.')
    out_at = float(db.out_s["db-1"])
    if math.isinf(out_at):
        return hint("Health checks are off, so the balancer keeps sending half of the cache "
                    "misses to the dead db-1 for ever. Build the model with "
                    "`ServiceModel(seed=1)` (health checks are on by default).")
    if answer.duration_s < out_at + 5:
        return hint(f"The run ends at {answer.duration_s:g} s, before the fail-over can show "
                    f"(db-1 leaves the rotation at {out_at:g} s): run for longer, e.g. "
                    "`duration_s=seconds`.")
    late = answer.arrival_s > out_at + 1.0
    failed = int(np.count_nonzero(answer.outcome[late] != "ok"))
    if failed:
        kinds = sorted(set(answer.error[late]) - {""})
        return hint(f"{failed} requests still fail after {out_at + 1:g} s ({', '.join(kinds)}). "
                    "Was the standby ready before the kill? Add it with `at_s=0` and no "
                    "`boot_s`, so it is up when db-1 dies.")
    window = int(np.count_nonzero(answer.outcome[~late] != "ok"))
    return passed(
        f"The standby takes over: no request fails after {out_at:g} s. {window:,} failed in "
        f"the {out_at - killed_at:g} s before the health checks noticed, all of them cache "
        "misses sent to db-1: shorter detection, fewer failures. A tier with one server is a "
        "single point of failure; a second one removes it."
    )


app_capacity = Exercise(
    "Exercise 1 · capacity of the app tier",
    _check_capacity,
    expects="a number of requests per second, e.g. app_capacity_rps = 1000",
)
why_slower = Exercise(
    "Exercise 2 · why is it slower after the fail-over?",
    _check_why_slower,
    expects='one letter in quotes: "a", "b", "c" or "d"',
)
survive_db_failure = Exercise(
    "Exercise 3 · survive a database failure",
    _check_survivor,
    expects="the result of model.run(...), e.g. survivor = ServiceModel(...).run(...)",
)
