#!/usr/bin/env python3
"""One Windows-written disk read by every ntx front-end and every oracle,
compared name by name: paths, MFT numbers, sizes, SHA-256 of every $DATA
stream (unnamed and named), $STANDARD_INFORMATION and $FILE_NAME times.

The library's walk (rw_walk) is the reference the others are set against:
  cli      ntx ls -r -a --json, ntx stat --json, ntx cat
  ntxfs    an ntxfs mount (show_sys_files, streams_interface=windows)
  fsntfs   libfsntfs (python3-libfsntfs)
  tsk      The Sleuth Kit: fls -r -p, istat, icat
  ntfs-3g  an ntfs-3g -o ro mount (show_sys_files, streams_interface=windows)
Every difference must be one that differences.py explains, and every
difference differences.py explains for this disk must occur: the test
fails on an unexplained difference and on an explanation that no longer
matches anything.

usage: check_compare.py RW_WALK NTX NTXFS REALWORLD_DIR IMAGES_DIR NAME [--show]

NTXFS "-" (not built) leaves out both mounts; --show prints the raw
differences instead of judging them.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

import differences
import realworld as R
import views as V

FIELDS = ("mft", "dir", "size", "si", "fn")


def compare(ref, other, reader):
    """(reader, what, key, got, want) for every disagreement with ref."""
    out = []
    ro, rs = ref
    oo, os_ = other
    for p in sorted(set(ro) | set(oo)):
        if p not in oo:
            out.append((reader, "missing", p, None, ro[p]["mft"]))
            continue
        if p not in ro:
            out.append((reader, "extra", p, oo[p]["mft"], None))
            continue
        if oo[p].get("unlisted"):
            out.append((reader, "unlisted", p, oo[p]["mft"], None))
        for f in FIELDS:
            want, got = ro[p][f], oo[p][f]
            if f in ("si", "fn"):
                for i, (g, w) in enumerate(zip(got, want)):
                    if g is not None and g != w:
                        out.append((reader, "%s%d" % (f, i), p, g, w))
            elif got is not None and got != want:
                out.append((reader, f, p, got, want))
    for k in sorted(set(rs) | set(os_)):
        if k[1].startswith(":index:"):
            if k in os_:
                out.append((reader, "index-as-stream", k, os_[k][1], None))
            continue
        if k not in os_:
            if k[0] in oo:  # objects missing altogether are already reported
                out.append((reader, "stream-missing", k, None, rs[k]))
            continue
        if k not in rs:
            if k[0] in ro:
                out.append((reader, "stream-extra", k, os_[k], None))
            continue
        (gs, gh), (ws, wh) = os_[k], rs[k]
        if gs is not None and ws is not None and gs != ws:
            out.append((reader, "stream-size", k, gs, ws))
        if gh is not None and gh != wh:
            out.append((reader, "stream-sha", k, gh, wh))
    return out


class Mount:
    """One FUSE mount, always taken down again (fusermount3 -u, then the
    process waited for); used as a context manager. strict: the process
    must exit 0 and print nothing (a sanitizer report, a core error)."""

    def __init__(self, argv, mnt, strict=False):
        self.argv, self.mnt, self.proc, self.strict = argv, mnt, None, strict

    def __enter__(self):
        os.makedirs(self.mnt, exist_ok=True)
        self.log = open(self.mnt + ".log", "w+")
        self.proc = subprocess.Popen(self.argv, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while time.time() < deadline:
            if os.path.ismount(self.mnt):
                return self.mnt
            if self.proc.poll() is not None:
                self.log.seek(0)
                raise R.Failure("%s exited %d: %s" % (" ".join(self.argv), self.proc.returncode,
                                                      self.log.read()[-1000:]))
            time.sleep(0.05)
        raise R.Failure("%s: not mounted after 20 s" % " ".join(self.argv))

    def __exit__(self, *exc):
        if os.path.ismount(self.mnt):
            r = subprocess.run(["fusermount3", "-u", self.mnt], capture_output=True)
            if r.returncode != 0:
                subprocess.run(["umount", "-l", self.mnt], capture_output=True)
        if self.proc is not None:
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.seek(0)
        log = self.log.read().strip()
        self.log.close()
        if self.strict and exc[0] is None and (self.proc.returncode != 0 or log):
            raise R.Failure("%s exited %d: %s" % (self.argv[0], self.proc.returncode, log[:3000]))
        return False


def _first_line(e):
    """The message of a refused mount, without the temporary paths."""
    msg = str(e)
    return msg[msg.index(": ", msg.index(" exited ")) + 2:].splitlines()[0] if " exited " in msg \
        else msg.splitlines()[0]


def can_mount():
    return os.geteuid() == 0 and os.path.exists("/dev/fuse") and R.which("fusermount3")


def main():
    show = "--show" in sys.argv
    args = [a for a in sys.argv[1:] if a != "--show"]
    walker, ntx, ntxfs, src, images, name = args[:6]
    R.skip_if_absent(src)
    img = R.image(images, name)
    off = R.offset(name)
    t0 = time.time()
    ref = V.lib_view(walker, img, off)
    found, skipped, ran = [], [], []
    timing = ["library %.1fs" % (time.time() - t0)]

    def run(reader, fn):
        t = time.time()
        v = fn()
        timing.append("%s %.1fs" % (reader, time.time() - t))
        if v is None:
            skipped.append(reader + " (not installed)")
            return
        ran.append(reader)
        if v[0] == "refused":
            found.append((reader, "refused", "/", v[1], None))
        else:
            found.extend(compare(ref, v, reader))

    run("cli", lambda: V.cli_view(ntx, img, off))
    run("fsntfs", lambda: V.fsntfs_view(img, off))
    run("tsk", lambda: V.tsk_view(img, off))
    if ntxfs == "-":
        skipped.append("ntxfs and ntfs-3g mounts (ntxfs not built)")
    elif can_mount():
        tmp = tempfile.mkdtemp(prefix="rw-mnt.")
        try:
            opts = "show_sys_files,streams_interface=windows,offset=%d" % off
            mx = os.path.join(tmp, "x")
            with Mount([ntxfs, img, mx, "-f", "-o", opts], mx, strict=True):
                run("ntxfs", lambda: V.mount_view(mx, ref))
            # Debian's ntfs-3g has no offset option: it reads the partition
            # through a read-only loop device.
            loop = None
            if R.which("ntfs-3g") and R.which("losetup"):
                p = subprocess.run(["losetup", "-r", "-o", str(off), "-f", "--show", img],
                                   capture_output=True, text=True)
                loop = p.stdout.strip() if p.returncode == 0 else None
            if loop:
                m3 = os.path.join(tmp, "3")
                try:
                    o3 = "ro,no_detach,show_sys_files,streams_interface=windows"
                    with Mount(["ntfs-3g", "-o", o3, loop, m3], m3):
                        run("ntfs-3g", lambda: V.mount_view(m3, ref))
                except R.Failure as e:
                    ran.append("ntfs-3g")
                    found.append(("ntfs-3g", "refused", "/", _first_line(e), None))
                finally:
                    subprocess.run(["losetup", "-d", loop], capture_output=True)
            else:
                skipped.append("ntfs-3g (not installed, or no loop device)")
        finally:
            if not any(os.path.ismount(os.path.join(tmp, d)) for d in os.listdir(tmp)):
                shutil.rmtree(tmp, ignore_errors=True)
    else:
        skipped.append("ntxfs and ntfs-3g mounts (need root, /dev/fuse and fusermount3)")

    if show:
        for d in found:
            print(repr(d))
        return 0
    problems = differences.judge(name, img, off, ref, found, ran)
    print("%s: %d objects, %d streams; %s" % (name, len(ref[0]), len(ref[1]), ", ".join(timing)))
    for s in skipped:
        print("  not compared: " + s)
    for p in problems:
        print("  " + p)
    if problems:
        raise R.Failure("%s: %d problems" % (name, len(problems)))
    return 0


if __name__ == "__main__":
    R.main(main)
