/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What hnvd tells about its groups: GetStatus, and the per-group lines of
 * the migration and hcn replies. */
#include <stdlib.h>

#include "hnv-build-config.h"
#include "log.h"
#include "manager-internal.h"

static json_object *port_json(Manager *m, Group *g, Link *bond, PortRole role, const Link *l) {
        json_object *p = json_object_new_object();
        _cleanup_(freep) char *match = port_match_to_string(&g->spec->match[role]);
        char mac[HW_ADDR_STRLEN] = "";

        if (!p)
                return NULL;
        if (l && l->device->has_identity_mac)
                hw_addr_format(&l->device->identity_mac, mac);
        bool enslaved = l && bond && l->device->link.master_ifindex == bond->device->link.ifindex;
        json_object_object_add(p, "name", json_object_new_string(l ? l->device->link.name : ""));
        json_object_object_add(p, "ifindex", json_object_new_int(l ? l->device->link.ifindex : 0));
        json_object_object_add(p, "role", json_object_new_string(port_role_to_string(role)));
        json_object_object_add(p, "match", json_object_new_string(strempty(match)));
        json_object_object_add(p, "present", json_object_new_boolean(l != NULL));
        json_object_object_add(p, "enslaved", json_object_new_boolean(enslaved));
        json_object_object_add(p, "active",
                               json_object_new_boolean(enslaved && bond->device->link.bond_active_ifindex ==
                                                                           l->device->link.ifindex));
        json_object_object_add(p, "carrier", json_object_new_boolean(l && l->device->link.carrier));
        json_object_object_add(p, "up", json_object_new_boolean(l && (l->device->link.flags & IFF_UP)));
        json_object_object_add(p, "mac", json_object_new_string(mac));
        return p;
}

json_object *group_json(Manager *m, Group *g) {
        json_object *o = json_object_new_object(), *ports = json_object_new_array();
        Link *bond = group_bond(g);

        if (!o || !ports) {
                json_object_put(o);
                json_object_put(ports);
                return NULL;
        }
        for (PortRole role = 0; role < _PORT_ROLE_MAX; role++) {
                bool any = false;
                for (size_t i = 0; i < m->n_links; i++) {
                        Link *l = m->links[i];
                        if (l->group == g && l->role == role) {
                                json_object_array_add(ports, port_json(m, g, bond, role, l));
                                any = true;
                        }
                }
                if (!any)
                        json_object_array_add(ports, port_json(m, g, bond, role, NULL));
        }
        int active = bond ? bond->device->link.bond_active_ifindex : 0;
        int primary = bond ? bond->device->link.bond_primary_ifindex : 0;
        Link *al = active ? find_link(m, active) : NULL, *pl = primary ? find_link(m, primary) : NULL;

        json_object_object_add(o, "name", json_object_new_string(g->spec->name));
        json_object_object_add(o, "source", json_object_new_string(group_source_to_string(g->spec->source)));
        json_object_object_add(o, "state", json_object_new_string(group_state_to_string(g->state)));
        json_object_object_add(
                o, "reason",
                json_object_new_string(g->disabled ? "dissolved by hnvctl remove" : strempty(g->reason)));
        json_object_object_add(o, "bond", json_object_new_string(g->spec->bond_name));
        json_object_object_add(o, "bond_ifindex",
                               json_object_new_int(bond ? bond->device->link.ifindex : 0));
        json_object_object_add(o, "active", json_object_new_string(al ? al->device->link.name : ""));
        json_object_object_add(o, "primary", json_object_new_string(pl ? pl->device->link.name : ""));
        json_object_object_add(o, "state_since_usec", json_object_new_int64((int64_t)g->state_since));
        json_object_object_add(o, "failovers", json_object_new_int((int)g->failovers));
        json_object_object_add(o, "reenslaves", json_object_new_int((int)g->reenslaves));
        json_object_object_add(o, "state_changes", json_object_new_int((int)g->state_changes));
        json_object_object_add(o, "miimon", json_object_new_int((int)g->spec->options.miimon_ms));
        json_object_object_add(
                o, "fail_over_mac",
                json_object_new_string(fail_over_mac_to_string(g->spec->options.fail_over_mac)));
        json_object_object_add(o, "num_peer_notif", json_object_new_int(g->spec->options.num_peer_notif));
        json_object_object_add(o, "ports", ports);
        return o;
}

static int group_cmp(const void *a, const void *b) {
        return strcmp((*(Group *const *)a)->spec->name, (*(Group *const *)b)->spec->name);
}

int manager_status(Manager *m, const char *name, json_object **ret, char **ret_error) {
        json_object *o = json_object_new_object(), *groups = json_object_new_array();
        _cleanup_(freep) Group **sorted = NULL;

        if (!o || !groups) {
                json_object_put(o);
                json_object_put(groups);
                return -ENOMEM;
        }
        if (name && !find_group(m, name)) {
                json_object_put(o);
                json_object_put(groups);
                return set_error(ret_error, -ENOENT, "no group '%s'", name);
        }
        sorted = calloc(m->n_groups + 1, sizeof(Group *));
        if (!sorted) {
                json_object_put(o);
                json_object_put(groups);
                return -ENOMEM;
        }
        if (m->n_groups > 0) {
                memcpy(sorted, m->groups, m->n_groups * sizeof(Group *));
                qsort(sorted, m->n_groups, sizeof(Group *), group_cmp);
        }
        for (size_t i = 0; i < m->n_groups; i++)
                if (!name || streq(sorted[i]->spec->name, name))
                        json_object_array_add(groups, group_json(m, sorted[i]));

        json_object_object_add(o, "backend", json_object_new_string(manager_backend_name(m)));
        json_object_object_add(o, "version", json_object_new_string(HNV_VERSION));
        json_object_object_add(o, "groups", groups);
        *ret = o;
        return 0;
}

static const char *active_name(Group *g) {
        Link *bond = group_bond(g);
        Link *a = bond && bond->device->link.bond_active_ifindex > 0
                          ? find_link(g->manager, bond->device->link.bond_active_ifindex)
                          : NULL;
        return a ? a->device->link.name : "";
}

json_object *group_report(Group *g, bool safe, const char *reason) {
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
