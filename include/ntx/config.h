/*
 * ntx/config.h - compile-time limits of the ntx core.
 *
 * Every value can be overridden with -D on the compiler command line. The
 * limits bound the caller-owned memory (see ntx_workspace_size()) and the
 * work one call may do; a volume whose geometry exceeds them is refused at
 * mount with NTX_E_UNSUPPORTED, never overrun.
 */
#ifndef NTX_CONFIG_H
#define NTX_CONFIG_H

/* Largest MFT record accepted (NTFS uses 1024, or 4096 on 4 KiB-sector disks). */
#ifndef NTX_MAX_RECORD_SIZE
#define NTX_MAX_RECORD_SIZE 4096u
#endif

/* Largest index block ($INDEX_ALLOCATION node) accepted (NTFS uses 4096). */
#ifndef NTX_MAX_INDEX_BLOCK_SIZE
#define NTX_MAX_INDEX_BLOCK_SIZE 4096u
#endif

/* Largest device block (the alignment of every read the core asks for). */
#ifndef NTX_MAX_BLOCK_SIZE
#define NTX_MAX_BLOCK_SIZE 4096u
#endif

/* Deepest $I30 B+tree the directory iterator and lookup descend. Real trees
 * are 2 to 4 levels deep; 24 levels of 4 KiB nodes would index more names
 * than a volume can hold. */
#ifndef NTX_MAX_INDEX_DEPTH
#define NTX_MAX_INDEX_DEPTH 24u
#endif

/* Most steps one directory listing may take (about two per entry): bounds
 * the walk of a corrupt index whose nodes are shared by many parents. */
#ifndef NTX_DIR_FUEL_MAX
#define NTX_DIR_FUEL_MAX ((uint64_t)1 << 28)
#endif

/* Longest file name in UTF-16 code units (the NTFS limit). */
#define NTX_NAME_MAX 255u

/* Longest $ATTRIBUTE_LIST accepted, in bytes (ntfs-3g caps internal reads at
 * 256 KiB as well). Bounds the work of a single attribute lookup. */
#ifndef NTX_MAX_ATTRLIST_SIZE
#define NTX_MAX_ATTRLIST_SIZE (256u * 1024u)
#endif

/* Symbolic links followed while resolving one path (Linux uses 40). */
#ifndef NTX_MAX_SYMLINK_HOPS
#define NTX_MAX_SYMLINK_HOPS 40u
#endif

/* Number of general MFT record cache slots in the workspace (at least 2). */
#ifndef NTX_RECORD_SLOTS
#define NTX_RECORD_SLOTS 4u
#endif

/* Feature switches for small builds (1 = compiled in). */
#ifndef NTX_WITH_LZNT1
#define NTX_WITH_LZNT1 1
#endif

#endif
