"""The shape of the API, on the sample fixture (fixtures/sample.manifest):
Stream as an io.RawIOBase (readinto, seek, tell, readline, BufferedReader,
shutil.copyfileobj, hashlib.file_digest), Stat's both time sets as aware
datetimes and FILETIME ints and its os.stat_result names, scandir and
listdir as os's, walk's orders and pruning, mft() and timeline() rows,
errors with their diagnostic, and what a closed volume answers."""
import datetime
import hashlib
import io
import shutil
import stat as stat_mod

import pytest

import ntx
from conftest import manifest

UTC = datetime.timezone.utc


@pytest.fixture()
def vol(image):
    with ntx.open(image("sample")) as v:
        yield v


def rows():
    return {r["path"]: r for r in manifest("sample")[0]}


def test_stream_is_a_raw_file(vol):
    want = rows()["/pictures/sunset.png"]
    data = vol.open("/pictures/sunset.png").read_bytes()
    assert hashlib.sha256(data).hexdigest() == want["sha256"]
    with vol.open("/pictures/sunset.png").open_stream() as s:
        assert isinstance(s, io.RawIOBase) and s.readable() and s.seekable()
        assert not s.writable() and s.mode == "rb" and s.name == ""
        assert s.size == len(data) == want["size"]
        buf = bytearray(1000)
        assert s.readinto(buf) == 1000 and bytes(buf) == data[:1000]
        assert s.tell() == 1000
        assert s.seek(-10, io.SEEK_END) == len(data) - 10
        assert s.read() == data[-10:] and s.read() == b""
        assert s.seek(100) == 100 and s.seek(5, io.SEEK_CUR) == 105
        assert s.read(7) == data[105:112]
        assert s.seek(len(data) + 100) == len(data) + 100 and s.read(10) == b""
        with pytest.raises(ValueError):
            s.seek(-1)
        with pytest.raises(io.UnsupportedOperation):
            s.fileno()
        s.seek(0)
        assert s.readall() == data
        s.seek(0)
        assert hashlib.file_digest(s, "sha256").hexdigest() == want["sha256"]
        s.seek(0)
        out = io.BytesIO()
        shutil.copyfileobj(s, out)
        assert out.getvalue() == data
        mv = memoryview(bytearray(64))[8:40]
        s.seek(0)
        assert s.readinto(mv) == 32 and bytes(mv) == data[:32]
    assert s.closed
    with pytest.raises(ValueError):
        s.read()
    with io.BufferedReader(vol.open("/pictures/sunset.png").open_stream(), 4096) as b:
        assert b.read(5) == data[:5] and b.read() == data[5:]
    with vol.open("/README.txt").open_stream() as s:
        lines = list(s)
        assert b"".join(lines) == vol.open("/README.txt").read_bytes()
        assert all(line.endswith(b"\n") for line in lines[:-1])


def test_named_streams_and_attributes(vol):
    f = vol.open("/hello.txt")
    assert [(s.name, s.size) for s in f.streams()] == [("", 16), ("Zone.Identifier", 26)]
    assert f.read_bytes("Zone.Identifier") == b"[ZoneTransfer]\r\nZoneId=3\r\n"
    types = [a.type_name for a in f.attributes()]
    assert types[0] == "$STANDARD_INFORMATION" and "$FILE_NAME" in types
    data = [a for a in f.attributes() if a.type == ntx.AT_DATA and a.name == ""][0]
    assert data.resident and data.read() == f.read_bytes() and data.runs() == []
    si = f.open_stream(type=ntx.AT_STANDARD_INFORMATION)
    assert len(si.read()) == 48
    big = vol.open("/pictures/sunset.png").open_stream()
    runs = big.runs()
    assert runs and sum(r.length for r in runs) * vol.info.cluster_size >= big.size
    with pytest.raises(ntx.NotFoundError):
        f.open_stream("nope")
    with pytest.raises(ntx.IsADirectoryError):
        vol.open("/docs").open_stream()


def test_stat(vol):
    want = rows()
    f = vol.open("/docs/guide.txt")
    st = f.stat()
    assert st.record == want["/docs/guide.txt"]["mft"] == st.st_ino == f.record
    assert st.size == st.st_size == 1140 and st.link_count == st.st_nlink == 1
    assert st.reference == f.reference == st.record | st.sequence << 48
    assert stat_mod.S_ISREG(st.st_mode) and not st.is_dir and not st.is_symlink
    assert st.data_form == "plain" and st.in_use and not st.deleted
    assert st.parent_record == vol.open("/docs").record
    for si, fn, k in (("created", "fn_created", 0), ("modified", "fn_modified", 1),
                      ("changed", "fn_changed", 2), ("accessed", "fn_accessed", 3)):
        t = getattr(st, si)
        assert isinstance(t, datetime.datetime) and t.tzinfo == UTC
        assert t == ntx.filetime_to_datetime(st.si_filetimes[k])
        assert getattr(st, fn) == ntx.filetime_to_datetime(st.fn_filetimes[k])
    assert st.st_mtime_ns == (st.si_filetimes[1] - 116444736000000000) * 100
    assert abs(st.st_mtime - st.modified.timestamp()) < 1e-5
    assert st.st_birthtime_ns == (st.si_filetimes[0] - 116444736000000000) * 100
    assert st.st_file_attributes == st.file_attributes
    link = vol.stat("/latest-guide")
    assert link.is_symlink and stat_mod.S_ISLNK(link.st_mode)
    assert link.reparse_tag == ntx.IO_REPARSE_TAG_SYMLINK == link.st_reparse_tag
    assert link.reparse_target == want["/latest-guide"]["target"]
    assert vol.open("/latest-guide").readlink() == link.reparse_target
    d = vol.stat("/docs")
    assert d.is_dir and stat_mod.S_ISDIR(d.st_mode) and d.data_form == "none"
    with pytest.raises(ntx.NotFoundError):
        vol.open("/hello.txt").readlink()


def test_times():
    assert ntx.filetime_to_datetime(0) == datetime.datetime(1601, 1, 1, tzinfo=UTC)
    assert ntx.filetime_to_datetime(116444736000000000) == datetime.datetime(1970, 1, 1,
                                                                              tzinfo=UTC)
    assert ntx.filetime_to_datetime(134399148500647733) == datetime.datetime(
        2026, 11, 23, 13, 40, 50, 64773, tzinfo=UTC)
    last = (datetime.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC) -
            datetime.datetime(1601, 1, 1, tzinfo=UTC))
    top = (last.days * 86400 + last.seconds) * 10 ** 7 + last.microseconds * 10 + 9
    assert ntx.filetime_to_datetime(top).year == 9999
    assert ntx.filetime_to_datetime(top + 1) is None
    assert ntx.filetime_to_datetime(2 ** 64 - 1) is None


def test_listdir_scandir(vol):
    assert vol.listdir() == vol.listdir("/") == ["docs", "hello.txt", "latest-guide", "pictures",
                                                 "README.txt"]
    assert vol.listdir(b"/docs") == [b"guide.txt", b"notes"]
    assert "$MFT" in vol.listdir("/", system=True)
    with vol.scandir("/docs") as it:
        entries = list(it)
    guide, notes = entries
    assert (guide.name, guide.path, notes.path) == ("guide.txt", "/docs/guide.txt",
                                                    "/docs/notes")
    assert guide.is_file() and not guide.is_dir() and not guide.is_symlink()
    assert notes.is_dir() and guide.inode() == guide.stat().record == 67
    assert guide.stat().size == 1140 and guide.open().read() == vol.open(
        "/docs/guide.txt").read_bytes()
    assert guide.namespace in ("posix", "win32", "win32+dos")
    assert guide.created == ntx.filetime_to_datetime(guide.filetimes[0])
    assert [e.name for e in vol.scandir(notes)] == ["todo.txt"]      # a DirEntry
    assert vol.open("/docs").listdir() == ["guide.txt", "notes"]       # a File
    assert [e.path for e in vol.open_record(68).scandir()] == ["todo.txt"]
    link = [e for e in vol.scandir("/") if e.name == "latest-guide"][0]
    assert link.is_symlink() and not link.is_file(follow_symlinks=False)
    with pytest.raises(ntx.NotADirectoryError):
        vol.listdir("/hello.txt")
    with pytest.raises(ntx.NotFoundError):
        vol.scandir("/nope")
    assert vol.exists("/docs/notes/todo.txt") and not vol.exists("/docs/x")
    assert not vol.exists("/hello.txt/x")


def test_walk(vol):
    top_down = list(vol.walk())
    assert top_down == [("/", ["docs", "pictures"], ["hello.txt", "latest-guide", "README.txt"]),
                        ("/docs", ["notes"], ["guide.txt"]),
                        ("/docs/notes", [], ["todo.txt"]),
                        ("/pictures", [], ["sunset.png"])]
    bottom_up = [t for t, _, _ in vol.walk(topdown=False)]
    assert bottom_up == ["/docs/notes", "/docs", "/pictures", "/"]
    pruned = []
    for top, dirs, _ in vol.walk("/"):
        pruned.append(top)
        if "docs" in dirs:
            dirs.remove("docs")
    assert pruned == ["/", "/pictures"]
    errors = []
    assert list(vol.walk("/nope", onerror=errors.append)) == []
    assert isinstance(errors[0], ntx.NotFoundError)
    names = {p for t, d, f in vol.walk() for p in (t.rstrip("/") + "/" + n for n in d + f)}
    assert names == {r for r in rows() if r != "/" and ":" not in r}


def test_mft_and_timeline(vol):
    want = rows()
    recs = list(vol.mft())
    assert len(recs) == vol.record_count == vol.info.mft_records
    assert [r.record for r in recs] == list(range(len(recs)))
    by_path = {r.path: r for r in recs if r.state == "in-use" and r.path}
    for path, w in want.items():
        if ":" in path:
            continue
        r = by_path[path]
        assert r.record == w["mft"] and not r.orphan and r.link_count >= 1
        if w["type"] == "f":
            assert r.size == w["size"]
        assert r.created == ntx.filetime_to_datetime(r.si_filetimes[0])
    assert recs[0].name == "$MFT" and recs[5].path == "/"
    assert {r.state for r in recs} <= {"in-use", "deleted", "extension", "unused", "empty",
                                       "error"}
    assert list(vol.mft(64, 66)) and [r.record for r in vol.mft(64, 66)] == [64, 65]
    hello = by_path["/hello.txt"]
    assert [s.name for s in hello.streams] == ["", "Zone.Identifier"]
    assert hello.open().read_bytes() == b"Hello from ntx!\n"
    lines = list(vol.timeline())
    fn = {t.path for t in lines if t.source == "$FILE_NAME"}
    assert {p for p in want if ":" not in p} <= fn
    zone = [t for t in lines if t.path == "/hello.txt" and t.stream == "Zone.Identifier"]
    assert zone and zone[0].size == 26 and zone[0].filetimes == hello.si_filetimes
    assert zone[0].modified == hello.modified


def test_errors(vol):
    assert issubclass(ntx.CorruptError, ntx.Error)
    for code, cls in ntx.ERRORS.items():
        assert cls.__name__ and issubclass(cls, ntx.Error) and code < 0
    assert issubclass(ntx.NotFoundError, FileNotFoundError)
    assert issubclass(ntx.TruncatedImageError, ntx.ImageError)
    with pytest.raises(ntx.NotFoundError) as e:
        vol.open_record(10 ** 6)
    assert e.value.code == -6 and e.value.check_name == "RECORD_NUMBER"
    assert ntx.CHECKS[e.value.check] == "RECORD_NUMBER" and e.value.record == 10 ** 6
    f = vol.open("/hello.txt")
    with pytest.raises(ntx.StaleError):
        vol.open_record(f.record | (f.sequence + 1) << 48)
    assert vol.open_record(f.reference).record == f.record
    with pytest.raises(ntx.ImageOpenError) as e:
        ntx.open("/nonexistent/disk.img")
    assert e.value.errno == 2 and e.value.status == -1
    with pytest.raises(ValueError):
        ntx.open(vol.source, partition=1, offset=0)


def test_closed(image):
    v = ntx.open(image("sample"))
    f = v.open("/hello.txt")
    s = f.open_stream()
    it = v.scandir("/")
    v.close()
    v.close()
    assert v.closed
    for call in (lambda: v.open("/"), lambda: f.stat(), lambda: s.read(), lambda: list(it),
                 lambda: v.listdir(), lambda: v.info, lambda: list(v.mft())):
        with pytest.raises(ValueError):
            call()
    with pytest.raises(ValueError):
        with v:
            pass


def test_info_and_features(vol):
    info = vol.info
    assert (info.container, info.partition, info.vss_store, info.version) == ("raw", None, None,
                                                                              "3.1")
    assert info.cluster_size == 4096 and not info.dirty
    names = [f[0] for f in ntx.features()]
    assert any("E01" in n for n in names) and ntx.__version__ == ntx.CORE_VERSION
    assert ntx._ntx._config_id()[0] == ntx._ntx._config_id()[1]
    assert vol.vss_stores() == []
    free, used = vol.count_free()
    assert free + used == info.cluster_count
