/*
 * test_manifest.c - the fixture manifest parser (tests/support/manifest.c)
 * on manifests written here, plus a parse of every fixtures/NAME.manifest.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "manifest.h"

#define SHA_A "9f3df903fabe06da11a6fa37770f6516ebf2253b4843ecda7a8f1b5b0c39ed31"
#define SHA_B "eacd09517ce90d34ba562171d15ac40d302f0e691b439f91be1b6406e25f5913"
#define SHA_C_UPPER "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"
#define SHA_C "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* Written to a file as is; rows deliberately not sorted, one line ends in CRLF. */
static const char sample_text[] =
    "# ntx fixture manifest v1\n"
    "# image: unit.img.gz\n"
    "# label: ntx unit \xc3\xa9t\xc3\xa9\n"
    "# sector_size: 4096\n"
    "# cluster_size: 65536\n"
    "# record_size: 4096\n"
    "# mountpoint: /tmp/ntx-fixture-ro\n"
    "# (a free comment: with a colon)\n"
    "# columns: TYPE MFT SIZE NLINK SHA256 TARGET PATH\n"
    "#no space after the hash\n"
    "# reparse\t/link\t0c0000a0040000000102abff\n"
    "# dos_name\t/Donn\xc3\xa9" "es/na\xc3\xafve file \xc3\xbc.txt\tNAVEFI~1.TXT\n"
    "d\t5\t0\t1\t-\t-\t/\n"
    "f\t64\t598\t1\t" SHA_A "\t-\t/README.txt\n"
    "\n"
    "d\t66\t0\t1\t-\t-\t/Donn\xc3\xa9" "es\n"
    "f\t67\t18446744073709551615\t2\t" SHA_C_UPPER "\t-\t/Donn\xc3\xa9" "es/na\xc3\xafve file \xc3\xbc.txt\r\n"
    "s\t67\t26\t2\t" SHA_B "\t-\t/Donn\xc3\xa9" "es/na\xc3\xafve file \xc3\xbc.txt:flux \xc3\xb1\n"
    "s\t67\t0\t2\t" SHA_C "\t-\t/Donn\xc3\xa9" "es/na\xc3\xafve file \xc3\xbc.txt:Zone.Identifier\n"
    "# a comment between rows\n"
    "l\t72\t14\t1\t-\tdocs/guide with space.txt\t/link\n"
    "f\t80\t0\t1\t" SHA_C "\t-\t/\xe6\x97\xa5\xe6\x9c\xac/\xe3\x83\x95\xe3\x82\xa1\xe3\x82\xa4\xe3\x83\xab.txt\n"
    "f\t81\t3\t1\t" SHA_A "\t-\t/odd:name.txt\n"
    "s\t81\t3\t1\t" SHA_B "\t-\t/odd:name.txt:str\n"
    "d\t82\t0\t1\t-\t-\t/README.txt dir\n";

static void temp_path(char *buf, size_t cap)
{
    const char *dir = getenv("TMPDIR");
    snprintf(buf, cap, "%s/ntx_manifest_XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(buf);
    assert_true(fd >= 0);
    close(fd);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

/* Parse text from a temp file; returns the load result. */
static int load_text(const char *text, struct ntx_test_manifest *m)
{
    char path[256];
    temp_path(path, sizeof path);
    write_text(path, text);
    int rc = ntx_test_manifest_load(path, m);
    unlink(path);
    return rc;
}

static const struct ntx_test_manifest_entry *find_ok(const struct ntx_test_manifest *m,
                                                     const char *path, const char *stream)
{
    const struct ntx_test_manifest_entry *e = ntx_test_manifest_find(m, path, stream);
    assert_non_null(e);
    assert_string_equal(e->path, path);
    if (stream)
        assert_string_equal(e->stream, stream);
    else
        assert_null(e->stream);
    return e;
}

static void test_sample(void **state)
{
    (void)state;
    struct ntx_test_manifest m;
    assert_int_equal(load_text(sample_text, &m), 0);

    assert_string_equal(m.label, "ntx unit \xc3\xa9t\xc3\xa9");
    assert_string_equal(m.image, "unit.img.gz");
    assert_string_equal(m.mountpoint, "/tmp/ntx-fixture-ro");
    assert_int_equal(m.sector_size, 4096);
    assert_int_equal(m.cluster_size, 65536);
    assert_int_equal(m.record_size, 4096);
    assert_int_equal(m.count, 11);

    /* file order is kept */
    const struct ntx_test_manifest_entry *e = &m.entries[0];
    assert_int_equal(e->type, 'd');
    assert_int_equal(e->mft, 5);
    assert_int_equal(e->size, 0);
    assert_int_equal(e->nlink, 1);
    assert_string_equal(e->sha256, "");
    assert_null(e->target);
    assert_string_equal(e->path, "/");
    assert_null(e->stream);
    assert_null(e->dos_name);
    assert_null(e->reparse);
    assert_int_equal(e->reparse_len, 0);
    assert_int_equal(e->line, 13);
    assert_ptr_equal(find_ok(&m, "/", NULL), e);

    e = &m.entries[1];
    assert_int_equal(e->type, 'f');
    assert_int_equal(e->mft, 64);
    assert_int_equal(e->size, 598);
    assert_int_equal(e->nlink, 1);
    assert_string_equal(e->sha256, SHA_A);
    assert_null(e->target);
    assert_string_equal(e->path, "/README.txt");
    assert_null(e->stream);
    assert_int_equal(e->line, 14);
    assert_ptr_equal(find_ok(&m, "/README.txt", NULL), e);

    e = &m.entries[2];
    assert_int_equal(e->type, 'd');
    assert_int_equal(e->mft, 66);
    assert_string_equal(e->path, "/Donn\xc3\xa9" "es");
    assert_int_equal(e->line, 16);

    const char *naive = "/Donn\xc3\xa9" "es/na\xc3\xafve file \xc3\xbc.txt";
    e = &m.entries[3];
    assert_int_equal(e->type, 'f');
    assert_int_equal(e->mft, 67);
    assert_int_equal(e->size, UINT64_MAX);
    assert_int_equal(e->nlink, 2);
    assert_string_equal(e->sha256, SHA_C); /* upper case folded */
    assert_string_equal(e->path, naive);   /* the CR is gone */
    assert_null(e->stream);
    assert_string_equal(e->dos_name, "NAVEFI~1.TXT");
    assert_null(e->reparse);
    assert_int_equal(e->line, 17);
    assert_ptr_equal(find_ok(&m, naive, NULL), e);

    e = &m.entries[4];
    assert_int_equal(e->type, 's');
    assert_int_equal(e->mft, 67);
    assert_int_equal(e->size, 26);
    assert_int_equal(e->nlink, 2);
    assert_string_equal(e->sha256, SHA_B);
    assert_null(e->target);
    assert_string_equal(e->path, naive);
    assert_string_equal(e->stream, "flux \xc3\xb1");
    assert_null(e->dos_name); /* notes go to the file's own row */
    assert_ptr_equal(find_ok(&m, naive, "flux \xc3\xb1"), e);

    e = &m.entries[5];
    assert_int_equal(e->type, 's');
    assert_int_equal(e->size, 0);
    assert_string_equal(e->sha256, SHA_C);
    assert_string_equal(e->stream, "Zone.Identifier");
    assert_ptr_equal(find_ok(&m, naive, "Zone.Identifier"), e);

    e = &m.entries[6];
    assert_int_equal(e->type, 'l');
    assert_int_equal(e->mft, 72);
    assert_int_equal(e->size, 14);
    assert_string_equal(e->sha256, "");
    assert_string_equal(e->target, "docs/guide with space.txt");
    assert_string_equal(e->path, "/link");
    assert_int_equal(e->line, 21);
    static const uint8_t rp[] = {0x0c, 0x00, 0x00, 0xa0, 0x04, 0x00,
                                 0x00, 0x00, 0x01, 0x02, 0xab, 0xff};
    assert_int_equal(e->reparse_len, sizeof rp);
    assert_memory_equal(e->reparse, rp, sizeof rp);
    assert_ptr_equal(find_ok(&m, "/link", NULL), e);

    e = &m.entries[7];
    assert_int_equal(e->mft, 80);
    assert_string_equal(e->path, "/\xe6\x97\xa5\xe6\x9c\xac/"
                                 "\xe3\x83\x95\xe3\x82\xa1\xe3\x82\xa4\xe3\x83\xab.txt");

    /* a stream row splits at the last ':' */
    e = &m.entries[8];
    assert_int_equal(e->type, 'f');
    assert_string_equal(e->path, "/odd:name.txt");
    assert_null(e->stream);
    e = &m.entries[9];
    assert_int_equal(e->type, 's');
    assert_string_equal(e->path, "/odd:name.txt");
    assert_string_equal(e->stream, "str");
    assert_ptr_equal(find_ok(&m, "/odd:name.txt", "str"), e);
    assert_ptr_equal(find_ok(&m, "/odd:name.txt", NULL), &m.entries[8]);

    e = &m.entries[10];
    assert_string_equal(e->path, "/README.txt dir");
    assert_int_equal(e->line, 25);

    /* every row finds itself */
    for (size_t i = 0; i < m.count; i++)
        assert_ptr_equal(ntx_test_manifest_find(&m, m.entries[i].path, m.entries[i].stream),
                         &m.entries[i]);

    /* misses */
    assert_null(ntx_test_manifest_find(&m, "/README", NULL));
    assert_null(ntx_test_manifest_find(&m, "/README.txt", "Zone.Identifier"));
    assert_null(ntx_test_manifest_find(&m, "/readme.txt", NULL)); /* exact bytes */
    assert_null(ntx_test_manifest_find(&m, "/odd", NULL));
    assert_null(ntx_test_manifest_find(&m, "/odd:name.txt:str", NULL));
    assert_null(ntx_test_manifest_find(&m, naive, "flux"));
    assert_null(ntx_test_manifest_find(&m, "", NULL));
    assert_null(ntx_test_manifest_find(&m, "/zzz", NULL));

    ntx_test_manifest_free(&m);
    assert_null(m.entries);
    assert_int_equal(m.count, 0);
    assert_null(ntx_test_manifest_find(&m, "/", NULL));
}

static void test_empty_and_headerless(void **state)
{
    (void)state;
    struct ntx_test_manifest m;
    assert_int_equal(load_text("", &m), 0);
    assert_int_equal(m.count, 0);
    assert_null(m.label);
    assert_int_equal(m.sector_size, 0);
    assert_null(ntx_test_manifest_find(&m, "/", NULL));
    ntx_test_manifest_free(&m);

    assert_int_equal(load_text("d\t5\t0\t1\t-\t-\t/", &m), 0); /* no final newline */
    assert_int_equal(m.count, 1);
    assert_null(m.label);
    assert_string_equal(m.entries[0].path, "/");
    ntx_test_manifest_free(&m);
}

/* Each of these must be rejected with -EINVAL. */
static void test_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "x\t5\t0\t1\t-\t-\t/\n",                       /* unknown type */
        "ff\t5\t0\t1\t-\t-\t/\n",                      /* type too long */
        "d\t5\t0\t1\t-\t-\n",                          /* 6 fields */
        "d 5 0 1 - - /\n",                             /* spaces, not tabs */
        "d\t\t0\t1\t-\t-\t/\n",                        /* empty MFT */
        "d\t-5\t0\t1\t-\t-\t/\n",                      /* signed */
        "d\t5\t0x10\t1\t-\t-\t/\n",                    /* hex size */
        "d\t5\t18446744073709551616\t1\t-\t-\t/\n",    /* 2^64 */
        "d\t5\t0\t1 \t-\t-\t/\n",                      /* trailing space */
        "f\t5\t0\t1\tabc\t-\t/a\n",                    /* short SHA256 */
        "f\t5\t0\t1\t" SHA_A "0\t-\t/a\n",             /* long SHA256 */
        "f\t5\t0\t1\tg" SHA_A "\t-\t/a\n",             /* 65 chars */
        "l\t5\t0\t1\t-\t\t/a\n",                       /* empty target */
        "f\t5\t0\t1\t-\t-\trelative\n",                /* relative path */
        "f\t5\t0\t1\t-\t-\t\n",                        /* empty path */
        "s\t5\t0\t1\t-\t-\t/nostream\n",               /* no ':' */
        "s\t5\t0\t1\t-\t-\t/a:\n",                     /* empty stream */
        "s\t5\t0\t1\t-\t-\t:s\n",                      /* empty path */
        "f\t5\t0\t1\t-\t-\t/a\nf\t6\t0\t1\t-\t-\t/a\n", /* duplicate */
        "f\t5\t0\t1\t-\t-\t/a\ns\t5\t0\t1\t-\t-\t/a:x\ns\t5\t0\t1\t-\t-\t/a:x\n",
        "# sector_size: abc\n",
        "# sector_size: 0\n",
        "# cluster_size: 4294967296\n",
        "# record_size: 1024\n# record_size: 1024\n",
        "# label: a\n# label: b\n",
        "# reparse\t/a\t0c00\n",                       /* no such row */
        "# reparse\t/a\t0c0\nf\t5\t0\t1\t-\t-\t/a\n",   /* odd hex */
        "# reparse\t/a\t0x00\nf\t5\t0\t1\t-\t-\t/a\n",  /* not hex */
        "# reparse\t/a\nf\t5\t0\t1\t-\t-\t/a\n",        /* no value */
        "# dos_name\tA~1\t/a\nf\t5\t0\t1\t-\t-\t/a\n",  /* fields swapped */
        "# dos_name\t/a\tA~1\n# dos_name\t/a\tA~2\nf\t5\t0\t1\t-\t-\t/a\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct ntx_test_manifest m;
        int rc = load_text(bad[i], &m);
        if (rc != -EINVAL)
            fail_msg("case %zu: got %d for \"%s\"", i, rc, bad[i]);
        assert_null(m.entries);
        assert_int_equal(m.count, 0);
        assert_null(m.label);
        ntx_test_manifest_free(&m);
    }
}

static void test_missing_file(void **state)
{
    (void)state;
    struct ntx_test_manifest m;
    assert_int_equal(ntx_test_manifest_load("/nonexistent/ntx/x.manifest", &m), -ENOENT);
    assert_int_equal(m.count, 0);
    ntx_test_manifest_free(&m);
}

/* The size of the real manifests: 6,000 rows, a third of them streams. */
static void test_large(void **state)
{
    (void)state;
    size_t n = 6000, cap = n * 96 + 64;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t len = (size_t)snprintf(text, cap, "# label: big\n");
    for (size_t i = 0; i < n; i++) {
        if (i % 3 == 2)
            len += (size_t)snprintf(text + len, cap - len,
                                    "s\t%zu\t%zu\t1\t-\t-\t/dir%zu/file %zu:ads%zu\n", i - 1, i,
                                    i / 100, i - 1, i);
        else
            len += (size_t)snprintf(text + len, cap - len,
                                    "f\t%zu\t%zu\t1\t-\t-\t/dir%zu/file %zu\n", i, i, i / 100, i);
    }
    struct ntx_test_manifest m;
    assert_int_equal(load_text(text, &m), 0);
    assert_int_equal(m.count, n);
    for (size_t i = 0; i < n; i++) {
        const struct ntx_test_manifest_entry *e = &m.entries[i];
        assert_ptr_equal(ntx_test_manifest_find(&m, e->path, e->stream), e);
        assert_int_equal(e->size, i);
    }
    assert_ptr_equal(ntx_test_manifest_find(&m, "/dir0/file 1", "ads2"), &m.entries[2]);
    assert_ptr_equal(ntx_test_manifest_find(&m, "/dir0/file 1", NULL), &m.entries[1]);
    assert_null(ntx_test_manifest_find(&m, "/dir0/file 2", NULL));
    assert_null(ntx_test_manifest_find(&m, "/dir0/file 1", "ads1"));
    assert_null(ntx_test_manifest_find(&m, "/dir60/file 6000", NULL));
    ntx_test_manifest_free(&m);
    free(text);
}

static void test_fixture_path(void **state)
{
    (void)state;
    char buf[4096];
    const char *saved = getenv("NTX_FIXTURES_DIR");
    char *copy = saved ? strdup(saved) : NULL;

    unsetenv("NTX_FIXTURES_DIR");
    assert_int_equal(ntx_test_fixture_path(buf, sizeof buf, "sample.img.gz"), 0);
    assert_string_equal(buf, NTX_FIXTURES_DIR "/sample.img.gz");

    setenv("NTX_FIXTURES_DIR", "/elsewhere", 1);
    assert_int_equal(ntx_test_fixture_path(buf, sizeof buf, "a.manifest"), 0);
    assert_string_equal(buf, "/elsewhere/a.manifest");

    char small[13];
    assert_int_equal(ntx_test_fixture_path(small, sizeof small, "a.manifest"), -ENAMETOOLONG);
    assert_string_equal(small, "");
    /* 12 chars and the NUL fit */
    assert_int_equal(ntx_test_fixture_path(small, sizeof small, "a"), 0);
    assert_string_equal(small, "/elsewhere/a");
    assert_int_equal(ntx_test_fixture_path(small, sizeof small, "ab"), -ENAMETOOLONG);

    if (copy)
        setenv("NTX_FIXTURES_DIR", copy, 1);
    else
        unsetenv("NTX_FIXTURES_DIR");
    free(copy);
}

/* Every manifest in fixtures/ parses and indexes; skipped when there are none. */
static void test_fixture_manifests(void **state)
{
    (void)state;
    char dirpath[4096];
    assert_int_equal(ntx_test_fixture_path(dirpath, sizeof dirpath, ""), 0);
    DIR *dir = opendir(dirpath);
    if (!dir)
        skip();
    struct dirent *de;
    int seen = 0;
    while ((de = readdir(dir)) != NULL) {
        size_t l = strlen(de->d_name);
        if (l < 10 || strcmp(de->d_name + l - 9, ".manifest") != 0)
            continue;
        char path[4096];
        assert_int_equal(ntx_test_fixture_path(path, sizeof path, de->d_name), 0);
        struct ntx_test_manifest m;
        int rc = ntx_test_manifest_load(path, &m);
        if (rc)
            fail_msg("%s: %d", path, rc);
        assert_non_null(m.label);
        assert_non_null(m.image);
        assert_true(m.sector_size && m.cluster_size && m.record_size);
        const struct ntx_test_manifest_entry *root = ntx_test_manifest_find(&m, "/", NULL);
        assert_non_null(root);
        assert_int_equal(root->type, 'd');
        assert_int_equal(root->mft, 5);
        for (size_t i = 0; i < m.count; i++)
            assert_ptr_equal(ntx_test_manifest_find(&m, m.entries[i].path, m.entries[i].stream),
                             &m.entries[i]);
        print_message("%s: %zu rows\n", de->d_name, m.count);
        ntx_test_manifest_free(&m);
        seen++;
    }
    closedir(dir);
    if (!seen)
        skip();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample),
        cmocka_unit_test(test_empty_and_headerless),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_large),
        cmocka_unit_test(test_fixture_path),
        cmocka_unit_test(test_fixture_manifests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
