/*
 * test_oracle.c - ntx against libntfs-3g (ntfs-3g's own library, linked by
 * this test only) on every fixture: every MFT record's header, every
 * attribute of every file (type, name, form, sizes, lowest VCN, flags) and
 * every run of every non-resident extent, $STANDARD_INFORMATION as
 * ntfs-3g's inode holds it, the security descriptors of $Secure, records in
 * use, and clusters in use under every file's runs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

/* libntfs-3g's headers expect these from its own config.h. */
#define HAVE_STDINT_H 1
#include <ntfs-3g/types.h>
#include <ntfs-3g/attrib.h>
#include <ntfs-3g/inode.h>
#include <ntfs-3g/mft.h>
#include <ntfs-3g/runlist.h>
#include <ntfs-3g/security.h>
#include <ntfs-3g/volume.h>

#include "image.h"
#include "manifest.h"
#include "ntx.h"

#define MAX_ATTRS 256
#define MAX_RUNS 8192

struct attr_key {
    uint32_t type;
    uint16_t name[NTX_NAME_MAX];
    uint8_t name_len;
    uint8_t resident;
    uint16_t flags;
    uint64_t lowest_vcn;
    uint64_t size, alloc_size, init_size; /* resident: value length in size */
    uint32_t nruns;
    uint64_t run_hash;                    /* over (vcn, lcn, len) of every run */
};

struct fx {
    char name[64];
    char path[256];                       /* the image unpacked for libntfs-3g */
    struct ntx_test_image img;
    struct ntx_test_memdisk disk;
    ntx_volume vol;
    uint8_t *ws;
    ntfs_volume *n3g;
};

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    return h;
}

static int cmp_attr(const void *a, const void *b)
{
    const struct attr_key *x = a, *y = b;
    if (x->type != y->type)
        return x->type < y->type ? -1 : 1;
    if (x->name_len != y->name_len)
        return x->name_len < y->name_len ? -1 : 1;
    int c = memcmp(x->name, y->name, 2u * x->name_len);
    if (c != 0)
        return c;
    return x->lowest_vcn < y->lowest_vcn ? -1 : x->lowest_vcn > y->lowest_vcn;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    char gz[512];
    snprintf(f->name, sizeof f->name, "%s", (const char *)*state);
    snprintf(gz, sizeof gz, "%s/%s.img.gz", NTX_FIXTURES_DIR, f->name);
    assert_int_equal(ntx_test_image_load(gz, &f->img), 0);
    snprintf(f->path, sizeof f->path, "/tmp/ntx-oracle-%d-%s.img", (int)getpid(), f->name);
    FILE *out = fopen(f->path, "wb");
    assert_non_null(out);
    assert_int_equal(fwrite(f->img.data, 1, f->img.size, out), f->img.size);
    fclose(out);

    ntx_test_memdisk_from_image(&f->disk, &f->img);
    uint32_t block = f->img.data[0x0C] >= 0x10 ? 4096 : 512; /* 4 KiB sectors */
    ntx_io io = { ntx_test_memdisk_read, &f->disk, 0, f->img.size, block };
    f->ws = malloc(NTX_WORKSPACE_MAX);
    assert_int_equal(ntx_volume_mount(&f->vol, &io, f->ws, NTX_WORKSPACE_MAX), NTX_OK);
    f->n3g = ntfs_mount(f->path, NTFS_MNT_RDONLY);
    assert_non_null(f->n3g);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    ntfs_umount(f->n3g, FALSE);
    unlink(f->path);
    ntx_test_image_free(&f->img);
    free(f->ws);
    free(f);
    return 0;
}

/* The attributes of base record mft_no as libntfs-3g walks them. */
static size_t n3g_attrs(struct fx *f, uint64_t mft_no, struct attr_key *out)
{
    ntfs_inode *ni = ntfs_inode_open(f->n3g, mft_no);
    assert_non_null(ni);
    ntfs_attr_search_ctx *ctx = ntfs_attr_get_search_ctx(ni, NULL);
    size_t n = 0;
    while (!ntfs_attrs_walk(ctx)) {
        ATTR_RECORD *a = ctx->attr;
        struct attr_key *k = &out[n++];
        assert_true(n < MAX_ATTRS);
        memset(k, 0, sizeof *k);
        k->type = le32_to_cpu(a->type);
        k->name_len = a->name_length;
        const ntfschar *nm = (const ntfschar *)((const char *)a + le16_to_cpu(a->name_offset));
        for (unsigned i = 0; i < k->name_len; i++)
            k->name[i] = le16_to_cpu(nm[i]);
        k->resident = !a->non_resident;
        k->flags = le16_to_cpu(a->flags);
        if (k->resident) {
            k->size = le32_to_cpu(a->value_length);
            continue;
        }
        k->lowest_vcn = (uint64_t)sle64_to_cpu(a->lowest_vcn);
        if (k->lowest_vcn == 0) {
            k->size = (uint64_t)sle64_to_cpu(a->data_size);
            k->alloc_size = (uint64_t)sle64_to_cpu(a->allocated_size);
            k->init_size = (uint64_t)sle64_to_cpu(a->initialized_size);
        }
        runlist_element *rl = ntfs_mapping_pairs_decompress(f->n3g, a, NULL);
        assert_non_null(rl);
        for (runlist_element *r = rl; r->length != 0; r++) {
            if (r->lcn == LCN_RL_NOT_MAPPED)
                continue; /* ntfs-3g's marker for the VCNs before this extent */
            uint64_t lcn = r->lcn == LCN_HOLE ? NTX_LCN_HOLE : (uint64_t)r->lcn;
            k->run_hash = mix(mix(mix(k->run_hash, (uint64_t)r->vcn), lcn), (uint64_t)r->length);
            k->nruns++;
        }
        free(rl);
    }
    ntfs_attr_put_search_ctx(ctx);
    ntfs_inode_close(ni);
    return n;
}

/* The same from ntx, plus a check that every run's clusters are in use. */
static size_t ntx_attrs(struct fx *f, uint64_t mft_no, struct attr_key *out)
{
    ntx_file file;
    ntx_attr_iter it;
    ntx_attr_info *ai = malloc(sizeof *ai);
    size_t n = 0;
    ntx_err rc;
    assert_int_equal(ntx_file_open(&file, &f->vol, mft_no, 0), NTX_OK);
    assert_int_equal(ntx_attr_iter_open(&it, &file), NTX_OK);
    while ((rc = ntx_attr_iter_next(&it, ai)) == NTX_OK) {
        struct attr_key *k = &out[n++];
        assert_true(n < MAX_ATTRS);
        memset(k, 0, sizeof *k);
        k->type = ai->type;
        k->name_len = ai->name_len;
        memcpy(k->name, ai->name, 2u * ai->name_len);
        k->resident = ai->resident;
        k->flags = ai->flags;
        k->size = ai->size;
        if (ai->resident)
            continue;
        k->lowest_vcn = ai->lowest_vcn;
        k->alloc_size = ai->alloc_size;
        k->init_size = ai->init_size;
        ntx_run_iter ri;
        ntx_run run;
        assert_int_equal(ntx_run_iter_open(&ri, &file, ai), NTX_OK);
        while ((rc = ntx_run_iter_next(&ri, &run)) == NTX_OK) {
            k->run_hash = mix(mix(mix(k->run_hash, run.vcn), run.lcn), run.len);
            k->nruns++;
            if (run.lcn != NTX_LCN_HOLE) {
                uint64_t used;
                assert_int_equal(ntx_volume_clusters_in_use(&f->vol, run.lcn, run.len, &used),
                                 NTX_OK);
                assert_int_equal(used, run.len);
            }
        }
        assert_int_equal(rc, NTX_END);
    }
    assert_int_equal(rc, NTX_END);
    free(ai);
    return n;
}

static void check_std_info(struct fx *f, uint64_t mft_no)
{
    ntfs_inode *ni = ntfs_inode_open(f->n3g, mft_no);
    ntx_file file;
    ntx_stat st;
    assert_non_null(ni);
    assert_int_equal(ntx_file_open(&file, &f->vol, mft_no, 0), NTX_OK);
    assert_int_equal(ntx_file_stat(&file, &st), NTX_OK);
    assert_int_equal(st.si_times[NTX_TIME_CREATE], (uint64_t)sle64_to_cpu(ni->creation_time));
    assert_int_equal(st.si_times[NTX_TIME_MODIFY], (uint64_t)sle64_to_cpu(ni->last_data_change_time));
    assert_int_equal(st.si_times[NTX_TIME_MFT_CHANGE], (uint64_t)sle64_to_cpu(ni->last_mft_change_time));
    assert_int_equal(st.si_times[NTX_TIME_ACCESS], (uint64_t)sle64_to_cpu(ni->last_access_time));
    /* ntfs-3g adds its own in-memory flag for directories (0x10000000) */
    assert_int_equal(st.dos_attrs, le32_to_cpu(ni->flags) & ~0x10000000u);
    assert_int_equal(st.security_id, le32_to_cpu(ni->security_id));
    assert_int_equal(st.owner_id, le32_to_cpu(ni->owner_id));
    assert_int_equal(st.usn, (uint64_t)sle64_to_cpu(ni->usn));
    assert_int_equal(st.link_count, le16_to_cpu(ni->mrec->link_count));
    ntfs_inode_close(ni);
}

static void test_records(void **state)
{
    struct fx *f = *state;
    MFT_RECORD *m = malloc(f->n3g->mft_record_size);
    struct attr_key *mine = calloc(MAX_ATTRS, sizeof *mine), *theirs = calloc(MAX_ATTRS, sizeof *theirs);
    uint64_t records = (uint64_t)f->n3g->mft_na->initialized_size >> f->n3g->mft_record_size_bits;
    uint64_t in_use = 0, compared = 0, attrs = 0;
    assert_true(records <= f->vol.mft_records);

    for (uint64_t r = 0; r < records; r++) {
        ntx_record_info info;
        ntx_err rc = ntx_record_get_info(&f->vol, r, &info);
        int ok3g = ntfs_mft_records_read(f->n3g, r, 1, m) == 0 && ntfs_is_file_record(m->magic);
        if (!ok3g) {
            assert_int_not_equal(rc, NTX_OK);
            continue;
        }
        if (rc != NTX_OK)
            fail_msg("%s: record %llu: %s, ntfs-3g reads it", f->name, (unsigned long long)r,
                     ntx_strerror(rc));
        assert_int_equal(info.flags, le16_to_cpu(m->flags));
        assert_int_equal(info.seq, le16_to_cpu(m->sequence_number));
        assert_int_equal(info.link_count, le16_to_cpu(m->link_count));
        assert_int_equal(info.base_ref, le64_to_cpu(m->base_mft_record));
        assert_int_equal(info.lsn, (uint64_t)sle64_to_cpu(m->lsn));
        assert_int_equal(info.bytes_in_use, le32_to_cpu(m->bytes_in_use));
        assert_int_equal(info.bytes_allocated, le32_to_cpu(m->bytes_allocated));
        compared++;
        if (!(info.flags & NTX_REC_IN_USE))
            continue;
        in_use++;
        if (info.base_ref != 0)
            continue;

        size_t n1 = ntx_attrs(f, r, mine), n2 = n3g_attrs(f, r, theirs);
        if (n1 != n2)
            fail_msg("%s: record %llu: %zu attributes, ntfs-3g walks %zu", f->name,
                     (unsigned long long)r, n1, n2);
        qsort(mine, n1, sizeof *mine, cmp_attr);
        qsort(theirs, n2, sizeof *theirs, cmp_attr);
        for (size_t i = 0; i < n1; i++) {
            if (memcmp(&mine[i], &theirs[i], sizeof mine[i]) != 0)
                fail_msg("%s: record %llu: attribute 0x%x (lowest VCN %llu) differs: size %llu/%llu "
                         "runs %u/%u flags %x/%x", f->name, (unsigned long long)r, mine[i].type,
                         (unsigned long long)mine[i].lowest_vcn, (unsigned long long)mine[i].size,
                         (unsigned long long)theirs[i].size, mine[i].nruns, theirs[i].nruns,
                         mine[i].flags, theirs[i].flags);
        }
        attrs += n1;
        check_std_info(f, r);
    }

    uint8_t buf[4096];
    uint64_t bitmap_in_use, total;
    assert_int_equal(ntx_volume_count_records(&f->vol, buf, sizeof buf, &bitmap_in_use, &total),
                     NTX_OK);
    assert_int_equal(total, f->vol.mft_records);
    assert_int_equal(bitmap_in_use, in_use);
    print_message("%s: %llu records compared, %llu in use, %llu attributes with their runs\n",
                  f->name, (unsigned long long)compared, (unsigned long long)in_use,
                  (unsigned long long)attrs);
    free(m);
    free(mine);
    free(theirs);
}

/* Every descriptor of $Secure: the bytes ntfs-3g reads from $SDS for each
 * $SII entry are the bytes ntx_secure_lookup() returns. */
static void test_secure(void **state)
{
    struct fx *f = *state;
    struct SECURITY_API *scx = ntfs_initialize_file_security(f->path, NTFS_MNT_RDONLY);
    assert_non_null(scx);
    unsigned count = 0;
    for (INDEX_ENTRY *e = ntfs_read_sii(scx, NULL); e != NULL; e = ntfs_read_sii(scx, e)) {
        const SECURITY_DESCRIPTOR_HEADER *h =
            (const SECURITY_DESCRIPTOR_HEADER *)((const char *)e + le16_to_cpu(e->data_offset));
        uint32_t id = le32_to_cpu(h->security_id), len = le32_to_cpu(h->length);
        char *theirs = malloc(len);
        assert_true(ntfs_read_sds(scx, theirs, len, (u32)le64_to_cpu(h->offset)) != 0);
        uint8_t mine[65536];
        size_t got;
        assert_int_equal(ntx_secure_lookup(&f->vol, id, mine, sizeof mine, &got), NTX_OK);
        assert_int_equal(got, len - 20);
        assert_memory_equal(mine, theirs + 20, got);
        ntx_sd_info sd;
        assert_int_equal(ntx_sd_parse(mine, got, &sd), NTX_OK);
        assert_true(sd.has_owner);
        for (unsigned i = 0; i < sd.dacl_count; i++) {
            ntx_ace ace;
            assert_int_equal(ntx_sd_ace(mine, got, sd.dacl_off, i, &ace), NTX_OK);
        }
        free(theirs);
        count++;
    }
    uint8_t sd[256];
    size_t got;
    assert_int_equal(ntx_secure_lookup(&f->vol, 0xFFFFFF, sd, sizeof sd, &got), NTX_E_NOT_FOUND);
    ntfs_leave_file_security(scx);
    assert_true(count >= 2); /* mkntfs writes ids 256 and 257 */
    print_message("%s: %u security descriptors compared\n", f->name, count);
}

int main(void)
{
    static const char *names[] = { "sample", "ntfs-4k", "ntfs-512", "ntfs-64k", "ntfs-4kn",
                                   "ntfs-empty" };
    struct CMUnitTest tests[2 * sizeof names / sizeof names[0]];
    char *labels[2 * sizeof names / sizeof names[0]];
    size_t n = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (asprintf(&labels[n], "%s/records", names[i]) < 0)
            return 1;
        tests[n] = (struct CMUnitTest){ labels[n], test_records, setup, teardown, (void *)names[i] };
        n++;
        if (asprintf(&labels[n], "%s/secure", names[i]) < 0)
            return 1;
        tests[n] = (struct CMUnitTest){ labels[n], test_secure, setup, teardown, (void *)names[i] };
        n++;
    }
    int failed = _cmocka_run_group_tests("oracle", tests, n, NULL, NULL);
    for (size_t i = 0; i < n; i++)
        free(labels[i]);
    return failed;
}
