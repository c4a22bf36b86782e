/*
 * manifest.c - parser for the fixture manifests (format in manifest.h and
 * fixtures/manifest.py).
 *
 * Strict on purpose: a manifest the parser half-understands would make the
 * image tests compare against nothing, so every malformed line is an error.
 */
#include "manifest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct manifest_parse {
    const char *file;
    unsigned line;
};

static int manifest_fail(const struct manifest_parse *p, const char *why, const char *what)
{
    fprintf(stderr, "%s:%u: %s%s%s\n", p->file, p->line, why, what ? ": " : "", what ? what : "");
    return -EINVAL;
}

static int manifest_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

static int manifest_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static char *manifest_strdup(const char *s, int *rc)
{
    char *d = strdup(s);
    if (!d)
        *rc = -ENOMEM;
    return d;
}

static void manifest_entry_free(struct ntx_test_manifest_entry *e)
{
    free(e->target);
    free(e->path);
    free(e->stream);
    free(e->dos_name);
    free(e->reparse);
}

/* Sort key: path, then stream with the file itself (NULL) first. */
static int manifest_cmp_key(const char *path, const char *stream,
                            const struct ntx_test_manifest_entry *e)
{
    int c = strcmp(path, e->path);
    if (c)
        return c;
    if (!stream || !e->stream)
        return (stream != NULL) - (e->stream != NULL);
    return strcmp(stream, e->stream);
}

static int manifest_cmp_sorted(const void *a, const void *b)
{
    const struct ntx_test_manifest_entry *x = *(const struct ntx_test_manifest_entry *const *)a;
    const struct ntx_test_manifest_entry *y = *(const struct ntx_test_manifest_entry *const *)b;
    return manifest_cmp_key(x->path, x->stream, y);
}

/* "# key: value" header lines; unknown comments are ignored. */
static int manifest_header(struct ntx_test_manifest *m, const struct manifest_parse *p,
                           const char *text)
{
    static const struct {
        const char *key;
        size_t str_ofs;   /* offset of a char * field, or SIZE_MAX */
        size_t u32_ofs;   /* offset of a uint32_t field, or SIZE_MAX */
    } keys[] = {
        {"label", offsetof(struct ntx_test_manifest, label), SIZE_MAX},
        {"image", offsetof(struct ntx_test_manifest, image), SIZE_MAX},
        {"mountpoint", offsetof(struct ntx_test_manifest, mountpoint), SIZE_MAX},
        {"sector_size", SIZE_MAX, offsetof(struct ntx_test_manifest, sector_size)},
        {"cluster_size", SIZE_MAX, offsetof(struct ntx_test_manifest, cluster_size)},
        {"record_size", SIZE_MAX, offsetof(struct ntx_test_manifest, record_size)},
        {"total_clusters", SIZE_MAX, offsetof(struct ntx_test_manifest, total_clusters)},
        {"free_clusters", SIZE_MAX, offsetof(struct ntx_test_manifest, free_clusters)},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        size_t kl = strlen(keys[i].key);
        if (strncmp(text, keys[i].key, kl) != 0 || text[kl] != ':')
            continue;
        const char *val = text + kl + 1;
        if (*val == ' ')
            val++;
        if (keys[i].str_ofs != SIZE_MAX) {
            char **field = (char **)((char *)m + keys[i].str_ofs);
            int rc = 0;
            if (*field)
                return manifest_fail(p, "header repeated", keys[i].key);
            *field = manifest_strdup(val, &rc);
            return rc;
        }
        uint64_t v;
        if (manifest_u64(val, &v) || v == 0 || v > UINT32_MAX)
            return manifest_fail(p, "bad number in header", keys[i].key);
        uint32_t *field = (uint32_t *)((char *)m + keys[i].u32_ofs);
        if (*field)
            return manifest_fail(p, "header repeated", keys[i].key);
        *field = (uint32_t)v;
        return 0;
    }
    return 0;
}

/* '# reparse' and '# dos_name' lines, kept until the rows are indexed. */
struct manifest_note {
    char *path;
    char *value;   /* hex for reparse, the name for dos_name */
    int is_reparse;
    unsigned line;
};

static int manifest_note(struct manifest_note **notes, size_t *n, size_t *cap,
                         const struct manifest_parse *p, const char *text, int is_reparse)
{
    const char *tab = strchr(text, '\t');
    if (!tab || text[0] != '/' || tab[1] == '\0' || strchr(tab + 1, '\t'))
        return manifest_fail(p, "malformed note", text);
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        struct manifest_note *q = realloc(*notes, nc * sizeof *q);
        if (!q)
            return -ENOMEM;
        *notes = q;
        *cap = nc;
    }
    struct manifest_note *note = &(*notes)[*n];
    note->path = strndup(text, (size_t)(tab - text));
    note->value = strdup(tab + 1);
    note->is_reparse = is_reparse;
    note->line = p->line;
    (*n)++;
    if (!note->path || !note->value)
        return -ENOMEM;
    return 0;
}

/* One object row; line is modified (split at the tabs). */
static int manifest_row(struct ntx_test_manifest_entry *e, const struct manifest_parse *p,
                        char *line)
{
    char *f[7];
    f[0] = line;
    for (int i = 1; i < 7; i++) {
        char *tab = strchr(f[i - 1], '\t');
        if (!tab)
            return manifest_fail(p, "expected 7 tab-separated fields", NULL);
        *tab = '\0';
        f[i] = tab + 1;
    }
    /* PATH is the rest of the line: names cannot hold a tab, but be exact anyway */
    if (strlen(f[0]) != 1 || !strchr("dfls", f[0][0]))
        return manifest_fail(p, "bad TYPE", f[0]);
    e->type = f[0][0];
    if (manifest_u64(f[1], &e->mft))
        return manifest_fail(p, "bad MFT", f[1]);
    if (manifest_u64(f[2], &e->size))
        return manifest_fail(p, "bad SIZE", f[2]);
    if (manifest_u64(f[3], &e->nlink))
        return manifest_fail(p, "bad NLINK", f[3]);

    if (strcmp(f[4], "-") != 0) {
        if (strlen(f[4]) != 64)
            return manifest_fail(p, "bad SHA256", f[4]);
        for (int i = 0; i < 64; i++) {
            int v = manifest_hexval(f[4][i]);
            if (v < 0)
                return manifest_fail(p, "bad SHA256", f[4]);
            e->sha256[i] = "0123456789abcdef"[v];
        }
        e->sha256[64] = '\0';
    }

    int rc = 0;
    if (strcmp(f[5], "-") != 0) {
        if (!*f[5])
            return manifest_fail(p, "empty TARGET", NULL);
        e->target = manifest_strdup(f[5], &rc);
        if (rc)
            return rc;
    }

    char *path = f[6];
    if (path[0] != '/')
        return manifest_fail(p, "PATH not absolute", path);
    if (e->type == 's') {
        char *colon = strrchr(path, ':');
        if (!colon || colon == path || colon[1] == '\0')
            return manifest_fail(p, "stream row without PATH:STREAM", path);
        *colon = '\0';
        e->stream = manifest_strdup(colon + 1, &rc);
        if (rc)
            return rc;
    }
    e->path = manifest_strdup(path, &rc);
    return rc;
}

static int manifest_attach(struct ntx_test_manifest *m, const struct manifest_parse *p0,
                           const struct manifest_note *note)
{
    struct manifest_parse p = {p0->file, note->line};
    struct ntx_test_manifest_entry *e =
        (struct ntx_test_manifest_entry *)ntx_test_manifest_find(m, note->path, NULL);
    if (!e)
        return manifest_fail(&p, "note for a path with no row", note->path);
    if (!note->is_reparse) {
        if (e->dos_name)
            return manifest_fail(&p, "dos_name repeated", note->path);
        e->dos_name = note->value; /* ownership moves to the entry */
        return 0;
    }
    if (e->reparse)
        return manifest_fail(&p, "reparse repeated", note->path);
    size_t hl = strlen(note->value);
    if (hl == 0 || hl % 2)
        return manifest_fail(&p, "bad reparse hex", note->path);
    uint8_t *b = malloc(hl / 2);
    if (!b)
        return -ENOMEM;
    for (size_t i = 0; i < hl / 2; i++) {
        int hi = manifest_hexval(note->value[2 * i]);
        int lo = manifest_hexval(note->value[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(b);
            return manifest_fail(&p, "bad reparse hex", note->path);
        }
        b[i] = (uint8_t)(hi << 4 | lo);
    }
    e->reparse = b;
    e->reparse_len = hl / 2;
    return 0;
}

int ntx_test_manifest_load(const char *path, struct ntx_test_manifest *m)
{
    memset(m, 0, sizeof *m);
    FILE *f = fopen(path, "r");
    if (!f)
        return -errno;

    struct manifest_parse p = {path, 0};
    struct manifest_note *notes = NULL;
    size_t nnotes = 0, notes_cap = 0, cap = 0;
    char *line = NULL;
    size_t line_cap = 0;
    ssize_t len;
    int rc = 0;

    while (rc == 0 && (len = getline(&line, &line_cap, f)) >= 0) {
        p.line++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if ((size_t)len != strlen(line)) {
            rc = manifest_fail(&p, "NUL byte in line", NULL);
            break;
        }
        if (len == 0)
            continue;
        if (line[0] == '#') {
            if (strncmp(line, "# reparse\t", 10) == 0)
                rc = manifest_note(&notes, &nnotes, &notes_cap, &p, line + 10, 1);
            else if (strncmp(line, "# dos_name\t", 11) == 0)
                rc = manifest_note(&notes, &nnotes, &notes_cap, &p, line + 11, 0);
            else if (strncmp(line, "# ", 2) == 0)
                rc = manifest_header(m, &p, line + 2);
            continue;
        }
        if (m->count == cap) {
            size_t nc = cap ? cap * 2 : 256;
            struct ntx_test_manifest_entry *q = realloc(m->entries, nc * sizeof *q);
            if (!q) {
                rc = -ENOMEM;
                break;
            }
            m->entries = q;
            cap = nc;
        }
        struct ntx_test_manifest_entry *e = &m->entries[m->count++];
        memset(e, 0, sizeof *e);
        e->line = p.line;
        rc = manifest_row(e, &p, line);
    }
    if (rc == 0 && ferror(f))
        rc = -EIO;
    free(line);
    fclose(f);

    if (rc == 0 && m->count) {
        m->sorted = malloc(m->count * sizeof *m->sorted);
        if (!m->sorted)
            rc = -ENOMEM;
    }
    if (rc == 0 && m->count) {
        for (size_t i = 0; i < m->count; i++)
            m->sorted[i] = &m->entries[i];
        qsort(m->sorted, m->count, sizeof *m->sorted, manifest_cmp_sorted);
        for (size_t i = 1; i < m->count && rc == 0; i++) {
            const struct ntx_test_manifest_entry *a = m->sorted[i - 1], *b = m->sorted[i];
            if (manifest_cmp_key(a->path, a->stream, b) == 0) {
                struct manifest_parse q = {path, b->line > a->line ? b->line : a->line};
                rc = manifest_fail(&q, "duplicate row", b->path);
            }
        }
    }
    for (size_t i = 0; i < nnotes; i++) {
        if (rc == 0) {
            rc = manifest_attach(m, &p, &notes[i]);
            if (rc == 0 && !notes[i].is_reparse)
                notes[i].value = NULL; /* now owned by the entry */
        }
        free(notes[i].path);
        free(notes[i].value);
    }
    free(notes);

    if (rc)
        ntx_test_manifest_free(m);
    return rc;
}

void ntx_test_manifest_free(struct ntx_test_manifest *m)
{
    for (size_t i = 0; i < m->count; i++)
        manifest_entry_free(&m->entries[i]);
    free(m->entries);
    free(m->sorted);
    free(m->label);
    free(m->image);
    free(m->mountpoint);
    memset(m, 0, sizeof *m);
}

const struct ntx_test_manifest_entry *ntx_test_manifest_find(const struct ntx_test_manifest *m,
                                                             const char *path,
                                                             const char *stream)
{
    size_t lo = 0, hi = m->sorted ? m->count : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = manifest_cmp_key(path, stream, m->sorted[mid]);
        if (c == 0)
            return m->sorted[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

int ntx_test_fixture_path(char *buf, size_t cap, const char *name)
{
    const char *dir = getenv("NTX_FIXTURES_DIR");
    if (!dir || !*dir)
        dir = NTX_FIXTURES_DIR;
    int n = snprintf(buf, cap, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= cap) {
        if (cap)
            buf[0] = '\0';
        return -ENAMETOOLONG;
    }
    return 0;
}
