/*
 * test_fixtures.c - every fixture image read through the library and checked
 * against its manifest, which ntfs-3g produced from a read-only mount
 * (fixtures/make-fixtures.sh): every path, type, MFT number, size, link
 * count, SHA-256 of every stream, and link target; lookups in another letter
 * case; reads at unaligned offsets and lengths; and the promise that the
 * core only asks the device for whole blocks.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <limits.h>
#include <locale.h>
#include <wchar.h>
#include <wctype.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "image.h"
#include "manifest.h"
#include "sha256.h"
#include "ntx.h"

#define READ_CHUNK (1u << 20)

struct fixture {
    char name[64];
    const struct ntx_test_image *img; /* fixture_image()'s */
    struct ntx_test_memdisk disk;
    struct ntx_test_manifest man;
    ntx_volume vol;
    void *ws;
    uint8_t *buf;        /* READ_CHUNK bytes */
    uint8_t *seen;       /* one flag per manifest entry */
};

static const char *fixture_names[16];
static size_t fixture_count;

/* The image the last test loaded. Each fixture's tests run one after
 * another, so one entry saves inflating the same image for every kind of
 * test (that was 40% of this program's time). It is made read-only: no
 * test may change what the next one reads. */
static struct {
    char name[64];
    struct ntx_test_image img;
} loaded;

static const struct ntx_test_image *fixture_image(const char *name)
{
    if (loaded.img.data != NULL && strcmp(loaded.name, name) == 0)
        return &loaded.img;
    if (loaded.img.data != NULL)
        ntx_test_image_free(&loaded.img);
    memset(&loaded, 0, sizeof loaded);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.img.gz", NTX_FIXTURES_DIR, name);
    assert_int_equal(ntx_test_image_load(path, &loaded.img), 0);
    assert_int_equal(mprotect(loaded.img.data, loaded.img.mapped, PROT_READ), 0);
    snprintf(loaded.name, sizeof loaded.name, "%s", name);
    return &loaded.img;
}

static int fixture_setup(void **state)
{
    const char *name = *state;
    struct fixture *fx = calloc(1, sizeof *fx);
    char path[4096];
    assert_non_null(fx);
    snprintf(fx->name, sizeof fx->name, "%s", name);

    fx->img = fixture_image(name);
    snprintf(path, sizeof path, "%s/%s.manifest", NTX_FIXTURES_DIR, name);
    assert_int_equal(ntx_test_manifest_load(path, &fx->man), 0);

    ntx_test_memdisk_from_image(&fx->disk, fx->img);
    /* 4 KiB-sector volumes are served as a 4 KiB-block device. */
    uint32_t block = fx->man.sector_size >= 4096 ? 4096 : 512;
    fx->disk.check_align = block;
    ntx_io io = { ntx_test_memdisk_read, &fx->disk, 0, fx->img->size, block };

    uint8_t probe[NTX_MAX_BLOCK_SIZE];
    ntx_geometry geo;
    assert_int_equal(ntx_volume_probe(&io, probe, sizeof probe, &geo, NULL), NTX_OK);
    size_t ws_size = ntx_workspace_size(&geo);
    fx->ws = malloc(ws_size);
    fx->buf = malloc(READ_CHUNK);
    fx->seen = calloc(fx->man.count + 1, 1);
    assert_true(fx->ws && fx->buf && fx->seen);
    /* One byte short is refused with the size it needs... */
    assert_int_equal(ntx_volume_mount(&fx->vol, &io, fx->ws, ws_size - 1), NTX_E_WORKSPACE);
    /* ...and the exact size is enough. */
    assert_int_equal(ntx_volume_mount(&fx->vol, &io, fx->ws, ws_size), NTX_OK);
    *state = fx;
    return 0;
}

static int fixture_teardown(void **state)
{
    struct fixture *fx = *state;
    ntx_volume_unmount(&fx->vol);
    ntx_test_manifest_free(&fx->man);
    free(fx->ws);
    free(fx->buf);
    free(fx->seen);
    free(fx);
    return 0;
}

static size_t entry_index(const struct fixture *fx, const struct ntx_test_manifest_entry *e)
{
    return (size_t)(e - fx->man.entries);
}

/* Hash a whole stream read in READ_CHUNK pieces. */
static void hash_stream(struct fixture *fx, ntx_stream *s, uint64_t expect_size, char hex[65])
{
    ntx_sha256 h;
    uint64_t off = 0;
    ntx_sha256_init(&h);
    for (;;) {
        size_t got;
        ntx_err rc = ntx_stream_read(s, off, fx->buf, READ_CHUNK, &got);
        if (rc != NTX_OK)
            fail_msg("%s: read at %llu: %s (check %u, mft %llu, off %llu)", fx->name,
                     (unsigned long long)off, ntx_strerror(rc), fx->vol.diag.check,
                     (unsigned long long)fx->vol.diag.mft_no, (unsigned long long)fx->vol.diag.offset);
        if (got == 0)
            break;
        ntx_sha256_update(&h, fx->buf, got);
        off += got;
    }
    assert_int_equal(off, expect_size);
    uint8_t d[32];
    ntx_sha256_final(&h, d);
    ntx_sha256_hex(d, hex);
}

static void utf16_path(const uint16_t *name, size_t n, char *out, size_t cap)
{
    size_t len;
    assert_int_equal(ntx_utf16_to_utf8(name, n, out, cap, &len, NTX_UTF16_WTF8), NTX_OK);
}

/* The target a raw REPARSE_DATA_BUFFER (captured from ntfs-3g's
 * system.ntfs_reparse_data) names, decoded here independently of the core
 * (MS-FSCC 2.1.2.4 and 2.1.2.5): the substitute name, without the NT "\??\"
 * prefix, with '/' for '\'. ASCII names only, which the fixtures use. */
static void blob_target(const uint8_t *b, size_t len, char *out, size_t cap)
{
    assert_true(len >= 16);
    uint32_t tag = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
    size_t paths = tag == 0xA000000C ? 20 : 16;
    size_t off = b[8] | b[9] << 8, n = b[10] | b[11] << 8;
    assert_true(paths + off + n <= len && n / 2 < cap);
    const uint8_t *p = b + paths + off;
    size_t o = 0;
    for (size_t i = 0; i < n / 2; i++) {
        assert_int_equal(p[2 * i + 1], 0);
        out[o++] = p[2 * i] == '\\' ? '/' : (char)p[2 * i];
    }
    out[o] = 0;
    if (strncmp(out, "/?" "?/", 4) == 0) /* split: "??/" is a trigraph */
        memmove(out, out + 4, o - 3);
}

/* Compare a link target with the manifest. With reparse data, the expected
 * value is decoded from it; ntfs-3g's own readlink differs by design (it
 * shows absolute targets under its mount point and resolves relative ones
 * to the on-disk letter case), so it is compared ignoring those mappings.
 * Interix links carry their target verbatim. */
static void check_target(const struct fixture *fx, const struct ntx_test_manifest_entry *e,
                         const char *got)
{
    const char *expect = e->target;
    char decoded[4096];
    if (e->reparse != NULL) {
        blob_target(e->reparse, e->reparse_len, decoded, sizeof decoded);
        if (strcmp(decoded, got) != 0)
            fail_msg("%s: %s -> %s, its reparse data says %s", fx->name, e->path, got, decoded);
        const char *mp = fx->man.mountpoint;
        size_t mpl = mp ? strlen(mp) : 0;
        if (mp && strncmp(expect, mp, mpl) == 0 && expect[mpl] == '/') {
            if (strncmp(got, "C:", 2) != 0 || strcasecmp(got + 2, expect + mpl) != 0)
                fail_msg("%s: %s -> %s, ntfs-3g shows %s", fx->name, e->path, got, expect);
            return;
        }
        if (strcasecmp(expect, got) != 0)
            fail_msg("%s: %s -> %s, ntfs-3g shows %s", fx->name, e->path, got, expect);
        return;
    }
    if (strcmp(expect, got) != 0)
        fail_msg("%s: %s -> %s, expected %s", fx->name, e->path, got, expect);
}

/* Every named $DATA stream of f against the manifest's 's' rows. */
static void check_streams(struct fixture *fx, const ntx_file *f, const char *path)
{
    ntx_attr_iter it;
    ntx_attr_info *ai = malloc(sizeof *ai);
    ntx_stream *s = malloc(sizeof *s);
    ntx_err rc;
    assert_int_equal(ntx_attr_iter_open(&it, f), NTX_OK);
    while ((rc = ntx_attr_iter_next(&it, ai)) == NTX_OK) {
        if (ai->type != NTX_AT_DATA || ai->name_len == 0 ||
            (!ai->resident && ai->lowest_vcn != 0))
            continue;
        char sname[1024], hex[65];
        utf16_path(ai->name, ai->name_len, sname, sizeof sname);
        const struct ntx_test_manifest_entry *e = ntx_test_manifest_find(&fx->man, path, sname);
        if (e == NULL)
            fail_msg("%s: stream %s:%s is not in the manifest", fx->name, path, sname);
        assert_int_equal(ntx_stream_open_data(s, f, sname, strlen(sname)), NTX_OK);
        assert_int_equal(s->size, e->size);
        hash_stream(fx, s, e->size, hex);
        if (strcmp(hex, e->sha256) != 0)
            fail_msg("%s: %s:%s sha256 %s, expected %s", fx->name, path, sname, hex, e->sha256);
        fx->seen[entry_index(fx, e)] = 1;
    }
    assert_int_equal(rc, NTX_END);
    free(ai);
    free(s);
}

/* Check one object found by the walk against its manifest row. */
static void check_object(struct fixture *fx, const ntx_dirent *de, const char *path, bool *is_dir)
{
    const struct ntx_test_manifest_entry *e = ntx_test_manifest_find(&fx->man, path, NULL);
    if (e == NULL)
        fail_msg("%s: %s (mft %llu) is not in the manifest", fx->name, path,
                 (unsigned long long)NTX_REF_MFT(de->mft_ref));
    fx->seen[entry_index(fx, e)] = 1;

    ntx_file f;
    ntx_stat st;
    ntx_err rc = ntx_file_open(&f, &fx->vol, de->mft_ref, 0);
    if (rc != NTX_OK)
        fail_msg("%s: open %s: %s", fx->name, path, ntx_strerror(rc));
    assert_int_equal(ntx_file_stat(&f, &st), NTX_OK);
    if (NTX_REF_MFT(st.mft_ref) != e->mft)
        fail_msg("%s: %s is mft %llu, expected %llu", fx->name, path,
                 (unsigned long long)NTX_REF_MFT(st.mft_ref), (unsigned long long)e->mft);
    *is_dir = st.is_dir && e->type == 'd';

    if (e->reparse != NULL) {
        uint32_t tag = e->reparse[0] | e->reparse[1] << 8 | e->reparse[2] << 16 |
                       (uint32_t)e->reparse[3] << 24;
        assert_int_equal(st.reparse_tag, tag);
        assert_true(st.dos_attrs & NTX_FA_REPARSE);
    }
    if (e->type == 'l') {
        char target[4096];
        size_t len;
        void *scratch = malloc(NTX_REPARSE_BUFFER_SIZE);
        rc = ntx_file_readlink(&f, scratch, NTX_REPARSE_BUFFER_SIZE, target, sizeof target, &len);
        free(scratch);
        if (rc != NTX_OK)
            fail_msg("%s: readlink %s: %s", fx->name, path, ntx_strerror(rc));
        check_target(fx, e, target);
        assert_int_equal(len, strlen(target));
    } else if (e->type == 'd') {
        if (!st.is_dir)
            fail_msg("%s: %s should be a directory", fx->name, path);
    } else {
        if (st.is_dir)
            fail_msg("%s: %s should be a file", fx->name, path);
        if (st.size != e->size)
            fail_msg("%s: %s size %llu, expected %llu", fx->name, path,
                     (unsigned long long)st.size, (unsigned long long)e->size);
        if (st.link_count != e->nlink)
            fail_msg("%s: %s has %u links, expected %llu", fx->name, path, st.link_count,
                     (unsigned long long)e->nlink);
        ntx_stream *s = malloc(sizeof *s);
        char hex[65];
        if (e->sha256[0] == 0) {
            /* "-": the data is stored outside the file (a WIM, the dedup chunk
             * store, the cloud, offline storage); it must be refused, never
             * read as the zeros of its sparse $DATA */
            if (st.data_form != NTX_DATA_EXTERNAL)
                fail_msg("%s: %s: data form %u, expected external", fx->name, path,
                         st.data_form);
            rc = ntx_stream_open_data(s, &f, NULL, 0);
            if (rc != NTX_E_EXTERNAL)
                fail_msg("%s: %s: open gave %s, expected data stored outside", fx->name, path,
                         ntx_strerror(rc));
            free(s);
            check_streams(fx, &f, path);
            return;
        }
        assert_int_equal(ntx_stream_open_data(s, &f, NULL, 0), NTX_OK);
        hash_stream(fx, s, e->size, hex);
        if (strcmp(hex, e->sha256) != 0)
            fail_msg("%s: %s sha256 %s, expected %s", fx->name, path, hex, e->sha256);
        free(s);
    }
    check_streams(fx, &f, path);
}

struct pending {
    uint64_t ref;
    char *path;
};

/* Breadth-first walk of the whole tree, without system files (MFT < 16),
 * DOS aliases and the root's "." entry, as ntfs-3g lists it. */
static void test_walk(void **state)
{
    struct fixture *fx = *state;
    size_t cap = 64, head = 0, tail = 0;
    struct pending *q = malloc(cap * sizeof *q);
    ntx_dirent *de = malloc(sizeof *de);
    ntx_dir_iter *it = malloc(sizeof *it);
    assert_true(q && de && it);

    const struct ntx_test_manifest_entry *root = ntx_test_manifest_find(&fx->man, "/", NULL);
    assert_non_null(root);
    fx->seen[entry_index(fx, root)] = 1;
    q[tail++] = (struct pending){ NTX_REF(NTX_MFT_ROOT, 0), strdup("") };
    size_t objects = 1;

    while (head < tail) {
        struct pending p = q[head++];
        ntx_file dir;
        ntx_err rc = ntx_file_open(&dir, &fx->vol, p.ref, 0);
        assert_int_equal(rc, NTX_OK);
        assert_int_equal(ntx_dir_iter_open(it, &dir, NTX_DIR_SKIP_DOS | NTX_DIR_SKIP_SELF), NTX_OK);
        uint16_t prev[NTX_NAME_MAX];
        size_t prev_len = 0;
        while ((rc = ntx_dir_iter_next(it, de)) == NTX_OK) {
            if (NTX_REF_MFT(de->mft_ref) < 16)
                continue;
            char name[1024], path[8192];
            utf16_path(de->name, de->name_len, name, sizeof name);
            snprintf(path, sizeof path, "%s/%s", p.path, name);
            (void)prev;
            (void)prev_len;
            bool is_dir;
            check_object(fx, de, path, &is_dir);
            objects++;
            if (is_dir) {
                if (tail == cap) {
                    cap *= 2;
                    q = realloc(q, cap * sizeof *q);
                    assert_non_null(q);
                }
                q[tail++] = (struct pending){ de->mft_ref, strdup(path) };
            }
        }
        if (rc != NTX_END)
            fail_msg("%s: listing %s: %s (check %u, mft %llu, off %llu)", fx->name,
                     p.path[0] ? p.path : "/", ntx_strerror(rc), fx->vol.diag.check,
                     (unsigned long long)fx->vol.diag.mft_no,
                     (unsigned long long)fx->vol.diag.offset);
        free(p.path);
    }
    for (size_t i = 0; i < fx->man.count; i++)
        if (!fx->seen[i])
            fail_msg("%s: manifest line %u (%s%s%s) was not found by the walk", fx->name,
                     fx->man.entries[i].line, fx->man.entries[i].path,
                     fx->man.entries[i].stream ? ":" : "",
                     fx->man.entries[i].stream ? fx->man.entries[i].stream : "");
    print_message("%s: %zu objects, %zu manifest rows, %llu device reads\n", fx->name, objects,
                  fx->man.count, (unsigned long long)fx->disk.reads);
    assert_int_equal(fx->disk.failures, 0);
    free(q);
    free(de);
    free(it);
}

/* A deterministic generator for read offsets (xorshift64*). */
static uint64_t rng_next(uint64_t *x)
{
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    return *x * 0x2545F4914F6CDD1Dull;
}

static void swap_ascii_case(char *p)
{
    for (; *p; p++) {
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 32);
        else if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p + 32);
    }
}

/* Compare paths ignoring case with the C library's Unicode case mapping
 * (towupper in a UTF-8 locale): an oracle independent of $UpCase that
 * agrees with it on the letters the fixtures use. */
static int casecmp_utf8(const char *a, const char *b)
{
    mbstate_t sa, sb;
    memset(&sa, 0, sizeof sa);
    memset(&sb, 0, sizeof sb);
    for (;;) {
        wchar_t wa = 0, wb = 0;
        size_t na = mbrtowc(&wa, a, MB_LEN_MAX, &sa), nb = mbrtowc(&wb, b, MB_LEN_MAX, &sb);
        assert_true(na != (size_t)-1 && na != (size_t)-2 && nb != (size_t)-1 && nb != (size_t)-2);
        wint_t ua = towupper((wint_t)wa), ub = towupper((wint_t)wb);
        if (ua != ub)
            return ua < ub ? -1 : 1;
        if (wa == 0)
            return 0;
        a += na;
        b += nb;
    }
}

static int cmp_lower(const void *a, const void *b)
{
    return casecmp_utf8(*(char *const *)a, *(char *const *)b);
}

/* Every path opens to its MFT number, as written and with the case of its
 * ASCII letters swapped. Where the manifest holds names that differ only in
 * case, the swapped path must open one of them; where it does not, exactly
 * that file. */
static void test_lookup(void **state)
{
    struct fixture *fx = *state;
    size_t n = 0;
    char **lower = malloc(fx->man.count * sizeof *lower);
    assert_non_null(lower);
    for (size_t i = 0; i < fx->man.count; i++)
        if (fx->man.entries[i].stream == NULL)
            lower[n++] = fx->man.entries[i].path;
    qsort(lower, n, sizeof *lower, cmp_lower);

    size_t checked = 0, twins = 0;
    for (size_t i = 0; i < fx->man.count; i++) {
        const struct ntx_test_manifest_entry *e = &fx->man.entries[i];
        if (e->stream != NULL)
            continue;
        ntx_file f;
        ntx_err rc = ntx_file_open_path(&f, &fx->vol, e->path, strlen(e->path));
        if (rc != NTX_OK || f.mft_no != e->mft)
            fail_msg("%s: open %s: %s, mft %llu (expected %llu)", fx->name, e->path,
                     ntx_strerror(rc), (unsigned long long)f.mft_no, (unsigned long long)e->mft);

        char swapped[8192];
        snprintf(swapped, sizeof swapped, "%s", e->path);
        swap_ascii_case(swapped);
        rc = ntx_file_open_path(&f, &fx->vol, swapped, strlen(swapped));
        if (rc != NTX_OK)
            fail_msg("%s: open %s: %s", fx->name, swapped, ntx_strerror(rc));
        char *key = e->path;
        char **hit = bsearch(&key, lower, n, sizeof *lower, cmp_lower);
        assert_non_null(hit);
        size_t lo = (size_t)(hit - lower), hi = lo;
        while (lo > 0 && casecmp_utf8(lower[lo - 1], e->path) == 0)
            lo--;
        while (hi + 1 < n && casecmp_utf8(lower[hi + 1], e->path) == 0)
            hi++;
        bool ok = false;
        for (size_t k = lo; k <= hi; k++)
            ok = ok || ntx_test_manifest_find(&fx->man, lower[k], NULL)->mft == f.mft_no;
        if (!ok)
            fail_msg("%s: %s opened mft %llu, not %s", fx->name, swapped,
                     (unsigned long long)f.mft_no, e->path);
        twins += hi > lo;
        checked++;
    }
    print_message("%s: %zu paths opened in both cases (%zu with case twins)\n", fx->name, checked,
                  twins);
    free(lower);
}

/* Reads at unaligned offsets and lengths return the same bytes as one
 * whole read, for files and streams (resident, non-resident, sparse,
 * compressed, fragmented), and never make the core ask for a partial block. */
static void test_unaligned_reads(void **state)
{
    struct fixture *fx = *state;
    uint64_t seed = 0x9E3779B97F4A7C15ull;
    size_t reads = 0;
    uint8_t *window = malloc(READ_CHUNK + 8192);
    assert_non_null(window);

    for (size_t i = 0; i < fx->man.count; i++) {
        const struct ntx_test_manifest_entry *e = &fx->man.entries[i];
        if ((e->type != 'f' && e->type != 's') || e->size == 0 || e->sha256[0] == 0)
            continue;
        /* Every file of small fixtures; a sample of the 5,000-file directory. */
        if (fx->man.count > 1000 && e->size < 65536 && i % 97 != 0)
            continue;
        ntx_file f;
        ntx_stream *s = malloc(sizeof *s);
        assert_int_equal(ntx_file_open_path(&f, &fx->vol, e->path, strlen(e->path)), NTX_OK);
        assert_int_equal(ntx_stream_open_data(s, &f, e->stream, e->stream ? strlen(e->stream) : 0),
                         NTX_OK);
        for (int k = 0; k < 12; k++) {
            uint64_t off = rng_next(&seed) % e->size;
            size_t len = (size_t)(rng_next(&seed) % (k < 6 ? 9000 : READ_CHUNK)) + 1;
            if (k == 0)
                off = e->size - 1; /* the last byte */
            /* The reference: the aligned superset, read in one call. */
            uint64_t a_off = off & ~(uint64_t)4095;
            size_t a_len = (size_t)(((off + len + 4095) & ~(uint64_t)4095) - a_off);
            size_t got, got2;
            assert_int_equal(ntx_stream_read(s, a_off, window, a_len, &got), NTX_OK);
            uint8_t *part = malloc(len);
            assert_int_equal(ntx_stream_read(s, off, part, len, &got2), NTX_OK);
            size_t expect = off + len <= e->size ? len : (size_t)(e->size - off);
            assert_int_equal(got2, expect);
            assert_true(got >= (size_t)(off - a_off) + got2);
            if (memcmp(part, window + (off - a_off), got2) != 0)
                fail_msg("%s: %s%s%s: bytes differ at offset %llu length %zu", fx->name, e->path,
                         e->stream ? ":" : "", e->stream ? e->stream : "",
                         (unsigned long long)off, len);
            free(part);
            reads++;
        }
        free(s);
    }
    assert_int_equal(fx->disk.failures, 0);
    print_message("%s: %zu unaligned reads compared\n", fx->name, reads);
    free(window);
}

/* DOS 8.3 aliases (the manifest's "# dos_name" lines, set through ntfs-3g's
 * system.ntfs_dos_name): listed with NTX_NS_DOS next to the long name in
 * NTX_NS_WIN32, left out with NTX_DIR_SKIP_DOS, and openable by path. */
static void test_dos_names(void **state)
{
    struct fixture *fx = *state;
    ntx_dir_iter *it = malloc(sizeof *it);
    ntx_dirent *de = malloc(sizeof *de);
    size_t checked = 0;
    for (size_t i = 0; i < fx->man.count; i++) {
        const struct ntx_test_manifest_entry *e = &fx->man.entries[i];
        if (e->dos_name == NULL)
            continue;
        char parent[4096], path[4096];
        snprintf(parent, sizeof parent, "%s", e->path);
        *strrchr(parent, '/') = 0;
        ntx_file dir, f;
        assert_int_equal(ntx_file_open_path(&dir, &fx->vol, parent, strlen(parent)), NTX_OK);
        for (int skip = 0; skip < 2; skip++) {
            int dos = 0, win32 = 0;
            ntx_err rc;
            assert_int_equal(ntx_dir_iter_open(it, &dir, skip ? NTX_DIR_SKIP_DOS : 0), NTX_OK);
            while ((rc = ntx_dir_iter_next(it, de)) == NTX_OK) {
                if (NTX_REF_MFT(de->mft_ref) != e->mft)
                    continue;
                char name[1024];
                utf16_path(de->name, de->name_len, name, sizeof name);
                if (de->name_space == NTX_NS_DOS) {
                    assert_string_equal(name, e->dos_name);
                    dos++;
                } else {
                    assert_int_equal(de->name_space, NTX_NS_WIN32);
                    assert_string_equal(name, strrchr(e->path, '/') + 1);
                    win32++;
                }
            }
            assert_int_equal(rc, NTX_END);
            assert_int_equal(win32, 1);
            assert_int_equal(dos, skip ? 0 : 1);
        }
        snprintf(path, sizeof path, "%s/%s", parent, e->dos_name);
        assert_int_equal(ntx_file_open_path(&f, &fx->vol, path, strlen(path)), NTX_OK);
        assert_int_equal(f.mft_no, e->mft);
        checked++;
    }
    print_message("%s: %zu DOS names\n", fx->name, checked);
    free(it);
    free(de);
}

/* Files whose attributes spill into extension records: the attribute
 * iterator returns the $ATTRIBUTE_LIST first, then every attribute it
 * names; the unnamed $DATA's extents have increasing lowest VCNs that tile
 * [0, allocated clusters) exactly, and some live outside the base record.
 * (That the bytes read back right is test_walk's SHA-256 check.) */
static void test_attribute_lists(void **state)
{
    struct fixture *fx = *state;
    ntx_attr_info *ai = malloc(sizeof *ai);
    size_t with_list = 0, split = 0;
    for (size_t i = 0; i < fx->man.count; i++) {
        const struct ntx_test_manifest_entry *e = &fx->man.entries[i];
        if (e->type != 'f' || e->stream != NULL)
            continue;
        ntx_file f;
        ntx_attr_iter it;
        ntx_err rc;
        assert_int_equal(ntx_file_open_path(&f, &fx->vol, e->path, strlen(e->path)), NTX_OK);
        assert_int_equal(ntx_attr_iter_open(&it, &f), NTX_OK);
        bool first = true, has_list = false;
        uint64_t next_vcn = 0, alloc = 0;
        unsigned extents = 0, elsewhere = 0;
        while ((rc = ntx_attr_iter_next(&it, ai)) == NTX_OK) {
            if (first)
                has_list = ai->type == NTX_AT_ATTRIBUTE_LIST;
            first = false;
            if (ai->type != NTX_AT_DATA || ai->name_len != 0 || ai->resident)
                continue;
            if (ai->lowest_vcn == 0)
                alloc = ai->alloc_size;
            if (ai->lowest_vcn != next_vcn)
                fail_msg("%s: %s: $DATA extent at VCN %llu, expected %llu", fx->name, e->path,
                         (unsigned long long)ai->lowest_vcn, (unsigned long long)next_vcn);
            next_vcn = (uint64_t)(ai->highest_vcn + 1);
            extents++;
            elsewhere += ai->rec_no != f.mft_no;
        }
        assert_int_equal(rc, NTX_END);
        if (extents > 0)
            assert_int_equal(next_vcn * fx->man.cluster_size, alloc);
        if (!has_list) {
            assert_true(extents <= 1);
            continue;
        }
        with_list++;
        if (extents >= 2 && elsewhere > 0)
            split++;
    }
    print_message("%s: %zu files with an attribute list, %zu with $DATA split over records\n",
                  fx->name, with_list, split);
    /* The fixtures built to need one (fixtures/README.md) must have it. */
    if (ntx_test_manifest_find(&fx->man, "/frag/fragmented.bin", NULL) != NULL)
        assert_true(split >= 1);
    free(ai);
}

/*
 * Deleted files keep attribute lists that name attributes since removed or
 * overwritten (ntx/attr.h): every deleted base record of a fixture lists its
 * attributes to the end, none answering NTX_E_CORRUPT. One of them checked
 * whole: ntfs-4k's record 5208, a directory ntfs-3g deleted, whose list (one
 * cluster at LCN 20049, hand-decoded) holds six entries in 216 bytes: 0x10
 * (5208, id 0), 0x30 (5328, id 0), 0x50 (5208, id 1), 0x90 "$I30" (5329, id
 * 0), 0xA0 "$I30" (5208, id 5), 0xB0 "$I30" (5208, id 4); its size says 184,
 * cut by the 32 bytes of the $FILE_NAME entry when that attribute was removed
 * from 5328, which now holds none. So $FILE_NAME is gone and the $BITMAP entry
 * sticks out of the list: two lost. TSK's istat lists the same $ATTRIBUTE_LIST
 * (32-6), $STANDARD_INFORMATION (16-0), $SECURITY_DESCRIPTOR (80-1),
 * $INDEX_ALLOCATION (160-5) and $INDEX_ROOT (renumbered 144-8), and the
 * $BITMAP that the base record still holds (176-4), and no $FILE_NAME.
 */
static void test_deleted_lists(void **state)
{
    struct fixture *fx = *state;
    ntx_attr_info *ai = malloc(sizeof *ai);
    size_t deleted = 0, with_lost = 0;
    for (uint64_t n = 16; n < fx->vol.mft_records; n++) {
        ntx_record_info ri;
        if (ntx_record_get_info(&fx->vol, n, &ri) != NTX_OK || (ri.flags & NTX_REC_IN_USE) ||
            ri.base_ref != 0)
            continue;
        ntx_file f;
        ntx_attr_iter it;
        ntx_err rc = ntx_file_open(&f, &fx->vol, n, NTX_OPEN_DELETED);
        if (rc == NTX_E_CORRUPT)
            continue; /* never used, or wiped */
        assert_int_equal(rc, NTX_OK);
        deleted++;
        assert_int_equal(ntx_attr_iter_open(&it, &f), NTX_OK);
        while ((rc = ntx_attr_iter_next(&it, ai)) == NTX_OK)
            ;
        if (rc != NTX_END)
            fail_msg("%s: deleted record %llu: attributes end with %d", fx->name,
                     (unsigned long long)n, (int)rc);
        with_lost += it.lost != 0;
    }
    print_message("%s: %zu deleted records, %zu with attributes their list names gone\n",
                  fx->name, deleted, with_lost);

    if (strcmp(fx->name, "ntfs-4k") == 0) {
        static const struct {
            uint32_t type;
            uint16_t id;
            uint64_t rec;
        } want[] = { { 0x20, 6, 5208 }, { 0x10, 0, 5208 }, { 0x50, 1, 5208 },
                     { 0x90, 0, 5329 }, { 0xA0, 5, 5208 } };
        ntx_file f;
        ntx_attr_iter it;
        size_t k = 0;
        ntx_err rc;
        assert_int_equal(ntx_file_open(&f, &fx->vol, 5208, NTX_OPEN_DELETED), NTX_OK);
        assert_int_equal(ntx_attr_iter_open(&it, &f), NTX_OK);
        while ((rc = ntx_attr_iter_next(&it, ai)) == NTX_OK) {
            assert_true(k < sizeof want / sizeof want[0]);
            assert_int_equal(ai->type, want[k].type);
            assert_int_equal(ai->instance, want[k].id);
            assert_true(ai->rec_no == want[k].rec);
            k++;
        }
        assert_int_equal(rc, NTX_END);
        assert_int_equal(k, sizeof want / sizeof want[0]);
        assert_int_equal(it.lost, 2);
        /* Its streams: the security descriptor reads (80 bytes), $FILE_NAME is
         * not found, not corrupt. */
        ntx_stream s;
        size_t got;
        assert_int_equal(ntx_stream_open(&s, &f, NTX_AT_SECURITY_DESCRIPTOR, NULL, 0), NTX_OK);
        assert_true(s.size == 80);
        assert_int_equal(ntx_stream_read(&s, 0, fx->buf, 80, &got), NTX_OK);
        assert_int_equal(got, 80);
        assert_int_equal(fx->buf[0], 1); /* self-relative descriptor, revision 1 */
        assert_int_equal(ntx_stream_open(&s, &f, NTX_AT_FILE_NAME, NULL, 0), NTX_E_NOT_FOUND);
        /* Without the flag the record is refused: it is not in use. */
        assert_int_equal(ntx_file_open(&f, &fx->vol, 5208, 0), NTX_E_NOT_FOUND);
    }
    free(ai);
}

/* Label and geometry against the manifest header (from mkntfs and ntfsinfo). */
static void test_volume_info(void **state)
{
    struct fixture *fx = *state;
    ntx_volume_info info;
    char label[512];
    size_t len;
    assert_int_equal(ntx_volume_get_info(&fx->vol, &info), NTX_OK);
    assert_int_equal(ntx_utf16_to_utf8(info.label, info.label_len, label, sizeof label, &len,
                                       NTX_UTF16_STRICT), NTX_OK);
    assert_string_equal(label, fx->man.label);
    assert_int_equal(info.geo.sector_size, fx->man.sector_size);
    assert_int_equal(info.geo.cluster_size, fx->man.cluster_size);
    assert_int_equal(info.geo.record_size, fx->man.record_size);
    /* mkntfs writes NTFS 3.1 and leaves a cleanly unmounted volume clean. */
    assert_int_equal(info.major, 3);
    assert_int_equal(info.minor, 1);
    assert_false(info.dirty);
    /* Free clusters from $Bitmap, as ntfs-3g's statfs counts them. */
    uint64_t free_clusters, used;
    assert_int_equal(ntx_volume_count_free(&fx->vol, fx->buf, 4096, &free_clusters, &used),
                     NTX_OK);
    assert_int_equal(info.geo.cluster_count, fx->man.total_clusters);
    assert_int_equal(free_clusters, fx->man.free_clusters);
    assert_int_equal(free_clusters + used, info.geo.cluster_count);
}

/* Path syntax: ".", "..", repeated and trailing slashes, files used as
 * directories, missing names, invalid UTF-8, over-long names. */
static void test_path_syntax(void **state)
{
    struct fixture *fx = *state;
    ntx_file f;
    const struct ntx_test_manifest_entry *file = NULL, *dir = NULL;
    for (size_t i = 0; i < fx->man.count && (!file || !dir); i++) {
        const struct ntx_test_manifest_entry *e = &fx->man.entries[i];
        if (e->type == 'f' && !e->stream && strchr(e->path + 1, '/') && !file)
            file = e;
        if (e->type == 'd' && strcmp(e->path, "/") != 0 && !dir)
            dir = e;
    }
    assert_int_equal(ntx_file_open_path(&f, &fx->vol, "", 0), NTX_OK);
    assert_int_equal(f.mft_no, NTX_MFT_ROOT);
    assert_int_equal(ntx_file_open_path(&f, &fx->vol, "/./..//.", 8), NTX_OK);
    assert_int_equal(f.mft_no, NTX_MFT_ROOT);
    assert_int_equal(ntx_file_open_path(&f, &fx->vol, "/no such file", 13), NTX_E_NOT_FOUND);
    assert_int_equal(ntx_file_open_path(&f, &fx->vol, "/\xff", 2), NTX_E_NAME);
    char longname[300];
    memset(longname, 'x', sizeof longname);
    longname[0] = '/';
    assert_int_equal(ntx_file_open_path(&f, &fx->vol, longname, sizeof longname),
                     NTX_E_NAME_TOO_LONG);
    if (file != NULL) {
        char p[8192];
        snprintf(p, sizeof p, "%s/x", file->path);
        assert_int_equal(ntx_file_open_path(&f, &fx->vol, p, strlen(p)), NTX_E_NOT_DIR);
        snprintf(p, sizeof p, "%s/", file->path);
        assert_int_equal(ntx_file_open_path(&f, &fx->vol, p, strlen(p)), NTX_E_NOT_DIR);
        /* "dir/../dir/file" is the file again */
        const char *slash = strrchr(file->path, '/');
        const char *first = strchr(file->path + 1, '/');
        snprintf(p, sizeof p, "%.*s/..%.*s", (int)(first - file->path), file->path,
                 (int)(strlen(file->path)), file->path);
        (void)slash;
        assert_int_equal(ntx_file_open_path(&f, &fx->vol, p, strlen(p)), NTX_OK);
        assert_int_equal(f.mft_no, file->mft);
        ntx_stream *s = malloc(sizeof *s);
        assert_int_equal(ntx_stream_open_data(s, &f, "no-such-stream", 14), NTX_E_NOT_FOUND);
        free(s);
    }
    if (dir != NULL) {
        char p[8192];
        ntx_stream *s = malloc(sizeof *s);
        snprintf(p, sizeof p, "%s/", dir->path);
        assert_int_equal(ntx_file_open_path(&f, &fx->vol, p, strlen(p)), NTX_OK);
        assert_int_equal(f.mft_no, dir->mft);
        assert_int_equal(ntx_stream_open_data(s, &f, NULL, 0), NTX_E_IS_DIR);
        free(s);
    }
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    if (setlocale(LC_ALL, "C.UTF-8") == NULL) {
        fprintf(stderr, "the C.UTF-8 locale is needed\n");
        return 1;
    }
    DIR *d = opendir(NTX_FIXTURES_DIR);
    struct dirent *ent;
    assert_non_null(d);
    while ((ent = readdir(d)) != NULL && fixture_count < 16) {
        size_t n = strlen(ent->d_name);
        if (n > 9 && strcmp(ent->d_name + n - 9, ".manifest") == 0)
            fixture_names[fixture_count++] = strndup(ent->d_name, n - 9);
    }
    closedir(d);

    static const struct {
        const char *what;
        CMUnitTestFunction fn;
    } kinds[] = { { "walk", test_walk },
                  { "lookup", test_lookup },
                  { "unaligned", test_unaligned_reads },
                  { "volume-info", test_volume_info },
                  { "dos-names", test_dos_names },
                  { "attribute-lists", test_attribute_lists },
                  { "deleted-lists", test_deleted_lists },
                  { "path-syntax", test_path_syntax } };
    const size_t nk = sizeof kinds / sizeof kinds[0];
    struct CMUnitTest *tests = calloc(fixture_count * nk, sizeof *tests);
    char **names = calloc(fixture_count * nk, sizeof *names);
    size_t n = 0;
    for (size_t i = 0; i < fixture_count; i++) {
        for (size_t k = 0; k < nk; k++, n++) {
            if (asprintf(&names[n], "%s/%s", fixture_names[i], kinds[k].what) < 0)
                return 1;
            tests[n] = (struct CMUnitTest){ names[n], kinds[k].fn, fixture_setup,
                                            fixture_teardown, (void *)fixture_names[i] };
        }
    }
    int failed = _cmocka_run_group_tests("fixtures", tests, n, NULL, NULL);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    for (size_t i = 0; i < fixture_count; i++)
        free((char *)fixture_names[i]);
    free(names);
    free(tests);
    if (loaded.img.data != NULL)
        ntx_test_image_free(&loaded.img);
    return failed;
}
