#!/usr/bin/env python3
"""`ntx extract`: trees copied out with their bytes, times, links and holes.

usage: check_extract.py NTX FIXTURES_DIR IMAGES_DIR

 * sample and ntfs-4k extracted whole: every manifest file has its SHA-256,
   its modification time (to 100 ns) is the $STANDARD_INFORMATION one, links
   are links with the target ntx reads, the 5 GiB sparse file stays sparse;
   the only failures are the names longer than 255 UTF-8 bytes, which Linux
   cannot create (reported, exit 3);
 * wof extracted whole: every WOF-compressed file written decompressed with
   the manifest's SHA-256 (the original bytes), the 4 GiB one included and
   taking almost no disk (its zeroed blocks become holes); the five files
   whose data is stored outside the volume skipped, each with the one
   documented line naming where the data is (exit 3), none created; one of
   them asked for alone: exit 1, nothing written;
 * --streams writes named streams as NAME:STREAM files;
 * one file; a non-empty DEST without -f is refused;
 * a progress bar on a terminal (a pty), nothing on a pipe.
"""
import os
import pty
import subprocess
import tempfile
from datetime import datetime, timezone

import clitest as T


def ns(iso):
    date, frac = iso.rstrip("Z").split(".")
    dt = datetime.strptime(date, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    return int(dt.timestamp()) * 10**9 + int(frac) * 100


def check_tree(ntx, img, rows, dest, problems, name):
    _, out, _ = T.run(ntx, "ls", "-r", "--json", img)
    info = {e["path"]: e for e in T.jsonl(out)}
    checked = 0
    for r in rows:
        p = r["path"]
        if p == "/" or r["type"] == "s":
            continue
        local = os.path.join(dest, p.lstrip("/"))
        if any(len(c.encode()) > 255 for c in p.split("/")):
            continue
        e = info[p]
        try:
            st = os.lstat(local)
        except OSError as x:
            problems.append("%s %s: %s" % (name, p, x))
            continue
        checked += 1
        if r["type"] == "l":
            if os.readlink(local) != e["target"]:
                problems.append("%s %s: link %r, expected %r" % (name, p, os.readlink(local), e["target"]))
            continue
        if r["type"] == "f" and r["size"] < 1 << 30 and T.file_sha256(local) != r["sha256"]:
            # (the 5 GiB sparse file: its holes are checked below, its bytes by check_manifest)
            problems.append("%s %s: content differs" % (name, p))
        if e["modified"] and st.st_mtime_ns != ns(e["modified"]):
            problems.append("%s %s: mtime %d, expected %d" % (name, p, st.st_mtime_ns, ns(e["modified"])))
    return checked


def check_wof(ntx, images, fixtures, tmp, problems):
    img = T.image(images, "wof")
    rows, notes = T.manifest(fixtures, "wof")
    external = {n[0]: n for n in notes.get("external", [])}
    dest = os.path.join(tmp, "wof")
    rc, _, err = T.run(ntx, "extract", img, "/", dest, ok=(3,))
    want = sorted(T.external_line(img, p, int(tag, 16), kind)
                  for p, tag, kind in external.values())
    if sorted(err.splitlines()) != want:
        problems.append("wof extract: stderr %r, expected %r" % (err.splitlines(), want))
    checked = check_tree(ntx, img, [r for r in rows if r["path"] not in external], dest,
                         problems, "wof")
    for p in external:
        if os.path.lexists(os.path.join(dest, p.lstrip("/"))):
            problems.append("wof %s: data stored elsewhere, yet a file was written" % p)
    for r in rows:  # the 4 GiB file is skipped by check_tree (over 1 GiB): read it here
        if r["type"] == "f" and r["size"] >= 1 << 30:
            local = os.path.join(dest, r["path"].lstrip("/"))
            st = os.stat(local)
            if T.file_sha256(local) != r["sha256"]:
                problems.append("wof %s: content differs" % r["path"])
            if st.st_size != r["size"] or st.st_blocks * 512 > 16 << 20:
                problems.append("wof %s: %d bytes in %d blocks (its zeros not holes?)" % (
                    r["path"], st.st_size, st.st_blocks))
            checked += 1
    # one file whose data is elsewhere, asked for alone
    p, tag, kind = next(iter(sorted(external.values())))
    one = os.path.join(tmp, "wof-one")
    rc, _, err = T.run(ntx, "extract", img, p, one, ok=(1,))
    if err.splitlines() != [T.external_line(img, p, int(tag, 16), kind)] or os.listdir(one):
        problems.append("wof: extract of %s alone: %r, wrote %r" % (p, err, os.listdir(one)))
    return checked


def main():
    ntx, fixtures, images, _ = T.args()
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        # sample, whole
        img = T.image(images, "sample")
        rows, _ = T.manifest(fixtures, "sample")
        dest = os.path.join(tmp, "sample")
        rc, out, err = T.run(ntx, "extract", img, "/", dest)
        if err:
            problems.append("extract on a pipe wrote to stderr: %r" % err)
        n1 = check_tree(ntx, img, rows, dest, problems, "sample")
        # non-empty DEST
        rc, _, err = T.run(ntx, "extract", img, "/", dest, ok=(1,))
        if "not empty" not in err:
            problems.append("non-empty DEST: %r" % err)
        # one file, and --streams
        d1 = os.path.join(tmp, "one")
        T.run(ntx, "extract", "--streams", img, "/hello.txt", d1)
        if sorted(os.listdir(d1)) != ["hello.txt", "hello.txt:Zone.Identifier"]:
            problems.append("one file with --streams: %r" % os.listdir(d1))
        # ntfs-4k, whole, with streams
        img = T.image(images, "ntfs-4k")
        rows, _ = T.manifest(fixtures, "ntfs-4k")
        dest = os.path.join(tmp, "4k")
        rc, _, err = T.run(ntx, "extract", "--streams", img, "/", dest, ok=(3,))
        errs = err.splitlines()
        if len(errs) != 2 or not all("File name too long" in e for e in errs):
            problems.append("ntfs-4k extract errors: %r" % errs[:5])
        n2 = check_tree(ntx, img, rows, dest, problems, "ntfs-4k")
        for r in rows:
            if r["type"] == "s":
                local = os.path.join(dest, r["path"].lstrip("/"))
                if not os.path.exists(local) or T.file_sha256(local) != r["sha256"]:
                    problems.append("stream %s not extracted intact" % r["path"])
        st = os.stat(os.path.join(dest, "sparse/sparse-5GiB.bin"))
        if st.st_size != 5 << 30 or st.st_blocks * 512 > 1 << 20:
            problems.append("sparse file: %d bytes, %d blocks" % (st.st_size, st.st_blocks))
        # directory times are set after their content
        _, out, _ = T.run(ntx, "ls", "--json", img, "/")
        for e in T.jsonl(out):
            if e["type"] == "dir" and e["modified"] and e["mft"] >= 16:
                m = os.stat(os.path.join(dest, e["name"])).st_mtime_ns
                if m != ns(e["modified"]):
                    problems.append("directory %s: mtime %d, expected %d" % (e["name"], m, ns(e["modified"])))
        n3 = check_wof(ntx, images, fixtures, tmp, problems)
        # progress bar on a terminal
        img = T.image(images, "sample")
        master, slave = pty.openpty()
        p = subprocess.Popen([ntx, "extract", img, "/", os.path.join(tmp, "tty")],
                             stdout=subprocess.DEVNULL, stderr=slave)
        os.close(slave)
        seen = b""
        while True:
            try:
                b = os.read(master, 4096)
            except OSError:
                break
            if not b:
                break
            seen += b
        p.wait()
        os.close(master)
        if p.returncode != 0 or b"100%" not in seen or b"files" not in seen:
            problems.append("no progress bar on a terminal: %r" % seen[-200:])
        rc, _, err = T.run(ntx, "extract", "--no-progress", img, "/", os.path.join(tmp, "np"))
    print("extract: %d + %d + %d objects checked" % (n1, n2, n3))
    return T.finish(problems, show=30)


if __name__ == "__main__":
    T.main(main)
