/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "nm-profile.h"

char *nm_profile_port_name(const char *bond_name, const char *ifname) {
        char *s;
        if (asprintf(&s, "%s-%s", bond_name, ifname) < 0)
                return NULL;
        return s;
}

static NMConnection *new_profile(const char *id, const char *type, const char *ifname, const char *group) {
        NMConnection *c = nm_simple_connection_new();
        NMSetting *s = nm_setting_connection_new();
        g_autofree char *uuid = nm_utils_uuid_generate();

        g_object_set(s, NM_SETTING_CONNECTION_ID, id, NM_SETTING_CONNECTION_UUID, uuid,
                     NM_SETTING_CONNECTION_TYPE, type, NM_SETTING_CONNECTION_INTERFACE_NAME, ifname,
                     NM_SETTING_CONNECTION_AUTOCONNECT, TRUE, NULL);
        nm_connection_add_setting(c, s);
        if (group) {
                s = nm_setting_user_new();
                (void)nm_setting_user_set_data(NM_SETTING_USER(s), NM_PROFILE_MARKER, group, NULL);
                nm_connection_add_setting(c, s);
        }
        return c;
}

NMConnection *nm_profile_new_bond(const GroupSpec *spec, const char *primary) {
        NMConnection *c =
                new_profile(spec->bond_name, NM_SETTING_BOND_SETTING_NAME, spec->bond_name, spec->name);
        NMSetting *s;

        nm_connection_add_setting(c, nm_setting_bond_new());
        (void)nm_profile_update_bond(c, spec, primary);

        /* No addresses of its own: the guest's configuration comes from a
         * port's earlier profile, or from the admin. IPv6 is left to the
         * kernel, which gives the bond its link-local address. */
        s = nm_setting_ip4_config_new();
        g_object_set(s, NM_SETTING_IP_CONFIG_METHOD, NM_SETTING_IP4_CONFIG_METHOD_DISABLED, NULL);
        nm_connection_add_setting(c, s);
        s = nm_setting_ip6_config_new();
        g_object_set(s, NM_SETTING_IP_CONFIG_METHOD, NM_SETTING_IP6_CONFIG_METHOD_IGNORE, NULL);
        nm_connection_add_setting(c, s);

        if (spec->options.mtu) {
                s = nm_setting_wired_new();
                g_object_set(s, NM_SETTING_WIRED_MTU, (guint)spec->options.mtu, NULL);
                nm_connection_add_setting(c, s);
        }
        return c;
}

NMConnection *nm_profile_new_port(const char *group, const char *bond_name, const char *ifname) {
        g_autofree char *id = nm_profile_port_name(bond_name, ifname);
        NMConnection *c = new_profile(id, NM_SETTING_WIRED_SETTING_NAME, ifname, group);

        g_object_set(nm_connection_get_setting_connection(c), NM_SETTING_CONNECTION_MASTER, bond_name,
                     NM_SETTING_CONNECTION_SLAVE_TYPE, NM_SETTING_BOND_SETTING_NAME, NULL);
        nm_connection_add_setting(c, nm_setting_wired_new());
        return c;
}

NMConnection *nm_profile_new_standalone(const char *ifname, NMConnection *from) {
        NMConnection *c = new_profile(ifname, NM_SETTING_WIRED_SETTING_NAME, ifname, NULL);

        nm_connection_add_setting(c, nm_setting_wired_new());
        (void)nm_profile_copy_ip(c, from);
        return c;
}

static int mark(NMConnection *c, const char *group) {
        NMSettingUser *u = NM_SETTING_USER(nm_connection_get_setting(c, NM_TYPE_SETTING_USER));

        if (!u) {
                u = NM_SETTING_USER(nm_setting_user_new());
                nm_connection_add_setting(c, NM_SETTING(u));
        }
        if (g_strcmp0(nm_setting_user_get_data(u, NM_PROFILE_MARKER), group) == 0)
                return 0;
        (void)nm_setting_user_set_data(u, NM_PROFILE_MARKER, group, NULL);
        return 1;
}

int nm_profile_update_bond(NMConnection *c, const GroupSpec *spec, const char *primary) {
        NMSettingBond *b = nm_connection_get_setting_bond(c);
        BondOptionWord words[BOND_OPTION_WORDS_MAX];
        size_t n = bond_options_to_words(&spec->options, words);
        int changed = mark(c, spec->name);

        if (!b) {
                b = NM_SETTING_BOND(nm_setting_bond_new());
                nm_connection_add_setting(c, NM_SETTING(b));
                changed = 1;
        }
        for (size_t i = 0; i < n; i++) {
                /* NetworkManager keeps the one count under num_grat_arp;
                 * given num_unsol_na too, its activation of the bond failed
                 * ("config-failed") in testing. */
                if (streq(words[i].key, "num_unsol_na"))
                        continue;
                if (g_strcmp0(nm_setting_bond_get_option_by_name(b, words[i].key), words[i].value) != 0) {
                        nm_setting_bond_add_option(b, words[i].key, words[i].value);
                        changed = 1;
                }
        }
        if (primary && g_strcmp0(nm_setting_bond_get_option_by_name(b, "primary"), primary) != 0) {
                nm_setting_bond_add_option(b, "primary", primary);
                changed = 1;
        }
        return changed;
}

int nm_profile_update_port(NMConnection *c, const char *group) {
        return mark(c, group);
}

const char *nm_profile_group(NMConnection *c) {
        NMSettingUser *u = NM_SETTING_USER(nm_connection_get_setting(c, NM_TYPE_SETTING_USER));
        return u ? nm_setting_user_get_data(u, NM_PROFILE_MARKER) : NULL;
}

/* "bond" and the 8 lowercase hex digits of an hcn-id: hcnmgr's bond names. */
static bool is_hcn_bond_name(const char *s, size_t n) {
        static const char hex[] = "0123456789abcdef";

        if (n != strlen("bond") + 8 || strncmp(s, "bond", 4) != 0)
                return false;
        for (size_t i = 4; i < n; i++)
                if (!strchr(hex, s[i]) || s[i] == '\0')
                        return false;
        return true;
}

const char *nm_profile_prunable_ifname(NMConnection *c) {
        const char *id = nm_connection_get_id(c), *ifname = nm_connection_get_interface_name(c);
        NMSettingConnection *sc = nm_connection_get_setting_connection(c);
        const char *controller = sc ? nm_setting_connection_get_master(sc) : NULL;

        if (!ifname || !id)
                return NULL;
        if (nm_profile_group(c))
                return ifname;

        /* hcnmgr named the bond's profile after the bond, and each port's
         * after the bond and the port, with the bond as its controller. */
        if (nm_connection_is_type(c, NM_SETTING_BOND_SETTING_NAME))
                return streq(id, ifname) && is_hcn_bond_name(id, strlen(id)) ? ifname : NULL;
        const char *dash = strchr(id, '-');
        if (!dash || !controller || !is_hcn_bond_name(id, (size_t)(dash - id)) ||
            strncmp(controller, id, (size_t)(dash - id)) != 0 || strlen(controller) != (size_t)(dash - id) ||
            !streq(dash + 1, ifname))
                return NULL;
        return ifname;
}

static bool method_assigns(NMSettingIPConfig *s, const char *const *none) {
        const char *method = s ? nm_setting_ip_config_get_method(s) : NULL;
        if (!method)
                return false;
        for (; *none; none++)
                if (streq(method, *none))
                        return false;
        return true;
}

bool nm_profile_has_ip(NMConnection *c) {
        static const char *const v4_none[] = {NM_SETTING_IP4_CONFIG_METHOD_DISABLED,
                                              NM_SETTING_IP4_CONFIG_METHOD_LINK_LOCAL, NULL};
        static const char *const v6_none[] = {NM_SETTING_IP6_CONFIG_METHOD_IGNORE,
                                              NM_SETTING_IP6_CONFIG_METHOD_DISABLED,
                                              NM_SETTING_IP6_CONFIG_METHOD_LINK_LOCAL, NULL};

        return method_assigns(nm_connection_get_setting_ip4_config(c), v4_none) ||
               method_assigns(nm_connection_get_setting_ip6_config(c), v6_none);
}

bool nm_profile_needs_link(NMConnection *c) {
        static const char *const v4_static[] = {NM_SETTING_IP4_CONFIG_METHOD_MANUAL,
                                                NM_SETTING_IP4_CONFIG_METHOD_DISABLED,
                                                NM_SETTING_IP4_CONFIG_METHOD_LINK_LOCAL, NULL};
        static const char *const v6_static[] = {
                NM_SETTING_IP6_CONFIG_METHOD_MANUAL, NM_SETTING_IP6_CONFIG_METHOD_IGNORE,
                NM_SETTING_IP6_CONFIG_METHOD_DISABLED, NM_SETTING_IP6_CONFIG_METHOD_LINK_LOCAL, NULL};

        return method_assigns(nm_connection_get_setting_ip4_config(c), v4_static) ||
               method_assigns(nm_connection_get_setting_ip6_config(c), v6_static);
}

int nm_profile_copy_ip(NMConnection *to, NMConnection *from) {
        NMSettingIPConfig *ip[] = {nm_connection_get_setting_ip4_config(from),
                                   nm_connection_get_setting_ip6_config(from)};

        for (size_t i = 0; i < ELEMENTSOF(ip); i++)
                if (ip[i])
                        /* Takes ownership; replaces the setting of that type. */
                        nm_connection_add_setting(to, nm_setting_duplicate(NM_SETTING(ip[i])));
        return 0;
}
