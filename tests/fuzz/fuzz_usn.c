/*
 * fuzz_usn.c - the change journal reader (ntx_usn_next) on a $J stream
 * written into a free MFT record of a base image.
 *
 * Input:
 *   [0] bit 0: non-resident (in free clusters of the base image), bit 1: a
 *       sparse head of 8 clusters before the data (the journal's discarded
 *       start, which the reader skips by its runs)
 *   [1] base image (modulo 5)
 *   then the journal bytes (at most 64 KiB)
 * Every record returned lies after the previous one, inside the stream, has
 * a name of at most 255 units; an error is followed by a retry 8 bytes on,
 * as documented; the walk ends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > 2 + 65536)
        return 0;
    bool nonres = data[0] & 1u, hole = data[0] & 2u;
    fz_base *b = fz_base_get(data[1]);
    const uint8_t *val = data + 2;
    size_t n = size - 2;
    uint32_t rs = b->geo.record_size, cs = b->geo.cluster_size;
    uint64_t rec_off = b->mft_off[b->free_rec];
    uint8_t *rec = b->work + rec_off;
    fz_base_touch(b, rec_off, rs);
    uint32_t off = fz_record_blank(rec, rs);
    /* $STANDARD_INFORMATION */
    uint8_t *a = rec + off;
    memset(a, 0, 0x60);
    fz_put32(a, NTX_AT_STANDARD_INFORMATION);
    fz_put32(a + 4, 0x60);
    fz_put32(a + 0x10, 0x48);
    fz_put16(a + 0x14, 0x18);
    off += 0x60;
    /* $DATA:$J */
    a = rec + off;
    static const uint8_t name_j[4] = { '$', 0, 'J', 0 };
    uint32_t room = rs - off - 8 - 0x20;
    if (!nonres && !hole && n <= room) {
        uint32_t len = (uint32_t)((0x20 + n + 7) & ~(size_t)7);
        memset(a, 0, len);
        fz_put32(a, NTX_AT_DATA);
        fz_put32(a + 4, len);
        a[9] = 2;
        fz_put16(a + 0x0A, 0x18);
        fz_put16(a + 0x0E, 1);
        fz_put32(a + 0x10, (uint32_t)n);
        fz_put16(a + 0x14, 0x20);
        memcpy(a + 0x18, name_j, 4);
        memcpy(a + 0x20, val, n);
        off += len;
    } else {
        uint64_t clusters = (n + cs - 1) / cs, head = hole ? 8 : 0;
        if (clusters > b->free_clusters || clusters == 0 || clusters > 0x7FFF ||
            b->free_lcn > 0x7FFFFF) {
            fz_base_reset(b);
            return 0;
        }
        memset(a, 0, 0x58);
        fz_put32(a, NTX_AT_DATA);
        fz_put32(a + 4, 0x58);
        a[8] = 1;
        a[9] = 2;
        fz_put16(a + 0x0A, 0x40);
        fz_put16(a + 0x0E, 1);
        fz_put64(a + 0x18, head + clusters - 1);
        fz_put16(a + 0x20, 0x48);
        uint64_t bytes = (head + clusters) * cs;
        fz_put64(a + 0x28, bytes);
        fz_put64(a + 0x30, head * cs + n);
        fz_put64(a + 0x38, head * cs + n);
        memcpy(a + 0x40, name_j, 4);
        uint8_t *mp = a + 0x48;
        if (head) {
            *mp++ = 0x01;
            *mp++ = (uint8_t)head;
        }
        *mp++ = 0x32;
        fz_put16(mp, (uint16_t)clusters);
        mp[2] = (uint8_t)b->free_lcn;
        mp[3] = (uint8_t)(b->free_lcn >> 8);
        mp[4] = (uint8_t)(b->free_lcn >> 16);
        off += 0x58;
        uint64_t doff = b->free_lcn * cs;
        fz_base_touch(b, doff, clusters * cs);
        memset(b->work + doff, 0, clusters * cs);
        memcpy(b->work + doff, val, n);
    }
    fz_put32(rec + off, 0xFFFFFFFFu);
    fz_put32(rec + 0x18, off + 8);
    fz_fix(rec, rs);

    static uint8_t buf[4096];
    ntx_volume *vol;
    fz_check(fz_base_mount(b, &vol) == NTX_OK);
    ntx_file f;
    ntx_stream s;
    static const uint16_t j[2] = { '$', 'J' };
    fz_check(ntx_file_open(&f, vol, b->free_rec, 0) == NTX_OK);
    ntx_err rc = ntx_stream_open(&s, &f, NTX_AT_DATA, j, 2);
    fz_check(rc == NTX_OK);
    uint64_t pos = 0;
    unsigned records = 0, errors = 0;
    for (unsigned k = 0; k < 20000; k++) {
        ntx_usn_record ur;
        uint64_t before = pos;
        rc = ntx_usn_next(&s, &pos, buf, sizeof buf, &ur);
        fz_check(rc == NTX_OK || rc == NTX_END || fz_is_err(rc));
        if (rc == NTX_END) {
            fz_check(pos == s.size);
            break;
        }
        if (rc != NTX_OK) {
            fz_check(pos < s.size);
            pos += 8;
            errors++;
            continue;
        }
        fz_check(pos > before && pos <= s.size && ur.length >= 0x3C && ur.name_len <= 255);
        records++;
    }
    if (getenv("NTX_FUZZ_STATS") != NULL)
        fprintf(stderr, "usn: %u records, %u errors\n", records, errors);
    ntx_volume_unmount(vol);
    fz_base_reset(b);
    return 0;
}
