#!/usr/bin/env python3
"""Setup of the container tests: what ntx shows of each raw fixture, to
compare every container with (containers.py says what is kept).

usage: check_container_ref.py NTX FIXTURES_DIR IMAGES_DIR

The raw fixtures' listings and streams are checked against ntfs-3g's
manifests by cli.manifest.*; a container must give the same bytes.
"""
import json
import os
import re
import subprocess

import clitest as T
import containers as C


def reference(ntx, img, out):
    _, listing, _ = T.run(ntx, "ls", "-r", "-a", "--json", img, ok=(0, 3))
    items = set()
    for line in listing.splitlines():
        r = json.loads(line)
        if r["type"] == "file":
            items.add((r["mft"], ""))
        elif r["type"] == "stream":
            items.add((r["mft"], r["stream"]))
    args = ["%d:%s" % (m, s) if s else "%d" % m for m, s in sorted(items)]
    # streams the raw image cannot give (EFS-encrypted ones without --raw)
    bad = []
    probe = subprocess.run([ntx, "cat", img] + [a for x in args for a in ("-i", x)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if probe.returncode != 0:
        # one line per failed target names its record: only those are tried alone
        named = set()
        for line in probe.stderr.decode("utf-8", "replace").splitlines():
            m = re.search(r": record (\d+)", line)
            if m is None:
                raise T.Failure("%s: ntx cat failed without naming a record: %r" % (img, line))
            named.add(int(m.group(1)))
        for a in args:
            if int(a.split(":")[0]) not in named:
                continue
            rc = subprocess.run([ntx, "cat", img, "-i", a], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL).returncode
            if rc != 0:
                bad.append("%s\t%d" % (a, rc))
    bad_args = {b.split("\t")[0] for b in bad}
    good = [a for a in args if a not in bad_args]
    with open(out + ".ls", "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write(listing)
    with open(out + ".items", "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write("".join(a + "\n" for a in good))
    with open(out + ".bad", "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write("".join(b + "\n" for b in bad))
    with open(out + ".dump", "wb") as f:
        rc = subprocess.run([ntx, "cat", img] + [a for x in good for a in ("-i", x)],
                            stdout=f).returncode
    if rc != 0:
        raise T.Failure("%s: ntx cat of its streams: exit %d" % (img, rc))
    return len(good), len(bad)


def main():
    ntx, fixtures, images, _ = T.args()
    ref = C.ref_dir(images)
    os.makedirs(ref, exist_ok=True)
    total = 0
    for name in T.FIXTURES:
        img = T.image(images, name)
        n, b = reference(ntx, img, os.path.join(ref, name))
        total += n
        print("%s: %d streams%s" % (name, n, ", %d unreadable" % b if b else ""))
    print("references of %d fixtures (%d streams) in %s" % (len(T.FIXTURES), total, ref))
    return 0


if __name__ == "__main__":
    T.main(main)
