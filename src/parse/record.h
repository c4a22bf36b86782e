/*
 * record.h - one MFT record in a buffer: its header fields, checking it, and
 * walking its attributes (private header).
 */
#ifndef NTX_RECORD_H
#define NTX_RECORD_H

#include "../base/bytes.h"
#include "ntx/volume.h"

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

/* The attribute of this type and instance in a checked record, or NULL. */
const uint8_t *ntx_rec_find_instance(const uint8_t *rec, uint32_t type, uint16_t instance,
                                     uint32_t *off);

#endif
