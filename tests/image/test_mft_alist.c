/*
 * test_mft_alist.c - an $MFT whose $DATA is split over two records through an
 * $ATTRIBUTE_LIST (src/record.c: mft_map, mft_load_extension,
 * mft_read_raw_base).
 *
 * Windows gives $MFT an attribute list when its runlist outgrows record 0;
 * neither mkntfs nor the ntfs-3g driver can be made to, so the fixture
 * ntfs-4k (an $MFT of 1848 clusters in 75 runs) is rewritten the way Windows
 * lays it out: record 0 keeps $DATA's first extent (VCN 0..SPLIT_VCN-1, the
 * sizes of the whole stream) and gains a resident $ATTRIBUTE_LIST; free
 * record EXT_REC, inside that first extent, becomes an extension record of
 * $MFT (base reference 0, in use) holding the second extent (VCN SPLIT_VCN
 * to the end, sizes 0 as in every non-first extent). The split falls inside
 * the first run, and the second extent's LCN deltas restart at 0 (libfsntfs "Data
 * runs"; ntfs-3g layout.h ATTR_LIST_ENTRY, MFT_RECORD).
 *
 * Oracle: the ntfs-3g manifest of ntfs-4k. The rewrite moves no data, so
 * every file reads as the manifest says; the files recorded past the split
 * (checked to exist) are only reachable through the extension record. That
 * the rewrite is NTFS as ntfs-3g knows it was checked by hand: with
 * NTX_MFT_ALIST_EXPORT=FILE, `ntfsinfo -i 0 FILE` shows the list and $DATA
 * in records 0 and 16, and ntfscat of 26 files past the split matches the
 * manifest.
 * Then the extension is damaged in the ways attribute-list hostile images
 * damage it, each answering the documented error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "manifest.h"
#include "put.h"
#include "sha256.h"
#include "ntx.h"

#define FIXTURE "ntfs-4k"
#define SPLIT_VCN 650u /* inside the first run (VCN 0-1558): record 2600, half the files */
#define EXT_REC 16u     /* a free record of the first run */
#define MAX_RUNS 512

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) | (uint32_t)get16(p + 2) << 16; }

static struct ntx_test_image img;
static struct ntx_test_manifest man;
static ntx_geometry geo;
static uint8_t *pristine; /* the image before the rewrite */

/* ---- the update sequence (multi-sector protection) ---- */

static void usa_undo(uint8_t *rec, size_t size)
{
    uint16_t ofs = get16(rec + 4), count = get16(rec + 6);
    assert_true(count == size / 512 + 1 && ofs + 2u * count <= size);
    for (unsigned i = 1; i < count; i++) {
        assert_memory_equal(rec + 512 * i - 2, rec + ofs, 2);
        memcpy(rec + 512 * i - 2, rec + ofs + 2 * i, 2);
    }
}

static void usa_redo(uint8_t *rec, size_t size)
{
    uint16_t ofs = get16(rec + 4), count = get16(rec + 6);
    uint16_t usn = (uint16_t)(get16(rec + ofs) + 1u);
    if (usn == 0 || usn == 0xFFFF)
        usn = 1;
    put16(rec + ofs, usn);
    for (unsigned i = 1; i < count && 512u * i <= size; i++) {
        memcpy(rec + ofs + 2 * i, rec + 512 * i - 2, 2);
        put16(rec + 512 * i - 2, usn);
    }
}

/* ---- runlists ---- */

typedef struct run {
    uint64_t vcn, len, lcn;
} run;

static size_t runs_decode(const uint8_t *mp, const uint8_t *end, uint64_t vcn, run *out)
{
    size_t n = 0;
    int64_t lcn = 0;
    while (mp < end && *mp != 0) {
        unsigned lb = *mp & 0x0F, ob = *mp >> 4;
        assert_true(lb >= 1 && lb <= 8 && ob >= 1 && ob <= 8 && mp + 1 + lb + ob <= end);
        uint64_t len = 0;
        for (unsigned i = 0; i < lb; i++)
            len |= (uint64_t)mp[1 + i] << 8 * i;
        int64_t delta = 0;
        for (unsigned i = 0; i < ob; i++)
            delta |= (int64_t)((uint64_t)mp[1 + lb + i] << 8 * i);
        if (mp[lb + ob] & 0x80) /* sign-extend */
            delta -= (int64_t)1 << (8 * ob);
        lcn += delta;
        assert_true(n < MAX_RUNS);
        out[n++] = (run){ vcn, len, (uint64_t)lcn };
        vcn += len;
        mp += 1 + lb + ob;
    }
    return n;
}

/* Bytes of v as a signed (or, for lengths, unsigned) little-endian number. */
static unsigned int_bytes(int64_t v, bool is_signed)
{
    for (unsigned b = 1; b < 8; b++) {
        int64_t lo = is_signed ? -((int64_t)1 << (8 * b - 1)) : 0;
        int64_t hi = is_signed ? ((int64_t)1 << (8 * b - 1)) - 1 : ((int64_t)1 << (8 * b)) - 1;
        if (v >= lo && v <= hi)
            return b;
    }
    return 8;
}

/* Mapping pairs of runs[0..n) (no holes), LCN deltas from 0, with the end byte. */
static size_t runs_encode(const run *r, size_t n, uint8_t *out)
{
    size_t pos = 0;
    uint64_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t delta = (int64_t)(r[i].lcn - prev);
        unsigned lb = int_bytes((int64_t)r[i].len, false), ob = int_bytes(delta, true);
        out[pos++] = (uint8_t)(ob << 4 | lb);
        for (unsigned k = 0; k < lb; k++)
            out[pos++] = (uint8_t)(r[i].len >> 8 * k);
        for (unsigned k = 0; k < ob; k++)
            out[pos++] = (uint8_t)((uint64_t)delta >> 8 * k);
        prev = r[i].lcn;
    }
    out[pos++] = 0;
    return pos;
}

/* ---- the rewrite ---- */

static uint64_t rec_off(uint64_t n)
{
    /* records 0 and EXT_REC lie in the first run, which starts at mft_lcn */
    return geo.mft_lcn * geo.cluster_size + n * geo.record_size;
}

enum { EXT_OK, EXT_FREE, EXT_FOREIGN_BASE, EXT_BEYOND_MFT };

/* Rewrite img (from the pristine copy) with $MFT's $DATA split in two extents;
 * how says how the extension (or the list's entry for it) is damaged. */
static void split_mft(int how)
{
    const size_t rs = geo.record_size;
    memcpy(img.data, pristine, img.size);
    uint8_t *r0 = img.data + rec_off(0), *rx = img.data + rec_off(EXT_REC);
    usa_undo(r0, rs);
    usa_undo(rx, rs);
    assert_int_equal(get16(rx + 0x16) & 1, 0); /* EXT_REC was free */

    uint8_t old[4096];
    memcpy(old, r0, rs);
    uint16_t first = get16(old + 0x14), next_id = get16(old + 0x28);
    uint16_t seq0 = get16(old + 0x10), seqx = get16(rx + 0x10);

    /* record 0's attributes, and $DATA's runs */
    struct attr_pos { uint32_t off, len, type; uint16_t id; } at[16];
    size_t na = 0, data = SIZE_MAX;
    run runs[MAX_RUNS];
    size_t nruns = 0;
    for (uint32_t off = first; get32(old + off) != 0xFFFFFFFFu;) {
        uint32_t type = get32(old + off), len = get32(old + off + 4);
        assert_true(len >= 0x18 && off + len <= rs && na < 16);
        at[na] = (struct attr_pos){ off, len, type, get16(old + off + 0x0E) };
        assert_int_not_equal(type, 0x20); /* no list yet */
        if (type == 0x80) {
            data = na;
            assert_int_equal(old[off + 8], 1);
            nruns = runs_decode(old + off + get16(old + off + 0x20), old + off + len, 0, runs);
        }
        na++;
        off += len;
    }
    assert_true(data != SIZE_MAX && nruns > 2);

    /* cut the runs at SPLIT_VCN */
    run lo[MAX_RUNS], hi[MAX_RUNS];
    size_t nlo = 0, nhi = 0;
    uint64_t last_vcn = 0;
    for (size_t i = 0; i < nruns; i++) {
        run a = runs[i];
        last_vcn = a.vcn + a.len - 1;
        if (a.vcn + a.len <= SPLIT_VCN) {
            lo[nlo++] = a;
        } else if (a.vcn >= SPLIT_VCN) {
            hi[nhi++] = a;
        } else { /* the split falls in this run */
            uint64_t k = SPLIT_VCN - a.vcn;
            lo[nlo++] = (run){ a.vcn, k, a.lcn };
            hi[nhi++] = (run){ SPLIT_VCN, a.len - k, a.lcn + k };
        }
    }
    assert_true(nlo > 0 && nhi > 1 && runs[nruns - 1].vcn > SPLIT_VCN);
    assert_true(lo[0].len * geo.cluster_size >= (EXT_REC + 1) * rs); /* EXT_REC in run 1 */

    /* $ATTRIBUTE_LIST value: an entry per attribute, the second extent after the first */
    uint8_t al[512];
    size_t al_len = 0;
    for (size_t i = 0; i < na; i++) {
        for (int part = 0; part < (i == data ? 2 : 1); part++) {
            uint8_t *e = al + al_len;
            memset(e, 0, 0x20);
            put32(e, at[i].type);
            put16(e + 4, 0x20);
            e[7] = 0x1A;
            uint64_t ref = part == 0 ? (uint64_t)seq0 << 48 : (uint64_t)seqx << 48 | EXT_REC;
            if (part == 1 && how == EXT_BEYOND_MFT)
                ref = (uint64_t)seqx << 48 | 0xFFFFFFFFull;
            put64(e + 8, part == 0 ? 0 : SPLIT_VCN);
            put64(e + 0x10, ref);
            put16(e + 0x18, part == 0 ? at[i].id : 0);
            al_len += 0x20;
        }
    }

    /* record 0 again: the list (type 0x20) after $STANDARD_INFORMATION, $DATA shortened */
    uint32_t pos = first;
    bool al_done = false;
    for (size_t i = 0; i <= na; i++) {
        if (!al_done && (i == na || at[i].type > 0x20)) {
            uint8_t *a = r0 + pos;
            uint32_t len = (uint32_t)((0x18 + al_len + 7) & ~7u);
            memset(a, 0, len);
            put32(a, 0x20);
            put32(a + 4, len);
            a[9] = 0;
            put16(a + 0x0A, 0x18);
            put16(a + 0x0E, next_id);
            put32(a + 0x10, (uint32_t)al_len);
            put16(a + 0x14, 0x18);
            memcpy(a + 0x18, al, al_len);
            pos += len;
            al_done = true;
        }
        if (i == na)
            break;
        if (i == data) {
            uint8_t *a = r0 + pos;
            memcpy(a, old + at[i].off, 0x40);
            put64(a + 0x18, SPLIT_VCN - 1); /* highest VCN */
            size_t mp = runs_encode(lo, nlo, a + 0x40);
            uint32_t len = (uint32_t)((0x40 + mp + 7) & ~7u);
            memset(a + 0x40 + mp, 0, len - 0x40 - mp);
            put32(a + 4, len);
            put16(a + 0x20, 0x40);
            pos += len;
        } else {
            memcpy(r0 + pos, old + at[i].off, at[i].len);
            pos += at[i].len;
        }
    }
    put32(r0 + pos, 0xFFFFFFFFu);
    put32(r0 + pos + 4, 0);
    pos += 8;
    assert_true(pos <= rs);
    put32(r0 + 0x18, pos);
    put16(r0 + 0x28, (uint16_t)(next_id + 1));

    /* the extension record: $DATA from SPLIT_VCN on */
    uint16_t xfirst = get16(rx + 0x14);
    put16(rx + 0x16, how == EXT_FREE ? 0 : 1);
    put64(rx + 0x20, (uint64_t)seq0 << 48 | (how == EXT_FOREIGN_BASE ? 5u : 0u));
    put16(rx + 0x28, 1);
    uint8_t *a = rx + xfirst;
    memset(a, 0, 0x40);
    put32(a, 0x80);
    a[8] = 1;
    put16(a + 0x0A, 0x40);
    put16(a + 0x0E, 0);
    put64(a + 0x10, SPLIT_VCN);
    put64(a + 0x18, last_vcn);
    put16(a + 0x20, 0x40); /* sizes stay 0: only the first extent has them */
    size_t mp = runs_encode(hi, nhi, a + 0x40);
    uint32_t len = (uint32_t)((0x40 + mp + 7) & ~7u);
    memset(a + 0x40 + mp, 0, len - 0x40 - mp);
    put32(a + 4, len);
    put32(a + len, 0xFFFFFFFFu);
    put32(a + len + 4, 0);
    assert_true(xfirst + len + 8u <= rs);
    put32(rx + 0x18, xfirst + len + 8u);

    usa_redo(r0, rs);
    usa_redo(rx, rs);
    /* $MFTMirr keeps a copy of records 0-3: ntfs-3g refuses a volume where they differ */
    memcpy(img.data + geo.mftmirr_lcn * geo.cluster_size, r0, rs);
}

/* ---- the tests ---- */

static ntx_volume vol;
static uint8_t *ws;
static struct ntx_test_memdisk disk;

static void mount(void)
{
    ntx_test_memdisk_from_image(&disk, &img);
    ntx_io io;
    ntx_test_memdisk_io(&disk, &io);
    assert_int_equal(ntx_volume_mount(&vol, &io, ws, ntx_workspace_size(&geo)), NTX_OK);
}

static int setup(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.img.gz", NTX_FIXTURES_DIR, FIXTURE);
    assert_int_equal(ntx_test_image_load(path, &img), 0);
    snprintf(path, sizeof path, "%s/%s.manifest", NTX_FIXTURES_DIR, FIXTURE);
    assert_int_equal(ntx_test_manifest_load(path, &man), 0);
    pristine = malloc(img.size);
    assert_non_null(pristine);
    memcpy(pristine, img.data, img.size);
    ntx_test_memdisk_from_image(&disk, &img);
    ntx_io io;
    ntx_test_memdisk_io(&disk, &io);
    uint8_t probe[NTX_MAX_BLOCK_SIZE];
    assert_int_equal(ntx_volume_probe(&io, probe, sizeof probe, &geo, NULL), NTX_OK);
    ws = malloc(ntx_workspace_size(&geo));
    assert_non_null(ws);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(ws);
    free(pristine);
    ntx_test_manifest_free(&man);
    ntx_test_image_free(&img);
    return 0;
}

static void sha_of(const struct ntx_test_manifest_entry *e, char hex[65])
{
    ntx_file f;
    ntx_stream s;
    static uint8_t buf[1 << 16];
    ntx_err rc = ntx_file_open_path(&f, &vol, e->path, strlen(e->path));
    if (rc == NTX_OK)
        rc = ntx_stream_open_data(&s, &f, NULL, 0);
    if (rc != NTX_OK)
        fail_msg("%s: %s (check %u, record %llu)", e->path, ntx_strerror(rc), vol.diag.check,
                 (unsigned long long)vol.diag.mft_no);
    ntx_sha256 h;
    ntx_sha256_init(&h);
    uint64_t off = 0;
    for (;;) {
        size_t got;
        assert_int_equal(ntx_stream_read(&s, off, buf, sizeof buf, &got), NTX_OK);
        if (got == 0)
            break;
        ntx_sha256_update(&h, buf, got);
        off += got;
    }
    assert_int_equal(off, e->size);
    uint8_t d[32];
    ntx_sha256_final(&h, d);
    ntx_sha256_hex(d, hex);
}

/* Every file recorded past the split reads as the manifest says; so does
 * a sample of those before it. */
static void test_files_through_extension(void **state)
{
    (void)state;
    split_mft(EXT_OK);
    /* NTX_MFT_ALIST_EXPORT=FILE keeps the rewritten image, for ntfs-3g's tools */
    const char *keep = getenv("NTX_MFT_ALIST_EXPORT");
    if (keep != NULL) {
        FILE *out = fopen(keep, "wb");
        assert_non_null(out);
        assert_int_equal(fwrite(img.data, 1, img.size, out), img.size);
        assert_int_equal(fclose(out), 0);
    }
    mount();
    const uint64_t split_rec = (uint64_t)SPLIT_VCN * geo.cluster_size / geo.record_size;
    size_t past = 0, before = 0;
    for (size_t i = 0; i < man.count; i++) {
        const struct ntx_test_manifest_entry *e = &man.entries[i];
        if (e->type != 'f' || e->size > (64u << 20))
            continue;
        bool is_past = e->mft >= split_rec;
        if (!is_past && i % 16 != 0)
            continue;
        char hex[65];
        sha_of(e, hex);
        assert_string_equal(hex, e->sha256);
        if (is_past)
            past++;
        else
            before++;
    }
    printf("ntfs-4k with $MFT split at VCN %u (record %llu): %zu files past the split and %zu "
           "before it read as the manifest says\n",
           SPLIT_VCN, (unsigned long long)split_rec, past, before);
    assert_true(past >= 100 && before >= 100);

    /* the extension record is an extension of $MFT, not a file */
    ntx_file f;
    assert_int_equal(ntx_file_open(&f, &vol, EXT_REC, 0), NTX_E_NOT_FOUND);
    assert_int_equal(vol.diag.check, NTX_CHK_RECORD_NOT_BASE);
}

/* The last file of the manifest past the split, opened on a damaged image. */
static ntx_err open_past_split(void)
{
    const uint64_t split_rec = (uint64_t)SPLIT_VCN * geo.cluster_size / geo.record_size;
    for (size_t i = 0; i < man.count; i++) {
        const struct ntx_test_manifest_entry *e = &man.entries[i];
        if (e->type == 'f' && e->mft >= split_rec) {
            ntx_file f;
            return ntx_file_open_path(&f, &vol, e->path, strlen(e->path));
        }
    }
    fail_msg("no file past the split");
    return NTX_E_ARG;
}

static void test_damaged_extension(void **state)
{
    (void)state;
    static const struct { int how; const char *what; } cases[] = {
        { EXT_FREE, "extension record not in use" },
        { EXT_FOREIGN_BASE, "extension record of another file" },
        { EXT_BEYOND_MFT, "list entry naming a record past the end of $MFT" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        split_mft(cases[i].how);
        mount(); /* record 0 and the first extent are sound */
        ntx_err rc = open_past_split();
        if (rc != NTX_E_CORRUPT || vol.diag.check != NTX_CHK_ALIST_TARGET)
            fail_msg("%s: got %s (check %u)", cases[i].what, ntx_strerror(rc), vol.diag.check);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_files_through_extension),
        cmocka_unit_test(test_damaged_extension),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
