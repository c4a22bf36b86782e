"""The type stubs (python/ntx/__init__.pyi) name what the module has: every
class and function of the stubs exists at run time and every public name of
the module is in the stubs; for each class, the attributes and methods the
stubs declare are the public ones the runtime class has (a small stubtest:
mypy is no Debian 12 test dependency here). Every public callable has a
docstring."""
import ast
import os

import ntx

STUBS = os.path.join(os.path.dirname(ntx.__file__), "__init__.pyi")
# what the runtime classes inherit and the stubs need not repeat
INHERITED = set(dir(object)) | set(dir(tuple)) | set(dir(Exception)) | set(dir(OSError))
IO = set(dir(__import__("io").RawIOBase))


def stub_tree():
    with open(STUBS, encoding="utf-8") as f:
        return ast.parse(f.read())


def declared(cls):
    names = set()
    for node in cls.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.FunctionDef):
            names.add(node.name)
    return names


def public(obj):
    return {n for n in dir(obj) if not n.startswith("_") or n in ("__fspath__",)}


def test_module_names():
    tree = stub_tree()
    top = set()
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            top.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            top.add(node.target.id)
    helpers = {"StrPath", "BytesPath", "AnyPath", "FileTimes", "_Readable"}
    runtime = {n for n in dir(ntx) if not n.startswith("_")} - {"ScandirIterator"}
    assert sorted(runtime - top) == []
    missing = {n for n in top - helpers if not hasattr(ntx, n) and n != "__version__"}
    assert sorted(missing) == []


def test_class_members():
    problems = []
    for node in stub_tree().body:
        if not isinstance(node, ast.ClassDef) or node.name.startswith("_"):
            continue
        cls = getattr(ntx, node.name)
        want = declared(node)
        have = public(cls)
        if issubclass(cls, BaseException):
            have -= INHERITED
            for base in cls.__mro__[1:]:  # what Error or ImageError declares
                have -= set(dir(base))
        if node.name == "Stream":
            have -= IO - {"read", "readinto", "readall", "seek", "tell", "name", "mode"}
        if isinstance(cls, type) and issubclass(cls, tuple):
            have -= set(dir(tuple)) | {"n_fields", "n_sequence_fields", "n_unnamed_fields"}
        extra = have - want - {"__fspath__"}
        lacking = want - have - {"__init__", "__enter__", "__exit__", "__next__",
                                 "__fspath__"} - INHERITED
        if extra:
            problems.append("%s: not in the stubs: %s" % (node.name, sorted(extra)))
        if lacking:
            problems.append("%s: in the stubs only: %s" % (node.name, sorted(lacking)))
    assert not problems, "\n".join(problems)


def test_docstrings():
    missing = []
    for name in dir(ntx):
        obj = getattr(ntx, name)
        if name.startswith("_") or not callable(obj):
            continue
        if not (obj.__doc__ or "").strip():
            missing.append(name)
        if isinstance(obj, type) and obj.__module__ in ("ntx", "ntx._ntx"):
            for m in public(obj) & set(vars(obj)):  # not what a builtin base gives
                attr = getattr(obj, m, None)
                if callable(attr) and not (getattr(attr, "__doc__", "") or "").strip() and \
                        not issubclass(obj, BaseException):
                    missing.append("%s.%s" % (name, m))
    assert not missing, missing
