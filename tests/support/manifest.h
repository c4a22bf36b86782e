/*
 * manifest.h - the fixture manifests (fixtures/NAME.manifest, written by
 * fixtures/manifest.py from the ntfs-3g view of each image): what the tests
 * expect ntx to find. Hosted C, libc only.
 *
 * One object per line, tab separated:
 *     TYPE MFT SIZE NLINK SHA256 TARGET PATH
 * TYPE is d, f, l (symlink / reparse point) or s (a named stream, PATH is
 * "path:stream", split at the last ':'); SHA256 and TARGET are "-" when
 * absent. '#' lines are comments; the header ones are parsed:
 *     # label: X   # image: X   # mountpoint: X
 *     # sector_size: N   # cluster_size: N   # record_size: N
 *     # total_clusters: N   # free_clusters: N   (statvfs on the ntfs-3g mount)
 *     # reparse<TAB>PATH<TAB>HEX      (raw REPARSE_DATA_BUFFER)
 *     # dos_name<TAB>PATH<TAB>NAME    (the DOS 8.3 name)
 */
#ifndef NTX_TEST_MANIFEST_H
#define NTX_TEST_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

struct ntx_test_manifest_entry {
    char type;            /* 'd', 'f', 'l' or 's' */
    uint64_t mft;         /* MFT record number (the ntfs-3g inode) */
    uint64_t size;        /* bytes of data (of the stream for 's'); 0 for 'd' */
    uint64_t nlink;
    char sha256[65];      /* lowercase hex of the data, "" for '-' */
    char *target;         /* symlink target as ntfs-3g shows it, NULL for '-' */
    char *path;           /* absolute UTF-8 path, without the stream */
    char *stream;         /* the stream name for 's', NULL otherwise */
    char *dos_name;       /* from a '# dos_name' line, or NULL */
    uint8_t *reparse;     /* from a '# reparse' line, or NULL */
    size_t reparse_len;
    unsigned line;        /* line number in the manifest (1-based) */
};

struct ntx_test_manifest {
    struct ntx_test_manifest_entry *entries; /* in file order */
    size_t count;
    char *label;          /* header values, NULL or 0 when absent */
    char *image;
    char *mountpoint;
    uint32_t sector_size;
    uint32_t cluster_size;
    uint32_t record_size;
    uint32_t total_clusters;  /* statvfs() f_blocks and f_bfree on the ntfs-3g mount, 0 if absent */
    uint32_t free_clusters;
    const struct ntx_test_manifest_entry **sorted; /* private: by (path, stream) */
};

/*
 * Parse the manifest at path into m. Returns 0, or a negative errno (-ENOENT,
 * -ENOMEM; -EINVAL for a malformed line, a duplicate (path, stream) or a note
 * naming no row, with "path:line: reason" printed on stderr). m is empty on
 * failure; free it with ntx_test_manifest_free() in both cases.
 */
int ntx_test_manifest_load(const char *path, struct ntx_test_manifest *m);
void ntx_test_manifest_free(struct ntx_test_manifest *m);

/* The row of path (exact bytes), or of its named stream; NULL when absent. O(log n). */
const struct ntx_test_manifest_entry *ntx_test_manifest_find(const struct ntx_test_manifest *m,
                                                             const char *path,
                                                             const char *stream);

/* tests/CMakeLists.txt defines it; the fallback serves a build from the top directory. */
#ifndef NTX_FIXTURES_DIR
#define NTX_FIXTURES_DIR "fixtures"
#endif

/*
 * Join the fixtures directory and name into buf: $NTX_FIXTURES_DIR from the
 * environment if set, else the NTX_FIXTURES_DIR the build defines. Returns 0,
 * or -ENAMETOOLONG (buf holds "" then).
 */
int ntx_test_fixture_path(char *buf, size_t cap, const char *name);

#endif
