/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The group table: definitions, states, phases, and which ports stand for
 * a group's roles. */
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "manager-internal.h"

Group *group_free(Group *g) {
        if (!g)
                return NULL;
        sd_event_source_disable_unref(g->retry);
        sd_event_source_disable_unref(g->migration_timer);
        sd_event_source_disable_unref(g->notify_timer);
        sd_event_source_disable_unref(g->settle_timer);
        group_spec_free(g->spec);
        return mfree(g);
}

Group *find_group(Manager *m, const char *name) {
        for (size_t i = 0; i < m->n_groups; i++)
                if (streq(m->groups[i]->spec->name, name))
                        return m->groups[i];
        return NULL;
}

Group *find_group_by_bond(Manager *m, const char *bond) {
        for (size_t i = 0; i < m->n_groups; i++)
                if (streq(m->groups[i]->spec->bond_name, bond))
                        return m->groups[i];
        return NULL;
}

bool group_has_port(Group *g) {
        Manager *m = g->manager;
        for (size_t i = 0; i < m->n_links; i++)
                if (m->links[i]->group == g)
                        return true;
        return false;
}

void group_mark_dirty(Group *g) {
        if (!g || g->disabled)
                return;
        g->dirty = true;
        if (g->manager->reconcile)
                (void)sd_event_source_set_enabled(g->manager->reconcile, SD_EVENT_ONESHOT);
}

int group_add(Manager *m, GroupSpec *spec, Group **ret) {
        _cleanup_(group_spec_freep) GroupSpec *s = spec;
        Group **a, *g;

        a = realloc(m->groups, (m->n_groups + 1) * sizeof(Group *));
        if (!a)
                return -ENOMEM;
        m->groups = a;
        g = calloc(1, sizeof(Group));
        if (!g)
                return -ENOMEM;
        g->manager = m;
        g->spec = TAKE_PTR(s);
        g->state = GROUP_STATE_PENDING;
        g->reason = "no port present";
        g->state_since = now_usec();
        m->groups[m->n_groups++] = g;
        log_group_info(g->spec->name, "defined (%s), bond %s", group_source_to_string(g->spec->source),
                       g->spec->bond_name);
        links_update_udev_keys(m);
        if (ret)
                *ret = g;
        return 0;
}

void group_drop(Manager *m, Group *g) {
        for (size_t i = 0; i < m->n_links; i++)
                if (m->links[i]->group == g)
                        m->links[i]->group = NULL;
        for (size_t i = 0; i < m->n_groups; i++)
                if (m->groups[i] == g) {
                        memmove(m->groups + i, m->groups + i + 1, (m->n_groups - i - 1) * sizeof(Group *));
                        m->n_groups--;
                        break;
                }
        group_free(g);
}

bool group_forget_if_gone(Manager *m, Group *g) {
        if (g->spec->source != GROUP_SOURCE_UDEV && g->spec->source != GROUP_SOURCE_AUTO)
                return false;
        /* A migration's VF is out on purpose, and a dissolved group must
         * stay dissolved: both are remembered until the console or the
         * admin ends them. */
        if (group_has_port(g) || group_migrating(g) || g->disabled)
                return false;
        log_group_info(g->spec->name,
                       "no device of the group is left: forgotten, bond %s left as it is (learned again if "
                       "its devices return)",
                       g->spec->bond_name);
        group_drop(m, g);
        state_save(m);
        return true;
}

void group_set_state(Group *g, GroupState state, const char *reason) {
        if (g->state == state) {
                g->reason = reason;
                return;
        }
        /* The one line per change that admins and tests grep for. */
        log_group_info(g->spec->name, "%s -> %s (%s)", group_state_to_string(g->state),
                       group_state_to_string(state), reason);
        if (g->state == GROUP_STATE_HEALTHY && state != GROUP_STATE_MIGRATING)
                g->failovers++;
        if (state == GROUP_STATE_HEALTHY)
                g->ever_healthy = true;
        g->state = state;
        g->reason = reason;
        g->state_since = now_usec();
        g->state_changes++;
}

static int on_migration_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        Group *g = userdata;
        char why[96];

        snprintf(why, sizeof(why), "not completed within %u s, back to normal operation",
                 g->manager->config->migration_timeout_sec);
        group_set_phase(g, GROUP_PHASE_NORMAL, why);
        return 0;
}

void group_arm_migration_timer(Group *g) {
        Manager *m = g->manager;

        g->migration_timer = sd_event_source_disable_unref(g->migration_timer);
        if (!group_migrating(g) || !m->event)
                return;
        uint64_t deadline = g->migrating_since + (uint64_t)m->config->migration_timeout_sec * 1000000ULL;
        (void)sd_event_add_time(m->event, &g->migration_timer, CLOCK_MONOTONIC, deadline, 0,
                                on_migration_timeout, g);
}

void group_set_phase(Group *g, GroupPhase phase, const char *why) {
        GroupPhase old = g->phase;

        if (old == phase)
                return;
        g->phase = phase;
        g->notified = false;
        g->notify_timer = sd_event_source_disable_unref(g->notify_timer);
        switch (phase) {
        case GROUP_PHASE_PREPARING: {
                Link *vf = group_port(g, PORT_ROLE_PRIMARY);
                g->migrating_since = now_usec();
                g->released_ifindex = vf ? vf->device->link.ifindex : 0;
                /* A failure from before does not fail the prepare. */
                g->failures = 0;
                log_group_info(g->spec->name, "releasing %s for migration",
                               vf ? vf->device->link.name : "no VF");
                break;
        }
        case GROUP_PHASE_MIGRATING:
                log_group_debug(g->spec->name, "migrating: %s", why);
                break;
        case GROUP_PHASE_NORMAL:
                log_group_info(g->spec->name, "migration ended: %s", why);
                g->released_ifindex = 0;
                g->migrating_since = 0;
                break;
        case _GROUP_PHASE_MAX:
        case _GROUP_PHASE_INVALID:
                break;
        }
        group_arm_migration_timer(g);
        state_save(g->manager);
        group_mark_dirty(g);
}

void group_enable(Group *g) {
        Manager *m = g->manager;

        if (!g->disabled)
                return;
        g->disabled = false;
        log_group_info(g->spec->name, "wanted again");
        for (size_t i = 0; i < m->n_links; i++)
                if (!m->links[i]->group)
                        link_assign(m, m->links[i]);
        state_save(m);
        group_mark_dirty(g);
}

Link *group_bond(Group *g) {
        Link *l = find_link_by_name(g->manager, g->spec->bond_name);
        return l && streq(l->device->link.kind, "bond") ? l : NULL;
}

bool link_in_bond_of(Link *l, Group *g) {
        Link *bond = g ? group_bond(g) : NULL;
        return bond && l->device->link.master_ifindex == bond->device->link.ifindex;
}

Link *group_port(Group *g, PortRole role) {
        PortView views[POLICY_MAX_PORTS];
        GroupSnapshot s;

        group_snapshot(g, &s, views, false);
        const PortView *p = policy_port(&s, role);
        return p ? find_link(g->manager, p->ifindex) : NULL;
}
