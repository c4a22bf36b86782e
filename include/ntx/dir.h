/*
 * ntx/dir.h - directory iteration over the $I30 index B+tree.
 *
 * Entries come in index order (the $UpCase collation order Windows uses),
 * walked in order through the B+tree with a fixed-depth path kept inside the
 * iterator. The iterator is a plain value: copy it to remember a position
 * (a FUSE readdir offset) and resume from the copy later.
 */
#ifndef NTX_DIR_H
#define NTX_DIR_H

#include <stdbool.h>
#include <stdint.h>

#include "file.h"

/* $FILE_NAME namespaces. */
#define NTX_NS_POSIX 0u     /* case-sensitive, any character but '/' and NUL */
#define NTX_NS_WIN32 1u     /* the long name, with a separate DOS name */
#define NTX_NS_DOS 2u       /* the 8.3 name paired with a Win32 name */
#define NTX_NS_WIN32_DOS 3u /* a name valid in both, stored once */

/* ntx_dir_iter_open() flags. */
#define NTX_DIR_SKIP_DOS 0x1u  /* leave out DOS-only (NTX_NS_DOS) 8.3 duplicates */
#define NTX_DIR_SKIP_SELF 0x2u /* leave out entries naming the directory itself (the root's ".") */
#define NTX_DIR_ROOT_ONLY 0x4u /* only the entries of the $INDEX_ROOT node, never its index
                                * blocks (what a copy of $MFT alone holds: ntx_volume_mount_mft()) */

typedef struct ntx_dirent {
    uint64_t mft_ref;         /* the file's record number and sequence number */
    uint64_t parent_ref;      /* the directory, as this name records it */
    uint64_t times[4];        /* $FILE_NAME times copied in the index (NTX_TIME_*; may be stale) */
    uint64_t alloc_size;      /* sizes copied in the index: may be stale, use ntx_file_stat() */
    uint64_t data_size;
    uint32_t file_attrs;      /* NTX_FA_* as in the index; NTX_FA_DUP_DIRECTORY for directories */
    uint32_t reparse_tag;     /* reparse tag recorded in the name, 0 if none */
    uint8_t name_space;       /* NTX_NS_* */
    uint8_t name_len;         /* in UTF-16 units */
    bool is_dir;
    uint16_t name[NTX_NAME_MAX]; /* raw UTF-16 name, not NUL-terminated */
} ntx_dirent;

/* One level of the path from the root node to the current entry. */
typedef struct ntx_dir_level {
    uint64_t vcn;         /* index block VCN, or UINT64_MAX for $INDEX_ROOT */
    uint32_t off;         /* offset of the current entry in the node */
    uint8_t child_done;   /* the entry's subtree has been listed */
} ntx_dir_level;

typedef struct ntx_dir_iter {
    ntx_volume *vol;
    uint32_t gen;
    uint64_t dir_mft_no;
    uint32_t flags;
    ntx_err err;              /* sticky error: returned again by every later call */
    uint64_t fuel;            /* steps left; bounds a corrupt tree's walk */
    uint64_t root_rec;        /* record holding $INDEX_ROOT:$I30, and its offset there */
    uint32_t root_off;
    uint8_t depth;            /* levels in use */
    ntx_dir_level level[NTX_MAX_INDEX_DEPTH];
    ntx_stream alloc;         /* the directory's $INDEX_ALLOCATION:$I30, if any */
    bool has_alloc;
} ntx_dir_iter;

/**
 * ntx_dir_iter_open() - start listing directory f.
 * Reads:   f's record ($INDEX_ROOT, $INDEX_ALLOCATION header).
 * Returns: NTX_OK; NTX_E_NOT_DIR; NTX_E_STALE; NTX_E_CORRUPT; record errors.
 */
ntx_err ntx_dir_iter_open(ntx_dir_iter *it, const ntx_file *f, uint32_t flags);

/**
 * ntx_dir_iter_next() - the next entry in index order.
 * Reads:   the directory's record and index blocks as the walk needs them.
 * Returns: NTX_OK with *ent; NTX_END after the last entry; NTX_E_CORRUPT (a
 *          bad node, entry or name, or a child node already on the path:
 *          NTX_CHK_INDEX_CYCLE), NTX_E_LIMIT (depth over NTX_MAX_INDEX_DEPTH,
 *          or the step budget is spent), NTX_E_STALE. An error is sticky.
 */
ntx_err ntx_dir_iter_next(ntx_dir_iter *it, ntx_dirent *ent);

/**
 * ntx_dir_lookup() - find name (UTF-16, name_len units) in directory dir.
 *
 * Collation as Windows: names equal through $UpCase match; an exact-case match
 * is preferred over a case-insensitive one.
 * Reads:   the directory's nodes on one root-to-leaf path (two when the exact
 *          case is absent).
 * Returns: NTX_OK with *ent; NTX_E_NOT_FOUND; NTX_E_NOT_DIR; NTX_E_CORRUPT;
 *          NTX_E_LIMIT; record errors.
 */
ntx_err ntx_dir_lookup(const ntx_file *dir, const uint16_t *name, size_t name_len, ntx_dirent *ent);

#endif
