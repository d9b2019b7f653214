"""`make lab`, the README's first command: JupyterLab on 127.0.0.1 with chapter 00, as any user.

It runs the real target (the .venv is already built by `make test`), reads the URL JupyterLab
prints, asks the server for chapter 00 with that token, then stops the process group by its
pid and checks that make and JupyterLab are both gone. As root (CI, containers) this only works
because the Makefile adds ``--allow-root``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser.lab import free_port  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
URL = re.compile(r"opens at http://127\.0\.0\.1:(\d+)/lab/tree/00_welcome\.ipynb\?token=(\w+)")


def _wait_for_url(proc: subprocess.Popen[str], log: Path, timeout_s: float) -> re.Match[str]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        text = log.read_text("utf-8", errors="replace")
        m = URL.search(text)
        if m:
            return m
        if proc.poll() is not None:
            pytest.fail(f"make lab exited with {proc.returncode}:\n{text[-3000:]}")
        time.sleep(0.2)
    pytest.fail(f"no URL printed in {timeout_s} s:\n{log.read_text('utf-8')[-3000:]}")


def _status(proc: subprocess.Popen[str], url: str, log: Path, timeout_s: float = 60) -> dict:
    """``/api/status`` once the server answers (the URL is printed before it starts)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"make lab exited with {proc.returncode}:\n{log.read_text('utf-8')}")
        with contextlib.suppress(urllib.error.URLError, ConnectionError), \
                urllib.request.urlopen(url, timeout=2) as r:
            return dict(json.load(r))
        time.sleep(0.2)
    pytest.fail(f"JupyterLab did not answer in {timeout_s} s:\n{log.read_text('utf-8')[-3000:]}")


def _stop(proc: subprocess.Popen[str]) -> list[psutil.Process]:
    """SIGTERM the process group (make and JupyterLab), SIGKILL what is left; return leftovers."""
    family = [psutil.Process(proc.pid)]
    with contextlib.suppress(psutil.NoSuchProcess):
        family += family[0].children(recursive=True)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    _, alive = psutil.wait_procs(family, timeout=15)
    for p in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            p.kill()
    proc.wait(timeout=10)
    return [p for p in family if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


@pytest.mark.timeout(180)
def test_make_lab_serves_chapter_00_on_localhost(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "lab.log"
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "BROWSER": "true"}
    with open(log, "w") as out:
        proc = subprocess.Popen(
            ["make", "--no-print-directory", "lab", f"PORT={port}", "LAB_FLAGS=--no-browser"],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, text=True, env=env,
            start_new_session=True)
    try:
        m = _wait_for_url(proc, log, timeout_s=90)
        assert int(m.group(1)) == port
        printed = log.read_text("utf-8")
        if os.getuid() == 0:
            assert "--allow-root" in printed  # make echoes the command it runs
        base, token = f"http://127.0.0.1:{port}", m.group(2)
        assert _status(proc, f"{base}/api/status?token={token}", log)["started"]
        with pytest.raises(urllib.error.HTTPError, match="403"):
            urllib.request.urlopen(f"{base}/api/status", timeout=10)  # no token, no entry
        chapter = f"{base}/api/contents/00_welcome.ipynb?content=0&token={token}"
        with urllib.request.urlopen(chapter, timeout=10) as r:
            assert json.load(r)["type"] == "notebook"
        with urllib.request.urlopen(f"{base}/lab/tree/00_welcome.ipynb?token={token}",
                                    timeout=10) as r:
            assert r.status == 200 and b"JupyterLab" in r.read()
    finally:
        leftovers = _stop(proc)
    assert leftovers == []
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/api", timeout=2)
