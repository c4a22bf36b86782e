/*
 * test_sniff.c - host/sniff.c on hand-built first blocks: each container's
 * magic number and each file system's signature at the offset its on-disk
 * documentation gives (FAT and exFAT boot sectors, the ext2/3/4 superblock
 * at 1024 with magic 0xEF53 at +0x38 and its feature words at +0x5C/+0x60,
 * XFS "XFSB", Btrfs "_BHRfS_M" at 0x10040, LUKS "LUKS\xba\xbe", the
 * BitLocker OEM id "-FVE-FS-", ISO 9660 "CD001" at 0x8001, swap at 4086,
 * LVM "LABELONE" in sector 1, APFS "NXSB" at 32, HFS+ "H+" at 1024).
 * The CLI tests check the same names on volumes the real mkfs tools made.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

static uint8_t buf[HOST_SNIFF_BYTES];

static void put(size_t off, const void *bytes, size_t n)
{
    memcpy(buf + off, bytes, n);
}

static const char *volume(bool *bitlocker)
{
    return host_sniff_volume(buf, sizeof buf, bitlocker);
}

static void expect_volume(const char *want_part)
{
    bool bl = true;
    const char *got = volume(&bl);
    assert_non_null(got);
    assert_non_null(strstr(got, want_part));
    assert_false(bl);
}

static void test_containers(void **state)
{
    (void)state;
    uint8_t tail[512];
    memset(buf, 0, sizeof buf);
    memset(tail, 0, sizeof tail);
    assert_int_equal(host_sniff_container(buf, 4096, tail), NTX_HOST_FMT_RAW);
    put(0, "EVF\x09\x0d\x0a\xff\x00", 8);
    assert_int_equal(host_sniff_container(buf, 4096, NULL), NTX_HOST_FMT_EWF);
    put(0, "vhdxfile", 8);
    assert_int_equal(host_sniff_container(buf, 4096, NULL), NTX_HOST_FMT_VHDX);
    put(0, "conectix", 8);
    assert_int_equal(host_sniff_container(buf, 4096, NULL), NTX_HOST_FMT_VHD);
    put(0, "KDMV", 4);
    assert_int_equal(host_sniff_container(buf, 4096, NULL), NTX_HOST_FMT_VMDK);
    put(0, "# Disk DescriptorFile\n", 22);
    assert_int_equal(host_sniff_container(buf, 4096, NULL), NTX_HOST_FMT_VMDK);
    put(0, "QFI\xfb\0\0\0\x03", 8);
    assert_int_equal(host_sniff_container(buf, 4096, NULL), NTX_HOST_FMT_QCOW);
    /* a fixed VHD: raw bytes (here an NTFS boot sector), the footer at the end */
    memset(buf, 0, 64);
    put(3, "NTFS    ", 8);
    memcpy(tail, "conectix", 8);
    assert_int_equal(host_sniff_container(buf, 4096, tail), NTX_HOST_FMT_VHD);
    assert_int_equal(host_sniff_container(buf, 4096, NULL), NTX_HOST_FMT_RAW);
    /* a signature longer than the file is not matched */
    memcpy(buf, "vhdxfile", 8);
    assert_int_equal(host_sniff_container(buf, 5, NULL), NTX_HOST_FMT_RAW);
}

static void test_not_images(void **state)
{
    (void)state;
    memset(buf, 0, sizeof buf);
    put(0, "\x1f\x8b\x08", 3);
    assert_non_null(strstr(host_sniff_not_an_image(buf, 512), "gzip"));
    memset(buf, 0, 8);
    put(0, "\xfd" "7zXZ\x00", 6);
    assert_non_null(strstr(host_sniff_not_an_image(buf, 512), "xz"));
    memset(buf, 0, 8);
    put(0, "BZh9", 4);
    assert_non_null(strstr(host_sniff_not_an_image(buf, 512), "bzip2"));
    memset(buf, 0, 8);
    put(0, "\x28\xb5\x2f\xfd", 4);
    assert_non_null(strstr(host_sniff_not_an_image(buf, 512), "zstd"));
    memset(buf, 0, 8);
    put(257, "ustar", 5);
    assert_non_null(strstr(host_sniff_not_an_image(buf, 512), "tar"));
    memset(buf + 257, 0, 5);
    assert_null(host_sniff_not_an_image(buf, 512));
}

static void test_file_systems(void **state)
{
    (void)state;
    bool bl = false;
    memset(buf, 0, sizeof buf);
    const char *zeros = volume(&bl);
    assert_non_null(zeros);
    assert_non_null(strstr(zeros, "zeros"));

    memset(buf, 0, sizeof buf);
    put(3, "-FVE-FS-", 8);
    put(510, "\x55\xaa", 2);
    const char *b = volume(&bl);
    assert_true(bl);
    assert_non_null(strstr(b, "BitLocker-encrypted"));
    assert_non_null(strstr(b, "bdemount"));

    memset(buf, 0, sizeof buf);
    put(3, "MSDOS5.0", 8);
    put(0x52, "FAT32   ", 8);
    put(510, "\x55\xaa", 2);
    expect_volume("FAT32");
    memset(buf, 0, sizeof buf);
    put(0x36, "FAT16   ", 8);
    put(510, "\x55\xaa", 2);
    expect_volume("FAT16");
    memset(buf, 0, sizeof buf);
    put(0x36, "FAT16   ", 8); /* no 0x55AA: not a boot sector */
    put(600, "x", 1);
    assert_null(volume(&bl));

    memset(buf, 0, sizeof buf);
    put(3, "EXFAT   ", 8);
    expect_volume("exFAT");
    memset(buf, 0, sizeof buf);
    put(3, "ReFS\0\0\0\0", 8);
    expect_volume("ReFS");

    memset(buf, 0, sizeof buf);
    put(1024 + 0x38, "\x53\xef", 2);
    expect_volume("ext2");
    put(1024 + 0x5C, "\x04\0\0\0", 4); /* has_journal */
    expect_volume("ext3");
    put(1024 + 0x60, "\x40\0\0\0", 4); /* extents */
    expect_volume("ext4");

    memset(buf, 0, sizeof buf);
    put(0, "XFSB", 4);
    expect_volume("XFS");
    memset(buf, 0, sizeof buf);
    put(0, "LUKS\xba\xbe\0\x02", 8);
    expect_volume("LUKS");
    memset(buf, 0, sizeof buf);
    put(0x10040, "_BHRfS_M", 8);
    expect_volume("Btrfs");
    memset(buf, 0, sizeof buf);
    put(0x8001, "CD001", 5);
    expect_volume("ISO 9660");
    memset(buf, 0, sizeof buf);
    put(4086, "SWAPSPACE2", 10);
    expect_volume("swap");
    memset(buf, 0, sizeof buf);
    put(512, "LABELONE", 8);
    expect_volume("LVM");
    memset(buf, 0, sizeof buf);
    put(32, "NXSB", 4);
    expect_volume("APFS");
    memset(buf, 0, sizeof buf);
    put(1024, "H+\0\x04", 4);
    expect_volume("HFS+");

    /* an NTFS boot sector (whatever its state) is for the core to judge */
    memset(buf, 0, sizeof buf);
    put(3, "NTFS    ", 8);
    put(510, "\x55\xaa", 2);
    assert_null(volume(&bl));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_containers),
        cmocka_unit_test(test_not_images),
        cmocka_unit_test(test_file_systems),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
