"""lambdakit.clients: boto3 shapes, IAM checks from inside handlers, latency, faults, errors."""

from __future__ import annotations

import base64
import doctest
import json
import pickle
from collections.abc import Callable
from typing import Any

import pytest

from lambdakit import Fixed, Platform, Poisson, clients
from lambdakit.clients import (
    ClientError,
    NestedInvokeNotSupported,
    NoPlatformError,
    ParamValidationError,
    UnknownServiceError,
    client,
)
from lambdakit.function.iam import AWSLambdaBasicExecutionRole, Role, Statement
from lambdakit.services.base import Service, ServiceError
from lambdakit.services.bucket import Bucket
from lambdakit.services.kinesis import KinesisStream
from lambdakit.services.queue import Queue
from lambdakit.services.table import Table
from lambdakit.services.topic import Topic

ACCT = "123456789012"
PHOTOS = "arn:aws:s3:::photos"


def test_doctests() -> None:
    assert doctest.testmod(clients).failed == 0


def _run(handler: Callable[[Any, Any], Any], *, role: Role | None = None, event: Any = None,
         setup: Callable[[Platform], Any] | None = None,
         duration: Any = None) -> tuple[Platform, Any]:
    """Create function ``f`` (with ``role``), set up services, invoke it once synchronously."""
    p = Platform(seed=7)
    if setup is not None:
        setup(p)
    p.create_function("f", handler, role=role, duration=duration, timeout_s=30)
    return p, p.invoke("f", event or {})


def _photos(p: Platform) -> None:
    Bucket(p, "photos")


# -- S3 through the client, inside a handler ------------------------------------------------------


def test_handler_reads_and_writes_with_an_allowing_role() -> None:
    role = Role("thumbs", [Statement.allow(["s3:GetObject", "s3:PutObject"], f"{PHOTOS}/*")])

    def handler(event: Any, context: Any) -> Any:
        s3 = client("s3")
        put = s3.put_object(Bucket="photos", Key="in/cat.jpg", Body=b"meow")
        got = s3.get_object(Bucket="photos", Key="in/cat.jpg")
        return {"etag": put["ETag"], "body": got["Body"].read().decode(),
                "status": got["ResponseMetadata"]["HTTPStatusCode"]}

    p, res = _run(handler, role=role, setup=_photos)
    assert res.function_error is None
    assert res.payload == {"etag": '"4a4be40c96ac6314e91d93f38043a634"', "body": "meow",
                           "status": 200}
    assert p.service("s3", "photos").keys() == ["in/cat.jpg"]


def test_denied_call_gives_awss_error_to_the_handler() -> None:
    role = Role("thumbs", [Statement.allow("s3:GetObject", f"{PHOTOS}/*")])

    def handler(event: Any, context: Any) -> Any:
        s3 = client("s3")
        try:
            s3.put_object(Bucket="photos", Key="out/cat.jpg", Body=b"x")
        except s3.exceptions.ClientError as e:
            return {"code": e.response["Error"]["Code"], "message": e.response["Error"]["Message"],
                    "status": e.response["ResponseMetadata"]["HTTPStatusCode"],
                    "op": e.operation_name, "cls": type(e).__name__}
        return "allowed"

    p, res = _run(handler, role=role, setup=_photos)
    assert res.payload == {
        "code": "AccessDenied", "status": 403, "op": "PutObject", "cls": "ClientError",
        "message": f"User: arn:aws:sts::{ACCT}:assumed-role/thumbs/f is not authorized to "
                   'perform: s3:PutObject on resource: "arn:aws:s3:::photos/out/cat.jpg" '
                   "because no identity-based policy allows the s3:PutObject action"}
    assert p.service("s3", "photos").keys() == []  # nothing was written


def test_unhandled_denial_is_an_error_record_named_like_botocores() -> None:
    p, res = _run(lambda e, c: client("s3").get_object(Bucket="photos", Key="k"),
                  role=Role("none"), setup=_photos)
    assert res.function_error == "Unhandled"
    assert res.payload["errorType"] == "ClientError"
    assert res.payload["errorMessage"].startswith(
        "An error occurred (AccessDenied) when calling the GetObject operation: User: ")
    assert p.records().column("outcome").tolist() == ["error"]


def test_explicit_deny_message() -> None:
    role = Role("r", [Statement.allow("s3:*"), Statement.deny("s3:DeleteObject")])

    def handler(event: Any, context: Any) -> Any:
        try:
            client("s3").delete_object(Bucket="photos", Key="k")
        except ClientError as e:
            return str(e)
        return "deleted"

    _, res = _run(handler, role=role, setup=_photos)
    assert res.payload.endswith("with an explicit deny in an identity-based policy")


def test_function_without_role_is_unchecked() -> None:
    def handler(event: Any, context: Any) -> Any:
        return client("s3").put_object(Bucket="photos", Key="k", Body="v")["ETag"]

    _, res = _run(handler, role=None, setup=_photos)
    assert res.function_error is None and res.payload.startswith('"')


def test_outside_a_handler_needs_a_platform_and_is_unchecked() -> None:
    with pytest.raises(NoPlatformError, match="platform="):
        client("s3").list_objects_v2(Bucket="photos")
    p = Platform()
    Bucket(p, "photos")
    p.create_function("f", lambda e, c: None, role=Role("none"))  # roles don't bind notebooks
    s3 = client("s3", platform=p)
    s3.put_object(Bucket="photos", Key="a", Body=b"1")
    listing = s3.list_objects_v2(Bucket="photos")
    assert [o["Key"] for o in listing["Contents"]] == ["a"]
    assert s3.get_object(Bucket="photos", Key="a")["Body"].read() == b"1"


def test_missing_key_is_no_such_key_only_for_callers_who_may_list() -> None:
    def handler(event: Any, context: Any) -> Any:
        s3 = client("s3")
        try:
            s3.get_object(Bucket="photos", Key="missing.jpg")
        except s3.exceptions.NoSuchKey as e:
            return ["NoSuchKey", e.response["ResponseMetadata"]["HTTPStatusCode"]]
        except ClientError as e:
            return [e.response["Error"]["Code"], e.response["Error"]["Message"]]
        return "found"

    reader = Role("reader", [Statement.allow("s3:GetObject", f"{PHOTOS}/*")])
    _, res = _run(handler, role=reader, setup=_photos)
    assert res.payload == ["AccessDenied", "Access Denied"]
    lister = Role("lister", [*reader.statements, Statement.allow("s3:ListBucket", PHOTOS)])
    _, res = _run(handler, role=lister, setup=_photos)
    assert res.payload == ["NoSuchKey", 404]
    _, res = _run(handler, role=None, setup=_photos)
    assert res.payload == ["NoSuchKey", 404]


def test_missing_bucket() -> None:
    p = Platform()
    with pytest.raises(ClientError) as e:
        client("s3", platform=p).put_object(Bucket="nope", Key="k", Body=b"")
    assert type(e.value).__name__ == "NoSuchBucket"
    assert isinstance(e.value, client("s3").exceptions.NoSuchBucket)
    assert isinstance(e.value, ServiceError)  # lambdakit's service errors catch it too


# -- latency and fault injection --------------------------------------------------------------


def test_each_call_charges_the_services_latency_to_the_handler() -> None:
    def handler(event: Any, context: Any) -> Any:
        s3 = client("s3")
        for i in range(3):
            s3.put_object(Bucket="photos", Key=f"k{i}", Body=b"x")
        return None

    def setup(p: Platform) -> None:
        Bucket(p, "photos", latency_s=0.020)

    p, _ = _run(handler, setup=setup, duration=Fixed(100))
    assert p.records().column("duration_ms")[0] == pytest.approx(100 + 3 * 20)


def test_a_denied_call_still_takes_a_round_trip() -> None:
    def handler(event: Any, context: Any) -> Any:
        try:
            client("s3").put_object(Bucket="photos", Key="k", Body=b"x")
        except ClientError:
            return "denied"
        return "ok"

    def setup(p: Platform) -> None:
        Bucket(p, "photos", latency_s=0.050)

    p, res = _run(handler, role=Role("none"), setup=setup, duration=Fixed(10))
    assert res.payload == "denied"
    assert p.records().column("duration_ms")[0] == pytest.approx(60)


def test_injected_failure_reaches_the_handler_as_a_client_error() -> None:
    def setup(p: Platform) -> None:
        Bucket(p, "photos").inject_failure("PutObject", count=1)

    def handler(event: Any, context: Any) -> Any:
        s3 = client("s3")
        codes: list[Any] = []
        for _ in range(2):
            try:
                s3.put_object(Bucket="photos", Key="k", Body=b"x")
                codes.append("ok")
            except ClientError as e:
                codes.append([e.response["Error"]["Code"],
                              e.response["ResponseMetadata"]["HTTPStatusCode"]])
        return codes

    _, res = _run(handler, setup=setup)
    assert res.payload == [["ServiceUnavailable", 503], "ok"]


# -- SQS, DynamoDB, SNS, Kinesis ------------------------------------------------------------


def test_sqs_send_and_get_queue_url() -> None:
    role = Role("producer", [Statement.allow(["sqs:SendMessage", "sqs:GetQueueUrl"],
                                             f"arn:aws:sqs:us-east-1:{ACCT}:jobs")])

    def handler(event: Any, context: Any) -> Any:
        sqs = client("sqs")
        url = sqs.get_queue_url(QueueName="jobs")["QueueUrl"]
        sent = sqs.send_message(QueueUrl=url, MessageBody="hello")
        return [url, sorted(sent)]

    p, res = _run(handler, role=role, setup=lambda p: Queue(p, "jobs"))
    q = p.service("sqs", "jobs")
    assert res.payload[0] == q.url
    assert "MessageId" in res.payload[1] and "MD5OfMessageBody" in res.payload[1]
    assert [m.body for m in q.peek()] == ["hello"]


def test_sqs_denial_and_missing_queue() -> None:
    def handler(event: Any, context: Any) -> Any:
        sqs = client("sqs")
        out = []
        for url in (f"https://sqs.us-east-1.amazonaws.com/{ACCT}/jobs",
                    f"https://sqs.us-east-1.amazonaws.com/{ACCT}/ghost"):
            try:
                sqs.send_message(QueueUrl=url, MessageBody="x")
            except sqs.exceptions.QueueDoesNotExist as e:
                out.append(["missing", e.response["Error"]["Code"]])
            except ClientError as e:
                out.append([e.response["Error"]["Code"], e.response["Error"]["Message"]])
        return out

    role = Role("r", [Statement.allow("sqs:*", f"arn:aws:sqs:us-east-1:{ACCT}:ghost"),
                      Statement.allow("sqs:ReceiveMessage", "*")])
    _, res = _run(handler, role=role, setup=lambda p: Queue(p, "jobs"))
    assert res.payload[0] == ["AccessDenied", (
        f"User: arn:aws:sts::{ACCT}:assumed-role/r/f is not authorized to perform: "
        f"sqs:sendmessage on resource: arn:aws:sqs:us-east-1:{ACCT}:jobs because no "
        "identity-based policy allows the sqs:sendmessage action")]
    assert res.payload[1] == ["missing", "AWS.SimpleQueueService.NonExistentQueue"]


def test_dynamodb_put_item_denial_and_errors() -> None:
    table_arn = f"arn:aws:dynamodb:us-east-1:{ACCT}:table/thumbs"
    role = Role("writer", [Statement.allow(["dynamodb:PutItem", "dynamodb:GetItem"], table_arn)])

    def handler(event: Any, context: Any) -> Any:
        ddb = client("dynamodb")
        ddb.put_item(TableName="thumbs", Item={"id": {"S": "cat"}, "w": {"N": "64"}})
        out: list[Any] = [ddb.get_item(TableName="thumbs", Key={"id": {"S": "cat"}})["Item"]]
        for call in (lambda: ddb.delete_item(TableName="thumbs", Key={"id": {"S": "cat"}}),
                     lambda: ddb.put_item(TableName="thumbs", Item={"nokey": {"S": "x"}}),
                     lambda: ddb.get_item(TableName="ghost", Key={"id": {"S": "x"}})):
            try:
                call()
                out.append("ok")
            except ClientError as e:
                out.append([type(e).__name__, e.response["Error"]["Code"],
                            e.response["ResponseMetadata"]["HTTPStatusCode"]])
        return out

    def setup(p: Platform) -> None:
        Table(p, "thumbs")

    _, res = _run(handler, role=Role("r", [*role.statements, Statement.allow(
        "dynamodb:*", f"arn:aws:dynamodb:us-east-1:{ACCT}:table/ghost")]), setup=setup)
    item, denied, invalid, missing = res.payload
    assert item == {"id": {"S": "cat"}, "w": {"N": "64"}}
    assert denied == ["ClientError", "AccessDeniedException", 400]
    assert invalid[1:] == ["ValidationException", 400]
    assert missing == ["ResourceNotFoundException", "ResourceNotFoundException", 400]


def test_sns_publish_denial_reads_like_sns() -> None:
    def handler(event: Any, context: Any) -> Any:
        try:
            client("sns").publish(TopicArn=f"arn:aws:sns:us-east-1:{ACCT}:alerts", Message="m")
        except ClientError as e:
            return [e.response["Error"]["Code"], e.response["Error"]["Message"]]
        return "published"

    _, res = _run(handler, role=Role("r"), setup=lambda p: Topic(p, "alerts"))
    assert res.payload[0] == "AuthorizationError"
    assert res.payload[1].endswith(f"perform: SNS:Publish on resource: arn:aws:sns:us-east-1:"
                                   f"{ACCT}:alerts because no identity-based policy allows the "
                                   "SNS:Publish action")
    ok = Role("ok", [Statement.allow("sns:Publish", "*")])
    _, res = _run(handler, role=ok, setup=lambda p: Topic(p, "alerts"))
    assert res.payload == "published"


def test_kinesis_put_record_by_name_and_arn() -> None:
    role = Role("k", [Statement.allow("kinesis:PutRecord",
                                      f"arn:aws:kinesis:us-east-1:{ACCT}:stream/clicks")])

    def handler(event: Any, context: Any) -> Any:
        k = client("kinesis")
        a = k.put_record(StreamName="clicks", Data=b"1", PartitionKey="u1")
        b = k.put_record(StreamARN=f"arn:aws:kinesis:us-east-1:{ACCT}:stream/clicks",
                         Data=b"2", PartitionKey="u1")
        return [a["ShardId"] == b["ShardId"], a["SequenceNumber"] < b["SequenceNumber"]]

    p, res = _run(handler, role=role, setup=lambda p: KinesisStream(p, "clicks"))
    assert res.payload == [True, True]
    assert len(p.service("kinesis", "clicks").records()) == 2


# -- the calling function's version decides the role --------------------------------------------


def test_role_of_the_executing_version_is_used() -> None:
    p = Platform(seed=1)
    Bucket(p, "photos")

    def handler(event: Any, context: Any) -> Any:
        try:
            client("s3").put_object(Bucket="photos", Key="k", Body=b"x")
            return "ok"
        except ClientError:
            return "denied"

    p.create_function("f", handler, role=Role("writer", [Statement.allow("s3:PutObject")]))
    v1 = p.publish_version("f")
    p.update_function("f", role=Role("reader", [Statement.allow("s3:GetObject")]))
    assert p.invoke("f", {}, qualifier=v1).payload == "ok"
    assert p.invoke("f", {}).payload == "denied"


def test_client_created_at_init_time_works_in_every_invocation() -> None:
    source = (
        "from lambdakit.clients import client\n"
        "s3 = client('s3')\n"
        "def handler(event, context):\n"
        "    s3.put_object(Bucket='photos', Key=event['k'], Body=b'x')\n"
        "    return len(s3.list_objects_v2(Bucket='photos').get('Contents', []))\n")
    p = Platform(seed=2)
    Bucket(p, "photos")
    p.create_function("f", "app.handler", source=source,
                      role=Role("r", [Statement.allow(["s3:PutObject", "s3:ListBucket"])]))
    assert [p.invoke("f", {"k": k}).payload for k in ("a", "b")] == [1, 2]


# -- the lambda client -------------------------------------------------------------------------


def test_async_invoke_from_a_handler_runs_the_target() -> None:
    seen: list[Any] = []
    p = Platform(seed=3)
    p.create_function("worker", lambda e, c: seen.append(e))

    def front(event: Any, context: Any) -> Any:
        r = client("lambda").invoke(FunctionName="worker", InvocationType="Event",
                                    Payload=json.dumps({"job": 1}))
        return [r["StatusCode"], r["Payload"].read().decode()]

    p.create_function("front", front, role=Role("r", [Statement.allow(
        "lambda:InvokeFunction", f"arn:aws:lambda:us-east-1:{ACCT}:function:worker")]))
    assert p.invoke("front", {}).payload == [202, ""]
    p.advance(5)
    assert seen == [{"job": 1}]
    assert sorted(p.records().column("function").tolist()) == ["front", "worker"]


def test_sync_invoke_from_a_handler_is_refused_clearly() -> None:
    p = Platform(seed=3)
    p.create_function("worker", lambda e, c: 1)
    p.create_function("front", lambda e, c: client("lambda").invoke(FunctionName="worker"))
    res = p.invoke("front", {})
    assert res.payload["errorType"] == "NestedInvokeNotSupported"
    assert "InvocationType='Event'" in res.payload["errorMessage"]
    assert p.records(function="worker").column("function").tolist() == []
    assert issubclass(NestedInvokeNotSupported, NotImplementedError)


def test_invoke_permission_covers_only_the_named_arn() -> None:
    p = Platform(seed=4)
    p.create_function("worker", lambda e, c: None)
    p.publish_version("worker")
    p.create_alias("worker", "live", "1")

    def front(event: Any, context: Any) -> Any:
        out = []
        for name in ("worker", "worker:live"):
            try:
                out.append(client("lambda").invoke(FunctionName=name,
                                                   InvocationType="Event")["StatusCode"])
            except ClientError as e:
                out.append(e.response["Error"]["Code"])
        return out

    p.create_function("front", front, role=Role("r", [Statement.allow(
        "lambda:InvokeFunction", f"arn:aws:lambda:us-east-1:{ACCT}:function:worker")]))
    assert p.invoke("front", {}).payload == [202, "AccessDeniedException"]


def test_sync_invoke_outside_a_handler() -> None:
    p = Platform(seed=5)
    p.create_function("ok", lambda e, c: {"n": e["n"] + 1})
    p.create_function("bad", lambda e, c: 1 / 0)
    lam = client("lambda", platform=p)
    r = lam.invoke(FunctionName="ok", Payload=b'{"n": 1}', LogType="Tail")
    assert (r["StatusCode"], r["ExecutedVersion"], json.loads(r["Payload"].read())) == (
        200, "$LATEST", {"n": 2})
    assert "FunctionError" not in r
    assert "START RequestId:" in base64.b64decode(r["LogResult"]).decode()
    r = lam.invoke(FunctionName=f"arn:aws:lambda:us-east-1:{ACCT}:function:bad", Payload="{}")
    assert r["FunctionError"] == "Unhandled"
    assert json.loads(r["Payload"].read())["errorType"] == "ZeroDivisionError"
    assert lam.invoke(FunctionName="ok", InvocationType="DryRun")["StatusCode"] == 204
    assert len(p.records()) == 2  # DryRun ran nothing


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"FunctionName": "ghost"}, "ResourceNotFoundException"),
    ({"FunctionName": "ok", "Payload": b"{not json"}, "InvalidRequestContentException"),
    ({"FunctionName": "ok", "InvocationType": "Later"}, "ValidationException"),
    ({"FunctionName": "ok", "InvocationType": "DryRun", "Qualifier": "9"},
     "ResourceNotFoundException"),
])
def test_invoke_errors(kwargs: dict, code: str) -> None:
    p = Platform(seed=6)
    p.create_function("ok", lambda e, c: None)
    with pytest.raises(ClientError) as e:
        client("lambda", platform=p).invoke(**kwargs)
    assert e.value.response["Error"]["Code"] == code


def test_invoke_throttled_is_a_429_client_error_with_reason() -> None:
    p = Platform(seed=6)
    p.create_function("zero", lambda e, c: None, reserved_concurrency=0)
    with pytest.raises(ClientError) as e:
        client("lambda", platform=p).invoke(FunctionName="zero")
    err = e.value.response
    assert (err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"]) == (
        "TooManyRequestsException", 429)
    assert err["Error"]["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"


def test_invoke_payload_must_be_bytes_like_boto3() -> None:
    p = Platform()
    p.create_function("ok", lambda e, c: None)
    with pytest.raises(ParamValidationError, match="Invalid type for parameter Payload"):
        client("lambda", platform=p).invoke(FunctionName="ok", Payload={"a": 1})


# -- boto3's calling conventions ----------------------------------------------------------------


def test_keyword_only_required_and_unknown_parameters() -> None:
    p = Platform()
    Bucket(p, "photos")
    s3 = client("s3", platform=p)
    with pytest.raises(TypeError, match=r"put_object\(\) only accepts keyword arguments"):
        s3.put_object("photos", "k")
    with pytest.raises(ParamValidationError, match='Missing required parameter in input: "Key"'):
        s3.put_object(Bucket="photos")
    with pytest.raises(ParamValidationError, match='Unknown parameter in input: "Colour"'):
        s3.put_object(Bucket="photos", Key="k", Colour="red")


def test_unknown_service_and_ignored_boto3_options() -> None:
    with pytest.raises(UnknownServiceError, match="Valid service names are"):
        client("ec2")
    c = client("dynamodb", region_name="us-east-1", endpoint_url="http://x", config=None)
    assert c.meta.service_name == "dynamodb" and c.meta.region_name == "us-east-1"
    with pytest.raises(AttributeError):
        _ = c.exceptions.NoSuchThing


def test_service_without_the_method_says_so() -> None:
    p = Platform()
    Queue(p, "jobs")
    with pytest.raises(NotImplementedError, match="purge_queue"):
        client("sqs", platform=p).purge_queue(
            QueueUrl=f"https://sqs.us-east-1.amazonaws.com/{ACCT}/jobs")


def test_client_errors_pickle_with_their_class() -> None:
    p = Platform()
    with pytest.raises(ClientError) as e:
        client("s3", platform=p).get_object(Bucket="nope", Key="k")
    again = pickle.loads(pickle.dumps(e.value))
    assert type(again) is type(e.value) and str(again) == str(e.value)
    assert again.response == e.value.response


def test_stub_service_receives_the_exact_request() -> None:
    """Delegation is generic: a service only needs boto3-named methods."""

    class Stub(Service):
        kind = "dynamodb"
        seen: list[dict[str, Any]] = []

        def scan(self, **kwargs: Any) -> dict[str, Any]:
            self._call("Scan")
            self.seen.append(kwargs)
            return {"Items": [], "Count": 0}

    p = Platform()
    Stub(p, "stubbed", latency_s=0.25)
    out = client("dynamodb", platform=p).scan(TableName="stubbed", Limit=3)
    assert Stub.seen == [{"TableName": "stubbed", "Limit": 3}]
    assert out == {"Items": [], "Count": 0,
                   "ResponseMetadata": {"HTTPStatusCode": 200, "RetryAttempts": 0}}


def test_basic_execution_role_alone_denies_data_access() -> None:
    def handler(event: Any, context: Any) -> Any:
        client("dynamodb").put_item(TableName="thumbs", Item={"id": {"S": "1"}})

    p, res = _run(handler, role=Role("basic", policies=[AWSLambdaBasicExecutionRole]),
                  setup=lambda p: Table(p, "thumbs"))
    assert res.function_error == "Unhandled"
    assert "dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table/thumbs" \
        in res.payload["errorMessage"]
    assert p.service("dynamodb", "thumbs").items() == []


def test_clients_work_in_a_workload_run() -> None:
    """The batch hot path of ``Platform.run`` sets up the same handler environment."""
    p = Platform(seed=1)
    bucket = Bucket(p, "photos")
    n = iter(range(10_000))

    def handler(event: Any, context: Any) -> None:
        client("s3").put_object(Bucket="photos", Key=f"k{next(n)}", Body=b"x")

    p.create_function("f", handler, duration=Fixed(50),
                      role=Role("r", [Statement.allow("s3:PutObject", f"{PHOTOS}/*")]))

    run = p.run(Poisson(20), function="f", duration_s=10, progress=False)
    assert len(run) > 100 and len(bucket.keys()) == len(run)
    assert set(run.column("outcome").tolist()) == {"ok"}
    assert set(run.column("duration_ms").tolist()) == {60.0}  # 50 ms + one 10 ms S3 call
