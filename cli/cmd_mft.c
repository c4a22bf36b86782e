/*
 * cmd_mft.c - `ntx mft`: every MFT record, in use or not, with rebuilt
 * paths; names from $I30 slack with --slack. The records come from scan.c,
 * one at a time; `ntx timeline` (timeline.c) reads them the same way.
 */
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "scan.h"

static const char *state_word(const scan_rec *r)
{
    switch (r->state) {
    case REC_UNUSED: return "unused";
    case REC_EMPTY: return "empty";
    case REC_EXT: return "extension";
    case REC_BAD: return "error";
    default: return (r->flags & NTX_REC_IN_USE) ? "in-use" : "deleted";
    }
}

/* One text row: REF STATE TYPE SIZE PATH */
static void mft_text_row(sbuf *b, uint64_t n, uint16_t seq, const char *state, char type,
                         uint64_t size, bool have_size)
{
    char ref[48];
    size_t k = fmt_u64(ref, n);
    ref[k++] = '-';
    k += fmt_u64(ref + k, seq);
    put_left(b, ref, k, 14);
    sb_putc(b, ' ');
    put_left(b, state, strlen(state), 9);
    sb_putc(b, ' ');
    sb_putc(b, type);
    sb_putc(b, ' ');
    if (have_size)
        put_u64_right(b, size, 14);
    else
        sb_put(b, "             -", 14);
    sb_putc(b, ' ');
}

/* One JSON row of `ntx mft`: every row has every key (null where it does
 * not apply), in this order (documented in ntx.1). */
typedef struct mft_row {
    uint64_t mft;
    uint16_t seq;
    const char *state;
    bool deleted, dir, orphan;
    const char *path, *name; /* NULL: null */
    size_t path_len, name_len;
    int ns;                  /* -1: null */
    bool has_parent, has_size, has_rec, has_base, slack;
    uint64_t parent_ref, size, base_ref;
    uint16_t links;
    uint32_t attrs;
    const uint64_t *si, *fn; /* NULL: null times */
    const char *error;
    uint64_t slack_dir;
    const ntx_slack_info *slack_info;
} mft_row;

static void mft_row_init(mft_row *m, uint64_t n, const scan_rec *r, const char *state)
{
    memset(m, 0, sizeof *m);
    m->mft = n;
    m->seq = r->seq;
    m->state = state;
    m->deleted = r->state == REC_BASE && !(r->flags & NTX_REC_IN_USE);
    m->dir = (r->flags & NTX_REC_DIRECTORY) != 0;
    m->ns = -1;
}

static void jw_times4(jw *w, const char *const keys[4], const uint64_t *t)
{
    static const int order[4] = { NTX_TIME_CREATE, NTX_TIME_MODIFY, NTX_TIME_MFT_CHANGE,
                                  NTX_TIME_ACCESS };
    for (int i = 0; i < 4; i++)
        jw_time(w, keys[i], t ? t[order[i]] : 0);
}

static void mft_json_row(sbuf *b, const mft_row *m)
{
    static const char *const si_keys[4] = { "created", "modified", "changed", "accessed" };
    static const char *const fn_keys[4] = { "fn_created", "fn_modified", "fn_changed",
                                            "fn_accessed" };
    jw w;
    jw_begin(&w, b);
    jw_u64(&w, "mft", m->mft);
    jw_u64(&w, "seq", m->seq);
    jw_str(&w, "state", m->state);
    jw_bool(&w, "deleted", m->deleted);
    jw_bool(&w, "dir", m->dir);
    if (m->path)
        jw_strn(&w, "path", m->path, m->path_len);
    else
        jw_null(&w, "path");
    if (m->name)
        jw_strn(&w, "name", m->name, m->name_len);
    else
        jw_null(&w, "name");
    if (m->ns >= 0)
        jw_str(&w, "namespace", namespace_name((unsigned)m->ns));
    else
        jw_null(&w, "namespace");
    if (m->has_parent) {
        jw_u64(&w, "parent", NTX_REF_MFT(m->parent_ref));
        jw_u64(&w, "parent_seq", NTX_REF_SEQ(m->parent_ref));
    } else {
        jw_null(&w, "parent");
        jw_null(&w, "parent_seq");
    }
    jw_bool(&w, "orphan", m->orphan);
    if (m->has_size)
        jw_u64(&w, "size", m->size);
    else
        jw_null(&w, "size");
    if (m->has_rec) {
        jw_u64(&w, "links", m->links);
        jw_u64(&w, "attrs", m->attrs);
    } else {
        jw_null(&w, "links");
        jw_null(&w, "attrs");
    }
    jw_times4(&w, si_keys, m->si);
    jw_times4(&w, fn_keys, m->fn);
    if (m->has_base) {
        jw_u64(&w, "base", NTX_REF_MFT(m->base_ref));
        jw_u64(&w, "base_seq", NTX_REF_SEQ(m->base_ref));
    } else {
        jw_null(&w, "base");
        jw_null(&w, "base_seq");
    }
    jw_str(&w, "error", m->error);
    if (m->slack) {
        const ntx_slack_info *si = m->slack_info;
        jw_u64(&w, "slack_dir", m->slack_dir);
        if (si->where == NTX_SLACK_IN_BLOCK)
            jw_u64(&w, "slack_vcn", si->block_vcn);
        else
            jw_null(&w, "slack_vcn");
        jw_u64(&w, "slack_offset", si->offset);
        jw_str(&w, "slack_in", ntx_slack_where_name(si->where));
        if (si->where == NTX_SLACK_IN_BLOCK)
            jw_null(&w, "slack_record");
        else
            jw_u64(&w, "slack_record", si->record);
        jw_str(&w, "slack_status", ntx_slack_state_name(si->state));
        jw_bool(&w, "slack_header_lost", si->header_lost);
    } else {
        jw_null(&w, "slack_dir");
        jw_null(&w, "slack_vcn");
        jw_null(&w, "slack_offset");
        jw_null(&w, "slack_in");
        jw_null(&w, "slack_record");
        jw_null(&w, "slack_status");
        jw_null(&w, "slack_header_lost");
    }
    jw_end(&w);
}

static void mft_row_record(mft_row *m, const scan_rec *r)
{
    m->has_size = !(r->flags & NTX_REC_DIRECTORY);
    m->size = r->data_size;
    m->has_rec = true;
    m->links = r->link_count;
    m->attrs = r->dos_attrs;
    m->si = r->has_si ? r->si_times : NULL;
}

/* "  (in $I30 slack of record N, WHERE offset 0xO; STATUS)" */
static void mft_slack_where(sbuf *b, uint64_t dir, const ntx_slack_info *si)
{
    static const char *const status[4] = {
        [NTX_SLACK_UNKNOWN] = "file unknown", [NTX_SLACK_LIVE] = "stale copy of a live name",
        [NTX_SLACK_RENAMED] = "the file has another name now", [NTX_SLACK_GONE] = "deleted" };
    sb_printf(b, "  (in $I30 slack of record %llu, ", (unsigned long long)dir);
    if (si->where == NTX_SLACK_IN_BLOCK)
        sb_printf(b, "index block VCN %llu", (unsigned long long)si->block_vcn);
    else if (si->where == NTX_SLACK_IN_RECORD)
        sb_printf(b, "MFT record %llu past its bytes in use", (unsigned long long)si->record);
    else
        sb_printf(b, "$INDEX_ROOT in record %llu past its entries",
                  (unsigned long long)si->record);
    sb_printf(b, " offset 0x%x%s; %s)\n", si->offset,
              si->header_lost ? ", entry header overwritten" : "",
              status[si->state < 4 ? si->state : NTX_SLACK_UNKNOWN]);
}

static void mft_slack(scan *sc, cli_opts *o, sbuf *b, sbuf *path)
{
    cli_image *img = sc->img;
    for (size_t i = 0; i < sc->ndirs; i++) { /* bound: the directories of the first pass */
        const scan_dir *d = &sc->dirs[i];
        if (!d->usable)
            continue;
        uint64_t n = d->mft;
        ntx_file f;
        ntx_slack_iter it;
        ntx_err rc = ntx_file_open(&f, &img->vol, n, NTX_OPEN_DELETED);
        if (rc == NTX_OK)
            rc = ntx_slack_iter_open(&it, &f);
        sb_clear(path);
        scan_record_path(sc, n, d->has_name, path);
        ntx_dirent ent;
        ntx_slack_info si;
        while (rc == NTX_OK && (rc = ntx_slack_iter_next_info(&it, &ent, &si)) == NTX_OK) {
            char name[3 * NTX_NAME_MAX + 1];
            size_t nlen = name_utf8(ent.name, ent.name_len, name, sizeof name);
            size_t dir_len = path->len;
            sb_putc(path, '/');
            sb_put(path, name, nlen);
            if (o->json) {
                mft_row m;
                memset(&m, 0, sizeof m);
                m.mft = NTX_REF_MFT(ent.mft_ref);
                m.seq = NTX_REF_SEQ(ent.mft_ref);
                m.state = "slack";
                m.deleted = true;
                m.dir = ent.is_dir;
                m.path = path->p;
                m.path_len = path->len;
                m.name = name;
                m.name_len = nlen;
                m.ns = ent.name_space;
                m.has_parent = true;
                m.parent_ref = ent.parent_ref;
                m.has_size = true;
                m.size = ent.data_size;
                m.fn = ent.times;
                m.slack = true;
                m.slack_dir = n;
                m.slack_info = &si;
                mft_json_row(b, &m);
            } else {
                mft_text_row(b, NTX_REF_MFT(ent.mft_ref), NTX_REF_SEQ(ent.mft_ref), "slack",
                             ent.is_dir ? 'd' : 'f', ent.data_size, true);
                esc_text(b, path->p, path->len);
                mft_slack_where(b, n, &si);
            }
            out_flush_line(b);
            path->len = dir_len;
            path->p[dir_len] = '\0';
        }
        if (rc != NTX_END && rc != NTX_E_NOT_DIR) {
            sbuf what;
            sb_init(&what);
            sb_printf(&what, "record %llu ($I30 slack)", (unsigned long long)n);
            report(img, sb_str(&what), rc);
            sb_free(&what);
            g_partial = 1;
        }
    }
}

bool open_and_scan(cli_opts *o, cli_image *img, scan *sc, bool with_streams)
{
    if (!image_open(img, o))
        return false;
    if (!scan_open(sc, img, with_streams, o->quiet)) {
        image_close(img);
        return false;
    }
    return true;
}

int cmd_mft(cli_opts *o)
{
    cli_image img;
    scan sc;
    if (!open_and_scan(o, &img, &sc, false))
        return EXIT_FAIL;
    if (o->slack && img.vol.geo.mft_only) {
        reportf(&img, NULL, "--slack reads index blocks, which are on the volume, not in a "
                            "copy of $MFT");
        scan_free(&sc);
        image_close(&img);
        return EXIT_USAGE;
    }
    sbuf b, path;
    sb_init(&b);
    sb_init(&path);
    for (uint64_t n = 0; n < sc.nrec; n++) {
        const scan_rec *r = scan_record(&sc, n);
        const char *state = state_word(r);
        bool deleted = r->state == REC_BASE && !(r->flags & NTX_REC_IN_USE);
        if (o->deleted_only && !deleted)
            continue;
        if (r->state != REC_BASE) {
            if (!o->all && r->state != REC_BAD)
                continue;
            if (o->json) {
                mft_row m;
                mft_row_init(&m, n, r, state);
                if (r->state == REC_EXT) {
                    m.has_base = true;
                    m.base_ref = r->base_ref;
                }
                if (r->state == REC_BAD)
                    m.error = ntx_strerror(r->err);
                mft_json_row(&b, &m);
            } else {
                mft_text_row(&b, n, r->seq, state, '-', 0, false);
                if (r->state == REC_EXT)
                    sb_printf(&b, "[extension of record %llu]\n",
                              (unsigned long long)NTX_REF_MFT(r->base_ref));
                else if (r->state == REC_BAD)
                    sb_printf(&b, "[unreadable: %s]\n", ntx_strerror(r->err));
                else if (r->state == REC_EMPTY)
                    sb_puts(&b, "[no attributes: formatted, never used]\n");
                else
                    sb_puts(&b, "[never used: no FILE magic]\n");
            }
            out_flush_line(&b);
            continue;
        }
        bool any_long = scan_has_long_name(&sc);
        char type = (r->flags & NTX_REC_DIRECTORY) ? 'd' : 'f';
        bool printed = false;
        for (uint32_t k = 0; k < r->nnames; k++) {
            const scan_name *nm = &sc.names[k];
            if (nm->ns == NTX_NS_DOS && any_long && !o->all)
                continue;
            bool orphan = scan_name_path(&sc, k, &path);
            if (o->json) {
                mft_row m;
                mft_row_init(&m, n, r, state);
                mft_row_record(&m, r);
                m.path = path.p;
                m.path_len = path.len;
                m.name = scan_str(&sc, nm->name_off);
                m.name_len = nm->name_len;
                m.ns = nm->ns;
                m.has_parent = true;
                m.parent_ref = nm->parent_ref;
                m.orphan = orphan;
                m.fn = nm->times;
                if (r->err)
                    m.error = ntx_strerror(r->err);
                mft_json_row(&b, &m);
            } else {
                mft_text_row(&b, n, r->seq, state, type, r->data_size, type == 'f');
                put_text(&b, path.p, path.len);
                if (nm->ns == NTX_NS_DOS)
                    sb_puts(&b, " (dos)");
                sb_putc(&b, '\n');
            }
            out_flush_line(&b);
            printed = true;
        }
        if (!printed) { /* a record without a name */
            sb_clear(&path);
            scan_record_path(&sc, n, false, &path);
            if (o->json) {
                mft_row m;
                mft_row_init(&m, n, r, state);
                mft_row_record(&m, r);
                m.path = path.p;
                m.path_len = path.len;
                m.orphan = true;
                if (r->err)
                    m.error = ntx_strerror(r->err);
                mft_json_row(&b, &m);
            } else {
                mft_text_row(&b, n, r->seq, state, type, r->data_size, type == 'f');
                put_text(&b, path.p, path.len);
                sb_putc(&b, '\n');
            }
            out_flush_line(&b);
        }
    }
    if (sc.errors)
        g_partial = 1;
    if (o->slack)
        mft_slack(&sc, o, &b, &path);
    sb_free(&b);
    sb_free(&path);
    scan_free(&sc);
    image_close(&img);
    return EXIT_OK;
}
