#!/usr/bin/env python3
"""What Windows writes that mkntfs does not, read by ntx and checked against
the bytes decoded here (and libfsntfs where it says more):

  $Extend tree   $Deleted, $ObjId, $Quota, $Reparse, $RmMetadata with
                 $Repair ($Config, $Corrupt, $Verify), $Txf, $TxfLog
                 ($Tops, $TxfLog.blf, the containers), $UsnJrnl where there
                 is one: ntx ls -r -a --json lists every name each $I30 of
                 $Extend holds (decoded by hand), with its MFT number, and
                 nothing else
  streams        every non-resident, uncompressed stream of the disk read
                 cluster by cluster through its run list (decoded by hand,
                 bytes past the initialized size as zeros) has the SHA-256
                 the library gives: $Corrupt and $Verify, $Tops:$T, the
                 TxfLog containers, $Secure:$SDS, $UsnJrnl:$J...
  LZNT1          (win10-ramslack, compressed by Windows) every compressed
                 stream decompressed here, unit by unit, from its clusters
                 (an independent LZNT1 decoder) against the library's SHA-256
                 (check_compare.py sets that against ntx cat, ntxfs,
                 ntfs-3g, TSK and libfsntfs)
  $Secure        the owner and group of every file, as ntx stat --json
                 gives them from $Secure, against the descriptor its
                 security id selects in $Secure:$SDS (decoded here)
  $ObjId         every object id ntx stat --json shows is the file's
                 $OBJECT_ID value, and $ObjId:$O maps that id to the file
  $Reparse       $Reparse:$R lists exactly the files ntx shows with a
                 reparse tag (none on these disks)
  2 MiB clusters (win10-2m) ntx info gives the boot sector's geometry

usage: check_windows.py RW_WALK NTX REALWORLD_DIR IMAGES_DIR NAME
"""
import hashlib
import json
import struct
import sys

import check_times as T
import differences as D
import realworld as R
import views as V


def lznt1(buf, limit):
    """LZNT1 (MS-XCA 2.5): chunks of at most 4096 bytes of output, each a
    16-bit header (size - 3 in bits 0-11, compressed in bit 15) then either
    raw bytes or groups of a flag byte and 8 literals or back references
    whose offset/length split depends on the position in the chunk."""
    out, i = bytearray(), 0
    while i + 2 <= len(buf) and len(out) < limit:
        h = struct.unpack_from("<H", buf, i)[0]
        i += 2
        if h == 0:
            break
        chunk = buf[i:i + (h & 0xFFF) + 1]
        i += (h & 0xFFF) + 1
        if not h & 0x8000:
            out += chunk
            continue
        start, j = len(out), 0
        while j < len(chunk):
            flags = chunk[j]
            j += 1
            for bit in range(8):
                if j >= len(chunk):
                    break
                if not flags >> bit & 1:
                    out.append(chunk[j])
                    j += 1
                    continue
                t = struct.unpack_from("<H", chunk, j)[0]
                j += 2
                p, shift = len(out) - start - 1, 12
                while p >= 0x10:
                    p >>= 1
                    shift -= 1
                back, length = (t >> shift) + 1, (t & ((1 << shift) - 1)) + 3
                for _ in range(length):
                    out.append(out[-back])
    return bytes(out)


def stream_attr(img, off, mft, name):
    hs = [h for t, n, h in D.attributes(D.record(img, off, mft)) if t == 0x80 and n == name]
    return hs[0] if len(hs) == 1 else None


def read_by_hand(img, off, a):
    """A non-resident $DATA's bytes: raw, or LZNT1 unit by unit."""
    cs = D.cluster_size(D.boot(img, off))
    alloc, size, init = D.nonresident_sizes(a)
    flags = struct.unpack_from("<H", a, 0x0C)[0]
    runs = D.runs(a)
    nclusters = runs[-1][0] + runs[-1][2] if runs else 0
    if not flags & 1:
        data = D.read_clusters(img, off, a, 0, nclusters)[:init]
        return data + bytes(size - len(data))
    unit = 1 << a[0x22]
    out = bytearray()
    for u in range(0, nclusters, unit):
        stored = [v for v in range(u, u + unit)
                  if any(s <= v < s + ln and lcn is not None for s, lcn, ln in runs)]
        raw = D.read_clusters(img, off, a, u, unit) if len(stored) == unit else None
        if raw is not None:
            out += raw
        elif not stored:
            out += bytes(unit * cs)
        else:
            got = lznt1(D.read_clusters(img, off, a, u, len(stored)), unit * cs)
            out += got + bytes(unit * cs - len(got))
    return bytes(out[:size])


def check_streams(img, off, ref, problems):
    """Every non-resident $DATA up to 64 MiB, by hand, against the library."""
    n, compressed = 0, []
    for (path, sname), (size, sha) in sorted(ref[1].items()):
        if size is None or size > 64 << 20 or path == "/$MFT":
            continue
        a = stream_attr(img, off, ref[0][path]["mft"], sname)
        if a is None or a[8] != 1 or struct.unpack_from("<q", a, 0x10)[0] != 0:
            continue
        alloc, dsize, init = D.nonresident_sizes(a)
        if struct.unpack_from("<q", a, 0x18)[0] + 1 != sum(r[2] for r in D.runs(a)):
            continue  # in several extents (an attribute list): not decoded here
        got = hashlib.sha256(read_by_hand(img, off, a)).hexdigest()
        if struct.unpack_from("<H", a, 0x0C)[0] & 1:
            compressed.append(path + (":" + sname if sname else ""))
        n += 1
        if got != sha:
            problems.append("%s:%s read by hand %s, the library %s" % (path, sname, got, sha))
    return n, compressed


def check_extend(ntx, img, off, ref, problems):
    _, out, _ = R.run([ntx, "ls", "-r", "-a", "--json", "--offset", str(off), img, "/$Extend"])
    listed = {}
    for l in out.splitlines():
        d = json.loads(l)
        if d["stream"] is None:
            listed[d["path"]] = d["mft"]
    want = {}
    queue = [("/$Extend", 11)]
    while queue:
        p, m = queue.pop()
        for name, (mft, _) in T.index_times(img, off, m).items():
            want[p + "/" + name] = mft
            r = D.record(img, off, mft)
            if struct.unpack_from("<H", r, 0x16)[0] & 2:
                queue.append((p + "/" + name, mft))
    if listed != want:
        problems.append("ntx ls -r -a /$Extend: %s, the indexes say %s" % (
            sorted(set(listed.items()) ^ set(want.items())), ""))
    return sorted(want)


def sid(b, o):
    rev, n = b[o], b[o + 1]
    auth = int.from_bytes(b[o + 2:o + 8], "big")
    subs = struct.unpack_from("<%dI" % n, b, o + 8)
    return "S-%d-%d" % (rev, auth) + "".join("-%d" % s for s in subs)


def sds_entries(img, off):
    """security id -> security descriptor, from $Secure:$SDS read by hand:
    entries of a 20-byte header (hash, id, offset of the entry, length)
    and the descriptor, 16-byte aligned, in 256 KiB blocks each followed by
    its mirror copy."""
    a = stream_attr(img, off, 9, "$SDS")
    data = read_by_hand(img, off, a)
    out, pos = {}, 0
    while pos + 20 <= len(data):
        if (pos // 0x40000) % 2 == 1:  # a mirror block
            pos += 0x40000
            continue
        _, sec_id, eoff, length = struct.unpack_from("<IIQI", data, pos)
        if length < 20 or eoff != pos:
            pos = (pos // 0x40000 + 1) * 0x40000  # the rest of this block is unused
            continue
        out[sec_id] = data[pos + 20:pos + length]
        pos = (pos + length + 15) & ~15
    return out


def check_secure(ntx, img, off, ref, problems):
    """ntx stat's owner and group against the descriptor its security id
    selects in $SDS. (libfsntfs 20200921 fails on five of the six disks,
    "unable to determine security descriptor data size", so it is not the
    oracle here.)"""
    sds = sds_entries(img, off)
    mfts = sorted({o["mft"] for o in ref[0].values()})
    args = []
    for m in mfts:
        args += ["-i", str(m)]
    _, out, _ = R.run([ntx, "stat", "--json", "--offset", str(off), img] + args)
    n = 0
    for l in out.splitlines():
        d = json.loads(l)
        sec, sid_no = d["security"], d["standard_information"]["security_id"]
        if sid_no == 0 or not d["standard_information"]["v3"]:
            continue  # NTFS 1.2 form: a $SECURITY_DESCRIPTOR attribute, not $Secure
        sd = sds.get(sid_no)
        if sd is None:
            problems.append("record %d: security id %d is not in $SDS" % (d["mft"], sid_no))
            continue
        owner_off, group_off = struct.unpack_from("<II", sd, 4)
        want = (sid(sd, owner_off), sid(sd, group_off))
        got = (sec["owner"], sec["group"], sec["source"]) if sec else None
        if got != want + ("$Secure",):
            problems.append("record %d: ntx owner/group %s, $SDS entry %d %s" % (
                d["mft"], got, sid_no, want))
        n += 1
    return n


def guid(b):
    d1, d2, d3 = struct.unpack_from("<IHH", b, 0)
    return "%08X-%04X-%04X-%s-%s" % (d1, d2, d3, b[8:10].hex().upper(), b[10:16].hex().upper())


def view_index(img, off, mft, name):
    """(key, data) of every entry of a view index ($O, $R) in $INDEX_ROOT
    and the in-use blocks (layout as check_times.index_times)."""
    rec = D.record(img, off, mft)
    attrs = D.attributes(rec)
    root = [h for t, n, h in attrs if t == 0x90 and n == name][0]
    vlen, voff = struct.unpack_from("<IH", root, 0x10)
    value = root[voff:voff + vlen]
    bsize = struct.unpack_from("<I", value, 8)[0]
    eoff, esize = struct.unpack_from("<II", value, 16)
    nodes = [(value, 16 + eoff, 16 + esize)]
    alloc = [h for t, n, h in attrs if t == 0xA0 and n == name]
    if alloc:
        bm = [h for t, n, h in attrs if t == 0xB0 and n == name][0]
        blen, boff = struct.unpack_from("<IH", bm, 0x10)
        bitmap = bm[boff:boff + blen]
        b = D.boot(img, off)
        cs, bps = D.cluster_size(b), struct.unpack_from("<H", b, 11)[0]
        size = struct.unpack_from("<Q", alloc[0], 0x30)[0]
        data = D.read_clusters(img, off, alloc[0], 0, (size + cs - 1) // cs)
        for i in range(size // bsize):
            if bitmap[i // 8] >> (i % 8) & 1:
                blk = D.apply_fixups(bytearray(data[i * bsize:(i + 1) * bsize]), bps, name)
                eoff, esize = struct.unpack_from("<II", blk, 0x18)
                nodes.append((blk, 0x18 + eoff, 0x18 + esize))
    out = []
    for node, pos, end in nodes:
        while pos + 16 <= end:
            doff, dlen, _, elen, klen, flags = struct.unpack_from("<HHIHHH", node, pos)
            if flags & 2 or elen < 16:
                break
            out.append((node[pos + 16:pos + 16 + klen], node[pos + doff:pos + doff + dlen]))
            pos += elen
    return out


def check_objid_reparse(ntx, img, off, ref, problems):
    oid_map = {}
    for key, data in view_index(img, off, ref[0]["/$Extend/$ObjId"]["mft"], "$O"):
        oid_map[guid(key)] = struct.unpack_from("<Q", data, 0)[0] & 0xFFFFFFFFFFFF
    shown = {}
    mfts = sorted({o["mft"] for o in ref[0].values()} | {5})
    args = []
    for m in mfts:
        args += ["-i", str(m)]
    _, out, _ = R.run([ntx, "stat", "--json", "--offset", str(off), img] + args)
    tags = set()
    for l in out.splitlines():
        d = json.loads(l)
        if d["object_id"]:
            shown[d["object_id"]["object_id"]] = d["mft"]
            attr = [h for t, n, h in D.attributes(D.record(img, off, d["mft"])) if t == 0x40][0]
            vlen, voff = struct.unpack_from("<IH", attr, 0x10)
            if guid(attr[voff:voff + 16]) != d["object_id"]["object_id"]:
                problems.append("record %d: object id %s, its $OBJECT_ID says %s" % (
                    d["mft"], d["object_id"]["object_id"], guid(attr[voff:voff + 16])))
        if d["reparse"]:
            tags.add(d["mft"])
    if shown != oid_map:
        problems.append("object ids ntx shows %s, $ObjId:$O maps %s" % (shown, oid_map))
    r_entries = {struct.unpack_from("<Q", k, 4)[0] & 0xFFFFFFFFFFFF
                 for k, _ in view_index(img, off, ref[0]["/$Extend/$Reparse"]["mft"], "$R")}
    if r_entries != tags:
        problems.append("$Reparse:$R lists %s, ntx shows reparse points on %s" % (
            sorted(r_entries), sorted(tags)))
    return len(shown), len(r_entries)


def check_geometry(ntx, img, off, problems):
    _, out, _ = R.run([ntx, "info", "--json", "--offset", str(off), img])
    info = json.loads(out.splitlines()[0])
    b = D.boot(img, off)
    want = D.cluster_size(b)
    if info.get("cluster_size") != want:
        problems.append("ntx info: cluster size %r, the boot sector %d" % (
            info.get("cluster_size"), want))
    return want


def main():
    walker, ntx, src, images, name = sys.argv[1:6]
    R.skip_if_absent(src)
    img, off = R.image(images, name), R.offset(name)
    ref = V.lib_view(walker, img, off)
    problems = []
    extend = check_extend(ntx, img, off, ref, problems)
    for p in ("/$Extend/$Deleted", "/$Extend/$ObjId", "/$Extend/$Quota", "/$Extend/$Reparse",
              "/$Extend/$RmMetadata", "/$Extend/$RmMetadata/$Repair",
              "/$Extend/$RmMetadata/$Txf", "/$Extend/$RmMetadata/$TxfLog",
              "/$Extend/$RmMetadata/$TxfLog/$Tops", "/$Extend/$RmMetadata/$TxfLog/$TxfLog.blf"):
        if p not in extend:
            problems.append("%s: not in $Extend's indexes" % p)
    for s in ("$Config", "$Corrupt", "$Verify"):
        if ("/$Extend/$RmMetadata/$Repair", s) not in ref[1]:
            problems.append("$Repair:%s: not read by the library" % s)
    n_streams, compressed = check_streams(img, off, ref, problems)
    if (name == "win10-ramslack") != bool(compressed):
        problems.append("compressed streams: %s" % compressed)
    n_owners = check_secure(ntx, img, off, ref, problems)
    n_oids, n_reparse = check_objid_reparse(ntx, img, off, ref, problems)
    cs = check_geometry(ntx, img, off, problems)
    print("%s: %d names in $Extend; %d streams read by hand (LZNT1: %s); %d owners; "
          "%d object ids; %d reparse points; %d-byte clusters" % (
              name, len(extend), n_streams, compressed or "none", n_owners, n_oids, n_reparse,
              cs))
    for p in problems:
        print("  " + p)
    if problems:
        raise R.Failure("%d problems" % len(problems))
    return 0


if __name__ == "__main__":
    R.main(main)
