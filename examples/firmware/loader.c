/*
 * loader.c - the platform-independent half of the firmware-style loader.
 *
 * Everything is static: the volume, its workspace, the handles and the
 * buffer the file is loaded into. Nothing here needs a libc; the platform
 * file provides fw_print() and the block read callback. Compiled with the
 * same freestanding flags as the core.
 */
#include "loader.h"

/* The volume and its workspace: NTX_WORKSPACE_MAX fits any geometry within
 * config.h's limits (ntx_workspace_size() gives what one volume needs). */
static ntx_volume fw_vol;
static _Alignas(4096) uint8_t fw_ws[NTX_WORKSPACE_MAX];
static _Alignas(4096) uint8_t fw_buf[FW_FILE_MAX];
static size_t fw_len;
/* Handles and the output line are static too, so that the stack a load
 * needs is the core's own (the Linux build measures it). */
static ntx_file fw_f;
static ntx_stream fw_s;

void fw_puts(const char *s)
{
    size_t n = 0;
    while (s[n] != '\0')
        n++;
    fw_print(s, n);
}

/* ---- a line of output, assembled in a fixed buffer ---- */

typedef struct fw_line {
    char b[1400];
    size_t n;
} fw_line;

static void line_add(fw_line *l, const char *s, size_t n)
{
    for (size_t i = 0; i < n && l->n < sizeof l->b; i++)
        l->b[l->n++] = s[i];
}

static void line_str(fw_line *l, const char *s)
{
    size_t n = 0;
    while (s[n] != '\0')
        n++;
    line_add(l, s, n);
}

static void line_dec(fw_line *l, uint64_t v, bool negative)
{
    char d[21];
    size_t i = sizeof d;
    do {
        d[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0);
    if (negative)
        line_add(l, "-", 1);
    line_add(l, d + i, sizeof d - i);
}

static void line_hex(fw_line *l, uint64_t v, unsigned digits)
{
    static const char hex[] = "0123456789abcdef";
    for (unsigned i = digits; i > 0; i--) {
        char c = hex[(v >> (4u * (i - 1u))) & 0xFu];
        line_add(l, &c, 1);
    }
}

void fw_put_dec(uint64_t v)
{
    char d[20];
    size_t i = sizeof d;
    do {
        d[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0);
    fw_print(d + i, sizeof d - i);
}

static void line_error(fw_line *l, ntx_err rc)
{
    line_str(l, " error=");
    line_dec(l, (uint64_t)(rc < 0 ? -(int64_t)rc : rc), rc < 0);
    line_str(l, " (");
    line_str(l, ntx_strerror(rc));
    line_str(l, ")\n");
}

/* ---- checksums ---- */

uint32_t fw_crc32(const uint8_t *p, size_t n)
{
    /* A nibble at a time: a 16-entry table keeps it small. */
    static const uint32_t nibble[16] = {
        0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u,
        0x4DB26158u, 0x5005713Cu, 0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu,
        0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu,
    };
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        crc = (crc >> 4) ^ nibble[crc & 0xFu];
        crc = (crc >> 4) ^ nibble[crc & 0xFu];
    }
    return ~crc;
}

/* SHA-256 (FIPS 180-4), so a loaded file can be compared with the fixture
 * manifests, which list SHA-256 digests. */
static const uint32_t sha_k[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u,
    0xab1c5ed5u, 0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu,
    0x9bdc06a7u, 0xc19bf174u, 0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu,
    0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau, 0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u,
    0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u, 0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu,
    0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u, 0xa2bfe8a1u, 0xa81a664bu,
    0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u, 0x19a4c116u,
    0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u,
    0xc67178f2u,
};

static uint32_t sha_ror(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32u - n));
}

static void sha_block(uint32_t h[8], const uint8_t *p)
{
    uint32_t w[64], v[8];
    for (unsigned i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (unsigned i = 16; i < 64; i++) {
        uint32_t s0 = sha_ror(w[i - 15], 7) ^ sha_ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = sha_ror(w[i - 2], 17) ^ sha_ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    for (unsigned i = 0; i < 8; i++)
        v[i] = h[i];
    for (unsigned i = 0; i < 64; i++) {
        uint32_t s1 = sha_ror(v[4], 6) ^ sha_ror(v[4], 11) ^ sha_ror(v[4], 25);
        uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
        uint32_t t1 = v[7] + s1 + ch + sha_k[i] + w[i];
        uint32_t s0 = sha_ror(v[0], 2) ^ sha_ror(v[0], 13) ^ sha_ror(v[0], 22);
        uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
        for (unsigned j = 7; j > 0; j--)
            v[j] = v[j - 1];
        v[4] += t1;
        v[0] = t1 + s0 + maj;
    }
    for (unsigned i = 0; i < 8; i++)
        h[i] += v[i];
}

void fw_sha256(const uint8_t *p, size_t n, uint8_t out[32])
{
    uint32_t h[8] = { 0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                      0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u };
    uint8_t tail[128];
    size_t full = n & ~(size_t)63u, rest = n - full, tn;
    for (size_t i = 0; i < full; i += 64)
        sha_block(h, p + i);
    for (size_t i = 0; i < sizeof tail; i++)
        tail[i] = i < rest ? p[full + i] : 0;
    tail[rest] = 0x80;
    tn = rest < 56 ? 64 : 128;
    uint64_t bits = (uint64_t)n * 8u;
    for (unsigned i = 0; i < 8; i++)
        tail[tn - 1 - i] = (uint8_t)(bits >> (8u * i));
    for (size_t i = 0; i < tn; i += 64)
        sha_block(h, tail + i);
    for (unsigned i = 0; i < 32; i++)
        out[i] = (uint8_t)(h[i / 4] >> (24u - 8u * (i % 4u)));
}

/* ---- mount and load ---- */

ntx_err fw_mount(const ntx_io *io)
{
    ntx_err rc = ntx_volume_mount(&fw_vol, io, fw_ws, sizeof fw_ws);
    if (rc != NTX_OK) {
        static fw_line l;
        l.n = 0;
        line_str(&l, "mount");
        line_error(&l, rc);
        fw_print(l.b, l.n);
    }
    return rc;
}

ntx_err fw_load(const char *path, size_t path_len)
{
    /* "dir/file:stream": the stream name follows the last ':' of the last component. */
    size_t name_end = path_len, slash = 0;
    for (size_t i = 0; i < path_len; i++)
        if (path[i] == '/')
            slash = i;
    for (size_t i = slash; i < path_len; i++)
        if (path[i] == ':')
            name_end = i;
    const char *stream = name_end < path_len ? path + name_end + 1 : NULL;
    size_t stream_len = name_end < path_len ? path_len - name_end - 1 : 0;

    size_t got = 0;
    fw_len = 0;
    ntx_err rc = ntx_file_open_path(&fw_f, &fw_vol, path, name_end);
    if (rc == NTX_OK)
        rc = ntx_stream_open_data(&fw_s, &fw_f, stream, stream_len);
    if (rc == NTX_OK && fw_s.size > FW_FILE_MAX)
        rc = NTX_E_BUFFER;
    if (rc == NTX_OK)
        rc = ntx_stream_read(&fw_s, 0, fw_buf, (size_t)fw_s.size, &got);
    if (rc == NTX_OK && got != fw_s.size)
        rc = NTX_E_RANGE;

    static fw_line l;
    l.n = 0;
    line_add(&l, path, path_len < 1200 ? path_len : 1200);
    if (rc != NTX_OK) {
        line_error(&l, rc);
        fw_print(l.b, l.n);
        return rc;
    }
    fw_len = got;
    uint8_t digest[32];
    fw_sha256(fw_buf, got, digest);
    line_str(&l, " size=");
    line_dec(&l, got, false);
    line_str(&l, " crc32=");
    line_hex(&l, fw_crc32(fw_buf, got), 8);
    line_str(&l, " sha256=");
    for (unsigned i = 0; i < 32; i++)
        line_hex(&l, digest[i], 2);
    line_str(&l, "\n");
    fw_print(l.b, l.n);
    return NTX_OK;
}

const uint8_t *fw_file_data(size_t *len)
{
    *len = fw_len;
    return fw_buf;
}
