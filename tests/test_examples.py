"""examples/photo_pipeline.py runs and ends as it should: nothing lost, poison in the DLQ."""

from __future__ import annotations

import importlib.util
import json
import runpy
import sys
from pathlib import Path
from types import ModuleType

import pytest

from lambdakit.function.iam import evaluate

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "photo_pipeline.py"


@pytest.fixture(scope="module")
def pp() -> ModuleType:
    spec = importlib.util.spec_from_file_location("photo_pipeline", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["photo_pipeline"] = module
    spec.loader.exec_module(module)
    return module


def test_main_prints_the_summary(pp: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    summary = pp.main()
    assert summary == {
        "photos_uploaded": 5, "objects_processed": 5, "thumbnail_errors": 0,
        "thumbnails_in_bucket": 5, "table_items": 5, "counted_from_stream": 5,
        "jobs_done": 8, "jobs_dead_lettered": 2, "worker_invocations": 3}
    out = capsys.readouterr().out
    assert "objects processed    5" in out and "dead-lettered jobs   2" in out


def test_runs_as_a_script(capsys: pytest.CaptureFixture[str],
                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", [str(EXAMPLE), "3"])
    runpy.run_path(str(EXAMPLE), run_name="__main__")
    assert "jobs done            8" in capsys.readouterr().out


def test_every_event_ends_processed_or_dead_lettered(pp: ModuleType) -> None:
    pipe = pp.build(seed=4)
    pp.drive(pipe, photos=7, good_jobs=11, poison_jobs=3)
    p = pipe.platform
    assert set(p.event_outcomes()) == {"ok"}  # no pending, retrying or failed invocations
    # uploads: each photo once through thumbnailer (thumbs/ and notes/ are not notified)
    assert len(p.records(function="thumbnailer")) == 7
    photos = sorted(item["photo"] for item in pipe.thumbnails.items())
    assert photos == sorted(f"uploads/photo {i}.jpg" for i in range(7))
    assert pipe.bucket.keys() == sorted(
        ["notes/readme.txt"] + [f"uploads/photo {i}.jpg" for i in range(7)]
        + [f"thumbs/photo {i}.jpg" for i in range(7)], key=str.encode)
    # the stream: every row read once, nothing discarded
    assert pipe.stream_mapping.outcomes() == {"processed": 7, "discarded": 0, "pending": 0}
    # the queue: good jobs done once, poison moved to the DLQ, the source queue empty
    stats = {i["name"]: int(i["total"]) for i in pipe.stats.items()}
    assert stats == {"thumbnails": 7, "jobs": 11}
    assert [json.loads(m.body) for m in pipe.dead_letters.peek()] == [{"op": "explode"}] * 3
    assert len(pipe.jobs) == 0 and len(pipe.jobs.deleted) == 11


def test_poison_messages_are_received_max_receive_count_times(pp: ModuleType) -> None:
    pipe = pp.build(seed=1, max_receive_count=3)
    pp.drive(pipe, photos=0, good_jobs=2, poison_jobs=1)
    failed = [b for b in pipe.queue_mapping.batches if b.failed_ids]
    assert len(failed) == 3  # received 3 times, reported failed each time
    poison = failed[0].failed_ids[0]
    counts = [b.receive_counts[b.message_ids.index(poison)] for b in failed]
    assert counts == [1, 2, 3] and all(b.failed_ids == (poison,) for b in failed)
    assert len(pipe.dead_letters) == 1


def test_roles_are_least_privilege(pp: ModuleType) -> None:
    pipe = pp.build()
    role = pipe.platform.get_function("thumbnailer").role
    assert evaluate(role, "s3:GetObject", "arn:aws:s3:::photos/uploads/a.jpg")
    assert not evaluate(role, "s3:PutObject", "arn:aws:s3:::photos/uploads/a.jpg")
    assert not evaluate(role, "s3:DeleteObject", "arn:aws:s3:::photos/thumbs/a.jpg")
    assert not evaluate(role, "dynamodb:PutItem",
                        "arn:aws:dynamodb:us-east-1:123456789012:table/stats")
    worker = pipe.platform.get_function("worker").role
    assert evaluate(worker, "sqs:ReceiveMessage", pipe.jobs.arn)
    assert not evaluate(worker, "sqs:SendMessage", pipe.dead_letters.arn)


def test_deterministic_for_a_seed(pp: ModuleType) -> None:
    a, b = pp.build(seed=9), pp.build(seed=9)
    assert pp.drive(a) == pp.drive(b)
    assert [r.request_id for r in a.platform.records()] == \
        [r.request_id for r in b.platform.records()]
