/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "group.h"
#include "ifcfg.h"

/* What hnv writes into ifcfg files for a group (see docs/wicked.md). All of
 * it is pure: documents in, documents out; ifcfg-files.h does the I/O.
 *
 * The keys hnv owns in ifcfg-<bond>: STARTMODE, BONDING_MASTER,
 * BONDING_SLAVE_*, the words of BONDING_MODULE_OPTS named below, and MTU
 * when the group sets one. In a port's file: STARTMODE and BOOTPROTO.
 * Everything else belongs to the admin. The IP configuration is the
 * admin's too, but hnv carries it: from a port's file into the bond's when
 * the group forms, back to the port that keeps the addresses when it is
 * dissolved (below), line for line as the admin wrote it. */

/* BONDING_MODULE_OPTS for o, with primary=<primary> unless primary is NULL.
 * wicked hands each word to the bonding driver's sysfs file of that name
 * and refuses the whole file for a word it does not know, so these are the
 * kernel's names: hnv.conf's num_peer_notif is written as num_grat_arp and
 * num_unsol_na (one kernel setting under two names), and peer_notif_delay,
 * which wicked does not know, is not written at all. */
int ifcfg_bond_module_opts(const BondOptions *o, const char *primary, char **ret);
/* The same, merged into an existing value: hnv's words first, in their own
 * order, then the admin's other words as they were. */
int ifcfg_bond_merge_module_opts(const char *old, const BondOptions *o, const char *primary, char **ret);

/* A new ifcfg-<bond>: the marker, STARTMODE='auto' and BOOTPROTO='none'.
 * 'none' as hcnmgr wrote it: an address is the admin's to add, and DHCP on
 * several such bonds at once made them flap (hcnmgr, commit ed7f7c8). */
int ifcfg_bond_new(IfcfgDoc **ret);
/* Brings the keys hnv owns up to date for a group whose ports are now vf
 * and backup (either may be NULL: no such port yet). The VF is the bond's
 * primary. BONDING_SLAVE_* entries that name neither port are stale (the
 * VF's name before a migration, say): they are reused in place for a port
 * not listed yet, the rest removed; a port still missing is added as
 * BONDING_SLAVE_<n>, the smallest free n, VF first. BOOTPROTO and the IP
 * keys of an existing file are never touched. If ret_dropped is not NULL it
 * gets the stale names (a NULL-terminated list, perhaps empty). */
int ifcfg_bond_update(IfcfgDoc *d, const BondOptions *o, const char *vf, const char *backup,
                      char ***ret_dropped);

/* A port's file: the marker, STARTMODE='hotplug', BOOTPROTO='none', so that
 * wicked brings it up for the bond and puts no address on it. */
int ifcfg_port_new(IfcfgDoc **ret);
int ifcfg_port_update(IfcfgDoc *d);

/* Whether d, the file ifcfg-<ifname>, looks written by hcnmgr, which puts
 * no marker in its files: a bond named bond<8 hex digits> (its HCN id),
 * BONDING_MASTER yes, and an active-backup mode with fail_over_mac follow
 * in BONDING_MODULE_OPTS, by name or by number as hcnmgr wrote them. */
bool ifcfg_is_hcnmgr_bond(const char *ifname, const IfcfgDoc *d);

/* Whether d says BONDING_MASTER yes. */
bool ifcfg_is_bond(const IfcfgDoc *d);
/* Forgets port in a bond's document: its BONDING_SLAVE_* entries go, and a
 * primary=<port> word. Returns how many entries went (0: it named none). */
int ifcfg_bond_drop_port(IfcfgDoc *d, const char *port);

/* The IP configuration (ifcfg(5), ifcfg-dhcp(5)): BOOTPROTO; the address
 * keys and their suffixed forms (IPADDR, PREFIXLEN, NETMASK, BROADCAST,
 * REMOTE_IPADDR, LABEL, SCOPE, IP_OPTIONS, as IPADDR_1 or IPADDR0);
 * DHCLIENT_* and DHCLIENT6_*; AUTO6_* (IPv6 autoconfiguration);
 * CHECK_DUPLICATE_IP and SEND_GRATUITOUS_ARP, which say how an IPv4
 * address is put on. STARTMODE is not among them: it says when the
 * interface comes up, and the bond and its ports each have their own. */
bool ifcfg_key_is_ip(const char *key);
/* Whether a port's file has IP configuration to hand on: an IP key, and a
 * BOOTPROTO other than 'none' (none, missing or empty means static). */
bool ifcfg_port_has_ip(const IfcfgDoc *d);
/* Whether a bond's file has IP configuration: any IP key but a BOOTPROTO
 * of 'none', which is what hnv and hcnmgr write into a new bond's file. */
bool ifcfg_bond_has_ip(const IfcfgDoc *d);
/* Whether bond already says everything port's IP keys say (the same value
 * for each, and the same BOOTPROTO or none in both): a move that was cut
 * short after the bond's file was written. */
bool ifcfg_ip_moved(const IfcfgDoc *port, const IfcfgDoc *bond);
/* Copies port's IP lines, byte for byte and in their order, into bond in
 * place of its own IP lines (where the first of them was, else at the
 * end), then strips port as ifcfg_ip_strip(). For a bond without IP
 * configuration (ifcfg_bond_has_ip() false). */
int ifcfg_ip_move(IfcfgDoc *port, IfcfgDoc *bond);
/* Removes a port's IP lines but its last BOOTPROTO, which becomes 'none'
 * in place (or is added where the first IP line was). */
int ifcfg_ip_strip(IfcfgDoc *port);
/* Gives bond's IP lines to port: port's BOOTPROTO lines and its IP lines
 * whose key bond assigns too are replaced by bond's, where the first of
 * them was (else at the end); port's other lines stay as they are. Doing
 * it twice gives the same document. */
int ifcfg_ip_give_back(const IfcfgDoc *bond, IfcfgDoc *port);

/* The routes of an ifroute-<from> file (ifroute(5)) for ifroute-<to>: the
 * interface column (the 4th) of each route is rewritten where it names
 * from; everything else, comments and spacing included, stays byte for
 * byte. A route with "-" there means the file's own interface and needs
 * nothing. -EBADMSG for a NUL byte. */
int ifcfg_routes_rename(const char *text, size_t size, const char *from, const char *to, char **ret,
                        size_t *ret_size);

/* Appends a copy of s to the NULL-terminated list *l of *n strings. */
int ifcfg_strv_push(char ***l, size_t *n, const char *s);
