/*
 * stream.c - attribute values as byte streams.
 *
 * A non-resident value is a run list split into extents: one attribute
 * record per extent, each mapping [lowest VCN, highest VCN]; without an
 * $ATTRIBUTE_LIST there is exactly one. The handle keeps a cursor (record,
 * attribute offset, decoder state) so sequential reads decode each run once;
 * a build without attribute lists keeps none and decodes the one extent
 * from its start for each read (config.h NTX_WITH_ATTRLIST).
 *
 * Compressed values (attribute flag 0x0001) come in compression units of
 * 2^compression_unit clusters, always 16 (ntfs-3g compress.c; libfsntfs
 * "Compression"): a unit with every cluster allocated is stored raw, one with
 * none is zeros, and one whose tail is sparse holds LZNT1 chunks in its
 * allocated clusters. Chunks are independent 4 KiB blocks, so one chunk is
 * decompressed at a time into a 4 KiB buffer instead of a whole unit.
 */
#include "stream.h"

#include "attr.h"
#include "attrlist.h"
#include "device.h"
#include "diag.h"
#include "lznt1.h"
#include "mem.h"
#include "record.h"
#include "runlist.h"

#define STREAM_CU_SHIFT 4u      /* the only compression unit NTFS writes: 16 clusters */
#define STREAM_MAX_CU_CLUSTER 12u /* compression needs clusters of 4 KiB or less */

#if NTX_WITH_ATTRLIST
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
static ntx_err stream_seek_extent(ntx_stream *s, uint64_t vcn, const uint8_t **attr)
{
    ntx_volume *vol = s->vol;
    const uint8_t *rec, *a;
    uint32_t off;
    uint64_t rec_no = s->mft_no;

    ntx_err rc = ntx_record_get(vol, s->mft_no, &rec);
    if (rc != NTX_OK)
        return rc;
    const uint8_t *al = ntx_rec_find_attr(rec, NTX_AT_ATTRIBUTE_LIST, NULL, 0, &off);
    s->has_alist = al != NULL;
    /* The list never lists itself: read as a stream (ntx_attr_read), it is
     * the base record's own attribute. */
    if (al == NULL || s->type == NTX_AT_ATTRIBUTE_LIST) {
        a = ntx_rec_find_attr(rec, s->type, s->name, s->name_len, &off);
        if (a == NULL)
            return NTX_E_NOT_FOUND;
    } else {
        /* A deleted file's list may name extents that are gone (ntx/attr.h,
         * ntx_attr_next): such an extent is not found, not corrupt. */
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
                rc = ntx_fail(vol, NTX_E_ATTRLIST, NTX_CHK_ALIST_TARGET, rec_no, e.instance);
        }
        if (rc == NTX_E_ATTRLIST && q.deleted)
            return NTX_E_NOT_FOUND;
        if (rc != NTX_OK)
            return rc;
    }

    s->cur.rec_no = rec_no;
    s->cur.attr_off = off;
    s->cur.run.len = 0;
    s->cur.valid = false;
    if (!ntx_attr_is_resident(a)) {
        /* Whether the extent maps vcn is stream_map's question: at open
         * (vcn 0) an extent may map nothing at all, as Windows and the
         * Linux ntfs3 driver write for an empty value (highest VCN -1). */
        s->cur.pair_off = ntx_attr_mp_offset(a);
        s->cur.next_vcn = ntx_attr_lowest_vcn(a);
        s->cur.last_vcn = ntx_attr_vcn_end(a);
        s->cur.lcn = 0;
        s->cur.valid = true;
    }
    *attr = a;
    return NTX_OK;
}
#endif

/* Fill the sizes and form of a freshly found first extent. */
static ntx_err stream_take_first_extent(ntx_stream *s, const uint8_t *a)
{
    ntx_volume *vol = s->vol;

    s->flags = ntx_attr_flags(a);
    s->resident = ntx_attr_is_resident(a);
    if (s->resident) {
        s->size = s->init_size = ntx_attr_value(a).len;
        return NTX_OK;
    }
    s->alloc_size = ntx_attr_alloc_size(a);
    s->size = ntx_attr_data_size(a);
    s->init_size = ntx_attr_init_size(a);
    s->vcn_end = s->alloc_size >> vol->cluster_shift;
    if (ntx_attr_vcn_end(a) > s->vcn_end)
        return ntx_fail(vol, NTX_E_RUNLIST, NTX_CHK_RUN_VCN, s->cur.rec_no, ATTR_HIGHEST_VCN);
    if ((s->flags & NTX_ATTR_FLAG_COMPRESSED) != 0) {
        /* R39: anything but 16 clusters of at most 4 KiB is not NTFS compression. */
        if (ntx_attr_cu(a) != STREAM_CU_SHIFT || vol->cluster_shift > STREAM_MAX_CU_CLUSTER)
            return ntx_fail(vol, NTX_E_COMPRESSION, NTX_CHK_COMPRESSION_UNIT, s->cur.rec_no,
                            ATTR_COMPRESSION_UNIT);
        if (!NTX_WITH_LZNT1) /* a build without the decompressor (config.h) */
            return ntx_fail(vol, NTX_E_UNSUPPORTED, NTX_CHK_COMPRESSION_UNIT, s->cur.rec_no,
                            ATTR_COMPRESSION_UNIT);
        s->cu_shift = STREAM_CU_SHIFT;
    }
    return NTX_OK;
}

#if !NTX_WITH_ATTRLIST /* config.h: a value is one extent, in the base record */
/*
 * Find the stream's attribute, point the handle at it and take its sizes. A
 * non-resident one must start at VCN 0, as the full build's cursor requires at
 * open; it may map nothing (an empty value).
 */
static ntx_err stream_open_extent(ntx_stream *s)
{
    ntx_volume *vol = s->vol;
    const uint8_t *rec, *a;
    uint32_t off;

    ntx_err rc = ntx_record_get(vol, s->mft_no, &rec);
    if (rc != NTX_OK)
        return rc;
    const uint8_t *al = ntx_rec_find_attr(rec, NTX_AT_ATTRIBUTE_LIST, NULL, 0, &off);
    s->has_alist = al != NULL;
    /* The list never lists itself: read as a stream (ntx_attr_read), it is
     * the base record's own attribute. */
    if (al != NULL && s->type != NTX_AT_ATTRIBUTE_LIST)
        return ntx_fail(vol, NTX_E_UNSUPPORTED, NTX_CHK_NONE, s->mft_no, off);
    a = ntx_rec_find_attr(rec, s->type, s->name, s->name_len, &off);
    if (a == NULL)
        return NTX_E_NOT_FOUND;
    s->cur.rec_no = s->mft_no;
    s->cur.attr_off = off;
    if (!ntx_attr_is_resident(a) && ntx_attr_lowest_vcn(a) != 0)
        return ntx_fail(vol, NTX_E_RUNLIST, NTX_CHK_RUN_UNMAPPED, s->mft_no, 0);
    return stream_take_first_extent(s, a);
}
#endif

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

#if NTX_WITH_ATTRLIST
    const uint8_t *a;
    ntx_err rc = stream_seek_extent(s, 0, &a);
    if (rc != NTX_OK)
        return rc;
    if (!ntx_attr_is_resident(a) && ntx_attr_lowest_vcn(a) != 0)
        return ntx_fail(vol, NTX_E_ATTRLIST, NTX_CHK_ALIST_TARGET, s->cur.rec_no, 0);
    return stream_take_first_extent(s, a);
#else
    return stream_open_extent(s);
#endif
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
            *rc = ntx_fail(s->vol, NTX_E_ATTR, NTX_CHK_ATTR_FORM, s->cur.rec_no,
                           s->cur.attr_off);
            a = NULL;
        }
    }
    return a;
}

#if NTX_WITH_ATTRLIST /* the cursor: a value may span extents in several records */
/* The run that maps vcn, continuing the cursor's decoding when it can. */
static ntx_err stream_map(ntx_stream *s, uint64_t vcn, ntx_run *run)
{
    ntx_volume *vol = s->vol;
    ntx_run_cursor *c = &s->cur;
    const uint8_t *a, *rec;
    ntx_err rc;

    if (vcn >= s->vcn_end)
        return ntx_fail(vol, NTX_E_RUNLIST, NTX_CHK_RUN_UNMAPPED, s->mft_no, vcn);
    if (c->valid && c->run.len != 0 && vcn >= c->run.vcn && vcn - c->run.vcn < c->run.len) {
        ntx_mem_copy(run, &c->run, sizeof *run);
        return NTX_OK;
    }
    if (c->valid && vcn >= c->next_vcn && vcn < c->last_vcn) {
        rc = ntx_record_get(vol, c->rec_no, &rec);
        if (rc != NTX_OK)
            return rc;
        a = ntx_rec_attr_at(rec, c->attr_off, s->type);
        if (a == NULL || ntx_attr_is_resident(a))
            return ntx_fail(vol, NTX_E_ATTR, NTX_CHK_ATTR_FORM, c->rec_no, c->attr_off);
    } else {
        rc = stream_seek_extent(s, vcn, &a);
        if (rc != NTX_OK)
            return rc == NTX_E_NOT_FOUND
                       ? ntx_fail(vol, NTX_E_RUNLIST, NTX_CHK_RUN_UNMAPPED, s->mft_no, vcn)
                       : rc;
        if (!c->valid)
            return ntx_fail(vol, NTX_E_ATTR, NTX_CHK_ATTR_FORM, c->rec_no, c->attr_off);
        if (vcn < c->next_vcn || vcn >= c->last_vcn)
            return ntx_fail(vol, NTX_E_RUNLIST, NTX_CHK_RUN_UNMAPPED, c->rec_no, vcn);
    }

    ntx_mp_state st = { c->pair_off, c->next_vcn, c->last_vcn, c->lcn };
    /* bound: ntx_mp_next consumes at least 2 mapping-pair bytes per run */
    for (;;) {
        ntx_run r;
        rc = ntx_mp_next(vol, a, &st, &r, c->rec_no);
        if (rc == NTX_END)
            return ntx_fail(vol, NTX_E_RUNLIST, NTX_CHK_RUN_UNMAPPED, c->rec_no, vcn);
        if (rc != NTX_OK)
            return rc;
        c->pair_off = st.pos;
        c->next_vcn = st.vcn;
        c->lcn = st.lcn;
        ntx_mem_copy(&c->run, &r, sizeof r);
        if (vcn < r.vcn + r.len) {
            ntx_mem_copy(run, &r, sizeof r);
            return NTX_OK;
        }
    }
}

/* Read [off, off + len) of a non-resident, uncompressed range. */
static ntx_err stream_read_plain(ntx_stream *s, uint64_t off, uint8_t *dst, size_t len)
{
    ntx_volume *vol = s->vol;
    const unsigned cs = vol->cluster_shift;

    /* bound: off grows by at least one byte per pass */
    while (len > 0) {
        ntx_run run;
        ntx_err rc = stream_map(s, off >> cs, &run);
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
        /* Runs adjacent on disk become one callback call (shared/DESIGN.md). */
        uint64_t next_lcn = run.lcn + run.len;
        uint64_t next_vcn = run.vcn + run.len;
        /* bound: each merged run adds at least one cluster to avail */
        while (avail < len && next_vcn < s->vcn_end) {
            ntx_run nx;
            rc = stream_map(s, next_vcn, &nx);
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

#else
/* config.h: one extent, whose runs are decoded from its start for each call
 * (a boot loader reads a file with a few calls; the full build keeps a
 * cursor so that each run is decoded once). */
static ntx_err stream_map(ntx_stream *s, uint64_t vcn, ntx_run *run)
{
    ntx_err rc;
    if (vcn >= s->vcn_end)
        return ntx_fail(s->vol, NTX_E_RUNLIST, NTX_CHK_RUN_UNMAPPED, s->mft_no, vcn);
    const uint8_t *a = stream_attr(s, &rc);
    return a != NULL ? ntx_mp_find(s->vol, a, vcn, run, s->cur.rec_no) : rc;
}

static ntx_err stream_read_plain(ntx_stream *s, uint64_t off, uint8_t *dst, size_t len)
{
    ntx_err rc;
    const uint8_t *a = stream_attr(s, &rc);
    if (a != NULL)
        rc = ntx_mp_read(s->vol, a, s->cur.rec_no, off, dst, len, false);
    if (rc == NTX_END)
        return ntx_fail(s->vol, NTX_E_RUNLIST, NTX_CHK_RUN_UNMAPPED, s->cur.rec_no,
                        off >> s->vol->cluster_shift);
    return rc;
}
#endif

static ntx_err stream_read_resident(ntx_stream *s, uint64_t off, uint8_t *dst, size_t len)
{
    ntx_err rc;
    const uint8_t *a = stream_attr(s, &rc);
    if (a == NULL)
        return rc;
    ntx_span v = ntx_attr_value(a);
    if (off > v.len || len > v.len - off)
        return ntx_fail(s->vol, NTX_E_ATTR, NTX_CHK_ATTR_RESIDENT_VALUE, s->cur.rec_no,
                        s->cur.attr_off);
    ntx_mem_copy(dst, v.p + off, len);
    return NTX_OK;
}

#if NTX_WITH_LZNT1 /* config.h: the compressed read path */
/* Read [pos, pos + len) of the allocated clusters of the unit at cu_vcn. */
static ntx_err stream_cu_data(ntx_stream *s, uint64_t cu_vcn, uint32_t pos, uint8_t *dst,
                              size_t len)
{
    const unsigned cs = s->vol->cluster_shift;
    /* bound: pos grows by at least one byte per pass */
    while (len > 0) {
        ntx_run run;
        uint64_t vcn = cu_vcn + (pos >> cs);
        ntx_err rc = stream_map(s, vcn, &run);
        if (rc != NTX_OK)
            return rc;
        if (run.lcn == NTX_LCN_HOLE)
            return ntx_fail(s->vol, NTX_E_COMPRESSION, NTX_CHK_LZNT1, s->mft_no, vcn);
        uint64_t in_run = ((vcn - run.vcn) << cs) + (pos & ((1u << cs) - 1u));
        size_t n = (size_t)ntx_min_u64((run.len << cs) - in_run, len);
        rc = ntx_dev_read(s->vol, (run.lcn << cs) + in_run, dst, n);
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
        ntx_err rc = stream_cu_data(s, cu_vcn, start, vol->lz_cbuf, n);
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
            return ntx_fail(s->vol, NTX_E_COMPRESSION, NTX_CHK_LZNT1, s->mft_no, cu_vcn);
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
            return ntx_fail(s->vol, NTX_E_COMPRESSION, NTX_CHK_LZNT1, s->mft_no, cu_vcn);
        ntx_mem_copy(dst, src, clen);
        *out = clen;
        return NTX_OK;
    }
    size_t got;
    rc = ntx_lznt1_decompress_chunk(src, clen, dst, NTX_LZNT1_CHUNK, &got);
    if (rc != NTX_OK)
        return ntx_fail(s->vol, NTX_E_COMPRESSION, NTX_CHK_LZNT1, s->mft_no, cu_vcn);
    *out = (uint32_t)got;
    return NTX_OK;
}

/* Clusters of the unit at cu_vcn that are allocated, and the unit's length. */
static ntx_err stream_cu_alloc(ntx_stream *s, uint64_t cu_vcn, uint64_t *alloc, uint64_t *count)
{
    uint64_t end = ntx_min_u64(cu_vcn + (1u << s->cu_shift), s->vcn_end);
    uint64_t vcn = cu_vcn;
    *alloc = 0;
    *count = end - cu_vcn;
    /* bound: at most 16 clusters, each pass covers at least one */
    while (vcn < end) {
        ntx_run run;
        ntx_err rc = stream_map(s, vcn, &run);
        if (rc != NTX_OK)
            return rc;
        uint64_t take = ntx_min_u64(run.vcn + run.len, end) - vcn;
        if (run.lcn != NTX_LCN_HOLE)
            *alloc += take;
        vcn += take;
    }
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

static ntx_err stream_read_compressed(ntx_stream *s, uint64_t off, uint8_t *dst, size_t len)
{
    const unsigned cs = s->vol->cluster_shift;
    const unsigned cu_bytes_shift = s->cu_shift + cs;

    /* bound: off grows by at least one byte per pass */
    while (len > 0) {
        uint64_t cu_vcn = (off >> cu_bytes_shift) << s->cu_shift;
        uint64_t cu_start = cu_vcn << cs;
        size_t take = (size_t)ntx_min_u64(cu_start + ((uint64_t)1 << cu_bytes_shift) - off, len);
        uint64_t alloc, count;
        ntx_err rc = stream_cu_alloc(s, cu_vcn, &alloc, &count);
        if (rc != NTX_OK)
            return rc;
        if (alloc == 0)
            ntx_mem_zero(dst, take);
        else if (alloc == count)
            rc = stream_read_plain(s, off, dst, take); /* a unit stored raw */
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
#endif
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
            rc = stream_read_plain(s, off, dst, valid);
#if NTX_WITH_LZNT1
        else if (valid > 0)
            rc = stream_read_compressed(s, off, dst, valid);
#endif
        /* Past the initialized size the disk holds garbage: it reads as zeros. */
        if (rc == NTX_OK)
            ntx_mem_zero(dst + valid, n - valid);
    }
    if (rc != NTX_OK)
        return rc;
    *got = n;
    return NTX_OK;
}

ntx_err ntx_stream_map(ntx_stream *s, uint64_t vcn, ntx_run *run)
{
    if (s == NULL || run == NULL || s->resident)
        return NTX_E_ARG;
    if (!ntx_volume_handle_live(s->vol, s->gen))
        return NTX_E_STALE;
    return stream_map(s, vcn, run);
}

#if NTX_WITH_LZNT1 /* without LZNT1, stream.h makes this ntx_stream_read_exact() */
/* Index blocks are never compressed (ntx_index_locate() refuses a compressed
 * $INDEX_ALLOCATION as corrupt), so their reads need not pass through
 * ntx_stream_read(): the LZNT1 frames under it made a lookup's stack the
 * deepest chain of the core (issue 6). Same checks, same results. */
ntx_err ntx_stream_read_plain_exact(ntx_stream *s, uint64_t off, void *buf, size_t len)
{
    ntx_volume *vol = s->vol;
    if (s->resident || s->cu_shift != 0)
        return NTX_E_ARG;
    if (!ntx_volume_handle_live(vol, s->gen))
        return NTX_E_STALE;
    if (off > s->size || len > s->size - off)
        return ntx_fail(vol, NTX_E_RANGE, NTX_CHK_READ_RANGE, s->mft_no, off);
    if ((s->flags & NTX_ATTR_FLAG_ENCRYPTED) != 0 && (s->open_flags & NTX_STREAM_RAW) == 0)
        return ntx_fail(vol, NTX_E_UNSUPPORTED, NTX_CHK_ENCRYPTED, s->mft_no, 0);
    uint64_t data_end = ntx_min_u64(off + len, s->init_size);
    size_t valid = off < data_end ? (size_t)(data_end - off) : 0;
    ntx_err rc = valid > 0 ? stream_read_plain(s, off, buf, valid) : NTX_OK;
    if (rc == NTX_OK)
        ntx_mem_zero((uint8_t *)buf + valid, len - valid);
    return rc;
}
#endif
