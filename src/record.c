/*
 * record.c - MFT records ("FILE" records; ntfs-3g layout.h MFT_RECORD;
 * libfsntfs "MFT entry").
 *
 * Header: 0x00 "FILE"  0x04 update sequence offset (u16)  0x06 its count
 *   0x10 sequence number (u16)  0x12 hard link count (u16)  0x14 offset of
 *   the first attribute (u16)  0x16 flags (u16: 1 in use, 2 directory)
 *   0x18 bytes in use (u32)  0x1A bytes allocated (u32)  0x20 base record
 *   reference (u64, 0 in a base record)
 * followed by attributes up to a 0xFFFFFFFF end marker.
 *
 * Records are located through $MFT's own $DATA runlist. Its first extent,
 * in record 0, is used alone to find record 0's extension records: $MFT's
 * attribute list is consulted only for records beyond that extent, so
 * bootstrapping cannot recurse (the trap of the Rust ntfs crate's issue 32;
 * HOSTILE R22).
 */
#include "record.h"

#include "attr.h"
#include "attrlist.h"
#include "device.h"
#include "diag.h"
#include "fixup.h"
#include "mem.h"
#include "runlist.h"
#include "ntx/file.h"
#include "ntx/forensic.h"

/* Records 0-3 have copies in $MFTMirr. */
#define REC_MIRRORED 4u

ntx_err ntx_record_check(ntx_volume *vol, uint8_t *buf, uint64_t mft_no)
{
    const uint32_t size = vol->geo.record_size;
    ntx_check check;

    if (ntx_le32(buf + REC_MAGIC) != REC_MAGIC_FILE)
        return ntx_fail(vol, NTX_E_RECORD, NTX_CHK_RECORD_MAGIC, mft_no, 0);
    if (ntx_fixup_apply(buf, size, &check) != NTX_OK)
        return ntx_fail(vol, NTX_E_FIXUP, check, mft_no, REC_USA_OFS);

    uint32_t allocated = ntx_le32(buf + REC_BYTES_ALLOCATED);
    uint32_t in_use = ntx_le32(buf + REC_BYTES_IN_USE);
    if (allocated != size || in_use > allocated || (in_use & 7u) != 0)
        return ntx_fail(vol, NTX_E_RECORD, NTX_CHK_RECORD_SIZES, mft_no, REC_BYTES_IN_USE);

    /* First attribute: 8-aligned, after the update sequence array, with room
     * for at least the end marker (R08). */
    uint32_t usa_end = ntx_le16(buf + REC_USA_OFS) + 2u * ntx_le16(buf + REC_USA_COUNT);
    uint32_t off = ntx_le16(buf + REC_ATTRS_OFFSET);
    if ((off & 7u) != 0 || off < usa_end || off < REC_HEADER_MIN || off > in_use - 4u ||
        in_use < 4u)
        return ntx_fail(vol, NTX_E_RECORD, NTX_CHK_RECORD_ATTRS_OFFSET, mft_no,
                        REC_ATTRS_OFFSET);

    /* bound: every attribute is at least 0x18 bytes and off stays below in_use */
    for (uint32_t prev_type = 0;;) {
        if (in_use - off < 4u)
            return ntx_fail(vol, NTX_E_ATTR, NTX_CHK_ATTR_END, mft_no, off);
        uint32_t type = ntx_le32(buf + off);
        if (type == NTX_AT_END)
            return NTX_OK;
        if (ntx_attr_check(buf + off, in_use - off, vol->cluster_shift, &check) != NTX_OK)
            return ntx_fail(vol, NTX_E_ATTR, check, mft_no, off);
        /* NTFS keeps attributes sorted by type; ntfs-3g and ntfs3 refuse a
         * record out of order as corrupt, and so do we (R11). */
        if (type < prev_type)
            return ntx_fail(vol, NTX_E_ATTR, NTX_CHK_ATTR_ORDER, mft_no, off);
        prev_type = type;
        off += ntx_attr_length(buf + off);
    }
}

const uint8_t *ntx_rec_next_attr(const uint8_t *rec, uint32_t *off)
{
    uint32_t o = *off == 0 ? ntx_le16(rec + REC_ATTRS_OFFSET) : *off + ntx_attr_length(rec + *off);
    if (ntx_le32(rec + o) == NTX_AT_END)
        return NULL;
    *off = o;
    return rec + o;
}

const uint8_t *ntx_rec_find_attr(const uint8_t *rec, uint32_t type, const uint16_t *name,
                                 size_t name_len, uint32_t *off)
{
    uint32_t o = 0;
    const uint8_t *a;
    /* bound: the walk of a checked record ends at AT_END */
    while ((a = ntx_rec_next_attr(rec, &o)) != NULL) {
        if (ntx_attr_matches(a, type, name, name_len)) {
            *off = o;
            return a;
        }
    }
    return NULL;
}

#if NTX_WITH_ATTRLIST /* its callers follow attribute list entries */
const uint8_t *ntx_rec_find_instance(const uint8_t *rec, uint32_t type, uint16_t instance,
                                     uint32_t *off)
{
    uint32_t o = 0;
    const uint8_t *a;
    /* bound: the walk of a checked record ends at AT_END */
    while ((a = ntx_rec_next_attr(rec, &o)) != NULL) {
        if (ntx_attr_type(a) == type && ntx_attr_instance(a) == instance) {
            *off = o;
            return a;
        }
    }
    return NULL;
}
#endif

const uint8_t *ntx_rec_attr_at(const uint8_t *rec, uint32_t off, uint32_t type)
{
    uint32_t o = 0;
    const uint8_t *a;
    /* bound: offsets grow along the walk of a checked record */
    while ((a = ntx_rec_next_attr(rec, &o)) != NULL && o <= off) {
        if (o == off)
            return ntx_attr_type(a) == type ? a : NULL;
    }
    return NULL;
}

/* ---- locating records in $MFT ---- */

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

#if NTX_WITH_ATTRLIST /* $MFT mapped run by run, through its attribute list past record 0 */
static bool mft_run_cached(const ntx_volume *vol, uint64_t vcn, ntx_run *run)
{
    const ntx_run *c = &vol->mft_run;
    if (c->len == 0 || vcn < c->vcn || vcn - c->vcn >= c->len)
        return false;
    ntx_mem_copy(run, c, sizeof *c);
    return true;
}

/* Map a VCN of $MFT using only the extent in record 0. */
static ntx_err mft_map_base(ntx_volume *vol, uint64_t vcn, ntx_run *run)
{
    if (mft_run_cached(vol, vcn, run))
        return NTX_OK;
    const uint8_t *data = mft_base_extent(vol);
    if (data == NULL)
        return ntx_fail(vol, NTX_E_RECORD, NTX_CHK_ATTR_FORM, 0, 0);
    if (vcn >= ntx_attr_vcn_end(data))
        return ntx_fail(vol, NTX_E_RUNLIST, NTX_CHK_RUN_UNMAPPED, 0, vcn);
    ntx_err rc = ntx_mp_find(vol, data, vcn, run, 0);
    if (rc == NTX_OK && run->lcn != NTX_LCN_HOLE)
        ntx_mem_copy(&vol->mft_run, run, sizeof *run);
    return rc;
}

/* Read record mft_no's bytes from the run that maps its first byte onward. */
static ntx_err mft_read_piece(ntx_volume *vol, const ntx_run *run, uint64_t byte, uint8_t *dst,
                              size_t *n)
{
    const unsigned cs = vol->cluster_shift;
    if (run->lcn == NTX_LCN_HOLE)
        return ntx_fail(vol, NTX_E_RUNLIST, NTX_CHK_RUN_UNMAPPED, 0, byte >> cs);
    uint64_t in_run = byte - (run->vcn << cs);
    *n = (size_t)ntx_min_u64(*n, (run->len << cs) - in_run);
    return ntx_dev_read(vol, (run->lcn << cs) + in_run, dst, *n);
}

/* Read record mft_no (raw, no fixup) using record 0's extent alone. This
 * loop and mft_read_raw()'s differ only in the mapping they call; they are
 * kept apart so the call graph has no cycle (mft_read_raw -> mft_map ->
 * mft_load_extension -> here), which the ntx_stack test verifies. */
static ntx_err mft_read_raw_base(ntx_volume *vol, uint64_t mft_no, uint8_t *dst)
{
    uint64_t byte = mft_no << vol->record_shift;
    size_t left = vol->geo.record_size;
    /* bound: each pass reads at least one byte of the record */
    while (left > 0) {
        ntx_run run;
        ntx_err rc = mft_map_base(vol, byte >> vol->cluster_shift, &run);
        size_t n = left;
        if (rc == NTX_OK)
            rc = mft_read_piece(vol, &run, byte, dst, &n);
        if (rc != NTX_OK)
            return rc;
        dst += n;
        byte += n;
        left -= n;
    }
    return NTX_OK;
}

/* Load extension record ext_no of $MFT into the mftext slot. Out of line:
 * inlined, its run would sit in ntx_record_get()'s frame, which is on the
 * deepest call chains of the core (issue 6), while this is not. */
static __attribute__((noinline)) ntx_err mft_load_extension(ntx_volume *vol, uint64_t ext_no)
{
    if (vol->mftext_no == ext_no)
        return NTX_OK;
    vol->mftext_no = NTX_NO_RECORD;
    if (ext_no >= vol->mft_records)
        return ntx_fail(vol, NTX_E_ATTRLIST, NTX_CHK_ALIST_TARGET, 0, ext_no);
    ntx_err rc = mft_read_raw_base(vol, ext_no, vol->mftext);
    if (rc == NTX_OK)
        rc = ntx_record_check(vol, vol->mftext, ext_no);
    if (rc != NTX_OK)
        return rc;
    if (NTX_REF_MFT(ntx_rec_base_ref(vol->mftext)) != 0 ||
        (ntx_rec_flags(vol->mftext) & REC_FLAG_IN_USE) == 0)
        return ntx_fail(vol, NTX_E_ATTRLIST, NTX_CHK_ALIST_TARGET, ext_no, REC_BASE_REF);
    vol->mftext_no = ext_no;
    return NTX_OK;
}

/* Map a VCN of $MFT anywhere, through its attribute list if needed. */
static ntx_err mft_map(ntx_volume *vol, uint64_t vcn, ntx_run *run)
{
    const uint8_t *data = mft_base_extent(vol);
    if (mft_run_cached(vol, vcn, run) || (data != NULL && vcn < ntx_attr_vcn_end(data)))
        return mft_map_base(vol, vcn, run);

    uint32_t off;
    const uint8_t *al = ntx_rec_find_attr(vol->mft0, NTX_AT_ATTRIBUTE_LIST, NULL, 0, &off);
    if (al == NULL)
        return ntx_fail(vol, NTX_E_RUNLIST, NTX_CHK_RUN_UNMAPPED, 0, vcn);
    ntx_alist_entry e;
    static const ntx_alist_query mft_data = { .type = NTX_AT_DATA };
    ntx_err rc = ntx_alist_find(vol, al, 0, &mft_data, vcn, &e);
    if (rc == NTX_E_NOT_FOUND)
        return ntx_fail(vol, NTX_E_RUNLIST, NTX_CHK_RUN_UNMAPPED, 0, vcn);
    if (rc != NTX_OK)
        return rc;

    const uint8_t *rec = vol->mft0;
    uint64_t ext_no = NTX_REF_MFT(e.ref);
    if (ext_no != 0) {
        rc = mft_load_extension(vol, ext_no);
        if (rc != NTX_OK)
            return rc;
        rec = vol->mftext;
    }
    data = ntx_rec_find_instance(rec, NTX_AT_DATA, e.instance, &off);
    if (data == NULL || ntx_attr_is_resident(data) || ntx_attr_lowest_vcn(data) != e.lowest_vcn)
        return ntx_fail(vol, NTX_E_ATTRLIST, NTX_CHK_ALIST_TARGET, ext_no, e.instance);
    rc = ntx_mp_find(vol, data, vcn, run, ext_no);
    if (rc == NTX_OK && run->lcn != NTX_LCN_HOLE)
        ntx_mem_copy(&vol->mft_run, run, sizeof *run);
    return rc;
}

static ntx_err mft_read_raw(ntx_volume *vol, uint64_t mft_no, uint8_t *dst)
{
    uint64_t byte = mft_no << vol->record_shift;
    size_t left = vol->geo.record_size;
    /* bound: each pass reads at least one byte of the record */
    while (left > 0) {
        ntx_run run;
        ntx_err rc = mft_map(vol, byte >> vol->cluster_shift, &run);
        size_t n = left;
        if (rc == NTX_OK)
            rc = mft_read_piece(vol, &run, byte, dst, &n);
        if (rc != NTX_OK)
            return rc;
        dst += n;
        byte += n;
        left -= n;
    }
    return NTX_OK;
}

#else
/* config.h: without attribute lists $MFT is read through its first extent
 * alone, decoded from its start for each record, with the checks and errors
 * of mft_map() above (a hole in $MFT is a bad runlist); a record past that
 * extent is refused as unsupported when $MFT has a list to find it with. */
static ntx_err mft_read_raw(ntx_volume *vol, uint64_t mft_no, uint8_t *dst)
{
    const uint8_t *data = mft_base_extent(vol);
    uint32_t off;
    ntx_err rc = NTX_END;
    if (data != NULL)
        rc = ntx_mp_read(vol, data, 0, mft_no << vol->record_shift, dst, vol->geo.record_size,
                         true);
    if (rc != NTX_END)
        return rc;
    if (ntx_rec_find_attr(vol->mft0, NTX_AT_ATTRIBUTE_LIST, NULL, 0, &off) != NULL)
        return ntx_fail(vol, NTX_E_UNSUPPORTED, NTX_CHK_NONE, 0,
                        (mft_no << vol->record_shift) >> vol->cluster_shift);
    return ntx_fail(vol, NTX_E_RUNLIST, NTX_CHK_RUN_UNMAPPED, 0,
                    (mft_no << vol->record_shift) >> vol->cluster_shift);
}
#endif

/* Records 0-3 from $MFTMirr, which holds them contiguously from its first cluster. */
static ntx_err mft_read_mirror(ntx_volume *vol, uint64_t mft_no, uint8_t *dst)
{
    uint64_t off = (vol->geo.mftmirr_lcn << vol->cluster_shift) + (mft_no << vol->record_shift);
    ntx_err rc = ntx_dev_read(vol, off, dst, vol->geo.record_size);
    return rc == NTX_OK ? ntx_record_check(vol, dst, mft_no) : rc;
}

/* The mirror copy of record 0-3 after its primary failed with rc (whose
 * diagnostic is kept when the mirror fails too). Out of line: its saved
 * diagnostic would otherwise sit in ntx_record_get()'s frame, on the deepest
 * call chains of the core (issue 6). */
static __attribute__((noinline)) ntx_err record_recover(ntx_volume *vol, uint64_t mft_no,
                                                        uint8_t *dst, ntx_err rc)
{
    ntx_diag primary;
    ntx_mem_copy(&primary, &vol->diag, sizeof primary);
    if (mft_read_mirror(vol, mft_no, dst) == NTX_OK)
        return NTX_OK;
    ntx_mem_copy(&vol->diag, &primary, sizeof primary);
    return rc;
}

/* Read and check a record; records 0-3 fall back on their mirror copy. */
static ntx_err record_load(ntx_volume *vol, uint64_t mft_no, uint8_t *dst)
{
    ntx_err rc = mft_read_raw(vol, mft_no, dst);
    if (rc == NTX_OK)
        rc = ntx_record_check(vol, dst, mft_no);
    if (NTX_WITH_RECOVERY && rc != NTX_OK && mft_no < REC_MIRRORED)
        return record_recover(vol, mft_no, dst, rc);
    return rc;
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
#if NTX_WITH_ATTRLIST /* the $MFT extension slot and run cache of mft_map() */
    vol->mftext_no = NTX_NO_RECORD;
    vol->mft_run.len = 0;
#endif
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
        return ntx_fail(vol, NTX_E_RECORD, NTX_CHK_RECORD_NUMBER, mft_no, 0);

    vol->rec_slot_no[victim] = NTX_NO_RECORD;
    if (RECORD_LRU)
        vol->rec_slot_tick[victim] = 0;
    ntx_err rc = record_load(vol, mft_no, vol->rec_slot[victim]);
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
        return ntx_fail(vol, NTX_E_RECORD, NTX_CHK_RECORD_NOT_IN_USE, mft_no, REC_FLAGS);
    if (ntx_rec_base_ref(r) != 0)
        return ntx_fail(vol, NTX_E_RECORD, NTX_CHK_RECORD_NOT_BASE, mft_no, REC_BASE_REF);
    if (seq != NTX_SEQ_ANY && ntx_rec_sequence(r) != seq)
        return ntx_fail(vol, NTX_E_STALE, NTX_CHK_RECORD_SEQUENCE, mft_no, REC_SEQUENCE);
    *rec = r;
    return NTX_OK;
}

#if NTX_WITH_ATTRLIST /* extension records are found through attribute lists */
ntx_err ntx_record_get_extension(ntx_volume *vol, uint64_t ext_ref, uint64_t base_no,
                                 bool allow_free, const uint8_t **rec)
{
    uint64_t ext_no = NTX_REF_MFT(ext_ref);
    const uint8_t *r = NULL;
    ntx_err rc = ntx_record_get(vol, ext_no, &r);
    if (rc != NTX_OK)
        return rc;
    /* An extension used as a file, or a record of another file, is where
     * CVE-2023-53294 and the attribute-list cycles of R24 come from. */
    if (((ntx_rec_flags(r) & REC_FLAG_IN_USE) == 0 && !allow_free) ||
        (ext_no != base_no && NTX_REF_MFT(ntx_rec_base_ref(r)) != base_no))
        return ntx_fail(vol, NTX_E_ATTRLIST, NTX_CHK_RECORD_BASE, ext_no, REC_BASE_REF);
    /* Freeing a record increments its sequence number, so the list of a
     * deleted file names its (freed) records with the number before. */
    uint16_t want = NTX_REF_SEQ(ext_ref), have = ntx_rec_sequence(r);
    bool freed = (ntx_rec_flags(r) & REC_FLAG_IN_USE) == 0;
    if (want != 0 && want != have && !(allow_free && freed && (uint16_t)(want + 1u) == have))
        return ntx_fail(vol, NTX_E_ATTRLIST, NTX_CHK_RECORD_SEQUENCE, ext_no, REC_SEQUENCE);
    *rec = r;
    return NTX_OK;
}
#endif

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

ntx_err ntx_mft_bootstrap(ntx_volume *vol)
{
    /* Record 0 is the first record of $MFT's first run, which starts at the
     * boot sector's $MFT LCN; nothing else is known yet. */
    uint64_t off = vol->geo.mft_lcn << vol->cluster_shift;
    ntx_err rc = ntx_dev_read(vol, off, vol->mft0, vol->geo.record_size);
    if (rc == NTX_OK)
        rc = ntx_record_check(vol, vol->mft0, 0);
    if (rc != NTX_OK && (!NTX_WITH_RECOVERY || record_recover(vol, 0, vol->mft0, rc) != NTX_OK))
        return rc;
    if ((ntx_rec_flags(vol->mft0) & REC_FLAG_IN_USE) == 0)
        return ntx_fail(vol, NTX_E_RECORD, NTX_CHK_RECORD_NOT_IN_USE, 0, REC_FLAGS);

    const uint8_t *data = mft_base_extent(vol);
    if (data == NULL)
        return ntx_fail(vol, NTX_E_RECORD, NTX_CHK_ATTR_FORM, 0, 0);
    ntx_run first;
#if NTX_WITH_ATTRLIST
    rc = ntx_mp_find(vol, data, 0, &first, 0);
#else
    /* What ntx_mp_find(vol, data, 0, ...) does: VCN 0 is mapped by the
     * first run. Spelt out so that a loader's mount+open+read links no
     * ntx_mp_find in a build without attribute lists (issue 6). */
    ntx_mp_state st;
    ntx_mp_begin(data, &st);
    rc = st.vcn_end == 0 ? NTX_END : ntx_mp_next(vol, data, &st, &first, 0);
    if (rc == NTX_END)
        rc = ntx_fail(vol, NTX_E_RUNLIST, NTX_CHK_RUN_UNMAPPED, 0, 0);
#endif
    if (rc != NTX_OK)
        return rc;
    /* The boot sector and $MFT's own runlist must agree on where it starts. */
    if (first.lcn != vol->geo.mft_lcn)
        return ntx_fail(vol, NTX_E_RUNLIST, NTX_CHK_RUN_LCN, 0, ntx_attr_mp_offset(data));
#if NTX_WITH_ATTRLIST /* the only reader of the run cache */
    ntx_mem_copy(&vol->mft_run, &first, sizeof first);
#endif
    /* $MFT is never sparse, so it cannot be larger than the volume; a size
     * of 2^50 bytes would have every record count or scan read its sparse
     * $BITMAP for hours (HOSTILE R44). */
    uint64_t volume_bytes = vol->geo.cluster_count << vol->cluster_shift;
    if (ntx_attr_data_size(data) > volume_bytes)
        return ntx_fail(vol, NTX_E_RECORD, NTX_CHK_ATTR_SIZES, 0, 0);
    vol->mft_records = ntx_attr_data_size(data) >> vol->record_shift;
    if (vol->mft_records < 16u)
        return ntx_fail(vol, NTX_E_RECORD, NTX_CHK_ATTR_SIZES, 0, 0);
    return NTX_OK;
}
