/*
 * test_logfile.c - $LogFile restart pages (src/parse/logfile.c,
 * ntx_logfile_restart_parse).
 *
 * Oracle: the layout and checks of ntfs-3g's and Linux's logfile.h /
 * logfile.c (RESTART_PAGE_HEADER, RESTART_AREA, LOG_CLIENT_RECORD;
 * ntfs_check_restart_page_header, ntfs_check_restart_area,
 * ntfs_check_log_client_array), and two pages Windows 10 wrote: the first
 * restart page of the win10-ptrn and win10-20h1 disks (tests/realworld),
 * whose non-zero bytes are copied below and whose values were read by hand
 * from a hex dump. Pages are protected here with the writer's side of the
 * update sequence protocol: save each 512-byte stride's last word into the
 * array, then write the update sequence number there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "put.h"
#include "ntx.h"
#include "ntx/forensic.h"

#define PAGE 4096u

/* The first 0xA0 bytes of restart page 0 of win10-ptrn (build 18348) and
 * of win10-20h1 as stored; the rest of each page is zeros but for the sector
 * tails, which hold the update sequence number (0x000f, 0x0025). */
static const char ptrn_hex[] =
    "525354521e000900000000000000000000100000001000003000010001000f00"
    "000000000000000000000000000000006f802000000000000100ffff00000200"
    "2c000000e000400000804c000000000070000000300040007a57503c00000000"
    "0000000000000000000000000000000064802000000000006f80200000000000"
    "ffffffff0000000000000000080000004e005400460053000000000000000000";
static const char h20h1_hex[] =
    "525354521e000900000000000000000000100000001000003000010001002500"
    "000000000000000000000000000000002cc70004000000000100ffff00000200"
    "28000000e0004000000000040000000070000000300040003ac8b04a00000000"
    "0000000000000000000000000000000021c70004000000002cc7000400000000"
    "ffffffff0000000000000000080000004e005400460053000000000000000000";

static void from_hex(uint8_t *out, const char *hex)
{
    for (size_t i = 0; hex[2 * i] != '\0'; i++) {
        unsigned v;
        char byte[3] = { hex[2 * i], hex[2 * i + 1], 0 };
        v = (unsigned)strtoul(byte, NULL, 16);
        out[i] = (uint8_t)v;
    }
}

/* A Windows page as stored: the copied bytes, zeros, USN at every tail. */
static void windows_page(uint8_t *page, const char *hex)
{
    memset(page, 0, PAGE);
    from_hex(page, hex);
    for (unsigned i = 1; i <= PAGE / 512u; i++) {
        page[i * 512u - 2u] = page[0x1e];
        page[i * 512u - 1u] = page[0x1f];
    }
}

/* Protect a plain page in place: the USA at usa_ofs, count size/512 + 1. */
static void protect(uint8_t *p, uint32_t size, uint16_t usa_ofs, uint16_t usn)
{
    uint16_t count = (uint16_t)(size / 512u + 1u);
    put16(p + 4, usa_ofs);
    put16(p + 6, count);
    put16(p + usa_ofs, usn);
    for (uint32_t i = 0; i < size / 512u; i++) {
        memcpy(p + usa_ofs + 2u + 2u * i, p + (i + 1u) * 512u - 2u, 2);
        put16(p + (i + 1u) * 512u - 2u, usn);
    }
}

/*
 * A plain restart page built field by field, Windows XP+ style: header,
 * USA at 0x1e, restart area at 0x30, client array at +0x40, one client
 * "NTFS" in use. ra and ca move the area and the array.
 */
static void build_plain(uint8_t *p, uint32_t size, uint16_t ra, uint16_t ca)
{
    memset(p, 0, size);
    memcpy(p, "RSTR", 4);
    put32(p + 0x10, size);
    put32(p + 0x14, 4096);
    put16(p + 0x18, ra);
    put16(p + 0x1a, 1);
    put16(p + 0x1c, 1);
    uint8_t *a = p + ra;
    put64(a + 0x00, 0x123456789aull);
    put16(a + 0x08, 1);      /* log_clients */
    put16(a + 0x0a, 0xffff); /* no free client */
    put16(a + 0x0c, 0);      /* client 0 in use */
    put16(a + 0x0e, 0x0002); /* clean */
    put32(a + 0x10, 44);
    put16(a + 0x14, (uint16_t)(ca + 0xa0));
    put16(a + 0x16, ca);
    put64(a + 0x18, 0x4c8000);
    put32(a + 0x20, 0x70);
    put16(a + 0x24, 0x30);
    put16(a + 0x26, 0x40);
    put32(a + 0x28, 0xdeadbeef);
    uint8_t *c = a + ca;
    put64(c + 0x00, 0x1111222233334444ull);
    put64(c + 0x08, 0x5555666677778888ull);
    put16(c + 0x10, 0xffff);
    put16(c + 0x12, 0xffff);
    put16(c + 0x14, 7);
    put32(c + 0x1c, 8);
    memcpy(c + 0x20, "N\0T\0F\0S\0", 8);
}

/* The restart area right after the array (8-aligned), as Windows puts it. */
static void build(uint8_t *p, uint32_t size)
{
    uint16_t ra = (uint16_t)((0x1e + 2u * (size / 512u + 1u) + 7u) & ~7u);
    build_plain(p, size, ra, 0x40);
    protect(p, size, 0x1e, 0x0042);
}

static void expect_corrupt(const uint8_t *p, size_t len, ntx_check want)
{
    ntx_logfile_restart r;
    ntx_check check = NTX_CHK_NONE;
    assert_int_equal(ntx_logfile_restart_parse(p, len, &r, &check), NTX_E_CORRUPT);
    assert_int_equal(check, want);
}

static void test_windows_pages(void **state)
{
    (void)state;
    static uint8_t page[PAGE];
    ntx_logfile_restart r;
    ntx_check check;

    windows_page(page, ptrn_hex);
    assert_int_equal(ntx_logfile_restart_parse(page, PAGE, &r, &check), NTX_OK);
    assert_false(r.chkdsk);
    assert_int_equal(r.system_page_size, 4096);
    assert_int_equal(r.log_page_size, 4096);
    assert_int_equal(r.major, 1);
    assert_int_equal(r.minor, 1);
    assert_int_equal(r.current_lsn, 0x20806f);
    assert_int_equal(r.log_clients, 1);
    assert_int_equal(r.client_free_list, 0xffff);
    assert_int_equal(r.client_in_use_list, 0);
    assert_int_equal(r.flags, NTX_LOGFILE_VOLUME_CLEAN);
    assert_int_equal(r.seq_number_bits, 44);
    assert_int_equal(r.restart_area_length, 0xe0);
    assert_int_equal(r.client_array_offset, 0x40);
    assert_int_equal(r.file_size, 0x4c8000);
    assert_int_equal(r.last_lsn_data_length, 0x70);
    assert_int_equal(r.record_header_length, 0x30);
    assert_int_equal(r.page_data_offset, 0x40);
    assert_int_equal(r.open_count, 0x3c50577a);
    assert_true(r.has_client);
    assert_int_equal(r.client_index, 0);
    assert_int_equal(r.client_oldest_lsn, 0x208064);
    assert_int_equal(r.client_restart_lsn, 0x20806f);
    assert_int_equal(r.client_name_len, 4);
    assert_int_equal(r.client_name[0], 'N');
    assert_int_equal(r.client_name[3], 'S');
    assert_true(r.clean);

    windows_page(page, h20h1_hex);
    assert_int_equal(ntx_logfile_restart_parse(page, PAGE, &r, &check), NTX_OK);
    assert_int_equal(r.current_lsn, 0x400c72c);
    assert_int_equal(r.seq_number_bits, 40);
    assert_int_equal(r.file_size, 0x4000000);
    assert_int_equal(r.open_count, 0x4ab0c83a);
    assert_int_equal(r.client_oldest_lsn, 0x400c721);
    assert_int_equal(r.client_restart_lsn, 0x400c72c);
    assert_true(r.clean);
    /* the update sequence numbers differ between pages, nothing else: both
     * disks were dismounted cleanly, and the page is read, not changed */
    assert_int_equal(page[0x1fe], 0x25);
}

static void test_built_page(void **state)
{
    (void)state;
    static uint8_t page[8192];
    ntx_logfile_restart r;
    for (uint32_t size = 512; size <= 8192; size *= 2) {
        build(page, size);
        assert_int_equal(ntx_logfile_restart_parse(page, size, &r, NULL), NTX_OK);
        assert_int_equal(r.system_page_size, size);
        assert_int_equal(r.current_lsn, 0x123456789aull);
        assert_int_equal(r.client_seq, 7);
        assert_int_equal(r.open_count, 0xdeadbeef);
        assert_true(r.clean);
    }
}

/* The restart area's clean rule: a closed log, or the flag. */
static void test_clean_rule(void **state)
{
    (void)state;
    static uint8_t page[PAGE];
    ntx_logfile_restart r;
    build_plain(page, PAGE, 0x30, 0x40);
    put16(page + 0x30 + 0x0e, 0); /* open, flag clear: dirty */
    protect(page, PAGE, 0x1e, 1);
    assert_int_equal(ntx_logfile_restart_parse(page, PAGE, &r, NULL), NTX_OK);
    assert_false(r.clean);
    build_plain(page, PAGE, 0x30, 0x40);
    put16(page + 0x30 + 0x0e, 0);
    put16(page + 0x30 + 0x0a, 0);      /* client 0 free */
    put16(page + 0x30 + 0x0c, 0xffff); /* none in use: closed, so clean */
    protect(page, PAGE, 0x1e, 1);
    assert_int_equal(ntx_logfile_restart_parse(page, PAGE, &r, NULL), NTX_OK);
    assert_true(r.clean);
    assert_int_equal(r.client_index, 0);
}

/* A client record across the first sector's tail: the two bytes there are
 * read from the update sequence array, and the page is left as it was. */
static void test_field_at_sector_tail(void **state)
{
    (void)state;
    static uint8_t page[PAGE], copy[PAGE];
    ntx_logfile_restart r;
    /* 0x30 + 0x1c8 = 0x1f8: oldest_lsn covers bytes 0x1f8..0x1ff */
    build_plain(page, PAGE, 0x30, 0x1c8);
    protect(page, PAGE, 0x1e, 0x0099);
    assert_int_equal(page[0x1fe], 0x99);
    memcpy(copy, page, PAGE);
    assert_int_equal(ntx_logfile_restart_parse(page, PAGE, &r, NULL), NTX_OK);
    assert_int_equal(r.client_oldest_lsn, 0x1111222233334444ull);
    assert_int_equal(r.client_restart_lsn, 0x5555666677778888ull);
    assert_memory_equal(page, copy, PAGE);
}

static void test_fixups(void **state)
{
    (void)state;
    static uint8_t page[PAGE];
    for (unsigned i = 0; i < PAGE / 512u; i++) { /* every sector torn in turn */
        build(page, PAGE);
        page[(i + 1u) * 512u - 1u] ^= 0xff;
        expect_corrupt(page, PAGE, NTX_CHK_FIXUP_MISMATCH);
    }
    build(page, PAGE);
    put16(page + 6, 8); /* one word short */
    expect_corrupt(page, PAGE, NTX_CHK_FIXUP_HEADER);
    build(page, PAGE);
    put16(page + 4, 0x1f); /* odd */
    expect_corrupt(page, PAGE, NTX_CHK_FIXUP_HEADER);
    build(page, PAGE);
    put16(page + 4, 0x10); /* over the header */
    expect_corrupt(page, PAGE, NTX_CHK_FIXUP_HEADER);
    build(page, PAGE);
    put16(page + 4, 0x1f0); /* array past the first tail */
    expect_corrupt(page, PAGE, NTX_CHK_FIXUP_HEADER);
}

/* A CHKD page may carry no update sequence array (Linux logfile.c). */
static void test_chkd(void **state)
{
    (void)state;
    static uint8_t page[PAGE];
    ntx_logfile_restart r;
    build_plain(page, PAGE, 0x30, 0x40);
    memcpy(page, "CHKD", 4);
    put64(page + 8, 0x777);
    assert_int_equal(ntx_logfile_restart_parse(page, PAGE, &r, NULL), NTX_OK);
    assert_true(r.chkdsk);
    assert_int_equal(r.chkdsk_lsn, 0x777);
    /* an RSTR page names no chkdsk LSN */
    build_plain(page, PAGE, 0x30, 0x40);
    put64(page + 8, 0x777);
    protect(page, PAGE, 0x1e, 3);
    expect_corrupt(page, PAGE, NTX_CHK_LOGFILE_HEADER);
}

static void test_header_checks(void **state)
{
    (void)state;
    static uint8_t page[PAGE];
    ntx_logfile_restart r;
    memset(page, 0xff, PAGE);
    assert_int_equal(ntx_logfile_restart_parse(page, PAGE, &r, NULL), NTX_E_NOT_FOUND);
    build(page, PAGE);
    memcpy(page, "RCRD", 4);
    expect_corrupt(page, PAGE, NTX_CHK_LOGFILE_HEADER);
    static const uint32_t bad_sizes[] = { 0, 256, 3000, 131072, 0x80000000u };
    for (size_t i = 0; i < sizeof bad_sizes / sizeof bad_sizes[0]; i++) {
        build(page, PAGE);
        put32(page + 0x10, bad_sizes[i]);
        expect_corrupt(page, PAGE, NTX_CHK_LOGFILE_HEADER);
        build(page, PAGE);
        put32(page + 0x14, bad_sizes[i]);
        expect_corrupt(page, PAGE, NTX_CHK_LOGFILE_HEADER);
    }
    /* restart area: unaligned, inside the array, too close to the tail */
    static const uint16_t bad_ra[] = { 0x34, 0x28, 0x1d8, 0xfff8 };
    for (size_t i = 0; i < sizeof bad_ra / sizeof bad_ra[0]; i++) {
        build(page, PAGE);
        put16(page + 0x18, bad_ra[i]);
        expect_corrupt(page, PAGE, NTX_CHK_LOGFILE_HEADER);
    }
    /* a buffer shorter than the page it declares */
    build(page, PAGE);
    assert_int_equal(ntx_logfile_restart_parse(page, PAGE - 512u, &r, NULL), NTX_E_BUFFER);
    assert_int_equal(ntx_logfile_restart_parse(page, 100, &r, NULL), NTX_E_BUFFER);
    assert_int_equal(ntx_logfile_restart_parse(NULL, PAGE, &r, NULL), NTX_E_ARG);
}

/* One field of the restart area at a time (offsets from the area). */
static void area_case(uint32_t off, unsigned width, uint64_t v)
{
    static uint8_t page[PAGE];
    build_plain(page, PAGE, 0x30, 0x40);
    if (width == 2)
        put16(page + 0x30 + off, (uint16_t)v);
    else
        put32(page + 0x30 + off, (uint32_t)v);
    protect(page, PAGE, 0x1e, 5);
    expect_corrupt(page, PAGE, NTX_CHK_LOGFILE_AREA);
}

static void test_area_checks(void **state)
{
    (void)state;
    area_case(0x16, 2, 0x44);   /* client array unaligned */
    area_case(0x16, 2, 0x20);   /* inside the fixed part */
    area_case(0x16, 2, 0x1d8);  /* 0x30 + 0x1d8 past the first tail */
    area_case(0x14, 2, 0x40);   /* restart area too short for its client */
    area_case(0x14, 2, 0xffff); /* restart area past the page */
    area_case(0x08, 2, 0x7fff); /* clients past the restart area */
    area_case(0x0a, 2, 1);      /* free list outside the array */
    area_case(0x0c, 2, 5);      /* in-use list outside the array */
    area_case(0x24, 2, 0x31);   /* record header length not a multiple of 8 */
    area_case(0x26, 2, 0x41);   /* page data offset not a multiple of 8 */
    area_case(0x40 + 0x1c, 4, 130); /* client name over 64 units */
    area_case(0x40 + 0x1c, 4, 7);   /* odd byte count */
    area_case(0x40 + 0x10, 2, 0);   /* the first client's prev is not NO_CLIENT */
}

/* Lists that loop: each client points at the other, or at itself. */
static void test_client_loops(void **state)
{
    (void)state;
    static uint8_t page[PAGE];
    ntx_logfile_restart r;
    build_plain(page, PAGE, 0x30, 0x40);
    uint8_t *a = page + 0x30;
    put16(a + 0x08, 2);
    put16(a + 0x14, 0x40 + 2 * 0xa0);
    uint8_t *c0 = a + 0x40, *c1 = c0 + 0xa0;
    put16(c0 + 0x12, 1); /* 0 -> 1 */
    put16(c1 + 0x10, 0);
    put16(c1 + 0x12, 0xffff);
    protect(page, PAGE, 0x1e, 9);
    assert_int_equal(ntx_logfile_restart_parse(page, PAGE, &r, NULL), NTX_OK);
    build_plain(page, PAGE, 0x30, 0x40);
    put16(a + 0x08, 2);
    put16(a + 0x14, 0x40 + 2 * 0xa0);
    put16(c0 + 0x12, 1);
    put16(c1 + 0x10, 0);
    put16(c1 + 0x12, 0); /* 1 -> 0: a loop */
    protect(page, PAGE, 0x1e, 9);
    expect_corrupt(page, PAGE, NTX_CHK_LOGFILE_AREA);
    build_plain(page, PAGE, 0x30, 0x40);
    put16(c0 + 0x12, 0); /* 0 -> 0 */
    protect(page, PAGE, 0x1e, 9);
    expect_corrupt(page, PAGE, NTX_CHK_LOGFILE_AREA);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_windows_pages),
        cmocka_unit_test(test_built_page),
        cmocka_unit_test(test_clean_rule),
        cmocka_unit_test(test_field_at_sector_tail),
        cmocka_unit_test(test_fixups),
        cmocka_unit_test(test_chkd),
        cmocka_unit_test(test_header_checks),
        cmocka_unit_test(test_area_checks),
        cmocka_unit_test(test_client_loops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
