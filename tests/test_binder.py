"""binder/ builds an environment that runs the course: pins, runtime, postBuild, chapter 00.

The slow test simulates repo2docker without Docker (JUPYTER-NOTES §7): a fresh venv from the
Python that binder/runtime.txt names, ``pip install -r binder/requirements.txt``, then
``bash binder/postBuild`` with ``$NB_PYTHON_PREFIX`` set, then chapter 00 executed by papermill
in a kernel of that venv. pip's cache keeps repeat runs fast.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import nbformat
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
BINDER = ROOT / "binder"
CHAPTER = "00_welcome.ipynb"
_COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", "*.egg-info", "build", "artifacts", ".pytest_cache",
    ".mypy_cache", ".ruff_cache", ".hypothesis", ".ipynb_checkpoints", "node_modules",
)


def _pins() -> dict[str, str]:
    pins = {}
    for line in (BINDER / "requirements.txt").read_text("utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep, f"not an exact pin: {line!r}"
            pins[canonicalize_name(name)] = version
    return pins


def _declared() -> list[Requirement]:
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    deps = project["dependencies"] + project["optional-dependencies"]["course"]
    return [Requirement(d) for d in deps]


def _runtime_version() -> str:
    text = (BINDER / "runtime.txt").read_text("utf-8").strip()
    m = re.fullmatch(r"python-(3\.\d+)", text)
    assert m, f"repo2docker wants e.g. 'python-3.11', got {text!r}"
    return m.group(1)


def test_runtime_txt_names_a_supported_python() -> None:
    major, minor = map(int, _runtime_version().split("."))
    assert (major, minor) >= (3, 10)


def test_every_declared_dependency_is_pinned_and_satisfied() -> None:
    pins = _pins()
    for req in _declared():
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is declared in pyproject but not pinned in binder/"
        assert req.specifier.contains(pins[name], prereleases=True), f"{req} vs {pins[name]}"


def test_pins_are_the_versions_tested_in_the_venv() -> None:
    drift = {}
    for name, version in _pins().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = "missing"
        if installed != version:
            drift[name] = f"binder pins {version}, .venv has {installed}"
    assert drift == {}, "update binder/requirements.txt (or the venv): " + json.dumps(drift)


def test_pins_leave_out_dev_tools() -> None:
    assert not {"pytest", "mypy", "ruff", "playwright", "papermill", "nbval"} & set(_pins())


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


@pytest.mark.timeout(900)  # a cold pip cache downloads ~150 MB
def test_fresh_binder_environment_runs_chapter_00(
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
    out = tmp_path / CHAPTER
    pm.execute_notebook(
        str(repo / "course" / CHAPTER), str(out), parameters={"quick": True},
        kernel_name="lambdakit-binder", store_widget_state=False, cwd=str(repo / "course"),
        progress_bar=False,
    )
    times["papermill chapter 00"] = time.perf_counter() - t
    executed = nbformat.read(out, as_version=4)
    errors = [o for c in executed.cells if c.cell_type == "code"
              for o in c.outputs if o.output_type == "error"]
    assert errors == []
    env_check = next(c for c in executed.cells if "check_environment()" in c.source)
    assert "all 5 requirements met" in env_check.outputs[0]["data"]["text/plain"]
    times["total"] = time.perf_counter() - t0
    with capsys.disabled():
        print("\n[binder] " + ", ".join(f"{k}: {v:.1f} s" for k, v in times.items()), flush=True)
