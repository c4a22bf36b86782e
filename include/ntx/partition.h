/*
 * ntx/partition.h - finding volumes on a partitioned disk (MBR and GPT).
 *
 * The core reads volumes at a byte offset on a device (ntx_io.offset); this
 * iterator lists where the partitions of a disk image are, through the same
 * read callback, so tools and firmware can find the NTFS volume to mount.
 * Freestanding like the rest of the core; nothing is allocated.
 */
#ifndef NTX_PARTITION_H
#define NTX_PARTITION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "io.h"

#define NTX_PT_MBR 1u
#define NTX_PT_GPT 2u

/* Logical partitions followed in an MBR extended partition chain. */
#define NTX_PT_MAX_LOGICAL 128u
/* GPT entries read at most. */
#define NTX_PT_MAX_GPT_ENTRIES 1024u

typedef struct ntx_partition {
    uint32_t index;         /* as users number them: MBR 1-4 primary, 5.. logical; GPT entry 1.. */
    uint8_t scheme;         /* NTX_PT_MBR or NTX_PT_GPT */
    uint8_t mbr_type;       /* MBR type byte (0x07: NTFS, exFAT or HPFS) */
    bool maybe_ntfs;        /* a type Windows puts NTFS in: MBR 0x07/0x27, GPT basic data or recovery */
    uint8_t gpt_type[16];   /* GPT type GUID, as stored */
    uint16_t gpt_name[36];  /* GPT partition name, UTF-16, NUL-padded */
    uint64_t offset;        /* bytes from the start of the disk */
    uint64_t size;          /* bytes */
} ntx_partition;

typedef struct ntx_partition_iter {
    ntx_io io;
    uint8_t *block;         /* caller's scratch, block_len bytes */
    size_t block_len;
    uint8_t scheme;
    uint32_t lba_size;      /* 512, or 4096 for a GPT on a 4 KiB-sector disk */
    uint32_t next;          /* next primary entry (MBR) or GPT entry to look at */
    uint32_t logical;       /* logical partitions returned so far */
    uint64_t ext_start;     /* MBR extended partition start (LBA), 0 if none */
    uint64_t ext_next;      /* next EBR to read (LBA), 0 when the chain is done */
    uint64_t gpt_entries;   /* GPT entry array (LBA) */
    uint32_t gpt_count, gpt_entry_size;
} ntx_partition_iter;

/**
 * ntx_partition_iter_open() - detect the partition table of a disk.
 *
 * Reads:   LBA 0 (MBR) and, for a protective MBR, the GPT header at LBA 1
 *          (512- or 4096-byte sectors), checked with its CRC-32; the backup
 *          header at the last LBA when the primary is bad and io->size known.
 * Buffers: block of block_len >= 4096 bytes, used by every later call.
 * Returns: NTX_OK; NTX_E_NOT_FOUND when sector 0 holds no partition table
 *          (a bare NTFS volume, for instance); NTX_E_IO; NTX_E_ARG.
 */
ntx_err ntx_partition_iter_open(ntx_partition_iter *it, const ntx_io *io, void *block, size_t block_len);

/**
 * ntx_partition_iter_next() - the next non-empty partition, in table order (MBR
 * primary entries, then logical ones along the extended chain).
 * Returns: NTX_OK with *p; NTX_END; NTX_E_RANGE (a partition beyond the
 *          device or an offset that overflows); NTX_E_LIMIT (an EBR chain
 *          longer than NTX_PT_MAX_LOGICAL: a loop); NTX_E_IO. After an
 *          error the iterator has moved on: calling again continues with the
 *          next entry (a broken EBR chain is not followed further).
 */
ntx_err ntx_partition_iter_next(ntx_partition_iter *it, ntx_partition *p);

#endif
