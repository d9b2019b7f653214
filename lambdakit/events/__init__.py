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

from .builders import (
    api_gateway_rest,
    dynamodb_stream,
    eventbridge_custom,
    eventbridge_scheduled,
    http_api,
    kinesis,
    s3_object_created,
    s3_object_removed,
    sns,
    sqs,
)
from .dynamodb_json import from_dynamodb_json, to_dynamodb_json
from .env import HTTP_METHODS, S3_CREATED, S3_REMOVED, STREAM_VIEW_TYPES, EventEnv
from .samples import SAMPLE_BUILDERS, SampleBuilder

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
