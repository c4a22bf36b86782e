/*
 * main.c - `ntx`, the forensic inspection command for NTFS images: the
 * subcommand table, the option parser and the help texts. Every subcommand
 * opens the image read-only (image.c) and formats what the core returns.
 *
 *     ntx [GLOBAL OPTIONS] COMMAND [OPTIONS] IMAGE [ARGS]
 *
 * Options may come before or after the positional arguments; "--" ends them.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

enum {
    O_LONG = 1u << 0,
    O_REC = 1u << 1,
    O_ALL = 1u << 2,
    O_INODE = 1u << 3,
    O_RAW = 1u << 4,
    O_STREAM = 1u << 5,
    O_TYPE = 1u << 6,
    O_FORCE = 1u << 7,
    O_DELETED = 1u << 8,
    O_SLACK = 1u << 9,
    O_STREAMS = 1u << 10,
    O_NOPROG = 1u << 11,
    O_JSON = 1u << 12,
    O_IMAGE = 1u << 13, /* takes an image (and --partition/--offset) */
    O_IRANGE = 1u << 14, /* -i FIRST-LAST: a range of records */
    O_IMULTI = 1u << 15, /* -i may be given several times */
    O_HEADER = 1u << 16, /* ls --header: a line naming the columns */
    O_MFTFILE = 1u << 17, /* --mft-file FILE: a copy of $MFT in place of IMAGE */
    O_JOURNAL = 1u << 18, /* --journal-file FILE: a copy of $UsnJrnl:$J */
    O_FORMAT = 1u << 19,  /* timeline --format body|jsonl|csv */
    O_USN = 1u << 20,     /* timeline --usn */
};

typedef struct command {
    const char *name;
    int (*fn)(cli_opts *);
    unsigned opts;
    int min_args, max_args; /* positionals after IMAGE */
    const char *usage;
    const char *help;
} command;

static const command commands[] = {
    { "info", cmd_info, O_JSON | O_IMAGE, 0, 0, "info [--json] IMAGE",
      "Volume geometry, label, serial number, NTFS version, the $Volume flags spelled out\n"
      "(dirty, chkdsk underway, ...), cluster usage from $Bitmap, $MFT size and records in\n"
      "use, and $LogFile's restart area: clean or not, version, current LSN, clients.\n" },
    { "partitions", cmd_partitions, O_JSON, 0, 0, "partitions [--json] IMAGE",
      "The partition table (MBR or GPT) of a disk image, and which partitions hold NTFS.\n" },
    { "vss", cmd_vss, O_JSON | O_IMAGE, 0, 0, "vss [--json] IMAGE",
      "The Volume Shadow Copy stores of the volume (libvshadow), oldest first: index\n"
      "(what --vss takes), store identifier, creation time, the volume size the copy\n"
      "shows, the store's own size and its attribute flags (VSS_VOLSNAP_ATTR_*).\n" },
    { "ls", cmd_ls, O_LONG | O_REC | O_ALL | O_INODE | O_JSON | O_HEADER | O_IMAGE, 0, 1,
      "ls [-l] [-r] [-a] [--header] [--json] IMAGE [PATH | -i MFTNUM]",
      "List a directory (the root by default): type, MFT reference and name; -l adds\n"
      "link count, DOS attributes, size and modification time (UTC).\n"
      "  -l          long listing: T REF LINKS ATTRS SIZE MODIFIED NAME\n"
      "  --header    first a line naming the columns\n"
      "  -r          recurse into subdirectories (bounded depth, cycles detected)\n"
      "  -a          also system files ($MFT, $Extend, ...), DOS 8.3 names and named streams\n"
      "  -i MFTNUM   list the directory with this MFT record number\n" },
    { "stat", cmd_stat, O_INODE | O_IRANGE | O_IMULTI | O_JSON | O_IMAGE | O_MFTFILE, 0, INT_MAX,
      "stat [--json] IMAGE PATH... | -i MFTNUM[-LAST]... [--mft-file FILE]",
      "Everything in one MFT record: header, both sets of times, DOS attributes, every\n"
      "$FILE_NAME with its parent and, per name, the three time sets side by side\n"
      "($STANDARD_INFORMATION, $FILE_NAME, the parent's $I30 entry) with flags where\n"
      "they contradict (si_before_fn, si_zero_fraction, i30_newer: ntx(1) TIME SETS),\n"
      "security descriptor, object ID, reparse point,\n"
      "extended attributes, $EFS, the attribute list, and every attribute with its\n"
      "flags, sizes and runs (LCN ranges). -i also opens records not in use.\n"
      "Several PATHs, or -i given again or with a range, print one record after another\n"
      "(a blank line between them; one JSON object each); exit 3 if only some could be\n"
      "opened.\n"
      "  --mft-file FILE  read the records from a copy of $MFT instead of an image\n" },
    { "cat", cmd_cat, O_INODE | O_IMULTI | O_RAW | O_STREAM | O_TYPE | O_IMAGE | O_SLACK | O_JSON,
      0, INT_MAX,
      "cat [--raw] [--slack [--json]] [--stream NAME] [--type TYPE[:NAME]] IMAGE PATH[:STREAM]... | -i MFTNUM[:STREAM]...",
      "Write a stream's bytes to standard output: sparse ranges as zeros, compressed\n"
      "data decompressed. Several PATHs (or -i given again) are written one after\n"
      "another, as cat(1) does; exit 3 if only some could be read. The options apply\n"
      "to each.\n"
      "  --stream NAME      a named $DATA stream (same as PATH:NAME)\n"
      "  --raw              an EFS-encrypted stream's ciphertext, as stored\n"
      "  --type TYPE[:NAME] another attribute's value, e.g. 0xA0:$I30 or 0x100:$EFS\n"
      "  --slack            instead, the file slack of a non-resident stream: the bytes of\n"
      "                     its last cluster past the end of its data (for a compressed\n"
      "                     unit, past its chunks): RAM slack to the end of that sector,\n"
      "                     then cluster slack to the end of the cluster, raw\n"
      "  --json             with --slack: one object per stream, where each part is on\n"
      "                     the volume and its bytes in hex (fields in ntx(1))\n" },
    { "recover", cmd_recover, O_INODE | O_FORCE | O_IMAGE, 1, 1,
      "recover [-f] IMAGE -i MFTNUM[:STREAM] OUT",
      "Write the data of a deleted (or any) file to OUT ('-' for standard output),\n"
      "warning about clusters $Bitmap marks in use again (reallocated since).\n"
      "  -f   overwrite OUT if it exists\n" },
    { "mft", cmd_mft, O_ALL | O_DELETED | O_SLACK | O_JSON | O_IMAGE | O_MFTFILE, 0, 0,
      "mft [-a] [-d] [--slack] [--json] IMAGE | --mft-file FILE",
      "Every MFT record, in use or not, one line per name, with the path rebuilt from\n"
      "parent references. Names whose chain of parents does not reach the root are\n"
      "shown under $OrphanFiles/.\n"
      "  -d               only records not in use (deleted)\n"
      "  -a               also records never used and extension records\n"
      "  --slack          also names recovered from $I30 index slack, marked 'slack'\n"
      "  --mft-file FILE  read a copy of $MFT (a triage collection) instead of an image\n" },
    { "timeline", cmd_timeline, O_IMAGE | O_MFTFILE | O_JOURNAL | O_FORMAT | O_USN, 0, 0,
      "timeline [--format body|jsonl|csv] [--usn] IMAGE | --mft-file FILE [--journal-file J]",
      "A timeline of every record, deleted ones included: the $STANDARD_INFORMATION and\n"
      "$FILE_NAME times, and the times each directory's $I30 index keeps of its entries\n"
      "(names marked \" ($I30)\"). By default a mactime body file (TSK 3.x format).\n"
      "  --format body    the body file, for mactime and plaso (the default)\n"
      "  --format jsonl   one JSON object per time, for Timesketch (message, datetime,\n"
      "                   timestamp_desc, ...; fields in ntx(1))\n"
      "  --format csv     the same as CSV with a header line, for Timesketch\n"
      "  --usn            also the change journal's records, with their paths\n"
      "  --mft-file FILE  read a copy of $MFT instead of an image\n"
      "  --journal-file J a copy of $UsnJrnl:$J (implies --usn)\n" },
    { "usn", cmd_usn, O_STREAM | O_JSON | O_IMAGE | O_MFTFILE | O_JOURNAL, 0, 0,
      "usn [--json] [--stream PATH:NAME] IMAGE | [--mft-file FILE] --journal-file J",
      "The records of the change journal $Extend/$UsnJrnl:$J (or of the stream given\n"
      "with --stream): USN, time, reason flags, attributes and the path rebuilt through\n"
      "the MFT. The sparse head is skipped.\n"
      "  --journal-file J  read a copy of $UsnJrnl:$J; paths come from IMAGE or\n"
      "                    --mft-file, names alone without either\n"
      "  --mft-file FILE   a copy of $MFT for the paths\n" },
    { "extract", cmd_extract, O_ALL | O_STREAMS | O_FORCE | O_NOPROG | O_IMAGE, 2, 2,
      "extract [-a] [--streams] [-f] [--no-progress] IMAGE PATH DEST",
      "Copy the tree at PATH into the directory DEST (created if missing), keeping the\n"
      "modification and access times; a progress bar on a terminal. Symbolic links\n"
      "are recreated, never followed; names '.', '..' and names holding '/' are refused.\n"
      "  -a            include system files ($MFT, $Extend, ...)\n"
      "  --streams     also write named streams, as NAME:STREAM files\n"
      "  -f            write into a DEST that is not empty\n"
      "  --no-progress no progress bar\n" },
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const char global_help[] =
    "Global options (any command that reads an image):\n"
    "  --partition N   use partition N of an MBR or GPT disk (see `ntx partitions`)\n"
    "  --offset BYTES  the volume starts at this byte offset\n"
    "  --vss N         read shadow copy store N of the volume (see `ntx vss`)\n"
    "  --json          one JSON object per line (listing commands; fields in ntx(1))\n"
    "  -q, --quiet     no warnings, no progress bar\n"
    "  -h, --help      this help\n";

static void print_usage(FILE *f)
{
    fprintf(f, "usage: %s COMMAND [OPTIONS] IMAGE [ARGS]\n\n"
               "Read-only inspection of NTFS images: raw volumes and disks (MBR, GPT), split\n"
               "raw, E01, VHD, VHDX, VMDK and qcow2 images, and their shadow copies.\n\n"
               "Commands:\n",
            g_prog);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %s %s\n", g_prog, commands[i].usage);
    fprintf(f, "\n%s\n`%s COMMAND --help` describes a command; man ntx for everything.\n"
               "Exit status: 0 ok, 1 error, 2 usage, 3 partial (some objects unreadable).\n",
            global_help, g_prog);
}

/* The version, and what this build reads: the containers and their
 * libraries as built and as installed. */
static void print_version(void)
{
    printf("ntx %s (read-only NTFS 3.x inspection)\n", NTX_VERSION_STRING);
    size_t n;
    const ntx_host_feature *f = ntx_host_features(&n);
    for (size_t i = 0; i < n; i++) {
        if (f[i].library == NULL) {
            printf("  %-28s built in\n", f[i].name);
        } else if (f[i].built_version == NULL) {
            printf("  %-28s not built in (build with the Debian package %s)\n", f[i].name,
                   f[i].dev_package);
        } else {
            const char *run = ntx_host_feature_runtime_version(&f[i]);
            if (run != NULL)
                printf("  %-28s %s %s\n", f[i].name, f[i].library, run);
            else
                printf("  %-28s %s %s, not installed (Debian package %s)\n", f[i].name,
                       f[i].library, f[i].built_version, f[i].run_package);
        }
    }
}

static void print_command_help(const command *c)
{
    printf("usage: %s %s\n\n%s\n%s", g_prog, c->usage, c->help, global_help);
}

static bool take_value(int argc, char **argv, int *i, const char *inl, const char **val)
{
    if (inl != NULL && *inl != '\0') {
        *val = inl;
        return true;
    }
    if (*i + 1 >= argc)
        return false;
    *val = argv[++*i];
    return true;
}

/* -i MFTNUM[:STREAM], or -i FIRST-LAST for the commands that take a range;
 * given again, another target for the commands that take several. */
static int parse_inode(const command *c, cli_opts *o, const char *v)
{
    record_spec r;
    if (!parse_record_spec(v, (c->opts & O_IRANGE) != 0, &r))
        return usage_error(c->name, (c->opts & O_IRANGE) ?
                           "-i needs MFTNUM or FIRST-LAST (FIRST <= LAST), not '%s'" :
                           "-i needs an MFT record number, not '%s'", v);
    if (o->ninodes > 0 && !(c->opts & O_IMULTI))
        return usage_error(c->name, "-i given more than once");
    if (o->ninodes == 0) {
        o->inode = r.first;
        o->inode_stream = r.stream;
    }
    o->inodes[o->ninodes++] = r; /* main() made room for all of argv */
    o->have_inode = true;
    return 0;
}

static int parse_args(const command *c, int argc, char **argv, int first, cli_opts *o)
{
    bool only_pos = false;
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (only_pos || a[0] != '-' || a[1] == '\0') {
            if (o->image == NULL && (c->opts & O_IMAGE || c->fn == cmd_partitions))
                o->image = a;
            else
                o->args[o->nargs++] = a; /* main() made room for all of argv */
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_pos = true;
            continue;
        }
        if (a[1] == '-') { /* long options */
            const char *name = a + 2;
            const char *eq = strchr(name, '=');
            char key[32];
            size_t kn = eq ? (size_t)(eq - name) : strlen(name);
            if (kn >= sizeof key)
                return usage_error(c->name, "unknown option '%s'", a);
            memcpy(key, name, kn);
            key[kn] = '\0';
            const char *inl = eq ? eq + 1 : NULL;
            const char *v;
#define NEEDS(mask)                                                                                \
    do {                                                                                           \
        if (!(c->opts & (mask)))                                                                   \
            return usage_error(c->name, "option '--%s' does not apply to '%s'", key, c->name);  \
    } while (0)
#define VALUE()                                                                                    \
    do {                                                                                           \
        if (!take_value(argc, argv, &i, inl, &v))                                                  \
            return usage_error(c->name, "option '--%s' needs a value", key);                      \
    } while (0)
            if (strcmp(key, "help") == 0) {
                print_command_help(c);
                exit(EXIT_OK);
            } else if (strcmp(key, "json") == 0) {
                NEEDS(O_JSON);
                o->json = true;
            } else if (strcmp(key, "quiet") == 0) {
                o->quiet = true;
            } else if (strcmp(key, "partition") == 0) {
                NEEDS(O_IMAGE);
                VALUE();
                uint64_t n;
                if (!parse_u64(v, &n) || n == 0 || n > UINT32_MAX)
                    return usage_error(c->name, "--partition needs a partition number (1..)");
                o->partition = (uint32_t)n;
                o->have_partition = true;
            } else if (strcmp(key, "offset") == 0) {
                NEEDS(O_IMAGE);
                VALUE();
                if (!parse_u64(v, &o->offset))
                    return usage_error(c->name, "--offset needs a byte offset, not '%s'", v);
                o->have_offset = true;
            } else if (strcmp(key, "vss") == 0) {
                NEEDS(O_IMAGE);
                if (c->fn == cmd_vss)
                    return usage_error(c->name, "option '--vss' does not apply to 'vss'");
                VALUE();
                uint64_t n;
                if (!parse_u64(v, &n) || n == 0 || n > UINT32_MAX)
                    return usage_error(c->name, "--vss needs a shadow copy store number (1..)");
                o->vss = (uint32_t)n;
                o->have_vss = true;
            } else if (strcmp(key, "raw") == 0) {
                NEEDS(O_RAW);
                o->raw = true;
            } else if (strcmp(key, "stream") == 0) {
                NEEDS(O_STREAM);
                VALUE();
                o->stream_opt = v;
            } else if (strcmp(key, "type") == 0) {
                NEEDS(O_TYPE);
                VALUE();
                const char *colon = strchr(v, ':');
                char num[16];
                size_t n = colon ? (size_t)(colon - v) : strlen(v);
                uint64_t t;
                if (n == 0 || n >= sizeof num)
                    return usage_error(c->name, "--type needs an attribute type, e.g. 0x80");
                memcpy(num, v, n);
                num[n] = '\0';
                if (!parse_u64(num, &t) || t == 0 || t >= 0xFFFFFFFFu)
                    return usage_error(c->name, "--type needs an attribute type, e.g. 0x80");
                o->have_type = true;
                o->attr_type = (uint32_t)t;
                o->attr_name = colon ? colon + 1 : NULL;
            } else if (strcmp(key, "force") == 0) {
                NEEDS(O_FORCE);
                o->force = true;
            } else if (strcmp(key, "all") == 0) {
                NEEDS(O_ALL);
                o->all = true;
            } else if (strcmp(key, "deleted") == 0) {
                NEEDS(O_DELETED);
                o->deleted_only = true;
            } else if (strcmp(key, "slack") == 0) {
                NEEDS(O_SLACK);
                o->slack = true;
            } else if (strcmp(key, "streams") == 0) {
                NEEDS(O_STREAMS);
                o->streams = true;
            } else if (strcmp(key, "mft-file") == 0) {
                NEEDS(O_MFTFILE);
                VALUE();
                o->mft_file = v;
            } else if (strcmp(key, "journal-file") == 0) {
                NEEDS(O_JOURNAL);
                VALUE();
                o->journal_file = v;
            } else if (strcmp(key, "format") == 0) {
                NEEDS(O_FORMAT);
                VALUE();
                if (strcmp(v, "body") == 0)
                    o->format = FORMAT_BODY;
                else if (strcmp(v, "jsonl") == 0)
                    o->format = FORMAT_JSONL;
                else if (strcmp(v, "csv") == 0)
                    o->format = FORMAT_CSV;
                else
                    return usage_error(c->name, "--format needs body, jsonl or csv, not '%s'", v);
            } else if (strcmp(key, "usn") == 0) {
                NEEDS(O_USN);
                o->usn = true;
            } else if (strcmp(key, "header") == 0) {
                NEEDS(O_HEADER);
                o->header = true;
            } else if (strcmp(key, "no-progress") == 0) {
                NEEDS(O_NOPROG);
                o->no_progress = true;
            } else if (strcmp(key, "long") == 0) {
                NEEDS(O_LONG);
                o->long_fmt = true;
            } else if (strcmp(key, "recursive") == 0) {
                NEEDS(O_REC);
                o->recursive = true;
            } else if (strcmp(key, "inode") == 0) {
                NEEDS(O_INODE);
                VALUE();
                int rc = parse_inode(c, o, v);
                if (rc != 0)
                    return rc;
            } else {
                return usage_error(c->name, "unknown option '%s'", a);
            }
#undef NEEDS
#undef VALUE
            if (inl != NULL && strcmp(key, "partition") != 0 && strcmp(key, "offset") != 0 &&
                strcmp(key, "vss") != 0 &&
                strcmp(key, "stream") != 0 && strcmp(key, "type") != 0 &&
                strcmp(key, "inode") != 0 && strcmp(key, "mft-file") != 0 &&
                strcmp(key, "journal-file") != 0 && strcmp(key, "format") != 0)
                return usage_error(c->name, "option '--%s' takes no value", key);
            continue;
        }
        bool word_done = false;
        for (const char *p = a + 1; *p != '\0' && !word_done; p++) { /* clustered: -lr */
            unsigned need = 0;
            switch (*p) {
            case 'l': need = O_LONG; o->long_fmt = true; break;
            case 'r': need = O_REC; o->recursive = true; break;
            case 'a': need = O_ALL; o->all = true; break;
            case 'd': need = O_DELETED; o->deleted_only = true; break;
            case 'f': need = O_FORCE; o->force = true; break;
            case 'q': o->quiet = true; break;
            case 'h': print_command_help(c); exit(EXIT_OK);
            case 'i': {
                need = O_INODE;
                if (!(c->opts & need))
                    break;
                const char *v;
                if (!take_value(argc, argv, &i, p + 1, &v))
                    return usage_error(c->name, "option '-i' needs an MFT record number");
                int rc = parse_inode(c, o, v);
                if (rc != 0)
                    return rc;
                word_done = true; /* the rest of the word was the value */
                break;
            }
            default:
                return usage_error(c->name, "unknown option '-%c'", *p);
            }
            if (need != 0 && !(c->opts & need))
                return usage_error(c->name, "option '-%c' does not apply to '%s'", *p, c->name);
        }
    }
    if (o->mft_file != NULL) {
        if (o->image != NULL)
            return usage_error(c->name, "--mft-file replaces IMAGE: give one or the other");
        if (o->have_partition || o->have_offset || o->have_vss)
            return usage_error(c->name, "--partition, --offset and --vss apply to an image, "
                                        "not to --mft-file");
    }
    if (o->journal_file != NULL && o->stream_opt != NULL)
        return usage_error(c->name, "--journal-file and --stream exclude each other");
    if (o->journal_file != NULL && c->fn == cmd_timeline)
        o->usn = true;
    if (o->usn && o->mft_file != NULL && o->journal_file == NULL)
        return usage_error(c->name, "--usn with --mft-file needs --journal-file (the journal "
                                    "is not in $MFT)");
    if (c->fn == cmd_usn && o->mft_file != NULL && o->journal_file == NULL)
        return usage_error(c->name, "--mft-file needs --journal-file (the journal is not in "
                                    "$MFT)");
    if (o->image == NULL && o->mft_file == NULL &&
        !(c->fn == cmd_usn && o->journal_file != NULL))
        return usage_error(c->name, (c->opts & O_MFTFILE) ? "no image (or --mft-file) given"
                                                          : "no image given");
    if (o->nargs < c->min_args)
        return usage_error(c->name, "missing argument (usage: %s %s)", g_prog, c->usage);
    if (o->nargs > c->max_args)
        return usage_error(c->name, "too many arguments (usage: %s %s)", g_prog, c->usage);
    if (o->have_partition && o->have_offset)
        return usage_error(c->name, "--partition and --offset exclude each other");
    return 0;
}

int main(int argc, char **argv)
{
    /* 64 KiB: a large listing is written in a few hundred calls; a larger
     * buffer costs page faults for each 4 KiB it fills, measured at 20 us on
     * a VM (host/README.md) */
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);

    cli_opts o;
    memset(&o, 0, sizeof o);
    if (argc < 2) {
        print_usage(stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "help") == 0) {
        if (argc > 2) {
            for (size_t i = 0; i < NCOMMANDS; i++)
                if (strcmp(argv[2], commands[i].name) == 0) {
                    print_command_help(&commands[i]);
                    return out_finish() ? EXIT_OK : EXIT_FAIL;
                }
        }
        print_usage(stdout);
        return out_finish() ? EXIT_OK : EXIT_FAIL;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        print_version();
        return out_finish() ? EXIT_OK : EXIT_FAIL;
    }
    const command *c = NULL;
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(name, commands[i].name) == 0)
            c = &commands[i];
    if (c == NULL) {
        fprintf(stderr, "%s: unknown command '%s'\n\n", g_prog, name);
        print_usage(stderr);
        return EXIT_USAGE;
    }
    o.args = calloc((size_t)argc, sizeof *o.args);
    o.inodes = calloc((size_t)argc, sizeof *o.inodes);
    if (o.args == NULL || o.inodes == NULL) {
        fprintf(stderr, "%s: out of memory\n", g_prog);
        return EXIT_FAIL;
    }
    int rc = parse_args(c, argc, argv, 2, &o);
    if (rc == 0)
        rc = c->fn(&o);
    free(o.args);
    free(o.inodes);
    if (!out_finish() && rc == EXIT_OK)
        rc = EXIT_FAIL;
    if (rc == EXIT_OK && g_partial)
        rc = EXIT_PARTIAL;
    return rc;
}
