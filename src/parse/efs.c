/*
 * efs.c - the $EFS logged utility stream (type 0x100, named "$EFS") that an
 * EFS-encrypted file carries: the EFSRPC metadata of MS-EFSR 2.2.2. Version 1
 * (EFS versions 1-3): 0x00 length  0x08 EFS version  0x10 EFS id (16)
 * 0x20 hash (16)  0x40 DDF offset  0x44 DRF offset. Version 2 (EFS versions
 * 4-5): 0x10 EFS id  0x20 DDF offset  0x24 DRF offset. Each offset (0 when
 * absent) points at a key list that starts with its entry count (u32): the
 * data decryption fields (users) and data recovery fields (agents). The
 * entries themselves hold encrypted keys ntx has no use for.
 */
#include "../base/bytes.h"
#include "../base/mem.h"
#include "ntx/forensic.h"

enum {
    EFS_LENGTH = 0x00,
    EFS_VERSION = 0x08,
    EFS_V1_DDF = 0x40,
    EFS_V1_DRF = 0x44,
    EFS_V1_HEADER = 0x54,
    EFS_V2_DDF = 0x20,
    EFS_V2_DRF = 0x24,
    EFS_V2_HEADER = 0x28,
};

/* The entry count of the key list at off, 0 when absent. */
static bool efs_key_count(const uint8_t *p, size_t len, uint32_t off, uint32_t header,
                          uint32_t *count)
{
    *count = 0;
    if (off == 0)
        return true;
    if (off < header || off > len || len - off < 4)
        return false;
    *count = ntx_le32(p + off);
    return true;
}

ntx_err ntx_efs_parse(const void *value, size_t len, ntx_efs_info *out)
{
    const uint8_t *p = value;
    if (value == NULL || out == NULL)
        return NTX_E_ARG;
    if (len < EFS_V2_HEADER)
        return NTX_E_CORRUPT;
    ntx_mem_zero(out, sizeof *out);
    out->length = ntx_le32(p + EFS_LENGTH);
    out->version = ntx_le32(p + EFS_VERSION);
    uint32_t header;
    if (out->version >= 4) {
        header = EFS_V2_HEADER;
        out->ddf_off = ntx_le32(p + EFS_V2_DDF);
        out->drf_off = ntx_le32(p + EFS_V2_DRF);
    } else {
        if (len < EFS_V1_HEADER)
            return NTX_E_CORRUPT;
        header = EFS_V1_HEADER;
        out->ddf_off = ntx_le32(p + EFS_V1_DDF);
        out->drf_off = ntx_le32(p + EFS_V1_DRF);
    }
    if (out->length > len || !efs_key_count(p, len, out->ddf_off, header, &out->ddf_count) ||
        !efs_key_count(p, len, out->drf_off, header, &out->drf_count))
        return NTX_E_CORRUPT;
    return NTX_OK;
}
