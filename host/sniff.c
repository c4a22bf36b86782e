/*
 * sniff.c - what a file or a volume is, from its signatures.
 *
 * Containers are recognised by their own magic numbers (never by the file's
 * name): EWF "EVF\x09\x0d\x0a\xff\x00" (EWF2: "EVF2\r\n\x81\x00"), VHDX
 * "vhdxfile", VHD "conectix" (a dynamic or differencing VHD starts with a
 * copy of its footer; a fixed VHD is raw data followed by the footer only),
 * VMDK "KDMV" (sparse extent), "COWD" (ESX sparse) or a text descriptor
 * "# Disk DescriptorFile", qcow "QFI\xfb".
 *
 * When no NTFS volume is where one was looked for, what is there is named
 * from the signatures the other formats put in their first blocks (offsets
 * as their on-disk documentation gives them: the FAT and exFAT boot sectors,
 * the BitLocker boot sector's OEM id "-FVE-FS-", the ext2/3/4 superblock at
 * 1024 with magic 0xEF53, XFS "XFSB", Btrfs "_BHRfS_M" at 0x10040, LUKS
 * "LUKS\xba\xbe", ReFS "ReFS" as OEM id, HFS+ "H+"/"HX" at 1024, APFS "NXSB"
 * at 32, LVM "LABELONE" in sector 1, swap "SWAPSPACE2" at 4086, ISO 9660
 * "CD001" at 0x8001), and compressed files are told from disk images.
 */
#include <string.h>

#include "internal.h"

static bool at(const uint8_t *buf, size_t len, size_t off, const void *magic, size_t n)
{
    return off <= len && n <= len - off && memcmp(buf + off, magic, n) == 0;
}

static uint32_t le32_at(const uint8_t *buf, size_t off)
{
    return (uint32_t)buf[off] | (uint32_t)buf[off + 1] << 8 | (uint32_t)buf[off + 2] << 16 |
           (uint32_t)buf[off + 3] << 24;
}

ntx_host_format host_sniff_container(const uint8_t *head, size_t len, const uint8_t *tail)
{
    if (at(head, len, 0, "EVF\x09\x0d\x0a\xff\x00", 8) || at(head, len, 0, "EVF2\r\n\x81\x00", 8))
        return NTX_HOST_FMT_EWF;
    if (at(head, len, 0, "vhdxfile", 8))
        return NTX_HOST_FMT_VHDX;
    if (at(head, len, 0, "conectix", 8))
        return NTX_HOST_FMT_VHD;
    if (at(head, len, 0, "KDMV", 4) || at(head, len, 0, "COWD", 4) ||
        at(head, len, 0, "# Disk DescriptorFile", 21))
        return NTX_HOST_FMT_VMDK;
    if (at(head, len, 0, "QFI\xfb", 4))
        return NTX_HOST_FMT_QCOW;
    /* a fixed VHD: the disk's bytes, then a 512-byte footer */
    if (tail != NULL && memcmp(tail, "conectix", 8) == 0)
        return NTX_HOST_FMT_VHD;
    return NTX_HOST_FMT_RAW;
}

const char *host_sniff_not_an_image(const uint8_t *head, size_t len)
{
    if (at(head, len, 0, "\x1f\x8b", 2))
        return "gzip-compressed data, not a disk image: decompress it first (gzip -dc)";
    if (at(head, len, 0, "\xfd" "7zXZ\x00", 6))
        return "xz-compressed data, not a disk image: decompress it first (xz -dc)";
    if (at(head, len, 0, "BZh", 3) && len > 3 && head[3] >= '1' && head[3] <= '9')
        return "bzip2-compressed data, not a disk image: decompress it first (bzip2 -dc)";
    if (at(head, len, 0, "\x28\xb5\x2f\xfd", 4))
        return "zstd-compressed data, not a disk image: decompress it first (zstd -dc)";
    if (at(head, len, 0, "7z\xbc\xaf\x27\x1c", 6))
        return "a 7-Zip archive, not a disk image: extract the image from it first";
    if (at(head, len, 0, "PK\x03\x04", 4))
        return "a ZIP archive, not a disk image: extract the image from it first";
    if (at(head, len, 257, "ustar", 5))
        return "a tar archive, not a disk image: extract the image from it first";
    if (at(head, len, 0, "LVF\x09\x0d\x0a\xff\x00", 8))
        return "an EWF logical evidence file (L01): it holds files, not a disk";
    if (at(head, len, 0, "AFF10\r\n", 7))
        return "an AFF image, which ntx does not read: convert it to raw first (affconvert)";
    if (at(head, len, 64, "\x7f\x10\xda\xbe", 4))
        return "a VirtualBox VDI image, which ntx does not read: convert it first "
               "(qemu-img convert -O raw)";
    return NULL;
}

/* ext2, ext3 or ext4, from the superblock's feature flags. */
static const char *sniff_ext(const uint8_t *buf)
{
    const size_t sb = 1024;
    uint32_t compat = le32_at(buf, sb + 0x5C), incompat = le32_at(buf, sb + 0x60);
    /* extents, 64-bit, flex_bg: ext4; a journal without them: ext3 */
    if (incompat & (0x40u | 0x80u | 0x200u))
        return "an ext4 file system";
    if (compat & 0x4u)
        return "an ext3 file system";
    return "an ext2 file system";
}

static bool all_zero(const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (buf[i] != 0)
            return false;
    return true;
}

const char *host_sniff_volume(const uint8_t *buf, size_t len, bool *bitlocker)
{
    *bitlocker = false;
    const char *other = host_sniff_not_an_image(buf, len);
    if (other != NULL)
        return other;
    if (at(buf, len, 3, "-FVE-FS-", 8)) {
        *bitlocker = true;
        return "BitLocker-encrypted: decrypt it first, e.g. with bdemount (Debian package "
               "libbde-utils) or dislocker, and read the decrypted volume";
    }
    if (at(buf, len, 3, "EXFAT   ", 8))
        return "an exFAT file system";
    if (at(buf, len, 3, "ReFS\0\0\0\0", 8))
        return "a ReFS file system, which ntx does not read";
    if (at(buf, len, 0, "LUKS\xba\xbe", 6))
        return "a LUKS-encrypted volume (open it with cryptsetup open, and read the decrypted "
               "device)";
    if (at(buf, len, 0, "XFSB", 4))
        return "an XFS file system";
    if (at(buf, len, 0, "hsqs", 4))
        return "a SquashFS file system";
    if (at(buf, len, 32, "NXSB", 4))
        return "an APFS container";
    if (at(buf, len, 512, "LABELONE", 8))
        return "an LVM physical volume";
    if (len >= 1024 + 0x64 && at(buf, len, 1024 + 0x38, "\x53\xef", 2))
        return sniff_ext(buf);
    if (at(buf, len, 1024, "H+", 2) || at(buf, len, 1024, "HX", 2))
        return "an HFS+ file system";
    if (at(buf, len, 1024, "\x10\x20\xf5\xf2", 4))
        return "an F2FS file system";
    if (at(buf, len, 4086, "SWAPSPACE2", 10) || at(buf, len, 4086, "SWAP-SPACE", 10))
        return "Linux swap space";
    if (at(buf, len, 0x8001, "CD001", 5))
        return "an ISO 9660 (CD or DVD) file system";
    if (at(buf, len, 0x10040, "_BHRfS_M", 8))
        return "a Btrfs file system";
    if (at(buf, len, 510, "\x55\xaa", 2)) {
        if (at(buf, len, 0x52, "FAT32   ", 8))
            return "a FAT32 file system";
        if (at(buf, len, 0x36, "FAT16   ", 8))
            return "a FAT16 file system";
        if (at(buf, len, 0x36, "FAT12   ", 8))
            return "a FAT12 file system";
        if (at(buf, len, 0x36, "FAT     ", 8))
            return "a FAT file system";
    }
    size_t zlen = len < 65536 ? len : 65536;
    if (zlen >= 512 && all_zero(buf, zlen))
        return zlen == 65536 ? "zeros only in its first 64 KiB (unformatted, wiped, or never "
                               "written)"
                             : "zeros only";
    return NULL;
}
