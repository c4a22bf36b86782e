/*
 * test_attrlist.c - $ATTRIBUTE_LIST entries (src/attrlist.c: ntx_alist_size,
 * ntx_alist_entry_at, ntx_alist_find).
 *
 * Oracles:
 *  1. The attribute list of /frag/fragmented.bin in the ntfs-512 fixture (MFT record
 *     130, non-resident, 256 bytes at LCN 0x2272), with the entries ntfs-3g's ntfsinfo
 *     prints for it (ntfsinfo -v -i 130 ntfs-512.img, "Dumping attribute list:"), and
 *     fixtures/verification.txt ("$DATA in records [130, 133, 136, 137, 139], lowest VCNs
 *     [0, 325, 771, 1217, 1663]"). The bytes are used both as a resident value and, through
 *     a memory disk, as the original non-resident list.
 *  2. Hand-built entries from ntfs-3g layout.h ATTR_LIST_ENTRY (restated in attrlist.c):
 *     type u32 0x00, length u16 0x04 (8-aligned), name length u8 0x06, name offset u8
 *     0x07, lowest VCN 0x08, MFT reference 0x10, instance u16 0x18, name from 0x1A. An
 *     unnamed entry is 0x1A bytes rounded up to 0x20; a 3-unit name ends at 0x20.
 *  3. R23 (and R25's size cap) of docs/robustness.md, each with NTX_E_CORRUPT and vol->diag.
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
#include "mft/alist.h"
#include "image.h"
#include "ntx/file.h"
#include "put.h"

#define BASE 130u

static ntx_volume vol;

/* ntx_alist_find() with the query spelled out. */
static ntx_err ntx_alist_find_args(ntx_volume *v, const uint8_t *al, uint64_t base_no,
                                   bool deleted, uint32_t type, const uint16_t *name,
                                   size_t name_len, uint64_t vcn, ntx_alist_entry *best)
{
    const ntx_alist_query q = { .name = name, .type = type, .name_len = (uint8_t)name_len,
                                .deleted = deleted };
    return ntx_alist_find(v, al, base_no, &q, vcn, best);
}

/* The 256 bytes of the list (ntfs-512, LCN 0x2272 = byte 0x44E400). */
static const uint8_t frag_list[256] = {
    0x10, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x1A, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x82, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x30, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x1A, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x83, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x50, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x1A, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x82, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x80, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x1A, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x82, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x80, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x1A, 0x45, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x85, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x80, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x1A, 0x03, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x88, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x80, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x1A, 0xC1, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x89, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x80, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x1A, 0x7F, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x8B, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* The $ATTRIBUTE_LIST attribute of record 130 (record offset 0x80). ntfsinfo: "Attribute
 * length: 72, Resident: No, Attribute instance: 4, Lowest VCN 0, Highest VCN: 0,
 * Mapping pairs offset: 64, Data size: 256, Allocated size: 512, Initialized size: 256,
 * Runlist: VCN 0x0 LCN 0x2272 Length 0x1". */
static const uint8_t frag_list_attr[72] = {
    0x20, 0x00, 0x00, 0x00, 0x48, 0x00, 0x00, 0x00, 0x01, 0x00, 0x40, 0x00, 0x00, 0x00, 0x04, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x21, 0x01, 0x72, 0x22, 0x00, 0x02, 0x00, 0x00,
};

/* ntfsinfo's "Attribute type / Starting VCN / MFT reference / Instance" for each entry
 * (all "Record length: 32, Name length: 0, Name offset: 26"). */
static const struct {
    uint32_t type;
    uint64_t vcn, rec;
    uint16_t instance;
} frag_entries[8] = {
    { 0x10, 0, 130, 0 },    { 0x30, 0, 131, 0 },    { 0x50, 0, 130, 1 },
    { 0x80, 0, 130, 2 },    { 0x80, 325, 133, 0 },  { 0x80, 771, 136, 0 },
    { 0x80, 1217, 137, 0 }, { 0x80, 1663, 139, 0 },
};

/* A resident $ATTRIBUTE_LIST holding n bytes of entries, in an exact heap block. */
static uint8_t *resident_list(const uint8_t *entries, size_t n)
{
    size_t len = (0x18 + n + 7) & ~(size_t)7;
    uint8_t *a = calloc(1, len);
    assert_non_null(a);
    put32(a, NTX_AT_ATTRIBUTE_LIST);
    put32(a + 4, (uint32_t)len);
    put16(a + 0x0A, 0x18);
    put32(a + 0x10, (uint32_t)n);
    put16(a + 0x14, 0x18);
    memcpy(a + 0x18, entries, n);
    ntx_check chk;
    assert_int_equal(ntx_attr_check(a, len, 12, &chk), NTX_OK);
    return a;
}

/* Write an entry at p; returns its length (0x1A + 2 * name units, rounded up to 8). */
static size_t put_entry(uint8_t *p, uint32_t type, const char *name, uint64_t vcn, uint64_t ref,
                        uint16_t instance)
{
    size_t nl = name ? strlen(name) : 0;
    size_t len = (0x1A + 2 * nl + 7) & ~(size_t)7;
    memset(p, 0, len);
    put32(p + 0x00, type);
    put16(p + 0x04, (uint16_t)len);
    p[0x06] = (uint8_t)nl;
    p[0x07] = 0x1A;
    put64(p + 0x08, vcn);
    put64(p + 0x10, ref);
    put16(p + 0x18, instance);
    for (size_t i = 0; i < nl; i++)
        put16(p + 0x1A + 2 * i, (uint16_t)name[i]);
    return len;
}

static void expect_entry_error(const uint8_t *al, uint32_t pos, uint32_t want_off)
{
    ntx_alist_entry e;
    const uint8_t *name;
    memset(&vol.diag, 0, sizeof vol.diag);
    ntx_err rc = ntx_alist_entry_at(&vol, al, BASE, pos, &e, &name);
    if (rc != NTX_E_CORRUPT)
        fprintf(stderr, "entry at 0x%x: rc %d, want E_ATTRLIST\n", pos, rc);
    assert_int_equal(rc, NTX_E_CORRUPT);
    assert_int_equal(vol.diag.err, NTX_E_CORRUPT);
    assert_int_equal(vol.diag.check, NTX_CHK_ALIST_ENTRY);
    assert_true(vol.diag.mft_no == BASE);
    assert_true(vol.diag.offset == want_off);
}

/* Walk a list and compare with frag_entries. */
static void check_frag_walk(const uint8_t *al)
{
    uint32_t pos = 0;
    for (size_t i = 0; i < 8; i++) {
        ntx_alist_entry e;
        const uint8_t *name;
        assert_int_equal(ntx_alist_entry_at(&vol, al, BASE, pos, &e, &name), NTX_OK);
        assert_int_equal(e.type, frag_entries[i].type);
        assert_int_equal(e.length, 32);
        assert_int_equal(e.name_len, 0);
        assert_true(e.lowest_vcn == frag_entries[i].vcn);
        assert_true(NTX_REF_MFT(e.ref) == frag_entries[i].rec);
        assert_int_equal(e.instance, frag_entries[i].instance);
        pos += e.length;
    }
    ntx_alist_entry e;
    const uint8_t *name;
    assert_int_equal(pos, 256);
    assert_int_equal(ntx_alist_entry_at(&vol, al, BASE, pos, &e, &name), NTX_END);
    assert_int_equal(ntx_alist_entry_at(&vol, al, BASE, 1000, &e, &name), NTX_END);
}

/* ntx_alist_find(0x80, unnamed, vcn) against the extents ntfsinfo lists. */
static void check_frag_find(const uint8_t *al)
{
    static const struct {
        uint64_t vcn, rec;
        uint16_t instance;
    } q[] = {
        { 0, 130, 2 },    { 324, 130, 2 },  { 325, 133, 0 },  { 770, 133, 0 },
        { 771, 136, 0 },  { 1216, 136, 0 }, { 1217, 137, 0 }, { 1662, 137, 0 },
        { 1663, 139, 0 }, { 1999, 139, 0 }, { UINT64_MAX, 139, 0 },
    };
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        ntx_alist_entry e;
        assert_int_equal(ntx_alist_find_args(&vol, al, BASE, false, NTX_AT_DATA, NULL, 0, q[i].vcn, &e),
                         NTX_OK);
        assert_true(NTX_REF_MFT(e.ref) == q[i].rec);
        assert_int_equal(e.instance, q[i].instance);
        assert_true(e.lowest_vcn <= q[i].vcn);
    }
    ntx_alist_entry e;
    assert_int_equal(ntx_alist_find_args(&vol, al, BASE, false, NTX_AT_FILE_NAME, NULL, 0, 0, &e), NTX_OK);
    assert_true(NTX_REF_MFT(e.ref) == 131);
    assert_int_equal(ntx_alist_find_args(&vol, al, BASE, false, NTX_AT_INDEX_ROOT, NULL, 0, 0, &e),
                     NTX_E_NOT_FOUND);
    static const uint16_t x[1] = { 'x' };
    assert_int_equal(ntx_alist_find_args(&vol, al, BASE, false, NTX_AT_DATA, x, 1, 0, &e), NTX_E_NOT_FOUND);
}

/* ---------------------------------------------------------------------------------------
 * The fixture's list
 */

static void test_fixture_resident(void **state)
{
    (void)state;
    memset(&vol, 0, sizeof vol);
    uint8_t *al = resident_list(frag_list, sizeof frag_list);
    assert_true(ntx_alist_size(al) == 256);
    check_frag_walk(al);
    check_frag_find(al);
    free(al);
}

/* The memory disk behind the non-resident list. */
static struct ntx_test_memdisk md;
static uint8_t *md_data;
static uint8_t bounce[512], al_win[NTX_ALIST_WINDOW];

/* A volume of 512-byte sectors and clusters whose device is md_data (size bytes). */
static void vol_nonresident(size_t size)
{
    memset(&vol, 0, sizeof vol);
    ntx_test_memdisk_init(&md, md_data, size);
    md.check_align = 512;
    ntx_test_memdisk_io(&md, &vol.io);
    vol.geo.sector_size = 512;
    vol.geo.cluster_size = 512;
    vol.geo.block_size = 512;
    vol.geo.total_sectors = size / 512 - 1; /* the last sector is the backup boot sector */
    vol.geo.cluster_count = size / 512 - 1;
    vol.sector_shift = 9;
    vol.cluster_shift = 9;
    vol.block_shift = 9;
    vol.bounce = bounce;
    vol.bounce_off = UINT64_MAX;
    vol.al_win = al_win;
    vol.al_win_rec = UINT64_MAX;
}

static void test_fixture_nonresident(void **state)
{
    (void)state;
    /* The list at LCN 0x2272 of a disk of 0x2274 clusters. */
    size_t size = 0x2274u * 512u;
    md_data = calloc(1, size);
    assert_non_null(md_data);
    memcpy(md_data + 0x2272u * 512u, frag_list, sizeof frag_list);
    memset(md_data + 0x2272u * 512u + 256, 0xEE, 256); /* past the data size: never an entry */
    vol_nonresident(size);

    uint8_t *al = malloc(sizeof frag_list_attr);
    memcpy(al, frag_list_attr, sizeof frag_list_attr);
    ntx_check chk;
    assert_int_equal(ntx_attr_check(al, sizeof frag_list_attr, 9, &chk), NTX_OK);
    assert_true(ntx_alist_size(al) == 256);          /* the data size, not the allocation */
    check_frag_walk(al);
    check_frag_find(al);
    /* Every read was block-aligned (the memory disk fails any other with -22). */
    assert_true(md.failures == 0);
    assert_true(md.reads >= 1);
    free(al);
    free(md_data);
}

static void test_nonresident_window(void **state)
{
    (void)state;
    /* A 3000-byte list of entries of 0x20 and 0x28 bytes (names of 0..4 units), so entries
     * straddle every 1 KiB window boundary; read non-resident (LCN 4, 6 clusters) and
     * resident, both walks must agree entry by entry. */
    uint8_t list[3072];
    size_t n = 0, count = 0;
    static const char *names[] = { NULL, "a", "bc", "def", "ghij" };
    while (n + 0x28 <= 3000) {
        n += put_entry(list + n, 0x80, names[count % 5], count * 10, NTX_REF(200 + count, 1),
                       (uint16_t)count);
        count++;
    }
    size_t size = 16u * 512u;
    md_data = calloc(1, size);
    memcpy(md_data + 4 * 512, list, n);
    vol_nonresident(size);

    uint8_t a[0x48];
    memset(a, 0, sizeof a);
    put32(a, NTX_AT_ATTRIBUTE_LIST);
    put32(a + 4, sizeof a);
    a[8] = 1;
    put16(a + 0x0A, 0x40);
    put64(a + 0x18, 5);                /* 6 clusters: VCN 0..5 */
    put16(a + 0x20, 0x40);
    put64(a + 0x28, 6 * 512);
    put64(a + 0x30, n);
    put64(a + 0x38, n);
    a[0x40] = 0x11;                    /* 6 clusters at LCN 4 */
    a[0x41] = 0x06;
    a[0x42] = 0x04;
    ntx_check chk;
    assert_int_equal(ntx_attr_check(a, sizeof a, 9, &chk), NTX_OK);

    uint8_t *res = resident_list(list, n);
    uint32_t pos = 0;
    size_t seen = 0;
    for (;;) {
        ntx_alist_entry e1, e2;
        const uint8_t *n1, *n2;
        ntx_err r1 = ntx_alist_entry_at(&vol, a, BASE, pos, &e1, &n1);
        ntx_err r2 = ntx_alist_entry_at(&vol, res, BASE, pos, &e2, &n2);
        assert_int_equal(r1, r2);
        if (r1 == NTX_END)
            break;
        assert_int_equal(r1, NTX_OK);
        assert_int_equal(e1.type, e2.type);
        assert_int_equal(e1.length, e2.length);
        assert_int_equal(e1.name_len, e2.name_len);
        assert_true(e1.lowest_vcn == e2.lowest_vcn);
        assert_true(e1.ref == e2.ref);
        assert_int_equal(e1.instance, e2.instance);
        assert_memory_equal(n1, n2, 2u * e1.name_len);
        assert_true(e1.lowest_vcn == seen * 10);
        pos += e1.length;
        seen++;
    }
    assert_int_equal(seen, count);
    assert_int_equal(pos, n);
    assert_true(md.failures == 0);

    /* find by name across the windows: "ghij" entries have count % 5 == 4. */
    static const uint16_t ghij[4] = { 'g', 'h', 'i', 'j' };
    ntx_alist_entry e;
    assert_int_equal(ntx_alist_find_args(&vol, a, BASE, false, 0x80, ghij, 4, 1000, &e), NTX_OK);
    uint64_t want = 0;                 /* entry i has lowest VCN 10 * i */
    for (size_t i = 0; i < count; i++)
        if (i % 5 == 4 && i * 10 <= 1000)
            want = i * 10;
    assert_true(want > 0);
    assert_true(e.lowest_vcn == want);
    free(res);
    free(md_data);
}

/* ---------------------------------------------------------------------------------------
 * Hand-built lists
 */

static void test_names_and_extents(void **state)
{
    (void)state;
    memset(&vol, 0, sizeof vol);
    uint8_t list[512];
    size_t n = 0;
    /* Out of order on purpose: ntx_alist_find must pick the largest lowest VCN <= vcn,
     * not the last or the first match. */
    n += put_entry(list + n, 0x10, NULL, 0, NTX_REF(50, 1), 0);
    n += put_entry(list + n, 0x80, NULL, 0x200, NTX_REF(53, 1), 0);
    n += put_entry(list + n, 0x80, "ads", 0, NTX_REF(54, 1), 1);
    n += put_entry(list + n, 0x80, NULL, 0, NTX_REF(51, 1), 2);
    n += put_entry(list + n, 0x80, NULL, 0x100, NTX_REF(52, 1), 0);
    n += put_entry(list + n, 0x80, "ads", 0x40, NTX_REF(55, 1), 0);
    n += put_entry(list + n, 0x80, "adsx", 0, NTX_REF(56, 1), 0);
    assert_int_equal(n, 6 * 0x20 + 0x28); /* "adsx": 0x1A + 8 = 0x22 -> 0x28 */
    uint8_t *al = resident_list(list, n);

    ntx_alist_entry e;
    static const struct {
        uint64_t vcn, rec;
    } q[] = { { 0, 51 }, { 0xFF, 51 }, { 0x100, 52 }, { 0x1FF, 52 }, { 0x200, 53 }, { 1u << 30, 53 } };
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        assert_int_equal(ntx_alist_find_args(&vol, al, 50, false, 0x80, NULL, 0, q[i].vcn, &e), NTX_OK);
        assert_true(NTX_REF_MFT(e.ref) == q[i].rec);
    }
    static const uint16_t ads[3] = { 'a', 'd', 's' }, ADS[3] = { 'A', 'D', 'S' };
    static const uint16_t adsx[4] = { 'a', 'd', 's', 'x' };
    assert_int_equal(ntx_alist_find_args(&vol, al, 50, false, 0x80, ads, 3, 0x3F, &e), NTX_OK);
    assert_true(NTX_REF_MFT(e.ref) == 54);
    assert_int_equal(e.instance, 1);
    assert_int_equal(ntx_alist_find_args(&vol, al, 50, false, 0x80, ads, 3, 0x40, &e), NTX_OK);
    assert_true(NTX_REF_MFT(e.ref) == 55);
    assert_int_equal(ntx_alist_find_args(&vol, al, 50, false, 0x80, adsx, 4, 0, &e), NTX_OK);
    assert_true(NTX_REF_MFT(e.ref) == 56);
    /* Names compare exactly (attribute names are case-sensitive), and by length. */
    assert_int_equal(ntx_alist_find_args(&vol, al, 50, false, 0x80, ADS, 3, 0, &e), NTX_E_NOT_FOUND);
    assert_int_equal(ntx_alist_find_args(&vol, al, 50, false, 0x80, ads, 2, 0, &e), NTX_E_NOT_FOUND);
    /* $STANDARD_INFORMATION with a VCN > 0 still maps to its only entry (lowest 0). */
    assert_int_equal(ntx_alist_find_args(&vol, al, 50, false, 0x10, NULL, 0, 7, &e), NTX_OK);
    assert_true(NTX_REF_MFT(e.ref) == 50);

    /* The name pointer of a named entry points into the list. */
    const uint8_t *name;
    assert_int_equal(ntx_alist_entry_at(&vol, al, 50, 0x40, &e, &name), NTX_OK);
    assert_int_equal(e.name_len, 3);
    assert_ptr_equal(name, al + 0x18 + 0x40 + 0x1A);
    assert_int_equal(name[0], 'a');
    free(al);
}

/* A deleted directory of the ntfs-4k fixture (record 5208) keeps a list whose size was cut
 * from 216 to 184 bytes when its $FILE_NAME entry was removed, while the entries were not
 * rewritten: its last entry (40 bytes at 176) sticks out of the list by 32 bytes. A file
 * in use with such a list is corrupt (R23); a deleted file's list is read as far as its
 * entries are intact (ntx_alist_query.deleted). */
static void test_deleted_list_cut_short(void **state)
{
    (void)state;
    memset(&vol, 0, sizeof vol);
    uint8_t list[256];
    size_t n = 0;
    n += put_entry(list + n, 0x10, NULL, 0, NTX_REF(BASE, 1), 0);
    n += put_entry(list + n, 0x30, NULL, 0, NTX_REF(BASE + 1, 1), 0);
    n += put_entry(list + n, 0x50, NULL, 0, NTX_REF(BASE, 1), 1);
    n += put_entry(list + n, 0x80, "ads", 0, NTX_REF(BASE, 1), 2);
    assert_int_equal(n, 4 * 0x20);
    n += put_entry(list + n, 0xB0, "$I30", 0, NTX_REF(BASE, 1), 4); /* 0x28 bytes */
    uint8_t *al = resident_list(list, n - 0x20);                      /* cut inside it */

    ntx_alist_entry e;
    static const uint16_t ads[3] = { 'a', 'd', 's' };
    assert_int_equal(ntx_alist_find_args(&vol, al, BASE, false, 0x50, NULL, 0, 0, &e),
                     NTX_E_CORRUPT);
    assert_int_equal(vol.diag.check, NTX_CHK_ALIST_ENTRY);
    assert_int_equal(ntx_alist_find_args(&vol, al, BASE, true, 0x50, NULL, 0, 0, &e), NTX_OK);
    assert_int_equal(e.instance, 1);
    assert_int_equal(ntx_alist_find_args(&vol, al, BASE, true, 0x80, ads, 3, 0, &e), NTX_OK);
    assert_int_equal(e.instance, 2);
    assert_int_equal(ntx_alist_find_args(&vol, al, BASE, true, 0xB0, NULL, 0, 0, &e),
                     NTX_E_NOT_FOUND);
    free(al);
}

static void test_r23_entry_length(void **state)
{
    (void)state;
    memset(&vol, 0, sizeof vol);
    uint8_t list[1024];
    size_t n;
    /* Three unnamed entries at 0x00, 0x20, 0x40; the middle one is made bad. R23
     * recipe "AL entry+04=u16:0"; then 0x18 and 0x19 (< 0x1A), 0x1C and 0x24
     * (unaligned), 0x28 and 0x48 (past the list end 0x60), 0xFFF8. */
    static const uint16_t bad[] = { 0, 8, 0x18, 0x19, 0x1C, 0x24, 0x48, 0xFFF8 };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        n = 0;
        n += put_entry(list + n, 0x10, NULL, 0, NTX_REF(BASE, 1), 0);
        n += put_entry(list + n, 0x30, NULL, 0, NTX_REF(BASE, 1), 1);
        n += put_entry(list + n, 0x80, NULL, 0, NTX_REF(BASE, 1), 2);
        put16(list + 0x20 + 4, bad[i]);
        uint8_t *al = resident_list(list, n);
        expect_entry_error(al, 0x20, 0x20);
        /* ntx_alist_find reports it too, even when a match came before it. */
        ntx_alist_entry e;
        assert_int_equal(ntx_alist_find_args(&vol, al, BASE, false, 0x10, NULL, 0, 0, &e), NTX_E_CORRUPT);
        assert_int_equal(vol.diag.check, NTX_CHK_ALIST_ENTRY);
        assert_true(vol.diag.offset == 0x20);
        free(al);
    }
    /* The last entry claiming 0x28 bytes with 0x20 left. */
    n = 0;
    n += put_entry(list + n, 0x10, NULL, 0, NTX_REF(BASE, 1), 0);
    n += put_entry(list + n, 0x80, NULL, 0, NTX_REF(BASE, 1), 2);
    put16(list + 0x20 + 4, 0x28);
    uint8_t *al = resident_list(list, n);
    expect_entry_error(al, 0x20, 0x20);
    free(al);

    /* Longer than any entry can be (0x1A + 255 * 2 = 0x218), with room for it. */
    memset(list, 0, sizeof list);
    put_entry(list, 0x80, NULL, 0, NTX_REF(BASE, 1), 0);
    put16(list + 4, 0x220);
    al = resident_list(list, 0x300);
    expect_entry_error(al, 0, 0);
    free(al);
    /* 0x218 itself (a 255-unit name) is accepted. */
    memset(list, 0, sizeof list);
    put_entry(list, 0x80, NULL, 0, NTX_REF(BASE, 1), 0);
    put16(list + 4, 0x218);
    list[6] = 255;
    al = resident_list(list, 0x218);
    ntx_alist_entry e;
    const uint8_t *name;
    assert_int_equal(ntx_alist_entry_at(&vol, al, BASE, 0, &e, &name), NTX_OK);
    assert_int_equal(e.name_len, 255);
    free(al);
}

static void test_r23_truncated(void **state)
{
    (void)state;
    memset(&vol, 0, sizeof vol);
    uint8_t list[64];
    /* One entry and 0x10 stray bytes: the second "entry" has no room for a header. */
    memset(list, 0x80, sizeof list);
    put_entry(list, 0x10, NULL, 0, NTX_REF(BASE, 1), 0);
    uint8_t *al = resident_list(list, 0x30);
    ntx_alist_entry e;
    const uint8_t *name;
    assert_int_equal(ntx_alist_entry_at(&vol, al, BASE, 0, &e, &name), NTX_OK);
    expect_entry_error(al, 0x20, 0x20);
    free(al);
    /* 0x19 bytes: one short of a header. */
    al = resident_list(list, 0x19);
    expect_entry_error(al, 0, 0);
    free(al);
    /* An empty list: END at once, ntx_alist_find finds nothing. */
    al = resident_list(list, 0);
    assert_int_equal(ntx_alist_entry_at(&vol, al, BASE, 0, &e, &name), NTX_END);
    assert_int_equal(ntx_alist_find_args(&vol, al, BASE, false, 0x10, NULL, 0, 0, &e), NTX_E_NOT_FOUND);
    free(al);
}

static void test_r23_name_outside(void **state)
{
    (void)state;
    memset(&vol, 0, sizeof vol);
    uint8_t list[128];
    struct {
        uint8_t name_len, name_off;
    } bad[] = {
        { 4, 0x1A },   /* 0x1A + 8 = 0x22 > 0x20 */
        { 255, 0x1A }, /* 0x1A + 510 */
        { 1, 0x10 },   /* inside the header (the lowest VCN) */
        { 1, 0x00 },
        { 1, 0x19 },
        { 1, 0xFF },   /* past the entry */
        { 3, 0x1C },   /* 0x1C + 6 = 0x22 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(list, 0, sizeof list);
        put_entry(list, 0x80, "ads", 0, NTX_REF(BASE, 1), 0);
        put_entry(list + 0x20, 0x80, NULL, 0, NTX_REF(BASE, 1), 1);
        list[6] = bad[i].name_len;
        list[7] = bad[i].name_off;
        uint8_t *al = resident_list(list, 0x40);
        expect_entry_error(al, 0, 0);
        free(al);
    }
    /* Name length 0 with a wild offset: the offset is never used. */
    memset(list, 0, sizeof list);
    put_entry(list, 0x80, NULL, 0, NTX_REF(BASE, 1), 0);
    list[7] = 0xFF;
    uint8_t *al = resident_list(list, 0x20);
    ntx_alist_entry e;
    const uint8_t *name;
    assert_int_equal(ntx_alist_entry_at(&vol, al, BASE, 0, &e, &name), NTX_OK);
    free(al);
}

static void test_r25_size_cap(void **state)
{
    (void)state;
    memset(&vol, 0, sizeof vol);
    /* R25 recipe: a non-resident list with data size 1 GiB is refused before any read
     * (no device is set up: a read would crash). */
    uint8_t a[0x48];
    memcpy(a, frag_list_attr, sizeof a);
    put64(a + 0x28, 0x40000000);
    put64(a + 0x30, 0x40000000);
    put64(a + 0x38, 0x40000000);
    put64(a + 0x18, 0x40000000 / 512 - 1);
    ntx_check chk;
    assert_int_equal(ntx_attr_check(a, sizeof a, 9, &chk), NTX_OK);
    ntx_alist_entry e;
    const uint8_t *name;
    assert_int_equal(ntx_alist_entry_at(&vol, a, BASE, 0, &e, &name), NTX_E_CORRUPT);
    assert_int_equal(vol.diag.check, NTX_CHK_ALIST_SIZE);
    assert_true(vol.diag.mft_no == BASE);
    assert_true(vol.diag.offset == 0);
    assert_int_equal(ntx_alist_find_args(&vol, a, BASE, false, 0x80, NULL, 0, 0, &e), NTX_E_CORRUPT);

    /* The cap is NTX_MAX_ATTRLIST_SIZE (256 KiB) inclusive: a resident list of 8192
     * entries of 0x20 bytes is walked to the end, one byte more is refused. */
    size_t n = NTX_MAX_ATTRLIST_SIZE;
    uint8_t *list = malloc(n + 8);
    for (size_t i = 0; i < n / 0x20; i++)
        put_entry(list + 0x20 * i, 0x80, NULL, i, NTX_REF(BASE, 1), 0);
    uint8_t *al = resident_list(list, n);
    assert_int_equal(ntx_alist_find_args(&vol, al, BASE, false, 0x80, NULL, 0, UINT64_MAX, &e), NTX_OK);
    assert_true(e.lowest_vcn == n / 0x20 - 1);
    free(al);
    al = resident_list(list, n + 8);
    assert_int_equal(ntx_alist_entry_at(&vol, al, BASE, 0, &e, &name), NTX_E_CORRUPT);
    assert_int_equal(vol.diag.check, NTX_CHK_ALIST_SIZE);
    free(al);
    free(list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_resident),
        cmocka_unit_test(test_fixture_nonresident),
        cmocka_unit_test(test_nonresident_window),
        cmocka_unit_test(test_names_and_extents),
        cmocka_unit_test(test_deleted_list_cut_short),
        cmocka_unit_test(test_r23_entry_length),
        cmocka_unit_test(test_r23_truncated),
        cmocka_unit_test(test_r23_name_outside),
        cmocka_unit_test(test_r25_size_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
