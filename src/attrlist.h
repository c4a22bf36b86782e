/*
 * attrlist.h - the $ATTRIBUTE_LIST of a base record (private header).
 */
#ifndef NTX_ATTRLIST_H
#define NTX_ATTRLIST_H

#include "bytes.h"
#include "ntx/volume.h"

/* One entry, copied out of the list. */
typedef struct ntx_alist_entry {
    uint32_t type;
    uint16_t length;       /* bytes of the entry: the next one follows */
    uint8_t name_len;
    uint64_t lowest_vcn;
    uint64_t ref;          /* MFT reference of the record holding the attribute */
    uint16_t instance;
} ntx_alist_entry;

/* Bytes of the list held by attribute a (resident value or data size). */
uint64_t ntx_alist_size(const uint8_t *a);

/*
 * Read and check the entry at byte pos of the list in attribute al of base
 * record base_no. *name points at its UTF-16LE name (name_len units), valid
 * until the next call or record load. Reads no record: a non-resident list
 * goes through the volume's list window.
 * Returns NTX_OK, NTX_END when pos is the list's end, NTX_E_ATTRLIST, I/O errors.
 */
ntx_err ntx_alist_entry_at(ntx_volume *vol, const uint8_t *al, uint64_t base_no, uint32_t pos,
                           ntx_alist_entry *e, const uint8_t **name);

/* What ntx_alist_find() looks for, besides the VCN. */
typedef struct ntx_alist_query {
    const uint16_t *name;
    uint32_t type;
    uint8_t name_len;
    /* The list of a deleted file is read as far as its entries are intact
     * (its size may have been cut while the entries were not rewritten,
     * ending in a partial entry); otherwise such an entry is NTX_E_ATTRLIST. */
    bool deleted;
} ntx_alist_query;

/*
 * Find the entry for the extent of attribute (q->type, q->name) that maps
 * vcn: the one with the largest lowest VCN <= vcn. NTX_E_NOT_FOUND if there
 * is none. (A query structure keeps the call within the argument registers,
 * and a constant query in .rodata: it sits on the deepest call chain of the
 * core, issue 6.)
 */
ntx_err ntx_alist_find(ntx_volume *vol, const uint8_t *al, uint64_t base_no,
                       const ntx_alist_query *q, uint64_t vcn, ntx_alist_entry *best);

#endif
