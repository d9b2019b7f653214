"""The batch path (numba or pure-Python kernel) and the general event loop: same records."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambdakit import Burst, Exponential, FixedKeepAlive, Platform, Poisson
from lambdakit.core import kernel

SOURCE = """
import time
def handler(event, context):
    i = event["i"]
    if i % event["fail"] == 0:
        raise ValueError("injected")
    if i % event["sleep"] == 0:
        time.sleep(event["nap"])       # virtual; sometimes past the 2 s timeout
    return {"i": i}
"""


def _records(s: dict, general: bool):
    p = Platform(seed=s["seed"], routing=s["routing"], account_concurrency=s["account"],
                 keep_alive=FixedKeepAlive(idle_s=s["idle"], max_lifetime_s=s["life"]))
    p.create_function("f", "app.handler", source=SOURCE, timeout_s=2,
                      duration=Exponential(s["mean_ms"]), reserved_concurrency=s["reserved"])
    if general:  # anything queued on the clock keeps the run off the batch path
        p.call_at(10_000.0, lambda t: None)
    p.run(Poisson(s["rate"]) + Burst(s["burst"], at_s=3.0), function="f", duration_s=60,
          event=lambda i: {"i": i, "fail": s["fail"], "sleep": s["sleep"], "nap": s["nap"]},
          progress=False)
    return p.records().to_dataframe(), [
        (e.id, e.state, e.created_at, e.shutdown_at) for e in p.environments("f")]


SCENARIOS = st.fixed_dictionaries({
    "seed": st.integers(0, 1000), "routing": st.sampled_from(["most-recently-idle",
                                                             "newest-created"]),
    "account": st.integers(150, 400), "reserved": st.one_of(st.none(), st.integers(0, 40)),
    "idle": st.floats(0.5, 30.0), "life": st.one_of(st.none(), st.floats(5.0, 100.0)),
    "mean_ms": st.floats(1.0, 3000.0), "rate": st.floats(0.5, 30.0),
    "burst": st.integers(0, 200), "fail": st.integers(3, 40), "sleep": st.integers(3, 40),
    "nap": st.floats(0.0, 3.0)})


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SCENARIOS)
def test_batch_kernel_matches_general_loop(s: dict) -> None:
    batch, envs_batch = _records(s, general=False)
    loop, envs_loop = _records(s, general=True)
    assert batch.equals(loop)
    assert envs_batch == envs_loop


# --- the two kernel backends: numba (when installed) and pure Python give the same records ---

def _numba_or_skip() -> None:
    try:
        import numba  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("numba is part of the test environment (the 'fast' extra) but missing")
        pytest.skip("numba not installed: only the pure-Python kernel can run here")


@pytest.fixture
def restore_backend() -> Iterator[None]:
    yield
    kernel.use_backend("auto")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(s=SCENARIOS)
def test_numba_and_python_kernels_give_identical_records(s: dict, restore_backend: None) -> None:
    _numba_or_skip()
    assert kernel.use_backend("numba") == "numba"
    compiled, envs_compiled = _records(s, general=False)
    assert kernel.use_backend("python") == "python"
    python, envs_python = _records(s, general=False)
    assert len(compiled) > 0 and compiled.equals(python)
    assert envs_compiled == envs_python


def test_the_python_kernel_matches_the_general_loop(restore_backend: None) -> None:
    s = {"seed": 7, "routing": "newest-created", "account": 200, "reserved": 30, "idle": 4.0,
         "life": 50.0, "mean_ms": 900.0, "rate": 25.0, "burst": 150, "fail": 11, "sleep": 7,
         "nap": 2.5}
    kernel.use_backend("python")
    batch, envs_batch = _records(s, general=False)
    loop, envs_loop = _records(s, general=True)
    assert (batch.outcome == "throttled").any() and batch.cold.any()
    assert batch.equals(loop) and envs_batch == envs_loop


_WITHOUT_NUMBA = """
import sys
sys.modules["numba"] = None          # as on a Python that numba has no wheels for yet
import lambdakit
from lambdakit import Platform, Poisson
from lambdakit.core import kernel
p = Platform(seed=3)
p.create_function("f", lambda event, context: {"ok": True})
p.run(Poisson(200), function="f", duration_s=30, progress=False)
print(kernel.backend(), len(p.records("f")), p.metrics("f").invocations)
"""


def test_lambdakit_runs_without_numba() -> None:
    proc = subprocess.run([sys.executable, "-c", _WITHOUT_NUMBA], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    name, records, invocations = proc.stdout.split()
    assert name == "python" and int(records) == int(invocations) > 5000


def test_backend_can_be_forced_by_environment_variable() -> None:
    code = ("import sys; from lambdakit.core import kernel; "
            "print(kernel.backend(), 'numba' in sys.modules)")
    env = {**os.environ, "LAMBDAKIT_KERNEL": "python"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["python", "False"]


def test_unknown_backend_is_refused(restore_backend: None) -> None:
    with pytest.raises(ValueError, match="numba, python, auto; got 'cuda'"):
        kernel.use_backend("cuda")
