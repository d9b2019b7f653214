"""EventBridge scheduled rules: ``rate(...)`` and ``cron(...)`` in AWS's syntax, on the clock.

A :class:`Schedule` fires its target function with the exact scheduled event
(``lambdakit.events.eventbridge_scheduled``, facts §9 [S24][S2:services-cloudwatchevents.md])
through Lambda's asynchronous invoke path (retries, destinations, DLQ: facts §3.2 [S12]). It
re-arms itself with ``Platform.call_at`` after each firing, so it fires only while the platform
clock runs (``p.advance``). Times are UTC, as for EventBridge rules. A firing that the
target's resource-based policy (``lambdakit.function.iam``) refuses to ``events.amazonaws.com`` is
counted in ``failed`` (EventBridge's FailedInvocations) and not sent (lambdakit does not model
EventBridge's retries of it).

The syntax is EventBridge's, not Unix cron's (https://docs.aws.amazon.com/eventbridge/latest/
userguide/eb-scheduled-rule-pattern.html and .../eb-rate-expressions.html):

- ``rate(value unit)``: a positive whole number and ``minute|minutes|hour|hours|day|days``;
  the unit is singular when the value is 1 and plural otherwise (``rate(1 minute)``,
  ``rate(5 minutes)``). A rate starts when the rule is created: lambdakit fires first one
  period after creation (AWS gives no finer rule).
- ``cron(Minutes Hours Day-of-month Month Day-of-week Year)``: six fields; minutes 0-59, hours
  0-23, day-of-month 1-31, month 1-12 or JAN-DEC, day-of-week 1-7 or SUN-SAT (**1 is Sunday**,
  unlike Unix cron's 0), year 1970-2199. ``,`` lists, ``-`` ranges, ``*`` all, ``/``
  increments (``0/15`` = 0, 15, 30, 45). Exactly one of day-of-month and day-of-week must be
  ``?``. Day-of-month also takes ``L`` (last day), ``nW`` (weekday nearest day n) and ``LW``;
  day-of-week takes ``L`` (Saturday), ``nL`` (last day n of the month) and ``n#k`` (k-th day n;
  only one such expression in the field). lambdakit also accepts wrapping ranges (FRI-MON).

Example:
    >>> e = parse_expression("cron(0/15 * ? * MON-FRI *)")
    >>> from datetime import datetime, timezone
    >>> e.next_after(datetime(2026, 1, 2, 23, 50, tzinfo=timezone.utc))  # Friday -> Monday
    datetime.datetime(2026, 1, 5, 0, 0, tzinfo=datetime.timezone.utc)
    >>> parse_expression("rate(5 minute)")
    Traceback (most recent call last):
    ...
    lambdakit.errors.InvalidParameterValueException: ScheduleExpression='rate(5 minute)' is not valid: the unit must be plural when the value is greater than 1 (rate(5 minutes))
"""  # noqa: E501

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from .. import events
from ..errors import InvalidParameterValueException
from .base import Service

if TYPE_CHECKING:
    from ..platform import Platform

__all__ = ["Firing", "Schedule", "ScheduleExpression", "parse_expression"]

_UNITS = {"minute": 60, "hour": 3600, "day": 86400}
_MONTHS = {m.upper(): i for i, m in enumerate(calendar.month_abbr) if m}
_DAYS = {d: i for i, d in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), 1)}
_Spec = tuple[str, int, int, dict[str, int]]  # field name, low, high, names
_FIELDS: tuple[_Spec, ...] = (
    ("Minutes", 0, 59, {}), ("Hours", 0, 23, {}), ("Day-of-month", 1, 31, {}),
    ("Month", 1, 12, _MONTHS), ("Day-of-week", 1, 7, _DAYS), ("Year", 1970, 2199, {}))
_RULE_NAME = re.compile(r"[.\-_A-Za-z0-9]{1,64}")
_MAX_YEAR = 2199


def _bad(expr: str, rule: str) -> InvalidParameterValueException:
    return InvalidParameterValueException("ScheduleExpression", expr, rule)


# ---------------------------------------------------------------- parsing -------------------


@dataclass(frozen=True, slots=True)
class _Cron:
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    dom: tuple[str | int, ...] | None  # None = '?'; str items: 'L', 'LW', 'nW'
    months: frozenset[int]
    dow: tuple[str | int, ...] | None  # None = '?'; str items: 'L', 'nL', 'n#k'
    years: frozenset[int]


@dataclass(frozen=True, slots=True)
class ScheduleExpression:
    """A parsed ``rate(...)`` or ``cron(...)`` expression (see :func:`parse_expression`)."""

    text: str
    rate_s: int | None = None
    cron: _Cron | None = None

    def next_after(self, t: datetime, *, anchor: datetime | None = None) -> datetime | None:
        """The first firing strictly after ``t`` (UTC), or None if there is none (a cron whose
        years are over). A rate fires at ``anchor + k * period`` (anchor: rule creation;
        default ``t``)."""
        if self.rate_s is not None:
            start = t if anchor is None else anchor
            k = max(1, int((t - start).total_seconds() // self.rate_s) + 1)
            return start + timedelta(seconds=k * self.rate_s)
        assert self.cron is not None
        return _next_cron(self.cron, t)


def parse_expression(text: str) -> ScheduleExpression:
    """Parse an EventBridge schedule expression, or raise InvalidParameterValueException
    naming the expression and the rule it breaks.

    >>> parse_expression("rate(1 hour)").rate_s
    3600
    >>> parse_expression("cron(0 12 * * * *)")
    Traceback (most recent call last):
    ...
    lambdakit.errors.InvalidParameterValueException: ScheduleExpression='cron(0 12 * * * *)' is not valid: one of Day-of-month and Day-of-week must be '?' (got '*' and '*')
    """  # noqa: E501
    if not isinstance(text, str):
        raise _bad(text, "a string: 'rate(value unit)' or 'cron(fields)'")
    m = re.fullmatch(r"(rate|cron)\((.*)\)", text.strip())
    if m is None:
        raise _bad(text, "must be 'rate(value unit)' or 'cron(fields)' (EventBridge rules "
                         "have no 'at(...)': that is EventBridge Scheduler)")
    if m.group(1) == "rate":
        return ScheduleExpression(text, rate_s=_parse_rate(text, m.group(2)))
    return ScheduleExpression(text, cron=_parse_cron(text, m.group(2)))


def _parse_rate(text: str, body: str) -> int:
    parts = body.split()
    if len(parts) != 2:
        raise _bad(text, "a rate has two fields: rate(value unit), e.g. rate(5 minutes)")
    value, unit = parts
    if not value.isdigit() or int(value) < 1:
        raise _bad(text, f"the value must be a positive whole number (got {value!r})")
    n, singular = int(value), unit.rstrip("s") if unit.endswith("s") else unit
    if singular not in _UNITS:
        raise _bad(text, f"the unit must be minute, minutes, hour, hours, day or days "
                         f"(got {unit!r})")
    if n == 1 and unit != singular:
        raise _bad(text, f"the unit must be singular when the value is 1 (rate(1 {singular}))")
    if n > 1 and unit == singular:
        raise _bad(text, f"the unit must be plural when the value is greater than 1 "
                         f"(rate({n} {singular}s))")
    return n * _UNITS[singular]


def _parse_cron(text: str, body: str) -> _Cron:
    parts = body.split()
    if len(parts) != 6:
        raise _bad(text, "a cron has six fields: Minutes Hours Day-of-month Month Day-of-week "
                         f"Year (got {len(parts)})")
    dom_text, dow_text = parts[2], parts[4]
    if (dom_text == "?") == (dow_text == "?"):
        raise _bad(text, "one of Day-of-month and Day-of-week must be '?' "
                         f"(got {dom_text!r} and {dow_text!r})")
    for i in (0, 1, 3, 5):
        if parts[i] == "?":
            raise _bad(text, f"'?' is allowed only in Day-of-month and Day-of-week, "
                             f"not in {_FIELDS[i][0]}")
    minutes, hours, months, years = (_numbers(text, parts[i], _FIELDS[i]) for i in (0, 1, 3, 5))
    dom = None if dom_text == "?" else _special(text, dom_text, _FIELDS[2], _DOM_SPECIAL)
    dow = None if dow_text == "?" else _special(text, dow_text, _FIELDS[4], _DOW_SPECIAL)
    if dow is not None and any("#" in str(x) for x in dow) and len(dow_text.split(",")) > 1:
        raise _bad(text, "with '#', Day-of-week holds a single expression (e.g. 3#2, not "
                         "3#1,6#3)")
    return _Cron(tuple(sorted(minutes)), tuple(sorted(hours)), dom, frozenset(months), dow,
                 frozenset(years))


_DOM_SPECIAL = re.compile(r"L|LW|([1-9]|[12]\d|3[01])W")
_DOW_SPECIAL = re.compile(r"L|([1-7])L|([1-7])#([1-5])")


def _special(text: str, field: str, spec: _Spec,
             pattern: re.Pattern[str]) -> tuple[str | int, ...]:
    """A day field: numbers as for other fields, plus its special items (L, W, #)."""
    name = spec[0]
    out: list[str | int] = []
    for item in field.split(","):
        upper = item.upper()
        if name == "Day-of-week":  # SUN..SAT -> 1..7, so FRI#2 and MON-FRI work too
            upper = re.sub(r"[A-Z]{3}", lambda m: str(_DAYS.get(m.group(), m.group())), upper)
        if pattern.fullmatch(upper):
            out.append(upper)
        elif re.search(r"[LW#]", upper):
            allowed = "L, nW, LW" if name == "Day-of-month" else "L, nL, n#k (k 1-5)"
            raise _bad(text, f"{name} item {item!r} is not valid (its special forms: {allowed})")
        else:
            out.extend(sorted(_numbers(text, upper, spec)))
    return tuple(out)


def _numbers(text: str, field: str, spec: _Spec) -> set[int]:
    """The values of a list of ``*``, ``n``, ``a-b`` and ``x/step`` items (names allowed)."""
    name, lo, hi, names = spec
    out: set[int] = set()
    for item in field.split(","):
        base, _, step_text = item.partition("/")
        step = 1
        if step_text:
            if not step_text.isdigit() or int(step_text) < 1:
                raise _bad(text, f"{name} increment {item!r} needs a positive whole step")
            step = int(step_text)
        if base == "*":
            start, end = lo, hi
        elif "-" in base:
            a, _, b = base.partition("-")
            start, end = _value(text, a, spec), _value(text, b, spec)
        else:
            start = _value(text, base, spec)
            end = hi if step_text else start
        if start > end and name == "Year":
            raise _bad(text, f"Year range {base!r} runs backwards")
        span = (end - start) % (hi - lo + 1) if start > end else end - start
        out |= {lo + (start - lo + k) % (hi - lo + 1) for k in range(0, span + 1, step)}
    return out


def _value(text: str, token: str, spec: _Spec) -> int:
    name, lo, hi, names = spec
    if token.upper() in names:
        return names[token.upper()]
    if not token.isdigit() or not lo <= int(token) <= hi:
        alt = {"Month": " or JAN-DEC", "Day-of-week": " or SUN-SAT"}.get(name, "")
        shown = f"{lo}-{hi}{alt}"
        raise _bad(text, f"{name} value {token!r} is not in {shown}")
    return int(token)


# ---------------------------------------------------------------- evaluation ----------------


def _next_cron(c: _Cron, t: datetime) -> datetime | None:
    start = (t + timedelta(minutes=1)).replace(second=0, microsecond=0)
    day = start.date()
    first = True
    while day.year <= _MAX_YEAR:
        if day.year not in c.years:
            later = [y for y in c.years if y > day.year]
            if not later:
                return None
            day, first = day.replace(year=min(later), month=1, day=1), False
            continue
        if day.month not in c.months:
            day = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
            first = False
            continue
        if _day_matches(c, day.year, day.month, day.day):
            after = (start.hour, start.minute) if first else (0, 0)
            for h in c.hours:
                for m in c.minutes:
                    if (h, m) >= after:
                        return datetime(day.year, day.month, day.day, h, m, tzinfo=timezone.utc)
        day, first = day + timedelta(days=1), False
    return None


def _day_matches(c: _Cron, y: int, mo: int, d: int) -> bool:
    last = calendar.monthrange(y, mo)[1]
    if c.dom is not None:
        return any(_dom_item(x, y, mo, d, last) for x in c.dom)
    dow = (calendar.weekday(y, mo, d) + 1) % 7 + 1  # Python Monday=0 -> AWS Sunday=1
    assert c.dow is not None
    for x in c.dow:
        if isinstance(x, int):
            if x == dow:
                return True
        elif x == "L":
            if dow == 7:
                return True
        elif x.endswith("L"):
            if int(x[:-1]) == dow and d + 7 > last:
                return True
        else:
            n, k = map(int, x.split("#"))
            if n == dow and (d - 1) // 7 + 1 == k:
                return True
    return False


def _dom_item(x: str | int, y: int, mo: int, d: int, last: int) -> bool:
    if isinstance(x, int):
        return x == d
    if x == "L":
        return d == last
    target = last if x == "LW" else int(x[:-1])
    return target <= last and d == _nearest_weekday(y, mo, target, last)


def _nearest_weekday(y: int, mo: int, n: int, last: int) -> int:
    wd = calendar.weekday(y, mo, n)  # Monday=0
    if wd == 5:  # Saturday: Friday before, or Monday after if that leaves the month
        return n - 1 if n > 1 else n + 2
    if wd == 6:  # Sunday: Monday after, or Friday before if that leaves the month
        return n + 1 if n < last else n - 2
    return n


# ---------------------------------------------------------------- the rule -------------------


@dataclass(frozen=True, slots=True)
class Firing:
    """One scheduled event sent (``event_index``: see ``Platform.event_status``)."""

    time_s: float
    request_id: str
    event_index: int


class Schedule(Service):
    """An EventBridge rule with a schedule expression and one Lambda target.

    >>> from lambdakit import Platform
    >>> p = Platform(seed=0)
    >>> _ = p.create_function("tick", handler=lambda event, context: None)
    >>> s = Schedule(p, "every-5-min", "rate(5 minutes)", target="tick")
    >>> p.advance(1200); [f.time_s for f in s.fires]
    [300.0, 600.0, 900.0, 1200.0]
    >>> s.arn
    'arn:aws:events:us-east-1:123456789012:rule/every-5-min'
    """

    kind = "events"
    default_latency_s = 0.0  # a rule makes no calls a handler waits for
    rng_key = 303
    principal = "events.amazonaws.com"

    def __init__(self, platform: Platform, name: str, expression: str, target: str, *,
                 qualifier: str | None = None, enabled: bool = True) -> None:
        if not isinstance(name, str) or not _RULE_NAME.fullmatch(name):
            raise InvalidParameterValueException("Name", name,
                                                 "1-64 letters, digits, '.', '-' and '_'")
        self.expression = parse_expression(expression)
        platform.get_function(target)  # ResourceNotFoundException if unknown
        super().__init__(platform, name)
        self.target, self.qualifier = target, qualifier
        self.fires: list[Firing] = []
        self.failed: list[float] = []  # firings the target's policy refused (AccessDenied)
        self.created_s = self.platform.now
        self.next_fire_s: float | None = None
        self._epoch = datetime.fromtimestamp(self.platform.epoch_s, tz=timezone.utc)
        self._generation = 0
        self.enabled = False
        if enabled:
            self.enable()

    @property
    def arn(self) -> str:
        """``arn:aws:events:<region>:<account>:rule/<name>``."""
        return f"arn:aws:events:{self.platform.region}:{self.platform.account_id}:rule/{self.name}"

    def enable(self) -> None:
        """Start (or resume) firing from the current time."""
        if self.enabled:
            return
        self.enabled = True
        self._generation += 1
        self._arm(self.platform.now)

    def disable(self) -> None:
        """Stop firing; the pending firing is dropped (events already sent still run)."""
        self.enabled = False
        self._generation += 1
        self.next_fire_s = None

    def upcoming(self, count: int = 5) -> list[float]:
        """The next ``count`` firing times (virtual seconds), without firing anything."""
        out: list[float] = []
        t = self.platform.now
        while len(out) < count:
            nxt = self._next(t)
            if nxt is None:
                break
            out.append(nxt)
            t = nxt
        return out

    def _next(self, t: float) -> float | None:
        anchor = self._epoch + timedelta(seconds=self.created_s)
        nxt = self.expression.next_after(self._epoch + timedelta(seconds=t), anchor=anchor)
        return None if nxt is None else (nxt - self._epoch).total_seconds()

    def _arm(self, t: float) -> None:
        self.next_fire_s = self._next(t)
        if self.next_fire_s is not None:
            self.platform.call_at(self.next_fire_s, self._callback(self._generation))

    def _callback(self, generation: int) -> Callable[[float], None]:
        def fire(t: float) -> None:
            if generation != self._generation or not self.enabled:
                return
            if not self._may_invoke(self.target, self.arn, self.qualifier):
                self.failed.append(t)  # EventBridge's FailedInvocations; not sent
                self._arm(t)
                return
            ev = events.eventbridge_scheduled(rule=self.name, env=self._event_env(t))
            acc = self.platform.invoke_async(self.target, ev, qualifier=self.qualifier,
                                             source="eventbridge", at=t)
            self.fires.append(Firing(t, acc.request_id, acc.event))
            self._arm(t)
        return fire
