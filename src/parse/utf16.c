/*
 * utf16.c - NTFS names (UTF-16 units) to UTF-8 and back.
 *
 * On disk a name is an array of 16-bit little-endian units ($FILE_NAME
 * attribute, $I30 index keys, attribute names: libfsntfs "NTFS.asciidoc",
 * ntfs-3g layout.h ntfschar). The callers here get the units already loaded
 * as host values. Windows never validates them, so a name may hold unpaired
 * surrogates (hostile images: R34/R35).
 *
 * UTF-8 rules: Unicode 15 section 3.9, Table 3-7 (well-formed byte
 * sequences). Lossless mode follows WTF-8 (Simon Sapin, "The WTF-8
 * encoding", section 4): a lone surrogate is written as its generalized
 * 3-byte UTF-8 form ED A0 80..ED BF BF, and a high surrogate sequence
 * followed by a low surrogate sequence is not WTF-8, because that pair must
 * have been written as one 4-byte sequence. This keeps the mapping
 * one-to-one, so FUSE and the CLI can open every name they list.
 *
 * A U+0000 unit is refused in both modes: it would become a NUL byte and cut
 * the name short in every C string API above us, so two different on-disk
 * names could reach the user as the same path (R35).
 */
#include "unicode.h"

#include <stdbool.h>

enum {
    UTF16_HI_FIRST = 0xD800u,   /* high (leading) surrogates D800..DBFF */
    UTF16_LO_FIRST = 0xDC00u,   /* low (trailing) surrogates DC00..DFFF */
    UTF16_SUR_LAST = 0xDFFFu,
    UTF16_SUR_MASK = 0xFC00u,   /* unit & mask == HI_FIRST / LO_FIRST classifies */
};

static bool utf16_is_high(uint32_t u)
{
    return (u & UTF16_SUR_MASK) == UTF16_HI_FIRST;
}

static bool utf16_is_low(uint32_t u)
{
    return (u & UTF16_SUR_MASK) == UTF16_LO_FIRST;
}

/* Unit i of a name given either as host values (u16) or as raw UTF-16LE bytes (le). */
static uint32_t utf16_unit(const uint16_t *u16, const uint8_t *le, size_t i)
{
    return u16 != NULL ? u16[i] : ntx_le16(le + 2 * i);
}

static ntx_err utf16_encode(const uint16_t *src, const uint8_t *src_le, size_t n, char *dst,
                            size_t cap, size_t *out_len, unsigned mode)
{
    size_t need = 0;    /* bytes the whole name needs, without the NUL */
    bool fits = true;   /* false once a sequence did not fit: we only count from then on */

    if (out_len == NULL || (src == NULL && src_le == NULL && n > 0) || (dst == NULL && cap > 0) ||
        (mode != NTX_UTF16_STRICT && mode != NTX_UTF16_WTF8))
        return NTX_E_ARG;
    /* At most 3 bytes per unit, so need below cannot wrap. Only a caller error can come
     * near this (NTFS names are <= 255 units). */
    if (n > SIZE_MAX / 3u)
        return NTX_E_NAME_TOO_LONG;

    /* bound: i grows by 1 or 2 per step and stays < n */
    for (size_t i = 0; i < n;) {
        uint32_t cp = utf16_unit(src, src_le, i);
        size_t units = 1;
        size_t len;
        uint8_t seq[4];

        if (cp == 0)
            goto bad_name;
        if (utf16_is_high(cp) && i + 1 < n && utf16_is_low(utf16_unit(src, src_le, i + 1))) {
            cp = 0x10000u + ((cp - UTF16_HI_FIRST) << 10) +
                 (utf16_unit(src, src_le, i + 1) - UTF16_LO_FIRST);
            units = 2;
        } else if (cp >= UTF16_HI_FIRST && cp <= UTF16_SUR_LAST && mode != NTX_UTF16_WTF8) {
            goto bad_name;
        }

        if (cp < 0x80u) {
            seq[0] = (uint8_t)cp;
            len = 1;
        } else if (cp < 0x800u) {
            seq[0] = (uint8_t)(0xC0u | cp >> 6);
            seq[1] = (uint8_t)(0x80u | (cp & 0x3Fu));
            len = 2;
        } else if (cp < 0x10000u) {
            /* In WTF-8 mode lone surrogates take this path too: ED A0 80..ED BF BF. */
            seq[0] = (uint8_t)(0xE0u | cp >> 12);
            seq[1] = (uint8_t)(0x80u | (cp >> 6 & 0x3Fu));
            seq[2] = (uint8_t)(0x80u | (cp & 0x3Fu));
            len = 3;
        } else {
            seq[0] = (uint8_t)(0xF0u | cp >> 18);
            seq[1] = (uint8_t)(0x80u | (cp >> 12 & 0x3Fu));
            seq[2] = (uint8_t)(0x80u | (cp >> 6 & 0x3Fu));
            seq[3] = (uint8_t)(0x80u | (cp & 0x3Fu));
            len = 4;
        }

        /* "len < cap - need" keeps room for the NUL. */
        if (fits && need < cap && len < cap - need) {
            for (size_t k = 0; k < len; k++) /* bound: len <= 4 */
                dst[need + k] = (char)seq[k];
        } else {
            fits = false;
        }
        need += len;
        i += units;
    }

    /* Too small: *out_len still tells the caller the size it needs, and dst holds "" rather
     * than a prefix that could be taken for the whole name. */
    *out_len = need;
    if (!fits || need >= cap) { /* need >= cap: only for n == 0 (room for the NUL alone) */
        if (cap > 0)
            dst[0] = '\0';
        return NTX_E_BUFFER;
    }
    dst[need] = '\0';
    return NTX_OK;

bad_name:
    /* An invalid name wins over a small buffer: retrying with more room would not help. */
    if (cap > 0)
        dst[0] = '\0';
    return NTX_E_NAME;
}

ntx_err ntx_utf16_to_utf8(const uint16_t *src, size_t n, char *dst, size_t cap, size_t *out_len,
                          unsigned mode)
{
    if (src == NULL && n > 0)
        return NTX_E_ARG;
    return utf16_encode(src, NULL, n, dst, cap, out_len, mode);
}

ntx_err ntx_utf16le_to_utf8(const uint8_t *src, size_t n, char *dst, size_t cap, size_t *out_len,
                            unsigned mode)
{
    if (src == NULL && n > 0)
        return NTX_E_ARG;
    return utf16_encode(NULL, src, n, dst, cap, out_len, mode);
}

/*
 * Decode one UTF-8 sequence at src[*pos] (Unicode Table 3-7) into *cp and
 * advance *pos. Surrogate code points (ED A0..BF xx) are returned as such
 * and the caller decides by mode. false: ill-formed, truncated, or a NUL.
 */
static bool utf16_decode_utf8(const uint8_t *src, size_t len, size_t *pos, uint32_t *cp)
{
    size_t p = *pos;
    uint32_t c = src[p];
    size_t extra;
    uint32_t lo = 0x80u;    /* allowed range of the second byte */
    uint32_t hi = 0xBFu;

    if (c == 0) {
        return false;
    } else if (c < 0x80u) {
        *cp = c;
        *pos = p + 1;
        return true;
    } else if (c < 0xC2u) {
        return false;       /* 80..BF continuation as leader; C0/C1 only start overlongs */
    } else if (c < 0xE0u) {
        extra = 1;
        c &= 0x1Fu;
    } else if (c < 0xF0u) {
        extra = 2;
        if (c == 0xE0u)
            lo = 0xA0u;     /* E0 80..9F xx would be overlong */
        c &= 0x0Fu;
    } else if (c < 0xF5u) {
        extra = 3;
        if (c == 0xF0u)
            lo = 0x90u;     /* F0 80..8F xx xx would be overlong */
        else if (c == 0xF4u)
            hi = 0x8Fu;     /* F4 90.. would be past U+10FFFF */
        c &= 0x07u;
    } else {
        return false;       /* F5..FF: past U+10FFFF or never valid */
    }

    if (len - p - 1 < extra)
        return false;
    if (src[p + 1] < lo || src[p + 1] > hi)
        return false;
    /* bound: extra <= 3 */
    for (size_t k = 1; k <= extra; k++) {
        uint32_t b = src[p + k];
        if ((b & 0xC0u) != 0x80u)
            return false;
        c = c << 6 | (b & 0x3Fu);
    }
    *cp = c;
    *pos = p + 1 + extra;
    return true;
}

ntx_err ntx_utf8_to_utf16(const char *src, size_t len, uint16_t *dst, size_t cap, size_t *out_n,
                          unsigned mode)
{
    const uint8_t *s = (const uint8_t *)src;
    size_t n = 0;               /* units the whole string needs */
    bool prev_wtf8_high = false; /* the previous sequence was a 3-byte high surrogate */

    if (out_n == NULL || (src == NULL && len > 0) || (dst == NULL && cap > 0) ||
        (mode != NTX_UTF16_STRICT && mode != NTX_UTF16_WTF8))
        return NTX_E_ARG;

    /* bound: pos grows by 1..4 per step (utf16_decode_utf8) and stays <= len */
    for (size_t pos = 0; pos < len;) {
        uint32_t cp;

        if (!utf16_decode_utf8(s, len, &pos, &cp))
            return NTX_E_NAME;

        if (cp >= UTF16_HI_FIRST && cp <= UTF16_SUR_LAST) {
            if (mode != NTX_UTF16_WTF8)
                return NTX_E_NAME;
            /* A WTF-8 pair must have been one 4-byte sequence; accepting it would give two
             * byte strings for the same UTF-16 name. */
            if (prev_wtf8_high && utf16_is_low(cp))
                return NTX_E_NAME;
            prev_wtf8_high = utf16_is_high(cp);
        } else {
            prev_wtf8_high = false;
        }

        /* n <= len, so n + 2 cannot wrap. A pair is stored whole or not at all. */
        if (cp >= 0x10000u) {
            if (n + 2 <= cap) {
                dst[n] = (uint16_t)(UTF16_HI_FIRST + ((cp - 0x10000u) >> 10));
                dst[n + 1] = (uint16_t)(UTF16_LO_FIRST + (cp & 0x3FFu));
            }
            n += 2;
        } else {
            if (n < cap)
                dst[n] = (uint16_t)cp;
            n += 1;
        }
    }

    /* Validation ran to the end even when dst was full, so a bad name reports NTX_E_NAME
     * whatever cap is, and *out_n tells the caller how many units it needs. */
    *out_n = n;
    return n <= cap ? NTX_OK : NTX_E_NAME_TOO_LONG;
}
