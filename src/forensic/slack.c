/*
 * slack.c - file names left in the unused bytes of a directory's $I30 index.
 * When Windows removes or moves an entry it shifts the rest of the node down
 * and leaves the old bytes past the new end of the entries. Three places keep
 * such bytes, scanned in this order:
 *
 *   - the $INDEX_ROOT value past its entries (rarely any: Windows shrinks the
 *     attribute with the node);
 *   - the MFT record holding $INDEX_ROOT, past its bytes in use: a root that
 *     shrank (entries removed, or moved into an index block when the
 *     directory outgrew its record) leaves its old entries in the record's
 *     tail. Windows 10 20H1's test_dir keeps three there, one of them a name
 *     the file no longer has;
 *   - each index block past its entries in use, and the whole of a block
 *     $BITMAP:$I30 marks free (the "INDX slack" of Willi Ballenthin's
 *     INDXParse and TSK's fls -d).
 *
 * A candidate is a whole entry (header and $FILE_NAME key), or a $FILE_NAME
 * right after a leaf END entry: removing the last entry of a node moves the
 * 16-byte END entry onto the removed entry's header, so its key survives
 * without a file reference (The Sleuth Kit lists these with inode 0).
 *
 * A candidate must pass every check a live entry passes (index.c) plus
 * plausibility: a parent reference inside $MFT and a creation time between
 * 1970 and 2200. What remains may still be a stale copy of a live name: the
 * state (ntx_slack_info) says whether the directory still lists it, whether
 * the file lives on under another name, or whether it is gone.
 */
#include "../base/diag.h"
#include "../mft/mft.h"
#include "../parse/attr.h"
#include "../parse/filename.h"
#include "../tree/dir.h"
#include "../tree/index.h"
#include "../base/mem.h"
#include "../value/stream.h"
#include "ntx/forensic.h"

#define SLACK_MIN_FN (FN_NAME + 2u)            /* a $FILE_NAME with a 1-unit name */
#define SLACK_MIN_ENTRY (IE_KEY + SLACK_MIN_FN) /* an entry holding one */
#define SLACK_TIME_MIN 116444736000000000ull   /* 1970-01-01 in NT time */
#define SLACK_TIME_MAX 189000000000000000ull   /* about 2200 */
#define SLACK_END_ENTRY 16u                    /* a leaf END entry: header only */

static const uint16_t slack_i30[4] = { '$', 'I', '3', '0' };

ntx_err ntx_slack_iter_open(ntx_slack_iter *it, const ntx_file *dir)
{
    if (it == NULL || dir == NULL)
        return NTX_E_ARG;
    ntx_mem_zero(it, sizeof *it);
    ntx_err rc = ntx_dir_iter_open(&it->dir, dir, 0);
    if (rc != NTX_OK)
        return rc;
    it->phase = NTX_SLACK_IN_ROOT;
    it->vcn = 0;
    it->off = 0;
    return NTX_OK;
}

/* Is the $FILE_NAME of fn_len bytes at fn plausible as a name once held? */
static bool slack_fn_ok(const ntx_volume *vol, const uint8_t *fn, uint32_t fn_len)
{
    ntx_check check;
    if (ntx_filename_check(fn, fn_len, &check) != NTX_OK ||
        NTX_REF_MFT(ntx_le64(fn + FN_PARENT)) >= vol->mft_records)
        return false;
    uint64_t created = ntx_le64(fn + FN_TIMES);
    if (created < SLACK_TIME_MIN || created > SLACK_TIME_MAX)
        return false;
    for (unsigned i = 0; i < fn[FN_NAME_LENGTH]; i++) /* bound: 255 units */
        if (ntx_le16(fn + FN_NAME + 2 * i) == 0)
            return false;
    return true;
}

/* Is the entry at off of b (valid up to hi) a plausible $FILE_NAME entry? */
static bool slack_entry_ok(const ntx_volume *vol, const uint8_t *b, uint32_t hi, uint32_t off,
                           uint32_t *len)
{
    if (hi - off < SLACK_MIN_ENTRY)
        return false;
    const uint8_t *e = b + off;
    uint32_t length = ntx_le16(e + IE_LENGTH), key_len = ntx_le16(e + IE_KEY_LENGTH);
    if (length < SLACK_MIN_ENTRY || (length & 7u) != 0 || length > hi - off ||
        key_len < SLACK_MIN_FN || key_len > length - IE_KEY ||
        NTX_REF_MFT(ntx_le64(e)) >= vol->mft_records || !slack_fn_ok(vol, e + IE_KEY, key_len))
        return false;
    *len = length;
    return true;
}

/*
 * Is there a $FILE_NAME at off of b (valid up to hi) whose entry header a
 * leaf END entry overwrote? The 16 bytes before it must be that END entry:
 * length 16, no key, flags END without NODE.
 */
static bool slack_bare_ok(const ntx_volume *vol, const uint8_t *b, uint32_t hi, uint32_t off,
                          uint32_t *len)
{
    if (off < SLACK_END_ENTRY || hi - off < SLACK_MIN_FN)
        return false;
    const uint8_t *end = b + off - SLACK_END_ENTRY;
    if (ntx_le16(end + IE_LENGTH) != SLACK_END_ENTRY || ntx_le16(end + IE_KEY_LENGTH) != 0 ||
        (ntx_le16(end + IE_FLAGS) & (NTX_IE_END | NTX_IE_NODE)) != NTX_IE_END)
        return false;
    uint32_t fn_len = FN_NAME + 2u * b[off + FN_NAME_LENGTH];
    if (fn_len > hi - off || !slack_fn_ok(vol, b + off, fn_len))
        return false;
    *len = (fn_len + 7u) & ~7u;
    return true;
}

/*
 * Try offset it->off of b (valid up to hi): on a find, fill ent and info
 * (but its state) and move it->off past it; else move it->off on by 8.
 */
static bool slack_try(ntx_slack_iter *it, const uint8_t *b, uint32_t hi, ntx_dirent *ent,
                      ntx_slack_info *info)
{
    const ntx_volume *vol = it->dir.vol;
    uint32_t off = it->off, len;
    bool lost = false;
    if (!slack_entry_ok(vol, b, hi, off, &len)) {
        if (!slack_bare_ok(vol, b, hi, off, &len)) {
            it->off += 8;
            return false;
        }
        lost = true;
    }
    it->off += len;
    ntx_filename_to_dirent(lost ? b + off : b + off + IE_KEY, ent);
    ent->mft_ref = lost ? 0 : ntx_le64(b + off);
    info->where = it->phase;
    info->header_lost = lost;
    info->state = NTX_SLACK_UNKNOWN;
    info->block_vcn = it->phase == NTX_SLACK_IN_BLOCK ? it->vcn : 0;
    info->record = it->dir.root_rec;
    info->offset = off;
    return true;
}

/*
 * The record holding the root and the byte range of it the current phase
 * scans: the $INDEX_ROOT value past its entries, or the record past its
 * bytes in use. Both are record offsets; entries there are 8-aligned in the
 * record as in the value (attributes and values start 8-aligned).
 */
static ntx_err slack_record_range(ntx_slack_iter *it, const uint8_t **rec, uint32_t *lo,
                                  uint32_t *hi)
{
    ntx_volume *vol = it->dir.vol;
    ntx_err rc = ntx_record_get(vol, it->dir.root_rec, rec);
    if (rc != NTX_OK)
        return rc;
    const uint32_t size = vol->geo.record_size;
    if (it->phase == NTX_SLACK_IN_RECORD) {
        uint32_t in_use = ntx_rec_in_use(*rec);
        *lo = in_use < size ? in_use : size;
        *hi = size;
        return NTX_OK;
    }
    const uint8_t *a = ntx_rec_attr_at(*rec, it->dir.root_off, NTX_AT_INDEX_ROOT);
    ntx_index_node node;
    uint32_t block_size;
    if (a == NULL || !ntx_attr_is_resident(a))
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_INDEX_ROOT, it->dir.dir_mft_no,
                        it->dir.root_off);
    ntx_span v = ntx_attr_value(a);
    rc = ntx_index_root_parse(vol, v, it->dir.dir_mft_no, NTX_AT_FILE_NAME, 1, &node,
                              &block_size);
    if (rc != NTX_OK)
        return rc;
    /* the record check keeps every value inside the record */
    uint32_t vo = (uint32_t)(v.p - *rec);
    *lo = vo + node.end;
    *hi = vo + (uint32_t)v.len;
    return NTX_OK;
}

/* The two phases inside the directory's record. NTX_END when both are done.
 * Not inlined, as slack_state(): their frames stay off the deepest path
 * (the index blocks' reads through attribute lists). */
static __attribute__((noinline)) ntx_err slack_next_in_record(ntx_slack_iter *it, ntx_dirent *ent, ntx_slack_info *info)
{
    /* bound: two phases; in each, off grows by 8 or by a find's length up to hi */
    while (it->phase < NTX_SLACK_IN_BLOCK) {
        const uint8_t *rec;
        uint32_t lo = 0, hi = 0;
        ntx_err rc = slack_record_range(it, &rec, &lo, &hi);
        if (rc != NTX_OK)
            return rc;
        if (it->off == 0)
            it->off = (lo + 7u) & ~7u;
        while (it->off < hi && hi - it->off >= SLACK_MIN_FN)
            if (slack_try(it, rec, hi, ent, info))
                return NTX_OK;
        it->phase++;
        it->off = 0;
    }
    return NTX_END;
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

/* The index blocks. */
static ntx_err slack_next_in_blocks(ntx_slack_iter *it, ntx_dirent *ent, ntx_slack_info *info)
{
    ntx_volume *vol = it->dir.vol;
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
        if (it->off == 0 && ++it->scanned > volume_blocks)
            return ntx_fail(vol, NTX_E_LIMIT, NTX_CHK_INDEX_BUDGET, it->dir.dir_mft_no, it->vcn);
        rc = ntx_index_load(vol, &w, it->vcn, &node);
        if (rc == NTX_E_CORRUPT) {
            /* never written, torn, or unreadable: no entry to recover */
            it->vcn += vcn_step;
            it->off = 0;
            continue;
        }
        if (rc != NTX_OK)
            return rc;
        if (it->off == 0) {
            bool in_use;
            rc = slack_block_in_use(vol, it->dir.dir_mft_no, it->vcn >> step_shift, &in_use);
            if (rc == NTX_OK)
                rc = ntx_index_load(vol, &w, it->vcn, &node);
            if (rc != NTX_OK)
                return rc;
            it->off = in_use ? node.end : node.start;
            it->off = (it->off + 7u) & ~7u;
        }
        /* bound: off grows by 8 or by a find's length, up to the block size */
        while (it->off < bs && bs - it->off >= SLACK_MIN_FN)
            if (slack_try(it, node.base, bs, ent, info))
                return NTX_OK;
        it->vcn += vcn_step;
        it->off = 0;
    }
    return NTX_END;
}

/* One find, from wherever the scan is; errors are sticky. */
static ntx_err slack_next(ntx_slack_iter *it, ntx_dirent *ent, ntx_slack_info *info)
{
    if (it->err != NTX_OK)
        return it->err;
    if (!ntx_volume_handle_live(it->dir.vol, it->dir.gen))
        return NTX_E_STALE;
    ntx_err rc = NTX_END;
    if (it->phase < NTX_SLACK_IN_BLOCK)
        rc = slack_next_in_record(it, ent, info);
    if (rc == NTX_END)
        rc = slack_next_in_blocks(it, ent, info);
    if (rc != NTX_OK && rc != NTX_END)
        it->err = rc;
    return rc;
}

/*
 * What the directory says of a find now (NTX_SLACK_*). A lookup or record
 * read that fails leaves the state unknown (unless the record shows the file
 * gone) and the scan going: the name was found all the same.
 */
static __attribute__((noinline)) uint8_t slack_state(ntx_slack_iter *it, const ntx_dirent *ent)
{
    ntx_volume *vol = it->dir.vol;
    uint64_t ref;
    const uint8_t *key;
    ntx_err rc = ntx_dir_find(vol, it->dir.dir_mft_no, ent->name, ent->name_len, &ref, &key);
    if (rc == NTX_OK && key[FN_NAME_LENGTH] == ent->name_len &&
        ntx_name_equal_disk(key + FN_NAME, ent->name, ent->name_len) &&
        (ent->mft_ref != 0 ? ref == ent->mft_ref
                           : ntx_le64(key + FN_TIMES) == ent->times[NTX_TIME_CREATE]))
        return NTX_SLACK_LIVE;
    /* a directory not in use, or a damaged index: whether the name is
     * listed is not known, but a file whose record is gone is gone */
    bool looked_up = rc == NTX_OK || rc == NTX_E_NOT_FOUND;
    if (ent->mft_ref == 0)
        return NTX_SLACK_UNKNOWN; /* which file held it is not known */
    ntx_record_info ri;
    rc = ntx_record_get_info(vol, NTX_REF_MFT(ent->mft_ref), &ri);
    if (rc == NTX_E_CORRUPT || rc == NTX_E_NOT_FOUND)
        return NTX_SLACK_GONE; /* never written, or past $MFT now */
    if (rc != NTX_OK)
        return NTX_SLACK_UNKNOWN;
    if ((ri.flags & NTX_REC_IN_USE) != 0 && ri.base_ref == 0 &&
        ri.seq == NTX_REF_SEQ(ent->mft_ref))
        return looked_up ? NTX_SLACK_RENAMED : NTX_SLACK_UNKNOWN;
    return NTX_SLACK_GONE;
}

ntx_err ntx_slack_iter_next_info(ntx_slack_iter *it, ntx_dirent *ent, ntx_slack_info *info)
{
    if (it == NULL || ent == NULL || info == NULL)
        return NTX_E_ARG;
    ntx_err rc = slack_next(it, ent, info);
    if (rc == NTX_OK)
        info->state = slack_state(it, ent);
    return rc;
}

ntx_err ntx_slack_iter_next(ntx_slack_iter *it, ntx_dirent *ent, uint64_t *block_vcn, uint32_t *offset)
{
    if (it == NULL || ent == NULL)
        return NTX_E_ARG;
    if (it->phase < NTX_SLACK_IN_BLOCK && it->err == NTX_OK) {
        it->phase = NTX_SLACK_IN_BLOCK; /* index blocks only, as this call always gave */
        it->off = 0;
    }
    ntx_slack_info info;
    ntx_err rc;
    /* bound: each pass consumes a find of the scan, which ends (slack_next) */
    while ((rc = slack_next(it, ent, &info)) == NTX_OK && info.header_lost)
        ;
    if (rc != NTX_OK)
        return rc;
    if (block_vcn != NULL)
        *block_vcn = info.block_vcn;
    if (offset != NULL)
        *offset = info.offset;
    return NTX_OK;
}

const char *ntx_slack_where_name(uint8_t where)
{
    switch (where) {
    case NTX_SLACK_IN_ROOT: return "index_root";
    case NTX_SLACK_IN_RECORD: return "record";
    default: return "index_block";
    }
}

const char *ntx_slack_state_name(uint8_t state)
{
    switch (state) {
    case NTX_SLACK_LIVE: return "live";
    case NTX_SLACK_RENAMED: return "renamed";
    case NTX_SLACK_GONE: return "gone";
    default: return "unknown";
    }
}
