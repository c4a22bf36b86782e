#!/usr/bin/env python3
"""Names hostile to terminals and to extraction (R35, docs/robustness.md).

usage: check_hostile.py NTX FIXTURES_DIR IMAGES_DIR

A copy of deleted-4k gets the '# patch' lines of its manifest applied, which
turn the placeholder names of /hostile into "..", ".", "a/b", names holding
ESC, LF, TAB, NUL, CSI (U+009B) and a lone surrogate (U+D800); two names
(a backslash, U+202E) are there unpatched.

 * text output (ls, ls -l, mft, timeline, stat) holds no control character,
   no C1 control and no bidirectional override: they come out as \\xHH or
   \\u{XXXX}, a backslash as \\\\;
 * --json output is valid JSON and gives the exact names back (the lone
   surrogate as \\ud800);
 * extract refuses ".", "..", "a/b" and the NUL name with one error line each,
   writes the others, writes nothing outside DEST, and does not follow a
   symbolic link planted in DEST.
"""
import json
import os
import re
import shutil
import tempfile

import clitest as T

EXPECT_TEXT = ["..", ".", "a/b", "nl\\x0Ax", "tab\\x09x", "esc\\x1B[31mred", "nul\\x00x",
               "csi\\u{009B}2J", "surr\\u{D800}x", "back\\\\slash.txt", "bidi-\\u{202E}txt.exe"]
EXPECT_JSON = ["..", ".", "a/b", "nl\nx", "tab\tx", "esc\x1b[31mred", "nul\0x", "csi\u009b2J",
               "surr\ud800x", "back\\slash.txt", "bidi-\u202etxt.exe"]
REFUSED = ["..", ".", "a/b", "nul\\x00x"]


def clean(text, what):
    bad = re.findall("[\x00-\x09\x0b-\x1f\x7f\u0080-\u009f\u202a-\u202e\u2066-\u2069]", text)
    if bad:
        raise T.Failure("%s: raw control characters in text output: %r" % (what, bad[:5]))


def main():
    ntx, fixtures, images, _ = T.args()
    src = T.image(images, "deleted-4k")
    _, notes = T.manifest(fixtures, "deleted-4k")
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        img = os.path.join(tmp, "hostile.img")
        shutil.copyfile(src, img)
        with open(img, "r+b") as f:
            for off, old, new, _ in notes["patch"]:
                f.seek(int(off))
                if f.read(len(old) // 2) != bytes.fromhex(old):
                    raise T.Failure("patch at %s does not match the image" % off)
                f.seek(int(off))
                f.write(bytes.fromhex(new))
        for args in (["ls", img, "/hostile"], ["ls", "-l", "-a", img, "/hostile"],
                     ["ls", "-r", img, "/hostile"], ["mft", img], ["timeline", img],
                     ["mft", "--slack", img]):
            _, out, err = T.run(ntx, *args, ok=(0, 3))
            clean(out, " ".join(args[:1]))
            clean(err, " ".join(args[:1]) + " (stderr)")
        _, out, _ = T.run(ntx, "ls", img, "/hostile")
        names = [l.split(None, 2)[2] for l in out.splitlines()]
        for n in EXPECT_TEXT:
            if n not in names:
                problems.append("ls: %r not among %r" % (n, names))
        _, out, _ = T.run(ntx, "timeline", img)
        # the body file writes controls as plaso's bodyfile parser reads them
        # (\\x and lower-case hex), a '|' as \\|
        if "/hostile/esc\\x1b[31mred|" not in out or "/hostile/a/b|" not in out:
            problems.append("timeline does not escape the names")
        for line in out.splitlines():
            if re.sub(r"\\.", "", line).count("|") != 10:
                problems.append("timeline line with an unescaped '|' in a name: %r" % line)
        _, out, _ = T.run(ntx, "ls", "--json", img, "/hostile")
        got = [json.loads(l)["name"] for l in out.splitlines()]
        for n in EXPECT_JSON:
            if n not in got:
                problems.append("ls --json: %r missing" % n)
        if '"surr\\ud800x"' not in out:
            problems.append("ls --json: the lone surrogate is not written as \\ud800")
        # every record's stat works on the patched names
        for line in T.run(ntx, "ls", img, "/hostile")[1].splitlines():
            ref = line.split()[1].split("-")[0]
            _, st, _ = T.run(ntx, "stat", "-i", ref, img)
            clean(st, "stat")
            T.jsonl(T.run(ntx, "stat", "--json", "-i", ref, img)[1])

        # extract
        outside = os.path.join(tmp, "outside")
        os.mkdir(outside)
        dest = os.path.join(tmp, "dest")
        before = sorted(os.listdir(tmp))
        rc, out, err = T.run(ntx, "extract", img, "/hostile", dest, ok=(3,))
        errs = err.splitlines()
        for n in REFUSED:
            if not any(("/hostile/" + n + ":") in e and "not extracted" in e for e in errs):
                problems.append("extract: no refusal for %r in %r" % (n, errs))
        if len(errs) != len(REFUSED):
            problems.append("extract: %d error lines, expected %d: %r" % (len(errs), len(REFUSED), errs))
        written = sorted(os.listdir(dest))
        want = sorted(n for n in EXPECT_JSON if n not in ("..", ".", "a/b", "nul\0x")
                      and "\ud800" not in n) + ["surr\udced\udca0\udc80x"]
        if written != sorted(want):
            problems.append("extract wrote %r, expected %r" % (written, want))
        if sorted(os.listdir(tmp)) != before + ["dest"] and sorted(os.listdir(tmp)) != sorted(before + ["dest"]):
            problems.append("extract wrote outside DEST: %r" % os.listdir(tmp))
        if os.listdir(outside):
            problems.append("extract wrote into another directory")
        # a symbolic link planted in DEST is not followed (-f writes into DEST)
        dest2 = os.path.join(tmp, "dest2")
        os.mkdir(dest2)
        os.symlink(os.path.join(outside, "victim"), os.path.join(dest2, "back\\slash.txt"))
        rc, out, err = T.run(ntx, "extract", "-f", img, "/hostile", dest2, ok=(3,))
        if os.path.exists(os.path.join(outside, "victim")):
            problems.append("extract followed a symbolic link out of DEST")
        if "back\\\\slash.txt: cannot create" not in err:
            problems.append("extract -f over a planted link: %r" % err)
    print("hostile: %d checks" % (len(EXPECT_TEXT) + len(EXPECT_JSON) + len(REFUSED)))
    return T.finish(problems)


if __name__ == "__main__":
    T.main(main)
