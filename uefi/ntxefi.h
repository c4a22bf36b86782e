/*
 * ntxefi.h - the UEFI NTFS driver's shared declarations: the state of one
 * volume (one controller handle with an NTFS boot sector) and of one open
 * EFI_FILE_PROTOCOL handle.
 *
 * Ownership, in short (README.md has the long form):
 *  - ntxefi_vol is allocated by Start() and lives while the Simple File
 *    System protocol is installed or a file handle of it is open: `refs`
 *    counts both. Stop() uninstalls the protocol and releases the core's
 *    memory at once (or as soon as the call in progress returns: `busy`),
 *    so a stopped volume keeps only this small header until its last
 *    handle is closed; every call on such a handle answers EFI_NO_MEDIA.
 *  - ntxefi_core (the ntx_volume, the core's workspace and the driver's
 *    scratch values) is one pool allocation per mount.
 *  - ntxefi_file is one pool allocation per open handle.
 * Every entry point raises the TPL to TPL_CALLBACK, so a timer event cannot
 * re-enter a volume in the middle of a call (as EDK2's FAT driver does).
 */
#ifndef NTXEFI_H
#define NTXEFI_H

#include <efi.h>

#include "ntx.h"

/* "ntxV" and "ntxF": checked when a protocol pointer is turned back into
 * the structure around it, so a stray pointer is refused, not followed. */
#define NTXEFI_VOL_SIGNATURE 0x5678746eu
#define NTXEFI_FILE_SIGNATURE 0x4678746eu

/* Open file handles per volume: each costs sizeof(ntxefi_file) of pool
 * (printed in README.md), so this bounds a volume's memory; one more Open
 * answers EFI_OUT_OF_RESOURCES. */
#define NTXEFI_MAX_HANDLES 4096u

/* The largest device block accepted (ntx's limit). */
#define NTXEFI_MAX_BLOCK NTX_MAX_BLOCK_SIZE

/* The device: what the read callback needs, nothing else. */
typedef struct ntxefi_dev {
    EFI_DISK_IO_PROTOCOL *disk;
    UINT32 media_id;       /* of the medium mounted */
    BOOLEAN changed;       /* a read answered EFI_MEDIA_CHANGED or EFI_NO_MEDIA */
    BOOLEAN gone;          /* Stop() ran: the Disk I/O pointer is not ours any more */
    EFI_STATUS last;       /* the last failed read's status */
} ntxefi_dev;

/* Scratch values too large for a stack frame, used by one call at a time. */
typedef struct ntxefi_scratch {
    ntx_dirent ent;
    ntx_stat st;
    ntx_attr_iter ait;
    ntx_attr_info ai;
    ntx_file f;
    uint8_t fn_value[600]; /* a $FILE_NAME value: 66 bytes + 255 UTF-16 units */
} ntxefi_scratch;

/* What one mount owns: one pool allocation, the workspace after it. */
typedef struct ntxefi_core {
    ntx_volume ntx;
    ntx_volume_info info;
    ntxefi_scratch s;
    size_t ws_size;
    uint64_t free_clusters;
    BOOLEAN free_known;
    _Alignas(16) uint8_t ws[];
} ntxefi_core;

typedef struct ntxefi_vol {
    UINT32 signature;
    EFI_SIMPLE_FILE_SYSTEM_PROTOCOL sfs;
    EFI_HANDLE controller;
    EFI_HANDLE binding;          /* the driver binding handle that opened Disk I/O */
    EFI_BLOCK_IO_PROTOCOL *bio;  /* for Media: id, presence, geometry */
    ntxefi_dev dev;
    ntxefi_core *core;            /* NULL when not mounted */
    UINT32 epoch;                /* bumped at every mount: older handles are stale */
    UINT32 refs;                 /* the installed protocol + open handles */
    UINT32 handles;              /* open handles */
    UINT32 busy;                 /* calls in progress (Stop() may run inside one) */
    BOOLEAN installed;           /* Simple File System installed: Stop() has not run */
} ntxefi_vol;

typedef struct ntxefi_file {
    UINT32 signature;
    EFI_FILE_PROTOCOL proto;
    ntxefi_vol *vol;
    UINT32 epoch;                /* vol->epoch when opened */
    ntx_file f;
    BOOLEAN is_dir;
    BOOLEAN is_root;
    BOOLEAN have_stream;         /* u.s is open (a file with data) */
    BOOLEAN have_ent;            /* u.d.ent holds an entry not yet returned */
    ntx_err data_err;            /* why a file's data cannot be read (NTX_OK: it can) */
    UINT64 pos;                  /* byte position (files) */
    union {
        ntx_stream s;
        struct {
            ntx_dir_iter it;
            ntx_dirent ent;
        } d;
    } u;
    UINT16 name_len;             /* in UTF-16 units, without the NUL */
    CHAR16 name[NTX_NAME_MAX + 1];
} ntxefi_file;

/* driver.c */
extern EFI_BOOT_SERVICES *ntxefi_bs;
extern EFI_DRIVER_BINDING_PROTOCOL ntxefi_binding;

/* volume.c */
EFI_STATUS ntxefi_vol_create(EFI_HANDLE controller, EFI_HANDLE binding, EFI_DISK_IO_PROTOCOL *disk,
                            EFI_BLOCK_IO_PROTOCOL *bio, ntxefi_vol **out);
void ntxefi_vol_stop(ntxefi_vol *vol);
void ntxefi_vol_destroy_unused(ntxefi_vol *vol);
EFI_STATUS ntxefi_probe(EFI_DISK_IO_PROTOCOL *disk, EFI_BLOCK_IO_PROTOCOL *bio);
EFI_STATUS ntxefi_enter(ntxefi_vol *vol, UINT32 epoch, EFI_TPL *tpl);
void ntxefi_leave(ntxefi_vol *vol, EFI_TPL tpl);
void ntxefi_unref(ntxefi_vol *vol);
EFI_STATUS ntxefi_status(const ntxefi_vol *vol, ntx_err rc);
EFI_STATUS EFIAPI ntxefi_open_volume(EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *sfs, EFI_FILE_PROTOCOL **root);

/* file.c */
EFI_STATUS ntxefi_file_new(ntxefi_vol *vol, const ntx_file *f, const uint16_t *name, size_t name_len,
                          BOOLEAN is_root, ntxefi_file **out);

/* info.c */
EFI_STATUS ntxefi_file_info(ntxefi_vol *vol, const ntx_file *f, const CHAR16 *name, size_t name_len,
                           const ntx_dirent *fallback, UINTN *size, void *buf);
EFI_STATUS ntxefi_fs_info(ntxefi_vol *vol, UINTN *size, void *buf);
EFI_STATUS ntxefi_fs_label(ntxefi_vol *vol, UINTN *size, void *buf);
ntx_err ntxefi_primary_name(ntxefi_vol *vol, const ntx_file *f, ntx_dirent *out);

/* mem.c: the four functions a freestanding GCC may call on its own */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#define NTXEFI_WIDE_(s) L##s
#define NTXEFI_WIDE(s) NTXEFI_WIDE_(s)

#define NTXEFI_CONTAINER(ptr, type, member) ((type *)((UINT8 *)(ptr) - __builtin_offsetof(type, member)))

#endif
