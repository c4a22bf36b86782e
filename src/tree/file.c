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
#include "../parse/wof.h"
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

/*
 * The first bytes of reparse point a (at most NTX_WOF_REPARSE_BYTES: the tag,
 * and what WOF needs), into head; *len how many. A value too short for its
 * header is corrupt.
 */
static ntx_err file_reparse_head(ntx_volume *vol, uint64_t mft_no, unsigned flags,
                                 const uint8_t *a, uint8_t *head, size_t *len)
{
    if (ntx_attr_is_resident(a)) {
        ntx_span v = ntx_attr_value(a);
        if (v.len < 8)
            return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_REPARSE, mft_no, 0);
        *len = v.len < NTX_WOF_REPARSE_BYTES ? v.len : NTX_WOF_REPARSE_BYTES;
        ntx_mem_copy(head, v.p, *len);
        return NTX_OK;
    }
    ntx_stream *rs = &vol->tmp_stream;
    ntx_err rc = ntx_stream_init(vol, mft_no, NTX_AT_REPARSE_POINT, NULL, 0, flags, rs);
    if (rc != NTX_OK)
        return rc;
    if (rs->size < 8)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_REPARSE, mft_no, 0);
    *len = (size_t)ntx_min_u64(rs->size, NTX_WOF_REPARSE_BYTES);
    return ntx_stream_read_exact(rs, 0, head, *len);
}

/*
 * Where the data of base record mft_no is, from its reparse point if any;
 * *tag is the reparse tag (0 without one). The reparse point is looked for
 * in the base record, then through the attribute list if there is one.
 */
static ntx_err file_data_place(ntx_volume *vol, uint64_t mft_no, unsigned flags,
                               ntx_data_place *place, uint32_t *tag)
{
    const uint8_t *rec, *a;
    uint8_t head[NTX_WOF_REPARSE_BYTES];
    size_t len = 0;
    uint32_t off;
    ntx_check check = NTX_CHK_NONE;
    ntx_err rc = ntx_record_get(vol, mft_no, &rec);
    if (rc != NTX_OK)
        return rc;
    a = ntx_rec_find_attr(rec, NTX_AT_REPARSE_POINT, NULL, 0, &off);
    if (a == NULL && NTX_WITH_ATTRLIST &&
        ntx_rec_find_attr(rec, NTX_AT_ATTRIBUTE_LIST, NULL, 0, &off) != NULL) {
        ntx_attr_iter it;
        uint64_t rec_no;
        ntx_attr_iter_start(&it, vol, mft_no);
        it.open_flags = (uint8_t)flags;
        /* bound: the attribute walk ends at the list's end */
        while ((rc = ntx_attr_step(&it, &a, &rec_no, &off)) == NTX_OK &&
               ntx_attr_type(a) != NTX_AT_REPARSE_POINT)
            ;
        if (rc != NTX_OK && rc != NTX_END)
            return rc;
        if (rc == NTX_END)
            a = NULL;
    }
    *tag = 0;
    place->form = NTX_DATA_PLAIN;
    if (a == NULL)
        return NTX_OK; /* the $DATA itself */
    /* config.h: telling where the data of a reparse point's file is needs
     * its reparse data, which such a build does not read */
    if (!NTX_WITH_WOF)
        return ntx_fail(vol, NTX_E_UNSUPPORTED, NTX_CHK_REPARSE, mft_no, 0);
    rc = file_reparse_head(vol, mft_no, flags, a, head, &len);
    if (rc != NTX_OK)
        return rc;
    *tag = ntx_le32(head);
    rc = ntx_data_place_parse(head, len, place, &check);
    return rc == NTX_E_CORRUPT ? ntx_fail(vol, rc, check, mft_no, 0) : rc;
}

/* Where stat says the data is, from the unnamed $DATA and the reparse point. */
static void stat_take_form(ntx_stat *st, const ntx_data_place *place)
{
    uint16_t fl = st->data_flags;
    if (st->is_dir || !st->has_data)
        st->data_form = NTX_DATA_NONE;
    else if (place->form != NTX_DATA_PLAIN)
        st->data_form = place->form;
    else if (st->data_resident)
        st->data_form = NTX_DATA_RESIDENT;
    else if ((fl & NTX_ATTR_FLAG_ENCRYPTED) != 0)
        st->data_form = NTX_DATA_ENCRYPTED;
    else if ((fl & NTX_ATTR_FLAG_COMPRESSED) != 0)
        st->data_form = NTX_DATA_LZNT1;
    else if ((fl & NTX_ATTR_FLAG_SPARSE) != 0)
        st->data_form = NTX_DATA_SPARSE;
    else
        st->data_form = NTX_DATA_PLAIN;
    if (st->data_form == NTX_DATA_WOF) {
        st->wof_algorithm = place->algorithm;
        st->wof_chunk_size = (uint32_t)1 << place->chunk_shift;
    }
}

/* The stream WOF keeps a file's bytes in. */
static const uint16_t wof_stream_name[17] = { 'W', 'o', 'f', 'C', 'o', 'm', 'p', 'r', 'e',
                                              's', 's', 'e', 'd', 'D', 'a', 't', 'a' };

/* Is attribute a the first extent of WofCompressedData? */
static bool file_is_wof_stream(const uint8_t *a)
{
    return ntx_attr_matches(a, NTX_AT_DATA, wof_stream_name, 17) &&
           (ntx_attr_is_resident(a) || ntx_attr_lowest_vcn(a) == 0);
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
    uint8_t head[NTX_WOF_REPARSE_BYTES];
    size_t head_len = 0;
    uint64_t wof_stored = 0, wof_alloc = 0;
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
        } else if (type == NTX_AT_DATA && file_is_wof_stream(a)) {
            wof_stored = ntx_attr_is_resident(a) ? ntx_attr_value(a).len : ntx_attr_data_size(a);
            wof_alloc = ntx_attr_is_resident(a) ? 0 : ntx_attr_alloc_size(a);
        } else if (type == NTX_AT_REPARSE_POINT && head_len == 0) {
            rc = file_reparse_head(vol, f->mft_no, f->open_flags, a, head, &head_len);
            if (rc != NTX_OK)
                return rc;
        }
    }
    if (!have_si)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_STD_INFO, f->mft_no, 0);
    st->reparse_tag = head_len >= 4 ? ntx_le32(head) : 0;
    ntx_data_place place;
    ntx_check check = NTX_CHK_NONE;
    /* A reparse point that cannot be read for where the data is (damaged,
     * or a WOF variant this build does not know) leaves the metadata
     * readable: stat says so, and only opening the data fails. */
    if (ntx_data_place_parse(head, head_len, &place, &check) != NTX_OK)
        place.form = NTX_DATA_UNKNOWN;
    stat_take_form(st, &place);
    if (st->data_form == NTX_DATA_WOF) {
        /* what the file holds is its uncompressed size; what it takes, the
         * clusters of WofCompressedData */
        st->stored_size = wof_stored;
        st->alloc_size = wof_alloc;
    }
    if (st->is_dir) {
        st->size = 0;
        st->alloc_size = 0;
    }
    return NTX_OK;
}

/*
 * Open the unnamed $DATA of f into s as what the file holds: the stream
 * itself, or for a WOF file its WofCompressedData read as the uncompressed
 * bytes. Data kept outside the file is refused: its $DATA would read as
 * zeros (ntx_stream_open_raw() still opens it as stored).
 */
static ntx_err file_open_data(ntx_stream *s, const ntx_file *f)
{
    ntx_volume *vol = f->vol;
    ntx_data_place place;
    uint32_t tag;
    ntx_err rc = file_data_place(vol, f->mft_no, f->open_flags, &place, &tag);
    if (rc != NTX_OK)
        return rc;
    if (place.form == NTX_DATA_EXTERNAL)
        return ntx_fail(vol, NTX_E_EXTERNAL, (ntx_check)place.external, f->mft_no, tag);
    rc = ntx_stream_init(vol, f->mft_no, NTX_AT_DATA, NULL, 0, f->open_flags, s);
    if (rc != NTX_OK || place.form != NTX_DATA_WOF)
        return rc;
    if (!NTX_WITH_WOF) /* config.h */
        return ntx_fail(vol, NTX_E_UNSUPPORTED, NTX_CHK_NONE, f->mft_no, tag);
    uint64_t size = s->size;
    rc = ntx_stream_init(vol, f->mft_no, NTX_AT_DATA, wof_stream_name, 17, f->open_flags, s);
    if (rc == NTX_E_NOT_FOUND)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_WOF_CHUNK, f->mft_no, 0);
    if (rc != NTX_OK)
        return rc;
    /* the chunks are stored plain: WOF never stacks on NTFS compression */
    if (s->cu_shift != 0 || (s->flags & NTX_ATTR_FLAG_ENCRYPTED) != 0)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_WOF_CHUNK, f->mft_no, 0);
    ntx_stream_wof_setup(s, size, place.algorithm, place.chunk_shift);
    return NTX_OK;
}

ntx_err ntx_stream_open(ntx_stream *s, const ntx_file *f, uint32_t type, const uint16_t *name,
                        size_t name_len)
{
    if (f == NULL || s == NULL || (name == NULL && name_len != 0))
        return NTX_E_ARG;
    if (!ntx_volume_handle_live(f->vol, f->gen))
        return NTX_E_STALE;
    if (type == NTX_AT_DATA && name_len == 0)
        return file_open_data(s, f);
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
    if (n == 0)
        return file_open_data(s, f);
    return ntx_stream_init(vol, f->mft_no, NTX_AT_DATA, vol->name_buf, n, f->open_flags, s);
}
