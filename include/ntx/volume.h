/*
 * ntx/volume.h - mounting a volume: boot sector, geometry, workspace, $Volume.
 *
 * A mount reads the boot sector (falling back to the backup copy in the
 * volume's last sector), checks every geometry field, then bootstraps $MFT
 * from record 0 (falling back to $MFTMirr for records 0-3) and reads $UpCase
 * and $Volume. Nothing is allocated: the caller owns the ntx_volume and a
 * workspace buffer whose size ntx_workspace_size() gives for the geometry.
 */
#ifndef NTX_VOLUME_H
#define NTX_VOLUME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "error.h"
#include "io.h"
#include "stream.h"


/* Geometry decoded from the boot sector. */
typedef struct ntx_geometry {
    uint32_t sector_size;       /* bytes per sector: 256..4096 */
    uint32_t cluster_size;      /* bytes per cluster: sector size .. 2 MiB */
    uint32_t record_size;       /* bytes per MFT record */
    uint32_t index_block_size;  /* bytes per $INDEX_ALLOCATION block */
    uint32_t block_size;        /* read alignment in effect (ntx_io.block_size) */
    uint64_t total_sectors;     /* sectors in the volume (boot sector field) */
    uint64_t cluster_count;     /* clusters in the volume */
    uint64_t mft_lcn;           /* first cluster of $MFT */
    uint64_t mftmirr_lcn;       /* first cluster of $MFTMirr */
    uint64_t serial;            /* volume serial number */
    bool from_backup;           /* the primary boot sector was bad; the backup was used */
    bool mft_only;              /* ntx_volume_mount_mft(): a $MFT file alone, no volume */
} ntx_geometry;

/* Bytes of a non-resident $ATTRIBUTE_LIST read at a time (an entry is at most 536). */
#define NTX_ALIST_WINDOW 1024u

/*
 * Workspace bytes for a geometry: NTX_RECORD_SLOTS cached MFT records plus
 * one for $MFT's record 0, one index block, the bounce device block; with
 * attribute lists a record for an extension of $MFT and the attribute-list
 * window; with $UpCase collation a device block of $UpCase; with LZNT1 a
 * window on compressed data, a decompressed 4 KiB chunk and the LCNs of the
 * 16 clusters of a compression unit; plus 8 bytes of
 * slack so the core can align its carve-up. Examples: 1 KiB records, 4 KiB
 * index blocks, 512-byte device blocks: 25,096 bytes in the full profile
 * (6,664 in the minimal one, which caches one record: config.h
 * NTX_RECORD_SLOTS); 4 KiB records and 4 KiB blocks: 54,280 bytes.
 */
/* The window on compressed data: a whole chunk (up to 4098 bytes) from any
 * starting byte of a block, and a few more chunks read ahead. */
#define NTX_LZNT1_WINDOW(blk) (8192u + (blk))
#if NTX_WITH_LZNT1
#define NTX_WS_LZNT1_(blk) (4096u + NTX_LZNT1_WINDOW(blk) + 16u * 8u)
#else
#define NTX_WS_LZNT1_(blk) 0u
#endif
/* WOF: a stored chunk, its expansion (at most 32 KiB, LZX's chunk) and the
 * decoders' tables (the larger of XPRESS's and LZX's). */
#define NTX_WOF_MAX_CHUNK 32768u
#define NTX_WOF_SCRATCH_SIZE 9472u
#if NTX_WITH_WOF
#define NTX_WS_WOF_ (2u * NTX_WOF_MAX_CHUNK + NTX_WOF_SCRATCH_SIZE)
#else
#define NTX_WS_WOF_ 0u
#endif
#if NTX_WITH_ATTRLIST
#define NTX_WS_ATTRLIST_(rec) ((rec) + NTX_ALIST_WINDOW)
#else
#define NTX_WS_ATTRLIST_(rec) 0u
#endif
#if NTX_WITH_UPCASE
#define NTX_WS_UPCASE_(blk) (blk)
#else
#define NTX_WS_UPCASE_(blk) 0u
#endif
#define NTX_WORKSPACE_SIZE(rec, idx, blk)                                                        \
    ((size_t)(NTX_RECORD_SLOTS + 1u) * (rec) + (idx) + (blk) + NTX_WS_ATTRLIST_(rec) +         \
     NTX_WS_UPCASE_(blk) + NTX_WS_LZNT1_(blk) + NTX_WS_WOF_ + 8u)

/* Enough workspace for any volume within the limits of config.h. */
#define NTX_WORKSPACE_MAX \
    NTX_WORKSPACE_SIZE(NTX_MAX_RECORD_SIZE, NTX_MAX_INDEX_BLOCK_SIZE, NTX_MAX_BLOCK_SIZE)

/* Runs of $UpCase remembered at mount, so collation can read the table on
 * demand without touching the record cache. */
#define NTX_UPCASE_RUNS 8u


/*
 * The mounted volume. Caller-owned; the fields up to `priv` are public and
 * read-only, the rest belong to the core. One volume (and every handle opened
 * from it) is used by one thread at a time; open several volumes over the
 * same callback for parallel readers.
 */
typedef struct ntx_volume {
    ntx_io io;
    ntx_geometry geo;
    ntx_diag diag;                /* where the last failure was detected */
    uint64_t mft_records;         /* records the $MFT holds */
    /* Private from here on. */
    uint32_t priv;                /* mount state magic */
    uint32_t gen;                 /* mount generation: handles from older mounts are stale */
    uint32_t stream_serial;
    uint32_t tick;                /* record cache LRU clock */
    uint8_t sector_shift, cluster_shift, record_shift, index_shift, block_shift;
    uint8_t index_vcn_shift;      /* unit of $INDEX_ALLOCATION VCNs */
    uint8_t upcase_nruns;
    uint8_t *ws;
    uint8_t *rec_slot[NTX_RECORD_SLOTS];
    uint64_t rec_slot_no[NTX_RECORD_SLOTS];
    uint32_t rec_slot_tick[NTX_RECORD_SLOTS];
    uint8_t *mft0;                /* $MFT record 0, kept for the whole mount */
    uint8_t *mftext;              /* an extension record of $MFT */
    uint64_t mftext_no;
    ntx_run mft_run;              /* the $MFT run used last (len 0: none) */
    uint8_t *idx_buf;             /* one index block */
    uint64_t idx_dir, idx_vcn;    /* which one, or UINT64_MAX */
    uint32_t idx_start, idx_end;  /* its entries area */
    uint32_t idx_name_key;        /* which index of the record it belongs to */
    uint8_t *bounce;              /* one device block */
    uint64_t bounce_off;          /* its volume byte offset, or UINT64_MAX */
    uint8_t *upc_block;           /* one block of $UpCase */
    uint64_t upc_block_no;
    const uint16_t *upcase;       /* attached full table, or NULL */
    ntx_run upcase_runs[NTX_UPCASE_RUNS];
    uint8_t *al_win;              /* window on a non-resident $ATTRIBUTE_LIST */
    uint32_t al_win_size;
    uint64_t al_win_rec, al_win_off;
    uint8_t *lz_cbuf;             /* window on compressed data (NTX_LZNT1_WINDOW bytes) */
    uint32_t lzw_serial, lzw_start, lzw_len; /* which stream, unit and bytes it holds */
    uint64_t lzw_cu_vcn;
    bool lzw_valid;
    uint64_t *lz_map;             /* LCN of each allocated cluster of the unit being read */
    uint32_t lzm_alloc;           /* how many lz_map holds */
    uint8_t *lz_dbuf;             /* one decompressed chunk (4 KiB) */
    uint32_t lz_serial, lz_chunk; /* which chunk lz_dbuf holds */
    uint64_t lz_cu_vcn;
    uint32_t lz_dlen;
    bool lz_valid;
    uint8_t *wof_in;              /* a stored WOF chunk */
    uint8_t *wof_out;             /* an expanded one: chunk wof_chunk of stream wof_serial */
    void *wof_scratch;            /* the decoders' tables (NTX_WOF_SCRATCH_SIZE bytes) */
    uint64_t wof_chunk;
    uint32_t wof_serial;
    bool wof_valid;
    ntx_stream tmp_stream;        /* scratch for lookups, stat and reparse points */
    uint16_t name_buf[NTX_NAME_MAX + 1]; /* a path component in UTF-16 */
    uint64_t lookup_path[NTX_MAX_INDEX_DEPTH]; /* index nodes on a lookup's way down */
} ntx_volume;

/* Volume information beyond the geometry. */
typedef struct ntx_volume_info {
    ntx_geometry geo;
    uint8_t major, minor;   /* NTFS version from $VOLUME_INFORMATION (3.1 for XP and later) */
    uint16_t flags;         /* $VOLUME_INFORMATION flags; bit 0 = dirty */
    bool dirty;
    uint8_t label_len;      /* in UTF-16 units */
    uint16_t label[128];    /* $VOLUME_NAME, not NUL-terminated */
    uint64_t mft_records;   /* records in $MFT */
} ntx_volume_info;

#define NTX_VOLUME_DIRTY 0x0001u

/**
 * ntx_volume_probe() - read and check the boot sector, without mounting.
 *
 * Reads:   the first device block at io->offset, and if that boot sector is
 *          bad, the backup in the volume's last sector (found from the
 *          device size, or from the primary's total sectors field).
 * Buffers: block: block_len >= io->block_size bytes of scratch (the core
 *          keeps no block-sized buffer on its stack); NTX_MAX_BLOCK_SIZE is
 *          always enough. diag may be NULL.
 * Returns: NTX_OK and *geo; NTX_E_IO, NTX_E_NOT_NTFS (diag.check says which
 *          field), NTX_E_UNSUPPORTED (geometry over config.h limits), NTX_E_ARG.
 */
ntx_err ntx_volume_probe(const ntx_io *io, void *block, size_t block_len, ntx_geometry *geo,
                         ntx_diag *diag);

/**
 * ntx_workspace_size() - workspace bytes a volume of this geometry needs.
 * Returns: NTX_WORKSPACE_SIZE() of the geometry's record, index and block sizes.
 */
size_t ntx_workspace_size(const ntx_geometry *geo);

/**
 * ntx_volume_mount() - mount a volume for reading.
 *
 * A macro: it passes the caller's sizeof(ntx_volume) and NTX_CONFIG_ID
 * (config.h) to ntx_volume_mount_checked(), which refuses a program built
 * with other configuration values than the library before it touches *vol.
 * Reads:   the boot sector (or its backup), $MFT record 0 (or its $MFTMirr
 *          copy, also for records 1-3), $UpCase's record and $Volume.
 * Buffers: vol is filled (nothing in it is read first: it may be
 *          uninitialized memory); ws of ws_size bytes becomes the volume's
 *          scratch until the next mount. No other memory is used; nothing is
 *          allocated.
 * Handles: those opened from an earlier mount of the same vol answer
 *          NTX_E_STALE after ntx_volume_unmount(), and after a new mount
 *          unless it is of the same volume (same boot sector) through the
 *          same callback context and workspace, where they read what they
 *          read before.
 * Returns: NTX_OK; NTX_E_CONFIG (configuration or sizeof(ntx_volume)
 *          differs from the library's; *vol untouched); NTX_E_ARG (NULL
 *          pointers, bad block size or offset); NTX_E_WORKSPACE (ws_size <
 *          ntx_workspace_size(); vol->geo then holds the geometry so the
 *          caller can size it); NTX_E_IO; NTX_E_NOT_NTFS; NTX_E_UNSUPPORTED;
 *          NTX_E_CORRUPT for a damaged $MFT, $UpCase or $Volume.
 *          vol->diag says where.
 */
#define ntx_volume_mount(vol, io, ws, ws_size)                                                    \
    ntx_volume_mount_checked((vol), (io), (ws), (ws_size), NTX_ABI_ID(sizeof(ntx_volume)))
ntx_err ntx_volume_mount_checked(ntx_volume *vol, const ntx_io *io, void *ws, size_t ws_size,
                                 uint64_t abi_id);

/**
 * ntx_volume_mount_mft() - "mount" a copy of $MFT alone: the file a triage
 * collection holds (`ntx cat IMAGE '$MFT'`, KAPE, FTK Imager), with no volume
 * behind it. io reads that file: record n is at byte n * record size, and
 * io->size must be the file's size.
 *
 * The record size (1 KiB or 4 KiB) is read from record 0, which must be
 * $MFT's own record, in use; the cluster size from the runs of the first
 * non-resident value of records 0-15 whose first extent maps it all; the
 * number of clusters from $BadClus:$Bad (a volume-sized sparse stream), else
 * from $Bitmap's size; the index block size from the root directory's
 * $INDEX_ROOT. Records then read, check and walk exactly as on the volume:
 * headers, resident values, attribute lists held in records, $INDEX_ROOT
 * entries, runs as stored, and every handle and iterator over them.
 * Everything stored elsewhere on the volume (non-resident values, index
 * blocks, non-resident attribute lists, $UpCase, $Secure) answers
 * NTX_E_EXTERNAL with check NTX_CHK_EXTERNAL_VOLUME: never zeros. Sparse
 * ranges and bytes past a value's initialized size are zeros by NTFS's
 * definition and read as such.
 *
 * A macro, as ntx_volume_mount(), for the same configuration check.
 * Reads:   the first 4 KiB of the file, records 0-15, record 5's $INDEX_ROOT.
 * Buffers: as ntx_volume_mount(); ntx_workspace_size(&vol->geo) bytes.
 * Returns: NTX_OK; NTX_E_CONFIG; NTX_E_ARG; NTX_E_WORKSPACE; NTX_E_IO;
 *          NTX_E_NOT_NTFS when the file does not start with a $MFT record 0
 *          (vol->diag says which check failed); NTX_E_UNSUPPORTED for a
 *          record size over NTX_MAX_RECORD_SIZE, or in a build without
 *          NTX_WITH_MFT_FILE (config.h; on in the full profile only);
 *          NTX_E_CORRUPT.
 */
#define ntx_volume_mount_mft(vol, io, ws, ws_size)                                                \
    ntx_volume_mount_mft_checked((vol), (io), (ws), (ws_size), NTX_ABI_ID(sizeof(ntx_volume)))
ntx_err ntx_volume_mount_mft_checked(ntx_volume *vol, const ntx_io *io, void *ws, size_t ws_size,
                                     uint64_t abi_id);

/* What ntx_volume_mount() passes: the caller's sizeof(ntx_volume) and its
 * NTX_CONFIG_ID in one number, compared whole. */
#define NTX_ABI_ID(volume_size) (((uint64_t)(volume_size) << 32) | NTX_CONFIG_ID)

/* The NTX_CONFIG_ID the library was built with (to name a mismatch). */
uint32_t ntx_config_id(void);

/**
 * ntx_volume_unmount() - end a mount: every handle opened from it becomes
 * stale (NTX_E_STALE). Reads nothing. The workspace is the caller's again.
 */
void ntx_volume_unmount(ntx_volume *vol);

/**
 * ntx_volume_get_info() - label, version, flags and geometry.
 * Reads:   $Volume (MFT record 3).
 * Returns: NTX_OK; NTX_E_STALE; errors of a record read; NTX_E_CORRUPT when
 *          $VOLUME_INFORMATION is missing or short.
 */
ntx_err ntx_volume_get_info(ntx_volume *vol, ntx_volume_info *info);

/**
 * ntx_volume_count_free() - clusters marked free in $Bitmap (MFT record 6).
 *
 * Reads:   the whole of $Bitmap (one bit per cluster), len bytes at a time.
 * Buffers: buf of len bytes (at least 512) of scratch.
 * Returns: NTX_OK with *free_clusters and, if used_clusters is not NULL,
 *          *used_clusters; NTX_E_ARG; errors of a stream read; NTX_E_CORRUPT
 *          if $Bitmap is shorter than the cluster count.
 */
ntx_err ntx_volume_count_free(ntx_volume *vol, void *buf, size_t len, uint64_t *free_clusters,
                              uint64_t *used_clusters);

/**
 * ntx_volume_attach_upcase() - load the whole $UpCase table into table,
 * which then serves every collation (faster than reading blocks on demand;
 * in a build without NTX_WITH_UPCASE, what lets a lookup fold non-ASCII
 * names at all).
 *
 * Buffers: table of 65536 entries (128 KiB), caller-owned; it must stay valid
 *          until unmount. Reads $UpCase (MFT record 10) once.
 * Returns: NTX_OK; NTX_E_ARG (entries < 65536); errors of a stream read.
 */
ntx_err ntx_volume_attach_upcase(ntx_volume *vol, uint16_t *table, size_t entries);

#endif
