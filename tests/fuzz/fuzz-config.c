/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The hnv.conf parser and its validation: the file root writes, but also
 * drop-ins packages and configuration tools write. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_(freep) char *text = NULL, *error = NULL;

        /* config_validate() compares every group with every other; a
         * configuration file is never this large, and quadratic time on a
         * huge input is not a finding. */
        if (size > 64 * 1024)
                return 0;

        text = fuzz_text(data, size);
        if (!text)
                return 0;

        c = config_new();
        if (!c)
                return 0;
        if (config_parse_text(c, "fuzz", text, &error) >= 0) {
                error = mfree(error);
                (void)config_validate(c, &error);
        }
        return 0;
}
