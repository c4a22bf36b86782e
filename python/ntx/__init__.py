"""ntx: read-only NTFS for forensic pipelines.

    import ntx, hashlib, shutil

    with ntx.open("disk.E01") as vol:              # raw, split, E01, VHD/VHDX, VMDK, qcow2
        print(vol.info.label, vol.info.cluster_size)
        for root, dirs, files in vol.walk("/Users"):
            ...
        f = vol.open("/Windows/notepad.exe")
        st = f.stat()                              # both time sets, attributes, data_form
        with f.open_stream() as s:                 # an io.RawIOBase
            digest = hashlib.file_digest(s, "sha256").hexdigest()
        for rec in vol.mft():                      # every record, deleted ones included
            print(rec.record, rec.state, rec.path)

A volume can also be read from any binary file object with seek() and
readinto() (ntx.open(fileobj)), so it stacks on other readers. The C part
is ntx._ntx; python/README.md documents the API.
"""
import collections as _collections

from ._ntx import *  # noqa: F401,F403 (the C types, errors and constants)
from ._ntx import (CHECKS, CHECK_DOCS, CORE_VERSION, ERRORS, Error, __version__, features,
                   filetime_to_datetime, partitions)
from . import _ntx

__all__ = [n for n in dir(_ntx) if not n.startswith("_")] + [
    "open", "Volume", "TimelineRow", "__version__"]


class Volume(_ntx.Volume):
    __doc__ = _ntx.Volume.__doc__

    def walk(self, top="/", topdown=True, onerror=None, *, system=False):
        """walk(top='/', topdown=True, onerror=None, *, system=False)
        -> Iterator[tuple[str, list[str], list[str]]]

        As os.walk: (dirpath, dirnames, filenames) for every directory under
        top (a path, File or DirEntry). Symbolic links and junctions to
        directories are listed in dirnames but never walked into, and a
        directory met twice (a damaged index naming an ancestor) is walked
        once. With topdown, removing names from dirnames prunes the walk.
        Errors go to onerror(exc), else are ignored, as os.walk does."""
        start = top
        visited = set()
        try:
            first = self.scandir(start, system=system)
        except Error as e:
            if onerror is not None:
                onerror(e)
            return
        top_path = start if isinstance(start, (str, bytes)) else getattr(start, "path", None)
        stack = [(top_path, first)]
        while stack:
            item = stack.pop()
            if item[1] is None:  # a bottom-up result waiting for its subdirectories
                yield item[0]
                continue
            path, it = item
            if not isinstance(it, ScandirIterator):
                if it.record in visited:
                    continue
                visited.add(it.record)
                try:
                    it = self.scandir(it, system=system)
                except Error as e:
                    if onerror is not None:
                        onerror(e)
                    continue
            dirs, files, subdirs = [], [], {}
            failed = False
            with it:
                while True:
                    try:
                        entry = next(it)
                    except StopIteration:
                        break
                    except Error as e:
                        if onerror is not None:
                            onerror(e)
                        failed = True
                        break
                    if entry.is_dir():
                        dirs.append(entry.name)
                        if not entry.is_symlink():
                            subdirs.setdefault(entry.name, entry)
                    else:
                        files.append(entry.name)
            if failed:
                continue
            if topdown:
                yield path, dirs, files
                for name in reversed(dirs):
                    e = subdirs.get(name)
                    if e is not None:
                        stack.append((e.path, e))
            else:
                stack.append(((path, dirs, files), None))
                for name in reversed(dirs):
                    e = subdirs.get(name)
                    if e is not None:
                        stack.append((e.path, e))

    def timeline(self):
        """timeline() -> Iterator[TimelineRow]

        The rows of a mactime body file (ntx timeline, fls -m): for every
        base record (deleted ones included), a $FILE_NAME row per name (DOS
        aliases left out when a long name exists) with that name's times,
        then a row per $DATA / $INDEX_ROOT attribute with the
        $STANDARD_INFORMATION times, under each of the file's paths."""
        for r in self.mft():
            if r.state not in ("in-use", "deleted"):
                continue
            names = r.names
            any_long = any(n.namespace != "dos" for n in names)
            si = r.si_filetimes or (0, 0, 0, 0)
            streams = r.streams
            paths = r.paths if names else ()
            common = (r.record, r.sequence, r.deleted, r.is_dir, r.file_attributes or 0,
                      r.owner_id)
            printed = False
            for nm, path in zip(names, paths):
                if nm.namespace == "dos" and any_long:
                    continue
                yield _row(path, None, "$FILE_NAME", _ntx.AT_FILE_NAME, nm.instance,
                           nm.value_length, nm.filetimes, common)
                for st in streams:
                    yield _stream_row(path, st, si, common)
                printed = True
            if not printed:
                path = r.path
                for st in streams:
                    yield _stream_row(path, st, si, common)
                if not streams:
                    yield _row(path, None, None, None, None, 0, si, common)


TimelineRow = _collections.namedtuple("TimelineRow", [
    "path", "stream", "source", "attribute_type", "attribute_id", "size", "record",
    "sequence", "deleted", "is_dir", "file_attributes", "owner_id", "filetimes", "created",
    "modified", "changed", "accessed"])
TimelineRow.__doc__ = """A timeline row (Volume.timeline()): path, stream (None for a
$FILE_NAME row, '' for the unnamed $DATA or $I30), source ('$FILE_NAME',
'$DATA', '$INDEX_ROOT', or None for a record with neither names nor data),
the attribute type and id, size (of a $FILE_NAME row: the value's length,
as fls -m gives it), the record, and the four times (created, modified,
changed, accessed) as FILETIME ints and as datetimes."""


def _row(path, stream, source, atype, aid, size, ft, common):
    rec, seq, deleted, is_dir, attrs, owner = common
    return TimelineRow(path, stream, source, atype, aid, size, rec, seq, deleted, is_dir, attrs,
                       owner, tuple(ft), filetime_to_datetime(ft[0]),
                       filetime_to_datetime(ft[1]), filetime_to_datetime(ft[2]),
                       filetime_to_datetime(ft[3]))


def _stream_row(path, st, si, common):
    source = "$DATA" if st.type == _ntx.AT_DATA else "$INDEX_ROOT"
    return _row(path, st.name, source, st.type, st.instance, st.size, si, common)


def open(source, partition=None, offset=None, vss=None, *, cache_bytes=None):  # noqa: A001
    """open(source, partition=None, offset=None, vss=None, *, cache_bytes=None) -> Volume

    Open an NTFS volume read-only: source is a path to an image or device
    (raw, split raw, E01, VHD/VHDX, VMDK, qcow2, recognised by content) or a
    binary file object with seek() and readinto(). partition=N reads that
    partition, offset=BYTES the volume at that byte offset, vss=N shadow
    copy store N. A context manager."""
    return Volume(source, partition, offset, vss, cache_bytes=cache_bytes)


ScandirIterator = _ntx.ScandirIterator
