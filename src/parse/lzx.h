/*
 * lzx.h - LZX chunk decoding for WOF-compressed files (private header).
 *
 * `compact /exe:lzx` stores a file in its named stream WofCompressedData as
 * independent 32 KiB chunks, each an LZX stream as WIM files use it (32 KiB
 * window, E8 call translation always on). ntx_lzx_decompress() decodes one
 * chunk; the format is described in lzx.c.
 */
#ifndef NTX_LZX_H
#define NTX_LZX_H

#include <stddef.h>
#include <stdint.h>

#include "ntx/error.h"
#include "xpress.h" /* the bit reader and Huffman tables both WOF decoders use */

/* Largest chunk: the LZX window of WIM and WOF. */
#define NTX_LZX_MAX_CHUNK 32768u

#define NTX_LZX_MAIN_SYMBOLS 496u    /* 256 literals + 30 offset slots x 8 length headers */
#define NTX_LZX_LENGTH_SYMBOLS 249u  /* match lengths 9 .. 257 */
#define NTX_LZX_ALIGNED_SYMBOLS 8u   /* low 3 bits of offsets in aligned blocks */
#define NTX_LZX_PRE_SYMBOLS 20u      /* the code that transmits the others' lengths */

/* Bits of the first table lookup of each code (see xpress.h): chosen as
 * wimlib chooses them, for speed at a small table size. */
#define NTX_LZX_MAIN_TABLE_BITS 11u
#define NTX_LZX_LENGTH_TABLE_BITS 10u
#define NTX_LZX_ALIGNED_TABLE_BITS 7u /* = its longest codeword: one lookup always */
#define NTX_LZX_PRE_TABLE_BITS 6u

/*
 * Scratch of one LZX decode: the caller provides it (sizeof is
 * NTX_LZX_SCRATCH_SIZE, 9,396 bytes on common ABIs). The codeword lengths of
 * one block are the base of the next block's (they are sent as differences),
 * so the struct carries state from block to block within a call, but
 * nothing between calls: every chunk starts afresh.
 */
typedef struct ntx_lzx_scratch {
    uint16_t main_table[1u << NTX_LZX_MAIN_TABLE_BITS];
    uint16_t length_table[1u << NTX_LZX_LENGTH_TABLE_BITS];
    uint16_t aligned_table[1u << NTX_LZX_ALIGNED_TABLE_BITS];
    uint16_t pre_table[1u << NTX_LZX_PRE_TABLE_BITS];
    uint16_t main_sorted[NTX_LZX_MAIN_SYMBOLS];
    uint16_t length_sorted[NTX_LZX_LENGTH_SYMBOLS];
    uint16_t aligned_sorted[NTX_LZX_ALIGNED_SYMBOLS];
    uint16_t pre_sorted[NTX_LZX_PRE_SYMBOLS];
    ntx_huff_long main_long;
    ntx_huff_long length_long;
    ntx_huff_long aligned_long;
    ntx_huff_long pre_long;
    uint8_t main_lens[NTX_LZX_MAIN_SYMBOLS];
    uint8_t length_lens[NTX_LZX_LENGTH_SYMBOLS];
    uint8_t aligned_lens[NTX_LZX_ALIGNED_SYMBOLS];
    uint8_t pre_lens[NTX_LZX_PRE_SYMBOLS];
} ntx_lzx_scratch;

#define NTX_LZX_SCRATCH_SIZE sizeof(ntx_lzx_scratch)

/*
 * ntx_lzx_decompress() - expand one WIM/WOF LZX chunk.
 *
 * Reads:   src[0 .. src_len), one LZX stream of one or more blocks. dst_len
 *          is the chunk's exact uncompressed size, known to the caller (a
 *          file's last chunk is shorter), at most NTX_LZX_MAX_CHUNK. A WOF
 *          chunk whose stored size equals its uncompressed size is stored
 *          raw and must not come here.
 * Buffers: writes dst[0 .. dst_len) and *scratch, nothing else; reads no
 *          byte outside src. On error dst holds unspecified bytes.
 * Returns: NTX_OK when exactly dst_len bytes were produced (E8 translation
 *          undone); NTX_E_CORRUPT with *check (if check is not NULL) =
 *          NTX_CHK_LZX_BLOCK_TYPE, _BLOCK_SIZE, _CODE, _TRUNCATED, _OFFSET or
 *          _LENGTH; NTX_E_ARG for NULL pointers or dst_len over
 *          NTX_LZX_MAX_CHUNK (*check = NTX_CHK_NONE).
 */
ntx_err ntx_lzx_decompress(ntx_lzx_scratch *scratch, const uint8_t *src, size_t src_len,
                           uint8_t *dst, size_t dst_len, ntx_check *check);

#endif
