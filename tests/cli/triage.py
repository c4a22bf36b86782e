"""ntx on triage files against ntx on the image they come from (shared by
tests/cli/check_triage.py, on the fixtures, and tests/realworld/
check_triage.py, on the Windows disks).

$MFT (and a change journal) are written out with `ntx cat`, as an analyst
would collect them, then:

  mft -a --json         identical, byte for byte, but for the order of the
                        rows of a file whose attribute list is non-resident
                        (on the volume): ntx puts it back together from the
                        extension records that name it, which give the same
                        rows, in record order rather than the list's
  timeline              (body, jsonl and csv) the --mft-file output is the
                        image's with lines left out (as a multiset; in the
                        same order but for the files above), and the lines
                        left out are exactly the "$I30" lines of the
                        directories whose index has blocks (those are on the
                        volume: ntx says how many directories on stderr, and
                        `ntx stat` of each shows an $INDEX_ALLOCATION)
  usn --json            identical (--journal-file with --mft-file against
                        the journal read from the image)
  timeline --usn        as timeline
  stat --json -i N      identical for records 0-15 and a sample of the
                        others, but where the value lives on the volume
                        (the fields stat_differences() names: the
                        $I30 entry of a name in an index block is
                        "elsewhere"); of a file
                        whose attribute list is non-resident, stat shows the
                        list and says the rest is on the volume

and, hostile, copies of the $MFT and the journal cut short and overwritten
with garbage: every run ends with exit 0, 1 or 3 (never a signal, never a
hang), a failure says what it is on stderr in lines naming the file, and a
file that is no $MFT is refused in one line.
"""
import collections
import csv
import json
import os
import random
import subprocess

TIMEOUT = 120


class Problem(Exception):
    pass


def run(argv, out_file=None, ok=(0,)):
    env = dict(os.environ, TZ="UTC", LC_ALL="C.UTF-8")
    try:
        p = subprocess.run(argv, stdout=open(out_file, "wb") if out_file else subprocess.PIPE,
                           stderr=subprocess.PIPE, env=env, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise Problem("%s: still running after %d s" % (" ".join(argv), TIMEOUT))
    err = p.stderr.decode("utf-8", "replace")
    if ok is not None and p.returncode not in ok:
        raise Problem("%s: exit %d: %s" % (" ".join(argv), p.returncode, err[-600:]))
    out = b"" if out_file else p.stdout
    return p.returncode, out.decode("utf-8", "surrogateescape"), err


def multiset_gap(full, part):
    """The lines of full that part leaves out, if part is full with lines
    left out (as multisets); None if part has lines full has not."""
    left = collections.Counter(full)
    left.subtract(collections.Counter(part))
    if any(v < 0 for v in left.values()):
        return None
    return list(left.elements())


def far_lists(ntx, img_args):
    """The records whose attribute list is non-resident."""
    _, out, _ = run([ntx, "mft", "--json"] + img_args, ok=(0, 3))
    recs = sorted({json.loads(l)["mft"] for l in out.splitlines()})
    far = set()
    for i in range(0, len(recs), 200):
        args = [x for r in recs[i:i + 200] for x in ("-i", str(r))]
        _, st, _ = run([ntx, "stat", "--json", "-q"] + args + img_args, ok=(0, 1, 3))
        for d in map(json.loads, st.splitlines()):
            if any(a["type"] == 0x20 and not a["resident"] for a in d["attributes"]):
                far.add(d["mft"])
    return far


def has_index_blocks(ntx, img_args, mft, cache):
    if mft not in cache:
        _, out, _ = run([ntx, "stat", "--json", "-i", str(mft)] + img_args)
        cache[mft] = any(a["type"] == 0xA0 and a["name"] == "$I30"
                         for a in json.loads(out)["attributes"])
    return cache[mft]


def compare_timeline(ntx, img_args, mft_args, extra, what, problems, cache):
    """One timeline format, image against --mft-file."""
    fmt = extra[extra.index("--format") + 1] if "--format" in extra else "body"
    _, a, _ = run([ntx, "timeline"] + extra + img_args, ok=(0, 3))
    _, b, err = run([ntx, "timeline"] + extra + mft_args, ok=(0, 3))
    a, b = a.splitlines(), b.splitlines()
    gap = multiset_gap(a, b)
    if gap is None:
        problems.append("%s timeline %s: only --mft-file has %r" % (
            what, " ".join(extra), sorted(set(b) - set(a))[:3]))
        return 0
    parents = set()
    for line in gap:
        if fmt == "body":
            f = line.split("|")
            ok = f[1].endswith(" ($I30)")
            parent = None
        else:
            if fmt == "jsonl":
                d = json.loads(line)
                ok, parent = d["source"] == "$I30", d["parent"]
            else:  # csv: source is the 5th column, parent the 13th
                f = next(csv.reader([line]))
                ok, parent = f[4] == "$I30", int(f[12])
        if not ok:
            problems.append("%s timeline %s: only the image has %r" % (what, " ".join(extra),
                                                                      line[:200]))
            return 0
        if parent is not None:
            parents.add(parent)
    for p in parents:
        if not has_index_blocks(ntx, img_args, p, cache):
            problems.append("%s: $I30 lines of directory %d left out, but its index has no "
                            "blocks" % (what, p))
    said = "the $I30 entries in the index blocks of " in err
    if bool(gap) != said:
        problems.append("%s timeline: %d lines left out, stderr %r" % (what, len(gap), err[:300]))
    return len(gap)


# stat fields that come from the volume, not from the record: the security
# descriptor from $Secure, WOF and compression details from the data itself.
def stat_differences(a, b):
    out = []
    for k in a:
        if a[k] == b.get(k):
            continue
        if k == "security" and b.get(k) is None:
            continue
        if k == "data" and a[k] and b[k]:
            da, db = dict(a[k]), dict(b[k])
            for f in ("wof_algorithm", "wof_chunk_size", "chunks", "stored_size", "ratio",
                      "external"):
                da.pop(f, None)
                db.pop(f, None)
            if da == db:
                continue
        if k == "time_sets" and len(a[k]) == len(b[k]) and all(
                time_set_same(x, y) for x, y in zip(a[k], b[k])):
            continue
        out.append(k)
    return out


# A name's $I30 entry in an index block is on the volume: through --mft-file
# stat says "elsewhere" and has no $I30 times, so no i30_newer flag.
def time_set_same(a, b):
    if a == b:
        return True
    if b["i30_status"] != "elsewhere" or b["i30"] is not None:
        return False
    drop = ("i30_status", "i30", "i30_newer", "flags")
    return ({k: v for k, v in a.items() if k not in drop} ==
            {k: v for k, v in b.items() if k not in drop} and
            [f for f in a["flags"] if f != "i30_newer"] == b["flags"])


def compare(ntx, img_args, journal, tmp, what, stat_hook=True):
    """problems, a summary. img_args: the image and its --offset; journal:
    (PATH:STREAM to cat, the same for usn --stream, or None for the volume's
    journal), or None when the image has none."""
    problems = []
    mft = os.path.join(tmp, "MFT")
    run([ntx, "cat"] + img_args + ["$MFT"], out_file=mft)
    mft_args = ["--mft-file", mft]
    # mft
    _, a, _ = run([ntx, "mft", "-a", "--json"] + img_args, ok=(0, 3))
    _, b, _ = run([ntx, "mft", "-a", "--json"] + mft_args, ok=(0, 3))
    far = far_lists(ntx, img_args)
    la, lb = a.splitlines(), b.splitlines()
    if sorted(la) != sorted(lb):
        diff = sorted(set(la) ^ set(lb))[:3]
        problems.append("%s: mft -a --json differs (%d and %d lines): %s" % (
            what, len(la), len(lb), diff))
    else:
        moved = {json.loads(x)["mft"] for x, y in zip(la, lb) if x != y}
        if moved - far:
            problems.append("%s: mft -a --json: rows of records %s in another order" % (
                what, sorted(moved - far)[:10]))
    records = len(la)
    # timelines
    cache = {}
    left = [compare_timeline(ntx, img_args, mft_args, extra, what, problems, cache)
            for extra in ([], ["--format", "jsonl"], ["--format", "csv"])][0]
    # the journal
    usn = 0
    if journal is not None:
        jfile = os.path.join(tmp, "J")
        spec, stream = journal
        rc, _, err = run([ntx, "cat"] + img_args + [spec], out_file=jfile, ok=(0, 1))
        if rc == 1 and "not found" in err:
            journal = None  # this volume has none
    if journal is not None:
        sopt = ["--stream", stream] if stream else []
        _, a, _ = run([ntx, "usn", "--json"] + sopt + img_args, ok=(0, 3))
        _, b, _ = run([ntx, "usn", "--json", "--journal-file", jfile] + mft_args, ok=(0, 3))
        usn = len(a.splitlines())
        if a != b:
            problems.append("%s: usn --json differs: %r / %r" % (what, a[:300], b[:300]))
        _, c, _ = run([ntx, "usn", "--json", "--journal-file", jfile], ok=(0, 3))
        if [dict(json.loads(l), path=None) for l in a.splitlines()] != \
                [json.loads(l) for l in c.splitlines()]:
            problems.append("%s: usn --journal-file alone differs beyond the paths" % what)
        compare_timeline(ntx, ["--journal-file", jfile] + img_args,
                         ["--journal-file", jfile] + mft_args, ["--format", "jsonl"], what,
                         problems, cache)
    # stat
    stats = 0
    if stat_hook:
        n = int(os.path.getsize(mft) // record_size(mft))
        sample = list(range(min(n, 16))) + list(range(16, n, max(1, n // 64)))
        args = [x for r in sample for x in ("-i", str(r))]
        _, a, _ = run([ntx, "stat", "--json", "-q"] + args + img_args, ok=(0, 1, 3))
        _, b, _ = run([ntx, "stat", "--json", "-q"] + args + mft_args, ok=(0, 1, 3))
        ra = {d["mft"]: d for d in map(json.loads, a.splitlines())}
        rb = {d["mft"]: d for d in map(json.loads, b.splitlines())}
        for r in sample:
            if r in far:
                continue  # the list is on the volume: stat shows it and says so
            if r in ra and r not in rb:
                problems.append("%s: stat -i %d fails with --mft-file" % (what, r))
            elif r in ra:
                d = stat_differences(ra[r], rb[r])
                if d:
                    problems.append("%s: stat -i %d: %s differ: %r / %r" % (
                        what, r, d, [ra[r][k] for k in d], [rb[r][k] for k in d]))
        stats = len(ra)
    return problems, "%s: %d mft rows (%d files with a non-resident attribute list), %d " \
                     "$I30 lines only on the volume, %d usn records, %d records stat'ed: the " \
                     "same through --mft-file" % (what, records, len(far), left, usn, stats)


def record_size(mft):
    with open(mft, "rb") as f:
        head = f.read(0x20)
    return int.from_bytes(head[0x1C:0x20], "little")


def hostile(ntx, mft, journal, tmp, what):
    """Copies of mft (and journal) cut short and overwritten: problems."""
    problems = []
    data = open(mft, "rb").read()
    rs = record_size(mft)
    rnd = random.Random(1)
    cases = {
        "empty": b"",
        "short": data[:100],
        "one-record-cut": data[:rs - 8],
        "cut-mid-record": data[:rs * 20 + 300],
        "half": data[:len(data) // 2],
        "garbage": bytes(rnd.getrandbits(8) for _ in range(64 * 1024)),
        "record0-magic": b"XILE" + data[4:],
        "records-overwritten": data[:rs * 16] + bytes(rnd.getrandbits(8) for _ in range(
            min(len(data) - rs * 16, rs * 64))) + data[rs * 80:],
        "fixups-torn": bytes(b ^ 0x55 if i % 512 == 510 else b for i, b in enumerate(data)),
    }
    jdata = open(journal, "rb").read() if journal else b""
    jcases = {"j-empty": b"", "j-cut": jdata[:len(jdata) * 2 // 3 + 5],
              "j-garbage": bytes(rnd.getrandbits(8) for _ in range(16 * 1024))}
    for name, blob in list(cases.items()) + list(jcases.items()):
        path = os.path.join(tmp, "%s-%s.bin" % (what.replace(" ", "_"), name))
        with open(path, "wb") as f:
            f.write(blob)
        if name.startswith("j-"):
            runs = [["usn", "--journal-file", path, "--mft-file", mft],
                    ["usn", "--json", "--journal-file", path],
                    ["timeline", "--mft-file", mft, "--journal-file", path]]
        else:
            runs = [["mft", "-a", "--mft-file", path], ["mft", "--json", "--mft-file", path],
                    ["timeline", "--mft-file", path], ["timeline", "--format", "jsonl",
                                                       "--mft-file", path],
                    ["stat", "--mft-file", path, "-i", "0-20"]]
        for argv in runs:
            try:
                rc, out, err = run([ntx] + argv, ok=None)
            except Problem as e:
                problems.append("%s %s: %s" % (what, name, e))
                continue
            cmd = "ntx %s (%s)" % (" ".join(argv[:2]), name)
            if rc < 0 or rc not in (0, 1, 3):
                problems.append("%s: exit %d %s" % (cmd, rc, err[:300]))
            lines = [l for l in err.splitlines() if l.strip()]
            if rc in (1, 3) and not lines:
                problems.append("%s: exit %d and nothing said" % (cmd, rc))
            if any("Sanitizer" in l or "runtime error" in l for l in lines):
                problems.append("%s: %s" % (cmd, err[:500]))
            for l in lines:
                if not l.startswith("ntx: ") or os.path.basename(path) not in l and \
                        os.path.basename(mft) not in l:
                    problems.append("%s: stderr line does not name the file: %r" % (cmd, l))
                    break
            if name in ("empty", "short", "one-record-cut", "garbage", "record0-magic") and \
                    argv[0] != "usn" and (rc != 1 or len(lines) != 1):
                problems.append("%s: not refused in one line (exit %d): %r" % (cmd, rc, err[:300]))
    return problems
