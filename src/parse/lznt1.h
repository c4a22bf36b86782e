/*
 * lznt1.h - LZNT1 chunk decoding for compressed $DATA streams (private header).
 *
 * A compression unit (16 clusters, normally 64 KiB) is stored as a sequence
 * of chunks, each expanding to at most 4096 bytes; the stream code walks the
 * chunks and calls these two functions. See lznt1.c for the format.
 */
#ifndef NTX_LZNT1_H
#define NTX_LZNT1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ntx/error.h"

/* Bytes one chunk expands to at most (an uncompressed chunk holds exactly this many,
 * except possibly the last one of a unit). */
#define NTX_LZNT1_CHUNK 4096u

/* Bytes of the little-endian chunk header. */
#define NTX_LZNT1_HEADER 2u

/*
 * ntx_lznt1_header() - decode a chunk header (the 16-bit little-endian value).
 * Returns: NTX_END for the 0x0000 terminator of a unit; otherwise NTX_OK with
 *          *chunk_len = total bytes of the chunk including the header (3..4098)
 *          and *compressed. The signature bits 12-14 are not checked (see lznt1.c).
 */
ntx_err ntx_lznt1_header(uint16_t header, uint32_t *chunk_len, bool *compressed);

/*
 * ntx_lznt1_decompress_chunk() - expand the payload of one compressed chunk.
 * Input:   src_len bytes after the chunk header (chunk_len - 2).
 * Buffers: writes only dst[0 .. min(dst_cap, 4096)); never reads outside src.
 *          After NTX_OK nothing from dst[*out_len] on was written; after NTX_E_CORRUPT
 *          the bytes from dst[*out_len] up to that limit may have been (scratch).
 * Returns: NTX_OK with *out_len = bytes produced (0..4096); NTX_E_CORRUPT
 *          for a back-reference before the start of the chunk's output, output
 *          past 4096 bytes or past dst_cap, or a 2-byte token cut off at the
 *          end of src (*out_len is then the bytes written before the fault);
 *          NTX_E_ARG for NULL pointers.
 */
ntx_err ntx_lznt1_decompress_chunk(const uint8_t *src, size_t src_len, uint8_t *dst,
                                   size_t dst_cap, size_t *out_len);

#endif
