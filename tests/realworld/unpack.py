#!/usr/bin/env python3
"""Setup of the real-volume tests: unpack every disk once into IMAGES_DIR.

usage: unpack.py REALWORLD_DIR IMAGES_DIR
"""
import sys

import realworld as R


def main():
    src, images = sys.argv[1:3]
    R.skip_if_absent(src)
    for name in R.IMAGES:
        R.unpack(src, images, name)
    print("unpacked %d Windows disks into %s" % (len(R.IMAGES), images))
    return 0


if __name__ == "__main__":
    R.main(main)
