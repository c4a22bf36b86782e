/*
 * attrlist.h - entries of an $ATTRIBUTE_LIST value (private header).
 */
#ifndef NTX_ATTRLIST_H
#define NTX_ATTRLIST_H

#include "../base/bytes.h"
#include "ntx/error.h"

/* One entry, copied out of the list. */
typedef struct ntx_alist_entry {
    uint32_t type;
    uint16_t length;       /* bytes of the entry: the next one follows */
    uint8_t name_len;
    uint64_t lowest_vcn;
    uint64_t ref;          /* MFT reference of the record holding the attribute */
    uint16_t instance;
} ntx_alist_entry;

/* Largest entry: its header plus a 255-unit name, 8-aligned. */
#define NTX_ALIST_MAX_ENTRY ((0x1Au + 2u * 255u + 7u) & ~7u)

/*
 * Check and decode the entry at p, with avail bytes of the list from p on.
 * *name points at its UTF-16LE name (e->name_len units) inside p.
 * Returns: NTX_OK; NTX_E_CORRUPT with *check set for an entry that is
 *          shorter than its header, not 8-aligned, longer than the list or
 *          than any entry can be, or whose name lies outside it.
 */
ntx_err ntx_alist_entry_parse(const uint8_t *p, uint32_t avail, ntx_alist_entry *e,
                              const uint8_t **name, ntx_check *check);

#endif
