/*
 * fixup.c - update sequence array (USA) of FILE and INDX records.
 *
 * A multi-sector record stores, at usa_ofs (header offset 0x04, u16), an
 * array of usa_count (0x06, u16) words: the update sequence number (USN)
 * followed by one saved word per 512-byte stride. On disk the last two bytes
 * of every stride hold the USN instead; a stride whose tail differs was torn
 * by an interrupted write. The stride is 512 bytes whatever the sector size
 * (libfsntfs "Fix-up values"; ntfs-3g is_valid_record; sleuthkit/sleuthkit#701).
 */
#include "fixup.h"

#include "../base/diag.h"

/* Header fields shared by FILE and INDX records (the multi-sector header). */
enum { USA_OFS = 0x04, USA_COUNT = 0x06 };

ntx_err ntx_fixup_apply(uint8_t *buf, size_t size, ntx_check *check)
{
    size_t usa_ofs = ntx_le16(buf + USA_OFS);
    size_t usa_count = ntx_le16(buf + USA_COUNT);
    size_t strides = size / NTX_FIXUP_STRIDE;

    /* ntfs-3g's rule: even offset, one word per stride plus the USN, and the
     * whole array before the first stride's tail (CVE-2021-46790). */
    if (size == 0 || size % NTX_FIXUP_STRIDE != 0 || (usa_ofs & 1u) != 0 || usa_ofs < 8 ||
        usa_count != strides + 1 || usa_ofs + 2 * usa_count > NTX_FIXUP_STRIDE - 2) {
        return ntx_invalid(check, NTX_CHK_FIXUP_HEADER, NTX_E_CORRUPT);
    }

    const uint8_t *usa = buf + usa_ofs;
    for (size_t i = 0; i < strides; i++) { /* bound: strides <= size / 512 */
        const uint8_t *tail = buf + (i + 1) * NTX_FIXUP_STRIDE - 2;
        if (tail[0] != usa[0] || tail[1] != usa[1])
            return ntx_invalid(check, NTX_CHK_FIXUP_MISMATCH, NTX_E_CORRUPT);
    }
    for (size_t i = 0; i < strides; i++) {
        uint8_t *tail = buf + (i + 1) * NTX_FIXUP_STRIDE - 2;
        tail[0] = usa[2 + 2 * i];
        tail[1] = usa[3 + 2 * i];
    }
    *check = NTX_CHK_NONE;
    return NTX_OK;
}
