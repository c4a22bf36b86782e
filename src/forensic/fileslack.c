/*
 * fileslack.c - a stream's file slack: the bytes of its last cluster past the
 * end of its data. Windows writes whole sectors, so the bytes from the end of
 * the data to the end of its sector ("RAM slack") are whatever the writer's
 * buffer held (zeros since Windows 7 for plain files); the sectors after it
 * up to the end of the cluster ("cluster slack", "drive slack") keep what was
 * on the disk before.
 *
 * For a compressed stream (LZNT1 in units of 16 clusters) the data on disk is
 * the compressed unit: the last unit holding data stores its chunks in its
 * first clusters, the rest of the unit sparse. The data then ends after its
 * last chunk and the 0x0000 end marker, in the last allocated cluster of the
 * unit; win10-ramslack's /1.txt (6,460 bytes in 311 compressed bytes) keeps
 * 201 bytes of RAM slack and a whole cluster slack of Windows' own memory
 * there. A unit with all its clusters allocated is stored plain.
 */
#include "../base/diag.h"
#include "../base/mem.h"
#include "../parse/lznt1.h"
#include "../value/stream.h"
#include "ntx/forensic.h"

/* A cursor over the stored bytes of one unit, one cluster in buf at a time. */
typedef struct fs_cursor {
    ntx_stream *s;
    uint8_t *buf;
    uint64_t unit_vcn;
    uint32_t in_buf;      /* unit cluster index held in buf, or UINT32_MAX */
} fs_cursor;

static ntx_err fs_load(fs_cursor *c, uint32_t idx)
{
    if (c->in_buf == idx)
        return NTX_OK;
    const unsigned cs = c->s->vol->cluster_shift;
    c->in_buf = UINT32_MAX;
    ntx_err rc = ntx_stream_read_runs(c->s, (c->unit_vcn + idx) << cs, c->buf, (size_t)1 << cs);
    if (rc == NTX_OK)
        c->in_buf = idx;
    return rc;
}

static ntx_err fs_byte(fs_cursor *c, uint32_t pos, uint8_t *b)
{
    const unsigned cs = c->s->vol->cluster_shift;
    ntx_err rc = fs_load(c, pos >> cs);
    if (rc == NTX_OK)
        *b = c->buf[pos & ((1u << cs) - 1u)];
    return rc;
}

/*
 * The bytes of compressed data stored in the first `alloc` clusters of the
 * unit: the chunks, and the end marker when there is room for it.
 */
static ntx_err fs_compressed_len(fs_cursor *c, uint32_t alloc, uint32_t *len)
{
    const uint32_t limit = alloc << c->s->vol->cluster_shift;
    uint32_t pos = 0;
    /* bound: pos grows by a chunk's length (3 bytes or more) up to limit */
    while (limit - pos >= NTX_LZNT1_HEADER) {
        uint8_t lo, hi;
        uint32_t chunk;
        bool comp;
        ntx_err rc = fs_byte(c, pos, &lo);
        if (rc == NTX_OK)
            rc = fs_byte(c, pos + 1u, &hi);
        if (rc != NTX_OK)
            return rc;
        rc = ntx_lznt1_header((uint16_t)(lo | (unsigned)hi << 8), &chunk, &comp);
        if (rc == NTX_END) {
            *len = pos + NTX_LZNT1_HEADER;
            return NTX_OK;
        }
        if (rc != NTX_OK || chunk > limit - pos)
            return ntx_fail(c->s->vol, NTX_E_CORRUPT, NTX_CHK_LZNT1, c->s->mft_no, pos);
        pos += chunk;
    }
    *len = pos;
    return NTX_OK;
}

/* Allocated clusters at the start of the unit at unit_vcn (of cu clusters);
 * allocated clusters after a hole are no unit NTFS writes. */
static ntx_err fs_unit_alloc(ntx_stream *s, uint64_t unit_vcn, uint32_t cu, uint32_t *alloc)
{
    uint32_t n = 0;
    bool hole = false;
    for (uint32_t j = 0; j < cu && unit_vcn + j < s->vcn_end;) { /* bound: cu clusters */
        ntx_run run;
        ntx_err rc = ntx_stream_map_vcn(s, unit_vcn + j, &run);
        if (rc != NTX_OK)
            return rc;
        uint64_t left = run.vcn + run.len - (unit_vcn + j);
        uint32_t k = (uint32_t)ntx_min_u64(left, cu - j);
        if (run.lcn == NTX_LCN_HOLE) {
            hole = true;
        } else {
            if (hole)
                return ntx_fail(s->vol, NTX_E_CORRUPT, NTX_CHK_COMPRESSION_UNIT, s->mft_no,
                                unit_vcn);
            n += k;
        }
        j += k;
    }
    *alloc = n;
    return NTX_OK;
}

ntx_err ntx_stream_slack(ntx_stream *s, void *buf, size_t cap, ntx_stream_slack_info *out)
{
    if (s == NULL || buf == NULL || out == NULL)
        return NTX_E_ARG;
    ntx_volume *vol = s->vol;
    if (!ntx_volume_handle_live(vol, s->gen))
        return NTX_E_STALE;
    ntx_mem_zero(out, sizeof *out);
    if (s->resident)
        return NTX_E_ARG;
    if (s->wof_algorithm != 0)
        return NTX_E_UNSUPPORTED;
    const unsigned cs = vol->cluster_shift;
    const uint32_t csize = (uint32_t)1 << cs;
    out->cluster_size = csize;
    out->sector_size = vol->geo.sector_size;
    if (cap < csize)
        return NTX_E_BUFFER;
    if (s->size == 0)
        return NTX_E_NOT_FOUND;
    uint64_t last = (s->size - 1u) >> cs;
    if (last >= s->vcn_end)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_ATTR_SIZES, s->mft_no, s->size);
    fs_cursor c;
    c.s = s;
    c.buf = buf;
    c.in_buf = UINT32_MAX;
    c.unit_vcn = last;
    uint64_t end_in_unit = s->size - (last << cs); /* plain: bytes of data in the cluster */
    uint32_t idx = 0;
    if (s->cu_shift != 0) {
        uint32_t cu = (uint32_t)1 << s->cu_shift, alloc = 0;
        uint64_t unit = last & ~(uint64_t)(cu - 1u);
        ntx_err rc = fs_unit_alloc(s, unit, cu, &alloc);
        if (rc != NTX_OK)
            return rc;
        if (alloc < cu && alloc > 0) { /* compressed: find where its chunks end */
            uint32_t len = 0;
            c.unit_vcn = unit;
            rc = fs_compressed_len(&c, alloc, &len);
            if (rc != NTX_OK)
                return rc;
            out->compressed = true;
            out->compressed_len = len;
            idx = (len - 1u) >> cs;
            end_in_unit = len - ((uint64_t)idx << cs);
        } else if (alloc == 0) {
            out->vcn = unit;
            out->hole = true; /* a unit of zeros: nothing stored, no slack */
            return NTX_OK;
        }
    }
    ntx_run run;
    out->vcn = c.unit_vcn + idx;
    ntx_err rc = ntx_stream_map_vcn(s, out->vcn, &run);
    if (rc != NTX_OK)
        return rc;
    if (run.lcn == NTX_LCN_HOLE) {
        out->hole = true;
        return NTX_OK;
    }
    rc = fs_load(&c, idx);
    if (rc != NTX_OK)
        return rc;
    out->lcn = run.lcn + (out->vcn - run.vcn);
    out->data_end = (uint32_t)end_in_unit;
    uint32_t smask = vol->geo.sector_size - 1u;
    out->sector_end = (out->data_end + smask) & ~smask;
    return NTX_OK;
}
