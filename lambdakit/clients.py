"""boto3-shaped clients for code inside handlers: ``client("s3").put_object(Bucket=..., ...)``.

A handler written for AWS runs unchanged against lambdakit's in-memory services: the method
names, the keyword arguments and the response dicts follow boto3's, and errors are
``ClientError`` s whose ``.response["Error"]["Code"]`` is AWS's code, as botocore raises them.

Every call:

1. finds the platform — the one whose handler is running (``lambdakit.core.sandbox.active_owner()``),
   or the ``platform=`` given to :func:`client` (needed outside a handler);
2. finds the calling function from the handler's environment (``AWS_LAMBDA_FUNCTION_NAME`` and
   ``AWS_LAMBDA_FUNCTION_VERSION``) and checks its execution role for the IAM action on the
   resource's ARN (:mod:`lambdakit.function.iam`). A function whose ``role`` is ``None`` is *not
   checked*, and neither is code outside a handler (it acts as the account's administrator);
3. hands the call to the service registered in ``Platform.service(kind, name)``, which charges
   its simulated latency (``service.latency_s``) to the handler's virtual duration and may fail
   on purpose (``service.inject_failure(...)``).

Denials read as AWS's do (see :mod:`lambdakit.function.iam`): S3 and SQS answer ``AccessDenied`` (403;
S3 quotes the resource ARN), SNS ``AuthorizationError`` (403), DynamoDB and Kinesis
``AccessDeniedException`` (400), Lambda ``AccessDeniedException`` (403) — codes and wording as
seen in posted AWS error output (Obs.).

Example:
    >>> from lambdakit import Platform
    >>> p = Platform(seed=1)
    >>> lam = client("lambda", platform=p)
    >>> _ = p.create_function("echo", lambda e, c: e)
    >>> r = lam.invoke(FunctionName="echo", Payload=b'{"hi": 1}')
    >>> r["StatusCode"], r["Payload"].read()
    (200, b'{"hi": 1}')
    >>> client("s3", platform=p).get_object(Bucket="nope", Key="k")
    Traceback (most recent call last):
    ...
    lambdakit.clients.NoSuchBucket: An error occurred (NoSuchBucket) when calling the GetObject operation: The specified bucket does not exist
"""  # noqa: E501

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar

from .core.sandbox import active_owner
from .errors import LambdaError
from .function import iam
from .function.naming import parse_function_ref
from .services.base import ServiceError

if TYPE_CHECKING:
    from .platform import Platform

__all__ = [
    "SERVICE_NAMES",
    "ClientError",
    "NestedInvokeNotSupported",
    "NoPlatformError",
    "ParamValidationError",
    "StreamingBody",
    "UnknownServiceError",
    "client",
]

_DEFAULT_LATENCY_S = 0.005  # lambdakit assumption for a call to a missing resource


# -- errors ------------------------------------------------------------------------------------


class ClientError(ServiceError):
    """botocore's ``ClientError``: ``.response["Error"]["Code"]``, ``.operation_name``.

    The codes boto3 models have subclasses (``NoSuchKey``, ``ResourceNotFoundException``, ...),
    reachable as ``client.exceptions.<Name>`` as in boto3; ``except ClientError`` catches all.

    >>> e = ClientError({"Error": {"Code": "NoSuchKey", "Message": "The specified key does "
    ...                  "not exist."}, "ResponseMetadata": {"HTTPStatusCode": 404}}, "GetObject")
    >>> str(e)
    'An error occurred (NoSuchKey) when calling the GetObject operation: The specified key does not exist.'
    """  # noqa: E501

    def __init__(self, error_response: dict[str, Any], operation_name: str) -> None:
        err = error_response.get("Error", {})
        status = error_response.get("ResponseMetadata", {}).get("HTTPStatusCode", 400)
        super().__init__(err.get("Code", "Unknown"), err.get("Message", ""), status_code=status,
                         operation=operation_name)
        self._response = error_response
        self.operation_name = operation_name

    @property
    def response(self) -> dict[str, Any]:
        return self._response

    def __str__(self) -> str:
        return (f"An error occurred ({self.code}) when calling the {self.operation_name} "
                f"operation: {self.message}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (_make_error, (self._response, self.operation_name))


#: Error codes boto3 models as their own exception classes (``client.exceptions.<Name>``),
#: code -> class name. Any other code is raised as a plain ``ClientError``, as botocore does
#: (so an unhandled ``AccessDenied`` shows ``errorType: ClientError`` in the function's log).
_MODELED: dict[str, str] = {
    "NoSuchKey": "NoSuchKey", "NoSuchBucket": "NoSuchBucket",
    "AWS.SimpleQueueService.NonExistentQueue": "QueueDoesNotExist",
    "NotFound": "NotFoundException", "AuthorizationError": "AuthorizationErrorException",
    "InvalidParameter": "InvalidParameterException",
    "ResourceNotFoundException": "ResourceNotFoundException",
    "ConditionalCheckFailedException": "ConditionalCheckFailedException",
    "InvalidArgumentException": "InvalidArgumentException",
    "TooManyRequestsException": "TooManyRequestsException",
    "RequestTooLargeException": "RequestTooLargeException",
    "InvalidRequestContentException": "InvalidRequestContentException",
    "InvalidParameterValueException": "InvalidParameterValueException",
    "ResourceConflictException": "ResourceConflictException",
}
_BY_NAME = {name: code for code, name in _MODELED.items()}


@cache
def _error_class(code: str) -> type[ClientError]:
    name = _MODELED.get(code)
    if name is None:
        return ClientError
    return type(name, (ClientError,), {"__module__": __name__})


def _make_error(response: dict[str, Any], operation: str) -> ClientError:
    return _error_class(response["Error"]["Code"])(response, operation)


def _error(code: str, message: str, status: int, operation: str,
           **extra: Any) -> ClientError:
    resp: dict[str, Any] = {"Error": {"Code": code, "Message": message, **extra},
                            "ResponseMetadata": {"HTTPStatusCode": status, "RetryAttempts": 0}}
    return _make_error(resp, operation)


_ClientErrorType = type[ClientError]


class _Exceptions:
    """``client.exceptions``: ``ClientError`` and the modeled classes (``NoSuchKey``, ...)."""

    ClientError: _ClientErrorType = ClientError

    def __getattr__(self, name: str) -> _ClientErrorType:
        code = _BY_NAME.get(name)
        if code is None:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        return _error_class(code)


class ParamValidationError(ValueError):
    """botocore's client-side check of the request's parameters (raised before any call)."""

    def __init__(self, report: str) -> None:
        super().__init__(f"Parameter validation failed:\n{report}")


class UnknownServiceError(ValueError):
    """``client("nope")``."""


class NoPlatformError(RuntimeError):
    """No platform to talk to: not inside a handler and no ``platform=`` given."""


class NestedInvokeNotSupported(NotImplementedError):
    """A synchronous ``Invoke`` from inside a handler (or while the platform is running)."""


# -- small pieces --------------------------------------------------------------------------------


class StreamingBody:
    """The ``Payload`` / ``Body`` stream of a response: ``.read()`` returns bytes.

    >>> StreamingBody(b"abc").read(2)
    b'ab'
    """

    def __init__(self, data: bytes) -> None:
        self._raw = io.BytesIO(data)

    def read(self, amt: int | None = None) -> bytes:
        return self._raw.read(amt)

    def close(self) -> None:
        self._raw.close()

    def __iter__(self) -> Any:
        return iter(self._raw)


class _Meta:
    def __init__(self, service_name: str, region_name: str | None) -> None:
        self.service_name = service_name
        self.region_name = region_name


def _snake(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


def _require(kwargs: dict[str, Any], *names: str) -> None:
    for n in names:
        if n not in kwargs:
            raise ParamValidationError(f'Missing required parameter in input: "{n}"')


# what a missing resource answers, per service (codes as boto3 reports them)
_NOT_FOUND: dict[str, tuple[str, int, str]] = {
    "s3": ("NoSuchBucket", 404, "The specified bucket does not exist"),
    "sqs": ("AWS.SimpleQueueService.NonExistentQueue", 400, "The specified queue does not exist."),
    "sns": ("NotFound", 404, "Topic does not exist"),
    "dynamodb": ("ResourceNotFoundException", 400, "Requested resource not found"),
    "kinesis": ("ResourceNotFoundException", 400, "Stream {name} under account {account} "
                "not found."),
}
# how a denial is reported, per service: (code, HTTP status) — Obs. (posted AWS error output)
_DENIED: dict[str, tuple[str, int]] = {
    "s3": ("AccessDenied", 403), "sqs": ("AccessDenied", 403), "sns": ("AuthorizationError", 403),
    "dynamodb": ("AccessDeniedException", 400), "kinesis": ("AccessDeniedException", 400),
    "lambda": ("AccessDeniedException", 403),
}
# a service's own validation error code, for lambdakit's InvalidParameterValueException
_INVALID: dict[str, str] = {"s3": "InvalidArgument", "sqs": "InvalidParameterValue",
                            "sns": "InvalidParameter", "dynamodb": "ValidationException",
                            "kinesis": "InvalidArgumentException"}

Target = Callable[[Any, dict[str, Any]], tuple[str, str]]  # (platform, kwargs) -> (name, ARN)


# -- the client base --------------------------------------------------------------------------


class BaseClient:
    """What every client shares: finding the platform, the caller, IAM, errors, delegation."""

    service_name: ClassVar[str] = ""
    kind: ClassVar[str] = ""  # the Platform.service kind

    def __init__(self, platform: Any = None, region_name: str | None = None) -> None:
        self._platform = platform
        self.meta = _Meta(self.service_name, region_name)
        self.exceptions = _Exceptions()

    def __repr__(self) -> str:
        return f"<lambdakit {self.service_name} client>"

    # -- context ---------------------------------------------------------------------------
    def _platform_(self) -> Platform:
        if self._platform is not None:
            return self._platform
        platform = active_owner()
        if platform is None:
            raise NoPlatformError(
                f"lambdakit.clients: no platform for this {self.service_name} client. Call it "
                "from inside a handler, or create it with client(..., platform=p).")
        return platform

    @staticmethod
    def _role(platform: Platform) -> tuple[str, iam.Role] | None:
        caller = platform.caller()
        if caller is None:
            return None
        role = platform.get_function(*caller).role
        return None if role is None else (caller[0], role)

    def _authorize(self, platform: Any, operation: str, action: str, resource: str,
                   latency_s: float) -> None:
        found = self._role(platform)
        if found is None:
            return  # outside a handler, or a function without a role: not checked
        session, role = found
        msg = iam.denial(role, self._spell(action), resource, session=session,
                         account_id=platform.account_id, quote_resource=self.kind == "s3")
        if msg is None:
            return
        platform.spend(latency_s)  # the refused request still took a round trip
        code, status = _DENIED[self.service_name]
        raise _error(code, msg, status, operation)

    @staticmethod
    def _spell(action: str) -> str:
        return action

    def _service(self, platform: Any, name: str, operation: str) -> Any:
        svc = platform.service(self.kind, name)
        if svc is None:
            platform.spend(_DEFAULT_LATENCY_S)
            code, status, msg = _NOT_FOUND[self.kind]
            raise _error(code, msg.format(name=name, account=platform.account_id), status,
                         operation)
        return svc

    def _call(self, operation: str, action: str, target: Target, kwargs: dict[str, Any]) -> Any:
        platform = self._platform_()
        name, resource = target(platform, kwargs)
        svc = platform.service(self.kind, name)
        latency = getattr(svc, "latency_s", _DEFAULT_LATENCY_S)
        self._authorize(platform, operation, action, resource, latency)
        svc = self._service(platform, name, operation)
        method = getattr(svc, _snake(operation), None)
        if method is None:
            raise NotImplementedError(
                f"lambdakit's {type(svc).__name__} does not implement {_snake(operation)}()")
        try:
            response = method(**kwargs)
        except ClientError:
            raise
        except ServiceError as e:
            raise _error(e.code, e.message, e.status_code, operation) from e
        except LambdaError as e:
            code = _INVALID.get(self.kind, e.code) if isinstance(e, ValueError) else e.code
            raise _error(code, e.message, e.status_code, operation) from e
        except TypeError as e:
            if "unexpected keyword argument" in str(e):
                bad = str(e).rsplit(" ", 1)[-1].strip("'")
                raise ParamValidationError(f'Unknown parameter in input: "{bad}"') from e
            raise
        return _with_metadata(response)


def _with_metadata(response: Any) -> Any:
    if isinstance(response, dict) and "ResponseMetadata" not in response:
        return {**response, "ResponseMetadata": {"HTTPStatusCode": 200, "RetryAttempts": 0}}
    return response


def _op(operation: str, action: str, target: Target, *required: str) -> Any:
    """A boto3-style method: keyword arguments only, delegated to the service's method of the
    same (snake_case) name after the IAM check of ``action`` on ``target``'s ARN."""
    name = _snake(operation)

    def method(self: BaseClient, *args: Any, **kwargs: Any) -> Any:
        if args:
            raise TypeError(f"{name}() only accepts keyword arguments.")
        _require(kwargs, *required)
        return self._call(operation, action, target, kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"boto3's ``{name}`` (IAM action ``{action}``)."
    return method


# -- resource ARNs from request parameters -----------------------------------------------------


def _s3_object(_e: Any, kw: dict[str, Any]) -> tuple[str, str]:
    return kw["Bucket"], f"arn:aws:s3:::{kw['Bucket']}/{kw['Key']}"


def _s3_bucket(_e: Any, kw: dict[str, Any]) -> tuple[str, str]:
    return kw["Bucket"], f"arn:aws:s3:::{kw['Bucket']}"


def _queue_name(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def _sqs_queue(e: Any, kw: dict[str, Any]) -> tuple[str, str]:
    name = _queue_name(kw["QueueUrl"])
    return name, f"arn:aws:sqs:{e.region}:{e.account_id}:{name}"


def _sqs_by_name(e: Any, kw: dict[str, Any]) -> tuple[str, str]:
    name = kw["QueueName"]
    return name, f"arn:aws:sqs:{e.region}:{e.account_id}:{name}"


def _sns_topic(_e: Any, kw: dict[str, Any]) -> tuple[str, str]:
    arn = kw["TopicArn"]
    return arn.rsplit(":", 1)[-1], arn


def _ddb_table(e: Any, kw: dict[str, Any]) -> tuple[str, str]:
    name = kw["TableName"]
    arn = f"arn:aws:dynamodb:{e.region}:{e.account_id}:table/{name}"
    return name, arn + (f"/index/{kw['IndexName']}" if kw.get("IndexName") else "")


def _kinesis_stream(e: Any, kw: dict[str, Any]) -> tuple[str, str]:
    if "StreamName" in kw:
        name = kw["StreamName"]
    elif "StreamARN" in kw:
        name = kw["StreamARN"].rsplit("/", 1)[-1]
    else:
        raise ParamValidationError('Missing required parameter in input: "StreamName"')
    return name, f"arn:aws:kinesis:{e.region}:{e.account_id}:stream/{name}"


# -- the clients -------------------------------------------------------------------------------


class S3Client(BaseClient):
    """``put_object``, ``get_object``, ``head_object``, ``delete_object``, ``list_objects_v2``."""

    service_name = kind = "s3"
    put_object = _op("PutObject", "s3:PutObject", _s3_object, "Bucket", "Key")
    _get_object = _op("GetObject", "s3:GetObject", _s3_object, "Bucket", "Key")
    _head_object = _op("HeadObject", "s3:GetObject", _s3_object, "Bucket", "Key")
    delete_object = _op("DeleteObject", "s3:DeleteObject", _s3_object, "Bucket", "Key")
    list_objects_v2 = _op("ListObjectsV2", "s3:ListBucket", _s3_bucket, "Bucket")

    def get_object(self, *args: Any, **kwargs: Any) -> Any:
        """boto3's ``get_object`` (IAM action ``s3:GetObject``). Without ``s3:ListBucket`` on
        the bucket, a missing key is ``AccessDenied`` (403), not ``NoSuchKey`` — S3 will not
        tell a caller who may not list the bucket whether a key exists (S3 GetObject API
        reference: "If you don't have the s3:ListBucket permission, Amazon S3 returns an HTTP
        status code 403 Access Denied error")."""
        return self._hide_missing(self._get_object, "GetObject", args, kwargs)

    def head_object(self, *args: Any, **kwargs: Any) -> Any:
        """boto3's ``head_object`` (IAM action ``s3:GetObject``), same 403 rule as get."""
        return self._hide_missing(self._head_object, "HeadObject", args, kwargs)

    def _hide_missing(self, op: Callable[..., Any], operation: str, args: tuple[Any, ...],
                      kwargs: dict[str, Any]) -> Any:
        try:
            return op(*args, **kwargs)
        except ClientError as e:
            if e.code not in ("NoSuchKey", "404", "NotFound"):
                raise
            platform = self._platform_()
            found = self._role(platform)
            bucket = f"arn:aws:s3:::{kwargs['Bucket']}"
            if found is not None and not iam.evaluate(found[1], "s3:ListBucket", bucket):
                raise _error("AccessDenied", "Access Denied", 403, operation) from e
            raise


class SQSClient(BaseClient):
    """``send_message(_batch)``, ``receive_message``, ``delete_message(_batch)``,
    ``change_message_visibility``, ``get_queue_attributes``, ``get_queue_url``, ``purge_queue``.
    """

    service_name = kind = "sqs"
    send_message = _op("SendMessage", "sqs:SendMessage", _sqs_queue, "QueueUrl", "MessageBody")
    send_message_batch = _op("SendMessageBatch", "sqs:SendMessage", _sqs_queue, "QueueUrl",
                             "Entries")
    receive_message = _op("ReceiveMessage", "sqs:ReceiveMessage", _sqs_queue, "QueueUrl")
    delete_message = _op("DeleteMessage", "sqs:DeleteMessage", _sqs_queue, "QueueUrl",
                         "ReceiptHandle")
    delete_message_batch = _op("DeleteMessageBatch", "sqs:DeleteMessage", _sqs_queue,
                               "QueueUrl", "Entries")
    change_message_visibility = _op("ChangeMessageVisibility", "sqs:ChangeMessageVisibility",
                                    _sqs_queue, "QueueUrl", "ReceiptHandle",
                                    "VisibilityTimeout")
    get_queue_attributes = _op("GetQueueAttributes", "sqs:GetQueueAttributes", _sqs_queue,
                               "QueueUrl")
    purge_queue = _op("PurgeQueue", "sqs:PurgeQueue", _sqs_queue, "QueueUrl")

    @staticmethod
    def _spell(action: str) -> str:
        return action.lower()  # SQS writes "sqs:sendmessage" in its denials (Obs.)

    def get_queue_url(self, *args: Any, **kwargs: Any) -> Any:
        """boto3's ``get_queue_url(QueueName=...)`` (IAM action ``sqs:GetQueueUrl``)."""
        if args:
            raise TypeError("get_queue_url() only accepts keyword arguments.")
        _require(kwargs, "QueueName")
        platform = self._platform_()
        name, arn = _sqs_by_name(platform, kwargs)
        svc = platform.service("sqs", name)
        self._authorize(platform, "GetQueueUrl", "sqs:GetQueueUrl", arn,
                        getattr(svc, "latency_s", _DEFAULT_LATENCY_S))
        svc = self._service(platform, name, "GetQueueUrl")
        if hasattr(svc, "get_queue_url"):
            return _with_metadata(svc.get_queue_url(**kwargs))
        url = getattr(svc, "url", None) or (
            f"https://sqs.{platform.region}.amazonaws.com/{platform.account_id}/{name}")
        platform.spend(svc.latency_s)
        return _with_metadata({"QueueUrl": url})


class SNSClient(BaseClient):
    """``publish(TopicArn=..., Message=...)``."""

    service_name = kind = "sns"
    publish = _op("Publish", "sns:Publish", _sns_topic, "TopicArn", "Message")

    @staticmethod
    def _spell(action: str) -> str:
        return "SNS:" + action.split(":", 1)[1]  # SNS writes "SNS:Publish" (Obs.)


class DynamoDBClient(BaseClient):
    """``put_item``, ``get_item``, ``update_item``, ``delete_item``, ``query``, ``scan``."""

    service_name = kind = "dynamodb"
    put_item = _op("PutItem", "dynamodb:PutItem", _ddb_table, "TableName", "Item")
    get_item = _op("GetItem", "dynamodb:GetItem", _ddb_table, "TableName", "Key")
    update_item = _op("UpdateItem", "dynamodb:UpdateItem", _ddb_table, "TableName", "Key")
    delete_item = _op("DeleteItem", "dynamodb:DeleteItem", _ddb_table, "TableName", "Key")
    query = _op("Query", "dynamodb:Query", _ddb_table, "TableName")
    scan = _op("Scan", "dynamodb:Scan", _ddb_table, "TableName")


class KinesisClient(BaseClient):
    """``put_record``, ``put_records``."""

    service_name = kind = "kinesis"
    put_record = _op("PutRecord", "kinesis:PutRecord", _kinesis_stream, "Data", "PartitionKey")
    put_records = _op("PutRecords", "kinesis:PutRecords", _kinesis_stream, "Records")


_INVOCATION_TYPES = ("RequestResponse", "Event", "DryRun")  # [S2:API_Invoke.md]


class LambdaClient(BaseClient):
    """``invoke(FunctionName=..., InvocationType=..., Payload=...)``.

    Inside a handler only ``InvocationType="Event"`` (and ``DryRun``) work: lambdakit's
    simulated platform cannot make a handler wait for another invocation on the clock it is
    itself running on, so a nested ``RequestResponse`` raises :class:`NestedInvokeNotSupported`.
    Outside a handler (``client("lambda", platform=p)``) all three work.
    """

    service_name = "lambda"
    kind = "lambda"

    def invoke(self, *, FunctionName: str, InvocationType: str = "RequestResponse",  # noqa: N803
               Payload: Any = b"", Qualifier: str | None = None,  # noqa: N803
               LogType: str = "None", ClientContext: str | None = None) -> dict[str, Any]:  # noqa: N803
        """boto3's ``invoke`` (IAM action ``lambda:InvokeFunction`` on the function's ARN,
        qualified when a version or alias is named). Returns ``StatusCode`` 200 / 202 / 204,
        ``Payload`` as a :class:`StreamingBody`, ``FunctionError`` and ``ExecutedVersion`` for
        a synchronous call (facts §3.1 [S2:API_Invoke.md])."""
        op = "Invoke"
        platform = self._platform_()
        ref = parse_function_ref(FunctionName, Qualifier)
        name, qualifier = ref.name, ref.qualifier
        if InvocationType not in _INVOCATION_TYPES:
            raise _error("ValidationException", f"1 validation error detected: Value "
                         f"'{InvocationType}' at 'invocationType' failed to satisfy constraint: "
                         "Member must satisfy enum value set: [Event, RequestResponse, DryRun]",
                         400, op)
        arn = platform.function_arn(name, qualifier)
        self._authorize(platform, op, "lambda:InvokeFunction", arn, _DEFAULT_LATENCY_S)
        event = _payload(Payload, op)
        try:
            return self._dispatch(platform, name, qualifier, InvocationType, event, LogType)
        except LambdaError as e:
            extra = {"Reason": e.reason} if hasattr(e, "reason") else {}
            raise _error(e.code, e.message, e.status_code, op, **extra) from e

    def _dispatch(self, platform: Any, name: str, qualifier: str | None, kind: str, event: Any,
                  log_type: str) -> dict[str, Any]:
        if kind == "DryRun":  # parameters and permissions only [S2:API_Invoke.md]
            versions = platform.function_versions(name)
            if qualifier is not None and qualifier not in versions.aliases:
                versions.get(qualifier)  # 404 for an unknown version
            return _with_metadata({"StatusCode": 204, "Payload": StreamingBody(b"")})
        if kind == "Event":
            accepted = platform.invoke_async(name, event, qualifier=qualifier)
            return {"StatusCode": 202, "Payload": StreamingBody(b""),
                    "ResponseMetadata": {"RequestId": accepted.request_id,
                                         "HTTPStatusCode": 202, "RetryAttempts": 0}}
        if platform.in_handler() or active_owner() is platform:
            raise NestedInvokeNotSupported(
                "lambdakit cannot run a synchronous invoke (InvocationType='RequestResponse') "
                "from inside a handler: the simulated platform would have to wait on the clock "
                "it is running. Use InvocationType='Event', or chain the functions with a "
                "queue, a topic or an on-success destination.")
        res = platform.invoke(name, event, qualifier=qualifier,
                              log_type="Tail" if log_type == "Tail" else None)
        out: dict[str, Any] = {
            "StatusCode": res.status_code, "ExecutedVersion": res.executed_version,
            "Payload": StreamingBody(json.dumps(res.payload).encode()),
            "ResponseMetadata": {"RequestId": res.request_id, "HTTPStatusCode": 200,
                                 "RetryAttempts": 0}}
        if res.function_error:
            out["FunctionError"] = res.function_error
        if res.log_result is not None:
            out["LogResult"] = res.log_result
        return out


def _payload(payload: Any, operation: str) -> Any:
    if hasattr(payload, "read"):
        payload = payload.read()
    if not isinstance(payload, bytes | bytearray | str):
        raise ParamValidationError(
            f"Invalid type for parameter Payload, value: {payload!r}, type: {type(payload)}, "
            "valid types: <class 'bytes'>, <class 'bytearray'>, file-like object")
    text = payload.decode() if isinstance(payload, bytes | bytearray) else payload
    if not text.strip():
        return {}
    try:
        return json.loads(text)
    except ValueError as e:  # [S2:API_Invoke.md] 400 InvalidRequestContentException
        raise _error("InvalidRequestContentException",
                     f"Could not parse request body into json: {e}", 400, operation) from e


# -- the factory -------------------------------------------------------------------------------

_CLIENTS: dict[str, type[BaseClient]] = {
    "s3": S3Client, "sqs": SQSClient, "sns": SNSClient, "dynamodb": DynamoDBClient,
    "kinesis": KinesisClient, "lambda": LambdaClient,
}
SERVICE_NAMES = tuple(sorted(_CLIENTS))


def client(service_name: str, *, platform: Any = None, region_name: str | None = None,
           **_ignored: Any) -> Any:
    """A boto3-shaped client for ``"s3"``, ``"sqs"``, ``"sns"``, ``"dynamodb"``, ``"kinesis"``
    or ``"lambda"``. Inside a handler it talks to the running platform; elsewhere pass
    ``platform=``. Other boto3 keyword arguments (``config``, ``endpoint_url``, ...) are
    accepted and ignored, so deployable code runs unchanged.

    >>> client("s3")
    <lambdakit s3 client>
    >>> client("ec2")
    Traceback (most recent call last):
    ...
    lambdakit.clients.UnknownServiceError: Unknown service: 'ec2'. Valid service names are: dynamodb, kinesis, lambda, s3, sns, sqs
    """  # noqa: E501
    cls = _CLIENTS.get(service_name)
    if cls is None:
        raise UnknownServiceError(f"Unknown service: {service_name!r}. Valid service names "
                                  f"are: {', '.join(SERVICE_NAMES)}")
    return cls(platform, region_name)
