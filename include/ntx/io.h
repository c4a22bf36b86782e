/*
 * ntx/io.h - how the core reads the device: one caller-supplied callback.
 */
#ifndef NTX_IO_H
#define NTX_IO_H

#include <stddef.h>
#include <stdint.h>

/*
 * Read exactly len bytes at byte offset off of the device into buf. Return 0
 * on success or any negative value on failure (kept in ntx_diag.io_status);
 * a short read is a failure. The core only asks for offsets and lengths that
 * are multiples of ntx_io.block_size, so a block device can serve it directly.
 */
typedef int (*ntx_read_fn)(void *ctx, uint64_t off, void *buf, size_t len);

typedef struct ntx_io {
    ntx_read_fn read;
    void *ctx;            /* passed back to read() untouched */
    uint64_t offset;      /* byte offset of the volume on the device (a multiple of block_size) */
    uint64_t size;        /* bytes of the device from offset on, or 0 if unknown */
    uint32_t block_size;  /* read alignment the device needs: 512 (0 means 512) .. NTX_MAX_BLOCK_SIZE */
} ntx_io;

#endif
