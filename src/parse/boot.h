/*
 * boot.h - the NTFS boot sector ($Boot, first sector of the volume) (private header).
 */
#ifndef NTX_BOOT_H
#define NTX_BOOT_H

#include "../base/bytes.h"
#include "ntx/volume.h"

/*
 * Parse and check a boot sector held in sec (len bytes, at least 512).
 * dev_size is the device size from the volume start, or 0 if unknown.
 * Returns NTX_OK with *geo filled (block_size untouched), or NTX_E_NOT_NTFS
 * with *check naming the failed field.
 */
ntx_err ntx_boot_parse(const uint8_t *sec, size_t len, uint64_t dev_size, ntx_geometry *geo,
                       ntx_check *check);

#endif
