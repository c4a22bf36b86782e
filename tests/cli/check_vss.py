#!/usr/bin/env python3
"""Volume Shadow Copies of a disk written by Windows 10 (20H1, two stores),
through ntx's --vss, against libvshadow's own tools.

usage: check_vss.py NTX REALWORLD_DIR WORK_DIR list|files

The disk (win10-20h1.tgz: ntfs.raw, 64 GiB sparse, the NTFS partition at
byte 1048576) comes from the folder NTX_REALWORLD_DIR names, outside the
repository; without it the test is skipped (exit 77). It is unpacked once
into WORK_DIR, keeping its holes.

 list   `ntx vss --json` against `vshadowinfo -o 1048576`: the same stores in
        the same order, with the same identifiers, shadow copy and set
        identifiers, creation times (to the 100 ns), volume sizes and
        attribute flags; the same through a qcow2 and a VHDX copy of the
        disk (qemu-img convert), where libvshadow reads the volume inside
        the container through ntx's libbfio handle; `ntx info --vss N`
        names the store.
 files  each store mounted with vshadowmount: `ntx ls -r --json --vss N` lists
        what `fls -r -p` lists on the store's volume (names and MFT numbers),
        and every file's data read by `ntx cat --vss N -i MFT` is what
        `icat` reads from the store (The Sleuth Kit on vshadowmount's file),
        compared over its first 16 MiB (the stores' own 640 MiB files).
        Needs root, /dev/fuse, vshadowmount and sleuthkit (exit 77 otherwise).
"""
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import clitest as T

OFFSET = 1048576
ARCHIVE = "win10-20h1.tgz"


def disk(src, work):
    if not os.path.exists(os.path.join(src, ARCHIVE)):
        print("SKIP: %s is not in %s (set NTX_REALWORLD_DIR at configure time to the folder "
              "holding the real Windows disks)" % (ARCHIVE, src))
        sys.exit(T.SKIP)
    os.makedirs(work, exist_ok=True)
    dst = os.path.join(work, "win10-20h1.raw")
    if not os.path.exists(dst):
        tmp = tempfile.mkdtemp(dir=work)
        subprocess.run(["tar", "-xzf", os.path.join(src, ARCHIVE), "-C", tmp, "ntfs.raw"],
                       check=True)
        os.chmod(os.path.join(tmp, "ntfs.raw"), 0o444)
        os.replace(os.path.join(tmp, "ntfs.raw"), dst)
        os.rmdir(tmp)
    return dst


def vshadowinfo(img):
    p = subprocess.run(["vshadowinfo", "-o", str(OFFSET), img], capture_output=True, text=True)
    if p.returncode != 0:
        raise T.Failure("vshadowinfo: exit %d: %s" % (p.returncode, p.stderr))
    stores, cur = [], None
    for line in p.stdout.splitlines():
        m = re.match(r"^Store: (\d+)", line)
        if m:
            cur = {"index": int(m.group(1))}
            stores.append(cur)
            continue
        m = re.match(r"^\s+([A-Za-z ]+?)\s*:\s*(.*)$", line)
        if cur is not None and m:
            cur[m.group(1)] = m.group(2).strip()
    return stores


def vshadow_time(nt):
    """An NT time as vshadowinfo prints it: 'Jul 25, 2020 12:26:04.398924700 UTC'."""
    secs, frac = divmod(nt, 10 ** 7)
    t = datetime.datetime(1601, 1, 1) + datetime.timedelta(seconds=secs)
    return "%s %2d, %d %02d:%02d:%02d.%09d UTC" % (t.strftime("%b"), t.day, t.year, t.hour,
                                                   t.minute, t.second, frac * 100)


def check_list(ntx, img, what, want, problems):
    rc, out, err = T.run(ntx, "vss", "--json", img, ok=None)
    if rc != 0:
        problems.append("%s: ntx vss: exit %d: %s" % (what, rc, err.strip()))
        return
    got = T.jsonl(out)
    if len(got) != len(want):
        problems.append("%s: ntx vss lists %d stores, vshadowinfo %d" % (what, len(got), len(want)))
    for g, w in zip(got, want):
        pairs = [("index", g["index"], w["index"]),
                 ("identifier", g["identifier"], w.get("Identifier")),
                 ("shadow copy set", g["copy_set_identifier"], w.get("Shadow copy set ID")),
                 ("shadow copy", g["copy_identifier"], w.get("Shadow copy ID")),
                 ("creation time", vshadow_time(g["creation_time_nt"]), w.get("Creation time")),
                 ("volume size", g["volume_size"],
                  int(re.search(r"\((\d+) bytes\)", w.get("Volume size", "(0 bytes)")).group(1))),
                 ("attribute flags", "0x%08x" % g["attribute_flags"], w.get("Attribute flags"))]
        for name, a, b in pairs:
            if a != b:
                problems.append("%s store %d: %s %r, vshadowinfo %r" % (what, w["index"], name, a, b))
        print("  %s store %d: %s, %s, flags 0x%08x" % (what, g["index"], g["identifier"],
                                                       g["created"], g["attribute_flags"]))


def mode_list(ntx, img, work, problems):
    want = vshadowinfo(img)
    if len(want) < 2:
        problems.append("vshadowinfo lists %d stores (the 20H1 disk holds two)" % len(want))
    check_list(ntx, img, "raw", want, problems)
    for n in range(1, len(want) + 1):
        rc, out, err = T.run(ntx, "info", "--vss", str(n), img, ok=None)
        if rc != 0 or "shadow copy:      store %d, %s" % (n, want[n - 1].get("Identifier")) not in out:
            problems.append("ntx info --vss %d: exit %d, %r" % (n, rc, (out + err)[:400]))
    if shutil.which("qemu-img") is None:
        print("  (qemu-img not installed: the containers are not tried)")
        return
    for fmt in ("qcow2", "vhdx"):
        conv = os.path.join(work, "win10-20h1." + fmt)
        if not os.path.exists(conv):
            subprocess.run(["qemu-img", "convert", "-O", fmt, img, conv + ".tmp"], check=True)
            os.replace(conv + ".tmp", conv)
        check_list(ntx, conv, fmt, want, problems)


# Bytes of each file compared: the stores' own diff-area files are 640 MiB
# (mostly holes), which icat reads through FUSE in minutes.
HEAD = 16 << 20


def head(argv):
    """The first HEAD bytes a command writes (it is stopped after them)."""
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    data = p.stdout.read(HEAD)
    p.stdout.close()
    p.kill()
    p.wait()
    return data


def mounted(path):
    with open("/proc/self/mountinfo") as f:
        return any(l.split()[4] == os.path.realpath(path) for l in f)


def mode_files(ntx, img, work, problems):
    if os.geteuid() != 0 or not os.path.exists("/dev/fuse"):
        print("SKIP: vshadowmount needs root and /dev/fuse")
        sys.exit(T.SKIP)
    for tool in ("vshadowmount", "fls", "icat", "fusermount"):
        if shutil.which(tool) is None:
            print("SKIP: %s is not installed (Debian packages libvshadow-utils, sleuthkit, fuse3)"
                  % tool)
            sys.exit(T.SKIP)
    mnt = tempfile.mkdtemp(dir=work, prefix="vss.")
    proc = subprocess.Popen(["vshadowmount", "-X", "allow_root", "-o", str(OFFSET), img, mnt],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 20
        while time.time() < deadline and not os.path.exists(os.path.join(mnt, "vss1")):
            time.sleep(0.05)
        stores = sorted(n for n in os.listdir(mnt) if n.startswith("vss")) if mounted(mnt) else []
        if not stores:
            raise T.Failure("vshadowmount mounted no store on %s" % mnt)
        for name in stores:
            n = int(name[3:])
            view = os.path.join(mnt, name)
            fls = subprocess.run(["fls", "-r", "-p", view], capture_output=True, text=True,
                                 errors="surrogateescape").stdout
            tsk = set()
            for line in fls.splitlines():
                m = re.match(r"^(\S+) \*?\s*(\d+)-\d+-\d+:\t(.*)$", line)
                if m and "$" not in m.group(3) and int(m.group(2)) >= 16:
                    tsk.add(("/" + m.group(3), int(m.group(2))))
            _, out, _ = T.run(ntx, "ls", "-r", "--json", "--vss", str(n), img, ok=(0, 3))
            rows = T.jsonl(out)
            mine = {(r["path"], r["mft"]) for r in rows if "$" not in r["path"]}
            if mine != tsk:
                problems.append("store %d: ntx ls and fls differ: ntx only %r, fls only %r" % (
                    n, sorted(mine - tsk)[:5], sorted(tsk - mine)[:5]))
            files = sorted({r["mft"] for r in rows if r["type"] == "file"})
            for mft in files:
                want = head(["icat", view, str(mft)])
                got = head([ntx, "cat", "--vss", str(n), img, "-i", str(mft)])
                if got != want:
                    problems.append("store %d record %d: ntx cat gives %d bytes, icat %d, and "
                                    "they differ" % (n, mft, len(got), len(want)))
            print("  store %d: %d entries as fls lists them, %d files as icat reads them"
                  % (n, len(mine), len(files)))
    finally:
        if mounted(mnt):
            subprocess.run(["fusermount", "-u", mnt], capture_output=True)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        os.rmdir(mnt)


def main():
    if len(sys.argv) != 5 or sys.argv[4] not in ("list", "files"):
        sys.exit("usage: check_vss.py NTX REALWORLD_DIR WORK_DIR list|files")
    ntx, src, work, mode = sys.argv[1:5]
    if shutil.which("vshadowinfo") is None:
        print("SKIP: vshadowinfo is not installed (Debian package libvshadow-utils)")
        return T.SKIP
    img = disk(src, work)
    problems = []
    if mode == "list":
        mode_list(ntx, img, work, problems)
    else:
        mode_files(ntx, img, work, problems)
    print("vss %s: ntx agrees with libvshadow's tools" % mode)
    return T.finish(problems)


if __name__ == "__main__":
    T.main(main)
