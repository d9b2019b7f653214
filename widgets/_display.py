"""Show a result object exactly once per cell, in Jupyter or in a plain terminal.

``check_environment()`` and ``Exercise.check()`` both *display* their result and *return* it.
If the call is also the cell's last expression, IPython would show it a second time. A
``Shown`` object remembers the cell (execution count) in which it was displayed and skips the
echo in that same cell; displaying it again in a later cell works normally.

Example:
    >>> class Note(Shown):
    ...     def _mimebundle(self) -> dict[str, str]:
    ...         return {"text/plain": "note", "text/html": "<b>note</b>"}
    >>> n = Note()
    >>> n.show()  # no IPython kernel here: prints the text form
    note
"""

from __future__ import annotations

from typing import Any

__all__ = ["Shown"]


def _shell() -> Any:
    """The running IPython shell, or None (plain Python, tests)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with every kernel
        return None
    return get_ipython()


class Shown:
    """Mixin: ``show()`` displays the rich form once; an echo in the same cell is skipped."""

    _shown_in: int | None = None

    def _mimebundle(self) -> dict[str, str]:  # pragma: no cover - subclasses override
        raise NotImplementedError

    def show(self) -> None:
        """Display now (rich in Jupyter, text elsewhere) and mute this cell's echo."""
        shell = _shell()
        if shell is None or not hasattr(shell, "display_pub"):
            print(self._mimebundle()["text/plain"])
            return
        from IPython.display import display

        display(self._mimebundle(), raw=True)
        object.__setattr__(self, "_shown_in", shell.execution_count)

    def _ipython_display_(self) -> None:
        shell = _shell()
        if shell is not None and self._shown_in == shell.execution_count:
            return  # already shown by show() in this very cell
        from IPython.display import display

        display(self._mimebundle(), raw=True)
