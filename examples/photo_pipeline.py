"""A small event-driven application, entirely inside lambdakit.

Two flows, each function with a least-privilege execution role:

1. **Uploads.** A photo put under ``uploads/`` in the ``photos`` bucket invokes ``thumbnailer``
   asynchronously (S3 notification). It reads the photo, writes a "thumbnail" under
   ``thumbs/`` (outside the notification's prefix, so it does not trigger itself) and records
   it in the ``thumbnails`` table. The table's stream feeds ``counter`` in batches, which adds
   the new rows to a total in the ``stats`` table.
2. **Jobs.** Messages on the ``jobs`` queue feed ``worker`` in batches. The worker reports the
   messages it cannot handle (partial batch response); those come back after the visibility
   timeout and, after ``max_receive_count`` receives, move to the ``jobs-dlq`` dead-letter
   queue.

Handlers talk to the services only through :func:`lambdakit.clients.client`, with boto3's
method names and shapes — the same code would run on AWS.

Run it: ``python examples/photo_pipeline.py``
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from lambdakit import Platform
from lambdakit.clients import client
from lambdakit.esm import SqsEventSourceMapping
from lambdakit.esm.streams import StreamEventSourceMapping
from lambdakit.function.iam import (
    AWSLambdaBasicExecutionRole,
    AWSLambdaDynamoDBExecutionRole,
    AWSLambdaSQSQueueExecutionRole,
    Role,
    Statement,
    add_permission,
    check_event_source_role,
)
from lambdakit.services.bucket import Bucket
from lambdakit.services.queue import Queue
from lambdakit.services.table import Table

ACCOUNT, REGION = "123456789012", "us-east-1"
TABLE_ARN = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table"


# -- handlers: what a learner would deploy --------------------------------------------------------


def thumbnailer(event: dict[str, Any], context: Any) -> dict[str, int]:
    """S3 ObjectCreated → a thumbnail object and a row in the ``thumbnails`` table."""
    s3, ddb = client("s3"), client("dynamodb")
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])  # S3 URL-encodes keys in events
        data = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        thumb = "thumbs/" + key.removeprefix("uploads/")
        s3.put_object(Bucket=bucket, Key=thumb, Body=data[: max(1, len(data) // 4)])
        ddb.put_item(TableName="thumbnails", Item={
            "photo": {"S": key}, "thumbnail": {"S": thumb}, "bytes": {"N": str(len(data))}})
    return {"thumbnails": len(event["Records"])}


def counter(event: dict[str, Any], context: Any) -> None:
    """DynamoDB stream batch → add the new rows to the running total in ``stats``."""
    inserted = sum(1 for r in event["Records"] if r["eventName"] == "INSERT")
    if inserted:
        client("dynamodb").update_item(
            TableName="stats", Key={"name": {"S": "thumbnails"}},
            UpdateExpression="ADD #total :n", ExpressionAttributeNames={"#total": "total"},
            ExpressionAttributeValues={":n": {"N": str(inserted)}})


def worker(event: dict[str, Any], context: Any) -> dict[str, list[dict[str, str]]]:
    """SQS batch → do each job; report the ones that fail (ReportBatchItemFailures)."""
    ddb = client("dynamodb")
    failures = []
    done = 0
    for record in event["Records"]:
        try:
            job = json.loads(record["body"])
            if job.get("op") != "resize":
                raise ValueError(f"unknown op {job.get('op')!r}")
            done += 1
        except ValueError:
            failures.append({"itemIdentifier": record["messageId"]})
    if done:
        ddb.update_item(TableName="stats", Key={"name": {"S": "jobs"}},
                        UpdateExpression="ADD #total :n",
                        ExpressionAttributeNames={"#total": "total"},
                        ExpressionAttributeValues={":n": {"N": str(done)}})
    return {"batchItemFailures": failures}


# -- wiring --------------------------------------------------------------------------------------


@dataclass
class Pipeline:
    """Everything :func:`build` created, for inspection."""

    platform: Platform
    bucket: Bucket
    thumbnails: Table
    stats: Table
    jobs: Queue
    dead_letters: Queue
    stream_mapping: StreamEventSourceMapping
    queue_mapping: SqsEventSourceMapping


def _roles() -> dict[str, Role]:
    logs = [AWSLambdaBasicExecutionRole]
    stats = Statement.allow("dynamodb:UpdateItem", f"{TABLE_ARN}/stats")
    return {
        "thumbnailer": Role("thumbnailer-role", [
            Statement.allow("s3:GetObject", "arn:aws:s3:::photos/uploads/*"),
            Statement.allow("s3:PutObject", "arn:aws:s3:::photos/thumbs/*"),
            Statement.allow("dynamodb:PutItem", f"{TABLE_ARN}/thumbnails")], policies=logs),
        "counter": Role("counter-role", [stats],
                        policies=[*logs, AWSLambdaDynamoDBExecutionRole]),
        "worker": Role("worker-role", [stats], policies=[*logs, AWSLambdaSQSQueueExecutionRole]),
    }


def build(seed: int = 0, max_receive_count: int = 2) -> Pipeline:
    """Create the functions, services, permissions and mappings on a new platform."""
    p = Platform(seed=seed, region=REGION, account_id=ACCOUNT)
    roles = _roles()
    for name, handler in (("thumbnailer", thumbnailer), ("counter", counter),
                          ("worker", worker)):
        p.create_function(name, handler, memory_mb=256, timeout_s=10, role=roles[name])

    bucket = Bucket(p, "photos")
    add_permission(p, "thumbnailer", "s3.amazonaws.com", bucket.arn,
                   source_account=ACCOUNT)  # S3 may invoke it, for this bucket only
    bucket.add_notification("thumbnailer", events=("s3:ObjectCreated:*",), prefix="uploads/")

    thumbnails = Table(p, "thumbnails", partition_key="photo", stream_view_type="NEW_IMAGE")
    stats = Table(p, "stats", partition_key="name")
    assert thumbnails.stream_arn is not None
    check_event_source_role(p, "counter", "dynamodb", thumbnails.stream_arn)
    stream_mapping = StreamEventSourceMapping(p, thumbnails, "counter", batch_size=10)

    dead_letters = Queue(p, "jobs-dlq")
    jobs = Queue(p, "jobs", visibility_timeout_s=60, dead_letter=dead_letters,
                 max_receive_count=max_receive_count)
    check_event_source_role(p, "worker", "sqs", jobs.arn)
    queue_mapping = SqsEventSourceMapping(p, jobs, "worker", batch_size=5,
                                          report_batch_item_failures=True)
    return Pipeline(p, bucket, thumbnails, stats, jobs, dead_letters, stream_mapping,
                    queue_mapping)


def drive(pipe: Pipeline, photos: int = 5, good_jobs: int = 8, poison_jobs: int = 2,
          settle_s: float = 600.0) -> dict[str, Any]:
    """Upload ``photos``, queue the jobs, let ``settle_s`` virtual seconds pass; summarise."""
    p = pipe.platform
    s3, sqs = client("s3", platform=p), client("sqs", platform=p)
    for i in range(photos):
        s3.put_object(Bucket="photos", Key=f"uploads/photo {i}.jpg", Body=b"\xff\xd8" * 64)
        p.advance(0.5)
    s3.put_object(Bucket="photos", Key="notes/readme.txt", Body=b"not a photo")  # not notified
    for i in range(good_jobs + poison_jobs):
        body = {"op": "resize", "photo": f"photo {i}.jpg"} if i < good_jobs else {"op": "explode"}
        sqs.send_message(QueueUrl=pipe.jobs.url, MessageBody=json.dumps(body))
    p.advance(settle_s)

    stats = {item["name"]: int(item["total"]) for item in pipe.stats.items()}
    thumb_records = p.records(function="thumbnailer")
    return {
        "photos_uploaded": photos,
        "objects_processed": int((thumb_records.column("outcome") == "ok").sum()),
        "thumbnail_errors": int((thumb_records.column("outcome") != "ok").sum()),
        "thumbnails_in_bucket": s3.list_objects_v2(Bucket="photos", Prefix="thumbs/")["KeyCount"],
        "table_items": len(pipe.thumbnails.items()),
        "counted_from_stream": stats.get("thumbnails", 0),
        "jobs_done": stats.get("jobs", 0),
        "jobs_dead_lettered": len(pipe.dead_letters),
        "worker_invocations": len(p.records(function="worker")),
    }


def run(seed: int = 0, **kwargs: Any) -> dict[str, Any]:
    """``drive(build(seed), **kwargs)``."""
    return drive(build(seed), **kwargs)


def main(seed: int = 0) -> dict[str, Any]:
    """Run the pipeline and print a short summary."""
    s = run(seed)
    print(f"photos uploaded      {s['photos_uploaded']}")
    print(f"objects processed    {s['objects_processed']} "
          f"(errors: {s['thumbnail_errors']}; thumbnails in bucket: "
          f"{s['thumbnails_in_bucket']})")
    print(f"table items          {s['table_items']} (counted via the stream: "
          f"{s['counted_from_stream']})")
    print(f"jobs done            {s['jobs_done']} in {s['worker_invocations']} worker batches")
    print(f"dead-lettered jobs   {s['jobs_dead_lettered']}")
    return s


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
