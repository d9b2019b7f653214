"""Is a person watching? Decide whether widgets may animate or must render their final state.

Animated widgets (``Playback``) play only in a *live* front end (JupyterLab, Notebook 7,
VS Code). When a notebook runs *headless* — papermill, ``nbconvert --execute``, nbval, a plain
script or a test — nobody can press Play, so they render the final state at once and never wait.

The rule, first match wins:

1. ``LAMBDAKIT_HEADLESS`` is set: ``1``/``true``/``yes``/``on`` → headless,
   ``0``/``false``/``no``/``off`` → live (the explicit override, e.g. for Voilà or CI scripts).
2. ``PAPERMILL_EXECUTION`` is set (any value) → headless.
3. No IPython kernel (plain Python, pytest, a terminal IPython) → headless.
4. The ipywidgets front end opened its ``jupyter.widget.control`` comm to this kernel → live.
5. The cell being run was sent with ``allow_stdin=False`` → headless. nbclient (so papermill
   and ``nbconvert --execute``) and nbval send ``False``; JupyterLab and Notebook 7 send
   ``True`` (``requestExecute`` defaults).
6. Otherwise → live.

The ``CI`` variable is deliberately ignored: a browser test runs a live JupyterLab on CI.
Decide once, when the widget is built (widget callbacks run outside any cell).

Example:
    >>> import os
    >>> os.environ["LAMBDAKIT_HEADLESS"] = "1"
    >>> is_headless()
    True
    >>> headless_reason()
    'LAMBDAKIT_HEADLESS=1'
    >>> del os.environ["LAMBDAKIT_HEADLESS"]
"""

from __future__ import annotations

import os
import sys
from typing import Any

__all__ = ["headless_reason", "is_headless"]

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def headless_reason() -> str | None:
    """Why this session is headless (a short phrase), or ``None`` when it is live.

    >>> os.environ["LAMBDAKIT_HEADLESS"] = "0"
    >>> headless_reason() is None
    True
    >>> del os.environ["LAMBDAKIT_HEADLESS"]
    """
    flag = os.environ.get("LAMBDAKIT_HEADLESS", "").strip().lower()
    if flag in _TRUE:
        return f"LAMBDAKIT_HEADLESS={os.environ['LAMBDAKIT_HEADLESS']}"
    if flag in _FALSE:
        return None
    if "PAPERMILL_EXECUTION" in os.environ:
        return "PAPERMILL_EXECUTION is set"
    kernel = _kernel()
    if kernel is None:
        return "no IPython kernel"
    if _widget_frontend_connected():
        return None
    if _allow_stdin(kernel) is False:
        return "executed without stdin (papermill, nbconvert or nbval)"
    return None


def is_headless() -> bool:
    """True when no one can interact with widgets: render final states, never block."""
    return headless_reason() is not None


def _kernel() -> Any:
    """The running ipykernel, or None."""
    if "IPython" not in sys.modules:
        return None
    from IPython import get_ipython

    shell = get_ipython()
    return getattr(shell, "kernel", None) if shell is not None else None


def _widget_frontend_connected() -> bool:
    """The widget manager of a front end asked this kernel for its widget states."""
    widget_mod = sys.modules.get("ipywidgets.widgets.widget")
    return getattr(getattr(widget_mod, "Widget", None), "_control_comm", None) is not None


def _allow_stdin(kernel: Any) -> bool | None:
    """``allow_stdin`` of the execute request being run, or None if unknown."""
    try:
        parent = kernel.get_parent("shell")
    except TypeError:  # older ipykernel: get_parent() without a channel
        parent = kernel.get_parent()
    except Exception:  # a kernel without parent tracking: unknown
        return None
    header = (parent or {}).get("header", {})
    if header.get("msg_type") != "execute_request":
        return None
    value = (parent or {}).get("content", {}).get("allow_stdin")
    return None if value is None else bool(value)
