#!/usr/bin/env python3
"""The front-ends against the hostile corpus (docs/robustness.md).

usage: check_frontends.py cli  --ntx NTX --export EXPORT_SCRIPT --build BUILD
       check_frontends.py fuse --ntxfs NTXFS --export EXPORT_SCRIPT --build BUILD

Every image of tests/hostile (and every image-level fuzz reproducer) is
written out by tests/fuzz/export-images.sh, then:

 cli   each listing command (info, ls -r -a, mft, mft --slack, timeline, usn,
       their --json forms), the image's $MFT as a triage file (written out by
       ntx cat, or the bytes where the boot sector puts it) through mft,
       timeline, timeline --format jsonl and stat with --mft-file, stat of
       records 0-15, stat and cat of up to 30
       paths ls could list (the one the case damaged first; one call each for
       all the paths; cat --raw of the first 8 files), and extract of the
       whole tree: every run ends within its time limit with exit 0, 1
       (error) or 3 (partial), never by a signal; a failure says what it
       is on stderr, one line per problem, each naming the image; --json
       output is JSON. In the first shard, damaged containers made from the
       first image by the real tools (an E01 with a segment cut short, a
       VHDX with both headers overwritten, a qcow2 whose first L2 entry
       points past the end of the file, a split set with its middle segment
       cut, another without its last) get the same runs, and `ntx info`
       must fail on each with exactly one line.
 fuse  ntxfs mounts the image (or refuses it with a message and a non-zero
       exit, leaving nothing mounted); a walker in a child process lists,
       stats, reads, readlinks and reads the extended attributes of every
       entry it reaches within a budget. Failures must be errno values
       (EIO, ENOENT, ELOOP...), the walk must end in time, the daemon must be
       alive afterwards and exit 0 when unmounted, with no sanitizer report.
       The same damaged containers as for the CLI: ntxfs must refuse each
       before mounting, with exactly one line "ntxfs: PATH: ..." and exit 1,
       leaving nothing mounted. Needs root and /dev/fuse (exit 77 otherwise).

The images must also be unchanged afterwards (both front-ends open them
read-only; a SHA-256 before and after checks it).
"""
import argparse
import errno
import hashlib
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

SKIP = 77
CMD_TIMEOUT = 30       # seconds for one CLI command
WALK_TIMEOUT = 60      # seconds for the walk of one mount
WALK_ENTRIES = 2000    # entries the walker visits per mount
READ_LIMIT = 4 << 20   # bytes read per file through the mount
PATHS_PER_IMAGE = 30   # paths ls lists that the CLI stats and reads, per image
SANITIZER = ("AddressSanitizer", "LeakSanitizer", "runtime error:", "UndefinedBehaviorSanitizer")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def export(args, out):
    r = subprocess.run([args.export, args.build, out], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("export-images.sh failed: %s%s" % (r.stdout, r.stderr))
    images = []
    for sub in ("hostile", "repro"):
        d = os.path.join(out, sub)
        if os.path.isdir(d):
            images += sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".img"))
    return images


class Problems:
    def __init__(self):
        self.items = []

    def add(self, image, what):
        self.items.append("%s: %s" % (os.path.basename(image), what))

    def report(self, checked):
        for p in self.items[:200]:
            print("FAIL " + p)
        if self.items:
            print("%d problem(s) in %d images" % (len(self.items), checked))
            return 1
        print("all %d images survived" % checked)
        return 0


# ---- the CLI ----

def run_cli(ntx, image, argv, problems, ok=(0, 1, 3), out_file=None):
    """Run ntx; returns (rc, stdout) or (None, '') after a hang or crash.
    With out_file, stdout goes to that file (ntx cat writes the holes of a
    terabyte sparse stream into a file as holes, as it would for a user)."""
    cmd = [ntx] + argv
    capture = out_file is None
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE if capture else open(out_file, "wb"),
                           stderr=subprocess.PIPE,
                           timeout=CMD_TIMEOUT, env=dict(os.environ, TZ="UTC", LC_ALL="C.UTF-8"))
    except subprocess.TimeoutExpired:
        problems.add(image, "`ntx %s` still running after %d s" % (" ".join(argv[:-1]), CMD_TIMEOUT))
        return None, ""
    err = p.stderr.decode("utf-8", "replace")
    what = "`ntx %s`" % " ".join(a if a != image else "IMAGE" for a in argv)
    if p.returncode < 0:
        problems.add(image, "%s killed by signal %d" % (what, -p.returncode))
        return None, ""
    if any(s in err for s in SANITIZER):
        problems.add(image, "%s: sanitizer report: %s" % (what, err[:1500]))
    if p.returncode not in ok:
        problems.add(image, "%s: exit %d: %s" % (what, p.returncode, err[:300]))
    if p.returncode in (1, 3):
        lines = [l for l in err.splitlines() if l.strip()]
        if not lines:
            problems.add(image, "%s: exit %d with nothing on stderr" % (what, p.returncode))
        name = os.path.basename(image)
        for l in lines:
            if not l.startswith("ntx: ") or name not in l:
                problems.add(image, "%s: stderr line does not name the image: %r" % (what, l[:200]))
                break
    return p.returncode, p.stdout.decode("utf-8", "surrogateescape") if capture else ""


def check_json(image, what, out, problems):
    rows = []
    for line in out.splitlines():
        try:
            rows.append(json.loads(line))
        except ValueError:
            problems.add(image, "%s: not JSON: %r" % (what, line[:200]))
            return []
    return rows


def case_cli(args, image, problems, scratch):
    ntx = args.ntx
    for argv in (["info"], ["info", "--json"], ["partitions"], ["ls", "-l", "-r", "-a"],
                 ["mft"], ["mft", "-a", "--slack"], ["timeline"], ["usn"]):
        run_cli(ntx, image, argv + [image], problems, ok=(0, 1, 3))
    for argv in (["mft", "-a", "--slack", "--json"], ["usn", "--json"]):
        rc, out = run_cli(ntx, image, argv + [image], problems)
        if rc is not None:
            check_json(image, "ntx " + " ".join(argv), out, problems)
    rc, out = run_cli(ntx, image, ["ls", "-r", "-a", "--json", image, "/"], problems)
    rows = check_json(image, "ntx ls --json", out, problems) if rc is not None else []
    # one process for many targets: under ASan each process costs ~0.1 s
    run_cli(ntx, image, ["stat", image, "-i", "0-15"], problems)
    out = os.path.join(scratch, "cat.out")
    # The path the case damaged first, then the others; the root's system
    # files ($MFT, $Secure...) are the same in every image and reached by
    # info, mft and stat -i already.
    target = args.case_paths.get(os.path.basename(image)[:-4])
    rows = sorted((r for r in rows if not str(r.get("path", "")).startswith("/$")),
                  key=lambda r: r.get("path") != target)
    rows = [r for r in rows[:PATHS_PER_IMAGE] if isinstance(r.get("path"), str)]
    # a name holding U+0000 cannot be an argument: -i reaches that file
    wheres = [[r["path"]] if "\0" not in r["path"] else ["-i", str(r.get("mft"))] for r in rows]
    streams = [w for r, w in zip(rows, wheres) if r.get("type") in ("file", "stream")]
    raw = [["-i", str(r.get("mft"))] for k, r in enumerate(rows) if r.get("type") == "file" and k < 8]
    for argv, targets in ((["stat", "--json"], wheres), (["cat"], streams), (["cat", "--raw"], raw)):
        # one call for the paths, one for the records (-i given again for each)
        paths = [w[0] for w in targets if w[0] != "-i"]
        records = [a for w in targets if w[0] == "-i" for a in w]
        for more in (["--"] + paths if paths else None, records or None):
            if more:
                run_cli(ntx, image, argv + [image] + more, problems,
                        out_file=out if argv[0] == "cat" else None)
    if os.path.exists(out):
        os.unlink(out)
    dest = os.path.join(scratch, "extract")
    shutil.rmtree(dest, ignore_errors=True)
    run_cli(ntx, image, ["extract", "-a", "--streams", "--no-progress", image, "/", dest], problems)
    shutil.rmtree(dest, ignore_errors=True)
    case_triage(ntx, image, problems, scratch)


def raw_mft(image, out, records=256):
    """The bytes where the boot sector puts $MFT (records * 1 KiB), for an
    image whose $MFT ntx cat cannot write out: its damage is then read
    through --mft-file too."""
    with open(image, "rb") as f:
        boot = f.read(512)
        bps = struct.unpack_from("<H", boot, 0x0B)[0]
        spc = boot[0x0D] if boot[0x0D] <= 0x80 else 1 << (256 - boot[0x0D])
        lcn = struct.unpack_from("<Q", boot, 0x30)[0]
        if not bps or not spc or lcn * bps * spc > os.path.getsize(image):
            return False
        f.seek(lcn * bps * spc)
        data = f.read(records * 1024)
    with open(out, "wb") as o:
        o.write(data)
    return len(data) > 0


def case_triage(ntx, image, problems, scratch):
    """The same image's $MFT as a triage file: written out by ntx cat (or
    taken raw where the boot sector puts it), then read with --mft-file."""
    mft = os.path.join(scratch, os.path.basename(image) + ".MFT")
    rc, _ = run_cli(ntx, image, ["cat", image, "$MFT"], problems, out_file=mft)
    if rc != 0 or os.path.getsize(mft) == 0:
        if not raw_mft(image, mft):
            return
    for argv in (["mft", "-a", "--mft-file", mft], ["timeline", "--mft-file", mft],
                 ["stat", "-i", "0-15", "--mft-file", mft]):
        run_cli(ntx, image, argv, problems)
    rc, out = run_cli(ntx, image, ["timeline", "--format", "jsonl", "--mft-file", mft], problems)
    if rc is not None:
        check_json(image, "ntx timeline --format jsonl --mft-file", out, problems)
    os.unlink(mft)


def damaged_containers(image, out):
    """Containers of image broken in one way each, made with the tools that
    are installed: [(path, what)]."""
    os.makedirs(out, exist_ok=True)
    made = []
    size = os.path.getsize(image)

    def tool(argv, **kw):
        return shutil.which(argv[0]) is not None and subprocess.run(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw).returncode == 0

    base = os.path.join(out, "ewf")
    with open(image, "rb") as i:
        if tool(["ewfacquirestream", "-q", "-c", "none", "-S", "1MiB", "-t", base], stdin=i) \
                and os.path.exists(base + ".E02"):
            os.truncate(base + ".E02", 300000)
            made.append((base + ".E01", "E01 segment cut short"))
    vhdx = os.path.join(out, "bad.vhdx")
    if tool(["qemu-img", "convert", "-O", "vhdx", image, vhdx]):
        with open(vhdx, "r+b") as f:
            for off in (64 << 10, 128 << 10):  # both headers
                f.seek(off)
                f.write(b"\xde\xad" * 2048)
        made.append((vhdx, "VHDX headers overwritten"))
    qcow = os.path.join(out, "bad.qcow2")
    if tool(["qemu-img", "convert", "-O", "qcow2", image, qcow]):
        with open(qcow, "r+b") as f:  # qcow2 header: L1 table offset at byte 40
            l1 = struct.unpack_from(">Q", f.read(48), 40)[0]
            f.seek(l1)
            l2 = struct.unpack(">Q", f.read(8))[0] & 0x00fffffffffffe00
            end = f.seek(0, 2)
            f.seek(l2)
            f.write(struct.pack(">Q", (1 << 63) | ((end + (1 << 30)) & ~0xFFFF)))
        made.append((qcow, "qcow2 L2 entry past the end of the file"))
    seg = max(4096, (size // 3 + 4095) & ~4095)
    for name, fix in (("cut", lambda b: os.truncate(b + ".002", seg // 2)),
                      ("short", lambda b: os.unlink(b + ".003"))):
        b = os.path.join(out, name)
        if tool(["split", "-b", str(seg), "-d", "-a", "3", "--numeric-suffixes=1", image,
                 b + "."]) and os.path.exists(b + ".003"):
            fix(b)
            made.append((b + ".001", "split set, %s" % ("middle segment cut" if name == "cut"
                                                         else "last segment missing")))
    return made


def case_container(args, path, what, problems, scratch):
    """One damaged container: info fails with one line; the rest survive."""
    r = subprocess.run([args.ntx, "info", path], capture_output=True, timeout=CMD_TIMEOUT)
    lines = r.stderr.decode("utf-8", "replace").splitlines()
    if r.returncode != 1 or len(lines) != 1 or not lines[0].startswith("ntx: "):
        problems.add(path, "%s: `ntx info` exit %d, stderr %r (one error line expected)"
                     % (what, r.returncode, lines))
    case_cli(args, path, problems, scratch)


# ---- the FUSE mount ----

def mounted(path):
    path = os.path.realpath(path)
    with open("/proc/self/mountinfo") as f:
        return any(line.split()[4].replace("\\040", " ") == path for line in f)


def unmount(mnt):
    if mounted(mnt):
        r = subprocess.run(["fusermount3", "-u", mnt], capture_output=True)
        if r.returncode != 0:
            subprocess.run(["umount", "-l", mnt], capture_output=True)


def walk(mnt):
    """The child process: visit what the mount shows; print one JSON summary."""
    errors = {}
    fatal = []
    count = 0

    def note(e):
        name = errno.errorcode.get(e.errno, str(e.errno))
        errors[name] = errors.get(name, 0) + 1
        if e.errno in (errno.ENOTCONN, errno.ECONNABORTED):
            fatal.append("%s: %s" % (e.filename, e))

    todo = [mnt]
    while todo and count < WALK_ENTRIES and not fatal:
        d = todo.pop(0)
        try:
            names = os.listdir(d)
        except OSError as e:
            note(e)
            continue
        for n in names:
            if count >= WALK_ENTRIES:
                break
            count += 1
            p = os.path.join(d, n)
            try:
                st = os.lstat(p)
            except OSError as e:
                note(e)
                continue
            try:
                for x in os.listxattr(p, follow_symlinks=False)[:16]:
                    try:
                        os.getxattr(p, x, follow_symlinks=False)
                    except OSError as e:
                        note(e)
            except OSError as e:
                note(e)
            try:
                if os.path.islink(p):
                    os.readlink(p)
                elif os.path.isdir(p):
                    todo.append(p)
                else:
                    with open(p, "rb") as f:
                        left = READ_LIMIT
                        while left > 0:
                            b = f.read(min(left, 1 << 20))
                            if not b:
                                break
                            left -= len(b)
                        if st.st_size > 8192:
                            f.seek(st.st_size // 2 + 1)
                            f.read(5000)
            except OSError as e:
                note(e)
    try:
        os.statvfs(mnt)
    except OSError as e:
        note(e)
    print(json.dumps({"entries": count, "errors": errors, "fatal": fatal}))
    return 0


def case_fuse(args, image, problems, scratch):
    mnt = os.path.join(scratch, "mnt")
    os.makedirs(mnt, exist_ok=True)
    log = os.path.join(scratch, "ntxfs.log")
    proc = subprocess.Popen([args.ntxfs, image, mnt, "-f"], stdout=open(log, "w"),
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 20
        while time.time() < deadline and not mounted(mnt) and proc.poll() is None:
            time.sleep(0.02)
        if not mounted(mnt):
            if proc.poll() is None:
                problems.add(image, "ntxfs neither mounted nor exited in 20 s")
                return
            msg = open(log, errors="replace").read().strip()
            if proc.returncode == 0 or not msg:
                problems.add(image, "ntxfs refused the image with exit %d and message %r"
                             % (proc.returncode, msg))
            if any(s in msg for s in SANITIZER):
                problems.add(image, "ntxfs: sanitizer report: " + msg[:1500])
            return
        try:
            w = subprocess.run([sys.executable, __file__, "walk", mnt], capture_output=True,
                               text=True, timeout=WALK_TIMEOUT)
            if w.returncode != 0:
                problems.add(image, "walker failed: " + (w.stdout + w.stderr)[-1500:])
            else:
                summary = json.loads(w.stdout.strip().splitlines()[-1])
                for f in summary["fatal"]:
                    problems.add(image, "the daemon went away: " + f)
                args.walked += summary["entries"]
                for k, v in summary["errors"].items():
                    args.errnos[k] = args.errnos.get(k, 0) + v
        except subprocess.TimeoutExpired:
            problems.add(image, "the walk through the mount hung (%d s)" % WALK_TIMEOUT)
        if proc.poll() is not None:
            problems.add(image, "ntxfs died during the walk (exit %d): %s"
                         % (proc.returncode, open(log, errors="replace").read()[-1500:]))
    finally:
        unmount(mnt)
        try:
            rc = proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = proc.wait()
            problems.add(image, "ntxfs did not exit after the unmount")
        if mounted(mnt):
            problems.add(image, "still mounted after the test")
    msg = open(log, errors="replace").read()
    if rc != 0:
        problems.add(image, "ntxfs exited with %d after the unmount: %s" % (rc, msg[-1500:]))
    if any(s in msg for s in SANITIZER):
        problems.add(image, "ntxfs: sanitizer report: " + msg[:1500])


def case_fuse_container(args, path, what, problems, scratch):
    """One damaged container: ntxfs refuses it before mounting, with exactly
    one line "ntxfs: PATH: ..." and exit 1, and leaves nothing mounted."""
    mnt = os.path.join(scratch, "mnt")
    os.makedirs(mnt, exist_ok=True)
    try:
        r = subprocess.run([args.ntxfs, path, mnt, "-f"], capture_output=True,
                           timeout=CMD_TIMEOUT)
    except subprocess.TimeoutExpired:
        problems.add(path, "%s: ntxfs neither refused it nor returned in %d s"
                     % (what, CMD_TIMEOUT))
        unmount(mnt)
        return
    err = r.stderr.decode("utf-8", "replace")
    lines = err.splitlines()
    if r.returncode != 1 or len(lines) != 1 or not lines[0].startswith("ntxfs: %s: " % path):
        problems.add(path, "%s: ntxfs exit %d, stderr %r (one error line expected)"
                     % (what, r.returncode, lines))
    if any(s in err for s in SANITIZER):
        problems.add(path, "%s: ntxfs: sanitizer report: %s" % (what, err[:1500]))
    if mounted(mnt):
        problems.add(path, "%s: left mounted" % what)
        unmount(mnt)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "walk":
        return walk(sys.argv[2])
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("cli", "fuse"))
    ap.add_argument("--ntx")
    ap.add_argument("--ntxfs")
    ap.add_argument("--export", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--only", help="one image (substring of its name)")
    ap.add_argument("--shard", default="0/1",
                    help="K/N: check the images whose index is K modulo N (CTest runs shards side by side)")
    args = ap.parse_args()
    shard, shards = (int(x) for x in args.shard.split("/"))
    if args.mode == "fuse":
        if os.geteuid() != 0 or not os.path.exists("/dev/fuse"):
            print("SKIP: mounting needs root and /dev/fuse")
            return SKIP
        if shutil.which("fusermount3") is None:
            print("FAIL: fusermount3 is not installed (Debian: apt-get install fuse3)")
            return 1
    args.walked = 0
    args.errnos = {}

    scratch = tempfile.mkdtemp(prefix="ntx-hostile-%s." % args.mode)
    signal.signal(signal.SIGTERM, lambda s, f: sys.exit("interrupted"))
    problems = Problems()
    checked = 0
    t0 = time.time()
    try:
        images = export(args, os.path.join(scratch, "images"))
        args.case_paths = {}
        with open(os.path.join(scratch, "images", "hostile", "expected.tsv")) as f:
            for line in f:
                cols = line.rstrip("\n").split("\t")
                if not line.startswith("#") and len(cols) > 3 and cols[3] != "-":
                    args.case_paths[cols[0]] = cols[3]
        if len(images) < 40:
            print("FAIL: only %d images exported" % len(images))
            return 1
        for i, image in enumerate(images):
            if args.only and args.only not in os.path.basename(image):
                continue
            if i % shards != shard:
                continue
            before = sha256(image)
            t1 = time.time()
            os.chmod(image, 0o444)
            if args.mode == "cli":
                case_cli(args, image, problems, scratch)
            else:
                case_fuse(args, image, problems, scratch)
            if os.environ.get("NTX_HOSTILE_TIMES"):
                print("%6.2f s %s" % (time.time() - t1, os.path.basename(image)))
            if sha256(image) != before:
                problems.add(image, "the image changed")
            checked += 1
        if shard == 0 and not args.only and images:
            for path, what in damaged_containers(images[0], os.path.join(scratch, "containers")):
                if args.mode == "cli":
                    case_container(args, path, what, problems, scratch)
                else:
                    case_fuse_container(args, path, what, problems, scratch)
                checked += 1
    finally:
        mnt = os.path.join(scratch, "mnt")
        if os.path.isdir(mnt) and mounted(mnt):
            unmount(mnt)
        if not (os.path.isdir(mnt) and mounted(mnt)):
            shutil.rmtree(scratch, ignore_errors=True)
    if args.mode == "fuse":
        print("walked %d entries; errno counts: %s" % (args.walked, json.dumps(args.errnos)))
    print("%.1f s" % (time.time() - t0))
    return problems.report(checked)


if __name__ == "__main__":
    sys.exit(main())
