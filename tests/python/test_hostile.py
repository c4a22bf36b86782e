"""Hostile images through the binding: every image of tests/hostile and every
image-level fuzz reproducer (written by tests/fuzz/export-images.sh with
the build tree's test_hostile and replay_* programs) is opened by path and
through a Python file object, and walked with every call of the API within
a budget: the records (mft, timeline), the journal, the tree (walk,
scandir, stat, names, streams, attributes and their values and runs, link
targets, reparse points, $I30 slack) and up to 1 MiB of every stream. A
failure must be an ntx.Error (a subclass per NTX_E_* code); any other
exception fails the test, and a crash ends the process (faulthandler
shows where)."""
import os
import subprocess

import pytest

import ntx
from conftest import TOP

BUDGET = 2000       # rows and entries per image and kind
READ = 1 << 20      # bytes read per stream


def export(tmp):
    build = os.environ.get("NTX_PY_BUILD")
    assert build, "NTX_PY_BUILD (a build tree with test_hostile and replay_*) is not set"
    r = subprocess.run([os.path.join(TOP, "tests", "fuzz", "export-images.sh"), build, tmp],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    out = []
    for sub in ("hostile", "repro"):
        d = os.path.join(tmp, sub)
        if os.path.isdir(d):
            out += sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".img"))
    return out


class Walk:
    """Calls everything; counts ntx errors by class, keeps other exceptions."""

    def __init__(self):
        self.errors = {}
        self.foreign = []

    def call(self, what, fn, *a, **kw):
        try:
            return fn(*a, **kw)
        except ntx.Error as e:
            self.errors[type(e).__name__] = self.errors.get(type(e).__name__, 0) + 1
            assert isinstance(e.code, int) or isinstance(e, ntx.ImageError)
            return None
        except Exception as e:  # noqa: BLE001 - what the test is about
            self.foreign.append("%s: %s: %r" % (what, fn.__name__, e))
            return None

    def rows(self, what, it, budget):
        n = 0
        while n < budget:
            try:
                row = next(it)
            except StopIteration:
                return
            except ntx.Error as e:
                self.errors[type(e).__name__] = self.errors.get(type(e).__name__, 0) + 1
                return
            except Exception as e:  # noqa: BLE001
                self.foreign.append("%s: %r" % (what, e))
                return
            yield row
            n += 1


def file_calls(w, f, what):
    st = w.call(what, f.stat)
    w.call(what, f.names)
    w.call(what, f.reparse_point)
    if st is not None and st.is_symlink:
        w.call(what, f.readlink)
    for a in w.call(what, f.attributes) or []:
        w.call(what, a.read, 0, READ)
        w.call(what, a.runs)
        repr(a)
    for s in w.call(what, f.streams) or []:
        stream = w.call(what, f.open_stream, s.name)
        if stream is not None:
            w.call(what, stream.read, READ)
            w.call(what, stream.runs)
            stream.close()
    if f.is_dir:
        w.call(what, f.slack)


def walk_volume(w, vol):
    w.call("info", lambda: vol.info)
    w.call("count_free", vol.count_free)
    w.call("count_records", vol.count_records)
    for r in w.rows("mft", iter(vol.mft()), BUDGET):
        for attr in ("path", "paths", "names", "streams", "error", "created", "fn_created"):
            w.call("mft row", getattr, r, attr)
    for _ in w.rows("timeline", iter(vol.timeline()), BUDGET):
        pass
    usn = w.call("usn", vol.usn)
    if usn is not None:
        for _ in w.rows("usn", usn, BUDGET):
            pass
    n = 0
    for top, dirs, files in vol.walk("/", onerror=lambda e: None, system=True):
        n += 1
        if n > BUDGET:
            break
    stack = [w.call("root", vol.open_record, ntx.MFT_ROOT)]
    seen, visited = set(), 0
    while stack and visited < BUDGET:
        d = stack.pop()
        if d is None or d.record in seen:
            continue
        seen.add(d.record)
        it = w.call("scandir", vol.scandir, d, system=True, dos_names=True)
        for e in w.rows("scandir", it, BUDGET) if it is not None else ():
            visited += 1
            w.call("entry", e.stat)
            w.call("entry", e.is_symlink)
            f = w.call("entry", e.file)
            if f is None:
                continue
            file_calls(w, f, e.path)
            if f.is_dir:
                stack.append(f)
    for n in range(min(vol.record_count, 32)):
        f = w.call("record", vol.open_record, n, deleted=True)
        if f is not None:
            file_calls(w, f, "record %d" % n)


@pytest.fixture(scope="module")
def hostile_images(tmp_path_factory):
    return export(str(tmp_path_factory.mktemp("export")))


@pytest.mark.parametrize("how", ["path", "file object"])
def test_hostile_images(hostile_images, how):
    assert len(hostile_images) > 100
    w = Walk()
    opened = 0
    for img in hostile_images:
        if how == "path":
            vol = w.call(img, ntx.open, img)
        else:
            fobj = open(img, "rb")  # noqa: SIM115 - closed below
            vol = w.call(img, ntx.open, fobj)
        if vol is not None:
            opened += 1
            with vol:
                walk_volume(w, vol)
            assert vol.closed
        if how != "path":
            fobj.close()
    print("%d images, %d mounted; errors: %s" % (len(hostile_images), opened, w.errors))
    assert not w.foreign, "\n".join(w.foreign[:30])
    assert opened > len(hostile_images) // 2
