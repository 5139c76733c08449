/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reconcile: a snapshot of what the kernel shows of a group, the pure
 * policy's plan for it (core/policy.c), and the one executor that carries
 * a plan's actions to the backend. Nothing else in hnvd acts on a group. */
#include <stdlib.h>

#include "log.h"
#include "manager-internal.h"
#include "wait.h"

/* A failed action is retried after this, doubling up to the maximum: a
 * kernel that said no once (a port busy elsewhere, memory) may say yes
 * later, and nothing else would wake the group. */
#define RETRY_MIN_USEC (500 * 1000ULL)
#define RETRY_MAX_USEC (30 * 1000 * 1000ULL)

void group_snapshot(Group *g, GroupSnapshot *s, PortView *views, bool addresses) {
        Manager *m = g->manager;
        Link *bond = group_bond(g);
        int bond_ifindex = bond ? bond->device->link.ifindex : 0, stray = 0;
        size_t n = 0;

        for (size_t i = 0; i < m->n_links; i++) {
                Link *l = m->links[i];
                const LinkInfo *li = &l->device->link;
                bool enslaved = bond && li->master_ifindex == bond_ifindex;

                if (enslaved && l->group != g && stray == 0)
                        stray = li->ifindex;
                if (l->group != g || n == POLICY_MAX_PORTS)
                        continue;
                views[n] = (PortView){
                        .ifindex = li->ifindex,
                        .name = li->name,
                        .role = l->role,
                        .enslaved = enslaved,
                        .foreign = li->master_ifindex > 0 && !enslaved,
                        .up = li->flags & IFF_UP,
                        .carrier = li->carrier,
                        .bond_link_up = enslaved && li->is_bond_port && li->bond_port_mii_up,
                        .excluded = l->excluded,
                        .mac = li->mac,
                        .perm_mac = li->perm_mac,
                        .has_perm_mac = li->has_perm_mac,
                };
                if (addresses && !enslaved && !views[n].foreign && !l->excluded)
                        views[n].has_addresses =
                                m->platform->ops->count_addresses(m->platform, li->ifindex) > 0;
                n++;
        }

        const LinkInfo *bl = bond ? &bond->device->link : NULL;
        *s = (GroupSnapshot){
                .name = g->spec->name,
                .state = g->state,
                .bond_exists = bl,
                .bond_up = bl && (bl->flags & IFF_UP),
                .bond_ifindex = bond_ifindex,
                .active_ifindex = bl ? bl->bond_active_ifindex : 0,
                .primary_ifindex = bl ? bl->bond_primary_ifindex : 0,
                .bond_mac = bl ? bl->mac : (HwAddr){},
                .fail_over_mac = bl ? bl->bond_fail_over_mac : 0,
                .all_ports_active = bl && bl->bond_all_ports_active,
                .phase = g->phase,
                .released_ifindex = g->released_ifindex,
                .waiting = g->notify_timer,
                .notified = g->notified,
                .failed = g->failures > 0,
                .settling = g->settle_timer,
                .stray_ifindex = stray,
                .ports = views,
                .n_ports = n,
        };
}

/* How long the bond takes to send its peer notifications after a switch:
 * the first goes out at once, the others one per miimon tick
 * (peer_notif_delay is rounded up to whole ticks), so num_peer_notif ticks
 * cover them all whatever the timer's phase. */
uint64_t peer_notif_usec(const BondOptions *o) {
        uint64_t tick = o->miimon_ms, per = 1;

        if (tick == 0 || o->num_peer_notif == 0)
                return 0;
        if (o->peer_notif_delay_ms > tick)
                per = (o->peer_notif_delay_ms + tick - 1) / tick;
        return (uint64_t)o->num_peer_notif * per * tick * 1000ULL;
}

/* The bond's MAC is the VF's: with fail_over_mac=follow the active port
 * carries the bond's MAC, so the VF never has to change its own (a
 * hypervisor may not let it), and the guest's MAC does not depend on which
 * port happened to come first. Given at creation, it also keeps udev's
 * MACAddressPolicy= from racing hnvd for a MAC of its own choosing. Without a
 * VF or a MAC in the configuration, the kernel takes the first port's. */
static bool bond_mac(Group *g, HwAddr *ret) {
        Link *vf = group_port(g, PORT_ROLE_PRIMARY);

        if (vf && vf->device->has_identity_mac) {
                *ret = vf->device->identity_mac;
                return true;
        }
        if (g->spec->match[PORT_ROLE_PRIMARY].type == PORT_MATCH_MAC) {
                *ret = g->spec->match[PORT_ROLE_PRIMARY].mac;
                return true;
        }
        return false;
}

/* Carries one action to the backend and logs it. *ret_fatal: the plan
 * stops here and the group is retried later. */
static int apply_action(Group *g, const Plan *plan, int *bond_ifindex, const Action *a, bool *ret_fatal) {
        Manager *m = g->manager;
        Backend *b = m->backend;
        const BackendOps *ops = b->ops;
        Link *l = a->ifindex > 0 ? find_link(m, a->ifindex) : NULL;
        const char *port = ifname_of(m, a->ifindex), *name = g->spec->name, *bond = g->spec->bond_name;
        char buf[HW_ADDR_STRLEN];
        HwAddr mac;
        int k = 0;

        *ret_fatal = true;
        switch (a->type) {
        case ACTION_CREATE_BOND: {
                bool has_mac = bond_mac(g, &mac);
                k = ops->create_bond(b, g->spec, has_mac ? &mac : NULL, bond_ifindex);
                if (k >= 0)
                        log_group_info(name, "created bond %s, MAC %s", bond,
                                       has_mac ? hw_addr_format(&mac, buf) : "from its first port");
                break;
        }
        case ACTION_BOND_UP:
                k = ops->set_up(b, *bond_ifindex, true);
                break;
        case ACTION_MOVE_ADDRESSES:
                k = ops->move_addresses(b, a->ifindex, *bond_ifindex);
                if (k >= 0)
                        log_group_full_errno(LOG_INFO, 0, name, port, "addresses moved to %s", bond);
                break;
        case ACTION_ENSLAVE:
                k = ops->enslave(b, *bond_ifindex, a->ifindex);
                if (k >= 0) {
                        log_group_full_errno(LOG_INFO, 0, name, port, "enslaved to %s as %s", bond,
                                             l ? port_role_to_string(l->role) : "?");
                        if (l && l->role == PORT_ROLE_PRIMARY && g->ever_healthy)
                                g->reenslaves++;
                }
                break;
        case ACTION_SET_PRIMARY:
                k = ops->set_primary(b, *bond_ifindex, a->ifindex);
                if (k >= 0)
                        log_group_full_errno(LOG_INFO, 0, name, port, "set as primary");
                break;
        case ACTION_SET_ACTIVE:
                k = ops->set_active(b, *bond_ifindex, a->ifindex);
                if (k >= 0)
                        log_group_full_errno(LOG_INFO, 0, name, port, "made active%s",
                                             g->phase == GROUP_PHASE_PREPARING ? " for migration" : "");
                /* The bond's miimon had not yet seen the port's link: it will
                 * select it itself within one interval. Not a failure, but
                 * for a release, which must not go on without it. */
                if (k == -EINVAL && g->phase != GROUP_PHASE_PREPARING)
                        *ret_fatal = false;
                break;
        case ACTION_RELEASE: {
                bool migration =
                        plan->next_phase == GROUP_PHASE_MIGRATING && l && l->role == PORT_ROLE_PRIMARY;
                k = ops->release(b, a->ifindex);
                if (backend_in_progress(k) && migration)
                        log_group_full_errno(LOG_INFO, 0, name, port, "released for migration through %s",
                                             ops->name);
                else if (k >= 0)
                        log_group_full_errno(LOG_INFO, 0, name, port, "released %s",
                                             migration          ? "for migration"
                                             : l && l->excluded ? "on request"
                                                                : "from the bond");
                break;
        }
        case ACTION_ALL_PORTS_ACTIVE:
                k = ops->set_all_ports_active(b, *bond_ifindex, a->on);
                if (k < 0 && !backend_in_progress(k))
                        log_group_warning(name, "cannot switch all_slaves_active %s: %s",
                                          a->on ? "on" : "off", strerror(-k));
                *ret_fatal = false;
                break;
        case ACTION_TAKE_BOND_MAC: {
                Link *bl = find_link(m, *bond_ifindex);
                if (!bl)
                        return -ENODEV;
                mac = bl->device->link.mac;
                k = ops->set_address(b, a->ifindex, &mac);
                /* Best effort: without it the switch still works, and the
                 * frames in flight to the VF's old MAC are lost. */
                log_group_full_errno(
                        k < 0 ? LOG_WARNING : LOG_DEBUG, k, name, port,
                        k < 0 ? "cannot take the bond's MAC %s before the switch (frames in flight "
                                "may be lost): %m"
                              : "takes the bond's MAC %s before the switch",
                        hw_addr_format(&mac, buf));
                *ret_fatal = false;
                break;
        }
        case ACTION_OWN_MAC:
                if (!l)
                        return -ENODEV;
                mac = l->device->link.perm_mac;
                k = ops->set_address(b, a->ifindex, &mac);
                log_group_full_errno(k < 0 ? LOG_WARNING : LOG_INFO, k, name, port,
                                     k < 0 ? "cannot take its own MAC %s back: %m" : "own MAC %s back",
                                     hw_addr_format(&mac, buf));
                *ret_fatal = false;
                break;
        case ACTION_DISSOLVE:
                k = ops->dissolve_bond(b, *bond_ifindex, a->ifindex);
                if (k == -ENODEV)
                        k = 0;
                if (k < 0) {
                        log_group_error_errno(name, k, "cannot dissolve bond %s%s%s: %m", bond,
                                              l ? " and hand its addresses to " : "", l ? port : "");
                        break;
                }
                if (l)
                        log_group_info(name, "addresses handed to %s", port);
                log_group_info(name, "bond %s dissolved", bond);
                link_forget(m, *bond_ifindex);
                *bond_ifindex = 0;
                break;
        case _ACTION_TYPE_MAX:
        case _ACTION_TYPE_INVALID:
                return -EINVAL;
        }
        /* Handed to the connection manager: the kernel's links will show
         * the outcome, and a later reconcile goes on from there. */
        if (backend_in_progress(k))
                *ret_fatal = false;
        return k;
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata) {
        Group *g = userdata;
        g->retry = sd_event_source_disable_unref(g->retry);
        group_mark_dirty(g);
        return 0;
}

static void schedule_retry(Group *g) {
        uint64_t delay = RETRY_MIN_USEC << (g->failures < 6 ? g->failures : 6);
        if (delay > RETRY_MAX_USEC)
                delay = RETRY_MAX_USEC;
        g->failures++;
        if (g->retry)
                return;
        (void)sd_event_add_time_relative(g->manager->event, &g->retry, CLOCK_MONOTONIC, delay, 0, on_retry,
                                         g);
}

/* The settle window closed, or the peer notifications went out: the
 * policy looks again. */
static int on_settled(sd_event_source *s, uint64_t usec, void *userdata) {
        Group *g = userdata;
        g->settle_timer = sd_event_source_disable_unref(g->settle_timer);
        group_mark_dirty(g);
        return 0;
}

static int on_notified(sd_event_source *s, uint64_t usec, void *userdata) {
        Group *g = userdata;
        g->notify_timer = sd_event_source_disable_unref(g->notify_timer);
        g->notified = true;
        group_mark_dirty(g);
        return 0;
}

/* What the notify timer waits for, seen: the bond's own word that it told
 * its peers, for the backup the release made active. The bond sends the
 * first notification as it switches, so the VF goes in milliseconds, not
 * after every notification's miimon tick (300 ms by default). The switch
 * learns from the first; the rest go out through the backup all the same.
 * The timer stays the bound for a bond that says nothing (a backup whose
 * link the kernel was still setting up notifies on a later tick). */
void group_peers_notified(Group *g, int active_ifindex) {
        Link *l;

        if (!g || !g->notify_timer)
                return;
        l = find_link(g->manager, active_ifindex);
        if (!l || l->group != g || l->role != PORT_ROLE_BACKUP)
                return;
        g->notify_timer = sd_event_source_disable_unref(g->notify_timer);
        g->notified = true;
        log_group_debug(g->spec->name, "%s: the bond told its peers", l->device->link.name);
        group_mark_dirty(g);
}

static void arm_timers(Group *g, const Plan *plan) {
        Manager *m = g->manager;
        const BondOptions *o = &g->spec->options;

        if (plan->wait_notify && !g->notify_timer)
                (void)sd_event_add_time_relative(m->event, &g->notify_timer, CLOCK_MONOTONIC,
                                                 peer_notif_usec(o), 0, on_notified, g);
        /* One miimon tick more than the notifications take: the switch to
         * the VF itself may wait for the bond's next tick. */
        if (plan->open_settle && !g->settle_timer)
                (void)sd_event_add_time_relative(m->event, &g->settle_timer, CLOCK_MONOTONIC,
                                                 peer_notif_usec(o) + (uint64_t)o->miimon_ms * 1000ULL, 0,
                                                 on_settled, g);
}

/* Runs a plan's actions in order. Returns the failed action's error when
 * it stopped the plan, else 0; *ret_in_progress: a backend answers later. */
static int execute(Group *g, const Plan *plan, int *bond_ifindex, bool *ret_in_progress) {
        Manager *m = g->manager;
        int waiting[POLICY_MAX_PORTS] = {};
        size_t n_waiting = 0;

        *ret_in_progress = false;
        for (size_t i = 0; i < plan->n_actions; i++) {
                const Action *a = &plan->actions[i];
                bool skip = false, fatal;
                for (size_t w = 0; w < n_waiting; w++)
                        skip = skip || a->ifindex == waiting[w];
                if (skip)
                        continue;
                log_group_debug(g->spec->name, "action %s %s", action_type_to_string(a->type),
                                a->ifindex ? ifname_of(m, a->ifindex) : g->spec->bond_name);
                char point[48];
                snprintf(point, sizeof(point), "before-%s", action_type_to_string(a->type));
                crash_point(point);
                int k = apply_action(g, plan, bond_ifindex, a, &fatal);
                snprintf(point, sizeof(point), "after-%s", action_type_to_string(a->type));
                crash_point(point);
                if (k < 0 && fatal) {
                        bool again = g->failures > 0 && g->last_fail_type == (int)a->type &&
                                     g->last_fail_ifindex == a->ifindex && g->last_fail_errno == k;
                        g->last_fail_type = (int)a->type;
                        g->last_fail_ifindex = a->ifindex;
                        g->last_fail_errno = k;
                        log_group_full_errno(
                                again ? LOG_DEBUG : LOG_ERR, k, g->spec->name,
                                a->ifindex ? ifname_of(m, a->ifindex) : g->spec->bond_name,
                                "%s failed: %m%s", action_type_to_string(a->type),
                                k == -EOPNOTSUPP && a->type == ACTION_CREATE_BOND
                                        ? " (the kernel has no bonding driver: modprobe bonding)"
                                        : "");
                        return k;
                }
                if (backend_in_progress(k)) {
                        log_group_debug(g->spec->name, "%s in progress in %s",
                                        action_type_to_string(a->type), m->backend->ops->name);
                        *ret_in_progress = true;
                        /* What follows for the same port (or, for the bond,
                         * anything) needs its outcome; other ports go on: a
                         * port waiting for its old profile's hand-over must
                         * not keep the other from joining the bond. */
                        if (a->ifindex <= 0 || n_waiting == POLICY_MAX_PORTS)
                                return 0;
                        waiting[n_waiting++] = a->ifindex;
                        continue;
                }
                if (k < 0)
                        log_group_debug(g->spec->name, "%s deferred to the bond: %s",
                                        action_type_to_string(a->type), strerror(-k));
        }
        return 0;
}

/* Ports taken out on request leave their group once out of its bond. */
static void release_excluded(Group *g) {
        Manager *m = g->manager;

        for (size_t i = 0; i < m->n_links; i++) {
                Link *l = m->links[i];
                if (l->group == g && l->excluded && !link_in_bond_of(l, g))
                        l->group = NULL;
        }
}

/* After a plan, the kernel's own events about what it did are taken in,
 * in the kernel's order, before anything looks again: callers read the
 * links right after (hnvctl remove-port, prepare-migration), and so does
 * the next plan. Reading each link back after each action instead (a
 * request each, 19 a group at start-up) let the older events still queued
 * behind the answer roll the records back, and every group's actions ran
 * twice. Taken in last, after the timers are armed: a bond's "peers
 * notified" among them must find the timer it ends. A plan without
 * actions caused nothing to take in, and is most reconciles: one a link
 * event. */
static void take_in_events(Group *g, bool acted) {
        if (acted)
                g->manager->platform->ops->sync_links(g->manager->platform);
}

/* Returns whether the plan had actions. */
static bool reconcile_once(Group *g);

void group_reconcile(Group *g) {
        take_in_events(g, reconcile_once(g));
}

static bool reconcile_once(Group *g) {
        PortView views[POLICY_MAX_PORTS];
        GroupSnapshot s;
        Plan plan;
        bool in_progress;
        int k;

        g->dirty = false;
        if (g->disabled)
                return false;

        group_snapshot(g, &s, views, true);
        policy_plan(&s, &plan);
        int bond_ifindex = s.bond_ifindex;
        k = execute(g, &plan, &bond_ifindex, &in_progress);
        release_excluded(g);

        if (plan.next_phase != g->phase)
                group_set_phase(g, plan.next_phase, plan.phase_reason);
        if (k >= 0)
                arm_timers(g, &plan);

        if (k < 0 || in_progress) {
                const char *reason;
                group_snapshot(g, &s, views, false);
                /* What carries the traffic now, not what the plan would
                 * have made of it. */
                GroupState state = policy_state_now(&s, &reason);
                group_set_state(g, state, reason);
                if (k < 0)
                        schedule_retry(g);
                else
                        g->failures = 0;
                return plan.n_actions > 0;
        }
        g->failures = 0;
        group_set_state(g, plan.next_state, plan.reason);
        return plan.n_actions > 0;
}

int group_dissolve(Group *g) {
        PortView views[POLICY_MAX_PORTS];
        GroupSnapshot s;
        Plan plan;
        bool in_progress;

        group_snapshot(g, &s, views, false);
        s.dissolve = true;
        policy_plan(&s, &plan);
        int bond_ifindex = s.bond_ifindex;
        int k = execute(g, &plan, &bond_ifindex, &in_progress);
        take_in_events(g, plan.n_actions > 0);
        return k;
}

static int on_reconcile(sd_event_source *s, void *userdata) {
        Manager *m = userdata;

        /* Reconciling one group may dirty another (a port moving groups);
         * go round until nothing is dirty, with a bound against a loop. */
        for (int round = 0; round < 8; round++) {
                bool any = false;
                for (size_t i = 0; i < m->n_groups;) {
                        Group *g = m->groups[i];
                        if (!g->dirty) {
                                i++;
                                continue;
                        }
                        any = true;
                        /* Dropped: the next group has moved into slot i. */
                        if (group_forget_if_gone(m, g))
                                continue;
                        group_reconcile(g);
                        i++;
                }
                if (!any)
                        break;
        }
        /* The calls waiting for what this pass may have brought about. */
        waits_check(m);
        if (m->ready) {
                void (*ready)(void *userdata) = m->ready;
                m->ready = NULL;
                ready(m->ready_userdata);
        }
        return 0;
}

int reconcile_setup(Manager *m) {
        int k = sd_event_add_defer(m->event, &m->reconcile, on_reconcile, m);
        if (k < 0)
                return k;
        (void)sd_event_source_set_enabled(m->reconcile, SD_EVENT_OFF);
        (void)sd_event_source_set_description(m->reconcile, "reconcile");
        return 0;
}
