/*
 * image.c - an image from its path to the core's read callback: open the
 * file, tell the container from its signature, open it with its library,
 * put the cache on top; then (locate.c) find the volume, and open a shadow
 * copy store of it when asked.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* Bytes of the file's start the container signatures are looked for in. */
#define HEAD_BYTES 4096u

static const char *const format_names[NTX_HOST_FMT_COUNT] = {
    [NTX_HOST_FMT_RAW] = "raw",   [NTX_HOST_FMT_SPLIT] = "split raw", [NTX_HOST_FMT_EWF] = "E01",
    [NTX_HOST_FMT_VHD] = "VHD",   [NTX_HOST_FMT_VHDX] = "VHDX",       [NTX_HOST_FMT_VMDK] = "VMDK",
    [NTX_HOST_FMT_QCOW] = "qcow2",
};

const char *ntx_host_format_name(ntx_host_format f)
{
    return f > 0 && f < NTX_HOST_FMT_COUNT ? format_names[f] : "unknown";
}

void ntx_host_options_init(ntx_host_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->partition_option = "--partition N";
    opt->list_partitions = "`ntx partitions`";
    opt->vss_option = "--vss N";
    opt->list_vss = "`ntx vss`";
}

/* The container's library opens path; fd (the first file) is closed by the
 * caller when the source does not keep it. */
static host_source *open_container(ntx_host_image *img, const char *path, int fd,
                                   uint64_t size, ntx_host_format fmt, ntx_host_error *err)
{
    ntx_host_info *in = &img->info;
    in->segments = 1;
    switch (fmt) {
    case NTX_HOST_FMT_EWF:
        return host_ewf_open(path, &in->segments, in->format_detail, sizeof in->format_detail,
                             err);
    case NTX_HOST_FMT_VHD:
    case NTX_HOST_FMT_VHDX:
        return host_vhdi_open(path, fmt, &in->segments, in->format_detail,
                              sizeof in->format_detail, err);
    case NTX_HOST_FMT_VMDK:
        return host_vmdk_open(path, &in->segments, in->format_detail, sizeof in->format_detail,
                              err);
    case NTX_HOST_FMT_QCOW:
        return host_qcow_open(path, in->format_detail, sizeof in->format_detail, err);
    default:
        break;
    }
    /* raw: one file, or the first segment of a split set */
    host_source *split = host_split_source(path, &in->segments, err);
    if (split != NULL) {
        in->format = NTX_HOST_FMT_SPLIT;
        snprintf(in->format_detail, sizeof in->format_detail, "%u segments", in->segments);
        return split;
    }
    if (err->status != NTX_HOST_OK)
        return NULL;
    int own = dup(fd); /* the source keeps its own descriptor */
    if (own < 0) {
        host_fail(err, NTX_HOST_E_OPEN, errno, "cannot open: %s", strerror(errno));
        return NULL;
    }
    host_source *src = host_file_source(own, size, img->map_raw ? img->cache_bytes : 0, err);
    if (src == NULL)
        close(own);
    return src;
}

ntx_host_status ntx_host_open(const char *path, const ntx_host_options *opt,
                              ntx_host_image **out, ntx_host_error *err)
{
    ntx_host_error scratch;
    if (err == NULL)
        err = &scratch;
    memset(err, 0, sizeof *err);
    if (path == NULL || out == NULL)
        return host_fail(err, NTX_HOST_E_ARG, EINVAL, "no image given");
    *out = NULL;
    uint64_t size = 0;
    int fd = host_file_open(path, &size, err);
    if (fd < 0)
        return (ntx_host_status)err->status;
    if (size == 0) {
        close(fd);
        return host_fail(err, NTX_HOST_E_EMPTY, 0, "the file is empty (0 bytes): no NTFS volume");
    }
    char first[4096];
    if (host_split_is_later_segment(path, first, sizeof first)) {
        close(fd);
        return host_fail(err, NTX_HOST_E_CHOICE, 0,
                         "a later segment of a split image: give its first segment, %s", first);
    }
    uint8_t head[HEAD_BYTES], tail[512];
    size_t head_len = size < sizeof head ? (size_t)size : sizeof head;
    int rc = host_pread_full(fd, 0, head, head_len);
    bool have_tail = size >= 1024 && host_pread_full(fd, size - 512, tail, 512) == 0;
    if (rc != 0) {
        close(fd);
        return host_fail(err, NTX_HOST_E_IO, -rc, "cannot read: %s", strerror(-rc));
    }
    ntx_host_image *img = calloc(1, sizeof *img);
    size_t plen = strlen(path);
    char *copy = malloc(plen + 1);
    if (img == NULL || copy == NULL) {
        free(img);
        free(copy);
        close(fd);
        return host_fail(err, NTX_HOST_E_NOMEM, ENOMEM, "out of memory");
    }
    memcpy(copy, path, plen + 1);
    img->path = copy;
    img->cache_bytes = opt != NULL && opt->cache_bytes != 0 ? opt->cache_bytes
                                                            : NTX_HOST_CACHE_DEFAULT;
    img->map_raw = opt != NULL && opt->map_raw;
    ntx_host_format fmt = host_sniff_container(head, head_len, have_tail ? tail : NULL);
    img->info.path = img->path;
    img->info.format = fmt;
    img->info.file_size = size;
    img->disk = open_container(img, path, fd, size, fmt, err);
    close(fd);
    if (img->disk == NULL) {
        ntx_host_close(img);
        return (ntx_host_status)err->status;
    }
    img->info.format_name = ntx_host_format_name(img->info.format);
    img->info.media_size = img->disk->size;
    if (img->disk->size == 0) {
        ntx_host_close(img);
        return host_fail(err, NTX_HOST_E_EMPTY, 0, "the %s image holds an empty disk (0 bytes)",
                         ntx_host_format_name(fmt));
    }
    img->disk_cache = host_cache_new(img->disk, img->cache_bytes);
    if (img->disk_cache == NULL) {
        ntx_host_close(img);
        return host_fail(err, NTX_HOST_E_NOMEM, ENOMEM, "out of memory");
    }
    *out = img;
    return NTX_HOST_OK;
}

ntx_host_status ntx_host_select(ntx_host_image *img, const ntx_host_options *opt,
                                ntx_host_error *err)
{
    ntx_host_error scratch;
    ntx_host_options defaults;
    if (err == NULL)
        err = &scratch;
    memset(err, 0, sizeof *err);
    if (img == NULL)
        return host_fail(err, NTX_HOST_E_ARG, EINVAL, "no image");
    if (opt == NULL) {
        ntx_host_options_init(&defaults);
        opt = &defaults;
    }
    /* a second selection starts from the disk again */
    img->selected = false;
    host_cache_free(img->store_cache);
    img->store_cache = NULL;
    if (img->store != NULL)
        img->store->ops->close(img->store);
    img->store = NULL;
    host_vss_close(img->vss);
    img->vss = NULL;
    img->info.vss_store = 0;
    img->info.vss_identifier[0] = '\0';
    img->info.vss_creation_time = 0;

    ntx_host_status st = host_locate(img, opt, err);
    if (st != NTX_HOST_OK)
        return st;
    img->selected = true;
    if (opt->vss_store == 0)
        return NTX_HOST_OK;
    uint32_t count = 0;
    st = ntx_host_vss_count(img, &count, err);
    if (st != NTX_HOST_OK)
        return st;
    char option[64];
    const char *nn = strrchr(opt->vss_option, 'N');
    if (nn != NULL)
        snprintf(option, sizeof option, "%.*s%u%s", (int)(nn - opt->vss_option), opt->vss_option,
                 opt->vss_store, nn + 1);
    else
        snprintf(option, sizeof option, "%s %u", opt->vss_option, opt->vss_store);
    if (count == 0)
        return host_fail(err, NTX_HOST_E_VSS, 0, "%s: the volume has no shadow copies", option);
    ntx_host_vss_store info;
    if (opt->vss_store > count)
        return host_fail(err, NTX_HOST_E_VSS, 0,
                         "%s: no such shadow copy store (the volume has %u: 1..%u%s%s)", option,
                         count, count, opt->list_vss ? "; see " : "",
                         opt->list_vss ? opt->list_vss : "");
    if (!host_vss_info(img->vss, opt->vss_store, &info, err))
        return (ntx_host_status)err->status;
    img->store = host_vss_store_source(img->vss, opt->vss_store, err);
    if (img->store == NULL)
        return (ntx_host_status)err->status;
    img->store_cache = host_cache_new(img->store, img->cache_bytes);
    if (img->store_cache == NULL)
        return host_fail(err, NTX_HOST_E_NOMEM, ENOMEM, "out of memory");
    img->info.vss_store = opt->vss_store;
    memcpy(img->info.vss_identifier, info.identifier, sizeof img->info.vss_identifier);
    img->info.vss_creation_time = info.creation_time;
    return NTX_HOST_OK;
}

ntx_io ntx_host_volume_io(ntx_host_image *img)
{
    ntx_io io;
    memset(&io, 0, sizeof io);
    io.block_size = 512;
    if (img->store_cache != NULL) {
        io.read = host_cache_read;
        io.ctx = img->store_cache;
        io.size = img->store->size;
        return io;
    }
    io.read = host_cache_read;
    io.ctx = img->disk_cache;
    io.offset = img->info.volume_offset;
    io.size = img->info.volume_size;
    return io;
}

ntx_io ntx_host_disk_io(ntx_host_image *img, uint64_t offset, uint64_t size)
{
    ntx_io io;
    memset(&io, 0, sizeof io);
    io.read = host_cache_read;
    io.ctx = img->disk_cache;
    io.offset = offset;
    uint64_t rest = img->disk->size > offset ? img->disk->size - offset : 0;
    io.size = size != 0 && size < rest ? size : rest;
    io.block_size = 512;
    return io;
}

const ntx_host_info *ntx_host_describe(const ntx_host_image *img)
{
    return &img->info;
}

ntx_host_status ntx_host_vss_count(ntx_host_image *img, uint32_t *count, ntx_host_error *err)
{
    ntx_host_error scratch;
    if (err == NULL)
        err = &scratch;
    if (img == NULL || count == NULL || !img->selected)
        return host_fail(err, NTX_HOST_E_ARG, EINVAL, "no volume selected");
    if (img->vss == NULL) {
        img->vss = host_vss_open(host_cache_read, img->disk_cache, img->info.volume_offset,
                                 img->info.volume_size, err);
        if (img->vss == NULL)
            return (ntx_host_status)err->status;
    }
    *count = host_vss_count(img->vss);
    return NTX_HOST_OK;
}

ntx_host_status ntx_host_vss_store_info(ntx_host_image *img, uint32_t index,
                                        ntx_host_vss_store *out, ntx_host_error *err)
{
    ntx_host_error scratch;
    if (err == NULL)
        err = &scratch;
    uint32_t count;
    ntx_host_status st = ntx_host_vss_count(img, &count, err);
    if (st != NTX_HOST_OK)
        return st;
    if (out == NULL)
        return host_fail(err, NTX_HOST_E_ARG, EINVAL, "no output");
    return host_vss_info(img->vss, index, out, err) ? NTX_HOST_OK
                                                    : (ntx_host_status)err->status;
}

const char *ntx_host_last_read_error(const ntx_host_image *img)
{
    if (img == NULL)
        return "";
    if (img->store != NULL && img->store->why[0] != '\0')
        return img->store->why;
    return img->disk != NULL ? img->disk->why : "";
}

void ntx_host_get_stats(const ntx_host_image *img, ntx_host_stats *out)
{
    memset(out, 0, sizeof *out);
    if (img->disk_cache != NULL)
        host_cache_add_stats(img->disk_cache, out);
    if (img->store_cache != NULL)
        host_cache_add_stats(img->store_cache, out);
}

int ntx_host_raw_fd(const ntx_host_image *img, uint64_t *volume_offset)
{
    if (img == NULL || img->store != NULL || img->disk == NULL || img->disk->fd < 0)
        return -1;
    if (volume_offset != NULL)
        *volume_offset = img->info.volume_offset;
    return img->disk->fd;
}

void ntx_host_close(ntx_host_image *img)
{
    if (img == NULL)
        return;
    host_cache_free(img->store_cache);
    if (img->store != NULL)
        img->store->ops->close(img->store);
    host_vss_close(img->vss);
    host_cache_free(img->disk_cache);
    if (img->disk != NULL)
        img->disk->ops->close(img->disk);
    free(img->path);
    free(img);
}
