/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

typedef struct HwAddr {
        uint8_t bytes[6];
} HwAddr;

#define HW_ADDR_STRLEN sizeof("xx:xx:xx:xx:xx:xx")

static inline bool hw_addr_equal(const HwAddr *a, const HwAddr *b) {
        return memcmp(a->bytes, b->bytes, sizeof(a->bytes)) == 0;
}

static inline bool hw_addr_is_null(const HwAddr *a) {
        static const HwAddr null;
        return hw_addr_equal(a, &null);
}

/* Accepts xx:xx:xx:xx:xx:xx and xx-xx-..., either case. */
int hw_addr_parse(const char *s, HwAddr *ret);
const char *hw_addr_format(const HwAddr *a, char buf[static HW_ADDR_STRLEN]);
