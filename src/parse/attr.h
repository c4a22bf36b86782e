/*
 * attr.h - attribute records inside an MFT record (private header).
 *
 * ntx_attr_check() establishes every invariant of one attribute header when
 * its record is loaded; the accessors below then read without further checks,
 * so a pointer obtained by walking a loaded record is always safe to use.
 */
#ifndef NTX_ATTR_PRIV_H
#define NTX_ATTR_PRIV_H

#include "../base/bytes.h"
#include "ntx/attr.h"

enum {
    ATTR_TYPE = 0x00,
    ATTR_LENGTH = 0x04,
    ATTR_NON_RESIDENT = 0x08,
    ATTR_NAME_LENGTH = 0x09,
    ATTR_NAME_OFFSET = 0x0A,
    ATTR_FLAGS = 0x0C,
    ATTR_INSTANCE = 0x0E,
    /* resident form */
    ATTR_VALUE_LENGTH = 0x10,
    ATTR_VALUE_OFFSET = 0x14,
    ATTR_RESIDENT_HEADER = 0x18,
    /* non-resident form */
    ATTR_LOWEST_VCN = 0x10,
    ATTR_HIGHEST_VCN = 0x18,
    ATTR_MAPPING_PAIRS_OFFSET = 0x20,
    ATTR_COMPRESSION_UNIT = 0x22,
    ATTR_ALLOCATED_SIZE = 0x28,
    ATTR_DATA_SIZE = 0x30,
    ATTR_INITIALIZED_SIZE = 0x38,
    ATTR_COMPRESSED_SIZE = 0x40,
    ATTR_NONRESIDENT_HEADER = 0x40,
    ATTR_COMPRESSED_HEADER = 0x48,
};

/*
 * Check the attribute at a, with room bytes left before the record's bytes
 * in use end. cluster_shift checks allocated sizes. Returns NTX_OK or
 * NTX_E_CORRUPT with *check set.
 */
ntx_err ntx_attr_check(const uint8_t *a, size_t room, unsigned cluster_shift, ntx_check *check);

NTX_INLINE uint32_t ntx_attr_type(const uint8_t *a) { return ntx_le32(a + ATTR_TYPE); }
NTX_INLINE uint32_t ntx_attr_length(const uint8_t *a) { return ntx_le32(a + ATTR_LENGTH); }
NTX_INLINE bool ntx_attr_is_resident(const uint8_t *a) { return a[ATTR_NON_RESIDENT] == 0; }
NTX_INLINE uint16_t ntx_attr_flags(const uint8_t *a) { return ntx_le16(a + ATTR_FLAGS); }
NTX_INLINE uint16_t ntx_attr_instance(const uint8_t *a) { return ntx_le16(a + ATTR_INSTANCE); }
NTX_INLINE uint8_t ntx_attr_name_len(const uint8_t *a) { return a[ATTR_NAME_LENGTH]; }
NTX_INLINE const uint8_t *ntx_attr_name(const uint8_t *a)
{
    return a + ntx_le16(a + ATTR_NAME_OFFSET);
}

/* Resident value (checked to lie inside the attribute). */
NTX_INLINE ntx_span ntx_attr_value(const uint8_t *a)
{
    return ntx_span_make(a + ntx_le16(a + ATTR_VALUE_OFFSET), ntx_le32(a + ATTR_VALUE_LENGTH));
}

/* Non-resident fields. VCNs are checked to be in [0, 2^62). */
NTX_INLINE uint64_t ntx_attr_lowest_vcn(const uint8_t *a) { return ntx_le64(a + ATTR_LOWEST_VCN); }
/* One past the highest VCN: the end of the VCN range this extent maps. */
NTX_INLINE uint64_t ntx_attr_vcn_end(const uint8_t *a)
{
    return ntx_le64(a + ATTR_HIGHEST_VCN) + 1u;
}
NTX_INLINE uint64_t ntx_attr_alloc_size(const uint8_t *a)
{
    return ntx_le64(a + ATTR_ALLOCATED_SIZE);
}
NTX_INLINE uint64_t ntx_attr_data_size(const uint8_t *a)
{
    return ntx_le64(a + ATTR_DATA_SIZE);
}
NTX_INLINE uint64_t ntx_attr_init_size(const uint8_t *a)
{
    return ntx_le64(a + ATTR_INITIALIZED_SIZE);
}
NTX_INLINE uint8_t ntx_attr_cu(const uint8_t *a)
{
    return a[ATTR_COMPRESSION_UNIT];
}
NTX_INLINE uint16_t ntx_attr_mp_offset(const uint8_t *a)
{
    return ntx_le16(a + ATTR_MAPPING_PAIRS_OFFSET);
}

/* Compare an on-disk UTF-16LE name (n units at p) with host-order units. */
bool ntx_name_equal_disk(const uint8_t *p, const uint16_t *name, size_t n);

/* Does attribute a have this type and (exactly) this name? */
bool ntx_attr_matches(const uint8_t *a, uint32_t type, const uint16_t *name, size_t name_len);

#endif
