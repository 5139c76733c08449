/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "log.h"
#include "manager-internal.h"
#include "migration.h"

struct MigrationWait {
        MigrationWait *next;
        Manager *manager;
        VarlinkCall *call;
        char **groups; /* names: a group may go away while we wait */
        size_t n_groups;
        sd_event_source *timer;
        bool prepare; /* waiting for peer notifications, then release */
};

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put);

static MigrationWait *wait_free(MigrationWait *w) {
        if (!w)
                return NULL;
        sd_event_source_disable_unref(w->timer);
        varlink_call_unref(w->call);
        for (size_t i = 0; i < w->n_groups; i++)
                free(w->groups[i]);
        free(w->groups);
        return mfree(w);
}

static void wait_unlink(MigrationWait *w) {
        for (MigrationWait **p = &w->manager->waits; *p; p = &(*p)->next)
                if (*p == w) {
                        *p = w->next;
                        return;
                }
}

void migration_free_waits(Manager *m) {
        while (m->waits) {
                MigrationWait *w = m->waits;
                m->waits = w->next;
                wait_free(w);
        }
}

/* ---- which groups ---------------------------------------------------- */

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
                        if (!g->disabled && (group_has_port(g) || g->migrating))
                                l[n++] = g;
                }
        *ret = TAKE_PTR(l);
        *ret_n = n;
        return 0;
}

/* ---- reports --------------------------------------------------------- */

/* Safe to take the VF out: the backup is in the bond, has carrier, and the
 * bond itself sees its link up (else the kernel refuses to make it active). */
static bool group_safe(Group *g, char **ret_reason) {
        Link *bond = group_bond(g), *bk = group_port(g, PORT_ROLE_BACKUP);
        const char *why = NULL;
        int k;

        if (!bond)
                why = "no bond";
        else if (!bk)
                why = "no backup device";
        else if (bk->device->link.master_ifindex != bond->device->link.ifindex)
                why = "the backup is not in the bond";
        else if (!bk->device->link.carrier)
                why = "the backup has no carrier";
        else if (!bk->device->link.is_bond_port || !bk->device->link.bond_port_mii_up)
                why = "the bond sees the backup's link down";

        if (why)
                k = asprintf(ret_reason, "not safe: %s", why);
        else
                k = asprintf(ret_reason, "%s can carry the traffic", bk->device->link.name);
        if (k < 0)
                *ret_reason = NULL;
        return !why;
}

static const char *active_name(Group *g) {
        Link *bond = group_bond(g);
        Link *a = bond && bond->device->link.bond_active_ifindex > 0
                          ? find_link(g->manager, bond->device->link.bond_active_ifindex)
                          : NULL;
        return a ? a->device->link.name : "";
}

static json_object *group_report(Group *g, bool safe, const char *reason) {
        json_object *o = json_object_new_object();
        Link *vf = group_port(g, PORT_ROLE_PRIMARY);

        if (!o)
                return NULL;
        json_object_object_add(o, "name", json_object_new_string(g->spec->name));
        json_object_object_add(o, "safe", json_object_new_boolean(safe));
        json_object_object_add(o, "reason", json_object_new_string(strempty(reason)));
        json_object_object_add(o, "state", json_object_new_string(group_state_to_string(g->state)));
        json_object_object_add(o, "active", json_object_new_string(active_name(g)));
        json_object_object_add(o, "vf", json_object_new_string(vf ? vf->device->link.name : ""));
        return o;
}

static json_object *reply_with_groups(json_object *groups) {
        json_object *o = json_object_new_object();
        if (!o) {
                json_object_put(groups);
                return NULL;
        }
        json_object_object_add(o, "groups", groups);
        return o;
}

static int error_with_groups(VarlinkCall *call, const char *error, json_object *groups, const char *fmt, ...)
        _printf_(4, 5);
static int error_with_groups(VarlinkCall *call, const char *error, json_object *groups, const char *fmt, ...) {
        _cleanup_(freep) char *msg = NULL;
        json_object *o = json_object_new_object();
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        if (!o) {
                json_object_put(groups);
                return -ENOMEM;
        }
        json_object_object_add(o, "message", json_object_new_string(strempty(msg)));
        json_object_object_add(o, "groups", groups);
        return varlink_call_error(call, error, o);
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
                bool safe = group_safe(groups[i], &reason);
                /* Already prepared: the VF is out, nothing left to make safe. */
                if (groups[i]->migrating && !groups[i]->preparing) {
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

/* ---- the end of a migration ----------------------------------------- */

static int on_migration_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        Group *g = userdata;
        char why[96];

        snprintf(why, sizeof(why), "not completed within %u s, back to normal operation",
                 g->manager->config->migration_timeout_sec);
        migration_end(g, why);
        return 0;
}

void migration_arm_timer(Group *g) {
        Manager *m = g->manager;

        g->migration_timer = sd_event_source_disable_unref(g->migration_timer);
        if (!g->migrating || !m->event)
                return;
        uint64_t deadline = g->migrating_since + (uint64_t)m->config->migration_timeout_sec * 1000000ULL;
        (void)sd_event_add_time(m->event, &g->migration_timer, CLOCK_MONOTONIC, deadline, 0, on_migration_timeout,
                                g);
}

void migration_end(Group *g, const char *why) {
        Manager *m = g->manager;
        Link *bond = group_bond(g);

        if (!g->migrating)
                return;
        log_group_info(g->spec->name, "migration ended: %s", why);
        if (bond)
                (void)m->backend->ops->set_all_ports_active(m->backend, bond->device->link.ifindex, false);
        g->migrating = false;
        g->preparing = false;
        g->released_ifindex = 0;
        g->migrating_since = 0;
        g->migration_timer = sd_event_source_disable_unref(g->migration_timer);
        save_state(m);
        group_mark_dirty(g);
}

void migration_check_new_vf(Group *g) {
        Manager *m = g->manager;

        if (!g->migrating || g->preparing)
                return;
        for (size_t i = 0; i < m->n_links; i++) {
                Link *l = m->links[i];
                if (l->group != g || l->role != PORT_ROLE_PRIMARY || l->device->link.ifindex == g->released_ifindex)
                        continue;
                char why[64];
                snprintf(why, sizeof(why), "new VF %s appeared", l->device->link.name);
                migration_end(g, why);
                return;
        }
}

/* ---- the backup's MAC ------------------------------------------------ */

/* With fail_over_mac=follow a switch hands the old active port the new one's
 * MAC: the VF would take the backup's MAC, and frames still on their way
 * down the VF's path, addressed to the guest, would reach a port that is no
 * longer theirs and be dropped (all_slaves_active delivers frames that arrive
 * on an inactive port, not frames for another address). So before the switch
 * the backup takes the bond's MAC — what follow gives it at the switch anyway
 * — and the swap leaves the VF with the MAC it has, as a hypervisor that
 * fixes the VF's MAC would. Best effort: without it the switch still works,
 * with the loss described. */
static void backup_take_bond_mac(Group *g, Link *bond, Link *bk) {
        Manager *m = g->manager;
        char buf[HW_ADDR_STRLEN];

        if (bond->device->link.bond_fail_over_mac != FAIL_OVER_MAC_FOLLOW ||
            hw_addr_equal(&bk->device->link.mac, &bond->device->link.mac))
                return;
        int k = m->backend->ops->set_address(m->backend, bk->device->link.ifindex, &bond->device->link.mac);
        if (k < 0)
                log_group_full_errno(LOG_WARNING, k, g->spec->name, bk->device->link.name,
                                     "cannot take the bond's MAC %s before the switch (frames in flight may be "
                                     "lost): %m",
                                     hw_addr_format(&bond->device->link.mac, buf));
        else
                log_group_full_errno(LOG_DEBUG, 0, g->spec->name, bk->device->link.name,
                                     "takes the bond's MAC %s before the switch",
                                     hw_addr_format(&bond->device->link.mac, buf));
        refresh_link(m, bk->device->link.ifindex);
}

/* With follow, the backup can be left with the guest's MAC once the VF is
 * active: after a migration (the released VF took the backup's own MAC with
 * it, or backup_take_bond_mac() gave it away), and when the backup was
 * enslaved first and so active first. An
 * inactive port with the active port's MAC receives what a hypervisor's
 * virtual switch delivers by address, so it gets its own back. */
void migration_restore_backup_mac(Group *g) {
        Manager *m = g->manager;
        Link *bond = group_bond(g), *bk = group_port(g, PORT_ROLE_BACKUP), *vf = group_port(g, PORT_ROLE_PRIMARY);
        char buf[HW_ADDR_STRLEN];

        if (g->migrating || g->preparing || !bond || !bk || !vf ||
            bond->device->link.bond_fail_over_mac != FAIL_OVER_MAC_FOLLOW ||
            bond->device->link.bond_active_ifindex != vf->device->link.ifindex ||
            bk->device->link.master_ifindex != bond->device->link.ifindex || !bk->device->link.has_perm_mac ||
            !hw_addr_equal(&bk->device->link.mac, &bond->device->link.mac) ||
            hw_addr_equal(&bk->device->link.perm_mac, &bond->device->link.mac))
                return;
        int k = m->backend->ops->set_address(m->backend, bk->device->link.ifindex, &bk->device->link.perm_mac);
        if (k < 0)
                log_group_full_errno(LOG_WARNING, k, g->spec->name, bk->device->link.name,
                                     "cannot take its own MAC %s back: %m",
                                     hw_addr_format(&bk->device->link.perm_mac, buf));
        else
                log_group_full_errno(LOG_INFO, 0, g->spec->name, bk->device->link.name, "own MAC %s back",
                                     hw_addr_format(&bk->device->link.perm_mac, buf));
        refresh_link(m, bk->device->link.ifindex);
}

/* ---- prepare --------------------------------------------------------- */

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

/* Undoes a prepare that could not finish: the VF goes back to being active. */
static void prepare_rollback(Group *g, const char *why) {
        migration_end(g, why);
}

static int finish_prepare(MigrationWait *w) {
        Manager *m = w->manager;
        _cleanup_(json_object_putp) json_object *list = json_object_new_array();
        bool failed = false;

        if (!list)
                return -ENOMEM;
        for (size_t i = 0; i < w->n_groups; i++) {
                Group *g = find_group(m, w->groups[i]);
                _cleanup_(freep) char *reason = NULL;
                Link *bond, *bk, *vf;

                if (!g || !g->preparing)
                        continue;
                g->preparing = false;
                bond = group_bond(g);
                bk = group_port(g, PORT_ROLE_BACKUP);
                vf = group_port(g, PORT_ROLE_PRIMARY);

                if (!bond || !bk || bond->device->link.bond_active_ifindex != bk->device->link.ifindex) {
                        /* Something moved while the notifications went out. */
                        prepare_rollback(g, "the backup stopped being active during prepare");
                        json_object_array_add(list, group_report(g, false, "the backup stopped being active"));
                        failed = true;
                        continue;
                }
                if (vf && vf->device->link.master_ifindex == bond->device->link.ifindex) {
                        int k = m->backend->ops->release(m->backend, vf->device->link.ifindex);
                        if (backend_in_progress(k))
                                log_group_full_errno(LOG_INFO, 0, g->spec->name, vf->device->link.name,
                                                     "released for migration through %s",
                                                     m->backend->ops->name);
                        else if (k < 0)
                                log_group_full_errno(LOG_ERR, k, g->spec->name, vf->device->link.name,
                                                     "release failed: %m");
                        else
                                log_group_full_errno(LOG_INFO, 0, g->spec->name, vf->device->link.name,
                                                     "released for migration");
                        refresh_link(m, vf->device->link.ifindex);
                }
                (void)m->backend->ops->set_all_ports_active(m->backend, bond->device->link.ifindex, false);
                refresh_link(m, bond->device->link.ifindex);
                group_set_state(g, GROUP_STATE_MIGRATING, "VF released for migration, backup carries traffic");
                migration_arm_timer(g);
                group_mark_dirty(g);
                if (asprintf(&reason, "released %s, %s active", vf ? vf->device->link.name : "no VF",
                             bk->device->link.name) < 0)
                        reason = NULL;
                json_object_array_add(list, group_report(g, true, reason));
        }
        save_state(m);
        if (failed)
                return error_with_groups(w->call, "io.hnv.NotSafe", TAKE_PTR(list),
                                         "a backup stopped being active; that group was rolled back");
        return varlink_call_reply(w->call, reply_with_groups(TAKE_PTR(list)));
}

static int on_prepare_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        MigrationWait *w = userdata;

        wait_unlink(w);
        (void)finish_prepare(w);
        wait_free(w);
        return 0;
}

static MigrationWait *wait_new(Manager *m, VarlinkCall *call, Group **groups, size_t n, bool prepare) {
        MigrationWait *w = calloc(1, sizeof(MigrationWait));

        if (!w)
                return NULL;
        w->manager = m;
        w->call = varlink_call_ref(call);
        w->prepare = prepare;
        w->groups = calloc(n + 1, sizeof(char *));
        if (!w->groups)
                return wait_free(w);
        for (size_t i = 0; i < n; i++) {
                w->groups[i] = strdup(groups[i]->spec->name);
                if (!w->groups[i])
                        return wait_free(w);
                w->n_groups++;
        }
        w->next = m->waits;
        m->waits = w;
        return w;
}

int migration_prepare(Manager *m, VarlinkCall *call, const char *name, bool all, uint64_t timeout_usec) {
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
                return varlink_call_errorf(call, k == -ENOENT ? "io.hnv.NoSuchGroup" : "io.hnv.InvalidArgument",
                                           "%s", strna(error));
        todo = calloc(n + 1, sizeof(Group *));
        if (!todo)
                return -ENOMEM;

        /* Check every group first: one unsafe group refuses the whole call,
         * and nothing has been touched yet. */
        for (size_t i = 0; i < n; i++) {
                Group *g = groups[i];
                _cleanup_(freep) char *reason = NULL;
                Link *bond = group_bond(g), *vf = group_port(g, PORT_ROLE_PRIMARY);
                bool vf_in = bond && vf && vf->device->link.master_ifindex == bond->device->link.ifindex;

                if (g->preparing)
                        return varlink_call_errorf(call, "io.hnv.InvalidArgument",
                                                   "group '%s' is being prepared by another call", g->spec->name);
                if (g->migrating && !vf_in) {
                        json_object_array_add(list, group_report(g, true, "VF already released for migration"));
                        continue;
                }
                bool safe = group_safe(g, &reason);
                json_object_array_add(list, group_report(g, safe, reason));
                all_safe = all_safe && safe;
                todo[n_todo++] = g;
        }
        if (!all_safe)
                return error_with_groups(call, "io.hnv.NotSafe", TAKE_PTR(list),
                                         "not safe to remove the VF; nothing was changed");
        if (n_todo == 0)
                return varlink_call_reply(call, reply_with_groups(TAKE_PTR(list)));

        for (size_t i = 0; i < n_todo; i++) {
                Group *g = todo[i];
                Link *bond = group_bond(g), *bk = group_port(g, PORT_ROLE_BACKUP),
                     *vf = group_port(g, PORT_ROLE_PRIMARY);
                int bond_ifindex = bond->device->link.ifindex;

                /* Frames in flight down the VF's path will arrive on a port
                 * that is no longer active: deliver them instead of dropping. */
                k = m->backend->ops->set_all_ports_active(m->backend, bond_ifindex, true);
                if (k < 0)
                        log_group_error_errno(g->spec->name, k, "cannot set all_slaves_active: %m");
                g->preparing = true;
                g->migrating = true;
                g->migrating_since = now_usec();
                g->released_ifindex = vf ? vf->device->link.ifindex : 0;

                if (bond->device->link.bond_active_ifindex != bk->device->link.ifindex) {
                        backup_take_bond_mac(g, bond, bk);
                        k = m->backend->ops->set_active(m->backend, bond_ifindex, bk->device->link.ifindex);
                        refresh_link(m, bond_ifindex);
                        if (k < 0 || group_bond(g)->device->link.bond_active_ifindex != bk->device->link.ifindex) {
                                for (size_t j = 0; j <= i; j++)
                                        prepare_rollback(todo[j], "the backup could not be made active");
                                return varlink_call_errorf(call, "io.hnv.InternalError",
                                                           "group '%s': cannot make %s active: %s", g->spec->name,
                                                           bk->device->link.name, strerror(k < 0 ? -k : EIO));
                        }
                        log_group_full_errno(LOG_INFO, 0, g->spec->name, bk->device->link.name,
                                             "made active for migration");
                        uint64_t u = peer_notif_usec(&g->spec->options);
                        if (u > wait_usec)
                                wait_usec = u;
                }
        }
        save_state(m);

        if (wait_usec > timeout_usec) {
                for (size_t i = 0; i < n_todo; i++)
                        prepare_rollback(todo[i], "timeout shorter than the peer notifications");
                return error_with_groups(call, "io.hnv.Timeout", TAKE_PTR(list),
                                         "the bond needs %llu ms to notify its peers; the timeout is %llu ms",
                                         (unsigned long long)(wait_usec / 1000),
                                         (unsigned long long)(timeout_usec / 1000));
        }

        MigrationWait *w = wait_new(m, call, todo, n_todo, true);
        if (!w)
                return -ENOMEM;
        k = sd_event_add_time_relative(m->event, &w->timer, CLOCK_MONOTONIC, wait_usec, 0, on_prepare_timer, w);
        if (k < 0) {
                wait_unlink(w);
                wait_free(w);
                return k;
        }
        return 0;
}

/* ---- complete -------------------------------------------------------- */

static bool wait_done(MigrationWait *w) {
        for (size_t i = 0; i < w->n_groups; i++) {
                Group *g = find_group(w->manager, w->groups[i]);
                if (g && !g->disabled && g->state != GROUP_STATE_HEALTHY)
                        return false;
        }
        return true;
}

static json_object *wait_report(MigrationWait *w) {
        json_object *list = json_object_new_array();

        if (!list)
                return NULL;
        for (size_t i = 0; i < w->n_groups; i++) {
                Group *g = find_group(w->manager, w->groups[i]);
                if (!g)
                        continue;
                bool back = g->state == GROUP_STATE_HEALTHY;
                Link *vf = group_port(g, PORT_ROLE_PRIMARY);
                _cleanup_(freep) char *reason = NULL;
                if (asprintf(&reason, back ? "back on %s" : "still without a VF: %s",
                             back ? (vf ? vf->device->link.name : "?") : strempty(g->reason)) < 0)
                        reason = NULL;
                json_object_array_add(list, group_report(g, back, reason));
        }
        return list;
}

static int on_complete_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        MigrationWait *w = userdata;

        wait_unlink(w);
        (void)error_with_groups(w->call, "io.hnv.Timeout", wait_report(w),
                                "not every group is back on a VF");
        wait_free(w);
        return 0;
}

void migration_check_waits(Manager *m) {
        for (MigrationWait *w = m->waits, *next; w; w = next) {
                next = w->next;
                if (w->prepare || !wait_done(w))
                        continue;
                wait_unlink(w);
                (void)varlink_call_reply(w->call, reply_with_groups(wait_report(w)));
                wait_free(w);
        }
}

int migration_complete(Manager *m, VarlinkCall *call, const char *name, bool all, uint64_t timeout_usec) {
        _cleanup_(freep) Group **groups = NULL;
        _cleanup_(freep) char *error = NULL;
        size_t n;
        int k;

        k = select_groups(m, name, all, &groups, &n, &error);
        if (k < 0)
                return varlink_call_errorf(call, k == -ENOENT ? "io.hnv.NoSuchGroup" : "io.hnv.InvalidArgument",
                                           "%s", strna(error));
        for (size_t i = 0; i < n; i++)
                if (groups[i]->preparing)
                        return varlink_call_errorf(call, "io.hnv.InvalidArgument",
                                                   "group '%s' is still being prepared", groups[i]->spec->name);

        /* Ending the migration lets the policy take whichever VF is there:
         * the destination's, or the same one when the migration was
         * cancelled (rollback). */
        for (size_t i = 0; i < n; i++)
                migration_end(groups[i], "completed on request");

        MigrationWait *w = wait_new(m, call, groups, n, false);
        if (!w)
                return -ENOMEM;
        k = sd_event_add_time_relative(m->event, &w->timer, CLOCK_MONOTONIC, timeout_usec, 0,
                                       on_complete_timeout, w);
        if (k < 0) {
                wait_unlink(w);
                wait_free(w);
                return k;
        }
        /* Groups already healthy answer at the end of the next reconcile
         * pass, which the dirty marks above schedule; make sure one runs. */
        for (size_t i = 0; i < n; i++)
                group_mark_dirty(groups[i]);
        if (n == 0)
                migration_check_waits(m);
        return 0;
}
