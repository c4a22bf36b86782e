/*
 * internal.h - what the parts of the ntx_host library share (private).
 *
 * An image is a stack of byte sources: the container (a file, a split set,
 * or a container library's view of its disk), then optionally a shadow copy
 * store (libvshadow's view of a volume), each read through a cache. The core
 * sees only the top of the stack, through one ntx_io callback.
 */
#ifndef NTX_HOST_PRIVATE_H
#define NTX_HOST_PRIVATE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ntx.h"
#include "ntx/host.h"

/* ---- sources: bytes of a disk or a volume ---- */

typedef struct host_source host_source;

typedef struct host_source_ops {
    /* Read exactly len bytes at off (off + len <= size). 0, or a negative
     * errno; on failure src->why holds the library's or system's words. */
    int (*read)(host_source *src, uint64_t off, void *buf, size_t len);
    void (*close)(host_source *src); /* frees src */
} host_source_ops;

struct host_source {
    const host_source_ops *ops;
    uint64_t size;     /* bytes the source holds */
    uint32_t unit;     /* the container's natural unit: what a miss fetches at least
                          (4 KiB for files, a chunk or cluster for compressed or
                          allocated containers); a power of two >= 4096 */
    int fd;            /* for a single raw file: its descriptor, else -1 */
    struct host_map *map; /* a raw file mapped whole, read-only (map_raw), or NULL */
    char why[256];     /* words about the last failed read */
};

/* Read through src->ops->read, checking the range against src->size. */
int host_source_read(host_source *src, uint64_t off, void *buf, size_t len);

/* ---- the files (source_file.c) ---- */

/* Open path read-only (O_NOATIME when allowed); its size (regular file or
 * block device) in *size. Returns the descriptor, or -1 with err filled. */
int host_file_open(const char *path, uint64_t *size, ntx_host_error *err);
/* pread() until len bytes are in: 0, -errno, or -EIO at the end of the file. */
int host_pread_full(int fd, uint64_t off, void *buf, size_t len);
/* A source over one open file (takes ownership of fd). map_budget: map a
 * regular file whole (ntx_host_options.map_raw), dropping the pages touched
 * each time that many bytes were read (host_map_file()); 0, or when mmap()
 * fails: read with pread(). */
host_source *host_file_source(int fd, uint64_t size, size_t map_budget, ntx_host_error *err);

/* ---- a raw file mapped (mapped.c) ---- */

typedef struct host_map host_map;

/* The regular file fd, of size bytes, mapped whole and read-only, with the
 * process's SIGBUS guard installed. Pages touched are dropped from the
 * mapping each time budget bytes have been copied out, so that a long walk
 * does not keep them all in the resident size. NULL for anything else (a
 * block device, a size that is not the file's), or when mmap() or
 * installing the guard fails: the caller reads with pread() instead. */
host_map *host_map_file(int fd, uint64_t size, size_t budget);
/* Copy len bytes at off out of the mapping: 0, or -EIO past the end or
 * when a page could not be read (the file was truncated, or its medium
 * failed), where an unguarded copy would have killed the process. */
int host_map_read(host_map *m, uint64_t off, void *buf, size_t len);
void host_map_free(host_map *m);
/* A split raw image from its first segment path (NAME.001 or NAME.aa): the
 * following segments are found by name. NULL with err filled, or with
 * err->status 0 when path does not name a first segment with a second one. */
host_source *host_split_source(const char *path, uint32_t *segments, ntx_host_error *err);
/* Does path look like a later segment of a split set (NAME.002, NAME.ab)? The
 * first segment's name in first[cap] if it exists. */
bool host_split_is_later_segment(const char *path, char *first, size_t cap);

/* ---- signatures (sniff.c) ---- */

/* The container in a file, from its first bytes and its last 512 bytes
 * (tail may be NULL when the file is shorter). NTX_HOST_FMT_RAW if none. */
ntx_host_format host_sniff_container(const uint8_t *head, size_t head_len, const uint8_t *tail);

/* Bytes host_sniff_volume() wants from a volume's start. */
#define HOST_SNIFF_BYTES (72u * 1024u)
/* What is at a volume's start when it is not NTFS: a name ("FAT32",
 * "ext2/3/4", ...) or NULL when nothing known is recognised. *bitlocker is
 * set for a BitLocker volume. len may be short (a small image). */
const char *host_sniff_volume(const uint8_t *buf, size_t len, bool *bitlocker);
/* A file format that is no disk image at all (gzip, xz, ...), from its first
 * bytes: its name, or NULL. */
const char *host_sniff_not_an_image(const uint8_t *head, size_t head_len);

/* ---- container libraries (yal.c, source_*.c) ---- */

typedef enum host_lib_id {
    HOST_LIB_EWF,
    HOST_LIB_VHDI,
    HOST_LIB_VMDK,
    HOST_LIB_QCOW,
    HOST_LIB_VSHADOW,
    HOST_LIB_BFIO,
    HOST_LIB_COUNT
} host_lib_id;

/* A symbol to resolve: its name and where the function pointer goes. */
typedef struct host_sym {
    const char *name;
    void **slot;
} host_sym;

/* Load library id (once per process) and resolve syms. false with err
 * filled (NTX_HOST_E_UNSUPPORTED naming the Debian package) when this
 * build has no support for it or it cannot be loaded. what names the image
 * kind for the message ("E01 image"). */
bool host_lib_load(host_lib_id id, const host_sym *syms, size_t nsyms, const char *what,
                   ntx_host_error *err);
/* Was support for id compiled in? */
bool host_lib_built(host_lib_id id);

/* Backends: open path (whose signature said the format) as a source. On
 * failure NULL with err filled. *detail receives a short description. */
host_source *host_ewf_open(const char *path, uint32_t *segments, char *detail, size_t cap,
                           ntx_host_error *err);
host_source *host_vhdi_open(const char *path, ntx_host_format fmt, uint32_t *files,
                            char *detail, size_t cap, ntx_host_error *err);
host_source *host_vmdk_open(const char *path, uint32_t *extents, char *detail, size_t cap,
                            ntx_host_error *err);
host_source *host_qcow_open(const char *path, char *detail, size_t cap, ntx_host_error *err);

/* The first line of a libyal error backtrace: the failure's cause. */
void host_yal_words(char *out, size_t cap, const char *backtrace);

/* ---- the cache (cache.c) ---- */

typedef struct host_cache host_cache;

/* A cache over src holding at most cap_bytes of pages. NULL if out of memory. */
host_cache *host_cache_new(host_source *src, size_t cap_bytes);
/* The ntx_io read callback (ctx: the cache). */
int host_cache_read(void *ctx, uint64_t off, void *buf, size_t len);
void host_cache_add_stats(const host_cache *c, ntx_host_stats *out);
void host_cache_free(host_cache *c);

/* ---- shadow copies (vss.c) ---- */

typedef struct host_vss host_vss;

/* Open libvshadow over the volume vol_len bytes at vol_off of the disk
 * read through read(ctx, ...) (the disk's cache). With no VSS header, a
 * handle with no stores. */
host_vss *host_vss_open(ntx_read_fn read, void *ctx, uint64_t vol_off, uint64_t vol_len,
                        ntx_host_error *err);
/* 0 stores, or their count. */
uint32_t host_vss_count(const host_vss *v);
bool host_vss_info(host_vss *v, uint32_t index, ntx_host_vss_store *out, ntx_host_error *err);
/* A source over store index's view of the volume. */
host_source *host_vss_store_source(host_vss *v, uint32_t index, ntx_host_error *err);
void host_vss_close(host_vss *v);

/* ---- the image (image.c, locate.c) ---- */

struct ntx_host_image {
    ntx_host_info info;
    char *path;
    host_source *disk;         /* the container's disk */
    host_cache *disk_cache;
    size_t cache_bytes;
    bool map_raw;              /* ntx_host_options.map_raw */
    bool selected;             /* ntx_host_select() succeeded */
    host_vss *vss;             /* the volume's shadow copies, once asked for */
    host_source *store;        /* the store selected, or NULL */
    host_cache *store_cache;
    uint8_t block[NTX_MAX_BLOCK_SIZE]; /* the core's probes' scratch */
};

/* Find the volume as opt says; fills img->info's volume fields. */
ntx_host_status host_locate(ntx_host_image *img, const ntx_host_options *opt,
                            ntx_host_error *err);

/* ---- errors (error.c) ---- */

/* Fill err: status, errno and a printf-style sentence. Returns status. */
ntx_host_status host_fail(ntx_host_error *err, ntx_host_status status, int sys_errno,
                          const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Append to the string in out[cap]; false when it did not fit. */
bool host_appendf(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* name in the directory of the file next_to; false when too long. */
bool host_sibling_path(char *out, size_t cap, const char *next_to, const char *name);
/* "1.5 GiB (1610612736 bytes)" style sizes for messages. */
void host_size_words(char *out, size_t cap, uint64_t bytes);

#endif
