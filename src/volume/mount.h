/*
 * mount.h - what the two ways of mounting share: a volume through its boot
 * sector (volume.c) and a copy of $MFT alone (mftfile.c) (private header).
 */
#ifndef NTX_MOUNT_H
#define NTX_MOUNT_H

#include "ntx/volume.h"

/*
 * With vol->io and vol->geo filled and ws holding at least
 * ntx_workspace_size(&vol->geo) bytes: the mount generation, the geometry
 * shifts, the workspace carve-up and empty caches. Reads nothing.
 */
void ntx_volume_setup(ntx_volume *vol, void *ws);

#endif
