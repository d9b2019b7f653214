"""Tests for lambdakit.function.versions: $LATEST, published versions, aliases, routing and ARNs."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lambdakit.errors import (
    InvalidParameterValueException,
    ResourceConflictException,
    ResourceNotFoundException,
)
from lambdakit.function.config import FunctionConfig
from lambdakit.function.versions import LATEST, Alias, FunctionVersions

ARN = "arn:aws:lambda:us-east-1:123456789012:function:hello"


def fresh(**changes: Any) -> FunctionVersions:
    return FunctionVersions(FunctionConfig("hello", "app.handler", **changes))


def three_versions() -> FunctionVersions:
    """Versions 1, 2, 3 with memory 128, 256, 512."""
    fv = fresh()
    fv.publish()
    for memory in (256, 512):
        fv.update(memory_mb=memory)
        fv.publish()
    return fv


# --------------------------------------------------------------------------- versions


def test_new_function_has_only_latest() -> None:
    fv = fresh()
    assert fv.versions == [LATEST]
    assert fv.get("$LATEST") is fv.latest
    assert fv.name == "hello"


def test_publish_numbers_versions_from_one() -> None:
    fv = three_versions()
    assert fv.versions == ["$LATEST", "1", "2", "3"]
    assert [fv.get(v).memory_mb for v in ("1", "2", "3")] == [128, 256, 512]


def test_publish_is_idempotent_when_nothing_changed() -> None:
    fv = fresh()
    assert fv.publish() == "1"
    assert fv.publish() == "1"
    assert fv.publish("a new description") == "1"
    assert fv.versions == ["$LATEST", "1"]


def test_publish_after_a_code_change_or_a_config_change() -> None:
    fv = fresh()
    fv.publish()
    fv.update(handler="app.other")
    assert fv.publish() == "2"
    fv.update(timeout_s=30)
    assert fv.publish() == "3"
    assert fv.get("3").code_fingerprint() == fv.get("2").code_fingerprint()


def test_update_back_to_an_older_config_still_publishes() -> None:
    fv = fresh()
    fv.publish()
    fv.update(memory_mb=256)
    fv.publish()
    fv.update(memory_mb=128)
    assert fv.publish() == "3"  # compared with the last version only


def test_redefined_callable_counts_as_new_code() -> None:
    def h1(e: Any, c: Any) -> int:
        return 1

    def h2(e: Any, c: Any) -> int:
        return 1

    fv = FunctionVersions(FunctionConfig("cb", h1))
    assert fv.publish() == "1"
    fv.update(handler=h1)
    assert fv.publish() == "1"
    fv.update(handler=h2)
    assert fv.publish() == "2"
    assert fv.get("1").handler is h1 and fv.get("2").handler is h2


def test_publish_description_belongs_to_the_version() -> None:
    fv = fresh(description="function text")
    fv.publish("release 1")
    assert fv.get("1").description == "release 1"
    assert fv.latest.description == "function text"
    fv.update(memory_mb=256)
    fv.publish()
    assert fv.get("2").description == "function text"


def test_published_versions_are_immutable() -> None:
    fv = fresh(environment={"STAGE": "v1"})
    fv.publish()
    before = fv.get("1")
    fv.update(memory_mb=2048, timeout_s=60, environment={"STAGE": "v2"}, handler="new.handler")
    after = fv.get("1")
    assert after is before
    assert (after.memory_mb, after.timeout_s, after.handler) == (128, 3, "app.handler")
    assert after.environment == {"STAGE": "v1"}
    assert fv.latest.memory_mb == 2048


def test_update_validates_and_keeps_latest_on_error() -> None:
    fv = fresh()
    with pytest.raises(InvalidParameterValueException, match="memory_mb=100"):
        fv.update(memory_mb=100)
    assert fv.latest.memory_mb == 128


def test_update_cannot_rename() -> None:
    fv = fresh()
    with pytest.raises(InvalidParameterValueException) as info:
        fv.update(name="other")
    assert info.value.field == "name" and "'hello'" in info.value.message
    assert fv.update(name="hello").name == "hello"


@pytest.mark.parametrize("version", ["2", "0", "$latest", "live", ""])
def test_get_unknown_version_is_404(version: str) -> None:
    fv = fresh()
    fv.publish()
    with pytest.raises(ResourceNotFoundException) as info:
        fv.get(version)
    assert info.value.status_code == 404
    assert isinstance(info.value, LookupError)
    assert info.value.message == f"Function not found: {fv.arn(version)}"


def test_constructor_needs_a_function_config() -> None:
    with pytest.raises(TypeError):
        FunctionVersions({"name": "x"})  # type: ignore[arg-type]


# --------------------------------------------------------------------------- aliases


def test_alias_to_a_version_and_to_latest() -> None:
    fv = three_versions()
    fv.create_alias("prod", "2")
    fv.create_alias("dev", "$LATEST")
    assert fv.aliases["prod"] == Alias("prod", "2", {})
    assert fv.resolve("prod", 0.99) == "2"
    assert fv.resolve("dev", 0.0) == "$LATEST"


def test_duplicate_alias_is_409() -> None:
    fv = three_versions()
    fv.create_alias("live", "1")
    with pytest.raises(ResourceConflictException) as info:
        fv.create_alias("live", "2")
    assert info.value.status_code == 409 and f"{ARN}:live" in info.value.message
    assert fv.aliases["live"].version == "1"


@pytest.mark.parametrize("name", ["1", "42", "", "$LATEST", "has space", "a" * 129, 7])
def test_alias_name_rule(name: Any) -> None:
    fv = three_versions()
    with pytest.raises(InvalidParameterValueException) as info:
        fv.create_alias(name, "1")
    assert info.value.field == "name" and "not a number" in info.value.message


def test_alias_to_unknown_version_is_404() -> None:
    fv = three_versions()
    with pytest.raises(ResourceNotFoundException):
        fv.create_alias("live", "9")
    with pytest.raises(ResourceNotFoundException):
        fv.create_alias("live", "1", additional_version_weights={"9": 0.5})
    assert fv.aliases == {}


@pytest.mark.parametrize(
    ("primary", "weights", "text"),
    [
        ("$LATEST", {"1": 0.5}, "not $LATEST"),
        ("1", {"$LATEST": 0.5}, "not $LATEST"),
        ("1", {"2": 0.1, "3": 0.1}, "at most 2 versions"),
        ("1", {"1": 0.5}, "must differ"),
        ("1", {"2": 1.5}, "between 0.0 and 1.0"),
        ("1", {"2": -0.1}, "between 0.0 and 1.0"),
        ("1", {"2": float("nan")}, "between 0.0 and 1.0"),
        ("1", {"2": True}, "between 0.0 and 1.0"),
        ("1", {"2": "0.5"}, "between 0.0 and 1.0"),
    ],
)
def test_weighted_alias_rules(primary: str, weights: dict[str, Any], text: str) -> None:
    fv = three_versions()
    with pytest.raises(InvalidParameterValueException) as info:
        fv.create_alias("live", primary, additional_version_weights=weights)
    assert info.value.field == "additional_version_weights" and text in info.value.message
    assert "live" not in fv.aliases


def test_update_alias() -> None:
    fv = three_versions()
    fv.create_alias("live", "1", additional_version_weights={"2": 0.3})
    fv.update_alias("live", version="3")  # weights kept
    assert fv.aliases["live"] == Alias("live", "3", {"2": 0.3})
    fv.update_alias("live", additional_version_weights={})  # routing removed
    assert fv.aliases["live"] == Alias("live", "3", {})
    with pytest.raises(InvalidParameterValueException, match="must differ"):
        fv.update_alias("live", additional_version_weights={"3": 0.2})
    with pytest.raises(ResourceNotFoundException, match="Alias not found"):
        fv.update_alias("nope", version="1")
    assert fv.aliases["live"] == Alias("live", "3", {})


def test_update_alias_that_would_collide_keeps_the_old_alias() -> None:
    fv = three_versions()
    fv.create_alias("live", "1", additional_version_weights={"2": 0.3})
    with pytest.raises(InvalidParameterValueException):
        fv.update_alias("live", version="2")
    assert fv.aliases["live"].version == "1"


def test_alias_is_a_frozen_value() -> None:
    weights = {"2": 0.25}
    alias = Alias("live", "1", weights)
    weights["2"] = 0.9
    assert alias.additional_version_weights == {"2": 0.25}
    assert alias.weights() == {"1": 0.75, "2": 0.25}
    assert hash(alias) == hash(Alias("live", "1", {"2": 0.25}))
    with pytest.raises(TypeError):
        alias.additional_version_weights["2"] = 0.5  # type: ignore[index]


# --------------------------------------------------------------------------- resolve


@pytest.mark.parametrize("qualifier", [None, "", "$LATEST"])
def test_unqualified_runs_latest(qualifier: str | None) -> None:
    assert three_versions().resolve(qualifier, 0.5) == "$LATEST"


def test_resolve_versions_and_404s() -> None:
    fv = three_versions()
    assert fv.resolve("2", 0.1) == "2"
    with pytest.raises(ResourceNotFoundException, match=f"{ARN}:4"):
        fv.resolve("4", 0.1)
    with pytest.raises(ResourceNotFoundException, match=f"{ARN}:nope"):
        fv.resolve("nope", 0.1)


@pytest.mark.parametrize("u", [-0.1, 1.0, 2.0, float("nan")])
def test_resolve_needs_a_uniform_draw(u: float) -> None:
    with pytest.raises(ValueError, match="u="):
        three_versions().resolve(None, u)


def test_weighted_routing_statistics() -> None:
    fv = three_versions()
    fv.create_alias("live", "1", additional_version_weights={"2": 0.2})
    rng = np.random.default_rng(7)
    picks = [fv.resolve("live", float(u)) for u in rng.random(10_000)]
    assert set(picks) == {"1", "2"}
    assert picks.count("2") / len(picks) == pytest.approx(0.2, abs=0.02)


def test_weight_boundaries() -> None:
    fv = three_versions()
    fv.create_alias("none", "1", additional_version_weights={"2": 0.0})
    fv.create_alias("all", "1", additional_version_weights={"2": 1.0})
    draws = [0.0, 0.5, 0.999999]
    assert {fv.resolve("none", u) for u in draws} == {"1"}
    assert {fv.resolve("all", u) for u in draws} == {"2"}


@given(
    st.floats(min_value=0.0, max_value=1.0),
    st.floats(min_value=0.0, max_value=1.0, exclude_max=True),
)
def test_resolve_picks_additional_iff_u_below_weight(weight: float, u: float) -> None:
    fv = FunctionVersions(FunctionConfig("p", "a.b"))
    fv.publish()
    fv.update(memory_mb=256)
    fv.publish()
    fv.create_alias("a", "1", additional_version_weights={"2": weight})
    assert fv.resolve("a", u) == ("2" if u < weight else "1")


# --------------------------------------------------------------------------- ARNs


def test_arns() -> None:
    fv = three_versions()
    assert fv.arn() == ARN
    assert fv.arn("") == ARN
    assert fv.arn("7") == f"{ARN}:7"
    assert fv.arn("live") == f"{ARN}:live"
    assert fv.arn("$LATEST") == f"{ARN}:$LATEST"
    other = FunctionVersions(
        FunctionConfig("f", "a.b"), region="eu-west-1", account_id="000000000000"
    )
    assert other.arn("1") == "arn:aws:lambda:eu-west-1:000000000000:function:f:1"


def test_repr_names_versions_and_aliases() -> None:
    fv = three_versions()
    fv.create_alias("live", "1")
    assert (
        repr(fv)
        == "FunctionVersions('hello', versions=['$LATEST', '1', '2', '3'], aliases=['live'])"
    )
