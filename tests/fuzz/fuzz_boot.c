/*
 * fuzz_boot.c - the boot sector: ntx_boot_parse() and ntx_volume_probe().
 *
 * Input: the first bytes of a device (at least 512, at most 64 KiB): the
 * primary boot sector first; the probe may look for the backup at the end of
 * the input (the device is exactly the input). On success the geometry must
 * satisfy what the rest of the core relies on (R01-R04, docs/robustness.md).
 */
#include <stdlib.h>
#include <string.h>

#include "parse/boot.h"
#include "fuzz_support.h"

static bool pow2(uint64_t x) { return x != 0 && (x & (x - 1)) == 0; }

static void check_geometry(const ntx_geometry *g, uint64_t dev_size)
{
    fz_check(pow2(g->sector_size) && g->sector_size >= 256 && g->sector_size <= 4096);
    fz_check(pow2(g->cluster_size) && g->cluster_size >= g->sector_size &&
             g->cluster_size <= (2u << 20));
    fz_check(pow2(g->record_size) && g->record_size >= 512 && g->record_size <= 65536 &&
             g->record_size >= g->sector_size);
    fz_check(pow2(g->index_block_size) && g->index_block_size >= 512 &&
             g->index_block_size <= 65536);
    fz_check(g->total_sectors != 0);
    fz_check(g->total_sectors <= UINT64_MAX / g->sector_size);
    if (dev_size != 0)
        fz_check(g->total_sectors * g->sector_size <= dev_size);
    fz_check(g->cluster_count == g->total_sectors / (g->cluster_size / g->sector_size));
    fz_check(g->mft_lcn != 0 && g->mft_lcn < g->cluster_count);
    fz_check(g->mftmirr_lcn != 0 && g->mftmirr_lcn < g->cluster_count);
    fz_check(g->mft_lcn != g->mftmirr_lcn);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 512 || size > 65536)
        return 0;
    ntx_geometry geo;
    ntx_check check = NTX_CHK_NONE;
    for (int pass = 0; pass < 2; pass++) {
        uint64_t dev = pass ? 0 : size;
        memset(&geo, 0, sizeof geo);
        ntx_err rc = ntx_boot_parse(data, 512, dev, &geo, &check);
        if (rc == NTX_OK) {
            fz_check(check == NTX_CHK_NONE);
            check_geometry(&geo, dev);
        } else {
            fz_check(rc == NTX_E_NOT_NTFS);
            fz_check(check >= NTX_CHK_BOOT_SIGNATURE && check <= NTX_CHK_BOOT_MFT_LCN);
        }
    }

    fz_dev d = { data, size, size, 0 };
    for (uint32_t bs = 512; bs <= 4096; bs *= 8) {
        ntx_io io;
        ntx_diag diag;
        /* Exactly one block of scratch, as the API allows: nothing may be read past it. */
        uint8_t *block = malloc(bs);
        fz_io(&d, &io, bs);
        memset(&geo, 0, sizeof geo);
        memset(&diag, 0, sizeof diag);
        ntx_err rc = ntx_volume_probe(&io, block, bs, &geo, &diag);
        free(block);
        if (rc == NTX_OK) {
            check_geometry(&geo, size);
            fz_check(geo.block_size == bs && bs <= geo.cluster_size);
            fz_check(geo.record_size <= NTX_MAX_RECORD_SIZE &&
                     geo.index_block_size <= NTX_MAX_INDEX_BLOCK_SIZE);
            fz_check(ntx_workspace_size(&geo) <= NTX_WORKSPACE_MAX);
            if (geo.from_backup)
                fz_check(geo.total_sectors * geo.sector_size + 512 <= size ||
                         geo.total_sectors * geo.sector_size + 4096 <= size);
        } else {
            fz_check(rc == NTX_E_IO || rc == NTX_E_NOT_NTFS || rc == NTX_E_UNSUPPORTED);
            fz_check(diag.err == rc);
        }
    }
    return 0;
}
