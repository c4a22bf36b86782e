#!/usr/bin/env python3
"""$I30 slack and file slack against The Sleuth Kit, on fixtures/deleted-4k
(fixtures/DELETED.md: ntfs-3g removed 150 of the 300 names of /slack).

usage: check_slack.py NTX FIXTURES_DIR IMAGES_DIR

 1. `ntx mft --slack --json`: every name found in /slack's index is one the
    fixture created; its status agrees with the manifest: "live" only for
    names /slack still lists (`ntx ls`) with the same reference, "gone" only
    for names of deleted files, "unknown" only where the entry header was
    overwritten (reference 0) and the name is not listed. ntfs-3g, removing
    the last entry of a node, moves the END entry onto its header: such
    $FILE_NAMEs must be found (header_lost).
 2. `fls -d` (The Sleuth Kit) lists a $FILE_NAME whose header is lost with
    inode 0, but only if its times fall in 1970..2020 (its is_time()): in a
    copy whose slack $FILE_NAMEs get 2012 times (written here through each
    index block's update sequence), the names fls lists with inode 0 must be
    exactly the header-lost names ntx finds, directory by directory.
 3. `ntx cat --slack` of every file whose unnamed $DATA is plain and
    non-resident, allocated to the end of its last cluster: the bytes
    `icat -s` writes past the file's size (TSK's slack option).
"""
import os
import shutil
import struct
import subprocess
import tempfile

import clitest as T

T2012 = 130000000000000000  # 2012-12-16, inside The Sleuth Kit's 1970..2020


def run_tool(argv, binary=False):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=dict(os.environ, TZ="UTC", LC_ALL="C.UTF-8"))
    out = p.stdout if binary else p.stdout.decode("utf-8", "surrogateescape")
    return p.returncode, out, p.stderr.decode("utf-8", "replace")


def block_write(f, block_off, usa_ofs, pos, data):
    """Write data at pos of the index block at block_off as it reads after the
    fixups: a byte in a 512-byte stride's last two goes into the update
    sequence array, which holds the stride's real bytes."""
    for i, byte in enumerate(data):
        p = pos + i
        if p % 512 >= 510:
            p = usa_ofs + 2 + 2 * (p // 512) + (p % 512 - 510)
        f.seek(block_off + p)
        f.write(bytes([byte]))


def check_status(ntx, img, rows, notes, problems):
    slack_dir = [r for r in T.jsonl(T.run(ntx, "ls", "--json", "-i", "5", img)[1])
                 if r["name"] == "slack"][0]["mft"]
    listed = {r["name"]: (r["mft"], r["seq"]) for r in
              T.jsonl(T.run(ntx, "ls", "--json", "-i", str(slack_dir), img)[1])}
    gone = {p.rsplit("/", 1)[1] for (p,) in notes["deleted_name"]}
    found = [r for r in rows if r["slack_dir"] == slack_dir]
    counts = {}
    for r in found:
        name, st, lost = r["name"], r["slack_status"], r["slack_header_lost"]
        counts[st] = counts.get(st, 0) + 1
        if name not in gone and name not in listed:
            problems.append("slack name %s was never created" % name)
        ref = (r["mft"], r["seq"])
        if st == "live" and not (name in listed and (lost or listed[name] == ref)):
            problems.append("%s marked live, /slack lists %s" % (name, listed.get(name)))
        if st != "live" and name in listed and (lost or listed[name] == ref):
            problems.append("%s (%s) is listed by /slack but marked %s" % (name, ref, st))
        if st == "gone" and (lost or name not in gone):
            problems.append("%s marked gone, not a deleted file" % name)
        if st == "unknown" and not lost:
            problems.append("%s marked unknown with a reference" % name)
        if lost and (r["mft"], r["seq"]) != (0, 0):
            problems.append("%s: header lost, reference %s" % (name, ref))
        if st == "renamed":
            problems.append("%s marked renamed: nothing was renamed" % name)
    if not any(r["slack_header_lost"] for r in found):
        problems.append("no $FILE_NAME after an END entry in /slack")
    if not counts.get("gone"):
        problems.append("no deleted name in /slack's slack")
    return slack_dir, counts


def check_tsk(ntx, img, rows, problems):
    tmp = tempfile.mkdtemp()
    try:
        copy = os.path.join(tmp, "copy.img")
        shutil.copyfile(img, copy)
        cs = 4096
        runs = {}
        with open(copy, "r+b") as f:
            for r in rows:
                if r["slack_in"] != "index_block":
                    continue
                d = r["slack_dir"]
                if d not in runs:
                    st = T.jsonl(T.run(ntx, "stat", "--json", "-i", str(d), img)[1])[0]
                    runs[d] = [a for a in st["attributes"] if a["type"] == 0xA0][0]["runs"]
                v = r["slack_vcn"]
                lcn = [x["lcn"] + v - x["vcn"] for x in runs[d]
                       if x["vcn"] <= v < x["vcn"] + x["len"]][0]
                f.seek(lcn * cs + 4)
                usa_ofs = struct.unpack("<H", f.read(2))[0]
                fn = r["slack_offset"] + (0 if r["slack_header_lost"] else 16)
                block_write(f, lcn * cs, usa_ofs, fn + 8, struct.pack("<4Q", *[T2012] * 4))
        rc, out, err = run_tool(["fls", "-r", "-p", "-d", copy])
        if rc != 0:
            problems.append("fls -d: exit %d %s" % (rc, err[:200]))
            return 0
        tsk = set()
        for line in out.splitlines():
            head, _, path = line.partition("\t")
            if head.split()[-1] == "0:":
                tsk.add(path)
        ntx_lost = {r["path"].lstrip("/") for r in rows if r["slack_header_lost"]}
        if tsk != ntx_lost:
            problems.append("names after an END entry: fls -d only %s, ntx only %s" % (
                sorted(tsk - ntx_lost), sorted(ntx_lost - tsk)))
        return len(tsk)
    finally:
        shutil.rmtree(tmp)


def check_file_slack(ntx, img, problems):
    n = 0
    for r in T.jsonl(T.run(ntx, "ls", "-r", "-a", "--json", img)[1]):
        if r["type"] != "file" or r["data_form"] != "plain" or r["size"] == 0 or \
                r["alloc_size"] != -(-r["size"] // 4096) * 4096:
            continue
        rc, ours, _ = T.run(ntx, "cat", "--slack", "-i", str(r["mft"]), img, binary=True)
        rc2, theirs, _ = run_tool(["icat", "-s", img, str(r["mft"])], binary=True)
        if rc2 != 0 or ours != theirs[r["size"]:]:
            problems.append("%s: cat --slack %d bytes, icat -s %d past the size" % (
                r["path"], len(ours), len(theirs) - r["size"]))
        n += 1
    if n == 0:
        problems.append("no plain non-resident file to compare")
    return n


def main():
    ntx, fixtures, images, _ = T.args()
    img = T.image(images, "deleted-4k")
    _, notes = T.manifest(fixtures, "deleted-4k")
    problems = []
    rows = [r for r in T.jsonl(T.run(ntx, "mft", "--slack", "--json", img)[1])
            if r["state"] == "slack"]
    _, counts = check_status(ntx, img, rows, notes, problems)
    lost = check_tsk(ntx, img, rows, problems)
    files = check_file_slack(ntx, img, problems)
    print("deleted-4k: %d slack names in /slack %s; %d header-lost names, as fls -d lists them "
          "with 2012 times; %d files' slack as icat -s gives it" % (
              sum(counts.values()), counts, lost, files))
    T.finish(problems)


if __name__ == "__main__":
    T.main(main)
