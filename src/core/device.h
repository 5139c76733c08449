/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "devicetree.h"
#include "ether.h"
#include "group.h"

/* What the kernel says about one link, parsed from an RTM_NEWLINK message by
 * link_message_parse() (src/kernel/link-msg.h). Plain data, no pointers, so
 * it can be copied and compared. */
typedef struct LinkInfo {
        int ifindex;
        char name[IFNAMSIZ];
        char kind[16]; /* IFLA_INFO_KIND: "bond", "veth", "" for hardware */
        HwAddr mac;
        HwAddr perm_mac; /* IFLA_PERM_ADDRESS, or the bond's record of it for a port */
        bool has_perm_mac;
        uint32_t flags; /* IFF_* */
        uint32_t mtu;
        uint8_t operstate;
        int master_ifindex;
        bool carrier; /* IFF_LOWER_UP */

        /* When this link is a bond port (IFLA_INFO_SLAVE_KIND "bond"). */
        bool is_bond_port;
        bool bond_port_active; /* IFLA_BOND_SLAVE_STATE == BOND_STATE_ACTIVE */
        bool bond_port_mii_up; /* IFLA_BOND_SLAVE_MII_STATUS == BOND_LINK_UP */

        /* When this link is a bond (kind "bond"). */
        bool has_bond_info;
        uint8_t bond_mode;
        int bond_active_ifindex; /* 0: none */
        int bond_primary_ifindex;
        uint32_t bond_miimon;
        uint8_t bond_fail_over_mac;
        uint8_t bond_num_peer_notif;
        bool bond_all_ports_active; /* IFLA_BOND_ALL_SLAVES_ACTIVE */

        /* IFLA_EVENT_NOTIFY_PEERS: this message is the bond telling its peers
         * where it now is (gratuitous ARP, unsolicited NA went out). Only in
         * events, never in a dump or an answer. */
        bool peers_notified;
} LinkInfo;

/* One network device as hnvd sees it: the kernel's view plus udev's. */
typedef struct Device {
        LinkInfo link;

        /* udev: the device is only acted on once udev has finished with it
         * (rules ran, renames done), which closes the rename race the
         * predecessor lost. */
        bool udev_initialized;
        char *driver;           /* ID_NET_DRIVER, or the sysfs driver link */
        bool is_pci;            /* the device sits on a PCI bus: a VF candidate */
        char **udev_properties; /* NULL-terminated "KEY=VALUE" list */

        /* The MAC that identifies the device across renames and enslavement:
         * permanent MAC if the kernel has one, else the MAC first seen while
         * the device was not enslaved (fail_over_mac=follow swaps MACs). */
        HwAddr identity_mac;
        bool has_identity_mac;

        /* PowerVM: the device's node in the device tree, from its sysfs
         * device/devspec attribute (NULL: none). Read when udev finishes
         * with the device; a rename does not change it. */
        char *devspec;
        /* What that node said when the device was paired: its ibm,hcn-id
         * ("" when it has none or is not in the tree) and ibm,hcn-mode.
         * Kept as they were, so that a tree the console is in the middle of
         * changing never moves a port that is already paired. */
        char hcn_id[HCN_ID_SIZE];
        PortRole hcn_mode;
} Device;

Device *device_new(const LinkInfo *link);
Device *device_free(Device *d);
DEFINE_TRIVIAL_CLEANUP_FUNC(Device *, device_free);

/* Refreshes the kernel view, keeping the identity MAC stable. */
void device_update_link(Device *d, const LinkInfo *link);
/* Takes ownership of props (NULL-terminated "KEY=VALUE" list). */
void device_set_udev(Device *d, bool initialized, char *driver, bool is_pci, char **props);
/* The properties alone, the rest of udev's word as it was; takes props. */
void device_set_properties(Device *d, char **props);
/* Drops from props (NULL-terminated "KEY=VALUE", owned) each entry whose
 * key is not in keys; keys NULL keeps them all. Returns the list, shrunk,
 * or NULL when nothing is left. A device keeps only what pairing can read:
 * udev gives a PCI NIC some thirty properties, about 2 kB with malloc's
 * overhead, and pairing reads one or two. */
char **udev_properties_keep(char **props, char *const *keys);
const char *device_get_property(const Device *d, const char *key);
/* Takes ownership of devspec (may be NULL). */
void device_set_devspec(Device *d, char *devspec);
/* Copies the HNV facts of the device's node (NULL: it has none). */
void device_set_devicetree(Device *d, const DtEntry *e);
