/*
 * fuzz_volume_patch.c - JANUS-style: a few patches to the metadata of a
 * valid base image (re-fixed-up on request), so mutations get past the boot sector
 * and the update sequence checks into the deep code.
 *
 * Input:
 *   [0] base image (fixtures/corpus/volume/seed-*.img.gz, modulo 5)
 *   [1] flags: bit 0 = 4 KiB device blocks, bit 1 = attach $UpCase and look
 *       the paths up again
 *   then up to 64 patches, each
 *     [kind u8][where u16][off u16][len u8][len bytes]
 *     kind & 3: 0 = MFT record `where` (of the first 512), 1 = INDX block
 *               `where` (of every directory), 2 = boot sector (where odd:
 *               the backup), 3 = raw bytes at ((where << 16) | off)
 *     kind & 0x80: for records and INDX blocks, patch the logical record and
 *               rewrite its update sequence array ("re-fixup"); else raw
 *   A patch running past its region is cut at the region's end.
 * Then the base is mounted and walked as fuzz_volume does, and the patches
 * are undone.
 */
#include <string.h>

#include "fuzz_support.h"

static void apply(fz_base *b, uint8_t kind, uint16_t where, uint16_t off, const uint8_t *bytes,
                  size_t len)
{
    uint64_t start, size;
    switch (kind & 3u) {
    case 0:
        if (b->nrec == 0 || b->mft_off[where % b->nrec] == 0)
            return;
        start = b->mft_off[where % b->nrec];
        size = b->geo.record_size;
        break;
    case 1:
        if (b->nindx == 0)
            return;
        start = b->indx_off[where % b->nindx];
        size = b->geo.index_block_size;
        break;
    case 2:
        start = (where & 1u) ? b->geo.total_sectors * b->geo.sector_size : 0;
        size = 512;
        break;
    default: /* anywhere: the offset is (where << 16) | off */
        start = 0;
        size = b->size;
        break;
    }
    uint64_t o = (kind & 3u) == 3 ? (((uint64_t)where << 16) | off) % b->size : off % size;
    if (start + size > b->size)
        return;
    if (len > size - o)
        len = (size_t)(size - o);
    uint8_t *region = b->work + start;
    fz_base_touch(b, start, size);
    bool logical = (kind & 0x80u) && (kind & 3u) < 2;
    if (logical && !fz_unfix(region, size))
        logical = false;
    memcpy(region + o, bytes, len);
    if (logical)
        fz_fix(region, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > 65536)
        return 0;
    fz_base *b = fz_base_get(data[0]);
    uint32_t block = (data[1] & 1u) ? 4096 : 512;
    size_t pos = 2;
    for (unsigned n = 0; n < 64 && size - pos >= 6; n++) {
        uint8_t kind = data[pos];
        uint16_t where = fz_le16(data + pos + 1), off = fz_le16(data + pos + 3);
        size_t len = data[pos + 5];
        pos += 6;
        if (len > size - pos)
            len = size - pos;
        apply(b, kind, where, off, data + pos, len);
        pos += len;
    }
    fz_dev dev = { b->work, b->size, b->size, 0 };
    fz_stats st;
    memset(&st, 0, sizeof st);
    if (block > b->geo.cluster_size)
        block = 512;
    fz_mount_walk(&dev, block, (data[1] & 2u) ? FZ_WALK_UPCASE : 0, &st);
    fz_base_reset(b);
    return 0;
}
