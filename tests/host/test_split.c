/*
 * test_split.c - split raw images (host/source_file.c): segments found from
 * the first one's name (NAME.001, NAME.002, ...; NAME.aa, NAME.ab, ...),
 * reads across segment boundaries, a later segment given instead of the
 * first, a segment cut short in the middle of the set, and the image as a
 * whole through ntx_host_open().
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "internal.h"

static char dir[64];

static void write_file(const char *name, const uint8_t *bytes, size_t n)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, n, f), n);
    fclose(f);
}

static uint8_t *pattern(size_t n)
{
    uint8_t *b = malloc(n);
    assert_non_null(b);
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(i * 7u + i / 4096u);
    return b;
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/ntx-host-split-XXXXXX");
    return mkdtemp(dir) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Three segments of `seg` bytes and a short last one, named by suffix. */
static uint8_t *make_set(const char *base, const char *const *suffixes, size_t seg, size_t last)
{
    size_t total = 3 * seg + last;
    uint8_t *all = pattern(total);
    char name[64];
    for (int i = 0; i < 4; i++) {
        snprintf(name, sizeof name, "%s.%s", base, suffixes[i]);
        write_file(name, all + (size_t)i * seg, i < 3 ? seg : last);
    }
    return all;
}

static void read_across(host_source *src, const uint8_t *all, size_t total, size_t seg)
{
    uint8_t buf[8192];
    assert_int_equal(src->size, total);
    for (size_t off = seg - 4096; off + sizeof buf <= total; off += seg) {
        assert_int_equal(host_source_read(src, off, buf, sizeof buf), 0);
        assert_memory_equal(buf, all + off, sizeof buf);
    }
    assert_int_equal(host_source_read(src, total - 512, buf, 512), 0);
    assert_memory_equal(buf, all + total - 512, 512);
    assert_int_equal(host_source_read(src, total - 512, buf, 1024), -EIO);
}

static void test_numbered(void **state)
{
    (void)state;
    static const char *const sfx[] = { "001", "002", "003", "004" };
    const size_t seg = 65536, last = 12288;
    uint8_t *all = make_set("disk", sfx, seg, last);
    char path[256], first[256];
    ntx_host_error err;
    uint32_t n = 0;
    snprintf(path, sizeof path, "%s/disk.001", dir);
    host_source *src = host_split_source(path, &n, &err);
    assert_non_null(src);
    assert_int_equal(n, 4);
    read_across(src, all, 3 * seg + last, seg);
    src->ops->close(src);
    /* a later segment names the first */
    snprintf(path, sizeof path, "%s/disk.003", dir);
    assert_true(host_split_is_later_segment(path, first, sizeof first));
    assert_non_null(strstr(first, "disk.001"));
    snprintf(path, sizeof path, "%s/disk.001", dir);
    assert_false(host_split_is_later_segment(path, first, sizeof first));
    free(all);
}

static void test_lettered(void **state)
{
    (void)state;
    static const char *const sfx[] = { "aa", "ab", "ac", "ad" };
    const size_t seg = 32768, last = 4096;
    uint8_t *all = make_set("img", sfx, seg, last);
    char path[256];
    ntx_host_error err;
    uint32_t n = 0;
    snprintf(path, sizeof path, "%s/img.aa", dir);
    host_source *src = host_split_source(path, &n, &err);
    assert_non_null(src);
    assert_int_equal(n, 4);
    read_across(src, all, 3 * seg + last, seg);
    src->ops->close(src);
    free(all);
}

static void test_alone_and_cut(void **state)
{
    (void)state;
    uint8_t *b = pattern(8192);
    char path[256];
    ntx_host_error err;
    uint32_t n = 0;
    /* NAME.001 without NAME.002: not a split set (a plain raw file) */
    write_file("solo.001", b, 8192);
    snprintf(path, sizeof path, "%s/solo.001", dir);
    assert_null(host_split_source(path, &n, &err));
    assert_int_equal(err.status, NTX_HOST_OK);
    /* the middle segment shorter than the first: refused, naming it */
    write_file("cut.001", b, 8192);
    write_file("cut.002", b, 4096);
    write_file("cut.003", b, 8192);
    snprintf(path, sizeof path, "%s/cut.001", dir);
    assert_null(host_split_source(path, &n, &err));
    assert_int_equal(err.status, NTX_HOST_E_CONTAINER);
    assert_non_null(strstr(err.message, "cut.002"));
    free(b);
}

/* The whole path through ntx_host_open(): a split set is recognised by
 * name, holds no NTFS here, and says so. */
static void test_open_split(void **state)
{
    (void)state;
    uint8_t *b = pattern(65536);
    write_file("x.aa", b, 65536);
    write_file("x.ab", b, 65536);
    char path[256];
    snprintf(path, sizeof path, "%s/x.aa", dir);
    ntx_host_image *img = NULL;
    ntx_host_error err;
    assert_int_equal(ntx_host_open(path, NULL, &img, &err), NTX_HOST_OK);
    const ntx_host_info *in = ntx_host_describe(img);
    assert_int_equal(in->format, NTX_HOST_FMT_SPLIT);
    assert_int_equal(in->segments, 2);
    assert_int_equal(in->media_size, 131072);
    assert_true(ntx_host_select(img, NULL, &err) != NTX_HOST_OK);
    assert_non_null(strstr(err.message, "no NTFS volume"));
    ntx_host_close(img);
    /* the second segment given: the first is named */
    snprintf(path, sizeof path, "%s/x.ab", dir);
    assert_int_equal(ntx_host_open(path, NULL, &img, &err), NTX_HOST_E_CHOICE);
    assert_non_null(strstr(err.message, "x.aa"));
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbered),
        cmocka_unit_test(test_lettered),
        cmocka_unit_test(test_alone_and_cut),
        cmocka_unit_test(test_open_split),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
