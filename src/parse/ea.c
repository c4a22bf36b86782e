/*
 * ea.c - $EA (type 0xE0): a file's OS/2-style extended attributes, the
 * store behind WSL metadata ($LXUID, $LXGID, $LXMOD, ...) and ntfs-3g's
 * "xattr" mapping (ntfs-3g layout.h EA_ATTR; libfsntfs "Extended attribute").
 *
 * Entry: 0x00 offset of the next entry (u32, from this entry)  0x04 flags
 *   (u8, 0x80 = NEED_EA)  0x05 name length (u8)  0x06 value length (u16)
 *   0x08 name (ASCII, then a NUL)  then the value.
 * The last entry's next offset is 0 or points past the value. Each entry
 * must advance (a zero next offset looped other parsers: R42).
 */
#include "../base/bytes.h"
#include "ntx/forensic.h"

enum {
    EA_NEXT = 0x00,
    EA_FLAGS = 0x04,
    EA_NAME_LENGTH = 0x05,
    EA_VALUE_LENGTH = 0x06,
    EA_NAME = 0x08
};

ntx_err ntx_ea_next(const void *value, size_t len, size_t *pos, ntx_ea *ea)
{
    const uint8_t *p = value;
    if (value == NULL || pos == NULL || ea == NULL)
        return NTX_E_ARG;
    size_t at = *pos;
    if (at >= len)
        return NTX_END;
    if (len - at < EA_NAME)
        return NTX_E_CORRUPT;
    const uint8_t *e = p + at;
    uint32_t next = ntx_le32(e + EA_NEXT);
    size_t name_len = e[EA_NAME_LENGTH], value_len = ntx_le16(e + EA_VALUE_LENGTH);
    /* name, its NUL, then the value: all inside the attribute value */
    size_t need = EA_NAME + name_len + 1u + value_len;
    if (need > len - at || (next != 0 && next < need) || (next != 0 && next > len - at))
        return NTX_E_CORRUPT;
    ea->flags = e[EA_FLAGS];
    ea->name_len = (uint8_t)name_len;
    ea->value_len = (uint16_t)value_len;
    ea->name = (const char *)(e + EA_NAME);
    ea->value = e + EA_NAME + name_len + 1u;
    *pos = next == 0 ? len : at + next;
    return NTX_OK;
}
