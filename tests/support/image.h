/*
 * image.h - fixture images for the tests: inflate a *.img.gz into memory and
 * serve it to the core through an ntx_io with fault injection (a memory disk).
 * Hosted C; needs zlib. Only the ntx/io.h types are used, nothing is linked.
 */
#ifndef NTX_TEST_IMAGE_H
#define NTX_TEST_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "ntx/io.h"

/* Result codes of ntx_test_memdisk_read(), as negative errno values. */
#define NTX_TEST_EIO (-5)     /* fail_after reached */
#define NTX_TEST_ENXIO (-6)   /* read past the end of the image */
#define NTX_TEST_EINVAL (-22) /* offset or length not a multiple of check_align */

struct ntx_test_image {
    uint8_t *data;   /* the raw image, writable (tests may corrupt it) */
    size_t size;     /* bytes of image */
    size_t mapped;   /* bytes mapped at data (>= size); private */
};

/*
 * Inflate the gzip file path_gz into img (a plain file is read as is, as
 * gzread does). Returns 0, or a negative errno (-ENOENT, -ENOMEM, -EIO for a
 * corrupt or truncated gzip stream); img is left empty on failure.
 */
int ntx_test_image_load(const char *path_gz, struct ntx_test_image *img);
void ntx_test_image_free(struct ntx_test_image *img);

struct ntx_test_memdisk {
    const uint8_t *data;   /* image bytes (not owned) */
    uint64_t size;         /* bytes at data */
    /* knobs, set by the test */
    uint64_t fail_after;   /* fail the Nth read call (1-based, that one only) with -5; 0 = never */
    uint32_t check_align;  /* if nonzero, fail with -22 a read whose offset or length */
                           /* is not a multiple of it */
    /* counters, kept by ntx_test_memdisk_read() */
    uint64_t reads;        /* read calls, including the failed ones */
    uint64_t bytes_read;   /* bytes of the successful reads */
    uint64_t failures;     /* calls that returned an error */
    size_t max_read_len;   /* longest len asked for, successful or not */
    uint64_t last_off;     /* offset and length of the last call */
    size_t last_len;
};

/* Zero every field, then point the disk at size bytes of data. */
void ntx_test_memdisk_init(struct ntx_test_memdisk *d, const void *data, uint64_t size);
/* ntx_test_memdisk_init() over a loaded image. */
void ntx_test_memdisk_from_image(struct ntx_test_memdisk *d, const struct ntx_test_image *img);
/* Clear the counters, keep the knobs. */
void ntx_test_memdisk_reset_counters(struct ntx_test_memdisk *d);

/*
 * An ntx_read_fn: ctx is a struct ntx_test_memdisk. Checks, in this order:
 * alignment (-22), fail_after (-5), end of image (-6). Each call counts as a
 * read, whatever its outcome.
 */
int ntx_test_memdisk_read(void *ctx, uint64_t off, void *buf, size_t len);

/* Fill io: read = ntx_test_memdisk_read, ctx = d, offset 0, size = d->size, block_size 512. */
void ntx_test_memdisk_io(struct ntx_test_memdisk *d, ntx_io *io);

#endif
