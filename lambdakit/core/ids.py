"""Deterministic identifiers: request ids and environment GUIDs derived from (seed, number).

Derived on demand, never stored per invocation: the simulator keeps integers and formats ids
only when a log line, a context or a DataFrame needs them.

Example:
    >>> request_id(1, 0) == request_id(1, 0) != request_id(1, 1)
    True
    >>> len(request_id(1, 0)), request_id(1, 0)[14]
    (36, '4')
"""

from __future__ import annotations

_MASK = (1 << 64) - 1


def _mix(x: int) -> int:
    """splitmix64 finaliser."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def _uuid_int(seed: int, salt: int, n: int) -> int:
    hi = _mix((seed * 0x100000001B3) ^ (salt << 56) ^ n)
    lo = _mix(hi ^ (n * 0xD6E8FEB86659FD93))
    v = (hi << 64) | lo
    # version 4, RFC 4122 variant — shaped like the ids Lambda prints
    v = (v & ~(0xF << 76)) | (4 << 76)
    return (v & ~(0x3 << 62)) | (0x2 << 62)


def request_id(seed: int, n: int) -> str:
    """The AWS request id of event number ``n`` (retries of one event share it)."""
    h = f"{_uuid_int(seed, 1, n):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def environment_guid(seed: int, n: int) -> str:
    """The 32-hex GUID in environment ``n``'s log stream name."""
    return f"{_uuid_int(seed, 2, n):032x}"
