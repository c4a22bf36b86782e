/*
 * image.c - fixture images inflated into anonymous memory, and the memory
 * disk the tests mount them from.
 *
 * The images are 24-96 MiB raw. The buffer is sized from the gzip trailer's
 * ISIZE (uncompressed size mod 2^32, RFC 1952 section 2.3.1) and grown with
 * mremap when the hint is wrong (concatenated members, plain files), so a
 * load is one inflate pass with no copying.
 */
#include "image.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define IMAGE_MIN_MAP ((size_t)1 << 20)
#define IMAGE_MAX_HINT ((size_t)1 << 30) /* distrust a larger ISIZE: fall back to growing */
#define IMAGE_CHUNK ((unsigned)1 << 24)  /* gzread takes an unsigned length */

static size_t image_round_page(size_t n)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return (n + page - 1) / page * page;
}

/* The size the loaded image will probably have: ISIZE for gzip, st_size otherwise. */
static size_t image_size_hint(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    size_t hint = 0;
    struct stat st;
    uint8_t magic[2], isize[4];
    if (fstat(fd, &st) == 0 && st.st_size >= 18 && pread(fd, magic, 2, 0) == 2 &&
        magic[0] == 0x1f && magic[1] == 0x8b) {
        if (pread(fd, isize, 4, st.st_size - 4) == 4)
            hint = (size_t)isize[0] | (size_t)isize[1] << 8 | (size_t)isize[2] << 16 |
                   (size_t)isize[3] << 24;
    } else if (st.st_size > 0) {
        hint = (size_t)st.st_size;
    }
    close(fd);
    return hint <= IMAGE_MAX_HINT ? hint : 0;
}

int ntx_test_image_load(const char *path_gz, struct ntx_test_image *img)
{
    memset(img, 0, sizeof *img);

    /* one page more than the hint, so the EOF read does not force a grow */
    size_t mapped = image_round_page(image_size_hint(path_gz) + 1);
    if (mapped < IMAGE_MIN_MAP)
        mapped = IMAGE_MIN_MAP;

    errno = 0;
    gzFile gz = gzopen(path_gz, "rb");
    if (!gz)
        return errno ? -errno : -ENOMEM;
    gzbuffer(gz, 1 << 17);

    uint8_t *data = mmap(NULL, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (data == MAP_FAILED) {
        gzclose(gz);
        return -ENOMEM;
    }

    size_t size = 0;
    int rc = 0;
    for (;;) {
        if (size == mapped) {
            void *p = mremap(data, mapped, mapped * 2, MREMAP_MAYMOVE);
            if (p == MAP_FAILED) {
                rc = -ENOMEM;
                break;
            }
            data = p;
            mapped *= 2;
        }
        size_t want = mapped - size;
        if (want > IMAGE_CHUNK)
            want = IMAGE_CHUNK;
        int got = gzread(gz, data + size, (unsigned)want);
        if (got < 0) {
            rc = -EIO;
            break;
        }
        if (got == 0) {
            /* gzread returns 0 both at a clean end and after a truncated stream */
            int zerr = Z_OK;
            gzerror(gz, &zerr);
            if (zerr != Z_OK && zerr != Z_STREAM_END)
                rc = -EIO;
            break;
        }
        size += (size_t)got;
    }
    if (gzclose(gz) != Z_OK && rc == 0)
        rc = -EIO;
    if (rc) {
        munmap(data, mapped);
        return rc;
    }
    img->data = data;
    img->size = size;
    img->mapped = mapped;
    return 0;
}

void ntx_test_image_free(struct ntx_test_image *img)
{
    if (img->data)
        munmap(img->data, img->mapped);
    memset(img, 0, sizeof *img);
}

void ntx_test_memdisk_init(struct ntx_test_memdisk *d, const void *data, uint64_t size)
{
    memset(d, 0, sizeof *d);
    d->data = data;
    d->size = size;
}

void ntx_test_memdisk_from_image(struct ntx_test_memdisk *d, const struct ntx_test_image *img)
{
    ntx_test_memdisk_init(d, img->data, img->size);
}

void ntx_test_memdisk_reset_counters(struct ntx_test_memdisk *d)
{
    d->reads = 0;
    d->bytes_read = 0;
    d->failures = 0;
    d->max_read_len = 0;
    d->last_off = 0;
    d->last_len = 0;
}

int ntx_test_memdisk_read(void *ctx, uint64_t off, void *buf, size_t len)
{
    struct ntx_test_memdisk *d = ctx;
    int rc = 0;

    d->reads++;
    d->last_off = off;
    d->last_len = len;
    if (len > d->max_read_len)
        d->max_read_len = len;

    if (d->check_align && (off % d->check_align || len % d->check_align))
        rc = NTX_TEST_EINVAL;
    else if (d->fail_after && d->reads == d->fail_after)
        rc = NTX_TEST_EIO;
    else if (off > d->size || len > d->size - off)
        rc = NTX_TEST_ENXIO;

    if (rc) {
        d->failures++;
        return rc;
    }
    if (len)
        memcpy(buf, d->data + off, len);
    d->bytes_read += len;
    return 0;
}

void ntx_test_memdisk_io(struct ntx_test_memdisk *d, ntx_io *io)
{
    memset(io, 0, sizeof *io);
    io->read = ntx_test_memdisk_read;
    io->ctx = d;
    io->offset = 0;
    io->size = d->size;
    io->block_size = 512;
}
