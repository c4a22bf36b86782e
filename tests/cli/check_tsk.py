#!/usr/bin/env python3
"""ntx mft, ntx timeline, ntx stat and ntx cat against The Sleuth Kit.

usage: check_tsk.py NTX FIXTURES_DIR IMAGES_DIR NAME

 1. `ntx mft --json` and `fls -r -p`: every name TSK lists has an ntx row with
    the same MFT number, deleted flag and path, and every ntx row of a base
    record with a name or attributes has a TSK row with that MFT number.
 2. `ntx timeline` and `fls -r -m /`: every TSK body line has an ntx line with
    the same name, inode-type-id, size and the four times.
 3. `ntx stat --json` and `istat`: allocation, link count, $STANDARD_INFORMATION
    and $FILE_NAME times, and the attribute list (type, id, name, residency,
    size) of every record TSK names.
 4. `ntx cat` and `icat`: the bytes of every $DATA stream up to 64 MiB.
    For the files the manifest notes as WOF-compressed or stored elsewhere
    ('# wof', '# external'), `ntx cat --raw` and `icat` (see below).

Deliberate differences (ntx(1), COMPARISON WITH THE SLEUTH KIT):
 * TSK writes a zero NT time as 3373865674 (its unsigned conversion of
   1601-01-01 wraps to 2076-11-29); ntx writes 0. Compared as equal.
 * TSK prints one $FILE_NAME line per file, from the attribute it reads last,
   for every name of a hard-linked file; ntx prints each name's own
   $FILE_NAME. For such files only the inode is compared on those lines.
 * TSK prints no $FILE_NAME line when the names live in extension records
   (an attribute list); ntx does (extra lines are allowed).
 * TSK repeats a directory's named streams as "DIR/.:STREAM"; ntx does not.
 * Paths under $OrphanFiles: ntx rebuilds what TSK cannot (a directory whose
   names live in a freed extension record); basenames are compared.
 * icat writes nothing for $BadClus:$Bad; ntx cat writes its (sparse) bytes.
   Not compared.
 * The UID column: TSK reads the owner id past the end of a 48-byte (NTFS 1.2)
   $STANDARD_INFORMATION; ntx writes 0 there. Not compared.
 * Attribute ids are unique only within a record: where two of a file's
   records use the same id, TSK renumbers one (the deleted directory 5208 of
   ntfs-4k: its $INDEX_ROOT is id 0 in record 5329, TSK says 144-8); ntx keeps
   the record's id. Such lines are matched by type when the type is unique.
 * A deleted file's attributes: ntx lists those its attribute list still
   names (skipping the entries whose attribute is gone); TSK also lists the
   base record's attributes that the list has lost. Only TSK's extra ones.
 * The name type before the '/' of the mode: TSK writes '-' for names it did not
   find in a directory index; ntx writes the record's type. Only the part after
   the '/' is compared (for entries in use).
 * Names: ntx escapes control characters, backslashes and bidirectional
   controls (\\x1B, \\\\, \\u{202E}); they are unescaped before comparing.
 * TSK cannot load some records (the 5 GiB sparse file: a line without
   type-id and size 0); such lines are skipped when ntx lists the name.
 * Attribute ids of attributes in extension records: TSK takes the id from the
   attribute list entry, ntx from the attribute header; compared by type and
   name when they differ.
 * Records ntx reports as partly unreadable (stderr) are not compared.
 * WOF-compressed files (wof.img.gz): TSK 4.11 does not know the Windows
   Overlay Filter, so `icat` gives the unnamed $DATA as stored, which is
   sparse and reads as zeros; `ntx cat` gives the file's bytes, decompressed
   from its WofCompressedData (the manifest's SHA-256, which
   check_manifest.py compares). Files whose data is stored outside the
   volume (WIMBoot, deduplication, cloud, HSM): icat gives the same zeros,
   `ntx cat` refuses them. For both, icat's bytes are compared with
   `ntx cat --raw`, which reads the unnamed $DATA as stored: the same
   stream TSK reads, so the two must agree byte for byte.
   WofCompressedData itself is an ordinary named stream and is compared
   with `ntx cat` like any other.
"""
import os
import re
import subprocess
import sys

import clitest as T

TSK_ZERO_TIME = 3373865674


def fls_names(img):
    out = subprocess.run(["fls", "-r", "-p", img], stdout=subprocess.PIPE, check=True,
                         env=dict(os.environ, TZ="UTC")).stdout.decode("utf-8", "replace")
    rows = []
    rx = re.compile(r"^(\S)/(\S) (\* )?(\d+)(?:-(\d+)-(\d+))?(?: \(realloc\))?:\t(.*)$")
    for line in out.splitlines():
        m = rx.match(line)
        if not m:
            raise T.Failure("cannot parse fls line %r" % line)
        ntype, mtype, star, inode, atype, aid, path = m.groups()
        if ntype == "V":          # $OrphanFiles itself
            continue
        rows.append(dict(inode=int(inode), deleted=bool(star), path=path,
                         realloc="(realloc)" in line, atype=atype))
    return rows


def never_used(ntx, img):
    """Records ntx calls never used ("empty" in mft -a): no attribute, or not
    in use with no name and LSN 0, as the formatter leaves the reserved
    records 16-23 (mkntfs) or a whole first cluster of them (Windows, 2 MiB
    clusters). fls lists them as deleted orphan files; ntx does not (ntx.1,
    COMPARISON WITH THE SLEUTH KIT)."""
    _, out, _ = T.run(ntx, "mft", "-a", "--json", "-q", img, ok=(0, 3))
    return {r["mft"] for r in T.jsonl(out) if r["state"] == "empty"}


def tsk_template_line(path, inode, templates):
    """An fls line for a never-used record: /$OrphanFiles/OrphanFile-N."""
    base = path.rsplit("/", 1)[-1].replace(" (deleted)", "")
    return inode in templates and path.lstrip("/").startswith("$OrphanFiles/") and \
        base == "OrphanFile-%d" % inode


def check_mft(ntx, img, templates):
    _, out, _ = T.run(ntx, "mft", "--json", "-q", img, ok=(0, 3))
    mft = T.jsonl(out)
    by_inode = {}
    for r in mft:
        by_inode.setdefault(r["mft"], []).append(r)
    problems = []
    tsk_inodes = set()
    for t in fls_names(img):
        if t["realloc"]:
            continue  # a name from a directory whose record was reused: `ntx mft --slack`
        path = t["path"]
        tsk_inodes.add(t["inode"])
        if tsk_template_line(path, t["inode"], templates):
            continue
        if ":" in path.rsplit("/", 1)[-1]:
            continue  # a named stream (fls lists them as names); timeline compares them
        rows = by_inode.get(t["inode"], [])
        if not rows:
            problems.append("record %d (%s) missing from ntx mft" % (t["inode"], path))
            continue
        if any(r["deleted"] != t["deleted"] for r in rows):
            problems.append("record %d: deleted flag differs (TSK %s)" % (t["inode"], t["deleted"]))
        if path.startswith("$OrphanFiles/"):
            base = path.rsplit("/", 1)[-1]
            if base.startswith("OrphanFile-"):
                continue
            if not any(r.get("name") == base for r in rows):
                problems.append("record %d: no name %r in ntx mft" % (t["inode"], base))
        elif not any(r.get("path") == "/" + path for r in rows):
            problems.append("record %d: path /%s not in ntx mft (%s)" % (
                t["inode"], path, [r.get("path") for r in rows]))
    for r in mft:
        if r["state"] not in ("in-use", "deleted") or r["mft"] in tsk_inodes:
            continue
        if r["mft"] in (5, 12, 13, 14, 15):  # the root; reserved records TSK does not list
            continue
        problems.append("ntx record %d (%s, %s) not listed by fls" % (r["mft"], r["state"], r.get("path")))
    return problems, len(mft)


def body(lines):
    out = []
    for line in lines.splitlines():
        f = line.split("|")
        if len(f) < 11:
            raise T.Failure("body line without 11 fields: %r" % line)
        # a '|' in a name is written "\\|" (plaso's rule): the name is what
        # lies between the first field and the last nine
        f = [f[0], "|".join(f[1:-9])] + f[-9:]
        times = [0 if int(x) == TSK_ZERO_TIME else int(x) for x in f[7:11]]
        out.append(dict(name=f[1], inode=f[2], mode=f[3], size=int(f[6]), times=times))
    return out


def unescape(name):
    """ntx's text escapes (\\xHH, \\\\, \\u{XXXX}; in the body file also \\| and
    lower-case \\xhh) back to the characters."""
    def rep(m):
        g = m.group(0)
        if g in ("\\\\", "\\|"):
            return g[1]
        if g.startswith("\\x"):
            return chr(int(g[2:], 16))
        return chr(int(g[3:-1], 16))
    return re.sub(r"\\\\|\\\||\\x[0-9A-Fa-f]{2}|\\u\{[0-9A-F]+\}", rep, name)


def check_timeline(ntx, img, templates):
    tsk = body(subprocess.run(["fls", "-r", "-m", "/", img], stdout=subprocess.PIPE, check=True)
               .stdout.decode("utf-8", "replace"))
    _, out, err = T.run(ntx, "timeline", img, ok=(0, 3))
    # records the core could not read completely (reported on stderr): TSK may
    # see more of them
    broken = {m for m in re.findall(r": record (\d+): ", err)}
    ours = body(out)
    for o in ours:
        o["name"] = unescape(o["name"])
    by_key = {}
    by_inode_base = {}
    for o in ours:
        by_key.setdefault((o["name"], o["inode"]), []).append(o)
        base = o["name"].rsplit("/", 1)[-1]
        by_inode_base.setdefault((o["inode"], base), []).append(o)
    # hard links: TSK prints one $FILE_NAME line (same inode-48-id) per name
    fn_names = {}
    for t in tsk:
        if "-48-" in t["inode"]:
            fn_names.setdefault(t["inode"], set()).add(t["name"])
    problems = []
    compared = 0
    for t in tsk:
        name = t["name"]
        if "/.:" in name or t["mode"].startswith("V/"):
            continue
        if tsk_template_line(name, int(t["inode"].split("-")[0]), templates):
            continue
        is_fn = "-48-" in t["inode"]
        if is_fn and len(fn_names[t["inode"]]) > 1:
            inode = t["inode"].split("-")[0]
            if not any(o["name"] == name and o["inode"].startswith(inode + "-48-") for o in ours):
                problems.append("no $FILE_NAME line for %s" % name)
            continue
        cands = by_key.get((name, t["inode"]))
        if not cands and name.startswith("/$OrphanFiles/"):
            cands = by_inode_base.get((t["inode"], name.rsplit("/", 1)[-1]))
        if not cands and "-" not in t["inode"] and any(
                o["name"] == name and o["inode"].startswith(t["inode"] + "-") for o in ours):
            continue  # TSK could not load this record's attributes (size 0, no type-id)
        if not cands and t["inode"].count("-") == 2:
            # TSK renumbered an id repeated across the file's records
            typ = t["inode"].rsplit("-", 1)[0] + "-"
            same = [o for o in ours if o["name"] == name and o["inode"].startswith(typ)]
            if not same and name.startswith("/$OrphanFiles/"):
                same = [o for (i, b), os_ in by_inode_base.items() if i.startswith(typ) and
                        b == name.rsplit("/", 1)[-1] for o in os_]
            if len(same) == 1:
                cands = same
        if not cands and t["inode"].split("-")[0] in broken:
            continue  # ntx reported this record as partly unreadable (a core limitation)
        if not cands:
            problems.append("TSK line %s|%s has no ntx line" % (name, t["inode"]))
            continue
        o = cands[0]
        compared += 1
        if o["size"] != t["size"]:
            problems.append("%s %s: size %d, TSK %d" % (name, t["inode"], o["size"], t["size"]))
        if o["times"] != t["times"]:
            problems.append("%s %s: times %s, TSK %s" % (name, t["inode"], o["times"], t["times"]))
        if "(deleted)" not in name and o["mode"][2:] != t["mode"][2:]:
            problems.append("%s %s: mode %s, TSK %s" % (name, t["inode"], o["mode"], t["mode"]))
    return problems, compared, len(tsk), len(ours)


ISTAT_TIME = re.compile(r"^(Created|File Modified|MFT Modified|Accessed):\s+(.*) \(UTC\)$")


def nt_to_tsk_text(iso):
    """ntx JSON time (2026-11-23T13:40:50.0647733Z) as istat prints it."""
    if iso is None:
        return None
    date, time_ = iso.rstrip("Z").split("T")
    hms, frac = time_.split(".")
    return "%s %s.%s00" % (date, hms, frac)


def check_istat(ntx, img, inodes):
    problems = []
    # ntx: one call for all the records (-i given again for each)
    _, out, _ = T.run(ntx, "stat", "--json", "-q", img,
                      *[a for n in inodes for a in ("-i", str(n))], ok=(0, 1, 3))
    stats = {st["mft"]: st for st in T.jsonl(out)}
    for n in inodes:
        p = subprocess.run(["istat", img, str(n)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=dict(os.environ, TZ="UTC"))
        if p.returncode != 0:
            continue
        text = p.stdout.decode("utf-8", "replace").splitlines()
        st = stats.get(n)
        if st is None:
            problems.append("record %d: istat shows it, ntx stat could not open it" % n)
            continue
        alloc = any(re.match(r"^Allocated (File|Directory)$", l) for l in text)
        if alloc != st["in_use"]:
            problems.append("record %d: allocated %s, ntx in_use %s" % (n, alloc, st["in_use"]))
        for l in text:
            if l.startswith("Links:"):
                if int(l.split()[1]) != st["link_count"]:
                    problems.append("record %d: links %s, ntx %d" % (n, l, st["link_count"]))
        # times: the first block is $STANDARD_INFORMATION, then one block per $FILE_NAME
        section, blocks = None, []
        for l in text:
            if l.endswith("Attribute Values:"):
                section = l.split()[0]
                blocks.append((section, {}))
            m = ISTAT_TIME.match(l)
            if m and blocks:
                blocks[-1][1][m.group(1)] = m.group(2)
        keys = [("Created", "created"), ("File Modified", "modified"),
                ("MFT Modified", "changed"), ("Accessed", "accessed")]
        si = st.get("standard_information")
        fns = [b for s, b in blocks if s == "$FILE_NAME"]
        for s, b in blocks:
            if s == "$STANDARD_INFORMATION" and si:
                for k, j in keys:
                    if si[j] is not None and b.get(k) != nt_to_tsk_text(si[j]):
                        problems.append("record %d: SI %s %s, ntx %s" % (n, k, b.get(k), si[j]))
        ours_fn = [f for f in st["file_names"]]
        for b in fns:
            if not any(all(b.get(k) == nt_to_tsk_text(f[j]) for k, j in keys if f[j]) for f in ours_fn):
                problems.append("record %d: no ntx $FILE_NAME with times %s" % (n, b))
        # attributes: "Type: $DATA (128-2)   Name: N/A   Resident   size: 16"
        rx = re.compile(r"^Type: (\S+) \((\d+)-(\d+)\)\s+Name: (.*?)\s+(Resident|Non-Resident)"
                        r"(?:,[^ ]*)*\s+size: (\d+)")
        ours = {(a["type"], a["id"]): a for a in st["attributes"]}
        for l in text:
            m = rx.match(l)
            if not m:
                continue
            typ, aid, name, res, size = int(m.group(2)), int(m.group(3)), m.group(4), m.group(5), int(m.group(6))
            a = ours.get((typ, aid))
            if a is None and st["attribute_list"]:
                # TSK takes the id from the attribute list entry, ntx from the
                # attribute header in the extension record (ntfs-3g may differ)
                same = [x for x in st["attributes"] if x["type"] == typ and
                        (name == "N/A" or x["name"] == name) and x.get("lowest_vcn", 0) == 0]
                a = same[0] if len(same) == 1 else None
            if a is None:
                problems.append("record %d: attribute %d-%d missing" % (n, typ, aid))
                continue
            if (name != "N/A" and a["name"] != name) or a["resident"] != (res == "Resident"):
                problems.append("record %d: attribute %d-%d name/residency differ" % (n, typ, aid))
            if a["size"] != size and not (typ == 0x20):
                problems.append("record %d: attribute %d-%d size %d, TSK %d" % (n, typ, aid, a["size"], size))
    return problems


def check_icat(ntx, img, streams, raw_records):
    """raw_records: the records whose unnamed $DATA TSK reads as stored and
    ntx decodes or refuses (WOF, external data): compared through
    `ntx cat --raw`."""
    problems = []
    want = []
    raw = []
    for inode, typ, aid, stream_name, size in streams:
        if size > 64 << 20 or inode == 8:
            continue  # icat writes nothing for $BadClus:$Bad (sparse, the volume's size)
        p = subprocess.run(["icat", img, "%d-%d-%d" % (inode, typ, aid)], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL)
        if p.returncode != 0:
            continue
        spec = "%d:%s" % (inode, stream_name) if stream_name else str(inode)
        (raw if not stream_name and inode in raw_records else want).append((spec, p.stdout))
    # ntx: one call for them all, cut at icat's sizes (each alone if that fails)
    got = T.cat_sha256_many(ntx, img, [(spec, len(data)) for spec, data in want], by_record=True)
    for (spec, data), (rc, digest, n, _) in zip(want, got):
        if digest != T.sha256(data):
            problems.append("record %s: ntx cat differs from icat (%d/%d bytes)" % (
                spec, n, len(data)))
    got = T.cat_sha256_many(ntx, img, [(spec, len(data)) for spec, data in raw],
                            by_record=True, opts=["--raw"])
    for (spec, data), (rc, digest, n, _) in zip(raw, got):
        if digest != T.sha256(data):
            problems.append("record %s: ntx cat --raw differs from icat (%d/%d bytes)" % (
                spec, n, len(data)))
    return problems, len(raw)


def main():
    ntx, fixtures, images, rest = T.args()
    name = rest[0]
    for t in ("fls", "istat", "icat"):
        if not T.tool(t):
            print("SKIP: %s not installed (Debian package sleuthkit)" % t)
            return T.SKIP
    img = T.image(images, name)
    templates = never_used(ntx, img)
    problems, nmft = check_mft(ntx, img, templates)
    p2, compared, ntsk, nours = check_timeline(ntx, img, templates)
    problems += p2
    # istat and icat on every record / $DATA stream TSK names (sampled on big images)
    _, out, _ = T.run(ntx, "timeline", "-q", img, ok=(0, 3))
    inodes, streams = [], []
    for o in body(out):
        parts = o["inode"].split("-")
        if len(parts) == 3:
            n, typ, aid = int(parts[0]), int(parts[1]), int(parts[2])
            if n not in inodes:
                inodes.append(n)
            if typ == 128:
                nm = o["name"].replace(" (deleted)", "")
                last = nm.rsplit("/", 1)[-1]
                sname = last.split(":", 1)[1] if ":" in last else None
                if "\\" not in nm and (n, typ, aid) not in [(s[0], s[1], s[2]) for s in streams]:
                    streams.append((n, typ, aid, sname, o["size"]))
    # istat and icat start a process per record and reread $MFT: a sample
    # (every record of the small images, 60 spread over the big ones, and
    # every named stream) keeps the test within seconds
    step = max(1, len(inodes) // 60)
    picked = [i for i in inodes[::step] if i != 0]
    problems += check_istat(ntx, img, picked)
    sstep = max(1, len(streams) // 60)
    picked_s = [s for k, s in enumerate(streams) if k % sstep == 0 or s[3]]
    # WOF and external files (see the docstring): their unnamed $DATA is
    # compared as stored, through --raw
    rows, notes = T.manifest(fixtures, name)
    by_path = {r["path"]: r["mft"] for r in rows}
    raw_records = {by_path[n[0]] for key in ("wof", "external") for n in notes.get(key, [])}
    p4, nraw = check_icat(ntx, img, picked_s, raw_records)
    problems += p4
    print("%s: ntx mft %d rows; timeline: %d TSK lines compared of %d (ntx %d lines); "
          "istat %d records; icat %d streams (%d WOF or external files as stored, through "
          "cat --raw); %d records never used (fls: deleted orphans)" %
          (name, nmft, compared, ntsk, nours, len(picked), len(picked_s), nraw, len(templates)))
    return T.finish(problems, "differences with The Sleuth Kit", 60)


if __name__ == "__main__":
    T.main(main)
