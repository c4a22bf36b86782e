/*
 * bitmap.c - the allocation bitmaps: $Bitmap (MFT record 6, unnamed $DATA:
 * one bit per cluster, set when in use) and $MFT's $BITMAP attribute (one bit
 * per MFT record). Bits are numbered from the least significant bit of byte 0
 * (ntfs-3g bitmap.h).
 */
#include "../base/diag.h"
#include "../value/stream.h"
#include "ntx/forensic.h"

/* Set bits in bits [first, first + n) of p (first < 8). */
static uint64_t bitmap_popcount(const uint8_t *p, unsigned first, uint64_t n)
{
    uint64_t set = 0;
    /* bound: n bits, a byte or a bit per pass */
    while (n > 0) {
        if (first == 0 && n >= 8) {
            unsigned v = *p++;
            v = v - ((v >> 1) & 0x55u);
            v = (v & 0x33u) + ((v >> 2) & 0x33u);
            set += (v + (v >> 4)) & 0x0Fu;
            n -= 8;
            continue;
        }
        set += (*p >> first) & 1u;
        n--;
        if (++first == 8) {
            first = 0;
            p++;
        }
    }
    return set;
}

/* Set bits among bits [first, first + count) of stream s, reading len bytes
 * at a time into buf. */
static ntx_err bitmap_count(ntx_stream *s, uint64_t first, uint64_t count, uint8_t *buf,
                            size_t len, uint64_t *set)
{
    uint64_t end;
    if (!ntx_add_u64(first, count, &end) || (end + 7u) / 8u > s->size)
        return ntx_fail(s->vol, NTX_E_CORRUPT, NTX_CHK_READ_RANGE, s->mft_no, s->size);
    *set = 0;
    /* bound: first grows by up to len * 8 bits per pass, to end */
    while (first < end) {
        uint64_t byte = first / 8u;
        unsigned bit = (unsigned)(first % 8u);
        uint64_t bits = ntx_min_u64(end - first, (uint64_t)len * 8u - bit);
        size_t bytes = (size_t)((bit + bits + 7u) / 8u);
        ntx_err rc = ntx_stream_read_exact(s, byte, buf, bytes);
        if (rc != NTX_OK)
            return rc;
        *set += bitmap_popcount(buf, bit, bits);
        first += bits;
    }
    return NTX_OK;
}

ntx_err ntx_volume_count_free(ntx_volume *vol, void *buf, size_t len, uint64_t *free_clusters,
                              uint64_t *used_clusters)
{
    uint64_t used;
    if (vol == NULL || buf == NULL || len < 512u || free_clusters == NULL)
        return NTX_E_ARG;
    if (!ntx_volume_handle_live(vol, vol->gen))
        return NTX_E_STALE;
    ntx_err rc = ntx_stream_init(vol, NTX_MFT_BITMAP, NTX_AT_DATA, NULL, 0, 0, &vol->tmp_stream);
    if (rc == NTX_OK)
        rc = bitmap_count(&vol->tmp_stream, 0, vol->geo.cluster_count, buf, len, &used);
    if (rc != NTX_OK)
        return rc;
    *free_clusters = vol->geo.cluster_count - used;
    if (used_clusters != NULL)
        *used_clusters = used;
    return NTX_OK;
}

ntx_err ntx_volume_count_records(ntx_volume *vol, void *buf, size_t len, uint64_t *in_use,
                                 uint64_t *total)
{
    if (vol == NULL || buf == NULL || len < 512u || in_use == NULL || total == NULL)
        return NTX_E_ARG;
    if (!ntx_volume_handle_live(vol, vol->gen))
        return NTX_E_STALE;
    ntx_err rc = ntx_stream_init(vol, NTX_MFT_MFT, NTX_AT_BITMAP, NULL, 0, 0, &vol->tmp_stream);
    if (rc == NTX_OK)
        rc = bitmap_count(&vol->tmp_stream, 0, vol->mft_records, buf, len, in_use);
    if (rc == NTX_OK)
        *total = vol->mft_records;
    return rc;
}

ntx_err ntx_volume_clusters_in_use(ntx_volume *vol, uint64_t lcn, uint64_t count, uint64_t *used)
{
    uint8_t buf[128];
    uint64_t end;
    if (vol == NULL || used == NULL)
        return NTX_E_ARG;
    if (!ntx_volume_handle_live(vol, vol->gen))
        return NTX_E_STALE;
    if (!ntx_add_u64(lcn, count, &end) || end > vol->geo.cluster_count)
        return NTX_E_ARG;
    ntx_err rc = ntx_stream_init(vol, NTX_MFT_BITMAP, NTX_AT_DATA, NULL, 0, 0, &vol->tmp_stream);
    if (rc != NTX_OK)
        return rc;
    return bitmap_count(&vol->tmp_stream, lcn, count, buf, sizeof buf, used);
}
