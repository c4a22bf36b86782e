/*
 * image.c - the image file: opened O_RDONLY (never written; O_NOATIME when
 * the kernel allows it), read through pread() with a small read-ahead cache,
 * the volume found on a partitioned disk, and mounted.
 *
 * The cache: the core asks for one MFT record or index block at a time. A
 * walk over $MFT (ntx mft, ntx timeline) would turn into one pread() per
 * record, so small reads are served from aligned 256 KiB windows kept in
 * a few LRU slots; large reads (file data) go straight into the core's
 * buffer. This is I/O only: the bytes are handed to the core unparsed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define WINDOW_SHIFT 18u            /* 256 KiB windows */
#define WINDOW_SIZE (1u << WINDOW_SHIFT)
#define CACHE_SLOTS 16u             /* 4 MiB */
#define DIRECT_MIN (64u * 1024u)    /* reads this large bypass the cache */

struct cache_slot {
    uint64_t win;   /* window number, UINT64_MAX if empty */
    uint32_t len;   /* valid bytes (short at the end of the device) */
    uint32_t tick;
    uint8_t *data;
};

static int pread_full(int fd, uint64_t off, void *buf, size_t len, size_t *got)
{
    uint8_t *p = buf;
    size_t done = 0;
    *got = 0;
    while (done < len) {
        ssize_t n = pread(fd, p + done, len - done, (off_t)(off + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            break; /* end of file */
        done += (size_t)n;
    }
    *got = done;
    return 0;
}

static struct cache_slot *cache_get(cli_image *img, uint64_t win, int *err)
{
    struct cache_slot *victim = &img->slots[0];
    for (unsigned i = 0; i < img->nslots; i++) {
        struct cache_slot *s = &img->slots[i];
        if (s->win == win) {
            s->tick = ++img->tick;
            return s;
        }
        if (s->win == UINT64_MAX || s->tick < victim->tick)
            victim = s;
    }
    size_t got = 0;
    victim->win = UINT64_MAX;
    int rc = pread_full(img->fd, win << WINDOW_SHIFT, victim->data, WINDOW_SIZE, &got);
    img->preads++;
    if (rc != 0) {
        *err = rc;
        return NULL;
    }
    img->bytes_read += got;
    victim->win = win;
    victim->len = (uint32_t)got;
    victim->tick = ++img->tick;
    return victim;
}

/* The ntx_io read callback: exact reads, 0 or a negative errno. */
static int image_read(void *ctx, uint64_t off, void *buf, size_t len)
{
    cli_image *img = ctx;
    if (len >= DIRECT_MIN || img->slots == NULL) {
        size_t got = 0;
        int rc = pread_full(img->fd, off, buf, len, &got);
        img->preads++;
        img->bytes_read += got;
        if (rc != 0)
            return rc;
        return got == len ? 0 : -EIO;
    }
    uint8_t *p = buf;
    while (len > 0) { /* bound: len shrinks by at least one byte per window */
        uint64_t win = off >> WINDOW_SHIFT;
        uint32_t in = (uint32_t)(off & (WINDOW_SIZE - 1u));
        int err = -EIO;
        struct cache_slot *s = cache_get(img, win, &err);
        if (s == NULL)
            return err;
        if (in >= s->len)
            return -EIO; /* past the end of the image */
        size_t n = s->len - in;
        if (n > len)
            n = len;
        memcpy(p, s->data + in, n);
        p += n;
        off += n;
        len -= n;
    }
    return 0;
}

ntx_io image_io(cli_image *img, uint64_t vol_offset)
{
    ntx_io io;
    memset(&io, 0, sizeof io);
    io.read = image_read;
    io.ctx = img;
    io.offset = vol_offset;
    io.size = img->dev_size > vol_offset ? img->dev_size - vol_offset : 0;
    io.block_size = 512;
    return io;
}

bool image_open_device(cli_image *img, const char *path)
{
    memset(img, 0, sizeof *img);
    img->path = path;
    img->fd = -1;
    int flags = O_RDONLY | O_CLOEXEC;
#ifdef O_NOATIME
    img->fd = open(path, flags | O_NOATIME);
    if (img->fd < 0 && errno == EPERM) /* O_NOATIME needs ownership */
#endif
        img->fd = open(path, flags);
    if (img->fd < 0) {
        reportf(NULL, path, "cannot open: %s", strerror(errno));
        return false;
    }
    struct stat sb;
    if (fstat(img->fd, &sb) != 0) {
        reportf(NULL, path, "cannot stat: %s", strerror(errno));
        close(img->fd);
        img->fd = -1;
        return false;
    }
    if (S_ISDIR(sb.st_mode)) {
        reportf(NULL, path, "is a directory, not an image");
        close(img->fd);
        img->fd = -1;
        return false;
    }
    if (S_ISREG(sb.st_mode)) {
        img->dev_size = (uint64_t)sb.st_size;
    } else {
        off_t end = lseek(img->fd, 0, SEEK_END); /* block devices */
        img->dev_size = end > 0 ? (uint64_t)end : 0;
    }
    img->nslots = CACHE_SLOTS;
    img->slots = calloc(CACHE_SLOTS, sizeof *img->slots);
    uint8_t *mem = malloc((size_t)CACHE_SLOTS * WINDOW_SIZE);
    if (img->slots == NULL || mem == NULL) {
        free(img->slots);
        free(mem);
        img->slots = NULL;
        img->nslots = 0;
    } else {
        for (unsigned i = 0; i < CACHE_SLOTS; i++) {
            img->slots[i].win = UINT64_MAX;
            img->slots[i].data = mem + (size_t)i * WINDOW_SIZE;
        }
    }
    return true;
}

/* Probe the boot sector at off; *why gets the failure. */
static ntx_err probe_at(cli_image *img, uint64_t off, uint64_t size, ntx_geometry *geo,
                        ntx_diag *diag)
{
    static uint8_t block[NTX_MAX_BLOCK_SIZE];
    ntx_io io = image_io(img, off);
    if (size != 0)
        io.size = size;
    memset(diag, 0, sizeof *diag);
    return ntx_volume_probe(&io, block, sizeof block, geo, diag);
}

static const char *probe_words(ntx_err rc, const ntx_diag *d)
{
    if (rc == NTX_E_NOT_NTFS && d->err == rc && d->check != 0)
        return check_text(d->check);
    return ntx_strerror(rc);
}

/* Choose the volume: --offset, a bare volume at 0, or a partition. */
static bool image_locate(cli_image *img, const cli_opts *o, uint64_t *vol_size)
{
    ntx_geometry geo;
    ntx_diag diag;
    *vol_size = 0;
    if (o->have_offset) {
        if (o->offset % 512 != 0) {
            reportf(img, NULL, "--offset %llu is not a multiple of 512",
                    (unsigned long long)o->offset);
            return false;
        }
        if (o->offset >= img->dev_size && img->dev_size != 0) {
            reportf(img, NULL, "--offset %llu is past the end of the image (%llu bytes)",
                    (unsigned long long)o->offset, (unsigned long long)img->dev_size);
            return false;
        }
        img->vol_offset = o->offset;
        return true;
    }
    if (!o->have_partition) {
        ntx_err rc = probe_at(img, 0, 0, &geo, &diag);
        if (rc == NTX_OK) {
            img->vol_offset = 0;
            return true;
        }
    }
    static uint8_t block[8192];
    ntx_partition_iter it;
    ntx_io io = image_io(img, 0);
    ntx_err rc = ntx_partition_open(&it, &io, block, sizeof block);
    if (rc != NTX_OK && !o->have_partition) { /* none, or unreadable (a file under 1 KiB) */
        ntx_err prc = probe_at(img, 0, 0, &geo, &diag);
        reportf(img, NULL, "no NTFS volume and no partition table (%s)", probe_words(prc, &diag));
        return false;
    }
    if (rc == NTX_E_NOT_FOUND) {
        if (o->have_partition) {
            reportf(img, NULL, "--partition %u: the image has no partition table",
                    o->partition);
            return false;
        }
        rc = probe_at(img, 0, 0, &geo, &diag);
        reportf(img, NULL, "no NTFS volume and no partition table (%s)", probe_words(rc, &diag));
        return false;
    }
    if (rc != NTX_OK) {
        reportf(img, NULL, "reading the partition table: %s", ntx_strerror(rc));
        return false;
    }
    ntx_partition p;
    unsigned found = 0, count = 0;
    ntx_partition chosen;
    memset(&chosen, 0, sizeof chosen);
    while ((rc = ntx_partition_next(&it, &p)) == NTX_OK) {
        count++;
        ntx_err prc = probe_at(img, p.offset, p.size, &geo, &diag);
        if (o->have_partition) {
            if (p.index != o->partition)
                continue;
            if (prc != NTX_OK) {
                reportf(img, NULL, "partition %u (offset %llu) holds no NTFS volume: %s",
                        p.index, (unsigned long long)p.offset, probe_words(prc, &diag));
                return false;
            }
            chosen = p;
            found = 1;
            break;
        }
        if (prc == NTX_OK) {
            if (found == 0)
                chosen = p;
            found++;
        }
    }
    if (rc != NTX_OK && rc != NTX_END && found == 0) {
        reportf(img, NULL, "reading the partition table: %s", ntx_strerror(rc));
        return false;
    }
    if (o->have_partition && found == 0) {
        reportf(img, NULL, "--partition %u: no such partition (%u found; see `%s partitions`)",
                o->partition, count, g_prog);
        return false;
    }
    if (found == 0) {
        reportf(img, NULL, "no NTFS volume in any of its %u partitions", count);
        return false;
    }
    if (found > 1) {
        reportf(img, NULL,
                "%u partitions hold NTFS volumes: choose one with --partition N (see `%s "
                "partitions`)",
                found, g_prog);
        return false;
    }
    img->vol_offset = chosen.offset;
    img->part_index = chosen.index;
    img->part_scheme = chosen.scheme;
    *vol_size = chosen.size;
    return true;
}

bool image_open(cli_image *img, const cli_opts *o)
{
    if (!image_open_device(img, o->image))
        return false;
    uint64_t vol_size;
    if (!image_locate(img, o, &vol_size)) {
        image_close(img);
        return false;
    }
    ntx_io io = image_io(img, img->vol_offset);
    if (vol_size != 0 && vol_size < io.size)
        io.size = vol_size;
    img->ws = malloc(NTX_WORKSPACE_MAX);
    if (img->ws == NULL) {
        reportf(img, NULL, "out of memory");
        image_close(img);
        return false;
    }
    ntx_err rc = ntx_volume_mount(&img->vol, &io, img->ws, NTX_WORKSPACE_MAX);
    if (rc != NTX_OK) {
        report(img, NULL, rc);
        image_close(img);
        return false;
    }
    img->mounted = true;
    img->upcase = malloc(65536 * sizeof(uint16_t));
    if (img->upcase != NULL && ntx_volume_attach_upcase(&img->vol, img->upcase, 65536) != NTX_OK) {
        /* collation then reads $UpCase blocks on demand: slower, same answers */
        free(img->upcase);
        img->upcase = NULL;
    }
    return true;
}

void image_close(cli_image *img)
{
    if (img->mounted)
        ntx_volume_unmount(&img->vol);
    img->mounted = false;
    free(img->ws);
    free(img->upcase);
    if (img->slots != NULL)
        free(img->slots[0].data);
    free(img->slots);
    if (img->fd >= 0)
        close(img->fd);
    img->ws = NULL;
    img->upcase = NULL;
    img->slots = NULL;
    img->fd = -1;
}
