"""Event-source mappings: pollers that read a queue or stream and invoke a function in batches.

SQS (:class:`SqsEventSourceMapping`) and Kinesis / DynamoDB Streams
(:class:`StreamEventSourceMapping`).

>>> from lambdakit.esm import SqsEventSourceMapping
>>> SqsEventSourceMapping.__name__
'SqsEventSourceMapping'
"""

from .sqs import (
    SQS_CONCURRENCY_CAP,
    SQS_INITIAL_CONCURRENCY,
    SQS_SCALE_UP_PER_MINUTE,
    BatchRecord,
    SqsEventSourceMapping,
    recommended_visibility_timeout_s,
)
from .streams import StreamEventSourceMapping

__all__ = [
    "SQS_CONCURRENCY_CAP",
    "SQS_INITIAL_CONCURRENCY",
    "SQS_SCALE_UP_PER_MINUTE",
    "BatchRecord",
    "SqsEventSourceMapping",
    "StreamEventSourceMapping",
    "recommended_visibility_timeout_s",
]
