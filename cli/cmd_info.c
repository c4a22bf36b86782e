/*
 * cmd_info.c - `ntx info` (the volume) and `ntx partitions` (the disk).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *scheme_name(unsigned s)
{
    return s == NTX_PT_MBR ? "mbr" : s == NTX_PT_GPT ? "gpt" : NULL;
}

int cmd_info(cli_opts *o)
{
    cli_image img;
    if (!image_open(&img, o))
        return EXIT_FAIL;
    ntx_volume *vol = &img.vol;
    ntx_volume_info vi;
    ntx_err rc = ntx_volume_get_info(vol, &vi);
    if (rc != NTX_OK) {
        report(&img, "$Volume", rc);
        image_close(&img);
        return EXIT_FAIL;
    }
    char label[3 * 128 + 1];
    size_t label_len = name_utf8(vi.label, vi.label_len, label, sizeof label);
    static uint8_t buf[1 << 16];
    uint64_t free_cl = 0, used_cl = 0, in_use = 0, total_rec = 0;
    ntx_err rc_bm = ntx_volume_count_free(vol, buf, sizeof buf, &free_cl, &used_cl);
    if (rc_bm != NTX_OK) {
        report(&img, "$Bitmap", rc_bm);
        g_partial = 1;
    }
    ntx_err rc_mb = ntx_volume_count_records(vol, buf, sizeof buf, &in_use, &total_rec);
    if (rc_mb != NTX_OK) {
        report(&img, "$MFT:$BITMAP", rc_mb);
        g_partial = 1;
    }
    const ntx_geometry *g = &vi.geo;
    uint64_t mft_bytes = vi.mft_records * g->record_size;
    sbuf b;
    sb_init(&b);
    if (o->json) {
        jw w;
        jw_begin(&w, &b);
        jw_str(&w, "image", img.path);
        jw_u64(&w, "image_size", img.dev_size);
        if (img.part_index != 0) {
            jw_u64(&w, "partition", img.part_index);
            jw_str(&w, "partition_scheme", scheme_name(img.part_scheme));
        } else {
            jw_null(&w, "partition");
            jw_null(&w, "partition_scheme");
        }
        jw_u64(&w, "volume_offset", img.vol_offset);
        char ver[16];
        snprintf(ver, sizeof ver, "%u.%u", vi.major, vi.minor);
        jw_str(&w, "ntfs_version", ver);
        jw_strn(&w, "label", label, label_len);
        char serial[24];
        snprintf(serial, sizeof serial, "%016llx", (unsigned long long)g->serial);
        jw_str(&w, "serial", serial);
        jw_bool(&w, "dirty", vi.dirty);
        jw_u64(&w, "volume_flags", vi.flags);
        jw_bool(&w, "backup_boot_sector", g->from_backup);
        jw_u64(&w, "sector_size", g->sector_size);
        jw_u64(&w, "cluster_size", g->cluster_size);
        jw_u64(&w, "record_size", g->record_size);
        jw_u64(&w, "index_block_size", g->index_block_size);
        jw_u64(&w, "total_sectors", g->total_sectors);
        jw_u64(&w, "volume_size", g->cluster_count * g->cluster_size);
        jw_u64(&w, "clusters", g->cluster_count);
        if (rc_bm == NTX_OK) {
            jw_u64(&w, "clusters_used", used_cl);
            jw_u64(&w, "clusters_free", free_cl);
        } else {
            jw_null(&w, "clusters_used");
            jw_null(&w, "clusters_free");
        }
        jw_u64(&w, "mft_lcn", g->mft_lcn);
        jw_u64(&w, "mftmirr_lcn", g->mftmirr_lcn);
        jw_u64(&w, "mft_size", mft_bytes);
        jw_u64(&w, "mft_records", vi.mft_records);
        if (rc_mb == NTX_OK)
            jw_u64(&w, "mft_records_in_use", in_use);
        else
            jw_null(&w, "mft_records_in_use");
        jw_end(&w);
    } else {
        const ntx_host_info *in = img.where;
        sb_puts(&b, "image:            ");
        esc_text(&b, img.path, strlen(img.path));
        sb_printf(&b, " (%llu bytes)\n", (unsigned long long)in->file_size);
        sb_printf(&b, "container:        %s", in->format_name);
        if (in->format_detail[0] != '\0')
            sb_printf(&b, " (%s)", in->format_detail);
        if (in->format != NTX_HOST_FMT_RAW)
            sb_printf(&b, ", a disk of %llu bytes", (unsigned long long)in->media_size);
        sb_putc(&b, '\n');
        if (img.part_index != 0)
            sb_printf(&b, "partition:        %s partition %u at offset %llu\n",
                      img.part_scheme == NTX_PT_GPT ? "GPT" : "MBR", img.part_index,
                      (unsigned long long)img.vol_offset);
        else if (img.vol_offset != 0)
            sb_printf(&b, "volume offset:    %llu\n", (unsigned long long)img.vol_offset);
        if (img.where->vss_store != 0) {
            sb_printf(&b, "shadow copy:      store %u, %s, created ", img.where->vss_store,
                      img.where->vss_identifier);
            fmt_time(&b, img.where->vss_creation_time, true);
            sb_puts(&b, " UTC\n");
        }
        sb_printf(&b, "file system:      NTFS %u.%u\n", vi.major, vi.minor);
        sb_puts(&b, "label:            \"");
        esc_text(&b, label, label_len);
        sb_puts(&b, "\"\n");
        sb_printf(&b, "serial number:    %04X-%04X (%016llX)\n",
                  (unsigned)(g->serial >> 16 & 0xFFFF), (unsigned)(g->serial & 0xFFFF),
                  (unsigned long long)g->serial);
        sb_printf(&b, "state:            %s (volume flags 0x%04x)\n",
                  vi.dirty ? "dirty" : "clean", vi.flags);
        if (g->from_backup)
            sb_puts(&b, "boot sector:      BACKUP used (the primary boot sector is damaged)\n");
        sb_printf(&b, "sector size:      %u\n", g->sector_size);
        sb_printf(&b, "cluster size:     %u\n", g->cluster_size);
        sb_printf(&b, "MFT record size:  %u\n", g->record_size);
        sb_printf(&b, "index block size: %u\n", g->index_block_size);
        sb_printf(&b, "volume size:      %llu bytes (%llu sectors, %llu clusters)\n",
                  (unsigned long long)(g->cluster_count * g->cluster_size),
                  (unsigned long long)g->total_sectors, (unsigned long long)g->cluster_count);
        if (rc_bm == NTX_OK)
            sb_printf(&b, "clusters:         %llu used, %llu free (%.1f%% used)\n",
                      (unsigned long long)used_cl, (unsigned long long)free_cl,
                      g->cluster_count ? 100.0 * (double)used_cl / (double)g->cluster_count
                                       : 0.0);
        else
            sb_puts(&b, "clusters:         (unknown: $Bitmap unreadable)\n");
        sb_printf(&b, "$MFT:             LCN %llu, %llu bytes, %llu records",
                  (unsigned long long)g->mft_lcn, (unsigned long long)mft_bytes,
                  (unsigned long long)vi.mft_records);
        if (rc_mb == NTX_OK)
            sb_printf(&b, ", %llu in use\n", (unsigned long long)in_use);
        else
            sb_puts(&b, "\n");
        sb_printf(&b, "$MFTMirr:         LCN %llu\n", (unsigned long long)g->mftmirr_lcn);
    }
    out_flush_line(&b);
    sb_free(&b);
    image_close(&img);
    return EXIT_OK;
}

int cmd_partitions(cli_opts *o)
{
    cli_image img;
    if (!image_open_device(&img, o))
        return EXIT_FAIL;
    static uint8_t block[8192], pblock[NTX_MAX_BLOCK_SIZE];
    ntx_partition_iter it;
    ntx_io io = image_disk_io(&img, 0, 0);
    sbuf b;
    sb_init(&b);
    ntx_err rc = ntx_partition_iter_open(&it, &io, block, sizeof block);
    if (rc == NTX_E_NOT_FOUND) {
        ntx_geometry geo;
        ntx_diag d;
        memset(&d, 0, sizeof d);
        rc = ntx_volume_probe(&io, pblock, sizeof pblock, &geo, &d);
        if (o->json) {
            jw w;
            jw_begin(&w, &b);
            jw_null(&w, "index");
            jw_null(&w, "scheme");
            jw_u64(&w, "offset", 0);
            jw_u64(&w, "size", img.dev_size);
            jw_null(&w, "mbr_type");
            jw_null(&w, "gpt_type");
            jw_null(&w, "name");
            jw_bool(&w, "ntfs", rc == NTX_OK);
            jw_end(&w);
        } else {
            sb_printf(&b, "no partition table: %s\n",
                      rc == NTX_OK ? "the image is a bare NTFS volume"
                                   : "and no NTFS volume at offset 0");
        }
        out_flush_line(&b);
        sb_free(&b);
        image_close(&img);
        return EXIT_OK;
    }
    if (rc != NTX_OK) {
        reportf(&img, NULL, "reading the partition table: %s", ntx_strerror(rc));
        image_close(&img);
        return EXIT_FAIL;
    }
    if (!o->json)
        sb_printf(&b, "%-3s %-4s %-14s %-14s %-7s %-5s %s\n", "#", "kind", "offset", "size",
                  "type", "ntfs", "name");
    ntx_partition p;
    while ((rc = ntx_partition_iter_next(&it, &p)) == NTX_OK) {
        ntx_geometry geo;
        ntx_diag d;
        ntx_io pio = image_disk_io(&img, p.offset, p.size);
        memset(&d, 0, sizeof d);
        bool ntfs = ntx_volume_probe(&pio, pblock, sizeof pblock, &geo, &d) == NTX_OK;
        size_t nlen = 0;
        while (nlen < 36 && p.gpt_name[nlen] != 0)
            nlen++;
        if (o->json) {
            jw w;
            jw_begin(&w, &b);
            jw_u64(&w, "index", p.index);
            jw_str(&w, "scheme", scheme_name(p.scheme));
            jw_u64(&w, "offset", p.offset);
            jw_u64(&w, "size", p.size);
            if (p.scheme == NTX_PT_MBR) {
                jw_u64(&w, "mbr_type", p.mbr_type);
                jw_null(&w, "gpt_type");
                jw_null(&w, "name");
            } else {
                sbuf t;
                sb_init(&t);
                fmt_guid(&t, p.gpt_type);
                jw_null(&w, "mbr_type");
                jw_str(&w, "gpt_type", sb_str(&t));
                sb_free(&t);
                jw_key(&w, "name");
                json_name16(&b, p.gpt_name, nlen);
            }
            jw_bool(&w, "ntfs", ntfs);
            jw_end(&w);
        } else {
            char type[48];
            if (p.scheme == NTX_PT_MBR)
                snprintf(type, sizeof type, "0x%02x", p.mbr_type);
            else
                snprintf(type, sizeof type, "%s", p.maybe_ntfs ? "data" : "other");
            sb_printf(&b, "%-3u %-4s %-14llu %-14llu %-7s %-5s ", p.index,
                      p.scheme == NTX_PT_GPT ? "gpt" : "mbr", (unsigned long long)p.offset,
                      (unsigned long long)p.size, type, ntfs ? "yes" : "no");
            text_name16(&b, p.gpt_name, nlen);
            if (p.scheme == NTX_PT_GPT) {
                sb_puts(&b, " {");
                fmt_guid(&b, p.gpt_type);
                sb_putc(&b, '}');
            }
            sb_putc(&b, '\n');
        }
        out_flush_line(&b);
    }
    sb_free(&b);
    if (rc != NTX_END) {
        reportf(&img, NULL, "partition table: %s", ntx_strerror(rc));
        image_close(&img);
        return EXIT_PARTIAL;
    }
    image_close(&img);
    return EXIT_OK;
}
