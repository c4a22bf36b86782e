/*
 * fuzz_record.c - one MFT record with its update sequence array:
 * ntx_record_check() (fixups, header, every attribute header), then every
 * decoder of what a checked record holds. No device except zeros.
 *
 * Input:
 *   [0] bits 0-1: record size (0: 1024, 1: 4096, 2: 512, 3: 2048);
 *       bits 2-4: cluster size 2^(9 + v)
 *   then the record as on disk (zero-padded to the record size)
 * The record is copied into a heap block of exactly its size, so a read one
 * byte past it is an ASan error. After a successful check the walk helpers
 * must agree with each other, and $STANDARD_INFORMATION, $FILE_NAME,
 * $ATTRIBUTE_LIST (resident or through the list window), $INDEX_ROOT and
 * its entries, and every runlist are decoded.
 */
#include <stdlib.h>
#include <string.h>

#include "parse/attr.h"
#include "mft/alist.h"
#include "parse/filename.h"
#include "fuzz_support.h"
#include "tree/index.h"
#include "mft/mft.h"
#include "parse/runlist.h"
#include "parse/stdinfo.h"
#include "parse/unicode.h"

#define MFT_NO 42u

static volatile unsigned sink;

static void touch(const uint8_t *p, size_t n)
{
    unsigned s = 0;
    for (size_t i = 0; i < n; i++)
        s += p[i];
    sink += s;
}

static void decode_index_root(ntx_volume *vol, ntx_span v)
{
    ntx_index_node node;
    uint32_t bs;
    /* Whatever the root declares: $I30 (0x30, file name collation) or a view. */
    uint32_t key_type = v.len >= 8 ? fz_le32(v.p) : 0x30, coll = v.len >= 8 ? fz_le32(v.p + 4) : 1;
    if (ntx_index_root_parse(vol, v, MFT_NO, key_type, coll, &node, &bs) != NTX_OK)
        return;
    fz_check(node.start <= node.end && node.end <= v.len);
    uint32_t off = node.start;
    for (unsigned n = 0; n < 4096; n++) {
        ntx_index_entry e;
        if (ntx_index_entry_at(vol, &node, off, MFT_NO, &e) != NTX_OK)
            return;
        fz_check(e.off == off && e.length >= 0x10 && e.length <= node.end - off);
        if (e.flags & NTX_IE_END)
            return;
        touch(e.key, e.key_len);
        if (node.view) {
            fz_check(e.data >= e.key + e.key_len && e.data + e.data_len <= v.p + off + e.length);
            touch(e.data, e.data_len);
        } else {
            ntx_dirent d;
            ntx_filename_to_dirent(e.key, &d);
        }
        off += e.length;
    }
}

static void decode_alist(ntx_volume *vol, const uint8_t *a)
{
    uint32_t pos = 0;
    for (unsigned n = 0; n < 20000; n++) {
        ntx_alist_entry e;
        const uint8_t *name;
        ntx_err rc = ntx_alist_entry_at(vol, a, MFT_NO, pos, &e, &name);
        if (rc != NTX_OK)
            break;
        fz_check(e.length >= 0x1A && (e.length & 7) == 0);
        touch(name, 2u * e.name_len);
        pos += e.length;
    }
    ntx_alist_entry best;
    ntx_alist_query q = { .type = NTX_AT_DATA };
    ntx_alist_find(vol, a, MFT_NO, &q, UINT64_MAX >> 2, &best);
    q.deleted = true;
    ntx_alist_find(vol, a, MFT_NO, &q, UINT64_MAX >> 2, &best);
}

static void decode_runs(ntx_volume *vol, const uint8_t *a)
{
    ntx_mp_state st;
    ntx_mp_begin(a, &st);
    uint64_t vcn = ntx_attr_lowest_vcn(a);
    for (unsigned n = 0; n < 8192; n++) {
        ntx_run run;
        ntx_err rc = ntx_mp_next(vol, a, &st, &run, MFT_NO);
        if (rc == NTX_END) {
            fz_check(vcn == ntx_attr_vcn_end(a));
            break;
        }
        if (rc != NTX_OK)
            break;
        fz_check(run.vcn == vcn && run.len != 0);
        fz_check(run.lcn == NTX_LCN_HOLE ||
                 (run.lcn < vol->geo.cluster_count && run.len <= vol->geo.cluster_count - run.lcn));
        vcn += run.len;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t sizes[4] = { 1024, 4096, 512, 2048 };
    if (size < 1)
        return 0;
    uint32_t rs = sizes[data[0] & 3u];
    unsigned cs = 9u + ((data[0] >> 2) & 7u);
    uint8_t *rec = calloc(1, rs);
    memcpy(rec, data + 1, size - 1 < rs ? size - 1 : rs);

    static ntx_volume vol;
    fz_dev dev = { NULL, 0, (uint64_t)1 << 32, 0 };
    fz_fake_volume(&vol, &dev, cs, rs, ((uint64_t)1 << 32) >> cs);
    ntx_err rc = ntx_record_check(&vol, rec, MFT_NO);
    if (rc != NTX_OK) {
        fz_check(rc == NTX_E_CORRUPT || rc == NTX_E_CORRUPT || rc == NTX_E_CORRUPT);
        fz_check(vol.diag.err == rc && vol.diag.check != NTX_CHK_NONE && vol.diag.mft_no == MFT_NO);
        free(rec);
        return 0;
    }

    uint32_t in_use = ntx_rec_in_use(rec);
    fz_check(in_use <= rs);
    uint32_t off = 0, prev = 0;
    const uint8_t *a;
    for (unsigned n = 0; (a = ntx_rec_next_attr(rec, &off)) != NULL; n++) {
        fz_check(n < rs / 0x18);
        fz_check(off > prev && off + ntx_attr_length(a) <= in_use);
        prev = off;
        uint32_t type = ntx_attr_type(a), o2;
        fz_check(ntx_rec_attr_at(rec, off, type) == a);
        fz_check(ntx_rec_find_instance(rec, type, ntx_attr_instance(a), &o2) != NULL);
        touch(ntx_attr_name(a), 2u * ntx_attr_name_len(a));
        if (!ntx_attr_is_resident(a)) {
            fz_check(ntx_attr_mp_offset(a) <= ntx_attr_length(a));
            decode_runs(&vol, a);
            if (type == NTX_AT_ATTRIBUTE_LIST)
                decode_alist(&vol, a);
            continue;
        }
        ntx_span v = ntx_attr_value(a);
        fz_check(v.p >= a && v.p + v.len <= a + ntx_attr_length(a));
        touch(v.p, v.len);
        ntx_check chk;
        switch (type) {
        case NTX_AT_STANDARD_INFORMATION: {
            ntx_stat st;
            ntx_stdinfo_to_stat(v, &st, &chk);
            break;
        }
        case NTX_AT_FILE_NAME:
            if (ntx_filename_check(v.p, v.len, &chk) == NTX_OK) {
                ntx_dirent d;
                char out[3 * 255 + 1];
                size_t len;
                ntx_filename_to_dirent(v.p, &d);
                fz_check(0x42u + 2u * d.name_len <= v.len);
                ntx_utf16le_to_utf8(v.p + 0x42, d.name_len, out, sizeof out, &len, NTX_UTF16_WTF8);
            }
            break;
        case NTX_AT_ATTRIBUTE_LIST:
            decode_alist(&vol, a);
            break;
        case NTX_AT_INDEX_ROOT:
            decode_index_root(&vol, v);
            break;
        default:
            fz_parse_value(type, NULL, 0, v.p, v.len);
            break;
        }
    }
    static const uint16_t i30[4] = { '$', 'I', '3', '0' };
    ntx_rec_find_attr(rec, NTX_AT_INDEX_ROOT, i30, 4, &off);
    ntx_rec_find_attr(rec, NTX_AT_DATA, NULL, 0, &off);
    free(rec);
    return 0;
}
