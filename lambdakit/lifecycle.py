"""The execution-environment lifecycle as an explicit state machine.

Invariants (after AWS's "Lambda execution environment lifecycle", facts §1.1 [S1]):

* An environment is born in ``INIT`` (extensions, runtime and the function's static code run:
  the *cold start*). From there it either serves its first request (``INVOKE``), waits
  pre-initialised (``IDLE`` — provisioned concurrency), or fails its init (``SHUTDOWN``).
* ``INVOKE`` serves exactly one request at a time. When the handler returns the environment is
  frozen (``IDLE``); a timeout or crash *resets* it, which lambdakit models as ``SHUTDOWN``
  (the next request gets a fresh environment and a cold start).
* ``IDLE`` (frozen) environments are thawed for the next request (``INVOKE`` — a warm start) or
  reclaimed by the keep-alive policy (``SHUTDOWN``).
* ``SHUTDOWN`` is final.

Every move goes through :func:`check_transition`, which raises a precise error for any other move.

Example:
    >>> check_transition(State.IDLE, State.INVOKE)
    >>> check_transition(State.SHUTDOWN, State.INVOKE)
    Traceback (most recent call last):
    ...
    lambdakit.errors.IllegalStateTransition: can't go from SHUTDOWN to INVOKE
"""

from __future__ import annotations

import enum

from .errors import IllegalStateTransition


class State(enum.IntEnum):
    """States of an execution environment."""

    INIT = 0
    INVOKE = 1
    IDLE = 2
    SHUTDOWN = 3


TRANSITIONS: dict[State, frozenset[State]] = {
    State.INIT: frozenset({State.INVOKE, State.IDLE, State.SHUTDOWN}),
    State.INVOKE: frozenset({State.IDLE, State.SHUTDOWN}),
    State.IDLE: frozenset({State.INVOKE, State.SHUTDOWN}),
    State.SHUTDOWN: frozenset(),
}

_ALLOWED = frozenset((a, b) for a, targets in TRANSITIONS.items() for b in targets)


def check_transition(current: State, new: State) -> None:
    """Raise :class:`IllegalStateTransition` unless ``current → new`` is in the table."""
    if (current, new) not in _ALLOWED:
        raise IllegalStateTransition(f"can't go from {State(current).name} to {State(new).name}")
