/*
 * index.h - locating an index of a file and loading its nodes (private header).
 */
#ifndef NTX_TREE_INDEX_H
#define NTX_TREE_INDEX_H

#include "../parse/index.h"
#include "ntx/file.h"

/* Where one index of a record lives: $I30 of a directory, or a view index
 * such as $Secure:$SII. */
typedef struct ntx_index_where {
    uint64_t mft_no;
    uint64_t root_rec;       /* record holding the $INDEX_ROOT, and its offset */
    uint32_t root_off;
    ntx_stream *alloc;       /* its $INDEX_ALLOCATION, or NULL (root only) */
    uint32_t key_type;       /* attribute type indexed: 0x30 for $I30, 0 for views */
    uint32_t collation;      /* collation rule the root must declare */
    uint32_t name_key;       /* tells the indexes of one record apart in the block cache */
} ntx_index_where;

/* A cache key for an index name. */
uint32_t ntx_index_name_key(const uint16_t *name, size_t n);

/*
 * Locate index `name` of base record mft_no: its $INDEX_ROOT (maybe in an
 * extension record) and, opened into alloc, its $INDEX_ALLOCATION. flags as
 * ntx_stream_init(). NTX_E_NOT_FOUND when the record has no such index.
 */
ntx_err ntx_index_locate(ntx_volume *vol, uint64_t mft_no, const uint16_t *name, size_t name_len,
                         uint32_t key_type, uint32_t collation, unsigned flags, ntx_stream *alloc,
                         ntx_index_where *w);

/*
 * Load node vcn (NTX_INDEX_ROOT_VCN: the root) of the index w describes.
 * Pointers in *node stay valid until the next record or index block load.
 */
ntx_err ntx_index_load(ntx_volume *vol, const ntx_index_where *w, uint64_t vcn,
                       ntx_index_node *node);

#endif
