/*
 * filename.c - $FILE_NAME (type 0x30; ntfs-3g layout.h FILE_NAME_ATTR;
 * libfsntfs "File name attribute"). Stored in the file's record, once per
 * name (hard link, and the DOS 8.3 alias), and copied as the key of the
 * parent directory's $I30 index entry.
 *
 *   0x00 parent directory reference  0x08 creation, 0x10 modification,
 *   0x18 MFT change, 0x20 access time (NT time)  0x28 allocated size
 *   0x30 data size  0x38 file attributes (u32)  0x3C reparse tag or EA size
 *   0x40 name length in units (u8)  0x41 namespace (u8)  0x42 name (UTF-16LE)
 * The sizes and times in index copies are only updated lazily by Windows.
 */
#include "filename.h"

#include "../base/diag.h"

#include "ntx/file.h"
#include "ntx/forensic.h"

ntx_err ntx_filename_check(const uint8_t *fn, size_t len, ntx_check *check)
{
    if (len < FN_NAME || fn[FN_NAME_LENGTH] == 0 || fn[FN_NAMESPACE] > NTX_NS_WIN32_DOS ||
        FN_NAME + 2u * fn[FN_NAME_LENGTH] > len)
        return ntx_invalid(check, NTX_CHK_FILE_NAME, NTX_E_CORRUPT);
    return NTX_OK;
}

ntx_err ntx_file_name_parse(const void *value, size_t len, ntx_dirent *out)
{
    ntx_check check;
    if (value == NULL || out == NULL)
        return NTX_E_ARG;
    ntx_err rc = ntx_filename_check(value, len, &check);
    if (rc != NTX_OK)
        return rc;
    ntx_filename_to_dirent(value, out);
    out->mft_ref = 0;
    return NTX_OK;
}

void ntx_filename_to_dirent(const uint8_t *fn, ntx_dirent *d)
{
    d->parent_ref = ntx_le64(fn + FN_PARENT);
    for (unsigned i = 0; i < 4; i++)
        d->times[i] = ntx_le64(fn + FN_TIMES + 8 * i);
    d->alloc_size = ntx_le64(fn + FN_ALLOCATED_SIZE);
    d->data_size = ntx_le64(fn + FN_DATA_SIZE);
    d->file_attrs = ntx_le32(fn + FN_FLAGS);
    d->reparse_tag = (d->file_attrs & NTX_FA_REPARSE) ? ntx_le32(fn + FN_REPARSE_TAG) : 0;
    d->name_space = fn[FN_NAMESPACE];
    d->name_len = fn[FN_NAME_LENGTH];
    d->is_dir = (d->file_attrs & NTX_FA_DUP_DIRECTORY) != 0;
    for (unsigned i = 0; i < d->name_len; i++)
        d->name[i] = ntx_le16(fn + FN_NAME + 2 * i);
}
