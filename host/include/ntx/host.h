/*
 * ntx/host.h - disk images for hosted programs: the ntx_host library.
 *
 * The core reads a volume through one read callback (ntx/io.h). This
 * library supplies that callback for what analysts are handed: a raw file or
 * block device, a raw image split into segments (NAME.001, NAME.002... or
 * NAME.aa, NAME.ab...), EnCase E01 (libewf), VHD and VHDX (libvhdi), VMDK
 * (libvmdk) and qcow2 (libqcow). It finds the NTFS volume on a partitioned
 * disk (the core's MBR and GPT iterator), optionally opens a Volume Shadow
 * Copy of it (libvshadow), and serves the core's reads from a cache shaped
 * for how the core reads (host/README.md).
 *
 * Hosted C11 + POSIX; the container libraries are loaded with dlopen() when an
 * image needs them, so a raw image costs nothing more and a missing library
 * is an error that names its Debian package. Images are opened read-only
 * (O_NOATIME when the caller owns the file) and never written.
 *
 * Every failure fills an ntx_host_error with a status and one sentence,
 * worded for both front-ends (ntx and ntxfs print it after "PROG: IMAGE: ").
 *
 * Use:
 *     ntx_host_image *img;
 *     ntx_host_error err;
 *     ntx_host_options opt;
 *     ntx_host_options_init(&opt);
 *     opt.vss_store = 2;                               (or partition, offset)
 *     if (ntx_host_open(path, &opt, &img, &err) != NTX_HOST_OK ||
 *         ntx_host_select(img, &opt, &err) != NTX_HOST_OK)
 *         fail(err.message);
 *     ntx_io io = ntx_host_volume_io(img);
 *     ntx_volume_mount(&vol, &io, ws, ws_size);
 *     ...
 *     ntx_host_close(img);                            (after unmounting)
 *
 * An image and everything read through it belong to one thread at a time.
 */
#ifndef NTX_HOST_H
#define NTX_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ntx/io.h"

/* An opened image: opaque, allocated by ntx_host_open(). */
typedef struct ntx_host_image ntx_host_image;

/* Container formats. */
typedef enum ntx_host_format {
    NTX_HOST_FMT_RAW = 1, /* a plain file or a block device */
    NTX_HOST_FMT_SPLIT,   /* a raw image in segments: NAME.001, .002...; NAME.aa, .ab... */
    NTX_HOST_FMT_EWF,     /* Expert Witness (EnCase E01, Ex01), libewf */
    NTX_HOST_FMT_VHD,     /* Virtual PC / Hyper-V VHD: fixed, dynamic, differencing; libvhdi */
    NTX_HOST_FMT_VHDX,    /* Hyper-V VHDX, libvhdi */
    NTX_HOST_FMT_VMDK,    /* VMware VMDK: descriptor with extents, sparse or flat; libvmdk */
    NTX_HOST_FMT_QCOW,    /* QEMU qcow2 (and qcow version 1 and 3), libqcow */
    NTX_HOST_FMT_COUNT
} ntx_host_format;

/* Results. Negative: the call failed and ntx_host_error says why. */
typedef enum ntx_host_status {
    NTX_HOST_OK = 0,
    NTX_HOST_E_OPEN = -1,        /* the file cannot be opened or examined (errno in sys_errno) */
    NTX_HOST_E_EMPTY = -2,       /* the file holds no byte */
    NTX_HOST_E_UNSUPPORTED = -3, /* a container this build or this system cannot read (library missing) */
    NTX_HOST_E_CONTAINER = -4,   /* the container is corrupt, or a segment, extent or parent is missing */
    NTX_HOST_E_TRUNCATED = -5,   /* the NTFS volume is larger than the image holds */
    NTX_HOST_E_BITLOCKER = -6,   /* the volume is BitLocker-encrypted */
    NTX_HOST_E_FOREIGN = -7,     /* another file system or an encrypted container, named */
    NTX_HOST_E_NO_VOLUME = -8,   /* no NTFS volume where one was looked for */
    NTX_HOST_E_CHOICE = -9,      /* the partition asked for does not exist, or several could be meant */
    NTX_HOST_E_VSS = -10,        /* no shadow copies, no such store, or the store cannot be read */
    NTX_HOST_E_IO = -11,         /* a read failed (sys_errno, and the container library's words) */
    NTX_HOST_E_NOMEM = -12,
    NTX_HOST_E_ARG = -13,        /* bad argument from the caller */
} ntx_host_status;

/* A failure: the status and one sentence (no program or image name, no
 * final period), e.g. "the file is empty (0 bytes): no NTFS volume". */
typedef struct ntx_host_error {
    int status;         /* an ntx_host_status */
    int sys_errno;      /* errno of a failed system call, or 0 */
    char message[640];
} ntx_host_error;

/* What the caller chooses; ntx_host_options_init() gives the defaults. */
typedef struct ntx_host_options {
    uint32_t partition;      /* 1..: that partition (MBR 1-4 primary, 5.. logical; GPT entry N);
                                0: a bare volume, or else the only NTFS partition */
    bool have_offset;        /* the volume starts at offset (a multiple of 512) */
    uint64_t offset;
    uint32_t vss_store;      /* 0: the volume as it is; N >= 1: shadow copy store N (1 = oldest,
                                as vshadowinfo numbers them) */
    size_t cache_bytes;      /* 0: NTX_HOST_CACHE_DEFAULT; a cap, memory is taken as used */
    /* Read a raw image held in one regular file through a read-only shared
     * mapping of it, not through the cache: the core's small reads become
     * copies out of the kernel's page cache, with no system call, no cache
     * page to fill first and no read-ahead to guess (listings and walks
     * over $MFT take 13 to 33 % less CPU). Reads of 64 KiB and more
     * still use pread(), which is faster for them. A page that cannot be
     * read (the file truncated by another process, a failing medium)
     * raises SIGBUS; a handler installed for the process when the file is
     * mapped turns that into a failed read, as pread() would fail, and
     * passes every other SIGBUS to the handler it replaced. Pages read
     * count in the process's resident size until dropped from the mapping,
     * each time cache_bytes have been read (they stay in the page cache). A
     * program whose own SIGBUS handling must not be touched leaves it off,
     * as do ntxfs and the Python binding. Split sets, block devices and
     * containers ignore it. */
    bool map_raw;
    /* How the front-end spells its choices in messages: "--partition N" and
     * "`ntx partitions`" for ntx, "-o partition=N" for ntxfs. */
    const char *partition_option;
    const char *list_partitions;  /* NULL: the message suggests no listing command */
    const char *vss_option;       /* "--vss N" */
    const char *list_vss;         /* "`ntx vss`" or NULL */
} ntx_host_options;

#define NTX_HOST_CACHE_DEFAULT (32u << 20)

/* Where the volume was found (ntx_host_describe()). */
typedef struct ntx_host_info {
    const char *path;              /* as given to ntx_host_open() */
    ntx_host_format format;
    const char *format_name;       /* "raw", "split raw", "E01", "VHD", "VHDX", "VMDK", "qcow2" */
    char format_detail[160];       /* "3 segments", "dynamic", "2 extents, monolithicSparse"... */
    uint32_t segments;             /* files read: segments, extents, parents (1 for raw) */
    uint64_t file_size;            /* bytes of the file given (the first segment) */
    uint64_t media_size;           /* bytes of the disk or volume the container holds */
    /* after ntx_host_select(): */
    uint32_t partition;            /* 0: no partition (a bare volume, or --offset) */
    uint8_t partition_scheme;      /* NTX_PT_MBR, NTX_PT_GPT or 0 */
    uint64_t volume_offset;        /* on the disk */
    uint64_t volume_size;          /* bytes the volume may span: to the partition's or disk's end */
    uint32_t vss_store;            /* 0: the volume itself */
    char vss_identifier[40];       /* the store's GUID, lower case */
    uint64_t vss_creation_time;    /* NT time (100 ns since 1601) */
} ntx_host_info;

/* One shadow copy store (ntx_host_vss_store_info()). */
typedef struct ntx_host_vss_store {
    uint32_t index;                /* 1.. (oldest first, as vshadowinfo) */
    char identifier[40];           /* store GUID */
    char copy_identifier[40];      /* shadow copy GUID */
    char copy_set_identifier[40];  /* shadow copy set GUID */
    uint64_t creation_time;        /* NT time */
    uint64_t volume_size;          /* bytes of the volume the copy shows */
    uint32_t attribute_flags;      /* VSS_VOLSNAP_ATTR_* */
    bool has_in_volume_data;       /* its blocks are in this volume */
} ntx_host_vss_store;

/* Cache counters (ntx_host_get_stats()), for benchmarks and tests. */
typedef struct ntx_host_stats {
    uint64_t reads;            /* calls of the read callback */
    uint64_t hits;             /* pages served from the cache */
    uint64_t misses;           /* pages fetched */
    uint64_t fills;            /* source reads made for misses (read-ahead joins pages) */
    uint64_t fill_bytes;       /* bytes they brought */
    uint64_t direct_reads;     /* large reads passed straight into the caller's buffer */
    uint64_t direct_bytes;
    uint64_t pages_held;       /* pages in memory now */
    uint64_t mapped_reads;     /* small reads copied out of a mapped raw file (map_raw) */
    uint64_t mapped_bytes;
} ntx_host_stats;

/** ntx_host_options_init() - defaults: automatic partition, no store, default cache, ntx's option names. */
void ntx_host_options_init(ntx_host_options *opt);

/**
 * ntx_host_open() - open an image and the container in it.
 *
 * opt may be NULL; only its cache_bytes is used here.
 * Reads:   the file's first 4 KiB and last 512 bytes (signatures); for a
 *          split image the names of the next segments; then what the
 *          container's library reads to open it (headers, tables, segments,
 *          extents, parents of a differencing VHD).
 * Buffers: *out is allocated; free it with ntx_host_close().
 * Returns: NTX_HOST_OK; NTX_HOST_E_OPEN (a directory, no such file, no
 *          permission), NTX_HOST_E_EMPTY, NTX_HOST_E_UNSUPPORTED (the
 *          library for this container was not built in, or is not
 *          installed: the message names the Debian package),
 *          NTX_HOST_E_CONTAINER (the library refused the file: its words are
 *          in the message), NTX_HOST_E_NOMEM, NTX_HOST_E_ARG.
 */
ntx_host_status ntx_host_open(const char *path, const ntx_host_options *opt,
                              ntx_host_image **out, ntx_host_error *err);

/**
 * ntx_host_select() - find the NTFS volume (and the shadow copy) to read.
 *
 * With opt->have_offset, the volume at that offset; with opt->partition,
 * that partition; else a bare volume at offset 0, or the only partition
 * holding NTFS. Where no NTFS is found, what is there is named: a BitLocker
 * volume, FAT, exFAT, ext2/3/4, XFS, Btrfs, LUKS, ReFS, HFS+, APFS, LVM,
 * swap, ISO 9660, a compressed file (gzip, xz, bzip2, zstd), zeros. With
 * opt->vss_store, libvshadow opens the volume's shadow copies and store N
 * becomes what ntx_host_volume_io() reads.
 * Reads:   sector 0 and the GPT (ntx_partition_*), the boot sector of each
 *          partition, the signature blocks of a non-NTFS volume; with a store,
 *          the VSS header, catalog and the store's block lists.
 * Returns: NTX_HOST_OK; NTX_HOST_E_NO_VOLUME, NTX_HOST_E_TRUNCATED,
 *          NTX_HOST_E_BITLOCKER, NTX_HOST_E_FOREIGN, NTX_HOST_E_CHOICE,
 *          NTX_HOST_E_VSS, NTX_HOST_E_IO, NTX_HOST_E_UNSUPPORTED (no
 *          libvshadow), NTX_HOST_E_NOMEM, NTX_HOST_E_ARG (offset not a
 *          multiple of 512 or past the end).
 */
ntx_host_status ntx_host_select(ntx_host_image *img, const ntx_host_options *opt,
                                ntx_host_error *err);

/**
 * ntx_host_volume_io() - the read callback over the selected volume (or store),
 * for ntx_volume_mount(). Reads go through the image's cache: pages of 4 KiB
 * (or the container's natural unit) with read-ahead on sequential misses;
 * reads of 64 KiB and more go straight into the caller's buffer.
 * Returns: an ntx_io with offset and size of the volume on its device and
 *          block_size 512. Valid until ntx_host_close().
 */
ntx_io ntx_host_volume_io(ntx_host_image *img);

/**
 * ntx_host_disk_io() - the read callback over the whole disk the container
 * holds (no partition, no store), at offset with size bytes (0: to the end);
 * for partition tables (ntx_partition_iter_open()) and probes.
 */
ntx_io ntx_host_disk_io(ntx_host_image *img, uint64_t offset, uint64_t size);

/** ntx_host_describe() - the container, the partition and the store read. */
const ntx_host_info *ntx_host_describe(const ntx_host_image *img);

/**
 * ntx_host_vss_count() - shadow copy stores of the selected volume (the
 * store chosen in the options is ignored: the stores of the live volume).
 * Reads:   the VSS header at 0x1E00 of the volume and the catalog (libvshadow).
 * Returns: NTX_HOST_OK with *count (0 when the volume has no shadow copies);
 *          NTX_HOST_E_UNSUPPORTED (no libvshadow), NTX_HOST_E_VSS (corrupt
 *          VSS data), NTX_HOST_E_ARG (no volume selected).
 */
ntx_host_status ntx_host_vss_count(ntx_host_image *img, uint32_t *count,
                                   ntx_host_error *err);

/**
 * ntx_host_vss_store_info() - store index (1..count) described in *out.
 * Reads:   the store's header (libvshadow).
 * Returns: NTX_HOST_OK; NTX_HOST_E_VSS; NTX_HOST_E_ARG.
 */
ntx_host_status ntx_host_vss_store_info(ntx_host_image *img, uint32_t index,
                                        ntx_host_vss_store *out, ntx_host_error *err);

/**
 * ntx_host_last_read_error() - the words of the container library (or of
 * the system) for the last read that failed, "" if none: what an NTX_E_IO
 * from the core was about.
 */
const char *ntx_host_last_read_error(const ntx_host_image *img);

/** ntx_host_get_stats() - the cache's counters since the image was opened. */
void ntx_host_get_stats(const ntx_host_image *img, ntx_host_stats *out);

/**
 * ntx_host_raw_fd() - for a plain raw image, its file descriptor and the
 * volume's byte offset in it (a caller may splice file data from it
 * directly); -1 for any other container or for a shadow copy.
 */
int ntx_host_raw_fd(const ntx_host_image *img, uint64_t *volume_offset);

/** ntx_host_close() - free everything; img may be NULL. Unmount volumes first. */
void ntx_host_close(ntx_host_image *img);

/* ---- what this build reads ---- */

/* One supported container or feature, for `--version`. */
typedef struct ntx_host_feature {
    const char *name;         /* "E01", "VHD/VHDX", "VMDK", "qcow2", "shadow copies" */
    const char *library;      /* "libewf", ... ; NULL for what needs none (raw, split raw) */
    const char *built_version;/* the library's version at build time; NULL: not built in */
    const char *dev_package;  /* Debian package to build with it: "libewf-dev" */
    const char *run_package;  /* Debian package to run with it: "libewf2" */
} ntx_host_feature;

/**
 * ntx_host_features() - the containers and features this build knows, in a
 * fixed order; *count gets how many.
 */
const ntx_host_feature *ntx_host_features(size_t *count);

/**
 * ntx_host_feature_runtime_version() - the version string of feature's
 * library as installed (loading it), or NULL when it cannot be loaded or
 * was not built in.
 */
const char *ntx_host_feature_runtime_version(const ntx_host_feature *feature);

/** ntx_host_format_name() - "raw", "E01", ... for a format. */
const char *ntx_host_format_name(ntx_host_format format);

#endif
