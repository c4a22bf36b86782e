#!/usr/bin/env python3
"""A synthetic $MFT of N records, for `ntx mft` and `ntx timeline` with
--mft-file at a scale no fixture has (run-timeline-bench.sh).

usage: make-mft.py SOURCE_MFT N OUT

SOURCE_MFT is a real $MFT written out with `ntx cat IMAGE '$MFT'`. OUT
holds its records, then copies of its records from 16 on, renumbered, until
there are N: copy k of record s is record s + k * (records - 16). Every
reference to a record from 16 on moves with it (a base record reference,
$FILE_NAME parents, $ATTRIBUTE_LIST entries, the entries and keys of a
resident $I30 $INDEX_ROOT), references to the system records 0-15 stay, so
each copy is a tree of its own under the root with the same names. The
record number field (0x2C) is rewritten and the update sequence redone:
every record checks as a record written by NTFS. The source's system
records are kept as they are, so the geometry is the source volume's.
"""
import struct
import sys

FIRST = 16          # records below are the system files: shared by every copy
REF_MASK = (1 << 48) - 1


def unfix(rec, rs):
    """Apply the update sequence (NTFS's fixup): the sector tails back."""
    usa, cnt = struct.unpack_from("<HH", rec, 4)
    if cnt != rs // 512 + 1 or usa + 2 * cnt > 0x400:
        return False
    usn = rec[usa:usa + 2]
    for i in range(1, cnt):
        t = i * 512 - 2
        if rec[t:t + 2] != usn:
            return False
        rec[t:t + 2] = rec[usa + 2 * i:usa + 2 * i + 2]
    return True


def refix(rec, rs):
    usa, cnt = struct.unpack_from("<HH", rec, 4)
    usn = rec[usa:usa + 2]
    for i in range(1, cnt):
        t = i * 512 - 2
        rec[usa + 2 * i:usa + 2 * i + 2] = rec[t:t + 2]
        rec[t:t + 2] = usn


def ref_offsets(rec):
    """Offsets of the record references in a fixed-up record."""
    offs = []
    if struct.unpack_from("<Q", rec, 0x20)[0]:
        offs.append(0x20)
    off = struct.unpack_from("<H", rec, 0x14)[0]
    used = struct.unpack_from("<I", rec, 0x18)[0]
    while off + 8 <= used:
        typ, alen = struct.unpack_from("<II", rec, off)
        if typ == 0xFFFFFFFF or alen < 0x18 or off + alen > used:
            break
        if rec[off + 8] == 0:  # resident
            vlen, voff = struct.unpack_from("<IH", rec, off + 0x10)
            v = off + voff
            if typ == 0x30 and vlen >= 0x42:
                offs.append(v)
            elif typ == 0x20:
                p = v
                while p + 0x1A <= v + vlen:
                    elen = struct.unpack_from("<H", rec, p + 4)[0]
                    if elen < 0x1A:
                        break
                    offs.append(p + 0x10)
                    p += elen
            elif typ == 0x90 and struct.unpack_from("<I", rec, v)[0] == 0x30:
                h = v + 0x10
                start, end = struct.unpack_from("<II", rec, h)
                p, stop = h + start, h + end
                while p + 0x10 <= stop:
                    elen, klen, flags = struct.unpack_from("<HHI", rec, p + 8)
                    if flags & 2 or elen < 0x10:
                        break
                    offs.append(p)
                    if klen >= 0x42:
                        offs.append(p + 0x10)
                    p += elen
        off += alen
    return offs


def main():
    src, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    data = open(src, "rb").read()
    rs = struct.unpack_from("<I", data, 0x1C)[0]
    nsrc = len(data) // rs
    if n < nsrc:
        sys.exit("make-mft: the source has %d records already" % nsrc)
    span = nsrc - FIRST
    templates = []  # per source record from FIRST: (fixed-up bytes, ref offsets) or raw bytes
    for s in range(FIRST, nsrc):
        rec = bytearray(data[s * rs:(s + 1) * rs])
        if rec[:4] == b"FILE" and unfix(rec, rs):
            templates.append((bytes(rec), ref_offsets(rec)))
        else:
            templates.append((bytes(rec), None))
    with open(out, "wb", buffering=8 << 20) as f:
        f.write(data[:nsrc * rs])
        for r in range(nsrc, n):
            s = FIRST + (r - FIRST) % span
            raw, offs = templates[s - FIRST]
            if offs is None:
                f.write(raw)
                continue
            delta = r - s
            rec = bytearray(raw)
            for o in offs:
                ref = struct.unpack_from("<Q", rec, o)[0]
                if (ref & REF_MASK) >= FIRST:
                    struct.pack_into("<Q", rec, o, ref + delta)
            if struct.unpack_from("<H", rec, 4)[0] >= 0x30:
                struct.pack_into("<I", rec, 0x2C, r)
            refix(rec, rs)
            f.write(rec)
    print("make-mft: %s: %d records of %d bytes (%d of %s, copied %.1f times)" % (
        out, n, rs, nsrc, src, (n - FIRST) / span))


if __name__ == "__main__":
    main()
