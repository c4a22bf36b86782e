/*
 * stat.c - what stat and statfs report, as ntfs-3g reports them: the stat
 * fields of a file or of a stream shown as a file, and the volume's sizes
 * and free counts.
 *
 * Everything here is called with g.lock held: it makes core calls.
 *
 * The model is what ntfs-3g 2022.10.3 (Debian 12) reports on a read-only
 * mount (its src/ntfs-3g.c getattr and statfs), checked side by side on the
 * fixtures by tests/fuse/. Where ntxfs differs on purpose, the comment says
 * so and the man page lists it.
 */
#include <errno.h>
#include <string.h>
#include <sys/statvfs.h>

#include "ntxfs.h"

/* $I30: the name of a directory's file name index. */
static const uint16_t i30[4] = { '$', 'I', '3', '0' };

/* NT time (100 ns since 1601) to a timespec, rounding toward minus infinity. */
static struct timespec nt_to_timespec(uint64_t t)
{
    const uint64_t epoch = 116444736000000000ull; /* 1970-01-01 in NT time */
    struct timespec ts;
    if (t >= epoch) {
        ts.tv_sec = (time_t)((t - epoch) / 10000000u);
        ts.tv_nsec = (long)((t - epoch) % 10000000u) * 100;
    } else {
        uint64_t d = epoch - t;
        ts.tv_sec = -(time_t)(d / 10000000u);
        ts.tv_nsec = 0;
        if (d % 10000000u != 0) {
            ts.tv_sec -= 1;
            ts.tv_nsec = (long)(10000000u - d % 10000000u) * 100;
        }
    }
    return ts;
}

/*
 * Bytes allocated to the unnamed $DATA as ntfs-3g counts them: the
 * allocated size, or the compressed size of a sparse or compressed stream,
 * or for resident data the value length rounded up to 8. ntx_stat does not
 * say whether the data is resident; only an allocation of 0 for data that is
 * not empty is ambiguous (resident, or non-resident and all holes), and only
 * then is the stream opened to tell.
 */
static uint64_t data_alloc(const ntx_file *f, const ntx_stat *ns)
{
    if (!ns->has_data || ns->alloc_size != 0 || ns->size == 0)
        return ns->alloc_size;
    ntx_stream s;
    if (ntx_stream_open(&s, f, NTX_AT_DATA, NULL, 0) == NTX_OK && s.resident)
        return (ns->size + 7u) & ~(uint64_t)7u;
    return 0;
}

/* ---- stat ---- */

/* What every stat of f shares: st_ino is the MFT record number (as ntfs-3g
 * reports it), the link count, the owner, the $STANDARD_INFORMATION times. */
static void stat_common(const ntx_file *f, const ntx_stat *ns, struct stat *st)
{
    memset(st, 0, sizeof *st);
    st->st_ino = (ino_t)f->mft_no;
    st->st_nlink = ns->link_count;
    st->st_uid = g.opt.uid;
    st->st_gid = g.opt.gid;
    st->st_atim = nt_to_timespec(ns->si_times[NTX_TIME_ACCESS]);
    st->st_mtim = nt_to_timespec(ns->si_times[NTX_TIME_MODIFY]);
    st->st_ctim = nt_to_timespec(ns->si_times[NTX_TIME_MFT_CHANGE]);
}

/* A reparse point: ntfs-3g shows every one as a symbolic link (junctions,
 * directories included), except the WSL special files. */
static int stat_reparse(const ntx_file *f, const ntx_stat *ns, struct stat *st)
{
    static char target[NTXFS_LINK_MAX];
    size_t len = 0;
    uint32_t tag = ns->reparse_tag;
    mode_t wsl = ntxfs_wsl_type(tag);
    if (wsl != 0) {
        /* Deliberate: ntfs-3g gives these mode 0 (no one but root could
         * open a FIFO); they get the file mask here. */
        st->st_mode = wsl | (0777 & ~g.opt.fmask);
        if (S_ISCHR(wsl) || S_ISBLK(wsl))
            st->st_rdev = ntxfs_wsl_rdev(f);
        return 0;
    }
    int r = ntxfs_reparse_link(f, &tag, target, sizeof target, &len);
    if (r < 0)
        return r;
    st->st_mode = S_IFLNK | 0777;
    st->st_size = r == 1 ? (off_t)NTXFS_BAD_REPARSE_LEN : (off_t)len;
    st->st_blocks = (blkcnt_t)((data_alloc(f, ns) + 511u) >> 9);
    return 0;
}

/*
 * A file whose reparse point says where its data is (links.c,
 * ntxfs_reparse_places_data()): a regular file of the size Windows shows,
 * the unnamed $DATA's. A WOF file is read as its uncompressed bytes, and
 * takes the clusters of WofCompressedData (or, resident, its length
 * rounded up to 8, as other resident values count); ntfs-3g's plugin counts
 * the stream's length instead. Data kept outside the volume (WIM, chunk
 * store, cloud, HSM) takes what its stub $DATA takes, usually nothing;
 * reading it fails (read.c), it never reads as the stub's zeros.
 */
static void stat_placed(const ntx_stat *ns, struct stat *st)
{
    uint64_t alloc = ns->alloc_size;
    if (ns->data_form == NTX_DATA_WOF && alloc == 0)
        alloc = (ns->stored_size + 7u) & ~(uint64_t)7u;
    st->st_mode = S_IFREG | (0777 & ~g.opt.fmask);
    st->st_size = (off_t)ns->size;
    st->st_blocks = (blkcnt_t)((alloc + 511u) >> 9);
}

/* A directory: the size of its index allocation ($I30). */
static int stat_dir(const ntx_file *f, struct stat *st)
{
    ntx_stream s;
    st->st_mode = S_IFDIR | (0777 & ~g.opt.dmask);
    st->st_nlink = 1; /* as ntfs-3g without posix_nlink: find(1) must not count on it */
    ntx_err rc = ntx_stream_open(&s, f, NTX_AT_INDEX_ALLOCATION, i30, 4);
    if (rc == NTX_OK) {
        st->st_size = (off_t)s.size;
        st->st_blocks = (blkcnt_t)(s.alloc_size >> 9);
    } else if (rc != NTX_E_NOT_FOUND) {
        return ntxfs_core_fail("open $INDEX_ALLOCATION", rc);
    }
    return 0;
}

/* A file: a regular one, or, with the SYSTEM attribute, maybe an Interix
 * special file. */
static int stat_data(const ntx_file *f, const ntx_stat *ns, struct stat *st)
{
    st->st_mode = S_IFREG;
    st->st_size = (off_t)ns->size;
    st->st_blocks = (blkcnt_t)((data_alloc(f, ns) + 511u) >> 9);
    if (ns->dos_attrs & NTX_FA_SYSTEM) {
        mode_t type;
        dev_t rdev = 0;
        size_t len = 0;
        int r = ntxfs_interix(f, ns, &type, &rdev, NULL, 0, &len);
        if (r < 0)
            return r;
        if (r == 1) {
            /* ntfs-3g "nodata": a system file without data ($Extend/$Quota...):
             * no permission bits, owner root. */
            st->st_uid = 0;
            st->st_gid = 0;
            return 0;
        }
        st->st_mode = type;
        st->st_rdev = rdev;
        if (type == S_IFLNK) {
            st->st_size = (off_t)len;
            st->st_mode |= 0777;
            return 0;
        }
    }
    st->st_mode |= 0777 & ~g.opt.fmask;
    return 0;
}

int ntxfs_stat_file(const ntx_file *f, struct stat *st)
{
    ntx_stat ns;
    ntx_err rc = ntx_file_stat(f, &ns);
    if (rc != NTX_OK)
        return ntxfs_core_fail("stat", rc);
    stat_common(f, &ns, st);
    if ((ns.dos_attrs & NTX_FA_REPARSE) && !ns.is_dir &&
        ntxfs_reparse_places_data(ns.reparse_tag)) {
        stat_placed(&ns, st);
        return 0;
    }
    if (ns.dos_attrs & NTX_FA_REPARSE)
        return stat_reparse(f, &ns, st);
    if (ns.is_dir)
        return stat_dir(f, st);
    return stat_data(f, &ns, st);
}

int ntxfs_stat_stream(const ntx_file *f, const uint16_t *name, size_t name_len, struct stat *st)
{
    ntx_stat ns;
    ntx_stream s;
    ntx_err rc = ntx_file_stat(f, &ns);
    if (rc == NTX_OK)
        rc = ntx_stream_open(&s, f, NTX_AT_DATA, name, name_len);
    if (rc != NTX_OK)
        return ntxfs_core_fail("stat stream", rc);
    stat_common(f, &ns, st);
    st->st_mode = S_IFREG | (0777 & ~g.opt.fmask);
    st->st_size = (off_t)s.size;
    /* As ntfs-3g (ntfs_attr_open): the allocated size, not the compressed one;
     * resident values count their length rounded up to 8. */
    uint64_t alloc = s.resident ? (s.size + 7u) & ~(uint64_t)7u : s.alloc_size;
    st->st_blocks = (blkcnt_t)(alloc >> 9);
    return 0;
}

/* ---- statfs ---- */

/* The free counts, computed on the first statfs: the image never changes. */
static struct {
    bool done;
    uint64_t free_clusters;
    uint64_t mft_bits, mft_free_bits; /* records in $MFT's bitmap, and free ones */
} counts;

/* Clear bits in $MFT's $BITMAP, and its allocated bits (ntfs-3g counts free
 * MFT records this way). A bitmap is a plain attribute value, counted here:
 * the core counts only $Bitmap (ntx_volume_count_free). */
static int mft_bitmap(uint64_t *bits, uint64_t *free_bits)
{
    ntx_file mft;
    ntx_stream s;
    static uint8_t buf[65536];
    ntx_err rc = ntx_file_open(&mft, &g.vol, NTX_REF(NTX_MFT_MFT, 0), 0);
    if (rc == NTX_OK)
        rc = ntx_stream_open(&s, &mft, NTX_AT_BITMAP, NULL, 0);
    if (rc != NTX_OK)
        return ntxfs_core_fail("open $MFT:$BITMAP", rc);
    uint64_t zero = 0, off = 0;
    /* bound: off grows by got > 0 each pass, up to s.size */
    while (off < s.size) {
        size_t got = 0;
        rc = ntx_stream_read(&s, off, buf, sizeof buf, &got);
        if (rc != NTX_OK)
            return ntxfs_core_fail("read $MFT:$BITMAP", rc);
        if (got == 0)
            break;
        for (size_t i = 0; i < got; i++)
            zero += 8u - (uint64_t)__builtin_popcount(buf[i]);
        off += got;
    }
    uint64_t alloc = s.resident ? (s.size + 7u) & ~(uint64_t)7u : s.alloc_size;
    *bits = alloc * 8u;
    *free_bits = zero + (alloc - s.size) * 8u;
    return 0;
}

int ntxfs_statfs(struct statvfs *sv)
{
    if (!counts.done) {
        static uint8_t buf[65536];
        ntx_err rc = ntx_volume_count_free(&g.vol, buf, sizeof buf, &counts.free_clusters, NULL);
        if (rc != NTX_OK)
            return ntxfs_core_fail("count free clusters", rc);
        int r = mft_bitmap(&counts.mft_bits, &counts.mft_free_bits);
        if (r != 0)
            return r;
        counts.done = true;
    }
    const ntx_geometry *geo = &g.vol.geo;
    /* Records that would fit in the free space, as ntfs-3g adds them. */
    uint64_t extra = geo->record_size <= geo->cluster_size
                         ? counts.free_clusters * (geo->cluster_size / geo->record_size)
                         : counts.free_clusters / (geo->record_size / geo->cluster_size);
    memset(sv, 0, sizeof *sv);
    sv->f_bsize = geo->cluster_size;
    sv->f_frsize = geo->cluster_size;
    sv->f_blocks = geo->cluster_count;
    sv->f_bfree = counts.free_clusters;
    sv->f_bavail = counts.free_clusters;
    sv->f_files = counts.mft_bits + extra;
    sv->f_ffree = counts.mft_free_bits + extra;
    sv->f_favail = sv->f_ffree;
    sv->f_namemax = NTX_NAME_MAX;
    return 0;
}
