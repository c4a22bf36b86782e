/*
 * stream.h - reading attribute values: resident, non-resident, sparse,
 * LZNT1-compressed, split over extents (private header).
 */
#ifndef NTX_STREAM_H
#define NTX_STREAM_H

#include "bytes.h"
#include "diag.h"
#include "ntx/file.h"

/*
 * Open attribute (type, name) of base record mft_no (which the caller has
 * checked to be a base record, in use unless flags has NTX_OPEN_DELETED). Returns NTX_OK,
 * NTX_E_NOT_FOUND, NTX_E_COMPRESSION (unsupported compression unit), NTX_E_ATTRLIST, ...
 */
ntx_err ntx_stream_init(ntx_volume *vol, uint64_t mft_no, uint32_t type, const uint16_t *name,
                        size_t name_len, unsigned flags, ntx_stream *s);

/* ntx_stream_init() flags besides NTX_OPEN_DELETED: read encrypted data raw. */
#define NTX_STREAM_RAW 0x80u

/* Read exactly len bytes at off; a short stream is NTX_E_RANGE. Inline: as a
 * function its frame sat on the deepest call chain of the core (issue 6). */
NTX_INLINE ntx_err ntx_stream_read_exact(ntx_stream *s, uint64_t off, void *buf, size_t len)
{
    size_t got;
    ntx_err rc = ntx_stream_read(s, off, buf, len, &got);
    if (rc == NTX_OK && got != len)
        return ntx_fail(s->vol, NTX_E_RANGE, NTX_CHK_READ_RANGE, s->mft_no, off);
    return rc;
}

/* The same for a non-resident, uncompressed stream (index blocks): no LZNT1
 * frames on the stack. NTX_E_ARG for any other stream. */
#if NTX_WITH_LZNT1
ntx_err ntx_stream_read_plain_exact(ntx_stream *s, uint64_t off, void *buf, size_t len);
#else /* config.h: ntx_stream_read() has no compressed path then */
#define ntx_stream_read_plain_exact ntx_stream_read_exact
#endif

#endif
