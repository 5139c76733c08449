/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The device-tree scan on a tree the input lays out: nodes from a fixed
 * set (the places hnv looks, and some it must not), each given properties
 * of any content, or a directory, or a symbolic link where a property
 * should be. Then the table is grouped and searched as hnvd does. The
 * checks are the table's promises: sorted, one primary per group, ids in
 * normal form, every rejected node with its reason. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devicetree.h"
#include "fuzz.h"

static const char *const nodes[] = {
        "pci@800000020000011",
        "pci@800000020000011/ethernet@0",
        "pci@800000020000011/ethernet@1",
        "pci@800000020000012",
        "pci@800000020000012/ethernet@0",
        "vdevice",
        "vdevice/l-lan@30000002",
        "vdevice/vnic@30000003",
        "vdevice/l-lan@30000004",
        "vdevice/v-scsi@30000005",
        "cpus",
        "cpus/ethernet@0",
};

static const char *const props[] = {
        "ibm,hcn-id", "ibm,hcn-mode", "ibm,my-drc-index", "ibm,loc-code", "name",
};

static char root[64];

static void path_of(char *buf, size_t size, size_t node, const char *prop) {
        snprintf(buf, size, "%s/%s%s%s", root, nodes[node], prop ? "/" : "", prop ?: "");
}

/* Removes what any input can have made, deepest nodes first. */
static void clear_tree(void) {
        char p[256];

        for (size_t i = ELEMENTSOF(nodes); i-- > 0;) {
                for (size_t j = 0; j < ELEMENTSOF(props); j++) {
                        path_of(p, sizeof(p), i, props[j]);
                        if (unlink(p) < 0)
                                (void)rmdir(p);
                }
                path_of(p, sizeof(p), i, NULL);
                (void)rmdir(p);
        }
}

static void make_node(size_t node) {
        char p[256];

        /* Parents first: "pci@.../ethernet@0" needs "pci@...". */
        for (size_t i = 0; i < ELEMENTSOF(nodes); i++)
                if (i != node && strncmp(nodes[node], nodes[i], strlen(nodes[i])) == 0 &&
                    nodes[node][strlen(nodes[i])] == '/') {
                        path_of(p, sizeof(p), i, NULL);
                        (void)mkdir(p, 0755);
                }
        path_of(p, sizeof(p), node, NULL);
        (void)mkdir(p, 0755);
}

static void check(const DtTable *t) {
        _cleanup_(dt_groups_freep) DtGroups *g = NULL;
        const DtEntry *e;

        for (size_t i = 0; i < t->n_entries; i++) {
                if (i > 0 && strcmp(t->entries[i - 1].devspec, t->entries[i].devspec) >= 0)
                        abort();
                if (strlen(t->entries[i].hcn_id) != HCN_ID_SIZE - 1 ||
                    dt_table_find_devspec(t, t->entries[i].devspec) != &t->entries[i])
                        abort();
                if (dt_table_match_devspec(t, t->entries[i].devspec, &e) != 1 || e != &t->entries[i])
                        abort();
                if (t->entries[i].has_drc_index &&
                    !dt_table_next_drc_index(t, t->entries[i].drc_index, NULL))
                        abort();
        }
        for (size_t i = 0; i < t->n_rejected; i++) {
                if (!t->rejected[i].why[0] || dt_table_find_devspec(t, t->rejected[i].devspec))
                        abort();
                if (t->rejected[i].has_drc_index &&
                    !dt_table_find_rejected_drc_index(t, t->rejected[i].drc_index))
                        abort();
        }
        if (dt_table_group(t, &g) < 0)
                abort();
        for (size_t i = 0; i < g->n_groups; i++)
                for (size_t j = 0; j < g->groups[i].n_members; j++)
                        if (g->groups[i].members[j]->mode == PORT_ROLE_PRIMARY &&
                            g->groups[i].members[j] != g->groups[i].primary)
                                abort();
}

/* Records of [node][property and kind][length][bytes]. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(dt_table_freep) DtTable *t = NULL;
        char p[256];

        if (!root[0]) {
                snprintf(root, sizeof(root), "%s/hnv-fuzz-dt-XXXXXX",
                         access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
                if (!mkdtemp(root))
                        abort();
        }
        if (size > 4096)
                return 0;

        for (size_t off = 0; off + 3 <= size;) {
                size_t node = data[off] % ELEMENTSOF(nodes), prop = data[off + 1] % ELEMENTSOF(props);
                unsigned kind = data[off + 1] / ELEMENTSOF(props) % 8;
                size_t len = data[off + 2];

                off += 3;
                if (len > size - off)
                        len = size - off;
                make_node(node);
                path_of(p, sizeof(p), node, props[prop]);
                if (kind == 6)
                        (void)mkdir(p, 0755);
                else if (kind == 7)
                        (void)!symlink("/dev/zero", p);
                else {
                        int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
                        if (fd >= 0) {
                                (void)!write(fd, data + off, len);
                                close(fd);
                        }
                }
                off += len;
        }

        if (dt_scan(root, &t, NULL, NULL) == 0)
                check(t);
        clear_tree();
        return 0;
}
