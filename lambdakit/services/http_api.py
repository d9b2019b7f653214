"""An API Gateway HTTP API (payload format 2.0) in front of functions, invoked synchronously.

``request(method, path, ...)`` picks a route, builds the exact HTTP API event
(``lambdakit.events.http_api``, facts §9 [S24]), invokes the function synchronously and maps its
answer to an HTTP response the way API Gateway does:

- a dict with ``statusCode`` is a full response: ``statusCode``, ``headers``, ``body`` (a
  string; ``isBase64Encoded`` for binary), ``cookies`` (each one a ``set-cookie``);
- anything else is inferred: status 200, ``content-type: application/json``, the body is the
  returned string itself or the compact JSON of any other value
  (https://docs.aws.amazon.com/apigateway/latest/developerguide/
  http-api-develop-integrations-lambda.html);
- a function error (exception, timeout, out of memory) or a malformed response → **502**
  ``{"message":"Internal Server Error"}``; Lambda rejecting the invoke → 500 (facts §6.4
  [S2:python-exceptions.md]); a throttled invoke (facts §2 [S2:API_Invoke.md]) → **429**
  ``{"message":"Too Many Requests"}``; no matching route → 404 ``{"message":"Not Found"}``.

Routes are ``$default`` or ``METHOD /path`` with ``ANY`` for every method, ``{name}`` for one
path segment and a final ``{name+}`` for the rest. API Gateway prefers, in order, a route for
the request's method with the most literal path, one with path variables (greedy last), then
an ``ANY`` route, then ``$default`` (https://docs.aws.amazon.com/apigateway/latest/
developerguide/http-api-develop-routes.html). Path parameters arrive URL-decoded.

A function whose resource-based policy (``lambdakit.function.iam``) does not let
``apigateway.amazonaws.com`` invoke it for :meth:`HttpApi.execute_arn` answers 500.
Not modelled: authorizers, CORS, the integration timeout, payload format 1.0.

Example:
    >>> from lambdakit import Platform
    >>> p = Platform(seed=4)
    >>> def get_item(event, context):
    ...     return {"id": event["pathParameters"]["id"]}
    >>> _ = p.create_function("items", handler=get_item)
    >>> api = HttpApi(p, "shop")
    >>> api.add_route("GET /items/{id}", "items")
    >>> r = api.request("GET", "/items/42")
    >>> r.status, r.headers["content-type"], r.body
    (200, 'application/json', '{"id":"42"}')
    >>> api.request("GET", "/nothing").status
    404
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from .. import events
from ..errors import (
    InvalidParameterValueException,
    LambdaError,
    ResourceConflictException,
    TooManyRequestsException,
)
from ..function.quotas import check_choice
from .base import Service, ServiceError

if TYPE_CHECKING:
    from ..platform import Platform

__all__ = ["HttpApi", "HttpResponse", "RequestLog", "Route"]

_ROUTE_METHODS = ("ANY", *events.HTTP_METHODS)
_SEGMENT = re.compile(r"\{([A-Za-z0-9._-]+)(\+?)\}|[^{}/]+")
_API_NAME = re.compile(r".{1,128}", re.S)
_STAGE = re.compile(r"\$default|[A-Za-z0-9_-]{1,128}")
_LITERAL, _VARIABLE, _GREEDY = 0, 1, 2


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """What the HTTP client receives. ``body`` is bytes when the function sent base64."""

    status: int
    headers: dict[str, str]
    body: str | bytes
    cookies: tuple[str, ...] = ()

    def json(self) -> Any:
        """The body parsed as JSON.

        >>> HttpResponse(200, {}, '{"a":1}').json()
        {'a': 1}
        """
        return json.loads(self.body)


@dataclass(frozen=True, slots=True)
class Route:
    """One route: ``key`` as written (``GET /items/{id}``), its function and qualifier."""

    key: str
    method: str
    segments: tuple[tuple[int, str], ...]  # (kind, literal text or variable name)
    function: str
    qualifier: str | None = None

    def match(self, method: str, parts: list[str]) -> dict[str, str] | None:
        """Path parameters if this route takes ``method`` on ``parts``, else None."""
        if self.method not in ("ANY", method):
            return None
        params: dict[str, str] = {}
        for i, (kind, text) in enumerate(self.segments):
            if kind == _GREEDY:
                rest = parts[i:]
                if not rest or rest == [""]:
                    return None
                params[text] = unquote("/".join(rest))
                return params
            if i >= len(parts) or (kind == _LITERAL and parts[i] != text) or not parts[i]:
                return None
            if kind == _VARIABLE:
                params[text] = unquote(parts[i])
        return params if len(parts) == len(self.segments) else None

    def rank(self) -> tuple[int, tuple[int, ...]]:
        """Sort key: specific method before ANY, then literal before variable before greedy."""
        return (self.method == "ANY", tuple(kind for kind, _ in self.segments))


@dataclass(frozen=True, slots=True)
class RequestLog:
    """One request served: its route (None: no match), status and invocation record."""

    time_s: float
    method: str
    path: str
    route_key: str | None
    status: int
    record_index: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


class HttpApi(Service):
    """An HTTP API with Lambda proxy integrations (payload format 2.0).

    >>> from lambdakit import Platform
    >>> HttpApi(Platform(), "shop").stage
    '$default'
    """

    kind = "apigateway"
    default_latency_s = 0.0  # requests come from outside handlers: nothing to charge
    rng_key = 304
    principal = "apigateway.amazonaws.com"

    def __init__(self, platform: Platform, name: str, *, stage: str = "$default") -> None:
        if not isinstance(name, str) or not _API_NAME.fullmatch(name):
            raise InvalidParameterValueException("Name", name, "1-128 characters")
        if not isinstance(stage, str) or not _STAGE.fullmatch(stage):
            raise InvalidParameterValueException("stage", stage,
                                                 "'$default' or 1-128 letters, digits, '-', '_'")
        super().__init__(platform, name)
        self.stage = stage
        self.routes: list[Route] = []
        self.log: list[RequestLog] = []

    @property
    def arn(self) -> str:
        """``arn:aws:apigateway:<region>::/apis/<name>`` (lambdakit uses the name as the id)."""
        return f"arn:aws:apigateway:{self.platform.region}::/apis/{self.name}"

    def execute_arn(self, method: str, route: Route) -> str:
        """The ``execute-api`` ARN API Gateway invokes as (a permission's ``source_arn``):
        ``arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<path>``."""
        tail = "$default" if route.key == "$default" else route.key.partition(" ")[2][1:]
        verb = "*" if route.key == "$default" or route.method == "ANY" else method
        stage = "$default" if self.stage == "$default" else self.stage
        return (f"arn:aws:execute-api:{self.platform.region}:{self.platform.account_id}:"
                f"{self.name}/{stage}/{verb}/{tail}")

    def add_route(self, route_key: str, function: str, *, qualifier: str | None = None) -> None:
        """Send requests matching ``route_key`` (``"GET /items/{id}"``, ``"ANY /{proxy+}"``,
        ``"$default"``) to ``function``."""
        self.platform.get_function(function)  # ResourceNotFoundException if unknown
        route = _parse_route(route_key, function, qualifier)
        if any(r.key == route.key for r in self.routes):
            raise ResourceConflictException(f"Route with key {route_key} already exists")
        self.routes.append(route)

    def request(self, method: str, path: str, body: Any = None,
                headers: Mapping[str, str] | None = None,
                query: Mapping[str, Any] | None = None,
                cookies: Sequence[str] | None = None) -> HttpResponse:
        """Send one HTTP request through the API; the clock moves to the end of the call."""
        method = _request_method(method)
        if not isinstance(path, str) or not path.startswith("/") or "?" in path:
            raise InvalidParameterValueException(
                "path", path, "a string starting with '/' without a query string (use query=)")
        if self.platform.in_handler():
            raise RuntimeError("HttpApi.request() cannot be called from inside a handler: the "
                               "simulated platform does not nest synchronous invokes")
        t = self.platform.now
        try:
            self._call("Request")
        except ServiceError as err:
            return self._done(t, method, path, None, _error(err.status_code, err.message), None)
        found = self._route(method, path)
        if found is None:
            return self._done(t, method, path, None, _error(404, "Not Found"), None)
        route, params, inner = found
        event = events.http_api(method, inner, route_key=route.key, body=body, headers=headers,
                                query=query, path_parameters=params or None, cookies=cookies,
                                stage=self.stage, env=self._event_env(t))
        rid = event["requestContext"]["requestId"]
        if not self._may_invoke(route.function, self.execute_arn(method, route),
                                route.qualifier):  # Lambda refuses the invoke -> 500 [§6.4]
            return self._done(t, method, path, route.key,
                              _error(500, "Internal Server Error", rid), None)
        try:
            result = self.platform.invoke(route.function, event, qualifier=route.qualifier)
        except TooManyRequestsException:
            return self._done(t, method, path, route.key, _error(429, "Too Many Requests", rid),
                              None)
        except LambdaError:  # Lambda rejected the invoke (payload too large, ...) [facts §6.4]
            return self._done(t, method, path, route.key,
                              _error(500, "Internal Server Error", rid), None)
        if result.function_error is not None:
            response = _error(502, "Internal Server Error", rid)  # facts §6.4 [S2]
        else:
            response = _map_response(result.payload, rid)
        return self._done(t, method, path, route.key, response, result.record_index)

    def _route(self, method: str, path: str) -> tuple[Route, dict[str, str], str] | None:
        inner = path
        if self.stage != "$default":
            prefix = f"/{self.stage}"
            if path != prefix and not path.startswith(prefix + "/"):
                return None
            inner = path[len(prefix):] or "/"
        parts = inner.split("/")[1:]
        parts = [] if parts == [""] else parts
        hits = [(r, p) for r in self.routes if r.key != "$default"
                for p in [r.match(method, parts)] if p is not None]
        if hits:
            route, params = min(hits, key=lambda h: h[0].rank())
            return route, params, inner
        default = next((r for r in self.routes if r.key == "$default"), None)
        return None if default is None else (default, {}, inner)

    def _done(self, t: float, method: str, path: str, route_key: str | None,
              response: HttpResponse, record_index: int | None) -> HttpResponse:
        self.log.append(RequestLog(t, method, path, route_key, response.status, record_index,
                                   dict(response.headers)))
        return response


def _request_method(method: Any) -> str:
    upper = method.upper() if isinstance(method, str) else method
    return str(check_choice("method", upper, events.HTTP_METHODS))


def _parse_route(route_key: Any, function: str, qualifier: str | None) -> Route:
    if route_key == "$default":
        return Route("$default", "ANY", (), function, qualifier)
    allowed = "'$default' or 'METHOD /path' (METHOD: ANY, GET, POST, ...; {name}, final {name+})"
    if not isinstance(route_key, str):
        raise InvalidParameterValueException("route_key", route_key, allowed)
    method, _, path = route_key.partition(" ")
    if method not in _ROUTE_METHODS or not path.startswith("/"):
        raise InvalidParameterValueException("route_key", route_key, allowed)
    segments: list[tuple[int, str]] = []
    texts = path.split("/")[1:]
    for i, text in enumerate([] if texts == [""] else texts):
        m = _SEGMENT.fullmatch(text)
        if m is None:
            raise InvalidParameterValueException(
                "route_key", route_key, f"{allowed}; segment {text!r} is not valid")
        if m.group(1) is None:
            segments.append((_LITERAL, text))
        elif m.group(2):
            if i != len(texts) - 1:
                raise InvalidParameterValueException(
                    "route_key", route_key, "a greedy path variable {name+} must be last")
            segments.append((_GREEDY, m.group(1)))
        else:
            segments.append((_VARIABLE, m.group(1)))
    names = [n for kind, n in segments if kind != _LITERAL]
    if len(names) != len(set(names)):
        raise InvalidParameterValueException("route_key", route_key,
                                             "path variable names must differ")
    return Route(route_key, method, tuple(segments), function, qualifier)


def _error(status: int, message: str, request_id: str = "") -> HttpResponse:
    headers = {"content-type": "application/json"}
    if request_id:
        headers["apigw-requestid"] = request_id
    return HttpResponse(status, headers, json.dumps({"message": message}, separators=(",", ":")))


def _map_response(payload: Any, request_id: str) -> HttpResponse:
    """Payload format 2.0: a full response dict, or an inferred 200 JSON response."""
    if not (isinstance(payload, dict) and "statusCode" in payload):
        text = payload if isinstance(payload, str) else json.dumps(payload, separators=(",", ":"))
        return HttpResponse(200, {"content-type": "application/json",
                                  "apigw-requestid": request_id}, text)
    status, headers = payload["statusCode"], payload.get("headers") or {}
    body, b64 = payload.get("body"), payload.get("isBase64Encoded", False)
    cookies = payload.get("cookies") or []
    well_formed = (isinstance(status, int) and not isinstance(status, bool)
                   and 100 <= status <= 599 and isinstance(headers, dict)
                   and (body is None or isinstance(body, str)) and isinstance(b64, bool)
                   and isinstance(cookies, list) and all(isinstance(c, str) for c in cookies))
    if not well_formed:
        return _error(502, "Internal Server Error", request_id)
    out: str | bytes = body or ""
    if b64:
        try:
            out = base64.b64decode(out, validate=True)
        except (binascii.Error, ValueError):
            return _error(502, "Internal Server Error", request_id)
    hdrs = {str(k): str(v) for k, v in headers.items()}
    hdrs.setdefault("apigw-requestid", request_id)
    return HttpResponse(status, hdrs, out, tuple(cookies))
