/*
 * logfile.c - the restart state of a volume from $LogFile (MFT record 2):
 * both restart pages read and parsed (parse/logfile.c), the current one
 * chosen as Windows and ntfs-3g choose it: the valid page with the higher
 * current LSN. A page that does not parse is reported, not fatal, while
 * the other one does: Windows writes them in turn so that a torn write
 * leaves one intact.
 */
#include "../base/diag.h"
#include "../base/mem.h"
#include "../parse/logfile.h"
#include "../value/stream.h"

#define LF_MFT_LOGFILE 2u
#define LF_DEFAULT_PAGE 4096u

/* The system page size the first restart page declares, or Windows' 4 KiB
 * when that page is unreadable (the second is then looked for there). */
static ntx_err lf_page_size(ntx_stream *s, uint8_t *buf, uint32_t *size)
{
    *size = LF_DEFAULT_PAGE;
    if (s->size < 512u)
        return NTX_OK;
    ntx_err rc = ntx_stream_read_exact(s, 0, buf, 512u);
    if (rc != NTX_OK)
        return rc;
    uint32_t magic = ntx_le32(buf + RP_MAGIC), sys = ntx_le32(buf + RP_SYSTEM_PAGE_SIZE);
    if ((magic == RP_MAGIC_RSTR || magic == RP_MAGIC_CHKD) && sys >= 512u && sys <= 65536u &&
        (sys & (sys - 1u)) == 0)
        *size = sys;
    return NTX_OK;
}

ntx_err ntx_logfile_read(ntx_volume *vol, void *buf, size_t cap, ntx_logfile_info *info)
{
    if (vol == NULL || buf == NULL || info == NULL)
        return NTX_E_ARG;
    if (!ntx_volume_handle_live(vol, vol->gen))
        return NTX_E_STALE;
    ntx_mem_zero(info, sizeof *info);
    if (cap < 512u)
        return NTX_E_BUFFER;
    ntx_stream *s = &vol->tmp_stream;
    ntx_err rc = ntx_stream_init(vol, LF_MFT_LOGFILE, NTX_AT_DATA, NULL, 0, 0, s);
    uint32_t size = 0;
    if (rc == NTX_OK)
        rc = lf_page_size(s, buf, &size);
    if (rc != NTX_OK)
        return rc;
    if (cap < size)
        return NTX_E_BUFFER;
    unsigned empty = 0;
    for (unsigned i = 0; i < 2; i++) { /* bound: two restart pages */
        ntx_logfile_restart *r = &info->page[i];
        ntx_check check = NTX_CHK_NONE;
        rc = NTX_E_CORRUPT;
        if ((uint64_t)size * (i + 1u) <= s->size) {
            rc = ntx_stream_init(vol, LF_MFT_LOGFILE, NTX_AT_DATA, NULL, 0, 0, s);
            if (rc == NTX_OK)
                rc = ntx_stream_read_exact(s, (uint64_t)size * i, buf, size);
            if (rc == NTX_OK)
                rc = ntx_logfile_restart_parse(buf, size, r, &check);
        } else {
            check = NTX_CHK_LOGFILE_HEADER; /* the log is shorter than two pages */
        }
        info->page_err[i] = rc;
        info->page_check[i] = (uint16_t)check;
        if (rc == NTX_OK)
            info->valid |= (uint8_t)(1u << i);
        else if (rc == NTX_E_NOT_FOUND)
            empty++;
        else if (rc != NTX_E_CORRUPT)
            return rc; /* a read error: nothing decided */
    }
    if (info->valid == 2u ||
        (info->valid == 3u && info->page[1].current_lsn > info->page[0].current_lsn))
        info->current = 1;
    if (info->valid != 0)
        return NTX_OK;
    if (empty == 2) {
        info->empty = true;
        return NTX_OK;
    }
    /* record why page 0 failed (page 1's is in info) */
    return ntx_fail(vol, NTX_E_CORRUPT,
                    info->page_check[0] ? (ntx_check)info->page_check[0] : NTX_CHK_LOGFILE_HEADER,
                    LF_MFT_LOGFILE, 0);
}
