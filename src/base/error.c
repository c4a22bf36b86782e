/*
 * error.c - result code texts and the diagnostic record.
 */
#include "diag.h"

#if NTX_WITH_DIAG /* config.h */
ntx_err ntx_fail(ntx_volume *vol, ntx_err err, ntx_check check, uint64_t mft_no, uint64_t offset)
{
    vol->diag.err = err;
    vol->diag.check = (uint16_t)check;
    vol->diag.mft_no = mft_no;
    vol->diag.offset = offset;
    return err;
}
#endif

const char *ntx_strerror(ntx_err err)
{
#if !NTX_WITH_STRERROR /* config.h: no texts in this build */
    return err == NTX_OK ? "success" : "ntx error";
#endif
    switch (err) {
    case NTX_OK: return "success";
    case NTX_END: return "end of iteration";
    case NTX_E_IO: return "I/O error";
    case NTX_E_NOT_NTFS: return "not an NTFS volume (bad boot sector)";
    case NTX_E_CORRUPT: return "corrupt metadata";
    case NTX_E_RANGE: return "past the end of the device (truncated image?)";
    case NTX_E_UNSUPPORTED: return "unsupported feature";
    case NTX_E_NOT_FOUND: return "not found";
    case NTX_E_NOT_DIR: return "not a directory";
    case NTX_E_IS_DIR: return "is a directory";
    case NTX_E_NAME_TOO_LONG: return "name too long";
    case NTX_E_NAME: return "invalid name encoding";
    case NTX_E_LIMIT: return "work limit reached (metadata loop?)";
    case NTX_E_BUFFER: return "output buffer too small";
    case NTX_E_WORKSPACE: return "workspace too small";
    case NTX_E_ARG: return "bad argument";
    case NTX_E_STALE: return "stale handle or reference";
    case NTX_E_CONFIG: return "built with other configuration values than the library";
    case NTX_E_EXTERNAL: return "data stored outside this file";
    }
    return "unknown error";
}
