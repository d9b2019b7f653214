"""Tests for lambdakit.events: every builder has the shape of AWS's sample and realistic values.

The reference shapes are the sam-cli templates in tests/data/sam_events/ [S24], filled the way
`sam local generate-event` fills them. aws-powertools' sample events are not compared: no
registry package ships them (the PyPI wheel and sdist of aws-lambda-powertools 3.37.0 have no
tests/events/), and the brief rules out fetching them from GitHub.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import random
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lambdakit.errors import InvalidParameterValueException
from lambdakit.events import (
    SAMPLE_BUILDERS,
    EventEnv,
    api_gateway_rest,
    dynamodb_stream,
    eventbridge_custom,
    eventbridge_scheduled,
    from_dynamodb_json,
    http_api,
    kinesis,
    s3_object_created,
    s3_object_removed,
    sns,
    sqs,
    to_dynamodb_json,
)

SAM = Path(__file__).parent / "data" / "sam_events"
# Sns.json's EventSubscriptionArn uses {{{accountId}}}, a placeholder event-mapping.json does
# not define (sam renders it empty); fill it with the account-id default instead.
_FALLBACK = {"accountId": "123456789012"}


# ----------------------------------------------------------------- sample loader --------------


def load_sample(service: str, event_type: str) -> Any:
    """The sam-cli template for `sam local generate-event <service> <event_type>`, filled with
    event-mapping.json's defaults (encodings, md5 children and dict-typed tags applied)."""
    entry = json.loads((SAM / "event-mapping.json").read_text())[service][event_type]
    values: dict[str, Any] = dict(_FALLBACK)
    for tag, props in entry["tags"].items():
        name, raw = tag.replace("-", "_"), props.get("default", "")
        if props.get("type") == "dict":
            values[name] = json.loads(raw)
            continue
        enc = props.get("encoding")
        values[name] = (base64.b64encode(raw.encode()).decode() if enc == "base64"
                        else quote(raw) if enc == "url" else raw)
        for child, cprops in props.get("children", {}).items():
            assert cprops["hashing"] == "md5"
            values[child] = hashlib.md5(raw.encode()).hexdigest()
    path = SAM / "events" / service / f"{entry['filename']}.json"
    return _fill(json.loads(path.read_text()), values)


def _fill(node: Any, values: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        return {k: _fill(v, values) for k, v in node.items()}
    if isinstance(node, list):
        return [_fill(v, values) for v in node]
    if isinstance(node, str):
        whole = re.fullmatch(r"\{\{\{(\w+)\}\}\}", node)
        if whole and isinstance(values[whole.group(1)], dict):
            return copy.deepcopy(values[whole.group(1)])
        filled = re.sub(r"\{\{\{(\w+)\}\}\}", lambda m: str(values[m.group(1)]), node)
        assert "{{{" not in filled
        return filled
    return node


# ----------------------------------------------------------------- shape comparison -----------


@dataclass(frozen=True)
class Rules:
    """Where a builder may differ from the sample. Paths look like `$.Records[].s3.object`."""

    maps: frozenset[str] = frozenset()  # caller-chosen keys; values shaped like sample values
    free: frozenset[str] = frozenset()  # caller data: any JSON
    ddb: frozenset[str] = frozenset()  # DynamoDB images: attribute -> typed value
    optional: frozenset[str] = frozenset()  # sample keys AWS leaves out when empty
    nullable: frozenset[str] = frozenset()  # AWS sends null when absent
    extra: frozenset[str] = frozenset()  # keys AWS sends that the sample lacks


def _jtype(v: Any) -> str:
    for t, name in ((type(None), "null"), (bool, "boolean"), (int, "integer"), (float, "float"),
                    (str, "string"), (list, "array"), (dict, "object")):
        if isinstance(v, t):
            return name
    raise AssertionError(f"not JSON: {v!r}")


def assert_shape(actual: Any, sample: Any, rules: Rules = Rules(), path: str = "$") -> None:
    """Same key set at every level, same JSON types, list elements shaped like the sample's."""
    if path in rules.free:
        json.dumps(actual)
        return
    if actual is None and path in rules.nullable:
        return
    assert _jtype(actual) == _jtype(sample), f"{path}: {_jtype(actual)}, sample {_jtype(sample)}"
    if isinstance(sample, dict):
        if path in rules.ddb:
            assert actual, path
            for v in actual.values():  # decodes, and re-encodes to the same typed JSON
                assert to_dynamodb_json(from_dynamodb_json(v)) == v, f"{path}: {v}"
            return
        if path in rules.maps:
            protos = list(sample.values())
            for k, v in actual.items():
                assert isinstance(k, str), path
                if protos:
                    assert_shape(v, protos[0], rules, f"{path}.*")
            return
        missing = {k for k in sample if k not in actual and f"{path}.{k}" not in rules.optional}
        extra = {k for k in actual if k not in sample and f"{path}.{k}" not in rules.extra}
        assert not missing, f"{path}: missing {sorted(missing)}"
        assert not extra, f"{path}: unexpected {sorted(extra)}"
        for k in actual.keys() & sample.keys():
            assert_shape(actual[k], sample[k], rules, f"{path}.{k}")
    elif isinstance(sample, list) and sample:
        for v in actual:
            assert_shape(v, sample[0], rules, f"{path}[]")


def _fs(*paths: str) -> frozenset[str]:
    return frozenset(paths)


REST_RULES = Rules(
    maps=_fs("$.queryStringParameters", "$.multiValueQueryStringParameters", "$.pathParameters",
             "$.stageVariables", "$.headers", "$.multiValueHeaders"),
    # REST proxy events carry null for an absent body, query string, path parameters and stage
    # variables (API Gateway developer guide, "Input format of a Lambda function for proxy
    # integration"; powertools' APIGatewayProxyEventModel types them Optional).
    nullable=_fs("$.body", "$.queryStringParameters", "$.multiValueQueryStringParameters",
                 "$.pathParameters", "$.stageVariables"),
)
HTTP_RULES = Rules(
    maps=_fs("$.headers", "$.queryStringParameters", "$.pathParameters", "$.stageVariables"),
    # Payload 2.0 leaves these out when empty; authentication only exists with mutual TLS and
    # authorizer only with an authorizer (API Gateway developer guide,
    # http-api-develop-integrations-lambda; powertools' model types them Optional).
    optional=_fs("$.cookies", "$.queryStringParameters", "$.pathParameters", "$.body",
                 "$.stageVariables", "$.requestContext.authentication",
                 "$.requestContext.authorizer"),
)
SQS_RULES = Rules(free=_fs("$.Records[].messageAttributes"))
SNS_RULES = Rules(maps=_fs("$.Records[].Sns.MessageAttributes"),
                  # SNS delivers "Subject": null when the publisher set none (powertools'
                  # SnsNotificationModel: Subject: str | None).
                  nullable=_fs("$.Records[].Sns.Subject"))
DDB_RULES = Rules(ddb=_fs("$.dynamodb.Keys", "$.dynamodb.NewImage", "$.dynamodb.OldImage"))
# The sam template omits "version"; AWS's own example event has "version": "0"
# [S2:services-cloudwatchevents.md]. detail is the caller's JSON object.
EB_RULES = Rules(extra=_fs("$.version"), free=_fs("$.detail"))


# ----------------------------------------------------------------- structure per builder ------


def test_loader_fills_every_placeholder_with_typed_defaults() -> None:
    proxy = load_sample("apigateway", "aws-proxy")
    assert proxy["queryStringParameters"] == {"foo": "bar"}  # dict-typed tag
    assert base64.b64decode(proxy["body"]) == b'{"test":"body"}'  # base64 encoding
    sqs_rec = load_sample("sqs", "receive-message")["Records"][0]
    assert sqs_rec["md5OfBody"] == hashlib.md5(b"Hello from SQS!").hexdigest()  # md5 child
    assert load_sample("s3", "put")["Records"][0]["s3"]["object"]["key"] == "test/key"
    assert "{{{" not in json.dumps([load_sample("sns", "notification"),
                                    load_sample("kinesis", "get-records")])


def test_shape_checker_rejects_missing_extra_and_mistyped_keys() -> None:
    sample = load_sample("s3", "put")
    good = s3_object_created("b-1", "k")
    assert_shape(good, sample)
    for mutate in (lambda e: e["Records"][0]["s3"]["object"].pop("eTag"),
                   lambda e: e["Records"][0].update(extra=1),
                   lambda e: e["Records"][0]["s3"]["object"].update(size="1024"),
                   lambda e: e["Records"][0]["s3"].update(bucket=None)):
        bad = copy.deepcopy(good)
        mutate(bad)
        with pytest.raises(AssertionError):
            assert_shape(bad, sample)


def test_rest_shape_minimal_and_full() -> None:
    sample = load_sample("apigateway", "aws-proxy")
    assert_shape(api_gateway_rest(), sample, REST_RULES)
    full = api_gateway_rest("POST", "/items/7", body={"a": 1}, headers={"X-Api-Key": "k"},
                            query={"q": ["x", "y"]}, path_parameters={"id": "7"},
                            resource="/items/{id}")
    strict = Rules(maps=REST_RULES.maps, nullable=_fs("$.stageVariables"))
    assert_shape(full, sample, strict)


def test_http_api_shape_minimal_and_full() -> None:
    sample = load_sample("apigateway", "http-api-proxy")
    assert_shape(http_api(), sample, HTTP_RULES)
    full = http_api("PUT", "/items/7", route_key="PUT /items/{id}", body="x", query={"q": "1"},
                    path_parameters={"id": "7"}, cookies=["s=1"], headers={"X-Test": "1"})
    assert_shape(full, sample, HTTP_RULES)
    missing = set(sample) - set(full)
    missing |= {f"requestContext.{k}" for k in set(sample["requestContext"])
                - set(full["requestContext"])}
    assert missing == {"stageVariables", "requestContext.authentication",
                       "requestContext.authorizer"}


def test_s3_shapes() -> None:
    assert_shape(s3_object_created("b-1", "a/b.txt"), load_sample("s3", "put"))
    assert_shape(s3_object_removed("b-1", "a/b.txt"), load_sample("s3", "delete"))


def test_sqs_sns_kinesis_shapes() -> None:
    assert_shape(sqs(["a", {"b": 2}, "c"]), load_sample("sqs", "receive-message"), SQS_RULES)
    assert_shape(sns("m", subject="s", attributes={"a": "x", "n": 1.5, "b": b"\x00"}),
                 load_sample("sns", "notification"), SNS_RULES)
    assert_shape(sns({"m": 1}), load_sample("sns", "notification"), SNS_RULES)
    assert_shape(kinesis([("k", b"\x01"), ("k", "s"), ("k", {"d": 1})]),
                 load_sample("kinesis", "get-records"))


def test_eventbridge_shapes() -> None:
    sample = load_sample("cloudwatch", "scheduled-event")
    assert_shape(eventbridge_scheduled(), sample, EB_RULES)
    assert_shape(eventbridge_custom("shop", "Order", {"x": [1, {"y": None}]}), sample, EB_RULES)


def test_dynamodb_shape_matches_the_sample_record_of_the_same_event_name() -> None:
    sample = {r["eventName"]: r for r in load_sample("dynamodb", "update")["Records"]}
    ev = dynamodb_stream([("INSERT", {"Id": 1}, {"Id": 1, "M": "a"}, None),
                          ("MODIFY", {"Id": 1}, {"Id": 1, "M": "b"}, {"Id": 1, "M": "a"}),
                          ("REMOVE", {"Id": 1}, None, {"Id": 1, "M": "b"})])
    assert [r["eventName"] for r in ev["Records"]] == ["INSERT", "MODIFY", "REMOVE"]
    for rec in ev["Records"]:
        assert_shape(rec, sample[rec["eventName"]], DDB_RULES)


@pytest.mark.parametrize(("view", "images"), [
    ("KEYS_ONLY", set()), ("NEW_IMAGE", {"NewImage"}), ("OLD_IMAGE", {"OldImage"}),
    ("NEW_AND_OLD_IMAGES", {"NewImage", "OldImage"})])
def test_dynamodb_view_type_selects_images(view: str, images: set[str]) -> None:
    rec = dynamodb_stream([("MODIFY", {"k": "a"}, {"k": "a", "v": 2}, {"k": "a", "v": 1})],
                          view_type=view)["Records"][0]
    # Only the images the view type names are present (DynamoDB StreamSpecification).
    assert set(rec["dynamodb"]) & {"NewImage", "OldImage"} == images
    assert rec["dynamodb"]["StreamViewType"] == view


def test_dynamodb_size_bytes_reproduces_the_sample() -> None:
    sample = load_sample("dynamodb", "update")["Records"]
    ev = dynamodb_stream([("INSERT", {"Id": 101}, {"Message": "New item!", "Id": 101}, None),
                          ("MODIFY", {"Id": 101}, {"Message": "This item has changed", "Id": 101},
                           {"Message": "New item!", "Id": 101}),
                          ("REMOVE", {"Id": 101}, None,
                           {"Message": "This item has changed", "Id": 101})])
    for mine, theirs in zip(ev["Records"], sample, strict=True):
        for k in ("Keys", "NewImage", "OldImage", "SizeBytes", "StreamViewType"):
            assert mine["dynamodb"].get(k) == theirs["dynamodb"].get(k), k


# ----------------------------------------------------------------- realistic values -----------

def _all_builders(env: EventEnv) -> dict[str, dict[str, Any]]:
    return {
        "rest": api_gateway_rest("GET", "/a", env=env),
        "http": http_api("GET", "/a", env=env),
        "s3put": s3_object_created("bkt", "k", env=env),
        "s3del": s3_object_removed("bkt", "k", env=env),
        "sqs": sqs(["m1", "m2"], env=env),
        "sns": sns("m", env=env),
        "ddb": dynamodb_stream([("INSERT", {"k": 1}, {"k": 1}, None)] * 2, env=env),
        "kinesis": kinesis([("p", "d"), ("p", "e")], env=env),
        "sched": eventbridge_scheduled(env=env),
        "custom": eventbridge_custom("app", "T", {}, env=env),
        **{name: build(env) for name, build in SAMPLE_BUILDERS.items()},
    }


def _strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return [node] if isinstance(node, str) else []


def test_arns_parse_and_carry_env_region_and_account() -> None:
    env = EventEnv(region="eu-west-3", account_id="210987654321")
    for name, ev in _all_builders(env).items():
        arns = [s for s in _strings(ev) if s.startswith("arn:")]
        arns += [s.split("SubscriptionArn=")[1] for s in _strings(ev) if "SubscriptionArn=" in s]
        assert arns or name in ("rest", "http", "custom", "HTTP request", "HTTP API"), name
        for arn in arns:
            parts = arn.split(":", 5)
            assert len(parts) == 6 and parts[1] == "aws" and parts[5], arn
            assert parts[3] in ("", env.region) and parts[4] in ("", env.account_id), arn
            assert parts[3] or parts[2] in ("s3", "iam"), arn  # only global services omit it
        text = json.dumps(ev)
        assert "us-east-1" not in text and "123456789012" not in text, name


def test_partition_follows_region() -> None:
    env = EventEnv(region="cn-north-1")
    assert sqs(["x"], env=env)["Records"][0]["eventSourceARN"].startswith("arn:aws-cn:sqs:")
    assert http_api(env=env)["requestContext"]["domainName"].endswith(".amazonaws.com.cn")


ID_FIELDS = ("requestId", "messageId", "receiptHandle", "MessageId", "eventID", "id",
             "sequenceNumber", "SequenceNumber", "x-amz-request-id", "eTag", "sequencer")


def _ids(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k in ID_FIELDS and isinstance(v, str)] + [
            i for k, v in node.items() if k != "pathParameters" for i in _ids(v)]
    if isinstance(node, list):
        return [i for v in node for i in _ids(v)]
    return []


def test_ids_unique_across_calls_and_records() -> None:
    env = EventEnv()
    ids = [i for _ in range(3) for ev in _all_builders(env).values() for i in _ids(ev)]
    assert len(ids) > 100
    assert len(ids) == len(set(ids))
    # builders without env share one default env, so they too never repeat ids
    assert sqs(["a"])["Records"][0]["messageId"] != sqs(["a"])["Records"][0]["messageId"]


def test_same_seed_same_events_other_seed_other_ids() -> None:
    a = _all_builders(EventEnv(rng=random.Random(7)))
    assert a == _all_builders(EventEnv(rng=random.Random(7)))
    b = _all_builders(EventEnv(rng=random.Random(8)))
    assert set(_ids(a)).isdisjoint(_ids(b))


def test_new_id_is_uuid4_shaped() -> None:
    ids = {EventEnv(rng=random.Random(s)).new_id() for s in range(50)}
    assert len(ids) == 50
    pattern = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
    assert all(re.fullmatch(pattern, i) for i in ids)


def test_timestamps_follow_env_clock_in_each_format() -> None:
    env = EventEnv(now_s=3723.5)  # 2026-01-01T01:02:03.500Z = 1767229323.5 s
    ms = 1_767_229_323_500
    rest = api_gateway_rest(env=env)["requestContext"]
    assert (rest["requestTime"], rest["requestTimeEpoch"]) == ("01/Jan/2026:01:02:03 +0000", ms)
    http = http_api(env=env)["requestContext"]
    assert (http["time"], http["timeEpoch"]) == ("01/Jan/2026:01:02:03 +0000", ms)
    s3 = s3_object_created("b-1", "k", env=env)["Records"][0]
    assert s3["eventTime"] == "2026-01-01T01:02:03.500Z"
    assert sns("m", env=env)["Records"][0]["Sns"]["Timestamp"] == "2026-01-01T01:02:03.500Z"
    attrs = sqs(["m"], env=env)["Records"][0]["attributes"]
    assert attrs["ApproximateFirstReceiveTimestamp"] == str(ms)
    assert ms - 1000 < int(attrs["SentTimestamp"]) <= ms
    arrival = kinesis([("p", "d")], env=env)["Records"][0]["kinesis"]["approximateArrivalTimestamp"]
    assert arrival == 1_767_229_323.5 and isinstance(arrival, float)
    ddb = dynamodb_stream([("INSERT", {"k": 1}, {"k": 1}, None)], env=env)["Records"][0]
    assert ddb["dynamodb"]["ApproximateCreationDateTime"] == 1_767_229_323
    assert eventbridge_scheduled(env=env)["time"] == "2026-01-01T01:02:03Z"  # [S24] no ms


def test_request_fields_reflect_arguments() -> None:
    ev = api_gateway_rest("post", "/items/7", body=b"\x00\xff", query={"q": ["x", "y"]},
                          headers={"user-agent": "curl/8"}, stage="dev")
    assert ev["httpMethod"] == "POST" and ev["requestContext"]["path"] == "/dev/items/7"
    assert ev["isBase64Encoded"] and base64.b64decode(ev["body"]) == b"\x00\xff"
    assert ev["queryStringParameters"] == {"q": "y"}
    assert ev["multiValueQueryStringParameters"] == {"q": ["x", "y"]}
    assert ev["headers"]["user-agent"] == "curl/8" and "User-Agent" not in ev["headers"]
    assert ev["multiValueHeaders"]["user-agent"] == ["curl/8"]
    assert ev["requestContext"]["identity"]["userAgent"] == "curl/8"
    v2 = http_api("GET", "/a", stage="beta", cookies=["a=1"], headers={"X-Y": "z"})
    assert v2["rawPath"] == v2["requestContext"]["http"]["path"] == "/beta/a"
    assert v2["cookies"] == ["a=1"] and v2["headers"]["x-y"] == "z"
    assert {"body", "queryStringParameters", "pathParameters"}.isdisjoint(v2)


def test_s3_key_is_url_encoded_and_etag_kept() -> None:
    obj = s3_object_created("b-1", "dir/red flower (1).jpg", etag='"' + "a" * 32 + '"', size=3,
                            event_name="ObjectCreated:Copy")["Records"][0]["s3"]["object"]
    assert obj["key"] == "dir/red+flower+%281%29.jpg"
    assert (obj["eTag"], obj["size"]) == ("a" * 32, 3)


def test_sqs_and_sns_bodies() -> None:
    recs = sqs(["plain", {"n": 1}], queue="q.fifo", receive_count=3)["Records"]
    assert [r["body"] for r in recs] == ["plain", '{"n": 1}']
    assert all(r["md5OfBody"] == hashlib.md5(r["body"].encode()).hexdigest() for r in recs)
    assert recs[0]["attributes"]["ApproximateReceiveCount"] == "3"
    n = sns({"a": 1}, subject="S", attributes={"l": ["x"], "b": b"hi"})["Records"][0]
    assert json.loads(n["Sns"]["Message"]) == {"a": 1} and n["Sns"]["Subject"] == "S"
    assert n["Sns"]["MessageAttributes"] == {
        "l": {"Type": "String.Array", "Value": '["x"]'},
        "b": {"Type": "Binary", "Value": base64.b64encode(b"hi").decode()}}
    assert n["EventSubscriptionArn"].startswith(n["Sns"]["TopicArn"] + ":")


def test_kinesis_data_decodes_and_sequence_numbers_increase() -> None:
    env = EventEnv()
    recs = kinesis([("a", b"\x00raw"), ("b", "text \u00e9"), ("c", {"t": 21.5})], env=env,
                   stream="s1", shard_id="shardId-000000000003")["Records"]
    assert base64.b64decode(recs[0]["kinesis"]["data"]) == b"\x00raw"
    assert base64.b64decode(recs[1]["kinesis"]["data"]).decode() == "text \u00e9"
    assert json.loads(base64.b64decode(recs[2]["kinesis"]["data"])) == {"t": 21.5}
    seqs = [int(r["kinesis"]["sequenceNumber"]) for r in recs]
    assert seqs == sorted(set(seqs)) and all(len(str(s)) == 56 for s in seqs)
    assert all(r["eventID"] == f"shardId-000000000003:{r['kinesis']['sequenceNumber']}"
               for r in recs)
    env.now_s += 0.001
    later = int(kinesis([("a", "x")], env=env, stream="s1",
                        shard_id="shardId-000000000003")["Records"][0]["kinesis"]["sequenceNumber"])
    assert later > seqs[-1]


def test_dynamodb_sequence_numbers_increase() -> None:
    env = EventEnv()
    first = dynamodb_stream([("INSERT", {"k": i}, {"k": i}, None) for i in range(3)], env=env)
    seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in first["Records"]]
    env.now_s += 0.001
    later = dynamodb_stream([("INSERT", {"k": 1}, {"k": 1}, None)], env=env)
    assert seqs == sorted(set(seqs)) < [int(later["Records"][0]["dynamodb"]["SequenceNumber"])]


def test_events_are_fresh_and_do_not_alias_inputs() -> None:
    params, detail = {"id": "1"}, {"a": [1]}
    ev = api_gateway_rest(path_parameters=params)
    ev["pathParameters"]["id"] = "2"
    assert params == {"id": "1"}
    custom = eventbridge_custom("s", "t", detail)
    custom["detail"]["a"].append(2)
    assert detail == {"a": [1]}
    for build in SAMPLE_BUILDERS.values():
        first = build()
        first.clear()
        assert build()


def test_sample_builders_cover_the_event_panel() -> None:
    assert list(SAMPLE_BUILDERS) == ["HTTP request", "S3 upload", "SQS message",
                                     "DynamoDB change", "Kinesis record", "Schedule tick",
                                     "SNS message", "HTTP API"]
    shapes = {"HTTP request": (("apigateway", "aws-proxy"), REST_RULES),
              "S3 upload": (("s3", "put"), Rules()),
              "SQS message": (("sqs", "receive-message"), SQS_RULES),
              "Kinesis record": (("kinesis", "get-records"), Rules()),
              "Schedule tick": (("cloudwatch", "scheduled-event"), EB_RULES),
              "SNS message": (("sns", "notification"), SNS_RULES),
              "HTTP API": (("apigateway", "http-api-proxy"), HTTP_RULES)}
    for name, ((service, kind), rules) in shapes.items():
        ev = SAMPLE_BUILDERS[name]()
        assert json.loads(json.dumps(ev)) == ev
        assert_shape(ev, load_sample(service, kind), rules)
    ddb = SAMPLE_BUILDERS["DynamoDB change"]()["Records"][0]
    sample = {r["eventName"]: r for r in load_sample("dynamodb", "update")["Records"]}
    assert_shape(ddb, sample[ddb["eventName"]], DDB_RULES)


# ----------------------------------------------------------------- DynamoDB JSON --------------

_scalars = (st.none() | st.booleans() | st.integers() | st.text()
            | st.floats(allow_nan=False, allow_infinity=False) | st.binary())
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4)
                       | st.dictionaries(st.text(max_size=5), inner, max_size=4), max_leaves=12)
_sets = (st.frozensets(st.text(), min_size=1) | st.frozensets(st.integers(), min_size=1)
         | st.frozensets(st.binary(), min_size=1))


@settings(max_examples=200, deadline=None)
@given(_values)
def test_dynamodb_json_round_trip(value: Any) -> None:
    typed = to_dynamodb_json(value)
    assert json.loads(json.dumps(typed)) == typed  # plain JSON
    back = from_dynamodb_json(typed)
    assert back == value and type(back) is type(value)


@settings(max_examples=50, deadline=None)
@given(_sets)
def test_dynamodb_sets_round_trip(value: frozenset[Any]) -> None:
    typed = to_dynamodb_json(value)
    assert set(typed) <= {"SS", "NS", "BS"}
    assert from_dynamodb_json(typed) == set(value)


def test_dynamodb_json_tags() -> None:
    assert to_dynamodb_json({"s": "x", "n": 1, "f": 1.5, "b": b"\x01", "t": True, "z": None,
                             "l": [1], "d": Decimal("2.50")}) == {"M": {
        "s": {"S": "x"}, "n": {"N": "1"}, "f": {"N": "1.5"}, "b": {"B": "AQ=="},
        "t": {"BOOL": True}, "z": {"NULL": True}, "l": {"L": [{"N": "1"}]}, "d": {"N": "2.50"}}}
    assert to_dynamodb_json({"b", "a"}) == {"SS": ["a", "b"]}


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), set(), {1, "a"}, {True},
                                 {1: "x"}, object()])
def test_to_dynamodb_json_rejects(bad: Any) -> None:
    with pytest.raises(ValueError, match="is not valid"):
        to_dynamodb_json(bad)


@pytest.mark.parametrize("bad", [{"S": 1}, {"N": "nan"}, {"N": "1x"}, {"NULL": False},
                                 {"B": "!!"}, {"Id": {"N": "1"}}, {"S": "a", "N": "1"}, "x",
                                 {"L": {"S": "a"}}])
def test_from_dynamodb_json_rejects(bad: Any) -> None:
    with pytest.raises(ValueError, match="is not valid"):
        from_dynamodb_json(bad)


# ----------------------------------------------------------------- bad input ------------------


@pytest.mark.parametrize(("call", "message"), [
    (lambda: api_gateway_rest("FETCH"),
     "method='FETCH' is not valid: method must be one of 'DELETE', 'GET', 'HEAD', 'OPTIONS', "
     "'PATCH', 'POST', 'PUT'"),
    (lambda: http_api("ANY"),
     "method='ANY' is not valid: method must be one of 'DELETE', 'GET', 'HEAD', 'OPTIONS', "
     "'PATCH', 'POST', 'PUT'"),
    (lambda: api_gateway_rest(path="items"),
     "path='items' is not valid: a string starting with '/' and no query string (use query=)"),
    (lambda: http_api("GET", route_key="POST /x"),
     "route_key='POST /x' is not valid: '$default', 'ANY /path' or 'GET /path'"),
    (lambda: api_gateway_rest(body=3),
     'body=3 is not valid: str, bytes, dict, list or None'),
    (lambda: s3_object_created("B!", "k"),
     "bucket='B!' is not valid: 3-63 lowercase letters, digits, '.', '-'"),
    (lambda: s3_object_created("b-1", ""),
     "key='' is not valid: 1-1024 bytes of UTF-8"),
    (lambda: s3_object_created("b-1", "k", size=-1),
     'size=-1 is not valid: an integer of at least 0 bytes'),
    (lambda: s3_object_created("b-1", "k", event_name="ObjectCreated:Delete"),
     "event_name='ObjectCreated:Delete' is not valid: event_name must be one of "
     "'ObjectCreated:Put', 'ObjectCreated:Post', 'ObjectCreated:Copy', "
     "'ObjectCreated:CompleteMultipartUpload'"),
    (lambda: s3_object_removed("b-1", "k", event_name="ObjectRemoved:Put"),
     "event_name='ObjectRemoved:Put' is not valid: event_name must be one of "
     "'ObjectRemoved:Delete', 'ObjectRemoved:DeleteMarkerCreated'"),
    (lambda: sqs([]),
     'messages=[] is not valid: a non-empty list'),
    (lambda: sqs("hello"),
     "messages='hello' is not valid: a non-empty list"),
    (lambda: sqs(["m"], receive_count=0),
     'receive_count=0 is not valid: an integer of at least 1'),
    (lambda: sqs(["m"], queue="bad queue"),
     "queue='bad queue' is not valid: 1-80 letters, digits, '-', '_'"),
    (lambda: sns("m", attributes={"x": object}),
     "attributes['x']=<class 'object'> is not valid: str, int, float, bytes or list"),
    (lambda: dynamodb_stream([]),
     'records=[] is not valid: a non-empty list'),
    (lambda: dynamodb_stream([("INSERT", {"k": 1}, {"k": 1}, None)], view_type="ALL"),
     "view_type='ALL' is not valid: view_type must be one of 'KEYS_ONLY', 'NEW_IMAGE', "
     "'OLD_IMAGE', 'NEW_AND_OLD_IMAGES'"),
    (lambda: dynamodb_stream([("UPSERT", {"k": 1}, {"k": 1}, None)]),
     "records[0].eventName='UPSERT' is not valid: records[0].eventName must be one of "
     "'INSERT', 'MODIFY', 'REMOVE'"),
    (lambda: dynamodb_stream([("INSERT", {"k": 1}, None, None)]),
     'records[0].new_image=None is not valid: a dict for INSERT records'),
    (lambda: dynamodb_stream([("INSERT", {"k": 1}, {"k": 1}, {"k": 1})]),
     "records[0].old_image={'k': 1} is not valid: None for INSERT"),
    (lambda: dynamodb_stream([("INSERT", {"k": 1}, {"k": 2}, None)]),
     "records[0].new_image={'k': 2} is not valid: an item holding the keys {'k': 1}"),
    (lambda: kinesis([]),
     'records=[] is not valid: a non-empty list'),
    (lambda: kinesis([("", "d")]),
     "records[0].partitionKey='' is not valid: a string of 1-256 characters"),
    (lambda: kinesis([("p", "d")], shard_id="shard-1"),
     "shard_id='shard-1' is not valid: 'shardId-' and 12 digits"),
    (lambda: eventbridge_scheduled(rule="a b"),
     "rule='a b' is not valid: 1-64 letters, digits, '_', '-', '.'"),
    (lambda: eventbridge_custom("", "T", {}),
     "source='' is not valid: a string of 1-256 characters"),
    (lambda: eventbridge_custom("s", "T", [1]),  # type: ignore[arg-type]
     'detail=[1] is not valid: a dict (a JSON object)'),
    (lambda: EventEnv(region="mars-1"),
     "region='mars-1' is not valid: an AWS Region code such as 'us-east-1'"),
    (lambda: EventEnv(account_id="42"),
     "account_id='42' is not valid: 12 digits"),
])
def test_bad_input_names_field_value_and_allowed(call: Any, message: str) -> None:
    with pytest.raises(InvalidParameterValueException) as info:  # a ValueError
        call()
    assert isinstance(info.value, ValueError)
    assert str(info.value) == message


def test_dynamodb_keys_only_needs_no_images() -> None:
    rec = dynamodb_stream([("INSERT", {"k": 1}, None, None)], view_type="KEYS_ONLY")
    assert rec["Records"][0]["dynamodb"]["SizeBytes"] == 1 + 2  # "k" + number 1
