/*
 * out.c - output: growable strings, names escaped for a terminal (R35:
 * a file name must not be able to move the cursor, retitle the window
 * or fake a line of output), JSON strings, NT times.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define NT_TICKS 10000000ull
#define NT_UNIX_EPOCH 11644473600ull /* seconds from 1601-01-01 to 1970-01-01 */

static size_t time_chars(char *out, uint64_t nt, char sep, bool frac);

/* ---- growable strings ---- */

void sb_init(sbuf *b)
{
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
}

void sb_free(sbuf *b)
{
    free(b->p);
    sb_init(b);
}

void sb_clear(sbuf *b)
{
    b->len = 0;
    if (b->p != NULL)
        b->p[0] = '\0';
}

void sb_reserve(sbuf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (p == NULL) {
        fputs("ntx: out of memory\n", stderr);
        exit(EXIT_FAIL);
    }
    b->p = p;
    b->cap = cap;
}

void sb_put(sbuf *b, const void *s, size_t n)
{
    sb_reserve(b, n);
    if (n == 0)
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void sb_puts(sbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

void sb_putc(sbuf *b, char c)
{
    sb_reserve(b, 1);
    b->p[b->len++] = c;
    b->p[b->len] = '\0';
}

void sb_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[256];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof tmp) {
        sb_put(b, tmp, (size_t)n);
        return;
    }
    sb_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

const char *sb_str(sbuf *b)
{
    if (b->p == NULL)
        sb_reserve(b, 0), b->p[0] = '\0';
    return b->p;
}

/* ---- names ---- */

size_t name_utf8(const uint16_t *name, size_t n, char *out, size_t cap)
{
    size_t len = 0;
    if (ntx_utf16_to_utf8(name, n, out, cap, &len, NTX_UTF16_WTF8) == NTX_OK)
        return len;
    /* The core refuses U+0000 (it would cut a C string). A name on a hostile
     * image may hold one: convert around it and keep it as a NUL byte, which
     * the escapes show as \x00 and extract refuses. */
    size_t o = 0, i = 0;
    while (i <= n && o < cap) { /* bound: i grows by one segment each pass */
        size_t j = i;
        while (j < n && name[j] != 0)
            j++;
        size_t part = 0;
        if (j > i && ntx_utf16_to_utf8(name + i, j - i, out + o, cap - o, &part,
                                       NTX_UTF16_WTF8) != NTX_OK)
            break;
        o += part;
        if (j == n)
            break;
        if (o + 1 >= cap)
            break;
        out[o++] = '\0';
        i = j + 1;
    }
    if (o < cap)
        out[o] = '\0';
    return o;
}

/* Decode one WTF-8 sequence at s[0..n): *cp and its length, or 0 if the
 * bytes are not a valid sequence (lone surrogates are valid here). */
static size_t wtf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2, v = c & 0x1Fu, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, v = c & 0x0Fu, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, v = c & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3Fu);
    }
    if (v < min || v > 0x10FFFF)
        return 0;
    *cp = v;
    return len;
}

static bool cp_needs_escape(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9F) ||                  /* C1 controls (CSI is 0x9B) */
           (cp >= 0xD800 && cp <= 0xDFFF) ||              /* lone surrogates */
           cp == 0x200E || cp == 0x200F ||                /* LRM, RLM */
           (cp >= 0x202A && cp <= 0x202E) ||              /* bidi embeddings, overrides */
           (cp >= 0x2066 && cp <= 0x2069) ||              /* bidi isolates */
           cp == 0x2028 || cp == 0x2029;                  /* line and paragraph separators */
}

void esc_text(sbuf *b, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) { /* bound: i grows by at least 1 */
        unsigned char c = s[i];
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7F)
                sb_printf(b, "\\x%02X", c);
            else if (c == '\\')
                sb_put(b, "\\\\", 2);
            else
                sb_putc(b, (char)c);
            i++;
            continue;
        }
        uint32_t cp;
        size_t len = wtf8_decode(s + i, n - i, &cp);
        if (len == 0) {
            sb_printf(b, "\\x%02X", c);
            i++;
        } else if (cp_needs_escape(cp)) {
            sb_printf(b, "\\u{%04X}", cp);
            i += len;
        } else {
            sb_put(b, s + i, len);
            i += len;
        }
    }
}

void esc_json(sbuf *b, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    sb_putc(b, '"');
    while (i < n) { /* bound: i grows by at least 1 */
        unsigned char c = s[i];
        if (c < 0x80) {
            switch (c) {
            case '"': sb_put(b, "\\\"", 2); break;
            case '\\': sb_put(b, "\\\\", 2); break;
            case '\n': sb_put(b, "\\n", 2); break;
            case '\t': sb_put(b, "\\t", 2); break;
            case '\r': sb_put(b, "\\r", 2); break;
            default:
                if (c < 0x20 || c == 0x7F)
                    sb_printf(b, "\\u%04x", c);
                else
                    sb_putc(b, (char)c);
            }
            i++;
            continue;
        }
        uint32_t cp;
        size_t len = wtf8_decode(s + i, n - i, &cp);
        if (len == 0) {
            sb_puts(b, "\\ufffd"); /* not from a name: names convert losslessly */
            i++;
        } else if (cp >= 0xD800 && cp <= 0xDFFF) {
            sb_printf(b, "\\u%04x", cp); /* a lone surrogate, as JSON allows */
            i += len;
        } else if (cp_needs_escape(cp)) {
            sb_printf(b, "\\u%04x", cp);
            i += len;
        } else {
            sb_put(b, s + i, len);
            i += len;
        }
    }
    sb_putc(b, '"');
}

void json_name16(sbuf *b, const uint16_t *name, size_t n)
{
    char tmp[3 * NTX_NAME_MAX + 1];
    size_t len = name_utf8(name, n, tmp, sizeof tmp);
    esc_json(b, tmp, len);
}

void text_name16(sbuf *b, const uint16_t *name, size_t n)
{
    char tmp[3 * NTX_NAME_MAX + 1];
    size_t len = name_utf8(name, n, tmp, sizeof tmp);
    esc_text(b, tmp, len);
}

/* ---- JSON objects ---- */

void jw_begin(jw *w, sbuf *b)
{
    w->b = b;
    w->first = true;
    sb_putc(b, '{');
}

void jw_key(jw *w, const char *key)
{
    if (!w->first)
        sb_putc(w->b, ',');
    w->first = false;
    sb_putc(w->b, '"');
    sb_puts(w->b, key);
    sb_put(w->b, "\":", 2);
}

void jw_str(jw *w, const char *key, const char *s)
{
    jw_key(w, key);
    if (s == NULL)
        sb_puts(w->b, "null");
    else
        esc_json(w->b, s, strlen(s));
}

void jw_strn(jw *w, const char *key, const char *s, size_t n)
{
    jw_key(w, key);
    esc_json(w->b, s, n);
}

void jw_u64(jw *w, const char *key, uint64_t v)
{
    jw_key(w, key);
    sb_printf(w->b, "%llu", (unsigned long long)v);
}

void jw_i64(jw *w, const char *key, int64_t v)
{
    jw_key(w, key);
    sb_printf(w->b, "%lld", (long long)v);
}

void jw_bool(jw *w, const char *key, bool v)
{
    jw_key(w, key);
    sb_puts(w->b, v ? "true" : "false");
}

void jw_null(jw *w, const char *key)
{
    jw_key(w, key);
    sb_puts(w->b, "null");
}

void jw_time(jw *w, const char *key, uint64_t nt)
{
    jw_key(w, key);
    if (nt == 0) {
        sb_puts(w->b, "null");
        return;
    }
    char t[48];
    t[0] = '"';
    size_t n = 1 + time_chars(t + 1, nt, 'T', true);
    t[n++] = 'Z';
    t[n++] = '"';
    sb_put(w->b, t, n);
}

void jw_raw(jw *w, const char *key, const char *json)
{
    jw_key(w, key);
    sb_puts(w->b, json);
}

void jw_end(jw *w)
{
    sb_put(w->b, "}\n", 2);
}

bool out_flush_line(sbuf *b)
{
    if (b->len != 0 && fwrite(b->p, 1, b->len, stdout) != b->len) {
        sb_clear(b);
        return false;
    }
    sb_clear(b);
    return true;
}

bool out_finish(void)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        if (errno != EPIPE)
            warnf("writing the output: %s", strerror(errno));
        return false;
    }
    return true;
}

/* ---- times and attributes ---- */


int64_t nt_to_unix(uint64_t nt)
{
    if (nt == 0)
        return 0;
    return (int64_t)(nt / NT_TICKS) - (int64_t)NT_UNIX_EPOCH;
}

/* Days since 1970-01-01 to a civil date (H. Hinnant's days_from_civil
 * inverse): no gmtime(), no locale, any year NT times can hold. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static char *put_digits(char *p, uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + n;
}

/* "YYYY-MM-DD<sep>hh:mm:ss[.fffffff]" into out (>= 40 bytes); returns the length. */
static size_t time_chars(char *out, uint64_t nt, char sep, bool frac)
{
    int64_t secs = (int64_t)(nt / NT_TICKS) - (int64_t)NT_UNIX_EPOCH;
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int64_t rem = secs - days * 86400;
    int64_t y;
    unsigned mo, d;
    civil_from_days(days, &y, &mo, &d);
    char *p = out;
    if (y < 0 || y > 9999) {
        p += snprintf(p, 16, "%lld", (long long)y);
    } else {
        p = put_digits(p, (uint64_t)y, 4);
    }
    *p++ = '-';
    p = put_digits(p, mo, 2);
    *p++ = '-';
    p = put_digits(p, d, 2);
    *p++ = sep;
    p = put_digits(p, (uint64_t)(rem / 3600), 2);
    *p++ = ':';
    p = put_digits(p, (uint64_t)(rem / 60 % 60), 2);
    *p++ = ':';
    p = put_digits(p, (uint64_t)(rem % 60), 2);
    if (frac) {
        *p++ = '.';
        p = put_digits(p, nt % NT_TICKS, 7);
    }
    return (size_t)(p - out);
}

void fmt_time(sbuf *b, uint64_t nt, bool frac)
{
    if (nt == 0) {
        sb_putc(b, '-');
        return;
    }
    char t[48];
    sb_put(b, t, time_chars(t, nt, ' ', frac));
}

static const struct {
    uint32_t bit;
    char letter;
    const char *word;
} dos_bits[] = {
    { 0x0001, 'r', "read-only" },  { 0x0002, 'h', "hidden" },     { 0x0004, 's', "system" },
    { 0x0010, 'd', "directory" },  { 0x0020, 'a', "archive" },    { 0x0040, 'D', "device" },
    { 0x0080, 'n', "normal" },     { 0x0100, 't', "temporary" },  { 0x0200, 'S', "sparse" },
    { 0x0400, 'L', "reparse" },    { 0x0800, 'c', "compressed" }, { 0x1000, 'o', "offline" },
    { 0x2000, 'i', "not-indexed" }, { 0x4000, 'e', "encrypted" }, { 0x8000, 'I', "integrity" },
    { 0x10000, 'v', "virtual" },   { 0x20000, 'N', "no-scrub" },
    { 0x10000000, 'd', "directory" }, { 0x20000000, 'x', "index-view" },
};

void fmt_dos_attrs(sbuf *b, uint32_t a, bool words)
{
    bool any = false;
    for (size_t i = 0; i < sizeof dos_bits / sizeof dos_bits[0]; i++) {
        if (!(a & dos_bits[i].bit))
            continue;
        if (words) {
            if (any)
                sb_puts(b, ", ");
            sb_puts(b, dos_bits[i].word);
        } else {
            sb_putc(b, dos_bits[i].letter);
        }
        any = true;
    }
    if (!any)
        sb_putc(b, '-');
}

const char *attr_type_name(uint32_t type)
{
    switch (type) {
    case 0x10: return "$STANDARD_INFORMATION";
    case 0x20: return "$ATTRIBUTE_LIST";
    case 0x30: return "$FILE_NAME";
    case 0x40: return "$OBJECT_ID";
    case 0x50: return "$SECURITY_DESCRIPTOR";
    case 0x60: return "$VOLUME_NAME";
    case 0x70: return "$VOLUME_INFORMATION";
    case 0x80: return "$DATA";
    case 0x90: return "$INDEX_ROOT";
    case 0xA0: return "$INDEX_ALLOCATION";
    case 0xB0: return "$BITMAP";
    case 0xC0: return "$REPARSE_POINT";
    case 0xD0: return "$EA_INFORMATION";
    case 0xE0: return "$EA";
    case 0xF0: return "$PROPERTY_SET";
    case 0x100: return "$LOGGED_UTILITY_STREAM";
    default: return "(unknown type)";
    }
}

const char *namespace_name(unsigned ns)
{
    switch (ns) {
    case NTX_NS_POSIX: return "posix";
    case NTX_NS_WIN32: return "win32";
    case NTX_NS_DOS: return "dos";
    case NTX_NS_WIN32_DOS: return "win32+dos";
    default: return "?";
    }
}

bool parse_u64(const char *s, uint64_t *v)
{
    if (s == NULL || *s == '\0' || *s == '-' || *s == '+')
        return false;
    char *end;
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        base = 16, s += 2;
    if (*s == '\0' || *s == '-' || *s == '+' || *s == ' ')
        return false;
    errno = 0;
    unsigned long long x = strtoull(s, &end, base);
    if (errno != 0 || *end != '\0')
        return false;
    *v = x;
    return true;
}

void fmt_guid(sbuf *b, const uint8_t g[16])
{
    sb_printf(b, "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X", g[3],
              g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12], g[13],
              g[14], g[15]);
}

void fmt_hex(sbuf *b, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sb_printf(b, "%02x", p[i]);
}
