#!/usr/bin/python3
"""The ntx Python binding against pyfsntfs (libfsntfs, Debian's
python3-libfsntfs), side by side in one run: figures, never a test.

    bench/python/bench-python.py [--lib DIR] [--image IMG] [--runs N]

Rows, on the image bench/cli/make-cli-bench-image.sh builds (a 3 GiB
volume: /wide holds 20,000 empty files named so that name order is not
creation order, /tree 21,110 entries three levels deep with files of 0-600
bytes, /big-1GiB.bin, a $MFT of 142,198 records):

  wide    every entry of /wide, its name, and its file read whole:
            ntx:      for e in vol.scandir("/wide"): with e.open() as s: s.read()
            pyfsntfs: for e in dir.sub_file_entries: e.name; e.read()
  tree    the same for every entry under /tree, recursively, as a walker
          would (ntx: scandir of each DirEntry; pyfsntfs: sub_file_entries)
  mft     records 0-99,999 with name, size and modification time (a datetime):
            ntx:      for r in vol.mft(0, 100000): r.name; r.size; r.modified
            pyfsntfs: vol.get_file_entry(i): .size, .modification_time, and the
                      name of its first $FILE_NAME that is not a DOS alias (an
                      entry opened by number has no name of its own: the
                      attributes are walked, as plaso's MFT parser does)
  1 GiB   /big-1GiB.bin read in 1 MiB pieces (ntx: readinto one buffer;
          pyfsntfs: read_buffer_at_offset, a new bytes object per call; the
          bytes are compared once, untimed)
  2 thr   the mft row in two threads on two volumes, each reading all
          100,000 records (ntx releases the GIL in the core; pyfsntfs in
          libfsntfs)

Each row runs once untimed (both sides then read from the page cache and
their own caches are warm), then RUNS times (default 7) alternating the two
sides; printed: the median wall time and the median CPU time of this
process (user + system, the steadier figure on a shared machine) of each
side, and pyfsntfs / ntx for the medians and for the best CPU times (above
1: ntx is faster; on a loaded machine the best of N is the figure least
disturbed by other work). Before timing, each row checks that both sides
saw the same entries and bytes.

The ntx module comes from --lib (a build tree's tests/python/build/lib, or
python/build/lib after `python3 setup.py build`), else from the installed
package. pyfsntfs is Debian's, built for /usr/bin/python3: run this with
/usr/bin/python3. The image is built when missing (root and FUSE; a few
minutes) into $NTX_BENCH_CACHE (default /tmp/ntx-cli-bench).
"""
import argparse
import hashlib
import os
import platform
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))


def parse():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--lib", help="directory holding the ntx package (built)")
    p.add_argument("--image", help="the benchmark image (default: $NTX_BENCH_CACHE/bench-cli.img)")
    p.add_argument("--runs", type=int, default=7)
    return p.parse_args()


def load(args):
    if args.lib:
        sys.path.insert(0, os.path.abspath(args.lib))
    else:
        for cand in ("build/release/tests/python/build/lib", "build/dev/tests/python/build/lib",
                     "python/build/lib"):
            if os.path.isdir(os.path.join(TOP, cand, "ntx")):
                sys.path.insert(0, os.path.join(TOP, cand))
                break
    try:
        import ntx
    except ImportError as e:
        sys.exit("bench-python: no ntx module (%s): give --lib DIR, a build's "
                 "tests/python/build/lib" % e)
    try:
        import pyfsntfs
    except ImportError:
        sys.exit("bench-python: no pyfsntfs (apt-get install python3-libfsntfs; run with "
                 "/usr/bin/python3)")
    return ntx, pyfsntfs


def image(args):
    if args.image:
        return args.image
    cache = os.environ.get("NTX_BENCH_CACHE", "/tmp/ntx-cli-bench")
    img = os.path.join(cache, "bench-cli.img")
    if not os.path.exists(img):
        subprocess.run([os.path.join(TOP, "bench", "cli", "make-cli-bench-image.sh"), cache],
                       check=True)
    return img


def measure(fn, runs):
    """(median wall s, median CPU s) of runs calls of fn."""
    walls, cpus = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        fn()
        cpus.append(time.process_time() - c)
        walls.append(time.perf_counter() - w)
    return statistics.median(walls), statistics.median(cpus)


class Rows:
    def __init__(self, ntx, pyfsntfs, img):
        self.vol = ntx.open(img)
        self.fv = pyfsntfs.volume()
        self.fv.open(img)
        self.img = img
        self.ntx, self.pyfsntfs = ntx, pyfsntfs

    # wide
    def ntx_wide(self):
        n, b = 0, 0
        for e in self.vol.scandir("/wide"):
            e.name
            with e.open() as s:
                b += len(s.read())
            n += 1
        return n, b

    def fs_wide(self):
        n, b = 0, 0
        for e in self.fv.get_file_entry_by_path("\\wide").sub_file_entries:
            e.name
            b += len(e.read())
            n += 1
        return n, b

    # tree
    def ntx_tree(self):
        n, b = 0, 0
        stack = ["/tree"]
        while stack:
            for e in self.vol.scandir(stack.pop()):
                n += 1
                if e.is_dir():
                    stack.append(e)
                else:
                    with e.open() as s:
                        b += len(s.read())
        return n, b

    def fs_tree(self):
        n, b = 0, 0
        stack = [self.fv.get_file_entry_by_path("\\tree")]
        while stack:
            for e in stack.pop().sub_file_entries:
                n += 1
                e.name
                if e.has_directory_entries_index():
                    stack.append(e)
                else:
                    b += len(e.read())
        return n, b

    # mft
    def ntx_mft(self, vol=None, stop=100000):
        n, named = 0, 0
        for r in (vol or self.vol).mft(0, stop):
            named += r.name is not None
            r.size
            r.modified
            n += 1
        return n, named

    def fs_mft(self, fv=None, stop=100000):
        fv = fv or self.fv
        n, named = 0, 0
        for i in range(stop):
            try:
                e = fv.get_file_entry(i)
            except IOError:
                n += 1  # a record libfsntfs refuses (never used): a row for ntx too
                continue
            name = None
            for a in e.attributes:
                if a.attribute_type == 0x30:
                    if a.name_space != 2:
                        name = a.name
                        break
                    if name is None:
                        name = a.name
            named += name is not None
            e.size
            e.modification_time
            n += 1
        return n, named

    # 1 GiB
    def ntx_big(self, check=False):
        buf = bytearray(1 << 20)
        h, total = hashlib.blake2b(digest_size=16), 0
        with self.vol.open("/big-1GiB.bin").open_stream() as s:
            while True:
                k = s.readinto(buf)
                if not k:
                    break
                total += k
                if check:
                    h.update(memoryview(buf)[:k])
        return (total, h.hexdigest()) if check else total

    def fs_big(self, check=False):
        e = self.fv.get_file_entry_by_path("\\big-1GiB.bin")
        size, total = e.size, 0
        h = hashlib.blake2b(digest_size=16)
        while total < size:
            b = e.read_buffer_at_offset(min(1 << 20, size - total), total)
            if not b:
                break
            total += len(b)
            if check:
                h.update(b)
        return (total, h.hexdigest()) if check else total

    # two threads
    def two(self, fn, make):
        vols = [make(), make()]
        out = [None, None]

        def run(k):
            out[k] = fn(vols[k])
        ts = [threading.Thread(target=run, args=(k,)) for k in range(2)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        return out

    def ntx_two(self):
        return self.two(lambda v: self.ntx_mft(v), lambda: self.ntx.open(self.img))

    def fs_two(self):
        def make():
            v = self.pyfsntfs.volume()
            v.open(self.img)
            return v
        return self.two(lambda v: self.fs_mft(v), make)


def main():
    args = parse()
    ntx, pyfsntfs = load(args)
    img = image(args)
    rows = Rows(ntx, pyfsntfs, img)
    table = [
        ("wide: 20,000 entries, each read", rows.ntx_wide, rows.fs_wide),
        ("tree: 21,110 entries, files read", rows.ntx_tree, rows.fs_tree),
        ("mft: 100,000 records", rows.ntx_mft, rows.fs_mft),
        ("read 1 GiB (1 MiB pieces)", rows.ntx_big, rows.fs_big),
        ("mft in 2 threads, 2 volumes", rows.ntx_two, rows.fs_two),
    ]
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    commit = subprocess.run(["git", "-C", TOP, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    print("ntx %s (commit %s) against pyfsntfs %s; Python %s; %s, %d CPUs; %s" % (
        ntx.__version__, commit or "?", pyfsntfs.get_version(), platform.python_version(), cpu,
        os.cpu_count(), img))
    print("median of %d runs after one untimed run, ms (fs: pyfsntfs); x = pyfsntfs / ntx"
          % args.runs)
    print()
    print("%-34s %9s %9s   %9s %9s   %7s %7s %7s" % (
        "", "ntx wall", "ntx CPU", "fs wall", "fs CPU", "wall x", "CPU x", "best x"))
    for label, mine, theirs in table:
        if mine == rows.ntx_big:  # untimed: warms the caches, and checks
            a, b = mine(True), theirs(True)
        else:
            a, b = mine(), theirs()
        if a != b:
            print("%-34s ntx and pyfsntfs disagree: %r / %r" % (label, a, b))
            continue
        walls_a, cpus_a, walls_b, cpus_b = [], [], [], []
        for _ in range(args.runs):  # alternating, so load changes hit both
            ta = measure(mine, 1)
            tb = measure(theirs, 1)
            walls_a.append(ta[0])
            cpus_a.append(ta[1])
            walls_b.append(tb[0])
            cpus_b.append(tb[1])
        wa, ca = statistics.median(walls_a), statistics.median(cpus_a)
        wb, cb = statistics.median(walls_b), statistics.median(cpus_b)
        best = min(cpus_b) / min(cpus_a) if min(cpus_a) else 0.0
        print("%-34s %9.1f %9.1f   %9.1f %9.1f   %7.2f %7.2f %7.2f" % (
            label, wa * 1e3, ca * 1e3, wb * 1e3, cb * 1e3, wb / wa, cb / ca if ca else 0.0,
            best))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
