/*
 * errmap.c - ntx_err to errno: the one table every operation goes through.
 *
 * Corrupt structures are EIO (as a disk error would be) and are logged with
 * the core's diagnostic (which check failed, in which record, at which
 * offset), so a user can tell a damaged image from a bug.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "ntxfs.h"

int ntxfs_errno(ntx_err rc)
{
    switch (rc) {
    case NTX_OK:
    case NTX_END:
        return 0;
    case NTX_E_NOT_FOUND:
        return ENOENT;
    case NTX_E_NOT_DIR:
        return ENOTDIR;
    case NTX_E_IS_DIR:
        return EISDIR;
    case NTX_E_NAME_TOO_LONG:
        return ENAMETOOLONG;
    case NTX_E_NAME:
        return EILSEQ;
    case NTX_E_UNSUPPORTED:
        return EOPNOTSUPP;
    case NTX_E_BUFFER:
        return ERANGE;
    case NTX_E_STALE:
        return ESTALE;
    case NTX_E_ARG:
        return EINVAL;
    case NTX_E_WORKSPACE:
        return ENOMEM;
    case NTX_E_IO:
    case NTX_E_NOT_NTFS:
    case NTX_E_CORRUPT: /* which check failed goes to the log */
    case NTX_E_RANGE:
    case NTX_E_LIMIT:
    case NTX_E_CONFIG:
    case NTX_E_EXTERNAL: /* data stored outside the file: the log says where */
        return EIO;
    }
    return EIO;
}

/* Where NTX_E_EXTERNAL says a file's data is (its check). */
static const char *external_place(unsigned check)
{
    switch (check) {
    case NTX_CHK_EXTERNAL_WIM:
        return "in a WIM file (WIMBoot: WOF's WIM provider)";
    case NTX_CHK_EXTERNAL_DEDUP:
        return "in the Data Deduplication chunk store";
    case NTX_CHK_EXTERNAL_CLOUD:
        return "with a cloud files provider (a OneDrive-style placeholder)";
    case NTX_CHK_EXTERNAL_HSM:
        return "on Hierarchical Storage Management (offline) storage";
    default:
        return "elsewhere";
    }
}

/* Only real failures (EIO: a damaged image, data kept elsewhere, or a
 * bug) are logged; ENOENT, ENOTDIR... are answers. */
void ntxfs_log_core(const char *what, ntx_err rc)
{
    if (rc == NTX_E_NOT_FOUND || ntxfs_errno(rc) != EIO)
        return;
    const ntx_diag *d = &g.vol.diag;
    if (rc == NTX_E_EXTERNAL) {
        /* not damage: the volume holds a stub, the bytes are elsewhere */
        fuse_log(FUSE_LOG_ERR,
                 NTXFS_NAME ": %s: MFT record %" PRIu64 ": %s, %s (reparse tag 0x%08" PRIx64
                            "): not readable from this image (EIO)\n",
                 what, d->mft_no, ntx_strerror(rc), external_place(d->check), d->offset);
        return;
    }
    /* a failed read of a container: its library's words (ntx_host) */
    const char *io = rc == NTX_E_IO ? ntx_host_last_read_error(g.host) : "";
    fuse_log(FUSE_LOG_ERR,
             NTXFS_NAME ": %s: %s (check %u, MFT record %" PRIu64 ", offset %" PRIu64
                        ", I/O status %d)%s%s\n",
             what, ntx_strerror(rc), (unsigned)d->check, d->mft_no, d->offset, d->io_status,
             io[0] != 0 ? ": " : "", io);
}

int ntxfs_core_fail(const char *what, ntx_err rc)
{
    ntxfs_log_core(what, rc);
    return -ntxfs_errno(rc);
}
