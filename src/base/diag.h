/*
 * diag.h - recording where a failure was detected (private header).
 */
#ifndef NTX_DIAG_H
#define NTX_DIAG_H

#include "bytes.h"
#include "ntx/volume.h"

#define NTX_NO_RECORD UINT64_MAX

/* ntx_volume.priv: mounted, or unmounted after a mount. */
#define NTX_VOLUME_LIVE 0x6E747821u
#define NTX_VOLUME_DEAD 0x6E74782Du

/* Is a handle opened under mount generation gen still valid? */
NTX_INLINE bool ntx_volume_handle_live(const ntx_volume *vol, uint32_t gen)
{
    return vol != NULL && vol->priv == NTX_VOLUME_LIVE && vol->gen == gen;
}

/* Record err with the failed check and its location in vol->diag, and return err. */
#if NTX_WITH_DIAG
ntx_err ntx_fail(ntx_volume *vol, ntx_err err, ntx_check check, uint64_t mft_no, uint64_t offset);
#else /* config.h: a build without diagnostics returns the code alone */
#define ntx_fail(vol, err, check, mft_no, offset)                                                 \
    ((void)(vol), (void)(check), (void)(mft_no), (void)(offset), (ntx_err)(err))
#endif

/*
 * A validator's failure (ntx_attr_check(), ntx_fixup_apply(),
 * ntx_filename_check()): it reports the failed check to its caller, which
 * records it with ntx_fail().
 */
#define ntx_invalid(check, which, err) (*(check) = (which), (ntx_err)(err))

#endif
