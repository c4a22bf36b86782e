/*
 * record.c - MFT records ("FILE" records; ntfs-3g layout.h MFT_RECORD;
 * libfsntfs "MFT entry"): checking one record in a buffer and walking its
 * attributes. Where records come from is mft/mft.c's business.
 *
 * Header: 0x00 "FILE"  0x04 update sequence offset (u16)  0x06 its count
 *   0x10 sequence number (u16)  0x12 hard link count (u16)  0x14 offset of
 *   the first attribute (u16)  0x16 flags (u16: 1 in use, 2 directory)
 *   0x18 bytes in use (u32)  0x1A bytes allocated (u32)  0x20 base record
 *   reference (u64, 0 in a base record)
 * followed by attributes up to a 0xFFFFFFFF end marker.
 */
#include "record.h"

#include "attr.h"
#include "fixup.h"
#include "../base/diag.h"
#include "ntx/file.h"

ntx_err ntx_record_check(ntx_volume *vol, uint8_t *buf, uint64_t mft_no)
{
    const uint32_t size = vol->geo.record_size;
    ntx_check check;

    if (ntx_le32(buf + REC_MAGIC) != REC_MAGIC_FILE)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_RECORD_MAGIC, mft_no, 0);
    if (ntx_fixup_apply(buf, size, &check) != NTX_OK)
        return ntx_fail(vol, NTX_E_CORRUPT, check, mft_no, REC_USA_OFS);

    uint32_t allocated = ntx_le32(buf + REC_BYTES_ALLOCATED);
    uint32_t in_use = ntx_le32(buf + REC_BYTES_IN_USE);
    if (allocated != size || in_use > allocated || (in_use & 7u) != 0)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_RECORD_SIZES, mft_no, REC_BYTES_IN_USE);

    /* First attribute: 8-aligned, after the update sequence array, with room
     * for at least the end marker (R08). */
    uint32_t usa_end = ntx_le16(buf + REC_USA_OFS) + 2u * ntx_le16(buf + REC_USA_COUNT);
    uint32_t off = ntx_le16(buf + REC_ATTRS_OFFSET);
    if ((off & 7u) != 0 || off < usa_end || off < REC_HEADER_MIN || off > in_use - 4u ||
        in_use < 4u)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_RECORD_ATTRS_OFFSET, mft_no,
                        REC_ATTRS_OFFSET);

    /* bound: every attribute is at least 0x18 bytes and off stays below in_use */
    for (uint32_t prev_type = 0;;) {
        if (in_use - off < 4u)
            return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_ATTR_END, mft_no, off);
        uint32_t type = ntx_le32(buf + off);
        if (type == NTX_AT_END)
            return NTX_OK;
        if (ntx_attr_check(buf + off, in_use - off, vol->cluster_shift, &check) != NTX_OK)
            return ntx_fail(vol, NTX_E_CORRUPT, check, mft_no, off);
        /* NTFS keeps attributes sorted by type; ntfs-3g and ntfs3 refuse a
         * record out of order as corrupt, and so do we (R11). */
        if (type < prev_type)
            return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_ATTR_ORDER, mft_no, off);
        prev_type = type;
        off += ntx_attr_length(buf + off);
    }
}

const uint8_t *ntx_rec_next_attr(const uint8_t *rec, uint32_t *off)
{
    uint32_t o = *off == 0 ? ntx_le16(rec + REC_ATTRS_OFFSET) : *off + ntx_attr_length(rec + *off);
    if (ntx_le32(rec + o) == NTX_AT_END)
        return NULL;
    *off = o;
    return rec + o;
}

const uint8_t *ntx_rec_find_attr(const uint8_t *rec, uint32_t type, const uint16_t *name,
                                 size_t name_len, uint32_t *off)
{
    uint32_t o = 0;
    const uint8_t *a;
    /* bound: the walk of a checked record ends at AT_END */
    while ((a = ntx_rec_next_attr(rec, &o)) != NULL) {
        if (ntx_attr_matches(a, type, name, name_len)) {
            *off = o;
            return a;
        }
    }
    return NULL;
}

const uint8_t *ntx_rec_find_instance(const uint8_t *rec, uint32_t type, uint16_t instance,
                                     uint32_t *off)
{
    uint32_t o = 0;
    const uint8_t *a;
    /* bound: the walk of a checked record ends at AT_END */
    while ((a = ntx_rec_next_attr(rec, &o)) != NULL) {
        if (ntx_attr_type(a) == type && ntx_attr_instance(a) == instance) {
            *off = o;
            return a;
        }
    }
    return NULL;
}

const uint8_t *ntx_rec_attr_at(const uint8_t *rec, uint32_t off, uint32_t type)
{
    uint32_t o = 0;
    const uint8_t *a;
    /* bound: offsets grow along the walk of a checked record */
    while ((a = ntx_rec_next_attr(rec, &o)) != NULL && o <= off) {
        if (o == off)
            return ntx_attr_type(a) == type ? a : NULL;
    }
    return NULL;
}
