/*
 * replay_main.c - main() of the replay_<harness> programs: run one harness's
 * LLVMFuzzerTestOneInput() over files and directories of inputs, without
 * libFuzzer, so any compiler (gcc in tests/run.sh, under ASan + UBSan) runs
 * the seed corpus and every crash reproducer as a regression test.
 *
 *   replay_<harness> [-v] [-t SECONDS] PATH...
 *
 * A PATH that is a directory is read one level deep (files only, in name
 * order). A *.gz file is inflated first (zlib). -t aborts on an input that
 * takes longer than SECONDS (a hang is a failure too); NTX_REPLAY_TIMEOUT
 * sets the same. Exit status 0 when every input ran; a crash or a failed
 * contract aborts with the sanitizer's report and the input's name on stderr.
 */
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

static const char *current;
static int verbose;

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "replay: timeout on ";
    if (write(2, msg, sizeof msg - 1) < 0 || write(2, current, strlen(current)) < 0 ||
        write(2, "\n", 1) < 0)
        _exit(3);
    abort();
}

static int run_file(const char *path, unsigned timeout)
{
    size_t len = 0;
    uint8_t *data = fz_load_gz(path, &len);
    if (data == NULL) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        return 1;
    }
    /* An exact-size copy, as libFuzzer passes it: one byte past is an ASan error. */
    uint8_t *exact = malloc(len ? len : 1);
    memcpy(exact, data, len);
    free(data);
    current = path;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (timeout)
        alarm(timeout);
    LLVMFuzzerTestOneInput(exact, len);
    if (timeout)
        alarm(0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    if (verbose || ms > 1000.0)
        fprintf(stderr, "replay: %s (%zu bytes) %.1f ms\n", path, len, ms);
    free(exact);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path, unsigned timeout, unsigned *count)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: %s: no such file or directory\n", path);
        return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
        (*count)++;
        return run_file(path, timeout);
    }
    DIR *d = opendir(path);
    if (d == NULL)
        return 1;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            names = realloc(names, cap * sizeof *names);
        }
        size_t l = strlen(path) + strlen(e->d_name) + 2;
        names[n] = malloc(l);
        snprintf(names[n], l, "%s/%s", path, e->d_name);
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
            (*count)++;
            rc |= run_file(names[i], timeout);
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    unsigned timeout = 0, count = 0;
    const char *env = getenv("NTX_REPLAY_TIMEOUT");
    if (env != NULL)
        timeout = (unsigned)atoi(env);
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-v") == 0)
            verbose = 1;
        else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
            timeout = (unsigned)atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: %s [-v] [-t SECONDS] PATH...\n", argv[0]);
            return 2;
        }
    }
    if (i == argc) {
        fprintf(stderr, "usage: %s [-v] [-t SECONDS] PATH...\n", argv[0]);
        return 2;
    }
    signal(SIGALRM, on_alarm);
    if (LLVMFuzzerInitialize != NULL)
        LLVMFuzzerInitialize(&argc, &argv);
    int rc = 0;
    for (; i < argc; i++)
        rc |= run_path(argv[i], timeout, &count);
    fprintf(stderr, "replay: %u inputs%s\n", count, rc ? ", some unreadable" : "");
    return rc;
}
