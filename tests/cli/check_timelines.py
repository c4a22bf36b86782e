#!/usr/bin/env python3
"""ntx timeline in its three formats, read back as the tools that import
them read them (timelines.py), on every fixture.

usage: check_timelines.py NTX FIXTURES_DIR IMAGES_DIR

 1. body: plaso's bodyfile rules parse every line without a warning, and
    the name each gives is the jsonl "message" of the same event, exactly
    (only lone surrogates, bidirectional controls and U+2028/U+2029 stay
    written as \\u{XXXX}, which plaso leaves as text). mactime (The Sleuth
    Kit) reads it too: one row per distinct time of each line.
 2. jsonl: every row has Timesketch's mandatory fields; its datetime,
    parsed as Timesketch parses it (dateutil), is its timestamp in
    microseconds; the rows are the body lines' times that are set, in
    order (b, m, c, a), each with the second the body file has.
 3. csv: Timesketch's header fields, RFC 4180 rows, and the same rows as
    jsonl field by field (the message text-escaped).
 4. deleted records (deleted-4k): the mode of every line fls -m also has
    is fls's, whole, also for names only the $MFT knows ("-/r...");
    $I30 lines exist for the live entries of every directory.
 5. a '|' in a name (a copy of deleted-4k with /slack/entry-000.txt
    renamed entry|000.txt in its record and its index entry): written
    "\\|", read back by plaso's rules as the name.
"""
import os
import re
import shutil
import subprocess
import tempfile

import clitest as T
import timelines as TL

UNREAD = re.compile("[\ud800-\udfff\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
SLOTS = ["crtime", "mtime", "ctime", "atime"]  # jsonl and csv row order: b, m, c, a
DESC = {"crtime": "Creation Time", "mtime": "Content Modification Time",
        "ctime": "Metadata Modification Time", "atime": "Last Access Time"}


def plaso_name(message):
    """What plaso's bodyfile parser gives for a name whose exact text is message."""
    return UNREAD.sub(lambda m: "\\u{%04X}" % ord(m.group(0)), message)


def text_unescape(s):
    """ntx's text escapes (\\xHH, \\\\, \\u{XXXX}) back to the characters."""
    def rep(m):
        g = m.group(0)
        if g == "\\\\":
            return "\\"
        if g.startswith("\\x"):
            return chr(int(g[2:], 16))
        return chr(int(g[3:-1], 16))
    return re.sub(r"\\\\|\\x[0-9A-F]{2}|\\u\{[0-9A-F]+\}", rep, s)


def check_formats(ntx, img, name, problems):
    _, body, _ = T.run(ntx, "timeline", img, ok=(0, 3))
    _, jl, _ = T.run(ntx, "timeline", "--format", "jsonl", img, ok=(0, 3))
    _, cv, _ = T.run(ntx, "timeline", "--format", "csv", img, ok=(0, 3))
    events, warnings = TL.parse_body(body)
    problems += ["%s: body: %s" % (name, w) for w in warnings[:5]]
    rows = TL.parse_jsonl(jl)
    crows = TL.parse_csv(cv)
    # 2. jsonl against the body file, event by event
    k = 0
    for e in events:
        for slot in SLOTS:
            if e[slot] == 0:
                continue
            if k >= len(rows):
                problems.append("%s: jsonl ends before the body event %r" % (name, e["name"]))
                return 0
            r = rows[k]
            k += 1
            want = (plaso_name(r["message"]), DESC[slot], int(e[slot]), e["inode"])
            got = (e["name"], r["timestamp_desc"], r["timestamp"] // 10**6, r["mft"])
            if r["source"] == "$UsnJrnl":
                want = want[:1] + ("Update Time",) + want[2:]
            if got != want or r["ts_micros"] != r["timestamp"]:
                problems.append("%s: body %r, jsonl %r (datetime %s)" % (
                    name, got, want, r["datetime"]))
    if k != len(rows):
        problems.append("%s: %d jsonl rows, %d times in the body file" % (name, len(rows), k))
    # 3. csv against jsonl
    if len(crows) != len(rows):
        problems.append("%s: %d csv rows, %d jsonl rows" % (name, len(crows), len(rows)))
    for c, r in zip(crows, rows):
        want = [r["message"], r["datetime"], r["timestamp_desc"], str(r["timestamp"]),
                r["source"], r["path"], r["stream"] or "", str(r["mft"]), str(r["seq"]),
                str(r["deleted"]).lower(), str(r["dir"]).lower(), str(r["size"]),
                "" if r["parent"] is None else str(r["parent"]),
                "" if r["parent_seq"] is None else str(r["parent_seq"]), r["inode"],
                r["mode"], "" if r["usn"] is None else str(r["usn"]), r["reasons"] or "", ""]
        got = [text_unescape(c["message"]), c["datetime"], c["timestamp_desc"], c["timestamp"],
               c["source"], text_unescape(c["path"]), text_unescape(c["stream"]), c["mft"],
               c["seq"], c["deleted"], c["dir"], c["size"], c["parent"], c["parent_seq"],
               c["inode"], c["mode"], c["usn"], c["reasons"], c["vss_store"]]
        if got != want or c["ts_micros"] != r["ts_micros"]:
            problems.append("%s: csv %r, jsonl %r" % (name, got, want))
            break
    # 1. mactime: one row per distinct time of each line
    if T.tool("mactime"):
        with tempfile.NamedTemporaryFile("w", suffix=".body", encoding="utf-8",
                                         errors="surrogateescape") as f:
            f.write(body)
            f.flush()
            p = subprocess.run(["mactime", "-b", f.name, "-d", "-z", "UTC"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=dict(os.environ, TZ="UTC"))
        mrows = p.stdout.decode("utf-8", "surrogateescape").splitlines()[1:]
        # mactime splits on every '|': a name holding one (written \|) is
        # misread, as docs/timelines.md says; only check_pipe() makes one
        want = sum(len({e[s] for s in SLOTS if e[s] != 0}) for e in events if "|" not in e["name"])
        mrows = [r for r in mrows if "entry\\" not in r]
        if p.returncode != 0 or len(mrows) != want:
            problems.append("%s: mactime: exit %d, %d rows, expected %d: %s" % (
                name, p.returncode, len(mrows), want, p.stderr[:200]))
    return len(events)


def check_deleted(ntx, img, problems):
    """fls -m's mode string on every line it shares with ntx, deleted ones
    included; $I30 lines for every live name of /slack."""
    if not T.tool("fls"):
        return 0
    tsk = subprocess.run(["fls", "-r", "-m", "/", img], stdout=subprocess.PIPE,
                         check=True).stdout.decode("utf-8", "replace")
    _, body, _ = T.run(ntx, "timeline", img, ok=(0, 3))
    ours = {}
    for line in body.splitlines():
        f = line.split("|")
        ours[(f[1], f[2])] = f[3]
    n = 0
    for line in tsk.splitlines():
        f = line.split("|")
        if "(deleted)" not in f[1] or (f[1], f[2]) not in ours:
            continue
        n += 1
        if ours[(f[1], f[2])] != f[3]:
            problems.append("deleted-4k: %s %s: mode %s, fls %s" % (f[1], f[2], ours[(f[1], f[2])],
                                                                     f[3]))
    if n < 300:
        problems.append("deleted-4k: only %d deleted lines shared with fls -m" % n)
    i30 = {l.split("|")[1] for l in body.splitlines() if " ($I30)|" in l}
    want = {"/slack/entry-%03d.txt ($I30)" % i for i in range(0, 300, 2)}
    if not want <= i30:
        problems.append("deleted-4k: $I30 lines missing: %s" % sorted(want - i30)[:5])
    if any("/slack/entry-%03d.txt ($I30)" % i in i30 for i in range(1, 300, 2)):
        problems.append("deleted-4k: $I30 lines for deleted names")
    return n


def check_pipe(ntx, src, notes, problems, tmp):
    """A name with a '|': written \\|, read back whole; and the hostile
    names of deleted-4k's manifest ('# patch': ESC, LF, TAB, NUL, CSI, a lone
    surrogate) through the three formats."""
    img = os.path.join(tmp, "pipe.img")
    shutil.copyfile(src, img)
    with open(img, "r+b") as f:
        for off, old, new, _ in notes["patch"]:
            f.seek(int(off))
            if f.read(len(old) // 2) != bytes.fromhex(old):
                raise T.Failure("patch at %s does not match the image" % off)
            f.seek(int(off))
            f.write(bytes.fromhex(new))
    old, new = "entry-000.txt".encode("utf-16-le"), "entry|000.txt".encode("utf-16-le")
    with open(img, "r+b") as f:
        data = f.read()
        at, n = data.find(old), 0
        while at >= 0:
            # the two bytes a sector's update sequence covers are not touched
            if all((at + i) % 512 not in (510, 511) for i in range(len(old))):
                f.seek(at)
                f.write(new)
                n += 1
            at = data.find(old, at + 1)
    _, body, _ = T.run(ntx, "timeline", img, ok=(0, 3))
    events, warnings = TL.parse_body(body)
    names = {e["name"] for e in events if "entry|000" in e["name"]}
    want = {"/slack/entry|000.txt", "/slack/entry|000.txt ($FILE_NAME)",
            "/slack/entry|000.txt ($I30)"}
    if n < 2 or names != want or warnings:
        problems.append("'|' in a name: %d copies patched; plaso reads %s, expected %s %s" % (
            n, sorted(names), sorted(want), warnings[:2]))
    if "/slack/entry\\|000.txt|" not in body:
        problems.append("'|' in a name is not written \\|")
    hostile = [e["name"] for e in events if e["name"].startswith("/hostile/")]
    for want in ("/hostile/esc\x1b[31mred", "/hostile/nl\nx", "/hostile/nul\0x",
                 "/hostile/csi\u009b2J", "/hostile/surr\\u{D800}x", "/hostile/back\\slash.txt"):
        if want not in hostile:
            problems.append("plaso does not read %r back: %s" % (want, hostile[:20]))
    return check_formats(ntx, img, "deleted-4k, hostile names and a '|'", problems)


def main():
    ntx, fixtures, images, _ = T.args()
    problems = []
    lines = 0
    for name in T.FIXTURES:
        lines += check_formats(ntx, T.image(images, name), name, problems)
    src = T.image(images, "deleted-4k")
    shared = check_deleted(ntx, src, problems)
    with tempfile.TemporaryDirectory() as tmp:
        lines += check_pipe(ntx, src, T.manifest(fixtures, "deleted-4k")[1], problems, tmp)
    print("timelines: %d body lines read back as plaso, mactime and Timesketch read them; "
          "%d deleted lines with fls's mode" % (lines, shared))
    return T.finish(problems, show=20)


if __name__ == "__main__":
    T.main(main)
