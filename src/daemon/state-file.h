/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "group.h"

/* What hnvd must remember across its own restarts (SIGKILL included) but
 * not across reboots, kept in /run/hnv/state.json: the groups that exist
 * only at runtime (hnvctl add, udev properties, automatic pairing), the
 * groups an admin dissolved, and migrations under way. Written atomically
 * (temporary file, fsync, rename) after every change. */
typedef struct GroupRecord {
        GroupSpec *spec;
        bool migrating;
        bool disabled;
        /* CLOCK_MONOTONIC usec when the migration began, 0 if none. */
        uint64_t migrating_since;
        /* The VF prepare-migration released; 0 if none. */
        int released_ifindex;
} GroupRecord;

void group_records_free(GroupRecord *records, size_t n);

/* excluded: ifindexes an admin took out with hnvctl remove-port. */
int state_file_write(const char *path, const GroupRecord *records, size_t n, const int *excluded,
                     size_t n_excluded);
/* A missing file is no error: *ret_n is 0. A corrupt one is -EBADMSG,
 * and so is one larger than STATE_FILE_MAX or a member of the wrong type. */
#define STATE_FILE_MAX (4U * 1024U * 1024U)
int state_file_read(const char *path, GroupRecord **ret, size_t *ret_n, int **ret_excluded,
                    size_t *ret_n_excluded);
/* The same from memory (the fuzz target's entry). */
int state_file_parse(const char *text, size_t size, GroupRecord **ret, size_t *ret_n, int **ret_excluded,
                     size_t *ret_n_excluded);
