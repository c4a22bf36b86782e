/*
 * test_upcase.c - $UpCase lookups and file name collation (src/upcase.c: ntx_upcase,
 * ntx_collate_names).
 *
 * Oracles:
 *  1. ntfs-3g unistr.c, the doc comment of ntfs_names_full_collate(): "If @ic is
 *     CASE_SENSITIVE, then the names are compared primarily ignoring case, but if the
 *     names are equal ignoring case, then they are compared case-sensitively. As an
 *     example, "abc" would collate before "BCD" (since "abc" and "BCD" differ ignoring
 *     case and 'A' < 'B') but after "ABC" (since "ABC" and "abc" are equal ignoring case
 *     and 'A' < 'a'). This matches the collation order of filenames as indexed in NTFS
 *     directories." and, for IGNORE_CASE, "the names are only compared case-insensitively
 *     and are considered to match if and only if they are equal ignoring case". Its code
 *     compares the upcased units, then the lengths, then (case-sensitive) the first
 *     differing raw unit. ntx's exact = true is CASE_SENSITIVE, false is IGNORE_CASE.
 *  2. A reference collation written here from that description (upcase, length, raw),
 *     compared with ntx on every pair of short names over a small alphabet.
 *  3. A hand-built $UpCase table: identity, plus 'a'..'z' -> 'A'..'Z', U+00E9 e-acute ->
 *     U+00C9, U+00FF y-diaeresis -> U+0178 (an upper case above the lower case's block),
 *     U+03B1 alpha -> U+0391. These pairs, and U+0100 A-macron -> itself, are those of the
 *     $UpCase mkntfs writes (ntfscat -i 10 ntfs-512.img: entries 0x61 -> 0x41, 0x7A -> 0x5A,
 *     0x5F -> 0x5F, 0xE9 -> 0xC9, 0xFF -> 0x178, 0x3B1 -> 0x391, 0x100 -> 0x100).
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
#include "tree/upcase.h"
#include "ntx/file.h"

static ntx_volume vol;
static uint16_t table[65536];

static void build_table(void)
{
    for (unsigned c = 0; c < 65536; c++)
        table[c] = (uint16_t)c;
    for (unsigned c = 'a'; c <= 'z'; c++)
        table[c] = (uint16_t)(c - 'a' + 'A');
    table[0x00E9] = 0x00C9;
    table[0x00FF] = 0x0178;
    table[0x03B1] = 0x0391;
}

static void vol_table(void)
{
    memset(&vol, 0, sizeof vol);
    build_table();
    vol.upcase = table;
}

/* Host-order units to on-disk UTF-16LE bytes. */
static void to_disk(const uint16_t *u, size_t n, uint8_t *d)
{
    for (size_t i = 0; i < n; i++) {
        d[2 * i] = (uint8_t)u[i];
        d[2 * i + 1] = (uint8_t)(u[i] >> 8);
    }
}

static int collate(const uint16_t *q, size_t qn, const uint16_t *d, size_t dn, bool exact)
{
    uint8_t *disk = malloc(2 * dn + 1);
    to_disk(d, dn, disk);
    int cmp = 12345;
    assert_int_equal(ntx_collate_names(&vol, q, qn, disk, dn, exact, &cmp), NTX_OK);
    free(disk);
    return cmp < 0 ? -1 : cmp > 0 ? 1 : 0;
}

/* ASCII / Latin-1 string to units. */
static size_t units(const char *s, uint16_t *u)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        u[n++] = *p;
    return n;
}

static int collate_s(const char *q, const char *d, bool exact)
{
    uint16_t uq[64], ud[64];
    size_t qn = units(q, uq), dn = units(d, ud);
    return collate(uq, qn, ud, dn, exact);
}

/* ---------------------------------------------------------------------------------------
 * Lookups
 */

static void test_upcase_lookup(void **state)
{
    (void)state;
    vol_table();
    uint16_t up;
    static const uint16_t pairs[][2] = {
        { 'a', 'A' }, { 'z', 'Z' }, { 'A', 'A' }, { '_', '_' }, { '0', '0' }, { 0, 0 },
        { 0xE9, 0xC9 }, { 0xC9, 0xC9 }, { 0xFF, 0x178 }, { 0x3B1, 0x391 }, { 0xFFFF, 0xFFFF },
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        assert_int_equal(ntx_upcase(&vol, pairs[i][0], &up), NTX_OK);
        assert_int_equal(up, pairs[i][1]);
    }
}

/* ---------------------------------------------------------------------------------------
 * Collation, by hand
 */

static void test_doc_comment_examples(void **state)
{
    (void)state;
    vol_table();
    /* "abc" would collate before "BCD" ... */
    assert_int_equal(collate_s("abc", "BCD", true), -1);
    assert_int_equal(collate_s("BCD", "abc", true), 1);
    /* ... but after "ABC" ('A' < 'a'). */
    assert_int_equal(collate_s("abc", "ABC", true), 1);
    assert_int_equal(collate_s("ABC", "abc", true), -1);
    /* IGNORE_CASE: "ABC" and "abc" match. */
    assert_int_equal(collate_s("abc", "ABC", false), 0);
    assert_int_equal(collate_s("abc", "BCD", false), -1);
}

static void test_case_insensitive_order(void **state)
{
    (void)state;
    vol_table();
    /* "a" < "B": 'A' (0x41) < 'B' (0x42) after upcasing, though raw 'a' (0x61) > 'B'. */
    assert_int_equal(collate_s("a", "B", false), -1);
    assert_int_equal(collate_s("a", "B", true), -1);
    assert_int_equal(collate_s("B", "a", false), 1);
    /* Upcase, not lowercase: '_' (0x5F) sorts after every letter ('Z' = 0x5A). */
    assert_int_equal(collate_s("_", "a", false), 1);
    assert_int_equal(collate_s("_", "Z", false), 1);
    assert_int_equal(collate_s("[", "z", false), 1); /* 0x5B > 'Z' */
    assert_int_equal(collate_s("@", "a", false), -1); /* 0x40 < 'A' */
    /* Equal ignoring case. */
    assert_int_equal(collate_s("Hello.TXT", "hello.txt", false), 0);
    assert_int_equal(collate_s("hello.txt", "hello.txt", true), 0);
    assert_int_equal(collate_s("", "", true), 0);
    assert_int_equal(collate_s("", "", false), 0);
}

static void test_prefix_order(void **state)
{
    (void)state;
    vol_table();
    /* A prefix sorts first; length is compared before the raw tie-break, so "AB" < "abc"
     * even though 'A' < 'a' would agree and "ab" < "ABC" though 'a' > 'A'. */
    assert_int_equal(collate_s("ab", "abc", false), -1);
    assert_int_equal(collate_s("abc", "ab", false), 1);
    assert_int_equal(collate_s("ab", "ABC", true), -1);
    assert_int_equal(collate_s("ABC", "ab", true), 1);
    assert_int_equal(collate_s("", "a", true), -1);
    assert_int_equal(collate_s("a", "", true), 1);
    /* But an upcase difference inside the common part wins over length. */
    assert_int_equal(collate_s("b", "abc", false), 1);
}

static void test_exact_tie_break(void **state)
{
    (void)state;
    vol_table();
    /* Equal ignoring case: the first differing raw unit decides, not a later one. */
    assert_int_equal(collate_s("aB", "Ab", true), 1);   /* 'a' > 'A' at index 0 */
    assert_int_equal(collate_s("Ab", "aB", true), -1);
    assert_int_equal(collate_s("abC", "abc", true), -1); /* 'C' < 'c' at index 2 */
    assert_int_equal(collate_s("aB", "Ab", false), 0);

    /* Non-ASCII pairs from the table. */
    uint16_t e_acute[1] = { 0xE9 }, E_acute[1] = { 0xC9 }, f[1] = { 'f' };
    assert_int_equal(collate(e_acute, 1, E_acute, 1, false), 0);
    assert_int_equal(collate(e_acute, 1, E_acute, 1, true), 1);  /* 0xE9 > 0xC9 */
    assert_int_equal(collate(E_acute, 1, e_acute, 1, true), -1);
    assert_int_equal(collate(e_acute, 1, f, 1, false), 1);       /* 0xC9 > 'F' */
    /* y-diaeresis upcases to U+0178, above U+0100: it sorts after A-macron (U+0100,
     * its own upper case) although its raw unit 0xFF is smaller. */
    uint16_t ydia[1] = { 0xFF }, Amacron[1] = { 0x100 }, Ydia[1] = { 0x178 };
    assert_int_equal(collate(ydia, 1, Amacron, 1, false), 1);
    assert_int_equal(collate(ydia, 1, Ydia, 1, false), 0);
    assert_int_equal(collate(ydia, 1, Ydia, 1, true), -1);        /* 0xFF < 0x178 */
    uint16_t alpha[2] = { 0x3B1, 'x' }, ALPHA[2] = { 0x391, 'X' };
    assert_int_equal(collate(alpha, 2, ALPHA, 2, false), 0);
    assert_int_equal(collate(alpha, 2, ALPHA, 2, true), 1);
}

/* ---------------------------------------------------------------------------------------
 * Collation against the reference, exhaustively over short names
 */

/* ntfs_names_full_collate's order, restated: upcased units, then lengths, then (exact)
 * the first raw difference. */
static int ref_collate(const uint16_t *a, size_t an, const uint16_t *b, size_t bn, bool exact)
{
    size_t n = an < bn ? an : bn;
    for (size_t i = 0; i < n; i++) {
        uint16_t ua = table[a[i]], ub = table[b[i]];
        if (ua != ub)
            return ua < ub ? -1 : 1;
    }
    if (an != bn)
        return an < bn ? -1 : 1;
    if (exact)
        for (size_t i = 0; i < n; i++)
            if (a[i] != b[i])
                return a[i] < b[i] ? -1 : 1;
    return 0;
}

static const uint16_t alphabet[] = { 'a', 'A', 'b', 'B', '_', 0xE9, 0xC9, 0xFF, 0x178, 0x100 };
#define NA (sizeof alphabet / sizeof alphabet[0])

/* The k-th name of length len over the alphabet. */
static void nth_name(size_t k, size_t len, uint16_t *u)
{
    for (size_t i = 0; i < len; i++) {
        u[i] = alphabet[k % NA];
        k /= NA;
    }
}

static void test_against_reference(void **state)
{
    (void)state;
    vol_table();
    /* Every pair of names of length 0..3 (1 + 10 + 100 + 1000 = 1111 names, 1.2 M
     * pairs), both modes, compared with the reference; plus antisymmetry. */
    static uint16_t names[1111][3];
    static size_t lens[1111];
    size_t count = 0;
    for (size_t len = 0; len <= 3; len++) {
        size_t total = 1;
        for (size_t i = 0; i < len; i++)
            total *= NA;
        for (size_t k = 0; k < total; k++) {
            nth_name(k, len, names[count]);
            lens[count++] = len;
        }
    }
    assert_int_equal(count, 1111);
    static uint8_t disk[1111][6];
    for (size_t i = 0; i < count; i++)
        to_disk(names[i], lens[i], disk[i]);

    size_t mismatches = 0;
    for (size_t i = 0; i < count; i++) {
        for (size_t j = 0; j < count; j++) {
            for (int exact = 0; exact <= 1; exact++) {
                int got;
                assert_int_equal(ntx_collate_names(&vol, names[i], lens[i], disk[j], lens[j],
                                                   exact, &got), NTX_OK);
                got = got < 0 ? -1 : got > 0 ? 1 : 0;
                int want = ref_collate(names[i], lens[i], names[j], lens[j], exact);
                if (got != want && mismatches++ < 5)
                    fprintf(stderr, "names %zu and %zu (exact %d): got %d want %d\n", i, j, exact,
                            got, want);
            }
        }
    }
    assert_int_equal(mismatches, 0);
}

/* ---------------------------------------------------------------------------------------
 * The on-demand table (no table attached): runs of $UpCase read a block at a time
 */

static struct ntx_test_memdisk md;
static uint8_t *md_data;
static uint8_t upc_block[512], bounce[512];

/*
 * $UpCase's 128 KiB = 32 clusters of 4 KiB in two runs: VCN 0..15 at LCN 100 and
 * VCN 16..31 at LCN 10 (the second half before the first on disk). Device: 117 clusters
 * (LCN 0..116) of 8 sectors, the last sector standing for the backup boot sector.
 */
static void vol_on_demand(unsigned nruns)
{
    size_t size = 117u * 4096u;
    free(md_data);
    md_data = calloc(1, size);
    assert_non_null(md_data);
    build_table();
    uint8_t le[131072];
    to_disk(table, 65536, le);
    memcpy(md_data + 100u * 4096u, le, 65536);
    memcpy(md_data + 10u * 4096u, le + 65536, 65536);

    memset(&vol, 0, sizeof vol);
    ntx_test_memdisk_init(&md, md_data, size);
    md.check_align = 512;
    ntx_test_memdisk_io(&md, &vol.io);
    vol.geo.sector_size = 512;
    vol.geo.cluster_size = 4096;
    vol.geo.block_size = 512;
    vol.geo.total_sectors = size / 512 - 1;
    vol.geo.cluster_count = 116;
    vol.sector_shift = 9;
    vol.cluster_shift = 12;
    vol.block_shift = 9;
    vol.bounce = bounce;
    vol.bounce_off = UINT64_MAX;
    vol.upc_block = upc_block;
    vol.upc_block_no = UINT64_MAX;
    vol.upcase = NULL;
    vol.upcase_runs[0].vcn = 0;
    vol.upcase_runs[0].lcn = 100;
    vol.upcase_runs[0].len = 16;
    vol.upcase_runs[1].vcn = 16;
    vol.upcase_runs[1].lcn = 10;
    vol.upcase_runs[1].len = 16;
    vol.upcase_nruns = (uint8_t)nruns;
}

static void test_on_demand_lookup(void **state)
{
    (void)state;
    vol_on_demand(2);
    /* Every entry, read through the runs, equals the table. */
    for (unsigned c = 0; c < 65536; c++) {
        uint16_t up;
        assert_int_equal(ntx_upcase(&vol, (uint16_t)c, &up), NTX_OK);
        if (up != table[c])
            fprintf(stderr, "U+%04X: got %04X want %04X\n", c, up, table[c]);
        assert_int_equal(up, table[c]);
    }
    /* One aligned 512-byte read per block of 256 entries, none failed. */
    assert_true(md.failures == 0);
    assert_true(md.reads == 256);
    assert_true(md.max_read_len == 512);

    /* Lookups in the cached block read nothing. */
    ntx_test_memdisk_reset_counters(&md);
    uint16_t up;
    assert_int_equal(ntx_upcase(&vol, 0x0041, &up), NTX_OK); /* block 0 */
    assert_int_equal(ntx_upcase(&vol, 0x0061, &up), NTX_OK); /* block 0 again */
    assert_int_equal(up, 'A');
    assert_true(md.reads == 1);

    /* Collation reads through the same path. */
    assert_int_equal(collate_s("abc", "ABC", true), 1);
    assert_int_equal(collate_s("abc", "BCD", true), -1);
    uint16_t ydia[1] = { 0xFF }, Amacron[1] = { 0x100 };
    assert_int_equal(collate(ydia, 1, Amacron, 1, false), 1);
    free(md_data);
    md_data = NULL;
}

static void test_on_demand_errors(void **state)
{
    (void)state;
    /* Only the first run known: entries of the second half (U+8000 and up, bytes 0x10000
     * and up = VCN 16) are unmapped. */
    vol_on_demand(1);
    uint16_t up;
    assert_int_equal(ntx_upcase(&vol, 0x7FFF, &up), NTX_OK);
    assert_int_equal(up, 0x7FFF);
    assert_int_equal(ntx_upcase(&vol, 0x8000, &up), NTX_E_CORRUPT);
    assert_int_equal(vol.diag.check, NTX_CHK_UPCASE);
    assert_true(vol.diag.mft_no == NTX_MFT_UPCASE);
    assert_true(vol.diag.offset == 0x10000);
    /* ...and collation passes the error on. */
    uint16_t q[1] = { 0x8000 };
    uint8_t d[2] = { 0x01, 0x80 }; /* U+8001 */
    int cmp;
    assert_int_equal(ntx_collate_names(&vol, q, 1, d, 1, true, &cmp), NTX_E_CORRUPT);
    /* Names equal as raw units never need the table. */
    assert_int_equal(ntx_collate_names(&vol, q, 1, (const uint8_t *)"\x00\x80", 1, true, &cmp),
                     NTX_OK);
    assert_int_equal(cmp, 0);

    /* A failing read: NTX_E_IO, and the next lookup of that block reads again. */
    vol_on_demand(2);
    md.fail_after = 1;
    assert_int_equal(ntx_upcase(&vol, 'a', &up), NTX_E_IO);
    assert_int_equal(vol.diag.check, NTX_CHK_IO);
    assert_int_equal(vol.diag.io_status, NTX_TEST_EIO);
    uint16_t qa[1] = { 'a' };
    assert_int_equal(ntx_collate_names(&vol, qa, 1, (const uint8_t *)"B\0", 1, false, &cmp),
                     NTX_OK);
    assert_true(cmp < 0);
    assert_int_equal(ntx_upcase(&vol, 'a', &up), NTX_OK);
    assert_int_equal(up, 'A');
    free(md_data);
    md_data = NULL;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_upcase_lookup),
        cmocka_unit_test(test_doc_comment_examples),
        cmocka_unit_test(test_case_insensitive_order),
        cmocka_unit_test(test_prefix_order),
        cmocka_unit_test(test_exact_tie_break),
        cmocka_unit_test(test_against_reference),
        cmocka_unit_test(test_on_demand_lookup),
        cmocka_unit_test(test_on_demand_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
