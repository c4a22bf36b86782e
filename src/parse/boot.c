/*
 * boot.c - the NTFS boot sector: BIOS parameter block and NTFS extension.
 *
 * Layout (ntfs-3g layout.h NTFS_BOOT_SECTOR; libfsntfs "Volume header"):
 *   0x03 OEM id "NTFS    "        0x0B bytes per sector (u16)
 *   0x0D sectors per cluster (u8): 1..128, or above 0x80 a negative power of
 *        two, 2^-(s8)v sectors, for clusters of 128 KiB .. 2 MiB (Windows 10 1709)
 *   0x28 total sectors (u64)       0x30 $MFT LCN (u64)   0x38 $MFTMirr LCN (u64)
 *   0x40 clusters per MFT record (s8)  0x44 clusters per index block (s8):
 *        positive = clusters, negative v = 2^-v bytes
 *   0x48 serial number (u64)       0x1FE 0x55 0xAA
 * The backup copy sits in the sector after the last one the total counts.
 */
#include "boot.h"

enum {
    BOOT_OEM_ID = 0x03,
    BOOT_BYTES_PER_SECTOR = 0x0B,
    BOOT_SECTORS_PER_CLUSTER = 0x0D,
    BOOT_TOTAL_SECTORS = 0x28,
    BOOT_MFT_LCN = 0x30,
    BOOT_MFTMIRR_LCN = 0x38,
    BOOT_CLUSTERS_PER_RECORD = 0x40,
    BOOT_CLUSTERS_PER_INDEX = 0x44,
    BOOT_SERIAL = 0x48,
    BOOT_END_MARKER = 0x1FE,
    BOOT_MIN_SIZE = 0x200,
};

#define BOOT_MAX_CLUSTER_SHIFT 21 /* 2 MiB, the largest cluster Windows formats */

int ntx_log2_exact(uint64_t x)
{
    int s = 0;
    if (x == 0 || (x & (x - 1u)) != 0)
        return -1;
    /* a loop, not __builtin_ctzll: that is a libgcc call on RISC-V and Arm */
    while (x > 1u) { /* bound: at most 63 halvings */
        x >>= 1;
        s++;
    }
    return s;
}

static bool boot_oem_is_ntfs(const uint8_t *sec)
{
#if NTX_UNALIGNED_OK /* "NTFS    " as one little-endian word: a single load and compare */
    return ntx_le64(sec + BOOT_OEM_ID) == 0x202020205346544Eull;
#else /* without unaligned loads the byte loop is smaller */
    static const uint8_t oem[8] = { 'N', 'T', 'F', 'S', ' ', ' ', ' ', ' ' };
    for (unsigned i = 0; i < sizeof oem; i++)
        if (sec[BOOT_OEM_ID + i] != oem[i])
            return false;
    return true;
#endif
}

/* Decode a clusters-per-record byte: positive = clusters, negative = 2^-v bytes.
 * Returns log2 of the size in bytes, or -1. Accepts 512 B .. 64 KiB (R03). */
static int boot_record_shift(uint8_t raw, unsigned cluster_shift)
{
    int v = raw < 0x80u ? (int)raw : (int)raw - 256;
    int shift;

    if (v > 0) {
        int c = ntx_log2_exact((uint64_t)v);
        if (c < 0)
            return -1;
        shift = c + (int)cluster_shift;
    } else if (v < 0) {
        shift = -v;
    } else {
        return -1;
    }
    return (shift >= 9 && shift <= 16) ? shift : -1;
}

ntx_err ntx_boot_parse(const uint8_t *sec, size_t len, uint64_t dev_size, ntx_geometry *geo,
                       ntx_check *check)
{
    if (len < BOOT_MIN_SIZE || !boot_oem_is_ntfs(sec) ||
        ntx_le16(sec + BOOT_END_MARKER) != 0xAA55) {
        *check = NTX_CHK_BOOT_SIGNATURE;
        return NTX_E_NOT_NTFS;
    }

    int sector_shift = ntx_log2_exact(ntx_le16(sec + BOOT_BYTES_PER_SECTOR));
    if (sector_shift < 8 || sector_shift > 12) {
        *check = NTX_CHK_BOOT_SECTOR_SIZE;
        return NTX_E_NOT_NTFS;
    }

    uint8_t spc = sec[BOOT_SECTORS_PER_CLUSTER];
    int spc_shift = spc <= 0x80u ? ntx_log2_exact(spc) : 256 - (int)spc;
    int cluster_shift = sector_shift + spc_shift;
    if (spc_shift < 0 || cluster_shift > BOOT_MAX_CLUSTER_SHIFT) {
        *check = NTX_CHK_BOOT_CLUSTER_SIZE;
        return NTX_E_NOT_NTFS;
    }

    int record_shift = boot_record_shift(sec[BOOT_CLUSTERS_PER_RECORD], (unsigned)cluster_shift);
    if (record_shift < 0 || record_shift < sector_shift) {
        *check = NTX_CHK_BOOT_RECORD_SIZE;
        return NTX_E_NOT_NTFS;
    }
    int index_shift = boot_record_shift(sec[BOOT_CLUSTERS_PER_INDEX], (unsigned)cluster_shift);
    if (index_shift < 0) {
        *check = NTX_CHK_BOOT_INDEX_SIZE;
        return NTX_E_NOT_NTFS;
    }

    uint64_t total = ntx_le64(sec + BOOT_TOTAL_SECTORS);
    uint64_t bytes;
    if (total == 0 || !ntx_shl_u64(total, (unsigned)sector_shift, &bytes) ||
        (dev_size != 0 && bytes > dev_size)) {
        *check = NTX_CHK_BOOT_TOTAL_SECTORS;
        return NTX_E_NOT_NTFS;
    }

    uint64_t clusters = total >> spc_shift;
    uint64_t mft_lcn = ntx_le64(sec + BOOT_MFT_LCN);
    uint64_t mirr_lcn = ntx_le64(sec + BOOT_MFTMIRR_LCN);
    /* LCN 0 is the boot sector itself: never $MFT; and a mirror in the same
     * place as $MFT mirrors nothing (R04, as ntfs-3g's boot sector check). */
    if (mft_lcn == 0 || mft_lcn >= clusters || mirr_lcn == 0 || mirr_lcn >= clusters ||
        mft_lcn == mirr_lcn) {
        *check = NTX_CHK_BOOT_MFT_LCN;
        return NTX_E_NOT_NTFS;
    }

    geo->sector_size = 1u << sector_shift;
    geo->cluster_size = 1u << cluster_shift;
    geo->record_size = 1u << record_shift;
    geo->index_block_size = 1u << index_shift;
    geo->total_sectors = total;
    geo->cluster_count = clusters;
    geo->mft_lcn = mft_lcn;
    geo->mftmirr_lcn = mirr_lcn;
    geo->serial = ntx_le64(sec + BOOT_SERIAL);
    geo->from_backup = false;
    *check = NTX_CHK_NONE;
    return NTX_OK;
}
