/*
 * mem.c - byte copy, fill and compare for a core that links no libc.
 */
#include "mem.h"

#include "bytes.h"
#include "ntx/config.h"

void ntx_mem_copy(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;

    /* Word-sized steps when both pointers share alignment: this is the bounce
     * path of every unaligned file read, so it is worth a few bytes of code
     * (unless config.h's NTX_WITH_WORD_MEM says otherwise). */
    if (NTX_WITH_WORD_MEM && (((uintptr_t)d ^ (uintptr_t)s) & (sizeof(size_t) - 1u)) == 0) {
        while (n > 0 && ((uintptr_t)d & (sizeof(size_t) - 1u)) != 0) {
            *d++ = *s++;
            n--;
        }
        while (n >= sizeof(ntx_word)) { /* bound: n shrinks by a word each step */
            *(ntx_word *)(void *)d = *(const ntx_word *)(const void *)s;
            d += sizeof(ntx_word);
            s += sizeof(ntx_word);
            n -= sizeof(ntx_word);
        }
    }
    while (n > 0) { /* bound: n shrinks by one each step */
        *d++ = *s++;
        n--;
    }
}

void ntx_mem_zero(void *dst, size_t n)
{
    uint8_t *d = dst;

    /* Sparse runs and bytes past the initialized size are zero-filled through
     * here, possibly gigabytes of them: word steps matter. */
    if (NTX_WITH_WORD_MEM) {
        while (n > 0 && ((uintptr_t)d & (sizeof(size_t) - 1u)) != 0) {
            *d++ = 0;
            n--;
        }
        while (n >= sizeof(ntx_word)) { /* bound: n shrinks by a word each step */
            *(ntx_word *)(void *)d = 0;
            d += sizeof(ntx_word);
            n -= sizeof(ntx_word);
        }
    }
    while (n > 0) { /* bound: n shrinks by one each step */
        *d++ = 0;
        n--;
    }
}

bool ntx_mem_equal(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return false;
    return true;
}
