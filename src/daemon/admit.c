/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What becomes of a device: once udev is done with it, its device-tree
 * node is read and pairing (core/pairing.c) says which group it serves,
 * perhaps a group of its own (udev properties, automatic pairing). */
#include <stdlib.h>

#include "log.h"
#include "manager-internal.h"
#include "pairing.h"

static bool link_is_candidate(const Link *l) {
        const LinkInfo *li = &l->device->link;
        return !streq(li->kind, "bond") && !(li->flags & IFF_LOOPBACK) && l->device->udev_initialized;
}

/* The specs pairing weighs: every group but the configuration's, which
 * the configuration itself hands pairing. */
static GroupSpec **pairing_specs(Manager *m, size_t *ret_n) {
        GroupSpec **specs = calloc(m->n_groups + 1, sizeof(GroupSpec *));
        size_t n = 0;

        if (!specs)
                return NULL;
        for (size_t i = 0; i < m->n_groups; i++)
                if (m->groups[i]->spec->source != GROUP_SOURCE_CONFIG)
                        specs[n++] = m->groups[i]->spec;
        *ret_n = n;
        return specs;
}

/* No group claims the device: its udev properties may define one. */
static void assign_from_udev(Manager *m, Link *l) {
        _cleanup_(group_spec_freep) GroupSpec *spec = NULL;
        PortRole role;
        Group *g;
        int k = pairing_group_from_udev(l->device, &spec, &role);

        if (k < 0) {
                if (!l->conflict_logged)
                        log_link_warning_errno(l->device->link.name, k,
                                               "invalid HNV_GROUP=/HNV_ROLE= udev properties: %m");
                l->conflict_logged = true;
                return;
        }
        if (k == 0)
                return;
        g = find_group(m, spec->name);
        if (g) {
                /* Same name as a group of higher rank that did not claim
                 * this device: do not mix them. */
                if (!l->conflict_logged)
                        log_link_warning(l->device->link.name,
                                         "udev group %s clashes with a %s group of that name", spec->name,
                                         group_source_to_string(g->spec->source));
                l->conflict_logged = true;
                return;
        }
        spec->options = m->config->bond_defaults;
        if (group_add(m, TAKE_PTR(spec), &g) >= 0) {
                l->group = g;
                l->role = role;
                state_save(m);
        }
}

void link_assign(Manager *m, Link *l) {
        _cleanup_(freep) GroupSpec **specs = NULL;
        Group *old = l->group;
        PairingResult r;
        size_t n = 0;

        l->group = NULL;
        if (!link_is_candidate(l) || l->excluded)
                goto done;
        specs = pairing_specs(m, &n);
        if (!specs)
                goto done;

        PairingContext ctx = {.config = m->config, .groups = specs, .n_groups = n};
        pairing_match(&ctx, l->device, &r);

        switch (r.kind) {
        case PAIRING_MATCHED: {
                Group *g = find_group(m, r.group->name);
                if (g && !g->disabled) {
                        l->group = g;
                        l->role = r.role;
                }
                break;
        }
        case PAIRING_CONFLICT:
        case PAIRING_IGNORED:
                if (!l->conflict_logged)
                        log_link_warning(l->device->link.name, "left alone: %s", strna(r.reason));
                l->conflict_logged = true;
                break;
        case PAIRING_NONE:
                assign_from_udev(m, l);
                break;
        case _PAIRING_RESULT_KIND_MAX:
        case _PAIRING_RESULT_KIND_INVALID:
                break;
        }

done:
        if (old != l->group) {
                if (l->group)
                        log_link_info(l->device->link.name, "belongs to group %s as %s",
                                      l->group->spec->name, port_role_to_string(l->role));
                else if (old)
                        log_link_info(l->device->link.name, "no longer in group %s", old->spec->name);
                group_mark_dirty(old);
        }
        group_mark_dirty(l->group);
}

static void on_auto_conflict(const Device *d, const char *reason, void *userdata) {
        log_link_warning(d->link.name, "not paired automatically: %s", reason);
}

void run_auto_pairing(Manager *m) {
        _cleanup_(freep) Device **devices = NULL;
        _cleanup_(freep) GroupSpec **specs = NULL, **found = NULL;
        size_t n = 0;
        int k;

        if (!m->config->auto_pairing)
                return;
        devices = device_array(m);
        specs = pairing_specs(m, &n);
        if (!devices || !specs)
                return;

        PairingContext ctx = {.config = m->config, .groups = specs, .n_groups = n};
        k = pairing_auto(&ctx, devices, m->n_links, &found, on_auto_conflict, NULL);
        if (k <= 0)
                return;
        for (int i = 0; i < k; i++) {
                found[i]->options = m->config->bond_defaults;
                (void)group_add(m, found[i], NULL);
        }
        for (size_t i = 0; i < m->n_links; i++)
                if (!m->links[i]->group)
                        link_assign(m, m->links[i]);
        state_save(m);
}

void assign_all(Manager *m) {
        for (size_t i = 0; i < m->n_links; i++)
                link_assign(m, m->links[i]);
        run_auto_pairing(m);
}

void link_readmit(Manager *m, Link *l) {
        if (!l->excluded)
                return;
        l->excluded = false;
        l->conflict_logged = false;
        log_link_info(l->device->link.name, "taken back in");
        link_assign(m, l);
        state_save(m);
}

void link_discovered(Manager *m, Link *l) {
        /* Without a udev daemon nothing will announce the device as
         * finished: the kernel's word is all there is. */
        if (!l || m->udev_running)
                return;
        device_set_udev(l->device, true, NULL, false, NULL);
        link_take_devicetree(m, l, l->device->link.name);
}

void link_admit(Manager *m, Link *l, const char *ifname) {
        if (l->device->udev_initialized)
                link_take_devicetree(m, l, ifname);
        l->conflict_logged = false;
        if (!m->started)
                return; /* assign_all() follows the enumeration */
        link_assign(m, l);
        if (!l->group)
                run_auto_pairing(m);
}
