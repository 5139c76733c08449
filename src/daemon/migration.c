/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Live migration, as the console asks for it: which groups, whether it is
 * safe, and the intent (prepare: into PREPARING; complete: out of
 * MIGRATING). The steps themselves are the policy's (core/policy.c), done
 * by reconcile; these wait for them and report. */
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "manager-internal.h"
#include "migration.h"
#include "wait.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put);

/* The groups of a call, by name: a group may go away while it waits. */
typedef struct Selection {
        char **names;
        size_t n;
} Selection;

static void selection_free(void *p) {
        Selection *s = p;

        if (!s)
                return;
        for (size_t i = 0; i < s->n; i++)
                free(s->names[i]);
        free(s->names);
        free(s);
}

static Selection *selection_new(Group **groups, size_t n) {
        Selection *s = calloc(1, sizeof(Selection));

        if (!s)
                return NULL;
        s->names = calloc(n + 1, sizeof(char *));
        if (!s->names) {
                selection_free(s);
                return NULL;
        }
        for (; s->n < n; s->n++) {
                s->names[s->n] = strdup(groups[s->n]->spec->name);
                if (!s->names[s->n]) {
                        selection_free(s);
                        return NULL;
                }
        }
        return s;
}

/* One named group, or with all every group that has a port or a migration
 * under way. An empty selection with all is fine: nothing to do. */
static int select_groups(Manager *m, const char *name, bool all, Group ***ret, size_t *ret_n,
                         char **ret_error) {
        _cleanup_(freep) Group **l = calloc(m->n_groups + 1, sizeof(Group *));
        size_t n = 0;

        if (!l)
                return -ENOMEM;
        if (!!name == all)
                return set_error(ret_error, -EINVAL, "name one group, or all");
        if (name) {
                Group *g = find_group(m, name);
                if (!g || g->disabled)
                        return set_error(ret_error, -ENOENT, "no group '%s'", name);
                l[n++] = g;
        } else
                for (size_t i = 0; i < m->n_groups; i++) {
                        Group *g = m->groups[i];
                        if (!g->disabled && (group_has_port(g) || group_migrating(g)))
                                l[n++] = g;
                }
        *ret = TAKE_PTR(l);
        *ret_n = n;
        return 0;
}

/* Safe to take the VF out: a backup in the bond, with carrier, whose link
 * the bond sees up (else the kernel refuses to make it active). */
/* *ret_switch (may be NULL): the backup is not active yet, so a release
 * has to switch to it and wait for the peer notifications. */
static bool group_safe(Group *g, char **ret_reason, bool *ret_switch) {
        PortView views[POLICY_MAX_PORTS];
        GroupSnapshot s;
        const char *why;
        int k;

        group_snapshot(g, &s, views, false);
        const PortView *bk = policy_release_backup(&s, &why);
        if (ret_switch)
                *ret_switch = bk && bk->ifindex != s.active_ifindex;
        if (why)
                k = asprintf(ret_reason, "not safe: %s", why);
        else
                k = asprintf(ret_reason, "%s can carry the traffic", bk->name);
        if (k < 0)
                *ret_reason = NULL;
        return !why;
}

static json_object *with_groups(json_object *groups) {
        json_object *o = json_object_new_object();
        if (!o) {
                json_object_put(groups);
                return NULL;
        }
        json_object_object_add(o, "groups", groups);
        return o;
}

/* ---- query ----------------------------------------------------------- */

int migration_query(Manager *m, const char *name, bool all, json_object **ret, char **ret_error) {
        _cleanup_(freep) Group **groups = NULL;
        _cleanup_(json_object_putp) json_object *list = json_object_new_array();
        bool all_safe = true;
        size_t n;
        int k;

        if (!list)
                return -ENOMEM;
        k = select_groups(m, name, all, &groups, &n, ret_error);
        if (k < 0)
                return k;
        for (size_t i = 0; i < n; i++) {
                _cleanup_(freep) char *reason = NULL;
                bool safe = group_safe(groups[i], &reason, NULL);
                /* Already prepared: the VF is out, nothing left to make safe. */
                if (groups[i]->phase == GROUP_PHASE_MIGRATING) {
                        free(reason);
                        reason = strdup("VF already released for migration");
                        safe = true;
                }
                all_safe = all_safe && safe;
                json_object_array_add(list, group_report(groups[i], safe, reason));
        }
        json_object *o = json_object_new_object();
        if (!o)
                return -ENOMEM;
        json_object_object_add(o, "safe", json_object_new_boolean(all_safe));
        json_object_object_add(o, "groups", TAKE_PTR(list));
        *ret = o;
        return 0;
}

/* ---- prepare --------------------------------------------------------- */

/* The prepare is over when no group of it is PREPARING: each was either
 * released (MIGRATING) or rolled back by the policy (NORMAL). */
static int check_prepare(Manager *m, void *data, bool timed_out, json_object **ret_params,
                         char **ret_message) {
        Selection *sel = data;
        _cleanup_(json_object_putp) json_object *list = NULL;
        bool failed = false, late = false;

        for (size_t i = 0; i < sel->n; i++) {
                Group *g = find_group(m, sel->names[i]);
                if (g && g->phase == GROUP_PHASE_PREPARING) {
                        if (!timed_out)
                                return 0;
                        group_set_phase(g, GROUP_PHASE_NORMAL, "prepare timed out");
                        late = true;
                }
        }
        list = json_object_new_array();
        if (!list)
                return -ENOMEM;
        for (size_t i = 0; i < sel->n; i++) {
                Group *g = find_group(m, sel->names[i]);
                _cleanup_(freep) char *reason = NULL;
                Link *bond = g ? group_bond(g) : NULL;
                Link *active = bond ? find_link(m, bond->device->link.bond_active_ifindex) : NULL;

                if (!g)
                        continue;
                if (g->phase != GROUP_PHASE_MIGRATING) {
                        failed = true;
                        json_object_array_add(list,
                                              group_report(g, false, "the backup stopped being active"));
                        continue;
                }
                if (asprintf(&reason, "released %s, %s active",
                             g->released_ifindex ? ifname_of(m, g->released_ifindex) : "no VF",
                             active ? active->device->link.name : "no port") < 0)
                        reason = NULL;
                json_object_array_add(list, group_report(g, true, reason));
        }
        *ret_params = with_groups(TAKE_PTR(list));
        if (late)
                *ret_message = strdup("the bond's peer notifications did not go out in time; rolled back");
        else if (failed)
                *ret_message = strdup("a backup stopped being active; that group was rolled back");
        return late ? -ETIMEDOUT : failed ? -EBUSY : 1;
}

int migration_prepare(Manager *m, const char *name, bool all, uint64_t timeout_usec,
                      const ManagerReply *reply) {
        _cleanup_(freep) Group **groups = NULL, **todo = NULL;
        _cleanup_(freep) char *error = NULL;
        _cleanup_(json_object_putp) json_object *list = json_object_new_array();
        uint64_t wait_usec = 0;
        size_t n, n_todo = 0;
        bool all_safe = true;
        int k;

        if (!list)
                return -ENOMEM;
        k = select_groups(m, name, all, &groups, &n, &error);
        if (k < 0)
                return manager_reply_errorf(reply, k, NULL, "%s", strna(error));
        todo = calloc(n + 1, sizeof(Group *));
        if (!todo)
                return -ENOMEM;

        /* Check every group first: one unsafe group refuses the whole call,
         * and nothing has been touched yet. */
        for (size_t i = 0; i < n; i++) {
                Group *g = groups[i];
                _cleanup_(freep) char *reason = NULL;
                Link *vf = group_port(g, PORT_ROLE_PRIMARY);

                if (g->phase == GROUP_PHASE_PREPARING)
                        return manager_reply_errorf(reply, -EINVAL, NULL,
                                                    "group '%s' is being prepared by another call",
                                                    g->spec->name);
                if (g->phase == GROUP_PHASE_MIGRATING && !(vf && link_in_bond_of(vf, g))) {
                        json_object_array_add(list,
                                              group_report(g, true, "VF already released for migration"));
                        continue;
                }
                bool switch_first;
                bool safe = group_safe(g, &reason, &switch_first);
                json_object_array_add(list, group_report(g, safe, reason));
                all_safe = all_safe && safe;
                todo[n_todo++] = g;

                uint64_t u = peer_notif_usec(&g->spec->options);
                if (switch_first && u > wait_usec)
                        wait_usec = u;
        }
        if (!all_safe)
                return manager_reply_errorf(reply, -EBUSY, with_groups(TAKE_PTR(list)),
                                            "not safe to remove the VF; nothing was changed");
        if (n_todo == 0) {
                manager_reply(reply, 0, NULL, with_groups(TAKE_PTR(list)));
                return 0;
        }
        if (wait_usec > timeout_usec)
                return manager_reply_errorf(
                        reply, -ETIMEDOUT, with_groups(TAKE_PTR(list)),
                        "the bond needs %llu ms to notify its peers; the timeout is %llu ms",
                        (unsigned long long)(wait_usec / 1000), (unsigned long long)(timeout_usec / 1000));

        /* The intent; the policy switches each group to its backup now. A
         * group whose switch failed is rolled back by the policy, and so are
         * the groups before it: one answer for the whole call. */
        for (size_t i = 0; i < n_todo; i++) {
                Group *g = todo[i];
                group_set_phase(g, GROUP_PHASE_PREPARING, "prepare-migration");
                group_reconcile(g);
                if (g->phase == GROUP_PHASE_PREPARING && g->failures > 0)
                        group_reconcile(g);
                if (g->phase != GROUP_PHASE_NORMAL)
                        continue;
                for (size_t j = 0; j < i; j++)
                        group_set_phase(todo[j], GROUP_PHASE_NORMAL, "the backup could not be made active");
                return manager_reply_errorf(
                        reply, -EIO, NULL, "group '%s': the backup could not be made active", g->spec->name);
        }
        Selection *sel = selection_new(todo, n_todo);
        if (!sel)
                return -ENOMEM;
        return wait_start(m, timeout_usec, check_prepare, sel, selection_free, reply);
}

/* ---- complete -------------------------------------------------------- */

static int check_complete(Manager *m, void *data, bool timed_out, json_object **ret_params,
                          char **ret_message) {
        Selection *sel = data;
        _cleanup_(json_object_putp) json_object *list = NULL;
        bool done = true;

        for (size_t i = 0; i < sel->n; i++) {
                Group *g = find_group(m, sel->names[i]);
                if (g && !g->disabled && g->state != GROUP_STATE_HEALTHY)
                        done = false;
        }
        if (!done && !timed_out)
                return 0;
        list = json_object_new_array();
        if (!list)
                return -ENOMEM;
        for (size_t i = 0; i < sel->n; i++) {
                Group *g = find_group(m, sel->names[i]);
                _cleanup_(freep) char *reason = NULL;
                if (!g)
                        continue;
                bool back = g->state == GROUP_STATE_HEALTHY;
                Link *vf = group_port(g, PORT_ROLE_PRIMARY);
                if (asprintf(&reason, back ? "back on %s" : "still without a VF: %s",
                             back ? (vf ? vf->device->link.name : "?") : strempty(g->reason)) < 0)
                        reason = NULL;
                json_object_array_add(list, group_report(g, back, reason));
        }
        *ret_params = with_groups(TAKE_PTR(list));
        if (done)
                return 1;
        *ret_message = strdup("not every group is back on a VF");
        return -ETIMEDOUT;
}

int migration_complete(Manager *m, const char *name, bool all, uint64_t timeout_usec,
                       const ManagerReply *reply) {
        _cleanup_(freep) Group **groups = NULL;
        _cleanup_(freep) char *error = NULL;
        size_t n;
        int k;

        k = select_groups(m, name, all, &groups, &n, &error);
        if (k < 0)
                return manager_reply_errorf(reply, k, NULL, "%s", strna(error));
        for (size_t i = 0; i < n; i++)
                if (groups[i]->phase == GROUP_PHASE_PREPARING)
                        return manager_reply_errorf(reply, -EINVAL, NULL,
                                                    "group '%s' is still being prepared",
                                                    groups[i]->spec->name);

        /* Ending the migration lets the policy take whichever VF is there:
         * the destination's, or the same one when the migration was
         * cancelled (rollback). */
        for (size_t i = 0; i < n; i++) {
                group_set_phase(groups[i], GROUP_PHASE_NORMAL, "completed on request");
                group_mark_dirty(groups[i]);
        }
        Selection *sel = selection_new(groups, n);
        if (!sel)
                return -ENOMEM;
        return wait_start(m, timeout_usec, check_complete, sel, selection_free, reply);
}
