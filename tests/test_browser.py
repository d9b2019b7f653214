"""The course in a real browser: JupyterLab + headless Chromium, Run All, assert the DOM.

Widgets can fail silently: without a widget front end JupyterLab shows the text repr
(``VBox(children=...``) and no error. So these tests assert what is *drawn*.

``run_notebook_in_lab(path) -> page`` is the reusable harness: later chapters add tests that
click their own buttons (e.g. chapter 03: the S3 button adds an environment tile and a log line).
Screenshots go to artifacts/screenshots/ (gitignored).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from browser.lab import CHROMIUM, INSTALL_HINT, LabServer, chromium, open_and_run_all, screenshot

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "course"
SHOTS = ROOT / "artifacts" / "screenshots"

pytestmark = pytest.mark.timeout(300)


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(INSTALL_HINT + " (CI is set: the browser test must not be skipped)")
    pytest.skip(INSTALL_HINT)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """JupyterLab serving a throw-away copy of course/ (Lab autosaves into what it serves)."""
    _require_chromium()
    root = tmp_path_factory.mktemp("lab") / "course"
    shutil.copytree(COURSE, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    server = LabServer(root, log=root.parent / "jupyter_server.log")
    with server:
        print(f"\n[browser] JupyterLab ready in {server.startup_s:.1f} s (pid {server.proc.pid})")
        yield server


@pytest.fixture(scope="module")
def browser(lab: LabServer) -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture
def run_notebook_in_lab(
    lab: LabServer, browser: Any, capsys: pytest.CaptureFixture[str]
) -> Iterator[Callable[[str], Any]]:
    """``run_notebook_in_lab("00_welcome.ipynb")`` → a Playwright page after Run All."""
    contexts: list[Any] = []

    def run(path: str) -> Any:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        contexts.append(context)
        page = context.new_page()
        try:
            times = open_and_run_all(page, lab.url, path)
        except Exception as exc:
            screenshot(page, SHOTS / f"{Path(path).stem}_FAILED.png")
            raise RuntimeError(f"{path} did not run in JupyterLab; log:\n{lab.log_tail()}") from exc
        with capsys.disabled():
            print(f"\n[browser] {path}: " + ", ".join(f"{k} {v:.1f} s" for k, v in times.items()))
        return page

    yield run
    for context in contexts:
        context.close()


def _code_cells(name: str) -> int:
    nb = nbformat.read(COURSE / name, as_version=4)
    return sum(c.cell_type == "code" for c in nb.cells)


def _assert_widgets_drawn(page: Any) -> None:
    text = "\n".join(page.locator(".jp-OutputArea").all_text_contents())
    assert page.locator(".jupyter-widgets").count() > 0, "no widget was drawn"
    assert "Error displaying widget" not in text
    for fallback in ("VBox(children=", "HBox(children=", "FigureWidget({", "Button(description="):
        assert fallback not in text, f"widget shown as text ({fallback}…): no widget front end"
    assert "Traceback (most recent call last)" not in text


def _expect_cells(page: Any, n: int) -> None:
    """Every code cell is drawn: JupyterLab may still be laying out the last ones on a busy
    machine, so wait for the count (up to 30 s) rather than read it once."""
    from playwright.sync_api import expect

    expect(page.locator(".jp-CodeCell .jp-InputPrompt")).to_have_count(n, timeout=30_000)


def test_chapter_00_runs_and_draws_in_jupyterlab(
    run_notebook_in_lab: Callable[[str], Any],
) -> None:
    name = "00_welcome.ipynb"
    page = run_notebook_in_lab(name)
    stem = Path(name).stem
    screenshot(page, SHOTS / f"{stem}_01_top.png")

    _expect_cells(page, _code_cells(name))
    _assert_widgets_drawn(page)
    assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
                        ).count() == 0, "a cell wrote to stderr"

    env = page.locator(".lk-env-table")
    assert env.count() == 1 and "every requirement is met" in page.locator(".lk-env").text_content()
    assert env.locator("tbody tr").count() == 5
    screenshot(page, SHOTS / f"{stem}_02_environment.png", ".lk-env")

    logs = page.locator(".jp-OutputArea-output", has_text="REPORT RequestId:")
    assert logs.count() == 1 and "START RequestId:" in logs.text_content()

    # the student version is unanswered: both checks show a specific hint, not an error
    hints = page.locator(".lk-check.lk-hint")
    assert hints.count() == 2 and all("Not answered yet" in t for t in hints.all_text_contents())
    screenshot(page, SHOTS / f"{stem}_03_exercises.png", ".lk-hint")

    button = page.locator("button.jupyter-button", has_text="Press me")
    assert button.count() == 1
    button.scroll_into_view_if_needed()
    t = time.monotonic()
    button.click()
    page.locator(".widget-html", has_text="press #1").wait_for(timeout=15_000)
    round_trip = time.monotonic() - t
    button.click()
    page.locator(".widget-html", has_text="press #2").wait_for(timeout=15_000)
    screenshot(page, SHOTS / f"{stem}_04_widget_clicked.png")
    print(f"\n[browser] widget round trip {round_trip:.2f} s")


def test_missing_chromium_skips_locally_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(f"{__name__}.CHROMIUM", Path("/nonexistent/chromium"))
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"sudo apt-get install chromium"):
        _require_chromium()


def test_missing_chromium_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(f"{__name__}.CHROMIUM", Path("/nonexistent/chromium"))
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="must not be skipped"):
        _require_chromium()


def test_chapter_03_fires_an_s3_event_into_a_board_and_a_log(
    run_notebook_in_lab: Callable[[str], Any],
) -> None:
    """Run All draws every widget and plot; S3 upload + Fire adds a tile and log lines."""
    import re

    name = "03_lambda_framework.ipynb"
    page = run_notebook_in_lab(name)
    stem = Path(name).stem
    top = "e => e.scrollIntoView({block: 'start'})"
    page.locator(".jp-Notebook .jp-Cell").first.evaluate(top)
    screenshot(page, SHOTS / f"{stem}_01_top.png")

    _expect_cells(page, _code_cells(name))
    _assert_widgets_drawn(page)
    assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
                        ).count() == 0, "a cell wrote to stderr"
    # four plotly figures: the app's timeline, the burst's timeline, Playback's, concurrency
    plots = page.locator(".js-plotly-plot:has(.main-svg)")
    for i in range(4):
        plots.nth(i).wait_for(timeout=30_000)
    assert plots.count() >= 4
    # the student version is unanswered: each of the 5 checks gives a hint, none fails
    hints = page.locator(".lk-check.lk-hint")
    assert hints.count() == 5 and all("Not answered yet" in t for t in hints.all_text_contents())

    board = page.locator(".lk-env-board").filter(
        has=page.locator(".lk-board-header > b", has_text=re.compile(r"^app$")))
    assert board.count() == 1
    logs = page.locator(".jp-OutputArea-output").filter(
        has=page.locator(".lk-log-summary", has_text="/aws/lambda/app ·"))
    assert logs.count() == 1
    tiles, lines = board.locator(".lk-env-tile"), logs.locator(".lk-log-line")
    # after Run All: the 8 fired events' environment has expired (15 idle minutes)
    assert tiles.count() == 1 and board.locator(".lk-state-shutdown").count() == 1
    tiles_before, lines_before = tiles.count(), lines.count()
    assert lines_before > 0

    panel = page.locator(".widget-vbox").filter(
        has=page.locator("button.jupyter-button", has_text="S3 upload")).last
    panel.locator("button.jupyter-button", has_text="S3 upload").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.lk-event-json textarea')]"
        ".some(t => t.value.includes('aws:s3'))", timeout=15_000)
    t = time.monotonic()
    panel.locator("button.jupyter-button", has_text="Fire").click()
    board.locator(".lk-env-tile.lk-state-idle").wait_for(timeout=15_000)
    deadline = time.monotonic() + 15
    while lines.count() <= lines_before and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    round_trip = time.monotonic() - t
    assert tiles.count() == tiles_before + 1
    new_lines = lines.all_text_contents()[lines_before:]
    assert any("event from aws:s3" in line for line in new_lines), new_lines
    assert any("Init Duration" in line for line in new_lines), "the S3 event was not cold"
    assert board.locator(".lk-env-tile.lk-latest .lk-cold").count() == 1
    assert "202 Accepted" in panel.locator(".lk-fire-result").text_content()
    screenshot(page, SHOTS / f"{stem}_02_board_after_fire.png", ".lk-fire-result")
    screenshot(page, SHOTS / f"{stem}_03_log_viewer.png", ".lk-log-summary")
    screenshot(page, SHOTS / f"{stem}_04_app_timeline.png", ".js-plotly-plot >> nth=0")
    screenshot(page, SHOTS / f"{stem}_06_concurrency.png", ".js-plotly-plot >> nth=3")

    # Playback is live in a browser: Play moves its clock forward (a front-end timer)
    playback = page.locator(".lk-playback")
    assert playback.count() == 1 and playback.locator(".js-plotly-plot").count() == 1
    playback.evaluate(top)
    clock = playback.locator(".widget-html", has_text="environments alive").first
    assert clock.text_content().startswith("t = 0.000 s")
    playback.locator("button:has(.fa-play)").first.click()
    page.wait_for_function("e => !e.textContent.startsWith('t = 0.000 s')",
                           arg=clock.element_handle(), timeout=15_000)
    page.wait_for_timeout(1500)
    screenshot(page, SHOTS / f"{stem}_05_playback.png")
    print(f"\n[browser] S3 fire round trip {round_trip:.2f} s")
