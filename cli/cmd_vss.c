/*
 * cmd_vss.c - `ntx vss`: the Volume Shadow Copy stores of a volume, as
 * libvshadow reads them (through the ntx_host library), numbered as --vss
 * takes them and as vshadowinfo prints them.
 */
#include <string.h>

#include "cli.h"

static void vss_json(sbuf *b, const ntx_host_vss_store *s)
{
    jw w;
    jw_begin(&w, b);
    jw_u64(&w, "index", s->index);
    jw_str(&w, "identifier", s->identifier);
    jw_str(&w, "copy_identifier", s->copy_identifier);
    jw_str(&w, "copy_set_identifier", s->copy_set_identifier);
    jw_time(&w, "created", s->creation_time);
    jw_u64(&w, "creation_time_nt", s->creation_time);
    jw_u64(&w, "volume_size", s->volume_size);
    jw_u64(&w, "attribute_flags", s->attribute_flags);
    jw_bool(&w, "in_volume_data", s->has_in_volume_data);
    jw_end(&w);
}

static void vss_text(sbuf *b, const ntx_host_vss_store *s)
{
    sb_printf(b, "%-3u %-36s ", s->index, s->identifier);
    size_t at = b->len;
    fmt_time(b, s->creation_time, true);
    while (b->len < at + 27)
        sb_putc(b, ' ');
    sb_printf(b, " %14llu 0x%08x%s\n", (unsigned long long)s->volume_size, s->attribute_flags,
              s->has_in_volume_data ? "" : " (no data in this volume)");
    sb_printf(b, "    copy %s, set %s\n", s->copy_identifier, s->copy_set_identifier);
}

int cmd_vss(cli_opts *o)
{
    cli_image img;
    if (!image_select(&img, o))
        return EXIT_FAIL;
    ntx_host_error err;
    uint32_t count = 0;
    if (ntx_host_vss_count(img.host, &count, &err) != NTX_HOST_OK) {
        reportf(&img, NULL, "%s", err.message);
        image_close(&img);
        return EXIT_FAIL;
    }
    sbuf b;
    sb_init(&b);
    if (count == 0 && !o->json) {
        sb_puts(&b, "no shadow copies\n");
        out_flush_line(&b);
    } else if (!o->json) {
        sb_printf(&b, "%-3s %-36s %-27s %14s %s\n", "#", "store identifier", "created (UTC)",
                  "volume bytes", "flags");
        out_flush_line(&b);
    }
    for (uint32_t i = 1; i <= count; i++) {
        ntx_host_vss_store s;
        if (ntx_host_vss_store_info(img.host, i, &s, &err) != NTX_HOST_OK) {
            reportf(&img, NULL, "%s", err.message);
            g_partial = 1;
            continue;
        }
        if (o->json)
            vss_json(&b, &s);
        else
            vss_text(&b, &s);
        out_flush_line(&b);
    }
    sb_free(&b);
    image_close(&img);
    return EXIT_OK;
}
