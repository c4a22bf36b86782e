/*
 * cmd_extract.c - `ntx extract IMAGE PATH DEST`: copy a tree out of the
 * image, keeping modification and access times.
 *
 * Safety (R35 in docs/robustness.md): every name is checked before it touches the host
 * file system: ".", "..", and names holding '/' or NUL are refused. Every
 * file and directory is created relative to its parent's descriptor
 * (openat/mkdirat with O_NOFOLLOW, O_EXCL unless -f), so a symbolic link
 * met in DEST, or created by the extraction itself, is never followed out
 * of DEST. Links in the image are recreated as links, never followed; a
 * directory already on the current path (a hard-link cycle) is not entered
 * again. Sparse files stay sparse.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define EX_MAX_DEPTH 512u

typedef struct ex_frame {
    ntx_dir_iter it;
    uint64_t mft_no;
    int fd;                 /* the output directory */
    size_t path_len;        /* of ctx.path */
    struct timespec times[2];
} ex_frame;

typedef struct ex_ctx {
    cli_image *img;
    cli_opts *o;
    sbuf path;              /* image path (WTF-8) */
    sbuf tmp;
    /* progress */
    bool progress;
    uint64_t total_bytes, total_files, done_bytes, done_files;
    struct timespec last;
    bool drawn;
} ex_ctx;

static struct timespec nt_timespec(uint64_t nt)
{
    struct timespec ts;
    if (nt == 0) {
        ts.tv_sec = 0;
        ts.tv_nsec = UTIME_OMIT;
        return ts;
    }
    ts.tv_sec = (time_t)nt_to_unix(nt);
    ts.tv_nsec = (long)(nt % 10000000ull) * 100;
    return ts;
}

static void draw_progress(ex_ctx *c, bool final)
{
    if (!c->progress)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long ms = (now.tv_sec - c->last.tv_sec) * 1000 + (now.tv_nsec - c->last.tv_nsec) / 1000000;
    if (!final && c->drawn && ms < 100)
        return;
    c->last = now;
    c->drawn = true;
    double frac = c->total_bytes ? (double)c->done_bytes / (double)c->total_bytes
                  : c->total_files ? (double)c->done_files / (double)c->total_files
                                   : 1.0;
    if (frac > 1.0)
        frac = 1.0;
    int width = 30, fill = (int)(frac * width);
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = '\0';
    fprintf(stderr, "\r[%s] %3d%%  %llu/%llu files  %.1f/%.1f MiB%s", bar, (int)(frac * 100),
            (unsigned long long)c->done_files, (unsigned long long)c->total_files,
            (double)c->done_bytes / 1048576.0, (double)c->total_bytes / 1048576.0,
            final ? "\n" : "");
}

static void progress_bytes(void *ctx, uint64_t n)
{
    ex_ctx *c = ctx;
    c->done_bytes += n;
    draw_progress(c, false);
}

static void ex_problem(ex_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ex_problem(ex_ctx *c, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sb_clear(&c->tmp);
    esc_text(&c->tmp, c->path.p, c->path.len);
    if (c->drawn) {
        fputc('\n', stderr); /* keep the message off the progress line */
        c->drawn = false;
    }
    reportf(c->img, sb_str(&c->tmp), "%s", msg);
    g_partial = 1;
}

static void ex_report(ex_ctx *c, int rc)
{
    sb_clear(&c->tmp);
    esc_text(&c->tmp, c->path.p, c->path.len);
    if (c->drawn) {
        fputc('\n', stderr);
        c->drawn = false;
    }
    report(c->img, sb_str(&c->tmp), rc);
    g_partial = 1;
}

/* R35: a name that may be created on the host. */
static const char *name_refusal(const char *name, size_t len)
{
    if (len == 0)
        return "empty name";
    if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
        return "name is \".\" or \"..\"";
    if (memchr(name, '/', len) != NULL)
        return "name holds '/'";
    if (memchr(name, '\0', len) != NULL)
        return "name holds a NUL character";
    return NULL;
}

/* Write stream s to dfd/name (a new regular file). */
static bool ex_write_file(ex_ctx *c, int dfd, const char *name, ntx_stream *s,
                          const uint64_t *si_times)
{
    int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | (c->o->force ? O_TRUNC : O_EXCL);
    int fd = openat(dfd, name, flags, 0644);
    if (fd < 0) {
        ex_problem(c, "cannot create: %s", strerror(errno));
        return false;
    }
    int werr = 0;
    int rc = copy_stream(s, fd, true, progress_bytes, c, &werr);
    bool ok = true;
    if (rc == 1) {
        ex_problem(c, "writing: %s", strerror(werr));
        ok = false;
    } else if (rc != NTX_OK) {
        ex_report(c, rc);
        ok = false;
    }
    if (si_times != NULL) {
        struct timespec ts[2] = { nt_timespec(si_times[NTX_TIME_ACCESS]),
                                  nt_timespec(si_times[NTX_TIME_MODIFY]) };
        if (futimens(fd, ts) != 0 && ok)
            ex_problem(c, "setting times: %s", strerror(errno));
    }
    if (close(fd) != 0 && ok) {
        ex_problem(c, "writing: %s", strerror(errno));
        ok = false;
    }
    if (!ok)
        unlinkat(dfd, name, 0); /* no half-written file left behind */
    return ok;
}

static void ex_streams(ex_ctx *c, int dfd, const char *name, size_t nlen, const ntx_file *f,
                       const ntx_stat *st)
{
    ntx_attr_iter ai;
    ntx_attr_info info;
    char sname[3 * NTX_NAME_MAX + 1];
    size_t slen;
    ntx_err rc = ntx_attr_iter_open(&ai, f);
    while (rc == NTX_OK &&
           (rc = next_named_stream(&ai, &info, sname, sizeof sname, &slen)) == NTX_OK) {
        size_t keep = c->path.len;
        sb_putc(&c->path, ':');
        sb_put(&c->path, sname, slen);
        const char *why = name_refusal(sname, slen);
        char out[2 * (3 * NTX_NAME_MAX + 1) + 2];
        ntx_stream s;
        if (why != NULL) {
            ex_problem(c, "stream not extracted: %s", why);
        } else {
            memcpy(out, name, nlen);
            out[nlen] = ':';
            memcpy(out + nlen + 1, sname, slen);
            out[nlen + 1 + slen] = '\0';
            ntx_err src = ntx_stream_open(&s, f, NTX_AT_DATA, info.name, info.name_len);
            if (src != NTX_OK)
                ex_report(c, src);
            else
                ex_write_file(c, dfd, out, &s, st->si_times);
        }
        c->path.len = keep;
        c->path.p[keep] = '\0';
    }
    if (rc != NTX_END)
        ex_report(c, rc);
}

/* One non-directory entry: a link or a file. Returns whether it was
 * written (its named streams aside). */
static bool ex_leaf(ex_ctx *c, int dfd, const char *name, size_t nlen, const ntx_file *f,
                    const ntx_stat *st)
{
    char target[NTX_LINK_MAX];
    if (file_link_target(f, st, target, sizeof target)) {
        if (c->o->force)
            unlinkat(dfd, name, 0);
        if (symlinkat(target, dfd, name) != 0) {
            ex_problem(c, "cannot create the symbolic link: %s", strerror(errno));
            return false;
        }
        struct timespec ts[2] = { nt_timespec(st->si_times[NTX_TIME_ACCESS]),
                                  nt_timespec(st->si_times[NTX_TIME_MODIFY]) };
        utimensat(dfd, name, ts, AT_SYMLINK_NOFOLLOW);
        c->done_files++;
        return true;
    }
    bool written = false;
    ntx_stream s;
    ntx_err rc = ntx_stream_open_data(&s, f, NULL, 0);
    if (rc == NTX_E_NOT_FOUND) { /* no unnamed $DATA: an empty file */
        memset(&s, 0, sizeof s);
        int fd = openat(dfd, name,
                        O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
                            (c->o->force ? O_TRUNC : O_EXCL),
                        0644);
        if (fd < 0)
            ex_problem(c, "cannot create: %s", strerror(errno));
        else
            written = close(fd) == 0;
    } else if (rc != NTX_OK) {
        /* data stored outside the file (NTX_E_EXTERNAL) is skipped with
         * the line saying where it is */
        if (rc == NTX_E_UNSUPPORTED && c->img->vol.diag.check == NTX_CHK_ENCRYPTED &&
            file_is_wof(f))
            ex_problem(c, "%s", WOF_ENCRYPTED);
        else if (rc == NTX_E_UNSUPPORTED && c->img->vol.diag.check == NTX_CHK_ENCRYPTED)
            ex_problem(c, "%s", "EFS-encrypted: not extracted (`ntx cat --raw` gives the "
                                "ciphertext)");
        else
            ex_report(c, rc);
    } else {
        written = ex_write_file(c, dfd, name, &s, st->si_times);
    }
    c->done_files++;
    if (c->o->streams)
        ex_streams(c, dfd, name, nlen, f, st);
    draw_progress(c, false);
    return written;
}

/* Count what a walk will write (the index's sizes: an estimate for the bar). */
static void ex_count(ex_ctx *c, const ntx_file *root)
{
    size_t cap = 16, depth = 1;
    ntx_dir_iter *st = malloc(cap * sizeof *st);
    uint64_t *nos = malloc(cap * sizeof *nos);
    if (st == NULL || nos == NULL || ntx_dir_iter_open(&st[0], root, NTX_DIR_SKIP_DOS | NTX_DIR_SKIP_SELF) != NTX_OK) {
        free(st);
        free(nos);
        return;
    }
    nos[0] = root->mft_no;
    while (depth > 0) {
        ntx_dirent e;
        if (ntx_dir_iter_next(&st[depth - 1], &e) != NTX_OK) {
            depth--;
            continue;
        }
        uint64_t no = NTX_REF_MFT(e.mft_ref);
        if (!c->o->all && no < NTX_MFT_FIRST_USER)
            continue;
        if (!e.is_dir) {
            c->total_files++;
            c->total_bytes += e.data_size;
            continue;
        }
        if (e.reparse_tag != 0 || depth >= EX_MAX_DEPTH)
            continue;
        bool on = false;
        for (size_t i = 0; i < depth; i++)
            on |= nos[i] == no;
        ntx_file f;
        if (on || ntx_file_open(&f, &c->img->vol, e.mft_ref, 0) != NTX_OK)
            continue;
        if (depth == cap) {
            ntx_dir_iter *a = realloc(st, 2 * cap * sizeof *st);
            uint64_t *b = a ? realloc(nos, 2 * cap * sizeof *nos) : NULL;
            if (a)
                st = a;
            if (b == NULL)
                continue;
            nos = b;
            cap *= 2;
        }
        if (ntx_dir_iter_open(&st[depth], &f, NTX_DIR_SKIP_DOS | NTX_DIR_SKIP_SELF) == NTX_OK)
            nos[depth++] = no;
    }
    free(st);
    free(nos);
}

int cmd_extract(cli_opts *o)
{
    const char *src = o->args[0], *dest = o->args[1];
    cli_image img;
    if (!image_open(&img, o))
        return EXIT_FAIL;
    ex_ctx c;
    memset(&c, 0, sizeof c);
    c.img = &img;
    c.o = o;
    sb_init(&c.path);
    sb_init(&c.tmp);
    int ret = EXIT_OK;
    ex_frame *stack = NULL;
    int dest_fd = -1;

    ntx_file root;
    if (!open_target(&img, o, src, false, &root, &c.tmp)) {
        ret = EXIT_FAIL;
        goto done;
    }
    ntx_stat rst;
    ntx_err rc = ntx_file_stat(&root, &rst);
    if (rc != NTX_OK) {
        report(&img, sb_str(&c.tmp), rc);
        ret = EXIT_FAIL;
        goto done;
    }
    /* DEST: created if missing; an existing one must be an empty directory unless -f */
    if (mkdir(dest, 0755) != 0 && errno != EEXIST) {
        warnf("%s: cannot create: %s", dest, strerror(errno));
        ret = EXIT_FAIL;
        goto done;
    }
    dest_fd = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dest_fd < 0) {
        warnf("%s: %s", dest, strerror(errno));
        ret = EXIT_FAIL;
        goto done;
    }
    if (!o->force) {
        int probe = dup(dest_fd);
        DIR *d = probe >= 0 ? fdopendir(probe) : NULL;
        bool empty = true;
        struct dirent *de;
        while (d != NULL && (de = readdir(d)) != NULL)
            if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                empty = false;
        if (d != NULL)
            closedir(d);
        if (!empty) {
            warnf("%s: not empty (use -f to write into it)", dest);
            ret = EXIT_FAIL;
            goto done;
        }
    }
    c.progress = isatty(STDERR_FILENO) && !o->quiet && !o->no_progress;
    /* the image path of the start, normalised */
    for (const char *p = src; *p != '\0';) {
        while (*p == '/')
            p++;
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n > 0 && !(n == 1 && p[0] == '.')) {
            sb_putc(&c.path, '/');
            sb_put(&c.path, p, n);
        }
        p += n;
    }
    (void)sb_str(&c.path);

    if (!rst.is_dir) {
        const char *slash = strrchr(c.path.p, '/');
        const char *base = slash ? slash + 1 : c.path.p;
        c.total_files = 1;
        c.total_bytes = rst.size;
        /* the one object named could not be read: an error, not a partial tree */
        if (!ex_leaf(&c, dest_fd, base, strlen(base), &root, &rst))
            ret = EXIT_FAIL;
        draw_progress(&c, true);
        goto done;
    }
    if (c.progress)
        ex_count(&c, &root);

    size_t cap = 16, depth = 0;
    stack = malloc(cap * sizeof *stack);
    unsigned flags = NTX_DIR_SKIP_DOS | NTX_DIR_SKIP_SELF;
    if (stack == NULL || (rc = ntx_dir_iter_open(&stack[0].it, &root, flags)) != NTX_OK) {
        report(&img, sb_str(&c.tmp), stack ? rc : NTX_E_ARG);
        ret = EXIT_FAIL;
        goto done;
    }
    stack[0].mft_no = root.mft_no;
    stack[0].fd = dest_fd;
    stack[0].path_len = c.path.len;
    stack[0].times[0] = nt_timespec(rst.si_times[NTX_TIME_ACCESS]);
    stack[0].times[1] = nt_timespec(rst.si_times[NTX_TIME_MODIFY]);
    dest_fd = -1; /* owned by the stack now */
    depth = 1;
    while (depth > 0) { /* bound: depth cap; a directory on the path is not re-entered */
        ex_frame *fr = &stack[depth - 1];
        ntx_dirent ent;
        rc = ntx_dir_iter_next(&fr->it, &ent);
        c.path.len = fr->path_len;
        c.path.p[c.path.len] = '\0';
        if (rc != NTX_OK) {
            if (rc != NTX_END)
                ex_report(&c, rc);
            futimens(fr->fd, fr->times); /* after its content is written */
            close(fr->fd);
            depth--;
            continue;
        }
        uint64_t child = NTX_REF_MFT(ent.mft_ref);
        if (!o->all && child < 16)
            continue;
        char name[3 * NTX_NAME_MAX + 1];
        size_t nlen = name_utf8(ent.name, ent.name_len, name, sizeof name);
        sb_putc(&c.path, '/');
        sb_put(&c.path, name, nlen);
        const char *why = name_refusal(name, nlen);
        if (why == NULL && nlen == 0 && ent.name_len != 0)
            why = "name cannot be converted";
        if (why != NULL) {
            ex_problem(&c, "not extracted: %s", why);
            continue;
        }
        ntx_file f;
        ntx_stat st;
        rc = ntx_file_open(&f, &img.vol, ent.mft_ref, 0);
        if (rc == NTX_OK)
            rc = ntx_file_stat(&f, &st);
        if (rc != NTX_OK) {
            ex_report(&c, rc);
            continue;
        }
        if (!st.is_dir || st.reparse_tag != 0) {
            ex_leaf(&c, fr->fd, name, nlen, &f, &st);
            continue;
        }
        bool on_path = false;
        for (size_t i = 0; i < depth; i++)
            on_path |= stack[i].mft_no == f.mft_no;
        if (on_path) {
            ex_problem(&c, "%s", "directory cycle: already on the path; not entered");
            continue;
        }
        if (depth >= EX_MAX_DEPTH) {
            ex_problem(&c, "%s", "too deep; not entered");
            continue;
        }
        if (mkdirat(fr->fd, name, 0755) != 0 && !(errno == EEXIST && o->force)) {
            ex_problem(&c, "cannot create the directory: %s", strerror(errno));
            continue;
        }
        int fd = openat(fr->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            ex_problem(&c, "cannot open the new directory: %s", strerror(errno));
            continue;
        }
        if (depth == cap) {
            ex_frame *ns = realloc(stack, 2 * cap * sizeof *stack);
            if (ns == NULL) {
                close(fd);
                ex_problem(&c, "%s", "out of memory");
                continue;
            }
            stack = ns;
            cap *= 2;
            fr = &stack[depth - 1];
        }
        rc = ntx_dir_iter_open(&stack[depth].it, &f, flags);
        if (rc != NTX_OK) {
            close(fd);
            ex_report(&c, rc);
            continue;
        }
        stack[depth].mft_no = f.mft_no;
        stack[depth].fd = fd;
        stack[depth].path_len = c.path.len;
        stack[depth].times[0] = nt_timespec(st.si_times[NTX_TIME_ACCESS]);
        stack[depth].times[1] = nt_timespec(st.si_times[NTX_TIME_MODIFY]);
        depth++;
        if (o->streams)
            ex_streams(&c, fr->fd, name, nlen, &f, &st);
    }
    draw_progress(&c, true);
done:
    if (dest_fd >= 0)
        close(dest_fd);
    free(stack);
    sb_free(&c.path);
    sb_free(&c.tmp);
    image_close(&img);
    return ret;
}
