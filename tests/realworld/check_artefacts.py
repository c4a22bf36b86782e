#!/usr/bin/env python3
"""Windows artefacts on one Windows-written disk, against the bytes decoded
here by hand (struct over the raw image, update sequences applied here):

  slack       ntx mft --slack --json: every name the $I30 slack holds, found
              here by scanning each directory's MFT record past its bytes in
              use, its $INDEX_ROOT past its entries and each index block past
              its entries (all of a block $BITMAP marks free), with the same
              rules (a whole entry, or a $FILE_NAME after a leaf END entry;
              lengths inside the range, a name without U+0000, a parent inside
              $MFT, a creation time in 1970..2200), and what became of each
              name (live: the directory still lists it for the same
              reference; renamed: the record is in use with the same sequence
              number; gone). win10-20h1: test_dir's record 50 keeps
              file_3.txt and file_4.txt (live) and file_hidden.txt (record
              54, renamed to file_8.txt) past its 520 bytes in use.
  time sets   ntx stat --json of every record in use: for each name, the
              $I30 entry's times against the parent's index decoded here
              (found exactly when the index has an entry of that name for
              that record), and the three flags computed here from the
              three sets. Only win10-si-vs-fn's /test/test.txt is flagged
              (i30_newer, all four times; $FILE_NAME 2014-12-12,
              $STANDARD_INFORMATION 2015-11-03, $I30 2016-09-24, as its
              description says). A copy of that disk's $MFT with the
              $STANDARD_INFORMATION creation time of test.txt set here to a
              whole second before its $FILE_NAME creation, read with
              --mft-file, must add si_before_fn and si_zero_fraction.
  file slack  ntx cat --slack (raw and --json) of every file whose unnamed
              $DATA is non-resident: the last cluster holding data and where
              the data ends (for a unit stored LZNT1-compressed, after its
              chunks and end marker, walked here), its bytes read here.
              win10-ptrn's /2.txt: 396 bytes of zero RAM slack, 2,560 bytes
              of "PTRN" cluster slack; win10-ramslack's /1.txt: 311 bytes of
              compressed data, then 201 bytes of RAM slack that are not zeros.
              A resident file is refused.
  $LogFile    ntx info --json: both restart pages of $LogFile decoded here
              (fixups checked), the current one (higher current LSN) field
              by field; $Volume's $VOLUME_INFORMATION flags.

usage: check_artefacts.py NTX REALWORLD_DIR IMAGES_DIR NAME
"""
import json
import os
import shutil
import struct
import sys
import tempfile

import check_times as CT
import differences as D
import realworld as R
import views as V

SECOND = 10 ** 7
T1970, T2200 = 116444736000000000, 189000000000000000
KINDS = ["created", "modified", "changed", "accessed"]


def geometry(img, off):
    b = D.boot(img, off)
    return (struct.unpack_from("<H", b, 11)[0], D.cluster_size(b), D.record_size(b))


def mft_records(img, off):
    r0 = D.record(img, off, 0)
    data = [h for t, n, h in D.attributes(r0) if t == 0x80 and n == ""][0]
    return D.nonresident_sizes(data)[1] // geometry(img, off)[2]


def resident_value(h):
    vlen, voff = struct.unpack_from("<IH", h, 0x10)
    return h[voff:voff + vlen]


def record_in_use(img, off, n):
    try:
        r = D.record(img, off, n)
    except R.Failure:
        return None
    return r if struct.unpack_from("<H", r, 0x16)[0] & 1 else None


# ---- $I30 slack ----

def fn_ok(b, at, hi, records):
    """The $FILE_NAME at b[at:hi], or None: its length, or None."""
    if hi - at < 0x44:
        return None
    nlen, ns = b[at + 0x40], b[at + 0x41]
    flen = 0x42 + 2 * nlen
    if nlen == 0 or ns > 3 or flen > hi - at:
        return None
    if struct.unpack_from("<Q", b, at)[0] & 0xFFFFFFFFFFFF >= records:
        return None
    created = struct.unpack_from("<Q", b, at + 8)[0]
    if not T1970 <= created <= T2200:
        return None
    name = b[at + 0x42:at + flen]
    if any(name[i] == 0 and name[i + 1] == 0 for i in range(0, len(name), 2)):
        return None
    return flen


def scan(b, lo, hi, records):
    """(offset, header_lost, ref, $FILE_NAME bytes) found in b[lo:hi]."""
    out = []
    pos = (lo + 7) & ~7
    while pos < hi and hi - pos >= 0x44:
        if hi - pos >= 0x54:
            ref, elen, klen = struct.unpack_from("<QHH", b, pos)
            if (elen >= 0x54 and elen % 8 == 0 and elen <= hi - pos and 0x44 <= klen <= elen - 16
                    and ref & 0xFFFFFFFFFFFF < records and fn_ok(b, pos + 16, pos + 16 + klen,
                                                               records)):
                out.append((pos, False, ref, b[pos + 16:pos + 16 + klen]))
                pos += elen
                continue
        if pos >= 16:
            elen, klen, flags = struct.unpack_from("<HHI", b, pos - 8)
            flen = fn_ok(b, pos, hi, records)
            if elen == 16 and klen == 0 and flags & 3 == 2 and flen:
                out.append((pos, True, 0, b[pos:pos + flen]))
                pos += (flen + 7) & ~7
                continue
        pos += 8
    return out


def index_nodes(img, off, n, rec):
    """The directory's nodes: ("index_root", record offset of the value,
    value bytes, entries end) and ("index_block", VCN, block, entries end,
    in use)."""
    attrs = D.attributes(rec)
    roots = [h for t, nm, h in attrs if t == 0x90 and nm == "$I30"]
    if not roots:
        return None
    pos = struct.unpack_from("<H", rec, 0x14)[0]
    for t, nm, h in attrs:  # the record offset of the root's value
        if h is roots[0]:
            break
        pos += len(h)
    vlen, voff = struct.unpack_from("<IH", roots[0], 0x10)
    value = roots[0][voff:voff + vlen]
    nodes = [("index_root", pos + voff, value, 16 + struct.unpack_from("<I", value, 20)[0])]
    alloc = [h for t, nm, h in attrs if t == 0xA0 and nm == "$I30"]
    if alloc:
        bps, cs, _ = geometry(img, off)
        bs = struct.unpack_from("<I", value, 8)[0]
        bm = resident_value([h for t, nm, h in attrs if t == 0xB0 and nm == "$I30"][0])
        _, size, init = D.nonresident_sizes(alloc[0])
        data = D.read_clusters(img, off, alloc[0], 0, (min(size, init) + cs - 1) // cs)
        vcn_unit = cs if bs >= cs else 512
        for i in range(min(size, init) // bs):
            blk = bytearray(data[i * bs:(i + 1) * bs])
            if blk[:4] != b"INDX":
                continue
            try:
                blk = D.apply_fixups(blk, 512, "index block")
            except R.Failure:
                continue
            used = i // 8 < len(bm) and bm[i // 8] >> (i % 8) & 1
            nodes.append(("index_block", i * bs // vcn_unit, blk,
                          0x18 + struct.unpack_from("<I", blk, 0x1C)[0], used))
    return nodes


def live_entries(nodes):
    """(name, full reference, created) of every entry in use of a directory."""
    out = set()
    for node in nodes:
        if node[0] == "index_block" and not node[4]:
            continue
        b, end = node[2], node[3]
        pos = 16 + struct.unpack_from("<I", b, 16)[0] if node[0] == "index_root" else \
            0x18 + struct.unpack_from("<I", b, 0x18)[0]
        while pos + 16 <= end:
            ref, elen, klen, flags = struct.unpack_from("<QHHI", b, pos)
            if flags & 2 or elen < 16:
                break
            k = b[pos + 16:pos + 16 + klen]
            out.add((k[0x42:0x42 + 2 * k[0x40]], ref, struct.unpack_from("<Q", k, 8)[0]))
            pos += elen
    return out


def slack_by_hand(img, off, n, rec, records):
    nodes = index_nodes(img, off, n, rec)
    if nodes is None:
        return []
    live = live_entries(nodes)
    found = []
    for node in nodes:
        if node[0] == "index_root":
            _, voff, value, end = node
            found += [("index_root", None, voff + o, lost, ref, fn)
                      for o, lost, ref, fn in scan(rec, voff + end, voff + len(value), records)]
        else:
            _, vcn, blk, end, used = node
            start = end if used else 0x18 + struct.unpack_from("<I", blk, 0x18)[0]
            found += [("index_block", vcn, o, lost, ref, fn)
                      for o, lost, ref, fn in scan(blk, start, len(blk), records)]
    in_use = struct.unpack_from("<I", rec, 0x18)[0]
    found += [("record", None, o, lost, ref, fn)
              for o, lost, ref, fn in scan(rec, min(in_use, len(rec)), len(rec), records)]
    out = []
    for where, vcn, o, lost, ref, fn in found:
        name, created = fn[0x42:0x42 + 2 * fn[0x40]], struct.unpack_from("<Q", fn, 8)[0]
        if any(nm == name and (r == ref if not lost else c == created) for nm, r, c in live):
            status = "live"
        elif lost:
            status = "unknown"
        else:
            try:
                r = D.record(img, off, ref & 0xFFFFFFFFFFFF)
                seq, flags = struct.unpack_from("<HxxxxH", r, 0x10)
                base = struct.unpack_from("<Q", r, 0x20)[0]
                status = "renamed" if flags & 1 and base == 0 and seq == ref >> 48 else "gone"
            except R.Failure:
                status = "gone"
        out.append((n, where, vcn, o, ref & 0xFFFFFFFFFFFF, ref >> 48,
                    name.decode("utf-16-le", "surrogatepass"), status, lost))
    return out


def check_slack(ntx, img, off, name, problems):
    records = mft_records(img, off)
    want = []
    for n in range(records):
        rec = record_in_use(img, off, n)
        if rec is not None and struct.unpack_from("<H", rec, 0x16)[0] & 2:
            want += slack_by_hand(img, off, n, rec, records)
    _, out, _ = R.run([ntx, "mft", "--slack", "--json", "--offset", str(off), img], ok=(0, 3))
    got = []
    for line in out.splitlines():
        r = json.loads(line)
        if r["state"] != "slack":
            continue
        got.append((r["slack_dir"], r["slack_in"], r["slack_vcn"], r["slack_offset"], r["mft"],
                    r["seq"], r["name"], r["slack_status"], r["slack_header_lost"]))
        if r["slack_in"] != "index_block" and r["slack_record"] != r["slack_dir"]:
            problems.append("slack %s: record %s, not the directory's" % (r["name"],
                                                                          r["slack_record"]))
    if sorted(got) != sorted(want):
        problems.append("slack: ntx %s, by hand %s" % (sorted(set(got) - set(want)),
                                                       sorted(set(want) - set(got))))
    if name == "win10-20h1":
        expect = {(50, "record", None, 0x240, 55, 1, "file_3.txt", "live", False),
                  (50, "record", None, 0x2a8, 56, 1, "file_4.txt", "live", False),
                  (50, "record", None, 0x310, 54, 1, "file_hidden.txt", "renamed", False)}
        if not expect <= set(got):
            problems.append("slack: test_dir's record 50 lacks %s" % (expect - set(got)))
    print("%s: %d slack names (%s), the same by hand" % (
        name, len(got), ", ".join(sorted({"%s in %s" % (g[6], g[1]) for g in got})) or "none"))


# ---- the three time sets ----

def nt_iso(t):
    import datetime
    if t == 0:
        return None
    secs, frac = divmod(t, SECOND)
    d = datetime.datetime(1601, 1, 1) + datetime.timedelta(seconds=secs)
    return d.strftime("%Y-%m-%dT%H:%M:%S") + ".%07dZ" % frac


def flags_by_hand(si, fn, i30):
    """The flags of ntx(1) TIME SETS, from the three sets (lists of 4)."""
    zero = [KINDS[k] for k in range(4) if si and si[k] and si[k] % SECOND == 0]
    newer = [KINDS[k] for k in range(4) if si and i30 and i30[k] > si[k] and i30[k] > fn[k]]
    flags = []
    if si and si[0] and si[0] < fn[0]:
        flags.append("si_before_fn")
    if zero:
        flags.append("si_zero_fraction")
    if newer:
        flags.append("i30_newer")
    return flags, zero, newer


def check_time_sets(ntx, img, off, name, problems, extra=()):
    records = mft_records(img, off)
    args = [ntx, "stat", "--json", "-q", "-i", "0-%d" % (records - 1)]
    _, out, _ = R.run(args + ["--offset", str(off), img], ok=(0, 3))
    stats = {r["mft"]: r for r in map(json.loads, out.splitlines())}
    dirs, flagged, compared = {}, [], 0
    for n, st in sorted(stats.items()):
        if not st["in_use"]:
            continue
        rec = D.record(img, off, n)
        attrs = D.attributes(rec)
        if any(t == 0x20 for t, _, _ in attrs):
            continue  # names maybe in extension records: the library's walk covers them
        si = [list(struct.unpack_from("<4Q", resident_value(h), 0)) for t, _, h in attrs
              if t == 0x10][0]
        fns = {struct.unpack_from("<H", h, 0x0E)[0]: resident_value(h) for t, _, h in attrs
               if t == 0x30}
        if sorted(fns) != sorted(ts["id"] for ts in st["time_sets"]):
            problems.append("record %d: time sets of names %s, $FILE_NAMEs %s" % (
                n, [ts["id"] for ts in st["time_sets"]], sorted(fns)))
            continue
        for ts in st["time_sets"]:
            fn = fns[ts["id"]]
            parent = struct.unpack_from("<Q", fn, 0)[0] & 0xFFFFFFFFFFFF
            fn_times = list(struct.unpack_from("<4Q", fn, 8))
            fname = fn[0x42:0x42 + 2 * fn[0x40]]
            if parent not in dirs:
                prec = record_in_use(img, off, parent)
                nodes = index_nodes(img, off, parent, prec) if prec else None
                entries = {}
                for node in nodes or []:
                    if node[0] == "index_block" and not node[4]:
                        continue
                    b, end = node[2], node[3]
                    pos = 16 + struct.unpack_from("<I", b, 16)[0] if node[0] == "index_root" \
                        else 0x18 + struct.unpack_from("<I", b, 0x18)[0]
                    for m, k in CT.entries(b, pos, end):
                        entries[(k[0x42:0x42 + 2 * k[0x40]], m)] = \
                            list(struct.unpack_from("<4Q", k, 8))
                dirs[parent] = entries
            i30 = dirs[parent].get((fname, n))
            want_status = "found" if i30 is not None else "absent"
            got_i30 = None if ts["i30"] is None else [V.parse_iso(ts["i30"][k]) or 0
                                                       for k in KINDS]
            flags, zero, newer = flags_by_hand(si, fn_times, i30)
            if (ts["i30_status"], got_i30) != (want_status, i30) or \
                    (ts["flags"], ts["si_zero_fraction"], ts["i30_newer"]) != (flags, zero, newer):
                problems.append("record %d %r: ntx %s, by hand %s" % (
                    n, ts["name"], (ts["i30_status"], got_i30, ts["flags"], ts["si_zero_fraction"],
                                    ts["i30_newer"]), (want_status, i30, flags, zero, newer)))
            compared += 1
            if flags:
                flagged.append((n, ts["name"], tuple(flags), tuple(newer)))
    want_flagged = [(39, "test.txt", ("i30_newer",), tuple(KINDS))] if name == "win10-si-vs-fn" \
        else []
    if flagged != want_flagged:
        problems.append("time sets flagged: %s, expected %s" % (flagged, want_flagged))
    if name == "win10-si-vs-fn":
        ts = stats[39]["time_sets"][0]
        dates = (stats[39]["standard_information"]["created"][:10],
                 [f for f in stats[39]["file_names"] if f["id"] == ts["id"]][0]["created"][:10],
                 ts["i30"]["created"][:10])
        if dates != ("2015-11-03", "2014-12-12", "2016-09-24"):
            problems.append("test.txt: $SI, $FN, $I30 created %s" % (dates,))
        check_backdated(ntx, img, off, problems)
    print("%s: %d names' time sets the same by hand; flagged: %s" % (
        name, compared, flagged or "none"))


def check_backdated(ntx, img, off, problems):
    """A copy of $MFT with test.txt's $STANDARD_INFORMATION created set to a
    whole second before its $FILE_NAME created."""
    _, mft, _ = R.run([ntx, "cat", "--offset", str(off), img, "$MFT"], binary=True)
    _, _, size = geometry(img, off)
    rec = bytearray(mft[39 * size:40 * size])
    plain = D.apply_fixups(bytearray(rec), 512, "record 39")
    pos = struct.unpack_from("<H", plain, 0x14)[0]
    si_at = fn_created = None
    while plain[pos:pos + 4] != b"\xff\xff\xff\xff":
        t, ln = struct.unpack_from("<II", plain, pos)
        voff = struct.unpack_from("<H", plain, pos + 0x14)[0]
        if t == 0x10:
            si_at = pos + voff
        if t == 0x30:
            fn_created = struct.unpack_from("<Q", plain, pos + voff + 8)[0]
        pos += ln
    back = (fn_created // SECOND - 86400) * SECOND
    if si_at % 512 >= 510 or (si_at + 8) % 512 < 8:
        problems.append("record 39: $SI created crosses a sector tail")
        return
    struct.pack_into("<Q", rec, si_at, back)
    tmp = tempfile.mkdtemp()
    try:
        path = os.path.join(tmp, "MFT")
        with open(path, "wb") as f:
            f.write(mft[:39 * size] + bytes(rec) + mft[40 * size:])
        _, out, _ = R.run([ntx, "stat", "--json", "-q", "--mft-file", path, "-i", "39"],
                          ok=(0, 3))  # its security descriptor is in $Secure, on the volume
        ts = json.loads(out)["time_sets"][0]
        want = (["si_before_fn", "si_zero_fraction", "i30_newer"], ["created"], KINDS)
        if (ts["flags"], ts["si_zero_fraction"], ts["i30_newer"]) != want:
            problems.append("backdated copy: flags %s %s %s, expected %s" % (
                ts["flags"], ts["si_zero_fraction"], ts["i30_newer"], want))
        else:
            print("  win10-si-vs-fn: $SI created set back to %s in a copy of $MFT: "
                  "si_before_fn, si_zero_fraction (created), i30_newer" % nt_iso(back))
    finally:
        shutil.rmtree(tmp)


# ---- file slack ----

def slack_by_hand_file(img, off, a):
    """(lcn, data_end, compressed_len or None, cluster bytes) or a refusal word."""
    cs = geometry(img, off)[1]
    _, size, _ = D.nonresident_sizes(a)
    if size == 0:
        return "empty"
    runs = D.runs(a)
    last = (size - 1) // cs

    def lcn_of(v):
        for s, lcn, ln in runs:
            if s <= v < s + ln:
                return None if lcn is None else lcn + v - s
        raise R.Failure("VCN %d not mapped" % v)

    flags = struct.unpack_from("<H", a, 0x0C)[0]
    vcn, end, clen = last, size - last * cs, None
    if flags & 1:
        unit = 1 << a[0x22]
        u = last - last % unit
        stored = [v for v in range(u, u + unit) if lcn_of(v) is not None]
        if not stored:
            return "hole"
        if len(stored) < unit:
            data = D.read_clusters(img, off, a, u, len(stored))
            pos = 0
            while len(data) - pos >= 2:
                h = struct.unpack_from("<H", data, pos)[0]
                if h == 0:
                    pos += 2
                    break
                pos += (h & 0xFFF) + 3
            clen = pos
            vcn = u + (clen - 1) // cs
            end = clen - (vcn - u) * cs
    if lcn_of(vcn) is None:
        return "hole"
    return lcn_of(vcn), vcn, end, clen, D.read_clusters(img, off, a, vcn, 1)


def check_file_slack(ntx, img, off, name, problems):
    records = mft_records(img, off)
    bps, cs, _ = geometry(img, off)
    base = [ntx, "cat", "--offset", str(off), img]
    seen = {}
    for n in range(16, records):
        rec = record_in_use(img, off, n)
        if rec is None or struct.unpack_from("<H", rec, 0x16)[0] & 2:
            continue
        attrs = D.attributes(rec)
        if any(t == 0x20 for t, _, _ in attrs) or struct.unpack_from("<Q", rec, 0x20)[0]:
            continue
        data = [h for t, nm, h in attrs if t == 0x80 and nm == ""]
        if not data:
            continue
        rc, out, err = R.run(base + ["--slack", "-i", str(n)], ok=(0, 1), binary=True)
        if data[0][8] == 0:
            if rc != 1 or "resident" not in err:
                problems.append("record %d: resident, cat --slack exit %d %r" % (n, rc, err))
            seen["resident"] = seen.get("resident", 0) + 1
            continue
        want = slack_by_hand_file(img, off, data[0])
        if isinstance(want, str):
            if rc != 1:
                problems.append("record %d: %s, cat --slack exit %d" % (n, want, rc))
            seen[want] = seen.get(want, 0) + 1
            continue
        lcn, vcn, end, clen, cluster = want
        if rc != 0 or out != cluster[end:]:
            problems.append("record %d: cat --slack gives %d bytes (exit %d), by hand %d" % (
                n, len(out), rc, cs - end))
            continue
        _, js, _ = R.run(base + ["--slack", "--json", "-i", str(n)])
        j = json.loads(js)
        sector_end = min(cs, (end + bps - 1) // bps * bps)
        expect = {"lcn": lcn, "vcn": vcn, "data_end": end, "compressed": clen is not None,
                  "compressed_len": clen, "cluster_offset": lcn * cs,
                  "disk_offset": off + lcn * cs, "ram_slack_offset": lcn * cs + end,
                  "ram_slack_length": sector_end - end,
                  "cluster_slack_offset": lcn * cs + sector_end,
                  "cluster_slack_length": cs - sector_end,
                  "ram_slack_hex": cluster[end:sector_end].hex(),
                  "cluster_slack_hex": cluster[sector_end:].hex()}
        bad = {k: (j[k], v) for k, v in expect.items() if j[k] != v}
        if bad:
            problems.append("record %d: cat --slack --json: %s" % (n, bad))
        seen["compared"] = seen.get("compared", 0) + 1
        seen[n] = (end, sector_end, cluster)
    facts = {"win10-ptrn": (43, 1140, 1536), "win10-ramslack": (39, 311, 512)}
    if name in facts:
        n, end, sector_end = facts[name]
        got = seen.get(n)
        if got is None or got[:2] != (end, sector_end):
            problems.append("record %d: slack from %s, expected %s" % (
                n, got[:2] if got else None, (end, sector_end)))
        elif name == "win10-ptrn" and (any(got[2][end:sector_end]) or
                                       got[2][sector_end:] != b"PTRN" * ((cs - sector_end) // 4)):
            problems.append("/2.txt: RAM slack not zeros or cluster slack not PTRN")
        elif name == "win10-ramslack" and not any(got[2][end:sector_end]):
            problems.append("/1.txt: RAM slack all zeros")
        else:
            print("  %s: record %d: data ends at %d, RAM slack %d bytes, cluster slack %d" % (
                name, n, end, sector_end - end, cs - sector_end))
    print("%s: file slack of %d files the same by hand; refused: %s" % (
        name, seen.get("compared", 0),
        {k: v for k, v in seen.items() if isinstance(k, str) and k != "compared"}))


# ---- $LogFile and $Volume ----

def restart_by_hand(page):
    if page[:4] == b"\xff\xff\xff\xff":
        return "empty"
    if page[:4] not in (b"RSTR", b"CHKD"):
        return None
    try:
        p = D.apply_fixups(bytearray(page), 512, "restart page")
    except R.Failure:
        return None
    chkdsk_lsn, sys_ps, log_ps, ra, minor, major = struct.unpack_from("<QIIHhh", p, 8)
    (cur, clients, free, inuse, flags, seqbits, ralen, ca, fsize, lastlen, hdrlen, pdo,
     opens) = struct.unpack_from("<QHHHHIHHQIHHI", p, ra)
    c = ra + ca + (inuse if inuse != 0xFFFF else 0) * 0xA0
    oldest, restart = struct.unpack_from("<QQ", p, c)
    nlen = struct.unpack_from("<I", p, c + 0x1C)[0]
    return {"clean": inuse == 0xFFFF or bool(flags & 2), "version": "%d.%d" % (major, minor),
            "chkdsk": p[:4] == b"CHKD", "chkdsk_lsn": chkdsk_lsn, "current_lsn": cur,
            "flags": flags, "clients": clients, "client_in_use_list": inuse,
            "client_free_list": free,
            "client_name": p[c + 0x20:c + 0x20 + nlen].decode("utf-16-le"),
            "client_restart_lsn": restart, "client_oldest_lsn": oldest, "file_size": fsize,
            "system_page_size": sys_ps, "log_page_size": log_ps, "seq_number_bits": seqbits,
            "open_count": opens}


def check_logfile(ntx, img, off, name, problems):
    _, out, _ = R.run([ntx, "info", "--json", "--offset", str(off), img])
    info = json.loads(out)
    rec = D.record(img, off, 2)
    data = [h for t, nm, h in D.attributes(rec) if t == 0x80 and nm == ""][0]
    cs = geometry(img, off)[1]
    raw = D.read_clusters(img, off, data, 0, (8192 + cs - 1) // cs)
    pages = [restart_by_hand(raw[:4096]), restart_by_hand(raw[4096:8192])]
    valid = [i for i in (0, 1) if isinstance(pages[i], dict)]
    lf = info["logfile"]
    if not valid:
        problems.append("$LogFile: no restart page parses here: %s" % pages)
        return
    cur = max(valid, key=lambda i: (pages[i]["current_lsn"], -i))
    want = dict(pages[cur], empty=False, valid_pages=sum(1 << i for i in valid),
                restart_page=cur)
    if lf != want:
        problems.append("$LogFile: ntx %s, by hand %s" % (
            {k: v for k, v in lf.items() if want.get(k) != v}, want))
    vol = [h for t, _, h in D.attributes(D.record(img, off, 3)) if t == 0x70][0]
    vflags = struct.unpack_from("<H", resident_value(vol), 0x0A)[0]
    names = {0x0001: "dirty", 0x0002: "resize_log_file", 0x0004: "upgrade_on_mount",
             0x0008: "mounted_on_nt4", 0x0010: "delete_usn_underway",
             0x0020: "repair_object_ids", 0x4000: "chkdsk_underway",
             0x8000: "modified_by_chkdsk"}
    words = [names[b] for b in sorted(names) if vflags & b] + \
        ["0x%04x" % b for b in (1 << i for i in range(16)) if vflags & b and b not in names]
    if (info["volume_flags"], info["volume_flag_names"]) != (vflags, "|".join(words)):
        problems.append("$Volume flags: ntx %s %r, by hand %s %r" % (
            info["volume_flags"], info["volume_flag_names"], vflags, "|".join(words)))
    print("%s: $LogFile restart page %d of %s, version %s, current LSN %d, %s; $Volume flags "
          "0x%04x (%s): the same by hand" % (name, cur, valid, want["version"],
                                              want["current_lsn"],
                                              "clean" if want["clean"] else "not clean",
                                              vflags, "|".join(words) or "none"))


def main():
    ntx, src, images, name = sys.argv[1:5]
    R.skip_if_absent(src)
    img, off = R.image(images, name), R.offset(name)
    problems = []
    check_slack(ntx, img, off, name, problems)
    check_time_sets(ntx, img, off, name, problems)
    check_file_slack(ntx, img, off, name, problems)
    check_logfile(ntx, img, off, name, problems)
    for p in problems:
        print("FAIL: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    R.main(main)
