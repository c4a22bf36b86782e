/*
 * test_ascii_fold.c - the collation of builds without NTX_WITH_UPCASE (the
 * minimal profile), against libntfs-3g.
 *
 * This program compiles src/upcase.c itself with NTX_WITH_UPCASE=0 (see
 * tests/CMakeLists.txt) and links no other part of the core. Such a build
 * folds ASCII letters only and takes every unit of 0x80 or above to be its
 * own upper case, above every ASCII letter (include/ntx/config.h). Oracles:
 *  1. ntfs_upcase_table_build(): the $UpCase table mkntfs writes. The
 *     assumption is checked on all of it: no unit of 0x80 or above folds into
 *     ASCII, and ASCII folds as the build does.
 *  2. ntfs_names_full_collate() with that table: the order of ntfs-3g's
 *     directory indexes. An ASCII query against every on-disk name over an
 *     alphabet with ASCII, Latin-1, Latin Extended and letters whose Unicode
 *     upper case is ASCII (U+0131 dotless i, U+017F long s, U+212A Kelvin)
 *     must collate as ntfs-3g collates it, in both modes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h> /* ntfs-3g/ntfstime.h tests st_mtime */
#include <sys/types.h>
#include <time.h>

#include <cmocka.h>

/* libntfs-3g's headers expect this from its own config.h. */
#define HAVE_STDINT_H 1
#include <ntfs-3g/types.h>
#include <ntfs-3g/volume.h> /* unistr.h needs ntfs_volume */
#include <ntfs-3g/unistr.h>

#include "tree/upcase.h"

#if NTX_WITH_UPCASE
#error "build this test with -DNTX_WITH_UPCASE=0"
#endif

static ntfschar table[65536];
static ntx_volume vol; /* no table attached: the ASCII folding */

static int sign(int v)
{
    return v < 0 ? -1 : v > 0 ? 1 : 0;
}

static void test_table_assumption(void **state)
{
    (void)state;
    ntfs_upcase_table_build(table, sizeof table);
    for (unsigned c = 0; c < 0x80; c++) {
        unsigned want = (c >= 'a' && c <= 'z') ? c - 32 : c;
        assert_int_equal(le16_to_cpu(table[c]), want);
    }
    unsigned into_ascii = 0;
    for (unsigned c = 0x80; c < 65536; c++)
        if (le16_to_cpu(table[c]) < 0x80)
            into_ascii++;
    assert_int_equal(into_ascii, 0);
}

static const uint16_t query_alphabet[] = { 'a', 'A', 'i', 'I', 's', 'S', 'k', '_', '~', '0' };
static const uint16_t disk_alphabet[] = { 'a', 'A', 'i', 'I', 's', 'S', 'k', '_', '~', '0',
                                          0xE9, 0xC9, 0xFF, 0x178, 0x100, 0x131, 0x17F, 0x212A };
#define NQ (sizeof query_alphabet / sizeof query_alphabet[0])
#define ND (sizeof disk_alphabet / sizeof disk_alphabet[0])

/* The k-th name of length len over an alphabet of n units. */
static void nth_name(const uint16_t *alphabet, size_t n, size_t k, size_t len, uint16_t *u)
{
    for (size_t i = 0; i < len; i++) {
        u[i] = alphabet[k % n];
        k /= n;
    }
}

static size_t power(size_t b, size_t e)
{
    size_t r = 1;
    while (e-- > 0)
        r *= b;
    return r;
}

static void test_collation_against_ntfs3g(void **state)
{
    (void)state;
    ntfs_upcase_table_build(table, sizeof table);
    memset(&vol, 0, sizeof vol);
    size_t pairs = 0, mismatches = 0;
    /* ASCII queries of length 0..3 (1,111) against on-disk names of length
     * 0..3 (6,175): 6.9 M pairs in each mode. */
    for (size_t ql = 0; ql <= 3; ql++) {
        for (size_t qk = 0; qk < power(NQ, ql); qk++) {
            uint16_t q[3];
            nth_name(query_alphabet, NQ, qk, ql, q);
            for (size_t dl = 0; dl <= 3; dl++) {
                for (size_t dk = 0; dk < power(ND, dl); dk++) {
                    uint16_t d[3];
                    uint8_t disk[6];
                    nth_name(disk_alphabet, ND, dk, dl, d);
                    for (size_t i = 0; i < dl; i++) {
                        disk[2 * i] = (uint8_t)d[i];
                        disk[2 * i + 1] = (uint8_t)(d[i] >> 8);
                    }
                    ntfschar qn[3], dn[3];
                    for (size_t i = 0; i < 3; i++) {
                        qn[i] = cpu_to_le16(q[i]);
                        dn[i] = cpu_to_le16(d[i]);
                    }
                    for (int exact = 0; exact <= 1; exact++) {
                        int got = 99;
                        assert_int_equal(ntx_collate_names(&vol, q, ql, disk, dl, exact, &got),
                                         NTX_OK);
                        int want = ntfs_names_full_collate(qn, (u32)ql, dn, (u32)dl,
                                                           exact ? CASE_SENSITIVE : IGNORE_CASE,
                                                           table, 65536);
                        pairs++;
                        if (sign(got) != sign(want) && mismatches++ < 5)
                            fprintf(stderr, "query %zu/%zu vs name %zu/%zu (exact %d): %d, ntfs-3g %d\n",
                                    ql, qk, dl, dk, exact, got, want);
                    }
                }
            }
        }
    }
    assert_int_equal(pairs, 2u * 1111u * 6175u);
    assert_int_equal(mismatches, 0);
}

/* A query unit of 0x80 or above has an upper case the build does not know:
 * refused where the comparison needs it, unless the whole table was attached. */
static void test_non_ascii_query(void **state)
{
    (void)state;
    ntfs_upcase_table_build(table, sizeof table);
    memset(&vol, 0, sizeof vol);
    const uint16_t q[2] = { 'x', 0xE9 };
    const uint8_t d[4] = { 'X', 0, 0xC9, 0 };
    int cmp = 99;
    assert_int_equal(ntx_collate_names(&vol, q, 2, d, 2, false, &cmp), NTX_E_UNSUPPORTED);
    /* not needed where an earlier unit decides, or where the units are equal */
    const uint8_t d2[4] = { 'Y', 0, 0xC9, 0 };
    assert_int_equal(ntx_collate_names(&vol, q, 2, d2, 2, false, &cmp), NTX_OK);
    assert_int_equal(sign(cmp), -1);
    const uint8_t d3[4] = { 'X', 0, 0xE9, 0 };
    assert_int_equal(ntx_collate_names(&vol, q, 2, d3, 2, true, &cmp), NTX_OK);
    assert_int_equal(sign(cmp), 1); /* equal ignoring case; 'x' > 'X' raw */
    /* with the table attached (host order, as ntx_volume_attach_upcase leaves it) */
    static uint16_t host[65536];
    for (unsigned c = 0; c < 65536; c++)
        host[c] = le16_to_cpu(table[c]);
    vol.upcase = host;
    assert_int_equal(ntx_collate_names(&vol, q, 2, d, 2, false, &cmp), NTX_OK);
    assert_int_equal(cmp, 0);
    assert_int_equal(ntx_collate_names(&vol, q, 2, d, 2, true, &cmp), NTX_OK);
    assert_int_equal(sign(cmp), 1); /* 'x' > 'X' raw */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_assumption),
        cmocka_unit_test(test_collation_against_ntfs3g),
        cmocka_unit_test(test_non_ascii_query),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
