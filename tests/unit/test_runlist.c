/*
 * test_runlist.c - mapping pairs (src/runlist.c: ntx_mp_begin, ntx_mp_next, ntx_mp_find).
 *
 * Oracles:
 *  1. Two real runlists from the ntfs-512 fixture, as decoded by ntfs-3g's ntfsinfo
 *     (2022.10.3): the root directory's $INDEX_ALLOCATION (one run) and the first
 *     $DATA extent of /frag/fragmented.bin (MFT record 130: 162 runs, LCN deltas of
 *     both signs). The attribute bytes were copied from the fixed-up record; the
 *     expected runs are ntfsinfo's "Runlist: VCN LCN Length" table.
 *  2. Hand-encoded runs. A run is a header byte (low nibble: bytes of the length,
 *     high nibble: bytes of the LCN delta, 0 = sparse), the length (little-endian),
 *     then the delta (little-endian, signed, relative to the previous run's LCN);
 *     a 00 header ends the list (ntfs-3g runlist.c ntfs_mapping_pairs_decompress;
 *     libfsntfs "Data runs"). Each array shows its decoding.
 *  3. R16-R21 (docs/robustness.md), each with the exact ntx_err and vol->diag.check.
 *
 * Every attribute is copied into a heap block of exactly its length, so reading one
 * byte past it is an ASan error, and passes ntx_attr_check first (the decoder's
 * precondition).
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
#include "parse/runlist.h"
#include "ntx/file.h"
#include "put.h"

#define HOLE NTX_LCN_HOLE
#define MFT_NO 42u

static ntx_volume vol;

static void vol_reset(uint64_t clusters, unsigned cluster_shift)
{
    memset(&vol, 0, sizeof vol);
    vol.geo.cluster_count = clusters;
    vol.geo.cluster_size = 1u << cluster_shift;
    vol.cluster_shift = (uint8_t)cluster_shift;
}

/* Copy len bytes into a heap block of exactly len bytes and check the header. */
static uint8_t *own(const uint8_t *src, size_t len, unsigned cluster_shift)
{
    uint8_t *a = malloc(len);
    assert_non_null(a);
    memcpy(a, src, len);
    ntx_check chk = NTX_CHK_NONE;
    assert_int_equal(ntx_attr_check(a, len, cluster_shift, &chk), NTX_OK);
    return a;
}

/*
 * A non-resident unnamed $DATA extent mapping [lowest, highest] with mapping pairs mp
 * at 0x40. Its length is 0x40 + mp_len rounded up to 8 (zero padding), or exactly
 * 0x40 + mp_len when exact (which must then be a multiple of 8: no padding byte can
 * stand in for the terminator). Sizes: (highest + 1) clusters of 4 KiB.
 */
static uint8_t *make_attr(const uint8_t *mp, size_t mp_len, uint64_t lowest, uint64_t highest,
                          bool exact)
{
    uint8_t buf[1024];
    size_t len = 0x40 + mp_len;
    if (exact)
        assert_int_equal(len % 8, 0);
    else
        len = (len + 7) & ~(size_t)7;
    assert_true(len <= sizeof buf);
    memset(buf, 0, sizeof buf);
    put32(buf + 0x00, NTX_AT_DATA);
    put32(buf + 0x04, (uint32_t)len);
    buf[0x08] = 1;                 /* non-resident */
    put16(buf + 0x0A, 0x40);       /* name offset (no name) */
    put64(buf + 0x10, lowest);
    put64(buf + 0x18, highest);
    put16(buf + 0x20, 0x40);       /* mapping pairs offset */
    uint64_t size = lowest == 0 ? (highest + 1u) << 12 : 0; /* highest -1 -> 0 */
    put64(buf + 0x28, size);
    put64(buf + 0x30, size);
    put64(buf + 0x38, size);
    memcpy(buf + 0x40, mp, mp_len);
    return own(buf, len, 12);
}

/* Decode every run; returns the final code (NTX_END or an error). */
static ntx_err decode_all(const uint8_t *a, ntx_run *runs, size_t max, size_t *n)
{
    ntx_mp_state st;
    ntx_mp_begin(a, &st);
    *n = 0;
    for (;;) {
        ntx_run r;
        ntx_err rc = ntx_mp_next(&vol, a, &st, &r, MFT_NO);
        if (rc != NTX_OK)
            return rc;
        assert_true(*n < max);
        runs[(*n)++] = r;
    }
}

static void expect_run(const ntx_run *r, uint64_t vcn, uint64_t lcn, uint64_t len)
{
    if (r->vcn != vcn || r->lcn != lcn || r->len != len)
        fprintf(stderr, "run (vcn %llu lcn %llx len %llu), want (vcn %llu lcn %llx len %llu)\n",
                (unsigned long long)r->vcn, (unsigned long long)r->lcn,
                (unsigned long long)r->len, (unsigned long long)vcn, (unsigned long long)lcn,
                (unsigned long long)len);
    assert_true(r->vcn == vcn);
    assert_true(r->lcn == lcn);
    assert_true(r->len == len);
}

/* Decode mp over [lowest, highest] expecting the runs before a failure (or END) and
 * then rc with this check at this attribute offset. */
static void expect_decode(const uint8_t *mp, size_t mp_len, uint64_t lowest, uint64_t highest,
                          bool exact, size_t good_runs, ntx_err want, ntx_check check,
                          uint64_t offset)
{
    uint8_t *a = make_attr(mp, mp_len, lowest, highest, exact);
    ntx_run runs[64];
    size_t n;
    memset(&vol.diag, 0, sizeof vol.diag);
    ntx_err rc = decode_all(a, runs, 64, &n);
    if (rc != want || n != good_runs)
        fprintf(stderr, "decode: rc %d after %zu runs (check %u at %llu), want %d after %zu\n",
                rc, n, vol.diag.check, (unsigned long long)vol.diag.offset, want, good_runs);
    assert_int_equal(rc, want);
    assert_int_equal(n, good_runs);
    if (want != NTX_END) {
        assert_int_equal(vol.diag.err, want);
        assert_int_equal(vol.diag.check, check);
        assert_true(vol.diag.mft_no == MFT_NO);
        assert_true(vol.diag.offset == offset);
    }
    free(a);
}

/* ---------------------------------------------------------------------------------------
 * Real runlists
 */

/* ntfs-512, MFT record 5 (root), the $INDEX_ALLOCATION "$I30" at record offset 0x180.
 * ntfsinfo -v -i 5 ntfs-512.img: "Lowest VCN 0, Highest VCN: 7, Mapping pairs offset: 72,
 * Data size: 4096 ... Runlist: VCN 0x0 LCN 0x3028 Length 0x8". 512-byte clusters. */
static const uint8_t root_index_allocation[80] = {
    0xA0, 0x00, 0x00, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01, 0x04, 0x40, 0x00, 0x00, 0x00, 0x05, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x48, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x24, 0x00, 0x49, 0x00, 0x33, 0x00, 0x30, 0x00, 0x21, 0x08, 0x28, 0x30, 0x00, 0x00, 0x00, 0x00,
};

/* ntfs-512, MFT record 130 (/frag/fragmented.bin), the mapping pairs of its first $DATA
 * extent (attribute at record offset 0x130, length 712, pairs at 0x40, lowest VCN 0,
 * highest VCN 324, data size 1024000). */
static const uint8_t frag_mp[648] = {
    0x21, 0x03, 0xC7, 0x22, 0x21, 0x02, 0x1D, 0xE5, 0x21, 0x02, 0x05, 0x10, 0x21, 0x02, 0xFF, 0x0F,
    0x21, 0x02, 0x08, 0xE0, 0x21, 0x02, 0x00, 0x10, 0x21, 0x02, 0x00, 0x10, 0x21, 0x02, 0x04, 0xE0,
    0x21, 0x02, 0x20, 0x10, 0x21, 0x02, 0x04, 0x10, 0x21, 0x02, 0xE0, 0xDF, 0x21, 0x02, 0x20, 0x10,
    0x21, 0x02, 0x04, 0x10, 0x21, 0x02, 0xE0, 0xDF, 0x21, 0x02, 0x48, 0x10, 0x21, 0x02, 0xFC, 0x0F,
    0x21, 0x02, 0xC0, 0xDF, 0x21, 0x02, 0x48, 0x10, 0x21, 0x02, 0x02, 0x10, 0x21, 0x02, 0xBA, 0xDF,
    0x21, 0x02, 0x48, 0x10, 0x21, 0x02, 0x02, 0x10, 0x21, 0x02, 0xBA, 0xDF, 0x21, 0x02, 0x48, 0x10,
    0x21, 0x02, 0x02, 0x10, 0x21, 0x02, 0xE2, 0xDF, 0x21, 0x02, 0x20, 0x10, 0x21, 0x02, 0x02, 0x10,
    0x21, 0x02, 0xE2, 0xDF, 0x21, 0x02, 0x20, 0x10, 0x21, 0x02, 0x02, 0x10, 0x21, 0x02, 0x02, 0xE0,
    0x21, 0x02, 0x00, 0x10, 0x21, 0x02, 0x02, 0x10, 0x21, 0x02, 0x02, 0xE0, 0x21, 0x02, 0x08, 0x10,
    0x21, 0x02, 0x00, 0x10, 0x21, 0x02, 0xB8, 0xE7, 0x21, 0x02, 0x00, 0x10, 0x21, 0x02, 0x04, 0xF0,
    0x21, 0x02, 0x08, 0x10, 0x21, 0x02, 0xFC, 0xEF, 0x21, 0x02, 0x08, 0x10, 0x21, 0x02, 0x1C, 0xF0,
    0x21, 0x02, 0xFC, 0x0F, 0x21, 0x02, 0x08, 0xF0, 0x21, 0x02, 0x00, 0x10, 0x21, 0x02, 0x04, 0xF0,
    0x21, 0x02, 0x00, 0x10, 0x21, 0x02, 0x04, 0xF0, 0x21, 0x02, 0x00, 0x10, 0x21, 0x02, 0x04, 0xF0,
    0x21, 0x02, 0x20, 0x10, 0x21, 0x02, 0xE4, 0xEF, 0x21, 0x02, 0x20, 0x10, 0x21, 0x02, 0xE4, 0xEF,
    0x21, 0x02, 0x20, 0x10, 0x21, 0x02, 0xEC, 0xEF, 0x21, 0x02, 0x18, 0x10, 0x21, 0x02, 0xEC, 0xEF,
    0x21, 0x02, 0x38, 0x10, 0x21, 0x02, 0xCC, 0xEF, 0x21, 0x02, 0x38, 0x10, 0x21, 0x02, 0xCC, 0xEF,
    0x21, 0x02, 0x38, 0x10, 0x21, 0x02, 0xCC, 0xEF, 0x21, 0x02, 0x38, 0x10, 0x21, 0x02, 0xEC, 0xEF,
    0x21, 0x02, 0x20, 0x10, 0x21, 0x02, 0xE4, 0xEF, 0x21, 0x02, 0x20, 0x10, 0x21, 0x02, 0xE4, 0xEF,
    0x21, 0x02, 0x20, 0x10, 0x21, 0x02, 0xE4, 0xEF, 0x21, 0x02, 0x20, 0x10, 0x21, 0x02, 0x04, 0xF0,
    0x21, 0x02, 0x00, 0x10, 0x21, 0x02, 0x04, 0xF0, 0x21, 0x02, 0x08, 0x10, 0x21, 0x02, 0xFC, 0xEF,
    0x21, 0x02, 0x08, 0x10, 0x21, 0x02, 0xFC, 0xEF, 0x21, 0x02, 0x08, 0x10, 0x21, 0x02, 0x1C, 0xF0,
    0x21, 0x02, 0xFC, 0x0F, 0x21, 0x02, 0x08, 0xF0, 0x21, 0x02, 0x0A, 0x10, 0x21, 0x02, 0xFA, 0xEF,
    0x21, 0x02, 0x0A, 0x10, 0x21, 0x02, 0xFA, 0xEF, 0x21, 0x02, 0x0A, 0x10, 0x21, 0x02, 0x1A, 0xF0,
    0x21, 0x02, 0xFC, 0x0F, 0x21, 0x02, 0x08, 0xF0, 0x21, 0x02, 0x00, 0x10, 0x21, 0x02, 0x04, 0xF0,
    0x21, 0x02, 0x00, 0x10, 0x21, 0x02, 0x25, 0xF0, 0x21, 0x02, 0x01, 0x10, 0x21, 0x02, 0x03, 0xF0,
    0x21, 0x02, 0x01, 0x10, 0x21, 0x02, 0x03, 0xF0, 0x21, 0x02, 0x01, 0x10, 0x21, 0x02, 0x03, 0xF0,
    0x21, 0x02, 0x01, 0x10, 0x21, 0x02, 0x03, 0xF0, 0x21, 0x02, 0x21, 0x10, 0x21, 0x02, 0xEB, 0xEF,
    0x21, 0x02, 0x19, 0x10, 0x21, 0x02, 0xEB, 0xEF, 0x21, 0x02, 0x19, 0x10, 0x21, 0x02, 0xEB, 0xEF,
    0x21, 0x02, 0x19, 0x10, 0x21, 0x02, 0xEB, 0xEF, 0x21, 0x02, 0x39, 0x10, 0x21, 0x02, 0xCB, 0xEF,
    0x21, 0x02, 0x39, 0x10, 0x21, 0x02, 0xDB, 0xEF, 0x21, 0x02, 0x29, 0x10, 0x21, 0x02, 0xDB, 0xEF,
    0x21, 0x02, 0x29, 0x10, 0x21, 0x02, 0xDB, 0xEF, 0x21, 0x02, 0x49, 0x10, 0x21, 0x02, 0xBB, 0xEF,
    0x21, 0x02, 0x49, 0x10, 0x21, 0x02, 0xBB, 0xEF, 0x21, 0x02, 0x49, 0x10, 0x21, 0x02, 0xC3, 0xEF,
    0x21, 0x02, 0x41, 0x10, 0x21, 0x02, 0xC3, 0xEF, 0x21, 0x02, 0x61, 0x10, 0x21, 0x02, 0xA3, 0xEF,
    0x21, 0x02, 0x61, 0x10, 0x21, 0x02, 0xA3, 0xEF, 0x21, 0x02, 0x61, 0x10, 0x21, 0x02, 0xA3, 0xEF,
    0x21, 0x02, 0x61, 0x10, 0x21, 0x02, 0xAB, 0xEF, 0x21, 0x02, 0x79, 0x10, 0x21, 0x02, 0x8B, 0xEF,
    0x21, 0x02, 0x79, 0x10, 0x21, 0x02, 0x8B, 0xEF, 0x21, 0x02, 0x79, 0x10, 0x21, 0x02, 0x8B, 0xEF,
    0x21, 0x02, 0x79, 0x10, 0x21, 0x02, 0xAB, 0xEF, 0x21, 0x02, 0x61, 0x10, 0x21, 0x02, 0xA3, 0xEF,
    0x21, 0x02, 0x61, 0x10, 0x21, 0x02, 0xA3, 0xEF, 0x11, 0x02, 0x04, 0x21, 0x02, 0x61, 0x10, 0x21,
    0x02, 0xC3, 0xEF, 0x21, 0x02, 0x41, 0x10, 0x21, 0x02, 0xC3, 0xEF, 0x21, 0x02, 0x49, 0x10, 0x21,
    0x02, 0xBB, 0xEF, 0x21, 0x02, 0x49, 0x10, 0x21, 0x02, 0xBB, 0xEF, 0x21, 0x02, 0x49, 0x10, 0x21,
    0x02, 0xDB, 0xEF, 0x21, 0x02, 0x29, 0x10, 0x00,
};

/* ntfsinfo -v -i 130 ntfs-512.img, first "Dumping attribute $DATA": VCN, LCN, length. */
static const struct {
    uint64_t vcn, lcn, len;
} frag_runs[162] = {
    { 0x0, 0x22C7, 3 }, { 0x3, 0x7E4, 2 }, { 0x5, 0x17E9, 2 }, { 0x7, 0x27E8, 2 },
    { 0x9, 0x7F0, 2 }, { 0xB, 0x17F0, 2 }, { 0xD, 0x27F0, 2 }, { 0xF, 0x7F4, 2 },
    { 0x11, 0x1814, 2 }, { 0x13, 0x2818, 2 }, { 0x15, 0x7F8, 2 }, { 0x17, 0x1818, 2 },
    { 0x19, 0x281C, 2 }, { 0x1B, 0x7FC, 2 }, { 0x1D, 0x1844, 2 }, { 0x1F, 0x2840, 2 },
    { 0x21, 0x800, 2 }, { 0x23, 0x1848, 2 }, { 0x25, 0x284A, 2 }, { 0x27, 0x804, 2 },
    { 0x29, 0x184C, 2 }, { 0x2B, 0x284E, 2 }, { 0x2D, 0x808, 2 }, { 0x2F, 0x1850, 2 },
    { 0x31, 0x2852, 2 }, { 0x33, 0x834, 2 }, { 0x35, 0x1854, 2 }, { 0x37, 0x2856, 2 },
    { 0x39, 0x838, 2 }, { 0x3B, 0x1858, 2 }, { 0x3D, 0x285A, 2 }, { 0x3F, 0x85C, 2 },
    { 0x41, 0x185C, 2 }, { 0x43, 0x285E, 2 }, { 0x45, 0x860, 2 }, { 0x47, 0x1868, 2 },
    { 0x49, 0x2868, 2 }, { 0x4B, 0x1020, 2 }, { 0x4D, 0x2020, 2 }, { 0x4F, 0x1024, 2 },
    { 0x51, 0x202C, 2 }, { 0x53, 0x1028, 2 }, { 0x55, 0x2030, 2 }, { 0x57, 0x104C, 2 },
    { 0x59, 0x2048, 2 }, { 0x5B, 0x1050, 2 }, { 0x5D, 0x2050, 2 }, { 0x5F, 0x1054, 2 },
    { 0x61, 0x2054, 2 }, { 0x63, 0x1058, 2 }, { 0x65, 0x2058, 2 }, { 0x67, 0x105C, 2 },
    { 0x69, 0x207C, 2 }, { 0x6B, 0x1060, 2 }, { 0x6D, 0x2080, 2 }, { 0x6F, 0x1064, 2 },
    { 0x71, 0x2084, 2 }, { 0x73, 0x1070, 2 }, { 0x75, 0x2088, 2 }, { 0x77, 0x1074, 2 },
    { 0x79, 0x20AC, 2 }, { 0x7B, 0x1078, 2 }, { 0x7D, 0x20B0, 2 }, { 0x7F, 0x107C, 2 },
    { 0x81, 0x20B4, 2 }, { 0x83, 0x1080, 2 }, { 0x85, 0x20B8, 2 }, { 0x87, 0x10A4, 2 },
    { 0x89, 0x20C4, 2 }, { 0x8B, 0x10A8, 2 }, { 0x8D, 0x20C8, 2 }, { 0x8F, 0x10AC, 2 },
    { 0x91, 0x20CC, 2 }, { 0x93, 0x10B0, 2 }, { 0x95, 0x20D0, 2 }, { 0x97, 0x10D4, 2 },
    { 0x99, 0x20D4, 2 }, { 0x9B, 0x10D8, 2 }, { 0x9D, 0x20E0, 2 }, { 0x9F, 0x10DC, 2 },
    { 0xA1, 0x20E4, 2 }, { 0xA3, 0x10E0, 2 }, { 0xA5, 0x20E8, 2 }, { 0xA7, 0x1104, 2 },
    { 0xA9, 0x2100, 2 }, { 0xAB, 0x1108, 2 }, { 0xAD, 0x2112, 2 }, { 0xAF, 0x110C, 2 },
    { 0xB1, 0x2116, 2 }, { 0xB3, 0x1110, 2 }, { 0xB5, 0x211A, 2 }, { 0xB7, 0x1134, 2 },
    { 0xB9, 0x2130, 2 }, { 0xBB, 0x1138, 2 }, { 0xBD, 0x2138, 2 }, { 0xBF, 0x113C, 2 },
    { 0xC1, 0x213C, 2 }, { 0xC3, 0x1161, 2 }, { 0xC5, 0x2162, 2 }, { 0xC7, 0x1165, 2 },
    { 0xC9, 0x2166, 2 }, { 0xCB, 0x1169, 2 }, { 0xCD, 0x216A, 2 }, { 0xCF, 0x116D, 2 },
    { 0xD1, 0x216E, 2 }, { 0xD3, 0x1171, 2 }, { 0xD5, 0x2192, 2 }, { 0xD7, 0x117D, 2 },
    { 0xD9, 0x2196, 2 }, { 0xDB, 0x1181, 2 }, { 0xDD, 0x219A, 2 }, { 0xDF, 0x1185, 2 },
    { 0xE1, 0x219E, 2 }, { 0xE3, 0x1189, 2 }, { 0xE5, 0x21C2, 2 }, { 0xE7, 0x118D, 2 },
    { 0xE9, 0x21C6, 2 }, { 0xEB, 0x11A1, 2 }, { 0xED, 0x21CA, 2 }, { 0xEF, 0x11A5, 2 },
    { 0xF1, 0x21CE, 2 }, { 0xF3, 0x11A9, 2 }, { 0xF5, 0x21F2, 2 }, { 0xF7, 0x11AD, 2 },
    { 0xF9, 0x21F6, 2 }, { 0xFB, 0x11B1, 2 }, { 0xFD, 0x21FA, 2 }, { 0xFF, 0x11BD, 2 },
    { 0x101, 0x21FE, 2 }, { 0x103, 0x11C1, 2 }, { 0x105, 0x2222, 2 }, { 0x107, 0x11C5, 2 },
    { 0x109, 0x2226, 2 }, { 0x10B, 0x11C9, 2 }, { 0x10D, 0x222A, 2 }, { 0x10F, 0x11CD, 2 },
    { 0x111, 0x222E, 2 }, { 0x113, 0x11D9, 2 }, { 0x115, 0x2252, 2 }, { 0x117, 0x11DD, 2 },
    { 0x119, 0x2256, 2 }, { 0x11B, 0x11E1, 2 }, { 0x11D, 0x225A, 2 }, { 0x11F, 0x11E5, 2 },
    { 0x121, 0x225E, 2 }, { 0x123, 0x1209, 2 }, { 0x125, 0x226A, 2 }, { 0x127, 0x120D, 2 },
    { 0x129, 0x226E, 2 }, { 0x12B, 0x1211, 2 }, { 0x12D, 0x1215, 2 }, { 0x12F, 0x2276, 2 },
    { 0x131, 0x1239, 2 }, { 0x133, 0x227A, 2 }, { 0x135, 0x123D, 2 }, { 0x137, 0x2286, 2 },
    { 0x139, 0x1241, 2 }, { 0x13B, 0x228A, 2 }, { 0x13D, 0x1245, 2 }, { 0x13F, 0x228E, 2 },
    { 0x141, 0x1269, 2 }, { 0x143, 0x2292, 2 },
};

static void test_begin(void **state)
{
    (void)state;
    vol_reset(98303, 9);
    uint8_t *a = own(root_index_allocation, sizeof root_index_allocation, 9);
    ntx_mp_state st;
    memset(&st, 0xA5, sizeof st);
    ntx_mp_begin(a, &st);
    assert_int_equal(st.pos, 0x48);     /* mapping pairs offset 72 */
    assert_true(st.vcn == 0);           /* lowest VCN */
    assert_true(st.vcn_end == 8);       /* highest VCN 7, plus one */
    assert_true(st.lcn == 0);           /* deltas start from LCN 0 */
    free(a);
}

static void test_fixture_single_run(void **state)
{
    (void)state;
    vol_reset(98303, 9); /* ntfsinfo -m ntfs-512.img: Volume Size in Clusters: 98303 */
    uint8_t *a = own(root_index_allocation, sizeof root_index_allocation, 9);
    ntx_run runs[4];
    size_t n;
    /* 21 08 28 30 00: length 1 byte = 8, delta 2 bytes = 0x3028; then the terminator. */
    assert_int_equal(decode_all(a, runs, 4, &n), NTX_END);
    assert_int_equal(n, 1);
    expect_run(&runs[0], 0, 0x3028, 8);
    for (uint64_t v = 0; v < 8; v++) {
        ntx_run r;
        assert_int_equal(ntx_mp_find(&vol, a, v, &r, 5), NTX_OK);
        expect_run(&r, 0, 0x3028, 8);
    }
    free(a);
}

static void test_fixture_fragmented(void **state)
{
    (void)state;
    vol_reset(98303, 9);
    uint8_t buf[0x40 + sizeof frag_mp];
    memset(buf, 0, 0x40);
    put32(buf, NTX_AT_DATA);
    put32(buf + 4, sizeof buf);   /* 712 */
    buf[8] = 1;
    put16(buf + 0x0A, 0x40);
    put16(buf + 0x0E, 2);         /* instance 2 */
    put64(buf + 0x18, 324);       /* highest VCN */
    put16(buf + 0x20, 0x40);
    put64(buf + 0x28, 1024000);   /* allocated, data, initialized: 0xFA000 */
    put64(buf + 0x30, 1024000);
    put64(buf + 0x38, 1024000);
    memcpy(buf + 0x40, frag_mp, sizeof frag_mp);
    uint8_t *a = own(buf, sizeof buf, 9);

    ntx_run runs[200];
    size_t n;
    assert_int_equal(decode_all(a, runs, 200, &n), NTX_END);
    assert_int_equal(n, 162);
    for (size_t i = 0; i < n; i++)
        expect_run(&runs[i], frag_runs[i].vcn, frag_runs[i].lcn, frag_runs[i].len);

    /* ntx_mp_find on the first and last VCN of every run. */
    for (size_t i = 0; i < n; i++) {
        ntx_run r;
        uint64_t v0 = frag_runs[i].vcn, v1 = v0 + frag_runs[i].len - 1;
        assert_int_equal(ntx_mp_find(&vol, a, v0, &r, 130), NTX_OK);
        expect_run(&r, frag_runs[i].vcn, frag_runs[i].lcn, frag_runs[i].len);
        assert_int_equal(ntx_mp_find(&vol, a, v1, &r, 130), NTX_OK);
        expect_run(&r, frag_runs[i].vcn, frag_runs[i].lcn, frag_runs[i].len);
    }
    /* VCN 325 belongs to the next extent (record 133): not mapped here. */
    ntx_run r;
    assert_int_equal(ntx_mp_find(&vol, a, 325, &r, 130), NTX_E_CORRUPT);
    assert_int_equal(vol.diag.check, NTX_CHK_RUN_UNMAPPED);
    assert_true(vol.diag.mft_no == 130);
    assert_true(vol.diag.offset == 325);
    free(a);
}

/* ---------------------------------------------------------------------------------------
 * Hand-encoded runs
 */

static void test_signed_deltas(void **state)
{
    (void)state;
    vol_reset(0x10000, 12);
    /*
     * 21 10 00 01    len 0x10, delta +0x0100          -> LCN 0x100, VCN 0..15
     * 11 05 F0       len 5,    delta 0xF0 = -0x10     -> LCN 0x0F0, VCN 16..20
     * 21 04 00 02    len 4,    delta +0x0200          -> LCN 0x2F0, VCN 21..24
     * 12 00 01 80    len 0x0100 (2 bytes), delta 0x80 = -128 -> LCN 0x270, VCN 25..280
     * 21 01 FF 7F    len 1,    delta 0x7FFF (2 bytes, sign bit clear) -> LCN 0x826F
     * 00
     * VCNs 0..281: highest 281.
     */
    static const uint8_t mp[] = { 0x21, 0x10, 0x00, 0x01, 0x11, 0x05, 0xF0, 0x21, 0x04,
                                  0x00, 0x02, 0x12, 0x00, 0x01, 0x80, 0x21, 0x01, 0xFF,
                                  0x7F, 0x00 };
    uint8_t *a = make_attr(mp, sizeof mp, 0, 281, false);
    ntx_run runs[8];
    size_t n;
    assert_int_equal(decode_all(a, runs, 8, &n), NTX_END);
    assert_int_equal(n, 5);
    expect_run(&runs[0], 0, 0x100, 16);
    expect_run(&runs[1], 16, 0xF0, 5);
    expect_run(&runs[2], 21, 0x2F0, 4);
    expect_run(&runs[3], 25, 0x270, 256);
    expect_run(&runs[4], 281, 0x826F, 1);
    free(a);
}

static void test_sparse_runs(void **state)
{
    (void)state;
    vol_reset(0x10000, 12);
    /*
     * 11 04 20       len 4, LCN 0x20                  VCN 0..3
     * 01 07          len 7, no delta: a hole          VCN 4..10
     * 11 02 08       len 2, delta +8 from 0x20 (not from the hole) -> LCN 0x28, VCN 11..12
     * 02 00 01       len 0x100, hole (2-byte length)  VCN 13..268
     * 00
     */
    static const uint8_t mp[] = { 0x11, 0x04, 0x20, 0x01, 0x07, 0x11, 0x02, 0x08,
                                  0x02, 0x00, 0x01, 0x00 };
    uint8_t *a = make_attr(mp, sizeof mp, 0, 268, false);
    ntx_run runs[8];
    size_t n;
    assert_int_equal(decode_all(a, runs, 8, &n), NTX_END);
    assert_int_equal(n, 4);
    expect_run(&runs[0], 0, 0x20, 4);
    expect_run(&runs[1], 4, HOLE, 7);
    expect_run(&runs[2], 11, 0x28, 2);
    expect_run(&runs[3], 13, HOLE, 256);

    ntx_run r;
    assert_int_equal(ntx_mp_find(&vol, a, 10, &r, MFT_NO), NTX_OK);
    expect_run(&r, 4, HOLE, 7);
    assert_int_equal(ntx_mp_find(&vol, a, 268, &r, MFT_NO), NTX_OK);
    expect_run(&r, 13, HOLE, 256);
    free(a);

    /* A file that is one hole (sparse 5 GiB file pattern): 04 00 00 14 00 = 0x140000
     * clusters of 4 KiB = 5 GiB, no LCN at all; highest 0x13FFFF. */
    static const uint8_t all_hole[] = { 0x04, 0x00, 0x00, 0x14, 0x00, 0x00 };
    a = make_attr(all_hole, sizeof all_hole, 0, 0x13FFFF, false);
    assert_int_equal(decode_all(a, runs, 8, &n), NTX_END);
    assert_int_equal(n, 1);
    expect_run(&runs[0], 0, HOLE, 0x140000);
    free(a);
}

static void test_zero_length_sparse_skipped(void **state)
{
    (void)state;
    vol_reset(0x10000, 12);
    /* R19: a zero-length sparse run (01 00) carries nothing and is skipped:
     * 01 00 | 11 04 20 | 01 00 | 00 -> one run, VCN 0..3 at LCN 0x20. */
    static const uint8_t mp[] = { 0x01, 0x00, 0x11, 0x04, 0x20, 0x01, 0x00, 0x00 };
    uint8_t *a = make_attr(mp, sizeof mp, 0, 3, false);
    ntx_run runs[4];
    size_t n;
    assert_int_equal(decode_all(a, runs, 4, &n), NTX_END);
    assert_int_equal(n, 1);
    expect_run(&runs[0], 0, 0x20, 4);
    free(a);

    /* Only empty holes before the terminator: an empty extent (R16 form). */
    static const uint8_t only[] = { 0x01, 0x00, 0x01, 0x00, 0x00 };
    a = make_attr(only, sizeof only, 0, UINT64_MAX, false);
    assert_int_equal(decode_all(a, runs, 4, &n), NTX_END);
    assert_int_equal(n, 0);
    free(a);
}

static void test_eight_byte_fields(void **state)
{
    (void)state;
    vol_reset(0x10000, 12);
    /* 88: 8-byte length 3, 8-byte delta +0x1000 -> VCN 0..2 at LCN 0x1000;
     * 81: 1-byte length 1, 8-byte delta FF x8 = -1 -> VCN 3 at LCN 0x0FFF. */
    static const uint8_t mp[] = {
        0x88, 0x03, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x10, 0, 0, 0, 0, 0, 0,
        0x81, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0x00,
    };
    uint8_t *a = make_attr(mp, sizeof mp, 0, 3, false);
    ntx_run runs[4];
    size_t n;
    assert_int_equal(decode_all(a, runs, 4, &n), NTX_END);
    assert_int_equal(n, 2);
    expect_run(&runs[0], 0, 0x1000, 3);
    expect_run(&runs[1], 3, 0x0FFF, 1);
    free(a);
}

static void test_later_extent(void **state)
{
    (void)state;
    vol_reset(0x10000, 12);
    /* An extent starting at VCN 325 (as record 133 of the fixture file): runs count
     * from lowest VCN; the LCN accumulator restarts at 0 in every extent. */
    static const uint8_t mp[] = { 0x21, 0x02, 0x00, 0x01, 0x11, 0x03, 0x10, 0x00 };
    uint8_t *a = make_attr(mp, sizeof mp, 325, 329, false);
    ntx_run runs[4];
    size_t n;
    assert_int_equal(decode_all(a, runs, 4, &n), NTX_END);
    assert_int_equal(n, 2);
    expect_run(&runs[0], 325, 0x100, 2);
    expect_run(&runs[1], 327, 0x110, 3);

    ntx_run r;
    assert_int_equal(ntx_mp_find(&vol, a, 329, &r, MFT_NO), NTX_OK);
    expect_run(&r, 327, 0x110, 3);
    assert_int_equal(ntx_mp_find(&vol, a, 324, &r, MFT_NO), NTX_E_CORRUPT);
    assert_int_equal(vol.diag.check, NTX_CHK_RUN_UNMAPPED);
    assert_true(vol.diag.offset == 324);
    assert_int_equal(ntx_mp_find(&vol, a, 330, &r, MFT_NO), NTX_E_CORRUPT);
    assert_int_equal(vol.diag.check, NTX_CHK_RUN_UNMAPPED);
    assert_true(vol.diag.offset == 330);
    free(a);
}

/* ---------------------------------------------------------------------------------------
 * Hostile runs
 */

static void test_r16_empty_runlist(void **state)
{
    (void)state;
    vol_reset(0x10000, 12);
    /* R16: highest VCN -1 (an empty extent) and only the terminator: no runs. */
    static const uint8_t end[] = { 0x00 };
    expect_decode(end, 1, 0, UINT64_MAX, false, 0, NTX_END, 0, 0);

    /* The same with a run: one cluster is already more than [0, -1] holds. */
    static const uint8_t one[] = { 0x11, 0x01, 0x20, 0x00 };
    expect_decode(one, sizeof one, 0, UINT64_MAX, false, 0, NTX_E_CORRUPT, NTX_CHK_RUN_VCN, 0x40);

    /* No VCN is mapped by an empty extent. */
    uint8_t *a = make_attr(end, 1, 0, UINT64_MAX, false);
    ntx_run r;
    assert_int_equal(ntx_mp_find(&vol, a, 0, &r, MFT_NO), NTX_E_CORRUPT);
    assert_int_equal(vol.diag.check, NTX_CHK_RUN_UNMAPPED);
    free(a);

    /* Highest 15 but the list is empty: the terminator comes before VCN 16. */
    expect_decode(end, 1, 0, 15, false, 0, NTX_E_CORRUPT, NTX_CHK_RUN_VCN, 0x40);
}

static void test_r17_header_nibbles(void **state)
{
    (void)state;
    vol_reset(0x10000, 12);
    /* Field sizes above 8 bytes. The array holds enough bytes after each header for
     * the sizes it claims, so only the size rule can reject it. Reported at the
     * header's offset in the attribute: 0x40 for the first, 0x43 for the second. */
    static const uint8_t heads[] = { 0x9F, 0xF1, 0x19, 0x91, 0x99, 0xFF };
    for (size_t i = 0; i < sizeof heads; i++) {
        uint8_t mp[40];
        memset(mp, 0x01, sizeof mp);
        mp[0] = heads[i];
        expect_decode(mp, sizeof mp, 0, 3, false, 0, NTX_E_CORRUPT, NTX_CHK_RUN_HEADER, 0x40);
        /* after one good run */
        mp[0] = 0x11;
        mp[1] = 0x01;
        mp[2] = 0x10;
        mp[3] = heads[i];
        expect_decode(mp, sizeof mp, 0, 3, false, 1, NTX_E_CORRUPT, NTX_CHK_RUN_HEADER, 0x43);
    }
    /* A length field of 0 bytes: 0x10 / 0x20 / 0xF0. */
    static const uint8_t nolen[] = { 0x10, 0x20, 0x80, 0xF0 };
    for (size_t i = 0; i < sizeof nolen; i++) {
        uint8_t mp[16];
        memset(mp, 0x01, sizeof mp);
        mp[0] = nolen[i];
        expect_decode(mp, sizeof mp, 0, 3, false, 0, NTX_E_CORRUPT, NTX_CHK_RUN_HEADER, 0x40);
    }
}

static void test_r18_attribute_end(void **state)
{
    (void)state;
    vol_reset(0x10000, 12);
    /* Missing terminator: two runs fill the 8 bytes up to the attribute end exactly
     * (0x40 + 8 = 0x48, no padding); the third read finds no byte at 0x48.
     *   21 04 00 01 -> LCN 0x100, VCN 0..3;  21 04 00 01 -> LCN 0x200, VCN 4..7 */
    static const uint8_t noterm[] = { 0x21, 0x04, 0x00, 0x01, 0x21, 0x04, 0x00, 0x01 };
    expect_decode(noterm, sizeof noterm, 0, 7, true, 2, NTX_E_CORRUPT, NTX_CHK_RUN_HEADER, 0x48);

    /* R18 recipe: the last header promises 4 + 4 bytes past the end:
     *   21 04 00 01 | 11 02 10 | 44   (0x44 at attribute offset 0x47, nothing after) */
    static const uint8_t past[] = { 0x21, 0x04, 0x00, 0x01, 0x11, 0x02, 0x10, 0x44 };
    expect_decode(past, sizeof past, 0, 99, true, 2, NTX_E_CORRUPT, NTX_CHK_RUN_HEADER, 0x47);

    /* One byte short: 31 at 0x44 needs 1 + 1 + 3 bytes, only 4 remain (0x44..0x47). */
    static const uint8_t short1[] = { 0x21, 0x04, 0x00, 0x01, 0x31, 0x02, 0x00, 0x01 };
    expect_decode(short1, sizeof short1, 0, 99, true, 1, NTX_E_CORRUPT, NTX_CHK_RUN_HEADER, 0x44);

    /* Mapping pairs offset == attribute length (accepted by ntx_attr_check: an empty
     * array): the first read is already at the end. */
    uint8_t buf[0x48];
    memset(buf, 0, sizeof buf);
    put32(buf, NTX_AT_DATA);
    put32(buf + 4, sizeof buf);
    buf[8] = 1;
    put16(buf + 0x0A, 0x40);
    put64(buf + 0x18, 0);
    put16(buf + 0x20, 0x48);
    put64(buf + 0x28, 4096);
    put64(buf + 0x30, 4096);
    put64(buf + 0x38, 4096);
    uint8_t *a = own(buf, sizeof buf, 12);
    ntx_mp_state st;
    ntx_run r;
    ntx_mp_begin(a, &st);
    assert_int_equal(ntx_mp_next(&vol, a, &st, &r, MFT_NO), NTX_E_CORRUPT);
    assert_int_equal(vol.diag.check, NTX_CHK_RUN_HEADER);
    assert_true(vol.diag.offset == 0x48);
    free(a);
}

static void test_r19_zero_length_data_run(void **state)
{
    (void)state;
    vol_reset(0x10000, 12);
    /* R19 recipe: 11 00 05 00 - a data run of 0 clusters at LCN 5. */
    static const uint8_t mp[] = { 0x11, 0x00, 0x05, 0x00 };
    expect_decode(mp, sizeof mp, 0, 3, false, 0, NTX_E_CORRUPT, NTX_CHK_RUN_LENGTH, 0x40);
    /* The same after a good run (reported at the second header, 0x43). */
    static const uint8_t mp2[] = { 0x11, 0x04, 0x20, 0x21, 0x00, 0x00, 0x01, 0x00 };
    expect_decode(mp2, sizeof mp2, 0, 7, false, 1, NTX_E_CORRUPT, NTX_CHK_RUN_LENGTH, 0x43);
}

static void test_negative_length(void **state)
{
    (void)state;
    vol_reset(0x10000, 12);
    /* The length is signed as ntfs-3g reads it: 11 80 20 is -128 clusters. */
    static const uint8_t neg[] = { 0x11, 0x80, 0x20, 0x00 };
    expect_decode(neg, sizeof neg, 0, 3, false, 0, NTX_E_CORRUPT, NTX_CHK_RUN_LENGTH, 0x40);
    /* 8-byte length with the top bit set (2^63 + 1): negative too. */
    static const uint8_t neg8[] = { 0x18, 0x01, 0, 0, 0, 0, 0, 0, 0x80, 0x00 };
    expect_decode(neg8, sizeof neg8, 0, 3, false, 0, NTX_E_CORRUPT, NTX_CHK_RUN_LENGTH, 0x40);
    /* A negative length in a sparse run: also rejected. */
    static const uint8_t negs[] = { 0x01, 0xFF, 0x00 };
    expect_decode(negs, sizeof negs, 0, 3, false, 0, NTX_E_CORRUPT, NTX_CHK_RUN_LENGTH, 0x40);
    /* 0x80 as a 2-byte length (12 80 00 20): +128, fine. */
    static const uint8_t pos[] = { 0x12, 0x80, 0x00, 0x20, 0x00 };
    expect_decode(pos, sizeof pos, 0, 127, false, 1, NTX_END, 0, 0);
}

static void test_r20_lcn_range(void **state)
{
    (void)state;
    vol_reset(100, 12); /* LCNs 0..99 */
    /* LCN < 0: 11 04 F0 = delta -16 from 0. */
    static const uint8_t neg[] = { 0x11, 0x04, 0xF0, 0x00 };
    expect_decode(neg, sizeof neg, 0, 3, false, 0, NTX_E_CORRUPT, NTX_CHK_RUN_LCN, 0x40);
    /* R20 recipe: 31 01 00 00 80 = delta 0x800000 as 3 signed bytes = -8388608. */
    static const uint8_t r20[] = { 0x31, 0x01, 0x00, 0x00, 0x80, 0x00 };
    expect_decode(r20, sizeof r20, 0, 0, false, 0, NTX_E_CORRUPT, NTX_CHK_RUN_LCN, 0x40);
    /* Going below 0 only through the second delta: 0x20, then -0x21. */
    static const uint8_t neg2[] = { 0x11, 0x01, 0x20, 0x11, 0x01, 0xDF, 0x00 };
    expect_decode(neg2, sizeof neg2, 0, 1, false, 1, NTX_E_CORRUPT, NTX_CHK_RUN_LCN, 0x43);

    /* 96 + 4 = 100 clusters: the run ends exactly at the volume end. */
    static const uint8_t fit[] = { 0x11, 0x04, 0x60, 0x00 };
    expect_decode(fit, sizeof fit, 0, 3, false, 1, NTX_END, 0, 0);
    /* 96 + 5 > 100. */
    static const uint8_t over[] = { 0x11, 0x05, 0x60, 0x00 };
    expect_decode(over, sizeof over, 0, 4, false, 0, NTX_E_CORRUPT, NTX_CHK_RUN_LCN, 0x40);
    /* LCN 100 == cluster count. */
    static const uint8_t at[] = { 0x11, 0x01, 0x64, 0x00 };
    expect_decode(at, sizeof at, 0, 0, false, 0, NTX_E_CORRUPT, NTX_CHK_RUN_LCN, 0x40);
    /* A huge length at a small LCN: 2^40 clusters at LCN 1 (VCNs in range). */
    static const uint8_t huge[] = { 0x16, 0, 0, 0, 0, 0, 0x01, 0x01, 0x00 };
    expect_decode(huge, sizeof huge, 0, (1ull << 40) - 1, false, 0, NTX_E_CORRUPT,
                  NTX_CHK_RUN_LCN, 0x40);
    /* Sparse runs have no LCN to check: a hole longer than the volume is fine. */
    static const uint8_t hole[] = { 0x02, 0x00, 0x10, 0x00 };
    expect_decode(hole, sizeof hole, 0, 0xFFF, false, 1, NTX_END, 0, 0);

    /* The signed accumulator overflowing: on a volume of 2^64 - 1 clusters,
     * 81 01 FE..FF 7F -> LCN 2^63 - 2; then 11 01 10 -> +16 overflows int64. */
    vol_reset(UINT64_MAX, 12);
    static const uint8_t ovf[] = { 0x81, 0x01, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F,
                                   0x11, 0x01, 0x10, 0x00 };
    expect_decode(ovf, sizeof ovf, 0, 1, false, 1, NTX_E_CORRUPT, NTX_CHK_RUN_LCN, 0x4A);
}

static void test_r21_vcn_coverage(void **state)
{
    (void)state;
    vol_reset(0x10000, 12);
    /* Runs exceeding the highest VCN: 8 clusters in an extent of 4. */
    static const uint8_t big[] = { 0x11, 0x08, 0x20, 0x00 };
    expect_decode(big, sizeof big, 0, 3, false, 0, NTX_E_CORRUPT, NTX_CHK_RUN_VCN, 0x40);
    /* The second run crosses the end: 4 + 8 > 10. */
    static const uint8_t big2[] = { 0x11, 0x04, 0x20, 0x11, 0x08, 0x10, 0x00 };
    expect_decode(big2, sizeof big2, 0, 9, false, 1, NTX_E_CORRUPT, NTX_CHK_RUN_VCN, 0x43);
    /* A hole crossing the end is refused the same way. */
    static const uint8_t bighole[] = { 0x11, 0x04, 0x20, 0x01, 0x08, 0x00 };
    expect_decode(bighole, sizeof bighole, 0, 9, false, 1, NTX_E_CORRUPT, NTX_CHK_RUN_VCN, 0x43);

    /* Terminator before the highest VCN (R21 recipe: highest += 5): runs cover 0..7,
     * highest says 12. Reported at the terminator, attribute offset 0x43. */
    static const uint8_t short_[] = { 0x11, 0x08, 0x20, 0x00 };
    expect_decode(short_, sizeof short_, 0, 12, false, 1, NTX_E_CORRUPT, NTX_CHK_RUN_VCN, 0x43);
    /* Exactly covered: END. */
    expect_decode(short_, sizeof short_, 0, 7, false, 1, NTX_END, 0, 0);

    /* ntx_mp_find for a VCN in the uncovered tail [8, 12]: the decoder reaches the
     * terminator and reports the coverage error. */
    uint8_t *a = make_attr(short_, sizeof short_, 0, 12, false);
    ntx_run r;
    assert_int_equal(ntx_mp_find(&vol, a, 10, &r, MFT_NO), NTX_E_CORRUPT);
    assert_int_equal(vol.diag.check, NTX_CHK_RUN_VCN);
    /* A VCN in the covered part is found before the terminator is reached. */
    assert_int_equal(ntx_mp_find(&vol, a, 7, &r, MFT_NO), NTX_OK);
    expect_run(&r, 0, 0x20, 8);
    free(a);
}

static void test_find_errors_after_good_runs(void **state)
{
    (void)state;
    vol_reset(0x10000, 12);
    /* Runs are decoded lazily: VCNs before a corrupt run are still mapped, VCNs
     * after it report the corruption (here a 0x9F header at 0x46). */
    static const uint8_t mp[] = { 0x11, 0x04, 0x20, 0x11, 0x04, 0x10, 0x9F, 0x00 };
    uint8_t *a = make_attr(mp, sizeof mp, 0, 11, false);
    ntx_run r;
    assert_int_equal(ntx_mp_find(&vol, a, 5, &r, MFT_NO), NTX_OK);
    expect_run(&r, 4, 0x30, 4);
    assert_int_equal(ntx_mp_find(&vol, a, 8, &r, MFT_NO), NTX_E_CORRUPT);
    assert_int_equal(vol.diag.check, NTX_CHK_RUN_HEADER);
    assert_true(vol.diag.offset == 0x46);
    assert_true(vol.diag.mft_no == MFT_NO);
    free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_begin),
        cmocka_unit_test(test_fixture_single_run),
        cmocka_unit_test(test_fixture_fragmented),
        cmocka_unit_test(test_signed_deltas),
        cmocka_unit_test(test_sparse_runs),
        cmocka_unit_test(test_zero_length_sparse_skipped),
        cmocka_unit_test(test_eight_byte_fields),
        cmocka_unit_test(test_later_extent),
        cmocka_unit_test(test_r16_empty_runlist),
        cmocka_unit_test(test_r17_header_nibbles),
        cmocka_unit_test(test_r18_attribute_end),
        cmocka_unit_test(test_r19_zero_length_data_run),
        cmocka_unit_test(test_negative_length),
        cmocka_unit_test(test_r20_lcn_range),
        cmocka_unit_test(test_r21_vcn_coverage),
        cmocka_unit_test(test_find_errors_after_good_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
