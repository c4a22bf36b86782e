/*
 * test_index.c - directory index nodes (src/index.c: ntx_index_root_parse,
 * ntx_index_block_parse, ntx_index_entry_at) and $FILE_NAME keys (src/filename.c:
 * ntx_filename_check, ntx_filename_to_dirent).
 *
 * Oracles:
 *  1. Nodes built here from ntfs-3g layout.h INDEX_ROOT / INDEX_BLOCK / INDEX_HEADER /
 *     INDEX_ENTRY / FILE_NAME_ATTR (restated in index.c and filename.c). Every offset
 *     is computed next to the bytes.
 *  2. The root directory of the ntfs-512 fixture: its $INDEX_ROOT (copied bytes) and
 *     its INDX block at VCN 0 (read from the image through its $INDEX_ALLOCATION), against
 *     ntfsinfo -v -i 5 ntfs-512.img (ntfs-3g 2022.10.3): header fields and the 19 entries
 *     plus the END entry, with file record numbers, names and namespaces.
 *  3. R26-R28 (index structures) and R33 ($FILE_NAME) of docs/robustness.md, each with the exact
 *     ntx_err and vol->diag.check / offset.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/attr.h"
#include "parse/boot.h"
#include "parse/filename.h"
#include "image.h"
#include "tree/index.h"
#include "mft/mft.h"
#include "parse/runlist.h"
#include "ntx/file.h"
#include "put.h"

#define DIR_NO 77u

static ntx_volume vol;

/*
 * An index entry at p for name (ASCII, n units) pointing at ref; with child != UINT64_MAX
 * it carries NTX_IE_NODE and the child VCN in its last 8 bytes. The key is a $FILE_NAME
 * value of 0x42 + 2n bytes: parent 0x00, sizes 0x28/0x30, attributes 0x38, name length
 * 0x40, namespace 0x41, name 0x42. Entry length = 0x10 + key, 8-aligned, + 8 with a child.
 */
static uint32_t put_ie(uint8_t *p, const char *name, size_t n, uint64_t ref, uint64_t child)
{
    uint32_t key = (uint32_t)(0x42 + 2 * n);
    uint32_t len = (0x10 + key + 7) & ~7u;
    if (child != UINT64_MAX)
        len += 8;
    memset(p, 0, len);
    put64(p + 0x00, ref);
    put16(p + 0x08, (uint16_t)len);
    put16(p + 0x0A, (uint16_t)key);
    put16(p + 0x0C, child != UINT64_MAX ? NTX_IE_NODE : 0);
    uint8_t *k = p + 0x10;
    put64(k + 0x00, NTX_REF(DIR_NO, 1));
    put64(k + 0x28, 4096);
    put64(k + 0x30, 100);
    put32(k + 0x38, NTX_FA_ARCHIVE);
    k[0x40] = (uint8_t)n;
    k[0x41] = NTX_NS_WIN32;
    for (size_t i = 0; i < n; i++)
        put16(k + 0x42 + 2 * i, (uint16_t)name[i % strlen(name)]);
    if (child != UINT64_MAX)
        put64(p + len - 8, child);
    return len;
}

/* The END entry: 0x10 bytes, or 0x18 with a child. */
static uint32_t put_end(uint8_t *p, uint64_t child)
{
    uint32_t len = child != UINT64_MAX ? 0x18 : 0x10;
    memset(p, 0, len);
    put16(p + 0x08, (uint16_t)len);
    put16(p + 0x0C, (uint16_t)(NTX_IE_END | (child != UINT64_MAX ? NTX_IE_NODE : 0)));
    if (child != UINT64_MAX)
        put64(p + 0x10, child);
    return len;
}

/*
 * $INDEX_ROOT value with entries "a" (-> 64), "b" (-> 65) and END:
 *   0x00 type 0x30, 0x04 collation 1 (file name), 0x08 block size 4096, 0x0C 1 cluster
 *   0x10 header: entries 0x10, index length 0xD0, allocated 0xD0, flags 0
 *   0x20 "a": key 0x42 + 2 = 0x44, entry 0x10 + 0x44 = 0x54 -> 0x58   (0x20..0x78)
 *   0x78 "b": 0x58                                                  (0x78..0xD0)
 *   0xD0 END: 0x10                                                  (0xD0..0xE0)
 * value length 0xE0 = 0x10 + 0xD0.
 */
static uint8_t root[0xE0];

static void build_root(void)
{
    memset(root, 0, sizeof root);
    put32(root + 0x00, 0x30);
    put32(root + 0x04, 1);
    put32(root + 0x08, 4096);
    root[0x0C] = 1;
    put32(root + 0x10, 0x10);
    put32(root + 0x14, 0xD0);
    put32(root + 0x18, 0xD0);
    assert_int_equal(put_ie(root + 0x20, "a", 1, NTX_REF(64, 1), UINT64_MAX), 0x58);
    assert_int_equal(put_ie(root + 0x78, "b", 1, NTX_REF(65, 2), UINT64_MAX), 0x58);
    assert_int_equal(put_end(root + 0xD0, UINT64_MAX), 0x10);
}

/* Parse root[0..len) from an exact heap copy; the node points into *copy. */
static ntx_err parse_root(size_t len, ntx_index_node *node, uint32_t *bs, uint8_t **copy)
{
    *copy = malloc(len ? len : 1);
    memcpy(*copy, root, len);
    memset(&vol.diag, 0, sizeof vol.diag);
    return ntx_index_root_parse(&vol, ntx_span_make(*copy, len), DIR_NO, 0x30, 1, node, bs);
}

static void expect_root_bad(size_t len)
{
    ntx_index_node node;
    uint32_t bs;
    uint8_t *copy;
    assert_int_equal(parse_root(len, &node, &bs, &copy), NTX_E_CORRUPT);
    assert_int_equal(vol.diag.check, NTX_CHK_INDEX_ROOT);
    assert_true(vol.diag.mft_no == DIR_NO);
    assert_true(vol.diag.offset == 0);
    free(copy);
}

static void expect_entry_bad(const ntx_index_node *node, uint32_t off, ntx_err err,
                             ntx_check check)
{
    ntx_index_entry e;
    memset(&vol.diag, 0, sizeof vol.diag);
    ntx_err rc = ntx_index_entry_at(&vol, node, off, DIR_NO, &e);
    if (rc != err || vol.diag.check != check)
        fprintf(stderr, "entry at 0x%x: rc %d check %u, want %d check %d\n", off, rc,
                vol.diag.check, err, check);
    assert_int_equal(rc, err);
    assert_int_equal(vol.diag.check, check);
    assert_true(vol.diag.mft_no == DIR_NO);
    assert_true(vol.diag.offset == off);
}

/* ---------------------------------------------------------------------------------------
 * $INDEX_ROOT
 */

static void test_root_two_entries(void **state)
{
    (void)state;
    memset(&vol, 0, sizeof vol);
    build_root();
    ntx_index_node node;
    uint32_t bs = 0;
    uint8_t *v;
    assert_int_equal(parse_root(sizeof root, &node, &bs, &v), NTX_OK);
    assert_ptr_equal(node.base, v);
    assert_int_equal(node.start, 0x20);     /* header 0x10 + entries offset 0x10 */
    assert_int_equal(node.end, 0xE0);       /* header 0x10 + index length 0xD0 */
    assert_true(node.vcn == NTX_INDEX_ROOT_VCN);
    assert_int_equal(bs, 4096);

    ntx_index_entry e;
    assert_int_equal(ntx_index_entry_at(&vol, &node, 0x20, DIR_NO, &e), NTX_OK);
    assert_int_equal(e.off, 0x20);
    assert_int_equal(e.length, 0x58);
    assert_int_equal(e.flags, 0);
    assert_true(e.ref == NTX_REF(64, 1));
    assert_ptr_equal(e.key, v + 0x30);
    assert_int_equal(e.key_len, 0x44);
    assert_int_equal(e.key[0x42], 'a');

    assert_int_equal(ntx_index_entry_at(&vol, &node, 0x78, DIR_NO, &e), NTX_OK);
    assert_true(e.ref == NTX_REF(65, 2));
    assert_int_equal(e.key[0x42], 'b');

    assert_int_equal(ntx_index_entry_at(&vol, &node, 0xD0, DIR_NO, &e), NTX_OK);
    assert_int_equal(e.flags, NTX_IE_END);
    assert_int_equal(e.length, 0x10);
    assert_int_equal(e.key_len, 0);
    free(v);
}

/* ntfs-512 root, $INDEX_ROOT value (attribute offset 0x20, 56 bytes). ntfsinfo: "Indexed
 * Attr Type: DIRECTORY_I30, Collation Rule: 1, Index Block Size: 4096, Clusters Per Block:
 * 8, Entries Offset: 16, Index Size: 40, Allocated Size: 40, Index header flags: 0x01;
 * Entry length: 24, Key length: 0, Index entry flags: 0x03, Subnode VCN: 0". */
static const uint8_t fixture_root[56] = {
    0x30, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00,
    0x10, 0x00, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x18, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static void test_root_fixture(void **state)
{
    (void)state;
    memset(&vol, 0, sizeof vol);
    uint8_t *v = malloc(sizeof fixture_root);
    memcpy(v, fixture_root, sizeof fixture_root);
    ntx_index_node node;
    uint32_t bs;
    assert_int_equal(ntx_index_root_parse(&vol, ntx_span_make(v, sizeof fixture_root), 5, 0x30, 1, &node,
                                          &bs), NTX_OK);
    assert_int_equal(bs, 4096);
    assert_int_equal(node.start, 0x20);        /* 0x10 + 16 */
    assert_int_equal(node.end, 0x38);          /* 0x10 + 40 */
    ntx_index_entry e;
    assert_int_equal(ntx_index_entry_at(&vol, &node, 0x20, 5, &e), NTX_OK);
    assert_int_equal(e.length, 24);
    assert_int_equal(e.flags, NTX_IE_END | NTX_IE_NODE);
    assert_int_equal(e.key_len, 0);
    assert_true(e.child_vcn == 0);
    free(v);
}

static void test_r26_root_header(void **state)
{
    (void)state;
    memset(&vol, 0, sizeof vol);
    /* Shorter than the 0x10 + 0x10 headers. */
    build_root();
    expect_root_bad(0x1F);
    expect_root_bad(0);
    /* Not an $I30 file name index: indexed type 0 (a view index) or 0x80, collation 0
     * (binary) or 0x10 (ULONG). */
    build_root();
    put32(root + 0x00, 0);
    expect_root_bad(sizeof root);
    build_root();
    put32(root + 0x04, 0x10);
    expect_root_bad(sizeof root);
    build_root();
    put32(root + 0x04, 0);
    expect_root_bad(sizeof root);
    /* entries offset < 0x10 (inside the header), unaligned, past the index length. */
    static const uint32_t ents[] = { 0, 8, 0x0F, 0x14, 0xD8, 0xFFFFFFF0u };
    for (size_t i = 0; i < sizeof ents / sizeof ents[0]; i++) {
        build_root();
        put32(root + 0x10, ents[i]);
        expect_root_bad(sizeof root);
    }
    /* R26 recipe "IR+14=u32:0xFFFF": index length > allocated; also 0xD8. */
    build_root();
    put32(root + 0x14, 0xFFFF);
    expect_root_bad(sizeof root);
    build_root();
    put32(root + 0x14, 0xD8);
    expect_root_bad(sizeof root);
    /* allocated > value length - 0x10 (0xD0 is the most 0xE0 bytes can hold). */
    build_root();
    put32(root + 0x18, 0xD8);
    expect_root_bad(sizeof root);
    build_root();
    put32(root + 0x18, 0xFFFFFFF8u);
    expect_root_bad(sizeof root);
    /* The value one byte short of the allocation. */
    build_root();
    expect_root_bad(sizeof root - 1);

    /* entries offset == index length: an empty node is a valid header; its first
     * entry read then fails (no room for an END entry). */
    build_root();
    put32(root + 0x10, 0xD0);
    ntx_index_node node;
    uint32_t bs;
    uint8_t *copy;
    assert_int_equal(parse_root(sizeof root, &node, &bs, &copy), NTX_OK);
    assert_int_equal(node.start, 0xE0);
    expect_entry_bad(&node, 0xE0, NTX_E_CORRUPT, NTX_CHK_INDEX_ENTRY);
    free(copy);
}

/* ---------------------------------------------------------------------------------------
 * INDX blocks
 */

/*
 * A 4096-byte INDX block at VCN 24 with child pointers:
 *   0x00 "INDX", 0x04 usa_ofs 0x28, 0x06 usa_count 9, 0x10 VCN 24
 *   0x18 header: entries 0x28 (-> 0x40), index length, allocated 0xFE8 = 4096 - 0x18,
 *        flags 1 (has children)
 *   0x40 "xxx..x" (200 units): key 0x42 + 400 = 0x1D2, 0x10 + 0x1D2 = 0x1E2 -> 0x1E8,
 *        + 8 = 0x1F0, child VCN 8 at 0x228         (0x040..0x230; crosses the 0x1FE tail)
 *   0x230 "d": 0x58 + 8 = 0x60, child 16          (0x230..0x290)
 *   0x290 END with child 32: 0x18                  (0x290..0x2A8)
 *   index length = 0x2A8 - 0x18 = 0x290
 */
static uint8_t blk_plain[4096], blk[4096];

static void build_block(void)
{
    uint8_t *b = blk_plain;
    memset(b, 0, 4096);
    memcpy(b, "INDX", 4);
    put16(b + 0x04, 0x28);
    put16(b + 0x06, 9);
    put64(b + 0x10, 24);
    put32(b + 0x18, 0x28);
    put32(b + 0x1C, 0x290);
    put32(b + 0x20, 0xFE8);
    put32(b + 0x24, 1);
    assert_int_equal(put_ie(b + 0x40, "x", 200, NTX_REF(70, 1), 8), 0x1F0);
    assert_int_equal(put_ie(b + 0x230, "d", 1, NTX_REF(71, 1), 16), 0x60);
    assert_int_equal(put_end(b + 0x290, 32), 0x18);
}

/* The writer's side of the update sequence: save the tails, store the USN. */
static void protect_block(uint32_t size)
{
    uint16_t usa = (uint16_t)(blk_plain[4] | blk_plain[5] << 8);
    put16(blk_plain + usa, 0x0777);
    for (uint32_t i = 0; i < size / 512; i++) {
        blk_plain[usa + 2 + 2 * i] = blk_plain[(i + 1) * 512 - 2];
        blk_plain[usa + 3 + 2 * i] = blk_plain[(i + 1) * 512 - 1];
    }
    memcpy(blk, blk_plain, size);
    for (uint32_t i = 0; i < size / 512; i++)
        put16(blk + (i + 1) * 512 - 2, 0x0777);
}

static void expect_block_bad(uint64_t vcn, ntx_err err, ntx_check check)
{
    protect_block(4096);
    ntx_index_node node;
    memset(&vol.diag, 0, sizeof vol.diag);
    ntx_err rc = ntx_index_block_parse(&vol, blk, 4096, vcn, DIR_NO, &node);
    if (rc != err || vol.diag.check != check)
        fprintf(stderr, "block: rc %d check %u, want %d check %d\n", rc, vol.diag.check, err,
                check);
    assert_int_equal(rc, err);
    assert_int_equal(vol.diag.check, check);
    assert_true(vol.diag.mft_no == DIR_NO);
    assert_true(vol.diag.offset == vcn);
}

static void test_block_with_children(void **state)
{
    (void)state;
    memset(&vol, 0, sizeof vol);
    build_block();
    protect_block(4096);
    /* The name's unit at 0x1FE was replaced by the USN on disk. */
    assert_int_equal(blk[0x1FE], 0x77);
    ntx_index_node node;
    assert_int_equal(ntx_index_block_parse(&vol, blk, 4096, 24, DIR_NO, &node), NTX_OK);
    assert_memory_equal(blk, blk_plain, 4096);
    assert_ptr_equal(node.base, blk);
    assert_int_equal(node.start, 0x40);     /* 0x18 + 0x28 */
    assert_int_equal(node.end, 0x2A8);      /* 0x18 + 0x290 */
    assert_true(node.vcn == 24);

    ntx_index_entry e;
    assert_int_equal(ntx_index_entry_at(&vol, &node, 0x40, DIR_NO, &e), NTX_OK);
    assert_int_equal(e.length, 0x1F0);
    assert_int_equal(e.flags, NTX_IE_NODE);
    assert_true(e.child_vcn == 8);
    assert_int_equal(e.key_len, 0x1D2);
    assert_int_equal(e.key[0x40], 200);
    /* The name unit that sat on the stride tail (block offset 0x1FE = key offset
     * 0x1FE - 0x50 = 0x1AE = name unit (0x1AE - 0x42) / 2 = 182) is 'x' again. */
    assert_int_equal(ntx_le16(e.key + 0x42 + 2 * 182), 'x');
    assert_int_equal(ntx_index_entry_at(&vol, &node, 0x230, DIR_NO, &e), NTX_OK);
    assert_true(e.child_vcn == 16);
    assert_true(e.ref == NTX_REF(71, 1));
    assert_int_equal(ntx_index_entry_at(&vol, &node, 0x290, DIR_NO, &e), NTX_OK);
    assert_int_equal(e.flags, NTX_IE_END | NTX_IE_NODE);
    assert_int_equal(e.length, 0x18);
    assert_true(e.child_vcn == 32);
    assert_int_equal(e.key_len, 0);
}

static void test_r27_block(void **state)
{
    (void)state;
    memset(&vol, 0, sizeof vol);
    /* Magic. */
    build_block();
    memcpy(blk_plain, "INDY", 4);
    expect_block_bad(24, NTX_E_CORRUPT, NTX_CHK_INDEX_BLOCK);
    build_block();
    memcpy(blk_plain, "FILE", 4);
    expect_block_bad(24, NTX_E_CORRUPT, NTX_CHK_INDEX_BLOCK);
    /* R27 recipe "INDX(0)+10 = u64:1": the block is not the node asked for. */
    build_block();
    expect_block_bad(0, NTX_E_CORRUPT, NTX_CHK_INDEX_BLOCK);
    expect_block_bad(25, NTX_E_CORRUPT, NTX_CHK_INDEX_BLOCK);
    /* allocated + 0x18 != block size: smaller (0xFE0) and larger (0xFF0, past the block). */
    build_block();
    put32(blk_plain + 0x20, 0xFE0);
    expect_block_bad(24, NTX_E_CORRUPT, NTX_CHK_INDEX_BLOCK);
    build_block();
    put32(blk_plain + 0x20, 0xFF0);
    expect_block_bad(24, NTX_E_CORRUPT, NTX_CHK_INDEX_BLOCK);
    /* index length > allocated. */
    build_block();
    put32(blk_plain + 0x1C, 0xFF0);
    expect_block_bad(24, NTX_E_CORRUPT, NTX_CHK_INDEX_BLOCK);
    /* entries offset past the index length, inside the header, unaligned. */
    static const uint32_t ents[] = { 0x298, 0x1000, 0x08, 0x2C };
    for (size_t i = 0; i < sizeof ents / sizeof ents[0]; i++) {
        build_block();
        put32(blk_plain + 0x18, ents[i]);
        expect_block_bad(24, NTX_E_CORRUPT, NTX_CHK_INDEX_BLOCK);
    }
    /* Update sequence: a torn stride (raw), and a count for 1 KiB in a 4 KiB block. */
    build_block();
    protect_block(4096);
    blk[0xDFE] ^= 0x01;
    ntx_index_node node;
    assert_int_equal(ntx_index_block_parse(&vol, blk, 4096, 24, DIR_NO, &node), NTX_E_CORRUPT);
    assert_int_equal(vol.diag.check, NTX_CHK_FIXUP_MISMATCH);
    assert_true(vol.diag.offset == 24);
    build_block();
    put16(blk_plain + 0x06, 3);
    expect_block_bad(24, NTX_E_CORRUPT, NTX_CHK_FIXUP_HEADER);
}

static void test_block_1k(void **state)
{
    (void)state;
    memset(&vol, 0, sizeof vol);
    /* A 1 KiB index block (mkntfs -I is fixed at 4 KiB, but the format allows others):
     * usa_count 3, allocated 0x400 - 0x18 = 0x3E8. Only "d" and END. */
    uint8_t *b = blk_plain;
    memset(b, 0, 4096);
    memcpy(b, "INDX", 4);
    put16(b + 0x04, 0x28);
    put16(b + 0x06, 3);
    put64(b + 0x10, 3);
    put32(b + 0x18, 0x28);
    put32(b + 0x1C, 0x28 + 0x58 + 0x10);
    put32(b + 0x20, 0x3E8);
    put_ie(b + 0x40, "d", 1, NTX_REF(71, 1), UINT64_MAX);
    put_end(b + 0x98, UINT64_MAX);
    protect_block(1024);
    ntx_index_node node;
    assert_int_equal(ntx_index_block_parse(&vol, blk, 1024, 3, DIR_NO, &node), NTX_OK);
    assert_int_equal(node.end, 0xA8);
    /* The same block read as 4 KiB: allocated + 0x18 != 4096 (the fixup fails first). */
    protect_block(1024);
    assert_int_equal(ntx_index_block_parse(&vol, blk, 4096, 3, DIR_NO, &node), NTX_E_CORRUPT);
}

/* ---------------------------------------------------------------------------------------
 * Entries (R28)
 */

static void test_r28_entry_lengths(void **state)
{
    (void)state;
    memset(&vol, 0, sizeof vol);
    ntx_index_node node;
    uint32_t bs;
    uint8_t *copy;

    /* R28 recipe "IE0+08=u16:0", then 8 (< 0x10), unaligned 0x5C, past the node end
     * (0x78 + 0x70 > 0xE0), 0xFFF8. The bad entry is "b" at 0x78. */
    static const uint16_t lens[] = { 0, 8, 0x0C, 0x5C, 0x70, 0xFFF8 };
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        build_root();
        put16(root + 0x78 + 8, lens[i]);
        assert_int_equal(parse_root(sizeof root, &node, &bs, &copy), NTX_OK);
        expect_entry_bad(&node, 0x78, NTX_E_CORRUPT, NTX_CHK_INDEX_ENTRY);
        free(copy);
    }
    /* Offsets outside the entries area: before the first entry, at the end, less than
     * an entry header before the end, far past. */
    build_root();
    assert_int_equal(parse_root(sizeof root, &node, &bs, &copy), NTX_OK);
    static const uint32_t offs[] = { 0x00, 0x18, 0xE0, 0xD8, 0xE8, 0x10000 };
    for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++)
        expect_entry_bad(&node, offs[i], NTX_E_CORRUPT, NTX_CHK_INDEX_ENTRY);
    free(copy);

    /* A child pointer needs 8 more bytes: END flagged NODE in 0x10 bytes. */
    build_root();
    put16(root + 0xD0 + 0x0C, NTX_IE_END | NTX_IE_NODE);
    assert_int_equal(parse_root(sizeof root, &node, &bs, &copy), NTX_OK);
    expect_entry_bad(&node, 0xD0, NTX_E_CORRUPT, NTX_CHK_INDEX_ENTRY);
    free(copy);
    /* An END entry's key length is not used (reported 0), whatever it says. */
    build_root();
    put16(root + 0xD0 + 0x0A, 0xFFFF);
    assert_int_equal(parse_root(sizeof root, &node, &bs, &copy), NTX_OK);
    ntx_index_entry e;
    assert_int_equal(ntx_index_entry_at(&vol, &node, 0xD0, DIR_NO, &e), NTX_OK);
    assert_int_equal(e.key_len, 0);
    free(copy);
}

static void test_r28_key(void **state)
{
    (void)state;
    memset(&vol, 0, sizeof vol);
    ntx_index_node node;
    uint32_t bs;
    uint8_t *copy;

    /* Key longer than the entry allows: "a" has 0x58 - 0x10 = 0x48 bytes for a key. */
    build_root();
    put16(root + 0x20 + 0x0A, 0x49);
    assert_int_equal(parse_root(sizeof root, &node, &bs, &copy), NTX_OK);
    expect_entry_bad(&node, 0x20, NTX_E_CORRUPT, NTX_CHK_INDEX_ENTRY);
    free(copy);
    build_root();
    put16(root + 0x20 + 0x0A, 0x48); /* exactly fits (the $FILE_NAME inside is still fine) */
    assert_int_equal(parse_root(sizeof root, &node, &bs, &copy), NTX_OK);
    ntx_index_entry e;
    assert_int_equal(ntx_index_entry_at(&vol, &node, 0x20, DIR_NO, &e), NTX_OK);
    free(copy);
    /* With NTX_IE_NODE the last 8 bytes are the child VCN, so only 0x40 remain for the
     * key; "a"'s 0x44-byte key would overlap it. */
    build_root();
    put16(root + 0x20 + 0x0C, NTX_IE_NODE);
    assert_int_equal(parse_root(sizeof root, &node, &bs, &copy), NTX_OK);
    expect_entry_bad(&node, 0x20, NTX_E_CORRUPT, NTX_CHK_INDEX_ENTRY);
    free(copy);

    /* The key must be a valid $FILE_NAME (R33 through the index): name longer than the
     * key (10 units need 0x42 + 20 = 0x56 > 0x44), no name, namespace 4, a key shorter
     * than the fixed part (0x40 < 0x42). Reported as E_INDEX with the name's check. */
    struct {
        uint32_t at;   /* offset in root */
        uint8_t v;
        bool key_len;  /* patch the key length (u16 at entry + 0x0A) instead */
    } bad[] = {
        { 0x20 + 0x10 + 0x40, 10, false },
        { 0x20 + 0x10 + 0x40, 0, false },
        { 0x20 + 0x10 + 0x41, 4, false },
        { 0x20 + 0x10 + 0x41, 0xFF, false },
        { 0x20 + 0x0A, 0x40, true },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        build_root();
        if (bad[i].key_len)
            put16(root + bad[i].at, bad[i].v);
        else
            root[bad[i].at] = bad[i].v;
        assert_int_equal(parse_root(sizeof root, &node, &bs, &copy), NTX_OK);
        expect_entry_bad(&node, 0x20, NTX_E_CORRUPT, NTX_CHK_FILE_NAME);
        free(copy);
    }
}

/* ---------------------------------------------------------------------------------------
 * $FILE_NAME (R33)
 */

/* The root's own $FILE_NAME value (ntfs-512, record 5, attribute offset 0x80 + 0x18, 68
 * bytes). ntfsinfo: "Parent directory: 5, Allocated Size: 0, Data Size: 0, Filename
 * Length: 1, File attributes: HIDDEN SYSTEM I30_INDEX (0x10000006), Namespace: Win32 &
 * DOS, Filename: '.'". */
static const uint8_t root_fn[68] = {
    0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x6D, 0x6A, 0x27, 0x4C, 0x7B, 0xDD, 0x01,
    0x00, 0x6D, 0x6A, 0x27, 0x4C, 0x7B, 0xDD, 0x01, 0x00, 0x6D, 0x6A, 0x27, 0x4C, 0x7B, 0xDD, 0x01,
    0x00, 0x6D, 0x6A, 0x27, 0x4C, 0x7B, 0xDD, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x03, 0x2E, 0x00,
};

static ntx_err fn_check(const uint8_t *fn, size_t len, ntx_check *chk)
{
    uint8_t *copy = malloc(len ? len : 1);
    memcpy(copy, fn, len);
    *chk = NTX_CHK_NONE;
    ntx_err rc = ntx_filename_check(copy, len, chk);
    free(copy);
    return rc;
}

static void test_r33_filename(void **state)
{
    (void)state;
    ntx_check chk;
    uint8_t fn[0x42 + 2 * 255];

    assert_int_equal(fn_check(root_fn, sizeof root_fn, &chk), NTX_OK);
    assert_int_equal(fn_check(root_fn, 0x44, &chk), NTX_OK); /* 0x42 + 2 * 1: exactly */

    /* value_len < 0x42; a name reaching past the value (1 unit in 0x43 bytes). */
    assert_int_equal(fn_check(root_fn, 0x41, &chk), NTX_E_CORRUPT);
    assert_int_equal(chk, NTX_CHK_FILE_NAME);
    assert_int_equal(fn_check(root_fn, 0x43, &chk), NTX_E_CORRUPT);
    assert_int_equal(chk, NTX_CHK_FILE_NAME);
    assert_int_equal(fn_check(root_fn, 0, &chk), NTX_E_CORRUPT);

    /* name_len 0; R33 recipe "val+40 = u8:0xFF" (510 bytes in a 68-byte value). */
    memcpy(fn, root_fn, sizeof root_fn);
    fn[0x40] = 0;
    assert_int_equal(fn_check(fn, sizeof root_fn, &chk), NTX_E_CORRUPT);
    assert_int_equal(chk, NTX_CHK_FILE_NAME);
    fn[0x40] = 0xFF;
    assert_int_equal(fn_check(fn, sizeof root_fn, &chk), NTX_E_CORRUPT);
    assert_int_equal(chk, NTX_CHK_FILE_NAME);

    /* Namespaces 0..3 (POSIX, Win32, DOS, Win32 & DOS) are valid, 4 and up are not. */
    memcpy(fn, root_fn, sizeof root_fn);
    for (unsigned ns = 0; ns < 256; ns++) {
        fn[0x41] = (uint8_t)ns;
        ntx_err want = ns <= 3 ? NTX_OK : NTX_E_CORRUPT;
        assert_int_equal(fn_check(fn, sizeof root_fn, &chk), want);
    }

    /* The longest name: 255 units in 0x42 + 510 bytes. */
    memset(fn, 0, sizeof fn);
    fn[0x40] = 255;
    fn[0x41] = 1;
    for (int i = 0; i < 255; i++)
        put16(fn + 0x42 + 2 * i, 'n');
    assert_int_equal(fn_check(fn, sizeof fn, &chk), NTX_OK);
    assert_int_equal(fn_check(fn, sizeof fn - 1, &chk), NTX_E_CORRUPT);
}

static void test_filename_to_dirent(void **state)
{
    (void)state;
    ntx_dirent d;
    memset(&d, 0xA5, sizeof d);
    ntx_filename_to_dirent(root_fn, &d);
    assert_true(d.parent_ref == NTX_REF(5, 5));     /* record 5, sequence 5 */
    assert_true(d.alloc_size == 0);
    assert_true(d.data_size == 0);
    assert_int_equal(d.file_attrs, 0x10000006);
    assert_true(d.is_dir);                           /* I30_INDEX = NTX_FA_DUP_DIRECTORY */
    assert_int_equal(d.reparse_tag, 0);              /* no NTX_FA_REPARSE: 0x3C is EA size */
    assert_int_equal(d.name_space, NTX_NS_WIN32_DOS);
    assert_int_equal(d.name_len, 1);
    assert_int_equal(d.name[0], '.');
    assert_true(d.times[0] == ntx_le64(root_fn + 0x08));
}

/* ---------------------------------------------------------------------------------------
 * The fixture's INDX block
 */

static void test_fixture_indx_block(void **state)
{
    (void)state;
    char path[512];
    struct ntx_test_image img;
    snprintf(path, sizeof path, "%s/ntfs-512.img.gz", NTX_FIXTURES_DIR);
    assert_int_equal(ntx_test_image_load(path, &img), 0);

    memset(&vol, 0, sizeof vol);
    ntx_check chk;
    assert_int_equal(ntx_boot_parse(img.data, 512, img.size, &vol.geo, &chk), NTX_OK);
    vol.cluster_shift = 9;
    vol.record_shift = 10;
    /* Root record 5, in $MFT's first run; its $INDEX_ALLOCATION:$I30 maps VCN 0. */
    static uint8_t rec[1024];
    memcpy(rec, img.data + vol.geo.mft_lcn * 512 + 5 * 1024, 1024);
    assert_int_equal(ntx_record_check(&vol, rec, 5), NTX_OK);
    static const uint16_t I30[4] = { '$', 'I', '3', '0' };
    uint32_t off;
    const uint8_t *ia = ntx_rec_find_attr(rec, NTX_AT_INDEX_ALLOCATION, I30, 4, &off);
    assert_non_null(ia);
    ntx_run run;
    assert_int_equal(ntx_mp_find(&vol, ia, 0, &run, 5), NTX_OK);
    assert_true(run.lcn == 0x3028); /* ntfsinfo: "Runlist: VCN 0x0 LCN 0x3028 Length 0x8" */
    memcpy(blk, img.data + run.lcn * 512, 4096);
    ntx_test_image_free(&img);

    /* ntfsinfo "Dumping index block": "Upd. Seq. Array Off.: 40, Count: 9, Node VCN: 0,
     * Entries Offset: 40, Index Size: 1912, Allocated Size: 4072, Index header flags: 0x00". */
    ntx_index_node node;
    assert_int_equal(ntx_index_block_parse(&vol, blk, 4096, 0, 5, &node), NTX_OK);
    assert_int_equal(node.start, 0x18 + 40);
    assert_int_equal(node.end, 0x18 + 1912);
    assert_int_equal(ntx_le32(blk + 0x18 + 8), 4072);

    /* "Entry length / Key length / Index entry flags / FILE record number / Filename
     * Length / Namespace / Filename" of every entry. */
    static const struct {
        uint16_t len, key;
        uint64_t rec;
        uint8_t ns;
        const char *name;
    } want[] = {
        { 104, 82, 4, 3, "$AttrDef" },  { 104, 82, 8, 3, "$BadClus" },
        { 96, 80, 6, 3, "$Bitmap" },    { 96, 76, 7, 3, "$Boot" },
        { 96, 80, 11, 3, "$Extend" },   { 104, 82, 2, 3, "$LogFile" },
        { 96, 74, 0, 3, "$MFT" },       { 104, 82, 1, 3, "$MFTMirr" },
        { 96, 80, 9, 3, "$Secure" },    { 96, 80, 10, 3, "$UpCase" },
        { 96, 80, 3, 3, "$Volume" },    { 88, 68, 5, 3, "." },
        { 88, 72, 121, 0, "ads" },      { 104, 86, 111, 0, "compressed" },
        { 96, 74, 127, 0, "frag" },     { 104, 84, 126, 0, "hello.txt" },
        { 96, 78, 64, 0, "nested" },    { 96, 76, 79, 0, "sizes" },
        { 96, 78, 119, 0, "sparse" },
    };
    uint32_t pos = node.start;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        ntx_index_entry e;
        assert_int_equal(ntx_index_entry_at(&vol, &node, pos, 5, &e), NTX_OK);
        assert_int_equal(e.length, want[i].len);
        assert_int_equal(e.key_len, want[i].key);
        assert_int_equal(e.flags, 0);
        assert_true(NTX_REF_MFT(e.ref) == want[i].rec);
        size_t n = strlen(want[i].name);
        assert_int_equal(e.key[0x40], n);
        assert_int_equal(e.key[0x41], want[i].ns);
        for (size_t k = 0; k < n; k++)
            assert_int_equal(ntx_le16(e.key + 0x42 + 2 * k), (uint8_t)want[i].name[k]);
        assert_true(NTX_REF_MFT(ntx_le64(e.key)) == 5); /* "Parent directory: 5" */
        pos += e.length;
    }
    /* "Entry length: 16, Key length: 0, Index entry flags: 0x02", ending the node. */
    ntx_index_entry e;
    assert_int_equal(ntx_index_entry_at(&vol, &node, pos, 5, &e), NTX_OK);
    assert_int_equal(e.flags, NTX_IE_END);
    assert_int_equal(e.length, 16);
    assert_int_equal(pos + 16, node.end);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_root_two_entries),
        cmocka_unit_test(test_root_fixture),
        cmocka_unit_test(test_r26_root_header),
        cmocka_unit_test(test_block_with_children),
        cmocka_unit_test(test_r27_block),
        cmocka_unit_test(test_block_1k),
        cmocka_unit_test(test_r28_entry_lengths),
        cmocka_unit_test(test_r28_key),
        cmocka_unit_test(test_r33_filename),
        cmocka_unit_test(test_filename_to_dirent),
        cmocka_unit_test(test_fixture_indx_block),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
