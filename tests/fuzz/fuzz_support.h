/*
 * fuzz_support.h - what the ntx fuzz harnesses share (hosted C, libc + zlib).
 *
 *  - fz_dev: a memory device for ntx_io, zero-extended past its bytes up to a
 *    declared size, failing (-EIO) beyond it;
 *  - fz_base: the base images (fixtures/corpus/volume/seed-*.img.gz), loaded
 *    once, with a working copy that patches are applied to and undone from;
 *  - fz_fix / fz_unfix: the update sequence array of a FILE or INDX record
 *    (so a harness can patch the logical record and keep it valid: "re-fixup");
 *  - fz_fake_volume: an ntx_volume with just the fields the private parsers
 *    read, for the narrow harnesses that need no mount;
 *  - fz_walk: everything the public API can do to a mounted volume,
 *    breadth-first with budgets (used by every volume-level harness).
 *
 * Nothing here checks results against expectations except the API contracts
 * (fz_check): a failed contract abort()s, which libFuzzer reports as a crash.
 */
#ifndef NTX_FUZZ_SUPPORT_H
#define NTX_FUZZ_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ntx.h"

/* abort() with a message when a contract of the API does not hold. */
#define fz_check(cond) ((cond) ? (void)0 : fz_fail(#cond, __FILE__, __LINE__))
void fz_fail(const char *what, const char *file, int line) __attribute__((noreturn));

static inline uint16_t fz_le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t fz_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t fz_le64(const uint8_t *p) { return fz_le32(p) | (uint64_t)fz_le32(p + 4) << 32; }
static inline void fz_put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void fz_put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static inline void fz_put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* ---- memory device ---- */

typedef struct fz_dev {
    const uint8_t *data;
    size_t len;        /* bytes at data */
    uint64_t size;     /* device size: [len, size) reads as zeros; reads past size fail */
    uint64_t reads;    /* callback calls */
} fz_dev;

/* Largest device a harness serves (zero-extension of a short input stops here). */
#define FZ_MAX_DEVICE ((uint64_t)64 << 20)

int fz_dev_read(void *ctx, uint64_t off, void *buf, size_t len);
/* With NTX_FUZZ_DUMP=PATH in the environment, write the device (zero-extended
 * to its size) to PATH before it is mounted: the image a harness built from
 * its input, for replaying it through the FUSE mount or the CLI. */
void fz_dump_image(const fz_dev *d);
/* The device size for an image of len bytes: its boot sector's claimed size
 * (total sectors + the backup sector) when that is larger, capped at FZ_MAX_DEVICE. */
uint64_t fz_claimed_size(const uint8_t *data, size_t len);
void fz_io(fz_dev *d, ntx_io *io, uint32_t block_size);

/* A whole file, gunzipped if it is gzip (plain files read unchanged), in a
 * malloc()ed buffer; NULL if it cannot be read. */
uint8_t *fz_load_gz(const char *path, size_t *len);

/* ---- base images ---- */

#define FZ_BASES 5
typedef struct fz_base {
    const char *name;
    uint8_t *pristine;   /* zero-extended to the claimed size */
    uint8_t *work;       /* the copy patches go into */
    size_t size;
    ntx_geometry geo;
    uint64_t mft_off[512]; /* byte offset of each MFT record (first 512), 0 = unmapped */
    uint32_t nrec;
    uint64_t indx_off[256]; /* byte offsets of every INDX block of every directory */
    uint32_t nindx;
    uint64_t free_rec;      /* a record number not in use, below the $MFT size */
    uint64_t free_lcn;      /* first of free_clusters clusters marked free in $Bitmap */
    uint64_t free_clusters;
    uint64_t many_dir;      /* MFT number of /many, else of the root */
    uint64_t many_blocks[64]; /* byte offsets of its INDX blocks in VCN order */
    uint32_t nmany;
    /* undo log of the work copy */
    struct { uint64_t off; uint32_t len; } undo[512];
    uint32_t nundo;
    bool undo_all;
} fz_base;

/* Load every base image (once; NTX_FUZZ_BASE_DIR env var or the compiled-in
 * directory) and map its structures with the library. */
void fz_bases_init(void);
fz_base *fz_base_get(unsigned sel);
/* Before writing [off, off+len) of b->work: remember it for fz_base_reset(). */
void fz_base_touch(fz_base *b, uint64_t off, uint64_t len);
/* Undo every patch. */
void fz_base_reset(fz_base *b);

/* ---- update sequence arrays ---- */

/* Undo the fixup of an on-disk record in place (tails get their saved words):
 * false if the array is not usable or a tail does not match. */
bool fz_unfix(uint8_t *rec, size_t size);
/* Apply the update sequence array to a logical record in place (save each
 * stride's tail in the array, write the USN): false if the header is unusable. */
bool fz_fix(uint8_t *rec, size_t size);

/* ---- narrow harnesses ---- */

/* A volume without a mount: geometry fields, a device, bounce block and the
 * attribute-list window, an attached identity+ASCII upcase table. Enough for
 * the parsers of the private headers and for ntx_dev_read(). */
void fz_fake_volume(ntx_volume *vol, fz_dev *dev, unsigned cluster_shift, uint32_t record_size,
                    uint64_t clusters);

/* ---- the walk ---- */

#define FZ_WALK_NO_READ 0x1u   /* stat and list only */
#define FZ_WALK_UPCASE 0x2u    /* attach the $UpCase table for a second lookup pass */

typedef struct fz_stats {
    uint64_t dirs, entries, files, streams, bytes, errors;
} fz_stats;

/* Mount-independent: everything the public API offers on a mounted volume. */
void fz_walk(ntx_volume *vol, unsigned flags, fz_stats *st);
/* Exercise one open file (stat, attributes, every stream, reparse, readlink). */
void fz_exercise_file(ntx_volume *vol, const ntx_file *f, fz_stats *st);
/* Mount the device (written out first with NTX_FUZZ_DUMP) into one static
 * volume and workspace; checks the result is a documented error. */
ntx_err fz_mount(fz_dev *dev, uint32_t block_size, ntx_volume **vol);
/* Mount a base image's work copy (512-byte blocks). */
ntx_err fz_base_mount(fz_base *b, ntx_volume **vol);
/* Write a blank in-use FILE record header of rs bytes (logical: fz_fix()
 * it when done); returns the offset of its first attribute. */
uint32_t fz_record_blank(uint8_t *rec, uint32_t rs);
/* Mount the device and walk; returns the mount result. */
ntx_err fz_mount_walk(fz_dev *dev, uint32_t block_size, unsigned flags, fz_stats *st);

/* The typed value parsers (forensic.h) on one value, with their contracts. */
void fz_parse_value(uint32_t type, const uint16_t *name, size_t name_len, const uint8_t *v,
                    size_t len);
void fz_parse_sd(const uint8_t *sd, size_t len);

/* An error code is one the API documents (any ntx_err). */
bool fz_is_err(int rc);

#endif
