/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pairing, table-driven: which group and role a device gets at each
 * precedence level, the groups udev properties and automatic MAC pairing
 * describe, and the devices left alone (conflicts, bonds, net_failover). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "device.h"
#include "pairing.h"

#define MAC_A  "52:54:00:12:34:56"
#define MAC_A2 "02:00:00:12:34:56" /* the same last four bytes as MAC_A */
#define MAC_B  "52:54:00:ab:cd:ef"
#define MAC_C  "52:54:00:00:00:0c"

#define NAME_A "00123456" /* the automatic group name for MAC_A */
#define NAME_B "00abcdef"

#define MAX_PROPS  4
#define MAX_GROUPS 6
#define MAX_DEVS   6

/* One device, as the manager would have built it from rtnl and udev. */
typedef struct DevDef {
        const char *name;
        int ifindex; /* 0: 2 */
        const char *mac;
        const char *perm_mac;  /* NULL: the kernel knows none */
        const char *first_mac; /* seen free with this MAC before the link below */
        const char *driver;
        bool pci;
        const char *kind;
        int master;
        bool bond_port;
        bool uninitialized; /* udev has not finished with it */
        uint32_t flags;
        const char *props[MAX_PROPS];
        /* Its device-tree node, as the manager copies it from the table:
         * ibm,hcn-id (NULL: no node) and ibm,hcn-mode ("primary", "backup",
         * NULL for none). */
        const char *hcn_id;
        const char *hcn_mode;
} DevDef;

/* One known group. Port matches are written as in hnv.conf ("mac:..",
 * "name:PATTERN", "udev:KEY=PATTERN") and read by port_match_parse();
 * NULL for none. */
typedef struct GroupDef {
        const char *name;
        GroupSource source;
        const char *primary;
        const char *backup;
        const char *bond_name;   /* NULL: "bond<name>" when it fits */
        bool also_in_ctx_groups; /* a CONFIG group listed in ctx->groups as well */
} GroupDef;

static void match_from_string(const char *s, PortMatch *ret) {
        *ret = (PortMatch){.type = PORT_MATCH_NONE};
        if (s && port_match_parse(s, ret) < 0)
                fail_msg("bad match in test table: %s", s);
}

static GroupSpec *group_from_def(const GroupDef *def) {
        GroupSpec *g = group_spec_new(def->name, def->source);
        assert_non_null(g);

        for (PortRole r = 0; r < _PORT_ROLE_MAX; r++) {
                port_match_done(&g->match[r]);
                match_from_string(r == PORT_ROLE_PRIMARY ? def->primary : def->backup, &g->match[r]);
        }
        if (def->bond_name)
                assert_int_equal(strscpy_strict(g->bond_name, sizeof(g->bond_name), def->bond_name), 0);
        else
                (void)group_default_bond_name(def->name, g->bond_name);
        bond_options_init(&g->options);
        return g;
}

static char **strv_from(const char *const *l, size_t max) {
        size_t n = 0;
        while (n < max && l[n])
                n++;

        char **v = calloc(n + 1, sizeof(char *));
        assert_non_null(v);
        for (size_t i = 0; i < n; i++) {
                v[i] = strdup(l[i]);
                assert_non_null(v[i]);
        }
        return v;
}

static void link_from_def(const DevDef *def, LinkInfo *ret) {
        *ret = (LinkInfo){
                .ifindex = def->ifindex ?: 2,
                .flags = def->flags,
                .master_ifindex = def->master,
                .is_bond_port = def->bond_port,
        };
        assert_int_equal(strscpy_strict(ret->name, sizeof(ret->name), def->name), 0);
        assert_int_equal(strscpy_strict(ret->kind, sizeof(ret->kind), strempty(def->kind)), 0);
        if (def->mac)
                assert_int_equal(hw_addr_parse(def->mac, &ret->mac), 0);
        if (def->perm_mac) {
                assert_int_equal(hw_addr_parse(def->perm_mac, &ret->perm_mac), 0);
                ret->has_perm_mac = true;
        }
}

static Device *device_from_def(const DevDef *def) {
        LinkInfo link;
        Device *d;

        link_from_def(def, &link);
        if (def->first_mac) {
                LinkInfo first = link;
                first.master_ifindex = 0;
                first.is_bond_port = false;
                assert_int_equal(hw_addr_parse(def->first_mac, &first.mac), 0);
                d = device_new(&first);
                assert_non_null(d);
                device_update_link(d, &link);
        } else {
                d = device_new(&link);
                assert_non_null(d);
        }
        device_set_udev(d, !def->uninitialized, def->driver ? strdup(def->driver) : NULL, def->pci,
                        strv_from(def->props, MAX_PROPS));
        if (def->hcn_id) {
                DtEntry e = {.mode = def->hcn_mode ? port_role_from_string(def->hcn_mode)
                                                   : _PORT_ROLE_INVALID};
                assert_int_equal(strscpy_strict(e.hcn_id, sizeof(e.hcn_id), def->hcn_id), 0);
                device_set_devicetree(d, &e);
        }
        return d;
}

static const char *const default_paravirt[] = {"virtio_net", "ibmveth", "ibmvnic", "hv_netvsc", NULL};

/* A Config and the other known groups, built by hand so each table row
 * says exactly what pairing sees. */
typedef struct Fixture {
        Config config;
        GroupSpec *config_groups[MAX_GROUPS];
        GroupSpec *groups[MAX_GROUPS * 2];
        size_t n_groups;
        PairingContext ctx;
} Fixture;

static void fixture_init(Fixture *f, const GroupDef *defs, size_t n_defs, const char *const *paravirt,
                         bool auto_off) {
        *f = (Fixture){};
        f->config.auto_pairing = !auto_off;
        f->config.paravirt_drivers = strv_from(paravirt ?: default_paravirt, SIZE_MAX);
        bond_options_init(&f->config.bond_defaults);
        f->config.groups = f->config_groups;

        for (size_t i = 0; i < n_defs && defs[i].name; i++) {
                GroupSpec *g = group_from_def(&defs[i]);
                if (defs[i].source == GROUP_SOURCE_CONFIG) {
                        f->config_groups[f->config.n_groups++] = g;
                        if (defs[i].also_in_ctx_groups)
                                f->groups[f->n_groups++] = group_spec_dup(g);
                } else
                        f->groups[f->n_groups++] = g;
        }

        f->ctx = (PairingContext){
                .config = &f->config,
                .groups = f->groups,
                .n_groups = f->n_groups,
        };
}

static void fixture_add_group(Fixture *f, GroupSpec *g) {
        assert_true(f->n_groups < ELEMENTSOF(f->groups));
        f->groups[f->n_groups++] = g;
        f->ctx.n_groups = f->n_groups;
}

static void fixture_done(Fixture *f) {
        for (size_t i = 0; i < f->config.n_groups; i++)
                group_spec_free(f->config_groups[i]);
        for (size_t i = 0; i < f->n_groups; i++)
                group_spec_free(f->groups[i]);
        strv_free(f->config.paravirt_drivers);
}

static const char *result_kind_name(PairingResultKind k) {
        switch (k) {
        case PAIRING_NONE:
                return "none";
        case PAIRING_MATCHED:
                return "matched";
        case PAIRING_CONFLICT:
                return "conflict";
        case PAIRING_IGNORED:
                return "ignored";
        case _PAIRING_RESULT_KIND_MAX:
        case _PAIRING_RESULT_KIND_INVALID:
                break;
        }
        return "?";
}

/* ---------------------------------------------------------------------- */
/* pairing_match */

typedef struct MatchCase {
        const char *title;
        GroupDef groups[MAX_GROUPS];
        DevDef dev;
        PairingResultKind kind;
        const char *group; /* PAIRING_MATCHED */
        PortRole role;     /* PAIRING_MATCHED */
} MatchCase;

#define CFG(n, p, b)                                                                                        \
        { .name = n, .source = GROUP_SOURCE_CONFIG, .primary = p, .backup = b }
#define RT(n, p, b)                                                                                         \
        { .name = n, .source = GROUP_SOURCE_RUNTIME, .primary = p, .backup = b }
#define UDEV(n)                                                                                             \
        {                                                                                                   \
                .name = n, .source = GROUP_SOURCE_UDEV, .primary = "udev:HNV_GROUP=" n,                     \
                .backup = "udev:HNV_GROUP=" n                                                               \
        }
#define DT(id)                                                                                              \
        { .name = id, .source = GROUP_SOURCE_DEVICETREE, .primary = "hcn-id:" id, .backup = "hcn-id:" id }
#define AUTO(n, mac)                                                                                        \
        { .name = n, .source = GROUP_SOURCE_AUTO, .primary = "mac:" mac, .backup = "mac:" mac }

#define VF_A                                                                                                \
        { .name = "enp1s0", .mac = MAC_A, .driver = "mlx5_core", .pci = true }
#define VIRTIO_A                                                                                            \
        { .name = "eth0", .mac = MAC_A, .driver = "virtio_net", .pci = true }
#define HCN "333e80f5"
/* A VF whose device-tree node names it the primary of hcn-id HCN. */
#define VF_DT                                                                                               \
        {                                                                                                   \
                .name = "enP1p1s0", .mac = MAC_A, .driver = "mlx5_core", .pci = true, .hcn_id = HCN,        \
                .hcn_mode = "primary"                                                                       \
        }
/* A VF that udev tagged, and the auto group for its MAC: it matches every level. */
#define VF_ALL                                                                                              \
        {                                                                                                   \
                .name = "enp1s0", .mac = MAC_A, .driver = "mlx5_core", .pci = true,                         \
                .props = {"HNV_GROUP=ud", "HNV_ROLE=primary", "ID_PATH=pci-0000:01:00.0"},                  \
        }

static const MatchCase match_cases[] = {
        /* How a port is recognised. */
        {"mac", {CFG("g", "mac:" MAC_A, "name:eth0")}, VF_A, PAIRING_MATCHED, "g", PORT_ROLE_PRIMARY},
        {"mac, other", {CFG("g", "mac:" MAC_B, "name:eth9")}, VF_A, PAIRING_NONE},
        {"mac is the permanent one, not the current",
         {CFG("g", "mac:" MAC_B, "mac:" MAC_C)},
         {.name = "enp1s0", .mac = MAC_C, .perm_mac = MAC_B, .driver = "mlx5_core", .pci = true},
         PAIRING_MATCHED,
         "g",
         PORT_ROLE_PRIMARY},
        {"name pattern",
         {CFG("g", "name:enp*", "name:eth*")},
         VIRTIO_A,
         PAIRING_MATCHED,
         "g",
         PORT_ROLE_BACKUP},
        {"name pattern, other", {CFG("g", "name:enp*", "name:ibm*")}, VIRTIO_A, PAIRING_NONE},
        {"udev property pattern",
         {CFG("g", "udev:ID_PATH=pci-0000:01:*", "name:eth*9")},
         VF_ALL,
         PAIRING_MATCHED,
         "g",
         PORT_ROLE_PRIMARY},
        {"udev property, other value", {CFG("g", "udev:ID_PATH=pci-0000:02:*", NULL)}, VF_ALL, PAIRING_NONE},
        {"udev property, missing", {CFG("g", "udev:ID_NET_NAME_SLOT=*", NULL)}, VF_ALL, PAIRING_NONE},
        {"udev property, key is not a prefix", {CFG("g", "udev:ID_PAT=*", NULL)}, VF_ALL, PAIRING_NONE},
        {"udev property, not initialized",
         {CFG("g", "udev:ID_PATH=pci-*", NULL)},
         {.name = "enp1s0", .mac = MAC_A, .uninitialized = true, .props = {"ID_PATH=pci-0000:01:00.0"}},
         PAIRING_NONE},
        {"name matches before udev is done",
         {CFG("g", "name:enp1s0", NULL)},
         {.name = "enp1s0", .mac = MAC_A, .uninitialized = true},
         PAIRING_MATCHED,
         "g",
         PORT_ROLE_PRIMARY},
        {"no groups", {}, VF_ALL, PAIRING_NONE},

        /* Precedence, one device that matches at every level. Groups are
         * listed lowest level first, so list order cannot be what wins. */
        {"config beats runtime, udev, auto",
         {AUTO("au", MAC_A), UDEV("ud"), RT("rt", "name:enp1s0", NULL), CFG("cfg", NULL, "mac:" MAC_A)},
         VF_ALL,
         PAIRING_MATCHED,
         "cfg",
         PORT_ROLE_BACKUP},
        {"runtime beats udev, auto",
         {AUTO("au", MAC_A), UDEV("ud"), RT("rt", NULL, "name:enp1s0"), CFG("cfg", "name:nope", NULL)},
         VF_ALL,
         PAIRING_MATCHED,
         "rt",
         PORT_ROLE_BACKUP},
        {"udev beats auto",
         {AUTO("au", MAC_A), UDEV("ud")},
         VF_ALL,
         PAIRING_MATCHED,
         "ud",
         PORT_ROLE_PRIMARY},
        {"auto alone", {AUTO("au", MAC_A)}, VF_ALL, PAIRING_MATCHED, "au", PORT_ROLE_PRIMARY},
        {"config beats devicetree",
         {DT(HCN), CFG("cfg", NULL, "name:enP1p1s0")},
         VF_DT,
         PAIRING_MATCHED,
         "cfg",
         PORT_ROLE_BACKUP},
        {"devicetree beats runtime, udev, auto",
         {AUTO("au", MAC_A), UDEV("ud"), RT("rt", NULL, "name:enP1p1s0"), DT(HCN),
          CFG("cfg", "name:nope", NULL)},
         {.name = "enP1p1s0",
          .mac = MAC_A,
          .driver = "mlx5_core",
          .pci = true,
          .props = {"HNV_GROUP=ud", "HNV_ROLE=backup"},
          .hcn_id = HCN,
          .hcn_mode = "primary"},
         PAIRING_MATCHED,
         HCN,
         PORT_ROLE_PRIMARY},
        {"runtime takes a device-tree device the tree's group does not claim",
         {RT("rt", NULL, "name:enP1p1s0"), DT("00000001")},
         VF_DT,
         PAIRING_MATCHED,
         "rt",
         PORT_ROLE_BACKUP},
        {"config beats runtime",
         {RT("rt", "mac:" MAC_A, NULL), CFG("cfg", "name:enp*", NULL)},
         VF_A,
         PAIRING_MATCHED,
         "cfg",
         PORT_ROLE_PRIMARY},
        {"config beats udev",
         {UDEV("ud"), CFG("cfg", NULL, "name:enp*")},
         VF_ALL,
         PAIRING_MATCHED,
         "cfg",
         PORT_ROLE_BACKUP},
        {"config beats auto",
         {AUTO("au", MAC_A), CFG("cfg", NULL, "name:enp*")},
         VF_A,
         PAIRING_MATCHED,
         "cfg",
         PORT_ROLE_BACKUP},
        {"runtime beats auto",
         {AUTO("au", MAC_A), RT("rt", NULL, "name:enp*")},
         VF_A,
         PAIRING_MATCHED,
         "rt",
         PORT_ROLE_BACKUP},

        /* Claimed twice at one level. */
        {"two config groups",
         {CFG("web", "name:enp*", NULL), CFG("db", "mac:" MAC_A, NULL)},
         VF_A,
         PAIRING_CONFLICT},
        {"both roles of one config group", {CFG("web", "name:enp*", "mac:" MAC_A)}, VF_A, PAIRING_CONFLICT},
        {"two runtime groups",
         {RT("web", "name:enp*", NULL), RT("db", NULL, "name:enp1s0")},
         VF_A,
         PAIRING_CONFLICT},
        {"a conflict is not resolved by a lower level",
         {CFG("web", "name:enp*", NULL), CFG("db", "mac:" MAC_A, NULL), RT("rt", "name:enp1s0", NULL)},
         VF_A,
         PAIRING_CONFLICT},
        {"a conflict at a lower level does not matter",
         {RT("web", "name:enp*", NULL), RT("db", "mac:" MAC_A, NULL), CFG("cfg", "name:enp1s0", NULL)},
         VF_A,
         PAIRING_MATCHED,
         "cfg",
         PORT_ROLE_PRIMARY},
        {"one group known twice is one claim",
         {{.name = "web",
           .source = GROUP_SOURCE_CONFIG,
           .primary = "name:enp*",
           .also_in_ctx_groups = true}},
         VF_A,
         PAIRING_MATCHED,
         "web",
         PORT_ROLE_PRIMARY},

        /* udev groups: HNV_ROLE picks the role. */
        {"udev primary", {UDEV("ud")}, VF_ALL, PAIRING_MATCHED, "ud", PORT_ROLE_PRIMARY},
        {"udev backup",
         {UDEV("ud")},
         {.name = "eth0",
          .mac = MAC_A,
          .driver = "virtio_net",
          .props = {"HNV_GROUP=ud", "HNV_ROLE=backup"}},
         PAIRING_MATCHED,
         "ud",
         PORT_ROLE_BACKUP},
        {"udev without role", {UDEV("ud")}, {.name = "eth0", .props = {"HNV_GROUP=ud"}}, PAIRING_NONE},
        {"udev with bad role",
         {UDEV("ud")},
         {.name = "eth0", .props = {"HNV_GROUP=ud", "HNV_ROLE=vf"}},
         PAIRING_NONE},
        {"udev, other group",
         {UDEV("ud")},
         {.name = "eth0", .props = {"HNV_GROUP=other", "HNV_ROLE=backup"}},
         PAIRING_NONE},
        {"udev, not initialized",
         {UDEV("ud")},
         {.name = "eth0", .uninitialized = true, .props = {"HNV_GROUP=ud", "HNV_ROLE=backup"}},
         PAIRING_NONE},

        /* Auto groups: the kind of device picks the role. */
        {"auto VF", {AUTO("au", MAC_A)}, VF_A, PAIRING_MATCHED, "au", PORT_ROLE_PRIMARY},
        {"auto virtio on PCI is the backup",
         {AUTO("au", MAC_A)},
         VIRTIO_A,
         PAIRING_MATCHED,
         "au",
         PORT_ROLE_BACKUP},
        {"auto ibmvnic",
         {AUTO("au", MAC_A)},
         {.name = "env3", .mac = MAC_A, .driver = "ibmvnic"},
         PAIRING_MATCHED,
         "au",
         PORT_ROLE_BACKUP},
        {"auto, neither VF nor paravirt",
         {AUTO("au", MAC_A)},
         {.name = "veth0", .mac = MAC_A, .driver = "veth", .kind = "veth"},
         PAIRING_NONE},
        {"auto, not initialized",
         {AUTO("au", MAC_A)},
         {.name = "enp1s0", .mac = MAC_A, .driver = "mlx5_core", .pci = true, .uninitialized = true},
         PAIRING_NONE},
        {"auto, identity kept while enslaved",
         {AUTO("au", MAC_A)},
         {.name = "eth0",
          .first_mac = MAC_A,
          .mac = MAC_B,
          .driver = "virtio_net",
          .master = 10,
          .bond_port = true},
         PAIRING_MATCHED,
         "au",
         PORT_ROLE_BACKUP},

        /* Device-tree groups: the node's ibm,hcn-mode picks the role. */
        {"devicetree primary", {DT(HCN)}, VF_DT, PAIRING_MATCHED, HCN, PORT_ROLE_PRIMARY},
        {"devicetree backup, ibmvnic",
         {DT(HCN)},
         {.name = "env3", .mac = MAC_B, .driver = "ibmvnic", .hcn_id = HCN, .hcn_mode = "backup"},
         PAIRING_MATCHED,
         HCN,
         PORT_ROLE_BACKUP},
        {"devicetree backup, ibmveth (a second backup of one group)",
         {DT(HCN)},
         {.name = "env2", .mac = MAC_C, .driver = "ibmveth", .hcn_id = HCN, .hcn_mode = "backup"},
         PAIRING_MATCHED,
         HCN,
         PORT_ROLE_BACKUP},
        {"devicetree, the role is the node's, not the driver's",
         {DT(HCN)},
         {.name = "env3", .mac = MAC_B, .driver = "ibmvnic", .hcn_id = HCN, .hcn_mode = "primary"},
         PAIRING_MATCHED,
         HCN,
         PORT_ROLE_PRIMARY},
        {"devicetree, other hcn-id", {DT("00000001")}, VF_DT, PAIRING_NONE},
        {"devicetree, device without a node", {DT(HCN)}, VF_A, PAIRING_NONE},
        {"devicetree, node without a mode",
         {DT(HCN)},
         {.name = "enP1p1s0", .mac = MAC_A, .driver = "mlx5_core", .pci = true, .hcn_id = HCN},
         PAIRING_NONE},

        /* Devices pairing never takes. */
        {"a bond is never a port",
         {CFG("g", "name:*", NULL)},
         {.name = "bond0", .mac = MAC_A, .kind = "bond", .driver = "bonding"},
         PAIRING_NONE},
        {"a VLAN on the bond carries the VF's MAC but is no port",
         {CFG("g", "mac:" MAC_A, NULL)},
         {.name = "bondg.10", .mac = MAC_A, .kind = "vlan", .driver = "802.1Q VLAN Support"},
         PAIRING_NONE},
        {"a macvlan is no port either",
         {CFG("g", "name:*", NULL)},
         {.name = "mv0", .mac = MAC_A, .kind = "macvlan"},
         PAIRING_NONE},
        {"net_failover master",
         {CFG("g", "name:*", NULL)},
         {.name = "eth0", .mac = MAC_A, .driver = "net_failover"},
         PAIRING_IGNORED},
};

static void test_match_table(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(match_cases); i++) {
                const MatchCase *c = &match_cases[i];
                _cleanup_(device_freep) Device *d = NULL;
                PairingResult r;
                Fixture f;

                fixture_init(&f, c->groups, MAX_GROUPS, NULL, false);
                d = device_from_def(&c->dev);

                pairing_match(&f.ctx, d, &r);

                if (r.kind != c->kind)
                        fail_msg("%s: got %s, want %s", c->title, result_kind_name(r.kind),
                                 result_kind_name(c->kind));
                if (c->kind == PAIRING_MATCHED) {
                        if (!r.group || !streq(r.group->name, c->group))
                                fail_msg("%s: got group %s, want %s", c->title,
                                         r.group ? r.group->name : "-", c->group);
                        if (r.role != c->role)
                                fail_msg("%s: got role %d, want %d", c->title, r.role, c->role);
                } else
                        assert_null(r.group);
                if (c->kind == PAIRING_CONFLICT || c->kind == PAIRING_IGNORED)
                        if (!r.reason || !*r.reason)
                                fail_msg("%s: no reason", c->title);

                fixture_done(&f);
        }
}

/* The group of one hcn-id, as the manager builds it from dt_table_group(),
 * and the ports it then takes. */
static void test_group_from_devicetree(void **state) {
        const DevDef vf = VF_DT,
                     vnic = {.name = "env3", .driver = "ibmvnic", .hcn_id = HCN, .hcn_mode = "backup"},
                     llan = {.name = "env2", .driver = "ibmveth", .hcn_id = HCN, .hcn_mode = "backup"},
                     other = {.name = "env4",
                              .driver = "ibmveth",
                              .hcn_id = "00000001",
                              .hcn_mode = "backup"};
        DtGroup dg = {.hcn_id = HCN, .bond_name = "bond" HCN};
        _cleanup_(group_spec_freep) GroupSpec *spec = NULL;
        _cleanup_(freep) char *p = NULL, *b = NULL;
        BondOptions options;
        Fixture f;

        bond_options_init(&options);
        options.miimon_ms = 250;
        assert_int_equal(pairing_group_from_devicetree(&dg, &options, &spec), 0);
        assert_string_equal(spec->name, HCN);
        assert_string_equal(spec->bond_name, "bond333e80f5");
        assert_int_equal(spec->source, GROUP_SOURCE_DEVICETREE);
        assert_int_equal(spec->options.miimon_ms, 250);
        assert_null(spec->origin);
        p = port_match_to_string(&spec->match[PORT_ROLE_PRIMARY]);
        b = port_match_to_string(&spec->match[PORT_ROLE_BACKUP]);
        assert_string_equal(p, "hcn-id:" HCN);
        assert_string_equal(b, "hcn-id:" HCN);

        fixture_init(&f, NULL, 0, NULL, false);
        fixture_add_group(&f, TAKE_PTR(spec));
        const struct {
                const DevDef *dev;
                PairingResultKind kind;
                PortRole role;
        } cases[] = {
                {&vf, PAIRING_MATCHED, PORT_ROLE_PRIMARY},
                {&vnic, PAIRING_MATCHED, PORT_ROLE_BACKUP},
                {&llan, PAIRING_MATCHED, PORT_ROLE_BACKUP},
                {&other, PAIRING_NONE, _PORT_ROLE_INVALID},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(device_freep) Device *d = device_from_def(cases[i].dev);
                PairingResult r;

                pairing_match(&f.ctx, d, &r);
                if (r.kind != cases[i].kind || r.role != cases[i].role)
                        fail_msg("%s: got %s as %d", cases[i].dev->name, result_kind_name(r.kind), r.role);
        }

        /* Without options: the built-in defaults. */
        assert_int_equal(pairing_group_from_devicetree(&dg, NULL, &spec), 0);
        assert_int_equal(spec->options.miimon_ms, 100);
        fixture_done(&f);
}

/* A node's facts are copied, and cleared again for a device without one. */
static void test_device_devicetree(void **state) {
        const DevDef def = VF_DT;
        _cleanup_(device_freep) Device *d = device_from_def(&def);

        assert_string_equal(d->hcn_id, HCN);
        assert_int_equal(d->hcn_mode, PORT_ROLE_PRIMARY);
        device_set_devspec(d, strdup("/pci@800000020000011/ethernet@0"));
        assert_string_equal(d->devspec, "/pci@800000020000011/ethernet@0");
        device_set_devicetree(d, NULL);
        assert_string_equal(d->hcn_id, "");
        assert_int_equal(d->hcn_mode, _PORT_ROLE_INVALID);
        device_set_devspec(d, NULL);
        assert_null(d->devspec);
        /* device_free() frees a devspec still set. */
        device_set_devspec(d, strdup("/vdevice/l-lan@30000002"));
}

static void test_conflict_reasons(void **state) {
        const GroupDef two_groups[] = {CFG("web", "name:enp*", NULL), CFG("db", "mac:" MAC_A, NULL)};
        const GroupDef one_group[] = {CFG("web", "name:enp*", "mac:" MAC_A)};
        const DevDef vf = VF_A;
        _cleanup_(device_freep) Device *d = device_from_def(&vf);
        PairingResult r1, r2;
        Fixture f;

        fixture_init(&f, two_groups, ELEMENTSOF(two_groups), NULL, false);
        pairing_match(&f.ctx, d, &r1);
        fixture_done(&f);

        fixture_init(&f, one_group, ELEMENTSOF(one_group), NULL, false);
        pairing_match(&f.ctx, d, &r2);
        fixture_done(&f);

        assert_int_equal(r1.kind, PAIRING_CONFLICT);
        assert_int_equal(r2.kind, PAIRING_CONFLICT);
        /* The log must say which of the two it is. */
        assert_string_not_equal(r1.reason, r2.reason);
}

/* ---------------------------------------------------------------------- */
/* port_match_device, the cases the table does not reach */

static void test_port_match_edges(void **state) {
        const DevDef def = {.name = "eth0", .mac = MAC_A, .props = {"HNV_GROUP=web", "EMPTY="}};
        const DevDef no_mac = {.name = "eth1", .master = 10};
        _cleanup_(device_freep) Device *d = device_from_def(&def);
        _cleanup_(device_freep) Device *nomac = device_from_def(&no_mac);
        PortMatch m = {};

        assert_false(port_match_device(&m, d)); /* PORT_MATCH_NONE */

        /* A device without an identity MAC matches no MAC, not even zero. */
        m = (PortMatch){.type = PORT_MATCH_MAC};
        assert_false(nomac->has_identity_mac);
        assert_false(port_match_device(&m, nomac));

        m = (PortMatch){.type = PORT_MATCH_UDEV_PROPERTY, .key = (char *)"EMPTY", .value = (char *)""};
        assert_true(port_match_device(&m, d));
        m.value = (char *)"*";
        assert_true(port_match_device(&m, d));
        m.key = (char *)"HNV_GROUP";
        m.value = (char *)"w?b";
        assert_true(port_match_device(&m, d));
        m.value = (char *)"web2";
        assert_false(port_match_device(&m, d));

        m = (PortMatch){.type = PORT_MATCH_NAME, .value = (char *)"eth[0-3]"};
        assert_true(port_match_device(&m, d));
        assert_true(port_match_device(&m, nomac));
        m.value = (char *)"eth";
        assert_false(port_match_device(&m, d));
}

/* ---------------------------------------------------------------------- */
/* pairing_group_from_udev */

typedef struct UdevCase {
        const char *title;
        DevDef dev;
        int ret;
        PortRole role;
        const char *bond_name;
} UdevCase;

static const UdevCase udev_cases[] = {
        {"primary",
         {.name = "enp1s0",
          .mac = MAC_A,
          .pci = true,
          .driver = "mlx5_core",
          .props = {"HNV_GROUP=web", "HNV_ROLE=primary"}},
         1,
         PORT_ROLE_PRIMARY,
         "bondweb"},
        {"backup",
         {.name = "eth0",
          .mac = MAC_B,
          .driver = "virtio_net",
          .props = {"HNV_GROUP=web", "HNV_ROLE=backup"}},
         1,
         PORT_ROLE_BACKUP,
         "bondweb"},
        {"longest bond name that fits",
         {.name = "eth0", .props = {"HNV_GROUP=abcdefghijk", "HNV_ROLE=backup"}},
         1,
         PORT_ROLE_BACKUP,
         "bondabcdefghijk"},
        {"no properties", {.name = "eth0"}, 0},
        {"role without group", {.name = "eth0", .props = {"HNV_ROLE=backup"}}, 0},
        {"not initialized",
         {.name = "eth0", .uninitialized = true, .props = {"HNV_GROUP=web", "HNV_ROLE=primary"}},
         0},
        {"invalid name", {.name = "eth0", .props = {"HNV_GROUP=web db", "HNV_ROLE=primary"}}, -EINVAL},
        {"invalid name, slash", {.name = "eth0", .props = {"HNV_GROUP=a/b", "HNV_ROLE=primary"}}, -EINVAL},
        {"missing role", {.name = "eth0", .props = {"HNV_GROUP=web"}}, -EINVAL},
        {"bad role", {.name = "eth0", .props = {"HNV_GROUP=web", "HNV_ROLE=vf"}}, -EINVAL},
        {"bond name too long",
         {.name = "eth0", .props = {"HNV_GROUP=abcdefghijkl", "HNV_ROLE=primary"}},
         -ENAMETOOLONG},
};

static void test_udev_table(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(udev_cases); i++) {
                const UdevCase *c = &udev_cases[i];
                _cleanup_(device_freep) Device *d = device_from_def(&c->dev);
                _cleanup_(group_spec_freep) GroupSpec *g = NULL;
                PortRole role = _PORT_ROLE_INVALID;
                int r;

                r = pairing_group_from_udev(d, &g, &role);
                if (r != c->ret)
                        fail_msg("%s: got %d, want %d", c->title, r, c->ret);
                if (r <= 0) {
                        assert_null(g);
                        continue;
                }

                BondOptions defaults;
                bond_options_init(&defaults);

                assert_non_null(g);
                assert_int_equal(role, c->role);
                assert_int_equal(g->source, GROUP_SOURCE_UDEV);
                assert_string_equal(g->name, device_get_property(d, "HNV_GROUP"));
                assert_string_equal(g->bond_name, c->bond_name);
                assert_memory_equal(&g->options, &defaults, sizeof(defaults));
                for (PortRole k = 0; k < _PORT_ROLE_MAX; k++) {
                        assert_int_equal(g->match[k].type, PORT_MATCH_UDEV_PROPERTY);
                        assert_string_equal(g->match[k].key, "HNV_GROUP");
                        assert_string_equal(g->match[k].value, g->name);
                }

                /* Once known, the group takes the device back in the role
                 * the device named, and no other role. */
                Fixture f;
                PairingResult pr;
                fixture_init(&f, NULL, 0, NULL, false);
                fixture_add_group(&f, TAKE_PTR(g));
                pairing_match(&f.ctx, d, &pr);
                assert_int_equal(pr.kind, PAIRING_MATCHED);
                assert_ptr_equal(pr.group, f.groups[0]);
                assert_int_equal(pr.role, c->role);
                fixture_done(&f);
        }
}

/* ---------------------------------------------------------------------- */
/* pairing_auto */

typedef struct AutoCase {
        const char *title;
        bool auto_off;
        const char *paravirt[4]; /* empty: the default list */
        GroupDef groups[2];
        DevDef devs[MAX_DEVS];
        const char *want_groups[3];    /* names, in order */
        const char *want_conflicts[4]; /* device names, in report order */
} AutoCase;

/* Distinct ifindexes, so foreign-master lookups find the right device. */
#define DEV(n, idx, m, drv, is_pci)                                                                         \
        { .name = n, .ifindex = idx, .mac = m, .driver = drv, .pci = is_pci }

static const AutoCase auto_cases[] = {
        {"VF and virtio",
         .devs = {DEV("enp1s0", 2, MAC_A, "mlx5_core", true), DEV("eth0", 3, MAC_A, "virtio_net", true)},
         .want_groups = {NAME_A}},
        {"virtio first in the list",
         .devs = {DEV("eth0", 3, MAC_A, "virtio_net", true), DEV("enp1s0", 2, MAC_A, "mlx5_core", true)},
         .want_groups = {NAME_A}},
        {"VF and ibmveth",
         .devs = {DEV("enP1p1s0", 2, MAC_B, "mlx5_core", true), DEV("env2", 3, MAC_B, "ibmveth", false)},
         .want_groups = {NAME_B}},
        {"VF and hv_netvsc",
         .devs = {DEV("enP2s1", 2, MAC_A, "mlx4_en", true), DEV("eth0", 3, MAC_A, "hv_netvsc", false)},
         .want_groups = {NAME_A}},
        {"two pairs",
         .devs = {DEV("vf0", 2, MAC_A, "ixgbevf", true), DEV("vf1", 3, MAC_B, "ixgbevf", true),
                  DEV("eth0", 4, MAC_B, "virtio_net", false), DEV("eth1", 5, MAC_A, "virtio_net", false)},
         .want_groups = {NAME_A, NAME_B}},
        {"no pair without PCI",
         .devs = {DEV("dummy0", 2, MAC_A, "dummy", false), DEV("eth0", 3, MAC_A, "virtio_net", true)}},
        {"no pair of two VFs' kinds without paravirt",
         .devs = {DEV("vf0", 2, MAC_A, "ixgbevf", true), DEV("vf1", 3, MAC_B, "ixgbevf", true)}},
        {"different MACs",
         .devs = {DEV("vf0", 2, MAC_A, "ixgbevf", true), DEV("eth0", 3, MAC_B, "virtio_net", true)}},
        {"paravirt list from config", .paravirt = {"my_pv"},
         .devs = {DEV("vf0", 2, MAC_A, "ixgbevf", true), DEV("pv0", 3, MAC_A, "my_pv", false)},
         .want_groups = {NAME_A}},
        {"virtio not in the configured list", .paravirt = {"my_pv"},
         .devs = {DEV("vf0", 2, MAC_A, "ixgbevf", true), DEV("eth0", 3, MAC_A, "virtio_net", false)}},
        {"duplicate MAC, two VFs",
         .devs = {DEV("vf0", 2, MAC_A, "ixgbevf", true), DEV("eth0", 3, MAC_A, "virtio_net", false),
                  DEV("vf1", 4, MAC_A, "ixgbevf", true)},
         .want_conflicts = {"vf0", "eth0", "vf1"}},
        {"duplicate MAC, two paravirt",
         .devs = {DEV("eth0", 2, MAC_A, "virtio_net", false), DEV("vf0", 3, MAC_A, "ixgbevf", true),
                  DEV("eth1", 4, MAC_A, "virtio_net", false)},
         .want_conflicts = {"eth0", "vf0", "eth1"}},
        {"duplicate MAC does not stop another pair",
         .devs = {DEV("vf0", 2, MAC_A, "ixgbevf", true), DEV("vf1", 3, MAC_A, "ixgbevf", true),
                  DEV("vf2", 4, MAC_B, "ixgbevf", true), DEV("eth0", 5, MAC_B, "virtio_net", false)},
         .want_groups = {NAME_B}, .want_conflicts = {"vf0", "vf1"}},
        {"auto pairing off", .auto_off = true,
         .devs = {DEV("enp1s0", 2, MAC_A, "mlx5_core", true), DEV("eth0", 3, MAC_A, "virtio_net", true)}},
        {"name taken by a config group", .groups = {CFG(NAME_A, "name:x", "name:y")},
         .devs = {DEV("enp1s0", 2, MAC_A, "mlx5_core", true), DEV("eth0", 3, MAC_A, "virtio_net", true)},
         .want_conflicts = {"enp1s0", "eth0"}},
        {"name taken by a runtime group", .groups = {RT(NAME_A, "name:x", "name:y")},
         .devs = {DEV("enp1s0", 2, MAC_A, "mlx5_core", true), DEV("eth0", 3, MAC_A, "virtio_net", true)},
         .want_conflicts = {"enp1s0", "eth0"}},
        {"bond name taken",
         .groups = {{.name = "web",
                     .source = GROUP_SOURCE_CONFIG,
                     .primary = "name:x",
                     .bond_name = "bond" NAME_A}},
         .devs = {DEV("enp1s0", 2, MAC_A, "mlx5_core", true), DEV("eth0", 3, MAC_A, "virtio_net", true)},
         .want_conflicts = {"enp1s0", "eth0"}},
        {"name taken by another new pair",
         .devs = {DEV("vf0", 2, MAC_A, "ixgbevf", true), DEV("eth0", 3, MAC_A, "virtio_net", false),
                  DEV("vf1", 4, MAC_A2, "ixgbevf", true), DEV("eth1", 5, MAC_A2, "virtio_net", false)},
         .want_groups = {NAME_A}, .want_conflicts = {"vf1", "eth1"}},
        {"claimed by config", .groups = {CFG("web", "name:enp1s0", NULL)},
         .devs = {DEV("enp1s0", 2, MAC_A, "mlx5_core", true), DEV("eth0", 3, MAC_A, "virtio_net", true)}},
        {"claimed by an existing auto group", .groups = {AUTO("au", MAC_A)},
         .devs = {DEV("enp1s0", 2, MAC_A, "mlx5_core", true), DEV("eth0", 3, MAC_A, "virtio_net", true)}},
        {"in conflict at config level",
         .groups = {CFG("web", "name:enp1s0", NULL), CFG("db", "mac:" MAC_A, NULL)},
         .devs = {DEV("enp1s0", 2, MAC_A, "mlx5_core", true), DEV("eth0", 3, MAC_A, "virtio_net", true)}},
        {"udev not done", .devs = {{.name = "enp1s0",
                                    .ifindex = 2,
                                    .mac = MAC_A,
                                    .driver = "mlx5_core",
                                    .pci = true,
                                    .uninitialized = true},
                                   DEV("eth0", 3, MAC_A, "virtio_net", true)}},
        {"a VLAN with the ports' MAC is not a third device",
         .devs = {{.name = "eth0.10", .ifindex = 11, .mac = MAC_A, .kind = "vlan"},
                  DEV("enp1s0", 2, MAC_A, "mlx5_core", true),
                  DEV("eth0", 3, MAC_A, "virtio_net", true)},
         .want_groups = {NAME_A}},
        {"bond with the ports' MAC is not a third device",
         .devs = {{.name = "bond0", .ifindex = 10, .mac = MAC_A, .kind = "bond", .driver = "bonding"},
                  DEV("enp1s0", 2, MAC_A, "mlx5_core", true),
                  DEV("eth0", 3, MAC_A, "virtio_net", true)},
         .want_groups = {NAME_A}},
        {"ports of a bond are candidates: a restarted hnvd finds its own bonds",
         .devs = {{.name = "bond0", .ifindex = 10, .mac = MAC_A, .kind = "bond", .driver = "bonding"},
                  {.name = "enp1s0",
                   .ifindex = 2,
                   .mac = MAC_A,
                   .perm_mac = MAC_A,
                   .driver = "mlx5_core",
                   .pci = true,
                   .master = 10,
                   .bond_port = true},
                  {.name = "eth0",
                   .ifindex = 3,
                   .mac = MAC_A,
                   .perm_mac = MAC_A,
                   .driver = "virtio_net",
                   .master = 10,
                   .bond_port = true}},
         .want_groups = {NAME_A}},
        {"loopback", .devs = {{.name = "lo",
                               .ifindex = 1,
                               .mac = MAC_A,
                               .driver = "mlx5_core",
                               .pci = true,
                               .flags = IFF_LOOPBACK},
                              DEV("eth0", 3, MAC_A, "virtio_net", true)}},
        {"no identity MAC", .devs = {{.name = "enp1s0",
                                      .ifindex = 2,
                                      .mac = MAC_B,
                                      .driver = "mlx5_core",
                                      .pci = true,
                                      .master = 10,
                                      .bond_port = true},
                                     DEV("eth0", 3, MAC_A, "virtio_net", true)}},
        /* virtio-net with STANDBY: the kernel's net_failover already pairs
         * them under a master of its own. */
        {"net_failover owns them",
         .devs = {{.name = "eth0", .ifindex = 4, .mac = MAC_A, .driver = "net_failover"},
                  {.name = "eth0nsby",
                   .ifindex = 5,
                   .mac = MAC_A,
                   .perm_mac = MAC_A,
                   .driver = "virtio_net",
                   .pci = true,
                   .master = 4},
                  {.name = "enp1s0",
                   .ifindex = 6,
                   .mac = MAC_A,
                   .perm_mac = MAC_A,
                   .driver = "mlx5_core",
                   .pci = true,
                   .master = 4}}},
        {"net_failover standby without its VF yet",
         .devs = {{.name = "eth0", .ifindex = 4, .mac = MAC_A, .driver = "net_failover"},
                  {.name = "eth0nsby",
                   .ifindex = 5,
                   .mac = MAC_A,
                   .perm_mac = MAC_A,
                   .driver = "virtio_net",
                   .pci = true,
                   .master = 4},
                  DEV("enp1s0", 6, MAC_A, "mlx5_core", true)}},
};

typedef struct Conflicts {
        const char *names[8];
        size_t n;
} Conflicts;

static void record_conflict(const Device *d, const char *reason, void *userdata) {
        Conflicts *c = userdata;

        assert_non_null(reason);
        assert_true(*reason != '\0');
        assert_true(c->n < ELEMENTSOF(c->names));
        c->names[c->n++] = d->link.name;
}

static size_t count_strv(const char *const *l, size_t max) {
        size_t n = 0;
        while (n < max && l[n])
                n++;
        return n;
}

static void test_auto_table(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(auto_cases); i++) {
                const AutoCase *c = &auto_cases[i];
                Device *devs[MAX_DEVS] = {};
                size_t n_devs = 0;
                GroupSpec **specs = (GroupSpec **)(uintptr_t)1; /* must be reset */
                Conflicts conflicts = {};
                Fixture f;
                int r;

                fixture_init(&f, c->groups, ELEMENTSOF(c->groups), c->paravirt[0] ? c->paravirt : NULL,
                             c->auto_off);
                for (; n_devs < MAX_DEVS && c->devs[n_devs].name; n_devs++)
                        devs[n_devs] = device_from_def(&c->devs[n_devs]);

                r = pairing_auto(&f.ctx, devs, n_devs, &specs, record_conflict, &conflicts);

                size_t want = count_strv(c->want_groups, ELEMENTSOF(c->want_groups));
                if (r != (int)want)
                        fail_msg("%s: got %d groups, want %zu", c->title, r, want);
                if (r == 0)
                        assert_null(specs);
                for (size_t k = 0; k < want; k++) {
                        const GroupSpec *g = specs[k];
                        char bond[IFNAMSIZ];

                        if (!streq(g->name, c->want_groups[k]))
                                fail_msg("%s: group %zu is %s, want %s", c->title, k, g->name,
                                         c->want_groups[k]);
                        assert_int_equal(g->source, GROUP_SOURCE_AUTO);
                        snprintf(bond, sizeof(bond), "bond%s", g->name);
                        assert_string_equal(g->bond_name, bond);
                        assert_int_equal(g->match[PORT_ROLE_PRIMARY].type, PORT_MATCH_MAC);
                        assert_int_equal(g->match[PORT_ROLE_BACKUP].type, PORT_MATCH_MAC);
                        assert_true(hw_addr_equal(&g->match[PORT_ROLE_PRIMARY].mac,
                                                  &g->match[PORT_ROLE_BACKUP].mac));
                }

                size_t want_c = count_strv(c->want_conflicts, ELEMENTSOF(c->want_conflicts));
                if (conflicts.n != want_c)
                        fail_msg("%s: got %zu conflicts, want %zu", c->title, conflicts.n, want_c);
                for (size_t k = 0; k < want_c; k++)
                        if (!streq(conflicts.names[k], c->want_conflicts[k]))
                                fail_msg("%s: conflict %zu is %s, want %s", c->title, k, conflicts.names[k],
                                         c->want_conflicts[k]);

                /* Once the new groups are known, each paired device matches
                 * one of them in the role its kind gives it, and a second
                 * run finds nothing new. */
                for (int k = 0; k < r; k++)
                        fixture_add_group(&f, specs[k]);
                free(specs);
                for (size_t k = 0; r > 0 && k < n_devs; k++) {
                        PairingResult pr;

                        pairing_match(&f.ctx, devs[k], &pr);
                        if (pr.kind != PAIRING_MATCHED || pr.group->source != GROUP_SOURCE_AUTO)
                                continue;
                        assert_true(hw_addr_equal(&pr.group->match[pr.role].mac, &devs[k]->identity_mac));
                        assert_int_equal(pr.role, streq(devs[k]->driver, "ixgbevf") ||
                                                                  streq(devs[k]->driver, "mlx5_core") ||
                                                                  streq(devs[k]->driver, "mlx4_en")
                                                          ? PORT_ROLE_PRIMARY
                                                          : PORT_ROLE_BACKUP);
                }
                if (r > 0) {
                        Conflicts again = {};
                        assert_int_equal(pairing_auto(&f.ctx, devs, n_devs, &specs, record_conflict, &again),
                                         0);
                        assert_null(specs);
                }

                for (size_t k = 0; k < n_devs; k++)
                        device_free(devs[k]);
                fixture_done(&f);
        }
}

static void test_auto_pair_matches_both_roles(void **state) {
        const DevDef vf_def = DEV("enp1s0", 2, MAC_A, "mlx5_core", true);
        const DevDef pv_def = DEV("eth0", 3, MAC_A, "virtio_net", true);
        _cleanup_(device_freep) Device *vf = device_from_def(&vf_def);
        _cleanup_(device_freep) Device *pv = device_from_def(&pv_def);
        Device *devs[] = {pv, vf};
        GroupSpec **specs = NULL;
        PairingResult r;
        Fixture f;

        fixture_init(&f, NULL, 0, NULL, false);
        assert_int_equal(pairing_auto(&f.ctx, devs, ELEMENTSOF(devs), &specs, NULL, NULL), 1);
        fixture_add_group(&f, specs[0]);
        free(specs);

        pairing_match(&f.ctx, vf, &r);
        assert_int_equal(r.kind, PAIRING_MATCHED);
        assert_int_equal(r.role, PORT_ROLE_PRIMARY);
        assert_string_equal(r.group->name, NAME_A);

        pairing_match(&f.ctx, pv, &r);
        assert_int_equal(r.kind, PAIRING_MATCHED);
        assert_int_equal(r.role, PORT_ROLE_BACKUP);

        /* The bond swaps MACs (fail_over_mac=follow): both ports keep their
         * group and role. */
        LinkInfo l = vf->link;
        l.master_ifindex = 10;
        l.is_bond_port = true;
        assert_int_equal(hw_addr_parse(MAC_B, &l.mac), 0);
        device_update_link(vf, &l);
        pairing_match(&f.ctx, vf, &r);
        assert_int_equal(r.kind, PAIRING_MATCHED);
        assert_int_equal(r.role, PORT_ROLE_PRIMARY);

        /* A null on_conflict is fine when there are conflicts. */
        const DevDef vf2_def = DEV("enp2s0", 4, MAC_C, "mlx5_core", true);
        const DevDef vf3_def = DEV("enp3s0", 5, MAC_C, "mlx5_core", true);
        _cleanup_(device_freep) Device *vf2 = device_from_def(&vf2_def);
        _cleanup_(device_freep) Device *vf3 = device_from_def(&vf3_def);
        Device *dups[] = {vf2, vf3};
        assert_int_equal(pairing_auto(&f.ctx, dups, ELEMENTSOF(dups), &specs, NULL, NULL), 0);
        assert_null(specs);

        fixture_done(&f);
}

/* ---------------------------------------------------------------------- */
/* The same rules over a Config as config_parse_text() builds it */

static const char parsed_config_text[] = "[global]\n"
                                         "paravirt-drivers = my_pv virtio_net\n"
                                         "[group web]\n"
                                         "primary = name:enp1s0\n"
                                         "backup = mac:" MAC_B "\n"
                                         "[group db]\n"
                                         "primary = udev:ID_PATH=pci-0000:02:*\n"
                                         "backup = name:eth1\n";

static void test_parsed_config(void **state) {
        const DevDef defs[] = {
                DEV("enp1s0", 2, MAC_A, "mlx5_core", true),
                DEV("eth0", 3, MAC_B, "virtio_net", true),
                {.name = "enp2s0",
                 .ifindex = 4,
                 .mac = MAC_C,
                 .driver = "mlx5_core",
                 .pci = true,
                 .props = {"ID_PATH=pci-0000:02:00.0"}},
                DEV("eth1", 5, MAC_C, "virtio_net", true),
                DEV("vf9", 6, MAC_A2, "ixgbevf", true),
                DEV("pv9", 7, MAC_A2, "my_pv", false),
        };
        static const struct {
                const char *group;
                PortRole role;
        } want[] = {
                {"web", PORT_ROLE_PRIMARY},
                {"web", PORT_ROLE_BACKUP},
                {"db", PORT_ROLE_PRIMARY},
                {"db", PORT_ROLE_BACKUP},
                {NULL, 0},
                {NULL, 0},
        };
        _cleanup_(config_freep) Config *c = config_new();
        _cleanup_(freep) char *error = NULL;
        Device *devs[ELEMENTSOF(defs)];
        GroupSpec **specs = NULL;
        PairingContext ctx;
        PairingResult r;

        assert_non_null(c);
        if (config_parse_text(c, "test.conf", parsed_config_text, &error) < 0)
                fail_msg("%s", strna(error));
        assert_int_equal(c->n_groups, 2);
        ctx = (PairingContext){.config = c};

        for (size_t i = 0; i < ELEMENTSOF(defs); i++) {
                devs[i] = device_from_def(&defs[i]);
                pairing_match(&ctx, devs[i], &r);
                if (!want[i].group) {
                        assert_int_equal(r.kind, PAIRING_NONE);
                        continue;
                }
                if (r.kind != PAIRING_MATCHED || !streq(r.group->name, want[i].group) ||
                    r.role != want[i].role)
                        fail_msg("%s: got %s %s, want %s", defs[i].name, result_kind_name(r.kind),
                                 r.group ? r.group->name : "-", want[i].group);
        }

        /* Only the unclaimed pair is left, and my_pv is paravirtual here. */
        assert_int_equal(pairing_auto(&ctx, devs, ELEMENTSOF(devs), &specs, NULL, NULL), 1);
        assert_string_equal(specs[0]->name, NAME_A);
        group_spec_free(specs[0]);
        free(specs);

        /* auto-pairing = no in a later file turns it off. */
        assert_int_equal(config_parse_text(c, "off.conf", "[global]\nauto-pairing = no\n", NULL), 0);
        assert_int_equal(pairing_auto(&ctx, devs, ELEMENTSOF(devs), &specs, NULL, NULL), 0);
        assert_null(specs);

        for (size_t i = 0; i < ELEMENTSOF(devs); i++)
                device_free(devs[i]);
}

/* ---------------------------------------------------------------------- */
/* The identity MAC */

static void test_identity_mac(void **state) {
        const DevDef def = {.name = "eth0", .mac = MAC_A};
        _cleanup_(device_freep) Device *d = device_from_def(&def);
        HwAddr a, b, c;
        LinkInfo l;

        assert_int_equal(hw_addr_parse(MAC_A, &a), 0);
        assert_int_equal(hw_addr_parse(MAC_B, &b), 0);
        assert_int_equal(hw_addr_parse(MAC_C, &c), 0);

        /* First seen free: the current MAC is the identity. */
        assert_true(d->has_identity_mac);
        assert_true(hw_addr_equal(&d->identity_mac, &a));

        /* Enslaved, the bond gives it another port's MAC. */
        l = d->link;
        l.master_ifindex = 10;
        l.mac = b;
        device_update_link(d, &l);
        assert_true(hw_addr_equal(&d->identity_mac, &a));
        assert_true(hw_addr_equal(&d->link.mac, &b));

        /* Released with the MAC it had last: still A. */
        l.master_ifindex = 0;
        device_update_link(d, &l);
        assert_true(hw_addr_equal(&d->identity_mac, &a));

        /* A MAC change while free does not move it either. */
        l.mac = c;
        device_update_link(d, &l);
        assert_true(hw_addr_equal(&d->identity_mac, &a));

        /* Only a permanent MAC does. */
        l.perm_mac = c;
        l.has_perm_mac = true;
        l.mac = b;
        device_update_link(d, &l);
        assert_true(hw_addr_equal(&d->identity_mac, &c));

        /* ... and then stays, even if a later message lacks it. */
        l.has_perm_mac = false;
        device_update_link(d, &l);
        assert_true(hw_addr_equal(&d->identity_mac, &c));
}

static void test_identity_mac_first_seen_enslaved(void **state) {
        const DevDef def = {.name = "eth0", .mac = MAC_B, .master = 10, .bond_port = true};
        const DevDef perm = {.name = "eth1", .mac = MAC_B, .perm_mac = MAC_A, .master = 10};
        const DevDef zero = {.name = "eth2"};
        _cleanup_(device_freep) Device *d = device_from_def(&def);
        _cleanup_(device_freep) Device *p = device_from_def(&perm);
        _cleanup_(device_freep) Device *z = device_from_def(&zero);
        HwAddr a;
        LinkInfo l;

        assert_int_equal(hw_addr_parse(MAC_A, &a), 0);

        /* Enslaved with no permanent MAC: the current one may be borrowed. */
        assert_false(d->has_identity_mac);

        /* Free later: now it is its own. */
        l = d->link;
        l.master_ifindex = 0;
        l.mac = a;
        device_update_link(d, &l);
        assert_true(d->has_identity_mac);
        assert_true(hw_addr_equal(&d->identity_mac, &a));

        /* A permanent MAC counts even while enslaved. */
        assert_true(p->has_identity_mac);
        assert_true(hw_addr_equal(&p->identity_mac, &a));

        /* An all-zero MAC identifies nothing. */
        assert_false(z->has_identity_mac);
}

static void test_device_properties(void **state) {
        const DevDef def = {.name = "eth0",
                            .props = {"HNV_GROUPX=no", "HNV_GROUP=web", "ID_PATH=pci-0:1=2"}};
        _cleanup_(device_freep) Device *d = device_from_def(&def);
        char **v;

        assert_string_equal(device_get_property(d, "HNV_GROUP"), "web");
        assert_string_equal(device_get_property(d, "HNV_GROUPX"), "no");
        assert_string_equal(device_get_property(d, "ID_PATH"), "pci-0:1=2");
        assert_null(device_get_property(d, "HNV"));
        assert_null(device_get_property(d, "HNV_ROLE"));
        assert_null(d->driver);

        /* Replacing the udev view frees the old one (ASan checks). */
        v = calloc(2, sizeof(char *));
        assert_non_null(v);
        v[0] = strdup("A=1");
        device_set_udev(d, true, strdup("virtio_net"), false, v);
        assert_string_equal(device_get_property(d, "A"), "1");
        assert_null(device_get_property(d, "HNV_GROUP"));
        assert_string_equal(d->driver, "virtio_net");

        device_set_udev(d, false, NULL, false, NULL);
        assert_null(device_get_property(d, "A"));
        assert_null(d->driver);

        assert_null(device_free(NULL));
}

static char **strv_of(const char *const *words) {
        char **l = NULL;

        for (; *words; words++)
                assert_int_equal(strv_extend_unique(&l, *words), 1);
        return l;
}

static char *joined(char *const *l) {
        static char buf[256];

        buf[0] = '\0';
        for (; l && *l; l++)
                snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", buf[0] ? "," : "", *l);
        return buf;
}

/* A device keeps only what pairing reads: HNV_GROUP, HNV_ROLE and the key of
 * every udev: match, whole keys only. */
static void test_udev_keys(void **state) {
        _cleanup_(group_spec_freep) GroupSpec *a = group_spec_new("a", GROUP_SOURCE_CONFIG);
        _cleanup_(group_spec_freep) GroupSpec *b = group_spec_new("b", GROUP_SOURCE_RUNTIME);
        _cleanup_(strv_freep) char **keys = NULL, **all = NULL;
        char **props;

        assert_non_null(a);
        assert_non_null(b);
        assert_int_equal(port_match_parse("udev:ID_PATH=pci-*", &a->match[PORT_ROLE_PRIMARY]), 0);
        assert_int_equal(port_match_parse("name:bk*", &a->match[PORT_ROLE_BACKUP]), 0);
        assert_int_equal(port_match_parse("udev:ID_PATH=x", &b->match[PORT_ROLE_PRIMARY]), 0);
        assert_int_equal(port_match_parse("udev:ID_NET_SLOT=3", &b->match[PORT_ROLE_BACKUP]), 0);

        assert_int_equal(pairing_udev_keys_add(&keys, NULL), 2);
        assert_int_equal(pairing_udev_keys_add(&keys, a), 1);
        assert_int_equal(pairing_udev_keys_add(&keys, a), 0);
        assert_int_equal(pairing_udev_keys_add(&keys, b), 1);
        assert_string_equal(joined(keys), "HNV_GROUP,HNV_ROLE,ID_PATH,ID_NET_SLOT");

        props = strv_of((const char *const[]){"ID_PATH=pci-0:1=2", "ID_PATH_TAG=pci-0", "ID_PAT=1",
                                              "HNV_ROLE=backup", "NOEQUALS", "DEVPATH=/devices/x", NULL});
        props = udev_properties_keep(props, keys);
        assert_string_equal(joined(props), "ID_PATH=pci-0:1=2,HNV_ROLE=backup");
        strv_free(props);

        /* Nothing left: no list at all. */
        props = udev_properties_keep(strv_of((const char *const[]){"DEVPATH=/x", NULL}), keys);
        assert_null(props);
        /* No key list: everything is kept. */
        all = udev_properties_keep(strv_of((const char *const[]){"DEVPATH=/x", "A=", NULL}), NULL);
        assert_string_equal(joined(all), "DEVPATH=/x,A=");
        assert_null(udev_properties_keep(NULL, keys));
}

/* ---------------------------------------------------------------------- */
/* device_is_foreign */

typedef struct ForeignCase {
        const char *title;
        DevDef devs[3]; /* devs[0] is asked about */
        bool foreign;
} ForeignCase;

static const ForeignCase foreign_cases[] = {
        {"free", {DEV("eth0", 2, MAC_A, "virtio_net", false)}, false},
        {"port of a bond",
         {{.name = "eth0", .ifindex = 2, .master = 10, .bond_port = true},
          {.name = "bond0", .ifindex = 10, .kind = "bond", .driver = "bonding"}},
         false},
        {"port of a bridge",
         {{.name = "eth0", .ifindex = 2, .master = 10}, {.name = "br0", .ifindex = 10, .kind = "bridge"}},
         true},
        {"port of net_failover",
         {{.name = "eth0nsby", .ifindex = 2, .master = 10, .driver = "virtio_net"},
          {.name = "eth0", .ifindex = 10, .driver = "net_failover"}},
         true},
        {"net_failover itself", {{.name = "eth0", .ifindex = 2, .driver = "net_failover"}}, true},
        {"unknown master, bond port",
         {{.name = "eth0", .ifindex = 2, .master = 10, .bond_port = true}},
         false},
        {"unknown master, not a bond port", {{.name = "eth0", .ifindex = 2, .master = 10}}, true},
};

static void test_foreign_table(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(foreign_cases); i++) {
                const ForeignCase *c = &foreign_cases[i];
                Device *devs[3] = {};
                size_t n = 0;

                for (; n < ELEMENTSOF(c->devs) && c->devs[n].name; n++)
                        devs[n] = device_from_def(&c->devs[n]);

                if (device_is_foreign(devs[0], devs, n) != c->foreign)
                        fail_msg("%s: want %s", c->title, c->foreign ? "foreign" : "not foreign");

                for (size_t k = 0; k < n; k++)
                        device_free(devs[k]);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_match_table),
                cmocka_unit_test(test_conflict_reasons),
                cmocka_unit_test(test_group_from_devicetree),
                cmocka_unit_test(test_device_devicetree),
                cmocka_unit_test(test_port_match_edges),
                cmocka_unit_test(test_udev_table),
                cmocka_unit_test(test_auto_table),
                cmocka_unit_test(test_auto_pair_matches_both_roles),
                cmocka_unit_test(test_parsed_config),
                cmocka_unit_test(test_identity_mac),
                cmocka_unit_test(test_identity_mac_first_seen_enslaved),
                cmocka_unit_test(test_device_properties),
                cmocka_unit_test(test_udev_keys),
                cmocka_unit_test(test_foreign_table),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
