/*
 * volume.c - mounting: boot sector (or its backup), geometry limits, the
 * workspace carve-up, $MFT bootstrap, $UpCase; and $Volume (MFT record 3):
 * $VOLUME_NAME (type 0x60, the label in UTF-16LE) and $VOLUME_INFORMATION
 * (type 0x70: 0x08 major version, 0x09 minor version, 0x0A flags u16, bit 0
 * dirty; ntfs-3g layout.h VOLUME_INFORMATION).
 */
#include "../parse/attr.h"
#include "../parse/boot.h"
#include "../device/device.h"
#include "../base/diag.h"
#include "../base/mem.h"
#include "../mft/mft.h"
#include "../value/stream.h"
#include "../tree/upcase.h"
#include "mount.h"
#include "ntx/file.h"

enum { VI_MAJOR = 0x08, VI_MINOR = 0x09, VI_FLAGS = 0x0A, VI_SIZE = 0x0C };

#define VOLUME_BOOT_SIZE 512u
#define VOLUME_MIN_BLOCK 512u

static bool volume_block_size_ok(uint32_t bs)
{
    return bs >= VOLUME_MIN_BLOCK && bs <= NTX_MAX_BLOCK_SIZE && (bs & (bs - 1u)) == 0;
}

/* Read the 512 bytes at device offset off (relative to io->offset) through
 * the block-aligned scratch block. */
static ntx_err volume_read_sector(const ntx_io *io, uint32_t bs, uint64_t off, uint8_t *block,
                                  const uint8_t **sec, ntx_diag *diag)
{
    uint64_t start = off & ~(uint64_t)(bs - 1u);
    /* A backup candidate need not be block-aligned (a device size that is no
     * multiple of 512, 256-byte sectors): the sector must fit in the one
     * block of scratch, or it is not a candidate (found by fuzz_boot). */
    if (off - start > bs - VOLUME_BOOT_SIZE)
        return NTX_E_NOT_NTFS;
    int rc = io->read(io->ctx, io->offset + start, block, bs);
    if (rc != 0) {
        if (NTX_WITH_DIAG && diag != NULL) {
            diag->err = NTX_E_IO;
            diag->check = NTX_CHK_IO;
            diag->offset = start;
            diag->io_status = rc < 0 ? rc : -1;
        }
        return NTX_E_IO;
    }
    *sec = block + (off - start);
    return NTX_OK;
}

/* Where the backup boot sector may be: the last sector of the device (for
 * 512- and 4096-byte sectors), or where the primary's own fields put it. */
static unsigned volume_backup_candidates(const ntx_io *io, const uint8_t *primary, uint64_t c[3])
{
    unsigned n = 0;
    if (io->size >= 2u * 4096u) {
        c[n++] = io->size - 512u;
        c[n++] = io->size - 4096u;
    }
    uint16_t bps = ntx_le16(primary + 0x0B);
    uint64_t total = ntx_le64(primary + 0x28);
    uint64_t off;
    if (bps >= 256 && bps <= 4096 && (bps & (bps - 1u)) == 0 &&
        ntx_shl_u64(total, (unsigned)ntx_log2_exact(bps), &off) && off != 0)
        c[n++] = off;
    return n;
}

ntx_err ntx_volume_probe(const ntx_io *io, void *block, size_t block_len, ntx_geometry *geo,
                         ntx_diag *diag)
{
    if (io == NULL || io->read == NULL || block == NULL || geo == NULL)
        return NTX_E_ARG;
    uint32_t bs = io->block_size ? io->block_size : VOLUME_MIN_BLOCK;
    if (!volume_block_size_ok(bs) || block_len < bs || (io->offset & (bs - 1u)) != 0)
        return NTX_E_ARG;

    const uint8_t *sec;
    ntx_check check, first_check;
    ntx_err rc = volume_read_sector(io, bs, 0, block, &sec, diag);
    if (rc != NTX_OK)
        return rc;
    rc = ntx_boot_parse(sec, VOLUME_BOOT_SIZE, io->size, geo, &first_check);
    if (rc != NTX_OK) {
        /* Only a bad primary sends us to the backup: never "repair" a good
         * one from elsewhere (CVE-2021-35267). */
        uint64_t cand[3];
        uint8_t primary[0x30];
        ntx_mem_copy(primary, sec, sizeof primary);
        unsigned n = NTX_WITH_RECOVERY ? volume_backup_candidates(io, primary, cand) : 0;
        for (unsigned i = 0; i < n && rc != NTX_OK; i++) {
            if (volume_read_sector(io, bs, cand[i], block, &sec, NULL) != NTX_OK)
                continue;
            rc = ntx_boot_parse(sec, VOLUME_BOOT_SIZE, io->size, geo, &check);
            /* The backup is the sector just after the ones the volume counts. */
            if (rc == NTX_OK && geo->total_sectors * geo->sector_size != cand[i])
                rc = NTX_E_NOT_NTFS;
        }
        if (rc != NTX_OK) {
            if (NTX_WITH_DIAG && diag != NULL) {
                diag->err = NTX_E_NOT_NTFS;
                diag->check = (uint16_t)first_check;
                diag->mft_no = NTX_NO_RECORD;
                diag->offset = 0;
            }
            return NTX_E_NOT_NTFS;
        }
        geo->from_backup = true;
    }
    geo->block_size = bs;

    if (geo->record_size > NTX_MAX_RECORD_SIZE ||
        geo->index_block_size > NTX_MAX_INDEX_BLOCK_SIZE ||
        geo->index_block_size < VOLUME_MIN_BLOCK || bs > geo->cluster_size) {
        if (NTX_WITH_DIAG && diag != NULL) {
            diag->err = NTX_E_UNSUPPORTED;
            diag->check = NTX_CHK_GEOMETRY_LIMIT;
            diag->mft_no = NTX_NO_RECORD;
            diag->offset = 0;
        }
        return NTX_E_UNSUPPORTED;
    }
    return NTX_OK;
}

size_t ntx_workspace_size(const ntx_geometry *geo)
{
    if (geo == NULL)
        return NTX_WORKSPACE_MAX;
    return NTX_WORKSPACE_SIZE((size_t)geo->record_size, (size_t)geo->index_block_size,
                              (size_t)geo->block_size);
}

/* Hand out n bytes of the workspace. */
static uint8_t *volume_carve(uint8_t **p, size_t n)
{
    uint8_t *r = *p;
    *p += n;
    return r;
}

static void volume_carve_workspace(ntx_volume *vol, void *ws)
{
    uint8_t *p = ws;
    const size_t rec = vol->geo.record_size, blk = vol->geo.block_size;
    p += (8u - ((uintptr_t)p & 7u)) & 7u;
    vol->ws = p;
    for (unsigned i = 0; i < NTX_RECORD_SLOTS; i++)
        vol->rec_slot[i] = volume_carve(&p, rec);
    vol->mft0 = volume_carve(&p, rec);
    vol->idx_buf = volume_carve(&p, vol->geo.index_block_size);
    vol->bounce = volume_carve(&p, blk);
    /* what the switches of config.h leave out takes no room (volume.h) */
#if NTX_WITH_ATTRLIST
    vol->mftext = volume_carve(&p, rec);
    vol->al_win = volume_carve(&p, NTX_ALIST_WINDOW);
#endif
#if NTX_WITH_UPCASE
    vol->upc_block = volume_carve(&p, blk);
#endif
#if NTX_WITH_LZNT1
    vol->lz_cbuf = volume_carve(&p, NTX_LZNT1_WINDOW(blk));
    vol->lz_dbuf = volume_carve(&p, 4096u);
    vol->lz_map = (uint64_t *)(void *)volume_carve(&p, 16u * sizeof(uint64_t));
#endif
#if NTX_WITH_WOF
    vol->wof_in = volume_carve(&p, NTX_WOF_MAX_CHUNK);
    vol->wof_out = volume_carve(&p, NTX_WOF_MAX_CHUNK);
    vol->wof_scratch = volume_carve(&p, NTX_WOF_SCRATCH_SIZE);
#endif
}

uint32_t ntx_config_id(void)
{
    return NTX_CONFIG_ID;
}

/*
 * The mount generation handles are checked against. It is made from what
 * identifies this mount (the workspace, the callback's context, the volume's
 * offset, serial number and size), not from what vol held before:
 * vol may be uninitialized memory, and reading it would be reading garbage.
 */
static uint32_t volume_generation(const ntx_volume *vol, const void *ws)
{
    uint64_t h = (uintptr_t)ws ^ ((uint64_t)(uintptr_t)vol->io.ctx << 1) ^ vol->io.offset ^
                 vol->geo.serial ^ (vol->geo.total_sectors << 7);
    return (uint32_t)(h ^ (h >> 32)) | 1u; /* never 0, a volume never mounted */
}

ntx_err ntx_volume_mount_checked(ntx_volume *vol, const ntx_io *io, void *ws, size_t ws_size,
                                 uint64_t abi_id)
{
    /* A caller built with other settings has another ntx_volume: writing
     * the library's size of struct into it would corrupt its memory. */
    if (abi_id != NTX_ABI_ID(sizeof *vol))
        return NTX_E_CONFIG;
    if (vol == NULL || io == NULL || io->read == NULL || ws == NULL)
        return NTX_E_ARG;
    ntx_mem_zero(vol, sizeof *vol);
    vol->diag.mft_no = NTX_NO_RECORD;
    ntx_mem_copy(&vol->io, io, sizeof *io);
    if (vol->io.block_size == 0)
        vol->io.block_size = VOLUME_MIN_BLOCK;

    if (!volume_block_size_ok(vol->io.block_size) || ws_size < vol->io.block_size)
        return ws_size < NTX_MAX_BLOCK_SIZE ? NTX_E_WORKSPACE : NTX_E_ARG;
    ntx_err rc = ntx_volume_probe(&vol->io, ws, ws_size, &vol->geo, &vol->diag);
    if (rc != NTX_OK)
        return rc;
    if (ws_size < ntx_workspace_size(&vol->geo))
        return ntx_fail(vol, NTX_E_WORKSPACE, NTX_CHK_WORKSPACE, NTX_NO_RECORD,
                        ntx_workspace_size(&vol->geo));
    ntx_volume_setup(vol, ws);

    rc = ntx_mft_bootstrap(vol);
#if NTX_WITH_UPCASE /* config.h: else lookups fold ASCII and never read $UpCase */
    if (rc == NTX_OK)
        rc = ntx_upcase_setup(vol);
#endif
    if (rc != NTX_OK)
        return rc;
    vol->priv = NTX_VOLUME_LIVE;
    return NTX_OK;
}

void ntx_volume_setup(ntx_volume *vol, void *ws)
{
    vol->gen = volume_generation(vol, ws);
    vol->sector_shift = (uint8_t)ntx_log2_exact(vol->geo.sector_size);
    vol->cluster_shift = (uint8_t)ntx_log2_exact(vol->geo.cluster_size);
    vol->record_shift = (uint8_t)ntx_log2_exact(vol->geo.record_size);
    vol->index_shift = (uint8_t)ntx_log2_exact(vol->geo.index_block_size);
    vol->block_shift = (uint8_t)ntx_log2_exact(vol->geo.block_size);
    /* Index block VCNs count clusters, or 512-byte units when a cluster is
     * larger than an index block (ntfs-3g index_vcn_size_bits). */
    vol->index_vcn_shift =
        vol->geo.cluster_size <= vol->geo.index_block_size ? vol->cluster_shift : 9u;
    volume_carve_workspace(vol, ws);
    ntx_record_cache_reset(vol);
    ntx_dev_forget(vol);
    vol->idx_dir = NTX_NO_RECORD;
#if NTX_WITH_ATTRLIST /* what the switches leave out is never read */
    vol->al_win_rec = NTX_NO_RECORD;
#endif
#if NTX_WITH_UPCASE
    vol->upc_block_no = UINT64_MAX;
#endif
}

void ntx_volume_unmount(ntx_volume *vol)
{
    if (vol != NULL && vol->priv == NTX_VOLUME_LIVE)
        vol->priv = NTX_VOLUME_DEAD;
}

ntx_err ntx_volume_get_info(ntx_volume *vol, ntx_volume_info *info)
{
    if (vol == NULL || info == NULL)
        return NTX_E_ARG;
    if (!ntx_volume_handle_live(vol, vol->gen))
        return NTX_E_STALE;
    ntx_mem_zero(info, sizeof *info);
    ntx_mem_copy(&info->geo, &vol->geo, sizeof vol->geo);
    info->mft_records = vol->mft_records;

    const uint8_t *rec, *a;
    uint32_t off;
    ntx_err rc = ntx_record_get_base(vol, NTX_MFT_VOLUME, NTX_SEQ_ANY, false, &rec);
    if (rc != NTX_OK)
        return rc;
    a = ntx_rec_find_attr(rec, NTX_AT_VOLUME_INFORMATION, NULL, 0, &off);
    if (a == NULL || !ntx_attr_is_resident(a) || ntx_attr_value(a).len < VI_SIZE)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_VOLUME_INFO, NTX_MFT_VOLUME, 0);
    ntx_span v = ntx_attr_value(a);
    info->major = v.p[VI_MAJOR];
    info->minor = v.p[VI_MINOR];
    info->flags = ntx_le16(v.p + VI_FLAGS);
    info->dirty = (info->flags & NTX_VOLUME_DIRTY) != 0;

    a = ntx_rec_find_attr(rec, NTX_AT_VOLUME_NAME, NULL, 0, &off);
    if (a != NULL) {
        if (!ntx_attr_is_resident(a))
            return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_VOLUME_INFO, NTX_MFT_VOLUME, off);
        v = ntx_attr_value(a);
        size_t n = v.len / 2u;
        if (n > sizeof info->label / sizeof info->label[0])
            n = sizeof info->label / sizeof info->label[0];
        for (size_t i = 0; i < n; i++)
            info->label[i] = ntx_le16(v.p + 2 * i);
        info->label_len = (uint8_t)n;
    }
    return NTX_OK;
}

ntx_err ntx_volume_attach_upcase(ntx_volume *vol, uint16_t *table, size_t entries)
{
    if (vol == NULL || table == NULL || entries < 65536u)
        return NTX_E_ARG;
    if (!ntx_volume_handle_live(vol, vol->gen))
        return NTX_E_STALE;
    ntx_stream *s = &vol->tmp_stream;
    ntx_err rc = ntx_stream_init(vol, NTX_MFT_UPCASE, NTX_AT_DATA, NULL, 0, 0, s);
    if (rc == NTX_OK)
        rc = ntx_stream_read_exact(s, 0, table, 65536u * 2u);
    if (rc != NTX_OK)
        return rc;
    /* Little-endian on disk; each entry's two bytes become its host value in place. */
    uint8_t *b = (uint8_t *)table;
    for (size_t i = 0; i < 65536u; i++)
        table[i] = ntx_le16(b + 2 * i);
    vol->upcase = table;
    return NTX_OK;
}
