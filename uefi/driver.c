/*
 * driver.c - the UEFI driver model part of ntxefi: the entry point, the
 * EFI_DRIVER_BINDING_PROTOCOL (Supported, Start, Stop), the component names
 * (EFI_COMPONENT_NAME2_PROTOCOL, and the older EFI_COMPONENT_NAME_PROTOCOL
 * some firmware still asks for) and Unload.
 *
 * The driver binds to a handle that has Block I/O and Disk I/O and whose
 * first block is an NTFS boot sector (a partition, or a whole disk
 * formatted without a partition table), and installs
 * EFI_SIMPLE_FILE_SYSTEM_PROTOCOL on it. Disk I/O is opened BY_DRIVER, as
 * file system drivers do, so that no other file system driver reads the
 * volume meanwhile; Block I/O only for its Media fields.
 */
#include "ntxefi.h"

EFI_BOOT_SERVICES *ntxefi_bs;

static EFI_GUID ntxefi_disk_io_guid = DISK_IO_PROTOCOL;
static EFI_GUID ntxefi_block_io_guid = BLOCK_IO_PROTOCOL;
static EFI_GUID ntxefi_sfs_guid = SIMPLE_FILE_SYSTEM_PROTOCOL;

/* ---- Supported / Start / Stop ---- */

static EFI_STATUS EFIAPI ntxefi_supported(EFI_DRIVER_BINDING_PROTOCOL *this, EFI_HANDLE controller,
                                         EFI_DEVICE_PATH *remaining)
{
    (void)remaining;
    EFI_DISK_IO_PROTOCOL *disk = NULL;
    EFI_BLOCK_IO_PROTOCOL *bio = NULL;
    EFI_STATUS st = ntxefi_bs->OpenProtocol(controller, &ntxefi_disk_io_guid, (void **)&disk,
                                           this->DriverBindingHandle, controller,
                                           EFI_OPEN_PROTOCOL_BY_DRIVER);
    if (EFI_ERROR(st))
        return st; /* no Disk I/O, or another driver (or this one) has it */
    st = ntxefi_bs->OpenProtocol(controller, &ntxefi_block_io_guid, (void **)&bio,
                                this->DriverBindingHandle, controller,
                                EFI_OPEN_PROTOCOL_GET_PROTOCOL);
    /* One block read: the boot sector (and, if it is bad, its backup in the
     * last sector). Checking it here leaves every other partition to the
     * drivers that read it. */
    if (!EFI_ERROR(st))
        st = ntxefi_probe(disk, bio);
    ntxefi_bs->CloseProtocol(controller, &ntxefi_disk_io_guid, this->DriverBindingHandle, controller);
    return EFI_ERROR(st) ? EFI_UNSUPPORTED : EFI_SUCCESS;
}

static EFI_STATUS EFIAPI ntxefi_start(EFI_DRIVER_BINDING_PROTOCOL *this, EFI_HANDLE controller,
                                     EFI_DEVICE_PATH *remaining)
{
    (void)remaining;
    EFI_DISK_IO_PROTOCOL *disk = NULL;
    EFI_BLOCK_IO_PROTOCOL *bio = NULL;
    EFI_TPL tpl = ntxefi_bs->RaiseTPL(TPL_CALLBACK);
    EFI_STATUS st = ntxefi_bs->OpenProtocol(controller, &ntxefi_disk_io_guid, (void **)&disk,
                                           this->DriverBindingHandle, controller,
                                           EFI_OPEN_PROTOCOL_BY_DRIVER);
    if (EFI_ERROR(st))
        goto out;
    st = ntxefi_bs->OpenProtocol(controller, &ntxefi_block_io_guid, (void **)&bio,
                                this->DriverBindingHandle, controller,
                                EFI_OPEN_PROTOCOL_GET_PROTOCOL);
    ntxefi_vol *vol = NULL;
    if (!EFI_ERROR(st))
        st = ntxefi_vol_create(controller, this->DriverBindingHandle, disk, bio, &vol);
    if (!EFI_ERROR(st)) {
        st = ntxefi_bs->InstallMultipleProtocolInterfaces(&controller, &ntxefi_sfs_guid, &vol->sfs,
                                                         NULL);
        if (EFI_ERROR(st))
            ntxefi_vol_destroy_unused(vol);
    }
    if (EFI_ERROR(st))
        ntxefi_bs->CloseProtocol(controller, &ntxefi_disk_io_guid, this->DriverBindingHandle,
                                controller);
out:
    ntxefi_bs->RestoreTPL(tpl);
    return st;
}

static EFI_STATUS EFIAPI ntxefi_stop(EFI_DRIVER_BINDING_PROTOCOL *this, EFI_HANDLE controller,
                                    UINTN children, EFI_HANDLE *child_handles)
{
    (void)children;
    (void)child_handles;
    EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *sfs = NULL;
    EFI_STATUS st = ntxefi_bs->OpenProtocol(controller, &ntxefi_sfs_guid, (void **)&sfs,
                                           this->DriverBindingHandle, controller,
                                           EFI_OPEN_PROTOCOL_GET_PROTOCOL);
    if (EFI_ERROR(st))
        return EFI_DEVICE_ERROR;
    ntxefi_vol *vol = NTXEFI_CONTAINER(sfs, ntxefi_vol, sfs);
    if (vol->signature != NTXEFI_VOL_SIGNATURE || vol->binding != this->DriverBindingHandle)
        return EFI_DEVICE_ERROR;
    EFI_TPL tpl = ntxefi_bs->RaiseTPL(TPL_CALLBACK);
    st = ntxefi_bs->UninstallMultipleProtocolInterfaces(controller, &ntxefi_sfs_guid, &vol->sfs, NULL);
    if (!EFI_ERROR(st)) {
        ntxefi_bs->CloseProtocol(controller, &ntxefi_disk_io_guid, this->DriverBindingHandle,
                                controller);
        /* Open handles stay valid memory and answer EFI_NO_MEDIA until
         * closed; the mount's memory goes now (or when the call in progress
         * returns, if Stop() runs inside one). */
        ntxefi_vol_stop(vol);
    }
    ntxefi_bs->RestoreTPL(tpl);
    return st;
}

EFI_DRIVER_BINDING_PROTOCOL ntxefi_binding = {
    ntxefi_supported, ntxefi_start, ntxefi_stop,
    /* 0x10..0xffffffef: the range for drivers that are not the platform's */
    0x10, NULL, NULL,
};

/* ---- component names ---- */

static CHAR16 ntxefi_driver_name[] = L"ntx NTFS read-only driver " NTXEFI_WIDE(NTX_VERSION_STRING);

/* Languages are RFC 4646 codes for Component Name 2, ISO 639-2 for the old
 * protocol; the name is the same in every language offered. */
static BOOLEAN ntxefi_lang_is(const CHAR8 *lang, const char *want)
{
    if (lang == NULL)
        return FALSE;
    size_t i = 0;
    for (; want[i] != '\0'; i++)
        if (lang[i] != (CHAR8)want[i])
            return FALSE;
    return lang[i] == '\0' || lang[i] == ';' || lang[i] == '-';
}

static EFI_STATUS EFIAPI ntxefi_name2_driver(EFI_COMPONENT_NAME2_PROTOCOL *this, CHAR8 *lang,
                                            CHAR16 **name)
{
    (void)this;
    if (lang == NULL || name == NULL)
        return EFI_INVALID_PARAMETER;
    if (!ntxefi_lang_is(lang, "en"))
        return EFI_UNSUPPORTED;
    *name = ntxefi_driver_name;
    return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI ntxefi_name_driver(EFI_COMPONENT_NAME_PROTOCOL *this, CHAR8 *lang,
                                           CHAR16 **name)
{
    (void)this;
    if (lang == NULL || name == NULL)
        return EFI_INVALID_PARAMETER;
    if (!ntxefi_lang_is(lang, "eng"))
        return EFI_UNSUPPORTED;
    *name = ntxefi_driver_name;
    return EFI_SUCCESS;
}

/* The driver manages controllers but creates no children; each controller
 * it manages is named "NTFS volume". */
static EFI_STATUS ntxefi_controller_name(EFI_HANDLE controller, EFI_HANDLE child, CHAR16 **name)
{
    if (child != NULL)
        return EFI_UNSUPPORTED;
    EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *sfs = NULL;
    EFI_STATUS st = ntxefi_bs->OpenProtocol(controller, &ntxefi_sfs_guid, (void **)&sfs,
                                           ntxefi_binding.DriverBindingHandle, controller,
                                           EFI_OPEN_PROTOCOL_GET_PROTOCOL);
    if (EFI_ERROR(st))
        return EFI_UNSUPPORTED;
    ntxefi_vol *vol = NTXEFI_CONTAINER(sfs, ntxefi_vol, sfs);
    if (vol->signature != NTXEFI_VOL_SIGNATURE)
        return EFI_UNSUPPORTED; /* another driver's file system */
    static CHAR16 unnamed[] = L"NTFS volume";
    *name = unnamed;
    return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI ntxefi_name2_controller(EFI_COMPONENT_NAME2_PROTOCOL *this,
                                                EFI_HANDLE controller, EFI_HANDLE child,
                                                CHAR8 *lang, CHAR16 **name)
{
    (void)this;
    if (controller == NULL || lang == NULL || name == NULL)
        return EFI_INVALID_PARAMETER;
    if (!ntxefi_lang_is(lang, "en"))
        return EFI_UNSUPPORTED;
    return ntxefi_controller_name(controller, child, name);
}

static EFI_STATUS EFIAPI ntxefi_name_controller(EFI_COMPONENT_NAME_PROTOCOL *this,
                                               EFI_HANDLE controller, EFI_HANDLE child,
                                               CHAR8 *lang, CHAR16 **name)
{
    (void)this;
    if (controller == NULL || lang == NULL || name == NULL)
        return EFI_INVALID_PARAMETER;
    if (!ntxefi_lang_is(lang, "eng"))
        return EFI_UNSUPPORTED;
    return ntxefi_controller_name(controller, child, name);
}

static EFI_COMPONENT_NAME2_PROTOCOL ntxefi_name2 = {
    ntxefi_name2_driver, ntxefi_name2_controller, (CHAR8 *)"en",
};
static EFI_COMPONENT_NAME_PROTOCOL ntxefi_name = {
    ntxefi_name_driver, ntxefi_name_controller, (CHAR8 *)"eng",
};

/* ---- entry point and unload ---- */

static EFI_GUID ntxefi_binding_guid = DRIVER_BINDING_PROTOCOL;
static EFI_GUID ntxefi_name2_guid = COMPONENT_NAME2_PROTOCOL;
static EFI_GUID ntxefi_name_guid = COMPONENT_NAME_PROTOCOL;

/* Disconnect every controller this driver manages (Stop() for each), then
 * remove its protocols. Refused while a controller will not let go. */
static EFI_STATUS EFIAPI ntxefi_unload(EFI_HANDLE image)
{
    UINTN count = 0;
    EFI_HANDLE *handles = NULL;
    EFI_STATUS st = ntxefi_bs->LocateHandleBuffer(ByProtocol, &ntxefi_sfs_guid, NULL, &count, &handles);
    if (!EFI_ERROR(st)) {
        /* bound: count handles, each visited once */
        for (UINTN i = 0; i < count; i++)
            ntxefi_bs->DisconnectController(handles[i], image, NULL);
        ntxefi_bs->FreePool(handles);
    }
    /* Anything still ours means a controller refused to stop. */
    st = ntxefi_bs->LocateHandleBuffer(ByProtocol, &ntxefi_sfs_guid, NULL, &count, &handles);
    if (!EFI_ERROR(st)) {
        BOOLEAN ours = FALSE;
        for (UINTN i = 0; i < count; i++) {
            EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *sfs = NULL;
            if (!EFI_ERROR(ntxefi_bs->HandleProtocol(handles[i], &ntxefi_sfs_guid, (void **)&sfs)) &&
                sfs != NULL && sfs->OpenVolume == ntxefi_open_volume)
                ours = TRUE;
        }
        ntxefi_bs->FreePool(handles);
        if (ours)
            return EFI_ACCESS_DENIED;
    }
    return ntxefi_bs->UninstallMultipleProtocolInterfaces(image, &ntxefi_binding_guid, &ntxefi_binding,
                                                         &ntxefi_name2_guid, &ntxefi_name2,
                                                         &ntxefi_name_guid, &ntxefi_name, NULL);
}

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
    ntxefi_bs = st->BootServices;
    EFI_GUID lip = LOADED_IMAGE_PROTOCOL;
    EFI_LOADED_IMAGE *li = NULL;
    EFI_STATUS s = ntxefi_bs->HandleProtocol(image, &lip, (void **)&li);
    if (EFI_ERROR(s))
        return s;
    ntxefi_binding.ImageHandle = image;
    ntxefi_binding.DriverBindingHandle = image;
    s = ntxefi_bs->InstallMultipleProtocolInterfaces(&ntxefi_binding.DriverBindingHandle,
                                                    &ntxefi_binding_guid, &ntxefi_binding,
                                                    &ntxefi_name2_guid, &ntxefi_name2,
                                                    &ntxefi_name_guid, &ntxefi_name, NULL);
    if (EFI_ERROR(s))
        return s;
    li->Unload = ntxefi_unload;
    return EFI_SUCCESS;
}
