/*
 * mem.c - memcpy, memmove, memset and memcmp: GCC may emit calls to these
 * four even in freestanding code (struct copies, zeroed structs), and no
 * libc is linked into the driver. Byte loops: the driver moves little
 * memory itself (file data goes from Disk I/O through the core straight
 * into the caller's buffer).
 */
#include "ntxefi.h"

void *memcpy(void *dst, const void *src, size_t n)
{
    UINT8 *d = dst;
    const UINT8 *s = src;
    for (size_t i = 0; i < n; i++)
        d[i] = s[i];
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    UINT8 *d = dst;
    const UINT8 *s = src;
    if (d < s) {
        for (size_t i = 0; i < n; i++)
            d[i] = s[i];
    } else {
        for (size_t i = n; i > 0; i--)
            d[i - 1] = s[i - 1];
    }
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    UINT8 *d = dst;
    for (size_t i = 0; i < n; i++)
        d[i] = (UINT8)c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const UINT8 *x = a;
    const UINT8 *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}
