/*
 * scan.h - one pass over every MFT record (ntx mft, ntx timeline): record
 * headers, $STANDARD_INFORMATION, every $FILE_NAME and the $DATA /
 * $INDEX_ROOT attributes, kept in flat arrays indexed by record number, so
 * that paths can be rebuilt from parent references without reading a record
 * twice.
 */
#ifndef NTX_CLI_SCAN_H
#define NTX_CLI_SCAN_H

#include "cli.h"

/* REC_EMPTY: a base record not in use with no attribute at all (formatted
 * but never given to a file, as ntfs-3g and mkntfs leave them). */
enum { REC_UNUSED = 0, REC_BASE, REC_EXT, REC_BAD, REC_EMPTY };

typedef struct scan_name {
    uint64_t parent_ref;
    uint64_t times[4];        /* $FILE_NAME times */
    uint64_t alloc_size, data_size; /* as the $FILE_NAME records them */
    uint32_t file_attrs;
    uint32_t name_off;        /* WTF-8 bytes in the name arena */
    uint16_t name_len;
    uint16_t attr_id;         /* attribute instance */
    uint32_t value_len;       /* bytes of the $FILE_NAME value */
    uint8_t ns;
    bool in_base;             /* held in the base record (not through an attribute list) */
} scan_name;

typedef struct scan_stream {
    uint64_t size;
    uint32_t type;            /* NTX_AT_DATA or NTX_AT_INDEX_ROOT */
    uint32_t name_off;
    uint16_t name_len;
    uint16_t attr_id;
    uint16_t flags;
} scan_stream;

typedef struct scan_rec {
    uint8_t state;            /* REC_* */
    bool has_si;
    uint16_t flags;           /* record header flags (NTX_REC_*) */
    uint16_t seq;
    uint16_t link_count;
    uint16_t nnames, nstreams;
    uint32_t nattrs;          /* attributes seen */
    uint32_t first_name, first_stream;
    uint32_t prim;            /* index (into names) of the name paths use; UINT32_MAX: none */
    uint32_t dos_attrs;
    uint32_t owner_id;
    uint64_t base_ref;        /* extension records */
    uint64_t si_times[4];
    uint64_t data_size;       /* unnamed $DATA */
    int err;                  /* the attribute walk failed (partial data) */
    /* path memo (directories used as parents) */
    uint32_t path_off, path_len;
    uint32_t stamp;
    uint8_t path_state;       /* 0 unknown, 1 resolved, 2 orphaned */
} scan_rec;

typedef struct scan {
    cli_image *img;
    uint64_t nrec;
    scan_rec *recs;
    scan_name *names;
    size_t nnames, names_cap;
    scan_stream *streams;
    size_t nstreams, streams_cap;
    sbuf arena;               /* names (WTF-8) */
    sbuf paths;               /* memoised directory paths (WTF-8) */
    uint32_t stamp;
    unsigned errors;
} scan;

/* Read every record. with_streams: keep $DATA / $INDEX_ROOT attributes too. */
bool scan_run(scan *sc, cli_image *img, bool with_streams, bool quiet);
void scan_free(scan *sc);

/* The directory path of name k (without its own name): "" for the root,
 * "/a/b", or "/$OrphanFiles..." when the parents do not lead to the root.
 * Appends to out (unescaped WTF-8). Returns true if orphaned. */
bool scan_parent_path(scan *sc, const scan_name *nm, bool child_deleted, sbuf *out);
/* The full path of record r by its primary name (for slack entries' dirs). */
bool scan_record_path(scan *sc, uint64_t r, sbuf *out);

static inline const char *scan_str(const scan *sc, uint32_t off)
{
    return sc->arena.p + off;
}

#endif
