"""The seeded platform the widget tests render: every state a board or timeline must show."""

from __future__ import annotations

import time

from lambdakit import Burst, Fixed, FixedKeepAlive, Platform


def _handler(event: dict, context: object) -> dict:
    if event.get("fail"):
        raise ValueError("boom")
    if event.get("slow"):
        time.sleep(5)  # virtual time: longer than the 3 s timeout
    return {"ok": True}


def scenario() -> Platform:
    """Cold starts, warm hits, an error, a timeout (reset), an expiry, a throttle, a busy env."""
    p = Platform(seed=7, keep_alive=FixedKeepAlive(idle_s=60, max_lifetime_s=None))
    p.create_function("api", _handler, timeout_s=3, duration=Fixed(100),
                      init_duration=Fixed(80), reserved_concurrency=2)
    p.invoke("api", {})  # env 0 cold
    p.invoke("api", {})  # env 0 warm
    p.invoke("api", {"fail": True})  # error
    p.invoke("api", {"slow": True})  # timeout: env 0 is reset
    p.invoke("api", {})  # env 1 cold; expires 60 s later
    p.advance(120)
    p.run(Burst(3), function="api", duration_s=1.0, progress=False)  # 2 cold + 1 throttled
    p.run(Burst(1, at_s=0.5), function="api", duration_s=0.55, progress=False)  # busy at the end
    return p


def two_functions_with_pc() -> Platform:
    """Function "a" (on demand, invoked once) and "b" with 2 provisioned environments on v1."""
    p = Platform(seed=3)
    p.create_function("a", lambda e, c: 1)
    p.create_function("b", lambda e, c: 2)
    p.publish_version("b")
    p.put_provisioned_concurrency("b", "1", 2)
    p.invoke("a", {})
    return p
