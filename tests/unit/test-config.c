/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hnv.conf(5): the parser, the checks across groups and files, and the group
 * model underneath (port matches, bond options, names). Error messages are
 * compared in full, because "file:line: what" is the interface an admin
 * sees from hnvd --check and hnvctl reload. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "config.h"
#include "group.h"

static const char *s_or_null(const char *s) {
        return s ? s : "(null)";
}

/* ---------------------------------------------------------------------- */
/* enum names */

static void test_enum_strings(void **state) {
        assert_string_equal(port_role_to_string(PORT_ROLE_PRIMARY), "primary");
        assert_string_equal(port_role_to_string(PORT_ROLE_BACKUP), "backup");
        assert_null(port_role_to_string(_PORT_ROLE_MAX));
        assert_null(port_role_to_string(_PORT_ROLE_INVALID));
        assert_int_equal(port_role_from_string("primary"), PORT_ROLE_PRIMARY);
        assert_int_equal(port_role_from_string("backup"), PORT_ROLE_BACKUP);
        assert_int_equal(port_role_from_string("Primary"), -EINVAL);
        assert_int_equal(port_role_from_string(""), -EINVAL);
        assert_int_equal(port_role_from_string(NULL), -EINVAL);

        static const char *const sources[] = {"config", "devicetree", "runtime", "udev", "auto"};
        for (GroupSource s = 0; s < _GROUP_SOURCE_MAX; s++)
                assert_string_equal(group_source_to_string(s), sources[s]);
        assert_null(group_source_to_string(_GROUP_SOURCE_MAX));
        assert_null(group_source_to_string(_GROUP_SOURCE_INVALID));

        static const char *const states[] = {"pending", "healthy", "degraded", "down", "migrating"};
        for (GroupState s = 0; s < _GROUP_STATE_MAX; s++) {
                assert_string_equal(group_state_to_string(s), states[s]);
                assert_int_equal(group_state_from_string(states[s]), s);
        }
        assert_null(group_state_to_string(_GROUP_STATE_MAX));
        assert_null(group_state_to_string(_GROUP_STATE_INVALID));
        assert_int_equal(group_state_from_string("up"), -EINVAL);
        assert_int_equal(group_state_from_string(NULL), -EINVAL);
}

/* ---------------------------------------------------------------------- */
/* port matches */

typedef struct MatchCase {
        const char *input;
        PortMatchType type;
        const char *canonical; /* port_match_to_string(); NULL: rejected */
} MatchCase;

static const MatchCase match_cases[] = {
        {"mac:02:00:00:00:00:01", PORT_MATCH_MAC, "mac:02:00:00:00:00:01"},
        {"mac:02-AB-00-00-00-01", PORT_MATCH_MAC, "mac:02:ab:00:00:00:01"},
        {"02:00:00:00:00:01", PORT_MATCH_MAC, "mac:02:00:00:00:00:01"},
        /* also a valid interface name, but someone pasting this means a MAC */
        {"02-00-00-00-00-01", PORT_MATCH_MAC, "mac:02:00:00:00:00:01"},
        {"name:eth1", PORT_MATCH_NAME, "name:eth1"},
        {"name:vf*", PORT_MATCH_NAME, "name:vf*"},
        {"name:enp[0-9]s?", PORT_MATCH_NAME, "name:enp[0-9]s?"},
        {"name:a-pattern-longer-than-an-ifname*", PORT_MATCH_NAME, "name:a-pattern-longer-than-an-ifname*"},
        {"eth1", PORT_MATCH_NAME, "name:eth1"},
        {"vf*", PORT_MATCH_NAME, "name:vf*"},
        {"123456789012345", PORT_MATCH_NAME, "name:123456789012345"},
        {"udev:ID_PATH=pci-0000:00:05.0", PORT_MATCH_UDEV_PROPERTY, "udev:ID_PATH=pci-0000:00:05.0"},
        {"udev:ID_NET_DRIVER=mlx5_*", PORT_MATCH_UDEV_PROPERTY, "udev:ID_NET_DRIVER=mlx5_*"},
        {"udev:HNV_ROLE=a=b", PORT_MATCH_UDEV_PROPERTY, "udev:HNV_ROLE=a=b"},
        {"udev:ID_MODEL_FROM_DATABASE=Virtio network device", PORT_MATCH_UDEV_PROPERTY,
         "udev:ID_MODEL_FROM_DATABASE=Virtio network device"},
        /* Only ever the device tree's own form, so a state file round-trips. */
        {"hcn-id:333e80f5", PORT_MATCH_HCN_ID, "hcn-id:333e80f5"},
        {"hcn-id:00000000", PORT_MATCH_HCN_ID, "hcn-id:00000000"},

        {"", _PORT_MATCH_TYPE_INVALID, NULL},
        {"mac:", _PORT_MATCH_TYPE_INVALID, NULL},
        {"hcn-id:", _PORT_MATCH_TYPE_INVALID, NULL},
        {"hcn-id:333E80F5", _PORT_MATCH_TYPE_INVALID, NULL},
        {"hcn-id:3e80f5", _PORT_MATCH_TYPE_INVALID, NULL},
        {"hcn-id:333e80f5a", _PORT_MATCH_TYPE_INVALID, NULL},
        {"hcn-id:0x3e80f5", _PORT_MATCH_TYPE_INVALID, NULL},
        {"hcn-id:333g80f5", _PORT_MATCH_TYPE_INVALID, NULL},
        {"mac:02:00:00:00:00", _PORT_MATCH_TYPE_INVALID, NULL},
        {"mac:02:00:00:00:00:0", _PORT_MATCH_TYPE_INVALID, NULL},
        {"mac:02:00:00:00:00:01:02", _PORT_MATCH_TYPE_INVALID, NULL},
        {"mac:02:00-00:00:00:01", _PORT_MATCH_TYPE_INVALID, NULL},
        {"mac:eth1", _PORT_MATCH_TYPE_INVALID, NULL},
        {"mac:00:00:00:00:00:00", _PORT_MATCH_TYPE_INVALID, NULL},
        {"MAC:02:00:00:00:00:01", _PORT_MATCH_TYPE_INVALID, NULL},
        {"name:", _PORT_MATCH_TYPE_INVALID, NULL},
        {"name:eth 1", _PORT_MATCH_TYPE_INVALID, NULL},
        {"name:a/b", _PORT_MATCH_TYPE_INVALID, NULL},
        {"name:a:b", _PORT_MATCH_TYPE_INVALID, NULL},
        {"udev:", _PORT_MATCH_TYPE_INVALID, NULL},
        {"udev:ID_PATH", _PORT_MATCH_TYPE_INVALID, NULL},
        {"udev:=pci-*", _PORT_MATCH_TYPE_INVALID, NULL},
        {"udev:ID_PATH=", _PORT_MATCH_TYPE_INVALID, NULL},
        {"udev:ID PATH=x", _PORT_MATCH_TYPE_INVALID, NULL},
        {"udev:ID_PATH= x", _PORT_MATCH_TYPE_INVALID, NULL},
        {"udev:ID_PATH=x ", _PORT_MATCH_TYPE_INVALID, NULL},
        {"1234567890123456", _PORT_MATCH_TYPE_INVALID, NULL},
        {"eth 1", _PORT_MATCH_TYPE_INVALID, NULL},
        {"foo:bar", _PORT_MATCH_TYPE_INVALID, NULL},
        {".", _PORT_MATCH_TYPE_INVALID, NULL},
        {"..", _PORT_MATCH_TYPE_INVALID, NULL},
};

static void test_port_match_table(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(match_cases); i++) {
                const MatchCase *t = &match_cases[i];
                PortMatch m = {}, again = {};
                _cleanup_(freep) char *s = NULL, *s2 = NULL;
                char *input = strdup(t->input); /* exact size, for ASan */
                int r;

                assert_non_null(input);
                r = port_match_parse(input, &m);
                free(input);
                if (!t->canonical) {
                        if (r != -EINVAL)
                                fail_msg("'%s': expected -EINVAL, got %d", t->input, r);
                        assert_int_equal(m.type, PORT_MATCH_NONE);
                        continue;
                }
                if (r != 0)
                        fail_msg("'%s': expected success, got %d", t->input, r);
                assert_int_equal(m.type, t->type);
                s = port_match_to_string(&m);
                assert_string_equal(s, t->canonical);

                /* The canonical form parses back to itself. */
                assert_int_equal(port_match_parse(s, &again), 0);
                s2 = port_match_to_string(&again);
                assert_string_equal(s2, t->canonical);

                port_match_done(&m);
                port_match_done(&again);
        }
}

static void test_port_match_copy_done(void **state) {
        PortMatch m = {}, copy = {};
        _cleanup_(freep) char *s = NULL;

        assert_int_equal(port_match_parse("udev:ID_PATH=pci-*", &m), 0);
        assert_int_equal(port_match_copy(&copy, &m), 0);
        assert_ptr_not_equal(copy.key, m.key);
        assert_ptr_not_equal(copy.value, m.value);
        port_match_done(&m);
        assert_int_equal(m.type, PORT_MATCH_NONE);
        assert_null(m.key);
        assert_null(m.value);
        s = port_match_to_string(&copy);
        assert_string_equal(s, "udev:ID_PATH=pci-*");
        port_match_done(&copy);
        port_match_done(&copy); /* idempotent */
        port_match_done(NULL);

        /* An empty match prints as "", so that NULL only means out of memory. */
        free(s);
        s = port_match_to_string(&m);
        assert_string_equal(s, "");
}

/* ---------------------------------------------------------------------- */
/* bond options */

static void test_bond_options_defaults(void **state) {
        BondOptions o;

        memset(&o, 0xff, sizeof(o));
        bond_options_init(&o);
        assert_int_equal(o.miimon_ms, 100);
        assert_int_equal(o.updelay_ms, 0);
        assert_int_equal(o.downdelay_ms, 0);
        assert_int_equal(o.fail_over_mac, 2);
        assert_int_equal(o.num_peer_notif, 3);
        assert_int_equal(o.peer_notif_delay_ms, 0);
        assert_int_equal(o.mtu, 0);
}

typedef enum OptionField {
        F_REJECTED,
        F_MIIMON,
        F_UPDELAY,
        F_DOWNDELAY,
        F_FAIL_OVER_MAC,
        F_NUM_PEER_NOTIF,
        F_PEER_NOTIF_DELAY,
        F_MTU,
} OptionField;

/* A word either is rejected or sets exactly one field to value. */
typedef struct OptionCase {
        const char *word;
        OptionField field;
        uint32_t value;
} OptionCase;

static const OptionCase option_cases[] = {
        {"miimon=50", F_MIIMON, 50},
        {"miimon=0", F_MIIMON, 0},
        {"miimon=0100", F_MIIMON, 100},
        {"miimon=2147483647", F_MIIMON, 2147483647},
        {"updelay=200", F_UPDELAY, 200},
        {"downdelay=300", F_DOWNDELAY, 300},
        {"fail_over_mac=none", F_FAIL_OVER_MAC, 0},
        {"fail_over_mac=active", F_FAIL_OVER_MAC, 1},
        {"fail_over_mac=follow", F_FAIL_OVER_MAC, 2},
        {"fail_over_mac=0", F_FAIL_OVER_MAC, 0},
        {"fail_over_mac=1", F_FAIL_OVER_MAC, 1},
        {"fail_over_mac=2", F_FAIL_OVER_MAC, 2},
        {"num_peer_notif=0", F_NUM_PEER_NOTIF, 0},
        {"num_peer_notif=255", F_NUM_PEER_NOTIF, 255},
        {"peer_notif_delay=500", F_PEER_NOTIF_DELAY, 500},
        {"mtu=0", F_MTU, 0},
        {"mtu=68", F_MTU, 68},
        {"mtu=9000", F_MTU, 9000},
        {"mtu=65535", F_MTU, 65535},

        {"", F_REJECTED, 0},
        {"miimon", F_REJECTED, 0},
        {"miimon=", F_REJECTED, 0},
        {"=100", F_REJECTED, 0},
        {"miimon=-1", F_REJECTED, 0},
        {"miimon=+1", F_REJECTED, 0},
        {"miimon=1x", F_REJECTED, 0},
        {"miimon=0x10", F_REJECTED, 0},
        {"miimon= 1", F_REJECTED, 0},
        {"miimon =1", F_REJECTED, 0},
        {"miimon=2147483648", F_REJECTED, 0},
        {"miimon=99999999999999999999", F_REJECTED, 0},
        {"MIIMON=100", F_REJECTED, 0},
        {"mii=100", F_REJECTED, 0},
        {"miimonx=100", F_REJECTED, 0},
        {"primary_reselect=better", F_REJECTED, 0},
        {"mode=balance-rr", F_REJECTED, 0},
        {"fail_over_mac=3", F_REJECTED, 0},
        {"fail_over_mac=Follow", F_REJECTED, 0},
        {"fail_over_mac=", F_REJECTED, 0},
        {"num_peer_notif=256", F_REJECTED, 0},
        {"num_peer_notif=-1", F_REJECTED, 0},
        {"mtu=1", F_REJECTED, 0},
        {"mtu=67", F_REJECTED, 0},
        {"mtu=65536", F_REJECTED, 0},
        {"peer_notif_delay=abc", F_REJECTED, 0},
};

static void test_bond_options_set_table(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(option_cases); i++) {
                const OptionCase *t = &option_cases[i];
                BondOptions o, before;
                int r;

                bond_options_init(&o);
                before = o;
                r = bond_options_set(&o, t->word);
                if (t->field == F_REJECTED) {
                        if (r != -EINVAL)
                                fail_msg("'%s': expected -EINVAL, got %d", t->word, r);
                        /* A rejected word changes nothing. */
                        assert_memory_equal(&o, &before, sizeof(o));
                        continue;
                }
                if (r != 0)
                        fail_msg("'%s': expected success, got %d", t->word, r);
                switch (t->field) {
                case F_MIIMON:
                        before.miimon_ms = t->value;
                        break;
                case F_UPDELAY:
                        before.updelay_ms = t->value;
                        break;
                case F_DOWNDELAY:
                        before.downdelay_ms = t->value;
                        break;
                case F_FAIL_OVER_MAC:
                        before.fail_over_mac = (uint8_t)t->value;
                        break;
                case F_NUM_PEER_NOTIF:
                        before.num_peer_notif = (uint8_t)t->value;
                        break;
                case F_PEER_NOTIF_DELAY:
                        before.peer_notif_delay_ms = t->value;
                        break;
                case F_MTU:
                        before.mtu = t->value;
                        break;
                case F_REJECTED:
                        break;
                }
                if (memcmp(&o, &before, sizeof(o)) != 0)
                        fail_msg("'%s': wrong result or another field changed", t->word);
        }
        assert_int_equal(bond_options_set(NULL, "miimon=1"), -EINVAL);
}

/* ---------------------------------------------------------------------- */
/* names */

typedef struct NameCase {
        const char *name;
        bool group_ok, ifname_ok;
} NameCase;

static const NameCase name_cases[] = {
        {"web", true, true},
        {"a", true, true},
        {"A-Z_a.z-09", true, true},
        {"123456789012345", true, true},   /* 15: the longest interface name */
        {"1234567890123456", true, false}, /* 16: one too long for the kernel */
        {"eth0.100", true, true},
        {".", true, false},
        {"..", true, false},
        {"...", true, true},
        {"", false, false},
        {"a b", false, false},
        {"a\tb", false, false},
        {"a/b", false, false},
        {"a:b", false, false},
        {"vf*", false, true},
        {"naïve", false, true}, /* the kernel has no idea of UTF-8, and no byte of it is a blank */
        {"a\xa0"
         "b",
         false, false}, /* the kernel's isspace() is Latin-1 */
        {"tab\n", false, false},
};

static void test_name_validation(void **state) {
        char longest[GROUP_NAME_MAX + 2];

        for (size_t i = 0; i < ELEMENTSOF(name_cases); i++) {
                const NameCase *t = &name_cases[i];

                if (group_name_is_valid(t->name) != t->group_ok)
                        fail_msg("group_name_is_valid('%s') != %d", t->name, t->group_ok);
                if (ifname_is_valid(t->name) != t->ifname_ok)
                        fail_msg("ifname_is_valid('%s') != %d", t->name, t->ifname_ok);
        }

        memset(longest, 'g', GROUP_NAME_MAX);
        longest[GROUP_NAME_MAX] = '\0';
        assert_true(group_name_is_valid(longest));
        longest[GROUP_NAME_MAX] = 'g';
        longest[GROUP_NAME_MAX + 1] = '\0';
        assert_false(group_name_is_valid(longest));

        assert_false(group_name_is_valid(NULL));
        assert_false(ifname_is_valid(NULL));
}

static void test_default_bond_name(void **state) {
        char bond[IFNAMSIZ];

        assert_int_equal(group_default_bond_name("web", bond), 0);
        assert_string_equal(bond, "bondweb");
        assert_int_equal(group_default_bond_name("12345678901", bond), 0);
        assert_string_equal(bond, "bond12345678901"); /* 15 characters */

        memcpy(bond, "untouched", sizeof("untouched"));
        assert_int_equal(group_default_bond_name("123456789012", bond), -ENAMETOOLONG);
        assert_string_equal(bond, "untouched");
        assert_int_equal(group_default_bond_name("a/b", bond), -EINVAL);
        assert_int_equal(group_default_bond_name("", bond), -EINVAL);
        assert_int_equal(group_default_bond_name(NULL, bond), -EINVAL);
}

/* ---------------------------------------------------------------------- */
/* GroupSpec */

static void test_group_spec_new_dup_free(void **state) {
        _cleanup_(group_spec_freep) GroupSpec *g = NULL, *copy = NULL;
        _cleanup_(freep) char *p = NULL, *b = NULL;

        g = group_spec_new("web", GROUP_SOURCE_RUNTIME);
        assert_non_null(g);
        assert_string_equal(g->name, "web");
        assert_int_equal(g->source, GROUP_SOURCE_RUNTIME);
        assert_string_equal(g->bond_name, "");
        assert_null(g->origin);
        assert_int_equal(g->match[PORT_ROLE_PRIMARY].type, PORT_MATCH_NONE);
        assert_int_equal(g->options.miimon_ms, 100);
        assert_int_equal(g->options.num_peer_notif, 3);

        assert_int_equal(group_default_bond_name(g->name, g->bond_name), 0);
        assert_int_equal(port_match_parse("name:vf*", &g->match[PORT_ROLE_PRIMARY]), 0);
        assert_int_equal(port_match_parse("udev:ID_PATH=pci-*", &g->match[PORT_ROLE_BACKUP]), 0);
        g->options.mtu = 9000;
        g->origin = strdup("hnv.conf:3");
        assert_non_null(g->origin);

        copy = group_spec_dup(g);
        assert_non_null(copy);
        assert_ptr_not_equal(copy->name, g->name);
        assert_string_equal(copy->name, "web");
        assert_string_equal(copy->bond_name, "bondweb");
        assert_string_equal(copy->origin, "hnv.conf:3");
        assert_ptr_not_equal(copy->origin, g->origin);
        assert_int_equal(copy->options.mtu, 9000);
        assert_int_equal(copy->source, GROUP_SOURCE_RUNTIME);
        assert_ptr_not_equal(copy->match[PORT_ROLE_BACKUP].key, g->match[PORT_ROLE_BACKUP].key);
        p = port_match_to_string(&copy->match[PORT_ROLE_PRIMARY]);
        b = port_match_to_string(&copy->match[PORT_ROLE_BACKUP]);
        assert_string_equal(p, "name:vf*");
        assert_string_equal(b, "udev:ID_PATH=pci-*");

        /* The copy lives on alone. */
        g = group_spec_free(g);
        assert_null(g);
        assert_string_equal(copy->match[PORT_ROLE_BACKUP].value, "pci-*");

        assert_null(group_spec_free(NULL));
        assert_null(group_spec_dup(NULL));
        assert_null(group_spec_new(NULL, GROUP_SOURCE_CONFIG));
}

/* ---------------------------------------------------------------------- */
/* parsing: good files */

typedef struct GroupExpect {
        const char *name, *bond, *primary, *backup, *origin;
        uint32_t miimon, mtu;
        uint8_t fail_over_mac, num_peer_notif;
} GroupExpect;

typedef struct GoodCase {
        const char *title;
        const char *text;
        bool auto_pairing;
        const char *drivers; /* joined by ' ' */
        uint32_t miimon;     /* [global] defaults */
        uint8_t num_peer_notif, fail_over_mac;
        unsigned migration_timeout; /* 0: expect the default */
        const char *backend;        /* NULL: expect auto */
        const char *ifcfg_dir;      /* NULL: expect none (the default) */
        const char *networkd_dir;   /* NULL: expect none (the default) */
        size_t n_groups;
        GroupExpect groups[3];
} GoodCase;

#define DEFAULT_DRIVERS "virtio_net ibmveth ibmvnic hv_netvsc"

static const GoodCase good_cases[] = {
        {
                .title = "empty",
                .text = "",
                .auto_pairing = true,
                .drivers = DEFAULT_DRIVERS,
                .miimon = 100,
                .num_peer_notif = 3,
                .fail_over_mac = 2,
        },
        {
                .title = "comments and blank lines only",
                .text = "# comment\n; also comment\n\n   \t\n  # indented\n[global]\n# nothing\n",
                .auto_pairing = true,
                .drivers = DEFAULT_DRIVERS,
                .miimon = 100,
                .num_peer_notif = 3,
                .fail_over_mac = 2,
        },
        {
                .title = "the example from the man page",
                .text = "# comment ; also comment\n"
                        "[global]\n"
                        "auto-pairing = yes            # yes/no/true/false/1/0\n"
                        "paravirt-drivers = virtio_net ibmveth ibmvnic hv_netvsc\n"
                        "bond-options = miimon=100 num_peer_notif=3 fail_over_mac=follow\n"
                        "\n"
                        "[group web]\n"
                        "primary = mac:02:00:00:00:00:01     # or name:vf*\n"
                        "backup = name:eth1\n"
                        "bond = bondweb\n"
                        "bond-options = miimon=50 mtu=9000\n"
                        "\n"
                        "[group db]\n"
                        "primary = udev:ID_PATH=pci-0000:00:05.0\n"
                        "backup = eth2\n",
                .auto_pairing = true,
                .drivers = DEFAULT_DRIVERS,
                .miimon = 100,
                .num_peer_notif = 3,
                .fail_over_mac = 2,
                .n_groups = 2,
                .groups =
                        {
                                {"web", "bondweb", "mac:02:00:00:00:00:01", "name:eth1", "hnv.conf:7", 50,
                                 9000, 2, 3},
                                {"db", "bonddb", "udev:ID_PATH=pci-0000:00:05.0", "name:eth2", "hnv.conf:13",
                                 100, 0, 2, 3},
                        },
        },
        {
                .title = "no blanks around '=', CRLF line ends, no final newline",
                .text = "[global]\r\nauto-pairing=no\r\nparavirt-drivers=virtio_net\r\n[group "
                        "g1]\r\nprimary=vf0\r\n"
                        "backup =bk0\r\nbond= b1",
                .auto_pairing = false,
                .drivers = "virtio_net",
                .miimon = 100,
                .num_peer_notif = 3,
                .fail_over_mac = 2,
                .n_groups = 1,
                .groups = {{"g1", "b1", "name:vf0", "name:bk0", "hnv.conf:4", 100, 0, 2, 3}},
        },
        {
                .title = "migration-timeout",
                .text = "[global]\nmigration-timeout = 45\n",
                .auto_pairing = true,
                .drivers = DEFAULT_DRIVERS,
                .miimon = 100,
                .num_peer_notif = 3,
                .fail_over_mac = 2,
                .migration_timeout = 45,
        },
        {
                .title = "backend",
                .text = "[global]\nbackend = networkmanager\n",
                .auto_pairing = true,
                .drivers = DEFAULT_DRIVERS,
                .miimon = 100,
                .num_peer_notif = 3,
                .fail_over_mac = 2,
                .backend = "networkmanager",
        },
        {
                .title = "ifcfg-dir",
                .text = "[global]\nbackend = wicked\nifcfg-dir = /tmp/hnv test/sysconfig\n",
                .auto_pairing = true,
                .drivers = DEFAULT_DRIVERS,
                .miimon = 100,
                .num_peer_notif = 3,
                .fail_over_mac = 2,
                .backend = "wicked",
                .ifcfg_dir = "/tmp/hnv test/sysconfig",
        },
        {
                .title = "networkd-dir",
                .text = "[global]\nbackend = networkd\nnetworkd-dir = /run/systemd/network\n",
                .auto_pairing = true,
                .drivers = DEFAULT_DRIVERS,
                .miimon = 100,
                .num_peer_notif = 3,
                .fail_over_mac = 2,
                .backend = "networkd",
                .networkd_dir = "/run/systemd/network",
        },
        {
                .title = "[global] bond-options after the group still apply to it",
                .text = "[group web]\n"
                        "primary = vf0\n"
                        "backup = bk0\n"
                        "bond-options = mtu=1500\n"
                        "[global]\n"
                        "bond-options = miimon=10 num_peer_notif=5 fail_over_mac=active\n",
                .auto_pairing = true,
                .drivers = DEFAULT_DRIVERS,
                .miimon = 10,
                .num_peer_notif = 5,
                .fail_over_mac = 1,
                .n_groups = 1,
                .groups = {{"web", "bondweb", "name:vf0", "name:bk0", "hnv.conf:1", 10, 1500, 1, 5}},
        },
        {
                .title = "a group's words override [global], the rest is inherited",
                .text = "[global]\nbond-options = miimon=200 mtu=9000\n"
                        "[group a]\nprimary = vf0\nbackup = bk0\nbond-options = mtu=0 fail_over_mac=none\n"
                        "[group b]\nprimary = vf1\nbackup = bk1\n",
                .auto_pairing = true,
                .drivers = DEFAULT_DRIVERS,
                .miimon = 200,
                .num_peer_notif = 3,
                .fail_over_mac = 2,
                .n_groups = 2,
                .groups =
                        {
                                {"a", "bonda", "name:vf0", "name:bk0", "hnv.conf:3", 200, 0, 0, 3},
                                {"b", "bondb", "name:vf1", "name:bk1", "hnv.conf:7", 200, 9000, 2, 3},
                        },
        },
        {
                .title = "empty lists, blanks inside headers, inline ';' comments, '#' inside a value",
                .text = "[ global ]\nparavirt-drivers =\nbond-options =   ; defaults\n"
                        "[group   x.y-z_1 ]\nprimary = name:vf#1\nbackup = udev:ID_MODEL=Virtio network "
                        "device\n"
                        "bond = 123456789012345\n",
                .auto_pairing = true,
                .drivers = "",
                .miimon = 100,
                .num_peer_notif = 3,
                .fail_over_mac = 2,
                .n_groups = 1,
                .groups = {{"x.y-z_1", "123456789012345", "name:vf#1", "udev:ID_MODEL=Virtio network device",
                            "hnv.conf:4", 100, 0, 2, 3}},
        },
        {
                .title = "a long group name with bond=",
                .text = "[group a-group-name-much-longer-than-an-interface-name]\nbond = bondlong\n"
                        "primary = 02:00:00:00:00:0A\nbackup = 02-00-00-00-00-0b\n",
                .auto_pairing = true,
                .drivers = DEFAULT_DRIVERS,
                .miimon = 100,
                .num_peer_notif = 3,
                .fail_over_mac = 2,
                .n_groups = 1,
                .groups = {{"a-group-name-much-longer-than-an-interface-name", "bondlong",
                            "mac:02:00:00:00:00:0a", "mac:02:00:00:00:00:0b", "hnv.conf:1", 100, 0, 2, 3}},
        },
        {
                .title = "two [global] sections with different keys",
                .text = "[global]\nauto-pairing = FALSE\n[global]\nbond-options = num_peer_notif=0\n",
                .auto_pairing = false,
                .drivers = DEFAULT_DRIVERS,
                .miimon = 100,
                .num_peer_notif = 0,
                .fail_over_mac = 2,
        },
};

static char *strv_join(char **l) {
        size_t n = 1;
        char *s;

        for (char **i = l; *i; i++)
                n += strlen(*i) + 1;
        s = calloc(1, n);
        assert_non_null(s);
        for (char **i = l; *i; i++) {
                if (i != l)
                        strcat(s, " ");
                strcat(s, *i);
        }
        return s;
}

static void check_group(const GroupSpec *g, const GroupExpect *e) {
        _cleanup_(freep) char *p = NULL, *b = NULL;

        assert_string_equal(g->name, e->name);
        assert_string_equal(g->bond_name, e->bond);
        assert_string_equal(s_or_null(g->origin), e->origin);
        assert_int_equal(g->source, GROUP_SOURCE_CONFIG);
        p = port_match_to_string(&g->match[PORT_ROLE_PRIMARY]);
        b = port_match_to_string(&g->match[PORT_ROLE_BACKUP]);
        assert_string_equal(p, e->primary);
        assert_string_equal(b, e->backup);
        assert_int_equal(g->options.miimon_ms, e->miimon);
        assert_int_equal(g->options.mtu, e->mtu);
        assert_int_equal(g->options.fail_over_mac, e->fail_over_mac);
        assert_int_equal(g->options.num_peer_notif, e->num_peer_notif);
}

static void test_parse_good_table(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(good_cases); i++) {
                const GoodCase *t = &good_cases[i];
                _cleanup_(config_freep) Config *c = config_new();
                _cleanup_(freep) char *error = NULL, *drivers = NULL;
                int r;

                assert_non_null(c);
                r = config_parse_text(c, "hnv.conf", t->text, &error);
                if (r < 0)
                        fail_msg("%s: %s", t->title, s_or_null(error));
                r = config_validate(c, &error);
                if (r < 0)
                        fail_msg("%s: %s", t->title, s_or_null(error));

                assert_int_equal(c->auto_pairing, t->auto_pairing);
                assert_string_equal(backend_kind_to_string(c->backend), t->backend ? t->backend : "auto");
                if (t->ifcfg_dir)
                        assert_string_equal(c->ifcfg_dir, t->ifcfg_dir);
                else
                        assert_null(c->ifcfg_dir);
                if (t->networkd_dir)
                        assert_string_equal(c->networkd_dir, t->networkd_dir);
                else
                        assert_null(c->networkd_dir);
                assert_int_equal(c->migration_timeout_sec,
                                 t->migration_timeout ?: HNV_MIGRATION_TIMEOUT_DEFAULT_SEC);
                drivers = strv_join(c->paravirt_drivers);
                assert_string_equal(drivers, t->drivers);
                assert_int_equal(c->bond_defaults.miimon_ms, t->miimon);
                assert_int_equal(c->bond_defaults.num_peer_notif, t->num_peer_notif);
                assert_int_equal(c->bond_defaults.fail_over_mac, t->fail_over_mac);
                assert_int_equal(c->n_groups, t->n_groups);
                for (size_t j = 0; j < t->n_groups; j++)
                        check_group(c->groups[j], &t->groups[j]);
        }
}

static void test_booleans(void **state) {
        static const struct {
                const char *word;
                bool value;
        } cases[] = {
                {"yes", true}, {"no", false}, {"true", true}, {"false", false},
                {"1", true},   {"0", false},  {"Yes", true},  {"NO", false},
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(config_freep) Config *c = config_new();
                _cleanup_(freep) char *text = NULL;

                assert_non_null(c);
                /* Start from the opposite, so that a no-op parser fails. */
                c->auto_pairing = !cases[i].value;
                assert_true(asprintf(&text, "[global]\nauto-pairing = %s\n", cases[i].word) > 0);
                assert_int_equal(config_parse_text(c, "x", text, NULL), 0);
                assert_int_equal(c->auto_pairing, cases[i].value);
        }
}

static void test_defaults(void **state) {
        _cleanup_(config_freep) Config *c = config_new();

        assert_non_null(c);
        assert_true(c->auto_pairing);
        assert_string_equal(c->paravirt_drivers[0], "virtio_net");
        assert_string_equal(c->paravirt_drivers[1], "ibmveth");
        assert_string_equal(c->paravirt_drivers[2], "ibmvnic");
        assert_string_equal(c->paravirt_drivers[3], "hv_netvsc");
        assert_null(c->paravirt_drivers[4]);
        assert_int_equal(c->bond_defaults.miimon_ms, 100);
        assert_int_equal(c->bond_defaults.fail_over_mac, 2);
        assert_int_equal(c->bond_defaults.num_peer_notif, 3);
        assert_int_equal(c->n_groups, 0);
        assert_int_equal(config_validate(c, NULL), 0);

        assert_true(config_driver_is_paravirt(c, "virtio_net"));
        assert_true(config_driver_is_paravirt(c, "hv_netvsc"));
        assert_false(config_driver_is_paravirt(c, "virtio"));
        assert_false(config_driver_is_paravirt(c, "virtio_net "));
        assert_false(config_driver_is_paravirt(c, "mlx5_core"));
        assert_false(config_driver_is_paravirt(c, NULL));
        assert_false(config_driver_is_paravirt(NULL, "virtio_net"));
        assert_null(config_find_group(c, "web"));

        assert_null(config_free(NULL));
        c = config_free(c);
        assert_null(c);
}

/* The device-tree keys: defaults, values, and a drop-in overriding the main
 * file (later files win, as for every [global] key). */
static void test_device_tree_keys(void **state) {
        static const struct {
                const char *title;
                const char *text, *dropin; /* dropin: NULL for none */
                bool device_tree;
                const char *root, *sysfs;
        } cases[] = {
                {"defaults", "", NULL, true, "/proc/device-tree", "/sys"},
                {"off", "[global]\ndevice-tree = no\n", NULL, false, "/proc/device-tree", "/sys"},
                {"on, spelled true", "[global]\ndevice-tree = true\n", NULL, true, "/proc/device-tree",
                 "/sys"},
                {"fixture roots",
                 "[global]\ndevice-tree-root = /run/fixture/dt   # a test's tree\nsysfs-root = /run/fixture/sys\n",
                 NULL, true, "/run/fixture/dt", "/run/fixture/sys"},
                {"path with blanks inside", "[global]\nsysfs-root = /a b/sys\n", NULL, true,
                 "/proc/device-tree", "/a b/sys"},
                {"a drop-in overrides", "[global]\ndevice-tree-root = /one\ndevice-tree = no\n",
                 "[global]\ndevice-tree-root = /two\ndevice-tree = yes\n", true, "/two", "/sys"},
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(config_freep) Config *c = config_new();
                _cleanup_(freep) char *error = NULL;

                assert_non_null(c);
                if (config_parse_text(c, "hnv.conf", cases[i].text, &error) < 0)
                        fail_msg("%s: %s", cases[i].title, s_or_null(error));
                if (cases[i].dropin && config_parse_text(c, "10.conf", cases[i].dropin, &error) < 0)
                        fail_msg("%s: %s", cases[i].title, s_or_null(error));
                if (c->device_tree != cases[i].device_tree)
                        fail_msg("%s: device_tree %d", cases[i].title, c->device_tree);
                assert_string_equal(c->device_tree_root, cases[i].root);
                assert_string_equal(c->sysfs_root, cases[i].sysfs);
        }
}

static void test_find_group_and_drivers(void **state) {
        _cleanup_(config_freep) Config *c = config_new();

        assert_non_null(c);
        assert_int_equal(config_parse_text(c, "f",
                                           "[global]\nparavirt-drivers = netfront my-driver\n"
                                           "[group a]\nprimary=vf0\nbackup=bk0\n"
                                           "[group b]\nprimary=vf1\nbackup=bk1\n",
                                           NULL),
                         0);
        assert_ptr_equal(config_find_group(c, "a"), c->groups[0]);
        assert_ptr_equal(config_find_group(c, "b"), c->groups[1]);
        assert_null(config_find_group(c, "c"));
        assert_null(config_find_group(c, NULL));
        assert_true(config_driver_is_paravirt(c, "netfront"));
        assert_true(config_driver_is_paravirt(c, "my-driver"));
        /* The list replaces the defaults, it does not add to them. */
        assert_false(config_driver_is_paravirt(c, "virtio_net"));
}

/* ---------------------------------------------------------------------- */
/* parsing: bad files */

typedef struct BadCase {
        const char *text;
        const char *error; /* from config_parse_text(), or else from config_validate() */
} BadCase;

#define WEB "[group web]\nprimary = vf0\nbackup = bk0\n"

static const BadCase bad_cases[] = {
        /* syntax */
        {"auto-pairing = yes\n", "hnv.conf:1: key 'auto-pairing' outside of a section"},
        {"# x\n\nprimary = vf0\n", "hnv.conf:3: key 'primary' outside of a section"},
        {"[global]\nauto-pairing yes\n", "hnv.conf:2: missing '=' in 'auto-pairing yes'"},
        {"[global]\n  just words   # and a comment\n", "hnv.conf:2: missing '=' in 'just words'"},
        {"[global]\n= yes\n", "hnv.conf:2: missing key before '='"},
        {"[global\n", "hnv.conf:1: invalid section header '[global'"},
        {"[global] x\n", "hnv.conf:1: invalid section header '[global] x'"},
        {"[]\n", "hnv.conf:1: unknown section '[]'"},
        {"[Global]\n", "hnv.conf:1: unknown section '[Global]'"},
        {"[global x]\n", "hnv.conf:1: unknown section '[global x]'"},
        {"[groups web]\n", "hnv.conf:1: unknown section '[groups web]'"},
        {"[groupweb]\n", "hnv.conf:1: unknown section '[groupweb]'"},
        {"[group]\n", "hnv.conf:1: missing group name in '[group]'"},
        {"[group  ]\n", "hnv.conf:1: missing group name in '[group]'"},
        {"[group a/b]\n", "hnv.conf:1: invalid group name 'a/b': use 1-64 of A-Z a-z 0-9 _ . -"},
        {"[group a b]\n", "hnv.conf:1: invalid group name 'a b': use 1-64 of A-Z a-z 0-9 _ . -"},
        {"[group "
         "gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg]\n",
         "hnv.conf:1: invalid group name "
         "'gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg': use 1-64 of A-Z a-z 0-9 _ . "
         "-"},

        /* keys */
        {"[global]\nauto_pairing = yes\n", "hnv.conf:2: unknown key 'auto_pairing' in [global]"},
        {"[global]\nprimary = vf0\n", "hnv.conf:2: unknown key 'primary' in [global]"},
        {"[group web]\nprimry = vf0\n", "hnv.conf:2: unknown key 'primry' in [group web]"},
        {"[group web]\nPrimary = vf0\n", "hnv.conf:2: unknown key 'Primary' in [group web]"},
        {"[group web]\nauto-pairing = no\n", "hnv.conf:2: unknown key 'auto-pairing' in [group web]"},
        {"[global]\nauto-pairing = yes\nauto-pairing = no\n",
         "hnv.conf:3: duplicate key 'auto-pairing' in [global]"},
        {"[global]\nbond-options =\n[group web]\n[global]\nbond-options = miimon=1\n",
         "hnv.conf:5: duplicate key 'bond-options' in [global]"},
        {WEB "primary = vf1\n", "hnv.conf:4: duplicate key 'primary' in [group web]"},
        {WEB "bond = b0\nbond = b1\n", "hnv.conf:5: duplicate key 'bond' in [group web]"},
        {WEB "bond-options =\nbond-options = mtu=1500\n",
         "hnv.conf:5: duplicate key 'bond-options' in [group web]"},

        /* values */
        {"[global]\nauto-pairing = maybe\n",
         "hnv.conf:2: invalid value 'maybe' for auto-pairing: use yes or no"},
        {"[global]\nauto-pairing =\n", "hnv.conf:2: invalid value '' for auto-pairing: use yes or no"},
        {"[global]\nbackend = nm\n",
         "hnv.conf:2: invalid value 'nm' for backend: use auto, kernel, networkmanager, wicked or networkd"},
        {"[global]\nbackend = kernel\nbackend = kernel\n",
         "hnv.conf:3: duplicate key 'backend' in [global]"},
        {"[global]\nifcfg-dir = sysconfig/network\n",
         "hnv.conf:2: invalid value 'sysconfig/network' for ifcfg-dir: use an absolute path"},
        {"[global]\nifcfg-dir =\n", "hnv.conf:2: invalid value '' for ifcfg-dir: use an absolute path"},
        {"[global]\nifcfg-dir = /a\tb\n",
         "hnv.conf:2: invalid value '/a\tb' for ifcfg-dir: use an absolute path"},
        {"[global]\nifcfg-dir = /a\nifcfg-dir = /b\n", "hnv.conf:3: duplicate key 'ifcfg-dir' in [global]"},
        {"[global]\nmigration-timeout = 0\n",
         "hnv.conf:2: invalid value '0' for migration-timeout: seconds, 1 to 86400"},
        {"[global]\nmigration-timeout = -5\n",
         "hnv.conf:2: invalid value '-5' for migration-timeout: seconds, 1 to 86400"},
        {"[global]\nmigration-timeout = 10m\n",
         "hnv.conf:2: invalid value '10m' for migration-timeout: seconds, 1 to 86400"},
        {"[global]\nmigration-timeout = 86401\n",
         "hnv.conf:2: invalid value '86401' for migration-timeout: seconds, 1 to 86400"},
        {"[global]\nmigration-timeout = 5\nmigration-timeout = 6\n",
         "hnv.conf:3: duplicate key 'migration-timeout' in [global]"},
        {"[global]\nparavirt-drivers = virtio_net virtio/net\n",
         "hnv.conf:2: invalid driver name 'virtio/net' in paravirt-drivers"},
        {"[global]\nbond-options = miimon=100 mtu=10 num_peer_notif=1\n",
         "hnv.conf:2: invalid bond option 'mtu=10' in bond-options"},
        {"[global]\nbond-options = primary_reselect=better\n",
         "hnv.conf:2: invalid bond option 'primary_reselect=better' in bond-options"},
        {"[global]\nbond-options = miimon\n", "hnv.conf:2: invalid bond option 'miimon' in bond-options"},
        {WEB "bond-options = num_peer_notif=300\n",
         "hnv.conf:4: invalid bond option 'num_peer_notif=300' in bond-options"},
        {WEB "bond-options = miimon=000000000000000000000000000000000000000000000000000000000000000001\n",
         "hnv.conf:4: invalid bond option "
         "'miimon=000000000000000000000000000000000000000000000000000000000000000001' "
         "in bond-options"},
        {"[group web]\nprimary = mac:02:00:00:00:00\n", "hnv.conf:2: invalid primary 'mac:02:00:00:00:00': "
                                                        "use mac:ADDRESS, name:PATTERN or udev:KEY=PATTERN"},
        {"[group web]\nprimary =\n",
         "hnv.conf:2: invalid primary '': use mac:ADDRESS, name:PATTERN or udev:KEY=PATTERN"},
        {"[group web]\nbackup = udev:=x\n",
         "hnv.conf:2: invalid backup 'udev:=x': use mac:ADDRESS, name:PATTERN or udev:KEY=PATTERN"},
        {"[group web]\nbackup = a-name-too-long-for-linux\n",
         "hnv.conf:2: invalid backup 'a-name-too-long-for-linux': use mac:ADDRESS, name:PATTERN or "
         "udev:KEY=PATTERN"},
        {"[group web]\nbond = bond/web\n",
         "hnv.conf:2: invalid bond name 'bond/web' (at most 15 characters)"},
        {"[group web]\nbond = 1234567890123456\n",
         "hnv.conf:2: invalid bond name '1234567890123456' (at most 15 characters)"},
        {"[group web]\nbond =\n", "hnv.conf:2: invalid bond name '' (at most 15 characters)"},
        /* An hcn-id names both ports at once: only the device tree's
         * ibm,hcn-mode can tell them apart. */
        {"[group web]\nprimary = hcn-id:333e80f5\n",
         "hnv.conf:2: invalid primary 'hcn-id:333e80f5': use mac:ADDRESS, name:PATTERN or udev:KEY=PATTERN"},

        /* device-tree=, device-tree-root=, sysfs-root= */
        {"[global]\ndevice-tree = sometimes\n",
         "hnv.conf:2: invalid value 'sometimes' for device-tree: use yes or no"},
        {"[global]\ndevice-tree =\n", "hnv.conf:2: invalid value '' for device-tree: use yes or no"},
        {"[global]\ndevice-tree = no\ndevice-tree = yes\n",
         "hnv.conf:3: duplicate key 'device-tree' in [global]"},
        {"[global]\ndevice-tree-root = proc/device-tree\n",
         "hnv.conf:2: invalid value 'proc/device-tree' for device-tree-root: use an absolute path"},
        {"[global]\ndevice-tree-root =\n",
         "hnv.conf:2: invalid value '' for device-tree-root: use an absolute path"},
        {"[global]\nsysfs-root = ~/sys\n",
         "hnv.conf:2: invalid value '~/sys' for sysfs-root: use an absolute path"},
        {"[global]\nsysfs-root = /a\nsysfs-root = /b\n",
         "hnv.conf:3: duplicate key 'sysfs-root' in [global]"},
        {"[group web]\ndevice-tree = no\n", "hnv.conf:2: unknown key 'device-tree' in [group web]"},

        /* default bond name too long: reported at the section header, at its end */
        {"\n[group abcdefghijkl]\nprimary = vf0\nbackup = bk0\n",
         "hnv.conf:2: group 'abcdefghijkl': bond name 'bondabcdefghijkl' is too long, set bond= (at most 15 "
         "characters)"},
        {"[group abcdefghijkl]\nprimary = vf0\n[global]\n",
         "hnv.conf:1: group 'abcdefghijkl': bond name 'bondabcdefghijkl' is too long, set bond= (at most 15 "
         "characters)"},

        /* checks across groups, in config_validate() */
        {"[group web]\nprimary = vf0\n", "hnv.conf:1: group 'web' has no backup="},
        {"[group web]\nbackup = vf0\n", "hnv.conf:1: group 'web' has no primary="},
        {"[group web]\n", "hnv.conf:1: group 'web' has no primary="},
        {"[group web]\nprimary = name:eth1\nbackup = eth1\n",
         "hnv.conf:1: group 'web' uses 'name:eth1' for both primary and backup"},
        {"[group web]\nprimary = mac:02:00:00:00:00:01\nbackup = 02-00-00-00-00-01\n",
         "hnv.conf:1: group 'web' uses 'mac:02:00:00:00:00:01' for both primary and backup"},
        {WEB "\n[group web]\nprimary = vf1\nbackup = bk1\n",
         "hnv.conf:5: group 'web' is already defined at hnv.conf:1"},
        {WEB "[group other]\nbond = bondweb\nprimary = vf1\nbackup = bk1\n",
         "hnv.conf:4: group 'other': bond 'bondweb' already belongs to group 'web'"},
        {WEB "[group other]\nprimary = vf1\nbackup = bk0\n",
         "hnv.conf:4: group 'other': backup 'name:bk0' is already the backup of group 'web'"},
        {WEB "[group other]\nprimary = bk0\nbackup = bk1\n",
         "hnv.conf:4: group 'other': primary 'name:bk0' is already the backup of group 'web'"},
        {"[group a]\nprimary = udev:ID_PATH=pci-1\nbackup = bk0\n"
         "[group b]\nprimary = vf1\nbackup = udev:ID_PATH=pci-1\n",
         "hnv.conf:4: group 'b': backup 'udev:ID_PATH=pci-1' is already the primary of group 'a'"},
};

static void test_parse_bad_table(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(bad_cases); i++) {
                const BadCase *t = &bad_cases[i];
                _cleanup_(config_freep) Config *c = config_new();
                _cleanup_(freep) char *error = NULL;
                int r;

                assert_non_null(c);
                r = config_parse_text(c, "hnv.conf", t->text, &error);
                if (r >= 0) {
                        assert_null(error);
                        r = config_validate(c, &error);
                }
                if (r != -EINVAL)
                        fail_msg("case %zu: expected -EINVAL, got %d (%s)", i, r, s_or_null(error));
                if (!error || !streq(error, t->error))
                        fail_msg("case %zu:\n  expected: %s\n  got:      %s", i, t->error, s_or_null(error));

                /* Without somewhere to put it, no message, same result. */
                {
                        _cleanup_(config_freep) Config *c2 = config_new();
                        assert_non_null(c2);
                        r = config_parse_text(c2, "hnv.conf", t->text, NULL);
                        if (r >= 0)
                                r = config_validate(c2, NULL);
                        assert_int_equal(r, -EINVAL);
                }
        }
}

/* Every prefix of a good file either parses or fails cleanly: the error
 * paths free what they hold (ASan's leak check runs at exit). */
static void test_every_prefix(void **state) {
        const char *text = good_cases[2].text;
        size_t n = strlen(text);

        for (size_t i = 0; i <= n; i++) {
                _cleanup_(config_freep) Config *c = config_new();
                _cleanup_(freep) char *prefix = strndup(text, i), *error = NULL;
                int r;

                assert_non_null(c);
                assert_non_null(prefix);
                r = config_parse_text(c, "p", prefix, &error);
                if (r < 0) {
                        assert_int_equal(r, -EINVAL);
                        assert_non_null(error);
                        assert_true(strncmp(error, "p:", 2) == 0);
                        continue;
                }
                assert_null(error);
                (void)config_validate(c, &error);
        }
}

/* config_parse_text() adds to what is there, as drop-ins do. */
static void test_parse_twice(void **state) {
        _cleanup_(config_freep) Config *c = config_new();
        _cleanup_(freep) char *error = NULL;

        assert_non_null(c);
        assert_int_equal(config_parse_text(c, "one", "[global]\nauto-pairing = no\n" WEB, &error), 0);
        assert_int_equal(config_parse_text(c, "two",
                                           "[global]\nauto-pairing = yes\nbond-options = miimon=7\n"
                                           "[group db]\nprimary = vf1\nbackup = bk1\n",
                                           &error),
                         0);
        assert_null(error);
        assert_true(c->auto_pairing);
        assert_int_equal(c->n_groups, 2);
        assert_string_equal(c->groups[0]->origin, "one:3");
        assert_string_equal(c->groups[1]->origin, "two:4");
        /* The second file's [global] reaches the first file's group. */
        assert_int_equal(c->groups[0]->options.miimon_ms, 7);
        assert_int_equal(c->groups[1]->options.miimon_ms, 7);
        assert_int_equal(config_validate(c, &error), 0);

        /* A group defined twice is found by config_validate(), which sees all files. */
        assert_int_equal(config_parse_text(c, "three", WEB, &error), 0);
        assert_int_equal(config_validate(c, &error), -EINVAL);
        assert_string_equal(error, "three:1: group 'web' is already defined at one:3");
}

/* ---------------------------------------------------------------------- */
/* config_load(): files and drop-ins */

typedef struct TmpDir {
        char path[64];
} TmpDir;

static void write_file(const char *dir, const char *name, const char *text) {
        _cleanup_(freep) char *p = NULL;
        FILE *f;

        assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
        f = fopen(p, "we");
        assert_non_null(f);
        assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
        assert_int_equal(fclose(f), 0);
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        return remove(path) < 0 ? -1 : 0;
}

static int rm_rf(const char *path) {
        return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS) < 0 ? -errno : 0;
}

static int setup_tmpdir(void **state) {
        TmpDir *t = calloc(1, sizeof(TmpDir));
        char sub[128];

        if (!t)
                return -1;
        strcpy(t->path, "/tmp/test-config-XXXXXX");
        if (!mkdtemp(t->path)) {
                free(t);
                return -1;
        }
        snprintf(sub, sizeof(sub), "%s/conf.d", t->path);
        if (mkdir(sub, 0755) < 0) {
                free(t);
                return -1;
        }
        *state = t;
        return 0;
}

static int teardown_tmpdir(void **state) {
        TmpDir *t = *state;

        if (t)
                (void)rm_rf(t->path);
        free(t);
        return 0;
}

static void paths(const TmpDir *t, char main_path[static 128], char dropin[static 128]) {
        snprintf(main_path, 128, "%s/hnv.conf", t->path);
        snprintf(dropin, 128, "%s/conf.d", t->path);
}

static void test_load_missing_is_fine(void **state) {
        TmpDir *t = *state;
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_(freep) char *error = NULL;
        char main_path[128], dropin[128];

        snprintf(main_path, sizeof(main_path), "%s/nothing.conf", t->path);
        snprintf(dropin, sizeof(dropin), "%s/no.d", t->path);
        assert_int_equal(config_load(main_path, dropin, &c, &error), 0);
        assert_null(error);
        assert_non_null(c);
        assert_true(c->auto_pairing);
        assert_int_equal(c->n_groups, 0);
        c = config_free(c);

        /* No paths at all: defaults. */
        assert_int_equal(config_load(NULL, NULL, &c, &error), 0);
        assert_non_null(c);
}

/* A FIFO, or a huge file, where the configuration should be: refused at
 * once, never waited on or read whole. */
static void test_load_refuses_odd_files(void **state) {
        TmpDir *t = *state;
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_(freep) char *error = NULL;
        char main_path[128], dropin[128];

        paths(t, main_path, dropin);
        assert_int_equal(mkfifo(main_path, 0644), 0);
        assert_int_equal(config_load(main_path, dropin, &c, &error), -EINVAL);
        assert_non_null(strstr(error, "not a regular file"));
        error = mfree(error);
        assert_int_equal(unlink(main_path), 0);

        FILE *f = fopen(main_path, "we");
        assert_non_null(f);
        for (unsigned i = 0; i < CONFIG_FILE_MAX / 8; i++)
                fputs("# padding line\n", f);
        assert_int_equal(fclose(f), 0);
        assert_int_equal(config_load(main_path, dropin, &c, &error), -EFBIG);
        assert_non_null(strstr(error, "larger than"));
}

static void test_load_dropin_order(void **state) {
        TmpDir *t = *state;
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_(freep) char *error = NULL, *origin = NULL;
        char main_path[128], dropin[128], sub[192];

        paths(t, main_path, dropin);
        write_file(t->path, "hnv.conf",
                   "[global]\nauto-pairing = no\nbond-options = miimon=1\n"
                   "[group main]\nprimary = vf0\nbackup = bk0\nbond-options = mtu=9000\n");
        /* strcmp order: "10-..." < "20-..." < "9-..." */
        write_file(dropin, "20-b.conf",
                   "[global]\nauto-pairing = yes\n[group b]\nprimary = vf2\nbackup = bk2\n");
        write_file(dropin, "10-a.conf",
                   "[global]\nauto-pairing = no\nparavirt-drivers = netfront\n"
                   "[group a]\nprimary = vf1\nbackup = bk1\n");
        write_file(dropin, "9-last.conf", "[global]\nbond-options = miimon=42 num_peer_notif=9\n");
        /* Not drop-ins: wrong suffix, hidden, a directory. Each would fail. */
        write_file(dropin, "30-c.conf.bak", "garbage\n");
        write_file(dropin, "30-c.conf~", "garbage\n");
        write_file(dropin, ".hidden.conf", "garbage\n");
        write_file(dropin, ".conf", "garbage\n");
        write_file(dropin, "README", "garbage\n");
        snprintf(sub, sizeof(sub), "%s/dir.conf", dropin);
        assert_int_equal(mkdir(sub, 0755), 0);

        if (config_load(main_path, dropin, &c, &error) < 0)
                fail_msg("%s", s_or_null(error));
        assert_null(error);

        assert_true(c->auto_pairing); /* 20-b.conf overrides 10-a.conf and hnv.conf */
        assert_true(config_driver_is_paravirt(c, "netfront"));
        assert_false(config_driver_is_paravirt(c, "virtio_net"));
        assert_int_equal(c->bond_defaults.miimon_ms, 42); /* 9-last.conf replaces hnv.conf's words */
        assert_int_equal(c->n_groups, 3);
        assert_string_equal(c->groups[0]->name, "main");
        assert_string_equal(c->groups[1]->name, "a");
        assert_string_equal(c->groups[2]->name, "b");

        assert_true(asprintf(&origin, "%s:4", main_path) > 0);
        assert_string_equal(c->groups[0]->origin, origin);
        free(origin);
        assert_true(asprintf(&origin, "%s/10-a.conf:4", dropin) > 0);
        assert_string_equal(c->groups[1]->origin, origin);

        /* A [global] in the last file reaches a group in the first. */
        assert_int_equal(c->groups[0]->options.miimon_ms, 42);
        assert_int_equal(c->groups[0]->options.num_peer_notif, 9);
        assert_int_equal(c->groups[0]->options.mtu, 9000);
        assert_int_equal(c->groups[1]->options.miimon_ms, 42);
        assert_int_equal(c->groups[1]->options.mtu, 0);
        for (size_t i = 0; i < c->n_groups; i++)
                assert_int_equal(c->groups[i]->source, GROUP_SOURCE_CONFIG);
}

static void test_load_dropin_dir_with_slash(void **state) {
        TmpDir *t = *state;
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_(freep) char *error = NULL;
        char dropin[192];

        snprintf(dropin, sizeof(dropin), "%s/conf.d/", t->path);
        write_file(dropin, "a.conf", "[group x]\nprimary = vf0\n");
        assert_int_equal(config_load(NULL, dropin, &c, &error), -EINVAL);
        assert_null(c);
        assert_non_null(error);
        /* The path is the directory as given plus the name, without "//". */
        assert_non_null(strstr(error, "conf.d/a.conf:1: group 'x' has no backup="));
        assert_null(strstr(error, "//"));
}

typedef struct LoadBadCase {
        const char *main; /* NULL: no main file */
        const char *dropin[2][2];
        const char *error; /* '@' stands for the temporary directory */
} LoadBadCase;

static const LoadBadCase load_bad_cases[] = {
        {
                .main = WEB,
                .dropin = {{"50-dup.conf", "# the same group again\n" WEB}},
                .error = "@/conf.d/50-dup.conf:2: group 'web' is already defined at @/hnv.conf:1",
        },
        {
                .dropin = {{"a.conf", WEB}, {"b.conf", "[group web]\nprimary = vf9\nbackup = bk9\n"}},
                .error = "@/conf.d/b.conf:1: group 'web' is already defined at @/conf.d/a.conf:1",
        },
        {
                .main = "[global]\nauto-pairing = yes\n",
                .dropin = {{"a.conf", "[global]\nauto-pairing = yes\n\n\nfoo = bar\n"}},
                .error = "@/conf.d/a.conf:5: unknown key 'foo' in [global]",
        },
        {
                .main = "[group web]\nprimary = vf0\nbackup = bk0\n\n\n[group]\n",
                .error = "@/hnv.conf:6: missing group name in '[group]'",
        },
        {
                .main = WEB,
                .dropin = {{"a.conf", "[group db]\nprimary = vf1\nbackup = bk0\n"}},
                .error = "@/conf.d/a.conf:1: group 'db': backup 'name:bk0' is already the backup of group "
                         "'web'",
        },
};

static char *expand_dir(const char *pattern, const char *dir) {
        char *s = calloc(1, strlen(pattern) * (strlen(dir) + 1) + 1);

        assert_non_null(s);
        for (const char *p = pattern; *p; p++)
                if (*p == '@')
                        strcat(s, dir);
                else
                        strncat(s, p, 1);
        return s;
}

static void clean_tmpdir(const TmpDir *t) {
        char dropin[128], main_path[128];

        paths(t, main_path, dropin);
        (void)rm_rf(dropin);
        (void)unlink(main_path);
        assert_int_equal(mkdir(dropin, 0755), 0);
}

static void test_load_bad_table(void **state) {
        TmpDir *t = *state;

        for (size_t i = 0; i < ELEMENTSOF(load_bad_cases); i++) {
                const LoadBadCase *b = &load_bad_cases[i];
                _cleanup_(config_freep) Config *c = NULL;
                _cleanup_(freep) char *error = NULL, *expected = NULL;
                char main_path[128], dropin[128];

                clean_tmpdir(t);
                paths(t, main_path, dropin);
                if (b->main)
                        write_file(t->path, "hnv.conf", b->main);
                for (size_t j = 0; j < ELEMENTSOF(b->dropin) && b->dropin[j][0]; j++)
                        write_file(dropin, b->dropin[j][0], b->dropin[j][1]);

                expected = expand_dir(b->error, t->path);
                assert_int_equal(config_load(main_path, dropin, &c, &error), -EINVAL);
                assert_null(c);
                if (!error || !streq(error, expected))
                        fail_msg("case %zu:\n  expected: %s\n  got:      %s", i, expected, s_or_null(error));
        }
        clean_tmpdir(t);
}

static void test_load_unreadable(void **state) {
        TmpDir *t = *state;
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_(freep) char *error = NULL, *expected = NULL;
        char main_path[128], dropin[128];
        FILE *f;

        clean_tmpdir(t);
        paths(t, main_path, dropin);

        /* The main file is a directory. */
        assert_int_equal(config_load(dropin, NULL, &c, &error), -EISDIR);
        assert_null(c);
        assert_true(asprintf(&expected, "%s: Is a directory", dropin) > 0);
        assert_string_equal(error, expected);
        error = mfree(error);
        expected = mfree(expected);

        /* The drop-in directory is a file. */
        write_file(t->path, "hnv.conf", "");
        assert_int_equal(config_load(NULL, main_path, &c, &error), -ENOTDIR);
        assert_true(asprintf(&expected, "%s: Not a directory", main_path) > 0);
        assert_string_equal(error, expected);
        error = mfree(error);
        expected = mfree(expected);

        /* A NUL byte would cut the file short without anyone noticing. */
        f = fopen(main_path, "we");
        assert_non_null(f);
        assert_int_equal(fwrite("[global]\n\0garbage\n", 1, 18, f), 18);
        assert_int_equal(fclose(f), 0);
        assert_int_equal(config_load(main_path, NULL, &c, &error), -EINVAL);
        assert_true(asprintf(&expected, "%s: file contains a NUL byte", main_path) > 0);
        assert_string_equal(error, expected);
        error = mfree(error);

        /* A file bigger than one read buffer. */
        f = fopen(main_path, "we");
        assert_non_null(f);
        for (int i = 0; i < 5000; i++)
                fprintf(f, "# padding line %d\n", i);
        fprintf(f, "[group web]\nprimary = vf0\nbackup = bk0\nbond = x y\n");
        assert_int_equal(fclose(f), 0);
        expected = mfree(expected);
        assert_int_equal(config_load(main_path, NULL, &c, &error), -EINVAL);
        assert_true(asprintf(&expected, "%s:5004: invalid bond name 'x y' (at most 15 characters)",
                             main_path) > 0);
        assert_string_equal(error, expected);
        clean_tmpdir(t);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_enum_strings),
                cmocka_unit_test(test_port_match_table),
                cmocka_unit_test(test_port_match_copy_done),
                cmocka_unit_test(test_device_tree_keys),
                cmocka_unit_test(test_bond_options_defaults),
                cmocka_unit_test(test_bond_options_set_table),
                cmocka_unit_test(test_name_validation),
                cmocka_unit_test(test_default_bond_name),
                cmocka_unit_test(test_group_spec_new_dup_free),
                cmocka_unit_test(test_parse_good_table),
                cmocka_unit_test(test_booleans),
                cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_find_group_and_drivers),
                cmocka_unit_test(test_parse_bad_table),
                cmocka_unit_test(test_every_prefix),
                cmocka_unit_test(test_parse_twice),
                cmocka_unit_test_setup_teardown(test_load_missing_is_fine, setup_tmpdir, teardown_tmpdir),
                cmocka_unit_test_setup_teardown(test_load_refuses_odd_files, setup_tmpdir, teardown_tmpdir),
                cmocka_unit_test_setup_teardown(test_load_dropin_order, setup_tmpdir, teardown_tmpdir),
                cmocka_unit_test_setup_teardown(test_load_dropin_dir_with_slash, setup_tmpdir,
                                                teardown_tmpdir),
                cmocka_unit_test_setup_teardown(test_load_bad_table, setup_tmpdir, teardown_tmpdir),
                cmocka_unit_test_setup_teardown(test_load_unreadable, setup_tmpdir, teardown_tmpdir),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
