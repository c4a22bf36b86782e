/*
 * loader.h - the firmware-style loader: mount an NTFS volume through a block
 * read callback, read one file into a fixed buffer, print its size and
 * checksums. Freestanding: static buffers, no libc, no heap. Each platform
 * file (linux_x86_64.c, uefi.c) supplies fw_print() and the read callback.
 */
#ifndef NTX_FW_LOADER_H
#define NTX_FW_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "ntx.h"

/* The fixed buffer a file is loaded into (bytes). */
#ifndef FW_FILE_MAX
#define FW_FILE_MAX (16u * 1024u * 1024u)
#endif

/* Exit codes of the platform programs. */
enum {
    FW_EXIT_OK = 0,
    FW_EXIT_LOAD = 1,   /* a file could not be loaded (error line printed) */
    FW_EXIT_MOUNT = 2,  /* the volume did not mount */
    FW_EXIT_USAGE = 3,
};

/* Platform: write n bytes of text to the console. */
void fw_print(const char *s, size_t n);

/* Helpers for the platforms' own messages. */
void fw_puts(const char *s);
void fw_put_dec(uint64_t v);

/* Mount the volume io describes; prints an error line on failure. */
ntx_err fw_mount(const ntx_io *io);

/*
 * Load the file at path (path_len bytes; "dir/file:stream" names a named
 * $DATA stream) into the fixed buffer and print
 *   "PATH size=N crc32=XXXXXXXX sha256=HEX"
 * or "PATH error=CODE TEXT". Returns the ntx_err (NTX_E_BUFFER when the
 * file is larger than FW_FILE_MAX).
 */
ntx_err fw_load(const char *path, size_t path_len);

/* The loaded bytes of the last successful fw_load(). */
const uint8_t *fw_file_data(size_t *len);

/* CRC-32 (IEEE 802.3, as zlib and gzip compute it) and SHA-256. */
uint32_t fw_crc32(const uint8_t *p, size_t n);
void fw_sha256(const uint8_t *p, size_t n, uint8_t out[32]);

#endif
