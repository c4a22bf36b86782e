/*
 * scan.c - read every MFT record (headers through ntx_record_get_info(),
 * base records through ntx_file_open() with NTX_OPEN_DELETED, attribute
 * values through ntx_attr_read() and the ntx_*_parse() parsers) and rebuild
 * paths from parent references.
 *
 * Two passes, so that memory does not grow with the table: the first keeps
 * the directories (a path is made of directory names only), the second
 * decodes one record at a time for the caller. 1,000,000 records of which
 * 100,000 directories take about 4 MB; a table of files alone takes nothing.
 *
 * Paths: a name's directory is its $FILE_NAME parent reference, accepted
 * when that record is a directory base record with the same sequence
 * number, or a directory freed after its child (its sequence number one
 * higher, as NTFS increments it on free). Otherwise the chain is broken and
 * the name goes under "/$OrphanFiles", as The Sleuth Kit shows it; a
 * directory record that has lost its names is "OrphanFile-N" there. A path
 * is walked up each time it is asked for (the last one is kept: names come
 * in record order, and neighbours share directories); the walk is
 * iterative, capped in hops, and a record met twice in one walk (a cycle)
 * ends it as an orphan.
 */
#include <stdlib.h>
#include <string.h>

#include "scan.h"

#define MAX_HOPS 4096u
#define ORPHAN_DIR "/$OrphanFiles"
#define NO_DIR SIZE_MAX

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t c = *cap ? *cap : 256;
    while (c < need)
        c *= 2;
    void *q = realloc(p, c * elem);
    if (q == NULL) {
        fputs("ntx: out of memory\n", stderr);
        exit(EXIT_FAIL);
    }
    *cap = c;
    return q;
}

static uint32_t arena_add(sbuf *a, const char *s, size_t n)
{
    size_t off = a->len;
    sb_put(a, s, n);
    return (uint32_t)off;
}

/* ---- a record's attributes ---- */

typedef struct ext_pair {
    uint64_t base, ext;
    bool in_use;
} ext_pair;

static int ext_cmp(const void *a, const void *b)
{
    const ext_pair *x = a, *y = b;
    if (x->base != y->base)
        return x->base < y->base ? -1 : 1;
    return x->ext < y->ext ? -1 : x->ext > y->ext;
}

typedef struct gathered {
    ntx_attr_info ai;
    size_t order;
} gathered;

/* The order an attribute list keeps: type, name, first VCN; then where the
 * attributes were found (the base record first, then the extension records
 * by number, each in storage order). */
static int gathered_cmp(const void *a, const void *b)
{
    const ntx_attr_info *x = &((const gathered *)a)->ai, *y = &((const gathered *)b)->ai;
    if (x->type != y->type)
        return x->type < y->type ? -1 : 1;
    for (unsigned i = 0; i < x->name_len && i < y->name_len; i++)
        if (x->name[i] != y->name[i])
            return x->name[i] < y->name[i] ? -1 : 1;
    if (x->name_len != y->name_len)
        return x->name_len < y->name_len ? -1 : 1;
    if (x->lowest_vcn != y->lowest_vcn)
        return x->lowest_vcn < y->lowest_vcn ? -1 : 1;
    size_t p = ((const gathered *)a)->order, q = ((const gathered *)b)->order;
    return p < q ? -1 : p > q;
}

/*
 * A copy of $MFT holds no non-resident attribute list: the base record's
 * own attributes and those of the extension records that name it as their
 * base (in use, unless the file is deleted too), in the list's order.
 */
static ntx_err gather_attrs(scan *sc, uint64_t n, bool deleted, size_t *count)
{
    static gathered *g;
    static size_t g_cap;
    ntx_volume *vol = &sc->img->vol;
    size_t k = 0, e = 0;
    /* the first pair of this base: binary search */
    size_t lo = 0, hi = sc->nexts;
    while (lo < hi) { /* bound: halves [lo, hi) */
        size_t mid = lo + (hi - lo) / 2;
        if (sc->exts[mid].base < n)
            lo = mid + 1;
        else
            hi = mid;
    }
    e = lo;
    uint64_t rec = n;
    for (;;) { /* bound: the base record, then its extension records */
        ntx_attr_iter it;
        ntx_attr_info ai;
        ntx_err rc = ntx_attr_iter_open_record(&it, vol, rec);
        while (rc == NTX_OK && (rc = ntx_attr_iter_next(&it, &ai)) == NTX_OK) {
            g = grow(g, &g_cap, k + 1, sizeof *g);
            memcpy(&g[k].ai, &ai, sizeof ai);
            g[k].order = k;
            k++;
        }
        if (rc != NTX_END)
            return rc;
        while (e < sc->nexts && sc->exts[e].base == n && !sc->exts[e].in_use && !deleted)
            e++;
        if (e >= sc->nexts || sc->exts[e].base != n)
            break;
        rec = sc->exts[e++].ext;
    }
    qsort(g, k, sizeof *g, gathered_cmp);
    sc->gathered = g;
    *count = k;
    return NTX_OK;
}

typedef void (*attr_fn)(scan *sc, const ntx_file *f, const ntx_attr_info *ai, void *ctx);

/*
 * Every attribute of the file f (base record n) through fn; NTX_END when
 * all were seen. From a copy of $MFT, a file whose attribute list is on the
 * volume is put back together from its records (gather_attrs()), after
 * reset(ctx) forgets what the failed walk gave.
 */
static ntx_err each_attr(scan *sc, const ntx_file *f, uint64_t n, attr_fn fn,
                         void (*reset)(void *), void *ctx)
{
    ntx_attr_iter it;
    ntx_attr_info ai;
    ntx_volume *vol = &sc->img->vol;
    ntx_err rc = ntx_attr_iter_open(&it, f);
    while (rc == NTX_OK && (rc = ntx_attr_iter_next(&it, &ai)) == NTX_OK)
        fn(sc, f, &ai, ctx);
    if (rc != NTX_E_EXTERNAL || !vol->geo.mft_only ||
        vol->diag.check != NTX_CHK_EXTERNAL_VOLUME)
        return rc;
    ntx_record_info ri;
    size_t count;
    if (ntx_record_get_info(vol, n, &ri) != NTX_OK ||
        gather_attrs(sc, n, !(ri.flags & NTX_REC_IN_USE), &count) != NTX_OK)
        return rc;
    reset(ctx);
    for (size_t i = 0; i < count; i++)
        fn(sc, f, &sc->gathered[i].ai, ctx);
    return NTX_END;
}

/* ---- the first pass: directories ---- */

typedef struct dir_names {
    uint32_t nattrs, nnames;
    bool have_long;
    ntx_dirent prim;
} dir_names;

static void dir_reset(void *ctx)
{
    memset(ctx, 0, sizeof(dir_names));
}

static void dir_attr(scan *sc, const ntx_file *f, const ntx_attr_info *ai, void *ctx)
{
    (void)sc;
    dir_names *d = ctx;
    static uint8_t buf[1024];
    d->nattrs++;
    if (ai->type != NTX_AT_FILE_NAME || !ai->resident)
        return;
    size_t got = 0;
    ntx_dirent de;
    if (ntx_attr_read(f, ai, 0, buf, sizeof buf, &got) != NTX_OK ||
        ntx_file_name_parse(buf, got, &de) != NTX_OK)
        return;
    /* the first name that is not a DOS alias, else the first name */
    if (d->nnames++ == 0 || (!d->have_long && de.name_space != NTX_NS_DOS))
        memcpy(&d->prim, &de, sizeof d->prim);
    if (de.name_space != NTX_NS_DOS)
        d->have_long = true;
}

static void dir_record(scan *sc, uint64_t n, const ntx_record_info *ri)
{
    ntx_file f;
    if (ntx_file_open(&f, &sc->img->vol, n, NTX_OPEN_DELETED) != NTX_OK)
        return; /* unreadable: no parent for anyone (REC_BAD) */
    static dir_names d;
    dir_reset(&d);
    ntx_err rc = each_attr(sc, &f, n, dir_attr, dir_reset, &d);
    bool walk_ok = rc == NTX_END || rc == NTX_OK;
    if (walk_ok && ntx_record_never_used(ri, d.nattrs, d.nnames))
        return; /* REC_EMPTY */
    sc->dirs = grow(sc->dirs, &sc->dirs_cap, sc->ndirs + 1, sizeof *sc->dirs);
    scan_dir *dr = &sc->dirs[sc->ndirs++];
    memset(dr, 0, sizeof *dr);
    dr->mft = n;
    dr->seq = ri->seq;
    dr->flags = ri->flags;
    dr->usable = true;
    if (d.nnames > 0) {
        char name[3 * NTX_NAME_MAX + 1];
        size_t len = name_utf8(d.prim.name, d.prim.name_len, name, sizeof name);
        dr->has_name = true;
        dr->parent_ref = d.prim.parent_ref;
        dr->name_off = arena_add(&sc->dir_names, name, len);
        dr->name_len = (uint16_t)len;
    }
}

bool scan_open(scan *sc, cli_image *img, bool with_streams, bool quiet)
{
    (void)quiet;
    memset(sc, 0, sizeof *sc);
    sc->img = img;
    sc->nrec = img->vol.mft_records;
    sc->with_streams = with_streams;
    sc->last_dir = UINT64_MAX;
    sb_init(&sc->dir_names);
    sb_init(&sc->arena);
    sb_init(&sc->last_path);
    (void)sb_str(&sc->dir_names); /* storage from the start: offsets 0 are valid */
    (void)sb_str(&sc->arena);
    /* From a copy of $MFT, which extension records each base record has
     * (for the files whose attribute list is on the volume): a pass over
     * the headers first, the directories' names may need them. */
    for (uint64_t n = 0; img->vol.geo.mft_only && n < sc->nrec; n++) { /* bound: the records */
        ntx_record_info ri;
        if (ntx_record_get_info(&img->vol, n, &ri) != NTX_OK || ri.base_ref == 0)
            continue;
        sc->exts = grow(sc->exts, &sc->exts_cap, sc->nexts + 1, sizeof *sc->exts);
        sc->exts[sc->nexts].base = NTX_REF_MFT(ri.base_ref);
        sc->exts[sc->nexts].ext = n;
        sc->exts[sc->nexts].in_use = (ri.flags & NTX_REC_IN_USE) != 0;
        sc->nexts++;
    }
    if (sc->nexts > 1)
        qsort(sc->exts, sc->nexts, sizeof *sc->exts, ext_cmp);
    for (uint64_t n = 0; n < sc->nrec; n++) { /* bound: the records $MFT holds */
        ntx_record_info ri;
        if (ntx_record_get_info(&img->vol, n, &ri) != NTX_OK || ri.base_ref != 0 ||
            !(ri.flags & NTX_REC_DIRECTORY))
            continue;
        dir_record(sc, n, &ri);
    }
    return true;
}

void scan_free(scan *sc)
{
    free(sc->dirs);
    free(sc->exts);
    free(sc->names);
    free(sc->streams);
    sb_free(&sc->dir_names);
    sb_free(&sc->arena);
    sb_free(&sc->last_path);
    memset(sc, 0, sizeof *sc);
}

/* ---- the second pass: one record ---- */

static void rec_reset(void *ctx)
{
    scan *sc = ctx;
    scan_rec *r = &sc->rec;
    r->nattrs = r->nnames = r->nstreams = 0;
    r->has_si = false;
    r->data_size = 0;
    r->dos_attrs = r->owner_id = 0;
    memset(r->si_times, 0, sizeof r->si_times);
    sb_clear(&sc->arena);
}

static void rec_attr(scan *sc, const ntx_file *f, const ntx_attr_info *ai, void *ctx)
{
    (void)ctx;
    scan_rec *r = &sc->rec;
    static uint8_t buf[1024];
    size_t got = 0;
    r->nattrs++;
    if (ai->type == NTX_AT_STANDARD_INFORMATION && ai->resident && !r->has_si) {
        ntx_std_info si;
        if (ntx_attr_read(f, ai, 0, buf, sizeof buf, &got) == NTX_OK &&
            ntx_std_info_parse(buf, got, &si) == NTX_OK) {
            memcpy(r->si_times, si.times, sizeof r->si_times);
            r->dos_attrs = si.file_attrs;
            r->owner_id = si.v3 ? si.owner_id : 0;
            r->has_si = true;
        }
    } else if (ai->type == NTX_AT_FILE_NAME && ai->resident) {
        ntx_dirent de;
        if (ntx_attr_read(f, ai, 0, buf, sizeof buf, &got) != NTX_OK ||
            ntx_file_name_parse(buf, got, &de) != NTX_OK)
            return; /* a damaged name: the record still lists */
        char name[3 * NTX_NAME_MAX + 1];
        size_t len = name_utf8(de.name, de.name_len, name, sizeof name);
        sc->names = grow(sc->names, &sc->names_cap, r->nnames + 1, sizeof *sc->names);
        scan_name *nm = &sc->names[r->nnames++];
        nm->parent_ref = de.parent_ref;
        memcpy(nm->times, de.times, sizeof nm->times);
        nm->alloc_size = de.alloc_size;
        nm->data_size = de.data_size;
        nm->file_attrs = de.file_attrs;
        nm->name_off = arena_add(&sc->arena, name, len);
        nm->name_len = (uint16_t)len;
        nm->attr_id = ai->instance;
        nm->value_len = (uint32_t)ai->size;
        nm->ns = de.name_space;
        nm->in_base = ai->rec_no == r->mft;
    } else if ((ai->type == NTX_AT_DATA || ai->type == NTX_AT_INDEX_ROOT) &&
               (ai->resident || ai->lowest_vcn == 0)) {
        if (ai->type == NTX_AT_DATA && ai->name_len == 0)
            r->data_size = ai->size;
        if (!sc->with_streams)
            return;
        char name[3 * NTX_NAME_MAX + 1];
        size_t len = name_utf8(ai->name, ai->name_len, name, sizeof name);
        sc->streams = grow(sc->streams, &sc->streams_cap, r->nstreams + 1, sizeof *sc->streams);
        scan_stream *st = &sc->streams[r->nstreams++];
        st->size = ai->size;
        st->type = ai->type;
        st->name_off = arena_add(&sc->arena, name, len);
        st->name_len = (uint16_t)len;
        st->attr_id = ai->instance;
        st->flags = ai->flags;
    }
}

static void read_attrs(scan *sc, uint64_t n)
{
    scan_rec *r = &sc->rec;
    ntx_file f;
    ntx_err rc = ntx_file_open(&f, &sc->img->vol, n, NTX_OPEN_DELETED);
    if (rc != NTX_OK) {
        r->state = REC_BAD;
        r->err = rc;
        return;
    }
    rc = each_attr(sc, &f, n, rec_attr, rec_reset, sc);
    if (rc != NTX_END)
        r->err = rc;
    for (uint32_t k = 0; k < r->nnames; k++) {
        if (sc->names[k].ns != NTX_NS_DOS) {
            r->prim = k;
            break;
        }
    }
    if (r->prim == UINT32_MAX && r->nnames > 0)
        r->prim = 0;
}

const scan_rec *scan_record(scan *sc, uint64_t n)
{
    cli_image *img = sc->img;
    scan_rec *r = &sc->rec;
    memset(r, 0, sizeof *r);
    r->mft = n;
    r->prim = UINT32_MAX;
    sb_clear(&sc->arena);
    ntx_record_info ri;
    ntx_err rc = ntx_record_get_info(&img->vol, n, &ri);
    if (rc == NTX_E_CORRUPT && img->vol.diag.check == NTX_CHK_RECORD_MAGIC) {
        r->state = REC_UNUSED; /* never used: no "FILE" magic */
        return r;
    }
    if (rc != NTX_OK) {
        r->state = REC_BAD;
        r->err = rc;
    } else {
        r->flags = ri.flags;
        r->seq = ri.seq;
        r->link_count = ri.link_count;
        r->lsn = ri.lsn;
        if (ri.base_ref != 0) {
            r->state = REC_EXT;
            r->base_ref = ri.base_ref;
            return r;
        }
        r->state = REC_BASE;
        read_attrs(sc, n);
        if (r->state == REC_BASE && r->err == 0 &&
            ntx_record_never_used(&ri, r->nattrs, r->nnames))
            r->state = REC_EMPTY;
    }
    if (r->err != 0) {
        /* an error, not a warning: reported even with -q */
        char what[40];
        snprintf(what, sizeof what, "record %llu", (unsigned long long)n);
        report(img, what, r->err);
        sc->errors++;
    }
    return r;
}

/* ---- paths ---- */

/* The index in dirs of directory record n, or NO_DIR. */
static size_t find_dir(const scan *sc, uint64_t n)
{
    size_t lo = 0, hi = sc->ndirs;
    while (lo < hi) { /* bound: halves [lo, hi) each pass */
        size_t mid = lo + (hi - lo) / 2;
        if (sc->dirs[mid].mft < n)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < sc->ndirs && sc->dirs[lo].mft == n ? lo : NO_DIR;
}

/* Is ref a directory that can hold a name? Its index in dirs in *out. */
static bool parent_ok(const scan *sc, uint64_t ref, size_t *out)
{
    uint64_t pn = NTX_REF_MFT(ref);
    if (pn >= sc->nrec)
        return false;
    size_t i = find_dir(sc, pn);
    if (i == NO_DIR || !sc->dirs[i].usable)
        return false;
    const scan_dir *pr = &sc->dirs[i];
    uint16_t want = NTX_REF_SEQ(ref);
    if (want != 0 && pr->seq != want &&
        !(!(pr->flags & NTX_REC_IN_USE) && pr->seq == (uint16_t)(want + 1u)))
        return false;
    *out = i; /* a directory without a name shows as $OrphanFiles/OrphanFile-N */
    return true;
}

/* Append the path of directory record d (in dirs, or the root) to out;
 * true when it does not lead to the root. */
static bool dir_path(scan *sc, uint64_t d, sbuf *out)
{
    static size_t *chain;
    static size_t chain_cap;
    size_t depth = 0;
    if (++sc->stamp == 0) { /* wrapped: forget every old walk */
        for (size_t i = 0; i < sc->ndirs; i++)
            sc->dirs[i].stamp = 0;
        sc->stamp = 1;
    }
    uint32_t stamp = sc->stamp;
    uint64_t cur = d;
    bool orphan = true;
    for (unsigned hops = 0;; hops++) { /* bound: MAX_HOPS, and a record met twice ends it */
        if (cur == NTX_MFT_ROOT) {
            orphan = false;
            break;
        }
        size_t i = find_dir(sc, cur);
        if (i == NO_DIR || !sc->dirs[i].has_name) {
            /* nameless: the chain ends here, as TSK shows it */
            sb_printf(out, ORPHAN_DIR "/OrphanFile-%llu", (unsigned long long)cur);
            goto names;
        }
        scan_dir *r = &sc->dirs[i];
        if (r->stamp == stamp || hops >= MAX_HOPS)
            break;
        r->stamp = stamp;
        chain = grow(chain, &chain_cap, depth + 1, sizeof *chain);
        chain[depth++] = i;
        size_t p;
        if (!parent_ok(sc, r->parent_ref, &p))
            break;
        cur = sc->dirs[p].mft;
    }
    if (orphan)
        sb_puts(out, ORPHAN_DIR);
names:
    while (depth > 0) {
        const scan_dir *r = &sc->dirs[chain[--depth]];
        sb_putc(out, '/');
        sb_put(out, sc->dir_names.p + r->name_off, r->name_len);
    }
    return orphan;
}

bool scan_parent_path(scan *sc, uint64_t parent_ref, sbuf *out)
{
    size_t p;
    if (!parent_ok(sc, parent_ref, &p)) {
        sb_puts(out, ORPHAN_DIR);
        return true;
    }
    uint64_t d = sc->dirs[p].mft;
    if (d != sc->last_dir) {
        sb_clear(&sc->last_path);
        sc->last_orphan = dir_path(sc, d, &sc->last_path);
        sc->last_dir = d;
    }
    sb_put(out, sc->last_path.p, sc->last_path.len);
    return sc->last_orphan;
}

bool scan_record_path(scan *sc, uint64_t r, bool has_name, sbuf *out)
{
    if (r >= sc->nrec)
        return true;
    size_t i = r == NTX_MFT_ROOT ? 0 : find_dir(sc, r);
    if (r != NTX_MFT_ROOT && (!has_name || i == NO_DIR || !sc->dirs[i].usable)) {
        sb_printf(out, ORPHAN_DIR "/OrphanFile-%llu", (unsigned long long)r);
        return true;
    }
    return dir_path(sc, r, out);
}

bool scan_name_path(scan *sc, uint32_t k, sbuf *path)
{
    const scan_name *nm = &sc->names[k];
    sb_clear(path);
    if (sc->rec.mft == NTX_MFT_ROOT) {
        sb_putc(path, '/');
        return false;
    }
    bool orphan = scan_parent_path(sc, nm->parent_ref, path);
    sb_putc(path, '/');
    sb_put(path, scan_str(sc, nm->name_off), nm->name_len);
    return orphan;
}

bool scan_has_long_name(const scan *sc)
{
    for (uint32_t k = 0; k < sc->rec.nnames; k++)
        if (sc->names[k].ns != NTX_NS_DOS)
            return true;
    return false;
}
