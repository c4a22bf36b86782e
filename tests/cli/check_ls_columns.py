#!/usr/bin/env python3
"""`ntx ls -l --header`: the header names the columns where the rows put
them, and every row's columns say what `ls --json` says of the same entry,
with the time in UTC, on every fixture.

The header's words give the columns: T, REF, NAME and the left-aligned
ATTRS and MODIFIED start where their word starts, the right-aligned LINKS
and SIZE end where their word ends. The oracle for the values is the JSON
listing of the same walk (the same core calls, formatted apart).

usage: check_ls_columns.py NTX FIXTURES_DIR IMAGES_DIR
"""
import re

import clitest as T

WORDS = ["T", "REF", "LINKS", "ATTRS", "SIZE", "MODIFIED", "PATH"]  # -r: PATH, else NAME
TIME_WIDTH = len("YYYY-MM-DD hh:mm:ss UTC")


def columns(header):
    """Start and end (exclusive) of each header word."""
    cols, at = {}, 0
    for w in WORDS:
        i = header.index(w, at)
        cols[w] = (i, i + len(w))
        at = i + len(w)
    if header.split() != WORDS:
        raise T.Failure("header %r, expected the words %s" % (header, WORDS))
    return cols


def right_field(row, end):
    """The right-aligned number ending just before column end."""
    if end < len(row) and row[end] != " ":
        raise T.Failure("row %r: no blank after column %d" % (row, end))
    start = end
    while start > 0 and row[start - 1] != " ":
        start -= 1
    return row[start:end]


def text_name(name):
    """A pattern for how the text output prints a JSON name (ntx.1, TEXT
    OUTPUT AND NAMES): backslash doubled, ASCII controls as \\xNN, a
    character outside ASCII as itself or, when it could mislead a terminal
    (bidirectional controls and the like), as \\u{XXXX}."""
    out = []
    for ch in name:
        if ch == "\\":
            out.append(re.escape("\\\\"))
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(re.escape("\\x%02X" % ord(ch)))
        elif ord(ch) >= 0x80:
            out.append("(?:%s|%s)" % (re.escape(ch), re.escape("\\u{%04X}" % ord(ch))))
        else:
            out.append(re.escape(ch))
    return "".join(out)


def check_row(row, cols, want):
    t, (rs, _) = row[0], cols["REF"]
    ref = row[rs:].split(" ", 1)[0]
    if ref != "%d-%d" % (want["mft"], want["seq"]):
        raise T.Failure("row %r: REF %r, JSON %d-%d" % (row, ref, want["mft"], want["seq"]))
    kind = {"dir": "d", "file": "f", "link": "l", "stream": "s"}[want["type"]]
    if t != kind:
        raise T.Failure("row %r: type %r, JSON %s" % (row, t, want["type"]))
    if int(right_field(row, cols["LINKS"][1])) != want["links"]:
        raise T.Failure("row %r: LINKS, JSON %d" % (row, want["links"]))
    if int(right_field(row, cols["SIZE"][1])) != want["size"]:
        raise T.Failure("row %r: SIZE, JSON %d" % (row, want["size"]))
    ms = cols["MODIFIED"][0]
    shown = row[ms:ms + TIME_WIDTH].rstrip()
    if t == "s":
        expect = ""  # a stream row has no time of its own
    elif want["modified"] is None:
        expect = "-"
    else:  # "2026-11-23T13:40:50.0656014Z" -> "2026-11-23 13:40:50 UTC"
        expect = want["modified"][:19].replace("T", " ") + " UTC"
    if shown != expect:
        raise T.Failure("row %r: MODIFIED %r, JSON %r" % (row, shown, expect))
    path = text_name(want["path"])  # a stream row's JSON path ends ":STREAM" already
    name = row[cols["PATH"][0]:]
    if not re.fullmatch(path + r"(?: \(.*| -> .*)?", name):
        raise T.Failure("row %r: PATH column %r, JSON %r" % (row, name, path))


def main():
    ntx, _, images, _ = T.args()
    rows = 0
    for name in T.FIXTURES:
        img = T.image(images, name)
        _, text, _ = T.run(ntx, "ls", "-l", "-r", "-a", "--header", img, ok=(0, 3))
        _, js, _ = T.run(ntx, "ls", "--json", "-r", "-a", img, ok=(0, 3))
        lines, want = text.splitlines(), T.jsonl(js)
        cols = columns(lines[0])
        if len(lines) - 1 != len(want):
            raise T.Failure("%s: %d text rows, %d JSON rows" % (name, len(lines) - 1, len(want)))
        for row, w in zip(lines[1:], want):
            check_row(row, cols, w)
        rows += len(want)
    print("ls -l --header: %d rows on %d fixtures match the header and --json" %
          (rows, len(T.FIXTURES)))
    return 0


if __name__ == "__main__":
    T.main(main)
