/*
 * unicode.h - UTF-16 conversions on raw little-endian bytes (private header).
 */
#ifndef NTX_UNICODE_H
#define NTX_UNICODE_H

#include "../base/bytes.h"
#include "ntx/utf16.h"

/* As ntx_utf16_to_utf8(), reading n units as UTF-16LE bytes at src (any alignment). */
ntx_err ntx_utf16le_to_utf8(const uint8_t *src, size_t n, char *dst, size_t cap, size_t *out_len,
                            unsigned mode);

#endif
