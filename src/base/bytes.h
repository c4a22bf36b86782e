/*
 * bytes.h - little-endian loads, bounds-checked spans and overflow-checked
 * arithmetic, shared by every parser of the core (private header).
 *
 * NTFS stores every integer little-endian and at arbitrary alignment, so all
 * loads go byte by byte; that also keeps UBSan's alignment checks quiet.
 */
#ifndef NTX_BYTES_H
#define NTX_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Always inlined: a call costs more code than the load itself, and GCC at
 * -Os otherwise keeps out-of-line copies of these in every object. */
#define NTX_INLINE static inline __attribute__((always_inline))

/* A path taken only after a failure (recovery from a damaged structure):
 * kept out of line so that its locals do not sit in the frame of the
 * common path that calls it. */
#define NTX_COLD __attribute__((noinline, cold))

NTX_INLINE uint16_t ntx_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (unsigned)p[1] << 8);
}

NTX_INLINE uint32_t ntx_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

NTX_INLINE uint64_t ntx_le64(const uint8_t *p)
{
    return (uint64_t)ntx_le32(p) | (uint64_t)ntx_le32(p + 4) << 32;
}

/* Targets where an unaligned word load is a single instruction. Elsewhere
 * (RISC-V, Cortex-M0, ...) the compiler would turn an unaligned
 * __builtin_memcpy into a call to memcpy, which the core must not need. */
#if defined(__x86_64__) || defined(__i386__) || defined(__aarch64__) || \
    defined(__ARM_FEATURE_UNALIGNED) || defined(__powerpc64__)
#define NTX_UNALIGNED_OK 1
#else
#define NTX_UNALIGNED_OK 0
#endif

/* A machine word that may alias any object: word-at-a-time copies of bytes
 * already checked to be aligned. */
typedef size_t __attribute__((may_alias)) ntx_word;

/* A read-only window of bytes: every parser takes one and checks before it reads. */
typedef struct ntx_span {
    const uint8_t *p;
    size_t len;
} ntx_span;

NTX_INLINE ntx_span ntx_span_make(const uint8_t *p, size_t len)
{
    ntx_span s;
    s.p = p;
    s.len = len;
    return s;
}

/* True when [off, off + n) lies inside s; written so that off + n cannot wrap. */
static inline bool ntx_span_has(ntx_span s, size_t off, size_t n)
{
    return off <= s.len && n <= s.len - off;
}

/* The sub-span [off, off + n); the caller has checked ntx_span_has(). */
static inline ntx_span ntx_span_sub(ntx_span s, size_t off, size_t n)
{
    return ntx_span_make(s.p + off, n);
}

/* *r = a + b; false on overflow. */
static inline bool ntx_add_u64(uint64_t a, uint64_t b, uint64_t *r)
{
    if (a > UINT64_MAX - b)
        return false;
    *r = a + b;
    return true;
}

/* *r = a << s; false if bits would be lost or s >= 64. */
static inline bool ntx_shl_u64(uint64_t a, unsigned s, uint64_t *r)
{
    if (s >= 64u || (a >> (63u - s)) >> 1)
        return false;
    *r = a << s;
    return true;
}

/* Round up to a multiple of 2^shift; false on overflow. */
static inline bool ntx_round_up_u64(uint64_t a, unsigned shift, uint64_t *r)
{
    uint64_t mask = ((uint64_t)1 << shift) - 1u;
    if (a > UINT64_MAX - mask)
        return false;
    *r = (a + mask) & ~mask;
    return true;
}

/* log2 of x if x is a power of two, else -1. Out of line, in boot.c: as a
 * static inline, GCC at -Os kept a copy of it in each object using it. */
int ntx_log2_exact(uint64_t x);

static inline uint64_t ntx_min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

#endif
