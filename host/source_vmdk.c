/*
 * source_vmdk.c - VMware VMDK images through libvmdk: a text descriptor
 * naming its extents (flat or sparse, e.g. twoGbMaxExtentSparse), or a
 * sparse extent with its descriptor embedded (monolithicSparse,
 * streamOptimized). Extents are looked for next to the descriptor. A
 * snapshot's delta names its parent (parentFileNameHint), opened from the
 * same directory and stacked under it, to a fixed depth.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#ifdef NTX_HOST_WITH_VMDK
#include <libvmdk.h>

#define VMDK_MAX_CHAIN 16u

static struct {
    __typeof__(&libvmdk_handle_initialize) initialize;
    __typeof__(&libvmdk_handle_open) open;
    __typeof__(&libvmdk_handle_open_extent_data_files) open_extents;
    __typeof__(&libvmdk_handle_set_extent_data_files_path) set_extents_path;
    __typeof__(&libvmdk_handle_close) close;
    __typeof__(&libvmdk_handle_free) free;
    __typeof__(&libvmdk_handle_read_buffer_at_offset) read_at;
    __typeof__(&libvmdk_handle_get_media_size) get_media_size;
    __typeof__(&libvmdk_handle_get_number_of_extents) get_extents;
    __typeof__(&libvmdk_handle_get_utf8_parent_filename_size) parent_name_size;
    __typeof__(&libvmdk_handle_get_utf8_parent_filename) parent_name;
    __typeof__(&libvmdk_handle_set_parent_handle) set_parent;
    __typeof__(&libvmdk_error_backtrace_sprint) error_sprint;
    __typeof__(&libvmdk_error_free) error_free;
    __typeof__(&libvmdk_get_access_flags_read) access_read;
} vmdk;

static const host_sym vmdk_syms[] = {
    { "libvmdk_handle_initialize", (void **)&vmdk.initialize },
    { "libvmdk_handle_open", (void **)&vmdk.open },
    { "libvmdk_handle_open_extent_data_files", (void **)&vmdk.open_extents },
    { "libvmdk_handle_set_extent_data_files_path", (void **)&vmdk.set_extents_path },
    { "libvmdk_handle_close", (void **)&vmdk.close },
    { "libvmdk_handle_free", (void **)&vmdk.free },
    { "libvmdk_handle_read_buffer_at_offset", (void **)&vmdk.read_at },
    { "libvmdk_handle_get_media_size", (void **)&vmdk.get_media_size },
    { "libvmdk_handle_get_number_of_extents", (void **)&vmdk.get_extents },
    { "libvmdk_handle_get_utf8_parent_filename_size", (void **)&vmdk.parent_name_size },
    { "libvmdk_handle_get_utf8_parent_filename", (void **)&vmdk.parent_name },
    { "libvmdk_handle_set_parent_handle", (void **)&vmdk.set_parent },
    { "libvmdk_error_backtrace_sprint", (void **)&vmdk.error_sprint },
    { "libvmdk_error_free", (void **)&vmdk.error_free },
    { "libvmdk_get_access_flags_read", (void **)&vmdk.access_read },
};

typedef struct vmdk_source {
    host_source base;
    libvmdk_handle_t *handles[VMDK_MAX_CHAIN]; /* [0] the image given, then its parents */
    unsigned count;
} vmdk_source;

static void vmdk_words(char *out, size_t cap, libvmdk_error_t **error)
{
    char trace[2048] = "";
    if (*error != NULL) {
        vmdk.error_sprint(*error, trace, sizeof trace);
        vmdk.error_free(error);
    }
    host_yal_words(out, cap, trace[0] ? trace : "no reason given");
}

static int vmdk_read(host_source *src, uint64_t off, void *buf, size_t len)
{
    vmdk_source *s = (vmdk_source *)src;
    libvmdk_error_t *error = NULL;
    ssize_t n = vmdk.read_at(s->handles[0], buf, len, (off64_t)off, &error);
    if (n == (ssize_t)len)
        return 0;
    char words[200];
    vmdk_words(words, sizeof words, &error);
    snprintf(src->why, sizeof src->why, "libvmdk at offset %llu: %s", (unsigned long long)off,
             words);
    return -EIO;
}

static void vmdk_close(host_source *src)
{
    vmdk_source *s = (vmdk_source *)src;
    for (unsigned i = 0; i < s->count; i++) {
        vmdk.close(s->handles[i], NULL);
        vmdk.free(&s->handles[i], NULL);
    }
    free(s);
}

static const host_source_ops vmdk_ops = { vmdk_read, vmdk_close };

/* Open the descriptor (or sparse file) at path and its extents. */
/* top: the image given (its path is in the front-end's message), or a parent. */
static libvmdk_handle_t *vmdk_open_one(const char *path, bool top, ntx_host_error *err)
{
    libvmdk_handle_t *h = NULL;
    libvmdk_error_t *error = NULL;
    const char *slash = strrchr(path, '/');
    const char *dir = slash != NULL ? path : ".";
    size_t dir_len = slash != NULL ? (size_t)(slash - path) : 1;
    if (dir_len == 0) { /* "/name" */
        dir = "/";
        dir_len = 1;
    }
    if (vmdk.initialize(&h, &error) == 1 && vmdk.open(h, path, vmdk.access_read(), &error) == 1 &&
        vmdk.set_extents_path(h, dir, dir_len, &error) == 1 &&
        vmdk.open_extents(h, &error) == 1)
        return h;
    char words[300];
    vmdk_words(words, sizeof words, &error);
    host_fail(err, NTX_HOST_E_CONTAINER, 0,
              "corrupt VMDK image%s%s, or one of its extents is missing (libvmdk: %s)",
              top ? "" : " ", top ? "" : path, words);
    if (h != NULL) {
        vmdk.close(h, NULL);
        vmdk.free(&h, NULL);
    }
    return NULL;
}

static bool vmdk_open_parents(vmdk_source *s, const char *path, ntx_host_error *err)
{
    char cur[4096], parent[4096];
    snprintf(cur, sizeof cur, "%s", path);
    size_t size = 0;
    /* bound: at most VMDK_MAX_CHAIN handles */
    while (vmdk.parent_name_size(s->handles[s->count - 1], &size, NULL) == 1 && size > 1) {
        uint8_t name[4096];
        if (size > sizeof name ||
            vmdk.parent_name(s->handles[s->count - 1], name, sizeof name, NULL) != 1)
            break;
        if (s->count == VMDK_MAX_CHAIN) {
            host_fail(err, NTX_HOST_E_CONTAINER, 0,
                      "VMDK snapshots stacked more than %u deep (a loop of parents?)",
                      VMDK_MAX_CHAIN);
            return false;
        }
        const char *base = strrchr((const char *)name, '/');
        base = base != NULL ? base + 1 : (const char *)name;
        if (!host_sibling_path(parent, sizeof parent, cur, base) ||
            access(parent, R_OK) != 0) {
            host_fail(err, NTX_HOST_E_CONTAINER, ENOENT,
                      "VMDK snapshot %s: its parent \"%s\" is missing (looked for %s)", cur,
                      (const char *)name, parent);
            return false;
        }
        libvmdk_handle_t *p = vmdk_open_one(parent, false, err);
        if (p == NULL)
            return false;
        s->handles[s->count++] = p;
        snprintf(cur, sizeof cur, "%s", parent);
    }
    for (unsigned i = s->count - 1; i > 0; i--) { /* bound: count handles */
        libvmdk_error_t *error = NULL;
        if (vmdk.set_parent(s->handles[i - 1], s->handles[i], &error) != 1) {
            char words[300];
            vmdk_words(words, sizeof words, &error);
            host_fail(err, NTX_HOST_E_CONTAINER, 0, "cannot stack the VMDK snapshots (%s)",
                      words);
            return false;
        }
    }
    return true;
}

host_source *host_vmdk_open(const char *path, uint32_t *extents, char *detail, size_t cap,
                            ntx_host_error *err)
{
    if (!host_lib_load(HOST_LIB_VMDK, vmdk_syms, sizeof vmdk_syms / sizeof vmdk_syms[0],
                       "a VMDK image", err))
        return NULL;
    vmdk_source *s = calloc(1, sizeof *s);
    if (s == NULL) {
        host_fail(err, NTX_HOST_E_NOMEM, ENOMEM, "out of memory");
        return NULL;
    }
    s->base.ops = &vmdk_ops;
    s->base.fd = -1;
    s->base.unit = 65536; /* a grain table's worth of grains is 64 KiB at least */
    s->handles[0] = vmdk_open_one(path, true, err);
    if (s->handles[0] == NULL) {
        free(s);
        return NULL;
    }
    s->count = 1;
    if (!vmdk_open_parents(s, path, err))
        goto fail;
    size64_t media = 0;
    int n = 0;
    libvmdk_error_t *error = NULL;
    if (vmdk.get_media_size(s->handles[0], &media, &error) != 1) {
        char words[300];
        vmdk_words(words, sizeof words, &error);
        host_fail(err, NTX_HOST_E_CONTAINER, 0, "corrupt VMDK image (libvmdk: %s)", words);
        goto fail;
    }
    vmdk.get_extents(s->handles[0], &n, NULL);
    s->base.size = media;
    *extents = (uint32_t)(n > 0 ? n : 1);
    snprintf(detail, cap, "%d extent%s%s", n, n == 1 ? "" : "s",
             s->count > 1 ? ", with parent snapshots" : "");
    return &s->base;
fail:
    vmdk_close(&s->base);
    return NULL;
}

#else /* not built with libvmdk */

host_source *host_vmdk_open(const char *path, uint32_t *extents, char *detail, size_t cap,
                            ntx_host_error *err)
{
    (void)path;
    (void)extents;
    (void)detail;
    (void)cap;
    host_lib_load(HOST_LIB_VMDK, NULL, 0, "a VMDK image", err);
    return NULL;
}

#endif
