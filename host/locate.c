/*
 * locate.c - where the NTFS volume is on the disk, and when there is none,
 * what is there instead.
 *
 * The order: --offset as given; else a bare volume at offset 0; else the
 * partition table (the core's MBR and GPT iterator: primary and logical MBR
 * partitions, GPT entries), each partition's boot sector probed by the core;
 * one NTFS partition is taken by itself, several need a choice. Failures
 * name their cause: a volume larger than the image (truncated), BitLocker,
 * another file system (sniff.c), or the boot sector check the core failed.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* Partition table entries looked at: the iterator's own bounds, with room
 * for the entries it skips (NTX_PT_MAX_LOGICAL + NTX_PT_MAX_GPT_ENTRIES). */
#define LOCATE_MAX_STEPS 1200u

/* The boot sector checks a probe can fail, in words. */
static const char *boot_check_words(unsigned check)
{
    switch (check) {
    case NTX_CHK_BOOT_SIGNATURE:
        return "no NTFS boot sector (no \"NTFS\" OEM id and 0x55AA signature), nor a backup in "
               "the volume's last sector";
    case NTX_CHK_BOOT_SECTOR_SIZE:
        return "an NTFS boot sector whose bytes per sector are not a power of two in 256..4096";
    case NTX_CHK_BOOT_CLUSTER_SIZE:
        return "an NTFS boot sector with an invalid cluster size";
    case NTX_CHK_BOOT_RECORD_SIZE:
        return "an NTFS boot sector with an invalid MFT record size";
    case NTX_CHK_BOOT_INDEX_SIZE:
        return "an NTFS boot sector with an invalid index block size";
    case NTX_CHK_BOOT_TOTAL_SECTORS:
        return "an NTFS boot sector with an empty volume";
    case NTX_CHK_BOOT_MFT_LCN:
        return "an NTFS boot sector placing $MFT or $MFTMirr outside the volume";
    default:
        return "no valid NTFS boot sector";
    }
}

/* Result of looking at one place of the disk. */
typedef struct look {
    ntx_host_status status;  /* OK: NTFS; TRUNCATED, BITLOCKER, FOREIGN, NO_VOLUME, IO */
    bool not_an_image;       /* FOREIGN: the file is no disk image at all (gzip, ...) */
    char why[400];           /* a phrase: "an ext4 file system", "the NTFS volume is ..." */
} look;

static ntx_err probe(ntx_host_image *img, uint64_t off, uint64_t size, ntx_geometry *geo,
                     ntx_diag *diag)
{
    ntx_io io = ntx_host_disk_io(img, off, size);
    if (size == UINT64_MAX)
        io.size = 0; /* unknown: the boot sector's own count is believed */
    memset(diag, 0, sizeof *diag);
    return ntx_volume_probe(&io, img->block, sizeof img->block, geo, diag);
}

/* What is at off (size bytes available, the rest of the disk when 0). */
static void examine(ntx_host_image *img, uint64_t off, uint64_t size, look *out)
{
    ntx_geometry geo;
    ntx_diag diag;
    uint64_t avail = img->disk->size - off;
    if (size == 0 || size > avail)
        size = avail;
    out->status = NTX_HOST_OK;
    out->not_an_image = false;
    out->why[0] = '\0';
    ntx_err rc = probe(img, off, size, &geo, &diag);
    if (rc == NTX_OK)
        return;
    if (rc == NTX_E_IO) {
        out->status = NTX_HOST_E_IO;
        snprintf(out->why, sizeof out->why, "cannot read the boot sector from the %s image (%s)",
                 ntx_host_format_name(img->info.format),
                 img->disk->why[0] ? img->disk->why : "read error");
        return;
    }
    if (rc == NTX_E_NOT_NTFS && diag.check == NTX_CHK_BOOT_TOTAL_SECTORS &&
        probe(img, off, UINT64_MAX, &geo, &diag) == NTX_OK) {
        char need[64], have[64];
        host_size_words(need, sizeof need, geo.total_sectors * geo.sector_size);
        host_size_words(have, sizeof have, size);
        out->status = NTX_HOST_E_TRUNCATED;
        snprintf(out->why, sizeof out->why,
                 "the NTFS volume is %s, the image holds %s of it: truncated?", need, have);
        if (img->info.format == NTX_HOST_FMT_SPLIT)
            host_appendf(out->why, sizeof out->why,
                         " (a split image of %u segments: is one missing?)", img->info.segments);
        return;
    }
    /* not NTFS: name what is there */
    uint8_t buf[HOST_SNIFF_BYTES];
    size_t len = size < sizeof buf ? (size_t)size : sizeof buf;
    len &= ~(size_t)511;
    bool bitlocker = false;
    const char *name = NULL;
    if (len > 0 && host_cache_read(img->disk_cache, off, buf, len) == 0) {
        name = host_sniff_not_an_image(buf, len);
        out->not_an_image = name != NULL;
        if (name == NULL)
            name = host_sniff_volume(buf, len, &bitlocker);
    }
    if (bitlocker) {
        out->status = NTX_HOST_E_BITLOCKER;
        snprintf(out->why, sizeof out->why, "%s", name);
    } else if (name != NULL) {
        out->status = NTX_HOST_E_FOREIGN;
        snprintf(out->why, sizeof out->why, "%s", name);
    } else {
        out->status = NTX_HOST_E_NO_VOLUME;
        snprintf(out->why, sizeof out->why, "%s",
                 rc == NTX_E_NOT_NTFS ? boot_check_words(diag.check) : ntx_strerror(rc));
    }
}

/* "partition 2 (GPT, offset 1048576)" */
static void part_words(char *out, size_t cap, const ntx_partition *p)
{
    snprintf(out, cap, "%s partition %u (offset %llu)", p->scheme == NTX_PT_GPT ? "GPT" : "MBR",
             p->index, (unsigned long long)p->offset);
}

/* A failure about what lies at one place: subject says where ("MBR
 * partition 2 (offset ...)", "the volume", "the volume at offset 4096"). */
static ntx_host_status fail_look(ntx_host_error *err, const look *l, const char *subject,
                                 const char *no_volume_prefix)
{
    switch (l->status) {
    case NTX_HOST_E_BITLOCKER:
        return host_fail(err, l->status, 0, "%s is %s", subject, l->why);
    case NTX_HOST_E_TRUNCATED:
        return host_fail(err, l->status, 0, "%s", l->why);
    case NTX_HOST_E_FOREIGN:
        if (l->not_an_image)
            return host_fail(err, l->status, 0, "%s", l->why);
        return host_fail(err, l->status, 0, "%s, but %s", no_volume_prefix, l->why);
    default:
        return host_fail(err, l->status, 0, "%s: %s", no_volume_prefix, l->why);
    }
}

/* The front-end's spelling of an option ("--partition N") with N given. */
static const char *spell(char *out, size_t cap, const char *pattern, uint32_t n)
{
    const char *nn = strrchr(pattern, 'N');
    if (nn == NULL)
        snprintf(out, cap, "%s %u", pattern, n);
    else
        snprintf(out, cap, "%.*s%u%s", (int)(nn - pattern), pattern, n, nn + 1);
    return out;
}

static void set_volume(ntx_host_image *img, const ntx_partition *p, uint64_t off, uint64_t size)
{
    ntx_host_info *in = &img->info;
    in->partition = p != NULL ? p->index : 0;
    in->partition_scheme = p != NULL ? p->scheme : 0;
    in->volume_offset = off;
    uint64_t avail = img->disk->size - off;
    in->volume_size = size != 0 && size < avail ? size : avail;
}

static ntx_host_status locate_offset(ntx_host_image *img, const ntx_host_options *opt,
                                     ntx_host_error *err)
{
    if (opt->offset % 512 != 0)
        return host_fail(err, NTX_HOST_E_ARG, 0, "--offset %llu is not a multiple of 512",
                         (unsigned long long)opt->offset);
    if (opt->offset >= img->disk->size)
        return host_fail(err, NTX_HOST_E_ARG, 0,
                         "--offset %llu is past the end of the image (%llu bytes)",
                         (unsigned long long)opt->offset, (unsigned long long)img->disk->size);
    look l;
    examine(img, opt->offset, 0, &l);
    if (l.status != NTX_HOST_OK) {
        char prefix[96];
        char subject[96];
        snprintf(prefix, sizeof prefix, "no NTFS volume at offset %llu",
                 (unsigned long long)opt->offset);
        snprintf(subject, sizeof subject, "the volume at offset %llu",
                 (unsigned long long)opt->offset);
        return fail_look(err, &l, subject, prefix);
    }
    set_volume(img, NULL, opt->offset, 0);
    return NTX_HOST_OK;
}

/* Partitions seen while looking for NTFS ones. */
typedef struct census {
    uint32_t seen, ntfs, beyond;
    ntx_partition chosen, bitlocker, truncated, other;
    uint32_t nbitlocker, ntruncated, nother;
    look other_look, truncated_look;
    char list[256];            /* "1, 3": the NTFS ones */
    char others[400];          /* "1: a FAT32 file system; 2: ..." */
} census;

static void census_note(census *c, const ntx_partition *p, const look *l)
{
    switch (l->status) {
    case NTX_HOST_OK:
        if (c->ntfs++ == 0)
            c->chosen = *p;
        host_appendf(c->list, sizeof c->list, "%s%u", c->list[0] ? ", " : "", p->index);
        break;
    case NTX_HOST_E_BITLOCKER:
        if (c->nbitlocker++ == 0)
            c->bitlocker = *p;
        break;
    case NTX_HOST_E_TRUNCATED:
        if (c->ntruncated++ == 0) {
            c->truncated = *p;
            c->truncated_look = *l;
        }
        break;
    default:
        if (c->nother++ == 0) {
            c->other = *p;
            c->other_look = *l;
        }
        host_appendf(c->others, sizeof c->others, "%s%u: %s", c->others[0] ? "; " : "",
                     p->index,
                     l->status == NTX_HOST_E_FOREIGN ? l->why : "no file system ntx knows");
        break;
    }
}

static ntx_host_status locate_partitions(ntx_host_image *img, const ntx_host_options *opt,
                                         ntx_partition_iter *it, ntx_host_error *err)
{
    census c;
    memset(&c, 0, sizeof c);
    ntx_partition p;
    ntx_err rc = NTX_END;
    look l;
    char where[96];
    for (uint32_t step = 0; step < LOCATE_MAX_STEPS; step++) {
        memset(&p, 0, sizeof p);
        rc = ntx_partition_iter_next(it, &p);
        if (rc == NTX_END)
            break;
        if (rc == NTX_E_RANGE) {
            /* past the end of the image: a truncated disk, if it starts inside */
            if (p.size == 0 || p.offset >= img->disk->size)
                continue;
            c.beyond++;
            examine(img, p.offset, 0, &l); /* the volume may still end inside the image */
        } else if (rc != NTX_OK) {
            break;
        } else {
            examine(img, p.offset, p.size, &l);
        }
        c.seen++;
        if (opt->partition != 0 && p.index == opt->partition) {
            if (l.status == NTX_HOST_OK) {
                set_volume(img, &p, p.offset, p.size);
                return NTX_HOST_OK;
            }
            part_words(where, sizeof where, &p);
            char prefix[128];
            snprintf(prefix, sizeof prefix, "%s holds no NTFS volume", where);
            return fail_look(err, &l, where, prefix);
        }
        if (opt->partition == 0)
            census_note(&c, &p, &l);
    }
    if (rc != NTX_END && rc != NTX_E_RANGE && rc != NTX_OK && c.ntfs == 0)
        return host_fail(err, NTX_HOST_E_IO, 0, "reading the partition table: %s%s%s",
                         ntx_strerror(rc), img->disk->why[0] ? ": " : "", img->disk->why);
    const char *scheme = it->scheme == NTX_PT_GPT ? "GPT" : "MBR";
    char option[64];
    if (opt->partition != 0)
        return host_fail(err, NTX_HOST_E_CHOICE, 0, "%s: no such partition (%u found%s%s)",
                         spell(option, sizeof option, opt->partition_option, opt->partition),
                         c.seen, opt->list_partitions ? "; see " : "",
                         opt->list_partitions ? opt->list_partitions : "");
    if (c.ntfs == 1) {
        set_volume(img, &c.chosen, c.chosen.offset, c.chosen.size);
        return NTX_HOST_OK;
    }
    if (c.ntfs > 1)
        return host_fail(err, NTX_HOST_E_CHOICE, 0,
                         "%u partitions hold NTFS volumes (%s): choose one with %s%s%s%s",
                         c.ntfs, c.list, opt->partition_option,
                         opt->list_partitions ? " (see " : "",
                         opt->list_partitions ? opt->list_partitions : "",
                         opt->list_partitions ? ")" : "");
    char prefix[96];
    snprintf(prefix, sizeof prefix, "no NTFS volume in its %u %s partition%s", c.seen, scheme,
             c.seen == 1 ? "" : "s");
    if (c.ntruncated > 0)
        return host_fail(err, NTX_HOST_E_TRUNCATED, 0, "partition %u: %s", c.truncated.index,
                         c.truncated_look.why);
    if (c.beyond > 0) {
        char have[64];
        host_size_words(have, sizeof have, img->disk->size);
        return host_fail(err, NTX_HOST_E_TRUNCATED, 0,
                         "%s; %u end%s past the end of the image (%s): truncated?", prefix,
                         c.beyond, c.beyond == 1 ? "s" : "", have);
    }
    if (c.nbitlocker > 0) {
        part_words(where, sizeof where, &c.bitlocker);
        return host_fail(err, NTX_HOST_E_BITLOCKER, 0, "%s: %s is %s", prefix, where,
                         "BitLocker-encrypted: decrypt it first, e.g. with bdemount (Debian "
                         "package libbde-utils) or dislocker, and read the decrypted volume");
    }
    if (c.seen == 0)
        return host_fail(err, NTX_HOST_E_NO_VOLUME, 0, "no NTFS volume: the %s partition table "
                         "lists no partition", scheme);
    if (c.nother > 0 && c.others[0] != '\0')
        return host_fail(err, c.nother == 1 && c.other_look.status == NTX_HOST_E_FOREIGN
                                  ? NTX_HOST_E_FOREIGN
                                  : NTX_HOST_E_NO_VOLUME,
                         0, "%s (%s)", prefix, c.others);
    return host_fail(err, NTX_HOST_E_NO_VOLUME, 0, "%s", prefix);
}

ntx_host_status host_locate(ntx_host_image *img, const ntx_host_options *opt,
                            ntx_host_error *err)
{
    if (opt->have_offset && opt->partition != 0)
        return host_fail(err, NTX_HOST_E_ARG, 0, "a partition and an offset exclude each other");
    if (opt->have_offset)
        return locate_offset(img, opt, err);
    look bare;
    bare.status = NTX_HOST_E_NO_VOLUME;
    if (opt->partition == 0) {
        examine(img, 0, 0, &bare);
        if (bare.status == NTX_HOST_OK) {
            set_volume(img, NULL, 0, 0);
            return NTX_HOST_OK;
        }
    }
    ntx_partition_iter it;
    ntx_io io = ntx_host_disk_io(img, 0, 0);
    _Static_assert(sizeof img->block >= 4096, "the partition iterator needs 4 KiB");
    ntx_err rc = ntx_partition_iter_open(&it, &io, img->block, sizeof img->block);
    if (rc == NTX_OK)
        return locate_partitions(img, opt, &it, err);
    if (opt->partition != 0) {
        char option[64];
        if (rc == NTX_E_NOT_FOUND)
            return host_fail(err, NTX_HOST_E_CHOICE, 0, "%s: the image has no partition table",
                             spell(option, sizeof option, opt->partition_option,
                                   opt->partition));
        return host_fail(err, NTX_HOST_E_IO, 0, "reading the partition table: %s%s%s",
                         ntx_strerror(rc), img->disk->why[0] ? ": " : "", img->disk->why);
    }
    if (rc != NTX_E_NOT_FOUND && rc != NTX_E_IO && rc != NTX_E_RANGE)
        return host_fail(err, NTX_HOST_E_IO, 0, "reading the partition table: %s",
                         ntx_strerror(rc));
    if (bare.status == NTX_HOST_E_IO)
        return host_fail(err, NTX_HOST_E_IO, 0, "%s", bare.why);
    return fail_look(err, &bare, "the volume", "no NTFS volume and no partition table");
}
