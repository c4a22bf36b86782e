/*
 * bench_wof.c - decompression speed of the WOF chunk decoders
 * (src/parse/xpress.c, src/parse/lzx.c) side by side with wimlib's (the
 * fastest known) and libfwnt's (what libfsntfs uses).
 *
 *   ntx_bench_wof [--mib N] [--repeat N] [--level N]
 *
 * Three corpora of N MiB (default 4), made deterministically:
 *   text   English-like text: common words with a skewed distribution;
 *   code   x86-64 programs: the ELF files of /usr/bin concatenated, by name;
 *   salad  low-redundancy "word salad": random pseudo-words from a large
 *          vocabulary, which compresses about 1.6:1.
 * Each is cut into chunks (XPRESS 4 KiB, XPRESS 16 KiB, LZX 32 KiB, the
 * sizes of `compact /exe`) and compressed with wimlib's compressor (level
 * 50 by default); a chunk that does not shrink is stored raw, as WOF does,
 * and is left out of the timing (no decoder runs on it). Every decoder's
 * output is compared with the original before timing. Each decoder then
 * decodes all chunks --repeat times (default 25), the decoders taking turns,
 * and the fastest pass of each is reported, timed in thread CPU time (so
 * that time spent waiting for a busy machine's CPUs does not count): MB/s of
 * uncompressed output (MB = 10^6 bytes) and ntx's speed relative to each
 * peer (> 1: ntx faster).
 * libfwnt (Debian 12: 20181227) has no LZX decoder: its LZX cells read "-".
 * libfsntfs does not use that library: it carries its own, newer copy of
 * libfwnt (Debian 12's libfsntfs 20200921 exports its functions), with an
 * LZX decoder. The libfsntfs column times that copy, found at run time with
 * dlopen("libfsntfs.so.1") (RTLD_DEEPBIND, so that its calls stay inside it
 * rather than reaching the system libfwnt linked here); "-" without it.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <wimlib.h>
#if NTX_BENCH_HAVE_FWNT
#include <libfwnt.h>
#endif

#include "bench_corpus.h"
#include "lzx.h"
#include "xpress.h"

static ntx_xpress_scratch g_xs;
static ntx_lzx_scratch g_ls;

typedef struct chunk {
    size_t off, len, clen;
    uint8_t *c;
} chunk;

enum { DEC_NTX, DEC_WIMLIB, DEC_FWNT, DEC_FSNTFS, DEC_COUNT };
static const char *const dec_names[DEC_COUNT] = {"ntx", "wimlib", "libfwnt", "libfsntfs"};

/* libfsntfs's copy of libfwnt (see the top of the file): its decoders have
 * libfwnt's signature, the last argument a libcerror error (NULL: none). */
typedef int (*fsntfs_dec_fn)(const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len,
                             void **error);
static fsntfs_dec_fn g_fsntfs_xpress, g_fsntfs_lzx;

static void fsntfs_load(void)
{
    void *h = dlopen("libfsntfs.so.1", RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (h == NULL)
        return;
    g_fsntfs_xpress = (fsntfs_dec_fn)dlsym(h, "libfwnt_lzxpress_huffman_decompress");
    g_fsntfs_lzx = (fsntfs_dec_fn)dlsym(h, "libfwnt_lzx_decompress");
}

typedef struct codec {
    const char *name;
    enum wimlib_compression_type type;
    size_t chunk;
} codec;

/* The thread's CPU time: the machine is shared, and a pass that loses the
 * CPU to another process would otherwise count the time it waited. */
static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Decode every chunk once with decoder d into out; 0 on success. */
static int pass(int d, const codec *c, const chunk *ch, size_t nch, uint8_t *out,
                struct wimlib_decompressor *wd)
{
    bool lzx = c->type == WIMLIB_COMPRESSION_TYPE_LZX;
    for (size_t i = 0; i < nch; i++) {
        uint8_t *o = out + ch[i].off;
        int r = 0;
        if (d == DEC_NTX) {
            ntx_check k;
            r = lzx ? ntx_lzx_decompress(&g_ls, ch[i].c, ch[i].clen, o, ch[i].len, &k)
                    : ntx_xpress_decompress(&g_xs, ch[i].c, ch[i].clen, o, ch[i].len, &k);
        } else if (d == DEC_WIMLIB) {
            r = wimlib_decompress(ch[i].c, ch[i].clen, o, ch[i].len, wd);
        } else if (d == DEC_FSNTFS) {
            fsntfs_dec_fn fn = lzx ? g_fsntfs_lzx : g_fsntfs_xpress;
            size_t got = ch[i].len;
            if (fn == NULL)
                return -1;
            r = fn(ch[i].c, ch[i].clen, o, &got, NULL) == 1 && got == ch[i].len ? 0 : -1;
        } else {
#if NTX_BENCH_HAVE_FWNT
            size_t got = ch[i].len;
            if (lzx)
                return -1;
            r = libfwnt_lzxpress_huffman_decompress(ch[i].c, ch[i].clen, o, &got, NULL) == 1 &&
                        got == ch[i].len
                    ? 0
                    : -1;
#else
            return -1;
#endif
        }
        if (r != 0)
            return -1;
    }
    return 0;
}

static void bench(const char *corpus, const uint8_t *data, size_t n, const codec *c,
                  unsigned level, unsigned repeat)
{
    struct wimlib_compressor *comp;
    struct wimlib_decompressor *wd;
    if (wimlib_create_compressor(c->type, c->chunk, level, &comp) != 0 ||
        wimlib_create_decompressor(c->type, c->chunk, &wd) != 0) {
        fprintf(stderr, "wimlib: cannot create a %s (de)compressor\n", c->name);
        exit(1);
    }
    size_t nch = 0, total = 0, ctotal = 0;
    chunk *ch = calloc((n + c->chunk - 1) / c->chunk, sizeof *ch);
    uint8_t *tmp = malloc(c->chunk);
    for (size_t off = 0; off < n; off += c->chunk) {
        size_t len = n - off < c->chunk ? n - off : c->chunk;
        size_t clen = wimlib_compress(data + off, len, tmp, len - 1, comp);
        if (clen == 0)
            continue; /* stored raw by WOF: nothing to decode */
        ch[nch].off = off;
        ch[nch].len = len;
        ch[nch].clen = clen;
        ch[nch].c = malloc(clen);
        memcpy(ch[nch].c, tmp, clen);
        total += len;
        ctotal += clen;
        nch++;
    }
    uint8_t *out = malloc(n);
    double best[DEC_COUNT];
    int usable[DEC_COUNT];
    for (int d = 0; d < DEC_COUNT; d++) {
        memset(out, 0, n);
        usable[d] = pass(d, c, ch, nch, out, wd) == 0;
        for (size_t i = 0; usable[d] && i < nch; i++)
            if (memcmp(out + ch[i].off, data + ch[i].off, ch[i].len) != 0) {
                fprintf(stderr, "%s: %s output differs on %s chunk at %zu\n", dec_names[d],
                        c->name, corpus, ch[i].off);
                usable[d] = 0;
                if (d == DEC_NTX)
                    exit(1);
            }
        best[d] = 1e30;
    }
    for (unsigned r = 0; r < repeat; r++) {
        for (int d = 0; d < DEC_COUNT; d++) {
            if (!usable[d])
                continue;
            double t0 = now();
            pass(d, c, ch, nch, out, wd);
            double t = now() - t0;
            if (t < best[d])
                best[d] = t;
        }
    }
    double mbs[DEC_COUNT];
    for (int d = 0; d < DEC_COUNT; d++)
        mbs[d] = usable[d] ? (double)total / best[d] / 1e6 : 0;
    printf("%-6s %-10s %5.2f %6zu %9.0f %9.0f ", corpus, c->name, (double)total / (double)ctotal,
           nch, mbs[DEC_NTX], mbs[DEC_WIMLIB]);
    for (int d = DEC_FWNT; d <= DEC_FSNTFS; d++) {
        if (usable[d])
            printf("%9.0f ", mbs[d]);
        else
            printf("%9s ", "-");
    }
    printf("%10.2f", mbs[DEC_NTX] / mbs[DEC_WIMLIB]);
    for (int d = DEC_FWNT; d <= DEC_FSNTFS; d++) {
        if (usable[d])
            printf(" %*.2f", d == DEC_FWNT ? 11 : 13, mbs[DEC_NTX] / mbs[d]);
        else
            printf(" %*s", d == DEC_FWNT ? 11 : 13, "-");
    }
    printf("\n");
    fflush(stdout);
    for (size_t i = 0; i < nch; i++)
        free(ch[i].c);
    free(ch);
    free(tmp);
    free(out);
    wimlib_free_compressor(comp);
    wimlib_free_decompressor(wd);
}

int main(int argc, char **argv)
{
    size_t mib = 4;
    unsigned repeat = 25, level = 50;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--mib") == 0 && i + 1 < argc)
            mib = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc)
            repeat = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--level") == 0 && i + 1 < argc)
            level = (unsigned)strtoul(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "usage: %s [--mib N] [--repeat N] [--level N]\n", argv[0]);
            return 2;
        }
    }
    if (mib == 0 || repeat == 0) {
        fprintf(stderr, "--mib and --repeat must be positive\n");
        return 2;
    }
    size_t n = mib << 20;
    static const codec codecs[] = {
        {"XPRESS4K", WIMLIB_COMPRESSION_TYPE_XPRESS, 4096},
        {"XPRESS16K", WIMLIB_COMPRESSION_TYPE_XPRESS, 16384},
        {"LZX", WIMLIB_COMPRESSION_TYPE_LZX, 32768},
    };
    uint8_t *data = malloc(n);
    printf("WOF chunk decompression, %zu MiB per corpus, wimlib level %u, best of %u passes "
           "(thread CPU time)\n",
           mib, level, repeat);
    fsntfs_load();
    printf("%-6s %-10s %5s %6s %9s %9s %9s %9s %10s %11s %13s\n", "corpus", "codec", "ratio",
           "chunks", "ntx MB/s", "wimlib", "libfwnt", "libfsntfs", "ntx/wimlib", "ntx/libfwnt",
           "ntx/libfsntfs");
    for (int k = 0; k < 3; k++) {
        const char *name = k == 0 ? "text" : k == 1 ? "code" : "salad";
        size_t len = n;
        if (k == 0)
            make_text(data, n);
        else if (k == 1)
            len = make_code(data, n);
        else
            make_salad(data, n);
        for (size_t c = 0; c < sizeof codecs / sizeof codecs[0]; c++)
            bench(name, data, len, &codecs[c], level, repeat);
    }
    free(data);
    return 0;
}
