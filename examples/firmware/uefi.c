/*
 * uefi.c - the loader as a UEFI application (gnu-efi headers, crt0 and
 * relocator; no libefi): it reads through the firmware's Block I/O protocol
 * from the partitions the firmware found, mounts the first NTFS one that
 * holds the path, loads the file and prints the loader's line on the
 * console (which OVMF mirrors on the serial port).
 *
 * usage (UEFI shell): ntxload.efi [PATH]     PATH defaults to /boot/kernel.bin
 * Then it returns EFI_SUCCESS to its caller whatever happened (the printed
 * lines say it), so startup.nsh in the test goes on to "reset -s".
 */
#include <efi.h>

#include "loader.h"

#ifndef FW_EFI_DEFAULT_PATH
#define FW_EFI_DEFAULT_PATH "/boot/kernel.bin"
#endif

static EFI_SYSTEM_TABLE *uefi_st;

void fw_print(const char *s, size_t n)
{
    CHAR16 out[130];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            out[k++] = u'\r';
        out[k++] = (CHAR16)(unsigned char)s[i];
        if (k >= 126 || i + 1 == n) {
            out[k] = 0;
            uefi_st->ConOut->OutputString(uefi_st->ConOut, out);
            k = 0;
        }
    }
}

/* ---- the block device: one partition's Block I/O ---- */

typedef struct uefi_disk {
    EFI_BLOCK_IO *bio;
    UINT32 media_id;
    UINT32 block_size;
    UINT32 io_align;
} uefi_disk;

/* For a buffer the device cannot DMA into (IoAlign), one block at a time. */
static _Alignas(4096) uint8_t uefi_bounce[4096];

static int uefi_read(void *ctx, uint64_t off, void *buf, size_t len)
{
    const uefi_disk *d = ctx;
    uint8_t *p = buf;
    if (d->io_align <= 1 || ((uintptr_t)p & (d->io_align - 1u)) == 0) {
        EFI_STATUS st = d->bio->ReadBlocks(d->bio, d->media_id, off / d->block_size, len, p);
        return EFI_ERROR(st) ? -1 : 0;
    }
    /* bound: len shrinks by one block per pass (ntx asks for whole blocks) */
    for (; len >= d->block_size; len -= d->block_size, off += d->block_size, p += d->block_size) {
        EFI_STATUS st = d->bio->ReadBlocks(d->bio, d->media_id, off / d->block_size, d->block_size,
                                           uefi_bounce);
        if (EFI_ERROR(st))
            return -1;
        for (size_t i = 0; i < d->block_size; i++)
            p[i] = uefi_bounce[i];
    }
    return 0;
}

/* ---- the command line: the last word of the shell's LoadOptions ---- */

static char uefi_path[512];

static size_t uefi_arg(EFI_HANDLE image)
{
    EFI_GUID lip = LOADED_IMAGE_PROTOCOL;
    EFI_LOADED_IMAGE *li = NULL;
    size_t n = 0, start = 0, end = 0;
    if (!EFI_ERROR(uefi_st->BootServices->HandleProtocol(image, &lip, (void **)&li)) && li != NULL &&
        li->LoadOptions != NULL) {
        const CHAR16 *o = li->LoadOptions;
        size_t units = li->LoadOptionsSize / 2u, words = 0;
        for (size_t i = 0; i < units && o[i] != 0; i++) {
            if (o[i] != u' ' && (i == 0 || o[i - 1] == u' ')) {
                start = i;
                words++;
            }
            if (o[i] != u' ')
                end = i + 1;
        }
        if (words >= 2) /* the first word is the program itself */
            for (size_t i = start; i < end && n + 1 < sizeof uefi_path; i++)
                uefi_path[n++] = o[i] < 0x80u ? (char)o[i] : '?';
    }
    if (n == 0) {
        static const char def[] = FW_EFI_DEFAULT_PATH;
        for (; def[n] != '\0'; n++)
            uefi_path[n] = def[n];
    }
    return n;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
    uefi_st = st;
    size_t path_len = uefi_arg(image);
    fw_puts("ntx-fw-efi: looking for ");
    fw_print(uefi_path, path_len);
    fw_puts(" on the NTFS partitions\n");

    EFI_GUID bio_guid = BLOCK_IO_PROTOCOL;
    UINTN count = 0;
    EFI_HANDLE *handles = NULL;
    EFI_STATUS s = st->BootServices->LocateHandleBuffer(ByProtocol, &bio_guid, NULL, &count, &handles);
    if (EFI_ERROR(s)) {
        fw_puts("ntx-fw-efi: no Block I/O\n");
        return s;
    }
    static _Alignas(4096) uint8_t block[4096];
    static uefi_disk disk;
    ntx_err rc = NTX_E_NOT_FOUND;
    UINTN ntfs = 0;
    for (UINTN i = 0; i < count && rc != NTX_OK; i++) {
        EFI_BLOCK_IO *bio = NULL;
        if (EFI_ERROR(st->BootServices->HandleProtocol(handles[i], &bio_guid, (void **)&bio)) ||
            bio == NULL || !bio->Media->MediaPresent || !bio->Media->LogicalPartition ||
            bio->Media->BlockSize < 512 || bio->Media->BlockSize > sizeof block)
            continue;
        disk.bio = bio;
        disk.media_id = bio->Media->MediaId;
        disk.block_size = bio->Media->BlockSize;
        disk.io_align = bio->Media->IoAlign;
        ntx_io io = { uefi_read, &disk, 0, (bio->Media->LastBlock + 1u) * bio->Media->BlockSize,
                      bio->Media->BlockSize };
        ntx_geometry geo;
        if (ntx_volume_probe(&io, block, sizeof block, &geo, NULL) != NTX_OK)
            continue; /* not NTFS: the ESP, say */
        ntfs++;
        rc = fw_mount(&io);
        if (rc == NTX_OK)
            rc = fw_load(uefi_path, path_len);
    }
    st->BootServices->FreePool(handles);
    if (ntfs == 0)
        fw_puts("ntx-fw-efi: no NTFS partition\n");
    fw_puts(rc == NTX_OK ? "ntx-fw-efi: done\n" : "ntx-fw-efi: failed\n");
    /* Success either way, so that the shell script goes on (to "reset -s"):
     * the printed line is the result. */
    return EFI_SUCCESS;
}
