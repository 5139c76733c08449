/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "group.h"
#include "hcn-id.h"
#include "macro.h"

/* PowerVM's device tree names the HNV devices of a partition: the console
 * (HMC) puts an ibm,hcn-id on each VF and on its paravirtual backups, and
 * every node with one id is a port of one bond. See docs/devicetree.md.
 *
 * This is the pure part: it reads a directory laid out like
 * /proc/device-tree and nothing else, so tests point it at a tree of their
 * own. Matching a node to a netdev goes through the netdev's sysfs
 * device/devspec attribute, which holds the node's path. */

#define DEVICETREE_ROOT_DEFAULT "/proc/device-tree"

typedef enum DtNodeKind {
        DT_NODE_VF,   /* an SR-IOV VF: ethernet* below a pci* node */
        DT_NODE_VNIC, /* vdevice/vnic*: ibmvnic */
        DT_NODE_LLAN, /* vdevice/l-lan*: ibmveth */
        _DT_NODE_KIND_MAX,
        _DT_NODE_KIND_INVALID = -EINVAL,
} DtNodeKind;

/* "vf", "vnic", "l-lan". */
const char *dt_node_kind_to_string(DtNodeKind k);

typedef struct DtEntry {
        /* The node's path below the root, "/pci@800000020000011/ethernet@0":
         * what the netdev's device/devspec attribute holds. */
        char *devspec;
        DtNodeKind kind;
        char hcn_id[HCN_ID_SIZE];
        PortRole mode; /* ibm,hcn-mode */
        /* ibm,my-drc-index: the number the console names the device by.
         * For a VF it is the parent pci* node's. Absent (has_drc_index
         * false) when the node has none or a malformed one. */
        bool has_drc_index;
        uint32_t drc_index;
        char *loc_code; /* ibm,loc-code, for messages; NULL when absent */
} DtEntry;

/* A node with an ibm,hcn-id that the scan left out (a malformed hcn-id, no
 * or an unknown hcn-mode, a second primary), so that a console naming it
 * by DRC index hears the reason rather than "no such device". */
typedef struct DtRejected {
        char *devspec;
        bool has_drc_index;
        uint32_t drc_index;
        char *why; /* as dt_problem_cb had it */
} DtRejected;

/* The HNV nodes of one tree, sorted by devspec. */
typedef struct DtTable {
        DtEntry *entries;
        size_t n_entries;
        DtRejected *rejected; /* in the order they were found */
        size_t n_rejected;
} DtTable;

DtTable *dt_table_free(DtTable *t);
DEFINE_TRIVIAL_CLEANUP_FUNC(DtTable *, dt_table_free);

/* A node the scan could not take as it is; message says why and what was
 * done with it (left out or kept without a DRC index). Both strings live only
 * for the call. */
#define DT_PROBLEM_MAX 512
typedef void (*dt_problem_cb)(const char *devspec, const char *message, void *userdata);

/* Reads the HNV nodes below root (NULL: DEVICETREE_ROOT_DEFAULT). Nodes
 * without ibm,hcn-id are not HNV devices and are skipped silently; every
 * other irregularity goes to on_problem (may be NULL) and costs at most
 * that node, never the scan. Returns 0, -ENOENT when root does not exist
 * (no device tree: not PowerVM), or another negative errno when root itself
 * cannot be read or memory runs out. */
int dt_scan(const char *root, DtTable **ret, dt_problem_cb on_problem, void *userdata);

/* The first node left out that has this DRC index, or NULL. */
const DtRejected *dt_table_find_rejected_drc_index(const DtTable *t, uint32_t drc_index);

/* The property decoders dt_scan() uses, pure for the fuzz target: a
 * 4-byte big-endian cell (ibm,hcn-id, ibm,my-drc-index); and a string of
 * n bytes in buf (which has room for n + 1), made a C string in place:
 * one trailing NUL is allowed but not required, so that a tree written by
 * hand (echo -n) reads the same; bytes after it (a string list) and
 * anything unprintable are refused, which keeps the value safe for a log
 * line. Both return 0 or -EBADMSG. */
int dt_prop_u32(const uint8_t *buf, size_t n, uint32_t *ret);
int dt_prop_string(char *buf, size_t n);

/* The entry at exactly this devspec (as dt_devspec_parse() returns it). */
const DtEntry *dt_table_find_devspec(const DtTable *t, const char *devspec);

/* The entries with this DRC index, in devspec order: pass NULL to get the
 * first, then the previous result. A pci slot with more than one HNV
 * ethernet child gives them all one index. */
const DtEntry *dt_table_next_drc_index(const DtTable *t, uint32_t drc_index, const DtEntry *prev);

/* Reads the content of a sysfs device/devspec attribute ("/vdevice/l-lan@30000002\n").
 * Returns -ENODATA when the device has no device-tree node (the kernel then
 * writes nothing, or "(null)"), -EINVAL when it is not a node path. */
int dt_devspec_parse(const char *attr, char **ret);

/* The entry a netdev's devspec attribute points at. Returns 1 and the entry,
 * 0 when the node is not an HNV node, or dt_devspec_parse()'s errors. */
int dt_table_match_devspec(const DtTable *t, const char *attr, const DtEntry **ret);

/* The nodes of one hcn-id: one bond. */
typedef struct DtGroup {
        char hcn_id[HCN_ID_SIZE];
        char bond_name[IFNAMSIZ]; /* "bond<hcn_id>" */
        /* NULL when the group has no VF now: it was unplugged for a
         * migration, or has not been plugged yet. */
        const DtEntry *primary;
        const DtEntry **members; /* into the table, primary included, in devspec order */
        size_t n_members;
} DtGroup;

/* Groups in hcn-id order. They point into the table they were made from,
 * which must outlive them. */
typedef struct DtGroups {
        DtGroup *groups;
        size_t n_groups;
} DtGroups;

DtGroups *dt_groups_free(DtGroups *g);
DEFINE_TRIVIAL_CLEANUP_FUNC(DtGroups *, dt_groups_free);

/* Groups the table's entries by hcn-id. Returns -ENOTUNIQ when a group has
 * two primaries, which dt_scan() never leaves in a table. */
int dt_table_group(const DtTable *t, DtGroups **ret);

const DtGroup *dt_groups_find(const DtGroups *g, const char *hcn_id);
