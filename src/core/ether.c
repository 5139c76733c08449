/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>

#include "ether.h"

static int hexval(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

int hw_addr_parse(const char *s, HwAddr *ret) {
        HwAddr a;
        char sep = 0;

        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < 6; i++) {
                /* Check each character before reading the next: the input
                 * may end anywhere. */
                int hi = hexval(s[0]);
                if (hi < 0)
                        return -EINVAL;
                int lo = hexval(s[1]);
                if (lo < 0)
                        return -EINVAL;
                a.bytes[i] = (uint8_t)(hi << 4 | lo);
                s += 2;
                if (i == 5)
                        break;
                if (*s != ':' && *s != '-')
                        return -EINVAL;
                if (sep && *s != sep)
                        return -EINVAL;
                sep = *s++;
        }
        if (*s != '\0')
                return -EINVAL;
        *ret = a;
        return 0;
}

const char *hw_addr_format(const HwAddr *a, char buf[static HW_ADDR_STRLEN]) {
        snprintf(buf, HW_ADDR_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", a->bytes[0], a->bytes[1], a->bytes[2],
                 a->bytes[3], a->bytes[4], a->bytes[5]);
        return buf;
}
