/*
 * main.c - ntxfs IMAGE MOUNTPOINT [options]: options, the image, the mount.
 *
 * Everything that can fail for a bad image (missing, unreadable, not NTFS,
 * no or several NTFS partitions, a volume the core refuses) is checked
 * before the kernel mount, so a failure leaves nothing mounted. The image is
 * opened O_RDONLY (O_NOATIME when allowed) and the kernel mount is read-only:
 * nothing can write to it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "ntxfs.h"

ntxfs_state g;

/* Threads that splice file data from the image in the default threading. */
#define NTXFS_SPLICERS 4

struct cli {
    char *image;
    int nonopts;
    char *offset;
    int partition;
    unsigned uid, gid, umask, fmask, dmask;
    int uid_set, gid_set, umask_set, fmask_set, dmask_set;
    int show_sys, hide_hid, ignore_case, no_direct, no_zero_open, mt;
    char *streams;
    double timeout;
    int help, version;
    char *refused;
};

enum { KEY_HELP, KEY_VERSION, KEY_REFUSE, KEY_IGNORE, KEY_USER_XATTR };

#define CLI_OPT(t, f, v) { t, offsetof(struct cli, f), v }
static const struct fuse_opt cli_spec[] = {
    CLI_OPT("offset=%s", offset, 0),
    CLI_OPT("partition=%d", partition, 0),
    CLI_OPT("uid=%u", uid, 0),
    CLI_OPT("uid=", uid_set, 1),
    CLI_OPT("gid=%u", gid, 0),
    CLI_OPT("gid=", gid_set, 1),
    CLI_OPT("umask=%o", umask, 0),
    CLI_OPT("umask=", umask_set, 1),
    CLI_OPT("fmask=%o", fmask, 0),
    CLI_OPT("fmask=", fmask_set, 1),
    CLI_OPT("dmask=%o", dmask, 0),
    CLI_OPT("dmask=", dmask_set, 1),
    CLI_OPT("show_sys_files", show_sys, 1),
    CLI_OPT("hide_hid_files", hide_hid, 1),
    CLI_OPT("ignore_case", ignore_case, 1),
    CLI_OPT("no_direct_read", no_direct, 1),
    CLI_OPT("no_zero_open", no_zero_open, 1),
    CLI_OPT("mt", mt, 1),
    CLI_OPT("streams_interface=%s", streams, 0),
    FUSE_OPT_KEY("user_xattr", KEY_USER_XATTR),
    CLI_OPT("timeout=%lf", timeout, 0),
    FUSE_OPT_KEY("-h", KEY_HELP),
    FUSE_OPT_KEY("--help", KEY_HELP),
    FUSE_OPT_KEY("-V", KEY_VERSION),
    FUSE_OPT_KEY("--version", KEY_VERSION),
    /* ntfs-3g options that would write, or that ntxfs cannot honour */
    FUSE_OPT_KEY("rw", KEY_REFUSE),
    FUSE_OPT_KEY("remove_hiberfile", KEY_REFUSE),
    FUSE_OPT_KEY("permissions", KEY_REFUSE),
    FUSE_OPT_KEY("acl", KEY_REFUSE),
    FUSE_OPT_KEY("inherit", KEY_REFUSE),
    FUSE_OPT_KEY("usermapping=", KEY_REFUSE),
    FUSE_OPT_KEY("efs_raw", KEY_REFUSE),
    /* ntfs-3g options with nothing to do on a read-only mount */
    FUSE_OPT_KEY("ro", KEY_IGNORE),
    FUSE_OPT_KEY("silent", KEY_IGNORE),
    FUSE_OPT_KEY("no_def_opts", KEY_IGNORE),
    FUSE_OPT_KEY("recover", KEY_IGNORE),
    FUSE_OPT_KEY("norecover", KEY_IGNORE),
    FUSE_OPT_KEY("compression", KEY_IGNORE),
    FUSE_OPT_KEY("nocompression", KEY_IGNORE),
    FUSE_OPT_KEY("big_writes", KEY_IGNORE),
    FUSE_OPT_KEY("windows_names", KEY_IGNORE),
    FUSE_OPT_KEY("hide_dot_files", KEY_IGNORE),
    FUSE_OPT_KEY("force", KEY_IGNORE),
    FUSE_OPT_END
};

static int cli_proc(void *data, const char *arg, int key, struct fuse_args *outargs)
{
    struct cli *c = data;
    (void)outargs;
    switch (key) {
    case FUSE_OPT_KEY_NONOPT:
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
    case KEY_HELP:
        c->help = 1;
        return 0;
    case KEY_VERSION:
        c->version = 1;
        return 0;
    case KEY_REFUSE:
        if (c->refused == NULL)
            c->refused = strdup(arg);
        return 0;
    case KEY_IGNORE:
        return 0;
    case KEY_USER_XATTR: /* ntfs-3g: the same as streams_interface=xattr */
        free(c->streams);
        c->streams = strdup("xattr");
        return 0;
    default:
        return 1;
    }
}

static void usage(const char *prog)
{
    printf("usage: %s IMAGE MOUNTPOINT [options]\n\n"
           "Mount the NTFS volume in IMAGE (a raw volume, or a disk image with MBR or\n"
           "GPT partitions) read-only at MOUNTPOINT. The image is never written.\n\n"
           "ntxfs options:\n"
           "    -o offset=BYTES        the volume starts BYTES into IMAGE\n"
           "    -o partition=N         use partition N (MBR 1-4 primary, 5... logical;\n"
           "                           GPT entry N); default: the only NTFS partition\n"
           "    -o uid=N,gid=N         owner and group of every file (default: yours)\n"
           "    -o umask=OCT           permission bits to clear (default 0: 0777)\n"
           "    -o fmask=OCT,dmask=OCT the same for files or directories only\n"
           "    -o streams_interface=xattr|windows|none\n"
           "                           named streams as xattrs user.NAME (default),\n"
           "                           as FILE:NAME paths, or not at all\n"
           "    -o show_sys_files      list $MFT, $Bitmap... (always reachable by name)\n"
           "    -o hide_hid_files      leave files with the HIDDEN attribute out of listings\n"
           "    -o ignore_case         find names case-insensitively, as Windows does\n"
           "    -o timeout=SECONDS     kernel cache lifetime of names and attributes\n"
           "                           (default 86400: the image does not change)\n"
           "    -o mt                  libfuse's multi-threaded loop (default: one thread\n"
           "                           answers, %u more copy file data)\n"
           "    -o no_direct_read      read file data through the library, not spliced\n"
           "    -o no_zero_open        open files and directories with a round trip each\n"
           "    -h, --help             print this help\n"
           "    -V, --version          print versions\n\n"
           "See ntxfs(1). FUSE options:\n",
           prog, NTXFS_SPLICERS);
    fuse_cmdline_help();
    fuse_lowlevel_help();
}

/* ---- the image ---- */

static int img_read(void *ctx, uint64_t off, void *buf, size_t len)
{
    int fd = *(const int *)ctx;
    char *p = buf;
    /* bound: len shrinks by n > 0 each pass */
    while (len > 0) {
        ssize_t n = pread(fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno > 0 ? -errno : -EIO;
        if (n == 0)
            return -EIO;
        p += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
    return 0;
}

static int die(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, NTXFS_NAME ": ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

static ntx_io io_at(uint64_t offset, uint64_t size)
{
    ntx_io io = { img_read, &g.fd, offset, size, 512 };
    return io;
}

/* Which check the last probe failed (NTX_CHK_*). */
static uint16_t probe_check;

/* An NTFS boot sector at offset? */
static ntx_err probe(uint64_t offset, uint64_t size, ntx_geometry *geo)
{
    static uint8_t block[NTX_MAX_BLOCK_SIZE];
    ntx_io io = io_at(offset, size);
    ntx_diag d;
    memset(&d, 0, sizeof d);
    ntx_err rc = ntx_volume_probe(&io, block, sizeof block, geo, &d);
    probe_check = d.check;
    return rc;
}

static const char *scheme_name(uint8_t s)
{
    return s == NTX_PT_GPT ? "GPT" : "MBR";
}

/* Where the volume is: -o offset, -o partition, a bare volume, or the only
 * NTFS partition. */
static int find_volume(const struct cli *c, uint64_t dev_size)
{
    ntx_geometry geo;
    ntx_err rc;
    if (c->offset != NULL) {
        char *end;
        errno = 0;
        unsigned long long off = strtoull(c->offset, &end, 0);
        if (errno != 0 || *end != 0 || c->offset[0] == '-')
            return die("offset=%s: not a number of bytes", c->offset);
        if (c->partition != 0)
            return die("give offset= or partition=, not both");
        if (off % 512 != 0 || off >= dev_size)
            return die("offset=%llu: must be a multiple of 512 inside %s (%" PRIu64 " bytes)",
                       off, g.image, dev_size);
        rc = probe(off, dev_size - off, &geo);
        if (rc == NTX_E_NOT_NTFS && probe_check == NTX_CHK_BOOT_TOTAL_SECTORS)
            return die("%s: the NTFS volume at offset %llu is larger than the rest of the"
                       " image: a truncated image?", g.image, off);
        if (rc != NTX_OK)
            return die("%s: no NTFS volume at offset %llu: %s", g.image, off, ntx_strerror(rc));
        g.vol_offset = off;
        g.vol_size = dev_size - off;
        return 0;
    }
    ntx_err bare = probe(0, dev_size, &geo);
    uint16_t bare_check = probe_check;
    if (bare == NTX_OK && c->partition == 0) {
        g.vol_offset = 0;
        g.vol_size = dev_size;
        return 0;
    }
    static uint8_t block[4096];
    ntx_partition_iter it;
    ntx_io io = io_at(0, dev_size);
    rc = ntx_partition_open(&it, &io, block, sizeof block);
    if (rc == NTX_E_NOT_FOUND) {
        if (c->partition != 0)
            return die("%s: partition=%d given, but the image has no partition table", g.image,
                       c->partition);
        if (bare == NTX_E_NOT_NTFS && bare_check == NTX_CHK_BOOT_TOTAL_SECTORS)
            return die("%s: the NTFS volume at offset 0 is larger than the image (%" PRIu64
                       " bytes): a truncated image?", g.image, dev_size);
        if (bare == NTX_E_NOT_NTFS)
            return die("%s: not an NTFS volume (no NTFS boot sector at offset 0, nor a backup"
                       " at its end), and no MBR or GPT partition table", g.image);
        return die("%s: not an NTFS volume (%s), and no MBR or GPT partition table", g.image,
                   ntx_strerror(bare));
    }
    if (rc != NTX_OK)
        return die("%s: reading the partition table: %s", g.image, ntx_strerror(rc));
    ntx_partition p, found;
    memset(&found, 0, sizeof found);
    int ntfs = 0, seen = 0, beyond = 0;
    char list[512] = "";
    size_t ll = 0;
    /* bound: the iterator's own limits (NTX_PT_MAX_LOGICAL, NTX_PT_MAX_GPT_ENTRIES);
     * an entry past the image's end (NTX_E_RANGE) is skipped, at most 1200 times */
    for (int steps = 0; steps < 1200; steps++) {
        memset(&p, 0, sizeof p);
        rc = ntx_partition_next(&it, &p);
        if (rc == NTX_E_RANGE) {
            beyond++;
            if (c->partition != 0 && (int)p.index == c->partition)
                return die("%s: partition %d ends beyond the end of the image (%" PRIu64
                           " bytes): a truncated image?",
                           g.image, c->partition, dev_size);
            continue;
        }
        if (rc != NTX_OK)
            break;
        seen++;
        bool is_ntfs = p.size > 0 && probe(p.offset, p.size, &geo) == NTX_OK;
        if (c->partition != 0) {
            if ((int)p.index != c->partition)
                continue;
            if (!is_ntfs)
                return die("%s: %s partition %d (offset %" PRIu64 ") is not an NTFS volume",
                           g.image, scheme_name(p.scheme), c->partition, p.offset);
            found = p;
            ntfs = 1;
            break;
        }
        if (is_ntfs) {
            if (ntfs++ == 0)
                found = p;
            if (ll < sizeof list - 16)
                ll += (size_t)snprintf(list + ll, sizeof list - ll, "%s%u", ll ? ", " : "",
                                       p.index);
        }
    }
    if (rc != NTX_OK && rc != NTX_END && rc != NTX_E_RANGE)
        return die("%s: reading the partition table: %s", g.image, ntx_strerror(rc));
    if (ntfs == 0 && beyond > 0)
        return die("%s: %d partition%s end%s beyond the end of the image (%" PRIu64
                   " bytes), and no other holds an NTFS volume: a truncated image?",
                   g.image, beyond, beyond == 1 ? "" : "s", beyond == 1 ? "s" : "", dev_size);
    if (c->partition != 0 && ntfs == 0)
        return die("%s: no partition %d (%d partition%s in the table)", g.image, c->partition,
                   seen, seen == 1 ? "" : "s");
    if (ntfs == 0)
        return die("%s: no NTFS volume in its %d %s partition%s", g.image, seen,
                   scheme_name(it.scheme), seen == 1 ? "" : "s");
    if (ntfs > 1)
        return die("%s: %d NTFS partitions (%s): choose one with -o partition=N", g.image, ntfs,
                   list);
    g.vol_offset = found.offset;
    g.vol_size = found.size;
    g.part_index = (int)found.index;
    return 0;
}

static int open_image(const struct cli *c)
{
    struct stat st;
    g.image = c->image;
    g.fd = open(c->image, O_RDONLY | O_CLOEXEC | O_NOATIME);
    if (g.fd < 0 && errno == EPERM)
        g.fd = open(c->image, O_RDONLY | O_CLOEXEC);
    if (g.fd < 0)
        return die("cannot open %s: %s", c->image, strerror(errno));
    if (fstat(g.fd, &st) != 0)
        return die("%s: %s", c->image, strerror(errno));
    uint64_t size;
    if (S_ISREG(st.st_mode)) {
        size = (uint64_t)st.st_size;
    } else if (S_ISBLK(st.st_mode)) {
        if (ioctl(g.fd, BLKGETSIZE64, &size) != 0)
            return die("%s: cannot get the device size: %s", c->image, strerror(errno));
    } else {
        return die("%s: not a regular file or a block device", c->image);
    }
    if (size < 512)
        return die("%s: too small for an NTFS volume (%" PRIu64 " bytes)", c->image, size);
    g.dev_size = size;
    int r = find_volume(c, size);
    if (r != 0)
        return r;

    ntx_io io = io_at(g.vol_offset, g.vol_size);
    ntx_geometry geo;
    ntx_err rc = probe(g.vol_offset, g.vol_size, &geo);
    size_t ws_size = rc == NTX_OK ? ntx_workspace_size(&geo) : NTX_WORKSPACE_MAX;
    g.ws = aligned_alloc(64, (ws_size + 63) & ~(size_t)63);
    if (g.ws == NULL)
        return die("out of memory");
    rc = ntx_volume_mount(&g.vol, &io, g.ws, ws_size);
    if (rc != NTX_OK)
        return die("%s: cannot mount the NTFS volume at offset %" PRIu64
                   ": %s (check %u, MFT record %" PRIu64 ")",
                   c->image, g.vol_offset, ntx_strerror(rc), (unsigned)g.vol.diag.check,
                   g.vol.diag.mft_no);
    g.cluster_shift = (unsigned)__builtin_ctz(g.vol.geo.cluster_size);
    rc = ntx_volume_attach_upcase(&g.vol, g.upcase, 65536);
    if (rc != NTX_OK)
        return die("%s: cannot read $UpCase: %s", c->image, ntx_strerror(rc));
    return 0;
}

/* ---- logging: stderr in the foreground, syslog once detached ---- */

static bool g_syslog;

static void log_func(enum fuse_log_level level, const char *fmt, va_list ap)
{
    if (g_syslog)
        vsyslog((int)level, fmt, ap);
    else
        vfprintf(stderr, fmt, ap);
}

/* Settings from the parsed options; 0, or 1 after a message. */
static int apply_options(const struct cli *c)
{
    g.uid = c->uid_set ? c->uid : getuid();
    g.gid = c->gid_set ? c->gid : getgid();
    g.fmask = (c->fmask_set ? c->fmask : c->umask_set ? c->umask : 0) & 0777;
    g.dmask = (c->dmask_set ? c->dmask : c->umask_set ? c->umask : 0) & 0777;
    g.show_sys = c->show_sys;
    g.hide_hid = c->hide_hid;
    g.ignore_case = c->ignore_case;
    g.no_direct = c->no_direct;
    g.no_direct_open = c->no_zero_open;
    g.timeout = c->timeout >= 0 ? c->timeout : 0;
    g.streams = NTXFS_STREAMS_XATTR;
    if (c->streams != NULL) {
        if (strcmp(c->streams, "windows") == 0)
            g.streams = NTXFS_STREAMS_WINDOWS;
        else if (strcmp(c->streams, "none") == 0)
            g.streams = NTXFS_STREAMS_NONE;
        else if (strcmp(c->streams, "xattr") != 0)
            return die("streams_interface=%s: use xattr, windows or none", c->streams);
    }
    return 0;
}

/* Mount and serve until unmounted: the exit status. */
static int serve(const struct cli *c, struct fuse_args *args, struct fuse_cmdline_opts *opts)
{
    /* Read-only for the kernel too; the kernel checks the mode bits
     * (default_permissions), so uid=, gid= and umask= mean what they say. */
    char *mopts = NULL, *fsname = NULL;
    int bad = asprintf(&fsname, "fsname=%s", c->image) < 0 ||
              fuse_opt_add_opt(&mopts, "ro,default_permissions,subtype=" NTXFS_NAME) != 0 ||
              fuse_opt_add_opt_escaped(&mopts, fsname) != 0 ||
              fuse_opt_add_arg(args, "-o") != 0 || fuse_opt_add_arg(args, mopts) != 0;
    free(fsname);
    free(mopts);
    if (bad)
        return die("out of memory");

    int ret = 1;
    struct fuse_session *se = fuse_session_new(args, &ntxfs_ops, sizeof ntxfs_ops, NULL);
    if (se == NULL)
        return 1; /* libfuse said why (an unknown option, ...) */
    if (fuse_set_signal_handlers(se) != 0)
        goto out_session;
    if (fuse_session_mount(se, opts->mountpoint) != 0) {
        fprintf(stderr, NTXFS_NAME ": cannot mount on `%s'\n", opts->mountpoint);
        goto out_signals;
    }
    if (!opts->foreground) {
        openlog(NTXFS_NAME, LOG_PID, LOG_DAEMON);
        g_syslog = true;
    }
    fuse_set_log_func(log_func);
    fuse_daemonize(opts->foreground);
    /*
     * Threading. Default: one thread receives and answers every request (the
     * calls into the core are serialized by g.lock anyway, and a hand-over
     * between threads costs more than most requests), with NTXFS_SPLICERS
     * workers copying plain file data from the image so reads overlap.
     * -o mt: libfuse's multi-threaded loop (safe: g.lock), with a /dev/fuse
     * descriptor per thread. -s: one thread for everything.
     */
    if (opts->singlethread) {
        ret = fuse_session_loop(se);
    } else if (c->mt) {
#if FUSE_USE_VERSION >= 312
        struct fuse_loop_config *config = fuse_loop_cfg_create();
        if (config == NULL) {
            ret = 1;
        } else {
            fuse_loop_cfg_set_clone_fd(config, 1);
            /* libfuse leaves "not given" as UINT_MAX; keep its defaults then */
            if (opts->max_idle_threads != UINT_MAX)
                fuse_loop_cfg_set_idle_threads(config, opts->max_idle_threads);
            if (opts->max_threads != UINT_MAX && opts->max_threads != 0)
                fuse_loop_cfg_set_max_threads(config, opts->max_threads);
            ret = fuse_session_loop_mt(se, config);
            fuse_loop_cfg_destroy(config);
        }
#else
        struct fuse_loop_config config = { .clone_fd = 1,
                                           .max_idle_threads = opts->max_idle_threads };
        ret = fuse_session_loop_mt(se, &config);
#endif
    } else {
        if (ntxfs_pool_start(NTXFS_SPLICERS) != 0)
            fuse_log(FUSE_LOG_WARNING, NTXFS_NAME ": no splice workers; reading inline\n");
        ret = fuse_session_loop(se);
        ntxfs_pool_stop();
    }
    ret = ret != 0 ? 1 : 0;
    fuse_session_unmount(se);
out_signals:
    fuse_remove_signal_handlers(se);
out_session:
    fuse_session_destroy(se);
    return ret;
}

int main(int argc, char *argv[])
{
    struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
    struct fuse_cmdline_opts opts;
    struct cli c;
    int ret = 1;

    memset(&c, 0, sizeof c);
    memset(&opts, 0, sizeof opts);
    g.fd = -1;
    c.timeout = 86400.0;
    pthread_mutex_init(&g.lock, NULL);
    if (fuse_opt_parse(&args, &c, cli_spec, cli_proc) != 0)
        goto out;
    if (c.help) {
        usage(argv[0]);
        ret = 0;
        goto out;
    }
    if (c.version) {
        printf(NTXFS_NAME " %s (ntx core %s), libfuse %s\n", NTX_VERSION_STRING,
               NTX_VERSION_STRING, fuse_pkgversion());
        fflush(stdout);
        fuse_lowlevel_version();
        ret = 0;
        goto out;
    }
    if (c.refused != NULL) {
        die("option `%s' is not supported: ntxfs mounts read-only and never writes", c.refused);
        goto out;
    }
    if (fuse_parse_cmdline(&args, &opts) != 0)
        goto out;
    if (c.image == NULL || opts.mountpoint == NULL) {
        fprintf(stderr, "usage: %s IMAGE MOUNTPOINT [options]   (%s --help for more)\n",
                argv[0], argv[0]);
        goto out;
    }
    if (apply_options(&c) != 0)
        goto out;

    /* The mount point first (cheap), then the image. */
    struct stat mst;
    g.mnt_abs = realpath(opts.mountpoint, NULL);
    if (g.mnt_abs == NULL || stat(g.mnt_abs, &mst) != 0) {
        die("bad mount point `%s': %s", opts.mountpoint, strerror(errno));
        goto out;
    }
    if (!S_ISDIR(mst.st_mode)) {
        die("bad mount point `%s': not a directory", opts.mountpoint);
        goto out;
    }
    if (open_image(&c) == 0)
        ret = serve(&c, &args, &opts);
out:
    free(opts.mountpoint);
    fuse_opt_free_args(&args);
    free(c.image);
    free(c.offset);
    free(c.streams);
    free(c.refused);
    free(g.mnt_abs);
    ntx_volume_unmount(&g.vol);
    free(g.ws);
    if (g.fd >= 0)
        close(g.fd);
    return ret;
}
