/*
 * values.c - attribute values read whole, and UTF-16 names written as
 * UTF-8: what stat.c, links.c and xattr.c need from the core besides
 * stat. Called with g.lock held (the values land in g.scratch).
 */
#include <errno.h>

#include "ntxfs.h"

int ntxfs_read_all(ntx_stream *s, void *buf, size_t len, const char *what)
{
    size_t done = 0;
    /* bound: done grows by got > 0 each pass, up to len */
    while (done < len) {
        size_t got = 0;
        ntx_err rc = ntx_stream_read(s, done, (char *)buf + done, len - done, &got);
        if (rc != NTX_OK)
            return ntxfs_core_fail(what, rc);
        if (got == 0)
            return -EIO;
        done += got;
    }
    return 0;
}

int ntxfs_read_value(const ntx_file *f, uint32_t type, const uint16_t *name, size_t name_len,
                     size_t max, size_t *len)
{
    ntx_stream s;
    ntx_err rc = ntx_stream_open(&s, f, type, name, name_len);
    if (rc != NTX_OK)
        return rc == NTX_E_NOT_FOUND ? -ENODATA : ntxfs_core_fail("open attribute", rc);
    if (s.size > max || s.size > sizeof g.scratch)
        return -E2BIG;
    int r = ntxfs_read_all(&s, g.scratch, (size_t)s.size, "read attribute");
    if (r == 0)
        *len = (size_t)s.size;
    return r;
}

int ntxfs_put_utf16(const uint16_t *u, int n, char *out, size_t cap, size_t *len)
{
    size_t got;
    int k = 0;
    while (k < n && u[k] != 0)
        k++;
    if (*len >= cap)
        return -ENAMETOOLONG;
    ntx_err rc = ntx_utf16_to_utf8(u, (size_t)k, out + *len, cap - *len, &got, NTX_UTF16_WTF8);
    if (rc != NTX_OK)
        return rc == NTX_E_BUFFER ? -ENAMETOOLONG : -EILSEQ;
    *len += got;
    return 0;
}
