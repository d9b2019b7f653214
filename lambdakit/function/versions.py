"""One function's ``$LATEST``, its published versions and its aliases (facts §8).

``$LATEST`` is the mutable, unpublished version; :meth:`FunctionVersions.publish` freezes a copy
as version ``"1"``, ``"2"``, ... An alias names a version, optionally sending a weighted share of
traffic to a second published version. :meth:`FunctionVersions.resolve` picks the version an
invoke executes, from a uniform draw the caller supplies (so a seeded run is reproducible).

Example:
    >>> fv = FunctionVersions(FunctionConfig("hello", "app.handler"))
    >>> fv.publish(), fv.publish()            # nothing changed: the same version
    ('1', '1')
    >>> _ = fv.update(memory_mb=256)
    >>> fv.publish(), fv.get("1").memory_mb, fv.latest.memory_mb
    ('2', 128, 256)
    >>> fv.create_alias("live", "1", additional_version_weights={"2": 0.1})
    >>> fv.resolve("live", 0.05), fv.resolve("live", 0.5), fv.resolve(None, 0.5)
    ('2', '1', '$LATEST')
    >>> fv.arn("live")
    'arn:aws:lambda:us-east-1:123456789012:function:hello:live'
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import (
    InvalidParameterValueException,
    ResourceConflictException,
    ResourceNotFoundException,
)
from .config import AsyncConfig, FunctionConfig, _FrozenMap

__all__ = ["LATEST", "Alias", "FunctionVersions"]

LATEST = "$LATEST"  # the unpublished version [S2:configuration-versions.md]

# Qualifiers are 1–128 characters [S2:API_Invoke.md]; an alias name is not all digits, so it
# can never be mistaken for a version number.
_ALIAS_RE = re.compile(r"[a-zA-Z0-9_-]{1,128}")
_MAX_ROUTED_VERSIONS = 1  # at most 2 versions per alias: primary + 1 [S2:configuration-aliases.md]


@dataclass(frozen=True, slots=True)
class Alias:
    """An alias: its primary ``version`` takes whatever the additional weights leave.

    >>> Alias("live", "1", {"2": 0.25}).weights()
    {'1': 0.75, '2': 0.25}
    """

    name: str
    version: str
    additional_version_weights: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        frozen = _FrozenMap(self.additional_version_weights)
        object.__setattr__(self, "additional_version_weights", frozen)

    def weights(self) -> dict[str, float]:
        """Share of traffic per version, primary first."""
        extra = dict(self.additional_version_weights)
        return {self.version: 1.0 - sum(extra.values()), **extra}


class FunctionVersions:
    """``$LATEST``, the published versions and the aliases of one function.

    Published versions are immutable snapshots; ``update`` only ever changes ``$LATEST``.
    """

    def __init__(
        self,
        config: FunctionConfig,
        *,
        region: str = "us-east-1",
        account_id: str = "123456789012",
    ) -> None:
        if not isinstance(config, FunctionConfig):
            raise TypeError(f"config must be a FunctionConfig, not {type(config).__name__}")
        self._latest = config
        self._region = region
        self._account_id = account_id
        self._published: dict[str, FunctionConfig] = {}  # version -> snapshot (as served)
        self._sources: dict[str, FunctionConfig] = {}  # version -> $LATEST when published
        self._aliases: dict[str, Alias] = {}
        self._invoke_configs: dict[str, AsyncConfig] = {}  # qualifier -> event invoke config

    # ------------------------------------------------------------------ versions

    @property
    def name(self) -> str:
        """The function's name."""
        return self._latest.name

    @property
    def latest(self) -> FunctionConfig:
        """The current ``$LATEST`` configuration."""
        return self._latest

    @property
    def versions(self) -> list[str]:
        """``["$LATEST", "1", "2", ...]``, as ``ListVersionsByFunction`` lists them."""
        return [LATEST, *self._published]

    @property
    def aliases(self) -> dict[str, Alias]:
        """A copy of the aliases by name."""
        return dict(self._aliases)

    def update(self, **changes: Any) -> FunctionConfig:
        """Change ``$LATEST`` (code or configuration); published versions stay as they were.

        >>> FunctionVersions(FunctionConfig("f", "a.b")).update(timeout_s=10).timeout_s
        10
        """
        if "name" in changes and changes["name"] != self.name:
            raise InvalidParameterValueException(
                "name",
                changes["name"],
                f"FunctionName cannot change; this function is {self.name!r}",
            )
        self._latest = self._latest.replace(**changes)
        return self._latest

    def publish(self, description: str = "") -> str:
        """Publish ``$LATEST`` as a new numbered version and return its number.

        If neither code nor configuration changed since the last published version, no version
        is created and that version's number is returned [S2:configuration-versions.md].
        ``description`` becomes the version's description (else ``$LATEST``'s is kept).
        """
        if self._sources:
            last = next(reversed(self._sources))
            if self._sources[last] == self._latest:
                return last
        number = str(len(self._published) + 1)
        snapshot = self._latest.replace(description=description) if description else self._latest
        self._published[number] = snapshot
        self._sources[number] = self._latest
        return number

    def get(self, version: str) -> FunctionConfig:
        """The configuration of ``"$LATEST"`` or a published version number; 404 otherwise."""
        if version == LATEST:
            return self._latest
        if version in self._published:
            return self._published[version]
        raise ResourceNotFoundException.for_function(self.arn(version))

    # ------------------------------------------------------------------ aliases

    def create_alias(
        self,
        name: str,
        version: str,
        *,
        additional_version_weights: dict[str, float] | None = None,
    ) -> None:
        """Create alias ``name`` pointing at ``version`` (409 if it already exists).

        >>> fv = FunctionVersions(FunctionConfig("f", "a.b"))
        >>> fv.create_alias("dev", "$LATEST"); fv.aliases["dev"].version
        '$LATEST'
        """
        _check_alias_name(name)
        if name in self._aliases:
            raise ResourceConflictException(f"Alias already exists: {self.arn(name)}")
        self._aliases[name] = self._make_alias(name, version, additional_version_weights or {})

    def update_alias(
        self,
        name: str,
        *,
        version: str | None = None,
        additional_version_weights: dict[str, float] | None = None,
    ) -> None:
        """Repoint alias ``name``. ``None`` keeps a setting; ``{}`` removes the weighted routing.

        >>> fv = FunctionVersions(FunctionConfig("f", "a.b")); v1 = fv.publish()
        >>> fv.create_alias("live", "$LATEST"); fv.update_alias("live", version=v1)
        >>> fv.resolve("live", 0.0)
        '1'
        """
        old = self._aliases.get(name)
        if old is None:
            raise ResourceNotFoundException(
                f"Alias not found: {self.arn(name)}", arn=self.arn(name)
            )
        weights = (
            dict(old.additional_version_weights)
            if additional_version_weights is None
            else additional_version_weights
        )
        self._aliases[name] = self._make_alias(name, version or old.version, weights)

    def _make_alias(self, name: str, version: str, weights: Mapping[str, float]) -> Alias:
        if version != LATEST:
            self.get(version)  # 404 for an unknown version
        if not isinstance(weights, Mapping):
            raise InvalidParameterValueException(
                "additional_version_weights", weights, "a dict {version: weight}"
            )
        if len(weights) > _MAX_ROUTED_VERSIONS:
            raise InvalidParameterValueException(
                "additional_version_weights",
                dict(weights),
                "an alias routes to at most 2 versions: the primary plus one additional version",
            )
        for extra, weight in weights.items():
            self._check_routed(version, extra, weight)
        return Alias(name, version, dict(weights))

    def _check_routed(self, primary: str, extra: str, weight: Any) -> None:
        field_name = "additional_version_weights"
        if LATEST in (primary, extra):
            raise InvalidParameterValueException(
                field_name,
                {extra: weight},
                "weighted routing needs two published versions, not $LATEST "
                "[S2:configuration-aliases.md]",
            )
        self.get(extra)
        if extra == primary:
            raise InvalidParameterValueException(
                field_name, {extra: weight}, f"the additional version must differ from {primary}"
            )
        ok = isinstance(weight, (int, float)) and not isinstance(weight, bool)
        if not ok or not math.isfinite(weight) or not 0.0 <= weight <= 1.0:
            raise InvalidParameterValueException(
                field_name,
                {extra: weight},
                "AdditionalVersionWeights must be between 0.0 and 1.0 "
                "[S2:API_AliasRoutingConfiguration.md]",
            )

    # ------------------------------------------------------------------ async configuration

    def put_event_invoke_config(self, qualifier: str | None, config: AsyncConfig) -> None:
        """Set the asynchronous-invocation configuration of ``$LATEST`` (``None``), a published
        version or an alias (facts §3.2 [S12]: "per function, version or alias"). The DLQ is
        function-level in AWS, so it always comes from ``$LATEST``'s configuration.

        >>> fv = FunctionVersions(FunctionConfig("f", "a.b")); v1 = fv.publish()
        >>> fv.put_event_invoke_config("1", AsyncConfig(maximum_retry_attempts=0))
        >>> [fv.async_config(q, v).maximum_retry_attempts for q, v in [(None, LATEST), ("1", "1")]]
        [2, 0]
        """
        if not isinstance(config, AsyncConfig):
            raise InvalidParameterValueException("config", config, "an AsyncConfig")
        q = qualifier or LATEST
        if q not in self._aliases:
            self.get(q)  # 404 for an unknown version
        self._invoke_configs[q] = config  # not part of the code and configuration a
        # version freezes: changing it does not make the next publish a new version

    def async_config(self, qualifier: str | None, version: str) -> AsyncConfig:
        """The configuration an asynchronous event invoked with ``qualifier`` follows when
        ``version`` ran it: the alias's own, else the version's own (set by
        :meth:`put_event_invoke_config`), else the one the version was published with."""
        if qualifier and qualifier in self._invoke_configs and qualifier in self._aliases:
            return self._invoke_configs[qualifier]
        if version in self._invoke_configs:
            return self._invoke_configs[version]
        return self.get(version).async_config

    def dead_letter(self) -> Any:
        """The function's dead-letter queue: function-level, shared by every version (facts
        §3.2 [S12])."""
        return self._latest.async_config.dead_letter

    # ------------------------------------------------------------------ invoke-side

    def resolve(self, qualifier: str | None, u: float) -> str:
        """The version an invoke with ``qualifier`` executes, given a uniform draw ``u`` in [0, 1).

        Unqualified (``None`` or ``""``) means ``$LATEST`` [S2:configuration-versions.md]. A
        weighted alias runs its additional version when ``u`` < its weight, else the primary.
        """
        if not 0.0 <= u < 1.0:
            raise ValueError(f"u={u!r} must be a uniform draw in [0, 1)")
        if not qualifier or qualifier == LATEST:
            return LATEST
        alias = self._aliases.get(qualifier)
        if alias is None:
            self.get(qualifier)  # 404 unless a published version
            return qualifier
        for extra, weight in alias.additional_version_weights.items():
            if u < weight:
                return extra
        return alias.version

    def arn(self, qualifier: str | None = None) -> str:
        """The function ARN, qualified by a version or alias [S2:configuration-versions.md].

        >>> FunctionVersions(FunctionConfig("f", "a.b")).arn("7")
        'arn:aws:lambda:us-east-1:123456789012:function:f:7'
        """
        base = f"arn:aws:lambda:{self._region}:{self._account_id}:function:{self.name}"
        return f"{base}:{qualifier}" if qualifier else base

    def __repr__(self) -> str:
        return (
            f"FunctionVersions({self.name!r}, versions={self.versions}, "
            f"aliases={sorted(self._aliases)})"
        )


def _check_alias_name(name: Any) -> None:
    if not isinstance(name, str) or not _ALIAS_RE.fullmatch(name) or name.isdigit():
        raise InvalidParameterValueException(
            "name",
            name,
            "an alias Name must be 1–128 characters [a-zA-Z0-9-_] and not a number "
            "(numbers are versions)",
        )
