"""Readers of the three timeline formats, written here from the rules of the
tools that import them (plaso and Timesketch are not Debian packages):

  body   plaso's bodyfile parser (plaso/parsers/bodyfile.py): a line splits
         on '|' into at least 11 values; MD5 is "0" or 32 hex digits; the
         last four are atime, mtime, ctime, crtime (floats), then size, GID
         and UID (base-10 integers), the mode, the inode (the part before
         the first '-', base 10); the name is every value left between MD5
         and the inode, joined again with '|'. A name holding a raw control
         character (U+0000-U+001F, U+007F-U+009F) is kept as is with a
         warning; otherwise "\\xhh" (lower-case hex) of those characters
         becomes the character, then "\\|" becomes '|' and "\\\\" '\\'.
         A time of 0 gives no event. The file must be UTF-8.
  jsonl  Timesketch's importer (timesketch/lib/utils.py,
         read_and_validate_jsonl): every line a JSON object with message,
         datetime and timestamp_desc; a missing timestamp is computed from
         datetime with dateutil.
  csv    Timesketch's CSV import (read_and_validate_csv): a header line with
         at least message, datetime and timestamp_desc, rows in RFC 4180
         quoting, datetime parsed into the timestamp.
"""
import csv
import io
import json
import re

CONTROLS = [c for c in range(0x20)] + [c for c in range(0x7F, 0xA0)]
CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f]")
MD5_RE = re.compile(r"^[0-9a-fA-F]{32}$")


class FormatError(Exception):
    pass


def parse_body(text):
    """[(fields dict)], [warnings] as plaso's bodyfile parser reads text."""
    events, warnings = [], []
    for n, line in enumerate(text.split("\n")):
        if line == "":
            continue
        values = line.split("|")
        if len(values) < 11:
            raise FormatError("line %d: %d values" % (n, len(values)))
        md5 = values.pop(0)
        if md5 != "0" and not MD5_RE.match(md5):
            raise FormatError("line %d: MD5 %r" % (n, md5))
        crtime, ctime, mtime, atime = (float(values.pop(-1) or 0) for _ in range(4))
        size, gid, uid = (int(values.pop(-1) or 0, 10) for _ in range(3))
        mode = values.pop(-1)
        inode = int(values.pop(-1).partition("-")[0], 10)
        name = "|".join(values)
        if CONTROL_RE.search(name):
            warnings.append("line %d: unescaped control characters in %r" % (n, name))
        elif "\\" in name:  # without a backslash there is nothing to undo
            for c in CONTROLS:
                name = name.replace("\\x%02x" % c, chr(c))
            name = name.replace("\\|", "|").replace("\\\\", "\\")
        events.append(dict(name=name, inode=inode, mode=mode, uid=uid, gid=gid, size=size,
                           atime=atime, mtime=mtime, ctime=ctime, crtime=crtime))
    return events, warnings


_PARSED = {}


def _parse_datetime(value):
    """Microseconds since 1970 of a datetime as Timesketch parses it
    (dateutil); each distinct text is parsed once (the fixtures' files share
    their seconds)."""
    dt = _PARSED.get(value)
    if dt is None:
        dt = _PARSED[value] = _micros(_parse_datetime_once(value))
    return dt


def _parse_datetime_once(value):
    try:
        from dateutil import parser
    except ImportError:  # python3-dateutil: Timesketch's own parser
        parser = None
    if parser is not None:
        return parser.parse(value)
    import datetime
    m = re.match(r"^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?\+00:00$", value)
    if not m:
        raise ValueError(value)
    dt = datetime.datetime.fromisoformat(m.group(1) + "+00:00")
    return dt.replace(microsecond=int((m.group(2) or "0").ljust(6, "0")[:6]))


def _micros(dt):
    import datetime
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    d = dt - epoch
    return (d.days * 86400 + d.seconds) * 1000000 + d.microseconds


def parse_jsonl(text):
    """The rows of a Timesketch JSONL file, each with the timestamp
    Timesketch computes from its datetime ("ts_micros")."""
    rows = []
    for n, line in enumerate(text.splitlines()):
        try:
            d = json.loads(line)
        except ValueError as e:
            raise FormatError("line %d: not JSON: %s" % (n, e))
        missing = [k for k in ("message", "datetime", "timestamp_desc") if k not in d]
        if missing:
            raise FormatError("line %d: missing %s" % (n, missing))
        d["ts_micros"] = _parse_datetime(d["datetime"])
        rows.append(d)
    return rows


def parse_csv(text):
    """The rows of a Timesketch CSV file (header required)."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = {"message", "datetime", "timestamp_desc"} - set(reader.fieldnames or [])
    if missing:
        raise FormatError("CSV header lacks %s" % sorted(missing))
    rows = []
    for n, d in enumerate(reader):
        if None in d or any(v is None for v in d.values()):
            raise FormatError("row %d: %d fields, header %d" % (n, len(d), len(reader.fieldnames)))
        d["ts_micros"] = _parse_datetime(d["datetime"])
        rows.append(d)
    return rows
