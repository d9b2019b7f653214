"""What surrounds a handler call in the simulated engine.

While a platform runs, a :class:`Sandbox` is installed. It

* routes the handler's ``print`` output and ``logging`` records to the current invocation's
  log buffer (other threads and code outside handlers print normally);
* makes ``time.sleep`` inside a handler *virtual*: it adds to the invocation's simulated
  duration instead of blocking (so ``time.sleep(2)`` "takes" two virtual seconds at once);
* gives each execution environment its own ``os.environ`` (the reserved variables of §6.3);
* stops a handler that runs longer in wall-clock time than its limit — a learner's
  ``while True: pass`` — by raising :class:`HandlerTimeout` inside it from a watchdog thread,
  so a notebook never hangs.

Example:
    >>> with Sandbox() as sb:
    ...     out = sb.call(lambda e, c: print("hi") or 42, {}, None, wall_limit_s=1.0,
    ...                   virtual_limit_s=3.0, environ={})
    >>> out.result, out.lines, out.error is None
    (42, [(0.0, None, 'hi')], True)
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, TextIO

_real_sleep = time.sleep
_active: list[Any] = []  # owners of the installed sandboxes, innermost last


def active_owner() -> Any:
    """The object (an engine) whose sandbox is running handler code now, or ``None``."""
    return _active[-1] if _active else None


class HandlerTimeout(BaseException):
    """Raised inside a handler that ran past its time limit.

    A ``BaseException``, so a handler's ``except Exception`` cannot swallow it."""


class CallOutcome:
    """What one handler call produced."""

    __slots__ = ("result", "error", "virtual_s", "wall_s", "lines", "timed_out", "touched")

    def __init__(self) -> None:
        self.result: Any = None
        self.error: BaseException | None = None
        self.virtual_s = 0.0
        self.touched = False  # set when the handler printed, logged or slept
        self.wall_s = 0.0
        # (virtual offset s, level or None for stdout, text)
        self.lines: list[tuple[float, str | None, str]] = []
        self.timed_out = False


class _Stdout:
    """``sys.stdout`` stand-in: handler output goes to the current call, the rest passes on."""

    def __init__(self, sandbox: Sandbox, real: TextIO) -> None:
        self._sb = sandbox
        self._real = real

    def write(self, s: str) -> int:
        sb = self._sb
        cur = sb.current
        if cur is not None and threading.get_ident() == sb.thread_id:
            sb.partial += s
            cur.touched = True
            if "\n" in sb.partial:
                *done, sb.partial = sb.partial.split("\n")
                cur.lines.extend((cur.virtual_s, None, line) for line in done)
            return len(s)
        return self._real.write(s)

    def flush(self) -> None:
        self._real.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class _LogHandler(logging.Handler):
    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__(logging.NOTSET)
        self._sb = sandbox

    def emit(self, record: logging.LogRecord) -> None:
        cur = self._sb.current
        if cur is not None and threading.get_ident() == self._sb.thread_id:
            cur.lines.append((cur.virtual_s, record.levelname, record.getMessage()))
            cur.touched = True


class Sandbox:
    """Install with ``with Sandbox() as sb:``; call handlers with :meth:`call`."""

    def __init__(self, tick_s: float = 0.02, owner: Any = None) -> None:
        self.owner = owner
        self.current: CallOutcome | None = None
        self.partial = ""
        self.thread_id = threading.get_ident()
        self._tick = tick_s
        self._lock = threading.Lock()
        self._active: object = 0  # token of the call running now (0: none); watchdog times it
        self._wall_limit = 0.0
        self._virtual_limit = 0.0
        self._token = 0
        self._stop = threading.Event()
        self._depth = 0

    # -- installation -------------------------------------------------------------------
    def __enter__(self) -> Sandbox:
        self._depth += 1
        if self._depth > 1:
            return self
        _active.append(self.owner)
        self.thread_id = threading.get_ident()
        self._saved = (sys.stdout, time.sleep, os.environ, tempfile.tempdir)
        sys.stdout = _Stdout(self, sys.stdout)  # type: ignore[assignment]
        time.sleep = self._sleep  # type: ignore[assignment]
        self._log_handler = _LogHandler(self)
        logging.getLogger().addHandler(self._log_handler)
        self._stop.clear()
        self._watchdog = threading.Thread(target=self._watch, name="lambdakit-watchdog",
                                          daemon=True)
        self._watchdog.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._depth -= 1
        if self._depth:
            return
        if self.owner in _active:
            _active.remove(self.owner)
        self._stop.set()
        sys.stdout, time.sleep, os.environ, tempfile.tempdir = self._saved  # type: ignore
        logging.getLogger().removeHandler(self._log_handler)
        self._watchdog.join()

    # -- the call ------------------------------------------------------------------------
    def call(
        self,
        handler: Callable[[Any, Any], Any],
        event: Any,
        context: Any,
        *,
        wall_limit_s: float,
        virtual_limit_s: float,
        environ: Mapping[str, str],
    ) -> CallOutcome:
        """Run ``handler(event, context)``; never raises for what the handler does
        (except ``KeyboardInterrupt``, which stops the whole run)."""
        out = CallOutcome()
        os.environ = environ  # type: ignore[assignment]  # noqa: B003 - per-environment view
        tempfile.tempdir = environ.get("TMPDIR")  # tempfile.gettempdir() -> the env's /tmp
        self._virtual_limit = virtual_limit_s
        self.current = out
        self._token += 1
        start = time.perf_counter()
        self._wall_limit = wall_limit_s
        self._active = self._token
        try:
            out.result = handler(event, context)
            with self._lock:
                self._active = 0
        except HandlerTimeout:
            out.timed_out = True
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - any handler failure becomes a record
            out.error = exc
        finally:
            with self._lock:
                self._active = 0
            out.wall_s = time.perf_counter() - start
            self.current = None
            if self.partial:
                out.lines.append((out.virtual_s, None, self.partial))
                self.partial = ""
        return out

    def spend(self, seconds: float) -> bool:
        """Add ``seconds`` of virtual time to the running handler (a service call's latency).
        Returns False when no handler is running (the caller is outside the platform)."""
        cur = self.current
        if cur is None or threading.get_ident() != self.thread_id:
            return False
        self._sleep(seconds)
        return True

    def _sleep(self, seconds: float) -> None:
        cur = self.current
        if cur is None or threading.get_ident() != self.thread_id:
            _real_sleep(seconds)
            return
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        cur.virtual_s += seconds
        cur.touched = True
        if cur.virtual_s > self._virtual_limit:
            raise HandlerTimeout()

    def _watch(self) -> None:
        """Stop a call whose token stayed the same for longer than the wall-clock limit.

        The engine only writes a token before each call and clears it after (two stores a
        call); the watchdog measures the time itself and re-checks the token under its lock
        before stopping the call."""
        tid = ctypes.c_ulong(self.thread_id)
        last: object = 0
        since = 0.0
        while not self._stop.wait(self._tick):
            tok = self._active
            now = time.perf_counter()
            if tok != last:
                last, since = tok, now
                continue
            if tok and now - since > self._wall_limit:
                with self._lock:
                    if self._active == tok:
                        self._active = 0
                        exc = ctypes.py_object(HandlerTimeout)
                        ctypes.pythonapi.PyThreadState_SetAsyncExc(tid, exc)
