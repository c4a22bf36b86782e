/*
 * file.c - files: opening by reference, stat, and opening their streams.
 *
 * A file is its base MFT record plus the extension records its
 * $ATTRIBUTE_LIST names. Its metadata comes from $STANDARD_INFORMATION (the
 * times Windows shows), its $FILE_NAME attributes (one per name) and its
 * unnamed $DATA.
 */
#include "../parse/attr.h"
#include "../base/diag.h"
#include "../parse/filename.h"
#include "../base/mem.h"
#include "../mft/mft.h"
#include "../parse/stdinfo.h"
#include "../value/attrs.h"
#include "../value/stream.h"
#include "ntx/forensic.h"
#include "ntx/utf16.h"

ntx_err ntx_file_open(ntx_file *f, ntx_volume *vol, uint64_t ref, unsigned flags)
{
    const uint8_t *rec;
    if (vol == NULL || f == NULL || (flags & ~(unsigned)NTX_OPEN_DELETED) != 0)
        return NTX_E_ARG;
    if (!ntx_volume_handle_live(vol, vol->gen))
        return NTX_E_STALE;
    if (!NTX_WITH_DELETED && (flags & NTX_OPEN_DELETED) != 0)
        return NTX_E_UNSUPPORTED; /* config.h */
    ntx_err rc = ntx_record_get_base(vol, NTX_REF_MFT(ref), NTX_REF_SEQ(ref),
                                     NTX_OPENED_DELETED(flags), &rec);
    if (rc != NTX_OK)
        return rc;
    f->vol = vol;
    f->gen = vol->gen;
    f->mft_no = NTX_REF_MFT(ref);
    f->seq = ntx_rec_sequence(rec);
    f->rec_flags = ntx_rec_flags(rec);
    f->open_flags = (uint16_t)flags;
    return NTX_OK;
}

ntx_err ntx_stream_open_raw(ntx_stream *s, const ntx_file *f, uint32_t type,
                            const uint16_t *name, size_t name_len)
{
    if (f == NULL || s == NULL || (name == NULL && name_len != 0))
        return NTX_E_ARG;
    if (!ntx_volume_handle_live(f->vol, f->gen))
        return NTX_E_STALE;
    return ntx_stream_init(f->vol, f->mft_no, type, name, name_len,
                           f->open_flags | NTX_STREAM_RAW, s);
}

/* Take what stat needs from one $FILE_NAME. Names other than the DOS alias
 * are links; their times win over a DOS name's. */
static void stat_take_name(const uint8_t *fn, ntx_stat *st, bool *have_long)
{
    bool is_dos = fn[FN_NAMESPACE] == NTX_NS_DOS;
    if (!is_dos)
        st->name_count++;
    if (*have_long || (is_dos && st->parent_ref != 0))
        return;
    st->parent_ref = ntx_le64(fn + FN_PARENT);
    for (unsigned i = 0; i < 4; i++)
        st->fn_times[i] = ntx_le64(fn + FN_TIMES + 8 * i);
    *have_long = !is_dos;
}

/* Sizes and flags of the unnamed $DATA's first extent. */
static void stat_take_data(const uint8_t *a, ntx_stat *st)
{
    st->has_data = true;
    st->data_flags = ntx_attr_flags(a);
    if (ntx_attr_is_resident(a)) {
        st->size = ntx_attr_value(a).len;
        st->data_resident = true;
        return;
    }
    st->size = ntx_attr_data_size(a);
    st->alloc_size = ntx_attr_alloc_size(a);
    /* Compressed and sparse attributes record the clusters really in use. */
    if ((st->data_flags & (NTX_ATTR_FLAG_COMPRESSED | NTX_ATTR_FLAG_SPARSE)) != 0 &&
        ntx_attr_mp_offset(a) >= ATTR_COMPRESSED_HEADER)
        st->alloc_size = ntx_le64(a + ATTR_COMPRESSED_SIZE);
}

static ntx_err stat_reparse_tag(ntx_volume *vol, uint64_t mft_no, unsigned flags, const uint8_t *a,
                                ntx_stat *st)
{
    uint8_t tag[4];
    if (ntx_attr_is_resident(a)) {
        ntx_span v = ntx_attr_value(a);
        if (v.len < 8)
            return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_REPARSE, mft_no, 0);
        st->reparse_tag = ntx_le32(v.p);
        return NTX_OK;
    }
    ntx_err rc =
        ntx_stream_init(vol, mft_no, NTX_AT_REPARSE_POINT, NULL, 0, flags, &vol->tmp_stream);
    if (rc == NTX_OK)
        rc = ntx_stream_read_exact(&vol->tmp_stream, 0, tag, sizeof tag);
    if (rc == NTX_OK)
        st->reparse_tag = ntx_le32(tag);
    return rc;
}

ntx_err ntx_file_stat(const ntx_file *f, ntx_stat *st)
{
    if (f == NULL || st == NULL)
        return NTX_E_ARG;
    ntx_volume *vol = f->vol;
    if (!ntx_volume_handle_live(vol, f->gen))
        return NTX_E_STALE;

    const uint8_t *rec;
    ntx_err rc = ntx_record_get_base(vol, f->mft_no, f->seq,
                                     NTX_OPENED_DELETED(f->open_flags), &rec);
    if (rc != NTX_OK)
        return rc;
    ntx_mem_zero(st, sizeof *st);
    st->mft_ref = NTX_REF(f->mft_no, ntx_rec_sequence(rec));
    st->link_count = ntx_rec_link_count(rec);
    st->is_dir = (ntx_rec_flags(rec) & REC_FLAG_DIRECTORY) != 0;

    ntx_attr_iter it;
    bool have_si = false, have_long = false;
    ntx_attr_iter_start(&it, vol, f->mft_no);
    it.open_flags = (uint8_t)f->open_flags;
    /* bound: the attribute walk ends at AT_END or the list's end */
    for (;;) {
        const uint8_t *a;
        uint64_t rec_no;
        uint32_t off;
        ntx_check check;
        rc = ntx_attr_step(&it, &a, &rec_no, &off);
        if (rc == NTX_END)
            break;
        if (rc != NTX_OK)
            return rc;
        uint32_t type = ntx_attr_type(a);
        if (type == NTX_AT_STANDARD_INFORMATION && !have_si) {
            if (!ntx_attr_is_resident(a) ||
                ntx_stdinfo_to_stat(ntx_attr_value(a), st, &check) != NTX_OK)
                return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_STD_INFO, rec_no, off);
            have_si = true;
        } else if (type == NTX_AT_FILE_NAME) {
            ntx_span v = ntx_attr_value(a);
            if (!ntx_attr_is_resident(a) || ntx_filename_check(v.p, v.len, &check) != NTX_OK)
                return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_FILE_NAME, rec_no, off);
            stat_take_name(v.p, st, &have_long);
        } else if (type == NTX_AT_DATA && ntx_attr_name_len(a) == 0 &&
                   (ntx_attr_is_resident(a) || ntx_attr_lowest_vcn(a) == 0)) {
            stat_take_data(a, st);
        } else if (type == NTX_AT_REPARSE_POINT && st->reparse_tag == 0) {
            rc = stat_reparse_tag(vol, f->mft_no, f->open_flags, a, st);
            if (rc != NTX_OK)
                return rc;
        }
    }
    if (!have_si)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_STD_INFO, f->mft_no, 0);
    if (st->is_dir) {
        st->size = 0;
        st->alloc_size = 0;
    }
    return NTX_OK;
}

ntx_err ntx_stream_open(ntx_stream *s, const ntx_file *f, uint32_t type, const uint16_t *name,
                        size_t name_len)
{
    if (f == NULL || s == NULL || (name == NULL && name_len != 0))
        return NTX_E_ARG;
    if (!ntx_volume_handle_live(f->vol, f->gen))
        return NTX_E_STALE;
    return ntx_stream_init(f->vol, f->mft_no, type, name, name_len, f->open_flags, s);
}

ntx_err ntx_stream_open_data(ntx_stream *s, const ntx_file *f, const char *name, size_t name_len)
{
    if (f == NULL || s == NULL || (name == NULL && name_len != 0))
        return NTX_E_ARG;
    ntx_volume *vol = f->vol;
    if (!ntx_volume_handle_live(vol, f->gen))
        return NTX_E_STALE;
    if (name_len == 0 && (f->rec_flags & REC_FLAG_DIRECTORY) != 0)
        return NTX_E_IS_DIR;
    size_t n = 0;
    if (!NTX_WITH_NAMED_STREAMS && name_len != 0) /* config.h */
        return NTX_E_UNSUPPORTED;
    if (name_len != 0) {
        ntx_err rc = ntx_utf8_to_utf16(name, name_len, vol->name_buf, NTX_NAME_MAX, &n,
                                       NTX_UTF16_WTF8);
        if (rc != NTX_OK)
            return rc;
    }
    return ntx_stream_init(vol, f->mft_no, NTX_AT_DATA, vol->name_buf, n, f->open_flags, s);
}
