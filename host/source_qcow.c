/*
 * source_qcow.c - QEMU qcow images (versions 1, 2 and 3) through libqcow.
 * A backing file (a qcow2 overlay's base) is looked for under the name the
 * overlay records, relative to the overlay's directory when not absolute,
 * and stacked under it to a fixed depth. Encrypted images are refused: no
 * password can be given.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#ifdef NTX_HOST_WITH_QCOW
#include <libqcow.h>

#define QCOW_MAX_CHAIN 16u

static struct {
    __typeof__(&libqcow_file_initialize) initialize;
    __typeof__(&libqcow_file_open) open;
    __typeof__(&libqcow_file_close) close;
    __typeof__(&libqcow_file_free) free;
    __typeof__(&libqcow_file_read_buffer_at_offset) read_at;
    __typeof__(&libqcow_file_get_media_size) get_media_size;
    __typeof__(&libqcow_file_get_format_version) get_version;
    __typeof__(&libqcow_file_get_encryption_method) get_encryption;
    __typeof__(&libqcow_file_get_utf8_backing_filename_size) backing_name_size;
    __typeof__(&libqcow_file_get_utf8_backing_filename) backing_name;
    __typeof__(&libqcow_file_set_parent_file) set_parent;
    __typeof__(&libqcow_error_backtrace_sprint) error_sprint;
    __typeof__(&libqcow_error_free) error_free;
    __typeof__(&libqcow_get_access_flags_read) access_read;
} qcow;

static const host_sym qcow_syms[] = {
    { "libqcow_file_initialize", (void **)&qcow.initialize },
    { "libqcow_file_open", (void **)&qcow.open },
    { "libqcow_file_close", (void **)&qcow.close },
    { "libqcow_file_free", (void **)&qcow.free },
    { "libqcow_file_read_buffer_at_offset", (void **)&qcow.read_at },
    { "libqcow_file_get_media_size", (void **)&qcow.get_media_size },
    { "libqcow_file_get_format_version", (void **)&qcow.get_version },
    { "libqcow_file_get_encryption_method", (void **)&qcow.get_encryption },
    { "libqcow_file_get_utf8_backing_filename_size", (void **)&qcow.backing_name_size },
    { "libqcow_file_get_utf8_backing_filename", (void **)&qcow.backing_name },
    { "libqcow_file_set_parent_file", (void **)&qcow.set_parent },
    { "libqcow_error_backtrace_sprint", (void **)&qcow.error_sprint },
    { "libqcow_error_free", (void **)&qcow.error_free },
    { "libqcow_get_access_flags_read", (void **)&qcow.access_read },
};

typedef struct qcow_source {
    host_source base;
    libqcow_file_t *files[QCOW_MAX_CHAIN]; /* [0] the image given, then its backing files */
    unsigned count;
    uint32_t cluster;   /* bytes per cluster */
    uint8_t *bounce;    /* one cluster, for reads that do not cover whole clusters */
} qcow_source;

static void qcow_words(char *out, size_t cap, libqcow_error_t **error)
{
    char trace[2048] = "";
    if (*error != NULL) {
        qcow.error_sprint(*error, trace, sizeof trace);
        qcow.error_free(error);
    }
    host_yal_words(out, cap, trace[0] ? trace : "no reason given");
}

/* One whole cluster at off (cluster-aligned) into dst. */
static int qcow_read_cluster(qcow_source *s, uint64_t off, uint8_t *dst, size_t len)
{
    libqcow_error_t *error = NULL;
    ssize_t n = qcow.read_at(s->files[0], dst, len, (off64_t)off, &error);
    if (n == (ssize_t)len)
        return 0;
    char words[200];
    qcow_words(words, sizeof words, &error);
    snprintf(s->base.why, sizeof s->base.why, "libqcow at offset %llu: %s",
             (unsigned long long)off, words);
    return -EIO;
}

/* libqcow 20201213 (Debian 12) returns wrong bytes for a read that does
 * not cover whole clusters of an image with a backing file (measured: a
 * qcow2 overlay read in 4 KiB or 1 MiB pieces differs from qemu-img's
 * conversion, in 64 KiB pieces it does not). So libqcow is asked for one
 * whole cluster at a time, through a bounce cluster when the caller's
 * range covers only part of one. */
static int qcow_read(host_source *src, uint64_t off, void *buf, size_t len)
{
    qcow_source *s = (qcow_source *)src;
    uint8_t *out = buf;
    while (len > 0) { /* bound: len shrinks by at least one byte per cluster */
        uint64_t start = off - off % s->cluster;
        uint64_t end = start + s->cluster;
        uint64_t avail = src->size - start < s->cluster ? src->size - start : s->cluster;
        size_t in = (size_t)(off - start);
        size_t take = end - off < len ? (size_t)(end - off) : len;
        int rc;
        if (in == 0 && take == avail) {
            rc = qcow_read_cluster(s, start, out, take);
        } else {
            rc = qcow_read_cluster(s, start, s->bounce, (size_t)avail);
            if (rc == 0)
                memcpy(out, s->bounce + in, take);
        }
        if (rc != 0)
            return rc;
        out += take;
        off += take;
        len -= take;
    }
    return 0;
}

static void qcow_close(host_source *src)
{
    qcow_source *s = (qcow_source *)src;
    for (unsigned i = 0; i < s->count; i++) {
        qcow.close(s->files[i], NULL);
        qcow.free(&s->files[i], NULL);
    }
    free(s->bounce);
    free(s);
}

/* The cluster size in the header: a big-endian cluster_bits at 20 in
 * versions 2 and 3, a byte at 32 in version 1 (QEMU's qcow2 and qcow
 * format descriptions). 0 when unreadable or out of 9..21. */
static uint32_t qcow_cluster_size(const char *path)
{
    uint8_t h[36];
    uint64_t size = 0;
    ntx_host_error err;
    int fd = host_file_open(path, &size, &err);
    if (fd < 0)
        return 0;
    int rc = size >= sizeof h ? host_pread_full(fd, 0, h, sizeof h) : -1;
    close(fd);
    if (rc != 0)
        return 0;
    uint32_t version = (uint32_t)h[4] << 24 | (uint32_t)h[5] << 16 | (uint32_t)h[6] << 8 | h[7];
    uint32_t bits = version == 1 ? h[32]
                                 : (uint32_t)h[20] << 24 | (uint32_t)h[21] << 16 |
                                       (uint32_t)h[22] << 8 | h[23];
    return bits >= 9 && bits <= 21 ? 1u << bits : 0;
}

static const host_source_ops qcow_ops = { qcow_read, qcow_close };

/* top: the image given (its path is in the front-end's message), or a backing file. */
static libqcow_file_t *qcow_open_one(const char *path, bool top, ntx_host_error *err)
{
    libqcow_file_t *f = NULL;
    libqcow_error_t *error = NULL;
    if (qcow.initialize(&f, &error) == 1 && qcow.open(f, path, qcow.access_read(), &error) == 1) {
        uint32_t method = 0;
        if (qcow.get_encryption(f, &method, NULL) == 1 && method != 0) {
            host_fail(err, NTX_HOST_E_UNSUPPORTED, 0,
                      "encrypted qcow image%s%s: ntx cannot take its password; decrypt it first "
                      "(qemu-img convert)",
                      top ? "" : " ", top ? "" : path);
            qcow.close(f, NULL);
            qcow.free(&f, NULL);
            return NULL;
        }
        return f;
    }
    char words[300];
    qcow_words(words, sizeof words, &error);
    host_fail(err, NTX_HOST_E_CONTAINER, 0, "corrupt qcow image%s%s (libqcow: %s)",
              top ? "" : " ", top ? "" : path, words);
    if (f != NULL)
        qcow.free(&f, NULL);
    return NULL;
}

static bool qcow_open_backing(qcow_source *s, const char *path, ntx_host_error *err)
{
    char cur[4096], parent[4096];
    snprintf(cur, sizeof cur, "%s", path);
    size_t size = 0;
    /* bound: at most QCOW_MAX_CHAIN files */
    while (qcow.backing_name_size(s->files[s->count - 1], &size, NULL) == 1 && size > 1) {
        uint8_t name[4096];
        if (size > sizeof name ||
            qcow.backing_name(s->files[s->count - 1], name, sizeof name, NULL) != 1)
            break;
        if (s->count == QCOW_MAX_CHAIN) {
            host_fail(err, NTX_HOST_E_CONTAINER, 0,
                      "qcow backing files stacked more than %u deep (a loop?)", QCOW_MAX_CHAIN);
            return false;
        }
        bool named = name[0] == '/'
                         ? (snprintf(parent, sizeof parent, "%s", (const char *)name), true)
                         : host_sibling_path(parent, sizeof parent, cur, (const char *)name);
        if (!named || access(parent, R_OK) != 0) {
            host_fail(err, NTX_HOST_E_CONTAINER, ENOENT,
                      "qcow image %s: its backing file \"%s\" is missing (looked for %s)", cur,
                      (const char *)name, parent);
            return false;
        }
        libqcow_file_t *p = qcow_open_one(parent, false, err);
        if (p == NULL)
            return false;
        s->files[s->count++] = p;
        snprintf(cur, sizeof cur, "%s", parent);
    }
    for (unsigned i = s->count - 1; i > 0; i--) { /* bound: count files */
        libqcow_error_t *error = NULL;
        if (qcow.set_parent(s->files[i - 1], s->files[i], &error) != 1) {
            char words[300];
            qcow_words(words, sizeof words, &error);
            host_fail(err, NTX_HOST_E_CONTAINER, 0, "cannot stack the qcow backing files (%s)",
                      words);
            return false;
        }
    }
    return true;
}

host_source *host_qcow_open(const char *path, char *detail, size_t cap, ntx_host_error *err)
{
    if (!host_lib_load(HOST_LIB_QCOW, qcow_syms, sizeof qcow_syms / sizeof qcow_syms[0],
                       "a qcow image", err))
        return NULL;
    qcow_source *s = calloc(1, sizeof *s);
    if (s == NULL) {
        host_fail(err, NTX_HOST_E_NOMEM, ENOMEM, "out of memory");
        return NULL;
    }
    s->base.ops = &qcow_ops;
    s->base.fd = -1;
    s->cluster = qcow_cluster_size(path);
    if (s->cluster == 0) {
        free(s);
        host_fail(err, NTX_HOST_E_CONTAINER, 0, "corrupt qcow image: no valid cluster size");
        return NULL;
    }
    s->base.unit = s->cluster < 4096 ? 4096 : s->cluster;
    s->bounce = malloc(s->cluster);
    if (s->bounce == NULL) {
        free(s);
        host_fail(err, NTX_HOST_E_NOMEM, ENOMEM, "out of memory");
        return NULL;
    }
    s->files[0] = qcow_open_one(path, true, err);
    if (s->files[0] == NULL) {
        free(s->bounce);
        free(s);
        return NULL;
    }
    s->count = 1;
    if (!qcow_open_backing(s, path, err))
        goto fail;
    size64_t media = 0;
    uint32_t version = 0;
    libqcow_error_t *error = NULL;
    if (qcow.get_media_size(s->files[0], &media, &error) != 1) {
        char words[300];
        qcow_words(words, sizeof words, &error);
        host_fail(err, NTX_HOST_E_CONTAINER, 0, "corrupt qcow image (libqcow: %s)", words);
        goto fail;
    }
    qcow.get_version(s->files[0], &version, NULL);
    s->base.size = media;
    snprintf(detail, cap, "version %u%s", version,
             s->count > 1 ? ", over a backing file" : "");
    return &s->base;
fail:
    qcow_close(&s->base);
    return NULL;
}

#else /* not built with libqcow */

host_source *host_qcow_open(const char *path, char *detail, size_t cap, ntx_host_error *err)
{
    (void)path;
    (void)detail;
    (void)cap;
    host_lib_load(HOST_LIB_QCOW, NULL, 0, "a qcow image", err);
    return NULL;
}

#endif
