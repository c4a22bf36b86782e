/*
 * mft.c - locating MFT records.
 *
 * Records are read through $MFT's own $DATA runlist. Its first extent, in
 * record 0, is used alone to find record 0's extension records: $MFT's
 * attribute list is consulted only for records beyond that extent, and an
 * extension record of $MFT must itself lie in that first extent, so
 * bootstrapping cannot recurse (the trap of the Rust ntfs crate, whose naive
 * fix recursed forever). Records 0-3 fall back on their $MFTMirr copies.
 * Loaded records are kept in a small cache of workspace slots.
 */
#include "mft.h"

#include "alist.h"
#include "../base/diag.h"
#include "../base/mem.h"
#include "../device/device.h"
#include "../parse/attr.h"
#include "../parse/runlist.h"
#include "ntx/forensic.h"

/* Records 0-3 have copies in $MFTMirr. */
#define MFT_MIRRORED 4u

/* $MFT's first $DATA extent, in record 0. */
static const uint8_t *mft_base_extent(const ntx_volume *vol)
{
    uint32_t off = 0;
    const uint8_t *a;
    /* bound: the walk of a checked record ends at AT_END */
    while ((a = ntx_rec_next_attr(vol->mft0, &off)) != NULL)
        if (ntx_attr_type(a) == NTX_AT_DATA && ntx_attr_name_len(a) == 0 &&
            !ntx_attr_is_resident(a) && ntx_attr_lowest_vcn(a) == 0)
            return a;
    return NULL;
}

/*
 * The extent of $MFT's $DATA that maps vcn, in the record it is held by:
 * record 0, or an extension record its attribute list names, which must be
 * the one loaded in the extension slot. NTX_END with *need when it is
 * another: the caller loads that record and asks again.
 */
static ntx_err mft_extent(ntx_volume *vol, uint64_t vcn, const uint8_t **data, uint64_t *rec_no,
                          uint64_t *need)
{
    uint32_t off;
    const uint8_t *base = mft_base_extent(vol);
    *rec_no = 0;
    if (base == NULL)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_ATTR_FORM, 0, 0);
    if (vcn < ntx_attr_vcn_end(base)) {
        *data = base;
        return NTX_OK;
    }
    const uint8_t *al = ntx_rec_find_attr(vol->mft0, NTX_AT_ATTRIBUTE_LIST, NULL, 0, &off);
    if (al == NULL)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_RUN_UNMAPPED, 0, vcn);
    if (!NTX_WITH_ATTRLIST) /* config.h: records past the first extent are refused */
        return ntx_fail(vol, NTX_E_UNSUPPORTED, NTX_CHK_NONE, 0, vcn);

    static const ntx_alist_query mft_data = { .type = NTX_AT_DATA };
    ntx_alist_entry e;
    ntx_err rc = ntx_alist_find(vol, al, 0, &mft_data, vcn, &e);
    if (rc == NTX_E_NOT_FOUND)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_RUN_UNMAPPED, 0, vcn);
    if (rc != NTX_OK)
        return rc;
    const uint8_t *rec = vol->mft0;
    *rec_no = NTX_REF_MFT(e.ref);
    if (*rec_no != 0) {
        if (vol->mftext_no != *rec_no) {
            *need = *rec_no;
            return NTX_END;
        }
        rec = vol->mftext;
    }
    *data = ntx_rec_find_instance(rec, NTX_AT_DATA, e.instance, &off);
    if (*data == NULL || ntx_attr_is_resident(*data) ||
        ntx_attr_lowest_vcn(*data) != e.lowest_vcn)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_ALIST_TARGET, *rec_no, e.instance);
    return NTX_OK;
}

/* The run of $MFT that maps vcn (the last one found is cached); NTX_END with
 * *need as mft_extent(). */
static ntx_err mft_map(ntx_volume *vol, uint64_t vcn, ntx_run *run, uint64_t *need)
{
    const ntx_run *c = &vol->mft_run;
    if (c->len != 0 && vcn >= c->vcn && vcn - c->vcn < c->len) {
        ntx_mem_copy(run, c, sizeof *c);
        return NTX_OK;
    }
    const uint8_t *data = NULL;
    uint64_t rec_no;
    ntx_err rc = mft_extent(vol, vcn, &data, &rec_no, need);
    if (rc == NTX_OK)
        rc = ntx_mp_find(vol, data, vcn, run, rec_no);
    if (rc != NTX_OK)
        return rc;
    /* $MFT is never sparse: a hole where a record should be is a bad runlist. */
    if (run->lcn == NTX_LCN_HOLE)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_RUN_UNMAPPED, rec_no, vcn);
    ntx_mem_copy(&vol->mft_run, run, sizeof *run);
    return NTX_OK;
}

/*
 * Read record mft_no's bytes (raw, no fixup) into dst from *done on, piece
 * by piece as its clusters are mapped, advancing *done. NTX_END with *need
 * when the next piece is mapped by an extension record of $MFT not loaded.
 */
static ntx_err mft_read_pieces(ntx_volume *vol, uint64_t mft_no, uint8_t *dst, size_t *done,
                               uint64_t *need)
{
    const unsigned cs = vol->cluster_shift;
    const size_t size = vol->geo.record_size;
    /* bound: each pass reads at least one byte of the record */
    while (*done < size) {
        uint64_t byte = (mft_no << vol->record_shift) + *done;
        ntx_run run;
        ntx_err rc = mft_map(vol, byte >> cs, &run, need);
        if (rc != NTX_OK)
            return rc;
        uint64_t in_run = byte - (run.vcn << cs);
        size_t n = (size_t)ntx_min_u64(size - *done, (run.len << cs) - in_run);
        rc = ntx_dev_read(vol, (run.lcn << cs) + in_run, dst + *done, n);
        if (rc != NTX_OK)
            return rc;
        *done += n;
    }
    return NTX_OK;
}

/* Load extension record ext_no of $MFT into the extension slot. It must be
 * mapped by record 0's own extent: one that needs another extension record
 * to be found is refused (a loop, or a list pointing forward). */
static ntx_err mft_load_extension(ntx_volume *vol, uint64_t ext_no)
{
    uint64_t need = 0;
    size_t done = 0;
    vol->mftext_no = NTX_NO_RECORD;
    if (ext_no >= vol->mft_records)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_ALIST_TARGET, 0, ext_no);
    ntx_err rc = mft_read_pieces(vol, ext_no, vol->mftext, &done, &need);
    if (rc == NTX_END)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_ALIST_TARGET, ext_no, 0);
    if (rc == NTX_OK)
        rc = ntx_record_check(vol, vol->mftext, ext_no);
    if (rc != NTX_OK)
        return rc;
    if (NTX_REF_MFT(ntx_rec_base_ref(vol->mftext)) != 0 ||
        (ntx_rec_flags(vol->mftext) & REC_FLAG_IN_USE) == 0)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_ALIST_TARGET, ext_no, REC_BASE_REF);
    vol->mftext_no = ext_no;
    return NTX_OK;
}

/* Read record mft_no (raw, no fixup), loading $MFT's extension records as
 * its pieces need them. */
static ntx_err mft_read_raw(ntx_volume *vol, uint64_t mft_no, uint8_t *dst)
{
    size_t done = 0;
    /* bound: a pass that does not return has loaded the extension record the
     * next piece needs, and the pass after it reads that piece or returns:
     * at most two passes per piece, a piece being at least one sector */
    for (unsigned pass = 0; pass <= 2u * (vol->geo.record_size >> 8); pass++) {
        uint64_t need = 0;
        ntx_err rc = mft_read_pieces(vol, mft_no, dst, &done, &need);
        /* NTX_END asks for an extension record of $MFT, which only a build
         * that reads attribute lists looks for (mft_extent()) */
        if (rc != NTX_END || !NTX_WITH_ATTRLIST)
            return rc;
        rc = mft_load_extension(vol, need);
        if (rc != NTX_OK)
            return rc;
    }
    return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_ALIST_TARGET, 0, mft_no);
}

/* Records 0-3 from $MFTMirr, which holds them contiguously from its first cluster. */
static ntx_err mft_read_mirror(ntx_volume *vol, uint64_t mft_no, uint8_t *dst)
{
    uint64_t off = (vol->geo.mftmirr_lcn << vol->cluster_shift) + (mft_no << vol->record_shift);
    ntx_err rc = ntx_dev_read(vol, off, dst, vol->geo.record_size);
    return rc == NTX_OK ? ntx_record_check(vol, dst, mft_no) : rc;
}

/* The mirror copy of record 0-3 after its primary failed with rc (whose
 * diagnostic is kept when the mirror fails too). */
static NTX_COLD ntx_err mft_recover(ntx_volume *vol, uint64_t mft_no, uint8_t *dst, ntx_err rc)
{
    ntx_diag primary;
    if (mft_no >= MFT_MIRRORED)
        return rc;
    ntx_mem_copy(&primary, &vol->diag, sizeof primary);
    if (mft_read_mirror(vol, mft_no, dst) == NTX_OK)
        return NTX_OK;
    ntx_mem_copy(&vol->diag, &primary, sizeof primary);
    return rc;
}

/* Read and check a record; records 0-3 fall back on their mirror copy. */
static ntx_err mft_load(ntx_volume *vol, uint64_t mft_no, uint8_t *dst)
{
#if NTX_WITH_MFT_FILE
    if (vol->geo.mft_only) {
        /* A copy of $MFT alone (ntx_volume_mount_mft()): record n is at
         * byte n * record size of the file, and there is no mirror. */
        ntx_err rc = ntx_dev_read_mft_file(vol, mft_no << vol->record_shift, dst,
                                           vol->geo.record_size);
        return rc == NTX_OK ? ntx_record_check(vol, dst, mft_no) : rc;
    }
#endif
    ntx_err rc = mft_read_raw(vol, mft_no, dst);
    if (rc == NTX_OK)
        rc = ntx_record_check(vol, dst, mft_no);
    if (rc == NTX_OK || !NTX_WITH_RECOVERY) /* config.h */
        return rc;
    return mft_recover(vol, mft_no, dst, rc);
}

/* ---- the record cache ---- */

/* Least recently used slot first; a single slot (config.h) needs no clock. */
#define RECORD_LRU (NTX_RECORD_SLOTS > 1u)

void ntx_record_cache_reset(ntx_volume *vol)
{
    for (unsigned i = 0; i < NTX_RECORD_SLOTS; i++) {
        vol->rec_slot_no[i] = NTX_NO_RECORD;
        if (RECORD_LRU)
            vol->rec_slot_tick[i] = 0;
    }
    if (NTX_WITH_ATTRLIST) /* config.h: the only user of the extension slot */
        vol->mftext_no = NTX_NO_RECORD;
    vol->mft_run.len = 0;
}

ntx_err ntx_record_get(ntx_volume *vol, uint64_t mft_no, const uint8_t **rec)
{
    unsigned victim = 0;

    for (unsigned i = 0; i < NTX_RECORD_SLOTS; i++) {
        if (vol->rec_slot_no[i] == mft_no) {
            if (RECORD_LRU)
                vol->rec_slot_tick[i] = ++vol->tick;
            *rec = vol->rec_slot[i];
            return NTX_OK;
        }
        if (vol->rec_slot_tick[i] < vol->rec_slot_tick[victim])
            victim = i;
    }
    if (mft_no >= vol->mft_records)
        return ntx_fail(vol, NTX_E_NOT_FOUND, NTX_CHK_RECORD_NUMBER, mft_no, 0);

    vol->rec_slot_no[victim] = NTX_NO_RECORD;
    if (RECORD_LRU)
        vol->rec_slot_tick[victim] = 0;
    ntx_err rc = mft_load(vol, mft_no, vol->rec_slot[victim]);
    if (rc != NTX_OK)
        return rc;
    vol->rec_slot_no[victim] = mft_no;
    if (RECORD_LRU)
        vol->rec_slot_tick[victim] = ++vol->tick;
    *rec = vol->rec_slot[victim];
    return NTX_OK;
}

ntx_err ntx_record_get_base(ntx_volume *vol, uint64_t mft_no, uint16_t seq, bool allow_free,
                            const uint8_t **rec)
{
    const uint8_t *r = NULL;
    ntx_err rc = ntx_record_get(vol, mft_no, &r);
    if (rc != NTX_OK)
        return rc;
    if ((ntx_rec_flags(r) & REC_FLAG_IN_USE) == 0 && !allow_free)
        return ntx_fail(vol, NTX_E_NOT_FOUND, NTX_CHK_RECORD_NOT_IN_USE, mft_no, REC_FLAGS);
    if (ntx_rec_base_ref(r) != 0)
        return ntx_fail(vol, NTX_E_NOT_FOUND, NTX_CHK_RECORD_NOT_BASE, mft_no, REC_BASE_REF);
    if (seq != NTX_SEQ_ANY && ntx_rec_sequence(r) != seq)
        return ntx_fail(vol, NTX_E_STALE, NTX_CHK_RECORD_SEQUENCE, mft_no, REC_SEQUENCE);
    *rec = r;
    return NTX_OK;
}

ntx_err ntx_record_get_extension(ntx_volume *vol, uint64_t ext_ref, uint64_t base_no,
                                 bool allow_free, const uint8_t **rec)
{
    uint64_t ext_no = NTX_REF_MFT(ext_ref);
    const uint8_t *r = NULL;
    ntx_err rc = ntx_record_get(vol, ext_no, &r);
    if (rc != NTX_OK)
        return rc;
    /* An extension used as a file, or a record of another file, is where
     * CVE-2023-53294 and attribute-list cycles come from. */
    if (((ntx_rec_flags(r) & REC_FLAG_IN_USE) == 0 && !allow_free) ||
        (ext_no != base_no && NTX_REF_MFT(ntx_rec_base_ref(r)) != base_no))
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_RECORD_BASE, ext_no, REC_BASE_REF);
    /* Freeing a record increments its sequence number, so the list of a
     * deleted file names its (freed) records with the number before. */
    uint16_t want = NTX_REF_SEQ(ext_ref), have = ntx_rec_sequence(r);
    bool freed = (ntx_rec_flags(r) & REC_FLAG_IN_USE) == 0;
    if (want != 0 && want != have && !(allow_free && freed && (uint16_t)(want + 1u) == have))
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_RECORD_SEQUENCE, ext_no, REC_SEQUENCE);
    *rec = r;
    return NTX_OK;
}

ntx_err ntx_record_get_info(ntx_volume *vol, uint64_t mft_no, ntx_record_info *info)
{
    const uint8_t *r = NULL;
    if (vol == NULL || info == NULL)
        return NTX_E_ARG;
    if (!ntx_volume_handle_live(vol, vol->gen))
        return NTX_E_STALE;
    ntx_err rc = ntx_record_get(vol, mft_no, &r);
    if (rc != NTX_OK)
        return rc;
    info->mft_no = mft_no;
    info->lsn = ntx_le64(r + REC_LSN);
    info->base_ref = ntx_rec_base_ref(r);
    info->seq = ntx_rec_sequence(r);
    info->link_count = ntx_rec_link_count(r);
    info->flags = ntx_rec_flags(r);
    info->next_instance = ntx_le16(r + REC_NEXT_INSTANCE);
    info->bytes_in_use = ntx_rec_in_use(r);
    info->bytes_allocated = ntx_le32(r + REC_BYTES_ALLOCATED);
    return NTX_OK;
}

bool ntx_record_never_used(const ntx_record_info *info, uint32_t attrs, uint32_t names)
{
    if (info == NULL || (info->flags & NTX_REC_IN_USE) != 0 || info->base_ref != 0)
        return false;
    if (attrs == 0)
        return true;
    return info->lsn == 0 && names == 0 && info->seq == (uint16_t)info->mft_no;
}

ntx_err ntx_mft_bootstrap(ntx_volume *vol)
{
    /* Record 0 is the first record of $MFT's first run, which starts at the
     * boot sector's $MFT LCN; nothing else is known yet. */
    uint64_t off = vol->geo.mft_lcn << vol->cluster_shift;
    ntx_err rc = ntx_dev_read(vol, off, vol->mft0, vol->geo.record_size);
    if (rc == NTX_OK)
        rc = ntx_record_check(vol, vol->mft0, 0);
    if (rc != NTX_OK && (!NTX_WITH_RECOVERY || mft_recover(vol, 0, vol->mft0, rc) != NTX_OK))
        return rc;
    if ((ntx_rec_flags(vol->mft0) & REC_FLAG_IN_USE) == 0)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_RECORD_NOT_IN_USE, 0, REC_FLAGS);

    const uint8_t *data = mft_base_extent(vol);
    if (data == NULL)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_ATTR_FORM, 0, 0);
    ntx_run first;
    rc = ntx_mp_find(vol, data, 0, &first, 0);
    if (rc != NTX_OK)
        return rc;
    /* The boot sector and $MFT's own runlist must agree on where it starts. */
    if (first.lcn != vol->geo.mft_lcn)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_RUN_LCN, 0, ntx_attr_mp_offset(data));
    ntx_mem_copy(&vol->mft_run, &first, sizeof first);
    /* $MFT is never sparse, so it cannot be larger than the volume; a size
     * of 2^50 bytes would have every record count or scan read its sparse
     * $BITMAP for hours. */
    uint64_t volume_bytes = vol->geo.cluster_count << vol->cluster_shift;
    if (ntx_attr_data_size(data) > volume_bytes)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_ATTR_SIZES, 0, 0);
    vol->mft_records = ntx_attr_data_size(data) >> vol->record_shift;
    if (vol->mft_records < 16u)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_ATTR_SIZES, 0, 0);
    return NTX_OK;
}
