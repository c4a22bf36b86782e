/*
 * links.c - symbolic links and special files as ntfs-3g shows them: the
 * targets of reparse points (symbolic links, junctions, WSL links), and
 * the Interix and WSL FIFOs, sockets and devices.
 *
 * Everything here is called with g.lock held: it makes core calls and uses
 * g.scratch.
 *
 * The model is ntfs-3g 2022.10.3 (Debian 12) on a read-only mount: its
 * libntfs-3g/reparse.c for link targets (ntfs_make_symlink() and what it
 * calls, whose names the comments give), src/ntfs-3g.c for special files.
 * tests/fuse/ compares both side by side on the fixtures.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "ntxfs.h"

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

/* $STANDARD_INFORMATION file attributes; 0 if they cannot be read. */
static uint32_t file_attrs(const ntx_file *f)
{
    ntx_stat ns;
    return ntx_file_stat(f, &ns) == NTX_OK ? ns.dos_attrs : 0;
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
    return ntx_file_open(out, &g.vol, e.mft_ref, 0) == NTX_OK;
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
    return ntx_file_open(&root, &g.vol, NTX_REF(NTX_MFT_ROOT, 0), 0) == NTX_OK &&
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
    if (ntx_file_open(&cur, &g.vol, NTX_REF(NTX_MFT_ROOT, 0), 0) != NTX_OK)
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
               ntx_file_open(&cur, &g.vol, ref, 0) == NTX_OK;
        if (have) {
            attrs = file_attrs(&cur);
            start += len;
            if (start < count)
                path[start++] = '/';
        }
    } while (have && ntxfs_is_dir(&cur) && (attrs & NTX_FA_REPARSE) == 0 && start < count);
    return have &&
           ((ntxfs_is_dir(&cur) ? link_is_dir : !link_is_dir) || (attrs & NTX_FA_REPARSE) != 0);
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
        ntx_file_open(&cur, &g.vol, ns.parent_ref, 0) != NTX_OK)
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
                 ntx_file_open(&cur, &g.vol, ds.parent_ref, 0) == NTX_OK;
        } else {
            int lth = 0;
            while (pos + lth < count && path[pos + lth] != '\\')
                lth++;
            uint64_t ref;
            if (lth == 0 || !fix_name(&cur, path + pos, (size_t)lth, &ref) ||
                ntx_file_open(&cur, &g.vol, ref, 0) != NTX_OK) {
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
        rc = ntxfs_put_utf16(t, n, out, cap, len);
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
    return rc == 0 ? ntxfs_put_utf16(t, n, out, cap, len) : rc;
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

/* ntfs-3g ntfs_make_symlink() (see ntxfs.h). */
int ntxfs_reparse_link(const ntx_file *f, uint32_t *tag, char *out, size_t cap, size_t *len)
{
    static uint16_t units[NTX_REPARSE_MAX / 2];
    ntx_reparse rp;
    *len = 0;
    *tag = 0;
    ntx_err rc = ntx_file_reparse(f, g.scratch, sizeof g.scratch, &rp);
    if (rc == NTX_E_NOT_FOUND || rc == NTX_E_CORRUPT)
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
    /* ntfs-3g maps targets unit by unit (case fixed through $UpCase): the
     * core's UTF-8 back to units, losslessly (WTF-8) */
    size_t n = 0;
    if (ntx_utf8_to_utf16(rp.subst, rp.subst_utf8_len, units, NTX_REPARSE_MAX / 2, &n,
                          NTX_UTF16_WTF8) != NTX_OK)
        return 1; /* a U+0000 in the name: not a target ntfs-3g can map either */
    int count = (int)n;
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
            r = ntxfs_put_utf16(units, count, out, cap, len);
    }
    if (r == 1)
        *len = 0;
    return r;
}

/* ---- reparse points that place data rather than link ---- */

/*
 * Tags whose reparse point says where the file's bytes are, not that the
 * file is a link: WOF (CompactOS compression in WofCompressedData, or a
 * WIM file with WIMBoot), Data Deduplication, cloud placeholders, HSM. The
 * core reads the first kind as the uncompressed bytes and refuses the
 * others with NTX_E_EXTERNAL; ntxfs shows both as regular files, as
 * ntfs-3g's system compression plugin shows WOF files. (Without its
 * plugins ntfs-3g shows them as links to "unsupported reparse tag", which
 * hides a file Windows shows as a plain one.)
 */
bool ntxfs_reparse_places_data(uint32_t tag)
{
    return tag == NTX_REPARSE_WOF || tag == NTX_REPARSE_DEDUP || tag == NTX_REPARSE_HSM ||
           tag == NTX_REPARSE_HSM2 || NTX_REPARSE_IS_CLOUD(tag);
}

/* ---- WSL special files ---- */

mode_t ntxfs_wsl_type(uint32_t tag)
{
    switch (tag) {
    case TAG_AF_UNIX:
        return S_IFSOCK;
    case TAG_LX_FIFO:
        return S_IFIFO;
    case TAG_LX_CHR:
        return S_IFCHR;
    case TAG_LX_BLK:
        return S_IFBLK;
    default:
        return 0;
    }
}

static unsigned get_le32(const uint8_t *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8 | (unsigned)p[2] << 16 | (unsigned)p[3] << 24;
}

/*
 * WSL keeps a device file's number in the extended attribute $LXDEV of the
 * file's $EA: major, then minor, 32 bits each, little-endian. The core walks
 * the $EA entries (ntx_ea_next() checks every length); the value's
 * meaning is WSL's, read here.
 */
dev_t ntxfs_wsl_rdev(const ntx_file *f)
{
    size_t n, pos = 0;
    ntx_ea ea;
    if (ntxfs_read_value(f, NTX_AT_EA, NULL, 0, 65536, &n) != 0)
        return 0;
    /* bound: ntx_ea_next() moves pos forward each entry, to n at most */
    while (ntx_ea_next(g.scratch, n, &pos, &ea) == NTX_OK)
        if (ea.name_len == 6 && memcmp(ea.name, "$LXDEV", 6) == 0 && ea.value_len >= 8)
            return makedev(get_le32(ea.value), get_le32(ea.value + 4));
    return 0;
}

/* ---- Interix special files ---- */

/* The type is in the file's data (see ntxfs.h). */
int ntxfs_interix(const ntx_file *f, const ntx_stat *ns, mode_t *type, dev_t *rdev, char *out,
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
    int rc = ntxfs_read_value(f, NTX_AT_DATA, NULL, 0, INTX_MAX_SIZE, &n);
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
        rc = ntxfs_put_utf16(u, count, out, cap, &l);
        if (rc != 0)
            return rc;
        *type = S_IFLNK;
        *len = l;
    }
    return 0;
}

/* ---- readlink ---- */

int ntxfs_link_target(const ntx_file *f, char *out, size_t cap, size_t *len)
{
    ntx_stat ns;
    ntx_err rc = ntx_file_stat(f, &ns);
    if (rc != NTX_OK)
        return ntxfs_core_fail("stat", rc);
    *len = 0;
    if (ns.dos_attrs & NTX_FA_REPARSE) {
        uint32_t tag;
        int r = ntxfs_reparse_link(f, &tag, out, cap, len);
        if (r < 0)
            return r;
        if (r == 1)
            *len = (size_t)snprintf(out, cap, NTXFS_BAD_REPARSE_FMT, (unsigned long)tag);
        return 0;
    }
    if (!ntxfs_is_dir(f) && (ns.dos_attrs & NTX_FA_SYSTEM)) {
        mode_t type;
        dev_t rdev;
        int r = ntxfs_interix(f, &ns, &type, &rdev, out, cap, len);
        if (r < 0)
            return r;
        if (r == 0 && type == S_IFLNK)
            return 0;
    }
    return -EINVAL;
}

