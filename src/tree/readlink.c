/*
 * reparse.c - $REPARSE_POINT (type 0xC0; MS-FSCC 2.1.2 REPARSE_DATA_BUFFER;
 * ntfs-3g layout.h REPARSE_POINT) and Interix symbolic links.
 *
 *   0x00 tag (u32)  0x04 data length (u16)  0x06 reserved  0x08 data
 * Symbolic link (0xA000000C) and mount point / junction (0xA0000003) data:
 *   0x08 substitute name offset, 0x0A its length, 0x0C print name offset,
 *   0x0E its length (u16 bytes, relative to the path buffer), then for a
 *   symbolic link 0x10 flags (u32, 1 = relative); the path buffer follows
 *   (0x10 for a junction, 0x14 for a symbolic link).
 * Older ntfs-3g wrote symbolic links as Interix files instead: the SYSTEM
 * attribute and a $DATA of "IntxLNK\1" followed by the UTF-16LE target.
 */
#include "../parse/attr.h"
#include "../base/diag.h"
#include "../base/mem.h"
#include "../mft/mft.h"
#include "../value/stream.h"
#include "../parse/stdinfo.h"
#include "../parse/unicode.h"

enum {
    RP_TAG = 0x00,
    RP_DATA_LENGTH = 0x04,
    RP_HEADER = 0x08,
    RP_SUBST_OFF = 0x08,
    RP_SUBST_LEN = 0x0A,
    RP_PRINT_OFF = 0x0C,
    RP_PRINT_LEN = 0x0E,
    RP_SYMLINK_FLAGS = 0x10,
    RP_JUNCTION_PATHS = 0x10,
    RP_SYMLINK_PATHS = 0x14,
};

#define INTERIX_MAGIC_LEN 8u

static ntx_err reparse_bad(ntx_volume *vol, uint64_t mft_no, uint32_t off)
{
    return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_REPARSE, mft_no, off);
}

/* Check a name (offset, length) against the path buffer [paths, end). */
static bool reparse_name_ok(const uint8_t *b, size_t paths, size_t end, unsigned off_field,
                            uint16_t *off, uint16_t *len)
{
    size_t o = ntx_le16(b + off_field), n = ntx_le16(b + off_field + 2);
    if ((n & 1u) != 0 || paths > end || o > end - paths || n > end - paths - o)
        return false;
    *off = (uint16_t)(paths + o);
    *len = (uint16_t)n;
    return true;
}

/*
 * Decode the name of len bytes at off in buf to UTF-8 at buf + *at (cap
 * bytes in all), NUL-terminated; *at moves past it. A U+0000 inside the name
 * (possible on a damaged volume) becomes a 0 byte, which *name_len counts:
 * the name is given whole, and a consumer of C strings sees where it stops.
 */
static ntx_err reparse_name_utf8(void *buf, size_t cap, uint16_t off, uint16_t len, size_t *at,
                                 const char **name, size_t *name_len)
{
    const uint8_t *src = (const uint8_t *)buf + off;
    char *dst = (char *)buf + *at;
    size_t units = len / 2u, room = cap > *at ? cap - *at : 0, out = 0, i = 0;
    /* bound: each pass converts the units up to the next U+0000 and moves i
     * past it, or ends at the last unit */
    for (;;) {
        size_t j = i, part;
        while (j < units && ntx_le16(src + 2u * j) != 0)
            j++;
        if (room <= out)
            return NTX_E_BUFFER;
        ntx_err rc = ntx_utf16le_to_utf8(src + 2u * i, j - i, dst + out, room - out, &part,
                                         NTX_UTF16_WTF8);
        if (rc != NTX_OK)
            return rc;
        out += part;
        if (j == units)
            break;
        out++; /* the 0 byte already written after the part stands for the U+0000 */
        i = j + 1u;
    }
    *name = dst;
    *name_len = out;
    *at += out + 1u;
    return NTX_OK;
}

ntx_err ntx_file_reparse(const ntx_file *f, void *buf, size_t cap, ntx_reparse *rp)
{
    if (f == NULL || buf == NULL || rp == NULL)
        return NTX_E_ARG;
    ntx_volume *vol = f->vol;
    if (!ntx_volume_handle_live(vol, f->gen))
        return NTX_E_STALE;
    ntx_stream *s = &vol->tmp_stream;
    ntx_err rc = ntx_stream_init(vol, f->mft_no, NTX_AT_REPARSE_POINT, NULL, 0, f->open_flags, s);
    if (rc != NTX_OK)
        return rc;
    /* R41: the value is at most 16 KiB of data plus its header. */
    if (s->size < RP_HEADER || s->size > NTX_REPARSE_MAX)
        return reparse_bad(vol, f->mft_no, 0);
    if (s->size > cap)
        return NTX_E_BUFFER;
    size_t size = (size_t)s->size;
    rc = ntx_stream_read_exact(s, 0, buf, size);
    if (rc != NTX_OK)
        return rc;

    const uint8_t *b = buf;
    ntx_mem_zero(rp, sizeof *rp);
    rp->tag = ntx_le32(b + RP_TAG);
    rp->value_len = (uint32_t)size;
    rp->data_len = ntx_le16(b + RP_DATA_LENGTH);
    if (RP_HEADER + (size_t)rp->data_len > size)
        return reparse_bad(vol, f->mft_no, RP_DATA_LENGTH);
    size_t end = RP_HEADER + (size_t)rp->data_len;

    if (rp->tag == NTX_REPARSE_SYMLINK || rp->tag == NTX_REPARSE_MOUNT_POINT) {
        size_t paths = rp->tag == NTX_REPARSE_SYMLINK ? RP_SYMLINK_PATHS : RP_JUNCTION_PATHS;
        if (end < paths ||
            !reparse_name_ok(b, paths, end, RP_SUBST_OFF, &rp->subst_off, &rp->subst_len) ||
            !reparse_name_ok(b, paths, end, RP_PRINT_OFF, &rp->print_off, &rp->print_len))
            return reparse_bad(vol, f->mft_no, RP_SUBST_OFF);
        if (rp->tag == NTX_REPARSE_SYMLINK)
            rp->flags = ntx_le32(b + RP_SYMLINK_FLAGS);
        /* Both names decoded after the raw value, losslessly (WTF-8): the
         * front-ends print and map targets, they do not decode UTF-16. */
        size_t at = size;
        rc = reparse_name_utf8(buf, cap, rp->subst_off, rp->subst_len, &at, &rp->subst,
                               &rp->subst_utf8_len);
        if (rc == NTX_OK)
            rc = reparse_name_utf8(buf, cap, rp->print_off, rp->print_len, &at, &rp->print,
                                   &rp->print_utf8_len);
        if (rc != NTX_OK)
            return rc;
    }
    return NTX_OK;
}

/* A Windows link target as a path: an NT prefix \??\ dropped and every
 * backslash made '/' (ASCII both, so the UTF-8 bytes are mapped one by one). */
static ntx_err reparse_windows_path(const ntx_file *f, const char *name, size_t n, char *out,
                                    size_t cap, size_t *len)
{
    if (n >= 4 && name[0] == '\\' && name[1] == '?' && name[2] == '?' && name[3] == '\\') {
        name += 4;
        n -= 4;
    }
    if (n >= cap)
        return NTX_E_BUFFER;
    /* bound: i counts the name's bytes */
    for (size_t i = 0; i < n; i++) {
        if (name[i] == 0) /* a U+0000 in the target: no path */
            return ntx_fail(f->vol, NTX_E_CORRUPT, NTX_CHK_REPARSE, f->mft_no, 0);
        out[i] = name[i] == '\\' ? '/' : name[i];
    }
    out[n] = 0;
    *len = n;
    return NTX_OK;
}

/* Is f a SYSTEM file? Its $STANDARD_INFORMATION is in the base record. */
static ntx_err reparse_is_system(const ntx_file *f, bool *system)
{
    const uint8_t *rec, *a;
    uint32_t off, attrs;
    ntx_err rc = ntx_record_get(f->vol, f->mft_no, &rec);
    if (rc != NTX_OK)
        return rc;
    a = ntx_rec_find_attr(rec, NTX_AT_STANDARD_INFORMATION, NULL, 0, &off);
    if (a == NULL || !ntx_attr_is_resident(a) ||
        ntx_stdinfo_file_attrs(ntx_attr_value(a), &attrs) != NTX_OK)
        return ntx_fail(f->vol, NTX_E_CORRUPT, NTX_CHK_STD_INFO, f->mft_no, 0);
    *system = (attrs & NTX_FA_SYSTEM) != 0;
    return NTX_OK;
}

/* An Interix symbolic link: a SYSTEM file whose data starts "IntxLNK\1". */
static ntx_err reparse_interix(const ntx_file *f, uint8_t *scratch, size_t scratch_len, char *out,
                               size_t cap, size_t *len)
{
    static const uint8_t magic[INTERIX_MAGIC_LEN] = { 'I', 'n', 't', 'x', 'L', 'N', 'K', 1 };
    ntx_volume *vol = f->vol;
    ntx_stream *s = &vol->tmp_stream;
    bool system = false;
    if ((f->rec_flags & REC_FLAG_DIRECTORY) != 0)
        return NTX_E_NOT_FOUND;
    ntx_err rc = reparse_is_system(f, &system);
    if (rc != NTX_OK)
        return rc;
    if (!system)
        return NTX_E_NOT_FOUND;
    rc = ntx_stream_init(vol, f->mft_no, NTX_AT_DATA, NULL, 0, f->open_flags, s);
    if (rc != NTX_OK)
        return rc;
    uint64_t size = s->size;
    if (size < INTERIX_MAGIC_LEN + 2u || size > scratch_len || (size & 1u) != 0)
        return NTX_E_NOT_FOUND;
    rc = ntx_stream_read_exact(s, 0, scratch, (size_t)size);
    if (rc != NTX_OK)
        return rc;
    if (!ntx_mem_equal(scratch, magic, INTERIX_MAGIC_LEN))
        return NTX_E_NOT_FOUND;
    /* Interix targets are POSIX paths already, returned as stored */
    return ntx_utf16le_to_utf8(scratch + INTERIX_MAGIC_LEN,
                               ((size_t)size - INTERIX_MAGIC_LEN) / 2u, out, cap, len,
                               NTX_UTF16_WTF8);
}

ntx_err ntx_file_readlink(const ntx_file *f, void *scratch, size_t scratch_len, char *out,
                          size_t cap, size_t *len)
{
    if (f == NULL || scratch == NULL || out == NULL || len == NULL)
        return NTX_E_ARG;
    ntx_reparse rp;
    ntx_err rc = ntx_file_reparse(f, scratch, scratch_len, &rp);
    if (rc == NTX_OK) {
        if (rp.tag != NTX_REPARSE_SYMLINK && rp.tag != NTX_REPARSE_MOUNT_POINT)
            return NTX_E_NOT_FOUND;
        return reparse_windows_path(f, rp.subst, rp.subst_utf8_len, out, cap, len);
    }
    if (rc == NTX_E_NOT_FOUND)
        return reparse_interix(f, scratch, scratch_len, out, cap, len);
    return rc;
}
