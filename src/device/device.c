/*
 * device.c - every byte the core reads passes through here.
 *
 * The callback only ever sees offsets and lengths that are multiples of the
 * device block size (docs/design.md, "I/O"), so a firmware block driver can
 * serve it directly. Large reads are passed through in one call, as littlefs
 * lfs_bd_read bypasses its cache; only partial blocks use the bounce block.
 */
#include "device.h"

#include "../base/diag.h"
#include "../base/mem.h"

/* Bytes of the volume: the sectors the boot sector counts plus the backup boot sector. */
static uint64_t dev_volume_bytes(const ntx_volume *vol)
{
    return (vol->geo.total_sectors + 1u) << vol->sector_shift;
}

static ntx_err dev_call(ntx_volume *vol, uint64_t off, void *buf, size_t len)
{
    int rc = vol->io.read(vol->io.ctx, vol->io.offset + off, buf, len);
    if (rc != 0) {
        if (NTX_WITH_DIAG)
            vol->diag.io_status = rc < 0 ? rc : -1;
        return ntx_fail(vol, NTX_E_IO, NTX_CHK_IO, NTX_NO_RECORD, off);
    }
    return NTX_OK;
}

ntx_err ntx_dev_block(ntx_volume *vol, uint64_t off, const uint8_t **block)
{
    if (vol->bounce_off != off) {
        vol->bounce_off = UINT64_MAX;
        ntx_err rc = dev_call(vol, off, vol->bounce, vol->geo.block_size);
        if (rc != NTX_OK)
            return rc;
        vol->bounce_off = off;
    }
    *block = vol->bounce;
    return NTX_OK;
}

/* Read [off, off + len) of the device, which holds limit bytes. */
static ntx_err dev_read(ntx_volume *vol, uint64_t off, void *buf, size_t len, uint64_t limit)
{
    uint8_t *dst = buf;
    uint64_t end;
    const uint64_t mask = vol->geo.block_size - 1u;

    if (!ntx_add_u64(off, len, &end) || end > limit)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_READ_RANGE, NTX_NO_RECORD, off);

    /* bound: each pass moves off forward by at least one byte, at most 3 passes
     * (head partial block, aligned middle, tail partial block) */
    while (len > 0) {
        uint64_t in_block = off & mask;
        if (in_block == 0 && len > mask) {
            size_t whole = (size_t)(len & ~(size_t)mask);
            ntx_err rc = dev_call(vol, off, dst, whole);
            if (rc != NTX_OK)
                return rc;
            dst += whole;
            off += whole;
            len -= whole;
            continue;
        }
        const uint8_t *block;
        ntx_err rc = ntx_dev_block(vol, off - in_block, &block);
        if (rc != NTX_OK)
            return rc;
        size_t n = (size_t)ntx_min_u64(vol->geo.block_size - in_block, len);
        ntx_mem_copy(dst, block + in_block, n);
        dst += n;
        off += n;
        len -= n;
    }
    return NTX_OK;
}

ntx_err ntx_dev_read(ntx_volume *vol, uint64_t off, void *buf, size_t len)
{
#if NTX_WITH_MFT_FILE
    /* A copy of $MFT alone holds records, not the volume's clusters: what a
     * cluster offset would read there is other records' bytes. */
    if (vol->geo.mft_only)
        return ntx_fail(vol, NTX_E_EXTERNAL, NTX_CHK_EXTERNAL_VOLUME, NTX_NO_RECORD, off);
#endif
    return dev_read(vol, off, buf, len, dev_volume_bytes(vol));
}

#if NTX_WITH_MFT_FILE
ntx_err ntx_dev_read_mft_file(ntx_volume *vol, uint64_t off, void *buf, size_t len)
{
    return dev_read(vol, off, buf, len, vol->io.size);
}
#endif
