#!/usr/bin/env python3
"""Helpers of make-bench-image.sh (run on an ntfs-3g mount, or on the raw image).

  bench-image.py text FILE MIB             write MIB MiB of compressible log text
  bench-image.py fill MOUNT UNIT NEED      ballast + UNIT-byte fillers take all free space
  bench-image.py order IMAGE               filler names in on-disk (first LCN) order
  bench-image.py finish MOUNT UNIT NEED ORDER
                                           free every other filler, write
                                           /fragmented.bin (NEED units) into the
                                           holes, delete ballast and fillers

Why the dance: ntfs-3g extends a file right after its last cluster, or at the
next free cluster after it, and starts each new file far from the others, so
interleaved appends to two files do not fragment. A comb of free space does:
every other filler in LCN order is deleted and the file can only go there.
"""
import errno
import os
import re
import struct
import sys

TMP_DIR = "frag-tmp"
FILLER = re.compile(r"fill\d{6}$")


def text(path, mib):
    want = mib << 20
    # A web server log with counters: about 4:1 with LZNT1, no two chunks alike.
    fmt = ("2024-05-%02d %02d:%02d:%02d.%03d INFO  [worker-%02d] GET /api/v1/items/%d "
           "status=200 bytes=%d latency_us=%d req=%08x\n")
    with open(path, "wb") as f:
        n = i = 0
        while n < want:
            lines = []
            for _ in range(8192):
                lines.append(fmt % (1 + i // 86400000 % 28, i // 3600000 % 24, i // 60000 % 60,
                                    i // 1000 % 60, i % 1000, i % 16, i * 7919 % 100000,
                                    i * 31 % 65536, i * 17 % 5000, i))
                i += 1
            blob = "".join(lines).encode()[: want - n]
            f.write(blob)
            n += len(blob)


def fill(mnt, unit, need):
    tmp = os.path.join(mnt, TMP_DIR)
    os.mkdir(tmp)
    ballast = os.path.join(tmp, "ballast")
    chunk = bytes(1 << 20)
    with open(ballast, "wb") as f:
        try:
            while True:
                f.write(chunk)
                f.flush()
        except OSError as e:
            if e.errno != errno.ENOSPC:
                raise
    # room for 2 * need fillers and their MFT records, plus slack
    keep = (2 * need + 256) * (unit + 1024) + (4 << 20)
    size = os.path.getsize(ballast)
    os.truncate(ballast, max(0, (size - keep) // unit * unit))
    data = b"\xa5" * unit
    i = 0
    while True:
        name = os.path.join(tmp, "fill%06d" % i)
        try:
            with open(name, "wb") as f:
                f.write(data)
        except OSError as e:
            if e.errno != errno.ENOSPC:
                raise
            if os.path.exists(name):
                os.unlink(name)
            break
        i += 1
    if i < 2 * need:
        sys.exit("fill: only %d fillers, need %d" % (i, 2 * need))


# --- a minimal raw NTFS reader: just enough to find each filler's first LCN


def fixup(buf):
    buf = bytearray(buf)
    if buf[:4] != b"FILE":
        return None
    usa_ofs, usa_cnt = struct.unpack_from("<HH", buf, 4)
    usn = buf[usa_ofs:usa_ofs + 2]
    for i in range(1, usa_cnt):
        end = i * 512 - 2
        if buf[end:end + 2] != usn:
            return None
        buf[end:end + 2] = buf[usa_ofs + 2 * i:usa_ofs + 2 * i + 2]
    return bytes(buf)


def runs_of(rec, pos):
    lo, mpo = struct.unpack_from("<q", rec, pos + 16)[0], struct.unpack_from("<H", rec, pos + 32)[0]
    p, vcn, lcn, out = pos + mpo, lo, 0, []
    while rec[p]:
        h = rec[p]
        nl, no = h & 15, h >> 4
        ln = int.from_bytes(rec[p + 1:p + 1 + nl], "little")
        if no:
            lcn += int.from_bytes(rec[p + 1 + nl:p + 1 + nl + no], "little", signed=True)
            out.append((vcn, lcn, ln))
        vcn += ln
        p += 1 + nl + no
    return out


def attrs(rec):
    pos = struct.unpack_from("<H", rec, 0x14)[0]
    while pos + 8 <= len(rec):
        typ, length = struct.unpack_from("<II", rec, pos)
        if typ == 0xFFFFFFFF or length == 0:
            return
        yield typ, rec[pos + 8], pos
        pos += length


def order(image):
    with open(image, "rb") as f:
        b = f.read(512)
        sector = struct.unpack_from("<H", b, 0x0B)[0]
        spc = b[0x0D]
        cluster = sector * (1 << (256 - spc) if spc > 0x80 else spc)
        mft_lcn = struct.unpack_from("<q", b, 0x30)[0]
        c = struct.unpack_from("<b", b, 0x40)[0]
        rsize = 1 << -c if c < 0 else c * cluster
        f.seek(mft_lcn * cluster)
        rec0 = fixup(f.read(rsize))
        mft_runs = [r for t, nr, p in attrs(rec0) if t == 0x80 and nr for r in runs_of(rec0, p)]

        def record(num):
            vcn, within = divmod(num * rsize, cluster)
            for v0, lcn, ln in mft_runs:
                if v0 <= vcn < v0 + ln:
                    f.seek((lcn + vcn - v0) * cluster + within)
                    return fixup(f.read(rsize))
            return None

        # On a full volume the $MFT itself fragments: its further extents
        # live in extension records named by record 0's $ATTRIBUTE_LIST.
        for t, nr, p in attrs(rec0):
            if t != 0x20:
                continue
            if nr:
                size = struct.unpack_from("<q", rec0, p + 48)[0]
                al = b""
                for v0, lcn, ln in runs_of(rec0, p):
                    f.seek(lcn * cluster)
                    al += f.read(ln * cluster)
                al = al[:size]
            else:
                vlen, voff = struct.unpack_from("<IH", rec0, p + 16)
                al = rec0[p + voff:p + voff + vlen]
            q = 0
            while q + 26 <= len(al):
                typ, ln = struct.unpack_from("<IH", al, q)
                ref = struct.unpack_from("<Q", al, q + 16)[0] & 0xFFFFFFFFFFFF
                if typ == 0x80 and ref != 0:
                    ext = record(ref)
                    mft_runs += [r for t2, nr2, p2 in attrs(ext) if t2 == 0x80 and nr2
                                 for r in runs_of(ext, p2)]
                q += ln
        mft_runs.sort()
        found = []
        for vcn, lcn, ln in mft_runs:
            f.seek(lcn * cluster)
            blob = f.read(ln * cluster)
            for off in range(0, len(blob), rsize):
                rec = fixup(blob[off:off + rsize])
                if rec is None or not struct.unpack_from("<H", rec, 0x16)[0] & 1:
                    continue
                name, first = None, None
                for t, nr, p in attrs(rec):
                    if t == 0x30 and not nr:
                        voff = struct.unpack_from("<H", rec, p + 20)[0]
                        nlen = rec[p + voff + 64]
                        name = rec[p + voff + 66:p + voff + 66 + 2 * nlen].decode("utf-16le")
                    elif t == 0x80 and nr:
                        r = runs_of(rec, p)
                        if r and r[0][0] == 0:
                            first = r[0][1]
                if name and FILLER.match(name) and first is not None:
                    found.append((first, name))
    for lcn, name in sorted(found):
        print(lcn, name)


def finish(mnt, unit, need, order_file):
    tmp = os.path.join(mnt, TMP_DIR)
    with open(order_file) as f:
        names = [os.path.join(tmp, line.split()[1]) for line in f if line.strip()]
    if len(names) < 2 * need:
        sys.exit("finish: only %d fillers listed, need %d" % (len(names), 2 * need))
    for name in names[1::2]:
        os.unlink(name)
    data = os.urandom(unit)
    with open(os.path.join(mnt, "fragmented.bin"), "wb", buffering=0) as f:
        for _ in range(need):
            f.write(data)
    for name in names[0::2]:
        os.unlink(name)
    for name in os.listdir(tmp):
        os.unlink(os.path.join(tmp, name))
    os.rmdir(tmp)


def main():
    cmd, a = sys.argv[1], sys.argv[2:]
    if cmd == "text":
        text(a[0], int(a[1]))
    elif cmd == "fill":
        fill(a[0], int(a[1]), int(a[2]))
    elif cmd == "order":
        order(a[0])
    elif cmd == "finish":
        finish(a[0], int(a[1]), int(a[2]), a[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
