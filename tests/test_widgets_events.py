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
    if "please-fail" in json.dumps(event):  # whatever the source's shape
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
    assert p.records("fn")[-1].source == "s3"  # an S3 notification, not a direct invoke
    lines = p.logs("fn").filter(request_id=res.request_id).lines()
    assert f"handled {res.request_id}" in lines
    assert any(line.startswith("REPORT") for line in lines)
    assert "202 Accepted" in panel.result.value and "asynchronous" in panel.result.value
    # the panel let the attempt finish: the environment is idle again, not still busy
    assert [e.state for e in p.environments("fn")] == ["IDLE"]


def test_http_request_is_synchronous_and_edited_json_without_http_shape_is_the_body() -> None:
    p = _platform()
    panel = EventPanel(p, "fn")
    panel.buttons["HTTP request"].click()
    panel.json.value = '{"hello": "world", "n": [1, 2]}'
    panel.fire_button.click()
    res = panel.last
    assert res is not None and res.status_code == 200 and res.function_error is None
    got = res.payload["echo"]
    assert (got["requestContext"]["http"]["method"], got["rawPath"]) == ("POST", "/")
    assert json.loads(got["body"]) == {"hello": "world", "n": [1, 2]}
    assert "200 OK" in panel.result.value
    assert "&quot;rawPath&quot;: &quot;/&quot;" in panel.result.value


@pytest.mark.parametrize(("source", "kind", "name"), [
    ("SQS message", "aws:sqs", "orders"), ("Kinesis record", "aws:kinesis", "telemetry"),
    ("DynamoDB change", "aws:dynamodb", "inventory")])
def test_a_poller_delivers_queue_and_stream_sources_in_a_batch(source: str, kind: str,
                                                               name: str) -> None:
    seen: list[dict[str, Any]] = []
    p = _platform()
    p.create_function("keep", lambda e, c: seen.append(e), duration=Fixed(20))
    panel = EventPanel(p, "keep")
    _press(panel, source)
    res = panel.last
    assert res is not None and res.mode == "poller" and res.status_code == 200
    assert res.outcome == "ok" and res.batch_size == 1
    assert [r["eventSource"] for r in seen[0]["Records"]] == [kind]
    assert p.records("keep")[-1].source in ("sqs", "kinesis", "dynamodb")
    assert panel.services[source].name == name and source in panel.mappings
    assert "a poller delivered it: batch of 1" in panel.result.value
    assert "simplified" not in panel.result.value and DELIVERY[source].mode == "poller"
    # the record reached the function at once: the clock moved less than 2 polling seconds
    assert p.now < 2.0


def test_the_poller_event_carries_the_edited_message_and_the_real_queue_arn() -> None:
    seen: list[dict[str, Any]] = []
    p = _platform()
    p.create_function("keep", lambda e, c: seen.append(e), duration=Fixed(20))
    panel = EventPanel(p, "keep")
    panel.buttons["SQS message"].click()
    sample = json.loads(panel.json.value)
    sample["Records"] = [dict(sample["Records"][0], body=b) for b in ("one", "two", "three")]
    panel.json.value = json.dumps(sample)
    panel.fire_button.click()
    assert panel.last is not None and panel.last.batch_size == 3
    records = seen[0]["Records"]
    assert [r["body"] for r in records] == ["one", "two", "three"]
    assert records[0]["eventSourceARN"] == "arn:aws:sqs:eu-west-1:111122223333:orders"
    assert len(panel.services["SQS message"]) == 0  # the batch succeeded: deleted


def test_a_failing_sqs_batch_stays_in_the_queue_and_ends_in_the_dead_letter_queue() -> None:
    p = _platform(timeout_s=5)
    panel = EventPanel(p, "fn")
    panel.buttons["SQS message"].click()
    panel.json.value = panel.json.value.replace("paid", "please-fail")
    panel.fire_button.click()
    res = panel.last
    assert res is not None and res.function_error == "Unhandled" and res.outcome == "error"
    assert "visibility timeout (30 s)" in panel.result.value and "orders-dlq" in res.detail
    p.advance(10 * 60)  # received 5 times, 30 s apart, then moved to the dead-letter queue
    assert len(p.records("fn")) == 5
    assert len(panel.services["SQS message"]) == 0
    assert len(p.service("sqs", "orders-dlq")) == 1


def test_dynamodb_change_writes_the_new_image_and_the_stream_has_both_images() -> None:
    seen: list[dict[str, Any]] = []
    p = _platform()
    p.create_function("keep", lambda e, c: seen.append(e), duration=Fixed(20))
    panel = EventPanel(p, "keep")
    _press(panel, "DynamoDB change")
    change = seen[0]["Records"][0]
    assert change["eventName"] == "MODIFY"
    assert change["dynamodb"]["OldImage"]["stock"] == {"N": "5"}
    assert change["dynamodb"]["NewImage"]["stock"] == {"N": "4"}
    table = panel.services["DynamoDB change"]
    assert table.get_item(Key={"id": {"S": "42"}})["Item"]["stock"] == {"N": "4"}
    _press(panel, "DynamoDB change")  # again: the item is put back to 5, then set to 4
    assert panel.last is not None and panel.last.batch_size == 2
    assert "back to its OldImage" in panel.last.detail


def test_a_role_without_queue_permissions_gets_the_error_aws_gives() -> None:
    from lambdakit.function.iam import (
        AWSLambdaBasicExecutionRole,
        AWSLambdaSQSQueueExecutionRole,
        Role,
    )

    p = _platform(role=Role("logs-only", policies=[AWSLambdaBasicExecutionRole]))
    panel = EventPanel(p, "fn")
    _press(panel, "SQS message")
    assert panel.last is not None and not panel.last.fired and panel.last.status_code == 400
    assert "does not have permissions to call ReceiveMessage on SQS" in panel.result.value
    assert len(p.records("fn")) == 0
    p.update_function("fn", role=Role("sqs", policies=[AWSLambdaBasicExecutionRole,
                                                       AWSLambdaSQSQueueExecutionRole]))
    _press(panel, "SQS message")  # same queue, now the mapping can be created
    assert panel.last.fired and panel.last.outcome == "ok"
    assert panel.services["SQS message"].name == "orders"


def test_the_panel_uses_fresh_names_and_grants_invoke_only_when_a_policy_refuses() -> None:
    from lambdakit.function.iam import add_permission, can_invoke, get_policy
    from lambdakit.services import Bucket

    p = _platform()
    Bucket(p, "my-bucket")  # the learner's own bucket: the panel leaves it alone
    add_permission(p, "fn", "sns.amazonaws.com", statement_id="sns-only")
    panel = EventPanel(p, "fn")
    _press(panel, "S3 upload")
    assert panel.last is not None and panel.last.outcome == "ok"
    bucket = panel.services["S3 upload"]
    assert bucket.name == "my-bucket-2" and bucket.keys() == ["uploads/photo.jpg"]
    assert can_invoke(p, "fn", "s3.amazonaws.com", bucket.arn)
    assert "event-panel-s3-my-bucket-2" in get_policy(p, "fn")["Policy"]
    q = _platform()
    EventPanel(q, "fn").buttons["S3 upload"].click()
    _press(EventPanel(q, "fn"), "S3 upload")
    assert can_invoke(q, "fn", "apigateway.amazonaws.com")  # still no policy: none added


def test_http_sources_go_through_an_http_api_route() -> None:
    seen: list[dict[str, Any]] = []

    def api(event: Any, context: Any) -> Any:
        seen.append(event)
        if event["rawPath"] == "/boom":
            raise RuntimeError("boom")
        return {"statusCode": 201, "body": "made"}

    p = _platform()
    p.create_function("api", api, duration=Fixed(20))
    panel = EventPanel(p, "api")
    _press(panel, "HTTP request")
    assert panel.last is not None and panel.last.status_code == 201
    assert panel.last.payload == "made" and seen[-1]["version"] == "2.0"
    assert seen[-1]["rawPath"] == "/items/42" and seen[-1]["routeKey"] == "$default"
    assert seen[-1]["queryStringParameters"] == {"verbose": "true"}
    panel.buttons["HTTP API"].click()
    panel.json.value = panel.json.value.replace('"/orders"', '"/boom"')
    panel.fire_button.click()
    assert panel.last.status_code == 502 and panel.last.function_error == "Unhandled"
    assert "502 Bad Gateway" in panel.result.value
    assert panel.services["HTTP API"] is panel.services["HTTP request"]


def test_json_without_the_source_shape_is_the_message_itself() -> None:
    seen: list[dict[str, Any]] = []
    p = _platform()
    p.create_function("keep", lambda e, c: seen.append(e), duration=Fixed(20))
    panel = EventPanel(p, "keep")
    for source in ("SQS message", "SNS message", "Kinesis record"):
        panel.buttons[source].click()
        panel.json.value = '{"hello": 1}'
        panel.fire_button.click()
    sqs, sns, kinesis = seen
    assert sqs["Records"][0]["body"] == '{"hello": 1}'
    assert sns["Records"][0]["Sns"]["Message"] == '{"hello": 1}'
    assert kinesis["Records"][0]["kinesis"]["partitionKey"] == "event-panel"


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
    panel.json.value = '{"please-fail": true}'
    panel.buttons["Schedule tick"].click()  # reloads the sample: edit after selecting
    panel.json.value = '{"please-fail": true}'
    panel.fire_button.click()
    assert panel.last is not None and panel.last.function_error == "Unhandled"
    assert panel.last.status_code == 202 and panel.last.outcome == "error"
    panel.buttons["HTTP API"].click()
    panel.json.value = '{"please-fail": true}'  # not an HTTP event: the body of POST /
    panel.fire_button.click()
    assert panel.last.status_code == 502 and panel.last.payload == {
        "message": "Internal Server Error"}
    assert "X-Amz-Function-Error" in panel.result.value
    panel.buttons["SNS message"].click()
    panel.json.value = panel.json.value.replace("HighLatency", "please-fail")
    panel.fire_button.click()
    assert panel.last.status_code == 202 and panel.last.outcome == "error"
    assert "retries" in panel.result.value
    assert p.event_outcomes()["retrying"] == 2  # the schedule's event and the SNS one


def test_a_throttled_invoke_shows_429_and_still_refreshes() -> None:
    p = _platform(reserved_concurrency=0)
    calls: list[int] = []
    panel = EventPanel(p, "fn", on_fire=[lambda: calls.append(1)])
    _press(panel, "HTTP request")
    assert panel.last is not None and panel.last.status_code == 429
    assert panel.last.outcome == "throttled"
    assert "429 Too Many Requests" in panel.result.value
    assert calls == [1]
