/*
 * test_recovery.c - mounting damaged and unusual volumes: the backup boot
 * sector, $MFTMirr copies of records 0-3, torn records, stale references,
 * encrypted streams, device errors, a volume at an offset on its device,
 * 4 KiB device blocks, and handles that outlive their mount. The damage is
 * applied in memory to the sample fixture; expectations come from its
 * manifest (ntfs-3g) and from the NTFS layout (offsets in comments).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "image.h"
#include "manifest.h"
#include "sha256.h"
#include "ntx.h"

struct ctx {
    struct ntx_test_image img;
    struct ntx_test_manifest man;
    struct ntx_test_memdisk disk;
    uint8_t *pristine;
    ntx_volume vol;
    uint8_t ws[NTX_WORKSPACE_MAX];
};

static int setup(void **state)
{
    struct ctx *c = calloc(1, sizeof *c);
    assert_non_null(c);
    assert_int_equal(ntx_test_image_load(NTX_FIXTURES_DIR "/sample.img.gz", &c->img), 0);
    assert_int_equal(ntx_test_manifest_load(NTX_FIXTURES_DIR "/sample.manifest", &c->man), 0);
    c->pristine = malloc(c->img.size);
    memcpy(c->pristine, c->img.data, c->img.size);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct ctx *c = *state;
    ntx_test_image_free(&c->img);
    ntx_test_manifest_free(&c->man);
    free(c->pristine);
    free(c);
    return 0;
}

/* Undo the previous test's damage. */
static int restore(void **state)
{
    struct ctx *c = *state;
    memcpy(c->img.data, c->pristine, c->img.size);
    return 0;
}

static ntx_err mount_with(struct ctx *c, uint64_t size, uint32_t block)
{
    ntx_test_memdisk_from_image(&c->disk, &c->img);
    c->disk.check_align = block;
    ntx_io io = { ntx_test_memdisk_read, &c->disk, 0, size, block };
    return ntx_volume_mount(&c->vol, &io, c->ws, sizeof c->ws);
}

static ntx_err mount(struct ctx *c)
{
    return mount_with(c, c->img.size, 512);
}

/* The file at path hashes to the manifest's value. */
static void check_file(struct ctx *c, const char *path)
{
    const struct ntx_test_manifest_entry *e = ntx_test_manifest_find(&c->man, path, NULL);
    ntx_file f;
    ntx_stream s;
    uint8_t buf[65536];
    size_t got;
    char hex[65];
    assert_non_null(e);
    assert_int_equal(ntx_file_open_path(&f, &c->vol, path, strlen(path)), NTX_OK);
    assert_int_equal(ntx_stream_open_data(&s, &f, NULL, 0), NTX_OK);
    assert_true(e->size <= sizeof buf);
    assert_int_equal(ntx_stream_read(&s, 0, buf, sizeof buf, &got), NTX_OK);
    assert_int_equal(got, e->size);
    ntx_sha256_buf_hex(buf, got, hex);
    assert_string_equal(hex, e->sha256);
}

/* Byte offset of MFT record n: the sample's $MFT starts at the boot sector's
 * $MFT LCN (0x30) and its first run holds the first 64 records. */
static size_t record_offset(struct ctx *c, uint64_t n)
{
    uint64_t lcn;
    memcpy(&lcn, c->img.data + 0x30, 8);
    uint32_t cluster = (uint32_t)(c->img.data[0x0B] | c->img.data[0x0C] << 8) * c->img.data[0x0D];
    return (size_t)(lcn * cluster + n * 1024);
}

static void test_pristine(void **state)
{
    struct ctx *c = *state;
    assert_int_equal(mount(c), NTX_OK);
    assert_false(c->vol.geo.from_backup);
    check_file(c, "/README.txt");
}

/* A zeroed boot sector: the backup in the last sector takes over. */
static void test_backup_boot_sector(void **state)
{
    struct ctx *c = *state;
    memset(c->img.data, 0, 512);
    assert_int_equal(mount(c), NTX_OK);
    assert_true(c->vol.geo.from_backup);
    check_file(c, "/README.txt");
    check_file(c, "/docs/notes/todo.txt");
    /* Without the device size nothing says where the backup is. */
    assert_int_equal(mount_with(c, 0, 512), NTX_E_NOT_NTFS);
    assert_int_equal(c->vol.diag.check, NTX_CHK_BOOT_SIGNATURE);
}

/* A bad field, not just a bad signature, also sends us to the backup; a
 * good primary is never replaced by the backup. */
static void test_bad_cluster_size(void **state)
{
    struct ctx *c = *state;
    c->img.data[0x0D] = 3; /* 3 sectors per cluster: not a power of two (R02) */
    assert_int_equal(mount(c), NTX_OK);
    assert_true(c->vol.geo.from_backup);
    /* Without the device size, the primary's intact total-sectors field still
     * says where the backup is. */
    assert_int_equal(mount_with(c, 0, 512), NTX_OK);
    assert_true(c->vol.geo.from_backup);
    /* With the backup damaged too, the primary's failure is reported. */
    memset(c->img.data + c->img.size - 512, 0, 512);
    assert_int_equal(mount(c), NTX_E_NOT_NTFS);
    assert_int_equal(c->vol.diag.check, NTX_CHK_BOOT_CLUSTER_SIZE);
}

/* A torn $MFT record 0 (its first sector's tail no longer matches the update
 * sequence number): the copy in $MFTMirr is used. */
static void test_mft_mirror(void **state)
{
    struct ctx *c = *state;
    c->img.data[record_offset(c, 0) + 510] ^= 0xFF;
    assert_int_equal(mount(c), NTX_OK);
    check_file(c, "/hello.txt");
    /* Record 3 ($Volume) torn as well: the label still comes from the mirror. */
    c->img.data[record_offset(c, 3) + 510] ^= 0xFF;
    assert_int_equal(mount(c), NTX_OK);
    ntx_volume_info info;
    assert_int_equal(ntx_volume_get_info(&c->vol, &info), NTX_OK);
    assert_int_equal(info.label_len, strlen(c->man.label));
}

/* A torn root directory (record 5, not mirrored) is an error naming the
 * record and the check. */
static void test_torn_root(void **state)
{
    struct ctx *c = *state;
    ntx_file f;
    c->img.data[record_offset(c, 5) + 1022] ^= 0x55;
    assert_int_equal(mount(c), NTX_OK);
    assert_int_equal(ntx_file_open(&f, &c->vol, NTX_MFT_ROOT, 0), NTX_E_CORRUPT);
    assert_int_equal(c->vol.diag.check, NTX_CHK_FIXUP_MISMATCH);
    assert_int_equal(c->vol.diag.mft_no, 5);
    assert_int_equal(ntx_file_open_path(&f, &c->vol, "/hello.txt", 10), NTX_E_CORRUPT);
}

/* References carry a sequence number: an old one is stale. */
static void test_sequence_number(void **state)
{
    struct ctx *c = *state;
    const struct ntx_test_manifest_entry *e = ntx_test_manifest_find(&c->man, "/hello.txt", NULL);
    ntx_file f;
    assert_int_equal(mount(c), NTX_OK);
    assert_int_equal(ntx_file_open_path(&f, &c->vol, "/hello.txt", 10), NTX_OK);
    assert_int_equal(f.mft_no, e->mft);
    assert_int_equal(ntx_file_open(&f, &c->vol, NTX_REF(e->mft, f.seq), 0), NTX_OK);
    assert_int_equal(ntx_file_open(&f, &c->vol, NTX_REF(e->mft, f.seq + 1), 0), NTX_E_STALE);
    assert_int_equal(c->vol.diag.check, NTX_CHK_RECORD_SEQUENCE);
    assert_int_equal(ntx_file_open(&f, &c->vol, NTX_REF(e->mft, NTX_SEQ_ANY), 0), NTX_OK);
    /* Record 1000 is past the end of this small $MFT. */
    assert_int_equal(ntx_file_open(&f, &c->vol, 1000, 0), NTX_E_NOT_FOUND);
    assert_int_equal(c->vol.diag.check, NTX_CHK_RECORD_NUMBER);
    /* Record 40 is free (ntfsinfo -i 40 fails to load it: "No such file");
     * mkntfs marks the reserved records 12-15 in use, so they open. */
    assert_int_equal(ntx_file_open(&f, &c->vol, 40, 0), NTX_E_NOT_FOUND);
    assert_int_equal(c->vol.diag.check, NTX_CHK_RECORD_NOT_IN_USE);
    assert_int_equal(ntx_file_open(&f, &c->vol, 12, 0), NTX_OK);
}

/* An encrypted $DATA stream is reported, not read: set the attribute's
 * encrypted flag (header offset 0x0C, 0x4000) on a non-resident stream. */
static void test_encrypted(void **state)
{
    struct ctx *c = *state;
    ntx_file f;
    ntx_attr_iter it;
    ntx_attr_info ai;
    ntx_stream s;
    ntx_stat st;
    uint8_t buf[16];
    size_t got;
    assert_int_equal(mount(c), NTX_OK);
    assert_int_equal(ntx_file_open_path(&f, &c->vol, "/pictures/sunset.png", 20), NTX_OK);
    assert_int_equal(ntx_attr_iter_open(&it, &f), NTX_OK);
    while (ntx_attr_iter_next(&it, &ai) == NTX_OK && !(ai.type == NTX_AT_DATA && ai.name_len == 0))
        ;
    assert_int_equal(ai.type, NTX_AT_DATA);
    assert_false(ai.resident);
    size_t flags = record_offset(c, ai.rec_no) + ai.attr_off + 0x0C;
    assert_true(flags % 512 < 510); /* not under a fixup tail */
    c->img.data[flags + 1] |= 0x40;

    assert_int_equal(mount(c), NTX_OK);
    assert_int_equal(ntx_file_open_path(&f, &c->vol, "/pictures/sunset.png", 20), NTX_OK);
    assert_int_equal(ntx_file_stat(&f, &st), NTX_OK);
    assert_true(st.data_flags & NTX_ATTR_FLAG_ENCRYPTED);
    /* refused where it is opened; raw, the ciphertext reads */
    assert_int_equal(ntx_stream_open_data(&s, &f, NULL, 0), NTX_E_UNSUPPORTED);
    assert_int_equal(c->vol.diag.check, NTX_CHK_ENCRYPTED);
    assert_int_equal(ntx_stream_open_raw(&s, &f, NTX_AT_DATA, NULL, 0), NTX_OK);
    assert_int_equal(ntx_stream_read(&s, 0, buf, sizeof buf, &got), NTX_OK);
    assert_int_equal(got, sizeof buf);
}

/* Every device failure surfaces as NTX_E_IO with the callback's status. */
static void test_io_errors(void **state)
{
    struct ctx *c = *state;
    unsigned seen_io = 0;
    /* Fail each read of "mount, open, read" in turn (the sample needs fewer
     * than 40, thanks to the record and block caches). */
    for (uint64_t n = 1; n <= 40; n++) {
        ntx_test_memdisk_from_image(&c->disk, &c->img);
        c->disk.fail_after = n;
        ntx_io io = { ntx_test_memdisk_read, &c->disk, 0, c->img.size, 512 };
        ntx_err rc = ntx_volume_mount(&c->vol, &io, c->ws, sizeof c->ws);
        ntx_file f;
        if (rc == NTX_OK)
            rc = ntx_file_open_path(&f, &c->vol, "/docs/guide.txt", 15);
        if (rc == NTX_OK) {
            ntx_stream s;
            uint8_t buf[2048];
            size_t got;
            rc = ntx_stream_open_data(&s, &f, NULL, 0);
            if (rc == NTX_OK)
                rc = ntx_stream_read(&s, 0, buf, sizeof buf, &got);
        }
        if (c->disk.failures > 0) {
            /* mount falls back on the backup boot sector or $MFTMirr where it
             * can; otherwise the failure is reported as I/O */
            assert_true(rc == NTX_OK || rc == NTX_E_IO);
            if (rc == NTX_E_IO) {
                assert_int_equal(c->vol.diag.io_status, NTX_TEST_EIO);
                seen_io++;
            }
        } else {
            assert_int_equal(rc, NTX_OK);
        }
    }
    assert_true(seen_io >= 5);
}

/* The volume 1 MiB into its device (a partition): io.offset moves every read. */
static void test_volume_offset(void **state)
{
    struct ctx *c = *state;
    const size_t lead = 1 << 20;
    uint8_t *dev = calloc(1, lead + c->img.size);
    memcpy(dev + lead, c->img.data, c->img.size);
    ntx_test_memdisk_init(&c->disk, dev, lead + c->img.size);
    c->disk.check_align = 512;
    ntx_io io = { ntx_test_memdisk_read, &c->disk, lead, c->img.size, 512 };
    assert_int_equal(ntx_volume_mount(&c->vol, &io, c->ws, sizeof c->ws), NTX_OK);
    check_file(c, "/docs/guide.txt");
    io.offset = lead + 100; /* not block-aligned */
    assert_int_equal(ntx_volume_mount(&c->vol, &io, c->ws, sizeof c->ws), NTX_E_ARG);
    free(dev);
}

/* A device with 4 KiB blocks under a 512-byte-sector volume: every read is
 * still whole blocks. */
static void test_4k_blocks(void **state)
{
    struct ctx *c = *state;
    assert_int_equal(mount_with(c, c->img.size, 4096), NTX_OK);
    check_file(c, "/README.txt");
    check_file(c, "/pictures/sunset.png");
    assert_int_equal(c->disk.failures, 0);
    /* A block larger than the volume's 4 KiB clusters is refused. */
    assert_int_equal(mount_with(c, c->img.size, 8192), NTX_E_ARG);
}

/* Handles from a previous mount answer NTX_E_STALE after the unmount, and
 * after a mount of the volume through another workspace (another mount as
 * far as the core can tell: it reads nothing of the ntx_volume it fills).
 * A mount of the same volume through the same context and workspace is the
 * same mount again: the handles read what they read before. */
static void test_stale_handles(void **state)
{
    struct ctx *c = *state;
    static uint8_t other_ws[NTX_WORKSPACE_MAX];
    ntx_file f;
    ntx_stream s;
    ntx_dir_iter it;
    ntx_dirent ent;
    uint8_t buf[8], again[8];
    size_t got;
    assert_int_equal(mount(c), NTX_OK);
    assert_int_equal(ntx_file_open_path(&f, &c->vol, "/hello.txt", 10), NTX_OK);
    assert_int_equal(ntx_stream_open_data(&s, &f, NULL, 0), NTX_OK);
    assert_int_equal(ntx_stream_read(&s, 0, buf, sizeof buf, &got), NTX_OK);
    ntx_file root;
    assert_int_equal(ntx_file_open(&root, &c->vol, NTX_MFT_ROOT, 0), NTX_OK);
    assert_int_equal(ntx_dir_iter_open(&it, &root, 0), NTX_OK);
    ntx_volume_unmount(&c->vol);
    assert_int_equal(ntx_stream_read(&s, 0, again, sizeof again, &got), NTX_E_STALE);

    ntx_io io = { ntx_test_memdisk_read, &c->disk, 0, c->img.size, 512 };
    assert_int_equal(ntx_volume_mount(&c->vol, &io, other_ws, sizeof other_ws), NTX_OK);
    assert_int_equal(ntx_stream_read(&s, 0, again, sizeof again, &got), NTX_E_STALE);
    assert_int_equal(ntx_dir_iter_next(&it, &ent), NTX_E_STALE);
    ntx_stat st;
    assert_int_equal(ntx_file_stat(&f, &st), NTX_E_STALE);

    ntx_volume_unmount(&c->vol);
    assert_int_equal(mount(c), NTX_OK);
    assert_int_equal(ntx_stream_read(&s, 0, again, sizeof again, &got), NTX_OK);
    assert_int_equal(got, sizeof again);
    assert_memory_equal(again, buf, sizeof buf);
}

/* Bad arguments and a workspace that is too small. */
static void test_arguments(void **state)
{
    struct ctx *c = *state;
    ntx_test_memdisk_from_image(&c->disk, &c->img);
    ntx_io io = { ntx_test_memdisk_read, &c->disk, 0, c->img.size, 512 };
    assert_int_equal(ntx_volume_mount(NULL, &io, c->ws, sizeof c->ws), NTX_E_ARG);
    assert_int_equal(ntx_volume_mount(&c->vol, NULL, c->ws, sizeof c->ws), NTX_E_ARG);
    io.block_size = 1000;
    assert_int_equal(ntx_volume_mount(&c->vol, &io, c->ws, sizeof c->ws), NTX_E_ARG);
    io.block_size = 512;
    assert_int_equal(ntx_volume_mount(&c->vol, &io, c->ws, 4096), NTX_E_WORKSPACE);
    /* the geometry is known, so the caller can size the workspace */
    assert_int_equal(c->vol.geo.record_size, 1024);
    assert_int_equal(ntx_workspace_size(&c->vol.geo),
                     NTX_WORKSPACE_SIZE(1024, 4096, 512));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_pristine, restore),
        cmocka_unit_test_setup(test_backup_boot_sector, restore),
        cmocka_unit_test_setup(test_bad_cluster_size, restore),
        cmocka_unit_test_setup(test_mft_mirror, restore),
        cmocka_unit_test_setup(test_torn_root, restore),
        cmocka_unit_test_setup(test_sequence_number, restore),
        cmocka_unit_test_setup(test_encrypted, restore),
        cmocka_unit_test_setup(test_io_errors, restore),
        cmocka_unit_test_setup(test_volume_offset, restore),
        cmocka_unit_test_setup(test_4k_blocks, restore),
        cmocka_unit_test_setup(test_stale_handles, restore),
        cmocka_unit_test_setup(test_arguments, restore),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
