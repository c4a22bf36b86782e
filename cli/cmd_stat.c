/*
 * cmd_stat.c - `ntx stat`: everything one MFT record holds, like istat but
 * complete: the header, both sets of times, DOS attributes, every
 * $FILE_NAME with its parent, the security descriptor (resident, or from
 * $Secure by security id) in SDDL, object ID, reparse point, extended
 * attributes, $EFS metadata, the attribute list, and every attribute with
 * its runs. Values come from ntx_attr_read() and the ntx_parse_*() parsers.
 * For each name, the three time sets side by side ($STANDARD_INFORMATION,
 * that $FILE_NAME, and the parent's $I30 entry of the name, from i30.c),
 * flagged where they contradict each other as timestamp tampering does.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fmt.h"
#include "i30.h"

#define VALUE_MAX (64u * 1024u) /* resident values are < 4 KiB; $EA up to 64 KiB */

typedef struct st_ctx {
    cli_image *img;
    ntx_file f;
    ntx_attr_info *attrs;
    size_t nattrs, attrs_cap;
    bool has_alist;
    unsigned long printed, failed; /* targets printed, and not opened */
    uint8_t *val;
    sbuf out, tmp;
    bool json;
    jw w;
} st_ctx;

static const char *reparse_tag_name(uint32_t tag)
{
    switch (tag) {
    case 0xA000000Cu: return "symbolic link";
    case 0xA0000003u: return "mount point (junction)";
    case 0x80000017u: return "WOF (compressed file)";
    case 0x80000013u: return "deduplication";
    case 0x9000001Au: return "cloud files";
    case 0x8000001Bu: return "app execution alias";
    case 0xA000001Du: return "WSL symbolic link";
    case 0x80000023u: return "AF_UNIX socket";
    case 0x80000024u: return "WSL FIFO";
    case 0x80000025u: return "WSL character device";
    case 0x80000026u: return "WSL block device";
    default: return "other";
    }
}

/* The value of attribute ai (whole, up to VALUE_MAX). */
static ntx_err read_value(st_ctx *c, const ntx_attr_info *ai, size_t *len)
{
    size_t got = 0;
    ntx_err rc = ntx_attr_read(&c->f, ai, 0, c->val, VALUE_MAX, &got);
    *len = got;
    return rc;
}

static void text_times(sbuf *b, const char *indent, const uint64_t t[4])
{
    static const char *const label[4] = { "created:    ", "modified:   ", "MFT changed:",
                                          "accessed:   " };
    for (int i = 0; i < 4; i++) {
        sb_printf(b, "%s%s ", indent, label[i]);
        fmt_time(b, t[i], true);
        sb_puts(b, t[i] ? " UTC\n" : "\n");
    }
}

static void json_times(jw *w, const uint64_t t[4])
{
    jw_time(w, "created", t[NTX_TIME_CREATE]);
    jw_time(w, "modified", t[NTX_TIME_MODIFY]);
    jw_time(w, "changed", t[NTX_TIME_MFT_CHANGE]);
    jw_time(w, "accessed", t[NTX_TIME_ACCESS]);
}

static void problem(st_ctx *c, const char *what, int rc)
{
    sbuf o;
    sb_init(&o);
    sb_printf(&o, "record %llu: %s", (unsigned long long)c->f.mft_no, what);
    report(c->img, sb_str(&o), rc);
    sb_free(&o);
    g_partial = 1;
}

/* ---- sections ---- */

static void do_si(st_ctx *c, const ntx_attr_info *ai, ntx_std_info *si_out, bool *have)
{
    size_t len;
    ntx_std_info si;
    ntx_err rc = read_value(c, ai, &len);
    if (rc == NTX_OK)
        rc = ntx_std_info_parse(c->val, len, &si);
    if (rc != NTX_OK) {
        problem(c, "$STANDARD_INFORMATION", rc);
        return;
    }
    *si_out = si;
    *have = true;
    sbuf *b = &c->out;
    if (c->json) {
        jw_key(&c->w, "standard_information");
        jw w;
        jw_begin(&w, b);
        json_times(&w, si.times);
        jw_u64(&w, "attrs", si.file_attrs);
        sb_clear(&c->tmp);
        fmt_dos_attrs(&c->tmp, si.file_attrs, true);
        jw_str(&w, "attr_names", sb_str(&c->tmp));
        jw_u64(&w, "max_versions", si.max_versions);
        jw_u64(&w, "version", si.version);
        jw_u64(&w, "class_id", si.class_id);
        jw_bool(&w, "v3", si.v3);
        jw_u64(&w, "owner_id", si.owner_id);
        jw_u64(&w, "security_id", si.security_id);
        jw_u64(&w, "quota_charged", si.quota_charged);
        jw_u64(&w, "usn", si.usn);
        sb_putc(b, '}');
        return;
    }
    sb_puts(b, "$STANDARD_INFORMATION\n");
    text_times(b, "  ", si.times);
    sb_puts(b, "  attributes:  ");
    fmt_dos_attrs(b, si.file_attrs, true);
    sb_printf(b, " (0x%08x)\n", si.file_attrs);
    if (si.v3)
        sb_printf(b, "  owner id %u, security id %u, quota charged %llu, USN %llu\n", si.owner_id,
                  si.security_id, (unsigned long long)si.quota_charged,
                  (unsigned long long)si.usn);
    else
        sb_puts(b, "  (NTFS 1.2 layout: no owner id, security id, quota or USN)\n");
    if (si.max_versions || si.version || si.class_id)
        sb_printf(b, "  max versions %u, version %u, class id %u\n", si.max_versions, si.version,
                  si.class_id);
}

static void do_file_names(st_ctx *c)
{
    sbuf *b = &c->out;
    bool first = true;
    if (c->json) {
        jw_key(&c->w, "file_names");
        sb_putc(b, '[');
    }
    for (size_t i = 0; i < c->nattrs; i++) {
        const ntx_attr_info *ai = &c->attrs[i];
        if (ai->type != NTX_AT_FILE_NAME)
            continue;
        size_t len;
        ntx_dirent de;
        ntx_err rc = read_value(c, ai, &len);
        if (rc == NTX_OK)
            rc = ntx_file_name_parse(c->val, len, &de);
        if (rc != NTX_OK) {
            problem(c, "$FILE_NAME", rc);
            continue;
        }
        sbuf ppath;
        sb_init(&ppath);
        bool resolved = walk_dir_path(c->img, de.parent_ref, &ppath);
        char name[3 * NTX_NAME_MAX + 1];
        size_t nlen = name_utf8(de.name, de.name_len, name, sizeof name);
        if (c->json) {
            if (!first)
                sb_putc(b, ',');
            jw w;
            jw_begin(&w, b);
            jw_u64(&w, "id", ai->instance);
            jw_u64(&w, "record", ai->rec_no);
            jw_strn(&w, "name", name, nlen);
            jw_str(&w, "namespace", namespace_name(de.name_space));
            jw_u64(&w, "parent", NTX_REF_MFT(de.parent_ref));
            jw_u64(&w, "parent_seq", NTX_REF_SEQ(de.parent_ref));
            if (resolved) {
                sbuf full;
                sb_init(&full);
                sb_put(&full, ppath.p, ppath.len);
                sb_putc(&full, '/');
                sb_put(&full, name, nlen);
                jw_strn(&w, "path", full.p, full.len);
                sb_free(&full);
            } else {
                jw_null(&w, "path");
            }
            jw_u64(&w, "attrs", de.file_attrs);
            jw_u64(&w, "alloc_size", de.alloc_size);
            jw_u64(&w, "data_size", de.data_size);
            jw_u64(&w, "reparse_tag", de.reparse_tag);
            json_times(&w, de.times);
            sb_putc(b, '}');
        } else {
            sb_printf(b, "$FILE_NAME (id %u, %s", ai->instance, namespace_name(de.name_space));
            if (ai->rec_no != c->f.mft_no)
                sb_printf(b, ", in record %llu", (unsigned long long)ai->rec_no);
            sb_puts(b, "): \"");
            esc_text(b, name, nlen);
            sb_puts(b, "\"\n");
            sb_printf(b, "  parent:      %llu-%u ", (unsigned long long)NTX_REF_MFT(de.parent_ref),
                      NTX_REF_SEQ(de.parent_ref));
            if (resolved) {
                sb_putc(b, '(');
                if (ppath.len == 0)
                    sb_putc(b, '/');
                esc_text(b, ppath.p, ppath.len);
                sb_puts(b, ")\n  path:        ");
                esc_text(b, ppath.p, ppath.len);
                sb_putc(b, '/');
                esc_text(b, name, nlen);
                sb_putc(b, '\n');
            } else {
                sb_puts(b, "(not reachable from the root)\n");
            }
            sb_puts(b, "  attributes:  ");
            fmt_dos_attrs(b, de.file_attrs, true);
            sb_printf(b, " (0x%08x)\n", de.file_attrs);
            sb_printf(b, "  sizes:       %llu allocated, %llu data (as this name records them)\n",
                      (unsigned long long)de.alloc_size, (unsigned long long)de.data_size);
            if (de.reparse_tag)
                sb_printf(b, "  reparse tag: 0x%08x\n", de.reparse_tag);
            text_times(b, "  ", de.times);
        }
        first = false;
        sb_free(&ppath);
    }
    if (c->json)
        sb_putc(b, ']');
}

/* ---- the three time sets ---- */

/* The NTX_TIME_* order of the columns and their names (text, JSON). */
static const int ts_order[4] = { NTX_TIME_CREATE, NTX_TIME_MODIFY, NTX_TIME_MFT_CHANGE,
                                 NTX_TIME_ACCESS };
static const char *const ts_key[4] = { "created", "modified", "changed", "accessed" };
static const char *const ts_label[4] = { "created:    ", "modified:   ", "MFT changed:",
                                         "accessed:   " };

/*
 * What contradicts, as bit masks over ts_order (bit i: ts_order[i]):
 *   si_before_fn  $STANDARD_INFORMATION created earlier than $FILE_NAME
 *                 created. The kernel sets both at creation and user-mode
 *                 tools (SetFileTime) reach only the first; a backdated file
 *                 shows this. Benign too after a copy that sets the creation
 *                 time (robocopy /COPY:T) or file name tunneling.
 *   si_zero_frac  $STANDARD_INFORMATION times whose 100 ns part is zero: NTFS
 *                 keeps 100 ns, tools that set times often whole seconds.
 *                 Benign for times copied from FAT or an archive.
 *   i30_newer     $I30 entry times later than both others: the directory's
 *                 copy is written from the file's times, so it is never newer
 *                 unless they were set back after it was written.
 */
typedef struct ts_flags {
    bool si_before_fn;
    unsigned si_zero_frac, i30_newer;
} ts_flags;

#define TS_SECOND 10000000ull /* NT time units per second */

static ts_flags ts_check(const uint64_t *si, const uint64_t *fn, const uint64_t *i30)
{
    ts_flags f;
    memset(&f, 0, sizeof f);
    if (si != NULL && fn != NULL && si[NTX_TIME_CREATE] != 0 &&
        si[NTX_TIME_CREATE] < fn[NTX_TIME_CREATE])
        f.si_before_fn = true;
    for (int i = 0; i < 4; i++) {
        int k = ts_order[i];
        if (si != NULL && si[k] != 0 && si[k] % TS_SECOND == 0)
            f.si_zero_frac |= 1u << i;
        if (si != NULL && fn != NULL && i30 != NULL && i30[k] > si[k] && i30[k] > fn[k])
            f.i30_newer |= 1u << i;
    }
    return f;
}

static bool ts_any(const ts_flags *f)
{
    return f->si_before_fn || f->si_zero_frac || f->i30_newer;
}

/* The time kinds of mask as JSON strings: ["created",...] */
static void ts_json_kinds(sbuf *b, unsigned mask)
{
    bool first = true;
    sb_putc(b, '[');
    for (int i = 0; i < 4; i++)
        if (mask & (1u << i)) {
            sb_printf(b, "%s\"%s\"", first ? "" : ",", ts_key[i]);
            first = false;
        }
    sb_putc(b, ']');
}

static void ts_text_kinds(sbuf *b, unsigned mask)
{
    static const char *const words[4] = { "created", "modified", "MFT changed", "accessed" };
    bool first = true;
    for (int i = 0; i < 4; i++)
        if (mask & (1u << i)) {
            sb_printf(b, "%s%s", first ? "" : ", ", words[i]);
            first = false;
        }
}

/* One time in a column 29 wide ("-" when there is none). */
static void ts_cell(sbuf *b, const uint64_t *t, int k)
{
    sbuf one;
    sb_init(&one);
    if (t == NULL)
        sb_putc(&one, '-');
    else
        fmt_time(&one, t[k], true);
    put_left(b, one.p, one.len, 29);
    sb_free(&one);
}

static void ts_text(st_ctx *c, const ntx_attr_info *ai, const ntx_dirent *fn, const uint64_t *si,
                    const uint64_t *i30, i30_status st, const ts_flags *f)
{
    sbuf *b = &c->out;
    char name[3 * NTX_NAME_MAX + 1];
    size_t nlen = name_utf8(fn->name, fn->name_len, name, sizeof name);
    sb_printf(b, "Times side by side (UTC), name \"");
    esc_text(b, name, nlen);
    sb_printf(b, "\" ($FILE_NAME id %u), its entry in the $I30 index of record %llu:\n",
              ai->instance, (unsigned long long)NTX_REF_MFT(fn->parent_ref));
    sb_puts(b, "               ");
    put_left(b, "$STANDARD_INFORMATION", 21, 29);
    put_left(b, "$FILE_NAME", 10, 29);
    sb_puts(b, "$I30 entry\n");
    for (int i = 0; i < 4; i++) {
        sb_printf(b, "  %s ", ts_label[i]);
        ts_cell(b, si, ts_order[i]);
        ts_cell(b, fn->times, ts_order[i]);
        ts_cell(b, i30, ts_order[i]);
        while (b->len > 0 && b->p[b->len - 1] == ' ')
            b->len--;
        sb_putc(b, '\n');
    }
    if (st != I30_FOUND) {
        static const char *const why[] = {
            [I30_FOUND] = "", [I30_ABSENT] = "the directory has no entry of this name for this "
                                             "file (deleted, renamed, or reused)",
            [I30_NO_PARENT] = "the parent is not a directory in use",
            [I30_ELSEWHERE] = "in an index block, on the volume (not in a copy of $MFT)",
            [I30_ERROR] = "the lookup failed" };
        sb_printf(b, "  $I30 entry:  none: %s\n", why[st]);
    }
    if (!ts_any(f)) {
        sb_puts(b, "  flags:       none\n");
        return;
    }
    if (f->si_before_fn)
        sb_puts(b, "  flag:        si_before_fn: $STANDARD_INFORMATION created before "
                   "$FILE_NAME created (backdated?)\n");
    if (f->si_zero_frac) {
        sb_puts(b, "  flag:        si_zero_fraction: $STANDARD_INFORMATION times in whole "
                   "seconds: ");
        ts_text_kinds(b, f->si_zero_frac);
        sb_putc(b, '\n');
    }
    if (f->i30_newer) {
        sb_puts(b, "  flag:        i30_newer: the $I30 entry later than both others: ");
        ts_text_kinds(b, f->i30_newer);
        sb_putc(b, '\n');
    }
}

static void ts_json(st_ctx *c, const ntx_attr_info *ai, const ntx_dirent *fn,
                    const uint64_t *i30, i30_status st, const ts_flags *f)
{
    sbuf *b = &c->out;
    char name[3 * NTX_NAME_MAX + 1];
    size_t nlen = name_utf8(fn->name, fn->name_len, name, sizeof name);
    jw w;
    jw_begin(&w, b);
    jw_u64(&w, "id", ai->instance);
    jw_strn(&w, "name", name, nlen);
    jw_str(&w, "namespace", namespace_name(fn->name_space));
    jw_u64(&w, "parent", NTX_REF_MFT(fn->parent_ref));
    jw_u64(&w, "parent_seq", NTX_REF_SEQ(fn->parent_ref));
    jw_str(&w, "i30_status", i30_status_word(st));
    jw_key(&w, "i30");
    if (i30 != NULL) {
        jw t;
        jw_begin(&t, b);
        json_times(&t, i30);
        sb_putc(b, '}');
    } else {
        sb_puts(b, "null");
    }
    jw_key(&w, "flags");
    sb_putc(b, '[');
    bool first = true;
    if (f->si_before_fn) {
        sb_puts(b, "\"si_before_fn\"");
        first = false;
    }
    if (f->si_zero_frac) {
        sb_puts(b, first ? "\"si_zero_fraction\"" : ",\"si_zero_fraction\"");
        first = false;
    }
    if (f->i30_newer)
        sb_puts(b, first ? "\"i30_newer\"" : ",\"i30_newer\"");
    sb_putc(b, ']');
    jw_key(&w, "si_zero_fraction");
    ts_json_kinds(b, f->si_zero_frac);
    jw_key(&w, "i30_newer");
    ts_json_kinds(b, f->i30_newer);
    sb_putc(b, '}');
}

/* For each $FILE_NAME: the three sets, and what contradicts. */
static void do_time_sets(st_ctx *c, const ntx_std_info *si, bool have_si)
{
    sbuf *b = &c->out;
    bool first = true;
    if (c->json) {
        jw_key(&c->w, "time_sets");
        sb_putc(b, '[');
    }
    for (size_t i = 0; i < c->nattrs; i++) {
        const ntx_attr_info *ai = &c->attrs[i];
        if (ai->type != NTX_AT_FILE_NAME)
            continue;
        size_t len;
        ntx_dirent fn, entry;
        ntx_err rc = read_value(c, ai, &len);
        if (rc == NTX_OK)
            rc = ntx_file_name_parse(c->val, len, &fn);
        if (rc != NTX_OK)
            continue; /* reported with the names */
        ntx_err err;
        i30_status st = i30_find(c->img, c->f.mft_no, &fn, &entry, &err);
        if (st == I30_ERROR) {
            problem(c, "$I30 entry", err);
        }
        const uint64_t *i30 = st == I30_FOUND ? entry.times : NULL;
        const uint64_t *sit = have_si ? si->times : NULL;
        ts_flags f = ts_check(sit, fn.times, i30);
        if (c->json) {
            if (!first)
                sb_putc(b, ',');
            ts_json(c, ai, &fn, i30, st, &f);
        } else {
            ts_text(c, ai, &fn, sit, i30, st, &f);
        }
        first = false;
    }
    if (c->json)
        sb_putc(b, ']');
}

static void do_security(st_ctx *c, const ntx_std_info *si, bool have_si)
{
    sbuf *b = &c->out;
    const ntx_attr_info *res = NULL;
    for (size_t i = 0; i < c->nattrs; i++)
        if (c->attrs[i].type == NTX_AT_SECURITY_DESCRIPTOR)
            res = &c->attrs[i];
    size_t len = 0;
    ntx_err rc;
    const char *source;
    uint32_t sec_id = have_si && si->v3 ? si->security_id : 0;
    if (res != NULL) {
        rc = read_value(c, res, &len);
        source = "$SECURITY_DESCRIPTOR attribute";
    } else if (sec_id != 0) {
        rc = ntx_secure_lookup(&c->img->vol, sec_id, c->val, VALUE_MAX, &len);
        source = "$Secure";
    } else {
        if (c->json)
            jw_null(&c->w, "security");
        return;
    }
    ntx_sd_info sd;
    if (rc == NTX_OK)
        rc = ntx_sd_parse(c->val, len, &sd);
    if (rc != NTX_OK) {
        problem(c, "security descriptor", rc);
        if (c->json)
            jw_null(&c->w, "security");
        return;
    }
    sbuf sddl;
    sb_init(&sddl);
    if (!fmt_sddl(&sddl, c->val, len, &sd))
        g_partial = 1;
    if (c->json) {
        jw_key(&c->w, "security");
        jw w;
        jw_begin(&w, b);
        jw_str(&w, "source", source);
        jw_u64(&w, "security_id", sec_id);
        jw_u64(&w, "control", sd.control);
        if (sd.has_owner) {
            sb_clear(&c->tmp);
            fmt_sid(&c->tmp, &sd.owner);
            jw_str(&w, "owner", sb_str(&c->tmp));
        } else {
            jw_null(&w, "owner");
        }
        if (sd.has_group) {
            sb_clear(&c->tmp);
            fmt_sid(&c->tmp, &sd.group);
            jw_str(&w, "group", sb_str(&c->tmp));
        } else {
            jw_null(&w, "group");
        }
        jw_str(&w, "sddl", sb_str(&sddl));
        sb_putc(b, '}');
    } else {
        sb_printf(b, "Security descriptor (%s", source);
        if (sec_id)
            sb_printf(b, ", security id %u", sec_id);
        sb_printf(b, ", control 0x%04x)\n", sd.control);
        sbuf al;
        sb_init(&al);
        if (sd.has_owner) {
            sb_puts(b, "  owner: ");
            fmt_sid(b, &sd.owner);
            const char *a = sid_alias(&sd.owner, &al);
            if (a)
                sb_printf(b, " (%s)", a);
            sb_putc(b, '\n');
        }
        if (sd.has_group) {
            sb_puts(b, "  group: ");
            fmt_sid(b, &sd.group);
            const char *a = sid_alias(&sd.group, &al);
            if (a)
                sb_printf(b, " (%s)", a);
            sb_putc(b, '\n');
        }
        sb_free(&al);
        sb_printf(b, "  DACL:  %u entries; SACL: %u entries\n", sd.dacl_count, sd.sacl_count);
        sb_puts(b, "  SDDL:  ");
        sb_put(b, sddl.p, sddl.len);
        sb_putc(b, '\n');
    }
    sb_free(&sddl);
}

static void do_object_id(st_ctx *c, const ntx_attr_info *ai)
{
    size_t len;
    ntx_object_id oid;
    ntx_err rc = read_value(c, ai, &len);
    if (rc == NTX_OK)
        rc = ntx_object_id_parse(c->val, len, &oid);
    if (rc != NTX_OK) {
        problem(c, "$OBJECT_ID", rc);
        return;
    }
    sbuf *b = &c->out;
    static const char *const names[4] = { "object_id", "birth_volume_id", "birth_object_id",
                                          "domain_id" };
    const uint8_t *g[4] = { oid.object_id, oid.birth_volume_id, oid.birth_object_id,
                            oid.domain_id };
    if (c->json) {
        jw_key(&c->w, "object_id");
        jw w;
        jw_begin(&w, b);
        for (int i = 0; i < (oid.extended ? 4 : 1); i++) {
            sb_clear(&c->tmp);
            fmt_guid(&c->tmp, g[i]);
            jw_str(&w, names[i], sb_str(&c->tmp));
        }
        sb_putc(b, '}');
        return;
    }
    sb_puts(b, "$OBJECT_ID\n");
    for (int i = 0; i < (oid.extended ? 4 : 1); i++) {
        sb_printf(b, "  %-16s {", names[i]);
        fmt_guid(b, g[i]);
        sb_puts(b, "}\n");
    }
}

static void do_reparse(st_ctx *c)
{
    static uint8_t buf[NTX_REPARSE_BUFFER_SIZE];
    ntx_reparse rp;
    ntx_err rc = ntx_file_reparse(&c->f, buf, sizeof buf, &rp);
    sbuf *b = &c->out;
    if (rc != NTX_OK) {
        problem(c, "$REPARSE_POINT", rc);
        return;
    }
    /* the core decodes the names of links and junctions (WTF-8, a U+0000
     * kept as a 0 byte, which the escapes show) */
    bool names = rp.subst != NULL;
    const char *subst = rp.subst, *print = rp.print;
    size_t sl = rp.subst_utf8_len, pl = rp.print_utf8_len;
    size_t dump = rp.data_len < 256 ? rp.data_len : 256;
    if (c->json) {
        jw_key(&c->w, "reparse");
        jw w;
        jw_begin(&w, b);
        jw_u64(&w, "tag", rp.tag);
        jw_str(&w, "kind", reparse_tag_name(rp.tag));
        jw_u64(&w, "data_len", rp.data_len);
        if (names) {
            jw_u64(&w, "flags", rp.flags);
            jw_bool(&w, "relative", rp.tag == NTX_REPARSE_SYMLINK && (rp.flags & 1u));
            jw_strn(&w, "substitute", subst, sl);
            jw_strn(&w, "print", print, pl);
        }
        sb_clear(&c->tmp);
        fmt_hex(&c->tmp, buf + 8, dump);
        jw_str(&w, "data_hex", sb_str(&c->tmp));
        sb_putc(b, '}');
        return;
    }
    sb_printf(b, "Reparse point: tag 0x%08X (%s), %u bytes of data\n", rp.tag,
              reparse_tag_name(rp.tag), rp.data_len);
    if (names) {
        if (rp.tag == NTX_REPARSE_SYMLINK)
            sb_printf(b, "  %s\n", (rp.flags & 1u) ? "relative" : "absolute");
        sb_puts(b, "  substitute name: \"");
        esc_text(b, subst, sl);
        sb_puts(b, "\"\n  print name:      \"");
        esc_text(b, print, pl);
        sb_puts(b, "\"\n");
    } else {
        sb_puts(b, "  data: ");
        fmt_hex(b, buf + 8, dump);
        sb_puts(b, dump < rp.data_len ? "...\n" : "\n");
    }
}

static void do_ea(st_ctx *c, const ntx_attr_info *ai)
{
    size_t len;
    ntx_err rc = read_value(c, ai, &len);
    if (rc != NTX_OK) {
        problem(c, "$EA", rc);
        return;
    }
    sbuf *b = &c->out;
    if (c->json) {
        jw_key(&c->w, "ea");
        sb_putc(b, '[');
    } else {
        sb_puts(b, "Extended attributes ($EA)\n");
    }
    size_t pos = 0;
    ntx_ea ea;
    bool first = true;
    for (unsigned i = 0; i < 65536 && (rc = ntx_ea_next(c->val, len, &pos, &ea)) == NTX_OK;
         i++) {
        if (c->json) {
            if (!first)
                sb_putc(b, ',');
            jw w;
            jw_begin(&w, b);
            jw_strn(&w, "name", ea.name, ea.name_len);
            jw_u64(&w, "flags", ea.flags);
            sb_clear(&c->tmp);
            fmt_hex(&c->tmp, ea.value, ea.value_len);
            jw_str(&w, "value_hex", sb_str(&c->tmp));
            sb_putc(b, '}');
        } else {
            sb_puts(b, "  ");
            esc_text(b, ea.name, ea.name_len);
            sb_printf(b, " (flags 0x%02x, %u bytes): ", ea.flags, ea.value_len);
            size_t show = ea.value_len < 64 ? ea.value_len : 64;
            fmt_hex(b, ea.value, show);
            sb_puts(b, show < ea.value_len ? "...\n" : "\n");
        }
        first = false;
    }
    if (c->json)
        sb_putc(b, ']');
    if (rc != NTX_END)
        problem(c, "$EA entries", rc);
}

static void do_efs(st_ctx *c, const ntx_attr_info *ai)
{
    size_t len;
    ntx_efs_info efs;
    ntx_err rc = read_value(c, ai, &len);
    if (rc == NTX_OK)
        rc = ntx_efs_parse(c->val, len, &efs);
    if (rc != NTX_OK) {
        problem(c, "$EFS", rc);
        return;
    }
    sbuf *b = &c->out;
    if (c->json) {
        jw_key(&c->w, "efs");
        jw w;
        jw_begin(&w, b);
        jw_u64(&w, "length", efs.length);
        jw_u64(&w, "version", efs.version);
        jw_u64(&w, "ddf_count", efs.ddf_count);
        jw_u64(&w, "drf_count", efs.drf_count);
        jw_u64(&w, "ddf_offset", efs.ddf_off);
        jw_u64(&w, "drf_offset", efs.drf_off);
        sb_putc(b, '}');
        return;
    }
    sb_printf(b,
              "$EFS (encrypted file metadata): %u bytes, EFS version %u, %u data decryption "
              "field(s), %u data recovery field(s)\n"
              "  the data is encrypted: `ntx cat --raw` writes the ciphertext\n",
              efs.length, efs.version, efs.ddf_count, efs.drf_count);
}

/* How much of a WOF file's size its compressed data takes, as "54.4"
 * (per cent) and the JSON "ratio" (stored / size); false for an empty file. */
static bool wof_ratio(const ntx_stat *st, double *fraction)
{
    if (st->size == 0)
        return false;
    *fraction = (double)st->stored_size / (double)st->size;
    return true;
}

/* Where the file's data is: its size and allocation, and how reading it
 * works (resident, plain, sparse, LZNT1, EFS), for a WOF-compressed file
 * the algorithm, chunk size and compressed size, for data stored outside
 * the volume where it is (ntx_file_stat()'s data_form). */
static void do_data(st_ctx *c)
{
    ntx_stat st;
    sbuf *b = &c->out;
    ntx_err rc = ntx_file_stat(&c->f, &st);
    if (rc != NTX_OK) {
        /* a bad $STANDARD_INFORMATION or $FILE_NAME has its own line already */
        unsigned check = c->img->vol.diag.check;
        if (check != NTX_CHK_STD_INFO && check != NTX_CHK_FILE_NAME)
            problem(c, "data", rc);
        if (c->json)
            jw_null(&c->w, "data");
        return;
    }
    if (!st.has_data || st.is_dir) {
        if (c->json)
            jw_null(&c->w, "data");
        return;
    }
    bool wof = st.data_form == NTX_DATA_WOF, ext = st.data_form == NTX_DATA_EXTERNAL;
    uint64_t chunks = 0;
    if (wof && st.wof_chunk_size != 0)
        chunks = (st.size + st.wof_chunk_size - 1) / st.wof_chunk_size;
    double frac = 0;
    bool have_ratio = wof && wof_ratio(&st, &frac);
    if (c->json) {
        jw_key(&c->w, "data");
        jw w;
        jw_begin(&w, b);
        jw_u64(&w, "size", st.size);
        jw_u64(&w, "alloc_size", st.alloc_size);
        const char *form = data_form_name(st.data_form);
        if (form != NULL)
            jw_str(&w, "form", form);
        else
            jw_null(&w, "form");
        jw_u64(&w, "flags", st.data_flags);
        if (wof) {
            jw_str(&w, "wof_algorithm", wof_algorithm_name(st.wof_algorithm));
            jw_u64(&w, "wof_chunk_size", st.wof_chunk_size);
            jw_u64(&w, "chunks", chunks);
            jw_u64(&w, "stored_size", st.stored_size);
        } else {
            jw_null(&w, "wof_algorithm");
            jw_null(&w, "wof_chunk_size");
            jw_null(&w, "chunks");
            jw_null(&w, "stored_size");
        }
        if (have_ratio) {
            char num[32];
            snprintf(num, sizeof num, "%.4f", frac);
            jw_raw(&w, "ratio", num);
        } else {
            jw_null(&w, "ratio");
        }
        if (ext)
            jw_str(&w, "external", external_kind(st.reparse_tag));
        else
            jw_null(&w, "external");
        sb_putc(b, '}');
        return;
    }
    if (ext) {
        sb_printf(b,
                  "Data: %llu bytes, stored outside this file: %s (reparse tag 0x%08x)\n"
                  "  the unnamed $DATA holds none of it (`cat --raw` gives what it holds)\n",
                  (unsigned long long)st.size, check_text(external_check(st.reparse_tag)),
                  st.reparse_tag);
        return;
    }
    sb_printf(b, "Data: %llu bytes (%llu allocated)%s%s%s%s\n", (unsigned long long)st.size,
              (unsigned long long)st.alloc_size, wof ? ", WOF-compressed" : "",
              !wof && (st.data_flags & NTX_ATTR_FLAG_COMPRESSED) ? ", compressed" : "",
              !wof && (st.data_flags & NTX_ATTR_FLAG_SPARSE) ? ", sparse" : "",
              (st.data_flags & NTX_ATTR_FLAG_ENCRYPTED) ? ", encrypted" : "");
    if (!wof)
        return;
    sb_printf(b, "  algorithm:   %s, chunks of %u bytes, %llu chunk%s\n",
              wof_algorithm_name(st.wof_algorithm), st.wof_chunk_size,
              (unsigned long long)chunks, chunks == 1 ? "" : "s");
    sb_printf(b, "  compressed:  %llu bytes in $DATA:WofCompressedData",
              (unsigned long long)st.stored_size);
    if (have_ratio)
        sb_printf(b, " (%.1f %% of the size)", 100.0 * frac);
    sb_puts(b, "\n  the unnamed $DATA is sparse (`cat --raw` gives its zeros)\n");
}

static void attr_flags_words(sbuf *b, uint16_t f)
{
    if (f & NTX_ATTR_FLAG_COMPRESSED)
        sb_puts(b, " compressed");
    if (f & NTX_ATTR_FLAG_ENCRYPTED)
        sb_puts(b, " encrypted");
    if (f & NTX_ATTR_FLAG_SPARSE)
        sb_puts(b, " sparse");
}

static void do_attributes(st_ctx *c)
{
    sbuf *b = &c->out;
    if (c->json) {
        jw_key(&c->w, "attributes");
        sb_putc(b, '[');
    } else {
        sb_puts(b, "Attributes:\n");
    }
    for (size_t i = 0; i < c->nattrs; i++) {
        const ntx_attr_info *ai = &c->attrs[i];
        char name[3 * NTX_NAME_MAX + 1];
        size_t nlen = name_utf8(ai->name, ai->name_len, name, sizeof name);
        if (c->json) {
            if (i)
                sb_putc(b, ',');
            jw w;
            jw_begin(&w, b);
            jw_u64(&w, "type", ai->type);
            jw_str(&w, "type_name", attr_type_name(ai->type));
            jw_strn(&w, "name", name, nlen);
            jw_u64(&w, "id", ai->instance);
            jw_u64(&w, "flags", ai->flags);
            jw_bool(&w, "resident", ai->resident);
            jw_u64(&w, "record", ai->rec_no);
            jw_u64(&w, "offset", ai->attr_off);
            jw_u64(&w, "size", ai->size);
            if (!ai->resident) {
                jw_u64(&w, "alloc_size", ai->alloc_size);
                jw_u64(&w, "init_size", ai->init_size);
                jw_u64(&w, "lowest_vcn", ai->lowest_vcn);
                jw_i64(&w, "highest_vcn", ai->highest_vcn);
                jw_u64(&w, "compression_unit", ai->cu_shift ? 1u << ai->cu_shift : 0);
                jw_key(&w, "runs");
                sb_putc(b, '[');
            }
        } else {
            sb_printf(b, "  0x%02x %s", ai->type, attr_type_name(ai->type));
            if (nlen) {
                sb_puts(b, " \"");
                esc_text(b, name, nlen);
                sb_putc(b, '"');
            }
            sb_printf(b, "  id %u  %s", ai->instance, ai->resident ? "resident" : "non-resident");
            attr_flags_words(b, ai->flags);
            if (ai->resident)
                sb_printf(b, "  %llu bytes", (unsigned long long)ai->size);
            else
                sb_printf(b, "  size %llu  allocated %llu  initialized %llu",
                          (unsigned long long)ai->size, (unsigned long long)ai->alloc_size,
                          (unsigned long long)ai->init_size);
            if (!ai->resident && ai->highest_vcn < 0)
                sb_puts(b, "  no runs (highest VCN -1)");
            else if (!ai->resident)
                sb_printf(b, "  VCN %llu-%lld", (unsigned long long)ai->lowest_vcn,
                          (long long)ai->highest_vcn);
            if (!ai->resident && ai->cu_shift)
                sb_printf(b, "  compression unit %u clusters", 1u << ai->cu_shift);
            sb_printf(b, "  [record %llu +0x%x]\n", (unsigned long long)ai->rec_no, ai->attr_off);
        }
        if (!ai->resident) {
            ntx_run_iter it;
            ntx_run run;
            ntx_err rc = ntx_run_iter_open(&it, &c->f, ai);
            bool first = true;
            while (rc == NTX_OK && (rc = ntx_run_iter_next(&it, &run)) == NTX_OK) {
                if (c->json) {
                    if (!first)
                        sb_putc(b, ',');
                    if (run.lcn == NTX_LCN_HOLE)
                        sb_printf(b, "{\"vcn\":%llu,\"lcn\":null,\"len\":%llu}",
                                  (unsigned long long)run.vcn, (unsigned long long)run.len);
                    else
                        sb_printf(b, "{\"vcn\":%llu,\"lcn\":%llu,\"len\":%llu}",
                                  (unsigned long long)run.vcn, (unsigned long long)run.lcn,
                                  (unsigned long long)run.len);
                } else if (run.lcn == NTX_LCN_HOLE) {
                    sb_printf(b, "      VCN %llu-%llu  sparse  (%llu clusters)\n",
                              (unsigned long long)run.vcn,
                              (unsigned long long)(run.vcn + run.len - 1),
                              (unsigned long long)run.len);
                } else {
                    sb_printf(b, "      VCN %llu-%llu  LCN %llu-%llu  (%llu clusters)\n",
                              (unsigned long long)run.vcn,
                              (unsigned long long)(run.vcn + run.len - 1),
                              (unsigned long long)run.lcn,
                              (unsigned long long)(run.lcn + run.len - 1),
                              (unsigned long long)run.len);
                }
                first = false;
                if (b->len > (1u << 16) && !c->json)
                    out_flush_line(b);
            }
            if (c->json)
                sb_puts(b, "]}");
            if (rc != NTX_END)
                problem(c, "runlist", rc);
        } else if (c->json) {
            sb_putc(b, '}');
        }
    }
    if (c->json)
        sb_putc(b, ']');
}

/* Everything stat prints for the file open in c->f, written to standard
 * output. The attributes are collected first (c->attrs grows as needed)
 * because the sections below look them up by type. */
static void stat_file(st_ctx *c)
{
    c->nattrs = 0;
    c->has_alist = false;
    ntx_attr_iter it;
    ntx_attr_info ai;
    ntx_err rc = ntx_attr_iter_open(&it, &c->f);
    /* bound: the iterator's own (the record's attributes and its list) */
    while (rc == NTX_OK && (rc = ntx_attr_iter_next(&it, &ai)) == NTX_OK) {
        if (c->nattrs == c->attrs_cap) {
            ntx_attr_info *n = realloc(c->attrs, 2 * c->attrs_cap * sizeof *c->attrs);
            if (n == NULL)
                break;
            c->attrs = n;
            c->attrs_cap *= 2;
        }
        c->attrs[c->nattrs++] = ai;
        if (ai.type == NTX_AT_ATTRIBUTE_LIST)
            c->has_alist = true;
    }
    if (rc != NTX_END)
        problem(c, "attributes", rc);

    ntx_record_info ri;
    rc = ntx_record_get_info(&c->img->vol, c->f.mft_no, &ri);
    if (rc != NTX_OK) {
        problem(c, "header", rc);
        memset(&ri, 0, sizeof ri);
        ri.mft_no = c->f.mft_no;
        ri.seq = c->f.seq;
        ri.flags = c->f.rec_flags;
    }
    bool in_use = (ri.flags & NTX_REC_IN_USE) != 0;
    bool is_dir = (ri.flags & NTX_REC_DIRECTORY) != 0;
    sbuf *b = &c->out;
    if (c->json) {
        jw_begin(&c->w, b);
        jw_u64(&c->w, "mft", ri.mft_no);
        jw_u64(&c->w, "seq", ri.seq);
        jw_bool(&c->w, "in_use", in_use);
        jw_bool(&c->w, "dir", is_dir);
        jw_u64(&c->w, "flags", ri.flags);
        jw_u64(&c->w, "lsn", ri.lsn);
        jw_u64(&c->w, "link_count", ri.link_count);
        jw_u64(&c->w, "bytes_in_use", ri.bytes_in_use);
        jw_u64(&c->w, "bytes_allocated", ri.bytes_allocated);
        jw_u64(&c->w, "next_attr_id", ri.next_instance);
        jw_bool(&c->w, "attribute_list", c->has_alist);
        jw_u64(&c->w, "attributes_gone", it.lost);
    } else {
        sb_printf(b, "MFT record %llu, sequence %u: %s %s%s%s\n", (unsigned long long)ri.mft_no,
                  ri.seq, in_use ? "in use," : "NOT IN USE (deleted),",
                  is_dir ? "directory" : "file", (ri.flags & NTX_REC_EXTEND) ? ", in $Extend" : "",
                  (ri.flags & NTX_REC_VIEW_INDEX) ? ", view index" : "");
        sb_printf(b,
                  "  $LogFile sequence number %llu, link count %u, %u of %u bytes in use, next "
                  "attribute id %u\n",
                  (unsigned long long)ri.lsn, ri.link_count, ri.bytes_in_use, ri.bytes_allocated,
                  ri.next_instance);
        if (c->has_alist) {
            sb_puts(b, "  attribute list: attributes in records");
            uint64_t prev = UINT64_MAX;
            for (size_t i = 0; i < c->nattrs; i++) {
                bool seen = false;
                for (size_t j = 0; j < i; j++)
                    if (c->attrs[j].rec_no == c->attrs[i].rec_no)
                        seen = true;
                if (!seen && c->attrs[i].rec_no != prev)
                    sb_printf(b, " %llu", (unsigned long long)c->attrs[i].rec_no);
                prev = c->attrs[i].rec_no;
            }
            sb_putc(b, '\n');
            if (it.lost != 0)
                sb_printf(b, "  attribute list: %u %s (removed or overwritten since the file "
                          "was deleted)\n", it.lost, it.lost == 1 ? "entry names an attribute that is gone" :
                          "entries name attributes that are gone");
        }
    }
    ntx_std_info si;
    bool have_si = false;
    memset(&si, 0, sizeof si);
    for (size_t i = 0; i < c->nattrs; i++)
        if (c->attrs[i].type == NTX_AT_STANDARD_INFORMATION && !have_si)
            do_si(c, &c->attrs[i], &si, &have_si);
    if (c->json && !have_si)
        jw_null(&c->w, "standard_information");
    do_file_names(c);
    do_time_sets(c, &si, have_si);
    do_data(c);
    do_security(c, &si, have_si);
    /* The sections in a fixed order (JSON fields are documented in order),
     * each from the first attribute of its type. */
    const ntx_attr_info *oid = NULL, *rp = NULL, *ea = NULL, *efs = NULL;
    for (size_t i = 0; i < c->nattrs; i++) {
        const ntx_attr_info *a = &c->attrs[i];
        if (a->type == NTX_AT_OBJECT_ID && oid == NULL)
            oid = a;
        else if (a->type == NTX_AT_REPARSE_POINT && rp == NULL)
            rp = a;
        else if (a->type == NTX_AT_EA && ea == NULL)
            ea = a;
        else if (a->type == NTX_AT_LOGGED_UTILITY_STREAM && a->name_len == 4 &&
                 a->name[0] == '$' && a->name[1] == 'E' && a->name[2] == 'F' &&
                 a->name[3] == 'S' && efs == NULL)
            efs = a;
    }
    if (oid != NULL)
        do_object_id(c, oid);
    else if (c->json)
        jw_null(&c->w, "object_id");
    if (rp != NULL)
        do_reparse(c);
    else if (c->json)
        jw_null(&c->w, "reparse");
    if (ea != NULL)
        do_ea(c, ea);
    else if (c->json)
        jw_null(&c->w, "ea");
    if (efs != NULL)
        do_efs(c, efs);
    else if (c->json)
        jw_null(&c->w, "efs");
    do_attributes(c);
    if (c->json)
        jw_end(&c->w);
    out_flush_line(b);
}

/* Opens and prints one target: a PATH, or record `mft_no` (NULL path).
 * False when it could not be opened (the reason is on stderr already). */
static bool stat_target(st_ctx *c, const cli_opts *o, const char *path, uint64_t mft_no)
{
    cli_opts one = *o;
    one.have_inode = path == NULL;
    one.inode = mft_no;
    if (!open_target(c->img, &one, path, true, &c->f, &c->tmp))
        return false;
    if (c->printed++ != 0 && !c->json)
        sb_putc(&c->out, '\n'); /* a blank line between records */
    stat_file(c);
    return true;
}

/* Records first..last, cut at the end of $MFT: a range that starts past it
 * is reported by open_target, one that ends past it just ends. */
static void stat_range(st_ctx *c, const cli_opts *o, uint64_t first, uint64_t last)
{
    uint64_t records = c->img->vol.mft_records;
    if (last >= records && first < records)
        last = records - 1;
    for (uint64_t n = first;; n++) { /* bound: the range, at most $MFT's records */
        if (!stat_target(c, o, NULL, n))
            c->failed++;
        if (n >= last || n >= records)
            break;
    }
}

int cmd_stat(cli_opts *o)
{
    if (o->have_inode == (o->nargs > 0))
        return usage_error("stat", o->have_inode ? "give PATHs or -i MFTNUM, not both"
                                                 : "give a PATH or -i MFTNUM[-LAST]");
    cli_image img;
    if (!image_open(&img, o))
        return EXIT_FAIL;
    st_ctx c;
    memset(&c, 0, sizeof c);
    c.img = &img;
    c.json = o->json;
    sb_init(&c.out);
    sb_init(&c.tmp);
    c.val = malloc(VALUE_MAX);
    c.attrs_cap = 16;
    c.attrs = malloc(c.attrs_cap * sizeof *c.attrs);
    if (c.val == NULL || c.attrs == NULL) {
        reportf(&img, NULL, "out of memory");
        c.failed = 1;
    } else if (o->have_inode) {
        for (int i = 0; i < o->ninodes; i++) /* bound: the arguments */
            stat_range(&c, o, o->inodes[i].first, o->inodes[i].last);
    } else {
        for (int i = 0; i < o->nargs; i++) /* bound: the arguments */
            if (!stat_target(&c, o, o->args[i], 0))
                c.failed++;
    }
    free(c.val);
    free(c.attrs);
    sb_free(&c.out);
    sb_free(&c.tmp);
    image_close(&img);
    return targets_exit(c.printed, c.failed);
}
