/*
 * image.c - the image: opened, its container read, its volume found and
 * mounted through the ntx_host library (host/), which also words every
 * failure (ntx and ntxfs say the same thing about an image).
 */
#include <stdlib.h>
#include <string.h>

#include "triage.h"

void image_host_options(const cli_opts *o, ntx_host_options *ho)
{
    ntx_host_options_init(ho);
    ho->partition = o->have_partition ? o->partition : 0;
    ho->have_offset = o->have_offset;
    ho->offset = o->offset;
    ho->vss_store = o->have_vss ? o->vss : 0;
    ho->partition_option = "--partition N";
    ho->list_partitions = "`ntx partitions`";
    ho->vss_option = "--vss N";
    ho->list_vss = "`ntx vss`";
    /* one short run over evidence that does not change: the page cache
     * serves the core's small reads directly (host.h says what it risks) */
    ho->map_raw = true;
}

static void image_reset(cli_image *img, const char *path)
{
    memset(img, 0, sizeof *img);
    img->path = path;
}

static void image_fail(cli_image *img, const ntx_host_error *err)
{
    reportf(img, NULL, "%s", err->message);
    image_close(img);
}

bool image_open_device(cli_image *img, const cli_opts *o)
{
    image_reset(img, o->image);
    ntx_host_options ho;
    ntx_host_error err;
    image_host_options(o, &ho);
    if (ntx_host_open(o->image, &ho, &img->host, &err) != NTX_HOST_OK) {
        image_fail(img, &err);
        return false;
    }
    img->where = ntx_host_describe(img->host);
    img->dev_size = img->where->media_size;
    return true;
}

/* The volume (and store) the options name. */
static bool image_locate(cli_image *img, const cli_opts *o, bool with_store)
{
    if (!image_open_device(img, o))
        return false;
    ntx_host_options ho;
    ntx_host_error err;
    image_host_options(o, &ho);
    if (!with_store)
        ho.vss_store = 0;
    if (ntx_host_select(img->host, &ho, &err) != NTX_HOST_OK) {
        image_fail(img, &err);
        return false;
    }
    img->vol_offset = img->where->volume_offset;
    img->part_index = img->where->partition;
    img->part_scheme = img->where->partition_scheme;
    return true;
}

bool image_select(cli_image *img, const cli_opts *o)
{
    return image_locate(img, o, false);
}

ntx_io image_disk_io(cli_image *img, uint64_t offset, uint64_t size)
{
    return ntx_host_disk_io(img->host, offset, size);
}

bool image_open(cli_image *img, const cli_opts *o)
{
    if (o->mft_file != NULL)
        return triage_open_mft(img, o);
    if (!image_locate(img, o, true))
        return false;
    ntx_io io = ntx_host_volume_io(img->host);
    img->ws = malloc(NTX_WORKSPACE_MAX);
    if (img->ws == NULL) {
        reportf(img, NULL, "out of memory");
        image_close(img);
        return false;
    }
    ntx_err rc = ntx_volume_mount(&img->vol, &io, img->ws, NTX_WORKSPACE_MAX);
    if (rc != NTX_OK) {
        report(img, NULL, rc);
        image_close(img);
        return false;
    }
    img->mounted = true;
    img->upcase = malloc(65536 * sizeof(uint16_t));
    if (img->upcase != NULL && ntx_volume_attach_upcase(&img->vol, img->upcase, 65536) != NTX_OK) {
        /* collation then reads $UpCase blocks on demand: slower, same answers */
        free(img->upcase);
        img->upcase = NULL;
    }
    return true;
}

void image_close(cli_image *img)
{
    if (img->mounted)
        ntx_volume_unmount(&img->vol);
    img->mounted = false;
    free(img->ws);
    free(img->upcase);
    ntx_host_close(img->host);
    img->ws = NULL;
    img->upcase = NULL;
    img->host = NULL;
    img->where = NULL;
}
