/*
 * wof.c - the reparse data of the Windows Overlay Filter, and the tags that
 * put a file's data elsewhere (MS-FSCC 2.1.2.1 reparse tags; the WOF
 * structures as ntfs-3g's system compression plugin and the Linux ntfs3
 * driver read them).
 *
 * Reparse value: 0x00 tag (u32)  0x04 data length (u16)  0x06 reserved
 * WOF_EXTERNAL_INFO:              0x08 version (u32, 1)  0x0C provider (u32:
 *                                 1 WIM, 2 file)
 * FILE_PROVIDER_EXTERNAL_INFO_V1: 0x10 version (u32, 1)  0x14 algorithm
 *                                 (u32: 0 XPRESS 4K, 1 LZX, 2 XPRESS 8K,
 *                                 3 XPRESS 16K)
 * With the file provider the data is in the named stream WofCompressedData
 * (its layout: value/wof.c); with the WIM provider (WIMBoot) in a WIM file
 * elsewhere on the system. Data Deduplication, cloud placeholders and
 * Hierarchical Storage Management keep it outside the volume too: the
 * unnamed $DATA is then sparse or a stub, and reading it would give zeros.
 */
#include "wof.h"

#include "../base/diag.h"
#include "ntx/file.h"

enum {
    RP_TAG = 0x00,
    WOF_VERSION = 0x08,
    WOF_PROVIDER = 0x0C,
    FILE_VERSION = 0x10,
    FILE_ALGORITHM = 0x14,
};

#define WOF_PROVIDER_WIM 1u
#define WOF_PROVIDER_FILE 2u

/* Chunk sizes (log2) by algorithm: XPRESS 4K, LZX 32K, XPRESS 8K, XPRESS 16K. */
static const uint8_t wof_chunk_shift[4] = { 12, 15, 13, 14 };

static ntx_err wof_external(ntx_data_place *place, ntx_check where)
{
    place->form = NTX_DATA_EXTERNAL;
    place->external = (uint16_t)where;
    return NTX_OK;
}

ntx_err ntx_data_place_parse(const uint8_t *value, size_t len, ntx_data_place *place,
                             ntx_check *check)
{
    place->form = NTX_DATA_PLAIN;
    place->algorithm = 0;
    place->chunk_shift = 0;
    place->external = NTX_CHK_NONE;
    if (len < 4)
        return NTX_OK; /* no tag: the caller's reparse checks say what that is */
    uint32_t tag = ntx_le32(value + RP_TAG);
    if (tag == NTX_REPARSE_DEDUP)
        return wof_external(place, NTX_CHK_EXTERNAL_DEDUP);
    if (NTX_REPARSE_IS_CLOUD(tag))
        return wof_external(place, NTX_CHK_EXTERNAL_CLOUD);
    if (tag == NTX_REPARSE_HSM || tag == NTX_REPARSE_HSM2)
        return wof_external(place, NTX_CHK_EXTERNAL_HSM);
    if (tag != NTX_REPARSE_WOF)
        return NTX_OK;

    if (len < FILE_VERSION || ntx_le32(value + WOF_VERSION) != 1u)
        return ntx_invalid(check, NTX_CHK_WOF_REPARSE, NTX_E_CORRUPT);
    uint32_t provider = ntx_le32(value + WOF_PROVIDER);
    if (provider == WOF_PROVIDER_WIM)
        return wof_external(place, NTX_CHK_EXTERNAL_WIM);
    if (provider != WOF_PROVIDER_FILE)
        return NTX_E_UNSUPPORTED;
    if (len < NTX_WOF_REPARSE_BYTES || ntx_le32(value + FILE_VERSION) != 1u)
        return ntx_invalid(check, NTX_CHK_WOF_REPARSE, NTX_E_CORRUPT);
    uint32_t algorithm = ntx_le32(value + FILE_ALGORITHM);
    if (algorithm > NTX_WOF_XPRESS16K)
        return NTX_E_UNSUPPORTED;
    place->form = NTX_DATA_WOF;
    place->algorithm = (uint8_t)algorithm;
    place->chunk_shift = wof_chunk_shift[algorithm];
    return NTX_OK;
}
