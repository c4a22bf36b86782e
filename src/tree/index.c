/*
 * index.c - locating an index of a file ($I30 of a directory, or a view
 * index such as $Secure:$SII) and loading its nodes: the $INDEX_ROOT from
 * its record, INDX blocks from its $INDEX_ALLOCATION through the volume's
 * index block buffer (nodes: parse/index.c).
 */
#include "index.h"

#include "../base/diag.h"
#include "../mft/mft.h"
#include "../parse/attr.h"
#include "../value/stream.h"

uint32_t ntx_index_name_key(const uint16_t *name, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ name[i]) * 16777619u;
    return h;
}

ntx_err ntx_index_locate(ntx_volume *vol, uint64_t mft_no, const uint16_t *name, size_t name_len,
                         uint32_t key_type, uint32_t collation, unsigned flags, ntx_stream *alloc,
                         ntx_index_where *w)
{
    ntx_err rc = ntx_stream_init(vol, mft_no, NTX_AT_INDEX_ROOT, name, name_len, flags, alloc);
    if (rc != NTX_OK)
        return rc;
    if (!alloc->resident)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_INDEX_ROOT, mft_no, 0);
    w->mft_no = mft_no;
    w->root_rec = alloc->cur.rec_no;
    w->root_off = alloc->cur.attr_off;
    w->key_type = key_type;
    w->collation = collation;
    w->name_key = ntx_index_name_key(name, name_len);
    w->alloc = NULL;

    rc = ntx_stream_init(vol, mft_no, NTX_AT_INDEX_ALLOCATION, name, name_len, flags, alloc);
    if (rc == NTX_E_NOT_FOUND)
        return NTX_OK;
    /* Index blocks are stored plain: a compressed or encrypted allocation
     * is no index NTFS writes, and it is refused here so that loading a
     * node reads its runs directly (ntx_index_load()). */
    if (rc == NTX_OK && (alloc->resident || alloc->cu_shift != 0 ||
                         (alloc->flags & NTX_ATTR_FLAG_ENCRYPTED) != 0))
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_INDEX_CHILD, mft_no, 0);
    if (rc == NTX_OK)
        w->alloc = alloc;
    return rc;
}

ntx_err ntx_index_load(ntx_volume *vol, const ntx_index_where *w, uint64_t vcn,
                       ntx_index_node *node)
{
    if (vcn == NTX_INDEX_ROOT_VCN) {
        const uint8_t *rec;
        uint32_t block_size;
        ntx_err rc = ntx_record_get(vol, w->root_rec, &rec);
        if (rc != NTX_OK)
            return rc;
        const uint8_t *a = ntx_rec_attr_at(rec, w->root_off, NTX_AT_INDEX_ROOT);
        if (a == NULL || !ntx_attr_is_resident(a))
            return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_INDEX_ROOT, w->mft_no, w->root_off);
        rc = ntx_index_root_parse(vol, ntx_attr_value(a), w->mft_no, w->key_type, w->collation,
                                  node, &block_size);
        if (rc == NTX_OK && block_size != vol->geo.index_block_size)
            return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_INDEX_ROOT, w->mft_no, w->root_off);
        return rc;
    }

    /* A node is read from its runs (the allocation is plain: see
     * ntx_index_locate()); it must lie in the initialized bytes, as a block
     * past them holds nothing NTFS wrote. (w->alloc is the caller's own
     * handle, checked live where the caller was entered.) */
    const uint32_t bs = vol->geo.index_block_size;
    if (w->alloc == NULL || vcn > (w->alloc->init_size >> vol->index_vcn_shift) ||
        (vcn << vol->index_vcn_shift) + bs > w->alloc->init_size)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_INDEX_CHILD, w->mft_no, vcn);
    if (vol->idx_dir != w->mft_no || vol->idx_vcn != vcn || vol->idx_name_key != w->name_key) {
        vol->idx_dir = NTX_NO_RECORD;
        ntx_err rc = ntx_stream_read_runs(w->alloc, vcn << vol->index_vcn_shift, vol->idx_buf, bs);
        if (rc == NTX_OK)
            rc = ntx_index_block_parse(vol, vol->idx_buf, bs, vcn, w->mft_no, node);
        if (rc != NTX_OK)
            return rc;
        vol->idx_dir = w->mft_no;
        vol->idx_vcn = vcn;
        vol->idx_name_key = w->name_key;
        vol->idx_start = node->start;
        vol->idx_end = node->end;
    }
    node->base = vol->idx_buf;
    node->start = vol->idx_start;
    node->end = vol->idx_end;
    node->vcn = vcn;
    node->view = w->key_type == 0;
    return NTX_OK;
}
