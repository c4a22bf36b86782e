/*
 * test_partition.c - MBR and GPT partition tables built here by hand from
 * their specifications (MBR: entries at 0x1BE; GPT: UEFI 2.10 section 5.3),
 * with the GPT header CRC computed by zlib's crc32() as an independent
 * oracle; and the sample fixture mounted from inside such a disk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "image.h"
#include "put.h"
#include "ntx.h"

#define MiB (1024u * 1024u)

static uint8_t block[4096];

struct disk {
    uint8_t *data;
    size_t size;
    struct ntx_test_memdisk md;
    ntx_io io;
};

static void disk_new(struct disk *d, size_t size)
{
    d->data = calloc(1, size);
    assert_non_null(d->data);
    d->size = size;
    ntx_test_memdisk_init(&d->md, d->data, size);
    d->io = (ntx_io){ ntx_test_memdisk_read, &d->md, 0, size, 512 };
}

static void mbr_entry(uint8_t *sector, unsigned i, uint8_t type, uint32_t lba, uint32_t sectors)
{
    uint8_t *e = sector + 0x1BE + 16 * i;
    e[4] = type;
    put32(e + 8, lba);
    put32(e + 12, sectors);
    sector[510] = 0x55;
    sector[511] = 0xAA;
}

/* Basic data (EBD0A0A2-B9E5-4433-87C0-68B6B72699C7) and Linux filesystem
 * (0FC63DAF-8483-4772-8E79-3D69D8477DE4), in GPT's mixed-endian byte order. */
static const uint8_t basic_data[16] = { 0xA2, 0xA0, 0xD0, 0xEB, 0xE5, 0xB9, 0x33, 0x44,
                                        0x87, 0xC0, 0x68, 0xB6, 0xB7, 0x26, 0x99, 0xC7 };
static const uint8_t linux_fs[16] = { 0xAF, 0x3D, 0xC6, 0x0F, 0x83, 0x84, 0x72, 0x47,
                                      0x8E, 0x79, 0x3D, 0x69, 0xD8, 0x47, 0x7D, 0xE4 };

/* A GPT header at LBA lba (entries at entries_lba, 128 of 128 bytes). */
static void gpt_header(struct disk *d, uint32_t lba_size, uint64_t lba, uint64_t entries_lba)
{
    uint8_t *h = d->data + lba * lba_size;
    memcpy(h, "EFI PART", 8);
    put32(h + 8, 0x00010000);
    put32(h + 12, 92);
    put64(h + 0x18, lba);
    put64(h + 0x48, entries_lba);
    put32(h + 0x50, 128);
    put32(h + 0x54, 128);
    put32(h + 0x10, 0);
    put32(h + 0x10, (uint32_t)crc32(0, h, 92));
}

static void gpt_entry(struct disk *d, uint32_t lba_size, uint64_t entries_lba, unsigned i,
                      const uint8_t type[16], uint64_t first, uint64_t last, const char *name)
{
    uint8_t *e = d->data + entries_lba * lba_size + 128 * i;
    memcpy(e, type, 16);
    e[16] = (uint8_t)(i + 1); /* unique GUID: anything non-zero */
    put64(e + 0x20, first);
    put64(e + 0x28, last);
    for (size_t k = 0; name[k] && k < 36; k++)
        put16(e + 0x38 + 2 * k, (uint8_t)name[k]);
}

static void test_mbr_primary_and_logical(void **state)
{
    (void)state;
    struct disk d;
    ntx_partition_iter it;
    ntx_partition p;
    disk_new(&d, 64 * MiB);
    /* 1: NTFS at 1 MiB, 8 MiB; 2: extended at 16 MiB (LBA 32768), 32 MiB;
     * EBR 1 (LBA 32768): logical NTFS at +2048, 4 MiB; link to EBR 2 at
     * extended start + 16384; EBR 2: Linux (0x83) at +2048, 2 MiB. */
    mbr_entry(d.data, 0, 0x07, 2048, 16384);
    mbr_entry(d.data, 1, 0x05, 32768, 65536);
    uint8_t *ebr1 = d.data + 32768u * 512;
    mbr_entry(ebr1, 0, 0x07, 2048, 8192);
    mbr_entry(ebr1, 1, 0x05, 16384, 8192);
    uint8_t *ebr2 = d.data + (32768u + 16384u) * 512;
    mbr_entry(ebr2, 0, 0x83, 2048, 4096);

    assert_int_equal(ntx_partition_iter_open(&it, &d.io, block, sizeof block), NTX_OK);
    assert_int_equal(ntx_partition_iter_next(&it, &p), NTX_OK);
    assert_int_equal(p.index, 1);
    assert_int_equal(p.scheme, NTX_PT_MBR);
    assert_true(p.maybe_ntfs);
    assert_int_equal(p.offset, 2048ull * 512);
    assert_int_equal(p.size, 8ull * MiB);
    assert_int_equal(ntx_partition_iter_next(&it, &p), NTX_OK);
    assert_int_equal(p.index, 5);
    assert_int_equal(p.offset, (32768ull + 2048) * 512);
    assert_int_equal(p.size, 4ull * MiB);
    assert_int_equal(ntx_partition_iter_next(&it, &p), NTX_OK);
    assert_int_equal(p.index, 6);
    assert_int_equal(p.mbr_type, 0x83);
    assert_false(p.maybe_ntfs);
    assert_int_equal(p.offset, (32768ull + 16384 + 2048) * 512);
    assert_int_equal(ntx_partition_iter_next(&it, &p), NTX_END);
    free(d.data);
}

static void test_mbr_hostile(void **state)
{
    (void)state;
    struct disk d;
    ntx_partition_iter it;
    ntx_partition p;
    disk_new(&d, 4 * MiB);
    /* An EBR whose link points back at itself: a loop, cut at 128 logical partitions. */
    mbr_entry(d.data, 0, 0x0F, 2048, 4096);
    uint8_t *ebr = d.data + 2048u * 512;
    mbr_entry(ebr, 0, 0x07, 64, 64);
    mbr_entry(ebr, 1, 0x05, 0 + 1, 64); /* relative to the extended start: LBA 2049 */
    uint8_t *ebr2 = d.data + 2049u * 512;
    mbr_entry(ebr2, 0, 0x07, 64, 64);
    mbr_entry(ebr2, 1, 0x05, 1, 64); /* back to 2049: itself */
    assert_int_equal(ntx_partition_iter_open(&it, &d.io, block, sizeof block), NTX_OK);
    ntx_err rc;
    unsigned n = 0;
    while ((rc = ntx_partition_iter_next(&it, &p)) == NTX_OK)
        n++;
    assert_int_equal(rc, NTX_E_LIMIT);
    assert_int_equal(n, NTX_PT_MAX_LOGICAL);
    /* ...and the iterator does not stay stuck on it. */
    assert_int_equal(ntx_partition_iter_next(&it, &p), NTX_END);

    /* A partition past the end of the device. */
    memset(d.data, 0, 4 * MiB);
    mbr_entry(d.data, 0, 0x07, 2048, 1u << 20);
    assert_int_equal(ntx_partition_iter_open(&it, &d.io, block, sizeof block), NTX_OK);
    assert_int_equal(ntx_partition_iter_next(&it, &p), NTX_E_RANGE);
    assert_int_equal(ntx_partition_iter_next(&it, &p), NTX_END);
    /* An extended partition whose EBR lies past the device: one error, then the end. */
    memset(d.data, 0, 512);
    mbr_entry(d.data, 0, 0x05, 1u << 20, 64);
    assert_int_equal(ntx_partition_iter_open(&it, &d.io, block, sizeof block), NTX_OK);
    assert_int_equal(ntx_partition_iter_next(&it, &p), NTX_E_RANGE);
    assert_int_equal(ntx_partition_iter_next(&it, &p), NTX_END);

    /* No signature, all entries empty, or an NTFS boot sector: no table. */
    memset(d.data, 0, 512);
    assert_int_equal(ntx_partition_iter_open(&it, &d.io, block, sizeof block), NTX_E_NOT_FOUND);
    d.data[510] = 0x55;
    d.data[511] = 0xAA;
    assert_int_equal(ntx_partition_iter_open(&it, &d.io, block, sizeof block), NTX_E_NOT_FOUND);
    memcpy(d.data + 3, "NTFS    ", 8);
    mbr_entry(d.data, 0, 0x07, 2048, 64);
    assert_int_equal(ntx_partition_iter_open(&it, &d.io, block, sizeof block), NTX_E_NOT_FOUND);
    assert_int_equal(ntx_partition_iter_open(&it, &d.io, block, 512), NTX_E_ARG);
    free(d.data);
}

static void gpt_disk(struct disk *d, uint32_t lba_size, size_t size)
{
    disk_new(d, size);
    d->io.block_size = lba_size;
    mbr_entry(d->data, 0, 0xEE, 1, 0xFFFFFFFFu);
    gpt_header(d, lba_size, 1, 2);
    uint64_t first = MiB / lba_size;
    gpt_entry(d, lba_size, 2, 0, basic_data, first, first + 4 * MiB / lba_size - 1, "Basic data");
    gpt_entry(d, lba_size, 2, 2, linux_fs, first + 8 * MiB / lba_size,
              first + 10 * MiB / lba_size - 1, "root");
}

static void check_gpt(struct disk *d, uint32_t lba_size)
{
    ntx_partition_iter it;
    ntx_partition p;
    assert_int_equal(ntx_partition_iter_open(&it, &d->io, block, sizeof block), NTX_OK);
    assert_int_equal(it.lba_size, lba_size);
    assert_int_equal(ntx_partition_iter_next(&it, &p), NTX_OK);
    assert_int_equal(p.index, 1);
    assert_int_equal(p.scheme, NTX_PT_GPT);
    assert_true(p.maybe_ntfs);
    assert_int_equal(p.offset, MiB);
    assert_int_equal(p.size, 4 * MiB);
    assert_int_equal(p.gpt_name[0], 'B');
    assert_int_equal(p.gpt_name[9], 'a');
    assert_int_equal(ntx_partition_iter_next(&it, &p), NTX_OK);
    assert_int_equal(p.index, 3); /* entry 2 is empty */
    assert_false(p.maybe_ntfs);
    assert_int_equal(p.offset, 9 * MiB);
    assert_int_equal(p.size, 2 * MiB);
    assert_int_equal(ntx_partition_iter_next(&it, &p), NTX_END);
}

static void test_gpt(void **state)
{
    (void)state;
    struct disk d;
    gpt_disk(&d, 512, 16 * MiB);
    check_gpt(&d, 512);
    /* A bad CRC in the primary header: the backup in the last LBA is used. */
    gpt_header(&d, 512, 16 * MiB / 512 - 1, 2);
    d.data[512 + 0x50] ^= 1;
    check_gpt(&d, 512);
    /* Both bad: no table. */
    d.data[16 * MiB - 512 + 0x50] ^= 1;
    ntx_partition_iter it;
    assert_int_equal(ntx_partition_iter_open(&it, &d.io, block, sizeof block), NTX_E_NOT_FOUND);
    free(d.data);
    /* 4 KiB logical sectors: the header is at byte 4096. */
    gpt_disk(&d, 4096, 16 * MiB);
    check_gpt(&d, 4096);
    free(d.data);
}

/* The sample volume inside a GPT disk: found, probed and mounted at its offset. */
static void test_volume_in_gpt(void **state)
{
    (void)state;
    struct ntx_test_image img;
    assert_int_equal(ntx_test_image_load(NTX_FIXTURES_DIR "/sample.img.gz", &img), 0);
    struct disk d;
    gpt_disk(&d, 512, MiB + img.size + MiB);
    gpt_entry(&d, 512, 2, 0, basic_data, 2048, 2048 + img.size / 512 - 1, "ntx");
    gpt_entry(&d, 512, 2, 2, linux_fs, 0, 0, "");
    memset(d.data + 2 * 512 + 2 * 128, 0, 128);
    memcpy(d.data + MiB, img.data, img.size);

    ntx_partition_iter it;
    ntx_partition p;
    assert_int_equal(ntx_partition_iter_open(&it, &d.io, block, sizeof block), NTX_OK);
    assert_int_equal(ntx_partition_iter_next(&it, &p), NTX_OK);
    ntx_io vio = d.io;
    vio.offset = p.offset;
    vio.size = p.size;
    ntx_geometry geo;
    assert_int_equal(ntx_volume_probe(&vio, block, sizeof block, &geo, NULL), NTX_OK);
    static ntx_volume vol;
    static uint8_t ws[NTX_WORKSPACE_MAX];
    assert_int_equal(ntx_volume_mount(&vol, &vio, ws, sizeof ws), NTX_OK);
    ntx_file f;
    assert_int_equal(ntx_file_open_path(&f, &vol, "/docs/guide.txt", 15), NTX_OK);
    free(d.data);
    ntx_test_image_free(&img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mbr_primary_and_logical),
        cmocka_unit_test(test_mbr_hostile),
        cmocka_unit_test(test_gpt),
        cmocka_unit_test(test_volume_in_gpt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
