/*
 * device.h - block-aligned reads of volume bytes through the caller's callback
 * (private header).
 */
#ifndef NTX_DEVICE_H
#define NTX_DEVICE_H

#include "../base/bytes.h"
#include "ntx/volume.h"

/*
 * Read len bytes at volume byte offset off into buf. Whole device blocks go
 * straight into buf in one callback call; a partial first or last block goes
 * through the volume's bounce block (which stays cached). Fails with
 * NTX_E_RANGE past the end of the volume and NTX_E_IO when the callback fails;
 * on a copy of $MFT mounted alone, always with NTX_E_EXTERNAL
 * (NTX_CHK_EXTERNAL_VOLUME): the volume's clusters are not there.
 */
ntx_err ntx_dev_read(ntx_volume *vol, uint64_t off, void *buf, size_t len);

/*
 * Read len bytes at byte offset off of a copy of $MFT mounted alone
 * (ntx_volume_mount_mft(): the device is that file, io.size bytes long),
 * where ntx_dev_read() refuses every read with NTX_E_EXTERNAL. For the
 * record reader only.
 */
ntx_err ntx_dev_read_mft_file(ntx_volume *vol, uint64_t off, void *buf, size_t len); /* NTX_WITH_MFT_FILE */

/* Read one whole device block at block-aligned offset off into the bounce
 * buffer (unless it is already there) and return it. */
ntx_err ntx_dev_block(ntx_volume *vol, uint64_t off, const uint8_t **block);

/* Forget the cached bounce block (inline: a call costs more than the store). */
NTX_INLINE void ntx_dev_forget(ntx_volume *vol)
{
    vol->bounce_off = UINT64_MAX;
}

#endif
