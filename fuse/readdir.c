/*
 * readdir.c - directory listings: OPENDIR, READDIR, READDIRPLUS and
 * RELEASEDIR.
 *
 * Directories are listed in pieces: a listing keeps the core's iterator (a
 * plain value) and the offset it has reached, in the open directory's handle
 * or, with zero-message opendir, in the listing cache here, keyed by
 * (directory, offset), so each READDIR continues where the last one stopped.
 * Only an offset before the one reached (a seekdir backwards) restarts the
 * walk. READDIRPLUS, which the kernel sends for a listing's first piece and
 * after a child was looked up (ops.c, op_init), answers with each entry's
 * attributes too, so those entries need no LOOKUP; READDIR answers names
 * from the index alone. The kernel caches the listing (cache_readdir).
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ntxfs.h"

typedef struct dir_handle {
    ntx_dir_iter it;
    uint64_t self_ref, parent_ref;
    off_t pos;                /* entries produced so far: "." is 0, ".." 1, then the index */
    bool have_pending;        /* an entry taken from the iterator that did not fit */
    ntx_dirent pending;
    bool at_end;
} dir_handle;

/* Open directory ino into h, at its start (under g.lock). */
static int dir_start(fuse_ino_t ino, void *handle)
{
    dir_handle *h = handle;
    ntx_file f;
    const ntxfs_snode *sn;
    ntx_stat ns;
    int r = ntxfs_node_open(ino, &f, &sn);
    if (r == 0 && sn != NULL)
        r = -ENOTDIR;
    if (r != 0)
        return r;
    ntx_err rc = ntx_file_stat(&f, &ns);
    if (rc == NTX_OK)
        rc = ntx_dir_iter_open(&h->it, &f, NTX_DIR_SKIP_DOS | NTX_DIR_SKIP_SELF);
    if (rc != NTX_OK)
        return ntxfs_core_fail("open directory", rc);
    h->self_ref = NTX_REF(f.mft_no, f.seq);
    h->parent_ref = f.mft_no == NTX_MFT_ROOT ? h->self_ref : ns.parent_ref;
    h->pos = 0;
    h->have_pending = false;
    h->at_end = false;
    return 0;
}

void ntxfs_op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    if (g.conn.no_opendir) {
        fuse_reply_err(req, ENOSYS); /* no OPENDIR/RELEASEDIR from now on */
        return;
    }
    dir_handle *h = ntxfs_handle_new(req, ino, sizeof *h, dir_start);
    if (h == NULL)
        return;
    fi->cache_readdir = 1;
    ntxfs_reply_open(req, fi, h);
}

void ntxfs_op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    (void)ino;
    free((void *)(uintptr_t)fi->fh);
    fuse_reply_err(req, 0);
}

/*
 * The listing cache (zero-message opendir; under g.lock): the kernel sends
 * READDIR with the offset reached so far, and the iterator that reached it
 * waits here, keyed by (directory, offset). A listing that continues finds
 * it; a reader at another offset starts from the nearest earlier one, or
 * afresh.
 */
#define DCACHE_SLOTS 32

static struct {
    struct {
        fuse_ino_t ino;       /* 0: free */
        uint64_t used;        /* clock when put back */
        dir_handle *h;
    } slot[DCACHE_SLOTS];
    uint64_t clock;
} dcache;

/* A handle for listing ino from off: taken out of the cache, or new. */
static dir_handle *dcache_take(fuse_ino_t ino, off_t off, int *err)
{
    int best = -1;
    for (int i = 0; i < DCACHE_SLOTS; i++)
        if (dcache.slot[i].ino == ino && dcache.slot[i].h->pos <= off &&
            (best < 0 || dcache.slot[i].h->pos > dcache.slot[best].h->pos))
            best = i;
    if (best >= 0) {
        dir_handle *h = dcache.slot[best].h;
        dcache.slot[best].ino = 0;
        dcache.slot[best].h = NULL;
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

/* Keep h for the listing's next READDIR, in a free slot or the least
 * recently used one. */
static void dcache_put(fuse_ino_t ino, dir_handle *h)
{
    int victim = 0;
    for (int i = 0; i < DCACHE_SLOTS; i++) {
        if (dcache.slot[i].ino == 0) {
            victim = i;
            break;
        }
        if (dcache.slot[i].used < dcache.slot[victim].used)
            victim = i;
    }
    free(dcache.slot[victim].h);
    dcache.slot[victim].ino = ino;
    dcache.slot[victim].h = h;
    dcache.slot[victim].used = ++dcache.clock;
}

/* ---- entries ---- */

/* Entries the listing leaves out: system files unless show_sys_files,
 * HIDDEN ones with hide_hid_files. */
static bool dir_hidden(const ntx_dirent *e)
{
    if (!g.opt.show_sys && NTX_REF_MFT(e->mft_ref) < NTX_MFT_FIRST_USER)
        return true;
    return g.opt.hide_hid && (e->file_attrs & NTX_FA_HIDDEN) != 0;
}

/* The next index entry to show: 0, 1 at the end, or -errno. */
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
        ntx_err rc = ntx_dir_iter_next(&h->it, e);
        if (rc == NTX_END) {
            h->at_end = true;
            return 1;
        }
        if (rc != NTX_OK)
            return ntxfs_core_fail("list directory", rc);
        if (!dir_hidden(e))
            return 0;
    }
}

static unsigned dirent_type(const ntx_dirent *e)
{
    if ((e->file_attrs & NTX_FA_REPARSE) && !e->is_dir && e->reparse_tag == 0)
        return DT_UNKNOWN; /* the index lacks the tag: stat will tell */
    if ((e->file_attrs & NTX_FA_REPARSE) && !e->is_dir &&
        ntxfs_reparse_places_data(e->reparse_tag))
        return DT_REG; /* WOF, deduplicated, cloud, HSM: a regular file (stat.c) */
    if (e->file_attrs & NTX_FA_REPARSE)
        return DT_LNK; /* as ntfs-3g: junctions and directory links too */
    if (e->is_dir)
        return DT_DIR;
    /* a SYSTEM file may be an Interix link, FIFO or device: let the caller stat it */
    return (e->file_attrs & NTX_FA_SYSTEM) ? DT_UNKNOWN : DT_REG;
}

/* READDIRPLUS: the entry's attributes and node, or only what the listing
 * knows (the kernel will look it up, and fail, itself). */
static void dirent_plus(const ntx_dirent *de, struct fuse_entry_param *e)
{
    ntx_file f;
    struct stat brief = e->attr;
    if (ntx_file_open(&f, &g.vol, de->mft_ref, 0) == NTX_OK &&
        ntxfs_stat_file(&f, &e->attr) == 0) {
        e->ino = ntxfs_node_of_ref(de->mft_ref);
    } else {
        e->attr = brief;
        e->ino = 0;
    }
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
        r = dir_start(ino, h); /* a seekdir backwards: from the start again */
    /* bound: each pass produces one entry, or ends */
    while (r == 0) {
        struct fuse_entry_param e;
        char name[3 * NTX_NAME_MAX + 1];
        ntx_dirent de;
        ntxfs_entry_init(&e);
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
            if (plus)
                dirent_plus(&de, &e);
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

void ntxfs_op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                      struct fuse_file_info *fi)
{
    do_readdir(req, ino, size, off, fi, false);
}

void ntxfs_op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                          struct fuse_file_info *fi)
{
    do_readdir(req, ino, size, off, fi, true);
}
