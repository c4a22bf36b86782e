/*
 * lzx.c - LZX as WIM files and WOF-compressed files use it: one independent
 * stream per 32 KiB chunk.
 *
 * Sources: "Microsoft LZX Data Compression Format" (1997, the CAB form) and
 * [MS-PATCH] LZX DELTA Compression and Decompression (2014), which corrects
 * it; wimlib's lzx_decompress.c and lzx_common.c served as a description of
 * the WIM form's behaviour.
 *
 * The WIM form differs from the CAB form: the window is 32 KiB and never
 * slides (each chunk is a stream of its own, starting with empty history,
 * repeat offsets 1, 1, 1 and all codeword lengths 0), there is no E8 header
 * bit (the translation is always on, with a fixed "file size" of 12000000),
 * and a block's size is 1 bit (1: 32768) or else 16 bits.
 *
 * The bitstream is that of XPRESS (xpress.h): 16-bit little-endian words,
 * most significant bit first. A chunk is a sequence of blocks, each
 *   3 bits  type: 1 verbatim, 2 aligned offset, 3 uncompressed
 *   1 bit   1: the block is 32768 bytes; 0: 16 more bits give its size
 * then, for an aligned block, 8 x 3 bits: the aligned offset code's lengths;
 * for verbatim and aligned blocks, the main code's lengths in two runs
 * (256 literals, then 240 match headers) and the length code's 249, each
 * run sent through a pretree: 20 x 4 bits of pretree lengths, then pretree
 * symbols, 0-16 "(previous length - s) mod 17", 17 "4 + 4 bits zeros",
 * 18 "20 + 5 bits zeros", 19 "4 + 1 bit copies of the value the next
 * pretree symbol (0-17) gives". The previous length is that of the same
 * symbol in the chunk's previous block (0 in its first).
 *
 * Main symbols 0-255 are literals; 256 + (slot << 3 | h) is a match of
 * length h + 2, or with h = 7, 9 + a length-code symbol. Slots 0-2 reuse a
 * recent offset (R0, R1, R2: the used one swaps with R0); slot s >= 3 reads
 * extra_bits[s] bits added to slot_base[s], minus 2; in aligned blocks, when
 * a slot has 3 or more extra bits, the low 3 come from the aligned code.
 * A new explicit offset pushes R0 -> R1 -> R2.
 *
 * An uncompressed block skips to the next 16-bit boundary (a full word if
 * already there), then holds R0, R1, R2 as 32-bit little-endian words, the
 * block's bytes, and a padding byte if their count is odd; the bitstream
 * resumes after it.
 *
 * E8 translation: the compressor replaced the 32-bit operand of each byte
 * 0xE8 (x86 CALL) at chunk position i < size - 10 by an absolute target;
 * after decoding, an operand a in [-i, 12000000) becomes a - i (a >= 0) or
 * a + 12000000 (a < 0), and the 4 operand bytes are skipped.
 *
 * Hostile input: block types 0 and 4-7; a block size of 0 or past the
 * chunk's end; codes over-subscribed or incomplete (an all-zero code is
 * accepted until a symbol is decoded from it); pretree runs past the end of
 * the lengths; a match before the chunk's start or past its block's end; a
 * repeat offset of 0 in an uncompressed block; the input ending early.
 * Every check comes before any byte of the match or block moves.
 */
#include "lzx.h"

#include "ntx/config.h"

enum {
    LZX_LITERALS = 256,
    LZX_MIN_MATCH = 2,
    LZX_PRIMARY_LENS = 7,       /* length header 7: a length symbol follows */
    LZX_OFFSET_SLOTS = 30,
    LZX_REPEAT_SLOTS = 3,
    LZX_OFFSET_BIAS = 2,        /* explicit offsets are sent plus 2 */
    LZX_ALIGNED_BITS = 3,
    LZX_BLOCK_VERBATIM = 1,
    LZX_BLOCK_ALIGNED = 2,
    LZX_BLOCK_UNCOMPRESSED = 3,
    LZX_DEFAULT_BLOCK = 32768,
    LZX_MAIN_MAX_LEN = 16,
    LZX_LENGTH_MAX_LEN = 16,
    LZX_ALIGNED_MAX_LEN = 7,
    LZX_PRE_MAX_LEN = 15,
    LZX_PRE_ZEROS_SHORT = 17,   /* 4 + 4 bits zeros */
    LZX_PRE_ZEROS_LONG = 18,    /* 20 + 5 bits zeros */
    LZX_PRE_SAME = 19,          /* 4 + 1 bit copies of one value */
    LZX_E8_FILE_SIZE = 12000000,
    LZX_E8_TAIL = 10,           /* no CALL starts in a chunk's last 10 bytes */
    LZX_E8 = 0xE8,
};

static const uint16_t lzx_slot_base[LZX_OFFSET_SLOTS] = {
    0,    1,    2,    3,    4,    6,    8,    12,   16,    24,    32,    48,    64,    96,    128,
    192,  256,  384,  512,  768,  1024, 1536, 2048, 3072,  4096,  6144,  8192,  12288, 16384, 24576,
};

static const uint8_t lzx_extra_bits[LZX_OFFSET_SLOTS] = {
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
};

typedef struct lzx_state {
    ntx_bits b;
    uint32_t r[LZX_REPEAT_SLOTS];
} lzx_state;

#define LZX_OK NTX_CHK_NONE

/* Read the pretree, then n codeword lengths through it into lens[]. */
static ntx_check lzx_read_lens(ntx_bits *b, ntx_lzx_scratch *s, uint8_t *lens, unsigned n)
{
    unsigned i = 0;

    for (unsigned k = 0; k < NTX_LZX_PRE_SYMBOLS; k++) { /* bound: 20 lengths */
        ntx_bits_refill(b);
        s->pre_lens[k] = (uint8_t)ntx_bits_take(b, 4);
    }
    if (ntx_huff_build(s->pre_table, NTX_LZX_PRE_TABLE_BITS, &s->pre_long, s->pre_sorted,
                       s->pre_lens, NTX_LZX_PRE_SYMBOLS, LZX_PRE_MAX_LEN) == NTX_HUFF_BAD)
        return NTX_CHK_LZX_CODE;

    /* bound: i grows by 1, or by a run of 4 .. 51, up to n */
    while (i < n) {
        unsigned run;
        unsigned value;
        unsigned sym;

        ntx_bits_refill(b); /* >= 33 bits: two pretree codewords (<= 15) and a run bit */
        sym = ntx_huff_decode(b, s->pre_table, NTX_LZX_PRE_TABLE_BITS, &s->pre_long,
                              s->pre_sorted);
        if (sym < LZX_PRE_ZEROS_SHORT) {
            value = lens[i] + 17u - sym;
            lens[i++] = (uint8_t)(value >= 17u ? value - 17u : value);
            continue;
        }
        if (sym == LZX_PRE_ZEROS_SHORT) {
            run = 4u + ntx_bits_take(b, 4);
            value = 0;
        } else if (sym == LZX_PRE_ZEROS_LONG) {
            run = 20u + ntx_bits_take(b, 5);
            value = 0;
        } else if (sym == LZX_PRE_SAME) {
            run = 4u + ntx_bits_take(b, 1);
            sym = ntx_huff_decode(b, s->pre_table, NTX_LZX_PRE_TABLE_BITS, &s->pre_long,
                                  s->pre_sorted);
            if (sym > LZX_PRE_ZEROS_SHORT)
                return NTX_CHK_LZX_CODE;
            value = lens[i] + 17u - sym;
            value = value >= 17u ? value - 17u : value;
        } else {
            return NTX_CHK_LZX_CODE; /* a codeword the (empty) pretree lacks */
        }
        if (run > n - i)
            return NTX_CHK_LZX_CODE;
        /* bound: run <= n - i */
        for (unsigned k = 0; k < run; k++)
            lens[i + k] = (uint8_t)value;
        i += run;
    }
    return LZX_OK;
}

/* The header of a verbatim or aligned block past its size: the codes. */
static ntx_check lzx_read_codes(ntx_bits *b, ntx_lzx_scratch *s, unsigned type)
{
    ntx_check c;

    if (type == LZX_BLOCK_ALIGNED) {
        for (unsigned k = 0; k < NTX_LZX_ALIGNED_SYMBOLS; k++) { /* bound: 8 lengths */
            ntx_bits_refill(b);
            s->aligned_lens[k] = (uint8_t)ntx_bits_take(b, 3);
        }
        if (ntx_huff_build(s->aligned_table, NTX_LZX_ALIGNED_TABLE_BITS, &s->aligned_long,
                           s->aligned_sorted, s->aligned_lens, NTX_LZX_ALIGNED_SYMBOLS,
                           LZX_ALIGNED_MAX_LEN) == NTX_HUFF_BAD)
            return NTX_CHK_LZX_CODE;
    }
    c = lzx_read_lens(b, s, s->main_lens, LZX_LITERALS);
    if (c == LZX_OK)
        c = lzx_read_lens(b, s, s->main_lens + LZX_LITERALS, NTX_LZX_MAIN_SYMBOLS - LZX_LITERALS);
    if (c != LZX_OK)
        return c;
    if (ntx_huff_build(s->main_table, NTX_LZX_MAIN_TABLE_BITS, &s->main_long, s->main_sorted,
                       s->main_lens, NTX_LZX_MAIN_SYMBOLS, LZX_MAIN_MAX_LEN) == NTX_HUFF_BAD)
        return NTX_CHK_LZX_CODE;
    c = lzx_read_lens(b, s, s->length_lens, NTX_LZX_LENGTH_SYMBOLS);
    if (c != LZX_OK)
        return c;
    if (ntx_huff_build(s->length_table, NTX_LZX_LENGTH_TABLE_BITS, &s->length_long,
                       s->length_sorted, s->length_lens, NTX_LZX_LENGTH_SYMBOLS,
                       LZX_LENGTH_MAX_LEN) == NTX_HUFF_BAD)
        return NTX_CHK_LZX_CODE;
    return LZX_OK;
}

/* Decode the symbols of a verbatim or aligned block into [out, block_end). */
static ntx_check lzx_decode_block(lzx_state *st, const ntx_lzx_scratch *s, bool aligned,
                                  uint8_t *const dst, uint8_t *out, uint8_t *const block_end)
{
    ntx_bits b; /* a local copy the compiler keeps in registers */
    uint32_t r0 = st->r[0], r1 = st->r[1], r2 = st->r[2];
    ntx_check c = LZX_OK;

    ntx_bits_copy(&b, &st->b);
    /* bound: every symbol produces at least one byte, up to block_end */
    while (out < block_end) {
        unsigned sym;
        unsigned slot;
        size_t length;
        uint32_t offset;

        ntx_bits_refill(&b); /* >= 33 bits: two codewords of <= 16 bits */
        sym = ntx_huff_decode(&b, s->main_table, NTX_LZX_MAIN_TABLE_BITS, &s->main_long,
                              s->main_sorted);
        if (sym < LZX_LITERALS) {
            /* Literals come in runs: a second symbol without a refill. */
            *out++ = (uint8_t)sym;
            if (out == block_end)
                break;
            sym = ntx_huff_decode(&b, s->main_table, NTX_LZX_MAIN_TABLE_BITS, &s->main_long,
                                  s->main_sorted);
            if (sym < LZX_LITERALS) {
                *out++ = (uint8_t)sym;
                continue;
            }
        }
        ntx_bits_refill(&b); /* >= 33 bits: a length codeword (<= 16) */
        if (sym >= NTX_LZX_MAIN_SYMBOLS) {
            c = NTX_CHK_LZX_CODE;
            break;
        }
        sym -= LZX_LITERALS;
        length = sym & 7u;
        slot = sym >> 3;
        if (length == LZX_PRIMARY_LENS) {
            unsigned ls = ntx_huff_decode(&b, s->length_table, NTX_LZX_LENGTH_TABLE_BITS,
                                          &s->length_long, s->length_sorted);
            if (ls >= NTX_LZX_LENGTH_SYMBOLS) {
                c = NTX_CHK_LZX_CODE;
                break;
            }
            length += ls;
        }
        length += LZX_MIN_MATCH;

        if (slot < LZX_REPEAT_SLOTS) {
            /* Not a true LRU: R2 swaps with R0 and R1 stays, as the format says. */
            if (slot == 0) {
                offset = r0;
            } else if (slot == 1) {
                offset = r1;
                r1 = r0;
                r0 = offset;
            } else {
                offset = r2;
                r2 = r0;
                r0 = offset;
            }
        } else {
            unsigned extra = lzx_extra_bits[slot];
            ntx_bits_refill(&b); /* >= 33 bits: 13 extra bits at most, and 7 aligned */
            offset = lzx_slot_base[slot];
            if (aligned && extra >= LZX_ALIGNED_BITS) {
                unsigned low;
                offset += ntx_bits_take(&b, extra - LZX_ALIGNED_BITS) << LZX_ALIGNED_BITS;
                low = ntx_huff_decode(&b, s->aligned_table, NTX_LZX_ALIGNED_TABLE_BITS,
                                      &s->aligned_long, s->aligned_sorted);
                if (low >= NTX_LZX_ALIGNED_SYMBOLS) {
                    c = NTX_CHK_LZX_CODE;
                    break;
                }
                offset += low;
            } else {
                offset += ntx_bits_take(&b, extra);
            }
            offset -= LZX_OFFSET_BIAS;
            r2 = r1;
            r1 = r0;
            r0 = offset;
        }

        if (length > (size_t)(block_end - out)) {
            c = NTX_CHK_LZX_LENGTH;
            break;
        }
        if (offset > (size_t)(out - dst)) {
            c = NTX_CHK_LZX_OFFSET;
            break;
        }
        ntx_wof_copy_match(out, offset, length, block_end);
        out += length;
    }
    ntx_bits_copy(&st->b, &b);
    st->r[0] = r0;
    st->r[1] = r1;
    st->r[2] = r2;
    return c;
}

/* An uncompressed block of size bytes at out: realign, R0-R2, the bytes. */
static ntx_check lzx_copy_block(lzx_state *st, uint8_t *out, uint32_t size)
{
    ntx_bits *b = &st->b;
    /* The next 16-bit boundary strictly after the bits consumed so far. */
    size_t pos = ((ntx_bits_consumed(b) >> 4) + 1u) << 1;
    size_t have = (size_t)(b->end - b->begin);
    const uint8_t *p;

    if (ntx_bits_overrun(b) || pos > have || have - pos < 12u + size)
        return NTX_CHK_LZX_TRUNCATED;
    p = b->begin + pos;
    for (unsigned k = 0; k < LZX_REPEAT_SLOTS; k++) { /* bound: 3 offsets */
        st->r[k] = ntx_wof_le32(p + 4u * k);
        if (st->r[k] == 0)
            return NTX_CHK_LZX_OFFSET;
    }
    p += 12;
    /* bound: size bytes */
    for (uint32_t k = 0; k < size; k++)
        out[k] = p[k];
    p += size;
    if ((size & 1u) != 0 && p < b->end)
        p++; /* the padding byte; a chunk may end without it */
    /* The bitstream starts over after the block. */
    ntx_bits_init(b, p, (size_t)(b->end - p));
    return LZX_OK;
}

NTX_WOF_INLINE void lzx_put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Undo the E8 translation of the operand at data[i + 1 .. i + 4]. */
NTX_WOF_INLINE void lzx_untranslate(uint8_t *data, size_t i)
{
    int32_t target = (int32_t)ntx_wof_le32(data + i + 1);
    int32_t pos = (int32_t)i;
    if (target >= 0) {
        if (target < LZX_E8_FILE_SIZE)
            lzx_put_le32(data + i + 1, (uint32_t)(target - pos));
    } else if (target >= -pos) {
        lzx_put_le32(data + i + 1, (uint32_t)(target + LZX_E8_FILE_SIZE));
    }
}

/* 64-bit targets with a count-trailing-zeros instruction scan 8 bytes at a time. */
#if NTX_WOF_FAST_LOADS && (defined(__x86_64__) || defined(__aarch64__))
#define LZX_SCAN_WORDS 1
#else
#define LZX_SCAN_WORDS 0
#endif

static void lzx_undo_e8(uint8_t *data, size_t size)
{
    size_t i = 0;
    size_t limit;

    if (size <= LZX_E8_TAIL)
        return;
    limit = size - LZX_E8_TAIL; /* CALLs start at positions below limit */
    /* bound: i grows by at least 1 per step (5 past a translated CALL) up to limit */
    while (i < limit) {
#if LZX_SCAN_WORDS
        /* bound: i grows by 8 while 8 bytes remain below limit */
        while (limit - i >= 8) {
            uint64_t w;
            uint64_t t;
            __builtin_memcpy(&w, data + i, sizeof w);
            w ^= 0xE8E8E8E8E8E8E8E8ull;
            /* The lowest flagged byte is the first 0xE8 (later flags may be false). */
            t = (w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull;
            if (t != 0) {
                i += (unsigned)__builtin_ctzll(t) >> 3;
                goto found;
            }
            i += 8;
        }
        /* The word scan may stop exactly at limit: data[limit] is no CALL. */
        if (i >= limit)
            break;
#endif
        if (data[i] != LZX_E8) {
            i++;
            continue;
        }
#if LZX_SCAN_WORDS
    found:
#endif
        lzx_untranslate(data, i);
        i += 5;
    }
}

static ntx_err lzx_fail(ntx_check *check, ntx_check which)
{
    if (check != NULL)
        *check = which;
    return NTX_E_CORRUPT;
}

ntx_err ntx_lzx_decompress(ntx_lzx_scratch *scratch, const uint8_t *src, size_t src_len,
                           uint8_t *dst, size_t dst_len, ntx_check *check)
{
    lzx_state st;
    uint8_t *out = dst;
    uint8_t *const out_end = dst + dst_len;
    bool may_have_e8 = false;

    if (check != NULL)
        *check = NTX_CHK_NONE;
    if (scratch == NULL || src == NULL || dst == NULL || dst_len > NTX_LZX_MAX_CHUNK)
        return NTX_E_ARG;
    if (dst_len == 0)
        return NTX_OK;

    ntx_bits_init(&st.b, src, src_len);
    st.r[0] = st.r[1] = st.r[2] = 1;
    /* bound: 496 + 249 bytes */
    for (unsigned k = 0; k < NTX_LZX_MAIN_SYMBOLS; k++)
        scratch->main_lens[k] = 0;
    for (unsigned k = 0; k < NTX_LZX_LENGTH_SYMBOLS; k++) /* bound: 249 */
        scratch->length_lens[k] = 0;

    /* bound: every block produces at least one byte, up to dst_len */
    while (out < out_end) {
        unsigned type;
        uint32_t size;
        ntx_check c;

        ntx_bits_refill(&st.b);
        type = ntx_bits_take(&st.b, 3);
        size = ntx_bits_take(&st.b, 1) ? LZX_DEFAULT_BLOCK : ntx_bits_take(&st.b, 16);
        if (ntx_bits_overrun(&st.b))
            return lzx_fail(check, NTX_CHK_LZX_TRUNCATED);
        if (type < LZX_BLOCK_VERBATIM || type > LZX_BLOCK_UNCOMPRESSED)
            return lzx_fail(check, NTX_CHK_LZX_BLOCK_TYPE);
        if (size == 0 || size > (size_t)(out_end - out))
            return lzx_fail(check, NTX_CHK_LZX_BLOCK_SIZE);

        if (type == LZX_BLOCK_UNCOMPRESSED) {
            c = lzx_copy_block(&st, out, size);
            may_have_e8 = true;
        } else {
            c = lzx_read_codes(&st.b, scratch, type);
            if (c == LZX_OK)
                c = lzx_decode_block(&st, scratch, type == LZX_BLOCK_ALIGNED, dst, out,
                                     out + size);
            /* The first 0xE8 of a chunk can only come as a literal. */
            if (scratch->main_lens[LZX_E8] != 0)
                may_have_e8 = true;
        }
        if (c != LZX_OK)
            return lzx_fail(check, c);
        if (ntx_bits_overrun(&st.b))
            return lzx_fail(check, NTX_CHK_LZX_TRUNCATED);
        out += size;
    }
    if (may_have_e8)
        lzx_undo_e8(dst, dst_len);
    return NTX_OK;
}
