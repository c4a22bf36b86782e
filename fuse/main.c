/*
 * main.c - ntxfs IMAGE MOUNTPOINT [options]: the image, the volume in it,
 * the mount and its loop (the options are options.c's).
 *
 * The image is opened by the ntx_host library (host/), as `ntx` opens it:
 * raw files and block devices, split raw sets, E01, VHD/VHDX, VMDK, qcow2,
 * the NTFS volume found on an MBR or GPT disk, a Volume Shadow Copy store
 * with -o vss=N. The library words every failure of the image, so ntx and
 * ntxfs say the same sentence about the same bad image. Everything that can
 * fail for a bad image is checked before the kernel mount, so a failure
 * leaves nothing mounted. Images are opened read-only and the kernel mount
 * is read-only: nothing can write to them.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "ntxfs.h"

ntxfs_state g;

/* ---- the image ---- */

static int die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
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

/* The library's options from ntxfs's, spelled as ntxfs takes them in the
 * library's messages. 0, or 1 after a message. */
static int host_options(const struct cli *c, ntx_host_options *ho)
{
    ntx_host_options_init(ho);
    ho->partition_option = "-o partition=N";
    ho->list_partitions = "`ntx partitions`";
    ho->vss_option = "-o vss=N";
    ho->list_vss = "`ntx vss`";
    if (c->partition < 0)
        return die("partition=%d: partitions are numbered from 1", c->partition);
    ho->partition = (uint32_t)c->partition;
    ho->vss_store = c->vss.given ? c->vss.value : 0;
    if (c->offset != NULL) {
        char *end;
        errno = 0;
        unsigned long long off = strtoull(c->offset, &end, 0);
        if (errno != 0 || *end != 0 || end == c->offset || c->offset[0] == '-')
            return die("offset=%s: not a number of bytes", c->offset);
        if (c->partition != 0)
            return die("give offset= or partition=, not both");
        ho->have_offset = true;
        ho->offset = off;
    }
    return 0;
}

/* The core could not mount what the library found: the core's words, where
 * it failed, and the container library's words for a failed read. */
static int mount_fail(ntx_err rc)
{
    const ntx_diag *d = &g.vol.diag;
    const char *io = rc == NTX_E_IO ? ntx_host_last_read_error(g.host) : "";
    char where[160] = "";
    if (d->err == rc && d->mft_no != UINT64_MAX)
        snprintf(where, sizeof where, " (check %u, MFT record %" PRIu64 ")", (unsigned)d->check,
                 d->mft_no);
    else if (d->err == rc && d->check != 0)
        snprintf(where, sizeof where, " (check %u)", (unsigned)d->check);
    return die("%s: cannot mount the NTFS volume at offset %" PRIu64 ": %s%s%s%s", g.image,
               ntx_host_describe(g.host)->volume_offset, ntx_strerror(rc), where,
               io[0] != 0 ? ": " : "", io);
}

static int open_image(const struct cli *c)
{
    ntx_host_options ho;
    ntx_host_error err;
    g.image = c->image;
    if (host_options(c, &ho) != 0)
        return 1;
    if (ntx_host_open(c->image, &ho, &g.host, &err) != NTX_HOST_OK ||
        ntx_host_select(g.host, &ho, &err) != NTX_HOST_OK)
        return die("%s: %s", c->image, err.message);
    const ntx_host_info *where = ntx_host_describe(g.host);
    ntx_io io = ntx_host_volume_io(g.host);

    /* Plain file data of a raw image is spliced from its descriptor
     * (read.c); the runs must lie inside the volume and inside the file,
     * as a splice must never come back short. */
    uint64_t raw_offset = 0;
    g.raw_fd = ntx_host_raw_fd(g.host, &raw_offset);
    g.raw_offset = raw_offset;
    g.raw_end = where->volume_offset + where->volume_size;
    if (g.raw_end > where->media_size || g.raw_end < where->volume_offset)
        g.raw_end = where->media_size;

    static uint8_t block[NTX_MAX_BLOCK_SIZE];
    ntx_geometry geo;
    ntx_err rc = ntx_volume_probe(&io, block, sizeof block, &geo, NULL);
    size_t ws_size = rc == NTX_OK ? ntx_workspace_size(&geo) : NTX_WORKSPACE_MAX;
    g.ws = aligned_alloc(64, (ws_size + 63) & ~(size_t)63);
    if (g.ws == NULL)
        return die("out of memory");
    rc = ntx_volume_mount(&g.vol, &io, g.ws, ws_size);
    if (rc != NTX_OK)
        return mount_fail(rc);
    g.mounted = true;
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
    g.raw_fd = -1;
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
    if (g.mounted)
        ntx_volume_unmount(&g.vol);
    ntx_host_close(g.host);
    free(g.ws);
    return ret;
}
