"""Volume.timeline() against The Sleuth Kit's body file (fls -r -m /) on the
fixtures: every line fls prints has a timeline row with the same name
(path, ':stream', ' ($FILE_NAME)', ' (deleted)' as fls writes them) and
TYPE-ID, size and four times (seconds). Where the two tools number or
list differently, as tests/cli/check_tsk.py says: fls lists records never
used as /$OrphanFiles/OrphanFile-N (the rows of state 'empty', which the
timeline leaves out), prints one $FILE_NAME id for every hard link of a
file, renumbers an attribute id repeated across a file's records, and
prints a record whose attributes it cannot load (the 5 GiB sparse file of
ntfs-4k) without TYPE-ID."""
import shutil
import subprocess

import pytest

import ntx
from conftest import tool_env

TSK_ZERO_TIME = 3373865674  # what fls prints for an NT time of 0
NT_EPOCH = 11644473600


def unix(nt):
    return 0 if nt == 0 else nt // 10 ** 7 - NT_EPOCH


def fls_body(img):
    out = subprocess.run(["fls", "-r", "-m", "/", img], capture_output=True, check=True,
                         env=tool_env(), timeout=300).stdout
    rows = []
    for line in out.decode("utf-8", "surrogateescape").splitlines():
        f = line.split("|")
        f = [f[0], "|".join(f[1:-9])] + f[-9:]
        times = [0 if int(x) == TSK_ZERO_TIME else int(x) for x in f[7:11]]
        rows.append(dict(name=f[1], inode=f[2], mode=f[3], size=int(f[6]), times=times))
    return rows


def our_body(vol):
    rows = []
    for r in vol.timeline():
        name = r.path
        plain = r.stream in (None, "") or (r.source == "$INDEX_ROOT" and r.stream == "$I30")
        if not plain:
            name += ":" + r.stream
        if r.source == "$FILE_NAME":
            name += " ($FILE_NAME)"
        if r.deleted:
            name += " (deleted)"
        inode = "%d-%d-%d" % (r.record, r.attribute_type, r.attribute_id) if r.source else \
            "%d" % r.record
        ft = r.filetimes  # created, modified, changed, accessed
        rows.append(dict(name=name, inode=inode, size=r.size,
                         times=[unix(ft[3]), unix(ft[1]), unix(ft[2]), unix(ft[0])]))
    return rows


@pytest.mark.parametrize("name", ["sample", "ntfs-4k", "deleted-4k"])
def test_timeline_against_fls(name, image):
    if shutil.which("fls") is None:
        pytest.skip("fls not found (Debian: sleuthkit)")
    img = image(name)
    tsk = fls_body(img)
    with ntx.open(img) as vol:
        ours = our_body(vol)
        never_used = {r.record for r in vol.mft() if r.state == "empty"}
    by_key, by_name = {}, {}
    for o in ours:
        by_key.setdefault((o["name"], o["inode"]), []).append(o)
        by_name.setdefault(o["name"], []).append(o)
    fn_names = {}
    for t in tsk:
        if "-48-" in t["inode"]:
            fn_names.setdefault(t["inode"], set()).add(t["name"])
    problems, compared = [], 0
    for t in tsk:
        n, inode = t["name"], t["inode"]
        rec = int(inode.split("-")[0])
        if "/.:" in n or t["mode"].startswith("V/"):
            continue  # TSK's virtual files
        if rec in never_used and n.split("/")[-1].split(" ")[0] == "OrphanFile-%d" % rec:
            continue
        if "-48-" in inode and len(fn_names[inode]) > 1:  # hard links: one id for all names
            if not any(o["inode"].startswith("%d-48-" % rec) for o in by_name.get(n, [])):
                problems.append("no $FILE_NAME row for %s" % n)
            continue
        cands = by_key.get((n, inode))
        if not cands and "-" not in inode and any(o["inode"].startswith(inode + "-")
                                                  for o in by_name.get(n, [])):
            continue  # fls could not load this record's attributes: no TYPE-ID, size 0
        if not cands and inode.count("-") == 2:  # an id TSK renumbered
            typ = inode.rsplit("-", 1)[0] + "-"
            same = [o for o in by_name.get(n, []) if o["inode"].startswith(typ)]
            cands = same if len(same) == 1 else None
        if not cands:
            problems.append("fls line %s|%s has no row" % (n, inode))
            continue
        compared += 1
        o = cands[0]
        if (o["size"], o["times"]) != (t["size"], t["times"]):
            problems.append("%s %s: size %d times %s, fls %d %s" % (
                n, inode, o["size"], o["times"], t["size"], t["times"]))
    print("%s: %d fls lines, %d rows, %d compared" % (name, len(tsk), len(ours), compared))
    assert compared > len(tsk) // 2
    assert not problems, "\n".join(problems[:40])
