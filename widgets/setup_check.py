"""Is this kernel ready for the course? One table of ✓ / ✗ with what to do about each ✗.

``check_environment()`` runs in the first code cell of every chapter (handson-ml3's pattern).
It reads installed versions (no heavy imports), compares them with the minimums the project
declares, displays a small HTML table and returns an ``EnvironmentReport``. The report's text
form names no installed version, so it is identical on every machine that passes (nbval checks
it). ``check_widgets()`` proves the other half: the browser draws widgets and they talk back.

Example:
    >>> report = check_environment(show=False)
    >>> report.ok
    True
    >>> print(repr(report).splitlines()[0])
    Environment check: all 5 requirements met
"""

from __future__ import annotations

import html
import importlib
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from widgets._display import Shown

__all__ = ["MINIMUMS", "EnvironmentReport", "Requirement", "check_environment", "check_widgets"]

#: What the course needs; mirrors pyproject's ``requires-python`` and ``[course]`` extra.
#: anywidget matters because plotly >= 6 needs it for ``FigureWidget`` (JUPYTER-NOTES trap 1).
MINIMUMS: dict[str, str] = {
    "python": "3.10",
    "lambdakit": "0.1.0",
    "ipywidgets": "8.1",
    "plotly": "6.0",
    "anywidget": "0.9",
}

_MAKE_LAB = "run `make lab` from the repository root (it builds .venv and opens the course)"
_PIP = "or, inside this kernel's environment: `pip install -e '.[course]'`"
_FIXES: dict[str, str] = {
    "python": "this kernel's Python is too old: " + _MAKE_LAB
    + " with a newer Python, e.g. `make lab PYTHON=python3.11`; on Binder this is automatic",
    "lambdakit": "this kernel does not see the course's package: " + _MAKE_LAB
    + ", or pick the kernel of the project's .venv; " + _PIP,
    "ipywidgets": _MAKE_LAB + "; " + _PIP,
    "plotly": _MAKE_LAB + "; " + _PIP,
    "anywidget": "plotly's FigureWidget needs anywidget: " + _MAKE_LAB + "; " + _PIP,
}


@dataclass(frozen=True)
class Requirement:
    """One row of the report: what is needed, what was found, and what to do if it is wrong.

    >>> Requirement("plotly", "6.0", "5.24.1").ok
    False
    """

    name: str
    minimum: str
    found: str | None

    @property
    def ok(self) -> bool:
        """True when installed and at least ``minimum``."""
        return self.found is not None and _version_key(self.found) >= _version_key(self.minimum)

    @property
    def fix(self) -> str:
        """What to do about it ('' when ok)."""
        if self.ok:
            return ""
        what = "not installed" if self.found is None else f"{self.found} is older than needed"
        return f"{self.name} {what} — {_FIXES.get(self.name, _MAKE_LAB + '; ' + _PIP)}"


@dataclass(frozen=True)
class EnvironmentReport(Shown):
    """The result of ``check_environment()``: rows, ``ok``, and a deterministic text form."""

    requirements: tuple[Requirement, ...]

    @property
    def ok(self) -> bool:
        """True when every requirement is met."""
        return all(r.ok for r in self.requirements)

    @property
    def problems(self) -> tuple[Requirement, ...]:
        """The requirements that are not met."""
        return tuple(r for r in self.requirements if not r.ok)

    def __repr__(self) -> str:
        n = len(self.requirements)
        head = (
            f"Environment check: all {n} requirements met"
            if self.ok
            else f"Environment check: {len(self.problems)} of {n} requirements NOT met"
        )
        lines = [head]
        for r in self.requirements:
            lines.append(f"{'✓' if r.ok else '✗'} {r.name} >= {r.minimum}")
            if not r.ok:
                lines.append(f"    fix: {r.fix}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(_html_row(r) for r in self.requirements)
        verdict = (
            "<b style='color:#1a7f37'>✓ Ready: every requirement is met.</b>"
            if self.ok
            else "<b style='color:#b35900'>✗ Not ready yet: fix the rows marked ✗, then "
            "restart the kernel (Kernel → Restart) and run this cell again.</b>"
        )
        return (
            "<div class='lk-env'>"
            "<table class='lk-env-table'><thead><tr>"
            + "".join(f"<th{_LEFT}>{h}</th>" for h in _HEADERS)
            + f"</tr></thead><tbody>{rows}</tbody></table>"
            f"<p>{verdict}</p></div>"
        )

    def _mimebundle(self) -> dict[str, str]:
        return {"text/plain": repr(self), "text/html": self._repr_html_()}


_LEFT = " style='text-align:left'"  # JupyterLab right-aligns table cells by default
_HEADERS = ("", "needs", "minimum", "found", "what to do")


def _html_row(r: Requirement) -> str:
    color, sign = ("#1a7f37", "✓") if r.ok else ("#b35900", "✗")
    mark = f"<span style='color:{color}'>{sign}</span>"
    # The found version sits in its own <code class="lk-found"> so nbval's sanitizer can mask it.
    found = html.escape(r.found) if r.found else "missing"
    fix = re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(r.fix, quote=False))
    cells = (mark, html.escape(r.name), f"≥ {html.escape(r.minimum)}",
             f'<code class="lk-found">{found}</code>', fix)
    return "<tr>" + "".join(f"<td{_LEFT}>{c}</td>" for c in cells) + "</tr>"


def _version_key(version: str) -> tuple[int, ...]:
    """Numeric release part of a version: '8.1.9' -> (8, 1, 9); '2.0rc1' -> (2, 0).

    >>> _version_key("0.11.0") > _version_key("0.9")
    True
    """
    m = re.match(r"\d+(?:\.\d+)*", version.strip())
    parts = [int(p) for p in m.group(0).split(".")] if m else [0]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def _installed(dist: str) -> str | None:
    """Installed version of ``dist``; lambdakit is imported, to prove this kernel can use it."""
    if dist == "lambdakit":
        try:
            module = importlib.import_module("lambdakit")
        except ImportError:
            return None
        return getattr(module, "__version__", None)  # None: a stale or shadowing install
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _python_version() -> str:
    return ".".join(str(p) for p in sys.version_info[:3])


def check_environment(
    *,
    show: bool = True,
    minimums: dict[str, str] | None = None,
    lookup: Callable[[str], str | None] | None = None,
) -> EnvironmentReport:
    """Check Python and the course packages against ``minimums``; display and return a report.

    ``lookup`` maps a distribution name to its installed version (or None); it exists for tests.

    >>> r = check_environment(show=False, lookup=lambda name: None)
    >>> r.ok, [p.name for p in r.problems]
    (False, ['lambdakit', 'ipywidgets', 'plotly', 'anywidget'])
    """
    wanted = MINIMUMS if minimums is None else minimums
    find = _installed if lookup is None else lookup
    rows = tuple(
        Requirement(name, minimum, _python_version() if name == "python" else find(name))
        for name, minimum in wanted.items()
    )
    report = EnvironmentReport(rows)
    if show:
        report.show()
    return report


def check_widgets(label: str = "Press me") -> Any:
    """A button whose clicks the kernel answers: proof that widgets draw *and* talk back.

    If you see text such as ``VBox(children=...`` instead of a button, the browser has no
    widget front end: open the course with ``make lab`` or on Binder.

    >>> box = check_widgets()
    >>> type(box).__name__, box.children[1].description
    ('VBox', 'Press me')
    """
    import ipywidgets as w

    intro = w.HTML("Widgets are live controls drawn by the browser and answered by the kernel.")
    button = w.Button(description=label, button_style="success", icon="check")
    answer = w.HTML("<i>Not pressed yet.</i>")
    clicks = [0]

    def _on_click(_: Any) -> None:
        clicks[0] += 1
        answer.value = (
            f"<b style='color:#1a7f37'>✓ The kernel answered press #{clicks[0]}:"
            " widgets work both ways.</b>"
        )

    button.on_click(_on_click)
    return w.VBox([intro, button, answer])

