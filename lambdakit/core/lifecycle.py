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
How long each phase lasts is in :data:`PHASES`; :func:`state_at` is the one rule that says which
state an environment was in at any time, from its phase boundaries (the environment board, its
playback and ``Platform.environments`` all ask it).

Example:
    >>> check_transition(State.IDLE, State.INVOKE)
    >>> check_transition(State.SHUTDOWN, State.INVOKE)
    Traceback (most recent call last):
    ...
    lambdakit.errors.IllegalStateTransition: can't go from SHUTDOWN to INVOKE
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import IllegalStateTransition


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


@dataclass(frozen=True, slots=True)
class Phase:
    """How long a phase lasts in lambdakit: what bounds it, and where the figure comes from."""

    state: State
    duration: str  # what sets the phase's duration in lambdakit
    limit_s: float | None  # None: set per function (the timeout) or unbounded
    source: str


#: INIT, INVOKE and SHUTDOWN durations (facts §1.1 [S1]); IDLE lasts until the keep-alive policy
#: (lambdakit.core.keepalive) reclaims the environment or a request thaws it.
PHASES: dict[State, Phase] = {p.state: p for p in (
    Phase(State.INIT, "the runtime's init-duration model (Init Duration in REPORT)", 10.0,
          "[S1] 10 s for on-demand environments"),
    Phase(State.INVOKE, "the function's duration model plus the handler's virtual sleeps and "
          "service calls", None, "[S1] bounded by the function timeout"),
    Phase(State.IDLE, "until thawed or reclaimed by the keep-alive policy", None,
          "facts §1.3: not an AWS contract"),
    Phase(State.SHUTDOWN, "instant: lambdakit models no extensions", 0.0,
          "[S1] 0 ms without extensions (500 ms / 2,000 ms with internal / external ones)"),
)}


def state_at(t: Any, *, created_at: Any, gone_at: Any, init_until: Any, busy_until: Any) -> Any:
    """The state at time ``t`` of an environment (or, given arrays, of many at once).

    ``gone_at`` is when it shut down (inf while alive); ``init_until`` when its current init
    ends (its cold start, or a provisioned environment's pre-initialisation); ``busy_until``
    when its current or last attempt ends. Not yet created at ``t``: -1.

    >>> State(int(state_at(0.05, created_at=0.0, gone_at=np.inf, init_until=0.1,
    ...                    busy_until=0.2))).name
    'INIT'
    >>> state_at(np.array([0.15, 0.3, 9.0]), created_at=0.0, gone_at=5.0, init_until=0.1,
    ...          busy_until=0.2).tolist()
    [1, 2, 3]
    """
    return np.where(np.less(t, created_at), -1,
           np.where(np.greater_equal(t, gone_at), int(State.SHUTDOWN),
           np.where(np.less(t, init_until), int(State.INIT),
           np.where(np.less(t, busy_until), int(State.INVOKE), int(State.IDLE)))))
