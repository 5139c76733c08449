/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The device tree's property decoders and the console's numbers, in memory:
 * the first byte picks the decoder, the rest is its input. The partition
 * firmware and the console write these; a log line and a bond name are
 * made of what they accept, so each success is checked for its form. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "devicetree.h"
#include "fuzz.h"
#include "hcn-id.h"

static void check_hcn_id(const char id[static HCN_ID_SIZE]) {
        char again[HCN_ID_SIZE];

        if (strlen(id) != HCN_ID_SIZE - 1)
                abort();
        for (size_t i = 0; i < HCN_ID_SIZE - 1; i++)
                if (!isxdigit((unsigned char)id[i]) || isupper((unsigned char)id[i]))
                        abort();
        /* The normal form is a fixed point. */
        if (hcn_id_normalize(id, again) < 0 || strcmp(id, again) != 0)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(freep) char *text = NULL, *devspec = NULL;
        char id[HCN_ID_SIZE];
        uint32_t v;

        if (size < 1 || size > 4096)
                return 0;
        text = fuzz_text(data + 1, size - 1);
        if (!text)
                return 0;

        switch (data[0] % 5) {
        case 0:
                if (dt_prop_u32(data + 1, size - 1, &v) == 0) {
                        if (size - 1 != 4)
                                abort();
                        hcn_id_format(v, id);
                        check_hcn_id(id);
                }
                break;
        case 1:
                /* text has room for the NUL dt_prop_string() writes. */
                if (dt_prop_string(text, size - 1) == 0)
                        for (const char *p = text; *p; p++)
                                if (*p < 0x20 || *p > 0x7e)
                                        abort();
                break;
        case 2:
                if (dt_devspec_parse(text, &devspec) == 0 && (devspec[0] != '/' || strchr(devspec, '\n')))
                        abort();
                break;
        case 3:
                if (hcn_id_normalize(text, id) == 0)
                        check_hcn_id(id);
                break;
        case 4:
                (void)dt_drc_index_parse(text, &v);
                break;
        }
        return 0;
}
