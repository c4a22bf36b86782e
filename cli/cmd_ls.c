/*
 * cmd_ls.c - `ntx ls`: a directory's entries (index order), optionally the
 * whole tree below it. The walk keeps an explicit stack of directory
 * iterators: no recursion, a depth cap, and a directory already on the
 * current path is not entered again (hard-linked directory cycles on hostile
 * images). Reparse points (junctions, directory symlinks) are not followed.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define LS_MAX_DEPTH 512u
/* Rows are written out in batches of this many bytes: one fwrite per row
 * was a tenth of `ntx ls` of a large directory. */
#define LS_BATCH 32768u

typedef struct frame {
    ntx_dir_iter it;
    uint64_t mft_no;
    size_t path_len; /* bytes of the directory's path (WTF-8) */
} frame;

typedef struct ls_ctx {
    cli_image *img;
    cli_opts *o;
    sbuf out;
    sbuf path; /* WTF-8, unescaped */
    sbuf tmp;
} ls_ctx;

/* Rows wait in c->out until a batch is full. */
/* The -l time column: "YYYY-MM-DD hh:mm:ss UTC". */
enum { LS_TIME_WIDTH = 23 };

static void ls_emit(ls_ctx *c)
{
    if (c->out.len >= LS_BATCH)
        out_flush_line(&c->out);
}

/* Before an error line: the rows before it come first. */
static void ls_flush(ls_ctx *c)
{
    if (c->out.len > 0)
        out_flush_line(&c->out);
}

/* Decimal digits of v at p; returns how many. */
static size_t put_u64(char *p, uint64_t v)
{
    char d[20];
    size_t n = 0;
    do { /* bound: 20 digits */
        d[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0);
    for (size_t i = 0; i < n; i++)
        p[i] = d[n - 1 - i];
    return n;
}

/* The name in UTF-8 (name_utf8), with a direct path for plain ASCII,
 * which most names are: the general conversion was a tenth of a listing. */
static size_t ls_name(const ntx_dirent *ent, char *out, size_t cap)
{
    size_t n = ent->name_len;
    if (n < cap) {
        size_t i = 0;
        while (i < n && ent->name[i] >= 0x20 && ent->name[i] < 0x7F) /* bound: n */
            i++;
        if (i == n) {
            for (i = 0; i < n; i++)
                out[i] = (char)ent->name[i];
            out[n] = '\0';
            return n;
        }
    }
    return name_utf8(ent->name, ent->name_len, out, cap);
}

/* esc_text(), passing printable ASCII other than the backslash (which it
 * leaves as it is) without a look at each byte's class. */
static void ls_text(sbuf *b, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] >= 0x20 && s[i] < 0x7F && s[i] != '\\') /* bound: n */
        i++;
    if (i == n)
        sb_put(b, s, n);
    else
        esc_text(b, s, n);
}

/* "t RECORD-SEQ  " padded so names line up for references up to 2^32
 * (formatted by hand: two printf calls per row were a fifth of a listing) */
static void ref_col(sbuf *b, char type, uint64_t ref)
{
    char r[64];
    size_t n = 0;
    r[n++] = type;
    r[n++] = ' ';
    n += put_u64(r + n, NTX_REF_MFT(ref));
    r[n++] = '-';
    n += put_u64(r + n, NTX_REF_SEQ(ref));
    while (n < 16) /* bound: 16 */
        r[n++] = ' ';
    r[n++] = ' ';
    sb_put(b, r, n);
}

static char type_letter(const ntx_stat *st, bool link)
{
    if (link)
        return 'l';
    return st->is_dir ? 'd' : 'f';
}

/* What a JSON row says of one listed object: a file or directory
 * (stream == NULL) or one of its named streams. The fields and their order
 * are the documented ones (README, "JSON output"). */
typedef struct ls_json_row {
    const char *stream; /* UTF-8 stream name, or NULL */
    size_t stream_len;
    const char *type;   /* "file", "dir", "link", "stream" */
    const char *name_space; /* NULL for a stream */
    uint64_t size, alloc_size;
    const char *target; /* link target, or NULL */
    bool data;          /* the row is the file's (its data_form applies), not a stream's */
} ls_json_row;

static void ls_json(ls_ctx *c, const ntx_dirent *ent, const ntx_stat *st, const ls_json_row *r)
{
    jw w;
    jw_begin(&w, &c->out);
    /* the full path, with ":stream" for a stream */
    size_t keep = c->path.len;
    if (r->stream != NULL) {
        sb_putc(&c->path, ':');
        sb_put(&c->path, r->stream, r->stream_len);
    }
    jw_strn(&w, "path", c->path.p, c->path.len);
    if (r->stream != NULL) {
        c->path.len = keep;
        c->path.p[keep] = '\0';
    }
    jw_key(&w, "name");
    json_name16(&c->out, ent->name, ent->name_len);
    if (r->stream != NULL)
        jw_strn(&w, "stream", r->stream, r->stream_len);
    else
        jw_null(&w, "stream");
    jw_str(&w, "type", r->type);
    jw_u64(&w, "mft", NTX_REF_MFT(st->mft_ref));
    jw_u64(&w, "seq", NTX_REF_SEQ(st->mft_ref));
    jw_u64(&w, "parent", NTX_REF_MFT(ent->parent_ref));
    jw_u64(&w, "parent_seq", NTX_REF_SEQ(ent->parent_ref));
    if (r->name_space != NULL)
        jw_str(&w, "namespace", r->name_space);
    else
        jw_null(&w, "namespace");
    jw_u64(&w, "size", r->size);
    jw_u64(&w, "alloc_size", r->alloc_size);
    jw_u64(&w, "links", st->link_count);
    jw_u64(&w, "attrs", st->dos_attrs);
    jw_u64(&w, "reparse_tag", st->reparse_tag);
    jw_time(&w, "created", st->si_times[NTX_TIME_CREATE]);
    jw_time(&w, "modified", st->si_times[NTX_TIME_MODIFY]);
    jw_time(&w, "changed", st->si_times[NTX_TIME_MFT_CHANGE]);
    jw_time(&w, "accessed", st->si_times[NTX_TIME_ACCESS]);
    if (r->target != NULL)
        jw_str(&w, "target", r->target);
    else
        jw_null(&w, "target");
    const char *form = r->data ? data_form_name(st->data_form) : NULL;
    if (form != NULL)
        jw_str(&w, "data_form", form);
    else
        jw_null(&w, "data_form");
    if (form != NULL && st->data_form == NTX_DATA_WOF)
        jw_str(&w, "wof_algorithm", wof_algorithm_name(st->wof_algorithm));
    else
        jw_null(&w, "wof_algorithm");
    if (form != NULL && st->data_form == NTX_DATA_EXTERNAL)
        jw_str(&w, "external", external_kind(st->reparse_tag));
    else
        jw_null(&w, "external");
    jw_end(&w);
}

/* Named $DATA streams of f (for -a): "s" rows. */
static void ls_streams(ls_ctx *c, const ntx_dirent *ent, const ntx_file *f, const ntx_stat *st,
                       const char *path, size_t path_len)
{
    ntx_attr_iter ai;
    ntx_attr_info info;
    char sname[3 * NTX_NAME_MAX + 1];
    size_t slen;
    ntx_err rc = ntx_attr_iter_open(&ai, f);
    while (rc == NTX_OK &&
           (rc = next_named_stream(&ai, &info, sname, sizeof sname, &slen)) == NTX_OK) {
        if (c->o->json) {
            ls_json_row r = {.stream = sname, .stream_len = slen, .type = "stream",
                             .size = info.size,
                             .alloc_size = info.resident ? info.size : info.alloc_size};
            ls_json(c, ent, st, &r);
        } else {
            ref_col(&c->out, 's', st->mft_ref);
            if (c->o->long_fmt)
                sb_printf(&c->out, "%5u %-8s %14llu %-*s ", st->link_count, "",
                          (unsigned long long)info.size, LS_TIME_WIDTH, "");
            esc_text(&c->out, path, path_len);
            sb_putc(&c->out, ':');
            esc_text(&c->out, sname, slen);
            sb_putc(&c->out, '\n');
        }
        ls_emit(c);
    }
    if (rc != NTX_END) {
        sb_clear(&c->tmp);
        esc_text(&c->tmp, path, path_len);
        ls_flush(c);
        report(c->img, sb_str(&c->tmp), rc);
        g_partial = 1;
    }
}

/* --header: a line naming the columns of the rows below it, aligned with
 * them (ref_col pads the type and reference to 17 characters). */
static void ls_header(ls_ctx *c)
{
    sb_puts(&c->out, "T REF            ");
    if (c->o->long_fmt)
        sb_printf(&c->out, "%5s %-8s %14s %-*s ", "LINKS", "ATTRS", "SIZE", LS_TIME_WIDTH,
                  "MODIFIED");
    sb_puts(&c->out, c->o->recursive ? "PATH\n" : "NAME\n");
    ls_emit(c);
}

/* -l marks a file whose bytes are not simply its clusters, as " (dos)"
 * marks a DOS name: " (wof:ALGORITHM)" for a WOF-compressed file (read
 * decompressed), " (external:KIND)" for one whose data is stored outside
 * the volume (reading it fails and says where). */
static void ls_data_marker(sbuf *b, const ntx_stat *st)
{
    if (st->data_form == NTX_DATA_WOF)
        sb_printf(b, " (wof:%s)", wof_algorithm_name(st->wof_algorithm));
    else if (st->data_form == NTX_DATA_EXTERNAL)
        sb_printf(b, " (external:%s)", external_kind(st->reparse_tag));
}

/* A short row (no -l, -a or --json) from the index entry alone: the
 * entry's $FILE_NAME says directory or not, with the file's reference. */
static void ls_row_short(ls_ctx *c, const ntx_dirent *ent, const char *shown, size_t shown_len)
{
    ref_col(&c->out, ent->is_dir ? 'd' : 'f', ent->mft_ref);
    ls_text(&c->out, shown, shown_len);
    if (ent->name_space == NTX_NS_DOS)
        sb_puts(&c->out, " (dos)");
    sb_putc(&c->out, '\n');
    ls_emit(c);
}

/* Does a row need the file's record, or does its index entry say all? A
 * short listing needs the record only for what may be a link: a reparse
 * point (a symbolic link or junction is shown as one only when its target
 * reads), or a system file that may be an Interix link. Opening every
 * child's record made `ntx ls` of a large directory read $MFT at random. */
static bool ls_needs_record(const cli_opts *o, const ntx_dirent *ent)
{
    if (o->long_fmt || o->all || o->json)
        return true;
    if (ent->reparse_tag != 0 || (ent->file_attrs & NTX_FA_REPARSE))
        return true;
    return !ent->is_dir && (ent->file_attrs & NTX_FA_SYSTEM);
}

/* One row. shown: what the text line prints (the name, or the path with
 * -r); JSON always gives the full path (c->path). */
static void ls_row(ls_ctx *c, const ntx_dirent *ent, const ntx_file *f, const ntx_stat *st,
                   const char *shown, size_t shown_len)
{
    char target[NTX_LINK_MAX];
    bool link = file_link_target(f, st, target, sizeof target);
    char t = type_letter(st, link);
    if (c->o->json) { /* always the full path (c->path) */
        ls_json_row r = {.type = t == 'd' ? "dir" : t == 'l' ? "link" : "file",
                         .name_space = namespace_name(ent->name_space),
                         .size = st->size, .alloc_size = st->alloc_size,
                         .target = link ? target : NULL, .data = true};
        ls_json(c, ent, st, &r);
    } else {
        ref_col(&c->out, t, st->mft_ref);
        if (c->o->long_fmt) {
            sb_printf(&c->out, "%5u ", st->link_count);
            size_t at = c->out.len;
            fmt_dos_attrs(&c->out, st->dos_attrs & 0xFFFF, false);
            while (c->out.len < at + 8)
                sb_putc(&c->out, ' ');
            sb_printf(&c->out, " %14llu ", (unsigned long long)st->size);
            size_t t0 = c->out.len;
            fmt_time(&c->out, st->si_times[NTX_TIME_MODIFY], false);
            if (st->si_times[NTX_TIME_MODIFY] != 0)
                sb_puts(&c->out, " UTC");
            while (c->out.len < t0 + LS_TIME_WIDTH)
                sb_putc(&c->out, ' ');
            sb_putc(&c->out, ' ');
        }
        esc_text(&c->out, shown, shown_len);
        if (ent->name_space == NTX_NS_DOS)
            sb_puts(&c->out, " (dos)");
        if (c->o->long_fmt)
            ls_data_marker(&c->out, st);
        if (c->o->long_fmt && link) {
            sb_puts(&c->out, " -> ");
            esc_text(&c->out, target, strlen(target));
        }
        sb_putc(&c->out, '\n');
    }
    ls_emit(c);
}

int cmd_ls(cli_opts *o)
{
    cli_image img;
    if (!image_open(&img, o))
        return EXIT_FAIL;
    ls_ctx c;
    memset(&c, 0, sizeof c);
    c.img = &img;
    c.o = o;
    sb_init(&c.out);
    sb_init(&c.path);
    sb_init(&c.tmp);

    ntx_file dir;
    const char *start = o->nargs > 0 ? o->args[0] : "/";
    int ret = EXIT_OK;
    frame *stack = NULL;
    ntx_stat st;
    ntx_err rc;
    if (o->have_inode && o->nargs > 0) {
        ret = usage_error("ls", "give a PATH or -i MFTNUM, not both");
        goto done;
    }
    if (o->header && o->json) {
        ret = usage_error("ls", "--header names the text columns; --json names its fields");
        goto done;
    }
    if (!open_target(&img, o, start, false, &dir, &c.tmp)) {
        ret = EXIT_FAIL;
        goto done;
    }
    rc = ntx_file_stat(&dir, &st);
    if (rc != NTX_OK) {
        ls_flush(&c);
        report(&img, sb_str(&c.tmp), rc);
        ret = EXIT_FAIL;
        goto done;
    }
    /* the start path, normalised: "/" + components */
    if (!o->have_inode) {
        const char *p = start;
        while (*p != '\0') {
            while (*p == '/')
                p++;
            const char *e = strchr(p, '/');
            size_t n = e ? (size_t)(e - p) : strlen(p);
            if (n > 0 && !(n == 1 && p[0] == '.')) {
                sb_putc(&c.path, '/');
                sb_put(&c.path, p, n);
            }
            p += n;
        }
    } else if (!walk_dir_path(&img, NTX_REF(o->inode, 0), &c.path)) {
        sb_clear(&c.path);
        sb_printf(&c.path, "<record %llu>", (unsigned long long)o->inode);
    }
    (void)sb_str(&c.path); /* storage even for the root's empty path */
    if (o->header)
        ls_header(&c);

    if (!st.is_dir) { /* ls of one file */
        ntx_dirent ent;
        memset(&ent, 0, sizeof ent);
        ent.parent_ref = st.parent_ref;
        const char *slash = strrchr(c.path.p ? c.path.p : "", '/');
        const char *base = slash ? slash + 1 : sb_str(&c.path);
        size_t n = strlen(base);
        size_t units = 0;
        if (ntx_utf8_to_utf16(base, n, ent.name, NTX_NAME_MAX, &units, NTX_UTF16_WTF8) == NTX_OK)
            ent.name_len = (uint8_t)units;
        ent.name_space = NTX_NS_WIN32;
        if (o->recursive)
            ls_row(&c, &ent, &dir, &st, c.path.p, c.path.len);
        else
            ls_row(&c, &ent, &dir, &st, base, n);
        if (o->all)
            ls_streams(&c, &ent, &dir, &st, c.path.p, c.path.len);
        goto done;
    }

    size_t cap = 16, depth = 0;
    stack = malloc(cap * sizeof *stack);
    if (stack == NULL) {
        ls_flush(&c);
        reportf(&img, NULL, "out of memory");
        ret = EXIT_FAIL;
        goto done;
    }
    unsigned flags = NTX_DIR_SKIP_SELF | (o->all ? 0u : NTX_DIR_SKIP_DOS);
    rc = ntx_dir_iter_open(&stack[0].it, &dir, flags);
    if (rc != NTX_OK) {
        ls_flush(&c);
        report(&img, sb_str(&c.tmp), rc);
        ret = EXIT_FAIL;
        goto done;
    }
    stack[0].mft_no = dir.mft_no;
    stack[0].path_len = c.path.len;
    depth = 1;
    while (depth > 0) { /* bound: each directory is entered at most once per path; depth cap */
        frame *fr = &stack[depth - 1];
        ntx_dirent ent;
        rc = ntx_dir_iter_next(&fr->it, &ent);
        if (rc == NTX_END) {
            depth--;
            continue;
        }
        c.path.len = fr->path_len;
        c.path.p[c.path.len] = '\0';
        if (rc != NTX_OK) {
            sb_clear(&c.tmp);
            esc_text(&c.tmp, c.path.len ? c.path.p : "/", c.path.len ? c.path.len : 1);
            ls_flush(&c);
            report(&img, sb_str(&c.tmp), rc);
            g_partial = 1;
            depth--;
            continue;
        }
        uint64_t child = NTX_REF_MFT(ent.mft_ref);
        if (!o->all && child < NTX_MFT_FIRST_USER)
            continue; /* $MFT, $MFTMirr, ..., $Extend */
        char name[3 * NTX_NAME_MAX + 1];
        size_t nlen = ls_name(&ent, name, sizeof name);
        sb_putc(&c.path, '/');
        sb_put(&c.path, name, nlen);

        ntx_file f;
        ntx_stat cst;
        bool is_dir, is_reparse;
        if (!ls_needs_record(o, &ent)) {
            if (o->recursive)
                ls_row_short(&c, &ent, c.path.p, c.path.len);
            else
                ls_row_short(&c, &ent, name, nlen);
            if (!o->recursive || !ent.is_dir || ent.name_space == NTX_NS_DOS)
                continue;
            is_dir = true;
            is_reparse = false;
            rc = ntx_file_open(&f, &img.vol, ent.mft_ref, 0);
            if (rc != NTX_OK) {
                sb_clear(&c.tmp);
                esc_text(&c.tmp, c.path.p, c.path.len);
                ls_flush(&c);
                report(&img, sb_str(&c.tmp), rc);
                g_partial = 1;
                continue;
            }
        } else {
            rc = ntx_file_open(&f, &img.vol, ent.mft_ref, 0);
            if (rc == NTX_OK)
                rc = ntx_file_stat(&f, &cst);
            if (rc != NTX_OK) {
                sb_clear(&c.tmp);
                esc_text(&c.tmp, c.path.p, c.path.len);
                ls_flush(&c);
                report(&img, sb_str(&c.tmp), rc);
                g_partial = 1;
                continue;
            }
            if (o->recursive)
                ls_row(&c, &ent, &f, &cst, c.path.p, c.path.len);
            else
                ls_row(&c, &ent, &f, &cst, name, nlen);
            if (o->all && ent.name_space != NTX_NS_DOS)
                ls_streams(&c, &ent, &f, &cst, o->recursive ? c.path.p : name,
                           o->recursive ? c.path.len : nlen);
            is_dir = cst.is_dir;
            is_reparse = cst.reparse_tag != 0;
        }
        if (!o->recursive || !is_dir || is_reparse || ent.name_space == NTX_NS_DOS)
            continue;
        bool on_path = false;
        for (size_t i = 0; i < depth; i++)
            if (stack[i].mft_no == f.mft_no)
                on_path = true;
        if (on_path) {
            sb_clear(&c.tmp);
            esc_text(&c.tmp, c.path.p, c.path.len);
            ls_flush(&c);
            reportf(&img, sb_str(&c.tmp),
                    "directory cycle: record %llu is already on the path; not entered",
                    (unsigned long long)f.mft_no);
            g_partial = 1;
            continue;
        }
        if (depth >= LS_MAX_DEPTH) {
            sb_clear(&c.tmp);
            esc_text(&c.tmp, c.path.p, c.path.len);
            ls_flush(&c);
            reportf(&img, sb_str(&c.tmp), "deeper than %u levels; not entered", LS_MAX_DEPTH);
            g_partial = 1;
            continue;
        }
        if (depth == cap) {
            frame *ns = realloc(stack, 2 * cap * sizeof *stack);
            if (ns == NULL) {
                ls_flush(&c);
                reportf(&img, NULL, "out of memory");
                g_partial = 1;
                continue;
            }
            stack = ns;
            cap *= 2;
        }
        rc = ntx_dir_iter_open(&stack[depth].it, &f, flags);
        if (rc != NTX_OK) {
            sb_clear(&c.tmp);
            esc_text(&c.tmp, c.path.p, c.path.len);
            ls_flush(&c);
            report(&img, sb_str(&c.tmp), rc);
            g_partial = 1;
            continue;
        }
        stack[depth].mft_no = f.mft_no;
        stack[depth].path_len = c.path.len;
        depth++;
    }
done:
    ls_flush(&c);
    free(stack);
    sb_free(&c.out);
    sb_free(&c.path);
    sb_free(&c.tmp);
    image_close(&img);
    return ret;
}
