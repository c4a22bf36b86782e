/*
 * fixup.h - the update sequence array of multi-sector records (private header).
 */
#ifndef NTX_FIXUP_H
#define NTX_FIXUP_H

#include "../base/bytes.h"
#include "ntx/error.h"

#define NTX_FIXUP_STRIDE 512u

/*
 * Check and apply the update sequence array of a FILE or INDX record of size
 * bytes in buf (a multiple of 512). Every sector tail is checked before any
 * is patched, so a torn record is left as read. The only write the core ever
 * makes into a buffer of disk bytes.
 * Returns NTX_OK, or NTX_E_CORRUPT with *check set.
 */
ntx_err ntx_fixup_apply(uint8_t *buf, size_t size, ntx_check *check);

#endif
