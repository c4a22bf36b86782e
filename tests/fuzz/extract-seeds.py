#!/usr/bin/env python3
"""Post-process the fuzz seed volumes and cut the narrow harnesses' seeds
out of them (called by make-seeds.sh).

    extract-seeds.py finish IMAGE TRIM      zero $LogFile (and, with TRIM=1, the
                                            backup boot sector), cut trailing zeros
    extract-seeds.py structures CORPUS_DIR  write CORPUS_DIR/<harness>/ seeds from
                                            CORPUS_DIR/volume/seed-*.img
    extract-seeds.py mftlist IMAGE OUT VCN REC
                                            IMAGE with $MFT's $DATA split at VCN into
                                            record 0 and extension record REC through
                                            an $ATTRIBUTE_LIST (as Windows writes it,
                                            and as mkntfs/ntfs-3g never do)

The input formats written here are the ones tests/fuzz/fuzz_*.c parse (each
harness's first comment restates its format). A small independent NTFS
reader: boot sector, $MFT's first extent, fixups, attributes, runlists.
"""
import gzip
import hashlib
import os
import struct
import sys

# The base images in the order the harnesses' base selector uses
# (tests/fuzz/fuzz_support.c fz_base_names).
BASES = ["seed-512.img", "seed-4k.img", "seed-dir.img", "seed-4kn.img", "seed-64k.img"]


class Vol:
    def __init__(self, path):
        self.path = path
        if not os.path.exists(path) and os.path.exists(path + ".gz"):
            path += ".gz"
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rb") as f:
            self.d = bytearray(f.read())
        b = self.d
        self.bps = struct.unpack_from("<H", b, 0x0B)[0]
        spc = b[0x0D]
        self.cs = self.bps * (spc if spc <= 0x80 else 1 << (256 - spc))
        self.total = struct.unpack_from("<Q", b, 0x28)[0]
        self.mft_lcn = struct.unpack_from("<Q", b, 0x30)[0]
        c = struct.unpack("<b", b[0x40:0x41])[0]
        self.rs = c * self.cs if c > 0 else 1 << -c
        c = struct.unpack("<b", b[0x44:0x45])[0]
        self.ibs = c * self.cs if c > 0 else 1 << -c
        size = (self.total + 1) * self.bps
        if len(self.d) < size:
            self.d += bytes(size - len(self.d))
        r0 = self.raw_record_at(self.mft_lcn * self.cs)
        data = [a for a in self.attrs(r0) if a["type"] == 0x80 and not a["name"]][0]
        self.mft_runs = data["runs"]
        self.nrec = data["data_size"] // self.rs

    def read(self, off, n):
        return bytes(self.d[off:off + n])

    def raw_record_at(self, off):
        return fixup(bytearray(self.read(off, self.rs)))

    def record_offset(self, n):
        byte = n * self.rs
        for vcn, lcn, length in self.mft_runs:
            if vcn * self.cs <= byte < (vcn + length) * self.cs:
                return lcn * self.cs + byte - vcn * self.cs
        raise KeyError(n)

    def record(self, n):
        return self.raw_record_at(self.record_offset(n))

    def attrs(self, rec):
        out = []
        off = struct.unpack_from("<H", rec, 0x14)[0]
        used = struct.unpack_from("<I", rec, 0x18)[0]
        while off + 8 <= used:
            t, ln = struct.unpack_from("<II", rec, off)
            if t == 0xFFFFFFFF or ln < 0x18:
                break
            a = {"type": t, "off": off, "len": ln, "bytes": bytes(rec[off:off + ln]),
                 "nonres": rec[off + 8], "flags": struct.unpack_from("<H", rec, off + 0x0C)[0]}
            nl, no = rec[off + 9], struct.unpack_from("<H", rec, off + 0x0A)[0]
            a["name"] = rec[off + no:off + no + 2 * nl].decode("utf-16le", "replace")
            if a["nonres"]:
                low, high, mp = struct.unpack_from("<QQH", rec, off + 0x10)
                a["low"], a["high"], a["mp"] = low, high, mp
                a["alloc"], a["data_size"], a["init"] = struct.unpack_from("<QQQ", rec, off + 0x28)
                a["runs"] = decode_runs(rec[off + mp:off + ln], low)
            else:
                vl, vo = struct.unpack_from("<IH", rec, off + 0x10)
                a["value"] = bytes(rec[off + vo:off + vo + vl])
            out.append(a)
            off += ln
        return out

    def value(self, a, limit=1 << 20):
        if not a["nonres"]:
            return a["value"]
        out = bytearray()
        for vcn, lcn, length in a["runs"]:
            chunk = bytes(length * self.cs) if lcn is None else self.read(lcn * self.cs, length * self.cs)
            out += chunk
            if len(out) >= limit:
                break
        return bytes(out[:min(a["data_size"], limit)])

    def paths(self):
        """MFT number -> (path, record) from the $FILE_NAME parents."""
        names = {}
        for n in range(self.nrec):
            try:
                r = self.record(n)
            except Exception:
                continue
            if r[:4] != b"FILE" or not (struct.unpack_from("<H", r, 0x16)[0] & 1):
                continue
            base = struct.unpack_from("<Q", r, 0x20)[0] & 0xFFFFFFFFFFFF
            owner = base if base else n
            for a in self.attrs(r):
                if a["type"] == 0x30 and not a["nonres"] and a["value"][0x41] != 2 and owner not in names:
                    v = a["value"]
                    parent = struct.unpack_from("<Q", v, 0)[0] & 0xFFFFFFFFFFFF
                    names[owner] = (parent, v[0x42:0x42 + 2 * v[0x40]].decode("utf-16le", "replace"))
                    break
        out = {}
        for n in names:
            parts, m, hops = [], n, 0
            while m != 5 and m in names and hops < 64:
                parts.append(names[m][1])
                m = names[m][0]
                hops += 1
            out["/" + "/".join(reversed(parts)) if n != 5 else "/"] = n
        return out


def fixup(rec):
    usa_ofs, usa_cnt = struct.unpack_from("<HH", rec, 4)
    for i in range(1, usa_cnt):
        p = i * 512 - 2
        if p + 2 <= len(rec):
            rec[p:p + 2] = rec[usa_ofs + 2 * i:usa_ofs + 2 * i + 2]
    return rec


def decode_runs(mp, vcn):
    runs, pos, lcn = [], 0, 0
    while pos < len(mp) and mp[pos]:
        h = mp[pos]
        ln, on = h & 15, h >> 4
        length = int.from_bytes(mp[pos + 1:pos + 1 + ln], "little", signed=True)
        if on:
            lcn += int.from_bytes(mp[pos + 1 + ln:pos + 1 + ln + on], "little", signed=True)
            runs.append((vcn, lcn, length))
        else:
            runs.append((vcn, None, length))
        vcn += length
        pos += 1 + ln + on
    return runs


def redo_fixup(rec):
    """The update sequence of a logical record, redone for writing."""
    usa_ofs, usa_cnt = struct.unpack_from("<HH", rec, 4)
    usn = (struct.unpack_from("<H", rec, usa_ofs)[0] + 1) & 0xFFFF or 1
    struct.pack_into("<H", rec, usa_ofs, usn)
    for i in range(1, usa_cnt):
        p = i * 512 - 2
        rec[usa_ofs + 2 * i:usa_ofs + 2 * i + 2] = rec[p:p + 2]
        struct.pack_into("<H", rec, p, usn)
    return rec


def encode_runs(runs):
    """Mapping pairs of (vcn, lcn, length) runs without holes, LCN deltas from 0."""
    out, prev = bytearray(), 0
    for _, lcn, length in runs:
        lb = next(b for b in range(1, 9) if length < 1 << (8 * b))
        delta = lcn - prev
        ob = next(b for b in range(1, 9) if -(1 << (8 * b - 1)) <= delta < 1 << (8 * b - 1))
        out += bytes([ob << 4 | lb]) + length.to_bytes(lb, "little") + delta.to_bytes(ob, "little", signed=True)
        prev = lcn
    return bytes(out + b"\0")


def nonres_attr(a, low, high, runs, sizes, instance):
    """The unnamed non-resident attribute a (as attrs() gives it) cut to VCNs
    low..high: its type, flags and compression unit kept, the rest given."""
    head = bytearray(a["bytes"][:0x40])
    struct.pack_into("<H", head, 0x0E, instance)
    struct.pack_into("<QQH", head, 0x10, low, high, 0x40)
    struct.pack_into("<QQQ", head, 0x28, *sizes)
    body = bytearray(head + encode_runs(runs))
    body += bytes(-len(body) % 8)
    struct.pack_into("<I", body, 4, len(body))
    return bytes(body)


def mftlist(src, dst, split, ext):
    """Rewrite $MFT as Windows lays out one whose runlist outgrew record 0:
    record 0 with a resident $ATTRIBUTE_LIST and $DATA's first extent (VCN
    0..split-1, the sizes of the whole stream), free record ext (inside the
    first extent) as an extension record of $MFT with the rest (sizes 0);
    $MFTMirr's copy of record 0 updated. The image is trimmed as finish does."""
    v = Vol(src)
    r0, rx = bytearray(v.record(0)), bytearray(v.record(ext))
    assert not struct.unpack_from("<H", rx, 0x16)[0] & 1, "record %d is in use" % ext
    attrs = v.attrs(r0)
    assert not any(a["type"] == 0x20 for a in attrs), "record 0 has a list already"
    data = [a for a in attrs if a["type"] == 0x80][0]
    lo, hi = [], []
    for vcn, lcn, length in data["runs"]:
        if vcn + length <= split:
            lo.append((vcn, lcn, length))
        elif vcn >= split:
            hi.append((vcn, lcn, length))
        else:
            k = split - vcn
            lo.append((vcn, lcn, k))
            hi.append((split, lcn + k, length - k))
    assert lo and hi and (ext + 1) * v.rs <= lo[0][2] * v.cs
    seq0, seqx = struct.unpack_from("<H", r0, 0x10)[0], struct.unpack_from("<H", rx, 0x10)[0]
    next_id = struct.unpack_from("<H", r0, 0x28)[0]
    entries = b""
    for a in attrs:
        inst = struct.unpack_from("<H", a["bytes"], 0x0E)[0]
        entries += struct.pack("<IHBBQQH", a["type"], 0x20, 0, 0x1A, 0, seq0 << 48, inst).ljust(0x20, b"\0")
        if a is data:
            entries += struct.pack("<IHBBQQH", 0x80, 0x20, 0, 0x1A, split, seqx << 48 | ext, 0).ljust(0x20, b"\0")
    al = struct.pack("<IIBBHHHIHBB", 0x20, 0, 0, 0, 0x18, 0, next_id, len(entries), 0x18, 0, 0) + entries
    al = bytearray(al + bytes(-len(al) % 8))
    struct.pack_into("<I", al, 4, len(al))
    body = b""
    for a in attrs:
        if a["type"] > 0x20 and al is not None:
            body, al = body + bytes(al), None
        if a is data:
            inst = struct.unpack_from("<H", a["bytes"], 0x0E)[0]
            body += nonres_attr(a, 0, split - 1, lo, (data["alloc"], data["data_size"], data["init"]), inst)
        else:
            body += a["bytes"]
    first = struct.unpack_from("<H", r0, 0x14)[0]
    body += struct.pack("<II", 0xFFFFFFFF, 0)
    assert first + len(body) <= v.rs
    r0[first:first + len(body)] = body
    struct.pack_into("<I", r0, 0x18, first + len(body))
    struct.pack_into("<H", r0, 0x28, next_id + 1)
    xfirst = struct.unpack_from("<H", rx, 0x14)[0]
    last = hi[-1][0] + hi[-1][2] - 1
    xbody = nonres_attr(data, split, last, hi, (0, 0, 0), 0) + struct.pack("<II", 0xFFFFFFFF, 0)
    assert xfirst + len(xbody) <= v.rs
    rx[xfirst:xfirst + len(xbody)] = xbody
    struct.pack_into("<HI", rx, 0x16, 1, xfirst + len(xbody))  # in use; bytes in use
    struct.pack_into("<QH", rx, 0x20, seq0 << 48, 1)  # base record 0; next attribute id
    for n, rec in ((0, r0), (ext, rx)):
        off = v.record_offset(n)
        v.d[off:off + v.rs] = redo_fixup(rec)
    mirr = struct.unpack_from("<Q", v.d, 0x38)[0] * v.cs
    v.d[mirr:mirr + v.rs] = v.d[v.record_offset(0):v.record_offset(0) + v.rs]
    end = len(v.d.rstrip(b"\0"))
    open(dst, "wb").write(v.d[:(end + v.bps - 1) // v.bps * v.bps])


def finish(path, trim):
    v = Vol(path)
    log = [a for a in v.attrs(v.record(2)) if a["type"] == 0x80][0]
    for vcn, lcn, length in log["runs"]:
        if lcn is not None:
            v.d[lcn * v.cs:(lcn + length) * v.cs] = bytes(length * v.cs)
    data = v.d
    if trim:
        b = v.total * v.bps
        data[b:b + v.bps] = bytes(v.bps)
        end = len(data.rstrip(b"\0"))
        end = (end + v.bps - 1) // v.bps * v.bps
        data = data[:end]
    open(path, "wb").write(data)


class Writer:
    def __init__(self, root):
        self.root = root
        self.seen = set()

    def put(self, harness, tag, data):
        h = hashlib.sha1(data).hexdigest()[:12]
        if (harness, h) in self.seen:
            return
        self.seen.add((harness, h))
        d = os.path.join(self.root, harness)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "%s-%s" % (tag, h)), "wb") as f:
            f.write(data)


# fuzz_values.c selector of each attribute type
VALUE_SEL = {0x30: 0, 0x10: 1, 0x40: 2, 0xE0: 3, 0x50: 4, 0x100: 5}


def usn_v2(name, usn, reason=0x100):
    n = name.encode("utf-16le")
    length = (0x3C + len(n) + 7) // 8 * 8
    rec = struct.pack("<IHHQQQQIIII HH", length, 2, 0, 0x1000000000040, 0x5000000000005, usn,
                      132000000000000000, reason, 0, 0x100, 0x20, len(n), 0x3C)
    return (rec + n).ljust(length, b"\0")


def usn_v3(name, usn):
    n = name.encode("utf-16le")
    length = (0x4C + len(n) + 7) // 8 * 8
    rec = struct.pack("<IHH16s16sQQIIII HH", length, 3, 0, b"\x40" + bytes(15), b"\x05" + bytes(15), usn,
                      132000000000000000, 2, 0, 0x100, 0x20, len(n), 0x4C)
    return (rec + n).ljust(length, b"\0")


def restart_page(size=4096, chkd=False, clients=1, in_use=0, flags=2):
    """A $LogFile restart page as Windows XP+ writes it: header, update
    sequence array (none in a CHKD page), restart area after it, a client
    array of "NTFS" records 0x40 into the area, protected."""
    p = bytearray(size)
    count = size // 512 + 1
    ra = 0 if chkd else (0x1E + 2 * count + 7) & ~7
    ra = ra or 0x30
    p[0:4] = b"CHKD" if chkd else b"RSTR"
    struct.pack_into("<HHQIIHhh", p, 4, 0 if chkd else 0x1E, 0 if chkd else count,
                     0x777 if chkd else 0, size, 4096, ra, 1, 1)
    struct.pack_into("<QHHHHIHHQIHHI", p, ra, 0x20806F, clients,
                     0xFFFF if in_use == 0 else 0, in_use, flags, 44, 0x40 + clients * 0xA0, 0x40,
                     0x4C8000, 0x70, 0x30, 0x40, 0x3C50577A)
    for i in range(clients):
        c = ra + 0x40 + i * 0xA0
        struct.pack_into("<QQHHH", p, c, 0x208064, 0x20806F, 0xFFFF if i == 0 else i - 1,
                         i + 1 if i + 1 < clients else 0xFFFF, 0)
        struct.pack_into("<I", p, c + 0x1C, 8)
        p[c + 0x20:c + 0x28] = "NTFS".encode("utf-16le")
    if not chkd:
        for i in range(size // 512):
            tail = (i + 1) * 512 - 2
            p[0x20 + 2 * i:0x22 + 2 * i] = p[tail:tail + 2]
            p[tail:tail + 2] = b"\x05\x00"
        p[0x1E:0x20] = b"\x05\x00"
    return bytes(p)


def mbr(entries, sig=True):
    b = bytearray(512)
    for i, (typ, start, count) in enumerate(entries):
        struct.pack_into("<B3sB3sII", b, 446 + 16 * i, 0, b"\0\0\0", typ, b"\0\0\0", start, count)
    if sig:
        b[510:512] = b"\x55\xaa"
    return b


def gpt_disk(sectors, parts):
    import zlib
    d = bytearray(512 * sectors)
    d[0:512] = mbr([(0xEE, 1, sectors - 1)])
    entries = bytearray(128 * 128)
    basic = bytes.fromhex("a2a0d0ebe5b9334487c068b6b72699c7")
    for i, (first, last, name) in enumerate(parts):
        struct.pack_into("<16s16sQQQ", entries, 128 * i, basic, bytes([i + 1] * 16), first, last, 0)
        entries[128 * i + 56:128 * i + 56 + 2 * len(name)] = name.encode("utf-16le")
    ecrc = zlib.crc32(entries) & 0xFFFFFFFF
    def header(cur, alt, entries_lba):
        h = bytearray(struct.pack("<8sIIIIQQQQ16sQIII", b"EFI PART", 0x10000, 92, 0, 0, cur, alt,
                                  34, sectors - 34, bytes(range(16)), entries_lba, 128, 128, ecrc))
        struct.pack_into("<I", h, 16, zlib.crc32(h) & 0xFFFFFFFF)
        return h
    d[512:512 + 92] = header(1, sectors - 1, 2)
    d[1024:1024 + len(entries)] = entries
    d[512 * (sectors - 33):512 * (sectors - 33) + len(entries)] = entries
    d[512 * (sectors - 1):512 * (sectors - 1) + 92] = header(sectors - 1, 1, sectors - 33)
    return bytes(d)


def size_sel(n, table):
    return table.index(n)


def structures(root):
    w = Writer(root)
    for bi, base in enumerate(BASES):
        path = os.path.join(root, "volume", base)
        if not os.path.exists(path) and not os.path.exists(path + ".gz"):
            continue
        v = Vol(path)
        tag = base[:-4]
        w.put("boot", tag, v.read(0, max(512, v.bps)))
        paths = v.paths()
        wanted = [0, 3, 5, 9, 10]
        for p in ["/hello.txt", "/docs", "/comp/text.txt", "/comp/mixed.bin", "/frag.bin",
                  "/names/target.txt", "/links/sym", "/links/junction", "/links/interix",
                  "/many", "/sparse.bin", "/hard/a.txt"]:
            if p in paths:
                wanted.append(paths[p])
        # extension records of files with an attribute list
        for n in range(v.nrec):
            try:
                r = v.record(n)
            except Exception:
                continue
            if r[:4] == b"FILE" and (struct.unpack_from("<Q", r, 0x20)[0] & 0xFFFFFFFFFFFF or
                                     any(a["type"] == 0x20 for a in v.attrs(r))):
                wanted.append(n)
        csel = (v.cs.bit_length() - 1 - 9) & 7
        rsel = [1024, 4096, 512, 2048].index(v.rs)
        for n in wanted:
            off = v.record_offset(n)
            raw = v.read(off, v.rs)
            w.put("record", "%s-r%d" % (tag, n), bytes([rsel | csel << 2]) + raw)
            rec = v.record(n)
            ao = struct.unpack_from("<H", rec, 0x14)[0]
            used = struct.unpack_from("<I", rec, 0x18)[0]
            area = bytes(rec[ao:used - 8])
            flags = 1 if struct.unpack_from("<H", rec, 0x16)[0] & 2 else 0
            w.put("attr", "%s-r%d" % (tag, n), bytes([flags, bi]) + struct.pack("<H", n) + area)
            for a in v.attrs(rec):
                if a["nonres"]:
                    hdr = struct.pack("<BBHIQQ", csel, 1 if a["flags"] & 1 else 0, 0,
                                      v.total * v.bps // v.cs, a["low"], a["high"])
                    w.put("runlist", "%s-r%d-t%x" % (tag, n, a["type"]), hdr + a["bytes"][a["mp"]:])
                if a["type"] == 0x20:
                    val = v.value(a)
                    w.put("attrlist", "%s-r%d" % (tag, n),
                          struct.pack("<BxxxIQ", a["nonres"], 0x80, 0) + val)
                if not a["nonres"] and a["type"] in VALUE_SEL:
                    w.put("values", "%s-t%x" % (tag, a["type"]), bytes([VALUE_SEL[a["type"]]]) + a["value"])
                if a["type"] == 0xC0:
                    val = v.value(a)
                    w.put("reparse", "%s-r%d" % (tag, n), struct.pack("<BBHH", 0, bi, 0, 0) + val)
                if a["type"] == 0x90 and a["name"] == "$I30":
                    w.put("index", "%s-r%d-root" % (tag, n), bytes([4] + [0] * 7) + a["value"])
                if a["type"] == 0xA0 and a["name"] == "$I30":
                    blocks = v.value(a, 1 << 22)
                    bsel = [4096, 512, 1024, 2048].index(v.ibs)
                    for k in range(0, len(blocks), v.ibs):
                        blk = blocks[k:k + v.ibs]
                        if blk[:4] == b"INDX":
                            w.put("index", "%s-r%d-b%d" % (tag, n, k // v.ibs), bytes([bsel] + [0] * 7) + blk)
                            # utf16 seeds: the names in the block
                            pos = 0x18 + struct.unpack_from("<I", blk, 0x18)[0]
                            fixed = fixup(bytearray(blk))
                            while pos + 0x52 < len(fixed):
                                ln, kl, fl = struct.unpack_from("<HHH", fixed, pos + 8)
                                if fl & 2 or ln < 0x10:
                                    break
                                nl = fixed[pos + 0x10 + 0x40]
                                w.put("utf16", tag, bytes([255, 1]) + bytes(fixed[pos + 0x52:pos + 0x52 + 2 * nl]))
                                pos += ln
                    if paths.get("/many") == n:
                        w.put("index", "%s-tree" % tag, bytes([bsel | 8 | 16] + [0] * 7) + blocks)
                if a["type"] == 0x80 and a["nonres"] and a["flags"] & 1 and a["low"] == 0:
                    # compressed: each unit's allocated clusters
                    cu = 16 * v.cs
                    for vcn, lcn, length in a["runs"]:
                        if lcn is not None and length < 16 and vcn % 16 == 0:
                            unit = v.read(lcn * v.cs, length * v.cs)
                            w.put("lznt1", "%s-r%d-v%d" % (tag, n, vcn), struct.pack("<H", 4096) + unit)
                    del cu
                if a["type"] == 0x80 and not a["nonres"] and a["value"][:8] == b"IntxLNK\x01":
                    w.put("reparse", "%s-r%d-interix" % (tag, n), struct.pack("<BBHH", 1, bi, 0, 0) + a["value"][8:])
        # whole-volume patch seeds: no patch at all, and one refixed record patch
        w.put("volume_patch", "%s-none" % tag, bytes([bi, 0]))
        w.put("volume_patch", "%s-rec5" % tag, bytes([bi, 0]) + struct.pack("<BHHB", 0x80, 5, 0x18, 1) + b"\x01")
        w.put("volume_patch", "%s-boot" % tag, bytes([bi, 0]) + struct.pack("<BHHB", 2, 0, 0x0D, 1) + b"\x03")
    # change journal pages: records, zero padding to the page end, V3
    page = usn_v2("a.txt", 0x100) + usn_v2("b-with-a-longer-name.txt", 0x160, 0x80000000)
    page = page.ljust(4096, b"\0") + usn_v3("c.txt", 0x2000) + usn_v2("d", 0x2060)
    w.put("usn", "v2v3", bytes([0, 1]) + page)
    w.put("usn", "sparse-head", bytes([3, 1]) + page)
    w.put("usn", "resident", bytes([0, 0]) + usn_v2("r.txt", 8))
    # $LogFile restart pages: clean, dirty, two clients, 8 KiB, a CHKD page
    w.put("logfile", "clean", restart_page())
    w.put("logfile", "dirty", restart_page(flags=0))
    w.put("logfile", "clients", restart_page(clients=2))
    w.put("logfile", "page8k", restart_page(8192))
    w.put("logfile", "chkd", restart_page(chkd=True, in_use=0xFFFF, flags=0))
    w.put("logfile", "empty", b"\xff" * 4096)
    # partition tables: MBR primaries and an extended chain; GPT with its backup
    disk = bytearray(512 * 512)
    disk[0:512] = mbr([(0x07, 2, 100), (0x05, 200, 300), (0x83, 102, 50)])
    disk[512 * 200:512 * 201] = mbr([(0x07, 1, 40), (0x05, 50, 60)])
    disk[512 * 250:512 * 251] = mbr([(0x07, 1, 30)])
    w.put("partition", "mbr-extended", bytes(disk))
    w.put("partition", "gpt", gpt_disk(512, [(64, 199, "ntfs"), (200, 400, "data")]))
    w.put("partition", "bare-ntfs", bytes(4096))
    # values: hand-made EA list and $EFS header
    ea = struct.pack("<IBBH", 16, 0, 3, 4) + b"abc\0" + b"1234" + struct.pack("<IBBH", 0, 0x80, 1, 2) + b"x\0" + b"yz"
    w.put("values", "ea", bytes([3]) + ea)
    efs = bytearray(0x80)
    struct.pack_into("<II", efs, 0, 0x80, 0)
    struct.pack_into("<I", efs, 8, 2)
    struct.pack_into("<II", efs, 0x40, 0x54, 0x60)
    struct.pack_into("<I", efs, 0x54, 1)
    struct.pack_into("<I", efs, 0x60, 1)
    w.put("values", "efs", bytes([5]) + bytes(efs))
    # utf16 extras: lone surrogates, a pair, NUL, max length
    w.put("utf16", "hand", bytes([3, 1]) + "a\U0001F600b".encode("utf-16le") + b"\x00\xd8z\x00")
    w.put("utf16", "hand", bytes([255, 0]) + ("x" * 255).encode("utf-16le"))
    w.put("utf16", "hand", bytes([0, 1]) + b"\x00\xdc\x00\xd8")


def main():
    if sys.argv[1] == "finish":
        finish(sys.argv[2], sys.argv[3] == "1")
    elif sys.argv[1] == "structures":
        structures(sys.argv[2])
    elif sys.argv[1] == "mftlist":
        mftlist(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        sys.exit("usage: extract-seeds.py finish IMAGE TRIM | structures DIR | mftlist IMAGE OUT VCN REC")


if __name__ == "__main__":
    main()
