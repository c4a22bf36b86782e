"""A volume walked through libfsntfs (Debian's python3-libfsntfs), printed in
rw_walk's line format so check_compare.py can set the two side by side.
Run it with Debian's interpreter (/usr/bin/python3), which has the module.

usage: /usr/bin/python3 fsntfs_dump.py IMAGE OFFSET MAX_HASH

  O <path> <mft> <seq> <d|f> <size> <si x4> <fn x4> - - - -
  S <path> <stream> <size> <sha256 | !error>

Times: created, modified, MFT changed, accessed, as NT integers; fn from
the $FILE_NAME attribute whose name the path ends in (not the DOS alias).
libfsntfs gives no index-entry times, so that column is "-". A stream
over MAX_HASH bytes prints "big" instead of its hash.
"""
import hashlib
import io
import sys

import pyfsntfs

MAX_HASH = 1 << 62


class Window(io.RawIOBase):
    """The image from OFFSET on, as the file object libfsntfs reads."""

    def __init__(self, path, offset):
        self.f = open(path, "rb")
        self.off = offset
        self.f.seek(0, 2)
        self.size = self.f.tell() - offset
        self.f.seek(offset)

    def seek(self, pos, whence=0):
        base = {0: self.off, 1: self.f.tell(), 2: self.off + self.size}[whence]
        self.f.seek(base + pos)
        return self.f.tell() - self.off

    def tell(self):
        return self.f.tell() - self.off

    def read(self, n=-1):
        return self.f.read(n)

    def get_size(self):
        return self.size

    def readable(self):
        return True

    def seekable(self):
        return True


def digest(obj, size):
    if size > MAX_HASH:
        return "big"
    h = hashlib.sha256()
    left = size
    obj.seek(0)
    while left > 0:
        b = obj.read(min(left, 1 << 20))
        if not b:
            return "!short read at %d" % (size - left)
        h.update(b)
        left -= len(b)
    return h.hexdigest()


def times(a):
    return [a.get_creation_time_as_integer(), a.get_modification_time_as_integer(),
            a.get_entry_modification_time_as_integer(), a.get_access_time_as_integer()]


def fn_times(e, name):
    for i in range(e.number_of_attributes):
        a = e.get_attribute(i)
        if a.attribute_type == 0x30 and a.name_space != 2 and a.name == name:
            return times(a)
    return ["-"] * 4


def main():
    global MAX_HASH
    path, off, MAX_HASH = sys.argv[1], int(sys.argv[2], 0), int(sys.argv[3], 0)
    vol = pyfsntfs.volume()
    vol.open_file_object(Window(path, off))
    queue = [("", vol.get_root_directory())]
    seen = {5}
    out = sys.stdout
    while queue:
        base, d = queue.pop(0)
        for e in d.sub_file_entries:
            name = e.name
            p = base + "/" + name
            mft = e.file_reference & 0xFFFFFFFFFFFF
            seq = e.file_reference >> 48
            is_dir = e.has_directory_entries_index()
            si = times(e)
            out.write("O\t%s\t%d\t%d\t%s\t%d\t%s\t%s\t-\t-\t-\t-\n" % (
                p, mft, seq, "d" if is_dir else "f", 0 if is_dir else e.size,
                "\t".join(map(str, si)), "\t".join(map(str, fn_times(e, name)))))
            if e.has_default_data_stream() and not is_dir:
                try:
                    h = digest(e, e.size)
                except IOError as err:
                    h = "!%s" % str(err).splitlines()[0]
                out.write("S\t%s\t\t%d\t%s\n" % (p, e.size, h))
            for ads in e.alternate_data_streams:
                try:
                    h = digest(ads, ads.size)
                except IOError as err:
                    h = "!%s" % str(err).splitlines()[0]
                out.write("S\t%s\t%s\t%d\t%s\n" % (p, ads.name, ads.size, h))
            if is_dir and mft not in seen:
                seen.add(mft)
                queue.append((p, e))
    return 0


if __name__ == "__main__":
    sys.exit(main())
