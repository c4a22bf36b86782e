/*
 * fuzz_attrlist.c - $ATTRIBUTE_LIST entries (ntx_alist_entry_at,
 * ntx_alist_find), resident or read through the volume's list window.
 *
 * Input:
 *   [0] bit 0: non-resident (the list lies on the device from cluster 16,
 *       512-byte clusters); bit 1: initialized size half the data size
 *   [1..3] unused
 *   [4..7] a query type (u32), [8..15] a query VCN (u64)
 *   then the list (at most 300 KiB: the 256 KiB cap is reachable)
 * Every entry is walked until the end or an error; each must be 8-aligned,
 * at least 0x1A bytes, inside the list, with its name inside it. Each entry
 * of a clean list must be found again by its own type, name and lowest VCN.
 */
#include <stdlib.h>
#include <string.h>

#include "mft/alist.h"
#include "fuzz_support.h"

#define BASE_NO 30u
#define LIST_LCN 16u

static volatile unsigned sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 16 || size > 16 + 300 * 1024)
        return 0;
    bool nonres = data[0] & 1u, half = data[0] & 2u;
    uint32_t qtype = fz_le32(data + 4);
    uint64_t qvcn = fz_le64(data + 8);
    const uint8_t *list = data + 16;
    size_t n = size - 16;
    const unsigned cs = 9;
    static uint8_t device[(LIST_LCN << 9) + 301 * 1024];
    fz_dev dev = { device, sizeof device, sizeof device, 0 };

    uint8_t *a;
    size_t alen;
    if (!nonres) {
        alen = (0x18 + n + 7) & ~(size_t)7;
        a = calloc(1, alen);
        fz_put32(a + 0x10, (uint32_t)n);
        fz_put16(a + 0x14, 0x18);
        memcpy(a + 0x18, list, n);
    } else {
        uint64_t clusters = (n + 511) >> cs;
        alen = 0x48;
        a = calloc(1, alen);
        a[0x08] = 1;
        fz_put16(a + 0x0A, 0x40);
        fz_put64(a + 0x18, clusters ? clusters - 1 : UINT64_MAX);
        fz_put16(a + 0x20, 0x40);
        fz_put64(a + 0x28, clusters << cs);
        fz_put64(a + 0x30, n);
        fz_put64(a + 0x38, half ? n / 2 : n);
        if (clusters) { /* one run: a 2-byte length, a 1-byte LCN */
            a[0x40] = 0x12;
            a[0x41] = (uint8_t)clusters;
            a[0x42] = (uint8_t)(clusters >> 8);
            a[0x43] = LIST_LCN;
            a[0x44] = 0;
        }
        memset(device, 0, sizeof device);
        memcpy(device + (LIST_LCN << cs), list, n);
    }
    fz_put32(a + 0x00, NTX_AT_ATTRIBUTE_LIST);
    fz_put32(a + 0x04, (uint32_t)alen);

    static ntx_volume vol;
    fz_fake_volume(&vol, &dev, cs, 1024, sizeof device >> cs);

    uint32_t pos = 0;
    ntx_err rc = NTX_OK;
    unsigned count = 0;
    struct { uint32_t type; uint64_t vcn; uint8_t name_len; uint16_t name[255]; } seen[8];
    for (; count < 20000; count++) {
        ntx_alist_entry e;
        const uint8_t *name;
        rc = ntx_alist_entry_at(&vol, a, BASE_NO, pos, &e, &name);
        if (rc != NTX_OK)
            break;
        fz_check(e.length >= 0x1A && (e.length & 7) == 0 && pos + e.length <= n);
        unsigned s = 0;
        for (unsigned i = 0; i < 2u * e.name_len; i++)
            s += name[i];
        sink += s;
        if (count < 8) {
            seen[count].type = e.type;
            seen[count].vcn = e.lowest_vcn;
            seen[count].name_len = e.name_len;
            for (unsigned i = 0; i < e.name_len; i++)
                seen[count].name[i] = fz_le16(name + 2 * i);
        }
        pos += e.length;
    }
    fz_check(rc == NTX_OK || rc == NTX_END || rc == NTX_E_CORRUPT || rc == NTX_E_CORRUPT ||
             rc == NTX_E_RANGE || rc == NTX_E_IO);
    if (rc == NTX_E_CORRUPT)
        fz_check(vol.diag.check == NTX_CHK_ALIST_ENTRY || vol.diag.check == NTX_CHK_ALIST_SIZE);

    ntx_alist_entry best;
    const ntx_alist_query q = { .type = qtype };
    ntx_err f = ntx_alist_find(&vol, a, BASE_NO, &q, qvcn, &best);
    fz_check(f == NTX_OK || f == NTX_E_NOT_FOUND || fz_is_err(f));
    if (rc == NTX_END) {
        for (unsigned i = 0; i < count && i < 8; i++) {
            const ntx_alist_query qi = { .name = seen[i].name,
                                         .type = seen[i].type, .name_len = seen[i].name_len };
            f = ntx_alist_find(&vol, a, BASE_NO, &qi, seen[i].vcn, &best);
            fz_check(f == NTX_OK);
            fz_check(best.type == seen[i].type && best.lowest_vcn == seen[i].vcn);
        }
    }
    /* A deleted file's list is read as far as it is intact: every entry
     * before the first bad one is found, and the bad one is no error. */
    if (rc == NTX_END || rc == NTX_E_CORRUPT) {
        for (unsigned i = 0; i < count && i < 8; i++) {
            const ntx_alist_query qi = { .name = seen[i].name,
                                         .type = seen[i].type, .name_len = seen[i].name_len,
                                         .deleted = true };
            f = ntx_alist_find(&vol, a, BASE_NO, &qi, seen[i].vcn, &best);
            fz_check(f == NTX_OK);
            fz_check(best.type == seen[i].type && best.lowest_vcn == seen[i].vcn);
        }
    }
    free(a);
    return 0;
}
