/*
 * fuzz_partition.c - partition tables (ntx_partition_iter_open/next): MBR with
 * extended chains, GPT with CRC-checked headers, entry arrays and backup.
 *
 * Input: the start of a disk (at most 1 MiB). It is served twice: as a
 * device of exactly that size, and with the size unknown (io.size 0). The
 * scratch block is a heap block of exactly 4096 bytes. Every partition
 * returned must lie inside a known device, and the iteration must end
 * (NTX_END) within the bounds the header states: 4 primary entries,
 * NTX_PT_MAX_LOGICAL logical ones, NTX_PT_MAX_GPT_ENTRIES GPT entries.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20))
        return 0;
    fz_dev dev = { data, size, size, 0 };
    for (int pass = 0; pass < 2; pass++) {
        ntx_io io;
        ntx_partition_iter it;
        ntx_partition p;
        uint8_t *block = malloc(4096);
        fz_io(&dev, &io, 512);
        if (pass == 1)
            io.size = 0;
        ntx_err rc = ntx_partition_iter_open(&it, &io, block, 4096);
        /* The header lists OK, NOT_FOUND, IO, ARG; a disk shorter than one
         * sector gives NTX_E_RANGE (from the read), also a clean refusal. */
        fz_check(rc == NTX_OK || fz_is_err(rc));
        unsigned calls = 0;
        const unsigned bound = 4 + NTX_PT_MAX_LOGICAL + NTX_PT_MAX_GPT_ENTRIES + 8;
        while (rc == NTX_OK || (calls > 0 && rc == NTX_E_RANGE)) { /* errors move on */
            rc = ntx_partition_iter_next(&it, &p);
            calls++;
            fz_check(calls <= bound);
            if (rc == NTX_END)
                break;
            fz_check(rc == NTX_OK || rc == NTX_E_RANGE || rc == NTX_E_LIMIT || rc == NTX_E_IO);
            if (rc == NTX_OK && io.size != 0)
                fz_check(p.offset <= io.size && p.size <= io.size - p.offset);
            if (rc == NTX_E_IO || rc == NTX_E_LIMIT)
                break;
        }
        free(block);
    }
    return 0;
}
