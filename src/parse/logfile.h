/*
 * logfile.h - the restart pages of $LogFile (private header; the parser is
 * public: ntx_logfile_restart_parse() in ntx/forensic.h).
 */
#ifndef NTX_LOGFILE_H
#define NTX_LOGFILE_H

#include "../base/bytes.h"
#include "ntx/forensic.h"

/* Restart page header (the multi-sector header and the log's geometry). */
enum {
    RP_MAGIC = 0x00,
    RP_USA_OFS = 0x04,
    RP_USA_COUNT = 0x06,
    RP_CHKDSK_LSN = 0x08,
    RP_SYSTEM_PAGE_SIZE = 0x10,
    RP_LOG_PAGE_SIZE = 0x14,
    RP_RESTART_AREA_OFFSET = 0x18,
    RP_MINOR = 0x1A,
    RP_MAJOR = 0x1C,
    RP_HEADER_SIZE = 0x1E, /* the update sequence array may start here */
};

#define RP_MAGIC_RSTR 0x52545352u /* "RSTR" */
#define RP_MAGIC_CHKD 0x444B4843u /* "CHKD": chkdsk rewrote the page */
#define RP_MAGIC_EMPTY 0xFFFFFFFFu /* a page never written, or a log emptied */

#endif
