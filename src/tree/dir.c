/*
 * dir.c - walking and searching the $I30 B+tree of a directory.
 *
 * Each node lists entries in collation order; an entry with a child pointer
 * is preceded by the entries of its child subtree, and the closing END entry
 * may carry the last child. The walk keeps the path from the root as
 * (node VCN, entry offset) pairs in the iterator: no recursion, depth capped
 * at NTX_MAX_INDEX_DEPTH, a child already on the path is a loop (R30),
 * and a step budget derived from the index size bounds a tree whose
 * nodes are shared between parents.
 */
#include "dir.h"

#include "../parse/attr.h"
#include "../base/diag.h"
#include "../parse/filename.h"
#include "index.h"
#include "../base/mem.h"
#include "../mft/mft.h"
#include "../value/stream.h"
#include "upcase.h"

/* "$I30": the name of a directory's file name index. */
static const uint16_t dir_i30[4] = { '$', 'I', '3', '0' };

#define DIR_COLLATION_FILE_NAME 1u

/* Locate a directory's $I30 index: NTX_E_NOT_DIR when it has none. */
static ntx_err dir_locate(ntx_volume *vol, uint64_t dir_no, unsigned flags, ntx_stream *alloc,
                          ntx_index_where *w)
{
    ntx_err rc = ntx_index_locate(vol, dir_no, dir_i30, 4, NTX_AT_FILE_NAME,
                                  DIR_COLLATION_FILE_NAME, flags, alloc, w);
    if (rc == NTX_E_NOT_FOUND)
        return ntx_fail(vol, NTX_E_NOT_DIR, NTX_CHK_INDEX_ROOT, dir_no, 0);
    return rc;
}

/* The iterator keeps where its index is; rebuild the description from it. */
static void dir_where_of(ntx_dir_iter *it, ntx_index_where *w)
{
    w->mft_no = it->dir_mft_no;
    w->root_rec = it->root_rec;
    w->root_off = it->root_off;
    w->alloc = it->has_alloc ? &it->alloc : NULL;
    w->key_type = NTX_AT_FILE_NAME;
    w->collation = DIR_COLLATION_FILE_NAME;
    w->name_key = ntx_index_name_key(dir_i30, 4);
}

/* ---- iteration ---- */

static ntx_err iter_fail(ntx_dir_iter *it, ntx_err err)
{
    it->err = err;
    return err;
}

/*
 * The step budget of one walk. A legitimate walk takes at most two steps per
 * entry (down into its child, then out with the entry) and per node END. A
 * $FILE_NAME entry is at least 0x58 bytes, so a node of 2^s bytes costs
 * fewer than 2^(s-4) steps; the root lives in an MFT record. Nodes with data
 * exist only where the volume has clusters, so a sparse allocation claiming
 * a terabyte (R32: a DAG of nodes shared by many parents, each walk
 * multiplying the work) gets no more budget than the volume can hold.
 * Shifts, not 64-bit divisions: those pull in libgcc on 32-bit targets.
 */
static uint64_t dir_fuel(const ntx_volume *vol, uint64_t alloc_size)
{
    const unsigned node_shift = vol->index_shift - 4u, root_shift = vol->record_shift - 4u;
    uint64_t blocks = alloc_size >> vol->index_shift;
    uint64_t volume_blocks = vol->index_shift >= vol->cluster_shift
                                 ? vol->geo.cluster_count >> (vol->index_shift - vol->cluster_shift)
                                 : NTX_DIR_FUEL_MAX; /* blocks below a cluster: the cap below */
    if (blocks > volume_blocks)
        blocks = volume_blocks;
    if (blocks >= (NTX_DIR_FUEL_MAX >> node_shift))
        blocks = (NTX_DIR_FUEL_MAX >> node_shift) - 1u;
    return (blocks << node_shift) + ((uint64_t)1 << root_shift);
}

ntx_err ntx_dir_iter_open(ntx_dir_iter *it, const ntx_file *f, uint32_t flags)
{
    if (it == NULL || f == NULL)
        return NTX_E_ARG;
    ntx_volume *vol = f->vol;
    if (!ntx_volume_handle_live(vol, f->gen))
        return NTX_E_STALE;
    if ((f->rec_flags & REC_FLAG_DIRECTORY) == 0)
        return NTX_E_NOT_DIR;

    ntx_mem_zero(it, sizeof *it);
    it->vol = vol;
    it->gen = vol->gen;
    it->dir_mft_no = f->mft_no;
    it->flags = flags;
    ntx_index_where w;
    ntx_err rc = dir_locate(vol, f->mft_no, f->open_flags, &it->alloc, &w);
    if (rc != NTX_OK)
        return iter_fail(it, rc);
    it->root_rec = w.root_rec;
    it->root_off = w.root_off;
    it->has_alloc = w.alloc != NULL;

    it->fuel = dir_fuel(vol, it->has_alloc ? it->alloc.size : 0);
    it->depth = 1;
    it->level[0].vcn = NTX_INDEX_ROOT_VCN;
    it->level[0].off = 0;
    it->level[0].child_done = 0;
    return NTX_OK;
}

/* Descend from the current level into child vcn. */
static ntx_err iter_push(ntx_dir_iter *it, uint64_t child)
{
    if (it->depth >= NTX_MAX_INDEX_DEPTH)
        return ntx_fail(it->vol, NTX_E_LIMIT, NTX_CHK_INDEX_DEPTH, it->dir_mft_no, child);
    for (unsigned i = 0; i < it->depth; i++)
        if (it->level[i].vcn == child)
            return ntx_fail(it->vol, NTX_E_CORRUPT, NTX_CHK_INDEX_CYCLE, it->dir_mft_no, child);
    ntx_dir_level *l = &it->level[it->depth++];
    l->vcn = child;
    l->off = 0; /* resolved to the node's first entry when loaded */
    l->child_done = 0;
    return NTX_OK;
}

static bool iter_skips(const ntx_dir_iter *it, const ntx_dirent *ent)
{
    if ((it->flags & NTX_DIR_SKIP_DOS) && ent->name_space == NTX_NS_DOS)
        return true;
    return (it->flags & NTX_DIR_SKIP_SELF) && NTX_REF_MFT(ent->mft_ref) == it->dir_mft_no;
}

ntx_err ntx_dir_iter_next(ntx_dir_iter *it, ntx_dirent *ent)
{
    if (it == NULL || ent == NULL)
        return NTX_E_ARG;
    if (it->err != NTX_OK)
        return it->err;
    ntx_volume *vol = it->vol;
    if (!ntx_volume_handle_live(vol, it->gen))
        return NTX_E_STALE;
    ntx_index_where w;
    dir_where_of(it, &w);

    /* bound: it->fuel steps */
    while (it->depth > 0) {
        if (it->fuel == 0)
            return iter_fail(it,
                             ntx_fail(vol, NTX_E_LIMIT, NTX_CHK_INDEX_BUDGET, it->dir_mft_no, 0));
        it->fuel--;

        ntx_dir_level *l = &it->level[it->depth - 1];
        ntx_index_node node;
        ntx_index_entry e;
        ntx_err rc = ntx_index_load(vol, &w, l->vcn, &node);
        if (rc == NTX_OK) {
            if (l->off == 0)
                l->off = node.start;
            rc = ntx_index_entry_at(vol, &node, l->off, it->dir_mft_no, &e);
        }
        if (rc != NTX_OK)
            return iter_fail(it, rc);

        if ((e.flags & NTX_IE_NODE) && !l->child_done && !(it->flags & NTX_DIR_ROOT_ONLY)) {
            l->child_done = 1;
            rc = iter_push(it, e.child_vcn);
            if (rc != NTX_OK)
                return iter_fail(it, rc);
            continue;
        }
        if (e.flags & NTX_IE_END) {
            it->depth--;
            continue;
        }
        l->off = e.off + e.length;
        l->child_done = 0;
        ntx_filename_to_dirent(e.key, ent);
        ent->mft_ref = e.ref;
        if (!iter_skips(it, ent))
            return NTX_OK;
    }
    return NTX_END;
}

/* ---- lookup ---- */

/* One root-to-leaf descent comparing with (exact ? full : case-insensitive)
 * collation. NTX_OK with the entry's offset in the node left loaded. */
static ntx_err dir_descend(ntx_volume *vol, const ntx_index_where *w, const uint16_t *name,
                           size_t n, bool exact, ntx_index_node *node, ntx_index_entry *e)
{
    uint64_t *path = vol->lookup_path; /* in the volume: keeps this frame small */
    unsigned depth = 0;
    uint64_t vcn = NTX_INDEX_ROOT_VCN;

    /* bound: depth grows by one per node, capped at NTX_MAX_INDEX_DEPTH */
    for (;;) {
        ntx_err rc = ntx_index_load(vol, w, vcn, node);
        if (rc != NTX_OK)
            return rc;
        uint32_t off = node->start;
        /* bound: off grows by an entry length >= 0x10 toward node->end */
        for (;;) {
            rc = ntx_index_entry_at(vol, node, off, w->mft_no, e);
            if (rc != NTX_OK)
                return rc;
            if (e->flags & NTX_IE_END)
                break;
            int cmp;
            rc = ntx_collate_names(vol, name, n, e->key + FN_NAME, e->key[FN_NAME_LENGTH], exact,
                                   &cmp);
            if (rc != NTX_OK)
                return rc;
            if (cmp == 0)
                return NTX_OK;
            if (cmp < 0)
                break;
            off += e->length;
        }
        if ((e->flags & NTX_IE_NODE) == 0)
            return NTX_E_NOT_FOUND;
        if (depth + 1u >= NTX_MAX_INDEX_DEPTH)
            return ntx_fail(vol, NTX_E_LIMIT, NTX_CHK_INDEX_DEPTH, w->mft_no, e->child_vcn);
        path[depth++] = vcn;
        for (unsigned i = 0; i < depth; i++)
            if (path[i] == e->child_vcn)
                return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_INDEX_CYCLE, w->mft_no, e->child_vcn);
        vcn = e->child_vcn;
    }
}

ntx_err ntx_dir_find(ntx_volume *vol, uint64_t dir_no, const uint16_t *name, size_t n,
                     uint64_t *ref, const uint8_t **key)
{
    ntx_index_where w;
    ntx_err rc = dir_locate(vol, dir_no, 0, &vol->tmp_stream, &w);
    if (rc != NTX_OK)
        return rc;

    ntx_index_node node;
    ntx_index_entry e;
    rc = dir_descend(vol, &w, name, n, true, &node, &e);
    if (rc == NTX_E_NOT_FOUND)
        rc = dir_descend(vol, &w, name, n, false, &node, &e);
    if (rc != NTX_OK)
        return rc;
    *ref = e.ref;
    if (key != NULL)
        *key = e.key;
    return NTX_OK;
}

ntx_err ntx_dir_lookup(const ntx_file *dir, const uint16_t *name, size_t name_len, ntx_dirent *ent)
{
    uint64_t ref;
    if (dir == NULL || ent == NULL || (name == NULL && name_len != 0))
        return NTX_E_ARG;
    if (!ntx_volume_handle_live(dir->vol, dir->gen))
        return NTX_E_STALE;
    if ((dir->rec_flags & REC_FLAG_DIRECTORY) == 0)
        return NTX_E_NOT_DIR;
    if (name_len == 0)
        return NTX_E_NOT_FOUND;
    if (name_len > NTX_NAME_MAX)
        return NTX_E_NAME_TOO_LONG;
    /* The entry is filled here, not in ntx_dir_find(): a path lookup then
     * links no dirent code. */
    const uint8_t *key;
    ntx_err rc = ntx_dir_find(dir->vol, dir->mft_no, name, name_len, &ref, &key);
    if (rc != NTX_OK)
        return rc;
    ntx_filename_to_dirent(key, ent);
    ent->mft_ref = ref;
    return NTX_OK;
}
