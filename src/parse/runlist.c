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
 * and that the runs add up to [lowest VCN, highest VCN] (R16-R21 in docs/robustness.md).
 */
#include "runlist.h"

#include "attr.h"
#include "../base/diag.h"

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
    return ntx_fail(vol, NTX_E_CORRUPT, check, mft_no, pos);
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
            continue; /* an empty sparse run carries nothing */

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
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_RUN_UNMAPPED, mft_no, vcn);
    /* bound: each run covers at least one VCN of [lowest, vcn] and ntx_mp_next
     * stops at the attribute end */
    for (;;) {
        ntx_err rc = ntx_mp_next(vol, a, &st, run, mft_no);
        if (rc == NTX_END)
            return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_RUN_UNMAPPED, mft_no, vcn);
        if (rc != NTX_OK)
            return rc;
        if (vcn < run->vcn + run->len)
            return NTX_OK;
    }
}
