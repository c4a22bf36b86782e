/*
 * bench_lznt1.c - decompression speed of ntx's LZNT1 chunk decoder
 * (src/parse/lznt1.c) side by side with libfwnt's (what libfsntfs uses;
 * wimlib has no LZNT1), on the corpora of bench_corpus.h.
 *
 *   ntx_bench_lznt1 [--mib N] [--repeat N] [--depth N] [--only CORPUS] [--ntx-only]
 *
 * Each corpus of N MiB (default 4) is cut into 4 KiB chunks, the NTFS
 * compression chunk, and each chunk is compressed by the LZNT1 compressor
 * below. Neither libfwnt (its libfwnt_lznt1_compress() is an unimplemented
 * stub in Debian 12's 20181227) nor any other Debian package exports one, so
 * it is written here: greedy, like Windows' standard engine, taking at each
 * position the longest match the current displacement/length split can
 * express, found through hash chains of 3-byte prefixes searched --depth
 * entries deep (default 64). A chunk that does not shrink is stored raw, as
 * NTFS stores it, and is left out of the timing (no decoder runs on it).
 * Before timing, every compressed chunk is decoded by ntx and by libfwnt and
 * compared with the original: that checks the compressor against an
 * independent decoder and ntx against the original bytes.
 *
 * Each decoder then decodes all chunks --repeat times (default 25), taking
 * turns, and the fastest pass of each is reported, timed in thread CPU time
 * (time a busy machine's other processes take does not count): MB/s of
 * uncompressed output (MB = 10^6 bytes) and ntx's speed relative to
 * libfwnt's (> 1: ntx faster). ratio = uncompressed bytes / compressed bytes
 * (chunk headers included) over the compressed chunks. For profiling, --only
 * times one corpus (all three are still made, in order, so its bytes stay
 * the same) and --ntx-only leaves libfwnt out of the timing.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef NTX_BENCH_HAVE_FWNT
#define NTX_BENCH_HAVE_FWNT 0
#endif
#if NTX_BENCH_HAVE_FWNT
#include <libfwnt.h>
#endif

#include "bench_corpus.h"
#include "lznt1.h"

enum { CHUNK = 4096, HASH_BITS = 12 };

/* Displacement bits of a token written when p (>= 1) bytes of the chunk
 * exist: the smallest b >= 4 with 2^b >= p. */
static unsigned disp_bits(size_t p)
{
    unsigned b = 4;
    while (((size_t)1 << b) < p)
        b++;
    return b;
}

static unsigned hash3(const uint8_t *p)
{
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
    return (v * 2654435761u) >> (32 - HASH_BITS);
}

/* Compress one chunk of n (1..4096) bytes into out (n + n / 8 + 2 bytes):
 * the payload after the chunk header, or 0 when it is not smaller than n. */
static size_t compress_chunk(const uint8_t *in, size_t n, uint8_t *out, unsigned depth)
{
    int16_t head[1 << HASH_BITS];
    int16_t prev[CHUNK];
    size_t o = 0, flag_at = 0, p = 0;
    unsigned nbits = 8;
    memset(head, 0xff, sizeof head);
    while (p < n) {
        size_t best_len = 0, best_disp = 0;
        if (nbits == 8) {
            flag_at = o++;
            out[flag_at] = 0;
            nbits = 0;
        }
        if (p > 0 && n - p >= 3) {
            unsigned b = disp_bits(p);
            size_t max_len = ((size_t)1 << (16 - b)) + 2;
            size_t max_disp = (size_t)1 << b;
            size_t limit = n - p < max_len ? n - p : max_len;
            int cand = head[hash3(in + p)];
            /* bound: depth candidates, each nearer than the one before */
            for (unsigned k = 0; k < depth && cand >= 0; k++, cand = prev[cand]) {
                size_t d = p - (size_t)cand;
                if (d > max_disp)
                    break;
                size_t l = 0;
                while (l < limit && in[p + l] == in[(size_t)cand + l])
                    l++;
                if (l > best_len) {
                    best_len = l;
                    best_disp = d;
                    if (l == limit)
                        break;
                }
            }
        }
        size_t step = 1;
        if (best_len >= 3) {
            unsigned lb = 16 - disp_bits(p);
            unsigned token = (unsigned)((best_disp - 1) << lb | (best_len - 3));
            out[flag_at] |= (uint8_t)(1u << nbits);
            out[o++] = (uint8_t)token;
            out[o++] = (uint8_t)(token >> 8);
            step = best_len;
        } else {
            out[o++] = in[p];
        }
        nbits++;
        /* Every position covered goes into the chains, so later matches may
         * start inside this one. */
        for (size_t e = p + step; p < e; p++) {
            if (n - p >= 3) {
                unsigned h = hash3(in + p);
                prev[p] = head[h];
                head[h] = (int16_t)p;
            }
        }
        if (o >= n)
            return 0;
    }
    return o;
}

typedef struct chunk {
    size_t off, len, clen; /* clen: payload bytes, after the 2-byte header */
    uint8_t *c;            /* header and payload */
} chunk;

enum { DEC_NTX, DEC_FWNT, DEC_COUNT };
static const char *const dec_names[DEC_COUNT] = {"ntx", "libfwnt"};

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Decode every chunk once with decoder d into out (each chunk gets the
 * full 4096 bytes of room the stream code gives it); 0 on success. */
static int pass(int d, const chunk *ch, size_t nch, uint8_t *out)
{
    for (size_t i = 0; i < nch; i++) {
        uint8_t *o = out + ch[i].off;
        size_t got = 0;
        if (d == DEC_NTX) {
            if (ntx_lznt1_decompress_chunk(ch[i].c + 2, ch[i].clen, o, CHUNK, &got) != NTX_OK)
                return -1;
        } else {
#if NTX_BENCH_HAVE_FWNT
            got = CHUNK;
            if (libfwnt_lznt1_decompress(ch[i].c, ch[i].clen + 2, o, &got, NULL) != 1)
                return -1;
#else
            return -1;
#endif
        }
        if (got != ch[i].len)
            return -1;
    }
    return 0;
}

static bool g_ntx_only;

static void bench(const char *corpus, const uint8_t *data, size_t n, unsigned repeat,
                  unsigned depth)
{
    size_t nch = 0, total = 0, ctotal = 0, all = (n + CHUNK - 1) / CHUNK;
    chunk *ch = calloc(all, sizeof *ch);
    uint8_t tmp[CHUNK + CHUNK / 8 + 16];
    for (size_t off = 0; off < n; off += CHUNK) {
        size_t len = n - off < CHUNK ? n - off : CHUNK;
        size_t clen = compress_chunk(data + off, len, tmp, depth);
        if (clen == 0)
            continue; /* stored raw by NTFS: nothing to decode */
        unsigned header = 0xB000u | (unsigned)(clen + 2 - 3); /* signature 3, compressed */
        ch[nch].off = off;
        ch[nch].len = len;
        ch[nch].clen = clen;
        ch[nch].c = malloc(clen + 2);
        ch[nch].c[0] = (uint8_t)header;
        ch[nch].c[1] = (uint8_t)(header >> 8);
        memcpy(ch[nch].c + 2, tmp, clen);
        total += len;
        ctotal += clen + 2;
        nch++;
    }
    /* Room for a full chunk after the last one's start: the decoders are told 4096. */
    uint8_t *out = malloc(n + CHUNK);
    double best[DEC_COUNT];
    bool usable[DEC_COUNT];
    for (int d = 0; d < DEC_COUNT; d++) {
        memset(out, 0, n + CHUNK);
        usable[d] = pass(d, ch, nch, out) == 0;
        for (size_t i = 0; usable[d] && i < nch; i++)
            if (memcmp(out + ch[i].off, data + ch[i].off, ch[i].len) != 0) {
                fprintf(stderr, "%s: output differs on %s chunk at %zu\n", dec_names[d], corpus,
                        ch[i].off);
                usable[d] = false;
            }
        if (!usable[d] && (d == DEC_NTX || NTX_BENCH_HAVE_FWNT)) {
            fprintf(stderr, "%s cannot decode the %s chunks: compressor or decoder bug\n",
                    dec_names[d], corpus);
            exit(1);
        }
        best[d] = 1e30;
    }
    for (unsigned r = 0; r < repeat; r++) {
        for (int d = 0; d < DEC_COUNT; d++) {
            if (!usable[d] || (g_ntx_only && d != DEC_NTX))
                continue;
            double t0 = now();
            pass(d, ch, nch, out);
            double t = now() - t0;
            if (t < best[d])
                best[d] = t;
        }
    }
    double mbs[DEC_COUNT];
    for (int d = 0; d < DEC_COUNT; d++)
        mbs[d] = usable[d] ? (double)total / best[d] / 1e6 : 0;
    printf("%-6s %5.2f %6zu/%-6zu %9.0f ", corpus, (double)total / (double)ctotal, nch, all,
           mbs[DEC_NTX]);
    if (usable[DEC_FWNT] && !g_ntx_only)
        printf("%9.0f %11.2f\n", mbs[DEC_FWNT], mbs[DEC_NTX] / mbs[DEC_FWNT]);
    else
        printf("%9s %11s\n", "-", "-");
    fflush(stdout);
    for (size_t i = 0; i < nch; i++)
        free(ch[i].c);
    free(ch);
    free(out);
}

int main(int argc, char **argv)
{
    size_t mib = 4;
    unsigned repeat = 25, depth = 64;
    const char *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--mib") == 0 && i + 1 < argc)
            mib = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc)
            repeat = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--depth") == 0 && i + 1 < argc)
            depth = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = argv[++i];
        else if (strcmp(argv[i], "--ntx-only") == 0)
            g_ntx_only = true;
        else {
            fprintf(stderr,
                    "usage: %s [--mib N] [--repeat N] [--depth N] [--only text|code|salad] "
                    "[--ntx-only]\n",
                    argv[0]);
            return 2;
        }
    }
    if (mib == 0 || repeat == 0 || depth == 0) {
        fprintf(stderr, "--mib, --repeat and --depth must be positive\n");
        return 2;
    }
    size_t n = mib << 20;
    uint8_t *data = malloc(n);
    printf("LZNT1 chunk decompression, %zu MiB per corpus, 4 KiB chunks, greedy compressor "
           "(chain depth %u), best of %u passes (thread CPU time)\n",
           mib, depth, repeat);
    printf("%-6s %5s %13s %9s %9s %11s\n", "corpus", "ratio", "chunks", "ntx MB/s", "libfwnt",
           "ntx/libfwnt");
    for (int k = 0; k < 3; k++) {
        const char *name = k == 0 ? "text" : k == 1 ? "code" : "salad";
        size_t len = n;
        if (k == 0)
            make_text(data, n);
        else if (k == 1)
            len = make_code(data, n);
        else
            make_salad(data, n);
        if (only == NULL || strcmp(only, name) == 0)
            bench(name, data, len, repeat, depth);
    }
    free(data);
    return 0;
}
