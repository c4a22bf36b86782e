/*
 * ntx/forensic.h - what investigators need beyond reading files: records not
 * in use (deleted files), raw record headers, attribute values and runs,
 * typed parsers for $FILE_NAME, $STANDARD_INFORMATION, $OBJECT_ID, $EA,
 * security descriptors in $Secure, $UsnJrnl records and $EFS metadata, index
 * slack, $LogFile's restart area, and allocation bitmaps.
 *
 * The parsers (ntx_<value>_parse()) take bytes the caller obtained from the
 * library (ntx_attr_read(), ntx_stream_read()) or from anywhere else, and
 * never read the device; every offset inside them is checked against the
 * given length.
 */
#ifndef NTX_FORENSIC_H
#define NTX_FORENSIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attr.h"
#include "dir.h"
#include "file.h"

/* ---- MFT records ---- */

/* Record header flags. */
#define NTX_REC_IN_USE 0x0001u
#define NTX_REC_DIRECTORY 0x0002u
#define NTX_REC_EXTEND 0x0004u     /* in $Extend (NTFS 3.x) */
#define NTX_REC_VIEW_INDEX 0x0008u /* holds a view index ($Secure, $Quota, ...) */

/* A record's header, as stored. */
typedef struct ntx_record_info {
    uint64_t mft_no;
    uint64_t lsn;             /* $LogFile sequence number of the last change */
    uint64_t base_ref;        /* 0 for a base record, else the base record's reference */
    uint16_t seq;             /* sequence number (incremented when the record is freed) */
    uint16_t link_count;
    uint16_t flags;           /* NTX_REC_* */
    uint16_t next_instance;
    uint32_t bytes_in_use;
    uint32_t bytes_allocated;
} ntx_record_info;

/**
 * ntx_record_get_info() - the header of MFT record mft_no, in use or not.
 * Reads:   the record (through the record cache; fixups checked).
 * Returns: NTX_OK; NTX_E_NOT_FOUND (beyond $MFT); NTX_E_CORRUPT (diag.check:
 *          NTX_CHK_RECORD_MAGIC for no "FILE" magic, a record never used;
 *          the fixup checks for a torn record; the header and attribute
 *          checks); I/O errors.
 */
ntx_err ntx_record_get_info(ntx_volume *vol, uint64_t mft_no, ntx_record_info *info);

/**
 * ntx_record_never_used() - whether base record *info, not in use, was
 * never a file, judged from its header and what a walk of its attributes
 * counted (attrs attributes, names $FILE_NAMEs): no attribute at all (as
 * mkntfs and ntfs-3g format records), or one of the templates Windows'
 * format fills $MFT's first clusters with: LSN 0, no $FILE_NAME and the
 * sequence number equal to the record number. A deleted file fails the
 * last test too: Windows gives its record an LSN, and ntfs-3g, which writes
 * none, counts the sequence number up from 1.
 * Reads:   *info only.
 * Returns: true for such a record; false for a record in use, an extension
 *          record, or one that held a file.
 */
bool ntx_record_never_used(const ntx_record_info *info, uint32_t attrs, uint32_t names);

/*
 * Deleted files: ntx_file_open() (file.h) with NTX_OPEN_DELETED opens a base
 * record whatever its sequence number, also when it is not in use. Such a
 * handle reads what its record still says: its extension records are
 * accepted when they name it as their base, in use or not, and what its
 * attribute list names but is gone is skipped (ntx_attr_iter_next() counts
 * it) or not found. Its data may since have been overwritten (see
 * ntx_volume_clusters_in_use()).
 */

/**
 * ntx_volume_count_records() - records of $MFT marked in use in $MFT's
 * $BITMAP attribute, and the number of records $MFT holds.
 * Buffers: buf of len bytes (at least 512) of scratch.
 */
ntx_err ntx_volume_count_records(ntx_volume *vol, void *buf, size_t len, uint64_t *in_use,
                                 uint64_t *total);

/**
 * ntx_volume_clusters_in_use() - how many of the clusters [lcn, lcn + count)
 * $Bitmap marks in use (to tell whether a deleted file's clusters have been
 * reallocated). Reads the bytes of $Bitmap that cover the range.
 * Returns: NTX_OK with *used; NTX_E_ARG past the volume; read errors.
 */
ntx_err ntx_volume_clusters_in_use(ntx_volume *vol, uint64_t lcn, uint64_t count, uint64_t *used);

/* ---- attribute values and runs ---- */

/**
 * ntx_attr_read() - bytes [off, off + len) of the value of the attribute ai
 * describes (from ntx_attr_iter_next()). Resident values come from the record that
 * holds them; non-resident ones are read as the whole stream of that type and
 * name (every extent), encrypted ones raw.
 * Returns: NTX_OK with *got (0 past the end); NTX_E_CORRUPT if the record no
 *          longer holds that attribute; read errors.
 */
ntx_err ntx_attr_read(const ntx_file *f, const ntx_attr_info *ai, uint64_t off, void *buf,
                      size_t len, size_t *got);

/* The runs of one attribute extent (one attribute record). */
typedef struct ntx_run_iter {
    ntx_volume *vol;
    uint32_t gen;
    uint64_t rec_no;
    uint32_t attr_off;
    uint32_t type;
    ntx_mp_state mp;          /* the decoder (private) */
    ntx_err err;              /* sticky */
} ntx_run_iter;

/**
 * ntx_run_iter_open() / ntx_run_iter_next() - the runs of the single
 * extent ai describes (non-resident only), in VCN order, as stored.
 * Returns: NTX_OK with *run; NTX_END; NTX_E_CORRUPT (sticky); NTX_E_ARG for
 *          a resident attribute.
 */
ntx_err ntx_run_iter_open(ntx_run_iter *it, const ntx_file *f, const ntx_attr_info *ai);
ntx_err ntx_run_iter_next(ntx_run_iter *it, ntx_run *run);


/* ---- typed values ---- */

/**
 * ntx_file_name_parse() - a $FILE_NAME value (len bytes) into a directory
 * entry (mft_ref left 0). Returns NTX_OK or NTX_E_CORRUPT (too short, empty
 * name, name past the value, namespace above 3).
 */
ntx_err ntx_file_name_parse(const void *value, size_t len, ntx_dirent *out);

typedef struct ntx_std_info {
    uint64_t times[4];        /* NTX_TIME_* */
    uint32_t file_attrs;
    uint32_t max_versions, version, class_id;
    bool v3;                  /* the NTFS 3.x fields below are present */
    uint32_t owner_id, security_id;
    uint64_t quota_charged, usn;
} ntx_std_info;

/* A $STANDARD_INFORMATION value. NTX_E_CORRUPT if shorter than 0x30 bytes. */
ntx_err ntx_std_info_parse(const void *value, size_t len, ntx_std_info *out);

typedef struct ntx_object_id {
    uint8_t object_id[16];
    uint8_t birth_volume_id[16]; /* the three below only when present (64-byte value) */
    uint8_t birth_object_id[16];
    uint8_t domain_id[16];
    bool extended;
} ntx_object_id;

/* An $OBJECT_ID value (16 or 64 bytes). NTX_E_CORRUPT for other lengths. */
ntx_err ntx_object_id_parse(const void *value, size_t len, ntx_object_id *out);

/* One entry of an $EA value. name and value point into the caller's bytes. */
typedef struct ntx_ea {
    uint8_t flags;            /* 0x80: NEED_EA */
    uint8_t name_len;
    uint16_t value_len;
    const char *name;         /* not NUL-terminated */
    const uint8_t *value;
} ntx_ea;

/**
 * ntx_ea_next() - the extended attribute at *pos of an $EA value and
 * the position of the next one. Returns NTX_OK; NTX_END after the last
 * entry; NTX_E_CORRUPT for an entry that runs past the value or does not
 * advance (R42 in docs/robustness.md).
 */
ntx_err ntx_ea_next(const void *value, size_t len, size_t *pos, ntx_ea *ea);

/* ---- security descriptors ---- */

#define NTX_SID_MAX_SUB 15u

typedef struct ntx_sid {
    uint8_t revision;
    uint8_t sub_count;
    uint64_t authority;       /* 48-bit identifier authority */
    uint32_t sub[NTX_SID_MAX_SUB];
} ntx_sid;

typedef struct ntx_sd_info {
    uint16_t control;         /* SE_* flags (0x8000 self-relative, 0x0004 DACL present, ...) */
    bool has_owner, has_group;
    ntx_sid owner, group;
    uint32_t dacl_off, sacl_off; /* 0 when absent */
    uint16_t dacl_count, sacl_count;
} ntx_sd_info;

typedef struct ntx_ace {
    uint8_t type;             /* 0 allow, 1 deny, 2 audit, 5-8 object ACEs, ... */
    uint8_t flags;            /* inheritance and audit flags */
    uint32_t mask;
    bool has_sid;
    ntx_sid sid;
} ntx_ace;

/**
 * ntx_secure_lookup() - the security descriptor with this security id, from
 * $Secure:$SDS found through the $Secure:$SII index.
 * Buffers: buf of cap bytes receives the self-relative descriptor.
 * Returns: NTX_OK with *len; NTX_E_NOT_FOUND; NTX_E_BUFFER; NTX_E_CORRUPT;
 *          read errors.
 */
ntx_err ntx_secure_lookup(ntx_volume *vol, uint32_t security_id, void *buf, size_t cap,
                          size_t *len);

/* Parse a self-relative security descriptor. NTX_E_CORRUPT if malformed. */
ntx_err ntx_sd_parse(const void *sd, size_t len, ntx_sd_info *out);

/* ACE index of the ACL at acl_off (from ntx_sd_info) of sd. NTX_END past the last. */
ntx_err ntx_sd_ace(const void *sd, size_t len, uint32_t acl_off, unsigned index, ntx_ace *ace);

/* ---- $UsnJrnl:$J ---- */

typedef struct ntx_usn_record {
    uint32_t length;          /* bytes of the record */
    uint16_t major, minor;    /* 2 or 3 */
    uint64_t file_ref, parent_ref; /* low 64 bits of 128-bit ids in version 3 */
    uint64_t usn;
    uint64_t time;            /* NT time */
    uint32_t reason, source_info, security_id, file_attrs;
    uint8_t name_len;         /* in UTF-16 units */
    uint16_t name[NTX_NAME_MAX];
} ntx_usn_record;

/**
 * ntx_usn_next() - the next record of a change journal stream s (the $J
 * stream of $Extend/$UsnJrnl, opened with ntx_stream_open()), from byte *pos
 * on. Sparse ranges (the journal's discarded head) and zero padding between
 * records are skipped by their runs, not read.
 * Buffers: buf of cap >= 4096 bytes of scratch.
 * Returns: NTX_OK with *rec and *pos past it; NTX_END at the end of the
 *          stream; NTX_E_CORRUPT with check NTX_CHK_USN_RECORD for a record
 *          that cannot be (length under the header or past the stream,
 *          unknown version; the caller may resume 8 bytes on); read errors.
 */
ntx_err ntx_usn_next(ntx_stream *s, uint64_t *pos, void *buf, size_t cap, ntx_usn_record *rec);

/**
 * ntx_usn_parse() - the next record of change journal bytes held by the
 * caller (a copy of $UsnJrnl:$J, as `ntx cat IMAGE '$Extend/$UsnJrnl:$J'`
 * writes it, its sparse head as zeros), from byte *pos of buf on. buf must
 * start on a 4 KiB page of the journal (records never cross one) and hold
 * len bytes; a record cut by the end of buf is reported as one that cannot
 * be, so feed whole pages. Zero padding is skipped.
 * Reads:   buf only.
 * Returns: NTX_OK with *rec and *pos past it; NTX_END when the rest of buf
 *          holds no record (*pos = len); NTX_E_CORRUPT for a record that
 *          cannot be (length under the header, not a multiple of 8, past
 *          its page, unknown version, name outside the record), *pos at it:
 *          the caller may resume 8 bytes on.
 */
ntx_err ntx_usn_parse(const void *buf, size_t len, size_t *pos, ntx_usn_record *rec);

/**
 * ntx_usn_reason_name() - the name of one reason flag of a change journal
 * record as Windows' headers spell it less "USN_REASON_" ("DATA_OVERWRITE",
 * "FILE_CREATE", ..., "CLOSE"), so that every front-end prints the same.
 * Reads:   nothing.
 * Returns: the name of bit (a value with exactly one bit set), or NULL for a
 *          bit no reason is defined for, or a value that is not one bit.
 */
const char *ntx_usn_reason_name(uint32_t bit);

/* ---- $I30 slack ---- */

/* Where a slack name was found (ntx_slack_info.where), in the order scanned. */
#define NTX_SLACK_IN_ROOT 1u   /* the $INDEX_ROOT value, past its entries */
#define NTX_SLACK_IN_RECORD 2u /* the MFT record holding $INDEX_ROOT, past its bytes in use */
#define NTX_SLACK_IN_BLOCK 3u  /* an index block: past its entries, or anywhere in a block
                                * $BITMAP:$I30 marks free */

/* What the directory says of a slack name now (ntx_slack_info.state). */
#define NTX_SLACK_UNKNOWN 0u   /* no file reference (header_lost) and no live entry of this
                                * name with the same creation time; or the lookup failed (a
                                * directory not in use) and the file's record is in use */
#define NTX_SLACK_LIVE 1u      /* the directory lists this very name (same units) for the same
                                * file (same reference; header_lost: same $FILE_NAME creation
                                * time): a stale copy, nothing lost */
#define NTX_SLACK_RENAMED 2u   /* the file (same record, same sequence number) is in use, but
                                * the directory does not list it under this name: renamed,
                                * moved elsewhere, or this hard link removed */
#define NTX_SLACK_GONE 3u      /* the record is not in use, or holds another file now (another
                                * sequence number): the file was deleted */

/* Where one slack name was found, and what became of it. */
typedef struct ntx_slack_info {
    uint8_t where;            /* NTX_SLACK_IN_* */
    uint8_t state;            /* NTX_SLACK_* (ntx_slack_iter_next_info() only) */
    bool header_lost;         /* a $FILE_NAME whose entry header a leaf END entry overwrote:
                               * the dirent's mft_ref is 0 (unknown) */
    uint64_t block_vcn;       /* NTX_SLACK_IN_BLOCK: the index block's VCN; else 0 */
    uint64_t record;          /* the MFT record holding $INDEX_ROOT (IN_ROOT, IN_RECORD) */
    uint32_t offset;          /* of the entry (header_lost: of its $FILE_NAME) in the index
                               * block, or in the MFT record for IN_ROOT and IN_RECORD */
} ntx_slack_info;

typedef struct ntx_slack_iter {
    ntx_dir_iter dir;         /* the directory and its $INDEX_ALLOCATION */
    uint8_t phase;            /* NTX_SLACK_IN_*: the part being scanned */
    uint64_t vcn;             /* index block being scanned */
    uint32_t off;             /* next offset to try in it (or in the record) */
    uint64_t scanned;         /* blocks with data scanned so far (bounded by the volume) */
    ntx_err err;              /* sticky */
} ntx_slack_iter;

/**
 * ntx_slack_iter_open() / ntx_slack_iter_next_info() - file names recovered
 * from the unused bytes of a directory's $I30 index, where Windows leaves the
 * entries of deleted, renamed or moved names: the $INDEX_ROOT value past its
 * entries, the MFT record holding it past the record's bytes in use (a root
 * that shrank), and each index block past its entries in use (all of a block
 * $BITMAP:$I30 marks free). A find is a whole entry, or a $FILE_NAME whose
 * header the node's END entry overwrote (info->header_lost, mft_ref 0). Each
 * is checked like a live entry (lengths, a name of 1..255 units without
 * U+0000 in a valid namespace, a parent reference inside $MFT) and must have
 * a creation time in 1970..2200. *info says where it was found and whether
 * the directory still lists it (NTX_SLACK_LIVE: a stale copy of a live
 * name), the file lives on under another name (NTX_SLACK_RENAMED) or is gone
 * (NTX_SLACK_GONE).
 * Reads:   the directory's record, its index blocks and $BITMAP:$I30; for
 *          the state, one lookup in the directory and the header of the
 *          record the entry names.
 * Returns: NTX_OK with *ent and *info; NTX_END; NTX_E_NOT_DIR (open); read
 *          errors (sticky). A failed lookup only leaves the state unknown.
 */
ntx_err ntx_slack_iter_open(ntx_slack_iter *it, const ntx_file *dir);
ntx_err ntx_slack_iter_next_info(ntx_slack_iter *it, ntx_dirent *ent, ntx_slack_info *info);

/**
 * ntx_slack_where_name() / ntx_slack_state_name() - the words every
 * front-end prints for ntx_slack_info.where ("index_root", "record",
 * "index_block") and .state ("live", "renamed", "gone", "unknown").
 * Reads:   nothing.
 * Returns: a static string; an unknown value gives "index_block" and
 *          "unknown".
 */
const char *ntx_slack_where_name(uint8_t where);
const char *ntx_slack_state_name(uint8_t state);

/**
 * ntx_slack_iter_next() - the older form, index blocks only: whole entries
 * found in the index blocks (not the record, not header_lost names), with
 * *block_vcn and *offset (either may be NULL) saying where. Use one form or
 * the other on an iterator.
 * Returns: as ntx_slack_iter_next_info().
 */
ntx_err ntx_slack_iter_next(ntx_slack_iter *it, ntx_dirent *ent, uint64_t *block_vcn, uint32_t *offset);

/* ---- file slack ---- */

/* Where a stream's data ends in its last cluster (ntx_stream_slack()). */
typedef struct ntx_stream_slack_info {
    uint64_t vcn;             /* the stream's cluster holding the end of the data */
    uint64_t lcn;             /* and where it is on the volume (not with hole) */
    uint32_t cluster_size, sector_size;
    uint32_t data_end;        /* bytes of data in that cluster: the slack starts here */
    uint32_t sector_end;      /* the end of the sector holding the data's end: RAM slack is
                               * [data_end, sector_end), cluster slack [sector_end,
                               * cluster_size) */
    bool compressed;          /* the last unit is stored LZNT1-compressed: the data is its
                               * chunks and end marker, compressed_len bytes from the unit's
                               * first cluster */
    uint32_t compressed_len;
    bool hole;                /* the data ends in a sparse cluster (or a unit of zeros):
                               * nothing stored, no slack; buf not filled */
} ntx_stream_slack_info;

/**
 * ntx_stream_slack() - the last cluster of non-resident stream s that holds
 * data, read into buf as stored, and where in it the data ends. For a
 * compressed stream whose last unit is stored compressed, the data ends after
 * the unit's last chunk and its 0x0000 end marker (read from the chunk
 * headers); a unit with every cluster allocated is stored plain.
 * Buffers: buf of cap bytes, at least the cluster size.
 * Reads:   the stream's runs; the last cluster; for a compressed unit, its
 *          clusters up to the end of its chunks.
 * Returns: NTX_OK with *out (out->hole: no cluster stored); NTX_E_ARG for a
 *          resident stream (its value is in the MFT record: no cluster, no
 *          slack); NTX_E_UNSUPPORTED for a WOF file's data (its slack is that
 *          of its WofCompressedData stream); NTX_E_NOT_FOUND for an empty
 *          stream; NTX_E_BUFFER; NTX_E_CORRUPT (a unit with clusters after
 *          a hole, a chunk past the unit's clusters); read errors.
 */
ntx_err ntx_stream_slack(ntx_stream *s, void *buf, size_t cap, ntx_stream_slack_info *out);

/* ---- $LogFile restart area ---- */

/* Restart area flags (ntx_logfile_restart.flags). */
#define NTX_LOGFILE_VOLUME_CLEAN 0x0002u /* RESTART_VOLUME_IS_CLEAN: set at a clean dismount
                                          * (XP and later), cleared at mount */
#define NTX_LOGFILE_NO_CLIENT 0xFFFFu    /* an empty client list */
#define NTX_LOGFILE_CLIENT_NAME_MAX 64u  /* UTF-16 units */

/* One restart page of $LogFile, decoded. */
typedef struct ntx_logfile_restart {
    bool chkdsk;              /* magic "CHKD": chkdsk rewrote the page (chkdsk_lsn says where
                               * it stopped); else "RSTR" */
    uint64_t chkdsk_lsn;
    uint32_t system_page_size, log_page_size;
    int16_t major, minor;     /* log version: 1.1 up to Windows 10, 2.0 seen since Windows 8 */
    /* the restart area */
    uint64_t current_lsn;     /* the last LSN when the area was written */
    uint16_t log_clients;
    uint16_t client_free_list, client_in_use_list; /* NTX_LOGFILE_NO_CLIENT: empty */
    uint16_t flags;           /* NTX_LOGFILE_VOLUME_CLEAN, others kept as stored */
    uint32_t seq_number_bits;
    uint16_t restart_area_length, client_array_offset;
    uint64_t file_size;       /* usable bytes of the log */
    uint32_t last_lsn_data_length;
    uint16_t record_header_length, page_data_offset;
    uint32_t open_count;      /* restart_log_open_count: incremented at each mount */
    /* the first client in use, or else client 0 (NTFS's own: "NTFS") */
    bool has_client;
    uint16_t client_index;
    uint64_t client_oldest_lsn, client_restart_lsn;
    uint16_t client_seq;
    uint8_t client_name_len;  /* UTF-16 units */
    uint16_t client_name[NTX_LOGFILE_CLIENT_NAME_MAX];
    /* what follows from the fields */
    bool clean;               /* no client in use (the log closed), or VOLUME_CLEAN set: the
                               * volume was dismounted cleanly (ntfs-3g's rule) */
} ntx_logfile_restart;

/**
 * ntx_logfile_restart_parse() - one restart page of $LogFile (its first two
 * pages, each system_page_size bytes, usually 4 KiB), as stored: the
 * multi-sector protection is checked here, not applied (page stays
 * untouched; words at sector tails are read from the update sequence
 * array). Checks, after ntfs-3g's and Linux's logfile.c: magic "RSTR" or
 * "CHKD" (a CHKD page may have no update sequence array); page sizes powers
 * of two in 512..65536; the array even, one word per 512 bytes plus one,
 * before byte 510, every sector tail equal to its first word; the restart
 * area 8-aligned after the array with its fixed part before byte 510; the
 * client array 8-aligned inside the restart area, which lies inside the
 * page; client lists ending in NTX_LOGFILE_NO_CLIENT after at most
 * log_clients steps; header lengths multiples of 8; a client name of at most
 * 64 units.
 * Buffers: page of len bytes, at least the page's system page size.
 * Returns: NTX_OK with *out; NTX_E_NOT_FOUND for a page of 0xFF (never
 *          written, or a log emptied); NTX_E_BUFFER when len is under the
 *          page size it declares; NTX_E_CORRUPT otherwise, with *check (may
 *          be NULL) NTX_CHK_LOGFILE_HEADER, NTX_CHK_FIXUP_HEADER,
 *          NTX_CHK_FIXUP_MISMATCH or NTX_CHK_LOGFILE_AREA.
 */
ntx_err ntx_logfile_restart_parse(const void *page, size_t len, ntx_logfile_restart *out,
                                  ntx_check *check);

/* The restart state of a volume: both restart pages, and the current one. */
typedef struct ntx_logfile_info {
    bool empty;               /* both pages 0xFF: no restart area (an emptied log is clean) */
    uint8_t valid;            /* bit i: restart page i parsed */
    uint8_t current;          /* the current page: the valid one with the higher current LSN
                               * (page 0 when equal) */
    ntx_err page_err[2];      /* why a page did not parse (NTX_OK if it did) */
    uint16_t page_check[2];   /* and the check that failed */
    ntx_logfile_restart page[2]; /* each page as parsed (when its bit of valid is set) */
} ntx_logfile_info;

/**
 * ntx_logfile_read() - the restart pages of $LogFile (MFT record 2): the
 * first 512 bytes for the page size (4096 if the first page is unreadable),
 * then each page in turn into buf.
 * Buffers: buf of cap bytes, at least the page size (4096 is Windows').
 * Returns: NTX_OK with *info when a page parsed (info->page[info->current]
 *          is the restart area in effect) or both are empty;
 *          NTX_E_CORRUPT (info->page_err and page_check say why each failed;
 *          vol->diag holds page 0's), NTX_E_BUFFER, read errors.
 */
ntx_err ntx_logfile_read(ntx_volume *vol, void *buf, size_t cap, ntx_logfile_info *info);

/* ---- $EFS ---- */

typedef struct ntx_efs_info {
    uint32_t length;
    uint32_t version;         /* EFS version (1-3: metadata version 1; 4-5: version 2) */
    uint32_t ddf_count;       /* data decryption fields (users) */
    uint32_t drf_count;       /* data recovery fields (recovery agents) */
    uint32_t ddf_off, drf_off;
} ntx_efs_info;

/* The header of an $EFS ($LOGGED_UTILITY_STREAM named "$EFS") value. */
ntx_err ntx_efs_parse(const void *value, size_t len, ntx_efs_info *out);

#endif
