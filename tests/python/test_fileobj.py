"""Volumes read through Python file objects (the binding stacks on other
readers, as dfVFS does): a plain file, BytesIO, a read()-only object, a
gzip stream of a fixture, a partition inside a disk in a file object; each
gives what the path does (the listing and the manifest's SHA-256). A
file object that fails makes ntx.ReadError with its exception as
__cause__; KeyboardInterrupt goes through as itself."""
import gzip
import io
import os
import struct

import pytest

import ntx
from conftest import FIXTURES, manifest, sha256_stream


def tree(vol):
    return sorted((top, sorted(dirs), sorted(files)) for top, dirs, files in vol.walk("/"))


def check_manifest_data(vol, name):
    rows, _ = manifest(name)
    n = 0
    for r in rows:
        if r["type"] == "f" and r["sha256"] != "-" and r["size"] < (8 << 20):
            with vol.open(r["path"]).open_stream() as s:
                assert sha256_stream(s) == r["sha256"], r["path"]
            n += 1
    assert n > 0


class ReadOnly:
    """seek() and read() only, no readinto()."""

    def __init__(self, data):
        self.b = io.BytesIO(data)

    def seek(self, *a):
        return self.b.seek(*a)

    def read(self, n=-1):
        return self.b.read(n)


@pytest.mark.parametrize("kind", ["file", "bytesio", "buffered", "read-only"])
def test_file_objects(image, kind):
    path = image("ntfs-4kn")
    with ntx.open(path) as vol:
        want = tree(vol)
    data = open(path, "rb").read() if kind in ("bytesio", "read-only") else None
    src = {"file": lambda: open(path, "rb", buffering=0),
           "bytesio": lambda: io.BytesIO(data),
           "buffered": lambda: io.BufferedReader(io.FileIO(path)),
           "read-only": lambda: ReadOnly(data)}[kind]()
    with ntx.open(src) as vol:
        assert vol.info.container == "file object"
        assert vol.info.volume_offset == 0
        assert tree(vol) == want
        check_manifest_data(vol, "ntfs-4kn")
    if hasattr(src, "close"):
        src.close()


def test_gzip_stream():
    """The fixture read straight from its .img.gz through gzip's seekable reader."""
    with gzip.open(os.path.join(FIXTURES, "sample.img.gz"), "rb") as gz:
        with ntx.open(gz) as vol:
            assert vol.info.label == "ntx sample"
            check_manifest_data(vol, "sample")


def mbr_disk(volume, start=2048):
    """A disk with one MBR partition (type 0x07) at LBA start holding volume."""
    sectors = len(volume) // 512
    entry = struct.pack("<B3sB3sII", 0, b"\0\0\0", 0x07, b"\0\0\0", start, sectors)
    mbr = bytearray(512)
    mbr[446:462] = entry
    mbr[510:512] = b"\x55\xaa"
    return bytes(mbr) + bytes(start * 512 - 512) + volume


def test_partition_in_file_object(image, tmp_path):
    volume = open(image("sample"), "rb").read()
    disk = mbr_disk(volume)
    disk_path = tmp_path / "disk.img"
    disk_path.write_bytes(disk)
    with ntx.open(str(disk_path)) as by_path:
        want = tree(by_path)
        assert by_path.info.partition == 1 and by_path.info.partition_scheme == "mbr"
        assert by_path.info.volume_offset == 2048 * 512
    parts = ntx.partitions(io.BytesIO(disk))
    assert [(p.index, p.scheme, p.type, p.offset, p.size) for p in parts] == [
        (1, "mbr", 7, 2048 * 512, len(volume))]
    assert ntx.partitions(str(disk_path)) == parts
    assert ntx.partitions(image("sample")) == []
    for kw in ({}, {"partition": 1}, {"offset": 2048 * 512}):
        with ntx.open(io.BytesIO(disk), **kw) as vol:
            assert vol.info.volume_offset == 2048 * 512
            assert tree(vol) == want
            check_manifest_data(vol, "sample")
    with pytest.raises(ValueError):
        ntx.open(io.BytesIO(disk), partition=2)
    with pytest.raises(ValueError):
        ntx.open(io.BytesIO(disk), vss=1)


class Failing(io.RawIOBase):
    """Reads the image, then fails from the nth readinto on."""

    def __init__(self, data, fail_at, exc):
        self.b = io.BytesIO(data)
        self.calls = 0
        self.fail_at = fail_at
        self.exc = exc

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, *a):
        return self.b.seek(*a)

    def readinto(self, buf):
        self.calls += 1
        if self.calls >= self.fail_at:
            raise self.exc
        return self.b.readinto(buf)


def test_failing_file_object(image):
    data = open(image("sample"), "rb").read()
    # it fails at mount
    with pytest.raises(ntx.ReadError) as e:
        ntx.open(Failing(data, 1, OSError(5, "disk on fire")))
    assert isinstance(e.value.__cause__, OSError) and e.value.__cause__.errno == 5
    # it fails later: the call that read fails, the volume stays usable
    f = Failing(data, 10 ** 9, OSError(5, "disk on fire"))
    with ntx.open(f) as vol:
        f.fail_at = f.calls + 1
        with pytest.raises(ntx.ReadError) as e:
            vol.open("/pictures/sunset.png").read_bytes()
        assert "disk on fire" in str(e.value.__cause__)
        f.fail_at = 10 ** 9
        assert len(vol.open("/pictures/sunset.png").read_bytes()) == 20484
    # KeyboardInterrupt is not wrapped
    f = Failing(data, 10 ** 9, KeyboardInterrupt())
    with ntx.open(f) as vol:
        f.fail_at = f.calls + 1
        with pytest.raises(KeyboardInterrupt):
            vol.open("/pictures/sunset.png").read_bytes()
    # a truncated image
    with pytest.raises(ntx.Error):
        with ntx.open(io.BytesIO(data[:len(data) // 2])) as vol:
            for _, _, files in vol.walk("/"):
                pass
            vol.open("/pictures/sunset.png").read_bytes()


def test_reentrant_callback(image):
    """A read method that uses the volume it serves gets RuntimeError (the
    volume's lock is held), which fails the read as ReadError."""
    data = open(image("sample"), "rb").read()

    class Reentrant(io.BytesIO):
        vol = None

        def readinto(self, b):
            if self.vol is not None:
                self.vol.listdir("/")
            return super().readinto(b)
    src = Reentrant(data)
    with ntx.open(src) as vol:
        src.vol = vol
        with pytest.raises(ntx.ReadError) as e:
            vol.open("/pictures/sunset.png").read_bytes()
        assert isinstance(e.value.__cause__, RuntimeError)
        src.vol = None
        assert len(vol.open("/pictures/sunset.png").read_bytes()) == 20484


def test_not_a_file_object():
    with pytest.raises(TypeError):
        ntx.open(42)
    with pytest.raises(ntx.NotNTFSError):
        ntx.open(io.BytesIO(bytes(1 << 20)))
