#!/usr/bin/env python3
"""The change journal ($Extend/$UsnJrnl:$J) of a Windows-written disk:
ntx usn --json against libfsntfs (its raw records, decoded here by hand as
USN_RECORD_V2) and The Sleuth Kit's usnjls -l, record by record: USN,
file and parent references, time, reason flags, source info, security
id, attributes and name.

Only win10-20h1 has a journal (188 records); on the other disks ntx usn
and usnjls must both say there is none.

One difference, The Sleuth Kit's: usnjls's short form prints the time's
nanoseconds without leading zeros (12:34:48.0686073 as
"1595680488.68607300"), so a fraction under 0.1 s reads ten or more times
too large. The test checks that exactly the records whose nanoseconds are
under 10^8 are printed that way; the long form (-l), compared field by
field, pads them.

usage: check_usn.py NTX REALWORLD_DIR IMAGES_DIR NAME
"""
import json
import struct
import subprocess
import sys

import realworld as R
import views as V

REASONS = ["DATA_OVERWRITE", "DATA_EXTEND", "DATA_TRUNCATION", None, "NAMED_DATA_OVERWRITE",
           "NAMED_DATA_EXTEND", "NAMED_DATA_TRUNCATION", None, "FILE_CREATE", "FILE_DELETE",
           "EA_CHANGE", "SECURITY_CHANGE", "RENAME_OLD_NAME", "RENAME_NEW_NAME",
           "INDEXABLE_CHANGE", "BASIC_INFO_CHANGE", "HARD_LINK_CHANGE", "COMPRESSION_CHANGE",
           "ENCRYPTION_CHANGE", "OBJECT_ID_CHANGE", "REPARSE_POINT_CHANGE", "STREAM_CHANGE",
           "TRANSACTED_CHANGE", "INTEGRITY_CHANGE"]


def reason_names(r):
    names = {REASONS[i] for i in range(len(REASONS)) if REASONS[i] and r >> i & 1}
    if r & 0x80000000:
        names.add("CLOSE")
    return names


def decode_v2(b):
    """A USN_RECORD_V2, field by field (MS-FSCC 2.3.1.8 layout)."""
    length, major, minor = struct.unpack_from("<IHH", b, 0)
    fref, pref, usn, ts, reason, src, sec, attrs, nlen, noff = struct.unpack_from(
        "<QQqqIIIIHH", b, 8)
    if major != 2 or length != len(b) or noff + nlen > length:
        raise R.Failure("not a version 2 record: %s" % b[:16].hex())
    return {"usn": usn, "mft": fref & 0xFFFFFFFFFFFF, "seq": fref >> 48,
            "parent": pref & 0xFFFFFFFFFFFF, "parent_seq": pref >> 48, "time": ts,
            "reason": reason, "source_info": src, "security_id": sec, "attrs": attrs,
            "name": b[noff:noff + nlen].decode("utf-16-le", "surrogatepass")}


FSNTFS_DUMP = r'''
import sys
sys.path.insert(0, sys.argv[3])
import pyfsntfs, fsntfs_dump
v = pyfsntfs.volume()
v.open_file_object(fsntfs_dump.Window(sys.argv[1], int(sys.argv[2])))
j = v.get_usn_change_journal()
while True:
    r = j.read_usn_record()
    if not r:
        break
    print(r.hex())
'''


def fsntfs_records(img, off):
    if subprocess.run([V.DEBIAN_PYTHON, "-c", "import pyfsntfs"],
                      capture_output=True).returncode != 0:
        return None
    _, out, _ = R.run([V.DEBIAN_PYTHON, "-c", FSNTFS_DUMP, img, str(off), V.HERE])
    return [decode_v2(bytes.fromhex(l)) for l in out.split()]


def usnjls_long(img, off):
    rc, out, err = R.run(["usnjls", "-l", "-o", str(off // 512), img], ok=None)
    if rc != 0:
        return None, err
    recs = []
    for block in out.strip().split("\n\n"):
        f = dict(l.split(": ", 1) for l in block.splitlines() if ": " in l)
        m, s = f["Reference Number"].split("-")
        pm, ps = f["Parent Reference Number"].split("-")
        recs.append({"usn": int(f["Update Sequence Number"]), "mft": int(m), "seq": int(s),
                     "parent": int(pm), "parent_seq": int(ps),
                     "time": V._tsk_time(f["Time"].replace(" (UTC)", "")),
                     "reasons": set(f["Reason"].split()), "security_id": int(f["Security Id"]),
                     "name": f.get("Name", "")})
    return recs, None


def main():
    ntx, src, images, name = sys.argv[1:5]
    R.skip_if_absent(src)
    img, off = R.image(images, name), R.offset(name)
    rc, out, err = R.run([ntx, "usn", "--json", "--offset", str(off), img], ok=None)
    if name != "win10-20h1":
        if rc != 1 or "no change journal" not in err:
            raise R.Failure("ntx usn on a disk without $UsnJrnl: exit %d, %s" % (rc, err))
        if R.which("usnjls"):
            recs, e = usnjls_long(img, off)
            if recs is not None:
                raise R.Failure("usnjls found %d records where ntx finds no journal" % len(recs))
        print("%s: no change journal, as ntx usn and usnjls both say" % name)
        return 0
    if rc != 0:
        raise R.Failure("ntx usn: exit %d: %s" % (rc, err))
    mine = [json.loads(l) for l in out.splitlines()]
    for r in mine:
        r["time"] = V.parse_iso(r["time"])
    problems = []
    keys = ("usn", "mft", "seq", "parent", "parent_seq", "time", "reason", "source_info",
            "security_id", "attrs", "name")

    theirs = fsntfs_records(img, off)
    if theirs is None:
        print("  libfsntfs not installed: not compared")
    else:
        if len(theirs) != len(mine):
            problems.append("libfsntfs: %d records, ntx %d" % (len(theirs), len(mine)))
        for a, b in zip(mine, theirs):
            got, want = tuple(a[k] for k in keys), tuple(b[k] for k in keys)
            if got != want:
                problems.append("USN %d: ntx %r, libfsntfs %r" % (a["usn"], got, want))
            if set(a["reasons"].split("|")) != reason_names(a["reason"]):
                problems.append("USN %d: reasons %s for 0x%x" % (a["usn"], a["reasons"], a["reason"]))

    if R.which("usnjls"):
        tsk, e = usnjls_long(img, off)
        if tsk is None:
            raise R.Failure("usnjls -l: %s" % e)
        if len(tsk) != len(mine):
            problems.append("usnjls: %d records, ntx %d" % (len(tsk), len(mine)))
        for a, b in zip(mine, tsk):
            got = (a["usn"], a["mft"], a["seq"], a["parent"], a["parent_seq"], a["time"],
                   set(a["reasons"].split("|")), a["security_id"], a["name"])
            want = (b["usn"], b["mft"], b["seq"], b["parent"], b["parent_seq"], b["time"],
                    b["reasons"], b["security_id"], b["name"])
            if got != want:
                problems.append("USN %d: ntx %r, usnjls %r" % (a["usn"], got, want))
        # the short form's unpadded nanoseconds
        _, short, _ = R.run(["usnjls", "-o", str(off // 512), img])
        fracs = [l.split("\t")[2].split(".")[1] for l in short.splitlines()]
        unpadded = [i for i, f in enumerate(fracs) if len(f) < 9]
        small = [i for i, r in enumerate(mine) if (r["time"] % 10 ** 7) * 100 < 10 ** 8]
        if unpadded != small or any(int(fracs[i]) != (mine[i]["time"] % 10 ** 7) * 100
                                    for i in range(len(mine))):
            problems.append("usnjls short form: unpadded fractions at %s, sub-0.1 s times at %s" % (
                unpadded, small))
        print("  usnjls prints %d of %d times with unpadded nanoseconds (the explained ones)" % (
            len(unpadded), len(mine)))
    else:
        print("  usnjls not installed: not compared")
    print("%s: %d change journal records, USN %d to %d" % (name, len(mine), mine[0]["usn"],
                                                          mine[-1]["usn"]))
    for p in problems[:40]:
        print("  " + p)
    if problems:
        raise R.Failure("%d problems" % len(problems))
    return 0


if __name__ == "__main__":
    R.main(main)
