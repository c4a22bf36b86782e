/*
 * test_usn.c - change journal records (src/forensic/usn.c: ntx_usn_parse,
 * ntx_usn_reason_name).
 *
 * Oracle: the USN_RECORD_V2 layout and the USN_REASON_* values published in
 * Windows' winioctl.h and MS-FSCC 2.4 ("USN_RECORD_V2"): a record built here
 * field by field, and every defined reason bit by its documented value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "put.h"
#include "ntx.h"
#include "ntx/forensic.h"

/* A USN_RECORD_V2 for "a.txt" at the start of an 8-byte aligned buffer. */
static size_t build_v2(uint8_t *p, uint32_t reason)
{
    static const char name[] = "a.txt";
    const uint32_t len = 0x3C + 2 * 5 + 2; /* header, name, padding to 8 */
    memset(p, 0, len);
    put32(p + 0x00, len);
    put16(p + 0x04, 2);
    put16(p + 0x06, 0);
    put64(p + 0x08, 0x0001000000000040ull); /* record 64, sequence 1 */
    put64(p + 0x10, 0x0005000000000005ull); /* the root */
    put64(p + 0x18, 0x1000);
    put64(p + 0x20, 132000000000000000ull);
    put32(p + 0x28, reason);
    put32(p + 0x34, 0x20);
    put16(p + 0x38, 10);
    put16(p + 0x3A, 0x3C);
    for (int i = 0; i < 5; i++)
        put16(p + 0x3C + 2 * i, (uint16_t)name[i]);
    return len;
}

static void test_parse_v2(void **state)
{
    (void)state;
    uint8_t buf[4096] = {0};
    size_t n = build_v2(buf, 0x80000100u);
    size_t pos = 0;
    ntx_usn_record r;
    assert_int_equal(ntx_usn_parse(buf, sizeof buf, &pos, &r), NTX_OK);
    assert_int_equal(pos, n);
    assert_int_equal(r.major, 2);
    assert_int_equal(r.file_ref, 0x0001000000000040ull);
    assert_int_equal(r.parent_ref, 0x0005000000000005ull);
    assert_int_equal(r.usn, 0x1000);
    assert_int_equal(r.reason, 0x80000100u);
    assert_int_equal(r.file_attrs, 0x20);
    assert_int_equal(r.name_len, 5);
    assert_int_equal(r.name[0], 'a');
    assert_int_equal(r.name[4], 't');
    /* the rest of the page is zeros: no further record */
    assert_int_equal(ntx_usn_parse(buf, sizeof buf, &pos, &r), NTX_END);
}

/* winioctl.h: USN_REASON_DATA_OVERWRITE 0x00000001 ... USN_REASON_CLOSE
 * 0x80000000; bits 3, 7 and 24-30 name no reason. */
static void test_reason_names(void **state)
{
    (void)state;
    static const struct {
        uint32_t bit;
        const char *name;
    } want[] = {
        {0x00000001, "DATA_OVERWRITE"},       {0x00000002, "DATA_EXTEND"},
        {0x00000004, "DATA_TRUNCATION"},      {0x00000010, "NAMED_DATA_OVERWRITE"},
        {0x00000020, "NAMED_DATA_EXTEND"},    {0x00000040, "NAMED_DATA_TRUNCATION"},
        {0x00000100, "FILE_CREATE"},          {0x00000200, "FILE_DELETE"},
        {0x00000400, "EA_CHANGE"},            {0x00000800, "SECURITY_CHANGE"},
        {0x00001000, "RENAME_OLD_NAME"},      {0x00002000, "RENAME_NEW_NAME"},
        {0x00004000, "INDEXABLE_CHANGE"},     {0x00008000, "BASIC_INFO_CHANGE"},
        {0x00010000, "HARD_LINK_CHANGE"},     {0x00020000, "COMPRESSION_CHANGE"},
        {0x00040000, "ENCRYPTION_CHANGE"},    {0x00080000, "OBJECT_ID_CHANGE"},
        {0x00100000, "REPARSE_POINT_CHANGE"}, {0x00200000, "STREAM_CHANGE"},
        {0x00400000, "TRANSACTED_CHANGE"},    {0x00800000, "INTEGRITY_CHANGE"},
        {0x80000000, "CLOSE"},
    };
    uint32_t named = 0;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const char *got = ntx_usn_reason_name(want[i].bit);
        assert_non_null(got);
        assert_string_equal(got, want[i].name);
        named |= want[i].bit;
    }
    for (unsigned k = 0; k < 32; k++)
        if (!(named & (1u << k)))
            assert_null(ntx_usn_reason_name(1u << k));
    assert_null(ntx_usn_reason_name(0));
    assert_null(ntx_usn_reason_name(0x80000100u)); /* two bits */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_v2),
        cmocka_unit_test(test_reason_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
