"""Load a handler the way the Python runtime does, and shape its errors like the runtime.

:func:`load_handler` resolves ``"pkg/mod.func"`` like ``awslambdaric/bootstrap.py``
(``rsplit(".", 1)``, ``/`` → ``.``) [S20:bootstrap.py] and executes the module's top-level code
in a **fresh module instance on every call**: that execution is the cold start's "function init"
[S1], so module globals belong to one execution environment (one :class:`LoadedHandler`).

What is fresh and what is shared:

* the handler module itself is new each call; while its code runs it is registered in
  ``sys.modules`` under its name (so ``dataclasses``, ``pickle`` and self-imports work), then
  whatever was there before is put back. Pickling its objects *later* therefore fails or finds
  another instance — the same caveat as any module that is not importable by name;
* modules the handler imports (``import helper``, ``import requests``, parent packages) go
  through the normal import system and may come from ``sys.modules``: their state is shared by
  every environment in this process. The local engine, one OS process per environment, does not
  share them;
* ``code_dir`` (Lambda's ``/var/task``) is put at the front of ``sys.path`` only while the module
  executes, so top-level imports of sibling modules work; an ``import`` of a sibling deferred to
  call time resolves against the ordinary ``sys.path``.

Errors follow the runtime [S20:bootstrap.py][S20:lambda_runtime_exception.py] (facts §6.4).

Example:
    >>> h = load_handler("app.handler", source="N = 0\\ndef handler(e, c):\\n    return e * 2\\n")
    >>> h.function(21, None), h.module.N
    (42, 0)
    >>> marshal_response({"ok": True})
    ('{"ok": true}', None)
"""

from __future__ import annotations

import decimal
import importlib
import importlib.util
import json
import linecache
import math
import os
import sys
import traceback
import types
from collections.abc import Callable
from dataclasses import dataclass
from importlib.machinery import ModuleSpec, PathFinder
from typing import Any

__all__ = [
    "BUILT_IN_MODULE_CONFLICT",
    "EXIT_ERROR",
    "HANDLER_NOT_FOUND",
    "IMPORT_MODULE_ERROR",
    "MALFORMED_HANDLER_NAME",
    "MARSHAL_ERROR",
    "USER_CODE_SYNTAX_ERROR",
    "HandlerInitError",
    "LoadedHandler",
    "error_document",
    "load_handler",
    "marshal_response",
]

# errorType values [S20:lambda_runtime_exception.py]; EXIT_ERROR [S1]
IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
MARSHAL_ERROR = "Runtime.MarshalError"
EXIT_ERROR = "Runtime.ExitError"

_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep  # lambdakit/
_IMPORTLIB_DIR = os.path.dirname(os.path.abspath(importlib.__file__)) + os.sep
_MISSING = object()


def _make_error(
    message: str | None, error_type: str | None, stack_trace: list[str] | None, request_id: str
) -> dict[str, Any]:
    """The error document, keys in ``make_error``'s order [S20:bootstrap.py]."""
    return {
        "errorMessage": message if message else "",
        "errorType": error_type if error_type else "",
        "requestId": request_id,
        "stackTrace": stack_trace if stack_trace else [],
    }


class HandlerInitError(Exception):
    """A failure of the Init phase, in the runtime's terms (facts §6.4 [S20]).

    ``error_type`` is one of the ``Runtime.*`` constants of this module, or the exception's
    class name when the module's top-level code raised (e.g. ``KeyError``), as the runtime
    reports it.

    >>> e = HandlerInitError(HANDLER_NOT_FOUND, "Handler 'f' missing on module 'app'")
    >>> e.document()
    {'errorMessage': "Handler 'f' missing on module 'app'", 'errorType': 'Runtime.HandlerNotFound', 'requestId': '', 'stackTrace': []}
    """  # noqa: E501

    error_type: str
    message: str
    stack_trace: list[str]

    def __init__(self, error_type: str, message: str, stack_trace: list[str] | None = None):
        super().__init__(f"{error_type}: {message}")
        self.error_type = error_type
        self.message = message
        self.stack_trace = list(stack_trace or [])

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.error_type, self.message, self.stack_trace))

    def document(self) -> dict[str, Any]:
        """The body posted to ``/runtime/init/error``: ``requestId`` is ``""`` [S20]."""
        return _make_error(self.message, self.error_type, self.stack_trace, "")


@dataclass(frozen=True, slots=True)
class LoadedHandler:
    """A handler function and the module instance it lives in (``None`` for a callable spec)."""

    function: Callable[[Any, Any], Any]
    module: types.ModuleType | None


def load_handler(
    spec: str | Callable[[Any, Any], Any],
    *,
    code_dir: str | os.PathLike[str] | None = None,
    source: str | None = None,
) -> LoadedHandler:
    """Run the handler module's init in a fresh module instance and return the handler.

    ``spec`` is Lambda's handler setting (``"app.handler"``, ``"pkg/mod.func"``) or a callable,
    returned as is. The module file is looked up in ``code_dir`` if given, else through the
    normal import finders (``sys.path``); ``source`` gives the module text inline instead.
    Raises :class:`HandlerInitError` with the runtime's errorType and wording [S20].

    >>> load_handler("app", source="")
    Traceback (most recent call last):
    ...
    lambdakit.function.handlers.HandlerInitError: Runtime.MalformedHandlerName: Bad handler 'app': not enough values to unpack (expected 2, got 1)
    """  # noqa: E501
    if callable(spec):
        return LoadedHandler(function=spec, module=None)
    if not isinstance(spec, str):
        raise TypeError(f"handler must be a 'module.function' string or a callable, not {spec!r}")
    try:
        modname, fname = spec.rsplit(".", 1)
    except ValueError as e:
        raise HandlerInitError(MALFORMED_HANDLER_NAME, f"Bad handler '{spec}': {e}") from None
    if modname.split(".")[0] in sys.builtin_module_names:
        raise HandlerInitError(
            BUILT_IN_MODULE_CONFLICT, f"Cannot use built-in module {modname} as a handler module"
        )
    root = None if code_dir is None else os.path.abspath(os.fspath(code_dir))
    module = _init_module(modname, root, source)
    try:
        function = getattr(module, fname)
    except AttributeError:
        raise HandlerInitError(
            HANDLER_NOT_FOUND, f"Handler '{fname}' missing on module '{modname}'"
        ) from None
    return LoadedHandler(function=function, module=module)


def _init_module(modname: str, root: str | None, source: str | None) -> types.ModuleType:
    """Find, create and execute a fresh instance of ``modname``; errors as the runtime's."""
    name = modname.replace("/", ".")
    added = root if root is not None and root not in sys.path else None
    if added is not None:
        sys.path.insert(0, added)
    try:
        try:
            if source is None:
                spec = _find_spec(name, root)
                module = importlib.util.module_from_spec(spec)
            else:
                module = importlib.util.module_from_spec(ModuleSpec(name, None))
            _exec_registered(module, source, modname)
        except ImportError as e:
            raise HandlerInitError(
                IMPORT_MODULE_ERROR, f"Unable to import module '{modname}': {e}"
            ) from e
        except SyntaxError as e:
            trace = [f'  File "{e.filename}" Line {e.lineno}\n    {e.text}']
            raise HandlerInitError(
                USER_CODE_SYNTAX_ERROR, f"Syntax error in module '{modname}': {e}", trace
            ) from e
        except SystemExit as e:
            raise HandlerInitError(EXIT_ERROR, _exit_message(e.code)) from e
        except HandlerInitError:
            raise
        except Exception as e:
            raise HandlerInitError(type(e).__name__, str(e), _user_frames(e)) from e
    finally:
        if added is not None and added in sys.path:
            sys.path.remove(added)
    return module


def _find_spec(name: str, root: str | None) -> ModuleSpec:
    """The spec of ``name`` in ``root`` (bypassing ``sys.modules``) or via the import finders."""
    parent = name.rpartition(".")[0]
    if any(not part for part in name.split(".")):
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    for attempt in range(2):
        if root is not None:
            spec = _find_in_dir(name, root)
        else:
            path = importlib.import_module(parent).__path__ if parent else None
            spec = _find_with_finders(name, path)
        if spec is not None:
            return spec
        if attempt == 0:
            importlib.invalidate_caches()  # a file written a moment ago (same directory mtime)
    raise ModuleNotFoundError(f"No module named {name!r}", name=name)


def _find_in_dir(name: str, root: str) -> ModuleSpec | None:
    parts = name.split(".")
    for i in range(1, len(parts)):  # parent packages, with Python's "No module named" wording
        prefix = ".".join(parts[:i])
        if PathFinder.find_spec(prefix, [os.path.join(root, *parts[: i - 1])]) is None:
            raise ModuleNotFoundError(f"No module named {prefix!r}", name=prefix)
    return PathFinder.find_spec(name, [os.path.join(root, *parts[:-1])])


def _find_with_finders(name: str, path: Any) -> ModuleSpec | None:
    for finder in sys.meta_path:
        find = getattr(finder, "find_spec", None)
        spec = None if find is None else find(name, path)
        if spec is not None:
            return spec
    return None


def _exec_registered(module: types.ModuleType, source: str | None, modname: str) -> None:
    """Execute ``module`` while it is ``sys.modules[name]``, then restore the previous entry."""
    name = module.__name__
    previous: Any = sys.modules.get(name, _MISSING)
    sys.modules[name] = module
    try:
        if source is not None:
            filename = f"<inline:{modname}.py>"
            linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
            exec(compile(source, filename, "exec"), module.__dict__)
        elif module.__spec__ is not None and module.__spec__.loader is not None:
            module.__spec__.loader.exec_module(module)
    finally:
        if previous is _MISSING:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = previous


def _exit_message(code: object) -> str:
    """``sys.exit`` during init: the runtime process exits → ``Runtime.ExitError`` [S1]."""
    if code is None or code == 0:
        return "Runtime exited without providing a reason"
    status = code if isinstance(code, int) else 1
    return f"Runtime exited with error: exit status {status}"


def _is_runtime_frame(filename: str) -> bool:
    return (
        filename.startswith(_PKG_DIR)
        or filename.startswith(_IMPORTLIB_DIR)
        or filename.startswith("<frozen importlib")
    )


def _user_frames(exc: BaseException) -> list[str]:
    """``traceback.format_list`` of the frames outside lambdakit and the import machinery.

    lambdakit plays bootstrap.py's part, whose frames the runtime drops [S20:bootstrap.py].
    Frames go through 4-tuples as in bootstrap's ``extract_traceback``, so there are no
    column carets (``~~~^^^``) on Python 3.11+.
    """
    frames = [
        (f.filename, f.lineno or 0, f.name, f.line)
        for f in traceback.extract_tb(exc.__traceback__)
        if not _is_runtime_frame(f.filename)
    ]
    return traceback.format_list(frames)


def error_document(exc: BaseException, request_id: str) -> dict[str, Any]:
    """The invocation error document of an exception the handler raised [S20][S2].

    Keys in ``make_error``'s order; ``stackTrace`` lists the handler's frames (lambdakit's own
    frames dropped). A :class:`HandlerInitError` keeps its init errorType, message and trace.

    >>> try:
    ...     {}["action"]
    ... except KeyError as e:
    ...     doc = error_document(e, "id-1")
    >>> doc["errorMessage"], doc["errorType"], doc["requestId"], len(doc["stackTrace"])
    ("'action'", 'KeyError', 'id-1', 1)
    """
    if isinstance(exc, HandlerInitError):
        return _make_error(exc.message, exc.error_type, exc.stack_trace, request_id)
    return _make_error(str(exc), type(exc).__name__, _user_frames(exc), request_id)


class _Encoder(json.JSONEncoder):
    """JSON like the runtime's simplejson encoder, with the standard library [S20].

    ``Decimal`` (what boto3 returns for DynamoDB numbers) is encoded: integral values exactly,
    others as floats — simplejson writes the decimal text verbatim, so ``Decimal("1.10")`` gives
    ``1.1`` here and ``1.10`` on AWS. Named tuples are arrays here, objects under simplejson.
    ``ensure_ascii`` is on, as in every runtime but python3.12.
    """

    def default(self, o: Any) -> Any:
        if isinstance(o, decimal.Decimal):
            if o.is_nan():
                return math.nan
            if o.is_finite() and o == o.to_integral_value():
                return int(o)
            return float(o)
        return super().default(o)


_ENCODER = _Encoder()


def marshal_response(
    value: Any, *, request_id: str = ""
) -> tuple[str | bytes | None, dict[str, Any] | None]:
    """Serialize a handler's return value: ``(payload, None)`` or ``(None, error document)``.

    ``bytes`` pass through unchanged (the runtime sends them as ``application/unknown``)
    [S20:lambda_runtime_marshaller.py]; ``None`` becomes ``null``; anything JSON cannot encode
    gives ``Runtime.MarshalError`` "Unable to marshal response: ..." [S2:python-handler.md].

    >>> marshal_response(None)
    ('null', None)
    >>> marshal_response({1, 2})[1]["errorMessage"]
    'Unable to marshal response: Object of type set is not JSON serializable'
    """
    if isinstance(value, bytes):
        return value, None
    try:
        return _ENCODER.encode(value), None
    except Exception as e:
        return None, _make_error(f"Unable to marshal response: {e}", MARSHAL_ERROR, [], request_id)
