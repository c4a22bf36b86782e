/*
 * timeline.c - `ntx timeline`: every record's times as timeline events, in
 * record order (the readers sort), from scan.c's second pass:
 *
 *   $STANDARD_INFORMATION  one event per $DATA / $INDEX_ROOT stream, as The
 *                          Sleuth Kit's fls -m writes them;
 *   $FILE_NAME             one per name (DOS aliases of a long name left
 *                          out), named "PATH ($FILE_NAME)";
 *   $I30                   one per entry of each directory's index: the
 *                          copy of a name's $FILE_NAME times the parent
 *                          keeps, updated on its own schedule (Windows
 *                          refreshes it when the directory entry is
 *                          rewritten, not on every access), named
 *                          "PATH ($I30)";
 *   $UsnJrnl               with --usn, one per change journal record,
 *                          named "PATH ($UsnJrnl: REASON,REASON)".
 *
 * Three formats. The body file (TSK 3.x, mactime's input; plaso's bodyfile
 * parser) has one line per event with its four times. jsonl and csv have
 * one row per time that is set (Timesketch's importer wants one timestamp
 * per event): message, datetime (ISO 8601, 100 ns, UTC), timestamp_desc,
 * then ntx's own fields. docs/timelines.md says how each tool loads them.
 */
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "scan.h"
#include "triage.h"

#define NT_TICKS 10000000ll
#define NT_UNIX_EPOCH 11644473600ll /* seconds from 1601-01-01 to 1970-01-01 */

/* One event: a body file line, or up to four jsonl / csv rows. */
typedef struct tl_event {
    const char *source;       /* "$STANDARD_INFORMATION", "$FILE_NAME", "$I30", "$UsnJrnl" */
    const char *path;         /* WTF-8, unescaped */
    size_t path_len;
    const char *stream;       /* a named stream, or NULL */
    size_t stream_len;
    const char *note;         /* after the name in the body file: " ($FILE_NAME)"... */
    bool deleted;
    char name_type, meta_type; /* the body file's mode: 'r', 'd' or '-' */
    uint32_t dos;             /* DOS attributes (the mode's r and w) */
    uint32_t uid;
    uint64_t size;
    uint64_t mft;
    uint16_t seq;
    bool has_seq;
    char inode[64];           /* the body file's: "N-TYPE-ID" or "N" */
    uint64_t times[4];        /* NT times, NTX_TIME_*; 0: not set */
    bool has_parent;
    uint64_t parent_ref;
    const ntx_usn_record *usn;
} tl_event;

typedef struct tl {
    cli_opts *o;
    scan *sc;
    sbuf out;
    sbuf name;                /* the event's name, unescaped */
    sbuf tmp;
    sbuf path;
    unsigned long i30_on_volume; /* --mft-file: directories whose index blocks are elsewhere */
    uint64_t times_of[4];     /* the times times_text holds (body file) */
    sbuf times_text;
} tl;

static const char *const time_desc[4] = {
    [NTX_TIME_CREATE] = "Creation Time",
    [NTX_TIME_MODIFY] = "Content Modification Time",
    [NTX_TIME_MFT_CHANGE] = "Metadata Modification Time",
    [NTX_TIME_ACCESS] = "Last Access Time",
};
/* jsonl and csv rows in this order: b, m, c, a */
static const int time_order[4] = { NTX_TIME_CREATE, NTX_TIME_MODIFY, NTX_TIME_MFT_CHANGE,
                                   NTX_TIME_ACCESS };

static const char *const csv_header =
    "message,datetime,timestamp_desc,timestamp,source,path,stream,mft,seq,deleted,dir,size,"
    "parent,parent_seq,inode,mode,usn,reasons,vss_store\n";

/* ---- the body file ---- */

/*
 * The name field. Text escapes (esc_text) keep a line one line and valid
 * UTF-8; then the body file's own rules, as plaso's bodyfile parser undoes
 * them: a '|' is written "\|" (the parser splits on '|' and rejoins the
 * middle fields, then unescapes), and a control character, C0 or C1, as
 * "\x" and two lower-case hex digits, which it turns back into the
 * character. A backslash is "\\". Lone surrogates and bidirectional
 * controls stay "\u{XXXX}", which plaso leaves as text. mactime splits on
 * every '|' and misreads a line whose name holds one: only POSIX names
 * (Linux, ntfs-3g) can, docs/timelines.md says so.
 */
static void body_name(sbuf *b, sbuf *tmp, const char *s, size_t n)
{
    if (plain_ascii(s, n, true)) {
        sb_put(b, s, n);
        return;
    }
    sb_clear(tmp);
    esc_text(tmp, s, n);
    const char *p = tmp->p;
    size_t len = tmp->len;
    for (size_t i = 0; i < len;) { /* bound: i grows by at least 1 */
        char c = p[i];
        if (c == '|') {
            sb_put(b, "\\|", 2);
            i++;
        } else if (c != '\\' || i + 1 >= len) {
            sb_putc(b, c);
            i++;
        } else if (p[i + 1] == 'x' && i + 3 < len) { /* \xHH: lower-case digits */
            sb_printf(b, "\\x%c%c", p[i + 2] | 0x20, p[i + 3] | 0x20);
            i += 4;
        } else if (p[i + 1] == 'u' && i + 7 < len && memcmp(p + i + 2, "{00", 3) == 0 &&
                   (p[i + 5] == '8' || p[i + 5] == '9') && p[i + 7] == '}') {
            /* \u{0080}..\u{009F}, the C1 controls: \x80..\x9f */
            sb_printf(b, "\\x%c%c", p[i + 5], p[i + 6] | 0x20);
            i += 8;
        } else if (p[i + 1] == 'u') { /* \u{...} as is */
            const char *end = memchr(p + i, '}', len - i);
            size_t k = end ? (size_t)(end - (p + i)) + 1 : 2;
            sb_put(b, p + i, k);
            i += k;
        } else { /* "\\" */
            sb_put(b, p + i, 2);
            i += 2;
        }
    }
}

/* TSK's mode string: the name's type / the record's type, then r unless
 * read-only, w unless hidden, x always (tsk/fs/ntfs.c). */
static void body_mode(sbuf *b, const tl_event *e)
{
    char m[12];
    m[0] = e->name_type;
    m[1] = '/';
    m[2] = e->meta_type;
    for (int i = 0; i < 3; i++) {
        m[3 + 3 * i] = (e->dos & NTX_FA_READONLY) ? '-' : 'r';
        m[4 + 3 * i] = (e->dos & NTX_FA_HIDDEN) ? '-' : 'w';
        m[5 + 3 * i] = 'x';
    }
    sb_put(b, m, sizeof m);
}

/* The event's name: path, ":stream", the note, " (deleted)". */
static void event_name(tl *t, const tl_event *e)
{
    sb_clear(&t->name);
    sb_put(&t->name, e->path, e->path_len);
    if (e->stream != NULL) {
        sb_putc(&t->name, ':');
        sb_put(&t->name, e->stream, e->stream_len);
    }
    sb_puts(&t->name, e->note);
    if (e->deleted)
        sb_puts(&t->name, " (deleted)");
}

static void body_line(tl *t, const tl_event *e)
{
    sbuf *b = &t->out;
    static const int order[4] = { NTX_TIME_ACCESS, NTX_TIME_MODIFY, NTX_TIME_MFT_CHANGE,
                                  NTX_TIME_CREATE };
    sb_put(b, "0|", 2);
    body_name(b, &t->tmp, t->name.p, t->name.len);
    sb_putc(b, '|');
    sb_puts(b, e->inode);
    sb_putc(b, '|');
    body_mode(b, e);
    sb_putc(b, '|');
    put_u64(b, e->uid);
    sb_put(b, "|0|", 3);
    put_u64(b, e->size);
    /* The four times as text, kept from the line before: a record's
     * streams repeat its $STANDARD_INFORMATION times, and files made
     * together share them. */
    if (memcmp(t->times_of, e->times, sizeof t->times_of) != 0) {
        memcpy(t->times_of, e->times, sizeof t->times_of);
        sb_clear(&t->times_text);
        for (int i = 0; i < 4; i++) {
            sb_putc(&t->times_text, '|');
            put_i64(&t->times_text, nt_to_unix(e->times[order[i]]));
        }
        sb_putc(&t->times_text, '\n');
    }
    sb_put(b, t->times_text.p, t->times_text.len);
}

/* ---- jsonl and csv ---- */

/* ISO 8601 with the 100 ns of NT times and an explicit UTC offset, the form
 * Timesketch's documentation shows ("2015-07-24T19:01:01+00:00"). */
static void iso_time(sbuf *b, uint64_t nt)
{
    size_t at = b->len;
    fmt_time(b, nt, true);
    for (size_t i = at; i < b->len; i++)
        if (b->p[i] == ' ')
            b->p[i] = 'T';
    sb_puts(b, "+00:00");
}

/* Microseconds since 1970 (floor), Timesketch's "timestamp". */
static long long unix_us(uint64_t nt)
{
    long long ticks = (long long)nt - NT_UNIX_EPOCH * NT_TICKS;
    long long us = ticks / 10;
    if (ticks % 10 < 0)
        us--;
    return us;
}

/* A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line
 * break, quotes doubled; text-escaped first, so it is valid UTF-8. */
static void csv_field(sbuf *b, sbuf *tmp, const char *s, size_t n, bool escape)
{
    if (plain_ascii(s, n, false) && memchr(s, ',', n) == NULL && memchr(s, '"', n) == NULL) {
        sb_put(b, s, n);
        return;
    }
    sb_clear(tmp);
    if (escape)
        esc_text(tmp, s, n);
    else
        sb_put(tmp, s, n);
    bool quote = false;
    for (size_t i = 0; i < tmp->len && !quote; i++)
        quote = tmp->p[i] == ',' || tmp->p[i] == '"' || tmp->p[i] == '\n' || tmp->p[i] == '\r';
    if (!quote) {
        sb_put(b, tmp->p, tmp->len);
        return;
    }
    sb_putc(b, '"');
    for (size_t i = 0; i < tmp->len; i++) {
        if (tmp->p[i] == '"')
            sb_putc(b, '"');
        sb_putc(b, tmp->p[i]);
    }
    sb_putc(b, '"');
}

/* A JSON string: as it is when it needs no escape (the common case, and the
 * time a million-record timeline takes), else through esc_json(). */
static void json_str(sbuf *b, const char *s, size_t n)
{
    if (plain_ascii(s, n, false) && memchr(s, '"', n) == NULL) {
        sb_putc(b, '"');
        sb_put(b, s, n);
        sb_putc(b, '"');
    } else {
        esc_json(b, s, n);
    }
}

#define KEY(b, k) sb_put((b), k, sizeof k - 1)

/* One row; the fields and their order are documented in ntx.1 and checked
 * by tests/cli/check_timelines.py. */
static void row_jsonl(tl *t, const tl_event *e, int slot, const char *desc)
{
    sbuf *b = &t->out;
    KEY(b, "{\"message\":");
    json_str(b, t->name.p, t->name.len);
    KEY(b, ",\"datetime\":\"");
    iso_time(b, e->times[slot]);
    KEY(b, "\",\"timestamp_desc\":\"");
    sb_puts(b, desc);
    KEY(b, "\",\"timestamp\":");
    put_i64(b, unix_us(e->times[slot]));
    KEY(b, ",\"source\":\"");
    sb_puts(b, e->source);
    KEY(b, "\",\"path\":");
    json_str(b, e->path, e->path_len);
    KEY(b, ",\"stream\":");
    if (e->stream != NULL)
        json_str(b, e->stream, e->stream_len);
    else
        KEY(b, "null");
    KEY(b, ",\"mft\":");
    put_u64(b, e->mft);
    KEY(b, ",\"seq\":");
    if (e->has_seq)
        put_u64(b, e->seq);
    else
        KEY(b, "null");
    KEY(b, ",\"deleted\":");
    sb_puts(b, e->deleted ? "true" : "false");
    KEY(b, ",\"dir\":");
    sb_puts(b, e->meta_type == 'd' ? "true" : "false");
    KEY(b, ",\"size\":");
    put_u64(b, e->size);
    if (e->has_parent) {
        KEY(b, ",\"parent\":");
        put_u64(b, NTX_REF_MFT(e->parent_ref));
        KEY(b, ",\"parent_seq\":");
        put_u64(b, NTX_REF_SEQ(e->parent_ref));
    } else {
        KEY(b, ",\"parent\":null,\"parent_seq\":null");
    }
    KEY(b, ",\"inode\":\"");
    sb_puts(b, e->inode);
    KEY(b, "\",\"mode\":\"");
    body_mode(b, e);
    KEY(b, "\",\"usn\":");
    if (e->usn != NULL) {
        put_u64(b, e->usn->usn);
        KEY(b, ",\"reasons\":\"");
        usn_reasons(b, e->usn->reason, "|");
        sb_putc(b, '"');
    } else {
        KEY(b, "null,\"reasons\":null");
    }
    KEY(b, ",\"vss_store\":");
    if (t->o->have_vss)
        put_u64(b, t->o->vss);
    else
        KEY(b, "null");
    KEY(b, "}\n");
}

static void row_csv(tl *t, const tl_event *e, int slot, const char *desc)
{
    sbuf *b = &t->out;
    csv_field(b, &t->tmp, t->name.p, t->name.len, true);
    sb_putc(b, ',');
    iso_time(b, e->times[slot]);
    sb_putc(b, ',');
    sb_puts(b, desc);
    sb_putc(b, ',');
    put_i64(b, unix_us(e->times[slot]));
    sb_putc(b, ',');
    sb_puts(b, e->source);
    sb_putc(b, ',');
    csv_field(b, &t->tmp, e->path, e->path_len, true);
    sb_putc(b, ',');
    if (e->stream != NULL)
        csv_field(b, &t->tmp, e->stream, e->stream_len, true);
    sb_putc(b, ',');
    put_u64(b, e->mft);
    sb_putc(b, ',');
    if (e->has_seq)
        put_u64(b, e->seq);
    sb_puts(b, e->deleted ? ",true," : ",false,");
    sb_puts(b, e->meta_type == 'd' ? "true," : "false,");
    put_u64(b, e->size);
    sb_putc(b, ',');
    if (e->has_parent) {
        put_u64(b, NTX_REF_MFT(e->parent_ref));
        sb_putc(b, ',');
        put_u64(b, NTX_REF_SEQ(e->parent_ref));
    } else {
        sb_putc(b, ',');
    }
    sb_putc(b, ',');
    sb_puts(b, e->inode);
    sb_putc(b, ',');
    body_mode(b, e);
    sb_putc(b, ',');
    if (e->usn != NULL) {
        put_u64(b, e->usn->usn);
        sb_putc(b, ',');
        sbuf r;
        sb_init(&r);
        usn_reasons(&r, e->usn->reason, "|");
        csv_field(b, &t->tmp, r.p, r.len, false);
        sb_free(&r);
    } else {
        sb_putc(b, ',');
    }
    sb_putc(b, ',');
    if (t->o->have_vss)
        sb_printf(b, "%u", t->o->vss);
    sb_putc(b, '\n');
}

static void emit(tl *t, const tl_event *e)
{
    event_name(t, e);
    if (t->o->format == FORMAT_BODY) {
        body_line(t, e);
    } else {
        for (int i = 0; i < 4; i++) {
            int slot = time_order[i];
            if (e->times[slot] == 0)
                continue; /* not set: no event (the body file writes 0) */
            const char *desc = e->usn != NULL ? "Update Time" : time_desc[slot];
            if (t->o->format == FORMAT_JSONL)
                row_jsonl(t, e, slot, desc);
            else
                row_csv(t, e, slot, desc);
        }
    }
    if (t->out.len > (1u << 16))
        out_flush_line(&t->out);
}

/* ---- events of the MFT ---- */

/* The body file's inode field: "N-TYPE-ID" for an attribute (TSK's form),
 * "N" for a record or an index entry. */
static void set_inode(tl_event *e, uint64_t n, uint32_t type, uint16_t id, bool attr)
{
    size_t k = fmt_u64(e->inode, n);
    if (attr) {
        e->inode[k++] = '-';
        k += fmt_u64(e->inode + k, type);
        e->inode[k++] = '-';
        k += fmt_u64(e->inode + k, id);
    }
    e->inode[k] = '\0';
}

static void event_init(tl_event *e, const char *source, const char *path, size_t path_len)
{
    memset(e, 0, sizeof *e);
    e->source = source;
    e->path = path;
    e->path_len = path_len;
    e->note = "";
}

/* The events of one path of the current record: its $FILE_NAME (nm, or
 * none) and its streams with the $STANDARD_INFORMATION times. */
static void record_events(tl *t, const scan_name *nm, const char *path, size_t path_len,
                          char name_type)
{
    static const uint64_t zero[4];
    scan *sc = t->sc;
    const scan_rec *r = &sc->rec;
    tl_event e;
    char meta_type = (r->flags & NTX_REC_DIRECTORY) ? 'd' : 'r';
    bool deleted = !(r->flags & NTX_REC_IN_USE);
    if (nm != NULL) {
        event_init(&e, "$FILE_NAME", path, path_len);
        e.note = " ($FILE_NAME)";
        e.deleted = deleted;
        e.name_type = name_type;
        e.meta_type = meta_type;
        e.dos = r->dos_attrs;
        e.uid = r->owner_id;
        e.size = nm->value_len;
        e.mft = r->mft;
        e.seq = r->seq;
        e.has_seq = true;
        e.has_parent = true;
        e.parent_ref = nm->parent_ref;
        set_inode(&e, r->mft, NTX_AT_FILE_NAME, nm->attr_id, true);
        memcpy(e.times, nm->times, sizeof e.times);
        emit(t, &e);
    }
    const uint64_t *si = r->has_si ? r->si_times : zero;
    bool any = false;
    for (uint32_t k = 0; k < r->nstreams; k++) {
        const scan_stream *st = &sc->streams[k];
        const char *sname = scan_str(sc, st->name_off);
        bool plain = (st->type == NTX_AT_DATA && st->name_len == 0) ||
                     (st->type == NTX_AT_INDEX_ROOT && st->name_len == 4 &&
                      memcmp(sname, "$I30", 4) == 0);
        event_init(&e, "$STANDARD_INFORMATION", path, path_len);
        if (!plain) {
            e.stream = sname;
            e.stream_len = st->name_len;
        }
        e.deleted = deleted;
        e.name_type = name_type;
        e.meta_type = meta_type;
        e.dos = r->dos_attrs;
        e.uid = r->owner_id;
        e.size = st->size;
        e.mft = r->mft;
        e.seq = r->seq;
        e.has_seq = true;
        set_inode(&e, r->mft, st->type, st->attr_id, true);
        memcpy(e.times, si, sizeof e.times);
        emit(t, &e);
        any = true;
    }
    if (!any && nm == NULL) { /* a record with neither names nor data */
        event_init(&e, "$STANDARD_INFORMATION", path, path_len);
        e.deleted = deleted;
        e.name_type = name_type;
        e.meta_type = meta_type;
        e.dos = r->dos_attrs;
        e.uid = r->owner_id;
        e.mft = r->mft;
        e.seq = r->seq;
        e.has_seq = true;
        set_inode(&e, r->mft, 0, 0, false);
        memcpy(e.times, si, sizeof e.times);
        emit(t, &e);
    }
}

/*
 * The entries of directory n's $I30 index, each with the times its parent
 * keeps. A copy of $MFT holds only the $INDEX_ROOT node: the index blocks
 * are on the volume, counted and said once at the end.
 */
static void i30_events(tl *t, uint64_t n)
{
    scan *sc = t->sc;
    cli_image *img = sc->img;
    bool mft_only = img->vol.geo.mft_only;
    ntx_file f;
    ntx_dir_iter it;
    ntx_err rc = ntx_file_open(&f, &img->vol, n, NTX_OPEN_DELETED);
    uint32_t flags = NTX_DIR_SKIP_DOS | NTX_DIR_SKIP_SELF | (mft_only ? NTX_DIR_ROOT_ONLY : 0);
    if (rc == NTX_OK)
        rc = ntx_dir_iter_open(&it, &f, flags);
    if (rc == NTX_E_NOT_DIR)
        return; /* a directory record without $I30 (a view index: $Secure, $Quota...) */
    if (rc == NTX_OK && mft_only && it.has_alloc)
        t->i30_on_volume++;
    bool deleted = !(sc->rec.flags & NTX_REC_IN_USE);
    sb_clear(&t->path);
    if (n != NTX_MFT_ROOT)
        scan_record_path(sc, n, sc->rec.nnames > 0, &t->path);
    size_t dir_len = t->path.len;
    ntx_dirent ent;
    while (rc == NTX_OK && (rc = ntx_dir_iter_next(&it, &ent)) == NTX_OK) {
        char name[3 * NTX_NAME_MAX + 1];
        size_t nlen = name_utf8(ent.name, ent.name_len, name, sizeof name);
        t->path.len = dir_len;
        sb_putc(&t->path, '/');
        sb_put(&t->path, name, nlen);
        tl_event e;
        event_init(&e, "$I30", t->path.p, t->path.len);
        e.note = " ($I30)";
        e.deleted = deleted;
        e.name_type = e.meta_type = ent.is_dir ? 'd' : 'r';
        e.dos = ent.file_attrs;
        e.size = ent.data_size;
        e.mft = NTX_REF_MFT(ent.mft_ref);
        e.seq = NTX_REF_SEQ(ent.mft_ref);
        e.has_seq = true;
        e.has_parent = true;
        e.parent_ref = ent.parent_ref;
        set_inode(&e, e.mft, 0, 0, false);
        memcpy(e.times, ent.times, sizeof e.times);
        emit(t, &e);
    }
    if (rc != NTX_END) {
        char what[48];
        snprintf(what, sizeof what, "record %llu ($I30)", (unsigned long long)n);
        report(img, what, rc);
        g_partial = 1;
    }
}

static void mft_events(tl *t)
{
    scan *sc = t->sc;
    for (uint64_t n = 0; n < sc->nrec; n++) { /* bound: the records of $MFT */
        const scan_rec *r = scan_record(sc, n);
        if (r->state != REC_BASE)
            continue;
        bool deleted = !(r->flags & NTX_REC_IN_USE);
        char type = (r->flags & NTX_REC_DIRECTORY) ? 'd' : 'r';
        /* The Sleuth Kit's name type: what a directory entry says. A record
         * not in use has none (its names are no longer indexed): '-', as
         * fls -m writes for names it finds through the MFT alone. */
        char name_type = deleted ? '-' : type;
        bool any_long = scan_has_long_name(sc);
        bool printed = false;
        for (uint32_t k = 0; k < r->nnames; k++) {
            const scan_name *nm = &sc->names[k];
            if (nm->ns == NTX_NS_DOS && any_long)
                continue;
            scan_name_path(sc, k, &t->path);
            sbuf path = t->path; /* record_events() does not touch t->path */
            record_events(t, nm, path.p, path.len, name_type);
            printed = true;
        }
        if (!printed) {
            sb_clear(&t->path);
            scan_record_path(sc, n, false, &t->path);
            record_events(t, NULL, t->path.p, t->path.len, '-');
        }
        if (r->flags & NTX_REC_DIRECTORY)
            i30_events(t, n);
    }
    if (sc->errors)
        g_partial = 1;
}

/* ---- events of the change journal ---- */

static int usn_events(tl *t)
{
    int status = EXIT_OK;
    journal *j = journal_open(t->sc->img, t->o, &status);
    if (j == NULL)
        return status;
    ntx_usn_record r;
    sbuf note;
    sb_init(&note);
    /* bound: the journal's records (journal_next() moves on at every call) */
    while (journal_next(j, &r) == NTX_OK) {
        char name[3 * NTX_NAME_MAX + 1];
        size_t nlen = name_utf8(r.name, r.name_len, name, sizeof name);
        sb_clear(&t->path);
        scan_parent_path(t->sc, r.parent_ref, &t->path);
        sb_putc(&t->path, '/');
        sb_put(&t->path, name, nlen);
        sb_clear(&note);
        sb_puts(&note, " ($UsnJrnl: ");
        usn_reasons(&note, r.reason, ",");
        sb_putc(&note, ')');
        tl_event e;
        event_init(&e, "$UsnJrnl", t->path.p, t->path.len);
        e.note = sb_str(&note);
        e.name_type = e.meta_type = (r.file_attrs & NTX_FA_DIRECTORY) ? 'd' : 'r';
        e.dos = r.file_attrs;
        e.mft = NTX_REF_MFT(r.file_ref);
        e.seq = NTX_REF_SEQ(r.file_ref);
        e.has_seq = true;
        e.has_parent = true;
        e.parent_ref = r.parent_ref;
        e.usn = &r;
        set_inode(&e, e.mft, 0, 0, false);
        /* A journal record has one time, when the change was recorded: the
         * body file's "changed" column (mactime shows it as ..c.). */
        e.times[NTX_TIME_MFT_CHANGE] = r.time;
        emit(t, &e);
    }
    journal_close(j);
    sb_free(&note);
    return status;
}

int cmd_timeline(cli_opts *o)
{
    cli_image img;
    scan sc;
    if (!open_and_scan(o, &img, &sc, true))
        return EXIT_FAIL;
    tl t;
    memset(&t, 0, sizeof t);
    t.o = o;
    t.sc = &sc;
    sb_init(&t.out);
    sb_init(&t.name);
    sb_init(&t.tmp);
    sb_init(&t.path);
    sb_init(&t.times_text);
    t.times_of[0] = UINT64_MAX; /* no line yet */
    if (o->format == FORMAT_CSV)
        sb_puts(&t.out, csv_header);
    mft_events(&t);
    int ret = EXIT_OK;
    if (o->usn)
        ret = usn_events(&t);
    out_flush_line(&t.out);
    if (t.i30_on_volume > 0 && !o->quiet)
        warnf("%s: the $I30 entries in the index blocks of %lu directories are on the volume, "
              "not in a copy of $MFT: only those in $INDEX_ROOT are listed",
              img.path, t.i30_on_volume);
    sb_free(&t.out);
    sb_free(&t.name);
    sb_free(&t.tmp);
    sb_free(&t.path);
    sb_free(&t.times_text);
    scan_free(&sc);
    image_close(&img);
    return ret;
}
