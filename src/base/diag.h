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
#if defined(NTX_MEASURE_UNCHECKED)
/* Never a build to run: examples/firmware/footprint.sh alone defines it, to
 * measure what the checks of on-disk data cost. A failure that only corrupt
 * or hostile metadata can cause becomes unreachable, so the compiler drops
 * every check that leads to one; the size saved is a lower bound of the
 * checks' cost (checks answering their error without ntx_fail() stay). With
 * NTX_WITH_DIAG the recording of diagnostics goes too: it serves the checks. */
#define NTX_CORRUPTION_(e)                                                                        \
    ((e) == NTX_E_FIXUP || (e) == NTX_E_RECORD || (e) == NTX_E_ATTR || (e) == NTX_E_RUNLIST ||    \
     (e) == NTX_E_INDEX || (e) == NTX_E_ATTRLIST || (e) == NTX_E_LOOP || (e) == NTX_E_LIMIT ||    \
     (e) == NTX_E_COMPRESSION || (e) == NTX_E_RANGE || (e) == NTX_E_REPARSE ||                   \
     (e) == NTX_E_NAME)
#define ntx_fail(vol, err, check, mft_no, offset)                                                 \
    ((void)(vol), (void)(check), (void)(mft_no), (void)(offset),                                 \
     NTX_CORRUPTION_(err) ? (__builtin_unreachable(), (ntx_err)(err)) : (ntx_err)(err))
#elif NTX_WITH_DIAG
ntx_err ntx_fail(ntx_volume *vol, ntx_err err, ntx_check check, uint64_t mft_no, uint64_t offset);
#else /* config.h: a build without diagnostics returns the code alone */
#define ntx_fail(vol, err, check, mft_no, offset)                                                 \
    ((void)(vol), (void)(check), (void)(mft_no), (void)(offset), (ntx_err)(err))
#endif

/*
 * A validator's failure (ntx_attr_check(), ntx_fixup_apply(),
 * ntx_filename_check()): it reports the failed check to its caller, which
 * records it with ntx_fail(). Unreachable in the measuring build as ntx_fail()
 * is, so that build drops these checks too.
 */
#if defined(NTX_MEASURE_UNCHECKED)
#define ntx_invalid(check, which, err)                                                            \
    (NTX_CORRUPTION_(err) ? (__builtin_unreachable(), (ntx_err)(err))                              \
                          : (*(check) = (which), (ntx_err)(err)))
#else
#define ntx_invalid(check, which, err) (*(check) = (which), (ntx_err)(err))
#endif

#endif
