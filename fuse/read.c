/*
 * read.c - file data: OPEN, READ and RELEASE.
 *
 * A read needs the file's data stream opened by the core (ntx_stream, a
 * plain value). After OPEN it is in the open file's handle. With FUSE's
 * zero-message open there is no OPEN and no handle: the stream comes from
 * the stream cache here, a small table by node id, least recently used out.
 * Either way the stream remembers where it is in its runlist, so sequential
 * reads of a fragmented file stay linear.
 *
 * Reading. Plain data (non-resident, not compressed or encrypted) of a raw
 * image (ntx_host_raw_fd(): a plain file or block device, no container, no
 * shadow copy) takes the direct path: the core maps the range to runs on the image
 * (ntx_stream_map) under the lock, and the bytes then go from the image to
 * the kernel after the lock is released, without passing through this
 * process: libfuse splices them from the image's page cache to /dev/fuse
 * (in splice.c's workers, when there are any), one copy instead of two
 * (without SPLICE_MOVE: the image's pages are only read, never taken over),
 * and other requests run meanwhile. In a container (E01, VHDX, qcow2...),
 * a split set or a shadow copy the volume's bytes are not the file's: there
 * every read goes through the core and the image library, under the lock.
 * Holes, bytes past the initialized size, ranges over more than
 * NTXFS_READ_SEGS runs, mapping errors and all other data go through the
 * core's ntx_stream_read(), which also reports errors as they are.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "ntxfs.h"

typedef struct data_handle {
    ntx_stream s;
    bool mapped;              /* non-resident, not compressed or encrypted: the direct path */
} data_handle;

/* Open a node's data stream (the unnamed $DATA, or a stream node's), under g.lock. */
static int file_start(fuse_ino_t ino, void *handle)
{
    data_handle *h = handle;
    ntx_file f;
    const ntxfs_snode *sn;
    int r = ntxfs_node_open(ino, &f, &sn);
    if (r != 0)
        return r;
    ntx_err rc = sn != NULL ? ntx_stream_open(&h->s, &f, NTX_AT_DATA, sn->name, sn->name_len)
                            : ntx_stream_open(&h->s, &f, NTX_AT_DATA, NULL, 0);
    if (rc == NTX_E_NOT_FOUND && sn == NULL && ntxfs_is_dir(&f))
        rc = NTX_E_IS_DIR;
    if (rc != NTX_OK)
        return ntxfs_core_fail("open", rc);
    /* a WOF file's handle maps WofCompressedData: only the core decodes it */
    h->mapped = g.raw_fd >= 0 && !h->s.resident && h->s.cu_shift == 0 && h->s.wof_algorithm == 0 &&
                (h->s.flags & (NTX_ATTR_FLAG_COMPRESSED | NTX_ATTR_FLAG_ENCRYPTED)) == 0 &&
                !g.opt.no_direct;
    return 0;
}

/* ---- the stream cache: streams of files read without an open (under g.lock) ---- */

#define SCACHE_SLOTS 64

static struct {
    struct {
        fuse_ino_t ino;       /* 0: free */
        uint64_t used;        /* clock when last used */
        data_handle fh;
    } slot[SCACHE_SLOTS];
    uint64_t clock;
} scache;

void ntxfs_stream_cache_drop(fuse_ino_t ino)
{
    for (unsigned i = 0; i < SCACHE_SLOTS; i++)
        if (scache.slot[i].ino == ino)
            scache.slot[i].ino = 0;
}

/* The stream of node ino: cached, or opened in the least recently used slot. */
static int scache_get(fuse_ino_t ino, data_handle **out)
{
    unsigned victim = 0;
    for (unsigned i = 0; i < SCACHE_SLOTS; i++) {
        if (scache.slot[i].ino == ino) {
            scache.slot[i].used = ++scache.clock;
            *out = &scache.slot[i].fh;
            return 0;
        }
        if (scache.slot[i].used < scache.slot[victim].used)
            victim = i;
    }
    scache.slot[victim].ino = 0;
    int r = file_start(ino, &scache.slot[victim].fh);
    if (r != 0)
        return r;
    scache.slot[victim].ino = ino;
    scache.slot[victim].used = ++scache.clock;
    *out = &scache.slot[victim].fh;
    return 0;
}

/* ---- per-thread buffer for reads through the core ---- */

static pthread_key_t tbuf_key;
static pthread_once_t tbuf_once = PTHREAD_ONCE_INIT;

typedef struct tbuf {
    size_t cap;
    char data[];
} tbuf;

static void tbuf_init(void)
{
    (void)pthread_key_create(&tbuf_key, free);
}

static char *tbuf_get(size_t size)
{
    pthread_once(&tbuf_once, tbuf_init);
    tbuf *b = pthread_getspecific(tbuf_key);
    if (b == NULL || b->cap < size) {
        size_t cap = size < 131072 ? 131072 : size;
        tbuf *n = malloc(sizeof *n + cap);
        if (n == NULL)
            return NULL;
        n->cap = cap;
        free(b);
        b = n;
        pthread_setspecific(tbuf_key, b);
    }
    return b->data;
}

/* ---- reading ---- */

/*
 * The image ranges holding [off, off + size) of a plain stream, in v (n
 * buffers). False when the direct path cannot serve it: a hole, bytes past
 * the initialized size, more than NTXFS_READ_SEGS runs, a range outside the
 * image, a mapping error. Under g.lock.
 */
static bool map_direct(data_handle *h, size_t size, off_t off, ntxfs_read_vec *bv, size_t *count)
{
    struct fuse_bufvec *v = &bv->v;
    const ntx_stream *s = &h->s;
    unsigned shift = g.cluster_shift;
    uint64_t pos = (uint64_t)off, end = (uint64_t)off + size;
    size_t n = 0;
    if (!h->mapped)
        return false;
    if (end > s->size)
        end = s->size;
    if (end > s->init_size && pos < s->size)
        return false; /* zeros past the initialized size: the core knows */
    /* bound: pos grows by a run's part (>= 1 byte) each pass, or the loop ends */
    while (pos < end) {
        ntx_run run;
        if (ntx_stream_map(&h->s, pos >> shift, &run) != NTX_OK || run.lcn == NTX_LCN_HOLE ||
            run.len == 0)
            return false;
        uint64_t run_end = (run.vcn + run.len) << shift;
        uint64_t seg_end = run_end < end ? run_end : end;
        uint64_t phys = g.raw_offset + (run.lcn << shift) + (pos - (run.vcn << shift));
        uint64_t len = seg_end - pos;
        /* inside the volume and the file: a splice must never come back
         * short, the kernel would take that for the file's end */
        if (phys < g.raw_offset || phys + len > g.raw_end || phys + len < phys)
            return false;
        struct fuse_buf *last = n > 0 ? &v->buf[n - 1] : NULL;
        if (last != NULL && (uint64_t)last->pos + last->size == phys) {
            last->size += (size_t)len;
        } else if (n == NTXFS_READ_SEGS) {
            return false;
        } else {
            struct fuse_buf *b = &v->buf[n++];
            b->flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK | FUSE_BUF_FD_RETRY;
            b->fd = g.raw_fd;
            b->pos = (off_t)phys;
            b->size = (size_t)len;
        }
        pos = seg_end;
    }
    *count = n;
    return true;
}

/* Reply with [off, off + size) read through the core. Called with g.lock
 * held; releases it. */
static void read_core(fuse_req_t req, data_handle *h, size_t size, off_t off)
{
    char *buf = tbuf_get(size);
    size_t total = 0;
    ntx_err rc = NTX_OK;
    if (buf == NULL) {
        pthread_mutex_unlock(&g.lock);
        fuse_reply_err(req, ENOMEM);
        return;
    }
    /* bound: total grows by got > 0 each pass, up to size */
    while (total < size) {
        size_t got = 0;
        rc = ntx_stream_read(&h->s, (uint64_t)off + total, buf + total, size - total, &got);
        if (rc != NTX_OK || got == 0)
            break;
        total += got;
    }
    if (rc != NTX_OK)
        ntxfs_log_core("read", rc);
    pthread_mutex_unlock(&g.lock);
    if (rc != NTX_OK)
        fuse_reply_err(req, ntxfs_errno(rc)); /* never a short read that looks like the end */
    else
        fuse_reply_buf(req, buf, total);
}

void ntxfs_op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                   struct fuse_file_info *fi)
{
    data_handle *h = (data_handle *)(uintptr_t)fi->fh; /* NULL after a zero-message open */
    ntxfs_read_vec bv;
    size_t n = 0;
    memset(&bv, 0, sizeof bv);
    pthread_mutex_lock(&g.lock);
    if (h == NULL) {
        int r = scache_get(ino, &h);
        if (r != 0) {
            pthread_mutex_unlock(&g.lock);
            fuse_reply_err(req, -r);
            return;
        }
    }
    if (!map_direct(h, size, off, &bv, &n)) {
        read_core(req, h, size, off);
        return;
    }
    pthread_mutex_unlock(&g.lock);
    if (n == 0) {
        fuse_reply_buf(req, NULL, 0); /* at or past the end */
    } else {
        bv.v.count = n;
        if (!ntxfs_splice_submit(req, &bv))
            fuse_reply_data(req, &bv.v, 0);
    }
}

void ntxfs_op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC)) {
        fuse_reply_err(req, EROFS);
        return;
    }
    if (g.conn.no_open) {
        fuse_reply_err(req, ENOSYS); /* no OPEN/RELEASE from now on */
        return;
    }
    data_handle *h = ntxfs_handle_new(req, ino, sizeof *h, file_start);
    if (h != NULL)
        ntxfs_reply_open(req, fi, h);
}

void ntxfs_op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    (void)ino; /* never called with zero-message open */
    free((void *)(uintptr_t)fi->fh);
    fuse_reply_err(req, 0);
}
