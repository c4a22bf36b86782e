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

The WOF fixture (fixtures/README.md, wof.img.gz) gives a WOF-compressed
file's row the SHA-256 of its original bytes (wimlib decompressed its
chunks when the image was made): `ntx cat` must give them. A file whose
data is stored outside the volume has SHA256 '-' and a '# external' note
(tag, kind): `ntx cat` must refuse it, exit 1, with the one documented line
naming where the data is and the tag; its listing says data_form
"external" and the kind, and a WOF file's says "wof" and its '# wof' note's
algorithm.
"""
import clitest as T


def check_data_forms(listing, notes):
    """ls --json's data_form, wof_algorithm and external against the notes:
    "wof" and the algorithm exactly for the '# wof' paths, "external" and
    the kind exactly for the '# external' ones, neither anywhere else."""
    wof = {n[0]: n[1] for n in notes.get("wof", [])}
    ext = {n[0]: T.EXTERNAL_KIND[n[2]] for n in notes.get("external", [])}
    problems = []
    for path, e in listing.items():
        if e["type"] == "stream":
            continue
        want = ("wof", wof[path], None) if path in wof else \
            ("external", None, ext[path]) if path in ext else None
        got = (e["data_form"], e["wof_algorithm"], e["external"])
        if want is not None and got != want:
            problems.append("%s: data %s, notes say %s" % (path, got, want))
        elif want is None and got[0] in ("wof", "external"):
            problems.append("%s: data %s, no note says so" % (path, got))
    return problems


def check_external(ntx, img, path, note):
    """`ntx cat` of a file whose data is stored elsewhere: exit 1, nothing on
    standard output, exactly the documented line."""
    if note is None:
        return ["%s: SHA256 '-' without an '# external' note" % path]
    _, tag, kind = note
    rc, out, err = T.run(ntx, "cat", img, path, ok=None, binary=True)
    want = T.external_line(img, path, int(tag, 16), kind)
    if rc != 1 or out or err.splitlines() != [want]:
        return ["%s: ntx cat exit %d, %d bytes, stderr %r; expected exit 1 and %r" % (
            path, rc, len(out), err, want)]
    return []


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
    problems += check_data_forms(got, notes)
    external = {n[0]: n for n in notes.get("external", [])}
    for r in rows:
        if r["sha256"] == "-" and r["type"] == "f":
            problems += check_external(ntx, img, r["path"], external.get(r["path"]))
    todo = [r for r in todo if r["sha256"] != "-"]
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
