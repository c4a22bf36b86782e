/*
 * fuzz_values.c - the typed value parsers of forensic.h: $FILE_NAME,
 * $STANDARD_INFORMATION, $OBJECT_ID, $EA entries, security descriptors and
 * their ACEs, $EFS.
 *
 * Input: [0] which (modulo 6: file name, standard information, object id,
 * EA, security descriptor, EFS), then the value (at most 64 KiB), copied to
 * a heap block of exactly its size. Contracts: the documented result codes,
 * EA entries that advance and lie inside the value, ACL offsets inside the
 * descriptor, key lists inside the $EFS value (fz_parse_value).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t types[6] = { NTX_AT_FILE_NAME, NTX_AT_STANDARD_INFORMATION,
                                       NTX_AT_OBJECT_ID, NTX_AT_EA, NTX_AT_SECURITY_DESCRIPTOR,
                                       NTX_AT_LOGGED_UTILITY_STREAM };
    static const uint16_t efs[4] = { '$', 'E', 'F', 'S' };
    if (size < 1 || size > 1 + 65536)
        return 0;
    size_t len = size - 1;
    uint8_t *v = malloc(len ? len : 1);
    memcpy(v, data + 1, len);
    uint32_t type = types[data[0] % 6];
    fz_parse_value(type, efs, type == NTX_AT_LOGGED_UTILITY_STREAM ? 4 : 0, v, len);
    free(v);
    return 0;
}
