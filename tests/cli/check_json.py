#!/usr/bin/env python3
"""--json: every line is one JSON object with the documented fields, in the
documented order (ntx.1, JSON OUTPUT), on every fixture.

usage: check_json.py NTX FIXTURES_DIR IMAGES_DIR
"""
import clitest as T

TIMES = ["created", "modified", "changed", "accessed"]
FIELDS = {
    "info": ["image", "image_size", "partition", "partition_scheme", "volume_offset",
             "ntfs_version", "label", "serial", "dirty", "volume_flags", "volume_flag_names",
             "backup_boot_sector",
             "sector_size", "cluster_size", "record_size", "index_block_size", "total_sectors",
             "volume_size", "clusters", "clusters_used", "clusters_free", "mft_lcn",
             "mftmirr_lcn", "mft_size", "mft_records", "mft_records_in_use", "logfile"],
    "ls": ["path", "name", "stream", "type", "mft", "seq", "parent", "parent_seq", "namespace",
           "size", "alloc_size", "links", "attrs", "reparse_tag"] + TIMES +
          ["target", "data_form", "wof_algorithm", "external"],
    "mft": ["mft", "seq", "state", "deleted", "dir", "path", "name", "namespace", "parent",
            "parent_seq", "orphan", "size", "links", "attrs"] + TIMES +
           ["fn_" + t for t in TIMES] + ["base", "base_seq", "error", "slack_dir", "slack_vcn",
                                        "slack_offset", "slack_in", "slack_record",
                                        "slack_status", "slack_header_lost"],
    "usn": ["usn", "time", "mft", "seq", "parent", "parent_seq", "reason", "reasons", "attrs",
            "source_info", "security_id", "major", "minor", "name", "path"],
    "stat": ["mft", "seq", "in_use", "dir", "flags", "lsn", "link_count", "bytes_in_use",
             "bytes_allocated", "next_attr_id", "attribute_list", "attributes_gone",
             "standard_information",
             "file_names", "time_sets", "data", "security", "object_id", "reparse", "ea", "efs", "attributes"],
}
# stat's "data" object (null for a directory or a file without an unnamed $DATA)
DATA = ["size", "alloc_size", "form", "flags", "wof_algorithm", "wof_chunk_size", "chunks",
        "stored_size", "ratio", "external"]


def check(rows, fields, what):
    for r in rows:
        if list(r) != fields:
            raise T.Failure("%s: fields %s, documented %s" % (what, list(r), fields))
        if fields is FIELDS["stat"] and r["data"] is not None and list(r["data"]) != DATA:
            raise T.Failure("%s: data fields %s, documented %s" % (what, list(r["data"]), DATA))


def main():
    ntx, fixtures, images, _ = T.args()
    lines = 0
    for name in T.FIXTURES:
        img = T.image(images, name)
        for cmd, args in (("info", []), ("ls", ["-r", "-a"]), ("mft", ["-a", "--slack"])):
            _, out, _ = T.run(ntx, cmd, "--json", img, *args, ok=(0, 3))
            rows = T.jsonl(out)
            check(rows, FIELDS[cmd], "%s %s" % (cmd, name))
            lines += len(rows)
        for rec in (0, 5, 9, 11, 64, 65, 70):
            rc, out, _ = T.run(ntx, "stat", "--json", "-i", str(rec), img, ok=(0, 1, 3))
            if rc != 1:
                check(T.jsonl(out), FIELDS["stat"], "stat %s %d" % (name, rec))
                lines += 1
    img = T.image(images, "deleted-4k")
    _, out, _ = T.run(ntx, "usn", "--json", "--stream", "/journal/usnjrnl.bin:$J", img)
    check(T.jsonl(out), FIELDS["usn"], "usn")
    print("json: %d lines with the documented fields" % lines)
    return 0


if __name__ == "__main__":
    T.main(main)
