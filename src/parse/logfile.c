/*
 * logfile.c - a restart page of $LogFile. The log starts with two restart
 * pages (system_page_size bytes each, 4 KiB on Windows), each a
 * multi-sector protected structure like an MFT record, holding the same
 * restart area when the volume was dismounted cleanly; log record pages
 * ("RCRD") follow. Sources: ntfs-3g and Linux logfile.h / logfile.c
 * (ntfs_check_restart_page_header, ntfs_check_restart_area,
 * ntfs_check_log_client_array), Windows NT lfsdisk.h.
 *
 * Restart page header (RESTART_PAGE_HEADER):
 *   0x00 magic "RSTR" ("CHKD" after chkdsk)  0x04 usa_ofs (u16)  0x06 usa_count
 *   0x08 chkdsk_lsn (u64)  0x10 system_page_size (u32)  0x14 log_page_size
 *   0x18 restart_area_offset (u16)  0x1A minor (s16)  0x1C major (s16)
 * Restart area (RESTART_AREA), at restart_area_offset:
 *   0x00 current_lsn (u64)  0x08 log_clients (u16)  0x0A client_free_list
 *   0x0C client_in_use_list  0x0E flags (0x0002: volume clean)
 *   0x10 seq_number_bits (u32)  0x14 restart_area_length (u16)
 *   0x16 client_array_offset (u16)  0x18 file_size (u64)
 *   0x20 last_lsn_data_length (u32)  0x24 log_record_header_length (u16)
 *   0x26 log_page_data_offset (u16)  0x28 restart_log_open_count (u32)
 *   0x2C reserved; XP and later put the client array at 0x40, not 0x30.
 * Log client record (LOG_CLIENT_RECORD, 0xA0 bytes) at client_array_offset:
 *   0x00 oldest_lsn  0x08 client_restart_lsn  0x10 prev_client (u16)
 *   0x12 next_client  0x14 seq_number  0x1C client_name_length (bytes, u32)
 *   0x20 client_name (64 UTF-16 units, "NTFS")
 *
 * The page is read as stored: the fixups are checked, and the few words at
 * sector tails are taken from the update sequence array when read, so the
 * caller's buffer is never written.
 */
#include "logfile.h"

#include "../base/diag.h"
#include "../base/mem.h"
#include "fixup.h"

enum {
    RA_CURRENT_LSN = 0x00,
    RA_LOG_CLIENTS = 0x08,
    RA_FREE_LIST = 0x0A,
    RA_IN_USE_LIST = 0x0C,
    RA_FLAGS = 0x0E,
    RA_SEQ_BITS = 0x10,
    RA_LENGTH = 0x14,
    RA_CLIENT_ARRAY = 0x16,
    RA_FILE_SIZE = 0x18,
    RA_LAST_LSN_DATA = 0x20,
    RA_RECORD_HEADER = 0x24,
    RA_PAGE_DATA = 0x26,
    RA_OPEN_COUNT = 0x28,
    RA_SIZE = 0x30, /* the fixed part */

    CR_OLDEST_LSN = 0x00,
    CR_RESTART_LSN = 0x08,
    CR_PREV = 0x10,
    CR_NEXT = 0x12,
    CR_SEQ = 0x14,
    CR_NAME_LENGTH = 0x1C,
    CR_NAME = 0x20,
    CR_SIZE = 0xA0,
};

#define LF_PAGE_MIN 512u
#define LF_PAGE_MAX 65536u
/* The restart area's fixed part must not reach the first sector's tail:
 * read before the fixups were known, it would be garbage (Linux's check). */
#define LF_FIRST_TAIL (NTX_FIXUP_STRIDE - 2u)

/* A page as stored, read through its update sequence array. */
typedef struct lf_page {
    const uint8_t *p;
    uint32_t size;        /* system page size */
    uint32_t usa_ofs;
    bool usa;             /* protected (a CHKD page may not be) */
} lf_page;

/* Byte off (< size) as it was before the multi-sector protection. */
static uint8_t lf_byte(const lf_page *pg, uint32_t off)
{
    uint32_t in = off & (NTX_FIXUP_STRIDE - 1u);
    if (pg->usa && in >= LF_FIRST_TAIL)
        return pg->p[pg->usa_ofs + 2u + 2u * (off / NTX_FIXUP_STRIDE) + (in - LF_FIRST_TAIL)];
    return pg->p[off];
}

/* n little-endian bytes at off; off + n <= size is the caller's check. */
static uint64_t lf_le(const lf_page *pg, uint32_t off, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = n; i-- > 0;) /* bound: n <= 8 */
        v = (v << 8) | lf_byte(pg, off + i);
    return v;
}

static bool lf_pow2(uint32_t v)
{
    return v >= LF_PAGE_MIN && v <= LF_PAGE_MAX && (v & (v - 1u)) == 0;
}

static ntx_err lf_fail(ntx_check *check, ntx_check which)
{
    if (check != NULL)
        *check = which;
    return NTX_E_CORRUPT;
}

/* The update sequence array: where it is and every sector tail equal to its
 * first word (ntfs-3g's rule, as fixup.c applies it to records). */
static ntx_err lf_check_usa(const uint8_t *p, lf_page *pg, uint32_t *usa_end, ntx_check *check)
{
    uint32_t usa_ofs = ntx_le16(p + RP_USA_OFS), usa_count = ntx_le16(p + RP_USA_COUNT);
    uint32_t strides = pg->size / NTX_FIXUP_STRIDE;
    pg->usa_ofs = usa_ofs;
    pg->usa = true;
    if (usa_count == 0 && ntx_le32(p + RP_MAGIC) == RP_MAGIC_CHKD) {
        pg->usa = false; /* chkdsk may leave the page unprotected (Linux logfile.c) */
        *usa_end = RP_HEADER_SIZE;
        return NTX_OK;
    }
    if ((usa_ofs & 1u) != 0 || usa_ofs < RP_HEADER_SIZE || usa_count != strides + 1u ||
        usa_ofs + 2u * usa_count > LF_FIRST_TAIL)
        return lf_fail(check, NTX_CHK_FIXUP_HEADER);
    for (uint32_t i = 0; i < strides; i++) { /* bound: size / 512 <= 128 */
        const uint8_t *tail = p + (i + 1u) * NTX_FIXUP_STRIDE - 2u;
        if (tail[0] != p[usa_ofs] || tail[1] != p[usa_ofs + 1u])
            return lf_fail(check, NTX_CHK_FIXUP_MISMATCH);
    }
    *usa_end = usa_ofs + 2u * usa_count;
    return NTX_OK;
}

/* The page header: magic, sizes and where the restart area is. */
static ntx_err lf_header(const uint8_t *p, size_t len, lf_page *pg, uint32_t *ra,
                         ntx_logfile_restart *out, ntx_check *check)
{
    if (len < LF_PAGE_MIN)
        return NTX_E_BUFFER;
    uint32_t magic = ntx_le32(p + RP_MAGIC);
    if (magic == RP_MAGIC_EMPTY)
        return NTX_E_NOT_FOUND;
    uint32_t sys = ntx_le32(p + RP_SYSTEM_PAGE_SIZE), logp = ntx_le32(p + RP_LOG_PAGE_SIZE);
    if ((magic != RP_MAGIC_RSTR && magic != RP_MAGIC_CHKD) || !lf_pow2(sys) || !lf_pow2(logp))
        return lf_fail(check, NTX_CHK_LOGFILE_HEADER);
    /* only chkdsk sets the LSN where it stopped (Linux logfile.c) */
    if (magic == RP_MAGIC_RSTR && ntx_le64(p + RP_CHKDSK_LSN) != 0)
        return lf_fail(check, NTX_CHK_LOGFILE_HEADER);
    if (len < sys)
        return NTX_E_BUFFER;
    pg->p = p;
    pg->size = sys;
    uint32_t usa_end;
    ntx_err rc = lf_check_usa(p, pg, &usa_end, check);
    if (rc != NTX_OK)
        return rc;
    *ra = ntx_le16(p + RP_RESTART_AREA_OFFSET);
    if ((*ra & 7u) != 0 || *ra < usa_end || *ra + RA_SIZE > LF_FIRST_TAIL)
        return lf_fail(check, NTX_CHK_LOGFILE_HEADER);
    out->chkdsk = magic == RP_MAGIC_CHKD;
    out->chkdsk_lsn = ntx_le64(p + RP_CHKDSK_LSN);
    out->system_page_size = sys;
    out->log_page_size = logp;
    out->minor = (int16_t)ntx_le16(p + RP_MINOR);
    out->major = (int16_t)ntx_le16(p + RP_MAJOR);
    return NTX_OK;
}

/*
 * Walk a client list from index first: every step inside the array, at most
 * `clients` steps (a longer walk is a loop), each record's prev pointing
 * back. Linux's ntfs_check_log_client_array does the same.
 */
static bool lf_list_ok(const lf_page *pg, uint32_t array, uint32_t clients, uint32_t first)
{
    uint32_t prev = NTX_LOGFILE_NO_CLIENT, idx = first;
    for (uint32_t steps = 0; idx != NTX_LOGFILE_NO_CLIENT; steps++) { /* bound: clients steps */
        if (idx >= clients || steps >= clients)
            return false;
        uint32_t cr = array + idx * CR_SIZE;
        if (lf_le(pg, cr + CR_PREV, 2) != prev)
            return false;
        prev = idx;
        idx = (uint32_t)lf_le(pg, cr + CR_NEXT, 2);
    }
    return true;
}

/* The restart area at ra and its client array. */
static ntx_err lf_area(const lf_page *pg, uint32_t ra, ntx_logfile_restart *out,
                       ntx_check *check)
{
    uint32_t clients = (uint32_t)lf_le(pg, ra + RA_LOG_CLIENTS, 2);
    uint32_t free_list = (uint32_t)lf_le(pg, ra + RA_FREE_LIST, 2);
    uint32_t in_use = (uint32_t)lf_le(pg, ra + RA_IN_USE_LIST, 2);
    uint32_t ra_len = (uint32_t)lf_le(pg, ra + RA_LENGTH, 2);
    uint32_t ca = (uint32_t)lf_le(pg, ra + RA_CLIENT_ARRAY, 2);
    uint32_t hdr_len = (uint32_t)lf_le(pg, ra + RA_RECORD_HEADER, 2);
    uint32_t data_off = (uint32_t)lf_le(pg, ra + RA_PAGE_DATA, 2);
    /* clients <= 0xFFFF: the product fits in 32 bits */
    uint32_t needed = ca + clients * CR_SIZE;
    if ((ca & 7u) != 0 || ca < RA_SIZE || ra + ca > LF_FIRST_TAIL || needed > ra_len ||
        ra_len > pg->size - ra || (hdr_len & 7u) != 0 || (data_off & 7u) != 0 ||
        !lf_list_ok(pg, ra + ca, clients, free_list) || !lf_list_ok(pg, ra + ca, clients, in_use))
        return lf_fail(check, NTX_CHK_LOGFILE_AREA);
    out->current_lsn = lf_le(pg, ra + RA_CURRENT_LSN, 8);
    out->log_clients = (uint16_t)clients;
    out->client_free_list = (uint16_t)free_list;
    out->client_in_use_list = (uint16_t)in_use;
    out->flags = (uint16_t)lf_le(pg, ra + RA_FLAGS, 2);
    out->seq_number_bits = (uint32_t)lf_le(pg, ra + RA_SEQ_BITS, 4);
    out->restart_area_length = (uint16_t)ra_len;
    out->client_array_offset = (uint16_t)ca;
    out->file_size = lf_le(pg, ra + RA_FILE_SIZE, 8);
    out->last_lsn_data_length = (uint32_t)lf_le(pg, ra + RA_LAST_LSN_DATA, 4);
    out->record_header_length = (uint16_t)hdr_len;
    out->page_data_offset = (uint16_t)data_off;
    out->open_count = (uint32_t)lf_le(pg, ra + RA_OPEN_COUNT, 4);
    /* A closed log, or an open one marked clean, was dismounted cleanly;
     * Windows XP and later keep the log open and set the flag at dismount. */
    out->clean = in_use == NTX_LOGFILE_NO_CLIENT || (out->flags & NTX_LOGFILE_VOLUME_CLEAN) != 0;
    if (clients == 0)
        return NTX_OK;
    uint32_t idx = in_use != NTX_LOGFILE_NO_CLIENT ? in_use : 0;
    uint32_t cr = ra + ca + idx * CR_SIZE;
    uint32_t name_bytes = (uint32_t)lf_le(pg, cr + CR_NAME_LENGTH, 4);
    if (name_bytes > 2u * NTX_LOGFILE_CLIENT_NAME_MAX || (name_bytes & 1u) != 0)
        return lf_fail(check, NTX_CHK_LOGFILE_AREA);
    out->has_client = true;
    out->client_index = (uint16_t)idx;
    out->client_oldest_lsn = lf_le(pg, cr + CR_OLDEST_LSN, 8);
    out->client_restart_lsn = lf_le(pg, cr + CR_RESTART_LSN, 8);
    out->client_seq = (uint16_t)lf_le(pg, cr + CR_SEQ, 2);
    out->client_name_len = (uint8_t)(name_bytes / 2u);
    for (uint32_t i = 0; i < name_bytes / 2u; i++) /* bound: 64 units */
        out->client_name[i] = (uint16_t)lf_le(pg, cr + CR_NAME + 2u * i, 2);
    return NTX_OK;
}

ntx_err ntx_logfile_restart_parse(const void *page, size_t len, ntx_logfile_restart *out,
                                  ntx_check *check)
{
    if (page == NULL || out == NULL)
        return NTX_E_ARG;
    if (check != NULL)
        *check = NTX_CHK_NONE;
    ntx_mem_zero(out, sizeof *out);
    lf_page pg;
    uint32_t ra;
    ntx_err rc = lf_header(page, len, &pg, &ra, out, check);
    if (rc == NTX_OK)
        rc = lf_area(&pg, ra, out, check);
    return rc;
}
