/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hcn-id.h"

/* A 32-bit number in hex as the console writes one: "0x" optional, either
 * case, leading zeros allowed. -EINVAL for anything else, -ERANGE above 32
 * bits. */
static int hex32_parse(const char *s, uint32_t *ret) {
        unsigned long long v;

        if (!s)
                return -EINVAL;
        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
                s += 2;
        /* strtoull() alone would take blanks, a sign and an empty string. */
        if (!*s || strspn(s, "0123456789abcdefABCDEF") != strlen(s))
                return -EINVAL;
        errno = 0;
        v = strtoull(s, NULL, 16);
        if (errno == ERANGE || v > UINT32_MAX)
                return -ERANGE;
        *ret = (uint32_t)v;
        return 0;
}

void hcn_id_format(uint32_t id, char ret[static HCN_ID_SIZE]) {
        (void)snprintf(ret, HCN_ID_SIZE, "%08" PRIx32, id);
}

int hcn_id_normalize(const char *s, char ret[static HCN_ID_SIZE]) {
        uint32_t v;
        int k = hex32_parse(s, &v);

        if (k < 0)
                return k;
        hcn_id_format(v, ret);
        return 0;
}

int dt_drc_index_parse(const char *s, uint32_t *ret) {
        const char *digits = s && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? s + 2 : s;

        /* At most the 8 digits ibm,my-drc-index has. */
        if (digits && strlen(digits) > 8)
                return -EINVAL;
        return hex32_parse(s, ret) < 0 ? -EINVAL : 0;
}
