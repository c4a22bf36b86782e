/*
 * fuzz_support.c - the memory device, base images, fixups, the fake volume
 * for the narrow harnesses and the whole-volume walk (see fuzz_support.h).
 */
#include "fuzz_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <zlib.h>

#ifndef NTX_FUZZ_BASE_DIR
#define NTX_FUZZ_BASE_DIR "fixtures/corpus/volume"
#endif

void fz_fail(const char *what, const char *file, int line)
{
    fprintf(stderr, "fuzz contract failed: %s (%s:%d)\n", what, file, line);
    abort();
}

bool fz_is_err(int rc)
{
    return rc <= NTX_E_IO && rc >= NTX_E_EXTERNAL;
}

/* ---- memory device ---- */

int fz_dev_read(void *ctx, uint64_t off, void *buf, size_t len)
{
    fz_dev *d = ctx;
    d->reads++;
    if (off > d->size || len > d->size - off)
        return -5;
    uint8_t *out = buf;
    if (off < d->len) {
        size_t n = d->len - (size_t)off < len ? d->len - (size_t)off : len;
        memcpy(out, d->data + off, n);
        out += n;
        len -= n;
    }
    memset(out, 0, len);
    return 0;
}

void fz_dump_image(const fz_dev *d)
{
    const char *path = getenv("NTX_FUZZ_DUMP");
    if (path == NULL || *path == '\0')
        return;
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        fprintf(stderr, "fuzz: cannot write %s\n", path);
        return;
    }
    fwrite(d->data, 1, d->len, f);
    if (d->size > d->len && fseeko(f, (off_t)(d->size - 1), SEEK_SET) == 0)
        fputc(0, f); /* the zero tail, sparse */
    fclose(f);
}

uint64_t fz_claimed_size(const uint8_t *data, size_t len)
{
    uint64_t size = len;
    if (len >= 512 && memcmp(data + 3, "NTFS    ", 8) == 0) {
        uint32_t bps = fz_le16(data + 0x0B);
        uint64_t total = fz_le64(data + 0x28);
        if (bps >= 256 && bps <= 4096 && (bps & (bps - 1)) == 0 && total < ((uint64_t)1 << 40)) {
            uint64_t claimed = (total + 1) * bps;
            if (claimed > FZ_MAX_DEVICE)
                claimed = FZ_MAX_DEVICE;
            if (claimed > size)
                size = claimed;
        }
    }
    return size;
}

void fz_io(fz_dev *d, ntx_io *io, uint32_t block_size)
{
    memset(io, 0, sizeof *io);
    io->read = fz_dev_read;
    io->ctx = d;
    io->offset = 0;
    io->size = d->size;
    io->block_size = block_size;
}

/* ---- update sequence arrays ---- */

static bool fz_usa_usable(const uint8_t *rec, size_t size, size_t *ofs, size_t *count)
{
    if (size < 512 || size % 512 != 0)
        return false;
    *ofs = fz_le16(rec + 4);
    *count = fz_le16(rec + 6);
    return *count >= 1 && *count - 1 <= size / 512 && *ofs + 2 * *count <= size;
}

bool fz_unfix(uint8_t *rec, size_t size)
{
    size_t ofs, count;
    if (!fz_usa_usable(rec, size, &ofs, &count))
        return false;
    for (size_t i = 1; i < count; i++)
        if (memcmp(rec + i * 512 - 2, rec + ofs, 2) != 0)
            return false;
    for (size_t i = 1; i < count; i++)
        memcpy(rec + i * 512 - 2, rec + ofs + 2 * i, 2);
    return true;
}

bool fz_fix(uint8_t *rec, size_t size)
{
    size_t ofs, count;
    if (!fz_usa_usable(rec, size, &ofs, &count))
        return false;
    for (size_t i = 1; i < count; i++) {
        memcpy(rec + ofs + 2 * i, rec + i * 512 - 2, 2);
        memcpy(rec + i * 512 - 2, rec + ofs, 2);
    }
    return true;
}

/* ---- base images ---- */

static const char *const fz_base_names[FZ_BASES] = {
    "seed-512.img.gz", "seed-4k.img.gz", "seed-dir.img.gz", "seed-4kn.img.gz", "seed-64k.img.gz",
};
static fz_base fz_bases[FZ_BASES];
static bool fz_bases_loaded;

uint8_t *fz_load_gz(const char *path, size_t *len)
{
    gzFile gz = gzopen(path, "rb"); /* reads plain files unchanged */
    if (gz == NULL)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        int got = gzread(gz, buf + n, (unsigned)(cap - n));
        if (got < 0) {
            gzclose(gz);
            free(buf);
            return NULL;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    gzclose(gz);
    *len = n;
    return buf;
}

static ntx_volume fz_map_vol;
static uint8_t fz_map_ws[NTX_WORKSPACE_MAX];

/* Byte offset of VCN-relative byte `byte` of stream s, or 0 if a hole/unmapped. */
static uint64_t fz_stream_disk_off(ntx_stream *s, const ntx_volume *vol, uint64_t byte)
{
    ntx_run run;
    uint64_t vcn = byte / vol->geo.cluster_size;
    if (s->resident || ntx_stream_map(s, vcn, &run) != NTX_OK || run.lcn == NTX_LCN_HOLE)
        return 0;
    return (run.lcn + (vcn - run.vcn)) * vol->geo.cluster_size + byte % vol->geo.cluster_size;
}

static void fz_map_base(fz_base *b)
{
    fz_dev dev = { b->pristine, b->size, b->size, 0 };
    ntx_io io;
    ntx_volume *vol = &fz_map_vol;
    fz_io(&dev, &io, 512);
    if (ntx_volume_mount(vol, &io, fz_map_ws, sizeof fz_map_ws) != NTX_OK) {
        fprintf(stderr, "fuzz: base image %s does not mount\n", b->name);
        abort();
    }
    b->geo = vol->geo;
    ntx_file mft, f;
    ntx_stream s;
    if (ntx_file_open(&mft, vol, NTX_MFT_MFT, 0) != NTX_OK ||
        ntx_stream_open(&s, &mft, NTX_AT_DATA, NULL, 0) != NTX_OK)
        abort();
    b->nrec = vol->mft_records < 512 ? (uint32_t)vol->mft_records : 512;
    for (uint32_t n = 0; n < b->nrec; n++)
        b->mft_off[n] = fz_stream_disk_off(&s, vol, (uint64_t)n * vol->geo.record_size);

    b->free_rec = 0;
    for (uint32_t n = 0; n < b->nrec; n++) {
        ntx_err rc = ntx_file_open(&f, vol, n, 0);
        /* a sound record not in use (asked of its header, not of the
         * diagnostic: the firmware profiles record none) */
        ntx_record_info ri;
        if (n >= 24 && b->free_rec == 0 && rc == NTX_E_NOT_FOUND && b->mft_off[n] != 0 &&
            ntx_record_get_info(vol, n, &ri) == NTX_OK && !(ri.flags & NTX_REC_IN_USE))
            b->free_rec = n;
        if (rc != NTX_OK || !(f.rec_flags & 2))
            continue;
        static const uint16_t i30[4] = { '$', 'I', '3', '0' };
        if (ntx_stream_open(&s, &f, NTX_AT_INDEX_ALLOCATION, i30, 4) != NTX_OK)
            continue;
        for (uint64_t off = 0; off + vol->geo.index_block_size <= s.size && b->nindx < 256;
             off += vol->geo.index_block_size) {
            uint64_t d = fz_stream_disk_off(&s, vol, off);
            if (d != 0)
                b->indx_off[b->nindx++] = d;
        }
    }
    if (b->free_rec == 0) {
        fprintf(stderr, "fuzz: base image %s has no free MFT record\n", b->name);
        abort();
    }

    /* The longest run of free clusters in $Bitmap. */
    ntx_file bm;
    static uint8_t bits[65536];
    size_t got = 0;
    if (ntx_file_open(&bm, vol, NTX_MFT_BITMAP, 0) == NTX_OK &&
        ntx_stream_open(&s, &bm, NTX_AT_DATA, NULL, 0) == NTX_OK)
        ntx_stream_read(&s, 0, bits, sizeof bits, &got);
    uint64_t best = 0, best_len = 0, cur = 0, cur_len = 0;
    for (uint64_t c = 0; c < vol->geo.cluster_count && c / 8 < got; c++) {
        if (bits[c / 8] & (1u << (c % 8))) {
            cur_len = 0;
            continue;
        }
        if (cur_len++ == 0)
            cur = c;
        if (cur_len > best_len) {
            best = cur;
            best_len = cur_len;
        }
    }
    b->free_lcn = best;
    b->free_clusters = best_len;

    b->many_dir = NTX_MFT_ROOT;
    if (ntx_file_open_path(&f, vol, "/many", 5) == NTX_OK)
        b->many_dir = f.mft_no;
    if (ntx_file_open(&f, vol, b->many_dir, 0) == NTX_OK) {
        static const uint16_t i30[4] = { '$', 'I', '3', '0' };
        if (ntx_stream_open(&s, &f, NTX_AT_INDEX_ALLOCATION, i30, 4) == NTX_OK)
            for (uint64_t off = 0; off + vol->geo.index_block_size <= s.size && b->nmany < 64;
                 off += vol->geo.index_block_size)
                b->many_blocks[b->nmany++] = fz_stream_disk_off(&s, vol, off);
    }
    ntx_volume_unmount(vol);
}

void fz_bases_init(void)
{
    if (fz_bases_loaded)
        return;
    const char *dir = getenv("NTX_FUZZ_BASE_DIR");
    if (dir == NULL)
        dir = NTX_FUZZ_BASE_DIR;
    for (unsigned i = 0; i < FZ_BASES; i++) {
        fz_base *b = &fz_bases[i];
        char path[4096];
        size_t len;
        snprintf(path, sizeof path, "%s/%s", dir, fz_base_names[i]);
        uint8_t *raw = fz_load_gz(path, &len);
        if (raw == NULL) {
            fprintf(stderr, "fuzz: cannot load base image %s (set NTX_FUZZ_BASE_DIR)\n", path);
            abort();
        }
        b->name = fz_base_names[i];
        b->size = (size_t)fz_claimed_size(raw, len);
        b->pristine = calloc(1, b->size);
        b->work = calloc(1, b->size);
        memcpy(b->pristine, raw, len);
        memcpy(b->work, raw, len);
        free(raw);
        fz_map_base(b);
    }
    fz_bases_loaded = true;
}

fz_base *fz_base_get(unsigned sel)
{
    fz_bases_init();
    return &fz_bases[sel % FZ_BASES];
}

void fz_base_touch(fz_base *b, uint64_t off, uint64_t len)
{
    if (b->undo_all)
        return;
    if (b->nundo == sizeof b->undo / sizeof b->undo[0] || len > UINT32_MAX) {
        b->undo_all = true;
        return;
    }
    b->undo[b->nundo].off = off;
    b->undo[b->nundo].len = (uint32_t)len;
    b->nundo++;
}

void fz_base_reset(fz_base *b)
{
    if (b->undo_all) {
        memcpy(b->work, b->pristine, b->size);
    } else {
        for (uint32_t i = b->nundo; i-- > 0;) {
            uint64_t off = b->undo[i].off, len = b->undo[i].len;
            if (off < b->size) {
                if (len > b->size - off)
                    len = b->size - off;
                memcpy(b->work + off, b->pristine + off, len);
            }
        }
    }
    b->nundo = 0;
    b->undo_all = false;
}

/* ---- the fake volume of the narrow harnesses ---- */

static uint8_t fz_fake_bounce[NTX_MAX_BLOCK_SIZE];
static uint8_t fz_fake_alwin[NTX_ALIST_WINDOW];
static uint16_t fz_fake_upcase[65536];

void fz_fake_volume(ntx_volume *vol, fz_dev *dev, unsigned cluster_shift, uint32_t record_size,
                    uint64_t clusters)
{
    memset(vol, 0, sizeof *vol);
    if (fz_fake_upcase[1] != 1) {
        for (unsigned c = 0; c < 65536; c++)
            fz_fake_upcase[c] = (uint16_t)(c >= 'a' && c <= 'z' ? c - 32 : c);
    }
    vol->io.read = fz_dev_read;
    vol->io.ctx = dev;
    vol->io.size = dev->size;
    vol->io.block_size = 512;
    vol->geo.sector_size = 512;
    vol->geo.cluster_size = 1u << cluster_shift;
    vol->geo.record_size = record_size;
    vol->geo.index_block_size = 4096;
    vol->geo.block_size = 512;
    vol->geo.cluster_count = clusters;
    vol->geo.total_sectors = clusters << (cluster_shift - 9);
    vol->geo.mft_lcn = 1;
    vol->geo.mftmirr_lcn = 2;
    vol->diag.mft_no = UINT64_MAX;
    vol->sector_shift = 9;
    vol->cluster_shift = (uint8_t)cluster_shift;
    vol->record_shift = (uint8_t)__builtin_ctz(record_size);
    vol->index_shift = 12;
    vol->block_shift = 9;
    vol->index_vcn_shift = cluster_shift <= 12 ? (uint8_t)cluster_shift : 9;
    vol->bounce = fz_fake_bounce;
    vol->bounce_off = UINT64_MAX;
    vol->al_win = fz_fake_alwin;
    vol->al_win_rec = UINT64_MAX;
    vol->upcase = fz_fake_upcase;
    vol->upc_block_no = UINT64_MAX;
    vol->idx_dir = UINT64_MAX;
    vol->mft_records = 1u << 20;
}

/* ---- the walk ---- */

#define FZ_MAX_ENTRIES 1024u
#define FZ_MAX_FILES 96u
#define FZ_MAX_DELETED 16u
#define FZ_MAX_DIRS 256u
#define FZ_MAX_STREAMS_PER_FILE 6u
#define FZ_MAX_ATTRS_PER_FILE 256u
#define FZ_MAX_BYTES ((uint64_t)1 << 20)
#define FZ_STREAM_CAP 65536u

static uint8_t fz_buf[FZ_STREAM_CAP];
static uint8_t fz_buf2[4096];
static uint8_t fz_scratch[NTX_REPARSE_BUFFER_SIZE];
static char fz_out[4096];
static uint16_t fz_upcase_table[65536];

/* MFT numbers already walked: directories reached twice (hard links to a
 * directory, a cycle through the index) are walked once. */
static uint64_t fz_seen[4096];
static unsigned fz_seen_n;

static void fz_seen_reset(void)
{
    memset(fz_seen, 0xFF, sizeof fz_seen);
    fz_seen_n = 0;
}

static bool fz_visit(uint64_t mft)
{
    if (fz_seen_n >= 3 * (sizeof fz_seen / sizeof fz_seen[0]) / 4)
        return false;
    size_t mask = sizeof fz_seen / sizeof fz_seen[0] - 1;
    for (size_t i = (size_t)(mft * 0x9E3779B97F4A7C15ull >> 52) & mask;; i = (i + 1) & mask) {
        if (fz_seen[i] == mft)
            return false;
        if (fz_seen[i] == UINT64_MAX) {
            fz_seen[i] = mft;
            fz_seen_n++;
            return true;
        }
    }
}

static void fz_read_stream(ntx_stream *s, fz_stats *st)
{
    size_t got = 0;
    if (st->bytes >= FZ_MAX_BYTES)
        return;
    st->streams++;
    uint64_t size = s->size;
    size_t want = size < FZ_STREAM_CAP ? (size_t)size : FZ_STREAM_CAP;
    ntx_err rc = ntx_stream_read(s, 0, fz_buf, want, &got);
    fz_check(rc == NTX_OK || fz_is_err(rc));
    bool first_ok = rc == NTX_OK;
    if (rc == NTX_OK)
        fz_check(got == want);
    else
        st->errors++;
    st->bytes += want;

    /* An unaligned read inside the first one must give the same bytes. */
    if (first_ok && want > 9) {
        rc = ntx_stream_read(s, 1, fz_buf2, 8, &got);
        fz_check(rc == NTX_OK || fz_is_err(rc));
        if (rc == NTX_OK)
            fz_check(got == 8 && memcmp(fz_buf2, fz_buf + 1, 8) == 0);
    }
    if (first_ok && want > 4096 + 700) {
        rc = ntx_stream_read(s, 4096 - 300, fz_buf2, 1000, &got);
        fz_check(rc == NTX_OK || fz_is_err(rc));
        if (rc == NTX_OK)
            fz_check(got == 1000 && memcmp(fz_buf2, fz_buf + 4096 - 300, 1000) == 0);
    }
    /* The tail of a long stream, unaligned. */
    if (size > want) {
        uint64_t off = size - 777;
        rc = ntx_stream_read(s, off, fz_buf2, 1000, &got);
        fz_check(rc == NTX_OK || fz_is_err(rc));
        if (rc == NTX_OK)
            fz_check(got == 777);
        st->bytes += 1000;
    }
    /* At and past the end: nothing, no error. */
    rc = ntx_stream_read(s, size, fz_buf2, 16, &got);
    fz_check(rc == NTX_OK || rc == NTX_E_STALE);
    if (rc == NTX_OK)
        fz_check(got == 0);
    rc = ntx_stream_read(s, UINT64_MAX - 3, fz_buf2, 16, &got);
    fz_check(rc == NTX_OK && got == 0);

    if (!s->resident) {
        uint64_t vcn = 0;
        for (unsigned i = 0; i < 256 && vcn < s->vcn_end; i++) {
            ntx_run run;
            rc = ntx_stream_map(s, vcn, &run);
            fz_check(rc == NTX_OK || fz_is_err(rc));
            if (rc != NTX_OK)
                break;
            fz_check(run.vcn <= vcn && vcn - run.vcn < run.len);
            vcn = run.vcn + run.len;
        }
        /* The file slack of the last cluster holding data: where the data
         * ends lies inside that cluster, or the stream is refused. */
        ntx_stream_slack_info si;
        rc = ntx_stream_slack(s, fz_buf, sizeof fz_buf, &si);
        fz_check(rc == NTX_OK || fz_is_err(rc));
        if (rc == NTX_OK && !si.hole)
            fz_check(si.vcn < s->vcn_end && si.data_end <= si.sector_end &&
                     si.sector_end <= si.cluster_size && si.cluster_size <= sizeof fz_buf);
    }
}


/* The typed parsers of forensic.h on a value; their own contracts. */
void fz_parse_value(uint32_t type, const uint16_t *name, size_t name_len, const uint8_t *v,
                    size_t len)
{
    ntx_err rc;
    switch (type) {
    case NTX_AT_FILE_NAME: {
        ntx_dirent d;
        rc = ntx_file_name_parse(v, len, &d);
        fz_check(rc == NTX_OK || rc == NTX_E_CORRUPT);
        if (rc == NTX_OK)
            fz_check(d.name_len >= 1 && 0x42u + 2u * d.name_len <= len && d.name_space <= 3);
        break;
    }
    case NTX_AT_STANDARD_INFORMATION: {
        ntx_std_info si;
        rc = ntx_std_info_parse(v, len, &si);
        fz_check(rc == (len >= 0x30 ? NTX_OK : NTX_E_CORRUPT));
        if (rc == NTX_OK)
            fz_check(si.v3 == (len >= 0x48));
        break;
    }
    case NTX_AT_OBJECT_ID: {
        ntx_object_id o;
        rc = ntx_object_id_parse(v, len, &o);
        fz_check(rc == ((len == 16 || len == 64) ? NTX_OK : NTX_E_CORRUPT));
        break;
    }
    case NTX_AT_EA: {
        size_t pos = 0;
        ntx_ea ea;
        for (unsigned n = 0; n < 70000; n++) {
            size_t before = pos;
            rc = ntx_ea_next(v, len, &pos, &ea);
            if (rc != NTX_OK) {
                fz_check(rc == NTX_END || rc == NTX_E_CORRUPT);
                break;
            }
            fz_check(pos > before && pos <= len);
            fz_check((const uint8_t *)ea.name >= v && (const uint8_t *)ea.name + ea.name_len < v + len);
            fz_check(ea.value >= v && ea.value + ea.value_len <= v + len);
        }
        break;
    }
    case NTX_AT_SECURITY_DESCRIPTOR:
        fz_parse_sd(v, len);
        break;
    case NTX_AT_LOGGED_UTILITY_STREAM: {
        ntx_efs_info efs;
        (void)name;
        (void)name_len;
        rc = ntx_efs_parse(v, len, &efs);
        fz_check(rc == NTX_OK || rc == NTX_E_CORRUPT);
        if (rc == NTX_OK)
            fz_check(efs.length <= len && (efs.ddf_off == 0 || efs.ddf_off + 4u <= len) &&
                     (efs.drf_off == 0 || efs.drf_off + 4u <= len));
        break;
    }
    default:
        break;
    }
}

void fz_parse_sd(const uint8_t *sd, size_t len)
{
    ntx_sd_info info;
    ntx_err rc = ntx_sd_parse(sd, len, &info);
    fz_check(rc == NTX_OK || rc == NTX_E_CORRUPT);
    if (rc != NTX_OK)
        return;
    fz_check(info.owner.sub_count <= NTX_SID_MAX_SUB && info.group.sub_count <= NTX_SID_MAX_SUB);
    uint32_t acls[2] = { info.dacl_off, info.sacl_off };
    for (unsigned k = 0; k < 2; k++) {
        if (acls[k] == 0)
            continue;
        fz_check(acls[k] < len);
        for (unsigned i = 0; i < 300; i++) {
            ntx_ace ace;
            rc = ntx_sd_ace(sd, len, acls[k], i, &ace);
            fz_check(rc == NTX_OK || rc == NTX_END || rc == NTX_E_CORRUPT);
            if (rc != NTX_OK)
                break;
            fz_check(ace.sid.sub_count <= NTX_SID_MAX_SUB);
        }
    }
}

/* Forensic views of one attribute: its raw value, its runs, typed parsing. */
static void fz_forensic_attr(ntx_volume *vol, const ntx_file *f, const ntx_attr_info *ai,
                             fz_stats *st)
{
    size_t got = 0;
    const size_t cap = 8192; /* typed values are small; this bounds the work */
    ntx_err rc = ntx_attr_read(f, ai, 0, fz_buf, cap, &got);
    fz_check(rc == NTX_OK || fz_is_err(rc));
    if (rc == NTX_OK) {
        fz_check(got <= cap);
        if (ai->resident)
            fz_check(got == (ai->size < cap ? ai->size : cap));
        st->bytes += got;
        fz_parse_value(ai->type, ai->name, ai->name_len, fz_buf, got);
        size_t got2 = 0;
        if (got > 3) {
            rc = ntx_attr_read(f, ai, 3, fz_buf2, 1, &got2);
            fz_check(rc == NTX_OK || fz_is_err(rc));
            if (rc == NTX_OK)
                fz_check(got2 == 1 && fz_buf2[0] == fz_buf[3]);
        }
    }
    if (!ai->resident) {
        ntx_run_iter ri;
        rc = ntx_run_iter_open(&ri, f, ai);
        fz_check(rc == NTX_OK || fz_is_err(rc));
        uint64_t vcn = ai->lowest_vcn;
        for (unsigned n = 0; rc == NTX_OK && n < 512; n++) {
            ntx_run run;
            rc = ntx_run_iter_next(&ri, &run);
            if (rc != NTX_OK) {
                fz_check(rc == NTX_END || fz_is_err(rc));
                fz_check(ntx_run_iter_next(&ri, &run) == rc);
                break;
            }
            fz_check(run.vcn == vcn && run.len != 0);
            vcn += run.len;
            if (run.lcn != NTX_LCN_HOLE && n < 16) {
                uint64_t used = 0;
                rc = ntx_volume_clusters_in_use(vol, run.lcn, run.len, &used);
                fz_check(rc == NTX_OK || fz_is_err(rc));
                if (rc == NTX_OK)
                    fz_check(used <= run.len);
                rc = NTX_OK;
            }
        }
    }
}

void fz_exercise_file(ntx_volume *vol, const ntx_file *f, fz_stats *st)
{
    ntx_stat sst;
    ntx_err rc = ntx_file_stat(f, &sst);
    fz_check(rc == NTX_OK || fz_is_err(rc));
    st->files++;
    if (rc == NTX_OK && sst.security_id != 0) {
        size_t sdlen = 0;
        rc = ntx_secure_lookup(vol, sst.security_id, fz_scratch, sizeof fz_scratch, &sdlen);
        fz_check(rc == NTX_OK || rc == NTX_E_NOT_FOUND || fz_is_err(rc));
        if (rc == NTX_OK) {
            fz_check(sdlen <= sizeof fz_scratch);
            fz_parse_sd(fz_scratch, sdlen);
        }
    }

    ntx_attr_iter it;
    ntx_attr_info ai;
    unsigned streams = 0;
    rc = ntx_attr_iter_open(&it, f);
    fz_check(rc == NTX_OK);
    for (unsigned n = 0; n < FZ_MAX_ATTRS_PER_FILE; n++) {
        rc = ntx_attr_iter_next(&it, &ai);
        if (rc != NTX_OK) {
            fz_check(rc == NTX_END || fz_is_err(rc));
            fz_check(ntx_attr_iter_next(&it, &ai) == rc); /* sticky */
            break;
        }
        if (n < 16)
            fz_forensic_attr(vol, f, &ai, st);
        bool first = ai.resident || ai.lowest_vcn == 0;
        if (first && streams < FZ_MAX_STREAMS_PER_FILE && ai.type != NTX_AT_INDEX_ROOT) {
            ntx_stream s;
            streams++;
            rc = ntx_stream_open(&s, f, ai.type, ai.name, ai.name_len);
            fz_check(rc == NTX_OK || fz_is_err(rc));
            if (rc == NTX_OK)
                fz_read_stream(&s, st);
        }
    }

    ntx_stream s;
    rc = ntx_stream_open_data(&s, f, NULL, 0);
    fz_check(rc == NTX_OK || fz_is_err(rc));
    if (rc == NTX_OK)
        fz_read_stream(&s, st);
    rc = ntx_stream_open_data(&s, f, "Zone.Identifier", 15);
    fz_check(rc == NTX_OK || fz_is_err(rc));
    rc = ntx_stream_open_raw(&s, f, NTX_AT_DATA, NULL, 0);
    fz_check(rc == NTX_OK || fz_is_err(rc));
    if (rc == NTX_OK && (s.flags & NTX_ATTR_FLAG_ENCRYPTED))
        fz_read_stream(&s, st);

    ntx_reparse rp;
    rc = ntx_file_reparse(f, fz_scratch, sizeof fz_scratch, &rp);
    fz_check(rc == NTX_OK || fz_is_err(rc));
    if (rc == NTX_OK) {
        fz_check((size_t)rp.subst_off + rp.subst_len <= sizeof fz_scratch);
        fz_check((size_t)rp.print_off + rp.print_len <= sizeof fz_scratch);
    }
    size_t len = 0;
    rc = ntx_file_readlink(f, fz_scratch, sizeof fz_scratch, fz_out, sizeof fz_out, &len);
    fz_check(rc == NTX_OK || fz_is_err(rc));
    if (rc == NTX_OK)
        fz_check(len < sizeof fz_out && fz_out[len] == '\0');
    /* A small output buffer: NTX_E_BUFFER or a result that fits. */
    rc = ntx_file_readlink(f, fz_scratch, sizeof fz_scratch, fz_out, 5, &len);
    fz_check(rc == NTX_OK || fz_is_err(rc));
    if (rc == NTX_OK)
        fz_check(len < 5 && fz_out[len] == '\0');
}

/* Swap the case of ASCII letters. */
static void fz_swap_case(uint16_t *u, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((u[i] >= 'a' && u[i] <= 'z') || (u[i] >= 'A' && u[i] <= 'Z'))
            u[i] ^= 0x20;
}

static void fz_paths(ntx_volume *vol)
{
    static const char *const paths[] = {
        "/", "/.", "/..", "//docs/../hello.txt", "/docs/notes/todo.txt", "/DOCS/GUIDE.TXT",
        "/links/sym", "/links/junction/x", "/many/file-0042.txt", "/nonexistent/a", "/hello.txt/",
        "/$MFT", "/$Extend/$Reparse", "/comp/text.txt", "/\xff\xfe", "/names/target.txt",
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        ntx_file f;
        ntx_err rc = ntx_file_open_path(&f, vol, paths[i], strlen(paths[i]));
        fz_check(rc == NTX_OK || fz_is_err(rc));
    }
}

void fz_walk(ntx_volume *vol, unsigned flags, fz_stats *st)
{
    static ntx_file queue[FZ_MAX_DIRS];
    unsigned head = 0, tail = 0;
    ntx_err rc;

    fz_seen_reset();
    ntx_volume_info info;
    rc = ntx_volume_get_info(vol, &info);
    fz_check(rc == NTX_OK || fz_is_err(rc));
    if (rc == NTX_OK)
        fz_check(info.label_len <= 128);
    static ntx_logfile_info li;
    rc = ntx_logfile_read(vol, fz_buf, sizeof fz_buf, &li);
    fz_check(rc == NTX_OK || fz_is_err(rc));
    if (rc == NTX_OK && !li.empty)
        fz_check(li.current < 2 && (li.valid >> li.current & 1u) &&
                 li.page[li.current].client_name_len <= NTX_LOGFILE_CLIENT_NAME_MAX);
    uint64_t fr = 0, used = 0;
    rc = ntx_volume_count_free(vol, fz_buf, 4096, &fr, &used);
    fz_check(rc == NTX_OK || fz_is_err(rc));
    if (rc == NTX_OK)
        fz_check(fr + used == vol->geo.cluster_count);
    fz_paths(vol);
    uint64_t rin = 0, rtot = 0;
    rc = ntx_volume_count_records(vol, fz_buf, 4096, &rin, &rtot);
    fz_check(rc == NTX_OK || fz_is_err(rc));
    if (rc == NTX_OK)
        fz_check(rin <= rtot && rtot == vol->mft_records);

    ntx_file root;
    rc = ntx_file_open(&root, vol, NTX_MFT_ROOT, 0);
    fz_check(rc == NTX_OK || fz_is_err(rc));
    if (rc != NTX_OK)
        return;
    fz_visit(root.mft_no);
    queue[tail++] = root;
    fz_exercise_file(vol, &root, st);

    /* bound: each directory is queued once (fz_visit), at most FZ_MAX_DIRS */
    while (head < tail && st->entries < FZ_MAX_ENTRIES) {
        ntx_file dir = queue[head++];
        ntx_dir_iter it;
        ntx_dirent ent;
        st->dirs++;
        rc = ntx_dir_iter_open(&it, &dir, (head & 1) ? NTX_DIR_SKIP_DOS : 0);
        fz_check(rc == NTX_OK || fz_is_err(rc));
        if (rc != NTX_OK)
            continue;
        for (unsigned k = 0; st->entries < FZ_MAX_ENTRIES; k++) {
            rc = ntx_dir_iter_next(&it, &ent);
            if (rc != NTX_OK) {
                fz_check(rc == NTX_END || fz_is_err(rc));
                fz_check(ntx_dir_iter_next(&it, &ent) == rc); /* sticky */
                if (rc != NTX_END)
                    st->errors++;
                break;
            }
            st->entries++;
            char name8[3 * NTX_NAME_MAX + 1];
            size_t n8 = 0;
            rc = ntx_utf16_to_utf8(ent.name, ent.name_len, name8, sizeof name8, &n8,
                                   NTX_UTF16_WTF8);
            fz_check(rc == NTX_OK || rc == NTX_E_NAME);
            if (rc == NTX_OK) {
                fz_check(n8 < sizeof name8 && name8[n8] == '\0');
                /* Lossless: the name converts back to the same units. */
                uint16_t back[NTX_NAME_MAX];
                size_t nb = 0;
                fz_check(ntx_utf8_to_utf16(name8, n8, back, NTX_NAME_MAX, &nb, NTX_UTF16_WTF8) ==
                         NTX_OK);
                fz_check(nb == ent.name_len && memcmp(back, ent.name, 2 * nb) == 0);
            }
            if (k % 4 == 0 && ent.name_len > 0) {
                /* every 8th name in swapped case, every 8th (+4) slightly altered */
                uint16_t q[NTX_NAME_MAX];
                ntx_dirent lent;
                memcpy(q, ent.name, 2u * ent.name_len);
                if (k % 8 == 0)
                    fz_swap_case(q, ent.name_len);
                else
                    q[ent.name_len - 1] ^= 0x1;
                rc = ntx_dir_lookup(&dir, q, ent.name_len, &lent);
                fz_check(rc == NTX_OK || fz_is_err(rc));
            }
            ntx_file f;
            rc = ntx_file_open(&f, vol, ent.mft_ref, 0);
            fz_check(rc == NTX_OK || fz_is_err(rc));
            if (rc != NTX_OK || !fz_visit(f.mft_no))
                continue;
            if (st->files < FZ_MAX_FILES && !(flags & FZ_WALK_NO_READ))
                fz_exercise_file(vol, &f, st);
            if ((f.rec_flags & 2) && tail < FZ_MAX_DIRS)
                queue[tail++] = f;
        }
    }

    /* Every record: headers, and the files not in use (deleted). */
    unsigned deleted = 0;
    for (uint64_t n = 0; n < vol->mft_records && n < 512; n++) {
        ntx_record_info ri;
        rc = ntx_record_get_info(vol, n, &ri);
        fz_check(rc == NTX_OK || fz_is_err(rc));
        if (rc != NTX_OK || (ri.flags & 1u) || ri.base_ref != 0 || deleted >= FZ_MAX_DELETED)
            continue;
        deleted++;
        ntx_file f;
        rc = ntx_file_open(&f, vol, n, NTX_OPEN_DELETED);
        fz_check(rc == NTX_OK || fz_is_err(rc));
        if (rc == NTX_OK && !(flags & FZ_WALK_NO_READ))
            fz_exercise_file(vol, &f, st);
    }

    /* Index slack of the directories walked. */
    for (unsigned i = 0; i < tail && i < 8; i++) {
        static ntx_slack_iter sl;
        ntx_dirent ent;
        rc = ntx_slack_iter_open(&sl, &queue[i]);
        fz_check(rc == NTX_OK || fz_is_err(rc));
        for (unsigned k = 0; rc == NTX_OK && k < 64; k++) {
            uint64_t bv;
            uint32_t bo;
            rc = ntx_slack_iter_next(&sl, &ent, &bv, &bo);
            fz_check(rc == NTX_OK || rc == NTX_END || fz_is_err(rc));
            if (rc == NTX_OK)
                fz_check(ent.name_len >= 1 && bo < vol->geo.index_block_size);
        }
        /* and everywhere, with each name's state */
        rc = ntx_slack_iter_open(&sl, &queue[i]);
        for (unsigned k = 0; rc == NTX_OK && k < 64; k++) {
            ntx_slack_info si;
            rc = ntx_slack_iter_next_info(&sl, &ent, &si);
            fz_check(rc == NTX_OK || rc == NTX_END || fz_is_err(rc));
            if (rc == NTX_OK)
                fz_check(ent.name_len >= 1 && si.state <= NTX_SLACK_GONE &&
                         (si.where == NTX_SLACK_IN_BLOCK
                              ? si.offset < vol->geo.index_block_size
                              : si.offset < vol->geo.record_size &&
                                    si.where >= NTX_SLACK_IN_ROOT) &&
                         (!si.header_lost || ent.mft_ref == 0));
        }
    }

    /* The change journal. */
    ntx_file uj;
    static const uint16_t dollar_j[2] = { '$', 'J' };
    if (ntx_file_open_path(&uj, vol, "/$Extend/$UsnJrnl", 17) == NTX_OK) {
        ntx_stream js;
        if (ntx_stream_open(&js, &uj, NTX_AT_DATA, dollar_j, 2) == NTX_OK) {
            uint64_t pos = 0;
            ntx_usn_record ur;
            for (unsigned k = 0; k < 64; k++) {
                uint64_t before = pos;
                rc = ntx_usn_next(&js, &pos, fz_buf, 4096, &ur);
                fz_check(rc == NTX_OK || rc == NTX_END || fz_is_err(rc));
                if (rc == NTX_END)
                    break;
                if (rc != NTX_OK)
                    pos += 8; /* as documented: resume 8 bytes on */
                else
                    fz_check(pos > before && ur.length >= 0x3C);
            }
        }
    }

    if (flags & FZ_WALK_UPCASE) {
        rc = ntx_volume_attach_upcase(vol, fz_upcase_table, 65536);
        fz_check(rc == NTX_OK || fz_is_err(rc));
        if (rc == NTX_OK)
            fz_paths(vol);
    }
}

ntx_err fz_mount(fz_dev *dev, uint32_t block_size, ntx_volume **out)
{
    static ntx_volume vol;
    static uint8_t ws[NTX_WORKSPACE_MAX];
    ntx_io io;
    fz_dump_image(dev);
    fz_io(dev, &io, block_size);
    ntx_err rc = ntx_volume_mount(&vol, &io, ws, sizeof ws);
    fz_check(rc == NTX_OK || fz_is_err(rc));
    fz_check(rc != NTX_E_WORKSPACE && rc != NTX_E_ARG);
    *out = &vol;
    return rc;
}

ntx_err fz_base_mount(fz_base *b, ntx_volume **vol)
{
    static fz_dev dev; /* the volume keeps a pointer to it */
    dev.data = b->work;
    dev.len = b->size;
    dev.size = b->size;
    dev.reads = 0;
    return fz_mount(&dev, 512, vol);
}

uint32_t fz_record_blank(uint8_t *rec, uint32_t rs)
{
    uint16_t usa_count = (uint16_t)(rs / 512 + 1);
    uint32_t first = (0x30u + 2u * usa_count + 7u) & ~7u;
    memset(rec, 0, rs);
    memcpy(rec, "FILE", 4);
    fz_put16(rec + 0x04, 0x30);      /* update sequence array offset */
    fz_put16(rec + 0x06, usa_count);
    fz_put16(rec + 0x10, 1);         /* sequence number */
    fz_put16(rec + 0x12, 1);         /* link count */
    fz_put16(rec + 0x14, (uint16_t)first);
    fz_put16(rec + 0x16, 1);         /* in use */
    fz_put32(rec + 0x1C, rs);        /* bytes allocated */
    return first;
}

ntx_err fz_mount_walk(fz_dev *dev, uint32_t block_size, unsigned flags, fz_stats *st)
{
    ntx_volume *vol;
    ntx_err rc = fz_mount(dev, block_size, &vol);
    if (rc != NTX_OK)
        return rc;
    fz_walk(vol, flags, st);
    if (getenv("NTX_FUZZ_STATS") != NULL)
        fprintf(stderr, "walk: %llu dirs, %llu entries, %llu files, %llu streams, %llu bytes, %llu errors\n",
                (unsigned long long)st->dirs, (unsigned long long)st->entries,
                (unsigned long long)st->files, (unsigned long long)st->streams,
                (unsigned long long)st->bytes, (unsigned long long)st->errors);
    ntx_file root;
    ntx_err rr = ntx_file_open(&root, vol, NTX_MFT_ROOT, 0);
    ntx_volume_unmount(vol);
    if (rr == NTX_OK) {
        ntx_stat sst;
        fz_check(ntx_file_stat(&root, &sst) == NTX_E_STALE);
    }
    return rc;
}
