"""Realistic Lambda event payloads, shaped exactly like AWS's (lambda-facts §9).

Every builder returns a fresh, JSON-able dict with the keys, nesting and value types of the
canonical sample that ``sam local generate-event`` renders [S24]. Values are realistic: ARNs
carry the region and account of an :class:`EventEnv`, timestamps come from its clock in each
service's own format, ids come from its seeded RNG (same seed, same events). Where AWS sends
``null`` or leaves a field out (a REST request without a query string, an HTTP API request
without a body), the builders do the same, so a handler meets the gaps it will meet on AWS.

Facts not yet tagged in lambda-facts.md are cited by the AWS documentation URL.

Example:
    >>> env = EventEnv(region="eu-west-1")
    >>> sqs(["hello"], queue="orders", env=env)["Records"][0]["eventSourceARN"]
    'arn:aws:sqs:eu-west-1:123456789012:orders'
    >>> from_dynamodb_json(to_dynamodb_json({"n": 1, "tags": ["a"]}))
    {'n': 1, 'tags': ['a']}
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import random
import re
import string
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Protocol
from urllib.parse import quote_plus, urlencode

__all__ = [
    "HTTP_METHODS",
    "S3_CREATED",
    "S3_REMOVED",
    "SAMPLE_BUILDERS",
    "STREAM_VIEW_TYPES",
    "EventEnv",
    "SampleBuilder",
    "api_gateway_rest",
    "dynamodb_stream",
    "eventbridge_custom",
    "eventbridge_scheduled",
    "from_dynamodb_json",
    "http_api",
    "kinesis",
    "s3_object_created",
    "s3_object_removed",
    "sns",
    "sqs",
    "to_dynamodb_json",
]

Event = dict[str, Any]
StreamRecord = tuple[str, dict[str, Any], dict[str, Any] | None, dict[str, Any] | None]


@dataclass(slots=True)
class EventEnv:
    """What the platform provides to event builders: where, when, and a source of ids.

    >>> env = EventEnv(now_s=90.5)
    >>> env.now().isoformat()
    '2026-01-01T00:01:30.500000+00:00'
    >>> EventEnv().new_id() == EventEnv().new_id()   # same seed, same ids
    True
    """

    region: str = "us-east-1"
    account_id: str = "123456789012"
    epoch: datetime = datetime(2026, 1, 1, tzinfo=timezone.utc)  # wall time of virtual t=0
    now_s: float = 0.0  # platform clock, seconds since ``epoch``
    rng: random.Random = field(default_factory=lambda: random.Random(0))

    def __post_init__(self) -> None:
        if not _REGION.fullmatch(self.region):
            raise _bad("region", self.region, "an AWS Region code such as 'us-east-1'")
        if not re.fullmatch(r"\d{12}", self.account_id):
            raise _bad("account_id", self.account_id, "12 digits")
        if self.epoch.tzinfo is None:
            raise _bad("epoch", self.epoch, "a timezone-aware datetime")

    def now(self) -> datetime:
        """Wall time (UTC) of the platform clock."""
        return (self.epoch + timedelta(seconds=self.now_s)).astimezone(timezone.utc)

    def new_id(self) -> str:
        """A uuid4-shaped id drawn from ``rng`` (deterministic per seed)."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))


# ---------------------------------------------------------------- validation -----------------

_REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}")
# Resource naming rules, from each service's API reference (CreateBucket, CreateQueue,
# CreateTopic, CreateTable, CreateStream, PutRule, CreateEventBus).
_NAMES: dict[str, tuple[str, str]] = {
    "bucket": (r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", "3-63 lowercase letters, digits, '.', '-'"),
    "queue": (r"(?=.{1,80}$)[A-Za-z0-9_-]+(\.fifo)?", "1-80 letters, digits, '-', '_'"),
    "topic": (r"(?=.{1,256}$)[A-Za-z0-9_-]+(\.fifo)?", "1-256 letters, digits, '-', '_'"),
    "table": (r"[A-Za-z0-9_.-]{3,255}", "3-255 letters, digits, '_', '-', '.'"),
    "stream": (r"[A-Za-z0-9_.-]{1,128}", "1-128 letters, digits, '_', '-', '.'"),
    "rule": (r"[A-Za-z0-9_.-]{1,64}", "1-64 letters, digits, '_', '-', '.'"),
    "bus": (r"[A-Za-z0-9/_.-]{1,256}", "1-256 letters, digits, '/', '_', '-', '.'"),
    "stage": (r"[A-Za-z0-9_-]{1,128}", "1-128 letters, digits, '-', '_'"),
    "shard_id": (r"shardId-\d{12}", "'shardId-' and 12 digits"),
}
# The methods an API Gateway proxy event can carry (ANY is a route, not a request method).
HTTP_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
# S3 event types: https://docs.aws.amazon.com/AmazonS3/latest/userguide/
# notification-how-to-event-types-and-destinations.html
S3_CREATED = ("ObjectCreated:Put", "ObjectCreated:Post", "ObjectCreated:Copy",
              "ObjectCreated:CompleteMultipartUpload")
S3_REMOVED = ("ObjectRemoved:Delete", "ObjectRemoved:DeleteMarkerCreated")
STREAM_VIEW_TYPES = ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")
_STREAM_EVENTS = ("INSERT", "MODIFY", "REMOVE")  # [S24]


def _bad(name: str, value: Any, allowed: str) -> ValueError:
    shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
    return ValueError(f"{name}={shown} is not valid: allowed {allowed}")


def _name(kind: str, value: Any) -> str:
    pattern, allowed = _NAMES[kind]
    if not isinstance(value, str) or not re.fullmatch(pattern, value):
        raise _bad(kind, value, allowed)
    return value


def _choice(name: str, value: Any, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise _bad(name, value, ", ".join(allowed))
    return str(value)


def _method(method: Any) -> str:
    upper = method.upper() if isinstance(method, str) else method
    return _choice("method", upper, HTTP_METHODS)


def _path(path: Any) -> str:
    if not isinstance(path, str) or not path.startswith("/") or "?" in path:
        raise _bad("path", path, "a string starting with '/' and no query string (use query=)")
    return path


def _nonempty(name: str, items: Any) -> list[Any]:
    if isinstance(items, (str, bytes, Mapping)) or not isinstance(items, Sequence) or not items:
        raise _bad(name, items, "a non-empty list")
    return list(items)


# Builders called without ``env`` share this one: ids stay unique within a process and a fresh
# interpreter (a re-run notebook) gets the same sequence again.
_DEFAULT_ENV = EventEnv()


def _env(env: EventEnv | None) -> EventEnv:
    return _DEFAULT_ENV if env is None else env


# ---------------------------------------------------------------- formatting -----------------

_UNIX = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ALNUM_LOWER = string.ascii_lowercase + string.digits
_ALNUM_UPPER = string.ascii_uppercase + string.digits
_USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def _iso_ms(t: datetime) -> str:  # S3 eventTime, SNS Timestamp: 1970-01-01T00:00:00.000Z [S24]
    return f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond // 1000:03d}Z"


def _iso_s(t: datetime) -> str:  # EventBridge time: 1970-01-01T00:00:00Z [S24]
    return f"{t:%Y-%m-%dT%H:%M:%S}Z"


def _epoch_ms(t: datetime) -> int:
    return (t - _UNIX) // timedelta(milliseconds=1)


def _clf(t: datetime) -> str:  # API Gateway requestTime: 09/Apr/2015:12:34:56 +0000 [S24]
    return f"{t.day:02d}/{_MONTHS[t.month - 1]}/{t.year:04d}:{t:%H:%M:%S} +0000"


def _partition(region: str) -> str:
    return "aws-cn" if region.startswith("cn-") else "aws-us-gov" if "-gov-" in region else "aws"


def _dns_suffix(region: str) -> str:
    return "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"


def _arn(env: EventEnv, service: str, resource: str, *, regional: bool = True) -> str:
    where = f"{env.region}:{env.account_id}" if regional else f":{env.account_id}"
    return f"arn:{_partition(env.region)}:{service}:{where}:{resource}"


def _hex(env: EventEnv, n: int) -> str:
    return f"{env.rng.getrandbits(4 * n):0{n}x}"


def _b64(env: EventEnv, nbytes: int) -> str:
    return base64.b64encode(env.rng.randbytes(nbytes)).decode()


def _token(env: EventEnv, n: int, alphabet: str) -> str:
    return "".join(env.rng.choice(alphabet) for _ in range(n))


def _stable(label: str, n: int, alphabet: str) -> str:
    """An id that depends only on ``label`` (the same API, bucket owner... every call)."""
    x = int.from_bytes(hashlib.sha256(label.encode()).digest(), "big")
    out = []
    for _ in range(n):
        x, r = divmod(x, len(alphabet))
        out.append(alphabet[r])
    return "".join(out)


def _client_ip(env: EventEnv) -> str:
    return f"203.0.113.{env.rng.randrange(1, 255)}"  # RFC 5737 documentation range


def _body(body: Any) -> tuple[str | None, bool]:
    """(body text, isBase64Encoded): bytes travel base64-encoded, dicts and lists as JSON."""
    if body is None or isinstance(body, str):
        return body, False
    if isinstance(body, (bytes, bytearray)):
        return base64.b64encode(bytes(body)).decode(), True
    if isinstance(body, (dict, list)):
        return json.dumps(body), False
    raise _bad("body", body, "str, bytes, dict, list or None")


def _json_text(name: str, value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        raise _bad(name, value, "a string or a JSON-serialisable value") from None


def _query_lists(query: Mapping[str, Any] | None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for k, v in (query or {}).items():
        vals = [str(x) for x in v] if isinstance(v, (list, tuple)) else [str(v)]
        if vals:
            out[str(k)] = vals
    return out


def _merge_headers(defaults: dict[str, str], extra: Mapping[str, Any] | None) -> dict[str, str]:
    """Defaults overridden case-insensitively by the caller's headers."""
    extra = {str(k): str(v) for k, v in (extra or {}).items()}
    lowered = {k.lower() for k in extra}
    return {**{k: v for k, v in defaults.items() if k.lower() not in lowered}, **extra}


def _header(headers: Mapping[str, str], name: str) -> str:
    return next(v for k, v in headers.items() if k.lower() == name.lower())


def _trace_id(env: EventEnv, t: datetime) -> str:
    return f"Root=1-{_epoch_ms(t) // 1000:08x}-{_hex(env, 24)}"


# ---------------------------------------------------------------- API Gateway ----------------


def api_gateway_rest(method: str = "GET", path: str = "/", *, body: Any = None,
                     headers: Mapping[str, str] | None = None,
                     query: Mapping[str, Any] | None = None,
                     path_parameters: Mapping[str, str] | None = None,
                     resource: str | None = None, stage: str = "prod",
                     env: EventEnv | None = None) -> Event:
    """An API Gateway REST API proxy event (payload 1.0), shaped as ``AwsProxy.json`` [S24].

    Absent body, query, path parameters and stage variables are ``null``, as AWS sends them.

    >>> ev = api_gateway_rest("POST", "/items", body={"name": "pen"})
    >>> ev["httpMethod"], ev["body"], ev["queryStringParameters"], ev["requestContext"]["path"]
    ('POST', '{"name": "pen"}', None, '/prod/items')
    """
    env, method, path, stage = _env(env), _method(method), _path(path), _name("stage", stage)
    t, ip = env.now(), _client_ip(env)
    api_id = _stable(f"rest:{env.account_id}:{env.region}", 10, _ALNUM_LOWER)
    text, b64 = _body(body)
    resource = path if resource is None else resource
    hdrs = _merge_headers({
        "Accept": "application/json, text/html;q=0.9, */*;q=0.8",
        "Accept-Encoding": "gzip, deflate, br",
        "CloudFront-Forwarded-Proto": "https",
        "CloudFront-Is-Desktop-Viewer": "true",
        "CloudFront-Is-Mobile-Viewer": "false",
        "CloudFront-Is-SmartTV-Viewer": "false",
        "CloudFront-Is-Tablet-Viewer": "false",
        "CloudFront-Viewer-Country": "US",
        **({"Content-Type": "application/json"} if isinstance(body, (dict, list)) else {}),
        "Host": f"{api_id}.execute-api.{env.region}.{_dns_suffix(env.region)}",
        "User-Agent": _USER_AGENT,
        "Via": f"2.0 {_hex(env, 32)}.cloudfront.net (CloudFront)",
        "X-Amz-Cf-Id": _b64(env, 42).replace("+", "-").replace("/", "_"),
        "X-Amzn-Trace-Id": _trace_id(env, t),
        "X-Forwarded-For": f"{ip}, 198.51.100.{env.rng.randrange(1, 255)}",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
    }, headers)
    qs = _query_lists(query)
    return {
        "body": text,
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "isBase64Encoded": b64,
        "queryStringParameters": {k: v[-1] for k, v in qs.items()} or None,  # last value wins
        "multiValueQueryStringParameters": qs or None,
        "pathParameters": dict(path_parameters) if path_parameters else None,
        "stageVariables": None,
        "headers": hdrs,
        "multiValueHeaders": {k: [v] for k, v in hdrs.items()},
        "requestContext": {
            "accountId": env.account_id,
            "resourceId": _stable(f"{api_id}:{resource}", 6, _ALNUM_LOWER),
            "stage": stage,
            "requestId": env.new_id(),
            "requestTime": _clf(t),
            "requestTimeEpoch": _epoch_ms(t),
            "identity": {
                "cognitoIdentityPoolId": None, "accountId": None, "cognitoIdentityId": None,
                "caller": None, "accessKey": None, "sourceIp": ip,
                "cognitoAuthenticationType": None, "cognitoAuthenticationProvider": None,
                "userArn": None, "userAgent": _header(hdrs, "User-Agent"), "user": None,
            },
            "path": f"/{stage}{path}",
            "resourcePath": resource,
            "httpMethod": method,
            "apiId": api_id,
            "protocol": "HTTP/1.1",
        },
    }


def http_api(method: str = "GET", path: str = "/", *, route_key: str | None = None,
             body: Any = None, headers: Mapping[str, str] | None = None,
             query: Mapping[str, Any] | None = None,
             path_parameters: Mapping[str, str] | None = None,
             cookies: Sequence[str] | None = None, stage: str = "$default",
             env: EventEnv | None = None) -> Event:
    """An API Gateway HTTP API event (payload format 2.0), shaped as ``HttpApi.json`` [S24].

    Header names are lower-case; duplicate query values are joined with commas. As on AWS,
    ``cookies``, ``queryStringParameters``, ``pathParameters``, ``body`` and ``stageVariables``
    are left out when empty, and ``authentication``/``authorizer`` when there is no mTLS or
    authorizer (https://docs.aws.amazon.com/apigateway/latest/developerguide/
    http-api-develop-integrations-lambda.html).

    >>> ev = http_api("GET", "/items", query={"tag": ["a", "b"]}, route_key="GET /items")
    >>> ev["routeKey"], ev["rawQueryString"], ev["queryStringParameters"], "body" in ev
    ('GET /items', 'tag=a&tag=b', {'tag': 'a,b'}, False)
    """
    env, method, path = _env(env), _method(method), _path(path)
    if stage != "$default":
        _name("stage", stage)
    route_key = _route_key(route_key, method)
    t, ip = env.now(), _client_ip(env)
    api_id = _stable(f"http:{env.account_id}:{env.region}", 10, _ALNUM_LOWER)
    domain = f"{api_id}.execute-api.{env.region}.{_dns_suffix(env.region)}"
    raw_path = path if stage == "$default" else f"/{stage}{path}"
    text, b64 = _body(body)
    qs = _query_lists(query)
    hdrs = _merge_headers({
        "accept": "application/json, */*;q=0.8",
        **({"content-length": str(len(text.encode()))} if text is not None else {}),
        **({"content-type": "application/json"} if isinstance(body, (dict, list)) else {}),
        "host": domain,
        "user-agent": _USER_AGENT,
        "x-amzn-trace-id": _trace_id(env, t),
        "x-forwarded-for": ip,
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
    }, {str(k).lower(): v for k, v in (headers or {}).items()})
    event: Event = {"version": "2.0", "routeKey": route_key, "rawPath": raw_path,
                    "rawQueryString": urlencode([(k, v) for k, vs in qs.items() for v in vs])}
    if cookies:
        event["cookies"] = [str(c) for c in cookies]
    event["headers"] = hdrs
    if qs:
        event["queryStringParameters"] = {k: ",".join(v) for k, v in qs.items()}
    event["requestContext"] = {
        "accountId": env.account_id,
        "apiId": api_id,
        "domainName": domain,
        "domainPrefix": api_id,
        "http": {"method": method, "path": raw_path, "protocol": "HTTP/1.1", "sourceIp": ip,
                 "userAgent": hdrs["user-agent"]},
        "requestId": _token(env, 15, string.ascii_letters + string.digits) + "=",
        "routeKey": route_key,
        "stage": stage,
        "time": _clf(t),
        "timeEpoch": _epoch_ms(t),
    }
    if text is not None:
        event["body"] = text
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    event["isBase64Encoded"] = b64
    return event


def _route_key(route_key: Any, method: str) -> str:
    """The matched route: ``$default`` (catch-all) or ``METHOD /path`` with ANY or ``method``."""
    if route_key is None:
        return "$default"
    m = re.fullmatch(r"\$default|(ANY|[A-Z]+) /\S*", route_key) if isinstance(
        route_key, str) else None
    if m is None or m.group(1) not in (None, "ANY", method):
        raise _bad("route_key", route_key, f"'$default', 'ANY /path' or '{method} /path'")
    return str(route_key)


# ---------------------------------------------------------------- S3 -------------------------


def s3_object_created(bucket: str, key: str, *, size: int = 1024, etag: str | None = None,
                      event_name: str = "ObjectCreated:Put", env: EventEnv | None = None) -> Event:
    """An S3 ObjectCreated notification, shaped as ``S3Put.json`` [S24].

    The key is URL-encoded as S3 sends it (``event-mapping.json``: ``"encoding": "url"`` [S24]).

    >>> rec = s3_object_created("photos", "2026/red flower.jpg", size=5)["Records"][0]
    >>> rec["s3"]["object"]["key"], rec["s3"]["bucket"]["arn"], rec["eventTime"]
    ('2026/red+flower.jpg', 'arn:aws:s3:::photos', '2026-01-01T00:00:00.000Z')
    """
    env = _env(env)
    _choice("event_name", event_name, S3_CREATED)
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise _bad("size", size, "an integer number of bytes >= 0")
    if etag is not None and not re.fullmatch(r"[0-9a-f]{32}(-\d+)?", etag.strip('"')):
        raise _bad("etag", etag, "32 hex digits (MD5), optionally '-<parts>'")
    etag = _hex(env, 32) if etag is None else etag.strip('"')
    return _s3_event(env, bucket, key, event_name, {"size": size, "eTag": etag})


def s3_object_removed(bucket: str, key: str, *, event_name: str = "ObjectRemoved:Delete",
                      env: EventEnv | None = None) -> Event:
    """An S3 ObjectRemoved notification, shaped as ``S3Delete.json`` (no size or eTag) [S24].

    >>> s3_object_removed("photos", "a.jpg")["Records"][0]["eventName"]
    'ObjectRemoved:Delete'
    """
    env = _env(env)
    _choice("event_name", event_name, S3_REMOVED)
    return _s3_event(env, bucket, key, event_name, {})


def _s3_event(env: EventEnv, bucket: str, key: str, event_name: str,
              extra: dict[str, Any]) -> Event:
    _name("bucket", bucket)
    if not isinstance(key, str) or not 1 <= len(key.encode()) <= 1024:
        raise _bad("key", key, "1-1024 bytes of UTF-8")
    t = env.now()
    us = (t - _UNIX) // timedelta(microseconds=1)
    sequencer = f"{us:013X}{env.rng.getrandbits(20):05X}"  # grows with time, per key order
    owner = _stable(f"owner:{env.account_id}", 13, _ALNUM_UPPER)
    return {"Records": [{
        "eventVersion": "2.1",  # current S3 notifications [S25]; the sam template says "2.0"
        "eventSource": "aws:s3",
        "awsRegion": env.region,
        "eventTime": _iso_ms(t),
        "eventName": event_name,
        "userIdentity": {"principalId": f"AWS:AIDA{_stable(env.account_id, 17, _ALNUM_UPPER)}"},
        "requestParameters": {"sourceIPAddress": _client_ip(env)},
        "responseElements": {"x-amz-request-id": _hex(env, 16).upper(),
                             "x-amz-id-2": _b64(env, 57)},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": "lambda-trigger",
            "bucket": {"name": bucket, "ownerIdentity": {"principalId": f"A{owner}"},
                       "arn": f"arn:{_partition(env.region)}:s3:::{bucket}"},
            "object": {"key": quote_plus(key, safe="/"), **extra, "sequencer": sequencer},
        },
    }]}


# ---------------------------------------------------------------- SQS and SNS ----------------


def sqs(messages: Sequence[str | dict[str, Any]], *, queue: str = "my-queue",
        receive_count: int = 1, env: EventEnv | None = None) -> Event:
    """An SQS batch, one ``Records`` entry per message, shaped as ``Sqs.json`` [S24].

    Dict messages are sent as JSON text; ``md5OfBody`` is the MD5 of the body.

    >>> rec = sqs([{"id": 1}])["Records"][0]
    >>> rec["body"], rec["attributes"]["ApproximateReceiveCount"], rec["eventSource"]
    ('{"id": 1}', '1', 'aws:sqs')
    """
    env, messages = _env(env), _nonempty("messages", messages)
    _name("queue", queue)
    if isinstance(receive_count, bool) or not isinstance(receive_count, int) or receive_count < 1:
        raise _bad("receive_count", receive_count, "an integer >= 1")
    now_ms, arn = _epoch_ms(env.now()), _arn(env, "sqs", queue)
    records = []
    for msg in messages:
        body = _json_text("messages[]", msg)
        records.append({
            "messageId": env.new_id(),
            "receiptHandle": "AQEB" + _b64(env, 120),
            "body": body,
            "attributes": {  # epoch-millisecond strings [S24]
                "ApproximateReceiveCount": str(receive_count),
                "SentTimestamp": str(now_ms - env.rng.randrange(5, 500)),
                "SenderId": env.account_id,
                "ApproximateFirstReceiveTimestamp": str(now_ms),
            },
            "messageAttributes": {},
            "md5OfBody": hashlib.md5(body.encode()).hexdigest(),
            "eventSource": "aws:sqs",
            "eventSourceARN": arn,
            "awsRegion": env.region,
        })
    return {"Records": records}


def sns(message: str | dict[str, Any], *, topic: str = "my-topic", subject: str | None = None,
        attributes: Mapping[str, Any] | None = None, env: EventEnv | None = None) -> Event:
    """An SNS notification delivered to Lambda, shaped as ``Sns.json`` [S24].

    ``Subject`` is ``null`` when none was published; attributes map str to ``String``,
    numbers to ``Number``, bytes to ``Binary`` (base64) and lists to ``String.Array``.

    >>> n = sns("hi", attributes={"priority": 2})["Records"][0]["Sns"]
    >>> n["Message"], n["Subject"], n["MessageAttributes"]
    ('hi', None, {'priority': {'Type': 'Number', 'Value': '2'}})
    """
    env = _env(env)
    topic_arn = _arn(env, "sns", _name("topic", topic))
    if subject is not None and not isinstance(subject, str):
        raise _bad("subject", subject, "a string or None")
    sub_arn = f"{topic_arn}:{env.new_id()}"
    endpoint = f"https://sns.{env.region}.{_dns_suffix(env.region)}"
    cert = _stable(f"sns-cert:{env.region}", 32, "0123456789abcdef")
    return {"Records": [{
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": sub_arn,
        "Sns": {
            "Type": "Notification",
            "MessageId": env.new_id(),
            "TopicArn": topic_arn,
            "Subject": subject,
            "Message": _json_text("message", message),
            "Timestamp": _iso_ms(env.now()),
            "SignatureVersion": "1",
            "Signature": _b64(env, 256),
            "SigningCertUrl": f"{endpoint}/SimpleNotificationService-{cert}.pem",
            "UnsubscribeUrl": f"{endpoint}/?Action=Unsubscribe&SubscriptionArn={sub_arn}",
            "MessageAttributes": {str(k): _sns_attr(k, v) for k, v in (attributes or {}).items()},
        },
    }]}


def _sns_attr(name: Any, value: Any) -> dict[str, str]:
    if isinstance(value, str):
        return {"Type": "String", "Value": value}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"Type": "Number", "Value": str(value)}
    if isinstance(value, (bytes, bytearray)):
        return {"Type": "Binary", "Value": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, (list, tuple)):
        return {"Type": "String.Array", "Value": json.dumps(list(value))}
    raise _bad(f"attributes[{name!r}]", value, "str, int, float, bytes or list")


# ---------------------------------------------------------------- streams --------------------


def dynamodb_stream(records: Sequence[StreamRecord], *,
                    table: str = "my-table", view_type: str = "NEW_AND_OLD_IMAGES",
                    env: EventEnv | None = None) -> Event:
    """A DynamoDB Streams batch, shaped as ``DynamoDBUpdate.json`` [S24].

    Each record is ``(eventName, keys, new_image, old_image)`` in plain Python values. Images
    appear as ``view_type`` says (INSERT has no old image, REMOVE no new one) and ``SizeBytes``
    follows DynamoDB's item-size rules, which reproduce the sample's 26/59/38 bytes (https://
    docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html).

    >>> d = dynamodb_stream([("INSERT", {"Id": 101}, {"Id": 101, "Message": "New item!"}, None)])
    >>> r = d["Records"][0]["dynamodb"]
    >>> r["Keys"], "OldImage" in r, r["SizeBytes"]
    ({'Id': {'N': '101'}}, False, 26)
    """
    env, records = _env(env), _nonempty("records", records)
    _name("table", table)
    _choice("view_type", view_type, STREAM_VIEW_TYPES)
    label = f"{env.epoch.astimezone(timezone.utc):%Y-%m-%dT%H:%M:%S.%f}"[:-3]
    arn = _arn(env, "dynamodb", f"table/{table}/stream/{label}")
    t = env.now()
    base = _epoch_ms(t) * 10**12 + env.rng.randrange(10**9) * 1000
    wants_new = view_type in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES")
    wants_old = view_type in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES")
    out = []
    for i, rec in enumerate(records):
        name, keys, new, old = _stream_record(i, rec, wants_new, wants_old)
        ddb: dict[str, Any] = {"Keys": _image(keys)}
        if wants_new and new is not None:
            ddb["NewImage"] = _image(new)
        if wants_old and old is not None:
            ddb["OldImage"] = _image(old)
        size = sum(_item_size(ddb[k]) for k in ("Keys", "NewImage", "OldImage") if k in ddb)
        ddb.update({"ApproximateCreationDateTime": _epoch_ms(t) // 1000,  # epoch s [S24]
                    "SequenceNumber": str(base + i), "SizeBytes": size,
                    "StreamViewType": view_type})
        out.append({"eventID": _hex(env, 32), "eventName": name, "eventVersion": "1.1",
                    "eventSource": "aws:dynamodb", "awsRegion": env.region, "dynamodb": ddb,
                    "eventSourceARN": arn})
    return {"Records": out}


def _stream_record(i: int, rec: Any, wants_new: bool, wants_old: bool) -> StreamRecord:
    where = f"records[{i}]"
    if not isinstance(rec, (tuple, list)) or len(rec) != 4:
        raise _bad(where, rec, "a tuple (eventName, keys, new_image, old_image)")
    name, keys, new, old = rec
    _choice(f"{where}.eventName", name, _STREAM_EVENTS)
    if not isinstance(keys, Mapping) or not keys:
        raise _bad(f"{where}.keys", keys, "a non-empty dict of key attributes")
    need_new, need_old = name in ("INSERT", "MODIFY"), name in ("MODIFY", "REMOVE")
    for label, image, needed, wanted in (("new_image", new, need_new, wants_new),
                                         ("old_image", old, need_old, wants_old)):
        if image is not None and not needed:
            raise _bad(f"{where}.{label}", image, f"None for {name}")
        if image is None and needed and wanted:
            raise _bad(f"{where}.{label}", image, f"a dict for {name} records")
        if image is not None and not isinstance(image, Mapping):
            raise _bad(f"{where}.{label}", image, "a dict or None")
        if image is not None and any(image.get(k, object()) != v for k, v in keys.items()):
            raise _bad(f"{where}.{label}", image, f"an item holding the keys {dict(keys)!r}")
    return name, dict(keys), new, old


def kinesis(records: Sequence[tuple[str, bytes | str | dict[str, Any]]], *,
            stream: str = "my-stream", shard_id: str = "shardId-000000000000",
            env: EventEnv | None = None) -> Event:
    """A Kinesis Data Streams batch, shaped as ``Kinesis.json`` [S24].

    Each record is ``(partitionKey, data)``; data is base64-encoded (dicts as JSON), sequence
    numbers are 56-digit strings that increase along the batch and with the clock.

    >>> rec = kinesis([("pk", "hello")])["Records"][0]
    >>> base64.b64decode(rec["kinesis"]["data"]), rec["eventID"].split(":")[0]
    (b'hello', 'shardId-000000000000')
    """
    env, records = _env(env), _nonempty("records", records)
    arn = _arn(env, "kinesis", f"stream/{_name('stream', stream)}")
    _name("shard_id", shard_id)
    role = _arn(env, "iam", "role/lambda-kinesis-role", regional=False)
    t = env.now()
    us = (t - _UNIX) // timedelta(microseconds=1)
    shard = int(_stable(f"{arn}/{shard_id}", 8, string.digits))  # per-shard digits
    base = (490 * 10**8 + shard) * 10**45 + us * 10**29 + env.rng.randrange(10**22) * 10**6
    out = []
    for i, rec in enumerate(records):
        if not isinstance(rec, (tuple, list)) or len(rec) != 2:
            raise _bad(f"records[{i}]", rec, "a tuple (partitionKey, data)")
        key, data = rec
        if not isinstance(key, str) or not 1 <= len(key) <= 256:
            raise _bad(f"records[{i}].partitionKey", key, "a string of 1-256 characters")
        raw = bytes(data) if isinstance(data, (bytes, bytearray)) else _json_text(
            f"records[{i}].data", data).encode()
        seq = str(base + i)
        out.append({
            "kinesis": {"partitionKey": key, "kinesisSchemaVersion": "1.0",
                        "data": base64.b64encode(raw).decode(), "sequenceNumber": seq,
                        "approximateArrivalTimestamp": _epoch_ms(t) / 1000},  # float s [S24]
            "eventSource": "aws:kinesis",
            "eventID": f"{shard_id}:{seq}",
            "invokeIdentityArn": role,
            "eventVersion": "1.0",
            "eventName": "aws:kinesis:record",
            "eventSourceARN": arn,
            "awsRegion": env.region,
        })
    return {"Records": out}


# ---------------------------------------------------------------- EventBridge ----------------


def eventbridge_scheduled(*, rule: str = "my-schedule", env: EventEnv | None = None) -> Event:
    """A scheduled EventBridge event: ``ScheduledEvent.json`` [S24] plus ``version: "0"`` as in
    AWS's own example [S2:services-cloudwatchevents.md].

    >>> ev = eventbridge_scheduled()
    >>> ev["version"], ev["detail-type"], ev["time"]
    ('0', 'Scheduled Event', '2026-01-01T00:00:00Z')
    >>> ev["resources"]
    ['arn:aws:events:us-east-1:123456789012:rule/my-schedule']
    """
    env = _env(env)
    rule_arn = _arn(env, "events", f"rule/{_name('rule', rule)}")
    return _eventbridge(env, "aws.events", "Scheduled Event", [rule_arn], {})


def eventbridge_custom(source: str, detail_type: str, detail: dict[str, Any], *,
                       bus: str = "default", env: EventEnv | None = None) -> Event:
    """An event put on an EventBridge bus by an application (same envelope as a schedule).

    ``bus`` is validated but, as on AWS, does not appear in the payload.

    >>> ev = eventbridge_custom("shop.orders", "OrderPlaced", {"id": 7})
    >>> ev["source"], ev["detail-type"], ev["detail"], ev["resources"]
    ('shop.orders', 'OrderPlaced', {'id': 7}, [])
    """
    env = _env(env)
    _name("bus", bus)
    for name, value in (("source", source), ("detail_type", detail_type)):
        if not isinstance(value, str) or not 1 <= len(value) <= 256:
            raise _bad(name, value, "a string of 1-256 characters")
    if not isinstance(detail, dict):
        raise _bad("detail", detail, "a dict (a JSON object)")
    return _eventbridge(env, source, detail_type, [], json.loads(_json_text("detail", detail)))


def _eventbridge(env: EventEnv, source: str, detail_type: str, resources: list[str],
                 detail: dict[str, Any]) -> Event:
    return {
        "version": "0",  # [S2:services-cloudwatchevents.md]
        "id": env.new_id(),
        "detail-type": detail_type,
        "source": source,
        "account": env.account_id,
        "time": _iso_s(env.now()),  # second precision, as the sample and AWS's example [S24]
        "region": env.region,
        "resources": resources,
        "detail": detail,
    }


# ---------------------------------------------------------------- DynamoDB JSON --------------

_NUMBER = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
_TAGS = ("S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS")


def to_dynamodb_json(value: Any) -> dict[str, Any]:
    """Plain Python value -> DynamoDB typed JSON (``{"S": ..}``, ``{"N": "1"}``, ``{"M": ..}``...).

    Sets become ``SS``/``NS``/``BS``; bytes travel base64-encoded.

    >>> to_dynamodb_json({"id": 7, "ok": True, "tags": ["x"]})
    {'M': {'id': {'N': '7'}, 'ok': {'BOOL': True}, 'tags': {'L': [{'S': 'x'}]}}}
    """
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, float, Decimal)):
        return {"N": _number_text(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, (bytes, bytearray)):
        return {"B": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, Mapping):
        if not all(isinstance(k, str) for k in value):
            raise _bad("map keys", list(value), "strings")
        return {"M": {k: to_dynamodb_json(v) for k, v in value.items()}}
    if isinstance(value, (set, frozenset)):
        return _set_json(value)
    if isinstance(value, (list, tuple)):
        return {"L": [to_dynamodb_json(v) for v in value]}
    raise _bad("value", value, "None, bool, int, float, Decimal, str, bytes, dict, list or set")


def from_dynamodb_json(d: Mapping[str, Any]) -> Any:
    """DynamoDB typed JSON -> plain Python value (``N`` becomes int or float).

    To decode a whole image (attribute name -> typed value), wrap it: ``{"M": image}``.

    >>> from_dynamodb_json({"M": {"Id": {"N": "101"}, "Message": {"S": "New item!"}}})
    {'Id': 101, 'Message': 'New item!'}
    """
    if not isinstance(d, Mapping) or len(d) != 1 or next(iter(d)) not in _TAGS:
        raise _bad("typed value", d, f"a dict with exactly one of {', '.join(_TAGS)} "
                   "(wrap an image as {'M': image})")
    ((tag, v),) = d.items()
    try:
        if tag == "S" and isinstance(v, str):
            return v
        if tag == "N":
            return _parse_number(v)
        if tag == "B":
            return base64.b64decode(v, validate=True)
        if tag == "BOOL" and isinstance(v, bool):
            return v
        if tag == "NULL" and v is True:
            return None
        if tag == "M" and isinstance(v, Mapping):
            return {str(k): from_dynamodb_json(x) for k, x in v.items()}
        if tag == "L" and isinstance(v, list):
            return [from_dynamodb_json(x) for x in v]
        if tag == "SS" and isinstance(v, list) and all(isinstance(x, str) for x in v):
            return set(v)
        if tag == "NS" and isinstance(v, list):
            return {_parse_number(x) for x in v}
        if tag == "BS" and isinstance(v, list):
            return {base64.b64decode(x, validate=True) for x in v}
    except (binascii.Error, TypeError):
        pass
    raise _bad(f"typed value {tag}", v, f"a well-formed {tag} value")


def _number_text(value: int | float | Decimal) -> str:
    if isinstance(value, int):
        return str(value)
    if not (Decimal(value) if isinstance(value, float) else value).is_finite():
        raise _bad("number", value, "a finite number (DynamoDB has no NaN or Infinity)")
    return repr(value) if isinstance(value, float) else str(value)


def _parse_number(text: Any) -> int | float:
    if not isinstance(text, str) or not _NUMBER.fullmatch(text):
        raise TypeError(text)
    return int(text) if re.fullmatch(r"-?\d+", text) else float(text)


def _set_json(values: set[Any] | frozenset[Any]) -> dict[str, Any]:
    items = list(values)
    if items and all(isinstance(x, str) for x in items):
        return {"SS": sorted(items)}
    if items and all(isinstance(x, (int, float, Decimal)) and not isinstance(x, bool)
                     for x in items):
        return {"NS": [_number_text(x) for x in sorted(items)]}
    if items and all(isinstance(x, (bytes, bytearray)) for x in items):
        return {"BS": [base64.b64encode(bytes(x)).decode() for x in sorted(items)]}
    raise _bad("set", values, "a non-empty set of only strings, only numbers or only bytes")


def _image(item: Mapping[str, Any]) -> dict[str, Any]:
    return dict(to_dynamodb_json(dict(item))["M"])


def _item_size(image: Mapping[str, Any]) -> int:
    """Item size by DynamoDB's rules: attribute-name bytes plus value sizes."""
    return sum(len(k.encode()) + _value_size(v) for k, v in image.items())


def _value_size(typed: Mapping[str, Any]) -> int:
    ((tag, v),) = typed.items()
    if tag == "S":
        return len(v.encode())
    if tag == "N":  # 1 byte per two significant digits, plus 1
        return (len(Decimal(v).normalize().as_tuple().digits) + 1) // 2 + 1
    if tag == "B":
        return len(base64.b64decode(v))
    if tag in ("BOOL", "NULL"):
        return 1
    if tag in ("SS", "NS", "BS"):
        return sum(_value_size({tag[0]: x}) for x in v)
    if tag == "L":  # 3 bytes overhead, 1 per element
        return 3 + sum(1 + _value_size(x) for x in v)
    return 3 + sum(1 + len(k.encode()) + _value_size(x) for k, x in v.items())  # M


# ---------------------------------------------------------------- event panel ----------------


def _sample_http_request(env: EventEnv | None = None) -> Event:
    return api_gateway_rest("GET", "/items/42", resource="/items/{id}",
                            path_parameters={"id": "42"}, query={"verbose": "true"}, env=env)


def _sample_s3_upload(env: EventEnv | None = None) -> Event:
    return s3_object_created("my-bucket", "uploads/photo.jpg", size=204_800, env=env)


def _sample_sqs(env: EventEnv | None = None) -> Event:
    return sqs([{"order_id": 1234, "status": "paid"}], queue="orders", env=env)


def _sample_dynamodb(env: EventEnv | None = None) -> Event:
    return dynamodb_stream([("MODIFY", {"id": "42"}, {"id": "42", "stock": 4},
                             {"id": "42", "stock": 5})], table="inventory", env=env)


def _sample_kinesis(env: EventEnv | None = None) -> Event:
    return kinesis([("sensor-7", {"temperature": 21.5})], stream="telemetry", env=env)


def _sample_schedule(env: EventEnv | None = None) -> Event:
    return eventbridge_scheduled(rule="every-5-minutes", env=env)


def _sample_sns(env: EventEnv | None = None) -> Event:
    return sns({"alarm": "HighLatency", "state": "ALARM"}, topic="alerts",
               subject="ALARM: HighLatency", env=env)


def _sample_http_api(env: EventEnv | None = None) -> Event:
    return http_api("POST", "/orders", route_key="POST /orders",
                    body={"item": "book", "qty": 1}, env=env)


class SampleBuilder(Protocol):
    """A zero-argument builder of a typical event; the platform may pass its ``env``."""

    def __call__(self, env: EventEnv | None = None) -> Event: ...


#: Event panel name -> builder of a typical event.
SAMPLE_BUILDERS: dict[str, SampleBuilder] = {
    "HTTP request": _sample_http_request,
    "S3 upload": _sample_s3_upload,
    "SQS message": _sample_sqs,
    "DynamoDB change": _sample_dynamodb,
    "Kinesis record": _sample_kinesis,
    "Schedule tick": _sample_schedule,
    "SNS message": _sample_sns,
    "HTTP API": _sample_http_api,
}
