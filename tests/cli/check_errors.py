#!/usr/bin/env python3
"""Exit codes and error lines; no crash on damaged images.

usage: check_errors.py NTX FIXTURES_DIR IMAGES_DIR

 * usage errors exit 2; a missing or unreadable image, or a missing object,
   exits 1 with one line "ntx: IMAGE: OBJECT: problem" on standard error;
 * several targets (stat PATH..., stat -i N -i FIRST-LAST..., cat PATH...,
   cat -i N -i N:STREAM...) print
   what each single call prints, in order (cat into a file keeps the holes of
   a sparse stream wherever it starts); exit 3 when only some could be opened, 1
   when none could, a range that runs past $MFT ends there;
 * damaged copies of sample.img: a zeroed boot sector is read from the
   backup; with both gone the volume is refused; a torn MFT record is named
   (record number and check) and a listing goes on without it (exit 3);
 * 300 randomly damaged copies (bytes of the boot sector, $MFT and the index
   blocks overwritten): every subcommand exits 0, 1 or 3, never on a signal.
"""
import os
import random
import re
import subprocess
import tempfile

import clitest as T

LINE = re.compile(r"^ntx: .+")


def one_line(err, what):
    lines = err.splitlines()
    if len(lines) != 1 or not LINE.match(lines[0]):
        raise T.Failure("%s: expected one error line, got %r" % (what, err))
    return lines[0]


def data_extents(path):
    """(start, end) of the data of a file with holes (SEEK_DATA/SEEK_HOLE)."""
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


def same_sparse(parts, whole):
    """Is file `whole` the files `parts` one after another? Compares only
    where either side holds data: everything else is a hole, so zeros."""
    layout, pos = [], 0
    for p in parts:
        layout.append((pos, p, os.path.getsize(p)))
        pos += os.path.getsize(p)
    if os.path.getsize(whole) != pos:
        return False

    def expected(a, n):
        out = bytearray(n)
        for start, p, size in layout:
            lo, hi = max(a, start), min(a + n, start + size)
            if lo < hi:
                with open(p, "rb") as f:
                    f.seek(lo - start)
                    out[lo - a:hi - a] = f.read(hi - lo)
        return bytes(out)

    spans = data_extents(whole)
    spans += [(start + a, start + b) for start, p, _ in layout for a, b in data_extents(p)]
    with open(whole, "rb") as f:
        for a, b in spans:
            f.seek(a)
            if f.read(b - a) != expected(a, b - a):
                return False
    return True


def several_cats(ntx, images):
    """cat of several PATHs against one call each, through a pipe and into
    a file (where the 5 GiB sparse stream's holes stay holes)."""
    problems = []
    img = T.image(images, "ntfs-4k")
    sparse, small = "/sparse/sparse-5GiB.bin", "/ads/streams.txt"
    with tempfile.TemporaryDirectory() as tmp:
        single = {}
        for i, path in enumerate((sparse, small)):
            single[path] = os.path.join(tmp, "single%d" % i)
            with open(single[path], "wb") as f:
                subprocess.run([ntx, "cat", img, path], stdout=f, check=True)
        for order in ((sparse, small), (small, sparse, small)):
            whole = os.path.join(tmp, "whole")
            with open(whole, "wb") as f:
                rc = subprocess.run([ntx, "cat", img] + list(order), stdout=f).returncode
            if rc != 0 or not same_sparse([single[p] for p in order], whole):
                problems.append("cat %s > file: exit %d, not the single calls one after another"
                                % (" ".join(order), rc))
            os.unlink(whole)
    # -i given again: record 167 is /ads/streams.txt; :STREAM per record
    _, named, _ = T.run(ntx, "cat", img, "/ads/streams.txt:small", binary=True, ok=None)
    _, one, _ = T.run(ntx, "cat", img, small, binary=True)
    rc, out, err = T.run(ntx, "cat", img, "-i", "167", "-i", "167:small", "-i", "167", binary=True,
                         ok=None)
    if rc != 0 or not named or out != one + named + one:
        problems.append("cat -i 167 -i 167:small -i 167: exit %d, not the single calls in order" % rc)
    rc, out, err = T.run(ntx, "cat", img, small, "/nope", small, binary=True, ok=None)
    if rc != 3 or out != one + one or "/nope: not found" not in err or err.count("\n") != 1:
        problems.append("cat %s /nope %s: exit %d (expected 3), %r" % (small, small, rc, err))
    return problems


def several_targets(ntx, sample):
    """stat with several PATHs or a range of records against one call each:
    the same bytes, in order (a blank line between records in text form)."""
    problems = []
    _, js, _ = T.run(ntx, "info", "--json", sample)
    records = T.jsonl(js)[0]["mft_records"]

    def single(*args):
        rc, out, err = T.run(ntx, "stat", sample, *args, ok=None)
        return rc, out

    for form in ([], ["--json"]):
        sep = "" if form else "\n"
        singles = [single(*form, "-i", str(n)) for n in range(0, 16)]
        want = sep.join(out for rc, out in singles if rc == 0)
        rc, out, err = T.run(ntx, "stat", *form, "-i", "0-15", sample, ok=None)
        if rc != 0 or out != want or err:
            problems.append("stat %s-i 0-15: exit %d, %d bytes, differs from 16 single calls: %r"
                            % (" ".join(form + [""]), rc, len(out), err[:300]))
        # -i given again, a range among them, in the order given
        want = sep.join(single(*form, "-i", str(n))[1] for n in (64, 0, 1, 2, 65))
        rc, out, err = T.run(ntx, "stat", *form, sample, "-i", "64", "-i", "0-2", "-i", "65", ok=None)
        if rc != 0 or out != want:
            problems.append("stat %s-i 64 -i 0-2 -i 65: exit %d, differs from the single calls"
                            % (" ".join(form + [""]), rc))
        paths = ["/", "/hello.txt", "/docs"]
        want = sep.join(single(*form, p)[1] for p in paths)
        rc, out, err = T.run(ntx, "stat", *form, sample, *paths, ok=None)
        if rc != 0 or out != want:
            problems.append("stat %s%s: exit %d, differs from the single calls"
                            % (" ".join(form + [""]), " ".join(paths), rc))
    # only some opened: what could be, then exit 3 with one line per failure
    rc, out, err = T.run(ntx, "stat", sample, "/nope", "/hello.txt", ok=None)
    if rc != 3 or out != single("/hello.txt")[1] or err.count("\n") != 1 or "/nope: not found" not in err:
        problems.append("stat /nope /hello.txt: exit %d (expected 3), %r" % (rc, err))
    rc, out, err = T.run(ntx, "stat", sample, "/nope", "/nope2", ok=None)
    if rc != 1 or out or err.count("\n") != 2:
        problems.append("stat /nope /nope2: exit %d (expected 1), %r" % (rc, err))
    # a range past the end of $MFT ends with its last record; one starting there fails
    rc, out, err = T.run(ntx, "stat", "--json", "-i", "%d-99999999999" % (records - 2), sample, ok=None)
    got = [r["mft"] for r in T.jsonl(out)] if rc in (0, 3) else []
    want = [n for n in (records - 2, records - 1) if single("-i", str(n))[0] == 0]
    if got != want or rc != (0 if len(want) == 2 else 3):
        problems.append("stat -i %d-99999999999: exit %d, records %r, expected %r"
                        % (records - 2, rc, got, want))
    rc, out, err = T.run(ntx, "stat", "-i", "%d-%d" % (records, records + 5), sample, ok=None)
    if rc != 1 or "no such record" not in err or err.count("\n") != 1:
        problems.append("stat -i past $MFT: exit %d, %r" % (rc, err))
    return problems


def main():
    ntx, fixtures, images, _ = T.args()
    sample = T.image(images, "sample")
    problems = []

    # usage
    for args in ([], ["frobnicate", sample], ["ls"], ["ls", "--bogus", sample],
                 ["ls", "-z", sample], ["cat", "--raw"], ["recover", sample, "out"],
                 ["ls", "--partition", "0", sample], ["ls", "--offset", "x", sample],
                 ["ls", "--partition", "1", "--offset", "0", sample], ["stat", sample],
                 ["info", "--raw", sample], ["extract", sample, "/"], ["ls", sample, "a", "b"],
                 ["stat", "-i", "5-3", sample], ["stat", "-i", "5-x", sample],
                 ["cat", "-i", "5-6", sample], ["stat", "-i", "5", sample, "/"],
                 ["ls", "-i", "5", "-i", "5", sample], ["cat", "-i", "65", sample, "/hello.txt"]):
        rc, out, err = T.run(ntx, *args, ok=None)
        if rc != 2:
            problems.append("ntx %s: exit %d, expected 2 (%r)" % (" ".join(args), rc, err))
    for args in (["--help"], ["help", "ls"], ["ls", "--help"], ["--version"]):
        rc, out, _ = T.run(ntx, *args, ok=None)
        if rc != 0 or "usage" not in out and "ntx" not in out:
            problems.append("ntx %s: exit %d" % (" ".join(args), rc))

    problems += several_targets(ntx, sample)
    problems += several_cats(ntx, images)

    # missing image / object
    with tempfile.TemporaryDirectory() as tmp:
        cases = [(["info", os.path.join(tmp, "nope.img")], "No such file"),
                 (["info", tmp], "is a directory"),
                 (["ls", sample, "/no/such/dir"], "/no/such/dir: not found"),
                 (["cat", sample, "/docs"], "is a directory"),
                 (["cat", sample, "/hello.txt:nostream"], "no such stream"),
                 (["stat", "-i", "999999", sample], "no such record"),
                 (["ls", sample, "/hello.txt/x"], "not a directory"),
                 # R45 (docs/robustness.md): a path holding the byte 0xFF
                 (["cat", sample, "/bad-\udcff-utf8"], "invalid name"),
                 (["cat", sample, "/" + "x" * 300], "name too long"),
                 (["stat", "-i", "99999999999999999999", sample], None)]
        empty = os.path.join(tmp, "empty.img")
        open(empty, "wb").close()
        cases.append((["info", empty], "no NTFS volume"))
        junk = os.path.join(tmp, "junk.img")
        with open(junk, "wb") as f:
            f.write(random.Random(1).randbytes(1 << 20))
        cases.append((["ls", junk], "no NTFS volume"))
        for args, text in cases:
            rc, out, err = T.run(ntx, *args, ok=None)
            if text is None:  # a usage error
                if rc != 2:
                    problems.append("ntx %s: exit %d, expected 2" % (" ".join(args), rc))
                continue
            try:
                line = one_line(err, " ".join(args))
            except T.Failure as e:
                problems.append(str(e))
                continue
            if rc != 1 or text not in line:
                problems.append("ntx %s: exit %d, %r (expected 1, %r)" % (" ".join(args), rc, line, text))

        data = bytearray(open(sample, "rb").read())
        # the boot sector zeroed: the backup in the last sector serves
        img = os.path.join(tmp, "noboot.img")
        d = bytearray(data)
        d[0:512] = bytes(512)
        open(img, "wb").write(d)
        rc, out, err = T.run(ntx, "info", img, ok=None)
        if rc != 0 or "BACKUP" not in out:
            problems.append("zeroed boot sector: exit %d, %r" % (rc, err))
        # both boot sectors zeroed
        d[-512:] = bytes(512)
        open(img, "wb").write(d)
        rc, out, err = T.run(ntx, "ls", img, ok=None)
        if rc != 1:
            problems.append("no boot sector: exit %d" % rc)
        one_line(err, "no boot sector")
        # a torn MFT record: /hello.txt is record 65; its first sector's tail
        # no longer matches the update sequence number
        _, js, _ = T.run(ntx, "info", "--json", sample)
        info = T.jsonl(js)[0]
        rec = info["mft_lcn"] * info["cluster_size"] + 65 * info["record_size"]
        d = bytearray(data)
        d[rec + 510] ^= 0xFF
        img = os.path.join(tmp, "torn.img")
        open(img, "wb").write(d)
        rc, out, err = T.run(ntx, "cat", img, "/hello.txt", ok=None)
        line = one_line(err, "torn record")
        if rc != 1 or "record 65" not in line or "torn" not in line:
            problems.append("torn record: exit %d, %r" % (rc, line))
        # a short listing reads no child record (the index says enough): the
        # long one needs the torn record's $STANDARD_INFORMATION
        rc, out, err = T.run(ntx, "ls", "-r", "-l", img, ok=None)
        if rc != 3 or "README.txt" not in out or len(err.splitlines()) != 1:
            problems.append("ls -r -l over a torn record: exit %d, %r" % (rc, err))
        rc, out, err = T.run(ntx, "mft", img, ok=None)
        if rc != 3 or "record 65" not in err:
            problems.append("mft over a torn record: exit %d, %r" % (rc, err))

        # random damage: no signal, only documented exit codes
        rnd = random.Random(4)
        mft0 = info["mft_lcn"] * info["cluster_size"]
        regions = [(0, 512), (mft0, 80 * info["record_size"]), (len(data) - 512, 512)]
        _, lsout, _ = T.run(ntx, "ls", "-r", "--json", sample)
        idx = [e for e in T.jsonl(lsout)]
        runs = 0
        cmds = [["info"], ["ls", "-r", "-a", "-l"], ["mft", "-a", "--slack"], ["timeline"],
                ["stat", "-i", "5"], ["cat", "/pictures/sunset.png"], ["usn"],
                ["extract", "/", None]]
        for k in range(300):
            d = bytearray(data)
            start, size = regions[rnd.randrange(len(regions))] if k % 3 else (mft0 + 5 * 1024, 1024)
            for _ in range(rnd.randint(1, 16)):
                p = start + rnd.randrange(size)
                d[p] = rnd.randrange(256)
            img = os.path.join(tmp, "fuzz.img")
            open(img, "wb").write(d)
            c = cmds[k % len(cmds)]
            args = [a if a is not None else os.path.join(tmp, "x%d" % k) for a in c]
            p = subprocess.run([ntx, args[0], img] + args[1:], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, timeout=60)
            runs += 1
            if p.returncode not in (0, 1, 3):
                problems.append("damaged image %d, ntx %s: exit %d %s" % (
                    k, " ".join(c[:2]), p.returncode, p.stderr[-500:]))
                break
            for l in p.stderr.decode("utf-8", "replace").splitlines():
                if not l.startswith("ntx: "):
                    problems.append("damaged image %d: stray stderr line %r" % (k, l))
                    break
    print("errors: %d damaged images, every exit code as documented" % runs)
    return T.finish(problems, show=30)


if __name__ == "__main__":
    T.main(main)
