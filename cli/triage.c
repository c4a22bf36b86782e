/*
 * triage.c - files a triage collection holds instead of an image: a copy of
 * $MFT (--mft-file), mounted alone through ntx_volume_mount_mft(), and a
 * copy of $UsnJrnl:$J (--journal-file, read by journal.c). The $MFT file is
 * opened and read through the image layer as a raw image is (mapped, its
 * pages dropped as the scans go through the records, a page that cannot be
 * read an error): a read(2) per record would cost more than the record.
 */
#include <stdlib.h>
#include <string.h>

#include "triage.h"

bool triage_open_mft(cli_image *img, const cli_opts *o)
{
    memset(img, 0, sizeof *img);
    img->path = o->mft_file;
    ntx_host_options ho;
    ntx_host_error err;
    image_host_options(o, &ho);
    /* the scans go through the records in order: pages mapped are dropped
     * each 8 MiB (host/README.md), which keeps the memory that small */
    ho.cache_bytes = 8u << 20;
    ntx_host_status st = ntx_host_open(o->mft_file, &ho, &img->host, &err);
    if (st != NTX_HOST_OK) {
        if (st == NTX_HOST_E_EMPTY)
            reportf(img, NULL, "the file is empty (0 bytes): no copy of $MFT");
        else
            reportf(img, NULL, "%s", err.message);
        image_close(img);
        return false;
    }
    img->where = ntx_host_describe(img->host);
    img->dev_size = img->where->media_size;
    img->ws = malloc(NTX_WORKSPACE_MAX);
    if (img->ws == NULL) {
        reportf(img, NULL, "out of memory");
        image_close(img);
        return false;
    }
    ntx_io io = ntx_host_disk_io(img->host, 0, 0);
    ntx_err rc = ntx_volume_mount_mft(&img->vol, &io, img->ws, NTX_WORKSPACE_MAX);
    if (rc == NTX_E_NOT_NTFS) {
        reportf(img, NULL, "not a copy of $MFT: %s at its start (record 0 must be $MFT's own "
                "record; `ntx cat IMAGE '$MFT'` writes one)", check_text(img->vol.diag.check));
        image_close(img);
        return false;
    }
    if (rc != NTX_OK) {
        report(img, NULL, rc);
        image_close(img);
        return false;
    }
    img->mounted = true;
    uint32_t rs = img->vol.geo.record_size;
    if (img->dev_size % rs != 0 && !o->quiet)
        warnf("%s: %llu bytes after the last whole record of %u bytes are left out "
              "(a truncated copy?)", o->mft_file, (unsigned long long)(img->dev_size % rs), rs);
    return true;
}

