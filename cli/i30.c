/*
 * i30.c - a name's entry in its parent's $I30 index (i30.h). The core's
 * ntx_dir_lookup() finds the entry; this checks it is the one of this name
 * and this file, since a case-insensitive match or a reused name would
 * otherwise pass for it.
 */
#include "i30.h"

#include <string.h>

i30_status i30_find(cli_image *img, uint64_t file_mft, const ntx_dirent *fn, ntx_dirent *entry,
                    ntx_err *err)
{
    ntx_file dir;
    *err = NTX_OK;
    ntx_err rc = ntx_file_open(&dir, &img->vol, fn->parent_ref, 0);
    if (rc == NTX_E_NOT_FOUND || rc == NTX_E_STALE || (rc == NTX_OK && !(dir.rec_flags & NTX_REC_DIRECTORY)))
        return I30_NO_PARENT;
    if (rc == NTX_OK)
        rc = ntx_dir_lookup(&dir, fn->name, fn->name_len, entry);
    if (rc == NTX_E_NOT_FOUND)
        return I30_ABSENT;
    if (rc == NTX_E_NOT_DIR)
        return I30_NO_PARENT;
    if (rc == NTX_E_EXTERNAL)
        return I30_ELSEWHERE;
    if (rc != NTX_OK) {
        *err = rc;
        return I30_ERROR;
    }
    if (NTX_REF_MFT(entry->mft_ref) != file_mft || entry->name_len != fn->name_len ||
        memcmp(entry->name, fn->name, fn->name_len * sizeof fn->name[0]) != 0)
        return I30_ABSENT;
    return I30_FOUND;
}

const char *i30_status_word(i30_status st)
{
    switch (st) {
    case I30_FOUND: return "found";
    case I30_ABSENT: return "absent";
    case I30_NO_PARENT: return "no_parent";
    case I30_ELSEWHERE: return "elsewhere";
    default: return "error";
    }
}
