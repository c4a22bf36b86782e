#!/usr/bin/env python3
"""Deleted files: `ntx mft`, `ntx mft --slack`, `ntx recover` and `ntx usn`
on fixtures/deleted-4k (fixtures/DELETED.md).

usage: check_deleted.py NTX FIXTURES_DIR IMAGES_DIR

 * every '# deleted' object is listed by `ntx mft -d` with its MFT number, its
   path rebuilt through deleted parents, and state "deleted";
 * `ntx recover` returns the bytes of every file marked intact (resident,
   non-resident, sparse, compressed, a named stream), and for the victim whose
   clusters were reallocated warns, names the clusters and exits 3;
 * `ntx mft --slack` finds names in the $I30 slack of /slack, among them
   names of deleted files, and only names that existed;
 * `ntx usn --stream` decodes the synthetic journal exactly ('# usn' lines).
"""
import os
import re
import tempfile

import clitest as T


def main():
    ntx, fixtures, images, _ = T.args()
    img = T.image(images, "deleted-4k")
    rows, notes = T.manifest(fixtures, "deleted-4k")
    problems = []

    _, out, _ = T.run(ntx, "mft", "-d", "--json", img)
    mft = T.jsonl(out)
    by_mft = {}
    for r in mft:
        by_mft.setdefault(r["mft"], []).append(r)
    deleted = notes["deleted"]
    for t, mft_no, size, digest, expect, path in deleted:
        mft_no = int(mft_no)
        if t == "s":
            continue
        rs = by_mft.get(mft_no, [])
        if not any(r["path"] == path and r["deleted"] and r["state"] == "deleted" for r in rs):
            problems.append("mft -d: %s (record %d) not listed as deleted (%s)" % (
                path, mft_no, [(r["path"], r["state"]) for r in rs]))
        if t == "d" and not all(r["dir"] for r in rs):
            problems.append("mft -d: %s is not a directory" % path)
        if t == "f" and rs and rs[0]["size"] != int(size):
            problems.append("mft -d: %s size %d, expected %s" % (path, rs[0]["size"], size))
    if any(not r["deleted"] for r in mft):
        problems.append("mft -d lists records in use")

    with tempfile.TemporaryDirectory() as tmp:
        for t, mft_no, size, digest, expect, path in deleted:
            if t == "d":
                continue
            spec = mft_no
            if t == "s":
                spec += ":" + path.rsplit(":", 1)[1]
            out_file = os.path.join(tmp, "r%s" % spec.replace(":", "_"))
            rc, _, err = T.run(ntx, "recover", img, "-i", spec, out_file, ok=(0, 3))
            got = T.file_sha256(out_file)
            if expect == "intact":
                if rc != 0 or got != digest:
                    problems.append("recover %s (%s): exit %d, digest %s" % (spec, path, rc, got == digest))
                if os.path.getsize(out_file) != int(size):
                    problems.append("recover %s: %d bytes, expected %s" % (
                        spec, os.path.getsize(out_file), size))
            else:  # reallocated: written, with a warning naming the clusters, exit 3
                if rc != 3 or not re.search(r"warning: \d+ of the \d+ clusters at LCN \d+-\d+ are in use again", err):
                    problems.append("recover %s (reallocated): exit %d, stderr %r" % (spec, rc, err))
                if got == digest:
                    problems.append("recover %s: the reallocated clusters still hold the old bytes?" % spec)
            # the same through stdout
            rc2, d2, n2, _ = T.cat_sha256(ntx, "recover", "-q", img, "-i", spec, "-")
            if expect == "intact" and d2 != digest:
                problems.append("recover %s to stdout differs" % spec)
        # a sparse file stays sparse
        sp = [d for d in deleted if d[5] == "/del/sparse.bin"][0]
        st = os.stat(os.path.join(tmp, "r" + sp[1]))
        if st.st_blocks * 512 >= st.st_size:
            problems.append("recover of the sparse file is not sparse (%d blocks)" % st.st_blocks)
        # refusing to overwrite; -f overwrites
        rc, _, err = T.run(ntx, "recover", img, "-i", deleted[0][1], os.path.join(tmp, "r" + deleted[0][1]), ok=(1,))
        if "exists" not in err:
            problems.append("recover over an existing file: %r" % err)
        T.run(ntx, "recover", "-f", "-q", img, "-i", deleted[0][1], os.path.join(tmp, "r" + deleted[0][1]))

    # $I30 slack of /slack
    _, out, _ = T.run(ntx, "mft", "--slack", "--json", img)
    slack = [r for r in T.jsonl(out) if r["state"] == "slack"]
    created = {"entry-%03d.txt" % i for i in range(300)}
    gone = {p.rsplit("/", 1)[1] for (p,) in notes["deleted_name"]}
    in_slack = [r for r in slack if r["path"].startswith("/slack/")]
    if not in_slack:
        problems.append("--slack found nothing in /slack")
    bad = [r["name"] for r in in_slack if r["name"] not in created]
    if bad:
        problems.append("--slack invented names: %s" % bad[:5])
    if not any(r["name"] in gone for r in in_slack):
        problems.append("--slack found no deleted name")
    for r in in_slack:
        if r["slack_dir"] != [x for x in rows if x["path"] == "/slack"][0]["mft"]:
            problems.append("slack entry %s: wrong directory" % r["name"])
            break

    # the synthetic change journal
    (stream, size), = notes["usn_stream"]
    _, out, _ = T.run(ntx, "usn", "--json", "--stream", stream, img)
    usn = T.jsonl(out)
    want = notes["usn"]
    if len(usn) != len(want):
        problems.append("usn: %d records, expected %d" % (len(usn), len(want)))
    for u, (usn_no, major, fref, pref, reason, t, name) in zip(usn, want):
        fref, pref = int(fref), int(pref)
        exp = dict(usn=int(usn_no), major=int(major), mft=fref & (2**48 - 1), seq=fref >> 48,
                   parent=pref & (2**48 - 1), parent_seq=pref >> 48, reason=int(reason), name=name)
        for k, v in exp.items():
            if u[k] != v:
                problems.append("usn %s: %s = %r, expected %r" % (usn_no, k, u[k], v))
    _, text, _ = T.run(ntx, "usn", "--stream", stream, img)
    if "FILE_CREATE" not in text or "RENAME_NEW_NAME" not in text or "CLOSE" not in text:
        problems.append("usn text output lacks reason names")
    rc, _, err = T.run(ntx, "usn", img, ok=(1,))
    if "no change journal" not in err:
        problems.append("usn without a journal: %r" % err)

    print("deleted-4k: %d deleted rows, %d recovered, %d slack names (%d of deleted files), %d USN records"
          % (len(mft), len(deleted), len(in_slack), sum(r["name"] in gone for r in in_slack), len(usn)))
    return T.finish(problems)


if __name__ == "__main__":
    T.main(main)
