/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The failover policy, table-driven: every event in every state, with a
 * VF and two backups, and for each row the properties that matter on the
 * real driver: applying the plans to a model of the bonding driver (timers
 * firing, miimon catching up) converges, the active port is the one the
 * state promises, and no step loses frames the kernel could have kept
 * (a port released while active, a switch back to the VF without
 * all_slaves_active, a switch to a backup that lacks the bond's MAC, a VF
 * released before the peers were told). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy.h"

enum { VF = 0, BK = 1, BK2 = 2, NPORTS = 3 };
#define BOND_IFINDEX 10

/* A toy kernel: just enough bonding semantics to apply a plan, and the
 * manager's side of the snapshot (phase, timers, failure). */
typedef struct World {
        bool bond_exists, bond_up, all_ports_active;
        int active, primary;
        HwAddr bond_mac;
        GroupPhase phase;
        int released;
        bool waiting, notified, failed, settling, dissolve;
        bool disabled; /* dissolved: no more plans */
        int bond_addresses;
        struct {
                bool present, enslaved, foreign, up, carrier, link_up, addresses, excluded;
                int ifindex;
                HwAddr mac, perm;
        } port[NPORTS];
} World;

static const char *const port_names[NPORTS] = {"vf", "bk", "bk2"};

static HwAddr mac_of(int i) {
        return (HwAddr){.bytes = {0x02, 0, 0, 0, 0, (uint8_t)(i + 1)}};
}

static int world_snapshot(const World *w, PortView views[NPORTS], GroupSnapshot *s) {
        size_t n = 0;
        for (int i = 0; i < NPORTS; i++) {
                if (!w->port[i].present)
                        continue;
                views[n++] = (PortView){
                        .ifindex = w->port[i].ifindex,
                        .name = port_names[i],
                        .role = i == VF ? PORT_ROLE_PRIMARY : PORT_ROLE_BACKUP,
                        .enslaved = w->port[i].enslaved,
                        .foreign = w->port[i].foreign,
                        .up = w->port[i].up,
                        .carrier = w->port[i].carrier,
                        .bond_link_up = w->port[i].link_up,
                        .has_addresses = w->port[i].addresses,
                        .excluded = w->port[i].excluded,
                        .mac = w->port[i].mac,
                        .perm_mac = w->port[i].perm,
                        .has_perm_mac = true,
                };
        }
        *s = (GroupSnapshot){
                .name = "g",
                .bond_exists = w->bond_exists,
                .bond_up = w->bond_up,
                .bond_ifindex = w->bond_exists ? BOND_IFINDEX : 0,
                .active_ifindex = w->active,
                .primary_ifindex = w->primary,
                .bond_mac = w->bond_mac,
                .fail_over_mac = FAIL_OVER_MAC_FOLLOW,
                .all_ports_active = w->all_ports_active,
                .phase = w->phase,
                .released_ifindex = w->released,
                .waiting = w->waiting,
                .notified = w->notified,
                .failed = w->failed,
                .settling = w->settling,
                .dissolve = w->dissolve,
                .ports = views,
                .n_ports = n,
        };
        return (int)n;
}

static int port_by_ifindex(const World *w, int ifindex) {
        for (int i = 0; i < NPORTS; i++)
                if (w->port[i].present && w->port[i].ifindex == ifindex)
                        return i;
        return -1;
}

/* A switch under fail_over_mac=follow: the new active port takes the
 * bond's MAC, the old one the new one's old MAC. */
static void world_make_active(World *w, int port) {
        int old = port_by_ifindex(w, w->active);

        if (port == old)
                return;
        if (port >= 0) {
                if (old >= 0 && w->port[old].enslaved)
                        w->port[old].mac = w->port[port].mac;
                w->port[port].mac = w->bond_mac;
        }
        w->active = port >= 0 ? w->port[port].ifindex : 0;
}

/* The kernel's active-backup reselection with primary_reselect=always. */
static void world_reselect(World *w) {
        int cur = port_by_ifindex(w, w->active);
        if (cur >= 0 && (!w->port[cur].enslaved || !w->port[cur].link_up))
                cur = -1;
        int prim = port_by_ifindex(w, w->primary);
        if (prim >= 0 && w->port[prim].enslaved && w->port[prim].link_up)
                cur = prim;
        for (int i = 0; cur < 0 && i < NPORTS; i++)
                if (w->port[i].present && w->port[i].enslaved && w->port[i].link_up)
                        cur = i;
        world_make_active(w, cur);
}

/* The kernel chooses again only when the active port leaves. */
static void world_release(World *w, int port) {
        w->port[port].enslaved = false;
        w->port[port].up = false;
        w->port[port].link_up = false;
        if (w->primary == w->port[port].ifindex)
                w->primary = 0;
        if (w->active == w->port[port].ifindex) {
                w->active = 0;
                world_reselect(w);
        }
}

static void world_apply(World *w, const Plan *p) {
        int start = port_by_ifindex(w, w->active);

        for (size_t i = 0; i < p->n_actions; i++) {
                const Action *a = &p->actions[i];
                int port = port_by_ifindex(w, a->ifindex);
                int before = port_by_ifindex(w, w->active);

                switch (a->type) {
                case ACTION_CREATE_BOND:
                        assert_false(w->bond_exists);
                        w->bond_exists = true;
                        w->bond_mac = mac_of(VF);
                        break;
                case ACTION_BOND_UP:
                        assert_true(w->bond_exists);
                        w->bond_up = true;
                        break;
                case ACTION_MOVE_ADDRESSES:
                        assert_true(port >= 0);
                        w->port[port].addresses = false;
                        w->bond_addresses++;
                        break;
                case ACTION_ENSLAVE:
                        assert_true(port >= 0 && w->bond_exists && !w->port[port].foreign);
                        assert_false(w->port[port].addresses); /* moved first */
                        assert_false(w->port[port].excluded);
                        w->port[port].enslaved = true;
                        w->port[port].up = true;
                        w->port[port].link_up = w->port[port].carrier;
                        world_reselect(w);
                        break;
                case ACTION_SET_PRIMARY:
                        assert_true(port >= 0 && w->port[port].enslaved);
                        w->primary = a->ifindex;
                        world_reselect(w);
                        break;
                case ACTION_SET_ACTIVE:
                        /* The kernel's rule: EINVAL unless the bond sees the link up. */
                        assert_true(port >= 0 && w->port[port].enslaved && w->port[port].link_up);
                        /* A planned switch to a backup: it has the bond's MAC
                         * first, so the VF keeps its own. */
                        if (w->phase == GROUP_PHASE_PREPARING && port != VF)
                                assert_memory_equal(&w->port[port].mac, &w->bond_mac, sizeof(HwAddr));
                        world_make_active(w, port);
                        break;
                case ACTION_RELEASE:
                        assert_true(port >= 0 && w->port[port].enslaved);
                        /* Released only after traffic moved away from it,
                         * unless taken out on request with no other port
                         * to carry it. */
                        if (w->active == a->ifindex) {
                                assert_true(w->port[port].excluded);
                                for (int j = 0; j < NPORTS; j++)
                                        assert_false(j != port && w->port[j].enslaved && w->port[j].link_up);
                        }
                        /* A VF released for a migration: the peers were told. */
                        if (port == VF && w->phase == GROUP_PHASE_PREPARING)
                                assert_true(w->notified || before != VF);
                        world_release(w, port);
                        break;
                case ACTION_ALL_PORTS_ACTIVE:
                        assert_true(w->bond_exists);
                        w->all_ports_active = a->on;
                        break;
                case ACTION_TAKE_BOND_MAC:
                        assert_true(port >= 0);
                        w->port[port].mac = w->bond_mac;
                        break;
                case ACTION_OWN_MAC:
                        assert_true(port >= 0);
                        w->port[port].mac = w->port[port].perm;
                        break;
                case ACTION_DISSOLVE:
                        assert_true(w->bond_exists);
                        for (int j = 0; j < NPORTS; j++)
                                if (w->port[j].enslaved)
                                        world_release(w, j);
                        if (port >= 0)
                                w->port[port].addresses = w->bond_addresses > 0;
                        w->bond_exists = w->bond_up = w->all_ports_active = false;
                        w->active = w->primary = 0;
                        w->bond_addresses = 0;
                        w->disabled = true;
                        break;
                case _ACTION_TYPE_MAX:
                case _ACTION_TYPE_INVALID:
                        fail();
                }
                /* The traffic moved back from a backup to the VF on hnvd's
                 * word: frames in flight down the backup's path are kept. */
                if (start > VF && port_by_ifindex(w, w->active) == VF)
                        assert_true(w->all_ports_active);
        }
        if (p->next_phase != w->phase) {
                if (p->next_phase == GROUP_PHASE_NORMAL)
                        w->released = 0;
                w->phase = p->next_phase;
                w->waiting = w->notified = false;
        }
        if (p->wait_notify)
                w->waiting = true;
        if (p->open_settle)
                w->settling = true;
        w->failed = false;
        w->dissolve = false;
}

/* miimon catching up with carrier, as the kernel does within one interval;
 * it chooses the active port again only when a link changed (an explicit
 * switch to the backup holds while the VF's link stays up). */
static void world_miimon(World *w) {
        bool changed = false;

        for (int i = 0; i < NPORTS; i++)
                if (w->port[i].enslaved && w->port[i].link_up != w->port[i].carrier) {
                        w->port[i].link_up = w->port[i].carrier;
                        changed = true;
                }
        if (changed)
                world_reselect(w);
}

/* Time passes: the manager's timers fire. */
static void world_timers(World *w) {
        if (w->waiting) {
                w->waiting = false;
                w->notified = true;
        }
        w->settling = false;
}

typedef enum Start {
        S_PENDING,
        S_HEALTHY,
        S_DEGRADED_MISSING,
        S_DEGRADED_NOCARRIER,
        S_DOWN,
        S_MIGRATING,
        S_PREPARING, /* switched to the backup, the notifications going out */
        S_SETTLING,  /* back on the VF, all_slaves_active on for the switch to learn */
        _S_MAX,
} Start;

static void port_init(World *w, int i, int ifindex) {
        w->port[i].ifindex = ifindex;
        w->port[i].mac = w->port[i].perm = mac_of(i);
}

static void port_in(World *w, int i) {
        w->port[i].present = w->port[i].enslaved = w->port[i].up = w->port[i].carrier = w->port[i].link_up =
                true;
}

static void world_init(World *w, Start st) {
        *w = (World){};
        port_init(w, VF, 3);
        port_init(w, BK, 4);
        port_init(w, BK2, 5);
        if (st == S_PENDING)
                return;
        w->bond_exists = w->bond_up = true;
        w->bond_mac = mac_of(VF);
        port_in(w, BK);
        if (st != S_DEGRADED_MISSING)
                port_in(w, VF);
        w->primary = st == S_DEGRADED_MISSING ? 0 : 3;
        w->active = st == S_DEGRADED_MISSING ? 0 : 3;
        switch (st) {
        case S_HEALTHY:
        case S_SETTLING:
                w->settling = w->all_ports_active = st == S_SETTLING;
                break;
        case S_DEGRADED_MISSING:
                world_make_active(w, BK);
                break;
        case S_DEGRADED_NOCARRIER:
                w->port[VF].carrier = w->port[VF].link_up = false;
                world_make_active(w, BK);
                break;
        case S_DOWN:
                for (int i = 0; i < NPORTS; i++)
                        w->port[i].carrier = w->port[i].link_up = false;
                w->active = 0;
                break;
        case S_MIGRATING:
                w->phase = GROUP_PHASE_MIGRATING;
                w->released = 3;
                world_make_active(w, BK);
                world_release(w, VF);
                break;
        case S_PREPARING:
                w->phase = GROUP_PHASE_PREPARING;
                w->released = 3;
                w->all_ports_active = w->waiting = true;
                w->port[BK].mac = w->bond_mac;
                world_make_active(w, BK);
                break;
        case S_PENDING:
        case _S_MAX:
                fail();
        }
}

typedef enum Event {
        E_NONE,
        E_VF_ADD,          /* a VF appears (a new ifindex: any name) */
        E_VF_REMOVE,       /* hot-unplug: the kernel drops the port at once */
        E_VF_CARRIER_LOSS, /* carrier gone, miimon has not noticed yet */
        E_VF_CARRIER_BACK, /* carrier back, miimon has not noticed yet */
        E_BK_ADD,
        E_BK_REMOVE,
        E_BK_CARRIER_LOSS,
        E_VF_ADD_WITH_IP, /* a VF that a DHCP client configured before we saw it */
        E_MIGRATE_END,    /* complete-migration, or its timeout */
        E_PREPARE,        /* prepare-migration, hcnrmdev of the VF */
        E_NOTIFIED,       /* the peer notifications have gone out */
        E_SETTLED,        /* the settle window closes */
        E_EXCLUDE_BK,     /* remove-port, hcnrmdev of the backup */
        E_BK2_ADD,        /* a second backup (ibmvnic beside ibmveth) */
        E_DISSOLVE,       /* hnvctl remove */
        E_FAILED,         /* the last plan's action failed */
        _E_MAX,
} Event;

static const char *const event_names[_E_MAX] = {
        "none",      "vf-add",          "vf-remove",      "vf-carrier-loss", "vf-carrier-back", "bk-add",
        "bk-remove", "bk-carrier-loss", "vf-add-with-ip", "migrate-end",     "prepare",         "notified",
        "settled",   "exclude-bk",      "bk2-add",        "dissolve",        "failed",
};

static void world_event(World *w, Event e) {
        switch (e) {
        case E_NONE:
                return;
        case E_VF_ADD_WITH_IP:
        case E_VF_ADD:
                if (w->port[VF].present)
                        return;
                w->port[VF] = (typeof(w->port[VF])){
                        .present = true, .carrier = true, .ifindex = 30, .addresses = e == E_VF_ADD_WITH_IP};
                w->port[VF].mac = w->port[VF].perm = mac_of(VF);
                return;
        case E_VF_REMOVE:
                if (w->port[VF].enslaved)
                        world_release(w, VF);
                w->port[VF].present = false;
                return;
        case E_VF_CARRIER_LOSS:
                w->port[VF].carrier = false;
                return;
        case E_VF_CARRIER_BACK:
                if (w->port[VF].present)
                        w->port[VF].carrier = true;
                return;
        case E_BK_ADD:
                if (w->port[BK].present)
                        return;
                w->port[BK] = (typeof(w->port[BK])){.present = true, .carrier = true, .ifindex = 40};
                w->port[BK].mac = w->port[BK].perm = mac_of(BK);
                return;
        case E_BK_REMOVE:
                if (w->port[BK].enslaved)
                        world_release(w, BK);
                w->port[BK].present = false;
                return;
        case E_BK_CARRIER_LOSS:
                w->port[BK].carrier = false;
                return;
        case E_MIGRATE_END:
                if (w->phase == GROUP_PHASE_MIGRATING) {
                        w->phase = GROUP_PHASE_NORMAL;
                        w->released = 0;
                }
                return;
        case E_PREPARE:
                if (w->phase == GROUP_PHASE_PREPARING)
                        return;
                w->phase = GROUP_PHASE_PREPARING;
                w->released = w->port[VF].present ? w->port[VF].ifindex : 0;
                w->waiting = w->notified = false;
                return;
        case E_NOTIFIED:
                if (w->waiting) {
                        w->waiting = false;
                        w->notified = true;
                }
                return;
        case E_SETTLED:
                w->settling = false;
                return;
        case E_EXCLUDE_BK:
                w->port[BK].excluded = w->port[BK].present;
                return;
        case E_BK2_ADD:
                w->port[BK2] = (typeof(w->port[BK2])){.present = true, .carrier = true, .ifindex = 50};
                w->port[BK2].mac = w->port[BK2].perm = mac_of(BK2);
                return;
        case E_DISSOLVE:
                w->dissolve = true;
                return;
        case E_FAILED:
                w->failed = true;
                return;
        case _E_MAX:
                break;
        }
        fail();
}

static void plan_format(const Plan *p, const World *w, char *buf, size_t size) {
        size_t n = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < p->n_actions && n < size; i++) {
                const Action *a = &p->actions[i];
                int port = port_by_ifindex(w, a->ifindex);
                n += (size_t)snprintf(buf + n, size - n, "%s%s%s%s%s", i ? " " : "",
                                      action_type_to_string(a->type), port >= 0 ? ":" : "",
                                      port >= 0 ? port_names[port] : "",
                                      a->type == ACTION_ALL_PORTS_ACTIVE ? (a->on ? ":on" : ":off") : "");
        }
        if (p->wait_notify && n < size)
                n += (size_t)snprintf(buf + n, size - n, "%s(wait)", n ? " " : "");
        if (p->open_settle && n < size)
                snprintf(buf + n, size - n, "%s(settle)", n ? " " : "");
}

typedef struct Row {
        Start start;
        Event event;
        const char *actions; /* the first plan, and the timers it asks for */
        GroupState next;     /* the state it promises */
        GroupState end;      /* the state once timers fired and miimon caught up */
} Row;

#define H GROUP_STATE_HEALTHY
#define D GROUP_STATE_DEGRADED
#define P GROUP_STATE_PENDING
#define X GROUP_STATE_DOWN
#define M GROUP_STATE_MIGRATING

#include "test-policy-table.h"

static const char *const start_names[_S_MAX] = {
        "pending", "healthy",   "degraded-missing", "degraded-nocarrier",
        "down",    "migrating", "preparing",        "settling"};

static GroupState plan_once(World *w, char *got, size_t size) {
        PortView views[NPORTS];
        GroupSnapshot s;
        Plan plan;

        if (w->disabled) {
                if (got)
                        got[0] = '\0';
                return GROUP_STATE_PENDING;
        }
        world_snapshot(w, views, &s);
        policy_plan(&s, &plan);
        if (got)
                plan_format(&plan, w, got, size);
        assert_non_null(plan.reason);
        world_apply(w, &plan);
        return plan.next_state;
}

/* Set HNV_POLICY_PRINT=1 to print the rows the policy gives. */
static void test_every_event_in_every_state(void **state) {
        bool print = getenv("HNV_POLICY_PRINT");

        /* The table is complete: one row per (state, event), in order. */
        if (!print) {
                assert_int_equal(ELEMENTSOF(rows), _S_MAX * _E_MAX);
                for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                        assert_int_equal(rows[i].start, (Start)(i / _E_MAX));
                        assert_int_equal(rows[i].event, (Event)(i % _E_MAX));
                }
        }

        for (size_t i = 0; i < (size_t)_S_MAX * _E_MAX; i++) {
                const Row *r = print ? &(Row){.start = (Start)(i / _E_MAX), .event = (Event)(i % _E_MAX)}
                                     : &rows[i];
                World w;
                char got[512];
                GroupState next, end;

                world_init(&w, r->start);
                world_event(&w, r->event);
                next = plan_once(&w, got, sizeof(got));

                /* Converges: time passes and miimon catches up until a plan
                 * asks for nothing, within a few rounds. */
                char more[512] = "";
                int rounds = 0;
                for (;; rounds++) {
                        assert_true(rounds < 6);
                        world_timers(&w);
                        world_miimon(&w);
                        end = plan_once(&w, more, sizeof(more));
                        if (print && more[0])
                                printf("        /*   then \"%s\" -> %s */\n", more,
                                       group_state_to_string(end));
                        if (!more[0])
                                break;
                }
                if (print) {
                        printf("        { S_%s, E_%s, \"%s\", %s, %s },\n", start_names[r->start],
                               event_names[r->event], got, group_state_to_string(next),
                               group_state_to_string(end));
                        continue;
                }
                if (!streq(got, r->actions) || next != r->next || end != r->end)
                        fail_msg("row %zu (%s, %s): got \"%s\" -> %s, then %s; want \"%s\" -> %s, then %s",
                                 i, start_names[r->start], event_names[r->event], got,
                                 group_state_to_string(next), group_state_to_string(end), r->actions,
                                 group_state_to_string(r->next), group_state_to_string(r->end));

                /* The active port is the one the final state promises. */
                int active = port_by_ifindex(&w, w.active);
                switch (end) {
                case GROUP_STATE_HEALTHY:
                        assert_int_equal(active, VF);
                        assert_int_equal(w.phase, GROUP_PHASE_NORMAL);
                        assert_false(w.all_ports_active);
                        break;
                case GROUP_STATE_DEGRADED:
                        assert_true(active == BK || active == BK2);
                        break;
                case GROUP_STATE_MIGRATING:
                        assert_true(active != VF);
                        assert_false(w.port[VF].enslaved);
                        assert_int_equal(w.phase, GROUP_PHASE_MIGRATING);
                        break;
                case GROUP_STATE_DOWN:
                case GROUP_STATE_PENDING:
                        break;
                case _GROUP_STATE_MAX:
                case _GROUP_STATE_INVALID:
                        fail();
                }
                /* A backup left with the guest's MAC while the VF is active
                 * would receive the guest's frames: it has its own back. */
                for (int p = BK; end == GROUP_STATE_HEALTHY && p < NPORTS; p++)
                        if (w.port[p].enslaved)
                                assert_memory_equal(&w.port[p].mac, &w.port[p].perm, sizeof(HwAddr));
                /* A port taken out on request is out. */
                assert_false(w.port[BK].excluded && w.port[BK].enslaved);
        }
}

static void test_foreign_port_never_taken(void **state) {
        World w;
        PortView views[NPORTS];
        GroupSnapshot s;
        Plan plan;

        world_init(&w, S_DEGRADED_MISSING);
        world_event(&w, E_VF_ADD);
        w.port[VF].foreign = true;
        world_snapshot(&w, views, &s);
        policy_plan(&s, &plan);
        assert_int_equal(plan.n_actions, 0);
        assert_int_equal(plan.next_state, GROUP_STATE_DEGRADED);
        assert_string_equal(plan.reason, "VF held by another master");
}

static void test_migrating_vf_found_enslaved_is_released_last(void **state) {
        World w;
        char got[256];

        /* hnvd restarted in the middle of a migration whose VF is still in. */
        world_init(&w, S_HEALTHY);
        w.phase = GROUP_PHASE_MIGRATING;
        w.released = 3;
        assert_int_equal(plan_once(&w, got, sizeof(got)), GROUP_STATE_MIGRATING);
        assert_string_equal(got, "set-active:bk release:vf");
}

static void test_port_order_does_not_matter(void **state) {
        /* Backup listed first: the VF still wins. */
        PortView views[] = {
                {.ifindex = 4, .name = "bk", .role = PORT_ROLE_BACKUP, .carrier = true},
                {.ifindex = 3, .name = "vf", .role = PORT_ROLE_PRIMARY, .carrier = true},
        };
        GroupSnapshot s = {.name = "g", .ports = views, .n_ports = 2};
        Plan plan;

        policy_plan(&s, &plan);
        assert_int_equal(plan.next_state, GROUP_STATE_HEALTHY);
        assert_int_equal(plan.actions[plan.n_actions - 1].type, ACTION_SET_ACTIVE);
        assert_int_equal(plan.actions[plan.n_actions - 1].ifindex, 3);
        /* The backup is enslaved before the VF. */
        assert_int_equal(plan.actions[1].type, ACTION_ENSLAVE);
        assert_int_equal(plan.actions[1].ifindex, 4);
}

static void test_policy_state_matches_plan(void **state) {
        for (int st = 0; st < _S_MAX; st++) {
                World w;
                PortView views[NPORTS];
                GroupSnapshot s;
                Plan plan;
                const char *reason;

                world_init(&w, (Start)st);
                world_snapshot(&w, views, &s);
                policy_plan(&s, &plan);
                if (plan.next_phase != s.phase)
                        continue; /* a step of the release: the state follows the phase */
                assert_int_equal(policy_state(&s, &reason), plan.next_state);
                assert_string_equal(reason, plan.reason);
        }
}

/* While a backend's actions are on their way, the state is what the kernel
 * shows, not what the plan will achieve. */
static void test_policy_state_now(void **state) {
        PortView views[] = {
                {.ifindex = 3, .name = "vf", .role = PORT_ROLE_PRIMARY, .carrier = true},
                {.ifindex = 4, .name = "bk", .role = PORT_ROLE_BACKUP, .carrier = true},
        };
        GroupSnapshot s = {.name = "g",
                           .bond_exists = true,
                           .bond_up = true,
                           .bond_ifindex = BOND_IFINDEX,
                           .ports = views,
                           .n_ports = 2};
        const char *reason;

        assert_int_equal(policy_state(&s, &reason), GROUP_STATE_HEALTHY);
        assert_int_equal(policy_state_now(&s, &reason), GROUP_STATE_DOWN);
        assert_string_equal(reason, "no port in the bond yet");

        views[1].enslaved = views[1].bond_link_up = true;
        s.active_ifindex = 4;
        assert_int_equal(policy_state_now(&s, &reason), GROUP_STATE_DEGRADED);
        assert_string_equal(reason, "VF joining the bond");

        views[0].enslaved = views[0].bond_link_up = true;
        s.active_ifindex = 3;
        assert_int_equal(policy_state_now(&s, &reason), GROUP_STATE_HEALTHY);
        assert_string_equal(reason, "VF active");
}

/* Which backup a release would leave the traffic on, and why not. */
static void test_release_backup(void **state) {
        World w;
        PortView views[NPORTS];
        GroupSnapshot s;
        const char *why;

        world_init(&w, S_HEALTHY);
        world_event(&w, E_BK2_ADD);
        w.port[BK2].enslaved = w.port[BK2].up = w.port[BK2].link_up = true;
        world_snapshot(&w, views, &s);
        assert_string_equal(policy_release_backup(&s, &why)->name, "bk");
        assert_null(why);

        /* The bond has not seen bk's link yet; bk2 it has. */
        w.port[BK].link_up = false;
        world_snapshot(&w, views, &s);
        assert_string_equal(policy_release_backup(&s, &why)->name, "bk2");

        w.port[BK2].link_up = false;
        world_snapshot(&w, views, &s);
        assert_null(policy_release_backup(&s, &why));
        assert_string_equal(why, "the bond sees the backup's link down");

        w.port[BK].carrier = w.port[BK2].carrier = false;
        world_snapshot(&w, views, &s);
        assert_null(policy_release_backup(&s, &why));
        assert_string_equal(why, "the backup has no carrier");

        world_init(&w, S_DEGRADED_MISSING);
        w.port[BK].present = false;
        world_snapshot(&w, views, &s);
        assert_null(policy_release_backup(&s, &why));
        assert_string_equal(why, "no backup device");
}

static void test_names(void **state) {
        for (ActionType t = 0; t < _ACTION_TYPE_MAX; t++)
                assert_non_null(action_type_to_string(t));
        assert_null(action_type_to_string(_ACTION_TYPE_MAX));
        for (GroupPhase p = 0; p < _GROUP_PHASE_MAX; p++)
                assert_non_null(group_phase_to_string(p));
        assert_null(group_phase_to_string(_GROUP_PHASE_MAX));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_every_event_in_every_state),
                cmocka_unit_test(test_foreign_port_never_taken),
                cmocka_unit_test(test_migrating_vf_found_enslaved_is_released_last),
                cmocka_unit_test(test_port_order_does_not_matter),
                cmocka_unit_test(test_policy_state_matches_plan),
                cmocka_unit_test(test_policy_state_now),
                cmocka_unit_test(test_release_backup),
                cmocka_unit_test(test_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
