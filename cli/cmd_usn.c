/*
 * cmd_usn.c - `ntx usn`: the change journal $Extend/$UsnJrnl:$J record by
 * record (journal.c), any stream holding USN records with --stream
 * PATH:NAME, or a copy of $J with --journal-file. Each record's path is
 * rebuilt through the MFT (scan.c) of the image or of --mft-file; a copy of
 * $J alone gives names only.
 */
#include <stdlib.h>
#include <string.h>

#include "scan.h"
#include "triage.h"

/* The path of the record's name: its parent directory's path through the
 * MFT (the parent's sequence number checked, as for any name) and its name. */
static void usn_path(scan *sc, const ntx_usn_record *r, const char *name, size_t nlen, sbuf *out)
{
    sb_clear(out);
    scan_parent_path(sc, r->parent_ref, out);
    sb_putc(out, '/');
    sb_put(out, name, nlen);
}

int cmd_usn(cli_opts *o)
{
    cli_image img;
    scan sc;
    bool have_mft = o->image != NULL || o->mft_file != NULL;
    memset(&img, 0, sizeof img);
    img.path = o->journal_file;
    if (have_mft && !open_and_scan(o, &img, &sc, false))
        return EXIT_FAIL;
    int ret = EXIT_OK;
    journal *j = journal_open(&img, o, &ret);
    if (j == NULL)
        goto done;
    sbuf b, tmp, path;
    sb_init(&b);
    sb_init(&tmp);
    sb_init(&path);
    ntx_usn_record r;
    if (!o->json)
        sb_printf(&b, "%-12s %-27s %-14s %-14s %s\n", "USN", "time (UTC)", "file", "parent",
                  have_mft ? "reasons  attributes  path" : "reasons  attributes  name");
    /* bound: the journal's records (journal_next() moves on at every call) */
    while (journal_next(j, &r) == NTX_OK) {
        char name[3 * NTX_NAME_MAX + 1];
        size_t nlen = name_utf8(r.name, r.name_len, name, sizeof name);
        if (have_mft)
            usn_path(&sc, &r, name, nlen, &path);
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
            usn_reasons(&tmp, r.reason, "|");
            jw_str(&w, "reasons", sb_str(&tmp));
            jw_u64(&w, "attrs", r.file_attrs);
            jw_u64(&w, "source_info", r.source_info);
            jw_u64(&w, "security_id", r.security_id);
            jw_u64(&w, "major", r.major);
            jw_u64(&w, "minor", r.minor);
            jw_strn(&w, "name", name, nlen);
            if (have_mft)
                jw_strn(&w, "path", path.p, path.len);
            else
                jw_null(&w, "path");
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
            usn_reasons(&b, r.reason, "|");
            sb_puts(&b, "  ");
            fmt_dos_attrs(&b, r.file_attrs & 0xFFFF, false);
            sb_puts(&b, "  ");
            if (have_mft)
                esc_text(&b, path.p, path.len);
            else
                esc_text(&b, name, nlen);
            if (r.major != 2)
                sb_printf(&b, "  (v%u.%u)", r.major, r.minor);
            sb_putc(&b, '\n');
        }
        if (b.len > (1u << 16))
            out_flush_line(&b);
    }
    out_flush_line(&b);
    journal_close(j);
    sb_free(&b);
    sb_free(&tmp);
    sb_free(&path);
done:
    if (have_mft) {
        scan_free(&sc);
        image_close(&img);
    }
    return ret;
}
