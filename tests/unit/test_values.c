/*
 * test_values.c - the typed value parsers of forensic.h on values built by
 * hand from their specifications: $STANDARD_INFORMATION and $OBJECT_ID
 * (ntfs-3g layout.h), $EA entries (layout.h EA_ATTR), self-relative security
 * descriptors, SIDs and ACEs (MS-DTYP 2.4.2, 2.4.4, 2.4.5, 2.4.6), $EFS
 * headers (MS-EFSR 2.2.2.1 and 2.2.2.2), and $FILE_NAME values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "put.h"
#include "ntx.h"

static void test_std_info(void **state)
{
    (void)state;
    uint8_t v[0x48] = { 0 };
    ntx_std_info si;
    for (unsigned i = 0; i < 4; i++)
        put64(v + 8 * i, 0x01D0000000000000ull + i);
    put32(v + 0x20, 0x20);   /* archive */
    put32(v + 0x34, 0x101);  /* security id */
    put64(v + 0x40, 0x1234); /* USN */
    assert_int_equal(ntx_std_info_parse(v, 0x30, &si), NTX_OK);
    assert_false(si.v3);
    assert_int_equal(si.times[NTX_TIME_ACCESS], 0x01D0000000000003ull);
    assert_int_equal(si.security_id, 0); /* NTFS 1.2 layout: not read past 0x30 */
    assert_int_equal(ntx_std_info_parse(v, 0x48, &si), NTX_OK);
    assert_true(si.v3);
    assert_int_equal(si.file_attrs, 0x20);
    assert_int_equal(si.security_id, 0x101);
    assert_int_equal(si.usn, 0x1234);
    assert_int_equal(ntx_std_info_parse(v, 0x2F, &si), NTX_E_CORRUPT); /* R38 */
}

static void test_object_id(void **state)
{
    (void)state;
    uint8_t v[64];
    ntx_object_id id;
    for (unsigned i = 0; i < 64; i++)
        v[i] = (uint8_t)i;
    assert_int_equal(ntx_object_id_parse(v, 16, &id), NTX_OK);
    assert_false(id.extended);
    assert_int_equal(id.object_id[15], 15);
    assert_int_equal(ntx_object_id_parse(v, 64, &id), NTX_OK);
    assert_true(id.extended);
    assert_int_equal(id.birth_volume_id[0], 16);
    assert_int_equal(id.domain_id[15], 63);
    assert_int_equal(ntx_object_id_parse(v, 15, &id), NTX_E_CORRUPT);
    assert_int_equal(ntx_object_id_parse(v, 32, &id), NTX_E_CORRUPT);
}

/* One $EA entry at e: next offset, flags, name, value (layout.h EA_ATTR). */
static size_t put_ea(uint8_t *e, uint32_t next, uint8_t flags, const char *name,
                     const char *value)
{
    size_t nl = strlen(name), vl = strlen(value);
    put32(e, next);
    e[4] = flags;
    e[5] = (uint8_t)nl;
    put16(e + 6, (uint16_t)vl);
    memcpy(e + 8, name, nl + 1);
    memcpy(e + 8 + nl + 1, value, vl);
    return 8 + nl + 1 + vl;
}

static void test_ea(void **state)
{
    (void)state;
    uint8_t v[64] = { 0 };
    /* "$LXUID" = "1000" (8 + 7 + 4 = 19, next entry at 20), then "A" = "xy" (last) */
    put_ea(v, 20, 0, "$LXUID", "1000");
    size_t second = put_ea(v + 20, 0, 0x80, "A", "xy");
    size_t len = 20 + second, pos = 0;
    ntx_ea ea;
    assert_int_equal(ntx_ea_next(v, len, &pos, &ea), NTX_OK);
    assert_int_equal(ea.name_len, 6);
    assert_memory_equal(ea.name, "$LXUID", 6);
    assert_int_equal(ea.value_len, 4);
    assert_memory_equal(ea.value, "1000", 4);
    assert_int_equal(pos, 20);
    assert_int_equal(ntx_ea_next(v, len, &pos, &ea), NTX_OK);
    assert_int_equal(ea.flags, 0x80);
    assert_memory_equal(ea.value, "xy", 2);
    assert_int_equal(ntx_ea_next(v, len, &pos, &ea), NTX_END);

    /* R42: a next offset inside the entry, a value past the attribute */
    pos = 0;
    put32(v, 4);
    assert_int_equal(ntx_ea_next(v, len, &pos, &ea), NTX_E_CORRUPT);
    put32(v, 20);
    put16(v + 6, 200);
    assert_int_equal(ntx_ea_next(v, len, &pos, &ea), NTX_E_CORRUPT);
    assert_int_equal(ntx_ea_next(v, 7, &pos, &ea), NTX_E_CORRUPT);
}

/* A SID at p: revision 1, count, 48-bit big-endian authority, sub-authorities. */
static size_t put_sid(uint8_t *p, uint64_t authority, unsigned count, const uint32_t *sub)
{
    p[0] = 1;
    p[1] = (uint8_t)count;
    for (unsigned i = 0; i < 6; i++)
        p[2 + i] = (uint8_t)(authority >> (8 * (5 - i)));
    for (unsigned i = 0; i < count; i++)
        put32(p + 8 + 4 * i, sub[i]);
    return 8 + 4 * count;
}

/*
 * The descriptor ntfs-3g gives new files (ntfsinfo on the sample's README.txt
 * prints it: control 0x8004, owner and group S-1-5-32-544, no SACL, a DACL of
 * one ACE "allow, flags 0x3, mask 0x1f01ff, S-1-1-0"), laid out by MS-DTYP:
 * header 20 bytes, DACL at 20 (8 + ACE of 8 + SID 12 = 28 bytes), owner at
 * 48, group at 64; 80 bytes, as ntfsinfo's "Data size: 80".
 */
static size_t build_sd(uint8_t *sd)
{
    static const uint32_t admins[2] = { 32, 544 }, everyone[1] = { 0 };
    memset(sd, 0, 80);
    sd[0] = 1;
    put16(sd + 2, 0x8004);
    put32(sd + 4, 48);
    put32(sd + 8, 64);
    put32(sd + 12, 0);
    put32(sd + 16, 20);
    sd[20] = 2;             /* ACL revision */
    put16(sd + 22, 28);     /* ACL size */
    put16(sd + 24, 1);      /* ACE count */
    sd[28] = 0;             /* ACCESS_ALLOWED_ACE_TYPE */
    sd[29] = 3;             /* OBJECT_INHERIT | CONTAINER_INHERIT */
    put16(sd + 30, 20);     /* ACE size: 8 + SID of 12 */
    put32(sd + 32, 0x1F01FF);
    put_sid(sd + 36, 1, 1, everyone);
    put_sid(sd + 48, 5, 2, admins);
    put_sid(sd + 64, 5, 2, admins);
    return 80;
}

static void test_security_descriptor(void **state)
{
    (void)state;
    uint8_t sd[128];
    size_t len = build_sd(sd);
    ntx_sd_info info;
    ntx_ace ace;
    assert_int_equal(ntx_sd_parse(sd, len, &info), NTX_OK);
    assert_int_equal(info.control, 0x8004);
    assert_true(info.has_owner && info.has_group);
    assert_int_equal(info.owner.authority, 5);
    assert_int_equal(info.owner.sub_count, 2);
    assert_int_equal(info.owner.sub[1], 544);
    assert_int_equal(info.dacl_off, 20);
    assert_int_equal(info.dacl_count, 1);
    assert_int_equal(info.sacl_off, 0);
    assert_int_equal(ntx_sd_ace(sd, len, info.dacl_off, 0, &ace), NTX_OK);
    assert_int_equal(ace.type, 0);
    assert_int_equal(ace.flags, 3);
    assert_int_equal(ace.mask, 0x1F01FF);
    assert_true(ace.has_sid);
    assert_int_equal(ace.sid.authority, 1);
    assert_int_equal(ace.sid.sub[0], 0);
    assert_int_equal(ntx_sd_ace(sd, len, info.dacl_off, 1, &ace), NTX_END);

    /* Hostile: owner offset past the end, 16 sub-authorities, ACE size 0 or
     * past the ACL, ACL size past the descriptor. */
    put32(sd + 4, 200);
    assert_int_equal(ntx_sd_parse(sd, len, &info), NTX_E_CORRUPT);
    put32(sd + 4, 48);
    sd[49] = 16;
    assert_int_equal(ntx_sd_parse(sd, len, &info), NTX_E_CORRUPT);
    sd[49] = 2;
    put16(sd + 30, 0);
    assert_int_equal(ntx_sd_ace(sd, len, 20, 0, &ace), NTX_E_CORRUPT);
    put16(sd + 30, 40);
    assert_int_equal(ntx_sd_ace(sd, len, 20, 0, &ace), NTX_E_CORRUPT);
    put16(sd + 30, 20);
    put16(sd + 22, 200);
    assert_int_equal(ntx_sd_parse(sd, len, &info), NTX_E_CORRUPT);
    assert_int_equal(ntx_sd_parse(sd, 19, &info), NTX_E_CORRUPT);
}

/* An object ACE (type 5) puts a flags word and GUIDs before its SID. */
static void test_object_ace(void **state)
{
    (void)state;
    static const uint32_t sub[1] = { 18 };
    uint8_t sd[128] = { 0 };
    sd[0] = 1;
    put16(sd + 2, 0x8004);
    put32(sd + 16, 20);
    sd[20] = 4;
    put16(sd + 22, 8 + 8 + 4 + 16 + 12);
    put16(sd + 24, 1);
    sd[28] = 5;                 /* ACCESS_ALLOWED_OBJECT_ACE_TYPE */
    put16(sd + 30, 8 + 4 + 16 + 12);
    put32(sd + 32, 0x100);
    put32(sd + 36, 1);          /* ObjectType present */
    memset(sd + 40, 0xAB, 16);
    put_sid(sd + 56, 5, 1, sub); /* S-1-5-18 */
    ntx_sd_info info;
    ntx_ace ace;
    assert_int_equal(ntx_sd_parse(sd, 68, &info), NTX_OK);
    assert_int_equal(ntx_sd_ace(sd, 68, info.dacl_off, 0, &ace), NTX_OK);
    assert_int_equal(ace.type, 5);
    assert_true(ace.has_sid);
    assert_int_equal(ace.sid.sub[0], 18);
}

static void test_efs(void **state)
{
    (void)state;
    uint8_t v[0x80] = { 0 };
    ntx_efs_info efs;
    /* version 1 metadata (EFS version 2): DDF at 0x54 with 1 entry, DRF at 0x60 with 2 */
    put32(v + 0x00, sizeof v);
    put32(v + 0x08, 2);
    put32(v + 0x40, 0x54);
    put32(v + 0x44, 0x60);
    put32(v + 0x54, 1);
    put32(v + 0x60, 2);
    assert_int_equal(ntx_efs_parse(v, sizeof v, &efs), NTX_OK);
    assert_int_equal(efs.version, 2);
    assert_int_equal(efs.ddf_count, 1);
    assert_int_equal(efs.drf_count, 2);
    /* version 2 metadata (EFS version 4): offsets at 0x20/0x24, no DRF */
    memset(v, 0, sizeof v);
    put32(v + 0x00, sizeof v);
    put32(v + 0x08, 4);
    put32(v + 0x20, 0x30);
    put32(v + 0x30, 3);
    assert_int_equal(ntx_efs_parse(v, sizeof v, &efs), NTX_OK);
    assert_int_equal(efs.ddf_count, 3);
    assert_int_equal(efs.drf_count, 0);
    put32(v + 0x20, 0x7E); /* key list count would run past the value */
    assert_int_equal(ntx_efs_parse(v, sizeof v, &efs), NTX_E_CORRUPT);
    assert_int_equal(ntx_efs_parse(v, 0x20, &efs), NTX_E_CORRUPT);
}

static void test_file_name(void **state)
{
    (void)state;
    uint8_t v[0x42 + 6] = { 0 };
    ntx_dirent d;
    put64(v, 0x0005000000000005ull);  /* parent: the root, sequence 5 */
    put64(v + 0x30, 1234);            /* data size */
    put32(v + 0x38, 0x20);
    v[0x40] = 3;
    v[0x41] = 1;                      /* Win32 */
    put16(v + 0x42, 'a');
    put16(v + 0x44, 0xD83D);          /* a lone high surrogate is kept as is */
    put16(v + 0x46, 'z');
    assert_int_equal(ntx_file_name_parse(v, sizeof v, &d), NTX_OK);
    assert_int_equal(NTX_REF_MFT(d.parent_ref), 5);
    assert_int_equal(d.data_size, 1234);
    assert_int_equal(d.name_len, 3);
    assert_int_equal(d.name[1], 0xD83D);
    assert_int_equal(d.name_space, NTX_NS_WIN32);
    assert_int_equal(ntx_file_name_parse(v, sizeof v - 1, &d), NTX_E_CORRUPT); /* R33 */
    v[0x40] = 0;
    assert_int_equal(ntx_file_name_parse(v, sizeof v, &d), NTX_E_CORRUPT);
    v[0x40] = 3;
    v[0x41] = 4;
    assert_int_equal(ntx_file_name_parse(v, sizeof v, &d), NTX_E_CORRUPT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_std_info),
        cmocka_unit_test(test_object_id),
        cmocka_unit_test(test_ea),
        cmocka_unit_test(test_security_descriptor),
        cmocka_unit_test(test_object_ace),
        cmocka_unit_test(test_efs),
        cmocka_unit_test(test_file_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
