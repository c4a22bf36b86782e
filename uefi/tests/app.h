/*
 * app.h - what the two test applications share: console output on the
 * firmware's ConOut (which OVMF mirrors on the serial port), with names
 * escaped to ASCII, SHA-256, and finding a Simple File System by its
 * volume label.
 */
#ifndef NTXEFI_APP_H
#define NTXEFI_APP_H

#include <stddef.h>

#include <efi.h>

extern EFI_SYSTEM_TABLE *app_st;
extern EFI_BOOT_SERVICES *app_bs;

void app_init(EFI_SYSTEM_TABLE *st);
void app_puts(const char *s);
void app_putu(UINT64 v);
void app_puthex(UINT64 v);
/* A UTF-16 string: printable ASCII as is; '%', '\\' kept as they are;
 * anything else as %uXXXX (the test scripts escape the manifests alike). */
void app_putw(const CHAR16 *s);
void app_putwn(const CHAR16 *s, UINTN n);
void app_status(EFI_STATUS st);

typedef struct app_sha256 {
    UINT32 h[8];
    UINT64 len;
    UINT8 buf[64];
    UINT32 fill;
} app_sha256;
void app_sha256_init(app_sha256 *c);
void app_sha256_update(app_sha256 *c, const void *data, UINTN n);
void app_sha256_hex(app_sha256 *c, char out[65]);

/* The file system whose EFI_FILE_SYSTEM_INFO label is `label` (ASCII),
 * or NULL; *handle receives its handle. */
EFI_FILE_IO_INTERFACE *app_find_fs(const char *label, EFI_HANDLE *handle);
/* GetInfo of `type` into a pool buffer the caller frees; NULL on error. */
void *app_get_info(EFI_FILE_HANDLE f, EFI_GUID *type, EFI_STATUS *st);
BOOLEAN app_wstr_eq_ascii(const CHAR16 *w, const char *a);

/* The words after the program name in the image's LoadOptions. */
UINTN app_args(EFI_HANDLE image, CHAR16 *buf, UINTN cap, CHAR16 **argv, UINTN max);

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif
