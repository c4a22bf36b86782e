/*
 * ops.c - the libfuse low-level operations of ntxfs.
 *
 * Node ids. A file's node id is derived from its MFT reference, so ntxfs
 * keeps no table of files and the kernel's forget needs no work:
 *   the root (MFT record 5)          -> FUSE_ROOT_ID (1)
 *   record r with sequence number s  -> ((r << 16) | s) + 2   (never 0 or 1)
 * st_ino is the MFT record number, as ntfs-3g reports it. Hard links share
 * one node. A named stream opened as FILE:NAME (streams_interface=windows)
 * has a node of its own, kept in a small table with the kernel's lookup
 * count: id = NODE_STREAM | slot.
 *
 * Caching. The image never changes under the mount, so entries, attributes
 * and negative lookups are cached by the kernel for g.opt.timeout seconds, file
 * data is kept across opens (keep_cache), directories are cached
 * (cache_readdir), and so are link targets (FUSE_CAP_CACHE_SYMLINKS).
 *
 * Round trips. Most of a mount's time goes into requests and the thread
 * switches they cause, not into the core (perf: under 2 % of the daemon's
 * time is ntx code during ls -l), so ntxfs saves requests: READDIRPLUS
 * always (ls -l needs no LOOKUP per file), and FUSE's zero-message open and
 * opendir (no OPEN/RELEASE per file, no OPENDIR/RELEASEDIR per directory).
 *
 * Directories are listed in pieces: a listing keeps the core's iterator (a
 * plain value) and the offset it has reached, in the open directory's handle
 * or, with zero-message opendir, in a small cache keyed by (directory,
 * offset), so each READDIR continues where the last one stopped. Only an
 * offset before the one reached (a seekdir backwards) restarts the walk.
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "ntxfs.h"

/* Stream nodes have the top bit set; file nodes never do: the core refuses
 * record numbers beyond the $MFT, and 2^46 records would take 2^56 bytes. */
#define NODE_STREAM (1ull << 63)

static fuse_ino_t ref_to_ino(uint64_t ref)
{
    uint64_t mft = NTX_REF_MFT(ref);
    if (mft == NTX_MFT_ROOT)
        return FUSE_ROOT_ID;
    return (fuse_ino_t)(((mft << 16) | NTX_REF_SEQ(ref)) + 2u);
}

static uint64_t ino_to_ref(fuse_ino_t ino)
{
    if (ino == FUSE_ROOT_ID)
        return NTX_REF(NTX_MFT_ROOT, NTX_SEQ_ANY);
    uint64_t x = (uint64_t)ino - 2u;
    return NTX_REF(x >> 16, x & 0xFFFFu);
}

/* ---- stream nodes (streams_interface=windows) ---- */

#define SNODE_BUCKETS 1024u

static uint32_t snode_hash(uint64_t ref, const uint16_t *name, size_t n)
{
    uint32_t h = 2166136261u;
    for (int i = 0; i < 8; i++)
        h = (h ^ (uint8_t)(ref >> (8 * i))) * 16777619u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ name[i]) * 16777619u;
    return h;
}

/* Find or make the node of stream name of file ref; one more kernel reference. */
static ntxfs_snode *snode_get(uint64_t ref, const uint16_t *name, size_t n)
{
    uint32_t h = snode_hash(ref, name, n);
    if (g.snode_hash == NULL) {
        g.snode_hash = calloc(SNODE_BUCKETS, sizeof *g.snode_hash);
        if (g.snode_hash == NULL)
            return NULL;
    }
    ntxfs_snode **b = &g.snode_hash[h % SNODE_BUCKETS];
    for (ntxfs_snode *s = *b; s != NULL; s = s->next)
        if (s->hash == h && s->ref == ref && s->name_len == n &&
            memcmp(s->name, name, n * sizeof *name) == 0) {
            s->nlookup++;
            return s;
        }
    ntxfs_snode *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    if (g.snode_free_len > 0) {
        s->id = g.snode_free[--g.snode_free_len];
    } else {
        if (g.snodes_len == g.snodes_cap) {
            size_t cap = g.snodes_cap ? 2 * g.snodes_cap : 64;
            ntxfs_snode **v = realloc(g.snodes, cap * sizeof *v);
            uint64_t *fr = realloc(g.snode_free, cap * sizeof *fr);
            if (v != NULL)
                g.snodes = v;
            if (fr != NULL)
                g.snode_free = fr;
            if (v == NULL || fr == NULL) {
                free(s);
                return NULL;
            }
            g.snodes_cap = cap;
        }
        s->id = g.snodes_len++;
    }
    s->ref = ref;
    s->hash = h;
    s->name_len = (uint16_t)n;
    memcpy(s->name, name, n * sizeof *name);
    s->nlookup = 1;
    s->next = *b;
    *b = s;
    g.snodes[s->id] = s;
    return s;
}

static ntxfs_snode *snode_of(fuse_ino_t ino)
{
    uint64_t id = (uint64_t)ino & ~NODE_STREAM;
    return id < g.snodes_len ? g.snodes[id] : NULL;
}

static void scache_drop(fuse_ino_t ino);

static void snode_forget(fuse_ino_t ino, uint64_t n)
{
    ntxfs_snode *s = snode_of(ino);
    if (s == NULL)
        return;
    s->nlookup = n >= s->nlookup ? 0 : s->nlookup - n;
    if (s->nlookup != 0)
        return;
    ntxfs_snode **p = &g.snode_hash[s->hash % SNODE_BUCKETS];
    while (*p != s)
        p = &(*p)->next;
    *p = s->next;
    g.snodes[s->id] = NULL;
    scache_drop(ino); /* the id will name another stream */
    g.snode_free[g.snode_free_len++] = s->id;
    free(s);
}

/* Open the file behind a node (its file for a stream node). */
static int node_open(fuse_ino_t ino, ntx_file *f, ntxfs_snode **sn)
{
    *sn = NULL;
    if ((uint64_t)ino & NODE_STREAM) {
        *sn = snode_of(ino);
        if (*sn == NULL)
            return -ESTALE;
        return ntxfs_open_ref((*sn)->ref, f);
    }
    return ntxfs_open_ref(ino_to_ref(ino), f);
}

/* ---- per-thread buffer for reads ---- */

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

/* ---- names ---- */

/* A name from the kernel to UTF-16 (lossless: every name listed can be
 * looked up again). -ENOENT for bytes no NTFS name can have. */
static int name_to_utf16(const char *name, size_t len, uint16_t *u, size_t *n)
{
    ntx_err rc = ntx_utf8_to_utf16(name, len, u, NTX_NAME_MAX, n, NTX_UTF16_WTF8);
    if (rc == NTX_E_NAME_TOO_LONG)
        return -ENAMETOOLONG;
    return rc == NTX_OK ? 0 : -ENOENT;
}

/* Look name up in dir: case-sensitive as ntfs-3g (a POSIX-namespace volume
 * holds Case.txt and case.txt side by side), unless -o ignore_case. */
static int dir_lookup(const ntx_file *dir, const uint16_t *u, size_t n, ntx_dirent *e)
{
    ntx_err rc = ntx_dir_lookup(dir, u, n, e);
    if (rc == NTX_OK && !g.opt.ignore_case &&
        (e->name_len != n || memcmp(e->name, u, n * sizeof *u) != 0))
        rc = NTX_E_NOT_FOUND;
    if (rc != NTX_OK && rc != NTX_E_NOT_FOUND)
        ntxfs_log_core("lookup", rc);
    return rc == NTX_OK ? 0 : -ntxfs_errno(rc);
}

static void entry_init(struct fuse_entry_param *e)
{
    memset(e, 0, sizeof *e);
    e->attr_timeout = g.opt.timeout;
    e->entry_timeout = g.opt.timeout;
}

/* ---- operations ---- */

static void op_init(void *userdata, struct fuse_conn_info *conn)
{
    (void)userdata;
    if (conn->capable & FUSE_CAP_CACHE_SYMLINKS)
        conn->want |= FUSE_CAP_CACHE_SYMLINKS;
    if (conn->capable & FUSE_CAP_SPLICE_WRITE)
        conn->want |= FUSE_CAP_SPLICE_WRITE;
    conn->want &= ~(unsigned)FUSE_CAP_AUTO_INVAL_DATA; /* nothing ever changes */
    /* Always READDIRPLUS, not the kernel's "auto" choice: ls -l reads a whole
     * directory before it stats anything, so "auto" would list most entries
     * plainly and then look each one up (a round trip per file). */
    if (conn->capable & FUSE_CAP_READDIRPLUS) {
        conn->want |= FUSE_CAP_READDIRPLUS;
        conn->want &= ~(unsigned)FUSE_CAP_READDIRPLUS_AUTO;
    }
    /* Files need no open: the first open answers ENOSYS and the kernel stops
     * sending OPEN and RELEASE (two round trips per file), keeping the page
     * cache as with keep_cache. Reads then find their stream in g.scache. */
    g.no_open = (conn->capable & FUSE_CAP_NO_OPEN_SUPPORT) != 0 && !g.opt.no_zero_open;
    /* Directories likewise (see dcache below): two round trips fewer per
     * directory, which is what find(1) mostly does. */
    g.no_opendir = (conn->capable & FUSE_CAP_NO_OPENDIR_SUPPORT) != 0 && !g.opt.no_zero_open;
    /* libfuse derives the kernel's max_pages (the largest read request) from
     * max_write: up to 1 MiB per request instead of 128 KiB. */
    conn->max_write = 1u << 20;
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    struct fuse_entry_param e;
    uint16_t u[NTX_NAME_MAX];
    size_t n;
    ntx_file dir, f;
    ntx_dirent de;
    ntxfs_snode *sn;
    entry_init(&e);
    if ((uint64_t)parent & NODE_STREAM) {
        fuse_reply_err(req, ENOTDIR);
        return;
    }
    int conv = name_to_utf16(name, strlen(name), u, &n);
    const char *colon = g.opt.streams == NTXFS_STREAMS_WINDOWS ? strchr(name, ':') : NULL;
    pthread_mutex_lock(&g.lock);
    int r = node_open(parent, &dir, &sn);
    if (r == 0)
        r = conv != 0 ? conv : dir_lookup(&dir, u, n, &de);
    if (r == 0) {
        r = ntxfs_open_ref(de.mft_ref, &f);
        if (r == 0)
            r = ntxfs_stat_file(&f, &e.attr);
        if (r == 0)
            e.ino = ref_to_ino(de.mft_ref);
    } else if ((r == -ENOENT || r == -ENAMETOOLONG) && colon != NULL) {
        /* FILE:STREAM (streams_interface=windows); a real name with ':' wins above. */
        uint16_t su[NTX_NAME_MAX];
        size_t sn_len = 0;
        r = name_to_utf16(name, (size_t)(colon - name), u, &n);
        if (r == 0 && colon[1] != 0)
            r = name_to_utf16(colon + 1, strlen(colon + 1), su, &sn_len);
        if (r == 0)
            r = dir_lookup(&dir, u, n, &de);
        if (r == 0)
            r = ntxfs_open_ref(de.mft_ref, &f);
        if (r == 0 && sn_len == 0) {
            r = ntxfs_stat_file(&f, &e.attr); /* "FILE:" is FILE, as in ntfs-3g */
            if (r == 0)
                e.ino = ref_to_ino(de.mft_ref);
        } else if (r == 0) {
            ntx_stream s;
            ntx_err rc = ntx_stream_open(&f, NTX_AT_DATA, su, sn_len, &s);
            if (rc == NTX_OK && !g.opt.ignore_case &&
                (s.name_len != sn_len || memcmp(s.name, su, sn_len * sizeof *su) != 0))
                rc = NTX_E_NOT_FOUND;
            if (rc == NTX_E_IS_DIR)
                rc = NTX_E_NOT_FOUND;
            r = rc == NTX_OK ? ntxfs_stat_stream(&f, su, sn_len, &e.attr) : -ntxfs_errno(rc);
            if (r == 0) {
                ntxfs_snode *s2 = snode_get(NTX_REF(f.mft_no, f.seq), su, sn_len);
                if (s2 == NULL)
                    r = -ENOMEM;
                else
                    e.ino = NODE_STREAM | s2->id;
            }
        }
    }
    pthread_mutex_unlock(&g.lock);
    if (r == -ENOENT) {
        e.ino = 0; /* a negative entry, cached as long as a positive one */
        fuse_reply_entry(req, &e);
    } else if (r != 0) {
        fuse_reply_err(req, -r);
    } else if (fuse_reply_entry(req, &e) != 0 && ((uint64_t)e.ino & NODE_STREAM)) {
        pthread_mutex_lock(&g.lock);
        snode_forget(e.ino, 1);
        pthread_mutex_unlock(&g.lock);
    }
}

static void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
    if ((uint64_t)ino & NODE_STREAM) {
        pthread_mutex_lock(&g.lock);
        snode_forget(ino, nlookup);
        pthread_mutex_unlock(&g.lock);
    }
    fuse_reply_none(req);
}

static void op_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
    bool any = false;
    for (size_t i = 0; i < count && !any; i++)
        any = ((uint64_t)forgets[i].ino & NODE_STREAM) != 0;
    if (any) {
        pthread_mutex_lock(&g.lock);
        for (size_t i = 0; i < count; i++)
            if ((uint64_t)forgets[i].ino & NODE_STREAM)
                snode_forget(forgets[i].ino, forgets[i].nlookup);
        pthread_mutex_unlock(&g.lock);
    }
    fuse_reply_none(req);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    struct stat st;
    ntx_file f;
    ntxfs_snode *sn;
    (void)fi;
    pthread_mutex_lock(&g.lock);
    int r = node_open(ino, &f, &sn);
    if (r == 0)
        r = sn != NULL ? ntxfs_stat_stream(&f, sn->name, sn->name_len, &st)
                       : ntxfs_stat_file(&f, &st);
    pthread_mutex_unlock(&g.lock);
    if (r != 0)
        fuse_reply_err(req, -r);
    else
        fuse_reply_attr(req, &st, g.opt.timeout);
}

static void op_readlink(fuse_req_t req, fuse_ino_t ino)
{
    static char target[NTXFS_LINK_MAX]; /* used under g.lock only */
    char *copy = NULL;
    ntx_file f;
    ntxfs_snode *sn;
    size_t len = 0;
    pthread_mutex_lock(&g.lock);
    int r = node_open(ino, &f, &sn);
    if (r == 0 && sn != NULL)
        r = -EINVAL;
    if (r == 0)
        r = ntxfs_link_target(&f, target, sizeof target, &len);
    if (r == 0 && (copy = strndup(target, len)) == NULL)
        r = -ENOMEM;
    pthread_mutex_unlock(&g.lock);
    if (r != 0)
        fuse_reply_err(req, -r);
    else
        fuse_reply_readlink(req, copy);
    free(copy);
}

typedef struct ntxfs_fh {
    ntx_stream s;
    bool mapped;              /* non-resident, not compressed or encrypted: see read_direct */
} ntxfs_fh;

/* Open a node's data stream (the unnamed $DATA, or a stream node's). */
static int fh_open(fuse_ino_t ino, void *handle)
{
    ntxfs_fh *h = handle;
    ntx_file f;
    ntxfs_snode *sn;
    int r = node_open(ino, &f, &sn);
    if (r != 0)
        return r;
    ntx_err rc = sn != NULL ? ntx_stream_open(&f, NTX_AT_DATA, sn->name, sn->name_len, &h->s)
                            : ntx_stream_open(&f, NTX_AT_DATA, NULL, 0, &h->s);
    if (rc == NTX_E_NOT_FOUND && sn == NULL && (f.rec_flags & 0x0002u))
        rc = NTX_E_IS_DIR;
    if (rc != NTX_OK) {
        ntxfs_log_core("open", rc);
        return -ntxfs_errno(rc);
    }
    h->mapped = !h->s.resident && h->s.cu_shift == 0 &&
                (h->s.flags & (NTX_ATTR_FLAG_COMPRESSED | NTX_ATTR_FLAG_ENCRYPTED)) == 0 &&
                !g.opt.no_direct;
    return 0;
}

/*
 * Streams of files read without an open (zero-message open): a small cache
 * by node id, least recently used out. A stream handle remembers where it
 * is in its runlist, so sequential reads of a fragmented file stay linear.
 */
#define SCACHE_SLOTS 64

static struct {
    fuse_ino_t ino;           /* 0: free */
    uint64_t used;
    ntxfs_fh fh;
} scache[SCACHE_SLOTS];
static uint64_t scache_clock;

static void scache_drop(fuse_ino_t ino)
{
    for (unsigned i = 0; i < SCACHE_SLOTS; i++)
        if (scache[i].ino == ino)
            scache[i].ino = 0;
}

static int scache_get(fuse_ino_t ino, ntxfs_fh **out)
{
    unsigned victim = 0;
    for (unsigned i = 0; i < SCACHE_SLOTS; i++) {
        if (scache[i].ino == ino) {
            scache[i].used = ++scache_clock;
            *out = &scache[i].fh;
            return 0;
        }
        if (scache[i].used < scache[victim].used)
            victim = i;
    }
    scache[victim].ino = 0;
    int r = fh_open(ino, &scache[victim].fh);
    if (r != 0)
        return r;
    scache[victim].ino = ino;
    scache[victim].used = ++scache_clock;
    *out = &scache[victim].fh;
    return 0;
}

/*
 * A new file or directory handle of size bytes, zeroed, set up by start()
 * under the lock. Replies the error and returns NULL when it cannot be.
 */
static void *handle_new(fuse_req_t req, fuse_ino_t ino, size_t size,
                        int (*start)(fuse_ino_t ino, void *h))
{
    void *h = calloc(1, size);
    if (h == NULL) {
        fuse_reply_err(req, ENOMEM);
        return NULL;
    }
    pthread_mutex_lock(&g.lock);
    int r = start(ino, h);
    pthread_mutex_unlock(&g.lock);
    if (r != 0) {
        free(h);
        fuse_reply_err(req, -r);
        return NULL;
    }
    return h;
}

/* Hands the handle to the kernel; it is freed if the reply fails (no
 * RELEASE will come for it then). */
static void reply_open_handle(fuse_req_t req, struct fuse_file_info *fi, void *h)
{
    fi->fh = (uint64_t)(uintptr_t)h;
    fi->keep_cache = 1;
    if (fuse_reply_open(req, fi) != 0)
        free(h);
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC)) {
        fuse_reply_err(req, EROFS);
        return;
    }
    if (g.no_open) {
        fuse_reply_err(req, ENOSYS); /* no OPEN/RELEASE from now on */
        return;
    }
    ntxfs_fh *h = handle_new(req, ino, sizeof *h, fh_open);
    if (h != NULL)
        reply_open_handle(req, fi, h);
}

/*
 * The splice pool (the default threading, see main.c): one thread receives
 * and answers every request, holding g.lock alone, so metadata requests cost
 * no hand-over between threads; only the copying of plain file data from the
 * image, which may wait for the disk, is handed to a few workers, so that the
 * kernel's read-ahead requests overlap.
 */
#define READ_SEGS 16

/* A fuse_bufvec of READ_SEGS buffers (libfuse declares its array buf[1]). */
typedef union read_vec {
    struct fuse_bufvec v;
    char room[sizeof(struct fuse_bufvec) + (READ_SEGS - 1) * sizeof(struct fuse_buf)];
} read_vec;

typedef struct splice_job {
    fuse_req_t req;
    read_vec bv;
    struct splice_job *next;
} splice_job;

static struct {
    pthread_mutex_t lock;
    pthread_cond_t cv;
    splice_job *head, *tail;
    bool stop;
    unsigned nthreads;
    pthread_t threads[16];
} pool = { .lock = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

static void *splice_worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&pool.lock);
    /* bound: runs until ntxfs_pool_stop() and the queue is empty */
    for (;;) {
        while (pool.head == NULL && !pool.stop)
            pthread_cond_wait(&pool.cv, &pool.lock);
        splice_job *j = pool.head;
        if (j == NULL)
            break;
        pool.head = j->next;
        if (pool.head == NULL)
            pool.tail = NULL;
        pthread_mutex_unlock(&pool.lock);
        fuse_reply_data(j->req, &j->bv.v, 0);
        free(j);
        pthread_mutex_lock(&pool.lock);
    }
    pthread_mutex_unlock(&pool.lock);
    return NULL;
}

int ntxfs_pool_start(unsigned n)
{
    if (n > sizeof pool.threads / sizeof *pool.threads)
        n = sizeof pool.threads / sizeof *pool.threads;
    for (pool.nthreads = 0; pool.nthreads < n; pool.nthreads++)
        if (pthread_create(&pool.threads[pool.nthreads], NULL, splice_worker, NULL) != 0)
            return -1;
    return 0;
}

void ntxfs_pool_stop(void)
{
    pthread_mutex_lock(&pool.lock);
    pool.stop = true;
    pthread_cond_broadcast(&pool.cv);
    pthread_mutex_unlock(&pool.lock);
    for (unsigned i = 0; i < pool.nthreads; i++)
        pthread_join(pool.threads[i], NULL);
    pool.nthreads = 0;
}

/* Hand a reply to the pool; false if there is none (or no memory): the
 * caller replies itself. */
static bool splice_pool_submit(fuse_req_t req, const read_vec *v)
{
    if (pool.nthreads == 0)
        return false;
    splice_job *j = malloc(sizeof *j);
    if (j == NULL)
        return false;
    j->req = req;
    memcpy(&j->bv, v, sizeof j->bv);
    j->next = NULL;
    pthread_mutex_lock(&pool.lock);
    if (pool.tail != NULL)
        pool.tail->next = j;
    else
        pool.head = j;
    pool.tail = j;
    pthread_cond_signal(&pool.cv);
    pthread_mutex_unlock(&pool.lock);
    return true;
}

/*
 * Reading. Plain data (non-resident, not compressed or encrypted) takes the
 * direct path: the core maps the range to runs on the image
 * (ntx_stream_map) under the lock, and the bytes then go from the image to
 * the kernel after the lock is released, without passing through this
 * process: libfuse splices them from the image's page cache to /dev/fuse,
 * one copy instead of two (without SPLICE_MOVE: the image's pages are only
 * read, never taken over), and other requests run meanwhile. Holes, bytes
 * past the initialized size, ranges over more than READ_SEGS runs, mapping
 * errors and all other data go through the core's ntx_stream_read(), which
 * also reports errors as they are.
 *
 * h is the open file's handle, or NULL after a zero-message open (the stream
 * then comes from the stream cache). Called with g.lock held; releases it.
 */
static void read_locked(fuse_req_t req, fuse_ino_t ino, ntxfs_fh *h, size_t size, off_t off)
{
    read_vec bv;
    struct fuse_bufvec *v = &bv.v;
    unsigned shift = g.cluster_shift;
    uint64_t pos = (uint64_t)off, end = (uint64_t)off + size;
    /* the volume's end, or the image's if it is cut short: a splice must
     * never come back short, the kernel would take that for the file's end */
    uint64_t vol_end = g.vol_offset + g.vol_size;
    if (vol_end > g.dev_size)
        vol_end = g.dev_size;
    size_t n = 0;
    ntx_err rc = NTX_OK;
    memset(&bv, 0, sizeof bv);
    if (h == NULL) {
        int r = scache_get(ino, &h);
        if (r != 0) {
            pthread_mutex_unlock(&g.lock);
            fuse_reply_err(req, -r);
            return;
        }
    }
    const ntx_stream *s = &h->s;
    bool ok = h->mapped;
    if (end > s->size)
        end = s->size;
    if (end > s->init_size && pos < s->size)
        ok = false; /* zeros past the initialized size: the core knows */
    /* bound: pos grows by a run's part (>= 1 byte) each pass, or the loop ends */
    while (ok && pos < end) {
        ntx_run run;
        if (ntx_stream_map(&h->s, pos >> shift, &run) != NTX_OK || run.lcn == NTX_LCN_HOLE ||
            run.len == 0) {
            ok = false;
            break;
        }
        uint64_t run_end = (run.vcn + run.len) << shift;
        uint64_t seg_end = run_end < end ? run_end : end;
        uint64_t phys = g.vol_offset + (run.lcn << shift) + (pos - (run.vcn << shift));
        uint64_t len = seg_end - pos;
        if (phys < g.vol_offset || phys + len > vol_end || phys + len < phys) {
            ok = false;
            break;
        }
        struct fuse_buf *last = n > 0 ? &v->buf[n - 1] : NULL;
        if (last != NULL && (uint64_t)last->pos + last->size == phys) {
            last->size += (size_t)len;
        } else if (n == READ_SEGS) {
            ok = false;
        } else {
            struct fuse_buf *b = &v->buf[n++];
            b->flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK | FUSE_BUF_FD_RETRY;
            b->fd = g.fd;
            b->pos = (off_t)phys;
            b->size = (size_t)len;
        }
        pos = seg_end;
    }
    if (ok) {
        pthread_mutex_unlock(&g.lock);
        if (n == 0) {
            fuse_reply_buf(req, NULL, 0); /* at or past the end */
        } else {
            v->count = n;
            if (!splice_pool_submit(req, &bv))
                fuse_reply_data(req, v, 0);
        }
        return;
    }

    /* Through the core, still under the lock. */
    char *buf = tbuf_get(size);
    size_t total = 0;
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

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                    struct fuse_file_info *fi)
{
    pthread_mutex_lock(&g.lock);
    read_locked(req, ino, (ntxfs_fh *)(uintptr_t)fi->fh, size, off);
}

static void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    (void)ino; /* never called with zero-message open */
    free((void *)(uintptr_t)fi->fh);
    fuse_reply_err(req, 0);
}

/* ---- directories ---- */

typedef struct dir_handle {
    ntx_dir_iter it;
    uint64_t self_ref, parent_ref;
    off_t pos;                /* entries produced so far: "." is 0, ".." 1, then the index */
    bool have_pending;        /* an entry taken from the iterator that did not fit */
    ntx_dirent pending;
    bool at_end;
} dir_handle;

/* Open directory ino into h (under g.lock). */
static int dir_start(fuse_ino_t ino, void *handle)
{
    dir_handle *h = handle;
    ntx_file f;
    ntxfs_snode *sn;
    ntx_stat ns;
    int r = node_open(ino, &f, &sn);
    if (r == 0 && sn != NULL)
        r = -ENOTDIR;
    if (r != 0)
        return r;
    ntx_err rc = ntx_file_stat(&f, &ns);
    if (rc == NTX_OK)
        rc = ntx_dir_open(&h->it, &f, NTX_DIR_SKIP_DOS | NTX_DIR_SKIP_SELF);
    if (rc != NTX_OK) {
        ntxfs_log_core("open directory", rc);
        return -ntxfs_errno(rc);
    }
    h->self_ref = NTX_REF(f.mft_no, f.seq);
    h->parent_ref = f.mft_no == NTX_MFT_ROOT ? h->self_ref : ns.parent_ref;
    h->pos = 0;
    h->have_pending = false;
    h->at_end = false;
    return 0;
}

static void op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    if (g.no_opendir) {
        fuse_reply_err(req, ENOSYS); /* no OPENDIR/RELEASEDIR from now on */
        return;
    }
    dir_handle *h = handle_new(req, ino, sizeof *h, dir_start);
    if (h == NULL)
        return;
    fi->cache_readdir = 1;
    reply_open_handle(req, fi, h);
}

/*
 * Listings without an open (zero-message opendir): the kernel sends READDIR
 * with the offset reached so far, and the iterator that reached it waits
 * here, keyed by (directory, offset). A listing that continues finds it; a
 * reader at another offset starts from the nearest earlier one, or afresh.
 */
#define DCACHE_SLOTS 32

static struct {
    fuse_ino_t ino;           /* 0: free */
    uint64_t used;
    dir_handle *h;
} dcache[DCACHE_SLOTS];
static uint64_t dcache_clock;

/* A handle for listing ino from off: taken out of the cache, or new. */
static dir_handle *dcache_take(fuse_ino_t ino, off_t off, int *err)
{
    int best = -1;
    for (int i = 0; i < DCACHE_SLOTS; i++)
        if (dcache[i].ino == ino && dcache[i].h->pos <= off &&
            (best < 0 || dcache[i].h->pos > dcache[best].h->pos))
            best = i;
    if (best >= 0) {
        dir_handle *h = dcache[best].h;
        dcache[best].ino = 0;
        dcache[best].h = NULL;
        return h;
    }
    dir_handle *h = calloc(1, sizeof *h);
    *err = h == NULL ? -ENOMEM : dir_start(ino, h);
    if (*err != 0) {
        free(h);
        return NULL;
    }
    return h;
}

static void dcache_put(fuse_ino_t ino, dir_handle *h)
{
    int victim = 0;
    for (int i = 0; i < DCACHE_SLOTS; i++) {
        if (dcache[i].ino == 0) {
            victim = i;
            break;
        }
        if (dcache[i].used < dcache[victim].used)
            victim = i;
    }
    free(dcache[victim].h);
    dcache[victim].ino = ino;
    dcache[victim].h = h;
    dcache[victim].used = ++dcache_clock;
}

/* Entries the listing leaves out: system files unless show_sys_files,
 * HIDDEN ones with hide_hid_files. */
static bool dir_hidden(const ntx_dirent *e)
{
    if (!g.opt.show_sys && NTX_REF_MFT(e->mft_ref) < NTX_MFT_FIRST_USER)
        return true;
    return g.opt.hide_hid && (e->file_attrs & NTX_FA_HIDDEN) != 0;
}

/* The next index entry to show, or 1 at the end. */
static int dir_next(dir_handle *h, ntx_dirent *e)
{
    if (h->have_pending) {
        *e = h->pending;
        h->have_pending = false;
        return 0;
    }
    if (h->at_end)
        return 1;
    /* bound: the iterator's own step budget */
    for (;;) {
        ntx_err rc = ntx_dir_next(&h->it, e);
        if (rc == NTX_END) {
            h->at_end = true;
            return 1;
        }
        if (rc != NTX_OK) {
            ntxfs_log_core("list directory", rc);
            return -ntxfs_errno(rc);
        }
        if (!dir_hidden(e))
            return 0;
    }
}

static int dir_rewind(dir_handle *h, fuse_ino_t ino)
{
    return dir_start(ino, h);
}

static unsigned dirent_type(const ntx_dirent *e)
{
    if (e->file_attrs & NTX_FA_REPARSE)
        return DT_LNK; /* as ntfs-3g: junctions and directory links too */
    if (e->is_dir)
        return DT_DIR;
    /* a SYSTEM file may be an Interix link, FIFO or device: let the caller stat it */
    return (e->file_attrs & NTX_FA_SYSTEM) ? DT_UNKNOWN : DT_REG;
}

static void do_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                       struct fuse_file_info *fi, bool plus)
{
    dir_handle *h = (dir_handle *)(uintptr_t)fi->fh;
    bool cached = h == NULL; /* zero-message opendir */
    char *buf = malloc(size);
    size_t used = 0;
    int r = 0;
    if (buf == NULL) {
        fuse_reply_err(req, ENOMEM);
        return;
    }
    pthread_mutex_lock(&g.lock);
    if (cached)
        h = dcache_take(ino, off, &r);
    else if (off < h->pos)
        r = dir_rewind(h, ino);
    /* bound: each pass produces one entry, or ends */
    while (r == 0) {
        struct fuse_entry_param e;
        char name[3 * NTX_NAME_MAX + 1];
        ntx_dirent de;
        entry_init(&e);
        if (h->pos == 0 || h->pos == 1) {
            strcpy(name, h->pos == 0 ? "." : "..");
            e.attr.st_ino = (ino_t)NTX_REF_MFT(h->pos == 0 ? h->self_ref : h->parent_ref);
            e.attr.st_mode = S_IFDIR;
        } else {
            int k = dir_next(h, &de);
            if (k != 0) {
                r = k < 0 ? k : 0;
                break;
            }
            size_t n = 0;
            if (ntx_utf16_to_utf8(de.name, de.name_len, name, sizeof name, &n, NTX_UTF16_WTF8) !=
                NTX_OK)
                continue; /* cannot happen in lossless mode */
            e.attr.st_ino = (ino_t)NTX_REF_MFT(de.mft_ref);
            e.attr.st_mode = (mode_t)(dirent_type(&de) << 12);
            if (h->pos < off) { /* skipping to the offset asked for */
                h->pos++;
                continue;
            }
            if (plus) {
                ntx_file f;
                struct stat brief = e.attr;
                if (ntx_file_open_ref(&g.vol, de.mft_ref, &f) == NTX_OK &&
                    ntxfs_stat_file(&f, &e.attr) == 0) {
                    e.ino = ref_to_ino(de.mft_ref);
                } else {
                    e.attr = brief; /* listed; the kernel will look it up (and fail) itself */
                    e.ino = 0;
                }
            }
        }
        if (h->pos < off) {
            h->pos++;
            continue;
        }
        size_t need = plus ? fuse_add_direntry_plus(req, buf + used, size - used, name, &e,
                                                    h->pos + 1)
                           : fuse_add_direntry(req, buf + used, size - used, name, &e.attr,
                                               h->pos + 1);
        if (need > size - used) {
            if (h->pos >= 2) {
                h->pending = de;
                h->have_pending = true;
            }
            break;
        }
        used += need;
        h->pos++;
    }
    if (cached && h != NULL) {
        if (r == 0)
            dcache_put(ino, h);
        else
            free(h);
    }
    pthread_mutex_unlock(&g.lock);
    if (r != 0 && used == 0)
        fuse_reply_err(req, -r);
    else
        fuse_reply_buf(req, buf, used);
    free(buf);
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                       struct fuse_file_info *fi)
{
    do_readdir(req, ino, size, off, fi, false);
}

static void op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                           struct fuse_file_info *fi)
{
    do_readdir(req, ino, size, off, fi, true);
}

static void op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    (void)ino;
    free((void *)(uintptr_t)fi->fh);
    fuse_reply_err(req, 0);
}

static void op_statfs(fuse_req_t req, fuse_ino_t ino)
{
    struct statvfs sv;
    (void)ino;
    pthread_mutex_lock(&g.lock);
    int r = ntxfs_statfs(&sv);
    pthread_mutex_unlock(&g.lock);
    if (r != 0)
        fuse_reply_err(req, -r);
    else
        fuse_reply_statfs(req, &sv);
}

/* ---- extended attributes ---- */

/*
 * GETXATTR and LISTXATTR: size 0 asks for the length the value or list needs;
 * otherwise it is the caller's buffer. get() fills buf under the lock (buf is
 * NULL when size is 0) and sets len.
 */
typedef int (*xattr_get_fn)(const ntx_file *f, bool is_stream, const char *name, char *buf,
                            size_t size, size_t *len);

static void xattr_reply(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size,
                        xattr_get_fn get)
{
    ntx_file f;
    ntxfs_snode *sn;
    size_t len = 0;
    char *buf = NULL;
    if (size > 0 && (buf = malloc(size)) == NULL) {
        fuse_reply_err(req, ENOMEM);
        return;
    }
    pthread_mutex_lock(&g.lock);
    int r = node_open(ino, &f, &sn);
    if (r == 0)
        r = get(&f, sn != NULL, name, buf, size, &len);
    pthread_mutex_unlock(&g.lock);
    if (r != 0)
        fuse_reply_err(req, -r);
    else if (size == 0)
        fuse_reply_xattr(req, len);
    else
        fuse_reply_buf(req, buf, len);
    free(buf);
}

static int xattr_get_one(const ntx_file *f, bool is_stream, const char *name, char *buf,
                         size_t size, size_t *len)
{
    return ntxfs_getxattr(f, is_stream, name, buf, size, len);
}

static int xattr_get_list(const ntx_file *f, bool is_stream, const char *name, char *buf,
                          size_t size, size_t *len)
{
    (void)name;
    return ntxfs_listxattr(f, is_stream, buf, size, len);
}

static void op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
    /* ls -l asks every file for security.selinux and the POSIX ACLs: answered
     * without the image or the lock. */
    if (!ntxfs_xattr_known(name)) {
        fuse_reply_err(req, ENODATA);
        return;
    }
    xattr_reply(req, ino, name, size, xattr_get_one);
}

static void op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
    xattr_reply(req, ino, NULL, size, xattr_get_list);
}

/* Every operation that would change something: the volume is read-only. */
static void op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
                        size_t size, int flags)
{
    (void)ino, (void)name, (void)value, (void)size, (void)flags;
    fuse_reply_err(req, EROFS);
}

static void op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
    (void)ino, (void)name;
    fuse_reply_err(req, EROFS);
}

const struct fuse_lowlevel_ops ntxfs_ops = {
    .init = op_init,
    .lookup = op_lookup,
    .forget = op_forget,
    .forget_multi = op_forget_multi,
    .getattr = op_getattr,
    .readlink = op_readlink,
    .open = op_open,
    .read = op_read,
    .release = op_release,
    .opendir = op_opendir,
    .readdir = op_readdir,
    .readdirplus = op_readdirplus,
    .releasedir = op_releasedir,
    .statfs = op_statfs,
    .getxattr = op_getxattr,
    .listxattr = op_listxattr,
    .setxattr = op_setxattr,
    .removexattr = op_removexattr,
};
