"""Execution roles and function permissions: a teaching model of IAM, not a policy engine.

What it models (and nothing more):

* **Identity-based policies** on a function's execution role: :class:`Statement` s with
  ``Allow`` or ``Deny``, lists of actions and resource ARNs, and the ``*`` / ``?`` wildcards.
* **AWS's evaluation rule**: an explicit ``Deny`` wins; otherwise an ``Allow`` must match;
  otherwise the request is *implicitly* denied [IAM-EVAL].
* **Resource-based permission to invoke a function** (``lambda:AddPermission``): which service
  principal (``s3.amazonaws.com``, ...) may invoke it, optionally only for one source ARN or
  account [LAMBDA-RBP].

What it leaves out, on purpose: ``Condition`` blocks (except the ``SourceArn`` /
``SourceAccount`` of a function permission), ``NotAction`` / ``NotResource``, ``Principal`` in
identity policies, permission boundaries, session policies, SCPs / RCPs, cross-account rules,
policy variables and size limits. A role of ``None`` means *not checked* (the default for every
function), so code that never mentions IAM keeps working.

Sources (not yet in lambda-facts.md; the lead should add them there):

* [IAM-EVAL] https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_AccessPolicyLanguage_Interplay.html
* [IAM-ACTION] https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
  ("The prefix and the action name are case insensitive"; ``*`` and ``?`` wildcards)
* [IAM-RESOURCE] https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
  (wildcards work within one ARN segment; a ``*`` that ends a segment may match past colons)
* [IAM-DENIED] https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
  ("User *user* is not authorized to perform *action* on *resource* because *context*";
  "with an explicit deny in a *type* policy" / "because no *type* policy allows the *action*
  action"). Obs.: a Lambda role's denial reads ``User: arn:aws:sts::<acct>:assumed-role/<role>/
  <function> is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:...
  :table/T because no identity-based policy allows the dynamodb:PutItem action`` (posted logs).
* [LAMBDA-RBP] awsdocs/aws-lambda-developer-guide@0168ba0:doc_source/access-control-resource-based.md
  (policy ``Id: default``, ``Principal: {"Service": ...}``, ``ArnLike AWS:SourceArn``,
  ``StringEquals AWS:SourceAccount``)
* [MANAGED] https://docs.aws.amazon.com/aws-managed-policy/latest/reference/ (the AWSLambda*
  execution-role policies below)

Example:
    >>> role = Role("thumbnailer", [
    ...     Statement("Allow", "s3:GetObject", "arn:aws:s3:::photos/*"),
    ...     Statement("Deny", "s3:GetObject", "arn:aws:s3:::photos/private/*")])
    >>> evaluate(role, "s3:GetObject", "arn:aws:s3:::photos/cat.jpg")
    True
    >>> evaluate(role, "s3:GetObject", "arn:aws:s3:::photos/private/me.jpg")  # explicit deny
    False
    >>> evaluate(role, "s3:PutObject", "arn:aws:s3:::photos/cat.jpg")  # implicit deny
    False
    >>> print(denial(role, "s3:PutObject", "arn:aws:s3:::photos/cat.jpg", session="resize"))
    User: arn:aws:sts::123456789012:assumed-role/thumbnailer/resize is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::photos/cat.jpg because no identity-based policy allows the s3:PutObject action
"""  # noqa: E501

from __future__ import annotations

import json
import re
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

from ..errors import (
    InvalidParameterValueException,
    LambdaError,
    ResourceConflictException,
    ResourceNotFoundException,
)

__all__ = [
    "AWSLambdaBasicExecutionRole",
    "AWSLambdaDynamoDBExecutionRole",
    "AWSLambdaKinesisExecutionRole",
    "AWSLambdaSQSQueueExecutionRole",
    "EVENT_SOURCE_ACTIONS",
    "AccessDeniedException",
    "Decision",
    "Permission",
    "Policy",
    "Role",
    "Statement",
    "add_permission",
    "assumed_role_arn",
    "can_invoke",
    "check",
    "check_event_source_role",
    "decide",
    "denial",
    "enforce_invoke_permissions",
    "evaluate",
    "get_policy",
    "remove_permission",
    "require_invoke",
]

INVOKE_ACTION = "lambda:InvokeFunction"
_EFFECTS = ("Allow", "Deny")
_ACTION_RE = re.compile(r"^(\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+)$")
_ROLE_NAME_RE = re.compile(r"^[\w+=,.@-]{1,64}$")  # IAM role names: 1-64 of these
_SID_RE = re.compile(r"^[a-zA-Z0-9_-]{1,100}$")  # AddPermission StatementId [LAMBDA-RBP]
_PRINCIPAL_RE = re.compile(
    r"^(\*|\d{12}|[a-z0-9.-]+\.amazonaws\.com|arn:aws[a-z-]*:iam::\d{12}:.+)$")


# -- statements, policies, roles ---------------------------------------------------------------


def _as_tuple(value: str | Iterable[str], field_name: str) -> tuple[str, ...]:
    items = (value,) if isinstance(value, str) else tuple(value)
    if not items or not all(isinstance(v, str) and v for v in items):
        raise InvalidParameterValueException(
            field_name, value, "a non-empty string or a non-empty list of strings")
    return items


@dataclass(frozen=True, slots=True, init=False)
class Statement:
    """One statement of an identity-based policy: ``effect`` on ``actions`` × ``resources``.

    ``actions`` are ``"service:Action"`` names (``"s3:GetObject"``, ``"dynamodb:*"``) or ``"*"``;
    ``resources`` are ARNs (wildcards allowed) or ``"*"``. A single string is accepted for either.

    >>> s = Statement("Allow", "s3:Get*", "arn:aws:s3:::photos/*")
    >>> s.actions, s.matches("S3:getobject", "arn:aws:s3:::photos/a/b.jpg")
    (('s3:Get*',), True)
    >>> Statement("Permit", "s3:GetObject", "*")
    Traceback (most recent call last):
    ...
    lambdakit.errors.InvalidParameterValueException: effect='Permit' is not valid: "Allow" or "Deny"
    """

    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    sid: str | None

    def __init__(self, effect: str, actions: str | Iterable[str],
                 resources: str | Iterable[str] = "*", sid: str | None = None) -> None:
        if effect not in _EFFECTS:
            raise InvalidParameterValueException("effect", effect, '"Allow" or "Deny"')
        object.__setattr__(self, "effect", effect)
        object.__setattr__(self, "sid", sid)
        actions = _as_tuple(actions, "actions")
        for a in actions:
            if not _ACTION_RE.match(a):
                raise InvalidParameterValueException(
                    "actions", a, "Actions must be prefaced by a vendor, e.g. s3:GetObject, "
                    "or be '*'")  # IAM's MalformedPolicyDocument rule
        resources = _as_tuple(resources, "resources")
        for r in resources:
            if r != "*" and not (r.startswith("arn:") and r.count(":") >= 5):
                raise InvalidParameterValueException(
                    "resources", r, "Resource must be in ARN format (arn:aws:...) or '*'")
        object.__setattr__(self, "actions", actions)
        object.__setattr__(self, "resources", resources)

    @classmethod
    def allow(cls, actions: str | Iterable[str], resources: str | Iterable[str] = "*") -> Statement:
        """``Statement("Allow", ...)``."""
        return cls("Allow", actions, resources)

    @classmethod
    def deny(cls, actions: str | Iterable[str], resources: str | Iterable[str] = "*") -> Statement:
        """``Statement("Deny", ...)``."""
        return cls("Deny", actions, resources)

    def matches(self, action: str, resource: str) -> bool:
        """True when ``action`` and ``resource`` both match (the effect is not consulted)."""
        return any(_action_pattern(a).match(action) for a in self.actions) and any(
            _resource_pattern(r).match(resource) for r in self.resources)

    def to_json(self) -> dict[str, Any]:
        """The statement in IAM's JSON policy grammar."""
        doc: dict[str, Any] = {} if self.sid is None else {"Sid": self.sid}
        doc["Effect"] = self.effect
        doc["Action"] = self.actions[0] if len(self.actions) == 1 else list(self.actions)
        doc["Resource"] = self.resources[0] if len(self.resources) == 1 else list(self.resources)
        return doc


@lru_cache(maxsize=4096)
def _action_pattern(pattern: str) -> re.Pattern[str]:
    """Action names: ``*`` any run, ``?`` one character, case-insensitive [IAM-ACTION]."""
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(f"^{body}$", re.IGNORECASE | re.DOTALL)


@lru_cache(maxsize=4096)
def _resource_pattern(pattern: str) -> re.Pattern[str]:
    """ARNs (case-sensitive): ``?`` one character and ``*`` any run within a segment; a ``*``
    that ends a segment may also match past colons [IAM-RESOURCE]."""
    out = []
    for i, c in enumerate(pattern):
        if c == "*":
            ends_segment = i + 1 == len(pattern) or pattern[i + 1] == ":"
            out.append(".*" if ends_segment else "[^:]*")
        elif c == "?":
            out.append("[^:]")
        else:
            out.append(re.escape(c))
    return re.compile("^" + "".join(out) + "$", re.DOTALL)


def _statements(items: Iterable[Statement | Mapping[str, Any]]) -> tuple[Statement, ...]:
    out = []
    for s in items:
        if isinstance(s, Statement):
            out.append(s)
        elif isinstance(s, Mapping):
            out.append(_statement_from_json(s))
        else:
            raise InvalidParameterValueException(
                "statements", s, "lambdakit.function.iam.Statement objects or IAM JSON statements")
    return tuple(out)


_UNMODELLED = ("NotAction", "NotResource", "Condition", "Principal", "NotPrincipal")


def _statement_from_json(doc: Mapping[str, Any]) -> Statement:
    for key in _UNMODELLED:
        if key in doc:
            raise InvalidParameterValueException(
                key, doc[key], f"lambdakit's IAM model does not support {key} (a teaching "
                "model: Allow/Deny, Action, Resource and wildcards only)")
    if "Action" not in doc or "Resource" not in doc:
        raise InvalidParameterValueException(
            "Statement", dict(doc), "each statement needs Effect, Action and Resource")
    return Statement(doc.get("Effect", ""), doc["Action"], doc["Resource"], doc.get("Sid"))


@dataclass(frozen=True, slots=True, init=False)
class Policy:
    """A named set of statements (an inline or managed policy) that roles can share.

    >>> p = Policy.from_json("read-photos", '''{"Version": "2012-10-17", "Statement": [
    ...     {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}]}''')
    >>> p.statements[0].actions
    ('s3:GetObject',)
    """

    name: str
    statements: tuple[Statement, ...]

    def __init__(self, name: str,
                 statements: Iterable[Statement | Mapping[str, Any]] = ()) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "statements", _statements(statements))

    @classmethod
    def from_json(cls, name: str, document: str | Mapping[str, Any]) -> Policy:
        """Read an IAM JSON policy document (a string or a dict)."""
        doc = json.loads(document) if isinstance(document, str) else document
        stmts = doc.get("Statement", []) if isinstance(doc, Mapping) else None
        if isinstance(stmts, Mapping):
            stmts = [stmts]
        if not isinstance(stmts, list):
            raise InvalidParameterValueException(
                "document", document, 'a policy document {"Version": ..., "Statement": [...]}')
        return cls(name, _statements(stmts))

    def to_json(self) -> dict[str, Any]:
        """The policy document (``Version`` 2012-10-17)."""
        return {"Version": "2012-10-17", "Statement": [s.to_json() for s in self.statements]}


@dataclass(frozen=True, slots=True, init=False)
class Role:
    """A function's execution role: its own ``statements`` plus attached ``policies``.

    >>> r = Role("reader", [Statement.allow("s3:GetObject", "arn:aws:s3:::photos/*")],
    ...          policies=[AWSLambdaBasicExecutionRole])
    >>> r.allows("logs:PutLogEvents", "arn:aws:logs:us-east-1:123456789012:log-group:x")
    True
    >>> len(r.all_statements)
    2
    """

    name: str
    statements: tuple[Statement, ...]
    policies: tuple[Policy, ...]

    def __init__(self, name: str, statements: Iterable[Statement | Mapping[str, Any]] = (),
                 policies: Iterable[Policy] = ()) -> None:
        if not isinstance(name, str) or not _ROLE_NAME_RE.match(name):
            raise InvalidParameterValueException(
                "name", name, "a role name of 1-64 letters, digits or +=,.@_-")
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "statements", _statements(statements))
        pols = tuple(policies)
        if not all(isinstance(p, Policy) for p in pols):
            raise InvalidParameterValueException("policies", policies,
                                                 "a list of lambdakit.function.iam.Policy")
        object.__setattr__(self, "policies", pols)

    @property
    def all_statements(self) -> tuple[Statement, ...]:
        """The role's statements followed by those of its attached policies."""
        return self.statements + tuple(s for p in self.policies for s in p.statements)

    def allows(self, action: str, resource: str) -> bool:
        """``evaluate(self, action, resource)``."""
        return evaluate(self, action, resource)

    def arn(self, account_id: str = "123456789012") -> str:
        """``arn:aws:iam::<account>:role/<name>``."""
        return f"arn:aws:iam::{account_id}:role/{self.name}"


# -- evaluation --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of one evaluation and the statement that decided it (None if implicit)."""

    allowed: bool
    reason: str  # "allow" | "explicit-deny" | "implicit-deny"
    statement: Statement | None = None


def _check_role(role: Any) -> Role:
    if not isinstance(role, Role):
        raise InvalidParameterValueException(
            "role", role, "a lambdakit.function.iam.Role (or None for an unchecked function)")
    return role


def decide(role: Role, action: str, resource: str) -> Decision:
    """Evaluate like AWS [IAM-EVAL]: any matching Deny → explicit deny; else any matching
    Allow → allow; else implicit deny.

    >>> r = Role("r", [Statement.allow("s3:*"), Statement.deny("s3:DeleteObject")])
    >>> decide(r, "s3:DeleteObject", "arn:aws:s3:::b/k").reason
    'explicit-deny'
    """
    allow: Statement | None = None
    for s in _check_role(role).all_statements:
        if s.matches(action, resource):
            if s.effect == "Deny":
                return Decision(False, "explicit-deny", s)
            allow = allow or s
    if allow is not None:
        return Decision(True, "allow", allow)
    return Decision(False, "implicit-deny")


def evaluate(role: Role, action: str, resource: str) -> bool:
    """True when ``role`` may perform ``action`` on ``resource`` (see :func:`decide`).

    >>> evaluate(Role("r", [Statement.allow("sqs:SendMessage", "*")]), "sqs:sendmessage", "x")
    True
    """
    return decide(role, action, resource).allowed


def assumed_role_arn(role_name: str, session: str, account_id: str = "123456789012") -> str:
    """The identity a function runs as: ``arn:aws:sts::<acct>:assumed-role/<role>/<function>``.

    >>> assumed_role_arn("r", "fn")
    'arn:aws:sts::123456789012:assumed-role/r/fn'
    """
    return f"arn:aws:sts::{account_id}:assumed-role/{role_name}/{session}"


def denial(role: Role, action: str, resource: str, *, session: str,
           account_id: str = "123456789012", quote_resource: bool = False) -> str | None:
    """AWS's access-denied message for this request, or None when it is allowed [IAM-DENIED].

    ``quote_resource`` puts the ARN in double quotes, as S3 does (Obs., posted S3 errors).
    """
    d = decide(role, action, resource)
    if d.allowed:
        return None
    shown = f'"{resource}"' if quote_resource else resource
    head = (f"User: {assumed_role_arn(role.name, session, account_id)} is not authorized to "
            f"perform: {action} on resource: {shown}")
    if d.reason == "explicit-deny":
        return f"{head} with an explicit deny in an identity-based policy"
    return f"{head} because no identity-based policy allows the {action} action"


class AccessDeniedException(LambdaError, PermissionError):
    """A request IAM denied (HTTP 403): the message names the principal, action and resource.

    >>> e = AccessDeniedException("User: x is not authorized", action="s3:GetObject",
    ...                           resource="arn:aws:s3:::b/k")
    >>> e.code, e.status_code, e.action, isinstance(e, PermissionError)
    ('AccessDeniedException', 403, 's3:GetObject', True)
    """

    code: ClassVar[str] = "AccessDeniedException"
    status_code: ClassVar[int] = 403

    def __init__(self, message: str, *, action: str = "", resource: str = "",
                 explicit: bool = False) -> None:
        super().__init__(message)
        self.action = action
        self.resource = resource
        self.explicit = explicit


def check(role: Role | None, action: str, resource: str, *, session: str,
          account_id: str = "123456789012") -> None:
    """Raise :class:`AccessDeniedException` unless ``role`` allows the request.
    ``role=None`` means the function's permissions are not checked (lambdakit's default).

    >>> check(None, "s3:DeleteBucket", "arn:aws:s3:::b", session="f")  # unchecked
    >>> check(Role("r"), "s3:GetObject", "arn:aws:s3:::b/k", session="f")
    Traceback (most recent call last):
    ...
    lambdakit.function.iam.AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/r/f is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k because no identity-based policy allows the s3:GetObject action
    """  # noqa: E501
    if role is None:
        return
    msg = denial(_check_role(role), action, resource, session=session, account_id=account_id)
    if msg is not None:
        raise AccessDeniedException(msg, action=action, resource=resource,
                                    explicit="explicit deny" in msg)


# -- AWS managed execution-role policies [MANAGED] --------------------------------------------

_LOGS = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")

AWSLambdaBasicExecutionRole = Policy("AWSLambdaBasicExecutionRole", (Statement.allow(_LOGS),))
AWSLambdaSQSQueueExecutionRole = Policy("AWSLambdaSQSQueueExecutionRole", (Statement.allow(
    ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", *_LOGS)),))
AWSLambdaDynamoDBExecutionRole = Policy("AWSLambdaDynamoDBExecutionRole", (Statement.allow(
    ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
     "dynamodb:ListStreams", *_LOGS)),))
AWSLambdaKinesisExecutionRole = Policy("AWSLambdaKinesisExecutionRole", (Statement.allow(
    ("kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords",
     "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:ListStreams",
     "kinesis:SubscribeToShard", *_LOGS)),))

#: What an event-source mapping's poller does with the *function's execution role* (pollers
#: read the source as the function). SQS: [S2:with-sqs.md] "Execution Role Permissions".
#: Streams: the stream-reading actions of the managed policies above [MANAGED].
EVENT_SOURCE_ACTIONS: dict[str, tuple[str, ...]] = {
    "sqs": ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"),
    "dynamodb": ("dynamodb:DescribeStream", "dynamodb:GetRecords",
                 "dynamodb:GetShardIterator", "dynamodb:ListStreams"),
    "kinesis": ("kinesis:DescribeStream", "kinesis:DescribeStreamSummary",
                "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards"),
}
_SERVICE_LABEL = {"sqs": "SQS", "dynamodb": "DynamoDB", "kinesis": "Kinesis"}


def check_event_source_role(platform: Any, function: str, source_kind: str,
                            source_arn: str) -> None:
    """What ``CreateEventSourceMapping`` checks: the function's execution role must allow the
    poller's read actions on the source, else ``InvalidParameterValueException`` (400)
    "The provided execution role does not have permissions to call ReceiveMessage on SQS"
    (Obs., the error AWS returns). A function without a role is not checked.

    >>> from lambdakit import Platform
    >>> p = Platform()
    >>> _ = p.create_function("f", lambda e, c: None, role=Role("r", policies=[
    ...     AWSLambdaBasicExecutionRole]))
    >>> check_event_source_role(p, "f", "sqs", "arn:aws:sqs:us-east-1:123456789012:jobs")
    Traceback (most recent call last):
    ...
    lambdakit.errors.InvalidParameterValueException: The provided execution role does not have permissions to call ReceiveMessage on SQS
    """  # noqa: E501
    if source_kind not in EVENT_SOURCE_ACTIONS:
        raise InvalidParameterValueException("source_kind", source_kind,
                                             f"one of {sorted(EVENT_SOURCE_ACTIONS)}")
    role = platform.get_function(function).role
    if role is None:
        return
    for action in EVENT_SOURCE_ACTIONS[source_kind]:
        if not evaluate(_check_role(role), action, source_arn):
            name = action.split(":", 1)[1]
            raise InvalidParameterValueException(
                "role", role.name, "", message="The provided execution role does not have "
                f"permissions to call {name} on {_SERVICE_LABEL[source_kind]}")


# -- resource-based policy of a function: who may invoke it [LAMBDA-RBP] ----------------------


@dataclass(frozen=True, slots=True)
class Permission:
    """One ``AddPermission`` statement on a function's resource-based policy."""

    statement_id: str
    principal: str
    action: str = INVOKE_ACTION
    source_arn: str | None = None
    source_account: str | None = None
    qualifier: str | None = None

    def allows(self, principal: str, action: str, source_arn: str | None,
               source_account: str | None, qualifier: str | None) -> bool:
        """Does this statement let ``principal`` do ``action`` for this source?"""
        if self.principal not in ("*", principal):
            return False
        if not _action_pattern(self.action).match(action):
            return False
        if self.source_arn is not None and (
                source_arn is None or not _resource_pattern(self.source_arn).match(source_arn)):
            return False  # ArnLike AWS:SourceArn
        if self.source_account is not None and self.source_account != source_account:
            return False  # StringEquals AWS:SourceAccount
        return self.qualifier is None or self.qualifier == qualifier

    def to_json(self, function_arn: str) -> dict[str, Any]:
        """The statement as ``GetPolicy`` shows it."""
        if self.principal.endswith(".amazonaws.com"):
            principal: Any = {"Service": self.principal}
        elif self.principal.isdigit():
            principal = {"AWS": f"arn:aws:iam::{self.principal}:root"}
        elif self.principal == "*":
            principal = "*"
        else:
            principal = {"AWS": self.principal}
        resource = function_arn + (f":{self.qualifier}" if self.qualifier else "")
        doc: dict[str, Any] = {"Sid": self.statement_id, "Effect": "Allow",
                               "Principal": principal, "Action": self.action,
                               "Resource": resource}
        cond: dict[str, Any] = {}
        if self.source_account is not None:
            cond["StringEquals"] = {"AWS:SourceAccount": self.source_account}
        if self.source_arn is not None:
            cond["ArnLike"] = {"AWS:SourceArn": self.source_arn}
        if cond:
            doc["Condition"] = cond
        return doc


class _Policies:
    """Per-platform state: each function's permissions, and whether a missing policy denies."""

    def __init__(self) -> None:
        self.by_function: dict[str, list[Permission]] = {}
        self.enforce = False
        self.revision = 0


_STATE: weakref.WeakKeyDictionary[Any, _Policies] = weakref.WeakKeyDictionary()


def _state(platform: Any) -> _Policies:
    st = _STATE.get(platform)
    if st is None:
        st = _STATE[platform] = _Policies()
    return st


def add_permission(platform: Any, function: str, principal: str = "s3.amazonaws.com",
                   source_arn: str | None = None, *, statement_id: str | None = None,
                   action: str = INVOKE_ACTION, source_account: str | None = None,
                   qualifier: str | None = None) -> dict[str, str]:
    """Let ``principal`` invoke ``function`` (``aws lambda add-permission``) and return
    ``{"Statement": <the statement as JSON text>}`` as the API does.

    ``source_arn`` limits it to one source (wildcards allowed, ``ArnLike``); ``source_account``
    to one account. A duplicate ``statement_id`` is a 409 ``ResourceConflictException``.

    >>> from lambdakit import Platform
    >>> p = Platform()
    >>> _ = p.create_function("resize", lambda e, c: None)
    >>> _ = add_permission(p, "resize", "s3.amazonaws.com", "arn:aws:s3:::photos")
    >>> can_invoke(p, "resize", "s3.amazonaws.com", "arn:aws:s3:::photos")
    True
    >>> can_invoke(p, "resize", "s3.amazonaws.com", "arn:aws:s3:::other-bucket")
    False
    """
    platform.get_function(function)  # 404 for an unknown function
    if not isinstance(principal, str) or not _PRINCIPAL_RE.match(principal):
        raise InvalidParameterValueException(
            "principal", principal, "a service principal (s3.amazonaws.com), a 12-digit "
            "account id, an IAM ARN or '*'")
    if not _ACTION_RE.match(action) or not action.lower().startswith(("lambda:", "*")):
        raise InvalidParameterValueException("action", action,
                                             "a Lambda action such as lambda:InvokeFunction")
    st = _state(platform)
    perms = st.by_function.setdefault(function, [])
    sid = statement_id if statement_id is not None else f"lambdakit-{len(perms) + 1}"
    if not _SID_RE.match(sid):
        raise InvalidParameterValueException("statement_id", sid,
                                             "1-100 letters, digits, '-' or '_'")
    if any(p.statement_id == sid for p in perms):
        raise ResourceConflictException(
            f"The statement id ({sid}) provided already exists. Please provide a new "
            "statement id, or remove the existing statement.")
    perm = Permission(sid, principal, action, source_arn, source_account, qualifier)
    perms.append(perm)
    st.revision += 1
    statement = perm.to_json(platform.function_arn(function))
    return {"Statement": json.dumps(statement, separators=(",", ":"))}


def remove_permission(platform: Any, function: str, statement_id: str) -> None:
    """Remove one statement (``aws lambda remove-permission``); 404 if there is none."""
    platform.get_function(function)
    st = _state(platform)
    perms = st.by_function.get(function, [])
    keep = [p for p in perms if p.statement_id != statement_id]
    if len(keep) == len(perms):
        raise ResourceNotFoundException(
            f"Statement {statement_id} is not found in resource policy.")
    st.by_function[function] = keep
    st.revision += 1


def get_policy(platform: Any, function: str) -> dict[str, str]:
    """``{"Policy": <JSON text>, "RevisionId": ...}`` as ``GetPolicy`` returns; 404 if none.

    >>> from lambdakit import Platform
    >>> p = Platform()
    >>> _ = p.create_function("f", lambda e, c: None)
    >>> _ = add_permission(p, "f", "sns.amazonaws.com", statement_id="sns")
    >>> import json; json.loads(get_policy(p, "f")["Policy"])["Statement"][0]["Principal"]
    {'Service': 'sns.amazonaws.com'}
    """
    platform.get_function(function)  # 404 for an unknown function
    arn = platform.function_arn(function)
    st = _state(platform)
    perms = st.by_function.get(function)
    if not perms:
        raise ResourceNotFoundException("The resource you requested does not exist.")
    doc = {"Version": "2012-10-17", "Id": "default",
           "Statement": [p.to_json(arn) for p in perms]}
    return {"Policy": json.dumps(doc, separators=(",", ":")),
            "RevisionId": f"{st.revision:08d}-0000-4000-8000-000000000000"}


def enforce_invoke_permissions(platform: Any, enabled: bool = True) -> None:
    """Make a function *without* any resource-based policy refuse every service principal, as
    on AWS. Off by default: until a function has a policy (or this is on), sources are not
    checked, so platforms that never mention permissions keep working."""
    _state(platform).enforce = bool(enabled)


def can_invoke(platform: Any, function: str, principal: str, source_arn: str | None = None,
               *, source_account: str | None = None, qualifier: str | None = None) -> bool:
    """May ``principal`` (e.g. ``"s3.amazonaws.com"``) invoke ``function`` for ``source_arn``?

    Services call this before invoking. A function with no resource-based policy is *not
    checked* (True) unless :func:`enforce_invoke_permissions` is on. A statement without a
    qualifier covers every version and alias (a simplification); one with a qualifier covers
    only invocations of that qualifier. ``source_account`` defaults to the platform's account.
    """
    platform.get_function(function)
    st = _state(platform)
    perms = st.by_function.get(function)
    if not perms:
        return not st.enforce
    account = platform.account_id if source_account is None else source_account
    return any(p.allows(principal, INVOKE_ACTION, source_arn, account, qualifier)
               for p in perms)


def require_invoke(platform: Any, function: str, principal: str,
                   source_arn: str | None = None, *, qualifier: str | None = None) -> None:
    """:func:`can_invoke`, raising :class:`AccessDeniedException` (403) when it is False.

    >>> from lambdakit import Platform
    >>> p = Platform(); _ = p.create_function("f", lambda e, c: None)
    >>> enforce_invoke_permissions(p)
    >>> require_invoke(p, "f", "events.amazonaws.com")
    Traceback (most recent call last):
    ...
    lambdakit.function.iam.AccessDeniedException: User: events.amazonaws.com is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:123456789012:function:f because no resource-based policy allows the lambda:InvokeFunction action
    """  # noqa: E501
    if can_invoke(platform, function, principal, source_arn, qualifier=qualifier):
        return
    platform.get_function(function)
    arn = platform.function_arn(function, qualifier)
    raise AccessDeniedException(
        f"User: {principal} is not authorized to perform: {INVOKE_ACTION} on resource: {arn} "
        f"because no resource-based policy allows the {INVOKE_ACTION} action",
        action=INVOKE_ACTION, resource=arn)
