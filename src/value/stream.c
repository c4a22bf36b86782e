/*
 * stream.c - attribute values as byte streams.
 *
 * A non-resident value is a run list split into extents: one attribute
 * record per extent, each mapping [lowest VCN, highest VCN]; without an
 * $ATTRIBUTE_LIST there is exactly one. The handle keeps a cursor (record,
 * attribute offset, decoder state) so sequential reads decode each run once.
 * Compressed values are read by compressed.c.
 */
#include "stream.h"

#include "../base/diag.h"
#include "../base/mem.h"
#include "../device/device.h"
#include "../mft/alist.h"
#include "../mft/mft.h"
#include "../parse/attr.h"
#include "../parse/runlist.h"

#define STREAM_CU_SHIFT 4u      /* the only compression unit NTFS writes: 16 clusters */
#define STREAM_MAX_CU_CLUSTER 12u /* compression needs clusters of 4 KiB or less */

/* The extent in rec (record rec_no) that an attribute list entry names. */
static const uint8_t *stream_extent_by_entry(const uint8_t *rec, const ntx_alist_entry *e,
                                             uint32_t *off)
{
    const uint8_t *a = ntx_rec_find_instance(rec, e->type, e->instance, off);
    if (a == NULL || ntx_attr_name_len(a) != e->name_len)
        return NULL;
    if (!ntx_attr_is_resident(a) && ntx_attr_lowest_vcn(a) != e->lowest_vcn)
        return NULL;
    return a;
}

/*
 * Find the extent that maps vcn (0 at open) and point the cursor at its
 * start. *attr receives the extent, valid until the next record load.
 */
static ntx_err stream_find_extent(ntx_stream *s, uint64_t vcn, const uint8_t **attr)
{
    ntx_volume *vol = s->vol;
    const uint8_t *rec, *a;
    uint32_t off;
    uint64_t rec_no = s->mft_no;

    ntx_err rc = ntx_record_get(vol, s->mft_no, &rec);
    if (rc != NTX_OK)
        return rc;
    const uint8_t *al = ntx_rec_find_attr(rec, NTX_AT_ATTRIBUTE_LIST, NULL, 0, &off);
    /* The list never lists itself: read as a stream (ntx_attr_read), it is
     * the base record's own attribute. */
    if (al == NULL || s->type == NTX_AT_ATTRIBUTE_LIST) {
        a = ntx_rec_find_attr(rec, s->type, s->name, s->name_len, &off);
        if (a == NULL)
            return NTX_E_NOT_FOUND;
    } else if (!NTX_WITH_ATTRLIST) { /* config.h: files with a list are refused */
        return ntx_fail(vol, NTX_E_UNSUPPORTED, NTX_CHK_NONE, s->mft_no, off);
    } else {
        /* A deleted file's list may name extents that are gone (ntx/attr.h,
         * ntx_attr_iter_next): such an extent is not found, not corrupt. */
        const ntx_alist_query q = {
            .name = s->name, .type = s->type, .name_len = s->name_len,
            .deleted = NTX_OPENED_DELETED(s->open_flags) &&
                       (ntx_rec_flags(rec) & REC_FLAG_IN_USE) == 0,
        };
        ntx_alist_entry e;
        rc = ntx_alist_find(vol, al, s->mft_no, &q, vcn, &e);
        if (rc != NTX_OK)
            return rc;
        rec_no = NTX_REF_MFT(e.ref);
        rc = ntx_record_get_extension(vol, e.ref, s->mft_no,
                                      NTX_OPENED_DELETED(s->open_flags), &rec);
        a = NULL;
        if (rc == NTX_OK) {
            a = stream_extent_by_entry(rec, &e, &off);
            if (a == NULL)
                rc = ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_ALIST_TARGET, rec_no, e.instance);
        }
        if (rc == NTX_E_CORRUPT && q.deleted)
            return NTX_E_NOT_FOUND;
        if (rc != NTX_OK)
            return rc;
    }

    s->cur.rec_no = rec_no;
    s->cur.attr_off = off;
    s->cur.run.len = 0;
    s->cur.valid = !ntx_attr_is_resident(a);
    /* Whether the extent maps vcn is ntx_stream_map_vcn()'s question: at
     * open (vcn 0) an extent may map nothing at all, as Windows and the
     * Linux ntfs3 driver write for an empty value (highest VCN -1). */
    if (s->cur.valid)
        ntx_mp_begin(a, &s->cur.mp);
    *attr = a;
    return NTX_OK;
}

/* Point the cursor at the start of the extent that maps vcn. */
static ntx_err stream_seek_extent(ntx_stream *s, uint64_t vcn)
{
    const uint8_t *a;
    return stream_find_extent(s, vcn, &a);
}

/* Fill the sizes and form of a freshly found first extent. */
static ntx_err stream_take_first_extent(ntx_stream *s, const uint8_t *a)
{
    ntx_volume *vol = s->vol;

    s->flags = ntx_attr_flags(a);
    s->resident = ntx_attr_is_resident(a);
    if (s->resident) {
        s->size = s->stored_size = s->init_size = ntx_attr_value(a).len;
        return NTX_OK;
    }
    /* An EFS stream holds ciphertext: refused here, where it is opened,
     * unless asked for raw (ntx_stream_open_raw()). */
    if ((s->flags & NTX_ATTR_FLAG_ENCRYPTED) != 0 && (s->open_flags & NTX_STREAM_RAW) == 0)
        return ntx_fail(vol, NTX_E_UNSUPPORTED, NTX_CHK_ENCRYPTED, s->cur.rec_no, 0);
    s->alloc_size = ntx_attr_alloc_size(a);
    s->size = s->stored_size = ntx_attr_data_size(a);
    s->init_size = ntx_attr_init_size(a);
    s->vcn_end = s->alloc_size >> vol->cluster_shift;
    if (ntx_attr_vcn_end(a) > s->vcn_end)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_RUN_VCN, s->cur.rec_no, ATTR_HIGHEST_VCN);
    if ((s->flags & NTX_ATTR_FLAG_COMPRESSED) != 0) {
        /* R39: anything but 16 clusters of at most 4 KiB is not NTFS compression. */
        if (ntx_attr_cu(a) != STREAM_CU_SHIFT || vol->cluster_shift > STREAM_MAX_CU_CLUSTER)
            return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_COMPRESSION_UNIT, s->cur.rec_no,
                            ATTR_COMPRESSION_UNIT);
        if (!NTX_WITH_LZNT1) /* a build without the decompressor (config.h) */
            return ntx_fail(vol, NTX_E_UNSUPPORTED, NTX_CHK_COMPRESSION_UNIT, s->cur.rec_no,
                            ATTR_COMPRESSION_UNIT);
        s->cu_shift = STREAM_CU_SHIFT;
    }
    return NTX_OK;
}

ntx_err ntx_stream_init(ntx_volume *vol, uint64_t mft_no, uint32_t type, const uint16_t *name,
                        size_t name_len, unsigned flags, ntx_stream *s)
{
    if (name_len > NTX_NAME_MAX)
        return NTX_E_NAME_TOO_LONG;
    ntx_mem_zero(s, sizeof *s);
    s->vol = vol;
    s->gen = vol->gen;
    s->serial = ++vol->stream_serial;
    s->mft_no = mft_no;
    s->type = type;
    s->name_len = (uint8_t)name_len;
    s->open_flags = (uint8_t)flags;
    for (size_t i = 0; i < name_len; i++)
        s->name[i] = name[i];

    const uint8_t *a;
    ntx_err rc = stream_find_extent(s, 0, &a);
    if (rc != NTX_OK)
        return rc;
    if (!ntx_attr_is_resident(a) && ntx_attr_lowest_vcn(a) != 0)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_ALIST_TARGET, s->cur.rec_no, 0);
    return stream_take_first_extent(s, a);
}

/* The run that maps vcn, continuing the cursor's decoding when it can. */
ntx_err ntx_stream_map_vcn(ntx_stream *s, uint64_t vcn, ntx_run *run)
{
    ntx_volume *vol = s->vol;
    ntx_run_cursor *c = &s->cur;
    const uint8_t *a, *rec;
    ntx_err rc;

    if (vcn >= s->vcn_end)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_RUN_UNMAPPED, s->mft_no, vcn);
    if (c->valid && c->run.len != 0 && vcn >= c->run.vcn && vcn - c->run.vcn < c->run.len) {
        ntx_mem_copy(run, &c->run, sizeof *run);
        return NTX_OK;
    }
    /* Decoding goes forward only: a VCN behind the cursor, or past the
     * extent it is in, starts again from the extent that maps it. */
    if (!c->valid || vcn < c->mp.vcn || vcn >= c->mp.vcn_end) {
        rc = stream_seek_extent(s, vcn);
        if (rc != NTX_OK)
            return rc == NTX_E_NOT_FOUND
                       ? ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_RUN_UNMAPPED, s->mft_no, vcn)
                       : rc;
        if (!c->valid || vcn < c->mp.vcn || vcn >= c->mp.vcn_end)
            return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_RUN_UNMAPPED, c->rec_no, vcn);
    }
    rc = ntx_record_get(vol, c->rec_no, &rec);
    if (rc != NTX_OK)
        return rc;
    a = ntx_rec_attr_at(rec, c->attr_off, s->type);
    if (a == NULL || ntx_attr_is_resident(a))
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_ATTR_FORM, c->rec_no, c->attr_off);

    /* bound: ntx_mp_next consumes at least 2 mapping-pair bytes per run */
    for (;;) {
        rc = ntx_mp_next(vol, a, &c->mp, &c->run, c->rec_no);
        if (rc != NTX_OK) {
            /* never continue past a bad run: the next call starts over */
            c->valid = false;
            return rc == NTX_END
                       ? ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_RUN_UNMAPPED, c->rec_no, vcn)
                       : rc;
        }
        if (vcn < c->run.vcn + c->run.len) {
            ntx_mem_copy(run, &c->run, sizeof *run);
            return NTX_OK;
        }
    }
}

/* Read [off, off + len) of a non-resident, uncompressed range. */
ntx_err ntx_stream_read_runs(ntx_stream *s, uint64_t off, uint8_t *dst, size_t len)
{
    ntx_volume *vol = s->vol;
    const unsigned cs = vol->cluster_shift;

    /* bound: off grows by at least one byte per pass */
    while (len > 0) {
        ntx_run run;
        ntx_err rc = ntx_stream_map_vcn(s, off >> cs, &run);
        if (rc != NTX_OK)
            return rc;
        uint64_t in_run = off - (run.vcn << cs);
        uint64_t avail = (run.len << cs) - in_run;
        if (run.lcn == NTX_LCN_HOLE) {
            size_t n = (size_t)ntx_min_u64(avail, len);
            ntx_mem_zero(dst, n);
            dst += n;
            off += n;
            len -= n;
            continue;
        }
        /* Runs adjacent on disk become one callback call (docs/design.md). */
        uint64_t next_lcn = run.lcn + run.len;
        uint64_t next_vcn = run.vcn + run.len;
        /* bound: each merged run adds at least one cluster to avail */
        while (avail < len && next_vcn < s->vcn_end) {
            ntx_run nx;
            rc = ntx_stream_map_vcn(s, next_vcn, &nx);
            if (rc != NTX_OK)
                return rc;
            if (nx.lcn != next_lcn)
                break;
            avail += nx.len << cs;
            next_lcn += nx.len;
            next_vcn += nx.len;
        }
        size_t n = (size_t)ntx_min_u64(avail, len);
        rc = ntx_dev_read(vol, (run.lcn << cs) + in_run, dst, n);
        if (rc != NTX_OK)
            return rc;
        dst += n;
        off += n;
        len -= n;
    }
    return NTX_OK;
}

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

ntx_err ntx_stream_read_stored(ntx_stream *s, uint64_t off, uint8_t *dst, size_t len)
{
    if (s->resident)
        return stream_read_resident(s, off, dst, len);
    uint64_t data_end = ntx_min_u64(off + len, s->init_size);
    size_t valid = off < data_end ? (size_t)(data_end - off) : 0;
    ntx_err rc = valid > 0 ? ntx_stream_read_runs(s, off, dst, valid) : NTX_OK;
    /* Past the initialized size the disk holds garbage: it reads as zeros. */
    if (rc == NTX_OK)
        ntx_mem_zero(dst + valid, len - valid);
    return rc;
}

ntx_err ntx_stream_map(ntx_stream *s, uint64_t vcn, ntx_run *run)
{
    if (s == NULL || run == NULL || s->resident || s->wof_algorithm != 0)
        return NTX_E_ARG;
    if (!ntx_volume_handle_live(s->vol, s->gen))
        return NTX_E_STALE;
    return ntx_stream_map_vcn(s, vcn, run);
}
