"""Chapter 02 checks: break-even point, fleet sizing, in-memory state, where Lambda fits.

Each check recomputes the right answer with lambdakit from the context the notebook passes,
then names the specific mistake when the answer differs.

Example:
    >>> kw = dict(avg_duration_ms=100, memory_mb=512, monthly_fixed_cost=60.74,
    ...           architecture="x86_64", free_tier=False)
    >>> break_even.check(58_775_000, show=False, **kw).passed
    True
    >>> break_even.check(58.775, show=False, **kw).message[:40]
    'That looks like millions: give the count'
"""

from __future__ import annotations

import math
from typing import Any

from lambdakit import Platform, pricing
from lambdakit.function.durations import DurationModel
from lambdakit.models.fleet import SECONDS_PER_MONTH, Fleet
from lambdakit.workloads import Workload
from widgets.exercises import CheckResult, Exercise, hint, passed

__all__ = ["FIT_CHOICES", "break_even", "fits_lambda", "fleet_size", "total_requests"]

_MAX_SERVERS = 200  # a check never simulates a fleet larger than this


def _is_count(answer: object) -> bool:
    return isinstance(answer, int | float) and not isinstance(answer, bool) and math.isfinite(
        answer)


def _check_break_even(answer: Any, *, avg_duration_ms: float, memory_mb: int,
                      monthly_fixed_cost: float, architecture: str = "x86_64",
                      free_tier: bool = False) -> CheckResult:
    def point(arch: str = architecture, free: bool = free_tier) -> int:
        return pricing.break_even_requests(avg_duration_ms=avg_duration_ms, memory_mb=memory_mb,
                                           monthly_fixed_cost=monthly_fixed_cost,
                                           architecture=arch, free_tier=free)

    def bill(n: int) -> float:
        return pricing.estimate(requests=n, avg_duration_ms=avg_duration_ms, memory_mb=memory_mb,
                                architecture=architecture, free_tier=free_tier).total

    if not _is_count(answer):
        return hint(f"Give a number of requests per month, e.g. `12_345_678` (you gave a "
                    f"{type(answer).__name__}).")
    right = point()
    n = int(answer)
    if n == right and answer == n:
        per_s = right / SECONDS_PER_MONTH
        return passed(
            f"{right:,} requests a month (≈ {per_s:.1f} req/s on average): from there on "
            f"Lambda's bill reaches the fleet's ${monthly_fixed_cost:,.2f}. Below it pay-per-use "
            "is cheaper, above it the always-on fleet is.")
    other = "x86_64" if architecture == "arm64" else "arm64"
    if n == point(arch=other):
        return hint(f"That is the break-even for {other}. This question is about "
                    f'`architecture="{architecture}"`, whose GB-second price differs [S16].')
    if n == point(free=not free_tier):
        state = "included" if not free_tier else "left out"
        return hint(f"You {state} the free tier: pass `free_tier={free_tier}` as the question "
                    "says (1M requests and 400,000 GB-s a month [S16]).")
    if 0 < answer < 10_000 and abs(answer * 1e6 - right) <= 0.01 * right:
        return hint("That looks like millions: give the count itself, e.g. "
                    f"`{round(answer * 1e6):_}`, and make it exact to one request.")
    if answer > 0 and abs(answer * SECONDS_PER_MONTH - right) <= 0.01 * right:
        return hint("That is a rate per second. The question asks for requests per *month*: a "
                    f"730-hour month has {SECONDS_PER_MONTH:,.0f} seconds.")
    if abs(n - right) <= 0.02 * right:
        return hint(f"Close ({abs(n - right):,} requests off) but not exact: the bill rounds "
                    "each line to the cent, so solve it with `pricing.break_even_requests(...)`.")
    if n < right:
        return hint(f"Too few: at {n:,} requests Lambda costs ${bill(max(n, 0)):,.2f}, still "
                    f"below the fleet's ${monthly_fixed_cost:,.2f} a month.")
    return hint(f"Too many: at {n:,} requests Lambda already costs ${bill(n):,.2f}, more than "
                f"the fleet's ${monthly_fixed_cost:,.2f}; the question asks for the *smallest* "
                "such count.")


def _check_fleet_size(answer: Any, *, workload: Workload, duration_s: float, concurrency: int,
                      service: DurationModel, target_p99_ms: float,
                      seed: int = 0) -> CheckResult:
    if not _is_count(answer) or answer != int(answer) or answer < 1:
        return hint(f"Give a whole number of servers, 1 or more (you gave {answer!r}).")
    n = int(answer)
    if n > _MAX_SERVERS:
        return hint(f"{n} servers is far more than this traffic needs: start from 1 and add "
                    "one server at a time until p99 meets the goal.")

    def run(servers: int) -> Any:
        return Fleet(servers=servers, concurrency=concurrency, service=service).run(
            workload, duration_s, seed=seed)

    mine = run(n)
    p99 = mine.latency_percentile(99)
    if p99 > target_p99_ms:
        over = " The queue never empties: the servers are overloaded." if (
            mine.utilisation > 0.95) else ""
        return hint(f"With {n} server(s) the p99 latency is {p99:,.0f} ms, above the "
                    f"{target_p99_ms:g} ms goal.{over} Add servers.")
    if n > 1:
        fewer = run(n - 1).latency_percentile(99)
        if fewer <= target_p99_ms:
            return hint(f"{n - 1} server(s) already give p99 {fewer:,.0f} ms ≤ "
                        f"{target_p99_ms:g} ms: the extra one would cost money and sit idle. "
                        "Find the *smallest* fleet.")
    fewer_text = f" (one fewer gives more than {target_p99_ms:g} ms)" if n > 1 else ""
    return passed(
        f"{n} server(s): p99 {p99:,.0f} ms{fewer_text}. "
        f"They are busy only {mine.utilisation:.0%} of the time, yet cost "
        f"${mine.monthly_cost:,.2f} a month: a latency goal makes a fleet run half idle.")


def _check_total_requests(answer: Any, *, platform: Platform, function: str) -> CheckResult:
    envs = platform.environments(function)
    counts = [e.invocations for e in envs]
    right = platform.metrics(function).invocations
    if not _is_count(answer):
        return hint(f"Give a whole number of requests (you gave a {type(answer).__name__}).")
    if answer == right:
        return passed(
            f"{right} requests, spread over {len(envs)} execution environments with counts "
            f"{counts}. No single `count` knows the total: each environment has its own copy of "
            "the module's globals, and it is lost when the environment is reclaimed. Keep "
            "shared state outside the function (a database or cache).")
    if answer == max(counts, default=0):
        return hint(f"{answer} is what one environment counted. The function ran in "
                    f"{len(envs)} environments, each with its own `count`: add them all up "
                    "(`p.environments(...)` shows each one's invocations).")
    if answer == len(envs):
        return hint("That is the number of execution environments, not of requests: look at "
                    "how many invocations each one served.")
    return hint("Count every invocation, whichever environment served it: "
                '`p.metrics("counter").invocations`, or the sum of `e.invocations` over '
                '`p.environments("counter")`.')


#: The choices for exercise 4 (the notebook's markdown lists them verbatim).
FIT_CHOICES: dict[str, str] = {
    "a": "Make a thumbnail of each photo uploaded to an S3 bucket (about 2 s per photo).",
    "b": "Re-encode a 2-hour video as one job that runs for about 40 minutes.",
    "c": "A public API whose traffic jumps from 10 to 2,000 requests per second at lunchtime.",
    "d": "Delete expired sessions every night at 02:00 (about 30 s of work).",
}
_FIT_HINTS: dict[str, str] = {
    "a": "An event trigger with short work is Lambda's home ground: S3 invokes the function "
         "for each upload. Which job would hit a limit of a single invocation?",
    "c": "Bursty front ends are where on-demand scaling shines (1,000 new environments every "
         "10 s per function [S4]). Look for the job that cannot finish within one invocation.",
    "d": "A scheduled background job of 30 s fits easily (EventBridge can invoke it on a "
         "schedule). Which job needs more than the longest timeout Lambda allows?",
}


def _check_fit(answer: Any) -> CheckResult:
    choice = str(answer).strip().strip("()").lower()
    if choice == "b":
        # timeout at most 900 s [S3]
        return passed(
            "40 minutes is far over Lambda's maximum timeout of 900 s (15 min) [S3]: the "
            "invocation would be stopped. Split the work into chunks (e.g. one per segment of "
            "video) or run it on a container or server.")
    if choice in _FIT_HINTS:
        return hint(_FIT_HINTS[choice])
    return hint(f'Answer with one letter in quotes: "a", "b", "c" or "d" (you gave {answer!r}).')


break_even = Exercise("Exercise 1 · break-even on arm64", _check_break_even,
                      expects="a whole number of requests per month, e.g. 12_345_678")
fleet_size = Exercise("Exercise 2 · the smallest fleet for a latency goal", _check_fleet_size,
                      expects="a whole number of servers, e.g. 3")
total_requests = Exercise("Exercise 3 · what the counter cannot tell you",
                          _check_total_requests, expects="a whole number of requests")
fits_lambda = Exercise("Exercise 4 · what does not fit", _check_fit,
                       expects='one letter in quotes: "a", "b", "c" or "d"')
