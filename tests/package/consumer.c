/*
 * A program built against an installed ntx (tests/check_install.cmake):
 * through find_package(ntx CONFIG) and ntx::ntx, or through pkg-config.
 *
 * The configuration of include/ntx/config.h sizes the public structs and
 * the workspace, so the program must be compiled with the values the
 * library was built with, and the installed package must carry them:
 *   - ntx_expect.h, written by the test from the values it configured the
 *     library with, fails the build (#error) when one did not arrive;
 *   - at run time the workspace the library computes (ntx_workspace_size(),
 *     compiled into libntx.a) must equal what this program's headers say
 *     (NTX_WORKSPACE_SIZE), which differs between profiles;
 *   - and the library's own guard must accept the program: a mount over a
 *     device whose every read fails must get past it and fail at the
 *     device, not answer NTX_E_CONFIG, the refusal of a caller built with
 *     other settings (ntx_volume_mount() passes sizeof(ntx_volume) and
 *     NTX_CONFIG_ID).
 * Prints what it sees; exits 1 when the library and the program disagree.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ntx.h"
#ifndef NTX_CONSUMER_NO_EXPECT
#include "ntx_expect.h"
#endif

static int read_fails(void *ctx, uint64_t off, void *buf, size_t len)
{
    (void)ctx;
    (void)off;
    (void)buf;
    (void)len;
    return -1;
}

static ntx_volume vol;
static uint64_t ws[NTX_WORKSPACE_MAX / sizeof(uint64_t) + 1];

int main(void)
{
    /* The geometry of the volume.h example: 1 KiB records, 4 KiB index
     * blocks, 512-byte device blocks. */
    ntx_geometry geo;
    memset(&geo, 0, sizeof geo);
    geo.record_size = 1024;
    geo.index_block_size = 4096;
    geo.block_size = 512;
    size_t lib_ws = ntx_workspace_size(&geo);
    size_t prog_ws = NTX_WORKSPACE_SIZE(1024u, 4096u, 512u);
    size_t lib_max = ntx_workspace_size(NULL);
    size_t prog_max = NTX_WORKSPACE_MAX;

    printf("profile=%u record_slots=%u max_index_depth=%u sizeof(ntx_volume)=%zu\n",
           (unsigned)NTX_PROFILE, (unsigned)NTX_RECORD_SLOTS, (unsigned)NTX_MAX_INDEX_DEPTH,
           sizeof(ntx_volume));
    printf("workspace for 1024/4096/512: library %zu, program %zu; largest: library %zu, program %zu\n",
           lib_ws, prog_ws, lib_max, prog_max);

    ntx_io io;
    memset(&io, 0, sizeof io);
    io.read = read_fails;
    io.block_size = 512;
    ntx_err rc = ntx_volume_mount(&vol, &io, ws, sizeof ws);
    printf("mount over a failing device: %d (%s)\n", (int)rc, ntx_strerror(rc));

    if (lib_ws != prog_ws || lib_max != prog_max || rc == NTX_E_CONFIG) {
        printf("MISMATCH: the program was not compiled with the library's configuration\n");
        return 1;
    }
    if (rc == NTX_OK) {
        printf("unexpected: a device whose every read fails was mounted\n");
        return 1;
    }
    printf("ok: %s\n", ntx_strerror(NTX_OK));
    return 0;
}
