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
#define POLICY_MAX_ACTIONS 12

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
} PortView;

typedef struct GroupSnapshot {
        const char *name;
        GroupState state; /* recorded before this event */
        bool bond_exists;
        bool bond_up;
        int bond_ifindex;
        int active_ifindex;  /* the bond's active port, 0 for none */
        int primary_ifindex; /* the bond's primary, 0 for none */
        bool migrating;      /* the VF is being kept out on purpose */
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
        _ACTION_TYPE_MAX,
        _ACTION_TYPE_INVALID = -EINVAL,
} ActionType;

const char *action_type_to_string(ActionType t);

typedef struct Action {
        ActionType type;
        int ifindex; /* the port; 0 for bond-only actions */
} Action;

typedef struct Plan {
        Action actions[POLICY_MAX_ACTIONS];
        size_t n_actions;
        GroupState next_state;
        const char *reason; /* why the state is what it is; static text */
} Plan;

void policy_plan(const GroupSnapshot *s, Plan *ret);

/* The state the snapshot shows, ignoring what actions would do. */
GroupState policy_state(const GroupSnapshot *s, const char **ret_reason);

/* The state the kernel shows now, while actions are still on their way (a
 * backend that answers later): a port that the plan would make active but
 * that is not in the bond yet does not count. */
GroupState policy_state_now(const GroupSnapshot *s, const char **ret_reason);
