/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PowerVM device-tree discovery against trees shaped like real partitions:
 * which nodes become entries, with what values, which are reported and
 * left out, how they group into bonds, and how a netdev's devspec attribute
 * finds its node. Problems are compared in full: they are the log lines an
 * admin gets to fix the console's configuration with.
 *
 * The trees are written at run time from the tables below into a fresh
 * directory, not committed under tests/fixtures: property files are binary
 * (big-endian cells, NUL-terminated strings), which git shows only as
 * "Binary files differ", so a review could not see that a fixture's hcn-id
 * has 3 bytes; and each malformed layout is the good one with a line or two
 * changed, which a table says where a copied tree would hide it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <ftw.h>
#include <limits.h>
#include <unistd.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "devicetree.h"

/* One property file, or with name NULL only its node's directory. */
typedef struct Prop {
        const char *node; /* the node's devspec; "" is the root */
        const char *name;
        const char *value;
        size_t size;
        bool remove; /* take away what an earlier row wrote */
} Prop;

/* Cells are written as the bytes the firmware exports; strings with their
 * NUL, as /proc/device-tree shows them. */
/* One row a line: clang-format would split each over two. */
/* clang-format off */
#define CELL(node, name, bytes) {node, name, bytes, sizeof(bytes) - 1, false}
#define STR(node, name, s)      {node, name, s, sizeof(s), false}
#define NODE(node)              {node, NULL, NULL, 0, false}
#define REMOVE(node, name)      {node, name, NULL, 0, true}
/* clang-format on */

#define PCI1 "/pci@800000020000011"
#define PCI2 "/pci@800000020000012"
#define PCI3 "/pci@800000020000013"
#define VF1  PCI1 "/ethernet@0"
#define VF2  PCI2 "/ethernet@0"
#define VF3  PCI3 "/ethernet@0"
#define VNIC "/vdevice/vnic@30000003"
#define LLAN "/vdevice/l-lan@30000002"

#define ID_A "\x33\x3e\x80\xf5" /* 333e80f5 */
#define ID_B "\x55\x58\xa5\xa3" /* 5558a5a3 */

/* A partition with two HNV groups: A is a VF with an ibmvnic backup, B a VF
 * with an ibmveth backup. Around them, what a real tree also has: a plain
 * VF and a plain veth (no hcn-id), a console, properties that are not ours,
 * and an hcn-id on nodes hcnmgr does not look at. */
static const Prop lpar[] = {
        STR("", "model", "IBM,9080-HEX"),
        STR("", "pci-not-a-node", "a property whose name matches pci*"),

        CELL(PCI1, "ibm,my-drc-index", "\x20\x00\x00\x11"),
        STR(PCI1, "ibm,loc-code", "U78D3.ND1.FGD006M-P1-C7"),
        CELL(VF1, "ibm,hcn-id", ID_A),
        STR(VF1, "ibm,hcn-mode", "primary"),
        STR(VF1, "ibm,loc-code", "U78D3.ND1.FGD006M-P1-C7-T1-S3"),
        STR(VF1, "device_type", "network"),
        CELL(VF1, "local-mac-address", "\xfa\x4e\x1c\x7d\x5e\x20"),

        CELL(PCI2, "ibm,my-drc-index", "\x20\x00\x00\x12"),
        CELL(VF2, "ibm,hcn-id", ID_B),
        STR(VF2, "ibm,hcn-mode", "primary"),
        STR(VF2, "ibm,loc-code", "U78D3.ND1.FGD006M-P1-C7-T2-S4"),

        /* A VF the console did not make migratable. */
        CELL("/pci@800000020000014", "ibm,my-drc-index", "\x20\x00\x00\x14"),
        STR("/pci@800000020000014/ethernet@0", "ibm,loc-code", "U78D3.ND1.FGD006M-P1-C7-T1-S5"),

        CELL(VNIC, "ibm,hcn-id", ID_A),
        STR(VNIC, "ibm,hcn-mode", "backup"),
        CELL(VNIC, "ibm,my-drc-index", "\x30\x00\x00\x03"),
        STR(VNIC, "ibm,loc-code", "U9080.HEX.134C1E8-V5-C3"),
        STR(VNIC, "compatible", "IBM,vnic"),

        CELL(LLAN, "ibm,hcn-id", ID_B),
        STR(LLAN, "ibm,hcn-mode", "backup"),
        CELL(LLAN, "ibm,my-drc-index", "\x30\x00\x00\x02"),
        STR(LLAN, "ibm,loc-code", "U9080.HEX.134C1E8-V5-C2-T1"),

        CELL("/vdevice/l-lan@30000004", "ibm,my-drc-index", "\x30\x00\x00\x04"),
        STR("/vdevice/vty@30000000", "compatible", "hvterm1"),

        /* Not where HNV nodes sit: hcnmgr would not take them, nor do we. */
        CELL("/ethernet@0", "ibm,hcn-id", ID_A),
        STR("/ethernet@0", "ibm,hcn-mode", "primary"),
        CELL("/vdev/vnic@30000010", "ibm,hcn-id", ID_A),
        STR("/vdev/vnic@30000010", "ibm,hcn-mode", "backup"),
        CELL(VF1 "/ethernet@1", "ibm,hcn-id", ID_A),
        STR(VF1 "/ethernet@1", "ibm,hcn-mode", "backup"),
        NODE("/vdevice/vnic-empty"),
};

#define MAX_PROBLEMS 8

typedef struct Tree {
        char root[256];
        char problems[MAX_PROBLEMS][512];
        size_t n_problems;
        DtTable *table;
} Tree;

static void write_prop(const char *root, const Prop *p) {
        _cleanup_(freep) char *dir = NULL, *path = NULL;
        FILE *f;

        /* mkdir -p: each '/' of the node path in turn. */
        assert_true(asprintf(&dir, "%s%s", root, p->node) > 0);
        for (char *c = dir + strlen(root); *c; c++)
                if (*c == '/') {
                        *c = '\0';
                        assert_true(mkdir(dir, 0755) == 0 || errno == EEXIST);
                        *c = '/';
                }
        assert_true(mkdir(dir, 0755) == 0 || errno == EEXIST);
        if (!p->name)
                return;

        assert_true(asprintf(&path, "%s/%s", dir, p->name) > 0);
        if (p->remove) {
                assert_int_equal(unlink(path), 0);
                return;
        }
        f = fopen(path, "we");
        assert_non_null(f);
        assert_int_equal(fwrite(p->value, 1, p->size, f), p->size);
        assert_int_equal(fclose(f), 0);
}

static void write_props(Tree *t, const Prop *props, size_t n) {
        for (size_t i = 0; i < n; i++)
                write_prop(t->root, &props[i]);
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        return remove(path) < 0 ? -1 : 0;
}

static int setup_tree(void **state) {
        const char *tmp = getenv("TMPDIR");
        Tree *t = calloc(1, sizeof(Tree));

        if (!t)
                return -1;
        snprintf(t->root, sizeof(t->root), "%s/test-devicetree-XXXXXX", tmp && *tmp ? tmp : P_tmpdir);
        if (!mkdtemp(t->root)) {
                free(t);
                return -1;
        }
        *state = t;
        return 0;
}

static int teardown_tree(void **state) {
        Tree *t = *state;

        if (!t)
                return 0;
        dt_table_free(t->table);
        (void)nftw(t->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        free(t);
        return 0;
}

static void collect_problem(const char *devspec, const char *message, void *userdata) {
        Tree *t = userdata;

        assert_true(t->n_problems < MAX_PROBLEMS);
        snprintf(t->problems[t->n_problems++], sizeof(t->problems[0]), "%s: %s", devspec, message);
}

static void scan(Tree *t) {
        t->table = dt_table_free(t->table);
        t->n_problems = 0;
        assert_int_equal(dt_scan(t->root, &t->table, collect_problem, t), 0);
        assert_non_null(t->table);
}

/* The partition above with some rows changed. */
static void scan_lpar_with(Tree *t, const Prop *change, size_t n) {
        write_props(t, lpar, ELEMENTSOF(lpar));
        write_props(t, change, n);
        scan(t);
}

/* The problems, in the order the scan reported them, NULL-terminated. */
static void assert_problems(const Tree *t, const char *const *expected) {
        size_t n = 0;

        for (; expected[n]; n++) {
                if (n >= t->n_problems)
                        fail_msg("problem %zu missing: %s", n, expected[n]);
                assert_string_equal(t->problems[n], expected[n]);
        }
        if (t->n_problems > n)
                fail_msg("unexpected problem: %s", t->problems[n]);
}

/* The devspecs of the table's entries, NULL-terminated. */
static void assert_devspecs(const DtTable *t, const char *const *expected) {
        size_t n = 0;

        for (; expected[n]; n++) {
                if (n >= t->n_entries)
                        fail_msg("entry %zu missing: %s", n, expected[n]);
                assert_string_equal(t->entries[n].devspec, expected[n]);
        }
        if (t->n_entries > n)
                fail_msg("unexpected entry: %s", t->entries[n].devspec);
}

static void assert_entry(const DtEntry *e, DtNodeKind kind, const char *hcn_id, PortRole mode, uint32_t drc,
                         const char *loc_code) {
        assert_non_null(e);
        assert_int_equal(e->kind, kind);
        assert_string_equal(e->hcn_id, hcn_id);
        assert_int_equal(e->mode, mode);
        assert_true(e->has_drc_index);
        assert_int_equal(e->drc_index, drc);
        if (loc_code)
                assert_string_equal(e->loc_code, loc_code);
        else
                assert_null(e->loc_code);
}

/* ---------------------------------------------------------------------- */
/* a well-formed partition */

static void test_lpar_entries(void **state) {
        Tree *t = *state;
        const DtTable *tb;

        write_props(t, lpar, ELEMENTSOF(lpar));
        scan(t);
        tb = t->table;

        assert_problems(t, (const char *const[]){NULL});
        assert_devspecs(tb, (const char *const[]){VF1, VF2, LLAN, VNIC, NULL});
        assert_entry(&tb->entries[0], DT_NODE_VF, "333e80f5", PORT_ROLE_PRIMARY, 0x20000011,
                     "U78D3.ND1.FGD006M-P1-C7-T1-S3");
        assert_entry(&tb->entries[1], DT_NODE_VF, "5558a5a3", PORT_ROLE_PRIMARY, 0x20000012,
                     "U78D3.ND1.FGD006M-P1-C7-T2-S4");
        assert_entry(&tb->entries[2], DT_NODE_LLAN, "5558a5a3", PORT_ROLE_BACKUP, 0x30000002,
                     "U9080.HEX.134C1E8-V5-C2-T1");
        assert_entry(&tb->entries[3], DT_NODE_VNIC, "333e80f5", PORT_ROLE_BACKUP, 0x30000003,
                     "U9080.HEX.134C1E8-V5-C3");
}

static void test_lpar_lookups(void **state) {
        Tree *t = *state;
        const DtTable *tb;
        const DtEntry *e;

        write_props(t, lpar, ELEMENTSOF(lpar));
        scan(t);
        tb = t->table;

        assert_ptr_equal(dt_table_find_devspec(tb, VNIC), &tb->entries[3]);
        assert_ptr_equal(dt_table_find_devspec(tb, VF1), &tb->entries[0]);
        assert_null(dt_table_find_devspec(tb, VF1 "/"));
        assert_null(dt_table_find_devspec(tb, "/pci@800000020000014/ethernet@0"));
        assert_null(dt_table_find_devspec(tb, PCI1));

        /* A VF is named by its slot's index, found on the pci node. */
        e = dt_table_next_drc_index(tb, 0x20000011, NULL);
        assert_ptr_equal(e, &tb->entries[0]);
        assert_null(dt_table_next_drc_index(tb, 0x20000011, e));
        assert_ptr_equal(dt_table_next_drc_index(tb, 0x30000002, NULL), &tb->entries[2]);
        assert_ptr_equal(dt_table_next_drc_index(tb, 0x30000003, NULL), &tb->entries[3]);
        /* Not HNV devices, though their nodes have indices. */
        assert_null(dt_table_next_drc_index(tb, 0x20000014, NULL));
        assert_null(dt_table_next_drc_index(tb, 0x30000004, NULL));

        /* As sysfs shows them. */
        assert_int_equal(dt_table_match_devspec(tb, LLAN "\n", &e), 1);
        assert_ptr_equal(e, &tb->entries[2]);
        assert_int_equal(dt_table_match_devspec(tb, VF2 "\n", &e), 1);
        assert_ptr_equal(e, &tb->entries[1]);
        assert_int_equal(dt_table_match_devspec(tb, "/pci@800000020000014/ethernet@0\n", &e), 0);
        assert_null(e);
        assert_int_equal(dt_table_match_devspec(tb, "\n", &e), -ENODATA);
        assert_int_equal(dt_table_match_devspec(tb, "vdevice/l-lan@30000002\n", &e), -EINVAL);
}

static void test_lpar_groups(void **state) {
        Tree *t = *state;
        _cleanup_(dt_groups_freep) DtGroups *g = NULL;
        const DtTable *tb;
        const DtGroup *a, *b;

        write_props(t, lpar, ELEMENTSOF(lpar));
        scan(t);
        tb = t->table;

        assert_int_equal(dt_table_group(tb, &g), 0);
        assert_int_equal(g->n_groups, 2);

        a = &g->groups[0];
        assert_string_equal(a->hcn_id, "333e80f5");
        assert_string_equal(a->bond_name, "bond333e80f5");
        assert_ptr_equal(a->primary, &tb->entries[0]);
        assert_int_equal(a->n_members, 2);
        assert_ptr_equal(a->members[0], &tb->entries[0]);
        assert_ptr_equal(a->members[1], &tb->entries[3]);

        b = &g->groups[1];
        assert_string_equal(b->hcn_id, "5558a5a3");
        assert_string_equal(b->bond_name, "bond5558a5a3");
        assert_ptr_equal(b->primary, &tb->entries[1]);
        assert_int_equal(b->n_members, 2);
        assert_ptr_equal(b->members[0], &tb->entries[1]);
        assert_ptr_equal(b->members[1], &tb->entries[2]);

        assert_ptr_equal(dt_groups_find(g, "5558a5a3"), b);
        assert_ptr_equal(dt_groups_find(g, "333e80f5"), a);
        assert_null(dt_groups_find(g, "333e80f6"));
}

/* The console removes a VF before a migration: its group lives on with the
 * backup alone, and no problem is reported. */
static void test_group_without_vf(void **state) {
        Tree *t = *state;
        _cleanup_(dt_groups_freep) DtGroups *g = NULL;
        static const Prop prop[] = {CELL(VNIC, "ibm,hcn-id", ID_A), STR(VNIC, "ibm,hcn-mode", "backup"),
                                    CELL(VNIC, "ibm,my-drc-index", "\x30\x00\x00\x03")};

        write_props(t, prop, ELEMENTSOF(prop));
        scan(t);
        assert_problems(t, (const char *const[]){NULL});
        assert_int_equal(dt_table_group(t->table, &g), 0);
        assert_int_equal(g->n_groups, 1);
        assert_null(g->groups[0].primary);
        assert_int_equal(g->groups[0].n_members, 1);
        assert_ptr_equal(g->groups[0].members[0], &t->table->entries[0]);
        assert_null(t->table->entries[0].loc_code);
}

/* Two HNV functions in one slot share its index: a lookup by index gives both. */
static void test_slot_with_two_vfs(void **state) {
        Tree *t = *state;
        static const Prop prop[] = {
                CELL(PCI1, "ibm,my-drc-index", "\x20\x00\x00\x11"),
                CELL(PCI1 "/ethernet@1", "ibm,hcn-id", ID_B),
                STR(PCI1 "/ethernet@1", "ibm,hcn-mode", "primary"),
                CELL(VF1, "ibm,hcn-id", ID_A),
                STR(VF1, "ibm,hcn-mode", "primary"),
        };
        const DtEntry *e;

        write_props(t, prop, ELEMENTSOF(prop));
        scan(t);
        assert_problems(t, (const char *const[]){NULL});
        assert_devspecs(t->table, (const char *const[]){VF1, PCI1 "/ethernet@1", NULL});

        e = dt_table_next_drc_index(t->table, 0x20000011, NULL);
        assert_ptr_equal(e, &t->table->entries[0]);
        e = dt_table_next_drc_index(t->table, 0x20000011, e);
        assert_ptr_equal(e, &t->table->entries[1]);
        assert_null(dt_table_next_drc_index(t->table, 0x20000011, e));
}

static void test_empty_and_missing_root(void **state) {
        Tree *t = *state;
        _cleanup_(freep) char *missing = NULL;
        _cleanup_(dt_groups_freep) DtGroups *g = NULL;
        DtTable *tb = NULL;

        /* Not PowerVM at all, or a tree with no HNV device: no error. */
        scan(t);
        assert_int_equal(t->table->n_entries, 0);
        assert_problems(t, (const char *const[]){NULL});
        assert_null(dt_table_find_devspec(t->table, VF1));
        assert_null(dt_table_next_drc_index(t->table, 0, NULL));
        assert_int_equal(dt_table_group(t->table, &g), 0);
        assert_int_equal(g->n_groups, 0);

        assert_true(asprintf(&missing, "%s/none", t->root) > 0);
        assert_int_equal(dt_scan(missing, &tb, collect_problem, t), -ENOENT);
        assert_null(tb);
        assert_int_equal(t->n_problems, 0);
}

/* ---------------------------------------------------------------------- */
/* malformed partitions: each problem costs its node at most */

static void test_short_hcn_id(void **state) {
        Tree *t = *state;
        _cleanup_(dt_groups_freep) DtGroups *g = NULL;
        static const Prop change[] = {CELL(VF1, "ibm,hcn-id", "\x33\x3e\x80")};

        scan_lpar_with(t, change, ELEMENTSOF(change));

        assert_problems(t, (const char *const[]){VF1 ": ibm,hcn-id has 3 bytes, not 4: left out", NULL});
        assert_devspecs(t->table, (const char *const[]){VF2, LLAN, VNIC, NULL});

        /* Its group carries on with the backup. */
        assert_int_equal(dt_table_group(t->table, &g), 0);
        assert_int_equal(g->n_groups, 2);
        assert_null(dt_groups_find(g, "333e80f5")->primary);
        assert_int_equal(dt_groups_find(g, "333e80f5")->n_members, 1);

        /* The console may still name it by its slot's DRC index: the table
         * keeps why it was left out. */
        const DtRejected *r = dt_table_find_rejected_drc_index(t->table, 0x20000011);
        assert_non_null(r);
        assert_string_equal(r->devspec, VF1);
        assert_string_equal(r->why, "ibm,hcn-id has 3 bytes, not 4: left out");
        assert_null(dt_table_find_rejected_drc_index(t->table, 0x20000012));
}

/* A FIFO where a property should be (the tree is a directory like any
 * other): the scan must not wait for a writer. */
static void test_fifo_property(void **state) {
        Tree *t = *state;
        char path[PATH_MAX];

        write_props(t, lpar, ELEMENTSOF(lpar));
        snprintf(path, sizeof(path), "%s%s/ibm,hcn-mode", t->root, VNIC);
        assert_int_equal(unlink(path), 0);
        assert_int_equal(mkfifo(path, 0644), 0);
        scan(t);
        assert_problems(t, (const char *const[]){
                                   VNIC ": ibm,hcn-mode cannot be read (not a regular file): left out",
                                   NULL,
                           });
        assert_null(dt_table_find_devspec(t->table, VNIC));
}

static void test_long_properties(void **state) {
        Tree *t = *state;
        static const Prop change[] = {
                CELL(VF1, "ibm,hcn-id", ID_A ID_A ID_A ID_A ID_A),
                CELL(VF2, "ibm,hcn-id", ID_B "\x00"),
                CELL(VNIC, "ibm,hcn-id", ""),
        };

        scan_lpar_with(t, change, ELEMENTSOF(change));

        assert_problems(t, (const char *const[]){
                                   VF1 ": ibm,hcn-id has more than 16 bytes, not 4: left out",
                                   VF2 ": ibm,hcn-id has 5 bytes, not 4: left out",
                                   VNIC ": ibm,hcn-id has 0 bytes, not 4: left out",
                                   NULL,
                           });
        assert_devspecs(t->table, (const char *const[]){LLAN, NULL});
}

static void test_bad_mode(void **state) {
        Tree *t = *state;
        static const Prop change[] = {
                REMOVE(VNIC, "ibm,hcn-mode"),
                STR(LLAN, "ibm,hcn-mode", "standby"),
                STR(VF2, "ibm,hcn-mode", "primary\0backup"),
                STR(VF1, "ibm,hcn-mode", "Primary"),
        };

        scan_lpar_with(t, change, ELEMENTSOF(change));

        assert_problems(t, (const char *const[]){
                                   VF1 ": ibm,hcn-mode 'Primary' is neither primary nor backup: left out",
                                   VF2 ": ibm,hcn-mode is not one printable string: left out",
                                   LLAN ": ibm,hcn-mode 'standby' is neither primary nor backup: left out",
                                   VNIC ": no ibm,hcn-mode: left out",
                                   NULL,
                           });
        assert_devspecs(t->table, (const char *const[]){NULL});
}

/* Written by hand (echo -n), without the NUL the kernel shows: the same value. */
static void test_string_without_nul(void **state) {
        Tree *t = *state;
        static const Prop change[] = {
                {VNIC, "ibm,hcn-mode", "backup", 6, false},
                {VNIC, "ibm,loc-code", "U9080.HEX.134C1E8-V5-C3", 23, false},
        };

        scan_lpar_with(t, change, ELEMENTSOF(change));

        assert_problems(t, (const char *const[]){NULL});
        assert_entry(dt_table_find_devspec(t->table, VNIC), DT_NODE_VNIC, "333e80f5", PORT_ROLE_BACKUP,
                     0x30000003, "U9080.HEX.134C1E8-V5-C3");
}

static void test_missing_drc_index(void **state) {
        Tree *t = *state;
        _cleanup_(dt_groups_freep) DtGroups *g = NULL;
        static const Prop change[] = {
                REMOVE(PCI1, "ibm,my-drc-index"),
                /* On the VF's own node instead of its slot's: not where the index belongs. */
                CELL(VF1, "ibm,my-drc-index", "\x20\x00\x00\x11"),
                CELL(LLAN, "ibm,my-drc-index", "\x00\x00\x00\x00\x30\x00\x00\x02"),
                REMOVE(VNIC, "ibm,my-drc-index"),
        };
        const DtEntry *e;

        scan_lpar_with(t, change, ELEMENTSOF(change));

        assert_problems(t,
                        (const char *const[]){
                                VF1 ": " PCI1 ": no ibm,my-drc-index: kept without a DRC index, the console "
                                    "cannot name it",
                                LLAN ": ibm,my-drc-index has 8 bytes, not 4: kept without a DRC index",
                                VNIC ": no ibm,my-drc-index: kept without a DRC index, the console cannot "
                                     "name it",
                                NULL,
                        });

        /* Kept, and still paired: only the console's commands need the index. */
        assert_devspecs(t->table, (const char *const[]){VF1, VF2, LLAN, VNIC, NULL});
        e = dt_table_find_devspec(t->table, VF1);
        assert_false(e->has_drc_index);
        assert_int_equal(e->mode, PORT_ROLE_PRIMARY);
        assert_false(dt_table_find_devspec(t->table, LLAN)->has_drc_index);
        assert_false(dt_table_find_devspec(t->table, VNIC)->has_drc_index);
        assert_true(dt_table_find_devspec(t->table, VF2)->has_drc_index);
        assert_null(dt_table_next_drc_index(t->table, 0x20000011, NULL));
        assert_null(dt_table_next_drc_index(t->table, 0x30000002, NULL));

        assert_int_equal(dt_table_group(t->table, &g), 0);
        assert_ptr_equal(dt_groups_find(g, "333e80f5")->primary, e);
        assert_int_equal(dt_groups_find(g, "333e80f5")->n_members, 2);
}

static void test_bad_loc_code(void **state) {
        Tree *t = *state;
        static const Prop change[] = {
                STR(VF1, "ibm,loc-code", "U78D3\n-P1"),
                STR(VNIC, "ibm,loc-code", ""),
        };

        scan_lpar_with(t, change, ELEMENTSOF(change));

        assert_problems(
                t, (const char *const[]){VF1 ": ibm,loc-code is not one printable string: ignored", NULL});
        assert_entry(dt_table_find_devspec(t->table, VF1), DT_NODE_VF, "333e80f5", PORT_ROLE_PRIMARY,
                     0x20000011, NULL);
        assert_entry(dt_table_find_devspec(t->table, VNIC), DT_NODE_VNIC, "333e80f5", PORT_ROLE_BACKUP,
                     0x30000003, NULL);
}

/* A third VF that also claims to be group A's primary. */
static const Prop second_primary[] = {
        CELL(PCI3, "ibm,my-drc-index", "\x20\x00\x00\x13"),
        CELL(VF3, "ibm,hcn-id", ID_A),
        STR(VF3, "ibm,hcn-mode", "primary"),
};

static void check_second_primary_dropped(Tree *t) {
        _cleanup_(dt_groups_freep) DtGroups *g = NULL;
        const DtGroup *a;

        scan(t);
        assert_problems(t, (const char *const[]){
                                   VF3 ": second primary of hcn-id 333e80f5, after " VF1 ": left out",
                                   NULL,
                           });
        assert_devspecs(t->table, (const char *const[]){VF1, VF2, LLAN, VNIC, NULL});
        assert_int_equal(t->table->n_rejected, 1);
        assert_string_equal(dt_table_find_rejected_drc_index(t->table, 0x20000013)->why,
                            "second primary of hcn-id 333e80f5, after " VF1 ": left out");

        assert_int_equal(dt_table_group(t->table, &g), 0);
        a = dt_groups_find(g, "333e80f5");
        assert_non_null(a);
        assert_string_equal(a->primary->devspec, VF1);
        assert_int_equal(a->n_members, 2);
}

/* The first by devspec stays, whichever the directory lists first: the
 * nodes are created in both orders (tmpfs lists newest first, ext4 by hash). */
static void test_second_primary_created_last(void **state) {
        Tree *t = *state;

        write_props(t, lpar, ELEMENTSOF(lpar));
        write_props(t, second_primary, ELEMENTSOF(second_primary));
        check_second_primary_dropped(t);
}

static void test_second_primary_created_first(void **state) {
        Tree *t = *state;

        write_props(t, second_primary, ELEMENTSOF(second_primary));
        write_props(t, lpar, ELEMENTSOF(lpar));
        check_second_primary_dropped(t);
}

/* A primary left out for another fault does not count: the next one is the
 * group's primary, with no duplicate reported. */
static void test_second_primary_after_bad_first(void **state) {
        Tree *t = *state;
        static const Prop change[] = {STR(VF1, "ibm,hcn-mode", "")};

        write_props(t, lpar, ELEMENTSOF(lpar));
        write_props(t, second_primary, ELEMENTSOF(second_primary));
        write_props(t, change, ELEMENTSOF(change));
        scan(t);

        assert_problems(t, (const char *const[]){
                                   VF1 ": ibm,hcn-mode '' is neither primary nor backup: left out",
                                   NULL,
                           });
        assert_devspecs(t->table, (const char *const[]){VF2, VF3, LLAN, VNIC, NULL});
        assert_entry(dt_table_find_devspec(t->table, VF3), DT_NODE_VF, "333e80f5", PORT_ROLE_PRIMARY,
                     0x20000013, NULL);
}

/* dt_scan() never leaves two primaries in a group; a table made another way
 * may have them, and grouping refuses rather than picking one. */
static void test_group_refuses_two_primaries(void **state) {
        DtEntry entries[] = {
                {.devspec = (char *)VF1,
                 .kind = DT_NODE_VF,
                 .hcn_id = "333e80f5",
                 .mode = PORT_ROLE_PRIMARY},
                {.devspec = (char *)VF3,
                 .kind = DT_NODE_VF,
                 .hcn_id = "333e80f5",
                 .mode = PORT_ROLE_PRIMARY},
        };
        DtTable tb = {.entries = entries, .n_entries = ELEMENTSOF(entries)};
        DtGroups *g = NULL;

        assert_int_equal(dt_table_group(&tb, &g), -ENOTUNIQ);
        assert_null(g);

        entries[1].mode = PORT_ROLE_BACKUP;
        assert_int_equal(dt_table_group(&tb, &g), 0);
        assert_int_equal(g->n_groups, 1);
        assert_ptr_equal(g->groups[0].primary, &entries[0]);
        g = dt_groups_free(g);
        assert_null(g);
}

/* ---------------------------------------------------------------------- */
/* pure parsers */

typedef struct DevspecCase {
        const char *attr;
        int ret;
        const char *devspec;
} DevspecCase;

static const DevspecCase devspec_cases[] = {
        {LLAN "\n", 0, LLAN},
        {LLAN, 0, LLAN},
        {VF1 "\n", 0, VF1},
        {"/\n", 0, "/"},
        /* no node: an empty PCI attribute, a vio device's NULL node */
        {"", -ENODATA, NULL},
        {"\n", -ENODATA, NULL},
        {"(null)\n", -ENODATA, NULL},
        {"(null)", -ENODATA, NULL},
        /* sysfs writes one newline; anything else is not a node path */
        {LLAN "\n\n", -EINVAL, NULL},
        {LLAN " \n", -EINVAL, NULL},
        {"vdevice/l-lan@30000002\n", -EINVAL, NULL},
        {"/vdevice/l-lan @30000002", -EINVAL, NULL},
        {"/vdevice/l-lan\t@30000002", -EINVAL, NULL},
        {"/vdevice/l-lan\x80", -EINVAL, NULL},
};

static void test_devspec_parse(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(devspec_cases); i++) {
                const DevspecCase *c = &devspec_cases[i];
                _cleanup_(freep) char *devspec = NULL;
                int r = dt_devspec_parse(c->attr, &devspec);

                if (r != c->ret)
                        fail_msg("case %zu '%s': got %d, want %d", i, c->attr, r, c->ret);
                if (c->devspec)
                        assert_string_equal(devspec, c->devspec);
                else
                        assert_null(devspec);
        }
        assert_int_equal(dt_devspec_parse(NULL, &(char *){NULL}), -EINVAL);
}

typedef struct HcnIdCase {
        const char *input;
        int ret;
        const char *hcn_id;
} HcnIdCase;

static const HcnIdCase hcn_id_cases[] = {
        {"333e80f5", 0, "333e80f5"},
        {"333E80F5", 0, "333e80f5"},
        {"0x333e80f5", 0, "333e80f5"},
        {"0X333E80F5", 0, "333e80f5"},
        {"e80f5", 0, "000e80f5"},
        {"0", 0, "00000000"},
        {"00000000333e80f5", 0, "333e80f5"},
        {"ffffffff", 0, "ffffffff"},
        {"100000000", -ERANGE, NULL},
        {"", -EINVAL, NULL},
        {"0x", -EINVAL, NULL},
        {"333e80g5", -EINVAL, NULL},
        {" 333e80f5", -EINVAL, NULL},
        {"333e80f5\n", -EINVAL, NULL},
        {"-1", -EINVAL, NULL},
};

static void test_hcn_id_normalize(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(hcn_id_cases); i++) {
                const HcnIdCase *c = &hcn_id_cases[i];
                char id[HCN_ID_SIZE] = "unset";
                int r = hcn_id_normalize(c->input, id);

                if (r != c->ret)
                        fail_msg("case '%s': got %d, want %d", c->input, r, c->ret);
                assert_string_equal(id, c->hcn_id ?: "unset");
        }
        assert_int_equal(hcn_id_normalize(NULL, (char[HCN_ID_SIZE]){}), -EINVAL);
}

static void test_kind_strings(void **state) {
        assert_string_equal(dt_node_kind_to_string(DT_NODE_VF), "vf");
        assert_string_equal(dt_node_kind_to_string(DT_NODE_VNIC), "vnic");
        assert_string_equal(dt_node_kind_to_string(DT_NODE_LLAN), "l-lan");
        assert_null(dt_node_kind_to_string(_DT_NODE_KIND_MAX));
        assert_null(dt_node_kind_to_string(_DT_NODE_KIND_INVALID));
}

#define TREE_TEST(f) cmocka_unit_test_setup_teardown(f, setup_tree, teardown_tree)

int main(void) {
        const struct CMUnitTest tests[] = {
                TREE_TEST(test_lpar_entries),
                TREE_TEST(test_lpar_lookups),
                TREE_TEST(test_lpar_groups),
                TREE_TEST(test_group_without_vf),
                TREE_TEST(test_slot_with_two_vfs),
                TREE_TEST(test_empty_and_missing_root),
                TREE_TEST(test_short_hcn_id),
                TREE_TEST(test_fifo_property),
                TREE_TEST(test_long_properties),
                TREE_TEST(test_bad_mode),
                TREE_TEST(test_string_without_nul),
                TREE_TEST(test_missing_drc_index),
                TREE_TEST(test_bad_loc_code),
                TREE_TEST(test_second_primary_created_last),
                TREE_TEST(test_second_primary_created_first),
                TREE_TEST(test_second_primary_after_bad_first),
                cmocka_unit_test(test_group_refuses_two_primaries),
                cmocka_unit_test(test_devspec_parse),
                cmocka_unit_test(test_hcn_id_normalize),
                cmocka_unit_test(test_kind_strings),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
