/*
 * ntfs-put - copy host files into an NTFS image through libntfs-3g, making
 * the directories on the way (ntfscp cannot make directories), without
 * mounting anything; then print the volume's free clusters as libntfs-3g
 * counts them, the oracle the driver's EFI_FILE_SYSTEM_INFO is checked
 * against.
 *
 *   ntfs-put IMAGE [NTFS_PATH HOST_FILE]...
 *   prints: free_clusters N
 *
 * NTFS_PATH is '/'-separated from the root; an existing file is an error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ntfs-3g/types.h>
#include <ntfs-3g/attrib.h>
#include <ntfs-3g/dir.h>
#include <ntfs-3g/inode.h>
#include <ntfs-3g/unistr.h>
#include <ntfs-3g/volume.h>

static ntfs_inode *child(ntfs_volume *vol, ntfs_inode *dir, const char *name, mode_t type)
{
    ntfs_inode *ni = ntfs_pathname_to_inode(vol, dir, name);
    if (ni != NULL) {
        if (type == S_IFREG) {
            fprintf(stderr, "ntfs-put: %s exists\n", name);
            ntfs_inode_close(ni);
            return NULL;
        }
        return ni;
    }
    ntfschar *uname = NULL;
    int len = ntfs_mbstoucs(name, &uname);
    if (len <= 0) {
        fprintf(stderr, "ntfs-put: bad name %s\n", name);
        return NULL;
    }
    ni = ntfs_create(dir, const_cpu_to_le32(0), uname, (u8)len, type);
    free(uname);
    if (ni == NULL)
        fprintf(stderr, "ntfs-put: cannot create %s: %s\n", name, strerror(errno));
    return ni;
}

static int put(ntfs_volume *vol, const char *path, const char *host)
{
    FILE *in = fopen(host, "rb");
    if (in == NULL) {
        perror(host);
        return -1;
    }
    fseek(in, 0, SEEK_END);
    long size = ftell(in);
    fseek(in, 0, SEEK_SET);
    char *data = malloc(size > 0 ? (size_t)size : 1);
    if (data == NULL || fread(data, 1, (size_t)size, in) != (size_t)size) {
        fclose(in);
        free(data);
        return -1;
    }
    fclose(in);

    char *copy = strdup(path);
    ntfs_inode *dir = ntfs_inode_open(vol, FILE_root);
    int rc = -1;
    char *save = NULL;
    char *comp = strtok_r(copy, "/", &save);
    while (comp != NULL && dir != NULL) {
        char *next = strtok_r(NULL, "/", &save);
        ntfs_inode *ni = child(vol, dir, comp, next != NULL ? S_IFDIR : S_IFREG);
        ntfs_inode_close(dir);
        dir = ni;
        if (next == NULL && ni != NULL) {
            ntfs_attr *na = ntfs_attr_open(ni, AT_DATA, AT_UNNAMED, 0);
            if (na != NULL && ntfs_attr_pwrite(na, 0, size, data) == size)
                rc = 0;
            else
                fprintf(stderr, "ntfs-put: cannot write %s: %s\n", path, strerror(errno));
            if (na != NULL)
                ntfs_attr_close(na);
        }
        comp = next;
    }
    if (dir != NULL)
        ntfs_inode_close(dir);
    free(copy);
    free(data);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc % 2 != 0) {
        fprintf(stderr, "usage: ntfs-put IMAGE [NTFS_PATH HOST_FILE]...\n");
        return 2;
    }
    ntfs_volume *vol = ntfs_mount(argv[1], 0);
    if (vol == NULL) {
        fprintf(stderr, "ntfs-put: cannot open %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    int rc = 0;
    for (int i = 2; i + 1 < argc && rc == 0; i += 2)
        rc = put(vol, argv[i], argv[i + 1]);
    if (rc == 0 && ntfs_volume_get_free_space(vol) == 0)
        printf("free_clusters %lld\n", (long long)vol->free_clusters);
    if (ntfs_umount(vol, FALSE) != 0)
        rc = -1;
    return rc == 0 ? 0 : 1;
}
