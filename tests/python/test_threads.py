"""Threads: separate Volume objects read in parallel (one ntx_volume and
workspace each), one Volume shared by several threads is serialized by its
lock, and closing a volume while another thread reads it ends that thread's
reads with ValueError. Every result is compared with a single-threaded
read of the same files. A read runs without the GIL: another thread keeps
stepping while it is inside the library (the test fails on a module that
keeps the GIL there)."""
import hashlib
import sys
import threading
import time

import ntx
from conftest import manifest


def digests(vol, paths):
    out = {}
    for p in paths:
        with vol.open(p).open_stream() as s:
            h = hashlib.sha256()
            for block in iter(lambda: s.read(1 << 16), b""):
                h.update(block)
            out[p] = h.hexdigest()
    return out


def files(name, limit=400, max_size=8 << 20):
    rows, _ = manifest(name)
    return [r["path"] for r in rows if r["type"] == "f" and r["size"] <= max_size][:limit]


def run_threads(targets):
    errors, threads = [], []

    def wrap(fn):
        try:
            fn()
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)
    for fn in targets:
        t = threading.Thread(target=wrap, args=(fn,))
        threads.append(t)
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def test_two_volumes_two_threads(image):
    work = {name: files(name) for name in ("ntfs-4k", "ntfs-4kn")}
    want = {}
    for name, paths in work.items():
        with ntx.open(image(name)) as vol:
            want[name] = digests(vol, paths)
    got = {}

    def reader(name):
        def fn():
            with ntx.open(image(name)) as vol:
                for _ in range(3):
                    got[name] = digests(vol, work[name])
                    assert got[name] == want[name]
        return fn
    # two volumes of each image: four threads, four workspaces
    run_threads([reader(n) for n in work] + [reader(n) for n in work])
    assert got == want


def test_one_volume_many_threads(image):
    paths = files("ntfs-4k")
    with ntx.open(image("ntfs-4k")) as vol:
        want = digests(vol, paths)
        results = [None] * 4

        def reader(k):
            def fn():
                part = paths[k::4]
                results[k] = digests(vol, part)
                entries = [e.name for e in vol.scandir("/many")]
                assert entries == vol.listdir("/many")
            return fn
        run_threads([reader(k) for k in range(4)])
    merged = {}
    for r in results:
        merged.update(r)
    assert merged == want


def test_shared_stream(image):
    """Reads of one Stream from two threads: each read takes its bytes at the
    position under the volume's lock, so the pieces tile the stream."""
    path = "/frag/fragmented.bin"  # 4,096,000 bytes in many runs
    with ntx.open(image("ntfs-4k")) as vol:
        whole = vol.open(path).read_bytes()
        s = vol.open(path).open_stream()
        pieces = []

        def reader():
            for b in iter(lambda: s.read(4109), b""):
                pieces.append(b)
        run_threads([reader, reader])
    assert sum(len(b) for b in pieces) == len(whole) == 4096000
    assert sorted(pieces) == sorted(whole[i:i + 4109] for i in range(0, len(whole), 4109))


def test_close_while_reading(image):
    vol = ntx.open(image("ntfs-4k"))
    paths = files("ntfs-4k")
    started = threading.Event()
    outcome = []

    def reader():
        try:
            while True:
                digests(vol, paths[:20])
                started.set()
        except ValueError as e:  # "I/O operation on a closed ntx volume"
            outcome.append(e)
        finally:
            started.set()
    t = threading.Thread(target=reader)
    t.start()
    started.wait()
    vol.close()
    t.join()
    assert vol.closed and outcome and "closed" in str(outcome[0])



def test_gil_released_during_read(image):
    """A read of a path-backed volume runs without the GIL. The switch
    interval is made so long that the main thread gives the GIL up only
    where a call releases it; the other thread takes a step, then sleeps
    (which releases it) again and again. A readinto() of 512 MiB keeping the
    GIL would leave that thread no step at all while it runs."""
    buf = bytearray(512 << 20)
    count = [0]
    done = threading.Event()

    def spin():
        while not done.is_set():
            count[0] += 1
            time.sleep(0.001)

    interval = sys.getswitchinterval()
    t = threading.Thread(target=spin)
    with ntx.open(image("ntfs-4k")) as vol:
        with vol.open("/sparse/sparse-5GiB.bin").open_stream() as s:
            sys.setswitchinterval(100.0)
            try:
                t.start()
                time.sleep(0.05)  # gives up the GIL: the other thread starts stepping
                before = count[0]
                got = s.readinto(buf)
                during = count[0] - before
            finally:
                sys.setswitchinterval(interval)
                done.set()
                t.join()
    assert before > 0 and got == len(buf)
    assert during > 0, "the other thread took no step while readinto() ran"
