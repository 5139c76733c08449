/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The NetworkManager profiles hnv builds, read back through libnm: names,
 * types, bond options, the ports' controller, hnv's mark, and the IP
 * configuration a port's own profile hands to the bond. No NetworkManager
 * runs here; the UML scenarios nm-* give these to a real one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "group.h"
#include "nm-profile.h"

static GroupSpec *spec_new(void) {
        GroupSpec *g = group_spec_new("web", GROUP_SOURCE_CONFIG);
        assert_non_null(g);
        assert_int_equal(group_default_bond_name(g->name, g->bond_name), 0);
        return g;
}

static void test_bond_profile(void **state) {
        _cleanup_(group_spec_freep) GroupSpec *spec = spec_new();
        spec->options.miimon_ms = 50;
        g_autoptr(NMConnection) c = nm_profile_new_bond(spec, "vf0");
        NMSettingConnection *sc = nm_connection_get_setting_connection(c);
        NMSettingBond *b = nm_connection_get_setting_bond(c);

        assert_true(nm_connection_verify(c, NULL));
        assert_string_equal(nm_connection_get_id(c), "bondweb");
        assert_string_equal(nm_setting_connection_get_connection_type(sc), "bond");
        assert_string_equal(nm_setting_connection_get_interface_name(sc), "bondweb");
        assert_true(nm_setting_connection_get_autoconnect(sc));
        assert_string_equal(nm_setting_bond_get_option_by_name(b, "mode"), "active-backup");
        assert_string_equal(nm_setting_bond_get_option_by_name(b, "miimon"), "50");
        assert_string_equal(nm_setting_bond_get_option_by_name(b, "fail_over_mac"), "follow");
        assert_string_equal(nm_setting_bond_get_option_by_name(b, "num_grat_arp"), "3");
        assert_null(nm_setting_bond_get_option_by_name(b, "num_unsol_na"));
        assert_string_equal(nm_setting_bond_get_option_by_name(b, "primary"), "vf0");
        assert_string_equal(nm_profile_group(c), "web");
        assert_false(nm_profile_has_ip(c));
}

static void test_port_profile(void **state) {
        g_autoptr(NMConnection) c = nm_profile_new_port("web", "bondweb", "vf0");
        NMSettingConnection *sc = nm_connection_get_setting_connection(c);

        assert_true(nm_connection_verify(c, NULL));
        assert_string_equal(nm_connection_get_id(c), "bondweb-vf0");
        assert_string_equal(nm_setting_connection_get_connection_type(sc), "802-3-ethernet");
        assert_string_equal(nm_setting_connection_get_interface_name(sc), "vf0");
        assert_string_equal(nm_setting_connection_get_master(sc), "bondweb");
        assert_string_equal(nm_setting_connection_get_slave_type(sc), "bond");
        assert_string_equal(nm_profile_group(c), "web");
}

/* The predecessor's bond profile: no mark, other options. Adopting it
 * changes it once; a second update finds nothing to do. */
static void test_adopt_and_primary(void **state) {
        _cleanup_(group_spec_freep) GroupSpec *spec = spec_new();
        g_autoptr(NMConnection) c = nm_simple_connection_new();
        NMSetting *sc = nm_setting_connection_new();
        NMSetting *b = nm_setting_bond_new();

        g_object_set(sc, NM_SETTING_CONNECTION_ID, "bondweb", NM_SETTING_CONNECTION_TYPE, "bond", NULL);
        nm_connection_add_setting(c, sc);
        nm_setting_bond_add_option(NM_SETTING_BOND(b), "mode", "active-backup");
        nm_setting_bond_add_option(NM_SETTING_BOND(b), "miimon", "100");
        nm_setting_bond_add_option(NM_SETTING_BOND(b), "primary", "eth5");
        nm_connection_add_setting(c, b);

        assert_null(nm_profile_group(c));
        assert_int_equal(nm_profile_update_bond(c, spec, NULL), 1);
        assert_string_equal(nm_profile_group(c), "web");
        /* primary NULL keeps the one the profile names */
        assert_string_equal(nm_setting_bond_get_option_by_name(NM_SETTING_BOND(b), "primary"), "eth5");
        assert_int_equal(nm_profile_update_bond(c, spec, NULL), 0);
        assert_int_equal(nm_profile_update_bond(c, spec, "vf1"), 1);
        assert_string_equal(nm_setting_bond_get_option_by_name(NM_SETTING_BOND(b), "primary"), "vf1");
        assert_int_equal(nm_profile_update_port(c, "web"), 0);
}

static NMConnection *standalone(const char *v4_method, const char *v6_method) {
        NMConnection *c = nm_simple_connection_new();
        NMSetting *sc = nm_setting_connection_new();
        NMSetting *s4 = nm_setting_ip4_config_new(), *s6 = nm_setting_ip6_config_new();

        g_object_set(sc, NM_SETTING_CONNECTION_ID, "Wired connection 1", NM_SETTING_CONNECTION_TYPE,
                     "802-3-ethernet", NULL);
        nm_connection_add_setting(c, sc);
        g_object_set(s4, NM_SETTING_IP_CONFIG_METHOD, v4_method, NULL);
        g_object_set(s6, NM_SETTING_IP_CONFIG_METHOD, v6_method, NULL);
        if (streq(v4_method, "manual")) {
                NMIPAddress *a = nm_ip_address_new(AF_INET, "192.0.2.10", 24, NULL);
                NMIPRoute *r = nm_ip_route_new(AF_INET, "198.51.100.0", 24, "192.0.2.1", 10, NULL);
                nm_setting_ip_config_add_address(NM_SETTING_IP_CONFIG(s4), a);
                nm_setting_ip_config_add_route(NM_SETTING_IP_CONFIG(s4), r);
                nm_setting_ip_config_add_dns(NM_SETTING_IP_CONFIG(s4), "192.0.2.53");
                g_object_set(s4, NM_SETTING_IP_CONFIG_GATEWAY, "192.0.2.1", NULL);
                nm_ip_address_unref(a);
                nm_ip_route_unref(r);
        }
        if (streq(v6_method, "manual")) {
                NMIPAddress *a = nm_ip_address_new(AF_INET6, "2001:db8::10", 64, NULL);
                nm_setting_ip_config_add_address(NM_SETTING_IP_CONFIG(s6), a);
                nm_ip_address_unref(a);
        }
        nm_connection_add_setting(c, s4);
        nm_connection_add_setting(c, s6);
        return c;
}

static void test_copy_static(void **state) {
        _cleanup_(group_spec_freep) GroupSpec *spec = spec_new();
        g_autoptr(NMConnection) bond = nm_profile_new_bond(spec, "vf0");
        g_autoptr(NMConnection) own = standalone("manual", "manual");
        NMSettingIPConfig *s4, *s6;

        assert_true(nm_profile_has_ip(own));
        assert_false(nm_profile_needs_link(own));
        assert_int_equal(nm_profile_copy_ip(bond, own), 0);
        assert_true(nm_profile_has_ip(bond));
        assert_true(nm_connection_verify(bond, NULL));
        s4 = nm_connection_get_setting_ip4_config(bond);
        s6 = nm_connection_get_setting_ip6_config(bond);
        assert_string_equal(nm_setting_ip_config_get_method(s4), "manual");
        assert_int_equal(nm_setting_ip_config_get_num_addresses(s4), 1);
        assert_string_equal(nm_ip_address_get_address(nm_setting_ip_config_get_address(s4, 0)),
                            "192.0.2.10");
        assert_string_equal(nm_setting_ip_config_get_gateway(s4), "192.0.2.1");
        assert_int_equal(nm_setting_ip_config_get_num_routes(s4), 1);
        assert_string_equal(nm_setting_ip_config_get_dns(s4, 0), "192.0.2.53");
        assert_string_equal(nm_ip_address_get_address(nm_setting_ip_config_get_address(s6, 0)),
                            "2001:db8::10");
        /* The copy is the bond's own: the port's profile may go. */
        assert_ptr_not_equal(s4, nm_connection_get_setting_ip4_config(own));
}

static void test_copy_dhcp_and_standalone(void **state) {
        _cleanup_(group_spec_freep) GroupSpec *spec = spec_new();
        g_autoptr(NMConnection) bond = nm_profile_new_bond(spec, "vf0");
        g_autoptr(NMConnection) own = standalone("auto", "auto");
        g_autoptr(NMConnection) link_local = standalone("disabled", "link-local");

        assert_false(nm_profile_has_ip(link_local));
        assert_false(nm_profile_needs_link(link_local));
        assert_true(nm_profile_has_ip(own));
        assert_true(nm_profile_needs_link(own));
        (void)nm_profile_copy_ip(bond, own);
        assert_string_equal(nm_setting_ip_config_get_method(nm_connection_get_setting_ip4_config(bond)),
                            "auto");

        /* Dissolving: the port that stays gets the bond's configuration in
         * a profile without hnv's mark, which hnv never deletes. */
        g_autoptr(NMConnection) back = nm_profile_new_standalone("eth0", bond);
        assert_true(nm_connection_verify(back, NULL));
        assert_string_equal(nm_connection_get_id(back), "eth0");
        assert_null(nm_profile_group(back));
        assert_null(nm_setting_connection_get_master(nm_connection_get_setting_connection(back)));
        assert_string_equal(nm_setting_ip_config_get_method(nm_connection_get_setting_ip4_config(back)),
                            "auto");
}

/* A profile as hcnmgr, an admin or the installer made it (no hnv mark). */
static NMConnection *plain_profile(const char *id, const char *ifname, const char *type,
                                   const char *controller) {
        NMConnection *c = nm_simple_connection_new();
        NMSetting *sc = nm_setting_connection_new();

        g_object_set(sc, NM_SETTING_CONNECTION_ID, id, NM_SETTING_CONNECTION_INTERFACE_NAME, ifname,
                     NM_SETTING_CONNECTION_TYPE, type, NULL);
        if (controller)
                g_object_set(sc, NM_SETTING_CONNECTION_MASTER, controller, NM_SETTING_CONNECTION_SLAVE_TYPE,
                             "bond", NULL);
        nm_connection_add_setting(c, sc);
        return c;
}

/* What the boot reconcile may delete: hnv's and hcnmgr's profiles, by the
 * interface they are for; never anyone else's. */
static void test_prunable(void **state) {
        static const struct {
                const char *id, *ifname, *type, *controller, *want;
        } cases[] = {
                {"bond333e80f5", "bond333e80f5", "bond", NULL, "bond333e80f5"},
                {"bond333e80f5-enP1p0s0", "enP1p0s0", "802-3-ethernet", "bond333e80f5", "enP1p0s0"},
                /* Not hcnmgr's: another name shape, another controller, an
                 * id that does not match the interface, a bond with an
                 * admin's name. */
                {"bond333e80f5-env3", "env2", "802-3-ethernet", "bond333e80f5", NULL},
                {"bond333e80f5-env3", "env3", "802-3-ethernet", "bond11111111", NULL},
                {"bond333e80f5-env3", "env3", "802-3-ethernet", NULL, NULL},
                {"bond333E80F5", "bond333E80F5", "bond", NULL, NULL},
                {"bond0", "bond0", "bond", NULL, NULL},
                {"bondweb-vf0", "vf0", "802-3-ethernet", "bondweb", NULL},
                {"Wired connection 1", "eth0", "802-3-ethernet", NULL, NULL},
                {"eth0", "eth0", "802-3-ethernet", NULL, NULL},
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                g_autoptr(NMConnection) c =
                        plain_profile(cases[i].id, cases[i].ifname, cases[i].type, cases[i].controller);
                const char *got = nm_profile_prunable_ifname(c);
                if (!streq_ptr(got, cases[i].want))
                        fail_msg("%s: got %s, want %s", cases[i].id, strna(got), strna(cases[i].want));
        }

        /* hnv's own, whatever its name: by the mark. */
        g_autoptr(NMConnection) port = nm_profile_new_port("web", "bondweb", "vf0");
        assert_string_equal(nm_profile_prunable_ifname(port), "vf0");
        _cleanup_(group_spec_freep) GroupSpec *spec = spec_new();
        g_autoptr(NMConnection) bond = nm_profile_new_bond(spec, NULL);
        assert_string_equal(nm_profile_prunable_ifname(bond), spec->bond_name);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_bond_profile),
                cmocka_unit_test(test_port_profile),
                cmocka_unit_test(test_adopt_and_primary),
                cmocka_unit_test(test_copy_static),
                cmocka_unit_test(test_copy_dhcp_and_standalone),
                cmocka_unit_test(test_prunable),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
