/*
 * wof_build.h - a writer of XPRESS/LZX bitstreams for hand-built test chunks.
 *
 * Both formats store bits in 16-bit little-endian words, most significant
 * bit first. The writer is written from the format description (lzx.c,
 * xpress.c headers) independently of the decoders; every stream it builds
 * is also checked against wimlib's decompressor (test_wof_wimlib.c).
 */
#ifndef WOF_BUILD_H
#define WOF_BUILD_H

#include <stdint.h>
#include <string.h>

typedef struct wb {
    uint8_t buf[70000];
    size_t len;     /* bytes written */
    uint32_t acc;   /* pending bits */
    unsigned nacc;  /* how many */
    size_t bits;    /* bits written since the start (or the last restart) */
} wb;

static inline void wb_init(wb *w)
{
    memset(w, 0, sizeof *w);
}

static inline void wb_put(wb *w, uint32_t v, unsigned n)
{
    for (unsigned i = n; i-- > 0;) {
        w->acc = w->acc << 1 | ((v >> i) & 1u);
        w->bits++;
        if (++w->nacc == 16) {
            w->buf[w->len++] = (uint8_t)w->acc;
            w->buf[w->len++] = (uint8_t)(w->acc >> 8);
            w->acc = 0;
            w->nacc = 0;
        }
    }
}

/* Complete the current word with zero bits. */
static inline void wb_flush(wb *w)
{
    while (w->nacc != 0)
        wb_put(w, 0, 1);
}

static inline void wb_byte(wb *w, uint8_t b)
{
    w->buf[w->len++] = b;
}

static inline void wb_le32(wb *w, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        wb_byte(w, (uint8_t)(v >> (8 * i)));
}

/* Canonical codewords for lengths lens[0..n) (0 = unused). */
static inline void wb_canonical(const uint8_t *lens, unsigned n, uint32_t *codes)
{
    unsigned count[17] = {0};
    uint32_t next[18] = {0};
    for (unsigned s = 0; s < n; s++)
        count[lens[s]]++;
    count[0] = 0;
    for (unsigned l = 1; l <= 16; l++)
        next[l + 1] = (next[l] + count[l]) << 1;
    for (unsigned s = 0; s < n; s++)
        if (lens[s] != 0)
            codes[s] = next[lens[s]]++;
}

/* LZX: the fixed pretree these tests use, 12 symbols of 4 bits and 8 of 5. */
static inline void wb_lzx_pretree(uint8_t *lens)
{
    for (unsigned s = 0; s < 20; s++)
        lens[s] = s < 12 ? 4 : 5;
}

/* LZX: send n codeword lengths (previous values prev[]) through the fixed
 * pretree, one delta symbol per length. */
static inline void wb_lzx_lens(wb *w, const uint8_t *prev, const uint8_t *lens, unsigned n)
{
    uint8_t pl[20];
    uint32_t pc[20];
    wb_lzx_pretree(pl);
    wb_canonical(pl, 20, pc);
    for (unsigned s = 0; s < 20; s++)
        wb_put(w, pl[s], 4);
    for (unsigned i = 0; i < n; i++) {
        unsigned sym = (unsigned)(prev[i] + 17 - lens[i]) % 17u;
        wb_put(w, pc[sym], pl[sym]);
    }
}

/* LZX: a verbatim block header with the given main (496) and length (249)
 * code lengths; prev_* are the previous block's (zeros in a chunk's first). */
static inline void wb_lzx_verbatim(wb *w, uint32_t size, const uint8_t *prev_main,
                                   const uint8_t *main, const uint8_t *prev_len,
                                   const uint8_t *len)
{
    wb_put(w, 1, 3);
    if (size == 32768) {
        wb_put(w, 1, 1);
    } else {
        wb_put(w, 0, 1);
        wb_put(w, size, 16);
    }
    wb_lzx_lens(w, prev_main, main, 256);
    wb_lzx_lens(w, prev_main + 256, main + 256, 240);
    wb_lzx_lens(w, prev_len, len, 249);
}

#endif
