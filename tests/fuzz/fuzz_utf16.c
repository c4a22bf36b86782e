/*
 * fuzz_utf16.c - UTF-16 to UTF-8 and back, and name collation.
 *
 * Input:
 *   [0] output capacity in bytes (255: exactly 3 * units + 1)
 *   [1] bit 0: lossless (WTF-8) mode, else strict
 *   then UTF-16LE units (also taken as raw UTF-8 bytes for the reverse way)
 * Contracts (include/ntx/utf16.h): the output is NUL-terminated inside its
 * capacity and nothing is written past it (exact heap buffers); NTX_E_BUFFER
 * leaves "" and the needed length, with which the call then succeeds;
 * NTX_E_NAME exactly when a unit is 0, or (strict) a surrogate is unpaired;
 * a converted name converts back to the same units; the raw-bytes variant
 * agrees. Collation is antisymmetric and a name equals itself.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"
#include "parse/unicode.h"
#include "tree/upcase.h"

static bool valid_units(const uint16_t *u, size_t n, unsigned mode)
{
    for (size_t i = 0; i < n; i++) {
        if (u[i] == 0)
            return false;
        if (u[i] >= 0xD800 && u[i] <= 0xDBFF && i + 1 < n && u[i + 1] >= 0xDC00 && u[i + 1] <= 0xDFFF) {
            i++;
            continue;
        }
        if (u[i] >= 0xD800 && u[i] <= 0xDFFF && mode == NTX_UTF16_STRICT)
            return false;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > 2 + 2 * 4096)
        return 0;
    unsigned mode = (data[1] & 1u) ? NTX_UTF16_WTF8 : NTX_UTF16_STRICT;
    size_t n = (size - 2) / 2;
    uint16_t *u = malloc(n * 2 + 2);
    for (size_t i = 0; i < n; i++)
        u[i] = fz_le16(data + 2 + 2 * i);
    size_t cap = data[0] == 255 ? 3 * n + 1 : data[0];
    char *dst = malloc(cap ? cap : 1);
    size_t out = 0;
    ntx_err rc = ntx_utf16_to_utf8(u, n, cap ? dst : NULL, cap, &out, mode);
    bool valid = valid_units(u, n, mode);
    if (!valid) {
        fz_check(rc == NTX_E_NAME);
        fz_check(cap == 0 || dst[0] == '\0');
    } else if (rc == NTX_E_BUFFER) {
        fz_check(cap == 0 || dst[0] == '\0');
        fz_check(out >= cap);
        char *big = malloc(out + 1);
        size_t out2 = 0;
        fz_check(ntx_utf16_to_utf8(u, n, big, out + 1, &out2, mode) == NTX_OK && out2 == out);
        free(big);
    } else {
        fz_check(rc == NTX_OK);
        fz_check(out < cap && dst[out] == '\0' && strlen(dst) == out);
        /* back to the same units */
        uint16_t *back = malloc(n * 2 + 2);
        size_t m = 0;
        fz_check(ntx_utf8_to_utf16(dst, out, back, n, &m, mode) == NTX_OK);
        fz_check(m == n && memcmp(back, u, 2 * n) == 0);
        free(back);
        /* the raw little-endian variant agrees */
        char *dst2 = malloc(cap);
        size_t out2 = 0;
        fz_check(ntx_utf16le_to_utf8(data + 2, n, dst2, cap, &out2, mode) == NTX_OK);
        fz_check(out2 == out && memcmp(dst, dst2, out + 1) == 0);
        free(dst2);
    }

    /* The same bytes as UTF-8, into a buffer of data[0] units. */
    const char *s = (const char *)data + 2;
    size_t slen = size - 2, ucap = data[0], m = 0;
    uint16_t *w = malloc(ucap ? 2 * ucap : 2);
    rc = ntx_utf8_to_utf16(s, slen, ucap ? w : NULL, ucap, &m, mode);
    fz_check(rc == NTX_OK || rc == NTX_E_NAME || rc == NTX_E_NAME_TOO_LONG || rc == NTX_E_ARG);
    if (rc == NTX_OK) {
        fz_check(m <= ucap);
        char *back = malloc(3 * m + 1);
        size_t bl = 0;
        fz_check(ntx_utf16_to_utf8(w, m, back, 3 * m + 1, &bl, mode) == NTX_OK);
        fz_check(bl == slen && memcmp(back, s, slen) == 0);
        free(back);
    }
    free(w);

    /* Collation: halves of the units against each other. */
    static ntx_volume vol;
    fz_dev dev = { NULL, 0, 1 << 20, 0 };
    fz_fake_volume(&vol, &dev, 12, 1024, 256);
    size_t h = n / 2;
    int ab, ba, aa;
    for (int exact = 0; exact < 2; exact++) {
        fz_check(ntx_collate_names(&vol, u, h, data + 2 + 2 * h, n - h, exact, &ab) == NTX_OK);
        fz_check(ntx_collate_names(&vol, u + h, n - h, data + 2, h, exact, &ba) == NTX_OK);
        fz_check(ntx_collate_names(&vol, u, h, data + 2, h, exact, &aa) == NTX_OK);
        fz_check((ab > 0) == (ba < 0) && (ab == 0) == (ba == 0) && aa == 0);
    }
    free(dst);
    free(u);
    return 0;
}
