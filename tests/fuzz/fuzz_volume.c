/*
 * fuzz_volume.c - the whole volume: the input is a raw NTFS image.
 *
 * Input: an image of at most 4 MiB, served from memory by the read callback
 * and zero-extended to the size its boot sector declares (at most 64 MiB;
 * fz_claimed_size), so seeds need not carry their trailing zeros; reads past
 * that fail with -EIO. The harness mounts it (512-byte device blocks), then
 * fz_walk(): volume info, free clusters, a list of paths, and a breadth-first
 * walk of the tree with budgets (2,048 entries, 384 files, 6 MiB of reads):
 * every entry is converted to UTF-8 and back, looked up in swapped case,
 * opened, stat'ed, its attributes listed, every stream read (up to 64 KiB,
 * plus unaligned reads compared with the first one, the tail, past the end)
 * and mapped, reparse data and link targets read, and the forensic API
 * (record headers, deleted files, raw values and runs, typed values, $Secure,
 * $I30 slack, $UsnJrnl). With bit 0 of boot sector byte 0x41 (reserved) set,
 * the $UpCase table is then attached and the paths looked up again. Also
 * probes with 4 KiB blocks and an unknown device size.
 */
#include <string.h>

#include "fuzz_support.h"

#define MAX_INPUT (4u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    fz_dev dev = { data, size, fz_claimed_size(data, size), 0 };
    fz_stats st;
    memset(&st, 0, sizeof st);
    /* Boot sector byte 0x41 (reserved, normally 0), bit 0: attach $UpCase and
     * look the paths up again. */
    unsigned flags = size > 0x41 && (data[0x41] & 1u) ? FZ_WALK_UPCASE : 0;
    fz_mount_walk(&dev, 512, flags, &st);

    /* The boot sector alone, with 4 KiB device blocks and no known size. */
    static uint8_t block[NTX_MAX_BLOCK_SIZE];
    ntx_io io;
    ntx_geometry geo;
    ntx_diag diag;
    fz_io(&dev, &io, 4096);
    io.size = 0;
    ntx_err rc = ntx_volume_probe(&io, block, sizeof block, &geo, &diag);
    fz_check(rc == NTX_OK || rc == NTX_E_IO || rc == NTX_E_NOT_NTFS || rc == NTX_E_UNSUPPORTED);
    return 0;
}
