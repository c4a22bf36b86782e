/*
 * mft.h - locating MFT records: the bootstrap of $MFT from record 0, records
 * past its first extent through its attribute list, the $MFTMirr copies of
 * records 0-3, and the record cache (private header).
 */
#ifndef NTX_MFT_H
#define NTX_MFT_H

#include "../parse/record.h"
#include "ntx/file.h"

/* Was a handle opened with NTX_OPEN_DELETED (and does the build read deleted
 * files, config.h NTX_WITH_DELETED)? */
#define NTX_OPENED_DELETED(open_flags) (NTX_WITH_DELETED && ((open_flags) & NTX_OPEN_DELETED) != 0)

/*
 * Get MFT record mft_no, fixed up and checked, from the record cache. The
 * pointer stays valid until the next ntx_record_get() on this volume.
 * Records not in use are returned too (forensic access): callers check.
 */
ntx_err ntx_record_get(ntx_volume *vol, uint64_t mft_no, const uint8_t **rec);

/*
 * Get a record that must be the base record of a file, in use unless
 * allow_free (a deleted file), with sequence number seq (NTX_SEQ_ANY: any).
 */
ntx_err ntx_record_get_base(ntx_volume *vol, uint64_t mft_no, uint16_t seq, bool allow_free,
                            const uint8_t **rec);

/*
 * Get an extension record that must belong to base record base_no, and be
 * in use unless allow_free (the extensions of a deleted file are freed too).
 */
ntx_err ntx_record_get_extension(ntx_volume *vol, uint64_t ext_ref, uint64_t base_no,
                                 bool allow_free, const uint8_t **rec);

/* Mount-time bootstrap: load $MFT record 0 (or its mirror), map $MFT. */
ntx_err ntx_mft_bootstrap(ntx_volume *vol);

/* Drop every cached record. */
void ntx_record_cache_reset(ntx_volume *vol);

#endif
