/*
 * mem.h - the only byte movers of the core (private header).
 *
 * The core links no libc, so it carries its own copy/zero/compare. They are
 * plain loops; the build passes -fno-builtin and, on GCC,
 * -fno-tree-loop-distribute-patterns so they are not turned back into calls
 * to memcpy/memset (which would be undefined symbols in libntx.a).
 */
#ifndef NTX_MEM_H
#define NTX_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void ntx_mem_copy(void *dst, const void *src, size_t n);
void ntx_mem_zero(void *dst, size_t n);
bool ntx_mem_equal(const void *a, const void *b, size_t n);

#endif
