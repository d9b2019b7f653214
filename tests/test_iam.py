"""lambdakit.function.iam: statements, evaluation, wildcards, denials, function permissions."""

from __future__ import annotations

import doctest
import json
import pickle
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lambdakit import InvalidParameterValueException, LambdaError, Platform, iam
from lambdakit.errors import ResourceConflictException, ResourceNotFoundException
from lambdakit.function.iam import (
    AccessDeniedException,
    Policy,
    Role,
    Statement,
    add_permission,
    can_invoke,
    check,
    check_event_source_role,
    decide,
    denial,
    enforce_invoke_permissions,
    evaluate,
    get_policy,
    remove_permission,
    require_invoke,
)

PHOTOS = "arn:aws:s3:::photos"


def test_doctests() -> None:
    assert doctest.testmod(iam).failed == 0


# -- evaluation logic ----------------------------------------------------------------------------


def test_explicit_deny_wins_over_allow_in_any_order() -> None:
    allow = Statement("Allow", "s3:*", "*")
    deny = Statement("Deny", "s3:DeleteObject", f"{PHOTOS}/*")
    for stmts in ([allow, deny], [deny, allow]):
        d = decide(Role("r", stmts), "s3:DeleteObject", f"{PHOTOS}/a.jpg")
        assert (d.allowed, d.reason, d.statement) == (False, "explicit-deny", deny)


def test_deny_in_attached_policy_beats_allow_on_role() -> None:
    guard = Policy("guard", [Statement.deny("dynamodb:DeleteItem")])
    role = Role("r", [Statement.allow("dynamodb:*")], policies=[guard])
    assert evaluate(role, "dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:1:table/T")
    assert not evaluate(role, "dynamodb:DeleteItem", "arn:aws:dynamodb:us-east-1:1:table/T")


def test_no_matching_allow_is_an_implicit_deny() -> None:
    role = Role("r", [Statement.allow("s3:GetObject", f"{PHOTOS}/*")])
    d = decide(role, "s3:PutObject", f"{PHOTOS}/a.jpg")
    assert (d.allowed, d.reason, d.statement) == (False, "implicit-deny", None)
    assert decide(Role("empty"), "s3:GetObject", f"{PHOTOS}/a").reason == "implicit-deny"


def test_allow_reports_the_statement_that_allowed() -> None:
    s = Statement.allow("sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:jobs")
    d = decide(Role("r", [s]), "sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:jobs")
    assert (d.allowed, d.reason, d.statement) == (True, "allow", s)


# -- wildcards -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("pattern", "action", "expected"), [
    ("s3:GetObject", "s3:GetObject", True),
    ("s3:GetObject", "S3:getobject", True),  # prefix and name are case-insensitive
    ("S3:GETOBJECT", "s3:GetObject", True),
    ("s3:Get*", "s3:GetObjectAcl", True),
    ("s3:Get*", "s3:PutObject", False),
    ("s3:?etObject", "s3:GetObject", True),
    ("s3:?etObject", "s3:GGetObject", False),
    ("s3:*", "sqs:SendMessage", False),
    ("*", "kinesis:PutRecord", True),
    ("dynamodb:*Item", "dynamodb:UpdateItem", True),
    ("dynamodb:*Item", "dynamodb:Query", False),
])
def test_action_wildcards(pattern: str, action: str, expected: bool) -> None:
    assert Statement.allow(pattern).matches(action, "arn:aws:s3:::b/k") is expected


@pytest.mark.parametrize(("pattern", "resource", "expected"), [
    (f"{PHOTOS}/*", f"{PHOTOS}/cat.jpg", True),
    (f"{PHOTOS}/*", f"{PHOTOS}/2026/01/cat.jpg", True),  # * spans '/'
    (f"{PHOTOS}/*", PHOTOS, False),  # the bucket is not an object of itself
    (f"{PHOTOS}/*", "arn:aws:s3:::photos2/cat.jpg", False),
    (f"{PHOTOS}/*.jpg", f"{PHOTOS}/a/b.jpg", True),
    (f"{PHOTOS}/*.jpg", f"{PHOTOS}/a.png", False),
    (f"{PHOTOS}/cat-?.jpg", f"{PHOTOS}/cat-1.jpg", True),
    (f"{PHOTOS}/cat-?.jpg", f"{PHOTOS}/cat-12.jpg", False),
    (f"{PHOTOS}/Cat.jpg", f"{PHOTOS}/cat.jpg", False),  # resources are case-sensitive
    ("arn:aws:sqs:*:123456789012:jobs", "arn:aws:sqs:eu-west-1:123456789012:jobs", True),
    ("arn:aws:sqs:us-east-1:123456789012:job*", "arn:aws:sqs:us-east-1:123456789012:jobs", True),
    # a * inside a segment does not cross a colon ...
    ("arn:aws:sqs:us-*-1:123456789012:jobs", "arn:aws:sqs:us-east:x-1:123456789012:jobs", False),
    # ... but one that ends a segment may
    ("arn:aws:lambda:us-east-1:123456789012:function:f*",
     "arn:aws:lambda:us-east-1:123456789012:function:f:live", True),
    ("arn:aws:lambda:us-east-1:123456789012:function:f",
     "arn:aws:lambda:us-east-1:123456789012:function:f:live", False),
    ("*", "arn:aws:dynamodb:us-east-1:123456789012:table/T", True),
])
def test_resource_wildcards(pattern: str, resource: str, expected: bool) -> None:
    assert Statement.allow("s3:GetObject", pattern).matches("s3:GetObject", resource) is expected


# -- validation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "field"), [
    (("Permit", "s3:GetObject", "*"), "effect"),
    (("allow", "s3:GetObject", "*"), "effect"),
    (("Allow", "GetObject", "*"), "actions"),
    (("Allow", (), "*"), "actions"),
    (("Allow", "s3:GetObject", "photos/*"), "resources"),
    (("Allow", "s3:GetObject", ()), "resources"),
])
def test_bad_statements_name_the_field(args: tuple, field: str) -> None:
    with pytest.raises(InvalidParameterValueException) as e:
        Statement(*args)
    assert e.value.field == field


def test_statement_normalises_strings_to_tuples_and_renders_json() -> None:
    s = Statement("Allow", "s3:GetObject", f"{PHOTOS}/*", sid="Read")
    assert s.actions == ("s3:GetObject",) and s.resources == (f"{PHOTOS}/*",)
    assert s.to_json() == {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject",
                           "Resource": f"{PHOTOS}/*"}
    two = Statement.deny(["s3:GetObject", "s3:PutObject"])
    assert two.to_json()["Action"] == ["s3:GetObject", "s3:PutObject"]


@pytest.mark.parametrize("name", ["", "a" * 65, "bad name", "x/y"])
def test_role_names_follow_iam_rules(name: str) -> None:
    with pytest.raises(InvalidParameterValueException):
        Role(name)


def test_role_rejects_non_policies() -> None:
    with pytest.raises(InvalidParameterValueException):
        Role("r", policies=["AWSLambdaBasicExecutionRole"])  # type: ignore[list-item]


def test_policy_from_json_round_trips() -> None:
    doc = {"Version": "2012-10-17", "Statement": [
        {"Sid": "A", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:GetObject", "Resource": f"{PHOTOS}/private/*"}]}
    p = Policy.from_json("p", json.dumps(doc))
    assert [s.effect for s in p.statements] == ["Allow", "Deny"]
    assert Policy.from_json("p2", p.to_json()) == Policy("p2", p.statements)
    single = Policy.from_json("one", {"Statement": doc["Statement"][1]})
    assert len(single.statements) == 1


@pytest.mark.parametrize("key", ["Condition", "NotAction", "NotResource", "Principal"])
def test_policy_from_json_refuses_what_the_model_leaves_out(key: str) -> None:
    stmt = {"Effect": "Allow", "Action": "s3:*", "Resource": "*", key: {}}
    with pytest.raises(InvalidParameterValueException) as e:
        Policy.from_json("p", {"Statement": [stmt]})
    assert e.value.field == key and "does not support" in str(e.value)


def test_role_accepts_json_statements() -> None:
    role = Role("r", [{"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"}])
    assert role.allows("sns:Publish", "arn:aws:sns:us-east-1:123456789012:t")


# -- denials ---------------------------------------------------------------------------------


def test_implicit_denial_message_has_awss_shape() -> None:
    role = Role("photo-role", [Statement.allow("s3:PutObject", f"{PHOTOS}/*")])
    msg = denial(role, "s3:GetObject", f"{PHOTOS}/cat.jpg", session="resize",
                 account_id="111122223333")
    assert msg == ("User: arn:aws:sts::111122223333:assumed-role/photo-role/resize is not "
                   "authorized to perform: s3:GetObject on resource: arn:aws:s3:::photos/cat.jpg "
                   "because no identity-based policy allows the s3:GetObject action")


def test_explicit_denial_message_and_quoted_resource() -> None:
    role = Role("r", [Statement.allow("s3:*"), Statement.deny("s3:GetObject")])
    msg = denial(role, "s3:GetObject", f"{PHOTOS}/x", session="f", quote_resource=True)
    assert msg is not None
    assert msg.endswith(f'on resource: "{PHOTOS}/x" with an explicit deny in an identity-based '
                        "policy")
    assert denial(role, "s3:PutObject", f"{PHOTOS}/x", session="f") is None


def test_check_raises_access_denied_with_details() -> None:
    role = Role("r", [Statement.deny("s3:*")])
    with pytest.raises(AccessDeniedException) as e:
        check(role, "s3:GetObject", f"{PHOTOS}/k", session="fn")
    err = e.value
    assert isinstance(err, LambdaError) and isinstance(err, PermissionError)
    assert (err.code, err.status_code, err.action, err.resource, err.explicit) == (
        "AccessDeniedException", 403, "s3:GetObject", f"{PHOTOS}/k", True)
    assert err.body() == {"Type": "User", "message": str(err)}
    again = pickle.loads(pickle.dumps(err))
    assert (type(again), str(again), again.action, again.explicit) == (
        AccessDeniedException, str(err), "s3:GetObject", True)


def test_check_without_role_is_unchecked_and_bad_roles_are_refused() -> None:
    check(None, "iam:DeleteRole", "*", session="f")  # no role: not checked
    with pytest.raises(InvalidParameterValueException):
        check("arn:aws:iam::123456789012:role/r", "s3:GetObject", "*",  # type: ignore[arg-type]
              session="f")


# -- managed policies and event-source mappings ------------------------------------------------


def _platform_with(role: Role | None) -> Platform:
    p = Platform(seed=3)
    p.create_function("worker", lambda e, c: None, role=role)
    return p


def test_managed_execution_role_policies() -> None:
    sqs = Role("r", policies=[iam.AWSLambdaSQSQueueExecutionRole])
    assert sqs.allows("sqs:ReceiveMessage", "arn:aws:sqs:us-east-1:1:q")
    assert not sqs.allows("sqs:SendMessage", "arn:aws:sqs:us-east-1:1:q")
    basic = Role("b", policies=[iam.AWSLambdaBasicExecutionRole])
    assert basic.allows("logs:PutLogEvents", "*") and not basic.allows("s3:GetObject", "*")


@pytest.mark.parametrize(("kind", "policy", "arn"), [
    ("sqs", iam.AWSLambdaSQSQueueExecutionRole, "arn:aws:sqs:us-east-1:123456789012:jobs"),
    ("dynamodb", iam.AWSLambdaDynamoDBExecutionRole,
     "arn:aws:dynamodb:us-east-1:123456789012:table/T/stream/2026-01-01T00:00:00.000"),
    ("kinesis", iam.AWSLambdaKinesisExecutionRole,
     "arn:aws:kinesis:us-east-1:123456789012:stream/clicks"),
])
def test_event_source_role_check(kind: str, policy: Policy, arn: str) -> None:
    check_event_source_role(_platform_with(Role("ok", policies=[policy])), "worker", kind, arn)
    check_event_source_role(_platform_with(None), "worker", kind, arn)  # unchecked
    with pytest.raises(InvalidParameterValueException) as e:
        check_event_source_role(_platform_with(Role("bare")), "worker", kind, arn)
    first = iam.EVENT_SOURCE_ACTIONS[kind][0].split(":")[1]
    assert str(e.value).startswith(f"The provided execution role does not have permissions to "
                                   f"call {first} on ")


def test_event_source_role_check_names_the_missing_action() -> None:
    role = Role("half", [Statement.allow(["sqs:ReceiveMessage", "sqs:GetQueueAttributes"])])
    with pytest.raises(InvalidParameterValueException, match="call DeleteMessage on SQS"):
        check_event_source_role(_platform_with(role), "worker", "sqs", "arn:aws:sqs:x:1:q")
    with pytest.raises(InvalidParameterValueException):
        check_event_source_role(_platform_with(role), "worker", "sns", "arn:aws:sns:x:1:t")


# -- resource-based permission to invoke -------------------------------------------------------


def test_function_without_policy_is_unchecked_until_enforced() -> None:
    p = _platform_with(None)
    assert can_invoke(p, "worker", "s3.amazonaws.com", PHOTOS)
    enforce_invoke_permissions(p)
    assert not can_invoke(p, "worker", "s3.amazonaws.com", PHOTOS)
    enforce_invoke_permissions(p, False)
    assert can_invoke(p, "worker", "s3.amazonaws.com", PHOTOS)


def test_permission_limits_principal_and_source_arn() -> None:
    p = _platform_with(None)
    add_permission(p, "worker", "s3.amazonaws.com", PHOTOS)
    assert can_invoke(p, "worker", "s3.amazonaws.com", PHOTOS)
    assert not can_invoke(p, "worker", "s3.amazonaws.com", "arn:aws:s3:::other")
    assert not can_invoke(p, "worker", "s3.amazonaws.com")  # no source given
    assert not can_invoke(p, "worker", "sns.amazonaws.com", PHOTOS)
    topic = "arn:aws:sns:us-east-1:123456789012:"
    add_permission(p, "worker", "sns.amazonaws.com", topic + "up*")
    assert can_invoke(p, "worker", "sns.amazonaws.com", topic + "uploads")
    assert not can_invoke(p, "worker", "sns.amazonaws.com", topic + "x")


def test_permission_without_source_allows_any_source_of_that_principal() -> None:
    p = _platform_with(None)
    add_permission(p, "worker", "events.amazonaws.com")
    assert can_invoke(p, "worker", "events.amazonaws.com", "arn:aws:events:us-east-1:1:rule/a")
    assert can_invoke(p, "worker", "events.amazonaws.com")


def test_source_account_and_qualifier_conditions() -> None:
    p = _platform_with(None)
    add_permission(p, "worker", "s3.amazonaws.com", PHOTOS, source_account="123456789012")
    assert can_invoke(p, "worker", "s3.amazonaws.com", PHOTOS)  # the platform's own account
    assert not can_invoke(p, "worker", "s3.amazonaws.com", PHOTOS, source_account="999999999999")
    q = _platform_with(None)
    add_permission(q, "worker", "sns.amazonaws.com", qualifier="live")
    assert can_invoke(q, "worker", "sns.amazonaws.com", qualifier="live")
    assert not can_invoke(q, "worker", "sns.amazonaws.com")


def test_add_permission_returns_the_statement_and_rejects_duplicates() -> None:
    p = _platform_with(None)
    out = add_permission(p, "worker", "s3.amazonaws.com", PHOTOS, statement_id="s3-photos",
                         source_account="123456789012")
    stmt = json.loads(out["Statement"])
    assert stmt == {
        "Sid": "s3-photos", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "lambda:InvokeFunction",
        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:worker",
        "Condition": {"StringEquals": {"AWS:SourceAccount": "123456789012"},
                      "ArnLike": {"AWS:SourceArn": PHOTOS}}}
    with pytest.raises(ResourceConflictException) as e:
        add_permission(p, "worker", "sns.amazonaws.com", statement_id="s3-photos")
    assert e.value.status_code == 409 and "(s3-photos)" in str(e.value)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"principal": "s3"}, "principal"),
    ({"principal": "s3.amazonaws.com", "action": "s3:GetObject"}, "action"),
    ({"principal": "s3.amazonaws.com", "statement_id": "has space"}, "statement_id"),
])
def test_add_permission_validates(kwargs: dict, field: str) -> None:
    with pytest.raises(InvalidParameterValueException) as e:
        add_permission(_platform_with(None), "worker", **kwargs)
    assert e.value.field == field


def test_add_permission_to_unknown_function_is_404() -> None:
    with pytest.raises(ResourceNotFoundException):
        add_permission(_platform_with(None), "nope", "s3.amazonaws.com")
    with pytest.raises(ResourceNotFoundException):
        can_invoke(_platform_with(None), "nope", "s3.amazonaws.com")


def test_get_policy_and_remove_permission() -> None:
    p = _platform_with(None)
    with pytest.raises(ResourceNotFoundException):
        get_policy(p, "worker")
    add_permission(p, "worker", "sns.amazonaws.com", statement_id="sns")
    add_permission(p, "worker", "210987654321", statement_id="xaccount")
    first = get_policy(p, "worker")
    doc = json.loads(first["Policy"])
    assert (doc["Version"], doc["Id"]) == ("2012-10-17", "default")
    assert [s["Principal"] for s in doc["Statement"]] == [
        {"Service": "sns.amazonaws.com"}, {"AWS": "arn:aws:iam::210987654321:root"}]
    remove_permission(p, "worker", "sns")
    second = get_policy(p, "worker")
    assert [s["Sid"] for s in json.loads(second["Policy"])["Statement"]] == ["xaccount"]
    assert second["RevisionId"] != first["RevisionId"]
    with pytest.raises(ResourceNotFoundException):
        remove_permission(p, "worker", "sns")


def test_removing_the_last_permission_makes_the_function_unchecked_again() -> None:
    p = _platform_with(None)
    add_permission(p, "worker", "s3.amazonaws.com", PHOTOS, statement_id="a")
    assert not can_invoke(p, "worker", "s3.amazonaws.com", "arn:aws:s3:::other")
    remove_permission(p, "worker", "a")
    assert can_invoke(p, "worker", "s3.amazonaws.com", "arn:aws:s3:::other")


def test_require_invoke_raises_a_resource_policy_denial() -> None:
    p = _platform_with(None)
    add_permission(p, "worker", "s3.amazonaws.com", PHOTOS)
    require_invoke(p, "worker", "s3.amazonaws.com", PHOTOS)
    with pytest.raises(AccessDeniedException) as e:
        require_invoke(p, "worker", "sns.amazonaws.com", "arn:aws:sns:us-east-1:1:t",
                       qualifier="7")
    assert e.value.resource == "arn:aws:lambda:us-east-1:123456789012:function:worker:7"
    assert "because no resource-based policy allows the lambda:InvokeFunction action" in str(
        e.value)


def test_permissions_are_per_platform() -> None:
    a, b = _platform_with(None), _platform_with(None)
    add_permission(a, "worker", "s3.amazonaws.com", PHOTOS)
    assert not can_invoke(a, "worker", "s3.amazonaws.com", "arn:aws:s3:::x")
    assert can_invoke(b, "worker", "s3.amazonaws.com", "arn:aws:s3:::x")  # b has no policy


# -- property: AWS's rule, independent of statement order ---------------------------------------

_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "sqs:SendMessage"]
_PATTERNS = ["*", "s3:*", "s3:Get*", "s3:?utObject", "sqs:*", "s3:GetObject"]
_RESOURCES = [f"{PHOTOS}/a.jpg", f"{PHOTOS}/private/b.jpg", "arn:aws:sqs:us-east-1:1:jobs"]
_RES_PATTERNS = ["*", f"{PHOTOS}/*", f"{PHOTOS}/private/*", "arn:aws:sqs:*:1:jobs"]

statements = st.builds(Statement, st.sampled_from(["Allow", "Deny"]),
                       st.lists(st.sampled_from(_PATTERNS), min_size=1, max_size=2),
                       st.lists(st.sampled_from(_RES_PATTERNS), min_size=1, max_size=2))


@settings(max_examples=200, deadline=None)
@given(st.lists(statements, max_size=6), st.sampled_from(_ACTIONS), st.sampled_from(_RESOURCES),
       st.randoms())
def test_evaluation_follows_awss_rule_in_any_order(stmts: list[Statement], action: str,
                                                   resource: str, rnd: random.Random) -> None:
    matching = [s for s in stmts if s.matches(action, resource)]
    expected = any(s.effect == "Allow" for s in matching) and not any(
        s.effect == "Deny" for s in matching)
    assert evaluate(Role("r", stmts), action, resource) is expected
    shuffled = list(stmts)
    rnd.shuffle(shuffled)
    assert evaluate(Role("r", shuffled), action, resource) is expected
    # adding a matching Deny can only take access away
    assert not evaluate(Role("r", [*stmts, Statement.deny(action, resource)]), action, resource)
