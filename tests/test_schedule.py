"""Schedule (EventBridge rules): AWS's rate/cron syntax, errors, firing on the platform clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lambdakit import Platform, events
from lambdakit.errors import InvalidParameterValueException, ResourceNotFoundException
from lambdakit.services import Schedule, parse_expression

UTC = timezone.utc
T0 = datetime(2026, 1, 1, tzinfo=UTC)  # a Thursday; the platform's t = 0


def _times(expr: str, n: int = 3, start: datetime = T0) -> list[str]:
    e, out, t = parse_expression(expr), [], start
    for _ in range(n):
        nxt = e.next_after(t)
        if nxt is None:
            break
        out.append(nxt.strftime("%a %Y-%m-%d %H:%M"))
        t = nxt
    return out


# ---------------------------------------------------------------- syntax --------------------


@pytest.mark.parametrize(("expr", "expected"), [
    # the examples of the EventBridge user guide (eb-scheduled-rule-pattern.html)
    ("cron(0 10 * * ? *)", ["Thu 2026-01-01 10:00", "Fri 2026-01-02 10:00",
                            "Sat 2026-01-03 10:00"]),
    ("cron(15 12 * * ? *)", ["Thu 2026-01-01 12:15", "Fri 2026-01-02 12:15",
                             "Sat 2026-01-03 12:15"]),
    ("cron(0 18 ? * MON-FRI *)", ["Thu 2026-01-01 18:00", "Fri 2026-01-02 18:00",
                                  "Mon 2026-01-05 18:00"]),
    ("cron(0 8 1 * ? *)", ["Thu 2026-01-01 08:00", "Sun 2026-02-01 08:00",
                           "Sun 2026-03-01 08:00"]),
    ("cron(0/15 * * * ? *)", ["Thu 2026-01-01 00:15", "Thu 2026-01-01 00:30",
                              "Thu 2026-01-01 00:45"]),
    ("cron(0/10 * ? * MON-FRI *)", ["Thu 2026-01-01 00:10", "Thu 2026-01-01 00:20",
                                    "Thu 2026-01-01 00:30"]),
    ("cron(0/5 8-17 ? * MON-FRI *)", ["Thu 2026-01-01 08:00", "Thu 2026-01-01 08:05",
                                      "Thu 2026-01-01 08:10"]),
    ("cron(0 9 ? * 2#1 *)", ["Mon 2026-01-05 09:00", "Mon 2026-02-02 09:00",
                             "Mon 2026-03-02 09:00"]),
    ("cron(1/10 0 * * ? *)", ["Thu 2026-01-01 00:01", "Thu 2026-01-01 00:11",
                              "Thu 2026-01-01 00:21"]),
    # special characters
    ("cron(0 12 L * ? *)", ["Sat 2026-01-31 12:00", "Sat 2026-02-28 12:00",
                            "Tue 2026-03-31 12:00"]),
    ("cron(0 12 LW * ? *)", ["Fri 2026-01-30 12:00", "Fri 2026-02-27 12:00",
                             "Tue 2026-03-31 12:00"]),
    ("cron(0 12 3W * ? *)", ["Fri 2026-01-02 12:00", "Tue 2026-02-03 12:00",
                             "Tue 2026-03-03 12:00"]),  # Jan 3 2026 is a Saturday
    ("cron(0 12 1W * ? *)", ["Thu 2026-01-01 12:00", "Mon 2026-02-02 12:00",
                             "Mon 2026-03-02 12:00"]),  # Feb 1 is a Sunday: not Jan 30
    ("cron(0 12 ? * 6L *)", ["Fri 2026-01-30 12:00", "Fri 2026-02-27 12:00",
                             "Fri 2026-03-27 12:00"]),
    ("cron(0 12 ? * L *)", ["Sat 2026-01-03 12:00", "Sat 2026-01-10 12:00",
                            "Sat 2026-01-17 12:00"]),
    ("cron(0 0 ? * 1 *)", ["Sun 2026-01-04 00:00", "Sun 2026-01-11 00:00",
                           "Sun 2026-01-18 00:00"]),  # 1 is Sunday, unlike Unix cron
    ("cron(30 6 1,15 JAN,jul ? *)", ["Thu 2026-01-01 06:30", "Thu 2026-01-15 06:30",
                                     "Wed 2026-07-01 06:30"]),
    ("cron(0 0 29 2 ? *)", ["Tue 2028-02-29 00:00", "Sun 2032-02-29 00:00",
                            "Fri 2036-02-29 00:00"]),
    ("cron(0 0 1 1 ? 2027-2028)", ["Fri 2027-01-01 00:00", "Sat 2028-01-01 00:00"]),
    ("cron(0 0 1 1 ? 2020)", []),
    ("cron(0 22-2 ? * SAT *)", ["Sat 2026-01-03 00:00", "Sat 2026-01-03 01:00",
                                "Sat 2026-01-03 02:00"]),
])
def test_cron_examples(expr: str, expected: list[str]) -> None:
    assert _times(expr) == expected


def test_rate_syntax_and_firing_times() -> None:
    assert parse_expression("rate(1 minute)").rate_s == 60
    assert parse_expression("rate(5 minutes)").rate_s == 300
    assert parse_expression("rate(1 hour)").rate_s == 3600
    assert parse_expression("rate(2 days)").rate_s == 172_800
    e = parse_expression("rate(5 minutes)")
    created = T0 + timedelta(seconds=42)
    assert e.next_after(created, anchor=created) == created + timedelta(minutes=5)
    assert e.next_after(created + timedelta(minutes=7), anchor=created) == \
        created + timedelta(minutes=10)


@pytest.mark.parametrize(("expr", "rule"), [
    ("rate(1 minutes)", "singular when the value is 1"),
    ("rate(5 minute)", "plural when the value is greater than 1"),
    ("rate(1 hours)", "singular"),
    ("rate(0 minutes)", "positive whole number"),
    ("rate(1.5 hours)", "positive whole number"),
    ("rate(5 seconds)", "minute, minutes, hour"),
    ("rate(5)", "two fields"),
    ("cron(0 12 * * * *)", "one of Day-of-month and Day-of-week must be '?'"),
    ("cron(0 12 ? * ? *)", "one of Day-of-month and Day-of-week must be '?'"),
    ("cron(0 12 1 * MON *)", "one of Day-of-month and Day-of-week must be '?'"),
    ("cron(0 12 * * ?)", "six fields"),
    ("cron(0 12 * * ? * *)", "six fields"),
    ("cron(* * * * ?)", "six fields"),
    ("cron(60 * * * ? *)", "Minutes value '60'"),
    ("cron(0 24 * * ? *)", "Hours value '24'"),
    ("cron(0 0 32 * ? *)", "Day-of-month value '32'"),
    ("cron(0 0 ? 13 * *)", "Month value '13'"),
    ("cron(0 0 ? * 0 *)", "Day-of-week value '0'"),
    ("cron(0 0 ? * 8 *)", "Day-of-week value '8'"),
    ("cron(0 0 1 1 ? 1969)", "Year value '1969'"),
    ("cron(? 0 1 * ? *)", "'?' is allowed only in Day-of-month and Day-of-week"),
    ("cron(0 0 ? * 3#1,6#3 *)", "single expression"),
    ("cron(0 0 ? * 2#6 *)", "special forms"),
    ("cron(0 0 ? * 2W *)", "special forms"),
    ("cron(0 0 5#1 * ? *)", "special forms"),
    ("cron(0/0 * * * ? *)", "positive whole step"),
    ("cron(0 0 1 1 ? 2030-2027)", "runs backwards"),
    ("cron(0 0 ? * FUNDAY *)", "Day-of-week"),
    ("at(2026-01-01T00:00:00)", "EventBridge Scheduler"),
    ("every 5 minutes", "'rate(value unit)' or 'cron(fields)'"),
])
def test_invalid_expressions_name_the_expression_and_the_rule(expr: str, rule: str) -> None:
    with pytest.raises(InvalidParameterValueException) as err:
        parse_expression(expr)
    assert err.value.field == "ScheduleExpression" and err.value.value == expr
    assert rule in err.value.message and expr in err.value.message


# ---------------------------------------------------------------- the rule ------------------


def _platform(**kw: Any) -> tuple[Platform, list[dict[str, Any]]]:
    p = Platform(seed=21)
    seen: list[dict[str, Any]] = []
    p.create_function("tick", handler=lambda e, c: seen.append(e), **kw)
    return p, seen


def test_rate_schedule_fires_on_the_clock_with_the_scheduled_event() -> None:
    p, seen = _platform()
    p.advance(100.0)
    s = Schedule(p, "every-5-min", "rate(5 minutes)", target="tick")
    assert s.next_fire_s == 400.0 and s.upcoming(3) == [400.0, 700.0, 1000.0]
    p.advance(1000.0)
    assert [f.time_s for f in s.fires] == [400.0, 700.0, 1000.0]
    assert len(seen) == 3
    sample = events.eventbridge_scheduled()
    assert {k: type(v) for k, v in seen[0].items()} == {k: type(v) for k, v in sample.items()}
    assert seen[0]["time"] == "2026-01-01T00:06:40Z"  # t = 400 s
    assert seen[0]["resources"] == [s.arn] and seen[0]["detail"] == {}
    assert seen[0]["id"] != seen[1]["id"]
    assert set(p.records("tick").column("source")) == {"eventbridge"}
    assert list(p.records("tick").column("arrival_s")) == [400.0, 700.0, 1000.0]


def test_cron_schedule_fires_at_wall_clock_times() -> None:
    p, seen = _platform()
    s = Schedule(p, "quarter-hours", "cron(0/15 * * * ? *)", target="tick")
    p.advance(3600.0)
    assert [f.time_s for f in s.fires] == [900.0, 1800.0, 2700.0, 3600.0]
    assert [e["time"] for e in seen][-1] == "2026-01-01T01:00:00Z"


def test_disable_and_enable() -> None:
    p, seen = _platform()
    s = Schedule(p, "tick-rule", "rate(1 minute)", target="tick")
    p.advance(150.0)
    s.disable()
    assert s.next_fire_s is None
    p.advance(600.0)
    assert len(s.fires) == 2
    s.enable()
    s.enable()  # idempotent: no double firing
    p.advance(120.0)
    assert [f.time_s for f in s.fires] == [60.0, 120.0, 780.0, 840.0]
    off = Schedule(p, "off", "rate(1 minute)", target="tick", enabled=False)
    p.advance(300.0)
    assert off.fires == [] and len(seen) == len(s.fires)


def test_a_schedule_whose_years_are_over_stops() -> None:
    p, _ = _platform()
    s = Schedule(p, "past", "cron(0 0 1 1 ? 2025)", target="tick")
    assert s.next_fire_s is None and s.upcoming() == []


def test_failing_target_goes_through_async_retries_to_the_destination() -> None:
    failures: list[dict[str, Any]] = []
    p = Platform(seed=2)
    p.create_function("bad", handler=lambda e, c: 1 / 0, maximum_retry_attempts=0,
                      on_failure=failures)
    Schedule(p, "hourly", "rate(1 hour)", target="bad")
    p.advance(3 * 3600.0 + 10.0)
    assert p.event_outcomes() == {"dead-lettered": 3} and len(failures) == 3
    assert failures[0]["requestPayload"]["detail-type"] == "Scheduled Event"


def test_schedule_arguments_are_validated() -> None:
    p, _ = _platform()
    with pytest.raises(ResourceNotFoundException):
        Schedule(p, "r", "rate(1 minute)", target="missing")
    with pytest.raises(InvalidParameterValueException) as err:
        Schedule(p, "bad name!", "rate(1 minute)", target="tick")
    assert err.value.field == "Name"
    with pytest.raises(InvalidParameterValueException):
        Schedule(p, "r", "rate(1 minutes)", target="tick")
    assert p.service("events", "r") is None  # nothing registered on failure


def test_same_seed_same_event_ids() -> None:
    def ids() -> list[str]:
        p, seen = _platform()
        Schedule(p, "r", "rate(1 minute)", target="tick")
        p.advance(300.0)
        return [e["id"] for e in seen]

    assert ids() == ids()


# ---------------------------------------------------------------- property ------------------

_MINUTES = st.sets(st.integers(0, 59), min_size=1, max_size=4)
_HOURS = st.sets(st.integers(0, 23), min_size=1, max_size=4)
_DOWS = st.sets(st.integers(1, 7), min_size=1, max_size=3)


@settings(max_examples=30, deadline=None)
@given(minutes=_MINUTES, hours=_HOURS, dows=_DOWS, use_dom=st.booleans(),
       start_min=st.integers(0, 60 * 24 * 40))
def test_next_after_matches_a_brute_force_scan(minutes: set[int], hours: set[int],
                                               dows: set[int], use_dom: bool,
                                               start_min: int) -> None:
    doms = {d * 4 for d in dows}  # days 4..28 exist in every month
    day_field = (f"{','.join(map(str, sorted(doms)))} * ?" if use_dom
                 else f"? * {','.join(map(str, sorted(dows)))}")
    expr = (f"cron({','.join(map(str, sorted(minutes)))} "
            f"{','.join(map(str, sorted(hours)))} {day_field} *)")
    start = T0 + timedelta(minutes=start_min, seconds=17)

    def matches(t: datetime) -> bool:
        aws_dow = (t.weekday() + 1) % 7 + 1
        day_ok = t.day in doms if use_dom else aws_dow in dows
        return t.minute in minutes and t.hour in hours and day_ok

    t = start.replace(second=0) + timedelta(minutes=1)
    while not matches(t):
        t += timedelta(minutes=1)
    assert parse_expression(expr).next_after(start) == t


def test_firings_the_targets_policy_refuses_are_counted_not_sent() -> None:
    from lambdakit import iam

    p, seen = _platform()
    s = Schedule(p, "guarded", "rate(1 minute)", target="tick")
    iam.enforce_invoke_permissions(p)
    p.advance(120.0)
    assert s.failed == [60.0, 120.0] and s.fires == [] and seen == []
    iam.add_permission(p, "tick", "events.amazonaws.com", source_arn=s.arn)
    p.advance(60.0)
    assert [f.time_s for f in s.fires] == [180.0] and len(seen) == 1
