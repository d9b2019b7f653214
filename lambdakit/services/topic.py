"""An in-memory SNS topic that fans a message out to functions and queues.

``publish`` returns a ``MessageId`` at once; each subscribed function then gets the exact SNS
event (``lambdakit.events.sns``, facts §9 [S24]) through Lambda's asynchronous invoke path with
its retries, destinations and DLQ (facts §3.2 [S12]); each subscribed queue gets the JSON
envelope SNS sends to SQS and HTTP endpoints (``Type``, ``MessageId``, ``TopicArn``,
``Subject`` only when one was published, ``Message``, ``Timestamp``, ``SignatureVersion``,
``Signature``, ``SigningCertURL``, ``UnsubscribeURL``, ``MessageAttributes`` — note the ``URL``
spelling, where the Lambda event says ``Url``; https://docs.aws.amazon.com/sns/latest/dg/
http-notification-json.html), or the bare message with raw message delivery.

A queue that refuses a delivery (a ``ServiceError``, e.g. an injected fault) is retried on the
platform clock with SNS's policy for AWS-managed endpoints: 3 immediate retries, 2 at 1 s,
10 backing off from 1 s to 20 s, then every 20 s, 100,015 attempts in all (https://
docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html). A delivery that exhausts
them lands in ``undeliverable`` (the subscription's dead-letter queue): never silently lost.

Limits checked (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html): ``Message`` up to
256 KiB, ``Subject`` 1-100 printable ASCII characters without line breaks, at most 10 message
attributes. lambdakit models standard topics only (no FIFO topics, no filter policies).
A function whose resource-based policy (``lambdakit.function.iam``) does not let
``sns.amazonaws.com`` invoke it gets nothing: the message lands in ``undeliverable`` with
``error="AccessDenied"`` (lambdakit does not model SNS's retries of that failure).

Example:
    >>> from lambdakit import Platform
    >>> p = Platform(seed=2)
    >>> _ = p.create_function("mailer", handler=lambda event, context: None)
    >>> t = Topic(p, "orders")
    >>> t.arn
    'arn:aws:sns:us-east-1:123456789012:orders'
    >>> sub = t.subscribe("mailer")
    >>> "MessageId" in t.publish(Message="order 7 shipped", Subject="Shipping")
    True
    >>> p.advance(1.0); p.event_outcomes()["ok"]
    1
"""

from __future__ import annotations

import base64
import copy
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from .. import events
from ..errors import InvalidParameterValueException
from ..function.quotas import check_number
from .base import Service, ServiceError

if TYPE_CHECKING:
    from ..platform import Platform

__all__ = ["MAX_ATTEMPTS", "Delivery", "QueueLike", "Subscription", "Topic", "retry_delay_s"]

_MAX_MESSAGE_BYTES = 262_144  # 256 KiB (API_Publish)
_MAX_ATTRIBUTES = 10
_TOPIC_NAME = re.compile(r"[A-Za-z0-9_-]{1,256}")
_SUBJECT = re.compile(r"[\x20-\x7e]{1,100}")  # printable ASCII, no line breaks or tabs
_DATA_TYPE = re.compile(r"(String|Number|Binary|String\.Array)(\.[A-Za-z0-9_.-]+)?")
# SNS delivery policy for AWS-managed endpoints (SQS, Lambda): 3 + 2 + 10 + 100,000 retries.
_IMMEDIATE, _PRE_BACKOFF, _BACKOFF, _POST_BACKOFF = 3, 2, 10, 100_000
_MIN_DELAY_S, _MAX_DELAY_S = 1.0, 20.0
MAX_ATTEMPTS = 1 + _IMMEDIATE + _PRE_BACKOFF + _BACKOFF + _POST_BACKOFF  # 100,016 incl. first


def retry_delay_s(retry: int) -> float:
    """Seconds SNS waits before retry number ``retry`` (1-based) to an AWS-managed endpoint.

    >>> [retry_delay_s(n) for n in (1, 3, 4, 5)], retry_delay_s(6), retry_delay_s(15)
    ([0.0, 0.0, 1.0, 1.0], 1.0, 20.0)
    >>> retry_delay_s(16)
    20.0
    """
    if retry <= _IMMEDIATE:
        return 0.0
    if retry <= _IMMEDIATE + _PRE_BACKOFF:
        return _MIN_DELAY_S
    k = retry - _IMMEDIATE - _PRE_BACKOFF  # 1..10 in the backoff phase
    if k <= _BACKOFF:  # exponential from 1 s to 20 s
        return round(_MIN_DELAY_S * (_MAX_DELAY_S / _MIN_DELAY_S) ** ((k - 1) / (_BACKOFF - 1)),
                     3)
    return _MAX_DELAY_S


class QueueLike(Protocol):
    """What a queue subscription needs: boto3's ``send_message``."""

    def send_message(self, QueueUrl: str | None = None, MessageBody: str = "",  # noqa: N803
                     **kwargs: Any) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class Subscription:
    """A function (``protocol="lambda"``) or queue (``"sqs"``) subscribed to the topic."""

    arn: str
    protocol: str
    endpoint: str
    function: str | None = None
    qualifier: str | None = None
    queue: Any = None
    raw: bool = False


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message handed to one subscriber (``event_index``, for functions: see
    ``Platform.event_status``; ``attempts`` counts queue delivery attempts)."""

    time_s: float
    subscription_arn: str
    protocol: str
    message_id: str
    attempts: int = 1
    request_id: str | None = None
    event_index: int | None = None


class Topic(Service):
    """A standard SNS topic on the platform clock.

    >>> from lambdakit import Platform
    >>> Topic(Platform(), "alerts").latency_s
    0.01
    """

    kind = "sns"
    default_latency_s = 0.010  # lambdakit assumption: SNS publishes no latency figure
    rng_key = 302
    principal = "sns.amazonaws.com"

    def __init__(self, platform: Platform, name: str, *, latency_s: float | None = None) -> None:
        if not isinstance(name, str) or not _TOPIC_NAME.fullmatch(name):
            raise InvalidParameterValueException(
                "Name", name, "1-256 letters, digits, '-' and '_' (standard topics only; "
                "lambdakit does not model FIFO topics)")
        super().__init__(platform, name, latency_s=latency_s)
        self.subscriptions: list[Subscription] = []
        self.deliveries: list[Delivery] = []
        self.undeliverable: list[dict[str, Any]] = []
        self._in_flight = 0

    # -- subscriptions ----------------------------------------------------------------------
    def subscribe(self, function: str, *, qualifier: str | None = None) -> str:
        """Invoke ``function`` asynchronously with every message; returns the SubscriptionArn."""
        versions = self.platform.function_versions(function)  # 404 if unknown
        return self._add(Subscription(self._sub_arn(), "lambda", versions.arn(qualifier),
                                      function=function, qualifier=qualifier))

    def subscribe_queue(self, queue: QueueLike, *, raw_message_delivery: bool = False) -> str:
        """Send every message to ``queue`` (the SNS JSON envelope, or the bare message with
        ``raw_message_delivery``); returns the SubscriptionArn."""
        if not callable(getattr(queue, "send_message", None)):
            raise InvalidParameterValueException("queue", queue, "an object with send_message")
        name = str(getattr(queue, "name", ""))
        if name.endswith(".fifo"):
            raise InvalidParameterValueException(
                "queue", name, "a standard queue (a standard topic cannot deliver to FIFO)")
        endpoint = str(getattr(queue, "arn", repr(queue)))
        return self._add(Subscription(self._sub_arn(), "sqs", endpoint, queue=queue,
                                      raw=bool(raw_message_delivery)))

    def unsubscribe(self, SubscriptionArn: str) -> None:  # noqa: N803
        """Remove a subscription (messages already sent still arrive)."""
        kept = [s for s in self.subscriptions if s.arn != SubscriptionArn]
        if len(kept) == len(self.subscriptions):
            raise ServiceError("NotFound", "Subscription does not exist", status_code=404,
                               operation="Unsubscribe")
        self.subscriptions = kept

    def list_subscriptions_by_topic(self, TopicArn: str | None = None) -> dict[str, Any]:  # noqa: N803
        """boto3's shape: ``{"Subscriptions": [{SubscriptionArn, Owner, Protocol, Endpoint,
        TopicArn}]}``."""
        self._check_arn(TopicArn, "ListSubscriptionsByTopic")
        return {"Subscriptions": [
            {"SubscriptionArn": s.arn, "Owner": self.platform.account_id, "Protocol": s.protocol,
             "Endpoint": s.endpoint, "TopicArn": self.arn} for s in self.subscriptions]}

    def _add(self, sub: Subscription) -> str:
        self.subscriptions.append(sub)
        return sub.arn

    def _sub_arn(self) -> str:
        return f"{self.arn}:{self._event_env().new_id()}"

    # -- publishing -------------------------------------------------------------------------
    def publish(self, TopicArn: str | None = None, Message: str = "",  # noqa: N803
                Subject: str | None = None,
                MessageAttributes: dict[str, dict[str, Any]] | None = None) -> dict[str, str]:
        """Publish ``Message`` to every subscriber; returns ``{"MessageId": ...}``."""
        self._check_arn(TopicArn, "Publish")
        attrs = _validate(Message, Subject, MessageAttributes)
        self._call("Publish")
        env = self._event_env()
        message_id = env.new_id()
        base = events.sns(Message, topic=self.name, subject=Subject, env=env)["Records"][0]
        base["Sns"]["MessageId"] = message_id
        base["Sns"]["MessageAttributes"] = attrs
        for sub in list(self.subscriptions):
            record = _for_subscription(base, sub.arn)
            if sub.protocol == "lambda":
                if not self._may_invoke(sub.function or "", self.arn, sub.qualifier):
                    self.undeliverable.append({"SubscriptionArn": sub.arn,
                                               "MessageId": message_id, "attempts": 1,
                                               "error": "AccessDenied", "event": record})
                    continue
                acc = self.platform.invoke_async(sub.function or "", {"Records": [record]},
                                                 qualifier=sub.qualifier, source="sns")
                self.deliveries.append(Delivery(env.now_s, sub.arn, "lambda", message_id,
                                                request_id=acc.request_id,
                                                event_index=acc.event))
            else:
                self._to_queue(sub, record["Sns"], MessageAttributes or {}, env.now_s)
        return {"MessageId": message_id}

    @property
    def pending_deliveries(self) -> int:
        """Queue deliveries waiting on the clock (first try or retry)."""
        return self._in_flight

    def _to_queue(self, sub: Subscription, note: dict[str, Any],
                  attributes: dict[str, dict[str, Any]], t: float) -> None:
        if sub.raw:
            kwargs: dict[str, Any] = {"MessageBody": note["Message"]}
            if attributes:
                kwargs["MessageAttributes"] = {k: _sqs_attr(v) for k, v in attributes.items()}
        else:
            kwargs = {"MessageBody": json.dumps(_envelope(note))}
        self._in_flight += 1
        if not self.platform.in_handler():  # outside a handler: deliver now
            self._attempt(sub, kwargs, note["MessageId"], 1, t)
        else:  # inside one: after it, at its clock (the publisher is not charged the latency)
            self.platform.call_at(t, lambda now: self._attempt(sub, kwargs, note["MessageId"],
                                                               1, now))

    def _attempt(self, sub: Subscription, kwargs: dict[str, Any], message_id: str, attempt: int,
                 t: float) -> None:
        try:
            sub.queue.send_message(**kwargs)
        except ServiceError as err:
            if attempt >= MAX_ATTEMPTS:
                self._in_flight -= 1
                self.undeliverable.append({"SubscriptionArn": sub.arn, "MessageId": message_id,
                                           "attempts": attempt, "error": err.code, **kwargs})
                return
            at = t + retry_delay_s(attempt)
            self.platform.call_at(at, lambda now: self._attempt(sub, kwargs, message_id,
                                                                attempt + 1, now))
            return
        self._in_flight -= 1
        self.deliveries.append(Delivery(t, sub.arn, "sqs", message_id, attempts=attempt))

    def _check_arn(self, arn: str | None, operation: str) -> None:
        if arn is not None and arn != self.arn:
            raise ServiceError("NotFound", "Topic does not exist", status_code=404,
                               operation=operation)


def _validate(message: Any, subject: Any,
              attributes: dict[str, dict[str, Any]] | None) -> dict[str, dict[str, str]]:
    """Check Publish's parameters; return the attributes as the Lambda event shows them."""
    if not isinstance(message, str) or not message:
        raise InvalidParameterValueException("Message", message, "a non-empty string")
    check_number("len(Message.encode())", len(message.encode()), 0, _MAX_MESSAGE_BYTES,
                 types=(int,), rule="Message must be at most 262,144 bytes (256 KiB) "
                 "[SNS:API_Publish]")
    if subject is not None and (not isinstance(subject, str) or not _SUBJECT.fullmatch(subject)):
        raise InvalidParameterValueException(
            "Subject", subject, "1-100 printable ASCII characters without line breaks")
    attributes = attributes or {}
    if not isinstance(attributes, dict) or len(attributes) > _MAX_ATTRIBUTES:
        raise InvalidParameterValueException("MessageAttributes", attributes,
                                             "a dict of at most 10 attributes")
    return {str(k): _event_attr(k, v) for k, v in attributes.items()}


def _event_attr(name: Any, value: Any) -> dict[str, str]:
    field = f"MessageAttributes[{name!r}]"
    kind = value.get("DataType") if isinstance(value, dict) else None
    if not isinstance(kind, str) or not _DATA_TYPE.fullmatch(kind):
        raise InvalidParameterValueException(
            field, value, "{'DataType': 'String'|'Number'|'Binary'|'String.Array', "
            "'StringValue' or 'BinaryValue': ...}")
    if kind.startswith("Binary"):
        raw = value.get("BinaryValue")
        if not isinstance(raw, (bytes, bytearray)):
            raise InvalidParameterValueException(field, value, "a bytes BinaryValue")
        return {"Type": kind, "Value": base64.b64encode(bytes(raw)).decode()}
    text = value.get("StringValue")
    if not isinstance(text, str):
        raise InvalidParameterValueException(field, value, "a str StringValue")
    if kind.startswith("Number"):
        try:
            float(text)
        except ValueError:
            raise InvalidParameterValueException(field, value, "a numeric StringValue") from None
    return {"Type": kind, "Value": text}


def _sqs_attr(value: dict[str, Any]) -> dict[str, Any]:
    """A publish attribute as SQS takes it (SQS has no String.Array: sent as String)."""
    kind = "String" if value["DataType"].startswith("String.Array") else value["DataType"]
    return {**value, "DataType": kind}


def _for_subscription(base: dict[str, Any], sub_arn: str) -> dict[str, Any]:
    record = copy.deepcopy(base)
    record["EventSubscriptionArn"] = sub_arn
    url = record["Sns"]["UnsubscribeUrl"]
    record["Sns"]["UnsubscribeUrl"] = f"{url.split('SubscriptionArn=')[0]}SubscriptionArn={sub_arn}"
    return record


def _envelope(note: dict[str, Any]) -> dict[str, Any]:
    """The JSON document SNS sends to SQS/HTTP subscribers, in AWS's key order."""
    out: dict[str, Any] = {"Type": note["Type"], "MessageId": note["MessageId"],
                           "TopicArn": note["TopicArn"]}
    if note["Subject"] is not None:
        out["Subject"] = note["Subject"]
    out.update({"Message": note["Message"], "Timestamp": note["Timestamp"],
                "SignatureVersion": note["SignatureVersion"], "Signature": note["Signature"],
                "SigningCertURL": note["SigningCertUrl"],
                "UnsubscribeURL": note["UnsubscribeUrl"]})
    if note["MessageAttributes"]:
        out["MessageAttributes"] = note["MessageAttributes"]
    return out
