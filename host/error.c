/*
 * error.c - filling ntx_host_error. Every sentence a front-end prints about
 * an image is written in this library, so ntx and ntxfs say the same thing.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

ntx_host_status host_fail(ntx_host_error *err, ntx_host_status status, int sys_errno,
                          const char *fmt, ...)
{
    if (err == NULL)
        return status;
    err->status = status;
    err->sys_errno = sys_errno;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return status;
}

bool host_appendf(char *out, size_t cap, const char *fmt, ...)
{
    size_t n = strnlen(out, cap);
    if (n + 1 >= cap)
        return false;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(out + n, cap - n, fmt, ap);
    va_end(ap);
    return w >= 0 && (size_t)w < cap - n;
}

bool host_sibling_path(char *out, size_t cap, const char *next_to, const char *name)
{
    const char *slash = strrchr(next_to, '/');
    size_t dir_len = slash != NULL ? (size_t)(slash - next_to) + 1 : 0;
    if (dir_len >= cap)
        return false;
    memcpy(out, next_to, dir_len);
    out[dir_len] = '\0';
    return host_appendf(out, cap, "%s", name);
}

void host_size_words(char *out, size_t cap, uint64_t bytes)
{
    static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
    if (bytes < 1024) {
        snprintf(out, cap, "%llu bytes", (unsigned long long)bytes);
        return;
    }
    double v = (double)bytes / 1024.0;
    unsigned u = 0;
    while (v >= 1024.0 && u + 1 < sizeof units / sizeof units[0]) {
        v /= 1024.0;
        u++;
    }
    snprintf(out, cap, "%.*f %s (%llu bytes)", v < 10.0 ? 1 : 0, v, units[u],
             (unsigned long long)bytes);
}

void host_yal_words(char *out, size_t cap, const char *backtrace)
{
    /* libyal backtraces list the innermost failure first ("libewf_...:
     * invalid section size"), then each caller's "unable to ..." */
    const char *line = backtrace;
    while (*line == '\n' || *line == ' ')
        line++;
    size_t n = strcspn(line, "\n");
    while (n > 0 && (line[n - 1] == '.' || line[n - 1] == ' ' || line[n - 1] == '\r'))
        n--;
    if (n >= cap)
        n = cap - 1;
    memcpy(out, line, n);
    out[n] = '\0';
}
