/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /run/hnv/state.json as hnvd reads it after a restart: hnvd wrote it, but
 * a crash, a full disk or a hand may have left anything there. What is
 * taken must be a valid group, the rest refused as a whole. */
#include <stdlib.h>

#include "fuzz.h"
#include "state-file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(freep) int *excluded = NULL;
        GroupRecord *records = NULL;
        size_t n = 0, n_excluded = 0;

        if (state_file_parse((const char *)data, size, &records, &n, &excluded, &n_excluded) < 0)
                return 0;
        for (size_t i = 0; i < n; i++)
                if (!group_name_is_valid(records[i].spec->name) ||
                    !ifname_is_valid(records[i].spec->bond_name) || records[i].released_ifindex < 0)
                        abort();
        for (size_t i = 0; i < n_excluded; i++)
                if (excluded[i] <= 0)
                        abort();
        group_records_free(records, n);
        return 0;
}
