/*
 * source_vhdi.c - VHD (fixed, dynamic, differencing) and VHDX images through
 * libvhdi. A differencing image names its parent (a Windows path in the VHD
 * parent locators or the VHDX metadata); the parent is looked for next to
 * the child under that name's last component, as Hyper-V keeps them, and
 * must carry the identifier the child records. Chains are followed to a
 * fixed depth.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#ifdef NTX_HOST_WITH_VHDI
#include <libvhdi.h>

/* Differencing images stacked at most (a loop of parents ends here). */
#define VHDI_MAX_CHAIN 16u

static struct {
    __typeof__(&libvhdi_file_initialize) initialize;
    __typeof__(&libvhdi_file_open) open;
    __typeof__(&libvhdi_file_close) close;
    __typeof__(&libvhdi_file_free) free;
    __typeof__(&libvhdi_file_read_buffer_at_offset) read_at;
    __typeof__(&libvhdi_file_get_media_size) get_media_size;
    __typeof__(&libvhdi_file_get_disk_type) get_disk_type;
    __typeof__(&libvhdi_file_get_utf8_parent_filename_size) parent_name_size;
    __typeof__(&libvhdi_file_get_utf8_parent_filename) parent_name;
    __typeof__(&libvhdi_file_get_parent_identifier) parent_id;
    __typeof__(&libvhdi_file_get_identifier) id;
    __typeof__(&libvhdi_file_set_parent_file) set_parent;
    __typeof__(&libvhdi_error_backtrace_sprint) error_sprint;
    __typeof__(&libvhdi_error_free) error_free;
    __typeof__(&libvhdi_get_access_flags_read) access_read;
} vhdi;

static const host_sym vhdi_syms[] = {
    { "libvhdi_file_initialize", (void **)&vhdi.initialize },
    { "libvhdi_file_open", (void **)&vhdi.open },
    { "libvhdi_file_close", (void **)&vhdi.close },
    { "libvhdi_file_free", (void **)&vhdi.free },
    { "libvhdi_file_read_buffer_at_offset", (void **)&vhdi.read_at },
    { "libvhdi_file_get_media_size", (void **)&vhdi.get_media_size },
    { "libvhdi_file_get_disk_type", (void **)&vhdi.get_disk_type },
    { "libvhdi_file_get_utf8_parent_filename_size", (void **)&vhdi.parent_name_size },
    { "libvhdi_file_get_utf8_parent_filename", (void **)&vhdi.parent_name },
    { "libvhdi_file_get_parent_identifier", (void **)&vhdi.parent_id },
    { "libvhdi_file_get_identifier", (void **)&vhdi.id },
    { "libvhdi_file_set_parent_file", (void **)&vhdi.set_parent },
    { "libvhdi_error_backtrace_sprint", (void **)&vhdi.error_sprint },
    { "libvhdi_error_free", (void **)&vhdi.error_free },
    { "libvhdi_get_access_flags_read", (void **)&vhdi.access_read },
};

typedef struct vhdi_source {
    host_source base;
    libvhdi_file_t *files[VHDI_MAX_CHAIN]; /* [0] the image given, then its parents */
    unsigned count;
} vhdi_source;

static void vhdi_words(char *out, size_t cap, libvhdi_error_t **error)
{
    char trace[2048] = "";
    if (*error != NULL) {
        vhdi.error_sprint(*error, trace, sizeof trace);
        vhdi.error_free(error);
    }
    host_yal_words(out, cap, trace[0] ? trace : "no reason given");
}

static int vhdi_read(host_source *src, uint64_t off, void *buf, size_t len)
{
    vhdi_source *s = (vhdi_source *)src;
    libvhdi_error_t *error = NULL;
    ssize_t n = vhdi.read_at(s->files[0], buf, len, (off64_t)off, &error);
    if (n == (ssize_t)len)
        return 0;
    char words[200];
    vhdi_words(words, sizeof words, &error);
    snprintf(src->why, sizeof src->why, "libvhdi at offset %llu: %s", (unsigned long long)off,
             words);
    return -EIO;
}

static void vhdi_close(host_source *src)
{
    vhdi_source *s = (vhdi_source *)src;
    for (unsigned i = 0; i < s->count; i++) {
        vhdi.close(s->files[i], NULL);
        vhdi.free(&s->files[i], NULL);
    }
    free(s);
}

static const host_source_ops vhdi_ops = { vhdi_read, vhdi_close };

/* Where the parent named name (maybe "C:\dir\base.vhd") is: as written if
 * that exists, else its last component next to child. */
static bool vhdi_parent_path(const char *child, const char *name, char *out, size_t cap)
{
    if (name[0] == '/' && access(name, R_OK) == 0) {
        snprintf(out, cap, "%s", name);
        return true;
    }
    const char *base = name;
    for (const char *p = name; *p != '\0'; p++)
        if (*p == '\\' || *p == '/' || (*p == ':' && p == name + 1))
            base = p + 1;
    return host_sibling_path(out, cap, child, base) && access(out, R_OK) == 0;
}

/* role: NULL for the image given (its path is in the front-end's message),
 * "parent image" for the others; kind "VHD" or "VHDX". */
static libvhdi_file_t *vhdi_open_one(const char *path, const char *role, const char *kind,
                                     ntx_host_error *err)
{
    libvhdi_file_t *f = NULL;
    libvhdi_error_t *error = NULL;
    if (vhdi.initialize(&f, &error) == 1 && vhdi.open(f, path, vhdi.access_read(), &error) == 1)
        return f;
    char words[300];
    vhdi_words(words, sizeof words, &error);
    if (role != NULL)
        host_fail(err, NTX_HOST_E_CONTAINER, 0, "corrupt %s %s (libvhdi: %s)", role, path, words);
    else
        host_fail(err, NTX_HOST_E_CONTAINER, 0, "corrupt %s image (libvhdi: %s)", kind, words);
    if (f != NULL)
        vhdi.free(&f, NULL);
    return NULL;
}

static const char *vhdi_type_name(uint32_t type)
{
    switch (type) {
    case LIBVHDI_DISK_TYPE_FIXED:
        return "fixed";
    case LIBVHDI_DISK_TYPE_DYNAMIC:
        return "dynamic";
    case LIBVHDI_DISK_TYPE_DIFFERENTIAL:
        return "differencing";
    default:
        return "unknown type";
    }
}

/* Open the parents of s->files[count - 1] (a differencing image), then
 * attach each to its child, oldest first. */
static bool vhdi_open_parents(vhdi_source *s, const char *path, ntx_host_error *err)
{
    char cur[4096], parent[4096];
    snprintf(cur, sizeof cur, "%s", path);
    uint32_t type = 0;
    /* bound: at most VHDI_MAX_CHAIN files */
    while (vhdi.get_disk_type(s->files[s->count - 1], &type, NULL) == 1 &&
           type == LIBVHDI_DISK_TYPE_DIFFERENTIAL) {
        libvhdi_file_t *child = s->files[s->count - 1];
        size_t size = 0;
        uint8_t name[4096];
        if (vhdi.parent_name_size(child, &size, NULL) != 1 || size == 0 || size > sizeof name ||
            vhdi.parent_name(child, name, sizeof name, NULL) != 1) {
            host_fail(err, NTX_HOST_E_CONTAINER, 0,
                      "differencing image %s names no parent (libvhdi found no parent locator)",
                      cur);
            return false;
        }
        if (s->count == VHDI_MAX_CHAIN) {
            host_fail(err, NTX_HOST_E_CONTAINER, 0,
                      "differencing images stacked more than %u deep (a loop of parents?)",
                      VHDI_MAX_CHAIN);
            return false;
        }
        if (!vhdi_parent_path(cur, (const char *)name, parent, sizeof parent)) {
            host_fail(err, NTX_HOST_E_CONTAINER, ENOENT,
                      "differencing image %s: its parent \"%s\" is missing (looked for %s)", cur,
                      (const char *)name, parent);
            return false;
        }
        libvhdi_file_t *p = vhdi_open_one(parent, "parent image", NULL, err);
        if (p == NULL)
            return false;
        s->files[s->count++] = p;
        uint8_t want[16], got[16];
        if (vhdi.parent_id(child, want, sizeof want, NULL) == 1 &&
            vhdi.id(p, got, sizeof got, NULL) == 1 && memcmp(want, got, 16) != 0) {
            host_fail(err, NTX_HOST_E_CONTAINER, 0,
                      "differencing image %s: %s is not its parent (another identifier)", cur,
                      parent);
            return false;
        }
        snprintf(cur, sizeof cur, "%s", parent);
    }
    for (unsigned i = s->count - 1; i > 0; i--) { /* bound: count files */
        libvhdi_error_t *error = NULL;
        if (vhdi.set_parent(s->files[i - 1], s->files[i], &error) != 1) {
            char words[300];
            vhdi_words(words, sizeof words, &error);
            host_fail(err, NTX_HOST_E_CONTAINER, 0, "cannot stack the differencing images (%s)",
                      words);
            return false;
        }
    }
    return true;
}

host_source *host_vhdi_open(const char *path, ntx_host_format fmt, uint32_t *files, char *detail,
                            size_t cap, ntx_host_error *err)
{
    const char *what = fmt == NTX_HOST_FMT_VHDX ? "a VHDX image" : "a VHD image";
    if (!host_lib_load(HOST_LIB_VHDI, vhdi_syms, sizeof vhdi_syms / sizeof vhdi_syms[0], what,
                       err))
        return NULL;
    vhdi_source *s = calloc(1, sizeof *s);
    if (s == NULL) {
        host_fail(err, NTX_HOST_E_NOMEM, ENOMEM, "out of memory");
        return NULL;
    }
    s->base.ops = &vhdi_ops;
    s->base.fd = -1;
    s->base.unit = 65536;
    s->files[0] = vhdi_open_one(path, NULL, fmt == NTX_HOST_FMT_VHDX ? "VHDX" : "VHD", err);
    if (s->files[0] == NULL) {
        free(s);
        return NULL;
    }
    s->count = 1;
    uint32_t type = 0;
    vhdi.get_disk_type(s->files[0], &type, NULL);
    if (!vhdi_open_parents(s, path, err))
        goto fail;
    size64_t media = 0;
    libvhdi_error_t *error = NULL;
    if (vhdi.get_media_size(s->files[0], &media, &error) != 1) {
        char words[300];
        vhdi_words(words, sizeof words, &error);
        host_fail(err, NTX_HOST_E_CONTAINER, 0, "corrupt %s (libvhdi: %s)", what + 2, words);
        goto fail;
    }
    s->base.size = media;
    *files = s->count;
    if (s->count > 1)
        snprintf(detail, cap, "%s, %u images in the chain", vhdi_type_name(type), s->count);
    else
        snprintf(detail, cap, "%s", vhdi_type_name(type));
    return &s->base;
fail:
    vhdi_close(&s->base);
    return NULL;
}

#else /* not built with libvhdi */

host_source *host_vhdi_open(const char *path, ntx_host_format fmt, uint32_t *files, char *detail,
                            size_t cap, ntx_host_error *err)
{
    (void)path;
    (void)files;
    (void)detail;
    (void)cap;
    host_lib_load(HOST_LIB_VHDI, NULL, 0,
                  fmt == NTX_HOST_FMT_VHDX ? "a VHDX image" : "a VHD image", err);
    return NULL;
}

#endif
