/*
 * index.h - index nodes in a buffer: $INDEX_ROOT values, INDX blocks and
 * index entries (private header).
 */
#ifndef NTX_INDEX_H
#define NTX_INDEX_H

#include "../base/bytes.h"
#include "ntx/dir.h"

#define NTX_INDEX_ROOT_VCN UINT64_MAX

/* The entries area of one B+tree node, inside a record or the index buffer. */
typedef struct ntx_index_node {
    const uint8_t *base;     /* node start: $INDEX_ROOT value or INDX block */
    uint32_t start;          /* first entry, from base */
    uint32_t end;            /* end of the entries in use, from base */
    uint64_t vcn;            /* NTX_INDEX_ROOT_VCN for the root */
    bool view;               /* a view index: entries carry data, not $FILE_NAME keys */
} ntx_index_node;

/* One checked index entry. */
typedef struct ntx_index_entry {
    uint32_t off;            /* from node base */
    uint32_t length;
    uint16_t flags;          /* NTX_IE_NODE, NTX_IE_END */
    uint64_t child_vcn;      /* valid with NTX_IE_NODE */
    uint64_t ref;            /* indexed file (non-END entries) */
    const uint8_t *key;      /* the key: a $FILE_NAME value in $I30 (non-END entries) */
    uint16_t key_len;
    const uint8_t *data;     /* view indexes: the entry's data, data_len bytes */
    uint16_t data_len;
} ntx_index_entry;

#define NTX_IE_NODE 0x1u
#define NTX_IE_END 0x2u

/* Fields of an index entry's header (ntfs-3g layout.h INDEX_ENTRY_HEADER),
 * for index.c and for the slack scan, which finds entries the node no
 * longer counts. */
enum {
    IE_REF = 0x00,
    IE_DATA_OFFSET = 0x00,
    IE_DATA_LENGTH = 0x02,
    IE_LENGTH = 0x08,
    IE_KEY_LENGTH = 0x0A,
    IE_FLAGS = 0x0C,
    IE_KEY = 0x10,
};

/*
 * Parse the $INDEX_ROOT value (v bytes) of an index of record mft_no, which
 * must index key_type with collation rule `collation` (0x30 and 1 for $I30).
 * *block_size receives the index block size it declares.
 */
ntx_err ntx_index_root_parse(ntx_volume *vol, ntx_span v, uint64_t mft_no, uint32_t key_type,
                             uint32_t collation, ntx_index_node *node, uint32_t *block_size);

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
