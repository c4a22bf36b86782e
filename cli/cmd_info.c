/*
 * cmd_info.c - `ntx info` (the volume: geometry, $Volume's flags spelled
 * out, $LogFile's restart area) and `ntx partitions` (the disk).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *scheme_name(unsigned s)
{
    return s == NTX_PT_MBR ? "mbr" : s == NTX_PT_GPT ? "gpt" : NULL;
}

/* $VOLUME_INFORMATION flags (ntfs-3g layout.h VOLUME_FLAGS; libfsntfs). */
static const struct {
    uint16_t bit;
    const char *word, *key;
} volume_flags[] = {
    { 0x0001, "dirty", "dirty" },
    { 0x0002, "resize log file", "resize_log_file" },
    { 0x0004, "upgrade on mount", "upgrade_on_mount" },
    { 0x0008, "mounted on NT4", "mounted_on_nt4" },
    { 0x0010, "delete USN underway", "delete_usn_underway" },
    { 0x0020, "repair object IDs", "repair_object_ids" },
    { 0x4000, "chkdsk underway", "chkdsk_underway" },
    { 0x8000, "modified by chkdsk", "modified_by_chkdsk" },
};

/* The flags as words joined by sep (text: ", ", JSON keys: "|"); bits
 * without a documented meaning as 0xNNNN. "none" for 0 in text. */
static void volume_flag_words(sbuf *b, uint16_t flags, bool keys)
{
    const char *sep = keys ? "|" : ", ";
    bool first = true;
    uint16_t known = 0;
    for (size_t i = 0; i < sizeof volume_flags / sizeof volume_flags[0]; i++) {
        known = (uint16_t)(known | volume_flags[i].bit);
        if (!(flags & volume_flags[i].bit))
            continue;
        sb_printf(b, "%s%s", first ? "" : sep, keys ? volume_flags[i].key : volume_flags[i].word);
        first = false;
    }
    for (unsigned bit = 1; bit <= 0x8000u; bit <<= 1) { /* bound: 16 bits */
        if (!(flags & bit) || (known & bit))
            continue;
        sb_printf(b, "%s0x%04x%s", first ? "" : sep, bit, keys ? "" : " (not documented)");
        first = false;
    }
    if (first && !keys)
        sb_puts(b, "none");
}

static void logfile_version(char *out, size_t cap, const ntx_logfile_restart *r)
{
    snprintf(out, cap, "%d.%d", r->major, r->minor);
}

/* $LogFile's restart state as JSON (an object) or text lines. */
static void logfile_json(jw *w, sbuf *b, ntx_err rc, const ntx_logfile_info *li)
{
    jw_key(w, "logfile");
    if (rc != NTX_OK) {
        sb_puts(b, "null");
        return;
    }
    jw o;
    jw_begin(&o, b);
    jw_bool(&o, "empty", li->empty);
    jw_u64(&o, "valid_pages", li->valid);
    if (li->empty) {
        jw_null(&o, "restart_page");
        jw_bool(&o, "clean", true);
        sb_putc(b, '}');
        return;
    }
    const ntx_logfile_restart *r = &li->page[li->current];
    char ver[16], name[3 * NTX_LOGFILE_CLIENT_NAME_MAX + 1];
    logfile_version(ver, sizeof ver, r);
    jw_u64(&o, "restart_page", li->current);
    jw_bool(&o, "clean", r->clean);
    jw_str(&o, "version", ver);
    jw_bool(&o, "chkdsk", r->chkdsk);
    jw_u64(&o, "chkdsk_lsn", r->chkdsk_lsn);
    jw_u64(&o, "current_lsn", r->current_lsn);
    jw_u64(&o, "flags", r->flags);
    jw_u64(&o, "clients", r->log_clients);
    jw_u64(&o, "client_in_use_list", r->client_in_use_list);
    jw_u64(&o, "client_free_list", r->client_free_list);
    if (r->has_client) {
        size_t n = name_utf8(r->client_name, r->client_name_len, name, sizeof name);
        jw_strn(&o, "client_name", name, n);
        jw_u64(&o, "client_restart_lsn", r->client_restart_lsn);
        jw_u64(&o, "client_oldest_lsn", r->client_oldest_lsn);
    } else {
        jw_null(&o, "client_name");
        jw_null(&o, "client_restart_lsn");
        jw_null(&o, "client_oldest_lsn");
    }
    jw_u64(&o, "file_size", r->file_size);
    jw_u64(&o, "system_page_size", r->system_page_size);
    jw_u64(&o, "log_page_size", r->log_page_size);
    jw_u64(&o, "seq_number_bits", r->seq_number_bits);
    jw_u64(&o, "open_count", r->open_count);
    sb_putc(b, '}');
}

static void logfile_text(sbuf *b, const ntx_logfile_info *li)
{
    if (li->empty) {
        sb_puts(b, "$LogFile:         empty (no restart page: emptied, or never written), "
                   "clean\n");
        return;
    }
    const ntx_logfile_restart *r = &li->page[li->current];
    char ver[16];
    logfile_version(ver, sizeof ver, r);
    sb_printf(b, "$LogFile:         %s, version %s, restart page %u%s%s\n",
              r->clean ? "clean" : "NOT CLEAN (dismounted without closing the log)", ver,
              li->current, li->valid == 3 ? " of 2 valid" : " (the other is damaged)",
              r->chkdsk ? ", rewritten by chkdsk (\"CHKD\")" : "");
    sb_printf(b, "  current LSN:    %llu", (unsigned long long)r->current_lsn);
    if (r->chkdsk)
        sb_printf(b, ", chkdsk LSN %llu", (unsigned long long)r->chkdsk_lsn);
    sb_putc(b, '\n');
    sb_printf(b, "  restart area:   flags 0x%04x%s, %u client%s", r->flags,
              (r->flags & NTX_LOGFILE_VOLUME_CLEAN) ? " (volume clean)" : "", r->log_clients,
              r->log_clients == 1 ? "" : "s");
    if (r->client_in_use_list == NTX_LOGFILE_NO_CLIENT)
        sb_puts(b, ", none in use (log closed)");
    else
        sb_printf(b, ", client %u in use", r->client_in_use_list);
    sb_printf(b, ", open count %u\n", r->open_count);
    if (r->has_client) {
        sb_puts(b, "  client:         \"");
        text_name16(b, r->client_name, r->client_name_len);
        sb_printf(b, "\", restart LSN %llu, oldest LSN %llu\n",
                  (unsigned long long)r->client_restart_lsn,
                  (unsigned long long)r->client_oldest_lsn);
    }
    sb_printf(b, "  log size:       %llu bytes usable, pages of %u bytes (system %u), "
                 "%u sequence number bits\n",
              (unsigned long long)r->file_size, r->log_page_size, r->system_page_size,
              r->seq_number_bits);
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
    ntx_logfile_info li;
    ntx_err rc_lf = ntx_logfile_read(vol, buf, sizeof buf, &li);
    if (rc_lf != NTX_OK) {
        report(&img, "$LogFile", rc_lf);
        g_partial = 1;
    } else if (li.valid != 0 && li.valid != 3 && !o->quiet) {
        unsigned bad = li.valid == 1 ? 1u : 0u;
        reportf(&img, "$LogFile", "warning: restart page %u is damaged (%s: %s)", bad,
                ntx_strerror(li.page_err[bad]), check_text(li.page_check[bad]) ?
                check_text(li.page_check[bad]) : "no detail");
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
        sbuf fl;
        sb_init(&fl);
        volume_flag_words(&fl, vi.flags, true);
        jw_str(&w, "volume_flag_names", sb_str(&fl));
        sb_free(&fl);
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
        logfile_json(&w, &b, rc_lf, &li);
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
        sb_printf(&b, "state:            %s (volume flags 0x%04x: ", vi.dirty ? "dirty" : "clean",
                  vi.flags);
        volume_flag_words(&b, vi.flags, false);
        sb_puts(&b, ")\n");
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
        if (rc_lf == NTX_OK)
            logfile_text(&b, &li);
        else
            sb_printf(&b, "$LogFile:         (unreadable: %s)\n", ntx_strerror(rc_lf));
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
