"""EventPanel: buttons, sample loading, firing per delivery mode, invalid JSON, callbacks."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lambdakit import Fixed, Platform
from widgets.events_panel import DELIVERY, EventPanel

LABELS = ("HTTP request", "S3 upload", "SQS message", "DynamoDB change", "Kinesis record",
          "Schedule tick", "SNS message")


def _handler(event: Any, context: Any) -> dict[str, Any]:
    print("handled", context.aws_request_id)
    if isinstance(event, dict) and event.get("fail"):
        raise ValueError("asked to fail")
    return {"echo": event}


def _platform(**kw: Any) -> Platform:
    p = Platform(seed=5, region="eu-west-1", account_id="111122223333")
    p.create_function("fn", _handler, duration=Fixed(20), **kw)
    return p


def _press(panel: EventPanel, source: str) -> None:
    panel.buttons[source].click()
    panel.fire_button.click()


def test_one_button_per_event_source_with_the_exact_labels() -> None:
    panel = EventPanel(_platform(), "fn")
    labels = [b.description for b in panel.buttons.values()]
    assert set(LABELS) <= set(labels)
    assert len(labels) == len(set(labels))
    assert panel.fire_button.description == "Fire"


def test_clicking_a_source_loads_its_sample_for_the_platforms_region_account_and_clock() -> None:
    p = _platform()
    p.advance(90)
    panel = EventPanel(p, "fn")
    panel.buttons["S3 upload"].click()
    record = json.loads(panel.json.value)["Records"][0]
    assert record["eventSource"] == "aws:s3"
    assert record["awsRegion"] == "eu-west-1"
    assert record["eventTime"] == "2026-01-01T00:01:30.000Z"
    assert panel.buttons["S3 upload"].button_style == "info"
    assert panel.buttons["HTTP request"].button_style == ""
    panel.buttons["SQS message"].click()
    arn = json.loads(panel.json.value)["Records"][0]["eventSourceARN"]
    assert arn == "arn:aws:sqs:eu-west-1:111122223333:orders"
    assert "poller" in panel.mode_label.value


def test_firing_s3_is_asynchronous_and_adds_a_record_and_log_lines() -> None:
    p = _platform()
    panel = EventPanel(p, "fn")
    before = len(p.records("fn"))
    _press(panel, "S3 upload")
    res = panel.last
    assert res is not None and res.fired and res.status_code == 202 and res.outcome == "ok"
    assert len(p.records("fn")) == before + 1
    assert p.records("fn")[-1].source == "async"
    lines = p.logs("fn").filter(request_id=res.request_id).lines()
    assert f"handled {res.request_id}" in lines
    assert any(line.startswith("REPORT") for line in lines)
    assert "202 Accepted" in panel.result.value and "asynchronous" in panel.result.value
    # the panel let the attempt finish: the environment is idle again, not still busy
    assert [e.state for e in p.environments("fn")] == ["IDLE"]


def test_http_request_is_synchronous_and_the_edited_json_is_what_the_handler_gets() -> None:
    p = _platform()
    panel = EventPanel(p, "fn")
    panel.buttons["HTTP request"].click()
    panel.json.value = '{"hello": "world", "n": [1, 2]}'
    panel.fire_button.click()
    res = panel.last
    assert res is not None and res.status_code == 200 and res.function_error is None
    assert res.payload == {"echo": {"hello": "world", "n": [1, 2]}}
    assert "200 OK" in panel.result.value
    assert "&quot;hello&quot;: &quot;world&quot;" in panel.result.value


@pytest.mark.parametrize("source", ["SQS message", "Kinesis record", "DynamoDB change"])
def test_stream_and_queue_sources_are_invoked_synchronously_and_say_it_is_simplified(
        source: str) -> None:
    p = _platform()
    panel = EventPanel(p, "fn")
    _press(panel, source)
    res = panel.last
    assert res is not None and res.mode == "poller" and res.status_code == 200
    assert res.payload["echo"]["Records"][0]["eventSource"].startswith("aws:")
    assert "delivered as a poller would (simplified)" in panel.result.value
    assert DELIVERY[source].mode == "poller"


def test_invalid_json_fires_nothing_and_says_why() -> None:
    p = _platform()
    calls: list[int] = []
    panel = EventPanel(p, "fn", on_fire=[lambda: calls.append(1)])
    panel.json.value = '{"Records": [1, 2,'
    panel.fire_button.click()
    assert len(p.records()) == 0
    assert calls == []
    assert panel.last is not None and not panel.last.fired
    assert "Invalid JSON at line 1" in panel.result.value
    assert "Nothing was fired" in panel.result.value


def test_every_callback_runs_once_per_fire_and_a_broken_one_is_reported() -> None:
    p = _platform()
    calls: list[str] = []

    def broken() -> None:
        raise RuntimeError("view gone")

    panel = EventPanel(p, "fn", on_fire=(lambda: calls.append("a"), broken,
                                         lambda: calls.append("b")))
    _press(panel, "Schedule tick")
    _press(panel, "HTTP request")
    assert calls == ["a", "b", "a", "b"]
    assert "view gone" in panel.result.value
    assert len(p.records()) == 2


def test_a_function_error_shows_the_error_document_sync_and_a_retry_note_async() -> None:
    p = _platform()
    panel = EventPanel(p, "fn")
    panel.json.value = '{"fail": true}'
    panel.buttons["HTTP request"].click()  # reloads the sample: edit after selecting
    panel.json.value = '{"fail": true}'
    panel.fire_button.click()
    assert panel.last is not None and panel.last.function_error == "Unhandled"
    assert panel.last.payload["errorType"] == "ValueError"
    assert "X-Amz-Function-Error" in panel.result.value and "ValueError" in panel.result.value
    panel.buttons["SNS message"].click()
    panel.json.value = '{"fail": true}'
    panel.fire_button.click()
    assert panel.last.status_code == 202 and panel.last.outcome == "error"
    assert "retries" in panel.result.value
    assert p.event_outcomes()["retrying"] == 1


def test_a_throttled_invoke_shows_429_and_still_refreshes() -> None:
    p = _platform(reserved_concurrency=0)
    calls: list[int] = []
    panel = EventPanel(p, "fn", on_fire=[lambda: calls.append(1)])
    _press(panel, "HTTP request")
    assert panel.last is not None and panel.last.status_code == 429 and not panel.last.fired
    assert "TooManyRequestsException" in panel.result.value
    assert calls == [1]
