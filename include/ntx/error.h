/*
 * ntx/error.h - result codes and failure diagnostics.
 *
 * Every public function returns an ntx_err: NTX_OK (0), NTX_END (1, an
 * iterator is exhausted) or a negative error. Damaged metadata of any kind
 * is one code, NTX_E_CORRUPT: the function that detects it records in the
 * volume's ntx_diag which check failed (ntx_check) and where, so a tool can
 * say "index entry length 0 in INDX block at byte 0x1234 of MFT record 5"
 * without the core carrying any strings, and a program can tell the
 * failures apart by the check when it needs to.
 */
#ifndef NTX_ERROR_H
#define NTX_ERROR_H

#include <stdint.h>

typedef enum ntx_err {
    NTX_OK = 0,
    NTX_END = 1,                /* iterator exhausted: not an error */
    NTX_E_IO = -1,              /* the read callback failed (diag.io_status has its result) */
    NTX_E_NOT_NTFS = -2,        /* no valid NTFS boot sector (primary nor backup) */
    NTX_E_CORRUPT = -3,         /* metadata inconsistent; diag.check says which test failed */
    NTX_E_RANGE = -4,           /* bytes past the end of the device: a truncated image? */
    NTX_E_UNSUPPORTED = -5,     /* valid NTFS this build does not read (encrypted, a profile's switch) */
    NTX_E_NOT_FOUND = -6,       /* no such name, record, attribute or stream */
    NTX_E_NOT_DIR = -7,         /* a directory operation on a file */
    NTX_E_IS_DIR = -8,          /* a stream operation on a directory */
    NTX_E_NAME_TOO_LONG = -9,   /* a name over 255 UTF-16 units, or a path over the caller's buffer */
    NTX_E_NAME = -10,           /* a caller's name or path that is not valid UTF-8 */
    NTX_E_LIMIT = -11,          /* a work bound was hit (tree depth, step budget) */
    NTX_E_BUFFER = -12,         /* the caller's output buffer is too small */
    NTX_E_WORKSPACE = -13,      /* the workspace is smaller than ntx_workspace_size() */
    NTX_E_ARG = -14,            /* bad argument from the caller */
    NTX_E_STALE = -15,          /* handle from another mount, or a reference with an old sequence number */
    NTX_E_CONFIG = -16,         /* the caller was built with other configuration values (config.h) */
    NTX_E_EXTERNAL = -17,       /* the file's data is stored outside it (check says where) */
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
    NTX_CHK_USN_RECORD,         /* a change journal record that cannot be (length, version) */
    /* data */
    NTX_CHK_COMPRESSION_UNIT,   /* compression unit size not 16 clusters of <= 4 KiB */
    NTX_CHK_LZNT1,
    NTX_CHK_ENCRYPTED,
    NTX_CHK_READ_RANGE,         /* a read past the end of the volume */
    NTX_CHK_IO,
    NTX_CHK_WORKSPACE,
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
    /* WOF-compressed files ($DATA:WofCompressedData) */
    NTX_CHK_WOF_REPARSE,        /* the WOF reparse data is too short or of an unknown version */
    NTX_CHK_WOF_TABLE,          /* a chunk table offset goes backwards or past the stream */
    NTX_CHK_WOF_CHUNK,          /* a stored chunk larger than it expands to, or the stream too short */
    /* data stored outside the file (NTX_E_EXTERNAL) */
    NTX_CHK_EXTERNAL_WIM,       /* WOF with the WIM provider (WIMBoot): the data is in a WIM file */
    NTX_CHK_EXTERNAL_DEDUP,     /* Data Deduplication: the data is in the chunk store */
    NTX_CHK_EXTERNAL_CLOUD,     /* a cloud placeholder (OneDrive and the 0x9000xxxA family) */
    NTX_CHK_EXTERNAL_HSM,       /* Hierarchical Storage Management: offline or remote storage */
    NTX_CHK_EXTERNAL_VOLUME,    /* on the volume, and only a copy of $MFT was mounted
                                 * (ntx_volume_mount_mft()) */
    /* $LogFile restart pages (ntx_logfile_restart_parse()) */
    NTX_CHK_LOGFILE_HEADER,     /* not "RSTR"/"CHKD", page sizes, version or restart area offset */
    NTX_CHK_LOGFILE_AREA,       /* restart area or client array lengths, offsets or lists */
} ntx_check;

/* Where the last failure was detected. */
typedef struct ntx_diag {
    ntx_err err;        /* the error returned */
    uint16_t check;     /* an ntx_check value */
    uint64_t mft_no;    /* MFT record being parsed, or UINT64_MAX */
    uint64_t offset;    /* byte offset: in the record or index block, or on the volume for I/O */
    int io_status;      /* the read callback's last negative result */
} ntx_diag;

/*
 * ntx_strerror() - a short English description of an ntx_err.
 * Returns: a static string, never NULL (unknown codes get a generic text).
 */
const char *ntx_strerror(ntx_err err);

#endif
