#!/usr/bin/env python3
"""check_wof_fixture.py - fixtures/wof.img.gz against WOF readers other than
ntx: its manifest's original bytes must be what the image really holds.

  check_wof_fixture.py wimlib FIXTURES_DIR WORK_DIR
  check_wof_fixture.py libfsntfs FIXTURES_DIR WORK_DIR

wimlib: for every '# wof' line of wof.manifest, The Sleuth Kit reads the
named stream WofCompressedData and the reparse point out of the image
(icat -o 0 IMAGE MFT-128-ID, MFT-192-ID; ntfscat and ntfsinfo where TSK
refuses the MFT record). The stream must match its 's' row and its note
(chunk size and count, table entry width, chunks stored as is, compressed
size, residency), the reparse data must name provider 2 and the note's
algorithm, and the chunks, cut at the table's offsets and each given to
wimlib_decompress() (stored ones taken as they are), must give the 'f'
row's size and SHA-256. Files of the '# external' lines must carry the
note's tag and no WofCompressedData.

libfsntfs: pyfsntfs (libfsntfs, with its own XPRESS and LZX decoders from
libfwnt) reads every WOF file and the controls. Where libfsntfs finds the
chunks where they are (see chunk_table_as_libfsntfs_reads_it), its bytes
must equal the original; elsewhere what it does is printed (fixtures/README.md
explains those files). Runs under /usr/bin/python3, Debian's, which has
the module.

Exit 77 (skip) when a tool is missing: sleuthkit (istat, icat), ntfs-3g
(ntfscat, ntfsinfo), wimlib (libwim.so.15: libwim-dev), python3-libfsntfs.
"""
import ctypes
import ctypes.util
import gzip
import hashlib
import os
import re
import shutil
import struct
import subprocess
import sys

CHUNK = {"xpress4k": 4096, "xpress8k": 8192, "xpress16k": 16384, "lzx": 32768}
WOF_ALGORITHM = {"xpress4k": 0, "lzx": 1, "xpress8k": 2, "xpress16k": 3}
TSK_LONG_RUN = b"Run length is larger than file system"


def skip(msg):
    print("SKIP: " + msg)
    sys.exit(77)


class Failures:
    def __init__(self):
        self.n = 0

    def __call__(self, msg):
        self.n += 1
        print("FAIL: " + msg)


def load_manifest(path):
    rows, notes = {}, {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("# ") and "\t" in line:
                key, *rest = line[2:].split("\t")
                notes.setdefault(key, {})[rest[0]] = rest[1:]
            elif line and not line.startswith("#"):
                t, mft, size, nlink, sha, target, p = line.split("\t")
                rows[p] = dict(type=t, mft=int(mft), size=int(size), sha256=sha)
    return rows, notes


def unpack_image(fixtures, work):
    """fixtures/wof.img.gz inflated into work/ (once; replaced atomically)."""
    src = os.path.join(fixtures, "wof.img.gz")
    img = os.path.join(work, "wof.img")
    if os.path.exists(img) and os.path.getmtime(img) >= os.path.getmtime(src):
        return img
    os.makedirs(work, exist_ok=True)
    tmp = "%s.%d" % (img, os.getpid())
    with gzip.open(src, "rb") as fi, open(tmp, "wb") as fo:
        shutil.copyfileobj(fi, fo, 1 << 20)
    os.replace(tmp, img)
    return img


# --------------------------------------------------------------------------
# reading attributes out of the image


def run(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return r.returncode, r.stdout, r.stderr


class Image:
    def __init__(self, img):
        self.img = img

    def attributes(self, mft):
        """{(type, name): (id, resident, sparse, size)} from istat, or None
        where TSK refuses the record (a sparse run longer than the volume)."""
        rc, out, err = run(["istat", "-o", "0", self.img, str(mft)])
        if rc:
            if TSK_LONG_RUN in err:
                return None
            raise RuntimeError("istat %d: %s" % (mft, err.decode(errors="replace").strip()))
        attrs = {}
        for m in re.finditer(r"^Type: (\$\w+) \((\d+)-(\d+)\)\s+Name: (.*?)\s+"
                             r"(Resident|Non-Resident)(, Sparse)?\s+size: (\d+)",
                             out.decode("utf-8", "replace"), re.M):
            attrs[(int(m.group(2)), m.group(4))] = (int(m.group(3)), m.group(5) == "Resident",
                                                    m.group(6) is not None, int(m.group(7)))
        return attrs

    def attributes_ntfsinfo(self, mft):
        """The same from ntfsinfo (ids unknown), for records TSK refuses."""
        rc, out, err = run(["ntfsinfo", "-i", str(mft), self.img])
        if rc:
            raise RuntimeError("ntfsinfo -i %d: %s" % (mft, err.decode(errors="replace").strip()))
        attrs = {}
        for block in out.decode("utf-8", "replace").split("Dumping attribute ")[1:]:
            m = re.match(r"\$\w+ \(0x([0-9a-f]+)\)", block)
            name = re.search(r"Attribute name:\s+'(.*)'", block)
            size = re.search(r"Data size:\s+(\d+)", block)
            attrs[(int(m.group(1), 16), name.group(1) if name else "N/A")] = (
                None, "Resident flags:" in block, "Attribute flags:\t 0x8000" in block,
                int(size.group(1)))
        return attrs

    def read(self, mft, attrs, atype, name):
        """The value of attribute (atype, name): icat, or ntfscat where TSK
        refuses the record."""
        if attrs is not None and (atype, name) in attrs:
            rc, out, err = run(["icat", "-o", "0", self.img,
                                "%d-%d-%d" % (mft, atype, attrs[(atype, name)][0])])
        else:
            cmd = ["ntfscat", "-i", str(mft), "-a", hex(atype)]
            if name != "N/A":
                cmd += ["-n", name]
            rc, out, err = run(cmd + [self.img])
        if rc:
            raise RuntimeError("reading %d/%#x/%s: %s" % (mft, atype, name,
                                                          err.decode(errors="replace").strip()))
        return out


# --------------------------------------------------------------------------
# wimlib


class Wimlib:
    def __init__(self):
        name = ctypes.util.find_library("wim") or "libwim.so.15"
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            skip("wimlib (libwim.so.15) not found: apt-get install libwim-dev")
        vp = ctypes.c_void_p
        lib.wimlib_create_decompressor.argtypes = [ctypes.c_int, ctypes.c_size_t,
                                                   ctypes.POINTER(vp)]
        lib.wimlib_decompress.argtypes = [ctypes.c_char_p, ctypes.c_size_t, vp, ctypes.c_size_t,
                                          vp]
        self.lib, self.dec, self.memo = lib, {}, {}

    def decompress(self, algorithm, data, size):
        key = (algorithm, size, data)
        if key in self.memo:       # the zero chunks of the 4 GiB file repeat
            return self.memo[key]
        if algorithm not in self.dec:
            h = ctypes.c_void_p()
            if self.lib.wimlib_create_decompressor(2 if algorithm == "lzx" else 1,
                                                   CHUNK[algorithm], ctypes.byref(h)):
                raise RuntimeError("wimlib_create_decompressor failed")
            self.dec[algorithm] = (h, ctypes.create_string_buffer(CHUNK[algorithm]))
        h, out = self.dec[algorithm]
        if self.lib.wimlib_decompress(data, len(data), out, size, h):
            raise ValueError("wimlib_decompress refused a chunk")
        res = out.raw[:size]
        if len(self.memo) < 64:
            self.memo[key] = res
        return res


def chunk_bounds(stream, size, chunk):
    """[(start, end)] of each chunk in the stream, after the table of
    (chunks - 1) offsets (8 bytes each above 0xFFFFFFFF bytes, else 4)."""
    n = (size + chunk - 1) // chunk
    if n == 0:
        return 0, 0, []
    width = 8 if size > 0xFFFFFFFF else 4
    tlen = (n - 1) * width
    ends = list(struct.unpack("<%d%s" % (n - 1, "Q" if width == 8 else "I"), stream[:tlen]))
    ends.append(len(stream) - tlen)
    bounds, start = [], 0
    for i, end in enumerate(ends):
        bounds.append((tlen + start, tlen + end))
        start = end
    return width, tlen, bounds


def check_wimlib(fixtures, work):
    for t in ("istat", "icat", "ntfscat", "ntfsinfo"):
        if shutil.which(t) is None:
            skip("%s not found (apt-get install sleuthkit ntfs-3g)" % t)
    wim = Wimlib()
    rows, notes = load_manifest(os.path.join(fixtures, "wof.manifest"))
    image = Image(unpack_image(fixtures, work))
    fail = Failures()
    wof, external, reparse = notes.get("wof", {}), notes.get("external", {}), notes.get("reparse", {})
    if len(wof) < 30 or len(external) < 5:
        fail("wof.manifest has %d '# wof' and %d '# external' lines" % (len(wof), len(external)))

    for path, (algorithm, chunk, nchunks, stored, width, compressed, residency) in sorted(wof.items()):
        row, srow = rows[path], rows.get(path + ":WofCompressedData")
        chunk, nchunks, stored, width, compressed = map(int, (chunk, nchunks, stored, width,
                                                               compressed))
        if row["type"] != "f" or srow is None:
            fail("%s: no 'f' row or no WofCompressedData 's' row" % path)
            continue
        mft, size = row["mft"], row["size"]
        attrs = image.attributes(mft)
        shown = attrs if attrs is not None else image.attributes_ntfsinfo(mft)
        if (128, "WofCompressedData") not in shown:
            fail("%s: no WofCompressedData stream in MFT record %d" % (path, mft))
            continue
        stream = image.read(mft, attrs, 128, "WofCompressedData")
        rp = image.read(mft, attrs, 0xC0, "N/A")
        # the unnamed $DATA: the original size, sparse (an empty one is resident)
        _, resident, sparse, dsize = shown.get((128, "N/A"), (None, None, None, None))
        if dsize != size or (size and (resident or not sparse)):
            fail("%s: the unnamed $DATA is not a sparse %d bytes (%s)" % (
                path, size, shown.get((128, "N/A"))))
        # the stream against its row and the note
        if len(stream) != srow["size"] or hashlib.sha256(stream).hexdigest() != srow["sha256"]:
            fail("%s: WofCompressedData differs from its 's' row" % path)
        if len(stream) != compressed:
            fail("%s: WofCompressedData is %d bytes, the note says %d" % (path, len(stream),
                                                                         compressed))
        if shown[(128, "WofCompressedData")][1] != (residency == "resident"):
            fail("%s: WofCompressedData is not %s" % (path, residency))
        # the reparse point: tag, WOF_EXTERNAL_INFO, FILE_PROVIDER_EXTERNAL_INFO_V1
        if rp.hex() != reparse.get(path, [""])[0]:
            fail("%s: reparse data in the image differs from the manifest's" % path)
        if len(rp) < 24 or struct.unpack("<IHHIIII", rp[:24]) != (
                0x80000017, 16, 0, 1, 2, 1, WOF_ALGORITHM[algorithm]):
            fail("%s: reparse data %s is not WOF, provider FILE, %s" % (path, rp.hex(), algorithm))
        if chunk != CHUNK[algorithm] or nchunks != (size + chunk - 1) // chunk:
            fail("%s: note chunk %d x %d does not fit %s and %d bytes" % (path, chunk, nchunks,
                                                                        algorithm, size))
        # the chunks, each decompressed by wimlib
        try:
            w, tlen, bounds = chunk_bounds(stream, size, chunk)
            if nchunks and w != width:
                fail("%s: table entries of %d bytes, the note says %d" % (path, w, width))
            h, total, nstored, start = hashlib.sha256(), 0, 0, tlen
            for i, (a, b) in enumerate(bounds):
                want = chunk if i < nchunks - 1 else size - chunk * (nchunks - 1)
                if a != start or b <= a or b - a > want or b > len(stream):
                    raise ValueError("chunk %d at %d..%d of %d" % (i, a, b, len(stream)))
                piece = stream[a:b]
                if len(piece) == want:
                    nstored += 1
                    out = piece
                else:
                    out = wim.decompress(algorithm, piece, want)
                h.update(out)
                total += len(out)
                start = b
            if nchunks == 0 and stream:
                raise ValueError("an empty file with %d stream bytes" % len(stream))
        except ValueError as e:
            fail("%s: %s" % (path, e))
            continue
        if nstored != stored:
            fail("%s: %d chunks stored as is, the note says %d" % (path, nstored, stored))
        if total != size or h.hexdigest() != row["sha256"]:
            fail("%s: wimlib gives %d bytes, sha256 %s; the manifest says %d, %s" % (
                path, total, h.hexdigest(), size, row["sha256"]))
        else:
            print("ok   %-32s %-9s %6d chunks (%d stored) -> %d bytes%s" % (
                path, algorithm, nchunks, nstored, size,
                "" if attrs is not None else " (TSK refuses the record: ntfscat)"))

    for path, (tag, kind) in sorted(external.items()):
        row = rows[path]
        attrs = image.attributes(row["mft"])
        shown = attrs if attrs is not None else image.attributes_ntfsinfo(row["mft"])
        rp = image.read(row["mft"], attrs, 0xC0, "N/A")
        if rp.hex() != reparse.get(path, [""])[0] or struct.unpack("<I", rp[:4])[0] != int(tag, 16):
            fail("%s: reparse data in the image is %s, not tag %s" % (path, rp.hex(), tag))
        if kind == "wof-wim" and struct.unpack("<II", rp[8:16]) != (1, 1):
            fail("%s: not WOF_EXTERNAL_INFO version 1, provider 1 (WIM)" % path)
        if (128, "WofCompressedData") in shown:
            fail("%s: an external file with a WofCompressedData stream" % path)
        _, resident, sparse, dsize = shown.get((128, "N/A"), (None, None, None, None))
        if dsize != row["size"] or resident or not sparse:
            fail("%s: the unnamed $DATA is not a sparse %d bytes" % (path, row["size"]))
        if row["sha256"] != "-":
            fail("%s: an external file's row has a SHA-256" % path)
        print("ok   %-32s %s %s, no WofCompressedData" % (path, tag, kind))
    return fail.n


# --------------------------------------------------------------------------
# libfsntfs


def chunk_table_as_libfsntfs_reads_it(stream, size, chunk):
    """True when libfsntfs (libfsntfs_compressed_data_handle.c, Debian
    20200921) finds the real chunk boundaries. It takes 8-byte entries only
    when the *compressed* stream is over 4 GiB, reads one entry per chunk
    (one more than the table holds: the last is the first bytes of chunk 0),
    stops at the first entry that does not grow or lies past the stream, and
    takes the table to end there."""
    n = (size + chunk - 1) // chunk
    if n == 0:
        return True
    width = 8 if len(stream) > 0xFFFFFFFF else 4
    if len(stream) < n * width:
        return False                                   # its table read fails
    entries, prev, pos = [], width, 0
    while pos < n * width:
        v = int.from_bytes(stream[pos:pos + width], "little")
        if v <= prev or v >= len(stream):
            break
        entries.append(v)
        prev = v
        pos += width
    _, tlen, bounds = chunk_bounds(stream, size, chunk)
    true_entries = [b - tlen for _, b in bounds[:-1]]
    return pos == tlen and entries == true_entries


def check_libfsntfs(fixtures, work):
    try:
        import pyfsntfs
    except ImportError:
        debian = "/usr/bin/python3"
        if os.path.realpath(sys.executable) != os.path.realpath(debian) and os.path.exists(debian):
            os.execv(debian, [debian] + sys.argv)
        skip("pyfsntfs not found (apt-get install python3-libfsntfs; Debian's /usr/bin/python3)")
    for t in ("istat", "icat", "ntfscat", "ntfsinfo"):
        if shutil.which(t) is None:
            skip("%s not found (apt-get install sleuthkit ntfs-3g)" % t)
    rows, notes = load_manifest(os.path.join(fixtures, "wof.manifest"))
    img = unpack_image(fixtures, work)
    image = Image(img)
    vol = pyfsntfs.volume()
    vol.open(img)
    fail = Failures()
    agreed = 0

    def read(path):
        fe = vol.get_file_entry_by_path(path.replace("/", "\\"))
        size = fe.get_size()
        h, n = hashlib.sha256(), 0
        while n < size:
            b = fe.read_buffer_at_offset(min(16 << 20, size - n), n)
            if not b:
                raise IOError("short read at %d" % n)
            h.update(b)
            n += len(b)
        return size, h.hexdigest()

    wof = notes.get("wof", {})
    for path, note in sorted(wof.items()):
        row = rows[path]
        attrs = image.attributes(row["mft"])
        stream = image.read(row["mft"], attrs, 128, "WofCompressedData")
        expect = chunk_table_as_libfsntfs_reads_it(stream, row["size"], int(note[1]))
        try:
            size, sha = read(path)
            got = "equal" if (size, sha) == (row["size"], row["sha256"]) else \
                "other bytes (size %d)" % size
        except (IOError, OSError, MemoryError) as e:
            got = "error: " + str(e).split("\n")[0][:120]
        if expect and got != "equal":
            fail("%s: libfsntfs gives %s" % (path, got))
        elif expect:
            agreed += 1
            print("ok   %-32s %-9s libfsntfs gives the original" % (path, note[0]))
        else:
            print("info %-32s %-9s chunk table misread by libfsntfs: %s" % (path, note[0], got))
    for path, row in sorted(rows.items()):
        if not path.startswith("/controls/") or row["type"] != "f":
            continue
        try:
            got = read(path)
        except (IOError, OSError) as e:
            got = str(e)
        if got != (row["size"], row["sha256"]):
            fail("%s: libfsntfs gives %r" % (path, got))
        else:
            print("ok   %-32s control" % path)
    for path, (tag, kind) in sorted(notes.get("external", {}).items()):
        try:
            size, sha = read(path)
            got = "zeros" if sha == hashlib.sha256(bytes(size)).hexdigest() else "other bytes"
            got += " (%d bytes)" % size
        except (IOError, OSError) as e:
            got = "error: " + str(e).split("\n")[0][:120]
        print("info %-32s %s %s: libfsntfs gives %s" % (path, tag, kind, got))
    if agreed < 30:
        fail("libfsntfs agreed on only %d WOF files" % agreed)
    return fail.n


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("wimlib", "libfsntfs"):
        sys.exit("usage: check_wof_fixture.py wimlib|libfsntfs FIXTURES_DIR WORK_DIR")
    mode, fixtures, work = sys.argv[1:]
    n = (check_wimlib if mode == "wimlib" else check_libfsntfs)(fixtures, work)
    if n:
        print("%d failure(s)" % n)
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
