#!/usr/bin/env python3
"""The three places a name's times live, decoded by hand from the bytes of
one Windows-written disk and set against the library:

  si   the file's $STANDARD_INFORMATION
  fn   the file's own $FILE_NAME attribute
  i30  the copy in the parent directory's index entry ($INDEX_ROOT and
       the $INDEX_ALLOCATION blocks its $BITMAP marks in use)

For every name the walk gives, rw_walk's three sets must equal the bytes
(check_compare.py already sets si and fn against ntx, TSK, libfsntfs and
ntfs-3g). Then the cases the disks were made for:

  win10-si-vs-fn    /test/test.txt: fn all 2014-12-12, si all 2015-11-03,
                    i30 all 2016-09-24 (hex-edited), and ntx stat and ntx
                    ls --json show each set where they say they do
  win10-lastaccess  /test/1.txt: the last-access time in si differs from
                    the one in its parent's index entry
  win10-20h1        the files whose last-access times differ between si and
                    i30, listed (README.md)

usage: check_times.py RW_WALK NTX REALWORLD_DIR IMAGES_DIR NAME
"""
import datetime
import json
import struct
import sys

import differences as D
import realworld as R
import views as V


def fn_key(k):
    """(parent MFT, times x4, namespace, name) of a $FILE_NAME value."""
    parent = struct.unpack_from("<Q", k, 0)[0] & 0xFFFFFFFFFFFF
    times = list(struct.unpack_from("<4Q", k, 8))
    nlen, ns = k[0x40], k[0x41]
    return parent, times, ns, k[0x42:0x42 + 2 * nlen].decode("utf-16-le", "surrogatepass")


def entries(node, start, end):
    """Index entries from node[start:end]: (mft, $FILE_NAME key bytes)."""
    pos = start
    while pos + 16 <= end:
        ref, elen, klen, flags = struct.unpack_from("<QHHI", node, pos)
        if flags & 2 or elen < 16:  # the last entry holds no key
            return
        yield ref & 0xFFFFFFFFFFFF, node[pos + 16:pos + 16 + klen]
        pos += elen


def index_times(img, off, dir_mft):
    """name -> (mft, times) of every live entry of a directory's $I30."""
    rec = D.record(img, off, dir_mft)
    attrs = D.attributes(rec)
    out = {}
    root = [h for t, n, h in attrs if t == 0x90 and n == "$I30"][0]
    vlen, voff = struct.unpack_from("<IH", root, 0x10)
    value = root[voff:voff + vlen]
    block_size = struct.unpack_from("<I", value, 8)[0]
    eoff, esize = struct.unpack_from("<II", value, 16)
    nodes = [(value, 16 + eoff, 16 + esize)]
    alloc = [h for t, n, h in attrs if t == 0xA0 and n == "$I30"]
    if alloc:
        bm = [h for t, n, h in attrs if t == 0xB0 and n == "$I30"][0]
        blen, boff = struct.unpack_from("<IH", bm, 0x10)
        bitmap = bm[boff:boff + blen]
        size = struct.unpack_from("<Q", alloc[0], 0x30)[0]
        b = D.boot(img, off)
        cs, bps = D.cluster_size(b), struct.unpack_from("<H", b, 11)[0]
        data = D.read_clusters(img, off, alloc[0], 0, (size + cs - 1) // cs)
        for i in range(size // block_size):
            if not bitmap[i // 8] >> (i % 8) & 1:
                continue
            blk = D.apply_fixups(bytearray(data[i * block_size:(i + 1) * block_size]), bps,
                                 "index block %d of record %d" % (i, dir_mft))
            if blk[:4] != b"INDX":
                raise R.Failure("record %d: index block %d has no INDX signature" % (dir_mft, i))
            eoff, esize = struct.unpack_from("<II", blk, 0x18)
            nodes.append((blk, 0x18 + eoff, 0x18 + esize))
    for node, start, end in nodes:
        for mft, key in entries(node, start, end):
            parent, times, ns, name = fn_key(key)
            if parent != dir_mft:
                raise R.Failure("record %d: entry %s names parent %d" % (dir_mft, name, parent))
            if ns != 2:  # the DOS alias repeats the times of its long name
                out[name] = (mft, times)
    return out


def record_times(img, off, mft, name):
    """(si, fn) of a record: $STANDARD_INFORMATION's first four times and
    those of the $FILE_NAME called name."""
    si, fn = None, None
    for t, _, h in D.attributes(D.record(img, off, mft)):
        if h[8] != 0:
            continue
        vlen, voff = struct.unpack_from("<IH", h, 0x10)
        v = h[voff:voff + vlen]
        if t == 0x10:
            si = list(struct.unpack_from("<4Q", v, 0))
        elif t == 0x30:
            _, times, ns, n = fn_key(v)
            if n == name and ns != 2:
                fn = times
    return si, fn


def day(t):
    return (datetime.datetime(1601, 1, 1) + datetime.timedelta(microseconds=t // 10)).date()


TXF = ["/$Extend/$RmMetadata/$TxfLog/$TxfLog.blf",
       "/$Extend/$RmMetadata/$TxfLog/$TxfLogContainer00000000000000000001"]
ACCESS_DIFFERS = {
    "win10-ptrn": TXF + ["/$RECYCLE.BIN/S-1-5-21-2341207468-2645333676-3461800803-1001/desktop.ini",
                   "/2.txt", "/System Volume Information/IndexerVolumeGuid",
                   "/System Volume Information/WPSettings.dat", "/os_version.txt"],
    "win10-ramslack": [],
    "win10-lastaccess": TXF + [
        "/$RECYCLE.BIN/S-1-5-21-2341207468-2645333676-3461800803-1001/desktop.ini",
        "/System Volume Information/IndexerVolumeGuid",
        "/System Volume Information/WPSettings.dat", "/test/1.txt"],
    "win10-2m": ["/System Volume Information/WPSettings.dat"],
    "win10-si-vs-fn": TXF + ["/System Volume Information/WPSettings.dat", "/test/test.txt"],
    "win10-20h1": TXF + [
        "/$RECYCLE.BIN/S-1-5-21-3147666227-266946789-163173005-1001/desktop.ini",
        "/System Volume Information/SPP/OnlineMetadataCache/"
        "{13bdc6e9-6c2d-4dba-87c8-b0eb76f3caca}_OnDiskSnapshotProp",
        "/System Volume Information/WPSettings.dat", "/test_dir/file_1.txt",
        "/test_dir_2/file_2_1.txt"],
}


def special_cases(name, ntx, img, off, ref, problems):
    def obj(p):
        return ref[0][p]
    if name == "win10-si-vs-fn":
        o = obj("/test/test.txt")
        want = {"fn": "2014-12-12", "si": "2015-11-03", "i30": "2016-09-24"}
        for k, d in want.items():
            days = {str(day(t)) for t in o[k]}
            if days != {d}:
                problems.append("/test/test.txt %s times fall on %s, not %s" % (k, days, d))
        _, out, _ = R.run([ntx, "stat", "--json", "--offset", str(off), img, "/test/test.txt"])
        st = json.loads(out.splitlines()[0])
        if V._times(st["standard_information"]) != o["si"] or \
                [V._times(n) for n in st["file_names"] if n["name"] == "test.txt"] != [o["fn"]]:
            problems.append("ntx stat /test/test.txt: not the si and fn of the bytes")
        _, out, _ = R.run([ntx, "ls", "--json", "--offset", str(off), img, "/test"])
        row = [json.loads(l) for l in out.splitlines() if json.loads(l)["name"] == "test.txt"]
        if len(row) != 1 or V._times(row[0]) != o["si"]:
            problems.append("ntx ls --json /test: test.txt does not show the si times")
        print("  /test/test.txt: fn %s, si %s, i30 %s" % tuple(day(obj("/test/test.txt")[k][0])
                                                              for k in ("fn", "si", "i30")))
    if name == "win10-lastaccess":
        o = obj("/test/1.txt")
        if o["si"][3] == o["i30"][3]:
            problems.append("/test/1.txt: si and i30 last-access times are equal")
        print("  /test/1.txt: accessed %d in si, %d in its $I30 entry" % (o["si"][3], o["i30"][3]))
    # Windows' format leaves the index copies of the system files' times 0;
    # of the other names, these have a last-access time in $I30 that is not
    # the one in $STANDARD_INFORMATION (Windows updates the index copy
    # lazily), decoded above and kept exact here
    differ = sorted(p for p, o in ref[0].items()
                    if o["si"][3] != o["i30"][3] and o["i30"][3] != 0 and not o["dir"])
    want = ACCESS_DIFFERS[name]
    if differ != want:
        problems.append("names whose $I30 last access differs from si: %s, expected %s" % (
            differ, want))
    return differ


def main():
    walker, ntx, src, images, name = sys.argv[1:6]
    R.skip_if_absent(src)
    img, off = R.image(images, name), R.offset(name)
    ref = V.lib_view(walker, img, off)
    problems = []
    dirs = {"": 5}
    dirs.update({p: o["mft"] for p, o in ref[0].items() if o["dir"]})
    cache = {}
    for p, o in sorted(ref[0].items()):
        parent, leaf = p.rsplit("/", 1)
        pm = dirs[parent]
        if pm not in cache:
            cache[pm] = index_times(img, off, pm)
        got = cache[pm].get(leaf)
        si, fn = record_times(img, off, o["mft"], leaf)
        want = {"i30": got[1] if got else None, "si": si, "fn": fn}
        if got is None or got[0] != o["mft"]:
            problems.append("%s: the index entry names %r, the library MFT %d" % (p, got, o["mft"]))
        for k, v in want.items():
            if o[k] != v:
                problems.append("%s: %s times %s, the bytes say %s" % (p, k, o[k], v))
    differ = special_cases(name, ntx, img, off, ref, problems)
    print("%s: %d names, si, fn and $I30 times as the bytes say; files whose $I30 last "
          "access differs from si: %s" % (name, len(ref[0]), differ or "none"))
    for p in problems:
        print("  " + p)
    if problems:
        raise R.Failure("%d problems" % len(problems))
    return 0


if __name__ == "__main__":
    R.main(main)
