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

/* The pattern fill of short displacements works on words where an unaligned word access
 * is one instruction (as lznt1_copy8 does) and words are little-endian (it builds its
 * word from bytes in memory order); elsewhere those copies go one byte at a time. */
#if NTX_UNALIGNED_OK && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define LZNT1_WORDS 1
#else
#define LZNT1_WORDS 0
#endif

enum {
    /* The flag byte of the group being decoded is kept with this bit above its eight bits
     * and shifted right once per token: 1 means the group has no tokens left. */
    LZNT1_SENTINEL = 0x100u,
    /* The fast loop starts a group only with at least this many payload bytes left. A
     * group takes at most 17 (flag and eight 2-byte references) and its word copies read
     * at most 8 bytes past its last literal, so no read needs a check; and the 23 or more
     * bytes left after the group expand, if the chunk is valid, to at least 20 bytes,
     * which overwrite everything the group's copies wrote past their ends (13 at most). */
    LZNT1_FAST_SRC = 40u,
    /* ... and keeps at least this much room in dst before each token: 8 for a literal
     * run copied as one word, then 16 for a short match copied as two words. */
    LZNT1_FAST_DST = 24u,
};

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

/* Index of the lowest set bit of f, 0 < f < 0x200: the literals before the next
 * reference of a group, or before its sentinel. */
static inline unsigned lznt1_ctz9(unsigned f)
{
#if defined(__x86_64__) || defined(__i386__) || defined(__aarch64__) || defined(__ARM_FEATURE_CLZ)
    return (unsigned)__builtin_ctz(f);
#else
    /* No count-trailing-zeros instruction (RISC-V without Zbb): GCC would call
     * a libgcc routine, which the core must not need. The lowest set bit, then its index. */
    unsigned b = f & (0u - f);
    return (unsigned)((b & 0x100u) != 0) << 3 | (unsigned)((b & 0xF0u) != 0) << 2 |
           (unsigned)((b & 0xCCu) != 0) << 1 | (unsigned)((b & 0xAAu) != 0);
#endif
}

/*
 * Copy a back-reference: d[0 .. len) = d[-disp .. len - disp), forward, so that a
 * displacement below the length repeats the last disp bytes. Writes stay below limit
 * (d + len <= limit); bytes in [d + len, limit) may be overwritten too, and the caller
 * makes sure later output covers them. limit == d + len gives an exact copy. Returns
 * d + len. Not inlined: the fast loop calls it for the less common matches (long, or
 * overlapping), and inlined it would crowd that loop's registers onto the stack.
 */
static __attribute__((noinline)) uint8_t *lznt1_match(uint8_t *d, size_t disp, size_t len, const uint8_t *limit)
{
    uint8_t *e = d + len;
    const uint8_t *from = d - disp;
    /* 8 or more bytes of room past the end: the last word may run over. */
    bool over = (size_t)(limit - e) >= 8u;

    if (disp >= 8) {
        /* Each word is read after the words it overlaps were written (disp >= 8). */
        if (over) {
            /* bound: d grows by 8 up to e */
            do {
                lznt1_copy8(d, from);
                d += 8;
                from += 8;
            } while (d < e);
            return e;
        }
        /* bound: d grows by 8 while 8 bytes remain */
        while ((size_t)(e - d) >= 8u) {
            lznt1_copy8(d, from);
            d += 8;
            from += 8;
        }
    }
#if LZNT1_WORDS
    else {
        /* A short displacement repeats a pattern of disp bytes (runs of zeros are the
         * common case). Build 8 bytes of it in a register and store that word every
         * `stride` bytes, the largest multiple of disp up to 8, so that each store starts
         * at the same phase of the pattern; no load depends on a recent store. The load
         * reads 8 bytes from d - disp: those past d are inside dst (a short reference
         * needs room, see the callers) and are masked away unused. */
        uint64_t w;
        unsigned stride = (0x76586880u >> (4u * disp)) & 0xFu; /* 8 8 6 8 5 6 7 */
        if (over || len >= 8u) {
            __builtin_memcpy(&w, from, sizeof w);
            w &= ((uint64_t)1 << (8u * disp)) - 1u;
            /* bound: sh starts at 8 and doubles below 64: at most 3 passes */
            for (unsigned sh = 8u * (unsigned)disp; sh < 64u; sh <<= 1)
                w |= w << sh;
            if (over) {
                /* bound: d grows by stride (>= 5) up to e */
                do {
                    __builtin_memcpy(d, &w, sizeof w);
                    d += stride;
                } while (d < e);
                return e;
            }
            /* bound: d grows by stride (>= 5) while 8 bytes remain */
            while ((size_t)(e - d) >= 8u) {
                __builtin_memcpy(d, &w, sizeof w);
                d += stride;
            }
        }
    }
#endif
    /* The last bytes (and every short overlapping copy without words), one at a time:
     * everything before d is final, so d[-disp] is the right byte. */
    /* bound: d grows by one up to e */
    while (d < e) {
        *d = d[-(ptrdiff_t)disp];
        d++;
    }
    return e;
}

/* The displacement/length split for output position pos: advanced only when pos passes
 * the largest position the current split serves (16, 32, ..., 2048). */
static inline void lznt1_split(size_t pos, size_t *split, unsigned *len_bits, uint32_t *len_mask)
{
    /* bound: pos <= 4096 = 16 << 8, so at most 8 doublings per chunk */
    while (pos > *split) {
        *split <<= 1;
        (*len_bits)--;
        *len_mask >>= 1;
    }
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
    unsigned f = 1;                     /* flags of the open group, see LZNT1_SENTINEL */
    ntx_err rc = NTX_OK;

    if (out_len == NULL || src == NULL || dst == NULL)
        return NTX_E_ARG;
    if (dst_cap > NTX_LZNT1_CHUNK)
        dst_cap = NTX_LZNT1_CHUNK;
    s_end = src + src_len;
    d_end = dst + dst_cap;

    /*
     * One loop, two ways of decoding a group. Far from both ends (LZNT1_FAST_SRC,
     * LZNT1_FAST_DST) a whole group is decoded at once: each token is still checked
     * before a byte moves, but the margins make the payload-end checks needless, and
     * literal runs and short matches are copied as whole words that may write past their
     * end (never past d_end); the following tokens overwrite those bytes. Elsewhere, and
     * for the chunk's first group (so that a chunk failing at once, the usual shape of
     * garbage, leaves dst as it was), one token at a time with exact lengths: nothing is
     * written past the last token's output.
     */
    /* bound: every pass consumes a flag byte, a token or a whole group, so s strictly
     * grows up to s_end */
    while (s < s_end) {
        uint32_t token;
        size_t pos;
        size_t disp;
        size_t len;

        if (f == 1u && d != dst && (size_t)(s_end - s) >= LZNT1_FAST_SRC &&
            (size_t)(d_end - d) >= LZNT1_FAST_DST) {
            /* bound: every pass consumes a flag byte, so s strictly grows */
            do {
                f = *s++ | LZNT1_SENTINEL;
                /* bound: each pass consumes the group's next reference or its sentinel: at
                 * most 9 */
                for (;;) {
                    /* The literals up to the next reference (0 to 8) as one word: room >= 8. */
                    unsigned run = lznt1_ctz9(f);
                    lznt1_copy8(d, s);
                    d += run;
                    s += run;
                    f >>= run;
                    if (f == 1u)
                        break;
                    f >>= 1;

                    token = ntx_le16(s);
                    s += 2;
                    pos = (size_t)(d - dst);
                    lznt1_split(pos, &split, &len_bits, &len_mask);
                    disp = (size_t)(token >> len_bits) + 1u;
                    len = (size_t)(token & len_mask) + LZNT1_MIN_MATCH;
                    if (disp > pos) {
                        rc = NTX_E_CORRUPT; /* reaches before the chunk's first output byte */
                        goto out;
                    }
                    if (len > (size_t)(d_end - d))
                        goto overflow;
                    if (disp >= 8u && len <= 16u) {
                        /* Most matches: two words, room >= 16; the second reads bytes the
                         * first may just have written, hence disp >= 8. */
                        lznt1_copy8(d, d - disp);
                        lznt1_copy8(d + 8, d + 8 - disp);
                        d += len;
                    } else {
                        d = lznt1_match(d, disp, len, d_end);
                    }
                    /* Too close to d_end for the next token's words: the loop condition
                     * below fails too, and f keeps the group's other tokens for the
                     * careful way. */
                    if ((size_t)(d_end - d) < LZNT1_FAST_DST)
                        break;
                }
            } while ((size_t)(s_end - s) >= LZNT1_FAST_SRC && (size_t)(d_end - d) >= LZNT1_FAST_DST);
            continue;
        }

        if (f == 1u) {
            f = *s++ | LZNT1_SENTINEL;
            continue;
        }
        if ((f & 1u) == 0) {
            if (d == d_end)
                goto overflow;
            *d++ = *s++;
            f >>= 1;
            continue;
        }
        f >>= 1;
        if (s_end - s < 2) {
            rc = NTX_E_CORRUPT; /* a back-reference with only its first byte */
            goto out;
        }
        token = ntx_le16(s);
        s += 2;
        pos = (size_t)(d - dst);
        lznt1_split(pos, &split, &len_bits, &len_mask);
        disp = (size_t)(token >> len_bits) + 1u;
        len = (size_t)(token & len_mask) + LZNT1_MIN_MATCH;
        if (disp > pos) {
            rc = NTX_E_CORRUPT; /* reaches before the chunk's first output byte */
            goto out;
        }
        if (len > (size_t)(d_end - d))
            goto overflow;
        d = lznt1_match(d, disp, len, d + len);
    }
    goto out;

overflow:
    /* More than 4096 bytes, or more than the caller's buffer holds. */
    rc = NTX_E_CORRUPT;
out:
    *out_len = (size_t)(d - dst);
    return rc;
}
