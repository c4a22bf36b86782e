/*
 * stdinfo.c - $STANDARD_INFORMATION (type 0x10; ntfs-3g layout.h
 * STANDARD_INFORMATION; libfsntfs "Standard information attribute") and
 * $OBJECT_ID (type 0x40; layout.h OBJECT_ID_ATTR).
 *
 * $STANDARD_INFORMATION:
 *   0x00 creation  0x08 modification  0x10 MFT change  0x18 access (NT times)
 *   0x20 file attributes (u32)  0x24 maximum versions  0x28 version
 *   0x2C class id               -- 0x30 bytes in NTFS 1.2 --
 *   0x30 owner id (u32)  0x34 security id (u32)  0x38 quota charged (u64)
 *   0x40 update sequence number (u64)   -- 0x48 bytes in NTFS 3.x --
 * The 3.x fields are read only when present (R38: a short value is not
 * padded with the bytes that follow it).
 * $OBJECT_ID: the object GUID, optionally followed by the birth volume,
 * birth object and domain GUIDs (16 or 64 bytes).
 */
#include "stdinfo.h"

#include "../base/mem.h"
#include "ntx/forensic.h"

enum {
    SI_TIMES = 0x00,
    SI_FILE_ATTRIBUTES = 0x20,
    SI_MAX_VERSIONS = 0x24,
    SI_VERSION = 0x28,
    SI_CLASS_ID = 0x2C,
    SI_V1_SIZE = 0x30,
    SI_OWNER_ID = 0x30,
    SI_SECURITY_ID = 0x34,
    SI_QUOTA = 0x38,
    SI_USN = 0x40,
    SI_V3_SIZE = 0x48,
    OBJID_SHORT = 16,
    OBJID_LONG = 64,
};

ntx_err ntx_std_info_parse(const void *value, size_t len, ntx_std_info *out)
{
    const uint8_t *p = value;
    if (value == NULL || out == NULL)
        return NTX_E_ARG;
    if (len < SI_V1_SIZE)
        return NTX_E_CORRUPT;
    ntx_mem_zero(out, sizeof *out);
    for (unsigned i = 0; i < 4; i++)
        out->times[i] = ntx_le64(p + SI_TIMES + 8 * i);
    out->file_attrs = ntx_le32(p + SI_FILE_ATTRIBUTES);
    out->max_versions = ntx_le32(p + SI_MAX_VERSIONS);
    out->version = ntx_le32(p + SI_VERSION);
    out->class_id = ntx_le32(p + SI_CLASS_ID);
    if (len >= SI_V3_SIZE) {
        out->v3 = true;
        out->owner_id = ntx_le32(p + SI_OWNER_ID);
        out->security_id = ntx_le32(p + SI_SECURITY_ID);
        out->quota_charged = ntx_le64(p + SI_QUOTA);
        out->usn = ntx_le64(p + SI_USN);
    }
    return NTX_OK;
}

ntx_err ntx_stdinfo_to_stat(ntx_span v, ntx_stat *st, ntx_check *check)
{
    ntx_std_info si;
    if (ntx_std_info_parse(v.p, v.len, &si) != NTX_OK) {
        *check = NTX_CHK_STD_INFO;
        return NTX_E_CORRUPT;
    }
    for (unsigned i = 0; i < 4; i++)
        st->si_times[i] = si.times[i];
    st->dos_attrs = si.file_attrs;
    st->owner_id = si.owner_id;
    st->security_id = si.security_id;
    st->usn = si.usn;
    return NTX_OK;
}

ntx_err ntx_stdinfo_file_attrs(ntx_span v, uint32_t *attrs)
{
    if (v.len < SI_V1_SIZE)
        return NTX_E_CORRUPT;
    *attrs = ntx_le32(v.p + SI_FILE_ATTRIBUTES);
    return NTX_OK;
}

ntx_err ntx_object_id_parse(const void *value, size_t len, ntx_object_id *out)
{
    const uint8_t *p = value;
    if (value == NULL || out == NULL)
        return NTX_E_ARG;
    if (len != OBJID_SHORT && len != OBJID_LONG)
        return NTX_E_CORRUPT;
    ntx_mem_zero(out, sizeof *out);
    ntx_mem_copy(out->object_id, p, 16);
    if (len == OBJID_LONG) {
        out->extended = true;
        ntx_mem_copy(out->birth_volume_id, p + 16, 16);
        ntx_mem_copy(out->birth_object_id, p + 32, 16);
        ntx_mem_copy(out->domain_id, p + 48, 16);
    }
    return NTX_OK;
}
