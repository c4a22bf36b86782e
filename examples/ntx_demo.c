/*
 * ntx-demo - list an NTFS image and print one file from it, through the
 * public ntx API with a pread() callback. A hosted program: the way a tool
 * links the library (the firmware-style example is the freestanding one).
 *
 * usage: ntx-demo IMAGE [PATH]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ntx.h"

static int pread_cb(void *ctx, uint64_t off, void *buf, size_t len)
{
    int fd = *(int *)ctx;
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = pread(fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? -errno : -EIO;
        p += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
    return 0;
}

static void fail(const char *what, ntx_err rc, const ntx_volume *vol)
{
    fprintf(stderr, "ntx-demo: %s: %s", what, ntx_strerror(rc));
    if (vol != NULL && vol->diag.err == rc)
        fprintf(stderr, " (check %u, record %lld, offset %llu)", vol->diag.check,
                vol->diag.mft_no == UINT64_MAX ? -1LL : (long long)vol->diag.mft_no,
                (unsigned long long)vol->diag.offset);
    fputc('\n', stderr);
    exit(1);
}

/* Depth-first listing with an explicit stack of open directory iterators. */
static void list_tree(ntx_volume *vol)
{
    enum { MAX_DEPTH = 64 };
    static ntx_dir_iter stack[MAX_DEPTH];
    static size_t prefix_len[MAX_DEPTH];
    static char path[8192];
    ntx_dirent ent;
    ntx_file f;
    int depth = 0;

    ntx_err rc = ntx_file_open(&f, vol, NTX_MFT_ROOT, 0);
    if (rc == NTX_OK)
        rc = ntx_dir_iter_open(&stack[0], &f, NTX_DIR_SKIP_DOS | NTX_DIR_SKIP_SELF);
    if (rc != NTX_OK)
        fail("root directory", rc, vol);
    prefix_len[0] = 0;
    printf("%-4s %12s %8s  %s\n", "type", "size", "mft", "path");
    while (depth >= 0) {
        rc = ntx_dir_iter_next(&stack[depth], &ent);
        if (rc == NTX_END) {
            depth--;
            continue;
        }
        if (rc != NTX_OK)
            fail("listing", rc, vol);
        if (NTX_REF_MFT(ent.mft_ref) < 16)
            continue; /* $MFT, $LogFile, ... */
        char name[1024];
        size_t len;
        if (ntx_utf16_to_utf8(ent.name, ent.name_len, name, sizeof name, &len, NTX_UTF16_WTF8) != NTX_OK)
            continue;
        size_t base = prefix_len[depth];
        snprintf(path + base, sizeof path - base, "/%s", name);

        ntx_stat st;
        rc = ntx_file_open(&f, vol, ent.mft_ref, 0);
        if (rc == NTX_OK)
            rc = ntx_file_stat(&f, &st);
        if (rc != NTX_OK) {
            printf("%-4s %12s %8llu  %s (%s)\n", "?", "-", (unsigned long long)NTX_REF_MFT(ent.mft_ref), path,
                   ntx_strerror(rc));
            continue;
        }
        const char *type = st.is_dir ? "dir" : st.reparse_tag ? "link" : "file";
        printf("%-4s %12llu %8llu  %s\n", type, (unsigned long long)st.size,
               (unsigned long long)NTX_REF_MFT(ent.mft_ref), path);
        if (st.is_dir && st.reparse_tag == 0 && depth + 1 < MAX_DEPTH &&
            ntx_dir_iter_open(&stack[depth + 1], &f, NTX_DIR_SKIP_DOS | NTX_DIR_SKIP_SELF) == NTX_OK) {
            depth++;
            prefix_len[depth] = strlen(path);
        }
    }
}

static void cat_file(ntx_volume *vol, const char *path)
{
    static ntx_stream s;
    static uint8_t buf[65536];
    ntx_file f;
    ntx_err rc = ntx_file_open_path(&f, vol, path, strlen(path));
    if (rc == NTX_OK)
        rc = ntx_stream_open_data(&s, &f, NULL, 0);
    if (rc != NTX_OK)
        fail(path, rc, vol);
    printf("\n--- %s (%llu bytes) ---\n", path, (unsigned long long)s.size);
    fflush(stdout);
    for (uint64_t off = 0;;) {
        size_t got;
        rc = ntx_stream_read(&s, off, buf, sizeof buf, &got);
        if (rc != NTX_OK)
            fail(path, rc, vol);
        if (got == 0)
            break;
        if (fwrite(buf, 1, got, stdout) != got)
            exit(1);
        off += got;
    }
}

int main(int argc, char **argv)
{
    static ntx_volume vol;
    static uint8_t ws[NTX_WORKSPACE_MAX];
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: ntx-demo IMAGE [PATH]\n");
        return 2;
    }
    int fd = open(argv[1], O_RDONLY);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        fprintf(stderr, "ntx-demo: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    ntx_io io = { pread_cb, &fd, 0, (uint64_t)sb.st_size, 512 };
    ntx_err rc = ntx_volume_mount(&vol, &io, ws, sizeof ws);
    if (rc != NTX_OK)
        fail(argv[1], rc, &vol);

    ntx_volume_info info;
    char label[400] = "";
    size_t len;
    if (ntx_volume_get_info(&vol, &info) == NTX_OK)
        ntx_utf16_to_utf8(info.label, info.label_len, label, sizeof label, &len, NTX_UTF16_WTF8);
    printf("%s: NTFS %u.%u, label \"%s\", serial %016llx, %llu clusters of %u bytes%s\n\n",
           argv[1], info.major, info.minor, label, (unsigned long long)info.geo.serial,
           (unsigned long long)info.geo.cluster_count, info.geo.cluster_size,
           info.dirty ? ", dirty" : "");
    list_tree(&vol);
    if (argc == 3)
        cat_file(&vol, argv[2]);
    ntx_volume_unmount(&vol);
    close(fd);
    return 0;
}
