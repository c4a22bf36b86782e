/*
 * scan.h - two passes over every MFT record (ntx mft, ntx timeline, ntx usn):
 * the first keeps what paths need, directories only (record number,
 * sequence number, flags, primary name and its parent); the second hands
 * each record in turn to the caller, fully decoded (header,
 * $STANDARD_INFORMATION, every $FILE_NAME, the $DATA and $INDEX_ROOT
 * attributes), and forgets it at the next. Memory grows with the number of
 * directories, never with the number of records.
 */
#ifndef NTX_CLI_SCAN_H
#define NTX_CLI_SCAN_H

#include "cli.h"

/* REC_EMPTY: a base record never used (ntx_record_never_used()): not in
 * use and no attribute at all (formatted, as ntfs-3g and mkntfs leave them),
 * or one of the templates Windows' format fills $MFT's first clusters with. */
enum { REC_UNUSED = 0, REC_BASE, REC_EXT, REC_BAD, REC_EMPTY };

typedef struct scan_name {
    uint64_t parent_ref;
    uint64_t times[4];        /* $FILE_NAME times */
    uint64_t alloc_size, data_size; /* as the $FILE_NAME records them */
    uint32_t file_attrs;
    uint32_t name_off;        /* WTF-8 bytes in the record's name arena */
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

/* The record scan_record() read last. */
typedef struct scan_rec {
    uint64_t mft;
    uint8_t state;            /* REC_* */
    bool has_si;
    uint16_t flags;           /* record header flags (NTX_REC_*) */
    uint16_t seq;
    uint16_t link_count;
    uint64_t lsn;
    uint32_t nattrs;          /* attributes seen */
    uint32_t nnames, nstreams;
    uint32_t prim;            /* index (into names) of the name paths use; UINT32_MAX: none */
    uint32_t dos_attrs;
    uint32_t owner_id;
    uint64_t base_ref;        /* extension records */
    uint64_t si_times[4];
    uint64_t data_size;       /* unnamed $DATA */
    int err;                  /* the record or its attribute walk failed (partial data) */
} scan_rec;

/* A directory record, kept from the first pass for paths. */
typedef struct scan_dir {
    uint64_t mft;
    uint64_t parent_ref;      /* its primary name's parent */
    uint32_t name_off;        /* in dir_names */
    uint16_t name_len;
    uint16_t seq;
    uint16_t flags;           /* record header flags */
    bool has_name;
    bool usable;              /* a base record read whole: may be a parent (REC_BASE) */
    uint32_t stamp;           /* the walk that met it last (cycles) */
} scan_dir;

typedef struct scan {
    cli_image *img;
    uint64_t nrec;
    bool with_streams;
    unsigned errors;          /* records reported unreadable (second pass) */
    /* first pass */
    scan_dir *dirs;           /* ascending record numbers */
    size_t ndirs, dirs_cap;
    sbuf dir_names;
    uint32_t stamp;
    struct ext_pair *exts;    /* --mft-file: (base, extension record), by base */
    size_t nexts, exts_cap;
    struct gathered *gathered; /* a file put back together from its records */
    /* second pass: the current record */
    scan_rec rec;
    scan_name *names;
    size_t names_cap;
    scan_stream *streams;
    size_t streams_cap;
    sbuf arena;               /* its names (WTF-8) */
    /* the directory path resolved last */
    uint64_t last_dir;
    bool last_orphan;
    sbuf last_path;
} scan;

/* Open the image (or --mft-file) and run the first pass of a scan; reports
 * and returns false on failure. */
bool open_and_scan(cli_opts *o, cli_image *img, scan *sc, bool with_streams);

/* The first pass: every record's header, and each directory's names.
 * with_streams: the second pass keeps $DATA / $INDEX_ROOT attributes. */
bool scan_open(scan *sc, cli_image *img, bool with_streams, bool quiet);
void scan_free(scan *sc);

/* The second pass, one record: fills sc->rec, sc->names, sc->streams.
 * Reports an unreadable record (counted in sc->errors). */
const scan_rec *scan_record(scan *sc, uint64_t n);

/* The directory path of name nm (without its own name): "" for the root,
 * "/a/b", or "/$OrphanFiles..." when the parents do not lead to the root.
 * Appends to out (unescaped WTF-8). Returns true if orphaned. */
bool scan_parent_path(scan *sc, uint64_t parent_ref, sbuf *out);
/* The full path of directory or nameless record r (for slack entries' and
 * $I30 entries' directories, and records without a name). */
bool scan_record_path(scan *sc, uint64_t r, bool has_name, sbuf *out);

/* The full path of the current record under its name k (names[k]); true
 * when a parent is missing (an orphan). The root is "/". */
bool scan_name_path(scan *sc, uint32_t k, sbuf *path);
/* Whether the current record has a name other than a DOS 8.3 one: its DOS
 * name is then only an alias (mft lists it with -a alone, timeline not at
 * all). */
bool scan_has_long_name(const scan *sc);

static inline const char *scan_str(const scan *sc, uint32_t off)
{
    return sc->arena.p + off;
}

#endif
