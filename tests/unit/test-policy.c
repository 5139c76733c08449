/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The failover policy, table-driven: every event in every state, and for
 * each row the property that applying the plan to a model of the kernel
 * converges (planning again asks for nothing). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "policy.h"

enum { VF = 0, BK = 1, NPORTS = 2 };
#define BOND_IFINDEX 10

/* A toy kernel: just enough bonding semantics to apply a plan. */
typedef struct World {
        bool bond_exists, bond_up, migrating;
        int active, primary;
        struct {
                bool present, enslaved, foreign, up, carrier, link_up, addresses;
                int ifindex;
        } port[NPORTS];
} World;

static const char *const port_names[NPORTS] = {"vf", "bk"};

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
                };
        }
        *s = (GroupSnapshot){
                .name = "g",
                .bond_exists = w->bond_exists,
                .bond_up = w->bond_up,
                .bond_ifindex = w->bond_exists ? BOND_IFINDEX : 0,
                .active_ifindex = w->active,
                .primary_ifindex = w->primary,
                .migrating = w->migrating,
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

/* The kernel's active-backup reselection with primary_reselect=always. */
static void world_reselect(World *w) {
        int cur = port_by_ifindex(w, w->active);
        if (cur >= 0 && (!w->port[cur].enslaved || !w->port[cur].link_up))
                cur = -1;
        int prim = port_by_ifindex(w, w->primary);
        if (prim >= 0 && w->port[prim].enslaved && w->port[prim].link_up)
                cur = prim;
        if (cur < 0)
                for (int i = 0; i < NPORTS; i++)
                        if (w->port[i].present && w->port[i].enslaved && w->port[i].link_up) {
                                cur = i;
                                break;
                        }
        w->active = cur >= 0 ? w->port[cur].ifindex : 0;
}

static void world_apply(World *w, const Plan *p) {
        for (size_t i = 0; i < p->n_actions; i++) {
                const Action *a = &p->actions[i];
                int port = port_by_ifindex(w, a->ifindex);
                switch (a->type) {
                case ACTION_CREATE_BOND:
                        assert_false(w->bond_exists);
                        w->bond_exists = true;
                        break;
                case ACTION_BOND_UP:
                        assert_true(w->bond_exists);
                        w->bond_up = true;
                        break;
                case ACTION_MOVE_ADDRESSES:
                        assert_true(port >= 0);
                        w->port[port].addresses = false;
                        break;
                case ACTION_ENSLAVE:
                        assert_true(port >= 0 && w->bond_exists && !w->port[port].foreign);
                        assert_false(w->port[port].addresses); /* moved first */
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
                        w->active = a->ifindex;
                        break;
                case ACTION_RELEASE:
                        assert_true(port >= 0 && w->port[port].enslaved);
                        /* Released only after traffic moved away from it. */
                        assert_int_not_equal(w->active, a->ifindex);
                        w->port[port].enslaved = false;
                        w->port[port].up = false;
                        if (w->primary == a->ifindex)
                                w->primary = 0;
                        world_reselect(w);
                        break;
                case _ACTION_TYPE_MAX:
                case _ACTION_TYPE_INVALID:
                        fail();
                }
        }
}

/* miimon catching up with carrier, as the kernel does within one interval. */
static void world_miimon(World *w) {
        for (int i = 0; i < NPORTS; i++)
                if (w->port[i].enslaved)
                        w->port[i].link_up = w->port[i].carrier;
        world_reselect(w);
}

typedef enum Start {
        S_PENDING,
        S_HEALTHY,
        S_DEGRADED_MISSING,
        S_DEGRADED_NOCARRIER,
        S_DOWN,
        S_MIGRATING,
        _S_MAX,
} Start;

static void world_init(World *w, Start st) {
        *w = (World){};
        w->port[VF].ifindex = 3;
        w->port[BK].ifindex = 4;
        switch (st) {
        case S_PENDING:
                return;
        case S_HEALTHY:
        case S_DEGRADED_NOCARRIER:
        case S_DOWN:
        case S_MIGRATING:
                w->bond_exists = w->bond_up = true;
                for (int i = 0; i < NPORTS; i++)
                        w->port[i].present = w->port[i].enslaved = w->port[i].up = w->port[i].carrier =
                                w->port[i].link_up = true;
                w->primary = 3;
                w->active = 3;
                if (st == S_DEGRADED_NOCARRIER) {
                        w->port[VF].carrier = w->port[VF].link_up = false;
                        w->active = 4;
                }
                if (st == S_DOWN) {
                        for (int i = 0; i < NPORTS; i++)
                                w->port[i].carrier = w->port[i].link_up = false;
                        w->active = 0;
                }
                if (st == S_MIGRATING) {
                        w->migrating = true;
                        w->port[VF].enslaved = w->port[VF].up = false;
                        w->primary = 0;
                        w->active = 4;
                }
                return;
        case S_DEGRADED_MISSING:
                w->bond_exists = w->bond_up = true;
                w->port[BK].present = w->port[BK].enslaved = w->port[BK].up = w->port[BK].carrier =
                        w->port[BK].link_up = true;
                w->active = 4;
                return;
        case _S_MAX:
                break;
        }
        fail();
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
        E_MIGRATE_END,    /* the migrating flag drops (complete or timeout) */
        _E_MAX,
} Event;

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
                return;
        case E_VF_REMOVE:
                if (w->port[VF].present && w->primary == w->port[VF].ifindex)
                        w->primary = 0;
                w->port[VF] = (typeof(w->port[VF])){.ifindex = w->port[VF].ifindex};
                world_reselect(w);
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
                return;
        case E_BK_REMOVE:
                w->port[BK] = (typeof(w->port[BK])){.ifindex = w->port[BK].ifindex};
                world_reselect(w);
                return;
        case E_BK_CARRIER_LOSS:
                w->port[BK].carrier = false;
                return;
        case E_MIGRATE_END:
                w->migrating = false;
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
                int port = port_by_ifindex(w, p->actions[i].ifindex);
                n += (size_t)snprintf(buf + n, size - n, "%s%s%s%s", i ? " " : "",
                                      action_type_to_string(p->actions[i].type), port >= 0 ? ":" : "",
                                      port >= 0 ? port_names[port] : "");
        }
}

typedef struct Row {
        Start start;
        Event event;
        const char *actions;
        GroupState next;
} Row;

#define H GROUP_STATE_HEALTHY
#define D GROUP_STATE_DEGRADED
#define P GROUP_STATE_PENDING
#define X GROUP_STATE_DOWN
#define M GROUP_STATE_MIGRATING

static const Row rows[] = {
        /* Nothing there yet. */
        {S_PENDING, E_NONE, "", P},
        {S_PENDING, E_VF_ADD, "create-bond enslave:vf bond-up set-primary:vf set-active:vf", H},
        {S_PENDING, E_VF_ADD_WITH_IP,
         "create-bond move-addresses:vf enslave:vf bond-up set-primary:vf set-active:vf", H},
        {S_PENDING, E_BK_ADD, "create-bond enslave:bk bond-up set-active:bk", D},
        {S_PENDING, E_VF_REMOVE, "", P},
        {S_PENDING, E_VF_CARRIER_LOSS, "", P},
        {S_PENDING, E_VF_CARRIER_BACK, "", P},
        {S_PENDING, E_BK_REMOVE, "", P},
        {S_PENDING, E_BK_CARRIER_LOSS, "", P},
        {S_PENDING, E_MIGRATE_END, "", P},

        /* VF carries the traffic. Adopted as is: no action. */
        {S_HEALTHY, E_NONE, "", H},
        {S_HEALTHY, E_VF_ADD, "", H},
        {S_HEALTHY, E_VF_ADD_WITH_IP, "", H},
        {S_HEALTHY, E_BK_ADD, "", H},
        /* The kernel already moved to the backup; nothing to force. */
        {S_HEALTHY, E_VF_REMOVE, "", D},
        /* The point of hnvd: switch now, not at the next miimon poll. */
        {S_HEALTHY, E_VF_CARRIER_LOSS, "set-active:bk", D},
        {S_HEALTHY, E_VF_CARRIER_BACK, "", H},
        {S_HEALTHY, E_BK_REMOVE, "", H},
        {S_HEALTHY, E_BK_CARRIER_LOSS, "", H},
        {S_HEALTHY, E_MIGRATE_END, "", H},

        /* VF gone, backup active. */
        {S_DEGRADED_MISSING, E_NONE, "", D},
        /* Re-enslave the new VF under its new name, primary again, active. */
        {S_DEGRADED_MISSING, E_VF_ADD, "enslave:vf set-primary:vf set-active:vf", H},
        {S_DEGRADED_MISSING, E_VF_ADD_WITH_IP, "move-addresses:vf enslave:vf set-primary:vf set-active:vf",
         H},
        {S_DEGRADED_MISSING, E_BK_ADD, "", D},
        {S_DEGRADED_MISSING, E_VF_REMOVE, "", D},
        {S_DEGRADED_MISSING, E_VF_CARRIER_LOSS, "", D},
        {S_DEGRADED_MISSING, E_VF_CARRIER_BACK, "", D},
        {S_DEGRADED_MISSING, E_BK_REMOVE, "", X},
        {S_DEGRADED_MISSING, E_BK_CARRIER_LOSS, "", X},
        {S_DEGRADED_MISSING, E_MIGRATE_END, "", D},

        /* VF present without carrier; backup active. */
        {S_DEGRADED_NOCARRIER, E_NONE, "", D},
        {S_DEGRADED_NOCARRIER, E_VF_ADD, "", D},
        {S_DEGRADED_NOCARRIER, E_VF_ADD_WITH_IP, "", D},
        {S_DEGRADED_NOCARRIER, E_BK_ADD, "", D},
        {S_DEGRADED_NOCARRIER, E_VF_REMOVE, "", D},
        {S_DEGRADED_NOCARRIER, E_VF_CARRIER_LOSS, "", D},
        /* Carrier back before miimon saw it: the kernel would refuse an
         * explicit switch, so primary_reselect=always does it one poll later. */
        {S_DEGRADED_NOCARRIER, E_VF_CARRIER_BACK, "", H},
        {S_DEGRADED_NOCARRIER, E_BK_REMOVE, "", X},
        {S_DEGRADED_NOCARRIER, E_BK_CARRIER_LOSS, "", X},
        {S_DEGRADED_NOCARRIER, E_MIGRATE_END, "", D},

        /* No carrier anywhere. */
        {S_DOWN, E_NONE, "", X},
        {S_DOWN, E_VF_ADD, "", X},
        {S_DOWN, E_VF_ADD_WITH_IP, "", X},
        {S_DOWN, E_BK_ADD, "", X},
        {S_DOWN, E_VF_REMOVE, "", X},
        {S_DOWN, E_VF_CARRIER_LOSS, "", X},
        {S_DOWN, E_VF_CARRIER_BACK, "", H},
        {S_DOWN, E_BK_REMOVE, "", X},
        {S_DOWN, E_BK_CARRIER_LOSS, "", X},
        {S_DOWN, E_MIGRATE_END, "", X},

        /* VF released for a migration and kept out. */
        {S_MIGRATING, E_NONE, "", M},
        {S_MIGRATING, E_VF_ADD, "", M},
        {S_MIGRATING, E_VF_ADD_WITH_IP, "", M},
        {S_MIGRATING, E_BK_ADD, "", M},
        {S_MIGRATING, E_VF_REMOVE, "", M},
        {S_MIGRATING, E_VF_CARRIER_LOSS, "", M},
        {S_MIGRATING, E_VF_CARRIER_BACK, "", M},
        {S_MIGRATING, E_BK_REMOVE, "", M},
        {S_MIGRATING, E_BK_CARRIER_LOSS, "", M},
        /* Cancelled migration: the same VF goes straight back in. */
        {S_MIGRATING, E_MIGRATE_END, "enslave:vf set-primary:vf set-active:vf", H},
};

static const char *const start_names[_S_MAX] = {
        "pending", "healthy", "degraded-missing", "degraded-nocarrier", "down", "migrating"};

static void test_every_event_in_every_state(void **state) {
        /* The table is complete: one row per (state, event). */
        assert_int_equal(ELEMENTSOF(rows), _S_MAX * _E_MAX);
        for (int st = 0; st < _S_MAX; st++)
                for (int ev = 0; ev < _E_MAX; ev++) {
                        bool found = false;
                        for (size_t i = 0; i < ELEMENTSOF(rows); i++)
                                found = found || (rows[i].start == (Start)st && rows[i].event == (Event)ev);
                        if (!found)
                                fail_msg("no row for state %s, event %d", start_names[st], ev);
                }

        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                const Row *r = &rows[i];
                World w;
                PortView views[NPORTS];
                GroupSnapshot s;
                Plan plan;
                char got[256];

                world_init(&w, r->start);
                world_event(&w, r->event);
                world_snapshot(&w, views, &s);
                policy_plan(&s, &plan);
                plan_format(&plan, &w, got, sizeof(got));

                if (!streq(got, r->actions) || plan.next_state != r->next)
                        fail_msg("row %zu (%s, event %d): got \"%s\" -> %s, want \"%s\" -> %s", i,
                                 start_names[r->start], r->event, got,
                                 group_state_to_string(plan.next_state), r->actions,
                                 group_state_to_string(r->next));
                assert_non_null(plan.reason);

                /* Converges: after the kernel applied the plan and miimon
                 * caught up, nothing is left to do and the state holds. */
                world_apply(&w, &plan);
                world_miimon(&w);
                world_snapshot(&w, views, &s);
                policy_plan(&s, &plan);
                plan_format(&plan, &w, got, sizeof(got));
                if (plan.n_actions != 0)
                        fail_msg("row %zu (%s, event %d): not converged, then \"%s\"", i,
                                 start_names[r->start], r->event, got);
                assert_int_equal(plan.next_state, r->next);

                /* And the active port is the one the state promises. */
                int active = port_by_ifindex(&w, w.active), want = -1;
                switch (r->next) {
                case GROUP_STATE_HEALTHY:
                        want = VF;
                        break;
                case GROUP_STATE_DEGRADED:
                        want = BK;
                        break;
                case GROUP_STATE_MIGRATING:
                        /* The backup carries the traffic, if there is one. */
                        want = w.port[BK].present && w.port[BK].carrier ? BK : -1;
                        break;
                case GROUP_STATE_DOWN:
                case GROUP_STATE_PENDING:
                        break;
                case _GROUP_STATE_MAX:
                case _GROUP_STATE_INVALID:
                        fail();
                }
                if (want >= 0 && active != want)
                        fail_msg("row %zu (%s, event %d): active port %d, want %d", i, start_names[r->start],
                                 r->event, active, want);
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
        PortView views[NPORTS];
        GroupSnapshot s;
        Plan plan;
        char got[256];

        /* hnvd restarted in the middle of a migration whose VF is still in. */
        world_init(&w, S_HEALTHY);
        w.migrating = true;
        world_snapshot(&w, views, &s);
        policy_plan(&s, &plan);
        plan_format(&plan, &w, got, sizeof(got));
        assert_string_equal(got, "set-active:bk release:vf");
        assert_int_equal(plan.next_state, GROUP_STATE_MIGRATING);
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

static void test_action_names(void **state) {
        for (ActionType t = 0; t < _ACTION_TYPE_MAX; t++)
                assert_non_null(action_type_to_string(t));
        assert_null(action_type_to_string(_ACTION_TYPE_MAX));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_every_event_in_every_state),
                cmocka_unit_test(test_foreign_port_never_taken),
                cmocka_unit_test(test_migrating_vf_found_enslaved_is_released_last),
                cmocka_unit_test(test_port_order_does_not_matter),
                cmocka_unit_test(test_policy_state_matches_plan),
                cmocka_unit_test(test_policy_state_now),
                cmocka_unit_test(test_action_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
