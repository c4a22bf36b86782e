/*
 * xattr.c - extended attributes, as ntfs-3g names and encodes them:
 * GETXATTR and LISTXATTR answer from the volume; SETXATTR and REMOVEXATTR
 * fail with EROFS.
 *
 *   system.ntfs_attrib[_be]     the DOS file attributes, 4 bytes
 *   system.ntfs_times[_be]      creation, data change, access, MFT change times
 *   system.ntfs_crtime[_be]     the creation time
 *   system.ntfs_dos_name        the DOS (8.3) name
 *   system.ntfs_reparse_data    the $REPARSE_POINT value, as stored
 *   system.ntfs_object_id       the $OBJECT_ID value, as stored
 *   system.ntfs_ea              the $EA value, as stored
 *   user.NAME                   named stream NAME (streams_interface=xattr)
 *   ntfs.streams.list           the stream names (streams_interface=windows)
 *
 * Little-endian unless _be; times are NT times. Like ntfs-3g, LISTXATTR lists
 * only the user.NAME streams. Names outside the list (ls -l asks every file
 * for security.selinux and the POSIX ACLs) are answered without the image
 * or the lock. The model is what ntfs-3g 2022.10.3 (Debian 12) answers on
 * a read-only mount, compared side by side by tests/fuse/.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ntxfs.h"

static const char *const sys_names[] = {
    "system.ntfs_attrib",        "system.ntfs_attrib_be", "system.ntfs_times",
    "system.ntfs_times_be",      "system.ntfs_crtime",    "system.ntfs_crtime_be",
    "system.ntfs_reparse_data",  "system.ntfs_dos_name",  "system.ntfs_object_id",
    "system.ntfs_ea",
};

/* A name GETXATTR may find, given the stream interface. */
static bool xattr_known(const char *name)
{
    for (size_t i = 0; i < sizeof sys_names / sizeof *sys_names; i++)
        if (strcmp(name, sys_names[i]) == 0)
            return true;
    if (g.opt.streams == NTXFS_STREAMS_XATTR && strncmp(name, "user.", 5) == 0 && name[5] != 0)
        return true;
    return g.opt.streams == NTXFS_STREAMS_WINDOWS && strcmp(name, "ntfs.streams.list") == 0;
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put_be(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[n - 1 - i] = (uint8_t)(v >> (8 * i));
}

/* Copy a value out: size 0 asks for the length only. */
static int give(const void *v, size_t n, char *buf, size_t size, size_t *len)
{
    *len = n;
    if (size == 0)
        return 0;
    if (n > size)
        return -ERANGE;
    memcpy(buf, v, n);
    return 0;
}

/* ---- stream names ---- */

/* Named $DATA streams of f, each once (extents after the first are skipped). */
typedef int (*stream_fn)(void *ctx, const uint16_t *name, size_t n);

static int each_stream(const ntx_file *f, stream_fn fn, void *ctx)
{
    ntx_attr_iter it;
    ntx_attr_info ai;
    ntx_err rc = ntx_attr_iter_open(&it, f);
    /* bound: the file's attributes (the iterator's own bound) */
    while (rc == NTX_OK && (rc = ntx_attr_iter_next(&it, &ai)) == NTX_OK) {
        if (ai.type != NTX_AT_DATA || ai.name_len == 0 || (!ai.resident && ai.lowest_vcn != 0))
            continue;
        int r = fn(ctx, ai.name, ai.name_len);
        if (r != 0)
            return r;
    }
    return rc == NTX_END ? 0 : ntxfs_core_fail("list attributes", rc);
}

typedef struct name_list {
    char *buf;
    size_t size, len;
    const char *prefix;   /* "user." for listxattr */
    char sep;             /* after each name, or between names (sep_between) */
    bool sep_between;
} name_list;

static int add_name(void *ctx, const uint16_t *name, size_t n)
{
    name_list *l = ctx;
    char tmp[5 + 3 * NTX_NAME_MAX + 2];
    size_t k = 0;
    if (l->sep_between && l->len > 0)
        tmp[k++] = l->sep;
    k += (size_t)snprintf(tmp + k, sizeof tmp - k, "%s", l->prefix);
    int r = ntxfs_put_utf16(name, (int)n, tmp, sizeof tmp, &k);
    if (r != 0)
        return r;
    if (!l->sep_between)
        tmp[k++] = l->sep;
    if (l->size != 0) {
        if (l->len + k > l->size)
            return -ERANGE;
        memcpy(l->buf + l->len, tmp, k);
    }
    l->len += k;
    return 0;
}

/* ntfs.streams.list: the names, separated by NUL bytes. */
static int stream_list(const ntx_file *f, char *buf, size_t size, size_t *len)
{
    name_list l = { buf, size, 0, "", '\0', true };
    int r = each_stream(f, add_name, &l);
    *len = l.len;
    return r;
}

/* user.NAME: the named stream's bytes. */
static int stream_value(const ntx_file *f, const char *name, char *buf, size_t size, size_t *len)
{
    uint16_t u[NTX_NAME_MAX];
    size_t n;
    ntx_stream st;
    ntx_err rc = ntx_utf8_to_utf16(name, strlen(name), u, NTX_NAME_MAX, &n, NTX_UTF16_WTF8);
    if (rc != NTX_OK)
        return -ENODATA;
    rc = ntx_stream_open(&st, f, NTX_AT_DATA, u, n);
    if (rc != NTX_OK)
        return rc == NTX_E_NOT_FOUND || rc == NTX_E_IS_DIR ? -ENODATA : ntxfs_core_fail("open", rc);
    /* A size query gets the length even past the 64 KiB an xattr can
     * hold; reading such a value fails with ERANGE, which the kernel
     * turns into E2BIG (as with ntfs-3g). */
    *len = (size_t)st.size;
    if (size == 0)
        return 0;
    if (st.size > size)
        return -ERANGE;
    return ntxfs_read_all(&st, buf, (size_t)st.size, "read stream");
}

/* LISTXATTR's answer: the streams as user.NAME, each NUL-terminated (name
 * is unused: the signature is GETXATTR's). */
static int list_names(const ntx_file *f, bool is_stream, const char *name, char *buf, size_t size,
                      size_t *len)
{
    name_list l = { buf, size, 0, "user.", '\0', false };
    (void)name;
    *len = 0;
    if (is_stream || g.opt.streams != NTXFS_STREAMS_XATTR)
        return 0; /* as ntfs-3g: the system.ntfs_* names are not listed */
    int r = each_stream(f, add_name, &l);
    *len = l.len;
    return r;
}

/* ---- system.ntfs_* ---- */

/* The DOS name of f in its (first) parent directory, as ntfs-3g's
 * system.ntfs_dos_name: a name in the DOS or the Win32+DOS namespace. The
 * core does not list a file's names, so the parent is scanned. */
static int dos_name(const ntx_file *f, const ntx_stat *ns, char *buf, size_t size, size_t *len)
{
    ntx_file dir;
    ntx_dir_iter it;
    ntx_dirent e;
    if (f->mft_no == NTX_MFT_ROOT)
        return -ENODATA; /* deliberate: ntfs-3g answers EPERM for the root */
    ntx_err rc = ntx_file_open(&dir, &g.vol, ns->parent_ref, 0);
    if (rc == NTX_OK)
        rc = ntx_dir_iter_open(&it, &dir, 0);
    /* bound: the directory's entries (the iterator's own step budget) */
    while (rc == NTX_OK && (rc = ntx_dir_iter_next(&it, &e)) == NTX_OK) {
        if (NTX_REF_MFT(e.mft_ref) != f->mft_no || (e.name_space & NTX_NS_DOS) == 0)
            continue;
        char name[3 * NTX_NAME_MAX + 1];
        size_t n = 0;
        int r = ntxfs_put_utf16(e.name, e.name_len, name, sizeof name, &n);
        return r != 0 ? r : give(name, n, buf, size, len);
    }
    if (rc != NTX_END)
        return ntxfs_core_fail("list directory", rc);
    return -ENODATA;
}

/* A system.ntfs_* value (name is one of sys_names). */
static int ntfs_value(const ntx_file *f, const char *name, char *buf, size_t size, size_t *len)
{
    uint8_t v[32];
    ntx_stat ns;
    ntx_err rc = ntx_file_stat(f, &ns);
    if (rc != NTX_OK)
        return ntxfs_core_fail("stat", rc);
    if (strcmp(name, "system.ntfs_attrib") == 0 || strcmp(name, "system.ntfs_attrib_be") == 0) {
        uint32_t a = ns.dos_attrs;
        a = ns.is_dir ? a | NTX_FA_DIRECTORY : a & ~(uint32_t)NTX_FA_DIRECTORY;
        if (a == 0)
            a = 0x80u; /* FILE_ATTRIBUTE_NORMAL */
        if (name[18] == 0)
            put_le(v, a, 4);
        else
            put_be(v, a, 4);
        return give(v, 4, buf, size, len);
    }
    if (strcmp(name, "system.ntfs_times") == 0 || strcmp(name, "system.ntfs_times_be") == 0) {
        /* creation, last data change, last access, last MFT change */
        static const int order[4] = { NTX_TIME_CREATE, NTX_TIME_MODIFY, NTX_TIME_ACCESS,
                                      NTX_TIME_MFT_CHANGE };
        for (int i = 0; i < 4; i++) {
            if (name[17] == 0)
                put_le(v + 8 * i, ns.si_times[order[i]], 8);
            else
                put_be(v + 8 * i, ns.si_times[order[i]], 8);
        }
        return give(v, 32, buf, size, len);
    }
    if (strcmp(name, "system.ntfs_crtime") == 0 || strcmp(name, "system.ntfs_crtime_be") == 0) {
        if (name[18] == 0)
            put_le(v, ns.si_times[NTX_TIME_CREATE], 8);
        else
            put_be(v, ns.si_times[NTX_TIME_CREATE], 8);
        return give(v, 8, buf, size, len);
    }
    if (strcmp(name, "system.ntfs_dos_name") == 0)
        return dos_name(f, &ns, buf, size, len);
    uint32_t type = 0;
    if (strcmp(name, "system.ntfs_reparse_data") == 0) {
        if ((ns.dos_attrs & NTX_FA_REPARSE) == 0)
            return -ENODATA;
        type = NTX_AT_REPARSE_POINT;
    } else if (strcmp(name, "system.ntfs_object_id") == 0) {
        type = NTX_AT_OBJECT_ID;
    } else if (strcmp(name, "system.ntfs_ea") == 0) {
        type = NTX_AT_EA;
    } else {
        return -ENODATA;
    }
    size_t got;
    int r = ntxfs_read_value(f, type, NULL, 0, sizeof g.scratch, &got);
    return r != 0 ? r : give(g.scratch, got, buf, size, len);
}

/* GETXATTR's answer for a name xattr_known() accepts. */
static int get_value(const ntx_file *f, bool is_stream, const char *name, char *buf, size_t size,
                     size_t *len)
{
    *len = 0;
    if (strncmp(name, "system.ntfs_", 12) == 0 && is_stream)
        return -EINVAL; /* as ntfs-3g on a FILE:STREAM path */
    if (strcmp(name, "ntfs.streams.list") == 0)
        return stream_list(f, buf, size, len);
    if (strncmp(name, "user.", 5) == 0)
        return stream_value(f, name + 5, buf, size, len);
    return ntfs_value(f, name, buf, size, len);
}

/* ---- the operations ---- */

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
    const ntxfs_snode *sn;
    size_t len = 0;
    char *buf = NULL;
    if (size > 0 && (buf = malloc(size)) == NULL) {
        fuse_reply_err(req, ENOMEM);
        return;
    }
    pthread_mutex_lock(&g.lock);
    int r = ntxfs_node_open(ino, &f, &sn);
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

void ntxfs_op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
    if (!xattr_known(name)) {
        fuse_reply_err(req, ENODATA);
        return;
    }
    xattr_reply(req, ino, name, size, get_value);
}

void ntxfs_op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
    xattr_reply(req, ino, NULL, size, list_names);
}

/* Every operation that would change something: the volume is read-only. */
void ntxfs_op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
                       size_t size, int flags)
{
    (void)ino, (void)name, (void)value, (void)size, (void)flags;
    fuse_reply_err(req, EROFS);
}

void ntxfs_op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
    (void)ino, (void)name;
    fuse_reply_err(req, EROFS);
}
