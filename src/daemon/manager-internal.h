/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The manager's state and the functions its files share. Nothing outside
 * src/daemon includes this. The files, as networkd splits its manager:
 *   manager.c    lifecycle, configuration, backend choice, event intake
 *   links.c      the link table: what the kernel and udev say, nothing more
 *   groups.c     the group table, states and phases
 *   admit.c      what becomes of a device: its device-tree node, pairing
 *   dt-scan.c    the PowerVM device tree's groups
 *   reconcile.c  snapshot, plan (policy.c), the one executor of actions
 *   state.c      /run/hnv/state.json: marked dirty, written once
 *   status.c     status and report JSON
 *   admin.c      hnvctl's operations
 *   wait.c       calls answered later, when a reconcile pass satisfies them
 *   migration.c, hcn.c  the console's intents */

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
#include "policy.h"
#include "util.h"

typedef struct Wait Wait;

typedef struct Group {
        Manager *manager;
        GroupSpec *spec;
        GroupState state;
        const char *reason;
        uint64_t state_since;
        unsigned failovers, reenslaves, state_changes;
        /* A planned release (policy.h): the console's intent moves a group
         * into PREPARING and out of MIGRATING, the policy does the rest. */
        GroupPhase phase;
        uint64_t migrating_since; /* CLOCK_MONOTONIC usec */
        /* The VF taken out by prepare-migration: kept out while migrating.
         * Any other VF of the group is the destination's and ends it. */
        int released_ifindex;
        sd_event_source *migration_timer;
        /* PREPARING: the bond's peer notifications after the switch to the
         * backup are going out (timer armed), or have gone out. */
        sd_event_source *notify_timer;
        bool notified;
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
        /* hnvctl remove-port: kept out of every group. Until its release
         * is done it stays in its group, for the plan to release it. */
        bool excluded;
        /* The resync whose dump last reported this link. */
        unsigned dump_generation;
} Link;

struct Manager {
        sd_event *event;
        Platform *platform;
        Backend *backend;
        sd_bus *nm_watch; /* backend=auto without NetworkManager: waits for it */
        bool reexec_requested;
        sd_event_source *direct_flush; /* direct mode, caller gone: waits for the backend */
        uint64_t direct_flush_deadline;
        struct VarlinkServer *varlink;
        sd_event_source *reconcile;
        sd_event_source *save;
        bool state_dirty;

        Config *config;
        Link **links;
        size_t n_links;
        unsigned dump_generation; /* resyncs so far */
        Group **groups;
        size_t n_groups;

        char *config_file;
        char *config_dropin;
        char *rundir;
        char *state_path;
        bool udev_running;
        /* The udev property keys each device keeps: those pairing reads
         * (pairing_udev_keys_add). NULL: all, after a failed update. */
        char **udev_keys;
        bool refreshing_udev; /* links_update_udev_keys() is asking udev again */
        bool started;
        void (*ready)(void *userdata); /* ManagerOptions.ready, until called */
        void *ready_userdata;
        bool direct; /* ManagerOptions.direct */
        int direct_fd;
        /* ifindexes kept out by remove-port before a restart, applied as the
         * links are rediscovered. */
        int *excluded;
        size_t n_excluded;
        /* Calls answered when a reconcile pass satisfies them (wait.c). */
        Wait *waits;

        /* PowerVM: the HNV nodes of the device tree at the last scan; NULL
         * when device-tree=no or there is no tree (not PowerVM). */
        DtTable *dt;
        /* The device-tree problems the last scan reported, as logged, so
         * that each is logged once and not on every rescan. */
        char **dt_problems;
        int dt_scan_error; /* the last scan's failure, logged once */
};

/* links.c */
Link *find_link(Manager *m, int ifindex);
Link *find_link_by_name(Manager *m, const char *name);
/* The link whose device/devspec names this device-tree node. */
Link *find_link_by_devspec(Manager *m, const char *devspec);
const char *ifname_of(Manager *m, int ifindex);
/* Records what the kernel says about a link; *ret_new when it is one we
 * did not know. Decides nothing. */
Link *link_record(Manager *m, const LinkInfo *li, bool *ret_new);
/* The link is gone: its group looks again. */
void link_forget(Manager *m, int ifindex);
Device **device_array(Manager *m);
void links_free(Manager *m);
/* The groups changed: the udev property keys pairing reads are worked out
 * again, and a key none read before has udev asked again for every
 * device's properties, as each kept only the keys read then. Before the
 * groups are assigned again. */
void links_update_udev_keys(Manager *m);

/* groups.c */
Group *find_group(Manager *m, const char *name);
Group *find_group_by_bond(Manager *m, const char *bond);
/* Takes spec, also on error. */
int group_add(Manager *m, GroupSpec *spec, Group **ret);
void group_drop(Manager *m, Group *g);
/* A group learned from its devices (udev properties, automatic pairing)
 * lives as long as one of them does: otherwise every device that ever
 * came would stay in memory and in the state file. Returns true when g
 * was freed. Only the reconcile pass calls it, where no one else holds g
 * (a link can vanish in the middle of an action on its group). */
bool group_forget_if_gone(Manager *m, Group *g);
Group *group_free(Group *g);
bool group_has_port(Group *g);
Link *group_bond(Group *g);
/* The port that stands for a role when a group has more than one. */
Link *group_port(Group *g, PortRole role);
bool link_in_bond_of(Link *l, Group *g);
void group_mark_dirty(Group *g);
void group_set_state(Group *g, GroupState state, const char *reason);
static inline bool group_migrating(const Group *g) {
        return g->phase != GROUP_PHASE_NORMAL;
}
/* Moves the group to another phase, logged with why: the intents
 * (prepare, complete, timeout) and the policy's steps go through here. */
void group_set_phase(Group *g, GroupPhase phase, const char *why);
/* (Re)arms the timer that ends a migration nobody completed. */
void group_arm_migration_timer(Group *g);
/* Undoes a dissolve (manager_remove_group()): pairing may build it again. */
void group_enable(Group *g);

/* admit.c */
/* A link the kernel reported for the first time. */
void link_discovered(Manager *m, Link *l);
/* Pairs the link anew: which group and role, perhaps a new group. */
void link_assign(Manager *m, Link *l);
void assign_all(Manager *m);
void run_auto_pairing(Manager *m);
/* Undoes a remove-port: the link may be paired again. */
void link_readmit(Manager *m, Link *l);
/* udev (or, without udev, the kernel) says the device is finished: its
 * udev facts and device-tree node are taken, and once started it is
 * paired. */
void link_admit(Manager *m, Link *l, const char *ifname);

/* dt-scan.c */
/* Reads the device tree again (when device-tree=yes): new hcn-ids become
 * groups, groups whose hcn-id is gone and that have no port left are
 * dropped, unpaired links are paired again, and the device-tree groups are
 * reconciled. Links already paired stay where they are. Returns 0, -ENOENT
 * when there is no tree or device-tree=no, or another -errno (logged; the
 * previous table is kept). */
int manager_devicetree_rescan(Manager *m);
/* The node of a device, from <sysfs-root>/class/net/<ifname>/device/devspec. */
void link_read_devspec(Manager *m, Link *l, const char *ifname);
/* Copies what the table says about the link's node onto its device, and
 * rescans when the node is one the table does not know yet. */
void link_take_devicetree(Manager *m, Link *l, const char *ifname);

/* reconcile.c */
/* What the kernel shows of the group, for the policy; views holds
 * POLICY_MAX_PORTS. addresses: ask the kernel which ports carry addresses
 * (only a plan needs it). */
void group_snapshot(Group *g, GroupSnapshot *s, PortView *views, bool addresses);
/* Plans and acts on one group now (the deferred pass does every dirty
 * group; an intent that must answer at once calls this). */
void group_reconcile(Group *g);
/* The bond told its peers it moved (its NOTIFY_PEERS event), with
 * active_ifindex its active port: ends the wait of a release for it. */
void group_peers_notified(Group *g, int active_ifindex);
/* hnvctl remove: the plan dissolves the bond. */
int group_dissolve(Group *g);
int reconcile_setup(Manager *m);
/* How long the bond takes to send all its peer notifications after a switch. */
uint64_t peer_notif_usec(const BondOptions *o);

/* state.c */
/* Something the state file holds changed: written once, from the loop. */
void state_save(Manager *m);
/* Writes it now if it is due (exit). */
void state_flush(Manager *m);
int state_load(Manager *m);
int state_setup(Manager *m);

/* status.c */
json_object *group_json(Manager *m, Group *g);
/* The migration commands' per-group line: safe, why, state, ports. */
json_object *group_report(Group *g, bool safe, const char *reason);
