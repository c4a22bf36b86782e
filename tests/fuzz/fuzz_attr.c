/*
 * fuzz_attr.c - the attribute walk on a mounted volume: the input is the
 * attribute area of one MFT record of a valid base image, so its runlists,
 * attribute lists and values are read against a real device.
 *
 * Input:
 *   [0] flags: bit 0 = the record is a directory, bit 1 = not in use
 *   [1] base image (modulo 5)
 *   [2..3] record number (u16, modulo the records mapped in the base): the
 *       record replaced; its header (sequence number, base reference, update
 *       sequence array) is kept, so extension records of that file still
 *       point to it
 *   then the attributes, as they follow the header in a fixed-up record; an
 *   end marker is appended and the update sequence array rewritten.
 * The volume is mounted and the file opened by number: stat, attribute
 * iteration, every stream read and mapped, reparse data, readlink; for a
 * directory, its listing and lookups. Then the whole tree is walked with
 * reads off (a replaced system record reaches the mount, $UpCase, $Bitmap...).
 */
#include <string.h>

#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4 || size > 8192)
        return 0;
    fz_base *b = fz_base_get(data[1]);
    uint32_t rs = b->geo.record_size;
    uint64_t n = fz_le16(data + 2) % b->nrec;
    if (b->mft_off[n] == 0)
        return 0;
    uint8_t *rec = b->work + b->mft_off[n];
    fz_base_touch(b, b->mft_off[n], rs);

    /* Keep the header of a valid record; build one for a never-used slot. */
    uint32_t ao = fz_le16(rec + 0x14);
    if (memcmp(rec, "FILE", 4) != 0 || !fz_unfix(rec, rs) || ao < 0x30 || ao > 0x100 || (ao & 7)) {
        ao = fz_record_blank(rec, rs);
        fz_put32(rec + 0x2C, (uint32_t)n); /* this record's number (NTFS 3.1) */
    }
    size_t room = rs - ao - 8;
    size_t len = size - 4 < room ? size - 4 : room;
    memset(rec + ao, 0, rs - ao);
    memcpy(rec + ao, data + 4, len);
    size_t end = (ao + len + 7) & ~(size_t)7;
    if (end > rs - 8)
        end = rs - 8;
    fz_put32(rec + end, 0xFFFFFFFFu);
    fz_put32(rec + 0x18, (uint32_t)(end + 8));
    fz_put32(rec + 0x1C, rs);
    uint16_t flags = (uint16_t)(((data[0] & 2) ? 0 : 1) | ((data[0] & 1) ? 2 : 0));
    fz_put16(rec + 0x16, flags);
    fz_fix(rec, rs);

    ntx_volume *vol;
    ntx_err rc = fz_base_mount(b, &vol);
    if (rc == NTX_OK) {
        fz_stats st;
        memset(&st, 0, sizeof st);
        ntx_file f;
        rc = ntx_file_open(&f, vol, n, 0);
        fz_check(rc == NTX_OK || fz_is_err(rc));
        if (rc == NTX_OK) {
            fz_exercise_file(vol, &f, &st);
            ntx_dir_iter it;
            ntx_dirent ent;
            if (ntx_dir_iter_open(&it, &f, 0) == NTX_OK) {
                for (unsigned k = 0; k < 1024; k++) {
                    rc = ntx_dir_iter_next(&it, &ent);
                    fz_check(rc == NTX_OK || rc == NTX_END || fz_is_err(rc));
                    if (rc != NTX_OK)
                        break;
                    ntx_dirent l;
                    rc = ntx_dir_lookup(&f, ent.name, ent.name_len, &l);
                    fz_check(rc == NTX_OK || fz_is_err(rc));
                }
            }
        }
        fz_walk(vol, FZ_WALK_NO_READ, &st);
        ntx_volume_unmount(vol);
    }
    fz_base_reset(b);
    return 0;
}
