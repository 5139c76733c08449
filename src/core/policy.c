/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "policy.h"

static const char *const action_type_table[_ACTION_TYPE_MAX] = {
        [ACTION_CREATE_BOND] = "create-bond",
        [ACTION_BOND_UP] = "bond-up",
        [ACTION_MOVE_ADDRESSES] = "move-addresses",
        [ACTION_ENSLAVE] = "enslave",
        [ACTION_SET_PRIMARY] = "set-primary",
        [ACTION_SET_ACTIVE] = "set-active",
        [ACTION_RELEASE] = "release",
        [ACTION_ALL_PORTS_ACTIVE] = "all-ports-active",
        [ACTION_TAKE_BOND_MAC] = "take-bond-mac",
        [ACTION_OWN_MAC] = "own-mac",
        [ACTION_DISSOLVE] = "dissolve",
};

static const char *const group_phase_table[_GROUP_PHASE_MAX] = {
        [GROUP_PHASE_NORMAL] = "normal",
        [GROUP_PHASE_PREPARING] = "preparing",
        [GROUP_PHASE_MIGRATING] = "migrating",
};

const char *group_phase_to_string(GroupPhase p) {
        if (p < 0 || p >= _GROUP_PHASE_MAX)
                return NULL;
        return group_phase_table[p];
}

const char *action_type_to_string(ActionType t) {
        if (t < 0 || t >= _ACTION_TYPE_MAX)
                return NULL;
        return action_type_table[t];
}

static void plan_add_on(Plan *p, ActionType type, int ifindex, bool on) {
        /* POLICY_MAX_ACTIONS covers the worst case for POLICY_MAX_PORTS ports;
         * the snapshot builder never hands us more ports than that. */
        if (p->n_actions >= POLICY_MAX_ACTIONS)
                return;
        p->actions[p->n_actions++] = (Action){.type = type, .ifindex = ifindex, .on = on};
}

static void plan_add(Plan *p, ActionType type, int ifindex) {
        plan_add_on(p, type, ifindex, false);
}

static bool migrating(const GroupSnapshot *s) {
        return s->phase != GROUP_PHASE_NORMAL;
}

/* A port we may use: present, not owned by another master, not taken out
 * on request, and not the VF while a migration keeps it out. */
static bool port_usable(const GroupSnapshot *s, const PortView *p) {
        if (p->foreign || p->excluded)
                return false;
        if (migrating(s) && p->role == PORT_ROLE_PRIMARY)
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

        if (s->phase == GROUP_PHASE_PREPARING) {
                state = GROUP_STATE_MIGRATING;
                reason = "VF being released for migration";
        } else if (migrating(s)) {
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

        if (!migrating(s) && !s->bond_exists && s->n_ports > 0) {
                if (ret_reason)
                        *ret_reason = "no bond";
                return GROUP_STATE_DOWN;
        }
        if (migrating(s) || !best || best->enslaved)
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

/* How fit a port is to stand for its role when a group has more than one
 * (PowerVM pairs an ibmveth and an ibmvnic backup under one hcn-id): the
 * active port, then one the bond sees up, then one in the bond, then one
 * with carrier. */
static int port_fitness(const GroupSnapshot *s, const PortView *p) {
        if (p->enslaved && p->ifindex == s->active_ifindex)
                return 4;
        if (p->enslaved && p->bond_link_up && p->carrier)
                return 3;
        if (p->enslaved)
                return 2;
        return p->carrier ? 1 : 0;
}

const PortView *policy_port(const GroupSnapshot *s, PortRole role) {
        const PortView *best = NULL;
        int best_fit = -1;

        for (size_t i = 0; i < s->n_ports; i++) {
                const PortView *p = &s->ports[i];
                if (p->role != role || p->excluded)
                        continue;
                int fit = port_fitness(s, p);
                if (fit > best_fit) {
                        best = p;
                        best_fit = fit;
                }
        }
        return best;
}

const PortView *policy_release_backup(const GroupSnapshot *s, const char **ret_why) {
        const PortView *bk = policy_port(s, PORT_ROLE_BACKUP);
        const char *why = NULL;

        if (!s->bond_exists)
                why = "no bond";
        else if (!bk)
                why = "no backup device";
        else if (!bk->enslaved)
                why = "the backup is not in the bond";
        else if (!bk->carrier)
                why = "the backup has no carrier";
        else if (!bk->bond_link_up)
                why = "the bond sees the backup's link down";
        if (ret_why)
                *ret_why = why;
        return why ? NULL : bk;
}

/* The plan takes the traffic from an active backup to a VF. */
static bool moves_back_to_vf(const GroupSnapshot *s, const Plan *plan) {
        const PortView *active = find_port(s, s->active_ifindex);

        if (!active || active->role != PORT_ROLE_BACKUP)
                return false;
        for (size_t i = 0; i < plan->n_actions; i++) {
                const PortView *p = find_port(s, plan->actions[i].ifindex);
                if (p && p->role == PORT_ROLE_PRIMARY &&
                    (plan->actions[i].type == ACTION_ENSLAVE || plan->actions[i].type == ACTION_SET_ACTIVE))
                        return true;
        }
        return false;
}

static void plan_insert_first(Plan *p, ActionType type, bool on) {
        if (p->n_actions >= POLICY_MAX_ACTIONS)
                return;
        memmove(p->actions + 1, p->actions, p->n_actions * sizeof(Action));
        p->actions[0] = (Action){.type = type, .on = on};
        p->n_actions++;
}

/* all_slaves_active and the backup's MAC around a switch. */
static void plan_switch_aids(const GroupSnapshot *s, Plan *ret) {
        bool settle_now = false;

        if (!s->bond_exists)
                return;
        /* Frames in flight down the backup's path still arrive there while
         * the traffic moves back to the VF: deliver them until the bond's
         * peer notifications have taught the switch the new path. */
        if (ret->next_phase == GROUP_PHASE_NORMAL && !s->settling && moves_back_to_vf(s, ret)) {
                if (!s->all_ports_active)
                        plan_insert_first(ret, ACTION_ALL_PORTS_ACTIVE, true);
                ret->open_settle = true;
                settle_now = true;
        }
        /* On only while traffic moves on purpose: after the settle window,
         * after a release, and after an hnvd that died meanwhile. */
        if (s->all_ports_active && !s->settling && !settle_now)
                plan_add_on(ret, ACTION_ALL_PORTS_ACTIVE, 0, false);

        /* With fail_over_mac=follow a backup can be left with the guest's
         * MAC once the VF is active (after a migration, or when it was
         * active first): an inactive port with the active port's MAC
         * receives what a hypervisor's switch delivers by address, so it
         * takes its own back, once the switch has settled. */
        const PortView *active = find_port(s, s->active_ifindex);
        if (ret->next_phase != GROUP_PHASE_NORMAL || s->settling || settle_now ||
            s->fail_over_mac != FAIL_OVER_MAC_FOLLOW || !active || active->role != PORT_ROLE_PRIMARY ||
            !active->enslaved)
                return;
        for (size_t i = 0; i < s->n_ports; i++) {
                const PortView *p = &s->ports[i];
                if (p->role == PORT_ROLE_BACKUP && p->enslaved && p->has_perm_mac &&
                    hw_addr_equal(&p->mac, &s->bond_mac) && !hw_addr_equal(&p->perm_mac, &s->bond_mac))
                        plan_add(ret, ACTION_OWN_MAC, p->ifindex);
        }
}

static void plan_enslave(Plan *ret, const PortView *p) {
        /* The IP configuration belongs to the bond: a port that brought
         * addresses along hands them over first, so the guest is never
         * without them. */
        if (p->has_addresses)
                plan_add(ret, ACTION_MOVE_ADDRESSES, p->ifindex);
        plan_add(ret, ACTION_ENSLAVE, p->ifindex);
}

/* What the group's ports should be: the bond, every usable port in it, the
 * VF primary and the best port active; a VF kept out by a migration and a
 * port taken out on request go out last. */
static void plan_ports(const GroupSnapshot *s, Plan *ret) {
        /* The state comes from the phase this plan leads to. */
        GroupSnapshot after = *s;
        after.phase = ret->next_phase;
        s = &after;

        const PortView *best = pick_best(s);
        ret->next_state = state_for(s, best, &ret->reason);

        /* Nothing present: keep whatever bond exists (it holds the IP
         * configuration the guest needs when a port returns). */
        if (s->n_ports == 0)
                return;

        if (!s->bond_exists)
                plan_add(ret, ACTION_CREATE_BOND, 0);

        /* A port on its way out (a VF kept out by a migration, a port taken
         * out on request) that the bond still holds as its primary with
         * its link up: the kernel makes the primary active again whenever
         * a port joins (primary_reselect=always), so ports that can wait
         * join after it is gone. */
        bool hold_back = false;
        for (size_t i = 0; i < s->n_ports; i++) {
                const PortView *p = &s->ports[i];
                if (p->enslaved && !p->foreign && !port_usable(s, p) && p->ifindex == s->primary_ifindex &&
                    p->bond_link_up)
                        hold_back = true;
        }

        /* Backups first: the bond then has a path before the VF (which may
         * flap) joins, and the bond's MAC under fail_over_mac=follow comes
         * from the first port, the stable one. */
        bool newly_enslaved[POLICY_MAX_PORTS] = {}, later[POLICY_MAX_PORTS] = {};
        for (PortRole role = _PORT_ROLE_MAX; role-- > 0;)
                for (size_t i = 0; i < s->n_ports && i < POLICY_MAX_PORTS; i++) {
                        const PortView *p = &s->ports[i];
                        if (p->role != role || p->enslaved || !port_usable(s, p))
                                continue;
                        if (hold_back && p != best) {
                                later[i] = true;
                                continue;
                        }
                        plan_enslave(ret, p);
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

        /* A VF enslaved during a migration, and a port taken out on request,
         * go out last, after the traffic has moved away: released first,
         * they would drop the packets in flight on them. */
        for (size_t i = 0; i < s->n_ports; i++) {
                const PortView *p = &s->ports[i];
                if (p->enslaved && !p->foreign && !port_usable(s, p))
                        plan_add(ret, ACTION_RELEASE, p->ifindex);
        }
        for (size_t i = 0; i < s->n_ports && i < POLICY_MAX_PORTS; i++)
                if (later[i])
                        plan_enslave(ret, &s->ports[i]);
}

/* PREPARING: the backup takes the bond's MAC (what follow would give it at
 * the switch anyway, so the VF keeps its own and frames in flight to the
 * guest still match) and the traffic; once the bond has told its peers,
 * the VF goes. Returns false when the group goes back to NORMAL. */
static bool plan_prepare(const GroupSnapshot *s, Plan *ret) {
        const char *why;
        const PortView *bk = policy_release_backup(s, &why);

        /* Hands off while the notifications go out. */
        ret->next_state = state_for(s, pick_best(s), &ret->reason);
        if (s->waiting)
                return true;
        if (!bk || s->failed || (s->notified && bk->ifindex != s->active_ifindex)) {
                snprintf(ret->phase_reason, sizeof(ret->phase_reason), "%s",
                         !bk         ? why
                         : s->failed ? "the backup could not be made active"
                                     : "the backup stopped being active during prepare");
                ret->next_phase = GROUP_PHASE_NORMAL;
                return false;
        }
        if (bk->ifindex == s->active_ifindex) {
                /* Notified, or active before we asked: the VF goes now. */
                ret->next_phase = GROUP_PHASE_MIGRATING;
                snprintf(ret->phase_reason, sizeof(ret->phase_reason), "VF released, %s active", bk->name);
                return false;
        }
        if (!s->all_ports_active)
                plan_add_on(ret, ACTION_ALL_PORTS_ACTIVE, 0, true);
        if (s->fail_over_mac == FAIL_OVER_MAC_FOLLOW && !hw_addr_equal(&bk->mac, &s->bond_mac))
                plan_add(ret, ACTION_TAKE_BOND_MAC, bk->ifindex);
        plan_add(ret, ACTION_SET_ACTIVE, bk->ifindex);
        ret->wait_notify = true;
        return true;
}

/* hnvctl remove: the bond goes, and the backup (or, failing that, any
 * port) keeps its addresses, so the guest stays reachable. */
static void plan_dissolve(const GroupSnapshot *s, Plan *ret) {
        const PortView *keep = NULL;

        ret->next_phase = GROUP_PHASE_NORMAL;
        ret->next_state = GROUP_STATE_PENDING;
        ret->reason = "dissolved by hnvctl remove";
        if (!s->bond_exists)
                return;
        for (size_t i = 0; i < s->n_ports; i++) {
                const PortView *p = &s->ports[i];
                if (p->enslaved &&
                    (!keep || (p->role == PORT_ROLE_BACKUP && keep->role != PORT_ROLE_BACKUP)))
                        keep = p;
        }
        plan_add(ret, ACTION_DISSOLVE, keep ? keep->ifindex : s->stray_ifindex);
}

void policy_plan(const GroupSnapshot *s, Plan *ret) {
        *ret = (Plan){.next_phase = s->phase};

        if (s->dissolve) {
                plan_dissolve(s, ret);
                return;
        }
        switch (s->phase) {
        case GROUP_PHASE_PREPARING:
                if (plan_prepare(s, ret))
                        return;
                break;
        case GROUP_PHASE_MIGRATING:
                /* The destination's VF (any but the one released) ends it. */
                for (size_t i = 0; i < s->n_ports; i++) {
                        const PortView *p = &s->ports[i];
                        if (p->role == PORT_ROLE_PRIMARY && !p->excluded &&
                            p->ifindex != s->released_ifindex) {
                                ret->next_phase = GROUP_PHASE_NORMAL;
                                snprintf(ret->phase_reason, sizeof(ret->phase_reason), "new VF %s appeared",
                                         p->name);
                                break;
                        }
                }
                break;
        case GROUP_PHASE_NORMAL:
        case _GROUP_PHASE_MAX:
        case _GROUP_PHASE_INVALID:
                break;
        }
        plan_ports(s, ret);
        plan_switch_aids(s, ret);
}
