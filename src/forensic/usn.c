/*
 * usn.c - the change journal: $Extend/$UsnJrnl's $J stream, a sequence of
 * USN_RECORD_V2/V3 (MS-FSCC 2.4... ; Windows winioctl.h USN_RECORD_V2/V3;
 * libfsntfs "USN change journal"), 8-byte aligned. The journal's head is
 * discarded by making it sparse, and a record never crosses a 4 KiB page:
 * the rest of a page is zero padding.
 *
 * V2: 0x00 record length (u32)  0x04 major (u16)  0x06 minor  0x08 file
 *   reference (u64)  0x10 parent reference (u64)  0x18 USN (u64)  0x20 time
 *   (u64)  0x28 reason  0x2C source info  0x30 security id  0x34 file
 *   attributes (u32)  0x38 name length in bytes (u16)  0x3A name offset (u16)
 * V3 widens the references to 128 bits: 0x08 file id, 0x18 parent id, then
 *   0x28 USN  0x30 time  0x38 reason  0x3C source  0x40 security  0x44
 *   attributes  0x48 name length  0x4A name offset.
 */
#include "../base/diag.h"
#include "../base/mem.h"
#include "../value/stream.h"
#include "ntx/forensic.h"

enum {
    USN_LENGTH = 0x00,
    USN_MAJOR = 0x04,
    USN_MINOR = 0x06,
    USN_V2_HEADER = 0x3C,
    USN_V3_HEADER = 0x4C,
    USN_PAGE = 4096,
};

/* Field offsets that differ between versions 2 and 3. */
typedef struct usn_layout {
    uint8_t file, parent, usn, time, reason, source, security, attrs, name_len, name_off, header;
} usn_layout;

static const usn_layout usn_v2 = {0x08, 0x10, 0x18, 0x20, 0x28, 0x2C, 0x30, 0x34, 0x38, 0x3A, 0x3C};
static const usn_layout usn_v3 = {0x08, 0x18, 0x28, 0x30, 0x38, 0x3C, 0x40, 0x44, 0x48, 0x4A, 0x4C};

/* Decode the record at p (avail bytes, its length already checked). */
static ntx_err usn_decode(const uint8_t *p, uint32_t len, ntx_usn_record *r)
{
    uint16_t major = ntx_le16(p + USN_MAJOR);
    const usn_layout *l = major == 2 ? &usn_v2 : major == 3 ? &usn_v3 : NULL;
    if (l == NULL || len < l->header)
        return NTX_E_CORRUPT;
    uint32_t name_len = ntx_le16(p + l->name_len), name_off = ntx_le16(p + l->name_off);
    if ((name_len & 1u) != 0 || name_len / 2u > NTX_NAME_MAX || name_off < l->header ||
        name_off > len || name_len > len - name_off)
        return NTX_E_CORRUPT;
    ntx_mem_zero(r, sizeof *r);
    r->length = len;
    r->major = major;
    r->minor = ntx_le16(p + USN_MINOR);
    r->file_ref = ntx_le64(p + l->file);
    r->parent_ref = ntx_le64(p + l->parent);
    r->usn = ntx_le64(p + l->usn);
    r->time = ntx_le64(p + l->time);
    r->reason = ntx_le32(p + l->reason);
    r->source_info = ntx_le32(p + l->source);
    r->security_id = ntx_le32(p + l->security);
    r->file_attrs = ntx_le32(p + l->attrs);
    r->name_len = (uint8_t)(name_len / 2u);
    for (unsigned i = 0; i < r->name_len; i++)
        r->name[i] = ntx_le16(p + name_off + 2 * i);
    return NTX_OK;
}

/* The first byte at or after pos that is not in a sparse run (or the end). */
static ntx_err usn_skip_holes(ntx_stream *s, uint64_t *pos)
{
    const unsigned cs = s->vol->cluster_shift;
    if (s->resident)
        return NTX_OK;
    /* bound: each pass moves past one sparse run or stops */
    while (*pos < s->size) {
        ntx_run run;
        ntx_err rc = ntx_stream_map(s, *pos >> cs, &run);
        if (rc != NTX_OK)
            return rc;
        if (run.lcn != NTX_LCN_HOLE)
            return NTX_OK;
        *pos = (run.vcn + run.len) << cs;
    }
    return NTX_OK;
}

/*
 * What the bytes at b (got of them, to the end of their page at most) hold:
 * NTX_OK, a record of *adv bytes decoded into *rec; NTX_END, *adv bytes of
 * zero padding to skip (to the next page, or to the next 8 bytes when the
 * padding does not reach the page end); NTX_E_CORRUPT, a record that cannot be.
 */
static ntx_err usn_at(const uint8_t *b, size_t got, size_t *adv, ntx_usn_record *rec)
{
    uint32_t len = got >= 4 ? ntx_le32(b + USN_LENGTH) : 0;
    if (len == 0) {
        size_t z = 8;
        /* bound: z grows by 8 up to got */
        while (z < got && got - z >= 4u && ntx_le32(b + z) == 0)
            z += 8;
        *adv = z < got ? z : got;
        return NTX_END;
    }
    if (len < USN_V2_HEADER || (len & 7u) != 0 || len > got)
        return NTX_E_CORRUPT;
    ntx_err rc = usn_decode(b, len, rec);
    *adv = len;
    return rc;
}

ntx_err ntx_usn_next(ntx_stream *s, uint64_t *pos, void *buf, size_t cap, ntx_usn_record *rec)
{
    uint8_t *b = buf;
    if (s == NULL || pos == NULL || buf == NULL || cap < USN_PAGE || rec == NULL)
        return NTX_E_ARG;
    if (!ntx_volume_handle_live(s->vol, s->gen))
        return NTX_E_STALE;
    uint64_t p = (*pos + 7u) & ~(uint64_t)7u;
    /* bound: p grows by at least 8 bytes per pass, up to the stream size */
    while (p < s->size) {
        ntx_err rc = usn_skip_holes(s, &p);
        if (rc != NTX_OK)
            return rc;
        if (p >= s->size)
            break;
        /* Records never cross a page: read to the end of this one. */
        size_t n = (size_t)ntx_min_u64(USN_PAGE - (p % USN_PAGE), s->size - p);
        size_t got, adv;
        rc = ntx_stream_read(s, p, b, n, &got);
        if (rc != NTX_OK)
            return rc;
        rc = usn_at(b, got, &adv, rec);
        if (rc == NTX_END) {
            p += adv;
            continue;
        }
        if (rc != NTX_OK) {
            *pos = p;
            return ntx_fail(s->vol, rc, NTX_CHK_USN_RECORD, s->mft_no, p);
        }
        *pos = p + adv;
        return NTX_OK;
    }
    *pos = s->size;
    return NTX_END;
}

ntx_err ntx_usn_parse(const void *buf, size_t len, size_t *pos, ntx_usn_record *rec)
{
    const uint8_t *b = buf;
    if (buf == NULL || pos == NULL || rec == NULL)
        return NTX_E_ARG;
    size_t p = (*pos + 7u) & ~(size_t)7u;
    if (p < *pos) /* *pos within 7 of SIZE_MAX */
        p = len;
    /* bound: p grows by at least 8 bytes per pass, up to len */
    while (p < len) {
        size_t page_end = (p | (USN_PAGE - 1u)) + 1u;
        size_t n = page_end < len && page_end > p ? page_end - p : len - p;
        size_t adv;
        ntx_err rc = usn_at(b + p, n, &adv, rec);
        if (rc == NTX_END) {
            p += adv;
            continue;
        }
        if (rc != NTX_OK) {
            *pos = p;
            return rc;
        }
        *pos = p + adv;
        return NTX_OK;
    }
    *pos = len;
    return NTX_END;
}

/* The reason flags by bit number (winioctl.h USN_REASON_*); "": none.
 * An array of names, not of pointers: read-only data without relocations. */
static const char usn_reason_names[32][22] = {
    "DATA_OVERWRITE", "DATA_EXTEND", "DATA_TRUNCATION", "",
    "NAMED_DATA_OVERWRITE", "NAMED_DATA_EXTEND", "NAMED_DATA_TRUNCATION", "",
    "FILE_CREATE", "FILE_DELETE", "EA_CHANGE", "SECURITY_CHANGE",
    "RENAME_OLD_NAME", "RENAME_NEW_NAME", "INDEXABLE_CHANGE", "BASIC_INFO_CHANGE",
    "HARD_LINK_CHANGE", "COMPRESSION_CHANGE", "ENCRYPTION_CHANGE", "OBJECT_ID_CHANGE",
    "REPARSE_POINT_CHANGE", "STREAM_CHANGE", "TRANSACTED_CHANGE", "INTEGRITY_CHANGE",
    "", "", "", "", "", "", "", "CLOSE",
};

const char *ntx_usn_reason_name(uint32_t bit)
{
    if (bit == 0 || (bit & (bit - 1u)) != 0)
        return NULL;
    /* bound: 32 bits */
    for (unsigned k = 0; k < 32u; k++)
        if (bit == (1u << k))
            return usn_reason_names[k][0] != '\0' ? usn_reason_names[k] : NULL;
    return NULL;
}
