/*
 * sha256.h - SHA-256 (FIPS 180-4) for the tests: streams are compared with
 * the digests in the fixture manifests. Hosted C, no dependencies.
 */
#ifndef NTX_TEST_SHA256_H
#define NTX_TEST_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define NTX_SHA256_DIGEST_SIZE 32
#define NTX_SHA256_HEX_SIZE 65 /* 64 lowercase hex digits and a NUL */

typedef struct ntx_sha256 {
    uint32_t h[8];      /* chaining state */
    uint64_t len;       /* bytes hashed so far */
    uint8_t buf[64];    /* partial block */
    size_t buf_len;     /* bytes used in buf, always < 64 */
    int ni;             /* compress with the x86 SHA extensions */
} ntx_sha256;

void ntx_sha256_init(ntx_sha256 *s);
void ntx_sha256_update(ntx_sha256 *s, const void *data, size_t len);
/* Writes the digest; s must be re-initialized before it is used again. */
void ntx_sha256_final(ntx_sha256 *s, uint8_t digest[32]);

/* Lowercase hex of a digest, NUL-terminated (the sha256sum / manifest format). */
void ntx_sha256_hex(const uint8_t digest[32], char out[65]);

/* One-shot helpers: digest of a buffer, and the hex digest of a buffer. */
void ntx_sha256_buf(const void *data, size_t len, uint8_t digest[32]);
void ntx_sha256_buf_hex(const void *data, size_t len, char out[65]);

/*
 * The block function in use: "sha-ni" (x86 SHA extensions, detected at run
 * time) or "portable". ntx_sha256_force_portable(1) makes later
 * ntx_sha256_init() calls pick the portable code, so tests can check both.
 */
const char *ntx_sha256_impl(void);
void ntx_sha256_force_portable(int on);

#endif
