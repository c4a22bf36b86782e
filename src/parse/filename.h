/*
 * filename.h - the $FILE_NAME attribute value (private header).
 */
#ifndef NTX_FILENAME_H
#define NTX_FILENAME_H

#include "../base/bytes.h"
#include "ntx/dir.h"

enum {
    FN_PARENT = 0x00,
    FN_TIMES = 0x08,
    FN_ALLOCATED_SIZE = 0x28,
    FN_DATA_SIZE = 0x30,
    FN_FLAGS = 0x38,
    FN_REPARSE_TAG = 0x3C,
    FN_NAME_LENGTH = 0x40,
    FN_NAMESPACE = 0x41,
    FN_NAME = 0x42,
};

/*
 * Check a $FILE_NAME value of len bytes (R33): at least 0x42 bytes,
 * a name of 1..255 units inside it, a namespace 0..3. Returns NTX_OK or
 * NTX_E_NAME with *check set.
 */
ntx_err ntx_filename_check(const uint8_t *fn, size_t len, ntx_check *check);

/* Copy a checked $FILE_NAME value into a directory entry (not mft_ref). */
void ntx_filename_to_dirent(const uint8_t *fn, ntx_dirent *d);

#endif
