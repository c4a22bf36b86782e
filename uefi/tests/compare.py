#!/usr/bin/python3
"""compare.py - the driver's view of a volume against the fixture's manifest.

    compare.py SERIAL_LOG MANIFEST LABEL [PATH HOST_FILE]...

SERIAL_LOG holds the lines ntxefi-check.efi printed for "walk LABEL"
(between "W LABEL" and "T walk LABEL"); MANIFEST is the fixture's manifest,
written by ntfs-3g (fixtures/README.md). Extra PATH HOST_FILE pairs are files
the test added to the volume (and their directories).

Expected, row by row:
  d        "D PATH"
  f        "F SIZE SHA256 PATH" (files over 16 MiB: "F SIZE big PATH");
           SHA256 '-' (data kept outside the volume): "E EFI_ACCESS_DENIED PATH"
  l        PATH listed, in whatever form: the driver does not follow links
  s        nothing: UEFI has no named streams
and no line the manifest does not explain. Paths are escaped as the
application prints them: printable ASCII but '%' as is, other UTF-16 units
as %uXXXX.
"""
import hashlib
import sys

HASH_MAX = 16 * 1024 * 1024


def escape(path):
    out = []
    units = path.encode("utf-16-le")
    for i in range(0, len(units), 2):
        u = units[i] | units[i + 1] << 8
        if 0x20 <= u < 0x7F and u != 0x25:
            out.append(chr(u))
        else:
            out.append("%%u%04X" % u)
    return "".join(out)


def walk_lines(log, label):
    lines, inside = [], False
    with open(log, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line == "W " + label:
                inside, lines = True, []
            elif inside and line.startswith("T walk " + label + " "):
                return lines, line
            elif inside and line[:2] in ("D ", "F ", "E "):
                lines.append(line)
    sys.exit("FAIL: no complete walk of %r in %s" % (label, log))


def main():
    log, manifest, label = sys.argv[1:4]
    extra = sys.argv[4:]
    want, links = set(), set()
    with open(manifest, encoding="utf-8") as f:
        for row in f:
            if row.startswith("#") or not row.strip():
                continue
            kind, _mft, size, _nlink, sha, _target, path = row.rstrip("\n").split("\t")
            p = escape(path)
            if kind == "d":
                want.add("D " + p)
            elif kind == "f" and sha == "-":
                want.add("E EFI_ACCESS_DENIED " + p)
            elif kind == "f":
                big = int(size) > HASH_MAX
                want.add("F %s %s %s" % (size, "big" if big else sha, p))
            elif kind == "l":
                links.add(p)
    for i in range(0, len(extra), 2):
        path, host = extra[i], extra[i + 1]
        data = open(host, "rb").read()
        want.add("F %d %s %s" % (len(data), hashlib.sha256(data).hexdigest(), escape(path)))
        parts = path.split("/")[1:-1]
        for j in range(1, len(parts) + 1):
            want.add("D /" + "/".join(parts[:j]))
    got, summary = walk_lines(log, label)
    got_set = set(got)
    bad = 0
    if len(got) != len(got_set):
        print("FAIL: an entry was listed twice")
        bad += 1
    for line in sorted(want - got_set):
        print("FAIL: missing:", line)
        bad += 1
    for line in sorted(got_set - want):
        if line.startswith("F "):
            path = line.split(" ", 3)[3]
        elif line.startswith("E "):
            path = line.split(" ", 2)[2]
        else:
            path = line[2:]
        if path in links:
            links.discard(path)
            continue
        print("FAIL: unexpected:", line)
        bad += 1
    for p in sorted(links):
        print("FAIL: link not listed:", p)
        bad += 1
    print("%s: %d lines checked against %s; %s" % (label, len(got), manifest.split("/")[-1], summary))
    sys.exit(1 if bad else 0)


main()
