/*
 * fuzz_lzx.c - WIM/WOF LZX chunks (src/parse/lzx.c) against
 * wimlib_decompress(), the reference decoder.
 *
 * Input:
 *   [0..1] uncompressed size - 1 (u16, taken modulo 32768: 1 .. 32768)
 *   then one compressed chunk
 * The chunk is decoded from a heap copy of exactly its size into a heap
 * buffer of exactly the uncompressed size, with scratch full of leftovers.
 *
 * Contracts: the result is NTX_OK with NTX_CHK_NONE, or NTX_E_CORRUPT
 * with an LZX check id. Whenever ntx succeeds, wimlib succeeds with the
 * same bytes. Where wimlib succeeds and ntx refuses, ntx must be stricter
 * on purpose:
 *   - _TRUNCATED: wimlib reads zeros past the end of its input; ntx given
 *     the input followed by zeros (or, since wimlib takes no bits from a
 *     lone last byte, the input less that byte followed by zeros) must then
 *     produce wimlib's bytes, or stop at one of its stricter checks, or,
 *     where wimlib's own result changes when the zeros are really there
 *     (it read past its input), agree with wimlib on the padded input;
 *   - _CODE: wimlib decodes symbol 0 from an empty code and lets a pretree
 *     run overflow the lengths, which ntx refuses;
 *   - _BLOCK_SIZE: wimlib takes a block of size 0 as an empty block.
 * Any other disagreement (offsets, lengths, block types) is a bug.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <wimlib.h>

#include "fuzz_support.h"
#include "parse/lzx.h"

static struct wimlib_decompressor *g_dec;
static ntx_lzx_scratch g_scratch;

static ntx_err decode(const uint8_t *src, size_t n, uint8_t *dst, size_t len, ntx_check *chk)
{
    uint8_t *s = malloc(n ? n : 1);
    memcpy(s, src, n);
    memset(&g_scratch, n ? src[n / 2] : 0x5A, sizeof g_scratch);
    ntx_err e = ntx_lzx_decompress(&g_scratch, s, n, dst, len, chk);
    free(s);
    fz_check(e == NTX_OK || e == NTX_E_CORRUPT);
    fz_check(e == NTX_OK ? *chk == NTX_CHK_NONE
                         : (*chk >= NTX_CHK_LZX_BLOCK_TYPE && *chk <= NTX_CHK_LZX_LENGTH));
    return e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > 2 + 40000)
        return 0;
    if (g_dec == NULL &&
        wimlib_create_decompressor(WIMLIB_COMPRESSION_TYPE_LZX, NTX_LZX_MAX_CHUNK, &g_dec) != 0)
        abort();
    size_t len = (size_t)(fz_le16(data) % NTX_LZX_MAX_CHUNK) + 1;
    const uint8_t *src = data + 2;
    size_t n = size - 2;
    uint8_t *out = malloc(len);
    uint8_t *ref = malloc(len);
    uint8_t *tmp = malloc(n ? n : 1);
    ntx_check chk = 99;

    ntx_err e = decode(src, n, out, len, &chk);
    memcpy(tmp, src, n);
    int w = wimlib_decompress(tmp, n, ref, len, g_dec);
    if (e == NTX_OK) {
        fz_check(w == 0);
        fz_check(memcmp(out, ref, len) == 0);
    } else if (w == 0) {
        if (chk == NTX_CHK_LZX_TRUNCATED) {
            /* wimlib reads zero bits past its input; a lone last byte is no
             * word for it (zero bits), though it may still read it as a byte */
            bool explained = false;
            uint8_t *ref2 = malloc(len);
            for (size_t cut = 0; cut <= 1 && cut <= n && !explained; cut++) {
                size_t pad = 8 * len + 64; /* zeros for every remaining symbol */
                uint8_t *padded = calloc(1, n + pad);
                memcpy(padded, src, n - cut);
                ntx_check c2;
                ntx_err e2 = decode(padded, n - cut + pad, out, len, &c2);
                int w2 = wimlib_decompress(padded, n - cut + pad, ref2, len, g_dec);
                /* wimlib's own result depends on what lies past its input */
                bool moved = w2 != 0 || memcmp(ref2, ref, len) != 0;
                if (e2 == NTX_OK)
                    explained = memcmp(out, ref, len) == 0 ||
                                (moved && w2 == 0 && memcmp(out, ref2, len) == 0);
                else /* ntx's stricter checks may fire on the zeros */
                    explained = (c2 == NTX_CHK_LZX_CODE || c2 == NTX_CHK_LZX_BLOCK_SIZE) || (moved && w2 != 0);
                free(padded);
            }
            free(ref2);
            fz_check(explained);
        } else {
            fz_check(chk == NTX_CHK_LZX_CODE || chk == NTX_CHK_LZX_BLOCK_SIZE);
        }
    }
    free(out);
    free(ref);
    free(tmp);
    return 0;
}
