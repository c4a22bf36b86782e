/*
 * test_fixup.c - the update sequence array of multi-sector records (src/fixup.c,
 * ntx_fixup_apply).
 *
 * Oracle: the rule as ntfs-3g states and applies it (ntfs-3g mst.c
 * ntfs_mst_post_read_fixup / is_valid_record; R05, R06 in docs/robustness.md):
 *  - the record size is a multiple of 512 and the stride is always 512 bytes;
 *  - usa_ofs (0x04) is even, usa_count (0x06) == size / 512 + 1, and the array ends at or
 *    before 510, the first stride's tail;
 *  - the last two bytes of every stride must equal the update sequence number (USN, the
 *    array's first word); then each is replaced by the saved word i + 1 of the array;
 *  - every tail is checked before any is patched, so a failure leaves the buffer as read.
 * Records are built here with the writer's side of the protocol (mst_pre_write_fixup):
 * save each stride's last word into the array, then write the USN there.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "parse/fixup.h"
#include "put.h"

#define MAXREC 4096u

/* Fill size bytes with a pattern that makes every tail word distinct, then set the
 * header's usa_ofs/usa_count. *plain gets the bytes the fixup must give back. */
static void make_plain(uint8_t *plain, size_t size, uint16_t usa_ofs, uint16_t usa_count)
{
    for (size_t i = 0; i < size; i++)
        plain[i] = (uint8_t)(i * 7u + (i >> 8) * 13u + 1u);
    memcpy(plain, "FILE", 4);
    put16(plain + 4, usa_ofs);
    put16(plain + 6, usa_count);
}

/* The writer's side: from plain, produce the on-disk bytes in disk. The USA words
 * live in the header area, so the plain copy holds them too (as ntfs-3g leaves them). */
static void protect(uint8_t *plain, uint8_t *disk, size_t size, uint16_t usn)
{
    uint16_t usa_ofs = (uint16_t)(plain[4] | plain[5] << 8);
    put16(plain + usa_ofs, usn);
    for (size_t i = 0; i < size / 512; i++) {
        plain[usa_ofs + 2 + 2 * i] = plain[(i + 1) * 512 - 2];
        plain[usa_ofs + 3 + 2 * i] = plain[(i + 1) * 512 - 1];
    }
    memcpy(disk, plain, size);
    for (size_t i = 0; i < size / 512; i++)
        put16(disk + (i + 1) * 512 - 2, usn);
}

/* Apply, expecting failure with check; the buffer must come back untouched. */
static void expect_fail(uint8_t *disk, size_t size, ntx_check want)
{
    static uint8_t before[MAXREC + 512];
    memcpy(before, disk, size);
    ntx_check chk = NTX_CHK_NONE;
    assert_int_equal(ntx_fixup_apply(disk, size, &chk), NTX_E_CORRUPT);
    assert_int_equal(chk, want);
    assert_memory_equal(disk, before, size);
}

/* ---------------------------------------------------------------------------------------
 * Valid records
 */

static void check_valid(size_t size, uint16_t usa_ofs, uint16_t usn)
{
    static uint8_t plain[MAXREC], disk[MAXREC];
    uint16_t count = (uint16_t)(size / 512 + 1);
    make_plain(plain, size, usa_ofs, count);
    protect(plain, disk, size, usn);

    /* On disk, each tail holds the USN, not the data. */
    for (size_t i = 0; i < size / 512; i++) {
        assert_int_equal(disk[(i + 1) * 512 - 2], (uint8_t)usn);
        assert_int_equal(disk[(i + 1) * 512 - 1], (uint8_t)(usn >> 8));
    }
    ntx_check chk = NTX_CHK_FIXUP_HEADER;
    assert_int_equal(ntx_fixup_apply(disk, size, &chk), NTX_OK);
    assert_int_equal(chk, NTX_CHK_NONE);
    /* Every tail got its saved word back; nothing else changed (the array too). */
    assert_memory_equal(disk, plain, size);
}

static void test_valid_1k(void **state)
{
    (void)state;
    /* 1024-byte MFT record as mkntfs writes it: usa_ofs 0x30, count 3 = 1024/512 + 1. */
    check_valid(1024, 0x30, 0x000B);
}

static void test_valid_4k(void **state)
{
    (void)state;
    /* 4096-byte record (4Kn volume) or INDX block: INDX puts the array at 0x28,
     * count 9 = 4096/512 + 1 (ntfsinfo on fixtures: "Upd. Seq. Array Off.: 40",
     * "Count: 9"). The stride stays 512 whatever the sector size (sleuthkit/sleuthkit#701). */
    check_valid(4096, 0x28, 0x1284);
    check_valid(4096, 0x30, 0xFFFF);
}

static void test_valid_512(void **state)
{
    (void)state;
    /* One stride: count 2. */
    check_valid(512, 0x30, 0x0001);
}

static void test_array_boundaries(void **state)
{
    (void)state;
    /* The lowest offset the code accepts is 8 (past usa_ofs and usa_count). */
    check_valid(1024, 0x08, 0x0102);
    /* 1 KiB, count 3 = 6 bytes: at 504 the array ends at 510, exactly the first tail. */
    check_valid(1024, 504, 0x0203);
    /* 4 KiB, count 9 = 18 bytes: the last offset that fits is 510 - 18 = 492. */
    check_valid(4096, 492, 0x0304);
}

/* ---------------------------------------------------------------------------------------
 * Hostile headers (R05)
 */

static void test_bad_count(void **state)
{
    (void)state;
    static uint8_t plain[MAXREC], disk[MAXREC];
    /* count must be size/512 + 1: 3 for 1 KiB. 0, 1, 2 (a stride left unprotected),
     * 4 (R05 recipe: "usa_count=4 in a 1 KiB record"), 9, 0xFFFF. */
    static const uint16_t bad[] = { 0, 1, 2, 4, 9, 0xFFFF };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        make_plain(plain, 1024, 0x30, 3);
        protect(plain, disk, 1024, 0x0005);
        put16(disk + 6, bad[i]);
        expect_fail(disk, 1024, NTX_CHK_FIXUP_HEADER);
    }
    /* 4 KiB with the 1 KiB count: 3 != 9. */
    make_plain(plain, 4096, 0x30, 9);
    protect(plain, disk, 4096, 0x0005);
    put16(disk + 6, 3);
    expect_fail(disk, 4096, NTX_CHK_FIXUP_HEADER);
}

static void test_bad_offset(void **state)
{
    (void)state;
    static uint8_t plain[MAXREC], disk[MAXREC];
    /* Odd (0x31), inside the header fields (0, 2, 6), the array past the first tail
     * (506: 506 + 6 = 512 > 510), R05 "usa_ofs >= 510" (510, 0xFFFE). */
    static const uint16_t bad[] = { 0x31, 0x2F, 0, 2, 6, 506, 508, 510, 512, 0xFFFE };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        make_plain(plain, 1024, 0x30, 3);
        protect(plain, disk, 1024, 0x0005);
        put16(disk + 4, bad[i]);
        expect_fail(disk, 1024, NTX_CHK_FIXUP_HEADER);
    }
    /* 4 KiB: 494 + 18 = 512 > 510. */
    make_plain(plain, 4096, 0x30, 9);
    protect(plain, disk, 4096, 0x0005);
    put16(disk + 4, 494);
    expect_fail(disk, 4096, NTX_CHK_FIXUP_HEADER);
}

static void test_bad_size(void **state)
{
    (void)state;
    static uint8_t plain[MAXREC + 512], disk[MAXREC + 512];
    make_plain(plain, 1024, 0x30, 3);
    protect(plain, disk, 1024, 0x0005);
    /* Not a multiple of 512; and 0 (the buffer is real, so reading the header is safe). */
    expect_fail(disk, 1000, NTX_CHK_FIXUP_HEADER);
    expect_fail(disk, 1536 - 2, NTX_CHK_FIXUP_HEADER);
    expect_fail(disk, 0, NTX_CHK_FIXUP_HEADER);
    /* The same bytes applied as a 512-byte record: count 3 != 2. */
    expect_fail(disk, 512, NTX_CHK_FIXUP_HEADER);
}

/* ---------------------------------------------------------------------------------------
 * Torn records (R06)
 */

static void test_torn_each_stride(void **state)
{
    (void)state;
    static uint8_t plain[MAXREC], disk[MAXREC];
    /* Flip either byte of each tail in turn (R06 recipe: "REC(5)+1FE ^= 0xFF"). The
     * last stride torn is the interesting case: the first tails already matched, and
     * must not have been patched when the failure is found. */
    for (size_t size = 1024; size <= 4096; size *= 4) {
        for (size_t s = 0; s < size / 512; s++) {
            for (size_t b = 0; b < 2; b++) {
                make_plain(plain, size, 0x30, (uint16_t)(size / 512 + 1));
                protect(plain, disk, size, 0xA55A);
                disk[(s + 1) * 512 - 2 + b] ^= 0xFF;
                expect_fail(disk, size, NTX_CHK_FIXUP_MISMATCH);
            }
        }
    }
}

static void test_torn_usn_in_array(void **state)
{
    (void)state;
    static uint8_t plain[MAXREC], disk[MAXREC];
    /* Change the USN in the array instead: every tail now mismatches. */
    make_plain(plain, 1024, 0x30, 3);
    protect(plain, disk, 1024, 0x0007);
    put16(disk + 0x30, 0x0008);
    expect_fail(disk, 1024, NTX_CHK_FIXUP_MISMATCH);
}

static void test_apply_twice(void **state)
{
    (void)state;
    static uint8_t plain[MAXREC], disk[MAXREC];
    /* After a successful fixup the tails hold data again: a second apply sees
     * mismatches (unless the data happens to equal the USN) and leaves them alone. */
    make_plain(plain, 1024, 0x30, 3);
    protect(plain, disk, 1024, 0x0007);
    ntx_check chk;
    assert_int_equal(ntx_fixup_apply(disk, 1024, &chk), NTX_OK);
    assert_true(plain[510] != 0x07 || plain[511] != 0x00);
    expect_fail(disk, 1024, NTX_CHK_FIXUP_MISMATCH);
    assert_memory_equal(disk, plain, 1024);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_1k),
        cmocka_unit_test(test_valid_4k),
        cmocka_unit_test(test_valid_512),
        cmocka_unit_test(test_array_boundaries),
        cmocka_unit_test(test_bad_count),
        cmocka_unit_test(test_bad_offset),
        cmocka_unit_test(test_bad_size),
        cmocka_unit_test(test_torn_each_stride),
        cmocka_unit_test(test_torn_usn_in_array),
        cmocka_unit_test(test_apply_twice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
