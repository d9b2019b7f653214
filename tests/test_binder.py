"""One lock, two consumers: requirements.lock (make) and binder/requirements.txt (Binder).

``make lock`` resolves ``requirements.lock`` from pyproject.toml with uv (every extra, every
platform, Python >= 3.10) and then compiles Binder's file as the course subset of it. These
tests check what can really go wrong without asking a package index what it has today: every
pin satisfies pyproject's bounds, the lock covers every declared dependency, Binder's pins are
the lock's pins, no dev tool reaches Binder.

The slow test simulates repo2docker without Docker (JUPYTER-NOTES §7): a fresh venv from the
Python that binder/runtime.txt names, ``pip install -r binder/requirements.txt``, then
``bash binder/postBuild`` with ``$NB_PYTHON_PREFIX`` set, then every student chapter executed
by papermill in a kernel of that venv. pip's cache keeps repeat runs fast.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import nbformat
import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
BINDER = ROOT / "binder"
LOCK = ROOT / "requirements.lock"
CHAPTERS = sorted((ROOT / "course").glob("*.ipynb"))
DEV_TOOLS = {"pytest", "mypy", "ruff", "playwright", "papermill", "nbval", "hypothesis", "uv",
             "simfaas"}
_COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", "*.egg-info", "build", "artifacts", ".pytest_cache",
    ".mypy_cache", ".ruff_cache", ".hypothesis", ".ipynb_checkpoints", "node_modules",
)


def _environment(python: str, system: str = "linux") -> dict[str, str]:
    """Marker variables of CPython ``python`` ("3.11" means 3.11.0, as uv reads it)."""
    full = python if python.count(".") == 2 else f"{python}.0"
    return {"python_version": ".".join(full.split(".")[:2]), "python_full_version": full,
            "sys_platform": system, "platform_system": system.capitalize(),
            "platform_python_implementation": "CPython", "implementation_name": "cpython",
            "platform_machine": "x86_64", "os_name": "posix", "extra": ""}


def _read_pins(path: Path) -> list[tuple[str, str, Marker | None]]:
    """(canonical name, version, marker) for every ``name==version ; marker`` line."""
    pins = []
    for line in path.read_text("utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        req = Requirement(line)
        specs = list(req.specifier)
        assert len(specs) == 1 and specs[0].operator == "==", f"not an exact pin: {line!r}"
        pins.append((canonicalize_name(req.name), specs[0].version, req.marker))
    return pins


def _pins_for(path: Path, python: str, system: str = "linux") -> dict[str, str]:
    """The pins of ``path`` that apply to ``python`` on ``system`` (one version a name)."""
    env = _environment(python, system)
    chosen: dict[str, str] = {}
    for name, version, marker in _read_pins(path):
        if marker is None or marker.evaluate(env):
            assert chosen.get(name, version) == version, f"{name} pinned twice in {path.name}"
            chosen[name] = version
    return chosen


def _pyproject() -> dict:
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]


def _declared(*extras: str) -> list[Requirement]:
    """Run-time dependencies plus those of ``extras`` (self-references expanded)."""
    project = _pyproject()
    reqs, todo, seen = [Requirement(d) for d in project["dependencies"]], list(extras), set()
    while todo:
        extra = todo.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for d in project["optional-dependencies"][extra]:
            req = Requirement(d)
            if canonicalize_name(req.name) == "lambdakit":
                todo.extend(req.extras)
            else:
                reqs.append(req)
    return reqs


def _runtime_version() -> str:
    text = (BINDER / "runtime.txt").read_text("utf-8").strip()
    m = re.fullmatch(r"python-(3\.\d+)", text)
    assert m, f"repo2docker wants e.g. 'python-3.11', got {text!r}"
    return m.group(1)


def test_runtime_txt_names_a_supported_python() -> None:
    major, minor = map(int, _runtime_version().split("."))
    assert (major, minor) >= (3, 10)


@pytest.mark.parametrize("python", ["3.10", "3.11", "3.12", "3.13"])
def test_the_lock_pins_every_declared_dependency_within_its_bounds(python: str) -> None:
    pins = _pins_for(LOCK, python)
    env = _environment(python)
    for req in _declared("dev"):
        if req.marker is not None and not req.marker.evaluate(env):
            continue
        name = canonicalize_name(req.name)
        assert name in pins, f"{req} is declared in pyproject.toml but not in the lock: make lock"
        assert req.specifier.contains(pins[name], prereleases=True), f"{req} vs {pins[name]}"


def test_the_lock_skips_numba_where_the_marker_says_so() -> None:
    assert "numba" in _pins_for(LOCK, "3.11")
    assert "numba" not in _pins_for(LOCK, "3.15")


def test_binder_pins_are_the_locks_pins_for_the_course() -> None:
    python = _runtime_version()
    binder, lock = _pins_for(BINDER / "requirements.txt", python), _pins_for(LOCK, python)
    differ = {n: f"binder {v}, lock {lock.get(n, 'missing')}" for n, v in binder.items()
              if lock.get(n) != v}
    assert differ == {}, "run `make lock`: " + json.dumps(differ)
    for req in _declared("course"):
        name = canonicalize_name(req.name)
        assert name in binder, f"{req.name} is a course dependency but not pinned in binder/"
        assert req.specifier.contains(binder[name], prereleases=True)


def test_binder_leaves_out_dev_tools() -> None:
    assert not DEV_TOOLS & set(_pins_for(BINDER / "requirements.txt", _runtime_version()))


def test_the_venv_that_make_built_has_the_locked_versions() -> None:
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        pytest.skip("not running in the project's .venv (make builds it from the lock)")
    drift = {}
    for name, version in _pins_for(LOCK, platform.python_version(), sys.platform).items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue  # e.g. a pin of another platform's branch
        if installed != version:
            drift[name] = f"lock {version}, .venv {installed}"
    assert drift == {}, "the .venv is not the locked one (make clean test): " + json.dumps(drift)


def test_postbuild_installs_the_project_and_silences_news() -> None:
    post = BINDER / "postBuild"
    text = post.read_text("utf-8")
    assert os.access(post, os.X_OK), "repo2docker runs postBuild only if it is executable"
    assert text.startswith("#!/usr/bin/env bash") and "set -euo pipefail" in text
    assert "pip install --no-cache-dir --no-deps ." in text
    assert '"fetchNews": "false"' in text


def _interpreter(version: str) -> str | None:
    """A Python matching runtime.txt: this venv's base interpreter, else python3.X on PATH."""
    if f"{sys.version_info[0]}.{sys.version_info[1]}" == version:
        return getattr(sys, "_base_executable", sys.executable)
    return shutil.which(f"python{version}")


def _run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)  # type: ignore[call-overload]
    assert proc.returncode == 0, f"{cmd[:4]} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.mark.timeout(1200)  # a cold pip cache downloads ~150 MB
def test_fresh_binder_environment_runs_every_chapter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import papermill as pm

    python = _interpreter(_runtime_version())
    if python is None:
        msg = f"no python{_runtime_version()} to match binder/runtime.txt"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    repo = tmp_path / "repo"
    shutil.copytree(ROOT, repo, ignore=_COPY_IGNORE)
    env_dir = tmp_path / "srv-conda"
    env_py = env_dir / "bin" / "python"
    _run([python, "-m", "venv", str(env_dir)])
    _run([str(env_py), "-m", "pip", "install", "-q", "--no-compile", "-r",
          str(repo / "binder" / "requirements.txt")], cwd=repo)
    times["venv + requirements"] = time.perf_counter() - t0

    t = time.perf_counter()
    child_env = {**os.environ, "NB_PYTHON_PREFIX": str(env_dir),
                 "PATH": f"{env_dir / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    child_env.pop("PYTHONPATH", None)
    _run(["bash", str(repo / "binder" / "postBuild")], cwd=repo, env=child_env)
    times["postBuild"] = time.perf_counter() - t

    overrides = env_dir / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    news = json.loads(overrides.read_text("utf-8"))["@jupyterlab/apputils-extension:notification"]
    assert news == {"fetchNews": "false", "checkForUpdates": False}
    where = _run([str(env_py), "-c", "import lambdakit, widgets; print(lambdakit.__file__); "
                  "print(widgets.__file__)"], cwd=tmp_path, env=child_env).stdout.split()
    assert all(str(env_dir) in p for p in where), f"imported from outside the env: {where}"
    exts = _run([str(env_dir / "bin" / "jupyter"), "labextension", "list"], env=child_env)
    listing = exts.stdout + exts.stderr
    for ext in ("@jupyter-widgets/jupyterlab-manager", "anywidget", "jupyterlab-plotly"):
        assert ext in listing, f"lab extension {ext} missing:\n{listing}"

    t = time.perf_counter()
    kernels = tmp_path / "kernels"
    _run([str(env_py), "-m", "ipykernel", "install", "--prefix", str(kernels),
          "--name", "lambdakit-binder"], env=child_env)
    monkeypatch.setenv("JUPYTER_PATH", str(kernels / "share" / "jupyter"))
    monkeypatch.delenv("PYTHONPATH", raising=False)
    for chapter in CHAPTERS:
        t = time.perf_counter()
        out = tmp_path / chapter.name
        pm.execute_notebook(
            str(repo / "course" / chapter.name), str(out), parameters={"quick": True},
            kernel_name="lambdakit-binder", store_widget_state=False, cwd=str(repo / "course"),
            progress_bar=False,
        )
        times[chapter.stem] = time.perf_counter() - t
        executed = nbformat.read(out, as_version=4)
        errors = [o for c in executed.cells if c.cell_type == "code"
                  for o in c.outputs if o.output_type == "error"]
        assert errors == [], f"{chapter.name}: {errors}"
        if chapter.name == "00_welcome.ipynb":
            env_check = next(c for c in executed.cells if "check_environment()" in c.source)
            assert "all 5 requirements met" in env_check.outputs[0]["data"]["text/plain"]
    times["total"] = time.perf_counter() - t0
    with capsys.disabled():
        print("\n[binder] " + ", ".join(f"{k}: {v:.1f} s" for k, v in times.items()), flush=True)
