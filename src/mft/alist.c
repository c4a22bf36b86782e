/*
 * alist.c - reading a base record's $ATTRIBUTE_LIST (entries: parse/attrlist.c).
 */
#include "alist.h"

#include "../base/diag.h"
#include "../base/mem.h"
#include "../device/device.h"
#include "../parse/attr.h"
#include "../parse/runlist.h"

uint64_t ntx_alist_size(const uint8_t *a)
{
    return ntx_attr_is_resident(a) ? ntx_attr_value(a).len : ntx_attr_data_size(a);
}

ntx_err ntx_alist_read(ntx_volume *vol, const uint8_t *al, uint64_t base_no, uint64_t off,
                       uint8_t *dst, size_t len)
{
    const unsigned cs = vol->cluster_shift;
    uint64_t init = ntx_attr_init_size(al);

    /* bound: off grows by at least one byte per pass */
    while (len > 0) {
        if (off >= init) {
            ntx_mem_zero(dst, len);
            return NTX_OK;
        }
        ntx_run run;
        ntx_err rc = ntx_mp_find(vol, al, off >> cs, &run, base_no);
        if (rc != NTX_OK)
            return rc;
        uint64_t run_end = (run.vcn + run.len) << cs;
        size_t n = (size_t)ntx_min_u64(ntx_min_u64(run_end, init) - off, len);
        if (run.lcn == NTX_LCN_HOLE) {
            ntx_mem_zero(dst, n);
        } else {
            rc = ntx_dev_read(vol, (run.lcn << cs) + (off - (run.vcn << cs)), dst, n);
            if (rc != NTX_OK)
                return rc;
        }
        dst += n;
        off += n;
        len -= n;
    }
    return NTX_OK;
}

/* The bytes [pos, pos + want) of a non-resident list, through the window. */
static ntx_err alist_window(ntx_volume *vol, const uint8_t *al, uint64_t base_no, uint32_t pos,
                            uint32_t avail, const uint8_t **p)
{
    uint32_t want = avail < NTX_ALIST_MAX_ENTRY ? avail : NTX_ALIST_MAX_ENTRY;
    if (vol->al_win_rec != base_no || pos < vol->al_win_off ||
        pos + want > vol->al_win_off + vol->al_win_size) {
        uint32_t n = avail < NTX_ALIST_WINDOW ? avail : NTX_ALIST_WINDOW;
        vol->al_win_rec = NTX_NO_RECORD;
        ntx_err rc = ntx_alist_read(vol, al, base_no, pos, vol->al_win, n);
        if (rc != NTX_OK)
            return rc;
        vol->al_win_rec = base_no;
        vol->al_win_off = pos;
        vol->al_win_size = n;
    }
    *p = vol->al_win + (pos - vol->al_win_off);
    return NTX_OK;
}

/* The entry at pos of list al, through the window for a non-resident list
 * (the two functions below share it; inlined in both, so that a search does
 * not add a frame on its way to the device). */
NTX_INLINE ntx_err alist_entry(ntx_volume *vol, const uint8_t *al, uint64_t base_no, uint32_t pos,
                           ntx_alist_entry *e, const uint8_t **name)
{
    uint64_t size = ntx_alist_size(al);
    if (size > NTX_MAX_ATTRLIST_SIZE)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_ALIST_SIZE, base_no, 0);
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
    ntx_check check;
    if (ntx_alist_entry_parse(p, avail, e, name, &check) != NTX_OK)
        return ntx_fail(vol, NTX_E_CORRUPT, check, base_no, pos);
    return NTX_OK;
}

ntx_err ntx_alist_entry_at(ntx_volume *vol, const uint8_t *al, uint64_t base_no, uint32_t pos,
                           ntx_alist_entry *e, const uint8_t **name)
{
    return alist_entry(vol, al, base_no, pos, e, name);
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
        ntx_err rc = alist_entry(vol, al, base_no, pos, &e, &ename);
        if (rc == NTX_END || (rc == NTX_E_CORRUPT && q->deleted))
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
