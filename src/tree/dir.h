/*
 * dir.h - directory lookups for the path resolver (private header).
 */
#ifndef NTX_DIR_PRIV_H
#define NTX_DIR_PRIV_H

#include "../base/bytes.h"
#include "ntx/dir.h"

/*
 * Look name (n host-order units) up in directory dir_no: exact case first,
 * then through $UpCase. *ref receives the file reference; *key (may be NULL)
 * the entry's checked $FILE_NAME key, valid until the next record or index
 * block load. Uses vol->tmp_stream.
 */
ntx_err ntx_dir_find(ntx_volume *vol, uint64_t dir_no, const uint16_t *name, size_t n,
                     uint64_t *ref, const uint8_t **key);

#endif
