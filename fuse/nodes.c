/*
 * nodes.c - node ids: which file, or which stream of a file, the kernel
 * means.
 *
 * A file's node id is derived from its MFT reference, so ntxfs keeps no
 * table of files and the kernel's forget needs no work:
 *   the root (MFT record 5)          -> FUSE_ROOT_ID (1)
 *   record r with sequence number s  -> ((r << 16) | s) + 2   (never 0 or 1)
 * st_ino is the MFT record number, as ntfs-3g reports it. Hard links share
 * one node. A named stream opened as FILE:NAME (streams_interface=windows)
 * has a node of its own, kept in the table below with the kernel's lookup
 * count: id = NTXFS_NODE_STREAM | slot. Everything here runs under g.lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ntxfs.h"

#define SNODE_BUCKETS 1024u

/* The stream nodes: chains by (file, stream name) for lookups, an array by
 * id for every other request, and the ids of forgotten nodes to reuse. */
static struct {
    ntxfs_snode **hash;           /* SNODE_BUCKETS chains, allocated on first use */
    ntxfs_snode **by_id;          /* NULL where the node was forgotten */
    size_t len, cap;              /* ids handed out; room in by_id and free */
    uint64_t *free;               /* forgotten ids */
    size_t free_len;
} snodes;

fuse_ino_t ntxfs_node_of_ref(uint64_t ref)
{
    uint64_t mft = NTX_REF_MFT(ref);
    if (mft == NTX_MFT_ROOT)
        return FUSE_ROOT_ID;
    return (fuse_ino_t)(((mft << 16) | NTX_REF_SEQ(ref)) + 2u);
}

static uint64_t ref_of_node(fuse_ino_t ino)
{
    if (ino == FUSE_ROOT_ID)
        return NTX_REF(NTX_MFT_ROOT, NTX_SEQ_ANY);
    uint64_t x = (uint64_t)ino - 2u;
    return NTX_REF(x >> 16, x & 0xFFFFu);
}

int ntxfs_open_ref(uint64_t ref, ntx_file *f)
{
    ntx_err rc = ntx_file_open(f, &g.vol, ref, 0);
    return rc == NTX_OK ? 0 : ntxfs_core_fail("open record", rc);
}

static ntxfs_snode *snode_of(fuse_ino_t ino)
{
    uint64_t id = (uint64_t)ino & ~NTXFS_NODE_STREAM;
    return id < snodes.len ? snodes.by_id[id] : NULL;
}

int ntxfs_node_open(fuse_ino_t ino, ntx_file *f, const ntxfs_snode **sn)
{
    *sn = NULL;
    if (ntxfs_node_is_stream(ino)) {
        *sn = snode_of(ino);
        if (*sn == NULL)
            return -ESTALE;
        return ntxfs_open_ref((*sn)->ref, f);
    }
    return ntxfs_open_ref(ref_of_node(ino), f);
}

static uint32_t snode_hash(uint64_t ref, const uint16_t *name, size_t n)
{
    uint32_t h = 2166136261u;
    for (int i = 0; i < 8; i++)
        h = (h ^ (uint8_t)(ref >> (8 * i))) * 16777619u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ name[i]) * 16777619u;
    return h;
}

/* An id for a new node: a forgotten one, or the next. false without memory. */
static bool snode_new_id(uint64_t *id)
{
    if (snodes.free_len > 0) {
        *id = snodes.free[--snodes.free_len];
        return true;
    }
    if (snodes.len == snodes.cap) {
        size_t cap = snodes.cap ? 2 * snodes.cap : 64;
        ntxfs_snode **v = realloc(snodes.by_id, cap * sizeof *v);
        uint64_t *fr = realloc(snodes.free, cap * sizeof *fr);
        if (v != NULL)
            snodes.by_id = v;
        if (fr != NULL)
            snodes.free = fr;
        if (v == NULL || fr == NULL)
            return false;
        snodes.cap = cap;
    }
    *id = snodes.len++;
    return true;
}

fuse_ino_t ntxfs_stream_node_get(uint64_t ref, const uint16_t *name, size_t n)
{
    uint32_t h = snode_hash(ref, name, n);
    if (snodes.hash == NULL) {
        snodes.hash = calloc(SNODE_BUCKETS, sizeof *snodes.hash);
        if (snodes.hash == NULL)
            return 0;
    }
    ntxfs_snode **b = &snodes.hash[h % SNODE_BUCKETS];
    for (ntxfs_snode *s = *b; s != NULL; s = s->next)
        if (s->hash == h && s->ref == ref && s->name_len == n &&
            memcmp(s->name, name, n * sizeof *name) == 0) {
            s->nlookup++;
            return (fuse_ino_t)(NTXFS_NODE_STREAM | s->id);
        }
    ntxfs_snode *s = calloc(1, sizeof *s);
    if (s == NULL)
        return 0;
    if (!snode_new_id(&s->id)) {
        free(s);
        return 0;
    }
    s->ref = ref;
    s->hash = h;
    s->name_len = (uint16_t)n;
    memcpy(s->name, name, n * sizeof *name);
    s->nlookup = 1;
    s->next = *b;
    *b = s;
    snodes.by_id[s->id] = s;
    return (fuse_ino_t)(NTXFS_NODE_STREAM | s->id);
}

bool ntxfs_stream_node_forget(fuse_ino_t ino, uint64_t n)
{
    ntxfs_snode *s = snode_of(ino);
    if (s == NULL)
        return false;
    s->nlookup = n >= s->nlookup ? 0 : s->nlookup - n;
    if (s->nlookup != 0)
        return false;
    ntxfs_snode **p = &snodes.hash[s->hash % SNODE_BUCKETS];
    while (*p != s)
        p = &(*p)->next;
    *p = s->next;
    snodes.by_id[s->id] = NULL;
    snodes.free[snodes.free_len++] = s->id;
    free(s);
    return true;
}
