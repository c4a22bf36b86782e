/*
 * attrs.h - walking a file's attributes across its records (private header).
 */
#ifndef NTX_ATTRS_H
#define NTX_ATTRS_H

#include "ntx/attr.h"

/*
 * Step an attribute iterator: *a is the next attribute (valid until the next
 * record load), held by record *rec_no at offset *off. Returns NTX_OK,
 * NTX_END, or an error (not made sticky here).
 */
ntx_err ntx_attr_step(ntx_attr_iter *it, const uint8_t **a, uint64_t *rec_no, uint32_t *off);

/* Start an iterator on base record mft_no (no handle checks). */
void ntx_attr_iter_start(ntx_attr_iter *it, ntx_volume *vol, uint64_t mft_no);

#endif
