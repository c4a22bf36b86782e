/*
 * test_sha256.c - the tests' SHA-256 (tests/support/sha256.c) against the
 * FIPS 180-2 / NIST example vectors and against sha256sum.
 *
 * Every test runs twice: with the block function picked at run time (SHA-NI
 * where the CPU has it) and with the portable C forced.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sha256.h"

/* The generated buffers: byte i is (i * 31 + 7) mod 256. */
static uint8_t *gen(size_t n)
{
    uint8_t *p = malloc(n ? n : 1);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 31 + 7);
    return p;
}

static void check_buf(const void *data, size_t len, const char *want)
{
    char hex[NTX_SHA256_HEX_SIZE];
    ntx_sha256_buf_hex(data, len, hex);
    assert_string_equal(hex, want);
}

static void check_str(const char *s, const char *want)
{
    check_buf(s, strlen(s), want);
}

static int setup_native(void **state)
{
    (void)state;
    ntx_sha256_force_portable(0);
    return 0;
}

static int setup_portable(void **state)
{
    (void)state;
    ntx_sha256_force_portable(1);
    return 0;
}

static void test_impl_selected(void **state)
{
    (void)state;
    ntx_sha256 s;
    ntx_sha256_init(&s);
    const char *impl = ntx_sha256_impl();
    assert_true(strcmp(impl, "sha-ni") == 0 || strcmp(impl, "portable") == 0);
    assert_int_equal(s.ni, impl[0] == 's');
    print_message("sha256 implementation: %s\n", impl);
}

/* FIPS 180-2 appendix B.1 */
static void test_nist_abc(void **state)
{
    (void)state;
    check_str("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* FIPS 180-2 appendix B.2: 448 bits, so the padding needs a second block */
static void test_nist_448(void **state)
{
    (void)state;
    check_str("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* The 896-bit message of FIPS 180-2 C.1 (a SHA-512 example) under SHA-256; matches sha256sum */
static void test_nist_896(void **state)
{
    (void)state;
    check_str("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
              "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
              "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

/* FIPS 180-2 appendix B.3: one million 'a', fed in one call and in pieces */
static void test_nist_million_a(void **state)
{
    (void)state;
    static const char want[] = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    size_t n = 1000000;
    char *a = malloc(n);
    assert_non_null(a);
    memset(a, 'a', n);
    check_buf(a, n, want);

    ntx_sha256 s;
    uint8_t d[32];
    char hex[65];
    ntx_sha256_init(&s);
    for (size_t i = 0; i < n; i += 1000)
        ntx_sha256_update(&s, a + i, 1000);
    ntx_sha256_final(&s, d);
    ntx_sha256_hex(d, hex);
    assert_string_equal(hex, want);
    free(a);
}

static void test_empty(void **state)
{
    (void)state;
    static const char want[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    check_buf("", 0, want);
    check_buf(NULL, 0, want);

    ntx_sha256 s;
    uint8_t d[32];
    char hex[65];
    ntx_sha256_init(&s);
    ntx_sha256_update(&s, "x", 0);
    ntx_sha256_final(&s, d);
    ntx_sha256_hex(d, hex);
    assert_string_equal(hex, want);
}

/*
 * Expected values from sha256sum, for n in the table:
 *   python3 -c "import sys; sys.stdout.buffer.write(bytes((i*31+7)&255 for i in range(n)))" | sha256sum
 * 55, 56, 63, 64 and 65 bracket the padding boundaries (56 needs a second block).
 */
static const struct {
    size_t len;
    const char *sha;
} gen_vectors[] = {
    {1, "ca358758f6d27e6cf45272937977a748fd88391db679ceda7dc7bf1f005ee879"},
    {55, "8aa994584139d128848eeebc4e815639ba5ab6e6e39574195a63ac4f14f7c43b"},
    {56, "ad574708f75c044c9b85de64cb568ee7711ff4f36448c6242f053ba8f6cc2b63"},
    {63, "280ed3e8ff1df845b2e7dfe6ac6cee817bef20e783cc65abc41b818b4d2fe076"},
    {64, "c6ab9724ade5b6a7a1edfffb12f3aa9181351355af8fd08c919952ad211339dd"},
    {65, "788367c73c7ddf4c53f65e68cc0d943e6227ab55b0e78ba63ace822b1c6301c0"},
    {127, "192409cd280e14b743642ad1343fbd3e82d9305de72c078117745a679210cc3d"},
    {128, "cc548ca2dec1f6fe4f58b2e27aa9c7521607df1130d140b55a4dad0665302356"},
    {1000, "5097e7d587352f5097062ae679f37bda5802d9f875aba14c8cb4d1a188ada179"},
    {100000, "731620161155f68e1209f22bc34a726bf5a583f40acf23ae55684b674fdbebf2"},
};

static void test_generated_one_shot(void **state)
{
    (void)state;
    for (size_t v = 0; v < sizeof gen_vectors / sizeof gen_vectors[0]; v++) {
        uint8_t *p = gen(gen_vectors[v].len);
        check_buf(p, gen_vectors[v].len, gen_vectors[v].sha);
        free(p);
    }
}

/* Feed each generated buffer in chunks of a repeating odd pattern. */
static void test_generated_split(void **state)
{
    (void)state;
    static const size_t chunks[] = {1, 3, 7, 0, 13, 61, 64, 65, 127, 2, 63, 129, 191, 55, 56, 1000};
    size_t nchunks = sizeof chunks / sizeof chunks[0];
    for (size_t v = 0; v < sizeof gen_vectors / sizeof gen_vectors[0]; v++) {
        size_t len = gen_vectors[v].len;
        uint8_t *p = gen(len);
        /* start the pattern at every offset, so each chunk size lands on each block phase */
        for (size_t start = 0; start < nchunks; start++) {
            ntx_sha256 s;
            uint8_t d[32];
            char hex[65];
            ntx_sha256_init(&s);
            size_t off = 0;
            for (size_t k = start; off < len; k++) {
                size_t c = chunks[k % nchunks];
                if (c > len - off)
                    c = len - off;
                ntx_sha256_update(&s, p + off, c);
                off += c;
            }
            ntx_sha256_final(&s, d);
            ntx_sha256_hex(d, hex);
            assert_string_equal(hex, gen_vectors[v].sha);
        }
        /* two pieces, split at every point of the short buffers */
        if (len <= 128) {
            for (size_t cut = 0; cut <= len; cut++) {
                ntx_sha256 s;
                uint8_t d[32];
                char hex[65];
                ntx_sha256_init(&s);
                ntx_sha256_update(&s, p, cut);
                ntx_sha256_update(&s, p + cut, len - cut);
                ntx_sha256_final(&s, d);
                ntx_sha256_hex(d, hex);
                assert_string_equal(hex, gen_vectors[v].sha);
            }
        }
        free(p);
    }
}

/* Input not aligned to 4 or 16 bytes: the block functions load unaligned. */
static void test_unaligned_input(void **state)
{
    (void)state;
    size_t len = 100000;
    uint8_t *src = gen(len);
    uint8_t *raw = malloc(len + 16);
    assert_non_null(raw);
    for (size_t shift = 1; shift < 16; shift += 3) {
        memcpy(raw + shift, src, len);
        check_buf(raw + shift, len,
                  "731620161155f68e1209f22bc34a726bf5a583f40acf23ae55684b674fdbebf2");
    }
    free(raw);
    free(src);
}

/* The sparse-file case: head -c 67108864 /dev/zero | sha256sum */
static void test_zeros_64mib(void **state)
{
    (void)state;
    size_t chunk = 1 << 20;
    uint8_t *z = calloc(1, chunk);
    assert_non_null(z);
    ntx_sha256 s;
    uint8_t d[32];
    char hex[65];
    ntx_sha256_init(&s);
    for (int i = 0; i < 64; i++)
        ntx_sha256_update(&s, z, chunk);
    ntx_sha256_final(&s, d);
    ntx_sha256_hex(d, hex);
    assert_string_equal(hex, "3b6a07d0d404fab4e23b6d34bc6696a6a312dd92821332385e5af7c01c421351");
    free(z);
}

static void test_hex(void **state)
{
    (void)state;
    uint8_t d[32];
    char hex[65];
    for (int i = 0; i < 32; i++)
        d[i] = (uint8_t)(i * 0x11 + 0x0f);
    memset(hex, 'X', sizeof hex);
    ntx_sha256_hex(d, hex);
    assert_int_equal(hex[64], '\0');
    /* python3 -c "print(''.join('%02x'%((i*0x11+0x0f)&255) for i in range(32)))" */
    assert_string_equal(hex, "0f2031425364758697a8b9cadbecfd0e1f30415263748596a7b8c9daebfc0d1e");
}

#define BOTH(fn)                                            \
    {#fn "/native", fn, setup_native, NULL, NULL},          \
    {#fn "/portable", fn, setup_portable, NULL, NULL}

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(test_impl_selected),
        BOTH(test_nist_abc),
        BOTH(test_nist_448),
        BOTH(test_nist_896),
        BOTH(test_nist_million_a),
        BOTH(test_empty),
        BOTH(test_generated_one_shot),
        BOTH(test_generated_split),
        BOTH(test_unaligned_input),
        BOTH(test_zeros_64mib),
        cmocka_unit_test(test_hex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
