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

/*
 * Find the entry for the extent of attribute (type, name) that maps vcn: the
 * one with the largest lowest VCN <= vcn. NTX_E_NOT_FOUND if there is none.
 */
ntx_err ntx_alist_find(ntx_volume *vol, const uint8_t *al, uint64_t base_no, uint32_t type,
                       const uint16_t *name, size_t name_len, uint64_t vcn, ntx_alist_entry *best);

#endif
