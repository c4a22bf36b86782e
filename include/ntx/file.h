/*
 * ntx/file.h - files: open by MFT reference or path, stat, reparse points.
 */
#ifndef NTX_FILE_H
#define NTX_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stream.h"
#include "volume.h"

/* Well-known MFT record numbers. */
#define NTX_MFT_MFT 0u
#define NTX_MFT_MFTMIRR 1u
#define NTX_MFT_LOGFILE 2u
#define NTX_MFT_VOLUME 3u
#define NTX_MFT_ATTRDEF 4u
#define NTX_MFT_ROOT 5u
#define NTX_MFT_BITMAP 6u
#define NTX_MFT_BOOT 7u
#define NTX_MFT_BADCLUS 8u
#define NTX_MFT_SECURE 9u
#define NTX_MFT_UPCASE 10u
#define NTX_MFT_EXTEND 11u
/* Records below this one are reserved for the system files above (12-15 are
 * kept free by Windows); listings hide them unless asked, as ntfs-3g does. */
#define NTX_MFT_FIRST_USER 16u

/* An MFT reference: record number in the low 48 bits, sequence number above. */
#define NTX_REF(mft_no, seq) (((uint64_t)(seq) << 48) | ((uint64_t)(mft_no)&0xFFFFFFFFFFFFull))
#define NTX_REF_MFT(ref) ((ref)&0xFFFFFFFFFFFFull)
#define NTX_REF_SEQ(ref) ((uint16_t)((ref) >> 48))
/* Pass as the sequence number to skip the check (forensic access to any record). */
#define NTX_SEQ_ANY 0u

/* Attribute types. */
#define NTX_AT_STANDARD_INFORMATION 0x10u
#define NTX_AT_ATTRIBUTE_LIST 0x20u
#define NTX_AT_FILE_NAME 0x30u
#define NTX_AT_OBJECT_ID 0x40u
#define NTX_AT_SECURITY_DESCRIPTOR 0x50u
#define NTX_AT_VOLUME_NAME 0x60u
#define NTX_AT_VOLUME_INFORMATION 0x70u
#define NTX_AT_DATA 0x80u
#define NTX_AT_INDEX_ROOT 0x90u
#define NTX_AT_INDEX_ALLOCATION 0xA0u
#define NTX_AT_BITMAP 0xB0u
#define NTX_AT_REPARSE_POINT 0xC0u
#define NTX_AT_EA_INFORMATION 0xD0u
#define NTX_AT_EA 0xE0u
#define NTX_AT_LOGGED_UTILITY_STREAM 0x100u
#define NTX_AT_END 0xFFFFFFFFu

/* Attribute header flags. */
#define NTX_ATTR_FLAG_COMPRESSED 0x0001u
#define NTX_ATTR_FLAG_ENCRYPTED 0x4000u
#define NTX_ATTR_FLAG_SPARSE 0x8000u

/* DOS / Windows file attributes ($STANDARD_INFORMATION and $FILE_NAME). */
#define NTX_FA_READONLY 0x0001u
#define NTX_FA_HIDDEN 0x0002u
#define NTX_FA_SYSTEM 0x0004u
#define NTX_FA_DIRECTORY 0x0010u /* only in $FILE_NAME copies, as 0x10000000 */
#define NTX_FA_ARCHIVE 0x0020u
#define NTX_FA_SPARSE 0x0200u
#define NTX_FA_REPARSE 0x0400u
#define NTX_FA_COMPRESSED 0x0800u
#define NTX_FA_ENCRYPTED 0x4000u
#define NTX_FA_DUP_DIRECTORY 0x10000000u

/* Reparse tags that ntx interprets. */
#define NTX_REPARSE_MOUNT_POINT 0xA0000003u
#define NTX_REPARSE_SYMLINK 0xA000000Cu
#define NTX_REPARSE_WOF 0x80000017u       /* Windows Overlay Filter: compressed or in a WIM */
#define NTX_REPARSE_DEDUP 0x80000013u     /* Data Deduplication */
#define NTX_REPARSE_HSM 0xC0000004u       /* Hierarchical Storage Management */
#define NTX_REPARSE_HSM2 0x80000006u
/* Cloud files (OneDrive...): 0x9000001A with any value in bits 12-15. */
#define NTX_REPARSE_IS_CLOUD(tag) (((tag) & 0xFFFF0FFFu) == 0x9000001Au)

/* Where a file's data is (ntx_stat.data_form). */
enum {
    NTX_DATA_NONE = 0,        /* a directory, or no unnamed $DATA */
    NTX_DATA_RESIDENT,        /* in the MFT record */
    NTX_DATA_PLAIN,           /* in clusters, as stored */
    NTX_DATA_SPARSE,          /* in clusters, with holes */
    NTX_DATA_LZNT1,           /* NTFS compression */
    NTX_DATA_ENCRYPTED,       /* EFS: ciphertext in clusters */
    NTX_DATA_WOF,             /* WOF-compressed in $DATA:WofCompressedData (wof_algorithm) */
    NTX_DATA_EXTERNAL,        /* outside the file: reparse_tag says where (WIM, dedup, cloud, HSM) */
    NTX_DATA_UNKNOWN,         /* the reparse point cannot tell (damaged, or an unknown WOF
                                 variant): opening the data says why */
};

/* WOF algorithms (ntx_stat.wof_algorithm), as the reparse data numbers them. */
#define NTX_WOF_XPRESS4K 0u
#define NTX_WOF_LZX 1u
#define NTX_WOF_XPRESS8K 2u
#define NTX_WOF_XPRESS16K 3u

/* Indexes into the time arrays: NTFS order. Values are NT times: 100 ns units
 * since 1601-01-01 UTC. */
enum { NTX_TIME_CREATE = 0, NTX_TIME_MODIFY = 1, NTX_TIME_MFT_CHANGE = 2, NTX_TIME_ACCESS = 3 };

/* ntx_file_open() flags. */
#define NTX_OPEN_DELETED 0x1u /* accept a record not in use (a deleted file) */

/* An open MFT record (file or directory). A plain value; copy it freely. */
typedef struct ntx_file {
    ntx_volume *vol;
    uint32_t gen;
    uint64_t mft_no;
    uint16_t seq;
    uint16_t rec_flags;   /* record header flags: 1 in use, 2 directory */
    uint16_t open_flags;  /* NTX_OPEN_* it was opened with (forensic.h) */
} ntx_file;

typedef struct ntx_stat {
    uint64_t mft_ref;         /* record number and sequence number */
    uint64_t parent_ref;      /* from the $FILE_NAME that gave fn_times */
    uint64_t size;            /* unnamed $DATA data size (0 for a directory) */
    uint64_t alloc_size;      /* its allocated size (compressed: on-disk clusters) */
    uint64_t si_times[4];     /* $STANDARD_INFORMATION times (NTX_TIME_*) */
    uint64_t fn_times[4];     /* $FILE_NAME times: the Win32 or POSIX name, else DOS */
    uint32_t dos_attrs;       /* $STANDARD_INFORMATION file attributes (NTX_FA_*) */
    uint32_t reparse_tag;     /* 0 when the file is no reparse point */
    uint32_t owner_id;        /* NTFS 3.x $STANDARD_INFORMATION fields; 0 if absent */
    uint32_t security_id;
    uint64_t usn;
    uint16_t link_count;      /* record header hard link count */
    uint16_t name_count;      /* $FILE_NAME attributes, DOS-only names excluded */
    uint16_t data_flags;      /* NTX_ATTR_FLAG_* of the unnamed $DATA */
    uint8_t data_form;        /* NTX_DATA_*: where the data is */
    uint8_t wof_algorithm;    /* NTX_DATA_WOF: NTX_WOF_* */
    uint32_t wof_chunk_size;  /* NTX_DATA_WOF: bytes each chunk expands to */
    uint64_t stored_size;     /* NTX_DATA_WOF: bytes of WofCompressedData */
    bool is_dir;
    bool has_data;            /* an unnamed $DATA exists */
    bool data_resident;       /* ... and its value lives in the MFT record */
} ntx_stat;

/**
 * ntx_file_open() - open MFT record NTX_REF_MFT(ref) as a file.
 *
 * The record must be a base record, in use, and have the sequence number
 * NTX_REF_SEQ(ref) unless that is NTX_SEQ_ANY (0: a bare record number).
 * flags: 0, or NTX_OPEN_DELETED to accept a record not in use (a deleted
 * file; forensic.h says what such a handle reads).
 * Reads:   that record (through the record cache).
 * Returns: NTX_OK; NTX_E_STALE (sequence number differs); NTX_E_NOT_FOUND
 *          (beyond $MFT, not in use without the flag, or an extension
 *          record: diag.check says which); NTX_E_UNSUPPORTED (the flag in a
 *          build without NTX_WITH_DELETED: config.h); NTX_E_ARG (unknown
 *          flags); errors of the record read.
 */
ntx_err ntx_file_open(ntx_file *f, ntx_volume *vol, uint64_t ref, unsigned flags);

/**
 * ntx_file_open_path() - open a file or directory by UTF-8 path.
 *
 * path: '/'-separated, from the root; empty components, "." and a leading '/'
 *       are ignored, ".." goes to the parent. Names compare through the
 *       volume's $UpCase as Windows does; where two names differ only in case,
 *       the one that matches exactly is preferred. Symbolic links are not
 *       followed (ntx_file_readlink() gives the target).
 * Reads:   the records and index blocks of each directory on the way.
 * Returns: NTX_OK; NTX_E_NOT_FOUND; NTX_E_NOT_DIR (a component before the
 *          last is a file); NTX_E_NAME_TOO_LONG; NTX_E_NAME (invalid UTF-8);
 *          NTX_E_CORRUPT, NTX_E_LIMIT and the other errors of the records
 *          and indexes read.
 */
ntx_err ntx_file_open_path(ntx_file *f, ntx_volume *vol, const char *path, size_t path_len);

/**
 * ntx_file_stat() - sizes, times, attributes and links of an open file.
 * Reads:   the base record and, through an $ATTRIBUTE_LIST, extension records.
 * Returns: NTX_OK; NTX_E_STALE; NTX_E_CORRUPT (no or a short
 *          $STANDARD_INFORMATION, a bad $FILE_NAME); errors of the records read.
 */
ntx_err ntx_file_stat(const ntx_file *f, ntx_stat *st);

/*
 * What a reparse point says. The raw value is in the caller's buffer (header
 * at offset 0, data_len bytes of data after it); for symbolic links and
 * junctions the substitute and print names are also given decoded: UTF-8,
 * lone surrogates WTF-8 style (utf16.h), NUL-terminated, in the same buffer
 * after the raw value, exactly as stored (no prefix dropped, '\' kept).
 */
typedef struct ntx_reparse {
    uint32_t tag;
    uint32_t flags;           /* symbolic links: NTX_SYMLINK_RELATIVE */
    uint16_t data_len;        /* reparse data bytes (after the 8-byte header) */
    uint32_t value_len;       /* bytes of the raw value at the start of the buffer (a GUID
                                 follows the header of non-Microsoft tags) */
    uint16_t subst_off, subst_len;  /* substitute name in the raw value: byte offset, bytes */
    uint16_t print_off, print_len;  /* print name, likewise */
    const char *subst;        /* the substitute name as UTF-8, or NULL (not a link) */
    size_t subst_utf8_len;    /* its bytes, without the NUL */
    const char *print;        /* the print name as UTF-8, or NULL */
    size_t print_utf8_len;
} ntx_reparse;

#define NTX_SYMLINK_RELATIVE 0x1u

/* Largest raw reparse value (16 KiB of data plus the header). */
#define NTX_REPARSE_MAX (16u * 1024u + 8u)
/* A buffer ntx_file_reparse() can always fill: the raw value and both names
 * decoded (a UTF-16 unit takes at most 3 bytes of UTF-8), with their NULs. */
#define NTX_REPARSE_BUFFER_SIZE (NTX_REPARSE_MAX + 3u * (NTX_REPARSE_MAX / 2u) + 2u)

/**
 * ntx_file_reparse() - read and decode the $REPARSE_POINT of a file.
 *
 * Buffers: buf of cap bytes receives the raw attribute value, then the
 *          decoded names of a symbolic link or junction;
 *          NTX_REPARSE_BUFFER_SIZE is always enough. rp points into buf.
 * Returns: NTX_OK; NTX_E_NOT_FOUND (no reparse point); NTX_E_BUFFER (cap too
 *          small); NTX_E_CORRUPT (lengths inconsistent, check
 *          NTX_CHK_REPARSE); errors of the read.
 */
ntx_err ntx_file_reparse(const ntx_file *f, void *buf, size_t cap, ntx_reparse *rp);

/**
 * ntx_file_readlink() - the target of a symbolic link or junction as UTF-8.
 *
 * The substitute name is converted (lone surrogates as WTF-8, see utf16.h);
 * a leading NT prefix "\??\" is dropped and '\' becomes '/'. Interix symlinks
 * (as older ntfs-3g created them: a system file starting "IntxLNK\1") are
 * read as well.
 * Buffers: out of cap bytes, NUL-terminated; scratch of scratch_len bytes
 *          (NTX_REPARSE_BUFFER_SIZE is always enough) for the reparse point.
 * Returns: NTX_OK with *len (bytes, without the NUL); NTX_E_NOT_FOUND (not a
 *          link); NTX_E_BUFFER; NTX_E_CORRUPT; errors of the read.
 */
ntx_err ntx_file_readlink(const ntx_file *f, void *scratch, size_t scratch_len, char *out,
                          size_t cap, size_t *len);

#endif
