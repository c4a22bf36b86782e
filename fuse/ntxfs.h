/*
 * ntxfs.h - the read-only FUSE front-end of ntx: shared state and helpers.
 *
 * ntxfs is hosted C (libc, pthreads, libfuse3's low-level API). It only asks
 * the core; it never parses NTFS structures itself. The one exception is the
 * content of files and attribute values whose meaning the core leaves to the
 * caller (Interix special files, WSL reparse data, bitmaps), each marked
 * where it happens.
 *
 * Concurrency: libfuse's multi-threaded loop calls the operations from
 * several threads. A volume and every handle opened from it belong to one
 * thread at a time (volume.h), so every core call is made holding g.lock,
 * one mutex for the whole mount. Work that needs no core call (replying,
 * copying, converting, the xattr names answered without the image) runs
 * outside it.
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

/* A named stream shown as a file (streams_interface=windows): its node. */
typedef struct ntxfs_snode {
    uint64_t ref;                 /* the file's MFT reference */
    uint64_t nlookup;             /* kernel references (lookup count) */
    uint32_t hash;
    uint16_t name_len;
    uint16_t name[NTX_NAME_MAX];
    struct ntxfs_snode *next;     /* hash chain */
    uint64_t id;                  /* index in g.snodes */
} ntxfs_snode;

/* The settings the options give (options.c), fixed before mounting. */
typedef struct ntxfs_options {
    uid_t uid;                    /* owner and group of every file */
    gid_t gid;
    mode_t fmask, dmask;          /* permission bits cleared from files, directories */
    bool show_sys;                /* list the system files (below NTX_MFT_FIRST_USER) */
    bool hide_hid;                /* leave HIDDEN files out of listings */
    bool ignore_case;             /* Windows-style case-insensitive lookups */
    int streams;                  /* enum ntxfs_streams */
    double timeout;               /* entry and attribute cache seconds */
    bool no_direct;               /* -o no_direct_read: every read through ntx_stream_read() */
    bool no_zero_open;            /* -o no_zero_open: classic OPEN/RELEASE with a handle each */
} ntxfs_options;

typedef struct ntxfs_state {
    pthread_mutex_t lock;         /* held around every core call */
    ntx_volume vol;
    void *ws;                     /* the volume's workspace (malloc) */
    uint16_t upcase[65536];       /* attached $UpCase table (faster collation; link case fixing) */
    uint8_t scratch[65536 + 16];  /* attribute values (reparse data, $EA...), under lock */
    int fd;                       /* the image, O_RDONLY */
    const char *image;
    uint64_t dev_size;            /* bytes in the image (file or block device) */
    uint64_t vol_offset, vol_size;
    unsigned cluster_shift;       /* log2 of the cluster size */
    bool no_open;                 /* the kernel opens files without asking (set in init) */
    bool no_opendir;              /* and directories */
    int part_index;               /* partition used, 0 for none */

    ntxfs_options opt;            /* options.c's, copied in before mounting */
    char *mnt_abs;                /* absolute mount point, prefixed to absolute link targets */

    /* statfs, computed once (the image never changes) */
    bool have_counts;
    uint64_t free_clusters, mft_bits, mft_free_bits;

    /* stream nodes (windows interface) */
    ntxfs_snode **snode_hash;
    size_t snode_hash_size;
    ntxfs_snode **snodes;         /* by id */
    size_t snodes_len, snodes_cap;
    uint64_t *snode_free;         /* free ids */
    size_t snode_free_len;
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

/* errmap.c: the one table from ntx_err to errno. */
int ntxfs_errno(ntx_err rc);
void ntxfs_log_core(const char *what, ntx_err rc);

/* attrs.c: stat, links and extended attributes (all called with g.lock held). */
int ntxfs_stat_file(const ntx_file *f, struct stat *st);
int ntxfs_stat_stream(const ntx_file *f, const uint16_t *name, size_t name_len, struct stat *st);
int ntxfs_link_target(const ntx_file *f, char *out, size_t cap, size_t *len);
int ntxfs_getxattr(const ntx_file *f, bool is_stream, const char *name, char *buf, size_t size,
                   size_t *len);
int ntxfs_listxattr(const ntx_file *f, bool is_stream, char *buf, size_t size, size_t *len);
bool ntxfs_xattr_known(const char *name);
int ntxfs_statfs(struct statvfs *sv);
int ntxfs_open_ref(uint64_t ref, ntx_file *f);

/* ops.c */
extern const struct fuse_lowlevel_ops ntxfs_ops;
/* Workers that splice file data in the default threading (main.c). */
#define NTXFS_SPLICERS 4

int ntxfs_pool_start(unsigned n);
void ntxfs_pool_stop(void);

#endif
