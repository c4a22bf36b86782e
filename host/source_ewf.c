/*
 * source_ewf.c - Expert Witness images (EnCase E01 and its segments E02...,
 * Ex01) through libewf. libewf finds the segments from the first one
 * (libewf_glob) and decompresses the chunks; this file adapts its handle to
 * a source. A chunk whose checksum fails is reported as a read error, never
 * passed on as data.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#ifdef NTX_HOST_WITH_EWF
#include <libewf.h>

static struct {
    __typeof__(&libewf_glob) glob;
    __typeof__(&libewf_glob_free) glob_free;
    __typeof__(&libewf_handle_initialize) initialize;
    __typeof__(&libewf_handle_open) open;
    __typeof__(&libewf_handle_close) close;
    __typeof__(&libewf_handle_free) free;
    __typeof__(&libewf_handle_read_random) read_random;
    __typeof__(&libewf_handle_get_media_size) get_media_size;
    __typeof__(&libewf_handle_get_chunk_size) get_chunk_size;
    __typeof__(&libewf_handle_segment_files_corrupted) corrupted;
    __typeof__(&libewf_handle_set_read_zero_chunk_on_error) zero_on_error;
    __typeof__(&libewf_error_backtrace_sprint) error_sprint;
    __typeof__(&libewf_error_free) error_free;
    __typeof__(&libewf_get_access_flags_read) access_read;
} ewf;

static const host_sym ewf_syms[] = {
    { "libewf_glob", (void **)&ewf.glob },
    { "libewf_glob_free", (void **)&ewf.glob_free },
    { "libewf_handle_initialize", (void **)&ewf.initialize },
    { "libewf_handle_open", (void **)&ewf.open },
    { "libewf_handle_close", (void **)&ewf.close },
    { "libewf_handle_free", (void **)&ewf.free },
    { "libewf_handle_read_random", (void **)&ewf.read_random },
    { "libewf_handle_get_media_size", (void **)&ewf.get_media_size },
    { "libewf_handle_get_chunk_size", (void **)&ewf.get_chunk_size },
    { "libewf_handle_segment_files_corrupted", (void **)&ewf.corrupted },
    { "libewf_handle_set_read_zero_chunk_on_error", (void **)&ewf.zero_on_error },
    { "libewf_error_backtrace_sprint", (void **)&ewf.error_sprint },
    { "libewf_error_free", (void **)&ewf.error_free },
    { "libewf_get_access_flags_read", (void **)&ewf.access_read },
};

typedef struct ewf_source {
    host_source base;
    libewf_handle_t *handle;
} ewf_source;

/* libewf's words for error (freed here), first line of its backtrace. */
static void ewf_words(char *out, size_t cap, libewf_error_t **error)
{
    char trace[2048] = "";
    if (*error != NULL) {
        ewf.error_sprint(*error, trace, sizeof trace);
        ewf.error_free(error);
    }
    host_yal_words(out, cap, trace[0] ? trace : "no reason given");
}

static int ewf_read(host_source *src, uint64_t off, void *buf, size_t len)
{
    ewf_source *s = (ewf_source *)src;
    libewf_error_t *error = NULL;
    ssize_t n = ewf.read_random(s->handle, buf, len, (off64_t)off, &error);
    if (n == (ssize_t)len)
        return 0;
    char words[200];
    ewf_words(words, sizeof words, &error);
    snprintf(src->why, sizeof src->why, "libewf at offset %llu: %s", (unsigned long long)off,
             words);
    return -EIO;
}

static void ewf_close(host_source *src)
{
    ewf_source *s = (ewf_source *)src;
    if (s->handle != NULL) {
        ewf.close(s->handle, NULL);
        ewf.free(&s->handle, NULL);
    }
    free(s);
}

static const host_source_ops ewf_ops = { ewf_read, ewf_close };

host_source *host_ewf_open(const char *path, uint32_t *segments, char *detail, size_t cap,
                           ntx_host_error *err)
{
    if (!host_lib_load(HOST_LIB_EWF, ewf_syms, sizeof ewf_syms / sizeof ewf_syms[0],
                       "an E01 (Expert Witness) image", err))
        return NULL;
    ewf_source *s = calloc(1, sizeof *s);
    if (s == NULL) {
        host_fail(err, NTX_HOST_E_NOMEM, ENOMEM, "out of memory");
        return NULL;
    }
    s->base.ops = &ewf_ops;
    s->base.fd = -1;
    libewf_error_t *error = NULL;
    char **names = NULL;
    int count = 0;
    char *one[1] = { (char *)path };
    char words[300];
    /* the segments from the first one's name; a renamed single file as it is */
    if (ewf.glob(path, strlen(path), LIBEWF_FORMAT_UNKNOWN, &names, &count, &error) != 1 ||
        count <= 0) {
        if (error != NULL)
            ewf.error_free(&error);
        names = NULL;
        count = 1;
    }
    if (ewf.initialize(&s->handle, &error) != 1 ||
        ewf.open(s->handle, names != NULL ? names : one, count, ewf.access_read(), &error) != 1) {
        ewf_words(words, sizeof words, &error);
        host_fail(err, NTX_HOST_E_CONTAINER, 0,
                  "corrupt E01 image, or a segment is missing (libewf: %s)", words);
        goto fail;
    }
    size64_t media = 0;
    size32_t chunk = 0;
    if (ewf.get_media_size(s->handle, &media, &error) != 1) {
        ewf_words(words, sizeof words, &error);
        host_fail(err, NTX_HOST_E_CONTAINER, 0, "corrupt E01 image (libewf: %s)", words);
        goto fail;
    }
    if (ewf.corrupted(s->handle, &error) == 1) {
        host_fail(err, NTX_HOST_E_CONTAINER, 0,
                  "corrupt E01 image: libewf reports damaged segment files (one missing, cut "
                  "short or overwritten?)");
        goto fail;
    }
    if (error != NULL)
        ewf.error_free(&error);
    /* a chunk failing its checksum is an error, not zeros passed on as data */
    ewf.zero_on_error(s->handle, 0, NULL);
    if (ewf.get_chunk_size(s->handle, &chunk, NULL) != 1 || chunk < 4096 ||
        (chunk & (chunk - 1)) != 0 || chunk > (1u << 20))
        chunk = 32768;
    s->base.size = media;
    s->base.unit = chunk;
    *segments = (uint32_t)count;
    snprintf(detail, cap, "%d segment%s, %u-byte chunks", count, count == 1 ? "" : "s",
             (unsigned)chunk);
    if (names != NULL)
        ewf.glob_free(names, count, NULL);
    return &s->base;
fail:
    if (names != NULL)
        ewf.glob_free(names, count, NULL);
    ewf_close(&s->base);
    return NULL;
}

#else /* not built with libewf */

host_source *host_ewf_open(const char *path, uint32_t *segments, char *detail, size_t cap,
                           ntx_host_error *err)
{
    (void)path;
    (void)segments;
    (void)detail;
    (void)cap;
    host_lib_load(HOST_LIB_EWF, NULL, 0, "an E01 (Expert Witness) image", err);
    return NULL;
}

#endif
