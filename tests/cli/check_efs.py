#!/usr/bin/env python3
"""EFS-encrypted streams: refused by cat and extract with a message, read
as stored with `cat --raw`, flagged by stat.

usage: check_efs.py NTX FIXTURES_DIR IMAGES_DIR

ntfs-3g cannot encrypt, so a copy of sample.img gets the ENCRYPTED flag
(0x4000) set in the $DATA attribute header of /pictures/sunset.png; its
bytes then stand for the ciphertext. The record's place on the volume comes
from `ntx stat` ($MFT's runs, the attribute's offset in the record).
"""
import os
import shutil
import tempfile

import clitest as T


def main():
    ntx, fixtures, images, _ = T.args()
    src = T.image(images, "sample")
    rows, _ = T.manifest(fixtures, "sample")
    want = [r for r in rows if r["path"] == "/pictures/sunset.png"][0]
    info = T.jsonl(T.run(ntx, "info", "--json", src)[1])[0]
    mft = T.jsonl(T.run(ntx, "stat", "--json", "-i", "0", src)[1])[0]
    st = T.jsonl(T.run(ntx, "stat", "--json", src, "/pictures/sunset.png")[1])[0]
    data = [a for a in st["attributes"] if a["type"] == 0x80 and a["name"] == ""][0]
    cs, rs = info["cluster_size"], info["record_size"]
    byte = data["record"] * rs
    runs = [a for a in mft["attributes"] if a["type"] == 0x80][0]["runs"]
    vcn = byte // cs
    run = [r for r in runs if r["vcn"] <= vcn < r["vcn"] + r["len"]][0]
    off = (run["lcn"] + vcn - run["vcn"]) * cs + byte % cs + data["offset"] + 0x0C
    if off % 512 in (510, 511):
        raise T.Failure("the flags fall on an update sequence position")
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        img = os.path.join(tmp, "efs.img")
        shutil.copyfile(src, img)
        with open(img, "r+b") as f:
            f.seek(off)
            flags = int.from_bytes(f.read(2), "little")
            f.seek(off)
            f.write((flags | 0x4000).to_bytes(2, "little"))
        rc, out, err = T.run(ntx, "cat", img, "/pictures/sunset.png", ok=(1,))
        if "EFS-encrypted" not in err or "--raw" not in err or out:
            problems.append("cat of an encrypted stream: %r" % err)
        rc, digest, n, err = T.cat_sha256(ntx, "cat", "--raw", img, "/pictures/sunset.png")
        if rc != 0 or digest != want["sha256"]:
            problems.append("cat --raw: exit %d, %d bytes, digest ok %s" % (rc, n, digest == want["sha256"]))
        _, text, _ = T.run(ntx, "stat", img, "/pictures/sunset.png")
        if "encrypted" not in text:
            problems.append("stat does not say encrypted")
        js = T.jsonl(T.run(ntx, "stat", "--json", img, "/pictures/sunset.png")[1])[0]
        if not [a for a in js["attributes"] if a["type"] == 0x80 and a["flags"] & 0x4000]:
            problems.append("stat --json: no encrypted flag")
        rc, _, err = T.run(ntx, "extract", img, "/pictures", os.path.join(tmp, "x"), ok=(3,))
        if "EFS-encrypted" not in err or os.path.exists(os.path.join(tmp, "x", "sunset.png")):
            problems.append("extract of an encrypted file: %r" % err)
    print("efs: cat refuses, cat --raw reads, stat flags, extract reports")
    return T.finish(problems)


if __name__ == "__main__":
    T.main(main)
