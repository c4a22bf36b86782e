/*
 * app.c - console output, SHA-256 (FIPS 180-4) and file system lookup for
 * the test applications (app.h).
 */
#include "app.h"

EFI_SYSTEM_TABLE *app_st;
EFI_BOOT_SERVICES *app_bs;

void app_init(EFI_SYSTEM_TABLE *st)
{
    app_st = st;
    app_bs = st->BootServices;
}

static void app_out(const CHAR16 *s)
{
    app_st->ConOut->OutputString(app_st->ConOut, (CHAR16 *)s);
}

void app_puts(const char *s)
{
    CHAR16 out[130];
    UINTN k = 0;
    for (; *s != '\0'; s++) {
        if (*s == '\n')
            out[k++] = u'\r';
        out[k++] = (CHAR16)(unsigned char)*s;
        if (k >= 126) {
            out[k] = 0;
            app_out(out);
            k = 0;
        }
    }
    out[k] = 0;
    if (k != 0)
        app_out(out);
}

void app_putu(UINT64 v)
{
    char b[24];
    int i = 23;
    b[i] = '\0';
    do {
        b[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0);
    app_puts(b + i);
}

void app_puthex(UINT64 v)
{
    char b[19];
    b[18] = '\0';
    for (int i = 17; i >= 2; i--) {
        b[i] = "0123456789abcdef"[v & 15u];
        v >>= 4;
    }
    b[0] = '0';
    b[1] = 'x';
    app_puts(b);
}

void app_putwn(const CHAR16 *s, UINTN n)
{
    char out[128];
    UINTN k = 0;
    for (UINTN i = 0; i < n; i++) {
        CHAR16 c = s[i];
        if (c >= 0x20 && c < 0x7f && c != u'%') {
            out[k++] = (char)c;
        } else {
            out[k++] = '%';
            out[k++] = 'u';
            for (int sh = 12; sh >= 0; sh -= 4)
                out[k++] = "0123456789ABCDEF"[(c >> sh) & 15u];
        }
        if (k > 120) {
            out[k] = '\0';
            app_puts(out);
            k = 0;
        }
    }
    out[k] = '\0';
    app_puts(out);
}

void app_putw(const CHAR16 *s)
{
    UINTN n = 0;
    while (s[n] != 0)
        n++;
    app_putwn(s, n);
}

void app_status(EFI_STATUS st)
{
    static const struct { EFI_STATUS st; const char *name; } names[] = {
        { EFI_SUCCESS, "EFI_SUCCESS" },
        { EFI_INVALID_PARAMETER, "EFI_INVALID_PARAMETER" },
        { EFI_UNSUPPORTED, "EFI_UNSUPPORTED" },
        { EFI_BUFFER_TOO_SMALL, "EFI_BUFFER_TOO_SMALL" },
        { EFI_DEVICE_ERROR, "EFI_DEVICE_ERROR" },
        { EFI_WRITE_PROTECTED, "EFI_WRITE_PROTECTED" },
        { EFI_OUT_OF_RESOURCES, "EFI_OUT_OF_RESOURCES" },
        { EFI_VOLUME_CORRUPTED, "EFI_VOLUME_CORRUPTED" },
        { EFI_NO_MEDIA, "EFI_NO_MEDIA" },
        { EFI_MEDIA_CHANGED, "EFI_MEDIA_CHANGED" },
        { EFI_NOT_FOUND, "EFI_NOT_FOUND" },
        { EFI_ACCESS_DENIED, "EFI_ACCESS_DENIED" },
        { EFI_WARN_DELETE_FAILURE, "EFI_WARN_DELETE_FAILURE" },
    };
    for (UINTN i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].st == st) {
            app_puts(names[i].name);
            return;
        }
    app_puthex(st);
}

/* ---- SHA-256 ---- */

static const UINT32 sha_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static UINT32 ror(UINT32 x, int n) { return (x >> n) | (x << (32 - n)); }

static void sha_block(app_sha256 *c, const UINT8 *p)
{
    UINT32 w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (UINT32)p[4 * i] << 24 | (UINT32)p[4 * i + 1] << 16 | (UINT32)p[4 * i + 2] << 8 |
               p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        UINT32 s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
        UINT32 s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    UINT32 a = c->h[0], b = c->h[1], cc = c->h[2], d = c->h[3];
    UINT32 e = c->h[4], f = c->h[5], g = c->h[6], h = c->h[7];
    for (int i = 0; i < 64; i++) {
        UINT32 t1 = h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + sha_k[i] + w[i];
        UINT32 t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & cc) ^ (b & cc));
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = cc;
        cc = b;
        b = a;
        a = t1 + t2;
    }
    c->h[0] += a;
    c->h[1] += b;
    c->h[2] += cc;
    c->h[3] += d;
    c->h[4] += e;
    c->h[5] += f;
    c->h[6] += g;
    c->h[7] += h;
}

void app_sha256_init(app_sha256 *c)
{
    static const UINT32 iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
    for (int i = 0; i < 8; i++)
        c->h[i] = iv[i];
    c->len = 0;
    c->fill = 0;
}

void app_sha256_update(app_sha256 *c, const void *data, UINTN n)
{
    const UINT8 *p = data;
    c->len += n;
    while (n > 0) {
        if (c->fill == 0 && n >= 64) {
            sha_block(c, p);
            p += 64;
            n -= 64;
            continue;
        }
        c->buf[c->fill++] = *p++;
        n--;
        if (c->fill == 64) {
            sha_block(c, c->buf);
            c->fill = 0;
        }
    }
}

void app_sha256_hex(app_sha256 *c, char out[65])
{
    UINT64 bits = c->len * 8u;
    UINT8 pad = 0x80;
    UINT64 len = c->len;
    app_sha256_update(c, &pad, 1);
    pad = 0;
    while (c->fill != 56)
        app_sha256_update(c, &pad, 1);
    UINT8 lenb[8];
    for (int i = 0; i < 8; i++)
        lenb[i] = (UINT8)(bits >> (56 - 8 * i));
    app_sha256_update(c, lenb, 8);
    c->len = len;
    for (int i = 0; i < 32; i++) {
        UINT8 v = (UINT8)(c->h[i / 4] >> (24 - 8 * (i % 4)));
        out[2 * i] = "0123456789abcdef"[v >> 4];
        out[2 * i + 1] = "0123456789abcdef"[v & 15u];
    }
    out[64] = '\0';
}

/* ---- file systems ---- */

BOOLEAN app_wstr_eq_ascii(const CHAR16 *w, const char *a)
{
    UINTN i = 0;
    for (; a[i] != '\0'; i++)
        if (w[i] != (CHAR16)(unsigned char)a[i])
            return FALSE;
    return w[i] == 0;
}

void *app_get_info(EFI_FILE_HANDLE f, EFI_GUID *type, EFI_STATUS *st)
{
    UINTN size = 0;
    void *buf = NULL;
    *st = f->GetInfo(f, type, &size, NULL);
    if (*st != EFI_BUFFER_TOO_SMALL)
        return NULL;
    if (EFI_ERROR(app_bs->AllocatePool(EfiBootServicesData, size, &buf)))
        return NULL;
    *st = f->GetInfo(f, type, &size, buf);
    if (EFI_ERROR(*st)) {
        app_bs->FreePool(buf);
        return NULL;
    }
    return buf;
}

EFI_FILE_IO_INTERFACE *app_find_fs(const char *label, EFI_HANDLE *handle)
{
    EFI_GUID sfs_guid = SIMPLE_FILE_SYSTEM_PROTOCOL;
    EFI_GUID fs_info = EFI_FILE_SYSTEM_INFO_ID;
    UINTN count = 0;
    EFI_HANDLE *handles = NULL;
    EFI_FILE_IO_INTERFACE *found = NULL;
    if (EFI_ERROR(app_bs->LocateHandleBuffer(ByProtocol, &sfs_guid, NULL, &count, &handles)))
        return NULL;
    for (UINTN i = 0; i < count && found == NULL; i++) {
        EFI_FILE_IO_INTERFACE *sfs = NULL;
        EFI_FILE_HANDLE root = NULL;
        if (EFI_ERROR(app_bs->HandleProtocol(handles[i], &sfs_guid, (void **)&sfs)) ||
            EFI_ERROR(sfs->OpenVolume(sfs, &root)))
            continue;
        EFI_STATUS st;
        EFI_FILE_SYSTEM_INFO *info = app_get_info(root, &fs_info, &st);
        if (info != NULL) {
            if (app_wstr_eq_ascii(info->VolumeLabel, label)) {
                found = sfs;
                if (handle != NULL)
                    *handle = handles[i];
            }
            app_bs->FreePool(info);
        }
        root->Close(root);
    }
    app_bs->FreePool(handles);
    return found;
}

UINTN app_args(EFI_HANDLE image, CHAR16 *buf, UINTN cap, CHAR16 **argv, UINTN max)
{
    EFI_GUID lip = LOADED_IMAGE_PROTOCOL;
    EFI_LOADED_IMAGE *li = NULL;
    UINTN n = 0, argc = 0;
    if (EFI_ERROR(app_bs->HandleProtocol(image, &lip, (void **)&li)) || li->LoadOptions == NULL)
        return 0;
    const CHAR16 *o = li->LoadOptions;
    UINTN units = li->LoadOptionsSize / 2u;
    for (UINTN i = 0; i < units && o[i] != 0 && n + 1 < cap; i++)
        buf[n++] = o[i];
    buf[n] = 0;
    /* split at spaces, a "quoted word" taken whole; the first word is the
     * program */
    UINTN i = 0, word = 0;
    while (i < n) {
        while (i < n && buf[i] == u' ')
            buf[i++] = 0;
        if (i >= n)
            break;
        CHAR16 end = u' ';
        if (buf[i] == u'"') {
            end = u'"';
            buf[i++] = 0;
        }
        if (word++ > 0 && argc < max)
            argv[argc++] = &buf[i];
        while (i < n && buf[i] != end)
            i++;
        if (i < n)
            buf[i++] = 0;
    }
    return argc;
}
