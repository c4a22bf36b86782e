/*
 * journal.c - the change journal for `ntx usn` and `ntx timeline --usn`:
 * $Extend/$UsnJrnl:$J of the volume through ntx_usn_next() (its sparse head
 * skipped by its runs), any stream holding USN records (--stream), or a copy
 * of $J (--journal-file) through ntx_usn_parse(): read 1 MiB at a time,
 * whole 4 KiB pages (a record never crosses one), the holes of a sparse copy
 * skipped with SEEK_DATA and zeroed ranges 8 bytes at a time.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "triage.h"

#define MAX_BAD_REPORTS 20u
#define CHUNK (1u << 20)
#define PAGE 4096u

struct journal {
    cli_image *img;
    sbuf what;
    unsigned bad;
    bool done;
    uint8_t *buf;
    /* on the volume */
    ntx_file f;
    ntx_stream s;
    uint64_t pos;
    /* a copy */
    int fd;
    uint64_t size;
    uint64_t base;            /* journal offset of buf[0] */
    size_t len, off;          /* bytes in buf, next to parse */
};

void usn_reasons(sbuf *b, uint32_t r, const char *sep)
{
    bool any = false;
    uint32_t left = r;
    for (unsigned k = 0; k < 32; k++) {
        const char *name = ntx_usn_reason_name(r & (1u << k));
        if (name == NULL)
            continue;
        if (any)
            sb_puts(b, sep);
        sb_puts(b, name);
        left &= ~(1u << k);
        any = true;
    }
    if (left != 0 || !any)
        sb_printf(b, "%s0x%08x", any ? sep : "", left);
}

const char *journal_what(const journal *j)
{
    return j->what.p;
}

void journal_close(journal *j)
{
    if (j == NULL)
        return;
    if (j->bad > MAX_BAD_REPORTS)
        reportf(j->img, j->what.p, "%u malformed records in all", j->bad);
    if (j->fd >= 0)
        close(j->fd);
    free(j->buf);
    sb_free(&j->what);
    free(j);
}

static journal *journal_fail(journal *j, int *status, int code)
{
    *status = code;
    j->bad = 0;
    journal_close(j);
    return NULL;
}

journal *journal_open(cli_image *img, const cli_opts *o, int *status)
{
    journal *j = calloc(1, sizeof *j);
    if (j == NULL || (j->buf = malloc(CHUNK)) == NULL) {
        free(j);
        reportf(img, NULL, "out of memory");
        *status = EXIT_FAIL;
        return NULL;
    }
    j->img = img;
    j->fd = -1;
    sb_init(&j->what);
    ntx_err rc;
    if (o->journal_file != NULL) {
        esc_text(&j->what, o->journal_file, strlen(o->journal_file));
        struct stat st;
        j->fd = open(o->journal_file, O_RDONLY | O_CLOEXEC);
        if (j->fd < 0 || fstat(j->fd, &st) != 0) {
            reportf(img, j->what.p, "%s", strerror(errno));
            return journal_fail(j, status, EXIT_FAIL);
        }
        j->size = (uint64_t)st.st_size;
        return j;
    }
    if (o->stream_opt != NULL) {
        const char *spec = o->stream_opt;
        const char *stream = NULL;
        sbuf path;
        sb_init(&path);
        split_stream(spec, &path, &stream);
        esc_text(&j->what, spec, strlen(spec));
        if (stream == NULL) {
            sb_free(&path);
            reportf(img, j->what.p, "--stream needs PATH:STREAM");
            return journal_fail(j, status, EXIT_USAGE);
        }
        rc = ntx_file_open_path(&j->f, &img->vol, path.p, path.len);
        if (rc == NTX_OK)
            rc = ntx_stream_open_data(&j->s, &j->f, stream, strlen(stream));
        sb_free(&path);
    } else {
        sb_puts(&j->what, "$Extend/$UsnJrnl:$J");
        rc = ntx_file_open_path(&j->f, &img->vol, "/$Extend/$UsnJrnl", 17);
        if (rc == NTX_E_NOT_FOUND) {
            reportf(img, j->what.p,
                    "no change journal on this volume ($Extend/$UsnJrnl does not exist)");
            return journal_fail(j, status, EXIT_FAIL);
        }
        if (rc == NTX_OK)
            rc = ntx_stream_open_data(&j->s, &j->f, "$J", 2);
    }
    if (rc != NTX_OK) {
        report(img, j->what.p, rc);
        return journal_fail(j, status, EXIT_FAIL);
    }
    return j;
}

/* The next chunk of a copy: whole pages from the next byte with data. */
static ntx_err journal_fill(journal *j)
{
    uint64_t at = j->base + j->len;
    if (at >= j->size)
        return NTX_END;
    off_t data = lseek(j->fd, (off_t)at, SEEK_DATA);
    if (data < 0 && errno == ENXIO)
        return NTX_END; /* only a hole left */
    if (data >= 0 && (uint64_t)data > at)
        at = (uint64_t)data & ~(uint64_t)(PAGE - 1u);
    size_t n = (size_t)(j->size - at < CHUNK ? j->size - at : CHUNK);
    size_t got = 0;
    while (got < n) { /* bound: each pass reads at least one byte or stops */
        ssize_t r = pread(j->fd, j->buf + got, n - got, (off_t)(at + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            reportf(j->img, j->what.p, "%s", strerror(errno));
            return NTX_E_IO;
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    if (got == 0)
        return NTX_END;
    j->base = at;
    j->len = got;
    j->off = 0;
    return NTX_OK;
}

/* A record that cannot be, at journal byte at: reported (the first ones). */
static void journal_bad(journal *j, uint64_t at)
{
    if (j->bad < MAX_BAD_REPORTS) {
        sbuf w;
        sb_init(&w);
        sb_put(&w, j->what.p, j->what.len);
        sb_printf(&w, " at byte %llu", (unsigned long long)at);
        if (j->fd >= 0)
            reportf(j->img, sb_str(&w), "%s (%s)", ntx_strerror(NTX_E_CORRUPT),
                    check_text(NTX_CHK_USN_RECORD));
        else
            report(j->img, sb_str(&w), NTX_E_CORRUPT);
        sb_free(&w);
    }
    j->bad++;
    g_partial = 1;
}

ntx_err journal_next(journal *j, ntx_usn_record *rec)
{
    if (j->done)
        return NTX_END;
    for (;;) { /* bound: the position grows by 8 bytes at least per pass */
        ntx_err rc;
        if (j->fd >= 0) {
            if (j->off >= j->len) {
                rc = journal_fill(j);
                if (rc != NTX_OK) {
                    j->done = true;
                    if (rc != NTX_END)
                        g_partial = 1;
                    return NTX_END;
                }
            }
            size_t at = j->off;
            rc = ntx_usn_parse(j->buf, j->len, &at, rec);
            if (rc == NTX_OK) {
                j->off = at;
                return NTX_OK;
            }
            if (rc == NTX_END) {
                j->off = j->len;
                continue;
            }
            journal_bad(j, j->base + at);
            j->off = at + 8;
            continue;
        }
        rc = ntx_usn_next(&j->s, &j->pos, j->buf, CHUNK, rec);
        if (rc == NTX_OK)
            return NTX_OK;
        if (rc == NTX_END) {
            j->done = true;
            return NTX_END;
        }
        if (rc == NTX_E_CORRUPT && j->img->vol.diag.check == NTX_CHK_USN_RECORD) {
            journal_bad(j, j->pos);
            j->pos += 8; /* a record that cannot be: resume 8 bytes on */
            continue;
        }
        report(j->img, j->what.p, rc);
        g_partial = 1;
        j->done = true;
        return NTX_END;
    }
}
