/*
 * cmd_cat.c - `ntx cat` (a stream's bytes to standard output; with --slack
 * the file slack of its last cluster) and `ntx recover` (a deleted file's
 * data to a file, with a warning for every run whose clusters $Bitmap marks
 * in use again).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define COPY_BUF (64u << 10) /* stays in L2: the kernel's copy into it runs at cache speed */

static bool write_all(int fd, const uint8_t *p, size_t n, int *werr)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            *werr = w < 0 ? errno : EIO;
            return false;
        }
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* Standard output redirected to a regular file can take holes, as cp's
 * --sparse=auto does: a terabyte sparse stream then costs no disk and no
 * time. A pipe or a terminal gets every zero. */
static bool stdout_is_file(void)
{
    struct stat st;
    int fl = fcntl(STDOUT_FILENO, F_GETFL);
    /* With O_APPEND (>>) every write goes to the end: a seek would be lost. */
    return fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode) && fl >= 0 &&
           (fl & O_APPEND) == 0;
}

/* The length of the run of zero blocks at the start of p[0, n): a multiple
 * of HOLE_BLOCK, or n when all of it is zeros. memcmp() against a zero
 * block runs at memory speed: a 4 GiB file of zeros costs a fraction of a
 * second. */
#define HOLE_BLOCK 4096u
static const uint8_t zero_block[HOLE_BLOCK];
static size_t zero_prefix(const uint8_t *p, size_t n)
{
    size_t done = 0;
    while (done < n) { /* bound: done grows by a block per pass */
        size_t k = n - done < HOLE_BLOCK ? n - done : HOLE_BLOCK;
        if (memcmp(p + done, zero_block, k) != 0)
            return done;
        done += k;
    }
    return done;
}

/* Write p[0, n) to fd, seeking over whole zero blocks instead of writing
 * them (*seeked then says a hole may end the file). */
static bool write_holes(int fd, const uint8_t *p, size_t n, bool *seeked, int *werr)
{
    size_t at = 0;
    while (at < n) { /* bound: at grows by a zero run or a block of data per pass */
        size_t zeros = zero_prefix(p + at, n - at);
        if (zeros > 0) {
            if (lseek(fd, (off_t)zeros, SEEK_CUR) < 0) {
                *werr = errno;
                return false;
            }
            *seeked = true;
            at += zeros;
            continue;
        }
        size_t k = n - at < HOLE_BLOCK ? n - at : HOLE_BLOCK;
        while (at + k < n && zero_prefix(p + at + k, n - at - k) == 0) /* bound: n */
            k += n - at - k < HOLE_BLOCK ? n - at - k : HOLE_BLOCK;
        if (!write_all(fd, p + at, k, werr))
            return false;
        at += k;
    }
    return true;
}

int copy_stream(ntx_stream *s, int fd, bool sparse, copy_progress_fn progress, void *pctx,
                int *werr)
{
    static uint8_t *buf;
    if (buf == NULL && (buf = malloc(COPY_BUF)) == NULL) {
        *werr = ENOMEM;
        return 1;
    }
    *werr = 0;
    /* Holes of a plain sparse stream become holes of the output (lseek);
     * a compressed stream's runs describe compressed units, so it is read. */
    bool map_holes = sparse && !s->resident && s->cu_shift == 0 && s->wof_algorithm == 0;
    /* A WOF-compressed file has no holes (its runs are those of the
     * compressed stream), yet system files compressed by CompactOS hold
     * long runs of zeros, and a chunk of zeros costs a few bytes: into a
     * regular file, whole zero blocks are skipped as cp --sparse=always
     * skips them, so a mostly empty 4 GiB file takes no disk. */
    bool zero_holes = sparse && s->wof_algorithm != 0;
    uint64_t cs = (uint64_t)s->vol->geo.cluster_size;
    uint64_t off = 0, hole_end = 0;
    ntx_run run;
    bool seeked = false;
    /* > 0 after `>` into a used fd */
    off_t start = map_holes || zero_holes ? lseek(fd, 0, SEEK_CUR) : 0;
    if (start < 0)
        map_holes = zero_holes = false;
    uint64_t next_map = 0; /* first byte whose run is not known */
    while (off < s->size) { /* bound: off grows by got > 0 or jumps over a hole */
        if (map_holes && off >= next_map) {
            ntx_err rc = ntx_stream_map(s, off / cs, &run);
            if (rc != NTX_OK) {
                map_holes = false; /* read it; the read reports the problem */
            } else {
                next_map = (run.vcn + run.len) * cs;
                hole_end = run.lcn == NTX_LCN_HOLE ? next_map : 0;
            }
        }
        if (map_holes && hole_end > off) {
            uint64_t end = hole_end < s->size ? hole_end : s->size;
            if (lseek(fd, (off_t)(end - off), SEEK_CUR) < 0) {
                *werr = errno;
                return 1;
            }
            seeked = true;
            if (progress)
                progress(pctx, end - off);
            off = end;
            continue;
        }
        size_t want = COPY_BUF;
        if (map_holes && next_map > off && next_map - off < want)
            want = (size_t)(next_map - off);
        size_t got = 0;
        ntx_err rc = ntx_stream_read(s, off, buf, want, &got);
        if (rc != NTX_OK)
            return rc;
        if (got == 0)
            break;
        if (zero_holes ? !write_holes(fd, buf, got, &seeked, werr)
                       : !write_all(fd, buf, got, werr))
            return 1;
        if (progress)
            progress(pctx, got);
        off += got;
    }
    if (seeked && ftruncate(fd, start + (off_t)s->size) != 0) {
        *werr = errno;
        return 1;
    }
    return NTX_OK;
}

/* Open the stream o names on f: --type, --stream or :STREAM, --raw. */
static ntx_err open_named_stream(const cli_opts *o, const ntx_file *f, const char *stream,
                                 ntx_stream *s)
{
    uint32_t type = o->have_type ? o->attr_type : NTX_AT_DATA;
    const char *name = o->have_type ? o->attr_name : stream;
    if (!o->have_type && !o->raw)
        return ntx_stream_open_data(s, f, name, name ? strlen(name) : 0);
    uint16_t n16[NTX_NAME_MAX];
    size_t units = 0;
    if (name != NULL && name[0] != '\0') {
        ntx_err rc = ntx_utf8_to_utf16(name, strlen(name), n16, NTX_NAME_MAX, &units,
                                       NTX_UTF16_WTF8);
        if (rc != NTX_OK)
            return rc;
    }
    if (o->raw)
        return ntx_stream_open_raw(s, f, type, n16, units);
    return ntx_stream_open(s, f, type, n16, units);
}

/* The file and stream one command-line argument names (spec: PATH or
 * PATH:STREAM), or -i MFTNUM[:STREAM] when spec is NULL, in an open image. */
static bool open_command_stream(cli_image *img, cli_opts *o, const char *spec, bool deleted_ok,
                                ntx_file *f, ntx_stream *s, sbuf *what)
{
    const char *stream = o->stream_opt;
    sbuf path;
    sb_init(&path);
    if (spec == NULL) {
        if (stream == NULL)
            stream = o->inode_stream;
        if (!open_target(img, o, NULL, deleted_ok, f, what)) {
            sb_free(&path);
            return false;
        }
    } else {
        ntx_err rc = ntx_file_open_path(f, &img->vol, spec, strlen(spec));
        const char *sub = NULL;
        split_stream(spec, &path, &sub);
        if (rc == NTX_E_NOT_FOUND && sub != NULL) { /* "PATH:STREAM" */
            rc = ntx_file_open_path(f, &img->vol, path.p, path.len);
            if (stream == NULL)
                stream = sub;
        }
        sb_clear(what);
        esc_text(what, spec, strlen(spec));
        if (rc != NTX_OK) {
            report(img, sb_str(what), rc);
            sb_free(&path);
            return false;
        }
    }
    if (stream != NULL && stream[0] == '\0')
        stream = NULL;
    if (spec == NULL && stream != NULL) {
        sb_putc(what, ':');
        esc_text(what, stream, strlen(stream));
    }
    ntx_err rc = open_named_stream(o, f, stream, s);
    sb_free(&path);
    if (rc != NTX_OK) {
        if (rc == NTX_E_NOT_FOUND)
            reportf(img, sb_str(what), "no such stream");
        else if (rc == NTX_E_IS_DIR)
            reportf(img, sb_str(what), "is a directory (it has no unnamed $DATA stream)");
        else if (rc == NTX_E_UNSUPPORTED && img->vol.diag.check == NTX_CHK_ENCRYPTED &&
                 stream == NULL && !o->have_type && file_is_wof(f))
            reportf(img, sb_str(what), "%s", WOF_ENCRYPTED);
        else if (rc == NTX_E_UNSUPPORTED && img->vol.diag.check == NTX_CHK_ENCRYPTED)
            reportf(img, sb_str(what),
                    "EFS-encrypted: `cat --raw` writes the ciphertext, `stat` shows $EFS");
        else
            report(img, sb_str(what), rc);
        return false;
    }
    return true;
}

/*
 * cat --slack: the bytes of the stream's last cluster past the end of its
 * data (ntx_stream_slack()): RAM slack to the end of the sector, then
 * cluster slack to the end of the cluster, raw to fd; or with --json one
 * object saying where they are, and their bytes in hex. False (reported)
 * when the stream has no slack to give.
 */
static bool cat_slack(cli_image *img, const cli_opts *o, const ntx_file *f, ntx_stream *s,
                      const char *what, int *werr)
{
    static uint8_t *buf;
    static size_t cap;
    size_t need = img->vol.geo.cluster_size;
    *werr = 0;
    if (s->resident) {
        reportf(img, what, "resident: the data is in the MFT record, in no cluster, so it has "
                           "no file slack (`stat` shows the record)");
        return false;
    }
    if (cap < need) {
        free(buf);
        buf = malloc(need);
        cap = buf ? need : 0;
        if (buf == NULL) {
            reportf(img, what, "out of memory");
            return false;
        }
    }
    ntx_stream_slack_info si;
    ntx_err rc = ntx_stream_slack(s, buf, cap, &si);
    if (rc == NTX_OK && si.hole)
        reportf(img, what, "%s", file_is_wof(f)
                                     ? "WOF-compressed: its unnamed $DATA is sparse; the stored "
                                       "bytes and their slack are in :WofCompressedData"
                                     : "the data ends in a sparse cluster: nothing stored, no "
                                       "slack");
    else if (rc == NTX_E_NOT_FOUND)
        reportf(img, what, "empty stream: no cluster, no slack");
    else if (rc != NTX_OK)
        report(img, what, rc);
    if (rc != NTX_OK || si.hole)
        return false;
    uint64_t cl = si.lcn * (uint64_t)si.cluster_size;
    uint32_t ram = si.sector_end - si.data_end, rest = si.cluster_size - si.sector_end;
    if (!o->json) {
        fflush(stdout);
        return write_all(STDOUT_FILENO, buf + si.data_end, si.cluster_size - si.data_end, werr);
    }
    sbuf b;
    sb_init(&b);
    jw w;
    jw_begin(&w, &b);
    jw_str(&w, "path", what);
    jw_u64(&w, "mft", f->mft_no);
    char name[3 * NTX_NAME_MAX + 1];
    size_t nlen = name_utf8(s->name, s->name_len, name, sizeof name);
    if (nlen > 0)
        jw_strn(&w, "stream", name, nlen);
    else
        jw_null(&w, "stream");
    jw_u64(&w, "size", s->size);
    jw_bool(&w, "compressed", si.compressed);
    if (si.compressed)
        jw_u64(&w, "compressed_len", si.compressed_len);
    else
        jw_null(&w, "compressed_len");
    jw_u64(&w, "vcn", si.vcn);
    jw_u64(&w, "lcn", si.lcn);
    jw_u64(&w, "cluster_size", si.cluster_size);
    jw_u64(&w, "sector_size", si.sector_size);
    jw_u64(&w, "data_end", si.data_end);
    jw_u64(&w, "cluster_offset", cl);
    jw_u64(&w, "disk_offset", img->vol_offset + cl);
    jw_u64(&w, "ram_slack_offset", cl + si.data_end);
    jw_u64(&w, "ram_slack_length", ram);
    jw_u64(&w, "cluster_slack_offset", cl + si.sector_end);
    jw_u64(&w, "cluster_slack_length", rest);
    sbuf h;
    sb_init(&h);
    fmt_hex(&h, buf + si.data_end, ram);
    jw_str(&w, "ram_slack_hex", sb_str(&h));
    sb_clear(&h);
    fmt_hex(&h, buf + si.sector_end, rest);
    jw_str(&w, "cluster_slack_hex", sb_str(&h));
    sb_free(&h);
    jw_end(&w);
    bool ok = out_flush_line(&b);
    sb_free(&b);
    if (!ok)
        *werr = EIO;
    return ok;
}

/* What recover starts with: the image open, the stream of record -i open,
 * and what names it in messages. On failure the error is reported and
 * nothing is left open. */
static bool recover_open(cli_opts *o, cli_image *img, ntx_file *f, ntx_stream *s, sbuf *what)
{
    if (!image_open(img, o))
        return false;
    sb_init(what);
    /* deleted records too: recovering them is the point */
    if (!open_command_stream(img, o, NULL, true, f, s, what)) {
        sb_free(what);
        image_close(img);
        return false;
    }
    return true;
}

int cmd_cat(cli_opts *o)
{
    if (o->have_inode == (o->nargs > 0))
        return usage_error("cat", o->have_inode ? "give PATHs or -i MFTNUM, not both"
                                                : "give a PATH or -i MFTNUM");
    if (o->json && !o->slack)
        return usage_error("cat", "--json goes with --slack (the data itself is raw bytes)");
    cli_image img;
    if (!image_open(&img, o))
        return EXIT_FAIL;
    sbuf what;
    sb_init(&what);
    unsigned long copied = 0, failed = 0;
    bool out_gone = false;
    fflush(stdout);
    int targets = o->have_inode ? o->ninodes : o->nargs;
    for (int i = 0; i < targets && !out_gone; i++) { /* bound: the arguments */
        ntx_file f;
        ntx_stream s;
        cli_opts one = *o;
        if (o->have_inode) {
            one.inode = o->inodes[i].first;
            one.inode_stream = o->inodes[i].stream;
        }
        /* slack is about the bytes stored: an encrypted stream as stored */
        if (o->slack)
            one.raw = true;
        /* deleted records too: cat -i of a deleted file is the point of -i */
        if (!open_command_stream(&img, &one, o->have_inode ? NULL : o->args[i], true, &f, &s,
                                 &what)) {
            failed++;
            continue;
        }
        int werr;
        if (o->slack) {
            if (cat_slack(&img, &one, &f, &s, sb_str(&what), &werr)) {
                copied++;
            } else if (werr != 0) {
                if (werr != EPIPE)
                    warnf("writing standard output: %s", strerror(werr));
                out_gone = true;
            } else {
                failed++;
            }
            continue;
        }
        int rc = copy_stream(&s, STDOUT_FILENO, stdout_is_file(), NULL, NULL, &werr);
        if (rc == 1) {
            if (werr != EPIPE)
                warnf("writing standard output: %s", strerror(werr));
            out_gone = true; /* nothing more can be written */
        } else if (rc != NTX_OK) {
            report(&img, sb_str(&what), rc);
            failed++;
        } else {
            copied++;
        }
    }
    sb_free(&what);
    image_close(&img);
    /* several streams, as cat(1) concatenates files */
    return out_gone ? EXIT_FAIL : targets_exit(copied, failed);
}

/* Warn about the runs of s whose clusters are in use again; wof: s is the
 * WofCompressedData of a WOF file (its byte ranges are of the compressed
 * chunks). Returns the number of clusters found reallocated, or -1 if the
 * check failed. */
static int64_t check_reallocated(cli_image *img, ntx_stream *s, const char *what, bool quiet,
                                 bool wof)
{
    if (s->resident)
        return 0;
    int64_t total = 0;
    uint64_t cs = img->vol.geo.cluster_size;
    ntx_run run;
    for (uint64_t vcn = 0; vcn < s->vcn_end; vcn = run.vcn + run.len) {
        ntx_err rc = ntx_stream_map(s, vcn, &run);
        if (rc != NTX_OK) {
            report(img, what, rc);
            return -1;
        }
        if (run.len == 0)
            break;
        if (run.lcn == NTX_LCN_HOLE)
            continue;
        uint64_t used = 0;
        rc = ntx_volume_clusters_in_use(&img->vol, run.lcn, run.len, &used);
        if (rc != NTX_OK) {
            report(img, what, rc);
            return -1;
        }
        if (used == 0)
            continue;
        total += (int64_t)used;
        if (!quiet)
            reportf(img, what,
                    "warning: %llu of the %llu clusters at LCN %llu-%llu are in use again "
                    "(reallocated): bytes %llu-%llu%s may belong to another file",
                    (unsigned long long)used, (unsigned long long)run.len,
                    (unsigned long long)run.lcn, (unsigned long long)(run.lcn + run.len - 1),
                    (unsigned long long)(run.vcn * cs),
                    (unsigned long long)((run.vcn + run.len) * cs - 1),
                    wof ? " of WofCompressedData (the chunks stored there)" : "");
    }
    return total;
}

int cmd_recover(cli_opts *o)
{
    if (!o->have_inode)
        return usage_error("recover", "give the record with -i MFTNUM");
    cli_image img;
    ntx_file f;
    ntx_stream s;
    sbuf what;
    if (!recover_open(o, &img, &f, &s, &what))
        return EXIT_FAIL;
    int ret = EXIT_OK;
    const char *out = o->args[0];
    bool deleted = !(f.rec_flags & NTX_REC_IN_USE);
    if (!deleted && !o->quiet)
        reportf(&img, sb_str(&what), "note: the record is in use; copying its current data");
    int64_t realloc_cl = 0;
    if (deleted && s.wof_algorithm != 0) {
        /* a WOF file's bytes come from its WofCompressedData: those clusters
         * are the ones that may have been reused (its unnamed $DATA has none) */
        ntx_stream stored;
        ntx_err rc = ntx_stream_open_data(&stored, &f, "WofCompressedData", 17);
        if (rc == NTX_OK)
            realloc_cl = check_reallocated(&img, &stored, sb_str(&what), o->quiet, true);
        if (rc != NTX_OK) {
            report(&img, sb_str(&what), rc);
            realloc_cl = -1;
        }
    } else if (deleted) {
        realloc_cl = check_reallocated(&img, &s, sb_str(&what), o->quiet, false);
    }
    int fd;
    bool to_stdout = strcmp(out, "-") == 0;
    if (to_stdout) {
        fflush(stdout);
        fd = STDOUT_FILENO;
    } else {
        fd = open(out, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (o->force ? O_TRUNC : O_EXCL),
                  0644);
        if (fd < 0) {
            warnf("%s: %s%s", out, strerror(errno),
                  errno == EEXIST ? " (use -f to overwrite)" : "");
            ret = EXIT_FAIL;
            goto done;
        }
    }
    int werr;
    int rc = copy_stream(&s, fd, !to_stdout || stdout_is_file(), NULL, NULL, &werr);
    if (rc == 1) {
        warnf("%s: %s", to_stdout ? "standard output" : out, strerror(werr));
        ret = EXIT_FAIL;
    } else if (rc != NTX_OK) {
        report(&img, sb_str(&what), rc);
        ret = EXIT_FAIL;
    }
    if (!to_stdout && close(fd) != 0 && ret == EXIT_OK) {
        warnf("%s: %s", out, strerror(errno));
        ret = EXIT_FAIL;
    }
    if (ret == EXIT_OK && realloc_cl != 0)
        ret = EXIT_PARTIAL; /* written, but possibly not all of it is this file's */
    if (ret == EXIT_OK && !o->quiet && !to_stdout)
        fprintf(stderr, "%s: recovered %llu bytes of record %llu to %s\n", g_prog,
                (unsigned long long)s.size, (unsigned long long)f.mft_no, out);
done:
    sb_free(&what);
    image_close(&img);
    return ret;
}
