/*
 * sha256.c - SHA-256 as specified in FIPS 180-4, section 6.2.
 *
 * The tests hash gigabytes (sparse files read back as zeros), so whole
 * blocks are compressed straight from the caller's buffer and the 64 rounds
 * are unrolled with the message schedule kept in a 16-word ring.
 */
#include "sha256.h"

#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#define SHA256_HAVE_NI 1
#include <cpuid.h>
#include <immintrin.h>
#endif

static const uint32_t sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t sha256_rotr(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32 - n));
}

static inline uint32_t sha256_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline void sha256_put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

#define S0(x) (sha256_rotr(x, 2) ^ sha256_rotr(x, 13) ^ sha256_rotr(x, 22))
#define S1(x) (sha256_rotr(x, 6) ^ sha256_rotr(x, 11) ^ sha256_rotr(x, 25))
#define s0(x) (sha256_rotr(x, 7) ^ sha256_rotr(x, 18) ^ ((x) >> 3))
#define s1(x) (sha256_rotr(x, 17) ^ sha256_rotr(x, 19) ^ ((x) >> 10))
#define CH(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))
#define MAJ(x, y, z) (((x) & (y)) | ((z) & ((x) | (y))))

/* W[t] for t >= 16, computed in place in the ring w[t mod 16]. */
#define SCHED(t) \
    (w[(t) & 15] += s1(w[((t) - 2) & 15]) + w[((t) - 7) & 15] + s0(w[((t) - 15) & 15]))

/* One round; the working variables rotate by renaming instead of moving. */
#define ROUND(a, b, c, d, e, f, g, h, t, wt)                  \
    do {                                                      \
        uint32_t t1_ = (h) + S1(e) + CH(e, f, g) + sha256_k[t] + (wt); \
        (d) += t1_;                                           \
        (h) = t1_ + S0(a) + MAJ(a, b, c);                     \
    } while (0)

#define R8_LOAD(t)                                            \
    ROUND(a, b, c, d, e, f, g, h, (t) + 0, w[(t) + 0]);       \
    ROUND(h, a, b, c, d, e, f, g, (t) + 1, w[(t) + 1]);       \
    ROUND(g, h, a, b, c, d, e, f, (t) + 2, w[(t) + 2]);       \
    ROUND(f, g, h, a, b, c, d, e, (t) + 3, w[(t) + 3]);       \
    ROUND(e, f, g, h, a, b, c, d, (t) + 4, w[(t) + 4]);       \
    ROUND(d, e, f, g, h, a, b, c, (t) + 5, w[(t) + 5]);       \
    ROUND(c, d, e, f, g, h, a, b, (t) + 6, w[(t) + 6]);       \
    ROUND(b, c, d, e, f, g, h, a, (t) + 7, w[(t) + 7])

#define R8_SCHED(t)                                           \
    ROUND(a, b, c, d, e, f, g, h, (t) + 0, SCHED((t) + 0));   \
    ROUND(h, a, b, c, d, e, f, g, (t) + 1, SCHED((t) + 1));   \
    ROUND(g, h, a, b, c, d, e, f, (t) + 2, SCHED((t) + 2));   \
    ROUND(f, g, h, a, b, c, d, e, (t) + 3, SCHED((t) + 3));   \
    ROUND(e, f, g, h, a, b, c, d, (t) + 4, SCHED((t) + 4));   \
    ROUND(d, e, f, g, h, a, b, c, (t) + 5, SCHED((t) + 5));   \
    ROUND(c, d, e, f, g, h, a, b, (t) + 6, SCHED((t) + 6));   \
    ROUND(b, c, d, e, f, g, h, a, (t) + 7, SCHED((t) + 7))

/* Compress nblocks consecutive 64-byte blocks starting at p (portable C). */
static void sha256_blocks_c(uint32_t st[8], const uint8_t *p, size_t nblocks)
{
    while (nblocks--) {
        uint32_t w[16];
        for (int i = 0; i < 16; i++)
            w[i] = sha256_be32(p + 4 * i);

        uint32_t a = st[0], b = st[1], c = st[2], d = st[3];
        uint32_t e = st[4], f = st[5], g = st[6], h = st[7];

        R8_LOAD(0);
        R8_LOAD(8);
        R8_SCHED(16);
        R8_SCHED(24);
        R8_SCHED(32);
        R8_SCHED(40);
        R8_SCHED(48);
        R8_SCHED(56);

        st[0] += a;
        st[1] += b;
        st[2] += c;
        st[3] += d;
        st[4] += e;
        st[5] += f;
        st[6] += g;
        st[7] += h;
        p += 64;
    }
}

#ifdef SHA256_HAVE_NI
/*
 * The x86 SHA extensions (Intel SDM, "SHA256RNDS2"): two rounds per
 * instruction with the state split as ABEF / CDGH; about 5x the portable
 * code, which matters under the sanitizers of the dev preset.
 */
#define NI_ROUNDS(m, t)                                                          \
    do {                                                                         \
        __m128i msg_ = _mm_add_epi32(m, _mm_loadu_si128((const __m128i *)&sha256_k[t])); \
        st1 = _mm_sha256rnds2_epu32(st1, st0, msg_);                             \
        msg_ = _mm_shuffle_epi32(msg_, 0x0E);                                    \
        st0 = _mm_sha256rnds2_epu32(st0, st1, msg_);                             \
    } while (0)

/* W[t..t+3] from the previous 16 words: m0 (oldest) .. m3 (newest). */
#define NI_SCHED(m0, m1, m2, m3)                                                 \
    ((m0) = _mm_sha256msg2_epu32(                                                \
         _mm_add_epi32(_mm_sha256msg1_epu32(m0, m1), _mm_alignr_epi8(m3, m2, 4)), m3))

#define NI_16(t)                                                                 \
    NI_SCHED(m0, m1, m2, m3);                                                    \
    NI_ROUNDS(m0, (t) + 0);                                                      \
    NI_SCHED(m1, m2, m3, m0);                                                    \
    NI_ROUNDS(m1, (t) + 4);                                                      \
    NI_SCHED(m2, m3, m0, m1);                                                    \
    NI_ROUNDS(m2, (t) + 8);                                                      \
    NI_SCHED(m3, m0, m1, m2);                                                    \
    NI_ROUNDS(m3, (t) + 12)

__attribute__((target("sha,sse4.1,ssse3")))
static void sha256_blocks_ni(uint32_t st[8], const uint8_t *p, size_t nblocks)
{
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i tmp = _mm_loadu_si128((const __m128i *)&st[0]);  /* DCBA */
    __m128i st1 = _mm_loadu_si128((const __m128i *)&st[4]);  /* HGFE */
    tmp = _mm_shuffle_epi32(tmp, 0xB1);                       /* CDAB */
    st1 = _mm_shuffle_epi32(st1, 0x1B);                       /* EFGH */
    __m128i st0 = _mm_alignr_epi8(tmp, st1, 8);               /* ABEF */
    st1 = _mm_blend_epi16(st1, tmp, 0xF0);                    /* CDGH */

    while (nblocks--) {
        __m128i save0 = st0, save1 = st1;
        __m128i m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 0)), bswap);
        __m128i m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), bswap);
        __m128i m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), bswap);
        __m128i m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), bswap);

        NI_ROUNDS(m0, 0);
        NI_ROUNDS(m1, 4);
        NI_ROUNDS(m2, 8);
        NI_ROUNDS(m3, 12);
        NI_16(16);
        NI_16(32);
        NI_16(48);

        st0 = _mm_add_epi32(st0, save0);
        st1 = _mm_add_epi32(st1, save1);
        p += 64;
    }

    tmp = _mm_shuffle_epi32(st0, 0x1B);                       /* FEBA */
    st1 = _mm_shuffle_epi32(st1, 0xB1);                       /* DCHG */
    st0 = _mm_blend_epi16(tmp, st1, 0xF0);                    /* DCBA */
    st1 = _mm_alignr_epi8(st1, tmp, 8);                       /* HGFE */
    _mm_storeu_si128((__m128i *)&st[0], st0);
    _mm_storeu_si128((__m128i *)&st[4], st1);
}

/* 0 unknown, 1 portable, 2 SHA-NI; cached because CPUID traps in a VM. */
static int sha256_cpu;

static int sha256_detect(void)
{
    int v = __atomic_load_n(&sha256_cpu, __ATOMIC_RELAXED);
    if (v)
        return v;
    unsigned a, b, c, d;
    v = 1;
    if (__get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSSE3) && (c & bit_SSE4_1) &&
        __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_SHA))
        v = 2;
    __atomic_store_n(&sha256_cpu, v, __ATOMIC_RELAXED);
    return v;
}
#endif

static int sha256_portable_forced;

void ntx_sha256_force_portable(int on)
{
    sha256_portable_forced = on;
}

const char *ntx_sha256_impl(void)
{
#ifdef SHA256_HAVE_NI
    if (!sha256_portable_forced && sha256_detect() == 2)
        return "sha-ni";
#endif
    return "portable";
}

static void sha256_blocks(ntx_sha256 *s, const uint8_t *p, size_t nblocks)
{
#ifdef SHA256_HAVE_NI
    if (s->ni) {
        sha256_blocks_ni(s->h, p, nblocks);
        return;
    }
#endif
    sha256_blocks_c(s->h, p, nblocks);
}

void ntx_sha256_init(ntx_sha256 *s)
{
    static const uint32_t iv[8] = {
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    };
    memcpy(s->h, iv, sizeof iv);
    s->len = 0;
    s->buf_len = 0;
    s->ni = ntx_sha256_impl()[0] == 's';
}

void ntx_sha256_update(ntx_sha256 *s, const void *data, size_t len)
{
    const uint8_t *p = data;
    s->len += len;
    if (s->buf_len) {
        size_t take = 64 - s->buf_len;
        if (take > len)
            take = len;
        memcpy(s->buf + s->buf_len, p, take);
        s->buf_len += take;
        p += take;
        len -= take;
        if (s->buf_len < 64)
            return;
        sha256_blocks(s, s->buf, 1);
        s->buf_len = 0;
    }
    if (len >= 64) {
        size_t n = len / 64;
        sha256_blocks(s, p, n);
        p += n * 64;
        len -= n * 64;
    }
    if (len) {
        memcpy(s->buf, p, len);
        s->buf_len = len;
    }
}

void ntx_sha256_final(ntx_sha256 *s, uint8_t digest[32])
{
    uint64_t bits = s->len * 8; /* FIPS 180-4 5.1.1: length in bits, mod 2^64 */
    size_t n = s->buf_len;
    s->buf[n++] = 0x80;
    if (n > 56) {
        memset(s->buf + n, 0, 64 - n);
        sha256_blocks(s, s->buf, 1);
        n = 0;
    }
    memset(s->buf + n, 0, 56 - n);
    for (int i = 0; i < 8; i++)
        s->buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
    sha256_blocks(s, s->buf, 1);
    for (int i = 0; i < 8; i++)
        sha256_put_be32(digest + 4 * i, s->h[i]);
    s->buf_len = 0;
}

void ntx_sha256_hex(const uint8_t digest[32], char out[65])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[64] = '\0';
}

void ntx_sha256_buf(const void *data, size_t len, uint8_t digest[32])
{
    ntx_sha256 s;
    ntx_sha256_init(&s);
    ntx_sha256_update(&s, data, len);
    ntx_sha256_final(&s, digest);
}

void ntx_sha256_buf_hex(const void *data, size_t len, char out[65])
{
    uint8_t d[32];
    ntx_sha256_buf(data, len, d);
    ntx_sha256_hex(d, out);
}
