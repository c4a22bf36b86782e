"""The deleted-files fixture (fixtures/DELETED.md) through the binding:
vol.mft() finds every '# deleted' file and directory at its old path,
open_record(deleted=True) reads intact files to their original SHA-256
(named streams and compressed data too), the victim whose clusters were
reallocated reads other bytes and Volume.clusters_in_use() says so, the
$I30 slack of /slack gives back deleted names, and vol.usn() decodes the
stand-in journal exactly ('# usn' lines). Then a copy patched with the
'# patch' lines: names hostile to paths and terminals come back exactly
(str with the lone surrogate kept, WTF-8 bytes for a bytes path)."""
import hashlib
import os
import shutil

import pytest

import ntx
from conftest import manifest, sha256_stream


@pytest.fixture(scope="module")
def deleted(image):
    return image("deleted-4k")


def test_deleted_records(deleted):
    _, notes = manifest("deleted-4k")
    with ntx.open(deleted) as vol:
        rows = {r.record: r for r in vol.mft()}
        deleted_paths = {r.path for r in rows.values() if r.deleted}
        for t, mft, size, sha, expect, path in notes["deleted"]:
            mft, size = int(mft), int(size)
            r = rows[mft]
            assert r.deleted and r.state == "deleted", (path, r.state)
            if t == "d":
                assert r.is_dir and r.path == path, (path, r.path)
                f = r.open()
                assert f.deleted and f.is_dir
                continue
            fpath, _, sname = path.partition(":")
            assert r.path == fpath and not r.orphan, (path, r.path)
            f = vol.open_record(mft, deleted=True)
            assert f.deleted and not f.in_use
            with pytest.raises(ntx.NotFoundError):
                vol.open_record(mft)  # not in use: only with deleted=True
            assert f.stat().deleted
            with f.open_stream(sname) as s:
                assert s.size == size
                digest = sha256_stream(s)
                runs = s.runs()
            used = sum(vol.clusters_in_use(run.lcn, run.length) for run in runs
                       if run.lcn is not None)
            if expect == "intact":
                assert digest == sha, path
                assert used == 0, path
            else:  # reallocated: /fill.bin took its clusters
                assert digest != sha, path
                assert used == sum(run.length for run in runs if run.lcn is not None) > 0
        for (path,) in notes["deleted_name"]:
            assert path in deleted_paths, path


def test_slack(deleted):
    _, notes = manifest("deleted-4k")
    gone = {p.rsplit("/", 1)[1] for (p,) in notes["deleted_name"]}
    with ntx.open(deleted) as vol:
        live = set(vol.listdir("/slack"))
        d = vol.open("/slack")
        found = d.slack()
        assert found, "no name in the $I30 slack of /slack"
        for e in found:
            assert e.name in gone | live, e.name          # nothing invented
            assert e.parent_reference & 0xFFFFFFFFFFFF == d.record
        assert any(e.name in gone for e in found)
        with pytest.raises(ntx.NotADirectoryError):
            vol.open("/keep/alive.txt").slack()


def test_usn(deleted):
    _, notes = manifest("deleted-4k")
    (stream, size), = notes["usn_stream"]
    path, _, sname = stream.partition(":")
    with ntx.open(deleted) as vol:
        it = vol.usn(path, sname)
        got = list(it)
        assert it.size == int(size)
        assert it.skipped == []
        assert len(got) == len(notes["usn"])
        for u, (usn, major, fref, pref, reason, t, name) in zip(got, notes["usn"]):
            assert (u.usn, u.major, u.reference, u.parent_reference, u.reason, u.timestamp,
                    u.name) == (int(usn), int(major), int(fref), int(pref), int(reason), int(t),
                                name)
            assert u.offset == u.usn   # the journal's USN is the record's offset
            assert u.record == int(fref) & 0xFFFFFFFFFFFF
            assert u.time == ntx.filetime_to_datetime(int(t))
            assert u.time.tzinfo is not None
        assert got[1].reasons == ("DATA_EXTEND", "CLOSE")
        with pytest.raises(ntx.NotFoundError):
            vol.usn()  # ntfs-3g writes no $Extend/$UsnJrnl


HOSTILE = ["..", ".", "a/b", "nl\nx", "tab\tx", "esc\x1b[31mred", "nul\0x", "csi\u009b2J",
           "surr\ud800x", "back\\slash.txt", "bidi-\u202etxt.exe"]


def test_hostile_names(deleted, tmp_path):
    _, notes = manifest("deleted-4k")
    img = str(tmp_path / "hostile.img")
    shutil.copyfile(deleted, img)
    os.chmod(img, 0o644)
    with open(img, "r+b") as f:
        for off, old, new, _ in notes["patch"]:
            f.seek(int(off))
            assert f.read(len(old) // 2) == bytes.fromhex(old)
            f.seek(int(off))
            f.write(bytes.fromhex(new))
    wanted = {bytes.fromhex(h).decode("utf-16-le", "surrogatepass") for _, h in notes["hostile"]}
    assert wanted <= set(HOSTILE)
    with ntx.open(img) as vol:
        names = vol.listdir("/hostile")
        assert sorted(names) == sorted(HOSTILE)
        as_bytes = vol.listdir(b"/hostile")
        assert sorted(as_bytes) == sorted(n.encode("utf-8", "surrogatepass") for n in HOSTILE)
        for e in vol.scandir("/hostile"):
            f = e.file()                       # by reference: any name opens
            assert f.stat().record == e.inode()
            if e.is_dir():
                f.listdir()
            else:
                assert len(f.read_bytes()) == f.stat().size
        for e in vol.scandir(b"/hostile"):
            assert isinstance(e.name, bytes) and isinstance(e.path, bytes)
        # by path: a name holding '/' or NUL cannot be named, the others can
        for n in HOSTILE:
            if n in ("..", ".", "a/b") or "\0" in n:
                continue
            assert vol.open("/hostile/" + n).record == vol.open(b"/hostile/" +
                                                                 n.encode("utf-8",
                                                                          "surrogatepass")).record
        with pytest.raises(ntx.BadNameError):
            vol.open("/hostile/nul\0x")
        # walk neither climbs out through ".." nor loops through "."
        seen = [top for top, _, _ in vol.walk("/hostile")]
        assert seen[0] == "/hostile" and len(seen) == len(set(seen))
        rows = [r for r in vol.mft() if r.path and r.path.startswith("/hostile/")]
        assert sorted(r.path for r in rows) == sorted("/hostile/" + n for n in HOSTILE)
        assert hashlib.sha256(vol.open("/hostile/back\\slash.txt").read_bytes()).digest()
