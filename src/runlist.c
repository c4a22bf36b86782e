/*
 * runlist.c - mapping pairs (ntfs-3g runlist.c ntfs_mapping_pairs_decompress;
 * libfsntfs "Data runs").
 *
 * A run is a header byte, the run length, then the LCN delta:
 *   header low nibble  = bytes of the length (1..8), unsigned in practice
 *   header high nibble = bytes of the delta (0..8), signed, relative to the
 *                        previous run's LCN; 0 bytes = a sparse run
 * A header byte 0 ends the list. Decoding checks every byte against the
 * attribute end, every field size against 8, every LCN against the volume,
 * and that the runs add up to [lowest VCN, highest VCN] (HOSTILE R16-R21).
 */
#include "runlist.h"

#include "attr.h"
#include "device.h"
#include "diag.h"
#include "mem.h"
#include "record.h"
#include "ntx/forensic.h"

void ntx_mp_begin(const uint8_t *a, ntx_mp_state *st)
{
    st->pos = ntx_attr_mp_offset(a);
    st->vcn = ntx_attr_lowest_vcn(a);
    st->vcn_end = ntx_attr_vcn_end(a);
    st->lcn = 0;
}

/* Little-endian integer of n (1..8) bytes at p, sign-extended from its top byte. */
static int64_t runlist_signed(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = n; i > 0; i--)
        v = (v << 8) | p[i - 1];
    if (n < 8 && (p[n - 1] & 0x80u) != 0)
        v |= ~(uint64_t)0 << (8u * n);
    return (int64_t)v;
}

static ntx_err runlist_bad(ntx_volume *vol, ntx_check check, uint64_t mft_no, uint32_t pos)
{
    return ntx_fail(vol, NTX_E_RUNLIST, check, mft_no, pos);
}

ntx_err ntx_mp_next(ntx_volume *vol, const uint8_t *a, ntx_mp_state *st, ntx_run *run,
                    uint64_t mft_no)
{
    const uint32_t end = ntx_attr_length(a);

    /* bound: pos grows by at least 2 per pass and must stay below end */
    for (;;) {
        uint32_t pos = st->pos;
        if (pos >= end)
            return runlist_bad(vol, NTX_CHK_RUN_HEADER, mft_no, pos);
        uint8_t header = a[pos];
        if (header == 0) {
            if (st->vcn != st->vcn_end)
                return runlist_bad(vol, NTX_CHK_RUN_VCN, mft_no, pos);
            return NTX_END;
        }
        unsigned len_n = header & 0xFu, off_n = header >> 4;
        if (len_n == 0 || len_n > 8 || off_n > 8 || 1u + len_n + off_n > end - pos)
            return runlist_bad(vol, NTX_CHK_RUN_HEADER, mft_no, pos);

        int64_t length = runlist_signed(a + pos + 1, len_n);
        if (length < 0 || (length == 0 && off_n != 0))
            return runlist_bad(vol, NTX_CHK_RUN_LENGTH, mft_no, pos);
        st->pos = pos + 1u + len_n + off_n;
        if (length == 0)
            continue; /* an empty sparse run carries nothing (HOSTILE R19) */

        uint64_t ulen = (uint64_t)length;
        if (ulen > st->vcn_end - st->vcn)
            return runlist_bad(vol, NTX_CHK_RUN_VCN, mft_no, pos);

        run->vcn = st->vcn;
        run->len = ulen;
        run->lcn = NTX_LCN_HOLE;
        if (off_n != 0) {
            int64_t delta = runlist_signed(a + pos + 1 + len_n, off_n);
            int64_t lcn;
            if (__builtin_add_overflow(st->lcn, delta, &lcn) || lcn < 0 ||
                (uint64_t)lcn >= vol->geo.cluster_count ||
                ulen > vol->geo.cluster_count - (uint64_t)lcn)
                return runlist_bad(vol, NTX_CHK_RUN_LCN, mft_no, pos);
            st->lcn = lcn;
            run->lcn = (uint64_t)lcn;
        }
        st->vcn += ulen;
        return NTX_OK;
    }
}

ntx_err ntx_mp_find(ntx_volume *vol, const uint8_t *a, uint64_t vcn, ntx_run *run,
                    uint64_t mft_no)
{
    ntx_mp_state st;
    ntx_mp_begin(a, &st);
    if (vcn < st.vcn || vcn >= st.vcn_end)
        return ntx_fail(vol, NTX_E_RUNLIST, NTX_CHK_RUN_UNMAPPED, mft_no, vcn);
    /* bound: each run covers at least one VCN of [lowest, vcn] and ntx_mp_next
     * stops at the attribute end */
    for (;;) {
        ntx_err rc = ntx_mp_next(vol, a, &st, run, mft_no);
        if (rc == NTX_END)
            return ntx_fail(vol, NTX_E_RUNLIST, NTX_CHK_RUN_UNMAPPED, mft_no, vcn);
        if (rc != NTX_OK)
            return rc;
        if (vcn < run->vcn + run->len)
            return NTX_OK;
    }
}

#if !NTX_WITH_ATTRLIST
ntx_err ntx_mp_read(ntx_volume *vol, const uint8_t *a, uint64_t mft_no, uint64_t off,
                    uint8_t *dst, size_t len, bool holes_bad)
{
    const unsigned cs = vol->cluster_shift;
    ntx_mp_state st;
    ntx_run run;
    uint64_t disk = 0; /* where the bytes pending for dst start on the volume */
    size_t pending = 0;
    ntx_err rc;

    ntx_mp_begin(a, &st);
    run.vcn = st.vcn;
    run.len = 0;
    /* bound: each pass decodes a run (ntx_mp_next consumes at least 2 bytes of
     * the attribute) or moves off forward by at least one byte */
    while (len > 0) {
        uint64_t vcn = off >> cs;
        if (vcn >= run.vcn + run.len) {
            /* As the cursor of the full build does, the extent's end is
             * tested before any run past the last one read is decoded. */
            if (vcn >= st.vcn_end)
                return NTX_END;
            /* never NTX_END: runs so far end at st.vcn <= vcn < st.vcn_end */
            rc = ntx_mp_next(vol, a, &st, &run, mft_no);
            if (rc != NTX_OK)
                return rc;
            continue;
        }
        uint64_t in_run = off - (run.vcn << cs);
        size_t n = (size_t)ntx_min_u64((run.len << cs) - in_run, len);
        uint64_t at = (run.lcn << cs) + in_run;
        /* Runs adjacent on disk become one callback call (shared/DESIGN.md). */
        if (run.lcn == NTX_LCN_HOLE || at != disk + pending) {
            if (pending > 0) {
                rc = ntx_dev_read(vol, disk, dst, pending);
                if (rc != NTX_OK)
                    return rc;
                dst += pending;
                pending = 0;
            }
            if (run.lcn == NTX_LCN_HOLE) {
                if (holes_bad)
                    return ntx_fail(vol, NTX_E_RUNLIST, NTX_CHK_RUN_UNMAPPED, mft_no, vcn);
                ntx_mem_zero(dst, n);
                dst += n;
            }
            disk = at;
        }
        if (run.lcn != NTX_LCN_HOLE)
            pending += n;
        off += n;
        len -= n;
    }
    return pending > 0 ? ntx_dev_read(vol, disk, dst, pending) : NTX_OK;
}
#endif

#if NTX_WITH_ATTRLIST /* its only reader: non-resident attribute lists */
ntx_err ntx_runlist_read(ntx_volume *vol, const uint8_t *a, uint64_t mft_no, uint64_t off,
                         uint8_t *dst, size_t len)
{
    const unsigned cs = vol->cluster_shift;
    uint64_t init = ntx_attr_init_size(a);

    /* bound: off grows by at least one byte per pass */
    while (len > 0) {
        size_t n;
        if (off >= init) {
            ntx_mem_zero(dst, len);
            return NTX_OK;
        }
        ntx_run run;
        ntx_err rc = ntx_mp_find(vol, a, off >> cs, &run, mft_no);
        if (rc != NTX_OK)
            return rc;
        uint64_t run_end = (run.vcn + run.len) << cs;
        n = (size_t)ntx_min_u64(ntx_min_u64(run_end, init) - off, len);
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
#endif

ntx_err ntx_attr_runs_open(ntx_run_iter *it, const ntx_file *f, const ntx_attr_info *ai)
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
        return ntx_fail(vol, NTX_E_ATTR, NTX_CHK_ATTR_FORM, ai->rec_no, ai->attr_off);
    ntx_mp_state st;
    ntx_mp_begin(a, &st);
    it->vol = vol;
    it->gen = vol->gen;
    it->rec_no = ai->rec_no;
    it->attr_off = ai->attr_off;
    it->type = ai->type;
    it->pos = st.pos;
    it->vcn = st.vcn;
    it->vcn_end = st.vcn_end;
    it->lcn = st.lcn;
    it->err = NTX_OK;
    return NTX_OK;
}

ntx_err ntx_attr_runs_next(ntx_run_iter *it, ntx_run *run)
{
    const uint8_t *rec;
    if (it == NULL || run == NULL)
        return NTX_E_ARG;
    if (it->err != NTX_OK)
        return (ntx_err)it->err;
    if (!ntx_volume_handle_live(it->vol, it->gen))
        return NTX_E_STALE;
    ntx_err rc = ntx_record_get(it->vol, it->rec_no, &rec);
    if (rc != NTX_OK)
        return rc;
    const uint8_t *a = ntx_rec_attr_at(rec, it->attr_off, it->type);
    if (a == NULL || ntx_attr_is_resident(a)) {
        it->err = ntx_fail(it->vol, NTX_E_ATTR, NTX_CHK_ATTR_FORM, it->rec_no, it->attr_off);
        return (ntx_err)it->err;
    }
    ntx_mp_state st = { it->pos, it->vcn, it->vcn_end, it->lcn };
    rc = ntx_mp_next(it->vol, a, &st, run, it->rec_no);
    if (rc == NTX_OK) {
        it->pos = st.pos;
        it->vcn = st.vcn;
        it->lcn = st.lcn;
    } else if (rc != NTX_END) {
        it->err = rc;
    }
    return rc;
}
