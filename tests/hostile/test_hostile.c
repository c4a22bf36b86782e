/*
 * test_hostile.c - the crafted-malformation corpus: small valid NTFS images,
 * each broken in one way (the classes of docs/robustness.md and the cases
 * it lists beyond them), with the public API call that must fail and the exact ntx_err and
 * ntx_check it must report. After the assertion the damaged volume is walked
 * through the whole public API (tests/fuzz fz_walk), which must neither
 * crash nor hang (tests/run.sh runs this under ASan + UBSan).
 *
 *   test_hostile                    run every case (cmocka), known bugs excepted
 *   test_hostile --known-bugs       only the cases that fail until the core is fixed
 *   test_hostile --only NAME        one case, known bug or not
 *   test_hostile --list             one line per case: name, classes, call, expected result
 *   test_hostile --export DIR       write DIR/<case>.img (full size) and DIR/expected.tsv,
 *                                   for the FUSE mount and the CLI to replay
 *
 * The patches find their targets by walking the pristine image with the
 * library (a file by path, its record through $MFT's runlist, an attribute by
 * type, an index block by VCN), never by fixed offsets. "Logical" edits undo
 * the record's update sequence, change it, and redo it, so only the intended
 * field is wrong; "raw" edits break the update sequence itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>

#include "fuzz_support.h"
#include "hostile.h"
#include "image.h"

/* ---- base images ---- */

static const char *const base_files[B_COUNT] = {
    "corpus/volume/seed-512.img.gz", "corpus/volume/seed-4k.img.gz",
    "corpus/volume/seed-dir.img.gz", "corpus/volume/seed-4kn.img.gz",
    "ntfs-4k.img.gz",                "ntfs-512.img.gz",
    "wof.img.gz",
};

struct hbase {
    uint8_t *pristine;
    size_t size;
    ntx_volume *loc;       /* mounted on pristine: the locator */
    uint8_t *loc_ws;
    struct ntx_test_memdisk loc_disk;
};

struct hctx {
    struct hbase bases[B_COUNT];
    unsigned base;
    uint8_t *img;           /* working copy of the current base */
    size_t size;
    size_t img_cap;
    ntx_volume vol;
    uint8_t ws[NTX_WORKSPACE_MAX];
    struct ntx_test_memdisk disk;
    uint8_t rec[NTX_MAX_RECORD_SIZE];   /* a record being edited (logical) */
    uint8_t blk[NTX_MAX_INDEX_BLOCK_SIZE];
    const hcase *hc;
};

static struct hctx ctx;

static uint64_t claimed_size(const uint8_t *d, size_t len)
{
    uint64_t bps = (uint64_t)(d[0x0B] | d[0x0C] << 8), total = 0;
    memcpy(&total, d + 0x28, 8);
    uint64_t s = (total + 1) * bps;
    return s > len ? s : len;
}

static struct hbase *base_load(unsigned b)
{
    struct hbase *hb = &ctx.bases[b];
    if (hb->pristine != NULL)
        return hb;
    char path[4096];
    struct ntx_test_image img;
    snprintf(path, sizeof path, "%s/%s", NTX_FIXTURES_DIR, base_files[b]);
    if (ntx_test_image_load(path, &img) != 0) {
        fprintf(stderr, "hostile: cannot load %s\n", path);
        abort();
    }
    hb->size = (size_t)claimed_size(img.data, img.size);
    hb->pristine = calloc(1, hb->size);
    memcpy(hb->pristine, img.data, img.size);
    ntx_test_image_free(&img);
    hb->loc = calloc(1, sizeof *hb->loc);
    hb->loc_ws = malloc(NTX_WORKSPACE_MAX);
    ntx_test_memdisk_init(&hb->loc_disk, hb->pristine, hb->size);
    ntx_io io;
    ntx_test_memdisk_io(&hb->loc_disk, &io);
    if (ntx_volume_mount(hb->loc, &io, hb->loc_ws, NTX_WORKSPACE_MAX) != NTX_OK) {
        fprintf(stderr, "hostile: base %s does not mount\n", base_files[b]);
        abort();
    }
    return hb;
}

static ntx_volume *L(struct hctx *c) { return c->bases[c->base].loc; }

/* ---- locating structures in the pristine image ---- */

static uint64_t L_file(struct hctx *c, const char *path)
{
    ntx_file f;
    ntx_err rc = ntx_file_open_path(&f, L(c), path, strlen(path));
    if (rc != NTX_OK) {
        fprintf(stderr, "hostile: %s not found in the base (%s)\n", path, ntx_strerror(rc));
        abort();
    }
    return f.mft_no;
}

/* Disk offset of byte `byte` of stream (type, name) of record n. */
static uint64_t L_stream_off(struct hctx *c, uint64_t n, uint32_t type, const char *name,
                             uint64_t byte)
{
    ntx_file f;
    ntx_stream s;
    ntx_run run;
    uint16_t u[64];
    size_t nl = name ? strlen(name) : 0;
    for (size_t i = 0; i < nl; i++)
        u[i] = (uint8_t)name[i];
    ntx_volume *v = L(c);
    if (ntx_file_open(&f, v, n, NTX_OPEN_DELETED) != NTX_OK ||
        ntx_stream_open(&s, &f, type, u, nl) != NTX_OK || s.resident ||
        ntx_stream_map(&s, byte >> __builtin_ctz(v->geo.cluster_size), &run) != NTX_OK ||
        run.lcn == NTX_LCN_HOLE) {
        fprintf(stderr, "hostile: cannot map byte %llu of record %llu type 0x%x\n",
                (unsigned long long)byte, (unsigned long long)n, type);
        abort();
    }
    uint64_t cs = v->geo.cluster_size;
    uint64_t vcn = byte / cs;
    return (run.lcn + (vcn - run.vcn)) * cs + byte % cs;
}

static uint64_t L_rec(struct hctx *c, uint64_t n)
{
    return L_stream_off(c, 0, NTX_AT_DATA, NULL, n * L(c)->geo.record_size);
}

static uint32_t rec_size(struct hctx *c) { return L(c)->geo.record_size; }
static uint32_t idx_size(struct hctx *c) { return L(c)->geo.index_block_size; }

/* Disk offset of the INDX block at vcn of directory n. */
static uint64_t L_indx(struct hctx *c, uint64_t n, uint64_t vcn)
{
    ntx_volume *v = L(c);
    unsigned shift = v->geo.cluster_size <= v->geo.index_block_size
                         ? (unsigned)__builtin_ctz(v->geo.cluster_size) : 9u;
    return L_stream_off(c, n, NTX_AT_INDEX_ALLOCATION, "$I30", vcn << shift);
}

/* ---- editing ---- */

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> 8 * i); }
static void put64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> 8 * i); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) | (uint32_t)get16(p + 2) << 16; }
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

/* Record n, logical (update sequence undone), in c->rec. */
static uint8_t *R_edit(struct hctx *c, uint64_t n)
{
    uint32_t rs = rec_size(c);
    memcpy(c->rec, c->img + L_rec(c, n), rs);
    assert_true(fz_unfix(c->rec, rs));
    return c->rec;
}

/* Write c->rec back as record n with its update sequence redone. */
static void R_commit(struct hctx *c, uint64_t n)
{
    uint32_t rs = rec_size(c);
    assert_true(fz_fix(c->rec, rs));
    memcpy(c->img + L_rec(c, n), c->rec, rs);
}

/* The nth attribute of type (and ASCII name, or NULL for any) in a logical record. */
static uint32_t A_find(const uint8_t *rec, uint32_t type, const char *name, unsigned nth)
{
    uint32_t off = get16(rec + 0x14), used = get32(rec + 0x18);
    while (off + 8 <= used) {
        uint32_t t = get32(rec + off), len = get32(rec + off + 4);
        if (t == 0xFFFFFFFFu || len < 0x18)
            break;
        bool match = t == type;
        if (match && name != NULL) {
            unsigned nl = rec[off + 9];
            const uint8_t *p = rec + off + get16(rec + off + 0x0A);
            match = nl == strlen(name);
            for (unsigned i = 0; match && i < nl; i++)
                match = get16(p + 2 * i) == (uint8_t)name[i];
        }
        if (match && nth-- == 0)
            return off;
        off += len;
    }
    fprintf(stderr, "hostile: attribute 0x%x %s not found\n", type, name ? name : "");
    abort();
}

/* The resident value of the attribute at off. */
static uint8_t *A_value(uint8_t *rec, uint32_t off) { return rec + off + get16(rec + off + 0x14); }

/* INDX block vcn of directory n, logical, in c->blk. */
static uint8_t *X_edit(struct hctx *c, uint64_t n, uint64_t vcn)
{
    memcpy(c->blk, c->img + L_indx(c, n, vcn), idx_size(c));
    assert_true(fz_unfix(c->blk, idx_size(c)));
    return c->blk;
}

static void X_commit(struct hctx *c, uint64_t n, uint64_t vcn)
{
    assert_true(fz_fix(c->blk, idx_size(c)));
    memcpy(c->img + L_indx(c, n, vcn), c->blk, idx_size(c));
}

/* The first entry of the index node whose header is at h; the entry after e. */
static uint8_t *ie_first(uint8_t *h) { return h + get32(h); }
static uint8_t *ie_next(uint8_t *e) { return e + get16(e + 8); }

/* The $INDEX_ROOT header of directory record rec (logical). */
static uint8_t *ir_header(uint8_t *rec) { return A_value(rec, A_find(rec, NTX_AT_INDEX_ROOT, "$I30", 0)) + 0x10; }

/* Byte offset of the first mapping-pairs byte of the attribute at off. */
static uint8_t *A_mp(uint8_t *rec, uint32_t off) { return rec + off + get16(rec + off + 0x20); }

/* ---- probes ---- */

static ntx_err do_mount(struct hctx *c)
{
    ntx_test_memdisk_init(&c->disk, c->img, c->size);
    c->disk.check_align = 512;
    ntx_io io;
    ntx_test_memdisk_io(&c->disk, &io);
    return ntx_volume_mount(&c->vol, &io, c->ws, sizeof c->ws);
}

static ntx_err open_path(struct hctx *c, const char *path, ntx_file *f)
{
    return ntx_file_open_path(f, &c->vol, path, strlen(path));
}

static void ascii16(const char *s, uint16_t *u, size_t *n)
{
    *n = strlen(s);
    for (size_t i = 0; i < *n; i++)
        u[i] = (uint8_t)s[i];
}

static uint8_t big[1 << 16];

static ntx_err read_all(ntx_stream *s, uint64_t limit)
{
    size_t got;
    for (uint64_t off = 0; off < s->size && off < limit; off += sizeof big) {
        ntx_err rc = ntx_stream_read(s, off, big, sizeof big, &got);
        if (rc != NTX_OK)
            return rc;
    }
    return NTX_OK;
}

static ntx_err run_probe(struct hctx *c, const hcase *hc)
{
    if (hc->probe == P_RAW)
        return hc->custom(c);
    ntx_err rc = do_mount(c);
    if (rc != NTX_OK || hc->probe == P_MOUNT)
        return rc;
    if (hc->probe == P_CUSTOM)
        return hc->custom(c);
    ntx_file f;
    rc = open_path(c, hc->path, &f);
    if (rc != NTX_OK || hc->probe == P_OPEN)
        return rc;
    switch (hc->probe) {
    case P_STAT: {
        ntx_stat st;
        return ntx_file_stat(&f, &st);
    }
    case P_ATTRS: {
        ntx_attr_iter it;
        ntx_attr_info ai;
        rc = ntx_attr_iter_open(&it, &f);
        for (unsigned n = 0; rc == NTX_OK && n < 100000; n++)
            rc = ntx_attr_iter_next(&it, &ai);
        return rc == NTX_END ? NTX_OK : rc;
    }
    case P_READ: {
        ntx_stream s;
        rc = ntx_stream_open_data(&s, &f, hc->arg, hc->arg ? strlen(hc->arg) : 0);
        return rc == NTX_OK ? read_all(&s, UINT64_MAX) : rc;
    }
    case P_LIST: {
        static ntx_dir_iter it;
        ntx_dirent ent;
        rc = ntx_dir_iter_open(&it, &f, 0);
        for (unsigned n = 0; rc == NTX_OK && n < 1000000; n++)
            rc = ntx_dir_iter_next(&it, &ent);
        return rc == NTX_END ? NTX_OK : rc;
    }
    case P_LOOKUP: {
        uint16_t u[NTX_NAME_MAX];
        size_t n;
        ntx_dirent ent;
        ascii16(hc->arg, u, &n);
        return ntx_dir_lookup(&f, u, n, &ent);
    }
    case P_READLINK: {
        static uint8_t scratch[NTX_REPARSE_BUFFER_SIZE];
        char out[4096];
        size_t len;
        return ntx_file_readlink(&f, scratch, sizeof scratch, out, sizeof out, &len);
    }
    default:
        return (ntx_err)-999;
    }
}

#include "cases.inc"

/* ---- running ---- */

static const char *err_name(int e)
{
    switch (e) {
#define E(x) case x: return #x;
    E(NTX_OK) E(NTX_END) E(NTX_E_IO) E(NTX_E_NOT_NTFS) E(NTX_E_CORRUPT) E(NTX_E_RANGE)
    E(NTX_E_UNSUPPORTED) E(NTX_E_NOT_FOUND) E(NTX_E_NOT_DIR) E(NTX_E_IS_DIR)
    E(NTX_E_NAME_TOO_LONG) E(NTX_E_NAME) E(NTX_E_LIMIT) E(NTX_E_BUFFER) E(NTX_E_WORKSPACE)
    E(NTX_E_ARG) E(NTX_E_STALE) E(NTX_E_CONFIG) E(NTX_E_EXTERNAL)
#undef E
    default: return "?";
    }
}

static const char *const probe_names[] = { "mount", "open", "stat", "attrs", "read",
                                           "list", "lookup", "readlink", "custom", "raw" };

/* Put the current case's image together: pristine base, then the patch. */
static void build_image(const hcase *hc)
{
    struct hbase *hb = base_load(hc->base);
    ctx.base = hc->base;
    if (ctx.img_cap < hb->size) {
        free(ctx.img);
        ctx.img = malloc(hb->size);
        ctx.img_cap = hb->size;
    }
    ctx.size = hb->size;
    memcpy(ctx.img, hb->pristine, hb->size);
    ctx.hc = hc;
    hc->patch(&ctx);
}

static void run_case(void **state)
{
    const hcase *hc = *state;
    build_image(hc);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ntx_err rc = run_probe(&ctx, hc);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (rc != hc->want || (hc->check >= 0 && ctx.vol.diag.check != hc->check))
        fprintf(stderr, "  %s: got %s (check %u, record %llu, offset %llu), want %s (check %d)\n",
                hc->name, err_name(rc), ctx.vol.diag.check,
                (unsigned long long)ctx.vol.diag.mft_no, (unsigned long long)ctx.vol.diag.offset,
                err_name(hc->want), hc->check);
    assert_int_equal(rc, hc->want);
    if (hc->check >= 0)
        assert_int_equal(ctx.vol.diag.check, hc->check);
    /* Bounded: a hostile image is refused quickly (the slowest case, the
     * 24-level chain of ntfs-4k's /many, takes milliseconds). */
    assert_true(secs < 5.0);

    /* Whatever the API offers on the damaged volume: no crash, no hang. */
    fz_dev dev = { ctx.img, ctx.size, ctx.size, 0 };
    fz_stats st;
    memset(&st, 0, sizeof st);
    fz_mount_walk(&dev, 512, FZ_WALK_UPCASE, &st);
}

/* Write n bytes to path, leaving all-zero 64 KiB pieces as holes. */
static int write_file(const char *path, const uint8_t *d, size_t n)
{
    static const uint8_t zero[65536];
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return -1;
    int rc = 0;
    for (size_t off = 0; off < n && rc == 0; off += sizeof zero) {
        size_t k = n - off < sizeof zero ? n - off : sizeof zero;
        if (memcmp(d + off, zero, k) == 0 && off + k < n)
            rc = fseeko(f, (off_t)(off + k), SEEK_SET);
        else
            rc = fseeko(f, (off_t)off, SEEK_SET) == 0 && fwrite(d + off, 1, k, f) == k ? 0 : -1;
    }
    return fclose(f) == 0 ? rc : -1;
}

static int export_all(const char *dir)
{
    char path[4096];
    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/expected.tsv", dir);
    FILE *tsv = fopen(path, "w");
    if (tsv == NULL)
        return 1;
    fprintf(tsv, "# case\tclasses\tcall\tpath\targ\texpected\tcheck\tknown_bug\n");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const hcase *hc = &cases[i];
        build_image(hc);
        snprintf(path, sizeof path, "%s/%s.img", dir, hc->name);
        if (write_file(path, ctx.img, ctx.size) != 0)
            return 1;
        fprintf(tsv, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\n", hc->name, hc->classes,
                probe_names[hc->probe], hc->path ? hc->path : "-", hc->arg ? hc->arg : "-",
                err_name(hc->want), hc->check, hc->known_bug);
    }
    fclose(tsv);
    printf("exported %zu images to %s\n", sizeof cases / sizeof cases[0], dir);
    return 0;
}

int main(int argc, char **argv)
{
    bool known = false;
    if (argc > 2 && strcmp(argv[1], "--export") == 0)
        return export_all(argv[2]);
    if (argc > 1 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
            printf("%-40s %-22s %-8s %-20s check %d%s\n", cases[i].name, cases[i].classes,
                   probe_names[cases[i].probe], err_name(cases[i].want), cases[i].check,
                   cases[i].known_bug ? " [known bug]" : "");
        return 0;
    }
    const char *only = NULL;
    if (argc > 1 && strcmp(argv[1], "--known-bugs") == 0)
        known = true;
    if (argc > 2 && strcmp(argv[1], "--only") == 0)
        only = argv[2];

    static struct CMUnitTest tests[sizeof cases / sizeof cases[0]];
    size_t n = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (only ? strcmp(cases[i].name, only) != 0 : cases[i].known_bug != known)
            continue;
        tests[n].name = cases[i].name;
        tests[n].test_func = run_case;
        tests[n].setup_func = NULL;
        tests[n].teardown_func = NULL;
        tests[n].initial_state = (void *)&cases[i];
        n++;
    }
    if (n == 0) {
        printf("no %s cases\n", known ? "known-bug" : "hostile");
        return 0;
    }
    return _cmocka_run_group_tests(known ? "hostile-known-bugs" : "hostile", tests, n, NULL, NULL);
}
