/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The manager's state, shared by the files that make up the daemon library
 * (manager.c: events and reconcile; migration.c: the migration commands).
 * Nothing outside src/daemon includes this. */

#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "backend.h"
#include "config.h"
#include "device.h"
#include "devicetree.h"
#include "group.h"
#include "manager.h"
#include "platform.h"
#include "varlink.h"

typedef struct MigrationWait MigrationWait;
typedef struct HcnWait HcnWait;

typedef struct Group {
        Manager *manager;
        GroupSpec *spec;
        GroupState state;
        const char *reason;
        uint64_t state_since;
        unsigned failovers, reenslaves, state_changes;
        bool migrating;
        uint64_t migrating_since; /* CLOCK_MONOTONIC usec */
        /* The VF taken out by prepare-migration: kept out while migrating.
         * Any other VF of the group is the destination's and ends it. */
        int released_ifindex;
        /* Between making the backup active and releasing the VF: the policy
         * keeps its hands off the group. */
        bool preparing;
        sd_event_source *migration_timer;
        /* While the traffic moves back from the backup to a VF: frames in
         * flight down the backup's path still arrive there, and the bond
         * delivers them (all_slaves_active) until its peer notifications
         * have taught the switch the new path. */
        sd_event_source *settle_timer;
        /* Dissolved by hnvctl remove: kept as a tombstone so that pairing
         * does not build it again from the same devices. */
        bool disabled;
        bool dirty;
        bool ever_healthy;
        unsigned failures;
        sd_event_source *retry;
        /* The last action that failed, so the same failure is logged once
         * and not on every event until it clears. */
        int last_fail_type, last_fail_ifindex, last_fail_errno;
} Group;

typedef struct Link {
        Device *device;
        Group *group; /* pairing's answer, cached; NULL: not ours */
        PortRole role;
        bool conflict_logged;
        bool excluded; /* hnvctl remove-port: kept out of every group */
} Link;

struct Manager {
        sd_event *event;
        Platform *platform;
        Backend *backend;
        sd_bus *nm_watch; /* backend=auto without NetworkManager: waits for it */
        bool reexec_requested;
        sd_event_source *direct_flush; /* direct mode, caller gone: waits for the backend */
        uint64_t direct_flush_deadline;
        VarlinkServer *varlink;
        sd_event_source *reconcile;

        Config *config;
        Link **links;
        size_t n_links;
        Group **groups;
        size_t n_groups;

        char *config_file;
        char *config_dropin;
        char *rundir;
        char *state_path;
        bool udev_running;
        bool started;
        bool direct; /* ManagerOptions.direct */
        int direct_fd;
        /* ifindexes kept out by remove-port before a restart, applied as the
         * links are rediscovered. */
        int *excluded;
        size_t n_excluded;
        /* complete-migration calls waiting for their groups to be healthy. */
        MigrationWait *waits;

        /* PowerVM: the HNV nodes of the device tree at the last scan; NULL
         * when device-tree=no or there is no tree (not PowerVM). */
        DtTable *dt;
        /* The device-tree problems the last scan reported, as logged, so
         * that each is logged once and not on every rescan. */
        char **dt_problems;
        int dt_scan_error; /* the last scan's failure, logged once */
        /* hcn commands waiting for devices to join their bonds (hcn.h). */
        HcnWait *hcn_waits;
};

uint64_t now_usec(void);
Link *find_link(Manager *m, int ifindex);
Link *find_link_by_name(Manager *m, const char *name);
/* The link whose device/devspec names this device-tree node. */
Link *find_link_by_devspec(Manager *m, const char *devspec);
/* Reads the device tree again (when device-tree=yes): new hcn-ids become
 * groups, groups whose hcn-id is gone and that have no port left are
 * dropped, unpaired links are paired again, and the device-tree groups are
 * reconciled. Links already paired stay where they are. Returns 0, -ENOENT
 * when there is no tree or device-tree=no, or another -errno (logged; the
 * previous table is kept). */
int manager_devicetree_rescan(Manager *m);
Group *find_group(Manager *m, const char *name);
Group *find_group_by_bond(Manager *m, const char *bond);
/* Whether any link is paired into g. */
bool group_has_port(Group *g);
Link *group_bond(Group *g);
Link *group_port(Group *g, PortRole role);
void group_mark_dirty(Group *g);
/* Undoes a remove-port: the link may be paired again. */
void link_readmit(Manager *m, Link *l);
/* Undoes a dissolve (manager_remove_group()): pairing may build it again. */
void group_enable(Group *g);
void group_set_state(Group *g, GroupState state, const char *reason);
void refresh_link(Manager *m, int ifindex);
const char *ifname_of(Manager *m, int ifindex);
void save_state(Manager *m);
int set_error(char **ret_error, int k, const char *fmt, ...) _printf_(3, 4);
