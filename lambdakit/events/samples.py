"""A typical event of each source, for the event panel."""

from __future__ import annotations

from typing import Protocol

from .builders import (
    api_gateway_rest,
    dynamodb_stream,
    eventbridge_scheduled,
    http_api,
    kinesis,
    s3_object_created,
    sns,
    sqs,
)
from .env import Event, EventEnv

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
