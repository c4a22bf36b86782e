/*
 * alist.h - reading the $ATTRIBUTE_LIST of a base record, resident or not
 * (private header).
 *
 * The list is itself an attribute of the base record; it is never split, and
 * lists found inside extension records are ignored, which is what keeps
 * lookups free of cycles. A non-resident list is read through a window in
 * the workspace, so reading an entry never loads a record: $MFT's own list is
 * read this way while its records are being located.
 */
#ifndef NTX_ALIST_H
#define NTX_ALIST_H

#include "../parse/attrlist.h"
#include "ntx/volume.h"

/* Bytes of the list held by attribute a (resident value or data size). */
uint64_t ntx_alist_size(const uint8_t *a);

/*
 * Read len bytes at byte offset off of the non-resident list al of base
 * record base_no (a single extent: a list never has extents of its own).
 * Sparse runs and bytes past the initialized size read as zeros.
 * Returns NTX_OK; NTX_E_CORRUPT (a VCN not mapped, a bad run); I/O errors.
 */
ntx_err ntx_alist_read(ntx_volume *vol, const uint8_t *al, uint64_t base_no, uint64_t off,
                       uint8_t *dst, size_t len);

/*
 * Read and check the entry at byte pos of the list in attribute al of base
 * record base_no. *name points at its UTF-16LE name (name_len units), valid
 * until the next call or record load. Reads no record: a non-resident list
 * goes through the volume's list window.
 * Returns NTX_OK, NTX_END when pos is the list's end, NTX_E_CORRUPT, I/O errors.
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
     * ending in a partial entry); otherwise such an entry is NTX_E_CORRUPT. */
    bool deleted;
} ntx_alist_query;

/*
 * Find the entry for the extent of attribute (q->type, q->name) that maps
 * vcn: the one with the largest lowest VCN <= vcn. NTX_E_NOT_FOUND if there
 * is none.
 */
ntx_err ntx_alist_find(ntx_volume *vol, const uint8_t *al, uint64_t base_no,
                       const ntx_alist_query *q, uint64_t vcn, ntx_alist_entry *best);

#endif
