/*
 * attrlist.c - $ATTRIBUTE_LIST (type 0x20): where a file's attributes live
 * when they do not fit in its base record (ntfs-3g layout.h ATTR_LIST_ENTRY;
 * libfsntfs "Attribute list").
 *
 * Entry layout:
 *   0x00 type (u32)  0x04 entry length (u16, 8-aligned)  0x06 name length (u8)
 *   0x07 name offset (u8)  0x08 lowest VCN (u64)  0x10 MFT reference of the
 *   record holding the attribute (u64)  0x18 attribute instance (u16)
 *   0x1A name (UTF-16LE)
 * The list is itself an attribute of the base record, resident or not; it is
 * never split, and lists found inside extension records are ignored, which
 * is what keeps lookups free of cycles (HOSTILE R24).
 */
#include "attrlist.h"

#include "attr.h"
#include "diag.h"
#include "mem.h"
#include "runlist.h"

#if NTX_WITH_ATTRLIST

enum {
    AL_TYPE = 0x00,
    AL_LENGTH = 0x04,
    AL_NAME_LENGTH = 0x06,
    AL_NAME_OFFSET = 0x07,
    AL_LOWEST_VCN = 0x08,
    AL_MFT_REF = 0x10,
    AL_INSTANCE = 0x18,
    AL_HEADER = 0x1A,
    /* largest entry: header plus 255 name units, 8-aligned */
    AL_MAX_ENTRY = (AL_HEADER + 2 * 255 + 7) & ~7,
};

uint64_t ntx_alist_size(const uint8_t *a)
{
    return ntx_attr_is_resident(a) ? ntx_attr_value(a).len : ntx_attr_data_size(a);
}

static ntx_err alist_bad(ntx_volume *vol, ntx_check check, uint64_t base_no, uint32_t pos)
{
    return ntx_fail(vol, NTX_E_ATTRLIST, check, base_no, pos);
}

/* The bytes [pos, pos + want) of a non-resident list, through the window. */
static ntx_err alist_window(ntx_volume *vol, const uint8_t *al, uint64_t base_no, uint32_t pos,
                            uint32_t avail, const uint8_t **p)
{
    uint32_t want = avail < AL_MAX_ENTRY ? avail : AL_MAX_ENTRY;
    if (vol->al_win_rec != base_no || pos < vol->al_win_off ||
        pos + want > vol->al_win_off + vol->al_win_size) {
        uint32_t n = avail < NTX_ALIST_WINDOW ? avail : NTX_ALIST_WINDOW;
        vol->al_win_rec = NTX_NO_RECORD;
        ntx_err rc = ntx_runlist_read(vol, al, base_no, pos, vol->al_win, n);
        if (rc != NTX_OK)
            return rc;
        vol->al_win_rec = base_no;
        vol->al_win_off = pos;
        vol->al_win_size = n;
    }
    *p = vol->al_win + (pos - vol->al_win_off);
    return NTX_OK;
}

ntx_err ntx_alist_entry_at(ntx_volume *vol, const uint8_t *al, uint64_t base_no, uint32_t pos,
                           ntx_alist_entry *e, const uint8_t **name)
{
    uint64_t size = ntx_alist_size(al);
    if (size > NTX_MAX_ATTRLIST_SIZE)
        return alist_bad(vol, NTX_CHK_ALIST_SIZE, base_no, 0);
    if (pos >= size)
        return NTX_END;

    uint32_t avail = (uint32_t)size - pos;
    const uint8_t *p;
    if (ntx_attr_is_resident(al)) {
        p = ntx_attr_value(al).p + pos;
    } else {
        ntx_err rc = alist_window(vol, al, base_no, pos, avail, &p);
        if (rc != NTX_OK)
            return rc;
    }

    if (avail < AL_HEADER)
        return alist_bad(vol, NTX_CHK_ALIST_ENTRY, base_no, pos);
    uint32_t len = ntx_le16(p + AL_LENGTH);
    uint32_t name_len = p[AL_NAME_LENGTH];
    uint32_t name_off = p[AL_NAME_OFFSET];
    /* A zero or short length loops or overlaps (CVE-2021-39258). */
    if (len < AL_HEADER || (len & 7u) != 0 || len > avail || len > AL_MAX_ENTRY ||
        (name_len != 0 && (name_off < AL_HEADER || name_off + 2u * name_len > len)))
        return alist_bad(vol, NTX_CHK_ALIST_ENTRY, base_no, pos);

    e->type = ntx_le32(p + AL_TYPE);
    e->length = (uint16_t)len;
    e->name_len = (uint8_t)name_len;
    e->lowest_vcn = ntx_le64(p + AL_LOWEST_VCN);
    e->ref = ntx_le64(p + AL_MFT_REF);
    e->instance = ntx_le16(p + AL_INSTANCE);
    *name = p + name_off;
    return NTX_OK;
}

ntx_err ntx_alist_find(ntx_volume *vol, const uint8_t *al, uint64_t base_no,
                       const ntx_alist_query *q, uint64_t vcn, ntx_alist_entry *best)
{
    bool found = false;
    uint32_t pos = 0;

    /* bound: pos grows by an entry length >= 0x20 and the list is capped at
     * NTX_MAX_ATTRLIST_SIZE */
    for (;;) {
        ntx_alist_entry e;
        const uint8_t *ename = NULL;
        ntx_err rc = ntx_alist_entry_at(vol, al, base_no, pos, &e, &ename);
        if (rc == NTX_END || (rc == NTX_E_ATTRLIST && q->deleted))
            break;
        if (rc != NTX_OK)
            return rc;
        if (e.type == q->type && e.name_len == q->name_len && e.lowest_vcn <= vcn &&
            (!found || e.lowest_vcn >= best->lowest_vcn) &&
            ntx_name_equal_disk(ename, q->name, q->name_len)) {
            ntx_mem_copy(best, &e, sizeof e);
            found = true;
        }
        pos += e.length;
    }
    return found ? NTX_OK : NTX_E_NOT_FOUND;
}

#endif /* NTX_WITH_ATTRLIST */
