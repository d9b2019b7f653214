"""A function's configuration, validated the way the Lambda API validates it (facts §3.2, §4, §6.3).

:class:`FunctionConfig` and :class:`AsyncConfig` are frozen values: building one validates it,
and :meth:`FunctionConfig.replace` gives a validated copy. A bad value raises
:class:`~lambdakit.errors.InvalidParameterValueException` naming the field, the value and the
allowed range, for the first bad field in declaration order.

Example:
    >>> cfg = FunctionConfig("hello", "app.handler", memory_mb=1769)
    >>> cfg.vcpus, cfg.timeout_s, cfg.environment
    (1.0, 3, {})
    >>> cfg.replace(memory_mb=100)
    Traceback (most recent call last):
    ...
    lambdakit.errors.InvalidParameterValueException: memory_mb=100 is not valid: MemorySize must be between 128 and 10,240 MB (1 MB steps) [S3]
"""  # noqa: E501

from __future__ import annotations

import dataclasses
import numbers
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..errors import InvalidParameterValueException
from .quotas import check, check_choice, check_number, limit

__all__ = [
    "ARCHITECTURES",
    "RESERVED_ENV_VARS",
    "RUNTIMES",
    "AsyncConfig",
    "FunctionConfig",
    "env_size_bytes",
    "validate",
]

#: Runtime identifier -> the ``AWS_EXECUTION_ENV`` value Lambda sets, ``AWS_Lambda_<runtime>``
#: (e.g. ``AWS_Lambda_python3.12``) [S2:configuration-envvars.md]. Only Python handlers run.
RUNTIMES: dict[str, str] = {
    rt: f"AWS_Lambda_{rt}"
    for rt in (
        "python3.10",
        "python3.11",
        "python3.12",
        "python3.13",
        "python3.14",
        "nodejs20.x",
        "nodejs22.x",
        "java17",
        "java21",
    )
}

ARCHITECTURES = ("x86_64", "arm64")  # [S16] x86 and Arm (Graviton2) price lines

#: Set by Lambda; AWS rejects a function that tries to set them. [S2:configuration-envvars.md]
#: [S20:bootstrap.py][S44] (facts §6.3)
RESERVED_ENV_VARS = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)

_NAME_RE = re.compile(r"[a-zA-Z0-9_-]{1,64}")  # FunctionName alone: 64 chars [S2:API_Invoke.md]
_ENV_KEY_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9_]+")  # AWS's key pattern: 2 characters or more
_K = TypeVar("_K")
_V = TypeVar("_V")


class _FrozenMap(Mapping[_K, _V]):
    """A read-only, hashable, picklable dict copy; equal to an equal ``dict``."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[_K, _V] | None = None) -> None:
        self._data: dict[_K, _V] = dict(data or {})

    def __getitem__(self, key: _K) -> _V:
        return self._data[key]

    def __iter__(self) -> Iterator[_K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return hash(frozenset(self._data.items()))

    def __repr__(self) -> str:
        return repr(self._data)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_FrozenMap, (self._data,))


@dataclass(frozen=True, slots=True)
class AsyncConfig:
    """How asynchronous invocations retry and where their outcomes go (facts §3.2).

    Destinations are anything with ``.send(record: dict)`` or a plain ``list`` (records are
    appended). A DLQ receives events whose retries are exhausted.

    >>> AsyncConfig(maximum_retry_attempts=3)
    Traceback (most recent call last):
    ...
    lambdakit.errors.InvalidParameterValueException: maximum_retry_attempts=3 is not valid: MaximumRetryAttempts must be between 0 and 2 [S12]
    """  # noqa: E501

    maximum_retry_attempts: int = 2  # 0–2, default 2 [S12][S2:API_PutFunctionEventInvokeConfig.md]
    maximum_event_age_s: int = 21_600  # 60–21,600 s (6 h) [S2:API_PutFunctionEventInvokeConfig.md]
    on_success: Any = None
    on_failure: Any = None
    dead_letter: Any = None

    def __post_init__(self) -> None:
        _normalise_ints(self, ("maximum_retry_attempts", "maximum_event_age_s"))
        _validate_async(self, prefix="")


@dataclass(frozen=True, slots=True)
class FunctionConfig:
    """A function's code and configuration: what ``CreateFunction`` takes, plus lambdakit knobs.

    ``handler`` is ``"module.function"`` (loaded from ``code_dir`` or ``source``) or a Python
    callable ``handler(event, context)``. ``duration_model`` and ``init_model`` are lambdakit's
    own knobs, validated where they are used.

    >>> FunctionConfig("f", lambda e, c: None, runtime="python3.13").runtime
    'python3.13'
    """

    name: str
    handler: str | Callable[..., Any]
    runtime: str = "python3.12"
    memory_mb: int = 128  # [S3] 128–10,240 MB
    timeout_s: int = 3  # [S3] default 3 s
    architecture: str = "x86_64"
    environment: Mapping[str, str] = field(default_factory=_FrozenMap)
    ephemeral_storage_mb: int = 512  # [S3] 512 MB default
    reserved_concurrency: int | None = None
    description: str = ""
    code_dir: str | None = None
    source: str | None = None
    duration_model: Any = None
    init_model: Any = None
    async_config: AsyncConfig = field(default_factory=AsyncConfig)
    role: Any = None  # execution role (lambdakit.function.iam); None = not checked

    def __post_init__(self) -> None:
        _normalise_ints(self, ("memory_mb", "timeout_s", "ephemeral_storage_mb"))
        if self.reserved_concurrency is not None:
            _normalise_ints(self, ("reserved_concurrency",))
        if isinstance(self.code_dir, os.PathLike):
            object.__setattr__(self, "code_dir", os.fspath(self.code_dir))
        if isinstance(self.environment, Mapping) and not isinstance(self.environment, _FrozenMap):
            object.__setattr__(self, "environment", _FrozenMap(self.environment))
        validate(self)

    def replace(self, **changes: Any) -> FunctionConfig:
        """A validated copy with ``changes`` applied.

        >>> FunctionConfig("f", "app.handler").replace(timeout_s=30).timeout_s
        30
        """
        unknown = sorted(set(changes) - {f.name for f in dataclasses.fields(self)})
        if unknown:
            raise TypeError(f"FunctionConfig has no field(s) {unknown}")
        return dataclasses.replace(self, **changes)

    @property
    def vcpus(self) -> float:
        """CPU share: proportional to memory, 1,769 MB = 1 vCPU, 6 vCPU max [S3][S34].

        >>> round(FunctionConfig("f", "a.b", memory_mb=10_240).vcpus, 2)
        5.79
        """
        return min(self.memory_mb / 1769, 6.0)

    def code_fingerprint(self) -> tuple[Any, ...]:
        """What "the code" is when deciding whether ``publish`` has anything new (facts §8).

        A callable handler counts by identity (redefining it is new code); a string handler by
        its spec together with ``source`` and the ``code_dir`` path (not the files' contents).

        >>> a = FunctionConfig("f", "app.handler", memory_mb=256)
        >>> a.code_fingerprint() == a.replace(memory_mb=512).code_fingerprint()
        True
        """
        if callable(self.handler):
            return ("callable", self.handler, self.source, self.code_dir)
        return ("spec", self.handler, self.source, self.code_dir)


def validate(config: FunctionConfig | AsyncConfig) -> None:
    """Raise :class:`InvalidParameterValueException` for the first invalid field of ``config``.

    Runs on construction; call it yourself only on a config built by other means.

    >>> validate(FunctionConfig("ok", "app.handler"))
    """
    if isinstance(config, AsyncConfig):
        _validate_async(config, prefix="")
        return
    for check_field in _FUNCTION_CHECKS:
        check_field(config)


# ----------------------------------------------------------------------------- helpers


def _bad(field_name: str, value: Any, allowed: str) -> InvalidParameterValueException:
    return InvalidParameterValueException(field_name, value, allowed)


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _normalise_ints(obj: Any, names: tuple[str, ...]) -> None:
    """Turn integral non-``int`` values (e.g. ``numpy.int64``) into ``int``; leave others."""
    for name in names:
        value = getattr(obj, name)
        if _is_int(value) and type(value) is not int:
            object.__setattr__(obj, name, int(value))


def _check_name(c: FunctionConfig) -> None:
    if not isinstance(c.name, str) or not _NAME_RE.fullmatch(c.name):
        rule = "FunctionName must be 1–64 characters of letters, digits, '-' and '_'"
        if isinstance(c.name, str) and len(c.name) > 64:
            rule += f" (got {len(c.name)} characters)"
        raise _bad("name", c.name, rule)


def _check_handler(c: FunctionConfig) -> None:
    # AWS accepts any non-blank Handler; a spec without a '.' fails later, at init, with
    # Runtime.MalformedHandlerName [S20:bootstrap.py] (facts §6.4).
    h = c.handler
    if callable(h):
        return
    if not isinstance(h, str) or not h or any(ch.isspace() for ch in h):
        raise _bad(
            "handler",
            h,
            "Handler must be a non-empty 'module.function' string without spaces, "
            "or a callable handler(event, context)",
        )


def _check_runtime(c: FunctionConfig) -> None:
    check_choice("runtime", c.runtime, tuple(RUNTIMES), "Runtime")


def _check_memory(c: FunctionConfig) -> None:
    check("memory_mb", c.memory_mb)  # [S3]


def _check_timeout(c: FunctionConfig) -> None:
    check("timeout_s", c.timeout_s)  # [S3]


def _check_architecture(c: FunctionConfig) -> None:
    check_choice("architecture", c.architecture, ARCHITECTURES, "Architectures")


def env_size_bytes(environment: Mapping[str, str]) -> int:
    """Size counted against the 4 KB limit [S3]: UTF-8 bytes of every key plus every value.

    AWS does not publish its exact measure; this one ignores separators and quoting.

    >>> env_size_bytes({"A1": "é"})
    4
    """
    return sum(len(k.encode()) + len(v.encode()) for k, v in environment.items())


def _check_environment(c: FunctionConfig) -> None:
    env = c.environment
    if not isinstance(env, Mapping):
        raise _bad("environment", env, "Environment must be a mapping of str to str")
    for key, value in env.items():
        if key in RESERVED_ENV_VARS:
            raise InvalidParameterValueException(
                "environment",
                key,
                "",
                message=f"environment key {key!r} is not valid: it is a reserved variable "
                "that Lambda sets itself (reserved: AWS_REGION, AWS_LAMBDA_*, _HANDLER, ...)",
            )
        if not isinstance(key, str) or not _ENV_KEY_RE.fullmatch(key):
            raise InvalidParameterValueException(
                "environment",
                key,
                "",
                message=f"environment key {key!r} is not valid: keys must match "
                "[a-zA-Z][a-zA-Z0-9_]+ (a letter, then one or more letters, digits or '_')",
            )
        if not isinstance(value, str):
            raise InvalidParameterValueException(
                "environment",
                value,
                "",
                message=f"environment[{key!r}]={value!r:.60} is not valid: values must be str",
            )
    size = env_size_bytes(env)
    most = int(limit("environment_bytes"))  # 4 KB aggregate [S3]
    if size > most:
        raise InvalidParameterValueException(
            "environment",
            size,
            "",
            message=f"environment ({size:,} bytes) is not valid: environment variables must "
            f"total at most {most // 1024} KB ({most:,} bytes of UTF-8 keys plus values)",
        )


def _check_ephemeral(c: FunctionConfig) -> None:
    check("ephemeral_storage_mb", c.ephemeral_storage_mb)  # [S3]


def _check_reserved(c: FunctionConfig) -> None:
    # The account rule (unreserved concurrency stays >= 100) is the platform's to check
    # [S2:configuration-concurrency.md].
    rc = c.reserved_concurrency
    if rc is not None:
        check_number(
            "reserved_concurrency",
            rc,
            0,
            types=(numbers.Integral,),
            rule="ReservedConcurrentExecutions must be None (unreserved) or an integer >= 0",
        )


def _check_strings(c: FunctionConfig) -> None:
    if not isinstance(c.description, str):
        raise _bad("description", c.description, "Description must be a str")
    for name in ("code_dir", "source"):
        value = getattr(c, name)
        if value is not None and not isinstance(value, str):
            raise _bad(name, value, f"{name} must be a str or None")


def _check_async(c: FunctionConfig) -> None:
    if not isinstance(c.async_config, AsyncConfig):
        raise _bad("async_config", c.async_config, "async_config must be an AsyncConfig")
    _validate_async(c.async_config, prefix="async_config.")


def _is_destination(target: Any) -> bool:
    return target is None or isinstance(target, list) or callable(getattr(target, "send", None))


def _validate_async(a: AsyncConfig, *, prefix: str) -> None:
    check("maximum_retry_attempts", a.maximum_retry_attempts, prefix + "maximum_retry_attempts")
    check("maximum_event_age_s", a.maximum_event_age_s, prefix + "maximum_event_age_s")
    for name in ("on_success", "on_failure", "dead_letter"):
        target = getattr(a, name)
        if not _is_destination(target):
            raise _bad(
                prefix + name,
                target,
                "a destination must be None, a list, or an object with .send(record)",
            )


_FUNCTION_CHECKS: tuple[Callable[[FunctionConfig], None], ...] = (
    _check_name,
    _check_handler,
    _check_runtime,
    _check_memory,
    _check_timeout,
    _check_architecture,
    _check_environment,
    _check_ephemeral,
    _check_reserved,
    _check_strings,
    _check_async,
)
