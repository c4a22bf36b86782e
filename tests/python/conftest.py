"""Shared setup of the Python binding's tests (tests/python/README.md).

The binding is imported from PYTHONPATH (CTest points it at the build
tree's copy, built by the ntx_python target). Environment:
  NTX_PY_FIXTURES   the fixtures/ folder (default: the one of this checkout)
  NTX_PY_IMAGES     where the decompressed images are shared (default: a
                    temporary folder of this run)
  NTX_PY_BUILD      the CMake build tree (the hostile test exports its images
                    with its test_hostile and replay_* programs)
"""
import gzip
import hashlib
import os
import shutil

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.environ.get("NTX_PY_FIXTURES") or os.path.join(TOP, "fixtures")
NAMES = ["sample", "ntfs-4k", "ntfs-512", "ntfs-64k", "ntfs-4kn", "ntfs-empty", "deleted-4k",
         "wof"]
MOUNTPOINT = "/tmp/ntx-fixture-ro"


def unpack(images, name):
    """fixtures/NAME.img.gz decompressed once into IMAGES/NAME.img (shared by
    concurrent test processes: written under a temporary name, then
    renamed)."""
    os.makedirs(images, exist_ok=True)
    dst = os.path.join(images, name + ".img")
    src = os.path.join(FIXTURES, name + ".img.gz")
    if os.path.exists(dst) and os.path.getmtime(dst) >= os.path.getmtime(src):
        return dst
    tmp = "%s.tmp%d" % (dst, os.getpid())
    with gzip.open(src, "rb") as i, open(tmp, "wb") as o:
        shutil.copyfileobj(i, o, 8 << 20)
    os.chmod(tmp, 0o444)
    os.replace(tmp, dst)
    return dst


def manifest(name):
    """(rows, notes) of fixtures/NAME.manifest (fixtures/README.md, format v1):
    rows are dicts TYPE MFT SIZE NLINK SHA256 TARGET PATH; notes map each
    '# key<TAB>...' to its lists of fields."""
    rows, notes = [], {}
    with open(os.path.join(FIXTURES, name + ".manifest"), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("# ") and "\t" in line:
                key, *rest = line[2:].split("\t")
                notes.setdefault(key, []).append(rest)
            elif line and not line.startswith("#"):
                t, mft, size, nlink, sha, target, path = line.split("\t")
                rows.append(dict(type=t, mft=int(mft), size=int(size), nlink=int(nlink),
                                 sha256=sha, target=target, path=path))
    return rows, notes


def header(name):
    """The '# key: value' lines of a manifest's head."""
    out = {}
    with open(os.path.join(FIXTURES, name + ".manifest"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("# ") and ": " in line and "\t" not in line:
                k, _, v = line[2:].rstrip("\n").partition(": ")
                out.setdefault(k, v)
    return out


def tool_env():
    """The environment for other programs (qemu-img, fls, vshadowinfo...):
    without the sanitizer runtime CTest preloads for the binding in an ASan
    build, under which some of them hang."""
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)
    return env


def sha256_stream(stream):
    """SHA-256 of a binary stream, read with readinto() into one buffer."""
    h = hashlib.sha256()
    buf = bytearray(1 << 20)
    view = memoryview(buf)
    while True:
        n = stream.readinto(buf)
        if not n:
            return h.hexdigest()
        h.update(view[:n])


def pytest_sessionfinish(session, exitstatus):
    """Exit 77 (CTest's skip) when every test was skipped: a run that checked
    nothing does not pass."""
    tr = session.config.pluginmanager.get_plugin("terminalreporter")
    if exitstatus == 0 and tr is not None and tr.stats.get("skipped") and \
            not tr.stats.get("passed") and not tr.stats.get("failed"):
        session.exitstatus = 77


@pytest.fixture(scope="session")
def images(tmp_path_factory):
    return os.environ.get("NTX_PY_IMAGES") or str(tmp_path_factory.mktemp("images"))


@pytest.fixture(scope="session")
def image(images):
    """image(name) -> the path of the decompressed fixture NAME."""
    return lambda name: unpack(images, name)
