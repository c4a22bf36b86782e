/*
 * profile_walk.c - the hostile images through a core built with a firmware
 * profile (include/ntx/config.h: boot, minimal), whole. The volume harness's
 * replay takes inputs of at most 4 MiB (a fuzzer's bound), so the images
 * built on the larger fixtures (ntfs-4k, ntfs-512, wof) never reach it;
 * this program reads images of any size.
 *
 *   hostile_walk_<profile> IMAGE...
 *
 * Each image is mounted and walked through the whole API as the harnesses
 * walk it (fz_mount_walk: documented errors only, no crash), each within 60
 * seconds. Then the files below the root (breadth-first, a bounded number)
 * are opened as a loader would, and where their data is decides what must
 * happen, never the zeros of a stub $DATA:
 *   - a file with a reparse point, in a build without WOF (the minimal
 *     profile): its data is refused, NTX_E_UNSUPPORTED (telling where the
 *     data of such a file is needs the reparse data that build leaves out),
 *     or an error its damage gives first;
 *   - data stored outside the volume (ntx_stat.data_form EXTERNAL) in a
 *     build with WOF: NTX_E_EXTERNAL;
 *   - a WOF-compressed file in a build with WOF: opened (or refused as
 *     damaged), and what a read returns is the result.
 * It prints how many files of each kind each profile met.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_support.h"

#define WALK_SECONDS 60u
#define MAX_FILES 4096u
#define MAX_DIRS 1024u

static const char *current;

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "hostile_walk: no answer within 60 s: ";
    (void)!write(2, msg, sizeof msg - 1);
    (void)!write(2, current, strlen(current));
    (void)!write(2, "\n", 1);
    _exit(1);
}

typedef struct tally {
    unsigned reparse_refused, external_refused, wof_read, wof_damaged;
} tally;

static int failures;

static void fail(const char *image, const char *what, const ntx_dirent *e, ntx_err rc)
{
    char name[3 * NTX_NAME_MAX + 1];
    size_t len = 0;
    if (ntx_utf16_to_utf8(e->name, e->name_len, name, sizeof name, &len, NTX_UTF16_WTF8) !=
        NTX_OK)
        strcpy(name, "?");
    fprintf(stderr, "hostile_walk: %s: %s: %s (%s)\n", image, name, what, ntx_strerror(rc));
    failures++;
}

/* One file: what opening its data must give, by where the data is. */
static void check_file(ntx_volume *vol, const char *image, const ntx_dirent *e, tally *t)
{
    static uint8_t buf[65536];
    ntx_file f;
    ntx_stat st;
    ntx_stream s;
    size_t got;
    if (ntx_file_open(&f, vol, e->mft_ref, 0) != NTX_OK || ntx_file_stat(&f, &st) != NTX_OK ||
        st.is_dir)
        return;
    ntx_err rc = ntx_stream_open_data(&s, &f, NULL, 0);
    if (!NTX_WITH_WOF && st.reparse_tag != 0) {
        if (rc == NTX_OK)
            fail(image, "data of a reparse point opened without WOF support", e, rc);
        else
            t->reparse_refused += rc == NTX_E_UNSUPPORTED;
        return;
    }
    if (NTX_WITH_WOF && st.data_form == NTX_DATA_EXTERNAL) {
        if (rc != NTX_E_EXTERNAL)
            fail(image, "data stored outside the volume not refused as such", e, rc);
        else
            t->external_refused++;
        return;
    }
    if (NTX_WITH_WOF && st.data_form == NTX_DATA_WOF) {
        if (rc == NTX_OK)
            rc = ntx_stream_read(&s, 0, buf, sizeof buf, &got);
        if (rc == NTX_OK)
            t->wof_read++;
        else if (rc == NTX_E_CORRUPT || rc == NTX_E_UNSUPPORTED || rc == NTX_E_IO ||
                 rc == NTX_E_RANGE || rc == NTX_E_LIMIT)
            t->wof_damaged++;
        else
            fail(image, "WOF data: an error no damage explains", e, rc);
    }
}

/* Files below the root, breadth-first, each directory once. */
static void check_files(ntx_volume *vol, const char *image, tally *t)
{
    static uint64_t dirs[MAX_DIRS]; /* references */
    static ntx_dir_iter it;
    unsigned ndirs = 1, files = 0;
    dirs[0] = NTX_MFT_ROOT;
    /* bound: MAX_DIRS directories, MAX_FILES files */
    for (unsigned d = 0; d < ndirs && files < MAX_FILES; d++) {
        ntx_file dir;
        ntx_dirent e;
        if (ntx_file_open(&dir, vol, dirs[d], 0) != NTX_OK ||
            ntx_dir_iter_open(&it, &dir, NTX_DIR_SKIP_DOS | NTX_DIR_SKIP_SELF) != NTX_OK)
            continue;
        while (files < MAX_FILES && ntx_dir_iter_next(&it, &e) == NTX_OK) {
            uint64_t no = NTX_REF_MFT(e.mft_ref);
            if (no < NTX_MFT_FIRST_USER)
                continue;
            if (!e.is_dir) {
                files++;
                check_file(vol, image, &e, t);
                continue;
            }
            bool seen = false;
            for (unsigned k = 0; k < ndirs && !seen; k++)
                seen = NTX_REF_MFT(dirs[k]) == no;
            if (!seen && ndirs < MAX_DIRS)
                dirs[ndirs++] = e.mft_ref;
        }
    }
}

int main(int argc, char **argv)
{
    tally t;
    memset(&t, 0, sizeof t);
    signal(SIGALRM, on_alarm);
    for (int i = 1; i < argc; i++) {
        size_t len = 0;
        uint8_t *data = fz_load_gz(argv[i], &len);
        if (data == NULL) {
            fprintf(stderr, "hostile_walk: cannot read %s\n", argv[i]);
            return 1;
        }
        current = argv[i];
        alarm(WALK_SECONDS);
        /* a trimmed seed reads as zeros up to the size it claims, as in the harness */
        fz_dev dev = { data, len, fz_claimed_size(data, len), 0 };
        fz_stats st;
        memset(&st, 0, sizeof st);
        fz_mount_walk(&dev, 512, FZ_WALK_UPCASE, &st);
        ntx_volume *vol = NULL;
        if (fz_mount(&dev, 512, &vol) == NTX_OK)
            check_files(vol, argv[i], &t);
        alarm(0);
        free(data);
    }
    printf("%d images: %u reparse points refused (no WOF in this build), %u files stored "
           "elsewhere refused, %u WOF files read, %u refused as damaged\n",
           argc - 1, t.reparse_refused, t.external_refused, t.wof_read, t.wof_damaged);
    return failures != 0;
}
