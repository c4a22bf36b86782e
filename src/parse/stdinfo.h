/*
 * stdinfo.h - the $STANDARD_INFORMATION attribute value (private header).
 */
#ifndef NTX_STDINFO_H
#define NTX_STDINFO_H

#include "../base/bytes.h"
#include "ntx/file.h"

/* Fill st's $STANDARD_INFORMATION fields from value v. NTX_E_CORRUPT if too short. */
ntx_err ntx_stdinfo_to_stat(ntx_span v, ntx_stat *st, ntx_check *check);

/* The file attributes (NTX_FA_*) of value v. NTX_E_CORRUPT if too short. */
ntx_err ntx_stdinfo_file_attrs(ntx_span v, uint32_t *attrs);

#endif
