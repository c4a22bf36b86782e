/*
 * fuzz_runlist.c - the mapping pairs decoder (ntx_mp_next, ntx_mp_find,
 * ntx_alist_read) against invariants and a round trip.
 *
 * Input:
 *   [0] cluster size 2^(9 + (v & 7))
 *   [1] bit 0: compressed header (0x48 bytes) and flag; bit 1: initialized
 *       size half the data size
 *   [2..3] unused
 *   [4..7] clusters in the volume (u32)
 *   [8..15] lowest VCN, [16..23] highest VCN (u64)
 *   then the mapping pairs (at most 4000 bytes)
 * A non-resident $DATA attribute is built around them (sizes from the VCNs
 * when lowest is 0) and must pass ntx_attr_check() first, as in a record.
 * Decoded runs must be contiguous in VCN, non-empty, inside the volume, and
 * end exactly at highest + 1 when the list ends cleanly. ntx_mp_find() must
 * return, for any VCN, the run the linear decode gave. A clean list is
 * re-encoded and decoded again to the same runs. ntx_alist_read() reads a
 * zero device through it.
 */
#include <stdlib.h>
#include <string.h>

#include "parse/attr.h"
#include "fuzz_support.h"
#include "mft/alist.h"
#include "parse/runlist.h"

#define MFT_NO 7u
#define MAX_RUNS 4096u

static ntx_run runs[MAX_RUNS], runs2[MAX_RUNS];

static uint8_t *build(const uint8_t *mp, size_t mp_len, bool compressed, uint64_t lowest,
                      uint64_t highest, unsigned cs, bool half_init, uint32_t *out_len)
{
    uint32_t hdr = compressed ? 0x48 : 0x40;
    uint32_t len = (uint32_t)((hdr + mp_len + 7) & ~(size_t)7);
    uint8_t *a = calloc(1, len);
    fz_put32(a + 0x00, NTX_AT_DATA);
    fz_put32(a + 0x04, len);
    a[0x08] = 1;
    fz_put16(a + 0x0A, (uint16_t)hdr);
    fz_put16(a + 0x0C, compressed ? NTX_ATTR_FLAG_COMPRESSED : 0);
    fz_put64(a + 0x10, lowest);
    fz_put64(a + 0x18, highest);
    fz_put16(a + 0x20, (uint16_t)hdr);
    a[0x22] = compressed ? 4 : 0;
    if (lowest == 0 && highest < ((uint64_t)1 << 40)) {
        uint64_t alloc = (highest + 1) << cs;
        uint64_t data = alloc - (alloc ? 1 : 0);
        fz_put64(a + 0x28, alloc);
        fz_put64(a + 0x30, data);
        fz_put64(a + 0x38, half_init ? data / 2 : data);
    }
    memcpy(a + hdr, mp, mp_len);
    *out_len = len;
    return a;
}

/* Decode every run; returns NTX_END or the error, *n runs. */
static ntx_err decode(ntx_volume *vol, const uint8_t *a, ntx_run *out, unsigned *n)
{
    ntx_mp_state st;
    ntx_mp_begin(a, &st);
    uint64_t vcn = ntx_attr_lowest_vcn(a);
    *n = 0;
    for (;;) {
        ntx_run r;
        ntx_err rc = ntx_mp_next(vol, a, &st, &r, MFT_NO);
        if (rc == NTX_END) {
            fz_check(vcn == ntx_attr_vcn_end(a));
            return rc;
        }
        if (rc != NTX_OK) {
            fz_check(rc == NTX_E_CORRUPT && vol->diag.check >= NTX_CHK_RUN_HEADER &&
                     vol->diag.check <= NTX_CHK_RUN_UNMAPPED);
            return rc;
        }
        fz_check(r.vcn == vcn && r.len != 0 && r.len <= ntx_attr_vcn_end(a) - vcn);
        fz_check(r.lcn == NTX_LCN_HOLE ||
                 (r.lcn < vol->geo.cluster_count && r.len <= vol->geo.cluster_count - r.lcn));
        fz_check(*n < MAX_RUNS);
        out[(*n)++] = r;
        vcn += r.len;
    }
}

/* Mapping pairs for runs (the smallest signed encodings). */
static size_t encode(const ntx_run *r, unsigned n, uint8_t *out, size_t cap)
{
    size_t pos = 0;
    int64_t prev = 0;
    for (unsigned i = 0; i < n; i++) {
        uint8_t tmp[17];
        unsigned ln = 0, on = 0;
        uint64_t len = r[i].len; /* < 2^63: at most 8 bytes with a clear top bit */
        do {
            tmp[1 + ln++] = (uint8_t)len;
            len >>= 8;
        } while (ln < 8 && (len != 0 || (tmp[ln] & 0x80)));
        if (r[i].lcn != NTX_LCN_HOLE) {
            int64_t d = (int64_t)r[i].lcn - prev;
            prev = (int64_t)r[i].lcn;
            for (;;) { /* a signed delta: at most 8 bytes */
                tmp[1 + ln + on++] = (uint8_t)d;
                if (on == 8)
                    break;
                int64_t rest = d >> 8;
                bool sign = (tmp[ln + on] & 0x80) != 0;
                if ((rest == 0 && !sign) || (rest == -1 && sign))
                    break;
                d = rest;
            }
        }
        tmp[0] = (uint8_t)(ln | on << 4);
        if (pos + 1 + ln + on + 1 > cap)
            return 0;
        memcpy(out + pos, tmp, 1 + ln + on);
        pos += 1 + ln + on;
    }
    out[pos++] = 0;
    return pos;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 24 || size > 24 + 4000)
        return 0;
    unsigned cs = 9u + (data[0] & 7u);
    bool compressed = data[1] & 1u, half = data[1] & 2u;
    uint64_t clusters = fz_le32(data + 4);
    uint64_t lowest = fz_le64(data + 8), highest = fz_le64(data + 16);
    uint32_t len;
    uint8_t *a = build(data + 24, size - 24, compressed, lowest, highest, cs, half, &len);
    ntx_check chk;
    if (ntx_attr_check(a, len, cs, &chk) != NTX_OK) {
        free(a);
        return 0;
    }

    static ntx_volume vol;
    fz_dev dev = { NULL, 0, clusters << cs, 0 };
    fz_fake_volume(&vol, &dev, cs, 1024, clusters);

    unsigned n = 0;
    ntx_err end = decode(&vol, a, runs, &n);

    /* ntx_mp_find agrees with the linear decode, at run edges and between. */
    uint64_t lo = ntx_attr_lowest_vcn(a), hi = ntx_attr_vcn_end(a);
    for (unsigned i = 0; i < n && i < 64; i++) {
        uint64_t probes[3] = { runs[i].vcn, runs[i].vcn + runs[i].len - 1,
                               runs[i].vcn + runs[i].len / 2 };
        for (unsigned k = 0; k < 3; k++) {
            ntx_run r;
            ntx_err rc = ntx_mp_find(&vol, a, probes[k], &r, MFT_NO);
            fz_check(rc == NTX_OK);
            fz_check(r.vcn == runs[i].vcn && r.len == runs[i].len && r.lcn == runs[i].lcn);
        }
    }
    ntx_run r;
    fz_check(ntx_mp_find(&vol, a, hi, &r, MFT_NO) == NTX_E_CORRUPT);
    if (lo > 0)
        fz_check(ntx_mp_find(&vol, a, lo - 1, &r, MFT_NO) == NTX_E_CORRUPT);

    /* A clean list survives re-encoding. */
    if (end == NTX_END && n > 0) {
        static uint8_t mp2[8192];
        size_t l2 = encode(runs, n, mp2, sizeof mp2);
        if (l2 != 0) {
            uint32_t len2;
            uint8_t *a2 = build(mp2, l2, compressed, lowest, highest, cs, half, &len2);
            unsigned n2 = 0;
            fz_check(ntx_attr_check(a2, len2, cs, &chk) == NTX_OK);
            fz_check(decode(&vol, a2, runs2, &n2) == NTX_END);
            fz_check(n2 == n && memcmp(runs, runs2, n * sizeof runs[0]) == 0);
            free(a2);
        }
    }

    /* Reading through the list (first extent only: sizes are known). */
    if (lo == 0 && hi > 0) {
        static uint8_t buf[8192];
        uint64_t init = ntx_attr_init_size(a);
        uint64_t offs[3] = { 0, init / 2, init > 100 ? init - 100 : 0 };
        for (unsigned k = 0; k < 3; k++) {
            ntx_err rc = ntx_alist_read(&vol, a, MFT_NO, offs[k], buf, sizeof buf);
            fz_check(rc == NTX_OK || rc == NTX_E_CORRUPT || rc == NTX_E_RANGE || rc == NTX_E_IO);
        }
    }
    free(a);
    return 0;
}
