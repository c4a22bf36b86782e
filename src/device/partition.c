/*
 * partition.c - partition tables: the MBR (sector 0: four 16-byte entries
 * at 0x1BE, signature 0x55AA; extended partitions chain EBRs whose first
 * entry is a logical partition relative to that EBR and whose second points
 * at the next EBR relative to the extended partition) and GPT (UEFI 2.10
 * section 5.3: header "EFI PART" at LBA 1 with a CRC-32, entries of
 * type GUID, unique GUID, first and last LBA, attributes and a 36-unit name).
 *
 * A bare NTFS volume has 0x55AA at 0x1FE as well; its OEM id "NTFS    " at
 * offset 3 tells it apart, and it is reported as "no partition table".
 */
#include "../base/bytes.h"
#include "../base/mem.h"
#include "ntx/partition.h"

enum {
    MBR_ENTRIES = 0x1BE,
    MBR_ENTRY_SIZE = 16,
    MBR_TYPE = 4,
    MBR_LBA = 8,
    MBR_SECTORS = 12,
    MBR_SIGNATURE = 0x1FE,
    GPT_HEADER_SIZE = 0x0C,
    GPT_HEADER_CRC = 0x10,
    GPT_ENTRIES_LBA = 0x48,
    GPT_ENTRY_COUNT = 0x50,
    GPT_ENTRY_SIZE = 0x54,
    GPT_HEADER_MIN = 92,
    GPTE_TYPE = 0x00,
    GPTE_FIRST_LBA = 0x20,
    GPTE_LAST_LBA = 0x28,
    GPTE_NAME = 0x38,
    GPTE_MIN = 128,
};

#define MBR_SECTOR 512u
#define MBR_TYPE_GPT_PROTECTIVE 0xEEu

/* GPT type GUIDs as stored (the first three fields little-endian). */
static const uint8_t gpt_basic_data[16] = { 0xA2, 0xA0, 0xD0, 0xEB, 0xE5, 0xB9, 0x33, 0x44,
                                            0x87, 0xC0, 0x68, 0xB6, 0xB7, 0x26, 0x99, 0xC7 };
static const uint8_t gpt_windows_recovery[16] = { 0xA4, 0xBB, 0x94, 0xDE, 0xD1, 0x06, 0x40, 0x4D,
                                                  0xA1, 0x6A, 0xBF, 0xD5, 0x01, 0x79, 0xD6, 0xAC };

static ntx_err part_read(ntx_partition_iter *it, uint64_t off, size_t len)
{
    uint64_t end;
    if (!ntx_add_u64(off, len, &end) || (it->io.size != 0 && end > it->io.size))
        return NTX_E_RANGE;
    return it->io.read(it->io.ctx, it->io.offset + off, it->block, len) == 0 ? NTX_OK : NTX_E_IO;
}

/* CRC-32 (IEEE 802.3, reflected, as UEFI uses) of n bytes at p, or of n
 * zero bytes when p is NULL, continuing from crc (start with 0xFFFFFFFF,
 * invert at the end). A nibble at a time: a 16-entry table keeps it small. */
static uint32_t part_crc32(uint32_t crc, const uint8_t *p, size_t n)
{
    static const uint32_t nibble[16] = {
        0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u,
        0x4DB26158u, 0x5005713Cu, 0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu,
        0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu,
    };
    for (size_t i = 0; i < n; i++) {
        crc ^= p != NULL ? p[i] : 0u;
        crc = (crc >> 4) ^ nibble[crc & 0xFu];
        crc = (crc >> 4) ^ nibble[crc & 0xFu];
    }
    return crc;
}

/* Check a GPT header in it->block (lba_size bytes) and take its entry array. */
static bool part_gpt_header(ntx_partition_iter *it)
{
    const uint8_t *h = it->block;
    static const uint8_t sig[8] = { 'E', 'F', 'I', ' ', 'P', 'A', 'R', 'T' };
    if (!ntx_mem_equal(h, sig, sizeof sig))
        return false;
    uint32_t size = ntx_le32(h + GPT_HEADER_SIZE);
    if (size < GPT_HEADER_MIN || size > it->lba_size)
        return false;
    /* The CRC covers the header with its own CRC field taken as zero. */
    uint32_t crc = part_crc32(0xFFFFFFFFu, h, GPT_HEADER_CRC);
    crc = part_crc32(crc, NULL, 4);
    crc = ~part_crc32(crc, h + GPT_HEADER_CRC + 4, size - GPT_HEADER_CRC - 4);
    if (crc != ntx_le32(h + GPT_HEADER_CRC))
        return false;
    uint32_t count = ntx_le32(h + GPT_ENTRY_COUNT), esize = ntx_le32(h + GPT_ENTRY_SIZE);
    if (esize < GPTE_MIN || (esize & (esize - 1u)) != 0 || esize > it->lba_size)
        return false;
    it->gpt_entries = ntx_le64(h + GPT_ENTRIES_LBA);
    it->gpt_count = count < NTX_PT_MAX_GPT_ENTRIES ? count : NTX_PT_MAX_GPT_ENTRIES;
    it->gpt_entry_size = esize;
    return true;
}

static ntx_err part_open_gpt(ntx_partition_iter *it)
{
    static const uint32_t sizes[2] = { 512u, 4096u };
    for (unsigned i = 0; i < 2; i++) {
        it->lba_size = sizes[i];
        if (part_read(it, it->lba_size, it->lba_size) == NTX_OK && part_gpt_header(it))
            return NTX_OK;
        /* The backup header sits in the last LBA. */
        if (it->io.size >= 2u * it->lba_size &&
            part_read(it, (it->io.size & ~(uint64_t)(it->lba_size - 1u)) - it->lba_size,
                      it->lba_size) == NTX_OK &&
            part_gpt_header(it))
            return NTX_OK;
    }
    return NTX_E_NOT_FOUND;
}

ntx_err ntx_partition_iter_open(ntx_partition_iter *it, const ntx_io *io, void *block, size_t block_len)
{
    if (it == NULL || io == NULL || io->read == NULL || block == NULL || block_len < 4096u)
        return NTX_E_ARG;
    ntx_mem_zero(it, sizeof *it);
    ntx_mem_copy(&it->io, io, sizeof *io);
    it->block = block;
    it->block_len = block_len;
    it->lba_size = MBR_SECTOR;

    ntx_err rc = part_read(it, 0, MBR_SECTOR);
    if (rc != NTX_OK)
        return rc;
    const uint8_t *b = it->block;
    static const uint8_t ntfs_oem[8] = { 'N', 'T', 'F', 'S', ' ', ' ', ' ', ' ' };
    if (b[MBR_SIGNATURE] != 0x55 || b[MBR_SIGNATURE + 1] != 0xAA ||
        ntx_mem_equal(b + 3, ntfs_oem, 8))
        return NTX_E_NOT_FOUND;

    bool protective = false, any = false;
    for (unsigned i = 0; i < 4; i++) {
        uint8_t type = b[MBR_ENTRIES + i * MBR_ENTRY_SIZE + MBR_TYPE];
        protective = protective || type == MBR_TYPE_GPT_PROTECTIVE;
        any = any || type != 0;
    }
    if (!any)
        return NTX_E_NOT_FOUND;
    if (protective) {
        it->scheme = NTX_PT_GPT;
        return part_open_gpt(it);
    }
    it->scheme = NTX_PT_MBR;
    return NTX_OK;
}

static bool part_is_extended(uint8_t type)
{
    return type == 0x05 || type == 0x0F || type == 0x85;
}

/* Fill p from an MBR entry e whose LBA is relative to base (LBA). */
static ntx_err part_from_mbr(ntx_partition_iter *it, const uint8_t *e, uint64_t base,
                             uint32_t index, ntx_partition *p)
{
    uint64_t lba = base + ntx_le32(e + MBR_LBA);
    uint64_t end;
    ntx_mem_zero(p, sizeof *p);
    p->index = index;
    p->scheme = NTX_PT_MBR;
    p->mbr_type = e[MBR_TYPE];
    p->maybe_ntfs = p->mbr_type == 0x07 || p->mbr_type == 0x27;
    p->offset = lba * MBR_SECTOR;
    p->size = (uint64_t)ntx_le32(e + MBR_SECTORS) * MBR_SECTOR;
    if (!ntx_add_u64(p->offset, p->size, &end) || (it->io.size != 0 && end > it->io.size))
        return NTX_E_RANGE;
    return NTX_OK;
}

/* The next logical partition along the EBR chain. */
static ntx_err part_next_logical(ntx_partition_iter *it, ntx_partition *p)
{
    /* bound: each pass reads one EBR and counts it against NTX_PT_MAX_LOGICAL */
    while (it->ext_next != 0) {
        if (it->logical >= NTX_PT_MAX_LOGICAL) {
            it->ext_next = 0;
            return NTX_E_LIMIT;
        }
        uint64_t ebr = it->ext_next;
        /* A broken link ends the chain: the next call answers NTX_END. */
        it->ext_next = 0;
        ntx_err rc = part_read(it, ebr * MBR_SECTOR, MBR_SECTOR);
        if (rc != NTX_OK)
            return rc;
        const uint8_t *b = it->block;
        if (b[MBR_SIGNATURE] != 0x55 || b[MBR_SIGNATURE + 1] != 0xAA)
            return NTX_E_RANGE;
        const uint8_t *first = b + MBR_ENTRIES, *link = first + MBR_ENTRY_SIZE;
        it->logical++;
        it->ext_next = part_is_extended(link[MBR_TYPE]) && ntx_le32(link + MBR_LBA) != 0
                           ? it->ext_start + ntx_le32(link + MBR_LBA)
                           : 0;
        if (first[MBR_TYPE] != 0 && ntx_le32(first + MBR_SECTORS) != 0)
            return part_from_mbr(it, first, ebr, 4u + it->logical, p);
    }
    return NTX_END;
}

static ntx_err part_next_mbr(ntx_partition_iter *it, ntx_partition *p)
{
    /* bound: four primary entries */
    while (it->next < 4) {
        unsigned i = it->next++;
        ntx_err rc = part_read(it, 0, MBR_SECTOR);
        if (rc != NTX_OK)
            return rc;
        const uint8_t *e = it->block + MBR_ENTRIES + i * MBR_ENTRY_SIZE;
        if (e[MBR_TYPE] == 0 || ntx_le32(e + MBR_SECTORS) == 0)
            continue;
        if (part_is_extended(e[MBR_TYPE])) {
            if (it->ext_start == 0)
                it->ext_start = it->ext_next = ntx_le32(e + MBR_LBA);
            continue;
        }
        return part_from_mbr(it, e, 0, i + 1u, p);
    }
    return part_next_logical(it, p);
}

static ntx_err part_next_gpt(ntx_partition_iter *it, ntx_partition *p)
{
    /* bound: gpt_count <= NTX_PT_MAX_GPT_ENTRIES */
    while (it->next < it->gpt_count) {
        uint32_t i = it->next++;
        uint64_t byte = it->gpt_entries * it->lba_size + (uint64_t)i * it->gpt_entry_size;
        uint64_t sector = byte & ~(uint64_t)(it->lba_size - 1u);
        ntx_err rc = part_read(it, sector, it->lba_size);
        if (rc != NTX_OK)
            return rc;
        const uint8_t *e = it->block + (byte - sector);
        bool used = false;
        for (unsigned k = 0; k < 16; k++)
            used = used || e[GPTE_TYPE + k] != 0;
        if (!used)
            continue;
        uint64_t first = ntx_le64(e + GPTE_FIRST_LBA), last = ntx_le64(e + GPTE_LAST_LBA), end;
        ntx_mem_zero(p, sizeof *p);
        p->index = i + 1u;
        p->scheme = NTX_PT_GPT;
        ntx_mem_copy(p->gpt_type, e + GPTE_TYPE, 16);
        for (unsigned k = 0; k < 36; k++)
            p->gpt_name[k] = ntx_le16(e + GPTE_NAME + 2 * k);
        p->maybe_ntfs = ntx_mem_equal(p->gpt_type, gpt_basic_data, 16) ||
                        ntx_mem_equal(p->gpt_type, gpt_windows_recovery, 16);
        if (last < first ||
            !ntx_shl_u64(first, (unsigned)ntx_log2_exact(it->lba_size), &p->offset) ||
            !ntx_shl_u64(last - first + 1u, (unsigned)ntx_log2_exact(it->lba_size), &p->size) ||
            !ntx_add_u64(p->offset, p->size, &end) || (it->io.size != 0 && end > it->io.size))
            return NTX_E_RANGE;
        return NTX_OK;
    }
    return NTX_END;
}

ntx_err ntx_partition_iter_next(ntx_partition_iter *it, ntx_partition *p)
{
    if (it == NULL || p == NULL || it->block == NULL)
        return NTX_E_ARG;
    return it->scheme == NTX_PT_GPT ? part_next_gpt(it, p) : part_next_mbr(it, p);
}
