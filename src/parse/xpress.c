/*
 * xpress.c - XPRESS Huffman ("LZ77+Huffman"), one of the compressions of
 * WOF-compressed files, and the canonical Huffman tables it shares with lzx.c.
 *
 * Source: [MS-XCA] Xpress Compression Algorithm, 2.1 and 2.2 (LZ77+Huffman).
 * wimlib's xpress_decompress.c served as a description of behaviour.
 *
 * A chunk starts with 256 bytes holding the codeword lengths of 512 symbols,
 * 4 bits each, the even symbol in the low nibble; a length of 0 means the
 * symbol is unused. The lengths define a canonical Huffman code: codewords
 * are assigned in order of (length, symbol). Then comes a bitstream of
 * 16-bit little-endian words, each read from its most significant bit.
 *
 * Symbols 0-255 are literal bytes. Symbol 256 + (b << 4 | l) is a match:
 *   offset = 2^b + the next b bits          (1 .. 65535)
 *   length = l + 3                           when l < 15
 *          = 15 + 3 + the next *byte*        when that byte < 255
 *          = the next 16-bit *byte pair* + 3 otherwise
 * The length bytes are not in the bitstream: they sit in the input between
 * its 16-bit words, at the position a reader reaches that loads one word
 * whenever fewer than 16 bits remain (ntx_bits_unread_ahead()). [MS-XCA]
 * lets a 16-bit length of 0 announce a 32-bit one; within a chunk of at most
 * 65536 bytes no match is that long, so a 0 is refused.
 * A match may overlap its own output (offset < length): it then repeats the
 * last `offset` bytes, so the copy goes forward.
 *
 * The caller knows the chunk's uncompressed size (WOF stores it): decoding
 * stops when that many bytes are out, and an end-of-data symbol that
 * Windows appends is not needed.
 *
 * Hostile input: code lengths over-subscribed or incomplete (only an
 * all-zero table is "complete enough" to be a code, and it can decode
 * nothing), a match before the first byte of the chunk or past its end, the
 * input ending before the output is complete. Each check is made before any
 * byte moves; reads past the input see zero words, and consuming one is the
 * truncation error.
 *
 * Speed: the bit buffer is 64 bits, refilled two words at a time; codewords
 * of up to 11 bits are decoded with one table lookup; matches with an
 * offset of 8 or more move 8 bytes at a time, and an offset of 1 repeats a
 * byte 8 at a time.
 */
#include "xpress.h"

#include "ntx/config.h"

enum {
    XPRESS_TABLE_BYTES = NTX_XPRESS_SYMBOLS / 2, /* the 4-bit codeword lengths */
    XPRESS_MAX_CODEWORD = 15,
    XPRESS_LITERALS = 256,
    XPRESS_MIN_MATCH = 3,
    XPRESS_LEN_ESCAPE = 15,     /* length nibble: a length byte follows */
    XPRESS_BYTE_ESCAPE = 255,   /* length byte: a 16-bit length follows */
};

/* ---- canonical Huffman codes (also used by lzx.c) ---- */

ntx_huff_status ntx_huff_build(uint16_t *table, unsigned table_bits, ntx_huff_long *lng,
                               uint16_t *sorted, const uint8_t *lens, unsigned num_syms,
                               unsigned max_len)
{
    uint16_t count[NTX_HUFF_MAX_LEN + 1];
    uint16_t next[NTX_HUFF_MAX_LEN + 1];
    int32_t left = 1;

    for (unsigned l = 0; l <= NTX_HUFF_MAX_LEN; l++) /* bound: 17 lengths */
        count[l] = 0;
    for (unsigned s = 0; s < num_syms; s++) /* bound: num_syms */
        count[lens[s]]++;
    for (unsigned l = max_len + 1; l <= NTX_HUFF_MAX_LEN; l++) /* bound: 17 lengths */
        if (count[l] != 0)
            return NTX_HUFF_BAD;

    /* Kraft: each length-l codeword takes 2^-l of the code space. */
    for (unsigned l = 1; l <= max_len; l++) { /* bound: max_len <= 16 */
        left = left * 2 - count[l];
        if (left < 0)
            return NTX_HUFF_BAD;
    }
    if (left != 0 && count[0] != num_syms)
        return NTX_HUFF_BAD;

    /* Symbols sorted by (length, value): counting sort. */
    next[1] = 0;
    for (unsigned l = 1; l < max_len; l++) /* bound: max_len */
        next[l + 1] = (uint16_t)(next[l] + count[l]);
    /* lng->limit/base from the sorted positions, codewords left-justified to 16 bits */
    {
        uint32_t code = 0;
        for (unsigned l = 1; l <= NTX_HUFF_MAX_LEN; l++) { /* bound: 17 lengths */
            unsigned c = l <= max_len ? count[l] : 0u;
            unsigned first = l <= max_len ? next[l] : 0u;
            lng->base[l] = first - (code >> (16 - l));
            code += (uint32_t)c << (16 - l);
            lng->limit[l] = code;
        }
        lng->limit[0] = 0;
        lng->base[0] = 0;
    }
    for (unsigned s = 0; s < num_syms; s++) { /* bound: num_syms */
        unsigned l = lens[s];
        if (l != 0)
            sorted[next[l]++] = (uint16_t)s;
    }

    /* The table: codewords of up to table_bits bits fill consecutive runs
     * of 2^(table_bits - l) entries, in sorted order (that is what canonical
     * means); the rest of the table belongs to longer codewords. */
    {
        uint32_t pos = 0;
        uint32_t size = 1u << table_bits;
        unsigned i = 0;
        unsigned short_syms = 0;
        for (unsigned l = 1; l <= table_bits && l <= max_len; l++) /* bound: table_bits */
            short_syms += count[l];
        /* bound: short_syms <= num_syms, and pos stays <= size by Kraft */
        for (; i < short_syms; i++) {
            unsigned s = sorted[i];
            unsigned l = lens[s];
            uint16_t e = (uint16_t)(s << 5 | l);
            uint32_t run = 1u << (table_bits - l);
            uint16_t *t = table + pos;
            if (NTX_WOF_FAST_LOADS && run >= 4) {
                uint64_t w = e * 0x0001000100010001ull;
                /* bound: run / 4 stores (run is a power of two >= 4) */
                for (uint32_t j = 0; j < run; j += 4)
                    __builtin_memcpy(t + j, &w, sizeof w);
            } else {
                for (uint32_t j = 0; j < run; j++) /* bound: run entries */
                    t[j] = e;
            }
            pos += run;
        }
        /* bound: size - pos entries */
        for (; pos < size; pos++)
            table[pos] = 0;
    }
    return left == 0 ? NTX_HUFF_OK : NTX_HUFF_EMPTY;
}

uint32_t ntx_huff_decode_long(const ntx_huff_long *lng, const uint16_t *sorted,
                              unsigned table_bits, uint32_t window)
{
    /* bound: lengths table_bits + 1 .. 16 */
    for (unsigned l = table_bits + 1; l <= NTX_HUFF_MAX_LEN; l++) {
        if (window < lng->limit[l])
            return (uint32_t)sorted[(uint16_t)(lng->base[l] + (window >> (16 - l)))] | l << 16;
    }
    return 0;
}

/* ---- the chunk ---- */

static ntx_err xpress_fail(ntx_check *check, ntx_check which)
{
    if (check != NULL)
        *check = which;
    return NTX_E_CORRUPT;
}

ntx_err ntx_xpress_decompress(ntx_xpress_scratch *scratch, const uint8_t *src, size_t src_len,
                              uint8_t *dst, size_t dst_len, ntx_check *check)
{
    ntx_bits b;
    uint8_t *out = dst;
    uint8_t *const out_end = dst + dst_len;

    if (check != NULL)
        *check = NTX_CHK_NONE;
    if (scratch == NULL || src == NULL || dst == NULL || dst_len > NTX_XPRESS_MAX_CHUNK)
        return NTX_E_ARG;
    if (dst_len == 0)
        return NTX_OK;
    if (src_len < XPRESS_TABLE_BYTES)
        return xpress_fail(check, NTX_CHK_XPRESS_TRUNCATED);

    for (unsigned i = 0; i < XPRESS_TABLE_BYTES; i++) { /* bound: 256 bytes */
        scratch->lens[2 * i] = src[i] & 15u;
        scratch->lens[2 * i + 1] = src[i] >> 4;
    }
    /* An empty code cannot decode the first symbol of a non-empty chunk. */
    if (ntx_huff_build(scratch->table, NTX_XPRESS_TABLE_BITS, &scratch->lng, scratch->sorted,
                       scratch->lens, NTX_XPRESS_SYMBOLS, XPRESS_MAX_CODEWORD) != NTX_HUFF_OK)
        return xpress_fail(check, NTX_CHK_XPRESS_CODE);

    ntx_bits_init(&b, src + XPRESS_TABLE_BYTES, src_len - XPRESS_TABLE_BYTES);

    /* bound: every symbol produces at least one byte, up to dst_len */
    while (out < out_end) {
        unsigned sym;
        unsigned log2_offset;
        size_t length;
        size_t offset;

        ntx_bits_refill(&b); /* >= 33 bits: two codewords of <= 15 bits */
        sym = ntx_huff_decode(&b, scratch->table, NTX_XPRESS_TABLE_BITS, &scratch->lng,
                              scratch->sorted);
        if (sym < XPRESS_LITERALS) {
            /* Literals come in runs: a second symbol without a refill. */
            *out++ = (uint8_t)sym;
            if (out == out_end)
                break;
            sym = ntx_huff_decode(&b, scratch->table, NTX_XPRESS_TABLE_BITS, &scratch->lng,
                                  scratch->sorted);
            if (sym < XPRESS_LITERALS) {
                *out++ = (uint8_t)sym;
                continue;
            }
        }
        /* A complete code: every 15-bit window decodes, so sym < 512 here. */
        ntx_bits_refill(&b); /* >= 33 bits: offset bits (<= 15), or 16 for the rewind */
        sym -= XPRESS_LITERALS;
        length = sym & 15u;
        log2_offset = sym >> 4;
        if (length == XPRESS_LEN_ESCAPE) {
            unsigned byte;
            ntx_bits_unread_ahead(&b);
            if (b.pad_words > 0 || b.in == b.end)
                return xpress_fail(check, NTX_CHK_XPRESS_TRUNCATED);
            byte = *b.in++;
            if (byte != XPRESS_BYTE_ESCAPE) {
                length = XPRESS_LEN_ESCAPE + byte;
            } else {
                if (b.end - b.in < 2)
                    return xpress_fail(check, NTX_CHK_XPRESS_TRUNCATED);
                length = ntx_wof_le16(b.in);
                b.in += 2;
                if (length == 0)
                    return xpress_fail(check, NTX_CHK_XPRESS_LENGTH);
            }
        }
        length += XPRESS_MIN_MATCH;
        offset = ((size_t)1 << log2_offset) | ntx_bits_take(&b, log2_offset);

        if (offset > (size_t)(out - dst))
            return xpress_fail(check, NTX_CHK_XPRESS_OFFSET);
        if (length > (size_t)(out_end - out))
            return xpress_fail(check, NTX_CHK_XPRESS_LENGTH);
        ntx_wof_copy_match(out, offset, length, out_end);
        out += length;
    }
    if (ntx_bits_overrun(&b))
        return xpress_fail(check, NTX_CHK_XPRESS_TRUNCATED);
    return NTX_OK;
}
