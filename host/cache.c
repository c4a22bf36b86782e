/*
 * cache.c - the read cache between the core and a source.
 *
 * How the core reads (measured; host/README.md has the figures):
 *  - walks over $MFT (ntx mft, timeline): one record (1 KiB) after another,
 *    in order: sequential small reads;
 *  - listings: a directory's index blocks (4 KiB, mostly in order), then one
 *    record per entry in name order, which is random across $MFT;
 *  - file data: large reads (the caller's buffer, 64 KiB and up) that the
 *    core already sends straight into that buffer.
 *
 * So: pages of 4 KiB in a hash table with LRU eviction, memory taken as
 * pages are first used (a short run allocates little, and nothing is filled
 * ahead of need); a miss fetches the source's natural unit (4 KiB for a
 * file, the chunk or cluster of a compressed or allocated container, which
 * its library decodes whole anyway) and, when misses follow each other in
 * order, twice as much each time up to 1 MiB (read-ahead per stream: up to
 * four interleaved sequential streams are told apart, such as index blocks
 * and records). Reads of 64 KiB and more bypass the cache. Random record
 * reads thus cost one 4 KiB read each instead of a window, and a walk over
 * $MFT becomes a few hundred large reads.
 *
 * Pages fetched ahead come from a file with preadv() straight into the page
 * buffers; from a container library, through one staging buffer.
 *
 * A raw file the caller asked to map (map_raw) skips all this for reads
 * under 64 KiB: they are copied out of the mapping, the kernel's page cache
 * itself, with no system call and no page of ours to fill; measured,
 * listings and $MFT walks take 13 to 33 % less CPU (host/README.md). Large
 * reads still go through pread(): faulting a mapping in costs more than the
 * copy pread() makes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "internal.h"

#define PAGE_SHIFT 12u
#define PAGE_SIZE (1u << PAGE_SHIFT)
#define DIRECT_MIN (64u * 1024u)        /* reads this large go straight to the source */
#define RA_MAX_PAGES 256u               /* 1 MiB: the largest read-ahead */
#define STREAMS 4u                      /* sequential streams followed at once */
#define WINDOW_PAGES 16u                /* 64 KiB: what a miss in a well-used region fetches */
#define REGION_PAGES 64u                /* 256 KiB regions whose use is counted */
#define REGIONS 256u                    /* regions remembered (a hash, newest wins) */
#define HUGE_SIZE (2u << 20)            /* a transparent huge page */
#define NIL UINT32_MAX

typedef struct page {
    uint64_t no;        /* page number on the source */
    uint32_t len;       /* valid bytes (short at the source's end) */
    uint32_t hnext;     /* next page in the hash bucket, or NIL */
    uint32_t prev, next;/* LRU list, most recent first */
    bool used;          /* read by the core since it was fetched */
    uint8_t *data;
} page;

/* A run of misses in order: its fetches double while the core uses what
 * they bring. */
typedef struct stream {
    uint64_t first, next;  /* the pages of its last fetch: [first, next) */
    uint32_t fetched;      /* pages that fetch brought */
    uint32_t used;         /* of them, pages the core has read since */
    uint64_t tick;         /* of its last fetch: the oldest stream is replaced */
} stream;

/* A 256 KiB region of the source: how much of what was fetched from it was
 * used, which decides whether a miss there fetches a page or a window. */
typedef struct region {
    uint64_t no;           /* page number / REGION_PAGES, or UINT64_MAX */
    uint32_t fetched, used;
} region;

struct host_cache {
    host_source *src;
    uint32_t cap, used;       /* pages allowed, pages in use */
    page *pages;              /* cap descriptors; data of the first `used` */
    uint32_t *bucket;         /* nbucket heads, page index + 1 (0: empty) */
    uint32_t nbucket;         /* power of two */
    uint32_t head, tail;      /* LRU ends */
    uint8_t *arena;           /* cap pages of page memory, 2 MiB aligned */
    void *map;                /* the mapping holding it */
    size_t map_len;
    uint32_t unit_pages;      /* the source's natural unit, in pages */
    stream streams[STREAMS];
    region regions[REGIONS];
    uint64_t tick;
    uint8_t *staging;         /* RA_MAX_PAGES pages, for sources without preadv */
    ntx_host_stats stats;
    FILE *trace;              /* NTX_HOST_TRACE: every read and fill, for measuring */
};

static uint32_t hash_page(const host_cache *c, uint64_t no)
{
    uint64_t h = no * 0x9E3779B97F4A7C15ull;
    return (uint32_t)(h >> 32) & (c->nbucket - 1u);
}

host_cache *host_cache_new(host_source *src, size_t cap_bytes)
{
    host_cache *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    uint64_t cap = cap_bytes / PAGE_SIZE;
    if (cap < 2u * RA_MAX_PAGES)
        cap = 2u * RA_MAX_PAGES; /* room for a read-ahead and what it displaces */
    if (cap > (1u << 24))
        cap = 1u << 24;           /* 64 GiB: beyond any use, and the indexes stay 32-bit */
    c->src = src;
    c->cap = (uint32_t)cap;
    c->nbucket = 1;
    while (c->nbucket < 2u * c->cap) /* bound: 25 doublings at most */
        c->nbucket <<= 1;
    /* Memory is mapped, not filled: a page costs only when first used. On
     * a VM, first touching a 4 KiB page was measured at 20 us, a 2 MiB huge
     * page at 150 us (0.3 us per 4 KiB): even a short run that fills a few
     * 64 KiB windows touches fewer pages on huge pages. */
    c->map_len = (size_t)c->cap * PAGE_SIZE + HUGE_SIZE;
    c->map = mmap(NULL, c->map_len, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    c->pages = calloc(c->cap, sizeof *c->pages);
    c->bucket = calloc(c->nbucket, sizeof *c->bucket);
    if (c->map == MAP_FAILED || c->pages == NULL || c->bucket == NULL) {
        if (c->map == MAP_FAILED)
            c->map = NULL;
        host_cache_free(c);
        return NULL;
    }
    c->arena = (uint8_t *)(((uintptr_t)c->map + HUGE_SIZE - 1u) & ~(uintptr_t)(HUGE_SIZE - 1u));
    madvise(c->arena, (size_t)c->cap * PAGE_SIZE, MADV_HUGEPAGE); /* a wish: may be refused */
    c->head = c->tail = NIL;
    uint32_t unit = src->unit >= PAGE_SIZE ? src->unit : PAGE_SIZE;
    c->unit_pages = unit / PAGE_SIZE > RA_MAX_PAGES ? RA_MAX_PAGES : unit / PAGE_SIZE;
    for (uint32_t k = 0; k < REGIONS; k++)
        c->regions[k].no = UINT64_MAX;
    /* the access pattern of a run, to measure cache designs against (one
     * line per read of the core "R off len", per direct read "D off len",
     * per fetch from the source "F off len") */
    const char *trace = getenv("NTX_HOST_TRACE");
    if (trace != NULL && trace[0] != '\0')
        c->trace = fopen(trace, "a");
    return c;
}

void host_cache_free(host_cache *c)
{
    if (c == NULL)
        return;
    if (c->map != NULL)
        munmap(c->map, c->map_len);
    free(c->pages);
    free(c->bucket);
    free(c->staging);
    if (c->trace != NULL)
        fclose(c->trace);
    free(c);
}

void host_cache_add_stats(const host_cache *c, ntx_host_stats *out)
{
    out->reads += c->stats.reads;
    out->hits += c->stats.hits;
    out->misses += c->stats.misses;
    out->fills += c->stats.fills;
    out->fill_bytes += c->stats.fill_bytes;
    out->direct_reads += c->stats.direct_reads;
    out->direct_bytes += c->stats.direct_bytes;
    out->mapped_reads += c->stats.mapped_reads;
    out->mapped_bytes += c->stats.mapped_bytes;
    out->pages_held += c->used;
}

/* ---- the LRU list and the hash table ---- */

static void lru_unlink(host_cache *c, uint32_t i)
{
    page *p = &c->pages[i];
    if (p->prev != NIL)
        c->pages[p->prev].next = p->next;
    else
        c->head = p->next;
    if (p->next != NIL)
        c->pages[p->next].prev = p->prev;
    else
        c->tail = p->prev;
}

static void lru_push_front(host_cache *c, uint32_t i)
{
    page *p = &c->pages[i];
    p->prev = NIL;
    p->next = c->head;
    if (c->head != NIL)
        c->pages[c->head].prev = i;
    c->head = i;
    if (c->tail == NIL)
        c->tail = i;
}

static uint32_t lookup(const host_cache *c, uint64_t no)
{
    /* bound: a chain holds at most the pages in use */
    for (uint32_t i = c->bucket[hash_page(c, no)] - 1u; i != NIL; i = c->pages[i].hnext)
        if (c->pages[i].no == no)
            return i;
    return NIL;
}

static void hash_remove(host_cache *c, uint32_t i)
{
    uint32_t *head = &c->bucket[hash_page(c, c->pages[i].no)];
    if (*head == i + 1u) {
        *head = c->pages[i].hnext + 1u; /* NIL + 1 wraps to 0: empty */
        return;
    }
    uint32_t k = *head - 1u;
    while (k != NIL && c->pages[k].hnext != i) /* bound: the chain's length */
        k = c->pages[k].hnext;
    if (k != NIL)
        c->pages[k].hnext = c->pages[i].hnext;
}

/* A page slot for page number no (not in the cache): a new one while the
 * cap allows, else the least recently used. NIL when out of memory. */
static uint32_t slot_for(host_cache *c, uint64_t no)
{
    uint32_t i;
    if (c->used < c->cap) {
        i = c->used++;
        c->pages[i].data = c->arena + (size_t)i * PAGE_SIZE;
    } else {
        i = c->tail;
        if (i == NIL)
            return NIL;
        lru_unlink(c, i);
        hash_remove(c, i);
    }
    page *p = &c->pages[i];
    p->no = no;
    p->len = 0;
    p->used = false;
    uint32_t b = hash_page(c, no);
    p->hnext = c->bucket[b] - 1u;
    c->bucket[b] = i + 1u;
    lru_push_front(c, i);
    return i;
}

/* Forget slot i (it holds nothing valid) and put it at the LRU tail, where
 * the next claim takes it first. */
static void slot_release(host_cache *c, uint32_t i)
{
    hash_remove(c, i);
    c->pages[i].no = UINT64_MAX;
    c->pages[i].len = 0;
    lru_unlink(c, i);
    c->pages[i].prev = c->tail;
    c->pages[i].next = NIL;
    if (c->tail != NIL)
        c->pages[c->tail].next = i;
    c->tail = i;
    if (c->head == NIL)
        c->head = i;
}

/* ---- fetching ---- */

/* Pages [first, first + n) read from the source into slots. The slots are
 * claimed first (the newest LRU entries, so they cannot evict each other). */
static int fetch(host_cache *c, uint64_t first, uint32_t n)
{
    host_source *src = c->src;
    uint64_t off = first << PAGE_SHIFT;
    uint64_t len = (uint64_t)n << PAGE_SHIFT;
    if (len > src->size - off)
        len = src->size - off;
    uint32_t slots[RA_MAX_PAGES];
    for (uint32_t k = 0; k < n; k++) {
        slots[k] = slot_for(c, first + k);
        if (slots[k] == NIL) {
            for (uint32_t j = 0; j < k; j++) /* give them back: nothing was read */
                slot_release(c, slots[j]);
            snprintf(src->why, sizeof src->why, "out of memory for the cache");
            return -ENOMEM;
        }
    }
    int rc;
    c->stats.fills++;
    c->stats.fill_bytes += len;
    if (c->trace != NULL)
        fprintf(c->trace, "F %llu %llu\n", (unsigned long long)off, (unsigned long long)len);
    if (src->fd >= 0) {
        /* a plain file: straight into the pages */
        struct iovec iov[RA_MAX_PAGES];
        uint64_t left = len;
        for (uint32_t k = 0; k < n; k++) {
            iov[k].iov_base = c->pages[slots[k]].data;
            iov[k].iov_len = left < PAGE_SIZE ? (size_t)left : PAGE_SIZE;
            left -= iov[k].iov_len;
        }
        uint32_t k = 0;
        uint64_t at = off;
        rc = 0;
        while (k < n) { /* bound: each pass consumes bytes or fails */
            ssize_t got = preadv(src->fd, iov + k, (int)(n - k), (off_t)at);
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0) {
                rc = got < 0 ? -errno : -EIO;
                snprintf(src->why, sizeof src->why, "reading the file at offset %llu: %s",
                         (unsigned long long)at, strerror(-rc));
                break;
            }
            at += (uint64_t)got;
            /* bound: got bytes are spread over the iovecs from k on */
            while (got > 0 && k < n) {
                if ((size_t)got >= iov[k].iov_len) {
                    got -= (ssize_t)iov[k].iov_len;
                    k++;
                } else {
                    iov[k].iov_base = (uint8_t *)iov[k].iov_base + got;
                    iov[k].iov_len -= (size_t)got;
                    got = 0;
                }
            }
            while (k < n && iov[k].iov_len == 0) /* bound: n */
                k++;
        }
    } else {
        if (c->staging == NULL) {
            c->staging = malloc((size_t)RA_MAX_PAGES * PAGE_SIZE);
            if (c->staging == NULL) {
                rc = -ENOMEM;
                snprintf(src->why, sizeof src->why, "out of memory for the cache");
                goto done;
            }
        }
        rc = src->ops->read(src, off, c->staging, (size_t)len);
        for (uint32_t k = 0; rc == 0 && k < n; k++) {
            uint64_t start = (uint64_t)k << PAGE_SHIFT;
            memcpy(c->pages[slots[k]].data, c->staging + start,
                   len - start < PAGE_SIZE ? (size_t)(len - start) : PAGE_SIZE);
        }
    }
done:
    for (uint32_t k = 0; k < n; k++) {
        page *p = &c->pages[slots[k]];
        uint64_t start = (uint64_t)k << PAGE_SHIFT;
        p->len = rc == 0 ? (uint32_t)(len - start < PAGE_SIZE ? len - start : PAGE_SIZE) : 0;
        if (rc != 0) /* forget the slot: it holds nothing */
            slot_release(c, slots[k]);
    }
    return rc;
}

/* The region entry of page no, or NULL when it is not remembered. */
static region *region_of(host_cache *c, uint64_t no, bool create)
{
    uint64_t r = no / REGION_PAGES;
    region *e = &c->regions[(uint32_t)(r * 0x9E3779B97F4A7C15ull >> 56) % REGIONS];
    if (e->no == r)
        return e;
    if (!create)
        return NULL;
    e->no = r;
    e->fetched = e->used = 0;
    return e;
}

/* The core read page i for the first time since it was fetched. */
static void note_use(host_cache *c, uint32_t i)
{
    page *p = &c->pages[i];
    p->used = true;
    region *r = region_of(c, p->no, false);
    if (r != NULL)
        r->used++;
    for (uint32_t k = 0; k < STREAMS; k++)
        if (p->no >= c->streams[k].first && p->no < c->streams[k].next)
            c->streams[k].used++;
}

/*
 * What a miss at page no fetches (measured on the three access patterns,
 * host/README.md):
 *  - it continues a stream (the page right after, or just past, the
 *    stream's last fetch) whose pages the core has used at least half of:
 *    twice that fetch, up to 1 MiB ($MFT walks, index allocations read in
 *    order);
 *  - it falls in a region from which at least a third of what was fetched
 *    got used: a 64 KiB window (records of one directory visited in name
 *    order are scattered over a few MiB of $MFT, but the region is dense);
 *  - else one page: a lone record or index block needs nothing around it.
 * Never less than the source's natural unit (a compressed chunk, a
 * cluster), which its library decodes whole anyway.
 */
static void plan(host_cache *c, uint64_t no, uint64_t *first, uint32_t *n)
{
    stream *s = NULL, *oldest = &c->streams[0];
    for (uint32_t k = 0; k < STREAMS; k++) {
        stream *t = &c->streams[k];
        uint64_t span = t->next - t->first;
        if (t->next != 0 && no >= t->next && no < t->next + span) {
            s = t;
            break;
        }
        if (t->tick < oldest->tick)
            oldest = t;
    }
    uint64_t start;
    uint32_t want;
    region *r = region_of(c, no, true);
    if (s != NULL && 2u * s->used >= s->fetched) {
        start = no;
        want = s->fetched * 2u > RA_MAX_PAGES ? RA_MAX_PAGES : s->fetched * 2u;
    } else if (r->fetched > 0 && 3u * r->used >= r->fetched) {
        start = no - no % WINDOW_PAGES;
        want = WINDOW_PAGES;
    } else {
        start = no;
        want = 1;
    }
    if (want < c->unit_pages) {
        start = no - no % c->unit_pages;
        want = c->unit_pages;
    }
    if (s == NULL)
        s = oldest;
    uint64_t pages_total = (c->src->size + PAGE_SIZE - 1) >> PAGE_SHIFT;
    uint64_t end = start + want < pages_total ? start + want : pages_total;
    if (end - start > c->cap / 2u)
        end = start + c->cap / 2u;
    if (end <= no)
        end = no + 1;
    /* the run of pages not held around no, inside [start, end): none is
     * ever held twice */
    uint64_t lo = no, hi = no + 1;
    while (lo > start && lookup(c, lo - 1) == NIL) /* bound: the window's pages */
        lo--;
    while (hi < end && lookup(c, hi) == NIL) /* bound: the window's pages */
        hi++;
    uint32_t k = (uint32_t)(hi - lo);
    s->first = lo;
    s->next = hi;
    s->fetched = k;
    s->used = 1; /* the page asked for */
    s->tick = ++c->tick;
    r->fetched += k;
    r->used += 1;
    *first = lo;
    *n = k;
}

int host_cache_read(void *ctx, uint64_t off, void *buf, size_t len)
{
    host_cache *c = ctx;
    host_source *src = c->src;
    c->stats.reads++;
    if (off > src->size || len > src->size - off) {
        snprintf(src->why, sizeof src->why, "read past the end of the image (%llu bytes)",
                 (unsigned long long)src->size);
        return -EIO;
    }
    if (c->trace != NULL)
        fprintf(c->trace, "%c %llu %zu\n", len >= DIRECT_MIN ? 'D' : 'R', (unsigned long long)off,
                len);
    if (src->map != NULL && len < DIRECT_MIN) { /* the page cache is the cache */
        c->stats.mapped_reads++;
        c->stats.mapped_bytes += len;
        if (host_map_read(src->map, off, buf, len) != 0) {
            snprintf(src->why, sizeof src->why,
                     "reading the mapped file at offset %llu: a page could not be read (the "
                     "file was truncated, or its medium failed)",
                     (unsigned long long)off);
            return -EIO;
        }
        return 0;
    }
    if (len >= DIRECT_MIN) {
        c->stats.direct_reads++;
        c->stats.direct_bytes += len;
        return src->ops->read(src, off, buf, len);
    }
    uint8_t *out = buf;
    while (len > 0) { /* bound: len shrinks by at least one byte per page */
        uint64_t no = off >> PAGE_SHIFT;
        uint32_t in = (uint32_t)(off & (PAGE_SIZE - 1u));
        uint32_t i = lookup(c, no);
        if (i != NIL) {
            c->stats.hits++;
            if (!c->pages[i].used)
                note_use(c, i);
            if (c->head != i) {
                lru_unlink(c, i);
                lru_push_front(c, i);
            }
        } else {
            c->stats.misses++;
            uint64_t first;
            uint32_t n;
            plan(c, no, &first, &n);
            int rc = fetch(c, first, n);
            if (rc != 0 && n > 1)
                rc = fetch(c, no, 1); /* read-ahead into a bad area must not fail this read */
            if (rc != 0)
                return rc;
            i = lookup(c, no);
            if (i == NIL)
                return -EIO;
            c->pages[i].used = true; /* counted in plan() */
        }
        const page *p = &c->pages[i];
        if (in >= p->len)
            return -EIO;
        size_t take = p->len - in < len ? p->len - in : len;
        memcpy(out, p->data + in, take);
        out += take;
        off += take;
        len -= take;
    }
    return 0;
}
