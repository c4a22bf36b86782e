#!/usr/bin/env python3
"""`ntx stat`, `ls -l`, `cat`, `recover` on the WOF fixture (fixtures/README.md,
wof.img.gz), against its manifest's notes.

usage: check_wof.py NTX FIXTURES_DIR IMAGES_DIR

The '# wof' notes (PATH ALGORITHM CHUNK_SIZE CHUNKS STORED ENTRY_BYTES
COMPRESSED_SIZE RESIDENCY) were written by fixtures/wofpack.py from what it
stored, checked against ntfsinfo, icat and wimlib; the '# external' notes
(PATH TAG KIND) likewise. Here:

 * `stat --json` of every WOF file: data.form "wof", the note's algorithm,
   chunk size, number of chunks and compressed size (stored_size, the bytes
   of WofCompressedData), the row's size, ratio = stored / size; alloc_size
   0 for a resident WofCompressedData, else that attribute's allocated size
   (the attributes array of the same output), a whole number of clusters
   holding the stored bytes;
 * `stat` (text) says the same in its Data lines;
 * every file stored elsewhere: data.form "external" and the note's kind;
   the text names where the data is and the tag;
 * `ls -l -r`: " (wof:ALGORITHM)" after exactly the WOF paths,
   " (external:KIND)" after exactly the external ones;
 * `cat` of an external file among others: exit 3, the others' bytes, one
   line; `recover -i` of one: exit 1, the line, no file written;
 * `cat --raw` of a WOF file: its unnamed $DATA as stored, the size in
   zeros (the fixture's $DATA is sparse without a cluster).
"""
import os
import re
import tempfile

import clitest as T

CLUSTER = 4096  # the fixture's cluster size (its manifest header)


def wof_notes(notes):
    out = {}
    for path, alg, chunk, chunks, stored, entry, csize, residency in notes.get("wof", []):
        out[path] = dict(alg=alg, chunk=int(chunk), chunks=int(chunks), stored_chunks=int(stored),
                         entry=int(entry), csize=int(csize), resident=residency == "resident")
    return out


def check_stat_json(ntx, img, sizes, wof, external, problems):
    paths = sorted(wof) + sorted(external)
    _, out, _ = T.run(ntx, "stat", "--json", img, "--", *paths)
    stats = T.jsonl(out)
    if len(stats) != len(paths):
        raise T.Failure("stat --json: %d objects for %d paths" % (len(stats), len(paths)))
    for path, st in zip(paths, stats):
        d = st["data"]
        if d is None:
            problems.append("%s: stat --json has no data" % path)
            continue
        if d["size"] != sizes[path]:
            problems.append("%s: data.size %d, manifest %d" % (path, d["size"], sizes[path]))
        if path in external:
            tag, kind = external[path]
            want = dict(form="external", external=T.EXTERNAL_KIND[kind], wof_algorithm=None,
                        stored_size=None, ratio=None)
            got = {k: d[k] for k in want}
            if got != want or st["reparse"]["tag"] != tag:
                problems.append("%s: data %s, tag %s; expected %s, tag 0x%x" % (
                    path, got, st["reparse"] and hex(st["reparse"]["tag"]), want, tag))
            continue
        n = wof[path]
        want = dict(form="wof", wof_algorithm=n["alg"], wof_chunk_size=n["chunk"],
                    chunks=n["chunks"], stored_size=n["csize"], external=None,
                    ratio=round(n["csize"] / d["size"], 4) if d["size"] else None)
        got = {k: d[k] for k in want}
        if got != want:
            problems.append("%s: data %s, notes say %s" % (path, got, want))
        stream = [a for a in st["attributes"] if a["type"] == 0x80 and
                  a["name"] == "WofCompressedData"]
        if len(stream) != 1 or stream[0]["resident"] != n["resident"]:
            problems.append("%s: WofCompressedData %s, notes say resident=%s" % (
                path, stream, n["resident"]))
            continue
        alloc = 0 if n["resident"] else stream[0]["alloc_size"]
        if d["alloc_size"] != alloc or alloc % CLUSTER or (not n["resident"] and alloc < n["csize"]):
            problems.append("%s: data.alloc_size %d, WofCompressedData allocates %d for %d bytes" % (
                path, d["alloc_size"], alloc, n["csize"]))
    return len(stats)


def check_stat_text(ntx, img, sizes, wof, external, problems):
    paths = sorted(wof) + sorted(external)
    _, out, _ = T.run(ntx, "stat", img, "--", *paths)
    blocks = out.split("\nMFT record ")
    if len(blocks) != len(paths):
        raise T.Failure("stat: %d records for %d paths" % (len(blocks), len(paths)))
    for path, text in zip(paths, blocks):
        if path in external:
            tag, kind = external[path]
            line = "Data: %d bytes, stored outside this file: %s (reparse tag 0x%08x)" % (
                sizes[path], T.EXTERNAL_WHERE[kind], tag)
            if line not in text.splitlines():
                problems.append("%s: stat has no line %r" % (path, line))
            continue
        n = wof[path]
        size = sizes[path]
        lines = ["Data: %d bytes (" % size,
                 "  algorithm:   %s, chunks of %d bytes, %d chunk%s" % (
                     n["alg"], n["chunk"], n["chunks"], "" if n["chunks"] == 1 else "s"),
                 "  compressed:  %d bytes in $DATA:WofCompressedData%s" % (
                     n["csize"], " (%.1f %% of the size)" % (100.0 * n["csize"] / size)
                     if size else "")]
        have = text.splitlines()
        if not any(l.startswith(lines[0]) and l.endswith(", WOF-compressed") for l in have) or \
                lines[1] not in have or lines[2] not in have:
            problems.append("%s: stat lacks %r" % (path, lines))


def check_ls(ntx, img, rows, wof, external, problems):
    _, out, _ = T.run(ntx, "ls", "-l", "-r", img)
    lines = out.splitlines()
    marked = 0
    for r in rows:
        if r["type"] not in ("f", "d") or r["path"] == "/":
            continue
        mine = [l for l in lines if re.search(r" %s( \(|$)" % re.escape(r["path"]), l)]
        if len(mine) != 1:
            problems.append("%s: %d ls -l lines" % (r["path"], len(mine)))
            continue
        marker = ""
        if r["path"] in wof:
            marker = " (wof:%s)" % wof[r["path"]]["alg"]
        elif r["path"] in external:
            marker = " (external:%s)" % T.EXTERNAL_KIND[external[r["path"]][1]]
        if not mine[0].endswith(" " + r["path"] + marker):
            problems.append("%s: ls -l %r, expected the marker %r" % (r["path"], mine[0], marker))
        marked += bool(marker)
    return marked


def check_refusals(ntx, img, sizes, external, problems):
    path, (tag, kind) = sorted(external.items())[0]
    line = T.external_line(img, path, tag, kind)
    rc, out, err = T.run(ntx, "cat", img, "/xpress4k/one-byte.txt", path, "/lzx/one-byte.txt",
                         ok=None, binary=True)
    if rc != 3 or out != b"WW" or err.splitlines() != [line]:
        problems.append("cat of two files and %s: exit %d, %r, %r" % (path, rc, out, err))
    _, out, _ = T.run(ntx, "ls", "--json", img, path)
    mft = T.jsonl(out)[0]["mft"]
    with tempfile.TemporaryDirectory() as tmp:
        dst = os.path.join(tmp, "out")
        rc, _, err = T.run(ntx, "recover", img, "-i", str(mft), dst, ok=None)
        want = T.external_line(img, "record %d" % mft, tag, kind)
        if rc != 1 or err.splitlines() != [want] or os.path.exists(dst):
            problems.append("recover -i %d: exit %d, %r, wrote %s; expected exit 1 and %r" % (
                mft, rc, err, os.path.exists(dst), want))
    rc, out, err = T.run(ntx, "cat", "--raw", img, "/xpress4k/text.txt", binary=True)
    if out != bytes(sizes["/xpress4k/text.txt"]):
        problems.append("cat --raw of a WOF file: %d bytes, not the %d zeros of its $DATA" % (
            len(out), sizes["/xpress4k/text.txt"]))


def main():
    ntx, fixtures, images, _ = T.args()
    img = T.image(images, "wof")
    rows, notes = T.manifest(fixtures, "wof")
    sizes = {r["path"]: r["size"] for r in rows}
    wof = wof_notes(notes)
    external = {p: (int(tag, 16), kind) for p, tag, kind in notes.get("external", [])}
    if len(wof) < 40 or len(external) < 5:
        raise T.Failure("the manifest notes %d WOF and %d external files" % (len(wof), len(external)))
    problems = []
    n = check_stat_json(ntx, img, sizes, wof, external, problems)
    check_stat_text(ntx, img, sizes, wof, external, problems)
    marked = check_ls(ntx, img, rows, wof, external, problems)
    check_refusals(ntx, img, sizes, external, problems)
    print("wof: stat of %d files against the notes, %d ls -l markers" % (n, marked))
    return T.finish(problems, "differences with the WOF notes", 40)


if __name__ == "__main__":
    T.main(main)
