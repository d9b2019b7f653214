"""Exercises with an automatic check that says *why* an answer is not right yet.

A check function receives the learner's answer (plus any context the notebook passes, such as
the logs the answer was read from) and returns ``passed(...)`` or ``hint(...)``. A hint must
point at something specific; ``hint("wrong")`` raises. ``Exercise.check(answer)`` displays a
green ✓ box or an orange hint box and returns the ``CheckResult`` (``.passed``, ``.message``).
Chapter checks live in ``widgets/checks/chNN.py``.

Example:
    >>> def _even(answer: int) -> CheckResult:
    ...     if answer % 2:
    ...         return hint(f"{answer} is odd: an even number leaves no remainder when halved.")
    ...     return passed("Even it is.")
    >>> ex = Exercise("even", _even, expects="a whole number")
    >>> ex.check(3, show=False).message
    '3 is odd: an even number leaves no remainder when halved.'
    >>> ex.check(..., show=False).passed
    False
"""

from __future__ import annotations

import html
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from widgets._display import Shown

__all__ = ["CheckResult", "Exercise", "hint", "passed"]

#: Verdicts that tell the learner nothing; a hint made only of one of these is refused.
_BARE_VERDICTS = frozenset(
    {"wrong", "incorrect", "no", "nope", "false", "try again", "not quite", "not correct", "error"}
)
_MIN_HINT_CHARS = 20


@dataclass(frozen=True)
class CheckResult(Shown):
    """Outcome of one check: ``passed`` and the ``message`` shown to the learner.

    >>> CheckResult(True, "Right.")
    ✓ Right.
    """

    passed: bool
    message: str
    title: str = ""

    def __repr__(self) -> str:
        prefix = "✓ " if self.passed else "Hint: "
        title = f"[{self.title}] " if self.title else ""
        return f"{prefix}{title}{self.message}"

    def _repr_html_(self) -> str:
        color, bg, css, mark = (
            ("#1a7f37", "#e9f7ef", "lk-pass", "✓")
            if self.passed
            else ("#b35900", "#fff4e5", "lk-hint", "Hint")
        )
        title = f"<b>{html.escape(self.title)}</b> · " if self.title else ""
        return (
            f"<div class='lk-check {css}' style='border-left:4px solid {color};background:{bg};"
            f"color:#222;padding:6px 10px;margin:2px 0'><b style='color:{color}'>{mark}</b> "
            f"{title}{_inline_code(self.message)}</div>"
        )

    def _mimebundle(self) -> dict[str, str]:
        return {"text/plain": repr(self), "text/html": self._repr_html_()}


def _inline_code(text: str) -> str:
    """Escape ``text`` for HTML and turn `backticks` into <code>.

    >>> _inline_code("copy `a<b`")
    'copy <code>a&lt;b</code>'
    """
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text, quote=False))


def passed(message: str) -> CheckResult:
    """A success, with a sentence that says what the learner now knows.

    >>> passed("Yes: 27 ms.").passed
    True
    """
    return CheckResult(True, message)


def hint(message: str) -> CheckResult:
    """A specific hint; refuses a bare verdict such as "wrong" (it must say what to look at).

    >>> hint("Look at the START line: the id follows `RequestId:`.").passed
    False
    >>> hint("Wrong!")
    Traceback (most recent call last):
    ...
    ValueError: a hint must say what to look at or why, not just 'Wrong!'
    """
    bare = re.sub(r"[^a-z ]", "", message.lower()).strip()
    if bare in _BARE_VERDICTS or len(message.strip()) < _MIN_HINT_CHARS:
        raise ValueError(f"a hint must say what to look at or why, not just {message!r}")
    return CheckResult(False, message)


Checker = Callable[..., CheckResult]


@dataclass(frozen=True)
class Exercise:
    """An exercise: a ``name``, its ``checker`` and what kind of answer it ``expects``.

    >>> Exercise("q", lambda a: passed("fine"), expects="a letter").check("x", show=False)
    ✓ [q] fine
    """

    name: str
    checker: Checker
    expects: str = "an answer"

    def check(self, answer: Any, /, *, show: bool = True, **context: Any) -> CheckResult:
        """Check ``answer`` (``...`` means not answered yet); display and return the result.

        ``context`` is passed to the checker (e.g. ``logs=...``).
        """
        if answer is Ellipsis:
            result = hint(f"Not answered yet: replace `...` with {self.expects}, then run again.")
        else:
            inspect.signature(self.checker).bind(answer, **context)  # wrong context: raise
            try:
                result = self.checker(answer, **context)
            except (TypeError, AttributeError) as exc:
                kind = type(answer).__name__
                result = hint(f"This check needs {self.expects}; it got a {kind} ({exc}).")
            if not isinstance(result, CheckResult):
                raise TypeError(f"checker {self.name!r} must return passed(...) or hint(...)")
        result = CheckResult(result.passed, result.message, title=self.name)
        if show:
            result.show()
        return result
