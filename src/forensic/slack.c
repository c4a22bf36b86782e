/*
 * slack.c - file names left in the unused bytes of $I30 index blocks. When
 * Windows removes or moves an entry it shifts the rest of the node down and
 * leaves the old bytes past the new end of the entries; blocks the index no
 * longer uses ($BITMAP:$I30 bit clear) keep whole old nodes. Forensic tools
 * scan those bytes for entries that still parse (the "INDX slack" of
 * Willi Ballenthin's INDXParse and TSK's fls -d).
 *
 * A candidate must pass every check a live entry passes (index.c) plus
 * plausibility: a parent reference inside $MFT and a creation time between
 * 1970 and 2200. What remains may still be a stale copy of a live name;
 * callers report where it was found.
 */
#include "../base/diag.h"
#include "../parse/filename.h"
#include "../tree/index.h"
#include "../base/mem.h"
#include "../value/stream.h"
#include "ntx/forensic.h"

#define SLACK_MIN_ENTRY (IE_KEY + FN_NAME + 2u)
#define SLACK_TIME_MIN 116444736000000000ull /* 1970-01-01 in NT time */
#define SLACK_TIME_MAX 189000000000000000ull /* about 2200 */

static const uint16_t slack_i30[4] = { '$', 'I', '3', '0' };

ntx_err ntx_slack_iter_open(ntx_slack_iter *it, const ntx_file *dir)
{
    if (it == NULL || dir == NULL)
        return NTX_E_ARG;
    ntx_mem_zero(it, sizeof *it);
    ntx_err rc = ntx_dir_iter_open(&it->dir, dir, 0);
    if (rc != NTX_OK)
        return rc;
    it->vcn = 0;
    it->off = 0;
    return NTX_OK;
}

/* Is the entry at off of block b (bs bytes) a plausible $FILE_NAME entry? */
static bool slack_entry_ok(const ntx_volume *vol, const uint8_t *b, uint32_t bs, uint32_t off,
                           uint32_t *len)
{
    ntx_check check;
    if (bs - off < SLACK_MIN_ENTRY)
        return false;
    const uint8_t *e = b + off;
    uint32_t length = ntx_le16(e + IE_LENGTH), key_len = ntx_le16(e + IE_KEY_LENGTH);
    if (length < SLACK_MIN_ENTRY || (length & 7u) != 0 || length > bs - off ||
        key_len < FN_NAME + 2u || key_len > length - IE_KEY)
        return false;
    const uint8_t *fn = e + IE_KEY;
    if (ntx_filename_check(fn, key_len, &check) != NTX_OK ||
        NTX_REF_MFT(ntx_le64(fn + FN_PARENT)) >= vol->mft_records ||
        NTX_REF_MFT(ntx_le64(e)) >= vol->mft_records)
        return false;
    uint64_t created = ntx_le64(fn + FN_TIMES);
    if (created < SLACK_TIME_MIN || created > SLACK_TIME_MAX)
        return false;
    for (unsigned i = 0; i < fn[FN_NAME_LENGTH]; i++)
        if (ntx_le16(fn + FN_NAME + 2 * i) == 0)
            return false;
    *len = length;
    return true;
}

/* Is index block vcn marked in use in $BITMAP:$I30? (Without a bitmap, yes.) */
static ntx_err slack_block_in_use(ntx_volume *vol, uint64_t dir_no, uint64_t block, bool *in_use)
{
    uint8_t byte;
    ntx_err rc = ntx_stream_init(vol, dir_no, NTX_AT_BITMAP, slack_i30, 4, 0, &vol->tmp_stream);
    *in_use = true;
    if (rc == NTX_E_NOT_FOUND)
        return NTX_OK;
    if (rc != NTX_OK)
        return rc;
    if (block / 8u >= vol->tmp_stream.size)
        return NTX_OK;
    rc = ntx_stream_read_exact(&vol->tmp_stream, block / 8u, &byte, 1);
    if (rc == NTX_OK)
        *in_use = (((unsigned)byte >> (unsigned)(block % 8u)) & 1u) != 0;
    return rc;
}

/*
 * A sparse run of the allocation holds no node and no slack: move past it
 * in one step. An allocation claiming a terabyte of holes would otherwise
 * cost one step per block (R32). True when it->vcn moved.
 */
static bool slack_skip_hole(ntx_slack_iter *it, unsigned step_shift)
{
    const ntx_volume *vol = it->dir.vol;
    uint64_t byte_off = it->vcn << vol->index_vcn_shift;
    ntx_run run;
    if (ntx_stream_map(&it->dir.alloc, byte_off >> vol->cluster_shift, &run) != NTX_OK ||
        run.lcn != NTX_LCN_HOLE)
        return false; /* data, or an error the block load reports */
    uint64_t end_cluster, end_byte;
    if (!ntx_add_u64(run.vcn, run.len, &end_cluster) ||
        !ntx_shl_u64(end_cluster, vol->cluster_shift, &end_byte))
        end_byte = UINT64_MAX;
    /* The next block starting at or after the hole's end. */
    uint64_t next = end_byte >> vol->index_vcn_shift;
    uint64_t step_mask = ((uint64_t)1 << step_shift) - 1u;
    next = (next + step_mask) & ~step_mask;
    if (next <= it->vcn) /* cannot happen for a run of len >= 1; a bound anyway */
        return false;
    it->vcn = next;
    return true;
}

ntx_err ntx_slack_iter_next(ntx_slack_iter *it, ntx_dirent *ent, uint64_t *block_vcn, uint32_t *offset)
{
    if (it == NULL || ent == NULL)
        return NTX_E_ARG;
    if (it->err != NTX_OK)
        return it->err;
    ntx_volume *vol = it->dir.vol;
    if (!ntx_volume_handle_live(vol, it->dir.gen))
        return NTX_E_STALE;
    if (!it->dir.has_alloc)
        return NTX_END;
    const uint32_t bs = vol->geo.index_block_size;
    /* Shifts, not 64-bit divisions (libgcc on 32-bit targets). Past the
     * initialized size a block reads as zeros and holds nothing: a size
     * claiming 2^60 bytes over a few initialized ones ends there (found by
     * fuzz_volume). */
    const uint64_t blocks =
        ntx_min_u64(it->dir.alloc.size, it->dir.alloc.init_size) >> vol->index_shift;
    /* Blocks with data are distinct clusters of the volume, except when a
     * hostile runlist maps the same clusters again and again: no scan reads
     * more blocks than the volume holds. */
    const uint64_t volume_blocks = vol->index_shift >= vol->cluster_shift
                                       ? vol->geo.cluster_count
                                             >> (vol->index_shift - vol->cluster_shift)
                                       : vol->geo.cluster_count
                                             << (vol->cluster_shift - vol->index_shift);
    const unsigned step_shift = (unsigned)(vol->index_shift - vol->index_vcn_shift);
    const uint64_t vcn_step = (uint64_t)1 << step_shift;
    ntx_index_where w;
    w.mft_no = it->dir.dir_mft_no;
    w.root_rec = it->dir.root_rec;
    w.root_off = it->dir.root_off;
    w.alloc = &it->dir.alloc;
    w.key_type = NTX_AT_FILE_NAME;
    w.collation = 1;
    w.name_key = ntx_index_name_key(slack_i30, 4);

    /* bound: each block is scanned once, each pass moves off forward by at
     * least 8 bytes or moves to the next block */
    while ((it->vcn >> step_shift) < blocks) {
        ntx_index_node node;
        ntx_err rc;
        if (it->off == 0 && slack_skip_hole(it, step_shift))
            continue;
        if (it->off == 0 && ++it->scanned > volume_blocks) {
            it->err = ntx_fail(vol, NTX_E_LIMIT, NTX_CHK_INDEX_BUDGET, it->dir.dir_mft_no, it->vcn);
            return it->err;
        }
        rc = ntx_index_load(vol, &w, it->vcn, &node);
        if (rc == NTX_E_CORRUPT) {
            /* never written, torn, or unreadable: no entry to recover */
            it->vcn += vcn_step;
            it->off = 0;
            continue;
        }
        if (rc != NTX_OK) {
            it->err = rc;
            return rc;
        }
        if (it->off == 0) {
            bool in_use;
            rc = slack_block_in_use(vol, it->dir.dir_mft_no, it->vcn >> step_shift, &in_use);
            if (rc == NTX_OK)
                rc = ntx_index_load(vol, &w, it->vcn, &node);
            if (rc != NTX_OK) {
                it->err = rc;
                return rc;
            }
            it->off = in_use ? node.end : node.start;
            it->off = (it->off + 7u) & ~7u;
        }
        /* bound: off grows by 8 or by an entry length, up to the block size */
        while (it->off + SLACK_MIN_ENTRY <= bs) {
            uint32_t off = it->off, len;
            if (!slack_entry_ok(vol, node.base, bs, off, &len)) {
                it->off += 8;
                continue;
            }
            it->off += len;
            ntx_filename_to_dirent(node.base + off + IE_KEY, ent);
            ent->mft_ref = ntx_le64(node.base + off);
            if (block_vcn != NULL)
                *block_vcn = it->vcn;
            if (offset != NULL)
                *offset = off;
            return NTX_OK;
        }
        it->vcn += vcn_step;
        it->off = 0;
    }
    return NTX_END;
}
