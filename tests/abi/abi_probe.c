/*
 * abi_probe.c - a program that mounts a volume through the installed-style
 * API, compiled three times against the same library (tests/abi/):
 *   with the library's own settings      -> the fixture mounts (NTX_OK);
 *   with another profile (NTX_PROFILE)   -> NTX_E_CONFIG;
 *   with another limit (index depth)     -> NTX_E_CONFIG.
 * In both refused builds the caller's ntx_volume is smaller or laid out
 * otherwise than the library's: the test fills it and the bytes after it
 * with a pattern and checks that not one byte changed and that the read
 * callback was never called. Exit 0 when the expectation given on the
 * command line holds.
 *
 * usage: abi_probe IMAGE ok|refused
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ntx.h"

static int reads;

static int image_read(void *ctx, uint64_t off, void *buf, size_t len)
{
    reads++;
    return pread(*(int *)ctx, buf, len, (off_t)off) == (ssize_t)len ? 0 : -1;
}

static struct {
    ntx_volume vol;
    unsigned char after[8192]; /* what follows the caller's struct in its memory */
} mem;
static unsigned char ws[NTX_WORKSPACE_MAX];

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0) {
        perror(argv[1]);
        return 2;
    }
    ntx_io io = { image_read, &fd, 0, 0, 512 };
    memset(&mem, 0xA5, sizeof mem);
    ntx_err rc = ntx_volume_mount(&mem.vol, &io, ws, sizeof ws);
    printf("caller: sizeof(ntx_volume) %zu, config %08x; library: config %08x; mount: %s (%d)\n",
           sizeof(ntx_volume), (unsigned)NTX_CONFIG_ID, (unsigned)ntx_config_id(),
           ntx_strerror(rc), (int)rc);
    if (strcmp(argv[2], "ok") == 0)
        return rc == NTX_OK && ntx_config_id() == NTX_CONFIG_ID ? 0 : 1;
    size_t changed = 0;
    for (size_t i = 0; i < sizeof mem; i++)
        changed += ((unsigned char *)&mem)[i] != 0xA5;
    printf("refused build: %zu bytes of the caller's memory changed, %d reads\n", changed, reads);
    return rc == NTX_E_CONFIG && changed == 0 && reads == 0 ? 0 : 1;
}
