/*
 * test_cache.c - the ntx_host read cache (host/cache.c) against the bytes
 * it caches: a source in memory (read through a staging buffer, as a
 * container library is) and the same bytes in a file (read with preadv into
 * the pages), with failures injected past a chosen offset.
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

typedef struct mem_source {
    host_source base;
    const uint8_t *bytes;
    uint64_t fail_from; /* reads touching this offset or beyond fail */
    unsigned reads;
} mem_source;

static int mem_read(host_source *src, uint64_t off, void *buf, size_t len)
{
    mem_source *m = (mem_source *)src;
    m->reads++;
    if (off + len > m->fail_from)
        return -EIO;
    memcpy(buf, m->bytes + off, len);
    return 0;
}

static void mem_close(host_source *src)
{
    free(src);
}

static const host_source_ops mem_ops = { mem_read, mem_close };

static mem_source *mem_new(const uint8_t *bytes, uint64_t size, uint32_t unit)
{
    mem_source *m = calloc(1, sizeof *m);
    assert_non_null(m);
    m->base.ops = &mem_ops;
    m->base.size = size;
    m->base.unit = unit;
    m->base.fd = -1;
    m->bytes = bytes;
    m->fail_from = UINT64_MAX;
    return m;
}

static uint8_t *random_bytes(size_t n, unsigned seed)
{
    uint8_t *b = malloc(n);
    assert_non_null(b);
    uint32_t x = seed * 2654435761u + 1u;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b[i] = (uint8_t)x;
    }
    return b;
}

/* Random reads at 512-byte offsets, small and large, against the bytes. */
static void check_random_reads(host_cache *c, const uint8_t *bytes, uint64_t size, unsigned n)
{
    uint8_t *buf = malloc(256 * 1024);
    assert_non_null(buf);
    uint32_t x = 12345;
    for (unsigned k = 0; k < n; k++) {
        x = x * 1103515245u + 12345u;
        size_t len = 512u * (1u + (x >> 8) % (k % 7 == 0 ? 256u : 8u));
        uint64_t off = 512u * (uint64_t)((x >> 3) % ((size - len) / 512u + 1u));
        assert_int_equal(host_cache_read(c, off, buf, len), 0);
        assert_memory_equal(buf, bytes + off, len);
    }
    free(buf);
}

static void test_memory_source_random(void **state)
{
    (void)state;
    const uint64_t size = 8u << 20;
    uint8_t *bytes = random_bytes(size, 1);
    mem_source *m = mem_new(bytes, size, 32768);
    host_cache *c = host_cache_new(&m->base, 4u << 20); /* smaller than the source: evicts */
    assert_non_null(c);
    check_random_reads(c, bytes, size, 5000);
    ntx_host_stats st;
    memset(&st, 0, sizeof st);
    host_cache_add_stats(c, &st);
    assert_true(st.reads == 5000);
    assert_true(st.direct_reads > 0 && st.hits > 0 && st.misses > 0);
    assert_true(st.pages_held <= 1024u); /* the cap: 4 MiB of 4 KiB pages */
    host_cache_free(c);
    m->base.ops->close(&m->base);
    free(bytes);
}

/* A file holding bytes[0, n), already unlinked: its descriptor. */
static int temp_file(const uint8_t *bytes, size_t n)
{
    char path[] = "/tmp/ntx-host-cache-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, bytes, n), (ssize_t)n);
    unlink(path);
    return fd;
}

/* A file source, mapped or not, against its bytes: random reads, the short
 * last page, reads past the end refused. Mapped, small reads are copied out
 * of the mapping (no page of ours filled) and large ones still read. */
static void check_file_source(bool map, unsigned seed)
{
    const uint64_t size = (6u << 20) + 1536; /* the last page is short */
    uint8_t *bytes = random_bytes(size, seed);
    int fd = temp_file(bytes, size);
    ntx_host_error err;
    host_source *src = host_file_source(fd, size, map ? 32u << 20 : 0, &err);
    assert_non_null(src);
    assert_true((src->map != NULL) == map);
    host_cache *c = host_cache_new(src, 32u << 20);
    assert_non_null(c);
    check_random_reads(c, bytes, size, 5000);
    uint8_t buf[4096];
    assert_int_equal(host_cache_read(c, size - 512, buf, 512), 0);
    assert_memory_equal(buf, bytes + size - 512, 512);
    assert_int_equal(host_cache_read(c, size - 512, buf, 1024), -EIO);
    assert_int_equal(host_cache_read(c, size, buf, 512), -EIO);
    ntx_host_stats st;
    memset(&st, 0, sizeof st);
    host_cache_add_stats(c, &st);
    assert_true(st.direct_reads > 0);
    if (map) {
        assert_true(st.misses == 0 && st.pages_held == 0);
        assert_true(st.mapped_reads + st.direct_reads == st.reads - 2); /* two past the end */
    } else {
        assert_true(st.mapped_reads == 0 && st.misses > 0);
    }
    host_cache_free(c);
    src->ops->close(src);
    free(bytes);
}

static void test_file_source_random(void **state)
{
    (void)state;
    check_file_source(false, 2);
}

/* Pages of this process resident now (/proc/self/statm). */
static uint64_t resident_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    assert_non_null(f);
    unsigned long long size, resident;
    assert_int_equal(fscanf(f, "%llu %llu", &size, &resident), 2);
    fclose(f);
    return resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* A walk through a mapped file: with a budget of 1 MiB the pages touched
 * are dropped as it goes, and the resident size grows by about that much,
 * not by the 16 MiB walked (as it does with no budget to speak of). */
static void test_mapped_walk_stays_small(void **state)
{
    (void)state;
    const uint64_t size = 16u << 20;
    uint8_t *bytes = random_bytes(size, 6);
    uint8_t rec[4096];
    for (int bounded = 1; bounded >= 0; bounded--) {
        int fd = temp_file(bytes, size);
        host_map *m = host_map_file(fd, size, bounded ? 1u << 20 : SIZE_MAX);
        assert_non_null(m);
        uint64_t before = resident_bytes();
        for (uint64_t off = 0; off < size; off += sizeof rec) {
            assert_int_equal(host_map_read(m, off, rec, sizeof rec), 0);
            assert_memory_equal(rec, bytes + off, sizeof rec);
        }
        uint64_t grown = resident_bytes() - before;
        if (bounded)
            assert_true(grown <= (3u << 20));
        else
            assert_true(grown >= (12u << 20));
        host_map_free(m);
        close(fd);
    }
    free(bytes);
}

/* A mapped file truncated by someone else: the pages past its new end
 * raise SIGBUS when touched; the read fails with -EIO and says why, the
 * process lives on, and the pages still there read as before. */
static void test_mapped_file_truncated(void **state)
{
    (void)state;
    const uint64_t size = 1u << 20;
    uint8_t *bytes = random_bytes(size, 5);
    int fd = temp_file(bytes, size);
    ntx_host_error err;
    host_source *src = host_file_source(fd, size, 32u << 20, &err);
    assert_non_null(src);
    assert_non_null(src->map);
    host_cache *c = host_cache_new(src, 1u << 20);
    assert_non_null(c);
    uint8_t buf[4096];
    assert_int_equal(host_cache_read(c, 512u << 10, buf, sizeof buf), 0);
    assert_int_equal(ftruncate(fd, 64u << 10), 0); /* the source's descriptor is writable here */
    for (int k = 0; k < 3; k++) { /* again and again: the guard is still in place */
        assert_int_equal(host_cache_read(c, 512u << 10, buf, sizeof buf), -EIO);
        assert_non_null(strstr(src->why, "could not be read"));
        assert_int_equal(host_cache_read(c, 4096, buf, sizeof buf), 0);
        assert_memory_equal(buf, bytes + 4096, sizeof buf);
    }
    host_cache_free(c);
    src->ops->close(src);
    free(bytes);
}

/* map_raw: the same checks through the mapping; and a file shorter than
 * the size given is not mapped, so a read past its end is an error. */
static void test_mapped_file_source(void **state)
{
    (void)state;
    check_file_source(true, 3);
    uint8_t *bytes = random_bytes(8192, 4);
    uint8_t buf[4096];
    ntx_host_error err;
    host_source *src = host_file_source(temp_file(bytes, 8192), 16384, 32u << 20, &err);
    assert_non_null(src);
    assert_null(src->map);
    host_cache *c = host_cache_new(src, 1u << 20);
    assert_non_null(c);
    assert_int_equal(host_cache_read(c, 0, buf, 4096), 0);
    assert_memory_equal(buf, bytes, 4096);
    assert_true(host_cache_read(c, 8192, buf, 4096) < 0); /* an error, not a signal */
    host_cache_free(c);
    src->ops->close(src);
    free(bytes);
}

/* A walk over consecutive 1 KiB records: the fetches grow, so a few dozen
 * source reads serve thousands of records. */
static void test_sequential_read_ahead(void **state)
{
    (void)state;
    const uint64_t size = 16u << 20;
    uint8_t *bytes = random_bytes(size, 3);
    mem_source *m = mem_new(bytes, size, 4096);
    host_cache *c = host_cache_new(&m->base, 32u << 20);
    uint8_t rec[1024];
    for (uint64_t off = 0; off < size; off += sizeof rec) {
        assert_int_equal(host_cache_read(c, off, rec, sizeof rec), 0);
        assert_memory_equal(rec, bytes + off, sizeof rec);
    }
    /* 16 MiB in fetches doubling from 4 KiB to 1 MiB: 8 to reach 1 MiB, then 15 */
    assert_true(m->reads <= 30);
    host_cache_free(c);
    m->base.ops->close(&m->base);
    free(bytes);
}

/* Records at random over a large region: one page per miss, no window. */
static void test_scattered_reads_fetch_pages(void **state)
{
    (void)state;
    const uint64_t size = 64u << 20;
    uint8_t *bytes = random_bytes(size, 4);
    mem_source *m = mem_new(bytes, size, 4096);
    host_cache *c = host_cache_new(&m->base, 32u << 20);
    uint8_t rec[1024];
    uint32_t x = 99;
    for (unsigned k = 0; k < 200; k++) { /* one record in each of 200 far-apart regions */
        x = x * 1103515245u + 12345u;
        uint64_t off = ((uint64_t)k * (256u << 10)) + 1024u * ((x >> 4) % 256u);
        assert_int_equal(host_cache_read(c, off, rec, sizeof rec), 0);
        assert_memory_equal(rec, bytes + off, sizeof rec);
    }
    ntx_host_stats st;
    memset(&st, 0, sizeof st);
    host_cache_add_stats(c, &st);
    assert_true(st.fills == 200);
    assert_true(st.fill_bytes == 200u * 4096u); /* a page each, nothing around it */
    host_cache_free(c);
    m->base.ops->close(&m->base);
    free(bytes);
}

/* The source's unit is the least a miss fetches: a compressed chunk. */
static void test_natural_unit(void **state)
{
    (void)state;
    const uint64_t size = 4u << 20;
    uint8_t *bytes = random_bytes(size, 5);
    mem_source *m = mem_new(bytes, size, 32768);
    host_cache *c = host_cache_new(&m->base, 8u << 20);
    uint8_t rec[512];
    assert_int_equal(host_cache_read(c, 40960 + 512, rec, sizeof rec), 0);
    assert_memory_equal(rec, bytes + 40960 + 512, sizeof rec);
    ntx_host_stats st;
    memset(&st, 0, sizeof st);
    host_cache_add_stats(c, &st);
    assert_true(st.fill_bytes == 32768); /* the chunk [32768, 65536) */
    assert_int_equal(host_cache_read(c, 32768, rec, sizeof rec), 0); /* in it: no read */
    assert_int_equal(m->reads, 1);
    host_cache_free(c);
    m->base.ops->close(&m->base);
    free(bytes);
}

/* A read-ahead running into a bad area must not fail a good read. */
static void test_read_ahead_into_failure(void **state)
{
    (void)state;
    const uint64_t size = 8u << 20;
    uint8_t *bytes = random_bytes(size, 6);
    mem_source *m = mem_new(bytes, size, 4096);
    m->fail_from = 1u << 20;
    host_cache *c = host_cache_new(&m->base, 32u << 20);
    uint8_t rec[1024];
    uint64_t off;
    for (off = 0; off < (1u << 20); off += sizeof rec) {
        assert_int_equal(host_cache_read(c, off, rec, sizeof rec), 0);
        assert_memory_equal(rec, bytes + off, sizeof rec);
    }
    assert_int_equal(host_cache_read(c, off, rec, sizeof rec), -EIO);
    host_cache_free(c);
    m->base.ops->close(&m->base);
    free(bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory_source_random),
        cmocka_unit_test(test_file_source_random),
        cmocka_unit_test(test_mapped_file_source),
        cmocka_unit_test(test_mapped_file_truncated),
        cmocka_unit_test(test_mapped_walk_stays_small),
        cmocka_unit_test(test_sequential_read_ahead),
        cmocka_unit_test(test_scattered_reads_fetch_pages),
        cmocka_unit_test(test_natural_unit),
        cmocka_unit_test(test_read_ahead_into_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
