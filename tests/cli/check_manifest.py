#!/usr/bin/env python3
"""`ntx ls -r -a --json` and `ntx cat` against a fixture's manifest.

usage: check_manifest.py NTX FIXTURES_DIR IMAGES_DIR NAME

Every manifest row (what a read-only ntfs-3g mount shows) must appear in the
listing with the same type, MFT number, size (for links: the target's
length), link count and target, and nothing else may (system files, DOS
names and the reserved records aside). Every file and stream is read with
`ntx cat` and its SHA-256 compared (a hundred per call, cut at the
manifest's sizes); in directories of thousands of files one in 25 is read
(the extract test reads them all).
"""
import clitest as T


def main():
    ntx, fixtures, images, rest = T.args()
    name = rest[0]
    img = T.image(images, name)
    rows, notes = T.manifest(fixtures, name)
    _, out, _ = T.run(ntx, "ls", "-r", "-a", "--json", img)
    listing = T.jsonl(out)
    got = {}
    for e in listing:
        if e["type"] != "stream" and e.get("namespace") == "dos":
            continue
        if e["mft"] < 16 or e["path"].startswith("/$Extend"):
            continue
        got[e["path"]] = e
    problems = []
    want_paths = set()
    for r in rows:
        if r["path"] == "/":
            continue
        want_paths.add(r["path"])
        e = got.get(r["path"])
        if e is None:
            problems.append("%s: not listed" % r["path"])
            continue
        t = {"file": "f", "dir": "d", "link": "l", "stream": "s"}[e["type"]]
        if t != r["type"]:
            problems.append("%s: type %s, manifest %s" % (r["path"], t, r["type"]))
        if e["mft"] != r["mft"]:
            problems.append("%s: MFT %d, manifest %d" % (r["path"], e["mft"], r["mft"]))
        if r["type"] == "l":
            if e.get("target") != r["target"].replace("/tmp/ntx-fixture-ro/", "C:/"):
                # ntfs-3g resolves absolute targets below its mount point and
                # looks up the case of relative ones (fixtures/README.md)
                if not (r["target"].startswith("/tmp/ntx-fixture-ro") or
                        e.get("target", "").lower() == r["target"].lower()):
                    problems.append("%s: target %r, manifest %r" % (r["path"], e.get("target"), r["target"]))
        elif r["type"] in ("f", "s") and e["size"] != r["size"]:
            problems.append("%s: size %d, manifest %d" % (r["path"], e["size"], r["size"]))
        if r["type"] != "d" and e["links"] != r["nlink"]:
            problems.append("%s: links %d, manifest %d" % (r["path"], e["links"], r["nlink"]))
    for p in got:
        if p not in want_paths:
            problems.append("%s: listed by ntx, not in the manifest" % p)
    # contents
    per_dir = {}
    todo = []
    for r in rows:
        if r["type"] not in ("f", "s"):
            continue
        d = r["path"].rsplit("/", 1)[0]
        per_dir[d] = per_dir.get(d, 0) + 1
        if per_dir[d] > 200 and per_dir[d] % 25:
            continue
        todo.append(r)
    read = len(todo)
    for k in range(0, len(todo), 100):  # 100 paths per ntx call
        batch = todo[k:k + 100]
        got = T.cat_sha256_many(ntx, img, [(r["path"], r["size"]) for r in batch])
        for r, (rc, digest, n, err) in zip(batch, got):
            if rc != 0:
                problems.append("%s: ntx cat exit %d: %s" % (r["path"], rc, err[-300:]))
            elif digest != r["sha256"]:
                problems.append("%s: content differs (%d bytes)" % (r["path"], n))
    print("%s: %d manifest rows, %d listed, %d streams read" % (name, len(rows), len(listing), read))
    return T.finish(problems, "differences with the manifest", 40)


if __name__ == "__main__":
    T.main(main)
