/*
 * read.c - ntx_stream_read(): a value's bytes at any offset, from its
 * resident bytes or its runs (stream.c), its compressed units
 * (compressed.c) or its WOF chunks (wof.c).
 */
#include "stream.h"

#include "../base/diag.h"
#include "../base/mem.h"
#include "../mft/mft.h"
#include "../parse/attr.h"

ntx_err ntx_stream_read(ntx_stream *s, uint64_t off, void *buf, size_t len, size_t *got)
{
    if (s == NULL || got == NULL || (buf == NULL && len != 0))
        return NTX_E_ARG;
    *got = 0;
    ntx_volume *vol = s->vol;
    if (!ntx_volume_handle_live(vol, s->gen))
        return NTX_E_STALE;
    if (off >= s->size || len == 0)
        return NTX_OK;

    size_t n = (size_t)ntx_min_u64(len, s->size - off);
    uint8_t *dst = buf;
    ntx_err rc;
    /* config.h: the switches refuse WOF and LZNT1 streams at open */
    if (s->wof_algorithm != 0 && NTX_WITH_WOF)
        rc = ntx_stream_read_wof(s, off, dst, n);
    else if (!s->resident && s->cu_shift != 0 && NTX_WITH_LZNT1)
        rc = ntx_stream_read_compressed(s, off, dst, n);
    else
        rc = ntx_stream_read_stored(s, off, dst, n);
    if (rc != NTX_OK)
        return rc;
    *got = n;
    return NTX_OK;
}
