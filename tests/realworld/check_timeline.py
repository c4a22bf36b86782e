#!/usr/bin/env python3
"""ntx timeline and ntx mft --json on one Windows-written disk.

ntx timeline is a mactime body file, as `fls -r -m /` writes it: the two
are compared line by line, and every line only one of them has, or that
they write differently, must be one of the explained kinds (README.md):

  root        ntx lists the root directory itself ("/" and its $FILE_NAME);
              fls -m lists what is under it
  reserved    ntx lists the records without a name that are in use
              (12-15, reserved for system files: checked in the bytes) as
              $OrphanFiles/OrphanFile-N; fls shows its own virtual
              $OrphanFiles folder (inode 256, V/V) instead
  uid48       The Sleuth Kit prints UID 48 where $STANDARD_INFORMATION is
              the 48-byte NTFS 1.2 form, which has no owner id: it reads
              the 4 bytes after the value, the next attribute's type, 0x30
              ($FILE_NAME); ntx prints 0
  i30         ntx also writes the times each directory's $I30 index keeps
              of its entries, as lines named "PATH ($I30)"; fls -m has none.
              Every such line must be an entry decoded here by hand from
              $INDEX_ROOT and the index blocks $BITMAP marks in use
              (check_times.index_times), and every entry of every
              directory must have its line. win10-20h1's
              /test_dir/file_1.txt must show both last accesses: 12:33:24
              in its $I30 line, 12:35:24 in its $STANDARD_INFORMATION line.

ntx mft --json must agree with the library's walk (rw_walk) on every path:
MFT number, size, $STANDARD_INFORMATION and $FILE_NAME times.

Deleted records and slack (what each tool shows, nothing decided):
  - fls -r -d lists no deleted name on any of the six disks, and ntx mft
    --slack no name from index blocks' slack (names from the slack of MFT
    records: check_artefacts.py).
  - Windows' format leaves template records in the first cluster of $MFT
    (on win10-2m, with 2 MiB clusters, records 16-23 and 39-2047: FILE
    magic, not in use, LSN 0, sequence number equal to the record number,
    $STANDARD_INFORMATION, $SECURITY_DESCRIPTOR and an empty $DATA, no
    $FILE_NAME). They never held a file: ntx mft -d must list none of them
    (it once listed all 2,017 as deleted orphans), and ntx mft -a must
    list each as "empty". The test decodes every one by hand.
  - win10-20h1: the old index entry of file_hidden.txt (record 54, renamed
    to file_8.txt, as $UsnJrnl says) survives in the slack of test_dir's
    MFT record 50, past its bytes in use, where $INDEX_ROOT once held it.
    fls -d does not show it; ntx mft --slack does (check_artefacts.py).

usage: check_timeline.py RW_WALK NTX REALWORLD_DIR IMAGES_DIR NAME
"""
import json
import struct
import sys

import check_times as CT
import differences as D
import realworld as R
import views as V


def in_use_without_name(img, off, mft):
    r = D.record(img, off, mft)
    flags = struct.unpack_from("<H", r, 0x16)[0]
    return flags & 1 and not any(t == 0x30 for t, _, _ in D.attributes(r))


def si_is_v1_followed_by_fn(img, off, mft):
    """The record's $STANDARD_INFORMATION value is 48 bytes and the next
    4 bytes (what a reader of an owner id at value offset 48 gets) are 0x30."""
    r = D.record(img, off, mft)
    for t, _, h in D.attributes(r):
        if t == 0x10:
            vlen, voff = struct.unpack_from("<IH", h, 0x10)
            start = r.index(h)
            return vlen == 48 and struct.unpack_from("<I", r, start + voff + 48)[0] == 0x30
    return False


def compare_timeline(ntx, img, off, name):
    problems, counts = [], {"root": 0, "reserved": 0, "uid48": 0, "tsk-orphans": 0}
    _, out, _ = R.run([ntx, "timeline", "--offset", str(off), img])
    mine = {l for l in out.splitlines() if " ($I30)|" not in l}  # check_i30()
    rc, out, err = R.run(["fls", "-r", "-m", "/", "-o", str(off // 512), img], ok=None)
    if rc != 0:
        b = D.boot(img, off)
        if b[13] == 0xF4 and "Cannot determine file system type" in err:
            print("  fls refuses the 2 MiB clusters (explained in check_compare.py)")
            return problems, None, len(mine)
        raise R.Failure("fls -m: %s" % err)
    theirs = set(out.splitlines())
    only_mine, only_theirs = mine - theirs, theirs - mine
    # uid48: the same line but for the UID field
    def without_uid(line):
        f = line.split("|")
        return "|".join(f[:4] + f[5:]), f[4]
    theirs_by_key = {}
    for l in only_theirs:
        k, uid = without_uid(l)
        theirs_by_key[k] = (l, uid)
    for l in sorted(only_mine):
        f = l.split("|")
        ref = f[2]
        mft = int(ref.split("-")[0]) if ref[0].isdigit() else None
        k, uid = without_uid(l)
        if k in theirs_by_key and uid == "0" and theirs_by_key[k][1] == "48" and \
                si_is_v1_followed_by_fn(img, off, mft):
            counts["uid48"] += 1
            only_theirs.discard(theirs_by_key[k][0])
        elif f[1] in ("/", "/ ($FILE_NAME)") and mft == 5:
            counts["root"] += 1
        elif f[1] == "/$OrphanFiles/OrphanFile-%d" % mft and in_use_without_name(img, off, mft):
            counts["reserved"] += 1
        else:
            problems.append("only in ntx timeline: " + l)
    for l in sorted(only_theirs):
        if l.startswith("0|/$OrphanFiles|256|V/V"):
            counts["tsk-orphans"] += 1
        else:
            problems.append("only in fls -m: " + l)
    return problems, counts, len(mine)


def unix(nt):
    return nt // 10**7 - 11644473600 if nt else 0


def check_i30(ntx, img, off, ref, name):
    """ntx timeline's "($I30)" lines against every directory's entries."""
    problems = []
    _, out, _ = R.run([ntx, "timeline", "--offset", str(off), img])
    lines = {}
    for l in out.splitlines():
        if " ($I30)|" in l:
            f = l.split("|")
            lines[f[1][:-len(" ($I30)")]] = (int(f[2]), [int(x) for x in f[7:11]])
    dirs = {"": 5}
    dirs.update({p: o["mft"] for p, o in ref[0].items() if o["dir"]})
    want = {}
    for path, mft in dirs.items():
        for leaf, (ref_mft, t) in CT.index_times(img, off, mft).items():
            if path == "" and leaf == ".":
                continue  # the root's entry for itself
            want[path + "/" + leaf] = (ref_mft, [unix(t[3]), unix(t[1]), unix(t[2]), unix(t[0])])
    for p in sorted(set(lines) | set(want)):
        if lines.get(p) != want.get(p):
            problems.append("$I30 line %s: ntx %r, the index says %r" % (p, lines.get(p), want.get(p)))
    if name == "win10-20h1":
        f1 = [l.split("|") for l in out.splitlines() if l.startswith("0|/test_dir/file_1.txt")]
        atimes = {f[1]: int(f[7]) for f in f1}
        # 2020-07-25 12:33:24 and 12:35:24 UTC
        if atimes.get("/test_dir/file_1.txt ($I30)") != 1595680404 or \
                atimes.get("/test_dir/file_1.txt") != 1595680524:
            problems.append("/test_dir/file_1.txt: last accesses %r" % atimes)
    print("%s: %d $I30 lines, each an index entry decoded by hand" % (name, len(lines)))
    return problems


def compare_mft(ntx, img, off, ref):
    problems = []
    _, out, _ = R.run([ntx, "mft", "--json", "--offset", str(off), img])
    rows = {}
    for l in out.splitlines():
        d = json.loads(l)
        rows.setdefault(d["path"], d)
    for path, o in sorted(ref[0].items()):
        d = rows.get(path)
        if d is None:
            problems.append("ntx mft: %s missing" % path)
            continue
        got = (d["mft"], d["dir"], 0 if d["dir"] else d["size"], V._times(d), V._times(d, "fn_"))
        want = (o["mft"], o["dir"], o["size"], o["si"], o["fn"])
        if got != want:
            problems.append("ntx mft: %s: %r, the library says %r" % (path, got, want))
    return problems, len(rows)


def template_record(img, off, n):
    try:
        r = D.record(img, off, n)
    except Exception:  # no FILE magic or a bad update sequence: not a template
        return False
    seq, _, _, flags = struct.unpack_from("<HHHH", r, 0x10)
    lsn = struct.unpack_from("<Q", r, 8)[0]
    types = [t for t, _, _ in D.attributes(r)]
    return flags == 0 and lsn == 0 and seq == n and types == [0x10, 0x50, 0x80]


def check_deleted(ntx, img, off, name):
    """ntx mft -d and --slack against fls -d (see the docstring)."""
    problems = []
    _, out, _ = R.run([ntx, "mft", "-d", "--json", "--offset", str(off), img])
    deleted = sorted({json.loads(l)["mft"] for l in out.splitlines()})
    if deleted:
        problems.append("ntx mft -d lists records as deleted: %s" % deleted[:20])
    _, out, _ = R.run([ntx, "mft", "-a", "--json", "--offset", str(off), img])
    rows = [json.loads(l) for l in out.splitlines()]
    empty = {r["mft"] for r in rows if r["state"] == "empty"}
    last = max(r["mft"] for r in rows)
    templates = [n for n in range(16, min(last + 1, 4096)) if template_record(img, off, n)]
    if name == "win10-2m" and len(templates) != 2017:
        problems.append("win10-2m: %d template records, its description says 2,017" % len(templates))
    missed = [n for n in templates if n not in empty]
    if missed:
        problems.append("ntx mft -a does not list template records as empty: %s" % missed[:20])
    _, out, _ = R.run([ntx, "mft", "--slack", "--json", "--offset", str(off), img])
    # names from index blocks: none on these disks; those from the slack of
    # MFT records are checked byte by byte in check_artefacts.py
    slack = [l for l in out.splitlines() if json.loads(l)["slack_dir"] is not None
             and json.loads(l)["slack_in"] == "index_block"]
    if slack:
        problems.append("ntx mft --slack shows %d names: add them to README.md" % len(slack))
    if R.which("fls"):
        rc, out, _ = R.run(["fls", "-r", "-p", "-d", "-o", str(off // 512), img], ok=None)
        if rc == 0 and out.strip():
            problems.append("fls -d shows names: add them to README.md: %s" % out[:300])
    if name == "win10-20h1":
        problems += check_record_slack(ntx, img, off)
    print("%s: ntx mft -d lists no record; %d format templates listed as empty; no slack names"
          % (name, len(templates)))
    return problems


def check_record_slack(ntx, img, off):
    """file_hidden.txt's index entry in the slack of record 50, decoded."""
    r = D.record(img, off, 50)
    in_use = struct.unpack_from("<I", r, 0x18)[0]
    at = r.find("file_hidden.txt".encode("utf-16-le"))
    e = at - 0x52  # an index entry: 16-byte header, then $FILE_NAME (name at 0x42)
    ref, elen, klen = struct.unpack_from("<QHH", r, e)
    parent = struct.unpack_from("<Q", r, e + 0x10)[0]
    if not (at > in_use and ref & 0xFFFFFFFFFFFF == 54 and parent & 0xFFFFFFFFFFFF == 50
            and r[e + 0x50] == 15 and klen == 0x60):
        return ["record 50: no slack index entry for file_hidden.txt (at %d, in use %d)" % (
            at, in_use)]
    _, out, _ = R.run([ntx, "ls", "--json", "--offset", str(off), img, "-i", "54"])
    _, usn, _ = R.run([ntx, "usn", "--json", "--offset", str(off), img])
    renames = [json.loads(l)["reasons"] for l in usn.splitlines()
               if json.loads(l)["name"] == "file_hidden.txt" and json.loads(l)["mft"] == 54]
    if "/test_dir/file_8.txt" not in out or "RENAME_OLD_NAME" not in renames:
        return ["record 54 is not file_8.txt renamed from file_hidden.txt: %s %s" % (
            out[:200], renames)]
    print("  win10-20h1: file_hidden.txt (record 54, now file_8.txt) in record 50's slack at "
          "+%d, past its %d bytes in use" % (e, in_use))
    return []


def main():
    walker, ntx, src, images, name = sys.argv[1:6]
    R.skip_if_absent(src)
    img, off = R.image(images, name), R.offset(name)
    ref = V.lib_view(walker, img, off)
    problems, n_mft = compare_mft(ntx, img, off, ref)
    problems += check_deleted(ntx, img, off, name)
    problems += check_i30(ntx, img, off, ref, name)
    if R.which("fls"):
        p, counts, n_lines = compare_timeline(ntx, img, off, name)
        problems += p
        if counts is not None:
            reserved = [m for m in range(12, 16) if in_use_without_name(img, off, m)]
            want = {"root": 2, "reserved": len(reserved), "tsk-orphans": 1,
                    "uid48": 2 * len([m for m in range(0, 16) if m != 5 and m not in reserved
                                      and si_is_v1_followed_by_fn(img, off, m)])}
            if counts != want:
                problems.append("explained timeline differences %r, expected %r" % (counts, want))
            print("%s: %d timeline lines; explained: %s" % (name, n_lines, counts))
    else:
        print("  fls not installed: ntx timeline not compared")
    print("%s: ntx mft --json: %d paths, %d compared with the library" % (name, n_mft, len(ref[0])))
    for p in problems:
        print("  " + p)
    if problems:
        raise R.Failure("%d problems" % len(problems))
    return 0


if __name__ == "__main__":
    R.main(main)
