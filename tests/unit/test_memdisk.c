/*
 * test_memdisk.c - the tests' memory disk and gzip image loader
 * (tests/support/image.c): alignment check, fault injection, end of image,
 * and images written here with zlib and loaded back.
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
#include <zlib.h>

#include "image.h"

static uint8_t pattern_byte(size_t i)
{
    return (uint8_t)((i * 2654435761u) >> 13);
}

static uint8_t *pattern(size_t n)
{
    uint8_t *p = malloc(n ? n : 1);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++)
        p[i] = pattern_byte(i);
    return p;
}

/* A fresh temp file name (the file exists, empty); the caller unlinks it. */
static void temp_path(char *buf, size_t cap)
{
    const char *dir = getenv("TMPDIR");
    snprintf(buf, cap, "%s/ntx_memdisk_XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(buf);
    assert_true(fd >= 0);
    close(fd);
}

static void write_gz(const char *path, const char *mode, const void *data, size_t len)
{
    gzFile gz = gzopen(path, mode);
    assert_non_null(gz);
    if (len)
        assert_int_equal(gzwrite(gz, data, (unsigned)len), (int)len);
    assert_int_equal(gzclose(gz), Z_OK);
}

static void write_raw(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static size_t file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    fclose(f);
    return (size_t)n;
}

/* ---- memory disk ---- */

static void test_io_fill(void **state)
{
    (void)state;
    static const uint8_t data[4096];
    struct ntx_test_memdisk d;
    ntx_io io;
    ntx_test_memdisk_init(&d, data, sizeof data);
    memset(&io, 0xa5, sizeof io);
    ntx_test_memdisk_io(&d, &io);
    assert_ptr_equal(io.read, ntx_test_memdisk_read);
    assert_ptr_equal(io.ctx, &d);
    assert_int_equal(io.offset, 0);
    assert_int_equal(io.size, sizeof data);
    assert_int_equal(io.block_size, 512);
    assert_int_equal(d.reads, 0);
    assert_int_equal(d.fail_after, 0);
    assert_int_equal(d.check_align, 0);
}

static void test_read_and_counters(void **state)
{
    (void)state;
    size_t n = 8192;
    uint8_t *data = pattern(n);
    uint8_t buf[4096];
    struct ntx_test_memdisk d;
    ntx_io io;
    ntx_test_memdisk_init(&d, data, n);
    ntx_test_memdisk_io(&d, &io);

    assert_int_equal(io.read(io.ctx, 512, buf, 1024), 0);
    assert_memory_equal(buf, data + 512, 1024);
    assert_int_equal(io.read(io.ctx, 4096, buf, 4096), 0);
    assert_memory_equal(buf, data + 4096, 4096);
    /* no alignment check by default */
    assert_int_equal(io.read(io.ctx, 3, buf, 5), 0);
    assert_memory_equal(buf, data + 3, 5);
    assert_int_equal(io.read(io.ctx, 100, buf, 0), 0);

    assert_int_equal(d.reads, 4);
    assert_int_equal(d.bytes_read, 1024 + 4096 + 5);
    assert_int_equal(d.failures, 0);
    assert_int_equal(d.max_read_len, 4096);
    assert_int_equal(d.last_off, 100);
    assert_int_equal(d.last_len, 0);

    d.fail_after = 7;
    d.check_align = 512;
    ntx_test_memdisk_reset_counters(&d);
    assert_int_equal(d.reads, 0);
    assert_int_equal(d.bytes_read, 0);
    assert_int_equal(d.max_read_len, 0);
    assert_int_equal(d.fail_after, 7);
    assert_int_equal(d.check_align, 512);
    free(data);
}

static void test_alignment_check(void **state)
{
    (void)state;
    size_t n = 16384;
    uint8_t *data = pattern(n);
    uint8_t buf[8192];
    struct ntx_test_memdisk d;
    ntx_test_memdisk_init(&d, data, n);
    d.check_align = 512;

    memset(buf, 0x5a, sizeof buf);
    assert_int_equal(ntx_test_memdisk_read(&d, 1, buf, 512), -22);     /* offset */
    assert_int_equal(ntx_test_memdisk_read(&d, 512, buf, 511), -22);   /* length */
    assert_int_equal(ntx_test_memdisk_read(&d, 511, buf, 513), -22);   /* both */
    assert_int_equal(ntx_test_memdisk_read(&d, 256, buf, 256), -22);
    assert_int_equal(buf[0], 0x5a); /* a failed read leaves buf alone */
    assert_int_equal(d.failures, 4);
    assert_int_equal(d.bytes_read, 0);
    assert_int_equal(d.max_read_len, 513);

    assert_int_equal(ntx_test_memdisk_read(&d, 1024, buf, 512), 0);
    assert_memory_equal(buf, data + 1024, 512);
    assert_int_equal(ntx_test_memdisk_read(&d, 0, buf, 0), 0);

    d.check_align = 4096;
    assert_int_equal(ntx_test_memdisk_read(&d, 512, buf, 4096), -22);
    assert_int_equal(ntx_test_memdisk_read(&d, 4096, buf, 512), -22);
    assert_int_equal(ntx_test_memdisk_read(&d, 8192, buf, 8192), 0);
    assert_memory_equal(buf, data + 8192, 8192);

    /* misalignment is reported before the end of the image */
    assert_int_equal(ntx_test_memdisk_read(&d, n + 1, buf, 1), -22);
    assert_int_equal(d.reads, 10);
    assert_int_equal(d.failures, 7);
    assert_int_equal(d.bytes_read, 512 + 8192);
    free(data);
}

static void test_fail_after(void **state)
{
    (void)state;
    uint8_t data[2048];
    uint8_t buf[512];
    struct ntx_test_memdisk d;
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = pattern_byte(i);
    ntx_test_memdisk_init(&d, data, sizeof data);
    d.fail_after = 3;

    assert_int_equal(ntx_test_memdisk_read(&d, 0, buf, 512), 0);
    assert_int_equal(ntx_test_memdisk_read(&d, 512, buf, 512), 0);
    memset(buf, 0x5a, sizeof buf);
    assert_int_equal(ntx_test_memdisk_read(&d, 1024, buf, 512), -5);
    assert_int_equal(buf[0], 0x5a);
    /* only the Nth read fails */
    assert_int_equal(ntx_test_memdisk_read(&d, 1024, buf, 512), 0);
    assert_memory_equal(buf, data + 1024, 512);
    assert_int_equal(ntx_test_memdisk_read(&d, 1536, buf, 512), 0);
    assert_int_equal(d.reads, 5);
    assert_int_equal(d.failures, 1);
    assert_int_equal(d.bytes_read, 4 * 512);

    /* fail_after = 1: the very first read */
    ntx_test_memdisk_init(&d, data, sizeof data);
    d.fail_after = 1;
    assert_int_equal(ntx_test_memdisk_read(&d, 0, buf, 512), -5);
    assert_int_equal(ntx_test_memdisk_read(&d, 0, buf, 512), 0);

    /* counted over all calls, failed ones included */
    ntx_test_memdisk_init(&d, data, sizeof data);
    d.check_align = 512;
    d.fail_after = 2;
    assert_int_equal(ntx_test_memdisk_read(&d, 1, buf, 512), -22);
    assert_int_equal(ntx_test_memdisk_read(&d, 0, buf, 512), -5);
    assert_int_equal(ntx_test_memdisk_read(&d, 0, buf, 512), 0);
}

static void test_past_end(void **state)
{
    (void)state;
    uint8_t data[4096];
    uint8_t buf[1024];
    struct ntx_test_memdisk d;
    memset(data, 0x11, sizeof data);
    ntx_test_memdisk_init(&d, data, sizeof data);

    assert_int_equal(ntx_test_memdisk_read(&d, 3584, buf, 512), 0);  /* the last sector */
    assert_int_equal(ntx_test_memdisk_read(&d, 3584, buf, 1024), -6); /* straddles the end */
    assert_int_equal(ntx_test_memdisk_read(&d, 4096, buf, 512), -6);  /* starts at the end */
    assert_int_equal(ntx_test_memdisk_read(&d, 4096, buf, 0), 0);     /* empty, at the end */
    assert_int_equal(ntx_test_memdisk_read(&d, 4097, buf, 0), -6);    /* empty, past it */
    assert_int_equal(ntx_test_memdisk_read(&d, 1u << 20, buf, 512), -6);
    /* off + len wraps around 2^64 */
    assert_int_equal(ntx_test_memdisk_read(&d, UINT64_MAX - 511, buf, 1024), -6);
    assert_int_equal(ntx_test_memdisk_read(&d, UINT64_MAX, buf, 1), -6);
    assert_int_equal(d.failures, 6);
    assert_int_equal(d.bytes_read, 512);
    assert_int_equal(d.max_read_len, 1024);

    /* an empty disk */
    ntx_test_memdisk_init(&d, NULL, 0);
    assert_int_equal(ntx_test_memdisk_read(&d, 0, buf, 512), -6);
    assert_int_equal(ntx_test_memdisk_read(&d, 0, buf, 0), 0);
}

/* ---- image loading ---- */

static void load_and_compare(const char *path, const uint8_t *want, size_t n)
{
    struct ntx_test_image img;
    assert_int_equal(ntx_test_image_load(path, &img), 0);
    assert_int_equal(img.size, n);
    assert_non_null(img.data);
    assert_true(img.mapped >= img.size);
    if (n)
        assert_memory_equal(img.data, want, n);
    /* the image is writable: tests corrupt loaded images in place */
    if (n) {
        img.data[0] ^= 0xff;
        img.data[n - 1] ^= 0xff;
    }
    ntx_test_image_free(&img);
    assert_null(img.data);
    assert_int_equal(img.size, 0);
}

static void test_image_gzip(void **state)
{
    (void)state;
    char path[256];
    size_t n = 3 * 1024 * 1024 + 512;
    uint8_t *data = pattern(n);
    temp_path(path, sizeof path);
    write_gz(path, "wb9", data, n);
    assert_true(file_size(path) < n); /* really compressed */
    load_and_compare(path, data, n);

    /* the loaded image through the memory disk */
    struct ntx_test_image img;
    struct ntx_test_memdisk d;
    ntx_io io;
    uint8_t buf[4096];
    assert_int_equal(ntx_test_image_load(path, &img), 0);
    ntx_test_memdisk_from_image(&d, &img);
    ntx_test_memdisk_io(&d, &io);
    assert_int_equal(io.size, n);
    d.check_align = io.block_size;
    assert_int_equal(io.read(io.ctx, n - 512, buf, 512), 0);
    assert_memory_equal(buf, data + n - 512, 512);
    assert_int_equal(io.read(io.ctx, n - 512, buf, 1024), -6);
    assert_int_equal(io.read(io.ctx, 1 << 20, buf, 4096), 0);
    assert_memory_equal(buf, data + (1 << 20), 4096);
    ntx_test_image_free(&img);

    unlink(path);
    free(data);
}

/* Two gzip members: the trailer's ISIZE covers only the last, so the buffer must grow. */
static void test_image_multi_member(void **state)
{
    (void)state;
    char path[256];
    size_t n1 = 5 * 1024 * 1024 + 77, n2 = 1000;
    uint8_t *data = pattern(n1 + n2);
    temp_path(path, sizeof path);
    write_gz(path, "wb1", data, n1);
    write_gz(path, "ab1", data + n1, n2);
    load_and_compare(path, data, n1 + n2);
    unlink(path);
    free(data);
}

/* gzread passes a file that is not gzip through unchanged. */
static void test_image_plain_file(void **state)
{
    (void)state;
    char path[256];
    size_t n = 1536 * 1024;
    uint8_t *data = pattern(n);
    temp_path(path, sizeof path);
    write_raw(path, data, n);
    load_and_compare(path, data, n);
    unlink(path);
    free(data);
}

static void test_image_empty(void **state)
{
    (void)state;
    char path[256];
    temp_path(path, sizeof path);
    write_gz(path, "wb", NULL, 0);
    load_and_compare(path, NULL, 0);
    unlink(path);
}

static void test_image_errors(void **state)
{
    (void)state;
    struct ntx_test_image img;
    char path[256];

    assert_int_equal(ntx_test_image_load("/nonexistent/ntx/none.img.gz", &img), -ENOENT);
    assert_null(img.data);
    assert_int_equal(img.size, 0);

    /* a gzip stream cut short */
    size_t n = 256 * 1024;
    uint8_t *data = pattern(n);
    temp_path(path, sizeof path);
    write_gz(path, "wb", data, n);
    size_t gz_len = file_size(path);
    assert_int_equal(truncate(path, (off_t)(gz_len / 2)), 0);
    assert_int_equal(ntx_test_image_load(path, &img), -EIO);
    assert_null(img.data);

    /* a wrong CRC-32 in the trailer */
    write_gz(path, "wb", data, n);
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, -8, SEEK_END), 0);
    int c = fgetc(f);
    assert_int_equal(fseek(f, -8, SEEK_END), 0);
    fputc(c ^ 1, f);
    fclose(f);
    assert_int_equal(ntx_test_image_load(path, &img), -EIO);
    assert_null(img.data);

    unlink(path);
    free(data);
    ntx_test_image_free(&img); /* freeing an empty image is harmless */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_io_fill),
        cmocka_unit_test(test_read_and_counters),
        cmocka_unit_test(test_alignment_check),
        cmocka_unit_test(test_fail_after),
        cmocka_unit_test(test_past_end),
        cmocka_unit_test(test_image_gzip),
        cmocka_unit_test(test_image_multi_member),
        cmocka_unit_test(test_image_plain_file),
        cmocka_unit_test(test_image_empty),
        cmocka_unit_test(test_image_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
