/*
 * bench_read.c - sequential read throughput of ntx against the bare syscall path.
 *
 *   ntx_bench_read IMAGE PATH [PATH...] [--repeat N] [--chunk BYTES] [--block 512|4096]
 *                  [--no-verify]
 *
 * For each PATH of the NTFS volume in IMAGE (any image the ntx_host library
 * opens: a raw volume or disk, split raw, E01, VHD/VHDX, VMDK, qcow2; the
 * only NTFS partition of a disk):
 *  - library: ntx_stream_read() of the whole unnamed $DATA in chunks of
 *    --chunk bytes (default 1 MiB), through the image's read callback
 *    (ntx_host_volume_io(): pread() for a raw file, reads this large passing
 *    straight into the buffer);
 *  - raw: the same file's runs (ntx_stream_map(), sparse runs skipped) read
 *    through the image's disk callback (ntx_host_disk_io()) in the same
 *    chunk size, runs adjacent on disk merged: the physical limit of the
 *    container, no parsing. For a compressed file that is only its allocated
 *    (compressed) clusters.
 * Each side runs --repeat times (default 5), alternating, after one untimed
 * warm-up pass of each, so both read from the page cache; the median is
 * reported. The figures are printed, never asserted.
 *
 * Correctness is checked on the way: the library's bytes (FNV-1a 64) must
 * equal those of a second library read with 4096 + 13 byte chunks (every
 * read unaligned), and for an uncompressed file without holes those of the
 * raw clusters. A mismatch exits 1. --no-verify leaves the checks out (for
 * profiling the timed passes alone). --block sets ntx_io.block_size.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ntx.h>
#include <ntx/host.h>

#define BENCH_DEFAULT_CHUNK (1024u * 1024u)
#define BENCH_DEFAULT_REPEAT 5u
#define BENCH_VERIFY_CHUNK (4096u + 13u)
#define BENCH_MAX_REPEAT 1000u

typedef struct bench_dev {
    ntx_io volume;  /* the image's callback over the volume */
    ntx_io disk;    /* and over its whole disk */
    uint64_t calls; /* read callback calls */
    uint64_t bytes; /* bytes they asked for */
} bench_dev;

/* The volume's callback, counted. */
static int bench_read_cb(void *ctx, uint64_t off, void *buf, size_t len)
{
    bench_dev *d = ctx;
    d->calls++;
    d->bytes += len;
    return d->volume.read(d->volume.ctx, off, buf, len);
}

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

static uint64_t fnv1a64(uint64_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= FNV_PRIME;
    }
    return h;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, unsigned n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/* An extent of the raw side: bytes on the volume, runs adjacent on disk merged. */
typedef struct bench_extent {
    uint64_t off, len;
} bench_extent;

typedef struct bench_file {
    const char *path;
    ntx_stream s;
    uint64_t runs, sparse_runs;
    bench_extent *ext;
    size_t n_ext;
    uint64_t raw_bytes; /* bytes the raw side reads */
    bool compressed;
} bench_file;

static void die_ntx(ntx_volume *vol, const char *what, const char *path, ntx_err rc)
{
    fprintf(stderr, "ntx_bench_read: %s %s: %s (%d)", what, path ? path : "", ntx_strerror(rc),
            (int)rc);
    if (vol != NULL)
        fprintf(stderr, " [check %u, record %" PRIu64 ", offset 0x%" PRIx64 ", io %d]",
                vol->diag.check, vol->diag.mft_no, vol->diag.offset, vol->diag.io_status);
    fputc('\n', stderr);
    exit(2);
}

/* Walk the runlist: count runs, collect the allocated extents the raw side reads. */
static void bench_map(ntx_volume *vol, bench_file *bf)
{
    ntx_stream *s = &bf->s;
    const unsigned cs = (unsigned)__builtin_ctz(vol->geo.cluster_size);
    /* uncompressed: the raw side reads the data size, like the library;
     * compressed: every allocated cluster (the compressed data) */
    uint64_t want = bf->compressed ? UINT64_MAX : s->init_size;
    size_t cap = 64;
    bf->ext = malloc(cap * sizeof *bf->ext);
    if (bf->ext == NULL) {
        perror("malloc");
        exit(2);
    }
    for (uint64_t vcn = 0; vcn < s->vcn_end;) {
        ntx_run r;
        ntx_err rc = ntx_stream_map(s, vcn, &r);
        if (rc != NTX_OK)
            die_ntx(vol, "ntx_stream_map", bf->path, rc);
        bf->runs++;
        vcn = r.vcn + r.len;
        if (r.lcn == NTX_LCN_HOLE) {
            bf->sparse_runs++;
            continue;
        }
        uint64_t off = r.lcn << cs, len = r.len << cs;
        if (!bf->compressed) {
            uint64_t logical = r.vcn << cs;
            if (logical >= want)
                continue;
            if (len > want - logical)
                len = want - logical;
        }
        bf->raw_bytes += len;
        if (bf->n_ext > 0 && bf->ext[bf->n_ext - 1].off + bf->ext[bf->n_ext - 1].len == off) {
            bf->ext[bf->n_ext - 1].len += len;
            continue;
        }
        if (bf->n_ext == cap) {
            cap *= 2;
            bench_extent *n = realloc(bf->ext, cap * sizeof *bf->ext);
            if (n == NULL) {
                perror("realloc");
                exit(2);
            }
            bf->ext = n;
        }
        bf->ext[bf->n_ext++] = (bench_extent){ off, len };
    }
}

/* One library pass over the whole file; *hash is updated when not NULL. */
static double bench_lib_pass(ntx_volume *vol, bench_file *bf, uint8_t *buf, size_t chunk,
                             uint64_t *hash)
{
    double t0 = now_s();
    uint64_t off = 0;
    while (off < bf->s.size) {
        size_t got;
        ntx_err rc = ntx_stream_read(&bf->s, off, buf, chunk, &got);
        if (rc != NTX_OK)
            die_ntx(vol, "ntx_stream_read", bf->path, rc);
        if (got == 0) {
            fprintf(stderr, "ntx_bench_read: %s: read 0 bytes at %" PRIu64 " of %" PRIu64 "\n",
                    bf->path, off, bf->s.size);
            exit(2);
        }
        if (hash != NULL)
            *hash = fnv1a64(*hash, buf, got);
        off += got;
    }
    return now_s() - t0;
}

/* One raw pass: pread the extents in chunk-sized pieces into buf. */
static double bench_raw_pass(bench_dev *dev, const ntx_volume *vol, const bench_file *bf,
                             uint8_t *buf, size_t chunk, uint64_t *hash)
{
    double t0 = now_s();
    size_t fill = 0;
    for (size_t i = 0; i < bf->n_ext; i++) {
        uint64_t off = bf->ext[i].off, left = bf->ext[i].len;
        while (left > 0) {
            size_t n = chunk - fill;
            if (n > left)
                n = (size_t)left;
            dev->calls++;
            dev->bytes += n;
            int rc = dev->disk.read(dev->disk.ctx, vol->io.offset + off, buf + fill, n);
            if (rc != 0) {
                fprintf(stderr, "ntx_bench_read: raw read at %" PRIu64 ": %s\n", off,
                        strerror(-rc));
                exit(2);
            }
            if (hash != NULL)
                *hash = fnv1a64(*hash, buf + fill, n);
            fill += n;
            if (fill == chunk)
                fill = 0;
            off += n;
            left -= n;
        }
    }
    return now_s() - t0;
}

static void usage(void)
{
    fprintf(stderr, "usage: ntx_bench_read IMAGE PATH [PATH...] [--repeat N] [--chunk BYTES]"
                    " [--block 512|4096] [--no-verify]\n");
    exit(2);
}

static unsigned long long parse_num(const char *s, const char *opt)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno != 0 || end == s || *end != '\0' || v == 0) {
        fprintf(stderr, "ntx_bench_read: bad value for %s: %s\n", opt, s);
        exit(2);
    }
    return v;
}

static ntx_volume vol;

int main(int argc, char **argv)
{
    const char *image = NULL;
    const char **paths = calloc((size_t)argc, sizeof *paths);
    size_t n_paths = 0, chunk = BENCH_DEFAULT_CHUNK;
    unsigned repeat = BENCH_DEFAULT_REPEAT, block = 512;
    bool verify_on = true;

    if (paths == NULL)
        return 2;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
            unsigned long long v = parse_num(argv[++i], "--repeat");
            repeat = v > BENCH_MAX_REPEAT ? BENCH_MAX_REPEAT : (unsigned)v;
        } else if (strcmp(argv[i], "--chunk") == 0 && i + 1 < argc) {
            chunk = (size_t)parse_num(argv[++i], "--chunk");
        } else if (strcmp(argv[i], "--block") == 0 && i + 1 < argc) {
            block = (unsigned)parse_num(argv[++i], "--block");
        } else if (strcmp(argv[i], "--no-verify") == 0) {
            verify_on = false; /* for profiling: only reads, no checksums */
        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            usage();
        } else if (image == NULL) {
            image = argv[i];
        } else {
            paths[n_paths++] = argv[i];
        }
    }
    if (image == NULL || n_paths == 0)
        usage();

    bench_dev dev = { .calls = 0 };
    ntx_host_image *img = NULL;
    ntx_host_error herr;
    if (ntx_host_open(image, NULL, &img, &herr) != NTX_HOST_OK ||
        ntx_host_select(img, NULL, &herr) != NTX_HOST_OK) {
        fprintf(stderr, "ntx_bench_read: %s: %s\n", image, herr.message);
        return 2;
    }
    dev.volume = ntx_host_volume_io(img);
    dev.disk = ntx_host_disk_io(img, 0, 0);
    const ntx_host_info *where = ntx_host_describe(img);
    ntx_io io = dev.volume;
    io.read = bench_read_cb;
    io.ctx = &dev;
    io.block_size = block;
    static uint8_t probe_block[NTX_MAX_BLOCK_SIZE];
    ntx_geometry geo;
    ntx_diag diag;
    ntx_err rc = ntx_volume_probe(&io, probe_block, sizeof probe_block, &geo, &diag);
    if (rc != NTX_OK)
        die_ntx(NULL, "ntx_volume_probe", image, rc);
    size_t ws_size = ntx_workspace_size(&geo);
    void *ws = aligned_alloc(64, (ws_size + 63u) & ~(size_t)63u);
    if (ws == NULL)
        return 2;
    rc = ntx_volume_mount(&vol, &io, ws, ws_size);
    if (rc != NTX_OK)
        die_ntx(&vol, "ntx_volume_mount", image, rc);

    /* page-aligned buffers, as a real reader would use */
    size_t buf_size = (chunk + 4095u) & ~(size_t)4095u;
    uint8_t *buf = aligned_alloc(4096, buf_size);
    uint8_t *vbuf = aligned_alloc(4096, 8192);
    double *t_lib = calloc(repeat, sizeof(double)), *t_raw = calloc(repeat, sizeof(double));
    if (buf == NULL || vbuf == NULL || t_lib == NULL || t_raw == NULL) {
        perror("malloc");
        return 2;
    }

    printf("image %s: %s (%s), disk %" PRIu64 " bytes, volume at %" PRIu64
           ", cluster %u, sector %u, MFT record %u, device block %u\n",
           image, where->format_name, where->format_detail, where->media_size,
           where->volume_offset, vol.geo.cluster_size, vol.geo.sector_size,
           vol.geo.record_size, vol.geo.block_size);
    printf("chunk %zu bytes, %u timed runs per side (median), alternating library/raw\n", chunk,
           repeat);
    printf("one untimed warm-up pass of each side first: both read from the page cache, so the\n"
           "ratio measures the CPU overhead of the library against the bare pread() path.\n"
           "MB/s = 10^6 bytes/s. lib MB/s counts file bytes delivered; raw MB/s counts bytes\n"
           "read from the image. lib/raw = t_raw / t_lib (1.00 = as fast as bare pread).\n"
           "Compressed files: raw reads only the allocated (compressed) clusters, so their\n"
           "ratio shows the cost of decompression (and of reading the chunks unaligned).\n\n");
    printf("%-22s %12s %-10s %14s %9s %9s %7s %10s %11s %10s %11s %s\n", "path", "size", "compr",
           "runs(sparse)", "lib MB/s", "raw MB/s", "lib/raw", "lib calls", "lib B/call",
           "raw calls", "raw B/call", "verify");

    int status = 0;
    for (size_t p = 0; p < n_paths; p++) {
        bench_file bf = { .path = paths[p] };
        ntx_file f;
        rc = ntx_file_open_path(&f, &vol, bf.path, strlen(bf.path));
        if (rc != NTX_OK)
            die_ntx(&vol, "open", bf.path, rc);
        rc = ntx_stream_open_data(&bf.s, &f, NULL, 0);
        if (rc != NTX_OK)
            die_ntx(&vol, "ntx_stream_open_data", bf.path, rc);
        if (bf.s.resident) {
            printf("%-22s %12" PRIu64 " resident: skipped\n", bf.path, bf.s.size);
            continue;
        }
        bf.compressed = bf.s.cu_shift != 0;
        bench_map(&vol, &bf);

        /* warm-up, untimed, with the correctness checks */
        uint64_t h_lib = FNV_OFFSET, h_odd = FNV_OFFSET, h_raw = FNV_OFFSET;
        bench_lib_pass(&vol, &bf, buf, chunk, verify_on ? &h_lib : NULL);
        bench_raw_pass(&dev, &vol, &bf, buf, chunk, verify_on ? &h_raw : NULL);
        if (verify_on)
            bench_lib_pass(&vol, &bf, vbuf, BENCH_VERIFY_CHUNK, &h_odd);
        const char *verify = verify_on ? "ok" : "skipped";
        if (h_odd != h_lib) {
            fprintf(stderr,
                    "\n*** MISMATCH in %s: %zu-byte chunks give fnv1a64 %016" PRIx64
                    ", %u-byte chunks give %016" PRIx64 " ***\n\n",
                    bf.path, chunk, h_lib, BENCH_VERIFY_CHUNK, h_odd);
            verify = "MISMATCH(chunks)";
            status = 1;
        }
        bool raw_comparable = !bf.compressed && bf.sparse_runs == 0 &&
                              bf.s.init_size == bf.s.size && bf.raw_bytes == bf.s.size;
        if (raw_comparable && h_raw != h_lib) {
            fprintf(stderr,
                    "\n*** MISMATCH in %s: library fnv1a64 %016" PRIx64
                    ", raw clusters %016" PRIx64 " ***\n\n",
                    bf.path, h_lib, h_raw);
            verify = "MISMATCH(raw)";
            status = 1;
        }

        uint64_t lib_calls = 0, lib_bytes = 0, raw_calls = 0;
        for (unsigned r = 0; r < repeat; r++) {
            uint64_t c0 = dev.calls, b0 = dev.bytes;
            t_lib[r] = bench_lib_pass(&vol, &bf, buf, chunk, NULL);
            lib_calls = dev.calls - c0;
            lib_bytes = dev.bytes - b0;
            c0 = dev.calls;
            t_raw[r] = bench_raw_pass(&dev, &vol, &bf, buf, chunk, NULL);
            raw_calls = dev.calls - c0;
        }
        double tl = median(t_lib, repeat), tr = median(t_raw, repeat);
        char runs[32];
        snprintf(runs, sizeof runs, "%" PRIu64 "(%" PRIu64 ")", bf.runs, bf.sparse_runs);
        printf("%-22s %12" PRIu64 " %-10s %14s %9.0f %9.0f %7.2f %10" PRIu64 " %11.0f %10" PRIu64
               " %11.0f %s\n",
               bf.path, bf.s.size, bf.compressed ? "yes,LZNT1" : "no", runs,
               (double)bf.s.size / tl / 1e6, (double)bf.raw_bytes / tr / 1e6, tr / tl, lib_calls,
               lib_calls ? (double)lib_bytes / (double)lib_calls : 0.0, raw_calls,
               raw_calls ? (double)bf.raw_bytes / (double)raw_calls : 0.0, verify);
        if (verify_on)
            printf("%-22s   fnv1a64 %016" PRIx64, "", h_lib);
        else
            printf("%-22s   (not verified)", "");
        if (bf.compressed)
            printf("; raw side: %" PRIu64 " bytes of compressed clusters, %.1f%% of the size",
                   bf.raw_bytes, 100.0 * (double)bf.raw_bytes / (double)bf.s.size);
        putchar('\n');
        fflush(stdout);
        free(bf.ext);
    }
    ntx_volume_unmount(&vol);
    ntx_host_close(img);
    free(buf);
    free(vbuf);
    free(ws);
    free(t_lib);
    free(t_raw);
    free(paths);
    if (status != 0)
        fprintf(stderr, "ntx_bench_read: MISMATCH: the library returned inconsistent bytes\n");
    return status;
}
