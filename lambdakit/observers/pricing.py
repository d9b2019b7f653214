"""Lambda's monthly bill, computed the way AWS's pricing page computes it.

Method (facts §5 [S16]): each charge is its own line (requests, duration per tier, duration
while provisioned concurrency is enabled, provisioned concurrency, ephemeral storage), each line
is ``quantity × unit price`` rounded to the cent (half up), and the total is the sum of the
rounded lines. The free tier (1M requests + 400,000 GB-s a month) is subtracted only when asked,
and never from provisioned-concurrency lines. Duration tiers apply to the month's total GB-s.

Prices are US East (N. Virginia) on-demand rates; pass ``prices=`` for another table.

Example:
    >>> bill = estimate(requests=3_000_000, avg_duration_ms=120, memory_mb=1536, free_tier=True)
    >>> [(line.name, line.amount) for line in bill.lines]
    [('Requests', 0.4), ('Duration', 2.33)]
    >>> bill.total
    2.73
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field, replace
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from ..function.quotas import QUOTAS, bounds, check, check_choice, check_number, limit

if TYPE_CHECKING:
    from .query import PlatformQuery

__all__ = [
    "PRICE_TABLE",
    "ArchitectureRates",
    "CostEstimate",
    "CostLine",
    "DurationTier",
    "PriceTable",
    "always_on_cost",
    "break_even_requests",
    "estimate",
    "estimate_usage",
    "gb_seconds",
]

ARCHITECTURES = ("x86_64", "arm64")
# Memory, /tmp and duration ranges: lambdakit.function.quotas (facts §4 [S3]).
_FREE_EPHEMERAL_MB = int(bounds("ephemeral_storage_mb")[0])  # the smallest /tmp is free [S16]
HOURS_PER_MONTH = 730.0  # 365 × 24 / 12: an average month
#: The one default for every ``free_tier`` switch (pricing, Platform.cost, the fleet models, the
#: cost widget): off. The allowance (1M requests + 400,000 GB-s a month [S16]) is shared by the
#: whole account, so one function's bill is shown before it; pass ``free_tier=True`` to take it.
FREE_TIER_DEFAULT = False
_REAL: tuple[type, ...] = (numbers.Real,)  # sizes: 256 or 256.0 MB
_INTEGRAL: tuple[type, ...] = (numbers.Integral,)  # counts: 3, not 3.0

_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class DurationTier:
    """On-demand duration price (USD per GB-s) for the month's usage up to ``up_to_gb_seconds``.

    ``up_to_gb_seconds=None`` means no upper bound (the last tier).
    """

    up_to_gb_seconds: float | None
    price: float


@dataclass(frozen=True, slots=True)
class ArchitectureRates:
    """Per-architecture rates in USD per GB-s."""

    duration_tiers: tuple[DurationTier, ...]
    provisioned_concurrency: float
    provisioned_duration: float


@dataclass(frozen=True, slots=True)
class PriceTable:
    """Every rate the estimate uses, with where it comes from.

    Example:
        >>> PRICE_TABLE.rates("arm64").duration_tiers[0].price
        1.33334e-05
    """

    source: str
    as_of: str
    region: str
    x86_64: ArchitectureRates
    arm64: ArchitectureRates
    request_price_per_million: float
    ephemeral_storage: float  # USD per GB-s of storage configured above the free 512 MB
    free_requests: int
    free_gb_seconds: float
    provisioned_rounding_minutes: int

    def rates(self, architecture: str) -> ArchitectureRates:
        """The rates for ``architecture`` ("x86_64" or "arm64")."""
        check_choice("architecture", architecture, ARCHITECTURES, "Architectures")
        return self.x86_64 if architecture == "x86_64" else self.arm64


# All figures: facts §5.1, AWS Lambda pricing page, us-east-1, Price List API 2025-10-28 [S16].
PRICE_TABLE = PriceTable(
    source="[S16] https://aws.amazon.com/lambda/pricing/ (Price List API transcription)",
    as_of="2025-10-28",
    region="us-east-1",
    x86_64=ArchitectureRates(
        duration_tiers=(
            DurationTier(6e9, 0.0000166667),  # first 6 B GB-s/month [S16]
            DurationTier(15e9, 0.0000150000),  # next 9 B [S16]
            DurationTier(None, 0.0000133334),  # over 15 B [S16]
        ),
        provisioned_concurrency=0.0000041667,  # [S16]
        provisioned_duration=0.0000097222,  # duration while PC is enabled [S16]
    ),
    arm64=ArchitectureRates(
        duration_tiers=(
            DurationTier(7.5e9, 0.0000133334),  # first 7.5 B GB-s/month [S16]
            DurationTier(18.75e9, 0.0000120001),  # next 11.25 B [S16]
            DurationTier(None, 0.0000106667),  # over 18.75 B [S16]
        ),
        provisioned_concurrency=0.0000033334,  # [S16]
        provisioned_duration=0.0000077778,  # [S16]
    ),
    request_price_per_million=0.20,  # [S16]
    ephemeral_storage=0.0000000309,  # per GB-s above 512 MB [S16]
    free_requests=1_000_000,  # free tier, perpetual [S16]
    free_gb_seconds=400_000.0,  # free tier; not for PC-enabled functions [S16]
    provisioned_rounding_minutes=5,  # PC time rounded up to 5 min [S16]
)


@dataclass(frozen=True, slots=True)
class CostLine:
    """One charge: ``amount`` is ``quantity × unit_price`` rounded to the cent (USD)."""

    name: str
    quantity: float
    unit: str
    unit_price: float
    amount: float


@dataclass(frozen=True, slots=True)
class CostEstimate:
    """A monthly bill: its lines, their total (USD) and the assumptions behind them.

    Example:
        >>> bill = estimate(requests=500_000, avg_duration_ms=50, memory_mb=128, free_tier=True)
        >>> bill.total, bill.notes[1]
        (0.0, 'free tier applied: 1M requests, 400,000 GB-s of on-demand duration [S16]')
    """

    lines: tuple[CostLine, ...]
    total: float
    notes: tuple[str, ...] = field(default=())

    def table(self) -> str:
        """The bill as a fixed-width text table, followed by its notes."""
        rows = [("Item", "Quantity", "Unit", "Unit price", "Amount")]
        for line in self.lines:
            rows.append(
                (
                    line.name,
                    format_quantity(line.quantity),
                    line.unit,
                    format_unit_price(line.unit_price, line.unit),
                    f"${line.amount:,.2f}",
                )
            )
        rows.append(("Total", "", "", "", f"${self.total:,.2f}"))
        widths = [max(len(row[i]) for row in rows) for i in range(5)]
        aligns = ("<", ">", "<", ">", ">")

        def fmt(row: tuple[str, ...]) -> str:
            cells = (f"{c:{a}{w}}" for c, a, w in zip(row, aligns, widths, strict=True))
            return "  ".join(cells).rstrip()

        rule = "  ".join("-" * w for w in widths)
        out = [fmt(rows[0]), rule, *(fmt(r) for r in rows[1:-1]), rule, fmt(rows[-1])]
        out += [f"* {note}" for note in self.notes]
        return "\n".join(out)

    def __str__(self) -> str:
        return self.table()


def gb_seconds(billed_ms_total: float, memory_mb: int) -> float:
    """GB-seconds for ``billed_ms_total`` milliseconds at ``memory_mb`` (1 GB = 1,024 MB).

    Works for any size in MB, e.g. the ephemeral storage configured above 512 MB.

    Example:
        >>> gb_seconds(3_000_000 * 120, 1536)
        540000.0
    """
    check_number("billed_ms_total", billed_ms_total, 0)
    check_number("memory_mb", memory_mb, 0)
    return billed_ms_total * memory_mb / 1_024_000


def estimate_usage(
    *,
    requests: int,
    gb_seconds: float,
    architecture: str = "x86_64",
    ephemeral_gb_seconds: float = 0.0,
    provisioned_gb_seconds: float = 0.0,
    provisioned_duration_gb_seconds: float = 0.0,
    free_tier: bool = FREE_TIER_DEFAULT,
    prices: PriceTable = PRICE_TABLE,
) -> CostEstimate:
    """Price a month of aggregated usage.

    ``gb_seconds`` is on-demand duration; ``provisioned_duration_gb_seconds`` is duration served
    while provisioned concurrency (PC) was enabled; ``provisioned_gb_seconds`` is the PC
    configured (concurrency × GB × seconds enabled); ``ephemeral_gb_seconds`` counts only the
    storage above the free 512 MB. With ``free_tier`` the allowance comes off the request and
    on-demand duration lines, as the pricing page's PC example 1 does; PC lines never get it.

    Example:
        >>> bill = estimate_usage(requests=3_000_000, gb_seconds=450_000,
        ...                       provisioned_gb_seconds=4_320_000,
        ...                       provisioned_duration_gb_seconds=75_000, free_tier=True)
        >>> [line.amount for line in bill.lines], bill.total
        ([0.4, 0.83, 0.73, 18.0], 19.96)
    """
    check_number("requests", requests, 0, types=_INTEGRAL)
    for name, value in (
        ("gb_seconds", gb_seconds),
        ("ephemeral_gb_seconds", ephemeral_gb_seconds),
        ("provisioned_gb_seconds", provisioned_gb_seconds),
        ("provisioned_duration_gb_seconds", provisioned_duration_gb_seconds),
    ):
        check_number(name, value, 0)
    rates = prices.rates(architecture)

    free_requests = prices.free_requests if free_tier else 0
    free_gbs = _dec(prices.free_gb_seconds) if free_tier else Decimal(0)
    per_request = _dec(prices.request_price_per_million) / 1_000_000
    lines = [_line("Requests", Decimal(max(0, int(requests) - free_requests)), "requests",
                   per_request)]
    if gb_seconds or not provisioned_duration_gb_seconds:
        lines += _duration_lines(_dec(gb_seconds), free_gbs, rates.duration_tiers)
    if provisioned_duration_gb_seconds:
        lines.append(_line("Duration (PC enabled)", _dec(provisioned_duration_gb_seconds),
                           "GB-s", _dec(rates.provisioned_duration)))
    if provisioned_gb_seconds:
        lines.append(_line("Provisioned concurrency", _dec(provisioned_gb_seconds), "GB-s",
                           _dec(rates.provisioned_concurrency)))
    if ephemeral_gb_seconds:
        lines.append(_line("Ephemeral storage", _dec(ephemeral_gb_seconds), "GB-s",
                           _dec(prices.ephemeral_storage)))

    notes = [f"prices: AWS Lambda {prices.region} {architecture}, as of {prices.as_of} "
             f"{prices.source.split()[0]}"]
    if free_tier:
        notes.append(f"free tier applied: {prices.free_requests / 1e6:g}M requests, "
                     f"{prices.free_gb_seconds:,.0f} GB-s of on-demand duration [S16]")
    else:
        notes.append("free tier not applied")
    if any(ln.name.startswith("Duration,") for ln in lines):
        notes.append("duration tiers apply to the month's total on-demand GB-s, per "
                     "architecture and Region [S16]")
    return CostEstimate(tuple(lines), _total(lines), tuple(notes))


def estimate(
    *,
    requests: int,
    avg_duration_ms: float,
    memory_mb: int,
    architecture: str = "x86_64",
    ephemeral_storage_mb: int = 512,
    provisioned_concurrency: int = 0,
    provisioned_hours: float = 0,
    free_tier: bool = FREE_TIER_DEFAULT,
    prices: PriceTable = PRICE_TABLE,
) -> CostEstimate:
    """Price one function's month from its configuration and traffic.

    Each request is billed ``avg_duration_ms`` rounded up to 1 ms [S16][S18]. With provisioned
    concurrency (PC) enabled (``provisioned_concurrency`` > 0 and ``provisioned_hours`` > 0),
    every request is assumed to be served by a provisioned environment, PC time is rounded up
    to 5 minutes, and the free tier does not apply [S16].

    Example:
        >>> bill = estimate(requests=2_000_000, avg_duration_ms=280, memory_mb=4096,
        ...                 provisioned_concurrency=7, provisioned_hours=24, free_tier=True)
        >>> [line.name for line in bill.lines]
        ['Requests', 'Duration (PC enabled)', 'Provisioned concurrency']
        >>> [line.amount for line in bill.lines], bill.total
        ([0.4, 21.78, 10.08], 32.26)
    """
    check_number("requests", requests, 0, types=_INTEGRAL)
    check("memory_mb", memory_mb, types=_REAL)  # [S3]; unlike the API, takes 256.0
    check_choice("architecture", architecture, ARCHITECTURES, "Architectures")
    check("ephemeral_storage_mb", ephemeral_storage_mb, types=_REAL)
    max_s = limit("timeout_s")  # no request runs longer than the 900 s timeout [S3]
    check_number("avg_duration_ms", avg_duration_ms, 0, max_s * 1000,
                 rule=f"a finite number from 0 to {max_s * 1000:,.0f} ms (Timeout is at most "
                 f"{max_s:,.0f} s {QUOTAS['timeout_s'].source})")
    check_number("provisioned_concurrency", provisioned_concurrency, 0, types=_INTEGRAL)
    check_number("provisioned_hours", provisioned_hours, 0)

    notes: list[str] = []
    billed_ms = math.ceil(round(avg_duration_ms, 6))  # 1 ms granularity [S16][S18]
    if billed_ms != avg_duration_ms:
        notes.append(f"duration rounded up to 1 ms: {avg_duration_ms:g} ms billed as "
                     f"{billed_ms} ms per request [S18]")
    total_ms = requests * billed_ms
    duration_gbs = gb_seconds(total_ms, memory_mb)
    ephemeral_gbs = gb_seconds(total_ms, ephemeral_storage_mb - _FREE_EPHEMERAL_MB)

    pc_enabled = provisioned_concurrency > 0 and provisioned_hours > 0
    if not pc_enabled:
        if provisioned_concurrency or provisioned_hours:
            notes.append("provisioned concurrency ignored: it needs both "
                         "provisioned_concurrency > 0 and provisioned_hours > 0")
        bill = estimate_usage(requests=requests, gb_seconds=duration_gbs,
                              architecture=architecture, ephemeral_gb_seconds=ephemeral_gbs,
                              free_tier=free_tier, prices=prices)
        return replace(bill, notes=bill.notes + tuple(notes))

    step = prices.provisioned_rounding_minutes
    minutes = math.ceil(round(provisioned_hours * 60, 6) / step) * step
    if minutes != provisioned_hours * 60:
        notes.append(f"provisioned time rounded up to {step} min: {provisioned_hours:g} h "
                     f"billed as {minutes} min [S16]")
    configured_gbs = provisioned_concurrency * memory_mb / 1024 * minutes * 60
    notes.append("all requests assumed served by provisioned environments "
                 "(no spill-over to on-demand)")
    bill = estimate_usage(requests=requests, gb_seconds=0.0, architecture=architecture,
                          ephemeral_gb_seconds=ephemeral_gbs,
                          provisioned_gb_seconds=configured_gbs,
                          provisioned_duration_gb_seconds=duration_gbs, free_tier=False,
                          prices=prices)
    if free_tier:
        notes.append("free tier not applied: it does not apply to functions with provisioned "
                     "concurrency [S16]")
    kept = tuple(note for note in bill.notes if note != "free tier not applied")
    return replace(bill, notes=kept + tuple(notes))


def always_on_cost(*, instances: int, hourly_price: float, hours: float = HOURS_PER_MONTH
                   ) -> float:
    """Monthly cost (USD, rounded to the cent) of ``instances`` servers at ``hourly_price``.

    Plain arithmetic for the "always-on fleet" comparison; the caller supplies the price.

    Example:
        >>> always_on_cost(instances=2, hourly_price=0.0416)
        60.74
    """
    check_number("instances", instances, 0, types=_INTEGRAL)
    check_number("hourly_price", hourly_price, 0)
    check_number("hours", hours, 0)
    return float(_cents(Decimal(instances) * _dec(hourly_price) * _dec(hours)))


def break_even_requests(
    *,
    avg_duration_ms: float,
    memory_mb: int,
    monthly_fixed_cost: float,
    architecture: str = "x86_64",
    free_tier: bool = FREE_TIER_DEFAULT,
    ephemeral_storage_mb: int = 512,
    prices: PriceTable = PRICE_TABLE,
) -> int:
    """Smallest monthly request count whose Lambda bill is at least ``monthly_fixed_cost``.

    Exact to one request: the bill never decreases as requests grow, so this doubles an upper
    bound and then bisects.

    Example:
        >>> n = break_even_requests(avg_duration_ms=100, memory_mb=512, monthly_fixed_cost=30,
        ...                         free_tier=True)
        >>> n
        35675000
        >>> def bill(r):
        ...     return estimate(requests=r, avg_duration_ms=100, memory_mb=512,
        ...                     free_tier=True).total
        >>> bill(n - 1) < 30 <= bill(n)
        True
    """
    check_number("monthly_fixed_cost", monthly_fixed_cost, 0)

    def bill(n: int) -> float:
        return estimate(requests=n, avg_duration_ms=avg_duration_ms, memory_mb=memory_mb,
                        architecture=architecture, ephemeral_storage_mb=ephemeral_storage_mb,
                        free_tier=free_tier, prices=prices).total

    target = float(_cents(_dec(monthly_fixed_cost), rounding=ROUND_CEILING))
    if bill(0) >= target:
        return 0
    low, high = 0, 1_000_000  # invariant: bill(low) < target <= bill(high)
    while bill(high) < target:
        if high > 10**18:
            raise ValueError(f"monthly_fixed_cost={monthly_fixed_cost!r} is out of reach: the "
                             "bill stays below it at 10^18 requests")
        low, high = high, high * 2
    while high - low > 1:
        mid = (low + high) // 2
        if bill(mid) >= target:
            high = mid
        else:
            low = mid
    return high


# --- helpers -------------------------------------------------------------------------------


def _duration_lines(total: Decimal, free: Decimal, tiers: tuple[DurationTier, ...]
                    ) -> list[CostLine]:
    """One line per tier the month's usage reaches; the free tier covers the first GB-s."""
    billed_from = min(free, total)
    lines: list[CostLine] = []
    lower = Decimal(0)
    for number, tier in enumerate(tiers, start=1):
        upper = None if tier.up_to_gb_seconds is None else _dec(tier.up_to_gb_seconds)
        top = total if upper is None else min(total, upper)
        billable = max(Decimal(0), top - max(billed_from, lower))
        if number == 1:
            lines.append(_line("Duration", billable, "GB-s", _dec(tier.price)))
        elif total > lower:
            lines.append(_line(_tier_name(number, lower, upper), billable, "GB-s",
                               _dec(tier.price)))
        if upper is None or total <= upper:
            break
        lower = upper
    return lines


def _tier_name(number: int, lower: Decimal, upper: Decimal | None) -> str:
    low = f"{float(lower) / 1e9:g}B"
    span = f"over {low}" if upper is None else f"{low}–{float(upper) / 1e9:g}B"
    return f"Duration, tier {number} ({span} GB-s)"


def _line(name: str, quantity: Decimal, unit: str, unit_price: Decimal) -> CostLine:
    return CostLine(name, float(quantity), unit, float(unit_price),
                    float(_cents(quantity * unit_price)))


def _total(lines: list[CostLine]) -> float:
    return float(sum((_dec(line.amount) for line in lines), Decimal(0)))


def _cents(value: Decimal, rounding: str = ROUND_HALF_UP) -> Decimal:
    return value.quantize(_CENT, rounding=rounding)


def _dec(value: float) -> Decimal:
    """The decimal a number was written as (``repr`` of a float), not its binary expansion."""
    if isinstance(value, numbers.Integral):
        return Decimal(int(value))
    return Decimal(repr(float(value)))




def format_quantity(quantity: float) -> str:
    """A bill quantity as the pricing page writes it (``format_quantity(1500000.0)`` →
    ``'1,500,000'``)."""
    if quantity == int(quantity):
        return f"{int(quantity):,}"
    return f"{quantity:,.3f}".rstrip("0").rstrip(".")


def format_unit_price(price: float, unit: str) -> str:
    """A unit price as the pricing page writes it (``$0.20 per 1M`` for requests)."""
    if unit == "requests":
        return f"${price * 1e6:.2f} per 1M"
    return f"${price:.10f}".rstrip("0").rstrip(".") + f" per {unit}"


def usage_by_architecture(platform: PlatformQuery,
                          function: str | None = None) -> dict[str, dict[str, Any]]:
    """Aggregate a simulated platform's records into :func:`estimate_usage` arguments, one
    set per architecture.

    Example:
        >>> from lambdakit import Platform, Fixed
        >>> p = Platform(seed=1)
        >>> _ = p.create_function("f", lambda e, c: None, memory_mb=1024, duration=Fixed(1000),
        ...                       init_duration=Fixed(0))
        >>> _ = p.invoke("f")
        >>> usage_by_architecture(p)["x86_64"]["gb_seconds"]
        1.0
    """
    import numpy as np

    arr = platform.record_columns()
    envs = platform.environments(sweep=False)
    sel = np.ones(len(arr["event"]), dtype=bool) if function is None \
        else arr["function"] == function
    sel &= (arr["outcome"] != "throttled") & (arr["outcome"] != "expired")
    provisioned_env = np.zeros(max(len(envs), 1), dtype=bool)
    for env in envs:
        provisioned_env[env.id] = env.provisioned
    on_pc = sel & (arr["env"] >= 0) & provisioned_env[np.maximum(arr["env"], 0)]
    usage: dict[str, dict[str, Any]] = {}
    for fname in sorted(set(arr["function"][sel])):
        rows = sel & (arr["function"] == fname)
        for version in sorted(set(arr["version"][rows])):
            cfg = platform.get_function(fname, version)
            r = rows & (arr["version"] == version)
            gb = cfg.memory_mb / 1024.0
            billed_s = arr["billed_ms"] / 1000.0
            u = usage.setdefault(cfg.architecture, {
                "requests": 0, "gb_seconds": 0.0, "ephemeral_gb_seconds": 0.0,
                "provisioned_gb_seconds": 0.0, "provisioned_duration_gb_seconds": 0.0})
            u["requests"] += int(r.sum())
            u["gb_seconds"] += float(np.sum(billed_s[r & ~on_pc])) * gb
            u["provisioned_duration_gb_seconds"] += float(np.sum(billed_s[r & on_pc])) * gb
            extra_gb = max(cfg.ephemeral_storage_mb - _FREE_EPHEMERAL_MB, 0) / 1024.0
            u["ephemeral_gb_seconds"] += float(np.sum(billed_s[r])) * extra_gb
    for env in envs:  # PC is billed while enabled, whether used or not
        if not env.provisioned or (function is not None and env.function != function):
            continue
        cfg = env.config
        stop = platform.now if env.shutdown_at is None else min(env.shutdown_at, platform.now)
        enabled_s = stop - env.created_at
        enabled_s = math.ceil(max(enabled_s, 0.0) / 300.0) * 300.0  # 5-minute increments [S16]
        u = usage.setdefault(cfg.architecture, {
            "requests": 0, "gb_seconds": 0.0, "ephemeral_gb_seconds": 0.0,
            "provisioned_gb_seconds": 0.0, "provisioned_duration_gb_seconds": 0.0})
        u["provisioned_gb_seconds"] += enabled_s * cfg.memory_mb / 1024.0
    return usage or {"x86_64": {"requests": 0, "gb_seconds": 0.0}}
