/*
 * options.c - ntxfs's command line: the table of its options, the parser
 * that reads it, the --help text made from it, and the settings (g.opt)
 * that follow from what was given.
 *
 * Each option is one row of the table: its name, its kind, where its value
 * goes in struct cli, and its line in --help. libfuse's parser (fuse_opt)
 * gets a template per name, made from the table, and hands every match
 * back with the row's index. What the table does not name (-f, -d,
 * allow_other, max_threads...) stays in the arguments for libfuse's
 * fuse_parse_cmdline() and fuse_session_new(), which refuse what nobody
 * knows. ntfs-3g's options are accepted where they mean something on a
 * read-only mount, ignored where they mean nothing, and refused where they
 * would write.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ntxfs.h"

#define DEFAULT_TIMEOUT 86400 /* seconds: the image does not change */

#define STR(x) #x
#define XSTR(x) STR(x)

enum opt_kind {
    OPT_FLAG,      /* bool, set to true */
    OPT_INT,       /* int, "%d" */
    OPT_UINT,      /* ntxfs_num_opt, "%u" */
    OPT_OCTAL,     /* ntxfs_num_opt, "%o" */
    OPT_DOUBLE,    /* double, "%lf" */
    OPT_STRING,    /* char *, a copy; the last one given wins */
    OPT_SET,       /* char *, set to a copy of the row's arg */
    OPT_REFUSE,    /* char *, the first option refused (its whole text) */
    OPT_IGNORE,    /* an ntfs-3g option with nothing to do on a read-only mount */
};

typedef struct option {
    const char *name;   /* "-o name" if it ends in '=' takes a value; "-h": an argument */
    const char *alias;  /* another name, or NULL */
    enum opt_kind kind;
    size_t where;       /* offset of the value in struct cli */
    const char *arg;    /* the value's name in --help; OPT_SET: the value */
    const char *help;   /* --help's line(s); NULL: listed by kind at the end */
} option;

#define IN(field) offsetof(struct cli, field)

static const option options[] = {
    { "offset=", NULL, OPT_STRING, IN(offset), "BYTES", "the volume starts BYTES into IMAGE" },
    { "partition=", NULL, OPT_INT, IN(partition), "N",
      "use partition N (MBR 1-4 primary, 5... logical;\n"
      "GPT entry N); default: the only NTFS partition" },
    { "vss=", NULL, OPT_UINT, IN(vss), "N",
      "mount shadow copy store N of the volume (1 = the\n"
      "oldest, as `ntx vss` lists them)" },
    { "uid=", NULL, OPT_UINT, IN(uid), "N", "owner of every file (default: yours)" },
    { "gid=", NULL, OPT_UINT, IN(gid), "N", "group of every file (default: yours)" },
    { "umask=", NULL, OPT_OCTAL, IN(umask), "OCT", "permission bits to clear (default 0: 0777)" },
    { "fmask=", NULL, OPT_OCTAL, IN(fmask), "OCT", "the same for files only" },
    { "dmask=", NULL, OPT_OCTAL, IN(dmask), "OCT", "the same for directories only" },
    { "streams_interface=", NULL, OPT_STRING, IN(streams), "xattr|windows|none",
      "named streams as xattrs user.NAME (default),\n"
      "as FILE:NAME paths, or not at all" },
    { "user_xattr", NULL, OPT_SET, IN(streams), "xattr", "the same as streams_interface=xattr" },
    { "show_sys_files", NULL, OPT_FLAG, IN(opt.show_sys), NULL,
      "list $MFT, $Bitmap... (always reachable by name)" },
    { "hide_hid_files", NULL, OPT_FLAG, IN(opt.hide_hid), NULL,
      "leave files with the HIDDEN attribute out of listings" },
    { "ignore_case", NULL, OPT_FLAG, IN(opt.ignore_case), NULL,
      "find names case-insensitively, as Windows does" },
    { "timeout=", NULL, OPT_DOUBLE, IN(opt.timeout), "SECONDS",
      "kernel cache lifetime of names and attributes\n"
      "(default " XSTR(DEFAULT_TIMEOUT) ": the image does not change)" },
    { "mt", NULL, OPT_FLAG, IN(mt), NULL,
      "libfuse's multi-threaded loop (default: one thread\n"
      "answers, " XSTR(NTXFS_SPLICERS) " more copy file data)" },
    { "no_direct_read", NULL, OPT_FLAG, IN(opt.no_direct), NULL,
      "read file data through the library, not spliced" },
    { "no_zero_open", NULL, OPT_FLAG, IN(opt.no_zero_open), NULL,
      "open files and directories with a round trip each" },
    { "-h", "--help", OPT_FLAG, IN(help), NULL, "print this help" },
    { "-V", "--version", OPT_FLAG, IN(version), NULL, "print versions" },
    /* ntfs-3g options that would write, or that ntxfs cannot honour */
    { "rw", NULL, OPT_REFUSE, IN(refused), NULL, NULL },
    { "remove_hiberfile", NULL, OPT_REFUSE, IN(refused), NULL, NULL },
    { "permissions", NULL, OPT_REFUSE, IN(refused), NULL, NULL },
    { "acl", NULL, OPT_REFUSE, IN(refused), NULL, NULL },
    { "inherit", NULL, OPT_REFUSE, IN(refused), NULL, NULL },
    { "usermapping=", NULL, OPT_REFUSE, IN(refused), NULL, NULL },
    { "efs_raw", NULL, OPT_REFUSE, IN(refused), NULL, NULL },
    /* ntfs-3g options with nothing to do on a read-only mount */
    { "ro", NULL, OPT_IGNORE, 0, NULL, NULL },
    { "silent", NULL, OPT_IGNORE, 0, NULL, NULL },
    { "no_def_opts", NULL, OPT_IGNORE, 0, NULL, NULL },
    { "recover", NULL, OPT_IGNORE, 0, NULL, NULL },
    { "norecover", NULL, OPT_IGNORE, 0, NULL, NULL },
    { "compression", NULL, OPT_IGNORE, 0, NULL, NULL },
    { "nocompression", NULL, OPT_IGNORE, 0, NULL, NULL },
    { "big_writes", NULL, OPT_IGNORE, 0, NULL, NULL },
    { "windows_names", NULL, OPT_IGNORE, 0, NULL, NULL },
    { "hide_dot_files", NULL, OPT_IGNORE, 0, NULL, NULL },
    { "force", NULL, OPT_IGNORE, 0, NULL, NULL },
};

#define N_OPTIONS (sizeof options / sizeof *options)

/* ---- parsing ---- */

/* The value of option o, given as arg ("name=value"), into c. 0, or -1
 * after a message (the value is not a number). */
static int take_value(struct cli *c, const option *o, const char *arg)
{
    void *where = (char *)c + o->where;
    const char *eq = strchr(arg, '=');
    const char *value = eq != NULL ? eq + 1 : "";
    char **s = where;
    ntxfs_num_opt *num = where;
    int ok = 1;
    switch (o->kind) {
    case OPT_FLAG:
        *(bool *)where = true;
        break;
    case OPT_INT:
        ok = sscanf(value, "%d", (int *)where);
        break;
    case OPT_UINT:
    case OPT_OCTAL:
        ok = sscanf(value, o->kind == OPT_UINT ? "%u" : "%o", &num->value);
        num->given = true;
        break;
    case OPT_DOUBLE:
        ok = sscanf(value, "%lf", (double *)where);
        break;
    case OPT_STRING:
    case OPT_SET:
        free(*s);
        *s = strdup(o->kind == OPT_SET ? o->arg : value);
        break;
    case OPT_REFUSE:
        if (*s == NULL)
            *s = strdup(arg);
        break;
    case OPT_IGNORE:
        break;
    }
    if (ok != 1) {
        /* libfuse's words, as when its own parser read these values */
        fprintf(stderr, "fuse: invalid parameter in option `%s'\n", arg);
        return -1;
    }
    return 0;
}

/* fuse_opt's callback: key is a row of options[], or an argument that is
 * not an option (the image, then the mount point), or one the table does
 * not name (kept for libfuse). */
static int take_arg(void *data, const char *arg, int key, struct fuse_args *outargs)
{
    struct cli *c = data;
    (void)outargs;
    if (key >= 0 && (size_t)key < N_OPTIONS)
        return take_value(c, &options[key], arg);
    if (key != FUSE_OPT_KEY_NONOPT)
        return 1;
    c->nonopts++;
    if (c->image == NULL) {
        c->image = strdup(arg);
        return 0; /* the mount point stays for fuse_parse_cmdline() */
    }
    if (c->nonopts > 2) {
        fprintf(stderr, NTXFS_NAME ": too many arguments: `%s'\n", arg);
        return -1;
    }
    return 1;
}

/* ---- help ---- */

/* One row in --help: the option in a column of 22 characters, then its
 * help (from the next line on when the option is wider). */
static void print_row(const option *o)
{
    char head[64];
    const char *p = o->help;
    if (o->name[0] == '-')
        snprintf(head, sizeof head, "%s, %s", o->name, o->alias);
    else
        snprintf(head, sizeof head, "-o %s%s", o->name,
                 o->kind == OPT_SET || o->arg == NULL ? "" : o->arg);
    printf("    %-22s", head);
    if (strlen(head) > 22)
        printf("\n%27s", "");
    else
        printf(" ");
    /* bound: one pass per line of the help, each ending at its newline */
    for (;;) {
        size_t n = strcspn(p, "\n");
        printf("%.*s\n", (int)n, p);
        if (p[n] == 0)
            break;
        p += n + 1;
        printf("%27s", "");
    }
}

/* The rows of one kind that have no help of their own, after a title,
 * comma-separated and wrapped at 80 columns. */
static void print_kind(enum opt_kind kind, const char *title)
{
    size_t col = 0; /* 0: no name yet */
    printf("%s:", title);
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const char *name = options[i].name;
        int n = (int)strcspn(name, "=");
        if (options[i].kind != kind || options[i].help != NULL)
            continue;
        if (col == 0 || col + 2 + (size_t)n > 80) {
            printf("%s\n    %.*s", col == 0 ? "" : ",", n, name);
            col = 4 + (size_t)n;
        } else {
            printf(", %.*s", n, name);
            col += 2 + (size_t)n;
        }
    }
    printf("\n");
}

static void usage(const char *prog)
{
    printf("usage: %s IMAGE MOUNTPOINT [options]\n\n"
           "Mount the NTFS volume in IMAGE read-only at MOUNTPOINT: a raw volume or disk\n"
           "(MBR or GPT), a block device, a split raw set (IMAGE.001...), E01, VHD, VHDX,\n"
           "VMDK or qcow2. The image is never written.\n\n"
           "ntxfs options:\n",
           prog);
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (options[i].help != NULL)
            print_row(&options[i]);
    printf("\n");
    print_kind(OPT_IGNORE, "ntfs-3g options accepted, with nothing to do on a read-only mount");
    print_kind(OPT_REFUSE, "ntfs-3g options refused: they would write, or need what ntxfs lacks");
    printf("\nSee ntxfs(1). FUSE options:\n");
    fuse_cmdline_help();
    fuse_lowlevel_help();
}

/* The versions, and what images this build reads (as `ntx --version`). */
static void version(void)
{
    printf(NTXFS_NAME " %s (ntx core %s), libfuse %s\n", NTX_VERSION_STRING, NTX_VERSION_STRING,
           fuse_pkgversion());
    size_t n;
    const ntx_host_feature *f = ntx_host_features(&n);
    for (size_t i = 0; i < n; i++) {
        const char *run = f[i].library != NULL && f[i].built_version != NULL
                              ? ntx_host_feature_runtime_version(&f[i])
                              : NULL;
        if (f[i].library == NULL)
            printf("  %-28s built in\n", f[i].name);
        else if (f[i].built_version == NULL)
            printf("  %-28s not built in (build with the Debian package %s)\n", f[i].name,
                   f[i].dev_package);
        else if (run != NULL)
            printf("  %-28s %s %s\n", f[i].name, f[i].library, run);
        else
            printf("  %-28s %s %s, not installed (Debian package %s)\n", f[i].name,
                   f[i].library, f[i].built_version, f[i].run_package);
    }
    fflush(stdout);
    fuse_lowlevel_version();
}

/* ---- settings ---- */

/* c->opt completed from what was given, then copied to g.opt. 0, or 1
 * after a message. */
static int apply_options(struct cli *c)
{
    ntxfs_options *o = &c->opt;
    o->uid = c->uid.given ? c->uid.value : getuid();
    o->gid = c->gid.given ? c->gid.value : getgid();
    o->fmask = (c->fmask.given ? c->fmask.value : c->umask.given ? c->umask.value : 0) & 0777;
    o->dmask = (c->dmask.given ? c->dmask.value : c->umask.given ? c->umask.value : 0) & 0777;
    if (!(o->timeout >= 0))
        o->timeout = 0;
    o->streams = NTXFS_STREAMS_XATTR;
    if (c->streams != NULL) {
        if (strcmp(c->streams, "windows") == 0) {
            o->streams = NTXFS_STREAMS_WINDOWS;
        } else if (strcmp(c->streams, "none") == 0) {
            o->streams = NTXFS_STREAMS_NONE;
        } else if (strcmp(c->streams, "xattr") != 0) {
            fprintf(stderr, NTXFS_NAME ": streams_interface=%s: use xattr, windows or none\n",
                    c->streams);
            return 1;
        }
    }
    g.opt = *o;
    return 0;
}

int ntxfs_parse_args(struct fuse_args *args, struct cli *c, struct fuse_cmdline_opts *opts)
{
    struct fuse_opt spec[2 * N_OPTIONS + 1];
    size_t n = 0;
    for (size_t i = 0; i < N_OPTIONS; i++) {
        spec[n++] = (struct fuse_opt)FUSE_OPT_KEY(options[i].name, (int)i);
        if (options[i].alias != NULL)
            spec[n++] = (struct fuse_opt)FUSE_OPT_KEY(options[i].alias, (int)i);
    }
    spec[n] = (struct fuse_opt)FUSE_OPT_END;
    c->opt.timeout = DEFAULT_TIMEOUT;
    if (fuse_opt_parse(args, c, spec, take_arg) != 0)
        return 1;
    if (c->help) {
        usage(args->argv[0]);
        return 0;
    }
    if (c->version) {
        version();
        return 0;
    }
    if (c->refused != NULL) {
        fprintf(stderr,
                NTXFS_NAME ": option `%s' is not supported: ntxfs mounts read-only and never"
                           " writes\n",
                c->refused);
        return 1;
    }
    if (fuse_parse_cmdline(args, opts) != 0)
        return 1;
    if (c->image == NULL || opts->mountpoint == NULL) {
        fprintf(stderr, "usage: %s IMAGE MOUNTPOINT [options]   (%s --help for more)\n",
                args->argv[0], args->argv[0]);
        return 1;
    }
    return apply_options(c) == 0 ? NTXFS_GO_ON : 1;
}
