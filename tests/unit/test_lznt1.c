/*
 * test_lznt1.c - LZNT1 chunk header and chunk decompression (src/lznt1.c).
 *
 * Oracles, in order of authority:
 *  1. [MS-XCA] section 3.3, "LZNT1" example: 142 bytes of "F# F# G A ..." compressed by
 *     Windows' standard engine into one 59-byte chunk (header 0xB038)
 *     (learn.microsoft.com, openspecs/windows_protocols/ms-xca/
 *     94164d22-2928-4417-876e-d193766c4db6).
 *  2. The lznt1 crate documentation example (docs.rs/lznt1): "Hello world" as one chunk
 *     0C B0 00 "Hello wo" 00 "rld".
 *  3. Hand-encoded chunks, each computation explained next to it.
 *  4. A greedy LZNT1 compressor and a slow reference decompressor written here from
 *     [MS-XCA] 2.5 and ntfs-3g's ntfs_decompress() (the displacement split is computed the
 *     ntfs-3g way, with a loop over pos - 1, not the way src/lznt1.c does it): round trips,
 *     and random hostile payloads on which both decoders must agree byte for byte.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/lznt1.h"

#define CHUNK 4096u
#define UNIT (16u * CHUNK)

/* ---------------------------------------------------------------------------------------
 * Test-side reference code, written independently of src/lznt1.c.
 */

/* Displacement bits for a token read when p bytes of the chunk exist (p >= 1):
 * ntfs-3g's "for (i = pos - 1; i >= 0x10; i >>= 1) lg++", displacement = 4 + lg. */
static unsigned ref_disp_bits(size_t p)
{
    unsigned lg = 0;
    for (size_t i = p - 1; i >= 0x10; i >>= 1)
        lg++;
    return 4 + lg;
}

/* Slow reference decoder: indexes, one byte at a time, every check spelled out. */
static ntx_err ref_decompress(const uint8_t *src, size_t n, uint8_t *dst, size_t cap,
                              size_t *out_len)
{
    size_t i = 0, o = 0;
    if (cap > CHUNK)
        cap = CHUNK;
    while (i < n) {
        unsigned flags = src[i++];
        for (int bit = 0; bit < 8; bit++) {
            if (i >= n)
                break;
            if (((flags >> bit) & 1) == 0) {
                if (o >= cap) {
                    *out_len = o;
                    return NTX_E_CORRUPT;
                }
                dst[o++] = src[i++];
                continue;
            }
            if (i + 1 >= n) {
                *out_len = o;
                return NTX_E_CORRUPT;
            }
            unsigned token = src[i] | (unsigned)src[i + 1] << 8;
            i += 2;
            if (o == 0) {
                *out_len = o;
                return NTX_E_CORRUPT;
            }
            unsigned db = ref_disp_bits(o);
            unsigned lb = 16 - db;
            size_t disp = (token >> lb) + 1;
            size_t len = (token & ((1u << lb) - 1)) + 3;
            if (disp > o || len > cap - o) {
                *out_len = o;
                return NTX_E_CORRUPT;
            }
            for (size_t k = 0; k < len; k++, o++)
                dst[o] = dst[o - disp];
        }
    }
    *out_len = o;
    return NTX_OK;
}

/* Writes flag groups: each emit_* call adds one token, opening a new flag byte every 8. */
typedef struct tok_writer {
    uint8_t *out;
    size_t len;
    size_t flag_at;
    unsigned nbits;
} tok_writer;

static void tw_init(tok_writer *w, uint8_t *out)
{
    w->out = out;
    w->len = 0;
    w->nbits = 8;
}

static void tw_open(tok_writer *w)
{
    if (w->nbits == 8) {
        w->flag_at = w->len++;
        w->out[w->flag_at] = 0;
        w->nbits = 0;
    }
}

static void tw_literal(tok_writer *w, uint8_t b)
{
    tw_open(w);
    w->nbits++;
    w->out[w->len++] = b;
}

/* A back-reference made at output position p (p bytes already in the chunk). */
static void tw_ref(tok_writer *w, size_t p, size_t disp, size_t len)
{
    unsigned lb = 16 - ref_disp_bits(p);
    unsigned token = (unsigned)((disp - 1) << lb | (len - 3));
    assert_true(disp >= 1 && (disp - 1) < (1u << (16 - lb)));
    assert_true(len >= 3 && len - 3 < (1u << lb));
    tw_open(w);
    w->out[w->flag_at] |= (uint8_t)(1u << w->nbits);
    w->nbits++;
    w->out[w->len++] = (uint8_t)token;
    w->out[w->len++] = (uint8_t)(token >> 8);
}

/* Greedy compressor for one chunk of 1..4096 bytes ([MS-XCA] 2.5): at each position take
 * the longest match the current split can express (ties: the nearest), if it is >= 3.
 * Returns the payload length (no header). out needs n + n / 8 + 2 bytes. */
static size_t ref_compress_chunk(const uint8_t *in, size_t n, uint8_t *out)
{
    tok_writer w;
    size_t p = 0;
    tw_init(&w, out);
    while (p < n) {
        size_t best_len = 0, best_disp = 0;
        if (p > 0) {
            unsigned db = ref_disp_bits(p);
            size_t max_len = ((size_t)1 << (16 - db)) - 1 + 3;
            size_t max_disp = (size_t)1 << db;
            size_t limit = n - p < max_len ? n - p : max_len;
            if (max_disp > p)
                max_disp = p;
            for (size_t d = 1; d <= max_disp && best_len < limit; d++) {
                size_t l = 0;
                while (l < limit && in[p + l] == in[p + l - d])
                    l++;
                if (l > best_len) {
                    best_len = l;
                    best_disp = d;
                }
            }
        }
        if (best_len >= 3) {
            tw_ref(&w, p, best_disp, best_len);
            p += best_len;
        } else {
            tw_literal(&w, in[p++]);
        }
    }
    return w.len;
}

/* Compress n bytes (<= 64 KiB) as a compression unit: a compressed chunk when it is
 * smaller, else a raw one (header bit 15 clear); a 0x0000 terminator if room remains. */
static size_t ref_compress_unit(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    static uint8_t payload[CHUNK + CHUNK / 8 + 16];
    size_t o = 0;
    for (size_t at = 0; at < n; at += CHUNK) {
        size_t len = n - at < CHUNK ? n - at : CHUNK;
        size_t pl = ref_compress_chunk(in + at, len, payload);
        unsigned header;
        assert_true(o + 2 + len <= cap);
        if (pl < len) {
            header = 0xB000u | (unsigned)(pl + 2 - 3);   /* signature 3, compressed */
            memcpy(out + o + 2, payload, pl);
        } else {
            pl = len;
            header = 0x3000u | (unsigned)(pl + 2 - 3);   /* signature 3, raw */
            memcpy(out + o + 2, in + at, pl);
        }
        out[o] = (uint8_t)header;
        out[o + 1] = (uint8_t)(header >> 8);
        o += 2 + pl;
    }
    if (o + 2 <= cap) {
        out[o++] = 0;
        out[o++] = 0;
    }
    return o;
}

/* Walk a unit the way the stream code will: header, bounds, one chunk at a time; a short
 * compressed chunk is zero-filled to 4096 unless it is the last (ntfs-3g does the same). */
static ntx_err walk_unit(const uint8_t *cu, size_t cu_len, uint8_t *out, size_t cap,
                         size_t *produced)
{
    size_t i = 0, o = 0;
    while (i + 2 <= cu_len && o < cap) {
        uint32_t chunk_len;
        bool compressed;
        ntx_err rc = ntx_lznt1_header((uint16_t)(cu[i] | cu[i + 1] << 8), &chunk_len,
                                      &compressed);
        if (rc == NTX_END)
            break;
        assert_int_equal(rc, NTX_OK);
        if (chunk_len > cu_len - i)
            return NTX_E_CORRUPT;
        if (o > 0 && o % CHUNK != 0) {
            memset(out + o, 0, CHUNK - o % CHUNK);
            o += CHUNK - o % CHUNK;
        }
        if (compressed) {
            size_t got;
            rc = ntx_lznt1_decompress_chunk(cu + i + 2, chunk_len - 2, out + o, cap - o, &got);
            if (rc != NTX_OK)
                return rc;
            o += got;
        } else {
            if (chunk_len - 2 > cap - o)
                return NTX_E_CORRUPT;
            memcpy(out + o, cu + i + 2, chunk_len - 2);
            o += chunk_len - 2;
        }
        i += chunk_len;
    }
    *produced = o;
    return NTX_OK;
}

static uint64_t rng_state;

static uint32_t rng(void)
{
    /* xorshift64*: deterministic test data, no libc rand() state. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

static void fill_text(uint8_t *p, size_t n)
{
    static const char *const words[] = {"the ", "record ", "index ", "of ", "cluster ",
                                        "volume ", "a ", "runlist ", "name ", "file\n"};
    size_t o = 0;
    while (o < n) {
        const char *w = words[rng() % 10];
        for (size_t k = 0; w[k] && o < n; k++)
            p[o++] = (uint8_t)w[k];
    }
}

/* ---------------------------------------------------------------------------------------
 * Chunk headers.
 */

static void header_case(uint16_t h, uint32_t len, bool comp)
{
    uint32_t got_len = 0;
    bool got_comp = !comp;
    assert_int_equal(ntx_lznt1_header(h, &got_len, &got_comp), NTX_OK);
    assert_int_equal(got_len, len);
    assert_int_equal(got_comp, comp);
}

static void test_header(void **state)
{
    uint32_t len = 77;
    bool comp = true;
    (void)state;
    /* 0x0000 ends the unit; the out-parameters are left alone. */
    assert_int_equal(ntx_lznt1_header(0x0000, &len, &comp), NTX_END);
    assert_int_equal(len, 77);
    /* [MS-XCA] 3.3: 0xB038 = compressed, signature 3, size field 56 -> 59 bytes. */
    header_case(0xB038, 59, true);
    /* Raw 4 KiB chunk as Windows writes it: 0x3FFF = signature 3, 0xFFF + 3 = 4098. */
    header_case(0x3FFF, 4098, false);
    /* Largest compressed chunk: 0xBFFF -> 4098 bytes. */
    header_case(0xBFFF, 4098, true);
    /* Smallest chunk: size field 0 -> 3 bytes (header plus one payload byte). */
    header_case(0xB000, 3, true);
    /* Other signatures are accepted (documented in lznt1.c): 0x0001 -> raw, 1 + 3 = 4;
     * 0xFFFF -> signature 7, compressed, 4098; 0x8000 -> signature 0, 3; 0x7FFF -> 4098 raw. */
    header_case(0x0001, 4, false);
    header_case(0xFFFF, 4098, true);
    header_case(0x8000, 3, true);
    header_case(0x7FFF, 4098, false);
    /* Every non-zero header gives 3..4098 and the flag from bit 15. */
    for (uint32_t h = 1; h <= 0xFFFF; h++) {
        assert_int_equal(ntx_lznt1_header((uint16_t)h, &len, &comp), NTX_OK);
        assert_int_equal(len, (h & 0xFFF) + 3);
        assert_int_equal(comp, (h & 0x8000) != 0);
    }
    assert_int_equal(ntx_lznt1_header(0xB038, NULL, &comp), NTX_E_ARG);
    assert_int_equal(ntx_lznt1_header(0xB038, &len, NULL), NTX_E_ARG);
}

/* ---------------------------------------------------------------------------------------
 * Published vectors.
 */

static void test_ms_xca_example(void **state)
{
    /* [MS-XCA] 3.3, the 59-byte output listed there. */
    static const uint8_t cu[59] = {
        0x38, 0xb0, 0x88, 0x46, 0x23, 0x20, 0x00, 0x20, 0x47, 0x20, 0x41, 0x00, 0x10, 0xa2,
        0x47, 0x01, 0xa0, 0x45, 0x20, 0x44, 0x00, 0x08, 0x45, 0x01, 0x50, 0x79, 0x00, 0xc0,
        0x45, 0x20, 0x05, 0x24, 0x13, 0x88, 0x05, 0xb4, 0x02, 0x4a, 0x44, 0xef, 0x03, 0x58,
        0x02, 0x8c, 0x09, 0x16, 0x01, 0x48, 0x45, 0x00, 0xbe, 0x00, 0x9e, 0x00, 0x04, 0x01,
        0x18, 0x90, 0x00,
    };
    /* "including the terminal NUL, 142 bytes": 141 characters and the NUL. */
    static const char text[] = "F# F# G A A G F# E D D E F# F# E E F# F# G A A G F# E D D E F# E "
                               "D D E E F# D E F# G F# D E F# G F# E D E A F# F# G A A G F# E D "
                               "D E F# E D D";
    uint8_t out[CHUNK + 8];
    size_t got = 0;
    uint32_t chunk_len;
    bool comp;
    (void)state;
    assert_int_equal(sizeof text, 142);
    assert_int_equal(ntx_lznt1_header((uint16_t)(cu[0] | cu[1] << 8), &chunk_len, &comp),
                     NTX_OK);
    assert_int_equal(chunk_len, sizeof cu);
    assert_true(comp);
    assert_int_equal(ntx_lznt1_decompress_chunk(cu + 2, sizeof cu - 2, out, sizeof out, &got),
                     NTX_OK);
    assert_int_equal(got, 142);
    assert_memory_equal(out, text, 142);

    /* The same bytes through the slow reference decoder (checks the reference itself). */
    assert_int_equal(ref_decompress(cu + 2, sizeof cu - 2, out, sizeof out, &got), NTX_OK);
    assert_int_equal(got, 142);
    assert_memory_equal(out, text, 142);
}

static void test_hello_world(void **state)
{
    /* docs.rs/lznt1 crate example: header 0xB00C -> 12 + 3 = 15 bytes; flag 0x00 and 8
     * literals, flag 0x00 and 3 literals (the chunk ends mid-group). */
    static const uint8_t cu[] = {0x0c, 0xb0, 0x00, 'H', 'e', 'l', 'l', 'o', ' ', 'w',
                                 'o', 0x00, 'r', 'l', 'd'};
    uint8_t out[64];
    size_t got = 0;
    uint32_t chunk_len;
    bool comp;
    (void)state;
    assert_int_equal(ntx_lznt1_header(0xB00C, &chunk_len, &comp), NTX_OK);
    assert_int_equal(chunk_len, sizeof cu);
    assert_int_equal(ntx_lznt1_decompress_chunk(cu + 2, sizeof cu - 2, out, sizeof out, &got),
                     NTX_OK);
    assert_int_equal(got, 11);
    assert_memory_equal(out, "Hello world", 11);
}

/* ---------------------------------------------------------------------------------------
 * Hand-encoded chunks.
 */

static void expect_chunk(const uint8_t *payload, size_t n, size_t cap, ntx_err rc,
                         const void *want, size_t want_len)
{
    uint8_t out[2 * CHUNK];
    size_t got = 12345;
    memset(out, 0xA5, sizeof out);
    assert_int_equal(ntx_lznt1_decompress_chunk(payload, n, out, cap, &got), rc);
    assert_int_equal(got, want_len);
    if (want != NULL)
        assert_memory_equal(out, want, want_len);
    /* Nothing beyond what was produced is touched. */
    for (size_t k = want_len; k < sizeof out; k++)
        assert_int_equal(out[k], 0xA5);
}

static void test_hand_encoded(void **state)
{
    (void)state;
    /* Ten 'a': literal 'a' (flag bit 0 = 0), then at p = 1 a reference: p <= 16 gives 4
     * displacement / 12 length bits; displacement 1 -> field 0, length 9 -> field 6:
     * token 0x0006 -> bytes 06 00. Flag byte: bit 1 set = 0x02. The copy overlaps itself. */
    static const uint8_t ten_a[] = {0x02, 'a', 0x06, 0x00};
    expect_chunk(ten_a, sizeof ten_a, CHUNK, NTX_OK, "aaaaaaaaaa", 10);

    /* "abcabcabcab": literals a b c, then at p = 3 displacement 3 (field 2), length 8 (field
     * 5): token 2 << 12 | 5 = 0x2005 -> 05 20; flag = bit 3 = 0x08. */
    static const uint8_t abc[] = {0x08, 'a', 'b', 'c', 0x05, 0x20};
    expect_chunk(abc, sizeof abc, CHUNK, NTX_OK, "abcabcabcab", 11);

    /* Split boundary at p = 16 / 17. 16 literals A..P (two flag bytes 0x00), then flag 0x01
     * and token 0xF000: at p = 16 still 4 displacement bits, so displacement (0xF000 >> 12)
     * + 1 = 16 and length 3 -> "ABC". */
    uint8_t b16[2 + 16 + 1 + 2];
    size_t o = 0;
    char want[64];
    for (int g = 0; g < 2; g++) {
        b16[o++] = 0x00;
        for (int k = 0; k < 8; k++)
            b16[o++] = (uint8_t)('A' + g * 8 + k);
    }
    b16[o++] = 0x01;
    b16[o++] = 0x00;
    b16[o++] = 0xF0;
    memcpy(want, "ABCDEFGHIJKLMNOPABC", 19);
    expect_chunk(b16, o, CHUNK, NTX_OK, want, 19);

    /* 17 literals A..Q then token 0x8000: at p = 17 the split is 5/11 bits, so displacement
     * (0x8000 >> 11) + 1 = 17, length 3 -> "ABC" (the 4/12 split would give 9 -> "IJK").
     * Flag of the third group: literal Q (bit 0 = 0), reference (bit 1) = 0x02. */
    uint8_t b17[2 + 16 + 1 + 1 + 2];
    o = 0;
    for (int g = 0; g < 2; g++) {
        b17[o++] = 0x00;
        for (int k = 0; k < 8; k++)
            b17[o++] = (uint8_t)('A' + g * 8 + k);
    }
    b17[o++] = 0x02;
    b17[o++] = 'Q';
    b17[o++] = 0x00;
    b17[o++] = 0x80;
    memcpy(want, "ABCDEFGHIJKLMNOPQABC", 20);
    expect_chunk(b17, o, CHUNK, NTX_OK, want, 20);

    /* A flag byte with no tokens after it ends the chunk cleanly: a full group of eight
     * literals, then flag 0xFF and the end of the payload. */
    static const uint8_t trailing_flag[] = {0x00, '1', '2', '3', '4', '5', '6', '7', '8', 0xFF};
    expect_chunk(trailing_flag, sizeof trailing_flag, CHUNK, NTX_OK, "12345678", 8);
    /* A chunk that ends inside a group: the group's remaining flag bits are not tokens. */
    static const uint8_t mid_group[] = {0xFE, 'a'};
    expect_chunk(mid_group, sizeof mid_group, CHUNK, NTX_OK, "a", 1);

    /* Exactly 4096: 'z' then displacement 1, length 4095 = field 0xFFC -> token 0x0FFC. */
    static const uint8_t full[] = {0x02, 'z', 0xFC, 0x0F};
    static uint8_t zs[CHUNK];
    memset(zs, 'z', sizeof zs);
    expect_chunk(full, sizeof full, CHUNK, NTX_OK, zs, CHUNK);
    /* A caller buffer over 4096 still receives at most 4096 (expect_chunk checks the rest). */
    expect_chunk(full, sizeof full, 2 * CHUNK, NTX_OK, zs, CHUNK);
}

static void test_split_every_position(void **state)
{
    /* For every p = 1..4093: p literals, then a reference to the chunk's first byte
     * (displacement p, the largest the split allows), length 3; and for every p a run with
     * displacement 1 and the largest length the split allows (clipped to 4096). */
    static uint8_t payload[CHUNK * 2], want[CHUNK], lits[CHUNK];
    (void)state;
    for (size_t k = 0; k < CHUNK; k++)
        lits[k] = (uint8_t)(k * 7 + k / 251);
    for (size_t p = 1; p + 3 <= CHUNK; p++) {
        tok_writer w;
        tw_init(&w, payload);
        for (size_t k = 0; k < p; k++)
            tw_literal(&w, lits[k]);
        tw_ref(&w, p, p, 3);
        memcpy(want, lits, p);
        for (size_t k = 0; k < 3; k++)  /* forward, one byte at a time: p < 3 overlaps */
            want[p + k] = want[k];
        expect_chunk(payload, w.len, CHUNK, NTX_OK, want, p + 3);

        size_t max_len = ((size_t)1 << (16 - ref_disp_bits(p))) + 2;
        size_t len = max_len < CHUNK - p ? max_len : CHUNK - p;
        tw_init(&w, payload);
        for (size_t k = 0; k < p; k++)
            tw_literal(&w, lits[k]);
        tw_ref(&w, p, 1, len);
        memset(want + p, lits[p - 1], len);
        expect_chunk(payload, w.len, CHUNK, NTX_OK, want, p + len);
    }
}

static void test_overlapping_copies(void **state)
{
    /* Every displacement 1..24 with every length 3..300 after 24 distinct literals: the
     * expected bytes come from the definition, a forward copy one byte at a time (so a
     * displacement d < length repeats the last d bytes). Covers the word-copy paths of the
     * decoder at every alignment of the tail. */
    static uint8_t payload[512], want[CHUNK];
    (void)state;
    for (size_t disp = 1; disp <= 24; disp++) {
        for (size_t len = 3; len <= 300; len++) {
            tok_writer w;
            tw_init(&w, payload);
            for (size_t k = 0; k < 24; k++) {
                want[k] = (uint8_t)(0x41 + k);
                tw_literal(&w, want[k]);
            }
            tw_ref(&w, 24, disp, len);
            for (size_t k = 0; k < len; k++)
                want[24 + k] = want[24 + k - disp];
            /* A literal after the copy checks that the copy ended where it should. */
            tw_literal(&w, '!');
            want[24 + len] = '!';
            expect_chunk(payload, w.len, CHUNK, NTX_OK, want, 24 + len + 1);
        }
    }
}

/* ---------------------------------------------------------------------------------------
 * Hostile chunks.
 */

static void test_hostile(void **state)
{
    (void)state;
    /* A reference as the very first token: nothing to refer to (p = 0). */
    static const uint8_t first_ref[] = {0x01, 0x00, 0x00};
    expect_chunk(first_ref, sizeof first_ref, CHUNK, NTX_E_CORRUPT, NULL, 0);

    /* At p = 1, token 0x1000 = displacement 2: one byte before the chunk's output. */
    static const uint8_t before_start[] = {0x02, 'a', 0x00, 0x10};
    expect_chunk(before_start, sizeof before_start, CHUNK, NTX_E_CORRUPT, "a", 1);

    /* Largest displacement at p = 1: token 0xF000 = 16. */
    static const uint8_t far_before[] = {0x02, 'a', 0x00, 0xF0};
    expect_chunk(far_before, sizeof far_before, CHUNK, NTX_E_CORRUPT, "a", 1);

    /* At p = 1 length field 0xFFF = 4098 bytes: 1 + 4098 > 4096. */
    static const uint8_t too_long[] = {0x02, 'a', 0xFF, 0x0F};
    expect_chunk(too_long, sizeof too_long, CHUNK, NTX_E_CORRUPT, "a", 1);

    /* 4096 bytes, then one more literal. */
    static const uint8_t lit_past[] = {0x02, 'z', 0xFC, 0x0F, 'y'};
    static uint8_t zs[CHUNK];
    memset(zs, 'z', sizeof zs);
    expect_chunk(lit_past, sizeof lit_past, CHUNK, NTX_E_CORRUPT, zs, CHUNK);

    /* 4096 bytes, then a reference of 3 more. */
    static const uint8_t ref_past[] = {0x06, 'z', 0xFC, 0x0F, 0x00, 0x00};
    expect_chunk(ref_past, sizeof ref_past, CHUNK, NTX_E_CORRUPT, zs, CHUNK);

    /* A back-reference cut off after its first byte. */
    static const uint8_t cut[] = {0x02, 'a', 0x06};
    expect_chunk(cut, sizeof cut, CHUNK, NTX_E_CORRUPT, "a", 1);
    static const uint8_t cut_first[] = {0x01, 0x06};
    expect_chunk(cut_first, sizeof cut_first, CHUNK, NTX_E_CORRUPT, NULL, 0);

    /* The caller's buffer is smaller than the output: 10 bytes into 9, and into exactly 10. */
    static const uint8_t ten_a[] = {0x02, 'a', 0x06, 0x00};
    expect_chunk(ten_a, sizeof ten_a, 9, NTX_E_CORRUPT, "a", 1);
    expect_chunk(ten_a, sizeof ten_a, 10, NTX_OK, "aaaaaaaaaa", 10);
    expect_chunk(ten_a, sizeof ten_a, 0, NTX_E_CORRUPT, NULL, 0);
    static const uint8_t lits[] = {0x00, '1', '2', '3', '4', '5', '6', '7', '8'};
    expect_chunk(lits, sizeof lits, 7, NTX_E_CORRUPT, "1234567", 7);
    expect_chunk(lits, sizeof lits, 8, NTX_OK, "12345678", 8);

    /* Empty payload (a caller bug: chunk_len >= 3 always leaves one byte): nothing out. */
    expect_chunk(ten_a, 0, CHUNK, NTX_OK, NULL, 0);

    /* R40's recipe (docs/robustness.md): header FF BF, 4096 bytes of 0xFF: every token
     * is a reference; the first one (p = 0) fails. */
    static uint8_t ff[CHUNK];
    memset(ff, 0xFF, sizeof ff);
    expect_chunk(ff, sizeof ff, CHUNK, NTX_E_CORRUPT, NULL, 0);

    size_t got;
    uint8_t out[4];
    assert_int_equal(ntx_lznt1_decompress_chunk(NULL, 0, out, 4, &got), NTX_E_ARG);
    assert_int_equal(ntx_lznt1_decompress_chunk(ten_a, 4, NULL, 0, &got), NTX_E_ARG);
    assert_int_equal(ntx_lznt1_decompress_chunk(ten_a, 4, out, 4, NULL), NTX_E_ARG);
}

static void test_random_vs_reference(void **state)
{
    /* Random payloads, some mostly literals, some mostly references, with random caps:
     * the fast decoder and the slow one must agree on the result, the length and the bytes,
     * and neither may write past min(cap, 4096) (ASan watches the exact-size buffers). */
    static uint8_t src[CHUNK + 2], ref[CHUNK];
    (void)state;
    rng_state = 0x9E3779B97F4A7C15ull;
    for (int iter = 0; iter < 200000; iter++) {
        size_t n = rng() % (iter < 100000 ? 64 : CHUNK + 2) + 1;
        unsigned bias = rng() % 4;
        for (size_t k = 0; k < n; k++) {
            uint32_t r = rng();
            src[k] = (uint8_t)r;
            /* Flag bytes are not known here; biasing all bytes still skews the mix. */
            if (bias == 0)
                src[k] &= 0x11;
            else if (bias == 1)
                src[k] = (uint8_t)(r >> 8 & 0x07);
        }
        size_t cap = (rng() % 3 == 0) ? rng() % (CHUNK + 1) : CHUNK;
        uint8_t *src_exact = malloc(n);
        uint8_t *dst_exact = malloc(cap ? cap : 1);
        memcpy(src_exact, src, n);
        size_t got_a = 0, got_b = 0;
        ntx_err a = ntx_lznt1_decompress_chunk(src_exact, n, dst_exact, cap, &got_a);
        ntx_err b = ref_decompress(src, n, ref, cap, &got_b);
        assert_int_equal(a, b);
        assert_int_equal(got_a, got_b);
        assert_memory_equal(dst_exact, ref, got_a);
        free(src_exact);
        free(dst_exact);
    }
}

/* ---------------------------------------------------------------------------------------
 * Round trips through the test's compressor.
 */

static void round_trip(const uint8_t *in, size_t n)
{
    static uint8_t cu[UNIT + 64], out[UNIT];
    size_t cu_len = ref_compress_unit(in, n, cu, sizeof cu);
    size_t got = 0;
    assert_int_equal(walk_unit(cu, cu_len, out, sizeof out, &got), NTX_OK);
    assert_int_equal(got, n);
    assert_memory_equal(out, in, n);
}

static void test_round_trip(void **state)
{
    static uint8_t buf[UNIT];
    (void)state;
    rng_state = 42;

    memset(buf, 0, sizeof buf);
    round_trip(buf, UNIT);          /* zeros: one long overlapping run per chunk */

    fill_text(buf, UNIT);
    round_trip(buf, UNIT);          /* text: many short matches, every split */

    for (size_t k = 0; k < UNIT; k++)
        buf[k] = (uint8_t)rng();
    round_trip(buf, UNIT);          /* random: raw chunks */
    round_trip(buf, 100);           /* random, short: a raw tail chunk of 100 */

    fill_text(buf, CHUNK);
    round_trip(buf, CHUNK);         /* exactly one chunk */
    fill_text(buf, CHUNK + 1);
    round_trip(buf, CHUNK + 1);     /* a second chunk of one byte */

    for (size_t k = 0; k < UNIT; k++)
        buf[k] = "abcdefg"[k % 7];
    round_trip(buf, UNIT);          /* periodic: displacement 7 < length */

    for (size_t k = 0; k < UNIT; k++)   /* half random, half repeats of earlier bytes */
        buf[k] = (k >= 64 && rng() % 2) ? buf[k - 1 - rng() % 64] : (uint8_t)rng();
    round_trip(buf, UNIT);

    static const uint8_t shorts[] = "xyzxyzxyz";
    for (size_t n = 1; n < sizeof shorts; n++)
        round_trip(shorts, n);      /* 1..9 bytes: below, at and above the 3-byte match */
}

/* ---------------------------------------------------------------------------------------
 * The decoder's fast path. Far from the payload's end and from dst_cap it copies literal
 * runs and short matches as whole 8-byte words, which may write past a token's end but
 * never past min(dst_cap, 4096); later tokens of a valid chunk overwrite those bytes, so
 * after NTX_OK nothing from *out_len on has been written (lznt1.h). Every case below runs
 * the payload three ways and compares: into an exact-size heap buffer (ASan sees a byte
 * past dst_cap), into a buffer with a 64-byte canary past dst_cap, and through the slow
 * reference decoder.
 */

enum { CANARY = 64 };

/* Decode payload[0..n) with capacity cap both ways and check the contract against
 * ref_decompress(); returns the result code. */
static ntx_err check_guarded(const uint8_t *payload, size_t n, size_t cap)
{
    static uint8_t want[CHUNK];
    uint8_t *src = malloc(n ? n : 1);
    uint8_t *exact = malloc(cap ? cap : 1);
    uint8_t *guarded = malloc(cap + CANARY);
    size_t got_ref = 0, got_exact = 11111, got_guarded = 22222;
    size_t limit = cap < CHUNK ? cap : CHUNK;
    memcpy(src, payload, n);
    memset(guarded, 0xA5, cap + CANARY);
    ntx_err r = ref_decompress(src, n, want, cap, &got_ref);
    ntx_err a = ntx_lznt1_decompress_chunk(src, n, exact, cap, &got_exact);
    ntx_err b = ntx_lznt1_decompress_chunk(src, n, guarded, cap, &got_guarded);
    assert_int_equal(a, r);
    assert_int_equal(b, r);
    assert_int_equal(got_exact, got_ref);
    assert_int_equal(got_guarded, got_ref);
    assert_memory_equal(exact, want, got_ref);
    assert_memory_equal(guarded, want, got_ref);
    /* Never past the limit; after success not even past the output. */
    for (size_t k = r == NTX_OK ? got_ref : limit; k < cap + CANARY; k++)
        assert_int_equal(guarded[k], 0xA5);
    free(src);
    free(exact);
    free(guarded);
    return r;
}

/* Random valid tokens producing exactly `total` bytes (1..4096): literal runs of 0 to 20,
 * references with displacements and lengths drawn so that short (3-16, disp >= 8),
 * overlapping (disp < 8) and long ones all occur. The output position where each token
 * ends goes to ends[] (*nends of them). Returns the payload length. */
static size_t gen_tokens(uint8_t *payload, size_t total, size_t *ends, size_t *nends)
{
    tok_writer w;
    size_t p = 0;
    tw_init(&w, payload);
    *nends = 0;
    while (p < total) {
        size_t lits = rng() % 4 == 0 ? rng() % 21 : rng() % 4;
        for (size_t k = 0; k < lits && p < total; k++) {
            tw_literal(&w, (uint8_t)(rng() % 3 == 0 ? 'a' + rng() % 4 : rng()));
            ends[(*nends)++] = ++p;
        }
        if (p == 0 || total - p < 3)
            continue;
        size_t max_disp = (size_t)1 << ref_disp_bits(p);
        size_t max_len = ((size_t)1 << (16 - ref_disp_bits(p))) + 2;
        if (max_disp > p)
            max_disp = p;
        if (max_len > total - p)
            max_len = total - p;
        unsigned kind = rng() % 8;
        size_t disp = kind == 0 ? 1 + rng() % (max_disp < 7 ? max_disp : 7)
                                : 1 + rng() % max_disp;
        size_t len = kind == 1 ? 3 + rng() % (max_len - 2) : 3 + rng() % (max_len < 16 ? max_len - 2 : 14);
        tw_ref(&w, p, disp, len);
        p += len;
        ends[(*nends)++] = p;
    }
    return w.len;
}

static void test_fast_path_edges(void **state)
{
    static uint8_t payload[2 * CHUNK + 64];
    static size_t ends[CHUNK + 1];
    (void)state;
    rng_state = 0xC0FFEE12345ull;

    /* Literals only, every payload length 1..160 and every flag byte 0x00: the 40 bytes
     * before the payload's end, where the word copies stop, fall at every offset of a
     * group; then the same with a cap 1..8 bytes short of the output. */
    for (size_t n = 1; n <= 160; n++) {
        tok_writer w;
        tw_init(&w, payload);
        while (w.len < n)
            tw_literal(&w, (uint8_t)rng());
        size_t out = w.len - (w.len + 8) / 9;
        assert_int_equal(check_guarded(payload, w.len, CHUNK), NTX_OK);
        for (size_t short_by = 1; short_by <= 8 && short_by <= out; short_by++)
            assert_int_equal(check_guarded(payload, w.len, out - short_by), NTX_E_CORRUPT);
    }

    /* Random token streams of every output size up to 300 and some up to 4096, with the
     * cap at the output size (the last token ends exactly at dst_cap), just above it, and
     * at the end of a random earlier token (a token ends exactly at dst_cap, mid-stream,
     * possibly in the fast path, and the next one overflows), or one byte short of it. */
    for (int iter = 0; iter < 3000; iter++) {
        size_t total = iter < 1200 ? 1 + (size_t)iter % 300 : 1 + rng() % CHUNK;
        size_t nends;
        size_t n = gen_tokens(payload, total, ends, &nends);
        assert_int_equal(check_guarded(payload, n, total), NTX_OK);
        check_guarded(payload, n, total + 1 + rng() % 24);
        for (int k = 0; k < 4; k++) {
            size_t at = ends[rng() % nends];
            check_guarded(payload, n, at);
            if (at > 0)
                check_guarded(payload, n, at - 1);
        }
        /* The last tokens cut at every length of the final 48 payload bytes: a chunk
         * whose payload ends (validly or in a cut token) near the fast path's margin. */
        for (size_t cut = n > 48 ? n - 48 : 1; cut < n; cut += 1 + rng() % 3)
            check_guarded(payload, cut, CHUNK);
    }

    /* A long match, copied by words that round up, ending exactly at dst_cap = 4096 and
     * at caps just below 4096: 100 literals, then displacement 50 (the split at p = 100
     * has 7 displacement bits), lengths up to 512 (9 length bits) repeated to the end. */
    for (size_t cap = CHUNK - 40; cap <= CHUNK; cap++) {
        tok_writer w;
        size_t p = 0;
        tw_init(&w, payload);
        for (; p < 100; p++)
            tw_literal(&w, (uint8_t)(p * 37));
        while (p < CHUNK) {
            size_t max_len = ((size_t)1 << (16 - ref_disp_bits(p))) + 2;
            size_t len = CHUNK - p < max_len ? CHUNK - p : max_len;
            if (len < 3)
                break;
            tw_ref(&w, p, 50, len);
            p += len;
        }
        assert_int_equal(p, CHUNK);
        assert_int_equal(check_guarded(payload, w.len, cap), cap == CHUNK ? NTX_OK : NTX_E_CORRUPT);
    }
}

/* Flip, cut or overwrite a few bytes of a valid payload: near-valid hostile chunks, the
 * ones that get furthest into the fast path before they fail. */
static size_t mutate(uint8_t *payload, size_t n)
{
    unsigned how = rng() % 4;
    size_t k = rng() % n;
    if (how == 0)
        payload[k] ^= (uint8_t)(1u << rng() % 8);
    else if (how == 1)
        payload[k] = (uint8_t)rng();
    else if (how == 2)
        n = k + 1;
    else
        for (size_t j = k; j < n && j < k + 4; j++)
            payload[j] = 0xFF;
    return n;
}

static void test_long_differential(void **state)
{
    /* Compressor-made payloads of random sizes and kinds of data, as they are and mutated,
     * with random caps; and plain random payloads up to the largest chunk. The decoder and
     * the reference must agree on every one (check_guarded). */
    static uint8_t buf[CHUNK], payload[CHUNK + CHUNK / 8 + 16];
    unsigned ok = 0, corrupt = 0;
    (void)state;
    rng_state = 0x5EED0F1A2B3Cull;
    for (int iter = 0; iter < 1500; iter++) {
        size_t n = 1 + rng() % CHUNK;
        unsigned kind = rng() % 5;
        if (kind == 0) {
            fill_text(buf, n);
        } else if (kind == 1) {
            for (size_t k = 0; k < n; k++)
                buf[k] = (uint8_t)rng();
        } else if (kind == 2) {     /* zero runs between random bytes, as in code */
            for (size_t k = 0; k < n; k++)
                buf[k] = (k / 64) % 3 == 0 ? (uint8_t)rng() : 0;
        } else if (kind == 3) {     /* repeats at every distance, some overlapping */
            for (size_t k = 0; k < n; k++)
                buf[k] = (k >= 16 && rng() % 4) ? buf[k - 1 - rng() % (k < 300 ? k : 300)]
                                                : (uint8_t)rng();
        } else {                    /* a short period */
            size_t period = 1 + rng() % 12;
            for (size_t k = 0; k < n; k++)
                buf[k] = (uint8_t)(k % period * 29);
        }
        size_t pl = ref_compress_chunk(buf, n, payload);
        assert_int_equal(check_guarded(payload, pl, CHUNK), NTX_OK);
        assert_int_equal(check_guarded(payload, pl, n), NTX_OK);
        check_guarded(payload, pl, rng() % (n + 1));
        for (int m = 0; m < 4; m++) {
            size_t mn = mutate(payload, pl);
            if (check_guarded(payload, mn, rng() % 2 ? CHUNK : rng() % (CHUNK + 1)) == NTX_OK)
                ok++;
            else
                corrupt++;
            pl = mn;
        }
    }
    /* The mutations reach both outcomes. */
    assert_true(ok > 100 && corrupt > 100);

    for (int iter = 0; iter < 20000; iter++) {
        size_t n = 1 + rng() % (CHUNK + 2);
        for (size_t k = 0; k < n; k++)
            payload[k] = (uint8_t)(iter % 2 ? rng() & 0x11 : rng());
        check_guarded(payload, n, rng() % 3 ? CHUNK : rng() % (CHUNK + 1));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header),
        cmocka_unit_test(test_ms_xca_example),
        cmocka_unit_test(test_hello_world),
        cmocka_unit_test(test_hand_encoded),
        cmocka_unit_test(test_split_every_position),
        cmocka_unit_test(test_overlapping_copies),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_random_vs_reference),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_fast_path_edges),
        cmocka_unit_test(test_long_differential),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
