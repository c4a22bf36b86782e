/*
 * runlist.h - mapping pairs: the compressed runlist of a non-resident
 * attribute extent (private header).
 */
#ifndef NTX_RUNLIST_H
#define NTX_RUNLIST_H

#include "../base/bytes.h"
#include "ntx/volume.h"

/* The decoder position, ntx_mp_state, is in ntx/volume.h: stream handles keep one. */

/* Start decoding the checked non-resident attribute a. */
void ntx_mp_begin(const uint8_t *a, ntx_mp_state *st);

/*
 * Decode the next run. Returns NTX_OK with *run; NTX_END at the terminator
 * (after checking that the runs covered exactly [lowest, highest] VCN);
 * NTX_E_CORRUPT on any inconsistency (vol->diag: record mft_no, offset of
 * the bad byte in the attribute). Zero-length sparse runs are skipped. After
 * an error *st may have moved: a caller that keeps it must start again.
 */
ntx_err ntx_mp_next(ntx_volume *vol, const uint8_t *a, ntx_mp_state *st, ntx_run *run,
                    uint64_t mft_no);

/* The run of extent a that maps vcn, decoding from the extent start. */
ntx_err ntx_mp_find(ntx_volume *vol, const uint8_t *a, uint64_t vcn, ntx_run *run,
                    uint64_t mft_no);

#endif
