/*
 * attrlist.c - $ATTRIBUTE_LIST entries (type 0x20): where a file's
 * attributes live when they do not fit in its base record (ntfs-3g layout.h
 * ATTR_LIST_ENTRY; libfsntfs "Attribute list").
 *
 * Entry layout:
 *   0x00 type (u32)  0x04 entry length (u16, 8-aligned)  0x06 name length (u8)
 *   0x07 name offset (u8)  0x08 lowest VCN (u64)  0x10 MFT reference of the
 *   record holding the attribute (u64)  0x18 attribute instance (u16)
 *   0x1A name (UTF-16LE)
 */
#include "attrlist.h"

#include "../base/diag.h"

enum {
    AL_TYPE = 0x00,
    AL_LENGTH = 0x04,
    AL_NAME_LENGTH = 0x06,
    AL_NAME_OFFSET = 0x07,
    AL_LOWEST_VCN = 0x08,
    AL_MFT_REF = 0x10,
    AL_INSTANCE = 0x18,
    AL_HEADER = 0x1A,
};

ntx_err ntx_alist_entry_parse(const uint8_t *p, uint32_t avail, ntx_alist_entry *e,
                              const uint8_t **name, ntx_check *check)
{
    if (avail < AL_HEADER)
        return ntx_invalid(check, NTX_CHK_ALIST_ENTRY, NTX_E_CORRUPT);
    uint32_t len = ntx_le16(p + AL_LENGTH);
    uint32_t name_len = p[AL_NAME_LENGTH];
    uint32_t name_off = p[AL_NAME_OFFSET];
    /* A zero or short length loops or overlaps (CVE-2021-39258). */
    if (len < AL_HEADER || (len & 7u) != 0 || len > avail || len > NTX_ALIST_MAX_ENTRY ||
        (name_len != 0 && (name_off < AL_HEADER || name_off + 2u * name_len > len)))
        return ntx_invalid(check, NTX_CHK_ALIST_ENTRY, NTX_E_CORRUPT);

    e->type = ntx_le32(p + AL_TYPE);
    e->length = (uint16_t)len;
    e->name_len = (uint8_t)name_len;
    e->lowest_vcn = ntx_le64(p + AL_LOWEST_VCN);
    e->ref = ntx_le64(p + AL_MFT_REF);
    e->instance = ntx_le16(p + AL_INSTANCE);
    *name = p + name_off;
    return NTX_OK;
}
