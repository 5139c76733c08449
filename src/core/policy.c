/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "policy.h"

static const char *const action_type_table[_ACTION_TYPE_MAX] = {
        [ACTION_CREATE_BOND] = "create-bond",
        [ACTION_BOND_UP] = "bond-up",
        [ACTION_MOVE_ADDRESSES] = "move-addresses",
        [ACTION_ENSLAVE] = "enslave",
        [ACTION_SET_PRIMARY] = "set-primary",
        [ACTION_SET_ACTIVE] = "set-active",
        [ACTION_RELEASE] = "release",
};

const char *action_type_to_string(ActionType t) {
        if (t < 0 || t >= _ACTION_TYPE_MAX)
                return NULL;
        return action_type_table[t];
}

static void plan_add(Plan *p, ActionType type, int ifindex) {
        /* POLICY_MAX_ACTIONS covers the worst case for POLICY_MAX_PORTS ports;
         * the snapshot builder never hands us more ports than that. */
        if (p->n_actions >= POLICY_MAX_ACTIONS)
                return;
        p->actions[p->n_actions++] = (Action){.type = type, .ifindex = ifindex};
}

/* A port we may use: present, not owned by another master, and not the VF
 * while a migration keeps it out. */
static bool port_usable(const GroupSnapshot *s, const PortView *p) {
        if (p->foreign)
                return false;
        if (s->migrating && p->role == PORT_ROLE_PRIMARY)
                return false;
        return true;
}

/* Which port should carry traffic once the plan is applied (or, with
 * in_bond, which one can now): the first usable VF with carrier, else the
 * first usable backup with carrier. Ports are ranked by role, not by list
 * position, so the caller's order does not matter. */
static const PortView *pick_best_of(const GroupSnapshot *s, bool in_bond) {
        for (PortRole role = 0; role < _PORT_ROLE_MAX; role++)
                for (size_t i = 0; i < s->n_ports; i++) {
                        const PortView *p = &s->ports[i];
                        if (p->role == role && port_usable(s, p) && p->carrier && (!in_bond || p->enslaved))
                                return p;
                }
        return NULL;
}

static const PortView *pick_best(const GroupSnapshot *s) {
        return pick_best_of(s, false);
}

static const PortView *find_port(const GroupSnapshot *s, int ifindex) {
        if (ifindex <= 0)
                return NULL;
        for (size_t i = 0; i < s->n_ports; i++)
                if (s->ports[i].ifindex == ifindex)
                        return &s->ports[i];
        return NULL;
}

static const PortView *first_primary(const GroupSnapshot *s) {
        for (size_t i = 0; i < s->n_ports; i++)
                if (s->ports[i].role == PORT_ROLE_PRIMARY && port_usable(s, &s->ports[i]))
                        return &s->ports[i];
        return NULL;
}

static GroupState state_for(const GroupSnapshot *s, const PortView *best, const char **ret_reason) {
        const char *reason;
        GroupState state;

        if (s->migrating) {
                state = GROUP_STATE_MIGRATING;
                reason = best ? "VF released for migration, backup carries traffic"
                              : "VF released for migration, no port has carrier";
        } else if (s->n_ports == 0) {
                state = s->bond_exists ? GROUP_STATE_DOWN : GROUP_STATE_PENDING;
                reason = "no port present";
        } else if (!best) {
                state = GROUP_STATE_DOWN;
                reason = "no port has carrier";
        } else if (best->role == PORT_ROLE_PRIMARY) {
                state = GROUP_STATE_HEALTHY;
                reason = "VF active";
        } else {
                const PortView *vf = first_primary(s);
                state = GROUP_STATE_DEGRADED;
                if (!vf) {
                        bool any_vf = false;
                        for (size_t i = 0; i < s->n_ports; i++)
                                any_vf = any_vf || s->ports[i].role == PORT_ROLE_PRIMARY;
                        reason = any_vf ? "VF held by another master" : "VF missing";
                } else
                        reason = "VF has no carrier";
        }

        if (ret_reason)
                *ret_reason = reason;
        return state;
}

GroupState policy_state(const GroupSnapshot *s, const char **ret_reason) {
        return state_for(s, pick_best(s), ret_reason);
}

GroupState policy_state_now(const GroupSnapshot *s, const char **ret_reason) {
        const PortView *best = pick_best(s);

        if (s->migrating || !best || best->enslaved)
                return state_for(s, best, ret_reason);
        /* The best port is not in the bond yet: what carries the traffic
         * now is the best port that is. */
        const PortView *now = pick_best_of(s, true);
        if (ret_reason)
                *ret_reason = !now                              ? "no port in the bond yet"
                              : best->role == PORT_ROLE_PRIMARY ? "VF joining the bond"
                                                                : "backup joining the bond";
        return !now                             ? GROUP_STATE_DOWN
               : now->role == PORT_ROLE_PRIMARY ? GROUP_STATE_HEALTHY
                                                : GROUP_STATE_DEGRADED;
}

void policy_plan(const GroupSnapshot *s, Plan *ret) {
        *ret = (Plan){};

        const PortView *best = pick_best(s);
        ret->next_state = state_for(s, best, &ret->reason);

        /* Nothing present: keep whatever bond exists (it holds the IP
         * configuration the guest needs when a port returns). */
        if (s->n_ports == 0)
                return;

        if (!s->bond_exists)
                plan_add(ret, ACTION_CREATE_BOND, 0);

        /* Backups first: the bond then has a path before the VF (which may
         * flap) joins, and the bond's MAC under fail_over_mac=follow comes
         * from the first port, the stable one. */
        bool newly_enslaved[POLICY_MAX_PORTS] = {};
        for (PortRole role = _PORT_ROLE_MAX; role-- > 0;)
                for (size_t i = 0; i < s->n_ports && i < POLICY_MAX_PORTS; i++) {
                        const PortView *p = &s->ports[i];
                        if (p->role != role || p->enslaved || !port_usable(s, p))
                                continue;
                        /* The IP configuration belongs to the bond: a port that
                         * brought addresses along hands them over first, so the
                         * guest is never without them. */
                        if (p->has_addresses)
                                plan_add(ret, ACTION_MOVE_ADDRESSES, p->ifindex);
                        plan_add(ret, ACTION_ENSLAVE, p->ifindex);
                        newly_enslaved[i] = true;
                }

        if (!s->bond_exists || !s->bond_up)
                plan_add(ret, ACTION_BOND_UP, 0);

        /* The kernel stores primary as a name: a VF back under another name
         * is not primary until we say so again. */
        const PortView *vf = first_primary(s);
        if (vf && vf->ifindex != s->primary_ifindex)
                plan_add(ret, ACTION_SET_PRIMARY, vf->ifindex);

        /* Switch explicitly instead of waiting for miimon to notice a lost
         * carrier. The kernel refuses a port whose link it still thinks is
         * down; a freshly enslaved port with carrier starts up. */
        if (best && best->ifindex != s->active_ifindex) {
                const PortView *active = find_port(s, s->active_ifindex);
                bool active_lost = !active || !active->carrier || !port_usable(s, active);
                bool want = active_lost || best->role == PORT_ROLE_PRIMARY;
                size_t idx = (size_t)(best - s->ports);
                bool can = best->bond_link_up || (idx < POLICY_MAX_PORTS && newly_enslaved[idx]);
                if (want && can)
                        plan_add(ret, ACTION_SET_ACTIVE, best->ifindex);
        }

        /* A VF found enslaved during a migration goes out last, after the
         * backup has been made active: released first, it would drop the
         * packets in flight on it. */
        for (size_t i = 0; i < s->n_ports; i++) {
                const PortView *p = &s->ports[i];
                if (p->enslaved && s->migrating && p->role == PORT_ROLE_PRIMARY)
                        plan_add(ret, ACTION_RELEASE, p->ifindex);
        }
}
