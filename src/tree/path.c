/*
 * path.c - resolving a '/'-separated UTF-8 path, one $I30 lookup per
 * component, from the root directory (MFT record 5).
 */
#include "../parse/attr.h"
#include "../base/diag.h"
#include "dir.h"
#include "../parse/filename.h"
#include "../base/mem.h"
#include "../mft/mft.h"
#include "../value/attrs.h"
#include "ntx/utf16.h"

/* The parent of directory f, from its first $FILE_NAME (the root is its own). */
static ntx_err path_parent(ntx_file *f)
{
    ntx_attr_iter it;
    if (f->mft_no == NTX_MFT_ROOT)
        return NTX_OK;
    ntx_attr_iter_start(&it, f->vol, f->mft_no);
    /* bound: the attribute walk ends at AT_END or the list's end */
    for (;;) {
        const uint8_t *a;
        uint64_t rec_no;
        uint32_t off;
        ntx_check check;
        ntx_err rc = ntx_attr_step(&it, &a, &rec_no, &off);
        if (rc == NTX_END)
            return ntx_fail(f->vol, NTX_E_CORRUPT, NTX_CHK_FILE_NAME, f->mft_no, 0);
        if (rc != NTX_OK)
            return rc;
        if (ntx_attr_type(a) != NTX_AT_FILE_NAME)
            continue;
        ntx_span v = ntx_attr_value(a);
        if (!ntx_attr_is_resident(a) || ntx_filename_check(v.p, v.len, &check) != NTX_OK)
            return ntx_fail(f->vol, NTX_E_CORRUPT, NTX_CHK_FILE_NAME, rec_no, off);
        return ntx_file_open(f, f->vol, ntx_le64(v.p + FN_PARENT), 0);
    }
}

#if !NTX_WITH_UNICODE_PATHS
/* config.h: ASCII path components only. An ASCII byte is the same code unit
 * in UTF-8 and in UTF-16, so such a component finds exactly what the full
 * build finds (given the case folding NTX_WITH_UPCASE assumes when it is 0);
 * any other byte answers NTX_E_UNSUPPORTED. The checks and
 * their order follow ntx_utf8_to_utf16(): a NUL is NTX_E_NAME, and a valid
 * name wins over its length. */
static ntx_err path_ascii_to_utf16(const char *src, size_t len, uint16_t *dst, size_t *n)
{
    /* bound: i < len */
    for (size_t i = 0; i < len; i++) {
        uint8_t c = (uint8_t)src[i];
        if (c == 0)
            return NTX_E_NAME;
        if (c >= 0x80u)
            return NTX_E_UNSUPPORTED;
        if (i < NTX_NAME_MAX)
            dst[i] = c;
    }
    *n = len;
    return len <= NTX_NAME_MAX ? NTX_OK : NTX_E_NAME_TOO_LONG;
}
#endif

ntx_err ntx_file_open_path(ntx_file *f, ntx_volume *vol, const char *path, size_t path_len)
{
    if (vol == NULL || f == NULL || (path == NULL && path_len != 0))
        return NTX_E_ARG;
    ntx_file cur;
    ntx_err rc = ntx_file_open(&cur, vol, NTX_MFT_ROOT, 0);
    if (rc != NTX_OK)
        return rc;

    size_t pos = 0;
    bool want_dir = false;
    /* bound: pos grows by at least one byte per pass */
    while (pos < path_len) {
        if (path[pos] == '/') {
            pos++;
            want_dir = true;
            continue;
        }
        size_t end = pos;
        while (end < path_len && path[end] != '/')
            end++;
        const char *comp = path + pos;
        size_t len = end - pos;
        pos = end;
        want_dir = false;
        if (len == 1 && comp[0] == '.')
            continue;
        if ((cur.rec_flags & REC_FLAG_DIRECTORY) == 0)
            return NTX_E_NOT_DIR;
        if (len == 2 && comp[0] == '.' && comp[1] == '.') {
            rc = NTX_WITH_DOTDOT ? path_parent(&cur) : NTX_E_UNSUPPORTED; /* config.h */
            if (rc != NTX_OK)
                return rc;
            continue;
        }
        size_t n;
#if NTX_WITH_UNICODE_PATHS
        rc = ntx_utf8_to_utf16(comp, len, vol->name_buf, NTX_NAME_MAX, &n, NTX_UTF16_WTF8);
#else
        rc = path_ascii_to_utf16(comp, len, vol->name_buf, &n);
#endif
        if (rc != NTX_OK)
            return rc;
        uint64_t ref;
        rc = ntx_dir_find(vol, cur.mft_no, vol->name_buf, n, &ref, NULL);
        if (rc == NTX_OK)
            rc = ntx_file_open(&cur, vol, ref, 0);
        if (rc != NTX_OK)
            return rc;
    }
    if (want_dir && (cur.rec_flags & REC_FLAG_DIRECTORY) == 0)
        return NTX_E_NOT_DIR;
    ntx_mem_copy(f, &cur, sizeof cur);
    return NTX_OK;
}
