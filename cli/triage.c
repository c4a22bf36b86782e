/*
 * triage.c - files a triage collection holds instead of an image: a copy of
 * $MFT (--mft-file), mounted alone through ntx_volume_mount_mft(), and a
 * copy of $UsnJrnl:$J (--journal-file, read by journal.c). The $MFT file is
 * read through a window mapped from the page cache and moved along as the
 * scans go through the records: a read(2) per record would cost more than
 * the record, and copying a gigabyte through read(2) into a buffer costs
 * twice what reading it takes. The window is unmapped as it moves, so the
 * memory used does not grow with the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "triage.h"

#define WINDOW (8u << 20)

struct triage_file {
    int fd;
    uint64_t size;
    uint8_t *win;             /* mapped [win_off, win_off + win_len) of the file, or NULL */
    uint64_t win_off;
    size_t win_len;
};

static int triage_read(void *ctx, uint64_t off, void *buf, size_t len)
{
    triage_file *t = ctx;
    if (off > t->size || len > t->size - off)
        return -EINVAL;
    if (t->win == NULL || off < t->win_off || off - t->win_off > t->win_len ||
        len > t->win_len - (off - t->win_off)) {
        if (t->win != NULL)
            munmap(t->win, t->win_len);
        t->win = NULL;
        uint64_t start = off & ~(uint64_t)(WINDOW - 1u);
        uint64_t end = off + len;
        uint64_t want = end - start < WINDOW ? WINDOW : ((end - start + 4095) & ~(uint64_t)4095);
        size_t n = (size_t)(t->size - start < want ? t->size - start : want);
        void *p = mmap(NULL, n, PROT_READ, MAP_PRIVATE, t->fd, (off_t)start);
        if (p == MAP_FAILED)
            return -errno;
        madvise(p, n, MADV_SEQUENTIAL);
        t->win = p;
        t->win_off = start;
        t->win_len = n;
    }
    memcpy(buf, t->win + (off - t->win_off), len);
    return 0;
}

bool triage_open_mft(cli_image *img, const cli_opts *o)
{
    memset(img, 0, sizeof *img);
    img->path = o->mft_file;
    triage_file *t = calloc(1, sizeof *t);
    if (t == NULL) {
        reportf(img, NULL, "out of memory");
        return false;
    }
    img->triage = t;
    t->fd = open(o->mft_file, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (t->fd < 0 || fstat(t->fd, &st) != 0) {
        reportf(img, NULL, "%s", strerror(errno));
        triage_close(img);
        return false;
    }
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
        reportf(img, NULL, "not a file (a copy of $MFT is expected)");
        triage_close(img);
        return false;
    }
    t->size = (uint64_t)st.st_size;
    img->dev_size = t->size;
    img->ws = malloc(NTX_WORKSPACE_MAX);
    if (img->ws == NULL) {
        reportf(img, NULL, "out of memory");
        triage_close(img);
        return false;
    }
    ntx_io io = { triage_read, t, 0, t->size, 512 };
    ntx_err rc = ntx_volume_mount_mft(&img->vol, &io, img->ws, NTX_WORKSPACE_MAX);
    if (rc == NTX_E_NOT_NTFS) {
        reportf(img, NULL, "not a copy of $MFT: %s at its start (record 0 must be $MFT's own "
                "record; `ntx cat IMAGE '$MFT'` writes one)", check_text(img->vol.diag.check));
        triage_close(img);
        return false;
    }
    if (rc != NTX_OK) {
        report(img, NULL, rc);
        triage_close(img);
        return false;
    }
    img->mounted = true;
    uint32_t rs = img->vol.geo.record_size;
    if (t->size % rs != 0 && !o->quiet)
        warnf("%s: %llu bytes after the last whole record of %u bytes are left out "
              "(a truncated copy?)", o->mft_file, (unsigned long long)(t->size % rs), rs);
    return true;
}

void triage_close(cli_image *img)
{
    triage_file *t = img->triage;
    if (img->mounted)
        ntx_volume_unmount(&img->vol);
    img->mounted = false;
    free(img->ws);
    img->ws = NULL;
    if (t != NULL) {
        if (t->win != NULL)
            munmap(t->win, t->win_len);
        if (t->fd >= 0)
            close(t->fd);
        free(t);
    }
    img->triage = NULL;
}
