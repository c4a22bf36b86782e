/*
 * upcase.h - $UpCase and the file name collation of $I30 indexes (private header).
 */
#ifndef NTX_UPCASE_H
#define NTX_UPCASE_H

#include "../base/bytes.h"
#include "ntx/volume.h"

/* Remember where $UpCase (record 10) lies; called at mount (builds with
 * NTX_WITH_UPCASE only). */
ntx_err ntx_upcase_setup(ntx_volume *vol);

/* The volume's upper case of c. */
ntx_err ntx_upcase(ntx_volume *vol, uint16_t c, uint16_t *up);

/*
 * Compare query q (qn host-order units) with on-disk name d (dn UTF-16LE
 * units) in the order of $I30 indexes: through $UpCase first (see
 * NTX_WITH_UPCASE: without it, NTX_E_UNSUPPORTED for a non-ASCII q), then, when
 * exact is true and the names are equal ignoring case, by raw code units
 * (ntfs-3g ntfs_names_full_collate). *cmp < 0, 0 or > 0 as q sorts before,
 * equal to or after d.
 */
ntx_err ntx_collate_names(ntx_volume *vol, const uint16_t *q, size_t qn, const uint8_t *d,
                          size_t dn, bool exact, int *cmp);

#endif
