/*
 * lznt1.c - LZNT1, the compression of NTFS compressed $DATA streams.
 *
 * Source: [MS-XCA] section 2.5 (LZNT1 algorithm) and 3.3 (worked example);
 * libfsntfs "NTFS.asciidoc" (compression), ntfs-3g compress.c
 * ntfs_decompress().
 *
 * A compression unit is a sequence of chunks; each chunk expands to at most
 * 4096 bytes and does not refer to any other chunk. A chunk starts with a
 * 16-bit little-endian header:
 *   bits 0-11   total chunk size including the header, minus 3
 *   bits 12-14  signature, 3 on everything Windows writes
 *   bit  15     1 = compressed payload, 0 = raw bytes
 * and a header of 0x0000 ends the unit early.
 *
 * A compressed payload is a run of groups: one flag byte, then up to 8
 * tokens, bit i (LSB first) describing token i. A 0 bit is one literal byte;
 * a 1 bit is a 2-byte little-endian back-reference. How its 16 bits split
 * between displacement (high part) and length (low part) depends on p, the
 * bytes this chunk has produced so far: the displacement gets the smallest
 * b >= 4 with 2^b >= p bits (so 4 bits for p <= 16, 5 for p <= 32, ...,
 * 12 for p <= 4096) and the length the other 16 - b. Then
 *   displacement = (token >> (16 - b)) + 1,  length = (token & mask) + 3.
 * The split only ever moves one way, since p only grows inside a chunk.
 * A reference may overlap its own output (displacement < length): it then
 * repeats the last displacement bytes, so the copy must go forward.
 *
 * Hostile input (R40): a reference before the chunk's first byte,
 * output past 4096 bytes or past the caller's buffer, a token cut off at the
 * end of the payload. Each is checked once per token, before any byte moves.
 */
#include "lznt1.h"

#include "../base/bytes.h"
#include "ntx/config.h"

enum {
    LZNT1_SIZE_MASK = 0x0FFFu,       /* header bits 0-11: chunk size - 3 */
    LZNT1_SIZE_BIAS = 3u,
    LZNT1_COMPRESSED = 0x8000u,      /* header bit 15 */
    LZNT1_MIN_MATCH = 3u,            /* a stored length of 0 means 3 bytes */
    LZNT1_SPLIT_FIRST = 16u,         /* positions 1..16 use 4 displacement bits */
    LZNT1_LEN_BITS_FIRST = 12u,
};

ntx_err ntx_lznt1_header(uint16_t header, uint32_t *chunk_len, bool *compressed)
{
    if (chunk_len == NULL || compressed == NULL)
        return NTX_E_ARG;
    if (header == 0)
        return NTX_END;
    /* The signature (bits 12-14) is not checked. [MS-XCA] 3.3 calls 3 "the correct
     * signature value", but ntfs-3g's ntfs_decompress() reads only the size and bit 15, so
     * refusing other values would hide files that the reference reader shows. Nothing is
     * lost for safety: the size and every token are still checked. */
    *chunk_len = (uint32_t)(header & LZNT1_SIZE_MASK) + LZNT1_SIZE_BIAS;
    *compressed = (header & LZNT1_COMPRESSED) != 0;
    return NTX_OK;
}

/* 8 bytes at once; __builtin_memcpy of a constant size compiles to one load and one store
 * (as in mem.c), never to a library call. */
static inline void lznt1_copy8(uint8_t *d, const uint8_t *s)
{
#if NTX_UNALIGNED_OK
    uint64_t w;
    __builtin_memcpy(&w, s, sizeof w);
    __builtin_memcpy(d, &w, sizeof w);
#else
    for (unsigned i = 0; i < 8; i++) /* bound: 8 */
        d[i] = s[i];
#endif
}

/* 4 bytes at once, for the tail of a copy. */
static inline void lznt1_copy4(uint8_t *d, const uint8_t *s)
{
#if NTX_UNALIGNED_OK
    uint32_t w;
    __builtin_memcpy(&w, s, sizeof w);
    __builtin_memcpy(d, &w, sizeof w);
#else
    for (unsigned i = 0; i < 4; i++) /* bound: 4 */
        d[i] = s[i];
#endif
}

ntx_err ntx_lznt1_decompress_chunk(const uint8_t *src, size_t src_len, uint8_t *dst,
                                   size_t dst_cap, size_t *out_len)
{
    const uint8_t *s = src;
    const uint8_t *s_end;
    uint8_t *d = dst;
    uint8_t *d_end;
    size_t split = LZNT1_SPLIT_FIRST;   /* largest position the current split is used for */
    unsigned len_bits = LZNT1_LEN_BITS_FIRST;
    uint32_t len_mask = (1u << LZNT1_LEN_BITS_FIRST) - 1u;
    ntx_err rc = NTX_OK;

    if (out_len == NULL || src == NULL || dst == NULL)
        return NTX_E_ARG;
    if (dst_cap > NTX_LZNT1_CHUNK)
        dst_cap = NTX_LZNT1_CHUNK;
    s_end = src + src_len;
    d_end = dst + dst_cap;

    /* bound: every group consumes its flag byte, so s strictly grows up to s_end */
    while (s < s_end) {
        unsigned flags = *s++;

        /* Eight literals in a row (incompressible data) move as one word. */
        if (flags == 0 && s_end - s >= 8 && d_end - d >= 8) {
            lznt1_copy8(d, s);
            s += 8;
            d += 8;
            continue;
        }

        /* bound: 8 tokens per flag byte */
        for (unsigned bit = 0; bit < 8 && s < s_end; bit++, flags >>= 1) {
            uint32_t token;
            size_t pos;
            size_t disp;
            size_t len;
            const uint8_t *from;

            if ((flags & 1u) == 0) {
                if (d == d_end)
                    goto overflow;
                *d++ = *s++;
                continue;
            }

            if (s_end - s < 2) {
                rc = NTX_E_CORRUPT; /* a back-reference with only its first byte */
                goto out;
            }
            token = (uint32_t)s[0] | (uint32_t)s[1] << 8;
            s += 2;

            pos = (size_t)(d - dst);
            /* bound: pos <= 4096 = 16 << 8, so at most 8 doublings per chunk */
            while (pos > split) {
                split <<= 1;
                len_bits--;
                len_mask >>= 1;
            }
            disp = (size_t)(token >> len_bits) + 1u;
            len = (size_t)(token & len_mask) + LZNT1_MIN_MATCH;
            if (disp > pos) {
                rc = NTX_E_CORRUPT; /* reaches before the chunk's first output byte */
                goto out;
            }
            if (len > (size_t)(d_end - d))
                goto overflow;

            from = d - disp;
            /* A short displacement repeats a pattern (runs of zeros are the common case) and
             * overlaps word copies. Write the first lcm(disp, 8) bytes one at a time; from
             * then on the bytes that far back hold the same pattern, and that distance is a
             * multiple of 8, so each word load matches one earlier word store (a distance
             * like 14 would straddle two stores and stall store forwarding). */
            if (disp < 8) {
                size_t head = disp;
                /* bound: disp = odd * 2^a with a <= 2, so at most 3 doublings give lcm(disp, 8)
                 * (<= 56). Computed, not a table: a table costs a GOT reference in 32-bit
                 * PIC builds. */
                while ((head & 7u) != 0)
                    head <<= 1;
                if (len >= head + 8u) {
                    /* bound: head <= 56 < len */
                    for (size_t k = 0; k < head; k++)
                        d[k] = from[k];
                    d += head;
                    len -= head;
                    from = d - head;
                    disp = head;
                }
            }
            /* disp >= 8: source and destination words never overlap. */
            if (disp >= 8) {
                /* bound: len shrinks by 8 per step */
                while (len >= 8) {
                    lznt1_copy8(d, from);
                    d += 8;
                    from += 8;
                    len -= 8;
                }
                if (len & 4u) {
                    lznt1_copy4(d, from);
                    d += 4;
                    from += 4;
                }
                if (len & 2u) {
                    d[0] = from[0];
                    d[1] = from[1];
                    d += 2;
                    from += 2;
                }
                if (len & 1u)
                    *d++ = *from;
                continue;
            }
            /* A short overlapping copy, byte by byte and forward. */
            /* bound: len <= 4096 after the check above and shrinks by one per step */
            while (len > 0) {
                *d++ = *from++;
                len--;
            }
        }
    }
    goto out;

overflow:
    /* More than 4096 bytes, or more than the caller's buffer holds. */
    rc = NTX_E_CORRUPT;
out:
    *out_len = (size_t)(d - dst);
    return rc;
}

