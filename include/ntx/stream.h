/*
 * ntx/stream.h - reading attribute values ("streams"): the unnamed $DATA of a
 * file, its named streams, and any other attribute by type and name.
 *
 * A stream reads at any offset and length: resident values from their
 * record, non-resident ones through their runs (split over several records
 * by an $ATTRIBUTE_LIST or not), sparse runs and bytes past the initialized
 * size as zeros, LZNT1-compressed units decompressed a 4 KiB chunk at a time.
 */
#ifndef NTX_STREAM_H
#define NTX_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "error.h"

struct ntx_volume;
typedef struct ntx_file ntx_file; /* file.h */

/* One run of a runlist: len clusters at lcn map the VCNs [vcn, vcn + len). */
typedef struct ntx_run {
    uint64_t vcn;
    uint64_t lcn; /* NTX_LCN_HOLE for a sparse run (reads as zeros) */
    uint64_t len;
} ntx_run;

#define NTX_LCN_HOLE UINT64_MAX

/* Where a mapping-pairs decoder is in one extent (private to the core). */
typedef struct ntx_mp_state {
    uint32_t pos;       /* next mapping-pairs byte, from the attribute start */
    uint64_t vcn;       /* first VCN of the next run */
    uint64_t vcn_end;   /* one past the extent's highest VCN */
    int64_t lcn;        /* LCN accumulator (deltas are relative) */
} ntx_mp_state;

/* Where the stream cursor is in its runlist: positions only, never pointers. */
typedef struct ntx_run_cursor {
    uint64_t rec_no;    /* record holding the current extent (attribute) */
    uint32_t attr_off;  /* offset of that attribute in the record */
    ntx_mp_state mp;    /* the decoder, past run */
    ntx_run run;        /* the last decoded run */
    bool valid;         /* the extent is non-resident and mp is set */
} ntx_run_cursor;

/*
 * An open attribute value ("stream"): the unnamed or a named $DATA, or any
 * other attribute by type and name. A plain value: copy it freely; it holds
 * positions and re-reads what it needs. Fill it with ntx_stream_open().
 */
typedef struct ntx_stream {
    struct ntx_volume *vol;
    uint32_t gen;                 /* mount generation it was opened under */
    uint32_t serial;              /* identifies it in the volume's chunk cache */
    uint64_t mft_no;              /* base record */
    uint32_t type;                /* attribute type */
    uint16_t flags;               /* NTX_ATTR_FLAG_* of the first extent */
    uint8_t name_len;
    bool resident;
    uint8_t cu_shift;             /* compression unit, log2 clusters; 0 if not compressed */
    uint8_t open_flags;           /* NTX_OPEN_DELETED, NTX_STREAM_RAW (internal) */
    uint8_t wof_algorithm;        /* a WOF file's data: NTX_WOF_* + 1; 0 for any other stream */
    uint8_t wof_chunk_shift;      /* ... and its chunk size, log2 */
    uint64_t size;                /* data size (a WOF file's: the uncompressed size) */
    uint64_t stored_size;         /* a WOF file's: bytes of WofCompressedData, which the
                                     rest of the handle describes; else size */
    uint64_t alloc_size;          /* allocated size (0 for resident) */
    uint64_t init_size;           /* initialized size: bytes past it read as zeros */
    uint64_t vcn_end;             /* clusters allocated: VCNs [0, vcn_end) */
    ntx_run_cursor cur;
    struct {                      /* LZNT1: where the last chunk was found */
        uint64_t cu_vcn;
        uint32_t chunk;           /* chunk index within the unit */
        uint32_t pos;             /* its byte offset within the unit's data */
        bool valid;
    } lz;
    uint16_t name[NTX_NAME_MAX];
} ntx_stream;

/**
 * ntx_stream_open() - open the attribute of type `type` named name (UTF-16,
 * name_len units; name_len 0 for the unnamed one) for reading.
 *
 * Reads:   the base record, its $ATTRIBUTE_LIST, and the record holding the
 *          first extent.
 * Returns: NTX_OK; NTX_E_NOT_FOUND; NTX_E_UNSUPPORTED (compressed in a build
 *          without LZNT1); NTX_E_CORRUPT (a bad compression unit, attribute
 *          or list entry); NTX_E_ARG; NTX_E_STALE; errors of the records read.
 */
ntx_err ntx_stream_open(ntx_stream *s, const ntx_file *f, uint32_t type, const uint16_t *name,
                        size_t name_len);

/**
 * ntx_stream_open_data() - open the $DATA stream named by UTF-8 `name`
 * (name_len bytes; 0 for the unnamed stream).
 * Returns: as ntx_stream_open(); NTX_E_IS_DIR for the unnamed stream of a
 *          directory; NTX_E_NAME / NTX_E_NAME_TOO_LONG for a bad name.
 */
ntx_err ntx_stream_open_data(ntx_stream *s, const ntx_file *f, const char *name, size_t name_len);

/**
 * ntx_stream_read() - copy up to len bytes from byte offset off of the stream.
 *
 * Sparse runs and bytes past the initialized size read as zeros; LZNT1
 * compressed units are decompressed. Aligned parts go straight from the
 * callback into buf, and runs adjacent on disk are read in one call.
 * Buffers: writes at most len bytes to buf; uses the volume's workspace.
 * Returns: NTX_OK with *got (0 at or past the end); NTX_E_STALE;
 *          NTX_E_UNSUPPORTED (encrypted); NTX_E_CORRUPT (a bad run or
 *          compressed chunk); NTX_E_IO; errors of the records read.
 */
ntx_err ntx_stream_read(ntx_stream *s, uint64_t off, void *buf, size_t len, size_t *got);

/**
 * ntx_stream_map() - the run of a non-resident stream that maps cluster vcn.
 *
 * Walk a whole runlist with vcn = 0, then vcn = run.vcn + run.len, while
 * vcn < s->vcn_end. Sparse runs have lcn NTX_LCN_HOLE. Extents split over
 * several records through an $ATTRIBUTE_LIST are followed.
 * Reads:   the records holding the stream's extents (cached cursor: a walk
 *          in VCN order decodes each run once).
 * Returns: NTX_OK with *run; NTX_E_ARG for a resident stream; NTX_E_CORRUPT
 *          (vcn not mapped: NTX_CHK_RUN_UNMAPPED; the runlist corrupt);
 *          NTX_E_STALE; record errors.
 */
ntx_err ntx_stream_map(ntx_stream *s, uint64_t vcn, ntx_run *run);

/* ntx_stream_open_raw(): like ntx_stream_open(), but an encrypted stream
 * reads as its stored ciphertext instead of NTX_E_UNSUPPORTED (an $EFS-aware
 * tool needs both the ciphertext and the $EFS attribute to decrypt). */
ntx_err ntx_stream_open_raw(ntx_stream *s, const ntx_file *f, uint32_t type,
                            const uint16_t *name, size_t name_len);

#endif
