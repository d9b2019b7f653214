"""lambdakit — learn AWS Lambda by running it.

A small runtime that simulates (by default) or locally executes Lambda-style functions:
events, execution environments, cold starts, warm reuse, scaling, throttling, retries,
logs, metrics and cost.

Example:
    >>> from lambdakit import Platform
    >>> p = Platform(seed=1)
    >>> _ = p.create_function("hello", lambda event, context: {"ok": True})
    >>> p.invoke("hello", {}).payload
    {'ok': True}
"""

__version__ = "0.1.0"
