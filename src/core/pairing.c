/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fnmatch.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>

#include "pairing.h"

#define UDEV_GROUP_KEY "HNV_GROUP"
#define UDEV_ROLE_KEY  "HNV_ROLE"

/* The kernel's net_failover reports this driver name for its master netdev
 * (it has no rtnl link kind, so IFLA_INFO_KIND cannot identify it). */
#define NET_FAILOVER_DRIVER "net_failover"

static bool device_is_bond(const Device *d) {
        return streq(d->link.kind, "bond");
}

/* Devices stacked on others (a VLAN on our bond, a macvlan, a bridge) take
 * their lower device's MAC, so a MAC match would mistake a VLAN on the bond
 * for the VF and try to enslave it into its own bond. None of these kinds
 * is ever a VF or a paravirtual NIC. */
static bool device_is_stacked(const Device *d) {
        static const char *const kinds[] = {
                "vlan",  "macvlan", "macvtap", "ipvlan",   "ipvtap",
                "vxlan", "bridge",  "team",    "failover", "vrf",
        };
        for (size_t i = 0; i < ELEMENTSOF(kinds); i++)
                if (streq(d->link.kind, kinds[i]))
                        return true;
        return false;
}

static bool driver_is_paravirt(const Config *c, const char *driver) {
        return c && driver && config_driver_is_paravirt(c, driver);
}

/* The role a device can play in an automatic group, from what it is:
 * _PORT_ROLE_INVALID when it is neither a VF nor a paravirtual NIC. The
 * driver is asked first because virtio-net sits on a virtio bus under a PCI
 * function, so "on PCI" alone does not make a device a VF. */
static PortRole device_auto_role(const Config *c, const Device *d) {
        /* The driver and the bus come from udev; before udev is done they are
         * not known, and a guess would be remembered as a group. */
        if (!d->udev_initialized)
                return _PORT_ROLE_INVALID;
        if (driver_is_paravirt(c, d->driver))
                return PORT_ROLE_BACKUP;
        if (d->is_pci)
                return PORT_ROLE_PRIMARY;
        return _PORT_ROLE_INVALID;
}

bool port_match_device(const PortMatch *m, const Device *d) {
        const char *v;

        switch (m->type) {
        case PORT_MATCH_MAC:
                return d->has_identity_mac && hw_addr_equal(&m->mac, &d->identity_mac);

        case PORT_MATCH_NAME:
                return m->value && fnmatch(m->value, d->link.name, 0) == 0;

        case PORT_MATCH_UDEV_PROPERTY:
                /* Until udev has finished, rules may still add or change
                 * properties: matching now could pick a group the device
                 * will not belong to a moment later. */
                if (!d->udev_initialized || !m->key)
                        return false;
                v = device_get_property(d, m->key);
                return v && fnmatch(strempty(m->value), v, 0) == 0;

        case PORT_MATCH_HCN_ID:
                /* An empty id is "no node", never a match. */
                return m->value && d->hcn_id[0] && streq(m->value, d->hcn_id);

        case PORT_MATCH_NONE:
        case _PORT_MATCH_TYPE_MAX:
        case _PORT_MATCH_TYPE_INVALID:
                return false;
        }

        return false;
}

/* Whether the device is the given role's port of spec. For most sources this
 * is just the role's PortMatch; two sources describe both roles with one
 * match and need a second rule to tell the roles apart:
 *
 *  - UDEV: both roles match HNV_GROUP=<name>, so the device's HNV_ROLE must
 *    also name the role. (The check lives here rather than in the PortMatch
 *    because a PortMatch holds one KEY=VALUE pair.)
 *  - AUTO: VF and paravirtual NIC share the MAC both roles match on, so the
 *    role is taken from the kind of device (see device_auto_role()).
 *  - DEVICETREE: both roles match the hcn-id, and the node's ibm,hcn-mode
 *    names the role: the console says which port is the VF, so it is not
 *    guessed from the driver. */
static bool spec_role_matches(const PairingContext *ctx, const GroupSpec *spec, PortRole role,
                              const Device *d) {
        const char *r;

        if (!port_match_device(&spec->match[role], d))
                return false;

        switch (spec->source) {
        case GROUP_SOURCE_CONFIG:
        case GROUP_SOURCE_RUNTIME:
                return true;

        case GROUP_SOURCE_UDEV:
                r = d->udev_initialized ? device_get_property(d, UDEV_ROLE_KEY) : NULL;
                return r && port_role_from_string(r) == role;

        case GROUP_SOURCE_AUTO:
                return device_auto_role(ctx->config, d) == role;

        case GROUP_SOURCE_DEVICETREE:
                return d->hcn_mode == role;

        case _GROUP_SOURCE_MAX:
        case _GROUP_SOURCE_INVALID:
                return false;
        }

        return false;
}

/* The config's groups and the other known groups, seen as one list. */
static size_t ctx_n_groups(const PairingContext *ctx) {
        return (ctx->config ? ctx->config->n_groups : 0) + ctx->n_groups;
}

static const GroupSpec *ctx_group(const PairingContext *ctx, size_t i) {
        size_t n_config = ctx->config ? ctx->config->n_groups : 0;

        return i < n_config ? ctx->config->groups[i] : ctx->groups[i - n_config];
}

void pairing_match(const PairingContext *ctx, const Device *d, PairingResult *ret) {
        *ret = (PairingResult){
                .kind = PAIRING_NONE,
                .role = _PORT_ROLE_INVALID,
        };

        /* A bond is what we build, never one of its ports; name patterns
         * like "*" would otherwise catch our own bonds. */
        if (device_is_bond(d)) {
                ret->reason = "is a bond";
                return;
        }
        if (device_is_stacked(d)) {
                ret->reason = "is stacked on another device";
                return;
        }

        if (streq_ptr(d->driver, NET_FAILOVER_DRIVER)) {
                ret->kind = PAIRING_IGNORED;
                ret->reason = "is a net_failover master";
                return;
        }

        for (GroupSource level = 0; level < _GROUP_SOURCE_MAX; level++) {
                const GroupSpec *found = NULL;
                PortRole found_role = _PORT_ROLE_INVALID;
                bool several_groups = false, both_roles = false;

                for (size_t i = 0; i < ctx_n_groups(ctx); i++) {
                        const GroupSpec *spec = ctx_group(ctx, i);

                        if (spec->source != level)
                                continue;

                        for (PortRole role = 0; role < _PORT_ROLE_MAX; role++) {
                                if (!spec_role_matches(ctx, spec, role, d))
                                        continue;

                                if (!found) {
                                        found = spec;
                                        found_role = role;
                                } else if (!streq_ptr(found->name, spec->name))
                                        several_groups = true;
                                /* The same group may be known twice (a caller
                                 * that lists config groups in ctx->groups as
                                 * well): that is one claim, not two. */
                                else if (found_role != role)
                                        both_roles = true;
                        }
                }

                if (!found)
                        continue;

                /* A device claimed twice at one level is left alone rather
                 * than given to whichever group happens to come first: the
                 * admin has to resolve it, and a lower level must not take
                 * it either. */
                if (several_groups) {
                        ret->kind = PAIRING_CONFLICT;
                        ret->reason = "matches more than one group";
                } else if (both_roles) {
                        ret->kind = PAIRING_CONFLICT;
                        ret->reason = "matches both roles of its group";
                } else {
                        ret->kind = PAIRING_MATCHED;
                        ret->group = found;
                        ret->role = found_role;
                        ret->reason = NULL;
                }
                return;
        }
}

/* Sets both roles' match to m. Three sources describe both ports of a group
 * with one match (udev's group property, the hcn-id, the shared MAC), and
 * spec_role_matches() then tells the roles apart by the source's own rule. */
static int spec_match_both_roles(GroupSpec *spec, const PortMatch *m) {
        for (PortRole i = 0; i < _PORT_ROLE_MAX; i++) {
                port_match_done(&spec->match[i]);
                int r = port_match_copy(&spec->match[i], m);
                if (r < 0)
                        return r;
        }
        return 0;
}

int pairing_group_from_udev(const Device *d, GroupSpec **ret_spec, PortRole *ret_role) {
        _cleanup_(group_spec_freep) GroupSpec *spec = NULL;
        char bond_name[IFNAMSIZ];
        const char *name, *role_str;
        PortRole role;
        int r;

        /* Properties are final only once udev has run its rules. */
        if (!d->udev_initialized)
                return 0;

        name = device_get_property(d, UDEV_GROUP_KEY);
        if (!name)
                return 0;
        if (!group_name_is_valid(name))
                return -EINVAL;

        role_str = device_get_property(d, UDEV_ROLE_KEY);
        if (!role_str)
                return -EINVAL;
        role = port_role_from_string(role_str);
        if (role < 0)
                return -EINVAL;

        r = group_default_bond_name(name, bond_name);
        if (r < 0)
                return r;

        spec = group_spec_new(name, GROUP_SOURCE_UDEV);
        if (!spec)
                return -ENOMEM;

        memcpy(spec->bond_name, bond_name, sizeof(bond_name));
        bond_options_init(&spec->options);

        /* Both roles match the group property; pairing_match() then tells
         * them apart by HNV_ROLE (see spec_role_matches()). */
        r = spec_match_both_roles(spec, &(PortMatch){.type = PORT_MATCH_UDEV_PROPERTY,
                                                     .key = (char *)UDEV_GROUP_KEY,
                                                     .value = (char *)name});
        if (r < 0)
                return r;

        *ret_spec = TAKE_PTR(spec);
        if (ret_role)
                *ret_role = role;
        return 1;
}

int pairing_udev_keys_add(char ***keys, const GroupSpec *spec) {
        const char *always[] = {UDEV_GROUP_KEY, UDEV_ROLE_KEY};
        int added = 0, k;

        for (size_t i = 0; i < ELEMENTSOF(always); i++) {
                k = strv_extend_unique(keys, always[i]);
                if (k < 0)
                        return k;
                added += k;
        }
        for (PortRole r = 0; spec && r < _PORT_ROLE_MAX; r++) {
                const PortMatch *pm = &spec->match[r];
                if (pm->type != PORT_MATCH_UDEV_PROPERTY || !pm->key)
                        continue;
                k = strv_extend_unique(keys, pm->key);
                if (k < 0)
                        return k;
                added += k;
        }
        return added;
}

int pairing_group_from_devicetree(const DtGroup *g, const BondOptions *options, GroupSpec **ret) {
        _cleanup_(group_spec_freep) GroupSpec *spec = NULL;

        spec = group_spec_new(g->hcn_id, GROUP_SOURCE_DEVICETREE);
        if (!spec)
                return -ENOMEM;
        /* hcnmgr's name, so that bonds it built are taken over, not doubled. */
        memcpy(spec->bond_name, g->bond_name, sizeof(spec->bond_name));
        if (options)
                spec->options = *options;

        /* Both roles match the hcn-id; pairing_match() tells them apart by
         * ibm,hcn-mode (see spec_role_matches()). */
        int r = spec_match_both_roles(spec,
                                      &(PortMatch){.type = PORT_MATCH_HCN_ID, .value = (char *)g->hcn_id});
        if (r < 0)
                return r;

        *ret = TAKE_PTR(spec);
        return 0;
}

/* Whether a device may be paired automatically, and as what. */
static PortRole auto_candidate_role(const PairingContext *ctx, const Device *d, Device *const *devices,
                                    size_t n_devices) {
        PairingResult pr;

        if (device_is_bond(d) || device_is_stacked(d) || (d->link.flags & IFF_LOOPBACK))
                return _PORT_ROLE_INVALID;
        if (!d->udev_initialized || !d->has_identity_mac)
                return _PORT_ROLE_INVALID;
        if (device_is_foreign(d, devices, n_devices))
                return _PORT_ROLE_INVALID;

        /* Claimed, conflicting or ignored at a higher level: automatic
         * pairing never overrides what the admin or udev said. */
        pairing_match(ctx, d, &pr);
        if (pr.kind != PAIRING_NONE)
                return _PORT_ROLE_INVALID;

        return device_auto_role(ctx->config, d);
}

static bool auto_name_taken(const PairingContext *ctx, GroupSpec *const *new_specs, size_t n_new,
                            const char *name, const char *bond_name) {
        for (size_t i = 0; i < ctx_n_groups(ctx); i++) {
                const GroupSpec *g = ctx_group(ctx, i);

                if (streq_ptr(g->name, name) || streq(g->bond_name, bond_name))
                        return true;
        }

        /* Two MACs that differ only in their first two bytes derive the same
         * name; the first pair found keeps it. */
        for (size_t i = 0; i < n_new; i++)
                if (streq(new_specs[i]->name, name))
                        return true;

        return false;
}

static int auto_spec_new(const char *name, const HwAddr *mac, GroupSpec **ret) {
        _cleanup_(group_spec_freep) GroupSpec *spec = NULL;
        int r;

        spec = group_spec_new(name, GROUP_SOURCE_AUTO);
        if (!spec)
                return -ENOMEM;

        r = group_default_bond_name(name, spec->bond_name);
        if (r < 0)
                return r;
        bond_options_init(&spec->options);

        /* VF and paravirtual NIC carry the same MAC: both roles match it, and
         * pairing_match() tells them apart by kind (see spec_role_matches()). */
        r = spec_match_both_roles(spec, &(PortMatch){.type = PORT_MATCH_MAC, .mac = *mac});
        if (r < 0)
                return r;

        *ret = TAKE_PTR(spec);
        return 0;
}

static void group_specs_free(GroupSpec **specs, size_t n) {
        for (size_t i = 0; i < n; i++)
                group_spec_free(specs[i]);
        free(specs);
}

static void report_mac_conflict(Device *const *devices, size_t n_devices, const PortRole *roles,
                                size_t first, const char *reason, pairing_conflict_cb on_conflict,
                                void *userdata) {
        const HwAddr *mac = &devices[first]->identity_mac;

        if (!on_conflict)
                return;

        for (size_t j = first; j < n_devices; j++)
                if (roles[j] >= 0 && hw_addr_equal(&devices[j]->identity_mac, mac))
                        on_conflict(devices[j], reason, userdata);
}

int pairing_auto(const PairingContext *ctx, Device *const *devices, size_t n_devices, GroupSpec ***ret,
                 pairing_conflict_cb on_conflict, void *userdata) {
        _cleanup_(freep) PortRole *roles = NULL;
        GroupSpec **specs = NULL;
        size_t n_specs = 0;
        int r;

        *ret = NULL;

        if (!ctx->config || !ctx->config->auto_pairing || n_devices == 0)
                return 0;

        roles = calloc(n_devices, sizeof(*roles));
        if (!roles)
                return -ENOMEM;

        for (size_t i = 0; i < n_devices; i++)
                roles[i] = auto_candidate_role(ctx, devices[i], devices, n_devices);

        /* Candidates are grouped by identity MAC. Every device of a MAC is
         * handled when its first one is reached and then marked done (role
         * invalid), so later indices only ever see unhandled MACs. */
        for (size_t i = 0; i < n_devices; i++) {
                const HwAddr mac = devices[i]->identity_mac;
                size_t n_of_role[_PORT_ROLE_MAX] = {}, idx_of_role[_PORT_ROLE_MAX] = {};

                if (roles[i] < 0)
                        continue;

                for (size_t j = i; j < n_devices; j++)
                        if (roles[j] >= 0 && hw_addr_equal(&devices[j]->identity_mac, &mac)) {
                                n_of_role[roles[j]]++;
                                idx_of_role[roles[j]] = j;
                        }

                /* Which of several VFs belongs with the backup cannot be
                 * told from the MAC: guessing would bond the wrong VF, so
                 * none of them is paired. */
                if (n_of_role[PORT_ROLE_PRIMARY] > 1)
                        report_mac_conflict(devices, n_devices, roles, i,
                                            "duplicate MAC: shared by more than one VF", on_conflict,
                                            userdata);
                else if (n_of_role[PORT_ROLE_BACKUP] > 1)
                        report_mac_conflict(devices, n_devices, roles, i,
                                            "duplicate MAC: shared by more than one paravirtual NIC",
                                            on_conflict, userdata);
                else if (n_of_role[PORT_ROLE_PRIMARY] == 1 && n_of_role[PORT_ROLE_BACKUP] == 1) {
                        char name[sizeof("xxxxxxxx")], bond_name[IFNAMSIZ];
                        GroupSpec *spec = NULL, **a;

                        /* The same shape as the hcn-id names of hcnmgr's bonds
                         * ("bond333e80f5"), and it fits IFNAMSIZ. */
                        snprintf(name, sizeof(name), "%02x%02x%02x%02x", mac.bytes[2], mac.bytes[3],
                                 mac.bytes[4], mac.bytes[5]);
                        r = group_default_bond_name(name, bond_name);
                        if (r < 0)
                                goto fail;

                        if (auto_name_taken(ctx, specs, n_specs, name, bond_name)) {
                                if (on_conflict) {
                                        const char *reason = "automatic group name already in use";
                                        on_conflict(devices[idx_of_role[PORT_ROLE_PRIMARY]], reason,
                                                    userdata);
                                        on_conflict(devices[idx_of_role[PORT_ROLE_BACKUP]], reason,
                                                    userdata);
                                }
                        } else {
                                r = auto_spec_new(name, &mac, &spec);
                                if (r < 0)
                                        goto fail;

                                a = realloc(specs, (n_specs + 1) * sizeof(*specs));
                                if (!a) {
                                        group_spec_free(spec);
                                        r = -ENOMEM;
                                        goto fail;
                                }
                                specs = a;
                                specs[n_specs++] = spec;
                        }
                }

                for (size_t j = i; j < n_devices; j++)
                        if (roles[j] >= 0 && hw_addr_equal(&devices[j]->identity_mac, &mac))
                                roles[j] = _PORT_ROLE_INVALID;
        }

        *ret = specs;
        return (int)n_specs;

fail:
        group_specs_free(specs, n_specs);
        return r;
}

bool device_is_foreign(const Device *d, Device *const *devices, size_t n_devices) {
        if (streq_ptr(d->driver, NET_FAILOVER_DRIVER))
                return true;

        if (d->link.master_ifindex == 0)
                return false;

        for (size_t i = 0; i < n_devices; i++) {
                const Device *m = devices[i];

                if (m->link.ifindex != d->link.master_ifindex)
                        continue;

                /* net_failover's master has no link kind, so the kind test
                 * catches it too; the driver test says why it matters. */
                return !streq(m->link.kind, "bond") || streq_ptr(m->driver, NET_FAILOVER_DRIVER);
        }

        /* Master not known (yet): the kernel still tells us whether it is a
         * bond, through the port's IFLA_INFO_SLAVE_KIND. */
        return !d->link.is_bond_port;
}
