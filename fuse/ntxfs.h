/*
 * ntxfs.h - the read-only FUSE front-end of ntx: the state its files share
 * and what each file offers the others.
 *
 * ntxfs is hosted C (libc, pthreads, libfuse3's low-level API). It only asks
 * the core; it never parses NTFS structures itself. The one exception is the
 * content of files and attribute values whose meaning the core leaves to the
 * caller (Interix special files, WSL reparse data and device numbers,
 * bitmaps), each marked where it happens.
 *
 * The files, by concern:
 *   main.c     the command: the image (ntx_host), the volume in it, the mount and its loop
 *   options.c  the option table: parsing, --help, the settings (g.opt)
 *   ops.c      the operation table; init, lookup, forget, getattr, readlink, statfs
 *   nodes.c    node ids <-> MFT references; the nodes of streams shown as files
 *   read.c     file data: open handles, the stream cache, direct and core reads
 *   splice.c   the worker threads that splice file data from the image
 *   readdir.c  directory listings: handles, the listing cache, READDIR(PLUS)
 *   xattr.c    extended attributes: ntfs-3g's system.ntfs_* names, streams
 *   stat.c     stat of files and streams, statfs of the volume
 *   links.c    link targets and special files (reparse points, Interix, WSL)
 *   values.c   attribute values read whole, UTF-16 names written as UTF-8
 *   errmap.c   ntx_err to errno, and the log line of a core failure
 *
 * State. g holds what several files share: the lock, the volume and its
 * image, the settings, what the kernel agreed to. What one file owns (the
 * stream nodes, the stream and listing caches, the splice pool, the statfs
 * counts) is a static struct in that file, reached only through its
 * functions.
 *
 * Concurrency: libfuse's multi-threaded loop calls the operations from
 * several threads. A volume and every handle opened from it belong to one
 * thread at a time (volume.h), so every core call is made holding g.lock,
 * one mutex for the whole mount; the files' own state is kept under it too,
 * except the splice pool's queue (a lock of its own). Work that needs no
 * core call (replying, copying, converting, the xattr names answered without
 * the image) runs outside it.
 */
#ifndef NTXFS_H
#define NTXFS_H

#ifndef FUSE_USE_VERSION
#define FUSE_USE_VERSION 35 /* fuse/CMakeLists.txt picks 312 for libfuse >= 3.12 */
#endif

#include <fuse_lowlevel.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "ntx.h"
#include "ntx/host.h"

#define NTXFS_NAME "ntxfs"

/* How named $DATA streams are shown (ntfs-3g's streams_interface=). */
enum ntxfs_streams {
    NTXFS_STREAMS_NONE,    /* not at all */
    NTXFS_STREAMS_XATTR,   /* as extended attributes user.NAME (the default, as ntfs-3g) */
    NTXFS_STREAMS_WINDOWS, /* as FILE:NAME paths, listed by the xattr ntfs.streams.list */
};

/* ntfs-3g's text for a reparse point it cannot show as a link. */
#define NTXFS_BAD_REPARSE_FMT "unsupported reparse tag 0x%08lx"
#define NTXFS_BAD_REPARSE_LEN 34u

/* Longest symbolic link target returned (a reparse buffer holds at most
 * 8 Ki UTF-16 units; 3 UTF-8 bytes each, plus the mount point). */
#define NTXFS_LINK_MAX (3u * 8192u + 4096u + 16u)

/* The settings the options give (options.c), fixed before mounting. */
typedef struct ntxfs_options {
    uid_t uid;                    /* owner and group of every file */
    gid_t gid;
    mode_t fmask, dmask;          /* permission bits cleared from files, directories */
    bool show_sys;                /* list the system files (records below NTX_MFT_FIRST_USER) */
    bool hide_hid;                /* leave HIDDEN files out of listings */
    bool ignore_case;             /* Windows-style case-insensitive lookups */
    int streams;                  /* enum ntxfs_streams */
    double timeout;               /* entry and attribute cache seconds */
    bool no_direct;               /* -o no_direct_read: every read through ntx_stream_read() */
    bool no_zero_open;            /* -o no_zero_open: classic OPEN/RELEASE with a handle each */
} ntxfs_options;

typedef struct ntxfs_state {
    pthread_mutex_t lock;         /* held around every core call */

    /* The volume and its image: set up by main.c before mounting, then
     * changed only by core calls under lock (the image's cache too: every
     * read through ntx_host is a core call). */
    ntx_volume vol;
    bool mounted;
    void *ws;                     /* the volume's workspace (malloc) */
    uint16_t upcase[65536];       /* attached $UpCase table (faster collation; link case fixing) */
    ntx_host_image *host;         /* the image, its container, volume and store (ntx_host) */
    const char *image;
    unsigned cluster_shift;       /* log2 of the cluster size */
    /* A plain raw image (no container, no shadow copy): its descriptor, for
     * splicing file data outside the lock, the volume's offset in it, and
     * the end of what may be spliced (the volume's or the file's end).
     * raw_fd -1: every read goes through the core and the library. */
    int raw_fd;
    uint64_t raw_offset, raw_end;

    ntxfs_options opt;            /* options.c's, copied in before mounting */
    char *mnt_abs;                /* absolute mount point, prefixed to absolute link targets */

    /* What the kernel agreed to in init (ops.c): zero-message open and opendir. */
    struct {
        bool no_open;             /* files are read without OPEN (read.c) */
        bool no_opendir;          /* directories are listed without OPENDIR (readdir.c) */
    } conn;

    /* Attribute values read whole (reparse data, $EA, Interix data...):
     * values.c fills it for stat.c, links.c and xattr.c, under lock. */
    uint8_t scratch[NTX_REPARSE_BUFFER_SIZE > 65536 + 16 ? NTX_REPARSE_BUFFER_SIZE : 65536 + 16];
} ntxfs_state;

extern ntxfs_state g;

/* ---- options.c: the command line ---- */

/* A number option with a default when it is not given (uid=, umask=...). */
typedef struct ntxfs_num_opt {
    unsigned value;
    bool given;
} ntxfs_num_opt;

/* The command line as given; the settings go to g.opt. */
struct cli {
    char *image;                  /* the first argument that is not an option */
    int nonopts;                  /* arguments that are not options, so far */
    char *offset;                 /* offset=, as given (main.c reads it) */
    int partition;                /* partition=, 0 if not given */
    ntxfs_num_opt vss;            /* vss=N: shadow copy store N (1 = oldest) */
    ntxfs_num_opt uid, gid, umask, fmask, dmask;
    char *streams;                /* streams_interface=, checked by ntxfs_parse_args() */
    bool mt;                      /* libfuse's multi-threaded loop */
    bool help, version;
    char *refused;                /* the first option given that ntxfs refuses */
    ntxfs_options opt;            /* the settings, copied to g.opt once complete */
};

/* ntxfs_parse_args(): go on to mount. */
#define NTXFS_GO_ON (-1)

/*
 * Parse the command line into c (which must be zeroed; free its strings
 * afterwards) and opts (libfuse's own options), print --help or --version,
 * and set g.opt. Returns NTXFS_GO_ON, or the exit status: 0 after --help or
 * --version, 1 after a message on stderr.
 */
int ntxfs_parse_args(struct fuse_args *args, struct cli *c, struct fuse_cmdline_opts *opts);

/* ---- errmap.c: ntx_err to errno ---- */

int ntxfs_errno(ntx_err rc);
/* Log a failure that is not a plain "no such name" (with g.lock held, so
 * g.vol.diag still describes it). */
void ntxfs_log_core(const char *what, ntx_err rc);
/* ntxfs_log_core(), then rc as a negative errno. */
int ntxfs_core_fail(const char *what, ntx_err rc);

/* ---- ops.c: the operation table and what the operations share ---- */

extern const struct fuse_lowlevel_ops ntxfs_ops;

/* An entry reply, zeroed, with the cache timeouts set. */
void ntxfs_entry_init(struct fuse_entry_param *e);
/* A new file or directory handle of size bytes, zeroed, set up by start()
 * under the lock. Replies the error and returns NULL when it cannot be. */
void *ntxfs_handle_new(fuse_req_t req, fuse_ino_t ino, size_t size,
                       int (*start)(fuse_ino_t ino, void *h));
/* Hand an open handle to the kernel (keep_cache); freed if the reply fails. */
void ntxfs_reply_open(fuse_req_t req, struct fuse_file_info *fi, void *h);

/* ---- nodes.c: node ids (all under g.lock) ---- */

/* Stream nodes have the top bit set; file nodes never do: the core refuses
 * record numbers beyond the $MFT, and 2^46 records would take 2^56 bytes. */
#define NTXFS_NODE_STREAM (1ull << 63)

static inline bool ntxfs_node_is_stream(fuse_ino_t ino)
{
    return ((uint64_t)ino & NTXFS_NODE_STREAM) != 0;
}

/* A named stream shown as a file (streams_interface=windows): its node. */
typedef struct ntxfs_snode {
    uint64_t ref;                 /* the file's MFT reference */
    uint64_t nlookup;             /* kernel references (lookup count) */
    uint32_t hash;
    uint16_t name_len;
    uint16_t name[NTX_NAME_MAX];
    struct ntxfs_snode *next;     /* hash chain */
    uint64_t id;                  /* index in nodes.c's table */
} ntxfs_snode;

/* The node id of the file with MFT reference ref. */
fuse_ino_t ntxfs_node_of_ref(uint64_t ref);
/* Open the file behind a node (its file for a stream node, whose node is
 * then in *sn, else NULL). 0 or -errno (-ESTALE for a forgotten stream). */
int ntxfs_node_open(fuse_ino_t ino, ntx_file *f, const ntxfs_snode **sn);
/* Open the file with MFT reference ref. 0 or -errno (logged). */
int ntxfs_open_ref(uint64_t ref, ntx_file *f);
/* The node of stream name of file ref, with one more kernel reference;
 * 0 without memory. */
fuse_ino_t ntxfs_stream_node_get(uint64_t ref, const uint16_t *name, size_t n);
/* n kernel references fewer. True when the node is gone: its id will name
 * another stream, so what is cached under it must be dropped. */
bool ntxfs_stream_node_forget(fuse_ino_t ino, uint64_t n);

static inline bool ntxfs_is_dir(const ntx_file *f)
{
    return (f->rec_flags & NTX_REC_DIRECTORY) != 0;
}

/* ---- read.c: file data ---- */

void ntxfs_op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void ntxfs_op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                   struct fuse_file_info *fi);
void ntxfs_op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
/* Forget the stream cached for node ino (under g.lock). */
void ntxfs_stream_cache_drop(fuse_ino_t ino);

/* ---- splice.c: the worker threads that reply with file data ---- */

/* Runs of the image one reply splices at most. */
#define NTXFS_READ_SEGS 16

/* A fuse_bufvec of NTXFS_READ_SEGS buffers (libfuse declares its array buf[1]). */
typedef union ntxfs_read_vec {
    struct fuse_bufvec v;
    char room[sizeof(struct fuse_bufvec) + (NTXFS_READ_SEGS - 1) * sizeof(struct fuse_buf)];
} ntxfs_read_vec;

/* Workers in the default threading (main.c). */
#define NTXFS_SPLICERS 4

/* Start n workers (at most 16); -1 if one could not be started. */
int ntxfs_splice_start(unsigned n);
/* Let the workers finish the queue, and join them. */
void ntxfs_splice_stop(void);
/* Queue the reply to req with the data v describes; false if there are no
 * workers (or no memory): the caller replies itself. */
bool ntxfs_splice_submit(fuse_req_t req, const ntxfs_read_vec *v);

/* ---- readdir.c: directory listings ---- */

void ntxfs_op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void ntxfs_op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                      struct fuse_file_info *fi);
void ntxfs_op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                          struct fuse_file_info *fi);
void ntxfs_op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);

/* ---- xattr.c: extended attributes ---- */

void ntxfs_op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size);
void ntxfs_op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size);
void ntxfs_op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
                       size_t size, int flags);
void ntxfs_op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name);

/* ---- stat.c: stat and statfs (under g.lock) ---- */

int ntxfs_stat_file(const ntx_file *f, struct stat *st);
int ntxfs_stat_stream(const ntx_file *f, const uint16_t *name, size_t name_len, struct stat *st);
int ntxfs_statfs(struct statvfs *sv);

/* ---- links.c: link targets and special files (under g.lock) ---- */

/* The target readlink returns: 0 with out (NUL-terminated) and *len, or -errno. */
int ntxfs_link_target(const ntx_file *f, char *out, size_t cap, size_t *len);
/*
 * The target of a reparse point as ntfs-3g's ntfs_make_symlink() gives it.
 * Returns 0 with the target, 1 when the reparse point is not a link ntfs-3g
 * can show (its tag in *tag; the caller then uses NTXFS_BAD_REPARSE_FMT), or
 * -errno.
 */
int ntxfs_reparse_link(const ntx_file *f, uint32_t *tag, char *out, size_t cap, size_t *len);
/* A reparse tag that says where a file's data is (WOF, deduplication,
 * cloud, HSM) rather than making it a link: such a file (not a directory)
 * is a regular file. */
bool ntxfs_reparse_places_data(uint32_t tag);
/* The file type of a WSL special file's reparse tag (S_IFIFO, S_IFSOCK,
 * S_IFCHR, S_IFBLK), or 0 for any other tag. */
mode_t ntxfs_wsl_type(uint32_t tag);
/* The device number of a WSL device file, 0 if it has none. */
dev_t ntxfs_wsl_rdev(const ntx_file *f);
/* An Interix special file: S_IFREG if f is none of them, S_IFIFO, S_IFSOCK,
 * S_IFBLK/S_IFCHR (with *rdev) or S_IFLNK (with the target in out, if out,
 * and its length in *len). Returns 0, 1 for a SYSTEM file without an unnamed
 * $DATA (ntfs-3g "nodata"), or -errno. */
int ntxfs_interix(const ntx_file *f, const ntx_stat *ns, mode_t *type, dev_t *rdev, char *out,
                  size_t cap, size_t *len);

/* ---- values.c: attribute values and names (under g.lock) ---- */

/* Read a whole attribute value of at most max bytes into g.scratch.
 * 0 with *len, -ENODATA if f has no such attribute, -E2BIG, or -errno. */
int ntxfs_read_value(const ntx_file *f, uint32_t type, const uint16_t *name, size_t name_len,
                     size_t max, size_t *len);
/* Read the first len bytes of s into buf (len <= s->size). 0 or -errno,
 * logged as what. */
int ntxfs_read_all(ntx_stream *s, void *buf, size_t len, const char *what);
/* UTF-16 units to UTF-8 (lossless) appended at out[*len], cut at a NUL unit
 * as ntfs-3g's C strings are. 0, -ENAMETOOLONG or -EILSEQ. */
int ntxfs_put_utf16(const uint16_t *u, int n, char *out, size_t cap, size_t *len);

#endif
