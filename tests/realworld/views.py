"""What each reader says a Windows-written volume holds, in one shape, so
check_compare.py can set them side by side.

A view is a pair of dicts:
  objects[path] = {"mft", "seq", "dir", "size", "si", "fn", "i30"}
  streams[(path, stream)] = (size, sha256 or "!error")
with times as NT integers (100 ns since 1601) in the order created,
modified, MFT changed, accessed; a time a reader does not give is None.
The unnamed stream is "". Paths are '/'-rooted, with the names as stored.

Readers: the library (rw_walk), the ntx command (ls/stat/cat), an ntxfs
mount, The Sleuth Kit (fls/istat/icat), an ntfs-3g mount and libfsntfs
(fsntfs_dump.py under Debian's python3).
"""
import calendar
import hashlib
import json
import os
import re
import subprocess

import realworld as R

HERE = os.path.dirname(os.path.abspath(__file__))
DEBIAN_PYTHON = "/usr/bin/python3"
NT_EPOCH_DELTA = 11644473600  # seconds from 1601-01-01 to 1970-01-01

# Streams larger than this are compared by size and by their run list
# (check_windows.py) instead of by hash: only $BadClus:$Bad of the 64 GiB
# 20H1 disk, one sparse run over the whole volume, whose 64 GiB of zeros
# would take every reader over a minute to hash.
MAX_HASH = 2 << 30


def _int_or_none(v):
    return None if v == "-" else int(v)


def parse_walk(text):
    """rw_walk's (and fsntfs_dump.py's) lines as a view; E lines as errors."""
    objects, streams, errors = {}, {}, []
    for line in text.splitlines():
        f = line.split("\t")
        if f[0] == "O":
            t = [_int_or_none(x) for x in f[6:18]]
            objects[f[1]] = {"mft": int(f[2]), "seq": int(f[3]), "dir": f[4] == "d",
                             "size": int(f[5]), "si": t[0:4], "fn": t[4:8], "i30": t[8:12]}
        elif f[0] == "S":
            size = None if f[3] == "-" else int(f[3])
            streams[(f[1], f[2])] = (size, f[4])
        elif f[0] == "E":
            errors.append(line)
    return objects, streams, errors


def lib_view(walker, img, off):
    rc, out, err = R.run([walker, img, str(off), str(MAX_HASH)], ok=(0, 1))
    o, s, e = parse_walk(out)
    if rc != 0 or e:
        raise R.Failure("rw_walk %s: exit %d: %s %s" % (img, rc, e[:5], err[-500:]))
    return o, s


def fsntfs_view(img, off):
    if not os.path.exists(DEBIAN_PYTHON):
        return None
    p = subprocess.run([DEBIAN_PYTHON, "-c", "import pyfsntfs"], capture_output=True)
    if p.returncode != 0:
        return None
    _, out, _ = R.run([DEBIAN_PYTHON, os.path.join(HERE, "fsntfs_dump.py"), img, str(off),
                       str(MAX_HASH)])
    o, s, _ = parse_walk(out)
    return o, s


# --------------------------------------------------------------------------
# The ntx command


def parse_iso(t):
    """ntx's "2019-03-03T10:02:39.5820265Z" as an NT integer."""
    if t is None:
        return None
    m = re.fullmatch(r"(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)(?:\.(\d{1,7}))?Z", t)
    if not m:
        raise R.Failure("ntx printed an unexpected time %r" % t)
    secs = calendar.timegm(tuple(int(x) for x in m.groups()[:6]) + (0, 0, 0))
    frac = int((m.group(7) or "0").ljust(7, "0"))
    return (secs + NT_EPOCH_DELTA) * 10 ** 7 + frac


def _times(d, prefix=""):
    return [parse_iso(d[prefix + k]) for k in ("created", "modified", "changed", "accessed")]


def cli_view(ntx, img, off):
    """ntx ls -r -a --json for the tree and streams, ntx stat --json for the
    times of the names ($FILE_NAME) and ntx cat for every stream's bytes."""
    base = [ntx, "--offset", str(off)]
    _, out, _ = R.run(base[:1] + ["ls", "-r", "-a", "--json"] + base[1:] + [img])
    objects, streams = {}, {}
    rows = [json.loads(l) for l in out.splitlines() if l.strip()]
    mfts = sorted({r["mft"] for r in rows})
    stats = {}
    if mfts:
        args = []
        for m in mfts:
            args += ["-i", str(m)]
        _, sout, _ = R.run(base[:1] + ["stat", "--json"] + base[1:] + [img] + args)
        for l in sout.splitlines():
            if l.strip():
                st = json.loads(l)
                stats[st["mft"]] = st
    for r in rows:
        if r["stream"] is None:
            st = stats.get(r["mft"])
            fn = [None] * 4
            if st:
                for n in st["file_names"]:
                    if n["name"] == r["name"] and n["namespace"] != "dos":
                        fn = _times(n)
            objects[r["path"]] = {"mft": r["mft"], "seq": r["seq"], "dir": r["type"] == "dir",
                                  "size": 0 if r["type"] == "dir" else r["size"],
                                  "si": _times(r), "fn": fn, "i30": [None] * 4}
            if r["type"] != "dir" and st and any(
                    a["type"] == 0x80 and a["name"] == "" for a in st["attributes"]):
                streams[(r["path"], "")] = r["size"]
        else:
            streams[(r["path"].rsplit(":", 1)[0], r["stream"])] = r["size"]
    for key, size in list(streams.items()):
        path, sname = key
        if size > MAX_HASH:
            streams[key] = (size, "big")
            continue
        argv = base[:1] + ["cat"] + base[1:] + [img] + (
            ["--stream", sname, path] if sname else [path])
        rc, h, err = R.hash_output(argv)
        streams[key] = (size, h if rc == 0 else "!" + err.strip())
    return objects, streams


# --------------------------------------------------------------------------
# The Sleuth Kit


def _tsk_time(s):
    """istat's "2019-03-03 10:03:02.234032600 (UTC)" as an NT integer."""
    m = re.match(r"(\d+)-(\d+)-(\d+) (\d+):(\d+):(\d+)(?:\.(\d+))?", s.strip())
    if not m:
        return None
    secs = calendar.timegm(tuple(int(x) for x in m.groups()[:6]) + (0, 0, 0))
    ns = int((m.group(7) or "0").ljust(9, "0"))
    return (secs + NT_EPOCH_DELTA) * 10 ** 7 + ns // 100


def parse_istat(text):
    """SI times, every $FILE_NAME (name -> times), every attribute
    (type, id, name, size) from istat's text."""
    si, fns, attrs = None, {}, []
    section, cur, name = None, [], None
    keys = ("Created:", "File Modified:", "MFT Modified:", "Accessed:")
    for line in text.splitlines():
        if line.startswith("$STANDARD_INFORMATION Attribute Values"):
            section, cur = "si", [None] * 4
        elif line.startswith("$FILE_NAME Attribute Values"):
            section, cur, name = "fn", [None] * 4, None
        elif line.startswith("Attributes:"):
            section = "attrs"
        elif section in ("si", "fn"):
            if line.startswith("Name: "):
                name = line[6:]
            for i, k in enumerate(keys):
                if line.startswith(k):
                    cur[i] = _tsk_time(line[len(k):])
                    if i == 3:
                        if section == "si":
                            si = cur
                        else:
                            fns[name] = cur
        elif section == "attrs":
            m = re.match(r"Type: (\S+) \((\d+)-(\d+)\)\s+Name: (.*?)\s+(Non-Resident|Resident)"
                         r".*?size: (\d+)", line)
            if m:
                attrs.append((int(m.group(2)), int(m.group(3)), m.group(4), int(m.group(6))))
    return si, fns, attrs


def tsk_view(img, off, hash_streams=True):
    """fls -r -p for the tree, istat per record, icat per stream."""
    if not all(R.which(t) for t in ("fls", "istat", "icat")):
        return None
    sector = str(off // 512)
    rc, out, err = R.run(["fls", "-r", "-p", "-o", sector, img], ok=None)
    if rc != 0:
        return ("refused", err.strip())
    objects, streams = {}, {}
    records = {}
    rows = []
    for line in out.splitlines():
        m = re.match(r"(\S)/(\S) (\*\s)?(\d+)(?:-(\d+)-(\d+))?(\(realloc\))?:\t(.*)$", line)
        if not m:
            continue
        if m.group(3):  # deleted names: check_slack.py's business
            continue
        rows.append((m.group(1), int(m.group(4)), m.group(5), m.group(6), "/" + m.group(8)))
    for kind, mft, atype, aid, path in rows:
        if kind == "V":  # $OrphanFiles, TSK's own folder
            continue
        if mft not in records:
            _, txt, _ = R.run(["istat", "-z", "UTC", "-o", sector, img, str(mft)])
            seq = re.search(r"Sequence: (\d+)", txt)
            records[mft] = (parse_istat(txt), int(seq.group(1)) if seq else None)
        (si, fns, attrs), seq = records[mft]
        leaf = path.rsplit("/", 1)[-1]
        sname = ""
        if atype is not None and ":" in leaf:
            leaf, sname = leaf.split(":", 1)
            path = path.rsplit(":", 1)[0]
        if path not in objects:  # a file without unnamed $DATA shows only as path:stream
            objects[path] = {"mft": mft, "seq": seq, "dir": kind == "d", "size": None,
                             "si": si, "fn": fns.get(leaf, [None] * 4), "i30": [None] * 4}
        if atype is None or int(atype) != 0x80:
            if sname:  # a named index ($SDH, $O, $R...) listed as a file
                streams[(path, ":index:" + sname)] = (None, "index %s-%s" % (atype, aid))
            continue
        size = [a[3] for a in attrs if a[0] == 0x80 and a[1] == int(aid)]
        size = size[0] if size else None
        if not sname and path in objects:
            objects[path]["size"] = size
        if not hash_streams:
            streams[(path, sname)] = (size, None)
        elif size is not None and size > MAX_HASH:
            streams[(path, sname)] = (size, "big")
        else:
            rc, h, err = R.hash_output(["icat", "-o", sector, img,
                                        "%d-%s-%s" % (mft, atype, aid)])
            h = h if rc == 0 else "!" + err.strip()
            streams[(path, sname)] = (size, h)
    for path, o in objects.items():
        if o["size"] is None:
            o["size"] = 0
    return objects, streams


# --------------------------------------------------------------------------
# Mounts: ntfs-3g and ntxfs, read with ordinary file-system calls


def _le64s(b):
    return [int.from_bytes(b[i:i + 8], "little") for i in range(0, len(b), 8)]


def mount_view(root, ref):
    """Walk a mount made with show_sys_files and streams_interface=windows.
    ref: the library's view. Its named streams are read as path:name (the
    windows interface lists no streams; the other readers say which exist);
    its paths that readdir did not give are looked up by name and, where
    found, marked "unlisted"."""
    objects, streams = {}, {}
    stack = ["/"]
    while stack:
        rel = stack.pop()
        full = root + rel if rel != "/" else root
        names = os.listdir(full)
        for n in names:
            p = rel.rstrip("/") + "/" + n
            fp = root + p
            st = os.lstat(fp)
            isdir = os.path.isdir(fp) and not os.path.islink(fp)
            si = [None] * 4
            try:
                t = _le64s(os.getxattr(fp, "system.ntfs_times", follow_symlinks=False))
                # ntfs_times: creation, last data change, last access, last MFT change
                si = [t[0], t[1], t[3], t[2]]
            except OSError:
                pass
            objects[p] = {"mft": st.st_ino, "seq": None, "dir": isdir,
                          "size": 0 if isdir else st.st_size, "si": si, "fn": [None] * 4,
                          "i30": [None] * 4}
            if isdir:
                stack.append(p)
            elif os.path.isfile(fp):
                streams[(p, "")] = (st.st_size, _hash_file(fp))
    for p in sorted(set(ref[0]) - set(objects)):
        fp = root + p
        try:
            st = os.lstat(fp)
        except OSError:
            continue
        objects[p] = {"mft": st.st_ino, "seq": None, "dir": os.path.isdir(fp), "size": st.st_size,
                      "si": [None] * 4, "fn": [None] * 4, "i30": [None] * 4, "unlisted": True}
        if os.path.isfile(fp):
            streams[(p, "")] = (st.st_size, _hash_file(fp))
    for path, sname in ref[1]:
        if not sname or path not in objects:
            continue
        fp = root + path + ":" + sname
        try:
            size = os.stat(fp).st_size
            streams[(path, sname)] = (size, "big" if size > MAX_HASH else _hash_file(fp))
        except OSError as e:
            streams[(path, sname)] = (None, "!" + os.strerror(e.errno))
    return objects, streams


def _hash_file(fp):
    h = hashlib.sha256()
    try:
        if os.path.getsize(fp) > MAX_HASH:
            return "big"
        with open(fp, "rb") as f:
            while True:
                b = f.read(1 << 20)
                if not b:
                    break
                h.update(b)
    except OSError as e:
        return "!" + os.strerror(e.errno)
    return h.hexdigest()
