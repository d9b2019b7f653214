"""The platform's core, the simulated engine: the clock and event loop, the environment
lifecycle, pools, concurrency and routing, attempts in the sandbox, the asynchronous path and
the compiled kernel for workload batches.
"""
