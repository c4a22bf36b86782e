/*
 * index.c - directory index nodes (ntfs-3g layout.h INDEX_ROOT, INDEX_BLOCK,
 * INDEX_HEADER, INDEX_ENTRY; libfsntfs "Index").
 *
 * $INDEX_ROOT value: 0x00 indexed attribute type (0x30)  0x04 collation rule
 *   (1 = file name)  0x08 index block size (u32)  0x0C clusters per block (u8)
 *   0x10 index header.
 * INDX block: "INDX", update sequence at 0x04, 0x10 its own VCN (u64),
 *   0x18 index header.
 * Index header: 0x00 entries offset  0x04 bytes in use  0x08 bytes allocated
 *   (all u32, relative to the header)  0x0C flags (1 = has child nodes).
 * Index entry: 0x00 file reference (u64)  0x08 entry length (u16)  0x0A key
 *   length (u16)  0x0C flags (u16: 1 child node, 2 last entry)  0x10 key
 *   ($FILE_NAME value); with flag 1 the child's VCN is the entry's last 8 bytes.
 *   In view indexes ($Secure:$SII, $SDH, $ObjId:$O, ...) the first 8 bytes
 *   are instead 0x00 data offset (u16, from the entry)  0x02 data length (u16)
 *   and the entry carries that data after its key.
 */
#include "index.h"

#include "filename.h"
#include "fixup.h"
#include "../base/diag.h"

enum {
    IR_TYPE = 0x00,
    IR_COLLATION = 0x04,
    IR_BLOCK_SIZE = 0x08,
    IR_HEADER = 0x10,
    INDX_VCN = 0x10,
    INDX_HEADER = 0x18,
    IH_ENTRIES_OFFSET = 0x00,
    IH_INDEX_LENGTH = 0x04,
    IH_ALLOCATED_SIZE = 0x08,
    IH_SIZE = 0x10,
};

#define INDX_MAGIC 0x58444E49u /* "INDX" */

/* Check an index header at h (header offset hofs in a node of node_len bytes)
 * and fill node's entries area. Comparisons go from small to large so none
 * can overflow (ntfs-3g bb4456d3). */
static bool index_header_ok(const uint8_t *base, uint32_t hofs, uint32_t node_len,
                            ntx_index_node *node)
{
    const uint8_t *h = base + hofs;
    uint32_t entries = ntx_le32(h + IH_ENTRIES_OFFSET);
    uint32_t in_use = ntx_le32(h + IH_INDEX_LENGTH);
    uint32_t allocated = ntx_le32(h + IH_ALLOCATED_SIZE);
    if (entries < IH_SIZE || (entries & 7u) != 0 || entries > in_use || in_use > allocated ||
        allocated > node_len - hofs)
        return false;
    node->start = hofs + entries;
    node->end = hofs + in_use;
    return true;
}

ntx_err ntx_index_root_parse(ntx_volume *vol, ntx_span v, uint64_t mft_no, uint32_t key_type,
                             uint32_t collation, ntx_index_node *node, uint32_t *block_size)
{
    if (v.len < IR_HEADER + IH_SIZE || v.len > UINT32_MAX ||
        ntx_le32(v.p + IR_TYPE) != key_type || ntx_le32(v.p + IR_COLLATION) != collation ||
        !index_header_ok(v.p, IR_HEADER, (uint32_t)v.len, node))
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_INDEX_ROOT, mft_no, 0);
    node->base = v.p;
    node->vcn = NTX_INDEX_ROOT_VCN;
    node->view = key_type == 0;
    *block_size = ntx_le32(v.p + IR_BLOCK_SIZE);
    return NTX_OK;
}

ntx_err ntx_index_block_parse(ntx_volume *vol, uint8_t *buf, uint32_t block_size, uint64_t vcn,
                              uint64_t mft_no, ntx_index_node *node)
{
    ntx_check check;
    if (ntx_le32(buf) != INDX_MAGIC)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_INDEX_BLOCK, mft_no, vcn);
    if (ntx_fixup_apply(buf, block_size, &check) != NTX_OK)
        return ntx_fail(vol, NTX_E_CORRUPT, check, mft_no, vcn);
    /* R27: the block must say it is the node we asked for, and its header
     * must describe exactly this block. */
    if (ntx_le64(buf + INDX_VCN) != vcn || !index_header_ok(buf, INDX_HEADER, block_size, node) ||
        ntx_le32(buf + INDX_HEADER + IH_ALLOCATED_SIZE) + INDX_HEADER != block_size)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_INDEX_BLOCK, mft_no, vcn);
    node->base = buf;
    node->vcn = vcn;
    node->view = false;
    return NTX_OK;
}

ntx_err ntx_index_entry_at(ntx_volume *vol, const ntx_index_node *node, uint32_t off,
                           uint64_t mft_no, ntx_index_entry *e)
{
    const uint8_t *p = node->base + off;
    ntx_check check;

    if (off < node->start || off > node->end || node->end - off < IE_KEY)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_INDEX_ENTRY, mft_no, off);
    uint32_t len = ntx_le16(p + IE_LENGTH);
    uint32_t key_len = ntx_le16(p + IE_KEY_LENGTH);
    uint16_t flags = ntx_le16(p + IE_FLAGS);
    uint32_t tail = (flags & NTX_IE_NODE) ? 8u : 0u;
    /* R28: a zero length loops forever, a long one leaves the node. */
    if (len < IE_KEY + tail || (len & 7u) != 0 || len > node->end - off)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_INDEX_ENTRY, mft_no, off);

    e->off = off;
    e->length = len;
    e->flags = flags;
    e->child_vcn = tail ? ntx_le64(p + len - 8u) : 0;
    e->ref = ntx_le64(p + IE_REF);
    e->key = p + IE_KEY;
    e->key_len = (uint16_t)key_len;
    e->data = NULL;
    e->data_len = 0;
    if (flags & NTX_IE_END) {
        e->key_len = 0;
        return NTX_OK;
    }
    if (key_len > len - IE_KEY - tail)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_INDEX_ENTRY, mft_no, off);
    if (node->view) {
        /* R29: the data must lie inside the entry, after the key. */
        uint32_t data_off = ntx_le16(p + IE_DATA_OFFSET), data_len = ntx_le16(p + IE_DATA_LENGTH);
        if (data_off < IE_KEY + key_len || data_off > len - tail ||
            data_len > len - tail - data_off)
            return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_INDEX_ENTRY, mft_no, off);
        e->data = p + data_off;
        e->data_len = (uint16_t)data_len;
        e->ref = 0;
        return NTX_OK;
    }
    if (ntx_filename_check(e->key, key_len, &check) != NTX_OK)
        return ntx_fail(vol, NTX_E_CORRUPT, check, mft_no, off);
    return NTX_OK;
}
