/*
 * cli.h - what the parts of the `ntx` command share: the opened image, the
 * option parser, output helpers (escaped names, JSON, times) and error
 * reporting. Hosted C11 + POSIX; links the ntx core, the ntx_host image
 * library (host/) and libc.
 *
 * The CLI never parses disk bytes itself (DESIGN.md): every structure comes
 * from a core function; this program formats what the core returns.
 */
#ifndef NTX_CLI_H
#define NTX_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ntx.h"
#include "ntx/forensic.h"
#include "ntx/host.h"

/* Exit codes (documented in ntx.1, EXIT STATUS). */
enum {
    EXIT_OK = 0,      /* everything asked for was done */
    EXIT_FAIL = 1,    /* the image or the named object could not be read; output error */
    EXIT_USAGE = 2,   /* bad command line */
    EXIT_PARTIAL = 3, /* done, but some objects could not be read, or recovered data may be
                         overwritten (each problem is reported on standard error) */
};

/* ---- options ---- */

/* timeline --format */
enum { FORMAT_BODY = 0, FORMAT_JSONL, FORMAT_CSV };

/* A parsed -i value (see parse_record_spec). */
typedef struct record_spec {
    uint64_t first, last; /* last == first unless a range was given */
    const char *stream;   /* after ':', or NULL */
} record_spec;

typedef struct cli_opts {
    /* global */
    bool json;
    bool quiet;
    bool have_partition, have_offset, have_vss;
    uint32_t partition;
    uint64_t offset;
    uint32_t vss;     /* --vss N: shadow copy store N (1..) */
    /* per command (each command accepts its own subset, see main.c) */
    bool long_fmt;    /* ls -l */
    bool recursive;   /* ls -r */
    bool all;         /* ls -a, mft --all */
    bool deleted_only;/* mft -d */
    bool slack;       /* mft --slack */
    bool raw;         /* cat --raw: EFS ciphertext */
    bool force;       /* recover/extract: overwrite */
    bool streams;     /* extract --streams */
    bool no_progress; /* extract --no-progress */
    bool header;      /* ls --header */
    bool usn;         /* timeline --usn: the change journal's records too */
    int format;       /* timeline --format: FORMAT_* */
    const char *mft_file;     /* --mft-file FILE: a copy of $MFT in place of IMAGE */
    const char *journal_file; /* usn/timeline --journal-file FILE: a copy of $UsnJrnl:$J */
    bool have_inode;
    uint64_t inode;   /* -i MFTNUM */
    record_spec *inodes; /* every -i value in order (stat and cat take several) */
    int ninodes;
    const char *inode_stream; /* -i MFTNUM:STREAM */
    const char *stream_opt;   /* cat --stream NAME, usn --stream PATH:NAME */
    bool have_type;
    uint32_t attr_type;       /* cat --type */
    const char *attr_name;    /* cat --type TYPE:NAME */
    /* positional: IMAGE first, the rest in order */
    const char *image;
    const char **args; /* room for every word of the command line */
    int nargs;
} cli_opts;

/* ---- the image ---- */

typedef struct cli_image {
    const char *path;
    ntx_host_image *host;     /* the container and the read cache (host/) */
    const ntx_host_info *where; /* which container, partition and store */
    /* where the volume is */
    uint64_t dev_size;        /* bytes of the disk the container holds */
    uint64_t vol_offset;
    uint32_t part_index;      /* 0: a bare volume or --offset */
    uint8_t part_scheme;      /* NTX_PT_* or 0 */
    ntx_volume vol;
    bool mounted;
    void *ws;
    uint16_t *upcase;
} cli_image;

/* Open IMAGE read-only, find the volume (partition table, --partition,
 * --offset), open the shadow copy store (--vss) and mount it; or, with
 * --mft-file, mount that copy of $MFT alone (triage.c). Reports and
 * returns false on failure. */
bool image_open(cli_image *img, const cli_opts *o);
/* Open IMAGE and find the volume, without --vss and without mounting: for
 * `vss`. */
bool image_select(cli_image *img, const cli_opts *o);
/* Open the container only (no volume): for `partitions`. */
bool image_open_device(cli_image *img, const cli_opts *o);
void image_close(cli_image *img);
/* ntx_io over the whole disk (the container's), from offset, size bytes (0:
 * to the end), through the cache. */
ntx_io image_disk_io(cli_image *img, uint64_t offset, uint64_t size);
/* ntx_host options from the command line. */
void image_host_options(const cli_opts *o, ntx_host_options *ho);

/* ---- errors ---- */

extern const char *g_prog;    /* "ntx" */
extern int g_partial;         /* set when an object fails but work goes on */

/* "ntx: IMAGE: OBJECT: problem (check at record N offset X)" using vol->diag
 * when it belongs to rc. object may be NULL. */
void report(const cli_image *img, const char *object, int rc);
/* "ntx: IMAGE: OBJECT: message" (printf-style message). */
void reportf(const cli_image *img, const char *object, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void warnf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *check_text(unsigned check);
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- output ---- */

/* A growable byte string. */
typedef struct sbuf {
    char *p;
    size_t len, cap;
} sbuf;
void sb_init(sbuf *b);
void sb_free(sbuf *b);
void sb_clear(sbuf *b);
void sb_reserve(sbuf *b, size_t extra); /* room for extra more bytes (and a NUL) */
void sb_put(sbuf *b, const void *s, size_t n);
void sb_puts(sbuf *b, const char *s);
void sb_putc(sbuf *b, char c);
void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *sb_str(sbuf *b); /* NUL-terminated view */

/* UTF-16 name to WTF-8 (lossless). out must hold 3 * n + 1 bytes. Returns
 * the byte length. */
size_t name_utf8(const uint16_t *name, size_t n, char *out, size_t cap);

/* Append WTF-8 bytes escaped for text output (R35): control characters,
 * DEL and backslash as \xHH / \\, C1 controls, bidirectional controls and
 * lone surrogates as \u{XXXX}; any invalid byte as \xHH. */
void esc_text(sbuf *b, const char *s, size_t n);
/* Append a JSON string literal (with quotes) for WTF-8 bytes: valid UTF-8
 * as is, controls as \u00XX, lone surrogates as \uDXXX. */
void esc_json(sbuf *b, const char *s, size_t n);
/* The same for a UTF-16 name. */
void json_name16(sbuf *b, const uint16_t *name, size_t n);
void text_name16(sbuf *b, const uint16_t *name, size_t n);

/* JSON object writer: obj_begin, then key/value pairs, then obj_end (which
 * writes the line to stdout). */
typedef struct jw {
    sbuf *b;
    bool first;
} jw;
void jw_begin(jw *w, sbuf *b);
void jw_key(jw *w, const char *key);
void jw_str(jw *w, const char *key, const char *s);            /* s: UTF-8/WTF-8 */
void jw_strn(jw *w, const char *key, const char *s, size_t n);
void jw_u64(jw *w, const char *key, uint64_t v);
void jw_i64(jw *w, const char *key, int64_t v);
void jw_bool(jw *w, const char *key, bool v);
void jw_null(jw *w, const char *key);
void jw_time(jw *w, const char *key, uint64_t nt);              /* ISO 8601 or null */
void jw_raw(jw *w, const char *key, const char *json);          /* pre-formatted value */
void jw_end(jw *w);                                             /* closes the object */

/* Write b to stdout and clear it; false (and an error message) on failure. */
bool out_flush_line(sbuf *b);
bool out_finish(void); /* fflush(stdout), report a write error */

/* NT time (100 ns since 1601) as "YYYY-MM-DD hh:mm:ss.fffffff" (frac true) or
 * "YYYY-MM-DD hh:mm:ss"; "-" for 0. */
void fmt_time(sbuf *b, uint64_t nt, bool frac);
/* NT time as Unix seconds (floor); 0 for 0. */
int64_t nt_to_unix(uint64_t nt);
/* DOS attribute letters / names */
void fmt_dos_attrs(sbuf *b, uint32_t a, bool words);
const char *attr_type_name(uint32_t type);
void fmt_guid(sbuf *b, const uint8_t g[16]); /* registry form, no braces */
void fmt_hex(sbuf *b, const uint8_t *p, size_t n);
const char *namespace_name(unsigned ns);
bool parse_u64(const char *s, uint64_t *v);
/* A -i value: MFTNUM[:STREAM], or FIRST-LAST[:STREAM] when range is true.
 * False if it is not one. */
bool parse_record_spec(const char *v, bool range, record_spec *out);
/* The exit status of a command given several targets: 0 when all were
 * done, 3 (partial) when some were, 1 when none was. */
int targets_exit(unsigned long done, unsigned long failed);

/* ---- helpers over the core ---- */

/* Open a file by path or MFT number (with NTX_OPEN_DELETED when deleted_ok);
 * on failure report and return false. what receives a printable name. */
bool open_target(cli_image *img, const cli_opts *o, const char *path, bool deleted_ok,
                 ntx_file *f, sbuf *what);
/* Is the file a symbolic link (reparse symlink/junction or Interix)? On
 * success *target holds the target (UTF-8, NUL-terminated). */
/* The next named $DATA stream of an open attribute iterator (each stream
 * once, however many extents it has), its name in UTF-8 (name_utf8) in
 * name[cap]. Returns NTX_OK, NTX_END after the last, or the iterator's error. */
ntx_err next_named_stream(ntx_attr_iter *ai, ntx_attr_info *info, char *name, size_t cap,
                          size_t *name_len);
bool file_link_target(const ntx_file *f, const ntx_stat *st, char *target, size_t cap);
/* Room for any link target: 8 KiB UTF-16 units of reparse data, 3 bytes each. */
#define NTX_LINK_MAX (3u * 8192u + 1u)
/* Where a file's data is (ntx_stat.data_form, file.h): "resident", "plain",
 * "sparse", "lznt1", "encrypted", "wof", "external"; NULL for NTX_DATA_NONE. */
const char *data_form_name(unsigned form);
/* A WOF algorithm (NTX_WOF_*) as ls and stat name it: "xpress4k", "lzx",
 * "xpress8k", "xpress16k". */
const char *wof_algorithm_name(unsigned algorithm);
/* For data stored outside the file (NTX_DATA_EXTERNAL), from its reparse
 * tag: the NTX_CHK_EXTERNAL_* check the core reports when the data is read
 * (check_text() says where), and a short kind: "wim", "dedup", "cloud",
 * "hsm" ("other" for a tag the core does not send elsewhere). */
unsigned external_check(uint32_t tag);
const char *external_kind(uint32_t tag);
/* Is f a WOF-compressed file (ntx_stat.data_form)? Its unnamed $DATA then
 * reads through WofCompressedData, and a refusal of that stream as
 * EFS-encrypted (WOF_ENCRYPTED says so) is not about the stub $DATA that
 * `cat --raw` reads. */
bool file_is_wof(const ntx_file *f);
#define WOF_ENCRYPTED                                                                          \
    "WOF-compressed, and its WofCompressedData has the EFS-encrypted flag, which WOF never "   \
    "writes (damaged?): `cat --raw FILE:WofCompressedData` writes the stored bytes"
/* Split "PATH:STREAM" where the last component holds a ':' */
void split_stream(const char *spec, sbuf *path, const char **stream);

/* Copy stream s to fd from offset 0. sparse: fd is a regular file; holes of
 * an uncompressed sparse stream are skipped with lseek (and the file
 * truncated to size at the end). Returns NTX_OK, an ntx_err from the read,
 * or 1 for a write error (*werr = errno). */
typedef void (*copy_progress_fn)(void *ctx, uint64_t bytes);
int copy_stream(ntx_stream *s, int fd, bool sparse, copy_progress_fn progress, void *pctx,
                int *werr);

/* Security descriptors (sddl.c). */
void fmt_sid(sbuf *b, const ntx_sid *sid);
const char *sid_alias(const ntx_sid *sid, sbuf *tmp); /* "BA" or NULL */
bool fmt_sddl(sbuf *b, const void *sd, size_t len, const ntx_sd_info *si);

/* The path of directory ref by walking parent references through the MFT
 * (sequence numbers checked, cycles and depth bounded). Appends "/a/b" ("" for
 * the root) and returns true, or returns false if the chain breaks. */
bool walk_dir_path(cli_image *img, uint64_t ref, sbuf *out);
/* The primary (non-DOS) $FILE_NAME of f; false if none. */
bool primary_name(const ntx_file *f, ntx_dirent *out);

/* ---- commands ---- */

int cmd_info(cli_opts *o);
int cmd_partitions(cli_opts *o);
int cmd_vss(cli_opts *o);
int cmd_ls(cli_opts *o);
int cmd_stat(cli_opts *o);
int cmd_cat(cli_opts *o);
int cmd_recover(cli_opts *o);
int cmd_mft(cli_opts *o);
int cmd_timeline(cli_opts *o);
int cmd_usn(cli_opts *o);
int cmd_extract(cli_opts *o);

#endif
