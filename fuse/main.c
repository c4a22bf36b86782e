/*
 * main.c - ntxfs IMAGE MOUNTPOINT [options]: the image, the volume in it,
 * the mount and its loop (the options are options.c's).
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
    rc = ntx_partition_iter_open(&it, &io, block, sizeof block);
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
        rc = ntx_partition_iter_next(&it, &p);
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
        if (ntxfs_splice_start(NTXFS_SPLICERS) != 0)
            fuse_log(FUSE_LOG_WARNING, NTXFS_NAME ": no splice workers; reading inline\n");
        ret = fuse_session_loop(se);
        ntxfs_splice_stop();
    }
    ret = ret != 0 ? 1 : 0;
    fuse_session_unmount(se);
out_signals:
    fuse_remove_signal_handlers(se);
out_session:
    fuse_session_destroy(se);
    return ret;
}

/* The mount point, as an absolute path in g.mnt_abs: 0, or 1 after a message. */
static int check_mount_point(const char *mountpoint)
{
    struct stat mst;
    g.mnt_abs = realpath(mountpoint, NULL);
    if (g.mnt_abs == NULL || stat(g.mnt_abs, &mst) != 0)
        return die("bad mount point `%s': %s", mountpoint, strerror(errno));
    if (!S_ISDIR(mst.st_mode))
        return die("bad mount point `%s': not a directory", mountpoint);
    return 0;
}

int main(int argc, char *argv[])
{
    struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
    struct fuse_cmdline_opts opts;
    struct cli c;

    memset(&c, 0, sizeof c);
    memset(&opts, 0, sizeof opts);
    g.fd = -1;
    pthread_mutex_init(&g.lock, NULL);
    int ret = ntxfs_parse_args(&args, &c, &opts);
    /* The mount point first (cheap), then the image. */
    if (ret == NTXFS_GO_ON)
        ret = check_mount_point(opts.mountpoint) != 0 || open_image(&c) != 0
                  ? 1
                  : serve(&c, &args, &opts);
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
