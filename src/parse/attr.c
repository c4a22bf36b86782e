/*
 * attr.c - the attribute record header (ATTR_RECORD in ntfs-3g layout.h;
 * libfsntfs "MFT attribute").
 *
 *   0x00 type (u32)  0x04 length (u32)  0x08 non-resident (u8)
 *   0x09 name length in UTF-16 units (u8)  0x0A name offset (u16)
 *   0x0C flags (u16: 0x0001 compressed, 0x4000 encrypted, 0x8000 sparse)
 *   0x0E instance (u16)
 * resident:     0x10 value length (u32)  0x14 value offset (u16)
 * non-resident: 0x10 lowest VCN  0x18 highest VCN  0x20 mapping pairs
 *   offset (u16)  0x22 compression unit (u8, log2 clusters)  0x28 allocated
 *   size  0x30 data size  0x38 initialized size  [0x40 compressed size]
 *
 * Every check a later accessor relies on is made here, once, when the record
 * is loaded.
 */
#include "attr.h"

#include "../base/diag.h"
#include "ntx/file.h"

static ntx_err attr_bad(ntx_check *check, ntx_check which)
{
    return ntx_invalid(check, which, NTX_E_CORRUPT);
}

static ntx_err attr_check_nonresident(const uint8_t *a, uint32_t len, unsigned cluster_shift,
                                      ntx_check *check)
{
    if (len < ATTR_NONRESIDENT_HEADER)
        return attr_bad(check, NTX_CHK_ATTR_NONRES_HEADER);

    uint32_t mp = ntx_le16(a + ATTR_MAPPING_PAIRS_OFFSET);
    if (mp < ATTR_NONRESIDENT_HEADER || mp > len)
        return attr_bad(check, NTX_CHK_ATTR_NONRES_HEADER);

    uint64_t lowest = ntx_le64(a + ATTR_LOWEST_VCN);
    uint64_t highest = ntx_le64(a + ATTR_HIGHEST_VCN);
    /* VCNs whose byte offset would not fit in 63 bits cannot describe real
     * data; refusing them keeps every later (vcn + 1) << cluster_shift in
     * range. highest may be -1 for an empty extent: lowest <= highest + 1 (R15). */
    uint64_t max_vcn = ((uint64_t)1 << (63u - cluster_shift)) - 1u;
    if (lowest > max_vcn || (highest != UINT64_MAX && highest >= max_vcn) ||
        (highest != UINT64_MAX && lowest > highest + 1u) || (highest == UINT64_MAX && lowest != 0))
        return attr_bad(check, NTX_CHK_ATTR_NONRES_HEADER);

    if (lowest == 0) {
        /* Only the first extent carries meaningful sizes. */
        uint64_t alloc = ntx_attr_alloc_size(a);
        uint64_t data = ntx_attr_data_size(a);
        uint64_t init = ntx_attr_init_size(a);
        uint64_t mask = ((uint64_t)1 << cluster_shift) - 1u;
        if (alloc > (uint64_t)INT64_MAX || (alloc & mask) != 0 || data > alloc ||
            init > data)
            return attr_bad(check, NTX_CHK_ATTR_SIZES);
    }
    return NTX_OK;
}

ntx_err ntx_attr_check(const uint8_t *a, size_t room, unsigned cluster_shift, ntx_check *check)
{
    if (room < ATTR_RESIDENT_HEADER)
        return attr_bad(check, NTX_CHK_ATTR_LENGTH);

    uint32_t type = ntx_attr_type(a);
    uint32_t len = ntx_attr_length(a);
    /* A zero length loops forever (GRUB 272ff81c); wrap-around reads past
     * the record (CVE-2022-50841): length is at least a header, 8-aligned,
     * and inside the bytes in use. */
    if (len < ATTR_RESIDENT_HEADER || (len & 7u) != 0 || len > room)
        return attr_bad(check, NTX_CHK_ATTR_LENGTH);
    /* Types are multiples of 0x10 up to $LOGGED_UTILITY_STREAM (0x100): the
     * read-only core knows them all and ignores $AttrDef (R11, R37). */
    if (type == 0 || (type & 0xFu) != 0 || type > NTX_AT_LOGGED_UTILITY_STREAM)
        return attr_bad(check, NTX_CHK_ATTR_ORDER);

    uint8_t non_resident = a[ATTR_NON_RESIDENT];
    if (non_resident > 1)
        return attr_bad(check, NTX_CHK_ATTR_NONRES_HEADER);

    uint32_t name_len = ntx_attr_name_len(a);
    if (name_len != 0) {
        uint32_t name_off = ntx_le16(a + ATTR_NAME_OFFSET);
        uint32_t header = non_resident ? ATTR_NONRESIDENT_HEADER : ATTR_RESIDENT_HEADER;
        if (name_off < header || name_off > len || 2u * name_len > len - name_off)
            return attr_bad(check, NTX_CHK_ATTR_NAME);
    }

    if (non_resident)
        return attr_check_nonresident(a, len, cluster_shift, check);

    uint32_t value_off = ntx_le16(a + ATTR_VALUE_OFFSET);
    uint32_t value_len = ntx_le32(a + ATTR_VALUE_LENGTH);
    /* The offset is a u16 (reading it as u32 was CVE-2023-4693's cousin). */
    if (value_off > len || value_len > len - value_off ||
        (value_len != 0 && value_off < ATTR_RESIDENT_HEADER))
        return attr_bad(check, NTX_CHK_ATTR_RESIDENT_VALUE);
    return NTX_OK;
}

bool ntx_name_equal_disk(const uint8_t *p, const uint16_t *name, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ntx_le16(p + 2 * i) != name[i])
            return false;
    return true;
}

bool ntx_attr_matches(const uint8_t *a, uint32_t type, const uint16_t *name, size_t name_len)
{
    return ntx_attr_type(a) == type && ntx_attr_name_len(a) == name_len &&
           ntx_name_equal_disk(ntx_attr_name(a), name, name_len);
}
