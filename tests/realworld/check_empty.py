#!/usr/bin/env python3
"""The empty non-resident value Windows writes in every volume: the unnamed
$DATA of /$Extend/$RmMetadata/$Repair (record 28 of win10-ptrn) has every
size 0, highest VCN -1 and a mapping-pairs area holding only its terminator.
The Sleuth Kit (icat) and ntfs-3g read it as 0 bytes; so must every ntx
command, and the check reads the record's bytes by hand first so the test
cannot pass on a volume that lacks the case.

usage: check_empty.py NTX REALWORLD_DIR IMAGES_DIR
"""
import os
import shutil
import struct
import sys
import tempfile

import realworld as R

PATH = "/$Extend/$RmMetadata/$Repair"


def record_bytes(img, off, n):
    """MFT record n, from the boot sector's geometry (1 KiB records here)."""
    with open(img, "rb") as f:
        f.seek(off)
        boot = f.read(512)
        bps = struct.unpack_from("<H", boot, 11)[0]
        spc = boot[13]
        mft_lcn = struct.unpack_from("<Q", boot, 0x30)[0]
        f.seek(off + mft_lcn * bps * spc + n * 1024)
        return f.read(1024)


def unnamed_data(rec):
    """(offset, header bytes) of the record's unnamed $DATA."""
    pos = struct.unpack_from("<H", rec, 0x14)[0]
    while pos + 8 <= len(rec):
        t, ln = struct.unpack_from("<II", rec, pos)
        if t == 0xFFFFFFFF or ln == 0:
            break
        if t == 0x80 and rec[pos + 9] == 0:
            return pos, rec[pos:pos + ln]
        pos += ln
    raise R.Failure("record 28 has no unnamed $DATA")


def main():
    ntx, src, images = sys.argv[1:4]
    R.skip_if_absent(src)
    img = R.image(images, "win10-ptrn")
    off = R.offset("win10-ptrn")
    problems = []

    # the bytes: non-resident, lowest 0, highest -1, sizes 0, pairs = 00
    pos, a = unnamed_data(record_bytes(img, off, 28))
    lo, hi = struct.unpack_from("<qq", a, 0x10)
    mp = struct.unpack_from("<H", a, 0x20)[0]
    alloc, size, init = struct.unpack_from("<QQQ", a, 0x28)
    if not (a[8] == 1 and lo == 0 and hi == -1 and alloc == size == init == 0 and a[mp] == 0):
        raise R.Failure("record 28's $DATA is not the empty value this test is about: %s" % a.hex())

    # the oracle: icat reads 0 bytes
    if shutil.which("icat"):
        _, out, _ = R.run(["icat", "-o", str(off // 512), img, "28"], binary=True)
        if out != b"":
            problems.append("icat read %d bytes of record 28" % len(out))

    _, out, _ = R.run([ntx, "cat", img, "-i", "28"], binary=True)
    if out != b"":
        problems.append("ntx cat -i 28: %d bytes" % len(out))
    _, out, _ = R.run([ntx, "cat", img, PATH], binary=True)
    if out != b"":
        problems.append("ntx cat %s: %d bytes" % (PATH, len(out)))

    _, out, _ = R.run([ntx, "stat", "--json", img, "-i", "28"])
    import json
    st = json.loads(out.splitlines()[0])
    data = [x for x in st["attributes"] if x["type"] == 0x80 and x["name"] == ""]
    if len(data) != 1 or data[0]["resident"] or data[0]["highest_vcn"] != -1 or \
            data[0]["size"] != 0 or data[0]["runs"] != [] or data[0]["offset"] != pos:
        problems.append("ntx stat --json -i 28: unnamed $DATA %r" % data)
    _, out, _ = R.run([ntx, "stat", img, "-i", "28"])
    if "no runs (highest VCN -1)" not in out:
        problems.append("ntx stat -i 28 does not say the extent has no runs")

    with tempfile.TemporaryDirectory() as tmp:
        dest = os.path.join(tmp, "x")
        R.run([ntx, "extract", img, "/$Extend/$RmMetadata", dest])
        got = os.path.join(dest, "$Repair")
        if not os.path.isfile(got) or os.path.getsize(got) != 0:
            problems.append("ntx extract did not write an empty $Repair")
        out_file = os.path.join(tmp, "r28")
        R.run([ntx, "recover", img, "-i", "28", out_file])
        if os.path.getsize(out_file) != 0:
            problems.append("ntx recover -i 28 wrote %d bytes" % os.path.getsize(out_file))

    for p in problems:
        print("  " + p)
    if problems:
        raise R.Failure("%d problems" % len(problems))
    print("record 28 of win10-ptrn: an empty non-resident $DATA, read as 0 bytes everywhere")
    return 0


if __name__ == "__main__":
    R.main(main)
