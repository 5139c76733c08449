/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <net/if.h>
#include <stdbool.h>

#include "group.h"

/* systemd-networkd's files for a group (systemd.netdev(5),
 * systemd.network(5)), written into one directory given as a file
 * descriptor. The text builders are pure; the rest touches only that
 * directory. Nothing here logs: the caller logs once, with the name. */

/* Every file hnv writes starts with this line, and its second line is
 * HNV_NETWORKD_BOND_KEY and the bond's name: prune and remove recognise
 * hnv's files by it and never touch another. */
#define HNV_NETWORKD_MARKER                                                                                 \
        "# Written by hnvd (hnv) for its bond: hnv rewrites it, and deletes it with the group."
#define HNV_NETWORKD_BOND_KEY "# hnv-bond: "

/* networkd applies the first .network file, in lexical order of the file
 * name over all its directories, whose [Match] fits a link. "00-hnv-"
 * sorts before the names installers and netplan use ("10-netplan-*",
 * "50-cloud-init.network", "eth0.network"), so hnv's port file wins over
 * the admin's file that still names the port. */
#define HNV_NETWORKD_PREFIX "00-hnv-"
/* "00-hnv-" + an interface name + ".network" + NUL */
#define NETWORKD_FILENAME_MAX (sizeof(HNV_NETWORKD_PREFIX) + IFNAMSIZ + sizeof(".network"))

/* The bond's .netdev: Kind=bond, active-backup and the group's options. */
int networkd_netdev_text(const char *bond, const BondOptions *o, char **ret);
/* A port's .network: the port in the bond, primary or not. */
int networkd_port_text(const char *port, const char *bond, bool primary, char **ret);
/* A .network for a port that left the bond while the group lives (the VF
 * released before a migration): networkd leaves it alone. */
int networkd_port_left_text(const char *port, const char *bond, char **ret);
/* The bond's .network: its [Match], then the IP configuration of
 * admin_network (the text of the admin's .network that configured a port;
 * NULL: none) copied line by line: the sections [Network], [Address],
 * [Route], [DHCP], [DHCPv4], [DHCPv6], [IPv6AcceptRA] and
 * [RoutingPolicyRule], without the keys that make a link a port of
 * something ([Network] Bond=, Bridge=, VRF=, PrimarySlave=, ActiveSlave=). */
int networkd_bond_network_text(const char *bond, const char *admin_network, char **ret);
/* Whether a bond .network text carries any IP configuration. */
bool networkd_text_has_ip(const char *text);

/* The bond's files and its ports': writes the .netdev and the ports'
 * .network files as the group is now (vf, backup: the ports in the bond,
 * NULL when not), and the bond's .network when it has none yet (from
 * admin_network); turns hnv's files of ports of this bond no longer in it
 * into files that tell networkd to leave them alone. Returns 1 when a file changed, 0 when none did, or a negative errno. */
int networkd_save_group(int dir_fd, const GroupSpec *g, const char *vf, const char *backup,
                        const char *admin_network);
/* Deletes hnv's files of bond and its ports. Returns how many it deleted. */
int networkd_remove_group(int dir_fd, const char *bond);
/* Deletes hnv's files of a bond that keep() says is gone, and of ports
 * that keep() says are gone. Returns how many it deleted. */
int networkd_prune(int dir_fd, bool (*keep)(const char *ifname, void *userdata), void *userdata);
/* Reads an hnv file's bond (the marker's second line); -ENOENT when the
 * file is not hnv's. */
int networkd_file_bond(int dir_fd, const char *name, char ret[static IFNAMSIZ]);
/* Larger .network files than networkd's own are refused, not read. */
#define NETWORKD_FILE_MAX (1024 * 1024)
/* Reads a whole regular file of at most NETWORKD_FILE_MAX bytes; a FIFO or
 * device is refused (-EINVAL) without blocking, a symbolic link too
 * (-ELOOP). */
int networkd_read_text(int dir_fd, const char *path, char **ret);
