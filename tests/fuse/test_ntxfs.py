#!/usr/bin/env python3
"""Real mounts of ntxfs, checked against the fixture manifests and against
ntfs-3g -o ro mounting the same image side by side.

usage: test_ntxfs.py --ntxfs PATH --fixtures DIR [--ntx PATH] [--realworld DIR]
                     [--work DIR] CASE

CASE is one of:
  fixture:NAME      mount NAME.img.gz with ntxfs and ntfs-3g; walk both with
                    ordinary file-system calls; compare with the manifest
                    (paths, types, MFT numbers, sizes, link counts, SHA-256
                    of every file and stream, link targets, raw reparse data,
                    DOS names, cluster counts) and with ntfs-3g (readdir
                    order, lstat fields, readlink, xattrs, statfs); the
                    streams through both interfaces; the image's bytes are
                    unchanged afterwards
  bad:missing       a missing image
  bad:not-ntfs      an image that is no NTFS volume and has no partition table
  bad:mountpoint    a mount point that does not exist, and one that is a file
  bad:write-option  -o rw is refused
  partitions        MBR and GPT disk images: the only NTFS partition is found,
                    several need -o partition=N, -o offset= works
  special           a volume built here (mkntfs, ntfs-3g): reparse points with
                    missing, mapped, chained and odd targets; Interix and WSL
                    FIFOs, sockets and devices; hide_hid_files; side by side
  options           uid=, gid=, umask=, fmask=, dmask=, ignore_case, hide_hid_files,
                    FILE: in the windows stream interface, timeout=0
  concurrency       many threads read and list at once (multi-threaded loop)
  wof               the WOF fixture (wof.img.gz): every WOF-compressed file
                    (XPRESS 4K/8K/16K, LZX, the file over 4 GiB) a regular
                    file with the manifest's size and SHA-256; O_DIRECT
                    reads at unaligned offsets and lengths, across chunk
                    boundaries, past the end, interleaved between files and
                    from threads, against the bytes verified by the
                    manifest; the file over 4 GiB read where its marked
                    chunks are (fixtures/wofpack.py built them); data kept
                    elsewhere (WIM, deduplication, cloud, HSM) a regular file
                    whose read fails with EIO, logged, never zeros; st_blocks
                    from WofCompressedData; streams and xattrs against the
                    manifest, and side by side with ntfs-3g -o ro
  seekdir           telldir/seekdir in the 5,000-entry directory
  container:NAME    NAME converted by the real tools into its container
                    formats (CONTAINER_FORMATS; sample also inside MBR and
                    GPT disks): the same paths and lstat fields as the raw
                    image mounted by ntxfs, and the manifest's SHA-256 for
                    every stream, read through the image library
  vss               the Windows 10 disk's two shadow copy stores with
                    -o vss=1 and -o vss=2 against vshadowmount + ntfs-3g (the
                    same tree, sizes and contents; shadow_N.txt in store N),
                    and fuse/ntxfs-vss mounting them all (needs --ntx and
                    --realworld holding win10-20h1.tgz: exit 77 without it)
  image_errors      images neither ntx nor ntxfs can read (empty, truncated,
                    BitLocker, FAT32, gzip, damaged VHDX, qcow2 and E01, a
                    split set missing a segment, -o vss= and partition= that
                    name nothing): ntxfs refuses each before mounting with one
                    line, the sentence `ntx info` prints (needs --ntx)

Exit status 0 = pass, 1 = fail, 77 = skipped (not root, no /dev/fuse, or
a tool or disk a case needs is missing).
Every mount is unmounted at the end, also when a check fails or the test is
interrupted (an alarm fires before ctest's timeout would kill the runner).
"""
import argparse
import ctypes
import errno
import gzip
import hashlib
import os
import re
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib

SKIP = 77
MANIFEST_MNT = "/tmp/ntx-fixture-ro"
SYS_XATTRS = [
    "system.ntfs_attrib", "system.ntfs_attrib_be", "system.ntfs_times",
    "system.ntfs_times_be", "system.ntfs_crtime", "system.ntfs_crtime_be",
    "system.ntfs_reparse_data", "system.ntfs_dos_name", "system.ntfs_object_id",
    "system.ntfs_ea",
]


class Fail(Exception):
    pass


class Checker:
    """Collects mismatches; a case fails if any were recorded."""

    def __init__(self, name):
        self.name = name
        self.errors = []
        self.checks = 0

    def eq(self, what, got, want):
        self.checks += 1
        if got != want:
            g, w = repr(got), repr(want)
            if len(g) + len(w) > 400:
                g, w = g[:190] + "...", w[:190] + "..."
            self.errors.append(f"{what}: got {g}, want {w}")

    def true(self, what, cond):
        self.checks += 1
        if not cond:
            self.errors.append(what)

    def done(self):
        if self.errors:
            for e in self.errors[:60]:
                print("  MISMATCH", e)
            if len(self.errors) > 60:
                print(f"  ... and {len(self.errors) - 60} more")
            raise Fail(f"{self.name}: {len(self.errors)} mismatches in {self.checks} checks")
        print(f"  {self.name}: {self.checks} checks passed")


def mounted(path):
    path = os.path.realpath(path)
    with open("/proc/self/mountinfo") as f:
        for line in f:
            mp = line.split()[4].replace("\\040", " ")
            if mp == path:
                return True
    return False


class Mounts:
    """Owns a temporary directory and every mount made in it."""

    def __init__(self, ntxfs):
        self.ntxfs = ntxfs
        self.dir = tempfile.mkdtemp(prefix="ntxfs-test.")
        self.procs = {}   # mount point -> Popen
        self.ours = set()  # mount points of ntxfs (whose exit status is checked)
        self.log_ok = {}   # mount point -> compiled regex of log lines expected there
        self.logs = {}     # mount point -> the log of its last ntxfs, once unmounted

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def mkdir(self, name):
        p = self.path(name)
        os.makedirs(p, exist_ok=True)
        return p

    def _wait_mounted(self, mnt, proc, log, what):
        deadline = time.time() + 20
        while time.time() < deadline:
            if mounted(mnt):
                return
            if proc.poll() is not None:
                raise Fail(f"{what} exited with {proc.returncode}: {open(log).read().strip()}")
            time.sleep(0.02)
        raise Fail(f"{what}: not mounted after 20 s")

    def mount_ntxfs(self, image, mnt, *opts):
        log = mnt + ".log"
        cmd = [self.ntxfs, image, mnt, "-f"]
        for o in opts:
            cmd += ["-o", o]
        proc = subprocess.Popen(cmd, stdout=open(log, "w"), stderr=subprocess.STDOUT)
        self.procs[mnt] = proc
        self.ours.add(mnt)
        self._wait_mounted(mnt, proc, log, " ".join(cmd))

    def mount_ntfs3g(self, image, mnt, opts="ro"):
        log = mnt + ".log"
        cmd = ["ntfs-3g", "-o", opts + ",no_detach", image, mnt]
        proc = subprocess.Popen(cmd, stdout=open(log, "w"), stderr=subprocess.STDOUT)
        self.procs[mnt] = proc
        self._wait_mounted(mnt, proc, log, " ".join(cmd))

    def umount(self, mnt):
        if mounted(mnt):
            r = subprocess.run(["fusermount3", "-u", mnt], capture_output=True)
            if r.returncode != 0:
                subprocess.run(["umount", "-l", mnt], capture_output=True)
        proc = self.procs.pop(mnt, None)
        if proc is not None:
            try:
                rc = proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                rc = proc.wait()
                raise Fail(f"{mnt}: the file system process did not exit after unmount")
            if mnt in self.ours:
                self.ours.discard(mnt)
                log = open(mnt + ".log", errors="replace").read()
                self.logs[mnt] = log
                ok = self.log_ok.pop(mnt, None)
                if ok is not None:  # lines the case expects (and checks itself)
                    log = "\n".join(x for x in log.splitlines() if not ok.fullmatch(x))
                # a clean exit, and nothing on stderr (sanitizer reports, core errors)
                if rc != 0 or log.strip():
                    raise Fail(f"ntxfs on {mnt} exited with {rc}: {log.strip()[:3000]}")
            return rc
        return 0

    def close(self):
        for mnt in list(self.procs):
            try:
                self.umount(mnt)
            except Exception as e:  # keep cleaning up
                print(f"  cleanup: {mnt}: {e}")
        for mnt in list(self.procs):
            self.procs[mnt].kill()
        # never remove a directory that is still a mount point
        stale = [d for d in os.listdir(self.dir) if mounted(self.path(d))]
        if stale:
            print(f"  cleanup: still mounted: {stale}; keeping {self.dir}")
            return
        shutil.rmtree(self.dir, ignore_errors=True)


def sha256_file(path, bufsize=1 << 20):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(bufsize)
            if not b:
                break
            h.update(b)
    return h.hexdigest()


def gunzip(src, dst):
    with gzip.open(src, "rb") as i, open(dst, "wb") as o:
        shutil.copyfileobj(i, o, 1 << 20)


def load_manifest(path):
    m = {"rows": {}, "reparse": {}, "dos_name": {}, "meta": {}}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("# reparse\t"):
                _, p, hexdata = line.split("\t")
                m["reparse"][p] = hexdata
            elif line.startswith("# dos_name\t"):
                _, p, name = line.split("\t")
                m["dos_name"][p] = name
            elif line.startswith("# ") and ": " in line:
                k, v = line[2:].split(": ", 1)
                m["meta"][k] = v
            elif line and not line.startswith("#"):
                t, mft, size, nlink, sha, target, p = line.split("\t")
                m["rows"][p] = (t, int(mft), int(size), int(nlink), sha, target)
    return m


def walk(root):
    """Every path under root (as '/'-rooted names) in readdir order, with lstat."""
    out = {}
    order = {}
    stack = ["/"]
    while stack:
        rel = stack.pop()
        full = root + rel if rel != "/" else root
        st = os.lstat(full)
        out[rel] = st
        if stat.S_ISDIR(st.st_mode):
            names = os.listdir(full)
            order[rel] = names
            for n in reversed(names):
                stack.append((rel.rstrip("/") + "/" + n))
    return out, order


def xattr_or_errno(path, name):
    try:
        return os.getxattr(path, name, follow_symlinks=False)
    except OSError as e:
        return errno.errorcode.get(e.errno, e.errno)


def statfs_tuple(path):
    s = os.statvfs(path)
    return (s.f_bsize, s.f_frsize, s.f_blocks, s.f_bfree, s.f_bavail, s.f_files, s.f_ffree,
            s.f_namemax)


def compare_mounts(c, mx, m3, sx, s3, deliberate=None, ntfs3g_eio=()):
    """Side by side: the lstat fields both define, readlink, xattrs.
    deliberate: path -> stat fields that differ on purpose; ntfs3g_eio: paths
    whose system.ntfs_reparse_data ntfs-3g fails to read (EIO)."""
    deliberate = deliberate or {}
    for p in sorted(set(sx) & set(s3)):
        a, b = sx[p], s3[p]
        skip = deliberate.get(p, ())
        for fld in ("st_mode", "st_ino", "st_nlink", "st_uid", "st_gid", "st_size", "st_blocks",
                    "st_rdev", "st_atime_ns", "st_mtime_ns", "st_ctime_ns"):
            if fld not in skip:
                c.eq(f"{p}: {fld} vs ntfs-3g", getattr(a, fld), getattr(b, fld))
        fx = mx + p if p != "/" else mx
        f3 = m3 + p if p != "/" else m3
        if stat.S_ISLNK(a.st_mode):
            c.eq(f"{p}: readlink vs ntfs-3g", os.readlink(fx).replace(mx, "@"),
                 os.readlink(f3).replace(m3, "@"))
        c.eq(f"{p}: listxattr vs ntfs-3g", sorted(os.listxattr(fx, follow_symlinks=False)),
             sorted(os.listxattr(f3, follow_symlinks=False)))
        for xn in SYS_XATTRS:
            want = xattr_or_errno(f3, xn)
            if p == "/" and xn == "system.ntfs_dos_name":
                want = "ENODATA"  # deliberate: ntfs-3g answers EPERM for the root
            got = xattr_or_errno(fx, xn)
            if p in ntfs3g_eio and xn == "system.ntfs_reparse_data" and want == "EIO":
                c.true(f"{p}: {xn} readable", isinstance(got, bytes) and len(got) > 8)
                continue
            c.eq(f"{p}: {xn} vs ntfs-3g", got, want)


# --------------------------------------------------------------------------
# fixture:NAME


def case_fixture(args, m, name):
    man = load_manifest(os.path.join(args.fixtures, name + ".manifest"))
    img_x = m.path(name + ".img")
    img_3 = m.path(name + "-3g.img")
    print(f"  unpacking {name}.img.gz")
    gunzip(os.path.join(args.fixtures, name + ".img.gz"), img_x)
    shutil.copyfile(img_x, img_3)
    before = sha256_file(img_x)
    mtime_before = os.stat(img_x).st_mtime_ns
    # Two mount points of the same length, so link sizes compare directly.
    mx, m3 = m.mkdir("x"), m.mkdir("3")
    m.mount_ntxfs(img_x, mx)
    m.mount_ntfs3g(img_3, m3, "ro")
    c = Checker(f"{name}: manifest and ntfs-3g")
    t0 = time.time()
    sx, ox = walk(mx)
    s3, o3 = walk(m3)

    # Paths: exactly the manifest's (which is what ntfs-3g lists).
    want_paths = {p for p, r in man["rows"].items() if r[0] != "s"}
    c.eq("set of paths (extra)", sorted(set(sx) - want_paths)[:10], [])
    c.eq("set of paths (missing)", sorted(want_paths - set(sx))[:10], [])
    # readdir: the same names as ntfs-3g. Deliberately not the same order:
    # ntxfs lists a directory in collation order (an in-order walk of the
    # B+tree, as Windows lists it); ntfs-3g lists $INDEX_ROOT's entries first,
    # then each INDX block in VCN order.
    for d, names in o3.items():
        c.eq(f"readdir {d} (as sets)", sorted(ox.get(d, [])), sorted(names))

    streams = {}
    for p, (t, mft, size, nlink, sha, target) in sorted(man["rows"].items()):
        if t == "s":
            f, sname = p.rsplit(":", 1)
            streams.setdefault(f, {})[sname] = (size, sha)
            continue
        st = sx.get(p)
        if st is None:
            continue
        full = mx + p if p != "/" else mx
        kind = {"d": stat.S_ISDIR, "f": stat.S_ISREG, "l": stat.S_ISLNK}[t]
        c.true(f"{p}: type {t}, mode {oct(st.st_mode)}", kind(st.st_mode))
        c.eq(f"{p}: st_ino", st.st_ino, mft)
        c.eq(f"{p}: st_nlink", st.st_nlink, nlink)
        if t == "l":
            got = os.readlink(full).replace(mx, MANIFEST_MNT)
            c.eq(f"{p}: readlink", got, target)
            c.eq(f"{p}: st_size (link length)", st.st_size - len(mx) + len(MANIFEST_MNT)
                 if target.startswith(MANIFEST_MNT) else st.st_size, size)
        else:
            c.eq(f"{p}: st_size", st.st_size if t == "f" else 0, size)
        if t == "f":
            c.eq(f"{p}: sha256", sha256_file(full), sha)

    compare_mounts(c, mx, m3, sx, s3)

    # Raw reparse data and DOS names: the manifest's.
    for p, hexdata in man["reparse"].items():
        c.eq(f"{p}: system.ntfs_reparse_data", xattr_or_errno(mx + p, "system.ntfs_reparse_data"),
             bytes.fromhex(hexdata))
    for p, dn in man["dos_name"].items():
        c.eq(f"{p}: system.ntfs_dos_name", xattr_or_errno(mx + p, "system.ntfs_dos_name"),
             dn.encode())

    # Streams, xattr interface (the default): names, and values up to 64 KiB.
    for f, ss in streams.items():
        names = sorted(n[5:] for n in os.listxattr(mx + f) if n.startswith("user."))
        c.eq(f"{f}: user.* streams", names, sorted(ss))
        for sname, (size, sha) in ss.items():
            if size <= 65536:
                v = os.getxattr(mx + f, "user." + sname)
                c.eq(f"{f}:{sname}: xattr sha256", hashlib.sha256(v).hexdigest(), sha)
            else:
                try:
                    os.getxattr(mx + f, "user." + sname)
                    c.true(f"{f}:{sname}: a stream over 64 KiB read as an xattr", False)
                except OSError as e:
                    c.eq(f"{f}:{sname}: getxattr of a big stream", e.errno, errno.E2BIG)

    # statfs: ntfs-3g's figures, and the manifest's cluster counts.
    c.eq("statfs vs ntfs-3g", statfs_tuple(mx), statfs_tuple(m3))
    sv = os.statvfs(mx)
    if "total_clusters" in man["meta"]:
        c.eq("statfs f_blocks", sv.f_blocks, int(man["meta"]["total_clusters"]))
        c.eq("statfs f_bfree", sv.f_bfree, int(man["meta"]["free_clusters"]))
    c.eq("statfs f_bsize", sv.f_bsize, int(man["meta"]["cluster_size"]))

    # Hidden system files: not listed, reachable by name; listed with show_sys_files.
    c.true("$MFT not listed", "$MFT" not in os.listdir(mx))
    c.true("$UpCase reachable by name", os.lstat(mx + "/$UpCase").st_size == 131072)
    c.eq("$UpCase st_ino", os.lstat(mx + "/$UpCase").st_ino, 10)
    print(f"  walked and compared in {time.time() - t0:.1f} s")

    m.umount(mx)
    m.umount(m3)

    # Streams, windows interface: FILE:NAME paths and ntfs.streams.list, both sides.
    m.mount_ntxfs(img_x, mx, "streams_interface=windows", "show_sys_files")
    m.mount_ntfs3g(img_3, m3, "ro,streams_interface=windows,show_sys_files")
    for f, ss in streams.items():
        lst = os.getxattr(mx + f, "ntfs.streams.list")
        c.eq(f"{f}: ntfs.streams.list vs ntfs-3g", lst, os.getxattr(m3 + f, "ntfs.streams.list"))
        c.eq(f"{f}: ntfs.streams.list", sorted(lst.decode().split("\0")), sorted(ss))
        for sname, (size, sha) in ss.items():
            a, b = os.lstat(f"{mx}{f}:{sname}"), os.lstat(f"{m3}{f}:{sname}")
            for fld in ("st_mode", "st_ino", "st_nlink", "st_size", "st_blocks", "st_mtime_ns"):
                c.eq(f"{f}:{sname}: {fld} vs ntfs-3g", getattr(a, fld), getattr(b, fld))
            c.eq(f"{f}:{sname}: size", a.st_size, size)
            c.eq(f"{f}:{sname}: sha256", sha256_file(f"{mx}{f}:{sname}"), sha)
    c.true("missing stream: ENOENT", not os.path.exists(mx + "/hello.txt:no-such-stream"))
    # show_sys_files lists records 0-15 as ntfs-3g does. ($MFT is in the
    # listing too, but has inode 0, and glibc's readdir skips such entries.)
    listed = set(os.listdir(mx))
    for n in ("$MFTMirr", "$Bitmap", "$UpCase", "$Extend", "$Volume"):
        c.true(f"show_sys_files lists {n}", n in listed)
    c.eq("show_sys_files vs ntfs-3g", sorted(listed), sorted(os.listdir(m3)))
    c.eq("$MFT by name: st_ino", os.lstat(mx + "/$MFT").st_ino, 0)
    c.eq("$MFT by name vs ntfs-3g: st_size", os.lstat(mx + "/$MFT").st_size,
         os.lstat(m3 + "/$MFT").st_size)
    m.umount(mx)
    m.umount(m3)

    # The image is unchanged after mounting and reading everything.
    c.eq("image sha256 after the mounts", sha256_file(img_x), before)
    c.eq("image mtime after the mounts", os.stat(img_x).st_mtime_ns, mtime_before)
    c.done()


# --------------------------------------------------------------------------
# special: link targets and special files the fixtures do not have


def reparse_symlink(subst, flags, tag=0xA000000C):
    sb = subst.encode("utf-16-le")
    pb = subst.replace("\\??\\", "").encode("utf-16-le")
    data = (0).to_bytes(2, "little") + len(sb).to_bytes(2, "little") + \
        len(sb).to_bytes(2, "little") + len(pb).to_bytes(2, "little")
    if tag == 0xA000000C:
        data += flags.to_bytes(4, "little")
    data += sb + pb
    return tag.to_bytes(4, "little") + len(data).to_bytes(2, "little") + bytes(2) + data


def case_special(args, m):
    """Builds a volume with mkntfs and a read-write ntfs-3g mount: reparse
    points whose targets are missing, on another drive, a volume, chained or
    odd; Interix and WSL FIFOs, sockets and devices; a HIDDEN directory. Then
    ntxfs and ntfs-3g -o ro show it side by side."""
    c = Checker("special")
    if shutil.which("mkntfs") is None:
        raise Fail("mkntfs is not installed (Debian: ntfs-3g)")
    img = m.path("special.img")
    with open(img, "wb") as f:
        f.truncate(16 << 20)
    subprocess.run(["mkntfs", "-F", "-Q", "-q", "-L", "special", img], check=True,
                   capture_output=True)
    rw = m.mkdir("rw")
    m.mount_ntfs3g(img, rw, "rw,special_files=wsl")
    os.mknod(rw + "/wsl-fifo", stat.S_IFIFO | 0o644)
    os.mknod(rw + "/wsl-chr", stat.S_IFCHR | 0o644, os.makedev(1, 5))
    os.mknod(rw + "/wsl-sock", stat.S_IFSOCK | 0o644)
    os.symlink("some/where", rw + "/wsl-link")
    m.umount(rw)
    m.mount_ntfs3g(img, rw, "rw")
    os.mknod(rw + "/intx-fifo", stat.S_IFIFO | 0o644)
    os.mknod(rw + "/intx-blk", stat.S_IFBLK | 0o644, os.makedev(8, 1))
    os.mknod(rw + "/intx-sock", stat.S_IFSOCK | 0o644)
    os.symlink("back\\slash", rw + "/intx-backslash")
    os.makedirs(rw + "/dir/sub")
    os.makedirs(rw + "/Mixed")
    with open(rw + "/dir/file.txt", "w") as f:
        f.write("file\n")
    os.makedirs(rw + "/.NTFS-3G")
    open(rw + "/.NTFS-3G/E:", "w").close()  # ntfs-3g's redirection of drive E:
    with open(rw + "/streams.bin", "w") as f:
        f.write("x")
    mid, full = os.urandom(20000), os.urandom(65536)
    os.setxattr(rw + "/streams.bin", "user.mid", mid)     # a stream over 16 KiB
    os.setxattr(rw + "/streams.bin", "user.full", full)   # exactly the xattr limit
    os.makedirs(rw + "/hidden-dir")
    os.setxattr(rw + "/hidden-dir", "system.ntfs_attrib_be", (0x12).to_bytes(4, "big"))
    links = {  # name: (is a directory, substitute name, flags, tag)
        "rel-ok": (False, "dir\\FILE.TXT", 1, None),
        "rel-dot": (False, ".\\dir\\file.txt", 1, None),
        "rel-dangling": (False, "..\\nope", 1, None),
        "rel-kind": (False, "dir", 1, None),
        "rel-chain": (False, "rel-ok\\x", 1, None),
        "rel-noflag": (False, "dir\\file.txt", 0, None),
        "rel-onechar": (False, "dir\\x", 1, None),
        "abs-missing": (False, "\\??\\C:\\missing\\x", 0, None),
        "abs-found-dir": (True, "\\??\\c:\\MIXED", 0, None),
        "abs-kind": (True, "\\??\\C:\\dir\\file.txt", 0, None),
        "abs-root-flag1": (False, "\\dir\\file.txt", 1, None),
        "abs-drive-flag1": (False, "C:\\dir\\file.txt", 1, None),
        "abs-drive-mapped": (False, "\\??\\E:\\dir\\file.txt", 0, None),
        "junction-found": (True, "\\??\\C:\\dir\\sub\\", 0, 0xA0000003),
        "junction-missing": (True, "\\??\\D:\\gone", 0, 0xA0000003),
        "junction-volume": (True, "\\??\\Volume{01234567-89ab-cdef-0123-456789abcdef}\\", 0,
                            0xA0000003),
    }
    for name, (is_dir, subst, flags, tag) in links.items():
        p = rw + "/" + name
        if is_dir:
            os.mkdir(p)
        else:
            open(p, "w").close()
        os.setxattr(p, "system.ntfs_reparse_data", reparse_symlink(subst, flags, tag or 0xA000000C))
    # a tag neither ntfs-3g nor ntx reads (an app execution alias; WOF's
    # 0x80000017, which stood here before, is read by ntx)
    p = rw + "/odd-tag"
    open(p, "w").close()
    os.setxattr(p, "system.ntfs_reparse_data",
                (0x8000001B).to_bytes(4, "little") + (8).to_bytes(2, "little") + bytes(2) +
                b"12345678")
    m.umount(rw)

    mx, m3 = m.mkdir("x"), m.mkdir("3")
    for opts in ("", "hide_hid_files"):
        m.mount_ntxfs(img, mx, *([opts] if opts else []))
        m.mount_ntfs3g(img, m3, "ro" + ("," + opts if opts else ""))
        sx, _ = walk(mx)
        s3, _ = walk(m3)
        c.eq(f"[{opts}] paths vs ntfs-3g", sorted(sx), sorted(s3))
        # WSL special files: deliberately the file mask (ntfs-3g: mode 0)
        wsl = {p: ("st_mode",) for p in ("/wsl-fifo", "/wsl-chr", "/wsl-sock")}
        compare_mounts(c, mx, m3, sx, s3, wsl, {"/junction-volume"})
        for p in wsl:
            c.eq(f"{p}: type vs ntfs-3g", stat.S_IFMT(sx[p].st_mode), stat.S_IFMT(s3[p].st_mode))
        for n, v in (("mid", mid), ("full", full)):
            c.eq(f"[{opts}] user.{n} ({len(v)} bytes)",
                 hashlib.sha256(os.getxattr(mx + "/streams.bin", "user." + n)).hexdigest(),
                 hashlib.sha256(v).hexdigest())
        if not opts:
            c.eq("the links read", {n: os.readlink(mx + "/" + n).replace(mx, "@")
                                    for n in links if os.path.islink(mx + "/" + n)},
                 {n: os.readlink(m3 + "/" + n).replace(m3, "@")
                  for n in links if os.path.islink(m3 + "/" + n)})
            print("  links:", ", ".join(f"{n} -> {os.readlink(mx + '/' + n).replace(mx, '@')}"
                                        for n in sorted(links)))
        else:
            c.true("hide_hid_files hides hidden-dir", "hidden-dir" not in os.listdir(mx))
            c.true("hide_hid_files: hidden-dir reachable by name",
                   os.path.isdir(mx + "/hidden-dir"))
        m.umount(mx)
        m.umount(m3)
    c.done()


# --------------------------------------------------------------------------
# bad inputs


def run_ntxfs(args, *argv, timeout=20):
    return subprocess.run([args.ntxfs, *argv], capture_output=True, text=True, timeout=timeout)


def expect_refusal(args, m, c, what, argv, mnt, needle):
    r = run_ntxfs(args, *argv)
    msg = (r.stdout + r.stderr).strip()
    print(f"  {what}: exit {r.returncode}: {msg}")
    c.true(f"{what}: non-zero exit", r.returncode != 0)
    c.true(f"{what}: message mentions {needle!r}: {msg!r}", needle in msg)
    if mnt is not None:
        c.true(f"{what}: nothing mounted on {mnt}", not mounted(mnt))


def case_bad(args, m, which):
    c = Checker("bad:" + which)
    mnt = m.mkdir("mnt")
    img = m.path("sample.img")
    gunzip(os.path.join(args.fixtures, "sample.img.gz"), img)
    if which == "missing":
        expect_refusal(args, m, c, "missing image", [m.path("no-such.img"), mnt], mnt,
                       "no-such.img")
        expect_refusal(args, m, c, "image is a directory", [m.dir, mnt], mnt,
                       "is a directory, not an image")
    elif which == "not-ntfs":
        junk = m.path("junk.img")
        with open(junk, "wb") as f:
            f.write(os.urandom(1 << 20))
        expect_refusal(args, m, c, "random bytes", [junk, mnt], mnt, "no NTFS volume and no partition table")
        zeros = m.path("zeros.img")
        with open(zeros, "wb") as f:
            f.truncate(4 << 20)
        expect_refusal(args, m, c, "zeros", [zeros, mnt], mnt, "zeros only")
        tiny = m.path("tiny.img")
        with open(tiny, "wb") as f:
            f.write(b"x" * 100)
        expect_refusal(args, m, c, "100 bytes", [tiny, mnt], mnt, "past the end of the image (100 bytes)")
        # a damaged boot sector (and its backup) in a real image
        bad = m.path("bad.img")
        shutil.copyfile(img, bad)
        size = os.path.getsize(bad)
        with open(bad, "r+b") as f:
            f.seek(3)
            f.write(b"XXXXXXXX")
            f.seek(size - 512 + 3)
            f.write(b"XXXXXXXX")
        expect_refusal(args, m, c, "boot sectors damaged", [bad, mnt], mnt, "no NTFS boot sector")
        expect_refusal(args, m, c, "offset past a volume", [img, mnt, "-o", "offset=1048576"],
                       mnt, "no NTFS volume at offset")
        cut = m.path("cut.img")
        shutil.copyfile(img, cut)
        with open(cut, "r+b") as f:
            f.truncate(os.path.getsize(img) * 6 // 10)
        expect_refusal(args, m, c, "a volume cut short", [cut, mnt], mnt, "truncated")
    elif which == "mountpoint":
        expect_refusal(args, m, c, "missing mount point", [img, m.path("no-such-dir")], None,
                       "bad mount point")
        afile = m.path("a-file")
        open(afile, "w").close()
        expect_refusal(args, m, c, "mount point is a file", [img, afile], afile,
                       "bad mount point")
        expect_refusal(args, m, c, "no mount point", [img], None, "usage")
    elif which == "write-option":
        expect_refusal(args, m, c, "-o rw", [img, mnt, "-o", "rw"], mnt, "read-only")
        expect_refusal(args, m, c, "-o remove_hiberfile", [img, mnt, "-o", "remove_hiberfile"],
                       mnt, "read-only")
        expect_refusal(args, m, c, "unknown option", [img, mnt, "-o", "no_such_option"], mnt,
                       "no_such_option")
        # and a good mount is read-only for the kernel too
        m.mount_ntxfs(img, mnt)
        try:
            open(mnt + "/hello.txt", "r+b")
            c.true("open for writing fails", False)
        except OSError as e:
            c.eq("open for writing", errno.errorcode[e.errno], "EROFS")
        try:
            os.mkdir(mnt + "/newdir")
            c.true("mkdir fails", False)
        except OSError as e:
            c.eq("mkdir", errno.errorcode[e.errno], "EROFS")
        try:
            os.setxattr(mnt + "/hello.txt", "user.x", b"1")
            c.true("setxattr fails", False)
        except OSError as e:
            c.eq("setxattr", errno.errorcode[e.errno], "EROFS")
        opts = [l.split()[3] for l in open("/proc/self/mounts") if l.split()[1] == mnt]
        c.true(f"kernel mount is ro: {opts}", opts and opts[0].split(",")[0] == "ro")
        m.umount(mnt)
    else:
        raise Fail("unknown case " + which)
    # --help and --version work without an image
    r = run_ntxfs(args, "--help")
    c.true("--help exits 0 and shows the options",
           r.returncode == 0 and "partition=N" in r.stdout and "streams_interface" in r.stdout)
    r = run_ntxfs(args, "--version")
    c.true("--version exits 0", r.returncode == 0 and "ntxfs" in r.stdout)
    c.done()


# --------------------------------------------------------------------------
# partitions


def mbr_entry(boot, ptype, lba, count):
    return bytes([boot, 0, 0, 0, ptype, 0, 0, 0]) + lba.to_bytes(4, "little") + \
        count.to_bytes(4, "little")


def make_mbr(path, size, parts):
    """parts: (type, start LBA, LBA count) up to 4, primary."""
    with open(path, "wb") as f:
        f.truncate(size)
        mbr = bytearray(512)
        for i, (t, lba, n) in enumerate(parts):
            mbr[446 + 16 * i:446 + 16 * (i + 1)] = mbr_entry(0, t, lba, n)
        mbr[510:512] = b"\x55\xaa"
        f.seek(0)
        f.write(mbr)


def guid(s):
    import uuid
    return uuid.UUID(s).bytes_le


BASIC_DATA = "ebd0a0a2-b9e5-4433-87c0-68b6b72699c7"
LINUX_DATA = "0fc63daf-8483-4772-8e79-3d47de6f3b2c"


def make_gpt(path, size, parts):
    """parts: (type guid, first LBA, last LBA, name)."""
    lbas = size // 512
    entries = bytearray(128 * 128)
    for i, (t, first, last, name) in enumerate(parts):
        e = guid(t) + os.urandom(16) + first.to_bytes(8, "little") + \
            last.to_bytes(8, "little") + bytes(8) + name.encode("utf-16-le").ljust(72, b"\0")
        entries[128 * i:128 * (i + 1)] = e
    ecrc = zlib.crc32(entries)

    def header(my, alt, entries_lba):
        h = bytearray(92)
        h[0:8] = b"EFI PART"
        h[8:12] = (0x00010000).to_bytes(4, "little")
        h[12:16] = (92).to_bytes(4, "little")
        h[24:32] = my.to_bytes(8, "little")
        h[32:40] = alt.to_bytes(8, "little")
        h[40:48] = (34).to_bytes(8, "little")
        h[48:56] = (lbas - 34).to_bytes(8, "little")
        h[56:72] = os.urandom(16)
        h[72:80] = entries_lba.to_bytes(8, "little")
        h[80:84] = (128).to_bytes(4, "little")
        h[84:88] = (128).to_bytes(4, "little")
        h[88:92] = ecrc.to_bytes(4, "little")
        h[16:20] = zlib.crc32(h).to_bytes(4, "little")
        return bytes(h).ljust(512, b"\0")

    with open(path, "wb") as f:
        f.truncate(size)
        mbr = bytearray(512)
        mbr[446:462] = mbr_entry(0, 0xEE, 1, min(lbas - 1, 0xFFFFFFFF))
        mbr[510:512] = b"\x55\xaa"
        f.write(mbr)
        f.write(header(1, lbas - 1, 2))
        f.write(entries)
        f.seek((lbas - 33) * 512)
        f.write(entries)
        f.write(header(lbas - 1, 1, lbas - 33))


def put_volume(disk, vol, lba):
    with open(disk, "r+b") as d, open(vol, "rb") as v:
        d.seek(lba * 512)
        shutil.copyfileobj(v, d, 1 << 20)


def case_partitions(args, m):
    c = Checker("partitions")
    mnt = m.mkdir("mnt")
    vol = m.path("sample.img")
    gunzip(os.path.join(args.fixtures, "sample.img.gz"), vol)
    vol2 = m.path("empty.img")
    gunzip(os.path.join(args.fixtures, "ntfs-empty.img.gz"), vol2)
    n1, n2 = os.path.getsize(vol) // 512, os.path.getsize(vol2) // 512
    want = sha256_file(vol)

    sample = load_manifest(os.path.join(args.fixtures, "sample.manifest"))["rows"]

    def check_mount(what, image, *opts):
        m.mount_ntxfs(image, mnt, *opts)
        for p in ("/hello.txt", "/README.txt", "/pictures/sunset.png"):
            c.eq(f"{what}: {p} sha256", sha256_file(mnt + p), sample[p][4])
        m.umount(mnt)

    # MBR, one NTFS partition among others: chosen without asking
    mbr1 = m.path("mbr1.img")
    make_mbr(mbr1, (2048 + n1 + 4096) * 512, [(0x83, 2048 + n1, 4096), (0x07, 2048, n1)])
    put_volume(mbr1, vol, 2048)
    check_mount("MBR, one NTFS partition (2nd entry)", mbr1)
    check_mount("MBR, -o partition=2", mbr1, "partition=2")
    expect_refusal(args, m, c, "MBR, partition=1 is not NTFS", [mbr1, mnt, "-o", "partition=1"],
                   mnt, "holds no NTFS volume")
    expect_refusal(args, m, c, "MBR, partition=3 does not exist",
                   [mbr1, mnt, "-o", "partition=3"], mnt, "-o partition=3: no such partition")
    check_mount("MBR, -o offset=", mbr1, f"offset={2048 * 512}")

    # MBR, two NTFS partitions: -o partition=N needed
    mbr2 = m.path("mbr2.img")
    make_mbr(mbr2, (2048 + n1 + n2 + 8) * 512, [(0x07, 2048, n1), (0x07, 2048 + n1, n2)])
    put_volume(mbr2, vol, 2048)
    put_volume(mbr2, vol2, 2048 + n1)
    expect_refusal(args, m, c, "MBR, two NTFS partitions", [mbr2, mnt], mnt, "partition=N")
    check_mount("MBR two, partition=1", mbr2, "partition=1")
    m.mount_ntxfs(mbr2, mnt, "partition=2")
    c.eq("MBR two, partition=2 is the empty volume", os.listdir(mnt), [])
    m.umount(mnt)

    # GPT, one basic-data NTFS partition after a Linux one
    gpt = m.path("gpt.img")
    first = 2048
    make_gpt(gpt, (first + 4096 + n1 + 2048) * 512,
             [(LINUX_DATA, first, first + 4095, "linux"),
              (BASIC_DATA, first + 4096, first + 4096 + n1 - 1, "windows")])
    put_volume(gpt, vol, first + 4096)
    check_mount("GPT, one NTFS partition", gpt)
    check_mount("GPT, -o partition=2", gpt, "partition=2")
    expect_refusal(args, m, c, "GPT, partition=1 is not NTFS", [gpt, mnt, "-o", "partition=1"],
                   mnt, "holds no NTFS volume")
    # A disk without NTFS
    gpt0 = m.path("gpt0.img")
    make_gpt(gpt0, (first + 4096 + 2048) * 512, [(LINUX_DATA, first, first + 4095, "linux")])
    expect_refusal(args, m, c, "GPT without NTFS", [gpt0, mnt], mnt, "no NTFS volume")
    # A disk image cut short inside the volume: refused, saying why (the core
    # refuses a volume larger than its device; nothing could read short).
    cut = m.path("cut.img")
    shutil.copyfile(mbr1, cut)
    with open(cut, "r+b") as f:
        f.truncate((2048 + n1 // 2) * 512)
    expect_refusal(args, m, c, "MBR disk cut short", [cut, mnt], mnt, "truncated")
    expect_refusal(args, m, c, "MBR disk cut short, partition=2",
                   [cut, mnt, "-o", "partition=2"], mnt, "truncated")
    c.eq("the volume copied into the disks is unchanged", sha256_file(vol), want)
    c.done()


# --------------------------------------------------------------------------
# options


def case_options(args, m):
    c = Checker("options")
    img = m.path("sample.img")
    gunzip(os.path.join(args.fixtures, "sample.img.gz"), img)
    mnt = m.mkdir("mnt")
    os.chmod(m.dir, 0o755)  # mkdtemp made it 0700: other users could not reach the mount
    m.mount_ntxfs(img, mnt, "uid=1234,gid=5678,umask=027", "allow_other")
    for p, mode in (("/", 0o750), ("/docs", 0o750), ("/hello.txt", 0o750),
                    ("/latest-guide", 0o777)):
        st = os.lstat(mnt + p)
        c.eq(f"umask=027: {p} mode", oct(stat.S_IMODE(st.st_mode)), oct(mode))
        c.eq(f"uid=1234: {p}", st.st_uid, 1234)
        c.eq(f"gid=5678: {p}", st.st_gid, 5678)
    # default_permissions: the kernel checks those bits for other users
    r = subprocess.run(["setpriv", "--reuid=4321", "--regid=4321", "--clear-groups",
                        "cat", mnt + "/hello.txt"], capture_output=True)
    c.true("allow_other, but another user cannot read a 0750 file of uid 1234",
           r.returncode != 0)
    m.umount(mnt)
    m.mount_ntxfs(img, mnt, "fmask=133,dmask=022", "allow_other")
    c.eq("fmask=133: file", oct(stat.S_IMODE(os.lstat(mnt + "/hello.txt").st_mode)), oct(0o644))
    c.eq("dmask=022: dir", oct(stat.S_IMODE(os.lstat(mnt + "/docs").st_mode)), oct(0o755))
    r = subprocess.run(["setpriv", "--reuid=4321", "--regid=4321", "--clear-groups",
                        "cat", mnt + "/hello.txt"], capture_output=True)
    c.true(f"allow_other and mode 0644: another user reads ({r.stderr!r})", r.returncode == 0)
    m.umount(mnt)
    # case: exact by default (as ntfs-3g), through $UpCase with ignore_case
    m.mount_ntxfs(img, mnt)
    c.true("case-sensitive by default", not os.path.exists(mnt + "/HELLO.TXT"))
    c.true("a negative lookup stays negative", not os.path.exists(mnt + "/HELLO.TXT"))
    m.umount(mnt)
    m.mount_ntxfs(img, mnt, "ignore_case,streams_interface=windows,timeout=0")
    c.eq("ignore_case: HELLO.TXT", os.stat(mnt + "/HELLO.TXT").st_ino,
         os.stat(mnt + "/hello.txt").st_ino)
    c.eq("ignore_case: DOCS/Guide.TXT", os.stat(mnt + "/DOCS/Guide.TXT").st_size,
         os.stat(mnt + "/docs/guide.txt").st_size)
    c.eq("FILE: is the file itself", os.stat(mnt + "/hello.txt:").st_ino,
         os.stat(mnt + "/hello.txt").st_ino)
    c.eq("FILE:STREAM with the file name in another case",
         open(mnt + "/Hello.Txt:Zone.Identifier", "rb").read(),
         open(mnt + "/hello.txt:Zone.Identifier", "rb").read())
    c.true("stream names match exactly (as ntfs-3g)",
           not os.path.exists(mnt + "/hello.txt:zone.identifier"))
    c.true("a stream is no directory", not os.path.exists(mnt + "/hello.txt:Zone.Identifier/x"))
    c.true("listings do not show streams", os.listdir(mnt) == os.listdir(mnt))
    m.umount(mnt)
    m.mount_ntxfs(img, mnt, "hide_hid_files,streams_interface=none")
    c.eq("streams_interface=none: no user.* xattrs", os.listxattr(mnt + "/hello.txt"), [])
    c.true("streams_interface=none: no FILE:STREAM", not os.path.exists(
        mnt + "/hello.txt:Zone.Identifier"))
    c.true("hide_hid_files: ordinary files still listed", "hello.txt" in os.listdir(mnt))
    m.umount(mnt)
    c.done()


# --------------------------------------------------------------------------
# concurrency and seekdir


def wof_notes(path):
    """The '# wof' and '# external' notes of a manifest (fixtures/README.md)."""
    wof, ext = {}, {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if parts[0] == "# wof":
                p, alg, csize, chunks, stored, entry, csz, res = parts[1:]
                wof[p] = dict(alg=alg, chunk=int(csize), chunks=int(chunks),
                              stored_size=int(csz), resident=res == "resident")
            elif parts[0] == "# external":
                ext[parts[1]] = dict(tag=int(parts[2], 16), kind=parts[3])
    return wof, ext


def pread_direct(path, off, n):
    """n bytes at off through O_DIRECT: the kernel passes the offset and
    length to ntxfs as they are (no page cache, no rounding to pages)."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECT)
    try:
        return os.pread(fd, n, off)
    except OSError as e:
        raise Fail(f"{path}: {n} bytes at {off}: {e}")
    finally:
        os.close(fd)


def read_error(path, direct=False):
    """What reading path gives: ('bytes', data) or ('errno', name)."""
    try:
        fd = os.open(path, os.O_RDONLY | (os.O_DIRECT if direct else 0))
    except OSError as e:
        return ("errno", errno.errorcode.get(e.errno, e.errno))
    try:
        return ("bytes", os.pread(fd, 65536, 0))
    except OSError as e:
        return ("errno", errno.errorcode.get(e.errno, e.errno))
    finally:
        os.close(fd)


def wof_ranges(size, chunk, rnd):
    """Offsets and lengths that start and end inside chunks, on and beside
    their boundaries, span several chunks, and run past the end."""
    out = [(0, size + 100), (0, 1), (size - 1, 1), (size, 10), (size + 4096, 10)]
    for k in range(0, size // chunk + 1):
        b = k * chunk
        for off, n in ((b - 1, 2), (b - 3, 7), (b, 1), (b + 1, chunk), (b - 5, chunk + 10),
                       (b + 4093, 4099), (b - 1, 2 * chunk + 3)):
            if 0 <= off < size + 2:
                out.append((off, n))
    for _ in range(24):
        off = rnd.randrange(0, size + 1)
        out.append((off, rnd.choice((1, 3, 511, 4095, 4097, 12289, chunk - 1, chunk + 1,
                                     3 * chunk + 17, 70001))))
    return [(off, n) for off, n in out if off >= 0]


def case_wof(args, m):
    """WOF-compressed and externally backed files (fixtures/README.md, section
    wof.img.gz) through ntxfs, against the manifest and ntfs-3g -o ro."""
    import random
    name = "wof"
    man_path = os.path.join(args.fixtures, name + ".manifest")
    man = load_manifest(man_path)
    wof, ext = wof_notes(man_path)
    if not wof or not ext:
        raise Fail(f"{man_path}: no '# wof' or '# external' notes")
    img_x, img_3 = m.path(name + ".img"), m.path(name + "-3g.img")
    print(f"  unpacking {name}.img.gz")
    gunzip(os.path.join(args.fixtures, name + ".img.gz"), img_x)
    shutil.copyfile(img_x, img_3)
    before = sha256_file(img_x)
    cluster = int(man["meta"]["cluster_size"])
    mx, m3 = m.mkdir("x"), m.mkdir("3")
    # reads of externally backed files are logged, one line each (errmap.c)
    m.log_ok[mx] = re.compile(r"ntxfs: open: MFT record (\d+): data stored outside this file, "
                              r"(.*) \(reparse tag 0x([0-9a-f]{8})\): not readable from "
                              r"this image \(EIO\)")
    m.mount_ntxfs(img_x, mx)
    m.mount_ntfs3g(img_3, m3, "ro")
    c = Checker("wof: manifest and ntfs-3g")
    t0 = time.time()
    sx, _ = walk(mx)
    s3, _ = walk(m3)
    want_paths = {p for p, r in man["rows"].items() if r[0] != "s"}
    c.eq("set of paths (extra)", sorted(set(sx) - want_paths)[:10], [])
    c.eq("set of paths (missing)", sorted(want_paths - set(sx))[:10], [])
    c.eq("every WOF and external file has its row", sorted((set(wof) | set(ext)) - want_paths),
         [])

    streams = {}
    for p, (t, mft, size, nlink, sha, target) in man["rows"].items():
        if t == "s":
            f, sname = p.rsplit(":", 1)
            streams.setdefault(f, {})[sname] = (size, sha)

    # Every file: a regular file with the manifest's inode, links and size.
    content = {}  # path -> bytes verified against the manifest's SHA-256
    for p, (t, mft, size, nlink, sha, target) in sorted(man["rows"].items()):
        st = sx.get(p)
        if t != "f" or st is None:
            continue
        full = mx + p
        c.true(f"{p}: a regular file, mode {oct(st.st_mode)}", stat.S_ISREG(st.st_mode))
        c.eq(f"{p}: st_ino", st.st_ino, mft)
        c.eq(f"{p}: st_nlink", st.st_nlink, nlink)
        c.eq(f"{p}: st_size", st.st_size, size)
        if p in wof:
            # the clusters of WofCompressedData, or its length rounded to 8 when resident
            w = wof[p]
            alloc = ((w["stored_size"] + 7) & ~7 if w["resident"]
                     else -(-w["stored_size"] // cluster) * cluster)
            c.eq(f"{p}: st_blocks (WofCompressedData)", st.st_blocks, (alloc + 511) >> 9)
        if p in ext:
            c.eq(f"{p}: st_blocks (nothing on the volume)", st.st_blocks, 0)
            for direct in (False, True):
                c.eq(f"{p}: read{' O_DIRECT' if direct else ''} fails, never zeros",
                     read_error(full, direct), ("errno", "EIO"))
            continue
        if p == "/big/over-4GiB.bin":
            continue  # below: 4 GiB are read where they are marked
        if p in wof or size <= (1 << 20):
            data = open(full, "rb").read()
            c.eq(f"{p}: sha256", hashlib.sha256(data).hexdigest(), sha)
            if hashlib.sha256(data).hexdigest() == sha:
                content[p] = data
    c.eq("WOF files read whole", len([p for p in wof if p in content]), len(wof) - 1)

    # Unaligned reads, straight to ntxfs (O_DIRECT), against the verified bytes.
    rnd = random.Random(20240917)
    reads = 0
    for p in sorted(wof):
        if p not in content:
            continue
        data, chunk = content[p], wof[p]["chunk"]
        for off, n in wof_ranges(len(data), chunk, rnd):
            c.eq(f"{p}: {n} bytes at {off}", pread_direct(mx + p, off, n), data[off:off + n])
            reads += 1
    # Interleaved: the same chunk index in files of one algorithm, turn by turn,
    # so a chunk decoded for one file is never served for another.
    for alg in ("xpress4k", "xpress8k", "xpress16k", "lzx"):
        files = [p for p in sorted(content) if p in wof and wof[p]["alg"] == alg and
                 len(content[p]) > 2 * wof[p]["chunk"]]
        chunk = wof[files[0]]["chunk"]
        for k in range(3):
            for p in files + files[::-1]:
                off = k * chunk + 100
                got = pread_direct(mx + p, off, 300)
                reads += 1
                c.eq(f"{p}: interleaved read of chunk {k}", got, content[p][off:off + 300])
    print(f"  {reads} O_DIRECT reads compared")

    # From threads at once: the volume's one chunk buffer serves them in turn.
    errors = []
    lock = threading.Lock()

    def worker(k):
        r = random.Random(k)
        names = [p for p in sorted(content) if p in wof and content[p]]
        try:
            for _ in range(150):
                p = r.choice(names)
                data = content[p]
                off = r.randrange(len(data))
                n = r.randrange(1, 3 * wof[p]["chunk"])
                if pread_direct(mx + p, off, n) != data[off:off + n]:
                    with lock:
                        errors.append(f"thread {k}: {p}: {n} bytes at {off}")
        except Exception as e:
            with lock:
                errors.append(f"thread {k}: {e!r}")

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    c.eq("errors from 6 threads reading WOF files", errors[:5], [])

    # Over 4 GiB, 8-byte chunk table entries: the chunks fixtures/wofpack.py
    # marked (chunk 0, every 4096th, the last three) and the zeros between,
    # past 2^32 and across the last chunk boundaries.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.join(here, "..", "..", "fixtures"))
    sys.dont_write_bytecode = True  # nothing written into the source tree
    import wofpack
    big = "/big/over-4GiB.bin"
    bsize, bchunk = wofpack.BIG_SIZE, wof[big]["chunk"]
    c.eq(f"{big}: size as wofpack builds it", man["rows"][big][2], bsize)
    nchunks = -(-bsize // bchunk)
    want_chunks = {}
    for i, b in enumerate(wofpack.big_chunks(bsize, bchunk)):
        if i % 4096 == 0 or i >= nchunks - 4 or i in (1, 70001, 131071 - 4096):
            want_chunks[i] = b
    for i, b in sorted(want_chunks.items()):
        off = i * bchunk
        for o, n in ((0, len(b)), (3, 61), (len(b) - 7, 7)):
            if o >= 0:
                c.eq(f"{big}: chunk {i}, {n} bytes at +{o}", pread_direct(mx + big, off + o, n),
                     b[o:o + n])
    for i in (nchunks - 3, nchunks - 2, nchunks - 1):  # across boundaries over 4 GiB
        off = i * bchunk - 50
        c.eq(f"{big}: 100 bytes across chunk {i - 1} to {i}", pread_direct(mx + big, off, 100),
             want_chunks[i - 1][-50:] + want_chunks[i][:50])
    c.eq(f"{big}: the last byte and past the end", pread_direct(mx + big, bsize - 1, 100),
         want_chunks[nchunks - 1][-1:])
    c.eq(f"{big}: at 2^32", pread_direct(mx + big, 1 << 32, 64),
         want_chunks[(1 << 32) // bchunk][:64])

    # Side by side with ntfs-3g: every field of the files it reads as usual;
    # of WOF and external files (ntfs-3g without its plugins: links to
    # "unsupported reparse tag") what does not depend on reading the data.
    placed = set(wof) | set(ext)
    plain_x = {p: st for p, st in sx.items() if p not in placed}
    plain_3 = {p: st for p, st in s3.items() if p not in placed}
    compare_mounts(c, mx, m3, plain_x, plain_3)
    for p in sorted(placed):
        a, b = sx.get(p), s3.get(p)
        if a is None or b is None:
            continue
        c.true(f"{p}: ntfs-3g shows a link", stat.S_ISLNK(b.st_mode))
        for fld in ("st_ino", "st_nlink", "st_uid", "st_gid", "st_atime_ns", "st_mtime_ns",
                    "st_ctime_ns"):
            c.eq(f"{p}: {fld} vs ntfs-3g", getattr(a, fld), getattr(b, fld))
        for xn in SYS_XATTRS:
            c.eq(f"{p}: {xn} vs ntfs-3g", xattr_or_errno(mx + p, xn), xattr_or_errno(m3 + p, xn))
    for p, hexdata in man["reparse"].items():
        c.eq(f"{p}: system.ntfs_reparse_data", xattr_or_errno(mx + p, "system.ntfs_reparse_data"),
             bytes.fromhex(hexdata))
    # Streams as user.NAME: WofCompressedData is listed with its stored bytes.
    for f in sorted(set(streams) | placed):
        ss = streams.get(f, {})
        names = sorted(n[5:] for n in os.listxattr(mx + f) if n.startswith("user."))
        c.eq(f"{f}: user.* streams", names, sorted(ss))
        for sname, (size, sha) in ss.items():
            if size <= 65536:
                v = os.getxattr(mx + f, "user." + sname)
                c.eq(f"{f}:{sname}: xattr sha256", hashlib.sha256(v).hexdigest(), sha)
    c.eq("statfs vs ntfs-3g", statfs_tuple(mx), statfs_tuple(m3))
    m.umount(m3)
    m.umount(mx)
    # one log line per failed read of data kept elsewhere, naming the file and its tag
    logged = {}
    for line in m.logs[mx].splitlines():
        mm = re.search(r"MFT record (\d+): .*\(reparse tag 0x([0-9a-f]{8})\)", line)
        if mm:
            logged[int(mm.group(1))] = int(mm.group(2), 16)
    c.eq("log: the external files' records and tags",
         sorted(logged.items()), sorted((man["rows"][p][1], e["tag"]) for p, e in ext.items()))

    # The streams as FILE:NAME (streams_interface=windows): the stored bytes,
    # through the direct path; and the classic open (no_zero_open), where an
    # external file already fails to open.
    m.log_ok[mx] = re.compile(r"ntxfs: open: MFT record \d+: data stored outside this file, .*")
    m.mount_ntxfs(img_x, mx, "streams_interface=windows", "no_zero_open")
    for f, ss in sorted(streams.items()):
        for sname, (size, sha) in ss.items():
            st = os.lstat(f"{mx}{f}:{sname}")
            c.eq(f"{f}:{sname}: size", st.st_size, size)
            c.eq(f"{f}:{sname}: sha256", sha256_file(f"{mx}{f}:{sname}"), sha)
    for p in sorted(ext):
        try:
            os.close(os.open(mx + p, os.O_RDONLY))
            c.true(f"{p}: open with no_zero_open fails", False)
        except OSError as e:
            c.eq(f"{p}: open with no_zero_open", errno.errorcode.get(e.errno), "EIO")
    for p in sorted(wof):
        if p in content and content[p]:
            n = len(content[p])
            c.eq(f"{p}: no_zero_open, last 5000 bytes", pread_direct(mx + p, max(0, n - 5000), 5000),
                 content[p][-5000:])
    m.umount(mx)
    c.eq("image sha256 after the mounts", sha256_file(img_x), before)
    print(f"  checked in {time.time() - t0:.1f} s")
    c.done()


def case_concurrency(args, m):
    img = m.path("ntfs-4k.img")
    gunzip(os.path.join(args.fixtures, "ntfs-4k.img.gz"), img)
    man = load_manifest(os.path.join(args.fixtures, "ntfs-4k.manifest"))
    # the 5 GiB sparse files are read by the fixture case already
    files = [(p, r[4]) for p, r in man["rows"].items() if r[0] == "f" and r[2] < (64 << 20)]
    dirs = [p for p, r in man["rows"].items() if r[0] == "d"]
    want = sorted(p.rsplit("/", 1)[1] for p in man["rows"] if p.startswith("/many/"))
    mnt = m.mkdir("mnt")
    # the default threading (one receiving thread, splice workers), libfuse's
    # multi-threaded loop, and the classic open/opendir handles under it
    for opts in ([], ["mt"], ["mt", "no_zero_open"], ["mt", "no_direct_read"]):
        c = Checker("concurrency " + (",".join(opts) or "default"))
        m.mount_ntxfs(img, mnt, *opts)
        errors = []
        lock = threading.Lock()

        def worker(k):
            try:
                # every thread reads every file, each starting elsewhere, in odd chunk sizes
                order = files[k * 397:] + files[:k * 397]
                if k % 2:
                    order.reverse()
                for p, sha in order:
                    h = hashlib.sha256()
                    with open(mnt + p, "rb", buffering=0) as f:
                        while True:
                            b = f.read(61_440 + 4_093 * k)
                            if not b:
                                break
                            h.update(b)
                    if h.hexdigest() != sha:
                        with lock:
                            errors.append(f"thread {k}: {p}: sha256 differs")
                for d in dirs[k::4]:
                    os.listdir(mnt + d if d != "/" else mnt)
                    os.listxattr(mnt + d if d != "/" else mnt)
            except Exception as e:
                with lock:
                    errors.append(f"thread {k}: {e!r}")

        results = [None] * 6

        def lister(k):
            try:
                results[k] = sorted(os.listdir(mnt + "/many"))
            except Exception as e:
                results[k] = repr(e)

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(12)]
        threads += [threading.Thread(target=lister, args=(k,)) for k in range(6)]
        t0 = time.time()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print(f"  {c.name}: 12 threads read all {len(files)} files, 6 list /many, "
              f"{time.time() - t0:.1f} s")
        c.eq("errors from concurrent readers", errors[:5], [])
        for k in range(6):
            c.true(f"lister {k}: all 5,000 names", results[k] == want)
        m.umount(mnt)
        c.done()


class Dirent(ctypes.Structure):
    _fields_ = [("d_ino", ctypes.c_uint64), ("d_off", ctypes.c_int64),
                ("d_reclen", ctypes.c_ushort), ("d_type", ctypes.c_ubyte),
                ("d_name", ctypes.c_char * 256)]


def case_seekdir(args, m):
    c = Checker("seekdir")
    img = m.path("ntfs-4k.img")
    gunzip(os.path.join(args.fixtures, "ntfs-4k.img.gz"), img)
    mnt = m.mkdir("mnt")
    m.mount_ntxfs(img, mnt)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.opendir.restype = ctypes.c_void_p
    libc.opendir.argtypes = [ctypes.c_char_p]
    libc.readdir.restype = ctypes.POINTER(Dirent)
    libc.readdir.argtypes = [ctypes.c_void_p]
    libc.telldir.restype = ctypes.c_long
    libc.telldir.argtypes = [ctypes.c_void_p]
    libc.seekdir.argtypes = [ctypes.c_void_p, ctypes.c_long]
    libc.rewinddir.argtypes = [ctypes.c_void_p]
    libc.closedir.argtypes = [ctypes.c_void_p]
    path = (mnt + "/many").encode()
    full = os.listdir(mnt + "/many")
    d = libc.opendir(path)
    c.true("opendir", bool(d))
    names, marks = [], {}
    while True:
        if len(names) in (0, 1, 2, 7, 500, 2500, 4990):
            marks[len(names)] = libc.telldir(d)
        e = libc.readdir(d)
        if not e:
            break
        n = e.contents.d_name.decode("utf-8", "surrogateescape")
        if n not in (".", ".."):
            names.append(n)
    c.eq("readdir through libc = os.listdir", names, full)
    for pos in sorted(marks, reverse=True):  # backwards seeks restart the walk
        libc.seekdir(d, marks[pos])
        got = []
        for _ in range(5):
            e = libc.readdir(d)
            if not e:
                break
            n = e.contents.d_name.decode("utf-8", "surrogateescape")
            if n not in (".", ".."):
                got.append(n)
        c.eq(f"seekdir to entry {pos}", got[:3], names[pos:pos + 3])
    libc.rewinddir(d)
    again = []
    while True:
        e = libc.readdir(d)
        if not e:
            break
        n = e.contents.d_name.decode("utf-8", "surrogateescape")
        if n not in (".", ".."):
            again.append(n)
    c.eq("rewinddir lists everything again", again, names)
    libc.closedir(d)
    m.umount(mnt)
    c.done()


# --------------------------------------------------------------------------
# containers: the fixtures in every container ntx_host reads


# Which containers each fixture is converted into: every format at least
# twice (sample in all of them, and in three partitioned disks), the small
# ones in many; ntfs-4k, ntfs-512 and ntfs-64k, whose 5 GiB sparse file
# alone takes 5-10 s to read through FUSE, in two each, so that the label
# stays within minutes. The conversions are tests/cli/containers.py's, made
# by the real tools (qemu-img, ewfacquirestream, split).
CONTAINER_FORMATS = {
    "sample": ("split-num", "split-alpha", "e01", "e01-segments", "vhd", "vhd-fixed",
               "vhd-diff", "vhdx", "vmdk", "vmdk-extents", "vmdk-snapshot", "qcow2",
               "qcow2-backing"),
    "ntfs-empty": ("e01", "vhdx", "qcow2"),
    "ntfs-4kn": ("split-num", "split-alpha", "e01-segments", "vhd", "vhd-fixed", "vmdk",
                 "vmdk-extents", "qcow2-backing"),
    "ntfs-512": ("vhd-diff", "vmdk-snapshot"),
    "ntfs-64k": ("vmdk-extents", "e01"),
    "ntfs-4k": ("e01", "qcow2"),
}
# containers of partitioned disks: (format, table)
CONTAINER_DISKS = (("vhdx", "mbr"), ("qcow2", "gpt"), ("e01", "gpt"))
STAT_FIELDS = ("st_mode", "st_ino", "st_nlink", "st_size", "st_blocks", "st_atime_ns",
               "st_mtime_ns", "st_ctime_ns")


def cli_helpers():
    """tests/cli/containers.py (and the clitest module it needs)."""
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.join(here, "..", "cli"))
    sys.dont_write_bytecode = True  # nothing written into the source tree
    import containers
    return containers


def container_tools(fmt):
    return {"split-num": ["split"], "split-alpha": ["split"], "e01": ["ewfacquirestream"],
            "e01-segments": ["ewfacquirestream"],
            "vmdk-snapshot": ["qemu-img", "qemu-io"]}.get(fmt, ["qemu-img"])


def stream_rows(man):
    """path -> (size, sha256) of every unnamed and named $DATA stream the
    manifest lists, named ones as FILE:NAME (streams_interface=windows)."""
    return {p: (r[2], r[4]) for p, r in man["rows"].items() if r[0] in ("f", "s")}


def check_container(c, m, label, path, raw_stat, man):
    """Mount path (a container) and compare it with the raw image's walk
    (raw_stat) and the manifest's SHA-256 of every stream."""
    mnt = m.mkdir("c")
    t0 = time.time()
    m.mount_ntxfs(path, mnt, "streams_interface=windows")
    try:
        st, _ = walk(mnt)
        c.eq(f"{label}: paths (extra)", sorted(set(st) - set(raw_stat))[:10], [])
        c.eq(f"{label}: paths (missing)", sorted(set(raw_stat) - set(st))[:10], [])
        for p in sorted(set(st) & set(raw_stat)):
            for fld in STAT_FIELDS:
                c.eq(f"{label}: {p}: {fld}", getattr(st[p], fld), getattr(raw_stat[p], fld))
            if stat.S_ISLNK(st[p].st_mode):
                c.eq(f"{label}: {p}: readlink", os.readlink(mnt + p).replace(mnt, "@"),
                     man["rows"][p][5].replace(MANIFEST_MNT, "@"))
        for p, (size, sha) in sorted(stream_rows(man).items()):
            try:
                c.eq(f"{label}: {p}: sha256", sha256_file(mnt + p), sha)
            except OSError as e:
                c.true(f"{label}: {p}: {e}", False)
    finally:
        m.umount(mnt)
    return time.time() - t0


def case_container(args, m, name):
    """FIXTURE in each of its container formats (and sample in partitioned
    disks inside containers): the same paths and lstat fields as the raw
    image mounted by ntxfs, the same SHA-256 for every stream as the
    manifest (which fuse.fixture.* checks the raw mount and ntfs-3g
    against), through the library's read path (no splice from a container)."""
    C = cli_helpers()
    formats = [f for f in CONTAINER_FORMATS[name]
               if all(shutil.which(t) for t in container_tools(f))]
    if not formats:
        print("SKIP: qemu-img, ewfacquirestream and split are missing "
              "(Debian packages qemu-utils, ewf-tools, coreutils)")
        raise SystemExit(SKIP)
    skipped = sorted(set(CONTAINER_FORMATS[name]) - set(formats))
    if skipped:
        print(f"  not tried (tool missing): {', '.join(skipped)}")
    man = load_manifest(os.path.join(args.fixtures, name + ".manifest"))
    c = Checker(f"{name} in containers")
    raw = m.path(name + ".img")
    gunzip(os.path.join(args.fixtures, name + ".img.gz"), raw)
    before = sha256_file(raw)
    mr = m.mkdir("r")  # as long as the container's "c": absolute link targets hold it
    m.mount_ntxfs(raw, mr, "streams_interface=windows")
    raw_stat, _ = walk(mr)
    m.umount(mr)
    jobs = [(f, None) for f in formats]
    if name == "sample":
        jobs += [(f, t) for f, t in CONTAINER_DISKS if f in formats]
    for fmt, table in jobs:
        d = m.mkdir(f"{fmt}-{table or 'bare'}")
        disk = raw
        if table:
            disk = os.path.join(d, "disk.raw")
            (C.gpt_disk if table == "gpt" else C.mbr_disk)(disk, raw)
        t0 = time.time()
        path = C.convert(fmt, disk, d, "img")
        made = time.time() - t0
        if disk != raw:
            os.unlink(disk)
        state = {n: os.stat(os.path.join(d, n)).st_mtime_ns for n in os.listdir(d)}
        label = f"{name} {fmt}" + (f" in {table.upper()}" if table else "")
        took = check_container(c, m, label, path, raw_stat, man)
        c.eq(f"{label}: the container's files unchanged",
             {n: os.stat(os.path.join(d, n)).st_mtime_ns for n in os.listdir(d)}, state)
        print(f"  {label}: made in {made:.1f} s, mounted and read in {took:.1f} s")
        shutil.rmtree(d)
    c.eq("raw image sha256", sha256_file(raw), before)
    c.done()


# --------------------------------------------------------------------------
# vss: the shadow copies of a disk written by Windows 10


VSS_ARCHIVE = "win10-20h1.tgz"
VSS_OFFSET = 1048576


def vss_disk(args, m):
    """The 20H1 disk (ntfs.raw in win10-20h1.tgz, 64 GiB sparse, its NTFS
    partition at 1 MiB), from --realworld, unpacked once into --work; exit 77
    without it."""
    src = os.path.join(args.realworld or "", VSS_ARCHIVE)
    if not args.realworld or not os.path.exists(src):
        print(f"SKIP: {VSS_ARCHIVE} is not in {args.realworld} (set NTX_REALWORLD_DIR at "
              "configure time to the folder holding the real Windows disks)")
        raise SystemExit(SKIP)
    work = args.work or m.dir
    os.makedirs(work, exist_ok=True)
    dst = os.path.join(work, "win10-20h1.raw")
    if not os.path.exists(dst):
        tmp = tempfile.mkdtemp(dir=work)
        subprocess.run(["tar", "-xzf", src, "-C", tmp, "ntfs.raw"], check=True)
        os.chmod(os.path.join(tmp, "ntfs.raw"), 0o444)
        os.replace(os.path.join(tmp, "ntfs.raw"), dst)
        os.rmdir(tmp)
    return dst


def sha256_head(path, limit=16 << 20):
    """SHA-256 of a file's first limit bytes (the stores' own diff-area files
    in System Volume Information are 640 MiB, mostly holes)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read(limit))
    return h.hexdigest()


def tree_of(root):
    """path -> (type, size, SHA-256 of a file's first 16 MiB) under root."""
    out = {}
    st, _ = walk(root)
    for p, s in st.items():
        if stat.S_ISREG(s.st_mode):
            out[p] = ("f", s.st_size, sha256_head(root + p))
        elif stat.S_ISDIR(s.st_mode):
            out[p] = ("d", 0, "")
        else:
            out[p] = ("l" if stat.S_ISLNK(s.st_mode) else "o", s.st_size, "")
    return out


def case_vss(args, m):
    """-o vss=1 and -o vss=2 against vshadowmount's store files mounted by
    ntfs-3g: the same tree, sizes and file contents, shadow_N.txt in store N;
    the live volume without -o vss; the ntxfs-vss script mounting them all."""
    for tool in ("vshadowmount", "fusermount"):
        if shutil.which(tool) is None:
            print(f"SKIP: {tool} is not installed (Debian packages libvshadow-utils, fuse3)")
            raise SystemExit(SKIP)
    img = vss_disk(args, m)
    c = Checker("vss")
    vs = m.mkdir("vshadow")
    proc = subprocess.Popen(["vshadowmount", "-X", "allow_root", "-o", str(VSS_OFFSET), img, vs],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    m.procs[vs] = proc
    deadline = time.time() + 20
    while time.time() < deadline and not os.path.exists(os.path.join(vs, "vss1")):
        time.sleep(0.05)
    stores = sorted(n for n in os.listdir(vs) if n.startswith("vss")) if mounted(vs) else []
    c.eq("vshadowmount's stores", stores, ["vss1", "vss2"])
    for n in (1, 2):
        mx, m3 = m.mkdir(f"x{n}"), m.mkdir(f"3{n}")
        m.mount_ntxfs(img, mx, f"vss={n}")
        m.mount_ntfs3g(os.path.join(vs, f"vss{n}"), m3, "ro")
        t0 = time.time()
        mine, theirs = tree_of(mx), tree_of(m3)
        c.eq(f"store {n}: paths (extra)", sorted(set(mine) - set(theirs))[:10], [])
        c.eq(f"store {n}: paths (missing)", sorted(set(theirs) - set(mine))[:10], [])
        for p in sorted(set(mine) & set(theirs)):
            c.eq(f"store {n}: {p}", mine[p], theirs[p])
        c.true(f"store {n}: /shadow_{n}.txt is there", f"/shadow_{n}.txt" in mine)
        other = 3 - n
        c.eq(f"store {n}: /shadow_{other}.txt as in ntfs-3g's view",
             f"/shadow_{other}.txt" in mine, f"/shadow_{other}.txt" in theirs)
        print(f"  store {n}: {len(mine)} paths, {sum(1 for v in mine.values() if v[0] == 'f')} "
              f"files compared with vshadowmount + ntfs-3g in {time.time() - t0:.1f} s")
        m.umount(mx)
        m.umount(m3)
    m.umount(vs)
    # the volume itself, and an option naming no store
    live = m.mkdir("live")
    m.mount_ntxfs(img, live)
    names = set(os.listdir(live))
    m.umount(live)
    print(f"  live volume: shadow_1.txt {'shadow_1.txt' in names}, "
          f"shadow_2.txt {'shadow_2.txt' in names}")
    mnt = m.mkdir("mnt")
    expect_refusal(args, m, c, "-o vss=3", [img, mnt, "-o", "vss=3"], mnt, "vss=3")
    # every store at once: the documented script
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fuse",
                          "ntxfs-vss")
    if args.ntx:
        alld = m.mkdir("all")
        env = dict(os.environ, NTXFS=args.ntxfs, NTX=args.ntx)
        r = subprocess.run(["sh", script, img, alld], capture_output=True, text=True, env=env,
                           timeout=60)
        c.eq(f"ntxfs-vss exit ({r.stderr.strip()})", r.returncode, 0)
        for sub in ("live", "vss1", "vss2"):
            c.true(f"ntxfs-vss mounted {sub}", mounted(os.path.join(alld, sub)))
        c.true("ntxfs-vss: vss1/shadow_1.txt",
               os.path.exists(os.path.join(alld, "vss1", "shadow_1.txt")))
        c.true("ntxfs-vss: vss2/shadow_2.txt",
               os.path.exists(os.path.join(alld, "vss2", "shadow_2.txt")))
        r = subprocess.run(["sh", script, "-u", alld], capture_output=True, text=True, env=env,
                           timeout=60)
        c.eq(f"ntxfs-vss -u exit ({r.stderr.strip()})", r.returncode, 0)
        c.eq("ntxfs-vss -u left", sorted(os.listdir(alld)), [])
    c.done()


# --------------------------------------------------------------------------
# image errors: what ntxfs says, and ntx says, about images neither can read


def case_image_errors(args, m):
    """The images of tests/cli/check_image_errors.py that ntx refuses with
    one line "ntx: IMAGE: WORDS": ntxfs refuses each before mounting with
    exactly one line "ntxfs: IMAGE: WORDS" (the same sentence, both words
    coming from ntx_host), exit 1, nothing mounted."""
    C = cli_helpers()
    if not args.ntx:
        raise Fail("image_errors needs --ntx")
    c = Checker("image errors")
    sample = m.path("sample.img")
    gunzip(os.path.join(args.fixtures, "sample.img.gz"), sample)
    size = os.path.getsize(sample)
    mnt = m.mkdir("mnt")

    def p(name):
        return m.path(name)

    def same(what, path, *opts, cli_opts=()):
        r = run_ntxfs(args, path, mnt, *opts)
        x = subprocess.run([args.ntx, "info", *cli_opts, path], capture_output=True, text=True)
        mine, theirs = r.stderr.strip().splitlines(), x.stderr.strip().splitlines()
        c.eq(f"{what}: ntxfs exit", r.returncode, 1)
        c.true(f"{what}: nothing mounted", not mounted(mnt))
        c.eq(f"{what}: one line from ntxfs", len(mine), 1)
        c.eq(f"{what}: one line from ntx", len(theirs), 1)
        if mine and theirs:
            # the same sentence, each program spelling its own options
            a = mine[0].removeprefix("ntxfs: ")
            for o, v in zip(opts[1::2], cli_opts[1::2]):
                a = a.replace("-o " + o, "--%s %s" % (o.split("=")[0], v))
            c.eq(f"{what}: ntxfs says what ntx says", a, theirs[0].removeprefix("ntx: "))
            c.true(f"{what}: starts with ntxfs: IMAGE", mine[0].startswith(f"ntxfs: {path}: "))
            print(f"  {what:28s} {mine[0]}")

    open(p("empty.img"), "wb").close()
    same("empty", p("empty.img"))
    shutil.copyfile(sample, p("half.img"))
    os.truncate(p("half.img"), size // 2)
    same("truncated volume", p("half.img"))
    C.mbr_disk(p("disk.img"), sample)
    os.truncate(p("disk.img"), 2048 * 512 + size // 2)
    same("truncated disk", p("disk.img"))
    if shutil.which("split"):
        C.run_tool(["split", "-b", "4M", "-d", "-a", "3", "--numeric-suffixes=1", sample,
                    p("set.")])
        os.unlink(p("set.004"))
        same("split set, last missing", p("set.001"))
        same("split set, later segment", p("set.002"))
    shutil.copyfile(sample, p("bitlocker.img"))
    with open(p("bitlocker.img"), "r+b") as f:
        for off in (3, size - 512 + 3):
            f.seek(off)
            f.write(b"-FVE-FS-")
    same("BitLocker volume", p("bitlocker.img"))
    if shutil.which("mkfs.vfat"):
        with open(p("fat.img"), "wb") as f:
            f.truncate(64 << 20)
        subprocess.run(["mkfs.vfat", "-F", "32", p("fat.img")], capture_output=True)
        same("FAT32", p("fat.img"))
    with open(sample, "rb") as i, gzip.open(p("sample.img.gz"), "wb") as o:
        shutil.copyfileobj(i, o)
    same("gzip file", p("sample.img.gz"))
    if shutil.which("qemu-img"):
        C.run_tool(["qemu-img", "convert", "-O", "vhdx", sample, p("bad.vhdx")])
        with open(p("bad.vhdx"), "r+b") as f:
            for off in (64 << 10, 128 << 10):  # the two headers
                f.seek(off)
                f.write(b"\xde\xad" * 2048)
        same("VHDX headers overwritten", p("bad.vhdx"))
        # qcow2: the L1 table offset at header byte 40, entries masked with
        # 0x00fffffffffffe00 (QEMU's qcow2 description); the first L2 entry
        # made to point past the end of the file
        C.run_tool(["qemu-img", "convert", "-O", "qcow2", sample, p("bad.qcow2")])
        with open(p("bad.qcow2"), "r+b") as f:
            l1 = struct.unpack_from(">Q", f.read(48), 40)[0]
            f.seek(l1)
            l2 = struct.unpack(">Q", f.read(8))[0] & 0x00fffffffffffe00
            end = f.seek(0, 2)
            f.seek(l2)
            f.write(struct.pack(">Q", (1 << 63) | ((end + (1 << 30)) & ~0xFFFF)))
        same("qcow2 L2 entry past the end", p("bad.qcow2"))
    if shutil.which("ewfacquirestream"):
        with open(sample, "rb") as i:
            C.run_tool(["ewfacquirestream", "-q", "-c", "none", "-S", "4MiB", "-t", p("ev")],
                       stdin=i)
        os.truncate(p("ev.E02"), 1 << 20)
        same("E01 segment cut short", p("ev.E01"))
    same("vss on a volume without", sample, "-o", "vss=1", cli_opts=("--vss", "1"))
    same("partition on a bare volume", sample, "-o", "partition=1",
         cli_opts=("--partition", "1"))
    c.done()


# --------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ntxfs", required=True)
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--ntx", help="the ntx command (image_errors, vss)")
    ap.add_argument("--realworld", help="folder holding win10-20h1.tgz (vss)")
    ap.add_argument("--work", help="folder to unpack the Windows disk into, kept (vss)")
    ap.add_argument("--timeout", type=int, default=280, help="seconds before cleaning up")
    ap.add_argument("case")
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("SKIP: the FUSE tests mount images and need root")
        return SKIP
    if not os.path.exists("/dev/fuse"):
        print("SKIP: /dev/fuse is missing")
        return SKIP
    for tool in ("ntfs-3g", "fusermount3"):
        if shutil.which(tool) is None:
            print(f"FAIL: {tool} is not installed (Debian: apt-get install ntfs-3g fuse3)")
            return 1

    def interrupted(signum, frame):
        raise Fail(f"interrupted by signal {signum}")

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGALRM, interrupted)
    signal.alarm(args.timeout)
    m = Mounts(os.path.realpath(args.ntxfs))
    t0 = time.time()
    try:
        kind, _, name = args.case.partition(":")
        if kind == "fixture":
            case_fixture(args, m, name)
        elif kind == "bad":
            case_bad(args, m, name)
        elif kind == "partitions":
            case_partitions(args, m)
        elif kind == "special":
            case_special(args, m)
        elif kind == "options":
            case_options(args, m)
        elif kind == "concurrency":
            case_concurrency(args, m)
        elif kind == "wof":
            case_wof(args, m)
        elif kind == "seekdir":
            case_seekdir(args, m)
        elif kind == "container":
            case_container(args, m, name)
        elif kind == "vss":
            case_vss(args, m)
        elif kind == "image_errors":
            case_image_errors(args, m)
        else:
            raise Fail("unknown case " + args.case)
        rc = 0
    except Fail as e:
        print("FAIL:", e)
        rc = 1
    except Exception:
        import traceback
        traceback.print_exc()
        rc = 1
    finally:
        signal.alarm(0)
        m.close()
    print(f"{args.case}: {'ok' if rc == 0 else 'FAILED'} ({time.time() - t0:.1f} s)")
    return rc


if __name__ == "__main__":
    sys.exit(main())
