/*
 * cmd_mft.c - `ntx mft` (every MFT record, in use or not, with rebuilt
 * paths; names from $I30 slack with --slack) and `ntx timeline` (a mactime
 * body file). Both read the MFT once through scan.c.
 */
#include <stdlib.h>
#include <string.h>

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
    snprintf(ref, sizeof ref, "%llu-%u", (unsigned long long)n, seq);
    sb_printf(b, "%-14s %-9s %c ", ref, state, type);
    if (have_size)
        sb_printf(b, "%14llu ", (unsigned long long)size);
    else
        sb_printf(b, "%14s ", "-");
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
    uint64_t slack_dir, slack_vcn;
    uint32_t slack_off;
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
        jw_u64(&w, "slack_dir", m->slack_dir);
        jw_u64(&w, "slack_vcn", m->slack_vcn);
        jw_u64(&w, "slack_offset", m->slack_off);
    } else {
        jw_null(&w, "slack_dir");
        jw_null(&w, "slack_vcn");
        jw_null(&w, "slack_offset");
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

static void mft_slack(scan *sc, cli_opts *o, sbuf *b, sbuf *path)
{
    cli_image *img = sc->img;
    for (uint64_t n = 0; n < sc->nrec; n++) {
        const scan_rec *r = &sc->recs[n];
        if (r->state != REC_BASE || !(r->flags & NTX_REC_DIRECTORY))
            continue;
        ntx_file f;
        ntx_slack_iter it;
        ntx_err rc = ntx_file_open(&f, &img->vol, n, NTX_OPEN_DELETED);
        if (rc == NTX_OK)
            rc = ntx_slack_iter_open(&it, &f);
        sb_clear(path);
        scan_record_path(sc, n, path);
        ntx_dirent ent;
        uint64_t vcn;
        uint32_t off;
        while (rc == NTX_OK && (rc = ntx_slack_iter_next(&it, &ent, &vcn, &off)) == NTX_OK) {
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
                m.slack_vcn = vcn;
                m.slack_off = off;
                mft_json_row(b, &m);
            } else {
                mft_text_row(b, NTX_REF_MFT(ent.mft_ref), NTX_REF_SEQ(ent.mft_ref), "slack",
                             ent.is_dir ? 'd' : 'f', ent.data_size, true);
                esc_text(b, path->p, path->len);
                sb_printf(b, "  (in $I30 slack of record %llu, block VCN %llu offset 0x%x)\n",
                          (unsigned long long)n, (unsigned long long)vcn, off);
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

/* Opens the image and scans its whole MFT (with the times when the timeline
 * wants them); a scan with unreadable records marks the run partial. */
static bool open_and_scan(cli_opts *o, cli_image *img, scan *sc, bool with_times)
{
    if (!image_open(img, o))
        return false;
    if (!scan_run(sc, img, with_times, o->quiet)) {
        image_close(img);
        return false;
    }
    if (sc->errors)
        g_partial = 1;
    return true;
}

/* Whether a record has a name other than a DOS 8.3 one: its DOS name is then
 * only an alias (mft lists it with -a alone, timeline not at all). */
static bool has_long_name(const scan *sc, const scan_rec *r)
{
    for (uint32_t k = 0; k < r->nnames; k++)
        if (sc->names[r->first_name + k].ns != NTX_NS_DOS)
            return true;
    return false;
}

/* The full path of record n under one of its names, rebuilt from the
 * parents in the scan; true when a parent is missing (an orphan). */
static bool name_path(scan *sc, uint64_t n, const scan_name *nm, bool deleted, sbuf *path)
{
    sb_clear(path);
    if (n == NTX_MFT_ROOT) {
        sb_putc(path, '/');
        return false;
    }
    bool orphan = scan_parent_path(sc, nm, deleted, path);
    sb_putc(path, '/');
    sb_put(path, scan_str(sc, nm->name_off), nm->name_len);
    return orphan;
}

int cmd_mft(cli_opts *o)
{
    cli_image img;
    scan sc;
    if (!open_and_scan(o, &img, &sc, false))
        return EXIT_FAIL;
    sbuf b, path;
    sb_init(&b);
    sb_init(&path);
    for (uint64_t n = 0; n < sc.nrec; n++) {
        const scan_rec *r = &sc.recs[n];
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
        bool any_long = has_long_name(&sc, r);
        char type = (r->flags & NTX_REC_DIRECTORY) ? 'd' : 'f';
        bool printed = false;
        for (uint32_t k = 0; k < r->nnames; k++) {
            const scan_name *nm = &sc.names[r->first_name + k];
            if (nm->ns == NTX_NS_DOS && any_long && !o->all)
                continue;
            bool orphan = name_path(&sc, n, nm, deleted, &path);
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
                esc_text(&b, path.p, path.len);
                if (nm->ns == NTX_NS_DOS)
                    sb_puts(&b, " (dos)");
                sb_putc(&b, '\n');
            }
            out_flush_line(&b);
            printed = true;
        }
        if (!printed) { /* a record without a name */
            sb_clear(&path);
            scan_record_path(&sc, n, &path);
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
                esc_text(&b, path.p, path.len);
                sb_putc(&b, '\n');
            }
            out_flush_line(&b);
        }
    }
    if (o->slack)
        mft_slack(&sc, o, &b, &path);
    sb_free(&b);
    sb_free(&path);
    scan_free(&sc);
    image_close(&img);
    return EXIT_OK;
}

/* ---- timeline ---- */

/* TSK's mode string: name type / meta type, then r unless read-only, w
 * unless hidden, x always (tsk/fs/ntfs.c). */
static void body_mode(sbuf *b, char type, uint32_t dos)
{
    char perm[10];
    for (int i = 0; i < 3; i++) {
        perm[3 * i] = (dos & NTX_FA_READONLY) ? '-' : 'r';
        perm[3 * i + 1] = (dos & NTX_FA_HIDDEN) ? '-' : 'w';
        perm[3 * i + 2] = 'x';
    }
    perm[9] = '\0';
    sb_printf(b, "%c/%c%s", type, type == '-' ? 'r' : type, perm);
}

/* Body file fields are '|'-separated: the name is escaped as text (R35),
 * and a '|' inside it written as \x7C so the line keeps its 11 fields. */
static void body_name(sbuf *b, const char *s, size_t n)
{
    static sbuf t;
    sb_clear(&t);
    esc_text(&t, s, n);
    if (t.len == 0)
        return;
    if (memchr(t.p, '|', t.len) == NULL) {
        sb_put(b, t.p, t.len);
        return;
    }
    for (size_t i = 0; i < t.len; i++) {
        if (t.p[i] == '|')
            sb_puts(b, "\\x7C");
        else
            sb_putc(b, t.p[i]);
    }
}

static void body_times(sbuf *b, const uint64_t t[4])
{
    sb_printf(b, "|%lld|%lld|%lld|%lld\n", (long long)nt_to_unix(t[NTX_TIME_ACCESS]),
              (long long)nt_to_unix(t[NTX_TIME_MODIFY]),
              (long long)nt_to_unix(t[NTX_TIME_MFT_CHANGE]),
              (long long)nt_to_unix(t[NTX_TIME_CREATE]));
}

/* The lines of one path of record n. */
static void body_lines(scan *sc, uint64_t n, const scan_rec *r, const scan_name *nm,
                       const char *path, size_t path_len, char type, bool deleted, sbuf *b)
{
    static const uint64_t zero[4];
    const uint64_t *si = r->has_si ? r->si_times : zero;
    const char *del = deleted ? " (deleted)" : "";
    if (nm != NULL) {
        sb_puts(b, "0|");
        body_name(b, path, path_len);
        sb_printf(b, " ($FILE_NAME)%s|%llu-48-%u|", del, (unsigned long long)n, nm->attr_id);
        body_mode(b, type, r->dos_attrs);
        sb_printf(b, "|%u|0|%u", r->owner_id, nm->value_len);
        body_times(b, nm->times);
    }
    bool any = false;
    for (uint32_t k = 0; k < r->nstreams; k++) {
        const scan_stream *st = &sc->streams[r->first_stream + k];
        const char *sname = scan_str(sc, st->name_off);
        bool plain = (st->type == NTX_AT_DATA && st->name_len == 0) ||
                     (st->type == NTX_AT_INDEX_ROOT && st->name_len == 4 &&
                      memcmp(sname, "$I30", 4) == 0);
        sb_puts(b, "0|");
        body_name(b, path, path_len);
        if (!plain) {
            sb_putc(b, ':');
            body_name(b, sname, st->name_len);
        }
        sb_printf(b, "%s|%llu-%u-%u|", del, (unsigned long long)n, st->type, st->attr_id);
        body_mode(b, type, r->dos_attrs);
        sb_printf(b, "|%u|0|%llu", r->owner_id, (unsigned long long)st->size);
        body_times(b, si);
        any = true;
    }
    if (!any && nm == NULL) { /* a record with neither names nor data */
        sb_puts(b, "0|");
        body_name(b, path, path_len);
        sb_printf(b, "%s|%llu|", del, (unsigned long long)n);
        body_mode(b, type, r->dos_attrs);
        sb_printf(b, "|%u|0|0", r->owner_id);
        body_times(b, si);
    }
}

int cmd_timeline(cli_opts *o)
{
    cli_image img;
    scan sc;
    if (!open_and_scan(o, &img, &sc, true))
        return EXIT_FAIL;
    sbuf b, path;
    sb_init(&b);
    sb_init(&path);
    for (uint64_t n = 0; n < sc.nrec; n++) {
        const scan_rec *r = &sc.recs[n];
        if (r->state != REC_BASE)
            continue;
        bool deleted = !(r->flags & NTX_REC_IN_USE);
        char type = (r->flags & NTX_REC_DIRECTORY) ? 'd' : 'r';
        bool any_long = has_long_name(&sc, r);
        bool printed = false;
        for (uint32_t k = 0; k < r->nnames; k++) {
            const scan_name *nm = &sc.names[r->first_name + k];
            if (nm->ns == NTX_NS_DOS && any_long)
                continue;
            name_path(&sc, n, nm, deleted, &path);
            body_lines(&sc, n, r, nm, path.p, path.len, type, deleted, &b);
            printed = true;
        }
        if (!printed) {
            sb_clear(&path);
            scan_record_path(&sc, n, &path);
            body_lines(&sc, n, r, NULL, path.p, path.len, r->nnames ? type : '-', deleted, &b);
        }
        if (b.len > (1u << 16))
            out_flush_line(&b);
    }
    out_flush_line(&b);
    sb_free(&b);
    sb_free(&path);
    scan_free(&sc);
    image_close(&img);
    return EXIT_OK;
}
