/*
 * file.c - EFI_FILE_PROTOCOL over the ntx core: Open, Close, Delete, Read,
 * Write, GetPosition, SetPosition, GetInfo, SetInfo, Flush and their
 * revision 2 forms (OpenEx, ReadEx, WriteEx, FlushEx), for a read-only
 * medium.
 *
 * What the UEFI specification says each function answers on read-only
 * media, and what this driver answers:
 *  - Open with EFI_FILE_MODE_WRITE or EFI_FILE_MODE_CREATE:
 *    EFI_WRITE_PROTECTED; a mode that is none of the three valid
 *    combinations (read; read/write; create/read/write):
 *    EFI_INVALID_PARAMETER;
 *  - Write: EFI_UNSUPPORTED on a directory, else EFI_WRITE_PROTECTED;
 *  - Delete: the handle is closed and EFI_WARN_DELETE_FAILURE returned;
 *  - SetInfo: EFI_WRITE_PROTECTED for the three information types it
 *    knows, EFI_UNSUPPORTED for any other;
 *  - Flush: EFI_SUCCESS (nothing is ever buffered for writing).
 * Read on a directory returns one EFI_FILE_INFO per call (BufferSize 0 at
 * the end), or EFI_BUFFER_TOO_SMALL with the size it needs, keeping the
 * entry for the next call. Read on a file whose position is past its end
 * is EFI_DEVICE_ERROR, as the specification says.
 *
 * Paths: '\'-separated; a leading '\' starts at the root, otherwise at the
 * handle's directory; empty components and "." stay, ".." goes to the
 * parent (the root is its own parent, as on Windows). Names compare as
 * Windows compares them: through the volume's $UpCase table, the exact
 * case preferred where two names differ only in case (ntx_dir_lookup()).
 * Reparse points (symbolic links, junctions) are not followed: a link is
 * opened as itself, a junction reads as an empty directory, a symbolic
 * link to a file as a file of no bytes.
 */
#include "ntxefi.h"

/* MFT record header flag: the record is a directory (ntx_file.rec_flags). */
#define NTXEFI_REC_DIRECTORY 0x2u

/* Longest path accepted by Open, in UTF-16 units: the Windows limit. */
#define NTXEFI_PATH_MAX 32767u

static EFI_GUID ntxefi_info_guid = EFI_FILE_INFO_ID;
static EFI_GUID ntxefi_fs_info_guid = EFI_FILE_SYSTEM_INFO_ID;
static EFI_GUID ntxefi_label_guid = EFI_FILE_SYSTEM_VOLUME_LABEL_ID;

static const EFI_FILE_PROTOCOL ntxefi_file_template;

static ntxefi_file *ntxefi_from(EFI_FILE_PROTOCOL *p)
{
    if (p == NULL)
        return NULL;
    ntxefi_file *fh = NTXEFI_CONTAINER(p, ntxefi_file, proto);
    return fh->signature == NTXEFI_FILE_SIGNATURE ? fh : NULL;
}

static BOOLEAN ntxefi_guid_is(const EFI_GUID *a, const EFI_GUID *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

EFI_STATUS ntxefi_file_new(ntxefi_vol *vol, const ntx_file *f, const uint16_t *name, size_t name_len,
                          BOOLEAN is_root, ntxefi_file **out)
{
    if (vol->handles >= NTXEFI_MAX_HANDLES)
        return EFI_OUT_OF_RESOURCES;
    ntxefi_file *fh = NULL;
    if (EFI_ERROR(ntxefi_bs->AllocatePool(EfiBootServicesData, sizeof *fh, (void **)&fh)))
        return EFI_OUT_OF_RESOURCES;
    memset(fh, 0, sizeof *fh);
    fh->signature = NTXEFI_FILE_SIGNATURE;
    memcpy(&fh->proto, &ntxefi_file_template, sizeof fh->proto);
    fh->vol = vol;
    fh->epoch = vol->epoch;
    fh->f = *f;
    fh->is_root = is_root;
    fh->is_dir = is_root || (f->rec_flags & NTXEFI_REC_DIRECTORY) != 0;
    if (fh->is_dir) {
        fh->data_err = ntx_dir_iter_open(&fh->u.d.it, f, NTX_DIR_SKIP_DOS | NTX_DIR_SKIP_SELF);
    } else {
        ntx_err rc = ntx_stream_open(&fh->u.s, f, NTX_AT_DATA, NULL, 0);
        fh->have_stream = rc == NTX_OK;
        /* No unnamed $DATA (a symbolic link's record): a file of no bytes. */
        fh->data_err = rc == NTX_E_NOT_FOUND ? NTX_OK : rc;
    }
    if (name_len > NTX_NAME_MAX)
        name_len = NTX_NAME_MAX;
    for (size_t i = 0; i < name_len; i++)
        fh->name[i] = name[i];
    fh->name[name_len] = 0;
    fh->name_len = (UINT16)name_len;
    vol->refs++;
    vol->handles++;
    *out = fh;
    return EFI_SUCCESS;
}

/* ---- Open ---- */

enum { NAME_SAME, NAME_ENT, NAME_UNKNOWN, NAME_ROOT };

static EFI_STATUS ntxefi_open_path(ntxefi_file *fh, EFI_FILE_PROTOCOL **new_handle,
                                  const CHAR16 *path)
{
    ntxefi_vol *vol = fh->vol;
    ntxefi_core *c = vol->core;
    ntxefi_scratch *s = &c->s;
    ntx_file cur = fh->f;
    BOOLEAN at_root = fh->is_root;
    int name_from = at_root ? NAME_ROOT : NAME_SAME;
    ntx_err rc = NTX_OK;
    size_t i = 0;
    if (path[0] == u'\\') {
        rc = ntx_file_open(&cur, &c->ntx, NTX_MFT_ROOT, 0);
        at_root = TRUE;
        name_from = NAME_ROOT;
    }
    /* bound: i grows by at least one unit per pass, up to NTXEFI_PATH_MAX */
    while (rc == NTX_OK && path[i] != 0) {
        if (i >= NTXEFI_PATH_MAX)
            return EFI_NOT_FOUND;
        size_t start = i;
        while (path[i] != 0 && path[i] != u'\\' && i < NTXEFI_PATH_MAX)
            i++;
        size_t len = i - start;
        if (path[i] == u'\\')
            i++;
        const CHAR16 *comp = path + start;
        if (len == 0 || (len == 1 && comp[0] == u'.'))
            continue;
        if (len == 2 && comp[0] == u'.' && comp[1] == u'.') {
            if (at_root)
                continue;
            rc = ntxefi_primary_name(vol, &cur, &s->ent);
            if (rc == NTX_OK)
                rc = ntx_file_open(&cur, &c->ntx, s->ent.parent_ref, 0);
            at_root = NTX_REF_MFT(s->ent.parent_ref) == NTX_MFT_ROOT;
            name_from = at_root ? NAME_ROOT : NAME_UNKNOWN;
            continue;
        }
        if (len > NTX_NAME_MAX)
            return EFI_NOT_FOUND;
        rc = ntx_dir_lookup(&cur, (const uint16_t *)comp, len, &s->ent);
        if (rc == NTX_OK)
            rc = ntx_file_open(&cur, &c->ntx, s->ent.mft_ref, 0);
        at_root = NTX_REF_MFT(s->ent.mft_ref) == NTX_MFT_ROOT;
        name_from = at_root ? NAME_ROOT : NAME_ENT;
    }
    if (rc == NTX_OK && name_from == NAME_UNKNOWN) {
        rc = ntxefi_primary_name(vol, &cur, &s->ent);
        name_from = NAME_ENT;
    }
    if (rc != NTX_OK)
        return ntxefi_status(vol, rc);
    ntxefi_file *nf = NULL;
    EFI_STATUS st;
    if (name_from == NAME_ROOT)
        st = ntxefi_file_new(vol, &cur, NULL, 0, TRUE, &nf);
    else if (name_from == NAME_SAME)
        st = ntxefi_file_new(vol, &cur, fh->name, fh->name_len, FALSE, &nf);
    else
        st = ntxefi_file_new(vol, &cur, s->ent.name, s->ent.name_len, FALSE, &nf);
    if (!EFI_ERROR(st))
        *new_handle = &nf->proto;
    return st;
}

static EFI_STATUS EFIAPI ntxefi_open(EFI_FILE_PROTOCOL *this, EFI_FILE_PROTOCOL **new_handle,
                                    CHAR16 *path, UINT64 mode, UINT64 attributes)
{
    (void)attributes; /* only used when creating */
    ntxefi_file *fh = ntxefi_from(this);
    if (fh == NULL || new_handle == NULL || path == NULL)
        return EFI_INVALID_PARAMETER;
    if (mode == (EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE) ||
        mode == (EFI_FILE_MODE_CREATE | EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE))
        return EFI_WRITE_PROTECTED;
    if (mode != EFI_FILE_MODE_READ)
        return EFI_INVALID_PARAMETER;
    EFI_TPL tpl;
    EFI_STATUS st = ntxefi_enter(fh->vol, fh->epoch, &tpl);
    if (!EFI_ERROR(st))
        st = ntxefi_open_path(fh, new_handle, path);
    ntxefi_leave(fh->vol, tpl);
    return st;
}

/* ---- Close, Delete ---- */

static EFI_STATUS EFIAPI ntxefi_close(EFI_FILE_PROTOCOL *this)
{
    ntxefi_file *fh = ntxefi_from(this);
    if (fh == NULL)
        return EFI_INVALID_PARAMETER;
    ntxefi_vol *vol = fh->vol;
    EFI_TPL tpl = ntxefi_bs->RaiseTPL(TPL_CALLBACK);
    fh->signature = 0;
    ntxefi_bs->FreePool(fh);
    vol->handles--;
    ntxefi_unref(vol); /* may free vol: the last handle of a stopped volume */
    ntxefi_bs->RestoreTPL(tpl);
    return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI ntxefi_delete(EFI_FILE_PROTOCOL *this)
{
    EFI_STATUS st = ntxefi_close(this);
    return EFI_ERROR(st) ? st : EFI_WARN_DELETE_FAILURE;
}

/* ---- Read ---- */

static EFI_STATUS ntxefi_read_dir(ntxefi_file *fh, UINTN *size, void *buf)
{
    ntxefi_vol *vol = fh->vol;
    ntxefi_scratch *s = &vol->core->s;
    if (fh->data_err != NTX_OK)
        return ntxefi_status(vol, fh->data_err);
    /* bound: each pass takes one entry from the iterator, whose own step
     * budget (NTX_DIR_FUEL_MAX) ends a walk of a corrupt index */
    for (;;) {
        if (!fh->have_ent) {
            ntx_err rc = ntx_dir_iter_next(&fh->u.d.it, &fh->u.d.ent);
            if (rc == NTX_END) {
                *size = 0;
                return EFI_SUCCESS;
            }
            if (rc != NTX_OK)
                return ntxefi_status(vol, rc);
            /* The root's system files ($MFT ... $Extend) are not listed,
             * as neither Windows nor ntfs-3g lists them. */
            if (fh->is_root && NTX_REF_MFT(fh->u.d.ent.mft_ref) < NTX_MFT_FIRST_USER)
                continue;
            fh->have_ent = TRUE;
        }
        const ntx_dirent *e = &fh->u.d.ent;
        UINTN need = SIZE_OF_EFI_FILE_INFO + ((UINTN)e->name_len + 1u) * sizeof(CHAR16);
        if (*size < need) {
            *size = need; /* the entry stays for the next call */
            return EFI_BUFFER_TOO_SMALL;
        }
        /* Sizes and times from the file's own record (the copies in the
         * index may be stale); from the index if the record cannot be read. */
        ntx_err rc = ntx_file_open(&s->f, &vol->core->ntx, e->mft_ref, 0);
        EFI_STATUS st = ntxefi_file_info(vol, rc == NTX_OK ? &s->f : NULL, e->name, e->name_len, e,
                                        size, buf);
        if (!EFI_ERROR(st))
            fh->have_ent = FALSE;
        return st;
    }
}

static EFI_STATUS ntxefi_read_file(ntxefi_file *fh, UINTN *size, void *buf)
{
    ntxefi_vol *vol = fh->vol;
    if (fh->data_err != NTX_OK)
        return ntxefi_status(vol, fh->data_err);
    UINT64 end = fh->have_stream ? fh->u.s.size : 0;
    if (fh->pos > end)
        return EFI_DEVICE_ERROR;
    UINT64 want = end - fh->pos;
    if (want > *size)
        want = *size;
    UINT8 *p = buf;
    UINTN done = 0;
    ntx_err rc = NTX_OK;
    /* bound: done grows by got >= 1 each pass up to want; got == 0 stops */
    while (done < want) {
        size_t got = 0;
        rc = ntx_stream_read(&fh->u.s, fh->pos + done, p + done, (size_t)(want - done), &got);
        if (rc != NTX_OK || got == 0)
            break;
        done += got;
    }
    fh->pos += done;
    *size = done;
    return rc == NTX_OK ? EFI_SUCCESS : ntxefi_status(vol, rc);
}

static EFI_STATUS EFIAPI ntxefi_read(EFI_FILE_PROTOCOL *this, UINTN *size, void *buf)
{
    ntxefi_file *fh = ntxefi_from(this);
    if (fh == NULL || size == NULL || (buf == NULL && *size != 0))
        return EFI_INVALID_PARAMETER;
    EFI_TPL tpl;
    EFI_STATUS st = ntxefi_enter(fh->vol, fh->epoch, &tpl);
    if (!EFI_ERROR(st))
        st = fh->is_dir ? ntxefi_read_dir(fh, size, buf) : ntxefi_read_file(fh, size, buf);
    ntxefi_leave(fh->vol, tpl);
    return st;
}

/* ---- Write, Flush ---- */

static EFI_STATUS EFIAPI ntxefi_write(EFI_FILE_PROTOCOL *this, UINTN *size, void *buf)
{
    (void)buf;
    ntxefi_file *fh = ntxefi_from(this);
    if (fh == NULL || size == NULL)
        return EFI_INVALID_PARAMETER;
    *size = 0;
    return fh->is_dir ? EFI_UNSUPPORTED : EFI_WRITE_PROTECTED;
}

static EFI_STATUS EFIAPI ntxefi_flush(EFI_FILE_PROTOCOL *this)
{
    ntxefi_file *fh = ntxefi_from(this);
    if (fh == NULL)
        return EFI_INVALID_PARAMETER;
    EFI_TPL tpl;
    EFI_STATUS st = ntxefi_enter(fh->vol, fh->epoch, &tpl);
    ntxefi_leave(fh->vol, tpl);
    return st;
}

/* ---- positions ---- */

static EFI_STATUS EFIAPI ntxefi_get_position(EFI_FILE_PROTOCOL *this, UINT64 *pos)
{
    ntxefi_file *fh = ntxefi_from(this);
    if (fh == NULL || pos == NULL)
        return EFI_INVALID_PARAMETER;
    if (fh->is_dir)
        return EFI_UNSUPPORTED;
    *pos = fh->pos;
    return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI ntxefi_set_position(EFI_FILE_PROTOCOL *this, UINT64 pos)
{
    ntxefi_file *fh = ntxefi_from(this);
    if (fh == NULL)
        return EFI_INVALID_PARAMETER;
    EFI_TPL tpl;
    EFI_STATUS st = ntxefi_enter(fh->vol, fh->epoch, &tpl);
    if (!EFI_ERROR(st)) {
        if (fh->is_dir) {
            /* Only 0: start the listing again. */
            if (pos != 0) {
                st = EFI_UNSUPPORTED;
            } else {
                fh->have_ent = FALSE;
                fh->data_err = ntx_dir_iter_open(&fh->u.d.it, &fh->f,
                                                 NTX_DIR_SKIP_DOS | NTX_DIR_SKIP_SELF);
                st = ntxefi_status(fh->vol, fh->data_err);
            }
        } else if (pos == 0xFFFFFFFFFFFFFFFFull) {
            fh->pos = fh->have_stream ? fh->u.s.size : 0; /* the end of the file */
        } else {
            fh->pos = pos; /* past the end is allowed; a Read there fails */
        }
    }
    ntxefi_leave(fh->vol, tpl);
    return st;
}

/* ---- GetInfo, SetInfo ---- */

static EFI_STATUS EFIAPI ntxefi_get_info(EFI_FILE_PROTOCOL *this, EFI_GUID *type, UINTN *size,
                                        void *buf)
{
    ntxefi_file *fh = ntxefi_from(this);
    if (fh == NULL || type == NULL || size == NULL || (buf == NULL && *size != 0))
        return EFI_INVALID_PARAMETER;
    EFI_TPL tpl;
    EFI_STATUS st = ntxefi_enter(fh->vol, fh->epoch, &tpl);
    if (!EFI_ERROR(st)) {
        if (ntxefi_guid_is(type, &ntxefi_info_guid))
            st = ntxefi_file_info(fh->vol, &fh->f, fh->name, fh->name_len, NULL, size, buf);
        else if (ntxefi_guid_is(type, &ntxefi_fs_info_guid))
            st = ntxefi_fs_info(fh->vol, size, buf);
        else if (ntxefi_guid_is(type, &ntxefi_label_guid))
            st = ntxefi_fs_label(fh->vol, size, buf);
        else
            st = EFI_UNSUPPORTED;
    }
    ntxefi_leave(fh->vol, tpl);
    return st;
}

static EFI_STATUS EFIAPI ntxefi_set_info(EFI_FILE_PROTOCOL *this, EFI_GUID *type, UINTN size,
                                        void *buf)
{
    (void)size;
    ntxefi_file *fh = ntxefi_from(this);
    if (fh == NULL || type == NULL || buf == NULL)
        return EFI_INVALID_PARAMETER;
    if (ntxefi_guid_is(type, &ntxefi_info_guid) || ntxefi_guid_is(type, &ntxefi_fs_info_guid) ||
        ntxefi_guid_is(type, &ntxefi_label_guid))
        return EFI_WRITE_PROTECTED;
    return EFI_UNSUPPORTED;
}

/* ---- revision 2: the same operations, completed before they return ---- */

static EFI_STATUS ntxefi_complete(EFI_FILE_IO_TOKEN *token, EFI_STATUS st)
{
    token->Status = st;
    if (token->Event == NULL)
        return st;
    ntxefi_bs->SignalEvent(token->Event);
    return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI ntxefi_open_ex(EFI_FILE_PROTOCOL *this, EFI_FILE_PROTOCOL **new_handle,
                                       CHAR16 *path, UINT64 mode, UINT64 attributes,
                                       EFI_FILE_IO_TOKEN *token)
{
    if (token == NULL)
        return EFI_INVALID_PARAMETER;
    return ntxefi_complete(token, ntxefi_open(this, new_handle, path, mode, attributes));
}

static EFI_STATUS EFIAPI ntxefi_read_ex(EFI_FILE_PROTOCOL *this, EFI_FILE_IO_TOKEN *token)
{
    if (token == NULL)
        return EFI_INVALID_PARAMETER;
    return ntxefi_complete(token, ntxefi_read(this, &token->BufferSize, token->Buffer));
}

static EFI_STATUS EFIAPI ntxefi_write_ex(EFI_FILE_PROTOCOL *this, EFI_FILE_IO_TOKEN *token)
{
    if (token == NULL)
        return EFI_INVALID_PARAMETER;
    return ntxefi_complete(token, ntxefi_write(this, &token->BufferSize, token->Buffer));
}

static EFI_STATUS EFIAPI ntxefi_flush_ex(EFI_FILE_PROTOCOL *this, EFI_FILE_IO_TOKEN *token)
{
    if (token == NULL)
        return EFI_INVALID_PARAMETER;
    return ntxefi_complete(token, ntxefi_flush(this));
}

static const EFI_FILE_PROTOCOL ntxefi_file_template = {
    EFI_FILE_PROTOCOL_REVISION2,
    ntxefi_open,
    ntxefi_close,
    ntxefi_delete,
    ntxefi_read,
    ntxefi_write,
    ntxefi_get_position,
    ntxefi_set_position,
    ntxefi_get_info,
    ntxefi_set_info,
    ntxefi_flush,
    ntxefi_open_ex,
    ntxefi_read_ex,
    ntxefi_write_ex,
    ntxefi_flush_ex,
};
