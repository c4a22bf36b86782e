/*
 * runs.c - the run iterator of the forensic API: the runs of one attribute
 * extent, as stored (parse/runlist.c decodes them).
 */
#include "../base/diag.h"
#include "../mft/mft.h"
#include "../parse/attr.h"
#include "../parse/runlist.h"
#include "ntx/forensic.h"

ntx_err ntx_run_iter_open(ntx_run_iter *it, const ntx_file *f, const ntx_attr_info *ai)
{
    const uint8_t *rec;
    if (it == NULL || f == NULL || ai == NULL || ai->resident)
        return NTX_E_ARG;
    ntx_volume *vol = f->vol;
    if (!ntx_volume_handle_live(vol, f->gen))
        return NTX_E_STALE;
    ntx_err rc = ntx_record_get(vol, ai->rec_no, &rec);
    if (rc != NTX_OK)
        return rc;
    const uint8_t *a = ntx_rec_attr_at(rec, ai->attr_off, ai->type);
    if (a == NULL || ntx_attr_is_resident(a))
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_ATTR_FORM, ai->rec_no, ai->attr_off);
    it->vol = vol;
    it->gen = vol->gen;
    it->rec_no = ai->rec_no;
    it->attr_off = ai->attr_off;
    it->type = ai->type;
    ntx_mp_begin(a, &it->mp);
    it->err = NTX_OK;
    return NTX_OK;
}

ntx_err ntx_run_iter_next(ntx_run_iter *it, ntx_run *run)
{
    const uint8_t *rec;
    if (it == NULL || run == NULL)
        return NTX_E_ARG;
    if (it->err != NTX_OK)
        return it->err;
    if (!ntx_volume_handle_live(it->vol, it->gen))
        return NTX_E_STALE;
    ntx_err rc = ntx_record_get(it->vol, it->rec_no, &rec);
    if (rc != NTX_OK)
        return rc;
    const uint8_t *a = ntx_rec_attr_at(rec, it->attr_off, it->type);
    if (a == NULL || ntx_attr_is_resident(a)) {
        it->err = ntx_fail(it->vol, NTX_E_CORRUPT, NTX_CHK_ATTR_FORM, it->rec_no, it->attr_off);
        return it->err;
    }
    /* ntx_mp_next() moves the decoder only when it decodes a run */
    rc = ntx_mp_next(it->vol, a, &it->mp, run, it->rec_no);
    if (rc != NTX_OK && rc != NTX_END)
        it->err = rc;
    return rc;
}
