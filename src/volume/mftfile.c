/*
 * mftfile.c - "mounting" a copy of $MFT alone (ntx_volume_mount_mft()): the
 * file triage collections hold instead of a disk image. Record n is at byte
 * n * record size of the file; the device layer refuses every other read
 * (NTX_E_EXTERNAL, NTX_CHK_EXTERNAL_VOLUME), so whatever lives in the
 * volume's clusters is reported as elsewhere, never read from the wrong
 * bytes or made up as zeros.
 *
 * With no boot sector, the geometry comes from the records themselves:
 *   record size   record 0's "bytes allocated" (0x1C), checked by its own
 *                 update sequence (one entry per 512 bytes, plus one);
 *   cluster size  a non-resident value of records 0-15 (files Windows and
 *                 mkntfs make at format time) whose first and only extent
 *                 maps it all: allocated size = clusters mapped << shift;
 *   clusters      $BadClus:$Bad, a sparse stream exactly as long as the
 *                 volume (Windows and mkntfs both size it so), else $Bitmap's
 *                 bits;
 *   index blocks  the block size the root directory's $INDEX_ROOT declares.
 * Each is what the boot sector says on a sound volume, so records check,
 * and runs decode, exactly as on the volume.
 */
#include "mount.h"

#include "../base/diag.h"
#include "../base/mem.h"
#include "../device/device.h"
#include "../mft/mft.h"
#include "../parse/attr.h"
#include "../parse/record.h"
#include "../tree/upcase.h"
#include "ntx/file.h"

#define MFTFILE_MIN_BLOCK 512u
#define MFTFILE_PROBE 4096u
#define MFTFILE_SYSTEM_RECORDS 16u /* records a formatter fills: $MFT .. $Extend and spares */
#define MFTFILE_MIN_SHIFT 9u       /* 512-byte clusters, the smallest NTFS allows */
#define MFTFILE_MAX_SHIFT 21u      /* 2 MiB clusters, the largest */
#define MFTFILE_DEFAULT_INDEX 4096u

/* "$Bad" and "$I30" as attribute names. */
static const uint16_t mftfile_bad[4] = { '$', 'B', 'a', 'd' };
static const uint16_t mftfile_i30[4] = { '$', 'I', '3', '0' };

/* IR_BLOCK_SIZE of parse/index.c: the index block size in an $INDEX_ROOT value. */
#define MFTFILE_IR_BLOCK_SIZE 0x08u

static bool mftfile_pow2(uint64_t x)
{
    return x != 0 && (x & (x - 1u)) == 0;
}

static ntx_err mftfile_not_mft(ntx_volume *vol, ntx_check check, uint64_t offset)
{
    return ntx_fail(vol, NTX_E_NOT_NTFS, check, 0, offset);
}

/*
 * The record size from record 0's raw header (no fixup yet): "FILE", bytes
 * allocated a power of two, and an update sequence of one entry per 512
 * bytes plus the sequence number itself.
 */
static ntx_err mftfile_record_size(ntx_volume *vol, const uint8_t *head, size_t len,
                                   uint32_t *size)
{
    if (len < REC_HEADER_MIN || ntx_le32(head + REC_MAGIC) != REC_MAGIC_FILE)
        return mftfile_not_mft(vol, NTX_CHK_RECORD_MAGIC, 0);
    uint32_t rs = ntx_le32(head + REC_BYTES_ALLOCATED);
    if (!mftfile_pow2(rs) || rs < MFTFILE_MIN_BLOCK ||
        ntx_le16(head + REC_USA_COUNT) != (rs >> 9) + 1u)
        return mftfile_not_mft(vol, NTX_CHK_RECORD_SIZES, REC_BYTES_ALLOCATED);
    if (rs > NTX_MAX_RECORD_SIZE)
        return ntx_fail(vol, NTX_E_UNSUPPORTED, NTX_CHK_GEOMETRY_LIMIT, 0, REC_BYTES_ALLOCATED);
    if (rs > vol->io.size)
        return mftfile_not_mft(vol, NTX_CHK_RECORD_NUMBER, 0);
    *size = rs;
    return NTX_OK;
}

/*
 * The cluster shift a value's first extent proves: it maps clusters
 * [0, vcn_end) and the value has alloc bytes, so when that extent is the
 * whole value, alloc = vcn_end << shift. Records with an attribute list may
 * hold only a first extent, and are not asked.
 */
static unsigned mftfile_shift_of(const uint8_t *rec)
{
    uint32_t off = 0;
    const uint8_t *a;
    if (ntx_rec_find_attr(rec, NTX_AT_ATTRIBUTE_LIST, NULL, 0, &off) != NULL)
        return 0;
    off = 0;
    /* bound: the walk of a checked record ends at AT_END */
    while ((a = ntx_rec_next_attr(rec, &off)) != NULL) {
        if (ntx_attr_is_resident(a) || ntx_attr_lowest_vcn(a) != 0)
            continue;
        uint64_t alloc = ntx_attr_alloc_size(a), end = ntx_attr_vcn_end(a);
        if (alloc == 0 || end == 0)
            continue;
        for (unsigned s = MFTFILE_MIN_SHIFT; s <= MFTFILE_MAX_SHIFT; s++) /* bound: 13 shifts */
            if ((end << s) == alloc)
                return s;
    }
    return 0;
}

/* The size of the unnamed or named (name, 4 units) $DATA of record n, or 0. */
static uint64_t mftfile_data_size(ntx_volume *vol, uint64_t n, const uint16_t *name,
                                  size_t name_len)
{
    const uint8_t *rec, *a;
    uint32_t off;
    if (n >= vol->mft_records || ntx_record_get(vol, n, &rec) != NTX_OK)
        return 0;
    a = ntx_rec_find_attr(rec, NTX_AT_DATA, name, name_len, &off);
    if (a == NULL || ntx_attr_is_resident(a) || ntx_attr_lowest_vcn(a) != 0)
        return 0;
    return ntx_attr_data_size(a);
}

/* The index block size the root directory's $INDEX_ROOT declares, or 0. */
static uint32_t mftfile_index_size(ntx_volume *vol)
{
    const uint8_t *rec, *a;
    uint32_t off;
    if (NTX_MFT_ROOT >= vol->mft_records || ntx_record_get(vol, NTX_MFT_ROOT, &rec) != NTX_OK)
        return 0;
    a = ntx_rec_find_attr(rec, NTX_AT_INDEX_ROOT, mftfile_i30, 4, &off);
    if (a == NULL || !ntx_attr_is_resident(a))
        return 0;
    ntx_span v = ntx_attr_value(a);
    if (v.len < MFTFILE_IR_BLOCK_SIZE + 4u)
        return 0;
    uint32_t bs = ntx_le32(v.p + MFTFILE_IR_BLOCK_SIZE);
    return mftfile_pow2(bs) && bs >= MFTFILE_MIN_BLOCK ? bs : 0;
}

/* Geometry from the system records (see the top of the file); vol is set up
 * with 512-byte clusters, the loosest checks, while they are read. */
static void mftfile_geometry(ntx_volume *vol, ntx_geometry *geo)
{
    unsigned shift = 0;
    uint64_t n_sys = vol->mft_records < MFTFILE_SYSTEM_RECORDS ? vol->mft_records
                                                               : MFTFILE_SYSTEM_RECORDS;
    for (uint64_t n = 0; n < n_sys && shift == 0; n++) { /* bound: 16 records */
        const uint8_t *rec;
        if (ntx_record_get(vol, n, &rec) == NTX_OK && ntx_rec_base_ref(rec) == 0)
            shift = mftfile_shift_of(rec);
    }
    if (shift == 0)
        shift = 12u; /* no witness: 4 KiB, what every formatter picks below 16 TB */
    geo->cluster_size = 1u << shift;

    uint64_t max_clusters = ((uint64_t)1 << (63u - shift)) - 1u;
    uint64_t clusters = mftfile_data_size(vol, NTX_MFT_BADCLUS, mftfile_bad, 4) >> shift;
    if (clusters == 0)
        clusters = mftfile_data_size(vol, NTX_MFT_BITMAP, NULL, 0) << 3;
    geo->cluster_count = clusters != 0 && clusters <= max_clusters ? clusters : max_clusters;

    uint32_t ibs = mftfile_index_size(vol);
    geo->index_block_size = ibs != 0 ? ibs : MFTFILE_DEFAULT_INDEX;
}

ntx_err ntx_volume_mount_mft_checked(ntx_volume *vol, const ntx_io *io, void *ws, size_t ws_size,
                                     uint64_t abi_id)
{
    if (abi_id != NTX_ABI_ID(sizeof *vol))
        return NTX_E_CONFIG;
    if (!NTX_WITH_MFT_FILE) /* config.h: a profile without triage files */
        return NTX_E_UNSUPPORTED;
    if (vol == NULL || io == NULL || io->read == NULL || ws == NULL)
        return NTX_E_ARG;
    ntx_mem_zero(vol, sizeof *vol);
    vol->diag.mft_no = NTX_NO_RECORD;
    ntx_mem_copy(&vol->io, io, sizeof *io);
    const uint32_t bs = vol->io.block_size ? vol->io.block_size : MFTFILE_MIN_BLOCK;
    vol->io.block_size = bs;
    if (!mftfile_pow2(bs) || bs < MFTFILE_MIN_BLOCK || bs > NTX_MAX_BLOCK_SIZE ||
        (vol->io.offset & (bs - 1u)) != 0 || vol->io.size == 0)
        return NTX_E_ARG;
    if (ws_size < MFTFILE_PROBE)
        return NTX_E_WORKSPACE;

    /* The head of the file: record 0's header says the record size. */
    size_t head = (size_t)ntx_min_u64(MFTFILE_PROBE, vol->io.size & ~(uint64_t)(bs - 1u));
    if (head < REC_HEADER_MIN)
        return mftfile_not_mft(vol, NTX_CHK_RECORD_MAGIC, 0);
    int io_rc = vol->io.read(vol->io.ctx, vol->io.offset, ws, head);
    if (io_rc != 0) {
        if (NTX_WITH_DIAG)
            vol->diag.io_status = io_rc < 0 ? io_rc : -1;
        return ntx_fail(vol, NTX_E_IO, NTX_CHK_IO, NTX_NO_RECORD, 0);
    }
    uint32_t rs = 0;
    ntx_err rc = mftfile_record_size(vol, ws, head, &rs);
    if (rc != NTX_OK)
        return rc;

    /* First with the loosest cluster size and the largest index blocks, to
     * read the records that tell the real ones. */
    ntx_geometry *geo = &vol->geo;
    geo->sector_size = MFTFILE_MIN_BLOCK;
    geo->cluster_size = 1u << MFTFILE_MIN_SHIFT;
    geo->record_size = rs;
    geo->index_block_size = NTX_MAX_INDEX_BLOCK_SIZE;
    geo->block_size = bs;
    geo->total_sectors = vol->io.size >> 9;
    geo->cluster_count = ((uint64_t)1 << (63u - MFTFILE_MIN_SHIFT)) - 1u;
    geo->mft_only = true;
    if (ws_size < ntx_workspace_size(geo))
        return ntx_fail(vol, NTX_E_WORKSPACE, NTX_CHK_WORKSPACE, NTX_NO_RECORD,
                        ntx_workspace_size(geo));
    ntx_volume_setup(vol, ws);
    vol->mft_records = vol->io.size >> vol->record_shift;

    /* Record 0 must be $MFT's own: in use, a base record, with a
     * non-resident $DATA (the table this file is a copy of). */
    const uint8_t *rec, *a;
    uint32_t off;
    rc = ntx_record_get(vol, NTX_MFT_MFT, &rec);
    if (rc == NTX_E_CORRUPT)
        return mftfile_not_mft(vol, (ntx_check)vol->diag.check, vol->diag.offset);
    if (rc != NTX_OK)
        return rc;
    a = ntx_rec_find_attr(rec, NTX_AT_DATA, NULL, 0, &off);
    if ((ntx_rec_flags(rec) & REC_FLAG_IN_USE) == 0 || ntx_rec_base_ref(rec) != 0 || a == NULL ||
        ntx_attr_is_resident(a))
        return mftfile_not_mft(vol, NTX_CHK_ATTR_FORM, off);

    mftfile_geometry(vol, geo);
    if (geo->index_block_size > NTX_MAX_INDEX_BLOCK_SIZE)
        return ntx_fail(vol, NTX_E_UNSUPPORTED, NTX_CHK_GEOMETRY_LIMIT, NTX_MFT_ROOT, 0);
    ntx_volume_setup(vol, ws); /* the real geometry; the records are read again under it */
    rc = ntx_record_get(vol, NTX_MFT_MFT, &rec);
    if (rc != NTX_OK)
        return rc;
    ntx_mem_copy(vol->mft0, rec, rs);
#if NTX_WITH_UPCASE
    /* $UpCase's runs, so that a collation asks for its clusters and is
     * refused as elsewhere; a damaged record 10 leaves it without runs. */
    if (ntx_upcase_setup(vol) != NTX_OK)
        vol->upcase_nruns = 0;
#endif
    vol->priv = NTX_VOLUME_LIVE;
    return NTX_OK;
}
