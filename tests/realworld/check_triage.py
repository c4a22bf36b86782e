#!/usr/bin/env python3
"""Triage files of one Windows-written disk: $MFT and $Extend/$UsnJrnl:$J
written out with `ntx cat`, then ntx mft, timeline, usn and stat through
--mft-file and --journal-file against the same commands on the disk
(tests/cli/triage.py says what must agree and what may not), and hostile
copies of both files (cut short, overwritten with garbage).

usage: check_triage.py NTX REALWORLD_DIR IMAGES_DIR NAME
"""
import os
import sys
import tempfile

import realworld as R

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
import triage as TR  # noqa: E402


def main():
    ntx, src, images, name = sys.argv[1:5]
    R.skip_if_absent(src)
    img, off = R.image(images, name), R.offset(name)
    args = ["--offset", str(off), img]
    with tempfile.TemporaryDirectory() as tmp:
        try:
            problems, summary = TR.compare(ntx, args, ("$Extend/$UsnJrnl:$J", None), tmp, name)
        except TR.Problem as e:
            problems, summary = [str(e)], name + ": failed"
        print(summary)
        if name == "win10-20h1":
            h = TR.hostile(ntx, os.path.join(tmp, "MFT"), os.path.join(tmp, "J"), tmp, name)
            print("%s: hostile copies of $MFT and $J: %d problems" % (name, len(h)))
            problems += h
    for p in problems[:30]:
        print("  " + p[:600])
    if problems:
        raise R.Failure("%d problems" % len(problems))
    return 0


if __name__ == "__main__":
    R.main(main)
