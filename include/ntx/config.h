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

#include <stdint.h>

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

/*
 * Profiles: feature switches for small builds (1 = compiled in).
 *
 * Pick a profile with -DNTX_PROFILE=NTX_PROFILE_xxx when compiling the core
 * (and the code that sizes its workspace): it sets the default of each
 * NTX_WITH_ switch below, and any switch can still be set on its own with -D.
 * Every build returns correct data or a clean error: a feature left out
 * makes the calls that need it fail with NTX_E_UNSUPPORTED, never read
 * wrong bytes (NTX_WITH_UPCASE states the one assumption a switch makes).
 * examples/firmware/footprint.sh measures each profile.
 *
 *   NTX_PROFILE_FULL     everything (the default).
 *   NTX_PROFILE_BOOT     reads every file the full build reads (LZNT1 and
 *                        attribute lists included) with the smallest error
 *                        reporting: no diagnostics, no error texts, no
 *                        recovery from a bad boot sector or $MFT record, no
 *                        named streams, no deleted files. For boot loaders.
 *   NTX_PROFILE_MINIMAL  as BOOT, and only files without compression and
 *                        without an attribute list, and only ASCII paths
 *                        without "..", folded by ASCII rules: opens a path
 *                        and reads plain, sparse and resident files (what
 *                        most boot partitions hold).
 *
 * Under --gc-sections (the core is built with -ffunction-sections) a program
 * also pays nothing for the API it does not call: directory listing, stat,
 * reparse points, attribute iteration, partitions, volume information, the
 * forensic API. Build the library and the code that sizes its workspace
 * (NTX_WORKSPACE_SIZE) with the same profile: a workspace smaller than the
 * library's profile needs is refused at mount (NTX_E_WORKSPACE), never overrun.
 */
#define NTX_PROFILE_FULL 0
#define NTX_PROFILE_BOOT 1
#define NTX_PROFILE_MINIMAL 2
#ifndef NTX_PROFILE
#define NTX_PROFILE NTX_PROFILE_FULL
#endif
#if NTX_PROFILE != NTX_PROFILE_FULL && NTX_PROFILE != NTX_PROFILE_BOOT && \
    NTX_PROFILE != NTX_PROFILE_MINIMAL
#error "NTX_PROFILE must be NTX_PROFILE_FULL, NTX_PROFILE_BOOT or NTX_PROFILE_MINIMAL"
#endif
#define NTX_PROFILE_DEFAULT_ (NTX_PROFILE == NTX_PROFILE_FULL)

/* LZNT1-compressed streams. 0: opening one answers NTX_E_UNSUPPORTED; the
 * workspace shrinks by 12.5 to 16 KiB (NTX_WORKSPACE_SIZE). */
#ifndef NTX_WITH_LZNT1
#define NTX_WITH_LZNT1 (NTX_PROFILE != NTX_PROFILE_MINIMAL)
#endif

/* Windows Overlay Filter (WOF) compression: files Windows 10/11 store with
 * "CompactOS" or `compact /exe` (XPRESS 4K/8K/16K, LZX), read as their
 * uncompressed bytes; and the reparse data that says a file's data is
 * stored elsewhere (WIMBoot, Data Deduplication, cloud placeholders, HSM:
 * NTX_E_EXTERNAL). 0: opening the data of any file with a reparse point
 * answers NTX_E_UNSUPPORTED (where its data is cannot be told without
 * reading the reparse data), and the workspace shrinks by about 74 KiB (a
 * chunk in, a chunk out and the decoders' tables). On in the boot profile:
 * a loader reading a CompactOS Windows installation needs it. */
#ifndef NTX_WITH_WOF
#define NTX_WITH_WOF (NTX_PROFILE != NTX_PROFILE_MINIMAL)
#endif

/* $ATTRIBUTE_LIST: files whose attributes spill into extension records (many
 * fragments, many hard links, big directories) and an $MFT whose runlist
 * outgrew record 0. 0: a stream, directory or attribute walk of such a file
 * answers NTX_E_UNSUPPORTED, and so does an MFT record past $MFT's first
 * extent; files without a list read exactly as in the full build. Every
 * value then has one extent, so a read decodes that extent's runs from its
 * start, with the same checks and errors, instead of keeping the full
 * build's cursor, which decodes each run once across calls (less code; a
 * read call costs a walk of the file's runlist, which a loader reading a
 * file in a few large calls does not notice). */
#ifndef NTX_WITH_ATTRLIST
#define NTX_WITH_ATTRLIST (NTX_PROFILE != NTX_PROFILE_MINIMAL)
#endif

/* Recovery: the backup boot sector when the primary is bad, and the $MFTMirr
 * copy of a bad $MFT record 0-3. 0: such volumes fail to mount
 * (NTX_E_NOT_NTFS, or the record's error). */
#ifndef NTX_WITH_RECOVERY
#define NTX_WITH_RECOVERY NTX_PROFILE_DEFAULT_
#endif

/* Diagnostics: where a failure was detected (vol->diag, the diag argument of
 * ntx_volume_probe()). 0: the same error codes are returned but nothing is
 * recorded; vol->diag stays as mount cleared it. */
#ifndef NTX_WITH_DIAG
#define NTX_WITH_DIAG NTX_PROFILE_DEFAULT_
#endif

/* Error texts. 0: ntx_strerror() answers "success" or "ntx error". */
#ifndef NTX_WITH_STRERROR
#define NTX_WITH_STRERROR NTX_PROFILE_DEFAULT_
#endif

/* ".." in paths given to ntx_file_open_path(). 0: such a path answers
 * NTX_E_UNSUPPORTED ("." and empty components still work). */
#ifndef NTX_WITH_DOTDOT
#define NTX_WITH_DOTDOT (NTX_PROFILE != NTX_PROFILE_MINIMAL)
#endif

/* Non-ASCII path components in ntx_file_open_path(). 0: a path holding a
 * byte of 0x80 or above answers NTX_E_UNSUPPORTED; ASCII paths open exactly
 * what the full build opens (an ASCII byte is the same code unit in UTF-8
 * and UTF-16; see also NTX_WITH_UPCASE), so the UTF-8 decoder is left out. */
#ifndef NTX_WITH_UNICODE_PATHS
#define NTX_WITH_UNICODE_PATHS (NTX_PROFILE != NTX_PROFILE_MINIMAL)
#endif

/* Case folding through the volume's $UpCase table in name lookups. 0: the
 * table is neither checked nor read at mount, and lookups fold ASCII letters
 * only, taking every code unit of 0x80 or above to be its own upper case
 * and above every ASCII letter: true of the table mkntfs writes, which
 * follows Windows' (checked: no unit of 0x80 or above folds into ASCII). A
 * lookup that needs the upper case of such a unit in the name looked for
 * answers NTX_E_UNSUPPORTED, unless ntx_volume_attach_upcase() gave the
 * whole table. On a volume whose $UpCase breaks that assumption a lookup
 * may find another name than the full build (or none); the bytes read are
 * still those of the file found. */
#ifndef NTX_WITH_UPCASE
#define NTX_WITH_UPCASE (NTX_PROFILE != NTX_PROFILE_MINIMAL)
#endif

/* Deleted files: ntx_file_open() with NTX_OPEN_DELETED (file.h, forensic.h),
 * and their attribute lists read as far as they are intact (ntx/attr.h).
 * 0: that flag answers NTX_E_UNSUPPORTED; a boot loader never opens a
 * deleted file, and the code that tolerates their stale lists goes. */
#ifndef NTX_WITH_DELETED
#define NTX_WITH_DELETED NTX_PROFILE_DEFAULT_
#endif

/* A copy of $MFT mounted alone (ntx_volume_mount_mft(), volume.h): the
 * triage collections' file, with no volume behind it. 0: that call answers
 * NTX_E_UNSUPPORTED, and the record and device readers lose the test that
 * serves it; a boot loader always has the volume. */
#ifndef NTX_WITH_MFT_FILE
#define NTX_WITH_MFT_FILE NTX_PROFILE_DEFAULT_
#endif

/* Named $DATA streams by UTF-8 name. 0: ntx_stream_open_data() with a name
 * answers NTX_E_UNSUPPORTED (ntx_stream_open() still opens any attribute). */
#ifndef NTX_WITH_NAMED_STREAMS
#define NTX_WITH_NAMED_STREAMS NTX_PROFILE_DEFAULT_
#endif

/* Word-at-a-time copy and zero fill in the core's own memcpy and memset
 * (src/mem.c). 0: byte loops, about 140 bytes less code on x86-64; copies of
 * partial device blocks and resident values, and the zero fill of sparse
 * runs and of bytes past the initialized size, run slower. */
#ifndef NTX_WITH_WORD_MEM
#define NTX_WITH_WORD_MEM (NTX_PROFILE != NTX_PROFILE_MINIMAL)
#endif

/* Number of general MFT record cache slots in the workspace. With
 * NTX_WITH_ATTRLIST at least 2: a base record and one of its extension
 * records are in use together. Without attribute lists no caller holds two
 * records at once, and the minimal profile keeps one slot: walking a path
 * re-reads no record (each directory searched is the record just opened),
 * nor does reading a file, and the workspace is three records smaller. */
#ifndef NTX_RECORD_SLOTS
#define NTX_RECORD_SLOTS (NTX_PROFILE == NTX_PROFILE_MINIMAL ? 1u : 4u)
#endif
#if NTX_RECORD_SLOTS < 1 || (NTX_WITH_ATTRLIST && NTX_RECORD_SLOTS < 2)
#error "NTX_RECORD_SLOTS must be at least 1, and at least 2 with NTX_WITH_ATTRLIST"
#endif

/*
 * NTX_CONFIG_ID - every setting above folded into one number. The layout of
 * ntx_volume and of the handles, and the workspace, depend on them: a
 * program compiled with other values than the library it links would hand
 * the library memory of another size. ntx_volume_mount() (volume.h) passes
 * the caller's NTX_CONFIG_ID and sizeof(ntx_volume), and the library refuses
 * a mismatch (NTX_E_CONFIG) before it writes a byte. Build the library and
 * its callers with the same -D values: the pkg-config file and the CMake
 * package of an installed library carry them.
 */
#define NTX_CONFIG_MIX_(h, v) ((uint32_t)(h) * 0x01000193u ^ (uint32_t)(v))
#define NTX_CONFIG_ID                                                                             \
    NTX_CONFIG_MIX_(NTX_CONFIG_MIX_(NTX_CONFIG_MIX_(NTX_CONFIG_MIX_(NTX_CONFIG_MIX_(              \
    NTX_CONFIG_MIX_(NTX_CONFIG_MIX_(NTX_CONFIG_MIX_(NTX_CONFIG_MIX_(0x811C9DC5u,                  \
    NTX_PROFILE), NTX_MAX_RECORD_SIZE), NTX_MAX_INDEX_BLOCK_SIZE), NTX_MAX_BLOCK_SIZE),           \
    NTX_MAX_INDEX_DEPTH), (uint32_t)(NTX_DIR_FUEL_MAX >> 16)), NTX_MAX_ATTRLIST_SIZE),            \
    NTX_RECORD_SLOTS),                                                                            \
    (NTX_WITH_LZNT1 << 0) | (NTX_WITH_ATTRLIST << 1) | (NTX_WITH_RECOVERY << 2) |                 \
    (NTX_WITH_DIAG << 3) | (NTX_WITH_STRERROR << 4) | (NTX_WITH_DOTDOT << 5) |                    \
    (NTX_WITH_UNICODE_PATHS << 6) | (NTX_WITH_UPCASE << 7) | (NTX_WITH_DELETED << 8) |            \
    (NTX_WITH_NAMED_STREAMS << 9) | (NTX_WITH_WORD_MEM << 10) | (NTX_WITH_WOF << 11) |           \
    (NTX_WITH_MFT_FILE << 12))

#endif
