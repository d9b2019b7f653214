"""Tests for lambdakit.errors and lambdakit.function.config: AWS error shapes and configuration
limits."""

from __future__ import annotations

import dataclasses
import pathlib
import pickle
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lambdakit.errors import (
    IllegalStateTransition,
    InvalidParameterValueException,
    LambdaError,
    RequestTooLargeException,
    ResourceConflictException,
    ResourceNotFoundException,
    TooManyRequestsException,
)
from lambdakit.function.config import (
    ARCHITECTURES,
    RESERVED_ENV_VARS,
    RUNTIMES,
    AsyncConfig,
    FunctionConfig,
    env_size_bytes,
    validate,
)


def make(**changes: Any) -> FunctionConfig:
    fields: dict[str, Any] = {"name": "fn", "handler": "app.handler", **changes}
    return FunctionConfig(**fields)


def rejects(field: str, **changes: Any) -> InvalidParameterValueException:
    with pytest.raises(InvalidParameterValueException) as info:
        make(**changes)
    assert info.value.field == field
    return info.value


class Sink:
    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []

    def send(self, record: dict[str, Any]) -> None:
        self.records.append(record)


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("err", "code", "status"),
    [
        (InvalidParameterValueException("f", 1, "rule"), "InvalidParameterValueException", 400),
        (ResourceNotFoundException("gone"), "ResourceNotFoundException", 404),
        (ResourceConflictException("dup"), "ResourceConflictException", 409),
        (
            TooManyRequestsException("ConcurrentInvocationLimitExceeded"),
            "TooManyRequestsException",
            429,
        ),
        (RequestTooLargeException("big"), "RequestTooLargeException", 413),
        (IllegalStateTransition("can't go from IDLE to INIT"), "ServiceException", 500),
    ],
)
def test_error_codes_and_status(err: LambdaError, code: str, status: int) -> None:
    assert isinstance(err, LambdaError)
    assert (err.code, err.status_code) == (code, status)
    assert err.body()["Type"] == ("User" if status < 500 else "Service")
    assert str(err) == err.message


def test_errors_are_also_python_errors() -> None:
    assert isinstance(InvalidParameterValueException("f", 1, "r"), ValueError)
    assert isinstance(ResourceNotFoundException("x"), LookupError)
    assert not isinstance(ResourceConflictException("x"), ValueError)


def test_invalid_parameter_message_and_attributes() -> None:
    err = InvalidParameterValueException(
        "memory_mb", 100, "MemorySize must be between 128 and 10,240 MB (1 MB steps)"
    )
    assert err.message == (
        "memory_mb=100 is not valid: MemorySize must be between 128 and 10,240 MB (1 MB steps)"
    )
    assert (err.field, err.value) == ("memory_mb", 100)
    assert err.allowed.startswith("MemorySize")


def test_invalid_parameter_truncates_huge_values() -> None:
    err = InvalidParameterValueException("source", "x" * 10_000, "rule")
    assert len(err.message) < 140
    assert err.value == "x" * 10_000


def test_throttle_body_matches_observed_payload() -> None:
    err = TooManyRequestsException("ReservedFunctionConcurrentInvocationLimitExceeded")
    body = err.body()
    assert body == {
        "Reason": "ReservedFunctionConcurrentInvocationLimitExceeded",
        "Type": "User",
        "message": "Rate Exceeded.",
    }
    assert list(body) == ["Reason", "Type", "message"]
    assert err.reason == "ReservedFunctionConcurrentInvocationLimitExceeded"


def test_throttle_rejects_unknown_reason() -> None:
    with pytest.raises(ValueError, match="SlowDown"):
        TooManyRequestsException("SlowDown")


def test_not_found_for_function() -> None:
    arn = "arn:aws:lambda:us-east-1:123456789012:function:x"
    err = ResourceNotFoundException.for_function(arn)
    assert err.message == f"Function not found: {arn}"
    assert err.arn == arn


@pytest.mark.parametrize(
    "err",
    [
        InvalidParameterValueException("timeout_s", 0, "1–900"),
        ResourceNotFoundException.for_function("arn:x"),
        TooManyRequestsException("ConcurrentInvocationLimitExceeded"),
        RequestTooLargeException("big", size_bytes=7_000_000, limit_bytes=6_291_456),
        IllegalStateTransition("can't", from_state="IDLE", to_state="INIT"),
        ResourceConflictException("dup"),
    ],
)
def test_errors_pickle_with_their_attributes(err: LambdaError) -> None:
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is type(err)
    assert vars(back) == vars(err)
    assert str(back) == str(err)


# --------------------------------------------------------------------------- defaults


def test_defaults_are_aws_defaults() -> None:
    cfg = make()
    assert (cfg.runtime, cfg.memory_mb, cfg.timeout_s) == ("python3.12", 128, 3)
    assert (cfg.architecture, cfg.ephemeral_storage_mb) == ("x86_64", 512)
    assert cfg.reserved_concurrency is None
    assert cfg.environment == {}
    assert cfg.async_config == AsyncConfig(2, 21_600)


def test_runtime_table() -> None:
    for minor in range(10, 15):
        assert RUNTIMES[f"python3.{minor}"] == f"AWS_Lambda_python3.{minor}"
    assert RUNTIMES["nodejs22.x"] == "AWS_Lambda_nodejs22.x"
    assert ARCHITECTURES == ("x86_64", "arm64")


# --------------------------------------------------------------------------- each rule


@pytest.mark.parametrize("bad", ["", "a" * 65, "has space", "a/b", "fn:1", 123, None])
def test_name_rule(bad: Any) -> None:
    err = rejects("name", name=bad)
    assert "1–64" in err.message and err.message.startswith(f"name={bad!r}")


def test_long_name_message_says_how_long() -> None:
    err = rejects("name", name="a" * 200)
    assert "got 200 characters" in err.message and "..." in err.message


@pytest.mark.parametrize("good", ["a", "a" * 64, "my-func_1", "UPPER"])
def test_name_accepts(good: str) -> None:
    assert make(name=good).name == good


@pytest.mark.parametrize("bad", ["", "app handler", " app.handler", 42, None])
def test_handler_rule(bad: Any) -> None:
    err = rejects("handler", handler=bad)
    assert "module.function" in err.message and "callable" in err.message


def test_handler_accepts_specs_and_callables() -> None:
    assert make(handler="pkg/mod.handler").handler == "pkg/mod.handler"
    # AWS accepts a dot-less handler; it fails at init with Runtime.MalformedHandlerName.
    assert make(handler="nodot").handler == "nodot"

    def handler(event: Any, context: Any) -> Any:
        return event

    assert make(handler=handler).handler is handler


@pytest.mark.parametrize("bad", ["python2.7", "python3.9", "Python3.12", "go1.x"])
def test_runtime_rule(bad: str) -> None:
    err = rejects("runtime", runtime=bad)
    assert err.message.startswith(f"runtime={bad!r} is not valid: Runtime must be one of ")
    assert "'python3.12'" in err.message


@pytest.mark.parametrize("bad", [0, 100, 127, 10_241, 256.0, 256.5, "256", True])
def test_memory_rule(bad: Any) -> None:
    err = rejects("memory_mb", memory_mb=bad)
    assert err.value == bad
    assert err.message == (
        f"memory_mb={bad!r} is not valid: MemorySize must be between 128 and 10,240 MB "
        "(1 MB steps) [S3]"
    )


@pytest.mark.parametrize("good", [128, 129, 1769, 10_240])
def test_memory_accepts_every_mb(good: int) -> None:
    assert make(memory_mb=good).memory_mb == good


def test_numpy_integers_become_int() -> None:
    cfg = make(memory_mb=np.int64(512), timeout_s=np.int32(30), reserved_concurrency=np.int16(5))
    assert type(cfg.memory_mb) is int and cfg.memory_mb == 512
    assert type(cfg.timeout_s) is int and type(cfg.reserved_concurrency) is int


@pytest.mark.parametrize("bad", [0, -1, 901, 1.5, None])
def test_timeout_rule(bad: Any) -> None:
    err = rejects("timeout_s", timeout_s=bad)
    assert err.message == (
        f"timeout_s={bad!r} is not valid: Timeout must be between 1 and 900 s (1 s steps) [S3]"
    )


@pytest.mark.parametrize("bad", ["arm", "x86", "ARM64", None])
def test_architecture_rule(bad: Any) -> None:
    err = rejects("architecture", architecture=bad)
    assert err.message == (
        f"architecture={bad!r} is not valid: Architectures must be one of 'x86_64', 'arm64'"
    )


@pytest.mark.parametrize("key", sorted(RESERVED_ENV_VARS))
def test_every_reserved_env_var_is_rejected(key: str) -> None:
    err = rejects("environment", environment={key: "x"})
    assert err.value == key and "reserved" in err.message and repr(key) in err.message


@pytest.mark.parametrize("key", ["1ABC", "A", "MY-VAR", "MY VAR", "é_KEY"])
def test_env_key_pattern(key: str) -> None:
    err = rejects("environment", environment={key: "x"})
    assert "[a-zA-Z][a-zA-Z0-9_]+" in err.message and repr(key) in err.message


def test_env_values_must_be_strings() -> None:
    err = rejects("environment", environment={"PORT": 8080})
    assert "values must be str" in err.message and "'PORT'" in err.message


def test_env_accepts_unreserved_defaults_and_lowercase() -> None:
    env = {"LANG": "en_US.UTF-8", "TZ": "UTC", "db_host": "x", "A1": ""}
    assert make(environment=env).environment == env


def test_env_size_limit_is_4096_bytes_of_keys_plus_values() -> None:
    at_limit = {"KEY": "v" * (4096 - 3)}
    assert env_size_bytes(at_limit) == 4096
    assert make(environment=at_limit).environment == at_limit
    err = rejects("environment", environment={"KEY": "v" * (4096 - 2)})
    assert err.value == 4097
    assert "4,097 bytes" in err.message and "4 KB" in err.message


def test_env_size_counts_utf8_bytes() -> None:
    assert env_size_bytes({"AB": "é€"}) == 2 + 2 + 3
    rejects("environment", environment={"AB": "€" * 1365})  # 2 + 4095 bytes


@pytest.mark.parametrize("bad", [511, 10_241, 1024.0])
def test_ephemeral_rule(bad: Any) -> None:
    err = rejects("ephemeral_storage_mb", ephemeral_storage_mb=bad)
    assert err.message == (
        f"ephemeral_storage_mb={bad!r} is not valid: EphemeralStorage must be between 512 and "
        "10,240 MB (1 MB steps) [S3]"
    )


@pytest.mark.parametrize("bad", [-1, 1.5, "10"])
def test_reserved_concurrency_rule(bad: Any) -> None:
    err = rejects("reserved_concurrency", reserved_concurrency=bad)
    assert err.message == (
        f"reserved_concurrency={bad!r} is not valid: ReservedConcurrentExecutions must be None "
        "(unreserved) or an integer >= 0"
    )


def test_reserved_concurrency_accepts_zero_and_none() -> None:
    assert make(reserved_concurrency=0).reserved_concurrency == 0
    assert make(reserved_concurrency=None).reserved_concurrency is None


def test_string_fields() -> None:
    rejects("description", description=5)
    rejects("code_dir", code_dir=5)
    rejects("source", source=b"print()")
    assert make(code_dir=pathlib.Path("/tmp/x")).code_dir == "/tmp/x"


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"maximum_retry_attempts": 3}, "maximum_retry_attempts",
         "maximum_retry_attempts=3 is not valid: MaximumRetryAttempts must be between 0 and 2 "
         "[S12]"),
        ({"maximum_retry_attempts": -1}, "maximum_retry_attempts",
         "maximum_retry_attempts=-1 is not valid: MaximumRetryAttempts must be between 0 and 2"),
        ({"maximum_retry_attempts": 1.0}, "maximum_retry_attempts",
         "maximum_retry_attempts=1.0 is not valid: MaximumRetryAttempts must be between 0 and 2"),
        ({"maximum_event_age_s": 59}, "maximum_event_age_s",
         "maximum_event_age_s=59 is not valid: MaximumEventAgeInSeconds must be between 60 and "
         "21,600 s (1 s steps) [S2:API_PutFunctionEventInvokeConfig.md]"),
        ({"maximum_event_age_s": 21_601}, "maximum_event_age_s",
         "maximum_event_age_s=21601 is not valid: MaximumEventAgeInSeconds must be between 60 "
         "and 21,600 s"),
        ({"on_success": "queue"}, "on_success", ".send(record)"),
        ({"on_failure": object()}, "on_failure", ".send(record)"),
        ({"dead_letter": 5}, "dead_letter", ".send(record)"),
    ],
)
def test_async_rules(changes: dict[str, Any], field: str, text: str) -> None:
    with pytest.raises(InvalidParameterValueException) as info:
        AsyncConfig(**changes)
    assert info.value.field == field and text in info.value.message


def test_async_accepts_lists_and_senders() -> None:
    sink = Sink()
    dlq: list[dict[str, Any]] = []
    cfg = AsyncConfig(0, 60, on_success=sink, on_failure=[], dead_letter=dlq)
    assert cfg.on_success is sink and cfg.dead_letter is dlq


def test_nested_async_errors_are_prefixed() -> None:
    rejects("async_config", async_config={"maximum_retry_attempts": 1})
    broken = AsyncConfig()
    object.__setattr__(broken, "maximum_retry_attempts", 9)
    err = rejects("async_config.maximum_retry_attempts", async_config=broken)
    assert "async_config.maximum_retry_attempts=9" in err.message


def test_first_bad_field_wins() -> None:
    with pytest.raises(InvalidParameterValueException) as info:
        FunctionConfig("bad name", "", memory_mb=1, timeout_s=0)
    assert info.value.field == "name"
    err = rejects("memory_mb", memory_mb=1, timeout_s=0, architecture="sparc")
    assert err.value == 1


@given(st.integers(min_value=-20_000, max_value=20_000))
def test_memory_valid_iff_in_range(memory: int) -> None:
    if 128 <= memory <= 10_240:
        assert make(memory_mb=memory).memory_mb == memory
    else:
        with pytest.raises(InvalidParameterValueException):
            make(memory_mb=memory)


@given(
    st.dictionaries(st.from_regex(r"[A-Z][A-Z0-9_]{1,20}", fullmatch=True), st.text(max_size=50))
)
def test_any_small_unreserved_env_is_accepted(env: dict[str, str]) -> None:
    env = {k: v for k, v in env.items() if k not in RESERVED_ENV_VARS}
    assert make(environment=env).environment == env


# --------------------------------------------------------------------------- the value


def test_config_is_frozen() -> None:
    src = {"STAGE": "dev"}
    cfg = make(environment=src)
    src["STAGE"] = "prod"
    assert cfg.environment["STAGE"] == "dev"
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.memory_mb = 512  # type: ignore[misc]
    with pytest.raises(TypeError):
        cfg.environment["STAGE"] = "x"  # type: ignore[index]


def test_config_is_hashable_comparable_and_picklable() -> None:
    a = make(environment={"A1": "x"}, memory_mb=256)
    b = make(environment={"A1": "x"}, memory_mb=256)
    assert a == b and hash(a) == hash(b)
    assert a != make(environment={"A1": "y"}, memory_mb=256)
    back = pickle.loads(pickle.dumps(a))
    assert back == a and back.environment == {"A1": "x"}


def test_replace_validates_and_copies() -> None:
    cfg = make()
    bigger = cfg.replace(memory_mb=1024, timeout_s=60)
    assert (bigger.memory_mb, bigger.timeout_s, cfg.memory_mb) == (1024, 60, 128)
    with pytest.raises(InvalidParameterValueException, match="memory_mb=100"):
        cfg.replace(memory_mb=100)
    with pytest.raises(TypeError, match="memory"):
        cfg.replace(memory=512)


def test_validate_checks_both_kinds() -> None:
    validate(make())
    validate(AsyncConfig())
    broken = make()
    object.__setattr__(broken, "timeout_s", 0)
    with pytest.raises(InvalidParameterValueException, match="timeout_s=0"):
        validate(broken)


@pytest.mark.parametrize(
    ("memory", "vcpus"), [(1769, 1.0), (3538, 2.0), (128, 128 / 1769), (10_240, 10_240 / 1769)]
)
def test_vcpus_proportional_to_memory(memory: int, vcpus: float) -> None:
    assert make(memory_mb=memory).vcpus == pytest.approx(vcpus)
    assert make(memory_mb=memory).vcpus <= 6.0


def test_code_fingerprint() -> None:
    base = make(source="def handler(e, c): return 1")
    assert base.code_fingerprint() == base.replace(memory_mb=2048, timeout_s=9).code_fingerprint()
    assert base.code_fingerprint() != base.replace(handler="app.other").code_fingerprint()
    assert base.code_fingerprint() != base.replace(source="x = 2").code_fingerprint()
    assert base.code_fingerprint() != base.replace(code_dir="/srv/app").code_fingerprint()

    def h1(e: Any, c: Any) -> int:
        return 1

    def h2(e: Any, c: Any) -> int:
        return 1

    assert make(handler=h1).code_fingerprint() == make(handler=h1).code_fingerprint()
    assert make(handler=h1).code_fingerprint() != make(handler=h2).code_fingerprint()
