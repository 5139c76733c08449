/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "group.h"

/* The failover policy: a pure function from a snapshot of one group (what
 * the kernel reports now) to the actions that bring the kernel to what the
 * group should be, and the state the group is then in. It never reads the
 * kernel itself, so every event in every state is a row in a unit test
 * (tests/unit/test-policy.c). Reconcile, never rebuild: a snapshot that
 * already matches yields no action, which is how a restarted hnvd adopts a
 * working bond without touching its data path. */

#define POLICY_MAX_PORTS   4
#define POLICY_MAX_ACTIONS 24

/* Where a group is in a planned release (docs/migration.md). The manager
 * moves a group into PREPARING when the console asks (prepare-migration,
 * hcnrmdev) and out of MIGRATING when it completes or times out; every step
 * in between is the policy's. */
typedef enum GroupPhase {
        GROUP_PHASE_NORMAL,
        /* The backup takes the bond's MAC and the traffic, and the bond
         * tells its peers; then the VF goes. */
        GROUP_PHASE_PREPARING,
        /* The VF is released and kept out until another VF appears or the
         * migration ends. */
        GROUP_PHASE_MIGRATING,
        _GROUP_PHASE_MAX,
        _GROUP_PHASE_INVALID = -EINVAL,
} GroupPhase;

const char *group_phase_to_string(GroupPhase p);

typedef struct PortView {
        int ifindex;
        const char *name;
        PortRole role;
        bool enslaved; /* its master is the group's bond */
        bool foreign;  /* enslaved to something else: never stolen */
        bool up;       /* IFF_UP */
        bool carrier;  /* IFF_LOWER_UP */
        /* The bond's own view of the port's link (miimon). It lags carrier by
         * up to one miimon interval, and the kernel refuses to make a port
         * active while it thinks that port's link is down. */
        bool bond_link_up;
        bool has_addresses; /* carries IP addresses that belong on the bond */
        /* hnvctl remove-port, hcnrmdev of a backup: out of the bond, kept
         * out of every group. */
        bool excluded;
        HwAddr mac;
        HwAddr perm_mac;
        bool has_perm_mac;
} PortView;

typedef struct GroupSnapshot {
        const char *name;
        GroupState state; /* recorded before this event */
        bool bond_exists;
        bool bond_up;
        int bond_ifindex;
        int active_ifindex;  /* the bond's active port, 0 for none */
        int primary_ifindex; /* the bond's primary, 0 for none */
        HwAddr bond_mac;
        uint8_t fail_over_mac; /* FailOverMac */
        bool all_ports_active; /* the bond delivers frames from inactive ports too */
        GroupPhase phase;
        int released_ifindex; /* MIGRATING: the VF taken out; any other VF ends the migration */
        /* PREPARING: the backup was made active and the bond's peer
         * notifications are still going out (waiting), or have gone out
         * (notified). */
        bool waiting;
        bool notified;
        /* The last plan's action failed (its retry is pending). */
        bool failed;
        /* A settle window is open: traffic moved from the backup to a VF,
         * and frames still coming down the backup's path are delivered
         * until the switch has learnt the new path. */
        bool settling;
        /* hnvctl remove: take the bond away. */
        bool dissolve;
        /* A port in the bond that is none of the group's (0: none): who
         * keeps the addresses when no port of the group can. */
        int stray_ifindex;
        const PortView *ports;
        size_t n_ports;
} GroupSnapshot;

typedef enum ActionType {
        ACTION_CREATE_BOND,
        ACTION_BOND_UP,
        ACTION_MOVE_ADDRESSES, /* from port to bond, before enslaving it */
        ACTION_ENSLAVE,
        ACTION_SET_PRIMARY,
        ACTION_SET_ACTIVE,
        ACTION_RELEASE,
        ACTION_ALL_PORTS_ACTIVE, /* on: deliver frames that arrive on inactive ports */
        ACTION_TAKE_BOND_MAC,    /* the port takes the bond's MAC, before a switch to it */
        ACTION_OWN_MAC,          /* the port takes its permanent MAC back */
        ACTION_DISSOLVE,         /* the bond goes; ifindex keeps its addresses (0: none) */
        _ACTION_TYPE_MAX,
        _ACTION_TYPE_INVALID = -EINVAL,
} ActionType;

const char *action_type_to_string(ActionType t);

typedef struct Action {
        ActionType type;
        int ifindex; /* the port; 0 for bond-only actions */
        bool on;     /* ACTION_ALL_PORTS_ACTIVE */
} Action;

typedef struct Plan {
        Action actions[POLICY_MAX_ACTIONS];
        size_t n_actions;
        GroupState next_state;
        const char *reason; /* why the state is what it is; static text */
        GroupPhase next_phase;
        /* Why the phase changes (NULL: it does not), for the log. */
        char phase_reason[96];
        /* Timers the manager arms once the actions are done: the settle
         * window, and the wait for the peer notifications (PREPARING). */
        bool open_settle;
        bool wait_notify;
} Plan;

void policy_plan(const GroupSnapshot *s, Plan *ret);

/* The state the snapshot shows, ignoring what actions would do. */
GroupState policy_state(const GroupSnapshot *s, const char **ret_reason);

/* The state the kernel shows now, while actions are still on their way (a
 * backend that answers later) or after one failed: a port that the plan
 * would make active but that is not in the bond yet does not count, and
 * without a bond nothing carries the traffic. */
GroupState policy_state_now(const GroupSnapshot *s, const char **ret_reason);

/* The port that stands for a role when a group has more than one: the
 * active port, then one the bond sees up, then one in the bond, then one
 * with carrier. NULL when none. */
const PortView *policy_port(const GroupSnapshot *s, PortRole role);

/* The backup that would carry the traffic if the VF went now: the active
 * port if it is a backup, else a backup in the bond whose link the bond
 * sees up. NULL with *ret_why when none can. */
const PortView *policy_release_backup(const GroupSnapshot *s, const char **ret_why);
