/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "ether.h"
#include "macro.h"

/* What a port is for in its group. The kernel calls the bond's preferred port
 * "primary"; we keep that word because admins know it from bonding.rst. */
typedef enum PortRole {
        PORT_ROLE_PRIMARY, /* the VF: fast, not migratable */
        PORT_ROLE_BACKUP,  /* the paravirtual NIC: migratable */
        _PORT_ROLE_MAX,
        _PORT_ROLE_INVALID = -EINVAL,
} PortRole;

const char *port_role_to_string(PortRole r);
PortRole port_role_from_string(const char *s);

/* Where a group's definition came from, highest precedence first. */
typedef enum GroupSource {
        GROUP_SOURCE_CONFIG, /* hnv.conf / conf.d */
        /* PowerVM: the console's ibm,hcn-id in the device tree. Below the
         * admin's own file, above everything hnv learns at run time: the
         * console is the authority on which devices form a group, and a
         * runtime or udev group naming the same devices is the older guess. */
        GROUP_SOURCE_DEVICETREE,
        GROUP_SOURCE_RUNTIME, /* hnvctl add (kept in /run/hnv across daemon restarts) */
        GROUP_SOURCE_UDEV,    /* HNV_GROUP= / HNV_ROLE= udev properties */
        GROUP_SOURCE_AUTO,    /* a VF and a paravirtual NIC with one permanent MAC */
        _GROUP_SOURCE_MAX,
        _GROUP_SOURCE_INVALID = -EINVAL,
} GroupSource;

const char *group_source_to_string(GroupSource s);

typedef enum GroupState {
        GROUP_STATE_PENDING,   /* defined, but no port of it exists yet */
        GROUP_STATE_HEALTHY,   /* the VF is enslaved and carries the traffic */
        GROUP_STATE_DEGRADED,  /* the backup carries the traffic: VF gone or without carrier */
        GROUP_STATE_DOWN,      /* no port can carry traffic */
        GROUP_STATE_MIGRATING, /* the VF was released on purpose and is kept out */
        _GROUP_STATE_MAX,
        _GROUP_STATE_INVALID = -EINVAL,
} GroupState;

const char *group_state_to_string(GroupState s);
GroupState group_state_from_string(const char *s);

/* How a group recognises one of its ports. */
typedef enum PortMatchType {
        PORT_MATCH_NONE,
        PORT_MATCH_MAC,           /* permanent MAC address */
        PORT_MATCH_NAME,          /* interface name (fnmatch pattern) */
        PORT_MATCH_UDEV_PROPERTY, /* KEY=VALUE (fnmatch pattern on VALUE) */
        /* The device's device-tree node carries this ibm,hcn-id (8 lowercase
         * hex digits). Only device-tree groups use it: both of their roles
         * match one id, and the node's ibm,hcn-mode tells the roles apart. */
        PORT_MATCH_HCN_ID,
        _PORT_MATCH_TYPE_MAX,
        _PORT_MATCH_TYPE_INVALID = -EINVAL,
} PortMatchType;

typedef struct PortMatch {
        PortMatchType type;
        HwAddr mac;  /* PORT_MATCH_MAC */
        char *key;   /* PORT_MATCH_UDEV_PROPERTY */
        char *value; /* PORT_MATCH_NAME pattern, PORT_MATCH_UDEV_PROPERTY pattern, PORT_MATCH_HCN_ID id */
} PortMatch;

void port_match_done(PortMatch *m);
int port_match_copy(PortMatch *dst, const PortMatch *src);
/* "mac:02:00:..", "name:vf*", "udev:ID_PATH=pci-*", "hcn-id:333e80f5"; a bare
 * MAC or name is accepted too. */
int port_match_parse(const char *s, PortMatch *ret);
/* Inverse of port_match_parse; returns a newly allocated string. */
char *port_match_to_string(const PortMatch *m);

/* The kernel's fail_over_mac values (IFLA_BOND_FAIL_OVER_MAC). */
typedef enum FailOverMac {
        FAIL_OVER_MAC_NONE,
        FAIL_OVER_MAC_ACTIVE,
        FAIL_OVER_MAC_FOLLOW,
        _FAIL_OVER_MAC_MAX,
} FailOverMac;

/* "none", "active", "follow"; "?" for a value the kernel does not define. */
const char *fail_over_mac_to_string(uint8_t v);

/* Kernel bond settings hnv owns. Every field has a default; see hnv.conf(5). */
typedef struct BondOptions {
        uint32_t miimon_ms;           /* 100 */
        uint32_t updelay_ms;          /* 0 */
        uint32_t downdelay_ms;        /* 0 */
        uint8_t fail_over_mac;        /* FailOverMac, default follow */
        uint8_t num_peer_notif;       /* gratuitous ARPs / unsolicited NAs per switch, default 3 */
        uint32_t peer_notif_delay_ms; /* 0 */
        uint32_t mtu;                 /* 0: keep what the ports have */
} BondOptions;

void bond_options_init(BondOptions *o);
/* Applies one "key=value" word ("miimon=100", "fail_over_mac=follow", ...). */
int bond_options_set(BondOptions *o, const char *word);

/* The bond's settings as the kernel's sysfs option words, mode first: the
 * form NetworkManager's bond.options and ifcfg's BONDING_MODULE_OPTS take.
 * Settings at their kernel default that some readers refuse (updelay and
 * downdelay without miimon, peer_notif_delay 0) are left out, and so is the
 * MTU, which is not a bond option. */
typedef struct BondOptionWord {
        const char *key;
        char value[16];
} BondOptionWord;
#define BOND_OPTION_WORDS_MAX 8
size_t bond_options_to_words(const BondOptions *o, BondOptionWord ret[static BOND_OPTION_WORDS_MAX]);

#define GROUP_NAME_MAX 64

typedef struct GroupSpec {
        char *name; /* the group id: [A-Za-z0-9_.-], at most GROUP_NAME_MAX */
        char bond_name[IFNAMSIZ];
        PortMatch match[_PORT_ROLE_MAX];
        BondOptions options;
        GroupSource source;
        /* Where it was defined, for messages: "hnv.conf:12". NULL unless from a file. */
        char *origin;
} GroupSpec;

GroupSpec *group_spec_new(const char *name, GroupSource source);
GroupSpec *group_spec_free(GroupSpec *g);
DEFINE_TRIVIAL_CLEANUP_FUNC(GroupSpec *, group_spec_free);
GroupSpec *group_spec_dup(const GroupSpec *g);

bool group_name_is_valid(const char *name);
/* "bond<name>" when that fits in IFNAMSIZ, else -ENAMETOOLONG. */
int group_default_bond_name(const char *name, char ret[static IFNAMSIZ]);
bool ifname_is_valid(const char *name);
