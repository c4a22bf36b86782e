/*
 * scan.c - read every MFT record once (headers through
 * ntx_record_get_info(), base records through ntx_file_open_record() with
 * NTX_OPEN_DELETED, attribute values through ntx_attr_read() and the
 * ntx_parse_*() parsers) and rebuild paths from parent references.
 *
 * Paths: a name's directory is its $FILE_NAME parent reference, accepted
 * when that record is a directory base record with a name and the same
 * sequence number, or a directory freed after its child (its sequence
 * number one higher, as NTFS increments it on free). Otherwise the chain is
 * broken and the name goes under "/$OrphanFiles", as The Sleuth Kit shows
 * it; a directory record that has lost its names is "OrphanFile-N" there. Directory paths are memoised; the walk up is iterative, capped in
 * hops, and a record met twice in one walk (a cycle) ends it as an orphan.
 */
#include <stdlib.h>
#include <string.h>

#include "scan.h"

#define MAX_HOPS 4096u
#define ORPHAN_DIR "/$OrphanFiles"

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t c = *cap ? *cap : 1024;
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

static void scan_record(scan *sc, uint64_t n, bool with_streams)
{
    ntx_volume *vol = &sc->img->vol;
    scan_rec *r = &sc->recs[n];
    ntx_file f;
    ntx_err rc = ntx_file_open(&f, vol, n, NTX_OPEN_DELETED);
    if (rc != NTX_OK) {
        r->state = REC_BAD;
        r->err = rc;
        return;
    }
    ntx_attr_iter it;
    ntx_attr_info ai;
    static uint8_t buf[1024];
    r->first_name = (uint32_t)sc->nnames;
    r->first_stream = (uint32_t)sc->nstreams;
    rc = ntx_attr_iter_open(&it, &f);
    while (rc == NTX_OK && (rc = ntx_attr_iter_next(&it, &ai)) == NTX_OK) {
        size_t got = 0;
        r->nattrs++;
        if (ai.type == NTX_AT_STANDARD_INFORMATION && ai.resident && !r->has_si) {
            ntx_std_info si;
            if (ntx_attr_read(&f, &ai, 0, buf, sizeof buf, &got) == NTX_OK &&
                ntx_std_info_parse(buf, got, &si) == NTX_OK) {
                memcpy(r->si_times, si.times, sizeof r->si_times);
                r->dos_attrs = si.file_attrs;
                r->owner_id = si.v3 ? si.owner_id : 0;
                r->has_si = true;
            }
        } else if (ai.type == NTX_AT_FILE_NAME && ai.resident) {
            ntx_dirent de;
            if (ntx_attr_read(&f, &ai, 0, buf, sizeof buf, &got) != NTX_OK ||
                ntx_file_name_parse(buf, got, &de) != NTX_OK)
                continue; /* a damaged name: the record still lists */
            char name[3 * NTX_NAME_MAX + 1];
            size_t len = name_utf8(de.name, de.name_len, name, sizeof name);
            sc->names = grow(sc->names, &sc->names_cap, sc->nnames + 1, sizeof *sc->names);
            scan_name *nm = &sc->names[sc->nnames++];
            nm->parent_ref = de.parent_ref;
            memcpy(nm->times, de.times, sizeof nm->times);
            nm->alloc_size = de.alloc_size;
            nm->data_size = de.data_size;
            nm->file_attrs = de.file_attrs;
            nm->name_off = arena_add(&sc->arena, name, len);
            nm->name_len = (uint16_t)len;
            nm->attr_id = ai.instance;
            nm->value_len = (uint32_t)ai.size;
            nm->ns = de.name_space;
            nm->in_base = ai.rec_no == n;
            r->nnames++;
        } else if ((ai.type == NTX_AT_DATA || ai.type == NTX_AT_INDEX_ROOT) &&
                   (ai.resident || ai.lowest_vcn == 0)) {
            if (ai.type == NTX_AT_DATA && ai.name_len == 0)
                r->data_size = ai.size;
            if (!with_streams)
                continue;
            char name[3 * NTX_NAME_MAX + 1];
            size_t len = name_utf8(ai.name, ai.name_len, name, sizeof name);
            sc->streams =
                grow(sc->streams, &sc->streams_cap, sc->nstreams + 1, sizeof *sc->streams);
            scan_stream *st = &sc->streams[sc->nstreams++];
            st->size = ai.size;
            st->type = ai.type;
            st->name_off = arena_add(&sc->arena, name, len);
            st->name_len = (uint16_t)len;
            st->attr_id = ai.instance;
            st->flags = ai.flags;
            r->nstreams++;
        }
    }
    if (rc != NTX_END)
        r->err = rc;
    r->prim = UINT32_MAX;
    for (uint32_t k = 0; k < r->nnames; k++) {
        if (sc->names[r->first_name + k].ns != NTX_NS_DOS) {
            r->prim = r->first_name + k;
            break;
        }
    }
    if (r->prim == UINT32_MAX && r->nnames > 0)
        r->prim = r->first_name;
}

bool scan_run(scan *sc, cli_image *img, bool with_streams, bool quiet)
{
    (void)quiet;
    memset(sc, 0, sizeof *sc);
    sc->img = img;
    sc->nrec = img->vol.mft_records;
    sb_init(&sc->arena);
    sb_init(&sc->paths);
    sc->recs = calloc(sc->nrec ? sc->nrec : 1, sizeof *sc->recs);
    if (sc->recs == NULL) {
        reportf(img, "$MFT", "out of memory for %llu records", (unsigned long long)sc->nrec);
        return false;
    }
    (void)sb_str(&sc->arena); /* storage from the start: offsets 0 are valid */
    (void)sb_str(&sc->paths);
    for (uint64_t n = 0; n < sc->nrec; n++) { /* bound: the records $MFT holds */
        scan_rec *r = &sc->recs[n];
        r->prim = UINT32_MAX;
        ntx_record_info ri;
        ntx_err rc = ntx_record_get_info(&img->vol, n, &ri);
        if (rc == NTX_E_CORRUPT && img->vol.diag.check == NTX_CHK_RECORD_MAGIC) {
            r->state = REC_UNUSED; /* never used: no "FILE" magic */
            continue;
        }
        /* A record not in use is also one never used when it has no
         * attribute, or when it has no name and its $LogFile sequence
         * number is 0: Windows' format fills the first cluster of $MFT
         * with such template records (2,048 of them with 2 MiB clusters:
         * $STANDARD_INFORMATION, a security descriptor, an empty $DATA),
         * and every record Windows used carries an LSN. */
        if (rc != NTX_OK) {
            r->state = REC_BAD;
            r->err = rc;
        } else {
            r->flags = ri.flags;
            r->seq = ri.seq;
            r->link_count = ri.link_count;
            if (ri.base_ref != 0) {
                r->state = REC_EXT;
                r->base_ref = ri.base_ref;
                continue;
            }
            r->state = REC_BASE;
            scan_record(sc, n, with_streams);
            if (r->state == REC_BASE && r->err == 0 && !(r->flags & NTX_REC_IN_USE) &&
                (r->nattrs == 0 || (ri.lsn == 0 && r->nnames == 0)))
                r->state = REC_EMPTY; /* never used; see below */
        }
        if (r->err != 0) {
            sc->errors++;
            { /* an error, not a warning: reported even with -q */
                char what[40];
                snprintf(what, sizeof what, "record %llu", (unsigned long long)n);
                report(img, what, r->err);
            }
        }
    }
    return true;
}

void scan_free(scan *sc)
{
    free(sc->recs);
    free(sc->names);
    free(sc->streams);
    sb_free(&sc->arena);
    sb_free(&sc->paths);
    memset(sc, 0, sizeof *sc);
}

/* Is ref a directory that can hold a name? */
static bool parent_ok(scan *sc, uint64_t ref, uint64_t *out)
{
    uint64_t pn = NTX_REF_MFT(ref);
    if (pn >= sc->nrec)
        return false;
    scan_rec *pr = &sc->recs[pn];
    if (pr->state != REC_BASE || !(pr->flags & NTX_REC_DIRECTORY))
        return false;
    uint16_t want = NTX_REF_SEQ(ref);
    if (want != 0 && pr->seq != want &&
        !(!(pr->flags & NTX_REC_IN_USE) && pr->seq == (uint16_t)(want + 1u)))
        return false;
    *out = pn; /* a directory without a name shows as $OrphanFiles/OrphanFile-N */
    return true;
}

/* Memoise the path of record d (which has a primary name, or is the root). */
static void resolve(scan *sc, uint64_t d)
{
    static uint64_t *chain;
    static size_t chain_cap;
    size_t depth = 0;
    uint32_t stamp = ++sc->stamp;
    uint64_t cur = d;
    bool orphan = false;
    for (unsigned hops = 0;; hops++) { /* bound: MAX_HOPS, and a record met twice ends it */
        scan_rec *r = &sc->recs[cur];
        if (r->path_state != 0)
            break;
        if (cur == NTX_MFT_ROOT) {
            r->path_state = 1;
            r->path_off = 0;
            r->path_len = 0;
            break;
        }
        if (r->stamp == stamp || hops >= MAX_HOPS) {
            orphan = true;
            break;
        }
        if (r->prim == UINT32_MAX) { /* nameless: the chain ends here, as TSK shows it */
            r->path_off = (uint32_t)sc->paths.len;
            sb_printf(&sc->paths, ORPHAN_DIR "/OrphanFile-%llu", (unsigned long long)cur);
            r->path_len = (uint32_t)(sc->paths.len - r->path_off);
            r->path_state = 2;
            break;
        }
        r->stamp = stamp;
        chain = grow(chain, &chain_cap, depth + 1, sizeof *chain);
        chain[depth++] = cur;
        uint64_t p;
        if (!parent_ok(sc, sc->names[r->prim].parent_ref, &p)) {
            orphan = true;
            break;
        }
        cur = p;
    }
    uint32_t base_off, base_len;
    uint8_t state;
    if (orphan) {
        base_off = (uint32_t)sc->paths.len;
        sb_puts(&sc->paths, ORPHAN_DIR);
        base_len = (uint32_t)(sc->paths.len - base_off);
        state = 2;
    } else {
        base_off = sc->recs[cur].path_off;
        base_len = sc->recs[cur].path_len;
        state = sc->recs[cur].path_state;
    }
    while (depth > 0) {
        scan_rec *r = &sc->recs[chain[--depth]];
        const scan_name *nm = &sc->names[r->prim];
        uint32_t off = (uint32_t)sc->paths.len;
        sb_reserve(&sc->paths, (size_t)base_len + 1 + nm->name_len); /* before taking p */
        sb_put(&sc->paths, sc->paths.p + base_off, base_len);
        sb_putc(&sc->paths, '/');
        sb_put(&sc->paths, scan_str(sc, nm->name_off), nm->name_len);
        r->path_off = off;
        r->path_len = (uint32_t)(sc->paths.len - off);
        r->path_state = state;
        base_off = r->path_off;
        base_len = r->path_len;
    }
}

bool scan_parent_path(scan *sc, const scan_name *nm, bool child_deleted, sbuf *out)
{
    (void)child_deleted;
    uint64_t p;
    if (!parent_ok(sc, nm->parent_ref, &p)) {
        sb_puts(out, ORPHAN_DIR);
        return true;
    }
    resolve(sc, p);
    const scan_rec *pr = &sc->recs[p];
    sb_put(out, sc->paths.p + pr->path_off, pr->path_len);
    return pr->path_state == 2;
}

bool scan_record_path(scan *sc, uint64_t r, sbuf *out)
{
    if (r >= sc->nrec)
        return true;
    scan_rec *rec = &sc->recs[r];
    if (r != NTX_MFT_ROOT && (rec->state != REC_BASE || rec->prim == UINT32_MAX)) {
        sb_printf(out, ORPHAN_DIR "/OrphanFile-%llu", (unsigned long long)r);
        return true;
    }
    resolve(sc, r);
    sb_put(out, sc->paths.p + rec->path_off, rec->path_len);
    return rec->path_state == 2;
}
