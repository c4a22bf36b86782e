/*
 * ops.c - the libfuse low-level operation table of ntxfs, and the
 * operations on names and nodes: init, lookup, forget, getattr, readlink,
 * statfs. File data (read.c), listings (readdir.c) and extended attributes
 * (xattr.c) have files of their own; what they share with these (entry
 * replies, open handles) is here.
 *
 * Caching. The image never changes under the mount, so entries, attributes
 * and negative lookups are cached by the kernel for g.opt.timeout seconds,
 * file data is kept across opens (keep_cache), directories are cached
 * (cache_readdir), and so are link targets (FUSE_CAP_CACHE_SYMLINKS).
 *
 * Round trips. Most of a mount's time goes into requests and the thread
 * switches they cause, not into the core (perf: under 2 % of the daemon's
 * time is ntx code during ls -l), so ntxfs saves requests: READDIRPLUS
 * where the kernel asks for it (see op_init), and FUSE's zero-message open
 * and opendir (no OPEN/RELEASE per file, no OPENDIR/RELEASEDIR per
 * directory).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "ntxfs.h"

/* ---- what the operations share ---- */

void ntxfs_entry_init(struct fuse_entry_param *e)
{
    memset(e, 0, sizeof *e);
    e->attr_timeout = g.opt.timeout;
    e->entry_timeout = g.opt.timeout;
}

void *ntxfs_handle_new(fuse_req_t req, fuse_ino_t ino, size_t size,
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

/* The handle is freed if the reply fails: no RELEASE will come for it then. */
void ntxfs_reply_open(fuse_req_t req, struct fuse_file_info *fi, void *h)
{
    fi->fh = (uint64_t)(uintptr_t)h;
    fi->keep_cache = 1;
    if (fuse_reply_open(req, fi) != 0)
        free(h);
}

/* ---- init ---- */

static void op_init(void *userdata, struct fuse_conn_info *conn)
{
    (void)userdata;
    if (conn->capable & FUSE_CAP_CACHE_SYMLINKS)
        conn->want |= FUSE_CAP_CACHE_SYMLINKS;
    if (conn->capable & FUSE_CAP_SPLICE_WRITE)
        conn->want |= FUSE_CAP_SPLICE_WRITE;
    conn->want &= ~(unsigned)FUSE_CAP_AUTO_INVAL_DATA; /* nothing ever changes */
    /* READDIRPLUS where the kernel judges it useful (FUSE_CAP_READDIRPLUS_AUTO):
     * the first request of a listing, and later ones after a child was
     * looked up; plain READDIR otherwise. An entry's attributes cost its
     * MFT record, read from wherever it lies in $MFT, while its name comes
     * with the index block: answering every listing with READDIRPLUS made
     * a cold `ls -f` or `find -name` of 20,000 entries read 20,000 records
     * (2.5-7x ntfs-3g's time), for the LOOKUPs it saves `ls -l`
     * (fuse/README.md has both rules measured). */
    if (conn->capable & FUSE_CAP_READDIRPLUS) {
        conn->want |= FUSE_CAP_READDIRPLUS;
        if (conn->capable & FUSE_CAP_READDIRPLUS_AUTO)
            conn->want |= FUSE_CAP_READDIRPLUS_AUTO;
    }
    /* Files need no open: the first open answers ENOSYS and the kernel stops
     * sending OPEN and RELEASE (two round trips per file), keeping the page
     * cache as with keep_cache. Reads then find their stream in read.c's
     * stream cache. */
    g.conn.no_open = (conn->capable & FUSE_CAP_NO_OPEN_SUPPORT) != 0 && !g.opt.no_zero_open;
    /* Directories likewise (readdir.c's listing cache): two round trips
     * fewer per directory, which is what find(1) mostly does. */
    g.conn.no_opendir = (conn->capable & FUSE_CAP_NO_OPENDIR_SUPPORT) != 0 && !g.opt.no_zero_open;
    /* libfuse derives the kernel's max_pages (the largest read request) from
     * max_write: up to 1 MiB per request instead of 128 KiB. */
    conn->max_write = 1u << 20;
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
    return rc == NTX_OK ? 0 : ntxfs_core_fail("lookup", rc);
}

/* ---- lookup and forget ---- */

/* Stream nodes are counted; file nodes need nothing (nodes.c). */
static void forget_stream(fuse_ino_t ino, uint64_t n)
{
    if (ntxfs_stream_node_forget(ino, n))
        ntxfs_stream_cache_drop(ino); /* the id will name another stream */
}

/* FILE:STREAM in dir (streams_interface=windows): the entry of the stream's
 * node, or of FILE itself for "FILE:" as in ntfs-3g. Under g.lock. */
static int lookup_stream(const ntx_file *dir, const char *name, const char *colon,
                         struct fuse_entry_param *e)
{
    uint16_t u[NTX_NAME_MAX], su[NTX_NAME_MAX];
    size_t n, sn_len = 0;
    ntx_dirent de;
    ntx_file f;
    int r = name_to_utf16(name, (size_t)(colon - name), u, &n);
    if (r == 0 && colon[1] != 0)
        r = name_to_utf16(colon + 1, strlen(colon + 1), su, &sn_len);
    if (r == 0)
        r = dir_lookup(dir, u, n, &de);
    if (r == 0)
        r = ntxfs_open_ref(de.mft_ref, &f);
    if (r != 0)
        return r;
    if (sn_len == 0) {
        r = ntxfs_stat_file(&f, &e->attr);
        if (r == 0)
            e->ino = ntxfs_node_of_ref(de.mft_ref);
        return r;
    }
    ntx_stream s;
    ntx_err rc = ntx_stream_open(&s, &f, NTX_AT_DATA, su, sn_len);
    if (rc == NTX_OK && !g.opt.ignore_case &&
        (s.name_len != sn_len || memcmp(s.name, su, sn_len * sizeof *su) != 0))
        rc = NTX_E_NOT_FOUND;
    if (rc == NTX_E_IS_DIR)
        rc = NTX_E_NOT_FOUND;
    r = rc == NTX_OK ? ntxfs_stat_stream(&f, su, sn_len, &e->attr) : -ntxfs_errno(rc);
    if (r != 0)
        return r;
    e->ino = ntxfs_stream_node_get(NTX_REF(f.mft_no, f.seq), su, sn_len);
    return e->ino != 0 ? 0 : -ENOMEM;
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    struct fuse_entry_param e;
    uint16_t u[NTX_NAME_MAX];
    size_t n;
    ntx_file dir, f;
    ntx_dirent de;
    const ntxfs_snode *sn;
    ntxfs_entry_init(&e);
    if (ntxfs_node_is_stream(parent)) {
        fuse_reply_err(req, ENOTDIR);
        return;
    }
    int conv = name_to_utf16(name, strlen(name), u, &n);
    const char *colon = g.opt.streams == NTXFS_STREAMS_WINDOWS ? strchr(name, ':') : NULL;
    pthread_mutex_lock(&g.lock);
    int r = ntxfs_node_open(parent, &dir, &sn);
    if (r == 0)
        r = conv != 0 ? conv : dir_lookup(&dir, u, n, &de);
    if (r == 0) {
        r = ntxfs_open_ref(de.mft_ref, &f);
        if (r == 0)
            r = ntxfs_stat_file(&f, &e.attr);
        if (r == 0)
            e.ino = ntxfs_node_of_ref(de.mft_ref);
    } else if ((r == -ENOENT || r == -ENAMETOOLONG) && colon != NULL) {
        r = lookup_stream(&dir, name, colon, &e); /* a real name with ':' wins above */
    }
    pthread_mutex_unlock(&g.lock);
    if (r == -ENOENT) {
        e.ino = 0; /* a negative entry, cached as long as a positive one */
        fuse_reply_entry(req, &e);
    } else if (r != 0) {
        fuse_reply_err(req, -r);
    } else if (fuse_reply_entry(req, &e) != 0 && ntxfs_node_is_stream(e.ino)) {
        pthread_mutex_lock(&g.lock);
        forget_stream(e.ino, 1);
        pthread_mutex_unlock(&g.lock);
    }
}

static void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
    if (ntxfs_node_is_stream(ino)) {
        pthread_mutex_lock(&g.lock);
        forget_stream(ino, nlookup);
        pthread_mutex_unlock(&g.lock);
    }
    fuse_reply_none(req);
}

static void op_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
    bool any = false;
    for (size_t i = 0; i < count && !any; i++)
        any = ntxfs_node_is_stream(forgets[i].ino);
    if (any) {
        pthread_mutex_lock(&g.lock);
        for (size_t i = 0; i < count; i++)
            if (ntxfs_node_is_stream(forgets[i].ino))
                forget_stream(forgets[i].ino, forgets[i].nlookup);
        pthread_mutex_unlock(&g.lock);
    }
    fuse_reply_none(req);
}

/* ---- attributes, links, the volume ---- */

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    struct stat st;
    ntx_file f;
    const ntxfs_snode *sn;
    (void)fi;
    pthread_mutex_lock(&g.lock);
    int r = ntxfs_node_open(ino, &f, &sn);
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
    const ntxfs_snode *sn;
    size_t len = 0;
    pthread_mutex_lock(&g.lock);
    int r = ntxfs_node_open(ino, &f, &sn);
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

const struct fuse_lowlevel_ops ntxfs_ops = {
    .init = op_init,
    .lookup = op_lookup,
    .forget = op_forget,
    .forget_multi = op_forget_multi,
    .getattr = op_getattr,
    .readlink = op_readlink,
    .open = ntxfs_op_open,
    .read = ntxfs_op_read,
    .release = ntxfs_op_release,
    .opendir = ntxfs_op_opendir,
    .readdir = ntxfs_op_readdir,
    .readdirplus = ntxfs_op_readdirplus,
    .releasedir = ntxfs_op_releasedir,
    .statfs = op_statfs,
    .getxattr = ntxfs_op_getxattr,
    .listxattr = ntxfs_op_listxattr,
    .setxattr = ntxfs_op_setxattr,
    .removexattr = ntxfs_op_removexattr,
};
