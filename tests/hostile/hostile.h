/*
 * hostile.h - the crafted-malformation corpus (tests/hostile/test_hostile.c):
 * each case is a small, valid base image (fixtures/corpus/volume/seed-*.img.gz
 * or a fixture) broken in one way by a patch applied in memory at test time,
 * the public API call that must fail, and the exact ntx_err and ntx_check it
 * must report. Patches find their target by walking the pristine image with
 * the library (a file by path, an attribute by type, an index block by VCN),
 * never by fixed offsets, so they survive a rebuild of the seeds.
 */
#ifndef NTX_HOSTILE_H
#define NTX_HOSTILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ntx.h"

/* Base images, by index. */
enum {
    B_512,   /* seed-512: 512-byte clusters, fragmented /frag.bin, /comp (LZNT1, 8 KiB units) */
    B_4K,    /* seed-4k: 4 KiB clusters, /comp (64 KiB units) */
    B_DIR,   /* seed-dir: /many (150 names, 2-level $I30), /names/target.txt (41 names, $ATTRIBUTE_LIST) */
    B_4KN,   /* seed-4kn: 4 KiB sectors and records; keeps its backup boot sector */
    B_FIX4K, /* fixtures/ntfs-4k: /many (5000 names, 296 INDX blocks, 4 levels) */
    B_FIX512,/* fixtures/ntfs-512: /frag/fragmented.bin in 5 extents behind an $ATTRIBUTE_LIST */
    B_WOF,   /* fixtures/wof: WOF-compressed files (/xpress4k, /xpress8k, /xpress16k, /lzx, a
                4 GiB /big/over-4GiB.bin) and files stored elsewhere (/external) */
    B_COUNT
};

/* What a case calls; every kind mounts first (a failed mount is the result). */
typedef enum hprobe {
    P_MOUNT,      /* ntx_volume_mount */
    P_OPEN,       /* ntx_file_open_path(path) */
    P_STAT,       /* open + ntx_file_stat */
    P_ATTRS,      /* open + ntx_attr_iter until END */
    P_READ,       /* open + ntx_stream_open_data(arg or unnamed) + read everything in 64 KiB pieces */
    P_LIST,       /* open + ntx_dir_iter_open + ntx_dir_iter_next until END */
    P_LOOKUP,     /* open + ntx_dir_lookup(arg, ASCII) */
    P_READLINK,   /* open + ntx_file_readlink */
    P_CUSTOM,     /* the case's own function, on the mounted volume */
    P_RAW,        /* the case's own function, without a mount */
} hprobe;

struct hctx;
typedef void (*hpatch_fn)(struct hctx *c);
typedef ntx_err (*hcustom_fn)(struct hctx *c);

typedef struct hcase {
    const char *name;      /* also the exported image's name */
    const char *classes;   /* class ids of docs/robustness.md, the structure */
    unsigned base;
    hpatch_fn patch;
    hprobe probe;
    const char *path;      /* for the probes that open a file */
    const char *arg;       /* stream name, lookup name */
    ntx_err want;
    int check;             /* expected vol.diag.check, or -1: not recorded for this code */
    hcustom_fn custom;     /* P_CUSTOM */
    bool known_bug;        /* fails until the core is fixed: label hostile-known-bug */
} hcase;

#endif
