/*
 * sfscheck.c - the test application: it uses only the firmware's Simple
 * File System and File protocols (never ntx), so what it prints is what
 * any UEFI program reading an NTFS volume through the driver sees. The
 * test scripts compare its lines with the fixtures' manifests (made by
 * ntfs-3g) and with values the UEFI specification fixes.
 *
 *   ntxefi-check.efi walk LABEL          every directory and file, with SHA-256
 *   ntxefi-check.efi walkall             every file system but the ESP, with a
 *                                       budget (the hostile disks)
 *   ntxefi-check.efi checks LABEL FILE SIZE VOLUME_BYTES FREE_BYTES
 *                                       the protocol's answers, one PASS/FAIL line each
 *   ntxefi-check.efi names LABEL         the component names of the driver and of
 *                                       LABEL's controller
 *   ntxefi-check.efi memory LABEL FILE   pool memory of a mount, leaks over cycles
 *   ntxefi-check.efi bench LABEL PATH FATLABEL FATPATH
 *                                       read time, NTFS (this driver) against FAT
 *                                       (the firmware's own driver), same bytes
 *   ntxefi-check.efi media LABEL FILE LABEL2
 *                                       read LABEL's FILE, wait for a key (the
 *                                       test changes the medium meanwhile), then
 *                                       the old handles must fail, LABEL be
 *                                       gone and LABEL2's FILE read
 *   ntxefi-check.efi pause TAG           print "NTXEFI-PAUSE TAG", wait for a key
 *   ntxefi-check.efi gone LABEL          no file system is labelled LABEL
 *
 * Lines (paths '/'-separated from the root, escaped as app_putw() says):
 *   W LABEL (a walk starts) | D PATH | F SIZE SHA256|big PATH | E STATUS PATH | T ... | PASS NAME |
 *   FAIL NAME ... | M ... | B ... | O|N SIZE SHA256 PATH (media: the old and the new medium's file)
 */
#include "app.h"

#define WALK_MAX_DEPTH 64u
#define WALK_HASH_MAX (16u * 1024u * 1024u) /* larger files: size only */
#define PATH_CAP 4096u
#define IO_BUF (64u * 1024u)

static EFI_GUID info_guid = EFI_FILE_INFO_ID;
static EFI_GUID fs_info_guid = EFI_FILE_SYSTEM_INFO_ID;
static EFI_GUID label_guid = EFI_FILE_SYSTEM_VOLUME_LABEL_ID;

static UINT8 *io_buf;
static CHAR16 path[PATH_CAP];
static UINT64 tsc_per_ms = 1;
static int failures;

/* ---- time ---- */

static UINT64 rdtsc(void)
{
    UINT32 lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (UINT64)hi << 32 | lo;
}

static void calibrate(void)
{
    UINT64 t0 = rdtsc();
    app_bs->Stall(20000);
    UINT64 d = rdtsc() - t0;
    tsc_per_ms = d / 20u != 0 ? d / 20u : 1;
}

static UINT64 ms_since(UINT64 t0)
{
    return (rdtsc() - t0) / tsc_per_ms;
}

/* ---- small helpers ---- */

static UINTN wlen(const CHAR16 *s)
{
    UINTN n = 0;
    while (s[n] != 0)
        n++;
    return n;
}

static void w_to_ascii(const CHAR16 *w, char *a, UINTN cap)
{
    UINTN i = 0;
    for (; w[i] != 0 && i + 1 < cap; i++)
        a[i] = w[i] < 0x80 ? (char)w[i] : '?';
    a[i] = '\0';
}

static UINT64 w_to_u64(const CHAR16 *w)
{
    UINT64 v = 0;
    for (; *w >= u'0' && *w <= u'9'; w++)
        v = v * 10u + (UINT64)(*w - u'0');
    return v;
}

/* "/a/b" (manifest form) as "\a\b" (UEFI form) */
static void to_uefi_path(const CHAR16 *in, CHAR16 *out, UINTN cap)
{
    UINTN i = 0;
    for (; in[i] != 0 && i + 1 < cap; i++)
        out[i] = in[i] == u'/' ? u'\\' : in[i];
    out[i] = 0;
}

/* The volume labelled `label`, waited for up to 5 s: a USB disk may still be
 * enumerating (the bus driver connects it from a timer) on a loaded host. */
static EFI_FILE_HANDLE open_root(const char *label, EFI_HANDLE *handle)
{
    EFI_FILE_IO_INTERFACE *sfs = app_find_fs(label, handle);
    for (int tries = 0; sfs == NULL && tries < 20; tries++) {
        app_bs->Stall(250000);
        sfs = app_find_fs(label, handle);
    }
    EFI_FILE_HANDLE root = NULL;
    if (sfs == NULL || EFI_ERROR(sfs->OpenVolume(sfs, &root))) {
        app_puts("FAIL no-volume ");
        app_puts(label);
        app_puts("\n");
        failures++;
        return NULL;
    }
    return root;
}

/* Read a whole open file; its SHA-256 into hex unless it is larger than
 * WALK_HASH_MAX. Read sizes vary so that every alignment is used. */
static EFI_STATUS read_all(EFI_FILE_HANDLE f, UINT64 *total, char hex[65], BOOLEAN hash)
{
    static const UINTN sizes[] = { 1, 4095, IO_BUF, 512, 30000, 4096 };
    app_sha256 sha;
    app_sha256_init(&sha);
    *total = 0;
    for (UINTN k = 0;; k++) {
        UINTN n = sizes[k % (sizeof sizes / sizeof sizes[0])];
        EFI_STATUS st = f->Read(f, &n, io_buf);
        if (EFI_ERROR(st))
            return st;
        if (n == 0)
            break;
        if (hash)
            app_sha256_update(&sha, io_buf, n);
        *total += n;
    }
    app_sha256_hex(&sha, hex);
    return EFI_SUCCESS;
}

/* One directory entry into a pool buffer, the first call deliberately too
 * small: the driver must answer EFI_BUFFER_TOO_SMALL with the size and keep
 * the entry for the retry (a lost entry shows as a missing manifest row). */
static EFI_STATUS read_entry(EFI_FILE_HANDLE dir, EFI_FILE_INFO **out)
{
    UINTN size = SIZE_OF_EFI_FILE_INFO + 2u * sizeof(CHAR16);
    EFI_FILE_INFO *info = NULL;
    *out = NULL;
    if (EFI_ERROR(app_bs->AllocatePool(EfiBootServicesData, size, (void **)&info)))
        return EFI_OUT_OF_RESOURCES;
    EFI_STATUS st = dir->Read(dir, &size, info);
    if (st == EFI_BUFFER_TOO_SMALL) {
        app_bs->FreePool(info);
        if (EFI_ERROR(app_bs->AllocatePool(EfiBootServicesData, size, (void **)&info)))
            return EFI_OUT_OF_RESOURCES;
        st = dir->Read(dir, &size, info);
    }
    if (EFI_ERROR(st) || size == 0) {
        app_bs->FreePool(info);
        return st;
    }
    *out = info;
    return EFI_SUCCESS;
}

/* ---- walk ---- */

typedef struct walk_stats {
    UINT64 dirs, files, bytes, errors, entries;
    UINT64 max_entries, max_bytes; /* budgets (0: none) */
    BOOLEAN quiet;
} walk_stats;

static void walk_line(const char *kind, const walk_stats *ws)
{
    if (ws->quiet)
        return;
    app_puts(kind);
    app_putw(path[0] != 0 ? path : u"/");
    app_puts("\n");
}

static void walk_dir(EFI_FILE_HANDLE dir, UINTN plen, UINTN depth, walk_stats *ws)
{
    /* bound: depth <= WALK_MAX_DEPTH; entries counted against the budget */
    for (;;) {
        if (ws->max_entries != 0 && ws->entries >= ws->max_entries)
            return;
        EFI_FILE_INFO *info = NULL;
        EFI_STATUS st = read_entry(dir, &info);
        if (EFI_ERROR(st)) {
            ws->errors++;
            if (!ws->quiet) {
                app_puts("E ");
                app_status(st);
                app_puts(" ");
                app_putw(path[0] != 0 ? path : u"/");
                app_puts("\n");
            }
            return;
        }
        if (info == NULL)
            return;
        ws->entries++;
        UINTN n = wlen(info->FileName);
        if ((n == 1 && info->FileName[0] == u'.') ||
            (n == 2 && info->FileName[0] == u'.' && info->FileName[1] == u'.') ||
            plen + 1 + n + 1 >= PATH_CAP) {
            app_bs->FreePool(info);
            continue;
        }
        path[plen] = u'/';
        for (UINTN i = 0; i < n; i++)
            path[plen + 1 + i] = info->FileName[i];
        path[plen + 1 + n] = 0;
        EFI_FILE_HANDLE child = NULL;
        st = dir->Open(dir, &child, info->FileName, EFI_FILE_MODE_READ, 0);
        if (EFI_ERROR(st)) {
            ws->errors++;
            if (!ws->quiet) {
                app_puts("E ");
                app_status(st);
                app_puts(" ");
                app_putw(path);
                app_puts("\n");
            }
        } else if (info->Attribute & EFI_FILE_DIRECTORY) {
            ws->dirs++;
            walk_line("D ", ws);
            if (depth + 1 < WALK_MAX_DEPTH)
                walk_dir(child, plen + 1 + n, depth + 1, ws);
            child->Close(child);
        } else {
            ws->files++;
            BOOLEAN hash = info->FileSize <= WALK_HASH_MAX &&
                           (ws->max_bytes == 0 || ws->bytes + info->FileSize <= ws->max_bytes);
            UINT64 total = 0;
            char hex[65];
            /* a quiet walk (walkall) reads without hashing: the hostile
             * volumes have no oracle, only the driver's answers count */
            st = hash ? read_all(child, &total, hex, !ws->quiet) : EFI_SUCCESS;
            if (EFI_ERROR(st)) {
                ws->errors++;
                if (!ws->quiet) {
                    app_puts("E ");
                    app_status(st);
                    app_puts(" ");
                    app_putw(path);
                    app_puts("\n");
                }
            } else if (!ws->quiet) {
                ws->bytes += total;
                app_puts("F ");
                app_putu(hash ? total : info->FileSize);
                app_puts(" ");
                app_puts(hash ? hex : "big");
                app_puts(" ");
                app_putw(path);
                app_puts("\n");
            } else {
                ws->bytes += total;
            }
            child->Close(child);
        }
        path[plen] = 0;
        app_bs->FreePool(info);
    }
}

static void cmd_walk(const char *label)
{
    EFI_FILE_HANDLE root = open_root(label, NULL);
    if (root == NULL)
        return;
    walk_stats ws = { 0 };
    path[0] = 0;
    app_puts("W ");
    app_puts(label);
    app_puts("\n");
    app_puts("D /\n");
    UINT64 t0 = rdtsc();
    walk_dir(root, 0, 0, &ws);
    UINT64 ms = ms_since(t0);
    root->Close(root);
    app_puts("T walk ");
    app_puts(label);
    app_puts(" dirs=");
    app_putu(ws.dirs);
    app_puts(" files=");
    app_putu(ws.files);
    app_puts(" bytes=");
    app_putu(ws.bytes);
    app_puts(" ms=");
    app_putu(ms);
    app_puts("\n");
    /* a listing without reading: the time to list the whole tree */
    root = open_root(label, NULL);
    if (root == NULL)
        return;
    walk_stats ls = { 0 };
    ls.quiet = TRUE;
    ls.max_bytes = 1; /* read nothing */
    t0 = rdtsc();
    walk_dir(root, 0, 0, &ls);
    ms = ms_since(t0);
    root->Close(root);
    app_puts("T list ");
    app_puts(label);
    app_puts(" entries=");
    app_putu(ls.entries);
    app_puts(" ms=");
    app_putu(ms);
    app_puts("\n");
}

/* Every file system but the ESP, each within a budget: entries, bytes. */
static void cmd_walkall(void)
{
    EFI_GUID sfs_guid = SIMPLE_FILE_SYSTEM_PROTOCOL;
    UINTN count = 0;
    EFI_HANDLE *handles = NULL;
    if (EFI_ERROR(app_bs->LocateHandleBuffer(ByProtocol, &sfs_guid, NULL, &count, &handles)))
        return;
    for (UINTN i = 0; i < count; i++) {
        EFI_FILE_IO_INTERFACE *sfs = NULL;
        EFI_FILE_HANDLE root = NULL;
        app_puts("V ");
        app_putu(i);
        if (EFI_ERROR(app_bs->HandleProtocol(handles[i], &sfs_guid, (void **)&sfs))) {
            app_puts(" gone\n");
            continue;
        }
        EFI_STATUS st = sfs->OpenVolume(sfs, &root);
        if (EFI_ERROR(st)) {
            app_puts(" open=");
            app_status(st);
            app_puts("\n");
            continue;
        }
        EFI_FILE_SYSTEM_INFO *fsi = app_get_info(root, &fs_info_guid, &st);
        if (fsi != NULL && app_wstr_eq_ascii(fsi->VolumeLabel, "ESP")) {
            app_puts(" esp\n");
            app_bs->FreePool(fsi);
            root->Close(root);
            continue;
        }
        app_puts(" label=");
        if (fsi != NULL) {
            app_putw(fsi->VolumeLabel);
            app_bs->FreePool(fsi);
        } else {
            app_status(st);
        }
        walk_stats ws = { 0 };
        ws.quiet = TRUE;
        ws.max_entries = 1000;
        ws.max_bytes = 256u * 1024u;
        path[0] = 0;
        UINT64 t0 = rdtsc();
        walk_dir(root, 0, 0, &ws);
        UINT64 ms = ms_since(t0);
        root->Close(root);
        app_puts(" dirs=");
        app_putu(ws.dirs);
        app_puts(" files=");
        app_putu(ws.files);
        app_puts(" bytes=");
        app_putu(ws.bytes);
        app_puts(" errors=");
        app_putu(ws.errors);
        app_puts(" ms=");
        app_putu(ms);
        app_puts("\n");
    }
    app_bs->FreePool(handles);
}

/* ---- checks ---- */

static void check(const char *name, BOOLEAN ok, EFI_STATUS st)
{
    app_puts(ok ? "PASS " : "FAIL ");
    app_puts(name);
    if (!ok) {
        app_puts(" status=");
        app_status(st);
        failures++;
    }
    app_puts("\n");
}

static void check_is(const char *name, EFI_STATUS got, EFI_STATUS want)
{
    check(name, got == want, got);
}

static UINT64 file_size(EFI_FILE_HANDLE f, CHAR16 *name_out, UINTN cap)
{
    EFI_STATUS st;
    EFI_FILE_INFO *info = app_get_info(f, &info_guid, &st);
    if (info == NULL)
        return ~0ull;
    UINT64 size = info->FileSize;
    if (name_out != NULL) {
        UINTN i = 0;
        for (; info->FileName[i] != 0 && i + 1 < cap; i++)
            name_out[i] = info->FileName[i];
        name_out[i] = 0;
    }
    app_bs->FreePool(info);
    return size;
}

static void cmd_checks(const char *label, const CHAR16 *file_m, UINT64 size, UINT64 volume_bytes,
                       UINT64 free_bytes)
{
    EFI_FILE_HANDLE root = open_root(label, NULL);
    if (root == NULL)
        return;
    CHAR16 file[512], upper[512], name[300], dotted[600];
    to_uefi_path(file_m, file, 512);
    UINTN n = wlen(file);
    for (UINTN i = 0; i <= n; i++)
        upper[i] = (file[i] >= u'a' && file[i] <= u'z') ? (CHAR16)(file[i] - 32) : file[i];
    const CHAR16 *base = file;
    for (UINTN i = 0; i < n; i++)
        if (file[i] == u'\\')
            base = file + i + 1;
    EFI_FILE_HANDLE f = NULL, g = NULL, d = NULL;
    EFI_STATUS st;

    /* Open: modes (UEFI spec: read, read/write, create/read/write are the
     * valid combinations; writing on read-only media is write-protected) */
    st = root->Open(root, &g, file, EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE, 0);
    check_is("open-read-write", st, EFI_WRITE_PROTECTED);
    st = root->Open(root, &g, u"\\ntx-new-file.txt",
                    EFI_FILE_MODE_CREATE | EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE, 0);
    check_is("open-create", st, EFI_WRITE_PROTECTED);
    st = root->Open(root, &g, file, EFI_FILE_MODE_WRITE, 0);
    check_is("open-bad-mode", st, EFI_INVALID_PARAMETER);
    st = root->Open(root, &g, u"\\no such file here", EFI_FILE_MODE_READ, 0);
    check_is("open-missing", st, EFI_NOT_FOUND);

    st = root->Open(root, &f, file, EFI_FILE_MODE_READ, 0);
    check_is("open-read", st, EFI_SUCCESS);
    if (EFI_ERROR(st))
        return;
    check("file-size", file_size(f, name, 300) == size, EFI_SUCCESS);
    BOOLEAN same = TRUE;
    for (UINTN i = 0; base[i] != 0 || name[i] != 0; i++)
        if (base[i] != name[i])
            same = FALSE;
    check("file-info-name", same, EFI_SUCCESS);

    /* names compare as Windows does: case-insensitively */
    st = root->Open(root, &g, upper, EFI_FILE_MODE_READ, 0);
    check("open-upper-case", !EFI_ERROR(st) && file_size(g, NULL, 0) == size, st);
    if (!EFI_ERROR(st))
        g->Close(g);

    /* "." and ".." and empty components */
    {
        UINTN k = 0;
        const CHAR16 *pre = u"\\.\\\\";
        for (UINTN i = 0; pre[i] != 0; i++)
            dotted[k++] = pre[i];
        for (UINTN i = 1; file[i] != 0; i++) { /* each '\' becomes "\x\..\" */
            dotted[k++] = file[i];
            if (file[i] == u'\\' && k + 8 < 590) {
                const CHAR16 *mid = u".\\";
                for (UINTN j = 0; mid[j] != 0; j++)
                    dotted[k++] = mid[j];
            }
        }
        dotted[k] = 0;
    }
    st = root->Open(root, &g, dotted, EFI_FILE_MODE_READ, 0);
    check("open-dot-components", !EFI_ERROR(st) && file_size(g, NULL, 0) == size, st);
    if (!EFI_ERROR(st))
        g->Close(g);
    st = root->Open(root, &g, u"..", EFI_FILE_MODE_READ, 0);
    if (!EFI_ERROR(st)) {
        CHAR16 rn[8] = { 1 };
        file_size(g, rn, 8);
        check("open-root-dotdot", rn[0] == 0, st);
        g->Close(g);
    } else {
        check("open-root-dotdot", FALSE, st);
    }
    if (base != file + 1) { /* the file is in a directory: open it, then "..\" */
        CHAR16 dpath[512];
        UINTN dl = (UINTN)(base - file) - 1;
        for (UINTN i = 0; i < dl; i++)
            dpath[i] = file[i];
        dpath[dl] = 0;
        st = root->Open(root, &d, dpath, EFI_FILE_MODE_READ, 0);
        check_is("open-dir", st, EFI_SUCCESS);
        if (!EFI_ERROR(st)) {
            CHAR16 rel[600];
            UINTN k = 0;
            /* ..\<dirname>\<base>: up and down again, relative to the directory */
            const CHAR16 *dname = dpath;
            for (UINTN i = 0; dpath[i] != 0; i++)
                if (dpath[i] == u'\\')
                    dname = dpath + i + 1;
            rel[k++] = u'.';
            rel[k++] = u'.';
            rel[k++] = u'\\';
            for (UINTN i = 0; dname[i] != 0; i++)
                rel[k++] = dname[i];
            rel[k++] = u'\\';
            for (UINTN i = 0; base[i] != 0; i++)
                rel[k++] = base[i];
            rel[k] = 0;
            st = d->Open(d, &g, rel, EFI_FILE_MODE_READ, 0);
            check("open-relative-dotdot", !EFI_ERROR(st) && file_size(g, NULL, 0) == size, st);
            if (!EFI_ERROR(st))
                g->Close(g);
            st = d->Open(d, &g, u"..", EFI_FILE_MODE_READ, 0);
            if (!EFI_ERROR(st)) {
                /* the parent's name is its own, not ".." */
                CHAR16 pn[300];
                file_size(g, pn, 300);
                BOOLEAN ok = !(pn[0] == u'.' && pn[1] == u'.');
                check("dotdot-has-real-name", ok, st);
                g->Close(g);
            } else {
                check("dotdot-has-real-name", FALSE, st);
            }
        }
    }
    st = f->Open(f, &g, u"x", EFI_FILE_MODE_READ, 0);
    check_is("open-below-a-file", st, EFI_NOT_FOUND);

    /* positions (spec: 0xFFFFFFFFFFFFFFFF is the end of the file) */
    UINT64 pos = 1;
    st = f->SetPosition(f, 0xFFFFFFFFFFFFFFFFull);
    check("set-position-end", !EFI_ERROR(st) && !EFI_ERROR(f->GetPosition(f, &pos)) && pos == size,
          st);
    UINTN len = 16;
    st = f->Read(f, &len, io_buf);
    check("read-at-end", st == EFI_SUCCESS && len == 0, st);
    f->SetPosition(f, size + 10);
    len = 16;
    st = f->Read(f, &len, io_buf);
    check_is("read-past-end", st, EFI_DEVICE_ERROR);
    f->SetPosition(f, 0);
    UINT64 total = 0;
    char hex[65];
    st = read_all(f, &total, hex, TRUE);
    check("read-whole", !EFI_ERROR(st) && total == size, st);

    /* ReadEx, completed at once without an event */
    f->SetPosition(f, 0);
    EFI_FILE_IO_TOKEN tok = { NULL, EFI_NOT_READY, 7, io_buf };
    st = f->ReadEx(f, &tok);
    check("read-ex", st == EFI_SUCCESS && tok.Status == EFI_SUCCESS &&
                         tok.BufferSize == (size < 7 ? size : 7), st);

    /* GetInfo: too small, then the size asked for */
    UINTN isz = 0;
    st = f->GetInfo(f, &info_guid, &isz, NULL);
    check("info-too-small", st == EFI_BUFFER_TOO_SMALL &&
                                isz == SIZE_OF_EFI_FILE_INFO + (wlen(base) + 1) * sizeof(CHAR16),
          st);
    EFI_GUID bogus = { 0x12345678, 0x1234, 0x5678, { 1, 2, 3, 4, 5, 6, 7, 8 } };
    isz = 512;
    check_is("info-unknown-type", f->GetInfo(f, &bogus, &isz, io_buf), EFI_UNSUPPORTED);

    /* refused changes (spec: write-protected media) */
    len = 4;
    check_is("write-file", f->Write(f, &len, io_buf), EFI_WRITE_PROTECTED);
    isz = 512;
    f->GetInfo(f, &info_guid, &isz, io_buf);
    check_is("set-info-file", f->SetInfo(f, &info_guid, isz, io_buf), EFI_WRITE_PROTECTED);
    check_is("set-info-unknown", f->SetInfo(f, &bogus, isz, io_buf), EFI_UNSUPPORTED);
    check_is("flush", f->Flush(f), EFI_SUCCESS);
    check_is("delete", f->Delete(f), EFI_WARN_DELETE_FAILURE);
    st = root->Open(root, &f, file, EFI_FILE_MODE_READ, 0);
    check_is("still-there-after-delete", st, EFI_SUCCESS);
    if (!EFI_ERROR(st))
        f->Close(f);

    /* directories */
    len = 4;
    check_is("write-dir", root->Write(root, &len, io_buf), EFI_UNSUPPORTED);
    check_is("get-position-dir", root->GetPosition(root, &pos), EFI_UNSUPPORTED);
    check_is("set-position-dir-nonzero", root->SetPosition(root, 5), EFI_UNSUPPORTED);
    root->SetPosition(root, 0);
    UINTN need1 = 0, need2 = 0;
    st = root->Read(root, &need1, NULL);
    root->Read(root, &need2, NULL);
    check("dir-read-too-small-keeps-entry", st == EFI_BUFFER_TOO_SMALL && need1 == need2 &&
                                                need1 > SIZE_OF_EFI_FILE_INFO, st);
    EFI_FILE_INFO *first = NULL, *again = NULL;
    read_entry(root, &first);
    root->SetPosition(root, 0);
    read_entry(root, &again);
    same = first != NULL && again != NULL && wlen(first->FileName) == wlen(again->FileName);
    for (UINTN i = 0; same && first->FileName[i] != 0; i++)
        same = first->FileName[i] == again->FileName[i];
    check("dir-rewind", same, EFI_SUCCESS);
    if (first != NULL)
        app_bs->FreePool(first);
    if (again != NULL)
        app_bs->FreePool(again);

    /* the file system: EFI_FILE_SYSTEM_INFO and the label */
    EFI_FILE_SYSTEM_INFO *fsi = app_get_info(root, &fs_info_guid, &st);
    if (fsi != NULL) {
        check("fs-read-only", fsi->ReadOnly, st);
        check("fs-label", app_wstr_eq_ascii(fsi->VolumeLabel, label), st);
        check("fs-volume-size", fsi->VolumeSize == volume_bytes, st);
        check("fs-free-space", fsi->FreeSpace == free_bytes, st);
        app_puts("M fs volume=");
        app_putu(fsi->VolumeSize);
        app_puts(" free=");
        app_putu(fsi->FreeSpace);
        app_puts(" block=");
        app_putu(fsi->BlockSize);
        app_puts("\n");
        app_bs->FreePool(fsi);
    } else {
        check("fs-info", FALSE, st);
    }
    EFI_FILE_SYSTEM_VOLUME_LABEL *vl = app_get_info(root, &label_guid, &st);
    check("fs-volume-label", vl != NULL && app_wstr_eq_ascii(vl->VolumeLabel, label), st);
    if (vl != NULL)
        app_bs->FreePool(vl);
    isz = 512;
    check_is("set-info-label", root->SetInfo(root, &label_guid, isz, io_buf), EFI_WRITE_PROTECTED);
    root->Close(root);
}

/* ---- component names ---- */

/* EFI_COMPONENT_NAME2_PROTOCOL: the driver that manages LABEL's handle
 * names itself in "en" and the controller "NTFS volume"; another language
 * is EFI_UNSUPPORTED (UEFI specification, GetDriverName()). */
static void cmd_names(const char *label)
{
    EFI_GUID name2_guid = EFI_COMPONENT_NAME2_PROTOCOL_GUID;
    EFI_HANDLE volume = NULL;
    if (app_find_fs(label, &volume) == NULL) {
        check("names-volume", FALSE, EFI_NOT_FOUND);
        return;
    }
    UINTN count = 0;
    EFI_HANDLE *handles = NULL;
    BOOLEAN found = FALSE;
    if (EFI_ERROR(app_bs->LocateHandleBuffer(ByProtocol, &name2_guid, NULL, &count, &handles)))
        count = 0;
    for (UINTN i = 0; i < count && !found; i++) {
        EFI_COMPONENT_NAME2_PROTOCOL *cn = NULL;
        CHAR16 *name = NULL, *ctl = NULL;
        if (EFI_ERROR(app_bs->HandleProtocol(handles[i], &name2_guid, (void **)&cn)) ||
            EFI_ERROR(cn->GetDriverName(cn, (CHAR8 *)"en", &name)) || name == NULL ||
            !(name[0] == u'n' && name[1] == u't' && name[2] == u'x' && name[3] == u' '))
            continue;
        found = TRUE;
        app_puts("M driver-name ");
        app_putw(name);
        app_puts("\n");
        check("names-languages", cn->SupportedLanguages != NULL &&
                                     cn->SupportedLanguages[0] == 'e' &&
                                     cn->SupportedLanguages[1] == 'n', EFI_SUCCESS);
        check_is("names-other-language", cn->GetDriverName(cn, (CHAR8 *)"fr", &name),
                 EFI_UNSUPPORTED);
        EFI_STATUS st = cn->GetControllerName(cn, volume, NULL, (CHAR8 *)"en", &ctl);
        check("names-controller", !EFI_ERROR(st) && ctl != NULL && ctl[0] == u'N' &&
                                      ctl[1] == u'T' && ctl[2] == u'F' && ctl[3] == u'S', st);
        check_is("names-controller-child", cn->GetControllerName(cn, volume, volume,
                                                                 (CHAR8 *)"en", &ctl),
                 EFI_UNSUPPORTED);
    }
    check("names-driver", found, EFI_NOT_FOUND);
    if (handles != NULL)
        app_bs->FreePool(handles);
}

/* ---- memory ---- */

static UINT8 *map_buf;
#define MAP_CAP (64u * 1024u)

static UINT64 free_pages(void)
{
    UINTN size = MAP_CAP, key, desc_size;
    UINT32 ver;
    if (EFI_ERROR(app_bs->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)map_buf, &key, &desc_size,
                                       &ver)))
        return 0;
    UINT64 pages = 0;
    for (UINTN off = 0; off + desc_size <= size; off += desc_size) {
        EFI_MEMORY_DESCRIPTOR *d = (EFI_MEMORY_DESCRIPTOR *)(map_buf + off);
        if (d->Type == EfiConventionalMemory)
            pages += d->NumberOfPages;
    }
    return pages;
}

static void churn(const char *label, const CHAR16 *file)
{
    EFI_FILE_HANDLE root = open_root(label, NULL);
    if (root == NULL)
        return;
    for (int i = 0; i < 200; i++) {
        EFI_FILE_HANDLE f = NULL;
        if (!EFI_ERROR(root->Open(root, &f, (CHAR16 *)file, EFI_FILE_MODE_READ, 0))) {
            UINTN len = 4096;
            f->Read(f, &len, io_buf);
            f->Close(f);
        }
        EFI_FILE_INFO *info = NULL;
        root->SetPosition(root, 0);
        while (!EFI_ERROR(read_entry(root, &info)) && info != NULL)
            app_bs->FreePool(info);
    }
    root->Close(root);
}

/* The bound on open handles (README.md, "Memory"): a volume gives out 4,096
 * (its root counts) and then answers EFI_OUT_OF_RESOURCES; all are closed
 * again, and the leak count after this covers them. */
#define HANDLE_LIMIT 4096u
static void handle_limit(const char *label, const CHAR16 *file)
{
    EFI_FILE_HANDLE *hs = NULL;
    UINTN cap = HANDLE_LIMIT + 8u;
    if (EFI_ERROR(app_bs->AllocatePool(EfiBootServicesData, cap * sizeof *hs, (void **)&hs)))
        return;
    EFI_FILE_HANDLE root = open_root(label, NULL);
    if (root == NULL) {
        app_bs->FreePool(hs);
        return;
    }
    UINTN n = 0;
    EFI_STATUS st = EFI_SUCCESS;
    while (n < cap && !EFI_ERROR((st = root->Open(root, &hs[n], (CHAR16 *)file, EFI_FILE_MODE_READ, 0))))
        n++;
    app_puts("M handles open=");
    app_putu(n + 1u);
    app_puts(" then ");
    app_status(st);
    app_puts("\n");
    check("handle-limit", n + 1u == HANDLE_LIMIT && st == EFI_OUT_OF_RESOURCES, st);
    for (UINTN i = 0; i < n; i++)
        hs[i]->Close(hs[i]);
    st = root->Open(root, &hs[0], (CHAR16 *)file, EFI_FILE_MODE_READ, 0);
    check_is("handle-after-limit", st, EFI_SUCCESS);
    if (!EFI_ERROR(st))
        hs[0]->Close(hs[0]);
    root->Close(root);
    app_bs->FreePool(hs);
}

static void cmd_memory(const char *label, const CHAR16 *file_m)
{
    CHAR16 file[512];
    to_uefi_path(file_m, file, 512);
    if (EFI_ERROR(app_bs->AllocatePool(EfiBootServicesData, MAP_CAP, (void **)&map_buf)))
        return;
    EFI_HANDLE h = NULL;
    EFI_FILE_HANDLE root = open_root(label, &h);
    if (root == NULL)
        return;
    EFI_FILE_HANDLE f = NULL;
    EFI_STATUS st = root->Open(root, &f, file, EFI_FILE_MODE_READ, 0);
    root->Close(root);
    if (EFI_ERROR(st)) {
        check("memory-open", FALSE, st);
        return;
    }
    /* Stop with a handle open: the handle answers EFI_NO_MEDIA, Close frees it */
    UINT64 mounted = free_pages();
    st = app_bs->DisconnectController(h, NULL, NULL);
    check_is("stop-with-open-handle", st, EFI_SUCCESS);
    UINT64 stopped = free_pages();
    UINTN len = 16;
    check_is("read-after-stop", f->Read(f, &len, io_buf), EFI_NO_MEDIA);
    f->Close(f);
    app_puts("M mount pages=");
    app_putu(stopped - mounted);
    app_puts(" bytes=");
    app_putu((stopped - mounted) * 4096u);
    app_puts("\n");
    st = app_bs->ConnectController(h, NULL, NULL, TRUE);
    check_is("start-again", st, EFI_SUCCESS);

    /* cycles of Stop/Start and of open/read/close/list: no memory kept */
    churn(label, file);
    UINT64 before = free_pages();
    for (int i = 0; i < 20; i++) {
        app_bs->DisconnectController(h, NULL, NULL);
        app_bs->ConnectController(h, NULL, NULL, TRUE);
    }
    handle_limit(label, file);
    churn(label, file);
    UINT64 after = free_pages();
    INT64 lost = (INT64)before - (INT64)after;
    app_puts("M leak pages=");
    app_putu(lost > 0 ? (UINT64)lost : 0);
    app_puts(" over 20 stop/start and 200 open/read/close/list\n");
    check("no-leak", lost <= 4, EFI_SUCCESS);
}

/* ---- bench ---- */

/* The time to open FILE and read it whole in 64 KiB calls: the first run
 * (the drivers' caches cold) into *first, the best of 3 returned. */
static UINT64 time_read(const char *label, const CHAR16 *file_m, char hex[65], UINT64 *bytes,
                        UINT64 *first)
{
    CHAR16 file[512];
    to_uefi_path(file_m, file, 512);
    EFI_FILE_HANDLE root = open_root(label, NULL);
    *first = 0;
    if (root == NULL)
        return 0;
    UINT64 best = ~0ull;
    for (int r = 0; r < 3; r++) {
        EFI_FILE_HANDLE f = NULL;
        UINT64 t0 = rdtsc();
        if (EFI_ERROR(root->Open(root, &f, file, EFI_FILE_MODE_READ, 0)))
            break;
        /* 64 KiB reads, hashed after timing */
        UINT64 total = 0;
        for (;;) {
            UINTN n = IO_BUF;
            if (EFI_ERROR(f->Read(f, &n, io_buf)) || n == 0)
                break;
            total += n;
        }
        UINT64 us = (rdtsc() - t0) * 1000u / tsc_per_ms;
        f->SetPosition(f, 0);
        read_all(f, bytes, hex, TRUE);
        f->Close(f);
        if (r == 0)
            *first = us;
        if (us < best)
            best = us;
    }
    root->Close(root);
    return best;
}

static void cmd_bench(const char *label, const CHAR16 *path_n, const char *fat_label,
                      const CHAR16 *path_f)
{
    char hex_n[65] = "", hex_f[65] = "";
    UINT64 bytes_n = 0, bytes_f = 0, first_n = 0, first_f = 0;
    UINT64 us_n = time_read(label, path_n, hex_n, &bytes_n, &first_n);
    UINT64 us_f = time_read(fat_label, path_f, hex_f, &bytes_f, &first_f);
    app_puts("B read bytes=");
    app_putu(bytes_n);
    app_puts(" ntfs_us=");
    app_putu(us_n);
    app_puts(" fat_us=");
    app_putu(us_f);
    app_puts(" ntfs_first_us=");
    app_putu(first_n);
    app_puts(" fat_first_us=");
    app_putu(first_f);
    app_puts(" (best of 3 and first, 64 KiB reads)\n");
    check("bench-same-bytes", bytes_n == bytes_f && memcmp(hex_n, hex_f, 65) == 0, EFI_SUCCESS);
}

/* ---- media ---- */

/* Wait for a key: the test script changes the medium meanwhile (QEMU's
 * monitor), then sends the key on the serial console. */
static void wait_key(const char *tag)
{
    app_puts("NTXEFI-PAUSE ");
    app_puts(tag);
    app_puts("\n");
    UINTN idx;
    EFI_INPUT_KEY key;
    app_bs->WaitForEvent(1, &app_st->ConIn->WaitForKey, &idx);
    app_st->ConIn->ReadKeyStroke(app_st->ConIn, &key);
}

/* FILE of the volume labelled LABEL as an "F SIZE SHA256 PATH" line with
 * the prefix `kind`; FALSE when it cannot be opened or read. */
static BOOLEAN print_file(EFI_FILE_HANDLE root, const CHAR16 *file_m, const char *kind)
{
    CHAR16 file[512];
    to_uefi_path(file_m, file, 512);
    EFI_FILE_HANDLE f = NULL;
    EFI_STATUS st = root->Open(root, &f, file, EFI_FILE_MODE_READ, 0);
    UINT64 total = 0;
    char hex[65];
    if (!EFI_ERROR(st)) {
        st = read_all(f, &total, hex, TRUE);
        f->Close(f);
    }
    app_puts(kind);
    if (EFI_ERROR(st)) {
        app_puts("E ");
        app_status(st);
    } else {
        app_putu(total);
        app_puts(" ");
        app_puts(hex);
    }
    app_puts(" ");
    app_putw(file_m);
    app_puts("\n");
    return !EFI_ERROR(st);
}

/* LABEL's FILE is read and kept open across a change of the medium to one
 * labelled LABEL2: the old handles must fail (the data they would return
 * belongs to a medium no longer there), and LABEL2's FILE must read. */
static void cmd_media(const char *label, const CHAR16 *file_m, const char *label2)
{
    CHAR16 file[512];
    to_uefi_path(file_m, file, 512);
    EFI_FILE_HANDLE root = open_root(label, NULL);
    if (root == NULL)
        return;
    EFI_FILE_HANDLE f = NULL;
    EFI_STATUS st = root->Open(root, &f, file, EFI_FILE_MODE_READ, 0);
    check_is("media-first-open", st, EFI_SUCCESS);
    if (EFI_ERROR(st)) {
        root->Close(root);
        return;
    }
    print_file(root, file_m, "O ");
    wait_key("change");
    /* the first read after the change: the medium is another one */
    f->SetPosition(f, 0);
    UINTN len = 16;
    st = f->Read(f, &len, io_buf);
    check("media-old-handle-fails", st == EFI_MEDIA_CHANGED || st == EFI_NO_MEDIA, st);
    app_puts("M old-handle status=");
    app_status(st);
    app_puts("\n");
    EFI_FILE_HANDLE g = NULL;
    st = root->Open(root, &g, file, EFI_FILE_MODE_READ, 0);
    check("media-old-root-fails", st == EFI_MEDIA_CHANGED || st == EFI_NO_MEDIA, st);
    if (!EFI_ERROR(st))
        g->Close(g);
    f->Close(f);
    root->Close(root);
    check("media-old-label-gone", app_find_fs(label, NULL) == NULL, EFI_SUCCESS);
    /* the new medium, found by its label (the driver mounted it) */
    EFI_FILE_HANDLE root2 = open_root(label2, NULL);
    check("media-new-volume", root2 != NULL, EFI_NOT_FOUND);
    if (root2 != NULL) {
        check("media-new-file", print_file(root2, file_m, "N "), EFI_SUCCESS);
        root2->Close(root2);
    }
}

/* After the medium was taken out: no file system answers with LABEL. */
static void cmd_gone(const char *label)
{
    check("media-ejected-gone", app_find_fs(label, NULL) == NULL, EFI_SUCCESS);
}

/* ---- main ---- */

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
    app_init(st);
    static CHAR16 buf[1024];
    CHAR16 *argv[8];
    char a1[256] = "", a4[256] = "";
    UINTN argc = app_args(image, buf, 1024, argv, 8);
    if (argc == 0 || EFI_ERROR(app_bs->AllocatePool(EfiBootServicesData, IO_BUF, (void **)&io_buf))) {
        app_puts("usage: ntxefi-check.efi walk|walkall|checks|names|memory|bench|media|pause|gone ...\n");
        return EFI_SUCCESS;
    }
    calibrate();
    if (argc >= 2)
        w_to_ascii(argv[1], a1, sizeof a1);
    if (argc >= 4)
        w_to_ascii(argv[3], a4, sizeof a4);
    if (app_wstr_eq_ascii(argv[0], "walk") && argc >= 2)
        cmd_walk(a1);
    else if (app_wstr_eq_ascii(argv[0], "walkall"))
        cmd_walkall();
    else if (app_wstr_eq_ascii(argv[0], "checks") && argc >= 6)
        cmd_checks(a1, argv[2], w_to_u64(argv[3]), w_to_u64(argv[4]), w_to_u64(argv[5]));
    else if (app_wstr_eq_ascii(argv[0], "names") && argc >= 2)
        cmd_names(a1);
    else if (app_wstr_eq_ascii(argv[0], "memory") && argc >= 3)
        cmd_memory(a1, argv[2]);
    else if (app_wstr_eq_ascii(argv[0], "bench") && argc >= 5)
        cmd_bench(a1, argv[2], a4, argv[4]);
    else if (app_wstr_eq_ascii(argv[0], "media") && argc >= 4)
        cmd_media(a1, argv[2], a4);
    else if (app_wstr_eq_ascii(argv[0], "pause") && argc >= 2)
        wait_key(a1);
    else if (app_wstr_eq_ascii(argv[0], "gone") && argc >= 2)
        cmd_gone(a1);
    else
        app_puts("ntxefi-check: unknown command\n");
    app_puts(failures == 0 ? "NTXEFI-CHECK-END ok\n" : "NTXEFI-CHECK-END failures\n");
    app_bs->FreePool(io_buf);
    return EFI_SUCCESS;
}
