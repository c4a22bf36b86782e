/*
 * fuzz_logfile.c - a $LogFile restart page (ntx_logfile_restart_parse).
 *
 * Input: the page as stored (at most 64 KiB + 1), copied to a heap block of
 * exactly its size. Contracts: the documented result codes, a check set
 * exactly when the page is refused as corrupt, the page never written, and
 * for a page that parses: a system page size (power of two, 512..65536)
 * inside the input, the client chosen inside the array, a name of at most
 * 64 units, "clean" as the flag and the in-use list say.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65537)
        return 0;
    uint8_t *p = malloc(size ? size : 1);
    memcpy(p, data, size);
    ntx_logfile_restart r;
    ntx_check check = NTX_CHK_NONE;
    ntx_err rc = ntx_logfile_restart_parse(p, size, &r, &check);
    fz_check(rc == NTX_OK || rc == NTX_E_NOT_FOUND || rc == NTX_E_BUFFER ||
             rc == NTX_E_CORRUPT);
    fz_check((rc == NTX_E_CORRUPT) == (check != NTX_CHK_NONE));
    fz_check(memcmp(p, data, size) == 0);
    if (rc == NTX_OK) {
        uint32_t ps = r.system_page_size;
        fz_check(ps >= 512 && ps <= 65536 && (ps & (ps - 1)) == 0 && ps <= size);
        fz_check(r.client_name_len <= NTX_LOGFILE_CLIENT_NAME_MAX);
        fz_check(!r.has_client || r.client_index < r.log_clients);
        fz_check(r.clean == (r.client_in_use_list == NTX_LOGFILE_NO_CLIENT ||
                             (r.flags & NTX_LOGFILE_VOLUME_CLEAN) != 0));
    }
    free(p);
    return 0;
}
