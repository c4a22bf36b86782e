/*
 * attr.c - the attribute record header (ATTR_RECORD in ntfs-3g layout.h;
 * libfsntfs "MFT attribute").
 *
 *   0x00 type (u32)  0x04 length (u32)  0x08 non-resident (u8)
 *   0x09 name length in UTF-16 units (u8)  0x0A name offset (u16)
 *   0x0C flags (u16: 0x0001 compressed, 0x4000 encrypted, 0x8000 sparse)
 *   0x0E instance (u16)
 * resident:     0x10 value length (u32)  0x14 value offset (u16)
 * non-resident: 0x10 lowest VCN  0x18 highest VCN  0x20 mapping pairs
 *   offset (u16)  0x22 compression unit (u8, log2 clusters)  0x28 allocated
 *   size  0x30 data size  0x38 initialized size  [0x40 compressed size]
 *
 * Every check a later accessor relies on is made here, once, when the record
 * is loaded (HOSTILE.md R10-R15).
 */
#include "attr.h"

#include "attrlist.h"
#include "diag.h"
#include "mem.h"
#include "record.h"
#include "stream.h"
#include "ntx/file.h"
#include "ntx/forensic.h"

static ntx_err attr_bad(ntx_check *check, ntx_check which)
{
    return ntx_invalid(check, which, NTX_E_ATTR);
}

static ntx_err attr_check_nonresident(const uint8_t *a, uint32_t len, unsigned cluster_shift,
                                      ntx_check *check)
{
    if (len < ATTR_NONRESIDENT_HEADER)
        return attr_bad(check, NTX_CHK_ATTR_NONRES_HEADER);

    uint32_t mp = ntx_le16(a + ATTR_MAPPING_PAIRS_OFFSET);
    if (mp < ATTR_NONRESIDENT_HEADER || mp > len)
        return attr_bad(check, NTX_CHK_ATTR_NONRES_HEADER);

    uint64_t lowest = ntx_le64(a + ATTR_LOWEST_VCN);
    uint64_t highest = ntx_le64(a + ATTR_HIGHEST_VCN);
    /* VCNs whose byte offset would not fit in 63 bits cannot describe real
     * data; refusing them keeps every later (vcn + 1) << cluster_shift in
     * range. highest may be -1 for an empty extent: lowest <= highest + 1 (R15). */
    uint64_t max_vcn = ((uint64_t)1 << (63u - cluster_shift)) - 1u;
    if (lowest > max_vcn || (highest != UINT64_MAX && highest >= max_vcn) ||
        (highest != UINT64_MAX && lowest > highest + 1u) || (highest == UINT64_MAX && lowest != 0))
        return attr_bad(check, NTX_CHK_ATTR_NONRES_HEADER);

    if (lowest == 0) {
        /* Only the first extent carries meaningful sizes. */
        uint64_t alloc = ntx_attr_alloc_size(a);
        uint64_t data = ntx_attr_data_size(a);
        uint64_t init = ntx_attr_init_size(a);
        uint64_t mask = ((uint64_t)1 << cluster_shift) - 1u;
        if (alloc > (uint64_t)INT64_MAX || (alloc & mask) != 0 || data > alloc ||
            init > data)
            return attr_bad(check, NTX_CHK_ATTR_SIZES);
    }
    return NTX_OK;
}

ntx_err ntx_attr_check(const uint8_t *a, size_t room, unsigned cluster_shift, ntx_check *check)
{
    if (room < ATTR_RESIDENT_HEADER)
        return attr_bad(check, NTX_CHK_ATTR_LENGTH);

    uint32_t type = ntx_attr_type(a);
    uint32_t len = ntx_attr_length(a);
    /* A zero length loops forever (GRUB 272ff81c); wrap-around reads past
     * the record (CVE-2022-50841): length is at least a header, 8-aligned,
     * and inside the bytes in use. */
    if (len < ATTR_RESIDENT_HEADER || (len & 7u) != 0 || len > room)
        return attr_bad(check, NTX_CHK_ATTR_LENGTH);
    /* Types are multiples of 0x10 up to $LOGGED_UTILITY_STREAM (0x100): the
     * read-only core knows them all and ignores $AttrDef (R11, R37). */
    if (type == 0 || (type & 0xFu) != 0 || type > NTX_AT_LOGGED_UTILITY_STREAM)
        return attr_bad(check, NTX_CHK_ATTR_ORDER);

    uint8_t non_resident = a[ATTR_NON_RESIDENT];
    if (non_resident > 1)
        return attr_bad(check, NTX_CHK_ATTR_NONRES_HEADER);

    uint32_t name_len = ntx_attr_name_len(a);
    if (name_len != 0) {
        uint32_t name_off = ntx_le16(a + ATTR_NAME_OFFSET);
        uint32_t header = non_resident ? ATTR_NONRESIDENT_HEADER : ATTR_RESIDENT_HEADER;
        if (name_off < header || name_off > len || 2u * name_len > len - name_off)
            return attr_bad(check, NTX_CHK_ATTR_NAME);
    }

    if (non_resident)
        return attr_check_nonresident(a, len, cluster_shift, check);

    uint32_t value_off = ntx_le16(a + ATTR_VALUE_OFFSET);
    uint32_t value_len = ntx_le32(a + ATTR_VALUE_LENGTH);
    /* The offset is a u16 (reading it as u32 was CVE-2023-4693's cousin). */
    if (value_off > len || value_len > len - value_off ||
        (value_len != 0 && value_off < ATTR_RESIDENT_HEADER))
        return attr_bad(check, NTX_CHK_ATTR_RESIDENT_VALUE);
    return NTX_OK;
}

bool ntx_name_equal_disk(const uint8_t *p, const uint16_t *name, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ntx_le16(p + 2 * i) != name[i])
            return false;
    return true;
}

bool ntx_attr_matches(const uint8_t *a, uint32_t type, const uint16_t *name, size_t name_len)
{
    return ntx_attr_type(a) == type && ntx_attr_name_len(a) == name_len &&
           ntx_name_equal_disk(ntx_attr_name(a), name, name_len);
}

/* ---- listing a file's attributes across its records ---- */

void ntx_attr_iter_start(ntx_attr_iter *it, ntx_volume *vol, uint64_t mft_no)
{
    ntx_mem_zero(it, sizeof *it);
    it->vol = vol;
    it->gen = vol->gen;
    it->mft_no = mft_no;
}

/*
 * A deleted file (opened with NTX_OPEN_DELETED, its record not in use) keeps
 * an attribute list naming attributes that may be gone: a file's attributes
 * leave their extension records before the file is freed, a freed record may
 * be reused, and the list's size may be cut while its entries are not
 * rewritten (the last one then sticks out). That is the ordinary state of a
 * deleted file, not corruption: such an entry is counted in it->lost and
 * skipped, and an entry that cannot be read ends the list. In a file in use
 * each stays NTX_E_ATTRLIST.
 */
ntx_err ntx_attr_step(ntx_attr_iter *it, const uint8_t **a, uint64_t *rec_no, uint32_t *off)
{
    ntx_volume *vol = it->vol;
    /* bound: a pass that does not return skips one list entry, moving pos
     * forward by its length (at least a header) within the list's size */
    for (;;) {
        const uint8_t *rec;
        uint32_t al_off;
        ntx_err rc = ntx_record_get(vol, it->mft_no, &rec);
        if (rc != NTX_OK)
            return rc;
        const uint8_t *al = ntx_rec_find_attr(rec, NTX_AT_ATTRIBUTE_LIST, NULL, 0, &al_off);

        if (al == NULL) {
            /* pos is the offset of the attribute returned last (0: none yet). */
            const uint8_t *next = ntx_rec_next_attr(rec, &it->pos);
            if (next == NULL)
                return NTX_END;
            *a = next;
            *rec_no = it->mft_no;
            *off = it->pos;
            return NTX_OK;
        }
#if !NTX_WITH_ATTRLIST /* config.h: files with an attribute list are refused */
        return ntx_fail(vol, NTX_E_UNSUPPORTED, NTX_CHK_NONE, it->mft_no, al_off);
#else
        if (!it->alist_done) {
            /* The list itself first; then pos walks its entries. */
            it->alist_done = true;
            it->via_alist = true;
            it->pos = 0;
            *a = al;
            *rec_no = it->mft_no;
            *off = al_off;
            return NTX_OK;
        }

        const bool deleted = NTX_OPENED_DELETED(it->open_flags) &&
                             (ntx_rec_flags(rec) & REC_FLAG_IN_USE) == 0;
        ntx_alist_entry e;
        const uint8_t *name, *target = NULL;
        e.length = 0; /* stays 0 when the entry cannot be read */
        rc = ntx_alist_entry_at(vol, al, it->mft_no, it->pos, &e, &name);
        if (rc == NTX_OK)
            rc = ntx_record_get_extension(vol, e.ref, it->mft_no,
                                          NTX_OPENED_DELETED(it->open_flags), &rec);
        if (rc == NTX_OK) {
            target = ntx_rec_find_instance(rec, e.type, e.instance, off);
            if (target == NULL || ntx_attr_name_len(target) != e.name_len ||
                (!ntx_attr_is_resident(target) && ntx_attr_lowest_vcn(target) != e.lowest_vcn))
                rc = ntx_fail(vol, NTX_E_ATTRLIST, NTX_CHK_ALIST_TARGET, NTX_REF_MFT(e.ref),
                              e.instance);
        }
        if (rc == NTX_OK) {
            it->pos += e.length;
            *a = target;
            *rec_no = NTX_REF_MFT(e.ref);
            return NTX_OK;
        }
        if (rc != NTX_E_ATTRLIST || !deleted)
            return rc;
        if (it->lost < UINT16_MAX)
            it->lost++;
        if (e.length == 0)
            return NTX_END; /* ntx_attr_next keeps the end */
        it->pos += e.length;
#endif
    }
}

ntx_err ntx_attr_iter_open(ntx_attr_iter *it, const ntx_file *f)
{
    if (it == NULL || f == NULL)
        return NTX_E_ARG;
    if (!ntx_volume_handle_live(f->vol, f->gen))
        return NTX_E_STALE;
    ntx_attr_iter_start(it, f->vol, f->mft_no);
    it->open_flags = (uint8_t)f->open_flags;
    return NTX_OK;
}

ntx_err ntx_attr_next(ntx_attr_iter *it, ntx_attr_info *info)
{
    if (it == NULL || info == NULL)
        return NTX_E_ARG;
    if (it->err != NTX_OK)
        return (ntx_err)it->err;
    if (!ntx_volume_handle_live(it->vol, it->gen))
        return NTX_E_STALE;

    const uint8_t *a;
    uint64_t rec_no;
    uint32_t off;
    ntx_err rc = ntx_attr_step(it, &a, &rec_no, &off);
    if (rc != NTX_OK) {
        it->err = rc;
        return rc;
    }
    ntx_mem_zero(info, sizeof *info);
    info->type = ntx_attr_type(a);
    info->flags = ntx_attr_flags(a);
    info->instance = ntx_attr_instance(a);
    info->resident = ntx_attr_is_resident(a);
    info->name_len = ntx_attr_name_len(a);
    info->rec_no = rec_no;
    info->attr_off = off;
    const uint8_t *name = ntx_attr_name(a);
    for (unsigned i = 0; i < info->name_len; i++)
        info->name[i] = ntx_le16(name + 2 * i);
    if (info->resident) {
        info->value_off = ntx_le16(a + ATTR_VALUE_OFFSET);
        info->size = ntx_attr_value(a).len;
    } else {
        info->lowest_vcn = ntx_attr_lowest_vcn(a);
        info->highest_vcn = (int64_t)(ntx_attr_vcn_end(a) - 1u);
        info->cu_shift = ntx_attr_cu(a);
        if (info->lowest_vcn == 0) {
            info->size = ntx_attr_data_size(a);
            info->alloc_size = ntx_attr_alloc_size(a);
            info->init_size = ntx_attr_init_size(a);
        }
    }
    return NTX_OK;
}

ntx_err ntx_attr_read(const ntx_file *f, const ntx_attr_info *ai, uint64_t off, void *buf,
                      size_t len, size_t *got)
{
    if (f == NULL || ai == NULL || got == NULL || (buf == NULL && len != 0))
        return NTX_E_ARG;
    ntx_volume *vol = f->vol;
    if (!ntx_volume_handle_live(vol, f->gen))
        return NTX_E_STALE;
    *got = 0;
    if (!ai->resident) {
        /* The whole value of that type and name, across its extents. */
        ntx_err rc = ntx_stream_init(vol, f->mft_no, ai->type, ai->name, ai->name_len,
                                     f->open_flags | NTX_STREAM_RAW, &vol->tmp_stream);
        return rc == NTX_OK ? ntx_stream_read(&vol->tmp_stream, off, buf, len, got) : rc;
    }
    const uint8_t *rec;
    ntx_err rc = ntx_record_get(vol, ai->rec_no, &rec);
    if (rc != NTX_OK)
        return rc;
    const uint8_t *a = ntx_rec_attr_at(rec, ai->attr_off, ai->type);
    if (a == NULL || !ntx_attr_is_resident(a) || ntx_attr_instance(a) != ai->instance)
        return ntx_fail(vol, NTX_E_ATTR, NTX_CHK_ATTR_FORM, ai->rec_no, ai->attr_off);
    ntx_span v = ntx_attr_value(a);
    if (off >= v.len)
        return NTX_OK;
    size_t n = (size_t)ntx_min_u64(len, v.len - off);
    ntx_mem_copy(buf, v.p + off, n);
    *got = n;
    return NTX_OK;
}
