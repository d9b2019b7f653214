"""Tests for lambdakit.observers.pricing.

The acceptance tests reproduce the worked examples on AWS's Lambda pricing page,
https://aws.amazon.com/lambda/pricing/ [S16] (read from a stored copy of the page), line by line
and to the cent. Rates are facts §5.1 [S16].
"""

from __future__ import annotations

import dataclasses
import math
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lambdakit.observers.pricing import (
    PRICE_TABLE,
    CostEstimate,
    DurationTier,
    always_on_cost,
    break_even_requests,
    estimate,
    estimate_usage,
    gb_seconds,
)

PRICING_PAGE = "https://aws.amazon.com/lambda/pricing/"  # [S16]


def amounts(bill: CostEstimate) -> dict[str, float]:
    return {line.name: line.amount for line in bill.lines}


def quantities(bill: CostEstimate) -> dict[str, float]:
    return {line.name: line.quantity for line in bill.lines}


# --- acceptance: the pricing page's own examples ---------------------------------------------


def test_page_example_1_mobile_backend() -> None:
    # PRICING_PAGE, "Example 1: Mobile application backend": 3M requests, 120 ms, 1536 MB, x86,
    # free tier: 140,000 GB-s -> $2.33, 2M requests -> $0.40, total $2.73.
    bill = estimate(requests=3_000_000, avg_duration_ms=120, memory_mb=1536, free_tier=True)
    assert quantities(bill) == {"Requests": 2_000_000, "Duration": 140_000}
    assert amounts(bill) == {"Requests": 0.40, "Duration": 2.33}
    assert bill.total == 2.73


def test_page_example_2_streaming_telemetry_without_free_tier() -> None:
    # PRICING_PAGE, "Example 2: Enriching streaming telemetry": 7.44M requests, 2 s, 1024 MB,
    # no free tier taken: $1.488 ~= $1.49 + 14.88M GB-s -> $248.00 = $249.49.
    bill = estimate(requests=7_440_000, avg_duration_ms=2000, memory_mb=1024, free_tier=False)
    assert quantities(bill) == {"Requests": 7_440_000, "Duration": 14_880_000}
    assert amounts(bill) == {"Requests": 1.49, "Duration": 248.00}
    assert bill.total == 249.49


def test_page_example_3_ephemeral_storage() -> None:
    # PRICING_PAGE, "Example 3: Performing ML on customer support tickets": 6M requests, 280 ms,
    # 4096 MB, 2048 MB ephemeral: $105.33 + $1 + $0.08 (2,520,000 GB-s) = $106.41.
    bill = estimate(requests=6_000_000, avg_duration_ms=280, memory_mb=4096,
                    ephemeral_storage_mb=2048, free_tier=True)
    assert quantities(bill) == {
        "Requests": 5_000_000, "Duration": 6_320_000, "Ephemeral storage": 2_520_000,
    }
    assert amounts(bill) == {"Requests": 1.00, "Duration": 105.33, "Ephemeral storage": 0.08}
    assert bill.total == 106.41


def test_page_pc_example_1_mobile_launch_from_usage() -> None:
    # PRICING_PAGE, Provisioned Concurrency "Example 1: Mobile application launch": PC 100 for
    # 8 h at 1536 MB; 500,000 requests at 100 ms with PC, 2.5M at 120 ms without.
    # $18 + $0.40 + $0.73 + $0.83 = $19.96 (free tier on requests and on-demand duration).
    bill = estimate_usage(
        requests=3_000_000,
        gb_seconds=gb_seconds(2_500_000 * 120, 1536),
        provisioned_gb_seconds=100 * 1536 / 1024 * 8 * 3600,
        provisioned_duration_gb_seconds=gb_seconds(500_000 * 100, 1536), free_tier=True)
    assert quantities(bill) == {
        "Requests": 2_000_000, "Duration": 50_000,
        "Duration (PC enabled)": 75_000, "Provisioned concurrency": 4_320_000,
    }
    assert amounts(bill) == {
        "Requests": 0.40, "Duration": 0.83,
        "Duration (PC enabled)": 0.73, "Provisioned concurrency": 18.00,
    }
    assert bill.total == 19.96


def test_page_pc_example_2_cyber_monday() -> None:
    # PRICING_PAGE, Provisioned Concurrency "Example 2: ... Cyber Monday": 2M requests, 280 ms,
    # 4096 MB, PC 7 for 24 h: $10.08 + $21.78 + $0.40 = $32.26. No free tier for a PC-enabled
    # function, so the default free_tier=True changes nothing.
    for free_tier in (True, False):
        bill = estimate(requests=2_000_000, avg_duration_ms=280, memory_mb=4096,
                        provisioned_concurrency=7, provisioned_hours=24, free_tier=free_tier)
        assert quantities(bill) == {
            "Requests": 2_000_000, "Duration (PC enabled)": 2_240_000,
            "Provisioned concurrency": 2_419_200,
        }
        assert amounts(bill) == {
            "Requests": 0.40, "Duration (PC enabled)": 21.78, "Provisioned concurrency": 10.08,
        }
        assert bill.total == 32.26


def test_page_arm_example_durable_functions_compute_and_requests() -> None:
    # PRICING_PAGE, Durable Functions pricing example (the page's Arm example): 1 GB Arm,
    # 32,000,000 GB-s - 400,000 free = 31.6M x $0.0000133334 = $421.34; 2M requests - 1M free
    # = $0.20. (Its durable-operation and storage lines are not Lambda compute: not modelled.)
    bill = estimate(requests=2_000_000, avg_duration_ms=16_000, memory_mb=1024,
                    architecture="arm64", free_tier=True)
    assert quantities(bill) == {"Requests": 1_000_000, "Duration": 31_600_000}
    assert amounts(bill) == {"Requests": 0.20, "Duration": 421.34}
    usage = estimate_usage(requests=2_000_000, gb_seconds=32_000_000, architecture="arm64",
                           free_tier=True)
    assert usage.lines == bill.lines


def test_page_response_streaming_example_compute_and_requests() -> None:
    # PRICING_PAGE, HTTP response streaming example: 3M requests, 500 ms, 1536 MB, x86:
    # 1,850,000 GB-s -> $30.83 and $0.40 (its bytes-streamed line is not modelled).
    bill = estimate(requests=3_000_000, avg_duration_ms=500, memory_mb=1536, free_tier=True)
    assert amounts(bill) == {"Requests": 0.40, "Duration": 30.83}


def test_legacy_page_example_1_with_its_own_price_table() -> None:
    # [S17] legacy PRICING_PAGE, Example 1: 512 MB, 3M x 1 s at $0.00001667/GB-s:
    # 1,100,000 GB-s -> $18.34, + $0.40 = $18.74. Today's rate gives $18.33.
    legacy = dataclasses.replace(
        PRICE_TABLE,
        source="[S17] legacy " + PRICING_PAGE,
        x86_64=dataclasses.replace(PRICE_TABLE.x86_64,
                                   duration_tiers=(DurationTier(None, 0.00001667),)),
    )
    old = estimate(requests=3_000_000, avg_duration_ms=1000, memory_mb=512, prices=legacy,
                   free_tier=True)
    assert amounts(old) == {"Requests": 0.40, "Duration": 18.34}
    assert old.total == 18.74
    assert "[S17]" in old.notes[0]
    now = estimate(requests=3_000_000, avg_duration_ms=1000, memory_mb=512, free_tier=True)
    assert amounts(now)["Duration"] == 18.33


# --- free tier ----------------------------------------------------------------------------


def test_free_tier_off_bills_everything() -> None:
    bill = estimate(requests=3_000_000, avg_duration_ms=120, memory_mb=1536, free_tier=False)
    # 3M x $0.20/M = $0.60; 540,000 x $0.0000166667 = $9.000018 -> $9.00
    assert amounts(bill) == {"Requests": 0.60, "Duration": 9.00}
    assert bill.total == 9.60
    assert "free tier not applied" in bill.notes


def test_usage_exactly_at_the_free_tier_costs_nothing() -> None:
    # 1M requests x 400 ms x 1 GB = 400,000 GB-s: exactly the allowance [S16]
    bill = estimate(requests=1_000_000, avg_duration_ms=400, memory_mb=1024, free_tier=True)
    assert quantities(bill) == {"Requests": 0, "Duration": 0}
    assert bill.total == 0.0
    assert any(note.startswith("free tier applied: 1M requests, 400,000 GB-s") for note in
               bill.notes)
    over = estimate(requests=1_100_000, avg_duration_ms=400, memory_mb=1024, free_tier=True)
    assert quantities(over) == {"Requests": 100_000, "Duration": 40_000}
    assert amounts(over) == {"Requests": 0.02, "Duration": 0.67}


def test_free_tier_never_reduces_provisioned_lines() -> None:
    bill = estimate_usage(requests=0, gb_seconds=0, provisioned_gb_seconds=100_000,
                          provisioned_duration_gb_seconds=100_000, free_tier=True)
    # 100,000 x $0.0000097222 = $0.97222; 100,000 x $0.0000041667 = $0.41667
    assert amounts(bill) == {
        "Requests": 0.0, "Duration (PC enabled)": 0.97, "Provisioned concurrency": 0.42,
    }


def test_pc_enabled_function_gets_no_free_tier_and_says_why() -> None:
    bill = estimate(requests=500_000, avg_duration_ms=100, memory_mb=1024,
                    provisioned_concurrency=1, provisioned_hours=1, free_tier=True)
    assert quantities(bill)["Requests"] == 500_000  # not reduced by the 1M free requests
    assert any("does not apply to functions with provisioned concurrency" in n
               for n in bill.notes)
    assert "free tier not applied" not in bill.notes


def test_provisioned_concurrency_needs_both_count_and_hours() -> None:
    plain = estimate(requests=2_000_000, avg_duration_ms=50, memory_mb=256, free_tier=True)
    for pc, hours in ((5, 0), (0, 8)):
        bill = estimate(requests=2_000_000, avg_duration_ms=50, memory_mb=256,
                        provisioned_concurrency=pc, provisioned_hours=hours, free_tier=True)
        assert bill.lines == plain.lines
        assert any(note.startswith("provisioned concurrency ignored") for note in bill.notes)


# --- billing granularity -------------------------------------------------------------------


def test_duration_is_rounded_up_to_one_ms() -> None:
    rounded = estimate(requests=60_000_000, avg_duration_ms=27.4, memory_mb=1024,
                       free_tier=False)
    whole = estimate(requests=60_000_000, avg_duration_ms=28, memory_mb=1024, free_tier=False)
    assert rounded.lines == whole.lines
    assert quantities(whole)["Duration"] == 1_680_000  # 60M x 0.028 s x 1 GB
    assert any("27.4 ms billed as 28 ms" in note for note in rounded.notes)


def test_provisioned_time_is_rounded_up_to_five_minutes() -> None:
    bill = estimate(requests=0, avg_duration_ms=100, memory_mb=1024,
                    provisioned_concurrency=10, provisioned_hours=8 + 1 / 60, free_tier=True)
    assert quantities(bill)["Provisioned concurrency"] == 10 * 1 * (8 * 60 + 5) * 60
    assert any("billed as 485 min" in note for note in bill.notes)


# --- duration tiers ------------------------------------------------------------------------


def _duration_amounts(gbs: float, architecture: str = "x86_64", free_tier: bool = False
                      ) -> list[float]:
    bill = estimate_usage(requests=0, gb_seconds=gbs, architecture=architecture,
                          free_tier=free_tier)
    return [line.amount for line in bill.lines if line.name.startswith("Duration")]


def test_x86_tier_boundaries() -> None:
    assert _duration_amounts(6e9) == [100_000.20]  # 6B x $0.0000166667, all in tier 1
    assert _duration_amounts(6e9 + 1e6) == [100_000.20, 15.00]  # 1M GB-s at $0.000015
    # 6B + 9B + 1B: $100,000.20 + $135,000.00 + 1B x $0.0000133334
    assert _duration_amounts(16e9) == [100_000.20, 135_000.00, 13_333.40]


def test_arm_tier_boundaries() -> None:
    assert _duration_amounts(7.5e9, "arm64") == [100_000.50]
    # 11.25B x $0.0000120001 = $135,001.125 -> $135,001.13 (half up); 1.25B x $0.0000106667
    assert _duration_amounts(20e9, "arm64") == [100_000.50, 135_001.13, 13_333.38]


def test_tier_lines_are_named_with_their_bounds() -> None:
    bill = estimate_usage(requests=0, gb_seconds=20e9, architecture="arm64", free_tier=True)
    names = [line.name for line in bill.lines]
    assert names == ["Requests", "Duration", "Duration, tier 2 (7.5B–18.75B GB-s)",
                     "Duration, tier 3 (over 18.75B GB-s)"]
    assert any("duration tiers apply" in note for note in bill.notes)


def test_free_tier_covers_the_first_gb_seconds_of_tier_1() -> None:
    assert _duration_amounts(6e9, free_tier=True) == [99_993.53]  # (6B - 400k) x tier-1 rate
    assert _duration_amounts(6e9 + 1e6, free_tier=True) == [99_993.53, 15.00]


def test_tiers_are_per_architecture() -> None:
    # 7B GB-s: past the x86 6B boundary, inside Arm's first 7.5B
    assert len(_duration_amounts(7e9, "x86_64")) == 2
    assert len(_duration_amounts(7e9, "arm64")) == 1


# --- validation ----------------------------------------------------------------------------

MEMORY_RULE = "MemorySize must be between 128 and 10,240 MB (1 MB steps) [S3]"
TMP_RULE = "EphemeralStorage must be between 512 and 10,240 MB (1 MB steps) [S3]"
DURATION_RULE = "a finite number from 0 to 900,000 ms (Timeout is at most 900 s [S3])"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"memory_mb": 100}, "memory_mb=100 is not valid: " + MEMORY_RULE),
        ({"memory_mb": 10_241}, "memory_mb=10241 is not valid: " + MEMORY_RULE),
        ({"memory_mb": 256.5}, "memory_mb=256.5 is not valid: " + MEMORY_RULE),
        ({"architecture": "x86"},
         "architecture='x86' is not valid: Architectures must be one of 'x86_64', 'arm64'"),
        ({"ephemeral_storage_mb": 256}, "ephemeral_storage_mb=256 is not valid: " + TMP_RULE),
        ({"ephemeral_storage_mb": 20_000},
         "ephemeral_storage_mb=20000 is not valid: " + TMP_RULE),
        ({"avg_duration_ms": -1}, "avg_duration_ms=-1 is not valid: " + DURATION_RULE),
        ({"avg_duration_ms": 900_001}, "avg_duration_ms=900001 is not valid: " + DURATION_RULE),
        ({"requests": -1}, "requests=-1 is not valid: an integer of at least 0"),
        ({"requests": 1.5}, "requests=1.5 is not valid: an integer of at least 0"),
        ({"provisioned_concurrency": -2},
         "provisioned_concurrency=-2 is not valid: an integer of at least 0"),
        ({"provisioned_hours": math.inf},
         "provisioned_hours=inf is not valid: a finite number of at least 0"),
    ],
)
def test_estimate_rejects_bad_input_naming_field_value_and_range(
    kwargs: dict[str, object], message: str
) -> None:
    args: dict[str, object] = {"requests": 1000, "avg_duration_ms": 100, "memory_mb": 128}
    args.update(kwargs)
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        estimate(**args)  # type: ignore[arg-type]


def test_other_functions_reject_bad_input() -> None:
    with pytest.raises(ValueError,
                       match=r"^gb_seconds=-1\.0 is not valid: a finite number of at least 0$"):
        estimate_usage(requests=1, gb_seconds=-1.0, free_tier=True)
    with pytest.raises(ValueError, match="^architecture='arm' is not valid: Architectures must "
                       "be one of 'x86_64', 'arm64'$"):
        estimate_usage(requests=1, gb_seconds=1.0, architecture="arm", free_tier=True)
    with pytest.raises(ValueError, match="billed_ms_total"):
        gb_seconds(-5, 128)
    with pytest.raises(ValueError, match="hourly_price"):
        always_on_cost(instances=1, hourly_price=-0.1)
    with pytest.raises(ValueError, match=r"^instances=1\.5 is not valid: an integer of at least "
                       r"0$"):
        always_on_cost(instances=1.5, hourly_price=0.1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="monthly_fixed_cost"):
        break_even_requests(avg_duration_ms=100, memory_mb=128, monthly_fixed_cost=math.nan,
                            free_tier=True)
    with pytest.raises(ValueError, match="^memory_mb=64 is not valid: " + re.escape(MEMORY_RULE)):
        break_even_requests(avg_duration_ms=100, memory_mb=64, monthly_fixed_cost=10,
                            free_tier=True)


def test_sizes_may_be_integral_floats_but_counts_must_be_integers() -> None:
    as_float = estimate(requests=10, avg_duration_ms=1, memory_mb=256.0,
                        free_tier=True)  # type: ignore[arg-type]
    assert as_float == estimate(requests=10, avg_duration_ms=1, memory_mb=256, free_tier=True)
    with pytest.raises(ValueError, match=r"^requests=10\.0 is not valid: an integer"):
        estimate(requests=10.0, avg_duration_ms=1, memory_mb=256,
                 free_tier=True)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="^memory_mb=True is not valid"):
        estimate(requests=10, avg_duration_ms=1, memory_mb=True, free_tier=True)


# --- always-on fleet and break-even --------------------------------------------------------


def test_always_on_cost_is_instances_times_price_times_hours() -> None:
    assert always_on_cost(instances=2, hourly_price=0.0416) == 60.74  # 2 x 0.0416 x 730
    assert always_on_cost(instances=3, hourly_price=0.10, hours=24) == 7.20
    assert always_on_cost(instances=0, hourly_price=5.0) == 0.0


def test_break_even_is_exact_to_one_request() -> None:
    fixed = always_on_cost(instances=2, hourly_price=0.0416)
    n = break_even_requests(avg_duration_ms=120, memory_mb=1536, monthly_fixed_cost=fixed,
                            free_tier=True)

    def bill(r: int) -> float:
        return estimate(requests=r, avg_duration_ms=120, memory_mb=1536, free_tier=True).total

    assert bill(n - 1) < fixed <= bill(n)
    assert 20_000_000 < n < 40_000_000  # ~$2.7 per 3M requests, so a few tens of millions


def test_break_even_of_nothing_is_zero_and_free_tier_moves_it() -> None:
    assert break_even_requests(avg_duration_ms=100, memory_mb=128, monthly_fixed_cost=0,
                               free_tier=True) == 0
    with_free = break_even_requests(avg_duration_ms=100, memory_mb=128, monthly_fixed_cost=5,
                                    free_tier=True)
    without = break_even_requests(avg_duration_ms=100, memory_mb=128, monthly_fixed_cost=5,
                                  free_tier=False)
    assert without < with_free
    assert estimate(requests=without, avg_duration_ms=100, memory_mb=128,
                    free_tier=False).total >= 5


def test_break_even_out_of_reach_raises_instead_of_looping() -> None:
    free = dataclasses.replace(
        PRICE_TABLE, request_price_per_million=0.0,
        x86_64=dataclasses.replace(PRICE_TABLE.x86_64, duration_tiers=(DurationTier(None, 0.0),)),
    )
    with pytest.raises(ValueError, match="monthly_fixed_cost=1.0 is out of reach"):
        break_even_requests(avg_duration_ms=100, memory_mb=128, monthly_fixed_cost=1.0,
                            prices=free, free_tier=True)


@settings(max_examples=25, deadline=None)
@given(
    low=st.floats(0, 500, allow_nan=False),
    extra=st.floats(0.01, 500, allow_nan=False),
    arch=st.sampled_from(["x86_64", "arm64"]),
)
def test_break_even_grows_with_the_fixed_cost(low: float, extra: float, arch: str) -> None:
    a = break_even_requests(avg_duration_ms=50, memory_mb=512, monthly_fixed_cost=low,
                            architecture=arch, free_tier=True)
    b = break_even_requests(avg_duration_ms=50, memory_mb=512, monthly_fixed_cost=low + extra,
                            architecture=arch, free_tier=True)
    assert a <= b


# --- properties ----------------------------------------------------------------------------

_config = st.fixed_dictionaries(
    {
        "memory_mb": st.integers(128, 10_240),
        "architecture": st.sampled_from(["x86_64", "arm64"]),
        "ephemeral_storage_mb": st.integers(512, 10_240),
        "free_tier": st.booleans(),
    }
)


@settings(max_examples=200, deadline=None)
@given(
    config=_config,
    requests=st.integers(0, 10**11),
    more_requests=st.integers(0, 10**10),
    duration=st.floats(0, 900_000, allow_nan=False),
    more_duration=st.floats(0, 900_000, allow_nan=False),
)
def test_bill_never_decreases_when_requests_or_duration_grow(
    config: dict, requests: int, more_requests: int, duration: float, more_duration: float
) -> None:
    longer = min(900_000.0, duration + more_duration)
    base = estimate(requests=requests, avg_duration_ms=duration, **config).total
    assert estimate(requests=requests + more_requests, avg_duration_ms=duration,
                    **config).total >= base
    assert estimate(requests=requests, avg_duration_ms=longer, **config).total >= base


@settings(max_examples=150, deadline=None)
@given(
    config=_config,
    requests=st.integers(0, 10**10),
    duration=st.floats(0, 900_000, allow_nan=False),
    pc=st.integers(0, 3000),
    hours=st.floats(0, 744, allow_nan=False),
)
def test_every_line_is_its_product_rounded_to_the_cent_and_total_is_their_sum(
    config: dict, requests: int, duration: float, pc: int, hours: float
) -> None:
    bill = estimate(requests=requests, avg_duration_ms=duration, provisioned_concurrency=pc,
                    provisioned_hours=hours, **config)
    for line in bill.lines:
        exact = Decimal(repr(line.quantity)) * Decimal(repr(line.unit_price))
        assert line.amount == float(exact.quantize(Decimal("0.01"), ROUND_HALF_UP))
        assert line.quantity >= 0 and line.amount >= 0
    assert Decimal(repr(bill.total)) == sum(Decimal(repr(line.amount)) for line in bill.lines)


def test_arm_duration_is_cheaper_than_x86() -> None:
    x86 = estimate(requests=10_000_000, avg_duration_ms=200, memory_mb=1024, free_tier=True)
    arm = estimate(requests=10_000_000, avg_duration_ms=200, memory_mb=1024,
                   architecture="arm64", free_tier=True)
    assert amounts(arm)["Requests"] == amounts(x86)["Requests"]
    assert amounts(arm)["Duration"] < amounts(x86)["Duration"]


# --- presentation and metadata -------------------------------------------------------------


def test_table_lists_every_line_total_and_notes() -> None:
    bill = estimate(requests=6_000_000, avg_duration_ms=280, memory_mb=4096,
                    ephemeral_storage_mb=2048, free_tier=True)
    text = bill.table()
    assert str(bill) == text
    lines = text.splitlines()
    assert lines[0].split() == ["Item", "Quantity", "Unit", "Unit", "price", "Amount"]
    assert any(row.startswith("Requests") and row.endswith("$1.00") for row in lines)
    assert any(row.startswith("Duration") and "6,320,000" in row and row.endswith("$105.33")
               for row in lines)
    assert any(row.startswith("Ephemeral storage") and "2,520,000" in row for row in lines)
    assert any(row.startswith("Total") and row.endswith("$106.41") for row in lines)
    assert "$0.20 per 1M" in text and "$0.0000166667 per GB-s" in text
    assert all(f"* {note}" in lines for note in bill.notes)


def test_price_table_names_its_source_and_is_frozen() -> None:
    assert "[S16]" in PRICE_TABLE.source and PRICING_PAGE in PRICE_TABLE.source
    assert PRICE_TABLE.as_of == "2025-10-28"
    assert PRICE_TABLE.region == "us-east-1"
    x86, arm = PRICE_TABLE.rates("x86_64"), PRICE_TABLE.rates("arm64")
    assert [t.up_to_gb_seconds for t in x86.duration_tiers] == [6e9, 15e9, None]
    assert [t.up_to_gb_seconds for t in arm.duration_tiers] == [7.5e9, 18.75e9, None]
    with pytest.raises(dataclasses.FrozenInstanceError):
        PRICE_TABLE.region = "eu-west-1"  # type: ignore[misc]
    bill = estimate(requests=1, avg_duration_ms=1, memory_mb=128, free_tier=True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        bill.total = 1.0  # type: ignore[misc]
    assert bill.notes[0] == "prices: AWS Lambda us-east-1 x86_64, as of 2025-10-28 [S16]"


def test_gb_seconds_uses_1024_mb_per_gb() -> None:
    assert gb_seconds(3_000_000 * 120, 1536) == 540_000.0
    assert gb_seconds(1000, 1024) == 1.0
    assert gb_seconds(0, 10_240) == 0.0
