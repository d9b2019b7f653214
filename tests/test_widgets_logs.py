"""LogViewer: what it renders, and how each filter narrows the lines."""

from __future__ import annotations

import logging
import re
from typing import Any

from lambdakit import Fixed, Platform
from widgets.logs import LogViewer


def _handler(event: dict[str, Any], context: Any) -> str:
    print("working on", event.get("n"), "<b>raw</b>")
    if event.get("warn"):
        logging.getLogger().warning("careful %s", event["n"])
    if event.get("fail"):
        raise KeyError("missing")
    return "ok"


def _platform() -> Platform:
    p = Platform(seed=9)
    p.create_function("fn", _handler, duration=Fixed(30))
    return p


def _lines_in_html(viewer: LogViewer) -> int:
    return len(re.findall(r"class='lk-log-line", viewer.output.value))


def test_renders_every_line_of_the_log_group_oldest_first_with_the_css_class() -> None:
    p = _platform()
    for n in range(3):
        p.invoke("fn", {"n": n})
    viewer = LogViewer(p, "fn")
    expected = p.logs("fn").lines()
    assert viewer.shown_lines() == expected
    assert _lines_in_html(viewer) == len(expected)
    html_text = viewer.output.value
    assert html_text.rfind("REPORT RequestId") > html_text.rfind("START RequestId")  # newest last
    assert "&lt;b&gt;raw&lt;/b&gt;" in html_text and "<b>raw</b>" not in html_text
    assert "font-family: ui-monospace" in html_text


def test_request_id_filter_narrows_to_one_request() -> None:
    p = _platform()
    ids = [p.invoke("fn", {"n": n}).request_id for n in range(4)]
    viewer = LogViewer(p, "fn")
    viewer.request_id.value = ids[2]
    events = viewer.shown_events()
    assert {e.request_id for e in events} == {ids[2]}
    assert [e.message for e in events] == p.logs("fn").filter(request_id=ids[2]).lines()
    assert "working on 2 " in viewer.output.value
    assert ids[1] not in viewer.output.value and ids[3] not in viewer.output.value
    assert _lines_in_html(viewer) == len(events)
    viewer.request_id.value = ids[3][:8]  # the start of an id is enough
    assert {e.request_id for e in viewer.shown_events()} == {ids[3]}
    viewer.request_id.value = "no-such-request"
    assert viewer.shown_events() == [] and "no log lines match" in viewer.output.value


def test_kind_filter_keeps_platform_stdout_warning_or_error_lines() -> None:
    p = _platform()
    p.invoke("fn", {"n": 1, "warn": True})
    failed = p.invoke("fn", {"n": 2, "fail": True})
    viewer = LogViewer(p, "fn")
    viewer.kind.value = "stdout"
    assert viewer.shown_lines() == ["working on 1 <b>raw</b>", "working on 2 <b>raw</b>"]
    viewer.kind.value = "platform"
    assert [line.split(" ")[0] for line in viewer.shown_lines()] == [
        "INIT_START", "START", "END", "REPORT", "START", "END", "REPORT"]
    viewer.kind.value = "WARNING"
    assert len(viewer.shown_lines()) == 1 and "careful 1" in viewer.shown_lines()[0]
    viewer.kind.value = "ERROR"
    errors = viewer.shown_events()
    assert len(errors) == 1 and errors[0].request_id == failed.request_id
    assert errors[0].message.startswith("[ERROR] KeyError")
    assert "lk-kind-error" in viewer.output.value


def test_stream_dropdown_lists_each_environment_and_keeps_the_choice_on_refresh() -> None:
    p = _platform()
    for n in range(2):  # two events at the same instant: two environments, two streams
        p.invoke_async("fn", {"n": n})
    p.advance(1)
    viewer = LogViewer(p, "fn")
    streams = list(viewer.stream.options)[1:]
    assert streams == p.logs("fn").streams() and len(streams) == 2
    viewer.stream.value = streams[1]
    assert {e.stream for e in viewer.shown_events()} == {streams[1]}
    shown = len(viewer.shown_events())
    p.invoke("fn", {"n": 9})  # goes to one of the two warm environments
    viewer.refresh()
    assert viewer.stream.value == streams[1]
    assert len(viewer.shown_events()) in (shown, shown + 4)  # START, print, END, REPORT
    viewer.stream.value = "all streams"
    assert len(viewer.shown_events()) == len(p.logs("fn"))


def test_refresh_picks_up_new_lines_and_the_cap_draws_only_the_newest() -> None:
    p = _platform()
    viewer = LogViewer(p, "fn", max_lines=5)
    assert viewer.shown_lines() == [] and "no log lines match" in viewer.output.value
    p.invoke("fn", {"n": 1})
    p.invoke("fn", {"n": 2})
    viewer.refresh()
    assert len(viewer.shown_lines()) == len(p.logs("fn")) == 9
    assert _lines_in_html(viewer) == 5
    assert "showing the newest 5" in viewer.header.value
    assert "working on 2" in viewer.output.value and "working on 1" not in viewer.output.value


def test_only_the_newest_attempts_are_read_but_a_full_older_request_id_is_found() -> None:
    p = _platform()
    ids = [p.invoke("fn", {"n": n}).request_id for n in range(4)]
    viewer = LogViewer(p, "fn", max_attempts=2)
    assert {e.request_id for e in viewer.shown_events()} == set(ids[2:])
    assert "logs of the newest 2 attempts" in viewer.header.value
    viewer.request_id.value = ids[0]
    assert viewer.shown_lines() == p.logs("fn").filter(request_id=ids[0]).lines()
    assert "working on 0 " in viewer.output.value
    viewer.request_id.value = ids[1][:8]  # a prefix searches only what was read
    assert viewer.shown_events() == []
