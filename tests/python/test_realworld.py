"""Disks formatted and written by Windows 10 (tests/realworld/README.md),
through the binding: each partitioned disk opened by path (the NTFS
partition found by itself) against libfsntfs reading the same partition
through a file object (the tree, references, times, names, streams,
contents; every MFT record), the change journal of win10-20h1 against
libfsntfs's raw records decoded here as USN_RECORD_V2, and its two shadow
copies against vshadowinfo (each store's files read through vss=N).

The disks live outside the repository (NTX_REALWORLD_DIR); CTest's
realworld.unpack unpacks them into NTX_PY_REALWORLD (its images folder).
Without them every test here is skipped (exit 77)."""
import json
import os
import re
import shutil
import struct
import subprocess

import pytest

import ntx
from conftest import tool_env
from test_pyfsntfs import compare_mft, compare_tree

pyfsntfs = pytest.importorskip("pyfsntfs")

# disk -> byte offset of its NTFS partition (tests/realworld/realworld.py)
DISKS = {"win10-ptrn": 65536, "win10-ramslack": 65536, "win10-lastaccess": 65536,
         "win10-2m": 65536, "win10-si-vs-fn": 65536, "win10-20h1": 1048576}


def disk(name):
    d = os.environ.get("NTX_PY_REALWORLD", "")
    path = os.path.join(d, name + ".raw")
    if not d or not os.path.exists(path):
        pytest.skip("%s not unpacked (the Windows disks are outside the repository: "
                    "NTX_REALWORLD_DIR, CTest's realworld.unpack)" % name)
    return path


class Window:
    """The partition of a disk as the file object libfsntfs reads."""

    def __init__(self, path, offset):
        self.f = open(path, "rb")  # noqa: SIM115 - closed with the test process
        self.offset = offset
        self.size = os.path.getsize(path) - offset
        self.pos = 0

    def seek(self, pos, whence=0):
        self.pos = pos if whence == 0 else self.pos + pos if whence == 1 else self.size + pos

    def tell(self):
        return self.pos

    def read(self, n=-1):
        if n < 0:
            n = self.size - self.pos
        self.f.seek(self.offset + self.pos)
        b = self.f.read(n)
        self.pos += len(b)
        return b

    def get_size(self):
        return self.size


def libfsntfs(path, offset):
    fv = pyfsntfs.volume()
    fv.open_file_object(Window(path, offset))
    return fv


@pytest.mark.parametrize("name", sorted(DISKS))
def test_against_pyfsntfs(name):
    path = disk(name)
    fv = libfsntfs(path, DISKS[name])
    with ntx.open(path) as vol:
        assert vol.info.volume_offset == DISKS[name] and vol.info.partition == 1
        problems = compare_tree(vol, fv, name) + compare_mft(vol, fv)
    assert not problems, "\n".join(problems[:40])


def test_usn_against_pyfsntfs():
    path = disk("win10-20h1")
    j = libfsntfs(path, DISKS["win10-20h1"]).get_usn_change_journal()
    want = []
    while True:
        raw = j.read_usn_record()
        if not raw:
            break
        (length, major, minor, fref, pref, usn, t, reason, source, sec, attrs, nlen,
         noff) = struct.unpack_from("<IHHQQQQIIIIHH", raw)
        name = raw[noff:noff + nlen].decode("utf-16-le", "surrogatepass")
        want.append((usn, major, fref, pref, t, reason, source, sec, attrs, name))
    with ntx.open(path) as vol:
        it = vol.usn()
        got = [(u.usn, u.major, u.reference, u.parent_reference, u.timestamp, u.reason,
                u.source_info, u.security_id, u.file_attributes, u.name) for u in it]
        assert it.skipped == []
    assert len(got) == len(want) == 188
    assert got == want


def test_shadow_copies():
    path = disk("win10-20h1")
    tool = shutil.which("vshadowinfo")
    if tool is None:
        pytest.skip("vshadowinfo not found (Debian: libvshadow-utils)")
    out = subprocess.run([tool, "-o", str(DISKS["win10-20h1"]), path], capture_output=True,
                         text=True, check=True, env=tool_env(), timeout=300).stdout
    stores = re.findall(r"Store: (\d+)\s+Identifier\s+: (\S+)\s+Shadow copy set ID\s+: (\S+)"
                        r"\s+Creation time\s+: [^\n]+\s+Shadow copy ID\s+: (\S+)\s+Volume size"
                        r"\s+: [^(]+\((\d+) bytes\)\s+Attribute flags\s+: (0x[0-9a-f]+)", out)
    assert len(stores) == 2
    with ntx.open(path) as vol:
        live = set(vol.listdir("/"))
        got = [(str(s.index), s.identifier, s.copy_set_identifier, s.copy_identifier,
                str(s.volume_size), "0x%08x" % s.attribute_flags) for s in vol.vss_stores()]
    assert got == [tuple(s) for s in stores]
    assert not {"shadow_1.txt", "shadow_2.txt"} & live
    for n in (1, 2):
        with ntx.open(path, vss=n) as store:
            assert store.info.vss_store == n and store.info.vss_identifier == stores[n - 1][1]
            names = set(store.listdir("/"))
            assert "shadow_%d.txt" % n in names and "shadow_%d.txt" % (3 - n) not in names
            assert store.open("/shadow_%d.txt" % n).stat().size == len(
                store.open("/shadow_%d.txt" % n).read_bytes())
    with pytest.raises(ntx.ShadowCopyError):
        ntx.open(path, vss=3)


def test_slack_in_the_record():
    """test_dir's MFT record 50 keeps three $I30 entries past its 520 bytes
    in use, where its $INDEX_ROOT shrank (offsets, references and names
    decoded by hand from the record: tests/realworld/check_artefacts.py):
    file_3.txt and file_4.txt, which the directory still lists, and
    file_hidden.txt, whose record 54 is in use under another name."""
    path = disk("win10-20h1")
    with ntx.open(path) as vol:
        d = vol.open("/test_dir")
        assert d.stat().record == 50
        listed = set(vol.listdir("/test_dir"))
        got = {(e.record, e.where, e.offset, e.reference & 0xFFFFFFFFFFFF, e.reference >> 48,
                e.name, e.state, e.header_lost) for e in d.slack() if e.where == "record"}
        f54 = vol.open_record(54)
        renamed_to, names54 = f54.stat(), [n.name for n in f54.names()]
    assert got >= {(50, "record", 0x240, 55, 1, "file_3.txt", "live", False),
                   (50, "record", 0x2A8, 56, 1, "file_4.txt", "live", False),
                   (50, "record", 0x310, 54, 1, "file_hidden.txt", "renamed", False)}
    assert {"file_3.txt", "file_4.txt"} <= listed and "file_hidden.txt" not in listed
    assert renamed_to.in_use and names54 and "file_hidden.txt" not in names54


@pytest.mark.parametrize("name", sorted(DISKS))
def test_record_states_as_ntx_mft(name):
    """vol.mft() classes every record as `ntx mft -a --json` does (which the
    CLI tests hold against fls): in use, deleted, empty (never used: no
    attribute, or Windows' format templates with LSN 0 and no name, such
    as win10-2m's 2,017) or unused."""
    path = disk(name)
    cli = os.path.join(os.environ.get("NTX_PY_BUILD", ""), "cli", "ntx")
    if not os.access(cli, os.X_OK):
        pytest.skip("the ntx command is not built in NTX_PY_BUILD")
    out = subprocess.run([cli, "mft", "-a", "--json", path], capture_output=True, text=True,
                         check=True, timeout=300).stdout
    want = {}
    for line in out.splitlines():
        r = json.loads(line)
        want[r["mft"]] = (r["state"], r["deleted"])
    with ntx.open(path) as vol:
        got = {r.record: (r.state, r.deleted) for r in vol.mft()}
    assert got == want
