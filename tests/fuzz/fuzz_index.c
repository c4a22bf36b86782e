/*
 * fuzz_index.c - index nodes and the B+tree walk and lookup.
 *
 * Input:
 *   [0] bits 0-1: index block size (0: 4096, 1: 512, 2: 1024, 3: 2048);
 *       bit 2: root mode; bit 3: tree mode; bit 4: tree mode, the blocks are
 *       logical (the update sequence array is rewritten after them); bit 5:
 *       block mode, expect VCN 0 instead of the block's own VCN
 *   [1..7] unused
 *   then the node(s)
 * Block mode: one INDX block (ntx_index_block_parse) and its entries. Root
 * mode: an $INDEX_ROOT value (ntx_index_root_parse) and its entries. Each
 * entry's key is decoded, converted to UTF-8 and collated against a few
 * names. Tree mode: the blocks replace, in VCN order, the INDX blocks of
 * /many in the base image seed-dir (a 150-entry, two-level tree), which is
 * then mounted, listed and searched (ntx_dir_iter_next, ntx_dir_lookup).
 */
#include <stdlib.h>
#include <string.h>

#include "parse/filename.h"
#include "fuzz_support.h"
#include "tree/index.h"
#include "parse/unicode.h"
#include "tree/upcase.h"

#define DIR_NO 78u


static void walk_node(ntx_volume *vol, const ntx_index_node *node, size_t node_len)
{
    static const uint16_t q1[] = { 'F', 'I', 'L', 'E', '-', '0', '0', '4', '2', '.', 'T', 'X', 'T' };
    static const uint16_t q2[] = { 0xD800, 'a' };
    fz_check(node->start <= node->end && node->end <= node_len);
    uint32_t off = node->start;
    for (unsigned n = 0; n < 4096; n++) {
        ntx_index_entry e;
        ntx_err rc = ntx_index_entry_at(vol, node, off, DIR_NO, &e);
        if (rc != NTX_OK) {
            fz_check(rc == NTX_E_CORRUPT || rc == NTX_E_NAME);
            return;
        }
        fz_check(e.off == off && e.length >= 0x10 && e.length <= node->end - off);
        if (e.flags & NTX_IE_END)
            return;
        if (node->view) {
            /* a view index ($SII, $SDH, $O, ...): key and data inside the entry */
            fz_check(e.key + e.key_len <= e.data &&
                     e.data + e.data_len <= node->base + off + e.length);
            off += e.length;
            continue;
        }
        fz_check(e.key_len >= 0x42 && e.key + e.key_len <= node->base + off + e.length);
        ntx_dirent d;
        ntx_filename_to_dirent(e.key, &d);
        char out[3 * 255 + 1];
        size_t len;
        ntx_utf16le_to_utf8(e.key + 0x42, d.name_len, out, sizeof out, &len, NTX_UTF16_WTF8);
        int c1, c2;
        for (int exact = 0; exact < 2; exact++) {
            fz_check(ntx_collate_names(vol, q1, 13, e.key + 0x42, d.name_len, exact, &c1) == NTX_OK);
            fz_check(ntx_collate_names(vol, q2, 2, e.key + 0x42, d.name_len, exact, &c2) == NTX_OK);
            /* a name equals itself */
            fz_check(ntx_collate_names(vol, d.name, d.name_len, e.key + 0x42, d.name_len, exact,
                                       &c1) == NTX_OK && c1 == 0);
        }
        off += e.length;
    }
}

static void tree_mode(const uint8_t *data, size_t size, bool logical)
{
    fz_base *b = fz_base_get(2);
    uint32_t bs = b->geo.index_block_size;
    for (uint32_t k = 0; k < b->nmany && (size_t)k * bs < size; k++) {
        if (b->many_blocks[k] == 0)
            continue;
        uint8_t *blk = b->work + b->many_blocks[k];
        size_t n = size - (size_t)k * bs < bs ? size - (size_t)k * bs : bs;
        fz_base_touch(b, b->many_blocks[k], bs);
        memcpy(blk, data + (size_t)k * bs, n);
        if (logical)
            fz_fix(blk, bs);
    }
    ntx_volume *vol;
    if (fz_base_mount(b, &vol) == NTX_OK) {
        ntx_file dir;
        if (ntx_file_open(&dir, vol, b->many_dir, 0) == NTX_OK) {
            ntx_dir_iter it;
            ntx_dirent ent, l;
            ntx_err rc = ntx_dir_iter_open(&it, &dir, 0);
            for (unsigned k = 0; rc == NTX_OK && k < 4096; k++) {
                rc = ntx_dir_iter_next(&it, &ent);
                fz_check(rc == NTX_OK || rc == NTX_END || fz_is_err(rc));
                if (rc == NTX_OK && k % 5 == 0) {
                    ntx_err lr = ntx_dir_lookup(&dir, ent.name, ent.name_len, &l);
                    fz_check(lr == NTX_OK || fz_is_err(lr));
                }
            }
            static const char *const names[] = { "file-0042.txt", "FILE-0100.TXT", "zzz", "a",
                                                 "file-0007-with-a-longer-name.txt" };
            for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
                uint16_t u[64];
                size_t n = strlen(names[i]);
                for (size_t j = 0; j < n; j++)
                    u[j] = (uint8_t)names[i][j];
                rc = ntx_dir_lookup(&dir, u, n, &l);
                fz_check(rc == NTX_OK || fz_is_err(rc));
            }
        }
        ntx_volume_unmount(vol);
    }
    fz_base_reset(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t sizes[4] = { 4096, 512, 1024, 2048 };
    if (size < 8 || size > 8 + 64 * 4096)
        return 0;
    uint8_t mode = data[0];
    data += 8;
    size -= 8;
    if (mode & 8) {
        tree_mode(data, size, (mode & 16) != 0);
        return 0;
    }
    static ntx_volume vol;
    fz_dev dev = { NULL, 0, 1 << 20, 0 };
    fz_fake_volume(&vol, &dev, 12, 1024, 256);
    ntx_index_node node;
    if (mode & 4) {
        uint8_t *v = malloc(size ? size : 1);
        memcpy(v, data, size);
        uint32_t bs;
        uint32_t key_type = size >= 8 ? fz_le32(v) : 0x30, coll = size >= 8 ? fz_le32(v + 4) : 1;
        if (ntx_index_root_parse(&vol, (ntx_span){ v, size }, DIR_NO, key_type, coll, &node, &bs) ==
            NTX_OK)
            walk_node(&vol, &node, size);
        free(v);
        return 0;
    }
    uint32_t bs = sizes[mode & 3];
    uint8_t *blk = calloc(1, bs);
    memcpy(blk, data, size < bs ? size : bs);
    uint64_t vcn = (mode & 32) ? 0 : fz_le64(blk + 0x10);
    ntx_err rc = ntx_index_block_parse(&vol, blk, bs, vcn, DIR_NO, &node);
    if (rc == NTX_OK)
        walk_node(&vol, &node, bs);
    else
        fz_check(rc == NTX_E_CORRUPT || rc == NTX_E_CORRUPT);
    free(blk);
    return 0;
}
