"""Start JupyterLab on 127.0.0.1 and drive a notebook in headless Chromium (Playwright).

Follows JUPYTER-NOTES §6: serve a throw-away copy (Lab autosaves), no token, news off via
``overrides.json``, wait for the *status bar* to say ``Python 3 (ipykernel) | Idle`` before
Run All (the toolbar says idle ~0.5 s before the kernel exists and a Run All sent then is
dropped), re-send Run All if nothing starts within 15 s, stop the server by its PID.

Example (what tests/test_browser.py does)::

    with LabServer(root) as lab, chromium() as browser:
        page = open_and_run_all(browser.new_page(), lab.url, "00_welcome.ipynb")
        page.locator("button.jupyter-button").first.click()
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage",
]
INSTALL_HINT = (
    f"Chromium not found at {CHROMIUM}: install it with `sudo apt-get install chromium` "
    "(Debian's package; do not run `playwright install`)"
)
NEWS_OFF = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}
}
ROOT = Path(__file__).resolve().parents[2]

_KERNEL_IDLE_JS = """() => {
  const items = [...document.querySelectorAll('.jp-StatusBar-TextItem')]
    .map(e => e.textContent.trim());
  const kernelIdle = items.some(t => / \\| Idle$/.test(t) && !t.startsWith('No Kernel'));
  const ind = document.querySelector(
    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator');
  return kernelIdle && ind && ind.getAttribute('data-status') === 'idle';
}"""
_PROMPTS_JS = """() => [...document.querySelectorAll(
  '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')]
  .map(e => e.textContent.trim())"""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LabServer:
    """JupyterLab serving ``root`` on loopback without token; always stopped by its PID."""

    def __init__(self, root: Path, *, port: int | None = None, log: Path | None = None) -> None:
        self.root = root
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._state = Path(tempfile.mkdtemp(prefix="lk-lab-state-"))
        self.log = log or self._state / "jupyter_server.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.startup_s = 0.0

    def _command(self) -> list[str]:
        settings = self._state / "app-settings"
        settings.mkdir(parents=True, exist_ok=True)
        (settings / "overrides.json").write_text(json.dumps(NEWS_OFF), "utf-8")
        return [
            str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser",
            "--ip=127.0.0.1", f"--port={self.port}", "--port-retries=0",
            f"--ServerApp.root_dir={self.root}",
            "--IdentityProvider.token=", "--ServerApp.password=",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            f"--LabApp.app_settings_dir={settings}",
            f"--LabApp.user_settings_dir={self._state / 'user-settings'}",
            f"--LabApp.workspaces_dir={self._state / 'workspaces'}",
            "--allow-root",
        ]

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["JUPYTER_CONFIG_DIR"] = str(self._state / "config")
        env["JUPYTER_RUNTIME_DIR"] = str(self._state / "runtime")
        # Kernels import this tree's lambdakit/widgets even if the venv's install is stale.
        env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), str(ROOT)) if p)
        return env

    def start(self, timeout_s: float = 60.0) -> LabServer:
        """Launch and wait until ``/api/status`` answers."""
        t0 = time.monotonic()
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                self._command(), stdout=log, stderr=subprocess.STDOUT, env=self._env(),
                start_new_session=True,
            )
        while time.monotonic() - t0 < timeout_s:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited early:\n{self.log_tail()}")
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"{self.url}/api/status", timeout=1).close()
                self.startup_s = time.monotonic() - t0
                return self
            time.sleep(0.1)
        self.stop()
        raise TimeoutError(f"JupyterLab did not answer in {timeout_s} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Stop the server by its PID (SIGTERM, then SIGKILL), its kernels with it."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        for child in self._state.iterdir():  # settings, runtime, workspaces; keep the log
            if child != self.log:
                shutil.rmtree(child, ignore_errors=True)
        with contextlib.suppress(OSError):
            self._state.rmdir()  # empty unless the log lives there

    def log_tail(self, n: int = 3000) -> str:
        """The end of the server log, for failure messages."""
        return self.log.read_text("utf-8", errors="replace")[-n:] if self.log.exists() else ""

    def __enter__(self) -> LabServer:
        return self.start()

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Headless Debian Chromium through Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def _prompts(page: Any) -> list[str]:
    return list(page.evaluate(_PROMPTS_JS))


def _run_all(page: Any) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()


def _started(page: Any, before: list[str], timeout_ms: int) -> bool:
    """True once a prompt shows [*] or differs from ``before`` (a fast cell may finish unseen)."""
    from playwright.sync_api import TimeoutError as PWTimeout

    try:
        page.wait_for_function(
            f"""before => {{
              const now = ({_PROMPTS_JS})();
              return now.some((t, i) => t.includes('*') || t !== before[i]);
            }}""",
            arg=before,
            timeout=timeout_ms,
        )
        return True
    except PWTimeout:
        return False


def open_and_run_all(page: Any, url: str, path: str, timeout_s: float = 120.0) -> dict[str, float]:
    """Open ``path`` in Lab, wait for the kernel, Run All, wait until every cell ran.

    Returns timings (s). Raises TimeoutError if Run All never starts or never finishes.
    """
    times: dict[str, float] = {}
    t = time.monotonic()
    page.goto(f"{url}/lab/tree/{path}?reset", wait_until="domcontentloaded")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_function(_KERNEL_IDLE_JS, timeout=60_000)
    times["page_to_kernel_idle"] = time.monotonic() - t

    t = time.monotonic()
    before = _prompts(page)
    _run_all(page)
    if not _started(page, before, 15_000):
        _run_all(page)  # sent before the kernel really existed: send again (notes §6)
        if not _started(page, before, 15_000):
            raise TimeoutError("Run All never started executing")
    # Done = every code cell shows [n]: none queued/running [*], none unrun [ ].
    page.wait_for_function(
        f"() => ({_PROMPTS_JS})().every(t => /\\[\\d+\\]/.test(t))", timeout=timeout_s * 1000
    )
    page.wait_for_function(_KERNEL_IDLE_JS, timeout=30_000)
    times["run_all"] = time.monotonic() - t
    return times


def screenshot(page: Any, path: Path, selector: str | None = None) -> Path:
    """Viewport screenshot after scrolling ``selector`` into view (full_page misses scrolled
    notebooks, notes §6)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if selector:
        page.locator(selector).first.scroll_into_view_if_needed(timeout=5_000)
        page.wait_for_timeout(300)
    page.screenshot(path=str(path))
    return path
