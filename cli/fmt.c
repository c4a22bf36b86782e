/*
 * fmt.c - numbers and names for the listings of ntx mft and ntx timeline,
 * without printf (fmt.h).
 */
#include <string.h>

#include "fmt.h"

size_t fmt_u64(char *out, uint64_t v)
{
    char tmp[20];
    size_t n = 0;
    do { /* bound: 20 digits at most */
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

void put_u64(sbuf *b, uint64_t v)
{
    char d[20];
    sb_put(b, d, fmt_u64(d, v));
}

void put_i64(sbuf *b, int64_t v)
{
    if (v < 0) {
        sb_putc(b, '-');
        put_u64(b, (uint64_t)0 - (uint64_t)v);
    } else {
        put_u64(b, (uint64_t)v);
    }
}

void put_u64_right(sbuf *b, uint64_t v, int width)
{
    char d[20];
    size_t n = fmt_u64(d, v);
    for (int i = (int)n; i < width; i++)
        sb_putc(b, ' ');
    sb_put(b, d, n);
}

void put_left(sbuf *b, const char *s, size_t n, int width)
{
    sb_put(b, s, n);
    for (int i = (int)n; i < width; i++)
        sb_putc(b, ' ');
}

bool plain_ascii(const char *s, size_t n, bool bar)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c > 0x7E || c == '\\' || (bar && c == '|'))
            return false;
    }
    return true;
}

void put_text(sbuf *b, const char *s, size_t n)
{
    if (plain_ascii(s, n, false))
        sb_put(b, s, n);
    else
        esc_text(b, s, n);
}
