"""Lambda's quotas and limits in one table, each with its source, and one way to check them.

Every limit lambdakit enforces lives here once (``shared/lambda-facts.md`` names the sources:
[S3] is the Lambda quotas page, [S12] the asynchronous invocation guide...). Validators call
:func:`check`, whose error names the field, the rejected value and the allowed range.

Example:
    >>> QUOTAS["memory_mb"].high, QUOTAS["memory_mb"].source
    (10240, '[S3]')
    >>> check("memory_mb", 64)
    Traceback (most recent call last):
    ...
    lambdakit.errors.InvalidParameterValueException: memory_mb=64 is not valid: MemorySize must be between 128 and 10,240 MB (1 MB steps) [S3]
"""  # noqa: E501

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidParameterValueException

__all__ = ["QUOTAS", "Quota", "bounds", "check", "check_choice", "check_number", "describe",
           "limit"]


@dataclass(frozen=True, slots=True)
class Quota:
    """One limit: the range AWS accepts (or a single ceiling), its unit, AWS's name for the
    setting and where the figure comes from."""

    name: str
    low: float | None
    high: float | None
    unit: str
    aws_name: str
    source: str
    whole: bool = True  # only whole numbers (1-unit steps)
    default: float | None = None

    def rule(self, also: str = "") -> str:
        """The allowed range in AWS's words, with its source tag; ``also`` names a value
        allowed besides the range (``"-1 (no limit)"``)."""
        steps = f" (1 {self.unit} steps)" if self.whole and self.unit else ""
        unit = f" {self.unit}" if self.unit else ""
        if self.low is not None and self.high is not None:
            text = f"between {_num(self.low)} and {_num(self.high)}{unit}{steps}"
        elif self.high is not None:
            text = f"at most {_num(self.high)}{unit}"
        else:
            text = f"at least {_num(self.low or 0)}{unit}{steps}"
        either = f"{also} or " if also else ""
        return f"{self.aws_name} must be {either}{text} {self.source}"


def _num(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,g}"


_MB = 1024 * 1024
#: every limit lambdakit checks or models, by lambdakit's field name
QUOTAS: dict[str, Quota] = {q.name: q for q in (
    # function configuration (facts §4)
    Quota("memory_mb", 128, 10_240, "MB", "MemorySize", "[S3]", default=128),
    Quota("timeout_s", 1, 900, "s", "Timeout", "[S3]", default=3),
    Quota("ephemeral_storage_mb", 512, 10_240, "MB", "EphemeralStorage", "[S3]", default=512),
    Quota("environment_bytes", None, 4096, "bytes", "Environment (all keys and values)", "[S3]"),
    # invocation (facts §1.1, §3.1, §4)
    Quota("sync_payload_bytes", None, 6 * _MB, "bytes", "A synchronous request", "[S3]"),
    Quota("async_payload_bytes", None, 1 * _MB, "bytes", "An asynchronous event",
          "[S3][S13]"),  # 256 KB until Oct 2025
    Quota("init_s", None, 10, "s", "The init phase (on-demand)", "[S1]"),
    Quota("log_tail_bytes", None, 4096, "bytes", "LogType=Tail's log excerpt",
          "[S2:API_Invoke.md]"),
    # concurrency and scaling (facts §2)
    Quota("account_concurrency", 1, None, "", "The Region's concurrency quota", "[S3]",
          default=1000),
    Quota("unreserved_minimum", 100, None, "", "Unreserved account concurrency",
          "[S2:configuration-concurrency.md]", default=100),
    Quota("scaling_per_window", None, 1000, "environments", "New environments per function "
          "every 10 s", "[S4][S5]", default=1000),
    Quota("scaling_window_s", None, None, "s", "The scaling window", "[S4][S5]", default=10),
    # asynchronous invocation (facts §3.2)
    Quota("maximum_retry_attempts", 0, 2, "", "MaximumRetryAttempts", "[S12]", default=2),
    Quota("maximum_event_age_s", 60, 21_600, "s", "MaximumEventAgeInSeconds",
          "[S2:API_PutFunctionEventInvokeConfig.md]", default=21_600),
    # event-source mappings (facts §2.1, §3.3)
    Quota("esm_batching_window_s", 0, 300, "s", "MaximumBatchingWindowInSeconds",
          "[S2:API_CreateEventSourceMapping.md]", whole=False, default=0),
    Quota("sqs_batch_size", 1, 10_000, "", "BatchSize (standard queue)",
          "[S2:API_CreateEventSourceMapping.md]", default=10),
    Quota("sqs_fifo_batch_size", 1, 10, "", "BatchSize (FIFO queue)",
          "[S2:API_CreateEventSourceMapping.md]", default=10),
    Quota("sqs_maximum_concurrency", 2, 1000, "", "ScalingConfig.MaximumConcurrency",
          "[S11][S42]"),  # no default: None = no limit
    Quota("stream_batch_size", 1, 10_000, "", "BatchSize",
          "[S2:API_CreateEventSourceMapping.md]", default=100),  # Kinesis / DynamoDB Streams
    Quota("stream_parallelization_factor", 1, 10, "", "ParallelizationFactor",
          "[S2:with-kinesis.md][S2:with-ddb.md]", default=1),  # concurrent batches per shard
    Quota("stream_maximum_retry_attempts", -1, 10_000, "", "MaximumRetryAttempts",
          "[S2:API_CreateEventSourceMapping.md]", default=-1),  # -1 = until the record expires
    # -1 (no limit, the default) is allowed besides the range. Facts §3.3 give -1 to 604,800;
    # the 60 s floor is from https://aws.amazon.com/about-aws/whats-new/2019/11/aws-lambda-supports-failure-handling-features-for-kinesis-and-dynamodb-event-sources
    Quota("stream_maximum_record_age_s", 60, 604_800, "s", "MaximumRecordAgeInSeconds",
          "[S2:API_CreateEventSourceMapping.md]", default=-1),
    # SQS (not in lambda-facts.md): the SQS API Reference and Developer Guide,
    # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/ (SetQueueAttributes,
    # ReceiveMessage, SendMessage, sqs-quotas.html, sqs-dead-letter-queues.html)
    Quota("sqs_visibility_timeout_s", 0, 43_200, "s", "VisibilityTimeout",
          "[SQS:API_SetQueueAttributes]", default=30),  # 0 s – 12 h
    Quota("sqs_message_retention_s", 60, 1_209_600, "s", "MessageRetentionPeriod",
          "[SQS:API_SetQueueAttributes]", default=345_600),  # 1 min – 14 days, default 4 days
    Quota("sqs_delay_s", 0, 900, "s", "DelaySeconds", "[SQS:API_SetQueueAttributes]",
          default=0),  # 0 – 15 min
    Quota("sqs_receive_wait_s", 0, 20, "s", "ReceiveMessageWaitTimeSeconds",
          "[SQS:API_SetQueueAttributes]", default=0),  # long polling
    Quota("sqs_wait_time_s", 0, 20, "s", "WaitTimeSeconds", "[SQS:API_ReceiveMessage]"),
    # 1 MiB: SQS raised its message limit from 256 KiB (facts §4 [S15]); configurable per queue
    Quota("sqs_maximum_message_size", 1_024, 1_048_576, "bytes", "MaximumMessageSize",
          "[S15][SQS:API_SetQueueAttributes]", default=1_048_576),
    Quota("sqs_max_receive_count", 1, 1000, "", "RedrivePolicy maxReceiveCount",
          "[SQS:sqs-dead-letter-queues.html]"),
    Quota("sqs_max_number_of_messages", 1, 10, "", "MaxNumberOfMessages",
          "[SQS:API_ReceiveMessage]", default=1),
    Quota("sqs_batch_entries", 1, 10, "", "The number of entries of a batch call",
          "[SQS:sqs-quotas.html]"),
    # Kinesis (not in lambda-facts.md): default 24 h, up to 365 days
    Quota("kinesis_retention_hours", 24, 8760, "h", "RetentionPeriodHours",
          "[KDS:kinesis-extended-retention.html]", default=24),
)}


def limit(name: str) -> float:
    """A quota's ceiling (or its default when it has no ceiling), e.g. ``limit("timeout_s")``."""
    q = QUOTAS[name]
    value = q.high if q.high is not None else q.default
    assert value is not None, f"quota {name} has neither a ceiling nor a default"
    return value


def bounds(name: str) -> tuple[float, float]:
    """A quota's ``(low, high)`` range, e.g. for a slider.

    >>> bounds("memory_mb")
    (128, 10240)
    """
    q = QUOTAS[name]
    assert q.low is not None and q.high is not None, f"quota {name} is not a range"
    return q.low, q.high


_REAL: tuple[type, ...] = (numbers.Real,)


def check_number(field: str, value: Any, low: float | None = None, high: float | None = None,
                 *, whole: bool = False, finite: bool = True, positive: bool = False,
                 unit: str = "", rule: str | None = None,
                 types: tuple[type, ...] = _REAL) -> float:
    """Return ``value`` as a float, or raise :class:`InvalidParameterValueException` (a
    ``ValueError``) naming field, value and allowed range. Accepted: a real number (not a
    bool, not NaN; not infinite unless ``finite=False``) in ``[low, high]`` (either end may be
    open), above 0 with ``positive``, integral with ``whole``. ``types`` narrows the accepted
    types (e.g. ``(numbers.Integral,)``: 3 but not 3.0; ``(int, float)``: not numpy's
    integers). ``rule`` words the range yourself (default: built from the bounds and ``unit``).

    >>> check_number("rate_per_s", -1, 0, unit="requests/s")
    Traceback (most recent call last):
    ...
    lambdakit.errors.InvalidParameterValueException: rate_per_s=-1 is not valid: a finite number of at least 0 requests/s
    >>> check_number("count", 3.0, 0, types=(numbers.Integral,))
    Traceback (most recent call last):
    ...
    lambdakit.errors.InvalidParameterValueException: count=3.0 is not valid: an integer of at least 0
    """  # noqa: E501
    ok = (isinstance(value, numbers.Real) and isinstance(value, types)
          and not isinstance(value, bool))
    if ok and not isinstance(value, numbers.Integral):  # (an int may be too big for a float)
        ok = not math.isnan(value) and not (finite and math.isinf(value)) and not (
            whole and not (math.isfinite(value) and float(value).is_integer()))
    if ok:
        ok = (not positive or value > 0) and (low is None or value >= low) and (
            high is None or value <= high)
    if ok:
        try:
            return float(value)
        except OverflowError:  # an int beyond float range that no bound excluded: as is
            return value
    if rule is None:
        integer = all(issubclass(t, numbers.Integral) for t in types)
        kind = ("an integer" if integer else "a whole number" if whole
                else "a finite number" if finite else "a number")
        if positive and (low is None or low <= 0):
            rule = f"{kind} above 0"
            rule += f" and at most {_num(high)}" if high is not None else ""
        elif low is not None and high is not None:
            rule = f"{kind} from {_num(low)} to {_num(high)}"
        elif low is not None:
            rule = f"{kind} of at least {_num(low)}"
        elif high is not None:
            rule = f"{kind} of at most {_num(high)}"
        else:
            rule = f"{kind} ({unit})" if unit else kind
            unit = ""
        rule += f" {unit}" if unit else ""
    raise InvalidParameterValueException(field, value, rule)


def check_choice(field: str, value: Any, choices: tuple[Any, ...], aws_name: str = "") -> Any:
    """Return ``value`` if it is one of ``choices``, else a 400 listing them.

    >>> check_choice("architecture", "x86", ("x86_64", "arm64"), "Architectures")
    Traceback (most recent call last):
    ...
    lambdakit.errors.InvalidParameterValueException: architecture='x86' is not valid: Architectures must be one of 'x86_64', 'arm64'
    """  # noqa: E501
    try:
        if value in choices:
            return value
    except TypeError:  # unhashable
        pass
    listed = ", ".join(repr(c) for c in choices)
    raise InvalidParameterValueException(field, value, f"{aws_name or field} must be one of "
                                         f"{listed}")


def check(name: str, value: Any, field: str | None = None, *,
          types: tuple[type, ...] | None = None) -> None:
    """Check ``value`` against the quota ``name`` (the error names ``field``, default the
    quota's name). A quota in whole units takes integers only (128.0 is not an integer in
    AWS's API) unless ``types`` says otherwise (see :func:`check_number`).

    >>> check("timeout_s", 900.0, types=(numbers.Real,))
    >>> check("timeout_s", 900.0)
    Traceback (most recent call last):
    ...
    lambdakit.errors.InvalidParameterValueException: timeout_s=900.0 is not valid: Timeout must be between 1 and 900 s (1 s steps) [S3]
    """  # noqa: E501
    q = QUOTAS[name]
    if types is None:
        types = (numbers.Integral,) if q.whole else _REAL
    check_number(field or name, value, q.low, q.high, whole=q.whole, rule=q.rule(),
                 types=types)


def describe() -> list[dict[str, Any]]:
    """The table as rows (for a notebook or the docs)."""
    return [{"quota": q.name, "AWS name": q.aws_name, "low": q.low, "high": q.high,
             "unit": q.unit, "default": q.default, "source": q.source} for q in QUOTAS.values()]
