#!/usr/bin/env python3
"""Partitioned disks: MBR (primary and logical partitions) and GPT images
built around the sample and empty fixtures.

usage: check_partitions.py NTX FIXTURES_DIR IMAGES_DIR

 * one NTFS partition is found without options (info names the partition);
 * with two, ntx asks for --partition (exit 1) and --partition N / --offset
   BYTES choose; a partition that does not exist, or holds no NTFS, is an
   error naming it;
 * `ntx partitions` lists the table (and its JSON parses).
"""
import os
import struct
import tempfile
import uuid
import zlib

import clitest as T

SECTOR = 512
BASIC_DATA = uuid.UUID("EBD0A0A2-B9E5-4433-87C0-68B6B72699C7").bytes_le


def mbr_entry(ptype, lba, count):
    return struct.pack("<B3sB3sII", 0, b"\0\0\0", ptype, b"\0\0\0", lba, count)


def mbr(entries):
    s = bytearray(SECTOR)
    for i, e in enumerate(entries):
        s[446 + 16 * i:462 + 16 * i] = e
    s[510:512] = b"\x55\xaa"
    return s


def build_mbr(path, vols, gap=2048):
    """Primary partitions, one per volume."""
    lba = gap
    parts, ents = [], []
    for v in vols:
        n = len(v) // SECTOR
        ents.append(mbr_entry(0x07, lba, n))
        parts.append((lba, v))
        lba += n + gap
    write_disk(path, lba, [(0, mbr(ents))] + [(l * SECTOR, v) for l, v in parts])


def build_logical(path, vol):
    """An extended partition with one logical NTFS partition (number 5)."""
    ext = 2048
    n = len(vol) // SECTOR
    ebr = mbr([mbr_entry(0x07, 2048, n)])          # relative to this EBR
    total = ext + 2048 + n + 2048
    write_disk(path, total, [(0, mbr([mbr_entry(0x0F, ext, total - ext)])),
                             (ext * SECTOR, ebr), ((ext + 2048) * SECTOR, vol)])


def build_gpt(path, vols, names):
    first = 2048
    lba = first
    entries = bytearray(128 * 128)
    place = []
    for i, (v, nm) in enumerate(zip(vols, names)):
        n = len(v) // SECTOR
        e = BASIC_DATA + uuid.UUID(int=i + 1).bytes_le + struct.pack("<QQQ", lba, lba + n - 1, 0)
        e += nm.encode("utf-16-le").ljust(72, b"\0")
        entries[128 * i:128 * (i + 1)] = e
        place.append((lba, v))
        lba += n + 2048
    total = lba + 34
    ecrc = zlib.crc32(entries) & 0xFFFFFFFF

    def header(cur, backup, elba):
        h = bytearray(struct.pack("<8sIIIIQQQQ16sQIII", b"EFI PART", 0x00010000, 92, 0, 0, cur,
                                  backup, 34, total - 34, uuid.UUID(int=99).bytes_le, elba, 128,
                                  128, ecrc))
        struct.pack_into("<I", h, 16, zlib.crc32(h) & 0xFFFFFFFF)
        return bytes(h).ljust(SECTOR, b"\0")
    pmbr = mbr([mbr_entry(0xEE, 1, min(total - 1, 0xFFFFFFFF))])
    write_disk(path, total, [(0, pmbr), (SECTOR, header(1, total - 1, 2)), (2 * SECTOR, entries),
                             ((total - 33) * SECTOR, entries),
                             ((total - 1) * SECTOR, header(total - 1, 1, total - 33))] +
               [(l * SECTOR, v) for l, v in place])


def write_disk(path, sectors, pieces):
    with open(path, "wb") as f:
        f.truncate(sectors * SECTOR)
        for off, data in pieces:
            f.seek(off)
            f.write(data)


def label(ntx, *args):
    _, out, _ = T.run(ntx, "info", "--json", *args)
    return T.jsonl(out)[0]


def main():
    ntx, fixtures, images, _ = T.args()
    sample = open(T.image(images, "sample"), "rb").read()
    empty = open(T.image(images, "ntfs-empty"), "rb").read()
    problems = []

    def expect(cond, what):
        if not cond:
            problems.append(what)

    with tempfile.TemporaryDirectory() as tmp:
        one = os.path.join(tmp, "mbr1.img")
        build_mbr(one, [sample])
        i = label(ntx, one)
        expect(i["label"] == "ntx sample" and i["partition"] == 1 and
               i["partition_scheme"] == "mbr" and i["volume_offset"] == 2048 * SECTOR,
               "mbr1 auto: %r" % i)
        _, out, _ = T.run(ntx, "ls", "-r", one)
        expect("/docs/notes/todo.txt" in out, "mbr1 ls -r")
        _, out, _ = T.run(ntx, "cat", one, "/hello.txt")
        expect(out == "Hello from ntx!\n", "mbr1 cat")
        rc, _, err = T.run(ntx, "ls", "--partition", "2", one, ok=(1,))
        expect("no such partition" in err, "mbr1 --partition 2: %r" % err)
        rc, _, err = T.run(ntx, "ls", "--offset", "1000", one, ok=(1,))
        expect("not a multiple of 512" in err, "--offset 1000: %r" % err)

        two = os.path.join(tmp, "mbr2.img")
        build_mbr(two, [sample, empty])
        rc, _, err = T.run(ntx, "ls", two, ok=(1,))
        expect("2 partitions hold NTFS volumes" in err and "--partition" in err, "mbr2: %r" % err)
        expect(label(ntx, "--partition", "2", two)["label"] == "ntx-empty", "mbr2 --partition 2")
        expect(label(ntx, "--partition", "1", two)["label"] == "ntx sample", "mbr2 --partition 1")
        off2 = (2048 + len(sample) // SECTOR + 2048) * SECTOR
        expect(label(ntx, "--offset", str(off2), two)["label"] == "ntx-empty", "mbr2 --offset")
        _, out, _ = T.run(ntx, "partitions", "--json", two)
        parts = T.jsonl(out)
        expect(all(list(p) == ["index", "scheme", "offset", "size", "mbr_type", "gpt_type", "name",
                               "ntfs"] for p in parts), "partitions JSON fields: %r" % parts)
        expect([(p["index"], p["ntfs"], p["offset"]) for p in parts] ==
               [(1, True, 2048 * SECTOR), (2, True, off2)], "partitions mbr2: %r" % parts)
        _, out, _ = T.run(ntx, "partitions", two)
        expect(out.count("yes") == 2, "partitions text")

        lg = os.path.join(tmp, "logical.img")
        build_logical(lg, sample)
        i = label(ntx, lg)
        expect(i["partition"] == 5 and i["label"] == "ntx sample", "logical: %r" % i)
        rc, _, err = T.run(ntx, "ls", "--partition", "1", lg, ok=(1,))
        expect("no such partition" in err, "extended container (not listed): %r" % err)

        gpt = os.path.join(tmp, "gpt.img")
        build_gpt(gpt, [sample, empty], ["Basic data", "Zweite Partition ü"])
        rc, _, err = T.run(ntx, "info", gpt, ok=(1,))
        expect("2 partitions" in err, "gpt2 without --partition: %r" % err)
        i = label(ntx, "--partition", "2", gpt)
        expect(i["label"] == "ntx-empty" and i["partition_scheme"] == "gpt", "gpt --partition 2: %r" % i)
        _, out, _ = T.run(ntx, "partitions", "--json", gpt)
        parts = T.jsonl(out)
        expect([p["name"] for p in parts] == ["Basic data", "Zweite Partition ü"] and
               all(p["scheme"] == "gpt" and p["ntfs"] for p in parts), "gpt partitions: %r" % parts)
        _, out, _ = T.run(ntx, "partitions", T.image(images, "sample"))
        expect("bare NTFS volume" in out, "partitions of a bare volume: %r" % out)

    print("partitions: MBR (1 and 2 NTFS partitions, logical), GPT")
    return T.finish(problems)


if __name__ == "__main__":
    T.main(main)
