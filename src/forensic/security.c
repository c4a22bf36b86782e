/*
 * security.c - security descriptors: $Secure (MFT record 9) keeps each
 * distinct descriptor once in its $SDS stream, found by security id through
 * the $SII view index (NTFS 3.x; ntfs-3g layout.h SII_INDEX_KEY,
 * SECURITY_DESCRIPTOR_HEADER; libfsntfs "Security descriptors"). Files name
 * theirs by the security id in $STANDARD_INFORMATION.
 *
 * $SII entry: key = security id (u32); data = 0x00 hash (u32)  0x04
 *   security id (u32)  0x08 offset in $SDS (u64)  0x10 length (u32,
 *   including this 20-byte header, which $SDS repeats before the descriptor).
 * Self-relative SECURITY_DESCRIPTOR (MS-DTYP 2.4.6): 0x00 revision  0x02
 *   control (u16)  0x04 owner, 0x08 group, 0x0C SACL, 0x10 DACL offsets (u32).
 * SID (MS-DTYP 2.4.2.2): revision, sub-authority count (<= 15), 48-bit
 *   big-endian authority, then the sub-authorities (u32 LE).
 * ACL (2.4.5): revision, size (u16 at 2), ACE count (u16 at 4), ACEs from 8.
 * ACE (2.4.4): type, flags, size (u16), access mask (u32), then the SID;
 *   object ACEs put a flags word and up to two GUIDs before the SID.
 */
#include "../base/diag.h"
#include "../tree/index.h"
#include "../base/mem.h"
#include "../value/stream.h"
#include "ntx/forensic.h"

enum {
    SII_KEY_SIZE = 4,
    SDH_HEADER = 20,
    SDH_ID = 4,
    SDH_OFFSET = 8,
    SDH_LENGTH = 16,
    SD_CONTROL = 2,
    SD_OWNER = 4,
    SD_GROUP = 8,
    SD_SACL = 12,
    SD_DACL = 16,
    SD_HEADER = 20,
    ACL_SIZE = 2,
    ACL_COUNT = 4,
    ACL_HEADER = 8,
    ACE_SIZE = 2,
    ACE_MASK = 4,
    ACE_HEADER = 8,
};

#define COLLATION_NTOFS_ULONG 0x10u
#define SE_SACL_PRESENT 0x0010u
#define SE_DACL_PRESENT 0x0004u

static const uint16_t secure_sii[4] = { '$', 'S', 'I', 'I' };
static const uint16_t secure_sds[4] = { '$', 'S', 'D', 'S' };

/* Find security id in $SII: NTX_OK with the $SDS offset and length. */
static ntx_err secure_find(ntx_volume *vol, uint32_t id, uint64_t *sds_off, uint32_t *sds_len)
{
    ntx_index_where w;
    ntx_err rc = ntx_index_locate(vol, NTX_MFT_SECURE, secure_sii, 4, 0, COLLATION_NTOFS_ULONG, 0,
                                  &vol->tmp_stream, &w);
    if (rc != NTX_OK)
        return rc;
    uint64_t *path = vol->lookup_path;
    unsigned depth = 0;
    uint64_t vcn = NTX_INDEX_ROOT_VCN;
    /* bound: depth grows by one per node, capped at NTX_MAX_INDEX_DEPTH */
    for (;;) {
        ntx_index_node node;
        ntx_index_entry e;
        rc = ntx_index_load(vol, &w, vcn, &node);
        if (rc != NTX_OK)
            return rc;
        /* bound: each entry is at least 0x10 bytes and stays inside the node */
        for (uint32_t off = node.start;; off += e.length) {
            rc = ntx_index_entry_at(vol, &node, off, NTX_MFT_SECURE, &e);
            if (rc != NTX_OK)
                return rc;
            if (e.flags & NTX_IE_END)
                break;
            if (e.key_len < SII_KEY_SIZE || e.data_len < SDH_HEADER)
                return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_INDEX_ENTRY, NTX_MFT_SECURE, off);
            uint32_t key = ntx_le32(e.key);
            if (key == id) {
                *sds_off = ntx_le64(e.data + SDH_OFFSET);
                *sds_len = ntx_le32(e.data + SDH_LENGTH);
                return NTX_OK;
            }
            if (id < key)
                break;
        }
        if ((e.flags & NTX_IE_NODE) == 0)
            return NTX_E_NOT_FOUND;
        if (depth + 1u >= NTX_MAX_INDEX_DEPTH)
            return ntx_fail(vol, NTX_E_LIMIT, NTX_CHK_INDEX_DEPTH, NTX_MFT_SECURE, e.child_vcn);
        path[depth++] = vcn;
        for (unsigned i = 0; i < depth; i++)
            if (path[i] == e.child_vcn)
                return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_INDEX_CYCLE, NTX_MFT_SECURE, e.child_vcn);
        vcn = e.child_vcn;
    }
}

ntx_err ntx_secure_lookup(ntx_volume *vol, uint32_t security_id, void *buf, size_t cap,
                          size_t *len)
{
    uint64_t off = 0;
    uint32_t length = 0;
    uint8_t hdr[SDH_HEADER];
    if (vol == NULL || buf == NULL || len == NULL)
        return NTX_E_ARG;
    if (!ntx_volume_handle_live(vol, vol->gen))
        return NTX_E_STALE;
    ntx_err rc = secure_find(vol, security_id, &off, &length);
    if (rc != NTX_OK)
        return rc;
    if (length < SDH_HEADER + SD_HEADER)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_INDEX_ENTRY, NTX_MFT_SECURE, security_id);
    rc = ntx_stream_init(vol, NTX_MFT_SECURE, NTX_AT_DATA, secure_sds, 4, 0, &vol->tmp_stream);
    if (rc == NTX_OK)
        rc = ntx_stream_read_exact(&vol->tmp_stream, off, hdr, sizeof hdr);
    if (rc != NTX_OK)
        return rc;
    /* $SDS repeats the index's header: it must name the same descriptor. */
    if (ntx_le32(hdr + SDH_ID) != security_id || ntx_le64(hdr + SDH_OFFSET) != off ||
        ntx_le32(hdr + SDH_LENGTH) != length)
        return ntx_fail(vol, NTX_E_CORRUPT, NTX_CHK_INDEX_ENTRY, NTX_MFT_SECURE, off);
    size_t sd_len = length - SDH_HEADER;
    if (sd_len > cap)
        return NTX_E_BUFFER;
    rc = ntx_stream_read_exact(&vol->tmp_stream, off + SDH_HEADER, buf, sd_len);
    if (rc == NTX_OK)
        *len = sd_len;
    return rc;
}

/* Parse the SID at off of sd (len bytes); *size is the bytes it takes. */
static bool security_sid(const uint8_t *sd, size_t len, size_t off, ntx_sid *sid, size_t *size)
{
    if (off > len || len - off < 8)
        return false;
    const uint8_t *p = sd + off;
    unsigned count = p[1];
    if (count > NTX_SID_MAX_SUB || len - off < 8u + 4u * count)
        return false;
    sid->revision = p[0];
    sid->sub_count = (uint8_t)count;
    sid->authority = 0;
    for (unsigned i = 2; i < 8; i++) /* big-endian, 48 bits */
        sid->authority = sid->authority << 8 | p[i];
    for (unsigned i = 0; i < count; i++)
        sid->sub[i] = ntx_le32(p + 8 + 4 * i);
    *size = 8u + 4u * count;
    return true;
}

/* The ACL at off: NTX_OK with its ACE count, checked against the descriptor. */
static bool security_acl(const uint8_t *sd, size_t len, uint32_t off, uint16_t *count)
{
    if (off < SD_HEADER || off > len || len - off < ACL_HEADER)
        return false;
    uint32_t size = ntx_le16(sd + off + ACL_SIZE);
    if (size < ACL_HEADER || size > len - off)
        return false;
    *count = ntx_le16(sd + off + ACL_COUNT);
    return true;
}

ntx_err ntx_sd_parse(const void *sd, size_t len, ntx_sd_info *out)
{
    const uint8_t *p = sd;
    size_t size;
    if (sd == NULL || out == NULL)
        return NTX_E_ARG;
    if (len < SD_HEADER)
        return NTX_E_CORRUPT;
    ntx_mem_zero(out, sizeof *out);
    out->control = ntx_le16(p + SD_CONTROL);
    uint32_t owner = ntx_le32(p + SD_OWNER), group = ntx_le32(p + SD_GROUP);
    uint32_t sacl = ntx_le32(p + SD_SACL), dacl = ntx_le32(p + SD_DACL);
    if (owner != 0) {
        if (!security_sid(p, len, owner, &out->owner, &size))
            return NTX_E_CORRUPT;
        out->has_owner = true;
    }
    if (group != 0) {
        if (!security_sid(p, len, group, &out->group, &size))
            return NTX_E_CORRUPT;
        out->has_group = true;
    }
    /* A present flag with offset 0 is a NULL ACL (everyone allowed): no offset. */
    if ((out->control & SE_DACL_PRESENT) && dacl != 0) {
        if (!security_acl(p, len, dacl, &out->dacl_count))
            return NTX_E_CORRUPT;
        out->dacl_off = dacl;
    }
    if ((out->control & SE_SACL_PRESENT) && sacl != 0) {
        if (!security_acl(p, len, sacl, &out->sacl_count))
            return NTX_E_CORRUPT;
        out->sacl_off = sacl;
    }
    return NTX_OK;
}

/* Object ACE types carry a flags word and optional GUIDs before the SID. */
static bool security_object_ace(uint8_t type)
{
    return (type >= 0x05 && type <= 0x08) || type == 0x0B || type == 0x0C || type == 0x0F ||
           type == 0x10;
}

ntx_err ntx_sd_ace(const void *sd, size_t len, uint32_t acl_off, unsigned index, ntx_ace *ace)
{
    const uint8_t *p = sd;
    uint16_t count;
    if (sd == NULL || ace == NULL)
        return NTX_E_ARG;
    if (!security_acl(p, len, acl_off, &count))
        return NTX_E_CORRUPT;
    if (index >= count)
        return NTX_END;
    size_t acl_end = acl_off + (size_t)ntx_le16(p + acl_off + ACL_SIZE);
    size_t pos = acl_off + ACL_HEADER;
    /* bound: index < count <= 65535, and pos grows by an ACE size >= 8 */
    for (unsigned i = 0;; i++) {
        if (acl_end - pos < ACE_HEADER)
            return NTX_E_CORRUPT;
        size_t size = ntx_le16(p + pos + ACE_SIZE);
        if (size < ACE_HEADER || size > acl_end - pos)
            return NTX_E_CORRUPT;
        if (i == index) {
            const uint8_t *a = p + pos;
            ntx_mem_zero(ace, sizeof *ace);
            ace->type = a[0];
            ace->flags = a[1];
            ace->mask = ntx_le32(a + ACE_MASK);
            size_t sid_at = ACE_HEADER, sid_size;
            if (security_object_ace(ace->type)) {
                if (size < ACE_HEADER + 4u)
                    return NTX_E_CORRUPT;
                uint32_t oflags = ntx_le32(a + ACE_HEADER);
                sid_at += 4u + ((oflags & 1u) ? 16u : 0u) + ((oflags & 2u) ? 16u : 0u);
            }
            ace->has_sid = sid_at < size && security_sid(a, size, sid_at, &ace->sid, &sid_size);
            return NTX_OK;
        }
        pos += size;
    }
}
