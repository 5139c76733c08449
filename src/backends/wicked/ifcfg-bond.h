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
 * Everything else, the IP configuration above all, belongs to the admin. */

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

/* Appends a copy of s to the NULL-terminated list *l of *n strings. */
int ifcfg_strv_push(char ***l, size_t *n, const char *s);
