/*
 * fuzz_lznt1.c - LZNT1 chunks, against a plain reference decoder written
 * from [MS-XCA] 2.5 here.
 *
 * Input:
 *   [0..1] output capacity (u16; 0 or more than 4096 means 4096)
 *   then a compression unit: chunks, each a 2-byte header (size - 3 in bits
 *   0-11, bit 15 compressed) and its payload, until a 0 header or the end
 * Chunks are walked as the stream code walks them. Each compressed payload
 * is decompressed from a heap copy of exactly its size into a heap buffer of
 * exactly the capacity, and the result code, the byte count and the bytes
 * must equal the reference decoder's (also on error: what was written
 * before the fault). A second decode into a buffer with a canary after the
 * capacity checks what lznt1.h promises about the bytes past the output:
 * never written past the capacity, and after success not past the output
 * (the decoder's word copies overrun a token's end, and later tokens must
 * cover that).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"
#include "parse/lznt1.h"

static ntx_err reference(const uint8_t *src, size_t n, uint8_t *dst, size_t cap, size_t *out)
{
    size_t i = 0, pos = 0;
    ntx_err rc = NTX_OK;
    if (cap > 4096)
        cap = 4096;
    while (i < n) {
        unsigned flags = src[i++];
        for (unsigned bit = 0; bit < 8 && i < n; bit++) {
            if (!((flags >> bit) & 1u)) {
                if (pos >= cap) {
                    rc = NTX_E_CORRUPT;
                    goto done;
                }
                dst[pos++] = src[i++];
                continue;
            }
            if (n - i < 2) {
                rc = NTX_E_CORRUPT;
                goto done;
            }
            unsigned token = src[i] | (unsigned)src[i + 1] << 8;
            i += 2;
            unsigned k = 0;
            while (pos > ((size_t)16 << k))
                k++;
            unsigned len_bits = 12 - k;
            size_t disp = (token >> len_bits) + 1u;
            size_t len = (token & ((1u << len_bits) - 1u)) + 3u;
            if (disp > pos || len > cap - pos) {
                rc = NTX_E_CORRUPT;
                goto done;
            }
            for (size_t j = 0; j < len; j++, pos++)
                dst[pos] = dst[pos - disp];
        }
    }
done:
    *out = pos;
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > 2 + 16 * 4098)
        return 0;
    size_t cap = fz_le16(data);
    if (cap == 0 || cap > 4096)
        cap = 4096;
    const uint8_t *unit = data + 2;
    size_t n = size - 2, p = 0;
    static uint8_t want[4096];
    for (unsigned k = 0; k < 16 && n - p >= 2; k++) {
        uint32_t chunk_len;
        bool compressed;
        ntx_err rc = ntx_lznt1_header(fz_le16(unit + p), &chunk_len, &compressed);
        if (rc == NTX_END)
            break;
        fz_check(rc == NTX_OK && chunk_len >= 3 && chunk_len <= 4098);
        if (chunk_len > n - p)
            break; /* the stream code reports this as NTX_E_CORRUPT */
        size_t clen = chunk_len - 2;
        if (compressed) {
            uint8_t *src = malloc(clen);
            uint8_t *dst = malloc(cap);
            memcpy(src, unit + p + 2, clen);
            size_t got = 99999, ref = 88888;
            ntx_err a = ntx_lznt1_decompress_chunk(src, clen, dst, cap, &got);
            ntx_err b = reference(src, clen, want, cap, &ref);
            fz_check(a == b);
            fz_check(got == ref && got <= cap);
            fz_check(memcmp(dst, want, got) == 0);
            enum { CANARY = 32 };
            uint8_t *guarded = malloc(cap + CANARY);
            size_t got2 = 77777;
            memset(guarded, 0xA5, cap + CANARY);
            fz_check(ntx_lznt1_decompress_chunk(src, clen, guarded, cap, &got2) == a);
            fz_check(got2 == got && memcmp(guarded, want, got) == 0);
            for (size_t i = a == NTX_OK ? got : cap; i < cap + CANARY; i++)
                fz_check(guarded[i] == 0xA5);
            free(guarded);
            free(src);
            free(dst);
        }
        p += chunk_len;
    }
    size_t got;
    fz_check(ntx_lznt1_decompress_chunk(NULL, 0, want, 1, &got) == NTX_E_ARG);
    return 0;
}
