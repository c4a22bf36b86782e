/*
 * hello.c - the application the tests keep on the NTFS volume (as
 * \EFI\ntx\hello.efi and \EFI\BOOT\BOOTX64.EFI). It prints a marker line
 * with the label of the file system it was loaded from, so the test sees
 * both that it ran and where the firmware read it; then it powers the
 * machine off, unless its first argument is "stay" (the shell runs it that
 * way and goes on with its script).
 *
 *   NTXEFI-HELLO loaded-from-label=<label>
 */
#include "app.h"

/* EDK2's loader refuses to move an image that has no base relocation
 * directory, and code this small holds no absolute address of its own:
 * this pointer (read through volatile, so it stays in .data) is one. */
static const char *volatile hello_marker = "NTXEFI-HELLO loaded-from-label=";

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
    app_init(st);
    EFI_GUID lip = LOADED_IMAGE_PROTOCOL;
    EFI_GUID sfs_guid = SIMPLE_FILE_SYSTEM_PROTOCOL;
    EFI_GUID fs_info = EFI_FILE_SYSTEM_INFO_ID;
    EFI_LOADED_IMAGE *li = NULL;
    EFI_FILE_IO_INTERFACE *sfs = NULL;
    EFI_FILE_HANDLE root = NULL;
    app_puts(hello_marker);
    if (!EFI_ERROR(app_bs->HandleProtocol(image, &lip, (void **)&li)) &&
        !EFI_ERROR(app_bs->HandleProtocol(li->DeviceHandle, &sfs_guid, (void **)&sfs)) &&
        !EFI_ERROR(sfs->OpenVolume(sfs, &root))) {
        EFI_STATUS s;
        EFI_FILE_SYSTEM_INFO *info = app_get_info(root, &fs_info, &s);
        if (info != NULL) {
            app_putw(info->VolumeLabel);
            app_bs->FreePool(info);
        }
        root->Close(root);
    } else {
        app_puts("?");
    }
    app_puts("\n");
    CHAR16 buf[64];
    CHAR16 *argv[2];
    UINTN argc = app_args(image, buf, 64, argv, 2);
    if (argc >= 1 && app_wstr_eq_ascii(argv[0], "stay"))
        return EFI_SUCCESS;
    st->RuntimeServices->ResetSystem(EfiResetShutdown, EFI_SUCCESS, 0, NULL);
    return EFI_SUCCESS;
}
