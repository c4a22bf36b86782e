/*
 * volume.c - one NTFS volume under the driver: reads through Disk I/O,
 * mount and remount, media changes, the lifetime of the volume's memory,
 * and EFI_SIMPLE_FILE_SYSTEM_PROTOCOL.OpenVolume().
 *
 * Media changes. A block driver for removable media (EDK2's SCSI disk and
 * USB mass storage drivers) reinstalls its Block I/O protocol when it sees
 * a new medium, and the firmware then calls Stop() and Start() on this
 * driver, from inside the read that noticed it: so Stop() may run while a
 * call of this driver is in progress on the same volume (`busy`), and the
 * core's memory is released only when that call returns. A block driver
 * that does not reinstall answers EFI_MEDIA_CHANGED (or EFI_NO_MEDIA) to
 * the read; then every handle of the old medium answers EFI_MEDIA_CHANGED,
 * and the next OpenVolume() mounts the new medium and reinstalls the Simple
 * File System protocol, so that its users (the shell's mappings, the boot
 * manager) look again, as the UEFI specification describes for OpenVolume().
 */
#include "ntxefi.h"

/* ---- the read callback ---- */

static int ntxefi_read(void *ctx, uint64_t off, void *buf, size_t len)
{
    ntxefi_dev *dev = ctx;
    if (dev->gone || dev->changed)
        return -1;
    EFI_STATUS st = dev->disk->ReadDisk(dev->disk, dev->media_id, off, len, buf);
    /* Stop() may have run during the read (a medium change reinstalls Block
     * I/O from inside it): the answer, whatever it is, is for a device this
     * volume no longer owns. */
    if (dev->gone)
        return -1;
    if (st == EFI_MEDIA_CHANGED || st == EFI_NO_MEDIA)
        dev->changed = TRUE;
    if (EFI_ERROR(st)) {
        dev->last = st;
        return -1;
    }
    return 0;
}

static BOOLEAN ntxefi_block_ok(UINT32 bs)
{
    return bs >= 512u && bs <= NTXEFI_MAX_BLOCK && (bs & (bs - 1u)) == 0;
}

static void ntxefi_io_init(ntx_io *io, ntxefi_dev *dev, const EFI_BLOCK_IO_MEDIA *m)
{
    io->read = ntxefi_read;
    io->ctx = dev;
    io->offset = 0;
    io->size = (m->LastBlock + 1u) * (UINT64)m->BlockSize;
    io->block_size = m->BlockSize;
}

EFI_STATUS ntxefi_probe(EFI_DISK_IO_PROTOCOL *disk, EFI_BLOCK_IO_PROTOCOL *bio)
{
    const EFI_BLOCK_IO_MEDIA *m = bio->Media;
    if (m == NULL || !m->MediaPresent || !ntxefi_block_ok(m->BlockSize))
        return EFI_UNSUPPORTED;
    void *block = NULL;
    if (EFI_ERROR(ntxefi_bs->AllocatePool(EfiBootServicesData, NTXEFI_MAX_BLOCK, &block)))
        return EFI_OUT_OF_RESOURCES;
    ntxefi_dev dev = { disk, m->MediaId, FALSE, FALSE, EFI_SUCCESS };
    ntx_io io;
    ntxefi_io_init(&io, &dev, m);
    ntx_geometry geo;
    ntx_err rc = ntx_volume_probe(&io, block, NTXEFI_MAX_BLOCK, &geo, NULL);
    ntxefi_bs->FreePool(block);
    return rc == NTX_OK ? EFI_SUCCESS : EFI_UNSUPPORTED;
}

/* ---- mount ---- */

static void ntxefi_release_core(ntxefi_vol *vol)
{
    if (vol->core == NULL)
        return;
    ntx_volume_unmount(&vol->core->ntx);
    ntxefi_bs->FreePool(vol->core);
    vol->core = NULL;
}

/* Mount the medium now in the drive; handles of an earlier mount go stale. */
static EFI_STATUS ntxefi_mount(ntxefi_vol *vol)
{
    const EFI_BLOCK_IO_MEDIA *m = vol->bio->Media;
    vol->epoch++;
    if (vol->core != NULL)
        ntx_volume_unmount(&vol->core->ntx);
    if (!m->MediaPresent)
        return EFI_NO_MEDIA;
    if (!ntxefi_block_ok(m->BlockSize))
        return EFI_UNSUPPORTED;
    vol->dev.media_id = m->MediaId;
    vol->dev.changed = FALSE;
    vol->dev.last = EFI_SUCCESS;

    ntx_io io;
    ntxefi_io_init(&io, &vol->dev, m);
    ntx_geometry geo;
    void *block = NULL;
    if (EFI_ERROR(ntxefi_bs->AllocatePool(EfiBootServicesData, NTXEFI_MAX_BLOCK, &block)))
        return EFI_OUT_OF_RESOURCES;
    ntx_err rc = ntx_volume_probe(&io, block, NTXEFI_MAX_BLOCK, &geo, NULL);
    ntxefi_bs->FreePool(block);
    if (rc != NTX_OK)
        return vol->dev.changed ? EFI_MEDIA_CHANGED : EFI_UNSUPPORTED;

    /* The workspace is sized for this geometry (ntx_workspace_size(): about
     * 100 KiB with WOF, 25 KiB of it without); a remount reuses the last
     * allocation when it is large enough. */
    size_t ws_size = ntx_workspace_size(&geo);
    if (vol->core != NULL && vol->core->ws_size < ws_size)
        ntxefi_release_core(vol);
    if (vol->core == NULL) {
        void *p = NULL;
        if (EFI_ERROR(ntxefi_bs->AllocatePool(EfiBootServicesData, sizeof(ntxefi_core) + ws_size, &p)))
            return EFI_OUT_OF_RESOURCES;
        vol->core = p;
        vol->core->ws_size = ws_size;
    }
    ntxefi_core *c = vol->core;
    c->free_known = FALSE;
    rc = ntx_volume_mount(&c->ntx, &io, c->ws, c->ws_size);
    if (rc == NTX_OK)
        rc = ntx_volume_get_info(&c->ntx, &c->info);
    if (rc != NTX_OK) {
        ntxefi_release_core(vol);
        if (vol->dev.changed)
            return EFI_MEDIA_CHANGED;
        return rc == NTX_E_IO ? EFI_DEVICE_ERROR : EFI_VOLUME_CORRUPTED;
    }
    return EFI_SUCCESS;
}

EFI_STATUS ntxefi_vol_create(EFI_HANDLE controller, EFI_HANDLE binding, EFI_DISK_IO_PROTOCOL *disk,
                            EFI_BLOCK_IO_PROTOCOL *bio, ntxefi_vol **out)
{
    ntxefi_vol *vol = NULL;
    if (EFI_ERROR(ntxefi_bs->AllocatePool(EfiBootServicesData, sizeof *vol, (void **)&vol)))
        return EFI_OUT_OF_RESOURCES;
    memset(vol, 0, sizeof *vol);
    vol->signature = NTXEFI_VOL_SIGNATURE;
    vol->sfs.Revision = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_REVISION;
    vol->sfs.OpenVolume = ntxefi_open_volume;
    vol->controller = controller;
    vol->binding = binding;
    vol->bio = bio;
    vol->dev.disk = disk;
    EFI_STATUS st = ntxefi_mount(vol);
    if (EFI_ERROR(st)) {
        ntxefi_release_core(vol);
        ntxefi_bs->FreePool(vol);
        return st;
    }
    vol->refs = 1;
    vol->installed = TRUE;
    *out = vol;
    return EFI_SUCCESS;
}

/* Free a volume Start() made but could not install. */
void ntxefi_vol_destroy_unused(ntxefi_vol *vol)
{
    ntxefi_release_core(vol);
    vol->signature = 0;
    ntxefi_bs->FreePool(vol);
}

/* ---- lifetime ---- */

static void ntxefi_maybe_free(ntxefi_vol *vol)
{
    if (vol->busy != 0)
        return;
    if (!vol->installed)
        ntxefi_release_core(vol);
    if (vol->refs == 0) {
        vol->signature = 0;
        ntxefi_bs->FreePool(vol);
    }
}

/* Stop(): the protocol is already uninstalled and Disk I/O closed. */
void ntxefi_vol_stop(ntxefi_vol *vol)
{
    vol->installed = FALSE;
    vol->dev.gone = TRUE;
    vol->refs--;
    ntxefi_maybe_free(vol);
}

void ntxefi_unref(ntxefi_vol *vol)
{
    vol->refs--;
    ntxefi_maybe_free(vol);
}

/*
 * Begin a call on a handle opened under mount `epoch`: raise the TPL, count
 * the call, and refuse it when the volume was stopped (EFI_NO_MEDIA) or the
 * medium changed since (EFI_MEDIA_CHANGED). ntxefi_leave() ends every call
 * ntxefi_enter() began, whatever it answered.
 */
EFI_STATUS ntxefi_enter(ntxefi_vol *vol, UINT32 epoch, EFI_TPL *tpl)
{
    *tpl = ntxefi_bs->RaiseTPL(TPL_CALLBACK);
    vol->busy++;
    if (!vol->installed || vol->core == NULL)
        return vol->installed ? EFI_MEDIA_CHANGED : EFI_NO_MEDIA;
    /* A new MediaId: the block driver saw another medium (another reader's
     * read noticed it), so the core's cached records are not this one's. */
    if (epoch != vol->epoch || vol->dev.changed || vol->bio->Media->MediaId != vol->dev.media_id)
        return EFI_MEDIA_CHANGED;
    return EFI_SUCCESS;
}

void ntxefi_leave(ntxefi_vol *vol, EFI_TPL tpl)
{
    vol->busy--;
    ntxefi_maybe_free(vol);
    ntxefi_bs->RestoreTPL(tpl);
}

/* An ntx_err as the EFI status the file protocol documents. */
EFI_STATUS ntxefi_status(const ntxefi_vol *vol, ntx_err rc)
{
    if (rc == NTX_OK || rc == NTX_END)
        return EFI_SUCCESS;
    if (!vol->installed)
        return EFI_NO_MEDIA;
    if (vol->dev.changed)
        return vol->dev.last == EFI_NO_MEDIA ? EFI_NO_MEDIA : EFI_MEDIA_CHANGED;
    switch (rc) {
    case NTX_E_IO:
        return EFI_DEVICE_ERROR;
    case NTX_E_NOT_FOUND:
    case NTX_E_NOT_DIR:
    case NTX_E_NAME:
    case NTX_E_NAME_TOO_LONG:
        return EFI_NOT_FOUND;
    case NTX_E_UNSUPPORTED: /* encrypted data, a feature the build leaves out */
    case NTX_E_EXTERNAL:    /* data kept outside the volume (WIMBoot, dedup, cloud) */
        return EFI_ACCESS_DENIED;
    case NTX_E_STALE:
        return EFI_MEDIA_CHANGED;
    case NTX_E_CORRUPT:
    case NTX_E_LIMIT:
    case NTX_E_RANGE:
    case NTX_E_NOT_NTFS:
        return EFI_VOLUME_CORRUPTED;
    default:
        return EFI_DEVICE_ERROR;
    }
}

/* ---- EFI_SIMPLE_FILE_SYSTEM_PROTOCOL ---- */

EFI_STATUS EFIAPI ntxefi_open_volume(EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *sfs, EFI_FILE_PROTOCOL **root)
{
    if (sfs == NULL || root == NULL)
        return EFI_INVALID_PARAMETER;
    ntxefi_vol *vol = NTXEFI_CONTAINER(sfs, ntxefi_vol, sfs);
    if (vol->signature != NTXEFI_VOL_SIGNATURE)
        return EFI_INVALID_PARAMETER;
    EFI_TPL tpl = ntxefi_bs->RaiseTPL(TPL_CALLBACK);
    vol->busy++;
    EFI_STATUS st = EFI_SUCCESS;
    BOOLEAN remounted = FALSE;
    if (vol->installed && vol->core != NULL && !vol->dev.changed && vol->bio->Media->RemovableMedia) {
        /* A block driver looks for a new medium only when it is read (EDK2's
         * SCSI and USB drivers test the unit at every ReadBlocks), and the
         * core answers much from its caches: one byte of the boot sector
         * makes it look now, so a volume opened after the medium was changed
         * or taken out is never the old one. Stop() and Start() may run
         * inside this read (the block driver reinstalls Block I/O). */
        UINT8 byte;
        (void)ntxefi_read(&vol->dev, 0, &byte, 1);
    }
    if (!vol->installed) {
        st = EFI_NO_MEDIA;
    } else if (vol->core == NULL || vol->dev.changed || vol->bio->Media->MediaId != vol->dev.media_id ||
               !vol->bio->Media->MediaPresent) {
        /* A new medium, or none: mount what is there now. A medium without
         * an NTFS volume answers EFI_UNSUPPORTED (UEFI specification,
         * OpenVolume()). */
        st = ntxefi_mount(vol);
        remounted = TRUE;
        if (EFI_ERROR(st)) {
            ntxefi_release_core(vol);
            if (st == EFI_VOLUME_CORRUPTED || st == EFI_MEDIA_CHANGED)
                st = EFI_UNSUPPORTED;
        }
    }
    if (!EFI_ERROR(st)) {
        ntxefi_core *c = vol->core;
        ntx_err rc = ntx_file_open(&c->s.f, &c->ntx, NTX_MFT_ROOT, 0);
        if (rc == NTX_OK) {
            ntxefi_file *fh = NULL;
            st = ntxefi_file_new(vol, &c->s.f, NULL, 0, TRUE, &fh);
            if (!EFI_ERROR(st))
                *root = &fh->proto;
        } else {
            st = ntxefi_status(vol, rc);
        }
    }
    vol->busy--;
    if (remounted && vol->installed) {
        /* Tell the protocol's users the file system they knew is gone. */
        ntxefi_bs->ReinstallProtocolInterface(vol->controller, &(EFI_GUID)SIMPLE_FILE_SYSTEM_PROTOCOL,
                                             &vol->sfs, &vol->sfs);
    }
    ntxefi_maybe_free(vol);
    ntxefi_bs->RestoreTPL(tpl);
    return st;
}
