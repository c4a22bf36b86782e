/*
 * test_utf16.c - UTF-16 names to UTF-8 and back (src/utf16.c, include/ntx/utf16.h).
 *
 * Oracles:
 *  1. Hand-computed byte sequences from the UTF-8 bit patterns of Unicode 15 section 3.9,
 *     Table 3-6 (0xxxxxxx / 110yyyyy 10xxxxxx / 1110zzzz 10yyyyyy 10xxxxxx /
 *     11110uuu 10uuzzzz 10yyyyyy 10xxxxxx), and the UTF-16 surrogate formula of section 3.9
 *     (D91): cp = 0x10000 + (hi - 0xD800) * 0x400 + (lo - 0xDC00). Each vector shows its
 *     computation.
 *  2. The ill-formed sequences of Table 3-7 (well-formed byte sequences) and the WTF-8
 *     rules (Simon Sapin, "The WTF-8 encoding", section 4: a lone surrogate is its
 *     generalized UTF-8 form; an encoded lead surrogate followed by an encoded trail
 *     surrogate is not WTF-8).
 *  3. glibc iconv ("UTF-16LE" <-> "UTF-8"), an independent strict converter, over every
 *     Unicode scalar value and over all short strings of a set of boundary bytes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <iconv.h>
#include <stdbool.h>
#include <string.h>

#include "ntx/utf16.h"

#define GUARD 0x5A

/* to_utf8 into a buffer of exactly cap bytes followed by guard bytes. */
static ntx_err to8(const uint16_t *u, size_t n, size_t cap, unsigned mode, char *out,
                   size_t *len)
{
    char buf[4096];
    assert_true(cap + 16 <= sizeof buf);
    memset(buf, GUARD, sizeof buf);
    *len = 99999;
    ntx_err rc = ntx_utf16_to_utf8(u, n, buf, cap, len, mode);
    for (size_t k = cap; k < cap + 16; k++)
        assert_int_equal((unsigned char)buf[k], GUARD);     /* nothing past dst[cap - 1] */
    if (cap > 0)
        memcpy(out, buf, cap);
    return rc;
}

static void expect8(const uint16_t *u, size_t n, unsigned mode, const char *want, size_t want_len)
{
    char out[4096];
    size_t len;
    /* Exactly enough room (the output and its NUL), then one byte short. */
    assert_int_equal(to8(u, n, want_len + 1, mode, out, &len), NTX_OK);
    assert_int_equal(len, want_len);
    assert_memory_equal(out, want, want_len);
    assert_int_equal(out[want_len], '\0');
    assert_int_equal(to8(u, n, want_len, mode, out, &len), NTX_E_BUFFER);
    assert_int_equal(len, want_len);            /* the size needed, without the NUL */
    if (want_len > 0)
        assert_int_equal(out[0], '\0');         /* dst holds "" */
}

static void expect16(const char *s, size_t len, unsigned mode, const uint16_t *want, size_t n)
{
    uint16_t buf[1024];
    size_t got = 99999;
    assert_true(n + 8 <= sizeof buf / sizeof buf[0]);
    memset(buf, GUARD, sizeof buf);
    assert_int_equal(ntx_utf8_to_utf16(s, len, buf, n, &got, mode), NTX_OK);
    assert_int_equal(got, n);
    assert_memory_equal(buf, want, n * 2);
    for (size_t k = n; k < n + 8; k++)
        assert_int_equal(buf[k], GUARD * 0x101);
    if (n > 0) {
        memset(buf, GUARD, sizeof buf);
        assert_int_equal(ntx_utf8_to_utf16(s, len, buf, n - 1, &got, mode), NTX_E_NAME_TOO_LONG);
        assert_int_equal(got, n);
        for (size_t k = n - 1; k < n + 8; k++)
            assert_int_equal(buf[k], GUARD * 0x101);
    }
}

static void expect16_bad(const char *s, size_t len, unsigned mode)
{
    uint16_t buf[64];
    size_t got;
    assert_int_equal(ntx_utf8_to_utf16(s, len, buf, 64, &got, mode), NTX_E_NAME);
    /* An invalid name is NTX_E_NAME whatever the capacity. */
    assert_int_equal(ntx_utf8_to_utf16(s, len, buf, 0, &got, mode), NTX_E_NAME);
}

/* Both directions for a valid scalar sequence, in both modes. */
static void both_ways(const uint16_t *u, size_t n, const char *s, size_t len)
{
    expect8(u, n, NTX_UTF16_STRICT, s, len);
    expect8(u, n, NTX_UTF16_WTF8, s, len);
    expect16(s, len, NTX_UTF16_STRICT, u, n);
    expect16(s, len, NTX_UTF16_WTF8, u, n);
}

static void test_forms(void **state)
{
    (void)state;
    /* ASCII: one byte each. */
    both_ways((const uint16_t[]){'a', 'b', 'c'}, 3, "abc", 3);
    /* Empty name: "" needs 1 byte (the NUL); 0 bytes is NTX_E_BUFFER. */
    both_ways(NULL, 0, "", 0);
    /* U+007F: last 1-byte form. U+0080 = 000 1000 0000 -> 110 00010, 10 000000 = C2 80. */
    both_ways((const uint16_t[]){0x7F}, 1, "\x7F", 1);
    both_ways((const uint16_t[]){0x80}, 1, "\xC2\x80", 2);
    /* U+00E9 = 000 1110 1001 -> 110 00011, 10 101001 = C3 A9. */
    both_ways((const uint16_t[]){0xE9}, 1, "\xC3\xA9", 2);
    /* U+07FF = 111 1111 1111 -> 110 11111, 10 111111 = DF BF. */
    both_ways((const uint16_t[]){0x7FF}, 1, "\xDF\xBF", 2);
    /* U+0800 = 0000 1000 0000 0000 -> 1110 0000, 10 100000, 10 000000 = E0 A0 80. */
    both_ways((const uint16_t[]){0x800}, 1, "\xE0\xA0\x80", 3);
    /* U+20AC = 0010 0000 1010 1100 -> 1110 0010, 10 000010, 10 101100 = E2 82 AC. */
    both_ways((const uint16_t[]){0x20AC}, 1, "\xE2\x82\xAC", 3);
    /* U+D7FF (below the surrogates) = 1101 011111 111111 -> ED 9F BF;
     * U+E000 (above) = 1110 000000 000000 -> EE 80 80. */
    both_ways((const uint16_t[]){0xD7FF}, 1, "\xED\x9F\xBF", 3);
    both_ways((const uint16_t[]){0xE000}, 1, "\xEE\x80\x80", 3);
    /* U+FFFF (a noncharacter, still a scalar value NTFS may hold) -> EF BF BF. */
    both_ways((const uint16_t[]){0xFFFF}, 1, "\xEF\xBF\xBF", 3);
    /* U+1F600: D83D DE00 -> 0x10000 + 0x3D * 0x400 + 0x200 = 0x1F600
     * = 000 011111 011000 000000 -> 11110 000, 10 011111, 10 011000, 10 000000 = F0 9F 98 80. */
    both_ways((const uint16_t[]){0xD83D, 0xDE00}, 2, "\xF0\x9F\x98\x80", 4);
    /* U+10000: D800 DC00 -> 000 010000 000000 000000 = F0 90 80 80. */
    both_ways((const uint16_t[]){0xD800, 0xDC00}, 2, "\xF0\x90\x80\x80", 4);
    /* U+10FFFF: DBFF DFFF -> 0x10000 + 0x3FF * 0x400 + 0x3FF = 0x10FFFF
     * = 100 001111 111111 111111 = F4 8F BF BF. */
    both_ways((const uint16_t[]){0xDBFF, 0xDFFF}, 2, "\xF4\x8F\xBF\xBF", 4);
    /* A mix: 1 + 2 + 3 + 4 = 10 bytes. */
    both_ways((const uint16_t[]){'a', 0xE9, 0x20AC, 0xD83D, 0xDE00}, 5,
              "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 10);
}

static void test_capacity(void **state)
{
    /* "a" U+00E9 U+20AC U+1F600 needs 10 bytes + NUL. Every cap below 11 is NTX_E_BUFFER
     * with dst = "" and no byte past dst[cap - 1] written (to8 checks the guard). */
    static const uint16_t u[] = {'a', 0xE9, 0x20AC, 0xD83D, 0xDE00};
    char out[64];
    size_t len;
    (void)state;
    for (size_t cap = 0; cap <= 10; cap++) {
        assert_int_equal(to8(u, 5, cap, NTX_UTF16_WTF8, out, &len), NTX_E_BUFFER);
        assert_int_equal(len, 10);
        if (cap > 0)
            assert_int_equal(out[0], '\0');
    }
    assert_int_equal(to8(u, 5, 11, NTX_UTF16_WTF8, out, &len), NTX_OK);
    assert_int_equal(to8(u, 5, 12, NTX_UTF16_WTF8, out, &len), NTX_OK);
    /* A size query: dst NULL with cap 0. */
    assert_int_equal(ntx_utf16_to_utf8(u, 5, NULL, 0, &len, NTX_UTF16_STRICT), NTX_E_BUFFER);
    assert_int_equal(len, 10);
    /* An invalid name wins over a small buffer. */
    static const uint16_t bad[] = {'a', 'b', 0xD800};
    assert_int_equal(to8(bad, 3, 1, NTX_UTF16_STRICT, out, &len), NTX_E_NAME);
    assert_int_equal(out[0], '\0');

    /* UTF-8 -> UTF-16: a pair is stored whole or not at all. U+1F600 with cap 1. */
    uint16_t d[4] = {0x5A5A, 0x5A5A, 0x5A5A, 0x5A5A};
    size_t n;
    assert_int_equal(ntx_utf8_to_utf16("\xF0\x9F\x98\x80", 4, d, 1, &n, NTX_UTF16_STRICT),
                     NTX_E_NAME_TOO_LONG);
    assert_int_equal(n, 2);
    assert_int_equal(d[0], 0x5A5A);
    assert_int_equal(d[1], 0x5A5A);
    /* Too long and invalid: NTX_E_NAME. */
    assert_int_equal(ntx_utf8_to_utf16("abc\xFF", 4, d, 2, &n, NTX_UTF16_STRICT), NTX_E_NAME);
}

static void test_255_units(void **state)
{
    /* NTFS names hold at most 255 units; the worst case for UTF-8 is 3 bytes per unit:
     * 255 x U+FFFF (EF BF BF) or, in WTF-8 mode, 255 lone surrogates (D800 -> ED A0 80).
     * 765 bytes + NUL = 766 (R34, docs/robustness.md: converters sized for less overflowed). */
    uint16_t ffff[255], d800[255], aaaa[256], back[300];
    char want_ffff[765], want_d800[765], out[1024], as[256];
    size_t len, n;
    (void)state;
    for (int k = 0; k < 255; k++) {
        ffff[k] = 0xFFFF;
        d800[k] = 0xD800;
        memcpy(want_ffff + 3 * k, "\xEF\xBF\xBF", 3);
        memcpy(want_d800 + 3 * k, "\xED\xA0\x80", 3);
    }
    expect8(ffff, 255, NTX_UTF16_STRICT, want_ffff, 765);
    expect8(d800, 255, NTX_UTF16_WTF8, want_d800, 765);
    assert_int_equal(to8(d800, 255, 766, NTX_UTF16_STRICT, out, &len), NTX_E_NAME);
    /* 255 lone high surrogates in a row are 255 lone surrogates, not pairs. */
    expect16(want_d800, 765, NTX_UTF16_WTF8, d800, 255);
    expect16(want_ffff, 765, NTX_UTF16_STRICT, ffff, 255);

    for (int k = 0; k < 256; k++) {
        aaaa[k] = 'a';
        as[k] = 'a';
    }
    expect8(aaaa, 255, NTX_UTF16_STRICT, as, 255);
    assert_int_equal(ntx_utf8_to_utf16(as, 255, back, 255, &n, NTX_UTF16_STRICT), NTX_OK);
    assert_int_equal(n, 255);
    back[255] = 0x5A5A;
    assert_int_equal(ntx_utf8_to_utf16(as, 256, back, 255, &n, NTX_UTF16_STRICT),
                     NTX_E_NAME_TOO_LONG);
    assert_int_equal(n, 256);
    assert_int_equal(back[255], 0x5A5A);
}

static void test_surrogates_to_utf8(void **state)
{
    char out[64];
    size_t len;
    (void)state;
    /* Strict: every unpaired surrogate is NTX_E_NAME, wherever it stands. */
    static const uint16_t lone_hi[] = {0xD800};
    static const uint16_t lone_lo[] = {0xDC00};
    static const uint16_t hi_then_a[] = {0xD800, 'a'};
    static const uint16_t a_then_hi[] = {'a', 0xDBFF};
    static const uint16_t reversed[] = {0xDC00, 0xD800};
    static const uint16_t lo_lo[] = {0xDC00, 0xDC00};
    const uint16_t *bad[] = {lone_hi, lone_lo, hi_then_a, a_then_hi, reversed, lo_lo};
    const size_t bad_n[] = {1, 1, 2, 2, 2, 2};
    for (size_t k = 0; k < 6; k++)
        assert_int_equal(to8(bad[k], bad_n[k], 64, NTX_UTF16_STRICT, out, &len), NTX_E_NAME);

    /* WTF-8: D800 = 1101 100000 000000 -> ED A0 80; DC00 = 1101 110000 000000 -> ED B0 80;
     * DBFF = 1101 101111 111111 -> ED AF BF. */
    expect8(lone_hi, 1, NTX_UTF16_WTF8, "\xED\xA0\x80", 3);
    expect8(lone_lo, 1, NTX_UTF16_WTF8, "\xED\xB0\x80", 3);
    expect8(hi_then_a, 2, NTX_UTF16_WTF8, "\xED\xA0\x80" "a", 4);
    expect8(a_then_hi, 2, NTX_UTF16_WTF8, "a\xED\xAF\xBF", 4);
    /* Reversed pair: two lone surrogates, low then high. */
    expect8(reversed, 2, NTX_UTF16_WTF8, "\xED\xB0\x80\xED\xA0\x80", 6);
    /* Lone high (D83D = 1101 100000 111101 -> ED A0 BD) then a real pair (U+1F600). */
    static const uint16_t hi_pair[] = {0xD83D, 0xD83D, 0xDE00};
    expect8(hi_pair, 3, NTX_UTF16_WTF8, "\xED\xA0\xBD\xF0\x9F\x98\x80", 7);
    expect16("\xED\xA0\xBD\xF0\x9F\x98\x80", 7, NTX_UTF16_WTF8, hi_pair, 3);
}

static void test_zero_unit(void **state)
{
    /* U+0000 in a name would cut a C string short: NTX_E_NAME in both modes. */
    static const uint16_t z[] = {0};
    static const uint16_t azb[] = {'a', 0, 'b'};
    char out[16];
    size_t len;
    (void)state;
    assert_int_equal(to8(z, 1, 16, NTX_UTF16_STRICT, out, &len), NTX_E_NAME);
    assert_int_equal(to8(z, 1, 16, NTX_UTF16_WTF8, out, &len), NTX_E_NAME);
    assert_int_equal(to8(azb, 3, 16, NTX_UTF16_WTF8, out, &len), NTX_E_NAME);
    assert_int_equal(out[0], '\0');
}

static void test_invalid_utf8(void **state)
{
    static const struct {
        const char *s;
        size_t len;
    } bad[] = {
        {"\xC0\x80", 2},            /* overlong U+0000 */
        {"\xC1\xBF", 2},            /* overlong U+007F */
        {"\xE0\x80\x80", 3},        /* overlong, 3 bytes */
        {"\xE0\x9F\xBF", 3},        /* overlong U+07FF */
        {"\xF0\x80\x80\x80", 4},    /* overlong, 4 bytes */
        {"\xF0\x8F\xBF\xBF", 4},    /* overlong U+FFFF */
        {"\xF4\x90\x80\x80", 4},    /* U+110000 */
        {"\xF5\x80\x80\x80", 4},    /* F5..FF never lead */
        {"\xF7\xBF\xBF\xBF", 4},
        {"\xF8\x88\x80\x80\x80", 5},
        {"\xFE", 1},
        {"\xFF", 1},
        {"\x80", 1},                /* continuation bytes as leaders */
        {"\xBF", 1},
        {"a\x80", 2},
        {"\xC2", 1},                /* truncated */
        {"\xE2\x82", 2},
        {"\xF0\x9F\x98", 3},
        {"\xF0\x9F\x98" "a", 4},    /* a leader's continuation replaced by ASCII */
        {"\xC2\x41", 2},
        {"\xE2\x28\xA1", 3},
        {"\xC2\xC2\x80", 3},
        {"\0", 1},                  /* NUL bytes */
        {"a\0b", 3},
        {"ab\0", 3},
    };
    (void)state;
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        expect16_bad(bad[k].s, bad[k].len, NTX_UTF16_STRICT);
        expect16_bad(bad[k].s, bad[k].len, NTX_UTF16_WTF8);
    }
}

static void test_surrogates_from_utf8(void **state)
{
    (void)state;
    /* Encoded surrogates: invalid UTF-8, valid WTF-8 when lone. */
    expect16_bad("\xED\xA0\x80", 3, NTX_UTF16_STRICT);
    expect16_bad("\xED\xBF\xBF", 3, NTX_UTF16_STRICT);
    expect16("\xED\xA0\x80", 3, NTX_UTF16_WTF8, (const uint16_t[]){0xD800}, 1);
    expect16("\xED\xBF\xBF", 3, NTX_UTF16_WTF8, (const uint16_t[]){0xDFFF}, 1);
    /* High then low as two 3-byte sequences: must have been F0 90 80 80 -> not WTF-8. */
    expect16_bad("\xED\xA0\x80\xED\xB0\x80", 6, NTX_UTF16_WTF8);
    expect16_bad("\xED\xAF\xBF\xED\xBF\xBF", 6, NTX_UTF16_WTF8);
    expect16_bad("a\xED\xA0\xBD\xED\xB8\x80" "b", 8, NTX_UTF16_WTF8);
    /* Low then high, or a character in between: lone surrogates, accepted. */
    expect16("\xED\xB0\x80\xED\xA0\x80", 6, NTX_UTF16_WTF8,
             (const uint16_t[]){0xDC00, 0xD800}, 2);
    expect16("\xED\xA0\x80" "a\xED\xB0\x80", 7, NTX_UTF16_WTF8,
             (const uint16_t[]){0xD800, 'a', 0xDC00}, 3);
    /* Two highs in a row, then a low: the second high pairs with the low -> not WTF-8. */
    expect16_bad("\xED\xA0\x80\xED\xA0\x80\xED\xB0\x80", 9, NTX_UTF16_WTF8);
    /* A real pair, then a lone low: the pair's second unit is not a WTF-8 high. */
    expect16("\xF0\x90\x80\x80\xED\xB0\x80", 7, NTX_UTF16_WTF8,
             (const uint16_t[]){0xD800, 0xDC00, 0xDC00}, 3);
}

static void test_all_lone_surrogates(void **state)
{
    /* Every lone surrogate: WTF-8 is 1110 1101, 10 1yyyyy, 10 xxxxxx (u = 1101 1yyyyy xxxxxx),
     * and it converts back to the same unit; strict mode refuses both directions. */
    char out[8], want[3];
    size_t len, n;
    uint16_t back[2];
    (void)state;
    for (uint32_t u = 0xD800; u <= 0xDFFF; u++) {
        uint16_t unit = (uint16_t)u;
        want[0] = (char)0xED;
        want[1] = (char)(0x80 | (u >> 6 & 0x3F));
        want[2] = (char)(0x80 | (u & 0x3F));
        assert_int_equal(to8(&unit, 1, 4, NTX_UTF16_WTF8, out, &len), NTX_OK);
        assert_int_equal(len, 3);
        assert_memory_equal(out, want, 3);
        assert_int_equal(to8(&unit, 1, 4, NTX_UTF16_STRICT, out, &len), NTX_E_NAME);
        assert_int_equal(ntx_utf8_to_utf16(want, 3, back, 2, &n, NTX_UTF16_WTF8), NTX_OK);
        assert_int_equal(n, 1);
        assert_int_equal(back[0], unit);
        assert_int_equal(ntx_utf8_to_utf16(want, 3, back, 2, &n, NTX_UTF16_STRICT), NTX_E_NAME);
    }
}

/* iconv one buffer; returns false if iconv refuses it. */
static bool iconv_all(const char *to, const char *from, const void *in, size_t in_len, void *out,
                      size_t out_cap, size_t *out_len)
{
    iconv_t cd = iconv_open(to, from);
    char *ip = (char *)in, *op = out;
    size_t il = in_len, ol = out_cap;
    assert_true(cd != (iconv_t)-1);
    size_t r = iconv(cd, &ip, &il, &op, &ol);
    iconv_close(cd);
    *out_len = out_cap - ol;
    return r != (size_t)-1 && il == 0;
}

static void test_iconv_all_scalars(void **state)
{
    /* Every scalar value U+0001..U+10FFFF (surrogates excluded), 256 at a time: our UTF-8
     * must equal glibc's in both modes, and converting it back must give the same units. */
    static uint16_t u[512], back[600];
    static unsigned char le[1024];
    static char ours[2048], theirs[2048];
    (void)state;
    for (uint32_t base = 0; base <= 0x10FFFF; base += 256) {
        size_t n = 0;
        for (uint32_t cp = base; cp < base + 256; cp++) {
            if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
                continue;
            if (cp < 0x10000) {
                u[n++] = (uint16_t)cp;
            } else {
                u[n++] = (uint16_t)(0xD800 + ((cp - 0x10000) >> 10));
                u[n++] = (uint16_t)(0xDC00 + ((cp - 0x10000) & 0x3FF));
            }
        }
        if (n == 0)
            continue;
        for (size_t k = 0; k < n; k++) {
            le[2 * k] = (unsigned char)u[k];
            le[2 * k + 1] = (unsigned char)(u[k] >> 8);
        }
        size_t their_len, our_len, back_n;
        assert_true(iconv_all("UTF-8", "UTF-16LE", le, 2 * n, theirs, sizeof theirs, &their_len));
        for (unsigned mode = 0; mode <= 1; mode++) {
            assert_int_equal(ntx_utf16_to_utf8(u, n, ours, sizeof ours, &our_len, mode), NTX_OK);
            assert_int_equal(our_len, their_len);
            assert_memory_equal(ours, theirs, our_len);
            assert_int_equal(ntx_utf8_to_utf16(ours, our_len, back, 600, &back_n, mode), NTX_OK);
            assert_int_equal(back_n, n);
            assert_memory_equal(back, u, 2 * n);
        }
    }
}

static void test_iconv_short_strings(void **state)
{
    /* All strings of 1..4 bytes over boundary byte values: strict UTF-8 -> UTF-16 must
     * accept exactly what glibc accepts (except NUL bytes, which we refuse on purpose),
     * with the same units. */
    static const unsigned char vals[] = {0x00, 0x01, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F,
                                         0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xED,
                                         0xEE, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF};
    const size_t nv = sizeof vals;
    unsigned char s[4], le[16];
    uint16_t units[8];
    (void)state;
    for (size_t len = 1; len <= 4; len++) {
        size_t total = 1;
        for (size_t k = 0; k < len; k++)
            total *= nv;
        for (size_t idx = 0; idx < total; idx++) {
            size_t x = idx;
            bool has_nul = false;
            for (size_t k = 0; k < len; k++) {
                s[k] = vals[x % nv];
                x /= nv;
                has_nul |= s[k] == 0;
            }
            size_t le_len, n;
            bool ok = iconv_all("UTF-16LE", "UTF-8", s, len, le, sizeof le, &le_len) && !has_nul;
            ntx_err rc = ntx_utf8_to_utf16((const char *)s, len, units, 8, &n, NTX_UTF16_STRICT);
            assert_int_equal(rc, ok ? NTX_OK : NTX_E_NAME);
            if (ok) {
                assert_int_equal(n * 2, le_len);
                for (size_t k = 0; k < n; k++)
                    assert_int_equal(units[k], le[2 * k] | le[2 * k + 1] << 8);
            }
        }
    }
}

static void test_bad_arguments(void **state)
{
    uint16_t u[2] = {'a', 'b'};
    char out[8];
    size_t len;
    (void)state;
    assert_int_equal(ntx_utf16_to_utf8(u, 2, out, 8, NULL, NTX_UTF16_STRICT), NTX_E_ARG);
    assert_int_equal(ntx_utf16_to_utf8(NULL, 2, out, 8, &len, NTX_UTF16_STRICT), NTX_E_ARG);
    assert_int_equal(ntx_utf16_to_utf8(u, 2, NULL, 8, &len, NTX_UTF16_STRICT), NTX_E_ARG);
    assert_int_equal(ntx_utf16_to_utf8(u, 2, out, 8, &len, 2), NTX_E_ARG);
    assert_int_equal(ntx_utf8_to_utf16("ab", 2, u, 2, NULL, NTX_UTF16_STRICT), NTX_E_ARG);
    assert_int_equal(ntx_utf8_to_utf16(NULL, 2, u, 2, &len, NTX_UTF16_STRICT), NTX_E_ARG);
    assert_int_equal(ntx_utf8_to_utf16("ab", 2, NULL, 2, &len, NTX_UTF16_STRICT), NTX_E_ARG);
    assert_int_equal(ntx_utf8_to_utf16("ab", 2, u, 2, &len, 7), NTX_E_ARG);
    /* Zero-length input with NULL pointers is fine. */
    assert_int_equal(ntx_utf8_to_utf16(NULL, 0, NULL, 0, &len, NTX_UTF16_STRICT), NTX_OK);
    assert_int_equal(len, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_capacity),
        cmocka_unit_test(test_255_units),
        cmocka_unit_test(test_surrogates_to_utf8),
        cmocka_unit_test(test_zero_unit),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_surrogates_from_utf8),
        cmocka_unit_test(test_all_lone_surrogates),
        cmocka_unit_test(test_iconv_all_scalars),
        cmocka_unit_test(test_iconv_short_strings),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
