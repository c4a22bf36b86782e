/*
 * attrs.c - listing a file's attributes across its base and extension
 * records (through its $ATTRIBUTE_LIST), and reading one attribute's value.
 */
#include "attrs.h"

#include "stream.h"
#include "../base/diag.h"
#include "../base/mem.h"
#include "../mft/alist.h"
#include "../mft/mft.h"
#include "../parse/attr.h"
#include "ntx/forensic.h"

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
 * each stays NTX_E_CORRUPT.
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
        const uint8_t *al = it->one_record
                                ? NULL
                                : ntx_rec_find_attr(rec, NTX_AT_ATTRIBUTE_LIST, NULL, 0, &al_off);

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
                rc = ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_ALIST_TARGET, NTX_REF_MFT(e.ref),
                              e.instance);
        }
        if (rc == NTX_OK) {
            it->pos += e.length;
            *a = target;
            *rec_no = NTX_REF_MFT(e.ref);
            return NTX_OK;
        }
        if (rc != NTX_E_CORRUPT || !deleted)
            return rc;
        if (it->lost < UINT16_MAX)
            it->lost++;
        if (e.length == 0)
            return NTX_END; /* ntx_attr_iter_next keeps the end */
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

ntx_err ntx_attr_iter_open_record(ntx_attr_iter *it, ntx_volume *vol, uint64_t rec_no)
{
    if (it == NULL || vol == NULL)
        return NTX_E_ARG;
    if (!ntx_volume_handle_live(vol, vol->gen))
        return NTX_E_STALE;
    ntx_attr_iter_start(it, vol, rec_no);
    it->one_record = true;
    return NTX_OK;
}

ntx_err ntx_attr_iter_next(ntx_attr_iter *it, ntx_attr_info *info)
{
    if (it == NULL || info == NULL)
        return NTX_E_ARG;
    if (it->err != NTX_OK)
        return it->err;
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
    /* Everything but the name, which is filled below up to name_len: a
     * timeline zeroes a few million of these, and the name is most of it. */
    ntx_mem_zero(info, offsetof(ntx_attr_info, name));
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
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_ATTR_FORM, ai->rec_no, ai->attr_off);
    ntx_span v = ntx_attr_value(a);
    if (off >= v.len)
        return NTX_OK;
    size_t n = (size_t)ntx_min_u64(len, v.len - off);
    ntx_mem_copy(buf, v.p + off, n);
    *got = n;
    return NTX_OK;
}
