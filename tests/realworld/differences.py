"""Every difference check_compare.py finds between ntx and the oracles on the
Windows-written disks, explained from the bytes. judge() sorts each
difference into one explanation (after checking the bytes that make it
true) and fails on a difference none explains and on an explanation that
expected a difference that did not occur; README.md has the why of each.

A difference is (reader, what, key, got, want): reader is cli, ntxfs,
fsntfs, tsk or ntfs-3g; want is the library's value (rw_walk).
"""
import hashlib
import struct

import realworld as R

EMPTY_SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
MOUNTS = ("ntxfs", "ntfs-3g")


# --------------------------------------------------------------------------
# Bytes, decoded here without the library


def boot(img, off):
    with open(img, "rb") as f:
        f.seek(off)
        return f.read(512)


def cluster_size(b):
    """Bytes per cluster from the boot sector: byte 13 is a count of sectors
    up to 0x80; above that it is 2 to the power (256 - byte)."""
    bps = struct.unpack_from("<H", b, 11)[0]
    spc = b[13] if b[13] <= 0x80 else 1 << (256 - b[13])
    return bps * spc


def record_size(b):
    c = b[0x40]
    return cluster_size(b) * c if c < 0x80 else 1 << (256 - c)


def read_record(img, off, pos, n, size, bps):
    """The record at byte pos of the volume, with its update sequence applied."""
    with open(img, "rb") as f:
        f.seek(off + pos)
        r = bytearray(f.read(size))
    if r[:4] != b"FILE":
        raise R.Failure("record %d has no FILE signature" % n)
    return apply_fixups(r, bps, "record %d" % n)


def apply_fixups(r, bps, what):
    usa, cnt = struct.unpack_from("<HH", r, 4)
    for i in range(1, cnt):
        end = i * bps - 2
        if r[end:end + 2] != r[usa:usa + 2]:
            raise R.Failure("%s: torn sector %d" % (what, i))
        r[end:end + 2] = r[usa + 2 * i:usa + 2 * i + 2]
    return bytes(r)


def record(img, off, n):
    """MFT record n, found through the run list of $MFT's own $DATA (record
    0, at the boot sector's LCN), with its update sequence applied."""
    b = boot(img, off)
    bps, cs, size = struct.unpack_from("<H", b, 11)[0], cluster_size(b), record_size(b)
    mft_lcn = struct.unpack_from("<Q", b, 0x30)[0]
    if n * size < cs:
        return read_record(img, off, mft_lcn * cs + n * size, n, size, bps)
    r0 = read_record(img, off, mft_lcn * cs, 0, size, bps)
    data = [h for t, nm, h in attributes(r0) if t == 0x80 and nm == ""][0]
    vcn, within = divmod(n * size, cs)
    for start, lcn, length in runs(data):
        if start <= vcn < start + length and lcn is not None:
            return read_record(img, off, (lcn + vcn - start) * cs + within, n, size, bps)
    raise R.Failure("record %d is beyond $MFT's runs" % n)


def runs(a):
    """(vcn, lcn or None for sparse, length) of a non-resident attribute's
    mapping pairs."""
    pos = struct.unpack_from("<H", a, 0x20)[0]
    vcn = struct.unpack_from("<q", a, 0x10)[0]
    lcn, out = 0, []
    while pos < len(a) and a[pos] != 0:
        ln_sz, off_sz = a[pos] & 0xF, a[pos] >> 4
        length = int.from_bytes(a[pos + 1:pos + 1 + ln_sz], "little")
        if off_sz:
            lcn += int.from_bytes(a[pos + 1 + ln_sz:pos + 1 + ln_sz + off_sz], "little",
                                  signed=True)
            out.append((vcn, lcn, length))
        else:
            out.append((vcn, None, length))
        vcn += length
        pos += 1 + ln_sz + off_sz
    return out


def read_clusters(img, off, a, first, count):
    """count clusters of a non-resident attribute from VCN first (sparse
    ones as zeros)."""
    b = boot(img, off)
    cs = cluster_size(b)
    out = bytearray()
    with open(img, "rb") as f:
        for v in range(first, first + count):
            for start, lcn, length in runs(a):
                if start <= v < start + length:
                    if lcn is None:
                        out += bytes(cs)
                    else:
                        f.seek(off + (lcn + v - start) * cs)
                        out += f.read(cs)
                    break
            else:
                raise R.Failure("VCN %d not mapped" % v)
    return bytes(out)


def attributes(rec):
    """(type, name, header bytes) of every attribute of a record."""
    pos = struct.unpack_from("<H", rec, 0x14)[0]
    out = []
    while pos + 8 <= len(rec):
        t, ln = struct.unpack_from("<II", rec, pos)
        if t == 0xFFFFFFFF or ln == 0:
            break
        nlen, noff = rec[pos + 9], struct.unpack_from("<H", rec, pos + 10)[0]
        name = rec[pos + noff:pos + noff + 2 * nlen].decode("utf-16-le")
        out.append((t, name, rec[pos:pos + ln]))
        pos += ln
    return out


def nonresident_sizes(a):
    """(allocated, data, initialized) of a non-resident attribute header."""
    if a[8] != 1:
        raise R.Failure("attribute is resident")
    return struct.unpack_from("<QQQ", a, 0x28)


# --------------------------------------------------------------------------
# The explanations: each takes the difference and the disk, checks the
# bytes behind it, and returns True when it explains the difference.


def tsk_index_as_stream(d, disk):
    """fls lists a named index ($SDH, $SII, $O, $Q, $R: attribute type 144,
    $INDEX_ROOT) as a file stream; ntx, libfsntfs and the mounts list only
    $DATA streams. The record must hold that index root."""
    reader, what, key, got, _ = d
    if reader != "tsk" or what != "index-as-stream":
        return False
    path, name = key[0], key[1][len(":index:"):]
    mft = disk["ref"][0][path]["mft"]
    return any(t == 0x90 and n == name and n != "$I30"
               for t, n, _ in attributes(record(disk["img"], disk["off"], mft)))


def tsk_bad_initialized(d, disk):
    """icat writes nothing for $BadClus:$Bad: its initialized size is 0 and
    The Sleuth Kit stops there. Its data size is the volume's size and the
    stream is one sparse run, so the others read that many zero bytes, as
    NTFS defines bytes past the initialized size."""
    reader, what, key, got, want = d
    if reader != "tsk" or what != "stream-sha" or key != ("/$BadClus", "$Bad") or got != EMPTY_SHA:
        return False
    a = [h for t, n, h in attributes(record(disk["img"], disk["off"], 8))
         if t == 0x80 and n == "$Bad"]
    if len(a) != 1:
        return False
    alloc, size, init = nonresident_sizes(a[0])
    b = boot(disk["img"], disk["off"])
    total = struct.unpack_from("<Q", b, 0x28)[0] // (cluster_size(b) // 512)
    return init == 0 and size == alloc == total * cluster_size(b) and \
        disk["ref"][1][key] == (size, zeros_sha(size))


def tsk_refuses_2m(d, disk):
    """The Sleuth Kit cannot open 2 MiB clusters: boot byte 13 is 0xF4,
    2^(256 - 0xF4) = 4096 sectors per cluster, an encoding newer than the
    counts up to 0x80 it accepts."""
    reader, what = d[0], d[1]
    b = boot(disk["img"], disk["off"])
    return reader == "tsk" and what == "refused" and b[13] == 0xF4 and \
        cluster_size(b) == 2 << 20 and "Cannot determine file system type" in d[3]


def mount_hides_mft(d, disk):
    """A mount's readdir leaves out $MFT: its inode number is 0, which
    glibc's readdir skips; both mounts give it by name, with every other
    field equal (compared as usual)."""
    reader, what, key, got, _ = d
    return reader in MOUNTS and what == "unlisted" and key == "/$MFT" and got == 0


def mount_no_unnamed_data(d, disk):
    """A mount shows every non-directory as a regular file, also those whose
    record has no unnamed $DATA ($Secure, $ObjId, $Quota, $Reparse,
    $UsnJrnl): ntxfs reads them as empty; ntfs-3g reads $Secure and
    $UsnJrnl as empty and refuses to open $ObjId, $Quota and $Reparse
    (ENOENT). The record must lack it."""
    reader, what, key, got, _ = d
    if reader not in MOUNTS or what != "stream-extra" or key[1] != "":
        return False
    mft = disk["ref"][0][key[0]]["mft"]
    if any(t == 0x80 and n == "" for t, n, _ in attributes(record(disk["img"], disk["off"], mft))):
        return False
    if reader == "ntxfs":
        return got == (0, EMPTY_SHA)
    if key[0] in ("/$Secure", "/$Extend/$UsnJrnl"):
        return got == (0, EMPTY_SHA)
    return got == (0, "!No such file or directory")


EXPLANATIONS = [tsk_index_as_stream, tsk_bad_initialized, tsk_refuses_2m, mount_hides_mft,
                mount_no_unnamed_data]

# How many differences each explanation must account for on each disk
# (by reader): what the README's table says, kept exact so a change in any
# reader shows.
NAMED_INDEXES = 6       # $Secure:$SDH $SII, $ObjId:$O, $Quota:$O $Q, $Reparse:$R
NO_UNNAMED_DATA = 4     # $Secure, $ObjId, $Quota, $Reparse
EXPECTED = {
    "win10-ptrn": {"tsk_index_as_stream": NAMED_INDEXES, "tsk_bad_initialized": 1,
                   "mount_hides_mft": 2, "mount_no_unnamed_data": 2 * NO_UNNAMED_DATA},
    "win10-ramslack": {"tsk_index_as_stream": NAMED_INDEXES, "tsk_bad_initialized": 1,
                       "mount_hides_mft": 2, "mount_no_unnamed_data": 2 * NO_UNNAMED_DATA},
    "win10-lastaccess": {"tsk_index_as_stream": NAMED_INDEXES, "tsk_bad_initialized": 1,
                         "mount_hides_mft": 2, "mount_no_unnamed_data": 2 * NO_UNNAMED_DATA},
    "win10-2m": {"tsk_refuses_2m": 1, "mount_hides_mft": 2,
                 "mount_no_unnamed_data": 2 * NO_UNNAMED_DATA},
    "win10-si-vs-fn": {"tsk_index_as_stream": NAMED_INDEXES, "tsk_bad_initialized": 1,
                       "mount_hides_mft": 2, "mount_no_unnamed_data": 2 * NO_UNNAMED_DATA},
    # $BadClus:$Bad is 64 GiB here: compared by size (views.MAX_HASH), so
    # icat's empty read does not show; $UsnJrnl has no unnamed $DATA either.
    "win10-20h1": {"tsk_index_as_stream": NAMED_INDEXES, "mount_hides_mft": 2,
                   "mount_no_unnamed_data": 2 * (NO_UNNAMED_DATA + 1)},
}


_zeros = {}


def zeros_sha(n):
    if n not in _zeros:
        h, block = hashlib.sha256(), bytes(1 << 20)
        left = n
        while left:
            k = min(left, len(block))
            h.update(block[:k])
            left -= k
        _zeros[n] = h.hexdigest()
    return _zeros[n]


def judge(name, img, off, ref, found, readers):
    """Problems (strings): unexplained differences, and explanations whose
    count on this disk is not the expected one (only for readers that ran)."""
    disk = {"name": name, "img": img, "off": off, "ref": ref}
    problems, counts = [], {}
    for d in found:
        hit = [e for e in EXPLANATIONS if e(d, disk)]
        if not hit:
            problems.append("unexplained: %r" % (d,))
            continue
        counts[hit[0].__name__] = counts.get(hit[0].__name__, 0) + 1
        print("  explained (%s): %s %s %s" % (hit[0].__name__, d[0], d[1], d[2]))
    want = dict(EXPECTED[name])
    # an explanation about a reader that did not run expects nothing
    for k in list(want):
        if k.startswith("tsk_") and "tsk" not in readers:
            del want[k]
        if k.startswith("mount_"):
            want[k] = want[k] * len([r for r in MOUNTS if r in readers]) // 2
    for k in sorted(set(want) | set(counts)):
        if counts.get(k, 0) != want.get(k, 0):
            problems.append("%s explained %d differences, expected %d" % (
                k, counts.get(k, 0), want.get(k, 0)))
    return problems
