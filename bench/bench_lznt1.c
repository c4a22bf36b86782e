/*
 * bench_lznt1.c - decompression speed of ntx's LZNT1 chunk decoder
 * (src/parse/lznt1.c) side by side with libfwnt's (what libfsntfs uses;
 * wimlib has no LZNT1), on the corpora of bench_corpus.h.
 *
 *   ntx_bench_lznt1 [--mib N] [--repeat N] [--depth N] [--only CORPUS] [--ntx-only]
 *                   [--no-image]
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
 * the same) and --ntx-only leaves the peers out of the timing. The libfsntfs
 * column times the copy of libfwnt libfsntfs carries (Debian 12's libfsntfs
 * 20200921 exports its functions; it does not use the system libfwnt),
 * found at run time with dlopen("libfsntfs.so.1") (RTLD_DEEPBIND: its calls
 * stay inside it); "-" without it.
 *
 * Then, where libntfs-3g and mkntfs are installed (--no-image skips it), the
 * whole library path: the three corpora are written as LZNT1-compressed
 * files into a fresh NTFS image (mkntfs, 4 KiB clusters, then libntfs-3g
 * with compression on: its own compressor, not the one above, and no
 * mount), and each file is read whole, 1 MiB per call, by ntx
 * (ntx_stream_read over a pread() callback) and by libntfs-3g
 * (ntfs_attr_pread), both from the page cache; bytes are compared with the
 * corpus first, then best of --repeat passes in thread CPU time (which
 * counts the pread() system calls' kernel time too).
 */
#include <dlfcn.h>
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

#if NTX_BENCH_HAVE_NTFS3G
#include <fcntl.h>
#include <unistd.h>

#include <ntfs-3g/types.h>
#include <ntfs-3g/attrib.h>
#include <ntfs-3g/dir.h>
#include <ntfs-3g/inode.h>
#include <ntfs-3g/unistr.h>
#include <ntfs-3g/volume.h>

#include "ntx.h"
#endif

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

enum { DEC_NTX, DEC_FWNT, DEC_FSNTFS, DEC_COUNT };
static const char *const dec_names[DEC_COUNT] = {"ntx", "libfwnt", "libfsntfs"};

/* libfsntfs's copy of libfwnt_lznt1_decompress() (see the top of the file):
 * libfwnt's signature, the last argument a libcerror error (NULL: none). */
typedef int (*fsntfs_dec_fn)(const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len,
                             void **error);
static fsntfs_dec_fn g_fsntfs_lznt1;

static void fsntfs_load(void)
{
    void *h = dlopen("libfsntfs.so.1", RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (h != NULL)
        g_fsntfs_lznt1 = (fsntfs_dec_fn)dlsym(h, "libfwnt_lznt1_decompress");
}

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
        } else if (d == DEC_FSNTFS) {
            got = CHUNK;
            if (g_fsntfs_lznt1 == NULL || g_fsntfs_lznt1(ch[i].c, ch[i].clen + 2, o, &got, NULL) != 1)
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
        if (!usable[d] && (d == DEC_NTX || (d == DEC_FWNT && NTX_BENCH_HAVE_FWNT))) {
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
    printf("%-6s %5.2f %6zu/%-6zu %9.0f", corpus, (double)total / (double)ctotal, nch, all,
           mbs[DEC_NTX]);
    for (int d = DEC_FWNT; d < DEC_COUNT; d++) {
        if (usable[d] && !g_ntx_only)
            printf(" %9.0f %*.2f", mbs[d], d == DEC_FWNT ? 11 : 13, mbs[DEC_NTX] / mbs[d]);
        else
            printf(" %9s %*s", "-", d == DEC_FWNT ? 11 : 13, "-");
    }
    printf("\n");
    fflush(stdout);
    for (size_t i = 0; i < nch; i++)
        free(ch[i].c);
    free(ch);
    free(out);
}

#if NTX_BENCH_HAVE_NTFS3G
/* The library path on an image built here; see the top of the file. */

typedef struct corpus_copy {
    const char *name;
    uint8_t *data;
    size_t len;
} corpus_copy;

static int image_read(void *ctx, uint64_t off, void *buf, size_t len)
{
    int fd = *(int *)ctx;
    return pread(fd, buf, len, (off_t)off) == (ssize_t)len ? 0 : -1;
}

/* Write the corpora as compressed files with libntfs-3g; 0 on success. */
static int image_write(const char *path, const corpus_copy *cc, int ncc)
{
    ntfs_volume *vol = ntfs_mount(path, 0);
    if (vol == NULL) {
        perror("ntfs_mount");
        return -1;
    }
    NVolSetCompression(vol); /* what the ntfs-3g mount option "compression" sets */
    ntfs_inode *root = ntfs_inode_open(vol, FILE_root);
    int rc = root == NULL ? -1 : 0;
    if (root != NULL)
        root->flags |= FILE_ATTR_COMPRESSED; /* new files in it are created compressed */
    for (int k = 0; k < ncc && rc == 0; k++) {
        ntfschar *uname = NULL;
        char name[32];
        snprintf(name, sizeof name, "%s.bin", cc[k].name);
        int ulen = ntfs_mbstoucs(name, &uname);
        ntfs_inode *ni = ulen > 0 ? ntfs_create(root, const_cpu_to_le32(0), uname, (u8)ulen,
                                                S_IFREG)
                                  : NULL;
        free(uname);
        ntfs_attr *na = ni != NULL ? ntfs_attr_open(ni, AT_DATA, AT_UNNAMED, 0) : NULL;
        if (na == NULL || ntfs_attr_pwrite(na, 0, (s64)cc[k].len, cc[k].data) != (s64)cc[k].len)
            rc = -1;
        if (na != NULL) {
            ntfs_attr_pclose(na); /* compresses the last unit */
            ntfs_attr_close(na);
        }
        if (ni != NULL)
            ntfs_inode_close(ni);
        if (rc != 0)
            fprintf(stderr, "libntfs-3g: cannot write %s\n", name);
    }
    if (root != NULL)
        ntfs_inode_close(root);
    if (ntfs_umount(vol, FALSE) != 0)
        rc = -1;
    return rc;
}

static void bench_image(const corpus_copy *cc, int ncc, unsigned repeat)
{
    char path[] = "/tmp/ntx-bench-lznt1-XXXXXX";
    int fd = mkstemp(path);
    size_t total = 0;
    for (int k = 0; k < ncc; k++)
        total += cc[k].len;
    if (fd < 0 || ftruncate(fd, (off_t)(total + (32u << 20))) != 0) {
        perror("image");
        exit(1);
    }
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s -F -Q -q -c 4096 %s > /dev/null 2>&1", NTX_BENCH_MKNTFS, path);
    if (system(cmd) != 0 || image_write(path, cc, ncc) != 0) {
        fprintf(stderr, "cannot build the NTFS image %s\n", path);
        unlink(path);
        exit(1);
    }

    ntx_io io = {image_read, &fd, 0, total + (32u << 20), 512};
    static uint8_t probe[NTX_MAX_BLOCK_SIZE];
    static ntx_volume vol;
    ntx_geometry geo;
    ntx_diag diag;
    ntx_err rc = ntx_volume_probe(&io, probe, sizeof probe, &geo, &diag);
    size_t ws_size = rc == NTX_OK ? ntx_workspace_size(&geo) : 0;
    void *ws = rc == NTX_OK ? aligned_alloc(64, (ws_size + 63u) & ~(size_t)63u) : NULL;
    if (ws == NULL || (rc = ntx_volume_mount(&vol, &io, ws, ws_size)) != NTX_OK) {
        fprintf(stderr, "ntx cannot mount the image: %s\n", ntx_strerror(rc));
        exit(1);
    }
    ntfs_volume *nvol = ntfs_mount(path, NTFS_MNT_RDONLY);
    if (nvol == NULL) {
        perror("ntfs_mount");
        exit(1);
    }
    enum { PIECE = 1 << 20 };
    uint8_t *buf = aligned_alloc(4096, PIECE);
    printf("\nWhole library path: files written LZNT1-compressed by libntfs-3g into an image "
           "(4 KiB clusters),\nread whole in 1 MiB calls from the page cache, best of %u passes "
           "(thread CPU time)\n",
           repeat);
    printf("%-6s %10s %10s %9s %9s %10s\n", "corpus", "size", "on disk", "ntx MB/s",
           "ntfs-3g", "ntx/ntfs-3g");
    for (int k = 0; k < ncc; k++) {
        char name[40];
        snprintf(name, sizeof name, "/%s.bin", cc[k].name);
        ntx_file f;
        ntx_stream st;
        if (ntx_file_open_path(&f, &vol, name, strlen(name)) != NTX_OK ||
            ntx_stream_open_data(&st, &f, NULL, 0) != NTX_OK || st.cu_shift == 0) {
            fprintf(stderr, "ntx: %s missing or not compressed\n", name);
            exit(1);
        }
        ntfs_inode *ni = ntfs_pathname_to_inode(nvol, NULL, name);
        ntfs_attr *na = ni != NULL ? ntfs_attr_open(ni, AT_DATA, AT_UNNAMED, 0) : NULL;
        if (na == NULL || !(na->data_flags & ATTR_IS_COMPRESSED)) {
            fprintf(stderr, "libntfs-3g: %s missing or not compressed\n", name);
            exit(1);
        }
        double best[2] = {1e30, 1e30};
        for (unsigned r = 0; r <= repeat; r++) {
            for (int side = 0; side < 2; side++) {
                double t0 = now();
                for (size_t off = 0; off < cc[k].len; off += PIECE) {
                    size_t want = cc[k].len - off < PIECE ? cc[k].len - off : PIECE, got = 0;
                    if (side == 0) {
                        if (ntx_stream_read(&st, off, buf, want, &got) != NTX_OK)
                            got = 0;
                    } else {
                        s64 g = ntfs_attr_pread(na, (s64)off, (s64)want, buf);
                        got = g > 0 ? (size_t)g : 0;
                    }
                    /* the first pass checks the bytes and is not timed */
                    if (got != want || (r == 0 && memcmp(buf, cc[k].data + off, want) != 0)) {
                        fprintf(stderr, "%s: %s reads wrong bytes at %zu\n",
                                side == 0 ? "ntx" : "libntfs-3g", name, off);
                        exit(1);
                    }
                }
                double t = now() - t0;
                if (r > 0 && t < best[side])
                    best[side] = t;
            }
        }
        double mb[2] = {(double)cc[k].len / best[0] / 1e6, (double)cc[k].len / best[1] / 1e6};
        printf("%-6s %10zu %10lld %9.0f %9.0f %10.2f\n", cc[k].name, cc[k].len,
               (long long)na->compressed_size, mb[0], mb[1], mb[0] / mb[1]);
        ntfs_attr_close(na);
        ntfs_inode_close(ni);
    }
    ntfs_umount(nvol, FALSE);
    free(buf);
    free(ws);
    close(fd);
    unlink(path);
}
#endif

int main(int argc, char **argv)
{
    size_t mib = 4;
    unsigned repeat = 25, depth = 64;
    const char *only = NULL;
    bool image = true;
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
        else if (strcmp(argv[i], "--no-image") == 0)
            image = false;
        else {
            fprintf(stderr,
                    "usage: %s [--mib N] [--repeat N] [--depth N] [--only text|code|salad] "
                    "[--ntx-only] [--no-image]\n",
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
    fsntfs_load();
    printf("%-6s %5s %13s %9s %9s %11s %9s %13s\n", "corpus", "ratio", "chunks", "ntx MB/s",
           "libfwnt", "ntx/libfwnt", "libfsntfs", "ntx/libfsntfs");
#if NTX_BENCH_HAVE_NTFS3G
    corpus_copy cc[3];
#endif
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
#if NTX_BENCH_HAVE_NTFS3G
        cc[k].name = name;
        cc[k].len = len;
        cc[k].data = malloc(len);
        memcpy(cc[k].data, data, len);
#endif
    }
#if NTX_BENCH_HAVE_NTFS3G
    if (image && only == NULL)
        bench_image(cc, 3, repeat < 10 ? repeat : 10);
    for (int k = 0; k < 3; k++)
        free(cc[k].data);
#else
    (void)image;
#endif
    free(data);
    return 0;
}
