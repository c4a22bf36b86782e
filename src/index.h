/*
 * index.h - $I30 directory indexes: $INDEX_ROOT, INDX blocks and index
 * entries (private header).
 */
#ifndef NTX_INDEX_H
#define NTX_INDEX_H

#include "bytes.h"
#include "filename.h"
#include "ntx/dir.h"

#define NTX_INDEX_ROOT_VCN UINT64_MAX

/* The entries area of one B+tree node, inside a record or the index buffer. */
typedef struct ntx_index_node {
    const uint8_t *base;     /* node start: $INDEX_ROOT value or INDX block */
    uint32_t start;          /* first entry, from base */
    uint32_t end;            /* end of the entries in use, from base */
    uint64_t vcn;            /* NTX_INDEX_ROOT_VCN for the root */
} ntx_index_node;

/* One checked index entry. */
typedef struct ntx_index_entry {
    uint32_t off;            /* from node base */
    uint32_t length;
    uint16_t flags;          /* NTX_IE_NODE, NTX_IE_END */
    uint64_t child_vcn;      /* valid with NTX_IE_NODE */
    uint64_t ref;            /* indexed file (non-END entries) */
    const uint8_t *key;      /* $FILE_NAME value, key_len bytes (non-END entries) */
    uint16_t key_len;
} ntx_index_entry;

#define NTX_IE_NODE 0x1u
#define NTX_IE_END 0x2u

/*
 * Parse the $INDEX_ROOT value (v bytes) of directory mft_no: an index of
 * $FILE_NAME by file name collation, whose header describes the root node.
 * *block_size receives the index block size it declares.
 */
ntx_err ntx_index_root_parse(ntx_volume *vol, ntx_span v, uint64_t mft_no, ntx_index_node *node,
                             uint32_t *block_size);

/*
 * Fix up and check the INDX block of block_size bytes at buf that should be
 * the node at vcn of directory mft_no.
 */
ntx_err ntx_index_block_parse(ntx_volume *vol, uint8_t *buf, uint32_t block_size, uint64_t vcn,
                              uint64_t mft_no, ntx_index_node *node);

/* Check and decode the entry at off (from node->base). */
ntx_err ntx_index_entry_at(ntx_volume *vol, const ntx_index_node *node, uint32_t off,
                           uint64_t mft_no, ntx_index_entry *e);

#endif
