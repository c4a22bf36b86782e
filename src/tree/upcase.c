/*
 * upcase.c - $UpCase (MFT record 10): 65536 little-endian 16-bit entries, the
 * upper case of every UTF-16 code unit as the volume's formatter defined it.
 * Windows compares names through it, so lookups must too (ASCII-only folding
 * was one of GRUB's NTFS bugs).
 *
 * Without an attached table (ntx_volume_attach_upcase) the entries are read
 * on demand, a device block at a time, from runs remembered at mount: no
 * record is loaded, so a collation never disturbs the record cache that the
 * names being compared may live in. A build without NTX_WITH_UPCASE reads
 * no entry: it folds ASCII letters (config.h says when that is exact).
 */
#include "upcase.h"

#include "../parse/attr.h"
#include "../device/device.h"
#include "../base/diag.h"
#include "../base/mem.h"
#include "../mft/mft.h"
#include "../parse/runlist.h"
#include "ntx/file.h"

#define UPCASE_BYTES (65536u * 2u)

#if NTX_WITH_UPCASE /* config.h: without it, ASCII folding below */
ntx_err ntx_upcase_setup(ntx_volume *vol)
{
    const uint8_t *rec;
    uint32_t off;
    ntx_err rc = ntx_record_get_base(vol, NTX_MFT_UPCASE, NTX_SEQ_ANY, false, &rec);
    if (rc != NTX_OK)
        return rc;
    const uint8_t *a = ntx_rec_find_attr(rec, NTX_AT_DATA, NULL, 0, &off);
    /* R36: exactly 64 Ki entries, or lookups index outside the table. */
    if (a == NULL || ntx_attr_is_resident(a) || ntx_attr_data_size(a) != UPCASE_BYTES ||
        ntx_attr_init_size(a) != UPCASE_BYTES || ntx_attr_lowest_vcn(a) != 0 ||
        (ntx_attr_flags(a) & (NTX_ATTR_FLAG_COMPRESSED | NTX_ATTR_FLAG_ENCRYPTED)) != 0)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_UPCASE, NTX_MFT_UPCASE, off);

    ntx_mp_state st;
    ntx_mp_begin(a, &st);
    vol->upcase_nruns = 0;
    /* bound: at most NTX_UPCASE_RUNS runs are accepted */
    for (;;) {
        ntx_run run;
        rc = ntx_mp_next(vol, a, &st, &run, NTX_MFT_UPCASE);
        if (rc == NTX_END)
            break;
        if (rc != NTX_OK)
            return rc;
        if (run.lcn == NTX_LCN_HOLE || vol->upcase_nruns == NTX_UPCASE_RUNS)
            return ntx_fail(vol, NTX_E_UNSUPPORTED, NTX_CHK_UPCASE, NTX_MFT_UPCASE, st.pos);
        ntx_mem_copy(&vol->upcase_runs[vol->upcase_nruns++], &run, sizeof run);
    }
    if ((st.vcn << vol->cluster_shift) < UPCASE_BYTES)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_UPCASE, NTX_MFT_UPCASE, off);
    vol->upc_block_no = UINT64_MAX;
    return NTX_OK;
}

ntx_err ntx_upcase(ntx_volume *vol, uint16_t c, uint16_t *up)
{
    if (vol->upcase != NULL) {
        *up = vol->upcase[c];
        return NTX_OK;
    }
    const unsigned cs = vol->cluster_shift;
    uint32_t byte = 2u * c;
    uint64_t block = byte >> vol->block_shift;
    if (vol->upc_block_no != block) {
        uint64_t vcn = byte >> cs;
        const ntx_run *run = NULL;
        for (unsigned i = 0; i < vol->upcase_nruns; i++) /* bound: NTX_UPCASE_RUNS */
            if (vcn >= vol->upcase_runs[i].vcn &&
                vcn - vol->upcase_runs[i].vcn < vol->upcase_runs[i].len)
                run = &vol->upcase_runs[i];
        if (run == NULL)
            return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_UPCASE, NTX_MFT_UPCASE, byte);
        /* Blocks never straddle clusters: the block size is at most the cluster size. */
        uint64_t in_run =
            ((uint64_t)byte - (run->vcn << cs)) & ~(uint64_t)(vol->geo.block_size - 1u);
        vol->upc_block_no = UINT64_MAX;
        ntx_err rc =
            ntx_dev_read(vol, (run->lcn << cs) + in_run, vol->upc_block, vol->geo.block_size);
        if (rc != NTX_OK)
            return rc;
        vol->upc_block_no = block;
    }
    *up = ntx_le16(vol->upc_block + (byte & (vol->geo.block_size - 1u)));
    return NTX_OK;
}
#else
/* A build without $UpCase reads (config.h NTX_WITH_UPCASE): an attached
 * table if there is one, else ASCII letters folded and every unit of 0x80 or
 * above its own upper case. The query side must then be ASCII: its upper
 * case could be any unit, and the order of the index depends on it. */
ntx_err ntx_upcase(ntx_volume *vol, uint16_t c, uint16_t *up)
{
    if (vol->upcase != NULL)
        *up = vol->upcase[c];
    else
        *up = (uint16_t)(c >= 'a' && c <= 'z' ? c - ('a' - 'A') : c);
    return NTX_OK;
}
#endif

ntx_err ntx_collate_names(ntx_volume *vol, const uint16_t *q, size_t qn, const uint8_t *d,
                          size_t dn, bool exact, int *cmp)
{
    size_t n = qn < dn ? qn : dn;
    int raw = 0;

    for (size_t i = 0; i < n; i++) {
        uint16_t a = q[i], b = ntx_le16(d + 2 * i);
        if (a == b)
            continue;
        /* config.h NTX_WITH_UPCASE: the upper case of a is unknown here */
        if (!NTX_WITH_UPCASE && a >= 0x80u && vol->upcase == NULL)
            return NTX_E_UNSUPPORTED;
        if (raw == 0)
            raw = a < b ? -1 : 1;
        uint16_t ua = 0, ub = 0;
        ntx_err rc = ntx_upcase(vol, a, &ua);
        if (rc == NTX_OK)
            rc = ntx_upcase(vol, b, &ub);
        if (rc != NTX_OK)
            return rc;
        if (ua != ub) {
            *cmp = ua < ub ? -1 : 1;
            return NTX_OK;
        }
    }
    if (qn != dn)
        *cmp = qn < dn ? -1 : 1;
    else
        *cmp = exact ? raw : 0;
    return NTX_OK;
}
