/*
 * test_wof_spec.c - the WOF chunk decoders (src/parse/xpress.c, lzx.c) on
 * the published [MS-XCA] example and on chunks built by hand here, whose
 * expected output is worked out in the comments from the format rules:
 * valid streams, one malformed stream per check id, and every truncation.
 *
 * Each input is copied into a heap buffer of exactly its size (and each
 * output buffer has exactly the chunk's size), so that AddressSanitizer
 * catches any read or write outside them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lzx.h"
#include "wof_build.h"
#include "xpress.h"

static ntx_xpress_scratch g_xs;
static ntx_lzx_scratch g_ls;

/* Decode src[0..n) into a fresh buffer of exactly dst_len bytes; *out gets a
 * malloc'd copy of the result (caller frees) on success. */
static ntx_err run_xpress(const uint8_t *src, size_t n, size_t dst_len, ntx_check *chk,
                          uint8_t **out)
{
    uint8_t *s = malloc(n ? n : 1);
    uint8_t *d = malloc(dst_len ? dst_len : 1);
    memcpy(s, src, n);
    memset(&g_xs, 0xA5, sizeof g_xs); /* no state may carry over */
    ntx_err e = ntx_xpress_decompress(&g_xs, s, n, d, dst_len, chk);
    free(s);
    if (out != NULL && e == NTX_OK)
        *out = d;
    else
        free(d);
    return e;
}

static ntx_err run_lzx(const uint8_t *src, size_t n, size_t dst_len, ntx_check *chk,
                       uint8_t **out)
{
    uint8_t *s = malloc(n ? n : 1);
    uint8_t *d = malloc(dst_len ? dst_len : 1);
    memcpy(s, src, n);
    memset(&g_ls, 0xA5, sizeof g_ls);
    ntx_err e = ntx_lzx_decompress(&g_ls, s, n, d, dst_len, chk);
    free(s);
    if (out != NULL && e == NTX_OK)
        *out = d;
    else
        free(d);
    return e;
}

static void expect_xpress(const uint8_t *src, size_t n, const void *want, size_t len)
{
    uint8_t *out = NULL;
    ntx_check chk = 99;
    assert_int_equal(run_xpress(src, n, len, &chk, &out), NTX_OK);
    assert_int_equal(chk, NTX_CHK_NONE);
    assert_memory_equal(out, want, len);
    free(out);
}

static void expect_xpress_fail(const uint8_t *src, size_t n, size_t len, ntx_check want)
{
    ntx_check chk = NTX_CHK_NONE;
    assert_int_equal(run_xpress(src, n, len, &chk, NULL), NTX_E_CORRUPT);
    assert_int_equal(chk, want);
}

static void expect_lzx(const uint8_t *src, size_t n, const void *want, size_t len)
{
    uint8_t *out = NULL;
    ntx_check chk = 99;
    ntx_err e = run_lzx(src, n, len, &chk, &out);
    if (e != NTX_OK)
        fail_msg("LZX: error %d, check %d", e, chk);
    assert_int_equal(chk, NTX_CHK_NONE);
    assert_memory_equal(out, want, len);
    free(out);
}

static void expect_lzx_fail(const uint8_t *src, size_t n, size_t len, ntx_check want)
{
    ntx_check chk = NTX_CHK_NONE;
    assert_int_equal(run_lzx(src, n, len, &chk, NULL), NTX_E_CORRUPT);
    assert_int_equal(chk, want);
}

/* Every prefix of a valid stream: an error, or exactly the right output. */
static void truncations(bool lzx, const uint8_t *src, size_t n, const void *want, size_t len)
{
    for (size_t k = 0; k < n; k++) {
        uint8_t *out = NULL;
        ntx_check chk;
        ntx_err e = lzx ? run_lzx(src, k, len, &chk, &out) : run_xpress(src, k, len, &chk, &out);
        if (e == NTX_OK) {
            assert_memory_equal(out, want, len);
            free(out);
        } else {
            assert_int_equal(e, NTX_E_CORRUPT);
            assert_true(lzx ? (chk >= NTX_CHK_LZX_BLOCK_TYPE && chk <= NTX_CHK_LZX_LENGTH)
                            : (chk >= NTX_CHK_XPRESS_CODE && chk <= NTX_CHK_XPRESS_LENGTH));
        }
    }
}

static size_t hex(const char *text, uint8_t *out)
{
    size_t n = 0;
    unsigned v;
    int used;
    while (sscanf(text, " %2x%n", &v, &used) == 1) {
        out[n++] = (uint8_t)v;
        text += used;
    }
    return n;
}

/* ---- XPRESS ---- */

/* [MS-XCA] 3.2, first example, as published: "abcdefghijklmnopqrstuvwxyz"
 * as 26 literals and the EOF symbol. Hand check of the table: byte 48 = 0x50
 * gives 'a' (97, odd: high nibble) length 5; bytes 49-58 = 0x55 give 98-117
 * length 5; 0x45 gives 118 length 5 and 119 length 4; 0x44 gives 120 and
 * 121 length 4; 0x04 gives 122 'z' length 4; byte 128 = 0x04 gives the EOF
 * symbol 256 length 4. Kraft: 22/32 + 5/16 = 1, a complete code. */
static const char xca_example1[] =
    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 50 55 55 55 55 55 55 55 55 55 55 45 44 04 00 00 "
    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
    "04 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
    "d8 52 3e d7 94 11 5b e9 19 5f f9 d6 7c df 8d 04 00 00 00 00";

static void test_xpress_xca_example(void **state)
{
    (void)state;
    uint8_t src[512];
    size_t n = hex(xca_example1, src);
    assert_int_equal(n, 256 + 20);
    /* Canonical order sorts by length first: 119-122 and 256 (4 bits) take
     * 0000-0100, then 'a' takes 01010, 'b' 01011... The first word d8 52 is
     * 0x52d8 = 0101 0010 1101 1000: 01010 = 'a', 01011 = 'b'. */
    expect_xpress(src, n, "abcdefghijklmnopqrstuvwxyz", 26);
    /* A shorter dst_len stops early (WOF gives the exact size), down to 1 byte. */
    expect_xpress(src, n, "abcdefghij", 10);
    expect_xpress(src, n, "a", 1);
    truncations(false, src, n, "a", 1);
    truncations(false, src, n, "abcdefghijklmnopqrstuvwxyz", 26);
}

/* A table with the given (symbol, length) pairs, the rest 0. */
static void xpress_table(uint8_t *t, const unsigned (*pairs)[2], size_t npairs)
{
    memset(t, 0, 256);
    for (size_t i = 0; i < npairs; i++) {
        unsigned s = pairs[i][0];
        t[s / 2] |= (uint8_t)(pairs[i][1] << (4 * (s & 1)));
    }
}

/* "abc" then a match of distance 3 and length 297, as [MS-XCA] 3.2's second
 * example describes it, built here by hand. Code: 'a' 'b' 'c' 2 bits (00 01
 * 10), EOF 256 and the match symbol 3 bits (110 111). The match symbol is
 * 256 + (1 << 4 | 15) = 287: one offset bit (3 = 2^1 + 1) and the length
 * escape; 297 - 3 = 294 >= 15 + 255, so the length byte is 255 and the
 * 16-bit length 294 = 0x0126 follows. Bits: 00 01 10 111, offset bit 1,
 * EOF 110 = 0001 1011 1111 0000 = 0x1BF0. The length bytes sit where a
 * reader loading one word when fewer than 16 bits remain is: 9 bits used of
 * the first two words, so after them (bytes 4-6). */
static void build_abc_match(uint8_t *src, size_t *n)
{
    static const unsigned pairs[][2] = {{'a', 2}, {'b', 2}, {'c', 2}, {256, 3}, {287, 3}};
    static const uint8_t stream[] = {0xF0, 0x1B, 0x00, 0x00, 0xFF, 0x26, 0x01, 0x00, 0x00};
    xpress_table(src, pairs, 5);
    memcpy(src + 256, stream, sizeof stream);
    *n = 256 + sizeof stream;
}

static void test_xpress_long_match(void **state)
{
    (void)state;
    uint8_t src[300];
    char want[300];
    size_t n;
    build_abc_match(src, &n);
    for (int i = 0; i < 300; i++)
        want[i] = (char)('a' + i % 3);
    expect_xpress(src, n, want, 300);
    truncations(false, src, n, want, 300);
    /* The match runs past a 200-byte chunk. */
    expect_xpress_fail(src, n, 200, NTX_CHK_XPRESS_LENGTH);
}

/* 'a' (code 0) and match symbol m (code 1), both 1 bit. */
static size_t build_a_match(uint8_t *src, unsigned m, const uint8_t *stream, size_t slen)
{
    const unsigned pairs[][2] = {{'a', 1}, {m, 1}};
    xpress_table(src, pairs, 2);
    memcpy(src + 256, stream, slen);
    return 256 + slen;
}

static void test_xpress_length_byte(void **state)
{
    (void)state;
    uint8_t src[300];
    char want[24];
    /* 'a', then symbol 271 = 256 + 15: offset 2^0 = 1, no offset bits, length
     * byte 5: 15 + 5 + 3 = 23. Bits "01" -> word 0x4000; 2 bits used, so the
     * byte comes after the first two words. 1 + 23 = 24 'a's. */
    static const uint8_t stream[] = {0x00, 0x40, 0x00, 0x00, 0x05, 0x00, 0x00};
    size_t n = build_a_match(src, 271, stream, sizeof stream);
    memset(want, 'a', sizeof want);
    expect_xpress(src, n, want, 24);
    truncations(false, src, n, want, 24);
}

static void test_xpress_malformed(void **state)
{
    (void)state;
    uint8_t src[300];
    size_t n;

    /* Shorter than the table. */
    memset(src, 0, sizeof src);
    expect_xpress_fail(src, 255, 10, NTX_CHK_XPRESS_TRUNCATED);
    /* All lengths 0: no symbol can be decoded. */
    expect_xpress_fail(src, 260, 10, NTX_CHK_XPRESS_CODE);
    /* Over-subscribed: three 1-bit codewords. */
    {
        const unsigned pairs[][2] = {{'a', 1}, {'b', 1}, {'c', 1}};
        xpress_table(src, pairs, 3);
        expect_xpress_fail(src, 260, 10, NTX_CHK_XPRESS_CODE);
    }
    /* Incomplete: one 1-bit codeword. */
    {
        const unsigned pairs[][2] = {{'a', 1}};
        xpress_table(src, pairs, 1);
        expect_xpress_fail(src, 260, 10, NTX_CHK_XPRESS_CODE);
    }
    /* All 512 symbols 9 bits long: 512 / 2^9 = 1, exactly complete; all 15
     * bits long: 512 / 2^15 < 1, incomplete. */
    {
        memset(src, 0x99, 256);
        memset(src + 256, 0, 44);
        uint8_t *out = NULL;
        ntx_check chk;
        /* every codeword 000000000 is symbol 0: ten literal zero bytes */
        assert_int_equal(run_xpress(src, 300, 10, &chk, &out), NTX_OK);
        assert_memory_equal(out, "\0\0\0\0\0\0\0\0\0\0", 10);
        free(out);
        memset(src, 0xFF, 256);
        expect_xpress_fail(src, 300, 10, NTX_CHK_XPRESS_CODE);
    }
    /* A match first: offset 1 before the chunk's start. Bits "1" (the match
     * symbol 256: length 3, offset 1). */
    {
        static const uint8_t stream[] = {0x00, 0x80, 0x00, 0x00};
        n = build_a_match(src, 256, stream, sizeof stream);
        expect_xpress_fail(src, n, 5, NTX_CHK_XPRESS_OFFSET);
    }
    /* 'a' and a 3-byte match in a 3-byte chunk: past the end. Bits "01". */
    {
        static const uint8_t stream[] = {0x00, 0x40, 0x00, 0x00};
        n = build_a_match(src, 256, stream, sizeof stream);
        expect_xpress_fail(src, n, 3, NTX_CHK_XPRESS_LENGTH);
        char want[4] = {'a', 'a', 'a', 'a'};
        expect_xpress(src, n, want, 4);
    }
    /* A 16-bit length of 0 (the 32-bit escape, never needed in a chunk). */
    {
        static const uint8_t stream[] = {0x00, 0x40, 0x00, 0x00, 0xFF, 0x00, 0x00, 0x00, 0x00};
        n = build_a_match(src, 271, stream, sizeof stream);
        expect_xpress_fail(src, n, 100, NTX_CHK_XPRESS_LENGTH);
    }
    /* Length byte missing: the stream ends right after the bit words. */
    {
        static const uint8_t stream[] = {0x00, 0x40, 0x00, 0x00};
        n = build_a_match(src, 271, stream, sizeof stream);
        expect_xpress_fail(src, n, 100, NTX_CHK_XPRESS_TRUNCATED);
    }
    /* The bits run out: 26 literals wanted from an empty bitstream. */
    n = hex(xca_example1, src);
    expect_xpress_fail(src, 256, 26, NTX_CHK_XPRESS_TRUNCATED);
    expect_xpress_fail(src, 258, 26, NTX_CHK_XPRESS_TRUNCATED);
    /* Bad arguments. */
    ntx_check chk = 99;
    uint8_t d[1];
    assert_int_equal(ntx_xpress_decompress(&g_xs, src, n, d, NTX_XPRESS_MAX_CHUNK + 1, &chk),
                     NTX_E_ARG);
    assert_int_equal(chk, NTX_CHK_NONE);
    assert_int_equal(ntx_xpress_decompress(NULL, src, n, d, 1, NULL), NTX_E_ARG);
    assert_int_equal(ntx_xpress_decompress(&g_xs, src, n, d, 0, NULL), NTX_OK);
}

/* ---- LZX ---- */

/* A chunk with one verbatim block: main code 'A' (65) and main symbol 281
 * = 256 + (3 << 3 | 1) (offset slot 3: base 3, no extra bits, offset 3 - 2
 * = 1; length header 1: length 3), each 1 bit (0 and 1); the length code
 * empty. body: the symbols' bits. */
static size_t build_lzx_a(wb *w, uint32_t size, unsigned main2, const char *body)
{
    uint8_t zero[496] = {0};
    uint8_t main[496] = {0};
    uint8_t len[249] = {0};
    main['A'] = 1;
    main[main2] = 1;
    wb_init(w);
    wb_lzx_verbatim(w, size, zero, main, zero, len);
    for (const char *p = body; *p; p++)
        wb_put(w, (uint32_t)(*p - '0'), 1);
    wb_flush(w);
    return w->len;
}

static void test_lzx_verbatim(void **state)
{
    (void)state;
    wb *w = calloc(1, sizeof *w);
    /* 'A' then the match (offset 1, length 3): "AAAA". */
    size_t n = build_lzx_a(w, 4, 281, "01");
    expect_lzx(w->buf, n, "AAAA", 4);
    truncations(true, w->buf, n, "AAAA", 4);
    /* The same bits as two literals, a match and a literal: 6 bytes. */
    n = build_lzx_a(w, 6, 281, "0010");
    expect_lzx(w->buf, n, "AAAAAA", 6);
    /* A 1-byte chunk: one literal. */
    n = build_lzx_a(w, 1, 281, "0");
    expect_lzx(w->buf, n, "A", 1);
    truncations(true, w->buf, n, "A", 1);
    /* Slot 0 is R0, 1 at the start of every chunk: main symbol 256 + (0 << 3
     * | 0) is a 2-byte match at offset 1. */
    n = build_lzx_a(w, 3, 256, "01");
    expect_lzx(w->buf, n, "AAA", 3);
    free(w);
}

/* Two blocks: the second sends its lengths as differences from the first's. */
static void test_lzx_two_blocks(void **state)
{
    (void)state;
    wb *w = calloc(1, sizeof *w);
    uint8_t zero[496] = {0};
    uint8_t m1[496] = {0}, m2[496] = {0};
    uint8_t len[249] = {0};
    /* block 1: 'x' 1 bit (0), 'y' 1 bit (1), 2 bytes "xy" */
    m1['x'] = 1;
    m1['y'] = 1;
    wb_init(w);
    wb_lzx_verbatim(w, 2, zero, m1, zero, len);
    wb_put(w, 0, 1);
    wb_put(w, 1, 1);
    /* block 2: 'y' 1 bit (0); 'z' and the match 256 + (2 << 3 | 1) = 273
     * (R2, still 1; length 3) 2 bits each, in symbol order: 'z' 10, 273 11.
     * Bits 0 11 10: "y", 3 x "y", "z": 7 bytes in all. */
    m2['y'] = 1;
    m2['z'] = 2;
    m2[256 + 17] = 2;
    wb_lzx_verbatim(w, 5, m1, m2, len, len);
    wb_put(w, 0, 1);
    wb_put(w, 3, 2);
    wb_put(w, 2, 2);
    wb_flush(w);
    expect_lzx(w->buf, w->len, "xyyyyyz", 7);
    truncations(true, w->buf, w->len, "xyyyyyz", 7);
    free(w);
}

/* An uncompressed block of 25 bytes (odd: a padding byte follows), then a
 * verbatim block of 4 bytes, in a 29-byte chunk. The header takes 3 + 1 + 16
 * bits; the block's data starts at the next 16-bit boundary, byte 4. The
 * data holds 0xE8 at position 5 with the operand 0x00000100 (256): E8
 * translation turns it back into 256 - 5 = 251 = 0xFB. An 0xE8 at position
 * 19 (19 >= 29 - 10) is left alone. */
static size_t build_lzx_stored(wb *w, uint32_t r0, uint8_t *want)
{
    uint8_t data[25];
    for (int i = 0; i < 25; i++)
        data[i] = (uint8_t)('a' + i);
    memcpy(data + 5, "\xE8\x00\x01\x00\x00", 5);
    data[19] = 0xE8;
    wb_init(w);
    wb_put(w, 3, 3);
    wb_put(w, 0, 1);
    wb_put(w, 25, 16);
    wb_flush(w);
    assert_int_equal(w->len, 4);
    wb_le32(w, r0);
    wb_le32(w, 7);
    wb_le32(w, 9);
    for (int i = 0; i < 25; i++)
        wb_byte(w, data[i]);
    wb_byte(w, 0); /* padding */
    /* Then a verbatim block: 'A', then main symbol 256 + (0 << 3 | 1): R0,
     * length 3. R0 came from the stored block's header. */
    {
        uint8_t zero[496] = {0};
        uint8_t main[496] = {0};
        uint8_t len[249] = {0};
        main['A'] = 1;
        main[257] = 1;
        w->nacc = 0;
        w->acc = 0;
        wb_lzx_verbatim(w, 4, zero, main, zero, len);
        wb_put(w, 0, 1);
        wb_put(w, 1, 1);
        wb_flush(w);
    }
    memcpy(want, data, 25);
    memcpy(want + 5, "\xE8\xFB\x00\x00\x00", 5);
    /* position 25 'A', then 3 bytes copied from r0 back */
    want[25] = 'A';
    for (uint32_t i = 26; i < 29; i++)
        want[i] = r0 >= 1 && r0 <= i ? want[i - r0] : 0; /* else: an error is expected */
    return w->len;
}

static void test_lzx_uncompressed(void **state)
{
    (void)state;
    wb *w = calloc(1, sizeof *w);
    uint8_t want[29];
    size_t n = build_lzx_stored(w, 1, want);
    expect_lzx(w->buf, n, want, 29);
    truncations(true, w->buf, n, want, 29);
    n = build_lzx_stored(w, 4, want);
    expect_lzx(w->buf, n, want, 29);
    /* R0 = 0 in the stored header */
    n = build_lzx_stored(w, 0, want);
    expect_lzx_fail(w->buf, n, 29, NTX_CHK_LZX_OFFSET);
    /* R0 = 27 reaches before the chunk at position 26 */
    n = build_lzx_stored(w, 27, want);
    expect_lzx_fail(w->buf, n, 29, NTX_CHK_LZX_OFFSET);
    /* the stored bytes cut short */
    n = build_lzx_stored(w, 1, want);
    expect_lzx_fail(w->buf, 30, 29, NTX_CHK_LZX_TRUNCATED);
    /* only the stored block wanted: a 25-byte chunk; a missing padding byte
     * at the very end is accepted */
    expect_lzx(w->buf, 4 + 12 + 25, want, 25);
    free(w);
}

/* One CALL in a chunk that is a single uncompressed block: 0xE8 at
 * position p with the operand 256 comes back as 256 - p when p < size - 10
 * (the format's last 10 bytes hold no CALL) and is left alone from there on.
 * Every position of every chunk size from 11 to 64 bytes, so that both the
 * byte-by-byte scan and the 8-byte word scan meet the boundary at each
 * alignment (the word scan once stopped exactly on it and translated the
 * byte at size - 10). */
static void test_lzx_e8_boundary(void **state)
{
    (void)state;
    wb *w = calloc(1, sizeof *w);
    for (uint32_t size = 11; size <= 64; size++) {
        for (uint32_t p = 0; p + 5 <= size; p++) {
            uint8_t data[64];
            uint8_t want[64];
            for (uint32_t i = 0; i < size; i++)
                data[i] = (uint8_t)('a' + i % 26);
            memcpy(data + p, "\xE8\x00\x01\x00\x00", 5);
            memcpy(want, data, size);
            if (p < size - 10) {
                uint32_t t = 256u - p; /* hand-computed: the target less the position */
                want[p + 1] = (uint8_t)t;
                want[p + 2] = (uint8_t)(t >> 8);
            }
            wb_init(w);
            wb_put(w, 3, 3);
            wb_put(w, 0, 1);
            wb_put(w, size, 16);
            wb_flush(w);
            wb_le32(w, 1);
            wb_le32(w, 1);
            wb_le32(w, 1);
            for (uint32_t i = 0; i < size; i++)
                wb_byte(w, data[i]);
            expect_lzx(w->buf, w->len, want, size);
        }
    }
    free(w);
}

static void test_lzx_malformed(void **state)
{
    (void)state;
    wb *w = calloc(1, sizeof *w);
    size_t n;

    /* Block types 0, 4 and 7. */
    for (unsigned t = 0; t < 8; t += (t == 0 ? 4 : 3)) {
        wb_init(w);
        wb_put(w, t, 3);
        wb_put(w, 1, 1);
        wb_flush(w);
        wb_le32(w, 0);
        expect_lzx_fail(w->buf, w->len, 100, NTX_CHK_LZX_BLOCK_TYPE);
    }
    /* Block size 0, and larger than the chunk. */
    wb_init(w);
    wb_put(w, 1, 3);
    wb_put(w, 0, 1);
    wb_put(w, 0, 16);
    wb_flush(w);
    expect_lzx_fail(w->buf, w->len, 100, NTX_CHK_LZX_BLOCK_SIZE);
    n = build_lzx_a(w, 4, 281, "01");
    expect_lzx_fail(w->buf, n, 3, NTX_CHK_LZX_BLOCK_SIZE);
    /* A default-size (32768) block in a smaller chunk. */
    n = build_lzx_a(w, 32768, 281, "01");
    expect_lzx_fail(w->buf, n, 4, NTX_CHK_LZX_BLOCK_SIZE);

    /* A match first: offset 1 before the start. */
    n = build_lzx_a(w, 4, 281, "1");
    expect_lzx_fail(w->buf, n, 4, NTX_CHK_LZX_OFFSET);
    /* 'A' and a 3-byte match in a 2-byte block. */
    n = build_lzx_a(w, 2, 281, "01");
    expect_lzx_fail(w->buf, n, 2, NTX_CHK_LZX_LENGTH);
    /* Length header 7 (256 + (3 << 3 | 7) = 287) with an empty length code. */
    n = build_lzx_a(w, 20, 287, "01");
    expect_lzx_fail(w->buf, n, 20, NTX_CHK_LZX_CODE);
    /* The bits run out: 9 symbols wanted, 2 given (the rest is past the input). */
    n = build_lzx_a(w, 40, 281, "0");
    expect_lzx_fail(w->buf, n, 40, NTX_CHK_LZX_TRUNCATED);

    /* An over-subscribed main code: three 1-bit codewords. */
    {
        uint8_t zero[496] = {0}, main[496] = {0}, len[249] = {0};
        main['A'] = main['B'] = main['C'] = 1;
        wb_init(w);
        wb_lzx_verbatim(w, 4, zero, main, zero, len);
        wb_flush(w);
        expect_lzx_fail(w->buf, w->len, 4, NTX_CHK_LZX_CODE);
    }
    /* An empty pretree: no length can be decoded. */
    wb_init(w);
    wb_put(w, 1, 3);
    wb_put(w, 0, 1);
    wb_put(w, 10, 16);
    for (int i = 0; i < 20; i++)
        wb_put(w, 0, 4);
    wb_put(w, 0, 16);
    wb_flush(w);
    expect_lzx_fail(w->buf, w->len, 10, NTX_CHK_LZX_CODE);
    /* A run of zeros past the 256 literal lengths: five runs of 51 (symbol
     * 18, 5 bits 31) reach 255, a sixth overflows. */
    {
        uint8_t pl[20];
        uint32_t pc[20];
        wb_lzx_pretree(pl);
        wb_canonical(pl, 20, pc);
        wb_init(w);
        wb_put(w, 1, 3);
        wb_put(w, 0, 1);
        wb_put(w, 10, 16);
        for (int i = 0; i < 20; i++)
            wb_put(w, pl[i], 4);
        for (int r = 0; r < 6; r++) {
            wb_put(w, pc[18], pl[18]);
            wb_put(w, 31, 5);
        }
        wb_flush(w);
        expect_lzx_fail(w->buf, w->len, 10, NTX_CHK_LZX_CODE);
    }
    /* An over-subscribed pretree: 20 codewords of 4 bits. */
    wb_init(w);
    wb_put(w, 1, 3);
    wb_put(w, 0, 1);
    wb_put(w, 10, 16);
    for (int i = 0; i < 20; i++)
        wb_put(w, 4, 4);
    wb_flush(w);
    expect_lzx_fail(w->buf, w->len, 10, NTX_CHK_LZX_CODE);
    /* Empty input. */
    expect_lzx_fail(w->buf, 0, 10, NTX_CHK_LZX_TRUNCATED);

    ntx_check chk = 99;
    uint8_t d[1];
    assert_int_equal(ntx_lzx_decompress(&g_ls, w->buf, 4, d, NTX_LZX_MAX_CHUNK + 1, &chk),
                     NTX_E_ARG);
    assert_int_equal(chk, NTX_CHK_NONE);
    assert_int_equal(ntx_lzx_decompress(&g_ls, NULL, 4, d, 1, NULL), NTX_E_ARG);
    assert_int_equal(ntx_lzx_decompress(&g_ls, w->buf, 4, d, 0, NULL), NTX_OK);
    free(w);
}

/* The scratch sizes the core's workspace accounting relies on. */
static void test_scratch_sizes(void **state)
{
    (void)state;
    assert_true(NTX_XPRESS_SCRATCH_SIZE <= 6 * 1024);
    assert_true(NTX_LZX_SCRATCH_SIZE <= 10 * 1024);
    printf("scratch: XPRESS %zu bytes, LZX %zu bytes\n", NTX_XPRESS_SCRATCH_SIZE,
           NTX_LZX_SCRATCH_SIZE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xpress_xca_example),
        cmocka_unit_test(test_xpress_long_match),
        cmocka_unit_test(test_xpress_length_byte),
        cmocka_unit_test(test_xpress_malformed),
        cmocka_unit_test(test_lzx_verbatim),
        cmocka_unit_test(test_lzx_two_blocks),
        cmocka_unit_test(test_lzx_uncompressed),
        cmocka_unit_test(test_lzx_e8_boundary),
        cmocka_unit_test(test_lzx_malformed),
        cmocka_unit_test(test_scratch_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
