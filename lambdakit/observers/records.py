"""The per-attempt record and the per-event table: lambdakit's single source of truth.

Every invocation attempt — run, failed, timed out or throttled — appends one row, with what
its handler printed and the error document it returned; every event (a request, an
asynchronous event, a batch from a poller) has one row in the :class:`EventTable` saying how
it stands. Logs, metrics, cost, dead letters and every widget are derived from these. Rows
are stored column by column (plain lists while a run appends, NumPy arrays once read) so
millions of invocations stay cheap; :class:`Record` is the frozen value one row reads as.

Example:
    >>> store = RecordStore(seed=7)
    >>> g = store.group("f", "$LATEST", 128, "sync", 40)
    >>> store.append(0, 0, g, 0, True, 0.0, 0.0, 80.0, 2.5, "ok")
    0
    >>> r = store[0]
    >>> (r.outcome, r.billed_ms, r.cold)
    ('ok', 83, True)
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.ids import request_id

if TYPE_CHECKING:
    import pandas as pd

OUTCOMES = ("ok", "error", "timeout", "throttled", "expired")
OUTCOME_CODES = {name: code for code, name in enumerate(OUTCOMES)}

COLUMNS = (
    "event",  # event number: every attempt of one event shares it (and its request id)
    "attempt",  # 0 for the first try, 1 and 2 for asynchronous retries
    "function",
    "version",  # the version that ran ("$LATEST" or a number)
    "env",  # execution environment id, -1 when no environment ran it
    "cold",  # True when this attempt paid a cold start
    "arrival_s",  # when the event reached Lambda (virtual seconds)
    "start_s",  # when this attempt started (init first, when cold)
    "init_ms",  # Init Duration (0 when warm)
    "duration_ms",  # Duration (the invoke phase)
    "outcome",  # ok | error | timeout | throttled | expired
    "error_type",  # e.g. "ZeroDivisionError", "Sandbox.Timedout", None
    "source",  # sync | async | an event source name
    "memory_mb",
    "max_memory_mb",
)


def billed_ms(duration_ms: float, init_ms: float) -> int:
    """Billed Duration: ceil(Duration + Init Duration) in ms — init billed since 1 Aug 2025
    (facts §1.5 [S19]). Throttled attempts bill nothing."""
    return int(math.ceil(round(duration_ms + init_ms, 6)))


@dataclass(frozen=True, slots=True)
class Record:
    """One invocation attempt (read-only)."""

    index: int
    event: int
    attempt: int
    function: str
    version: str
    env: int
    cold: bool
    arrival_s: float
    start_s: float
    init_ms: float
    duration_ms: float
    outcome: str
    error_type: str | None
    source: str
    memory_mb: int
    max_memory_mb: int
    request_id: str

    @property
    def billed_ms(self) -> int:
        return 0 if self.outcome in ("throttled", "expired") else billed_ms(
            self.duration_ms, self.init_ms)

    @property
    def end_s(self) -> float:
        """When the attempt ended: the same sum, in the same order, the engine schedules."""
        return self.start_s + self.init_ms / 1000.0 + self.duration_ms / 1000.0


class RecordStore:
    """Columnar, append-only store of attempt records.

    Hot columns are ``array.array`` buffers (8 bytes a float, viewed as NumPy arrays without a
    copy); what is constant for a function version and a source — function, version, memory,
    source, max memory used — is stored once in a *group* table and referenced by number.
    """

    _TYPES = (("event", "q"), ("attempt", "b"), ("group", "i"), ("env", "i"), ("cold", "b"),
              ("arrival_s", "d"), ("start_s", "d"), ("init_ms", "d"), ("duration_ms", "d"),
              ("outcome", "b"))

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.raw: dict[str, array] = {name: array(code) for name, code in self._TYPES}
        # (function, version, memory_mb, source, max_memory_mb) per group
        self.groups: list[tuple[str, str, int, str, int]] = []
        self._group_ids: dict[tuple[str, str, int, str, int], int] = {}
        self.error_types: dict[int, str] = {}  # row -> error type (sparse)
        # what the handler wrote: row -> [(seconds into the attempt, level or None, text)]
        self.outputs: dict[int, list[tuple[float, str | None, str]]] = {}
        self.error_docs: dict[int, dict[str, Any]] = {}  # row -> the error document returned
        self._arrays: dict[str, np.ndarray] | None = None
        self.appenders = tuple(self.raw[name].append for name, _ in self._TYPES)

    def group(self, function: str, version: str, memory_mb: int, source: str,
              max_memory_mb: int) -> int:
        """The group number for these constant fields (created on first use)."""
        key = (function, version, memory_mb, source, max_memory_mb)
        g = self._group_ids.get(key)
        if g is None:
            g = self._group_ids[key] = len(self.groups)
            self.groups.append(key)
        return g

    def append(self, event: int, attempt: int, group: int, env: int, cold: bool,
               arrival_s: float, start_s: float, init_ms: float, duration_ms: float,
               outcome: str, error_type: str | None = None) -> int:
        """Add one row; returns its index."""
        a = self.appenders
        a[0](event)
        a[1](attempt)
        a[2](group)
        a[3](env)
        a[4](cold)
        a[5](arrival_s)
        a[6](start_s)
        a[7](init_ms)
        a[8](duration_ms)
        a[9](OUTCOME_CODES[outcome])
        i = len(self.raw["event"]) - 1
        if error_type is not None:
            self.error_types[i] = error_type
        self._arrays = None
        return i

    def extend(self, columns: dict[str, np.ndarray | list[Any]],
               error_types: dict[int, str] | None = None) -> None:
        """Append a block of rows given column by column (the simulator's batch path)."""
        base = len(self)
        for name, code in self._TYPES:
            col = np.ascontiguousarray(columns[name], dtype=np.dtype(code))
            self.raw[name].frombytes(col.data.cast("B"))
        for i, t in (error_types or {}).items():
            self.error_types[base + i] = t
        self._arrays = None

    def __len__(self) -> int:
        return len(self.raw["event"])

    def __getitem__(self, i: int) -> Record:
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(f"record {i} out of range (0..{n - 1})")
        r = self.raw
        fn, ver, mem, src, maxmem = self.groups[r["group"][i]]
        ev = r["event"][i]
        return Record(i, ev, r["attempt"][i], fn, ver, r["env"][i], bool(r["cold"][i]),
                      r["arrival_s"][i], r["start_s"][i], r["init_ms"][i], r["duration_ms"][i],
                      OUTCOMES[r["outcome"][i]], self.error_types.get(i), src, mem, maxmem,
                      request_id(self.seed, ev))

    def __iter__(self) -> Iterator[Record]:
        return (self[i] for i in range(len(self)))

    def arrays(self) -> dict[str, np.ndarray]:
        """All columns as NumPy arrays (cached until the next append), plus derived
        ``billed_ms`` and ``end_s``; group fields are expanded."""
        if self._arrays is None:
            arr: dict[str, np.ndarray] = {}
            for name, code in self._TYPES:
                a = self.raw[name]
                arr[name] = (np.frombuffer(a, dtype=np.dtype(code)).copy() if len(a)
                             else np.zeros(0, dtype=np.dtype(code)))
            arr["cold"] = arr["cold"].astype(bool)
            g = arr["group"]
            groups = self.groups or [("", "", 0, "", 0)]
            for k, name in enumerate(("function", "version", "memory_mb", "source",
                                      "max_memory_mb")):
                table = np.asarray([grp[k] for grp in groups],
                                   dtype=object if k in (0, 1, 3) else np.int32)
                arr[name] = table[g]
            arr["outcome"] = np.asarray(OUTCOMES, dtype=object)[arr["outcome"]]
            err = np.full(len(g), None, dtype=object)
            for i, t in self.error_types.items():
                err[i] = t
            arr["error_type"] = err
            ran = (arr["outcome"] != "throttled") & (arr["outcome"] != "expired")
            total = np.round(arr["duration_ms"] + arr["init_ms"], 6)
            arr["billed_ms"] = np.where(ran, np.ceil(total), 0).astype(np.int64)
            arr["end_s"] = arr["start_s"] + arr["init_ms"] / 1000.0 + arr["duration_ms"] / 1000.0
            self._arrays = arr
        return self._arrays


class RecordTable:
    """What ``Platform.records()`` returns: a filtered, read-only view of the store.

    Example:
        >>> t = RecordTable(RecordStore(seed=1), None)
        >>> len(t), t.to_dataframe().shape[1] > 10
        (0, True)
    """

    def __init__(self, store: RecordStore, mask: np.ndarray | None) -> None:
        self._store = store
        self._idx = (np.arange(len(store)) if mask is None else np.flatnonzero(mask))

    def __len__(self) -> int:
        return len(self._idx)

    def __getitem__(self, i: int) -> Record:
        return self._store[int(self._idx[i])]

    def __iter__(self) -> Iterator[Record]:
        return (self._store[int(i)] for i in self._idx)

    def column(self, name: str) -> np.ndarray:
        """One column (NumPy array) for the selected rows."""
        return self._store.arrays()[name][self._idx]

    def request_ids(self) -> list[str]:
        """The request id of each selected row."""
        seed = self._store.seed
        return [request_id(seed, int(e)) for e in self._store.arrays()["event"][self._idx]]

    def to_dataframe(self) -> pd.DataFrame:
        """One row per attempt, with request ids and billed durations."""
        import pandas as pd

        arr = self._store.arrays()
        idx = self._idx
        data: dict[str, Any] = {}
        seed = self._store.seed
        data["request_id"] = [request_id(seed, int(e)) for e in arr["event"][idx]]
        for name in (*COLUMNS, "billed_ms", "end_s"):
            col = arr[name][idx]
            data[name] = (pd.Categorical(col) if col.dtype == object and name != "error_type"
                          else col)
        return pd.DataFrame(data)

    def __repr__(self) -> str:
        return f"<RecordTable: {len(self)} attempts>"


EVENT_STATUSES = ("pending", "running", "retrying", "ok", "error", "timeout", "throttled",
                  "dead-lettered", "expired")
STATUS_CODES = {name: code for code, name in enumerate(EVENT_STATUSES)}
_OPEN = (STATUS_CODES["pending"], STATUS_CODES["running"], STATUS_CODES["retrying"])


class EventTable:
    """One row per event: how it stands (:data:`EVENT_STATUSES`); for an asynchronous event
    in flight, its payload and the qualifier it was sent to; and, for every event that failed
    for good, the invocation record its destinations received (``failures``, in the order
    they failed).

    Example:
        >>> t = EventTable()
        >>> ev = t.new(); t[ev] = "retrying"; t.extend(2, "ok")
        >>> len(t), t[ev], t.counts()["ok"], t.any_open()
        (3, 'retrying', 2, True)
    """

    def __init__(self) -> None:
        self.codes = array("b")  # the status code of each event
        self.payloads: dict[int, str] = {}  # asynchronous events in flight: the JSON sent
        self.qualifiers: dict[int, str | None] = {}  # ... and the qualifier it was sent to
        self.failures: list[dict[str, Any]] = []

    def new(self, status: str = "pending") -> int:
        """Add one event; returns its number."""
        self.codes.append(STATUS_CODES[status])
        return len(self.codes) - 1

    def extend(self, n: int, status: str) -> None:
        """Add ``n`` events, all in ``status`` (the batch path)."""
        self.codes.frombytes(bytes([STATUS_CODES[status]]) * n)

    def truncate(self, n: int) -> None:
        """Forget every event from number ``n`` on (events reserved but never sent)."""
        del self.codes[n:]

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, event: int) -> str:
        return EVENT_STATUSES[self.codes[event]]

    def __setitem__(self, event: int, status: str) -> None:
        self.codes[event] = STATUS_CODES[status]

    def counts(self) -> Counter[str]:
        """How many events stand in each status (statuses with none are left out)."""
        n = np.bincount(np.frombuffer(self.codes, dtype=np.int8),
                        minlength=len(EVENT_STATUSES)) if len(self.codes) else ()
        return Counter({EVENT_STATUSES[c]: int(k) for c, k in enumerate(n) if k})

    def any_open(self) -> bool:
        """Is any event still pending, running or retrying?"""
        if not len(self.codes):
            return False
        return bool(np.isin(np.frombuffer(self.codes, dtype=np.int8), _OPEN).any())
