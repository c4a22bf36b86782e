#!/usr/bin/env python3
"""Fill a tiny NTFS volume (mounted read-write through ntfs-3g with
-o compression,streams_interface=windows) for the fuzz seed corpus.

    seed_populate.py PROFILE MOUNTPOINT

Profiles: small (every kind of object, few of each), dir (a directory whose
$I30 index has several INDX blocks and a file with enough names for an
$ATTRIBUTE_LIST), plain (a few files, no compression: 64 KiB clusters),
wof (the common files, then WOF-compressed files in each algorithm, written
as fixtures/wofpack.py writes the WOF fixture: chunks compressed by wimlib,
WofCompressedData, a sparse $DATA, the reparse point last).
The content is deterministic; make-seeds.sh calls this.
"""
import os
import random
import struct
import sys

TEXT = (b"All work and no play makes Jack a dull boy. "
        b"ntx reads NTFS, it never writes it.\n")


def rnd(seed, n):
    return random.Random(seed).randbytes(n)


def tagged(tag, n):
    """n bytes of compressible text, every 512-byte block tagged with its offset."""
    out = bytearray()
    while len(out) < n:
        out += (b"%s@%d|" % (tag, len(out))).ljust(512, b".")
    return bytes(out[:n])


def reparse_symlink(substitute, printname, flags):
    """MS-FSCC 2.1.2.4 symbolic link reparse data (tag 0xA000000C)."""
    s = substitute.encode("utf-16le")
    p = printname.encode("utf-16le")
    body = struct.pack("<HHHHI", 0, len(s), len(s), len(p), flags) + s + p
    return struct.pack("<IHH", 0xA000000C, len(body), 0) + body


def reparse_junction(substitute, printname):
    """MS-FSCC 2.1.2.5 mount point reparse data (tag 0xA0000003)."""
    s = substitute.encode("utf-16le") + b"\0\0"
    p = printname.encode("utf-16le") + b"\0\0"
    body = struct.pack("<HHHH", 0, len(s) - 2, len(s), len(p) - 2) + s + p
    return struct.pack("<IHH", 0xA0000003, len(body), 0) + body


class Vol:
    def __init__(self, root):
        self.root = root

    def p(self, path):
        return os.path.join(self.root, path.lstrip("/"))

    def mkdir(self, path):
        os.makedirs(self.p(path), exist_ok=True)

    def write(self, path, data):
        with open(self.p(path), "wb") as f:
            f.write(data)

    def stream(self, path, name, data):
        with open(self.p(path) + ":" + name, "wb") as f:
            f.write(data)

    def attrib(self, path, add):
        cur = struct.unpack(">I", os.getxattr(self.p(path), "system.ntfs_attrib_be"))[0]
        os.setxattr(self.p(path), "system.ntfs_attrib_be", struct.pack(">I", cur | add))

    def reparse(self, path, data):
        os.setxattr(self.p(path), "system.ntfs_reparse_data", data, follow_symlinks=False)

    def fragmented(self, path, units, cluster):
        """A file of `units` pieces in the holes left by deleting every other
        filler, after a ballast of zeros took the rest of the free space: a
        runlist of many small runs. Records are allocated first so that the
        $MFT does not grow into the holes."""
        unit = -(-1024 // cluster) * cluster  # non-resident even with 512-byte clusters
        self.mkdir("/fill")
        self.write(path, b"")
        for i in range(2 * units):
            self.write("/fill/f%03d" % i, b"")
        os.sync()
        # ntfs-3g's statvfs overstates what a file can take: fill until
        # ENOSPC, then give back just the room the fillers need.
        size = 0
        with open(self.p("/fill/ballast"), "wb", buffering=0) as f:
            try:
                while True:
                    f.write(bytes(cluster))
                    size += cluster
            except OSError:
                pass
            f.truncate(max(size - (2 * units + 2) * unit, 0))
        os.sync()
        for i in range(2 * units):
            self.write("/fill/f%03d" % i, tagged(b"fill%d" % i, unit))
        os.sync()
        for i in range(0, 2 * units, 2):
            os.unlink(self.p("/fill/f%03d" % i))
        os.sync()
        with open(self.p(path), "ab") as f:
            for i in range(units):
                f.write(tagged(b"frag%d" % i, unit))
                f.flush()
                os.fsync(f.fileno())
        for name in os.listdir(self.p("/fill")):
            os.unlink(self.p("/fill/" + name))
        os.rmdir(self.p("/fill"))


def common(v, cluster, compress=True):
    v.write("/hello.txt", b"Hello from ntx!\n")
    v.stream("/hello.txt", "Zone.Identifier", b"[ZoneTransfer]\r\nZoneId=3\r\n")
    v.write("/empty.txt", b"")
    v.mkdir("/docs/notes")
    v.write("/docs/guide.txt", (TEXT * 40)[:3000])
    v.write("/docs/notes/todo.txt", b"fuzz everything\n")
    v.stream("/docs", "dirstream", b"a stream on a directory")
    v.write("/unicode-\u00e9\U0001F600.txt", "\u00e9t\u00e9 \U0001F600\n".encode())
    v.mkdir("/hard")
    v.write("/hard/a.txt", b"one file, two names\n")
    os.link(v.p("/hard/a.txt"), v.p("/hard/b.txt"))
    v.mkdir("/links")
    v.write("/links/sym", b"")
    v.reparse("/links/sym", reparse_symlink("..\\docs\\guide.txt", "..\\docs\\guide.txt", 1))
    v.mkdir("/links/junction")
    v.reparse("/links/junction", reparse_junction("\\??\\C:\\docs", "C:\\docs"))
    os.symlink("../hello.txt", v.p("/links/interix"))
    with open(v.p("/sparse.bin"), "wb") as f:
        f.write(b"head" * 256)
        f.seek(300 * 1024)
        f.write(b"tail" * 300)
    if compress:
        v.mkdir("/comp")
        v.attrib("/comp", 0x800)
        v.write("/comp/text.txt", (TEXT * 600)[:40000])
        v.write("/comp/mixed.bin", (TEXT * 100)[:6000] + rnd(7, 9000) + bytes(20000) + b"end")


def profile_small(v, cluster):
    common(v, cluster)
    v.fragmented("/frag.bin", 12, cluster)


def profile_dir(v, cluster):
    common(v, cluster)
    v.mkdir("/many")
    for i in range(150):
        name = "file-%04d%s.txt" % (i, "-with-a-longer-name" if i % 7 == 0 else "")
        v.write("/many/" + name, b"%d\n" % i)
    v.mkdir("/names")
    v.write("/names/target.txt", b"many names for one file\n")
    for i in range(40):
        os.link(v.p("/names/target.txt"), v.p("/names/link-%02d-of-the-same-file.txt" % i))
    v.fragmented("/frag.bin", 12, cluster)


def profile_plain(v, cluster):
    common(v, cluster, compress=False)
    v.fragmented("/frag.bin", 3, cluster)


def profile_wof(v, cluster):
    """A few WOF files, small enough for a seed, each reaching another part of
    the reader: stored and compressed chunks, a table, none (one chunk), a
    short last chunk, LZX with x86 code (its E8 translation), a resident
    WofCompressedData, an empty file, one byte; and a decoy (a stream named
    WofCompressedData on a file without the reparse point). No file with data
    stored elsewhere: a fuzzer reaches those tags by flipping a provider or
    tag byte of these."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "..", "fixtures"))
    import wofpack as W
    wim = W.Wimlib()
    common(v, cluster, compress=False)
    v.mkdir("/wof")

    def wof(path, alg, data):
        csize = W.ALGORITHMS[alg][1]
        stream, _, _ = W.pack(wim, alg, W.split(data, csize), len(data))
        v.write(path, b"")
        v.stream(path, "WofCompressedData", stream)
        with open(v.p(path), "r+b") as f:   # non-resident, sparse, no cluster
            f.truncate(max(len(data), 1 << 20))
            f.truncate(len(data))
        v.reparse(path, W.wof_reparse(alg))  # last: ntfs-3g hides the streams after

    text = (TEXT * 400)
    with open(W.CODE_SAMPLE, "rb") as f:
        code = f.read(32768)
    wof("/wof/xpress4k.txt", 0, text[:4096] + rnd(11, 4096) + text[:700])
    wof("/wof/xpress8k.txt", 2, text[:8192])
    wof("/wof/xpress16k.bin", 3, text[:16384] + rnd(12, 10))
    wof("/wof/lzx-code.exe", 1, code + text[:900])
    wof("/wof/empty.bin", 0, b"")
    wof("/wof/one-byte.txt", 1, b"W")
    decoy, _, _ = W.pack(wim, 0, W.split(text[:5000], 4096), 5000)
    v.write("/wof/not-wof.txt", b"a plain file with a stream named WofCompressedData\n")
    v.stream("/wof/not-wof.txt", "WofCompressedData", decoy)


def main():
    profile, root = sys.argv[1], sys.argv[2]
    cluster = os.statvfs(root).f_bsize
    {"small": profile_small, "dir": profile_dir, "plain": profile_plain,
     "wof": profile_wof}[profile](Vol(root), cluster)
    os.sync()


if __name__ == "__main__":
    main()
