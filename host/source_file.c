/*
 * source_file.c - raw images: one file or block device, or a raw image split
 * into segments (NAME.001, NAME.002, ... as FTK Imager and `split -d` write
 * them; NAME.aa, NAME.ab, ... as `split` writes them by default).
 *
 * Files are opened O_RDONLY, with O_NOATIME when the kernel allows it (the
 * caller must own the file): reading evidence leaves its access time alone.
 * Nothing here ever writes.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* Segments of a split set read at most (three decimal digits, or two letters: 676). */
#define SPLIT_MAX_SEGMENTS 1000u

int host_pread_full(int fd, uint64_t off, void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len > 0) { /* bound: len shrinks by n > 0 each pass, or we return */
        ssize_t n = pread(fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno > 0 ? -errno : -EIO;
        if (n == 0)
            return -EIO; /* end of file: a short read is a failure */
        p += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
    return 0;
}

int host_file_open(const char *path, uint64_t *size, ntx_host_error *err)
{
    int flags = O_RDONLY | O_CLOEXEC;
    int fd = -1;
#ifdef O_NOATIME
    fd = open(path, flags | O_NOATIME);
    if (fd < 0 && errno == EPERM) /* O_NOATIME needs the file's owner (or CAP_FOWNER) */
#endif
        fd = open(path, flags);
    if (fd < 0) {
        host_fail(err, NTX_HOST_E_OPEN, errno, "cannot open: %s", strerror(errno));
        return -1;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        host_fail(err, NTX_HOST_E_OPEN, errno, "cannot examine: %s", strerror(errno));
        close(fd);
        return -1;
    }
    if (S_ISDIR(sb.st_mode)) {
        host_fail(err, NTX_HOST_E_OPEN, EISDIR, "is a directory, not an image");
        close(fd);
        return -1;
    }
    if (S_ISREG(sb.st_mode)) {
        *size = (uint64_t)sb.st_size;
    } else if (S_ISBLK(sb.st_mode)) {
        off_t end = lseek(fd, 0, SEEK_END);
        if (end < 0) {
            host_fail(err, NTX_HOST_E_OPEN, errno, "cannot find the device's size: %s",
                      strerror(errno));
            close(fd);
            return -1;
        }
        *size = (uint64_t)end;
    } else {
        host_fail(err, NTX_HOST_E_OPEN, 0,
                  "not a regular file or a block device (a pipe or a terminal cannot be read "
                  "at random offsets)");
        close(fd);
        return -1;
    }
    return fd;
}

/* ---- one file ---- */

typedef struct file_source {
    host_source base;
} file_source;

static int file_read(host_source *src, uint64_t off, void *buf, size_t len)
{
    int rc = host_pread_full(src->fd, off, buf, len);
    if (rc != 0)
        snprintf(src->why, sizeof src->why, "reading the file at offset %llu: %s",
                 (unsigned long long)off, strerror(-rc));
    return rc;
}

static void file_close(host_source *src)
{
    host_map_free(src->map);
    if (src->fd >= 0)
        close(src->fd);
    free(src);
}

static const host_source_ops file_ops = { file_read, file_close };

host_source *host_file_source(int fd, uint64_t size, size_t map_budget, ntx_host_error *err)
{
    file_source *f = calloc(1, sizeof *f);
    if (f == NULL) {
        host_fail(err, NTX_HOST_E_NOMEM, ENOMEM, "out of memory");
        return NULL;
    }
    f->base.ops = &file_ops;
    f->base.size = size;
    f->base.unit = 4096;
    f->base.fd = fd;
    if (map_budget > 0)
        f->base.map = host_map_file(fd, size, map_budget); /* NULL: pread() */
    return &f->base;
}

/* ---- split sets ---- */

typedef struct segment {
    int fd;
    uint64_t start, size; /* where it sits in the whole image */
} segment;

typedef struct split_source {
    host_source base;
    segment *seg;
    uint32_t count;
} split_source;

/* The suffix after the last '.': digits (kind 'd') or two letters (kind 'a').
 * Returns its position in path or 0 when there is none. */
static size_t split_suffix(const char *path, char *kind, unsigned *width, unsigned *index)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (dot == NULL || (slash != NULL && dot < slash) || dot == path || dot[-1] == '/')
        return 0;
    const char *s = dot + 1;
    size_t n = strlen(s);
    if (n >= 2 && n <= 4 && strspn(s, "0123456789") == n) {
        *kind = 'd';
        *width = (unsigned)n;
        *index = (unsigned)strtoul(s, NULL, 10);
        return (size_t)(s - path);
    }
    if (n == 2 && ((islower((unsigned char)s[0]) && islower((unsigned char)s[1])) ||
                   (isupper((unsigned char)s[0]) && isupper((unsigned char)s[1])))) {
        char base = islower((unsigned char)s[0]) ? 'a' : 'A';
        *kind = 'a';
        *width = 2;
        *index = (unsigned)(s[0] - base) * 26u + (unsigned)(s[1] - base);
        return (size_t)(s - path);
    }
    return 0;
}

/* Segment name number index (kind, width) written over the suffix at pos. */
static void split_name(char *name, size_t pos, char kind, unsigned width, unsigned index,
                       bool upper)
{
    if (kind == 'd') {
        char digits[16];
        snprintf(digits, sizeof digits, "%0*u", (int)width, index);
        memcpy(name + pos, digits, (size_t)width + 1u);
    } else {
        char base = upper ? 'A' : 'a';
        name[pos] = (char)(base + (char)(index / 26u));
        name[pos + 1] = (char)(base + (char)(index % 26u));
        name[pos + 2] = '\0';
    }
}

static bool exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

bool host_split_is_later_segment(const char *path, char *first, size_t cap)
{
    char kind;
    unsigned width, index;
    size_t pos = split_suffix(path, &kind, &width, &index);
    size_t len = strlen(path);
    if (pos == 0 || len + 1 > cap)
        return false;
    bool upper = kind == 'a' && isupper((unsigned char)path[pos]);
    memcpy(first, path, len + 1);
    unsigned first_index = 0;
    if (kind == 'd') {
        split_name(first, pos, kind, width, 0, upper);
        first_index = exists(first) ? 0u : 1u;
    }
    if (index <= first_index)
        return false;
    split_name(first, pos, kind, width, first_index, upper);
    return exists(first);
}

static int split_read(host_source *src, uint64_t off, void *buf, size_t len)
{
    split_source *s = (split_source *)src;
    uint8_t *p = buf;
    /* the first segment holding off: binary search over the starts */
    uint32_t lo = 0, hi = s->count;
    while (hi - lo > 1) { /* bound: the range halves */
        uint32_t mid = lo + (hi - lo) / 2;
        if (s->seg[mid].start <= off)
            lo = mid;
        else
            hi = mid;
    }
    for (uint32_t i = lo; len > 0 && i < s->count; i++) { /* bound: one pass per segment */
        const segment *g = &s->seg[i];
        if (off >= g->start + g->size)
            continue;
        uint64_t in = off - g->start;
        size_t n = g->size - in < len ? (size_t)(g->size - in) : len;
        int rc = host_pread_full(g->fd, in, p, n);
        if (rc != 0) {
            snprintf(src->why, sizeof src->why, "reading segment %u at offset %llu: %s", i + 1,
                     (unsigned long long)in, strerror(-rc));
            return rc;
        }
        p += n;
        off += n;
        len -= n;
    }
    if (len > 0) {
        snprintf(src->why, sizeof src->why, "read past the last segment");
        return -EIO;
    }
    return 0;
}

static void split_close(host_source *src)
{
    split_source *s = (split_source *)src;
    for (uint32_t i = 0; i < s->count; i++)
        close(s->seg[i].fd);
    free(s->seg);
    free(s);
}

static const host_source_ops split_ops = { split_read, split_close };

host_source *host_split_source(const char *path, uint32_t *segments, ntx_host_error *err)
{
    char kind;
    unsigned width, index;
    err->status = NTX_HOST_OK;
    size_t pos = split_suffix(path, &kind, &width, &index);
    if (pos == 0 || index > 1 || (kind == 'a' && index != 0))
        return NULL;
    size_t len = strlen(path);
    char *name = malloc(len + 8);
    split_source *s = calloc(1, sizeof *s);
    if (name == NULL || s == NULL) {
        free(name);
        free(s);
        host_fail(err, NTX_HOST_E_NOMEM, ENOMEM, "out of memory");
        return NULL;
    }
    memcpy(name, path, len + 1);
    bool upper = kind == 'a' && isupper((unsigned char)path[pos]);
    split_name(name, pos, kind, width, index + 1, upper);
    if (!exists(name)) { /* NAME.001 alone: a plain raw file */
        free(name);
        free(s);
        return NULL;
    }
    s->base.ops = &split_ops;
    s->base.unit = 4096;
    s->base.fd = -1;
    unsigned limit = kind == 'd' ? (width >= 3 ? SPLIT_MAX_SEGMENTS : 100u) : 676u;
    uint64_t start = 0;
    for (unsigned k = index; k < limit; k++) { /* bound: at most limit segment names */
        split_name(name, pos, kind, width, k, upper);
        if (k > index && !exists(name))
            break;
        segment *grown = realloc(s->seg, (s->count + 1u) * sizeof *grown);
        if (grown == NULL) {
            host_fail(err, NTX_HOST_E_NOMEM, ENOMEM, "out of memory");
            goto fail;
        }
        s->seg = grown;
        uint64_t size = 0;
        int fd = host_file_open(name, &size, err);
        if (fd < 0) {
            char why[sizeof err->message];
            snprintf(why, sizeof why, "%s", err->message);
            host_fail(err, NTX_HOST_E_CONTAINER, err->sys_errno, "split image segment %s: %s",
                      name, why);
            goto fail;
        }
        s->seg[s->count++] = (segment){ fd, start, size };
        start += size;
    }
    /* every segment but the last holds as much as the first: one cut short
     * in the middle would shift everything after it */
    for (uint32_t i = 1; i + 1 < s->count; i++) {
        if (s->seg[i].size != s->seg[0].size) {
            split_name(name, pos, kind, width, index + i, upper);
            host_fail(err, NTX_HOST_E_CONTAINER, 0,
                      "split image segment %s holds %llu bytes where the first holds %llu: a "
                      "segment cut short?",
                      name, (unsigned long long)s->seg[i].size,
                      (unsigned long long)s->seg[0].size);
            goto fail;
        }
    }
    s->base.size = start;
    *segments = s->count;
    free(name);
    return &s->base;
fail:
    free(name);
    split_close(&s->base);
    return NULL;
}

int host_source_read(host_source *src, uint64_t off, void *buf, size_t len)
{
    if (off > src->size || len > src->size - off) {
        snprintf(src->why, sizeof src->why, "read past the end of the image (%llu bytes)",
                 (unsigned long long)src->size);
        return -EIO;
    }
    return src->ops->read(src, off, buf, len);
}
