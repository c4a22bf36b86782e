/*
 * stream.h - reading attribute values: resident, non-resident, sparse,
 * LZNT1-compressed, split over extents (private header).
 */
#ifndef NTX_VALUE_STREAM_H
#define NTX_VALUE_STREAM_H

#include "../base/bytes.h"
#include "../base/diag.h"
#include "ntx/file.h"

/*
 * Open attribute (type, name) of base record mft_no (which the caller has
 * checked to be a base record, in use unless flags has NTX_OPEN_DELETED). Returns NTX_OK,
 * NTX_E_NOT_FOUND, NTX_E_CORRUPT (unsupported compression unit), NTX_E_CORRUPT, ...
 */
ntx_err ntx_stream_init(ntx_volume *vol, uint64_t mft_no, uint32_t type, const uint16_t *name,
                        size_t name_len, unsigned flags, ntx_stream *s);

/* ntx_stream_init() flags besides NTX_OPEN_DELETED: read encrypted data raw. */
#define NTX_STREAM_RAW 0x80u

/* Read exactly len bytes at off; a stream too short for them is corrupt. */
NTX_INLINE ntx_err ntx_stream_read_exact(ntx_stream *s, uint64_t off, void *buf, size_t len)
{
    size_t got;
    ntx_err rc = ntx_stream_read(s, off, buf, len, &got);
    if (rc == NTX_OK && got != len)
        return ntx_fail(s->vol, NTX_E_CORRUPT, NTX_CHK_READ_RANGE, s->mft_no, off);
    return rc;
}

/* The run that maps vcn < s->vcn_end (no handle checks), continuing the
 * stream's cursor when it can. */
ntx_err ntx_stream_map_vcn(ntx_stream *s, uint64_t vcn, ntx_run *run);

/* Bytes [off, off + len) of a non-resident value's clusters, as stored
 * (sparse runs as zeros); runs adjacent on disk are read with one call. */
ntx_err ntx_stream_read_runs(ntx_stream *s, uint64_t off, uint8_t *dst, size_t len);

/* Bytes [off, off + len) of the value as stored, within its size: resident
 * bytes, or its runs with zeros past the initialized size. */
ntx_err ntx_stream_read_stored(ntx_stream *s, uint64_t off, uint8_t *dst, size_t len);

/* Bytes [off, off + len) of a WOF file's data, within its uncompressed size
 * (wof.c; the handle describes its WofCompressedData stream). */
ntx_err ntx_stream_read_wof(ntx_stream *s, uint64_t off, uint8_t *dst, size_t len);

/* Make s, opened on a file's WofCompressedData stream, read that file's data:
 * size bytes in chunks of 2^chunk_shift, NTX_WOF_* algorithm (wof.c). */
void ntx_stream_wof_setup(ntx_stream *s, uint64_t size, uint8_t algorithm, uint8_t chunk_shift);

/* Bytes [off, off + len) of an LZNT1-compressed value, within its size
 * (compressed.c); zeros past its initialized size. */
ntx_err ntx_stream_read_compressed(ntx_stream *s, uint64_t off, uint8_t *dst, size_t len);

#endif
