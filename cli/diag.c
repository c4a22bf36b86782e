/*
 * diag.c - error lines. Every problem is one line on standard error:
 *
 *     ntx: IMAGE: OBJECT: problem (CHECK at record N offset X)
 *     ntx: IMAGE: OBJECT: problem (CHECK at record N chunk K)      WOF data
 *     ntx: IMAGE: OBJECT: data stored outside this file: WHERE (reparse tag 0xT)
 *
 * where CHECK is the core's ntx_diag.check turned into words by the one
 * table below (the core carries no strings but ntx_strerror()).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const char *g_prog = "ntx";
int g_partial = 0;

/* Indexed by ntx_check (include/ntx/error.h). */
static const char *const check_words[] = {
    [NTX_CHK_NONE] = NULL,
    [NTX_CHK_BOOT_SIGNATURE] = "boot sector: no \"NTFS\" OEM id or 0x55AA signature",
    [NTX_CHK_BOOT_SECTOR_SIZE] = "boot sector: bytes per sector not a power of two in 256..4096",
    [NTX_CHK_BOOT_CLUSTER_SIZE] = "boot sector: invalid sectors per cluster",
    [NTX_CHK_BOOT_RECORD_SIZE] = "boot sector: invalid MFT record size",
    [NTX_CHK_BOOT_INDEX_SIZE] = "boot sector: invalid index block size",
    [NTX_CHK_BOOT_TOTAL_SECTORS] = "boot sector: volume larger than the image, or empty",
    [NTX_CHK_BOOT_MFT_LCN] = "boot sector: $MFT or $MFTMirr outside the volume",
    [NTX_CHK_GEOMETRY_LIMIT] = "record, index or block size over the compiled limits",
    [NTX_CHK_RECORD_MAGIC] = "MFT record magic is not \"FILE\"",
    [NTX_CHK_FIXUP_HEADER] = "update sequence offset or count invalid",
    [NTX_CHK_FIXUP_MISMATCH] = "torn write: a sector does not end with the update sequence number",
    [NTX_CHK_RECORD_SIZES] = "record bytes in use / allocated inconsistent",
    [NTX_CHK_RECORD_ATTRS_OFFSET] = "first attribute offset invalid",
    [NTX_CHK_RECORD_NOT_IN_USE] = "record not in use",
    [NTX_CHK_RECORD_NOT_BASE] = "an extension record, not a base record",
    [NTX_CHK_RECORD_SEQUENCE] = "sequence number does not match the reference",
    [NTX_CHK_RECORD_NUMBER] = "record number beyond the $MFT",
    [NTX_CHK_RECORD_BASE] = "extension record belongs to another file",
    [NTX_CHK_ATTR_LENGTH] = "attribute length invalid",
    [NTX_CHK_ATTR_END] = "no end marker before the record's bytes in use",
    [NTX_CHK_ATTR_ORDER] = "attributes out of order",
    [NTX_CHK_ATTR_NAME] = "attribute name outside the attribute",
    [NTX_CHK_ATTR_RESIDENT_VALUE] = "resident value outside the attribute",
    [NTX_CHK_ATTR_NONRES_HEADER] = "non-resident attribute header invalid",
    [NTX_CHK_ATTR_SIZES] = "attribute sizes inconsistent (initialized > data > allocated)",
    [NTX_CHK_ATTR_VALUE_SIZE] = "attribute value too short for its type",
    [NTX_CHK_ATTR_FORM] = "attribute resident where it must not be, or the reverse",
    [NTX_CHK_RUN_HEADER] = "runlist: mapping pair header invalid",
    [NTX_CHK_RUN_LENGTH] = "runlist: zero or negative run length",
    [NTX_CHK_RUN_LCN] = "runlist: LCN negative or past the volume",
    [NTX_CHK_RUN_VCN] = "runlist: runs do not match the lowest/highest VCN",
    [NTX_CHK_RUN_UNMAPPED] = "runlist: a VCN inside the allocation is not mapped",
    [NTX_CHK_ALIST_ENTRY] = "attribute list entry invalid",
    [NTX_CHK_ALIST_SIZE] = "attribute list size invalid",
    [NTX_CHK_ALIST_TARGET] = "attribute list points at a missing attribute or a foreign record",
    [NTX_CHK_INDEX_ROOT] = "$INDEX_ROOT invalid",
    [NTX_CHK_INDEX_BLOCK] = "INDX block magic, VCN or sizes invalid",
    [NTX_CHK_INDEX_ENTRY] = "index entry invalid",
    [NTX_CHK_INDEX_CHILD] = "index child VCN outside the allocation",
    [NTX_CHK_INDEX_CYCLE] = "index node already on the path (cycle)",
    [NTX_CHK_INDEX_DEPTH] = "index deeper than the limit",
    [NTX_CHK_INDEX_BUDGET] = "index walk step budget spent",
    [NTX_CHK_FILE_NAME] = "$FILE_NAME invalid",
    [NTX_CHK_STD_INFO] = "$STANDARD_INFORMATION invalid",
    [NTX_CHK_UPCASE] = "$UpCase invalid",
    [NTX_CHK_VOLUME_INFO] = "$VOLUME_INFORMATION invalid",
    [NTX_CHK_REPARSE] = "reparse point data inconsistent",
    [NTX_CHK_WOF_REPARSE] = "WOF: reparse data too short or of an unknown version",
    [NTX_CHK_WOF_TABLE] = "WOF: a chunk table offset goes backwards or past WofCompressedData",
    [NTX_CHK_WOF_CHUNK] = "WOF: a stored chunk larger than it expands to, or WofCompressedData short or missing",
    /* where the data is, after "data stored outside this file: " */
    [NTX_CHK_EXTERNAL_WIM] = "WIMBoot, in a WIM file through WOF's WIM provider",
    [NTX_CHK_EXTERNAL_DEDUP] = "Data Deduplication, in the volume's chunk store",
    [NTX_CHK_EXTERNAL_CLOUD] = "a cloud files placeholder of OneDrive or another provider",
    [NTX_CHK_EXTERNAL_HSM] = "Hierarchical Storage Management, on offline storage",
    [NTX_CHK_EXTERNAL_VOLUME] = "on the volume, and only a copy of $MFT was given",
    [NTX_CHK_LOGFILE_HEADER] = "$LogFile restart page header invalid (magic, page size, offsets)",
    [NTX_CHK_LOGFILE_AREA] = "$LogFile restart area or client array invalid",
    [NTX_CHK_USN_RECORD] = "$UsnJrnl: a record whose length or version cannot be",
    [NTX_CHK_COMPRESSION_UNIT] = "compression unit not 16 clusters of at most 4 KiB",
    [NTX_CHK_LZNT1] = "corrupt LZNT1 data",
    [NTX_CHK_ENCRYPTED] = "stream is EFS-encrypted (use --raw for the ciphertext)",
    [NTX_CHK_READ_RANGE] = "read past the end of the volume",
    [NTX_CHK_IO] = "read error",
    [NTX_CHK_WORKSPACE] = "workspace too small",
    [NTX_CHK_XPRESS_CODE] = "XPRESS chunk: invalid Huffman code lengths",
    [NTX_CHK_XPRESS_TRUNCATED] = "XPRESS chunk: compressed data ends early",
    [NTX_CHK_XPRESS_OFFSET] = "XPRESS chunk: match before the start of the chunk",
    [NTX_CHK_XPRESS_LENGTH] = "XPRESS chunk: match past the end of the chunk",
    [NTX_CHK_LZX_BLOCK_TYPE] = "LZX chunk: invalid block type",
    [NTX_CHK_LZX_BLOCK_SIZE] = "LZX chunk: block size zero or past the end of the chunk",
    [NTX_CHK_LZX_CODE] = "LZX chunk: invalid Huffman code lengths",
    [NTX_CHK_LZX_TRUNCATED] = "LZX chunk: compressed data ends early",
    [NTX_CHK_LZX_OFFSET] = "LZX chunk: match before the start of the chunk",
    [NTX_CHK_LZX_LENGTH] = "LZX chunk: match past the end of its block",
};

const char *check_text(unsigned check)
{
    if (check < sizeof check_words / sizeof check_words[0] && check_words[check] != NULL)
        return check_words[check];
    return "unnamed check";
}

static void vreport(const cli_image *img, const char *object, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
static void vreport(const cli_image *img, const char *object, const char *fmt, va_list ap)
{
    sbuf b;
    sb_init(&b);
    sb_puts(&b, g_prog);
    sb_puts(&b, ": ");
    if (img != NULL && img->path != NULL) {
        esc_text(&b, img->path, strlen(img->path));
        sb_puts(&b, ": ");
    }
    if (object != NULL && object[0] != '\0') {
        sb_puts(&b, object); /* callers pass escaped text */
        sb_puts(&b, ": ");
    }
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    sb_puts(&b, msg);
    sb_putc(&b, '\n');
    fflush(stdout); /* keep the order of output and messages on a terminal */
    fwrite(b.p, 1, b.len, stderr);
    sb_free(&b);
}

void reportf(const cli_image *img, const char *object, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(img, object, fmt, ap);
    va_end(ap);
}

/* What ntx_diag.offset holds for a check: the WOF reader and its chunk
 * decoders record the index of the chunk they were expanding (a WOF file's
 * chunk k holds its bytes k * chunk size onwards), the WOF reparse check
 * nothing; every other check a byte offset. */
typedef enum diag_where { AT_OFFSET, AT_CHUNK, AT_RECORD } diag_where;

static diag_where check_where(unsigned check)
{
    switch (check) {
    case NTX_CHK_WOF_TABLE:
    case NTX_CHK_WOF_CHUNK:
    case NTX_CHK_XPRESS_CODE:
    case NTX_CHK_XPRESS_TRUNCATED:
    case NTX_CHK_XPRESS_OFFSET:
    case NTX_CHK_XPRESS_LENGTH:
    case NTX_CHK_LZX_BLOCK_TYPE:
    case NTX_CHK_LZX_BLOCK_SIZE:
    case NTX_CHK_LZX_CODE:
    case NTX_CHK_LZX_TRUNCATED:
    case NTX_CHK_LZX_OFFSET:
    case NTX_CHK_LZX_LENGTH:
        return AT_CHUNK;
    case NTX_CHK_WOF_REPARSE:
        return AT_RECORD;
    default:
        return AT_OFFSET;
    }
}

void report(const cli_image *img, const char *object, int rc)
{
    const ntx_diag *d = img != NULL && img->ws != NULL ? &img->vol.diag : NULL;
    char where[256] = "";
    if (d != NULL && d->err == rc && rc == NTX_E_EXTERNAL &&
        d->check == NTX_CHK_EXTERNAL_VOLUME) {
        reportf(img, object, "%s: %s", ntx_strerror(rc), check_text(d->check));
        return;
    }
    if (d != NULL && d->err == rc && rc == NTX_E_EXTERNAL) {
        /* not damage: the file says where its data is, and the tag is the
         * evidence (the core records it in place of an offset) */
        reportf(img, object, "%s: %s (reparse tag 0x%08llx)", ntx_strerror(rc),
                check_text(d->check), (unsigned long long)d->offset);
        return;
    }
    if (d != NULL && d->err == rc && rc != NTX_E_NOT_FOUND && rc != NTX_E_NOT_DIR &&
        rc != NTX_E_IS_DIR) {
        size_t n = 0;
        if (d->check != NTX_CHK_NONE)
            n += (size_t)snprintf(where + n, sizeof where - n, "%s", check_text(d->check));
        diag_where at = check_where(d->check);
        if (d->mft_no != UINT64_MAX && n < sizeof where) {
            const char *sep = n ? " " : "";
            unsigned long long rec = (unsigned long long)d->mft_no;
            unsigned long long off = (unsigned long long)d->offset;
            if (at == AT_CHUNK)
                n += (size_t)snprintf(where + n, sizeof where - n, "%sat record %llu chunk %llu",
                                      sep, rec, off);
            else if (at == AT_RECORD)
                n += (size_t)snprintf(where + n, sizeof where - n, "%sat record %llu", sep, rec);
            else
                n += (size_t)snprintf(where + n, sizeof where - n,
                                      "%sat record %llu offset 0x%llx", sep, rec, off);
        } else if (rc == NTX_E_IO && n < sizeof where)
            n += (size_t)snprintf(where + n, sizeof where - n, "%sat volume offset %llu",
                                  n ? " " : "", (unsigned long long)d->offset);
        if (rc == NTX_E_IO && d->io_status < 0 && n < sizeof where)
            snprintf(where + n, sizeof where - n, "%s%s", n ? ": " : "", strerror(-d->io_status));
    }
    if (where[0] != '\0')
        reportf(img, object, "%s (%s)", ntx_strerror(rc), where);
    else
        reportf(img, object, "%s", ntx_strerror(rc));
}

void warnf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fflush(stdout);
    fprintf(stderr, "%s: ", g_prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s%s%s: ", g_prog, cmd ? " " : "", cmd ? cmd : "");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry '%s%s%s --help' for more information.\n", g_prog, cmd ? " " : "",
            cmd ? cmd : "");
    va_end(ap);
    return EXIT_USAGE;
}
