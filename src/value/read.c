/*
 * read.c - ntx_stream_read(): a value's bytes at any offset, from its
 * resident bytes, its runs (stream.c) or its compressed units
 * (compressed.c). Past the initialized size a value reads as zeros.
 */
#include "stream.h"

#include "../base/diag.h"
#include "../base/mem.h"
#include "../mft/mft.h"
#include "../parse/attr.h"

/* The attribute the handle points at (its first extent), checked to still
 * have the form the stream was opened with; NULL with *rc set on failure. */
static const uint8_t *stream_attr(ntx_stream *s, ntx_err *rc)
{
    const uint8_t *rec, *a = NULL;
    *rc = ntx_record_get(s->vol, s->cur.rec_no, &rec);
    if (*rc == NTX_OK) {
        a = ntx_rec_attr_at(rec, s->cur.attr_off, s->type);
        if (a == NULL || ntx_attr_is_resident(a) != s->resident) {
            *rc = ntx_fail(s->vol, NTX_E_CORRUPT, NTX_CHK_ATTR_FORM, s->cur.rec_no,
                           s->cur.attr_off);
            a = NULL;
        }
    }
    return a;
}

static ntx_err stream_read_resident(ntx_stream *s, uint64_t off, uint8_t *dst, size_t len)
{
    ntx_err rc;
    const uint8_t *a = stream_attr(s, &rc);
    if (a == NULL)
        return rc;
    ntx_span v = ntx_attr_value(a);
    if (off > v.len || len > v.len - off)
        return ntx_fail(s->vol, NTX_E_CORRUPT, NTX_CHK_ATTR_RESIDENT_VALUE, s->cur.rec_no,
                        s->cur.attr_off);
    ntx_mem_copy(dst, v.p + off, len);
    return NTX_OK;
}

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
    if (s->resident) {
        rc = stream_read_resident(s, off, dst, n);
    } else if ((s->flags & NTX_ATTR_FLAG_ENCRYPTED) != 0 && (s->open_flags & NTX_STREAM_RAW) == 0) {
        return ntx_fail(vol, NTX_E_UNSUPPORTED, NTX_CHK_ENCRYPTED, s->mft_no, 0);
    } else {
        uint64_t data_end = ntx_min_u64(off + n, s->init_size);
        size_t valid = off < data_end ? (size_t)(data_end - off) : 0;
        rc = NTX_OK;
        if (valid > 0 && s->cu_shift == 0)
            rc = ntx_stream_read_runs(s, off, dst, valid);
        else if (valid > 0 && NTX_WITH_LZNT1) /* config.h: refused at open otherwise */
            rc = ntx_stream_read_compressed(s, off, dst, valid);
        /* Past the initialized size the disk holds garbage: it reads as zeros. */
        if (rc == NTX_OK)
            ntx_mem_zero(dst + valid, n - valid);
    }
    if (rc != NTX_OK)
        return rc;
    *got = n;
    return NTX_OK;
}
