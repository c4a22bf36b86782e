/*
 * i30.h - a name's entry in its parent directory's $I30 index: the copy of
 * the $FILE_NAME, times included, that the directory keeps (stat shows it
 * beside $STANDARD_INFORMATION and $FILE_NAME; the timeline may use it).
 */
#ifndef NTX_CLI_I30_H
#define NTX_CLI_I30_H

#include "cli.h"

/* What i30_find() found. */
typedef enum i30_status {
    I30_FOUND = 0,     /* *entry is the directory's entry of this name for this file */
    I30_ABSENT,        /* the directory has no entry of this name for this file (a deleted
                        * file, a name removed, or the entry names another record) */
    I30_NO_PARENT,     /* the parent is not a directory in use with that sequence number */
    I30_ELSEWHERE,     /* the entry would be in an index block, which a copy of $MFT alone
                        * does not hold (--mft-file) */
    I30_ERROR,         /* the lookup failed: *err says why (vol->diag where) */
} i30_status;

/*
 * The entry of the name fn (a $FILE_NAME of record file_mft, from
 * ntx_file_name_parse()) in the directory fn->parent_ref names: looked up
 * by name with the directory's collation, then checked to hold the same name
 * (every unit) and to point at file_mft.
 */
i30_status i30_find(cli_image *img, uint64_t file_mft, const ntx_dirent *fn, ntx_dirent *entry,
                    ntx_err *err);

/* A short word for a status: "found", "absent", "no_parent", "elsewhere", "error". */
const char *i30_status_word(i30_status st);

#endif
