/*
 * ntx/error.h - result codes and failure diagnostics.
 *
 * Every public function returns an ntx_err: NTX_OK (0), NTX_END (1, an
 * iterator is exhausted) or a negative error. The function that detects a
 * problem also records in the volume's ntx_diag which check failed and where,
 * so a tool can say "index entry length 0 in INDX block at byte 0x1234 of
 * MFT record 5" without the core carrying any strings.
 */
#ifndef NTX_ERROR_H
#define NTX_ERROR_H

#include <stdint.h>

typedef enum ntx_err {
    NTX_OK = 0,
    NTX_END = 1,                /* iterator exhausted: not an error */
    NTX_E_IO = -1,              /* the read callback failed */
    NTX_E_NOT_NTFS = -2,        /* no valid NTFS boot sector (primary nor backup) */
    NTX_E_FIXUP = -3,           /* update sequence array invalid or a sector torn */
    NTX_E_RECORD = -4,          /* MFT record header invalid, not in use, or not a base record */
    NTX_E_ATTR = -5,            /* attribute header or value outside its record */
    NTX_E_RUNLIST = -6,         /* mapping pairs corrupt or inconsistent with the sizes */
    NTX_E_INDEX = -7,           /* $INDEX_ROOT, INDX block or index entry corrupt */
    NTX_E_ATTRLIST = -8,        /* $ATTRIBUTE_LIST corrupt */
    NTX_E_LOOP = -9,            /* a cycle in metadata (index child on its own path, ...) */
    NTX_E_UNSUPPORTED = -10,    /* valid NTFS this build does not read (encrypted, ...) */
    NTX_E_NOT_FOUND = -11,      /* no such name, attribute or stream */
    NTX_E_NOT_DIR = -12,        /* a directory operation on a file */
    NTX_E_IS_DIR = -13,         /* a stream operation on a directory */
    NTX_E_NAME_TOO_LONG = -14,  /* a name over 255 UTF-16 units, or a path over the caller's buffer */
    NTX_E_WORKSPACE = -15,      /* the workspace is smaller than ntx_workspace_size() */
    NTX_E_ARG = -16,            /* bad argument from the caller */
    NTX_E_STALE = -17,          /* handle from an earlier mount, or MFT reference with an old sequence number */
    NTX_E_COMPRESSION = -18,    /* corrupt LZNT1 data or compression parameters */
    NTX_E_NAME = -19,           /* invalid name: bad UTF-8 in a path, bad UTF-16 on disk */
    NTX_E_RANGE = -20,          /* a cluster or byte offset outside the volume */
    NTX_E_LIMIT = -21,          /* a work bound was hit (tree depth, step budget, symlink hops) */
    NTX_E_REPARSE = -22,        /* corrupt reparse point data */
    NTX_E_BUFFER = -23,         /* the caller's output buffer is too small */
    NTX_E_CONFIG = -24,         /* the caller was built with other configuration values (config.h) */
} ntx_err;

/* Which test failed; recorded in ntx_diag.check next to the error code. */
typedef enum ntx_check {
    NTX_CHK_NONE = 0,
    /* boot sector */
    NTX_CHK_BOOT_SIGNATURE,     /* OEM id is not "NTFS    " or 0x55AA missing */
    NTX_CHK_BOOT_SECTOR_SIZE,   /* bytes per sector not a power of two in 256..4096 */
    NTX_CHK_BOOT_CLUSTER_SIZE,  /* sectors per cluster encoding invalid, cluster > 2 MiB */
    NTX_CHK_BOOT_RECORD_SIZE,   /* MFT record size encoding invalid */
    NTX_CHK_BOOT_INDEX_SIZE,    /* index block size encoding invalid */
    NTX_CHK_BOOT_TOTAL_SECTORS, /* volume larger than the device, or zero */
    NTX_CHK_BOOT_MFT_LCN,       /* $MFT or $MFTMirr outside the volume */
    NTX_CHK_GEOMETRY_LIMIT,     /* record / index / block size over the compiled limits */
    /* MFT records */
    NTX_CHK_RECORD_MAGIC,       /* not "FILE" (or "BAAD") */
    NTX_CHK_FIXUP_HEADER,       /* update sequence offset or count invalid */
    NTX_CHK_FIXUP_MISMATCH,     /* a sector tail differs from the update sequence number */
    NTX_CHK_RECORD_SIZES,       /* bytes in use / allocated inconsistent */
    NTX_CHK_RECORD_ATTRS_OFFSET,
    NTX_CHK_RECORD_NOT_IN_USE,
    NTX_CHK_RECORD_NOT_BASE,    /* an extension record where a base record was expected */
    NTX_CHK_RECORD_SEQUENCE,    /* reference's sequence number does not match */
    NTX_CHK_RECORD_NUMBER,      /* record number beyond the $MFT */
    NTX_CHK_RECORD_BASE,        /* extension record belongs to another file */
    /* attributes */
    NTX_CHK_ATTR_LENGTH,
    NTX_CHK_ATTR_END,           /* no AT_END before bytes in use */
    NTX_CHK_ATTR_ORDER,
    NTX_CHK_ATTR_NAME,
    NTX_CHK_ATTR_RESIDENT_VALUE,
    NTX_CHK_ATTR_NONRES_HEADER,
    NTX_CHK_ATTR_SIZES,         /* initialized > data > allocated, ... */
    NTX_CHK_ATTR_VALUE_SIZE,    /* a structured value too short for its type */
    NTX_CHK_ATTR_FORM,          /* resident where non-resident is required, or the reverse */
    /* runlists */
    NTX_CHK_RUN_HEADER,         /* field sizes > 8 or past the attribute */
    NTX_CHK_RUN_LENGTH,         /* zero or negative run length */
    NTX_CHK_RUN_LCN,            /* LCN negative or past the volume */
    NTX_CHK_RUN_VCN,            /* runs do not match lowest/highest VCN */
    NTX_CHK_RUN_UNMAPPED,       /* a VCN inside the allocation no extent maps */
    /* attribute lists */
    NTX_CHK_ALIST_ENTRY,
    NTX_CHK_ALIST_SIZE,
    NTX_CHK_ALIST_TARGET,       /* entry points at a missing attribute or a foreign record */
    /* indexes */
    NTX_CHK_INDEX_ROOT,
    NTX_CHK_INDEX_BLOCK,        /* INDX magic, VCN or sizes */
    NTX_CHK_INDEX_ENTRY,
    NTX_CHK_INDEX_CHILD,        /* child VCN outside the allocation */
    NTX_CHK_INDEX_CYCLE,
    NTX_CHK_INDEX_DEPTH,
    NTX_CHK_INDEX_BUDGET,
    /* names and values */
    NTX_CHK_FILE_NAME,
    NTX_CHK_STD_INFO,
    NTX_CHK_UPCASE,
    NTX_CHK_VOLUME_INFO,
    NTX_CHK_REPARSE,
    NTX_CHK_UTF16,
    NTX_CHK_UTF8,
    /* data */
    NTX_CHK_COMPRESSION_UNIT,   /* compression unit size not 16 clusters of <= 4 KiB */
    NTX_CHK_LZNT1,
    NTX_CHK_ENCRYPTED,
    NTX_CHK_READ_RANGE,         /* a read past the end of the volume */
    NTX_CHK_IO,
    NTX_CHK_WORKSPACE,
    NTX_CHK_STALE,
    NTX_CHK_SYMLINK_HOPS,
    /* WOF (Windows Overlay Filter) chunks: XPRESS Huffman and LZX */
    NTX_CHK_XPRESS_CODE,        /* Huffman code lengths over-subscribed, incomplete or all zero */
    NTX_CHK_XPRESS_TRUNCATED,   /* input ends before the chunk's output is complete */
    NTX_CHK_XPRESS_OFFSET,      /* match starts before the chunk */
    NTX_CHK_XPRESS_LENGTH,      /* match runs past the chunk's end, or a zero 16-bit length */
    NTX_CHK_LZX_BLOCK_TYPE,     /* block type not verbatim, aligned or uncompressed */
    NTX_CHK_LZX_BLOCK_SIZE,     /* block size zero or past the chunk's end */
    NTX_CHK_LZX_CODE,           /* Huffman code lengths invalid, or an empty code used */
    NTX_CHK_LZX_TRUNCATED,      /* input ends before the chunk's output is complete */
    NTX_CHK_LZX_OFFSET,         /* match starts before the chunk, or a repeat offset of 0 */
    NTX_CHK_LZX_LENGTH,         /* match runs past the end of its block */
} ntx_check;

/* Where the last failure was detected. */
typedef struct ntx_diag {
    int err;            /* the ntx_err returned */
    uint16_t check;     /* an ntx_check value */
    uint64_t mft_no;    /* MFT record being parsed, or UINT64_MAX */
    uint64_t offset;    /* byte offset: in the record or index block, or on the volume for I/O */
    int io_status;      /* the read callback's last negative result */
} ntx_diag;

/*
 * ntx_strerror() - a short English description of an ntx_err.
 * Returns: a static string, never NULL (unknown codes get a generic text).
 */
const char *ntx_strerror(int err);

#endif
