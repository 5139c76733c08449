/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "manager.h"

/* Live migration: take the VF out of its bond without losing a packet, keep
 * it out while the guest moves, and let the destination's VF (or the same
 * one, when the migration was cancelled) back in. See docs/migration.md.
 * Every wait is bounded; the caller is answered when it ends. */

#define MIGRATION_WAIT_DEFAULT_USEC (30 * 1000 * 1000ULL)

/* QueryMigration. group NULL with all: every group with a backup. */
int migration_query(Manager *m, const char *group, bool all, json_object **ret, char **ret_error);
/* PrepareMigration / CompleteMigration: answered through reply, now or when
 * the groups are released (back on a VF), or the wait runs out. */
int migration_prepare(Manager *m, const char *group, bool all, uint64_t timeout_usec,
                      const ManagerReply *reply);
int migration_complete(Manager *m, const char *group, bool all, uint64_t timeout_usec,
                       const ManagerReply *reply);
