/*
 * util.c - small helpers the commands share: opening the object named on
 * the command line, named streams, symbolic link targets, PATH:STREAM
 * splitting.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

bool open_target(cli_image *img, const cli_opts *o, const char *path, bool deleted_ok,
                 ntx_file *f, sbuf *what)
{
    ntx_err rc;
    sb_clear(what);
    if (o->have_inode) {
        sb_printf(what, "record %llu", (unsigned long long)o->inode);
        if (o->inode >= img->vol.mft_records) {
            reportf(img, sb_str(what), "no such record ($MFT holds %llu)",
                    (unsigned long long)img->vol.mft_records);
            return false;
        }
        rc = ntx_file_open(f, &img->vol, o->inode, deleted_ok ? NTX_OPEN_DELETED : 0);
    } else {
        esc_text(what, path, strlen(path));
        rc = ntx_file_open_path(f, &img->vol, path, strlen(path));
    }
    if (rc != NTX_OK) {
        report(img, sb_str(what), rc);
        return false;
    }
    return true;
}

ntx_err next_named_stream(ntx_attr_iter *ai, ntx_attr_info *info, char *name, size_t cap,
                          size_t *name_len)
{
    ntx_err rc;
    /* bound: the file's attributes (the iterator's own bound) */
    while ((rc = ntx_attr_iter_next(ai, info)) == NTX_OK) {
        /* a stream split over extents is listed once, at its first extent */
        if (info->type == NTX_AT_DATA && info->name_len != 0 &&
            (info->resident || info->lowest_vcn == 0)) {
            *name_len = name_utf8(info->name, info->name_len, name, cap);
            return NTX_OK;
        }
    }
    return rc;
}

bool file_link_target(const ntx_file *f, const ntx_stat *st, char *target, size_t cap)
{
    bool maybe_interix = !st->is_dir && (st->dos_attrs & NTX_FA_SYSTEM) && st->size >= 10 &&
                         st->size <= 8 + 2 * 4096;
    if (st->reparse_tag != NTX_REPARSE_SYMLINK && st->reparse_tag != NTX_REPARSE_MOUNT_POINT &&
        !maybe_interix)
        return false;
    static uint8_t scratch[NTX_REPARSE_BUFFER_SIZE];
    size_t len;
    return ntx_file_readlink(f, scratch, sizeof scratch, target, cap, &len) == NTX_OK;
}

void split_stream(const char *spec, sbuf *path, const char **stream)
{
    const char *slash = strrchr(spec, '/');
    const char *colon = strchr(slash ? slash : spec, ':');
    sb_clear(path);
    if (colon == NULL) {
        sb_puts(path, spec);
        *stream = NULL;
        return;
    }
    sb_put(path, spec, (size_t)(colon - spec));
    *stream = colon + 1;
}

bool primary_name(const ntx_file *f, ntx_dirent *out)
{
    ntx_attr_iter it;
    ntx_attr_info ai;
    uint8_t buf[1024];
    bool found = false;
    ntx_err rc = ntx_attr_iter_open(&it, f);
    while (rc == NTX_OK && (rc = ntx_attr_iter_next(&it, &ai)) == NTX_OK) {
        if (ai.type != NTX_AT_FILE_NAME || !ai.resident)
            continue;
        size_t got;
        ntx_dirent de;
        if (ntx_attr_read(f, &ai, 0, buf, sizeof buf, &got) != NTX_OK ||
            ntx_file_name_parse(buf, got, &de) != NTX_OK)
            continue;
        if (!found || (out->name_space == NTX_NS_DOS && de.name_space != NTX_NS_DOS)) {
            *out = de;
            found = true;
        }
    }
    return found;
}

#define WALK_MAX 256u

bool walk_dir_path(cli_image *img, uint64_t ref, sbuf *out)
{
    uint64_t seen[WALK_MAX];
    sbuf parts[WALK_MAX];
    unsigned n = 0;
    bool ok = false;
    for (;;) { /* bound: WALK_MAX hops; a record met twice is a cycle */
        uint64_t no = NTX_REF_MFT(ref);
        uint16_t seq = NTX_REF_SEQ(ref);
        if (no == NTX_MFT_ROOT) {
            ok = true;
            break;
        }
        if (n == WALK_MAX)
            break;
        bool cycle = false;
        for (unsigned i = 0; i < n; i++)
            if (seen[i] == no)
                cycle = true;
        if (cycle)
            break;
        ntx_file f;
        if (ntx_file_open(&f, &img->vol, no, NTX_OPEN_DELETED) != NTX_OK)
            break;
        if (seq != 0 && f.seq != seq &&
            !(!(f.rec_flags & NTX_REC_IN_USE) && f.seq == (uint16_t)(seq + 1u)))
            break;
        ntx_dirent de;
        if (!primary_name(&f, &de))
            break;
        seen[n] = no;
        sb_init(&parts[n]);
        char name[3 * NTX_NAME_MAX + 1];
        size_t len = name_utf8(de.name, de.name_len, name, sizeof name);
        sb_put(&parts[n], name, len);
        n++;
        ref = de.parent_ref;
    }
    if (ok)
        for (unsigned i = n; i-- > 0;) {
            sb_putc(out, '/');
            sb_put(out, parts[i].p, parts[i].len);
        }
    for (unsigned i = 0; i < n; i++)
        sb_free(&parts[i]);
    return ok;
}

bool parse_record_spec(const char *v, bool range, record_spec *out)
{
    const char *colon = strchr(v, ':');
    size_t n = colon ? (size_t)(colon - v) : strlen(v);
    char num[48];
    if (n == 0 || n >= sizeof num)
        return false;
    memcpy(num, v, n);
    num[n] = '\0';
    char *dash = range ? strchr(num, '-') : NULL;
    if (dash != NULL)
        *dash = '\0';
    if (!parse_u64(num, &out->first))
        return false;
    out->last = out->first;
    if (dash != NULL && (!parse_u64(dash + 1, &out->last) || out->last < out->first))
        return false;
    out->stream = colon ? colon + 1 : NULL;
    return true;
}

int targets_exit(unsigned long done, unsigned long failed)
{
    if (failed == 0)
        return EXIT_OK;
    return done == 0 ? EXIT_FAIL : EXIT_PARTIAL;
}

const char *data_form_name(unsigned form)
{
    switch (form) {
    case NTX_DATA_RESIDENT: return "resident";
    case NTX_DATA_PLAIN: return "plain";
    case NTX_DATA_SPARSE: return "sparse";
    case NTX_DATA_LZNT1: return "lznt1";
    case NTX_DATA_ENCRYPTED: return "encrypted";
    case NTX_DATA_WOF: return "wof";
    case NTX_DATA_EXTERNAL: return "external";
    default: return NULL;
    }
}

const char *wof_algorithm_name(unsigned algorithm)
{
    switch (algorithm) {
    case NTX_WOF_XPRESS4K: return "xpress4k";
    case NTX_WOF_LZX: return "lzx";
    case NTX_WOF_XPRESS8K: return "xpress8k";
    case NTX_WOF_XPRESS16K: return "xpress16k";
    default: return "unknown";
    }
}

/* The core decides where the data is (ntx_stat.data_form); the reparse tag
 * then says which kind of outside store. A WOF tag there is the WIM
 * provider: the file provider's data is on the volume (NTX_DATA_WOF). */
unsigned external_check(uint32_t tag)
{
    if (tag == NTX_REPARSE_WOF)
        return NTX_CHK_EXTERNAL_WIM;
    if (tag == NTX_REPARSE_DEDUP)
        return NTX_CHK_EXTERNAL_DEDUP;
    if (NTX_REPARSE_IS_CLOUD(tag))
        return NTX_CHK_EXTERNAL_CLOUD;
    if (tag == NTX_REPARSE_HSM || tag == NTX_REPARSE_HSM2)
        return NTX_CHK_EXTERNAL_HSM;
    return NTX_CHK_NONE;
}

const char *external_kind(uint32_t tag)
{
    switch (external_check(tag)) {
    case NTX_CHK_EXTERNAL_WIM: return "wim";
    case NTX_CHK_EXTERNAL_DEDUP: return "dedup";
    case NTX_CHK_EXTERNAL_CLOUD: return "cloud";
    case NTX_CHK_EXTERNAL_HSM: return "hsm";
    default: return "other";
    }
}

bool file_is_wof(const ntx_file *f)
{
    ntx_stat st;
    return ntx_file_stat(f, &st) == NTX_OK && st.data_form == NTX_DATA_WOF;
}
