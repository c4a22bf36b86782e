/*
 * wof.h - where a reparse point says a file's data is: the Windows Overlay
 * Filter's reparse data, and the tags of data kept outside the file
 * (private header).
 */
#ifndef NTX_PARSE_WOF_H
#define NTX_PARSE_WOF_H

#include "../base/bytes.h"
#include "ntx/error.h"

/* What a file's reparse point says of its unnamed $DATA. */
typedef struct ntx_data_place {
    uint8_t form;            /* NTX_DATA_PLAIN (the $DATA itself), _WOF or _EXTERNAL */
    uint8_t algorithm;       /* _WOF: NTX_WOF_* */
    uint8_t chunk_shift;     /* _WOF: log2 of the chunk size */
    uint16_t external;       /* _EXTERNAL: the NTX_CHK_EXTERNAL_* naming where */
} ntx_data_place;

/* Bytes of a reparse value the decision needs: the 8-byte header, then
 * WOF_EXTERNAL_INFO (version, provider) and, for the file provider,
 * FILE_PROVIDER_EXTERNAL_INFO_V1 (version, algorithm): four u32. */
#define NTX_WOF_REPARSE_BYTES 24u

/*
 * ntx_data_place_parse() - decide from the first len bytes of a reparse
 * value (its tag first; len may be less than NTX_WOF_REPARSE_BYTES for
 * other tags) where the file's data is.
 * Returns: NTX_OK with *place; NTX_E_CORRUPT with *check = NTX_CHK_WOF_REPARSE
 *          for WOF data too short or of a version other than 1;
 *          NTX_E_UNSUPPORTED for a WOF provider or algorithm not known.
 */
ntx_err ntx_data_place_parse(const uint8_t *value, size_t len, ntx_data_place *place,
                             ntx_check *check);

#endif
