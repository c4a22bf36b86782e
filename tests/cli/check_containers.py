#!/usr/bin/env python3
"""Every fixture in one container format, made by the real tools, read by ntx.

usage: check_containers.py NTX FIXTURES_DIR IMAGES_DIR FORMAT

FORMAT (containers.py makes them): split-num (split -d: NAME.001...),
split-alpha (split: NAME.aa...), e01 (ewfacquirestream), e01-segments
(several segment files), vhd (qemu-img -O vpc: dynamic), vhd-fixed, vhd-diff
(a differencing VHD over a dynamic parent, each holding half of the disk),
vhdx, vmdk (monolithicSparse), vmdk-extents (twoGbMaxExtentSparse, the
volume across the 2 GiB boundary between two extents), vmdk-snapshot (a
snapshot made over a parent holding the disk's second half, the first half
written into it with qemu-io), qcow2, qcow2-backing (the child holds the
first half, its unallocated clusters read from the parent's second half).

Each fixture is converted bare (ntfs-4k, the largest, in five of the
formats, wof in three), and three of them also inside a partitioned disk (MBR or GPT). For each image ntx must give exactly what it
gives on the raw fixture (check_container_ref.py): `ls -r -a --json` the same
text, the same bytes for every stream (one `ntx cat -i ...` into a file, holes
kept, compared with the raw one where either holds data), the same failure for
the streams the raw image cannot give; `ntx info` names the container and the
partition; the container's files keep their size and time. The converted
images are made in the build tree and removed when the format passes.
"""
import os
import shutil
import subprocess
import sys
import time

import clitest as T
import containers as C

PARTITIONED = ("sample", "ntfs-4kn", "deleted-4k")
# ntfs-4k (100 MiB, 5,000 streams, a 5 GiB sparse file) costs as much as
# the others together: it is read in these formats only; wof (a 4 GiB
# WOF-compressed file, decompressed by every `cat`) adds nothing a container
# could break beyond what the others read, so three formats carry it
HEAVY = {"ntfs-4k": ("split-num", "e01", "vhdx", "vmdk-extents", "qcow2"),
         "wof": ("e01", "vhdx", "qcow2")}
TOOLS = {"split-num": ["split"], "split-alpha": ["split"], "e01": ["ewfacquirestream"],
         "e01-segments": ["ewfacquirestream"], "vmdk-snapshot": ["qemu-img", "qemu-io"]}


def files_state(d):
    """Size and modification time of each file: a write would change them
    (cli.unchanged hashes the raw fixtures after every command)."""
    return {n: (os.stat(os.path.join(d, n)).st_size, os.stat(os.path.join(d, n)).st_mtime_ns)
            for n in sorted(os.listdir(d))}


def check_image(ntx, path, fmt, name, ref, where, problems):
    """where: None (a bare volume), "mbr" or "gpt"."""
    label = "%s %s%s" % (fmt, name, " in %s" % where.upper() if where else "")
    rc, out, err = T.run(ntx, "info", path, ok=None)
    if rc != 0:
        problems.append("%s: ntx info: exit %d: %s" % (label, rc, err.strip()[-300:]))
        return
    if "container:        %s" % C.FORMAT_NAMES[fmt] not in out:
        problems.append("%s: ntx info does not name the container: %r" % (label, out[:300]))
    if where and "partition:        %s partition 1" % where.upper() not in out:
        problems.append("%s: ntx info does not name the partition: %r" % (label, out[:400]))
    rc, listing, err = T.run(ntx, "ls", "-r", "-a", "--json", path, ok=None)
    with open(ref + ".ls", encoding="utf-8", errors="surrogateescape") as f:
        want = f.read()
    if listing != want:
        a, b = listing.splitlines(), want.splitlines()
        diff = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        problems.append("%s: ls -r -a --json differs from the raw image's at line %d "
                        "(exit %d, %d lines, %d expected): %r" % (
                            label, diff + 1, rc, len(a), len(b), a[diff][:200] if diff < len(a) else err))
    with open(ref + ".items", encoding="utf-8", errors="surrogateescape") as f:
        items = f.read().split()
    dump = os.path.join(os.path.dirname(path), "dump.bin")
    with open(dump, "wb") as f:
        p = subprocess.run([ntx, "cat", path] + [a for x in items for a in ("-i", x)],
                           stdout=f, stderr=subprocess.PIPE)
    if p.returncode != 0:
        problems.append("%s: ntx cat of %d streams: exit %d: %s" % (
            label, len(items), p.returncode, p.stderr.decode("utf-8", "replace")[-300:]))
    elif not C.same_bytes(dump, ref + ".dump"):
        problems.append("%s: the %d streams differ from the raw image's" % (label, len(items)))
    os.unlink(dump)
    with open(ref + ".bad", encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            item, want_rc = line.rstrip("\n").split("\t")
            rc = subprocess.run([ntx, "cat", path, "-i", item], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL).returncode
            if rc != int(want_rc):
                problems.append("%s: cat -i %s: exit %d, the raw image gives %s" % (
                    label, item, rc, want_rc))


def main():
    ntx, fixtures, images, rest = T.args()
    fmt = rest[0]
    if fmt not in C.FORMAT_NAMES:
        raise T.Failure("unknown format %s" % fmt)
    C.need(*TOOLS.get(fmt, ["qemu-img"]))
    ref_dir = C.ref_dir(images)
    if not os.path.exists(os.path.join(ref_dir, "sample.ls")):
        raise T.Failure("no references in %s: run cli.containers.ref first" % ref_dir)
    work = os.path.join(images, "containers", fmt)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    problems = []
    t0 = time.time()
    checked = 0
    for k, name in enumerate(T.FIXTURES):
        if name in HEAVY and fmt not in HEAVY[name]:
            continue
        raw = T.image(images, name)
        ref = os.path.join(ref_dir, name)
        # the partition table is the same for every volume: three fixtures
        # (512-byte and 4 KiB sectors) carry it, keeping the test short
        layouts = [None] + (["gpt" if k % 2 or fmt == "vmdk-extents" else "mbr"]
                            if name in PARTITIONED else [])
        for where in layouts:
            d = os.path.join(work, "%s-%s" % (name, where or "bare"))
            os.makedirs(d)
            disk = raw
            if where:
                disk = os.path.join(d, "disk.raw")
                if fmt == "vmdk-extents":  # the volume across the first 2 GiB extent's end
                    start = ((2 << 30) - os.path.getsize(raw) // 2) // 512 // 2048 * 2048
                    C.gpt_disk(disk, raw, start_lba=start)
                elif where == "gpt":
                    C.gpt_disk(disk, raw)
                else:
                    C.mbr_disk(disk, raw)
            path = C.convert(fmt, disk, d, "img")
            if disk != raw:
                os.unlink(disk)
            before = files_state(d)
            check_image(ntx, path, fmt, name, ref, where, problems)
            if files_state(d) != before:
                problems.append("%s %s: the container's files changed" % (fmt, name))
            checked += 1
    print("%s: %d images (fixtures bare, %d of them partitioned) read as the raw ones, %.1f s"
          % (fmt, checked, len(PARTITIONED), time.time() - t0))
    if not problems:
        shutil.rmtree(work, ignore_errors=True)
    return T.finish(problems, "differences with the raw images", 40)


if __name__ == "__main__":
    T.main(main)
