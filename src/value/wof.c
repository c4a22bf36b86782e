/*
 * wof.c - reading the data of a WOF-compressed file (Windows Overlay
 * Filter, file provider: Windows 10/11 CompactOS and `compact /exe`).
 *
 * The unnamed $DATA is sparse and gives the size; the bytes are in the named
 * stream WofCompressedData, which the handle describes:
 *   a table of (chunks - 1) little-endian offsets, 4 bytes each (8 when the
 *   uncompressed size exceeds 4 GiB - 1), each where a chunk ends counted
 *   from the end of the table; then the chunks, one after the other.
 * Every chunk expands to the chunk size (4, 8, 16 KiB for XPRESS, 32 KiB for
 * LZX) except the last, which is short. A chunk whose stored size equals its
 * uncompressed size is stored as is. Chunks are independent, so any byte
 * range is read by expanding the chunks it touches, one at a time, each
 * through the workspace (or straight into the caller's buffer when a whole
 * chunk is asked for). The last chunk expanded stays cached for small reads.
 */
#include "stream.h"

#include "../base/diag.h"
#include "../base/mem.h"
#include "../parse/lzx.h"
#include "../parse/xpress.h"

/* The workspace keeps room for either decoder's scratch (ntx/volume.h). */
_Static_assert(NTX_XPRESS_SCRATCH_SIZE <= NTX_WOF_SCRATCH_SIZE &&
                   NTX_LZX_SCRATCH_SIZE <= NTX_WOF_SCRATCH_SIZE,
               "NTX_WOF_SCRATCH_SIZE is too small for the decoders");
_Static_assert(NTX_LZX_MAX_CHUNK == NTX_WOF_MAX_CHUNK, "the largest WOF chunk is LZX's");

void ntx_stream_wof_setup(ntx_stream *s, uint64_t size, uint8_t algorithm, uint8_t chunk_shift)
{
    s->stored_size = s->size;
    s->size = size;
    s->wof_algorithm = (uint8_t)(algorithm + 1u);
    s->wof_chunk_shift = chunk_shift;
}

static ntx_err wof_bad(ntx_stream *s, ntx_check check, uint64_t where)
{
    return ntx_fail(s->vol, NTX_E_CORRUPT, check, s->mft_no, where);
}

/* Stored bytes [off, off + len) of WofCompressedData, which must hold them. */
static ntx_err wof_stored(ntx_stream *s, uint64_t off, uint8_t *dst, size_t len)
{
    if (off > s->stored_size || len > s->stored_size - off)
        return wof_bad(s, NTX_CHK_WOF_CHUNK, off);
    return ntx_stream_read_stored(s, off, dst, len);
}

/* Where chunk k of the file is stored: [*start, *end) of WofCompressedData. */
static ntx_err wof_chunk_place(ntx_stream *s, uint64_t k, uint64_t chunks, uint64_t *start,
                               uint64_t *end)
{
    const unsigned entry = s->size > 0xFFFFFFFFu ? 8u : 4u;
    const uint64_t table = (chunks - 1u) * entry; /* chunks < 2^52: no overflow */
    uint8_t raw[16];
    uint64_t from = 0, to = s->stored_size - table;

    if (table > s->stored_size)
        return wof_bad(s, NTX_CHK_WOF_TABLE, 0);
    /* entries k - 1 and k, those that exist: the chunk's start and end */
    uint64_t first = k == 0 ? 0 : k - 1u, last = k + 1u < chunks ? k : k - 1u;
    if (k > 0 || chunks > 1) {
        ntx_err rc = wof_stored(s, first * entry, raw, (size_t)(last - first + 1u) * entry);
        if (rc != NTX_OK)
            return rc;
        const uint8_t *p = raw;
        if (k > 0) {
            from = entry == 8u ? ntx_le64(p) : ntx_le32(p);
            p += entry;
        }
        if (k + 1u < chunks)
            to = entry == 8u ? ntx_le64(p) : ntx_le32(p);
    }
    /* offsets count from the table's end; they never go backwards, and no
     * chunk ends past the stream */
    if (from > to || to > s->stored_size - table)
        return wof_bad(s, NTX_CHK_WOF_TABLE, k);
    *start = table + from;
    *end = table + to;
    return NTX_OK;
}

/* Expand chunk k (out_len bytes of the file) into out. */
static ntx_err wof_expand(ntx_stream *s, uint64_t k, uint64_t chunks, uint8_t *out,
                          uint32_t out_len)
{
    ntx_volume *vol = s->vol;
    uint64_t start = 0, end = 0;
    ntx_err rc = wof_chunk_place(s, k, chunks, &start, &end);
    if (rc != NTX_OK)
        return rc;
    uint64_t stored = end - start;
    /* a chunk is stored as is when compressing it saved nothing: a stored
     * chunk longer than its output, or an empty one, is no chunk */
    if (stored > out_len || stored == 0)
        return wof_bad(s, NTX_CHK_WOF_CHUNK, k);
    if (stored == out_len)
        return wof_stored(s, start, out, out_len);

    rc = wof_stored(s, start, vol->wof_in, (size_t)stored);
    if (rc != NTX_OK)
        return rc;
    ntx_check check = NTX_CHK_NONE;
    if (s->wof_algorithm - 1u == NTX_WOF_LZX)
        rc = ntx_lzx_decompress(vol->wof_scratch, vol->wof_in, (size_t)stored, out, out_len,
                                &check);
    else
        rc = ntx_xpress_decompress(vol->wof_scratch, vol->wof_in, (size_t)stored, out, out_len,
                                   &check);
    return rc == NTX_OK ? rc : wof_bad(s, check, k);
}

ntx_err ntx_stream_read_wof(ntx_stream *s, uint64_t off, uint8_t *dst, size_t len)
{
    ntx_volume *vol = s->vol;
    const unsigned shift = s->wof_chunk_shift;
    const uint64_t chunk = (uint64_t)1 << shift;
    const uint64_t chunks = (s->size + chunk - 1u) >> shift; /* >= 1: off < size */

    /* bound: off grows by at least one byte per pass */
    while (len > 0) {
        uint64_t k = off >> shift;
        uint32_t in_chunk = (uint32_t)(off & (chunk - 1u));
        uint32_t out_len = (uint32_t)(k + 1u < chunks ? chunk : s->size - (k << shift));
        size_t n = (size_t)ntx_min_u64(out_len - in_chunk, len);
        ntx_err rc;
        if (n == out_len) {
            rc = wof_expand(s, k, chunks, dst, out_len); /* a whole chunk: straight in */
        } else {
            if (!vol->wof_valid || vol->wof_serial != s->serial || vol->wof_chunk != k) {
                vol->wof_valid = false;
                rc = wof_expand(s, k, chunks, vol->wof_out, out_len);
                if (rc != NTX_OK)
                    return rc;
                vol->wof_valid = true;
                vol->wof_serial = s->serial;
                vol->wof_chunk = k;
            }
            ntx_mem_copy(dst, vol->wof_out + in_chunk, n);
            rc = NTX_OK;
        }
        if (rc != NTX_OK)
            return rc;
        dst += n;
        off += n;
        len -= n;
    }
    return NTX_OK;
}
