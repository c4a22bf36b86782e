/*
 * sddl.c - security descriptors as text: SIDs ("S-1-5-32-544") and the
 * Security Descriptor Definition Language (MS-DTYP 2.5.1) for owner, group,
 * DACL and SACL. The descriptor is parsed by the core (ntx_sd_parse(),
 * ntx_sd_ace()); this file only names what it returns.
 */
#include <string.h>

#include "cli.h"

void fmt_sid(sbuf *b, const ntx_sid *sid)
{
    sb_printf(b, "S-%u-", sid->revision);
    if (sid->authority < (1ull << 32))
        sb_printf(b, "%llu", (unsigned long long)sid->authority);
    else
        sb_printf(b, "0x%012llX", (unsigned long long)sid->authority);
    for (unsigned i = 0; i < sid->sub_count && i < NTX_SID_MAX_SUB; i++)
        sb_printf(b, "-%u", sid->sub[i]);
}

static const struct {
    const char *alias;
    const char *sid;
} sid_aliases[] = {
    { "WD", "S-1-1-0" },       { "CO", "S-1-3-0" },       { "CG", "S-1-3-1" },
    { "OW", "S-1-3-4" },       { "NU", "S-1-5-2" },       { "IU", "S-1-5-4" },
    { "SU", "S-1-5-6" },       { "AN", "S-1-5-7" },       { "ED", "S-1-5-9" },
    { "PS", "S-1-5-10" },      { "AU", "S-1-5-11" },      { "RC", "S-1-5-12" },
    { "SY", "S-1-5-18" },      { "LS", "S-1-5-19" },      { "NS", "S-1-5-20" },
    { "BA", "S-1-5-32-544" },  { "BU", "S-1-5-32-545" },  { "BG", "S-1-5-32-546" },
    { "PU", "S-1-5-32-547" },  { "AO", "S-1-5-32-548" },  { "SO", "S-1-5-32-549" },
    { "PO", "S-1-5-32-550" },  { "BO", "S-1-5-32-551" },  { "RE", "S-1-5-32-552" },
    { "RU", "S-1-5-32-554" },  { "RD", "S-1-5-32-555" },  { "NO", "S-1-5-32-556" },
    { "LW", "S-1-16-4096" },   { "ME", "S-1-16-8192" },   { "HI", "S-1-16-12288" },
    { "SI", "S-1-16-16384" },
};

/* The SDDL alias of a well-known SID, or the SID string. */
static void sddl_sid(sbuf *b, const ntx_sid *sid)
{
    sbuf t;
    sb_init(&t);
    fmt_sid(&t, sid);
    for (size_t i = 0; i < sizeof sid_aliases / sizeof sid_aliases[0]; i++) {
        if (strcmp(sid_aliases[i].sid, sb_str(&t)) == 0) {
            sb_puts(b, sid_aliases[i].alias);
            sb_free(&t);
            return;
        }
    }
    sb_put(b, t.p, t.len);
    sb_free(&t);
}

const char *sid_alias(const ntx_sid *sid, sbuf *tmp)
{
    sb_clear(tmp);
    fmt_sid(tmp, sid);
    for (size_t i = 0; i < sizeof sid_aliases / sizeof sid_aliases[0]; i++)
        if (strcmp(sid_aliases[i].sid, sb_str(tmp)) == 0)
            return sid_aliases[i].alias;
    return NULL;
}

static void sddl_rights(sbuf *b, uint32_t m)
{
    static const struct {
        uint32_t mask;
        const char *s;
    } whole[] = {
        { 0x001F01FF, "FA" }, { 0x00120089, "FR" }, { 0x00120116, "FW" }, { 0x001200A0, "FX" },
        { 0x000F003F, "KA" }, { 0x10000000, "GA" }, { 0x80000000, "GR" }, { 0x40000000, "GW" },
        { 0x20000000, "GX" },
    };
    for (size_t i = 0; i < sizeof whole / sizeof whole[0]; i++) {
        if (whole[i].mask == m) {
            sb_puts(b, whole[i].s);
            return;
        }
    }
    sb_printf(b, "0x%x", m);
}

static void sddl_ace_flags(sbuf *b, uint8_t f)
{
    static const struct {
        uint8_t bit;
        const char *s;
    } fl[] = { { 0x01, "OI" }, { 0x02, "CI" }, { 0x04, "NP" }, { 0x08, "IO" },
               { 0x10, "ID" }, { 0x40, "SA" }, { 0x80, "FA" } };
    for (size_t i = 0; i < sizeof fl / sizeof fl[0]; i++)
        if (f & fl[i].bit)
            sb_puts(b, fl[i].s);
    if (f & 0x20)
        sb_puts(b, "0x20");
}

static const char *ace_type_sddl(uint8_t t)
{
    switch (t) {
    case 0: return "A";
    case 1: return "D";
    case 2: return "AU";
    case 3: return "AL";
    case 5: return "OA";
    case 6: return "OD";
    case 7: return "OU";
    case 8: return "OL";
    case 9: return "XA";
    case 10: return "XD";
    case 13: return "XU";
    case 17: return "ML";
    case 18: return "RA";
    case 19: return "SP";
    default: return NULL;
    }
}

/* One ACL: "D:flags(ace)(ace)". Returns false if an ACE is malformed. */
static bool sddl_acl(sbuf *b, const void *sd, size_t len, char which, uint16_t control,
                     uint32_t off, uint16_t count)
{
    sb_putc(b, which);
    sb_putc(b, ':');
    uint16_t protected_bit = which == 'D' ? 0x1000 : 0x2000;
    uint16_t auto_bit = which == 'D' ? 0x0400 : 0x0800;
    uint16_t req_bit = which == 'D' ? 0x0100 : 0x0200;
    if (control & protected_bit)
        sb_putc(b, 'P');
    if (control & req_bit)
        sb_puts(b, "AR");
    if (control & auto_bit)
        sb_puts(b, "AI");
    if (off == 0) {
        sb_puts(b, "NO_ACCESS_CONTROL");
        return true;
    }
    for (unsigned i = 0; i < count; i++) {
        ntx_ace ace;
        ntx_err rc = ntx_sd_ace(sd, len, off, i, &ace);
        if (rc == NTX_END)
            break;
        if (rc != NTX_OK) {
            sb_puts(b, "(?)");
            return false;
        }
        const char *t = ace_type_sddl(ace.type);
        sb_putc(b, '(');
        if (t)
            sb_puts(b, t);
        else
            sb_printf(b, "0x%x", ace.type);
        sb_putc(b, ';');
        sddl_ace_flags(b, ace.flags);
        sb_putc(b, ';');
        sddl_rights(b, ace.mask);
        sb_puts(b, ";;;");
        if (ace.has_sid)
            sddl_sid(b, &ace.sid);
        sb_putc(b, ')');
    }
    return true;
}

bool fmt_sddl(sbuf *b, const void *sd, size_t len, const ntx_sd_info *si)
{
    bool ok = true;
    if (si->has_owner) {
        sb_puts(b, "O:");
        sddl_sid(b, &si->owner);
    }
    if (si->has_group) {
        sb_puts(b, "G:");
        sddl_sid(b, &si->group);
    }
    if (si->control & 0x0004) /* SE_DACL_PRESENT */
        ok &= sddl_acl(b, sd, len, 'D', si->control, si->dacl_off, si->dacl_count);
    if (si->control & 0x0010) /* SE_SACL_PRESENT */
        ok &= sddl_acl(b, sd, len, 'S', si->control, si->sacl_off, si->sacl_count);
    return ok;
}
