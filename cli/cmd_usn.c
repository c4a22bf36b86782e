/*
 * cmd_usn.c - `ntx usn`: the change journal $Extend/$UsnJrnl:$J, record by
 * record (ntx_usn_next() decodes them and skips the sparse head), or any
 * stream holding USN records with --stream PATH:NAME.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct {
    uint32_t bit;
    const char *name;
} reasons[] = {
    { 0x00000001, "DATA_OVERWRITE" },     { 0x00000002, "DATA_EXTEND" },
    { 0x00000004, "DATA_TRUNCATION" },    { 0x00000010, "NAMED_DATA_OVERWRITE" },
    { 0x00000020, "NAMED_DATA_EXTEND" },  { 0x00000040, "NAMED_DATA_TRUNCATION" },
    { 0x00000100, "FILE_CREATE" },        { 0x00000200, "FILE_DELETE" },
    { 0x00000400, "EA_CHANGE" },          { 0x00000800, "SECURITY_CHANGE" },
    { 0x00001000, "RENAME_OLD_NAME" },    { 0x00002000, "RENAME_NEW_NAME" },
    { 0x00004000, "INDEXABLE_CHANGE" },   { 0x00008000, "BASIC_INFO_CHANGE" },
    { 0x00010000, "HARD_LINK_CHANGE" },   { 0x00020000, "COMPRESSION_CHANGE" },
    { 0x00040000, "ENCRYPTION_CHANGE" },  { 0x00080000, "OBJECT_ID_CHANGE" },
    { 0x00100000, "REPARSE_POINT_CHANGE" }, { 0x00200000, "STREAM_CHANGE" },
    { 0x00400000, "TRANSACTED_CHANGE" },  { 0x00800000, "INTEGRITY_CHANGE" },
    { 0x80000000, "CLOSE" },
};

static void fmt_reasons(sbuf *b, uint32_t r)
{
    bool any = false;
    uint32_t left = r;
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++) {
        if (!(r & reasons[i].bit))
            continue;
        if (any)
            sb_putc(b, '|');
        sb_puts(b, reasons[i].name);
        left &= ~reasons[i].bit;
        any = true;
    }
    if (left != 0 || !any)
        sb_printf(b, "%s0x%08x", any ? "|" : "", left);
}

#define MAX_BAD_REPORTS 20u

int cmd_usn(cli_opts *o)
{
    cli_image img;
    if (!image_open(&img, o))
        return EXIT_FAIL;
    int ret = EXIT_OK;
    sbuf what, b, tmp;
    sb_init(&what);
    sb_init(&b);
    sb_init(&tmp);
    ntx_file f;
    ntx_stream s;
    ntx_err rc;
    if (o->stream_opt != NULL) {
        const char *spec = o->stream_opt;
        const char *stream = NULL;
        split_stream(spec, &tmp, &stream);
        esc_text(&what, spec, strlen(spec));
        if (stream == NULL) {
            reportf(&img, sb_str(&what), "--stream needs PATH:STREAM");
            ret = EXIT_USAGE;
            goto done;
        }
        rc = ntx_file_open_path(&f, &img.vol, tmp.p, tmp.len);
        if (rc == NTX_OK)
            rc = ntx_stream_open_data(&s, &f, stream, strlen(stream));
    } else {
        sb_puts(&what, "$Extend/$UsnJrnl:$J");
        rc = ntx_file_open_path(&f, &img.vol, "/$Extend/$UsnJrnl", 17);
        if (rc == NTX_E_NOT_FOUND) {
            reportf(&img, sb_str(&what),
                    "no change journal on this volume ($Extend/$UsnJrnl does not exist)");
            ret = EXIT_FAIL;
            goto done;
        }
        if (rc == NTX_OK)
            rc = ntx_stream_open_data(&s, &f, "$J", 2);
    }
    if (rc != NTX_OK) {
        report(&img, sb_str(&what), rc);
        ret = EXIT_FAIL;
        goto done;
    }
    uint8_t *buf = malloc(65536);
    if (buf == NULL) {
        reportf(&img, NULL, "out of memory");
        ret = EXIT_FAIL;
        goto done;
    }
    ntx_usn_record r;
    uint64_t pos = 0;
    unsigned bad = 0;
    if (!o->json)
        sb_printf(&b, "%-12s %-27s %-14s %-14s %s\n", "USN", "time (UTC)", "file", "parent",
                  "reasons  attributes  name");
    for (;;) { /* bound: pos grows on every step, up to the stream size */
        rc = ntx_usn_next(&s, &pos, buf, 65536, &r);
        if (rc == NTX_END)
            break;
        if (rc == NTX_E_CORRUPT && img.vol.diag.check == NTX_CHK_USN_RECORD) {
            /* a record that cannot be: resume 8 bytes on */
            if (bad < MAX_BAD_REPORTS) {
                sbuf w;
                sb_init(&w);
                sb_put(&w, what.p, what.len);
                sb_printf(&w, " at byte %llu", (unsigned long long)pos);
                report(&img, sb_str(&w), rc);
                sb_free(&w);
            }
            bad++;
            g_partial = 1;
            pos += 8;
            continue;
        }
        if (rc != NTX_OK) {
            report(&img, sb_str(&what), rc);
            g_partial = 1;
            break;
        }
        char name[3 * NTX_NAME_MAX + 1];
        size_t nlen = name_utf8(r.name, r.name_len, name, sizeof name);
        if (o->json) {
            jw w;
            jw_begin(&w, &b);
            jw_u64(&w, "usn", r.usn);
            jw_time(&w, "time", r.time);
            jw_u64(&w, "mft", NTX_REF_MFT(r.file_ref));
            jw_u64(&w, "seq", NTX_REF_SEQ(r.file_ref));
            jw_u64(&w, "parent", NTX_REF_MFT(r.parent_ref));
            jw_u64(&w, "parent_seq", NTX_REF_SEQ(r.parent_ref));
            jw_u64(&w, "reason", r.reason);
            sb_clear(&tmp);
            fmt_reasons(&tmp, r.reason);
            jw_str(&w, "reasons", sb_str(&tmp));
            jw_u64(&w, "attrs", r.file_attrs);
            jw_u64(&w, "source_info", r.source_info);
            jw_u64(&w, "security_id", r.security_id);
            jw_u64(&w, "major", r.major);
            jw_u64(&w, "minor", r.minor);
            jw_strn(&w, "name", name, nlen);
            jw_end(&w);
        } else {
            char fref[48], pref[48];
            snprintf(fref, sizeof fref, "%llu-%u", (unsigned long long)NTX_REF_MFT(r.file_ref),
                     NTX_REF_SEQ(r.file_ref));
            snprintf(pref, sizeof pref, "%llu-%u", (unsigned long long)NTX_REF_MFT(r.parent_ref),
                     NTX_REF_SEQ(r.parent_ref));
            sb_printf(&b, "%-12llu ", (unsigned long long)r.usn);
            size_t at = b.len;
            fmt_time(&b, r.time, true);
            while (b.len < at + 27)
                sb_putc(&b, ' ');
            sb_printf(&b, " %-14s %-14s ", fref, pref);
            fmt_reasons(&b, r.reason);
            sb_puts(&b, "  ");
            fmt_dos_attrs(&b, r.file_attrs & 0xFFFF, false);
            sb_puts(&b, "  ");
            esc_text(&b, name, nlen);
            if (r.major != 2)
                sb_printf(&b, "  (v%u.%u)", r.major, r.minor);
            sb_putc(&b, '\n');
        }
        if (b.len > (1u << 16))
            out_flush_line(&b);
    }
    out_flush_line(&b);
    if (bad > MAX_BAD_REPORTS)
        reportf(&img, sb_str(&what), "%u malformed records in all", bad);
    free(buf);
done:
    sb_free(&what);
    sb_free(&b);
    sb_free(&tmp);
    image_close(&img);
    return ret;
}
