/*
 * record.h - MFT records: checking, the record cache, and locating records in
 * $MFT (private header).
 */
#ifndef NTX_RECORD_H
#define NTX_RECORD_H

#include "bytes.h"
#include "ntx/volume.h"

/* Was a handle opened with NTX_OPEN_DELETED (and does the build read deleted
 * files, config.h NTX_WITH_DELETED)? */
#define NTX_OPENED_DELETED(open_flags) (NTX_WITH_DELETED && ((open_flags) & NTX_OPEN_DELETED) != 0)

enum {
    REC_MAGIC = 0x00,
    REC_USA_OFS = 0x04,
    REC_USA_COUNT = 0x06,
    REC_LSN = 0x08,
    REC_SEQUENCE = 0x10,
    REC_LINK_COUNT = 0x12,
    REC_ATTRS_OFFSET = 0x14,
    REC_FLAGS = 0x16,
    REC_BYTES_IN_USE = 0x18,
    REC_BYTES_ALLOCATED = 0x1C,
    REC_BASE_REF = 0x20,
    REC_NEXT_INSTANCE = 0x28,
    REC_HEADER_MIN = 0x2A,
};

#define REC_MAGIC_FILE 0x454C4946u /* "FILE" */
#define REC_FLAG_IN_USE 0x0001u
#define REC_FLAG_DIRECTORY 0x0002u

NTX_INLINE uint16_t ntx_rec_sequence(const uint8_t *r) { return ntx_le16(r + REC_SEQUENCE); }
NTX_INLINE uint16_t ntx_rec_link_count(const uint8_t *r) { return ntx_le16(r + REC_LINK_COUNT); }
NTX_INLINE uint16_t ntx_rec_flags(const uint8_t *r) { return ntx_le16(r + REC_FLAGS); }
NTX_INLINE uint64_t ntx_rec_base_ref(const uint8_t *r) { return ntx_le64(r + REC_BASE_REF); }
NTX_INLINE uint32_t ntx_rec_in_use(const uint8_t *r) { return ntx_le32(r + REC_BYTES_IN_USE); }

/*
 * Fixup and check a FILE record just read into buf (the record size of the
 * volume): header fields, then every attribute header up to AT_END. A record
 * that passes can be walked with ntx_rec_next_attr() without further checks.
 */
ntx_err ntx_record_check(ntx_volume *vol, uint8_t *buf, uint64_t mft_no);

/*
 * Walk a checked record: *off starts at 0; each call returns the next
 * attribute (and sets *off to its offset), or NULL at AT_END.
 */
const uint8_t *ntx_rec_next_attr(const uint8_t *rec, uint32_t *off);

/* The first attribute of this type and exact name, or NULL; *off its offset. */
const uint8_t *ntx_rec_find_attr(const uint8_t *rec, uint32_t type, const uint16_t *name,
                                 size_t name_len, uint32_t *off);

/* The attribute at offset off if the walk reaches it and it has this type, else NULL. */
const uint8_t *ntx_rec_attr_at(const uint8_t *rec, uint32_t off, uint32_t type);

/*
 * Get MFT record mft_no, fixed up and checked, from the record cache. The
 * pointer stays valid until the next ntx_record_get() on this volume.
 * Records not in use are returned too (forensic access): callers check.
 */
ntx_err ntx_record_get(ntx_volume *vol, uint64_t mft_no, const uint8_t **rec);

/*
 * Get a record that must be the base record of a file, in use unless
 * allow_free (a deleted file), with sequence number seq (NTX_SEQ_ANY: any).
 */
ntx_err ntx_record_get_base(ntx_volume *vol, uint64_t mft_no, uint16_t seq, bool allow_free,
                            const uint8_t **rec);

/*
 * Get an extension record that must belong to base record base_no, and be
 * in use unless allow_free (the extensions of a deleted file are freed too).
 */
ntx_err ntx_record_get_extension(ntx_volume *vol, uint64_t ext_ref, uint64_t base_no,
                                 bool allow_free, const uint8_t **rec);

/* Mount-time bootstrap: load $MFT record 0 (or its mirror), map $MFT. */
ntx_err ntx_mft_bootstrap(ntx_volume *vol);

/* Drop every cached record. */
void ntx_record_cache_reset(ntx_volume *vol);

/* The attribute of this type and instance in a checked record, or NULL. */
const uint8_t *ntx_rec_find_instance(const uint8_t *rec, uint32_t type, uint16_t instance,
                                     uint32_t *off);

#endif
