/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "varlink.h"

/* Live migration: take the VF out of its bond without losing a packet, keep
 * it out while the guest moves, and let the destination's VF (or the same
 * one, when the migration was cancelled) back in. See docs/migration.md.
 * Every wait is bounded; the call is answered when it ends. */

typedef struct Manager Manager;
typedef struct Group Group;

#define MIGRATION_WAIT_DEFAULT_USEC (30 * 1000 * 1000ULL)

/* Answers QueryMigration. group NULL with all: every group with a backup. */
int migration_query(Manager *m, const char *group, bool all, json_object **ret, char **ret_error);
/* Handle PrepareMigration / CompleteMigration; they reply on the call
 * themselves, now or when their wait ends. */
int migration_prepare(Manager *m, VarlinkCall *call, const char *group, bool all, uint64_t timeout_usec);
int migration_complete(Manager *m, VarlinkCall *call, const char *group, bool all, uint64_t timeout_usec);

/* Called by the manager before it plans a group: a VF of the group other
 * than the one released ends the migration (the destination's VF). */
void migration_check_new_vf(Group *g);
/* Once the VF is active and the switch has settled (after a migration, or
 * when the backup came first): a backup left with the bond's MAC gets its
 * own back (see backup_take_bond_mac()). */
void migration_restore_backup_mac(Group *g);
/* After each reconcile pass: answers the complete-migration calls whose
 * groups are all back on a VF. */
void migration_check_waits(Manager *m);
/* (Re)arms the timer that ends a migration nobody completed. */
void migration_arm_timer(Group *g);
/* Leaves the migrating state (logged with why) and lets the policy act. */
void migration_end(Group *g, const char *why);
void migration_free_waits(Manager *m);

struct BondOptions;
/* How long the bond takes to send all its peer notifications after a switch. */
uint64_t peer_notif_usec(const struct BondOptions *o);
