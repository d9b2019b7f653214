"""Handler loading (fresh init per load), init errors, error documents and marshalling."""

from __future__ import annotations

import decimal
import doctest
import json
import pickle
import sys
import textwrap
from pathlib import Path

import pytest

from lambdakit.function import handlers
from lambdakit.function.handlers import (
    HandlerInitError,
    error_document,
    load_handler,
    marshal_response,
)

COUNTER = """
COUNT = 0

def handler(event, context):
    global COUNT
    COUNT += 1
    return COUNT
"""


def _write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture(autouse=True)
def _clean_modules():
    """Each test sees and leaves the same sys.modules / sys.path (helpers it imported dropped)."""
    modules, path = dict(sys.modules), list(sys.path)
    yield
    for name in set(sys.modules) - set(modules):
        del sys.modules[name]
    sys.path[:] = path


def test_doctests() -> None:
    assert doctest.testmod(handlers).failed == 0


def test_fresh_globals_per_load(tmp_path: Path) -> None:
    _write(tmp_path, "app.py", COUNTER)
    first = load_handler("app.handler", code_dir=tmp_path)
    assert [first.function({}, None) for _ in range(3)] == [1, 2, 3]
    second = load_handler("app.handler", code_dir=tmp_path)
    assert second.function({}, None) == 1  # a new environment starts from scratch
    assert first.function({}, None) == 4  # the old one keeps its state
    assert first.module is not second.module
    assert second.module is not None and second.module.COUNT == 1


def test_top_level_code_runs_each_load(tmp_path: Path) -> None:
    log = tmp_path / "inits.txt"
    _write(tmp_path, "app_init.py", f"""
        with open({str(log)!r}, "a") as f:
            f.write("init\\n")
        def handler(event, context):
            return None
    """)
    for _ in range(3):
        load_handler("app_init.handler", code_dir=tmp_path)
    assert log.read_text().splitlines() == ["init"] * 3


def test_sys_modules_and_path_restored(tmp_path: Path) -> None:
    _write(tmp_path, "app.py", COUNTER)
    sentinel = object()
    sys.modules["app"] = sentinel  # type: ignore[assignment]
    load_handler("app.handler", code_dir=tmp_path)
    assert sys.modules["app"] is sentinel
    del sys.modules["app"]
    load_handler("app.handler", code_dir=tmp_path)
    assert "app" not in sys.modules
    assert str(tmp_path) not in sys.path


def test_module_registered_during_exec(tmp_path: Path) -> None:
    # string annotations + ClassVar need sys.modules[__name__]; so does pickling at init
    _write(tmp_path, "app_dc.py", """
        from __future__ import annotations
        import pickle
        import sys
        from dataclasses import dataclass
        from typing import ClassVar

        @dataclass
        class Point:
            x: int
            KIND: ClassVar[str] = "pt"

        ROUND_TRIP = pickle.loads(pickle.dumps(Point(3)))
        SELF = sys.modules[__name__]

        def handler(event, context):
            return ROUND_TRIP.x
    """)
    loaded = load_handler("app_dc.handler", code_dir=tmp_path)
    assert loaded.function(None, None) == 3
    assert loaded.module is not None and loaded.module.SELF is loaded.module


def test_sibling_import_and_nested_spec(tmp_path: Path) -> None:
    _write(tmp_path, "lk_helper_a.py", "VALUE = 41\n")
    _write(tmp_path, "pkg_a/__init__.py", "")
    _write(tmp_path, "pkg_a/mod.py", """
        import lk_helper_a
        from . import util
        def handler(event, context):
            return lk_helper_a.VALUE + util.ONE
    """)
    _write(tmp_path, "pkg_a/util.py", "ONE = 1\n")
    loaded = load_handler("pkg_a/mod.handler", code_dir=tmp_path)
    assert loaded.function({}, None) == 42
    assert loaded.module is not None and loaded.module.__name__ == "pkg_a.mod"
    assert "lk_helper_a" in sys.modules  # submodules come from the normal import system


def test_lookup_on_sys_path_without_code_dir(tmp_path: Path, monkeypatch) -> None:
    _write(tmp_path, "lk_on_path.py", COUNTER)
    _write(tmp_path, "lk_nspkg/inner.py", COUNTER)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert load_handler("lk_on_path.handler").function({}, None) == 1
    assert load_handler("lk_on_path.handler").function({}, None) == 1
    assert load_handler("lk_nspkg/inner.handler").function({}, None) == 1


def test_inline_source(tmp_path: Path) -> None:
    _write(tmp_path, "lk_helper_b.py", "X = 'b'\n")
    src = "import lk_helper_b\nN = []\ndef handler(event, context):\n    N.append(event)\n" \
          "    return lk_helper_b.X * len(N)\n"
    loaded = load_handler("inline_app.handler", source=src, code_dir=tmp_path)
    assert [loaded.function(1, None), loaded.function(2, None)] == ["b", "bb"]
    again = load_handler("inline_app.handler", source=src, code_dir=tmp_path)
    assert again.function(1, None) == "b"
    assert "inline_app" not in sys.modules


def test_callable_spec_returned_as_is() -> None:
    def fn(event, context):
        return event

    loaded = load_handler(fn)
    assert loaded.function is fn and loaded.module is None
    with pytest.raises(TypeError, match="module.function"):
        load_handler(42)  # type: ignore[arg-type]


# ---- init errors ---------------------------------------------------------------------------


def _init_error(spec: str, **kw) -> HandlerInitError:
    with pytest.raises(HandlerInitError) as info:
        load_handler(spec, **kw)
    return info.value


def test_missing_module(tmp_path: Path) -> None:
    err = _init_error("app.handler", code_dir=tmp_path)
    assert err.error_type == "Runtime.ImportModuleError"
    assert err.message == "Unable to import module 'app': No module named 'app'"
    assert err.document() == {
        "errorMessage": "Unable to import module 'app': No module named 'app'",
        "errorType": "Runtime.ImportModuleError",
        "requestId": "",
        "stackTrace": [],
    }
    assert list(err.document()) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    err = _init_error("nopkg/mod.handler", code_dir=tmp_path)
    assert err.message == "Unable to import module 'nopkg/mod': No module named 'nopkg'"


def test_missing_dependency(tmp_path: Path) -> None:
    _write(tmp_path, "app.py", "import lk_not_installed_xyz\ndef handler(e, c):\n    pass\n")
    err = _init_error("app.handler", code_dir=tmp_path)
    assert err.error_type == "Runtime.ImportModuleError"
    assert err.message == "Unable to import module 'app': No module named 'lk_not_installed_xyz'"
    assert isinstance(err.__cause__, ModuleNotFoundError)


def test_handler_not_found(tmp_path: Path) -> None:
    _write(tmp_path, "app.py", COUNTER)
    err = _init_error("app.lambda_handlr", code_dir=tmp_path)
    assert err.error_type == "Runtime.HandlerNotFound"
    assert err.message == "Handler 'lambda_handlr' missing on module 'app'"


def test_malformed_handler_name() -> None:
    err = _init_error("x")
    assert err.error_type == "Runtime.MalformedHandlerName"
    assert err.message == "Bad handler 'x': not enough values to unpack (expected 2, got 1)"


def test_syntax_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "app.py", "def handler(e, c)\n    return 1\n")
    err = _init_error("app.handler", code_dir=tmp_path)
    assert err.error_type == "Runtime.UserCodeSyntaxError"
    assert err.message.startswith("Syntax error in module 'app': ")
    assert "line 1" in err.message
    assert err.stack_trace == [f'  File "{path}" Line 1\n    def handler(e, c)\n']
    assert err.document()["stackTrace"] == err.stack_trace


def test_builtin_module_conflict() -> None:
    err = _init_error("sys.handler")
    assert err.error_type == "Runtime.BuiltInModuleConflict"
    assert err.message == "Cannot use built-in module sys as a handler module"


def test_top_level_exception_keeps_its_type_and_user_frames(tmp_path: Path) -> None:
    _write(tmp_path, "app.py", """
        import os
        TABLE = os.environ["LK_SURELY_UNSET_TABLE"]
        def handler(e, c):
            return TABLE
    """)
    err = _init_error("app.handler", code_dir=tmp_path)
    assert (err.error_type, err.message) == ("KeyError", "'LK_SURELY_UNSET_TABLE'")
    assert len(err.stack_trace) >= 1
    assert err.stack_trace[0].startswith(f'  File "{tmp_path / "app.py"}", line 3, in <module>')
    assert not any("lambdakit" in f or "importlib" in f for f in err.stack_trace)


def test_exit_during_init(tmp_path: Path) -> None:
    _write(tmp_path, "app.py", "import sys\nsys.exit(3)\n")
    err = _init_error("app.handler", code_dir=tmp_path)
    assert err.error_type == "Runtime.ExitError"
    assert err.message == "Runtime exited with error: exit status 3"
    _write(tmp_path, "app0.py", "raise SystemExit\n")
    assert _init_error("app0.handler", code_dir=tmp_path).message == (
        "Runtime exited without providing a reason"
    )


def test_init_error_pickles() -> None:
    err = HandlerInitError("Runtime.HandlerNotFound", "m", ["  File x\n"])
    copy = pickle.loads(pickle.dumps(err))
    assert (copy.error_type, copy.message) == ("Runtime.HandlerNotFound", "m")
    assert copy.stack_trace == ["  File x\n"]
    assert str(copy) == "Runtime.HandlerNotFound: m"


# ---- error documents -----------------------------------------------------------------------


def test_error_document_from_handler_exception(tmp_path: Path) -> None:
    _write(tmp_path, "app.py", """
        ACTIONS = {}

        def lambda_handler(event, context):
            return ACTIONS[event['action']](event['number'])
    """)
    loaded = load_handler("app.lambda_handler", code_dir=tmp_path)
    with pytest.raises(KeyError) as info:
        loaded.function({"action": "square", "number": 3}, None)
    doc = error_document(info.value, "req-1")
    assert list(doc) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert (doc["errorMessage"], doc["errorType"], doc["requestId"]) == (
        "'square'", "KeyError", "req-1")
    assert doc["stackTrace"][-1] == (
        f'  File "{tmp_path / "app.py"}", line 5, in lambda_handler\n'
        "    return ACTIONS[event['action']](event['number'])\n"
    )
    assert json.loads(json.dumps(doc)) == doc


def test_error_document_inline_source_shows_lines_and_drops_lambdakit() -> None:
    src = "def handler(event, context):\n    raise ValueError('bad ' + event)\n"
    loaded = load_handler("inl.handler", source=src)
    try:
        loaded.function("input", None)
    except ValueError as e:
        doc = error_document(e, "r")
    assert doc["errorMessage"] == "bad input" and doc["errorType"] == "ValueError"
    assert doc["stackTrace"][-1] == (
        '  File "<inline:inl.py>", line 2, in handler\n'
        "    raise ValueError('bad ' + event)\n"
    )
    assert not any(handlers.__file__ in f for f in doc["stackTrace"])


def test_error_document_of_init_error_and_empty_message() -> None:
    init = HandlerInitError("Runtime.ImportModuleError", "Unable to import module 'a': x")
    assert error_document(init, "r2") == {**init.document(), "requestId": "r2"}
    doc = error_document(RuntimeError(), "r3")
    assert doc["errorMessage"] == "" and doc["stackTrace"] == []


# ---- marshalling ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, "null"), ({"a": [1, 2.5, "x", True]}, '{"a": [1, 2.5, "x", true]}'),
     ((1, 2), "[1, 2]"), ("é", '"\\u00e9"'), (decimal.Decimal("5"), "5"),
     ({"n": decimal.Decimal("1.5")}, '{"n": 1.5}'), (float("nan"), "NaN")],
)
def test_marshal_ok(value: object, text: str) -> None:
    assert marshal_response(value) == (text, None)


def test_marshal_bytes_pass_through() -> None:
    assert marshal_response(b"\x00\xffraw") == (b"\x00\xffraw", None)


@pytest.mark.parametrize(
    ("value", "reason"),
    [({1, 2}, "Object of type set is not JSON serializable"),
     ({"when": object()}, "Object of type object is not JSON serializable"),
     ({(1, 2): "k"}, "keys must be str, int, float, bool or None, not tuple")],
)
def test_marshal_errors(value: object, reason: str) -> None:
    text, err = marshal_response(value, request_id="req-9")
    assert text is None
    assert err == {
        "errorMessage": f"Unable to marshal response: {reason}",
        "errorType": "Runtime.MarshalError",
        "requestId": "req-9",
        "stackTrace": [],
    }


def test_marshal_circular_reference() -> None:
    loop: list[object] = []
    loop.append(loop)
    _, err = marshal_response(loop)
    assert err is not None and err["errorMessage"] == (
        "Unable to marshal response: Circular reference detected"
    )


def test_a_handlers_stack_trace_shows_only_its_own_frames_on_every_path() -> None:
    """lambdakit plays the runtime's part: none of its frames reach the error document, whether
    the attempt ran alone (sandbox) or inside a workload batch."""
    from lambdakit import Fixed, Platform, Poisson

    p = Platform(seed=4)
    p.create_function("f", "app.handler", source="def handler(e, c):\n    raise KeyError('x')\n",
                      duration=Fixed(5))
    single = p.invoke("f").payload
    p.run(Poisson(20), function="f", duration_s=2, progress=False)
    docs = [p.error_document(r.index) for r in p.records("f")]
    assert len(docs) > 5 and single == docs[0]
    for doc in docs:
        assert doc is not None and len(doc["stackTrace"]) == 1
        assert "<inline:app.py>" in doc["stackTrace"][0] and "lambdakit" not in doc["stackTrace"][0]
