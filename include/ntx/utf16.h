/*
 * ntx/utf16.h - UTF-16LE names to UTF-8 and back.
 *
 * NTFS names are sequences of 16-bit units that Windows does not check: a
 * name may hold unpaired surrogates. Two conversions are offered:
 *  - strict: an unpaired surrogate is an error (NTX_E_NAME);
 *  - lossless (NTX_UTF16_WTF8): an unpaired surrogate is encoded as the
 *    3-byte sequence of its code point (ED A0 80..ED BF BF), as WTF-8 does,
 *    so every on-disk name converts to a distinct byte string and back.
 * ntx_utf8_to_utf16() accepts such WTF-8 sequences only in lossless mode.
 */
#ifndef NTX_UTF16_H
#define NTX_UTF16_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define NTX_UTF16_STRICT 0u
#define NTX_UTF16_WTF8 1u

/**
 * ntx_utf16_to_utf8() - convert n UTF-16 units (host order values) to UTF-8.
 * Buffers: dst of cap bytes; a NUL is written after the output, so cap must
 *          exceed the output length (3 * n + 1 is always enough).
 * Returns: NTX_OK with *out_len (bytes, without the NUL); NTX_E_NAME (strict
 *          mode and an unpaired surrogate); NTX_E_BUFFER (dst too small:
 *          nothing past dst[cap - 1] is written, and dst holds "" ).
 */
ntx_err ntx_utf16_to_utf8(const uint16_t *src, size_t n, char *dst, size_t cap, size_t *out_len,
                          unsigned mode);

/**
 * ntx_utf8_to_utf16() - convert len bytes of UTF-8 to UTF-16 units.
 * Buffers: dst of cap units; no terminator is written.
 * Returns: NTX_OK with *out_n; NTX_E_NAME (invalid, overlong or truncated
 *          UTF-8, a NUL byte, or encoded surrogates in strict mode);
 *          NTX_E_NAME_TOO_LONG (more than cap units).
 */
ntx_err ntx_utf8_to_utf16(const char *src, size_t len, uint16_t *dst, size_t cap, size_t *out_n,
                          unsigned mode);

#endif
