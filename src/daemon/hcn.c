/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>

#include "hcn.h"
#include "log.h"
#include "manager-internal.h"
#include "migration.h"
#include "wait.h"

/* What an hcn command waits for. */
typedef enum HcnWaitKind {
        HCN_WAIT_CONFIGURE, /* one device in its bond */
        HCN_WAIT_SCAN,      /* every present device-tree device in its bond */
        _HCN_WAIT_KIND_MAX,
        _HCN_WAIT_KIND_INVALID = -EINVAL,
} HcnWaitKind;

typedef struct HcnWait {
        HcnWaitKind kind;
        uint32_t drc_index; /* HCN_WAIT_CONFIGURE */
        int pruned;         /* HCN_WAIT_SCAN: what the backend forgot */
} HcnWait;

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put);

/* ---- devices ---------------------------------------------------------- */

/* The device-tree node the console means by a DRC index, after reading the
 * tree again: a DLPAR add changes it just before the command comes. With
 * ret_private the tree is read into a table of the caller's own and
 * nothing is applied (QueryDevice: anyone may ask, and a question changes
 * nothing); without it the manager takes the new tree. */
static int find_entry(Manager *m, uint32_t drc_index, DtTable **ret_private, const DtEntry **ret,
                      char **ret_error) {
        _cleanup_(dt_table_freep) DtTable *private = NULL;
        const DtTable *t;
        const DtEntry *e;
        int k;

        if (!m->config->device_tree)
                return set_error(ret_error, -ENODEV,
                                 "device-tree pairing is off (device-tree = no in hnv.conf)");
        k = ret_private ? dt_scan(m->config->device_tree_root, &private, NULL, NULL)
                        : manager_devicetree_rescan(m);
        if (k == -ENOENT)
                return set_error(ret_error, -ENODEV, "no device tree: not a PowerVM partition");
        if (k < 0)
                return set_error(ret_error, k, "cannot read the device tree: %s", strerror(-k));
        t = ret_private ? private : m->dt;
        e = t ? dt_table_next_drc_index(t, drc_index, NULL) : NULL;
        if (!e) {
                const DtRejected *r = t ? dt_table_find_rejected_drc_index(t, drc_index) : NULL;
                if (r)
                        return set_error(ret_error, -ENODEV,
                                         "the device with DRC index %08x (%s) is not usable for HNV: %s",
                                         drc_index, r->devspec, r->why);
                return set_error(ret_error, -ENODEV, "no HNV device with DRC index %08x in the device tree",
                                 drc_index);
        }
        *ret = e;
        if (ret_private)
                *ret_private = TAKE_PTR(private);
        return 0;
}

static void warn_hcn_id(const DtEntry *e, const char *hcn_id) {
        char want[HCN_ID_SIZE];

        /* The predecessor only warned here; the DRC index is what names the
         * device, the hcn-id a cross-check. */
        if (hcn_id && (hcn_id_normalize(hcn_id, want) < 0 || !streq(want, e->hcn_id)))
                log_warning("HCN_ID=%s does not match the hcn-id %s of %s", hcn_id, e->hcn_id, e->devspec);
}

/* Another port of the bond can carry the traffic once l is gone. */
static bool others_carry(Link *l) {
        Group *g = l->group;
        Manager *m = g->manager;

        for (size_t i = 0; i < m->n_links; i++) {
                Link *o = m->links[i];
                const LinkInfo *li = &o->device->link;
                if (o != l && o->group == g && link_in_bond_of(o, g) && li->carrier && li->is_bond_port &&
                    li->bond_port_mii_up)
                        return true;
        }
        return false;
}

static json_object *device_reply(Link *l, const DtEntry *e, const char *extra_key, bool extra) {
        json_object *o = json_object_new_object();

        if (!o)
                return NULL;
        json_object_object_add(o, "device", l ? json_object_new_string(l->device->link.name) : NULL);
        json_object_object_add(o, "hcn_id", json_object_new_string(e->hcn_id));
        json_object_object_add(o, "devspec", json_object_new_string(e->devspec));
        json_object_object_add(o, "group",
                               l && l->group ? json_object_new_string(l->group->spec->name) : NULL);
        if (extra_key)
                json_object_object_add(o, extra_key, json_object_new_boolean(extra));
        return o;
}

/* ---- waits ------------------------------------------------------------ */

/* Whether the device-tree node's netdev is in its group's bond; *ret_link
 * is the netdev when there is one, *ret_why what is missing. */
static bool entry_in_bond(Manager *m, const DtEntry *e, Link **ret_link, const char **ret_why) {
        Link *l = find_link_by_devspec(m, e->devspec);
        Group *g = find_group(m, e->hcn_id);

        *ret_link = l;
        if (!l)
                *ret_why = "no network device for it yet";
        else if (!l->device->udev_initialized)
                *ret_why = "udev has not finished with it";
        else if (!g || g->disabled || l->group != g)
                *ret_why = "not paired into its group";
        else if (!link_in_bond_of(l, g))
                *ret_why = "not in the bond yet";
        else
                return true;
        return false;
}

/* ConfigureDevice's and Scan's wait (wait.h). */
static int wait_check(Manager *m, void *data, bool timed_out, json_object **ret_params, char **ret_message) {
        HcnWait *w = data;
        _cleanup_(json_object_putp) json_object *list = NULL;
        const char *why = NULL;
        const DtEntry *e;
        Link *l = NULL;
        bool done = true;

        switch (w->kind) {
        case HCN_WAIT_CONFIGURE:
                e = m->dt ? dt_table_next_drc_index(m->dt, w->drc_index, NULL) : NULL;
                if (!e) {
                        if (asprintf(ret_message, "DRC index %08x left the device tree", w->drc_index) < 0)
                                *ret_message = NULL;
                        return -ENODEV;
                }
                /* Every node of the index (a pci slot may hold more than one
                 * port); the reply names the first. */
                const DtEntry *first = e;
                Link *first_link = NULL;
                for (; e; e = dt_table_next_drc_index(m->dt, w->drc_index, e)) {
                        done = entry_in_bond(m, e, &l, &why);
                        if (e == first)
                                first_link = l;
                        if (!done)
                                break;
                }
                if (done) {
                        *ret_params = device_reply(first_link, first, NULL, false);
                        return 1;
                }
                if (!timed_out)
                        return 0;
                if (asprintf(ret_message, "%s (DRC index %08x): %s", l ? l->device->link.name : e->devspec,
                             w->drc_index, why) < 0)
                        *ret_message = NULL;
                return -ETIMEDOUT;

        case HCN_WAIT_SCAN:
                list = json_object_new_array();
                if (!list)
                        return -ENOMEM;
                for (size_t i = 0; m->dt && i < m->dt->n_entries; i++) {
                        e = &m->dt->entries[i];
                        bool in = entry_in_bond(m, e, &l, &why);
                        /* A node whose device is not there (a VF unplugged
                         * for a migration, a slot not populated) is not
                         * waited for: nothing will bring it. */
                        if (!l)
                                continue;
                        if (!in)
                                done = false;
                        json_object *o = device_reply(l, e, "in_bond", in);
                        if (o && !in)
                                json_object_object_add(o, "reason", json_object_new_string(why));
                        json_object_array_add(list, o);
                }
                if (!done && !timed_out)
                        return 0;
                json_object *o = json_object_new_object();
                if (!o)
                        return -ENOMEM;
                json_object_object_add(o, "devices", TAKE_PTR(list));
                json_object_object_add(o, "pruned", json_object_new_int(w->pruned));
                *ret_params = o;
                if (done)
                        return 1;
                *ret_message = strdup("not every device joined its bond in time");
                return -ETIMEDOUT;

        case _HCN_WAIT_KIND_MAX:
        case _HCN_WAIT_KIND_INVALID:
                break;
        }
        return -EINVAL;
}

static int hcn_wait(Manager *m, HcnWaitKind kind, uint32_t drc_index, int pruned, uint64_t timeout_usec,
                    const ManagerReply *reply) {
        HcnWait *w = calloc(1, sizeof(HcnWait));

        if (!w)
                return -ENOMEM;
        *w = (HcnWait){.kind = kind, .drc_index = drc_index, .pruned = pruned};
        /* Answered after the next reconcile pass, which the events that
         * brought us here have already scheduled, or right away. */
        return wait_start(m, timeout_usec, wait_check, w, free, reply);
}

/* ---- the commands ----------------------------------------------------- */

int hcn_configure_device(Manager *m, uint32_t drc_index, uint64_t timeout_usec, const ManagerReply *reply) {
        _cleanup_(freep) char *error = NULL;
        const DtEntry *e;
        Group *g;
        int k;

        k = find_entry(m, drc_index, NULL, &e, &error);
        if (k < 0)
                return manager_reply_errorf(reply, -ENODEV, NULL, "%s", strna(error));

        /* The console configures a group it dissolved before (hcnrmhcn, then
         * the port added again): it is wanted again. */
        g = find_group(m, e->hcn_id);
        if (g && g->disabled && g->spec->source == GROUP_SOURCE_DEVICETREE)
                group_enable(g);
        else if (g && g->disabled)
                return manager_reply_errorf(reply, -EINVAL, NULL,
                                            "group %s was removed with hnvctl remove; add it again first",
                                            g->spec->name);
        /* A device the console took out with hcnrmdev and now configures
         * again is wanted again: a backup it excluded, or the VF it
         * released for a migration that did not happen (the predecessor
         * deleted the port's profile and made it again), which ends that
         * migration as complete-migration would. */
        for (const DtEntry *x = e; x; x = dt_table_next_drc_index(m->dt, drc_index, x)) {
                Link *l = find_link_by_devspec(m, x->devspec);

                if (!l)
                        continue;
                link_readmit(m, l);
                if (l->group && l->group->phase == GROUP_PHASE_MIGRATING &&
                    l->device->link.ifindex == l->group->released_ifindex)
                        group_set_phase(l->group, GROUP_PHASE_NORMAL,
                                        "the console configured the released VF again");
        }
        log_info("configure DRC index %08x (%s, hcn-id %s)", drc_index, e->devspec, e->hcn_id);
        return hcn_wait(m, HCN_WAIT_CONFIGURE, drc_index, 0, timeout_usec, reply);
}

int hcn_query_device(Manager *m, uint32_t drc_index, const char *hcn_id, json_object **ret,
                     char **ret_error) {
        _cleanup_(dt_table_freep) DtTable *table = NULL;
        const DtEntry *e = NULL;
        Link *l;
        bool removable = true;
        const char *reason = "in no bond";
        int k;

        k = find_entry(m, drc_index, &table, &e, ret_error);
        if (k < 0)
                return k;
        warn_hcn_id(e, hcn_id);

        l = find_link_by_devspec(m, e->devspec);
        if (!l)
                reason = "no network device";
        else if (l->group && group_migrating(l->group) &&
                 l->device->link.ifindex == l->group->released_ifindex && !link_in_bond_of(l, l->group))
                reason = "already released";
        else if (l->group && link_in_bond_of(l, l->group)) {
                removable = others_carry(l);
                reason = removable ? "another port of the bond carries the traffic" : "no backup device";
        }
        *ret = device_reply(l, e, "removable", removable);
        if (!*ret)
                return -ENOMEM;
        json_object_object_add(*ret, "reason", json_object_new_string(reason));
        return 0;
}

int hcn_remove_device(Manager *m, uint32_t drc_index, const char *hcn_id, uint64_t timeout_usec,
                      const ManagerReply *reply) {
        _cleanup_(freep) char *error = NULL, *group = NULL;
        const DtEntry *e;
        Link *l;
        int k;

        k = find_entry(m, drc_index, NULL, &e, &error);
        if (k < 0)
                return manager_reply_errorf(reply, -ENODEV, NULL, "%s", strna(error));
        warn_hcn_id(e, hcn_id);

        l = find_link_by_devspec(m, e->devspec);
        if (!l || !l->group || !link_in_bond_of(l, l->group)) {
                /* Nothing holds it: the console may unplug it. */
                manager_reply(reply, 0, NULL, device_reply(l, e, "released", false));
                return 0;
        }
        if (!others_carry(l))
                return manager_reply_errorf(reply, -EBUSY, NULL,
                                            "%s: no backup device can carry the traffic",
                                            l->device->link.name);

        log_group_info(l->group->spec->name, "remove %s (DRC index %08x) requested", l->device->link.name,
                       drc_index);
        if (l->role == PORT_ROLE_PRIMARY)
                /* The migration's planned release: the backup takes over
                 * before the VF leaves, so no frame is lost, and the group
                 * waits for the VF that comes back (or the destination's). */
                return migration_prepare(m, l->group->spec->name, false, timeout_usec, reply);

        k = manager_remove_port(m, l->device->link.name, &group, &error);
        if (k < 0)
                return manager_reply_errorf(reply, -EIO, NULL, "%s", strna(error));
        manager_reply(reply, 0, NULL, device_reply(l, e, "released", true));
        return 0;
}

static bool keep_ifname(const char *ifname, void *userdata) {
        Manager *m = userdata;
        Group *g;

        if (find_link_by_name(m, ifname))
                return true;
        g = find_group_by_bond(m, ifname);
        return g && !g->disabled;
}

int hcn_scan(Manager *m, uint64_t timeout_usec, const ManagerReply *reply) {
        int k, pruned = 0;

        k = manager_devicetree_rescan(m);
        if (k < 0 && k != -ENOENT)
                return manager_reply_errorf(reply, -EIO, NULL, "cannot read the device tree: %s",
                                            strerror(-k));

        /* Profiles and ifcfg files of devices that went away while the guest
         * was off (an inactive migration takes the VF): only ever hnv's or
         * hcnmgr's, never anyone else's. */
        if (m->backend->ops->prune) {
                pruned = m->backend->ops->prune(m->backend, keep_ifname, m);
                if (pruned < 0) {
                        log_warning_errno(pruned, "cannot forget the configuration of vanished devices: %m");
                        pruned = 0;
                } else if (pruned > 0)
                        log_info("forgot the persisted configuration of %d vanished interface%s", pruned,
                                 pruned == 1 ? "" : "s");
        }
        for (size_t i = 0; i < m->n_groups; i++)
                group_mark_dirty(m->groups[i]);
        return hcn_wait(m, HCN_WAIT_SCAN, 0, pruned, timeout_usec, reply);
}
