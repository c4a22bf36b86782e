"""Helpers of the container tests (check_containers.py, check_container_ref.py):
the fixtures converted by the real tools into every container ntx reads, and
what ntx shows of a raw fixture, to compare the containers with.

The reference of a fixture (made once by check_container_ref.py, from the
raw image, whose listing and streams cli.manifest checks against ntfs-3g):
  REF/NAME.ls     `ntx ls -r -a --json` output
  REF/NAME.items  the streams as `-i MFT[:STREAM]` arguments, one a line
  REF/NAME.dump   `ntx cat -i ...` of those streams into a file (holes kept)
  REF/NAME.bad    streams ntx cannot read on the raw image (EFS, ...): their
                  exit code must be the same through every container
"""
import os
import shutil
import struct
import subprocess
import uuid
import zlib

import clitest as T

SECTOR = 512
BASIC_DATA = uuid.UUID("EBD0A0A2-B9E5-4433-87C0-68B6B72699C7").bytes_le


def ref_dir(images):
    return os.path.join(images, "container-ref")


def run_tool(argv, **kw):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    if p.returncode != 0:
        raise T.Failure("%s: exit %d: %s" % (" ".join(argv), p.returncode,
                                             p.stderr.decode("utf-8", "replace")[-800:]))
    return p


def need(*tools):
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        print("SKIP: %s not installed (Debian packages qemu-utils, ewf-tools, coreutils)"
              % ", ".join(missing))
        raise SystemExit(T.SKIP)


# ---- disks with partition tables around a volume ----

def _mbr_entry(ptype, lba, count):
    return struct.pack("<B3sB3sII", 0, b"\0\0\0", ptype, b"\0\0\0", lba, count)


def _mbr(entries):
    s = bytearray(SECTOR)
    for i, e in enumerate(entries):
        s[446 + 16 * i:462 + 16 * i] = e
    s[510:512] = b"\x55\xaa"
    return bytes(s)


def _copy_into(dst, off, src):
    with open(src, "rb") as i:
        dst.seek(off)
        shutil.copyfileobj(i, dst, 8 << 20)


def mbr_disk(path, volume, start_lba=2048):
    """One MBR primary partition (type 0x07) at start_lba holding volume."""
    n = os.path.getsize(volume) // SECTOR
    total = start_lba + n + 2048
    with open(path, "wb") as f:
        f.truncate(total * SECTOR)
        f.write(_mbr([_mbr_entry(0x07, start_lba, n)]))
        _copy_into(f, start_lba * SECTOR, volume)
    return start_lba * SECTOR


def gpt_disk(path, volume, start_lba=2048, tail_lbas=2048):
    """One GPT basic data partition at start_lba holding volume (primary and
    backup headers with their CRC-32s, as the UEFI specification lays them out)."""
    n = os.path.getsize(volume) // SECTOR
    total = start_lba + n + tail_lbas + 34
    entries = bytearray(128 * 128)
    e = BASIC_DATA + uuid.UUID(int=1).bytes_le + struct.pack("<QQQ", start_lba,
                                                             start_lba + n - 1, 0)
    e += "ntx test".encode("utf-16-le").ljust(72, b"\0")
    entries[0:128] = e
    ecrc = zlib.crc32(entries) & 0xFFFFFFFF

    def header(cur, backup, elba):
        h = bytearray(struct.pack("<8sIIIIQQQQ16sQIII", b"EFI PART", 0x00010000, 92, 0, 0, cur,
                                  backup, 34, total - 34, uuid.UUID(int=7).bytes_le, elba, 128,
                                  128, ecrc))
        struct.pack_into("<I", h, 16, zlib.crc32(h) & 0xFFFFFFFF)
        return bytes(h).ljust(SECTOR, b"\0")

    with open(path, "wb") as f:
        f.truncate(total * SECTOR)
        f.write(_mbr([_mbr_entry(0xEE, 1, min(total - 1, 0xFFFFFFFF))]))
        f.seek(SECTOR)
        f.write(header(1, total - 1, 2))
        f.write(entries)
        f.seek((total - 33) * SECTOR)
        f.write(entries)
        f.seek((total - 1) * SECTOR)
        f.write(header(total - 1, 1, total - 33))
        _copy_into(f, start_lba * SECTOR, volume)
    return start_lba * SECTOR


# ---- a differencing VHD, written by hand over a dynamic VHD qemu-img made ----

def _vhd_checksum(b, at):
    s = sum(b[:at]) + sum(b[at + 4:])
    return (~s) & 0xFFFFFFFF


def vhd_make_differencing(child, parent):
    """Turn the dynamic VHD `child` into a differencing image of `parent`
    (also a dynamic VHD): disk type 4 in both footer copies, the parent's
    identifier and name in the dynamic disk header, checksums redone (the
    layout of the VHD specification: footer at 0 and at the end, dynamic
    header at the footer's next offset). Blocks the child does not hold
    (block table entry 0xFFFFFFFF) are then read from the parent."""
    with open(parent, "rb") as f:
        pfoot = f.read(512)
    pid = pfoot[68:84]
    with open(child, "r+b") as f:
        size = os.fstat(f.fileno()).st_size
        foot = bytearray(f.read(512))
        if foot[:8] != b"conectix":
            raise T.Failure("%s: no VHD footer copy at 0" % child)
        struct.pack_into(">I", foot, 60, 4)
        struct.pack_into(">I", foot, 64, _vhd_checksum(foot, 64))
        f.seek(0)
        f.write(foot)
        f.seek(size - 512)
        f.write(foot)
        dyn_off = struct.unpack_from(">Q", foot, 16)[0]
        f.seek(dyn_off)
        dyn = bytearray(f.read(1024))
        if dyn[:8] != b"cxsparse":
            raise T.Failure("%s: no dynamic disk header" % child)
        dyn[40:56] = pid
        struct.pack_into(">I", dyn, 56, struct.unpack_from(">I", pfoot, 24)[0])
        name = os.path.basename(parent).encode("utf-16-be")
        dyn[64:576] = name.ljust(512, b"\0")
        struct.pack_into(">I", dyn, 36, _vhd_checksum(dyn, 36))
        f.seek(dyn_off)
        f.write(dyn)


# ---- the conversions ----

def zeroed_copy(src, dst, start, end):
    """src with bytes [start, end) made zero (holes)."""
    shutil.copyfile(src, dst)
    with open(dst, "r+b") as f:
        f.seek(start)
        left = end - start
        zero = bytes(1 << 20)
        while left > 0:
            n = min(left, len(zero))
            f.write(zero[:n])
            left -= n


def convert(fmt, disk, out_dir, name):
    """Convert the raw disk into container fmt in out_dir; returns the path
    to give ntx (the first segment, the descriptor, the child)."""
    base = os.path.join(out_dir, name)
    size = os.path.getsize(disk)
    if fmt == "split-num":
        seg = max(1 << 20, (size // 4 + (1 << 20) - 1) & ~((1 << 20) - 1))
        run_tool(["split", "-b", str(seg), "-d", "-a", "3", "--numeric-suffixes=1", disk,
                  base + "."])
        return base + ".001"
    if fmt == "split-alpha":
        seg = max(1 << 20, (size // 3 + (1 << 20) - 1) & ~((1 << 20) - 1))
        run_tool(["split", "-b", str(seg), disk, base + "."])
        return base + ".aa"
    if fmt == "e01":
        with open(disk, "rb") as i:
            run_tool(["ewfacquirestream", "-q", "-c", "deflate:fast", "-t", base], stdin=i)
        return base + ".E01"
    if fmt == "e01-segments":
        seg = max(1 << 20, size // 4)
        with open(disk, "rb") as i:
            run_tool(["ewfacquirestream", "-q", "-c", "none", "-S", str(seg), "-t", base],
                     stdin=i)
        return base + ".E01"
    if fmt in ("vhd", "vhdx", "qcow2", "vmdk"):
        qfmt = {"vhd": "vpc"}.get(fmt, fmt)
        run_tool(["qemu-img", "convert", "-O", qfmt, disk, base + "." + fmt])
        return base + "." + fmt
    if fmt == "vhd-fixed":
        run_tool(["qemu-img", "convert", "-O", "vpc", "-o", "subformat=fixed", disk,
                  base + ".vhd"])
        return base + ".vhd"
    if fmt == "vmdk-extents":
        run_tool(["qemu-img", "convert", "-O", "vmdk", "-o", "subformat=twoGbMaxExtentSparse",
                  disk, base + ".vmdk"])
        return base + ".vmdk"
    if fmt in ("vhd-diff", "qcow2-backing", "vmdk-snapshot"):
        # the parent lacks the disk's first half, the child holds what
        # differs from the parent: reading the child needs both
        half = (size // 2) & ~((2 << 20) - 1)
        parent_raw = base + ".parent-raw"
        zeroed_copy(disk, parent_raw, 0, half)
        if fmt == "vhd-diff":
            child_raw = base + ".child-raw"
            zeroed_copy(disk, child_raw, half, size)
            run_tool(["qemu-img", "convert", "-O", "vpc", parent_raw, base + "-parent.vhd"])
            run_tool(["qemu-img", "convert", "-O", "vpc", child_raw, base + ".vhd"])
            os.unlink(child_raw)
            vhd_make_differencing(base + ".vhd", base + "-parent.vhd")
            out = base + ".vhd"
        elif fmt == "qcow2-backing":
            # the child: the disk without its second half, whose unallocated
            # clusters then point at the parent (rebase -u only records it)
            child_raw = base + ".child-raw"
            zeroed_copy(disk, child_raw, half, size)
            run_tool(["qemu-img", "convert", "-O", "qcow2", parent_raw, base + "-parent.qcow2"])
            run_tool(["qemu-img", "convert", "-O", "qcow2", child_raw, base + ".qcow2"])
            os.unlink(child_raw)
            run_tool(["qemu-img", "rebase", "-u", "-b", "img-parent.qcow2", "-F", "qcow2",
                      base + ".qcow2"], cwd=out_dir)
            out = base + ".qcow2"
        else:
            # a snapshot made empty over the parent, then the first half's
            # non-zero 64 KiB pieces written into it with qemu-io
            run_tool(["qemu-img", "convert", "-O", "vmdk", parent_raw, base + "-parent.vmdk"])
            run_tool(["qemu-img", "create", "-q", "-f", "vmdk", "-b", "img-parent.vmdk", "-F",
                      "vmdk", base + ".vmdk"], cwd=out_dir)
            cmds, pieces = [], []
            with open(disk, "rb") as f:
                for off in range(0, half, 65536):
                    piece = f.read(65536)
                    if piece.count(0) == len(piece):
                        continue
                    name = "%s.piece%d" % (base, off // 65536)
                    with open(name, "wb") as p:
                        p.write(piece)
                    pieces.append(name)
                    cmds += ["-c", "write -q -s %s %d %d" % (name, off, len(piece))]
            if cmds:
                run_tool(["qemu-io", "-f", "vmdk"] + cmds + [base + ".vmdk"])
            for name in pieces:
                os.unlink(name)
            out = base + ".vmdk"
        os.unlink(parent_raw)
        return out
    raise T.Failure("unknown container format %s" % fmt)


FORMAT_NAMES = {  # what `ntx info` says for each
    "split-num": "split raw", "split-alpha": "split raw", "e01": "E01", "e01-segments": "E01",
    "vhd": "VHD", "vhd-fixed": "VHD", "vhd-diff": "VHD", "vhdx": "VHDX", "vmdk": "VMDK",
    "vmdk-extents": "VMDK", "vmdk-snapshot": "VMDK", "qcow2": "qcow2", "qcow2-backing": "qcow2",
}


# ---- holes-aware comparison of two dumps ----

def data_extents(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        size, off, ext = os.fstat(fd).st_size, 0, []
        while off < size:  # bound: off grows to the next hole each time
            try:
                d = os.lseek(fd, off, os.SEEK_DATA)
            except OSError:
                break
            off = os.lseek(fd, d, os.SEEK_HOLE)
            ext.append((d, off))
        return ext
    finally:
        os.close(fd)


def same_bytes(a, b):
    """Do files a and b hold the same bytes? Only where either holds data is
    read: elsewhere both are holes, so zeros."""
    if os.path.getsize(a) != os.path.getsize(b):
        return False
    spans = sorted(data_extents(a) + data_extents(b))
    with open(a, "rb") as fa, open(b, "rb") as fb:
        for lo, hi in spans:
            pos = lo
            while pos < hi:  # bound: pos grows by up to 8 MiB each pass
                n = min(8 << 20, hi - pos)
                fa.seek(pos)
                fb.seek(pos)
                if fa.read(n) != fb.read(n):
                    return False
                pos += n
    return True
