/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "devicetree.h"
#include "group.h"

#define HNV_CONFIG_FILE   "/etc/hnv/hnv.conf"
#define HNV_CONFIG_DROPIN "/etc/hnv/conf.d"

/* A configuration file larger than this is refused, not read. */
#define CONFIG_FILE_MAX (1024U * 1024U)

/* How long a group may stay in "migrating" before hnvd gives up waiting for
 * the migration to end and puts the VF back (seconds). */
#define HNV_MIGRATION_TIMEOUT_DEFAULT_SEC 600U
#define HNV_MIGRATION_TIMEOUT_MAX_SEC     86400U

/* Where hnvd reads a netdev's device/devspec attribute:
 * <sysfs-root>/class/net/<ifname>/device/devspec. */
#define HNV_SYSFS_ROOT_DEFAULT "/sys"
/* Where wicked reads its ifcfg files (ifcfg(5)); [global] ifcfg-dir=. */
#define HNV_IFCFG_DIR_DEFAULT "/etc/sysconfig/network"
/* Where the networkd backend writes its .netdev and .network files
 * (systemd.network(5)); [global] networkd-dir=. /etc, not /run: the bond's
 * .network carries the IP configuration of the admin's file that matched
 * the port, found through networkd's state of the running system, which a
 * boot does not have yet when hnvd starts. */
#define HNV_NETWORKD_DIR_DEFAULT "/etc/systemd/network"

/* The parsed configuration. See hnv.conf(5) for the format. A Config is
 * immutable once loaded: a reload parses a new one in full and swaps it in
 * only when it is valid, so a bad file never disturbs running groups. */
/* Who carries the groups into the system: [global] backend=. */
typedef enum BackendKind {
        BACKEND_AUTO, /* NetworkManager when it runs and manages devices, else the kernel */
        BACKEND_KERNEL,
        BACKEND_NETWORKMANAGER,
        BACKEND_WICKED,
        BACKEND_NETWORKD,
        _BACKEND_KIND_MAX,
        _BACKEND_KIND_INVALID = -EINVAL,
} BackendKind;

const char *backend_kind_to_string(BackendKind k);
BackendKind backend_kind_from_string(const char *s);

typedef struct Config {
        BackendKind backend;            /* [global] backend=, default auto */
        bool auto_pairing;              /* [global] auto-pairing=, default yes */
        char **paravirt_drivers;        /* [global] paravirt-drivers=, NULL-terminated */
        BondOptions bond_defaults;      /* [global] bond-options= */
        unsigned migration_timeout_sec; /* [global] migration-timeout=, default 600 */
        /* [global] device-tree=, default yes: pair by ibm,hcn-id whenever
         * device_tree_root exists (PowerVM); nothing happens elsewhere. */
        bool device_tree;
        char *device_tree_root; /* [global] device-tree-root=, default /proc/device-tree */
        char *sysfs_root;       /* [global] sysfs-root=, default /sys */
        char *ifcfg_dir;        /* [global] ifcfg-dir=, NULL: HNV_IFCFG_DIR_DEFAULT */
        char *networkd_dir;     /* [global] networkd-dir=, NULL: HNV_NETWORKD_DIR_DEFAULT */
        GroupSpec **groups;     /* [group NAME] sections, in file order */
        size_t n_groups;
        /* Each group's own bond-options= words, parallel to groups (entries
         * may be NULL): applied on top of bond_defaults once all files are read. */
        char **group_bond_options;
} Config;

Config *config_new(void); /* defaults only */
Config *config_free(Config *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(Config *, config_free);

/* Parses one file's text into c. origin names the file in messages. On error
 * returns -EINVAL (or -ENOMEM) and, when ret_error is non-NULL, a message
 * "origin:line: what is wrong" the caller frees. */
int config_parse_text(Config *c, const char *origin, const char *text, char **ret_error);

/* Loads main_path (missing is fine) and then every *.conf in dropin_dir in
 * lexical order (missing dir is fine), then validates the whole (unique group
 * and bond names, each group has a primary and a backup). */
int config_load(const char *main_path, const char *dropin_dir, Config **ret, char **ret_error);

/* Checks done after all files are read; also used by config_load. */
int config_validate(const Config *c, char **ret_error);

const GroupSpec *config_find_group(const Config *c, const char *name);
bool config_driver_is_paravirt(const Config *c, const char *driver);
