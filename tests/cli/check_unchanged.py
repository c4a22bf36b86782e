#!/usr/bin/env python3
"""The image is never changed: every subcommand, then the same SHA-256,
size, modification and status-change times.

usage: check_unchanged.py NTX FIXTURES_DIR IMAGES_DIR
"""
import os
import tempfile

import clitest as T


def fingerprint(path):
    st = os.stat(path)
    return (T.file_sha256(path), st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def main():
    ntx, fixtures, images, _ = T.args()
    done = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("sample", "deleted-4k"):
            img = T.image(images, name)
            before = fingerprint(img)
            atime = os.stat(img).st_atime_ns
            runs = [["info"], ["info", "--json"], ["partitions"], ["ls", "-r", "-a", "-l"],
                    ["ls", "-r", "--json"], ["stat", "-i", "5"], ["stat", "--json", "-i", "0"],
                    ["cat", "-i", "0"], ["cat", "--raw", "-i", "6"], ["cat", "--type", "0x90:$I30", "-i", "5"],
                    ["mft", "-a", "--slack"], ["mft", "--json"], ["timeline"], ["usn"],
                    ["recover", "-i", "5", os.path.join(tmp, name + ".rec")],
                    ["extract", "--streams", "/", os.path.join(tmp, name + ".x")]]
            if name == "deleted-4k":
                runs.append(["usn", "--stream", "/journal/usnjrnl.bin:$J"])
                runs.append(["recover", "-i", "69", os.path.join(tmp, "69")])
            for r in runs:
                T.run(ntx, r[0], img, *r[1:], ok=(0, 1, 3))
                after = fingerprint(img)
                if after != before:
                    raise T.Failure("%s changed after ntx %s" % (name, " ".join(r)))
                done.append(r[0])
            if os.stat(img).st_atime_ns != atime:
                print("note: %s access time changed (O_NOATIME not permitted?)" % name)
    print("unchanged: %d runs of %d subcommands on 2 images" % (len(done), len(set(done))))
    return 0


if __name__ == "__main__":
    T.main(main)
