"""In-memory AWS services that trigger functions, all on the platform's virtual clock.

S3 (:class:`Bucket`), SNS (:class:`Topic`), EventBridge (:class:`Schedule`), API Gateway
(:class:`HttpApi`), SQS (:class:`Queue`), DynamoDB (:class:`Table`) and Kinesis
(:class:`KinesisStream`), with the common :class:`Service` base. Each service takes the
platform first and registers itself with ``platform.register_service`` (found again with
``platform.service(kind, name)``).

>>> from lambdakit import Platform
>>> from lambdakit.services import Bucket
>>> p = Platform()
>>> b = Bucket(p, "photos")
>>> p.service("s3", "photos") is b
True
"""

from __future__ import annotations

from .base import Service, ServiceError
from .bucket import Bucket
from .http_api import HttpApi, HttpResponse
from .kinesis import KinesisStream
from .queue import Queue
from .schedule import Schedule, parse_expression
from .table import Table
from .topic import Topic

__all__ = [
    "Bucket",
    "HttpApi",
    "HttpResponse",
    "KinesisStream",
    "Queue",
    "Schedule",
    "Service",
    "ServiceError",
    "Table",
    "Topic",
    "parse_expression",
]
