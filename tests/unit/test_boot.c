/*
 * test_boot.c - the NTFS boot sector (src/boot.c, ntx_boot_parse).
 *
 * Oracles:
 *  1. Hand-built boot sectors; every expected geometry is computed next to the
 *     input from the encodings of boot.c's header comment and ntfs-3g layout.h
 *     NTFS_BOOT_SECTOR: sectors per cluster (0x0D) 1..128, or x > 0x80 meaning
 *     2^(256 - x) sectors; clusters per MFT record / index block (0x40 / 0x44)
 *     positive = clusters, negative v (as s8) = 2^-v bytes (0xF6 = -10 -> 1024).
 *  2. The boot sectors of the fixture images, compared with what ntfs-3g's own
 *     tools print for the unpacked images (values pasted below with the command).
 *  3. R01-R04 (docs/robustness.md): each class gets NTX_E_NOT_NTFS and the ntx_check
 *     naming the field.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "parse/boot.h"
#include "image.h"
#include "put.h"

/* Boot sector fields this file varies. */
struct bpb {
    uint16_t bps;       /* 0x0B bytes per sector */
    uint8_t spc;        /* 0x0D sectors per cluster */
    uint64_t total;     /* 0x28 total sectors */
    uint64_t mft;       /* 0x30 $MFT LCN */
    uint64_t mirr;      /* 0x38 $MFTMirr LCN */
    uint8_t cpr;        /* 0x40 clusters per MFT record */
    uint8_t cpi;        /* 0x44 clusters per index block */
    uint64_t serial;    /* 0x48 */
};

/* A 4 KiB buffer holding a boot sector (4 KiB so that 4096-byte sectors fit). */
static void make_boot(uint8_t *s, const struct bpb *b)
{
    memset(s, 0, 4096);
    s[0] = 0xEB;
    s[1] = 0x52;
    s[2] = 0x90;
    memcpy(s + 3, "NTFS    ", 8);
    put16(s + 0x0B, b->bps);
    s[0x0D] = b->spc;
    s[0x15] = 0xF8; /* media descriptor, as mkntfs writes it */
    put64(s + 0x28, b->total);
    put64(s + 0x30, b->mft);
    put64(s + 0x38, b->mirr);
    s[0x40] = b->cpr;
    s[0x44] = b->cpi;
    put64(s + 0x48, b->serial);
    s[0x1FE] = 0x55;
    s[0x1FF] = 0xAA;
}

/* The ntfs-4k fixture's fields (see test_fixtures_match_ntfsinfo): 512-byte
 * sectors, 8 per cluster = 4096-byte clusters, 0x2FFFF = 196607 sectors,
 * $MFT at LCN 4, $MFTMirr at LCN 12287, records 0xF6 = -10 -> 2^10 = 1024 bytes,
 * index blocks 1 cluster = 4096 bytes. */
static struct bpb base(void)
{
    struct bpb b = { 512, 8, 196607, 4, 12287, 0xF6, 0x01, 0x28BCFA63789DB5E2ull };
    return b;
}

static ntx_err parse(const struct bpb *b, uint64_t dev_size, ntx_geometry *geo, ntx_check *chk)
{
    static uint8_t s[4096];
    make_boot(s, b);
    memset(geo, 0xA5, sizeof *geo);
    *chk = (ntx_check)0x7777;
    return ntx_boot_parse(s, sizeof s, dev_size, geo, chk);
}

/* Expect rejection with this check, and geo left as it was (0xA5 bytes). */
static void expect_reject(const struct bpb *b, uint64_t dev_size, ntx_check want)
{
    ntx_geometry geo, pattern;
    ntx_check chk;
    memset(&pattern, 0xA5, sizeof pattern);
    ntx_err rc = parse(b, dev_size, &geo, &chk);
    if (rc != NTX_E_NOT_NTFS || chk != want)
        fprintf(stderr, "bps %u spc 0x%02x cpr 0x%02x cpi 0x%02x total %llu mft %llu mirr %llu "
                        "dev %llu: rc %d check %d, want check %d\n",
                b->bps, b->spc, b->cpr, b->cpi, (unsigned long long)b->total,
                (unsigned long long)b->mft, (unsigned long long)b->mirr,
                (unsigned long long)dev_size, rc, chk, want);
    assert_int_equal(rc, NTX_E_NOT_NTFS);
    assert_int_equal(chk, want);
    assert_memory_equal(&geo, &pattern, sizeof geo);
}

/* Expect success with these sizes. */
static void expect_geo(const struct bpb *b, uint32_t sector, uint32_t cluster, uint32_t record,
                       uint32_t index)
{
    ntx_geometry geo;
    ntx_check chk;
    ntx_err rc = parse(b, 0, &geo, &chk);
    if (rc != NTX_OK)
        fprintf(stderr, "bps %u spc 0x%02x cpr 0x%02x cpi 0x%02x: rc %d check %d\n", b->bps,
                b->spc, b->cpr, b->cpi, rc, chk);
    assert_int_equal(rc, NTX_OK);
    assert_int_equal(chk, NTX_CHK_NONE);
    assert_int_equal(geo.sector_size, sector);
    assert_int_equal(geo.cluster_size, cluster);
    assert_int_equal(geo.record_size, record);
    assert_int_equal(geo.index_block_size, index);
}

/* ---------------------------------------------------------------------------------------
 * Valid encodings
 */

static void test_valid_4k_cluster(void **state)
{
    (void)state;
    struct bpb b = base();
    ntx_geometry geo;
    ntx_check chk;

    assert_int_equal(parse(&b, 100663296, &geo, &chk), NTX_OK);
    assert_int_equal(chk, NTX_CHK_NONE);
    assert_int_equal(geo.sector_size, 512);
    assert_int_equal(geo.cluster_size, 4096);          /* 512 * 8 */
    assert_int_equal(geo.record_size, 1024);           /* 0xF6 = -10 -> 2^10 */
    assert_int_equal(geo.index_block_size, 4096);      /* 1 cluster */
    assert_int_equal(geo.total_sectors, 196607);
    assert_int_equal(geo.cluster_count, 24575);        /* 196607 >> 3, the partial cluster dropped */
    assert_int_equal(geo.mft_lcn, 4);
    assert_int_equal(geo.mftmirr_lcn, 12287);
    assert_true(geo.serial == 0x28BCFA63789DB5E2ull);
    assert_false(geo.from_backup);
    /* block_size is the caller's (ntx_volume_probe sets it): untouched. */
    assert_int_equal(geo.block_size, 0xA5A5A5A5u);
}

static void test_valid_4096_sectors(void **state)
{
    (void)state;
    /* 4Kn: 4096-byte sectors, 1 sector per cluster, records 1 cluster = 4096,
     * index blocks 1 cluster = 4096. 12287 sectors -> 12287 clusters. */
    struct bpb b = { 4096, 1, 12287, 4, 6143, 0x01, 0x01, 0x217D037B6270B4D4ull };
    ntx_geometry geo;
    ntx_check chk;
    assert_int_equal(parse(&b, 50331648, &geo, &chk), NTX_OK);
    assert_int_equal(geo.sector_size, 4096);
    assert_int_equal(geo.cluster_size, 4096);
    assert_int_equal(geo.record_size, 4096);
    assert_int_equal(geo.index_block_size, 4096);
    assert_int_equal(geo.cluster_count, 12287);

    /* 0xF4 = -12 -> 2^12 = 4096-byte records, the same size written the other way. */
    b.cpr = 0xF4;
    b.cpi = 0xF4;
    expect_geo(&b, 4096, 4096, 4096, 4096);
}

static void test_sector_sizes(void **state)
{
    (void)state;
    /* R01 accepts the powers of two 256..4096. cpr/cpi are negative (byte counts)
     * so they do not depend on the cluster: 0xF4 = 4096. */
    for (unsigned s = 8; s <= 12; s++) {
        struct bpb b = base();
        b.bps = (uint16_t)(1u << s);
        b.spc = 1;
        b.cpr = 0xF4;
        b.cpi = 0xF4;
        expect_geo(&b, 1u << s, 1u << s, 4096, 4096);
    }
}

static void test_sectors_per_cluster_positive(void **state)
{
    (void)state;
    /* spc = 2^k for k = 0..7: cluster = 512 << k. 2^20 sectors keep every
     * cluster count (2^20 >> k >= 8192) above the $MFTMirr LCN 8. */
    for (unsigned k = 0; k <= 7; k++) {
        struct bpb b = { 512, (uint8_t)(1u << k), 1u << 20, 4, 8, 0xF6, 0xF4, 0 };
        expect_geo(&b, 512, 512u << k, 1024, 4096);
        ntx_geometry geo;
        ntx_check chk;
        assert_int_equal(parse(&b, 0, &geo, &chk), NTX_OK);
        assert_int_equal(geo.cluster_count, (1u << 20) >> k);
    }
}

static void test_sectors_per_cluster_negative(void **state)
{
    (void)state;
    /* x > 0x80: 2^(256 - x) sectors (boot.c; Windows 10 1709 formats 128 KiB..2 MiB
     * clusters this way). With 512-byte sectors:
     *   0xF4 -> 2^12 sectors * 512 = 2^21 = 2 MiB (the largest accepted)
     *   0xF5 -> 2^11 * 512 = 1 MiB, ..., 0xFF -> 2^1 * 512 = 1024 */
    for (unsigned x = 0xF4; x <= 0xFF; x++) {
        unsigned shift = 256u - x;
        struct bpb b = { 512, (uint8_t)x, 1u << 20, 4, 8, 0xF6, 0xF4, 0 };
        expect_geo(&b, 512, 512u << shift, 1024, 4096);
        ntx_geometry geo;
        ntx_check chk;
        assert_int_equal(parse(&b, 0, &geo, &chk), NTX_OK);
        assert_int_equal(geo.cluster_count, (1u << 20) >> shift);
    }

    /* 4096-byte sectors: 0xF7 -> 2^9 * 4096 = 2^21 = 2 MiB still fits;
     * 0xF6 -> 2^10 * 4096 = 4 MiB does not. */
    struct bpb b = { 4096, 0xF7, 1u << 20, 4, 8, 0xF4, 0xF4, 0 }; /* records 0xF4 = 4096 */
    expect_geo(&b, 4096, 2u << 20, 4096, 4096);
    b.spc = 0xF6;
    expect_reject(&b, 0, NTX_CHK_BOOT_CLUSTER_SIZE);

    /* 0x80 is +128 (not a negative encoding): 128 * 4096 = 512 KiB. */
    b.spc = 0x80;
    expect_geo(&b, 4096, 512u * 1024u, 4096, 4096);

    /* 256-byte sectors reach 2 MiB with 0xF3: 2^13 * 256 = 2^21. boot.c bounds the
     * cluster, not the byte, so this is accepted (as ntfs-3g's 240..253 range does). */
    struct bpb s = { 256, 0xF3, 1u << 20, 4, 8, 0xF6, 0xF4, 0 };
    expect_geo(&s, 256, 2u << 20, 1024, 4096);
}

static void test_record_size_encodings(void **state)
{
    (void)state;
    /* 4096-byte clusters (512 * 8). Positive: clusters. Negative: 2^-v bytes. */
    static const struct {
        uint8_t raw;
        uint32_t bytes;
    } ok[] = {
        { 0x01, 4096 },   /* 1 cluster */
        { 0x02, 8192 },   /* 2 clusters (over the compiled limit, refused later by probe) */
        { 0x10, 65536 },  /* 16 clusters = 2^16, the largest accepted */
        { 0xF7, 512 },    /* -9 -> 2^9, the smallest accepted, == sector size */
        { 0xF6, 1024 },   /* -10 */
        { 0xF5, 2048 },   /* -11 */
        { 0xF4, 4096 },   /* -12 */
        { 0xF0, 65536 },  /* -16 */
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        struct bpb b = base();
        b.cpr = ok[i].raw;
        expect_geo(&b, 512, 4096, ok[i].bytes, 4096);
        b = base();
        b.cpi = ok[i].raw;
        expect_geo(&b, 512, 4096, 1024, ok[i].bytes);
    }

    /* R03 and neighbours: 0x00 (zero), 0x80 (-128: 1 << 128), 0xE0 (-32: 4 GiB),
     * 0x7F (127 clusters: not a power of two), 0x03, 0x20 (32 clusters = 2^17),
     * 0xEF (-17: 2^17), 0xF8 (-8: 256 bytes, below 2^9). */
    static const uint8_t bad[] = { 0x00, 0x80, 0xE0, 0x7F, 0x03, 0x20, 0xEF, 0xF8, 0xFF };
    for (size_t i = 0; i < sizeof bad; i++) {
        struct bpb b = base();
        b.cpr = bad[i];
        expect_reject(&b, 0, NTX_CHK_BOOT_RECORD_SIZE);
        b = base();
        b.cpi = bad[i];
        expect_reject(&b, 0, NTX_CHK_BOOT_INDEX_SIZE);
    }

    /* The record is checked before the index block. */
    struct bpb b = base();
    b.cpr = 0;
    b.cpi = 0;
    expect_reject(&b, 0, NTX_CHK_BOOT_RECORD_SIZE);

    /* 64 KiB clusters (512 * 128): 1 cluster = 2^16 is accepted, 2 = 2^17 is not. */
    b = base();
    b.spc = 0x80;
    b.total = 1u << 20;
    b.mirr = 8;
    b.cpr = 1;
    expect_geo(&b, 512, 65536, 65536, 65536); /* cpi 1: one 64 KiB cluster too */
    b.cpr = 2;
    expect_reject(&b, 0, NTX_CHK_BOOT_RECORD_SIZE);
}

static void test_record_smaller_than_sector(void **state)
{
    (void)state;
    /* 4096-byte sectors with 1 KiB records (0xF6): a record could not hold
     * the sector's update sequence; rejected. The index block has no such rule. */
    struct bpb b = { 4096, 1, 12287, 4, 6143, 0xF6, 0x01, 0 };
    expect_reject(&b, 0, NTX_CHK_BOOT_RECORD_SIZE);
    b.cpr = 0x01;
    b.cpi = 0xF6;
    expect_geo(&b, 4096, 4096, 4096, 1024);
}

/* ---------------------------------------------------------------------------------------
 * Hostile fields
 */

static void test_bad_signature(void **state)
{
    (void)state;
    static uint8_t s[4096];
    struct bpb b = base();
    ntx_geometry geo;
    ntx_check chk;

    make_boot(s, &b);
    assert_int_equal(ntx_boot_parse(s, 512, 0, &geo, &chk), NTX_OK);
    /* Fewer than 512 bytes: never reads 0x1FE. */
    assert_int_equal(ntx_boot_parse(s, 511, 0, &geo, &chk), NTX_E_NOT_NTFS);
    assert_int_equal(chk, NTX_CHK_BOOT_SIGNATURE);

    static const size_t at[] = { 3, 4, 5, 6, 7, 8, 9, 10, 0x1FE, 0x1FF };
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        make_boot(s, &b);
        s[at[i]] ^= 0x01;
        chk = NTX_CHK_NONE;
        assert_int_equal(ntx_boot_parse(s, 512, 0, &geo, &chk), NTX_E_NOT_NTFS);
        assert_int_equal(chk, NTX_CHK_BOOT_SIGNATURE);
    }
    /* A FAT boot sector's OEM id. */
    make_boot(s, &b);
    memcpy(s + 3, "MSWIN4.1", 8);
    assert_int_equal(ntx_boot_parse(s, 512, 0, &geo, &chk), NTX_E_NOT_NTFS);
    assert_int_equal(chk, NTX_CHK_BOOT_SIGNATURE);
    /* The jump instruction is not part of the signature (ntfs-3g does not check it either). */
    make_boot(s, &b);
    s[0] = s[1] = s[2] = 0;
    assert_int_equal(ntx_boot_parse(s, 512, 0, &geo, &chk), NTX_OK);
}

static void test_r01_bytes_per_sector(void **state)
{
    (void)state;
    /* R01: 0, 1, 257, 8192, plus 128 (a power of two below 256), 511, 0xFFFF. */
    static const uint16_t bad[] = { 0, 1, 128, 257, 511, 513, 8192, 0x8000, 0xFFFF };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct bpb b = base();
        b.bps = bad[i];
        expect_reject(&b, 0, NTX_CHK_BOOT_SECTOR_SIZE);
    }
}

static void test_r02_sectors_per_cluster(void **state)
{
    (void)state;
    /* R02: 0, 3, 0x81 (2^175), 0xC0 (2^64); with 512-byte sectors also 0xF3
     * (2^13 * 512 = 4 MiB > 2 MiB) and the non-powers 6, 0x7F. */
    static const uint8_t bad[] = { 0x00, 0x03, 0x06, 0x7F, 0x81, 0xC0, 0xF0, 0xF3 };
    for (size_t i = 0; i < sizeof bad; i++) {
        struct bpb b = base();
        b.spc = bad[i];
        expect_reject(&b, 0, NTX_CHK_BOOT_CLUSTER_SIZE);
    }
}

static void test_r04_total_sectors(void **state)
{
    (void)state;
    struct bpb b = base();
    uint64_t bytes = 196607ull * 512; /* 100662784 */

    b.total = 0;
    expect_reject(&b, 0, NTX_CHK_BOOT_TOTAL_SECTORS);

    /* The volume must fit the device: exactly fitting is fine, one byte short is not. */
    b = base();
    ntx_geometry geo;
    ntx_check chk;
    assert_int_equal(parse(&b, bytes, &geo, &chk), NTX_OK);
    assert_int_equal(parse(&b, bytes + 512, &geo, &chk), NTX_OK); /* room for the backup */
    expect_reject(&b, bytes - 1, NTX_CHK_BOOT_TOTAL_SECTORS);
    expect_reject(&b, 4096, NTX_CHK_BOOT_TOTAL_SECTORS);

    /* total * 512 overflows 64 bits from 2^55 sectors (2^55 * 2^9 = 2^64): checked
     * even when the device size is unknown (0). 2^54 sectors = 2^63 bytes fit. */
    b.total = 1ull << 55;
    expect_reject(&b, 0, NTX_CHK_BOOT_TOTAL_SECTORS);
    b.total = UINT64_MAX;
    expect_reject(&b, 0, NTX_CHK_BOOT_TOTAL_SECTORS);
    b.total = 1ull << 54;
    assert_int_equal(parse(&b, 0, &geo, &chk), NTX_OK);
    assert_true(geo.cluster_count == 1ull << 51);  /* 2^54 >> 3 */
    /* ...but a real device size still bounds it. */
    expect_reject(&b, bytes, NTX_CHK_BOOT_TOTAL_SECTORS);
}

static void test_r04_mft_lcn(void **state)
{
    (void)state;
    /* 196607 sectors >> 3 = 24575 clusters: valid LCNs are 1..24574. */
    struct bpb b = base();
    ntx_geometry geo;
    ntx_check chk;

    b.mft = 0; /* the boot sector itself */
    expect_reject(&b, 0, NTX_CHK_BOOT_MFT_LCN);
    b = base();
    b.mirr = 0;
    expect_reject(&b, 0, NTX_CHK_BOOT_MFT_LCN);

    b = base();
    b.mft = 24575;
    expect_reject(&b, 0, NTX_CHK_BOOT_MFT_LCN);
    b.mft = 24574;
    assert_int_equal(parse(&b, 0, &geo, &chk), NTX_OK);
    assert_int_equal(geo.mft_lcn, 24574);

    b = base();
    b.mirr = 24575;
    expect_reject(&b, 0, NTX_CHK_BOOT_MFT_LCN);

    /* R04 recipe: eight 0xFF at 0x30 -> LCN 2^64 - 1 (or -1 as s64). */
    b = base();
    b.mft = UINT64_MAX;
    expect_reject(&b, 0, NTX_CHK_BOOT_MFT_LCN);
    b = base();
    b.mirr = UINT64_MAX;
    expect_reject(&b, 0, NTX_CHK_BOOT_MFT_LCN);
    /* An LCN whose byte offset would overflow: 2^61 * 4096 = 2^73. */
    b = base();
    b.mft = 1ull << 61;
    expect_reject(&b, 0, NTX_CHK_BOOT_MFT_LCN);
}

/*
 * Regression (found by this test, fixed in src/boot.c ntx_boot_parse):
 * R04 (docs/robustness.md) counts "mft == mirr" among its triggers, to be
 * refused as not NTFS, and ntfs-3g's boot sector check refuses it (it wants
 * mft_lcn > 0, mirr > 0, mft != mirr). ntx_boot_parse accepted $MFT and
 * $MFTMirr at the same LCN, so the "mirror" fallback for records 0-3 would
 * re-read the very copy that just failed. Input: the base sector with
 * 0x30 = 0x38 = LCN 4.
 */
static void test_r04_mft_equals_mirror(void **state)
{
    (void)state;
    struct bpb b = base();
    b.mirr = b.mft;
    expect_reject(&b, 0, NTX_CHK_BOOT_MFT_LCN);
}

static void test_check_order(void **state)
{
    (void)state;
    /* With several bad fields, the first check in sector order wins, so the
     * reported field is deterministic. */
    struct bpb b = base();
    b.bps = 3;
    b.spc = 3;
    b.cpr = 0;
    b.total = 0;
    b.mft = 0;
    expect_reject(&b, 0, NTX_CHK_BOOT_SECTOR_SIZE);
    b.bps = 512;
    expect_reject(&b, 0, NTX_CHK_BOOT_CLUSTER_SIZE);
    b.spc = 8;
    expect_reject(&b, 0, NTX_CHK_BOOT_RECORD_SIZE);
    b.cpr = 0xF6;
    expect_reject(&b, 0, NTX_CHK_BOOT_TOTAL_SECTORS);
    b.total = 196607;
    expect_reject(&b, 0, NTX_CHK_BOOT_MFT_LCN);
}

/* ---------------------------------------------------------------------------------------
 * Fixture boot sectors against ntfs-3g's tools
 */

static void test_fixtures_match_ntfsinfo(void **state)
{
    (void)state;
    /*
     * Values from, for each image unpacked with zcat:
     *   ntfsinfo -m IMG     (Sector Size, Cluster Size, MFT Record Size, Index Block Size,
     *                        Volume Size in Clusters, LCN of Data Attribute for FILE_MFT
     *                        and for File_MFTMirr)
     *   file IMG            ("sectors N": the total sectors field)
     * (ntfs-3g 2022.10.3, file 5.x.) The serial number is not compared: mkntfs draws a new
     * one each time fixtures/make-fixtures.sh rebuilds the images.
     */
    static const struct {
        const char *name;
        uint32_t sector, cluster, record, index;
        uint64_t total, clusters, mft, mirr, size;
    } fx[] = {
        { "ntfs-512", 512, 512, 1024, 4096, 98303, 98303, 32, 49151,
          50331648 },
        { "ntfs-4k", 512, 4096, 1024, 4096, 196607, 24575, 4, 12287,
          100663296 },
        { "ntfs-4kn", 4096, 4096, 4096, 4096, 12287, 12287, 4, 6143,
          50331648 },
        { "ntfs-64k", 512, 65536, 1024, 4096, 131071, 1023, 2, 511,
          67108864 },
    };
    for (size_t i = 0; i < sizeof fx / sizeof fx[0]; i++) {
        char path[512];
        struct ntx_test_image img;
        snprintf(path, sizeof path, "%s/%s.img.gz", NTX_FIXTURES_DIR, fx[i].name);
        assert_int_equal(ntx_test_image_load(path, &img), 0);
        assert_true(img.size == fx[i].size);

        ntx_geometry geo;
        ntx_check chk;
        memset(&geo, 0, sizeof geo);
        assert_int_equal(ntx_boot_parse(img.data, fx[i].sector, img.size, &geo, &chk), NTX_OK);
        assert_int_equal(chk, NTX_CHK_NONE);
        assert_int_equal(geo.sector_size, fx[i].sector);
        assert_int_equal(geo.cluster_size, fx[i].cluster);
        assert_int_equal(geo.record_size, fx[i].record);
        assert_int_equal(geo.index_block_size, fx[i].index);
        assert_true(geo.total_sectors == fx[i].total);
        assert_true(geo.cluster_count == fx[i].clusters);
        assert_true(geo.mft_lcn == fx[i].mft);
        assert_true(geo.mftmirr_lcn == fx[i].mirr);

        /* The backup boot sector, in the sector after the last one counted, agrees. */
        size_t backup = (size_t)(fx[i].total * fx[i].sector);
        ntx_geometry geo2;
        memset(&geo2, 0, sizeof geo2);
        assert_int_equal(ntx_boot_parse(img.data + backup, fx[i].sector, img.size, &geo2, &chk),
                         NTX_OK);
        assert_memory_equal(&geo, &geo2, sizeof geo);
        ntx_test_image_free(&img);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_4k_cluster),
        cmocka_unit_test(test_valid_4096_sectors),
        cmocka_unit_test(test_sector_sizes),
        cmocka_unit_test(test_sectors_per_cluster_positive),
        cmocka_unit_test(test_sectors_per_cluster_negative),
        cmocka_unit_test(test_record_size_encodings),
        cmocka_unit_test(test_record_smaller_than_sector),
        cmocka_unit_test(test_bad_signature),
        cmocka_unit_test(test_r01_bytes_per_sector),
        cmocka_unit_test(test_r02_sectors_per_cluster),
        cmocka_unit_test(test_r04_total_sectors),
        cmocka_unit_test(test_r04_mft_lcn),
        cmocka_unit_test(test_r04_mft_equals_mirror),
        cmocka_unit_test(test_check_order),
        cmocka_unit_test(test_fixtures_match_ntfsinfo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
