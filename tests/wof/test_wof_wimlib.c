/*
 * test_wof_wimlib.c - the WOF chunk decoders against wimlib, the reference
 * implementation of XPRESS Huffman and LZX as WIM and WOF use them.
 *
 *  - round trips: chunks compressed by wimlib_compress() (XPRESS with 4, 8
 *    and 16 KiB chunks, LZX with 32 KiB, three compression levels each) of
 *    text, x86-64 code from /usr/bin, zeros, random bytes, and short and
 *    odd-sized last chunks down to 1 byte; ntx's output must equal the
 *    original and wimlib_decompress()'s;
 *  - every truncation of a set of those streams gives an error or the right
 *    output, never a crash (run under AddressSanitizer too);
 *  - random LZX streams written here with every block type in any order
 *    (uncompressed blocks after compressed ones, which wimlib's compressor
 *    never writes, aligned blocks, repeat offsets, long lengths) decode to
 *    the same bytes as wimlib_decompress().
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <wimlib.h>

#include "lzx.h"
#include "wof_build.h"
#include "xpress.h"

static ntx_xpress_scratch g_xs;
static ntx_lzx_scratch g_ls;

/* ---- deterministic inputs ---- */

static uint64_t g_rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return (uint32_t)(g_rng >> 16);
}

/* English-like text: words drawn with a skewed distribution, punctuation. */
static void make_text(uint8_t *p, size_t n)
{
    static const char *words[] = {"the", "of", "and", "to", "in", "a", "is", "that", "for",
                                  "it", "as", "was", "with", "be", "by", "on", "not", "he",
                                  "this", "are", "or", "his", "from", "at", "which", "but",
                                  "have", "an", "had", "they", "you", "were", "their", "one",
                                  "all", "we", "can", "her", "has", "there", "been", "if",
                                  "more", "when", "will", "would", "who", "so", "no", "file",
                                  "volume", "record", "attribute", "stream", "cluster",
                                  "compression", "windows", "overlay", "filter", "chunk"};
    size_t nw = sizeof words / sizeof words[0], i = 0;
    while (i < n) {
        uint32_t r = rnd();
        const char *w = words[(r % nw) * (r % nw) / nw];
        for (const char *c = w; *c && i < n; c++)
            p[i++] = (uint8_t)*c;
        if (i < n)
            p[i++] = (r >> 20) % 13 == 0 ? '.' : (r >> 20) % 17 == 0 ? '\n' : ' ';
    }
}

/* Up to n bytes of the programs in /usr/bin (sorted by name for repeatability). */
static size_t make_code(uint8_t *p, size_t n)
{
    struct dirent **names;
    int k = scandir("/usr/bin", &names, NULL, alphasort);
    size_t got = 0;
    for (int i = 0; i < k; i++) {
        char path[512];
        snprintf(path, sizeof path, "/usr/bin/%s", names[i]->d_name);
        struct stat st;
        if (got < n && stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 4096) {
            FILE *f = fopen(path, "rb");
            if (f != NULL) {
                uint8_t head[4];
                if (fread(head, 1, 4, f) == 4 && memcmp(head, "\x7f" "ELF", 4) == 0) {
                    memcpy(p + got, head, 4);
                    got += 4;
                    got += fread(p + got, 1, n - got, f);
                }
                fclose(f);
            }
        }
        free(names[i]);
    }
    free(names);
    return got;
}

/* ---- round trips ---- */

typedef struct codec {
    const char *name;
    enum wimlib_compression_type type;
    size_t chunk;
} codec;

static const codec g_codecs[] = {
    {"XPRESS4K", WIMLIB_COMPRESSION_TYPE_XPRESS, 4096},
    {"XPRESS8K", WIMLIB_COMPRESSION_TYPE_XPRESS, 8192},
    {"XPRESS16K", WIMLIB_COMPRESSION_TYPE_XPRESS, 16384},
    {"LZX", WIMLIB_COMPRESSION_TYPE_LZX, 32768},
};

static ntx_err ntx_decode(const codec *c, const uint8_t *src, size_t n, uint8_t *dst,
                          size_t len, ntx_check *chk)
{
    if (c->type == WIMLIB_COMPRESSION_TYPE_LZX)
        return ntx_lzx_decompress(&g_ls, src, n, dst, len, chk);
    return ntx_xpress_decompress(&g_xs, src, n, dst, len, chk);
}

/* Compress data[0..n) chunk by chunk and check every chunk both ways.
 * Returns the number of chunks checked. */
static size_t round_trip(const codec *c, unsigned level, const uint8_t *data, size_t n)
{
    struct wimlib_compressor *comp;
    struct wimlib_decompressor *dec;
    size_t checked = 0;
    assert_int_equal(wimlib_create_compressor(c->type, c->chunk, level, &comp), 0);
    assert_int_equal(wimlib_create_decompressor(c->type, c->chunk, &dec), 0);
    uint8_t *cbuf = malloc(2 * c->chunk + 4096);
    for (size_t off = 0; off < n; off += c->chunk) {
        size_t len = n - off < c->chunk ? n - off : c->chunk;
        size_t clen = wimlib_compress(data + off, len, cbuf, 2 * c->chunk + 4096, comp);
        if (clen == 0)
            continue; /* wimlib could not compress it: WOF stores such chunks raw */
        uint8_t *src = malloc(clen);
        uint8_t *out = malloc(len);
        uint8_t *ref = malloc(len);
        memcpy(src, cbuf, clen);
        ntx_check chk = 99;
        ntx_err e = ntx_decode(c, src, clen, out, len, &chk);
        if (e != NTX_OK || memcmp(out, data + off, len) != 0)
            fail_msg("%s level %u: chunk at %zu (%zu bytes, %zu compressed): err %d check %d",
                     c->name, level, off, len, clen, e, chk);
        assert_int_equal(wimlib_decompress(src, clen, ref, len, dec), 0);
        assert_memory_equal(out, ref, len);
        free(src);
        free(out);
        free(ref);
        checked++;
    }
    free(cbuf);
    wimlib_free_compressor(comp);
    wimlib_free_decompressor(dec);
    return checked;
}

static const unsigned g_levels[] = {1, 50, 100};

static void round_trips_of(const uint8_t *data, size_t n, const char *what)
{
    for (size_t k = 0; k < sizeof g_codecs / sizeof g_codecs[0]; k++) {
        size_t total = 0;
        for (size_t l = 0; l < sizeof g_levels / sizeof g_levels[0]; l++)
            total += round_trip(&g_codecs[k], g_levels[l], data, n);
        printf("  %-9s %-6s %zu bytes: %zu chunks decoded\n", g_codecs[k].name, what, n, total);
    }
}

static void test_round_trip_text(void **state)
{
    (void)state;
    size_t n = 600 * 1024 + 1234; /* an odd-sized last chunk for every chunk size */
    uint8_t *p = malloc(n);
    make_text(p, n);
    round_trips_of(p, n, "text");
    free(p);
}

static void test_round_trip_code(void **state)
{
    (void)state;
    size_t cap = 1536 * 1024;
    uint8_t *p = malloc(cap);
    size_t n = make_code(p, cap);
    assert_true(n >= 512 * 1024); /* /usr/bin holds ELF programs on any Debian system */
    n -= 77; /* odd-sized last chunk */
    round_trips_of(p, n, "code");
    free(p);
}

static void test_round_trip_zeros_random(void **state)
{
    (void)state;
    size_t n = 200 * 1024 + 3;
    uint8_t *p = calloc(1, n);
    round_trips_of(p, n, "zeros");
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)rnd();
    round_trips_of(p, n, "random");
    /* half random, half runs: long matches of every length and offset */
    for (size_t i = 0; i < n; i++)
        p[i] = (i / 3000) % 2 ? (uint8_t)(i % 7) : (uint8_t)rnd();
    round_trips_of(p, n, "mixed");
    free(p);
}

/* Short chunks: the sizes a file's last chunk may have. */
static void test_round_trip_short(void **state)
{
    (void)state;
    static const size_t sizes[] = {1, 2, 3, 4, 7, 8, 9, 10, 11, 12, 15, 16, 17, 31, 100, 255,
                                   256, 257, 1000, 4095, 4097, 8191, 12345, 16383, 32767};
    uint8_t *text = malloc(32768);
    uint8_t *code = malloc(1000 + 32768);
    make_text(text, 32768);
    size_t nc = make_code(code, 1000 + 32768);
    assert_true(nc == 1000 + 32768);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        for (size_t k = 0; k < sizeof g_codecs / sizeof g_codecs[0]; k++) {
            if (sizes[s] > g_codecs[k].chunk)
                continue;
            for (size_t l = 0; l < sizeof g_levels / sizeof g_levels[0]; l++) {
                round_trip(&g_codecs[k], g_levels[l], text, sizes[s]);
                round_trip(&g_codecs[k], g_levels[l], code + 1000, sizes[s]);
            }
        }
    }
    free(text);
    free(code);
}

/* ---- truncations ---- */

static void truncate_all(const codec *c, const uint8_t *data, size_t len)
{
    struct wimlib_compressor *comp;
    assert_int_equal(wimlib_create_compressor(c->type, c->chunk, 50, &comp), 0);
    uint8_t cbuf[40000];
    size_t clen = wimlib_compress(data, len, cbuf, sizeof cbuf, comp);
    wimlib_free_compressor(comp);
    assert_true(clen > 0);
    size_t ok = 0;
    for (size_t k = 0; k <= clen; k++) {
        uint8_t *src = malloc(k ? k : 1);
        uint8_t *out = malloc(len);
        memcpy(src, cbuf, k);
        ntx_check chk = NTX_CHK_NONE;
        ntx_err e = ntx_decode(c, src, k, out, len, &chk);
        if (e == NTX_OK) {
            assert_memory_equal(out, data, len);
            ok++;
        } else {
            assert_int_equal(e, NTX_E_CORRUPT);
            assert_int_not_equal(chk, NTX_CHK_NONE);
        }
        free(src);
        free(out);
    }
    /* the whole stream decodes; a stream cut by more than a few bytes cannot */
    assert_true(ok >= 1 && ok <= 8);
}

static void test_truncations(void **state)
{
    (void)state;
    uint8_t *text = malloc(32768);
    uint8_t *code = malloc(32768);
    make_text(text, 32768);
    assert_int_equal(make_code(code, 32768), 32768);
    for (size_t k = 0; k < sizeof g_codecs / sizeof g_codecs[0]; k++) {
        truncate_all(&g_codecs[k], text, 3000);
        truncate_all(&g_codecs[k], code + 4096, 3001);
    }
    free(text);
    free(code);
}

/* ---- random LZX streams ---- */

/* Lengths of a random complete code over the symbols picked[0..m): a
 * random binary tree grown leaf by leaf, no deeper than max_len. */
static void random_code(uint8_t *lens, unsigned nsyms, const unsigned *picked, unsigned m,
                        unsigned max_len)
{
    uint8_t depth[64];
    unsigned leaves = 1;
    depth[0] = 0;
    while (leaves < m) {
        unsigned i = rnd() % leaves;
        if (depth[i] >= max_len)
            continue;
        depth[i]++;
        depth[leaves++] = depth[i];
    }
    memset(lens, 0, nsyms);
    for (unsigned i = 0; i < m; i++)
        lens[picked[i]] = depth[i] ? depth[i] : 1;
}

/* m distinct random symbols of [lo, hi), plus must (if not ~0u). */
static unsigned pick(unsigned *out, unsigned m, unsigned lo, unsigned hi, unsigned must)
{
    unsigned n = 0;
    if (must != ~0u)
        out[n++] = must;
    while (n < m) {
        unsigned s = lo + rnd() % (hi - lo), dup = 0;
        for (unsigned i = 0; i < n; i++)
            dup |= out[i] == s;
        if (!dup)
            out[n++] = s;
    }
    return n;
}

static const uint32_t g_slot_base[30] = {0,    1,    2,    3,    4,     6,     8,     12,
                                         16,   24,   32,   48,   64,   96,    128,   192,
                                         256,  384,  512,  768,  1024, 1536,  2048,  3072,
                                         4096, 6144, 8192, 12288, 16384, 24576};
static const uint8_t g_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6,
                                    6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

/* One random chunk of size bytes; returns the stream length. */
static size_t random_lzx(wb *w, size_t size)
{
    uint8_t prev_main[496] = {0}, prev_len[249] = {0};
    uint32_t r[3] = {1, 1, 1};
    size_t pos = 0;
    wb_init(w);
    while (pos < size) {
        size_t left = size - pos;
        uint32_t bs = (uint32_t)(rnd() % 3 == 0 ? left : 1 + rnd() % (left < 3000 ? left : 3000));
        unsigned type = 1 + rnd() % 3;
        wb_put(w, type, 3);
        if (bs == 32768) {
            wb_put(w, 1, 1);
        } else {
            wb_put(w, 0, 1);
            wb_put(w, bs, 16);
        }
        if (type == 3) {
            /* to the next 16-bit boundary, a full word if already on one */
            if (w->nacc == 0)
                wb_put(w, 0, 16);
            wb_flush(w);
            for (int k = 0; k < 3; k++) {
                r[k] = 1 + rnd() % (uint32_t)(pos + 1 + (rnd() % 4 == 0 ? 100 : 0));
                wb_le32(w, r[k]);
            }
            for (uint32_t k = 0; k < bs; k++)
                wb_byte(w, rnd() % 5 == 0 ? 0xE8 : (uint8_t)rnd());
            if (bs & 1)
                wb_byte(w, 0);
            pos += bs;
            continue;
        }
        uint8_t main[496], len[249], aligned[8];
        uint32_t mc[496], lc[249], ac[8];
        unsigned syms[64], m;
        /* main code: literals (0xE8 often) and match headers */
        m = pick(syms, 2 + rnd() % 40, 0, 496, rnd() % 2 ? 0xE8 : 'a' + rnd() % 26);
        random_code(main, 496, syms, m, 16);
        m = pick(syms, 2 + rnd() % 30, 0, 249, ~0u);
        if (rnd() % 4 == 0)
            memset(len, 0, sizeof len); /* an empty length code, valid while unused */
        else
            random_code(len, 249, syms, m, 16);
        if (type == 2) {
            unsigned all[8] = {0, 1, 2, 3, 4, 5, 6, 7};
            random_code(aligned, 8, all, 8, 7);
            for (int k = 0; k < 8; k++)
                wb_put(w, aligned[k], 3);
            wb_canonical(aligned, 8, ac);
        }
        wb_lzx_lens(w, prev_main, main, 256);
        wb_lzx_lens(w, prev_main + 256, main + 256, 240);
        wb_lzx_lens(w, prev_len, len, 249);
        memcpy(prev_main, main, sizeof main);
        memcpy(prev_len, len, sizeof len);
        wb_canonical(main, 496, mc);
        wb_canonical(len, 249, lc);
        size_t end = pos + bs;
        unsigned tries = 0;
        while (pos < end) {
            unsigned s = rnd() % 496;
            if (main[s] == 0)
                continue;
            if (s < 256) {
                wb_put(w, mc[s], main[s]);
                pos++;
                continue;
            }
            if (++tries > 100000)
                break; /* no usable match: literals only from here */
            unsigned h = (s - 256) & 7, slot = (s - 256) >> 3;
            size_t mlen;
            unsigned lsym = 0;
            if (h == 7) {
                lsym = rnd() % 249;
                if (len[lsym] == 0)
                    continue;
                mlen = 9 + lsym;
            } else {
                mlen = h + 2;
            }
            if (mlen > end - pos)
                continue;
            uint32_t off, extra_val = 0;
            if (slot < 3) {
                off = r[slot];
            } else {
                uint32_t span = 1u << g_extra[slot];
                extra_val = rnd() % span;
                off = g_slot_base[slot] + extra_val - 2;
            }
            if (off > pos)
                continue;
            wb_put(w, mc[s], main[s]);
            if (h == 7)
                wb_put(w, lc[lsym], len[lsym]);
            if (slot >= 3) {
                unsigned eb = g_extra[slot];
                if (type == 2 && eb >= 3) {
                    wb_put(w, extra_val >> 3, eb - 3);
                    wb_put(w, ac[extra_val & 7], aligned[extra_val & 7]);
                } else {
                    wb_put(w, extra_val, eb);
                }
                r[2] = r[1];
                r[1] = r[0];
                r[0] = off;
            } else {
                r[slot] = r[0];
                r[0] = off;
            }
            pos += mlen;
        }
        if (pos < end) {
            /* fill with a literal the code has */
            unsigned lit = 0;
            while (main[lit] == 0)
                lit++;
            for (; pos < end; pos++)
                wb_put(w, mc[lit], main[lit]);
        }
    }
    wb_flush(w);
    /* two zero words: room for the decoders' look-ahead, as compressors leave */
    wb_le32(w, 0);
    return w->len;
}

static void test_random_lzx_streams(void **state)
{
    (void)state;
    struct wimlib_decompressor *dec;
    assert_int_equal(wimlib_create_decompressor(WIMLIB_COMPRESSION_TYPE_LZX, 32768, &dec), 0);
    wb *w = calloc(1, sizeof *w);
    uint8_t *ref = malloc(32768), *out = malloc(32768);
    unsigned n_ok = 0;
    for (int it = 0; it < 400; it++) {
        size_t size = it % 4 == 0 ? 32768 : 1 + rnd() % 32768;
        size_t n = random_lzx(w, size);
        uint8_t *src = malloc(n);
        memcpy(src, w->buf, n);
        int wr = wimlib_decompress(src, n, ref, size, dec);
        if (wr != 0)
            fail_msg("wimlib refused generated stream %d (size %zu)", it, size);
        ntx_check chk = 99;
        ntx_err e = ntx_lzx_decompress(&g_ls, src, n, out, size, &chk);
        if (e != NTX_OK)
            fail_msg("stream %d (size %zu): err %d check %d", it, size, e, chk);
        assert_memory_equal(out, ref, size);
        n_ok++;
        free(src);
    }
    printf("  %u random LZX chunks decoded as wimlib decodes them\n", n_ok);
    free(w);
    free(ref);
    free(out);
    wimlib_free_decompressor(dec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_text),
        cmocka_unit_test(test_round_trip_code),
        cmocka_unit_test(test_round_trip_zeros_random),
        cmocka_unit_test(test_round_trip_short),
        cmocka_unit_test(test_truncations),
        cmocka_unit_test(test_random_lzx_streams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
