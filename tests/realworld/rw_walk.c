/*
 * rw_walk.c - one Windows-written volume walked through the library alone,
 * printed as lines the comparison scripts (check_compare.py) set against
 * the same volume read by The Sleuth Kit, ntfs-3g and libfsntfs.
 *
 * usage: rw_walk IMAGE OFFSET [MAX_HASH]
 *
 * The walk starts at the root and goes breadth first through every
 * directory, system ones included ($Extend and below), leaving out DOS
 * aliases and the root's "." entry; a directory is entered once. Per name:
 *
 *   O <path> <mft> <seq> <d|f> <size> <si x4> <fn x4> <i30 x4>
 *   S <path> <stream> <size> <sha256 | !error>
 *
 * separated by tabs. Times are NT times (100 ns since 1601) in the order
 * created, modified, MFT changed, accessed: si from $STANDARD_INFORMATION,
 * fn from the file's own $FILE_NAME (ntx_file_stat()), i30 the copy held
 * in the parent's index entry. One S line per $DATA stream, the unnamed one
 * with an empty stream name. Exit status 0 when every object and stream was
 * read (a refused stream is a printed line, not a failure), 1 otherwise.
 * A stream over MAX_HASH bytes prints "big" for its hash (views.py says
 * which one and why).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "sha256.h"
#include "ntx.h"

#define CHUNK (1u << 20)

static int read_fd(void *ctx, uint64_t off, void *buf, size_t len)
{
    int fd = *(int *)ctx;
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    return 0;
}

static int failures;
static uint8_t *chunk;
static uint64_t max_hash = UINT64_MAX;

static void name_utf8(const uint16_t *name, size_t n, char *out, size_t cap)
{
    size_t len;
    if (ntx_utf16_to_utf8(name, n, out, cap, &len, NTX_UTF16_WTF8) != NTX_OK)
        snprintf(out, cap, "?");
}

/* SHA-256 of a whole stream, or "!<error>" when the library refuses it. */
static void stream_line(const ntx_file *f, const char *path, const char *sname)
{
    ntx_stream *s = malloc(sizeof *s);
    ntx_sha256 h;
    char hex[65];
    uint64_t off = 0;
    if (s == NULL)
        exit(2);
    ntx_err rc = ntx_stream_open_data(s, f, sname, strlen(sname));
    if (rc != NTX_OK) {
        printf("S\t%s\t%s\t-\t!%s\n", path, sname, ntx_strerror(rc));
        free(s);
        return;
    }
    if (s->size > max_hash) {
        printf("S\t%s\t%s\t%llu\tbig\n", path, sname, (unsigned long long)s->size);
        free(s);
        return;
    }
    ntx_sha256_init(&h);
    for (;;) {
        size_t got;
        rc = ntx_stream_read(s, off, chunk, CHUNK, &got);
        if (rc != NTX_OK)
            break;
        if (got == 0)
            break;
        ntx_sha256_update(&h, chunk, got);
        off += got;
    }
    if (rc != NTX_OK) {
        printf("S\t%s\t%s\t%llu\t!%s at %llu\n", path, sname, (unsigned long long)s->size,
               ntx_strerror(rc), (unsigned long long)off);
        failures++;
    } else {
        uint8_t d[32];
        ntx_sha256_final(&h, d);
        ntx_sha256_hex(d, hex);
        printf("S\t%s\t%s\t%llu\t%s\n", path, sname, (unsigned long long)s->size, hex);
    }
    free(s);
}

/* Every $DATA stream of the file, unnamed first (where there is one). */
static void streams(const ntx_file *f, const char *path, bool has_data)
{
    if (has_data)
        stream_line(f, path, "");
    ntx_attr_iter it;
    ntx_attr_info *ai = malloc(sizeof *ai);
    ntx_err rc;
    if (ai == NULL || ntx_attr_iter_open(&it, f) != NTX_OK) {
        printf("E\t%s\tattributes\n", path);
        failures++;
        free(ai);
        return;
    }
    while ((rc = ntx_attr_iter_next(&it, ai)) == NTX_OK) {
        if (ai->type != NTX_AT_DATA || ai->name_len == 0 || (!ai->resident && ai->lowest_vcn != 0))
            continue;
        char sname[1024];
        name_utf8(ai->name, ai->name_len, sname, sizeof sname);
        stream_line(f, path, sname);
    }
    if (rc != NTX_END) {
        printf("E\t%s\tattributes: %s\n", path, ntx_strerror(rc));
        failures++;
    }
    free(ai);
}

static void times4(const uint64_t t[4])
{
    for (int i = 0; i < 4; i++)
        printf("\t%llu", (unsigned long long)t[i]);
}

struct pending {
    uint64_t ref;
    char *path;
};

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: rw_walk IMAGE OFFSET [MAX_HASH]\n");
        return 2;
    }
    int fd = open(argv[1], O_RDONLY);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        perror(argv[1]);
        return 2;
    }
    uint64_t base = strtoull(argv[2], NULL, 0);
    if (argc == 4)
        max_hash = strtoull(argv[3], NULL, 0);
    ntx_io io = { read_fd, &fd, base, (uint64_t)sb.st_size - base, 512 };
    static uint8_t probe[NTX_MAX_BLOCK_SIZE];
    ntx_geometry geo;
    ntx_err rc = ntx_volume_probe(&io, probe, sizeof probe, &geo, NULL);
    if (rc != NTX_OK) {
        fprintf(stderr, "probe: %s\n", ntx_strerror(rc));
        return 1;
    }
    size_t ws_size = ntx_workspace_size(&geo);
    void *ws = malloc(ws_size);
    ntx_volume *vol = malloc(sizeof *vol);
    chunk = malloc(CHUNK);
    ntx_dirent *de = malloc(sizeof *de);
    ntx_dir_iter *it = malloc(sizeof *it);
    size_t cap = 64, head = 0, tail = 0;
    struct pending *q = malloc(cap * sizeof *q);
    size_t vcap = 64, nvisited = 0;
    uint64_t *visited = malloc(vcap * sizeof *visited);
    if (!ws || !vol || !chunk || !de || !it || !q || !visited)
        return 2;
    rc = ntx_volume_mount(vol, &io, ws, ws_size);
    if (rc != NTX_OK) {
        fprintf(stderr, "mount: %s\n", ntx_strerror(rc));
        return 1;
    }
    q[tail++] = (struct pending){ NTX_REF(NTX_MFT_ROOT, 0), strdup("") };
    visited[nvisited++] = NTX_MFT_ROOT;

    while (head < tail) {
        struct pending p = q[head++];
        ntx_file dir;
        rc = ntx_file_open(&dir, vol, p.ref, 0);
        if (rc == NTX_OK)
            rc = ntx_dir_iter_open(it, &dir, NTX_DIR_SKIP_DOS | NTX_DIR_SKIP_SELF);
        while (rc == NTX_OK && (rc = ntx_dir_iter_next(it, de)) == NTX_OK) {
            char name[1024], path[8192];
            name_utf8(de->name, de->name_len, name, sizeof name);
            snprintf(path, sizeof path, "%s/%s", p.path, name);
            ntx_file f;
            ntx_stat st;
            ntx_err orc = ntx_file_open(&f, vol, de->mft_ref, 0);
            if (orc == NTX_OK)
                orc = ntx_file_stat(&f, &st);
            if (orc != NTX_OK) {
                printf("E\t%s\topen: %s\n", path, ntx_strerror(orc));
                failures++;
                continue;
            }
            printf("O\t%s\t%llu\t%u\t%c\t%llu", path, (unsigned long long)NTX_REF_MFT(st.mft_ref),
                   (unsigned)NTX_REF_SEQ(st.mft_ref), st.is_dir ? 'd' : 'f',
                   (unsigned long long)st.size);
            times4(st.si_times);
            times4(st.fn_times);
            times4(de->times);
            printf("\n");
            streams(&f, path, st.has_data && !st.is_dir);
            if (!st.is_dir)
                continue;
            bool seen = false;
            for (size_t i = 0; i < nvisited; i++)
                seen = seen || visited[i] == f.mft_no;
            if (seen)
                continue;
            if (nvisited == vcap)
                visited = realloc(visited, (vcap *= 2) * sizeof *visited);
            if (tail == cap)
                q = realloc(q, (cap *= 2) * sizeof *q);
            if (!visited || !q)
                return 2;
            visited[nvisited++] = f.mft_no;
            q[tail++] = (struct pending){ de->mft_ref, strdup(path) };
        }
        if (rc != NTX_END) {
            printf("E\t%s\tlisting: %s\n", p.path[0] ? p.path : "/", ntx_strerror(rc));
            failures++;
        }
        free(p.path);
    }
    ntx_volume_unmount(vol);
    free(q);
    free(visited);
    free(de);
    free(it);
    free(chunk);
    free(vol);
    free(ws);
    close(fd);
    return failures ? 1 : 0;
}
