/*
 * bench_replay.c - what reading the bytes a command reads costs a process
 * that does nothing else: the floor under any program that must read them.
 *
 *   ntx_bench_replay IMAGE TRACE mmap|pread
 *
 * TRACE is an NTX_HOST_TRACE log of an ntx run on IMAGE (a raw image): its
 * "R OFFSET LENGTH" and "D OFFSET LENGTH" lines are the reads the core
 * made, in order. They are read again from IMAGE into one buffer, either
 * copied out of a read-only mapping of the whole file (as ntx reads a raw
 * image) or each with one pread() (as ntfs-3g's tools read). Nothing is
 * parsed or printed. bench/cli/run-cli-bench.sh times it beside the
 * listings: a command cannot take less CPU than this and read those bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct span {
    uint64_t off, len;
} span;

#define BUF_MAX (16u << 20) /* the largest read replayed */

/* The R and D lines of the trace; exits on anything else malformed. */
static span *load_trace(const char *path, size_t *count)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "ntx_bench_replay: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    size_t n = 0, cap = 4096;
    span *s = malloc(cap * sizeof *s);
    char kind;
    unsigned long long off, len;
    while (s != NULL && fscanf(f, " %c %llu %llu", &kind, &off, &len) == 3) {
        if (kind != 'R' && kind != 'D')
            continue; /* the cache's own fills */
        if (len > BUF_MAX) {
            fprintf(stderr, "ntx_bench_replay: a read of %llu bytes is over the limit\n", len);
            exit(1);
        }
        if (n == cap) {
            cap *= 2;
            span *t = realloc(s, cap * sizeof *s);
            if (t == NULL)
                free(s);
            s = t;
        }
        if (s != NULL)
            s[n++] = (span){off, len};
    }
    fclose(f);
    if (s == NULL) {
        fprintf(stderr, "ntx_bench_replay: out of memory\n");
        exit(1);
    }
    *count = n;
    return s;
}

int main(int argc, char **argv)
{
    if (argc != 4 || (strcmp(argv[3], "mmap") != 0 && strcmp(argv[3], "pread") != 0)) {
        fprintf(stderr, "usage: ntx_bench_replay IMAGE TRACE mmap|pread\n");
        return 2;
    }
    size_t n;
    span *s = load_trace(argv[2], &n);
    int fd = open(argv[1], O_RDONLY);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        fprintf(stderr, "ntx_bench_replay: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    uint8_t *buf = malloc(BUF_MAX);
    if (buf == NULL)
        return 1;
    unsigned sum = 0; /* a byte of each read, so that no copy can be skipped */
    if (strcmp(argv[3], "mmap") == 0) {
        const uint8_t *m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, fd, 0);
        if (m == MAP_FAILED) {
            fprintf(stderr, "ntx_bench_replay: mmap: %s\n", strerror(errno));
            return 1;
        }
        for (size_t i = 0; i < n; i++) {
            if (s[i].off > (uint64_t)sb.st_size || s[i].len > (uint64_t)sb.st_size - s[i].off)
                return 1;
            memcpy(buf, m + s[i].off, s[i].len);
            sum += buf[s[i].len / 2];
        }
        munmap((void *)m, (size_t)sb.st_size);
    } else {
        for (size_t i = 0; i < n; i++) {
            if (pread(fd, buf, s[i].len, (off_t)s[i].off) != (ssize_t)s[i].len)
                return 1;
            sum += buf[s[i].len / 2];
        }
    }
    free(buf);
    free(s);
    close(fd);
    return sum == UINT32_MAX; /* 0 in practice; keeps sum alive */
}
