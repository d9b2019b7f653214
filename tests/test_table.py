"""Table (DynamoDB): typed-JSON item API, update expressions, conditions, query, and stream."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lambdakit import Fixed, InvalidParameterValueException, Platform
from lambdakit.services import ServiceError
from lambdakit.services.table import Table

SAMPLE = Path(__file__).parent / "data" / "sam_events" / "events" / "dynamodb" / (
    "DynamoDBUpdate.json")


def _shape(x: object) -> object:
    if isinstance(x, dict):
        return {k: _shape(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_shape(x[0])] if x else []
    return "number" if isinstance(x, (int, float)) else type(x).__name__


def S(v: str) -> dict:  # noqa: N802
    return {"S": v}


def N(v: str) -> dict:  # noqa: N802
    return {"N": v}


@pytest.fixture
def table() -> Table:
    return Table(Platform(seed=5), "orders", stream_view_type="NEW_AND_OLD_IMAGES")


def test_put_get_roundtrip_in_typed_json(table: Table) -> None:
    item = {"id": S("1"), "qty": N("1.50"), "tags": {"SS": ["b", "a"]}, "ok": {"BOOL": True},
            "meta": {"M": {"n": {"NULL": True}}}, "l": {"L": [N("1"), S("x")]}}
    assert table.put_item(TableName="orders", Item=item) == {}
    got = table.get_item(Key={"id": S("1")})["Item"]
    assert got["qty"] == N("1.5")  # DynamoDB returns numbers normalised
    assert got["tags"] == {"SS": ["a", "b"]} and got["meta"] == item["meta"]
    assert got["l"] == item["l"] and got["ok"] == {"BOOL": True}
    assert table.get_item(Key={"id": S("2")}) == {}
    assert table.items() == [{"id": "1", "qty": 1.5, "tags": {"a", "b"}, "ok": True,
                              "meta": {"n": None}, "l": [1, "x"]}]


def test_put_replaces_and_can_return_the_old_item(table: Table) -> None:
    table.put_item(Item={"id": S("1"), "v": N("1")})
    old = table.put_item(Item={"id": S("1"), "w": N("2")}, ReturnValues="ALL_OLD")
    assert old == {"Attributes": {"id": S("1"), "v": N("1")}}
    assert table.get_item(Key={"id": S("1")})["Item"] == {"id": S("1"), "w": N("2")}


@pytest.mark.parametrize(("call", "field"), [
    (lambda t: t.put_item(Item={"name": S("no key")}), "Item.id"),
    (lambda t: t.put_item(Item={"id": N("1")}), "Item.id"),  # key type is S
    (lambda t: t.put_item(Item={"id": {"X": "1"}}), "Item"),
    (lambda t: t.get_item(Key={"id": S("1"), "extra": S("x")}), "Key"),
    (lambda t: t.put_item(Item={"id": S("1")}, ReturnValues="ALL_NEW"), "ReturnValues"),
    (lambda t: t.scan(Limit=0), "Limit"),
])
def test_bad_requests_name_the_field(table: Table, call, field: str) -> None:
    with pytest.raises(InvalidParameterValueException) as e:
        call(table)
    assert e.value.field == field


def test_update_set_remove_add_delete(table: Table) -> None:
    table.put_item(Item={"id": S("1"), "n": N("5"), "gone": S("x"), "tags": {"SS": ["a", "b"]},
                         "l": {"L": [N("1")]}})
    out = table.update_item(
        Key={"id": S("1")},
        UpdateExpression="SET #n = #n + :one, l = list_append(l, :more), "
                         "c = if_not_exists(c, :zero) REMOVE gone ADD hits :one, tags :t "
                         "DELETE tags :a",
        ExpressionAttributeNames={"#n": "n"},
        ExpressionAttributeValues={":one": N("1"), ":more": {"L": [N("2")]}, ":zero": N("0"),
                                   ":t": {"SS": ["c"]}, ":a": {"SS": ["a"]}},
        ReturnValues="ALL_NEW")
    assert out["Attributes"] == {"id": S("1"), "n": N("6"), "l": {"L": [N("1"), N("2")]},
                                 "c": N("0"), "hits": N("1"), "tags": {"SS": ["b", "c"]}}


def test_update_creates_a_missing_item_and_returns_updated_values(table: Table) -> None:
    out = table.update_item(Key={"id": S("9")}, UpdateExpression="ADD visits :n",
                            ExpressionAttributeValues={":n": N("2")}, ReturnValues="UPDATED_NEW")
    assert out == {"Attributes": {"visits": N("2")}}
    out = table.update_item(Key={"id": S("9")}, UpdateExpression="SET visits = visits - :n",
                            ExpressionAttributeValues={":n": N("1")}, ReturnValues="UPDATED_OLD")
    assert out == {"Attributes": {"visits": N("2")}}
    assert table.items() == [{"id": "9", "visits": 1}]


@pytest.mark.parametrize("expr", ["SET", "SET a :v", "SET a = :missing", "SET #x = :v",
                                  "SET a.b = :v", "FOO a = :v", "SET a = :v SET b = :v",
                                  "ADD a b", "SET a = :v,"])
def test_bad_update_expressions_are_invalid_parameters(table: Table, expr: str) -> None:
    with pytest.raises(InvalidParameterValueException) as e:
        table.update_item(Key={"id": S("1")}, UpdateExpression=expr,
                          ExpressionAttributeValues={":v": N("1")})
    assert e.value.field == "UpdateExpression"


def test_update_errors_at_run_time_are_validation_exceptions(table: Table) -> None:
    table.put_item(Item={"id": S("1"), "s": S("text")})
    with pytest.raises(ServiceError) as e:
        table.update_item(Key={"id": S("1")}, UpdateExpression="ADD s :n",
                          ExpressionAttributeValues={":n": N("1")})
    assert e.value.code == "ValidationException"
    with pytest.raises(ServiceError, match="part of the key"):
        table.update_item(Key={"id": S("1")}, UpdateExpression="SET id = :v",
                          ExpressionAttributeValues={":v": S("2")})
    assert table.items() == [{"id": "1", "s": "text"}]


def test_condition_expression_guards_writes(table: Table) -> None:
    cond = {"ConditionExpression": "attribute_not_exists(id)"}
    table.put_item(Item={"id": S("1"), "v": N("1")}, **cond)
    with pytest.raises(ServiceError) as e:
        table.put_item(Item={"id": S("1"), "v": N("2")}, **cond)
    assert e.value.code == "ConditionalCheckFailedException"
    assert table.items() == [{"id": "1", "v": 1}]
    assert len(table.stream_records()) == 1  # the refused write left no stream record
    table.update_item(Key={"id": S("1")}, UpdateExpression="SET v = :n",
                      ConditionExpression="v = :old AND NOT (v > :n OR attribute_exists(zz))",
                      ExpressionAttributeValues={":n": N("3"), ":old": N("1")})
    with pytest.raises(ServiceError):
        table.delete_item(Key={"id": S("1")}, ConditionExpression="v BETWEEN :a AND :b",
                          ExpressionAttributeValues={":a": N("4"), ":b": N("9")})
    assert table.items() == [{"id": "1", "v": 3}]


def test_delete_returns_old_item_and_missing_delete_is_a_no_op(table: Table) -> None:
    table.put_item(Item={"id": S("1"), "v": N("1")})
    assert table.delete_item(Key={"id": S("1")}, ReturnValues="ALL_OLD") == {
        "Attributes": {"id": S("1"), "v": N("1")}}
    assert table.delete_item(Key={"id": S("1")}) == {}
    assert table.items() == []
    assert [r.event["eventName"] for r in table.stream_records()] == ["INSERT", "REMOVE"]


def test_query_by_partition_key_with_sort_key_conditions() -> None:
    t = Table(Platform(), "events", partition_key="user", sort_key=("ts", "N"))
    for user in ("a", "b"):
        for ts in (3, 1, 2, 10):
            t.put_item(Item={"user": S(user), "ts": N(str(ts)), "kind": S(f"k{ts}")})
    q = t.query(KeyConditionExpression="#u = :u", ExpressionAttributeNames={"#u": "user"},
                ExpressionAttributeValues={":u": S("a")})
    assert [i["ts"]["N"] for i in q["Items"]] == ["1", "2", "3", "10"] and q["Count"] == 4
    q = t.query(KeyConditionExpression="user = :u AND ts BETWEEN :lo AND :hi",
                ExpressionAttributeValues={":u": S("b"), ":lo": N("2"), ":hi": N("3")},
                ScanIndexForward=False)
    assert [(i["user"]["S"], i["ts"]["N"]) for i in q["Items"]] == [("b", "3"), ("b", "2")]
    q = t.query(KeyConditionExpression="user = :u AND ts >= :t", Limit=1,
                ExpressionAttributeValues={":u": S("a"), ":t": N("2")})
    assert [i["ts"]["N"] for i in q["Items"]] == ["2"]
    with pytest.raises(InvalidParameterValueException):
        t.query(KeyConditionExpression="ts = :t", ExpressionAttributeValues={":t": N("1")})
    assert t.scan()["Count"] == 8


def test_begins_with_on_a_string_sort_key() -> None:
    t = Table(Platform(), "docs", partition_key="pk", sort_key="sk")
    for sk in ("order#1", "order#2", "user#1"):
        t.put_item(Item={"pk": S("x"), "sk": S(sk)})
    q = t.query(KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
                ExpressionAttributeValues={":p": S("x"), ":s": S("order#")})
    assert [i["sk"]["S"] for i in q["Items"]] == ["order#1", "order#2"]


def test_stream_records_insert_modify_remove_with_sample_shape(table: Table) -> None:
    table.put_item(Item={"id": S("101"), "Message": S("New item!")})
    table.put_item(Item={"id": S("101"), "Message": S("This item has changed")})
    table.delete_item(Key={"id": S("101")})
    recs = table.stream_records()
    sample = json.loads(SAMPLE.read_text())["Records"]
    assert [r.event["eventName"] for r in recs] == ["INSERT", "MODIFY", "REMOVE"]
    for got, want in zip(recs, sample, strict=True):
        shape = _shape(got.event)
        want_shape = _shape(want)
        assert shape["dynamodb"].keys() == want_shape["dynamodb"].keys()  # type: ignore[index]
        assert shape.keys() == want_shape.keys()  # type: ignore[union-attr]
    mod = recs[1].event["dynamodb"]
    assert mod["OldImage"]["Message"] == S("New item!")
    assert mod["NewImage"]["Message"] == S("This item has changed")
    assert mod["SequenceNumber"] == recs[1].sequence_number
    seqs = [int(r.sequence_number) for r in recs]
    assert seqs == sorted(seqs) and len(set(seqs)) == 3
    assert all(r.event["eventSourceARN"] == table.stream_arn for r in recs)
    assert table.stream_arn.startswith(table.arn + "/stream/2026-01-01T00:00:00")


@pytest.mark.parametrize(("view", "new", "old"), [
    ("KEYS_ONLY", False, False), ("NEW_IMAGE", True, False),
    ("OLD_IMAGE", False, True), ("NEW_AND_OLD_IMAGES", True, True)])
def test_stream_view_types_choose_the_images(view: str, new: bool, old: bool) -> None:
    t = Table(Platform(), "tbl", stream_view_type=view)
    t.put_item(Item={"id": S("1"), "v": N("1")})
    t.put_item(Item={"id": S("1"), "v": N("2")})
    ddb = t.stream_records()[1].event["dynamodb"]
    assert ("NewImage" in ddb, "OldImage" in ddb) == (new, old)
    assert ddb["Keys"] == {"id": S("1")} and ddb["StreamViewType"] == view


def test_a_write_that_changes_nothing_writes_no_stream_record(table: Table) -> None:
    table.put_item(Item={"id": S("1"), "v": N("1")})
    table.put_item(Item={"id": S("1"), "v": N("1")})
    table.update_item(Key={"id": S("1")}, UpdateExpression="SET v = :v",
                      ExpressionAttributeValues={":v": N("1")})
    assert len(table.stream_records()) == 1


def test_one_partition_key_stays_in_one_shard_in_order() -> None:
    t = Table(Platform(), "tbl", stream_view_type="KEYS_ONLY", stream_shards=4,
              partition_key="pk", sort_key="sk")
    for i in range(30):
        t.put_item(Item={"pk": S(f"user{i % 5}"), "sk": S(f"{i:03d}")})
    assert len({sh.shard_id for sh in t.stream_log.shards}) == 4  # type: ignore[union-attr]
    for sh in t.stream_log.shards:  # type: ignore[union-attr]
        recs = t.stream_records(sh.shard_id)
        seqs = [int(r.sequence_number) for r in recs]
        assert seqs == sorted(seqs)
    where = {}
    for sh in t.stream_log.shards:  # type: ignore[union-attr]
        for r in t.stream_records(sh.shard_id):
            user = r.event["dynamodb"]["Keys"]["pk"]["S"]
            assert where.setdefault(user, sh.shard_id) == sh.shard_id


def test_stream_keeps_records_24_hours() -> None:
    p = Platform()
    t = Table(p, "tbl", stream_view_type="KEYS_ONLY")
    t.put_item(Item={"id": S("1")})
    p.advance(24 * 3600 - 1)
    assert len(t.stream_records()) == 1
    p.advance(2)
    assert t.stream_records() == []
    assert t.items() == [{"id": "1"}]  # the table keeps its items


def test_table_without_stream_and_bad_settings() -> None:
    t = Table(Platform(), "plain")
    t.put_item(Item={"id": S("1")})
    assert t.stream_records() == [] and t.stream_log is None
    with pytest.raises(InvalidParameterValueException) as e:
        Table(Platform(), "x")  # names are 3-255 characters
    assert e.value.field == "TableName"
    with pytest.raises(InvalidParameterValueException) as e:
        Table(Platform(), "tbl", stream_view_type="ALL")
    assert e.value.field == "stream_view_type"
    with pytest.raises(InvalidParameterValueException) as e:
        Table(Platform(), "tbl", partition_key=("id", "BOOL"))
    assert e.value.field == "partition_key"


def test_wrong_table_name_and_injected_faults() -> None:
    t = Table(Platform(), "tbl")
    with pytest.raises(ServiceError) as e:
        t.get_item(TableName="other", Key={"id": S("1")})
    assert e.value.code == "ResourceNotFoundException"
    t.inject_failure("PutItem", error="ThrottlingException")
    with pytest.raises(ServiceError) as e:
        t.put_item(Item={"id": S("1")})
    assert e.value.response["Error"]["Code"] == "ThrottlingException"
    t.put_item(Item={"id": S("1")})
    assert t.items() == [{"id": "1"}]


def test_handler_writes_take_simulated_time_and_stamp_the_handler_clock() -> None:
    p = Platform(seed=2)
    t = Table(p, "tbl", stream_view_type="KEYS_ONLY", latency_s=0.02)

    def handler(event: dict, context: object) -> None:
        import time
        time.sleep(1.0)  # virtual
        t.put_item(Item={"id": S("a")})
        t.put_item(Item={"id": S("b")})

    p.create_function("w", handler, duration=Fixed(5), timeout_s=5)
    p.advance(10)
    p.invoke("w", {})
    assert p.records("w").column("duration_ms")[0] == pytest.approx(1045.0)
    r = p.records("w")
    began = r.column("start_s")[0] + r.column("init_ms")[0] / 1000  # after the cold start
    rec = t.stream_records()  # stamped after the sleep and each call's latency
    assert rec[0].arrival_s == pytest.approx(began + 1.02)
    assert rec[1].arrival_s == pytest.approx(began + 1.04)
