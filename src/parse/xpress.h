/*
 * xpress.h - XPRESS Huffman chunk decoding for WOF-compressed files (private header).
 *
 * Windows 10/11 "CompactOS" (`compact /exe:xpress4k|xpress8k|xpress16k`) keeps a
 * file's bytes in its named stream WofCompressedData as independent chunks of
 * 4, 8 or 16 KiB; each chunk compressed with XPRESS is decoded by
 * ntx_xpress_decompress(). The format is described in xpress.c.
 *
 * This header also holds what xpress.c and lzx.c share: the bit reader of
 * their common bitstream (16-bit little-endian words, bits taken from the
 * high end of each word) and the canonical Huffman decode tables.
 */
#ifndef NTX_XPRESS_H
#define NTX_XPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ntx/error.h"

/* Largest chunk one call decodes: XPRESS Huffman starts a new Huffman table
 * every 65536 output bytes, and WOF chunks are at most 16 KiB. */
#define NTX_XPRESS_MAX_CHUNK 65536u

/* Symbols of the XPRESS Huffman code: 256 literals and 256 match headers. */
#define NTX_XPRESS_SYMBOLS 512u

/* Bits the first table lookup decodes; longer codewords (rare by
 * construction: each is used less often than once in 2048 symbols) take a
 * short search by length. 11 bits keeps the table at 4 KiB, which a 4 KiB
 * chunk rebuilds cheaply. */
#define NTX_XPRESS_TABLE_BITS 11u

/*
 * Canonical Huffman codes (shared with lzx.c).
 *
 * A code is decoded through a table of 2^table_bits 16-bit entries indexed by
 * the next table_bits bits: an entry is (symbol << 5 | length) for a codeword
 * of at most table_bits bits, or 0 where the codeword is longer (or the code
 * is empty). Longer codewords are found by ntx_huff_decode_long() from the
 * symbols sorted by (length, value) and, per length, where that length's
 * codewords end.
 */
#define NTX_HUFF_MAX_LEN 16u

typedef struct ntx_huff_long {
    /* limit[l]: first 16-bit left-justified codeword past those of length l
     * (65536 at the longest length of a complete code). */
    uint32_t limit[NTX_HUFF_MAX_LEN + 1];
    /* base[l]: sorted[] index of the first length-l symbol, minus the first
     * length-l codeword (modulo 2^32). */
    uint32_t base[NTX_HUFF_MAX_LEN + 1];
} ntx_huff_long;

typedef enum ntx_huff_status {
    NTX_HUFF_OK = 0,    /* a complete code */
    NTX_HUFF_EMPTY = 1, /* every length 0: valid only while no symbol is decoded */
    NTX_HUFF_BAD = -1,  /* over-subscribed, or incomplete but not empty */
} ntx_huff_status;

/*
 * ntx_huff_build() - decode tables of a canonical Huffman code from its
 * codeword lengths.
 *
 * Reads:   lens[0 .. num_syms), each 0 (unused) .. max_len (<= 16).
 * Buffers: writes table[0 .. 2^table_bits), sorted[0 .. num_syms) and *lng.
 * Returns: NTX_HUFF_OK; NTX_HUFF_EMPTY (tables filled so that every decode
 *          fails); NTX_HUFF_BAD for an over-subscribed or incomplete code.
 */
ntx_huff_status ntx_huff_build(uint16_t *table, unsigned table_bits, ntx_huff_long *lng,
                               uint16_t *sorted, const uint8_t *lens, unsigned num_syms,
                               unsigned max_len);

/*
 * ntx_huff_decode_long() - the symbol of a codeword longer than table_bits.
 *
 * window: the next 16 bits of the stream, first bit highest.
 * Returns: symbol | length << 16, or 0 when no codeword matches (empty code).
 */
uint32_t ntx_huff_decode_long(const ntx_huff_long *lng, const uint16_t *sorted,
                              unsigned table_bits, uint32_t window);

/*
 * The bit reader. Bits come from 16-bit little-endian words, most
 * significant bit first. buf holds the next `avail` bits at its top; past
 * the end of the input it is fed zero words, counted in pad_words, so that
 * a decoder may look ahead at a codeword's full width near the end. Only
 * *consuming* padding is an error: ntx_bits_overrun() says so.
 */
typedef struct ntx_bits {
    uint64_t buf;
    unsigned avail;      /* valid bits at the top of buf, padding included */
    unsigned pad_words;  /* zero words fed past the end of the input */
    const uint8_t *in;   /* next byte not yet in buf */
    const uint8_t *begin;
    const uint8_t *end;
} ntx_bits;

/* Targets where an unaligned little-endian 32-bit load is one instruction. */
#if (defined(__x86_64__) || defined(__i386__) || defined(__aarch64__) ||                         \
     defined(__ARM_FEATURE_UNALIGNED) || defined(__powerpc64__)) &&                              \
    defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NTX_WOF_FAST_LOADS 1
#else
#define NTX_WOF_FAST_LOADS 0
#endif

#define NTX_WOF_INLINE static inline __attribute__((always_inline))

NTX_WOF_INLINE uint16_t ntx_wof_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (unsigned)p[1] << 8);
}

NTX_WOF_INLINE uint32_t ntx_wof_le32(const uint8_t *p)
{
#if NTX_WOF_FAST_LOADS
    uint32_t v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
#else
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
#endif
}

NTX_WOF_INLINE void ntx_bits_init(ntx_bits *b, const uint8_t *p, size_t len)
{
    b->buf = 0;
    b->avail = 0;
    b->pad_words = 0;
    b->in = p;
    b->begin = p;
    b->end = p + len;
}

/* Field by field: a struct assignment may become a memcpy call, which the
 * core must not need (GCC -Os on RISC-V does that for this size). */
NTX_WOF_INLINE void ntx_bits_copy(ntx_bits *d, const ntx_bits *s)
{
    d->buf = s->buf;
    d->avail = s->avail;
    d->pad_words = s->pad_words;
    d->in = s->in;
    d->begin = s->begin;
    d->end = s->end;
}

/* Word by word near the end of the input, zero words past it. */
NTX_WOF_INLINE void ntx_bits_refill_slow(ntx_bits *b)
{
    /* bound: each step adds 16 bits, and it stops above 48 */
    while (b->avail <= 48) {
        uint64_t w = 0;
        if (b->end - b->in >= 2) {
            w = ntx_wof_le16(b->in);
            b->in += 2;
        } else {
            b->pad_words++;
        }
        b->buf |= w << (48 - b->avail);
        b->avail += 16;
    }
}

/* Make at least 33 bits available: two words at once while the input lasts. */
NTX_WOF_INLINE void ntx_bits_refill(ntx_bits *b)
{
    if (b->avail > 32)
        return;
    if (__builtin_expect(b->end - b->in >= 4, 1)) {
        uint32_t v = ntx_wof_le32(b->in);
        v = v << 16 | v >> 16; /* the first word goes on top */
        b->buf |= (uint64_t)v << (32 - b->avail);
        b->avail += 32;
        b->in += 4;
    } else {
        ntx_bits_refill_slow(b);
    }
}

/* The next n bits (0 <= n <= 32 <= avail) without consuming them. */
NTX_WOF_INLINE uint32_t ntx_bits_peek(const ntx_bits *b, unsigned n)
{
    return (uint32_t)((b->buf >> 1) >> (63 - n));
}

NTX_WOF_INLINE void ntx_bits_drop(ntx_bits *b, unsigned n)
{
    b->buf <<= n;
    b->avail -= n;
}

NTX_WOF_INLINE uint32_t ntx_bits_take(ntx_bits *b, unsigned n)
{
    uint32_t v = ntx_bits_peek(b, n);
    ntx_bits_drop(b, n);
    return v;
}

/* True when the decoder has consumed bits that lie past the end of the input. */
NTX_WOF_INLINE bool ntx_bits_overrun(const ntx_bits *b)
{
    return b->avail < 16u * b->pad_words;
}

/* Bits consumed since ntx_bits_init() (or the last restart). */
NTX_WOF_INLINE size_t ntx_bits_consumed(const ntx_bits *b)
{
    return ((size_t)(b->in - b->begin) >> 1 << 4) + 16u * b->pad_words - b->avail;
}

/* Bring the reader back to the state of a decoder that loads one word at a
 * time, only when fewer than 16 bits remain (the reader of [MS-XCA] 2.2.4):
 * the partly used word plus exactly one more. Words loaded ahead go back to
 * the input, so that bytes interleaved in the stream are read where the
 * format puts them. Needs avail >= 16. */
NTX_WOF_INLINE void ntx_bits_unread_ahead(ntx_bits *b)
{
    unsigned extra = (b->avail - 16u) >> 4;
    /* bound: extra <= 3 (avail <= 64) */
    while (extra > 0) {
        if (b->pad_words > 0)
            b->pad_words--;
        else
            b->in -= 2;
        b->avail -= 16;
        extra--;
    }
    b->buf &= ~(uint64_t)0 << (64 - b->avail);
}

/* 8 bytes at once; __builtin_memcpy of a constant size compiles to one load
 * and one store where unaligned access is cheap, never to a library call. */
NTX_WOF_INLINE void ntx_wof_copy8(uint8_t *d, const uint8_t *s)
{
#if NTX_WOF_FAST_LOADS
    uint64_t w;
    __builtin_memcpy(&w, s, sizeof w);
    __builtin_memcpy(d, &w, sizeof w);
#else
    for (unsigned i = 0; i < 8; i++) /* bound: 8 */
        d[i] = s[i];
#endif
}

/*
 * Copy a checked match: len >= 1 bytes from offset bytes back (1 <= offset <=
 * bytes already out, len <= out_end - d). Words may run up to 15 bytes past
 * the match, so they are used only when that stays inside the output; the
 * bytes written past the match are overwritten later by what the chunk holds
 * there. An overlapping match (offset < len) repeats its last offset bytes:
 * with offset >= 8 each word reads only bytes already written.
 */
NTX_WOF_INLINE void ntx_wof_copy_match(uint8_t *d, size_t offset, size_t len, uint8_t *out_end)
{
    const uint8_t *s = d - offset;
    uint8_t *end = d + len;
    if (NTX_WOF_FAST_LOADS && out_end - end >= 16) {
        if (offset >= 16) {
            /* most matches: one or two 16-byte moves */
            /* bound: d grows by 16 up to end */
            do {
                ntx_wof_copy8(d, s);
                ntx_wof_copy8(d + 8, s + 8);
                d += 16;
                s += 16;
            } while (d < end);
            return;
        }
        if (offset >= 8) {
            /* bound: d grows by 8 up to end */
            do {
                ntx_wof_copy8(d, s);
                d += 8;
                s += 8;
            } while (d < end);
            return;
        }
        if (offset == 1) {
            uint64_t w = *s * 0x0101010101010101ull;
            /* bound: d grows by 8 up to end */
            do {
                __builtin_memcpy(d, &w, sizeof w);
                d += 8;
            } while (d < end);
            return;
        }
    }
    /* bound: d grows by 1 up to end */
    do {
        *d++ = *s++;
    } while (d < end);
}

/* Decode one symbol of a code built by ntx_huff_build(); needs avail >= 16.
 * Returns the symbol, or a value >= 0x10000 for a codeword the code lacks. */
NTX_WOF_INLINE unsigned ntx_huff_decode(ntx_bits *b, const uint16_t *table, unsigned table_bits,
                                        const ntx_huff_long *lng, const uint16_t *sorted)
{
    unsigned e = table[ntx_bits_peek(b, table_bits)];
    if (__builtin_expect((e & 31u) != 0, 1)) {
        ntx_bits_drop(b, e & 31u);
        return e >> 5;
    }
    uint32_t r = ntx_huff_decode_long(lng, sorted, table_bits, ntx_bits_peek(b, 16));
    if (r == 0)
        return 0x10000u;
    ntx_bits_drop(b, r >> 16);
    return r & 0xFFFFu;
}

/*
 * Scratch of one XPRESS decode: the caller provides it (sizeof is
 * NTX_XPRESS_SCRATCH_SIZE, 5,768 bytes on common ABIs) and it holds nothing
 * between calls.
 */
typedef struct ntx_xpress_scratch {
    uint16_t table[1u << NTX_XPRESS_TABLE_BITS];
    uint16_t sorted[NTX_XPRESS_SYMBOLS];
    ntx_huff_long lng;
    uint8_t lens[NTX_XPRESS_SYMBOLS];
} ntx_xpress_scratch;

#define NTX_XPRESS_SCRATCH_SIZE sizeof(ntx_xpress_scratch)

/*
 * ntx_xpress_decompress() - expand one XPRESS Huffman ("LZ77+Huffman") chunk.
 *
 * Reads:   src[0 .. src_len): the 256-byte table of codeword lengths, then
 *          the bitstream. dst_len is the chunk's exact uncompressed size,
 *          known to the caller (a file's last chunk is shorter), at most
 *          NTX_XPRESS_MAX_CHUNK. A WOF chunk whose stored size equals its
 *          uncompressed size is stored raw and must not come here.
 * Buffers: writes dst[0 .. dst_len) and *scratch, nothing else; reads no
 *          byte outside src. On error dst holds unspecified bytes.
 * Returns: NTX_OK when exactly dst_len bytes were produced; NTX_E_CORRUPT
 *          with *check (if check is not NULL) = NTX_CHK_XPRESS_CODE,
 *          _TRUNCATED, _OFFSET or _LENGTH; NTX_E_ARG for NULL pointers or
 *          dst_len over NTX_XPRESS_MAX_CHUNK (*check = NTX_CHK_NONE).
 */
ntx_err ntx_xpress_decompress(ntx_xpress_scratch *scratch, const uint8_t *src, size_t src_len,
                              uint8_t *dst, size_t dst_len, ntx_check *check);

#endif
