"""The query API observers read: what logs, metrics and cost need of a platform.

:class:`lambdakit.Platform` provides it; observers depend on this interface, not on the
platform (which uses them), so anything that answers these questions can be observed.

Example:
    >>> from lambdakit import Platform
    >>> isinstance(Platform(), PlatformQuery)
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np

    from ..function.config import FunctionConfig
    from .records import Record
    from .views import EnvironmentView

__all__ = ["PlatformQuery"]


@runtime_checkable
class PlatformQuery(Protocol):
    """Records, events and environments, as the platform's query API answers them."""

    @property
    def now(self) -> float: ...
    @property
    def epoch_s(self) -> float: ...
    @property
    def region(self) -> str: ...
    @property
    def dead_letters(self) -> list[dict[str, Any]]: ...

    def record(self, index: int) -> Record: ...
    def record_columns(self) -> dict[str, np.ndarray]: ...
    def output_lines(self, index: int) -> list[tuple[float, str | None, str]]: ...
    def error_document(self, index: int) -> dict[str, Any] | None: ...
    def environments(self, name: str | None = None, *,
                     sweep: bool = True) -> list[EnvironmentView]: ...
    def get_function(self, name: str, qualifier: str | None = None) -> FunctionConfig: ...
