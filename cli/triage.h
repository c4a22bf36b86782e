/*
 * triage.h - a copy of $MFT given in place of an image (--mft-file), and
 * the change journal, from the volume or from a copy (--journal-file).
 */
#ifndef NTX_CLI_TRIAGE_H
#define NTX_CLI_TRIAGE_H

#include "cli.h"

/* Open o->mft_file through the image layer and mount it alone
 * (ntx_volume_mount_mft()) in img, as image_open() does an image: reports
 * and returns false on failure. Released by image_close(). */
bool triage_open_mft(cli_image *img, const cli_opts *o);

/* The change journal, record by record: $Extend/$UsnJrnl:$J of the volume
 * (or o->stream_opt, PATH:STREAM), or the copy o->journal_file. */
typedef struct journal journal;
/* Opens it; reports and returns NULL on failure (*status: the exit code). */
journal *journal_open(cli_image *img, const cli_opts *o, int *status);
/* The next record: NTX_OK; NTX_END; another error ends the journal (reported,
 * and the run marked partial). Records that cannot be are reported (the
 * first 20) and skipped, 8 bytes at a time, as Windows' own readers do. */
ntx_err journal_next(journal *j, ntx_usn_record *rec);
void journal_close(journal *j);
/* The name of the journal in messages ("$Extend/$UsnJrnl:$J", or the file). */
const char *journal_what(const journal *j);

/* USN reason flags as names, separated by sep ("|" for ntx usn). */
void usn_reasons(sbuf *b, uint32_t reason, const char *sep);

#endif
