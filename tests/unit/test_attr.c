/*
 * test_attr.c - the attribute record header (src/attr.c: ntx_attr_check and the
 * accessors of src/attr.h).
 *
 * Oracles:
 *  1. Three attributes copied from the root directory (MFT record 5) of the ntfs-512
 *     fixture, with the field values ntfs-3g's ntfsinfo prints for them
 *     (ntfsinfo -v -i 5 ntfs-512.img, ntfs-3g 2022.10.3).
 *  2. The layout of ntfs-3g layout.h ATTR_RECORD (restated in attr.c's header
 *     comment): resident header 0x18 bytes, value length u32 at 0x10, value offset u16 at
 *     0x14; non-resident header 0x40 bytes, lowest/highest VCN at 0x10/0x18, mapping
 *     pairs offset u16 at 0x20, allocated/data/initialized sizes at 0x28/0x30/0x38.
 *  3. R10-R15 (docs/robustness.md): each hostile header gets NTX_E_CORRUPT and the ntx_check naming
 *     the field.
 * Attributes are checked inside a heap block of exactly `room` bytes, so any read
 * past the room the caller grants is an ASan error.
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
#include "ntx/file.h"
#include "put.h"

/* Run ntx_attr_check on the first room bytes of src, copied to an exact heap block. */
static ntx_err check(const uint8_t *src, size_t room, unsigned cluster_shift, ntx_check *chk)
{
    uint8_t *a = malloc(room ? room : 1);
    assert_non_null(a);
    memcpy(a, src, room);
    *chk = NTX_CHK_NONE;
    ntx_err rc = ntx_attr_check(a, room, cluster_shift, chk);
    free(a);
    return rc;
}

static void expect_ok(const uint8_t *src, size_t room, unsigned cluster_shift)
{
    ntx_check chk;
    ntx_err rc = check(src, room, cluster_shift, &chk);
    if (rc != NTX_OK)
        fprintf(stderr, "expected OK, got %d check %d\n", rc, chk);
    assert_int_equal(rc, NTX_OK);
}

static void expect_bad(const uint8_t *src, size_t room, unsigned cluster_shift, ntx_check want)
{
    ntx_check chk;
    ntx_err rc = check(src, room, cluster_shift, &chk);
    if (rc != NTX_E_CORRUPT || chk != want)
        fprintf(stderr, "expected E_ATTR check %d, got %d check %d\n", want, rc, chk);
    assert_int_equal(rc, NTX_E_CORRUPT);
    assert_int_equal(chk, want);
}

/* A resident attribute: header 0x18, optional name at 0x18, value after it (8-aligned). */
static size_t make_resident(uint8_t *a, uint32_t type, unsigned name_len, uint32_t value_len)
{
    uint32_t value_off = (uint32_t)((0x18 + 2 * name_len + 7) & ~7u);
    uint32_t len = (value_off + value_len + 7) & ~7u;
    memset(a, 0, len);
    put32(a + 0x00, type);
    put32(a + 0x04, len);
    a[0x09] = (uint8_t)name_len;
    put16(a + 0x0A, 0x18);
    put32(a + 0x10, value_len);
    put16(a + 0x14, (uint16_t)value_off);
    for (unsigned i = 0; i < name_len; i++)
        put16(a + 0x18 + 2 * i, (uint16_t)('a' + i));
    for (uint32_t i = 0; i < value_len; i++)
        a[value_off + i] = (uint8_t)(0xC0 + i);
    return len;
}

/* A non-resident attribute: header 0x40, mapping pairs "11 01 20 00" (one cluster at
 * LCN 0x20) at 0x40, 8 bytes; sizes for clusters of 2^cs bytes. */
static size_t make_nonres(uint8_t *a, uint64_t lowest, uint64_t highest, unsigned cs)
{
    memset(a, 0, 0x48);
    put32(a + 0x00, NTX_AT_DATA);
    put32(a + 0x04, 0x48);
    a[0x08] = 1;
    put16(a + 0x0A, 0x40);
    put64(a + 0x10, lowest);
    put64(a + 0x18, highest);
    put16(a + 0x20, 0x40);
    uint64_t alloc = (uint64_t)1 << cs;
    put64(a + 0x28, alloc);
    put64(a + 0x30, alloc - 100);
    put64(a + 0x38, alloc - 200);
    a[0x40] = 0x11;
    a[0x41] = 0x01;
    a[0x42] = 0x20;
    return 0x48;
}

/* ---------------------------------------------------------------------------------------
 * Real attributes (ntfs-512 fixture, MFT record 5)
 */

/* $FILE_NAME at record offset 0x80. ntfsinfo: "Attribute length: 96, Resident: Yes,
 * Name length: 0, Name offset: 24, Attribute instance: 1, Data size: 68,
 * Data offset: 24, Resident flags: 0x01, Parent directory: 5, Filename Length: 1,
 * Namespace: Win32 & DOS, Filename: '.'". */
static const uint8_t root_file_name[96] = {
    0x30, 0x00, 0x00, 0x00, 0x60, 0x00, 0x00, 0x00, 0x00, 0x00, 0x18, 0x00, 0x00, 0x00, 0x01, 0x00,
    0x44, 0x00, 0x00, 0x00, 0x18, 0x00, 0x01, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x00,
    0x00, 0x6D, 0x6A, 0x27, 0x4C, 0x7B, 0xDD, 0x01, 0x00, 0x6D, 0x6A, 0x27, 0x4C, 0x7B, 0xDD, 0x01,
    0x00, 0x6D, 0x6A, 0x27, 0x4C, 0x7B, 0xDD, 0x01, 0x00, 0x6D, 0x6A, 0x27, 0x4C, 0x7B, 0xDD, 0x01,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x06, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x2E, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* $INDEX_ROOT "$I30" at record offset 0x128. ntfsinfo: "Attribute length: 88, Resident:
 * Yes, Name length: 4, Name offset: 24, Attribute name: '$I30', Attribute instance: 3,
 * Data size: 56, Data offset: 32". */
static const uint8_t root_index_root[88] = {
    0x90, 0x00, 0x00, 0x00, 0x58, 0x00, 0x00, 0x00, 0x00, 0x04, 0x18, 0x00, 0x00, 0x00, 0x03, 0x00,
    0x38, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x24, 0x00, 0x49, 0x00, 0x33, 0x00, 0x30, 0x00,
    0x30, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00,
    0x10, 0x00, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x18, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* $INDEX_ALLOCATION "$I30" at record offset 0x180. ntfsinfo: "Attribute length: 80,
 * Resident: No, Name length: 4, Name offset: 64, Attribute instance: 5, Lowest VCN 0,
 * Highest VCN: 7, Mapping pairs offset: 72, Compression unit: 0, Data size: 4096,
 * Allocated size: 4096, Initialized size: 4096". Clusters of 512 bytes. */
static const uint8_t root_index_allocation[80] = {
    0xA0, 0x00, 0x00, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01, 0x04, 0x40, 0x00, 0x00, 0x00, 0x05, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x48, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x24, 0x00, 0x49, 0x00, 0x33, 0x00, 0x30, 0x00, 0x21, 0x08, 0x28, 0x30, 0x00, 0x00, 0x00, 0x00,
};

static const uint16_t I30[4] = { '$', 'I', '3', '0' };

static void test_fixture_resident(void **state)
{
    (void)state;
    const uint8_t *a = root_file_name;
    expect_ok(a, sizeof root_file_name, 9);
    assert_int_equal(ntx_attr_type(a), NTX_AT_FILE_NAME);
    assert_int_equal(ntx_attr_length(a), 96);
    assert_true(ntx_attr_is_resident(a));
    assert_int_equal(ntx_attr_name_len(a), 0);
    assert_int_equal(ntx_attr_instance(a), 1);
    assert_int_equal(ntx_attr_flags(a), 0);
    ntx_span v = ntx_attr_value(a);
    assert_ptr_equal(v.p, a + 24);
    assert_int_equal(v.len, 68);
    assert_int_equal(v.p[0x40], 1);     /* Filename Length: 1 */
    assert_int_equal(v.p[0x41], 3);     /* Namespace: Win32 & DOS */
    assert_int_equal(v.p[0x42], '.');
    assert_true(ntx_attr_matches(a, NTX_AT_FILE_NAME, NULL, 0));

    a = root_index_root;
    expect_ok(a, sizeof root_index_root, 9);
    assert_int_equal(ntx_attr_type(a), NTX_AT_INDEX_ROOT);
    assert_int_equal(ntx_attr_name_len(a), 4);
    assert_ptr_equal(ntx_attr_name(a), a + 24);
    assert_int_equal(ntx_attr_instance(a), 3);
    v = ntx_attr_value(a);
    assert_ptr_equal(v.p, a + 32);
    assert_int_equal(v.len, 56);
    assert_true(ntx_attr_matches(a, NTX_AT_INDEX_ROOT, I30, 4));
    assert_false(ntx_attr_matches(a, NTX_AT_INDEX_ROOT, NULL, 0));
    assert_false(ntx_attr_matches(a, NTX_AT_INDEX_ROOT, I30, 3));
    assert_false(ntx_attr_matches(a, NTX_AT_INDEX_ALLOCATION, I30, 4));
    static const uint16_t i31[4] = { '$', 'I', '3', '1' };
    assert_false(ntx_attr_matches(a, NTX_AT_INDEX_ROOT, i31, 4));
    static const uint16_t lower[4] = { '$', 'i', '3', '0' };   /* names match exactly */
    assert_false(ntx_attr_matches(a, NTX_AT_INDEX_ROOT, lower, 4));
}

static void test_fixture_nonresident(void **state)
{
    (void)state;
    const uint8_t *a = root_index_allocation;
    expect_ok(a, sizeof root_index_allocation, 9);
    assert_int_equal(ntx_attr_type(a), NTX_AT_INDEX_ALLOCATION);
    assert_false(ntx_attr_is_resident(a));
    assert_int_equal(ntx_attr_name_len(a), 4);
    assert_ptr_equal(ntx_attr_name(a), a + 64);
    assert_int_equal(ntx_attr_instance(a), 5);
    assert_true(ntx_attr_lowest_vcn(a) == 0);
    assert_true(ntx_attr_vcn_end(a) == 8);          /* highest 7 + 1 */
    assert_int_equal(ntx_attr_mp_offset(a), 72);
    assert_int_equal(ntx_attr_cu(a), 0);
    assert_true(ntx_attr_alloc_size(a) == 4096);
    assert_true(ntx_attr_data_size(a) == 4096);
    assert_true(ntx_attr_init_size(a) == 4096);
    assert_true(ntx_attr_matches(a, NTX_AT_INDEX_ALLOCATION, I30, 4));
    /* 4096 is also a multiple of 4 KiB clusters; with 64 KiB clusters it is not. */
    expect_ok(a, sizeof root_index_allocation, 12);
    expect_bad(a, sizeof root_index_allocation, 16, NTX_CHK_ATTR_SIZES);
}

/* ---------------------------------------------------------------------------------------
 * Hand-built valid headers
 */

static void test_minimal_headers(void **state)
{
    (void)state;
    uint8_t a[256];
    /* Resident, no name, empty value: 0x18 bytes is the whole attribute. */
    size_t len = make_resident(a, NTX_AT_DATA, 0, 0);
    assert_int_equal(len, 0x18);
    expect_ok(a, len, 12);
    ntx_span v = ntx_attr_value(a);
    assert_int_equal(v.len, 0);
    /* An empty value may even say offset 0 (nothing is read). */
    put16(a + 0x14, 0);
    expect_ok(a, len, 12);

    /* Resident, 5-byte value at 0x18: length 0x18 + 5 -> 0x20. */
    len = make_resident(a, NTX_AT_DATA, 0, 5);
    assert_int_equal(len, 0x20);
    expect_ok(a, len, 12);
    /* Named "abc" (6 bytes at 0x18), value at 0x20. */
    len = make_resident(a, NTX_AT_DATA, 3, 5);
    assert_int_equal(len, 0x28);
    expect_ok(a, len, 12);
    /* room larger than the attribute: fine. */
    expect_ok(a, sizeof a, 12);

    /* Non-resident: 0x40 header + 8 bytes of mapping pairs. */
    len = make_nonres(a, 0, 0, 12);
    expect_ok(a, len, 12);
    /* Mapping pairs offset == length (an empty array) is a valid header. */
    put16(a + 0x20, 0x48);
    expect_ok(a, len, 12);
    /* The smallest non-resident header: 0x40 bytes, pairs at 0x40 == length. */
    put32(a + 0x04, 0x40);
    put16(a + 0x20, 0x40);
    expect_ok(a, 0x40, 12);
}

/* ---------------------------------------------------------------------------------------
 * Hostile headers
 */

static void test_r10_length(void **state)
{
    (void)state;
    uint8_t a[256];
    size_t len = make_resident(a, NTX_AT_DATA, 0, 5); /* 0x20 */

    /* Less room than a header: not even the length field is trusted. */
    expect_bad(a, 0x17, 12, NTX_CHK_ATTR_LENGTH);
    expect_bad(a, 0, 12, NTX_CHK_ATTR_LENGTH);

    /* 0 (GRUB 272ff81c: loops forever), below the header, unaligned, past the room,
     * R10's 0xFFFFFF7F and an aligned 0xFFFFFFF8 (wraps a 32-bit offset + length). */
    static const uint32_t bad[] = { 0, 8, 0x10, 0x1C, 0x21, 0x28, 0x100, 0xFFFFFF7Fu,
                                    0xFFFFFFF8u };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        put32(a + 4, bad[i]);
        expect_bad(a, len, 12, NTX_CHK_ATTR_LENGTH);
    }
    /* Exactly the room. */
    put32(a + 4, (uint32_t)len);
    expect_ok(a, len, 12);
    /* A length check failure wins over the other fields (type 0, non-resident 2). */
    put32(a + 0, 0);
    a[8] = 2;
    put32(a + 4, 0);
    expect_bad(a, len, 12, NTX_CHK_ATTR_LENGTH);
}

static void test_r11_type(void **state)
{
    (void)state;
    uint8_t a[64];
    size_t len = make_resident(a, 0, 0, 0);
    /* Type 0 and types that are not multiples of 0x10 (R11; ntfs3 mi_enum_attr). */
    /* ...and types above $LOGGED_UTILITY_STREAM (0x100), which no NTFS
     * version defines (R11, R37: the core does not read $AttrDef). */
    static const uint32_t bad[] = { 0, 0x01, 0x15, 0x1F, 0x8F, 0x110, 0x1000, 0xFFFFFFFFu };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        put32(a, bad[i]);
        expect_bad(a, len, 12, NTX_CHK_ATTR_ORDER);
    }
    /* Every defined type passes. */
    for (uint32_t t = 0x10; t <= 0x100; t += 0x10) {
        put32(a, t);
        expect_ok(a, len, 12);
    }
}

static void test_r12_nonresident_form(void **state)
{
    (void)state;
    uint8_t a[128];
    size_t len = make_nonres(a, 0, 0, 12);
    /* non_resident is a boolean byte: 2 (R12 recipe) and 0xFF are refused. */
    a[8] = 2;
    expect_bad(a, len, 12, NTX_CHK_ATTR_NONRES_HEADER);
    a[8] = 0xFF;
    expect_bad(a, len, 12, NTX_CHK_ATTR_NONRES_HEADER);

    /* A non-resident attribute shorter than its 0x40-byte header. */
    len = make_nonres(a, 0, 0, 12);
    put32(a + 4, 0x38);
    put16(a + 0x20, 0x38);
    expect_bad(a, 0x38, 12, NTX_CHK_ATTR_NONRES_HEADER);
    put32(a + 4, 0x18);
    expect_bad(a, 0x18, 12, NTX_CHK_ATTR_NONRES_HEADER);

    /* Mapping pairs inside the header (0x38, 0) or past the attribute (0x50). */
    len = make_nonres(a, 0, 0, 12);
    static const uint16_t mp[] = { 0, 0x18, 0x38, 0x3F, 0x49, 0x50, 0xFFFF };
    for (size_t i = 0; i < sizeof mp / sizeof mp[0]; i++) {
        put16(a + 0x20, mp[i]);
        expect_bad(a, len, 12, NTX_CHK_ATTR_NONRES_HEADER);
    }
}

static void test_r13_name(void **state)
{
    (void)state;
    uint8_t a[256];
    /* Resident, 3 units at 0x18, value at 0x20: length 0x28. */
    size_t len = make_resident(a, NTX_AT_DATA, 3, 5);

    /* R13 recipe: name length 255 (510 bytes) in a 0x28-byte attribute. */
    a[9] = 255;
    expect_bad(a, len, 12, NTX_CHK_ATTR_NAME);
    /* 8 units at 0x18 end at 0x28 == length: still inside. 9 do not. */
    a[9] = 8;
    expect_ok(a, len, 12);
    a[9] = 9;
    expect_bad(a, len, 12, NTX_CHK_ATTR_NAME);
    a[9] = 3;
    /* Offset inside the header, past the length, far past. */
    static const uint16_t off[] = { 0x00, 0x10, 0x17, 0x29, 0x30, 0xFFFF };
    for (size_t i = 0; i < sizeof off / sizeof off[0]; i++) {
        put16(a + 0x0A, off[i]);
        expect_bad(a, len, 12, NTX_CHK_ATTR_NAME);
    }
    /* 0x22 + 6 = 0x28: the last bytes. */
    put16(a + 0x0A, 0x22);
    expect_ok(a, len, 12);
    /* With no name the offset is not used. */
    a[9] = 0;
    put16(a + 0x0A, 0xFFFF);
    expect_ok(a, len, 12);

    /* Non-resident: the name must not start inside the 0x40-byte header. */
    len = make_nonres(a, 0, 0, 12);
    a[9] = 2;
    put16(a + 0x0A, 0x18);
    expect_bad(a, len, 12, NTX_CHK_ATTR_NAME);
    put16(a + 0x0A, 0x3E);
    expect_bad(a, len, 12, NTX_CHK_ATTR_NAME);
    /* 0x44 + 4 = 0x48. (It overlaps the mapping pairs; attr.c only bounds it by the
     * attribute: R13 in docs/robustness.md says why that is enough.) */
    put16(a + 0x0A, 0x44);
    expect_ok(a, len, 12);
    put16(a + 0x0A, 0x46);
    expect_bad(a, len, 12, NTX_CHK_ATTR_NAME);
}

static void test_r14_resident_value(void **state)
{
    (void)state;
    uint8_t a[256];
    size_t len = make_resident(a, NTX_AT_DATA, 0, 5); /* value 5 bytes at 0x18, length 0x20 */

    /* R14 recipe: value length 0xFFF0. */
    put32(a + 0x10, 0xFFF0);
    expect_bad(a, len, 12, NTX_CHK_ATTR_RESIDENT_VALUE);
    /* Offset + length wrapping 32 bits. */
    put32(a + 0x10, 0xFFFFFFF0u);
    expect_bad(a, len, 12, NTX_CHK_ATTR_RESIDENT_VALUE);
    /* One byte too many: 0x18 + 9 > 0x20; exactly 8 fits. */
    put32(a + 0x10, 9);
    expect_bad(a, len, 12, NTX_CHK_ATTR_RESIDENT_VALUE);
    put32(a + 0x10, 8);
    expect_ok(a, len, 12);
    /* Offset past the attribute, and a non-empty value inside the header. */
    put32(a + 0x10, 0);
    put16(a + 0x14, 0x28);
    expect_bad(a, len, 12, NTX_CHK_ATTR_RESIDENT_VALUE);
    put32(a + 0x10, 4);
    put16(a + 0x14, 0x10);
    expect_bad(a, len, 12, NTX_CHK_ATTR_RESIDENT_VALUE);
    /* An empty value at the very end. */
    put32(a + 0x10, 0);
    put16(a + 0x14, 0x20);
    expect_ok(a, len, 12);

    /* The offset is a u16: bytes 0x16..0x17 are the resident flags (0x01 = indexed, as
     * in every $FILE_NAME) and padding. Read as a u32 the offset would be 0x10018 and
     * the value refused (or read from far away). */
    len = make_resident(a, NTX_AT_DATA, 0, 5);
    a[0x16] = 0x01;
    a[0x17] = 0xFF;
    expect_ok(a, len, 12);
    ntx_span v = ntx_attr_value(a);
    assert_ptr_equal(v.p, a + 0x18);
    assert_int_equal(v.len, 5);
}

static void test_r15_sizes(void **state)
{
    (void)state;
    uint8_t a[128];
    size_t len;

    /* 4 KiB clusters: alloc 4096, data 3996, init 3896 is fine. */
    len = make_nonres(a, 0, 0, 12);
    expect_ok(a, len, 12);
    /* init > data. R15 recipe: init := ~0. */
    put64(a + 0x38, 3997);
    expect_bad(a, len, 12, NTX_CHK_ATTR_SIZES);
    put64(a + 0x38, UINT64_MAX);
    expect_bad(a, len, 12, NTX_CHK_ATTR_SIZES);
    /* data > alloc (init <= data). */
    len = make_nonres(a, 0, 0, 12);
    put64(a + 0x30, 4097);
    expect_bad(a, len, 12, NTX_CHK_ATTR_SIZES);
    /* init == data == alloc. */
    put64(a + 0x30, 4096);
    put64(a + 0x38, 4096);
    expect_ok(a, len, 12);
    /* alloc not a cluster multiple: 4097, and 512 (a multiple of 512-byte clusters
     * only; the same header passes with cluster_shift 9). */
    put64(a + 0x28, 4097);
    expect_bad(a, len, 12, NTX_CHK_ATTR_SIZES);
    put64(a + 0x28, 512);
    put64(a + 0x30, 512);
    put64(a + 0x38, 512);
    expect_bad(a, len, 12, NTX_CHK_ATTR_SIZES);
    expect_ok(a, len, 9);
    /* alloc above INT64_MAX (aligned): 2^63. */
    put64(a + 0x28, 1ull << 63);
    expect_bad(a, len, 12, NTX_CHK_ATTR_SIZES);
    /* All zero: an empty non-resident value. */
    put64(a + 0x28, 0);
    put64(a + 0x30, 0);
    put64(a + 0x38, 0);
    expect_ok(a, len, 12);

    /* Only the first extent (lowest VCN 0) carries sizes: later extents are not
     * checked against them (ntfs-3g and Windows leave them zero or stale). */
    len = make_nonres(a, 5, 9, 12);
    put64(a + 0x28, 4097);
    put64(a + 0x30, UINT64_MAX);
    put64(a + 0x38, UINT64_MAX);
    expect_ok(a, len, 12);
}

static void test_r15_vcns(void **state)
{
    (void)state;
    uint8_t a[128];
    size_t len;

    /* lowest > highest + 1: 5 > 3 + 1. */
    len = make_nonres(a, 5, 3, 12);
    expect_bad(a, len, 12, NTX_CHK_ATTR_NONRES_HEADER);
    /* lowest == highest + 1: an empty extent at VCN 4. */
    len = make_nonres(a, 4, 3, 12);
    expect_ok(a, len, 12);
    /* highest -1 (empty attribute) with lowest 0: fine; with lowest 1: not. */
    len = make_nonres(a, 0, UINT64_MAX, 12);
    put64(a + 0x28, 0);
    put64(a + 0x30, 0);
    put64(a + 0x38, 0);
    expect_ok(a, len, 12);
    put64(a + 0x10, 1);
    expect_bad(a, len, 12, NTX_CHK_ATTR_NONRES_HEADER);

    /* VCNs whose byte offset cannot fit in 63 bits: with 4 KiB clusters the largest
     * VCN is 2^(63-12) - 1 = 2^51 - 1, and highest + 1 must stay <= it. */
    uint64_t max_vcn = (1ull << 51) - 1;
    len = make_nonres(a, max_vcn, max_vcn - 1, 12);
    expect_ok(a, len, 12);
    len = make_nonres(a, max_vcn + 1, max_vcn, 12);
    expect_bad(a, len, 12, NTX_CHK_ATTR_NONRES_HEADER);
    len = make_nonres(a, 8, max_vcn, 12);
    expect_bad(a, len, 12, NTX_CHK_ATTR_NONRES_HEADER);
    len = make_nonres(a, 8, max_vcn - 1, 12);
    expect_ok(a, len, 12);
    /* With 2 MiB clusters the bound is 2^42 - 1. */
    len = make_nonres(a, 8, (1ull << 42) - 1, 21);
    expect_bad(a, len, 21, NTX_CHK_ATTR_NONRES_HEADER);
    len = make_nonres(a, 8, (1ull << 42) - 2, 21);
    expect_ok(a, len, 21);
    /* Negative (as s64) VCNs other than highest = -1. */
    len = make_nonres(a, 0, UINT64_MAX - 1, 12);
    expect_bad(a, len, 12, NTX_CHK_ATTR_NONRES_HEADER);
    len = make_nonres(a, UINT64_MAX, 0, 12);
    expect_bad(a, len, 12, NTX_CHK_ATTR_NONRES_HEADER);
}

static void test_name_equal_disk(void **state)
{
    (void)state;
    /* "$I30" in UTF-16LE, and a name with a unit above 0xFF ("é" U+00E9, "Ω" U+03A9). */
    static const uint8_t disk[] = { 0x24, 0x00, 0x49, 0x00, 0x33, 0x00, 0x30, 0x00 };
    assert_true(ntx_name_equal_disk(disk, I30, 4));
    assert_true(ntx_name_equal_disk(disk, I30, 0));
    static const uint8_t disk2[] = { 0xE9, 0x00, 0xA9, 0x03 };
    static const uint16_t host2[] = { 0x00E9, 0x03A9 };
    static const uint16_t swapped[] = { 0xE900, 0xA903 };
    assert_true(ntx_name_equal_disk(disk2, host2, 2));
    assert_false(ntx_name_equal_disk(disk2, swapped, 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_resident),
        cmocka_unit_test(test_fixture_nonresident),
        cmocka_unit_test(test_minimal_headers),
        cmocka_unit_test(test_r10_length),
        cmocka_unit_test(test_r11_type),
        cmocka_unit_test(test_r12_nonresident_form),
        cmocka_unit_test(test_r13_name),
        cmocka_unit_test(test_r14_resident_value),
        cmocka_unit_test(test_r15_sizes),
        cmocka_unit_test(test_r15_vcns),
        cmocka_unit_test(test_name_equal_disk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
