"""Read-only snapshots observers and widgets are given instead of the engine's own objects.

Example:
    >>> from lambdakit import Platform
    >>> p = Platform(seed=1)
    >>> _ = p.create_function("f", lambda e, c: None)
    >>> _ = p.invoke("f")
    >>> p.environments()[0]
    <Environment 0 f:$LATEST IDLE invocations=1>
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..function.config import FunctionConfig

__all__ = ["EnvironmentView"]


@dataclass(frozen=True, slots=True)
class EnvironmentView:
    """A read-only snapshot of one execution environment (a tile of the environment board)."""

    id: int
    function: str
    version: str
    state: str  # INIT | INVOKE | IDLE | SHUTDOWN, as of the platform's clock
    created_at: float
    ready_at: float
    shutdown_at: float | None
    shutdown_reason: str
    invocations: int
    provisioned: bool
    log_stream: str
    busy_until: float
    config: FunctionConfig  # the configuration it was created with (memory, runtime...)

    def __repr__(self) -> str:
        return (f"<Environment {self.id} {self.function}:{self.version} {self.state} "
                f"invocations={self.invocations}>")
