/*
 * ntx/attr.h - listing the attributes of a file, across its extension records.
 */
#ifndef NTX_ATTR_H
#define NTX_ATTR_H

#include <stdbool.h>
#include <stdint.h>

#include "file.h"

typedef struct ntx_attr_info {
    uint32_t type;            /* NTX_AT_* */
    uint16_t flags;           /* NTX_ATTR_FLAG_* */
    uint16_t instance;        /* attribute id within its record */
    bool resident;
    uint8_t name_len;
    uint8_t cu_shift;         /* compression unit (log2 clusters), non-resident only */
    uint64_t rec_no;          /* record that holds this attribute (extent) */
    uint32_t attr_off;        /* its offset there */
    uint32_t value_off;       /* resident: value offset within the attribute */
    uint64_t size;            /* resident: value length; else data size */
    uint64_t alloc_size;      /* non-resident only */
    uint64_t init_size;       /* non-resident only */
    uint64_t lowest_vcn;      /* non-resident only */
    int64_t highest_vcn;      /* non-resident only; -1 when the extent maps no cluster
                               * (an empty value, as Windows writes it) */
    uint16_t name[NTX_NAME_MAX]; /* name_len units; the rest is not written */
} ntx_attr_info;

typedef struct ntx_attr_iter {
    ntx_volume *vol;
    uint32_t gen;
    uint64_t mft_no;          /* base record */
    ntx_err err;              /* sticky */
    bool via_alist;           /* walking the $ATTRIBUTE_LIST entries */
    bool alist_done;          /* the $ATTRIBUTE_LIST itself has been returned */
    uint8_t open_flags;       /* from the file: NTX_OPEN_DELETED accepts freed extension records */
    uint32_t pos;             /* next attribute offset, or next list entry offset */
    uint32_t steps;           /* bound */
    uint16_t lost;            /* deleted file: list entries whose attribute is gone (see below) */
    bool one_record;          /* ntx_attr_iter_open_record(): that record's attributes only */
} ntx_attr_iter;

/**
 * ntx_attr_iter_open() - start listing f's attributes.
 * Order: without an $ATTRIBUTE_LIST, the base record's attributes as stored;
 * with one, the list itself and then each attribute it names, in list order
 * (so every extent of a split attribute appears, with its lowest VCN).
 * Returns: NTX_OK; NTX_E_STALE; record errors.
 */
ntx_err ntx_attr_iter_open(ntx_attr_iter *it, const ntx_file *f);

/**
 * ntx_attr_iter_open_record() - list the attributes held by MFT record
 * rec_no itself, a base or an extension record, in use or not, in the order
 * they are stored; an $ATTRIBUTE_LIST is returned as an attribute and not
 * followed. For putting a file back together from its records where its
 * attribute list cannot be read: a copy of $MFT mounted alone
 * (ntx_volume_mount_mft()) does not hold a non-resident list, but every
 * extension record names its base record. Resident values of what it
 * returns read with ntx_attr_read() through any handle of the volume (the
 * value is found by info->rec_no).
 * Returns: NTX_OK; NTX_E_ARG; NTX_E_STALE. Record errors come from
 *          ntx_attr_iter_next().
 */
ntx_err ntx_attr_iter_open_record(ntx_attr_iter *it, ntx_volume *vol, uint64_t rec_no);

/**
 * ntx_attr_iter_next() - the next attribute.
 * Reads:   the base record, the $ATTRIBUTE_LIST, extension records.
 * A deleted file (opened with NTX_OPEN_DELETED, its record not in use) often
 * has list entries naming attributes that are gone: removed from their
 * extension record before the file was freed, or the record reused by another
 * file. Those entries are skipped and counted in it->lost, where a file in
 * use answers NTX_E_CORRUPT.
 * Returns: NTX_OK with *info; NTX_END; NTX_E_CORRUPT (a bad list entry or
 *          attribute); record errors; an error is sticky.
 */
ntx_err ntx_attr_iter_next(ntx_attr_iter *it, ntx_attr_info *info);

#endif
