#!/usr/bin/env python3
"""Triage files: $MFT (and a change journal) written out of every fixture
with `ntx cat`, then ntx mft, timeline, usn and stat through --mft-file and
--journal-file against the same commands on the image (triage.py says
what must agree and what may not), and hostile copies of those files.

usage: check_triage.py NTX FIXTURES_DIR IMAGES_DIR

The fixtures have no $UsnJrnl (ntfs-3g does not write one): deleted-4k's
stand-in journal /journal/usnjrnl.bin:$J serves (read with --stream from
the image).
"""
import os
import tempfile

import clitest as T
import triage as TR


def main():
    ntx, _, images, _ = T.args()
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in T.FIXTURES:
            img = T.image(images, name)
            journal = None
            if name == "deleted-4k":
                journal = ("/journal/usnjrnl.bin:$J", "/journal/usnjrnl.bin:$J")
            work = os.path.join(tmp, name)
            os.mkdir(work)
            try:
                p, summary = TR.compare(ntx, [img], journal, work, name)
            except TR.Problem as e:
                p, summary = [str(e)], name + ": failed"
            problems += p
            print(summary)
            if name == "deleted-4k":
                h = TR.hostile(ntx, os.path.join(work, "MFT"), os.path.join(work, "J"), work,
                               name)
                problems += h
                print("%s: hostile copies of $MFT and $J: %d problems" % (name, len(h)))
    return T.finish(problems, show=30)


if __name__ == "__main__":
    T.main(main)
