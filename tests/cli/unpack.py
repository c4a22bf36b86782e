#!/usr/bin/env python3
"""Setup of the CLI tests: decompress every fixture image once into
IMAGES_DIR (read-only copies the other tests share).

usage: unpack.py NTX FIXTURES_DIR IMAGES_DIR
"""
import clitest as T


def main():
    ntx, fixtures, images, _ = T.args()
    for name in T.FIXTURES:
        T.unpack(fixtures, images, name)
    print("unpacked %d fixture images into %s" % (len(T.FIXTURES), images))
    return 0


if __name__ == "__main__":
    T.main(main)
