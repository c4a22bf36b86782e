"""Helpers of the real-volume tests (tests/realworld/): disks formatted and
written by Windows 10, kept outside the repository (CC0, from the public
msuhanov/ntfs-samples collection) and found through the NTX_REALWORLD_DIR
CMake setting, by default the folder `shared/realworld` next to the
project's own folder. When it is missing every test exits 77 (skipped) and
says where it looked.

The setup test unpacks each disk once into the build tree, keeping its holes
(the 20H1 disk is 64 GiB with about 60 MB of data), read-only.
"""
import hashlib
import os
import shutil
import subprocess
import sys

SKIP = 77

# name -> (file in the folder, member or None, byte offset of the NTFS partition)
IMAGES = {
    "win10-ptrn": ("win10-ptrn.raw.gz", None, 128 * 512),
    "win10-ramslack": ("win10-ramslack.raw.gz", None, 128 * 512),
    "win10-lastaccess": ("win10-lastaccess.raw.gz", None, 128 * 512),
    "win10-2m": ("win10-2m.raw.gz", None, 128 * 512),
    "win10-si-vs-fn": ("win10-si-vs-fn.raw.gz", None, 128 * 512),
    "win10-20h1": ("win10-20h1.tgz", "ntfs.raw", 2048 * 512),
}


class Failure(Exception):
    pass


def skip_if_absent(src):
    if not os.path.isdir(src) or not all(
            os.path.exists(os.path.join(src, f)) for f, _, _ in IMAGES.values()):
        print("SKIP: the real Windows volumes are not in %s (set NTX_REALWORLD_DIR "
              "at configure time to the folder holding win10-*.raw.gz and win10-20h1.tgz)"
              % src)
        sys.exit(SKIP)


def unpack(src, dst_dir, name):
    """The unpacked disk NAME in dst_dir (made once, read-only). gzip and dd
    (conv=sparse) keep the zero blocks as holes; GNU tar restores the sparse
    member of the 20H1 archive with its holes in under a second."""
    fname, member, _ = IMAGES[name]
    os.makedirs(dst_dir, exist_ok=True)
    dst = os.path.join(dst_dir, name + ".raw")
    srcf = os.path.join(src, fname)
    if os.path.exists(dst) and os.path.getmtime(dst) >= os.path.getmtime(srcf):
        return dst
    tmp = dst + ".tmp%d" % os.getpid()
    if member is None:
        cmd = "gzip -dc \"$1\" | dd of=\"$2\" conv=sparse bs=1M status=none"
        subprocess.run(["sh", "-c", cmd, "sh", srcf, tmp], check=True)
    else:
        os.makedirs(tmp, exist_ok=True)
        subprocess.run(["tar", "-xzf", srcf, "-C", tmp, member], check=True)
        os.replace(os.path.join(tmp, member), tmp + ".raw")
        os.rmdir(tmp)
        tmp += ".raw"
    os.chmod(tmp, 0o444)
    os.utime(tmp)
    os.replace(tmp, dst)
    return dst


def image(dst_dir, name):
    p = os.path.join(dst_dir, name + ".raw")
    if not os.path.exists(p):
        raise Failure("%s missing: run the realworld.unpack test first (ctest -L realworld)" % p)
    return p


def offset(name):
    return IMAGES[name][2]


def run(argv, ok=(0,), binary=False):
    e = dict(os.environ, TZ="UTC", LC_ALL="C.UTF-8")
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e)
    if ok is not None and p.returncode not in ok:
        raise Failure("%s: exit %d (expected %s)\nstderr: %s" % (
            " ".join(argv), p.returncode, ok, p.stderr.decode("utf-8", "replace")[-2000:]))
    out = p.stdout if binary else p.stdout.decode("utf-8", "surrogateescape")
    return p.returncode, out, p.stderr.decode("utf-8", "surrogateescape")


def which(tool):
    return shutil.which(tool)


def hash_output(argv):
    """(exit status, SHA-256 of what argv writes to stdout, its stderr),
    read in pieces: a 1 GiB stream never sits in memory."""
    e = dict(os.environ, TZ="UTC", LC_ALL="C.UTF-8")
    h = hashlib.sha256()
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e) as p:
        while True:
            b = p.stdout.read(1 << 20)
            if not b:
                break
            h.update(b)
        err = p.stderr.read().decode("utf-8", "replace")
        rc = p.wait()
    return rc, h.hexdigest(), err


def sha256(b):
    return hashlib.sha256(b).hexdigest()


def main(fn):
    try:
        rc = fn()
    except Failure as e:
        print("FAIL: %s" % e)
        sys.exit(1)
    sys.exit(rc or 0)
