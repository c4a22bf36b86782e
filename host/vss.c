/*
 * vss.c - Volume Shadow Copies through libvshadow.
 *
 * libvshadow reads a volume through a libbfio handle. A volume inside a
 * container (an E01, a VHDX, a partition of a disk image) is no file it
 * could open by name, so this file gives libvshadow a custom libbfio handle
 * (libbfio_handle_initialize() with our own read, seek and size functions)
 * whose reads go to the volume's bytes through the disk's cache. Debian 12
 * builds libvshadow against the system libbfio (libbfio1, libbfio-dev
 * 20170123), the library whose handle functions we call: libvshadow is
 * loaded first and libbfio.so.1 resolved from it, so both use one copy.
 *
 * A store's view of the volume (libvshadow_store_read_buffer_at_offset())
 * becomes a source the core reads like any volume: store N, numbered from 1
 * in libvshadow's order (oldest first), as vshadowinfo numbers them.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#ifdef NTX_HOST_WITH_VSHADOW
#include <libvshadow.h>

static struct {
    __typeof__(&libvshadow_volume_initialize) initialize;
    __typeof__(&libvshadow_volume_open_file_io_handle) open;
    __typeof__(&libvshadow_volume_close) close;
    __typeof__(&libvshadow_volume_free) free;
    __typeof__(&libvshadow_volume_get_number_of_stores) count;
    __typeof__(&libvshadow_volume_get_store) get_store;
    __typeof__(&libvshadow_store_free) store_free;
    __typeof__(&libvshadow_store_get_identifier) store_id;
    __typeof__(&libvshadow_store_get_copy_identifier) copy_id;
    __typeof__(&libvshadow_store_get_copy_set_identifier) copy_set_id;
    __typeof__(&libvshadow_store_get_creation_time) ctime;
    __typeof__(&libvshadow_store_get_volume_size) volume_size;
    __typeof__(&libvshadow_store_get_attribute_flags) flags;
    __typeof__(&libvshadow_store_has_in_volume_data) in_volume;
    __typeof__(&libvshadow_store_read_buffer_at_offset) read_at;
    __typeof__(&libvshadow_check_volume_signature_file_io_handle) check_signature;
    __typeof__(&libvshadow_error_backtrace_sprint) error_sprint;
    __typeof__(&libvshadow_error_free) error_free;
    __typeof__(&libvshadow_get_access_flags_read) access_read;
} vs;

static const host_sym vs_syms[] = {
    { "libvshadow_volume_initialize", (void **)&vs.initialize },
    { "libvshadow_volume_open_file_io_handle", (void **)&vs.open },
    { "libvshadow_volume_close", (void **)&vs.close },
    { "libvshadow_volume_free", (void **)&vs.free },
    { "libvshadow_volume_get_number_of_stores", (void **)&vs.count },
    { "libvshadow_volume_get_store", (void **)&vs.get_store },
    { "libvshadow_store_free", (void **)&vs.store_free },
    { "libvshadow_store_get_identifier", (void **)&vs.store_id },
    { "libvshadow_store_get_copy_identifier", (void **)&vs.copy_id },
    { "libvshadow_store_get_copy_set_identifier", (void **)&vs.copy_set_id },
    { "libvshadow_store_get_creation_time", (void **)&vs.ctime },
    { "libvshadow_store_get_volume_size", (void **)&vs.volume_size },
    { "libvshadow_store_get_attribute_flags", (void **)&vs.flags },
    { "libvshadow_store_has_in_volume_data", (void **)&vs.in_volume },
    { "libvshadow_store_read_buffer_at_offset", (void **)&vs.read_at },
    { "libvshadow_check_volume_signature_file_io_handle", (void **)&vs.check_signature },
    { "libvshadow_error_backtrace_sprint", (void **)&vs.error_sprint },
    { "libvshadow_error_free", (void **)&vs.error_free },
    { "libvshadow_get_access_flags_read", (void **)&vs.access_read },
};

static struct {
    __typeof__(&libbfio_handle_initialize) initialize;
    __typeof__(&libbfio_handle_free) free;
} bfio;

static const host_sym bfio_syms[] = {
    { "libbfio_handle_initialize", (void **)&bfio.initialize },
    { "libbfio_handle_free", (void **)&bfio.free },
};

/* The volume as libbfio sees it: a window on the disk, read through the cache. */
typedef struct bfio_io {
    ntx_read_fn read;
    void *ctx;
    uint64_t base, size;   /* the volume on the disk */
    uint64_t pos;          /* libbfio's current offset */
    bool is_open;
} bfio_io;

struct host_vss {
    libvshadow_volume_t *volume;
    libbfio_handle_t *bfio;
    uint32_t count;
};

static void vs_words(char *out, size_t cap, libvshadow_error_t **error)
{
    char trace[2048] = "";
    if (*error != NULL) {
        vs.error_sprint(*error, trace, sizeof trace);
        vs.error_free(error);
    }
    host_yal_words(out, cap, trace[0] ? trace : "no reason given");
}

/* ---- the libbfio handle ---- */

static int io_free(intptr_t **io_handle, libbfio_error_t **error)
{
    (void)error;
    free(*io_handle);
    *io_handle = NULL;
    return 1;
}

static int io_clone(intptr_t **dst, intptr_t *src, libbfio_error_t **error)
{
    (void)error;
    bfio_io *copy = malloc(sizeof *copy);
    if (copy == NULL)
        return -1;
    memcpy(copy, src, sizeof *copy);
    *dst = (intptr_t *)copy;
    return 1;
}

static int io_open(intptr_t *io_handle, int access_flags, libbfio_error_t **error)
{
    (void)error;
    if (access_flags & LIBBFIO_ACCESS_FLAG_WRITE)
        return -1; /* never written */
    ((bfio_io *)io_handle)->is_open = true;
    return 1;
}

static int io_close(intptr_t *io_handle, libbfio_error_t **error)
{
    (void)error;
    ((bfio_io *)io_handle)->is_open = false;
    return 0;
}

static ssize_t io_read(intptr_t *io_handle, uint8_t *buf, size_t size, libbfio_error_t **error)
{
    (void)error;
    bfio_io *io = (bfio_io *)io_handle;
    if (io->pos >= io->size)
        return 0;
    if (size > io->size - io->pos)
        size = (size_t)(io->size - io->pos);
    if (size > (size_t)SSIZE_MAX)
        size = (size_t)SSIZE_MAX;
    if (io->read(io->ctx, io->base + io->pos, buf, size) != 0)
        return -1;
    io->pos += size;
    return (ssize_t)size;
}

static ssize_t io_write(intptr_t *io_handle, const uint8_t *buf, size_t size,
                        libbfio_error_t **error)
{
    (void)io_handle;
    (void)buf;
    (void)size;
    (void)error;
    return -1;
}

static off64_t io_seek(intptr_t *io_handle, off64_t offset, int whence, libbfio_error_t **error)
{
    (void)error;
    bfio_io *io = (bfio_io *)io_handle;
    int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (int64_t)io->pos
                                                                 : (int64_t)io->size;
    if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END)
        return -1;
    if ((offset < 0 && -offset > base) || (offset > 0 && offset > INT64_MAX - base))
        return -1;
    io->pos = (uint64_t)(base + offset);
    return (off64_t)io->pos;
}

static int io_exists(intptr_t *io_handle, libbfio_error_t **error)
{
    (void)io_handle;
    (void)error;
    return 1;
}

static int io_is_open(intptr_t *io_handle, libbfio_error_t **error)
{
    (void)error;
    return ((bfio_io *)io_handle)->is_open ? 1 : 0;
}

static int io_get_size(intptr_t *io_handle, size64_t *size, libbfio_error_t **error)
{
    (void)error;
    *size = ((bfio_io *)io_handle)->size;
    return 1;
}

/* ---- the volume and its stores ---- */

host_vss *host_vss_open(ntx_read_fn read, void *ctx, uint64_t vol_off, uint64_t vol_len,
                        ntx_host_error *err)
{
    if (!host_lib_load(HOST_LIB_VSHADOW, vs_syms, sizeof vs_syms / sizeof vs_syms[0],
                       "shadow copies", err) ||
        !host_lib_load(HOST_LIB_BFIO, bfio_syms, sizeof bfio_syms / sizeof bfio_syms[0],
                       "shadow copies", err))
        return NULL;
    host_vss *v = calloc(1, sizeof *v);
    bfio_io *io = calloc(1, sizeof *io);
    if (v == NULL || io == NULL) {
        free(v);
        free(io);
        host_fail(err, NTX_HOST_E_NOMEM, ENOMEM, "out of memory");
        return NULL;
    }
    *io = (bfio_io){ read, ctx, vol_off, vol_len, 0, false };
    if (bfio.initialize(&v->bfio, (intptr_t *)io, io_free, io_clone, io_open, io_close, io_read,
                        io_write, io_seek, io_exists, io_is_open, io_get_size,
                        LIBBFIO_FLAG_IO_HANDLE_MANAGED | LIBBFIO_FLAG_IO_HANDLE_CLONE_BY_FUNCTION,
                        NULL) != 1) {
        free(io);
        free(v);
        host_fail(err, NTX_HOST_E_NOMEM, 0, "libbfio could not make a handle");
        return NULL;
    }
    libvshadow_error_t *error = NULL;
    char words[300];
    int sig = vs.check_signature(v->bfio, &error);
    if (sig != 1) {
        if (sig < 0) {
            vs_words(words, sizeof words, &error);
            host_fail(err, NTX_HOST_E_VSS, 0, "cannot read the shadow copy header (%s)", words);
        } else {
            v->count = 0; /* no VSS header: no shadow copies */
            return v;
        }
        host_vss_close(v);
        return NULL;
    }
    int n = 0;
    if (vs.initialize(&v->volume, &error) != 1 ||
        vs.open(v->volume, v->bfio, vs.access_read(), &error) != 1 ||
        vs.count(v->volume, &n, &error) != 1) {
        vs_words(words, sizeof words, &error);
        host_fail(err, NTX_HOST_E_VSS, 0, "corrupt shadow copy data (libvshadow: %s)", words);
        host_vss_close(v);
        return NULL;
    }
    v->count = n > 0 ? (uint32_t)n : 0;
    return v;
}

uint32_t host_vss_count(const host_vss *v)
{
    return v->count;
}

static void guid_text(char *out, size_t cap, const uint8_t g[16])
{
    /* the first three fields little-endian, as Windows writes GUIDs */
    snprintf(out, cap, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12],
             g[13], g[14], g[15]);
}

static libvshadow_store_t *vss_store(host_vss *v, uint32_t index, ntx_host_error *err)
{
    if (index == 0 || index > v->count) {
        if (v->count == 0)
            host_fail(err, NTX_HOST_E_VSS, 0, "the volume has no shadow copies");
        else
            host_fail(err, NTX_HOST_E_VSS, 0, "no shadow copy store %u: the volume has %u (1..%u)",
                      index, v->count, v->count);
        return NULL;
    }
    libvshadow_store_t *store = NULL;
    libvshadow_error_t *error = NULL;
    if (vs.get_store(v->volume, (int)index - 1, &store, &error) != 1) {
        char words[300];
        vs_words(words, sizeof words, &error);
        host_fail(err, NTX_HOST_E_VSS, 0, "shadow copy store %u is corrupt (libvshadow: %s)",
                  index, words);
        return NULL;
    }
    return store;
}

bool host_vss_info(host_vss *v, uint32_t index, ntx_host_vss_store *out, ntx_host_error *err)
{
    libvshadow_store_t *store = vss_store(v, index, err);
    if (store == NULL)
        return false;
    memset(out, 0, sizeof *out);
    out->index = index;
    uint8_t g[16];
    if (vs.store_id(store, g, sizeof g, NULL) == 1)
        guid_text(out->identifier, sizeof out->identifier, g);
    if (vs.copy_id(store, g, sizeof g, NULL) == 1)
        guid_text(out->copy_identifier, sizeof out->copy_identifier, g);
    if (vs.copy_set_id(store, g, sizeof g, NULL) == 1)
        guid_text(out->copy_set_identifier, sizeof out->copy_set_identifier, g);
    size64_t sz = 0;
    vs.ctime(store, &out->creation_time, NULL);
    if (vs.volume_size(store, &sz, NULL) == 1)
        out->volume_size = sz;
    vs.flags(store, &out->attribute_flags, NULL);
    out->has_in_volume_data = vs.in_volume(store, NULL) == 1;
    vs.store_free(&store, NULL);
    return true;
}

/* ---- a store as a source ---- */

typedef struct store_source {
    host_source base;
    libvshadow_store_t *store;
} store_source;

static int store_read(host_source *src, uint64_t off, void *buf, size_t len)
{
    store_source *s = (store_source *)src;
    libvshadow_error_t *error = NULL;
    ssize_t n = vs.read_at(s->store, buf, len, (off64_t)off, &error);
    if (n == (ssize_t)len)
        return 0;
    char words[200];
    vs_words(words, sizeof words, &error);
    snprintf(src->why, sizeof src->why, "libvshadow at offset %llu: %s",
             (unsigned long long)off, words);
    return -EIO;
}

static void store_close(host_source *src)
{
    store_source *s = (store_source *)src;
    vs.store_free(&s->store, NULL);
    free(s);
}

static const host_source_ops store_ops = { store_read, store_close };

host_source *host_vss_store_source(host_vss *v, uint32_t index, ntx_host_error *err)
{
    libvshadow_store_t *store = vss_store(v, index, err);
    if (store == NULL)
        return NULL;
    store_source *s = calloc(1, sizeof *s);
    if (s == NULL) {
        vs.store_free(&store, NULL);
        host_fail(err, NTX_HOST_E_NOMEM, ENOMEM, "out of memory");
        return NULL;
    }
    size64_t size = 0;
    vs.volume_size(store, &size, NULL);
    s->base.ops = &store_ops;
    s->base.size = size;
    s->base.unit = 16384; /* VSS copies 16 KiB blocks */
    s->base.fd = -1;
    s->store = store;
    return &s->base;
}

void host_vss_close(host_vss *v)
{
    if (v == NULL)
        return;
    if (v->volume != NULL) {
        vs.close(v->volume, NULL);
        vs.free(&v->volume, NULL);
    }
    if (v->bfio != NULL)
        bfio.free(&v->bfio, NULL);
    free(v);
}

#else /* not built with libvshadow */

struct host_vss {
    int unused;
};

host_vss *host_vss_open(ntx_read_fn read, void *ctx, uint64_t vol_off, uint64_t vol_len,
                        ntx_host_error *err)
{
    (void)read;
    (void)ctx;
    (void)vol_off;
    (void)vol_len;
    host_lib_load(HOST_LIB_VSHADOW, NULL, 0, "shadow copies", err);
    return NULL;
}

uint32_t host_vss_count(const host_vss *v)
{
    (void)v;
    return 0;
}

bool host_vss_info(host_vss *v, uint32_t index, ntx_host_vss_store *out, ntx_host_error *err)
{
    (void)v;
    (void)index;
    (void)out;
    (void)err;
    return false;
}

host_source *host_vss_store_source(host_vss *v, uint32_t index, ntx_host_error *err)
{
    (void)v;
    (void)index;
    (void)err;
    return NULL;
}

void host_vss_close(host_vss *v)
{
    (void)v;
}

#endif
