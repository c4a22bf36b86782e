/*
 * fuzz_reparse.c - reparse point data and link targets (ntx_file_reparse,
 * ntx_file_readlink), on a file written into a free MFT record of a base
 * image.
 *
 * Input:
 *   [0] bit 0: an Interix symbolic link (a SYSTEM file whose unnamed $DATA is
 *       "IntxLNK\1" + the value) instead of a $REPARSE_POINT; bit 1: the
 *       value is non-resident (in free clusters of the base image)
 *   [1] base image (modulo 5)
 *   [2..3] scratch capacity (u16; 0 means NTX_REPARSE_MAX)
 *   [4..5] output capacity (u16; 0 means 4096)
 *   then the value (at most 64 KiB)
 * Buffers are heap blocks of exactly their capacity. On success the name
 * offsets lie inside the data, and the link text is NUL-terminated inside
 * the output buffer, has no NUL before its end, and (Windows links) no '\'.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"

/* A resident attribute at p: header 0x18, value after it. Returns its length. */
static uint32_t put_resident(uint8_t *p, uint32_t type, uint16_t instance, const uint8_t *v,
                             uint32_t vlen)
{
    uint32_t len = (0x18 + vlen + 7) & ~7u;
    memset(p, 0, len);
    fz_put32(p, type);
    fz_put32(p + 4, len);
    fz_put16(p + 0x0A, 0x18);
    fz_put16(p + 0x0E, instance);
    fz_put32(p + 0x10, vlen);
    fz_put16(p + 0x14, 0x18);
    memcpy(p + 0x18, v, vlen);
    return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 6 || size > 6 + 65536)
        return 0;
    bool interix = data[0] & 1u, nonres = data[0] & 2u;
    fz_base *b = fz_base_get(data[1]);
    size_t scap = fz_le16(data + 2), ocap = fz_le16(data + 4);
    if (scap == 0)
        scap = NTX_REPARSE_MAX;
    if (ocap == 0)
        ocap = 4096;
    const uint8_t *value = data + 6;
    size_t vlen = size - 6;

    /* The value: "IntxLNK\1" in front for Interix. */
    static uint8_t val[8 + 65536];
    size_t n = 0;
    if (interix) {
        memcpy(val, "IntxLNK\1", 8);
        n = 8;
    }
    memcpy(val + n, value, vlen);
    n += vlen;

    uint32_t rs = b->geo.record_size, cs = b->geo.cluster_size;
    uint64_t rec_off = b->mft_off[b->free_rec];
    uint8_t *rec = b->work + rec_off;
    fz_base_touch(b, rec_off, rs);
    uint32_t off = fz_record_blank(rec, rs);

    uint8_t si[0x48];
    memset(si, 0, sizeof si);
    fz_put32(si + 0x20, interix ? NTX_FA_SYSTEM : (NTX_FA_ARCHIVE | NTX_FA_REPARSE));
    off += put_resident(rec + off, NTX_AT_STANDARD_INFORMATION, 0, si, sizeof si);
    uint32_t type = interix ? NTX_AT_DATA : NTX_AT_REPARSE_POINT;
    uint32_t room = rs - off - 8 - 0x18;
    if (!nonres && n <= room) {
        off += put_resident(rec + off, type, 1, val, (uint32_t)n);
    } else {
        uint64_t clusters = (n + cs - 1) / cs;
        if (clusters > b->free_clusters || clusters == 0 || clusters > 0x7FFF ||
            b->free_lcn > 0x7FFFFF) {
            fz_base_reset(b);
            return 0;
        }
        uint8_t *a = rec + off;
        memset(a, 0, 0x48);
        fz_put32(a, type);
        fz_put32(a + 4, 0x48);
        a[8] = 1;
        fz_put16(a + 0x0A, 0x40);
        fz_put16(a + 0x0E, 1);
        fz_put64(a + 0x18, clusters - 1);
        fz_put16(a + 0x20, 0x40);
        fz_put64(a + 0x28, clusters * cs);
        fz_put64(a + 0x30, n);
        fz_put64(a + 0x38, n);
        a[0x40] = 0x32; /* 2-byte length, 3-byte LCN */
        fz_put16(a + 0x41, (uint16_t)clusters);
        a[0x43] = (uint8_t)b->free_lcn;
        a[0x44] = (uint8_t)(b->free_lcn >> 8);
        a[0x45] = (uint8_t)(b->free_lcn >> 16);
        off += 0x48;
        uint64_t doff = b->free_lcn * cs;
        fz_base_touch(b, doff, clusters * cs);
        memcpy(b->work + doff, val, n);
    }
    fz_put32(rec + off, 0xFFFFFFFFu);
    fz_put32(rec + 0x18, off + 8);
    fz_fix(rec, rs);

    ntx_volume *vol;
    fz_check(fz_base_mount(b, &vol) == NTX_OK);
    ntx_file f;
    fz_check(ntx_file_open(&f, vol, b->free_rec, 0) == NTX_OK);

    uint8_t *scratch = malloc(scap);
    char *out = malloc(ocap);
    ntx_reparse rp;
    ntx_err rc = ntx_file_reparse(&f, scratch, scap, &rp);
    fz_check(rc == NTX_OK || rc == NTX_E_NOT_FOUND || rc == NTX_E_BUFFER || rc == NTX_E_CORRUPT);
    if (rc == NTX_OK) {
        fz_check(!interix && n <= scap && 8u + rp.data_len <= n);
        fz_check((size_t)rp.subst_off + rp.subst_len <= 8u + rp.data_len);
        fz_check((size_t)rp.print_off + rp.print_len <= 8u + rp.data_len);
        /* the decoded names lie after the raw value in the scratch, NUL-terminated */
        if (rp.subst != NULL) {
            const char *lo = (const char *)scratch + rp.value_len, *hi = (const char *)scratch + scap;
            fz_check(rp.subst >= lo && rp.subst + rp.subst_utf8_len < hi &&
                     rp.subst[rp.subst_utf8_len] == 0);
            fz_check(rp.print != NULL && rp.print >= lo && rp.print + rp.print_utf8_len < hi &&
                     rp.print[rp.print_utf8_len] == 0);
            fz_check(rp.subst_utf8_len <= 3u * (rp.subst_len / 2u) &&
                     rp.print_utf8_len <= 3u * (rp.print_len / 2u));
        }
    }
    size_t len = 0;
    rc = ntx_file_readlink(&f, scratch, scap, out, ocap, &len);
    fz_check(rc == NTX_OK || fz_is_err(rc));
    if (rc == NTX_OK) {
        fz_check(len < ocap && out[len] == '\0' && strlen(out) == len);
        /* Windows targets get '/' for '\'; Interix targets are POSIX paths, as stored. */
        if (!interix && memchr(out, '\\', len) != NULL)
            fprintf(stderr, "readlink gave \"%s\" (%zu bytes)\n", out, len);
        fz_check(interix || memchr(out, '\\', len) == NULL);
    }
    ntx_stat st;
    rc = ntx_file_stat(&f, &st);
    fz_check(rc == NTX_OK || fz_is_err(rc));
    free(scratch);
    free(out);
    ntx_volume_unmount(vol);
    fz_base_reset(b);
    return 0;
}
