/*
 * attrs.c - what a file looks like through the mount: stat fields, link
 * targets, extended attributes and statfs, all as ntfs-3g shows them.
 *
 * Every function here is called with g.lock held: it makes core calls and
 * uses g.scratch.
 *
 * The model is what ntfs-3g 2022.10.3 (Debian 12) reports on a read-only
 * mount (its src/ntfs-3g.c getattr and libntfs-3g/reparse.c), checked side
 * by side on the fixtures by tests/fuse/. Where ntxfs differs on purpose,
 * the comment says so and the man page lists it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>

#include "ntxfs.h"

/* $I30: the name of a directory's file name index. */
static const uint16_t i30[4] = { '$', 'I', '3', '0' };

/* Reparse tags of WSL special files (MS-FSCC 2.1.2.1). */
#define TAG_LX_SYMLINK 0xA000001Du
#define TAG_AF_UNIX 0x80000023u
#define TAG_LX_FIFO 0x80000024u
#define TAG_LX_CHR 0x80000025u
#define TAG_LX_BLK 0x80000026u

/* Interix special files (ntfs-3g layout.h INTX_FILE): an 8-byte magic, then
 * a UTF-16LE link target or two little-endian 64-bit device numbers. */
#define INTX_MAGIC_LEN 8u
#define INTX_DEV_SIZE 24u
#define INTX_MAX_SIZE (INTX_MAGIC_LEN + 2u * 4096u) /* ntfs-3g: 8 + 2 * PATH_MAX */
static const uint8_t intx_lnk[INTX_MAGIC_LEN] = { 'I', 'n', 't', 'x', 'L', 'N', 'K', 1 };
static const uint8_t intx_blk[INTX_MAGIC_LEN] = { 'I', 'n', 't', 'x', 'B', 'L', 'K', 0 };
static const uint8_t intx_chr[INTX_MAGIC_LEN] = { 'I', 'n', 't', 'x', 'C', 'H', 'R', 0 };

/* NT time (100 ns since 1601) to a timespec, rounding toward minus infinity. */
static struct timespec nt_to_timespec(uint64_t t)
{
    const uint64_t epoch = 116444736000000000ull; /* 1970-01-01 in NT time */
    struct timespec ts;
    if (t >= epoch) {
        ts.tv_sec = (time_t)((t - epoch) / 10000000u);
        ts.tv_nsec = (long)((t - epoch) % 10000000u) * 100;
    } else {
        uint64_t d = epoch - t;
        ts.tv_sec = -(time_t)(d / 10000000u);
        ts.tv_nsec = 0;
        if (d % 10000000u != 0) {
            ts.tv_sec -= 1;
            ts.tv_nsec = (long)(10000000u - d % 10000000u) * 100;
        }
    }
    return ts;
}

int ntxfs_open_ref(uint64_t ref, ntx_file *f)
{
    ntx_err rc = ntx_file_open_ref(&g.vol, ref, f);
    return rc == NTX_OK ? 0 : ntxfs_core_fail("open record", rc);
}

/* $STANDARD_INFORMATION file attributes; 0 if they cannot be read. */
static uint32_t file_attrs(const ntx_file *f)
{
    ntx_stat ns;
    return ntx_file_stat(f, &ns) == NTX_OK ? ns.dos_attrs : 0;
}

/*
 * Bytes allocated to the unnamed $DATA as ntfs-3g counts them: the
 * allocated size, or the compressed size of a sparse or compressed stream,
 * or for resident data the value length rounded up to 8. ntx_stat does not
 * say whether the data is resident; only an allocation of 0 for data that is
 * not empty is ambiguous (resident, or non-resident and all holes), and only
 * then is the stream opened to tell.
 */
static uint64_t data_alloc(const ntx_file *f, const ntx_stat *ns)
{
    if (!ns->has_data || ns->alloc_size != 0 || ns->size == 0)
        return ns->alloc_size;
    ntx_stream s;
    if (ntx_stream_open(f, NTX_AT_DATA, NULL, 0, &s) == NTX_OK && s.resident)
        return (ns->size + 7u) & ~(uint64_t)7u;
    return 0;
}

/* Read a whole (small) attribute value into g.scratch. */
static int read_value(const ntx_file *f, uint32_t type, const uint16_t *name, size_t name_len,
                      size_t max, size_t *len)
{
    ntx_stream s;
    ntx_err rc = ntx_stream_open(f, type, name, name_len, &s);
    if (rc != NTX_OK)
        return rc == NTX_E_NOT_FOUND ? -ENODATA : ntxfs_core_fail("open attribute", rc);
    if (s.size > max || s.size > sizeof g.scratch)
        return -E2BIG;
    size_t done = 0;
    /* bound: done grows by got > 0 each pass, up to s.size */
    while (done < s.size) {
        size_t got = 0;
        rc = ntx_stream_read(&s, done, g.scratch + done, (size_t)s.size - done, &got);
        if (rc != NTX_OK)
            return ntxfs_core_fail("read attribute", rc);
        if (got == 0)
            return -EIO;
        done += got;
    }
    *len = done;
    return 0;
}

/* ---- link targets, mapped as ntfs-3g maps them (libntfs-3g reparse.c) ---- */

/*
 * Find name (len units) in directory dir as ntfs-3g's ntfs_fix_file_name()
 * does: the characters whose upper case sorts lower are replaced by it, the
 * result is looked up (exact match first, then through $UpCase), and the
 * spelling found on disk is copied back into name.
 */
static bool fix_name(const ntx_file *dir, uint16_t *name, size_t len, uint64_t *ref)
{
    uint16_t key[NTX_NAME_MAX];
    if (len == 0 || len > NTX_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        uint16_t c = name[i], u = g.upcase[c];
        key[i] = u < c ? u : c;
    }
    ntx_dirent e;
    if (ntx_dir_lookup(dir, key, len, &e) != NTX_OK || e.name_len != len)
        return false;
    memcpy(name, e.name, len * sizeof *name);
    *ref = e.mft_ref;
    return true;
}

/* An exact (case-sensitive) lookup of an ASCII name. */
static bool lookup_exact(const ntx_file *dir, const char *name, ntx_file *out)
{
    uint16_t u[NTX_NAME_MAX];
    size_t n = strlen(name);
    if (n == 0 || n > NTX_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        u[i] = (unsigned char)name[i];
    ntx_dirent e;
    if (ntx_dir_lookup(dir, u, n, &e) != NTX_OK || e.name_len != n ||
        memcmp(e.name, u, n * sizeof *u) != 0)
        return false;
    return ntx_file_open_ref(&g.vol, e.mft_ref, out) == NTX_OK;
}

/* ntfs-3g lets a user redirect drive X: by creating /.NTFS-3G/X: on the volume. */
static bool drive_defined(uint16_t letter)
{
    char name[3] = { 0, ':', 0 };
    ntx_file root, dir, x;
    if (letter >= 'a' && letter <= 'z')
        letter = (uint16_t)(letter - 'a' + 'A');
    if (letter == 0 || letter > 0x7F)
        return false;
    name[0] = (char)letter;
    return ntx_file_open_ref(&g.vol, NTX_REF(NTX_MFT_ROOT, 0), &root) == NTX_OK &&
           lookup_exact(&root, ".NTFS-3G", &dir) && lookup_exact(&dir, name, &x);
}

/*
 * ntfs-3g search_absolute(): walk path (units, '\'-separated) from the root,
 * fixing the case of each component and turning each separator passed into
 * '/', until the end, a name not found, a file, or another reparse point.
 * True if the walk ends on an object of the link's kind (directory or not)
 * or on a reparse point.
 */
static bool search_absolute(uint16_t *path, int count, bool link_is_dir)
{
    ntx_file cur;
    if (ntx_file_open_ref(&g.vol, NTX_REF(NTX_MFT_ROOT, 0), &cur) != NTX_OK)
        return false;
    int start = 0;
    bool have;
    uint32_t attrs = 0;
    /* bound: start grows by at least one unit per pass (a separator) or the loop ends */
    do {
        int len = 0;
        while (start + len < count && path[start + len] != '\\')
            len++;
        uint64_t ref;
        have = fix_name(&cur, path + start, (size_t)len, &ref) &&
               ntx_file_open_ref(&g.vol, ref, &cur) == NTX_OK;
        if (have) {
            attrs = file_attrs(&cur);
            start += len;
            if (start < count)
                path[start++] = '/';
        }
    } while (have && ntxfs_is_dir(&cur) && (attrs & NTX_FA_REPARSE) == 0 && start < count);
    return have && ((ntxfs_is_dir(&cur) ? link_is_dir : !link_is_dir) || (attrs & NTX_FA_REPARSE) != 0);
}

/*
 * ntfs-3g search_relative(): resolve a relative target from the link's
 * directory, component by component ("." and ".." included), fixing the case
 * of each name. Stops (successfully) at another reparse point. The last
 * component must be of the link's kind. Note the loop runs while
 * pos < count - 1, so a final one-unit component is not checked: kept as
 * ntfs-3g has it.
 */
static bool search_relative(const ntx_file *link, uint16_t *path, int count)
{
    ntx_stat ns;
    ntx_file cur;
    if (ntx_file_stat(link, &ns) != NTX_OK ||
        ntx_file_open_ref(&g.vol, ns.parent_ref, &cur) != NTX_OK)
        return false;
    int pos = 0, max = 32;
    bool ok = true, more = false;
    /* bound: at most 31 passes (ntfs-3g's safety count) */
    while (ok && !more && pos < count - 1 && --max) {
        if (count >= pos + 2 && path[pos] == '.' && path[pos + 1] == '\\') {
            path[pos + 1] = '/';
            pos += 2;
        } else if (count >= pos + 3 && path[pos] == '.' && path[pos + 1] == '.' &&
                   path[pos + 2] == '\\') {
            path[pos + 2] = '/';
            pos += 3;
            ntx_stat ds;
            ok = ntx_file_stat(&cur, &ds) == NTX_OK &&
                 ntx_file_open_ref(&g.vol, ds.parent_ref, &cur) == NTX_OK;
        } else {
            int lth = 0;
            while (pos + lth < count && path[pos + lth] != '\\')
                lth++;
            uint64_t ref;
            if (lth == 0 || !fix_name(&cur, path + pos, (size_t)lth, &ref) ||
                ntx_file_open_ref(&g.vol, ref, &cur) != NTX_OK) {
                ok = false;
            } else {
                if (file_attrs(&cur) & NTX_FA_REPARSE)
                    more = true;
                if (pos + lth < count) {
                    path[pos + lth] = '/';
                    pos += lth + 1;
                } else {
                    pos += lth;
                    if (!more && ntxfs_is_dir(link) != ntxfs_is_dir(&cur))
                        ok = false;
                }
            }
        }
    }
    return ok;
}

/* UTF-16 units to UTF-8 appended at out[*len], cut at a NUL unit as ntfs-3g's C strings are. */
static int put_utf16(const uint16_t *u, int n, char *out, size_t cap, size_t *len)
{
    size_t got;
    int k = 0;
    while (k < n && u[k] != 0)
        k++;
    if (*len >= cap)
        return -ENAMETOOLONG;
    ntx_err rc = ntx_utf16_to_utf8(u, (size_t)k, out + *len, cap - *len, &got, NTX_UTF16_WTF8);
    if (rc != NTX_OK)
        return rc == NTX_E_BUFFER ? -ENAMETOOLONG : -EILSEQ;
    *len += got;
    return 0;
}

static int put_str(const char *s, char *out, size_t cap, size_t *len)
{
    size_t n = strlen(s);
    if (*len + n >= cap)
        return -ENAMETOOLONG;
    memcpy(out + *len, s, n + 1);
    *len += n;
    return 0;
}

/* MOUNTPOINT/.NTFS-3G/X:/rest: where ntfs-3g sends a target it cannot find on
 * the volume (the user may make it a link to the real place). */
static int put_mapping_dir(const uint16_t *t, int n, char *out, size_t cap, size_t *len)
{
    size_t start;
    int rc = put_str(g.mnt_abs, out, cap, len);
    if (rc == 0)
        rc = put_str("/.NTFS-3G/", out, cap, len);
    start = *len;
    if (rc == 0)
        rc = put_utf16(t, n, out, cap, len);
    if (rc != 0)
        return rc;
    for (size_t i = start; i < *len; i++)
        if (out[i] == '\\')
            out[i] = '/';
    if (*len - start >= 2 && out[start + 1] == ':' && out[start] >= 'a' && out[start] <= 'z')
        out[start] = (char)(out[start] - 'a' + 'A');
    return 0;
}

/* A found absolute target: MOUNTPOINT/path. */
static int put_on_volume(const uint16_t *t, int n, char *out, size_t cap, size_t *len)
{
    int rc = put_str(g.mnt_abs, out, cap, len);
    if (rc == 0)
        rc = put_str("/", out, cap, len);
    return rc == 0 ? put_utf16(t, n, out, cap, len) : rc;
}

/* ntfs-3g ntfs_get_fulllink(): a junction or a symlink to "\??\X:\...". 1 = not mappable. */
static int full_link(uint16_t *j, int count, bool link_is_dir, char *out, size_t cap, size_t *len)
{
    static const uint16_t dir_head[4] = { '\\', '?', '?', '\\' };
    static const uint16_t vol_head[11] = { '\\', '?', '?', '\\', 'V', 'o',
                                           'l',  'u', 'm', 'e',  '{' };
    bool dir_j = count >= 7 && memcmp(j, dir_head, sizeof dir_head) == 0 && j[4] != 0 &&
                 j[5] == ':' && j[6] == '\\';
    bool vol_j = !dir_j && count >= 12 && memcmp(j, vol_head, sizeof vol_head) == 0 &&
                 j[count - 1] == '\\';
    if (dir_j && count > 7 && j[7] != 0 && !drive_defined(j[4]) &&
        search_absolute(j + 7, count - 7, link_is_dir))
        return put_on_volume(j + 7, count - 7, out, cap, len);
    if (dir_j || vol_j)
        return put_mapping_dir(j + 4, vol_j ? count - 5 : count - 4, out, cap, len);
    return 1;
}

/* ntfs-3g ntfs_get_abslink(): "X:\..." or "\..." with the relative flag set. */
static int abs_link(uint16_t *j, int count, bool link_is_dir, char *out, size_t cap, size_t *len)
{
    bool full = count >= 3 && j[0] != 0 && j[1] == ':' && j[2] == '\\';
    bool abs = !full && count >= 1 && j[0] == '\\';
    if (full && count > 3 && j[3] != 0 && !drive_defined(j[0]) &&
        search_absolute(j + 3, count - 3, link_is_dir))
        return put_on_volume(j + 3, count - 3, out, cap, len);
    if (abs && search_absolute(j + 1, count - 1, link_is_dir))
        return put_on_volume(j + 1, count - 1, out, cap, len);
    if (full)
        return put_mapping_dir(j, count, out, cap, len);
    return 1;
}

/*
 * The target of a reparse point as ntfs-3g's ntfs_make_symlink() gives it.
 * Returns 0 with the target, 1 when the reparse point is not a link ntfs-3g
 * can show (the caller then uses NTXFS_BAD_REPARSE_FMT), or -errno.
 */
static int reparse_link(const ntx_file *f, uint32_t *tag, char *out, size_t cap, size_t *len)
{
    static uint16_t units[NTX_REPARSE_MAX / 2];
    ntx_reparse rp;
    *len = 0;
    *tag = 0;
    ntx_err rc = ntx_file_reparse(f, g.scratch, sizeof g.scratch, &rp);
    if (rc == NTX_E_NOT_FOUND || rc == NTX_E_REPARSE)
        return 1;
    if (rc != NTX_OK)
        return ntxfs_core_fail("read reparse point", rc);
    *tag = rp.tag;
    if (rp.tag == TAG_LX_SYMLINK) {
        /* WSL symlink: a 32-bit version (2), then the UTF-8 target. The core
         * does not interpret this tag; its data is read here. */
        const uint8_t *d = g.scratch + 8;
        if (rp.data_len < 4 || d[0] != 2 || d[1] != 0 || d[2] != 0 || d[3] != 0 ||
            (size_t)rp.data_len - 4u >= cap)
            return 1;
        memcpy(out, d + 4, (size_t)rp.data_len - 4u);
        out[rp.data_len - 4u] = 0;
        *len = strlen(out);
        return 0;
    }
    if (rp.tag != NTX_REPARSE_SYMLINK && rp.tag != NTX_REPARSE_MOUNT_POINT)
        return 1;
    if (rp.tag == NTX_REPARSE_MOUNT_POINT && !ntxfs_is_dir(f))
        return 1; /* ntfs-3g valid_reparse_data(): a junction must be a directory */
    int count = rp.subst_len / 2;
    for (int i = 0; i < count; i++)
        units[i] = (uint16_t)(g.scratch[rp.subst_off + 2 * i] |
                              (unsigned)g.scratch[rp.subst_off + 2 * i + 1] << 8);
    out[0] = 0;
    int r;
    if (rp.tag == NTX_REPARSE_MOUNT_POINT) {
        r = full_link(units, count, ntxfs_is_dir(f), out, cap, len);
    } else {
        uint16_t c0 = count > 0 ? units[0] : 0, c1 = count > 1 ? units[1] : 0;
        bool relative = (rp.flags & NTX_SYMLINK_RELATIVE) != 0;
        if (c0 == '\\' && (c1 == '?' || c1 == '\\'))
            r = relative ? 1 : full_link(units, count, ntxfs_is_dir(f), out, cap, len);
        else if (c0 == '\\' || c1 == ':')
            r = relative ? abs_link(units, count, ntxfs_is_dir(f), out, cap, len) : 1;
        else if (!relative)
            r = 1;
        else if (!search_relative(f, units, count))
            r = 1;
        else
            r = put_utf16(units, count, out, cap, len);
    }
    if (r == 1)
        *len = 0;
    return r;
}

static unsigned get_le32(const uint8_t *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8 | (unsigned)p[2] << 16 | (unsigned)p[3] << 24;
}

/*
 * The device number of a WSL device file: WSL keeps it in the extended
 * attribute $LXDEV of the file's $EA, major then minor, 32 bits each,
 * little-endian. The core walks the $EA entries (ntx_parse_ea_next() checks
 * every length); the value's meaning is WSL's, read here.
 */
static dev_t wsl_rdev(const ntx_file *f)
{
    size_t n, pos = 0;
    ntx_ea ea;
    if (read_value(f, NTX_AT_EA, NULL, 0, 65536, &n) != 0)
        return 0;
    /* bound: ntx_parse_ea_next() moves pos forward each entry, to n at most */
    while (ntx_parse_ea_next(g.scratch, n, &pos, &ea) == NTX_OK)
        if (ea.name_len == 6 && memcmp(ea.name, "$LXDEV", 6) == 0 && ea.value_len >= 8)
            return makedev(get_le32(ea.value), get_le32(ea.value + 4));
    return 0;
}

/* An Interix special file: S_IFREG if f is none of them, S_IFIFO, S_IFSOCK,
 * S_IFBLK/S_IFCHR (with *rdev) or S_IFLNK (with the target in out, if out).
 * Returns 1 for a SYSTEM file without an unnamed $DATA (ntfs-3g "nodata"). */
static int interix(const ntx_file *f, const ntx_stat *ns, mode_t *type, dev_t *rdev, char *out,
                   size_t cap, size_t *len)
{
    *type = S_IFREG;
    if (!ns->has_data)
        return 1;
    if ((ns->dos_attrs & NTX_FA_HIDDEN) == 0 && ns->size <= 1) {
        *type = ns->size == 0 ? S_IFIFO : S_IFSOCK;
        return 0;
    }
    if (ns->size <= INTX_MAGIC_LEN || ns->size > INTX_MAX_SIZE)
        return 0;
    /* File content, not metadata: Interix keeps the type in the data. */
    size_t n;
    int rc = read_value(f, NTX_AT_DATA, NULL, 0, INTX_MAX_SIZE, &n);
    if (rc == -ENODATA)
        return 0;
    if (rc != 0)
        return rc;
    if (n == INTX_DEV_SIZE && (memcmp(g.scratch, intx_blk, INTX_MAGIC_LEN) == 0 ||
                               memcmp(g.scratch, intx_chr, INTX_MAGIC_LEN) == 0)) {
        uint64_t maj = 0, min = 0;
        for (int i = 7; i >= 0; i--) {
            maj = maj << 8 | g.scratch[8 + i];
            min = min << 8 | g.scratch[16 + i];
        }
        *type = g.scratch[4] == 'B' ? S_IFBLK : S_IFCHR;
        *rdev = makedev((unsigned)maj, (unsigned)min);
    } else if (memcmp(g.scratch, intx_lnk, INTX_MAGIC_LEN) == 0) {
        static uint16_t u[INTX_MAX_SIZE / 2];
        int count = (int)((n - INTX_MAGIC_LEN) / 2);
        for (int i = 0; i < count; i++)
            u[i] = (uint16_t)(g.scratch[8 + 2 * i] | (unsigned)g.scratch[9 + 2 * i] << 8);
        char tmp[3 * (INTX_MAX_SIZE / 2) + 1];
        size_t l = 0;
        if (out == NULL) {
            out = tmp;
            cap = sizeof tmp;
        }
        /* As stored: unlike reparse points, no '\' is turned into '/'. */
        rc = put_utf16(u, count, out, cap, &l);
        if (rc != 0)
            return rc;
        *type = S_IFLNK;
        *len = l;
    }
    return 0;
}

int ntxfs_link_target(const ntx_file *f, char *out, size_t cap, size_t *len)
{
    ntx_stat ns;
    ntx_err rc = ntx_file_stat(f, &ns);
    if (rc != NTX_OK)
        return ntxfs_core_fail("stat", rc);
    *len = 0;
    if (ns.dos_attrs & NTX_FA_REPARSE) {
        uint32_t tag;
        int r = reparse_link(f, &tag, out, cap, len);
        if (r < 0)
            return r;
        if (r == 1)
            *len = (size_t)snprintf(out, cap, NTXFS_BAD_REPARSE_FMT, (unsigned long)tag);
        return 0;
    }
    if (!ntxfs_is_dir(f) && (ns.dos_attrs & NTX_FA_SYSTEM)) {
        mode_t type;
        dev_t rdev;
        int r = interix(f, &ns, &type, &rdev, out, cap, len);
        if (r < 0)
            return r;
        if (r == 0 && type == S_IFLNK)
            return 0;
    }
    return -EINVAL;
}

/* ---- stat ---- */

static void fill_times(struct stat *st, const ntx_stat *ns)
{
    st->st_atim = nt_to_timespec(ns->si_times[NTX_TIME_ACCESS]);
    st->st_mtim = nt_to_timespec(ns->si_times[NTX_TIME_MODIFY]);
    st->st_ctim = nt_to_timespec(ns->si_times[NTX_TIME_MFT_CHANGE]);
}

int ntxfs_stat_file(const ntx_file *f, struct stat *st)
{
    ntx_stat ns;
    ntx_err rc = ntx_file_stat(f, &ns);
    if (rc != NTX_OK)
        return ntxfs_core_fail("stat", rc);
    memset(st, 0, sizeof *st);
    st->st_ino = (ino_t)f->mft_no;
    st->st_nlink = ns.link_count;
    st->st_uid = g.opt.uid;
    st->st_gid = g.opt.gid;
    fill_times(st, &ns);

    if (ns.dos_attrs & NTX_FA_REPARSE) {
        /* ntfs-3g shows every reparse point as a symbolic link (junctions,
         * directories included), except the WSL special files. */
        static char target[NTXFS_LINK_MAX];
        size_t len = 0;
        uint32_t tag = ns.reparse_tag;
        int r = 1;
        if (tag == TAG_AF_UNIX || tag == TAG_LX_FIFO || tag == TAG_LX_CHR || tag == TAG_LX_BLK) {
            st->st_mode = tag == TAG_AF_UNIX  ? S_IFSOCK
                          : tag == TAG_LX_FIFO ? S_IFIFO
                          : tag == TAG_LX_CHR  ? S_IFCHR
                                               : S_IFBLK;
            /* Deliberate: ntfs-3g gives these mode 0 (no one but root could
             * open a FIFO); they get the file mask here. */
            st->st_mode |= 0777 & ~g.opt.fmask;
            if (tag == TAG_LX_CHR || tag == TAG_LX_BLK)
                st->st_rdev = wsl_rdev(f);
            return 0;
        }
        r = reparse_link(f, &tag, target, sizeof target, &len);
        if (r < 0)
            return r;
        st->st_mode = S_IFLNK | 0777;
        st->st_size = r == 1 ? (off_t)NTXFS_BAD_REPARSE_LEN : (off_t)len;
        st->st_blocks = (blkcnt_t)((data_alloc(f, &ns) + 511u) >> 9);
        return 0;
    }
    if (ns.is_dir) {
        ntx_stream s;
        st->st_mode = S_IFDIR | (0777 & ~g.opt.dmask);
        st->st_nlink = 1; /* as ntfs-3g without posix_nlink: find(1) must not count on it */
        rc = ntx_stream_open(f, NTX_AT_INDEX_ALLOCATION, i30, 4, &s);
        if (rc == NTX_OK) {
            st->st_size = (off_t)s.size;
            st->st_blocks = (blkcnt_t)(s.alloc_size >> 9);
        } else if (rc != NTX_E_NOT_FOUND) {
            return ntxfs_core_fail("open $INDEX_ALLOCATION", rc);
        }
        return 0;
    }
    st->st_mode = S_IFREG;
    st->st_size = (off_t)ns.size;
    st->st_blocks = (blkcnt_t)((data_alloc(f, &ns) + 511u) >> 9);
    if (ns.dos_attrs & NTX_FA_SYSTEM) {
        mode_t type;
        dev_t rdev = 0;
        size_t len = 0;
        int r = interix(f, &ns, &type, &rdev, NULL, 0, &len);
        if (r < 0)
            return r;
        if (r == 1) {
            /* ntfs-3g "nodata": a system file without data ($Extend/$Quota...):
             * no permission bits, owner root. */
            st->st_uid = 0;
            st->st_gid = 0;
            return 0;
        }
        st->st_mode = type;
        st->st_rdev = rdev;
        if (type == S_IFLNK) {
            st->st_size = (off_t)len;
            st->st_mode |= 0777;
            return 0;
        }
    }
    st->st_mode |= 0777 & ~g.opt.fmask;
    return 0;
}

int ntxfs_stat_stream(const ntx_file *f, const uint16_t *name, size_t name_len, struct stat *st)
{
    ntx_stat ns;
    ntx_stream s;
    ntx_err rc = ntx_file_stat(f, &ns);
    if (rc == NTX_OK)
        rc = ntx_stream_open(f, NTX_AT_DATA, name, name_len, &s);
    if (rc != NTX_OK)
        return ntxfs_core_fail("stat stream", rc);
    memset(st, 0, sizeof *st);
    st->st_ino = (ino_t)f->mft_no;
    st->st_nlink = ns.link_count;
    st->st_uid = g.opt.uid;
    st->st_gid = g.opt.gid;
    st->st_mode = S_IFREG | (0777 & ~g.opt.fmask);
    st->st_size = (off_t)s.size;
    /* As ntfs-3g (ntfs_attr_open): the allocated size, not the compressed one;
     * resident values count their length rounded up to 8. */
    uint64_t alloc = s.resident ? (s.size + 7u) & ~(uint64_t)7u : s.alloc_size;
    st->st_blocks = (blkcnt_t)(alloc >> 9);
    fill_times(st, &ns);
    return 0;
}

/* ---- extended attributes ---- */

static const char *const sys_names[] = {
    "system.ntfs_attrib",        "system.ntfs_attrib_be", "system.ntfs_times",
    "system.ntfs_times_be",      "system.ntfs_crtime",    "system.ntfs_crtime_be",
    "system.ntfs_reparse_data",  "system.ntfs_dos_name",  "system.ntfs_object_id",
    "system.ntfs_ea",
};

bool ntxfs_xattr_known(const char *name)
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
    ntx_err rc = ntx_file_open_ref(&g.vol, ns->parent_ref, &dir);
    if (rc == NTX_OK)
        rc = ntx_dir_open(&it, &dir, 0);
    /* bound: the directory's entries (the iterator's own step budget) */
    while (rc == NTX_OK && (rc = ntx_dir_next(&it, &e)) == NTX_OK) {
        if (NTX_REF_MFT(e.mft_ref) != f->mft_no || (e.name_space & NTX_NS_DOS) == 0)
            continue;
        char name[3 * NTX_NAME_MAX + 1];
        size_t n = 0;
        int r = put_utf16(e.name, e.name_len, name, sizeof name, &n);
        return r != 0 ? r : give(name, n, buf, size, len);
    }
    if (rc != NTX_END)
        return ntxfs_core_fail("list directory", rc);
    return -ENODATA;
}

/* Named $DATA streams of f, each once (extents after the first are skipped). */
typedef int (*stream_fn)(void *ctx, const uint16_t *name, size_t n);

static int each_stream(const ntx_file *f, stream_fn fn, void *ctx)
{
    ntx_attr_iter it;
    ntx_attr_info ai;
    ntx_err rc = ntx_attr_iter_open(&it, f);
    /* bound: the file's attributes (the iterator's own bound) */
    while (rc == NTX_OK && (rc = ntx_attr_next(&it, &ai)) == NTX_OK) {
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
    int r = put_utf16(name, (int)n, tmp, sizeof tmp, &k);
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

int ntxfs_listxattr(const ntx_file *f, bool is_stream, char *buf, size_t size, size_t *len)
{
    name_list l = { buf, size, 0, "user.", '\0', false };
    *len = 0;
    if (is_stream || g.opt.streams != NTXFS_STREAMS_XATTR)
        return 0; /* as ntfs-3g: the system.ntfs_* names are not listed */
    int r = each_stream(f, add_name, &l);
    *len = l.len;
    return r;
}

int ntxfs_getxattr(const ntx_file *f, bool is_stream, const char *name, char *buf, size_t size,
                   size_t *len)
{
    uint8_t v[32];
    ntx_stat ns;
    ntx_err rc;
    *len = 0;
    if (strncmp(name, "system.ntfs_", 12) == 0 && is_stream)
        return -EINVAL; /* as ntfs-3g on a FILE:STREAM path */
    if (strcmp(name, "ntfs.streams.list") == 0) {
        name_list l = { buf, size, 0, "", '\0', true };
        int r = each_stream(f, add_name, &l);
        *len = l.len;
        return r;
    }
    if (strncmp(name, "user.", 5) == 0) {
        uint16_t u[NTX_NAME_MAX];
        size_t n;
        rc = ntx_utf8_to_utf16(name + 5, strlen(name + 5), u, NTX_NAME_MAX, &n, NTX_UTF16_WTF8);
        if (rc != NTX_OK)
            return -ENODATA;
        ntx_stream st;
        rc = ntx_stream_open(f, NTX_AT_DATA, u, n, &st);
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
        size_t done = 0;
        /* bound: done grows by got > 0 each pass, up to st.size */
        while (done < st.size) {
            size_t got = 0;
            rc = ntx_stream_read(&st, done, buf + done, (size_t)st.size - done, &got);
            if (rc != NTX_OK)
                return ntxfs_core_fail("read stream", rc);
            if (got == 0)
                return -EIO;
            done += got;
        }
        return 0;
    }

    rc = ntx_file_stat(f, &ns);
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
    int r = read_value(f, type, NULL, 0, sizeof g.scratch, &got);
    return r != 0 ? r : give(g.scratch, got, buf, size, len);
}

/* ---- statfs ---- */

/* Clear bits in $MFT's $BITMAP, and its allocated bits (ntfs-3g counts free
 * MFT records this way). A bitmap is a plain attribute value, counted here:
 * the core counts only $Bitmap (ntx_volume_count_free). */
static int mft_bitmap(uint64_t *bits, uint64_t *free_bits)
{
    ntx_file mft;
    ntx_stream s;
    static uint8_t buf[65536];
    ntx_err rc = ntx_file_open_ref(&g.vol, NTX_REF(NTX_MFT_MFT, 0), &mft);
    if (rc == NTX_OK)
        rc = ntx_stream_open(&mft, NTX_AT_BITMAP, NULL, 0, &s);
    if (rc != NTX_OK)
        return ntxfs_core_fail("open $MFT:$BITMAP", rc);
    uint64_t zero = 0, off = 0;
    /* bound: off grows by got > 0 each pass, up to s.size */
    while (off < s.size) {
        size_t got = 0;
        rc = ntx_stream_read(&s, off, buf, sizeof buf, &got);
        if (rc != NTX_OK)
            return ntxfs_core_fail("read $MFT:$BITMAP", rc);
        if (got == 0)
            break;
        for (size_t i = 0; i < got; i++)
            zero += 8u - (uint64_t)__builtin_popcount(buf[i]);
        off += got;
    }
    uint64_t alloc = s.resident ? (s.size + 7u) & ~(uint64_t)7u : s.alloc_size;
    *bits = alloc * 8u;
    *free_bits = zero + (alloc - s.size) * 8u;
    return 0;
}

int ntxfs_statfs(struct statvfs *sv)
{
    if (!g.have_counts) {
        static uint8_t buf[65536];
        ntx_err rc = ntx_volume_count_free(&g.vol, buf, sizeof buf, &g.free_clusters, NULL);
        if (rc != NTX_OK)
            return ntxfs_core_fail("count free clusters", rc);
        int r = mft_bitmap(&g.mft_bits, &g.mft_free_bits);
        if (r != 0)
            return r;
        g.have_counts = true;
    }
    const ntx_geometry *geo = &g.vol.geo;
    /* Records that would fit in the free space, as ntfs-3g adds them. */
    uint64_t extra = geo->record_size <= geo->cluster_size
                         ? g.free_clusters * (geo->cluster_size / geo->record_size)
                         : g.free_clusters / (geo->record_size / geo->cluster_size);
    memset(sv, 0, sizeof *sv);
    sv->f_bsize = geo->cluster_size;
    sv->f_frsize = geo->cluster_size;
    sv->f_blocks = geo->cluster_count;
    sv->f_bfree = g.free_clusters;
    sv->f_bavail = g.free_clusters;
    sv->f_files = g.mft_bits + extra;
    sv->f_ffree = g.mft_free_bits + extra;
    sv->f_favail = sv->f_ffree;
    sv->f_namemax = NTX_NAME_MAX;
    return 0;
}
