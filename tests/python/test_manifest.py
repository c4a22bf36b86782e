"""Every fixture through the binding against its manifest (what a read-only
ntfs-3g mount showed when the image was made, fixtures/README.md): the
walk lists exactly the manifest's paths (system files and $Extend aside),
with the same type, MFT record, size, link count, link target and named
streams, and every file and stream read through a Stream object
(readinto, hashlib) has the manifest's SHA-256. WOF files read as their
original bytes; files whose data is stored elsewhere raise
ExternalDataError naming where ('# external' notes)."""
import pytest

import ntx
from conftest import MOUNTPOINT, NAMES, header, manifest, sha256_stream

# '# external' kinds -> (Stat.external, the check of ExternalDataError)
EXTERNAL = {"wof-wim": ("wim", "EXTERNAL_WIM"), "dedup": ("dedup", "EXTERNAL_DEDUP"),
            "cloud": ("cloud", "EXTERNAL_CLOUD"), "hsm": ("hsm", "EXTERNAL_HSM")}


def listing(vol):
    """{path: DirEntry} of everything walk() reaches from the root."""
    out = {}
    for top, dirs, files in vol.walk("/"):
        for name in dirs + files:
            out[top.rstrip("/") + "/" + name] = name
    return out


def kind(st):
    if st.is_symlink:
        return "l"
    return "d" if st.is_dir else "f"


def target_matches(got, want):
    """ntfs-3g puts its mount point before absolute targets and looks up the
    case of relative ones; ntx gives the stored target, '\\' as '/'."""
    if got == want.replace(MOUNTPOINT + "/", "C:/"):
        return True
    return want.startswith(MOUNTPOINT) or (got or "").lower() == want.lower()


@pytest.mark.parametrize("name", NAMES)
def test_manifest(name, image):
    rows, notes = manifest(name)
    head = header(name)
    wof = {n[0]: n[1] for n in notes.get("wof", [])}
    external = {n[0]: (int(n[1], 16), n[2]) for n in notes.get("external", [])}
    problems = []
    with ntx.open(image(name)) as vol:
        info = vol.info
        assert info.label == head["label"]
        assert info.sector_size == int(head["sector_size"])
        assert info.cluster_size == int(head["cluster_size"])
        assert info.record_size == int(head["record_size"])
        if "total_clusters" in head:
            assert info.cluster_count == int(head["total_clusters"])
            assert vol.count_free()[0] == int(head["free_clusters"])
        listed = {p for p in listing(vol) if not p.startswith("/$Extend")}
        want = {r["path"] for r in rows if r["type"] != "s" and r["path"] != "/"}
        problems += ["%s: listed, not in the manifest" % p for p in sorted(listed - want)]
        problems += ["%s: in the manifest, not listed" % p for p in sorted(want - listed)]
        streams_seen = {}
        for r in rows:
            path = r["path"]
            if r["type"] == "s":
                fpath, _, sname = path.rpartition(":")
                f = vol.open(fpath)
                info_s = {s.name: s for s in f.streams()}
                streams_seen.setdefault(fpath, set(info_s) - {""})
                if sname not in info_s:
                    problems.append("%s: no such stream (%s)" % (path, sorted(info_s)))
                    continue
                if info_s[sname].size != r["size"]:
                    problems.append("%s: size %d, manifest %d" % (path, info_s[sname].size,
                                                                 r["size"]))
                with f.open_stream(sname) as s:
                    digest = sha256_stream(s)
                if digest != r["sha256"]:
                    problems.append("%s: content differs" % path)
                continue
            f = vol.open(path)
            st = f.stat()
            if f.record != r["mft"] or st.record != r["mft"]:
                problems.append("%s: record %d, manifest %d" % (path, f.record, r["mft"]))
            if kind(st) != r["type"]:
                problems.append("%s: type %s, manifest %s" % (path, kind(st), r["type"]))
                continue
            if r["type"] == "d":
                continue
            if st.link_count != r["nlink"]:
                problems.append("%s: links %d, manifest %d" % (path, st.link_count, r["nlink"]))
            if r["type"] == "l":
                if not target_matches(st.reparse_target, r["target"]):
                    problems.append("%s: target %r, manifest %r" % (path, st.reparse_target,
                                                                    r["target"]))
                if f.readlink() != st.reparse_target:
                    problems.append("%s: readlink() is not Stat.reparse_target" % path)
                continue
            if st.size != r["size"]:
                problems.append("%s: size %d, manifest %d" % (path, st.size, r["size"]))
            if path in wof:
                if (st.data_form, st.wof_algorithm) != ("wof", wof[path]):
                    problems.append("%s: %s/%s, '# wof' says %s" % (path, st.data_form,
                                                                    st.wof_algorithm, wof[path]))
            elif path in external:
                tag, what = external[path]
                form, check = EXTERNAL[what]
                if (st.data_form, st.external, st.reparse_tag) != ("external", form, tag):
                    problems.append("%s: %s/%s/0x%x, '# external' says %s 0x%x" % (
                        path, st.data_form, st.external, st.reparse_tag, what, tag))
            elif st.data_form in ("wof", "external"):
                problems.append("%s: data_form %s, no note says so" % (path, st.data_form))
            if r["sha256"] == "-":
                try:
                    f.open_stream()
                    problems.append("%s: data stored elsewhere opened" % path)
                except ntx.ExternalDataError as e:
                    if e.check_name != EXTERNAL[external[path][1]][1]:
                        problems.append("%s: check %s" % (path, e.check_name))
                continue
            with f.open_stream() as s:
                digest = sha256_stream(s)
            if digest != r["sha256"]:
                problems.append("%s: content differs" % path)
        # every named stream of a file the manifest lists is in it
        named = {r["path"] for r in rows if r["type"] == "s"}
        for fpath, names in streams_seen.items():
            for s in names:
                if "%s:%s" % (fpath, s) not in named:
                    problems.append("%s:%s: a stream the manifest lacks" % (fpath, s))
    assert not problems, "\n".join(problems[:40])
