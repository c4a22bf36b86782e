/*
 * info.c - what GetInfo() and directory reads return: EFI_FILE_INFO from
 * ntx_file_stat() (or from a directory entry when the record cannot be
 * read), EFI_FILE_SYSTEM_INFO and EFI_FILE_SYSTEM_VOLUME_LABEL from the
 * volume's geometry, label and $Bitmap; NTFS times as EFI_TIME; and the
 * name a record gives itself in its $FILE_NAME (for handles opened
 * through "..").
 */
#include "ntxefi.h"

/* ---- times ---- */

/* NT time: 100 ns units since 1601-01-01 00:00 UTC. EFI_TIME with
 * TimeZone 0: the time is UTC, which is what NTFS stores. */
static void ntxefi_time(UINT64 nt, EFI_TIME *t)
{
    memset(t, 0, sizeof *t);
    UINT64 secs = nt / 10000000u;
    UINT32 nanos = (UINT32)(nt % 10000000u) * 100u;
    INT64 days = (INT64)(secs / 86400u);
    UINT32 rem = (UINT32)(secs % 86400u);
    /* civil date from a day count (days since 1601-01-01, a year 1 of a
     * 400-year cycle): shifted to 0000-03-01 so that leap days end a year */
    INT64 z = days + 584694; /* 1601-01-01 is day 584694 after 0000-03-01 */
    INT64 era = z / 146097;
    INT64 doe = z - era * 146097;
    INT64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    INT64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    INT64 mp = (5 * doy + 2) / 153;
    INT64 day = doy - (153 * mp + 2) / 5 + 1;
    INT64 month = mp < 10 ? mp + 3 : mp - 9;
    INT64 year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    t->Year = (UINT16)year;
    t->Month = (UINT8)month;
    t->Day = (UINT8)day;
    t->Hour = (UINT8)(rem / 3600u);
    t->Minute = (UINT8)(rem / 60u % 60u);
    t->Second = (UINT8)(rem % 60u);
    t->Nanosecond = nanos;
    t->TimeZone = 0;
    t->Daylight = 0;
}

/* ---- EFI_FILE_INFO ---- */

static UINT64 ntxefi_attrs(UINT32 dos, BOOLEAN is_dir)
{
    UINT64 a = dos & (EFI_FILE_READ_ONLY | EFI_FILE_HIDDEN | EFI_FILE_SYSTEM | EFI_FILE_ARCHIVE);
    if (is_dir)
        a |= EFI_FILE_DIRECTORY;
    return a;
}

EFI_STATUS ntxefi_file_info(ntxefi_vol *vol, const ntx_file *f, const CHAR16 *name, size_t name_len,
                           const ntx_dirent *fallback, UINTN *size, void *buf)
{
    UINTN need = SIZE_OF_EFI_FILE_INFO + ((UINTN)name_len + 1u) * sizeof(CHAR16);
    if (*size < need) {
        *size = need;
        return EFI_BUFFER_TOO_SMALL;
    }
    ntx_stat *st = &vol->core->s.st;
    ntx_err rc = f != NULL ? ntx_file_stat(f, st) : NTX_E_NOT_FOUND;
    if (rc != NTX_OK && fallback == NULL)
        return ntxefi_status(vol, rc);
    EFI_FILE_INFO *info = buf;
    memset(info, 0, need);
    info->Size = need;
    if (rc == NTX_OK) {
        info->FileSize = st->size;
        info->PhysicalSize = st->alloc_size;
        ntxefi_time(st->si_times[NTX_TIME_CREATE], &info->CreateTime);
        ntxefi_time(st->si_times[NTX_TIME_ACCESS], &info->LastAccessTime);
        ntxefi_time(st->si_times[NTX_TIME_MODIFY], &info->ModificationTime);
        info->Attribute = ntxefi_attrs(st->dos_attrs, st->is_dir);
    } else {
        /* the index entry's copies: possibly stale, but what there is */
        info->FileSize = fallback->is_dir ? 0 : fallback->data_size;
        info->PhysicalSize = fallback->is_dir ? 0 : fallback->alloc_size;
        ntxefi_time(fallback->times[NTX_TIME_CREATE], &info->CreateTime);
        ntxefi_time(fallback->times[NTX_TIME_ACCESS], &info->LastAccessTime);
        ntxefi_time(fallback->times[NTX_TIME_MODIFY], &info->ModificationTime);
        info->Attribute = ntxefi_attrs(fallback->file_attrs, fallback->is_dir);
    }
    for (size_t i = 0; i < name_len; i++)
        info->FileName[i] = name[i];
    info->FileName[name_len] = 0;
    *size = need;
    return EFI_SUCCESS;
}

/* ---- the file system ---- */

/* Free clusters, counted once per mount: $Bitmap is read whole (one bit per
 * cluster: 32 MiB for 1 TiB of 4 KiB clusters), so only when asked. */
static UINT64 ntxefi_free_bytes(ntxefi_vol *vol)
{
    ntxefi_core *c = vol->core;
    if (!c->free_known) {
        void *buf = NULL;
        UINTN len = 65536u;
        uint64_t free_clusters = 0;
        if (!EFI_ERROR(ntxefi_bs->AllocatePool(EfiBootServicesData, len, &buf))) {
            if (ntx_volume_count_free(&c->ntx, buf, len, &free_clusters, NULL) == NTX_OK) {
                c->free_clusters = free_clusters;
                c->free_known = TRUE;
            }
            ntxefi_bs->FreePool(buf);
        }
    }
    return c->free_known ? c->free_clusters * c->ntx.geo.cluster_size : 0;
}

EFI_STATUS ntxefi_fs_info(ntxefi_vol *vol, UINTN *size, void *buf)
{
    const ntx_volume_info *vi = &vol->core->info;
    UINTN need = SIZE_OF_EFI_FILE_SYSTEM_INFO + ((UINTN)vi->label_len + 1u) * sizeof(CHAR16);
    if (*size < need) {
        *size = need;
        return EFI_BUFFER_TOO_SMALL;
    }
    EFI_FILE_SYSTEM_INFO *info = buf;
    memset(info, 0, need);
    info->Size = need;
    info->ReadOnly = TRUE;
    info->VolumeSize = vol->core->ntx.geo.cluster_count * vol->core->ntx.geo.cluster_size;
    info->FreeSpace = ntxefi_free_bytes(vol);
    info->BlockSize = vol->core->ntx.geo.cluster_size;
    for (size_t i = 0; i < vi->label_len; i++)
        info->VolumeLabel[i] = vi->label[i];
    info->VolumeLabel[vi->label_len] = 0;
    *size = need;
    return EFI_SUCCESS;
}

EFI_STATUS ntxefi_fs_label(ntxefi_vol *vol, UINTN *size, void *buf)
{
    const ntx_volume_info *vi = &vol->core->info;
    UINTN need = SIZE_OF_EFI_FILE_SYSTEM_VOLUME_LABEL_INFO + ((UINTN)vi->label_len + 1u) * sizeof(CHAR16);
    if (*size < need) {
        *size = need;
        return EFI_BUFFER_TOO_SMALL;
    }
    EFI_FILE_SYSTEM_VOLUME_LABEL *l = buf;
    for (size_t i = 0; i < vi->label_len; i++)
        l->VolumeLabel[i] = vi->label[i];
    l->VolumeLabel[vi->label_len] = 0;
    *size = need;
    return EFI_SUCCESS;
}

/* ---- a record's own name ---- */

/*
 * The name f's record gives itself, with its parent: the long (Win32 or
 * POSIX) $FILE_NAME, or the DOS one if that is all there is. A directory
 * has one parent (NTFS has no hard links to directories), so this is the
 * way up for "..".
 */
ntx_err ntxefi_primary_name(ntxefi_vol *vol, const ntx_file *f, ntx_dirent *out)
{
    ntxefi_scratch *s = &vol->core->s;
    BOOLEAN found = FALSE;
    ntx_err rc = ntx_attr_iter_open(&s->ait, f);
    /* bound: the attribute iterator's own step limit */
    while (rc == NTX_OK && (rc = ntx_attr_iter_next(&s->ait, &s->ai)) == NTX_OK) {
        if (s->ai.type != NTX_AT_FILE_NAME || !s->ai.resident || s->ai.size > sizeof s->fn_value)
            continue;
        size_t got = 0;
        rc = ntx_attr_read(f, &s->ai, 0, s->fn_value, (size_t)s->ai.size, &got);
        if (rc == NTX_OK)
            rc = ntx_file_name_parse(s->fn_value, got, out);
        if (rc != NTX_OK)
            return rc;
        found = TRUE;
        if (out->name_space != NTX_NS_DOS)
            return NTX_OK;
    }
    if (rc != NTX_END)
        return rc;
    return found ? NTX_OK : NTX_E_NOT_FOUND;
}
