/*
 * compressed.c - reading LZNT1-compressed values.
 *
 * Compressed values (attribute flag 0x0001) come in compression units of
 * 2^compression_unit clusters, always 16 (ntfs-3g compress.c; libfsntfs
 * "Compression"): a unit with every cluster allocated is stored raw, one with
 * none is zeros, and one whose tail is sparse holds LZNT1 chunks in its
 * allocated clusters. Chunks are independent 4 KiB blocks, so one chunk is
 * decompressed at a time into a 4 KiB buffer instead of a whole unit.
 */
#include "stream.h"

#include "../base/diag.h"
#include "../base/mem.h"
#include "../device/device.h"
#include "../parse/lznt1.h"

/* Read [pos, pos + len) of the compressed data of the unit the volume's unit
 * map describes (stream_cu_map()): clusters adjacent on disk are read with
 * one call, and no run is looked up again. */
static ntx_err stream_cu_data(ntx_volume *vol, uint32_t pos, uint8_t *dst, size_t len)
{
    const unsigned cs = vol->cluster_shift;
    const uint32_t cmask = (1u << cs) - 1u;
    /* bound: pos grows by at least one byte per pass, within the unit's
     * allocated clusters (the caller's data_len) */
    while (len > 0) {
        uint32_t k = pos >> cs, j = k + 1u;
        /* bound: j counts the unit's clusters, at most 16 */
        while (j < vol->lzm_alloc && vol->lz_map[j] == vol->lz_map[j - 1u] + 1u)
            j++;
        uint64_t at = (vol->lz_map[k] << cs) + (pos & cmask);
        size_t n = (size_t)ntx_min_u64(((uint64_t)j << cs) - pos, len);
        ntx_err rc = ntx_dev_read(vol, at, dst, n);
        if (rc != NTX_OK)
            return rc;
        dst += n;
        pos += (uint32_t)n;
        len -= n;
    }
    return NTX_OK;
}

/*
 * Bytes [pos, pos + len) of the unit's compressed data, through the volume's
 * window: one block-aligned read brings in several chunks (they average a
 * few hundred bytes), so a unit costs a call or two instead of several per
 * chunk. *p points into the window, valid until the next window read.
 */
static ntx_err stream_lz_bytes(ntx_stream *s, uint64_t cu_vcn, uint32_t data_len, uint32_t pos,
                               uint32_t len, const uint8_t **p)
{
    ntx_volume *vol = s->vol;
    if (!vol->lzw_valid || vol->lzw_serial != s->serial || vol->lzw_cu_vcn != cu_vcn ||
        pos < vol->lzw_start || pos + len > vol->lzw_start + vol->lzw_len) {
        /* Block-aligned in the unit is block-aligned on disk (clusters are
         * whole blocks), and the window holds a whole chunk from any start
         * (NTX_LZNT1_WINDOW >= 4098 + block - 1). */
        uint32_t start = pos & ~(vol->geo.block_size - 1u);
        uint32_t n = NTX_LZNT1_WINDOW(vol->geo.block_size);
        if (n > data_len - start)
            n = data_len - start;
        vol->lzw_valid = false;
        ntx_err rc = stream_cu_data(vol, start, vol->lz_cbuf, n);
        if (rc != NTX_OK)
            return rc;
        vol->lzw_valid = true;
        vol->lzw_serial = s->serial;
        vol->lzw_cu_vcn = cu_vcn;
        vol->lzw_start = start;
        vol->lzw_len = n;
    }
    *p = vol->lz_cbuf + (pos - vol->lzw_start);
    return NTX_OK;
}

/* Where chunk k of the unit at cu_vcn starts in its compressed data (the
 * walk resumes from the handle's last position when it can). *present is
 * false when the unit's data ends before chunk k: it reads as zeros. */
static ntx_err stream_lz_find(ntx_stream *s, uint64_t cu_vcn, uint32_t data_len, uint32_t k,
                              uint32_t *pos, uint32_t *chunk_len, bool *compressed, bool *present)
{
    uint32_t j = 0, p = 0;
    if (s->lz.valid && s->lz.cu_vcn == cu_vcn && s->lz.chunk <= k) {
        j = s->lz.chunk;
        p = s->lz.pos;
    }
    *present = false;
    /* bound: j counts up to k, below 16 (a unit holds 16 chunks) */
    for (; j <= k; j++) {
        const uint8_t *hdr;
        if (data_len < 2u || p > data_len - 2u)
            return NTX_OK; /* the unit's data ends */
        ntx_err rc = stream_lz_bytes(s, cu_vcn, data_len, p, 2, &hdr);
        if (rc != NTX_OK)
            return rc;
        rc = ntx_lznt1_header(ntx_le16(hdr), chunk_len, compressed);
        if (rc == NTX_END)
            return NTX_OK;
        if (rc != NTX_OK || *chunk_len > data_len - p)
            return ntx_fail(s->vol, NTX_E_CORRUPT, NTX_CHK_LZNT1, s->mft_no, cu_vcn);
        if (j == k)
            break;
        p += *chunk_len;
    }
    s->lz.cu_vcn = cu_vcn;
    s->lz.chunk = k;
    s->lz.pos = p;
    s->lz.valid = true;
    *pos = p;
    *present = true;
    return NTX_OK;
}

/* Expand chunk k of the unit at cu_vcn into dst (4096 bytes); *out is the
 * number of bytes it holds, the rest of the chunk being zeros. */
static ntx_err stream_lz_expand(ntx_stream *s, uint64_t cu_vcn, uint32_t data_len, uint32_t k,
                                uint8_t *dst, uint32_t *out)
{
    uint32_t pos, chunk_len;
    bool compressed, present;
    const uint8_t *src;
    ntx_err rc = stream_lz_find(s, cu_vcn, data_len, k, &pos, &chunk_len, &compressed, &present);
    *out = 0;
    if (rc != NTX_OK || !present)
        return rc;
    uint32_t clen = chunk_len - NTX_LZNT1_HEADER;
    rc = stream_lz_bytes(s, cu_vcn, data_len, pos + NTX_LZNT1_HEADER, clen, &src);
    if (rc != NTX_OK)
        return rc;
    if (!compressed) {
        if (clen > NTX_LZNT1_CHUNK)
            return ntx_fail(s->vol, NTX_E_CORRUPT, NTX_CHK_LZNT1, s->mft_no, cu_vcn);
        ntx_mem_copy(dst, src, clen);
        *out = clen;
        return NTX_OK;
    }
    size_t got;
    rc = ntx_lznt1_decompress_chunk(src, clen, dst, NTX_LZNT1_CHUNK, &got);
    if (rc != NTX_OK)
        return ntx_fail(s->vol, NTX_E_CORRUPT, NTX_CHK_LZNT1, s->mft_no, cu_vcn);
    *out = (uint32_t)got;
    return NTX_OK;
}

/*
 * Map the unit at cu_vcn: how many of its clusters are allocated (*alloc)
 * and its length (*count, short at the end of the value); for a unit that
 * holds compressed data (allocated clusters but not all), the volume's unit
 * map then gives the LCN of each allocated cluster, so reading its chunks
 * looks up no run. NTFS stores that data in the unit's first clusters and
 * leaves the rest sparse: allocated clusters after a hole are corrupt.
 */
static ntx_err stream_cu_map(ntx_stream *s, uint64_t cu_vcn, uint64_t *alloc, uint64_t *count)
{
    ntx_volume *vol = s->vol;
    uint64_t end = ntx_min_u64(cu_vcn + (1u << s->cu_shift), s->vcn_end);
    uint64_t vcn = cu_vcn;
    bool hole = false;
    *alloc = 0;
    *count = end - cu_vcn;
    /* bound: at most 16 clusters, each pass covers at least one */
    while (vcn < end) {
        ntx_run run;
        ntx_err rc = ntx_stream_map_vcn(s, vcn, &run);
        if (rc != NTX_OK)
            return rc;
        uint64_t take = ntx_min_u64(run.vcn + run.len, end) - vcn;
        if (run.lcn == NTX_LCN_HOLE) {
            hole = true;
        } else if (hole) {
            return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_LZNT1, s->mft_no, vcn);
        } else {
            /* bound: take <= 16 - *alloc clusters */
            for (uint64_t i = 0; i < take; i++)
                vol->lz_map[*alloc + i] = run.lcn + (vcn - run.vcn) + i;
            *alloc += take;
        }
        vcn += take;
    }
    vol->lzm_alloc = (uint32_t)*alloc;
    return NTX_OK;
}

/* Copy [pos, pos + len) of the decompressed unit at cu_vcn, whose
 * compressed chunks fill data_len bytes of its allocated clusters. Whole
 * chunks are expanded straight into dst; a partial one goes through the
 * volume's chunk buffer, which stays cached for the next small read. */
static ntx_err stream_read_unit(ntx_stream *s, uint64_t cu_vcn, uint32_t data_len, uint32_t pos,
                                uint8_t *dst, size_t len)
{
    ntx_volume *vol = s->vol;
    /* bound: pos grows by at least one byte per pass */
    while (len > 0) {
        uint32_t k = pos / NTX_LZNT1_CHUNK, in_chunk = pos % NTX_LZNT1_CHUNK;
        size_t m = NTX_LZNT1_CHUNK - in_chunk;
        ntx_err rc;
        if (m > len)
            m = len;
        if (m == NTX_LZNT1_CHUNK) {
            uint32_t out;
            rc = stream_lz_expand(s, cu_vcn, data_len, k, dst, &out);
            if (rc != NTX_OK)
                return rc;
            ntx_mem_zero(dst + out, NTX_LZNT1_CHUNK - out);
        } else {
            if (!vol->lz_valid || vol->lz_serial != s->serial || vol->lz_cu_vcn != cu_vcn ||
                vol->lz_chunk != k) {
                vol->lz_valid = false;
                rc = stream_lz_expand(s, cu_vcn, data_len, k, vol->lz_dbuf, &vol->lz_dlen);
                if (rc != NTX_OK)
                    return rc;
                vol->lz_valid = true;
                vol->lz_serial = s->serial;
                vol->lz_cu_vcn = cu_vcn;
                vol->lz_chunk = k;
            }
            /* A chunk that ends early reads as zeros. */
            size_t have = vol->lz_dlen > in_chunk ? vol->lz_dlen - in_chunk : 0;
            if (have > m)
                have = m;
            ntx_mem_copy(dst, vol->lz_dbuf + in_chunk, have);
            ntx_mem_zero(dst + have, m - have);
        }
        dst += m;
        pos += (uint32_t)m;
        len -= m;
    }
    return NTX_OK;
}

/* Bytes [off, off + len) of the value below its initialized size. */
static ntx_err stream_read_units(ntx_stream *s, uint64_t off, uint8_t *dst, size_t len)
{
    const unsigned cs = s->vol->cluster_shift;
    const unsigned cu_bytes_shift = s->cu_shift + cs;

    /* bound: off grows by at least one byte per pass */
    while (len > 0) {
        uint64_t cu_vcn = (off >> cu_bytes_shift) << s->cu_shift;
        uint64_t cu_start = cu_vcn << cs;
        size_t take = (size_t)ntx_min_u64(cu_start + ((uint64_t)1 << cu_bytes_shift) - off, len);
        uint64_t alloc, count;
        ntx_err rc = stream_cu_map(s, cu_vcn, &alloc, &count);
        if (rc != NTX_OK)
            return rc;
        if (alloc == 0)
            ntx_mem_zero(dst, take);
        else if (alloc == count)
            rc = ntx_stream_read_runs(s, off, dst, take); /* a unit stored raw */
        else
            rc = stream_read_unit(s, cu_vcn, (uint32_t)(alloc << cs), (uint32_t)(off - cu_start),
                                  dst, take);
        if (rc != NTX_OK)
            return rc;
        dst += take;
        off += take;
        len -= take;
    }
    return NTX_OK;
}

ntx_err ntx_stream_read_compressed(ntx_stream *s, uint64_t off, uint8_t *dst, size_t len)
{
    uint64_t data_end = ntx_min_u64(off + len, s->init_size);
    size_t valid = off < data_end ? (size_t)(data_end - off) : 0;
    ntx_err rc = valid > 0 ? stream_read_units(s, off, dst, valid) : NTX_OK;
    /* Past the initialized size the disk holds garbage: it reads as zeros. */
    if (rc == NTX_OK)
        ntx_mem_zero(dst + valid, len - valid);
    return rc;
}
