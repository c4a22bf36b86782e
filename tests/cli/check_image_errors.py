#!/usr/bin/env python3
"""What ntx says about images it cannot read: one line, exit 1, the cause.

usage: check_image_errors.py NTX FIXTURES_DIR IMAGES_DIR

 * an empty file; a volume cut short (bare, in a partition, a split set
   missing its last segment): "the NTFS volume is N, the image holds M of
   it: truncated?";
 * a BitLocker volume (the sample's boot sectors with BitLocker's OEM id
   "-FVE-FS-", bare and as a partition): "BitLocker-encrypted: decrypt it
   first, e.g. with bdemount";
 * other file systems made by their own mkfs (FAT32, exFAT, ext4, XFS when
   installed), and a gzip file: named;
 * damaged containers, made by the real tools and then broken: an E01
   segment cut short and one missing, a VHDX whose two headers are
   overwritten, a qcow2 whose first L2 entry points past the end of the file
   (offsets from QEMU's qcow2 description: L1 table offset at header byte
   40, entries masked with 0x00fffffffffffe00), a split set whose middle
   segment is cut short, a later segment given instead of the first;
 * --vss on a volume without shadow copies; --partition on a bare volume.
Every case: exit 1, exactly one line "ntx: IMAGE: ..." holding the words.
"""
import gzip
import os
import shutil
import struct
import subprocess
import tempfile

import clitest as T
import containers as C


def one_error(ntx, args, words, problems, what):
    rc, out, err = T.run(ntx, *args, ok=None)
    lines = err.splitlines()
    if rc != 1 or len(lines) != 1 or not lines[0].startswith("ntx: "):
        problems.append("%s: exit %d, stderr %r (expected exit 1 and one line)" % (what, rc, err))
        return
    for w in words:
        if w not in lines[0]:
            problems.append("%s: %r does not say %r" % (what, lines[0], w))
    print("  %-28s %s" % (what, lines[0]))


def patch(path, off, data):
    with open(path, "r+b") as f:
        f.seek(off)
        f.write(data)


def main():
    ntx, fixtures, images, _ = T.args()
    sample = T.image(images, "sample")
    size = os.path.getsize(sample)
    problems = []
    tmp = tempfile.mkdtemp(prefix="ntx-image-errors.")
    try:
        def p(name):
            return os.path.join(tmp, name)

        open(p("empty.img"), "wb").close()
        one_error(ntx, ["info", p("empty.img")], ["empty", "no NTFS volume"], problems, "empty")

        shutil.copyfile(sample, p("half.img"))
        os.truncate(p("half.img"), size // 2)
        one_error(ntx, ["ls", p("half.img")], ["the NTFS volume is", "truncated?"], problems,
                  "truncated volume")
        C.mbr_disk(p("disk.img"), sample)
        os.truncate(p("disk.img"), 2048 * 512 + size // 2)
        one_error(ntx, ["info", p("disk.img")], ["truncated?"], problems, "truncated disk")

        C.run_tool(["split", "-b", "4M", "-d", "-a", "3", "--numeric-suffixes=1", sample,
                    p("set.")])
        os.unlink(p("set.004"))
        one_error(ntx, ["info", p("set.001")], ["truncated?", "split image of 3 segments"],
                  problems, "split set, last missing")
        one_error(ntx, ["info", p("set.002")], ["give its first segment", "set.001"], problems,
                  "split set, later segment")
        os.truncate(p("set.002"), 1 << 20)
        one_error(ntx, ["info", p("set.001")], ["set.002", "cut short"], problems,
                  "split set, middle cut")

        shutil.copyfile(sample, p("bitlocker.img"))
        patch(p("bitlocker.img"), 3, b"-FVE-FS-")
        patch(p("bitlocker.img"), size - 512 + 3, b"-FVE-FS-")
        one_error(ntx, ["ls", p("bitlocker.img")],
                  ["BitLocker-encrypted: decrypt it first, e.g. with bdemount"], problems,
                  "BitLocker volume")
        C.gpt_disk(p("bitlocker-disk.img"), p("bitlocker.img"))
        one_error(ntx, ["ls", p("bitlocker-disk.img")],
                  ["GPT partition 1", "BitLocker-encrypted: decrypt it first"], problems,
                  "BitLocker partition")

        for tool, args, name in (("mkfs.vfat", ["-F", "32"], "FAT32"),
                                 ("mkfs.exfat", [], "exFAT"),
                                 ("mkfs.ext4", ["-q", "-F"], "ext4"),
                                 ("mkfs.xfs", ["-q", "-f"], "XFS")):
            if shutil.which(tool) is None:
                print("  %-28s (%s not installed)" % (name, tool))
                continue
            img = p(name + ".img")
            with open(img, "wb") as f:
                f.truncate(320 << 20)
            r = subprocess.run([tool] + args + [img], capture_output=True)
            if r.returncode != 0:
                print("  %-28s (%s failed: %s)" % (name, tool, r.stderr.decode()[:100]))
                continue
            one_error(ntx, ["info", img], ["no NTFS volume", name], problems, name)
            C.mbr_disk(p(name + "-disk.img"), img)
            one_error(ntx, ["info", p(name + "-disk.img")], ["1: ", name], problems,
                      name + " partition")

        with open(sample, "rb") as i, gzip.open(p("sample.img.gz"), "wb") as o:
            shutil.copyfileobj(i, o)
        one_error(ntx, ["info", p("sample.img.gz")], ["gzip", "decompress it first"], problems,
                  "gzip file")

        # damaged containers
        if shutil.which("ewfacquirestream"):
            with open(sample, "rb") as i:
                C.run_tool(["ewfacquirestream", "-q", "-c", "none", "-S", "4MiB", "-t",
                            p("ev")], stdin=i)
            shutil.copyfile(p("ev.E02"), p("ev.E02.orig"))
            os.truncate(p("ev.E02"), 1 << 20)
            one_error(ntx, ["info", p("ev.E01")], ["corrupt E01 image"], problems,
                      "E01 segment cut short")
            shutil.move(p("ev.E02.orig"), p("ev.E02"))
            os.unlink(p("ev.E03"))
            one_error(ntx, ["info", p("ev.E01")], ["corrupt E01 image"], problems,
                      "E01 segment missing")
        if shutil.which("qemu-img"):
            C.run_tool(["qemu-img", "convert", "-O", "vhdx", sample, p("bad.vhdx")])
            for off in (64 << 10, 128 << 10):  # the two headers
                patch(p("bad.vhdx"), off, b"\xde\xad" * 2048)
            one_error(ntx, ["info", p("bad.vhdx")], ["corrupt VHDX image", "libvhdi"],
                      problems, "VHDX headers overwritten")

            C.run_tool(["qemu-img", "convert", "-O", "qcow2", sample, p("bad.qcow2")])
            with open(p("bad.qcow2"), "r+b") as f:
                head = f.read(48)
                l1 = struct.unpack_from(">Q", head, 40)[0]
                f.seek(l1)
                l2 = struct.unpack(">Q", f.read(8))[0] & 0x00fffffffffffe00
                end = f.seek(0, 2)
                f.seek(l2)  # the first cluster's entry: copied, past the end of the file
                f.write(struct.pack(">Q", (1 << 63) | ((end + (1 << 30)) & ~0xFFFF)))
            one_error(ntx, ["info", p("bad.qcow2")], ["libqcow"], problems,
                      "qcow2 L2 entry past the end")

        one_error(ntx, ["ls", "--vss", "1", sample], ["--vss 1", "no shadow copies"], problems,
                  "--vss without shadow copies")
        one_error(ntx, ["ls", "--partition", "1", sample], ["no partition table"], problems,
                  "--partition on a bare volume")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("image errors: every case one line and exit 1")
    return T.finish(problems)


if __name__ == "__main__":
    T.main(main)
