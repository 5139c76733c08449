/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "device.h"
#include "devicetree.h"
#include "group.h"

/* Pairing decides which group a device belongs to and in which role. It is
 * pure: it reads devices and group specs and changes neither, so every
 * precedence rule is a table of unit-test cases.
 *
 * Precedence, highest first (GroupSource order):
 *   1. config groups (hnv.conf), 2. device-tree groups (PowerVM's
 *   ibm,hcn-id), 3. runtime groups (hnvctl add), 4. udev properties
 *   HNV_GROUP= / HNV_ROLE=, 5. automatic MAC pairing.
 * A device claimed at one level is not looked at by the lower ones. */

typedef struct PairingContext {
        const Config *config;
        /* Known groups in any order; pairing ranks them by source. */
        GroupSpec *const *groups;
        size_t n_groups;
} PairingContext;

typedef enum PairingResultKind {
        PAIRING_NONE,     /* not ours */
        PAIRING_MATCHED,  /* belongs to an existing group */
        PAIRING_CONFLICT, /* claimed twice at the same precedence: left alone */
        PAIRING_IGNORED,  /* something else owns it (net_failover, a foreign master) */
        _PAIRING_RESULT_KIND_MAX,
        _PAIRING_RESULT_KIND_INVALID = -EINVAL,
} PairingResultKind;

typedef struct PairingResult {
        PairingResultKind kind;
        const GroupSpec *group; /* PAIRING_MATCHED */
        PortRole role;
        const char *reason; /* static text for CONFLICT/IGNORED, for the log */
} PairingResult;

bool port_match_device(const PortMatch *m, const Device *d);

/* Looks the device up among the known groups. */
void pairing_match(const PairingContext *ctx, const Device *d, PairingResult *ret);

/* When the device carries HNV_GROUP=/HNV_ROLE= and no known group claims it:
 * builds the group those properties describe. Returns 1 and a new spec,
 * 0 when the device has no such properties, <0 when they are invalid
 * (bad group name, unknown role, bond name too long). */
int pairing_group_from_udev(const Device *d, GroupSpec **ret_spec, PortRole *ret_role);

/* Adds to *keys (NULL-terminated, owned; NULL to start) the udev property
 * keys pairing reads for spec: the key of each udev: match, and always
 * HNV_GROUP and HNV_ROLE (spec may be NULL for those alone). Each key is
 * added once. Returns how many were new, or -ENOMEM. */
int pairing_udev_keys_add(char ***keys, const GroupSpec *spec);

/* The group of one hcn-id in the device tree: named after the id, bond
 * "bond<hcn-id>" (hcnmgr's name), both roles matching the id; the device's
 * ibm,hcn-mode then picks its role. options: the bond settings (NULL: the
 * built-in defaults). */
int pairing_group_from_devicetree(const DtGroup *g, const BondOptions *options, GroupSpec **ret);

/* Automatic pairing over every unclaimed device: a PCI device and a
 * paravirtual NIC (driver in config->paravirt_drivers) with one identity MAC
 * form a new group named after the MAC's last four bytes. A MAC shared by
 * more than one device of a kind is a conflict: those devices are skipped and
 * reported through on_conflict. Returns the number of new specs in *ret. */
typedef void (*pairing_conflict_cb)(const Device *d, const char *reason, void *userdata);
int pairing_auto(const PairingContext *ctx, Device *const *devices, size_t n_devices, GroupSpec ***ret,
                 pairing_conflict_cb on_conflict, void *userdata);

/* True when net_failover or another non-bond master already owns the device. */
bool device_is_foreign(const Device *d, Device *const *devices, size_t n_devices);
