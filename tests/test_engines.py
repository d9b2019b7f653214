"""The engine seam: ``Platform(engine=...)``, the registry and the entry-point group.

An engine plugged in behind the seam must run the same services, mappings, clients and
observers unchanged — shown here with an engine that wraps the simulated one and counts what
the platform asks of it.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from lambdakit import Fixed, Platform, Poisson
from lambdakit.clients import client
from lambdakit.core.engine import Engine
from lambdakit.engines import (
    ENTRY_POINT_GROUP,
    EngineSettings,
    available_engines,
    load_engine,
    register_engine,
)
from lambdakit.errors import InvalidParameterValueException
from lambdakit.esm import SqsEventSourceMapping
from lambdakit.services.bucket import Bucket
from lambdakit.services.queue import Queue


class CountingEngine:
    """A second engine: every member the platform reads is counted, then served by an inner
    simulated engine (so the records must come out the same as without the wrapper)."""

    def __init__(self, settings: EngineSettings) -> None:
        object.__setattr__(self, "calls", Counter())
        object.__setattr__(self, "_inner", Engine(
            settings.seed, account_concurrency=settings.account_concurrency,
            keep_alive=settings.keep_alive, region=settings.region,
            account_id=settings.account_id, routing=settings.routing,
            wall_limit_s=settings.wall_limit_s, owner=settings.owner))

    def __getattr__(self, name: str) -> Any:
        self.calls[name] += 1
        return getattr(self._inner, name)


def _scenario(p: Platform) -> Platform:
    """A bucket triggers a function that writes to a queue; a mapping drains the queue into a
    second function; then a workload. Touches services, mappings, clients and observers."""

    def thumbnail(event: dict, context: Any) -> str:
        key = event["Records"][0]["s3"]["object"]["key"]
        client("sqs").send_message(QueueUrl=jobs.url, MessageBody=key)
        print("queued", key)
        return key

    p.create_function("thumb", thumbnail, duration=Fixed(40), init_duration=Fixed(100))
    p.create_function("work", lambda e, c: len(e["Records"]), duration=Fixed(25))
    photos, jobs = Bucket(p, "photos"), Queue(p, "jobs")
    photos.add_notification("thumb")
    SqsEventSourceMapping(p, jobs, "work", batch_size=5)
    for i in range(6):
        photos.put_object(Key=f"in/{i}.jpg", Body=b"x")
    p.advance(30)
    p.run(Poisson(20), function="work", duration_s=5, event={"Records": []}, progress=False)
    p.run()
    return p


def test_the_default_engine_is_the_simulated_one() -> None:
    assert Platform().engine_name == "simulated"
    assert "simulated" in available_engines()


def test_an_unknown_engine_names_the_ones_there_are() -> None:
    with pytest.raises(InvalidParameterValueException, match="'simulated'"):
        Platform(engine="no-such-engine")


def test_a_factory_that_builds_no_engine_is_refused() -> None:
    register_engine("broken-for-test", lambda s: object(), replace=True)
    with pytest.raises(InvalidParameterValueException, match="missing"):
        Platform(engine="broken-for-test")


def test_registering_a_taken_name_needs_replace() -> None:
    register_engine("twice-for-test", CountingEngine, replace=True)
    with pytest.raises(InvalidParameterValueException, match="replace=True"):
        register_engine("twice-for-test", lambda s: CountingEngine(s))


def test_a_second_engine_runs_services_mappings_and_observers_unchanged() -> None:
    made: list[CountingEngine] = []
    register_engine("counting-for-test", lambda s: made.append(CountingEngine(s)) or made[-1],
                    replace=True)
    plain = _scenario(Platform(seed=5))
    counted = _scenario(Platform(seed=5, engine="counting-for-test"))
    assert counted.engine_name == "counting-for-test"

    # the same records, logs, metrics, cost and event outcomes, attempt by attempt
    a, b = plain.records().to_dataframe(), counted.records().to_dataframe()
    assert len(a) > 20 and a.equals(b)
    assert plain.logs("thumb").lines() == counted.logs("thumb").lines()
    assert any("queued in/5.jpg" in line for line in counted.logs("thumb").lines())
    assert plain.metrics().summary() == counted.metrics().summary()
    assert plain.cost().total == counted.cost().total
    assert plain.event_outcomes() == counted.event_outcomes()
    assert counted.event_outcomes()["ok"] == counted.event_count()

    # ... and all of it went through the engine the platform was given
    (engine,) = made
    calls = engine.calls
    for member in ("invoke_async", "invoke_for_source", "call_at", "spend", "run_until",
                   "records", "environments"):
        assert calls[member] > 0, member


def test_an_installed_package_adds_an_engine_through_the_entry_point_group(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "lk_test_engine.py").write_text(textwrap.dedent("""
        from lambdakit.core.engine import Engine

        def make(settings):
            engine = Engine(settings.seed, owner=settings.owner)
            engine.built_by_entry_point = True
            return engine
    """))
    dist = tmp_path / "lk_test_engine-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: lk-test-engine\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\nfrom-entry-point = lk_test_engine:make\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    assert "from-entry-point" in available_engines()
    p = Platform(seed=2, engine="from-entry-point")
    p.create_function("f", lambda e, c: e["n"] + 1)
    assert p.invoke("f", {"n": 41}).payload == 42
    assert load_engine("from-entry-point")(EngineSettings()).built_by_entry_point
