/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <linux/netlink.h>
#include <netlink/msg.h>
#include <stdbool.h>

#include "device.h"
#include "group.h"
#include "macro.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct nl_msg *, nlmsg_free);

/* rtnetlink messages for links and bonds, built and parsed by pure
 * functions: no socket is touched here, so unit tests compare the bytes.
 * Debian 12's libnl 3.7 has no setters for bond attributes, so the
 * IFLA_LINKINFO -> IFLA_INFO_DATA -> IFLA_BOND_* nests are built by hand.
 *
 * Every builder allocates *ret (caller frees with nlmsg_free) with
 * NLM_F_REQUEST|NLM_F_ACK set and returns 0 or a negative errno (libnl's
 * -NLE_* codes never leave this file). */

/* RTM_NEWLINK, NLM_F_CREATE|NLM_F_EXCL: an active-backup bond with every
 * option hnv owns (mode 1, miimon, updelay, downdelay, fail_over_mac,
 * primary_reselect=always, num_peer_notif, peer_notif_delay, IFLA_MTU when
 * o->mtu is non-zero, IFLA_ADDRESS when mac is given). Created down; the
 * caller brings it up. */
int link_msg_new_bond(struct nl_msg **ret, const char *name, const BondOptions *o, const HwAddr *mac);

/* RTM_NEWLINK on an existing bond: IFLA_LINKINFO{KIND "bond", DATA{IFLA_BOND_PRIMARY}}. */
int link_msg_bond_set_primary(struct nl_msg **ret, int bond_ifindex, int port_ifindex);
/* Same, with IFLA_BOND_ACTIVE_SLAVE: switches at once, without waiting for miimon. */
int link_msg_bond_set_active(struct nl_msg **ret, int bond_ifindex, int port_ifindex);
/* IFLA_BOND_ALL_SLAVES_ACTIVE (u8): 1 delivers frames that arrive on an
 * inactive port instead of dropping them; hnv sets it while a VF is being
 * released, when frames still in flight down its path arrive there. */
int link_msg_bond_set_all_slaves_active(struct nl_msg **ret, int bond_ifindex, bool on);
/* Changeable-at-runtime options of an existing bond (miimon, updelay,
 * downdelay, num_peer_notif, peer_notif_delay); not mode or fail_over_mac. */
int link_msg_bond_set_options(struct nl_msg **ret, int bond_ifindex, const BondOptions *o);

/* RTM_NEWLINK with IFLA_MASTER; master_ifindex 0 releases the port. */
int link_msg_set_master(struct nl_msg **ret, int ifindex, int master_ifindex);
/* RTM_NEWLINK with ifi_change = IFF_UP. */
int link_msg_set_up(struct nl_msg **ret, int ifindex, bool up);
int link_msg_set_mtu(struct nl_msg **ret, int ifindex, uint32_t mtu);
/* RTM_NEWLINK with IFLA_ADDRESS: the link's MAC address. */
int link_msg_set_address(struct nl_msg **ret, int ifindex, const HwAddr *mac);
/* RTM_DELLINK. */
int link_msg_delete(struct nl_msg **ret, int ifindex);
/* RTM_GETLINK with NLM_F_DUMP (no ACK flag: a dump ends with NLMSG_DONE). */
int link_msg_dump_request(struct nl_msg **ret);

/* Parses RTM_NEWLINK / RTM_DELLINK into *ret (zeroed first): name, kind,
 * MAC, permanent MAC (IFLA_PERM_ADDRESS, else the bond port's
 * IFLA_BOND_SLAVE_PERM_HWADDR), flags, carrier, MTU, operstate, master,
 * bond port state and bond info (mode, active, primary, miimon,
 * fail_over_mac, num_peer_notif). Returns 0, or -EBADMSG for a malformed or
 * foreign message. */
int link_message_parse(const struct nlmsghdr *h, LinkInfo *ret);

/* Attaches to fd, an rtnetlink socket joined to RTNLGRP_LINK, a socket
 * filter that keeps back the message of a bond port being closed by the
 * kernel on its way out (unregistered, or moved to another namespace), so
 * that hnvd is not woken while the bond switches on its own. Every other
 * message, an administrator's "ip link set down" included, passes. 0 or a
 * negative errno. */
int link_msg_monitor_filter_attach(int fd);

/* Maps libnl's -NLE_* codes to negative errno. */
int nl_error_to_errno(int nle);
