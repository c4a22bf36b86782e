/*
 * test_record.c - MFT records (src/record.c: ntx_record_check and the walk helpers
 * ntx_rec_next_attr, ntx_rec_find_attr, ntx_rec_attr_at, ntx_rec_find_instance).
 *
 * Oracles:
 *  1. A FILE record built here field by field from ntfs-3g layout.h MFT_RECORD
 *     (restated in record.c): "FILE", usa_ofs 0x04, usa_count 0x06, sequence 0x10, link
 *     count 0x12, attrs_offset 0x14, flags 0x16, bytes_in_use 0x18, bytes_allocated 0x1C,
 *     base reference 0x20, next instance 0x28; attributes sorted by type, then
 *     0xFFFFFFFF. The update sequence array is written the way ntfs-3g's
 *     ntfs_mst_pre_write_fixup does (save each 512-byte stride's last word, store the USN).
 *     The offsets of every attribute are computed next to it.
 *  2. The root directory (MFT record 5) of the ntfs-512 and ntfs-4kn fixtures, read
 *     at $MFT LCN * cluster + 5 * record size, against ntfsinfo -v -i 5 (ntfs-3g 2022.10.3).
 *  3. R05-R11 (docs/robustness.md) with the exact ntx_err and vol->diag (check, record, offset).
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

#include "parse/attr.h"
#include "parse/boot.h"
#include "image.h"
#include "mft/mft.h"
#include "ntx/file.h"
#include "ntx/forensic.h"
#include "put.h"

#define MFT_NO 38u

static ntx_volume vol;

static void vol_reset(uint32_t record_size, unsigned cluster_shift)
{
    memset(&vol, 0, sizeof vol);
    vol.geo.record_size = record_size;
    vol.geo.cluster_size = 1u << cluster_shift;
    vol.cluster_shift = (uint8_t)cluster_shift;
    vol.record_shift = record_size == 4096 ? 12 : 10;
}

/*
 * The record (1 KiB, or 4 KiB with usa_count 9):
 *   0x000 header, USA at 0x30 (3 words: 0x30..0x35; 9 words: 0x30..0x41)
 *   0x038 / 0x048 $STANDARD_INFORMATION  resident, value 0x48 at +0x18 -> length 0x60, instance 0
 *   +0x60 $FILE_NAME "a.txt"             resident, value 0x42 + 2*5 = 0x4C at +0x18
 *                                        -> 0x18 + 0x4C = 0x64, 8-aligned 0x68, instance 2
 *   +0x68 $DATA ""                       resident "hello" at +0x18 -> 0x1D -> 0x20, instance 3
 *   +0x20 $DATA "ads"                    name 6 bytes at +0x18, value "xyz" at +0x20
 *                                        -> 0x23 -> 0x28, instance 4
 *   +0x28 0xFFFFFFFF and 4 more bytes; bytes in use = END + 8
 * For the 1 KiB record: SI 0x38, FN 0x98, DATA 0x100, DATA:ads 0x120, END 0x148,
 * in use 0x150.
 */
struct layout {
    uint32_t si, fn, data, ads, end, in_use;
};

static struct layout build(uint8_t *plain, uint32_t size)
{
    struct layout L;
    uint16_t count = (uint16_t)(size / 512 + 1);
    uint32_t off = (0x30 + 2u * count + 7u) & ~7u; /* 0x38 for 1 KiB, 0x48 for 4 KiB */

    memset(plain, 0, size);
    memcpy(plain, "FILE", 4);
    put16(plain + 0x04, 0x30);
    put16(plain + 0x06, count);
    put64(plain + 0x08, 0x1122334455ull); /* $LogFile sequence number */
    put16(plain + 0x10, 3);               /* sequence */
    put16(plain + 0x12, 1);               /* link count */
    put16(plain + 0x14, (uint16_t)off);
    put16(plain + 0x16, 0x0001);          /* in use */
    put32(plain + 0x1C, size);
    put64(plain + 0x20, 0);               /* base record */
    put16(plain + 0x28, 5);               /* next instance */
    put32(plain + 0x2C, MFT_NO);

    L.si = off;
    put32(plain + off, NTX_AT_STANDARD_INFORMATION);
    put32(plain + off + 4, 0x60);
    put32(plain + off + 0x10, 0x48);
    put16(plain + off + 0x14, 0x18);
    put32(plain + off + 0x18 + 0x20, 0x20); /* file attributes: archive */
    off += 0x60;

    L.fn = off;
    put32(plain + off, NTX_AT_FILE_NAME);
    put32(plain + off + 4, 0x68);
    put16(plain + off + 0x0E, 2);
    put32(plain + off + 0x10, 0x4C);
    put16(plain + off + 0x14, 0x18);
    plain[off + 0x16] = 0x01;                              /* indexed */
    put64(plain + off + 0x18, 0x0005000000000005ull);      /* parent: root, seq 5 */
    plain[off + 0x18 + 0x40] = 5;                          /* name length */
    plain[off + 0x18 + 0x41] = 1;                          /* Win32 */
    for (int i = 0; i < 5; i++)
        put16(plain + off + 0x18 + 0x42 + 2 * i, (uint16_t)"a.txt"[i]);
    off += 0x68;

    L.data = off;
    put32(plain + off, NTX_AT_DATA);
    put32(plain + off + 4, 0x20);
    put16(plain + off + 0x0A, 0x18);
    put16(plain + off + 0x0E, 3);
    put32(plain + off + 0x10, 5);
    put16(plain + off + 0x14, 0x18);
    memcpy(plain + off + 0x18, "hello", 5);
    off += 0x20;

    L.ads = off;
    put32(plain + off, NTX_AT_DATA);
    put32(plain + off + 4, 0x28);
    plain[off + 0x09] = 3;
    put16(plain + off + 0x0A, 0x18);
    put16(plain + off + 0x0E, 4);
    put32(plain + off + 0x10, 3);
    put16(plain + off + 0x14, 0x20);
    for (int i = 0; i < 3; i++)
        put16(plain + off + 0x18 + 2 * i, (uint16_t)"ads"[i]);
    memcpy(plain + off + 0x20, "xyz", 3);
    off += 0x28;

    L.end = off;
    put32(plain + off, NTX_AT_END);
    L.in_use = off + 8;
    put32(plain + 0x18, L.in_use);
    return L;
}

/* The writer's side of the update sequence ("fix" in the recipes of docs/robustness.md). */
static void protect(uint8_t *plain, uint8_t *disk, uint32_t size, uint16_t usn)
{
    uint16_t usa = (uint16_t)(plain[4] | plain[5] << 8);
    put16(plain + usa, usn);
    for (uint32_t i = 0; i < size / 512; i++) {
        plain[usa + 2 + 2 * i] = plain[(i + 1) * 512 - 2];
        plain[usa + 3 + 2 * i] = plain[(i + 1) * 512 - 1];
    }
    memcpy(disk, plain, size);
    for (uint32_t i = 0; i < size / 512; i++)
        put16(disk + (i + 1) * 512 - 2, usn);
}

static uint8_t plain[4096], disk[4096];

/* protect(plain) and check it; returns the result, the disk copy holds the record. */
static ntx_err check_plain(uint32_t size)
{
    protect(plain, disk, size, 0x0042);
    memset(&vol.diag, 0, sizeof vol.diag);
    return ntx_record_check(&vol, disk, MFT_NO);
}

static void expect_fail(uint32_t size, ntx_err err, ntx_check check, uint64_t offset)
{
    ntx_err rc = check_plain(size);
    if (rc != err || vol.diag.check != check || vol.diag.offset != offset)
        fprintf(stderr, "record check: rc %d check %u offset 0x%llx, want %d check %d offset 0x%llx\n",
                rc, vol.diag.check, (unsigned long long)vol.diag.offset, err, check,
                (unsigned long long)offset);
    assert_int_equal(rc, err);
    assert_int_equal(vol.diag.err, err);
    assert_int_equal(vol.diag.check, check);
    assert_true(vol.diag.mft_no == MFT_NO);
    assert_true(vol.diag.offset == offset);
}

/* ---------------------------------------------------------------------------------------
 * A valid record, and walking it
 */

static void test_valid_record(void **state)
{
    (void)state;
    vol_reset(1024, 12);
    struct layout L = build(plain, 1024);
    assert_int_equal(L.si, 0x38);
    assert_int_equal(L.fn, 0x98);
    assert_int_equal(L.data, 0x100);
    assert_int_equal(L.ads, 0x120);
    assert_int_equal(L.end, 0x148);
    assert_int_equal(L.in_use, 0x150);

    assert_int_equal(check_plain(1024), NTX_OK);
    /* The fixup gave the stride tails back: the record reads as written. */
    assert_memory_equal(disk, plain, 1024);
    assert_int_equal(ntx_rec_sequence(disk), 3);
    assert_int_equal(ntx_rec_link_count(disk), 1);
    assert_int_equal(ntx_rec_flags(disk), REC_FLAG_IN_USE);
    assert_true(ntx_rec_base_ref(disk) == 0);
    assert_int_equal(ntx_rec_in_use(disk), 0x150);
}

static void test_walk(void **state)
{
    (void)state;
    vol_reset(1024, 12);
    struct layout L = build(plain, 1024);
    assert_int_equal(check_plain(1024), NTX_OK);
    const uint8_t *rec = disk;

    /* ntx_rec_next_attr: every attribute in order, then NULL at AT_END. */
    static const uint32_t types[] = { 0x10, 0x30, 0x80, 0x80 };
    const uint32_t offs[] = { L.si, L.fn, L.data, L.ads };
    uint32_t off = 0;
    for (int i = 0; i < 4; i++) {
        const uint8_t *a = ntx_rec_next_attr(rec, &off);
        assert_non_null(a);
        assert_int_equal(off, offs[i]);
        assert_ptr_equal(a, rec + offs[i]);
        assert_int_equal(ntx_attr_type(a), types[i]);
    }
    assert_null(ntx_rec_next_attr(rec, &off));
    assert_int_equal(off, L.ads); /* unchanged at the end */

    /* ntx_rec_find_attr: type and exact name. */
    static const uint16_t ads[3] = { 'a', 'd', 's' };
    static const uint16_t adt[3] = { 'a', 'd', 't' };
    static const uint16_t ADS[3] = { 'A', 'D', 'S' };
    off = 0;
    assert_ptr_equal(ntx_rec_find_attr(rec, NTX_AT_DATA, NULL, 0, &off), rec + L.data);
    assert_int_equal(off, L.data);
    assert_ptr_equal(ntx_rec_find_attr(rec, NTX_AT_DATA, ads, 3, &off), rec + L.ads);
    assert_int_equal(off, L.ads);
    assert_ptr_equal(ntx_rec_find_attr(rec, NTX_AT_FILE_NAME, NULL, 0, &off), rec + L.fn);
    assert_int_equal(off, L.fn);
    off = 12345;
    assert_null(ntx_rec_find_attr(rec, NTX_AT_DATA, adt, 3, &off));
    assert_null(ntx_rec_find_attr(rec, NTX_AT_DATA, ADS, 3, &off));   /* names are exact */
    assert_null(ntx_rec_find_attr(rec, NTX_AT_DATA, ads, 2, &off));
    assert_null(ntx_rec_find_attr(rec, NTX_AT_INDEX_ROOT, NULL, 0, &off));
    assert_int_equal(off, 12345); /* not written on a miss */

    /* ntx_rec_attr_at: only offsets the walk reaches, with the right type. */
    assert_ptr_equal(ntx_rec_attr_at(rec, L.fn, NTX_AT_FILE_NAME), rec + L.fn);
    assert_ptr_equal(ntx_rec_attr_at(rec, L.ads, NTX_AT_DATA), rec + L.ads);
    assert_ptr_equal(ntx_rec_attr_at(rec, L.si, NTX_AT_STANDARD_INFORMATION), rec + L.si);
    assert_null(ntx_rec_attr_at(rec, L.fn, NTX_AT_DATA));         /* wrong type */
    assert_null(ntx_rec_attr_at(rec, L.fn + 8, NTX_AT_FILE_NAME)); /* inside an attribute */
    assert_null(ntx_rec_attr_at(rec, L.end, NTX_AT_END));         /* the end marker */
    assert_null(ntx_rec_attr_at(rec, 0, NTX_AT_STANDARD_INFORMATION));
    assert_null(ntx_rec_attr_at(rec, 0x3F8, NTX_AT_DATA));        /* past bytes in use */

    /* ntx_rec_find_instance: (type, instance) pairs. */
    assert_ptr_equal(ntx_rec_find_instance(rec, NTX_AT_DATA, 4, &off), rec + L.ads);
    assert_int_equal(off, L.ads);
    assert_ptr_equal(ntx_rec_find_instance(rec, NTX_AT_DATA, 3, &off), rec + L.data);
    assert_int_equal(off, L.data);
    assert_ptr_equal(ntx_rec_find_instance(rec, NTX_AT_FILE_NAME, 2, &off), rec + L.fn);
    assert_ptr_equal(ntx_rec_find_instance(rec, NTX_AT_STANDARD_INFORMATION, 0, &off),
                     rec + L.si);
    assert_null(ntx_rec_find_instance(rec, NTX_AT_DATA, 2, &off));    /* 2 is the $FILE_NAME */
    assert_null(ntx_rec_find_instance(rec, NTX_AT_DATA, 5, &off));
}

static void test_valid_4k_record(void **state)
{
    (void)state;
    /* A 4 KiB record (4Kn volume): 9 USA words at 0x30..0x41, attributes from 0x48. */
    vol_reset(4096, 12);
    struct layout L = build(plain, 4096);
    assert_int_equal(L.si, 0x48);
    assert_int_equal(check_plain(4096), NTX_OK);
    assert_memory_equal(disk, plain, 4096);
    uint32_t off = 0;
    assert_ptr_equal(ntx_rec_find_attr(disk, NTX_AT_FILE_NAME, NULL, 0, &off), disk + L.fn);

    /* The 1 KiB record on a volume of 4 KiB records: its count (3) fails the fixup. */
    build(plain, 1024);
    expect_fail(4096, NTX_E_CORRUPT, NTX_CHK_FIXUP_HEADER, 0x04);
}

static void test_empty_record(void **state)
{
    (void)state;
    vol_reset(1024, 12);
    /* Only the end marker: attrs_offset 0x38 holds 0xFFFFFFFF, in use 0x40. */
    build(plain, 1024);
    put32(plain + 0x38, NTX_AT_END);
    put32(plain + 0x18, 0x40);
    assert_int_equal(check_plain(1024), NTX_OK);
    uint32_t off = 0;
    assert_null(ntx_rec_next_attr(disk, &off));
    assert_int_equal(off, 0);
    /* bytes in use == bytes allocated is fine too. */
    build(plain, 1024);
    put32(plain + 0x18, 0x400);
    assert_int_equal(check_plain(1024), NTX_OK);
}

/* ---------------------------------------------------------------------------------------
 * Hostile headers
 */

static void test_magic(void **state)
{
    (void)state;
    vol_reset(1024, 12);
    static const char *bad[] = { "FILD", "BAAD", "INDX", "file", "\0\0\0\0" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        build(plain, 1024);
        memcpy(plain, bad[i], 4);
        expect_fail(1024, NTX_E_CORRUPT, NTX_CHK_RECORD_MAGIC, 0);
        /* Nothing was patched: the tails still hold the USN. */
        assert_int_equal(disk[510], 0x42);
        assert_int_equal(disk[1022], 0x42);
    }
}

static void test_r05_r06_fixup(void **state)
{
    (void)state;
    vol_reset(1024, 12);
    /* R06: a torn second stride ("REC+3FE ^= 0xFF raw"). */
    build(plain, 1024);
    protect(plain, disk, 1024, 0x0042);
    disk[0x3FE] ^= 0xFF;
    memset(&vol.diag, 0, sizeof vol.diag);
    assert_int_equal(ntx_record_check(&vol, disk, MFT_NO), NTX_E_CORRUPT);
    assert_int_equal(vol.diag.check, NTX_CHK_FIXUP_MISMATCH);
    assert_true(vol.diag.offset == 0x04);
    assert_true(vol.diag.mft_no == MFT_NO);
    /* R05: usa_count 4 in a 1 KiB record. */
    build(plain, 1024);
    put16(plain + 0x06, 4);
    expect_fail(1024, NTX_E_CORRUPT, NTX_CHK_FIXUP_HEADER, 0x04);
    /* R05: odd usa_ofs. */
    build(plain, 1024);
    protect(plain, disk, 1024, 0x0042);
    put16(disk + 0x04, 0x31);
    assert_int_equal(ntx_record_check(&vol, disk, MFT_NO), NTX_E_CORRUPT);
    assert_int_equal(vol.diag.check, NTX_CHK_FIXUP_HEADER);
}

static void test_r07_sizes(void **state)
{
    (void)state;
    vol_reset(1024, 12);
    /* bytes_allocated must be the volume's record size. */
    static const uint32_t alloc[] = { 0x800, 0x200, 0x3F8, 0, 0xFFFFFFFFu };
    for (size_t i = 0; i < sizeof alloc / sizeof alloc[0]; i++) {
        build(plain, 1024);
        put32(plain + 0x1C, alloc[i]);
        expect_fail(1024, NTX_E_CORRUPT, NTX_CHK_RECORD_SIZES, 0x18);
    }
    /* R07 recipe: in use 0x800 > allocated 0x400; and unaligned in use values. */
    static const uint32_t in_use[] = { 0x800, 0x408, 0xFFFFFFF8u, 0x14C, 0x151, 0x3FF };
    for (size_t i = 0; i < sizeof in_use / sizeof in_use[0]; i++) {
        build(plain, 1024);
        put32(plain + 0x18, in_use[i]);
        expect_fail(1024, NTX_E_CORRUPT, NTX_CHK_RECORD_SIZES, 0x18);
    }
}

static void test_r08_attrs_offset(void **state)
{
    (void)state;
    vol_reset(1024, 12);
    /* Unaligned (0x3C), inside the USA (0x30 < 0x36), inside the header (0x28, 0),
     * R08 recipe 0x3F8 (past bytes in use 0x150), 0x150 (== in use: no room for END),
     * 0xFFF8. Reported at the attrs_offset field, 0x14. */
    static const uint16_t bad[] = { 0x3C, 0x39, 0x30, 0x28, 0x00, 0x3F8, 0x150, 0x158, 0xFFF8 };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        build(plain, 1024);
        put16(plain + 0x14, bad[i]);
        expect_fail(1024, NTX_E_CORRUPT, NTX_CHK_RECORD_ATTRS_OFFSET, 0x14);
    }
    /* bytes in use 0: in_use - 4 must not wrap into "anything goes". */
    build(plain, 1024);
    put32(plain + 0x18, 0);
    expect_fail(1024, NTX_E_CORRUPT, NTX_CHK_RECORD_ATTRS_OFFSET, 0x14);
    /* Pointing straight at the end marker (0x148, in use 0x150) is a valid empty walk. */
    build(plain, 1024);
    put16(plain + 0x14, 0x148);
    assert_int_equal(check_plain(1024), NTX_OK);
    uint32_t off = 0;
    assert_null(ntx_rec_next_attr(disk, &off));
    /* The USA may follow the first attribute offset only if they do not overlap: with
     * the array moved to 0x40 (ending 0x46) attributes from 0x38 overlap it. */
    build(plain, 1024);
    put16(plain + 0x04, 0x40);
    expect_fail(1024, NTX_E_CORRUPT, NTX_CHK_RECORD_ATTRS_OFFSET, 0x14);
}

static void test_r10_bad_attribute(void **state)
{
    (void)state;
    vol_reset(1024, 12);
    struct layout L;
    /* R10 recipe "A(5,0x30)+04=u32:0 fix": reported as the attribute's check at its offset. */
    L = build(plain, 1024);
    put32(plain + L.fn + 4, 0);
    expect_fail(1024, NTX_E_CORRUPT, NTX_CHK_ATTR_LENGTH, L.fn);
    /* A length reaching past bytes in use (0x150 - 0x98 = 0xB8 of room). */
    L = build(plain, 1024);
    put32(plain + L.fn + 4, 0xC0);
    expect_fail(1024, NTX_E_CORRUPT, NTX_CHK_ATTR_LENGTH, L.fn);
    /* R14 on the $FILE_NAME value. */
    L = build(plain, 1024);
    put32(plain + L.fn + 0x10, 0xFFF0);
    expect_fail(1024, NTX_E_CORRUPT, NTX_CHK_ATTR_RESIDENT_VALUE, L.fn);
    /* R13 on the named $DATA. */
    L = build(plain, 1024);
    plain[L.ads + 9] = 0xFF;
    expect_fail(1024, NTX_E_CORRUPT, NTX_CHK_ATTR_NAME, L.ads);
    /* An unaligned type. */
    L = build(plain, 1024);
    put32(plain + L.data, 0x85);
    expect_fail(1024, NTX_E_CORRUPT, NTX_CHK_ATTR_ORDER, L.data);
}

static void test_r11_end_marker(void **state)
{
    (void)state;
    vol_reset(1024, 12);
    struct layout L;
    /* No end marker before bytes in use: in use stops right where END would be. */
    L = build(plain, 1024);
    put32(plain + 0x18, L.end);
    expect_fail(1024, NTX_E_CORRUPT, NTX_CHK_ATTR_END, L.end);
    /* R11 recipe: END overwritten with 80 00 00 00; the 8 bytes left cannot hold a header. */
    L = build(plain, 1024);
    put32(plain + L.end, NTX_AT_DATA);
    expect_fail(1024, NTX_E_CORRUPT, NTX_CHK_ATTR_LENGTH, L.end);
    /* END with fewer than 4 bytes before in use cannot happen with 8-aligned offsets;
     * the closest is 0 bytes (above). With in use past END the bytes after it are
     * ignored, whatever they hold. */
    L = build(plain, 1024);
    put32(plain + 0x18, 0x400);
    memset(plain + L.end + 4, 0xEE, 0x400 - (L.end + 4));
    assert_int_equal(check_plain(1024), NTX_OK);
}

/*
 * Regression (found by this test, fixed in src/record.c ntx_record_check): R11
 * (docs/robustness.md) makes attribute types out of order corrupt, as ntfs-3g's
 * mft_record_check and ntfs3's mi_enum_attr do, and
 * NTX_CHK_ATTR_ORDER exists for it, but the walk never compares a type with the
 * previous one. Input: the valid 1 KiB record of this file with the first attribute's
 * type changed from 0x10 to 0x40, so 0x40 ($OBJECT_ID) precedes 0x30 ($FILE_NAME) at
 * offset 0x98. Expected NTX_E_CORRUPT / NTX_CHK_ATTR_ORDER at 0x98; ntx_record_check
 * returned NTX_OK.
 */
static void test_r11_descending_types(void **state)
{
    (void)state;
    vol_reset(1024, 12);
    struct layout L = build(plain, 1024);
    put32(plain + L.si, NTX_AT_OBJECT_ID);
    expect_fail(1024, NTX_E_CORRUPT, NTX_CHK_ATTR_ORDER, L.fn);
}

static void test_cluster_shift_reaches_attributes(void **state)
{
    (void)state;
    /* A non-resident attribute inside the record is checked with the volume's
     * cluster size: allocated 0x200 is a multiple of 512-byte clusters only. Replace
     * the named $DATA (0x28 bytes at 0x120) and the end by a non-resident $DATA of
     * 0x48 bytes at 0x120, END at 0x168, in use 0x170. */
    build(plain, 1024);
    uint8_t *a = plain + 0x120;
    memset(a, 0, 0x50);
    put32(a, NTX_AT_DATA);
    put32(a + 4, 0x48);
    a[8] = 1;
    put16(a + 0x0A, 0x40);
    put16(a + 0x0E, 4);
    put16(a + 0x20, 0x40);
    put64(a + 0x28, 0x200);
    put64(a + 0x30, 0x1FF);
    put64(a + 0x38, 0x1FF);
    a[0x40] = 0x11;
    a[0x41] = 0x01;
    a[0x42] = 0x20;
    put32(plain + 0x168, NTX_AT_END);
    put32(plain + 0x18, 0x170);

    vol_reset(1024, 9);
    assert_int_equal(check_plain(1024), NTX_OK);
    vol_reset(1024, 12);
    expect_fail(1024, NTX_E_CORRUPT, NTX_CHK_ATTR_SIZES, 0x120);
}

/* ---------------------------------------------------------------------------------------
 * Real records
 */

static void check_fixture_root(const char *name, uint32_t sector, uint32_t attrs_offset,
                               uint32_t in_use)
{
    char path[512];
    struct ntx_test_image img;
    snprintf(path, sizeof path, "%s/%s.img.gz", NTX_FIXTURES_DIR, name);
    assert_int_equal(ntx_test_image_load(path, &img), 0);
    ntx_geometry geo;
    ntx_check chk;
    assert_int_equal(ntx_boot_parse(img.data, sector, img.size, &geo, &chk), NTX_OK);

    vol_reset(geo.record_size, (unsigned)__builtin_ctz(geo.cluster_size));
    /* Records 0..15 lie in $MFT's first run, which starts at the boot sector's LCN. */
    size_t at = (size_t)(geo.mft_lcn * geo.cluster_size + 5u * geo.record_size);
    memcpy(disk, img.data + at, geo.record_size);
    ntx_test_image_free(&img);
    assert_int_equal(ntx_record_check(&vol, disk, 5), NTX_OK);

    assert_int_equal(ntx_le16(disk + 0x14), attrs_offset);
    assert_int_equal(ntx_rec_sequence(disk), 5);           /* MFT Record Seq. Numb.: 5 */
    assert_int_equal(ntx_rec_link_count(disk), 1);         /* Number of Hard Links: 1 */
    assert_int_equal(ntx_rec_flags(disk), 0x0003);         /* IN_USE DIRECTORY */
    assert_int_equal(ntx_rec_in_use(disk), in_use);        /* Bytes Used */
    assert_int_equal(ntx_le32(disk + 0x1C), geo.record_size); /* Bytes Allocated */
    assert_int_equal(ntx_le16(disk + 0x28), 6);            /* Next Attribute Instance: 6 */

    /* "Dumping attribute ...": type, Attribute length, Attribute instance. */
    static const struct {
        uint32_t type, len;
        uint16_t instance;
    } want[] = {
        { 0x10, 72, 0 }, { 0x30, 96, 1 }, { 0x50, 72, 2 },
        { 0x90, 88, 3 }, { 0xA0, 80, 5 }, { 0xB0, 40, 4 },
    };
    uint32_t off = 0, expect_off = attrs_offset;
    for (size_t i = 0; i < 6; i++) {
        const uint8_t *a = ntx_rec_next_attr(disk, &off);
        assert_non_null(a);
        assert_int_equal(off, expect_off);
        assert_int_equal(ntx_attr_type(a), want[i].type);
        assert_int_equal(ntx_attr_length(a), want[i].len);
        assert_int_equal(ntx_attr_instance(a), want[i].instance);
        assert_ptr_equal(ntx_rec_find_instance(disk, want[i].type, want[i].instance, &off), a);
        expect_off += want[i].len;
    }
    assert_null(ntx_rec_next_attr(disk, &off));
    static const uint16_t I30[4] = { '$', 'I', '3', '0' };
    assert_non_null(ntx_rec_find_attr(disk, NTX_AT_INDEX_ALLOCATION, I30, 4, &off));
    assert_null(ntx_rec_find_attr(disk, NTX_AT_INDEX_ALLOCATION, NULL, 0, &off));
}

static void test_fixture_root_records(void **state)
{
    (void)state;
    /* ntfsinfo -v -i 5 ntfs-512.img: "Attribute Offset: 56, Bytes Used: 512,
     * Bytes Allocated: 1024". */
    check_fixture_root("ntfs-512", 512, 56, 512);
    /* ntfsinfo -v -i 5 ntfs-4kn.img: "Upd. Seq. Array Count: 9, Attribute Offset: 72,
     * Bytes Used: 528, Bytes Allocated: 4096". */
    check_fixture_root("ntfs-4kn", 4096, 72, 528);
}

/* Which records not in use were never files: the headers of win10-2m's
 * record 100 (a template of Windows' format: sequence 100, LSN 0;
 * $STANDARD_INFORMATION, $SECURITY_DESCRIPTOR and $DATA, no name) and of
 * ntfs-4k's record 5208 (a directory ntfs-3g deleted: sequence 2, LSN 0, its
 * names gone with an extension record), read by hand from the images. */
static void test_never_used(void **state)
{
    (void)state;
    ntx_record_info tmpl = {.mft_no = 100, .lsn = 0, .seq = 100, .flags = 0};
    ntx_record_info gone = {.mft_no = 5208, .lsn = 0, .seq = 2, .flags = 0};
    ntx_record_info formatted = {.mft_no = 40, .lsn = 0, .seq = 1, .flags = 0};
    assert_true(ntx_record_never_used(&tmpl, 3, 0));
    assert_false(ntx_record_never_used(&gone, 5, 0));
    assert_true(ntx_record_never_used(&formatted, 0, 0));
    /* a name, an LSN, use or an extension record each say it was a file */
    assert_false(ntx_record_never_used(&tmpl, 3, 1));
    tmpl.lsn = 0x2000;
    assert_false(ntx_record_never_used(&tmpl, 3, 0));
    tmpl.lsn = 0;
    tmpl.flags = NTX_REC_IN_USE;
    assert_false(ntx_record_never_used(&tmpl, 3, 0));
    formatted.base_ref = 0x0001000000000010ull;
    assert_false(ntx_record_never_used(&formatted, 0, 0));
    assert_false(ntx_record_never_used(NULL, 0, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_record),
        cmocka_unit_test(test_walk),
        cmocka_unit_test(test_valid_4k_record),
        cmocka_unit_test(test_empty_record),
        cmocka_unit_test(test_never_used),
        cmocka_unit_test(test_magic),
        cmocka_unit_test(test_r05_r06_fixup),
        cmocka_unit_test(test_r07_sizes),
        cmocka_unit_test(test_r08_attrs_offset),
        cmocka_unit_test(test_r10_bad_attribute),
        cmocka_unit_test(test_r11_end_marker),
        cmocka_unit_test(test_r11_descending_types),
        cmocka_unit_test(test_cluster_shift_reaches_attributes),
        cmocka_unit_test(test_fixture_root_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
