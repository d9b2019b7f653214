"""Builders of AWS-shaped events, one per source: API Gateway, S3, SQS, SNS, DynamoDB Streams,
Kinesis, EventBridge."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import string
from collections.abc import Mapping, Sequence
from datetime import timedelta, timezone
from typing import Any
from urllib.parse import quote_plus, urlencode

from ..function.quotas import check_choice, check_number
from .dynamodb_json import _image, _item_size
from .env import (
    _ALNUM_LOWER,
    _ALNUM_UPPER,
    _STREAM_EVENTS,
    _UNIX,
    _USER_AGENT,
    S3_CREATED,
    S3_REMOVED,
    STREAM_VIEW_TYPES,
    Event,
    EventEnv,
    StreamRecord,
    _arn,
    _b64,
    _bad,
    _body,
    _clf,
    _client_ip,
    _dns_suffix,
    _env,
    _epoch_ms,
    _header,
    _hex,
    _iso_ms,
    _iso_s,
    _json_text,
    _merge_headers,
    _method,
    _name,
    _nonempty,
    _partition,
    _path,
    _query_lists,
    _stable,
    _token,
    _trace_id,
)

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
    check_choice("event_name", event_name, S3_CREATED)
    check_number("size", size, 0, unit="bytes", types=(int,))
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
    check_choice("event_name", event_name, S3_REMOVED)
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
    check_number("receive_count", receive_count, 1, types=(int,))
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
    check_choice("view_type", view_type, STREAM_VIEW_TYPES)
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
    check_choice(f"{where}.eventName", name, _STREAM_EVENTS)
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
