/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hnvctl's operations on groups: add, remove, remove-port, reconcile. */
#include <stdlib.h>

#include "log.h"
#include "manager-internal.h"
#include "pairing.h"

static int parse_device_arg(Manager *m, const char *arg, PortMatch *ret, char **ret_error) {
        /* A bare interface name that exists now is pinned by its identity
         * MAC, so the group still finds the device after a rename or a
         * re-plug under another name. */
        if (!strchr(arg, ':')) {
                Link *l = find_link_by_name(m, arg);
                if (!l)
                        return set_error(ret_error, -ENODEV, "no network device '%s'", arg);
                if (l->device->has_identity_mac) {
                        *ret = (PortMatch){.type = PORT_MATCH_MAC, .mac = l->device->identity_mac};
                        return 0;
                }
        }
        if (port_match_parse(arg, ret) < 0)
                return set_error(ret_error, -EINVAL,
                                 "'%s' is neither a MAC address, an interface name nor a match", arg);
        /* One hcn-id names both ports; only the tree's ibm,hcn-mode tells
         * them apart, and device-tree groups have it already. */
        if (ret->type == PORT_MATCH_HCN_ID) {
                port_match_done(ret);
                return set_error(ret_error, -EINVAL, "'%s': hcn-id matches are for device-tree groups only",
                                 arg);
        }
        return 0;
}

int manager_add_group(Manager *m, const char *name, const char *primary, const char *backup,
                      const char *bond, json_object **ret_group, char **ret_error) {
        _cleanup_(group_spec_freep) GroupSpec *spec = NULL;
        Group *g;
        int k;

        if (!group_name_is_valid(name))
                return set_error(ret_error, -EINVAL,
                                 "invalid group name '%s': use 1-%d of A-Z a-z 0-9 _ . -", name,
                                 GROUP_NAME_MAX);
        g = find_group(m, name);
        if (g && !g->disabled)
                return set_error(ret_error, -EEXIST, "group '%s' exists (%s)", name,
                                 group_source_to_string(g->spec->source));

        spec = group_spec_new(name, GROUP_SOURCE_RUNTIME);
        if (!spec)
                return -ENOMEM;
        spec->options = m->config->bond_defaults;
        if (bond) {
                if (!ifname_is_valid(bond))
                        return set_error(ret_error, -EINVAL,
                                         "invalid bond name '%s' (at most %d characters)", bond,
                                         IFNAMSIZ - 1);
                memcpy(spec->bond_name, bond, strlen(bond) + 1);
        } else if (group_default_bond_name(name, spec->bond_name) < 0)
                return set_error(ret_error, -EINVAL, "bond name 'bond%s' is too long: name one with --bond",
                                 name);
        Group *other = find_group_by_bond(m, spec->bond_name);
        if (other && other != g)
                return set_error(ret_error, -EEXIST, "bond %s already belongs to group '%s'",
                                 spec->bond_name, other->spec->name);

        k = parse_device_arg(m, primary, &spec->match[PORT_ROLE_PRIMARY], ret_error);
        if (k < 0)
                return k;
        k = parse_device_arg(m, backup, &spec->match[PORT_ROLE_BACKUP], ret_error);
        if (k < 0)
                return k;

        /* Refuse devices another group holds, rather than steal them. */
        for (size_t i = 0; i < m->n_links; i++) {
                Link *l = m->links[i];
                if (!l->group || l->group == g)
                        continue;
                for (PortRole r = 0; r < _PORT_ROLE_MAX; r++)
                        if (port_match_device(&spec->match[r], l->device) &&
                            l->group->spec->source <= GROUP_SOURCE_RUNTIME)
                                return set_error(ret_error, -EEXIST, "%s already belongs to group '%s'",
                                                 l->device->link.name, l->group->spec->name);
        }

        if (g)
                group_drop(m, g);
        k = group_add(m, TAKE_PTR(spec), &g);
        if (k < 0)
                return k;
        /* Naming a device again is how an admin takes back a remove-port. */
        for (size_t i = 0; i < m->n_links; i++)
                for (PortRole r = 0; r < _PORT_ROLE_MAX; r++)
                        if (port_match_device(&g->spec->match[r], m->links[i]->device))
                                m->links[i]->excluded = false;
        assign_all(m);
        state_save(m);
        state_flush(m);
        group_mark_dirty(g);
        if (ret_group)
                *ret_group = group_json(m, g);
        return 0;
}

int manager_remove_group(Manager *m, const char *name, char **ret_error) {
        Group *g = find_group(m, name);
        int k;

        if (!g || g->disabled)
                return set_error(ret_error, -ENOENT, "no group '%s'", name);
        k = group_dissolve(g);
        if (k < 0)
                return set_error(ret_error, k,
                                 "dissolving group '%s' failed, its bond keeps the addresses and routes: %s",
                                 name, strerror(-k));

        if (g->spec->source == GROUP_SOURCE_RUNTIME)
                group_drop(m, g);
        else {
                for (size_t i = 0; i < m->n_links; i++)
                        if (m->links[i]->group == g)
                                m->links[i]->group = NULL;
                g->disabled = true;
                /* A migration under way ends with the group, its timers too. */
                group_set_phase(g, GROUP_PHASE_NORMAL, "dissolved by hnvctl remove");
                group_set_state(g, GROUP_STATE_PENDING, "dissolved by hnvctl remove");
        }
        state_save(m);
        state_flush(m);
        return 0;
}

int manager_reconcile(Manager *m, const char *name, char **ret_error) {
        int n = 0;

        if (name) {
                Group *g = find_group(m, name) ?: find_group_by_bond(m, name);
                if (!g || g->disabled)
                        return set_error(ret_error, -ENOENT, "no group or bond '%s'", name);
                log_group_info(g->spec->name, "reconcile requested");
                group_mark_dirty(g);
                return 1;
        }
        for (size_t i = 0; i < m->n_groups; i++)
                if (!m->groups[i]->disabled) {
                        group_mark_dirty(m->groups[i]);
                        n++;
                }
        return n;
}

int manager_remove_port(Manager *m, const char *device, char **ret_group, char **ret_error) {
        Link *l = find_link_by_name(m, device);
        Group *g;

        if (!l)
                return set_error(ret_error, -ENODEV, "no network device '%s'", device);
        g = l->group;
        if (!g)
                return set_error(ret_error, -ENOENT, "%s belongs to no group", device);

        /* Kept out of every group until it is unplugged or an admin adds it
         * again with hnvctl add: pairing would otherwise take it right back.
         * It stays in the group until the plan has released it. */
        l->excluded = true;
        group_reconcile(g);
        l = find_link_by_name(m, device);
        if (l && link_in_bond_of(l, g) && g->failures > 0 && g->last_fail_type == ACTION_RELEASE &&
            g->last_fail_ifindex == l->device->link.ifindex) {
                l->excluded = false;
                group_mark_dirty(g);
                return set_error(ret_error, g->last_fail_errno, "cannot release %s: %s", device,
                                 strerror(-g->last_fail_errno));
        }
        if (ret_group)
                *ret_group = strdup(g->spec->name);
        state_save(m);
        state_flush(m);
        group_mark_dirty(g);
        return 0;
}
