/*
 * stdinfo.c - $STANDARD_INFORMATION (type 0x10; ntfs-3g layout.h
 * STANDARD_INFORMATION; libfsntfs "Standard information attribute").
 *
 *   0x00 creation  0x08 modification  0x10 MFT change  0x18 access (NT times)
 *   0x20 file attributes (u32)   -- 0x30 bytes in NTFS 1.2 --
 *   0x30 owner id (u32)  0x34 security id (u32)  0x38 quota charged (u64)
 *   0x40 update sequence number (u64)   -- 0x48 bytes in NTFS 3.x --
 * The 3.x fields are read only when present (R38: a short value is not
 * padded with the bytes that follow it).
 */
#include "stdinfo.h"

enum {
    SI_TIMES = 0x00,
    SI_FILE_ATTRIBUTES = 0x20,
    SI_V1_SIZE = 0x30,
    SI_OWNER_ID = 0x30,
    SI_SECURITY_ID = 0x34,
    SI_USN = 0x40,
    SI_V3_SIZE = 0x48,
};

ntx_err ntx_stdinfo_parse(ntx_span v, ntx_stat *st, ntx_check *check)
{
    if (v.len < SI_V1_SIZE) {
        *check = NTX_CHK_STD_INFO;
        return NTX_E_ATTR;
    }
    for (unsigned i = 0; i < 4; i++)
        st->si_times[i] = ntx_le64(v.p + SI_TIMES + 8 * i);
    st->dos_attrs = ntx_le32(v.p + SI_FILE_ATTRIBUTES);
    if (v.len >= SI_V3_SIZE) {
        st->owner_id = ntx_le32(v.p + SI_OWNER_ID);
        st->security_id = ntx_le32(v.p + SI_SECURITY_ID);
        st->usn = ntx_le64(v.p + SI_USN);
    }
    return NTX_OK;
}
