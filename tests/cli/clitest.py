"""Helpers shared by the ntx CLI tests (tests/cli/*.py).

Every test gets the path of the ntx binary and of a directory holding the
decompressed fixture images (the cli_images setup test fills it), runs ntx
as a subprocess and compares its output with the manifests and with The
Sleuth Kit. A test that cannot run (a tool missing) exits with 77, which
CTest reports as skipped.
"""
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys

SKIP = 77
FIXTURES = ["sample", "ntfs-4k", "ntfs-512", "ntfs-64k", "ntfs-4kn", "ntfs-empty", "deleted-4k",
            "wof"]

# Where ntx says the data of a file stored outside it is, by the KIND of the
# manifests' '# external' notes (ntx.1, WOF AND DATA STORED ELSEWHERE): the
# line is "ntx: IMAGE: OBJECT: data stored outside this file: WHERE (reparse
# tag 0xTAG)".
EXTERNAL_WHERE = {
    "wof-wim": "WIMBoot, in a WIM file through WOF's WIM provider",
    "dedup": "Data Deduplication, in the volume's chunk store",
    "cloud": "a cloud files placeholder of OneDrive or another provider",
    "hsm": "Hierarchical Storage Management, on offline storage",
}
# ... and the KIND ls --json and ls -l give ("wof-wim" is "wim" there)
EXTERNAL_KIND = {"wof-wim": "wim", "dedup": "dedup", "cloud": "cloud", "hsm": "hsm"}


def external_line(img, obj, tag, kind):
    """The one line ntx writes when OBJECT's data is stored outside it."""
    return "ntx: %s: %s: data stored outside this file: %s (reparse tag 0x%08x)" % (
        img, obj, EXTERNAL_WHERE[kind], tag)


class Failure(Exception):
    pass


def finish(problems, what="problems", show=None):
    """End a check: print the problems found (the first show of them) and
    raise Failure naming how many, or return 0 when there are none."""
    if problems:
        for p in problems[:show]:
            print("  " + p)
        raise Failure("%d %s" % (len(problems), what))
    return 0


def args():
    if len(sys.argv) < 4:
        sys.exit("usage: %s NTX FIXTURES_DIR IMAGES_DIR [ARGS...]" % sys.argv[0])
    return sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]


def image(images, name):
    p = os.path.join(images, name + ".img")
    if not os.path.exists(p):
        raise Failure("%s missing: run the cli_images test first (ctest -L cli)" % p)
    return p


def unpack(fixtures, images, name):
    """Decompress fixtures/NAME.img.gz to IMAGES/NAME.img (once)."""
    os.makedirs(images, exist_ok=True)
    dst = os.path.join(images, name + ".img")
    src = os.path.join(fixtures, name + ".img.gz")
    if os.path.exists(dst) and os.path.getmtime(dst) >= os.path.getmtime(src):
        return dst
    tmp = dst + ".tmp%d" % os.getpid()
    with gzip.open(src, "rb") as i, open(tmp, "wb") as o:
        shutil.copyfileobj(i, o, 8 << 20)
    os.chmod(tmp, 0o444)             # the CLI must not need to write it
    os.replace(tmp, dst)
    return dst


def run(ntx, *a, ok=(0,), stdin=None, env=None, binary=False):
    e = dict(os.environ, TZ="UTC", LC_ALL="C.UTF-8")
    if env:
        e.update(env)
    p = subprocess.run([ntx] + list(a), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=e, stdin=stdin)
    if ok is not None and p.returncode not in ok:
        raise Failure("ntx %s: exit %d (expected %s)\nstderr: %s" % (
            " ".join(a), p.returncode, ok, p.stderr.decode("utf-8", "replace")[-2000:]))
    out = p.stdout if binary else p.stdout.decode("utf-8", "surrogateescape")
    return p.returncode, out, p.stderr.decode("utf-8", "surrogateescape")


def jsonl(text):
    rows = []
    for i, line in enumerate(text.splitlines()):
        try:
            rows.append(json.loads(line))
        except ValueError as e:
            raise Failure("line %d is not JSON (%s): %r" % (i + 1, e, line[:200]))
    return rows


def tool(name):
    return shutil.which(name)


def manifest(fixtures, name):
    """(rows, notes): rows TYPE MFT SIZE NLINK SHA256 TARGET PATH; notes '# key' -> [fields]."""
    rows, notes = [], {}
    with open(os.path.join(fixtures, name + ".manifest"), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("# ") and "\t" in line:
                key, *rest = line[2:].split("\t")
                notes.setdefault(key, []).append(rest)
            elif line and not line.startswith("#"):
                t, mft, size, nlink, sha, target, path = line.split("\t")
                rows.append(dict(type=t, mft=int(mft), size=int(size), nlink=int(nlink),
                                 sha256=sha, target=target, path=path))
    return rows, notes


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def file_sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(8 << 20)
            if not b:
                return h.hexdigest()
            h.update(b)


def main(fn):
    try:
        rc = fn()
    except Failure as e:
        print("FAIL: %s" % e)
        sys.exit(1)
    sys.exit(rc or 0)


def cat_sha256_many(ntx, img, items, by_record=False, opts=()):
    """[(exit code, SHA-256, bytes, stderr)] of `ntx cat img PATH` (or, with
    by_record, `ntx cat img -i MFTNUM[:STREAM]`) for each (target, expected
    size) of items, with one ntx call for all of them (under ASan every
    process costs ~0.1 s): the concatenated output is cut at the expected
    sizes. When that call fails or its output is not the sum of the sizes,
    every target is read again in a call of its own, so a problem is still
    told apart exactly. (stderr is read at the end: a hundred targets' error
    lines fit in the pipe.) opts: options of cat (["--raw"]), given to every
    call."""
    def argv(targets):
        if by_record:
            return [a for t in targets for a in ("-i", t)]
        return ["--"] + list(targets)
    p = subprocess.Popen([ntx, "cat"] + list(opts) + [img] + argv(t for t, _ in items),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    results = []
    for _, size in items:
        h, n = hashlib.sha256(), 0
        while n < size:
            b = p.stdout.read(min(4 << 20, size - n))
            if not b:
                break
            h.update(b)
            n += len(b)
        results.append((0, h.hexdigest(), n, ""))
    extra = len(p.stdout.read())
    err = p.stderr.read().decode("utf-8", "replace")
    rc = p.wait()
    if rc == 0 and not err and extra == 0 and all(r[2] == s for r, (_, s) in zip(results, items)):
        return results
    # a stream that failed or had another size shifts every piece after it,
    # and the output does not say which one: read each on its own
    return [cat_sha256(ntx, "cat", *opts, img, *argv([t])) for t, _ in items]


def cat_sha256(ntx, *a):
    """(exit code, SHA-256 of stdout, bytes, stderr) of ntx *a, streamed (5 GiB files)."""
    p = subprocess.Popen([ntx] + list(a), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    h = hashlib.sha256()
    n = 0
    while True:
        b = p.stdout.read(4 << 20)
        if not b:
            break
        h.update(b)
        n += len(b)
    err = p.stderr.read()
    rc = p.wait()
    return rc, h.hexdigest(), n, err.decode("utf-8", "replace")
