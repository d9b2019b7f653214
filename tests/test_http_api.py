"""HttpApi (API Gateway HTTP API, payload 2.0): routing, events, response mapping, errors."""

from __future__ import annotations

import base64
import time
from typing import Any

import pytest

from lambdakit import Platform, events
from lambdakit.errors import (
    InvalidParameterValueException,
    ResourceConflictException,
    ResourceNotFoundException,
)
from lambdakit.services import HttpApi, HttpResponse


def _shape(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _shape(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_shape(v) for v in x[:1]]
    return type(x).__name__


def _api(response: Any = None, **kw: Any) -> tuple[Platform, HttpApi, list[dict[str, Any]]]:
    p = Platform(seed=8)
    seen: list[dict[str, Any]] = []

    def handler(event: dict[str, Any], context: Any) -> Any:
        seen.append(event)
        return response

    p.create_function("fn", handler=handler, **kw)
    return p, HttpApi(p, "shop"), seen


# ---------------------------------------------------------------- routing -------------------


def test_route_selection_follows_api_gateway_priorities() -> None:
    p = Platform(seed=1)
    for name in ("exact", "var", "greedy", "anyproxy", "default"):
        p.create_function(name, handler=lambda e, c, _n=name: {"route": _n, "pp":
                                                               e.get("pathParameters")})
    api = HttpApi(p, "pets")
    api.add_route("ANY /{proxy+}", "anyproxy")
    api.add_route("GET /pets/{proxy+}", "greedy")
    api.add_route("GET /pets/dog/{id}", "var")
    api.add_route("GET /pets/dog/1", "exact")
    api.add_route("$default", "default")
    cases = {("GET", "/pets/dog/1"): ("exact", None),
             ("GET", "/pets/dog/2"): ("var", {"id": "2"}),
             ("GET", "/pets/cat/1"): ("greedy", {"proxy": "cat/1"}),
             ("POST", "/pets/cat/1"): ("anyproxy", {"proxy": "pets/cat/1"}),
             ("GET", "/"): ("default", None)}
    for (method, path), (route, params) in cases.items():
        assert api.request(method, path).json() == {"route": route, "pp": params}, path
    assert [entry.route_key for entry in api.log] == [
        "GET /pets/dog/1", "GET /pets/dog/{id}", "GET /pets/{proxy+}", "ANY /{proxy+}",
        "$default"]


def test_no_route_is_404_and_invokes_nothing() -> None:
    p, api, seen = _api()
    api.add_route("GET /items/{id}", "fn")
    for method, path in (("GET", "/items"), ("POST", "/items/1"), ("GET", "/items/1/x"),
                         ("GET", "/items/")):
        r = api.request(method, path)
        assert (r.status, r.json()) == (404, {"message": "Not Found"}), path
    assert seen == [] and len(p.records()) == 0


def test_event_is_the_payload_2_0_shape_with_decoded_path_parameters() -> None:
    p, api, seen = _api({"ok": True})
    api.add_route("POST /items/{id}", "fn")
    p.advance(60.0)
    api.request("post", "/items/a%20b", body={"qty": 2}, headers={"X-Trace": "t1"},
                query={"tag": ["x", "y"]}, cookies=["session=abc"])
    ev = seen[0]
    sample = events.http_api("POST", "/x", route_key="POST /x", body={"a": 1}, query={"tag": "1"},
                             path_parameters={"id": "1"}, cookies=["c=1"],
                             headers={"x-trace": "t"})
    assert _shape(ev) == _shape(sample)
    assert ev["routeKey"] == "POST /items/{id}" and ev["rawPath"] == "/items/a%20b"
    assert ev["pathParameters"] == {"id": "a b"}
    assert ev["queryStringParameters"] == {"tag": "x,y"} and ev["headers"]["x-trace"] == "t1"
    assert ev["body"] == '{"qty": 2}' and ev["cookies"] == ["session=abc"]
    assert ev["requestContext"]["timeEpoch"] == int((p.epoch_s + 60.0) * 1000)


def test_named_stage_prefixes_the_path() -> None:
    p = Platform(seed=3)
    seen: list[dict[str, Any]] = []
    p.create_function("fn", handler=lambda e, c: seen.append(e))
    api = HttpApi(p, "shop", stage="prod")
    api.add_route("GET /items", "fn")
    assert api.request("GET", "/prod/items").status == 200
    assert api.request("GET", "/items").status == 404
    assert seen[0]["rawPath"] == "/prod/items" and seen[0]["requestContext"]["stage"] == "prod"


# ---------------------------------------------------------------- responses -----------------


@pytest.mark.parametrize(("returned", "status", "body", "ctype"), [
    ({"message": "hi"}, 200, '{"message":"hi"}', "application/json"),
    ("Hello from Lambda!", 200, "Hello from Lambda!", "application/json"),
    ([1, 2], 200, "[1,2]", "application/json"),
    (None, 200, "null", "application/json"),
    ({"statusCode": 201, "headers": {"content-type": "text/plain"}, "body": "made"}, 201,
     "made", "text/plain"),
    ({"statusCode": 204}, 204, "", None),
])
def test_response_mapping(returned: Any, status: int, body: str, ctype: str | None) -> None:
    _, api, _ = _api(returned)
    api.add_route("$default", "fn")
    r = api.request("GET", "/anything")
    assert (r.status, r.body, r.headers.get("content-type")) == (status, body, ctype)
    assert r.headers["apigw-requestid"].endswith("=")


def test_base64_body_and_cookies() -> None:
    png = b"\x89PNG\r\n"
    _, api, _ = _api({"statusCode": 200, "isBase64Encoded": True, "cookies": ["a=1", "b=2"],
                      "body": base64.b64encode(png).decode()})
    api.add_route("GET /img", "fn")
    r = api.request("GET", "/img")
    assert r.body == png and r.cookies == ("a=1", "b=2")


@pytest.mark.parametrize("bad", [
    {"statusCode": "200", "body": "x"},
    {"statusCode": 200, "body": {"not": "a string"}},
    {"statusCode": 99},
    {"statusCode": 200, "headers": ["x"]},
    {"statusCode": 200, "isBase64Encoded": True, "body": "***"},
])
def test_malformed_responses_are_502(bad: dict[str, Any]) -> None:
    _, api, _ = _api(bad)
    api.add_route("GET /x", "fn")
    r = api.request("GET", "/x")
    assert (r.status, r.json()) == (502, {"message": "Internal Server Error"})


def test_function_error_and_timeout_are_502() -> None:
    p = Platform(seed=4)
    p.create_function("crash", handler=lambda e, c: 1 / 0)

    def slow(event: Any, context: Any) -> str:
        time.sleep(5)  # virtual time: longer than the 1 s timeout
        return "late"

    p.create_function("slow", handler=slow, timeout_s=1)
    api = HttpApi(p, "shop")
    api.add_route("GET /crash", "crash")
    api.add_route("GET /slow", "slow")
    for path in ("/crash", "/slow"):
        r = api.request("GET", path)
        assert (r.status, r.body) == (502, '{"message":"Internal Server Error"}'), path
    assert [rec.outcome for rec in p.records()] == ["error", "timeout"]
    assert [entry.record_index for entry in api.log] == [0, 1]


def test_throttling_is_429() -> None:
    _, api, seen = _api("x", reserved_concurrency=0)
    api.add_route("GET /x", "fn")
    r = api.request("GET", "/x")
    assert (r.status, r.json()) == (429, {"message": "Too Many Requests"})
    assert seen == []


def test_lambda_rejecting_the_invoke_is_500() -> None:
    _, api, _ = _api("x")
    api.add_route("POST /big", "fn")
    r = api.request("POST", "/big", body="x" * 7_000_000)  # over the 6 MB sync payload limit
    assert (r.status, r.json()) == (500, {"message": "Internal Server Error"})


def test_injected_fault_is_an_error_response_and_the_clock_moves() -> None:
    p, api, _ = _api("ok", duration=None)
    api.add_route("GET /x", "fn")
    api.inject_failure(count=1)
    assert api.request("GET", "/x").status == 503
    before = p.now
    assert api.request("GET", "/x").status == 200
    assert p.now > before


def test_request_from_inside_a_handler_is_refused_clearly() -> None:
    p = Platform(seed=5)
    holder: dict[str, HttpApi] = {}
    p.create_function("inner", handler=lambda e, c: "x")
    p.create_function("outer", handler=lambda e, c: holder["api"].request("GET", "/x").status)
    api = holder["api"] = HttpApi(p, "shop")
    api.add_route("GET /x", "inner")
    result = p.invoke("outer", {})
    assert result.function_error == "Unhandled"
    assert result.payload["errorType"] == "RuntimeError"
    assert "inside a handler" in result.payload["errorMessage"]


# ---------------------------------------------------------------- validation ----------------


def test_routes_and_requests_are_validated() -> None:
    p, api, _ = _api()
    for bad in ("FETCH /x", "GET x", "GET /{proxy+}/more", "GET /{a}/{a}", "GET /a{b}",
                "get /x", 42):
        with pytest.raises(InvalidParameterValueException):
            api.add_route(bad, "fn")  # type: ignore[arg-type]
    with pytest.raises(ResourceNotFoundException):
        api.add_route("GET /x", "missing")
    api.add_route("GET /x", "fn")
    with pytest.raises(ResourceConflictException):
        api.add_route("GET /x", "fn")
    for method, path in (("FETCH", "/x"), ("GET", "x"), ("GET", "/x?a=1")):
        with pytest.raises(InvalidParameterValueException):
            api.request(method, path)
    with pytest.raises(InvalidParameterValueException):
        HttpApi(p, "other", stage="bad stage")


def test_http_response_json_helper() -> None:
    assert HttpResponse(200, {}, "[1]").json() == [1]


def test_function_policy_must_allow_api_gateway() -> None:
    from lambdakit import iam

    p, api, seen = _api("hi")
    api.add_route("GET /items/{id}", "fn")
    iam.enforce_invoke_permissions(p)
    r = api.request("GET", "/items/1")
    assert (r.status, r.json()) == (500, {"message": "Internal Server Error"}) and seen == []
    route = api.routes[0]
    assert api.execute_arn("GET", route) == \
        "arn:aws:execute-api:us-east-1:123456789012:shop/$default/GET/items/{id}"
    iam.add_permission(p, "fn", "apigateway.amazonaws.com",
                       source_arn="arn:aws:execute-api:us-east-1:123456789012:shop/*")
    assert api.request("GET", "/items/1").body == "hi"
