/*
 * fmt.h - formatting for the listings that write a line per record or per
 * event (ntx mft, ntx timeline): numbers and names without printf, which
 * took most of the time of a timeline of a million records.
 */
#ifndef NTX_CLI_FMT_H
#define NTX_CLI_FMT_H

#include "cli.h"

/* Decimal digits of v into out (room for 20), returns how many. */
size_t fmt_u64(char *out, uint64_t v);
/* Append v in decimal. */
void put_u64(sbuf *b, uint64_t v);
void put_i64(sbuf *b, int64_t v);
/* Append v in decimal, right-aligned in width columns (as "%*llu"). */
void put_u64_right(sbuf *b, uint64_t v, int width);
/* Append s, left-aligned in width columns (as "%-*s"). */
void put_left(sbuf *b, const char *s, size_t n, int width);
/* esc_text(), and the same bytes, faster, for a name that needs no escape. */
void put_text(sbuf *b, const char *s, size_t n);
/* Whether s is printable ASCII with no '\\' (and no '|' when bar): what
 * esc_text() and the body file leave as it is. */
bool plain_ascii(const char *s, size_t n, bool bar);

#endif
