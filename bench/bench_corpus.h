/*
 * bench_corpus.h - the three benchmark corpora, made deterministically:
 *   text   English-like text: common words with a skewed distribution;
 *   code   x86-64 programs: the ELF files of /usr/bin concatenated, by name;
 *   salad  low-redundancy "word salad": random pseudo-words from a large
 *          vocabulary (about 1.6:1 with XPRESS/LZX).
 * One pseudo-random sequence runs through all three: a program that makes
 * them in the order text, code, salad with the same size gets the same bytes
 * as every other benchmark here that does (bench_wof.c makes them so).
 * Hosted code: a header of static functions, included by one program each.
 */
#ifndef NTX_BENCH_CORPUS_H
#define NTX_BENCH_CORPUS_H

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static uint64_t g_rng = 0x2545F4914F6CDD1Dull;
static uint32_t rnd(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return (uint32_t)(g_rng >> 16);
}

static void make_text(uint8_t *p, size_t n)
{
    static const char *words[] = {
        "the",     "of",    "and",   "to",     "in",     "a",      "is",     "that",  "for",
        "it",      "as",    "was",   "with",   "be",     "by",     "on",     "not",   "he",
        "this",    "are",   "or",    "his",    "from",   "at",     "which",  "but",   "have",
        "an",      "had",   "they",  "you",    "were",   "their",  "one",    "all",   "we",
        "can",     "her",   "has",   "there",  "been",   "if",     "more",   "when",  "will",
        "would",   "who",   "so",    "no",     "time",   "people", "year",   "way",   "day",
        "man",     "thing", "woman", "life",   "child",  "world",  "school", "state", "family",
        "student", "group", "country", "problem", "hand", "part",  "place",  "case",  "week",
        "company", "system", "program", "question", "work", "government", "number", "night",
        "point",   "home",  "water", "room",   "mother", "area",   "money",  "story", "fact",
        "month",   "lot",   "right", "study",  "book",   "eye",    "job",    "word",  "business"};
    size_t nw = sizeof words / sizeof words[0], i = 0;
    int cap = 1;
    while (i < n) {
        uint32_t r = rnd();
        const char *w = words[(r % nw) * (r % nw) / nw];
        for (const char *c = w; *c && i < n; c++, cap = 0)
            p[i++] = (uint8_t)(cap ? *c - 32 : *c);
        if (i >= n)
            break;
        unsigned k = (r >> 20) % 40;
        if (k == 0) {
            p[i++] = '.';
            cap = 1;
            if (i < n)
                p[i++] = (r >> 28) % 3 == 0 ? '\n' : ' ';
        } else if (k == 1) {
            p[i++] = ',';
            if (i < n)
                p[i++] = ' ';
        } else {
            p[i++] = ' ';
        }
    }
}

static size_t make_code(uint8_t *p, size_t n)
{
    struct dirent **names;
    int k = scandir("/usr/bin", &names, NULL, alphasort);
    size_t got = 0;
    for (int i = 0; i < k; i++) {
        char path[512];
        struct stat st;
        snprintf(path, sizeof path, "/usr/bin/%s", names[i]->d_name);
        if (got < n && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            FILE *f = fopen(path, "rb");
            uint8_t head[4];
            if (f != NULL) {
                if (fread(head, 1, 4, f) == 4 && memcmp(head, "\x7f" "ELF", 4) == 0) {
                    memcpy(p + got, head, got + 4 <= n ? 4 : n - got);
                    got += got + 4 <= n ? 4 : n - got;
                    got += fread(p + got, 1, n - got, f);
                }
                fclose(f);
            }
        }
        free(names[i]);
    }
    free(names);
    return got;
}

/* Pseudo-words of 2-10 letters from a 30,000-word vocabulary, drawn
 * uniformly: few repeats within a window, letters carry ~4.5 bits. */
static void make_salad(uint8_t *p, size_t n)
{
    enum { VOCAB = 30000 };
    static char vocab[VOCAB][12];
    for (int v = 0; v < VOCAB; v++) {
        int len = 2 + (int)(rnd() % 9);
        for (int c = 0; c < len; c++)
            vocab[v][c] = (char)('a' + rnd() % 26);
        vocab[v][len] = 0;
    }
    size_t i = 0;
    while (i < n) {
        const char *w = vocab[rnd() % VOCAB];
        for (const char *c = w; *c && i < n; c++)
            p[i++] = (uint8_t)*c;
        if (i < n)
            p[i++] = rnd() % 16 == 0 ? '\n' : ' ';
    }
}

#endif
